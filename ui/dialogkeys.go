package ui

// The keys of dialogs: Escape dismisses the dialog on top, Return presses
// its default button, and destructive or cautionary questions have none.

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
	"slices"

	"github.com/tessera-studio/tessera/ui/widgets"
)

// dismissLabels are the labels of the buttons that close a dialog without
// doing anything, in the order Escape looks for them: our questions'
// Cancel, Fyne's custom dialogs' Close, a confirmation's No, an
// information's OK; each in English (our own dialogs) and as Fyne
// translates its own dialogs' buttons for the user's language; Describe's
// Stop while it ranks.
func dismissLabels() []string {
	var out []string
	for _, l := range []string{"Cancel", "Close", "No", "OK", "Stop"} {
		out = append(out, l)
		if tr := lang.L(l); tr != l {
			out = append(out, tr)
		}
	}
	return out
}

// dismissTopDialog closes the topmost dialog the way its own dismiss
// button does (Cancel, Close, No or OK, or Stop for a ranking under way:
// the dialog's callback runs as for a click), and reports whether there
// was one. Fyne's dialogs do not close on Escape themselves; Escape
// reaches the window only when no text field has the focus.
func (s *Studio) dismissTopDialog() bool {
	top := s.win.Canvas().Overlays().Top()
	if top == nil {
		return false
	}
	b := findButton(top, dismissLabels())
	if b == nil || b.Disabled() || b.OnTapped == nil {
		return false
	}
	b.OnTapped()
	widgets.HideTips(s.win.Content()) // the pointer still rests where a tip was shown
	return true
}

// confirmTopDialog presses the default button of the dialog on top (its
// one button of high importance: Yes of a confirmation, Use "…", Save; or
// the only button of a dialog that just shows something, Close or OK), as
// Return does in a desktop dialog, and reports whether there was one.
func (s *Studio) confirmTopDialog() bool {
	top := s.win.Canvas().Overlays().Top()
	if top == nil {
		return false
	}
	var def, only *widget.Button
	enabled := 0
	for _, b := range buttons(top) {
		if b.Disabled() || b.OnTapped == nil {
			continue
		}
		enabled++
		only = b
		if b.Importance == widget.HighImportance {
			if def != nil {
				return false // no one default
			}
			def = b
		}
	}
	// A lone Cancel or Stop is not pressed by Return: it ends work.
	if def == nil && enabled == 1 && !slices.Contains([]string{"Cancel", "Stop", lang.L("Cancel"), lang.L("Stop")}, only.Text) {
		def = only
	}
	if def == nil {
		return false
	}
	def.OnTapped()
	widgets.HideTips(s.win.Content())
	return true
}

// findButton returns the visible button in o's tree (widgets.Walk) whose
// label comes first in labels, or nil.
func findButton(o fyne.CanvasObject, labels []string) *widget.Button {
	found := buttons(o)
	for _, l := range labels {
		for _, b := range found {
			if b.Text == l {
				return b
			}
		}
	}
	return nil
}

// scrollTopDialog scrolls the first vertical scroll of the dialog on top
// by pages (Page Up/Down: -1, 1) or lines (the arrows: ±0.1 of a page),
// and reports whether there was one to scroll: Fyne's scrolls take no keys,
// so a long dialog (the keyboard shortcuts) needed the mouse wheel.
func (s *Studio) scrollTopDialog(pages float32) bool {
	top := s.win.Canvas().Overlays().Top()
	if top == nil {
		return false
	}
	var sc *container.Scroll
	widgets.Walk(top, func(c fyne.CanvasObject) {
		if v, ok := c.(*container.Scroll); ok && sc == nil && v.Direction != container.ScrollHorizontalOnly {
			sc = v
		}
	})
	if sc == nil {
		return false
	}
	view := sc.Size().Height
	y := sc.Offset.Y + pages*view
	sc.Offset = fyne.NewPos(sc.Offset.X, max(0, min(y, sc.Content.Size().Height-view)))
	sc.Refresh()
	return true
}

// buttons are the visible buttons in o's tree (widgets.Walk), in tree
// order.
func buttons(o fyne.CanvasObject) []*widget.Button {
	var found []*widget.Button
	widgets.Walk(o, func(c fyne.CanvasObject) {
		if b, ok := c.(*widget.Button); ok {
			found = append(found, b)
		}
	})
	return found
}

// destructive marks a confirmation whose Yes loses something (a file
// deleted or replaced, work left by quitting): its Yes is drawn as a
// danger, and Return does not press it (confirmTopDialog presses a button
// of high importance, or the one button of a dialog that has no other).
func destructive(d *dialog.ConfirmDialog) {
	d.SetConfirmImportance(widget.DangerImportance)
}

// noDefault makes a confirmation's Yes an ordinary button: Return does not
// press it (a question meant to make the user pause), and it is not drawn
// as a danger either.
func noDefault(d *dialog.ConfirmDialog) {
	d.SetConfirmImportance(widget.MediumImportance)
}
