package train

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/tessera-studio/tessera/engine/blas"
)

func TestZZSplit(t *testing.T) {
	m, n, k := 2592, 768, 256
	a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	for i := range a {
		a[i] = float32(i%7) * 0.1
	}
	for i := range b {
		b[i] = float32(i%5) * 0.1
	}
	rate := func(f func()) float64 {
		f()
		t0 := time.Now()
		it := 0
		for time.Since(t0) < 300*time.Millisecond {
			f()
			it++
		}
		return 2 * float64(m*n*k) * float64(it) / time.Since(t0).Seconds() / 1e9
	}
	blas.SetThreads(1)
	rows := func() {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); blas.Gemm(false, false, m/2, n, k, 1, a[m/2*k:], k, b, n, 0, c[m/2*n:], n) }()
		blas.Gemm(false, false, m/2, n, k, 1, a, k, b, n, 0, c, n)
		wg.Wait()
	}
	cols := func() {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); blas.Gemm(false, false, m, n/2, k, 1, a, k, b[n/2:], n, 0, c[n/2:], n) }()
		blas.Gemm(false, false, m, n/2, k, 1, a, k, b, n, 0, c, n)
		wg.Wait()
	}
	locked := func() {
		var wg sync.WaitGroup
		wg.Add(2)
		for h := 0; h < 2; h++ {
			go func() {
				defer wg.Done()
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				blas.Gemm(false, false, m/2, n, k, 1, a[h*m/2*k:], k, b, n, 0, c[h*m/2*n:], n)
			}()
		}
		wg.Wait()
	}
	half := func() { blas.Gemm(false, false, m/2, n, k, 1, a, k, b, n, 0, c, n) }
	t.Logf("rows %.0f cols %.0f locked %.0f ; one half alone %.0f (x2 = equivalent)", rate(rows), rate(cols), rate(locked), rate(half)/2)
	blas.SetThreads(2)
	t.Logf("openblas 2t %.0f", rate(func() { blas.Gemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n) }))
}
