package ui

import (
	"fmt"
	"image"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/pngmeta"
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
	return fmt.Errorf("%s works on images of the model's size (%d patch rows), and this image is %d rows tall "+
		"(grown with Extend ↓). Scrub it, export it, extend it further, or open a model-sized image",
		action, s.doc.Rows, s.doc.ImageRows())
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
