package ui

import (
	"fmt"
	"image"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// decodeRows paints the codes of an image rows patch rows tall (more than
// the model's grid after Extend ↓); missing codes stay transparent.
func decodeRows(b *bundle.Bundle, tokens []int, rows int) *image.NRGBA {
	_, cols := b.Grid()
	return b.Tokenizer.Decode(tokens, rows, cols)
}

// setRecordRows makes rec describe an image rows patch rows tall.
func setRecordRows(rec *pngmeta.Record, rows int) {
	rec.Grid[0] = rows
	rec.Height = rows * rec.PatchSize
}

// tallError explains that action works on images of the model's size only.
func (s *Studio) tallError(action string) error {
	return &tallImageError{action: action, rows: s.doc.Rows, imageRows: s.doc.ImageRows()}
}

// tallImageError is tallError's error.
type tallImageError struct {
	action          string
	rows, imageRows int
}

// Error says what cannot be done and what can.
func (e *tallImageError) Error() string {
	return fmt.Sprintf("%s works on images of the model's size (%d patch rows), and this image is %d rows tall "+
		"(grown with Extend ↓). Scrub it, export it, extend it further, or open a model-sized image",
		e.action, e.rows, e.imageRows)
}

// fitCanvas gives the canvas rows patch rows (clearing it) when it has
// another number.
func (s *Studio) fitCanvas(rows int) {
	if s.bundle == nil {
		return
	}
	if r, cols, p := s.canvas.Grid(); r != rows {
		s.canvas.SetGrid(rows, cols, p)
	}
}

// noImageTip is why the buttons that work on the image are off while
// there is none.
const noImageTip = "Nothing to work on yet: generate a picture or open one (Ctrl+O) first"

// whyNotTips makes the tooltips of the buttons that need an image (has)
// of the model's size (not tall) say why they are off, and gives them
// their own back once they can be used (Regenerate masked's reason
// without a mask is updateButtons').
func (s *Studio) whyNotTips(has, tall bool) {
	e := s.edit
	switch {
	case !has:
		e.regenerate.SetWhyNot(noImageTip)
	case tall:
		e.regenerate.SetWhyNot(s.tallError("Regenerate masked").Error())
	}
	for _, b := range []struct {
		btn    *widgets.TipButton
		action string // "" for buttons a tall image leaves on
	}{
		{e.complete, "Complete from here"}, {e.repair, "Resample the least likely"},
		{e.instruct, "Edit by instruction"}, {s.tl.branch, "Branch from here"},
		{e.extend, ""}, {e.export, ""}, {e.copyImage, ""},
	} {
		why := ""
		switch {
		case !has:
			why = noImageTip
		case tall && b.action != "":
			why = s.tallError(b.action).Error()
		}
		b.btn.SetWhyNot(why)
	}
}
