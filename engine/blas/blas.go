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

// Init installs OpenBLAS as gorgonia's BLAS and makes its calls
// single-threaded: Tessera splits long products across its own goroutines
// (see Linear and the trainer's par), and OpenBLAS's own spinning threads
// would compete with them. It is safe to call many times.
func Init() {
	once.Do(func() {
		tensor.Use(netlib.Implementation{})
		C.openblas_set_num_threads(1)
	})
}

// Impl returns the BLAS installed with tensor.Use, after making sure it is OpenBLAS.
func Impl() tensor.BLAS {
	Init()
	return tensor.WhichBLAS()
}

// WithThreads runs fn with OpenBLAS allowed n threads per call (n < 1
// means 1), then makes it single-threaded again. OpenBLAS keeps the count
// process-wide, so only measurements that run nothing else meanwhile (the
// bench's sgemm peak) use it.
func WithThreads(n int, fn func()) {
	Init()
	C.openblas_set_num_threads(C.int(max(n, 1)))
	defer C.openblas_set_num_threads(1)
	fn()
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

// Linear computes y = x·W + beta·y for m rows of x (m×k, row-major) and a
// weight matrix W that is k×n (or n×k when wTrans, i.e. y = x·Wᵀ), with up
// to workers threads. The output columns are split into one slice per
// worker, each computed by a single-threaded OpenBLAS call on its own
// goroutine (sgemv for a single row, which streams the weights at memory
// speed; sgemm otherwise). OpenBLAS's own thread pool is left idle: its
// spinning threads would compete with the engine's goroutines.
func Linear(workers, m, n, k int, x []float32, w []float32, wTrans bool, beta float32, y []float32) {
	Init()
	const minCols = 64
	parts := max(1, min(workers, n/minCols))
	if parts == 1 {
		LinearCols(0, n, m, n, k, x, w, wTrans, beta, y)
		return
	}
	chunk := (n + parts - 1) / parts
	chunk = (chunk + 15) &^ 15
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			LinearCols(lo, hi, m, n, k, x, w, wTrans, beta, y)
		}()
	}
	wg.Wait()
}

// LinearCols computes output columns [lo, hi) of Linear on the calling
// goroutine, with single-threaded OpenBLAS calls,
// for callers that split the columns over their own workers.
func LinearCols(lo, hi, m, n, k int, x, w []float32, wTrans bool, beta float32, y []float32) {
	if m == 1 {
		if wTrans {
			Gemv(false, hi-lo, k, 1, w[lo*k:], k, x, beta, y[lo:hi])
		} else {
			Gemv(true, k, hi-lo, 1, w[lo:], n, x, beta, y[lo:hi])
		}
		return
	}
	if wTrans {
		Gemm(false, true, m, hi-lo, k, 1, x, k, w[lo*k:], k, beta, y[lo:], n)
	} else {
		Gemm(false, false, m, hi-lo, k, 1, x, k, w[lo:], n, beta, y[lo:], n)
	}
}

// Gemv computes y = alpha*op(A)*x + beta*y for a row-major m×n matrix A,
// where op(A) is A or its transpose.
func Gemv(trans bool, m, n int, alpha float32, a []float32, lda int, x []float32, beta float32, y []float32) {
	t := gblas.NoTrans
	if trans {
		t = gblas.Trans
	}
	Impl().Sgemv(t, m, n, alpha, a, lda, x, 1, beta, y, 1)
}
