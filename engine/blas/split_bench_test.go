package blas

import (
	"fmt"
	"testing"
)

// BenchmarkDecodeShapes compares ways to multiply a few rows by a weight
// matrix far larger than the caches (the decode step's shape).
func BenchmarkDecodeShapes(b *testing.B) {
	k, n := 512, 2048
	const copies = 64 // 256 MB of weights, so every call streams from memory
	w := make([]float32, copies*k*n)
	a := make([]float32, 8*k)
	c := make([]float32, 8*n)
	for _, m := range []int{1, 8} {
		for _, mode := range []string{"gemm1", "gemm2", "linear2", "gemv1"} {
			if m > 1 && mode == "gemv1" {
				continue
			}
			b.Run(fmt.Sprintf("m%d-%s", m, mode), func(b *testing.B) {
				threads := 1
				if mode == "gemm2" {
					threads = 2
				}
				b.SetBytes(int64(k * n * 4))
				i := 0
				WithThreads(threads, func() {
					for b.Loop() {
						wi := w[(i%copies)*k*n:][:k*n]
						i++
						switch mode {
						case "gemm1", "gemm2":
							Gemm(false, false, m, n, k, 1, a, k, wi, n, 0, c, n)
						case "linear2":
							Linear(2, m, n, k, a, wi, false, 0, c)
						case "gemv1":
							Gemv(true, k, n, 1, wi, n, a, 0, c)
						}
					}
				})
			})
		}
	}
}
