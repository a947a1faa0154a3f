package model

import (
	"math"
	"testing"
)

func TestQuickGELUKernelMatchesScalar(t *testing.T) {
	v := make([]float32, 1003)
	for i := range v {
		v[i] = float32(i-500) * 0.037
	}
	v[0], v[1], v[2] = -100, 100, 0
	want := append([]float32(nil), v...)
	quickGELU(want, false)
	got := append([]float32(nil), v...)
	quickGELU(got, vectorOK)
	for i := range v {
		if d := math.Abs(float64(got[i] - want[i])); d > 1e-6*math.Max(1, math.Abs(float64(want[i]))) {
			t.Fatalf("quick_gelu(%g): vector %g, scalar %g", v[i], got[i], want[i])
		}
		if ref := float64(v[i]) / (1 + math.Exp(-1.702*float64(v[i]))); math.Abs(float64(got[i])-ref) > 1e-5*math.Max(1, math.Abs(ref)) {
			t.Fatalf("quick_gelu(%g) = %g, want %g", v[i], got[i], ref)
		}
	}
}
