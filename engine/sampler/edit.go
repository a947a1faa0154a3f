package sampler

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/prompt"
)

// EditRequest is one edit by instruction: what to change (Options.Prompt
// holds the instruction) and in which image.
type EditRequest struct {
	// Source holds the N codes of the image to edit (raster order), as the
	// model's tokenizer encodes it (Bundle.Encode).
	Source []int
	// Mask, when set (N entries), marks the patches to change: the others
	// are teacher-forced to the source's codes. nil changes every patch.
	Mask []bool
	// Candidates is how many edits to sample in one batch (seeds
	// Options.Seed+i); 0 means Options.Batch.
	Candidates int
}

// Edit edits an image by instruction with an edit model (model.Config.IsEdit):
// it samples the target codes after the context instruction | source | SOS
// (EditAR, arXiv 2501.04699), for req.Candidates candidates in one batch,
// and returns them best first by the model's own likelihood (RankByFit: with
// a mask, how well the kept patches after the first changed one fit;
// otherwise the mean log-likelihood of the edit). opt.Prompt is the
// instruction; opt.Negative must be empty.
//
// Guidance follows InstructPix2Pix (Brooks et al. 2023) on logits, with
// s_T = opt.Guidance (on the instruction) and s_I = opt.ImageGuidance (on
// the source image; 0 or 1 is off):
//
//	ℓ = ℓ(∅, ∅) + s_I·(ℓ(src, ∅) − ℓ(∅, ∅)) + s_T·(ℓ(src, instr) − ℓ(src, ∅))
//
// where ∅ is the all-PAD instruction or source the model was trained with
// by dropout. With s_I = 1 it is classifier-free guidance on the
// instruction alone (two groups); with both at 1 the conditional logits
// are used as they are. opt.GuidanceMinP limits the guided choice to codes
// the conditional distribution finds plausible, as for Generate.
//
// Events stream as for Generate (kept patches with Kept set). Errors: a
// model that is not an edit model, a source of the wrong length or with
// codes outside the codebook, a mask of the wrong length or with nothing
// to change, and out-of-range settings.
func Edit(ctx context.Context, b *bundle.Bundle, opt Options, req EditRequest, emit func(Event)) (*Result, error) {
	c := b.Model.Config
	if !c.IsEdit() {
		return nil, fmt.Errorf("edit: model %s is not an edit model (it draws from a text prompt); open an edit model", b.Name)
	}
	if opt.Negative != "" {
		return nil, errors.New("edit: an edit takes no negative prompt")
	}
	N, K := c.ImageTokens(), c.Codes()
	if err := checkCodes("source", req.Source, N, K); err != nil {
		return nil, fmt.Errorf("edit: %w", err)
	}
	sI := opt.ImageGuidance
	if sI == 0 {
		sI = 1
	}
	if sI < 0 || sI > 100 || math.IsNaN(sI) {
		return nil, fmt.Errorf("edit: image guidance %g must be between 0 and 100", opt.ImageGuidance)
	}
	fixed := keepPrefix(N, nil, 0)
	if req.Mask != nil {
		if len(req.Mask) != N {
			return nil, fmt.Errorf("edit: the mask has %d entries, the model's image has %d patches", len(req.Mask), N)
		}
		change := false
		for i, m := range req.Mask {
			if m {
				change = true
			} else {
				fixed[i] = req.Source[i]
			}
		}
		if !change {
			return nil, errors.New("edit: the mask is empty; mark the patches to change")
		}
	}
	batch := req.Candidates
	if batch == 0 {
		batch = max(opt.Batch, 1)
	}
	if batch < 1 || batch > 256 {
		return nil, fmt.Errorf("edit: %d candidates must be between 1 and 256", req.Candidates)
	}
	opt.Batch = batch
	n, err := opt.normalized(N)
	if err != nil {
		return nil, fmt.Errorf("edit: %w", err)
	}
	enc := b.PromptIDs(opt.Prompt)
	groups, mix := editGroups(c, enc.IDs, req.Source, n.Guidance, sI)
	res, err := run(ctx, b, opt, plan{fixed: fixed, batch: batch, groups: groups, mix: mix}, emit)
	if err != nil {
		return nil, fmt.Errorf("edit: %w", err)
	}
	res.Unknown, res.Cut = enc.Unknown, enc.Cut
	if !res.Stopped {
		RankByFit(res.Images)
	}
	return res, nil
}

