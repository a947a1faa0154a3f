package sampler

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/prompt"
)

// PromptScore is the likelihood of one image under one candidate prompt.
type PromptScore struct {
	// Prompt is the candidate as given.
	Prompt string
	// NLL is −log p(codes | prompt) in nats, summed over the image's codes:
	// what ScoreTokens gives for this prompt. When Bound is set it is only a
	// lower bound: the NLL of the codes scored before the prompt was ruled
	// out.
	NLL float64
	// Tokens is the number of codes in the image (the model's N).
	Tokens int
	// Bound marks a prompt ruled out early (RankOptions.Top): the codes
	// scored so far were already less likely under it than the whole image
	// under the Top-th best prompt.
	Bound bool
	// Unknown and Cut are the words the model left out of the prompt
	// (unknown to it, or past its prompt length).
	Unknown, Cut []string
}

// BitsPerToken is the mean negative log-likelihood per code in bits:
// NLL / Tokens / ln 2 (a lower bound when Bound is set).
func (s PromptScore) BitsPerToken() float64 {
	if s.Tokens == 0 {
		return 0
	}
	return s.NLL / float64(s.Tokens) / math.Ln2
}

// RankOptions tune RankPrompts.
type RankOptions struct {
	// Workers caps the threads (0 means all CPUs). Each thread runs whole
	// batches on its own, one forward pass at a time with no other thread
	// in it: passes of a few hundred positions are too short to split
	// between threads without their hand-overs costing a quarter of the
	// time. When there are fewer batches than threads, the passes are
	// split instead.
	Workers int
	// Batch is how many prompts advance together through the forward
	// passes (0: enough for about 2,048 positions per pass, at most 64,
	// and at most 256 MiB of KV cache).
	Batch int
	// Top, when positive, asks for only the Top most likely prompts exactly
	// (and in order). A batch then runs an eighth of the image at a time,
	// continuing from its KV cache, and after each pass a prompt stops
	// being scored once the NLL of its codes so far (nats) exceeds the NLL
	// of the whole image under the Top-th best prompt scored in full (its
	// PromptScore has Bound set). Since −log p of every code is at least 0,
	// this loses nothing from the top Top. Until Top prompts are scored in
	// full, the Top with the lowest NLL after a batch's first pass are run
	// to the end first, so the first batches have a bound to rule out
	// against too. What it saves depends on how soon the other prompts fall
	// behind: on held-out emoji images, 30–65% of the positions; on a
	// memorising model or a model's own sample, most of them. Prompts
	// within Window nats of the best are never ruled out either. Which
	// other prompts are ruled out (and their bounds) can change from run
	// to run when batches run in parallel, as the bound tightens in
	// another order; the first Top and those within the window never do.
	// 0 scores every prompt in full, one pass per batch.
	Top int
	// Window (nats) widens what Top keeps in full: every prompt within
	// Window of the best too (0: none). PosteriorWindow makes Posteriors
	// of the result the same whatever Top and the order batches ran in.
	Window float64
	// Shortlist is how many names RankCandidates keeps after ranking names
	// alone (0: NameShortlist; < 0: one stage over every candidate).
	// RankPrompts ignores it.
	Shortlist int
	// Progress, when set, is called after forward passes with the number of
	// distinct prompts done (scored in full or ruled out) and their total;
	// calls never overlap and the number never decreases.
	Progress func(done, total int)
}

// Default batch bounds: positions (batch × sequence length) a RankPrompts
// batch aims for, most sequences per batch, most KV cache bytes per batch.
const (
	rankPositions = 2048
	rankMaxBatch  = 64
	rankMaxCache  = 256 << 20
)

// rankChunks is how many pieces of the image a batch runs in with Top.
// Finer pieces rule prompts out sooner (after every code, 10–30% fewer
// positions on held-out emoji images), but every pass of every sequence
// has a cost of its own (per-head attention products, cache bookkeeping):
// on the emoji model, twelfths and sixteenths of the image took as long as
// eighths, and thirty-seconds longer.
const rankChunks = 8

