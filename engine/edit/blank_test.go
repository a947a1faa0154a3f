package edit

import (
	"image"
	"image/color"
	"image/draw"
	"slices"
	"strings"
	"testing"
)

// An edit's almost white output is blank against a source with a picture
// on it, not against a source that is mostly white itself; BlankLast puts
// the blank ones last in their order, and the warning counts them.
func TestBlankCandidatesGoLast(t *testing.T) {
	picture := func(ink int) *image.NRGBA { // ink rows of 64 dark, the rest white
		img := image.NewNRGBA(image.Rect(0, 0, 64, 64))
		draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
		draw.Draw(img, image.Rect(0, 0, 64, ink), image.NewUniform(color.NRGBA{200, 120, 30, 255}), image.Point{}, draw.Src)
		return img
	}
	faint := picture(0)
	for i := 0; i < len(faint.Pix); i += 4 {
		faint.Pix[i] = 250 // within WhiteTolerance of white
	}
	cat := picture(30)
	if got := WhiteShare(cat); got != 34.0/64 {
		t.Fatalf("WhiteShare %g, want %g", got, 34.0/64)
	}
	if !Blank(cat, faint) || !Blank(cat, picture(1)) || !Blank(cat, picture(3)) || Blank(cat, picture(4)) || Blank(picture(1), picture(0)) {
		t.Fatal("Blank: a faint, one-row or three-row (4.7% ink) output of a picture is blank; four rows, or a near-blank source's edit, are not")
	}
	order, blank := BlankLast(cat, []*image.NRGBA{faint, picture(20), picture(1), picture(40)})
	if !slices.Equal(order, []int{1, 3, 0, 2}) || blank != 2 {
		t.Fatalf("order %v with %d blank, want [1 3 0 2] and 2", order, blank)
	}
	if w := BlankWarning(2, 4); !strings.Contains(w, "2 of the 4 candidates are almost blank") {
		t.Errorf("warning %q", w)
	}
	if w := BlankWarning(1, 4); !strings.Contains(w, "1 of the 4 candidates is an almost blank picture") {
		t.Errorf("warning %q", w)
	}
	if w := BlankWarning(4, 4); !strings.Contains(w, "failed on this picture") || BlankWarning(0, 4) != "" {
		t.Errorf("warnings %q, %q", w, BlankWarning(0, 4))
	}
}
