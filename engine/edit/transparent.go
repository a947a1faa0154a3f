package edit

import (
	"image"

	"github.com/tessera-studio/tessera/engine/codebook"
)

// BackgroundTolerance is how far from white (in 8-bit levels, every
// channel) a pixel of a white background may be: the tokenizer redraws
// white a few levels off (the emoji model's backgrounds are mostly 248–255),
// but a cloud's or a snowman's body is a light grey of 236–244 that a
// larger tolerance let the background flood into.
const BackgroundTolerance = 10

// TransparentBackground returns img (any image; opaque, as Tessera's
// pictures are) with its white background made transparent, for a
// sticker: the near-white pixels (every channel within BackgroundTolerance
// of 255) joined to the picture's border through other such pixels become
// fully transparent, and the pixels touching them are unmixed from white:
// a pixel read as a blend of white and its most coloured neighbour gets
// the blend's share as its alpha and the colour that composites over white
// back to what it was (as GIMP's "Color to Alpha" does, with the
// neighbour's distance from white in place of full), so an anti-aliased
// edge fades out instead of keeping a white fringe, and the picture's own
// outer pixels stay opaque. White inside the picture
// (the whites of eyes, a white shape) stays opaque. The result is the size
// of img with its top-left corner at (0, 0).
func TransparentBackground(img image.Image) *image.NRGBA {
	src := codebook.Flatten(img)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	out := clone(src)
	if w == 0 || h == 0 {
		return out
	}
	bg := Exterior(src, BackgroundTolerance) // joined to the border, 4-neighbours
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			p := out.Pix[4*i:]
			switch {
			case bg[i]:
				p[0], p[1], p[2], p[3] = 0, 0, 0, 0
			case whiteDistance(p) > BackgroundTolerance && touches(bg, w, h, x, y):
				// Near-white pixels that are not background are inside
				// the picture (white meeting it at a corner only): kept.
				unmixWhite(p, neighbourDistance(src, bg, w, h, x, y))
			}
		}
	}
	return out
}

// touches reports whether pixel (x, y) has a background pixel among its
// eight neighbours.
func touches(bg []bool, w, h, x, y int) bool {
	for dy := -1; dy <= 1; dy++ {
		for dx := -1; dx <= 1; dx++ {
			nx, ny := x+dx, y+dy
			if (dx != 0 || dy != 0) && nx >= 0 && ny >= 0 && nx < w && ny < h && bg[ny*w+nx] {
				return true
			}
		}
	}
	return false
}

// whiteDistance is how far the NRGBA pixel p is from white: its largest
// distance over the channels, 0…255.
func whiteDistance(p []uint8) int {
	return 255 - int(min(p[0], p[1], p[2]))
}

// neighbourDistance is the largest whiteDistance among the pixels around
// (x, y), not (x, y) itself, that are not background: the colour an edge
// pixel blends with white. An isolated speck has none (0): it is then
// unmixed from white itself and fades, where measured against itself it
// stayed opaque (the grey specks a tokenizer leaves in a background
// showed over a coloured page).
func neighbourDistance(src *image.NRGBA, bg []bool, w, h, x, y int) int {
	d := 0
	for dy := -1; dy <= 1; dy++ {
		for dx := -1; dx <= 1; dx++ {
			nx, ny := x+dx, y+dy
			if (dx != 0 || dy != 0) && nx >= 0 && ny >= 0 && nx < w && ny < h && !bg[ny*w+nx] {
				d = max(d, whiteDistance(src.Pix[src.PixOffset(nx, ny):]))
			}
		}
	}
	return d
}

// unmixWhite turns the opaque NRGBA pixel p, read as a blend of white and a
// colour at distance full from white, into that colour with the blend's
// share as alpha: composited over white it gives p back. A pixel nearly as
// far from white as full stays as it is, opaque; one with nothing coloured
// around it (full within 3 tolerances of white) is unmixed from white
// itself, as Color to Alpha does.
func unmixWhite(p []uint8, full int) {
	d := whiteDistance(p)
	if full <= 3*BackgroundTolerance {
		// Nothing coloured around it: a speck of the background the
		// tokenizer drew a little off white, faded by its own distance.
		full = 255
	}
	switch {
	case d == 0:
		p[0], p[1], p[2], p[3] = 0, 0, 0, 0
		return
	case d*20 >= full*19: // at least 95% of the colour: the picture's own pixel
		return
	}
	// c = c'·a + 255·(1−a) with a = d/full, so c' = 255 − (255−c)·full/d.
	for ch := range 3 {
		p[ch] = uint8(max(0, 255-((255-int(p[ch]))*full+d/2)/d))
	}
	p[3] = uint8((d*255 + full/2) / full)
}
