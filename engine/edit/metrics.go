package edit

import (
	"fmt"
	"image"
	"math"
	"slices"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/psnr"
)

// WhiteTolerance is how far below 255 (in 1/255 steps) an output pixel's
// channels may be and still count as white in WhiteKept.
const WhiteTolerance = 10

// PSNR is the peak signal-to-noise ratio of out against the exact target,
// in dB over the RGB channels, capped at MaxPSNR (equal images); NaN when
// the sizes differ.
func PSNR(target, out *image.NRGBA) float64 { return psnr.Capped(psnr.Images(target, out)) }

// MaxPSNR caps PSNR so that an exact edit counts as a large finite number
// in a mean.
const MaxPSNR = psnr.Max

// WhiteKept measures how much of the target's white background (Exterior:
// the white connected to the border) is white within WhiteTolerance in
// out: the fraction of those pixels whose channels are all ≥ 255 −
// WhiteTolerance, and how many pixels the background has (0: the target
// has no white background, e.g. an inverted image, and frac is NaN).
func WhiteKept(target, out *image.NRGBA) (frac float64, pixels int) {
	if target == nil || out == nil || target.Rect.Size() != out.Rect.Size() {
		return math.NaN(), 0
	}
	t, o := normalized(target), normalized(out)
	ext := Exterior(t, whiteTol)
	w := t.Rect.Dx()
	kept := 0
	for i, e := range ext {
		if !e {
			continue
		}
		pixels++
		p := o.Pix[o.PixOffset(i%w, i/w):]
		if p[0] >= 255-WhiteTolerance && p[1] >= 255-WhiteTolerance && p[2] >= 255-WhiteTolerance {
			kept++
		}
	}
	if pixels == 0 {
		return math.NaN(), 0
	}
	return float64(kept) / float64(pixels), pixels
}

// NotTaken is the share of its changeable patches an edit must give back
// with the source's codes (UnchangedShare) to be reported as not taken.
// Measured with the built-in edit model on a generated grinning face:
// edits that did nothing ("as a woman" on a face with no person, "invert
// the colours" with a mask over the right half) kept 81–83% of the
// codes; edits that took 3–78% ("make it red" 48%, "in the twemoji
// style" 43%, "mirror it" on that nearly symmetric face 75%).
const NotTaken = 0.8

