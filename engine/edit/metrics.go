package edit

import (
	"image"
	"math"

	"github.com/tessera-studio/tessera/engine/train/kmeans"
)

// WhiteTolerance is how far below 255 (in 1/255 steps) an output pixel's
// channels may be and still count as white in WhiteKept.
const WhiteTolerance = 10

// PSNR is the peak signal-to-noise ratio of out against the exact target,
// in dB over the RGB channels, capped at MaxPSNR (equal images); NaN when
// the sizes differ.
func PSNR(target, out *image.NRGBA) float64 { return min(kmeans.PSNR(target, out), MaxPSNR) }

// MaxPSNR caps PSNR so that an exact edit counts as a large finite number
// in a mean.
const MaxPSNR = 100

// WhiteKept measures how much of the target's white background (Exterior:
// the white connected to the border) is white within WhiteTolerance in
// out: the fraction of those pixels whose channels are all ≥ 255 −
// WhiteTolerance, and how many pixels the background has (0: the target
// has no white background, e.g. an inverted image, and frac is NaN).
func WhiteKept(target, out *image.NRGBA) (frac float64, pixels int) {
	if target == nil || out == nil || target.Rect.Size() != out.Rect.Size() {
		return math.NaN(), 0
	}
	t, o := normalized(target), normalized(out)
	ext := Exterior(t, whiteTol)
	w := t.Rect.Dx()
	kept := 0
	for i, e := range ext {
		if !e {
			continue
		}
		pixels++
		p := o.Pix[o.PixOffset(i%w, i/w):]
		if p[0] >= 255-WhiteTolerance && p[1] >= 255-WhiteTolerance && p[2] >= 255-WhiteTolerance {
			kept++
		}
	}
	if pixels == 0 {
		return math.NaN(), 0
	}
	return float64(kept) / float64(pixels), pixels
}
