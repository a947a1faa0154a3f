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
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/sampling"
)

// guidedLogits returns, for each patch of tokens, the logits the sampler
// picks from given the patches before it: the conditional ones, or with
// guidance g ≠ 1 neg + g·(cond − neg) against the unconditional prompt. It
// runs one full-sequence pass per prompt, independent of the sampler's
// step-by-step loop.
func guidedLogits(t *testing.T, b *bundle.Bundle, prompt string, g float32, tokens []int) [][]float32 {
	t.Helper()
	c := b.Model.Config
	N, K, L := c.ImageTokens(), c.Codes(), c.PromptLength()
	pass := func(promptIDs []int) []float32 {
		ids := append(slices.Clone(promptIDs), c.SOS())
		ids = append(ids, tokens[:N-1]...)
		logits, err := b.Model.Forward(b.Model.NewExactCache(1), ids, len(ids), model.ForwardOptions{AllLogits: true, Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		return logits
	}
	cond := pass(b.PromptIDs(prompt).IDs)
	var neg []float32
	if g != 1 {
		neg = pass(b.Prompt.Unconditional())
	}
	out := make([][]float32, N)
	for i := range out {
		row := cond[(L+i)*K : (L+i+1)*K]
		if neg != nil {
			mixed := make([]float32, K)
			guide(mixed, row, neg[(L+i)*K:(L+i+1)*K], g, 0)
			row = mixed
		}
		out[i] = row
	}
	return out
}

// checkArgmax fails unless tokens[i] is (up to rounding) the most likely
// code of every patch i in which.
func checkArgmax(t *testing.T, name string, tokens []int, logits [][]float32, which func(i int) bool) {
	t.Helper()
	for i, code := range tokens {
		if !which(i) {
			continue
		}
		best := slices.Max(logits[i])
		if d := best - logits[i][code]; d > 1e-3 {
			t.Errorf("%s: patch %d picked code %d, %.4f below the most likely code %d", name, i, code, d, argmax(logits[i]))
		}
	}
}

// TestTemperatureZeroIsGreedy: temperature 0 is greedy (not "the
// default"), with and without guidance, with top-k/top-p set, whatever the
// seed, and a temperature map's 0 entries follow it.
func TestTemperatureZeroIsGreedy(t *testing.T) {
	b := bundletest.Tiny(5)
	all := func(int) bool { return true }
	for _, g := range []float64{1, 3} {
		var first []int
		for seed := uint64(0); seed < 6; seed++ {
			opt := Defaults()
			opt.Prompt, opt.Guidance, opt.Seed, opt.Temperature = "red cat", g, seed*7919, 0
			if seed%2 == 1 {
				opt.TopK, opt.TopP = 5, 0.8 // ignored when greedy
			}
			res, err := Generate(context.Background(), b, opt, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := res.Images[0].Tokens
			if first == nil {
				first = got
				checkArgmax(t, fmt.Sprintf("guidance %g", g), got, guidedLogits(t, b, opt.Prompt, float32(g), got), all)
			} else if !slices.Equal(got, first) {
				t.Errorf("guidance %g: seed %d gave %v, seed 0 %v", g, opt.Seed, got, first)
			}
		}
	}

	// A temperature map over a greedy global temperature: its 0 entries
	// (the first half) are greedy, its hot entries (the second half) sample.
	N := b.ImageTokens()
	temps := make([]float64, N)
	for i := N / 2; i < N; i++ {
		temps[i] = 50
	}
	firstHalf := func(i int) bool { return i < N/2 }
	var seen [][]int
	for seed := uint64(1); seed <= 8; seed++ {
		opt := Defaults()
		opt.Prompt, opt.Seed, opt.Temperature, opt.PatchTemperature = "dog", seed, 0, temps
		res, err := Generate(context.Background(), b, opt, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := res.Images[0].Tokens
		checkArgmax(t, "map", got, guidedLogits(t, b, opt.Prompt, 1, got), firstHalf)
		seen = append(seen, got)
	}
	for _, s := range seen[1:] {
		if !slices.Equal(s[:N/2], seen[0][:N/2]) {
			t.Errorf("greedy patches differ between seeds: %v vs %v", s[:N/2], seen[0][:N/2])
		}
	}
	if !slices.ContainsFunc(seen[1:], func(s []int) bool { return !slices.Equal(s[N/2:], seen[0][N/2:]) }) {
		t.Error("the hot patches of the map did not sample (same codes for every seed)")
	}

	// A map entry below GreedyTemperature makes its patch greedy under a
	// sampling global temperature.
	cold := make([]float64, N)
	for i := range cold {
		if i%2 == 0 {
			cold[i] = GreedyTemperature / 10
		}
	}
	for seed := uint64(1); seed <= 4; seed++ {
		opt := Defaults()
		opt.Prompt, opt.Seed, opt.Temperature, opt.PatchTemperature = "blue", seed, 2, cold
		res, err := Generate(context.Background(), b, opt, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := res.Images[0].Tokens
		checkArgmax(t, "cold entries", got, guidedLogits(t, b, opt.Prompt, 1, got), func(i int) bool { return i%2 == 0 })
	}
}

func TestPickerGreedyIgnoresFilters(t *testing.T) {
	var pk picker
	logits := []float32{0.1, float32(math.NaN()), 3, 3, -1}
	for _, temp := range []float64{0, GreedyTemperature / 2} {
		for _, r := range []int{0, 1, 2} {
			if c := pk.pick(logits, temp, sampling.Settings{TopK: r, TopP: 0.3}, rand.New(rand.NewPCG(uint64(r), 1))); c != 2 {
				t.Errorf("temperature %g picked %d, want 2 (the first most likely, NaN never)", temp, c)
			}
		}
	}
}

func TestPatchTemperaturesAreChecked(t *testing.T) {
	b := bundletest.Tiny(1)
	for _, bad := range []float64{-1, math.NaN(), 101} {
		opt := Defaults()
		opt.PatchTemperature = make([]float64, b.ImageTokens())
		opt.PatchTemperature[3] = bad
		if _, err := Generate(context.Background(), b, opt, nil); err == nil {
			t.Errorf("patch temperature %g accepted", bad)
		}
	}
}
