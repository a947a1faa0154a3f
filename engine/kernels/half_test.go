package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestRoundTripEveryHalf(t *testing.T) {
	for i := 0; i < 1<<16; i++ {
		h := uint16(i)
		f := FromHalf(h)
		if f != f { // NaN: stays NaN with the quiet bit
			if g := ToHalf(f); g&0x7c00 != 0x7c00 || g&0x3ff == 0 {
				t.Fatalf("NaN %#04x came back as %#04x", h, g)
			}
			continue
		}
		if g := ToHalf(f); g != h {
			t.Fatalf("%#04x → %g → %#04x", h, f, g)
		}
	}
}

func TestKnownValues(t *testing.T) {
	for _, c := range []struct {
		f float32
		h uint16
	}{
		{1, 0x3c00}, {-2, 0xc000}, {65504, 0x7bff}, {65520, 0x7c00}, {1e9, 0x7c00},
		{float32(math.Inf(-1)), 0xfc00}, {5.9604645e-8, 0x0001}, {2.9e-8, 0}, {3.0e-8, 0x0001},
		{1.0 / 3, 0x3555}, {0.1, 0x2e66}, {6.1035156e-5, 0x0400}, {1 + 1.0/2048, 0x3c00}, // tie to even
		{1 + 3.0/2048, 0x3c02}, // tie to even, upwards
	} {
		if got := ToHalf(c.f); got != c.h {
			t.Errorf("ToHalf(%g) = %#04x, want %#04x", c.f, got, c.h)
		}
	}
}

// TestNearest checks ToHalf picks the closest half for random floats.
func TestNearest(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		f := float32(rng.NormFloat64() * math.Pow(10, rng.Float64()*8-5))
		h := ToHalf(f)
		got := math.Abs(float64(FromHalf(h)) - float64(f))
		for _, o := range []uint16{h - 1, h + 1} {
			if o&0x7c00 == 0x7c00 {
				continue
			}
			if d := math.Abs(float64(FromHalf(o)) - float64(f)); d < got {
				t.Fatalf("%g → %#04x (%g) but %#04x (%g) is closer", f, h, FromHalf(h), o, FromHalf(o))
			}
		}
	}
}

func TestTranspose(t *testing.T) {
	src := make([]float32, 37*70)
	for i := range src {
		src[i] = float32(i) * 0.25
	}
	tr := TransposeHalf(src, 37, 70)
	for r := 0; r < 37; r++ {
		for c := 0; c < 70; c++ {
			if FromHalf(tr[c*37+r]) != FromHalf(ToHalf(src[r*70+c])) {
				t.Fatalf("(%d,%d) misplaced", r, c)
			}
		}
	}
}

// TestEncodeMatchesScalar checks the vector conversion rounds like
// ToHalf, including ties, subnormals, overflow and NaN.
func TestEncodeMatchesScalar(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	src := make([]float32, 0, 4099)
	for range 4000 {
		src = append(src, float32(rng.NormFloat64()*math.Pow(10, rng.Float64()*12-7)))
	}
	src = append(src, 1+1.0/2048, 1+3.0/2048, 65504, 65520, 1e9, 3e-8, 2.9e-8, float32(math.Inf(-1)), 0, -0.0)
	for len(src) < 4099 {
		src = append(src, float32(len(src)))
	}
	got := make([]uint16, len(src))
	encode(got, src, asmOK)
	for i, f := range src {
		if want := ToHalf(f); got[i] != want {
			t.Fatalf("%g: vector %#04x, scalar %#04x", f, got[i], want)
		}
	}
}
