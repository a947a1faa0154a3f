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
	// Prompt, when set, is the prompt this image was drawn with where it
	// is not the run's: with the style drawn for its seed appended
	// (sampling.Settings.StylePerSeed).
	Prompt string
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
	// Free counts the patches this run sampled where guidance min-p left
	// more than one code to draw from (all of them without guidance
	// min-p): at none, temperature, top-k, top-p, the guidance scale and
	// the negative prompt changed nothing, as every patch had one code.
	Free int
	// StyleRows, for an image of a run with a style per seed that was
	// stopped, are its seed's pictures so far in every style, in style
	// order (each with its Prompt): ContinueStyled finishes them all and
	// keeps the one an unstopped run would have (the image is one of them,
	// the style its seed tries first).
	StyleRows []Image

	row int // the image's row in its run's batch (ranking reorders Images)
}

// OneCode reports whether guidance min-p left one code at every patch the
// run sampled for im (Free 0, and some patch sampled): no knob but min-p
// could have changed it.
func (im Image) OneCode() bool { return im.Free == 0 && im.Count > im.KeptCount }

// Fit is the score RankByFit orders by, in nats per token: KeptLogLik per
// kept patch where patches were kept after the first sampled one (how
// well the new patches fit what follows them), else MeanLogLik.
func (im Image) Fit() float64 {
	if im.KeptCount > 0 {
		return im.KeptLogLik / float64(im.KeptCount)
	}
	return im.MeanLogLik()
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

	// With Options.KeepCache: the KV cache of every row and the context
	// ids of every row (G·B, guidance group-major), so Branch can continue
	// without recomputing.
	cache    *model.Cache
	contexts [][]int
	nGroups  int
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
	// cond, when set, holds each of the batch's rows' own conditional
	// contexts, one per sub-prompt of a composed prompt (a style per seed:
	// see generateStyled); nil: the groups' own. The negative prompt's
	// group is shared.
	cond [][][]int
	// seeds, when set, is each row's seed; nil: opt.Seed + row.
	seeds []uint64
	// prefixes, when set, are each row's codes before the first sampled
	// patch (all as long), in place of fixed's: a stopped batch's images
	// each finished from its own top part (CompleteEach).
	prefixes [][]int
}

// prefix is row r's codes before patch first (r counts the batch's rows,
// whatever the guidance group).
func (p plan) prefix(r, first int) []int {
	if p.prefixes != nil {
		return p.prefixes[r%p.batch]
	}
	return p.fixed[:first]
}

// run is the one decoding loop behind generation, completion and masked
// regeneration: it teacher-forces the fixed codes and samples the others,
// for a batch of images that share the prefix up to the first sampled patch.
func run(ctx context.Context, b *bundle.Bundle, opt Options, p plan, emit func(Event)) (*Result, error) {
	start := time.Now()
	m := b.Model
	N := m.Config.ImageTokens()
	opt, err := opt.normalized(N)
	if err != nil {
		return nil, err
	}
	first, err := p.firstSampled(N, m.Config.Codes())
	if err != nil {
		return nil, err
	}
	res := &Result{}
	groups, err := p.contexts(b, opt, res)
	if err != nil {
		return nil, err
	}
	if err := CheckWeights(opt.Prompt); err != nil {
		return nil, err
	}
	if subs := subPrompts(opt.Prompt); p.groups == nil && p.mix == nil && composed(subs) {
		weights := make([]float64, len(subs))
		for i, sp := range subs {
			weights[i] = sp.weight
		}
		p.mix = composedMix(weights, opt.Guidance)
	}
	rows := p.rowContexts(groups)
	if err := ctx.Err(); err != nil {
		res.Stopped = true
		return res, nil
	}
	fopt := model.ForwardOptions{Workers: opt.Workers}
	kc, logits, err := prefill(m, rows, p, first, fopt)
	if err != nil {
		return nil, err
	}
	st := newStepper(b, opt, p, len(groups), first, emit)
	res.Images = st.images
	for i := first; i < N; i++ {
		st.patch(i, logits)
		if i == N-1 {
			break
		}
		if ctx.Err() != nil {
			res.Stopped = true
			break
		}
		if logits, err = m.Forward(kc, st.next, 1, fopt); err != nil {
			return nil, err
		}
	}
	res.Elapsed = time.Since(start)
	if opt.KeepCache {
		res.cache, res.contexts, res.nGroups = kc, rows, len(groups)
	}
	return res, nil
}

