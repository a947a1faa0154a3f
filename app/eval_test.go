package app

import (
	"image"
	"image/color"
	"testing"

	"github.com/tessera-studio/tessera/engine/data"
)

func square(c color.NRGBA, size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, 255
	}
	return img
}

// TestReferenceNearest checks the nearest-neighbour judge of eval-prompts:
// label and style of the closest reference image, at any input size.
func TestReferenceNearest(t *testing.T) {
	red, green := color.NRGBA{220, 30, 30, 255}, color.NRGBA{30, 200, 40, 255}
	ref := newReference([]data.Sample{
		{Key: "apple", Style: "google", Image: square(red, 64)},
		{Key: "leaf", Style: "twitter", Image: square(green, 64)},
	}, 32)
	for _, c := range []struct {
		img          image.Image
		label, style string
	}{
		{square(color.NRGBA{200, 50, 40, 255}, 32), "apple", "google"},
		{square(color.NRGBA{60, 180, 60, 255}, 128), "leaf", "twitter"},
	} {
		if l, s := ref.nearest(c.img); l != c.label || s != c.style {
			t.Errorf("nearest = %s/%s, want %s/%s", l, s, c.label, c.style)
		}
	}
}
