package blas

import (
	"fmt"
	"testing"
)

func BenchmarkDecodeShapes(b *testing.B) {
	k, n := 512, 2048
	a := make([]float32, 8*k)
	w := make([]float32, k*n)
	c := make([]float32, 8*n)
	for _, m := range []int{1, 8} {
		for _, mode := range []string{"blas1", "blas2", "split2"} {
			b.Run(fmt.Sprintf("m%d-%s", m, mode), func(b *testing.B) {
				switch mode {
				case "blas1", "split2":
					SetThreads(1)
				case "blas2":
					SetThreads(2)
				}
				b.SetBytes(int64(k * n * 4))
				for b.Loop() {
					if mode == "split2" {
						GemmSplit(2, false, false, m, n, k, 1, a, k, w, n, 0, c, n)
					} else {
						Gemm(false, false, m, n, k, 1, a, k, w, n, 0, c, n)
					}
				}
			})
		}
	}
}
