package sampler

import (
	"context"
	"math"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
)

// PromptGain is the mean of log p(code | prompt) − log p(code | no prompt)
// over the patches from `from` on, and RankByPromptGain orders by it.
func TestPromptGain(t *testing.T) {
	b := bundletest.Tiny(3)
	ctx := context.Background()
	opt := Defaults()
	opt.Prompt, opt.Seed, opt.Batch, opt.Workers = "red cat", 4, 5, 1
	res, err := Generate(ctx, b, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
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
}

// WordWeights gives each prompt word (not PAD) the norm of its embedding.
func TestWordWeights(t *testing.T) {
	b := bundletest.Tiny(3)
	w := WordWeights(b)
	if len(w) != len(bundletest.Words)-1 {
		t.Fatalf("%d weights for %d words", len(w), len(bundletest.Words)-1)
	}
	for _, word := range bundletest.Words[1:] {
		if !(w[word] > 0) {
			t.Fatalf("word %q has weight %g", word, w[word])
		}
	}
}
