package edit

import (
	"fmt"
	"image"
	"math"
	"slices"

	"github.com/tessera-studio/tessera/engine/guided"
)

// DetailSettings tune TransferDetail.
type DetailSettings struct {
	// Radius is the guided filter's window radius in pixels; Eps its
	// regulariser (colours in [0, 1]).
	Radius int
	Eps    float64
	// Mirrored says the edit was asked to mirror the picture left to
	// right: the source mirrored is the orientation another must beat by
	// registerMargin (TransferDetail), not the source as it is (a nearly
	// symmetric face explains a mirror about as well either way, and the
	// source's own orientation was pasted back over the mirror drawn).
	Mirrored bool
	// Below a neighbourhood's mean squared misfit (per pixel, summed over
	// the three channels, colours in [0, 1]) of Good the source's detail
	// is taken whole; above Bad the edit is kept as drawn; between, the
	// two are blended.
	Good, Bad float64
	// KeepWhite keeps the pixels the edit drew white (within
	// WhiteTolerance) as drawn: a background the edit cleared stays clear.
	KeepWhite bool
	// ColourTable, when positive, carries the edit by one table from
	// colours to colours for the whole picture, ColourTable bins a channel
	// (2–64; DetailFor), in place of the neighbourhood maps and their
	// thresholds: for edits that are a function of each pixel's colour
	// (of the source flipped, for a mirror), whose drawing the tokenizer
	// blurs and tints everywhere alike. Where the table explains the edit
	// badly (a mean misfit over TableMisfit: no function of the colours)
	// the maps are used.
	ColourTable int
	// TableMisfit is the largest mean misfit of the colour table (per
	// pixel, summed over the channels, colours in [0, 1]) at which it is
	// used (DetailFor: pixelOpMisfit or backgroundMisfit); it must be
	// positive with a colour table.
	TableMisfit float64
	// RobustTable fits the colour table robustly (refitRobustly), so
	// that a part of the picture drawn in a wrong colour does not bend
	// the map the rest follows.
	RobustTable bool
}

// DefaultDetail are the settings tessera edit, eval-edits and the studio
// start from (DetailFor). Chosen on held-out pairs 201–230 of each family, disjoint from the
// 200 that docs/eval/edit.txt reports (tessera eval-edits --skip 200
// --per-family 30): radius 1, 2 and 3, eps 1e-5 and 1e-4 and the
// thresholds (Good, Bad) (0.003, 0.015), (0.005, 0.03) and (0.01, 0.06)
// moved the families' figures by less than the gain over none,
// and KeepWhite kept the background removal's white (73.8% of the target's
// white background without it, 81.2% with, 80.1% with no transfer).
var DefaultDetail = DetailSettings{Radius: 2, Eps: 1e-4, Good: 0.005, Bad: 0.03, KeepWhite: true}

// DetailFor are the settings for an edit by instruction: DefaultDetail,
// with a colour table (ColourTable) for the families whose exact edit is
// a function of each pixel's colour: the pixel operations (mirror, black
// and white, invert, recolour: of the source flipped, for a mirror; a
// smooth map of pixelOpBins bins a channel) and background removal (the
// emoji's colours kept, the background's turned white; backgroundBins).
//
// The table against the neighbourhood maps, chosen on held-out pairs
// 201–230 (tessera eval-edits --skip 200 --per-family 30), when its
// cells held one mean colour each: background 16.90 → 19.08 dB, mirror
// 22.32 → 26.40, black and white 27.96 → 31.11, invert 18.57 → 22.94,
// recolour 23.59 → 25.05; skin tone, gender and style lost with it (the
// nearest image the exact target: 60 → 52%, 30 → 18%, 5 → 3% on pairs
// 201–300: a new shape or tone is no function of the source's colours),
// so they keep the maps, as does an instruction that is none of the
// trained wordings (Parse), and a masked edit: outside its mask the model
// gives the source back, which would teach the table that the colours the
// mask changes stay as they are.
//
// Cells holding affine maps (colourTable, 2026-12-04), on pairs 201–300
// (--per-family 100), the mean colour a cell at 8 bins → affine cells at
// 8 → at 2: background 19.51 dB and 86.0% of the white kept → 19.48 dB,
// 86.8% (at 2: not measured; at 4 with the picture's slope in every cell
// 19.12 dB); mirror 25.95 → 26.76 → 27.53; black and white 30.03 → 30.53
// → 31.63; invert 23.07 → 23.33 → 23.83; recolour 25.13 → 25.32 → 25.59
// (at 3, 4, 6 and 12 bins between, in order; one map for the whole picture
// within 0.2 dB of 2 bins for the pixel operations and 0.8 dB under 8 for
// the background).
func DetailFor(instruction string, masked bool) DetailSettings {
	s := DefaultDetail
	if f, _, ok := Parse(instruction); ok && f.ColourFunction() && !masked {
		s.ColourTable, s.TableMisfit = pixelOpBins, pixelOpMisfit
		// Recolouring keeps least squares: its map (a hue turned, white
		// kept) is no affine one, and a robust fit weighs the colours the
		// coarse table fits worst down as if they were drawn wrong
		// (refitRobustly has the figures).
		s.RobustTable = f != Recolor
		if f == Background {
			s.ColourTable, s.TableMisfit = backgroundBins, backgroundMisfit
		}
		s.Mirrored = f == Mirror
	}
	return s
}