// UnchangedShare is the share of the patches an edit could change (those
// of mask, or all when mask is nil; Changeable narrows a mask to the
// patches an instruction could change) whose code in result is the
// source's (both in the edit model's codes, raster order); 0 when there
// are none.
func UnchangedShare(source, result []int, mask []bool) float64 {
	n, same := 0, 0
	for i := range min(len(source), len(result)) {
		if mask != nil && (i >= len(mask) || !mask[i]) {
			continue
		}
		n++
		if source[i] == result[i] {
			same++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(same) / float64(n)
}

// Changeable marks the patches of a rows×cols grid over roundTrip (the
// source picture as the edit model's tokenizer draws it) that an edit by
// instruction could change, within mask (nil: every patch): for every
// known family but invert, the patches that are not plain white (every
// pixel within WhiteTolerance of white) and their neighbours (a redrawn
// shape reaches a little past the old one), and for a mirror also those
// whose mirror image is not white; the white background of an emoji stays
// white under a recolour, a new skin tone or background removal, and was
// counted as the edit giving patches back ("the edit gave back 84% of the
// patches": a recoloured triangle on white). Invert, an instruction of no
// known family, or a picture the grid does not divide: mask unchanged.
func Changeable(instruction string, roundTrip *image.NRGBA, rows, cols int, mask []bool) []bool {
	f, _, ok := Parse(instruction)
	b := roundTrip.Rect
	if !ok || f == Invert || rows <= 0 || cols <= 0 || b.Dx()%cols != 0 || b.Dy()%rows != 0 {
		return mask
	}
	ph, pw := b.Dy()/rows, b.Dx()/cols
	inked := make([]bool, rows*cols)
	for r := range rows {
		for c := range cols {
		patch:
			for y := b.Min.Y + r*ph; y < b.Min.Y+(r+1)*ph; y++ {
				for x := b.Min.X + c*pw; x < b.Min.X+(c+1)*pw; x++ {
					p := roundTrip.Pix[roundTrip.PixOffset(x, y):]
					if min(p[0], p[1], p[2]) < 255-WhiteTolerance {
						inked[r*cols+c] = true
						break patch
					}
				}
			}
		}
	}
	out := make([]bool, rows*cols)
	for r := range rows {
		for c := range cols {
			i := r*cols + c
			if mask != nil && (i >= len(mask) || !mask[i]) {
				continue
			}
			for dr := -1; dr <= 1 && !out[i]; dr++ {
				for dc := -1; dc <= 1; dc++ {
					rr, cc := r+dr, c+dc
					if rr >= 0 && rr < rows && cc >= 0 && cc < cols && (inked[rr*cols+cc] || f == Mirror && inked[rr*cols+cols-1-cc]) {
						out[i] = true
						break
					}
				}
			}
		}
	}
	return out
}

// NotTakenWarning is what to tell a user whose edit gave back share of
// its changeable patches as they were (UnchangedShare of the best
// candidate; mask: the patches that could change, nil for all): "" below
// NotTaken.
func NotTakenWarning(share float64, mask []bool) string {
	if share < NotTaken {
		return ""
	}
	what := "patches"
	if mask != nil {
		what = "masked patches"
	}
	w := fmt.Sprintf("the edit gave back %.0f%% of the %s as they were: the edit model did not take it on this picture", 100*share, what)
	if first := slices.Index(mask, true); first > 0 {
		// Only where kept patches come first (a mask starting at the top
		// left was told to start there).
		w += " (the kept patches that come before masked ones in reading order, left to right and top down, are read as part of the edit and can pull it back to the source: a mask that starts at the top left edits more)"
	}
	return w
}

// alreadyDoneDB is how close (PSNR, dB) a picture is to its own exact
// edit for AlreadyDone to say the edit has nothing to change.
const alreadyDoneDB = 30

// AlreadyDone is what to tell a user whose instruction's exact result is
// the picture src itself within alreadyDoneDB (a mirror of a symmetric
// picture, black and white of a grey one), "" otherwise or for other
// instructions: an edit that gives such a picture back did its job, which
// NotTakenWarning would call a failure.
func AlreadyDone(instruction string, src *image.NRGBA) string {
	f, _, ok := Parse(instruction)
	if !ok || src == nil {
		return ""
	}
	switch {
	case f == Mirror && psnr.Images(src, MirrorImage(src)) >= alreadyDoneDB:
		return "the picture is nearly symmetric, so its mirror image is itself: an edit that gives it back is right"
	case f == Gray && psnr.Images(src, GrayImage(src)) >= alreadyDoneDB:
		return "the picture is in shades of grey already: an edit that gives it back is right"
	}
	return ""
}

// GivenBackNote is what to tell a user whose edit by instruction of
// picture src gave back share of its changeable patches (UnchangedShare of
// the best candidate; mask as for NotTakenWarning): AlreadyDone's note
// when the exact edit is src itself and the edit gave it back (right: warn
// false), else NotTakenWarning's warning (warn true); "" when there is
// nothing to say. tessera edit and the studio say the same.
func GivenBackNote(instruction string, src *image.NRGBA, share float64, mask []bool) (msg string, warn bool) {
	if done := AlreadyDone(instruction, src); done != "" {
		if share >= NotTaken {
			return done, false
		}
		return "", false
	}
	w := NotTakenWarning(share, mask)
	return w, w != ""
}

// PSNRWithin is PSNR (dB, capped at MaxPSNR) of out against target over
// the patches mask marks (true) on a rows×cols grid over both pictures;
// mask nil means every patch. NaN when the sizes differ, the grid does
// not divide them or no patch is marked.
func PSNRWithin(target, out *image.NRGBA, mask []bool, rows, cols int) float64 {
	return psnr.Capped(psnr.Patches(target, out, mask, rows, cols))
}

// WeakFamilyNote is what to tell a user whose instruction is of a family
// of edits that edit model b missed its target at when `tessera eval-edits
// --record` measured it (model.EditExt.Measured): a family judged by the
// nearest image (style, gender and skin tone edits of the built-in model
// miss their exact target often), or a pixel family under RoughEditDB (and
// not near what its codes show of the exact targets), or under
// TargetPSNRdB and NearCeilingDB or more under what its codes show
// (background removal of the built-in model). It is "" for instructions of
// other families, of no known family, or when the family was not measured.
func WeakFamilyNote(b *bundle.Bundle, instruction string) string {
	c := b.Model.Config
	if !c.IsEdit() || c.Tessera.Edit.Measured == nil {
		return ""
	}
	fam, _, ok := Parse(instruction)
	if !ok {
		return ""
	}
	m, ok := c.Tessera.Edit.Measured[string(fam)]
	switch {
	case !ok || m.MeetsTarget:
		return ""
	case fam.ByNearest():
		return fmt.Sprintf("the edit model %q is weak at %s edits: %s (tessera eval-edits), so expect another picture than the one asked for", b.Name, fam, m.Summary)
	case m.PSNRdB < RoughEditDB && !nearCeiling(m),
		m.PSNRdB < TargetPSNRdB && m.TokenizerPSNRdB > 0 && m.TokenizerPSNRdB-m.PSNRdB >= NearCeilingDB:
		// Rough, or under its target and well under what its codes
		// could show: the built-in model removes backgrounds at 18.6 dB
		// where the codes show the exact targets at 22.7, and gave a
		// picture back 95% unchanged without a word.
		return fmt.Sprintf("the edit model %q is weak at %s edits: %s (tessera eval-edits), so expect the picture back little changed or damaged", b.Name, fam, m.Summary)
	}
	return "" // under its target, but the edit shows (recolour at 19.5 dB; invert at 17.5, its codes' ceiling 18.3)
}

// nearCeiling reports whether a family's edits come within NearCeilingDB
// of what the tokenizer shows of the exact targets, and clearly above
// doing nothing (by NearCeilingDB too: a model that hands back a source
// that already scores near the ceiling has not edited it).
func nearCeiling(m model.EditMeasure) bool {
	return m.TokenizerPSNRdB > 0 && m.TokenizerPSNRdB-m.PSNRdB < NearCeilingDB && m.PSNRdB-m.SourcePSNRdB > NearCeilingDB
}

// NearCeilingDB is how close to the tokenizer's own PSNR on the exact
// targets (EditMeasure.TokenizerPSNRdB) a family of pixel edits under its
// target must come not to be warned of: a model that inverts at 17.5 dB
// where its 8×8 codes show the exact targets at 18.3 has done the edit
// (the codes are coarse); the built-in model removes backgrounds at 18.6
// dB where they show 22.7.
const NearCeilingDB = 2.0

// RoughEditDB is the PSNR against the exact targets under which a family
// of pixel edits is weak enough to warn of (WeakFamilyNote), unless it
// comes within NearCeilingDB of the tokenizer's own: a model that removes
// backgrounds at 15.5 dB or mirrors at 16.7 (the 16×16 built-in before)
// mostly gives the picture back or damages it; recolouring at 19.5–20.7 dB
// is rough but shows.
const RoughEditDB = 18.0

// TargetPSNRdB is issue 12's target for background removal and the pixel
// operations: a mean PSNR against the exact targets of at least this
// (dB), which eval-edits judges by.
const TargetPSNRdB = 24.0
