// Package blas plugs OpenBLAS into gorgonia's tensor package and exposes the
// single-precision routines the engine calls on its hot paths.
//
// Every matrix product in Tessera goes through the BLAS that tensor.Use
// installed; Init installs OpenBLAS (through gonum's netlib cgo binding).
package blas

/*
#cgo LDFLAGS: -lopenblas
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
*/
import "C"

import (
	"sync"

	gblas "gonum.org/v1/gonum/blas"
	"gonum.org/v1/netlib/blas/netlib"
	"gorgonia.org/tensor"
)

var once sync.Once

// Init installs OpenBLAS as gorgonia's BLAS. It is safe to call many times.
func Init() {
	once.Do(func() { tensor.Use(netlib.Implementation{}) })
}

// Impl returns the BLAS installed with tensor.Use, after making sure it is OpenBLAS.
func Impl() tensor.BLAS {
	Init()
	return tensor.WhichBLAS()
}

// SetThreads caps the threads OpenBLAS uses for one call (n < 1 means 1).
func SetThreads(n int) {
	if n < 1 {
		n = 1
	}
	C.openblas_set_num_threads(C.int(n))
}

// Threads reports the current OpenBLAS thread count.
func Threads() int { return int(C.openblas_get_num_threads()) }

// Gemm computes C = alpha*op(A)*op(B) + beta*C for row-major float32 matrices,
// where op(A) is m×k and op(B) is k×n.
func Gemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ta, tb := gblas.NoTrans, gblas.NoTrans
	if transA {
		ta = gblas.Trans
	}
	if transB {
		tb = gblas.Trans
	}
	Impl().Sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// GemmSplit computes the same product as Gemm (with op(B) not transposed)
// but splits the n output columns into up to workers slices and runs one
// single-threaded OpenBLAS call per slice in its own goroutine. It expects
// OpenBLAS to be set to one thread (SetThreads(1)); it avoids OpenBLAS's
// spinning thread pool competing with the engine's own goroutines.
func GemmSplit(workers int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	const minCols = 64
	w := min(workers, n/minCols)
	if w <= 1 {
		Gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	chunk := (n + w - 1) / w
	chunk = (chunk + 15) &^ 15 // keep slices aligned to 16 floats
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		boff := lo // column offset into op(B)
		if transB {
			boff = lo * ldb // row offset into B stored n×k
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			Gemm(transA, transB, m, hi-lo, k, alpha, a, lda, b[boff:], ldb, beta, c[lo:], ldc)
		}()
	}
	wg.Wait()
}

// Sum returns the sum of |x[i]|, split across workers goroutines that each
// run one single-threaded OpenBLAS sasum: a pure memory-streaming kernel,
// used to measure how fast the machine reads memory.
func Sum(workers int, x []float32) float32 {
	workers = max(1, workers)
	parts := make([]float32, workers)
	chunk := (len(x) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := min(w*chunk, len(x)), min((w+1)*chunk, len(x))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if hi > lo {
				parts[w] = Impl().Sasum(hi-lo, x[lo:hi], 1)
			}
		}()
	}
	wg.Wait()
	var s float32
	for _, p := range parts {
		s += p
	}
	return s
}