// TransferDetail gives an edit the detail of its source picture where the
// edit is a change of colour that the source's own pixels can carry.
//
// An edit is drawn through the image tokenizer, which loses detail (the
// built-in edit model's 8×8-px codes redraw 64×64 emoji at about 22 dB
// PSNR); the source picture has it. roundTrip is the source as the
// tokenizer redraws it (the decode of its codes), so it and edited share
// the tokenizer's blur: affine colour maps fitted from roundTrip to edited
// in every neighbourhood (guided.Fit, the guided filter of He, Sun and
// Tang 2013) say what the edit did there, and applied to the source
// itself they redo it on the sharp pixels (fit on the coarse picture,
// apply to the fine one, as the Fast Guided Filter does, He and Sun 2015).
// Where the maps do not explain the edit (another style, a redrawn shape:
// the edit does not follow the source's layout) the edit is kept as drawn;
// between, the two are blended.
//
// An edit that moved the whole picture by a flip (a mirror) follows the
// source's layout flipped: the source is first registered to the edit,
// taken in the orientation (as it is, mirrored left to right, flipped top
// to bottom, or both) whose maps explain the edit best, another than as
// it is only when its mean misfit is under registerMargin of that one's.
//
// source, roundTrip and edited must have one size (the edit model's). It
// returns the picture and the share of it taken from the source (0–1).
// Errors: pictures of different sizes, a negative radius, eps ≤ 0,
// thresholds not 0 ≤ Good ≤ Bad < ∞, or a colour table of 1, fewer than 0
// or more than 64 bins a channel.
func TransferDetail(source, roundTrip, edited *image.NRGBA, s DetailSettings) (*image.NRGBA, float64, error) {
	if !(s.Good >= 0 && s.Good <= s.Bad) || math.IsInf(s.Bad, 0) {
		return nil, 0, fmt.Errorf("transfer detail: thresholds %g and %g must satisfy 0 ≤ good ≤ bad < ∞", s.Good, s.Bad)
	}
	if s.ColourTable == 1 || s.ColourTable < 0 || s.ColourTable > maxColourTable {
		return nil, 0, fmt.Errorf("transfer detail: a colour table of %d bins a channel (0: none, else 2–%d)", s.ColourTable, maxColourTable)
	}
	if s.ColourTable > 0 && !(s.TableMisfit > 0) {
		return nil, 0, fmt.Errorf("transfer detail: a colour table's largest misfit %g must be positive", s.TableMisfit)
	}
	drawn := guided.Planes(edited)
	w, h := edited.Rect.Dx(), edited.Rect.Dy()
	var (
		maps        *guided.Maps
		misfit      []float64
		mean, first float64 // the mean misfit of the orientation taken, and of the one tried first
		flip        orientation
	)
	order := orientations // the source as it is first
	if s.Mirrored {
		order[0], order[1] = order[1], order[0] // the source mirrored first
	}
	for _, o := range order {
		m, e, avg, err := fitEdit(o.apply(roundTrip), edited, drawn, s)
		if err != nil {
			return nil, 0, fmt.Errorf("transfer detail: %w", err)
		}
		if maps == nil {
			first = avg
		}
		if maps == nil || avg < registerMargin*first && avg < mean {
			maps, misfit, mean, flip = m, e, avg, o
		}
	}
	var (
		sharp  [3][]float64 // the source's pixels carried through the table or the maps
		tabled []float64    // the share of each pixel the colour table carries (nil: the maps')
	)
	if s.ColourTable > 0 {
		guide := guided.Planes(flip.apply(roundTrip))
		t := fitColourTable(guide, drawn, s.ColourTable, nil)
		// The guard reads the least-squares table's misfit, as its
		// threshold was chosen on: a robust table fits the parts drawn
		// wrong worse by design, which would send the very pictures it is
		// for to the maps.
		if t.misfit(guide, drawn) <= s.TableMisfit {
			if s.RobustTable {
				t = t.refitRobustly(guide, drawn)
			}
			sharp, tabled = t.apply(guided.Planes(flip.apply(source)))
		}
	}
	if tabled == nil {
		var err error
		if sharp, err = maps.Apply(flip.apply(source)); err != nil {
			return nil, 0, fmt.Errorf("transfer detail: source: %w", err)
		}
	}
	ed := normalized(edited)
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	var taken float64
	for i, e := range misfit {
		k := 0.0 // the share of the source's detail
		switch {
		case s.KeepWhite && min(ed.Pix[4*i], ed.Pix[4*i+1], ed.Pix[4*i+2]) >= 255-WhiteTolerance: // as WhiteKept counts white
		case tabled != nil:
			k = tabled[i]
		case e <= s.Good:
			k = 1
		case e < s.Bad:
			k = (s.Bad - e) / (s.Bad - s.Good)
		}
		taken += k
		for c := range 3 {
			v := k*sharp[c][i] + (1-k)*drawn[c][i]
			out.Pix[4*i+c] = uint8(math.Round(255 * v))
		}
		out.Pix[4*i+3] = 255
	}
	return out, taken / float64(w*h), nil
}

