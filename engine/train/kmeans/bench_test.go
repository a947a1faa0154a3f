package kmeans

import (
	"context"
	"math/rand/v2"
	"testing"
)

// BenchmarkAssign times one Lloyd iteration of a codebook-sized problem:
// 20,000 4×4 RGB patches into 512 clusters.
func BenchmarkAssign(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]float32, 20000*48)
	for i := range data {
		data[i] = rng.Float32()*2 - 1
	}
	b.ResetTimer()
	for range b.N {
		if _, err := Fit(context.Background(), data, 48, Options{K: 512, Iters: 1, Seed: 1}, nil); err != nil {
			b.Fatal(err)
		}
	}
}
