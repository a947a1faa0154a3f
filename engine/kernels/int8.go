package kernels

import "math"

// Int8 weights: weight-only quantisation with one scale per output row
// (per output channel, as PyTorch's dynamic quantisation and
// LLM.int8's vector-wise quantisation without outliers do): row j of
// Int8Weights holds round(w[j][i]/Scale[j]) in [−127, 127] with Scale[j] =
// max_i |w[j][i]| / 127. The kernels widen each int8 in registers (to
// float32, or with AVX-512 VNNI to int16 against activations quantised to
// int16: Int8MatMulColsQ) and multiply by the row's scale once at the end,
// so a decode step streams a quarter of float32's bytes (half of float16's).

// Int8Weights is an Out×In matrix quantised row by row: Q holds the rows
// one after another (each output's In weights contiguous, the layout
// Int8MatMulCols streams), Scale the Out scales.
type Int8Weights struct {
	Q     []int8
	Scale []float32
}

// QuantizeInt8 quantises the transpose of a rows×cols float32 matrix (Hugging
// Face Conv1D's [In, Out] layout: rows = In, cols = Out) into cols int8
// rows of rows values; with transposed set, w is already [Out, In] (rows =
// Out), as lm_head is, and is quantised row by row.
func QuantizeInt8(w []float32, rows, cols int, transposed bool) Int8Weights {
	out, in, at := outputsOf(w, rows, cols, transposed)
	q := Int8Weights{Q: make([]int8, out*in), Scale: make([]float32, out)}
	for j := 0; j < out; j++ {
		var amax float32
		for i := 0; i < in; i++ {
			amax = max(amax, abs32(at(j, i)))
		}
		if amax == 0 {
			continue
		}
		s := amax / 127
		q.Scale[j] = s
		row := q.Q[j*in : (j+1)*in]
		for i := range row {
			row[i] = int8(max(-127, min(127, math.RoundToEven(float64(at(j, i)/s)))))
		}
	}
	return q
}

// outputsOf reads a rows×cols weight matrix by output: Conv1D's [In, Out]
// layout, or [Out, In] when transposed. It returns the outputs, the inputs
// and the weight of output j from input i.
func outputsOf(w []float32, rows, cols int, transposed bool) (out, in int, at func(j, i int) float32) {
	if transposed {
		return rows, cols, func(j, i int) float32 { return w[j*cols+i] }
	}
	return cols, rows, func(j, i int) float32 { return w[i*cols+j] }
}

func abs32(v float32) float32 { return math.Float32frombits(math.Float32bits(v) &^ (1 << 31)) }

// Int8Error is the quantisation error of a matrix: the RMS of the rounding
// error over the RMS of the weights (0 for an exact copy; uniform rounding
// of well-spread rows gives about 0.5–1%).
func Int8Error(w []float32, rows, cols int, transposed bool, q Int8Weights) float64 {
	_, in, at := outputsOf(w, rows, cols, transposed)
	var se, sw float64
	for j, s := range q.Scale {
		for i := 0; i < in; i++ {
			v := at(j, i)
			d := float64(v) - float64(s)*float64(q.Q[j*in+i])
			se += d * d
			sw += float64(v) * float64(v)
		}
	}
	if sw == 0 {
		return 0
	}
	return math.Sqrt(se / sw)
}

