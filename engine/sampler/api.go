package sampler

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/model"
)

// Generate samples opt.Batch new images from scratch. With a style per
// seed (sampling.Settings.StylePerSeed) each image is drawn in a style of
// its own, recorded in Image.Prompt (see generateStyled).
func Generate(ctx context.Context, b *bundle.Bundle, opt Options, emit func(Event)) (*Result, error) {
	batch := max(opt.Batch, 1)
	if styles := seedStyles(b, opt.Settings); styles != nil {
		return generateStyled(ctx, b, opt, batch, styles, emit)
	}
	return run(ctx, b, opt, plan{fixed: keepPrefix(b.ImageTokens(), nil, 0), batch: batch}, emit)
}

// keepPrefix is a plan's fixed codes for an image of n patches that keeps
// the first keep codes of tokens and samples the others (−1).
func keepPrefix(n int, tokens []int, keep int) []int {
	fixed := make([]int, n)
	for i := range fixed {
		fixed[i] = -1
		if i < keep {
			fixed[i] = tokens[i]
		}
	}
	return fixed
}

// Complete keeps the first keep codes of tokens and samples the rest, for
// opt.Batch images (completion of a top part, or a branch from patch keep).
func Complete(ctx context.Context, b *bundle.Bundle, opt Options, tokens []int, keep int, emit func(Event)) (*Result, error) {
	N := b.ImageTokens()
	if keep < 0 || keep >= N || keep > len(tokens) {
		return nil, fmt.Errorf("keep %d patches: must be between 0 and %d (and at most the %d given)", keep, N-1, len(tokens))
	}
	return run(ctx, b, opt, plan{fixed: keepPrefix(N, tokens, keep), batch: max(opt.Batch, 1)}, emit)
}

// CompleteEach finishes several images at once, each from its own top
// part: prefixes are their codes so far (all as long: a stopped batch's
// images), seeds their seeds and prompts, when set, their prompts (a style
// per seed drew each in a prompt of its own; nil: opt.Prompt for all).
// Image i of the result continues prefixes[i].
func CompleteEach(ctx context.Context, b *bundle.Bundle, opt Options, prefixes [][]int, seeds []uint64, prompts []string, emit func(Event)) (*Result, error) {
	N := b.ImageTokens()
	if len(prefixes) == 0 || len(seeds) != len(prefixes) || prompts != nil && len(prompts) != len(prefixes) {
		return nil, fmt.Errorf("complete each: %d images, %d seeds and %d prompts", len(prefixes), len(seeds), len(prompts))
	}
	keep := len(prefixes[0])
	if keep >= N {
		return nil, fmt.Errorf("complete each: the images are complete (%d of %d patches)", keep, N)
	}
	p := plan{fixed: keepPrefix(N, prefixes[0], keep), batch: len(prefixes), prefixes: prefixes, seeds: seeds}
	if prompts != nil && b.Conditional() {
		for _, text := range prompts {
			p.cond = append(p.cond, condIDs(b, text))
		}
	}
	res, err := run(ctx, b, opt, p, emit)
	if err == nil && prompts != nil {
		for i := range res.Images {
			if prompts[i] != opt.Prompt {
				res.Images[i].Prompt = prompts[i] // its own, as a style per seed records it
			}
		}
	}
	return res, err
}

// ReusesCache reports whether Branch of image index of parent with opt
// continues from the parent run's KV cache (it kept it, and opt's prompts,
// guidance included, are the run's) rather than recomputing the prefix.
func ReusesCache(b *bundle.Bundle, opt Options, parent *Result, index int) bool {
	if parent == nil || parent.cache == nil || index < 0 || index >= len(parent.Images) {
		return false
	}
	groups := groupIDs(b, opt)
	return sameGroups(parent.rowGroups(parent.Images[index].row, len(groups)), groups)
}

// Branch keeps the first keep patches of image index of a finished run and
// samples the rest with opt (opt.Batch new images, seeds opt.Seed+i). When
// the parent run kept its KV cache (Options.KeepCache) and used the same
// prompts, the prefix is not recomputed: its keys and values are copied
// from the cache, so branching at patch k costs about (N−k)/N of a new image.
// Otherwise the prefix is recomputed in one batched pass.
func Branch(ctx context.Context, b *bundle.Bundle, opt Options, parent *Result, index, keep int, emit func(Event)) (*Result, error) {
	if parent == nil || index < 0 || index >= len(parent.Images) {
		return nil, fmt.Errorf("branch: no image %d in the parent run", index)
	}
	src := parent.Images[index]
	N := b.ImageTokens()
	if keep < 0 || keep >= N || keep > len(src.Tokens) {
		return nil, fmt.Errorf("branch: keep %d patches: must be between 0 and %d (the image has %d)", keep, N-1, len(src.Tokens))
	}
	batch := max(opt.Batch, 1)
	p := plan{fixed: keepPrefix(N, src.Tokens, keep), batch: batch}
	if ReusesCache(b, opt, parent, index) {
		G := len(groupIDs(b, opt))
		parentB := parent.cache.Batch() / G
		rows := make([]int, G*batch)
		for r := range rows {
			rows[r] = (r/batch)*parentB + src.row
		}
		p.from = parent.cache.Gather(rows)
	}
	return run(ctx, b, opt, p, emit)
}

