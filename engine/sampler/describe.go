package sampler

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

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
	// Workers caps the threads of each forward pass (0 means all CPUs).
	Workers int
	// Batch is how many prompts go through one forward pass (0: enough for
	// about 2,048 positions, at most 64, and at most 256 MiB of KV cache).
	Batch int
	// Top, when positive, asks for only the Top most likely prompts exactly
	// (and in order): a batch then runs an eighth of the image at a time,
	// continuing from its KV cache, and a prompt stops being scored once
	// the codes so far are already less likely under it than the whole image
	// under the Top-th best prompt scored before (its PromptScore has Bound
	// set). Since −log p of every code is at least 0, this loses nothing
	// from the top Top. It saves most of the work when the image is much
	// likelier under a few prompts than under the rest (a memorising model,
	// or a model's own sample); at worst it costs the smaller forward
	// passes. 0 scores every prompt in full, one pass per batch.
	Top int
	// Progress, when set, is called after each batch with the number of
	// distinct prompts done (scored or ruled out) and their total.
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
// most likely first (lowest NLL; ties keep the input order), then those
// ruled out, by their lower bound. A model without prompts, codes that do
// not fit the model or an empty list are errors; a cancelled ctx stops
// between forward passes.
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

	sc := &rankScorer{m: m, tokens: tokens, distinct: distinct, workers: opt.Workers}
	batch := opt.Batch
	if batch <= 0 {
		perSeq := int64(c.NLayer) * 2 * int64(c.NPositions) * int64(c.NEmbd) * 4
		batch = max(1, min(rankPositions/(L+N), rankMaxBatch, int(rankMaxCache/max(perSeq, 1))))
	}
	pruning := opt.Top > 0 && opt.Top < D
	chunk := N
	if pruning {
		chunk = max(1, (N+rankChunks-1)/rankChunks)
	}
	nll := make([]float64, D)
	bound := make([]bool, D)
	best := make([]float64, 0, opt.Top+1) // the Top lowest full NLLs so far, ascending
	limit := math.Inf(1)
	for lo := 0; lo < D; lo += batch {
		hi := min(lo+batch, D)
		idx := make([]int, 0, hi-lo)
		for j := lo; j < hi; j++ {
			idx = append(idx, j)
		}
		err := sc.scoreBatch(ctx, idx, chunk, limit+roundingWindow(limit), func(j int, v float64, isBound bool) {
			nll[j], bound[j] = v, isBound
			if pruning && !isBound {
				k, _ := slices.BinarySearch(best, v)
				best = slices.Insert(best, k, v)
				best = best[:min(len(best), opt.Top)]
			}
		})
		if err != nil {
			return nil, err
		}
		if pruning && len(best) == opt.Top {
			limit = best[opt.Top-1]
		}
		if opt.Progress != nil {
			opt.Progress(hi, D)
		}
	}
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

// scoreBatch scores the prompts distinct[j] of each j in idx on the image,
// chunk codes per forward pass, continuing from the batch's KV cache. After
// each pass but the last, a prompt whose NLL so far exceeds limit is ruled
// out and its row dropped from the cache. set(j, nll, bound) hears each
// prompt's NLL in nats: of the whole image, or, with bound, of the codes
// scored before it was ruled out.
func (s *rankScorer) scoreBatch(ctx context.Context, idx []int, chunk int, limit float64, set func(j int, nll float64, bound bool)) error {
	c := s.m.Config
	N, K, L := c.ImageTokens(), c.Codes(), c.PromptLength()
	if s.kc == nil || s.kc.Batch() != len(idx) {
		s.kc = s.m.NewExactCache(len(idx))
	}
	kc := s.kc
	kc.Truncate(0)
	alive := slices.Clone(idx)
	running := make([]float64, len(idx))
	for done := 0; done < N; {
		if err := ctx.Err(); err != nil {
			return err
		}
		next := min(done+chunk, N)
		// The first pass holds the prompt, SOS and the codes before next
		// (its logits from position L on predict codes 0…next−1); later
		// passes hold codes done−1…next−2, predicting codes done…next−1.
		n, off := next-done, 0
		s.ids = s.ids[:0]
		for _, j := range alive {
			if done == 0 {
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
		logits, err := s.m.Forward(kc, s.ids, n, model.ForwardOptions{AllLogits: true, Workers: s.workers})
		if err != nil {
			return fmt.Errorf("rank prompts: %w", err)
		}
		for r := range alive {
			for q := range next - done {
				p := r*n + off + q
				running[r] += -model.LogSoftmaxAt(logits[p*K:(p+1)*K], s.tokens[done+q])
			}
		}
		done = next
		if done == N {
			break
		}
		var keep []int
		for r, j := range alive {
			if running[r] > limit {
				set(j, running[r], true)
			} else {
				keep = append(keep, r)
			}
		}
		if len(keep) == 0 {
			return nil
		}
		if len(keep) < len(alive) {
			kc = kc.Gather(keep)
			for k, r := range keep {
				alive[k], running[k] = alive[r], running[r]
			}
			alive, running = alive[:len(keep)], running[:len(keep)]
		}
	}
	for r, j := range alive {
		set(j, running[r], false)
	}
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

// Posteriors turns ranked scores into probabilities of each prompt given the
// image under a uniform prior over the candidates: softmax(−NLL), in the
// scores' order. Duplicate encodings count once each time they appear.
func Posteriors(scores []PromptScore) []float64 {
	if len(scores) == 0 {
		return nil
	}
	best := math.Inf(1)
	for _, s := range scores {
		best = min(best, s.NLL)
	}
	p := make([]float64, len(scores))
	sum := 0.0
	for i, s := range scores {
		p[i] = math.Exp(best - s.NLL)
		sum += p[i]
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

// styleWords are the model's style words (config tessera.style_words).
func styleWords(b *bundle.Bundle) []string {
	if ext := b.Model.Config.Tessera; ext != nil {
		return ext.StyleWords
	}
	return nil
}
