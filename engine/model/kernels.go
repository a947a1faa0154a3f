package model

import (
	"math"

	"github.com/tessera-studio/tessera/engine/internal/vexp"
	"github.com/tessera-studio/tessera/engine/kernels"
)

// loop runs body over [0, n) split into contiguous chunks of at least
// minPer items, in parallel (a par.Team's For).
type loop func(n, minPer int, body func(lo, hi int))

// rmsNorm writes out[r] = x[r] / sqrt(mean(x[r]²) + eps) * gain for each row.
func rmsNorm(out, x, gain []float32, rows, d int, eps float32, par loop) {
	par(rows, 8, func(lo, hi int) {
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
	})
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

// activate applies the configured activation to x in place.
func activate(x []float32, kind string, par loop) {
	par(len(x), 1<<12, func(lo, hi int) {
		v := x[lo:hi]
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
	})
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
	m := float32(math.Inf(-1))
	for _, a := range v {
		if a > m {
			m = a
		}
	}
	var sum float32
	for i, a := range v {
		e := vexp.Expf(a - m)
		v[i] = e
		sum += e
	}
	inv := 1 / sum
	for i := range v {
		v[i] *= inv
	}
}

// LogSoftmaxAt returns log softmax(logits)[i], computed in float64.
func LogSoftmaxAt(logits []float32, i int) float64 {
	m := math.Inf(-1)
	for _, v := range logits {
		m = math.Max(m, float64(v))
	}
	var sum float64
	for _, v := range logits {
		sum += math.Exp(float64(v) - m)
	}
	return float64(logits[i]) - m - math.Log(sum)
}
