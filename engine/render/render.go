// Package render draws pictures about generated images: the likelihood
// map (each patch tinted by its −log p) and time-lapse animations of an
// image appearing patch by patch.
package render

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"math"

	"github.com/nfnt/resize"

	"github.com/tessera-studio/tessera/engine/codebook"
)

// NLLMap draws the likelihood map: per-patch −log p values (raster order,
// rows×cols, nats) as a picture with
// p×p pixels a patch, scaled to at least 256 pixels wide but no taller than
// codebook.MaxImageSide (the map of an extended picture 1,024 rows tall was
// 32,768 px, more than Tessera opens), from dark blue (0) through green to
// yellow (top, and any value past it): the "inferno"-like ramp people read
// as cold to hot. top is SurpriseTop of the model's codebook, one scale for
// every image so that maps compare (a top of 0 or less: the largest value).
func NLLMap(values []float64, rows, cols, p int, top float64) *image.NRGBA {
	scale := max(1, min(256/max(cols*p, 1), codebook.MaxImageSide/max(rows*p, 1)))
	side := p * scale
	img := image.NewNRGBA(image.Rect(0, 0, cols*side, rows*side))
	if top <= 0 {
		for _, v := range values {
			top = math.Max(top, v)
		}
	}
	for i, v := range values {
		if i >= rows*cols {
			break
		}
		t := 0.0
		if top > 0 {
			t = v / top
		}
		c := Ramp(t)
		r, col := i/cols, i%cols
		for y := r * side; y < (r+1)*side; y++ {
			for x := col * side; x < (col+1)*side; x++ {
				img.SetNRGBA(x, y, c)
			}
		}
	}
	return img
}

// SurpriseTop is the top of the likelihood map's scale for a model of
// codes codes: ln(codes) nats, the surprise of a uniform guess among them
// (6.93 nats for 1,024). A patch drawn as likely as a blind guess, or
// less, is as hot as the map shows; a near-perfect image stays dark rather
// than being stretched to the full ramp.
func SurpriseTop(codes int) float64 { return math.Log(float64(max(codes, 2))) }

// Ramp maps t in [0,1] to a colour from dark blue through green to yellow.
func Ramp(t float64) color.NRGBA {
	t = math.Max(0, math.Min(1, t))
	stops := []color.NRGBA{{20, 12, 80, 255}, {40, 110, 150, 255}, {60, 180, 100, 255}, {250, 230, 40, 255}}
	f := t * float64(len(stops)-1)
	i := min(int(f), len(stops)-2)
	u := f - float64(i)
	a, b := stops[i], stops[i+1]
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + u*(float64(y)-float64(x)))) }
	return color.NRGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 255}
}

// Timelapse builds an animation of an image appearing patch by patch:
// frame j shows the first k_j of n patches (prefix(k) draws them), at most
// maxFrames frames, on white, scaled up by the whole factor scale with
// nearest neighbour (each pixel a scale×scale block). The frames share one
// palette of at most 256 colours chosen for them by median cut (white
// first), without dithering: a generated picture's flat areas stay flat,
// and mapping a frame costs a lookup per distinct colour, not per pixel.
// progress, when set, is called after each frame with the frames made and
// their total. It stops with ctx's error when ctx is done.
func Timelapse(ctx context.Context, prefix func(k int) image.Image, n, maxFrames, scale, delay int, progress func(done, total int)) (*gif.GIF, error) {
	step, total := timelapseStep(n, maxFrames)
	scale = max(scale, 1)
	var frames []*image.NRGBA // each on white
	for k := 0; ; k += step {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("time-lapse: %w", err)
		}
		k = min(k, n)
		frames = append(frames, codebook.Flatten(prefix(k)))
		if progress != nil {
			progress(len(frames), total)
		}
		if k == n {
			break
		}
	}
	pal := medianCut(frames...)
	cache := map[[3]uint8]uint8{}
	anim := &gif.GIF{}
	for _, f := range frames {
		if err := ctx.Err(); err != nil { // scaling and mapping a thousand large frames takes seconds
			return nil, fmt.Errorf("time-lapse: %w", err)
		}
		anim.Image = append(anim.Image, paletted(f, scale, pal, cache))
		anim.Delay = append(anim.Delay, delay)
	}
	anim.Delay[len(anim.Delay)-1] = max(200, delay) // held 2 s at least (a slower animation's last frame was the shortest)
	return anim, nil
}

