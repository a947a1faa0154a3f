package sampler

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/prompt"
)

// describeCandidates are many prompts for Tiny: every one- and two-word
// prompt over its vocabulary, some three-word ones, the empty prompt and
// prompts with unknown words (which encode like their known words).
func describeCandidates() []string {
	words := bundletest.Words[1:]
	out := []string{"", "zebra", "red zebra", "red cat google", "blue dog twitter", "cat cat cat", "dog red blue google"}
	for _, a := range words {
		out = append(out, a)
		for _, b := range words {
			out = append(out, a+" "+b)
		}
	}
	return out
}

// RankPrompts gives every prompt the NLL ScoreTokens gives it, whatever the
// batch size, and orders the prompts by it: its top prompt is the argmax of
// the likelihood computed prompt by prompt.
func TestRankPromptsMatchesScoreTokens(t *testing.T) {
	ctx := context.Background()
	for _, b := range []*bundle.Bundle{bundletest.Tiny(3), bundletest.TinyViT(5)} {
		cands := describeCandidates()
		for _, gen := range []string{"red cat", "blue dog twitter"} {
			opt := Defaults()
			opt.Prompt, opt.Seed, opt.Workers = gen, 11, 1
			res, err := Generate(ctx, b, opt, nil)
			if err != nil {
				t.Fatal(err)
			}
			tokens := res.Images[0].Tokens
			want := map[string]float64{}
			bestPrompt, bestNLL := "", math.Inf(1)
			for _, p := range cands {
				s, err := ScoreTokens(ctx, b, p, tokens, 1)
				if err != nil {
					t.Fatal(err)
				}
				want[p] = s.NLL
				if s.NLL < bestNLL {
					bestPrompt, bestNLL = p, s.NLL
				}
			}
			var first []PromptScore
			for _, batch := range []int{0, 1, 4, 7} {
				calls := 0
				got, err := RankPrompts(ctx, b, cands, tokens, RankOptions{Workers: 1 + batch%2, Batch: batch, Progress: func(done, total int) { calls++ }})
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(cands) || calls == 0 {
					t.Fatalf("%d scores for %d prompts, %d progress calls", len(got), len(cands), calls)
				}
				worst := 0.0
				for i, s := range got {
					d := math.Abs(s.NLL - want[s.Prompt])
					worst = max(worst, d)
					if d > 1e-4*math.Max(1, want[s.Prompt]) {
						t.Fatalf("%s, batch %d: %q NLL %.9f, ScoreTokens %.9f", b.Name, batch, s.Prompt, s.NLL, want[s.Prompt])
					}
					if i > 0 && s.NLL < got[i-1].NLL {
						t.Fatalf("batch %d: rank %d (%g) is likelier than rank %d (%g)", batch, i, s.NLL, i-1, got[i-1].NLL)
					}
					if s.Tokens != len(tokens) || math.Abs(s.BitsPerToken()-s.NLL/float64(len(tokens))/math.Ln2) > 1e-12 {
						t.Fatalf("bits per token %g for NLL %g over %d", s.BitsPerToken(), s.NLL, s.Tokens)
					}
				}
				// The top prompt and its NLL are exactly ScoreTokens' argmax (the
				// first of equals, as the input order breaks ties).
				if got[0].Prompt != bestPrompt || got[0].NLL != bestNLL {
					t.Fatalf("%s, batch %d: top %q at %.12f, ScoreTokens' argmax %q at %.12f", b.Name, batch, got[0].Prompt, got[0].NLL, bestPrompt, bestNLL)
				}
				if batch == 0 {
					first = got
				} else if !slices.EqualFunc(first, got, func(a, b PromptScore) bool { return a.Prompt == b.Prompt }) {
					t.Errorf("batch %d orders the prompts differently from the default batch", batch)
				}
				t.Logf("%s %q batch %d: top %q %.4f bits/token, largest difference from ScoreTokens %.2g nats", b.Name, gen, batch, got[0].Prompt, got[0].BitsPerToken(), worst)
			}
			// Prompts that encode alike score alike, and report their unknown words.
			for _, s := range first {
				switch s.Prompt {
				case "zebra":
					if s.NLL != scoreOf(first, "") || !slices.Equal(s.Unknown, []string{"zebra"}) {
						t.Errorf("zebra: NLL %g vs empty %g, unknown %q", s.NLL, scoreOf(first, ""), s.Unknown)
					}
				case "red zebra":
					if s.NLL != scoreOf(first, "red") {
						t.Errorf("red zebra %g, red %g", s.NLL, scoreOf(first, "red"))
					}
				}
			}
		}
	}
}

