package data

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"
	"sort"
	"strings"
)

// CheckShapes reads a shapes picture back to its caption, the way the
// pictures are drawn (see Shapes), and reports whether it shows caption: ok
// is true when what it reads is exactly the caption's combination (colour,
// shape, count and background). got is the caption it reads, or, when the
// picture is no valid combination, a description of what it found, such as
// "red circle + blue square on yellow", "nothing on gray" or "blob (2)";
// a caption that is not a shapes caption is never ok.
//
// It works at any size (32×32 and 64×64 are tested) and tolerates the blur,
// noise and ringing of a downscaled picture or a model's sample:
//
//   - the background is the per-channel median of the border pixels, named
//     by the nearest background colour;
//   - pixels farther from it than 0.45 of the distance to the nearest shape
//     colour (up to 0.7 in a noisy picture: 4σ of the noise measured on the
//     border) form connected components (8-neighbour); components covering
//     less than a quarter of the smallest shape the dataset draws are
//     specks and are ignored;
//   - a component's colour is the mean of its core pixels (those at least
//     0.75 of the component's largest distance from the background), named
//     by the nearest shape colour;
//   - its shape is the template (circle, square, upright triangle) of the
//     component's area, centred on its centroid, whose soft edge best
//     matches the component's coverage (the pixel's share of the way from
//     the background to the named colour); a component no template fits to
//     within half its area is a "blob".
func CheckShapes(img image.Image, caption string) (ok bool, got string) {
	got = ReadShapes(img)
	want, err := ParseShapesCaption(caption)
	if err != nil {
		return false, got
	}
	return got == want.String(), got
}

// ReadShapes returns the caption CheckShapes reads in img, or its
// description of a picture that shows no valid combination.
func ReadShapes(img image.Image) string {
	r := readShapes(img)
	bgSuffix := ""
	if r.background != "" {
		bgSuffix = " on " + r.background
	}
	if r.unknownBackground {
		bgSuffix = " on unknown background"
	}
	if len(r.parts) == 0 {
		return "nothing" + bgSuffix
	}
	first := r.parts[0]
	same := true
	for _, p := range r.parts[1:] {
		same = same && p == first
	}
	if same && first.shape != "blob" && len(r.parts) <= 3 && !r.unknownBackground {
		c := ShapesCaption{Color: first.color, Shape: first.shape, Count: len(r.parts), Background: r.background}
		if c.Valid() {
			return c.String()
		}
	}
	counts := map[shapePart]int{}
	var order []shapePart
	for _, p := range r.parts {
		if counts[p] == 0 {
			order = append(order, p)
		}
		counts[p]++
	}
	sort.Slice(order, func(i, j int) bool {
		if order[i].color != order[j].color {
			return order[i].color < order[j].color
		}
		return order[i].shape < order[j].shape
	})
	var w []string
	for _, p := range order {
		s := p.color + " " + p.shape
		if counts[p] > 1 {
			s = fmt.Sprintf("%s (%d)", s, counts[p])
		}
		w = append(w, s)
	}
	return strings.Join(w, " + ") + bgSuffix
}

// shapePart is one component as read: its colour and shape words.
type shapePart struct{ color, shape string }

// shapesReading is what readShapes finds in a picture.
type shapesReading struct {
	background        string // "" for white
	unknownBackground bool   // the border colour is far from every background
	parts             []shapePart
}

// maxBackgroundDist is how far (RGB distance) the border colour may be from
// the nearest background colour to be named by it.
const maxBackgroundDist = 90

