package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSIMDMatchesScalar runs every vector kernel with and without the
// assembly and compares the results.
func TestSIMDMatchesScalar(t *testing.T) {
	if !avx2OK {
		t.Skip("no AVX2 on this machine")
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 7, 8, 9, 16, 23, 64, 81, 1024} {
		vec := func(std float64) []float32 { return randVec(r, n, std) }
		mask := make([]uint8, n)
		for i := range mask {
			mask[i] = uint8(r.IntN(2))
		}
		x, y, z, w, b := vec(3), vec(1), vec(1), vec(1), vec(1)
		x[0] = 0
		if n > 3 {
			x[1], x[2], x[3] = -120, 95, 1e-30
		}
		type out struct {
			s   float32
			vec [][]float32
		}
		run := func(on bool) map[string]out {
			cp := func(v []float32) []float32 { return append([]float32(nil), v...) }
			res := map[string]out{}
			res["max"] = out{s: vmax(x, on)}
			a := cp(y)
			s := vexpSubSum(a, 0.5, on)
			res["expsubsum"] = out{s, [][]float32{a}}
			a = cp(y)
			vscale(a, 0.3, on)
			res["scale"] = out{0, [][]float32{a}}
			a, o := cp(x), make([]float32, n)
			vqgeluFwd(o, a, b, on)
			res["qgelufwd"] = out{0, [][]float32{a, o}}
			o = make([]float32, n)
			vqgeluBwd(o, y, x, on)
			res["qgelubwd"] = out{0, [][]float32{o}}
			a = cp(y)
			vadd(a, z, on)
			res["add"] = out{0, [][]float32{a}}
			res["sumsq"] = out{s: vsumSq(x, on)}
			o = make([]float32, n)
			vmulScale(o, x, w, 0.7, on)
			res["mulscale"] = out{0, [][]float32{o}}
			res["dot3"] = out{s: vdot3(x, y, z, on)}
			a, c := cp(y), cp(z)
			vrmsBwd(a, c, x, w, b, 0.9, 0.2, on)
			res["rmsbwd"] = out{0, [][]float32{a, c}}
			res["dot"] = out{s: vdot(y, z, on)}
			a = cp(y)
			vsmBwd(a, z, 0.1, 0.25, on)
			res["smbwd"] = out{0, [][]float32{a}}
			o = make([]float32, n)
			vadd3(o, x, y, z, on)
			res["add3"] = out{0, [][]float32{o}}
			o = make([]float32, n)
			vadd3Mask(o, x, y, z, mask, 1.25, on)
			res["add3mask"] = out{0, [][]float32{o}}
			o = make([]float32, n)
			vmulMask(o, y, mask, 1.25, on)
			res["mulmask"] = out{0, [][]float32{o}}
			pw, m, v := cp(w), cp(z), cp(y)
			for i := range v {
				v[i] = v[i] * v[i]
			}
			vadamw(pw, x, m, v, &AdamConsts{0.9, 0.1, 0.95, 0.05, 1.5, 1.2, 1e-3, 1e-8, 0.999, 0.8}, on)
			res["adamw"] = out{0, [][]float32{pw, m, v}}
			a = cp(x)
			qgelu(a, on)
			res["qgelu"] = out{0, [][]float32{a}}
			return res
		}
		scalar, avx := run(false), run(true)
		close := func(a, b float32) bool {
			return math.Abs(float64(a-b)) <= 2e-6*math.Max(1, math.Max(math.Abs(float64(a)), math.Abs(float64(b))))
		}
		for name, s := range scalar {
			a := avx[name]
			if !close(s.s, a.s) {
				t.Errorf("n=%d %s: scalar %v, avx %v", n, name, s.s, a.s)
			}
			for k := range s.vec {
				for i := range s.vec[k] {
					if !close(s.vec[k][i], a.vec[k][i]) {
						t.Errorf("n=%d %s[%d][%d]: scalar %v, avx %v", n, name, k, i, s.vec[k][i], a.vec[k][i])
						break
					}
				}
			}
		}
	}
}

func randVec(r *rand.Rand, n int, std float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64() * std)
	}
	return v
}

// TestQGELUMatchesFloat64 checks quick_gelu against float64 arithmetic,
// including its extremes.
func TestQGELUMatchesFloat64(t *testing.T) {
	v := make([]float32, 1003)
	for i := range v {
		v[i] = float32(i-500) * 0.037
	}
	v[0], v[1], v[2] = -100, 100, 0
	got := append([]float32(nil), v...)
	QGELU(got)
	for i := range v {
		if ref := float64(v[i]) / (1 + math.Exp(-1.702*float64(v[i]))); math.Abs(float64(got[i])-ref) > 1e-5*math.Max(1, math.Abs(ref)) {
			t.Fatalf("quick_gelu(%g) = %g, want %g", v[i], got[i], ref)
		}
	}
}
