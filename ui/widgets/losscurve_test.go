package widgets

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/tessera-studio/tessera/engine/train"
)

// TestLossCurveDraws draws a curve with training and validation points
// and an empty one.
func TestLossCurveDraws(t *testing.T) {
	c := NewLossCurve()
	w := test.NewTempWindow(t, c)
	w.Resize(fyne.NewSize(400, 240))
	c.Set(nil, nil, 0)
	r := test.TempWidgetRenderer(t, c).(*lossCurveRenderer)
	if r.empty.Hidden {
		t.Fatal("an empty curve does not say so")
	}
	bits := make([]float32, 500)
	for i := range bits {
		bits[i] = 8 / float32(1+i/20)
	}
	c.Set(bits[:300], []train.ValPoint{{Step: 100, Bits: 2}, {Step: 200, Bits: 1.5}}, 1000)
	c.AddSteps(bits[300:], 500, 1000)
	c.AddVal(train.ValPoint{Step: 500, Bits: 1})
	if n, v := c.Counts(); n != 500 || v != 3 {
		t.Fatalf("counts %d %d", n, v)
	}
	if !r.empty.Hidden || r.xHi.Text != "1,000" {
		t.Fatalf("labels: empty %v, x %q", r.empty.Hidden, r.xHi.Text)
	}
	img := r.draw(300, 150)
	red, blue := 0, 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			switch img.At(x, y) {
			case valColor:
				red++
			case trainColor:
				blue++
			}
		}
	}
	if red == 0 || blue == 0 {
		t.Fatalf("%d validation and %d training pixels", red, blue)
	}
}

// A schedule of days (a budget of 99,999 minutes) does not squeeze the
// curve drawn so far into its first pixels: the x axis reaches four times
// the steps done until that is the schedule's end, and says of what.
func TestLossCurveZoomsOnAVeryLongSchedule(t *testing.T) {
	c := NewLossCurve()
	w := test.NewTempWindow(t, c)
	w.Resize(fyne.NewSize(400, 240))
	r := test.TempWidgetRenderer(t, c).(*lossCurveRenderer)
	bits := make([]float32, 300)
	for i := range bits {
		bits[i] = 8 / float32(1+i/20)
	}
	for _, s := range []struct {
		total, steps int
		want, name   string
	}{{1000, 300, "1,000", "step"}, {1200, 300, "1,200", "step"}, {6000, 300, "1,200", "step (of 6,000)"}, {9_000_000, 300, "1,200", "step (of 9,000,000)"}} {
		c.Set(bits[:s.steps], []train.ValPoint{{Step: s.steps, Bits: 1}}, s.total)
		if r.xHi.Text != s.want || r.xNameFull != s.name {
			t.Errorf("%d of %d steps: the x axis ends at %q, named %q; want %q, %q", s.steps, s.total, r.xHi.Text, r.xNameFull, s.want, s.name)
		}
	}
	// A fine-tune's pass before its first step shows, the length unknown.
	c.Set(nil, []train.ValPoint{{Step: 0, Bits: 5.9}}, 0)
	if !r.empty.Hidden || r.xHi.Text != "1" {
		t.Errorf("a step-0 pass alone: empty message shown %v, x axis %q", !r.empty.Hidden, r.xHi.Text)
	}
	// The steps drawn fill the plot's first quarter, not its first pixels.
	c.Set(bits, []train.ValPoint{{Step: 300, Bits: 1}}, 9_000_000)
	img := r.draw(300, 150)
	right := 0
	for y := 0; y < 150; y++ {
		for x := 0; x < 300; x++ {
			if img.At(x, y) == trainColor {
				right = max(right, x)
			}
		}
	}
	if right < 60 {
		t.Errorf("the training curve ends at x = %d of 300", right)
	}
}

