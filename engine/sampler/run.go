package sampler

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/model"
)

// Event reports one patch as it is produced.
type Event struct {
	Image int     // which image of the batch
	Index int     // patch index in raster order
	Code  int     // the chosen code
	Patch []uint8 // the decoded p×p RGB patch, raster order, 3 bytes a pixel
	Kept  bool    // teacher-forced (kept from the input) rather than sampled
	Step  int     // positions done so far in this run (1-based)
	Steps int     // positions this run will do in all
}

// Image is one result of a run.
type Image struct {
	Seed uint64
	// Tokens are the image's codes in raster order; fewer than N when stopped.
	Tokens []int
	// LogLik is the sum of log p(code) under the model (conditional prompt,
	// temperature 1) over the positions this run produced or kept, starting
	// at the first sampled one; Count is how many.
	LogLik float64
	Count  int
	// KeptLogLik is the log-likelihood of the kept patches after the first
	// sampled one: how well the new patches fit what follows them.
	KeptLogLik float64
	KeptCount  int

	row int // the image's row in its run's batch (ranking reorders Images)
}

// MeanLogLik is LogLik per token (0 when nothing was produced).
func (im Image) MeanLogLik() float64 {
	if im.Count == 0 {
		return 0
	}
	return im.LogLik / float64(im.Count)
}

// Result is what a run produced. A stopped run returns what it has.
type Result struct {
	Images  []Image
	Stopped bool
	// Unknown are prompt words the model does not know (left out); Cut are
	// known words past the prompt length.
	Unknown, Cut []string
	Elapsed      time.Duration

	// With Options.KeepCache: the KV cache of every row and the prompt ids
	// of each guidance group, so Branch can continue without recomputing.
	cache  *model.Cache
	groups [][]int
}

// plan describes one run: which codes are fixed and how many images.
type plan struct {
	fixed []int // per patch: a code to keep, or -1 to sample
	batch int
	// from, when set, is a KV cache of G·batch rows that already holds the
	// prefix up to the first sampled patch: the prefill is skipped.
	from *model.Cache
	// groups, when set, are the context ids (the ContextLength() positions
	// before SOS) of each guidance group, the conditional one first; nil
	// means the prompt groups of opt (groupIDs). Edit models need them.
	groups [][]int
	// mix, when set, combines the logits of the G groups (rows[0] the
	// conditional) into dst; nil means classifier-free guidance with
	// opt.Guidance when there are two groups.
	mix func(dst []float32, rows [][]float32)
}

