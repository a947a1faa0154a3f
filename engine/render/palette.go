package render

import (
	"image"
	"image/color"
	"slices"
)

// maxPalette is the most colours a GIF frame holds.
const maxPalette = 256

// rgbAt is pixel i (raster order) of flat, an opaque picture with its
// origin at (0, 0) and no padding (codebook.Flatten's).
func rgbAt(flat *image.NRGBA, i int) [3]uint8 {
	p := flat.Pix[4*i:]
	return [3]uint8{p[0], p[1], p[2]}
}

// colorCount is one distinct colour and how many pixels have it.
type colorCount struct {
	c [3]uint8
	n int
}

// medianCut picks at most maxPalette colours for the pixels of frames
// (pictures flattened on white, codebook.Flatten) by median cut (Heckbert, "Color image quantization for
// frame buffer display", SIGGRAPH 1982): the box of colours with the widest
// channel range is split at the pixel-weighted median of that channel
// until there are enough boxes, and each box gives its pixel-weighted mean.
// White is always the first colour (the background frames start from);
// pictures with few enough distinct colours keep them all, exactly.
func medianCut(frames ...*image.NRGBA) color.Palette {
	white := [3]uint8{255, 255, 255}
	counts := map[[3]uint8]int{}
	for _, f := range frames {
		for i := range len(f.Pix) / 4 {
			if c := rgbAt(f, i); c != white {
				counts[c]++
			}
		}
	}
	colors := make([]colorCount, 0, len(counts))
	for c, n := range counts {
		colors = append(colors, colorCount{c, n})
	}
	// A fixed order, so that equal inputs give equal palettes.
	slices.SortFunc(colors, func(a, b colorCount) int {
		return int(a.c[0])<<16 + int(a.c[1])<<8 + int(a.c[2]) - (int(b.c[0])<<16 + int(b.c[1])<<8 + int(b.c[2]))
	})
	pal := color.Palette{color.RGBA{255, 255, 255, 255}}
	if len(colors) == 0 {
		return pal
	}
	boxes := [][]colorCount{colors}
	for len(boxes) < maxPalette-1 {
		best, bestRange, bestCh := -1, 0, 0
		for i, box := range boxes {
			if ch, r := widestChannel(box); r > bestRange {
				best, bestRange, bestCh = i, r, ch
			}
		}
		if best < 0 {
			break // every box holds one colour
		}
		box := boxes[best]
		slices.SortStableFunc(box, func(a, b colorCount) int { return int(a.c[bestCh]) - int(b.c[bestCh]) })
		total := 0
		for _, c := range box {
			total += c.n
		}
		cut, seen := 1, 0
		for i, c := range box[:len(box)-1] {
			seen += c.n
			if 2*seen >= total {
				cut = i + 1
				break
			}
		}
		boxes[best] = box[:cut:cut]
		boxes = append(boxes, box[cut:])
	}
	for _, box := range boxes {
		var sum [3]int
		n := 0
		for _, c := range box {
			for ch := range 3 {
				sum[ch] += int(c.c[ch]) * c.n
			}
			n += c.n
		}
		pal = append(pal, color.RGBA{uint8((sum[0] + n/2) / n), uint8((sum[1] + n/2) / n), uint8((sum[2] + n/2) / n), 255})
	}
	return pal
}

// widestChannel is the channel (0–2) with the widest range of values in
// box, and that range.
func widestChannel(box []colorCount) (ch, width int) {
	lo, hi := [3]uint8{255, 255, 255}, [3]uint8{}
	for _, c := range box {
		for k := range 3 {
			lo[k], hi[k] = min(lo[k], c.c[k]), max(hi[k], c.c[k])
		}
	}
	for k := range 3 {
		if w := int(hi[k]) - int(lo[k]); w > width {
			ch, width = k, w
		}
	}
	return ch, width
}

// paletted maps the pixels of flat (a picture flattened on white,
// codebook.Flatten) to the nearest colours of pal (squared RGB distance)
// and scales the result up by the whole factor scale, each pixel a
// scale×scale block, as nearest-neighbour scaling does. cache remembers
// the colours already mapped.
func paletted(flat *image.NRGBA, scale int, pal color.Palette, cache map[[3]uint8]uint8) *image.Paletted {
	w, h := flat.Rect.Dx(), flat.Rect.Dy()
	out := image.NewPaletted(image.Rect(0, 0, w*scale, h*scale), pal)
	for y := range h {
		row := out.Pix[y*scale*out.Stride:][:w*scale]
		for x := range w {
			c := rgbAt(flat, y*w+x)
			idx, ok := cache[c]
			if !ok {
				idx = nearestIndex(pal, c)
				cache[c] = idx
			}
			for k := range scale {
				row[x*scale+k] = idx
			}
		}
		for k := 1; k < scale; k++ {
			copy(out.Pix[(y*scale+k)*out.Stride:][:w*scale], row)
		}
	}
	return out
}

// nearestIndex is the index of pal's colour nearest to c.
func nearestIndex(pal color.Palette, c [3]uint8) uint8 {
	best, bestD := 0, int(^uint(0)>>1)
	for i, p := range pal {
		q := p.(color.RGBA)
		dr, dg, db := int(q.R)-int(c[0]), int(q.G)-int(c[1]), int(q.B)-int(c[2])
		if d := dr*dr + dg*dg + db*db; d < bestD {
			best, bestD = i, d
		}
	}
	return uint8(best)
}