// dotInt8Go is Σ x[i]·w[i] with w in int8.
func dotInt8Go(x []float32, w []int8) float32 {
	w = w[:len(x)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * float32(w[i])
		s1 += x[i+1] * float32(w[i+1])
		s2 += x[i+2] * float32(w[i+2])
		s3 += x[i+3] * float32(w[i+3])
	}
	for ; i < len(x); i++ {
		s0 += x[i] * float32(w[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// MaxVNNIInputs is the most inputs k an int8×int16 product sums exactly
// in its int32 lanes: each adds k/32 pair sums of at most 2·127·32767.
const MaxVNNIInputs = 8192

// Int16Rows is m rows of k activations quantised to int16 with one scale a
// row, x[r·k+c] ≈ Scale[r]·Q[r·k+c] with Scale[r] = max_c |x[r·k+c]| / 32767
// (a rounding error of at most 1/65534 of the row's largest value, against
// the 1/254 of a weight row's largest that int8 weights round by), for the
// int8 products with AVX-512 VNNI (Int8MatMulColsQ). Its slices are reused
// from one Quantize to the next.
type Int16Rows struct {
	Q     []int16
	Scale []float32
	m, k  int
}

// Int8VNNI reports whether an int8 product of m rows of k inputs runs on
// the VNNI kernels (Int8MatMulColsQ with rows quantised by Quantize): AVX-512
// VNNI at full width, four rows or more, k a multiple of 32 up to
// MaxVNNIInputs. Elsewhere Int8MatMulColsQ is Int8MatMulCols. One row
// streams the weights from memory as fast on the float kernel
// (BenchmarkMatMul stream/m1: int8 100–104, int8-vnni 96–105 GB/s of half
// weights' bytes), so it keeps its activations unrounded; from four rows
// on the VNNI kernels are 15–25% faster (m4: 48–58 → 64–70).
func Int8VNNI(m, k int) bool { return vnniOK && m >= 4 && k > 0 && k%32 == 0 && k <= MaxVNNIInputs }

// Quantize sets a to the m rows of x (m×k, row-major).
func (a *Int16Rows) Quantize(x []float32, m, k int) {
	if cap(a.Q) < m*k {
		a.Q = make([]int16, m*k)
	}
	if cap(a.Scale) < m {
		a.Scale = make([]float32, m)
	}
	a.Q, a.Scale, a.m, a.k = a.Q[:m*k], a.Scale[:m], m, k
	asm := vnniOK && k%32 == 0
	for r := 0; r < m; r++ {
		row, q := x[r*k:(r+1)*k], a.Q[r*k:(r+1)*k]
		var amax float32
		if asm {
			amax = absMax16(&row[0], k)
		} else {
			for _, v := range row {
				amax = max(amax, abs32(v))
			}
		}
		a.Scale[r] = amax / 32767
		inv := 32767 / amax
		switch {
		case amax != amax || amax > math.MaxFloat32:
			// NaN or Inf: the scale carries it into every sum of the row,
			// as the float kernels' products would
			clear(q)
			continue
		case amax == 0 || inv > math.MaxFloat32:
			// zeros, or values so small (subnormal) that 1/scale
			// overflows: the row counts as zero
			a.Scale[r] = 0
			clear(q)
			continue
		}
		if asm {
			round16(&row[0], k, inv, &q[0])
			continue
		}
		for c, v := range row {
			q[c] = int16(math.RoundToEven(float64(v * inv)))
		}
	}
}

// Int8MatMulColsQ is Int8MatMulCols with the rows of x also quantised in
// xq (Quantize, same m and k): where Int8VNNI(m, k), every row runs on the
// VNNI kernels (blocks of eight rows, then of four, then single rows; the
// columns past the last block of four in [lo, hi), if any, on the float
// one-column loop).
func Int8MatMulColsQ(lo, hi, m, n, k int, x []float32, xq *Int16Rows, w Int8Weights, beta float32, y []float32) {
	if !Int8VNNI(m, k) || xq == nil || xq.k != k || xq.m != m {
		int8MatMulCols(lo, hi, m, n, k, x, w, beta, y, vecBest)
		return
	}
	int8Product(lo, hi, m, n, k, x, xq, w, beta, y, vec512x8) // on vi8dot8x2, vi8dot4x2 and vi8dot1x4
}

// Int8MatMulCols computes output columns [lo, hi) of y = x·Wᵀ + beta·y for
// m rows of x (m×k, row-major) and int8 weights w (n rows of k), on the
// calling goroutine, as HalfMatMulCols does for half weights: callers split
// the columns over their workers in blocks of 8. beta is 0 or 1.
func Int8MatMulCols(lo, hi, m, n, k int, x []float32, w Int8Weights, beta float32, y []float32) {
	int8MatMulCols(lo, hi, m, n, k, x, w, beta, y, vecBest)
}

func int8MatMulCols(lo, hi, m, n, k int, x []float32, w Int8Weights, beta float32, y []float32, lv vecLevel) {
	int8Product(lo, hi, m, n, k, x, nil, w, beta, y, lv)
}

// rowChunk is how many output columns int8RowProduct computes a kernel
// call: sixteen blocks of four.
const rowChunk = 64

// int8RowProduct computes the columns of [lo, hi) that lie in whole blocks
// of four of one row of x (y = x·Wᵀ + beta·y) with zi8dot1x4n, a call for
// every 64, and returns where it stopped: the columns left, fewer than
// four, take mulCols's one-column loop. Each block prefetches the block
// four on, as mulCols does, the last four of the range too (into the next
// worker's columns, which it reads anyway, or past the matrix, which
// PREFETCHT0 ignores): leaving those out measured no different beside
// the noise of this shared host (397–462 against 422–481 tokens/s, then
// 392–409 against 399–501).
func int8RowProduct(lo, hi, k int, x []float32, w Int8Weights, beta float32, y []float32) int {
	var sums [rowChunk]float32
	ahead := 16 * k // four blocks on
	for lo+4 <= hi {
		cols := min(rowChunk, (hi-lo)/4*4)
		zi8dot1x4n(&x[0], &w.Q[lo*k], k, k, &sums[0], ahead, cols/4)
		out, scale := y[lo:lo+cols], w.Scale[lo:lo+cols]
		if beta == 0 {
			for j, s := range sums[:cols] {
				out[j] = s * scale[j]
			}
		} else {
			for j, s := range sums[:cols] {
				out[j] = s*scale[j] + beta*out[j]
			}
		}
		lo += cols
	}
	return lo
}

// scaleRows multiplies the sums of a VNNI kernel, out (row-major, an equal
// share of it a row), by their rows' int16 scales.
func scaleRows(out, scales []float32) {
	cols := len(out) / len(scales)
	for i, s := range scales {
		for c := range cols {
			out[i*cols+c] *= s
		}
	}
}

// int8Product is the int8 product at level lv, on the VNNI kernels when
// xq holds the rows quantised. The kernels are one
// literal handed to mulCols, so that their closures stay on the stack (a
// function returning them made them escape: an allocation a call, which
// cost a tenth of batch-1 int8 sampling).
func int8Product(lo, hi, m, n, k int, x []float32, xq *Int16Rows, w Int8Weights, beta float32, y []float32, lv vecLevel) {
	q := w.Q
	wide1 := lv >= vec512 && k%32 == 0 // the one-row kernel in 512-bit registers
	if m == 1 && xq == nil && wide1 && k > 0 {
		lo = int8RowProduct(lo, hi, k, x, w, beta, y)
		if lo == hi {
			return
		}
	}
	wide8 := lv >= vec512x8 && k%32 == 0 // and the eight-row one
	mulCols(lo, hi, m, n, k, beta, y, lv, colKernels{
		dot8x2: func(r, j, ahead int) (out [16]float32) {
			switch {
			case xq != nil:
				vi8dot8x2(&xq.Q[r*k], k, &q[j*k], k, k, &out[0], ahead)
				scaleRows(out[:], xq.Scale[r:r+8])
			case wide8:
				zi8dot8x2(&x[r*k], k, &q[j*k], k, k, &out[0], ahead)
			default:
				i8dot8x2(&x[r*k], k, &q[j*k], k, k, &out[0], ahead)
			}
			return
		},
		dot4x2: func(r, j, ahead int) (out [8]float32) {
			switch {
			case xq != nil:
				vi8dot4x2(&xq.Q[r*k], k, &q[j*k], k, k, &out[0], ahead)
				scaleRows(out[:], xq.Scale[r:r+4])
			case wide8:
				zi8dot4x2(&x[r*k], k, &q[j*k], k, k, &out[0], ahead)
			default:
				i8dot4x2(&x[r*k], k, &q[j*k], k, k, &out[0], ahead)
			}
			return
		},
		dot1x4: func(r, j, ahead int) (out [8]float32) {
			switch {
			case xq != nil:
				vi8dot1x4(&xq.Q[r*k], &q[j*k], k, k, &out[0], ahead)
				scaleRows(out[:4], xq.Scale[r:r+1])
			case wide1:
				zi8dot1x4(&x[r*k], &q[j*k], k, k, &out[0], ahead)
			default: // prefetches a fixed distance itself
				i8dot1x4(&x[r*k], &q[j*k], k, k, &out[0])
			}
			return
		},
		dot:      func(r, j int) float32 { return dotInt8Go(x[r*k:(r+1)*k], q[j*k:(j+1)*k]) },
		scale:    w.Scale,
		rowBytes: k,
	})
}