// registerMargin is how much better (a share of the mean misfit) a flipped
// source must explain an edit than the source as it is to be taken
// (TransferDetail): a mirror-symmetric picture explains an edit about as
// well either way, and then stays as it is. Chosen on held-out pairs
// 201–230 (tessera eval-edits --skip 200 --per-family 30): mirror 21.72,
// 22.11, 22.32 and 22.42 dB at margins 0.5, 0.7, 0.9 and 1, recolour
// 23.58–23.59 dB at each.
const registerMargin = 0.9

// orientation is a flip of a picture: left to right (h), top to bottom
// (v), both (a half turn) or neither.
type orientation struct{ h, v bool }

// orientations are the flips TransferDetail registers a source by, the
// picture as it is first.
var orientations = [...]orientation{{}, {h: true}, {v: true}, {h: true, v: true}}

// apply returns img flipped as o says (img itself for neither).
func (o orientation) apply(img *image.NRGBA) *image.NRGBA {
	if !o.h && !o.v {
		return img
	}
	src := normalized(img)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		sy := y
		if o.v {
			sy = h - 1 - y
		}
		for x := range w {
			sx := x
			if o.h {
				sx = w - 1 - x
			}
			copy(out.Pix[out.PixOffset(x, y):][:4], src.Pix[src.PixOffset(sx, sy):][:4])
		}
	}
	return out
}

// fitEdit fits the guided filter's colour maps from guide to edited (whose
// planes are drawn) and returns them, each pixel's misfit (the squared
// difference of the mapped guide from the edit, summed over the channels
// and averaged over the window) and the misfit's mean.
func fitEdit(guide, edited *image.NRGBA, drawn [3][]float64, s DetailSettings) (*guided.Maps, []float64, float64, error) {
	maps, err := guided.Fit(guide, edited, s.Radius, s.Eps)
	if err != nil {
		return nil, nil, 0, err
	}
	fitted, err := maps.Apply(guide)
	if err != nil {
		return nil, nil, 0, err
	}
	w, h := edited.Rect.Dx(), edited.Rect.Dy()
	misfit := make([]float64, w*h)
	for c := range 3 {
		for i, v := range fitted[c] {
			d := v - drawn[c][i]
			misfit[i] += d * d
		}
	}
	misfit = guided.BoxMean(misfit, w, h, s.Radius)
	sum := 0.0
	for _, e := range misfit {
		sum += e
	}
	return maps, misfit, sum / float64(len(misfit)), nil
}

