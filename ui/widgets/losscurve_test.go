package widgets

import (
	"testing"

	"fyne.io/fyne/v2"
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
