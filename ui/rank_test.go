package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tessera-studio/tessera/engine/sampler"
)

// A batch comes side by side ordered by the model's mean log-likelihood
// per patch, the figure under each image; the best is put on the canvas and
// a click puts another.
func TestBatchRankedByLikelihood(t *testing.T) {
	s := newTestStudio(t)
	p := setParams(t, s, "cat", 30, func(p *Params) { p.Batch = 5 })
	generate(t, s)
	if s.Candidates() != 5 {
		t.Fatalf("%d candidates", s.Candidates())
	}
	res, err := sampler.Generate(context.Background(), s.Bundle(), p.Options(1), nil)
	must(t, err)
	sampler.RankByLikelihood(res.Images)
	for i, c := range s.candidates {
		im := res.Images[i]
		if c.seed != im.Seed || !slices.Equal(c.tokens, im.Tokens) || c.loglik != im.MeanLogLik() {
			t.Fatalf("candidate %d: seed %d loglik %g, want seed %d loglik %g", i, c.seed, c.loglik, im.Seed, im.MeanLogLik())
		}
		if i > 0 && c.loglik > s.candidates[i-1].loglik {
			t.Fatalf("candidate %d is more likely than %d", i, i-1)
		}
		if cap := s.cands.thumbs[i].Caption; !strings.Contains(cap, fmt.Sprintf("%.3f", c.loglik)) {
			t.Fatalf("caption %q lacks the figure", cap)
		}
	}
	if !slices.Equal(s.Document().Tokens(), s.candidates[0].tokens) {
		t.Fatal("the best image is not on the canvas")
	}
	test.Tap(s.cands.thumbs[3])
	if !slices.Equal(s.Document().Tokens(), s.candidates[3].tokens) ||
		!slices.Equal(s.Canvas().Image().Pix, s.Bundle().Decode(s.candidates[3].tokens).Pix) {
		t.Fatal("clicking a candidate did not put it on the canvas")
	}
}
