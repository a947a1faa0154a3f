// Package guided implements the guided image filter with a colour guide
// (He, Sun and Tang, "Guided Image Filtering", ECCV 2010 and TPAMI 35(6),
// 2013; the reference is the authors' MATLAB guidedfilter_color.m): in
// every window ω_k of (2r+1)×(2r+1) pixels the output is an affine map of
// the guide's colour, q_i = A_k·I_i + b_k, fitted by ridge regression to an
// input p; each pixel averages the maps of the windows that cover it.
//
// Fit and Apply are separate, as in the Fast Guided Filter (He and Sun,
// arXiv:1505.00996), which fits the maps on a coarse copy of the guide and
// applies them to the fine one: Tessera fits them on a picture as the
// image tokenizer redraws it and applies them to the picture itself
// (engine/edit.TransferDetail).
package guided

import (
	"errors"
	"fmt"
	"image"
)

// Maps holds the window-averaged affine colour maps of Fit, one per pixel:
// output channel c = Σ_d A[3c+d]·guide_d + B[c], colours in [0, 1].
type Maps struct {
	w, h int
	a    [9][]float64
	b    [3][]float64
}

// Fit fits, in every window of radius r around each pixel, the affine map
// from guide's colours to input's that minimises the window's mean of
// ‖A·I + b − p‖² + eps·‖A‖² (the paper's Eq. 3 divided by |ω|; colours
// scaled to [0, 1], eps in the same squared units: larger eps favours flat
// maps, b alone), and averages over each pixel the maps of the windows
// covering it (the paper's ā_i, b̄_i). Windows are clipped at the borders;
// a radius past the picture's side is its side (one map for the whole
// picture). Errors: images of different sizes, an empty image, r < 0 or
// eps ≤ 0.
func Fit(guide, input *image.NRGBA, r int, eps float64) (*Maps, error) {
	w, h := guide.Rect.Dx(), guide.Rect.Dy()
	if input.Rect.Dx() != w || input.Rect.Dy() != h {
		return nil, fmt.Errorf("guided filter: guide %dx%d and input %dx%d differ in size", w, h, input.Rect.Dx(), input.Rect.Dy())
	}
	if w == 0 || h == 0 {
		return nil, errors.New("guided filter: empty image")
	}
	if r < 0 || !(eps > 0) {
		return nil, fmt.Errorf("guided filter: radius %d and eps %g must be ≥ 0 and > 0", r, eps)
	}
	I, P := Planes(guide), Planes(input)
	box := func(x []float64) []float64 { return BoxMean(x, w, h, r) } // a radius past the side is the side
	var mI, mP [3][]float64
	for c := range 3 {
		mI[c], mP[c] = box(I[c]), box(P[c])
	}
	// Covariances of the guide's channels (symmetric: 6 of 9) and of guide
	// and input, per window.
	var cII [3][3][]float64
	var cIP [3][3][]float64 // [guide channel][input channel]
	prod := make([]float64, w*h)
	for d := range 3 {
		for e := d; e < 3; e++ {
			for i := range prod {
				prod[i] = I[d][i] * I[e][i]
			}
			cII[d][e] = box(prod)
			for i := range prod {
				cII[d][e][i] -= mI[d][i] * mI[e][i]
			}
			cII[e][d] = cII[d][e]
		}
		for c := range 3 {
			for i := range prod {
				prod[i] = I[d][i] * P[c][i]
			}
			cIP[d][c] = box(prod)
			for i := range prod {
				cIP[d][c][i] -= mI[d][i] * mP[c][i]
			}
		}
	}
	m := &Maps{w: w, h: h}
	for k := range m.a {
		m.a[k] = make([]float64, w*h)
	}
	for c := range m.b {
		m.b[c] = make([]float64, w*h)
	}
	for i := range w * h {
		// Σ + eps·U, inverted by its adjugate.
		inv, det := SymmetricAdjugate3([6]float64{cII[0][0][i] + eps, cII[0][1][i], cII[0][2][i], cII[1][1][i] + eps, cII[1][2][i], cII[2][2][i] + eps})
		for c := range 3 {
			b := mP[c][i]
			for d := range 3 {
				a := (inv[d][0]*cIP[0][c][i] + inv[d][1]*cIP[1][c][i] + inv[d][2]*cIP[2][c][i]) / det
				m.a[3*c+d][i] = a
				b -= a * mI[d][i]
			}
			m.b[c][i] = b
		}
	}
	for k := range m.a {
		m.a[k] = box(m.a[k])
	}
	for c := range m.b {
		m.b[c] = box(m.b[c])
	}
	return m, nil
}

