package sampler

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
)

// pruneImages are images to rank prompts on: samples of several prompts at
// low and ordinary temperatures (one prompt explains them much better than
// the rest, the case pruning is for) and codes drawn at random (no prompt
// explains them: pruning's worst case).
func pruneImages(t *testing.T, b *bundle.Bundle) [][]int {
	t.Helper()
	var out [][]int
	for i, gen := range []string{"red cat", "blue dog twitter", "google", "cat cat google"} {
		for _, temp := range []float64{0.2, 1} {
			opt := Defaults()
			opt.Prompt, opt.Seed, opt.Workers, opt.Temperature = gen, uint64(5+i), 1, temp
			res, err := Generate(context.Background(), b, opt, nil)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, res.Images[0].Tokens)
		}
	}
	r := rand.New(rand.NewPCG(7, 8))
	for range 2 {
		tokens := make([]int, b.ImageTokens())
		for i := range tokens {
			tokens[i] = r.IntN(b.Codes())
		}
		out = append(out, tokens)
	}
	return out
}

// With Top, whatever the batch (one batch holding every prompt, where the
// leaders of the first pass set the bound; small batches; batches that
// compact their cache as prompts are ruled out) and however many prompts
// are asked for, RankPrompts' first Top prompts are exactly those of
// scoring every prompt in full, in the same order with the same NLLs; every
// prompt ruled out has a bound no larger than its true NLL and larger than
// the Top-th best; the progress ends at the number of distinct prompts.
func TestRankPromptsPrunedIsExact(t *testing.T) {
	ctx := context.Background()
	cands := describeCandidates()
	for _, b := range []*bundle.Bundle{bundletest.Tiny(3), bundletest.TinyViT(4)} {
		distinct := map[string]bool{}
		for _, p := range cands {
			distinct[fmt.Sprint(b.PromptIDs(p).IDs)] = true
		}
		pruned, total := 0, 0
		for n, tokens := range pruneImages(t, b) {
			full, err := RankPrompts(ctx, b, cands, tokens, RankOptions{Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			fullPost := Posteriors(full)
			for k, top := range []int{1, 2, 5, 12} {
				for _, batch := range []int{0, 3, 16} {
					// No window, to rule out what the tiny models leave
					// within one, or Posteriors' window (and a small one).
					window := []float64{0, PosteriorWindow, 0.5}[(k+batch)%3]
					last, calls := 0, 0
					got, err := RankPrompts(ctx, b, cands, tokens, RankOptions{Workers: 1 + n%2, Top: top, Batch: batch, Window: window,
						Progress: func(done, total int) {
							if done < last || total != len(distinct) {
								t.Fatalf("progress %d of %d after %d", done, total, last)
							}
							last, calls = done, calls+1
						}})
					if err != nil {
						t.Fatal(err)
					}
					if len(got) != len(cands) || last != len(distinct) || calls == 0 {
						t.Fatalf("%d scores for %d prompts; progress ended at %d of %d distinct", len(got), len(cands), last, len(distinct))
					}
					if got[0].Prompt != full[0].Prompt || got[0].NLL != full[0].NLL {
						t.Fatalf("image %d, top %d, batch %d: first %q %.12f, in full %q %.12f", n, top, batch, got[0].Prompt, got[0].NLL, full[0].Prompt, full[0].NLL)
					}
					for i := range top {
						if got[i].Bound || got[i].Prompt != full[i].Prompt && math.Abs(got[i].NLL-full[i].NLL) > 1e-5 ||
							math.Abs(got[i].NLL-full[i].NLL) > 1e-4 {
							t.Fatalf("image %d, top %d, batch %d, rank %d: %+v; in full %+v", n, top, batch, i, got[i], full[i])
						}
					}
					for i, s := range got {
						truth := scoreOf(full, s.Prompt)
						total++
						if !s.Bound {
							if math.Abs(s.NLL-truth) > 1e-4 {
								t.Fatalf("%q scored in pieces %g, in one pass %g", s.Prompt, s.NLL, truth)
							}
							continue
						}
						pruned++
						limit := got[top-1].NLL
						limit = max(limit, got[0].NLL+window)
						if i < top || s.NLL > truth+1e-4 || s.NLL <= limit {
							t.Fatalf("image %d, top %d, batch %d: ruled out %q at rank %d with bound %g, true NLL %g, top-%d NLL %g",
								n, top, batch, s.Prompt, i, s.NLL, truth, top, got[top-1].NLL)
						}
					}
					if window != PosteriorWindow {
						continue
					}
					// With Posteriors' window the probabilities are those of
					// the full ranking, whatever the top or batch.
					post := Posteriors(got)
					for i := range top {
						j := slices.IndexFunc(full, func(f PromptScore) bool { return f.Prompt == got[i].Prompt })
						if math.Abs(post[i]-fullPost[j]) > 1e-6 {
							t.Fatalf("image %d, top %d, batch %d: p(%q) %g, in full %g", n, top, batch, got[i].Prompt, post[i], fullPost[j])
						}
					}
				}
			}
		}
		t.Logf("%s: %d of %d prompt scores ruled out early", b.Name, pruned, total)
		if pruned == 0 {
			t.Errorf("%s: nothing was ruled out: the test does not exercise pruning", b.Name)
		}
	}
}

// The group's bookkeeping: leaders are the live rows with the lowest NLL so
// far; compact drops decided rows only once they are a quarter of the
// cache, keeping the others' order, NLLs and keys and values.
func TestRankGroupCompact(t *testing.T) {
	b := bundletest.Tiny(3)
	s := &rankScorer{m: b.Model, tokens: make([]int, b.ImageTokens())}
	for i := range 8 {
		s.distinct = append(s.distinct, b.PromptIDs([]string{"cat", "dog", "red", "blue", "cat dog", "red blue", "google", ""}[i]).IDs)
	}
	g := s.newGroup(0, 8)
	if err := s.advance(context.Background(), g, 3); err != nil {
		t.Fatal(err)
	}
	copy(g.running, []float64{5, 1, 4, 2, 8, 3, 7, 6})
	if got := g.leaders(3); len(got) != 3 || got[0] != 1 || got[1] != 3 || got[2] != 5 {
		t.Fatalf("leaders %v, want rows 1, 3, 5", got)
	}
	g.rows[1] = -1
	g.compact() // one of eight decided: kept in the cache
	if g.kc.Batch() != 8 || g.live() != 7 {
		t.Fatalf("after one decided: cache of %d, %d live", g.kc.Batch(), g.live())
	}
	if got := g.leaders(2); got[0] != 3 || got[1] != 5 {
		t.Fatalf("leaders skip decided rows: %v", got)
	}
	g.rows[4] = -1
	g.compact() // two of eight: dropped
	if g.kc.Batch() != 6 || len(g.rows) != 6 || g.kc.Len() != 3+b.Model.Config.PromptLength() {
		t.Fatalf("after two decided: cache of %d rows and %d positions, %d rows", g.kc.Batch(), g.kc.Len(), len(g.rows))
	}
	want := []int{0, 2, 3, 5, 6, 7}
	for k, j := range g.rows {
		if j != want[k] || g.running[k] != []float64{5, 4, 2, 3, 7, 6}[k] {
			t.Fatalf("rows %v running %v after compacting", g.rows, g.running)
		}
	}
	// The compacted cache continues each prompt as before.
	ref := s.newGroup(0, 8)
	if err := s.advance(context.Background(), ref, 3); err != nil {
		t.Fatal(err)
	}
	g.running = make([]float64, len(g.rows))
	ref.running = make([]float64, 8)
	if err := s.advance(context.Background(), g, b.ImageTokens()); err != nil {
		t.Fatal(err)
	}
	if err := s.advance(context.Background(), ref, b.ImageTokens()); err != nil {
		t.Fatal(err)
	}
	for k, j := range g.rows {
		if math.Abs(g.running[k]-ref.running[j]) > 1e-5 {
			t.Fatalf("prompt %d continued from the compacted cache: %g, from the full one %g", j, g.running[k], ref.running[j])
		}
	}
}
