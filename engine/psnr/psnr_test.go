package psnr

import (
	"image"
	"math"
	"testing"
)

func filled(w, h int, v uint8) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = v
	}
	return m
}

// Images follows the definition on a hand-worked pair, ignores alpha and
// says NaN for pictures it cannot compare.
func TestImages(t *testing.T) {
	a := filled(2, 2, 100)
	if p := Images(a, a); !math.IsInf(p, 1) {
		t.Fatalf("Images(a, a) = %v, want +Inf", p)
	}
	b := filled(2, 2, 100)
	b.Pix[0] = 110   // R of pixel 0 differs by 10
	b.Pix[3] = 0     // alpha is ignored
	b.Pix[4+1] = 120 // G of pixel 1 differs by 20
	want := 10 * math.Log10(255*255/((10.0*10+20*20)/12))
	if p := Images(a, b); math.Abs(p-want) > 1e-9 {
		t.Fatalf("Images = %v, want %v", p, want)
	}
	// A sub-image is measured from its own corner.
	big := filled(4, 4, 100)
	big.Pix[big.PixOffset(2, 2)] = 110
	big.Pix[big.PixOffset(3, 2)+1] = 120
	sub := big.SubImage(image.Rect(2, 2, 4, 4)).(*image.NRGBA)
	if p, q := Images(a, sub), Images(sub, a); math.Abs(p-want) > 1e-9 || math.Abs(q-want) > 1e-9 {
		t.Fatalf("sub-image: %v and %v, want %v", p, q, want)
	}
	for name, p := range map[string]float64{
		"size": Images(a, filled(3, 2, 100)), "nil": Images(nil, a), "empty": Images(filled(0, 0, 0), filled(0, 0, 0)),
	} {
		if !math.IsNaN(p) {
			t.Errorf("%s: %v, want NaN", name, p)
		}
	}
}

// Patches measures the marked patches only; nil marks all.
func TestPatches(t *testing.T) {
	a, b := filled(4, 4, 0), filled(4, 4, 0)
	b.Pix[b.PixOffset(0, 0)] = 30 // top-left 2×2 patch only
	want := 10 * math.Log10(255*255/(30.0*30/12))
	if got := Patches(a, b, []bool{true, false, false, false}, 2, 2); math.Abs(got-want) > 1e-9 {
		t.Errorf("top-left patch: %v, want %v", got, want)
	}
	if got := Patches(a, b, []bool{false, true, true, true}, 2, 2); !math.IsInf(got, 1) {
		t.Errorf("untouched patches: %v, want +Inf", got)
	}
	if got, whole := Patches(a, b, nil, 2, 2), Images(a, b); math.Abs(got-whole) > 1e-9 {
		t.Errorf("nil mask: %v, want the whole picture's %v", got, whole)
	}
	for name, p := range map[string]float64{
		"nothing marked": Patches(a, b, make([]bool, 4), 2, 2), "grid does not divide": Patches(a, b, nil, 3, 3),
		"mask length": Patches(a, b, make([]bool, 3), 2, 2), "size": Patches(a, filled(2, 2, 0), nil, 1, 1),
	} {
		if !math.IsNaN(p) {
			t.Errorf("%s: %v, want NaN", name, p)
		}
	}
}

func TestBytes(t *testing.T) {
	if p := Bytes([]uint8{1, 2}, []uint8{1, 2}); !math.IsInf(p, 1) {
		t.Errorf("equal: %v", p)
	}
	want := 10 * math.Log10(255*255/(4.0/2))
	if p := Bytes([]uint8{1, 2}, []uint8{3, 2}); math.Abs(p-want) > 1e-9 {
		t.Errorf("Bytes = %v, want %v", p, want)
	}
	if !math.IsNaN(Bytes([]uint8{1}, nil)) || !math.IsNaN(Bytes(nil, nil)) {
		t.Error("lengths that differ or are 0 must give NaN")
	}
}

// Capped keeps every figure finite for a mean or JSON: an exact
// reconstruction counts as Max, NaN stays NaN.
func TestCapped(t *testing.T) {
	a := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	if got := Capped(Images(a, a)); got != Max {
		t.Errorf("equal pictures: %v, want %v", got, Max)
	}
	if got := Capped(Bytes([]uint8{0, 255}, []uint8{1, 255})); got >= Max || got <= 0 {
		t.Errorf("a near miss: %v", got)
	}
	if !math.IsNaN(Capped(math.NaN())) {
		t.Error("NaN is not NaN capped")
	}
}
