package codebook

import (
	"image"
	"math/rand/v2"
	"testing"
)

// randomCodebook returns K random p×p entries in [-1, 1].
func randomCodebook(k, p int, seed uint64) *Codebook {
	rng := rand.New(rand.NewPCG(seed, 1))
	e := make([]float32, k*3*p*p)
	for i := range e {
		e[i] = rng.Float32()*2 - 1
	}
	return &Codebook{K: k, P: p, Entries: e}
}

// randomImage returns an opaque w×h image of random colours.
func randomImage(w, h int, seed uint64) *image.NRGBA {
	rng := rand.New(rand.NewPCG(seed, 2))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.UintN(256))
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	return img
}

func BenchmarkEncode64K1024P4(b *testing.B) {
	cb := randomCodebook(1024, 4, 1)
	img := randomImage(64, 64, 2)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cb.Encode(img, 16, 16); err != nil {
			b.Fatal(err)
		}
	}
}
