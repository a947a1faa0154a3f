package train

import (
	"runtime"

	"github.com/tessera-studio/tessera/engine/blas"
	"github.com/tessera-studio/tessera/engine/kernels"
	pool "github.com/tessera-studio/tessera/engine/par"
)

// par runs the trainer's loops on a worker team (engine/par's Team, the
// one the sampler uses). Every helper gives each output element to exactly
// one worker, and every reduction adds its terms in an order that does not
// depend on the number of workers, so results are bit for bit the same for
// any Workers setting.
type par struct {
	workers int
	team    *pool.Team
	kbuf    *[]float32 // GemmTNAcc's scratch (one op runs at a time)
	// whole makes Gemm hand products to OpenBLAS whole (its own threads)
	// instead of splitting them over the workers (see Gemm); profiling only.
	whole bool
}

// newPar starts a team of workers (≤ 0: engine/par's DefaultSize, the CPUs Go runs at once); close stops it.
func newPar(workers int) par {
	if workers <= 0 {
		workers = pool.DefaultSize()
	}
	blas.Init()
	return par{workers: workers, team: pool.NewTeam(workers), kbuf: new([]float32)}
}

// closeWith stops p's team when owner (the model p works for) is garbage
// collected, so a model needs no Close.
func closeWith[T any](owner *T, p par) {
	runtime.AddCleanup(owner, (*pool.Team).Close, p.team)
}

// For runs fn over [0, n) split into contiguous ranges of at least minChunk
// items (up to four per worker), which the workers take as they finish the
// previous one, so a worker slowed by other load does less of the work.
// Every index is in exactly one range.
func (p par) For(n, minChunk int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	minChunk = max(minChunk, 1)
	w := min(p.workers, (n+minChunk-1)/minChunk)
	if w <= 1 {
		fn(0, n)
		return
	}
	nch := min((n+minChunk-1)/minChunk, 4*w)
	chunk := (n + nch - 1) / nch
	p.team.Tasks((n+chunk-1)/chunk, func(_, c int) { fn(c*chunk, min((c+1)*chunk, n)) })
}

// Tasks runs fn(worker, i) for every i in [0, n), the workers taking tasks
// one at a time; worker (in [0, p.workers)) indexes per-worker scratch space.
func (p par) Tasks(n int, fn func(worker, i int)) { p.team.Tasks(n, fn) }

// Splitting products: par.Gemm cuts products into row blocks that the
// workers compute with single-threaded OpenBLAS calls (blas.Init makes
// OpenBLAS single-threaded). The alternative, OpenBLAS's own threads, is up
// to 15% faster on a product alone on an idle machine, but its idle threads
// spin (sched_yield) for about 0.1 s after every call, which halves the speed
// of the goroutines running the other ops in between, and its threads wait on
// each other at barriers, so under any other load (a second process, the
// studio's UI) its efficiency per CPU-second halves. Splitting ourselves keeps
// every core doing useful work. par.whole turns it off for profiling.

// gemmSplitMin is the smallest m·n·k worth splitting across goroutines.
const gemmSplitMin = 1 << 18

// gemmBlocks is the number of blocks par.Gemm cuts a large product into.
const gemmBlocks = 4

// kBlocks and kColBlocks cut GemmTNAcc's products.
const kBlocks, kColBlocks = 2, 2

// Gemm computes C = alpha·op(A)·op(B) + beta·C (row-major, op(A) m×k, op(B)
// k×n) through OpenBLAS. Large products are cut into gemmBlocks blocks of
// rows (of columns when A is transposed), in multiples of 16, which the
// workers compute with single-threaded OpenBLAS calls. The cut depends on
// the shape alone, never on the number of workers, so neither do the results.
func (p par) Gemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	cols := transA
	dim := m
	if cols {
		dim = n
	}
	if p.whole {
		blas.WithThreads(p.workers, func() { blas.Gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) })
		return
	}
	if m*n*k < gemmSplitMin || dim < 32 {
		blas.Gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	nb := min(gemmBlocks, dim/16)
	step := ((dim+nb-1)/nb + 15) / 16 * 16
	nb = (dim + step - 1) / step
	p.Tasks(nb, func(_, i int) {
		i0, i1 := i*step, min((i+1)*step, dim)
		if cols {
			bs := b[i0:]
			if transB {
				bs = b[i0*ldb:]
			}
			blas.Gemm(transA, transB, m, i1-i0, k, alpha, a, lda, bs, ldb, beta, c[i0:], ldc)
		} else {
			gemmRows(transA, transB, i0, i1, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		}
	})
}

// GemmTNAcc computes C += Aᵀ·B for A k×m and B k×n (row-major): the weight
// gradient of a layer, whose k is the number of tokens. The k rows are cut
// into kBlocks blocks whose products (each of nearly the full m×n, the shape
// OpenBLAS runs best, in kColBlocks column blocks) go to scratch in parallel
// and are then added to C in block order. The cut depends on the shape alone,
// so the result does not depend on the number of workers.
func (p par) GemmTNAcc(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if p.whole {
		blas.WithThreads(p.workers, func() { blas.Gemm(true, false, m, n, k, 1, a, lda, b, ldb, 1, c, ldc) })
		return
	}
	if k < 16*kBlocks || n < 16*kColBlocks || m*n*k < gemmSplitMin {
		blas.Gemm(true, false, m, n, k, 1, a, lda, b, ldb, 1, c, ldc)
		return
	}
	*p.kbuf = grow(*p.kbuf, kBlocks*m*n)
	scratch := *p.kbuf
	step := ((k+kBlocks-1)/kBlocks + 15) / 16 * 16
	cstep := ((n+kColBlocks-1)/kColBlocks + 15) / 16 * 16
	cb := (n + cstep - 1) / cstep
	p.Tasks(kBlocks*cb, func(_, t int) {
		i, j := t/cb, t%cb
		k0, k1 := min(i*step, k), min((i+1)*step, k)
		j0, j1 := j*cstep, min((j+1)*cstep, n)
		s := scratch[i*m*n:]
		if k1 <= k0 {
			for r := 0; r < m; r++ {
				clear(s[r*n+j0 : r*n+j1])
			}
			return
		}
		blas.Gemm(true, false, m, j1-j0, k1-k0, 1, a[k0*lda:], lda, b[k0*ldb+j0:], ldb, 0, s[j0:], n)
	})
	p.For(m, 16, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			cr := c[r*ldc : r*ldc+n]
			for i := 0; i < kBlocks; i++ {
				kernels.Add(cr, scratch[i*m*n+r*n:i*m*n+(r+1)*n])
			}
		}
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