// run is the one decoding loop behind generation, completion and masked
// regeneration: it teacher-forces the fixed codes and samples the others,
// for a batch of images that share the prefix up to the first sampled patch.
func run(ctx context.Context, b *bundle.Bundle, opt Options, p plan, emit func(Event)) (*Result, error) {
	start := time.Now()
	m := b.Model
	c := m.Config
	N, K := c.ImageTokens(), c.Codes()
	opt, err := opt.normalized(N)
	if err != nil {
		return nil, err
	}
	if len(p.fixed) != N {
		return nil, fmt.Errorf("need %d patches, got %d", N, len(p.fixed))
	}
	for i, code := range p.fixed {
		if code >= K {
			return nil, fmt.Errorf("patch %d has code %d outside the codebook of %d", i, code, K)
		}
	}
	first := 0
	for first < N && p.fixed[first] >= 0 {
		first++
	}
	if first == N {
		return nil, errors.New("nothing to sample: every patch is kept")
	}
	res := &Result{}
	groups := p.groups
	if groups == nil {
		if c.IsEdit() {
			return nil, fmt.Errorf("model %s is an edit model: it needs a source image and an instruction (sampler.Edit)", b.Name)
		}
		groups = groupIDs(b, opt)
		if b.Conditional() {
			cond := b.PromptIDs(opt.Prompt)
			res.Unknown, res.Cut = cond.Unknown, cond.Cut
		}
	}
	for g, ids := range groups {
		if len(ids) != c.ContextLength() {
			return nil, fmt.Errorf("guidance group %d has %d context ids, the model takes %d", g, len(ids), c.ContextLength())
		}
	}
	G, B := len(groups), p.batch
	var rows [][]float32
	if p.mix != nil {
		rows = make([][]float32, G)
	}

	// Prefill the shared prefix once per group, then fan it out to the batch.
	prefixLen := c.ContextLength() + 1 + first
	ids := make([]int, 0, G*prefixLen)
	for _, g := range groups {
		ids = append(ids, g...)
		ids = append(ids, c.SOS())
		for _, code := range p.fixed[:first] {
			ids = append(ids, code)
		}
	}
	fopt := model.ForwardOptions{Workers: opt.Workers}
	if err := ctx.Err(); err != nil {
		res.Stopped = true
		return res, nil
	}
	kc := p.from
	if kc == nil {
		prefill := m.NewCache(G)
		if _, err := m.Forward(prefill, ids, prefixLen, fopt); err != nil {
			return nil, err
		}
		rows := make([]int, G*B)
		for r := range rows {
			rows[r] = r / B
		}
		kc = prefill.Gather(rows)
	}
	// Logits for patch `first` of every row: rerun the last prefix token
	// from the fanned-out cache, so the loop below always has B·G rows.
	kc.Truncate(prefixLen - 1)
	last := make([]int, G*B)
	for r := range last {
		last[r] = ids[(r/B+1)*prefixLen-1]
	}
	logits, err := m.Forward(kc, last, 1, fopt)
	if err != nil {
		return nil, err
	}

	res.Images = make([]Image, B)
	rngs := make([]*rand.Rand, B)
	for i := range res.Images {
		seed := opt.Seed + uint64(i)
		res.Images[i] = Image{Seed: seed, Tokens: append(make([]int, 0, N), p.fixed[:first]...), row: i}
		rngs[i] = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	}
	mixed := make([]float32, K)
	next := make([]int, G*B)
	var pk picker
	steps := N - first
	for i := first; i < N; i++ {
		temp := opt.temperatureAt(i)
		for bi := 0; bi < B; bi++ {
			im := &res.Images[bi]
			cond := logits[bi*K : (bi+1)*K]
			code := p.fixed[i]
			kept := code >= 0
			if !kept {
				dist := cond
				switch {
				case p.mix != nil:
					for g := range rows {
						rows[g] = logits[(g*B+bi)*K : (g*B+bi+1)*K]
					}
					p.mix(mixed, rows)
					cutBelowMinP(mixed, cond, opt.GuidanceMinP)
					dist = mixed
				case G == 2:
					neg := logits[(B+bi)*K : (B+bi+1)*K]
					guide(mixed, cond, neg, float32(opt.Guidance), opt.GuidanceMinP)
					dist = mixed
				}
				code = pk.pick(dist, temp, opt.Settings, rngs[bi])
			}
			lp := model.LogSoftmaxAt(cond, code)
			im.LogLik += lp
			im.Count++
			if kept {
				im.KeptLogLik += lp
				im.KeptCount++
			}
			im.Tokens = append(im.Tokens, code)
			for g := 0; g < G; g++ {
				next[g*B+bi] = code
			}
			if emit != nil {
				var patch []uint8 // a ViT tokenizer decodes the grid as a whole: no patch of its own
				if b.Codebook != nil {
					patch = make([]uint8, b.Codebook.PatchBytes())
					b.Codebook.DecodePatch(code, patch)
				}
				emit(Event{Image: bi, Index: i, Code: code, Patch: patch, Kept: kept, Step: i - first + 1, Steps: steps})
			}
		}
		if i == N-1 {
			break
		}
		if ctx.Err() != nil {
			res.Stopped = true
			break
		}
		if logits, err = m.Forward(kc, next, 1, fopt); err != nil {
			return nil, err
		}
	}
	res.Elapsed = time.Since(start)
	if opt.KeepCache {
		res.cache, res.groups = kc, groups
	}
	return res, nil
}

// guide writes the classifier-free guidance logits neg + g·(cond − neg)
// into mixed. With minP in (0, 1), codes whose conditional probability is
// below minP times the top one's are ruled out (−Inf).
func guide(mixed, cond, neg []float32, g float32, minP float64) {
	for k := range mixed {
		mixed[k] = neg[k] + g*(cond[k]-neg[k])
	}
	cutBelowMinP(mixed, cond, minP)
}

// cutBelowMinP rules out (−Inf in mixed) the codes whose conditional
// probability is below minP times the top one's; minP outside (0, 1) does
// nothing.
func cutBelowMinP(mixed, cond []float32, minP float64) {
	if minP <= 0 || minP >= 1 {
		return
	}
	top := cond[0]
	for _, v := range cond {
		top = max(top, v)
	}
	cut := top + float32(math.Log(minP))
	for k, v := range cond {
		if v < cut {
			mixed[k] = float32(math.Inf(-1))
		}
	}
}