// RankPrompts ranks candidate prompts by the exact likelihood of one image's
// codes under each: a zero-shot classifier, or a reverse prompter, over a
// list of prompts. tokens holds the image's N codes in raster order.
//
// Every prompt is one sequence (prompt ids | SOS | codes, as in
// ScoreTokens; a causal model shares nothing between prompts that come
// first in the sequence), run Batch prompts at a time through the batched
// forward pass on a float32 cache, so each NLL equals ScoreTokens' up to
// float32 rounding in the matrix products (about 1e-7 of it); the prompts
// within rounding of the best are then rescored one at a time, so the top
// prompt and its NLL are exactly ScoreTokens'. Prompts that encode to the
// same ids (the same known words) are scored once. With opt.Top, prompts
// that cannot make the top are ruled out early (see RankOptions.Top).
//
// The result holds one PromptScore per prompt: the fully scored ones first,
// most likely first (lowest NLL in nats; ties keep the input order), then
// those ruled out, by their lower bound. A model without prompts, codes
// that do not fit the model or an empty list are errors; a cancelled ctx
// stops between forward passes.
func RankPrompts(ctx context.Context, b *bundle.Bundle, prompts []string, tokens []int, opt RankOptions) ([]PromptScore, error) {
	if !b.Conditional() {
		return nil, fmt.Errorf("rank prompts: model %s takes no prompt", b.Name)
	}
	if len(prompts) == 0 {
		return nil, errors.New("rank prompts: no candidate prompts")
	}
	m := b.Model
	c := m.Config
	N, K, L := c.ImageTokens(), c.Codes(), c.PromptLength()
	if len(tokens) != N {
		return nil, fmt.Errorf("rank prompts: need %d tokens, got %d", N, len(tokens))
	}
	for i, code := range tokens {
		if code < 0 || code >= K {
			return nil, fmt.Errorf("rank prompts: patch %d has code %d outside the codebook of %d", i, code, K)
		}
	}

	// Distinct prompt encodings.
	out := make([]PromptScore, len(prompts))
	slot := make([]int, len(prompts)) // prompt → distinct encoding
	var distinct [][]int
	index := map[string]int{}
	for i, p := range prompts {
		enc := b.PromptIDs(p)
		out[i] = PromptScore{Prompt: p, Tokens: N, Unknown: enc.Unknown, Cut: enc.Cut}
		key := fmt.Sprint(enc.IDs)
		j, ok := index[key]
		if !ok {
			j = len(distinct)
			index[key] = j
			distinct = append(distinct, enc.IDs)
		}
		slot[i] = j
	}
	D := len(distinct)

	batch := opt.Batch
	if batch <= 0 {
		perSeq := int64(c.NLayer) * 2 * int64(c.NPositions) * int64(c.NEmbd) * 4
		batch = max(1, min(rankPositions/(L+N), rankMaxBatch, int(rankMaxCache/max(perSeq, 1))))
	}
	threads := opt.Workers
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	lanes := max(1, min(threads, (D+batch-1)/batch))
	r := &ranking{batch: batch, nll: make([]float64, D), bound: make([]bool, D), progress: opt.Progress}
	if opt.Top > 0 && opt.Top < D {
		r.top = opt.Top
	}
	if opt.Window > 0 {
		r.window = opt.Window
	}
	var wg sync.WaitGroup
	for range lanes {
		sc := &rankScorer{m: m, tokens: tokens, distinct: distinct, workers: max(1, threads/lanes)}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.run(ctx, sc)
		}()
	}
	wg.Wait()
	if r.err != nil {
		return nil, r.err
	}
	nll, bound := r.nll, r.bound
	if err := refineTop(ctx, m, distinct, tokens, nll, bound, opt.Workers); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].NLL, out[i].Bound = nll[slot[i]], bound[slot[i]]
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Bound != out[j].Bound {
			return !out[i].Bound
		}
		return out[i].NLL < out[j].NLL
	})
	return out, nil
}

// roundingWindow is how far apart two NLLs near v may be from float32
// rounding alone (batched and single passes differ by about 1e-7 of it):
// 1e-3 nats plus 1e-5 of v; 0 for an infinite v.
func roundingWindow(v float64) float64 {
	if math.IsInf(v, 0) {
		return 0
	}
	return 1e-3 + 1e-5*math.Abs(v)
}

