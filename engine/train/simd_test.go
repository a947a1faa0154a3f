package train

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSIMDMatchesScalar runs every vector kernel with and without the
// assembly and compares the results.
func TestSIMDMatchesScalar(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 on this machine")
	}
	defer func() { simdOn = useAVX2 }()
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
			simdOn = on
			cp := func(v []float32) []float32 { return append([]float32(nil), v...) }
			res := map[string]out{}
			res["max"] = out{s: vmax(x)}
			a := cp(y)
			s := vexpSubSum(a, 0.5)
			res["expsubsum"] = out{s, [][]float32{a}}
			a = cp(y)
			vscale(a, 0.3)
			res["scale"] = out{0, [][]float32{a}}
			a, o := cp(x), make([]float32, n)
			vqgeluFwd(o, a, b)
			res["qgelufwd"] = out{0, [][]float32{a, o}}
			o = make([]float32, n)
			vqgeluBwd(o, y, x)
			res["qgelubwd"] = out{0, [][]float32{o}}
			a = cp(y)
			vadd(a, z)
			res["add"] = out{0, [][]float32{a}}
			res["sumsq"] = out{s: vsumSq(x)}
			o = make([]float32, n)
			vmulScale(o, x, w, 0.7)
			res["mulscale"] = out{0, [][]float32{o}}
			res["dot3"] = out{s: vdot3(x, y, z)}
			a, c := cp(y), cp(z)
			vrmsBwd(a, c, x, w, b, 0.9, 0.2)
			res["rmsbwd"] = out{0, [][]float32{a, c}}
			res["dot"] = out{s: vdot(y, z)}
			a = cp(y)
			vsmBwd(a, z, 0.1, 0.25)
			res["smbwd"] = out{0, [][]float32{a}}
			o = make([]float32, n)
			vadd3(o, x, y, z)
			res["add3"] = out{0, [][]float32{o}}
			o = make([]float32, n)
			vadd3Mask(o, x, y, z, mask, 1.25)
			res["add3mask"] = out{0, [][]float32{o}}
			o = make([]float32, n)
			vmulMask(o, y, mask, 1.25)
			res["mulmask"] = out{0, [][]float32{o}}
			pw, m, v := cp(w), cp(z), cp(y)
			for i := range v {
				v[i] = v[i] * v[i]
			}
			vadamw(pw, x, m, v, &adamConsts{0.9, 0.1, 0.95, 0.05, 1.5, 1.2, 1e-3, 1e-8, 0.999, 0.8})
			res["adamw"] = out{0, [][]float32{pw, m, v}}
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

// TestDropoutMask: the mask does not depend on how it is split, and drops
// about the requested fraction.
func TestDropoutMask(t *testing.T) {
	n := 100003
	whole := make([]uint8, n)
	fillMask(whole, 77, 0, 0.1)
	parts := make([]uint8, n)
	for lo := 0; lo < n; {
		hi := min(n, lo+1+lo%13)
		fillMask(parts[lo:hi], 77, lo, 0.1)
		lo = hi
	}
	kept := 0
	for i := range whole {
		if whole[i] != parts[i] {
			t.Fatalf("element %d differs when split", i)
		}
		kept += int(whole[i])
	}
	if f := 1 - float64(kept)/float64(n); math.Abs(f-0.1) > 0.005 {
		t.Errorf("dropped %.4f, want 0.1", f)
	}
}
