package kernels

import "math"

// Int8 weights: weight-only quantisation with one scale per output row
// (per output channel, as PyTorch's dynamic quantisation and
// LLM.int8's vector-wise quantisation without outliers do): row j of
// Int8Weights holds round(w[j][i]/Scale[j]) in [−127, 127] with Scale[j] =
// max_i |w[j][i]| / 127. The kernels widen each int8 to float32 in
// registers and multiply by the row's scale once at the end, so a decode
// step streams a quarter of float32's bytes (half of float16's).

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
	out, in := cols, rows
	if transposed {
		out, in = rows, cols
	}
	at := func(j, i int) float32 { return w[i*cols+j] }
	if transposed {
		at = func(j, i int) float32 { return w[j*cols+i] }
	}
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

func abs32(v float32) float32 { return math.Float32frombits(math.Float32bits(v) &^ (1 << 31)) }

// Int8Error is the quantisation error of a matrix: the RMS of the rounding
// error over the RMS of the weights (0 for an exact copy; uniform rounding
// of well-spread rows gives about 0.5–1%).
func Int8Error(w []float32, rows, cols int, transposed bool, q Int8Weights) float64 {
	in := rows
	if transposed {
		in = cols
	}
	var se, sw float64
	for j, s := range q.Scale {
		for i := 0; i < in; i++ {
			var v float32
			if transposed {
				v = w[j*cols+i]
			} else {
				v = w[i*cols+j]
			}
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

// Int8MatMulCols computes output columns [lo, hi) of y = x·Wᵀ + beta·y for
// m rows of x (m×k, row-major) and int8 weights w (n rows of k), on the
// calling goroutine, as HalfMatMulCols does for half weights: callers split
// the columns over their workers in blocks of 8. beta is 0 or 1.
func Int8MatMulCols(lo, hi, m, n, k int, x []float32, w Int8Weights, beta float32, y []float32) {
	int8MatMulCols(lo, hi, m, n, k, x, w, beta, y, asmOK)
}

func int8MatMulCols(lo, hi, m, n, k int, x []float32, w Int8Weights, beta float32, y []float32, asm bool) {
	q, scale := w.Q, w.Scale
	put := func(i int, s float32) {
		if beta == 0 {
			y[i] = s
		} else {
			y[i] = s + beta*y[i]
		}
	}
	var buf [8]float32
	wide := asm && asm512OK
	j := lo
	if asm && k%8 == 0 && k > 0 {
		for ; j+4 <= hi; j += 4 {
			ahead := 0
			if j+20 <= hi {
				ahead = 16 * k // the block four ahead, as for half weights
			}
			r := 0
			for ; r+8 <= m && wide; r += 8 {
				var b16 [16]float32
				for c := 0; c < 4; c += 2 {
					i8dot8x2(&x[r*k], k, &q[(j+c)*k], k, k, &b16[0], ahead)
					for i := 0; i < 8; i++ {
						put((r+i)*n+j+c, scale[j+c]*b16[2*i])
						put((r+i)*n+j+c+1, scale[j+c+1]*b16[2*i+1])
					}
				}
			}
			for ; r+4 <= m; r += 4 {
				for c := 0; c < 4; c += 2 {
					i8dot4x2(&x[r*k], k, &q[(j+c)*k], k, k, &buf[0], ahead)
					for i := 0; i < 4; i++ {
						put((r+i)*n+j+c, scale[j+c]*buf[2*i])
						put((r+i)*n+j+c+1, scale[j+c+1]*buf[2*i+1])
					}
				}
			}
			for ; r < m; r++ {
				i8dot1x4(&x[r*k], &q[j*k], k, k, &buf[0])
				for c := 0; c < 4; c++ {
					put(r*n+j+c, scale[j+c]*buf[c])
				}
			}
		}
	}
	for ; j < hi; j++ {
		wj := q[j*k : (j+1)*k]
		for r := 0; r < m; r++ {
			put(r*n+j, scale[j]*dotInt8Go(x[r*k:(r+1)*k], wj))
		}
	}
}
