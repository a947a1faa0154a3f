package sampler

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/sampling"
)

// redCats are five images of "red cat" drawn by b (seeds 4…8).
func redCats(t *testing.T, b *bundle.Bundle) *Result {
	t.Helper()
	opt := Defaults()
	opt.Prompt, opt.Seed, opt.Batch, opt.Workers = "red cat", 4, 5, 1
	res, err := Generate(context.Background(), b, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// PromptGain is the mean of log p(code | prompt) − log p(code | no prompt)
// over the patches from `from` on, and RankByPromptGain orders by it.
func TestPromptGain(t *testing.T) {
	b, ctx := bundletest.Tiny(3), context.Background()
	res := redCats(t, b)
	for _, from := range []int{0, 7} {
		tokens := res.Images[0].Tokens
		cond, err := ScoreTokens(ctx, b, "red cat", tokens, 1)
		if err != nil {
			t.Fatal(err)
		}
		uncond, err := ScoreTokens(ctx, b, "", tokens, 1)
		if err != nil {
			t.Fatal(err)
		}
		want := 0.0
		for i := from; i < len(tokens); i++ {
			want += uncond.PerToken[i] - cond.PerToken[i]
		}
		want /= float64(len(tokens) - from)
		got, err := PromptGain(ctx, b, "red cat", tokens, from, 1)
		if err != nil || math.Abs(got-want) > 1e-12 {
			t.Fatalf("from %d: gain %g (%v), want %g", from, got, err, want)
		}
	}
	ims := append([]Image(nil), res.Images...)
	gains, err := RankByPromptGain(ctx, b, "red cat", ims, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, im := range ims {
		g, _ := PromptGain(ctx, b, "red cat", im.Tokens, 0, 1)
		if g != gains[i] || i > 0 && gains[i] > gains[i-1] {
			t.Fatalf("rank %d: gain %g (reported %g), previous %g", i, g, gains[i], gains[max(i-1, 0)])
		}
	}
	if _, err := PromptGain(ctx, b, "red cat", res.Images[0].Tokens, 16, 1); err == nil {
		t.Fatal("a start past the end was accepted")
	}
	// No prompt has no gain over no prompt: an error, which a batch
	// ranking falls back on likelihood for (it scored every image 0 and
	// kept the seed order).
	if g, err := PromptGain(ctx, b, "", res.Images[0].Tokens, 0, 1); err == nil || !strings.Contains(err.Error(), "no word model tiny knows") {
		t.Fatalf("no prompt: gain %g, error %v", g, err)
	}
	// RankBatchReporting ranks the same and tells each image scored, in
	// turn.
	again := append([]Image(nil), res.Images...)
	var told []int
	reported, err := RankBatchReporting(ctx, b, "red cat", again, 0, 1, RankPromptGain, func(done, total int) {
		if total != len(again) {
			t.Errorf("progress says %d images of %d", total, len(again))
		}
		told = append(told, done)
	})
	if err != nil || !slices.Equal(reported, gains) {
		t.Fatalf("reporting: %v %v, want %v", err, reported, gains)
	}
	want := make([]int, len(again))
	for i := range want {
		want[i] = i + 1
	}
	if !slices.Equal(told, want) {
		t.Fatalf("progress %v, want %v", told, want)
	}
}

// bundle.WordWeights gives each prompt word (not PAD) the norm of its embedding.
func TestWordWeights(t *testing.T) {
	b := bundletest.Tiny(3)
	w := bundle.WordWeights(b)
	if len(w) != len(bundletest.Words)-1 {
		t.Fatalf("%d weights for %d words", len(w), len(bundletest.Words)-1)
	}
	for _, word := range bundletest.Words[1:] {
		if !(w[word] > 0) {
			t.Fatalf("word %q has weight %g", word, w[word])
		}
	}
}

// DescriptionMargin is the best rival prompt's NLL less the prompt's, per
// patch, over rivals that encode differently, and RankByDescription orders
// by it.
func TestDescriptionMargin(t *testing.T) {
	b, ctx := bundletest.Tiny(3), context.Background()
	res := redCats(t, b)
	// "red  cat" and "red cat zebra" encode as the prompt does ("zebra" is
	// unknown), and "red cat twitter" is the prompt's name in a style:
	// they are no rivals.
	others := []string{"red  cat", "red cat zebra", "red cat twitter", "blue cat", "red dog", "blue dog", "cat"}
	nll := func(p string, tokens []int) float64 {
		s, err := ScoreTokens(ctx, b, p, tokens, 1)
		if err != nil {
			t.Fatal(err)
		}
		return s.NLL
	}
	margin := func(tokens []int) float64 {
		best := math.Inf(1)
		for _, o := range others[3:] {
			best = min(best, nll(o, tokens))
		}
		return (best - nll("red cat", tokens)) / float64(len(tokens))
	}
	for _, im := range res.Images {
		want := margin(im.Tokens)
		got, err := DescriptionMargin(ctx, b, "red cat", Candidates{Prompts: others}, im.Tokens, 1)
		if err != nil || math.Abs(got-want) > 1e-5 {
			t.Fatalf("margin %g (%v), want %g", got, err, want)
		}
	}
	ims := append([]Image(nil), res.Images...)
	margins, err := RankByDescription(ctx, b, "red cat", Candidates{Prompts: others}, ims, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, im := range ims {
		if want := margin(im.Tokens); math.Abs(margins[i]-want) > 1e-5 || i > 0 && margins[i] > margins[i-1] {
			t.Fatalf("rank %d: margin %g, want %g; previous %g", i, margins[i], want, margins[max(i-1, 0)])
		}
	}
	if _, err := DescriptionMargin(ctx, b, "red cat", Candidates{Prompts: others[:3]}, res.Images[0].Tokens, 1); err == nil {
		t.Fatal("a margin without rivals was given")
	}
}

// A model's recommended order applies to batches it can score that way:
// an order that scores against the prompt falls back to the likelihood
// for a batch without a known word, and for a model that takes no prompt;
// an order this version does not know falls back too.
func TestRecommendedRankBy(t *testing.T) {
	b := bundletest.Tiny(3)
	if got := RecommendedRankBy(b, "red cat"); got != RankLikelihood {
		t.Fatalf("no recommendation: %q", got)
	}
	b.Model.Config.Tessera.Defaults = &sampling.Recommended{RankBy: "description"}
	for prompt, want := range map[string]RankBy{"red cat": RankDescription, "": RankLikelihood, "zebra": RankLikelihood, "zebra cat": RankDescription} {
		if got := RecommendedRankBy(b, prompt); got != want {
			t.Errorf("prompt %q: %q, want %q", prompt, got, want)
		}
	}
	b.Model.Config.Tessera.Defaults.RankBy = "beauty"
	if got := RecommendedRankBy(b, "red cat"); got != RankLikelihood {
		t.Errorf("an unknown order: %q", got)
	}
	u := uncondBundle(t)
	u.Model.Config.Tessera.Defaults = &sampling.Recommended{RankBy: "prompt-gain"}
	if got := RecommendedRankBy(u, ""); got != RankLikelihood {
		t.Errorf("a model without prompts: %q", got)
	}
}

// Copies in a batch are scored once: the same codes under the same prompt
// score the same (ranking four copies by description took half a minute).
func TestRankByScoreScoresCopiesOnce(t *testing.T) {
	ims := []Image{{Tokens: []int{1, 2}, Seed: 1}, {Tokens: []int{3, 4}, Seed: 2}, {Tokens: []int{1, 2}, Seed: 3}, {Tokens: []int{1, 2}, Prompt: "cat google", Seed: 4}}
	calls := 0
	scores, err := rankByScore(ims, "cat", func(p string, tokens []int) (float64, error) {
		calls++
		return float64(tokens[0]) + float64(len(p)), nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// [1 2] under "cat", [3 4], and [1 2] under its own prompt: three
	if calls != 3 || fmt.Sprint(scores) != "[11 6 4 4]" || ims[0].Seed != 4 || ims[1].Seed != 2 {
		t.Fatalf("%d calls, scores %v, first seeds %d %d", calls, scores, ims[0].Seed, ims[1].Seed)
	}
}
