package app

import (
	"context"
	"image"
	"image/color"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/nearest"
	"github.com/tessera-studio/tessera/internal/imagetest"
)

// TestDistinctPictures checks eval-prompts' variety measure: images within
// 25 dB of each other are one picture.
func TestDistinctPictures(t *testing.T) {
	red, green := imagetest.Solid(color.NRGBA{220, 30, 30, 255}, 8), imagetest.Solid(color.NRGBA{30, 200, 40, 255}, 8)
	nearRed := imagetest.Solid(color.NRGBA{222, 31, 30, 255}, 8)
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

// TestMeasureCeiling checks the tokenizer ceiling: images the codebook
// draws exactly stay nearest themselves; an image whose codes decode to
// another label's image counts as a miss; --style keeps only its style.
func TestMeasureCeiling(t *testing.T) {
	b := bundletest.Tiny(9)
	n := b.ImageTokens()
	codes := func(c int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = (c + i) % b.Codes()
		}
		return out
	}
	a, bb := b.Decode(codes(1)), b.Decode(codes(5))
	// c is a's picture off by one level in one channel: it encodes to a's
	// codes, so after the tokenizer it is a, not c.
	c := image.NewNRGBA(a.Rect)
	copy(c.Pix, a.Pix)
	if c.Pix[0] < 255 {
		c.Pix[0]++
	} else {
		c.Pix[0]--
	}
	samples := []data.Sample{
		{Caption: "a google", Key: "a", Style: "google", Image: a},
		{Caption: "b twitter", Key: "b", Style: "twitter", Image: bb},
		{Caption: "c google", Key: "c", Style: "google", Image: c},
		{Caption: "d google", Key: "d", Style: "google", Image: bb},
	}
	w, _ := b.ImageSize()
	ref := nearest.New(samples, w)
	cases := []evalCase{{prompt: "a", label: "a"}, {prompt: "b", label: "b"}, {prompt: "c", label: "c"}}
	got, err := measureCeiling(context.Background(), b, ref, cases, "")
	if err != nil {
		t.Fatal(err)
	}
	if got != (tokenizerCeiling{hits: 2, images: 3}) {
		t.Errorf("all styles: %+v, want 2 hits of 3 images", got)
	}
	got, err = measureCeiling(context.Background(), b, ref, cases, "google")
	if err != nil {
		t.Fatal(err)
	}
	// Both round trips are nearest a google image (c's is nearest d, of
	// another name): the style ceiling counts them.
	if got != (tokenizerCeiling{hits: 1, styled: 2, images: 2}) {
		t.Errorf("google only: %+v, want 1 hit and 2 of its style of 2 images", got)
	}
}
