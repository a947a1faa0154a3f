package app

import (
	"fmt"
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

// TestReferenceShortlist checks the judge among more images than its
// thumbnail shortlist: the full-size comparison decides.
func TestReferenceShortlist(t *testing.T) {
	var samples []data.Sample
	for i := range 3 * refShortlist {
		v := uint8(i)
		samples = append(samples, data.Sample{Key: fmt.Sprint(i), Style: "google", Image: square(color.NRGBA{v, 255 - v, 100, 255}, 64)})
	}
	ref := newReference(samples, 64)
	for _, want := range []int{0, 77, 150} {
		v := uint8(want)
		if l, _ := ref.nearest(square(color.NRGBA{v, 255 - v, 101, 255}, 64)); l != fmt.Sprint(want) {
			t.Errorf("nearest = %s, want %d", l, want)
		}
	}
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

// TestNearCopy checks the memorisation judge: a sample within 25 dB of its
// nearest dataset image is a near-copy, a clearly different one is not.
func TestNearCopy(t *testing.T) {
	red := color.NRGBA{220, 30, 30, 255}
	ref := newReference([]data.Sample{{Key: "apple", Caption: "red apple google", Image: square(red, 64)}}, 64)
	if near, _ := ref.nearCopy(square(color.NRGBA{222, 31, 29, 255}, 32), 0); !near {
		t.Error("an almost identical picture is not a near-copy")
	}
	if near, psnr := ref.nearCopy(square(color.NRGBA{150, 90, 30, 255}, 64), 0); near {
		t.Errorf("a different colour is a near-copy (%.1f dB)", psnr)
	}
}
