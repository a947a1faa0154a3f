package edit

import (
	"image"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/nfnt/resize"

	"github.com/tessera-studio/tessera/engine/codebook"
)

// The pixel operations below work on opaque images (data's samples are
// composited on white) and return new images of the same size with the
// top-left corner at (0, 0); their results are exact functions of the
// input, the targets of the pixel-operation families.

// MirrorImage returns img mirrored left to right.
func MirrorImage(img *image.NRGBA) *image.NRGBA { return orientation{h: true}.apply(img) }

// GrayImage returns img in shades of grey: every channel set to the
// ITU-R BT.601 luma 0.299 R + 0.587 G + 0.114 B, rounded.
func GrayImage(img *image.NRGBA) *image.NRGBA {
	out := clone(img)
	for i := 0; i < len(out.Pix); i += 4 {
		r, g, b := float64(out.Pix[i]), float64(out.Pix[i+1]), float64(out.Pix[i+2])
		y := uint8(math.Round(0.299*r + 0.587*g + 0.114*b))
		out.Pix[i], out.Pix[i+1], out.Pix[i+2] = y, y, y
	}
	return out
}

// InvertImage returns img with every colour channel c replaced by 255 − c
// (the white background turns black).
func InvertImage(img *image.NRGBA) *image.NRGBA {
	out := clone(img)
	for i := 0; i < len(out.Pix); i += 4 {
		out.Pix[i], out.Pix[i+1], out.Pix[i+2] = 255-out.Pix[i], 255-out.Pix[i+1], 255-out.Pix[i+2]
	}
	return out
}

// RecolorImage sets the hue of every coloured pixel to hue degrees in HSV,
// keeping its saturation and value: white, greys and black (no saturation)
// are unchanged, so the white background stays white.
func RecolorImage(img *image.NRGBA, hue float64) *image.NRGBA {
	out := clone(img)
	h := math.Mod(hue, 360)
	if h < 0 {
		h += 360
	}
	for i := 0; i < len(out.Pix); i += 4 {
		r, g, b := out.Pix[i], out.Pix[i+1], out.Pix[i+2]
		hi, lo := max(r, g, b), min(r, g, b)
		if hi == lo {
			continue
		}
		v := float64(hi)
		s := float64(hi-lo) / v
		out.Pix[i], out.Pix[i+1], out.Pix[i+2] = hsv(h, s, v)
	}
	return out
}

// hsv converts a colour given by hue (degrees), saturation ([0, 1]) and
// value ([0, 255]) to rounded RGB.
func hsv(h, s, v float64) (r, g, b uint8) {
	c := v * s
	hp := h / 60
	x := c * (1 - math.Abs(math.Mod(hp, 2)-1))
	var rf, gf, bf float64
	switch {
	case hp < 1:
		rf, gf = c, x
	case hp < 2:
		rf, gf = x, c
	case hp < 3:
		gf, bf = c, x
	case hp < 4:
		gf, bf = x, c
	case hp < 5:
		rf, bf = x, c
	default:
		rf, bf = c, x
	}
	m := v - c
	to8 := func(f float64) uint8 { return uint8(math.Round(min(255, max(0, f+m)))) }
	return to8(rf), to8(gf), to8(bf)
}

// whiteTol is how far below 255 a channel may be for Exterior to count
// the pixel as background white.
const whiteTol = 2

// Exterior marks the white background around the picture: the pixels
// whose channels are all within tol of 255 and that connect to the image
// border through such pixels (4-neighbours). The result is one bool a pixel,
// raster order. White inside the picture (eyes, a white outline's inside)
// is not exterior.
func Exterior(img *image.NRGBA, tol uint8) []bool {
	src := normalized(img)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	white := func(i int) bool {
		p := src.Pix[src.PixOffset(i%w, i/w):]
		return p[0] >= 255-tol && p[1] >= 255-tol && p[2] >= 255-tol
	}
	out := make([]bool, w*h)
	eachGroup(w, h, white, func(group []int) {
		if slices.ContainsFunc(group, func(i int) bool { x, y := i%w, i/w; return x == 0 || y == 0 || x == w-1 || y == h-1 }) {
			for _, i := range group {
				out[i] = true
			}
		}
	})
	return out
}

