package widgets

import (
	"image/color"
	"math"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// WheelRelay lies over an entry inside a scrolled form and hands the mouse
// wheel to the form. Fyne gives a wheel event to the innermost
// scroller under the pointer, and a multi-line entry keeps its text in a
// scroller of its own that swallows the wheel even when all of its text
// shows: with the pointer over the prompt, the side panel did not move.
// While a multi-line entry's text is longer than it shows, the relay hides
// and the wheel scrolls the text as before; over a single-line entry (the
// Edit by instruction box) it always takes the wheel.
//
// The relay takes only wheel events: it is neither tappable nor hoverable,
// so clicks, drags, tooltips and the text cursor still reach the entry
// under it.
type WheelRelay struct {
	widget.BaseWidget
	entry  *widget.Entry
	target fyne.Scrollable
}

// WithWheelRelay returns entry (a multi-line entry, or a widget embedding
// one) stacked under its relay, and the relay, whose SetTarget names the
// form's scroller once it exists.
func WithWheelRelay(shown fyne.CanvasObject, entry *widget.Entry) (*fyne.Container, *WheelRelay) {
	r := &WheelRelay{entry: entry}
	r.ExtendBaseWidget(r)
	return container.NewStack(shown, r), r
}

// SetTarget sets the scroller that receives the wheel.
func (r *WheelRelay) SetTarget(t fyne.Scrollable) { r.target = t }

// Target returns the scroller that receives the wheel.
func (r *WheelRelay) Target() fyne.Scrollable { return r.target }

// Scrolled passes the wheel to the target.
func (r *WheelRelay) Scrolled(ev *fyne.ScrollEvent) {
	if r.target != nil {
		r.target.Scrolled(ev)
	}
}

// Update shows the relay while all of the entry's text shows and hides it
// otherwise; call it when the text changes (Resize calls it too).
func (r *WheelRelay) Update() {
	if r.overflows() {
		r.Hide()
	} else {
		r.Show()
	}
}

// Resize sizes the relay and updates it for the entry's new width.
func (r *WheelRelay) Resize(s fyne.Size) {
	r.BaseWidget.Resize(s)
	r.Update()
}

// overflows estimates whether the entry's text needs more rows than the
// entry shows: each line's width over the text area's, rounded up and with
// a margin for words that wrap early, against the rows that fit its height.
func (r *WheelRelay) overflows() bool {
	e := r.entry
	size := e.Size()
	if !e.MultiLine || e.Text == "" || size.Width <= 0 || size.Height <= 0 {
		return false
	}
	th := e.Theme()
	pad := 2 * (th.Size(theme.SizeNameInnerPadding) + th.Size(theme.SizeNameInputBorder))
	textSize := th.Size(theme.SizeNameText)
	lineHeight := fyne.MeasureText("M", textSize, e.TextStyle).Height
	width := size.Width - pad
	if width <= 0 || lineHeight <= 0 {
		return true
	}
	// At least one row: an entry one row high (the negative prompt) is a
	// little less than a line and its padding, so a short text in it read
	// as overflowing and the wheel over it did nothing.
	shown := max(1, math.Floor(float64((size.Height-pad)/lineHeight)))
	const wrapMargin = 1.15 // word wrapping leaves the end of a row empty
	rows := 0.0
	for _, line := range strings.Split(e.Text, "\n") {
		w := fyne.MeasureText(line, textSize, e.TextStyle).Width
		rows += max(1, math.Ceil(float64(w)*wrapMargin/float64(width)))
	}
	return rows > shown
}

// CreateRenderer draws nothing: the relay is invisible.
func (r *WheelRelay) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}