// pixelOpMisfit and backgroundMisfit are the largest mean misfits of a
// colour table (DetailSettings.TableMisfit) at which TransferDetail uses
// it for a pixel operation and for background removal: above it the
// drawing is no function of the source's colours (a mirror the
// registration did not find, a redrawn shape; a picture of the sticker
// shifted by a third of its width is 0.157 at 2 and 8 bins), and the
// neighbourhood maps, which give such pixels back as drawn, are used. On
// pairs 201–300 (tessera eval-edits --skip 200 --per-family 100) no pixel
// operation went over 0.15, and 9 of 100 background removals did, which
// the table still drew better than the maps: at 0.15 the guard cost the
// family 0.18 dB with cells of mean colours (19.69 → 19.51 dB) and 0.22
// with affine cells (19.70 → 19.48 dB, 87.0 → 86.8% of the white kept);
// at 0.3 and above none went over.
const (
	pixelOpMisfit    = 0.15
	backgroundMisfit = 0.5
)

// pixelOpBins and backgroundBins are the colour table's bins a channel for
// the pixel operations and for background removal (DetailFor): a pixel
// operation is one smooth function of the colour (affine for invert,
// mirror and black and white), which the coarsest table fits from the
// most pixels a cell; a background turned white and an emoji kept is not.
const (
	pixelOpBins    = 2
	backgroundBins = 8
)

// maxColourTable bounds DetailSettings.ColourTable: 64³ cells of 16
// float64s (32 MiB), and 24 more a cell while it is fitted (48 MiB).
const maxColourTable = 64

// colourTable maps colours to colours: a regular grid of n bins a channel
// over [0, 1]³, each cell holding an affine map from the colours splatted
// into it (trilinear weights) to the colours they became, fitted by ridge
// regression towards the affine map of the whole picture (a bilateral grid
// without its spatial axes: Chen, Paris and Durand 2007; an affine model a
// cell fitted on a coarse picture and applied to the fine one, as in
// Bilateral Guided Upsampling, Chen et al. 2016). A colour is mapped by
// the trilinear blend of its eight cells' maps evaluated at it, so a
// colour between the ones fitted (the sharp black of an outline, which the
// tokenizer's blur greys) follows the cells' slope rather than their mean.
// For most families the fit is made robust afterwards (refitRobustly).
type colourTable struct {
	n int
	w []float64 // each cell's weight
	// meanIn and meanOut are each cell's weighted mean colour fitted
	// from (x̄) and its mean result (ȳ); slope its map, out = ȳ +
	// slope·(in − x̄), row c of it the output channel c.
	meanIn, meanOut [][3]float64
	slope           [][3][3]float64
}

// cellPrior is the ridge weight pulling a cell's slope towards the whole
// picture's, in pixels spread a cell's width apart (λ = cellPrior ×
// width², in the units of the cell's scatter, weight × colour²): that
// many pixels weigh as much as the whole picture's map in the fit: a cell of one colour takes the picture's slope, a cell
// holding a spread of colours its own. Chosen on held-out pairs 201–300
// (tessera eval-edits --skip 200 --per-family 100; DetailFor has the
// figures): 4, 16 and the picture's slope in every cell came within
// 0.15 dB of each other on every family.
const cellPrior = 4