func readShapes(img image.Image) shapesReading {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	var res shapesReading
	if w < 4 || h < 4 {
		res.unknownBackground = true
		return res
	}
	pix := make([][3]float64, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
			a := float64(c.A) / 255
			pix[y*w+x] = [3]float64{
				float64(c.R)*a + 255*(1-a), float64(c.G)*a + 255*(1-a), float64(c.B)*a + 255*(1-a),
			}
		}
	}

	// Background: the median of the border, per channel.
	var border [3][]float64
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if x == 0 || y == 0 || x == w-1 || y == h-1 {
				for ch := range 3 {
					border[ch] = append(border[ch], pix[y*w+x][ch])
				}
			}
		}
	}
	var bg [3]float64
	for ch := range 3 {
		slices.Sort(border[ch])
		bg[ch] = border[ch][len(border[ch])/2]
	}
	bgName, d := nearestColor(shapeBackgrounds, bg, "")
	res.background = bgName
	res.unknownBackground = d > maxBackgroundDist

	// Foreground threshold: a share of the way to the nearest shape colour.
	nearestFg := math.Inf(1)
	for _, c := range shapeColors {
		if c.name != bgName || res.unknownBackground {
			nearestFg = min(nearestFg, rgbDist(c.rgb, bg))
		}
	}
	dist := make([]float64, w*h)
	for i, p := range pix {
		dist[i] = rgbDist(p, bg)
	}
	// Noisy pictures raise it: the border's median distance from the
	// background is about 1.54σ for Gaussian noise of σ per channel, and
	// 4σ leaves about one pixel in a thousand of pure noise above it.
	var bd []float64
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if x == 0 || y == 0 || x == w-1 || y == h-1 {
				bd = append(bd, dist[y*w+x])
			}
		}
	}
	slices.Sort(bd)
	sigma := bd[len(bd)/2] / 1.54
	thr := min(max(0.45*nearestFg, 4*sigma), 0.7*nearestFg)

	// Connected components of foreground pixels, 8-neighbour.
	label := make([]int, w*h) // 0: background, k: component k
	var comps [][]int
	for i := range pix {
		if label[i] != 0 || dist[i] <= thr {
			continue
		}
		k := len(comps) + 1
		stack := []int{i}
		label[i] = k
		var members []int
		for len(stack) > 0 {
			j := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			members = append(members, j)
			jx, jy := j%w, j/w
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					nx, ny := jx+dx, jy+dy
					if nx < 0 || ny < 0 || nx >= w || ny >= h {
						continue
					}
					n := ny*w + nx
					if label[n] == 0 && dist[n] > thr {
						label[n] = k
						stack = append(stack, n)
					}
				}
			}
		}
		comps = append(comps, members)
	}

	side := float64(min(w, h))
	minArea := 0.25 * side * side / 32 // a quarter of the smallest triangle
	for k, members := range comps {
		part, ok := readComponent(pix, dist, label, k+1, members, w, h, bg, bgName, minArea)
		if ok {
			res.parts = append(res.parts, part)
		}
	}
	return res
}

