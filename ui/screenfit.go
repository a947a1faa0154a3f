package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// windowMarginW and windowMarginH are what fitToScreen leaves around the
// window for the window manager's borders and title bar, in screen pixels
// at a display scale of 100% (workArea scales them).
const windowMarginW, windowMarginH = 16, 48

// fitSize is size (Fyne units) shrunk to fit a work area of workW×workH
// screen pixels, less a margin of marginW×marginH pixels, at scale screen
// pixels a unit, but never below minSize: a 1200×720 window is 1500×900
// pixels at scale 1.25, more than a 1366×768 laptop screen shows.
func fitSize(size, minSize fyne.Size, workW, workH int, marginW, marginH, scale float32) fyne.Size {
	if workW <= 0 || workH <= 0 || scale <= 0 {
		return size
	}
	maxW := (float32(workW) - marginW) / scale
	maxH := (float32(workH) - marginH) / scale
	return fyne.NewSize(max(min(size.Width, maxW), minSize.Width), max(min(size.Height, maxH), minSize.Height))
}

// fitToScreen shrinks the window, once it is shown, to the primary
// monitor's work area (the screen less task bars) when the size it opened
// at (the last session's, or the default 1200×720) is larger. It runs on
// the main thread (GLFW's monitors are read there) and does nothing where
// no work area is known (workArea). A window on a second, smaller screen
// is not fitted: Fyne does not say which monitor a window is on.
func (s *Studio) fitToScreen() {
	if w, h, contentScale, ok := workArea(); ok {
		s.fitTo(w, h, contentScale)
	}
}

// fitTo fits the window to a work area of w×h screen pixels at
// contentScale screen pixels a point (fitToScreen).
func (s *Studio) fitTo(w, h int, contentScale float32) {
	size, scale := s.win.Canvas().Size(), s.win.Canvas().Scale()
	if maxW := (float32(w) - windowMarginW*contentScale) / scale; s.EditPanelShown() && s.layoutMinSize().Width > maxW {
		// Narrower than the layout: the editing panel gives the canvas
		// its width, for this session (a larger screen next time shows it).
		s.fitWidth = s.layoutMinSize().Width
		s.showEditPanel(false)
		s.setStatus(statusScreenNarrow + " for every panel: the editing panel is hidden (View › Editing panel shows it; the window then scrolls)" + s.toolWithoutPanel())
	}
	fit := fitSize(size, s.win.Content().MinSize(), w, h, windowMarginW*contentScale, windowMarginH*contentScale, scale)
	if fit != size {
		s.win.Resize(fit)
	}
}

// fitPanelToWindow hides the editing panel while the window is narrower
// than the layout with it (a window made smaller by hand, or reopened at
// such a size, scrolled, its right-hand panel cut to "M", "B", "Te"), and
// shows it again once the window is as wide as that layout, unless View ›
// Editing panel chose otherwise: a panel shown from the menu in a narrow
// window stays (UI goroutine; looked at with the focus, focusPoll apart).
func (s *Studio) fitPanelToWindow() {
	width := s.win.Canvas().Size().Width
	if width <= 0 || !s.set.EditPanelShown() || s.Tab() != createTab {
		return // not shown yet; the user's own choice stands; the Train tab has no such panel
	}
	switch shown := s.EditPanelShown(); {
	case shown && !s.panelForced && width < s.layoutMinSize().Width:
		s.fitWidth = s.layoutMinSize().Width
		s.showEditPanel(false)
		s.setStatus(statusWindowNarrow + " for every panel: the editing panel is hidden until it is wider (View › Editing panel shows it; the window then scrolls)" + s.toolWithoutPanel())
	case !shown && s.fitWidth > 0 && width >= s.fitWidth:
		s.showEditPanel(true)
		s.fitWidth = 0
		s.setStatus("The window is wide enough again: the editing panel is back") // the note that it was hidden goes
	case shown && s.panelForced && width >= s.layoutMinSize().Width:
		s.panelForced = false // wide enough now: a later narrowing hides it again
		if s.narrowNote() || s.status.Text == statusPanelScrolls {
			s.setStatus("The window is wide enough for every panel") // the note that it was too narrow went on saying so
		}
	}
}

