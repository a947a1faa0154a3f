package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tessera-studio/tessera/engine/blas"
)

// TestParGemm checks the split products against one OpenBLAS call, and that
// they do not depend on the number of workers.
func TestParGemm(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, s := range []struct {
		ta, tb  bool
		m, n, k int
	}{{false, false, 200, 70, 40}, {false, true, 130, 48, 50}, {true, false, 64, 80, 300}, {true, false, 40, 33, 500}} {
		lda, ldb := s.k, s.n
		if s.ta {
			lda = s.m
		}
		if s.tb {
			ldb = s.k
		}
		a, b := randVec(r, s.m*s.k, 1), randVec(r, s.k*s.n, 1)
		c0 := randVec(r, s.m*s.n, 1)
		want := append([]float32(nil), c0...)
		blas.Gemm(s.ta, s.tb, s.m, s.n, s.k, 1, a, lda, b, ldb, 1, want, s.n)
		var first []float32
		for _, w := range []int{1, 2, 3} {
			p := testPar(t, w)
			got := append([]float32(nil), c0...)
			if s.ta && !s.tb {
				p.GemmTNAcc(s.m, s.n, s.k, a, lda, b, ldb, got, s.n)
			} else {
				p.Gemm(s.ta, s.tb, s.m, s.n, s.k, 1, a, lda, b, ldb, 1, got, s.n)
			}
			for i := range want {
				if math.Abs(float64(got[i]-want[i])) > 1e-4*math.Sqrt(float64(s.k)) {
					t.Fatalf("%+v workers %d: c[%d] = %v, want %v", s, w, i, got[i], want[i])
				}
			}
			if first == nil {
				first = got
			}
			for i := range got {
				if got[i] != first[i] {
					t.Fatalf("%+v: %d workers differ from 1 at %d", s, w, i)
				}
			}
		}
	}
}

// testPar is a par of workers whose team stops when the test ends.
func testPar(tb testing.TB, workers int) par {
	p := newPar(workers)
	tb.Cleanup(p.team.Close)
	return p
}
