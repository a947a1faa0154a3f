package codebook

import (
	"errors"
	"fmt"
	"image"
	"image/draw"
	"runtime"
	"sync"

	"github.com/nfnt/resize"
)

// parallelWork is the number of multiply-adds (patches × K × 3p²) above
// which Encode spreads patch rows over goroutines.
const parallelWork = 1 << 20

// checkGrid validates a grid of rows×cols patches of side p.
func checkGrid(rows, cols, p int) error {
	if rows <= 0 || cols <= 0 {
		return fmt.Errorf("grid %dx%d must be positive", rows, cols)
	}
	if rows > MaxImageSide/p || cols > MaxImageSide/p {
		return fmt.Errorf("grid %dx%d of %dx%d patches is over %d pixels on a side", rows, cols, p, p, MaxImageSide)
	}
	return nil
}

// Encode returns the rows·cols codes of img in raster order of patches.
// The image is resized to cols·P × rows·P pixels with bilinear filtering
// (unless it already has that size) and composited over white.
func (c *Codebook) Encode(img image.Image, rows, cols int) ([]int, error) {
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("encode image: %w", err)
	}
	if img == nil {
		return nil, errors.New("encode image: image is nil")
	}
	if err := checkGrid(rows, cols, c.P); err != nil {
		return nil, fmt.Errorf("encode image: %w", err)
	}
	b := img.Bounds()
	if b.Empty() {
		return nil, fmt.Errorf("encode image: image is empty (%d×%d pixels)", b.Dx(), b.Dy())
	}
	flat := Fit(img, cols*c.P, rows*c.P)
	codes := make([]int, rows*cols)

	workers := 1
	if rows*cols*c.K*c.PatchBytes() >= parallelWork {
		workers = min(runtime.GOMAXPROCS(0), rows)
	}
	var wg sync.WaitGroup
	for wk := 0; wk < workers; wk++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := make([]float32, c.PatchBytes())
			for r := wk; r < rows; r += workers {
				for col := 0; col < cols; col++ {
					c.gather(flat, r, col, x)
					codes[r*cols+col] = c.nearest(x)
				}
			}
		}()
	}
	wg.Wait()
	return codes, nil
}

// gather loads patch (r, col) of an opaque image into x as values in [-1, 1].
func (c *Codebook) gather(img *image.NRGBA, r, col int, x []float32) {
	p := c.P
	i := 0
	for y := 0; y < p; y++ {
		row := img.Pix[img.PixOffset(col*p, r*p+y):]
		for px := 0; px < p; px++ {
			x[i] = unit(row[4*px])
			x[i+1] = unit(row[4*px+1])
			x[i+2] = unit(row[4*px+2])
			i += 3
		}
	}
}

// Quantize encodes img on a rows×cols grid and decodes the codes again:
// the image as the model sees it.
func (c *Codebook) Quantize(img image.Image, rows, cols int) (*image.NRGBA, error) {
	codes, err := c.Encode(img, rows, cols)
	if err != nil {
		return nil, fmt.Errorf("quantize: %w", err)
	}
	return c.Decode(codes, rows, cols), nil
}

// Fit returns img as a w×h opaque image keeping its shape: scaled (bilinear)
// to fit inside w×h and centred on white, the background the models draw
// on; an image of that size is only flattened onto white (Flatten). A
// 300×200 picture for a 64×64 model is 64×43 between two white bands, not
// stretched.
func Fit(img image.Image, w, h int) *image.NRGBA {
	b := img.Bounds()
	if b.Dx() == w && b.Dy() == h {
		return Flatten(img)
	}
	sw, sh := FitSize(b.Dx(), b.Dy(), w, h)
	small := Flatten(resize.Resize(uint(sw), uint(sh), img, resize.Bilinear))
	if sw == w && sh == h {
		return small
	}
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range out.Pix {
		out.Pix[i] = 255
	}
	draw.Draw(out, PictureRect(b.Dx(), b.Dy(), w, h), small, image.Point{}, draw.Src)
	return out
}

// PictureRect is where Fit draws a picture of sw×sh pixels in a w×h image:
// all of it for a picture of that shape, else the centred FitSize
// rectangle between white bands. A reconstruction's PSNR is measured over
// it (the studio on opening, tessera tokenize): the bands, which any
// tokenizer draws back white, made a 5000×300 picture's 12.3 dB read 24.2.
func PictureRect(sw, sh, w, h int) image.Rectangle {
	fw, fh := FitSize(sw, sh, w, h)
	return image.Rect((w-fw)/2, (h-fh)/2, (w-fw)/2+fw, (h-fh)/2+fh)
}

// AtSize returns img at w×h: of a picture exactly k times w×h (as
// Tessera's --scale and export write it), each k×k block's centre (the
// middle pixel for odd k, the mean of the middle 2×2 for even k: the
// block's own colour after nearest-neighbour upscaling, the nearest to it
// after a smooth one), flattened onto white; of any other size, Fit.
func AtSize(img image.Image, w, h int) *image.NRGBA {
	r := img.Bounds()
	k := r.Dx() / max(w, 1)
	if k < 1 || r.Dx() != k*w || r.Dy() != k*h {
		return Fit(img, w, h)
	}
	flat := Flatten(img)
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	lo, hi := (k-1)/2, k/2 // the middle pixel, or the middle two, each way
	n := (hi - lo + 1) * (hi - lo + 1)
	for y := range h {
		for x := range w {
			var sum [4]int
			for dy := lo; dy <= hi; dy++ {
				for dx := lo; dx <= hi; dx++ {
					p := flat.PixOffset(flat.Rect.Min.X+x*k+dx, flat.Rect.Min.Y+y*k+dy)
					for c := range 4 {
						sum[c] += int(flat.Pix[p+c])
					}
				}
			}
			o := out.PixOffset(x, y)
			for c := range 4 {
				out.Pix[o+c] = uint8((sum[c] + n/2) / n)
			}
		}
	}
	return out
}

// FitSize is the largest size of a sw×sh picture's shape inside w×h (at
// least a pixel each way): where Fit draws it, centred.
func FitSize(sw, sh, w, h int) (int, int) {
	if sw*h > sh*w {
		return w, max(1, (sh*w+sw/2)/sw)
	}
	return max(1, (sw*h+sh/2)/sh), h
}