// eachGroup calls fn with each group of 4-connected pixels (indices in
// raster order of a w×h image) for which in is true.
func eachGroup(w, h int, in func(i int) bool, fn func(group []int)) {
	seen := make([]bool, w*h)
	var group, stack []int
	for start := range w * h {
		if seen[start] || !in(start) {
			continue
		}
		group, stack = group[:0], append(stack[:0], start)
		seen[start] = true
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			group = append(group, i)
			eachNeighbour4(w, h, i, func(j int) {
				if !seen[j] && in(j) {
					seen[j] = true
					stack = append(stack, j)
				}
			})
		}
		fn(group)
	}
}

// eachNeighbour4 calls fn with the index of each of pixel i's four
// neighbours (left, right, above, below) inside a w×h image, raster order.
func eachNeighbour4(w, h, i int, fn func(j int)) {
	x, y := i%w, i/w
	if x > 0 {
		fn(i - 1)
	}
	if x < w-1 {
		fn(i + 1)
	}
	if y > 0 {
		fn(i - w)
	}
	if y < h-1 {
		fn(i + w)
	}
}

// Coverage estimates how much of each pixel the picture covers (an alpha
// in [0, 1], raster order) from an image on white: 0 on the Exterior, 1
// inside, and on the antialiased rim (pixels next to the exterior, 8
// neighbours) 1 − min(R, G, B)/255, the coverage that would lighten its
// darkest channel that far if the picture were black there.
func Coverage(img *image.NRGBA) []float64 {
	src := normalized(img)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	ext := Exterior(src, whiteTol)
	a := make([]float64, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			if ext[i] {
				continue
			}
			a[i] = 1
			if touches(ext, w, h, x, y) { // the rim
				p := src.Pix[src.PixOffset(x, y):]
				a[i] = 1 - float64(min(p[0], p[1], p[2]))/255
			}
		}
	}
	return a
}

// OverBackground puts the picture of img (on white) over bg (the same
// size): each pixel c of coverage a (Coverage) becomes c + (1 − a)·(bg − 255),
// which replaces the white that showed through by the background. Pixels
// inside the picture are unchanged, so removing the background gives img
// back exactly.
func OverBackground(img, bg *image.NRGBA) *image.NRGBA {
	out := clone(img)
	back := normalized(bg)
	a := Coverage(out)
	for i, cov := range a {
		if cov >= 1 {
			continue
		}
		for c := 0; c < 3; c++ {
			v := float64(out.Pix[4*i+c]) + (1-cov)*(float64(back.Pix[4*i+c])-255)
			out.Pix[4*i+c] = uint8(math.Round(min(255, max(0, v))))
		}
	}
	return out
}

// BackgroundKind is a way to draw a background.
type BackgroundKind int

// The background kinds of the background family.
const (
	Flat BackgroundKind = iota
	Gradient
	Stripes
	Checks
	Noise
	BlurredCrop // a blurred, enlarged crop of the middle of another emoji
	numBackgrounds
)

// String names the kind.
func (k BackgroundKind) String() string {
	return [...]string{"flat", "gradient", "stripes", "checks", "noise", "blurred crop"}[k]
}

// backgroundColor draws a colour at least 40 levels from white in some
// channel, so a background never passes for white.
func backgroundColor(r *rand.Rand) [3]float64 {
	for {
		c := [3]float64{float64(r.IntN(256)), float64(r.IntN(256)), float64(r.IntN(256))}
		if min(c[0], c[1], c[2]) <= 215 {
			return c
		}
	}
}

