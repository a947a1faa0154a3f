package app

import (
	"image"
	"image/color"
	"testing"
)

func square(c color.NRGBA, size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, 255
	}
	return img
}

// TestDistinctPictures checks eval-prompts' variety measure: images within
// 25 dB of each other are one picture.
func TestDistinctPictures(t *testing.T) {
	red, green := square(color.NRGBA{220, 30, 30, 255}, 8), square(color.NRGBA{30, 200, 40, 255}, 8)
	nearRed := square(color.NRGBA{222, 31, 30, 255}, 8)
	groups, diff, pairs := distinctPictures([]*image.NRGBA{red, nearRed, green, red})
	if groups != 2 || pairs != 6 || diff != 3 {
		t.Fatalf("groups %d, different pairs %d of %d; want 2, 3 of 6", groups, diff, pairs)
	}
}

func TestTrimStyle(t *testing.T) {
	for _, c := range []struct{ caption, style, want string }{
		{"cat face fluent flat", "fluent-flat", "cat face"},
		{"cat face google", "google", "cat face"},
		{"flat", "fluent-flat", "flat"},
		{"cat face", "", "cat face"},
	} {
		if got := trimStyle(c.caption, c.style); got != c.want {
			t.Errorf("trimStyle(%q, %q) = %q, want %q", c.caption, c.style, got, c.want)
		}
	}
}