// A validation dot at the last step of the schedule (the plot's right
// edge) is drawn whole, as wide as a dot elsewhere (it was cut in half).
func TestLossCurveDotsAreWholeAtTheEdge(t *testing.T) {
	c := NewLossCurve()
	w := test.NewTempWindow(t, c)
	w.Resize(fyne.NewSize(400, 240))
	c.Set([]float32{4, 3, 2.5, 2}, []train.ValPoint{{Step: 4, Bits: 2}}, 4)
	r := test.TempWidgetRenderer(t, c).(*lossCurveRenderer)
	img := r.draw(300, 150)
	b := img.Bounds()
	lo, hi := b.Max.X, b.Min.X-1
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if img.At(x, y) == valColor {
				lo, hi = min(lo, x), max(hi, x)
			}
		}
	}
	if width := hi - lo + 1; width < 5 { // a whole dot: radius 2.5 px each way
		t.Errorf("the dot at the last step is %d px wide (columns %d–%d of %d): cut at the edge", width, lo, hi, b.Dx())
	}
}

// The text standing in for an empty curve stays inside the plot: in one
// line where it fits, else in two (it ran over the frame and the divider
// in a narrow plot).
func TestEmptyLossCurveTextFitsThePlot(t *testing.T) {
	c := NewLossCurve()
	w := test.NewTempWindow(t, c)
	c.Set(nil, nil, 0)
	r := test.TempWidgetRenderer(t, c).(*lossCurveRenderer)
	for _, width := range []float32{600, 260} {
		w.Resize(fyne.NewSize(width, 240))
		r.Layout(fyne.NewSize(width, 240))
		pw := width - curveLeft - curveRight
		for _, line := range []*canvas.Text{r.empty, r.empty2} {
			if got := fyne.MeasureText(line.Text, line.TextSize, line.TextStyle).Width; got > pw {
				t.Errorf("%g wide: %q is %g wide in a plot of %g", width, line.Text, got, pw)
			}
		}
		if width == 600 && r.empty2.Text != "" || width == 260 && r.empty2.Text == "" {
			t.Errorf("%g wide: lines %q, %q", width, r.empty.Text, r.empty2.Text)
		}
	}
}

// In a narrow plot the x axis's labels stay apart: the last step's label
// with its schedule note ran into the axis name ("step392 (schedule: 9…");
// the schedule's length is the axis name's ("step (of 9,480)"), apart from
// the axis's end, which read as a contradiction beside it.
func TestLossCurveLabelsApart(t *testing.T) {
	c := NewLossCurve()
	w := test.NewTempWindow(t, c)
	bits := make([]float32, 392)
	for i := range bits {
		bits[i] = 4
	}
	c.Set(bits, nil, 9480) // zoomed in on the steps done: "392 (schedule: 9,480)"
	r := test.TempWidgetRenderer(t, c).(*lossCurveRenderer)
	r.Refresh()
	for _, width := range []float32{260, 330, 420, 900} { // laid out again, no new data: the note comes back
		w.Resize(fyne.NewSize(width, 240))
		r.Layout(fyne.NewSize(width, 240))
		end := func(t *canvas.Text, left bool) float32 { // where the text's ink starts (right-aligned) or ends
			tw := fyne.MeasureText(t.Text, t.TextSize, t.TextStyle).Width
			if left {
				return t.Position().X + tw
			}
			return t.Position().X + t.Size().Width - tw
		}
		nameMid := r.xName.Position().X + r.xName.Size().Width/2
		nameW := fyne.MeasureText(r.xName.Text, r.xName.TextSize, r.xName.TextStyle).Width
		if !r.xName.Hidden && end(r.xHi, false) < nameMid+nameW/2 {
			t.Errorf("at %.0f px the axis name %q and %q overlap", width, r.xName.Text, r.xHi.Text)
		}
		if end(r.xHi, false) < end(r.x0, true) {
			t.Errorf("at %.0f px %q runs into %q", width, r.xHi.Text, r.x0.Text)
		}
		if width == 900 && (r.xName.Hidden || r.xName.Text != "step (of 9,480)" || strings.Contains(r.xHi.Text, "schedule")) {
			t.Errorf("a wide plot: axis name %q (hidden %v), axis end %q", r.xName.Text, r.xName.Hidden, r.xHi.Text)
		}
	}
}
