package sampler

import (
	"context"
	"fmt"
	"github.com/tessera-studio/tessera/engine/bundle"
)

// ExtendStride is the rows a step ExtendDown samples (and ScoreTall reads)
// for a model of gridRows patch rows: stride itself, or half the grid when
// it is under 1 or not under gridRows (the default, 0).
func ExtendStride(stride, gridRows int) int {
	if stride < 1 || stride >= gridRows {
		return max(1, gridRows/2)
	}
	return stride
}

// ExtendDown grows an image below its bottom edge: tokens holds rows×cols
// codes (rows may exceed the model's grid), and addRows new rows are sampled
// a step of at most stride rows at a time, each step conditioned on the
// model's grid height minus stride rows above it (a sliding window over the
// model's context). It returns (rows+addRows)×cols codes; emit sees patch
// indices in the grown image. Only opt.Batch 1 is used. Stopped by ctx
// (at any point, before the first step included), it returns the image
// with the whole rows finished by then, and true.
func ExtendDown(ctx context.Context, b *bundle.Bundle, opt Options, tokens []int, rows, addRows, stride int, emit func(Event)) ([]int, bool, error) {
	gridRows, cols := b.Grid()
	if rows < 1 || len(tokens) != rows*cols {
		return nil, false, fmt.Errorf("extend: %d tokens is not %d rows of %d", len(tokens), rows, cols)
	}
	stride = ExtendStride(stride, gridRows)
	opt.Batch = 1
	out := append([]int(nil), tokens...)
	for added := 0; added < addRows; {
		step := min(stride, addRows-added)
		have := len(out) / cols
		ctxRows := min(have, gridRows-step)
		window := make([]int, gridRows*cols)
		copy(window, out[(have-ctxRows)*cols:])
		offset := (have - ctxRows) * cols
		var fwd func(Event)
		if emit != nil {
			fwd = func(e Event) {
				if e.Index < (ctxRows+step)*cols {
					e.Index += offset
					emit(e)
				}
			}
		}
		res, err := Complete(ctx, b, opt, window, ctxRows*cols, fwd)
		if err != nil {
			return nil, false, err
		}
		if res.Stopped && len(res.Images) == 0 {
			return out, true, nil // stopped before this step's first patch: the rows finished
		}
		got := res.Images[0].Tokens
		if res.Stopped {
			n := max(0, len(got)-ctxRows*cols)
			n -= n % cols // keep whole rows only
			return append(out, got[ctxRows*cols:ctxRows*cols+n]...), true, nil
		}
		out = append(out, got[ctxRows*cols:(ctxRows+step)*cols]...)
		added += step
		opt.Seed++
	}
	return out, false, nil
}