// firstSampled checks the plan's kept codes against an image of n patches
// and a codebook of k entries, and returns the first patch to sample.
func (p plan) firstSampled(n, k int) (int, error) {
	if len(p.fixed) != n {
		return 0, fmt.Errorf("need %d patches, got %d", n, len(p.fixed))
	}
	for i, code := range p.fixed {
		if code >= k {
			return 0, fmt.Errorf("patch %d has code %d outside the codebook of %d", i, code, k)
		}
	}
	first := 0
	for first < n && p.fixed[first] >= 0 {
		first++
	}
	if first == n {
		return 0, errors.New("nothing to sample: every patch is kept")
	}
	if p.prefixes != nil {
		if len(p.prefixes) != p.batch {
			return 0, fmt.Errorf("%d row prefixes for a batch of %d", len(p.prefixes), p.batch)
		}
		for r, pre := range p.prefixes {
			if len(pre) != first {
				return 0, fmt.Errorf("row %d keeps %d patches, the others %d", r, len(pre), first)
			}
			for i, code := range pre {
				if code < 0 || code >= k {
					return 0, fmt.Errorf("row %d patch %d has code %d outside the codebook of %d", r, i, code, k)
				}
			}
		}
	}
	return first, nil
}

// contexts are the context ids of each guidance group (the prompt, and the
// negative prompt with guidance; an edit's own groups), each the model's
// context length. The prompt's unknown and cut words go to res.
func (p plan) contexts(b *bundle.Bundle, opt Options, res *Result) ([][]int, error) {
	c := b.Model.Config
	groups := p.groups
	if groups == nil {
		if c.IsEdit() {
			return nil, fmt.Errorf("model %s is an edit model: it needs a source image and an instruction to edit it by", b.Name)
		}
		groups = groupIDs(b, opt)
		if b.Conditional() {
			enc := EncodePrompt(b, opt.Prompt)
			res.Unknown, res.Cut = enc.Unknown, enc.Cut
		}
	}
	for g, ids := range groups {
		if len(ids) != c.ContextLength() {
			return nil, fmt.Errorf("guidance group %d has %d context ids, the model takes %d", g, len(ids), c.ContextLength())
		}
	}
	for r, subs := range p.cond {
		if len(subs) > len(groups) {
			return nil, fmt.Errorf("row %d has %d prompts, the run %d guidance groups", r, len(subs), len(groups))
		}
		for _, ids := range subs {
			if len(ids) != c.ContextLength() {
				return nil, fmt.Errorf("row %d has %d context ids, the model takes %d", r, len(ids), c.ContextLength())
			}
		}
	}
	if p.cond != nil && len(p.cond) != p.batch || p.seeds != nil && len(p.seeds) != p.batch {
		return nil, fmt.Errorf("%d row contexts and %d row seeds for a batch of %d", len(p.cond), len(p.seeds), p.batch)
	}
	return groups, nil
}

// rowContexts are the context ids of every row of the run: G·B, guidance
// group-major, each group's own or, for the conditional groups, the plan's
// per-row ones.
func (p plan) rowContexts(groups [][]int) [][]int {
	rows := make([][]int, 0, len(groups)*p.batch)
	for g, ids := range groups {
		for r := 0; r < p.batch; r++ {
			if p.cond != nil && g < len(p.cond[r]) {
				rows = append(rows, p.cond[r][g])
			} else {
				rows = append(rows, ids)
			}
		}
	}
	return rows
}

// prefill runs the prefix (context, SOS, the kept patches before first)
// once for each different context of the rows (G·B of them, guidance
// group-major: see rowContexts) and fans it out to the rows (or takes the
// plan's cache), and returns the cache with the logits of patch first for
// every row ([G·B, K]).
func prefill(m *model.Model, rows [][]int, p plan, first int, fopt model.ForwardOptions) (*model.Cache, []float32, error) {
	c := m.Config
	prefixLen := c.ContextLength() + 1 + first
	var ids []int
	distinct := map[string]int{} // context → its prefix's row in ids
	rowOf := make([]int, len(rows))
	for r, ctx := range rows {
		pre := p.prefix(r, first)
		key := fmt.Sprint(ctx, pre)
		d, ok := distinct[key]
		if !ok {
			d = len(distinct)
			distinct[key] = d
			ids = append(ids, ctx...)
			ids = append(ids, c.SOS())
			ids = append(ids, pre...)
		}
		rowOf[r] = d
	}
	kc := p.from
	if kc == nil {
		one := m.NewCache(len(distinct))
		if _, err := m.Forward(one, ids, prefixLen, fopt); err != nil {
			return nil, nil, err
		}
		kc = one.Gather(rowOf)
	}
	// Rerun the last prefix token from the fanned-out cache, so the step
	// loop always has G·B rows.
	kc.Truncate(prefixLen - 1)
	last := make([]int, len(rows))
	for r := range last {
		last[r] = ids[(rowOf[r]+1)*prefixLen-1]
	}
	logits, err := m.Forward(kc, last, 1, fopt)
	return kc, logits, err
}