// fitColourTable fits a table of n bins a channel from the colours of from
// to those of to (colour planes in [0, 1], one pixel per index), each
// pixel weighed by weight (nil: 1 each).
func fitColourTable(from, to [3][]float64, n int, weight []float64) *colourTable {
	cells := n * n * n
	t := &colourTable{n: n, w: make([]float64, cells), meanIn: make([][3]float64, cells), meanOut: make([][3]float64, cells), slope: make([][3][3]float64, cells)}
	type moments struct {
		sx, sy [3]float64
		sxx    [3][3]float64 // Σ x_d x_e
		sxy    [3][3]float64 // Σ x_d y_c, [d][c]
	}
	m := make([]moments, cells)
	var whole moments
	add := func(m *moments, w float64, x, y [3]float64) {
		for d := range 3 {
			m.sx[d] += w * x[d]
			m.sy[d] += w * y[d]
			for e := range 3 {
				m.sxx[d][e] += w * x[d] * x[e]
				m.sxy[d][e] += w * x[d] * y[e]
			}
		}
	}
	npx := 0.0
	for i := range from[0] {
		x := [3]float64{from[0][i], from[1][i], from[2][i]}
		y := [3]float64{to[0][i], to[1][i], to[2][i]}
		pw := 1.0
		if weight != nil {
			pw = weight[i]
		}
		npx += pw
		add(&whole, pw, x, y)
		t.corners(x[0], x[1], x[2], func(cell int, w float64) {
			t.w[cell] += w * pw
			add(&m[cell], w*pw, x, y)
		})
	}
	// fit is the ridge regression of y on x of moments of weight w,
	// towards prior with weight lambda a channel.
	fit := func(mo *moments, w, lambda float64, prior *[3][3]float64) (xm, ym [3]float64, a [3][3]float64) {
		for d := range 3 {
			xm[d], ym[d] = mo.sx[d]/w, mo.sy[d]/w
		}
		var cov [6]float64 // centred Σ (x−x̄)(x−x̄)ᵀ + λI: 00 01 02 11 12 22
		k := 0
		for d := range 3 {
			for e := d; e < 3; e++ {
				cov[k] = mo.sxx[d][e] - w*xm[d]*xm[e]
				if d == e {
					cov[k] += lambda
				}
				k++
			}
		}
		adj, det := guided.SymmetricAdjugate3(cov)
		if det <= 1e-18 { // λ > 0 keeps det ≥ λ³; a guard all the same
			if prior != nil {
				a = *prior
			}
			return xm, ym, a
		}
		for c := range 3 {
			var rhs [3]float64 // Σ (x_d−x̄_d)(y_c−ȳ_c) + λ·prior[c][d]
			for d := range 3 {
				rhs[d] = mo.sxy[d][c] - w*xm[d]*ym[c]
				if prior != nil {
					rhs[d] += lambda * prior[c][d]
				}
			}
			for d := range 3 {
				a[c][d] = (adj[d][0]*rhs[0] + adj[d][1]*rhs[1] + adj[d][2]*rhs[2]) / det
			}
		}
		return xm, ym, a
	}
	if npx <= 0 {
		npx = 1 // no weight at all: the sums are 0 and stay so
	}
	// The whole picture's slope, ridge-regularised towards none by 1e-4
	// (colour², a pixel) as the guided filter's eps, so that a picture of
	// one colour has a flat map rather than none.
	_, _, global := fit(&whole, npx, 1e-4*npx, nil)
	width := 1 / float64(n-1)
	lambda := cellPrior * width * width
	for c := range cells {
		if t.w[c] > 0 {
			t.meanIn[c], t.meanOut[c], t.slope[c] = fit(&m[c], t.w[c], lambda, &global)
		}
	}
	return t
}

// apply maps each pixel of planes through the table (the trilinear blend
// of the maps of the cells around it that hold any) and returns which it
// carries (1) and which not (0: a colour far from every colour fitted,
// its cells empty, left 0). A colour the fitted picture barely reaches is
// carried whole too, from the cells near it: blending it towards the noisy
// drawing in proportion to the cells' weight lost 3 dB on
// TestColourTable's sticker (with cells of mean colours).
func (t *colourTable) apply(planes [3][]float64) (out [3][]float64, carried []float64) {
	for c := range 3 {
		out[c] = make([]float64, len(planes[0]))
	}
	carried = make([]float64, len(planes[0]))
	for i := range planes[0] {
		v, weight := t.lookup(planes[0][i], planes[1][i], planes[2][i])
		if weight < 1e-6 {
			continue
		}
		carried[i] = 1
		for c := range 3 {
			out[c][i] = min(max(v[c]/weight, 0), 1)
		}
	}
	return out, carried
}

// lookup is the weighted sum v of the maps of the cells around (r, g, b)
// that hold any, each evaluated at (r, g, b), and their trilinear weight.
func (t *colourTable) lookup(r, g, b float64) (v [3]float64, weight float64) {
	q := [3]float64{r, g, b}
	t.corners(r, g, b, func(cell int, w float64) {
		if t.w[cell] > 0 {
			weight += w
			for c := range 3 {
				y := t.meanOut[cell][c]
				for d := range 3 {
					y += t.slope[cell][c][d] * (q[d] - t.meanIn[cell][d])
				}
				v[c] += w * y
			}
		}
	})
	return v, weight
}

