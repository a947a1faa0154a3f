package train

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/tessera-studio/tessera/engine/blas"
)

// par runs loops over several goroutines. Every helper gives each output
// element to exactly one goroutine, and every reduction adds its terms in an
// order that does not depend on the number of workers, so results are bit
// for bit the same for any Workers setting.
type par struct {
	workers int
}

func newPar(workers int) par {
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	return par{workers: workers}
}

// For runs fn over [0, n) split into contiguous ranges of at least minChunk
// items, on up to p.workers goroutines (the caller's included) that take
// ranges as they finish the previous one, so a worker slowed by other load
// does less of the work. Every index is in exactly one range.
func (p par) For(n, minChunk int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if minChunk < 1 {
		minChunk = 1
	}
	w := min(p.workers, (n+minChunk-1)/minChunk)
	if w <= 1 {
		fn(0, n)
		return
	}
	nch := min((n+minChunk-1)/minChunk, 4*w)
	chunk := (n + nch - 1) / nch
	var next atomic.Int64
	work := func() {
		for {
			lo := int(next.Add(1)-1) * chunk
			if lo >= n {
				return
			}
			fn(lo, min(lo+chunk, n))
		}
	}
	var wg sync.WaitGroup
	for k := 1; k < w; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
}

// Tasks runs fn(worker, i) for every i in [0, n) on up to p.workers
// goroutines taking tasks one at a time; worker (in [0, p.workers)) indexes
// per-goroutine scratch space.
func (p par) Tasks(n int, fn func(worker, i int)) {
	if n <= 0 {
		return
	}
	w := min(p.workers, n)
	if w <= 1 {
		for i := 0; i < n; i++ {
			fn(0, i)
		}
		return
	}
	var next atomic.Int64
	work := func(k int) {
		for {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			fn(k, i)
		}
	}
	var wg sync.WaitGroup
	for k := 1; k < w; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work(k)
		}()
	}
	work(0)
	wg.Wait()
}

// gemmSplit makes par.Gemm split products across goroutines running
// single-threaded OpenBLAS; otherwise OpenBLAS threads them itself
// (blas.SetThreads(workers), set by the caller).
var gemmSplit = false

// setBlasThreads sets OpenBLAS's thread count for p's products. OpenBLAS
// keeps it process-wide, so the trainer sets it again before every step.
func (p par) setBlasThreads() {
	if gemmSplit {
		blas.SetThreads(1)
	} else {
		blas.SetThreads(p.workers)
	}
}

// gemmBlocks is the number of row blocks per worker in split mode.
var gemmBlocks = 1

// gemmSplitMin is the smallest m·n·k worth splitting across goroutines.
const gemmSplitMin = 1 << 18

// Gemm computes C = alpha·op(A)·op(B) + beta·C (row-major, op(A) m×k, op(B)
// k×n) through OpenBLAS. Large products are split by rows of C across the
// workers, each running single-threaded OpenBLAS on its block: each element
// of C is computed by one call with the same k order whatever the split.
func (p par) Gemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if !gemmSplit || p.workers <= 1 || m*n*k < gemmSplitMin || m < 2*16 {
		blas.Gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	// Row blocks in multiples of 16 so the micro-kernel tiles line up,
	// gemmBlocks per worker, taken by the workers as they finish.
	nb := min(p.workers*gemmBlocks, m/16)
	step := ((m+nb-1)/nb + 15) / 16 * 16
	nb = (m + step - 1) / step
	p.Tasks(nb, func(_, i int) {
		gemmRows(transA, transB, i*step, min((i+1)*step, m), n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	})
}

// gemmRows computes rows [i0, i1) of C.
func gemmRows(transA, transB bool, i0, i1, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	var as []float32
	if transA {
		as = a[i0:] // op(A) rows are columns of A
	} else {
		as = a[i0*lda:]
	}
	blas.Gemm(transA, transB, i1-i0, n, k, alpha, as, lda, b, ldb, beta, c[i0*ldc:], ldc)
}