// stepper samples one patch of every image of a batch at a time from the
// logits of the G·B rows (guidance group-major), and records it.
type stepper struct {
	b      *bundle.Bundle
	opt    Options
	p      plan
	g, k   int
	first  int
	images []Image
	rngs   []*rand.Rand
	next   []int       // the codes chosen, fed back to every group's row
	mixed  []float32   // guided logits
	rows   [][]float32 // the groups' logits for p.mix
	pk     picker
	emit   func(Event)
}

func newStepper(b *bundle.Bundle, opt Options, p plan, groups, first int, emit func(Event)) *stepper {
	n, k, batch := b.Model.Config.ImageTokens(), b.Model.Config.Codes(), p.batch
	st := &stepper{b: b, opt: opt, p: p, g: groups, k: k, first: first, emit: emit,
		images: make([]Image, batch), rngs: make([]*rand.Rand, batch), next: make([]int, groups*batch), mixed: make([]float32, k)}
	if p.mix != nil {
		st.rows = make([][]float32, groups)
	}
	for i := range st.images {
		seed := opt.Seed + uint64(i)
		if p.seeds != nil {
			seed = p.seeds[i]
		}
		st.images[i] = Image{Seed: seed, Tokens: append(make([]int, 0, n), p.prefix(i, first)...), row: i}
		st.rngs[i] = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	}
	return st
}

// patch samples (or keeps) patch i of every image from logits ([G·B, K]),
// adds its log-likelihood, fills next and emits one event per image.
func (st *stepper) patch(i int, logits []float32) {
	B, K := len(st.images), st.k
	temp := st.opt.temperatureAt(i)
	for bi := range st.images {
		im := &st.images[bi]
		cond := logits[bi*K : (bi+1)*K]
		code := st.p.fixed[i]
		kept := code >= 0
		if !kept {
			dist, left := st.guided(logits, bi)
			if left > 1 {
				im.Free++
			}
			code = st.pk.pick(dist, temp, st.opt.Settings, st.rngs[bi])
		}
		lp := model.LogSoftmaxAt(cond, code)
		im.LogLik += lp
		im.Count++
		if kept {
			im.KeptLogLik += lp
			im.KeptCount++
		}
		im.Tokens = append(im.Tokens, code)
		for g := 0; g < st.g; g++ {
			st.next[g*B+bi] = code
		}
		if st.emit != nil {
			var pix []uint8 // a ViT tokenizer decodes the grid as a whole: no patch of its own
			if st.b.Codebook != nil {
				pix = make([]uint8, st.b.Codebook.PatchBytes())
				st.b.Codebook.DecodePatch(code, pix)
			}
			st.emit(Event{Image: bi, Index: i, Code: code, Patch: pix, Kept: kept, Step: i - st.first + 1, Steps: len(st.p.fixed) - st.first})
		}
	}
}

// guided is the distribution image bi samples from: its conditional
// logits, guided by the negative prompt's (G = 2) or mixed by the plan's
// rule, with guidance min-p applied; and how many codes min-p left (all K
// without it).
func (st *stepper) guided(logits []float32, bi int) ([]float32, int) {
	B, K := len(st.images), st.k
	cond := logits[bi*K : (bi+1)*K]
	switch {
	case st.p.mix != nil:
		for g := range st.rows {
			st.rows[g] = logits[(g*B+bi)*K : (g*B+bi+1)*K]
		}
		st.p.mix(st.mixed, st.rows)
		return st.mixed, cutBelowMinP(st.mixed, cond, st.opt.GuidanceMinP)
	case st.g == 2:
		neg := logits[(B+bi)*K : (B+bi+1)*K]
		return st.mixed, guide(st.mixed, cond, neg, float32(st.opt.Guidance), st.opt.GuidanceMinP)
	}
	return cond, K
}

// guide writes the classifier-free guidance logits neg + g·(cond − neg)
// into mixed. With minP in (0, 1), codes whose conditional probability is
// below minP times the top one's are ruled out (−Inf). It returns how
// many codes are left.
func guide(mixed, cond, neg []float32, g float32, minP float64) int {
	for k := range mixed {
		mixed[k] = neg[k] + g*(cond[k]-neg[k])
	}
	return cutBelowMinP(mixed, cond, minP)
}

// cutBelowMinP rules out (−Inf in mixed) the codes whose conditional
// probability is below minP times the top one's, and returns how many
// codes are left; minP outside (0, 1) does nothing (all are left).
func cutBelowMinP(mixed, cond []float32, minP float64) int {
	if minP <= 0 || minP >= 1 {
		return len(cond)
	}
	top := cond[0]
	for _, v := range cond {
		top = max(top, v)
	}
	cut := top + float32(math.Log(minP))
	left := 0
	for k, v := range cond {
		if v < cut {
			mixed[k] = float32(math.Inf(-1))
		} else {
			left++
		}
	}
	return left
}
