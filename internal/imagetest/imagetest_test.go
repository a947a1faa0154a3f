package imagetest

import (
	"image/color"
	"testing"
)

func TestSolidIsOpaqueAndFilled(t *testing.T) {
	img := Solid(color.NRGBA{10, 20, 30, 0}, 5)
	if b := img.Bounds(); b.Dx() != 5 || b.Dy() != 5 {
		t.Fatalf("size %v, want 5×5", b)
	}
	for y := 0; y < 5; y++ {
		for x := 0; x < 5; x++ {
			if got := img.NRGBAAt(x, y); got != (color.NRGBA{10, 20, 30, 255}) {
				t.Fatalf("pixel (%d,%d) = %v", x, y, got)
			}
		}
	}
}