// EditContext returns the ContextLength() ids an edit model reads before
// SOS: the L instruction ids then the S source codes (source nil: the
// all-PAD "no image" source). Positions: instruction 0…L−1, source
// L…L+S−1, SOS at L+S.
func EditContext(c model.Config, instruction, source []int) []int {
	L, S, pad := c.PromptLength(), c.SourceLength(), c.Codes()
	ids := make([]int, 0, L+S)
	for i := 0; i < L; i++ {
		id := pad
		if i < len(instruction) {
			id = instruction[i]
		}
		ids = append(ids, id)
	}
	for i := 0; i < S; i++ {
		id := pad
		if source != nil {
			id = source[i]
		}
		ids = append(ids, id)
	}
	return ids
}

// editGroups are the guidance groups of an edit and how to mix their
// logits: [src+instr] alone at sT = sI = 1; [src+instr, src] with
// classifier-free guidance on the instruction when only sI = 1; else
// [src+instr, src, nothing] with InstructPix2Pix's formula.
func editGroups(c model.Config, instr, source []int, sT, sI float64) ([][]int, func(dst []float32, rows [][]float32)) {
	full := EditContext(c, instr, source)
	if sT == 1 && sI == 1 {
		return [][]int{full}, nil
	}
	imageOnly := EditContext(c, nil, source)
	if sI == 1 {
		return [][]int{full, imageOnly}, nil // run's guide with opt.Guidance = sT
	}
	none := EditContext(c, nil, nil)
	t, i := float32(sT), float32(sI)
	return [][]int{full, imageOnly, none}, func(dst []float32, rows [][]float32) {
		both, img, nothing := rows[0], rows[1], rows[2]
		for k := range dst {
			dst[k] = nothing[k] + i*(img[k]-nothing[k]) + t*(both[k]-img[k])
		}
	}
}

// ScoreEdit is the per-token negative log-likelihood of target codes as an
// edit of source by instruction under an edit model, in one full-sequence
// pass (no guidance, no dropout).
func ScoreEdit(ctx context.Context, b *bundle.Bundle, instruction string, source, target []int, workers int) (*Score, error) {
	m := b.Model
	c := m.Config
	if !c.IsEdit() {
		return nil, fmt.Errorf("score edit: model %s is not an edit model", b.Name)
	}
	N, K := c.ImageTokens(), c.Codes()
	if err := checkCodes("source", source, N, K); err != nil {
		return nil, fmt.Errorf("score edit: %w", err)
	}
	if err := checkCodes("target", target, N, K); err != nil {
		return nil, fmt.Errorf("score edit: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	enc := b.PromptIDs(instruction)
	ids := append(EditContext(c, enc.IDs, source), c.SOS())
	ids = append(ids, target[:N-1]...)
	logits, err := m.Forward(m.NewExactCache(1), ids, len(ids), model.ForwardOptions{AllLogits: true, Workers: workers})
	if err != nil {
		return nil, fmt.Errorf("score edit: %w", err)
	}
	s := &Score{PerToken: make([]float64, N), Unknown: enc.Unknown, Cut: enc.Cut}
	at := c.ContextLength()
	for i, code := range target {
		row := logits[(at+i)*K : (at+i+1)*K]
		s.PerToken[i] = -model.LogSoftmaxAt(row, code)
		s.NLL += s.PerToken[i]
	}
	return s, nil
}

// checkCodes checks that codes are n codes in [0, k).
func checkCodes(what string, codes []int, n, k int) error {
	if len(codes) != n {
		return fmt.Errorf("the %s has %d codes, the model's image has %d", what, len(codes), n)
	}
	for i, code := range codes {
		if code < 0 || code >= k {
			return fmt.Errorf("%s patch %d has code %d outside the codebook of %d", what, i, code, k)
		}
	}
	return nil
}

// InstructionWords reports an instruction's words an edit model does not
// know and the ones past its instruction length, as for prompts.
func InstructionWords(b *bundle.Bundle, instruction string) (known int, unknown, cut []string) {
	if b.Prompt == nil {
		return 0, prompt.Split(instruction), nil
	}
	enc := b.Prompt.Encode(instruction)
	for _, id := range enc.IDs {
		if id != b.Prompt.PadID() {
			known++
		}
	}
	return known, enc.Unknown, enc.Cut
}
