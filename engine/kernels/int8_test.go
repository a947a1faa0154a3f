package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The int8 product equals, within float32 rounding, the float64 product
// with the dequantised weights (scale·q), for the assembly kernels (one,
// four and eight rows at a time, in 256 or, with AVX-512 and k allowing,
// 512 bits, and the column tail) and the Go twin.
func TestInt8MatMulMatchesFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, s := range []struct{ m, n, k int }{{1, 64, 64}, {1, 7, 40}, {1, 200, 96}, {1, 150, 64}, {8, 100, 512}, {5, 37, 24}, {3, 9, 13}, {9, 66, 136}, {16, 12, 32}, {9, 40, 160}, {17, 12, 48}, {4, 40, 64}, {6, 18, 96}, {12, 16, 128}, {15, 10, 32}} {
		x := randF32(rng, s.m*s.k)
		wf := randF32(rng, s.k*s.n) // [In, Out] as Conv1D stores it
		q := QuantizeInt8(wf, s.k, s.n, false)
		for _, lv := range vecLevels() {
			for _, beta := range []float32{0, 1} {
				y := randF32(rng, s.m*s.n)
				y0 := append([]float32(nil), y...)
				split := (s.n / 2) &^ 7
				int8MatMulCols(0, split, s.m, s.n, s.k, x, q, beta, y, lv)
				int8MatMulCols(split, s.n, s.m, s.n, s.k, x, q, beta, y, lv)
				for r := 0; r < s.m; r++ {
					for j := 0; j < s.n; j++ {
						want := float64(beta) * float64(y0[r*s.n+j])
						for c := 0; c < s.k; c++ {
							want += float64(x[r*s.k+c]) * float64(q.Scale[j]) * float64(q.Q[j*s.k+c])
						}
						if !close(y[r*s.n+j], want, s.k) {
							t.Fatalf("%+v level %d beta=%v: y[%d,%d] = %g, want %g", s, lv, beta, r, j, y[r*s.n+j], want)
						}
					}
				}
			}
		}
	}
}

// Quantisation keeps each row's largest weight exactly (±127·scale),
// rounds the rest to the nearest step, handles a zero row, and reads both
// layouts (Conv1D's [In, Out] and lm_head's [Out, In]) the same way.
func TestQuantizeInt8(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	in, out := 40, 6
	w := randF32(rng, in*out) // [In, Out]
	for i := 0; i < in; i++ {
		w[i*out+2] = 0 // output 2 is all zeros
	}
	wt := make([]float32, out*in) // [Out, In]
	for i := 0; i < in; i++ {
		for j := 0; j < out; j++ {
			wt[j*in+i] = w[i*out+j]
		}
	}
	q, qt := QuantizeInt8(w, in, out, false), QuantizeInt8(wt, out, in, true)
	for j := 0; j < out; j++ {
		if q.Scale[j] != qt.Scale[j] {
			t.Fatalf("scale %d: %g vs %g between the layouts", j, q.Scale[j], qt.Scale[j])
		}
		var amax float64
		for i := 0; i < in; i++ {
			amax = math.Max(amax, math.Abs(float64(w[i*out+j])))
		}
		if j == 2 {
			if q.Scale[j] != 0 {
				t.Fatalf("zero row scale %g", q.Scale[j])
			}
			continue
		}
		peak := false
		for i := 0; i < in; i++ {
			v, got := float64(w[i*out+j]), float64(q.Scale[j])*float64(q.Q[j*in+i])
			if q.Q[j*in+i] != qt.Q[j*in+i] {
				t.Fatalf("q[%d,%d] differs between the layouts", j, i)
			}
			if math.Abs(v-got) > float64(q.Scale[j])/2*(1+1e-5) {
				t.Fatalf("w[%d,%d] = %g quantised to %g: more than half a step (%g) off", i, j, v, got, q.Scale[j])
			}
			peak = peak || q.Q[j*in+i] == 127 || q.Q[j*in+i] == -127
		}
		if !peak || math.Abs(float64(q.Scale[j])*127-amax) > 1e-6*amax {
			t.Fatalf("row %d: scale %g does not map the largest weight %g to ±127", j, q.Scale[j], amax)
		}
	}
	if e := Int8Error(w, in, out, false, q); e <= 0 || e > 0.01 {
		t.Fatalf("relative RMS error %g of uniform weights, want within (0, 1%%]", e)
	}
}

