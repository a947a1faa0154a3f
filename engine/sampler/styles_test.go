package sampler

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
)

// A style per seed draws every seed of a batch in each style and keeps,
// per seed, the first style in the seed's turn (words[seed mod n], the
// next ones after it) whose picture's mean log-likelihood is within
// StyleMargin of the seed's likeliest: each image is exactly the image its
// styled prompt draws alone with its seed, records that prompt, and
// branching it from the kept cache continues it under that prompt. The
// events show each seed's first-style picture.
func TestStylePerSeedDrawsEachSeedsStyle(t *testing.T) {
	b := bundletest.Tiny(3)
	styles := b.Model.Config.Tessera.StyleWords
	ctx := context.Background()
	opt := Defaults()
	opt.Prompt, opt.Guidance, opt.Seed, opt.Batch, opt.StylePerSeed, opt.KeepCache = "red cat", 2, 10, 6, 1, true
	shown := map[int][]int{}
	res, err := Generate(ctx, b, opt, func(e Event) { shown[e.Image] = append(shown[e.Image], e.Code) })
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Images) != opt.Batch || len(shown) != opt.Batch {
		t.Fatalf("%d images, events for %d, want %d", len(res.Images), len(shown), opt.Batch)
	}
	skipped := 0
	for i, im := range res.Images {
		if im.Seed != opt.Seed+uint64(i) {
			t.Fatalf("image %d has seed %d", i, im.Seed)
		}
		// Each style's picture for this seed, drawn alone.
		alone := make([]Image, len(styles))
		best := -1e9
		for k, st := range styles {
			o := opt
			o.Prompt, o.Seed, o.Batch, o.KeepCache = "red cat "+st, im.Seed, 1, false
			one, err := Generate(ctx, b, o, nil)
			if err != nil {
				t.Fatal(err)
			}
			if one.Images[0].Prompt != "" {
				t.Fatalf("a prompt ending with a style drew another: %q", one.Images[0].Prompt)
			}
			alone[k] = one.Images[0]
			best = max(best, alone[k].MeanLogLik())
		}
		first := int(im.Seed % uint64(len(styles)))
		want := -1
		for j := range styles {
			if k := (first + j) % len(styles); want < 0 && alone[k].MeanLogLik() >= best-StyleMargin {
				want = k
			}
		}
		if want != first {
			skipped++
		}
		if im.Prompt != "red cat "+styles[want] || DrawnStyle(b, im) != styles[want] {
			t.Fatalf("seed %d drew %q, want %q (mean log-likelihoods %g, %g)", im.Seed, im.Prompt, styles[want], alone[0].MeanLogLik(), alone[1].MeanLogLik())
		}
		// The same tokens, and the same log-likelihood up to float32
		// rounding: OpenBLAS's products may round differently for a
		// different number of rows (its Haswell and Zen kernels differed by
		// 2e-8 relative between a batch and a prompt alone; its AVX-512
		// ones not at all).
		if ll, ref := im.LogLik, alone[want].LogLik; !slices.Equal(alone[want].Tokens, im.Tokens) || math.Abs(ll-ref) > 1e-6*math.Abs(ref) {
			t.Fatalf("seed %d (%q) differs from its prompt drawn alone: tokens equal %v, log-likelihood %v, alone %v", im.Seed, im.Prompt, slices.Equal(alone[want].Tokens, im.Tokens), ll, ref)
		}
		if !slices.Equal(shown[i], alone[first].Tokens) {
			t.Fatalf("events of image %d are not its first style's picture", i)
		}
	}
	t.Logf("%d of %d seeds skipped their first style", skipped, opt.Batch)

	// Branching image 1 under its own prompt: from the kept cache and
	// from a recomputed prefix alike.
	br := opt
	br.Prompt, br.Seed, br.Batch = res.Images[1].Prompt, 77, 2
	got, err := Branch(ctx, b, br, res, 1, 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := Complete(ctx, b, br, res.Images[1].Tokens, 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got.Images {
		if !slices.Equal(got.Images[i].Tokens, ref.Images[i].Tokens) || got.Images[i].Prompt != "" {
			t.Fatalf("branch %d from the cache %v (prompt %q), recomputed %v", i, got.Images[i].Tokens, got.Images[i].Prompt, ref.Images[i].Tokens)
		}
	}
}

// No style is drawn when it is off, when the prompt names one, or when
// one would not fit in the prompt's length.
func TestStylePerSeedOnlyWhereItApplies(t *testing.T) {
	b := bundletest.Tiny(3)
	for _, c := range []struct {
		prompt string
		on     int
	}{{"red cat", 0}, {"red cat google", 1}, {"cat twitter", 1}, {"red blue cat", 1}, {"", 1}, {"  ", 1}, // an empty prompt: unconditional
		{"red cat, google!", 1}, {"google: red cat", 1}, {"cat (twitter)", 1}} { // a style named with punctuation, or first
		opt := Defaults()
		opt.Prompt, opt.Guidance, opt.Seed, opt.Batch, opt.StylePerSeed = c.prompt, 2, 1, 3, c.on
		res, err := Generate(context.Background(), b, opt, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range res.Images {
			if im.Prompt != "" || DrawnStyle(b, im) != "" {
				t.Errorf("%q (style per seed %d): drew %q", c.prompt, c.on, im.Prompt)
			}
		}
	}
}

// A batch of more seeds than one styled run holds is drawn in pieces with
// the same images as each seed drawn alone.
func TestStylePerSeedLargeBatch(t *testing.T) {
	b := bundletest.Tiny(5)
	opt := Defaults()
	opt.Prompt, opt.Guidance, opt.Seed, opt.Batch, opt.StylePerSeed = "dog", 2, 3, maxStyledSeeds+3, 1
	res, err := Generate(context.Background(), b, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Images) != opt.Batch {
		t.Fatalf("%d images, want %d", len(res.Images), opt.Batch)
	}
	for _, i := range []int{0, maxStyledSeeds - 1, maxStyledSeeds, opt.Batch - 1} {
		o := opt
		o.Seed, o.Batch = opt.Seed+uint64(i), 1
		one, err := Generate(context.Background(), b, o, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Images[i]; got.Seed != o.Seed || got.Prompt != one.Images[0].Prompt || !slices.Equal(got.Tokens, one.Images[0].Tokens) {
			t.Fatalf("image %d: seed %d %q, alone seed %d %q", i, got.Seed, got.Prompt, o.Seed, one.Images[0].Prompt)
		}
	}
}

// A style-per-seed run stopped before its first patch has no pictures
// (it panicked slicing the rows it did not have: tessera eval-prompts
// interrupted), and one stopped after keeps each seed's picture so far.
func TestStylePerSeedStopped(t *testing.T) {
	b := bundletest.Tiny(3)
	opt := Defaults()
	opt.Prompt, opt.Guidance, opt.Seed, opt.Batch, opt.StylePerSeed = "red cat", 2, 1, 2, 1
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Generate(ctx, b, opt, nil)
	if err != nil || !res.Stopped || len(res.Images) != 0 {
		t.Fatalf("cancelled before it began: %v, %+v", err, res)
	}
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	steps := 0
	res, err = Generate(ctx, b, opt, func(Event) {
		if steps++; steps == 3 {
			cancel()
		}
	})
	if err != nil || !res.Stopped || len(res.Images) != opt.Batch {
		t.Fatalf("cancelled mid-way: %v, %+v", err, res)
	}
}

// A style is appended with one space, whatever spaces the prompt ends in.
func TestStyledPromptSpacing(t *testing.T) {
	for _, c := range []struct{ text, style, want string }{
		{"rocket", "fluent flat", "rocket fluent flat"},
		{"rocket ", "fluent flat", "rocket fluent flat"},
		{"rocket \n", "openmoji", "rocket openmoji"},
		{"", "openmoji", "openmoji"},
		{"rocket ", "", "rocket "},
	} {
		if got := StyledPrompt(c.text, c.style); got != c.want {
			t.Errorf("StyledPrompt(%q, %q) = %q, want %q", c.text, c.style, got, c.want)
		}
	}
}

// A prompt that ends with a style's first word ("cat face fluent") is
// drawn in the styles it begins, completed: "cat face fluent fluent
// contrast" was recorded and drawn before.
func TestStylePerSeedCompletesABegunStyle(t *testing.T) {
	styles := []string{"google", "fluent flat", "fluent contrast"}
	if got := stylesBegun("cat face fluent", styles); !slices.Equal(got, []string{"fluent flat", "fluent contrast"}) {
		t.Fatalf("styles begun: %q", got)
	}
	if got := stylesBegun("cat face", styles); got != nil {
		t.Fatalf("no style begun: %q", got)
	}
	for _, c := range [][3]string{
		{"cat face fluent", "fluent contrast", "cat face fluent contrast"},
		{"cat face Fluent ", "fluent flat", "cat face Fluent flat"},
		{"cat face", "fluent flat", "cat face fluent flat"},
		{"fluent", "google", "fluent google"},
		{"cat face fluent.", "fluent flat", "cat face fluent. flat"},
		{"cat-face-fluent", "fluent flat", "cat-face-fluent flat"},
	} {
		if got := StyledPrompt(c[0], c[1]); got != c[2] {
			t.Errorf("StyledPrompt(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}

// UnsureStyle names the style a prompt asks for when the sample cost more
// than UnsureBits a patch, and nothing for a confident sample, a prompt
// without a style or a model without style words.
func TestUnsureStyle(t *testing.T) {
	b := bundletest.Tiny(1)
	unsure, sure := -(UnsureBits+0.1)*math.Ln2, -(UnsureBits/4)*math.Ln2
	if got := UnsureStyle(b, "red cat google", unsure, 1); got != "google" {
		t.Errorf("unsure sample in a style named: %q", got)
	}
	if got := UnsureStyle(b, "red cat google", unsure, 1.5); got != "" {
		t.Errorf("a sample drawn hotter than the model recommends: %q", got)
	}
	for _, c := range []struct {
		prompt string
		loglik float64
	}{{"red cat google", sure}, {"red cat", unsure}} {
		if got := UnsureStyle(b, c.prompt, c.loglik, 1); got != "" {
			t.Errorf("%q at %.3f nats a patch: %q", c.prompt, c.loglik, got)
		}
	}
}

// A stopped run with a style per seed keeps each seed's pictures in every
// style, and ContinueStyled finishes them all and keeps the style an
// unstopped run keeps (pickStyle on the whole pictures), showing the style
// shown before the stop.
func TestContinueStyled(t *testing.T) {
	b := bundletest.Tiny(3)
	S := len(b.Model.Config.Tessera.StyleWords)
	opt := Defaults()
	opt.Prompt, opt.Guidance, opt.Seed, opt.Batch, opt.StylePerSeed = "red cat", 2, 4, 3, 1
	ctx, cancel := context.WithCancel(context.Background())
	steps := 0
	stopped, err := Generate(ctx, b, opt, func(Event) {
		if steps++; steps == 3*opt.Batch {
			cancel()
		}
	})
	cancel()
	if err != nil || !stopped.Stopped || len(stopped.Images) != opt.Batch {
		t.Fatalf("stopped: %v, %+v", err, stopped)
	}
	var prefixes [][]int
	var seeds []uint64
	var prompts []string
	for i, im := range stopped.Images {
		first := int(im.Seed % uint64(S))
		if len(im.StyleRows) != S || !slices.Equal(im.StyleRows[first].Tokens, im.Tokens) || im.StyleRows[first].Prompt != im.Prompt || len(im.Tokens) != 3 {
			t.Fatalf("image %d: %d style rows, prompt %q, %d tokens", i, len(im.StyleRows), im.Prompt, len(im.Tokens))
		}
		for _, r := range im.StyleRows {
			prefixes, seeds, prompts = append(prefixes, r.Tokens), append(seeds, im.Seed), append(prompts, r.Prompt)
		}
	}
	o := opt
	o.Batch = len(prefixes)
	ref, err := CompleteEach(context.Background(), b, o, prefixes, seeds, prompts, nil)
	if err != nil {
		t.Fatal(err)
	}
	shown := 0
	res, err := ContinueStyled(context.Background(), b, opt, stopped.Images, func(e Event) {
		if e.Image >= opt.Batch {
			t.Fatalf("an event of image %d", e.Image)
		}
		shown++
	})
	if err != nil || res.Stopped || len(res.Images) != opt.Batch {
		t.Fatalf("continued: %v, %+v", err, res)
	}
	if N := b.ImageTokens(); shown != opt.Batch*(N-3) {
		t.Errorf("%d events, want one a patch of each shown image (%d)", shown, opt.Batch*(N-3))
	}
	for i, im := range res.Images {
		row := slices.Clone(ref.Images[i*S : (i+1)*S])
		for k := range row {
			row[k].LogLik += stopped.Images[i].StyleRows[k].LogLik
			row[k].Count += stopped.Images[i].StyleRows[k].Count
		}
		want := row[pickStyle(row, int(im.Seed%uint64(S)))]
		if !slices.Equal(im.Tokens, want.Tokens) || im.Prompt != prompts[i*S+slices.IndexFunc(row, func(r Image) bool { return slices.Equal(r.Tokens, want.Tokens) })] || im.Count != b.ImageTokens() || len(im.StyleRows) != 0 {
			t.Errorf("image %d: %v (%q, %d patches counted), want %v", i, im.Tokens, im.Prompt, im.Count, want.Tokens)
		}
	}
}