// MakeBackground draws a w×h background of kind from r; other is the image
// a BlurredCrop is cut from (ignored by the other kinds).
func MakeBackground(kind BackgroundKind, w, h int, r *rand.Rand, other *image.NRGBA) *image.NRGBA {
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	set := func(x, y int, c [3]float64) {
		p := out.Pix[out.PixOffset(x, y):]
		p[0], p[1], p[2], p[3] = uint8(math.Round(c[0])), uint8(math.Round(c[1])), uint8(math.Round(c[2])), 255
	}
	a, b := backgroundColor(r), backgroundColor(r)
	switch kind {
	case Flat:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				set(x, y, a)
			}
		}
	case Gradient:
		ang := r.Float64() * 2 * math.Pi
		dx, dy := math.Cos(ang), math.Sin(ang)
		span := math.Abs(dx)*float64(w-1) + math.Abs(dy)*float64(h-1)
		off := min(0, dx*float64(w-1)) + min(0, dy*float64(h-1))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				t := (dx*float64(x) + dy*float64(y) - off) / max(span, 1)
				set(x, y, [3]float64{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1]), a[2] + t*(b[2]-a[2])})
			}
		}
	case Stripes, Checks:
		period := 4 + r.IntN(13)
		dir := r.IntN(3) // horizontal, vertical, diagonal stripes
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				var on bool
				switch {
				case kind == Checks:
					on = (x/period+y/period)%2 == 0
				case dir == 0:
					on = (y/period)%2 == 0
				case dir == 1:
					on = (x/period)%2 == 0
				default:
					on = ((x+y)/period)%2 == 0
				}
				if on {
					set(x, y, a)
				} else {
					set(x, y, b)
				}
			}
		}
	case Noise:
		cell := 1 + r.IntN(4)
		amp := 30 + r.Float64()*70
		for y := 0; y < h; y += cell {
			for x := 0; x < w; x += cell {
				c := [3]float64{}
				for k := range c {
					c[k] = min(225, max(0, a[k]+(r.Float64()*2-1)*amp))
				}
				for yy := y; yy < min(h, y+cell); yy++ {
					for xx := x; xx < min(w, x+cell); xx++ {
						set(xx, yy, c)
					}
				}
			}
		}
	case BlurredCrop:
		if other == nil || other.Rect.Empty() {
			return MakeBackground(Flat, w, h, r, nil)
		}
		src := normalized(other)
		sw, sh := src.Rect.Dx(), src.Rect.Dy()
		// A crop of 1/4 … 1/2 of the side from the middle, where the
		// picture is, so that the background is not mostly white.
		side := max(1, min(sw, sh)*(2+r.IntN(3))/8)
		mx, my := min(sw/8, (sw-side)/2), min(sh/8, (sh-side)/2)
		x0, y0 := mx+r.IntN(sw-side-2*mx+1), my+r.IntN(sh-side-2*my+1)
		crop := src.SubImage(image.Rect(x0, y0, x0+side, y0+side))
		big := codebook.Flatten(resize.Resize(uint(w), uint(h), crop, resize.Bilinear))
		blurred := boxBlur(big, 2+r.IntN(3))
		copy(out.Pix, blurred.Pix)
	}
	return out
}

// boxBlur blurs img with a (2·radius+1)² box, twice (close to a Gaussian),
// clamping at the edges.
func boxBlur(img *image.NRGBA, radius int) *image.NRGBA {
	cur := clone(img)
	w, h := cur.Rect.Dx(), cur.Rect.Dy()
	tmp := image.NewNRGBA(cur.Rect)
	for pass := 0; pass < 4; pass++ { // horizontal, vertical, twice
		horiz := pass%2 == 0
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				var s [3]int
				for d := -radius; d <= radius; d++ {
					xx, yy := x, y
					if horiz {
						xx = min(w-1, max(0, x+d))
					} else {
						yy = min(h-1, max(0, y+d))
					}
					p := cur.Pix[cur.PixOffset(xx, yy):]
					s[0], s[1], s[2] = s[0]+int(p[0]), s[1]+int(p[1]), s[2]+int(p[2])
				}
				n := 2*radius + 1
				q := tmp.Pix[tmp.PixOffset(x, y):]
				q[0], q[1], q[2], q[3] = uint8((s[0]+n/2)/n), uint8((s[1]+n/2)/n), uint8((s[2]+n/2)/n), 255
			}
		}
		cur, tmp = tmp, cur
	}
	return cur
}

// normalized returns img with its top-left corner at (0, 0) (img itself
// when it already is).
func normalized(img *image.NRGBA) *image.NRGBA {
	if img.Rect.Min == (image.Point{}) {
		return img
	}
	return clone(img)
}

// clone copies img into a new image whose top-left corner is (0, 0).
func clone(img *image.NRGBA) *image.NRGBA {
	b := img.Rect
	out := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		copy(out.Pix[out.PixOffset(0, y):][:4*b.Dx()], img.Pix[img.PixOffset(b.Min.X, b.Min.Y+y):][:4*b.Dx()])
	}
	return out
}

// WhiteBackground reports whether img's background is white already: at
// least 95% of its border pixels (the outermost ring) are within 16/255 of
// white in every channel, as a picture on white still is after an image
// tokenizer's round trip. Removing such a background has nothing to do.
func WhiteBackground(img *image.NRGBA) bool {
	src := normalized(img)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	if w == 0 || h == 0 {
		return false
	}
	white, n := 0, 0
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if x != 0 && y != 0 && x != w-1 && y != h-1 {
				continue
			}
			n++
			p := src.Pix[src.PixOffset(x, y):]
			if p[0] >= 255-16 && p[1] >= 255-16 && p[2] >= 255-16 {
				white++
			}
		}
	}
	return white*100 >= n*95
}
