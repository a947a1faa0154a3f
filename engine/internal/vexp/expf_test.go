package vexp

import (
	"math"
	"testing"
)

func TestExpfAccuracy(t *testing.T) {
	worst := 0.0
	for x := -87.0; x < 88.7; x += 0.0137 {
		want := math.Exp(float64(float32(x)))
		got := float64(Expf(float32(x)))
		if rel := math.Abs(got-want) / want; rel > worst {
			worst = rel
		}
	}
	if worst > 3e-7 {
		t.Errorf("worst relative error %.3g", worst)
	}
	if Expf(-100) != 0 || !math.IsInf(float64(Expf(100)), 1) || !math.IsInf(float64(Expf(88.8)), 1) {
		t.Error("saturation")
	}
	if Expf(0) != 1 {
		t.Errorf("Expf(0) = %v", Expf(0))
	}
}