// rowGroups are the contexts of row row of each of a kept run's G
// guidance groups (nil when the run kept no cache or had other than G
// groups).
func (r *Result) rowGroups(row, G int) [][]int {
	if r.cache == nil || G == 0 || r.nGroups != G || len(r.contexts) != r.cache.Batch() || row >= len(r.contexts)/G {
		return nil
	}
	B := len(r.contexts) / G
	groups := make([][]int, G)
	for g := range groups {
		groups[g] = r.contexts[g*B+row]
	}
	return groups
}

// groupIDs are the prompt ids of each guidance group for opt.
func groupIDs(b *bundle.Bundle, opt Options) [][]int {
	if !b.Conditional() {
		return [][]int{nil}
	}
	g := condIDs(b, opt.Prompt)
	if Composed(opt.Prompt) || opt.Guidance != 0 && opt.Guidance != 1 {
		neg := b.Prompt.Unconditional()
		if opt.Negative != "" {
			neg = b.PromptIDs(opt.Negative).IDs
		}
		g = append(g, neg)
	}
	return g
}

func sameGroups(a, b [][]int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}

// Inpaint regenerates the masked patches of tokens: candidates images in one
// batch, kept patches teacher-forced, returned best first by the
// log-likelihood of the kept patches after the first masked one (how well
// the new patches fit what follows them). Image i uses opt.Seed+i.
func Inpaint(ctx context.Context, b *bundle.Bundle, opt Options, tokens []int, mask []bool, candidates int, emit func(Event)) (*Result, error) {
	N := b.ImageTokens()
	if len(tokens) != N || len(mask) != N {
		return nil, fmt.Errorf("inpaint: need %d tokens and mask entries, got %d and %d", N, len(tokens), len(mask))
	}
	if candidates < 1 {
		candidates = 1
	}
	fixed := make([]int, N)
	any := false
	for i := range fixed {
		fixed[i] = tokens[i]
		if mask[i] {
			fixed[i] = -1
			any = true
		}
	}
	if !any {
		return nil, errors.New("inpaint: the mask is empty; paint over the patches to regenerate")
	}
	res, err := run(ctx, b, opt, plan{fixed: fixed, batch: candidates}, emit)
	if err != nil || res.Stopped {
		return res, err
	}
	RankByFit(res.Images)
	return res, nil
}

// RankByFit orders candidates best first: by the mean log-likelihood of the
// kept patches after the first regenerated one, or, where no patch is kept
// after it, by the mean log-likelihood of everything produced. Ties keep
// seed order.
func RankByFit(ims []Image) {
	sort.SliceStable(ims, func(i, j int) bool { return ims[i].Fit() > ims[j].Fit() })
}

// RankByLikelihood orders images best first by mean log-likelihood per token.
func RankByLikelihood(ims []Image) {
	sort.SliceStable(ims, func(i, j int) bool { return ims[i].MeanLogLik() > ims[j].MeanLogLik() })
}

// Score is the likelihood of an image under the model.
type Score struct {
	// PerToken holds −log p(code) in nats for each patch, raster order.
	PerToken []float64
	// NLL is their sum in nats.
	NLL float64
	// Unknown and Cut report prompt words left out.
	Unknown, Cut []string
}

// BitsPerToken is the mean negative log-likelihood in bits.
func (s *Score) BitsPerToken() float64 {
	if len(s.PerToken) == 0 {
		return 0
	}
	return s.NLL / float64(len(s.PerToken)) / math.Ln2
}

// ScoreTokens computes the per-token negative log-likelihood of an image's
// codes given a prompt, in one full-sequence pass in float32 (whatever the
// model's decode precision). A composed prompt ("a AND b") is scored under
// its first sub-prompt, as guided samples are scored under their prompt
// alone (the conditional, not the guided, distribution).
func ScoreTokens(ctx context.Context, b *bundle.Bundle, promptText string, tokens []int, workers int) (*Score, error) {
	return scoreTokens(ctx, b, promptText, tokens, workers, false)
}

