package train

import (
	"testing"
	"time"

	"github.com/tessera-studio/tessera/engine/blas"
)

func TestZZGemmShapes(t *testing.T) {
	type sh struct {
		ta, tb  bool
		m, n, k int
	}
	R := 2592
	shapes := []sh{
		{false, false, R, 768, 256}, {false, true, R, 256, 768}, {true, false, 256, 768, R},
		{false, false, R, 256, 256}, {false, true, R, 256, 256}, {true, false, 256, 256, R},
		{false, false, R, 1024, 256}, {false, true, R, 256, 1024}, {true, false, 256, 1024, R},
		{false, false, R, 256, 1024}, {false, true, R, 1024, 256}, {true, false, 1024, 256, R},
		{false, true, 2048, 1024, 256}, {false, false, 2048, 256, 1024}, {true, false, 1024, 256, 2048},
	}
	for _, s := range shapes {
		a := make([]float32, s.m*s.k)
		b := make([]float32, s.k*s.n)
		c := make([]float32, s.m*s.n)
		for i := range a {
			a[i] = float32(i%7) * 0.1
		}
		for i := range b {
			b[i] = float32(i%5) * 0.1
		}
		lda, ldb := s.k, s.n
		if s.ta {
			lda = s.m
		}
		if s.tb {
			ldb = s.k
		}
		rate := func(f func()) float64 {
			f()
			t0 := time.Now()
			it := 0
			for time.Since(t0) < 200*time.Millisecond {
				f()
				it++
			}
			return 2 * float64(s.m*s.n*s.k) * float64(it) / time.Since(t0).Seconds() / 1e9
		}
		blas.SetThreads(2)
		r2 := rate(func() { blas.Gemm(s.ta, s.tb, s.m, s.n, s.k, 1, a, lda, b, ldb, 0, c, s.n) })
		blas.SetThreads(1)
		r1 := rate(func() { blas.Gemm(s.ta, s.tb, s.m, s.n, s.k, 1, a, lda, b, ldb, 0, c, s.n) })
		p := newPar(2)
		gemmSplit = true
		rp := rate(func() { p.Gemm(s.ta, s.tb, s.m, s.n, s.k, 1, a, lda, b, ldb, 0, c, s.n) })
		gemmSplit = false
		t.Logf("%v: openblas-2t %.0f  1t %.0f  split %.0f GFLOP/s", s, r2, r1, rp)
	}
}