// rankScorer runs RankPrompts' batched forward passes.
type rankScorer struct {
	m        *model.Model
	tokens   []int
	distinct [][]int // prompt ids of each distinct prompt
	workers  int
	kc       *model.Cache // reused while batches keep their size
	ids      []int
}

// cache returns a float32 cache for rows sequences, empty: the one of the
// previous batch when it has as many rows.
func (s *rankScorer) cache(rows int) *model.Cache {
	if s.kc == nil || s.kc.Batch() != rows {
		s.kc = s.m.NewExactCache(rows)
	}
	s.kc.Truncate(0)
	return s.kc
}

// ranking is what the batches of one RankPrompts share: the queue of
// batches, each distinct prompt's NLL, the bound, progress and the first
// error. Its methods may be called from any lane.
type ranking struct {
	batch  int
	top    int     // 0: score every prompt in full
	window float64 // nats: prompts this near the best are scored in full too

	mu       sync.Mutex
	next     int       // the first prompt of the next batch to start
	nll      []float64 // nats, per distinct prompt
	bound    []bool
	best     []float64 // the top lowest full NLLs so far, ascending
	decided  int
	progress func(done, total int)
	err      error
}

// run has sc score batches until none is left or one failed.
func (r *ranking) run(ctx context.Context, sc *rankScorer) {
	D := len(sc.distinct)
	for {
		r.mu.Lock()
		lo := r.next
		if r.err != nil || lo >= D {
			r.mu.Unlock()
			return
		}
		hi := min(lo+r.batch, D)
		r.next = hi
		r.mu.Unlock()
		if err := sc.scoreBatch(ctx, r, lo, hi); err != nil {
			r.mu.Lock()
			if r.err == nil {
				r.err = err
			}
			r.mu.Unlock()
			return
		}
	}
}

// limit is the NLL (nats) above which a prompt cannot make the top nor
// come within the window of the best: the top-th best full NLL so far, or
// the best plus the window if that is higher, plus its rounding window;
// +Inf until top prompts are scored in full (or without a top).
func (r *ranking) limit() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.top == 0 || len(r.best) < r.top {
		return math.Inf(1)
	}
	v := r.best[r.top-1]
	if w := r.best[0] + r.window; w > v {
		v = w // every prompt Posteriors counts is scored in full
	}
	return v + roundingWindow(v)
}

// decide records the NLLs (nats) of distinct prompts js: of the whole image,
// or with bound of the codes scored before they were ruled out.
func (r *ranking) decide(js []int, nll []float64, bound bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, j := range js {
		r.nll[j], r.bound[j] = nll[k], bound
		if !bound && r.top > 0 {
			i, _ := slices.BinarySearch(r.best, nll[k])
			r.best = slices.Insert(r.best, i, nll[k])
			r.best = r.best[:min(len(r.best), r.top)]
		}
	}
	r.decided += len(js)
}

// report calls Progress.
func (r *ranking) report() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.progress != nil {
		r.progress(r.decided, len(r.nll))
	}
}

// scoreBatch scores the distinct prompts lo…hi−1: in one forward pass
// without a top; with one, an eighth of the image per pass, ruling a
// prompt out once its NLL so far exceeds r.limit().
func (s *rankScorer) scoreBatch(ctx context.Context, r *ranking, lo, hi int) error {
	N := len(s.tokens)
	chunk := N
	if r.top > 0 {
		chunk = max(1, (N+rankChunks-1)/rankChunks)
	}
	g := s.newGroup(lo, hi)
	for g.done < N {
		if err := s.advance(ctx, g, min(N, g.done+chunk)); err != nil {
			return err
		}
		if g.done == N {
			break
		}
		if math.IsInf(r.limit(), 1) && g.live() > r.top {
			// No bound yet: finish the batch's leaders first.
			leaders := g.leaders(r.top)
			lg := &group{kc: g.kc.Gather(leaders), done: g.done}
			for _, row := range leaders {
				lg.rows = append(lg.rows, g.rows[row])
				lg.running = append(lg.running, g.running[row])
				g.rows[row] = -1
			}
			if err := s.advance(ctx, lg, N); err != nil {
				return err
			}
			r.decide(lg.rows, lg.running, false)
		}
		lim := r.limit()
		var out []int
		var at []float64
		for row, j := range g.rows {
			if j >= 0 && g.running[row] > lim {
				out, at = append(out, j), append(at, g.running[row])
				g.rows[row] = -1
			}
		}
		r.decide(out, at, true)
		if g.live() == 0 {
			break
		}
		g.compact()
		r.report()
	}
	var js []int
	var at []float64
	for row, j := range g.rows {
		if j >= 0 {
			js, at = append(js, j), append(at, g.running[row])
		}
	}
	r.decide(js, at, false)
	r.report()
	return nil
}

