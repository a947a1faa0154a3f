package widgets

import (
	"math"
	"testing"

	"fyne.io/fyne/v2"
)

func TestFitScaleIsCrisp(t *testing.T) {
	if s := fitScale(fyne.NewSize(500, 300), 64, 64); s != 4 {
		t.Errorf("fit 64px in 500x300: %v, want integer 4", s)
	}
	if s := fitScale(fyne.NewSize(100, 100), 400, 200); s != 0.25 {
		t.Errorf("large image: %v", s)
	}
}

func TestZoomKeepsPointUnderCursor(t *testing.T) {
	avail := fyne.NewSize(400, 400)
	v := view{}
	p := fyne.NewPos(150, 220)
	x0, y0 := v.toImage(p, avail, 64, 64)
	v = v.zoomAt(ZoomStep, p, avail, 64, 64)
	x1, y1 := v.toImage(p, avail, 64, 64)
	if math.Abs(x0-x1) > 1e-3 || math.Abs(y0-y1) > 1e-3 {
		t.Fatalf("point moved: (%v,%v) -> (%v,%v)", x0, y0, x1, y1)
	}
	if v.scale(avail, 64, 64) <= 6 {
		t.Fatal("zoom in did not enlarge")
	}
	w := v.panned(fyne.Delta{DX: 10, DY: -5}, avail, 64, 64)
	p0, _ := v.rect(avail, 64, 64)
	p1, _ := w.rect(avail, 64, 64)
	if p1.X-p0.X != 10 || p1.Y-p0.Y != -5 {
		t.Fatalf("pan moved by %v", p1.Subtract(p0))
	}
}
