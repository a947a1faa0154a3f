package kmeans

import (
	"image"
	"math"
)

// Patches cuts img into its non-overlapping p×p patches, in raster order of
// patches, and returns them as consecutive 3p²-vectors: the patch's pixels in
// raster order, RGB interleaved, each value u8/127.5−1. Edge strips narrower
// than p are dropped; alpha is ignored. A nil image or p <= 0 gives nil.
func Patches(img *image.NRGBA, p int) []float32 {
	if img == nil || p <= 0 {
		return nil
	}
	b := img.Bounds()
	rows, cols := b.Dy()/p, b.Dx()/p
	out := make([]float32, 0, rows*cols*3*p*p)
	for pr := range rows {
		for pc := range cols {
			for y := range p {
				off := img.PixOffset(b.Min.X+pc*p, b.Min.Y+pr*p+y)
				line := img.Pix[off : off+4*p]
				for x := 0; x < len(line); x += 4 {
					out = append(out,
						float32(line[x])/127.5-1,
						float32(line[x+1])/127.5-1,
						float32(line[x+2])/127.5-1)
				}
			}
		}
	}
	return out
}

// PSNR is the peak signal-to-noise ratio in dB between two images of the
// same size, over the R, G and B channels with peak 255:
// 10·log10(255²/MSE). Identical images give +Inf; nil images or different
// sizes give NaN.
func PSNR(a, b *image.NRGBA) float64 {
	if a == nil || b == nil || a.Bounds().Size() != b.Bounds().Size() {
		return math.NaN()
	}
	ra, rb := a.Bounds(), b.Bounds()
	w, h := ra.Dx(), ra.Dy()
	if w == 0 || h == 0 {
		return math.NaN()
	}
	var sum float64
	for y := range h {
		pa := a.Pix[a.PixOffset(ra.Min.X, ra.Min.Y+y):][:4*w]
		pb := b.Pix[b.PixOffset(rb.Min.X, rb.Min.Y+y):][:4*w]
		for i := 0; i < len(pa); i += 4 {
			for c := range 3 {
				d := float64(pa[i+c]) - float64(pb[i+c])
				sum += d * d
			}
		}
	}
	mse := sum / float64(3*w*h)
	if mse == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/mse)
}
