package edit

import (
	"fmt"
	"image"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/sampler"
)

// BlankWhite is the share of white pixels (within WhiteTolerance) from
// which an edit's output counts as an almost blank picture (Blank), and
// BlankMargin how much whiter than its source it must also be. No edit
// family's target is blank (each keeps its emoji): the built-in edit
// model's failed style edits of a cat face drew three such candidates of
// four, 99.9% white, and ranked them first (the likeliest picture); at
// 0.97 a candidate that kept a blob of 4.5% ink of a cat face passed for an
// edit.
const (
	BlankWhite  = 0.95
	BlankMargin = 0.1
)

// WhiteShare is the share of img's pixels whose channels are all within
// WhiteTolerance of 255.
func WhiteShare(img *image.NRGBA) float64 {
	b := img.Rect
	if b.Empty() {
		return 0
	}
	white := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := img.Pix[img.PixOffset(b.Min.X, y):][:4*b.Dx()]
		for i := 0; i < len(row); i += 4 {
			if row[i] >= 255-WhiteTolerance && row[i+1] >= 255-WhiteTolerance && row[i+2] >= 255-WhiteTolerance {
				white++
			}
		}
	}
	return float64(white) / float64(b.Dx()*b.Dy())
}

// Blank reports whether out, an edit of source, is an almost blank
// picture: at least BlankWhite of it white and BlankMargin whiter than the
// source (a source that is itself mostly white can give a mostly white
// edit).
func Blank(source, out *image.NRGBA) bool {
	w := WhiteShare(out)
	return w >= BlankWhite && w >= WhiteShare(source)+BlankMargin
}

// BlankLast is the order to offer an edit's candidates in (indices into
// outs, in their order otherwise) with the almost blank ones (Blank
// against source) after the others, and how many are blank.
func BlankLast(source *image.NRGBA, outs []*image.NRGBA) (order []int, blank int) {
	var last []int
	for i, o := range outs {
		if Blank(source, o) {
			last = append(last, i)
		} else {
			order = append(order, i)
		}
	}
	return append(order, last...), len(last)
}

// BlankWarning is what to tell a user when blank of an edit's n
// candidates are almost blank pictures (BlankLast); "" for none.
func BlankWarning(blank, n int) string {
	switch {
	case blank == 0:
		return ""
	case blank == n:
		return "the edit drew almost blank pictures: the edit model failed on this picture (try another wording, another picture or a mask)"
	}
	if blank == 1 {
		return fmt.Sprintf("1 of the %d candidates is an almost blank picture, a failed edit: it is put last", n)
	}
	return fmt.Sprintf("%d of the %d candidates are almost blank pictures, failed edits: they are put last", blank, n)
}

// CandidatesBlankLast puts the candidates of res, an edit of source (codes
// of edit model b), that are almost blank pictures (BlankLast) after the
// others, and returns what to tell the user (BlankWarning).
func CandidatesBlankLast(b *bundle.Bundle, source []int, res *sampler.Result) string {
	outs := make([]*image.NRGBA, len(res.Images))
	for i, im := range res.Images {
		outs[i] = b.Decode(im.Tokens)
	}
	order, blank := BlankLast(b.Decode(source), outs)
	ranked := make([]sampler.Image, len(order))
	for i, j := range order {
		ranked[i] = res.Images[j]
	}
	res.Images = ranked
	return BlankWarning(blank, len(outs))
}
