package blas

import (
	"fmt"
	"testing"
)

// BenchmarkLayerShapes times Linear on the four matmul shapes of an
// imagegpt-small layer (weights cycled through 64 copies to defeat caches).
func BenchmarkLayerShapes(b *testing.B) {
	shapes := [][2]int{{512, 1536}, {512, 512}, {512, 2048}, {2048, 512}}
	for _, m := range []int{1, 8} {
		for _, s := range shapes {
			k, n := s[0], s[1]
			const copies = 48
			w := make([]float32, copies*k*n)
			x := make([]float32, m*k)
			y := make([]float32, m*n)
			b.Run(fmt.Sprintf("m%d-k%d-n%d", m, k, n), func(b *testing.B) {
				b.SetBytes(int64(k * n * 4))
				i := 0
				for b.Loop() {
					Linear(2, m, n, k, x, w[(i%copies)*k*n:][:k*n], false, 1, y)
					i++
				}
			})
		}
	}
}
