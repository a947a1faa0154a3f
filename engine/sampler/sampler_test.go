package sampler

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/sampling"
)

const vectorsDir = "../../testdata/imagegpt"

func loadVector(t *testing.T, name string) (*bundle.Bundle, map[string]json.RawMessage) {
	t.Helper()
	dir := filepath.Join(vectorsDir, name)
	b, err := bundle.Load(dir, model.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e map[string]json.RawMessage
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatal(err)
	}
	return b, e
}

func field[T any](t *testing.T, e map[string]json.RawMessage, key string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(e[key], &v); err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return v
}

func TestGreedyGenerationMatchesReference(t *testing.T) {
	for _, name := range []string{"vector1", "vector1_f16", "vector2"} {
		b, e := loadVector(t, name)
		opt := Defaults()
		opt.Temperature = 1e-6
		res, err := Generate(context.Background(), b, opt, nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := field[[]int](t, e, "greedy_from_sos"); !slices.Equal(res.Images[0].Tokens, want) {
			t.Errorf("%s greedy\n got %v\nwant %v", name, res.Images[0].Tokens, want)
		}
		// Top-k 1 is greedy too, at any temperature.
		opt = Defaults()
		opt.TopK = 1
		res, err = Generate(context.Background(), b, opt, nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := field[[]int](t, e, "greedy_from_sos"); !slices.Equal(res.Images[0].Tokens, want) {
			t.Errorf("%s top-k 1 differs from greedy", name)
		}
		// Completion of the top half.
		prompt := field[[]int](t, e, "completion_prompt")[1:]
		tokens := append(slices.Clone(prompt), make([]int, b.ImageTokens()-len(prompt))...)
		opt.TopK = 0
		opt.Temperature = 1e-6
		res, err = Complete(context.Background(), b, opt, tokens, len(prompt), nil)
		if err != nil {
			t.Fatal(err)
		}
		got := res.Images[0].Tokens
		if !slices.Equal(got[:len(prompt)], prompt) {
			t.Errorf("%s completion changed the kept rows", name)
		}
		if want := field[[]int](t, e, "completion_greedy"); !slices.Equal(got[len(prompt):], want) {
			t.Errorf("%s completion\n got %v\nwant %v", name, got[len(prompt):], want)
		}
	}
}

func TestScoreMatchesReference(t *testing.T) {
	for _, name := range []string{"vector1", "vector2"} {
		b, e := loadVector(t, name)
		pixels := field[[]int](t, e, "pixels")
		s, err := ScoreTokens(context.Background(), b, "", pixels, 0)
		if err != nil {
			t.Fatal(err)
		}
		if want := field[float64](t, e, "nll_nats"); math.Abs(s.NLL-want) > 1e-3 {
			t.Errorf("%s nll %v, want %v", name, s.NLL, want)
		}
		if want := field[float64](t, e, "bits_per_pixel"); math.Abs(s.BitsPerToken()-want) > 1e-4 {
			t.Errorf("%s bits %v, want %v", name, s.BitsPerToken(), want)
		}
		lp := field[[]float64](t, e, "target_logprob")
		for i := range lp {
			if math.Abs(s.PerToken[i]+lp[i]) > 2e-4 {
				t.Fatalf("%s token %d: nll %v, want %v", name, i, s.PerToken[i], -lp[i])
			}
		}
	}
}

func TestSameSeedSameImageAndBatchSeeds(t *testing.T) {
	t.Run("f32", func(t *testing.T) { testSameSeed(t, bundletest.Tiny(1)) })
	t.Run("f16", func(t *testing.T) {
		b := bundletest.Tiny(1)
		b.Model.EnableHalf()
		testSameSeed(t, b)
	})
}

func testSameSeed(t *testing.T, b *bundle.Bundle) {
	opt := Defaults()
	opt.Prompt, opt.Seed, opt.Batch = "red cat", 7, 3
	a, err := Generate(context.Background(), b, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Generate(context.Background(), b, opt, nil)
	for i := range a.Images {
		if !slices.Equal(a.Images[i].Tokens, again.Images[i].Tokens) {
			t.Fatalf("image %d differs between identical runs", i)
		}
		if a.Images[i].Seed != 7+uint64(i) {
			t.Errorf("image %d seed %d, want %d", i, a.Images[i].Seed, 7+i)
		}
	}
	if slices.Equal(a.Images[0].Tokens, a.Images[1].Tokens) && slices.Equal(a.Images[1].Tokens, a.Images[2].Tokens) {
		t.Error("different seeds gave the same image three times")
	}
	// Image 1 of the batch is the image of seed 8 alone.
	one := opt
	one.Batch, one.Seed = 1, 8
	single, _ := Generate(context.Background(), b, one, nil)
	if !slices.Equal(single.Images[0].Tokens, a.Images[1].Tokens) {
		t.Errorf("seed 8 alone %v, in batch %v", single.Images[0].Tokens, a.Images[1].Tokens)
	}
}

func TestEventsStreamEveryPatch(t *testing.T) {
	b := bundletest.Tiny(2)
	opt := Defaults()
	opt.Batch = 2
	var got []Event
	res, err := Generate(context.Background(), b, opt, func(e Event) { got = append(got, e) })
	if err != nil {
		t.Fatal(err)
	}
	N := b.ImageTokens()
	if len(got) != 2*N {
		t.Fatalf("%d events, want %d", len(got), 2*N)
	}
	patch := make([]uint8, b.Codebook.PatchBytes())
	for i, e := range got {
		if e.Index != i/2 || e.Image != i%2 || e.Steps != N || e.Step != i/2+1 {
			t.Fatalf("event %d: %+v", i, e)
		}
		if e.Code != res.Images[e.Image].Tokens[e.Index] {
			t.Fatalf("event %d code %d, result has %d", i, e.Code, res.Images[e.Image].Tokens[e.Index])
		}
		b.Codebook.DecodePatch(e.Code, patch)
		if !slices.Equal(patch, e.Patch) {
			t.Fatalf("event %d patch is not the decoded code", i)
		}
	}
}

func TestStopReturnsPartialImage(t *testing.T) {
	b := bundletest.Tiny(3)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	res, err := Generate(ctx, b, Defaults(), func(e Event) {
		n++
		if n == 5 {
			cancel()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Stopped || len(res.Images[0].Tokens) != 5 || n != 5 {
		t.Fatalf("stopped=%v tokens=%d events=%d, want a stop after 5", res.Stopped, len(res.Images[0].Tokens), n)
	}
}

func TestGuidanceWithPromptAsNegativeIsPlainSampling(t *testing.T) {
	b := bundletest.Tiny(4)
	plain := Defaults()
	plain.Prompt, plain.Seed = "blue dog", 11
	guided := plain
	guided.Negative, guided.Guidance = "blue dog", 4
	a, _ := Generate(context.Background(), b, plain, nil)
	g, err := Generate(context.Background(), b, guided, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Images[0].Tokens, g.Images[0].Tokens) {
		t.Errorf("guidance against the same prompt changed the image: %v vs %v", a.Images[0].Tokens, g.Images[0].Tokens)
	}
	// Against the unconditional prompt, strong guidance changes it.
	guided.Negative = ""
	diff := 0
	for seed := uint64(0); seed < 5; seed++ {
		plain.Seed, guided.Seed = seed, seed
		a, _ := Generate(context.Background(), b, plain, nil)
		g, _ := Generate(context.Background(), b, guided, nil)
		if !slices.Equal(a.Images[0].Tokens, g.Images[0].Tokens) {
			diff++
		}
	}
	if diff == 0 {
		t.Error("guidance 4 never changed an image")
	}
}

func TestPromptChangesImageAndReportsUnknownWords(t *testing.T) {
	b := bundletest.Tiny(5)
	opt := Defaults()
	opt.Prompt = "red zebra cat"
	res, err := Generate(context.Background(), b, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Unknown, []string{"zebra"}) {
		t.Errorf("unknown %v, want [zebra]", res.Unknown)
	}
	other := opt
	other.Prompt = "blue dog"
	same := 0
	for seed := uint64(0); seed < 5; seed++ {
		opt.Seed, other.Seed = seed, seed
		a, _ := Generate(context.Background(), b, opt, nil)
		o, _ := Generate(context.Background(), b, other, nil)
		if slices.Equal(a.Images[0].Tokens, o.Images[0].Tokens) {
			same++
		}
	}
	if same == 5 {
		t.Error("the prompt never changed the image")
	}
}

func TestInpaintKeepsUnmaskedAndRanks(t *testing.T) {
	b := bundletest.Tiny(6)
	opt := Defaults()
	opt.Seed = 3
	base, _ := Generate(context.Background(), b, opt, nil)
	tokens := base.Images[0].Tokens
	mask := make([]bool, len(tokens))
	mask[5], mask[6], mask[9] = true, true, true
	res, err := Inpaint(context.Background(), b, opt, tokens, mask, 6, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Images) != 6 {
		t.Fatalf("%d candidates, want 6", len(res.Images))
	}
	prev := math.Inf(1)
	for _, im := range res.Images {
		for i, code := range im.Tokens {
			if !mask[i] && code != tokens[i] {
				t.Fatalf("kept patch %d changed from %d to %d", i, tokens[i], code)
			}
		}
		// Ranking score: kept patches after the first masked one (positions 7,8,10..15).
		if im.KeptCount != len(tokens)-5-3 {
			t.Fatalf("kept count %d", im.KeptCount)
		}
		fit := im.KeptLogLik / float64(im.KeptCount)
		if fit > prev+1e-12 {
			t.Fatal("candidates are not ordered best first")
		}
		prev = fit
		// The fit equals the scorer's log-likelihood of those patches.
		s, err := ScoreTokens(context.Background(), b, "", im.Tokens, 0)
		if err != nil {
			t.Fatal(err)
		}
		var want float64
		for i := 6; i < len(tokens); i++ {
			if !mask[i] {
				want -= s.PerToken[i]
			}
		}
		if math.Abs(want-im.KeptLogLik) > 1e-3 {
			t.Fatalf("kept log-likelihood %v, scorer says %v", im.KeptLogLik, want)
		}
	}
	if _, err := Inpaint(context.Background(), b, opt, tokens, make([]bool, len(tokens)), 2, nil); err == nil {
		t.Error("an empty mask should be an error")
	}
}

func TestPickerFollowsDistribution(t *testing.T) {
	logits := []float32{2, 1, 0, -1, 0.5}
	r := rand.New(rand.NewPCG(1, 2))
	var pk picker
	const n = 200000
	counts := make([]float64, len(logits))
	for i := 0; i < n; i++ {
		counts[pk.pick(logits, 1, sampling.Settings{TopK: 0, TopP: 1}, r)]++
	}
	for k := range logits {
		want := math.Exp(model.LogSoftmaxAt(logits, k))
		if got := counts[k] / n; math.Abs(got-want) > 0.005 {
			t.Errorf("code %d: frequency %.4f, probability %.4f", k, got, want)
		}
	}
	// Top-k 2 only ever yields the two best; top-p 0.5 only the best (p≈0.53).
	for i := 0; i < 1000; i++ {
		if c := pk.pick(logits, 1, sampling.Settings{TopK: 2, TopP: 1}, r); c != 0 && c != 1 {
			t.Fatalf("top-k 2 picked %d", c)
		}
		if c := pk.pick(logits, 1, sampling.Settings{TopK: 0, TopP: 0.5}, r); c != 0 {
			t.Fatalf("top-p 0.5 picked %d", c)
		}
	}
	// Temperature 2 flattens: the best code gets less often than at 1.
	hot := 0.0
	for i := 0; i < n; i++ {
		if pk.pick(logits, 2, sampling.Settings{TopK: 0, TopP: 1}, r) == 0 {
			hot++
		}
	}
	if hot/n >= counts[0]/n-0.05 {
		t.Errorf("temperature 2 picked the best code %.3f of the time vs %.3f at 1", hot/n, counts[0]/n)
	}
}

func TestOptionsAreChecked(t *testing.T) {
	b := bundletest.Tiny(1)
	for _, bad := range []Options{{Settings: sampling.Settings{Temperature: -1}}, {Settings: sampling.Settings{TopP: 1.5}}, {Settings: sampling.Settings{TopK: -2}}, {Batch: 1000}, {Settings: sampling.Settings{Guidance: -3}}} {
		if _, err := Generate(context.Background(), b, bad, nil); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// TestGuideMinP checks guidance mixing and its min-p cut: codes the
// conditional finds less than minP times as likely as its top code are
// ruled out, the rest get neg + g·(cond − neg).
func TestGuideMinP(t *testing.T) {
	lg := func(p float64) float32 { return float32(math.Log(p)) }
	cond := []float32{lg(0.5), lg(0.3), lg(0.15), lg(0.05)}
	neg := []float32{lg(0.7), lg(0.1), lg(0.199), lg(0.001)}
	mixed := make([]float32, 4)
	guide(mixed, cond, neg, 3, 0)
	for k := range mixed {
		if want := neg[k] + 3*(cond[k]-neg[k]); mixed[k] != want {
			t.Fatalf("code %d: %v, want %v", k, mixed[k], want)
		}
	}
	// Without the cut, guidance 3 makes code 3 (5% under the prompt) beat
	// code 0 (50%); min-p 0.2 keeps codes ≥ 0.1 only.
	if mixed[3] <= mixed[0] {
		t.Fatal("test premise: guidance should favour code 3 here")
	}
	if left := guide(mixed, cond, neg, 3, 0.2); left != 3 {
		t.Errorf("%d codes left, want 3", left)
	}
	if !math.IsInf(float64(mixed[3]), -1) {
		t.Errorf("code 3 (p 0.05 < 0.2·0.5) kept: %v", mixed[3])
	}
	for k := 0; k < 3; k++ {
		if math.IsInf(float64(mixed[k]), 0) {
			t.Errorf("code %d ruled out", k)
		}
	}
	if _, err := (Options{Settings: sampling.Settings{GuidanceMinP: 1}}).normalized(4); err == nil {
		t.Error("min-p 1 accepted")
	}
}

// Image.Free counts the sampled patches where guidance min-p left more than
// one code: all of them without min-p, none where min-p keeps only the
// likeliest code.
func TestFreePatches(t *testing.T) {
	b := bundletest.Tiny(2)
	opt := Defaults()
	opt.Prompt, opt.Seed, opt.Workers, opt.Guidance = "red cat", 3, 1, 2
	for _, c := range []struct {
		minP      float64
		none, all bool
	}{{0, false, true}, {0.999999, true, false}} {
		opt.GuidanceMinP = c.minP
		res, err := Generate(context.Background(), b, opt, nil)
		if err != nil {
			t.Fatal(err)
		}
		im := res.Images[0]
		if c.all && im.Free != im.Count || c.none && im.Free != 0 {
			t.Errorf("min-p %g: %d of %d patches free", c.minP, im.Free, im.Count)
		}
	}
}
