package ui

import "fyne.io/fyne/v2/dialog"

// singleDialog keeps at most one dialog of a kind on screen (the error
// shown, the question whether to quit): showing another replaces it, and
// a dialog closed by its buttons is forgotten. UI goroutine only.
type singleDialog struct {
	d    dialog.Dialog
	text string // what the dialog shown says
}

// show shows d, which says text, in place of the dialog shown.
func (sd *singleDialog) show(d dialog.Dialog, text string) {
	sd.close()
	d.SetOnClosed(func() {
		if sd.d == d {
			sd.d, sd.text = nil, ""
		}
	})
	sd.d, sd.text = d, text
	d.Show()
}

// close closes the dialog shown and reports whether there was one.
func (sd *singleDialog) close() bool {
	if sd.d == nil {
		return false
	}
	d := sd.d
	sd.d, sd.text = nil, ""
	d.Hide()
	return true
}

// shown reports whether a dialog is shown.
func (sd *singleDialog) shown() bool { return sd.d != nil }