// Apply returns the maps applied to img's colours (A·I + b at each pixel,
// clamped to [0, 1]), as colour planes; img must have the fitted size.
func (m *Maps) Apply(img *image.NRGBA) ([3][]float64, error) {
	var out [3][]float64
	if img.Rect.Dx() != m.w || img.Rect.Dy() != m.h {
		return out, fmt.Errorf("guided filter: maps fitted on %dx%d, applied to %dx%d", m.w, m.h, img.Rect.Dx(), img.Rect.Dy())
	}
	I := Planes(img)
	for c := range 3 {
		out[c] = make([]float64, m.w*m.h)
		for i := range out[c] {
			v := m.b[c][i] + m.a[3*c][i]*I[0][i] + m.a[3*c+1][i]*I[1][i] + m.a[3*c+2][i]*I[2][i]
			out[c][i] = min(1, max(0, v))
		}
	}
	return out, nil
}

// Planes returns img's red, green and blue channels in [0, 1], row-major
// from its top-left corner (alpha ignored).
func Planes(img *image.NRGBA) [3][]float64 {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	var p [3][]float64
	for c := range 3 {
		p[c] = make([]float64, w*h)
	}
	for y := range h {
		row := img.Pix[img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y+y):]
		for x := range w {
			for c := range 3 {
				p[c][y*w+x] = float64(row[4*x+c]) / 255
			}
		}
	}
	return p
}

// BoxMean is the mean of x (w×h, row-major; at least w·h values) over the
// (2r+1)×(2r+1) window around each pixel, clipped at the borders (a
// summed-area table); r is taken within [0, max(w, h)].
func BoxMean(x []float64, w, h, r int) []float64 {
	r = min(max(r, 0), max(w, h))
	sat := make([]float64, (w+1)*(h+1))
	for y := range h {
		var row float64
		for xx := range w {
			row += x[y*w+xx]
			sat[(y+1)*(w+1)+xx+1] = sat[y*(w+1)+xx+1] + row
		}
	}
	out := make([]float64, w*h)
	for y := range h {
		y0, y1 := max(0, y-r), min(h, y+r+1)
		for xx := range w {
			x0, x1 := max(0, xx-r), min(w, xx+r+1)
			s := sat[y1*(w+1)+x1] - sat[y0*(w+1)+x1] - sat[y1*(w+1)+x0] + sat[y0*(w+1)+x0]
			out[y*w+xx] = s / float64((y1-y0)*(x1-x0))
		}
	}
	return out
}

// SymmetricAdjugate3 is the adjugate adj and determinant det of the
// symmetric 3×3 matrix whose upper triangle is s (s00, s01, s02, s11, s12,
// s22): its inverse is adj/det.
// det ≤ 0 (or tiny against the entries) means s is singular or not
// positive definite, and adj is then no inverse.
func SymmetricAdjugate3(s [6]float64) (adj [3][3]float64, det float64) {
	s00, s01, s02, s11, s12, s22 := s[0], s[1], s[2], s[3], s[4], s[5]
	i00, i01, i02 := s11*s22-s12*s12, s02*s12-s01*s22, s01*s12-s02*s11
	i11, i12, i22 := s00*s22-s02*s02, s01*s02-s00*s12, s00*s11-s01*s01
	return [3][3]float64{{i00, i01, i02}, {i01, i11, i12}, {i02, i12, i22}}, s00*i00 + s01*i01 + s02*i02
}
