package edit

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"

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
	transparent, read := 0, 0 // pixels of alpha 0 among those read, for the error
	light := func(x, y int) float64 {
		c := img.At(b.Min.X+x, b.Min.Y+y)
		read++
		if _, _, _, a := c.RGBA(); a == 0 {
			transparent++
		}
		g := color.Gray16Model.Convert(c).(color.Gray16)
		return float64(g.Y) / 0xffff
	}
	mask := make([]bool, rows*cols)
	change := false
	var lightest float64 // the lightest patch's mean lightness, for the error
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
			mean := sum / float64((y1-y0)*(x1-x0))
			mask[r*cols+c] = mean >= 0.5
			change = change || mask[r*cols+c]
			lightest = max(lightest, mean)
		}
	}
	if !change {
		msg := fmt.Sprintf("mask: no patch is marked to change: a patch changes where the mask over it is at least half light (white changes, black keeps), and its lightest patch is %.1f%% light (paint the patches to change white)", math.Floor(1000*lightest)/10)
		if 2*transparent >= read {
			// A mask painted white on a transparent layer, its white
			// saved at alpha 0: "0.0% light" said nothing of why.
			msg += fmt.Sprintf("; %.0f%% of the mask is transparent, which counts as black whatever its colour (paint it opaque white, or save it without transparency)", 100*float64(transparent)/float64(read))
		}
		return nil, errors.New(msg)
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
	at := codebook.PictureRect(b.Dx(), b.Dy(), w, h)
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.Draw(out, out.Rect, image.NewUniform(color.Black), image.Point{}, draw.Src)
	small := resize.Resize(uint(at.Dx()), uint(at.Dy()), img, resize.Bilinear)
	draw.Draw(out, at, small, small.Bounds().Min, draw.Over)
	return out
}

// KeepUnmasked copies into out, for every patch of the rows×cols grid that
// mask keeps (false), the pixels of src there, so that an edit limited to a
// mask leaves the rest of the picture exactly as it was: a ViT decoder
// redraws every patch from all the codes, kept ones included, and even a
// local codebook gives back the source only to within its reconstruction
// error. out and src must be the same size, a multiple of the grid;
// otherwise out is left as it is and the error says why.
func KeepUnmasked(out, src *image.NRGBA, mask []bool, rows, cols int) error {
	if out.Rect.Size() != src.Rect.Size() {
		return fmt.Errorf("keep unmasked: picture %v, source %v", out.Rect.Size(), src.Rect.Size())
	}
	w, h := out.Rect.Dx(), out.Rect.Dy()
	if rows < 1 || cols < 1 || len(mask) != rows*cols || w%cols != 0 || h%rows != 0 {
		return fmt.Errorf("keep unmasked: a %d-entry mask on a %d×%d grid over %d×%d px", len(mask), rows, cols, w, h)
	}
	pw, ph := w/cols, h/rows
	for i, m := range mask {
		if m {
			continue
		}
		r := image.Rect(i%cols*pw, i/cols*ph, (i%cols+1)*pw, (i/cols+1)*ph)
		draw.Draw(out, r.Add(out.Rect.Min), src, r.Min.Add(src.Rect.Min), draw.Src)
	}
	return nil
}
