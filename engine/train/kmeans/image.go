package kmeans

import (
	"image"
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