// readComponent names the colour and shape of component k (its pixel
// indices members); ok is false for a speck.
func readComponent(pix [][3]float64, dist []float64, label []int, k int, members []int, w, h int, bg [3]float64, bgName string, minArea float64) (shapePart, bool) {
	maxD := 0.0
	x0, y0, x1, y1 := w, h, -1, -1
	for _, j := range members {
		maxD = max(maxD, dist[j])
		x, y := j%w, j/w
		x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
	}
	var core [3]float64
	nCore := 0
	for _, j := range members {
		if dist[j] >= 0.75*maxD {
			for ch := range 3 {
				core[ch] += pix[j][ch]
			}
			nCore++
		}
	}
	for ch := range 3 {
		core[ch] /= float64(nCore)
	}
	colName, _ := nearestColor(shapeColors, core, bgName)

	// Coverage: each pixel's share of the way from the background to the
	// named colour, over the box around the component (pixels of other
	// components left out). The named colour, not the measured one, so that
	// a speck of noise near the background does not count as a full shape.
	const pad = 2
	x0, y0 = max(0, x0-pad), max(0, y0-pad)
	x1, y1 = min(w-1, x1+pad), min(h-1, y1+pad)
	ww, wh := x1-x0+1, y1-y0+1
	named := paletteRGB(shapeColors, colName)
	axis := [3]float64{named[0] - bg[0], named[1] - bg[1], named[2] - bg[2]}
	norm2 := axis[0]*axis[0] + axis[1]*axis[1] + axis[2]*axis[2]
	if norm2 == 0 {
		return shapePart{}, false
	}
	cov := make([]float64, ww*wh)
	var area, mx, my float64
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			j := y*w + x
			if label[j] != 0 && label[j] != k {
				continue
			}
			p := pix[j]
			t := ((p[0]-bg[0])*axis[0] + (p[1]-bg[1])*axis[1] + (p[2]-bg[2])*axis[2]) / norm2
			t = min(max(t, 0), 1)
			if label[j] == 0 && t < 0.1 {
				t = 0 // noise around the shape
			}
			cov[(y-y0)*ww+(x-x0)] = t
			area += t
			mx += t * (float64(x) + 0.5)
			my += t * (float64(y) + 0.5)
		}
	}
	if area < minArea {
		return shapePart{}, false
	}
	mx, my = mx/area, my/area
	best, bestErr := "blob", 0.5*area
	for _, kind := range shapeKinds {
		for _, soft := range []float64{1, 1.75, 2.5, 3.5} {
			e := 0.0
			for y := y0; y <= y1; y++ {
				for x := x0; x <= x1; x++ {
					tm := min(max(0.5-shapeSDF(kind, area, mx, my, float64(x)+0.5, float64(y)+0.5)/soft, 0), 1)
					e += math.Abs(cov[(y-y0)*ww+(x-x0)] - tm)
				}
			}
			if e < bestErr {
				best, bestErr = kind, e
			}
		}
	}
	return shapePart{color: colName, shape: best}, true
}

// shapeSDF is the signed distance (negative inside) from (px, py) to the
// edge of shape kind of area area whose centroid is (cx, cy).
func shapeSDF(kind string, area, cx, cy, px, py float64) float64 {
	dx, dy := px-cx, py-cy
	switch kind {
	case "circle":
		return math.Hypot(dx, dy) - math.Sqrt(area/math.Pi)
	case "square":
		a := math.Sqrt(area) / 2
		qx, qy := math.Abs(dx)-a, math.Abs(dy)-a
		return math.Hypot(max(qx, 0), max(qy, 0)) + min(max(qx, qy), 0)
	default: // upright triangle, base and height 2r, area 2r²; centroid r/3 below the box centre
		r := math.Sqrt(area / 2)
		oy := cy - r/3 // box centre
		v := [3][2]float64{{cx, oy - r}, {cx + r, oy + r}, {cx - r, oy + r}}
		return polygonSDF(v[:], px, py)
	}
}

// polygonSDF is the signed distance from (px, py) to a convex polygon with
// clockwise vertices in image coordinates (y down).
func polygonSDF(v [][2]float64, px, py float64) float64 {
	inside := true
	d := math.Inf(1)
	for i := range v {
		a, b := v[i], v[(i+1)%len(v)]
		ex, ey := b[0]-a[0], b[1]-a[1]
		wx, wy := px-a[0], py-a[1]
		if ex*wy-ey*wx < 0 {
			inside = false
		}
		t := min(max((wx*ex+wy*ey)/(ex*ex+ey*ey), 0), 1)
		d = min(d, math.Hypot(wx-t*ex, wy-t*ey))
	}
	if inside {
		return -d
	}
	return d
}

// nearestColor names the palette colour nearest to c (skipping the name
// skip) and returns its distance.
func nearestColor(palette []namedRGB, c [3]float64, skip string) (string, float64) {
	best, bestD := "", math.Inf(1)
	for _, p := range palette {
		if skip != "" && p.name == skip {
			continue
		}
		if d := rgbDist(p.rgb, c); d < bestD {
			best, bestD = p.name, d
		}
	}
	return best, bestD
}

// rgbDist is the Euclidean distance of two RGB colours (0–255 channels).
func rgbDist(a, b [3]float64) float64 {
	return math.Sqrt((a[0]-b[0])*(a[0]-b[0]) + (a[1]-b[1])*(a[1]-b[1]) + (a[2]-b[2])*(a[2]-b[2]))
}
