package nearest

import (
	"fmt"
	"image"
	"image/color"
	"testing"

	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/internal/imagetest"
)

// TestIndexFindsTheNearest checks the nearest-neighbour judge of eval-prompts:
// label and style of the closest reference image, at any input size.
func TestIndexFindsTheNearest(t *testing.T) {
	red, green := color.NRGBA{220, 30, 30, 255}, color.NRGBA{30, 200, 40, 255}
	ref := New([]data.Sample{
		{Key: "apple", Style: "google", Image: imagetest.Solid(red, 64)},
		{Key: "leaf", Style: "twitter", Image: imagetest.Solid(green, 64)},
	}, 32)
	for _, c := range []struct {
		img          image.Image
		label, style string
	}{
		{imagetest.Solid(color.NRGBA{200, 50, 40, 255}, 32), "apple", "google"},
		{imagetest.Solid(color.NRGBA{60, 180, 60, 255}, 128), "leaf", "twitter"},
	} {
		if i := ref.Index(c.img); ref.Samples[i].Key != c.label || ref.Samples[i].Style != c.style {
			l, s := ref.Samples[i].Key, ref.Samples[i].Style
			t.Errorf("nearest = %s/%s, want %s/%s", l, s, c.label, c.style)
		}
	}
}

// TestIndexBeyondTheShortlist checks the judge among more images than its
// thumbnail shortlist: the full-size comparison decides.
func TestIndexBeyondTheShortlist(t *testing.T) {
	var samples []data.Sample
	for i := range 3 * shortlist {
		v := uint8(i)
		samples = append(samples, data.Sample{Key: fmt.Sprint(i), Style: "google", Image: imagetest.Solid(color.NRGBA{v, 255 - v, 100, 255}, 64)})
	}
	ref := New(samples, 64)
	for _, want := range []int{0, 77, 150} {
		v := uint8(want)
		if l := ref.Samples[ref.Index(imagetest.Solid(color.NRGBA{v, 255 - v, 101, 255}, 64))].Key; l != fmt.Sprint(want) {
			t.Errorf("nearest = %s, want %d", l, want)
		}
	}
}

// TestNearCopy checks the memorisation judge: a sample within 25 dB of its
// nearest dataset image is a near-copy, a clearly different one is not.
func TestNearCopy(t *testing.T) {
	red := color.NRGBA{220, 30, 30, 255}
	ref := New([]data.Sample{{Key: "apple", Caption: "red apple google", Image: imagetest.Solid(red, 64)}}, 64)
	if near, _ := ref.NearCopy(imagetest.Solid(color.NRGBA{222, 31, 29, 255}, 32), 0); !near {
		t.Error("an almost identical picture is not a near-copy")
	}
	if near, psnr := ref.NearCopy(imagetest.Solid(color.NRGBA{150, 90, 30, 255}, 64), 0); near {
		t.Errorf("a different colour is a near-copy (%.1f dB)", psnr)
	}
}

func TestEmptySetAndIdentical(t *testing.T) {
	if i := New(nil, 8).Index(imagetest.Solid(color.NRGBA{1, 2, 3, 255}, 8)); i != -1 {
		t.Errorf("empty set: index %d", i)
	}
	red := imagetest.Solid(color.NRGBA{220, 30, 30, 255}, 8)
	s := New([]data.Sample{{Key: "a", Image: red}, {Key: "b", Image: red}, {Key: "c", Image: imagetest.Solid(color.NRGBA{0, 0, 0, 255}, 8)}}, 8)
	if !s.Identical(0, 1) || s.Identical(0, 2) {
		t.Error("Identical disagrees with the pixels")
	}
}
