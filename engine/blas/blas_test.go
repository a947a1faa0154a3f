package blas

import (
	"math/rand/v2"
	"testing"
)

func naive(m, n, k int, a, b []float32) []float32 {
	c := make([]float32, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float32
			for p := 0; p < k; p++ {
				s += a[i*k+p] * b[p*n+j]
			}
			c[i*n+j] = s
		}
	}
	return c
}

func TestGemmMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	m, n, k := 7, 5, 11
	a := make([]float32, m*k)
	b := make([]float32, k*n)
	for i := range a {
		a[i] = r.Float32() - 0.5
	}
	for i := range b {
		b[i] = r.Float32() - 0.5
	}
	want := naive(m, n, k, a, b)
	got := make([]float32, m*n)
	Gemm(false, false, m, n, k, 1, a, k, b, n, 0, got, n)
	for i := range want {
		if d := want[i] - got[i]; d > 1e-5 || d < -1e-5 {
			t.Fatalf("c[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	// Transposed B: pass B^T stored as n×k.
	bt := make([]float32, n*k)
	for p := 0; p < k; p++ {
		for j := 0; j < n; j++ {
			bt[j*k+p] = b[p*n+j]
		}
	}
	Gemm(false, true, m, n, k, 1, a, k, bt, k, 0, got, n)
	for i := range want {
		if d := want[i] - got[i]; d > 1e-5 || d < -1e-5 {
			t.Fatalf("trans c[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

func BenchmarkSgemm512(b *testing.B) {
	n := 512
	x := make([]float32, n*n)
	y := make([]float32, n*n)
	z := make([]float32, n*n)
	for i := range x {
		x[i], y[i] = float32(i%7), float32(i%5)
	}
	b.SetBytes(int64(2 * n * n * n)) // reported MB/s = MFLOP/s
	for b.Loop() {
		Gemm(false, false, n, n, n, 1, x, n, y, n, 0, z, n)
	}
}

func TestLinearMatchesGemm(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	k, n := 70, 300
	w := make([]float32, k*n)
	for i := range w {
		w[i] = r.Float32() - 0.5
	}
	wt := make([]float32, n*k)
	for i := 0; i < k; i++ {
		for j := 0; j < n; j++ {
			wt[j*k+i] = w[i*n+j]
		}
	}
	for _, m := range []int{1, 3} {
		x := make([]float32, m*k)
		for i := range x {
			x[i] = r.Float32() - 0.5
		}
		want := naive(m, n, k, x, w)
		for _, workers := range []int{1, 2, 3} {
			for _, trans := range []bool{false, true} {
				y := make([]float32, m*n)
				for i := range y {
					y[i] = 1
				}
				src := w
				if trans {
					src = wt
				}
				Linear(workers, m, n, k, x, src, trans, 1, y)
				for i := range want {
					if d := want[i] + 1 - y[i]; d > 1e-4 || d < -1e-4 {
						t.Fatalf("m=%d workers=%d trans=%v: y[%d] = %v, want %v", m, workers, trans, i, y[i], want[i]+1)
					}
				}
			}
		}
	}
}

// TestThreadsAreScoped checks that OpenBLAS is single-threaded once
// initialised and that WithThreads restores that after its call.
func TestThreadsAreScoped(t *testing.T) {
	Init()
	if n := Threads(); n != 1 {
		t.Fatalf("OpenBLAS runs %d threads after Init, want 1", n)
	}
	inside := 0
	WithThreads(2, func() { inside = Threads() })
	if inside < 1 || Threads() != 1 {
		t.Fatalf("WithThreads(2): %d threads inside, %d after (want 1 after)", inside, Threads())
	}
}
