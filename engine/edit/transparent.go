package edit

import (
	"image"
	"slices"

	"github.com/tessera-studio/tessera/engine/codebook"
)

// BackgroundTolerance is how far from white (in 8-bit levels, every
// channel) a pixel of a white background may be: the tokenizer redraws
// white a few levels off (the emoji model's backgrounds are mostly 248–255),
// but a cloud's or a snowman's body is a light grey of 236–244 that a
// larger tolerance let the background flood into.
const BackgroundTolerance = 10

// paleDistance is how far from white (whiteDistance) a pixel is pale: a
// neighbour within it is nothing coloured to read an edge against, and a
// rim pixel within it may be the tokenizer's tint of the background.
const paleDistance = 3 * BackgroundTolerance

// TransparentBackground returns img (any image; opaque, as Tessera's
// pictures are) with its white background made transparent, for a
// sticker: the near-white pixels (every channel within BackgroundTolerance
// of 255) joined to the picture's border through other such pixels become
// fully transparent, with the tokenizer's pale specks in it and near-white
// dots on the picture's rim (joinPaleSpecks), and the pixels touching them
// are unmixed from white: a pixel read as a blend of white and a
// neighbour's colour (edgeColour) gets the blend's share as its alpha and
// the colour that composites over white back to what it was (as GIMP's
// "Color to Alpha" does, with the neighbour's distance from white in
// place of full), so an anti-aliased edge fades out instead of keeping a
// white fringe, and the picture's own outer pixels stay opaque. An edge
// anti-aliased over two pixels is unmixed in both: the pixels touching one
// that faded to under half opacity against a coloured neighbour are
// unmixed too. White inside the picture (the whites of eyes, a white
// shape) stays opaque. The result is the size of img with its top-left
// corner at (0, 0).
func TransparentBackground(img image.Image) *image.NRGBA {
	src := codebook.Flatten(img)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	out := clone(src)
	if w == 0 || h == 0 {
		return out
	}
	bg := Exterior(src, BackgroundTolerance) // joined to the border, 4-neighbours
	joinPaleSpecks(src, bg)
	// The rim: the pixels touching the background, then those touching a
	// rim pixel that faded to under half opacity against a coloured
	// neighbour (an edge anti-aliased over two pixels kept its inner, pale
	// one opaque: a light rim over a dark page). Not against white: a
	// faint outline fades by its own distance, and the light body inside
	// it stays.
	faded := slices.Clone(bg)
	unmixed := make([]bool, w*h)
	for pass := range 2 {
		near := slices.Clone(faded)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				i := y*w + x
				p := out.Pix[4*i:]
				switch {
				case bg[i]:
					p[0], p[1], p[2], p[3] = 0, 0, 0, 0
				case !unmixed[i] && whiteDistance(p) > BackgroundTolerance && touches(near, w, h, x, y):
					// Near-white pixels that are not background are inside
					// the picture (white meeting it at a corner, between
					// coloured pixels): kept.
					unmixed[i] = true
					c := edgeColour(src, bg, w, h, x, y)
					unmixWhite(p, c)
					faded[i] = pass == 0 && p[3] < 128 && whiteDistance(c[:]) > paleDistance
				}
			}
		}
	}
	return out
}

// DarkBorder reports whether the pixels on img's border are dark: their
// mean luma (Rec. 601, 0…255) under a quarter of white's. A picture drawn
// on black, as the MNIST model draws its digits, has no white around it
// for TransparentBackground to clear.
func DarkBorder(img image.Image) bool {
	src := codebook.Flatten(img)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	var sum float64
	n := 0
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if x == 0 || y == 0 || x == w-1 || y == h-1 {
				p := src.Pix[src.PixOffset(x, y):]
				sum += 0.299*float64(p[0]) + 0.587*float64(p[1]) + 0.114*float64(p[2])
				n++
			}
		}
	}
	return n > 0 && sum < 255.0/4*float64(n)
}

// Pale specks are the tokenizer's: a few pixels beside the background,
// each a little off white.
const (
	maxSpeckPixels   = 4                       // at most this many pixels, 4-connected
	maxSpeckDistance = 4 * BackgroundTolerance // each within this of white (whiteDistance)
)

