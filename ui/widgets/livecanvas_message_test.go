package widgets

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// wrapLines keeps words whole, fits the width, and puts the rest on the
// last line it may use.
func TestWrapLines(t *testing.T) {
	test.NewTempApp(t)
	size := theme.TextSize()
	text := "Type a prompt on the left and press Generate (Ctrl+Return) — or open an image (Ctrl+O)"
	width := fyne.MeasureText("Type a prompt on the left and", size, fyne.TextStyle{}).Width + 1
	lines := wrapLines(text, width, size, 10)
	if strings.Join(lines, " ") != text || len(lines) < 3 {
		t.Fatalf("lines %q", lines)
	}
	for _, l := range lines {
		if fyne.MeasureText(l, size, fyne.TextStyle{}).Width > width {
			t.Errorf("line %q is wider than %g", l, width)
		}
	}
	if got := wrapLines(text, width, size, 2); len(got) != 2 || strings.Join(got, " ") != text {
		t.Errorf("two lines at most: %q", got)
	}
	if got := wrapLines(text, 10000, size, 3); len(got) != 1 {
		t.Errorf("a wide canvas: %q", got)
	}
	if got := wrapLines("", 100, size, 3); len(got) != 0 {
		t.Errorf("no message: %q", got)
	}
}

// A message wider than a narrow canvas is broken into lines that each fit
// it, instead of one line cut at both ends.
func TestCanvasMessageFits(t *testing.T) {
	test.NewTempApp(t)
	lc := NewLiveCanvas()
	lc.SetMessage("Type a prompt on the left and press Generate (Ctrl+Return) — or open an image (Ctrl+O)")
	w := test.NewTempWindow(t, lc)
	w.Resize(fyne.NewSize(340, 300))
	lc.Resize(fyne.NewSize(330, 290))
	r := test.WidgetRenderer(lc).(*liveRenderer)
	r.Layout(lc.Size())
	var shown []string
	for _, m := range r.msg {
		if m.Hidden {
			continue
		}
		shown = append(shown, m.Text)
		if m.MinSize().Width > lc.Size().Width {
			t.Errorf("line %q is %g wide on a %g-wide canvas", m.Text, m.MinSize().Width, lc.Size().Width)
		}
	}
	if len(shown) < 2 || strings.Join(shown, " ") != lc.Message() {
		t.Fatalf("lines %q", shown)
	}
}
