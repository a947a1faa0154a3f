package guided

import (
	"fmt"
	"image"
	"math"
	"testing"

	"github.com/tessera-studio/tessera/internal/imagetest"
)

// mapped applies the colour map out = m·in + c (colours in [0, 1]) to img.
func mapped(img *image.NRGBA, m [3][3]float64, c [3]float64) *image.NRGBA {
	out := image.NewNRGBA(img.Rect)
	for i := 0; i < len(img.Pix); i += 4 {
		for o := range 3 {
			v := c[o]
			for d := range 3 {
				v += m[o][d] * float64(img.Pix[i+d]) / 255
			}
			out.Pix[i+o] = uint8(math.Round(255 * min(1, max(0, v))))
		}
		out.Pix[i+3] = 255
	}
	return out
}

// solve3 solves the 3×3 system a·x = b by Cramer's rule.
func solve3(a [3][3]float64, b [3]float64) [3]float64 {
	det := func(m [3][3]float64) float64 {
		return m[0][0]*(m[1][1]*m[2][2]-m[1][2]*m[2][1]) - m[0][1]*(m[1][0]*m[2][2]-m[1][2]*m[2][0]) + m[0][2]*(m[1][0]*m[2][1]-m[1][1]*m[2][0])
	}
	d := det(a)
	var x [3]float64
	for k := range 3 {
		m := a
		for r := range 3 {
			m[r][k] = b[r]
		}
		x[k] = det(m) / d
	}
	return x
}

// Fit's summed-area tables and closed-form inverse agree with a direct
// ridge regression in every window (He et al. 2013, Eqs. 14–15, written
// out pixel by pixel), and Apply with the paper's averaging (Eq. 16).
func TestFitMatchesDirectRegression(t *testing.T) {
	const w, h, r, eps = 9, 7, 2, 1e-3
	I, P := imagetest.Random(w, h, 1), imagetest.Random(w, h, 2)
	m, err := Fit(I, P, r, eps)
	if err != nil {
		t.Fatal(err)
	}
	gi, gp := Planes(I), Planes(P)
	var a [9][]float64
	var b [3][]float64
	for k := range a {
		a[k] = make([]float64, w*h)
	}
	for c := range b {
		b[c] = make([]float64, w*h)
	}
	for y := range h {
		for x := range w {
			var n float64
			var mi [3]float64
			var mp [3]float64
			for yy := max(0, y-r); yy < min(h, y+r+1); yy++ {
				for xx := max(0, x-r); xx < min(w, x+r+1); xx++ {
					n++
					for c := range 3 {
						mi[c] += gi[c][yy*w+xx]
						mp[c] += gp[c][yy*w+xx]
					}
				}
			}
			for c := range 3 {
				mi[c] /= n
				mp[c] /= n
			}
			var cov [3][3]float64
			var cip [3][3]float64 // [guide][input]
			for yy := max(0, y-r); yy < min(h, y+r+1); yy++ {
				for xx := max(0, x-r); xx < min(w, x+r+1); xx++ {
					for d := range 3 {
						for e := range 3 {
							cov[d][e] += (gi[d][yy*w+xx] - mi[d]) * (gi[e][yy*w+xx] - mi[e]) / n
							cip[d][e] += (gi[d][yy*w+xx] - mi[d]) * (gp[e][yy*w+xx] - mp[e]) / n
						}
					}
				}
			}
			for d := range 3 {
				cov[d][d] += eps
			}
			for c := range 3 {
				ak := solve3(cov, [3]float64{cip[0][c], cip[1][c], cip[2][c]})
				bk := mp[c]
				for d := range 3 {
					a[3*c+d][y*w+x] = ak[d]
					bk -= ak[d] * mi[d]
				}
				b[c][y*w+x] = bk
			}
		}
	}
	for k := range a {
		a[k] = BoxMean(a[k], w, h, r)
		for i, v := range a[k] {
			if math.Abs(v-m.a[k][i]) > 1e-9 {
				t.Fatalf("coefficient %d at pixel %d: %v, direct regression %v", k, i, m.a[k][i], v)
			}
		}
	}
	for c := range b {
		b[c] = BoxMean(b[c], w, h, r)
		for i, v := range b[c] {
			if math.Abs(v-m.b[c][i]) > 1e-9 {
				t.Fatalf("offset %d at pixel %d: %v, direct regression %v", c, i, m.b[c][i], v)
			}
		}
	}
}