// misfit is the table's mean misfit from the colours of from (as fitted)
// to to: the squared difference per pixel summed over the channels.
func (t *colourTable) misfit(from, to [3][]float64) float64 {
	var sum float64
	for i := range from[0] {
		sum += t.pixelMisfit(from, to, i)
	}
	return sum / float64(max(len(from[0]), 1))
}

// pixelMisfit is the table's squared misfit at pixel i of from (as
// fitted) against to, summed over the channels.
func (t *colourTable) pixelMisfit(from, to [3][]float64, i int) float64 {
	v, weight := t.lookup(from[0][i], from[1][i], from[2][i])
	var e float64
	for c := range 3 {
		d := v[c]/max(weight, 1e-12) - to[c][i]
		e += d * d
	}
	return e
}

// corners calls f with each of the eight cells around the colour (r, g,
// b) and its trilinear weight.
func (t *colourTable) corners(r, g, b float64, f func(cell int, w float64)) {
	n := t.n
	var lo [3]int
	var frac [3]float64
	for c, v := range [3]float64{r, g, b} {
		x := min(max(v, 0), 1) * float64(n-1)
		lo[c] = min(int(x), n-2)
		frac[c] = x - float64(lo[c])
	}
	for corner := range 8 {
		cell, w := 0, 1.0
		for c := range 3 {
			up := corner>>c&1 == 1
			idx := lo[c]
			if up {
				idx++
				w *= frac[c]
			} else {
				w *= 1 - frac[c]
			}
			cell = cell*n + idx
		}
		if w > 0 {
			f(cell, w)
		}
	}
}

// robustRounds and huberK set the colour table's robust fit
// (refitRobustly): that many rounds of reweighting, by Huber weights
// with a threshold of huberK robust standard deviations of the misfit.
// The model draws some parts of a pixel operation in wrong colours (a grey
// skunk drawn green, a chef's dark face drawn blue); fitted by least
// squares, the table follows them and carries them onto the source's
// pixels, where a fit that gives such pixels less weight takes the map
// the rest of the picture follows. Chosen on held-out pairs 201–300
// (tessera eval-edits --skip 200 --per-family 100), least squares →
// Huber at k = 1.345, 0.8, 0.5, 0.3 (3 rounds): invert 23.83 → 24.40,
// 24.62, 24.75, 24.81 dB; mirror 27.53 → 28.27, 28.31, 28.30, 28.24;
// black and white 31.63 → 31.82, 31.87, 31.96, 32.05; recolour 25.59 →
// 25.51, 25.42, 25.35, 25.28; background removal 19.70 dB, 87.0% of the
// white kept → 19.76, 88.1% (1.345), 19.72, 88.4% (0.8), 19.69, 88.5%
// (0.5). Recolouring, whose map no coarse table fits exactly, loses what
// the others gain, so it keeps least squares (DetailFor); on
// TestColourTable's sticker turned purple the robust fit lost 2.2 dB at
// 2 bins. Tukey's biweight (3 rounds at 4.685, 6; 5 at 3) gained as much
// on invert (24.38–24.66 dB) but lost recolour 0.4–1.8 dB; 5 rounds of
// Huber gave what 3 did.
const (
	robustRounds = 3
	huberK       = 0.5
)

// refitRobustly fits t's table again from the colours of from to those
// of to (the ones t was fitted on by least squares) by iteratively
// reweighted least squares with Huber weights (Huber 1964; robustRounds,
// huberK): each round weighs a pixel by min(1, k/r), r its misfit's norm
// under the table before and k huberK times the robust scale 1.4826 ×
// median(r) (at least 0.01, colours in [0, 1], so that a picture fitted
// almost exactly does not weigh its noise away).
func (t *colourTable) refitRobustly(from, to [3][]float64) *colourTable {
	npx := len(from[0])
	if npx == 0 {
		return t
	}
	res := make([]float64, npx)
	weight := make([]float64, npx)
	for range robustRounds {
		for i := range npx {
			res[i] = math.Sqrt(t.pixelMisfit(from, to, i))
		}
		sorted := slices.Clone(res)
		slices.Sort(sorted)
		k := huberK * max(1.4826*sorted[npx/2], 0.01)
		for i, r := range res {
			weight[i] = 1
			if r > k {
				weight[i] = k / r
			}
		}
		t = fitColourTable(from, to, t.n, weight)
	}
	return t
}
