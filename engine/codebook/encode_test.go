package codebook

import (
	"image"
	"image/color"
	"testing"
)

// AtSize samples one pixel of each block of an exact multiple, on white,
// and fits any other size.
func TestAtSize(t *testing.T) {
	small := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	small.SetNRGBA(0, 0, color.NRGBA{200, 10, 10, 255})
	small.SetNRGBA(1, 1, color.NRGBA{0, 0, 0, 0}) // transparent: white
	big := image.NewNRGBA(image.Rect(0, 0, 6, 6))
	for y := range 6 {
		for x := range 6 {
			big.Set(x, y, small.At(x/3, y/3))
		}
	}
	got := AtSize(big, 2, 2)
	if got.NRGBAAt(0, 0) != (color.NRGBA{200, 10, 10, 255}) || got.NRGBAAt(1, 1) != (color.NRGBA{255, 255, 255, 255}) {
		t.Fatalf("sampled %v %v", got.NRGBAAt(0, 0), got.NRGBAAt(1, 1))
	}
	// Even k: the mean of the middle 2×2 of each block.
	even := image.NewNRGBA(image.Rect(0, 0, 4, 2))
	for i, v := range []uint8{10, 20, 0, 0, 30, 40, 0, 0} {
		even.SetNRGBA(i%4, i/4, color.NRGBA{v, v, v, 255})
	}
	if got := AtSize(even, 2, 1).NRGBAAt(0, 0); got != (color.NRGBA{25, 25, 25, 255}) {
		t.Fatalf("even block %v, want 25", got)
	}
	if other := AtSize(image.NewNRGBA(image.Rect(0, 0, 5, 3)), 2, 2); other.Rect.Size() != image.Pt(2, 2) {
		t.Fatalf("fitted size %v", other.Rect.Size())
	}
}