// focusPoll is how often followFocus looks where the keyboard focus is.
const focusPoll = 150 * time.Millisecond

// followFocus keeps the control that has the keyboard focus in view: a
// Tab onto a control scrolled out of a side panel (Top-p under the fold, the
// tools under Regenerate masked) scrolls the panel to it. Fyne's scroll
// containers do not follow the focus (fyne-io/fyne#3029) and the window
// hears no Tab, so the focus is looked at focusPoll apart until ctx ends.
func (s *Studio) followFocus(ctx context.Context) {
	t := time.NewTicker(focusPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fyne.Do(func() {
				s.revealFocused()
				s.fitPanelToWindow()
			})
		}
	}
}

// revealFocused scrolls the side panel (or the Describe dialog's list)
// holding the focused control, when
// the focus moved there since the last call and less than half of it is in
// view, to show it (UI goroutine). A control half in view or more is left
// where it is: a click focuses a slider or a field too, and the panel moved
// under the pointer between a click and a drag; one showing a sliver at the
// panel's edge (Tab to the Batch slider under the seed) is shown whole.
func (s *Studio) revealFocused() {
	f := s.win.Canvas().Focused()
	if f == s.lastFocused {
		return
	}
	s.lastFocused = f
	obj, ok := f.(fyne.CanvasObject)
	if !ok {
		return
	}
	// The Describe dialog's list first: it lies over the panels, and the
	// Use buttons of its rows 9 and 10 were Tab stops out of its view.
	scrolls := []*container.Scroll{s.panel.scroll, s.edit.scroll}
	if v := s.describer.shown; v != nil {
		scrolls = append([]*container.Scroll{v.scroll}, scrolls...)
	}
	for _, sc := range scrolls {
		if holds(sc, obj) {
			if !halfInView(sc, obj) {
				revealIn(sc, obj)
			}
			return
		}
	}
}

// halfInView reports whether half of obj's height or more, held by sc, is
// in sc's view.
func halfInView(sc *container.Scroll, obj fyne.CanvasObject) bool {
	d := fyne.CurrentApp().Driver()
	y := d.AbsolutePositionForObject(obj).Y - d.AbsolutePositionForObject(sc).Y
	h := obj.Size().Height
	shown := min(y+h, sc.Size().Height) - max(y, 0)
	return shown >= h/2
}

// focusHome gives the keyboard focus to the first control of the tab in
// front when nothing has it, or always when switched is set (the tab has
// just come to the front: what had the focus was on the other, now
// hidden): on Train the data picker; on Create the prompt while nothing is
// drawn, else the canvas (where [ ] size the brush and the arrow keys
// paint the mask, and the window's keys still work). A restart, a file
// dialog or a switch of tabs (Ctrl+Page Down) left the focus nowhere, or
// on a hidden control, so the next key did nothing. Nothing moves while a
// dialog is up.
func (s *Studio) focusHome(switched bool) {
	c := s.win.Canvas()
	if c.Overlays().Top() != nil || !switched && c.Focused() != nil {
		return
	}
	switch {
	case s.Tab() == trainTab:
		widgets.FocusIn(s.train.data)
	case s.doc != nil && !s.doc.Empty():
		widgets.FocusIn(s.canvas)
	default:
		s.focusPromptEnd()
	}
	s.homeFocused, s.homeTexts = c.Focused(), s.fieldTexts()
}

// focusPromptEnd focuses the prompt with the cursor at the end of its
// text: typing goes after the prompt kept from last time, not before it
// ("rocket" typed at start made "rocketblack cat").
func (s *Studio) focusPromptEnd() {
	p := s.panel.prompt
	widgets.FocusIn(p)
	if p.Text != "" {
		p.Entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyPageDown}) // Fyne's entry: to the end of the last row
	}
}

// toolWithoutPanel is the note on the canvas's tool once the editing panel
// is hidden: a temperature tool stays the canvas's, with none of the
// panel's controls in sight to say so (it painted on with no way seen to
// stop it); the Edit menu has them.
func (s *Studio) toolWithoutPanel() string {
	if s.canvas.Tool().PaintsTemperature() { // (the mask brush, the default, is seen at once on the canvas)
		return " · the canvas still paints temperatures: the Edit menu switches tools (B brush, E eraser) and clears them"
	}
	return ""
}
