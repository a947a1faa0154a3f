package codebook

import "image"

// Decode paints codes (raster order of patches) into a new cols·P × rows·P
// image. Patches without a code (len(codes) < rows·cols) stay transparent
// so a partial image shows as partial; codes past rows·cols are ignored.
// A malformed codebook or a grid that is empty or over MaxImageSide pixels
// on a side gives an empty image.
func (c *Codebook) Decode(codes []int, rows, cols int) *image.NRGBA {
	if c.check() != nil || checkGrid(rows, cols, c.P) != nil {
		return image.NewNRGBA(image.Rect(0, 0, 0, 0))
	}
	img := image.NewNRGBA(image.Rect(0, 0, cols*c.P, rows*c.P))
	buf := make([]uint8, c.PatchBytes())
	for i, code := range codes[:min(len(codes), rows*cols)] {
		c.paint(img, i, cols, code, buf)
	}
	return img
}

// Paint paints the patch of code at patch index (raster order on a grid
// with cols patches per row) into img, opaque. A patch that does not lie
// wholly inside img is left alone; an unknown code paints mid-grey.
func (c *Codebook) Paint(img *image.NRGBA, index, cols, code int) {
	if c.check() != nil {
		return
	}
	c.paint(img, index, cols, code, make([]uint8, c.PatchBytes()))
}

// paint is Paint with a caller-supplied patch buffer.
func (c *Codebook) paint(img *image.NRGBA, index, cols, code int, buf []uint8) {
	if img == nil || index < 0 || cols <= 0 {
		return
	}
	p := c.P
	r, col := index/cols, index%cols
	if r > MaxImageSide || col > MaxImageSide {
		return
	}
	rect := image.Rect(col*p, r*p, col*p+p, r*p+p).Add(img.Rect.Min)
	if !rect.In(img.Rect) || img.PixOffset(rect.Max.X-1, rect.Max.Y-1)+4 > len(img.Pix) {
		return
	}
	c.DecodePatch(code, buf)
	i := 0
	for y := rect.Min.Y; y < rect.Max.Y; y++ {
		row := img.Pix[img.PixOffset(rect.Min.X, y):]
		for x := 0; x < p; x++ {
			row[4*x] = buf[i]
			row[4*x+1] = buf[i+1]
			row[4*x+2] = buf[i+2]
			row[4*x+3] = 255
			i += 3
		}
	}
}
