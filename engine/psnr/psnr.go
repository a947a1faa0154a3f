// Package psnr measures peak signal-to-noise ratio, the reconstruction
// figure Tessera reports for tokenizers, edits and stored codes:
// 10·log10(255²/MSE) in dB over the R, G and B channels of 8-bit pictures
// (alpha is ignored). Equal pictures give +Inf; callers that average,
// print or store figures cap them (Capped).
package psnr

import (
	"image"
	"math"
)

// Images is the PSNR in dB of b against a, two pictures of the same size.
// NaN when either is nil, empty or the sizes differ.
func Images(a, b *image.NRGBA) float64 {
	if a == nil || b == nil || a.Rect.Size() != b.Rect.Size() || a.Rect.Empty() {
		return math.NaN()
	}
	sum, n := squaredError(a, b, image.Rect(0, 0, a.Rect.Dx(), a.Rect.Dy()))
	return fromSum(sum, n)
}

// Patches is the PSNR in dB of b against a over the patches mask marks
// (true) on a rows×cols grid laid over both pictures; mask nil means every
// patch. NaN when the sizes differ, the grid does not divide them, mask
// has not rows·cols entries or no patch is marked.
func Patches(a, b *image.NRGBA, mask []bool, rows, cols int) float64 {
	if a == nil || b == nil || a.Rect.Size() != b.Rect.Size() || rows < 1 || cols < 1 {
		return math.NaN()
	}
	w, h := a.Rect.Dx(), a.Rect.Dy()
	if w%cols != 0 || h%rows != 0 || mask != nil && len(mask) != rows*cols {
		return math.NaN()
	}
	pw, ph := w/cols, h/rows
	var sum float64
	n := 0
	for i := range rows * cols {
		if mask != nil && !mask[i] {
			continue
		}
		x0, y0 := i%cols*pw, i/cols*ph
		s, m := squaredError(a, b, image.Rect(x0, y0, x0+pw, y0+ph))
		sum, n = sum+s, n+m
	}
	return fromSum(sum, n)
}

// Bytes is the PSNR in dB of b against a, two equally long buffers of
// 8-bit samples (every byte counts). NaN when the lengths differ or are 0.
func Bytes(a, b []uint8) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return math.NaN()
	}
	var sum float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		sum += d * d
	}
	return fromSum(sum, len(a))
}

// Max is the figure an exact reconstruction counts as where figures are
// averaged or written as JSON: a large finite number of dB (+Inf made a
// mean infinite, and JSON has no +Inf: a tokenizer run whose held-out
// pictures came back exact failed to write its checkpoint).
const Max = 100

// Capped is v capped at Max (NaN stays NaN).
func Capped(v float64) float64 {
	if v > Max {
		return Max
	}
	return v
}

// squaredError sums the squared RGB differences of a and b over r (in
// coordinates relative to each picture's top-left corner) and counts the
// samples.
func squaredError(a, b *image.NRGBA, r image.Rectangle) (float64, int) {
	var sum float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		pa := a.Pix[a.PixOffset(a.Rect.Min.X+r.Min.X, a.Rect.Min.Y+y):][:4*r.Dx()]
		pb := b.Pix[b.PixOffset(b.Rect.Min.X+r.Min.X, b.Rect.Min.Y+y):][:4*r.Dx()]
		for i := 0; i < len(pa); i += 4 {
			for c := range 3 {
				d := float64(pa[i+c]) - float64(pb[i+c])
				sum += d * d
			}
		}
	}
	return sum, 3 * r.Dx() * r.Dy()
}

// fromSum turns a sum of n squared errors into dB: NaN for no samples,
// +Inf for no error.
func fromSum(sum float64, n int) float64 {
	switch {
	case n == 0:
		return math.NaN()
	case sum == 0:
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/(sum/float64(n)))
}
