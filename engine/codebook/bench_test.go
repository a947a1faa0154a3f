package codebook

import (
	"math/rand/v2"
	"testing"

	"github.com/tessera-studio/tessera/internal/imagetest"
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

func BenchmarkEncode64K1024P4(b *testing.B) {
	cb := randomCodebook(1024, 4, 1)
	img := imagetest.Random(64, 64, 2)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cb.Encode(img, 16, 16); err != nil {
			b.Fatal(err)
		}
	}
}
