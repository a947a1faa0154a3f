package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/ui/widgets"
)

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

// newQuestion is dialog.NewConfirm (Yes, No) with message wrapped at 60
// characters in a label that does not wrap it again: Fyne's own sizes the
// dialog's height by the message wrapped at its narrowest width, which
// left a tall empty space under a message of a few lines.
func newQuestion(title, message string, callback func(bool), parent fyne.Window) *dialog.ConfirmDialog {
	text := widget.NewLabel(widgets.WrapText(message, 60))
	text.Alignment = fyne.TextAlignCenter
	return dialog.NewCustomConfirm(title, lang.L("Yes"), lang.L("No"), text, callback, parent)
}