func scoreOf(scores []PromptScore, p string) float64 {
	for _, s := range scores {
		if s.Prompt == p {
			return s.NLL
		}
	}
	return math.NaN()
}

func TestRankPromptsErrors(t *testing.T) {
	ctx := context.Background()
	b := bundletest.Tiny(3)
	tokens := make([]int, b.ImageTokens())
	if _, err := RankPrompts(ctx, b, nil, tokens, RankOptions{}); err == nil {
		t.Error("no prompts accepted")
	}
	if _, err := RankPrompts(ctx, b, []string{"cat"}, tokens[:3], RankOptions{}); err == nil {
		t.Error("short tokens accepted")
	}
	bad := slices.Clone(tokens)
	bad[5] = b.Codes()
	if _, err := RankPrompts(ctx, b, []string{"cat"}, bad, RankOptions{}); err == nil || !strings.Contains(err.Error(), "patch 5") {
		t.Errorf("code outside the codebook: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := RankPrompts(cancelled, b, []string{"cat"}, tokens, RankOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if _, err := RankPrompts(ctx, uncondBundle(t), []string{"cat"}, make([]int, 16), RankOptions{}); err == nil {
		t.Error("an unconditional model was accepted")
	}
}

// uncondBundle is a tiny model without prompts.
func uncondBundle(t testing.TB) *bundle.Bundle {
	c := model.DefaultConfig()
	c.NEmbd, c.NLayer, c.NHead = 16, 1, 2
	c.Tessera = &model.Ext{PatchSize: 2, Grid: [2]int{4, 4}}
	c.VocabSize, c.NPositions = 17, 16
	m, err := model.Random(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := codebook.New(2, make([]float32, 16*12))
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.FromParts("uncond", "test", m, cb)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Posteriors is the softmax of −NLL over the prompts scored in full within
// PosteriorWindow of the best; one farther off gets its share of that sum,
// a bound none.
func TestPosteriors(t *testing.T) {
	p := Posteriors([]PromptScore{{NLL: 10}, {NLL: 10 + math.Ln2}, {NLL: 1000}})
	if math.Abs(p[0]-2.0/3) > 1e-12 || math.Abs(p[1]-1.0/3) > 1e-12 || p[2] > 1e-300 {
		t.Errorf("posteriors %v, want [2/3 1/3 ~0]", p)
	}
	far := 10 + PosteriorWindow + 1
	p = Posteriors([]PromptScore{{NLL: 10}, {NLL: 10 + math.Ln2}, {NLL: 10.5, Bound: true}, {NLL: far}})
	if math.Abs(p[0]-2.0/3) > 1e-12 || math.Abs(p[1]-1.0/3) > 1e-12 || p[2] != 0 || math.Abs(p[3]-2.0/3*math.Exp(10-far)) > 1e-15 {
		t.Errorf("posteriors %v, want [2/3 1/3 0 2/3·e^−11]", p)
	}
	if Posteriors(nil) != nil {
		t.Error("posteriors of nothing")
	}
}

func TestCandidatePrompts(t *testing.T) {
	b := bundletest.Tiny(3) // words cat dog red blue google twitter; styles google twitter
	got := VocabularyPrompts(b)
	want := []string{"cat", "dog", "red", "blue", "cat dog", "cat red", "cat blue", "dog cat", "dog red", "dog blue",
		"red cat", "red dog", "red blue", "blue cat", "blue dog", "blue red"}
	if !slices.Equal(got, want) {
		t.Errorf("VocabularyPrompts = %q, want %q", got, want)
	}
	got = WithStyles(b, []string{"red cat", "dog"})
	if !slices.Equal(got, []string{"red cat google", "red cat twitter", "dog google", "dog twitter"}) {
		t.Errorf("WithStyles = %q", got)
	}
	big := describeBenchBundle(t) // 1,999 words, no styles: no pairs
	if got := VocabularyPrompts(big); len(got) != 1999 || got[0] != "w1" {
		t.Errorf("VocabularyPrompts of a large vocabulary: %d prompts, first %q", len(got), got[0])
	}
	if got := WithStyles(big, []string{"w1"}); !slices.Equal(got, []string{"w1"}) {
		t.Errorf("WithStyles without styles = %q", got)
	}
	if VocabularyPrompts(uncondBundle(t)) != nil {
		t.Error("prompts for an unconditional model")
	}
}

// describeBenchBundle has the shape of the emoji ViT model: 6 layers × 256
// wide, 8 heads, prompts of 15 words from 2,000, 16×16 codes from 1,024:
// sequences of 15 + 256 = 271 positions.
func describeBenchBundle(tb testing.TB) *bundle.Bundle {
	const words, K, L, grid = 2000, 1024, 15, 16
	vocab := []string{prompt.PAD}
	for i := 1; i < words; i++ {
		vocab = append(vocab, fmt.Sprintf("w%d", i))
	}
	c := model.DefaultConfig()
	c.NEmbd, c.NLayer, c.NHead = 256, 6, 8
	c.Tessera = &model.Ext{PatchSize: 4, Grid: [2]int{grid, grid}, PromptLength: L, PromptVocab: vocab}
	c.VocabSize, c.NPositions = K+words+1, L+grid*grid
	m, err := model.Random(c, 1)
	if err != nil {
		tb.Fatal(err)
	}
	entries := make([]float32, K*48)
	for i := range entries {
		entries[i] = float32(i%97)/48 - 1
	}
	cb, err := codebook.New(4, entries)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := bundle.FromParts("bench", "bench", m, cb)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// BenchmarkRankPrompts times RankPrompts on describeBenchBundle with 16
// prompts per op, scoring all in full and with Top 6 (a random model
// rules nothing out: this is Top's worst case); sec/prompt × 4,000 is the
// time to rank 4,000 prompts.
func BenchmarkRankPrompts(b *testing.B) {
	bb := describeBenchBundle(b)
	r := rand.New(rand.NewPCG(1, 2))
	tokens := make([]int, bb.ImageTokens())
	for i := range tokens {
		tokens[i] = r.IntN(bb.Codes())
	}
	prompts := make([]string, 16)
	for i := range prompts {
		prompts[i] = fmt.Sprintf("w%d w%d", 1+r.IntN(1999), 1+r.IntN(1999))
	}
	for _, top := range []int{0, 6} {
		b.Run(fmt.Sprintf("top=%d", top), func(b *testing.B) {
			start := time.Now()
			n := 0
			for b.Loop() {
				if _, err := RankPrompts(context.Background(), bb, prompts, tokens, RankOptions{Top: top}); err != nil {
					b.Fatal(err)
				}
				n += len(prompts)
			}
			b.ReportMetric(time.Since(start).Seconds()/float64(n), "sec/prompt")
		})
	}
}

// With Top, the first Top prompts are those of the full ranking with the
// same NLLs, and every prompt ruled out has a true NLL at least its bound
// and above the Top-th best.
func TestRankPromptsTop(t *testing.T) {
	ctx := context.Background()
	b := bundletest.Tiny(3)
	cands := describeCandidates()
	pruned := 0
	for _, gen := range []string{"red cat", "blue dog twitter", "google"} {
		opt := Defaults()
		opt.Prompt, opt.Seed, opt.Workers, opt.Temperature = gen, 3, 1, 0.3
		res, err := Generate(ctx, b, opt, nil)
		if err != nil {
			t.Fatal(err)
		}
		tokens := res.Images[0].Tokens
		full, err := RankPrompts(ctx, b, cands, tokens, RankOptions{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, top := range []int{1, 3} {
			last := 0
			got, err := RankPrompts(ctx, b, cands, tokens, RankOptions{Workers: 1, Top: top, Batch: 5,
				Progress: func(done, total int) { last = done }})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(cands) || last == 0 || last > len(cands) {
				t.Fatalf("%d scores for %d prompts; progress %d", len(got), len(cands), last)
			}
			for i := range top {
				if got[i].Prompt != full[i].Prompt || got[i].Bound || math.Abs(got[i].NLL-full[i].NLL) > 1e-4 {
					t.Fatalf("%q top %d, rank %d: %+v, full ranking %+v", gen, top, i, got[i], full[i])
				}
			}
			if got[0].NLL != full[0].NLL {
				t.Fatalf("top NLL %.12f, full ranking %.12f", got[0].NLL, full[0].NLL)
			}
			for i, s := range got {
				if !s.Bound {
					// Scored in full an eighth at a time from the KV cache.
					if d := math.Abs(s.NLL - scoreOf(full, s.Prompt)); d > 1e-4 {
						t.Fatalf("%q scored in pieces: %g, in one pass %g", s.Prompt, s.NLL, scoreOf(full, s.Prompt))
					}
					continue
				}
				pruned++
				truth := scoreOf(full, s.Prompt)
				if s.NLL > truth+1e-4 || s.NLL <= got[top-1].NLL || i < top {
					t.Fatalf("ruled out %q at rank %d: bound %g, true NLL %g, top-%d NLL %g", s.Prompt, i, s.NLL, truth, top, got[top-1].NLL)
				}
				if i > 0 && got[i-1].Bound && got[i-1].NLL > s.NLL {
					t.Fatalf("bounds out of order at rank %d", i)
				}
			}
		}
	}
	t.Logf("%d prompt scores ruled out early", pruned)
	if pruned == 0 {
		t.Error("no prompt was ruled out early: the test does not exercise pruning")
	}
}

// TestDrawnBits: the dearest of the model's own pictures, each scored as
// ScoreTokens scores it, the same for the same seed.
func TestDrawnBits(t *testing.T) {
	ctx := context.Background()
	b := bundletest.Tiny(3)
	drawn, err := DrawnBits(ctx, b, "red cat", 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	again, err := DrawnBits(ctx, b, "red cat", 1, 1)
	if err != nil || again != drawn {
		t.Fatalf("DrawnBits again: %v (%v), first %v", again, err, drawn)
	}
	opt := Defaults()
	opt.Prompt, opt.Seed, opt.Batch = "red cat", 1, DrawnSamples
	res, err := Generate(ctx, b, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	dearest := math.Inf(-1)
	for _, im := range res.Images {
		s, err := ScoreTokens(ctx, b, "red cat", im.Tokens, 1)
		if err != nil {
			t.Fatal(err)
		}
		dearest = max(dearest, s.BitsPerToken())
	}
	if math.Abs(dearest-drawn) > 1e-3 {
		t.Errorf("DrawnBits %.5f; its pictures scored %.5f at most", drawn, dearest)
	}
}

// TestUnexplainedBeside: an image hardly likelier under its likeliest
// prompt than under none still counts as explained when it costs no more
// than the model's own pictures of that prompt, but never one dearer than
// a uniform guess.
func TestUnexplainedBeside(t *testing.T) {
	const codes, tokens = 512, 49 // log₂ 512 = 9 bits
	for _, c := range []struct {
		best, uncond, drawn float64
		need, want          bool
	}{
		{1.29, 1.287, 1.61, true, false},      // a clean typed 7 under MNIST: like its own sevens
		{1.29, 1.287, 1.10, true, true},       // dearer than its own pictures
		{1.29, 1.287, math.NaN(), true, true}, // not measured: as Unexplained
		{1.0, 3.0, 0.5, false, false},         // a prompt explains it
		{9.5, 9.4, 10, false, true},           // dearer than a uniform guess
	} {
		if got := NeedsDrawnBits(c.best, c.uncond, codes, tokens); got != c.need {
			t.Errorf("NeedsDrawnBits(%v, %v) = %v", c.best, c.uncond, got)
		}
		if got := UnexplainedBeside(c.best, c.uncond, c.drawn, codes, tokens); got != c.want {
			t.Errorf("UnexplainedBeside(%v, %v, %v) = %v, want %v", c.best, c.uncond, c.drawn, got, c.want)
		}
	}
}