// ScoreTokensDecoding is ScoreTokens computed as sampling computes it: on
// the model's decode cache (Model.NewCache: f16 or int8 weights and a half
// key/value cache after EnableHalf or EnableInt8), in chunks of at most
// model.DecodeRows positions so every product goes through the decode
// kernels. Its difference from ScoreTokens is what the precision costs in
// likelihood.
func ScoreTokensDecoding(ctx context.Context, b *bundle.Bundle, promptText string, tokens []int, workers int) (*Score, error) {
	return scoreTokens(ctx, b, promptText, tokens, workers, true)
}

func scoreTokens(ctx context.Context, b *bundle.Bundle, promptText string, tokens []int, workers int, decoding bool) (*Score, error) {
	m := b.Model
	c := m.Config
	N, K, L := c.ImageTokens(), c.Codes(), c.PromptLength()
	if c.IsEdit() {
		return nil, fmt.Errorf("score: model %s is an edit model: its images are scored against a source (ScoreEdit)", b.Name)
	}
	if len(tokens) != N {
		return nil, fmt.Errorf("score: need %d tokens, got %d", N, len(tokens))
	}
	for i, code := range tokens {
		if code < 0 || code >= K {
			return nil, fmt.Errorf("score: patch %d has code %d outside the codebook of %d", i, code, K)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := &Score{PerToken: make([]float64, N)}
	ids := make([]int, 0, L+N)
	if b.Conditional() {
		enc := EncodePrompt(b, promptText) // a composed prompt: under its first sub-prompt, as a guided sample under its prompt alone
		s.Unknown, s.Cut = enc.Unknown, enc.Cut
		ids = append(ids, enc.IDs...)
	}
	ids = append(ids, c.SOS())
	ids = append(ids, tokens[:N-1]...)
	var logits []float32
	if decoding {
		kc := m.NewCache(1)
		for at := 0; at < len(ids); at += model.DecodeRows {
			part, err := m.Forward(kc, ids[at:min(at+model.DecodeRows, len(ids))], min(model.DecodeRows, len(ids)-at), model.ForwardOptions{AllLogits: true, Workers: workers})
			if err != nil {
				return nil, err
			}
			logits = append(logits, part...)
		}
	} else {
		var err error
		if logits, err = m.Forward(m.NewExactCache(1), ids, len(ids), model.ForwardOptions{AllLogits: true, Workers: workers}); err != nil {
			return nil, err
		}
	}
	for i, code := range tokens {
		row := logits[(L+i)*K : (L+i+1)*K]
		s.PerToken[i] = -model.LogSoftmaxAt(row, code)
		s.NLL += s.PerToken[i]
	}
	return s, nil
}

// ScoreTall scores an image of rows×cols codes taller than the model's grid
// (grown by ExtendDown) window by window, as ExtendDown draws it: the
// model's first grid of rows is scored as ScoreTokens scores an image, then
// each further step of stride rows under the gridRows−stride rows above it,
// the window ExtendDown sampled those rows in (stride < 1 or ≥ gridRows:
// half the grid, ExtendDown's default). With the stride the image was
// extended with, the score is the likelihood of the process that drew it;
// scored a row at a time under gridRows−1 rows (stride 1, as language
// models score a text longer than their context), the rows an extend drew
// at a window's middle were read at its bottom, where the model expects an
// emoji's last row, and cost 12–20 nats a code, more than a uniform guess.
// score is ScoreTokens or ScoreTokensDecoding. PerToken has rows×cols
// values in raster order; Unknown and Cut are the first window's. Errors:
// a cols other than the model's, too few codes, a failed window.
func ScoreTall(ctx context.Context, b *bundle.Bundle, promptText string, tokens []int, rows, stride, workers int,
	score func(context.Context, *bundle.Bundle, string, []int, int) (*Score, error)) (*Score, error) {
	gridRows, cols := b.Grid()
	if rows < gridRows || len(tokens) != rows*cols {
		return nil, fmt.Errorf("score: %d tokens is not %d rows of the model's %d columns (at least its %d rows)", len(tokens), rows, cols, gridRows)
	}
	stride = ExtendStride(stride, gridRows)
	out, err := score(ctx, b, promptText, tokens[:gridRows*cols], workers)
	if err != nil {
		return nil, err
	}
	for have := gridRows; have < rows; {
		step := min(stride, rows-have)
		ctxRows := gridRows - step
		w, err := score(ctx, b, promptText, tokens[(have-ctxRows)*cols:(have+step)*cols], workers)
		if err != nil {
			return nil, fmt.Errorf("score rows %d–%d: %w", have, have+step-1, err)
		}
		last := w.PerToken[ctxRows*cols:]
		out.PerToken = append(out.PerToken, last...)
		for _, v := range last {
			out.NLL += v
		}
		have += step
	}
	return out, nil
}
