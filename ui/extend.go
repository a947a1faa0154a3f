package ui

import (
	"context"
	"errors"
	"fmt"

	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/ui/core"
)

// maxExtendRows is the most patch rows one Extend ↓ adds.
const maxExtendRows = 64

// ExtendDown grows the image by addRows patch rows below its bottom with
// the current settings: a window of the model's grid slides down stride
// rows at a time (0 or out of range: half the grid), each step conditioned
// on the rows above it. The image may become taller than the model's grid;
// it keeps all its rows and codes in its outputs and exports. Painted
// temperatures do not apply (the new rows have none). It returns at once.
func (s *Studio) ExtendDown(addRows, stride int) error {
	if s.doc == nil || s.doc.Empty() || s.bundle == nil {
		return errNoImage
	}
	if !s.doc.Complete() {
		return errors.New("extend: the image is not finished; Continue it first")
	}
	if addRows < 1 || addRows > maxExtendRows {
		return fmt.Errorf("extend: add 1 to %d rows, not %d", maxExtendRows, addRows)
	}
	b := s.bundle
	gridRows, cols := b.Grid()
	rows := s.doc.ImageRows()
	newRows := rows + addRows
	if limit := min(core.MaxImageRows, codebook.MaxImageSide/b.PatchSize()); newRows > limit {
		return fmt.Errorf("extend: %d rows would be taller than the %d the studio handles", newRows, limit)
	}
	stride = sampler.ExtendStride(stride, gridRows)
	p, err := s.imageRunParams()
	if err != nil {
		return err
	}
	tokens := s.doc.Tokens()
	s.tl.stopReplay()
	opt := p.Options(s.opt.Workers)
	opt.Batch = 1
	s.fitCanvas(newRows)
	s.canvas.ShowImage(s.docPicture()) // with the pixels a masked run kept
	s.canvas.SetMask(core.FitLen(s.doc.Mask(), newRows*cols))
	s.canvas.SetTemperature(s.doc.Temperature())
	total := addRows * cols
	// What a tall image can and cannot do, said once it is one: the tools
	// that need the model's rows grey out in the menus without a word.
	tall := fmt.Sprintf("the image is %d rows tall now: Complete, Branch, Regenerate masked, Edit by instruction, Resample the least likely and Describe need the model's %d; scrub it, replay it, see its likelihood map, export it or its time-lapse, extend it further, or Undo", newRows, gridRows)
	if p.Batch > 1 {
		// Said first (the line cuts a long message): one image and an
		// empty strip read as a batch that failed.
		tall = fmt.Sprintf("Extend ↓ draws one image, from seed %d: Batch %d is not used (no candidates)", p.Seed, p.Batch) + " · " + tall
	}
	return s.startJob(job{
		kind: kindExtend, label: "extending", b: b, params: p, base: tokens, mask: s.doc.Mask(), parent: s.doc.Parent,
		at: addRows, sampled: total, note: tall,
		// the stride, with which tessera score reads the new rows in the
		// windows they were drawn in
		extra: func(int, sampler.Image) map[string]any { return map[string]any{pngmeta.ExtraStride: stride} },
		run: func(ctx context.Context, emit func(sampler.Event)) (*sampler.Result, error) {
			n := 0
			grown, stopped, err := sampler.ExtendDown(ctx, b, opt, tokens, rows, addRows, stride, func(ev sampler.Event) {
				n++
				ev.Step, ev.Steps = n, total // one count over every window
				emit(ev)
			})
			if err != nil {
				return nil, err
			}
			res := &sampler.Result{Stopped: stopped, Images: []sampler.Image{{Seed: opt.Seed, Tokens: grown}}}
			if b.Conditional() { // the words left out are reported as for any run
				enc := sampler.EncodePrompt(b, opt.Prompt)
				res.Unknown, res.Cut = enc.Unknown, enc.Cut
			}
			return res, nil
		},
	})
}
