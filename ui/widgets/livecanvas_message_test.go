package widgets

import (
	"image"
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

// The likelihood map frames its least likely patch (the map of tessera
// score --map does; in the studio nothing said where it was), and the
// frame goes with the map.
func TestLikelihoodMapFramesTheWorstPatch(t *testing.T) {
	test.NewTempApp(t)
	lc := NewLiveCanvas()
	lc.SetGrid(2, 4, 8) // 2 rows of 4 patches of 8 px
	lc.ShowImage(image.NewNRGBA(image.Rect(0, 0, 32, 16)))
	w := test.NewTempWindow(t, lc)
	w.Resize(fyne.NewSize(340, 200))
	lc.Resize(fyne.NewSize(320, 160))
	r := test.WidgetRenderer(lc).(*liveRenderer)
	if !r.worst.Hidden {
		t.Fatal("a frame without a map")
	}
	lc.SetLikelihoodMap([]float64{0.1, 0.2, 0.1, 0.1, 0.1, 0.3, 2.5, 0.1}, 0, 5)
	if i, ok := lc.WorstPatch(); !ok || i != 6 {
		t.Fatalf("worst patch %d, %v; want 6", i, ok)
	}
	pos, size := r.img.Position(), r.img.Size()
	cellW, cellH := size.Width/4, size.Height/2
	want := fyne.NewPos(pos.X+2*cellW, pos.Y+cellH) // row 1, column 2
	if r.worst.Hidden || r.worst.Position() != want || r.worst.Size() != fyne.NewSize(cellW, cellH) {
		t.Errorf("frame at %v size %v (hidden %v), want %v size %v", r.worst.Position(), r.worst.Size(), r.worst.Hidden, want, fyne.NewSize(cellW, cellH))
	}
	lc.SetLikelihoodMap(nil, 0, 0)
	if !r.worst.Hidden {
		t.Error("the frame stayed after the map went")
	}
}