// joinPaleSpecks adds to the background bg (raster order, of src) every
// group of pixels apart from the picture (4-connected, none background:
// a speck meeting the picture's pale rim at a corner is apart) that
// touches the background and is a speck: at most maxSpeckPixels pixels,
// each within maxSpeckDistance of white. The tokenizer tints the
// background here and there a little beyond BackgroundTolerance; unmixed
// from white such a group kept part of its opacity and showed as a pale
// speck over a dark page. A picture's own small parts (a sparkle, a dot)
// are coloured and stay, and so does a tiny picture with no background.
// It also adds each small pocket of near-white (every channel within
// BackgroundTolerance of 255, at most maxSpeckPixels pixels, 4-connected)
// that meets the background (as it was before any pocket joined it) at a
// corner and whose other neighbours are all pale: a white dot on the
// picture's pale rim stayed opaque there. White walled in by the picture
// (the centre of a small outlined diamond) stays.
func joinPaleSpecks(src *image.NRGBA, bg []bool) {
	w, h := src.Rect.Dx(), src.Rect.Dy()
	dist := func(i int) int { return whiteDistance(src.Pix[4*i:]) }
	touchesBg := func(group []int, bg []bool) bool {
		return slices.ContainsFunc(group, func(i int) bool { return touches(bg, w, h, i%w, i/w) })
	}
	eachGroup(w, h, func(i int) bool { return !bg[i] }, func(group []int) {
		if len(group) <= maxSpeckPixels && touchesBg(group, bg) && !slices.ContainsFunc(group, func(i int) bool { return dist(i) > maxSpeckDistance }) {
			for _, i := range group {
				bg[i] = true
			}
		}
	})
	before := slices.Clone(bg)
	pocket := func(i int) bool { return !before[i] && dist(i) <= BackgroundTolerance }
	eachGroup(w, h, pocket, func(group []int) {
		if len(group) > maxSpeckPixels || !touchesBg(group, before) {
			return
		}
		walled := false // by the picture's own colour
		for _, i := range group {
			eachNeighbour4(w, h, i, func(j int) {
				walled = walled || !before[j] && !pocket(j) && dist(j) > maxSpeckDistance
			})
		}
		if walled {
			return
		}
		for _, i := range group {
			bg[i] = true
		}
	})
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

// edgeColour is the colour the rim pixel (x, y) of src is read as a blend
// of with white: of the pixels around it that are not background, the
// most coloured (largest whiteDistance), or for a pale pixel (within 3
// tolerances of white) the coloured one it is most a blend of (largest
// blendShare: a pale blue between a blue edge and a darker red is the
// blue's, where read against the red it vanished). An isolated speck has
// none (white): it is then unmixed from white itself and fades, where
// measured against itself it stayed opaque (the grey specks a tokenizer
// leaves in a background showed over a coloured page).
func edgeColour(src *image.NRGBA, bg []bool, w, h, x, y int) [3]uint8 {
	p := src.Pix[src.PixOffset(x, y):]
	pale := whiteDistance(p) <= paleDistance
	c, best := [3]uint8{255, 255, 255}, 0.0
	for dy := -1; dy <= 1; dy++ {
		for dx := -1; dx <= 1; dx++ {
			nx, ny := x+dx, y+dy
			if (dx == 0 && dy == 0) || nx < 0 || ny < 0 || nx >= w || ny >= h || bg[ny*w+nx] {
				continue
			}
			q := src.Pix[src.PixOffset(nx, ny):]
			score := float64(whiteDistance(q))
			if pale && whiteDistance(q) > paleDistance {
				// above any uncoloured neighbour's 0…30
				score = paleDistance + 1 + blendShare(p, [3]uint8{q[0], q[1], q[2]})
			}
			if score > best {
				c, best = [3]uint8{q[0], q[1], q[2]}, score
			}
		}
	}
	return c
}

// blendShare is how much of the colour c the pixel p is, read as a blend
// of c and white (0…1): its distance from white over c's (over full white
// distance, 255, for a c within 3 tolerances of white: nothing coloured),
// and for a pale p (within 3 tolerances of white) at most the projection of
// its distance from white on c's, so that a pale pixel of another tint (a
// light cyan speck beside a red edge) is no blend of c.
func blendShare(p []uint8, c [3]uint8) float64 {
	d, full := whiteDistance(p), whiteDistance(c[:])
	coloured := full > paleDistance
	if !coloured {
		full = 255
	}
	share := float64(d) / float64(full)
	if d <= paleDistance && coloured {
		var dot, norm float64
		for ch := range 3 {
			u, v := 255-float64(p[ch]), 255-float64(c[ch])
			dot += u * v
			norm += v * v
		}
		share = min(share, max(dot/norm, 0))
	}
	return min(share, 1)
}

// unmixWhite turns the opaque NRGBA pixel p, read as a blend of white and
// the colour c, into that colour with the blend's share (blendShare) as
// alpha: composited over white it gives p back (where p is an exact blend).
// A pixel nearly as far from white as c stays as it is, opaque; one with
// nothing coloured around it (c within 3 tolerances of white) is unmixed
// from white itself, as Color to Alpha does; a pale pixel of another tint
// than c's keeps only the part of it along c, so it fades out where
// unmixed by distance it showed as a bright speck at nearly half opacity
// over a dark page.
func unmixWhite(p []uint8, c [3]uint8) {
	d, full := whiteDistance(p), whiteDistance(c[:])
	if full <= paleDistance {
		full = 255
	}
	if d*20 >= full*19 && d > 0 { // at least 95% of the colour: the picture's own pixel
		return
	}
	alpha := blendShare(p, c)
	a := uint8(alpha*255 + 0.5)
	if a == 0 {
		p[0], p[1], p[2], p[3] = 0, 0, 0, 0
		return
	}
	// p = c'·a + 255·(1−a), so c' = 255 − (255−p)/a (clamped where p is
	// no exact blend).
	for ch := range 3 {
		p[ch] = uint8(max(0, 255-(255-float64(p[ch]))/alpha+0.5))
	}
	p[3] = a
}
