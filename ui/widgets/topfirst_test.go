package widgets

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
)

// TopFirst gives the top its own height where the rest keeps restMin, and
// scrolls the top in a shorter space so that the rest keeps restMin (down
// to half the height for the top).
func TestTopFirst(t *testing.T) {
	top := canvas.NewRectangle(nil)
	top.SetMinSize(fyne.NewSize(200, 400))
	rest := canvas.NewRectangle(nil)
	rest.SetMinSize(fyne.NewSize(100, 20))
	c := TopFirst(top, rest, 150)
	pad := theme.Padding()
	for _, tc := range []struct{ h, topH float32 }{
		{1000, 400},            // room for both: the top at its own height
		{400, 400 - 150 - pad}, // the rest keeps 150
		{200, 100},             // never below half for the top
		{400 + 150 + pad, 400}, // exactly enough
	} {
		c.Resize(fyne.NewSize(300, tc.h))
		scroll, r := c.Objects[0], c.Objects[1]
		if scroll.Size().Height != tc.topH || r.Position().Y != tc.topH+pad || r.Size().Height != tc.h-tc.topH-pad || r.Size().Width != 300 {
			t.Errorf("height %g: top %v, rest at %v size %v; want the top %g high", tc.h, scroll.Size(), r.Position(), r.Size(), tc.topH)
		}
	}
	if m := c.MinSize(); m.Width != 200 || m.Height != 120+pad+150 {
		t.Errorf("MinSize %v, want 200 × %g", m, 120+pad+150)
	}
}
