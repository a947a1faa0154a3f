package kernels

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestMeasure(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	normal := make([]float32, 4096)
	for i := range normal {
		normal[i] = float32(r.NormFloat64() * 0.02)
	}
	scaled := func(s float32, extra ...float32) []float32 {
		out := make([]float32, len(normal))
		for i, v := range normal {
			out[i] = v * s
		}
		return append(out, extra...)
	}
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	for _, c := range []struct {
		name     string
		values   []float32
		faithful bool
		why      string
	}{
		{"typical weights", normal, true, ""},
		{"NaN, Inf and zeros are left alone", scaled(1, nan, inf, 0, 0), true, ""},
		{"largest half fits", scaled(1, HalfMax, -HalfMax), true, ""},
		{"one value beyond the range", scaled(1, 70000), false, "1 of 4097 values beyond ±65504"},
		{"a scaled-up tensor", scaled(4e6), false, "beyond ±65504"},
		{"a scaled-down tensor", scaled(1e-5), false, "below float16's normal range"},
		{"mostly subnormal", scaled(3e-3), false, "below float16's normal range"},
	} {
		f := MeasureHalf(c.values)
		if f.Faithful() != c.faithful || !strings.Contains(f.String(), c.why) || (c.faithful && f.String() != "") {
			t.Errorf("%s: faithful %v (%q), want %v (%q); %+v", c.name, f.Faithful(), f.String(), c.faithful, c.why, f)
		}
	}
	if f := MeasureHalf(normal); f.RelErr > Epsilon || f.RelErr == 0 {
		t.Errorf("normal halves: relative error %g, want (0, %g]", f.RelErr, Epsilon)
	}
	if f := MeasureHalf([]float32{1e-9, 1}); f.Zeroed != 1 || f.Subnormal != 1 {
		t.Errorf("1e-9 should be subnormal and zeroed: %+v", f)
	}
}
