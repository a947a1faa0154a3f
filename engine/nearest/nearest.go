// Package nearest finds the image of a labelled set that a picture is
// closest to, and says whether the picture is a near-copy of it: the judge
// of eval-prompts (is a sample the prompted emoji?), of eval-edits (is an
// edit the exact target?) and of the studio's memorisation check (is a
// sample a new picture or one the model recalls from its training data?).
//
// Distances are squared differences of RGB bytes (over white) at the set's
// side; a search shortlists the 64 nearest 16×16 thumbnails first and
// compares those at full size, which finds the exact nearest image whenever
// it is among them (always, in practice, for pictures near a set image).
package nearest

import (
	"image"
	"math"

	"github.com/nfnt/resize"

	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/data"
)

// SamePictureDB is the PSNR in dB at or above which two pictures count as
// the same picture (near-identical to the eye): a sample this close to a
// training image is a near-copy of it, and two samples this close are one
// picture in eval-prompts' variety figures.
const SamePictureDB = 25

// thumb is the side of the shortlist thumbnails; shortlist how many nearest
// thumbnails are compared at full size.
const thumb, shortlist = 16, 64

// Set is a labelled image set prepared for nearest-neighbour search.
type Set struct {
	// Samples are the set's images with their labels (Key, Caption, Style),
	// in the order Index numbers them.
	Samples []data.Sample
	side    int
	pixels  [][]uint8 // side×side×3
	thumbs  [][]uint8 // thumb×thumb×3
}

// New prepares samples for search at side×side pixels (bilinear resizing).
func New(samples []data.Sample, side int) *Set {
	s := &Set{Samples: samples, side: side, pixels: make([][]uint8, len(samples)), thumbs: make([][]uint8, len(samples))}
	for i, smp := range samples {
		s.pixels[i] = PackRGB(smp.Image, side, resize.Bilinear)
		s.thumbs[i] = PackRGB(smp.Image, thumb, resize.Bilinear)
	}
	return s
}

// Len is the number of images in the set.
func (s *Set) Len() int { return len(s.Samples) }

// Index returns the index of the set image nearest to img (the lowest index
// among equally near ones); −1 for an empty set.
func (s *Set) Index(img image.Image) int {
	if len(s.thumbs) == 0 {
		return -1
	}
	th := PackRGB(img, thumb, resize.Bilinear)
	type cand struct {
		i int
		d int64
	}
	short := make([]cand, 0, shortlist+1)
	for i, t := range s.thumbs {
		d := sqDiff(th, t)
		if len(short) == shortlist && d >= short[len(short)-1].d {
			continue
		}
		k := len(short)
		short = append(short, cand{i, d})
		for k > 0 && short[k-1].d > d {
			short[k] = short[k-1]
			k--
		}
		short[k] = cand{i, d}
		if len(short) > shortlist {
			short = short[:shortlist]
		}
	}
	v := PackRGB(img, s.side, resize.Bilinear)
	best, bestD := short[0].i, int64(math.MaxInt64)
	for _, c := range short {
		if d := sqDiff(v, s.pixels[c.i]); d < bestD || d == bestD && c.i < best {
			best, bestD = c.i, d
		}
	}
	return best
}

// NearCopy reports whether img is a near-copy of set image i (within
// SamePictureDB) and their PSNR in dB at the set's side (+Inf when equal).
func (s *Set) NearCopy(img image.Image, i int) (bool, float64) {
	psnr := psnrBytes(PackRGB(img, s.side, resize.Bilinear), s.pixels[i])
	return psnr >= SamePictureDB, psnr
}

// Identical reports whether set images i and j have the same pixels at the
// set's side.
func (s *Set) Identical(i, j int) bool { return sqDiff(s.pixels[i], s.pixels[j]) == 0 }

// PackRGB resizes img to side×side with filter (unless it has that size),
// composites it over white and packs its pixels as RGB bytes in raster
// order (side·side·3 bytes).
func PackRGB(img image.Image, side int, filter resize.InterpolationFunction) []uint8 {
	if b := img.Bounds(); b.Dx() != side || b.Dy() != side {
		img = resize.Resize(uint(side), uint(side), img, filter)
	}
	flat := codebook.Flatten(img)
	v := make([]uint8, 0, side*side*3)
	for i := 0; i < len(flat.Pix); i += 4 {
		v = append(v, flat.Pix[i], flat.Pix[i+1], flat.Pix[i+2])
	}
	return v
}

// UnpackRGB is the opaque side×side picture of RGB bytes as PackRGB packs
// them.
func UnpackRGB(rgb []uint8, side int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, side, side))
	for i := range side * side {
		img.Pix[4*i], img.Pix[4*i+1], img.Pix[4*i+2], img.Pix[4*i+3] = rgb[3*i], rgb[3*i+1], rgb[3*i+2], 255
	}
	return img
}

// psnrBytes is the PSNR in dB of two equally long byte vectors.
func psnrBytes(a, b []uint8) float64 {
	d := sqDiff(a, b)
	if d == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255*float64(len(a))/float64(d))
}

// sqDiff is the squared distance of two byte vectors.
func sqDiff(a, b []uint8) int64 {
	var d int64
	for i := range a {
		e := int64(a[i]) - int64(b[i])
		d += e * e
	}
	return d
}