// group is a batch of prompts advancing together on one KV cache.
type group struct {
	kc *model.Cache
	// rows maps each sequence of the cache to its distinct prompt, or −1
	// for one that was decided (it is still computed until compact drops
	// it); running is each sequence's NLL so far in nats.
	rows    []int
	running []float64
	done    int // codes scored so far
}

// newGroup starts distinct prompts lo…hi−1 on the scorer's cache.
func (s *rankScorer) newGroup(lo, hi int) *group {
	g := &group{kc: s.cache(hi - lo), running: make([]float64, hi-lo)}
	for j := lo; j < hi; j++ {
		g.rows = append(g.rows, j)
	}
	return g
}

// live counts the sequences still being scored.
func (g *group) live() int {
	n := 0
	for _, j := range g.rows {
		if j >= 0 {
			n++
		}
	}
	return n
}

// leaders are the n live sequences with the lowest NLL so far.
func (g *group) leaders(n int) []int {
	var live []int
	for r, j := range g.rows {
		if j >= 0 {
			live = append(live, r)
		}
	}
	slices.SortStableFunc(live, func(a, b int) int { return cmp.Compare(g.running[a], g.running[b]) })
	return live[:min(n, len(live))]
}

// compact drops the decided sequences from the cache once they are a
// quarter of it (copying the cache costs about as much as a forward pass,
// so it is not done for every sequence ruled out).
func (g *group) compact() {
	var keep []int
	for r, j := range g.rows {
		if j >= 0 {
			keep = append(keep, r)
		}
	}
	if dead := len(g.rows) - len(keep); dead == 0 || 4*dead < len(g.rows) {
		return
	}
	g.kc = g.kc.Gather(keep)
	for k, r := range keep {
		g.rows[k], g.running[k] = g.rows[r], g.running[r]
	}
	g.rows, g.running = g.rows[:len(keep)], g.running[:len(keep)]
}

// advance runs the group's sequences on from g.done codes to next codes
// in one forward pass, adding each code's −log p (nats) to running. The
// first pass holds the prompt, SOS and the codes before next (its logits
// from position L on predict codes 0…next−1); later passes hold codes
// done−1…next−2, predicting codes done…next−1.
func (s *rankScorer) advance(ctx context.Context, g *group, next int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c := s.m.Config
	K, L := c.Codes(), c.PromptLength()
	done := g.done
	n, off := next-done, 0
	s.ids = s.ids[:0]
	for _, j := range g.rows {
		if done == 0 { // every row is live before the first pass
			s.ids = append(s.ids, s.distinct[j]...)
			s.ids = append(s.ids, c.SOS())
			s.ids = append(s.ids, s.tokens[:next-1]...)
		} else {
			s.ids = append(s.ids, s.tokens[done-1:next-1]...)
		}
	}
	if done == 0 {
		n, off = L+next, L
	}
	// The prompt's positions predict no code: no logits for them.
	logits, err := s.m.Forward(g.kc, s.ids, n, model.ForwardOptions{AllLogits: true, LogitsFrom: off, Workers: s.workers})
	if err != nil {
		return fmt.Errorf("rank prompts: %w", err)
	}
	for r, j := range g.rows {
		if j < 0 {
			continue
		}
		for q := range next - done {
			p := r*(n-off) + q
			g.running[r] += -model.LogSoftmaxAt(logits[p*K:(p+1)*K], s.tokens[done+q])
		}
	}
	g.done = next
	return nil
}

// refineMax bounds how many near-best prompts refineTop rescores.
const refineMax = 16