// With the rows quantised to int16 (Int16Rows), the VNNI product equals the
// float64 product of the quantised rows and the dequantised weights (exact
// int32 sums, one float32 rounding each) and stays within the activations'
// rounding of the float one, for blocks of eight rows, of four and the
// single rows after them alike; products of fewer than four rows, and CPUs
// without VNNI, take the float kernels. At MaxVNNIInputs with every value
// at its extreme the int32 lanes do not overflow.
func TestInt8VNNIMatchesFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	var xq Int16Rows
	for _, s := range []struct{ m, n, k int }{{8, 64, 64}, {9, 40, 96}, {16, 24, 768}, {17, 12, 32}, {8, 16, MaxVNNIInputs}, {1, 40, 96}, {4, 24, 64}, {7, 12, 32}, {1, 8, MaxVNNIInputs}, {4, 8, MaxVNNIInputs}} {
		x := randF32(rng, s.m*s.k)
		wf := randF32(rng, s.k*s.n)
		if s.k == MaxVNNIInputs {
			for i := range x {
				x[i] = float32(2*(i%2) - 1) // ±1: every int16 at ±32767
			}
			for i := range wf {
				wf[i] = float32(2*((i/s.n)%2) - 1) // the same signs: products all +127·32767
			}
		}
		q := QuantizeInt8(wf, s.k, s.n, false)
		xq.Quantize(x, s.m, s.k)
		vnni := Int8VNNI(s.m, s.k)
		for _, beta := range []float32{0, 1} {
			y := randF32(rng, s.m*s.n)
			y0 := append([]float32(nil), y...)
			split := (s.n / 2) &^ 7
			Int8MatMulColsQ(0, split, s.m, s.n, s.k, x, &xq, q, beta, y)
			Int8MatMulColsQ(split, s.n, s.m, s.n, s.k, x, &xq, q, beta, y)
			for r := 0; r < s.m; r++ {
				quantised := vnni
				for j := 0; j < s.n; j++ {
					want, exact, bound := float64(beta)*float64(y0[r*s.n+j]), 0.0, 0.0
					for c := 0; c < s.k; c++ {
						w := float64(q.Scale[j]) * float64(q.Q[j*s.k+c])
						want += float64(x[r*s.k+c]) * w
						if quantised {
							exact += float64(xq.Q[r*s.k+c]) * float64(q.Q[j*s.k+c])
							bound += math.Abs(w) * float64(xq.Scale[r]) / 2
						}
					}
					got := float64(y[r*s.n+j])
					if quantised {
						viaRows := float64(beta)*float64(y0[r*s.n+j]) + float64(float32(exact))*float64(xq.Scale[r])*float64(q.Scale[j])
						if math.Abs(got-viaRows) > 1e-5*math.Abs(viaRows)+1e-5 {
							t.Fatalf("%+v beta=%v: y[%d,%d] = %g, the quantised rows give %g", s, beta, r, j, got, viaRows)
						}
						if math.Abs(got-want) > bound+1e-5*math.Abs(want)+1e-4 {
							t.Fatalf("%+v beta=%v: y[%d,%d] = %g, float64 %g: more than the rows' rounding (%g)", s, beta, r, j, got, want, bound)
						}
					} else if !close(y[r*s.n+j], want, s.k) {
						t.Fatalf("%+v beta=%v: y[%d,%d] = %g, want %g (float kernels)", s, beta, r, j, got, want)
					}
				}
			}
		}
	}
	t.Logf("VNNI kernel used: %v", Int8VNNI(8, 64))
}

// Quantize rounds each value to the nearest step of its row's scale (ties
// to even), keeps the row's largest at ±32767 and gives a zero row zeros,
// in its vector kernels as in Go.
func TestInt16RowsQuantize(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const m, k = 17, 96
	x := randF32(rng, m*k)
	clear(x[3*k : 4*k])
	x[5*k+7] = -40 // the largest of row 5, negative
	var a Int16Rows
	a.Quantize(x, m, k)
	if len(a.Q) != m*k || len(a.Scale) != m {
		t.Fatalf("%d values and %d scales for %d rows of %d", len(a.Q), len(a.Scale), m, k)
	}
	for r := 0; r < m; r++ {
		var amax float64
		for _, v := range x[r*k : (r+1)*k] {
			amax = math.Max(amax, math.Abs(float64(v)))
		}
		if want := float32(amax) / 32767; a.Scale[r] != want {
			t.Fatalf("row %d: scale %g, want %g", r, a.Scale[r], want)
		}
		for c, v := range x[r*k : (r+1)*k] {
			want := 0.0
			if amax > 0 {
				want = math.RoundToEven(float64(v * (32767 / float32(amax))))
			}
			if got := a.Q[r*k+c]; float64(got) != want {
				t.Fatalf("row %d value %d: %d, want %g", r, c, got, want)
			}
		}
	}
	if a.Q[5*k+7] != -32767 {
		t.Fatalf("the largest value of row 5 quantised to %d", a.Q[5*k+7])
	}
}

// A NaN anywhere in a row makes that row's VNNI sums NaN, as the float
// kernels' are (the vector maximum had kept only a NaN in the row's last
// block); a row of subnormal values counts as zero.
func TestInt8VNNINaN(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const m, n, k = 8, 16, 96
	wf := randF32(rng, k*n)
	q := QuantizeInt8(wf, k, n, false)
	// Four rows and five (the four-row kernel, then the one-row one): NaN
	// stays NaN.
	for _, rows := range []int{4, 5} {
		x := randF32(rng, rows*k)
		x[rows*k-1] = float32(math.NaN())
		var xq Int16Rows
		xq.Quantize(x, rows, k)
		y := make([]float32, rows*n)
		Int8MatMulColsQ(0, n, rows, n, k, x, &xq, q, 0, y)
		for j := 0; j < n; j++ {
			if !math.IsNaN(float64(y[(rows-1)*n+j])) {
				t.Fatalf("%d rows, NaN in the last: output %d is %g", rows, j, y[(rows-1)*n+j])
			}
		}
	}
	for _, at := range []int{0, 5, 31, 32, 63, 95} {
		x := randF32(rng, m*k)
		x[2*k+at] = float32(math.NaN())
		for c := range k {
			x[5*k+c] = 1e-40 // subnormal
		}
		var xq Int16Rows
		xq.Quantize(x, m, k)
		y := make([]float32, m*n)
		Int8MatMulColsQ(0, n, m, n, k, x, &xq, q, 0, y)
		for j := 0; j < n; j++ {
			if !math.IsNaN(float64(y[2*n+j])) {
				t.Fatalf("NaN at input %d: output %d of its row is %g", at, j, y[2*n+j])
			}
			if v := y[5*n+j]; math.IsNaN(float64(v)) || math.Abs(float64(v)) > 1e-30 {
				t.Fatalf("a subnormal row gives %g", v)
			}
			if math.IsNaN(float64(y[3*n+j])) {
				t.Fatalf("NaN at input %d spread to another row", at)
			}
		}
	}
}