// An input that is one affine colour map of the guide everywhere (grey,
// inverted) is found again: the maps fitted on a blurred copy of both and
// applied to the sharp guide give the sharp input (the fit-coarse,
// apply-fine use of engine/edit), where the blurred input is far from it.
func TestFitRecoversAColourMap(t *testing.T) {
	sharp := imagetest.Random(24, 24, 3)
	blur := func(img *image.NRGBA) *image.NRGBA {
		out := image.NewNRGBA(img.Rect)
		p := Planes(img)
		for c := range 3 {
			q := BoxMean(p[c], 24, 24, 1)
			for i, v := range q {
				out.Pix[4*i+c] = uint8(math.Round(255 * v))
			}
		}
		for i := 3; i < len(out.Pix); i += 4 {
			out.Pix[i] = 255
		}
		return out
	}
	gray := [3][3]float64{{0.299, 0.587, 0.114}, {0.299, 0.587, 0.114}, {0.299, 0.587, 0.114}}
	invert := [3][3]float64{{-1, 0, 0}, {0, -1, 0}, {0, 0, -1}}
	for name, tc := range map[string]struct {
		m [3][3]float64
		c [3]float64
	}{"gray": {gray, [3]float64{}}, "invert": {invert, [3]float64{1, 1, 1}}} {
		want := mapped(sharp, tc.m, tc.c)
		coarseGuide, coarseInput := blur(sharp), mapped(blur(sharp), tc.m, tc.c)
		m, err := Fit(coarseGuide, coarseInput, 2, 1e-6)
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.Apply(sharp)
		if err != nil {
			t.Fatal(err)
		}
		rms := func(a [3][]float64, b *image.NRGBA) float64 {
			pb := Planes(b)
			var s float64
			for c := range 3 {
				for i := range a[c] {
					d := a[c][i] - pb[c][i]
					s += d * d
				}
			}
			return math.Sqrt(s / float64(3*len(a[0])))
		}
		if e, blurred := rms(got, want), rms(Planes(coarseInput), want); e > 0.01 || blurred < 0.05 {
			t.Errorf("%s: the maps applied to the sharp guide are %.4f (RMS) from the sharp input, the blurred input %.4f", name, e, blurred)
		}
	}
}

func TestFitErrors(t *testing.T) {
	a, b := imagetest.Random(4, 4, 1), imagetest.Random(5, 4, 1)
	if _, err := Fit(a, b, 1, 1e-3); err == nil {
		t.Error("pictures of different sizes: no error")
	}
	if _, err := Fit(a, a, -1, 1e-3); err == nil {
		t.Error("negative radius: no error")
	}
	if _, err := Fit(a, a, 1, 0); err == nil {
		t.Error("eps 0: no error")
	}
	if _, err := Fit(a, a, 1, math.NaN()); err == nil {
		t.Error("eps NaN: no error")
	}
	empty := image.NewNRGBA(image.Rect(0, 0, 0, 0))
	if _, err := Fit(empty, empty, 1, 1e-3); err == nil {
		t.Error("empty pictures: no error")
	}
	m, err := Fit(a, a, 1, 1e-3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Apply(b); err == nil {
		t.Error("maps applied to a picture of another size: no error")
	}
}

// A sub-image (Rect not at the origin) reads as its own pixels.
func TestPlanesOfSubImage(t *testing.T) {
	img := imagetest.Random(6, 6, 4)
	sub := img.SubImage(image.Rect(2, 3, 5, 6)).(*image.NRGBA)
	p := Planes(sub)
	if len(p[0]) != 9 {
		t.Fatalf("%d pixels, want 9", len(p[0]))
	}
	if want := float64(img.Pix[img.PixOffset(3, 4)+1]) / 255; p[1][1*3+1] != want {
		t.Fatalf("green at (1, 1) of the sub-image %v, want %v", p[1][4], want)
	}
}

// A radius past the picture's side is its side: one map for the whole
// picture (a huge radius overflowed the window's bounds); BoxMean takes a
// negative radius as 0.
func TestLargeRadiusIsTheWholePicture(t *testing.T) {
	I, P := imagetest.Random(6, 5, 7), imagetest.Random(6, 5, 8)
	whole, err := Fit(I, P, 6, 1e-3)
	if err != nil {
		t.Fatal(err)
	}
	huge, err := Fit(I, P, math.MaxInt, 1e-3)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := whole.Apply(I)
	b, _ := huge.Apply(I)
	for c := range 3 {
		for i := range a[c] {
			if a[c][i] != b[c][i] {
				t.Fatalf("channel %d pixel %d: %v with the side, %v with a huge radius", c, i, a[c][i], b[c][i])
			}
		}
	}
	x := []float64{1, 2, 3, 4}
	if got := BoxMean(x, 2, 2, -3); fmt.Sprint(got) != "[1 2 3 4]" {
		t.Fatalf("negative radius: %v", got)
	}
}