// refineTop rescores, one sequence per pass exactly as ScoreTokens does, the
// distinct prompts fully scored whose batched NLL is within rounding of the
// best (roundingWindow), at most refineMax of them, so the top prompt and
// its NLL are exactly ScoreTokens' argmax and value.
func refineTop(ctx context.Context, m *model.Model, distinct [][]int, tokens []int, nll []float64, bound []bool, workers int) error {
	best := math.Inf(1)
	for j, v := range nll {
		if !bound[j] {
			best = min(best, v)
		}
	}
	window := roundingWindow(best)
	c := m.Config
	N, K, L := c.ImageTokens(), c.Codes(), c.PromptLength()
	ids := make([]int, 0, L+N)
	done := 0
	for j, v := range nll {
		if bound[j] || v > best+window || done == refineMax {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		ids = append(append(append(ids[:0], distinct[j]...), c.SOS()), tokens[:N-1]...)
		logits, err := m.Forward(m.NewExactCache(1), ids, len(ids), model.ForwardOptions{AllLogits: true, Workers: workers})
		if err != nil {
			return fmt.Errorf("rank prompts: %w", err)
		}
		sum := 0.0
		for i, code := range tokens {
			sum += -model.LogSoftmaxAt(logits[(L+i)*K:(L+i+1)*K], code)
		}
		nll[j] = sum
		done++
	}
	return nil
}

// ExplainNats is how much likelier than no prompt (in nats, over all of an
// image's codes) its likeliest prompt must make an image to explain it: 1
// nat, the image e times as likely. A picture unlike the model's (a smiley
// drawn with ImageMagick, under the emoji model) had its likeliest prompt
// at 0.007 bits a patch, 0.3 nats over 64 codes, below no prompt: any
// prompt moves an image that much.
const ExplainNats = 1.0

// Unexplained reports whether a description means little: the likeliest
// prompt's best (bits per token) costs more than a uniform guess among the
// model's codes (log₂ codes bits), or makes the image of tokens codes less
// than ExplainNats likelier than no prompt does (uncond, bits per token): a
// picture unlike what the model draws.
func Unexplained(best, uncond float64, codes, tokens int) bool {
	return best > math.Log2(float64(codes)) || (uncond-best)*float64(tokens)*math.Ln2 < ExplainNats
}

// DrawnSamples is how many of the model's own pictures DrawnBits draws.
const DrawnSamples = 4

// DrawnBits is what model b's own pictures of prompt cost it: the dearest
// of DrawnSamples images drawn from its distribution as it is (temperature
// 1; no guidance, top-k, top-p or min-p; seeds seed…), each scored as it
// was drawn (Image.LogLik), in bits per token. An image that costs no more
// under prompt is like what the model draws of it, whatever it gains over
// no prompt (UnexplainedBeside): under the MNIST model a clean typed 7
// costs 1.29 bits a patch under "digit 7", its own sevens up to 1.61, yet
// the prompt makes it less than e times likelier than no prompt.
func DrawnBits(ctx context.Context, b *bundle.Bundle, prompt string, seed uint64, workers int) (float64, error) {
	opt := Defaults()
	opt.Prompt, opt.Seed, opt.Batch, opt.Workers = prompt, seed, DrawnSamples, workers
	res, err := Generate(ctx, b, opt, nil)
	if err != nil {
		return 0, fmt.Errorf("draw the model's own pictures of %q: %w", prompt, err)
	}
	if res.Stopped {
		return 0, ctx.Err()
	}
	dearest := math.Inf(-1)
	for _, im := range res.Images {
		if im.Count > 0 {
			dearest = max(dearest, -im.LogLik/float64(im.Count)/math.Ln2)
		}
	}
	return dearest, nil
}

// UnexplainedBeside is Unexplained, but an image its likeliest prompt
// explains hardly better than no prompt still counts as explained where it
// costs no more (best, bits per token) than drawn, the model's own
// pictures of that prompt (DrawnBits; NaN: not measured). One dearer than
// a uniform guess among the codes never does.
func UnexplainedBeside(best, uncond, drawn float64, codes, tokens int) bool {
	if !Unexplained(best, uncond, codes, tokens) {
		return false
	}
	return best > math.Log2(float64(codes)) || !(best <= drawn)
}

// NeedsDrawnBits reports whether UnexplainedBeside needs DrawnBits: the
// gain over no prompt alone calls the image unexplained, and it is no
// dearer than a uniform guess.
func NeedsDrawnBits(best, uncond float64, codes, tokens int) bool {
	return Unexplained(best, uncond, codes, tokens) && best <= math.Log2(float64(codes))
}

// PosteriorWindow (nats) is how far above the best NLL a prompt still
// counts in Posteriors: a prompt farther off is less than e^−10 (4.5·10⁻⁵)
// as likely as the best, and RankPrompts with Top may rule it out early at
// a bound that depends on the order batches finished in. Rank with it as
// RankOptions.Window to take Posteriors of the result.
const PosteriorWindow = 10.0

// Posteriors turns ranked scores into probabilities of each prompt given the
// image under a uniform prior over the candidates: softmax(−NLL) over the
// prompts scored in full within PosteriorWindow nats of the best, in the
// scores' order. When the ranking ran with RankOptions.Window
// PosteriorWindow (or none ruled out), those are the same prompts
// whatever RankOptions.Top or the order batches ran in, so the
// probabilities are too. A prompt scored in full farther off gets its
// (tiny) share against the same sum; one ruled out early (Bound) gets 0.
// Duplicate encodings count once each time they appear.
func Posteriors(scores []PromptScore) []float64 {
	if len(scores) == 0 {
		return nil
	}
	best := math.Inf(1)
	for _, s := range scores {
		if !s.Bound {
			best = min(best, s.NLL)
		}
	}
	p := make([]float64, len(scores))
	sum := 0.0
	for i, s := range scores {
		if s.Bound {
			continue
		}
		p[i] = math.Exp(best - s.NLL)
		if s.NLL <= best+PosteriorWindow {
			sum += p[i]
		}
	}
	if sum == 0 { // every score a bound: nothing to compare
		return p
	}
	for i := range p {
		p[i] /= sum
	}
	return p
}

// pairWords is the largest vocabulary VocabularyPrompts pairs words from.
const pairWords = 64

// VocabularyPrompts returns candidate prompts made of a model's vocabulary,
// for a model that does not come with a list of its captions: every word
// but PAD and the style words, in vocabulary order, and, when there are at
// most 64 such words, every ordered pair of two different ones after them
// (so an MNIST model is offered "digit 3"). Pass them through WithStyles to
// add the style words. A model without prompts has none.
func VocabularyPrompts(b *bundle.Bundle) []string {
	if !b.Conditional() {
		return nil
	}
	styleWord := map[string]bool{}
	for _, s := range styleWords(b) {
		for _, w := range prompt.Split(s) {
			styleWord[w] = true
		}
	}
	var words []string
	for _, w := range b.Prompt.Words()[1:] {
		if !styleWord[w] {
			words = append(words, w)
		}
	}
	out := slices.Clone(words)
	if len(words) <= pairWords {
		for _, a := range words {
			for _, c := range words {
				if a != c {
					out = append(out, a+" "+c)
				}
			}
		}
	}
	return out
}

// WithStyles returns each of prompts followed by each of the model's style
// words (config tessera.style_words, each a word or a phrase), prompt by
// prompt in style order, or prompts unchanged when the model has none. For
// the emoji model, the emoji names give names × styles: the captions it was
// trained on, less skin tones.
func WithStyles(b *bundle.Bundle, prompts []string) []string {
	styles := styleWords(b)
	if len(styles) == 0 {
		return slices.Clone(prompts)
	}
	out := make([]string, 0, len(prompts)*len(styles))
	for _, p := range prompts {
		for _, s := range styles {
			out = append(out, p+" "+s)
		}
	}
	return out
}

// NamesAndStyles is each of names alone and then in each of b's styles
// (WithStyles): the prompts Describe ranks for names. The model learnt each
// name without its style word too (the emoji model drops it 40% of the
// time), and a fine-tune's own captions only so: Describe offered those only
// with a style word ("magenta circle google", never "magenta circle").
func NamesAndStyles(b *bundle.Bundle, names []string) []string {
	styled := WithStyles(b, names)
	if len(styleWords(b)) == 0 {
		return styled
	}
	return append(slices.Clone(names), styled...)
}

// styleWords are the model's style words (config tessera.style_words).
func styleWords(b *bundle.Bundle) []string { return b.Model.Config.StyleWords() }
