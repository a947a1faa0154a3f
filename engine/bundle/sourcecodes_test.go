package bundle_test

import (
	"image"
	"math"
	"slices"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
)

// SourceCodes takes the codes recorded with a picture where they are the
// model's and draw it (a ViT tokenizer's round trip moves them: encoded
// again they are other codes), and encodes the picture otherwise: no
// codes, or codes of another count or outside the codebook (codes the
// picture no longer shows are DrawsPicture's, tested with it).
func TestSourceCodes(t *testing.T) {
	b := bundletest.TinyViT(3)
	codes := make([]int, b.ImageTokens())
	for i := range codes {
		codes[i] = (i * 7) % b.Codes()
	}
	pic := b.Decode(codes)
	fresh, err := b.Encode(pic)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(fresh, codes) {
		t.Fatal("the picture encoded again is its codes: the test proves nothing")
	}
	got, stored, db, err := b.SourceCodes(pic, codes)
	if err != nil || !stored || !slices.Equal(got, codes) || !math.IsInf(db, 1) {
		t.Fatalf("the picture's own codes: %v stored %v at %.1f dB (%v), want %v", got, stored, db, err, codes)
	}
	bad := slices.Clone(codes)
	bad[0] = b.Codes()
	for name, c := range map[string]struct {
		img   image.Image
		codes []int
		want  []int
	}{
		"none":    {pic, nil, fresh},
		"too few": {pic, codes[:len(codes)-1], fresh},
		"outside": {pic, bad, fresh},
	} {
		got, stored, _, err := b.SourceCodes(c.img, c.codes)
		if err != nil || stored {
			t.Errorf("%s: stored %v (%v)", name, stored, err)
			continue
		}
		if c.want != nil && !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want the picture encoded %v", name, got, c.want)
		}
	}
}
