package sampler

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/model"
)

func TestBranchKeepsPrefixAndReusesCache(t *testing.T) {
	b := bundletest.Tiny(7)
	opt := Defaults()
	opt.Prompt, opt.Seed, opt.Batch, opt.Guidance, opt.KeepCache = "red cat", 3, 3, 2, true
	parent, err := Generate(context.Background(), b, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	RankByLikelihood(parent.Images) // branching must follow the image, not its position
	for _, keep := range []int{0, 5, 15} {
		bopt := opt
		bopt.Seed, bopt.Batch = 100, 2
		fast, err := Branch(context.Background(), b, bopt, parent, 1, keep, nil)
		if err != nil {
			t.Fatal(err)
		}
		// The same branch recomputing the prefix from the tokens.
		slow, err := Complete(context.Background(), b, bopt, parent.Images[1].Tokens, keep, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range fast.Images {
			got := fast.Images[i].Tokens
			if !slices.Equal(got[:keep], parent.Images[1].Tokens[:keep]) {
				t.Fatalf("keep %d: branch changed the kept patches", keep)
			}
			if !slices.Equal(got, slow.Images[i].Tokens) {
				t.Fatalf("keep %d: cached branch %v, recomputed %v", keep, got, slow.Images[i].Tokens)
			}
		}
	}
	// The branch reads the parent's cache: with another run's cache (of
	// the same shape) in its place, it no longer equals the recomputed one.
	other := opt
	other.Prompt = "blue dog"
	alien, err := Generate(context.Background(), b, other, nil)
	if err != nil {
		t.Fatal(err)
	}
	poisoned := *parent
	poisoned.cache = alien.cache
	bopt := opt
	bopt.Seed, bopt.Batch = 100, 2
	fast, err := Branch(context.Background(), b, bopt, &poisoned, 1, 15, nil)
	if err != nil {
		t.Fatal(err)
	}
	slow, err := Complete(context.Background(), b, bopt, parent.Images[1].Tokens, 15, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range fast.Images {
		if f, s := fast.Images[i], slow.Images[i]; slices.Equal(f.Tokens, s.Tokens) && math.Abs(f.LogLik-s.LogLik) < 1e-6 {
			t.Errorf("image %d: a branch over another run's cache equals the recomputed branch (log-likelihood %.6f): the cache is not read", i, f.LogLik)
		}
	}
	// A different prompt cannot reuse the cache (its contexts differ) and
	// recomputes the prefix: the same as completing the image's top part.
	other.Batch = 1
	res, err := Branch(context.Background(), b, other, parent, 0, 8, nil)
	if err != nil {
		t.Fatalf("branch with another prompt: %v", err)
	}
	want, err := Complete(context.Background(), b, other, parent.Images[0].Tokens, 8, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Images[0].Tokens, want.Images[0].Tokens) {
		t.Fatalf("branch with another prompt %v, completion of its top part %v", res.Images[0].Tokens, want.Images[0].Tokens)
	}
	if _, err := Branch(context.Background(), b, opt, parent, 5, 1, nil); err == nil {
		t.Error("branching from a missing image succeeded")
	}
}

// benchBundle is a random model large enough that a decode step dominates:
// width 256, 4 layers, a 16×16 grid of 2×2 patches.
func benchBundle(b *testing.B) *bundle.Bundle {
	c := model.DefaultConfig()
	c.NEmbd, c.NLayer, c.NHead = 256, 4, 8
	c.Tessera = &model.Ext{PatchSize: 2, Grid: [2]int{16, 16}}
	c.VocabSize, c.NPositions = 513, 256
	m, err := model.Random(c, 1)
	if err != nil {
		b.Fatal(err)
	}
	entries := make([]float32, 512*12)
	for i := range entries {
		entries[i] = float32(i%97)/48 - 1
	}
	cb, err := codebook.New(2, entries)
	if err != nil {
		b.Fatal(err)
	}
	bb, err := bundle.FromParts("bench", "bench", m, cb)
	if err != nil {
		b.Fatal(err)
	}
	return bb
}

// BenchmarkFullImage and BenchmarkBranchHalf compare a whole image with a
// branch at k = N/2 that reuses the parent's KV cache: the branch should
// cost about half.
func BenchmarkFullImage(b *testing.B) {
	bb := benchBundle(b)
	opt := Defaults()
	for b.Loop() {
		if _, err := Generate(context.Background(), bb, opt, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBranchHalf(b *testing.B) {
	bb := benchBundle(b)
	opt := Defaults()
	opt.KeepCache = true
	parent, err := Generate(context.Background(), bb, opt, nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Branch(context.Background(), bb, opt, parent, 0, bb.ImageTokens()/2, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func TestExtendDownKeepsImageAndGrows(t *testing.T) {
	b, opt, tokens := extendBase(t)
	var events []Event
	out, stopped, err := ExtendDown(context.Background(), b, opt, tokens, 4, 5, 2, func(e Event) { events = append(events, e) })
	if err != nil || stopped {
		t.Fatal(err, stopped)
	}
	if len(out) != 9*4 || !slices.Equal(out[:16], tokens) {
		t.Fatalf("extended to %d tokens; prefix kept %v", len(out), slices.Equal(out[:16], tokens))
	}
	// The sliding window: rows 4-5 come from a window of rows 2-3 (+ the new
	// two), so they equal completing [rows 2,3 | ?] directly.
	window := append(append([]int(nil), tokens[8:16]...), make([]int, 8)...)
	direct, err := Complete(context.Background(), b, opt, window, 8, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(direct.Images[0].Tokens[8:16], out[16:24]) {
		t.Error("first extension step is not the completion of the window")
	}
	// emit sees each new patch once, at its place in the grown image.
	seen := map[int]int{}
	for _, e := range events {
		seen[e.Index]++
	}
	for i := 16; i < 36; i++ {
		if seen[i] != 1 {
			t.Fatalf("patch %d of the new rows reported %d times", i, seen[i])
		}
	}
	if len(events) != 20 {
		t.Fatalf("%d events for 20 new patches", len(events))
	}
}

// ExtendDown stopped before a step's first patch (Ctrl-C before the run,
// or between two steps) returns the rows finished, stopped: it indexed the
// step's empty result and panicked.
func TestExtendDownStoppedBetweenSteps(t *testing.T) {
	b, opt, tokens := extendBase(t)
	stopped, cancel := context.WithCancel(context.Background())
	cancel()
	out, wasStopped, err := ExtendDown(stopped, b, opt, tokens, 4, 4, 2, nil)
	if err != nil || !wasStopped || !slices.Equal(out, tokens) {
		t.Fatalf("stopped before the first step: %d tokens, stopped %v, %v", len(out), wasStopped, err)
	}
	// Stopped once the first step's last patch is drawn: its two rows kept.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, wasStopped, err = ExtendDown(ctx, b, opt, tokens, 4, 4, 2, func(e Event) {
		if e.Index == 6*4-1 {
			cancel()
		}
	})
	if err != nil || !wasStopped || len(out) != 6*4 || !slices.Equal(out[:16], tokens) {
		t.Fatalf("stopped between steps: %d tokens, stopped %v, %v", len(out), wasStopped, err)
	}
}

// CompleteEach finishes each of a stopped batch's images from its own top
// part, with its own seed and prompt, as Complete finishes each alone.
func TestCompleteEachFinishesEveryImage(t *testing.T) {
	b := bundletest.Tiny(7)
	opt := Defaults()
	opt.Prompt, opt.Seed, opt.Batch, opt.Guidance = "red cat", 3, 3, 2
	full, err := Generate(context.Background(), b, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	const keep = 6
	prefixes := make([][]int, len(full.Images))
	seeds := make([]uint64, len(full.Images))
	prompts := []string{"red cat", "blue dog", "red cat google"}
	for i, im := range full.Images {
		prefixes[i], seeds[i] = im.Tokens[:keep], 40+uint64(i)
	}
	res, err := CompleteEach(context.Background(), b, opt, prefixes, seeds, prompts, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, im := range res.Images {
		one := opt
		one.Seed, one.Batch, one.Prompt = seeds[i], 1, prompts[i]
		alone, err := Complete(context.Background(), b, one, prefixes[i], keep, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(im.Tokens) != b.ImageTokens() || !slices.Equal(im.Tokens[:keep], prefixes[i]) || im.Seed != seeds[i] {
			t.Fatalf("image %d: %d codes, prefix kept %v, seed %d", i, len(im.Tokens), slices.Equal(im.Tokens[:keep], prefixes[i]), im.Seed)
		}
		if !slices.Equal(im.Tokens, alone.Images[0].Tokens) {
			t.Errorf("image %d: %v, finished alone %v", i, im.Tokens, alone.Images[0].Tokens)
		}
	}
	if _, err := CompleteEach(context.Background(), b, opt, [][]int{prefixes[0], prefixes[1][:3]}, seeds[:2], nil, nil); err == nil {
		t.Error("prefixes of different lengths were taken")
	}
}

// ScoreTall with a stride of 1 scores an image taller than the model a row
// at a time: its first grid as ScoreTokens does, each further row as the
// last row of the window of grid rows that ends with it.
func TestScoreTallSlidesARowAtATime(t *testing.T) {
	b := bundletest.Tiny(7)
	gridRows, cols := b.Grid()
	rows := gridRows + 2
	tokens := make([]int, rows*cols)
	for i := range tokens {
		tokens[i] = (i*7 + 3) % b.Codes()
	}
	ctx := context.Background()
	s, err := ScoreTall(ctx, b, "red cat", tokens, rows, 1, 1, ScoreTokens)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.PerToken) != rows*cols {
		t.Fatalf("%d values for %d codes", len(s.PerToken), rows*cols)
	}
	first, err := ScoreTokens(ctx, b, "red cat", tokens[:gridRows*cols], 1)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.PerToken[:gridRows*cols], first.PerToken) {
		t.Fatal("the first grid is not scored as ScoreTokens scores it")
	}
	var sum float64
	for r := gridRows; r < rows; r++ {
		w, err := ScoreTokens(ctx, b, "red cat", tokens[(r-gridRows+1)*cols:(r+1)*cols], 1)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := s.PerToken[r*cols:(r+1)*cols], w.PerToken[(gridRows-1)*cols:]; !slices.Equal(got, want) {
			t.Fatalf("row %d: %v, want the window's last row %v", r, got, want)
		}
	}
	for _, v := range s.PerToken {
		sum += v
	}
	if math.Abs(sum-s.NLL) > 1e-9*math.Max(1, sum) {
		t.Fatalf("NLL %g, per-token sum %g", s.NLL, sum)
	}
	if _, err := ScoreTall(ctx, b, "", tokens[:len(tokens)-1], rows, 1, 1, ScoreTokens); err == nil {
		t.Fatal("a code short of the rows was taken")
	}
}

// With a stride of several rows, ScoreTall reads each step's rows in the
// window ExtendDown drew them in: the gridRows−step rows above them, the
// step's rows at the window's bottom (a last, shorter step too).
func TestScoreTallFollowsExtendsWindows(t *testing.T) {
	b := bundletest.Tiny(7)
	gridRows, cols := b.Grid()
	const stride = 2
	rows := gridRows + 2*stride + 1 // two whole steps and one of a row
	tokens := make([]int, rows*cols)
	for i := range tokens {
		tokens[i] = (i*5 + 1) % b.Codes()
	}
	ctx := context.Background()
	s, err := ScoreTall(ctx, b, "red cat", tokens, rows, stride, 1, ScoreTokens)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.PerToken) != rows*cols {
		t.Fatalf("%d values for %d codes", len(s.PerToken), rows*cols)
	}
	for have := gridRows; have < rows; {
		step := min(stride, rows-have)
		top := have + step - gridRows // the window's first row: its bottom is the step
		w, err := ScoreTokens(ctx, b, "red cat", tokens[top*cols:(have+step)*cols], 1)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := s.PerToken[have*cols:(have+step)*cols], w.PerToken[(gridRows-step)*cols:]; !slices.Equal(got, want) {
			t.Fatalf("rows %d–%d: %v, want the window's last %d rows %v", have, have+step-1, got, step, want)
		}
		have += step
	}
	// A stride past the grid is ExtendDown's default, half the grid.
	def, err := ScoreTall(ctx, b, "red cat", tokens, rows, gridRows, 1, ScoreTokens)
	half, err2 := ScoreTall(ctx, b, "red cat", tokens, rows, gridRows/2, 1, ScoreTokens)
	if err != nil || err2 != nil || !slices.Equal(def.PerToken, half.PerToken) {
		t.Errorf("stride %d: not half the grid's (%v, %v)", gridRows, err, err2)
	}
}

// extendBase is the tiny model, the settings and the codes (4 rows × 4) of
// the image the ExtendDown tests grow.
func extendBase(t *testing.T) (*bundle.Bundle, Options, []int) {
	t.Helper()
	b := bundletest.Tiny(8)
	opt := Defaults()
	opt.Prompt, opt.Seed = "dog", 4
	base, err := Generate(context.Background(), b, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b, opt, base.Images[0].Tokens
}
