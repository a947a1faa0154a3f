package model

import (
	"math"

	"github.com/tessera-studio/tessera/engine/kernels"
)

// loop runs body over [0, n) split into contiguous chunks of at least
// minPer items, in parallel (a par.Team's For).
type loop func(n, minPer int, body func(lo, hi int))

// rmsNormRows writes out[r] = x[r] / sqrt(mean(x[r]²) + eps) * gain for
// rows [lo, hi) (workspace.rmsNorm runs it in parallel).
func rmsNormRows(out, x, gain []float32, lo, hi, d int, eps float32) {
	for r := lo; r < hi; r++ {
		xr := x[r*d : (r+1)*d]
		or := out[r*d : (r+1)*d]
		var ss float32
		for _, v := range xr {
			ss += v * v
		}
		inv := 1 / float32(math.Sqrt(float64(ss/float32(d)+eps)))
		for i, v := range xr {
			or[i] = v * inv * gain[i]
		}
	}
}

// addBias adds b to every row of x (rows × len(b)).
func addBias(x, b []float32, rows int) {
	d := len(b)
	for r := 0; r < rows; r++ {
		xr := x[r*d : (r+1)*d]
		for i := range xr {
			xr[i] += b[i]
		}
	}
}

// activateSpan applies the activation kind to v in place (workspace.activate
// runs it in parallel).
func activateSpan(v []float32, kind string) {
	switch kind {
	case "quick_gelu":
		kernels.QGELU(v)
	case "gelu":
		for i, a := range v {
			v[i] = float32(0.5 * float64(a) * (1 + math.Erf(float64(a)/math.Sqrt2)))
		}
	case "gelu_new":
		for i, a := range v {
			f := float64(a)
			v[i] = float32(0.5 * f * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(f+0.044715*f*f*f))))
		}
	case "relu":
		for i, a := range v {
			if a < 0 {
				v[i] = 0
			}
		}
	}
}

// dot is an unrolled float32 dot product.
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// axpy computes y += alpha*x.
func axpy(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

// softmaxInPlace turns v into probabilities (numerically stable).
func softmaxInPlace(v []float32) {
	kernels.Scale(v, 1/kernels.ExpSubSum(v, kernels.Max(v)))
}

// LogSoftmaxAt returns log softmax(logits)[i] (logits is not changed).
// The sum of exponentials runs through the vector kernels in float32
// (AVX2 where the CPU has it; relative error about 1e-7), on a copy: on
// the stack for up to logSoftmaxStack logits.
func LogSoftmaxAt(logits []float32, i int) float64 {
	var buf [logSoftmaxStack]float32
	e := buf[:0]
	if len(logits) > logSoftmaxStack {
		e = make([]float32, 0, len(logits))
	}
	e = append(e, logits...)
	m := kernels.Max(e)
	sum := kernels.ExpSubSum(e, m)
	return float64(logits[i]) - float64(m) - math.Log(float64(sum))
}

// logSoftmaxStack bounds the logits LogSoftmaxAt copies on the stack
// (the codebooks of every model here: 512 or 1024 codes, 4096 at most).
const logSoftmaxStack = 4096