// timelapseStep is how many patches a frame of Timelapse adds (step) and
// how many frames it draws (total: the empty picture, then every step
// patches, the last frame the whole) for n patches in at most maxFrames.
func timelapseStep(n, maxFrames int) (step, total int) {
	step = max(1, (n+maxFrames-2)/max(maxFrames-1, 1))
	return step, (n+step-1)/step + 1
}

// MaxGIFSide is the longest side of a GIF frame, in pixels (the format's
// 16-bit sizes; image/gif refuses more).
const MaxGIFSide = 1<<16 - 1

// MaxTimelapseBytes bounds the memory a Timelapse may hold (CheckTimelapse).
const MaxTimelapseBytes = 2 << 30

// CheckTimelapse says, before any drawing, whether Timelapse of n patches
// of a w×h picture in at most maxFrames frames at scale fits: each scaled
// frame within MaxGIFSide, and the frames (w×h RGBA each, then w×h×scale²
// palette indices) within MaxTimelapseBytes. A time-lapse of a tall
// picture at --frames 4096 --scale 16 held 18.5 GB when it was killed.
func CheckTimelapse(n, w, h, maxFrames, scale int) error {
	scale = max(scale, 1)
	if sw, sh := w*scale, h*scale; sw > MaxGIFSide || sh > MaxGIFSide {
		return fmt.Errorf("a frame would be %d×%d px: a GIF's side is at most %d px (give a smaller scale)", sw, sh, MaxGIFSide)
	}
	_, frames := timelapseStep(n, maxFrames)
	bytes := int64(frames) * int64(w) * int64(h) * (4 + int64(scale)*int64(scale))
	if bytes > MaxTimelapseBytes {
		return fmt.Errorf("%d frames of %d×%d px would take about %.1f GB of memory (at most %.0f GB): give fewer frames or a smaller scale",
			frames, w*scale, h*scale, float64(bytes)/1e9, float64(MaxTimelapseBytes)/1e9)
	}
	return nil
}

// SheetSize is the width and height in pixels of a Sheet of rows × cols
// cells of cell pixels with gap pixels between and around them.
func SheetSize(rows, cols, cell, gap int) (w, h int) {
	return cols*cell + (cols+1)*gap, rows*cell + (rows+1)*gap
}

// Sheet lays images out on a white grid of cols columns, each cell
// cell×cell pixels (images scaled up by nearest neighbour to fit, centred)
// with gap pixels between cells; rows holds one slice of images per row.
func Sheet(rows [][]image.Image, cell, gap int) *image.NRGBA {
	cols := 0
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	w, h := SheetSize(len(rows), cols, cell, gap)
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.Draw(out, out.Rect, image.White, image.Point{}, draw.Src)
	for ri, r := range rows {
		for ci, img := range r {
			if img == nil {
				continue
			}
			b := img.Bounds()
			s := max(1, min(cell/max(b.Dx(), 1), cell/max(b.Dy(), 1)))
			x0 := gap + ci*(cell+gap) + (cell-s*b.Dx())/2
			y0 := gap + ri*(cell+gap) + (cell-s*b.Dy())/2
			for y := range b.Dy() * s {
				for x := range b.Dx() * s {
					out.Set(x0+x, y0+y, img.At(b.Min.X+x/s, b.Min.Y+y/s))
				}
			}
		}
	}
	return out
}

// Upscale enlarges img factor times (factor ≤ 1 returns img): nearest
// neighbour keeps the pixels crisp squares, smooth uses nfnt/resize's
// Lanczos-3. A picture with transparent pixels keeps valid colours: the
// Lanczos lobes overshoot, and a colour above its alpha (premultiplied)
// decoded to stray greens and magentas where a picture fades out, so each
// is clamped to its pixel's alpha.
func Upscale(img image.Image, factor int, smooth bool) image.Image {
	if factor <= 1 {
		return img
	}
	interp := resize.NearestNeighbor
	if smooth {
		interp = resize.Lanczos3
	}
	b := img.Bounds()
	out := resize.Resize(uint(b.Dx()*factor), uint(b.Dy()*factor), img, interp)
	if rgba, ok := out.(*image.RGBA); ok && smooth {
		for i := 0; i < len(rgba.Pix); i += 4 {
			a := rgba.Pix[i+3]
			rgba.Pix[i] = min(rgba.Pix[i], a)
			rgba.Pix[i+1] = min(rgba.Pix[i+1], a)
			rgba.Pix[i+2] = min(rgba.Pix[i+2], a)
		}
	}
	return out
}
