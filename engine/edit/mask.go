package edit

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"

	"github.com/nfnt/resize"

	"github.com/tessera-studio/tessera/engine/codebook"
)

// MaskFromImage turns a mask picture of any size into a rows×cols patch
// mask (raster order): the picture is laid over the image, and a patch
// changes (true) when the mean lightness of the mask pixels over it is at
// least one half — white changes, black keeps; transparent pixels count as
// black. Errors: an empty picture, a grid that is not positive, or a mask
// that changes nothing.
func MaskFromImage(img image.Image, rows, cols int) ([]bool, error) {
	if img == nil || img.Bounds().Empty() {
		return nil, errors.New("mask: the mask image is empty")
	}
	if rows < 1 || cols < 1 {
		return nil, fmt.Errorf("mask: grid %dx%d is not positive", rows, cols)
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	light := func(x, y int) float64 {
		g := color.Gray16Model.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray16)
		return float64(g.Y) / 0xffff
	}
	mask := make([]bool, rows*cols)
	change := false
	for r := 0; r < rows; r++ {
		y0 := r * h / rows
		y1 := max(y0+1, (r+1)*h/rows)
		for c := 0; c < cols; c++ {
			x0 := c * w / cols
			x1 := max(x0+1, (c+1)*w/cols)
			var sum float64
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					sum += light(x, y)
				}
			}
			mask[r*cols+c] = sum/float64((y1-y0)*(x1-x0)) >= 0.5
			change = change || mask[r*cols+c]
		}
	}
	if !change {
		return nil, errors.New("mask: no patch is marked to change (paint the patches to change white)")
	}
	return mask, nil
}

// MaskOver lays a mask drawn over a picture onto the w×h frame the picture
// is encoded in (codebook.Fit: scaled to fit, centred): the mask is scaled
// and centred the same way, and the bands around it are black (kept). A
// mask of the frame's shape is returned as it is.
func MaskOver(img image.Image, w, h int) image.Image {
	b := img.Bounds()
	if b.Empty() || b.Dx()*h == b.Dy()*w {
		return img
	}
	sw, sh := codebook.FitSize(b.Dx(), b.Dy(), w, h)
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.Draw(out, out.Rect, image.NewUniform(color.Black), image.Point{}, draw.Src)
	small := resize.Resize(uint(sw), uint(sh), img, resize.Bilinear)
	draw.Draw(out, image.Rect((w-sw)/2, (h-sh)/2, (w-sw)/2+sw, (h-sh)/2+sh), small, small.Bounds().Min, draw.Over)
	return out
}
