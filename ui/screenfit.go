package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"github.com/go-gl/glfw/v3.3/glfw"
)

// windowMargin is what fitToScreen leaves around the window for the
// window manager's title bar and borders, in screen pixels.
var windowMargin = fyne.NewSize(16, 48)

// fitSize is size (Fyne units) shrunk to fit a work area of workW×workH
// screen pixels at scale screen pixels a unit, less windowMargin, but never
// below minSize: a 1200×720 window is 1500×900 pixels at scale 1.25, more
// than a 1366×768 laptop screen shows.
func fitSize(size, minSize fyne.Size, workW, workH int, scale float32) fyne.Size {
	if workW <= 0 || workH <= 0 || scale <= 0 {
		return size
	}
	maxW := (float32(workW) - windowMargin.Width) / scale
	maxH := (float32(workH) - windowMargin.Height) / scale
	return fyne.NewSize(max(min(size.Width, maxW), minSize.Width), max(min(size.Height, maxH), minSize.Height))
}

// fitToScreen shrinks the window, once it is shown, to the primary
// monitor's work area (the screen less task bars) when the size it opened
// at (the last session's, or the default 1200×720) is larger. It runs on
// the main thread (GLFW's monitors are read there) and does nothing where
// GLFW has no monitor to report.
func (s *Studio) fitToScreen() {
	defer func() { _ = recover() }() // GLFW not initialised (another driver): keep the size
	m := glfw.GetPrimaryMonitor()
	if m == nil {
		return
	}
	_, _, w, h := m.GetWorkarea()
	size := s.win.Canvas().Size()
	fit := fitSize(size, s.win.Content().MinSize(), w, h, s.win.Canvas().Scale())
	if fit != size {
		s.win.Resize(fit)
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
			fyne.Do(s.revealFocused)
		}
	}
}

// revealFocused scrolls the side panel holding the focused control, when
// the focus moved there since the last call, to show it (UI goroutine).
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
	for _, sc := range []*container.Scroll{s.panel.scroll, s.edit.scroll} {
		if holds(sc, obj) {
			revealIn(sc, obj)
			return
		}
	}
}
