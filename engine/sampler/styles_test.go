package sampler

import (
	"context"
	"slices"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
)

// A style per seed conditions image i of a batch on the prompt with style
// words[(seed+i) mod n]: each image is exactly the image its own styled
// prompt draws alone with its seed, records that prompt, and branching it
// from the kept cache continues it under that prompt.
func TestStylePerSeedDrawsEachSeedsStyle(t *testing.T) {
	b := bundletest.Tiny(3)
	styles := b.Model.Config.Tessera.StyleWords
	ctx := context.Background()
	opt := Defaults()
	opt.Prompt, opt.Guidance, opt.Seed, opt.Batch, opt.StylePerSeed, opt.KeepCache = "red cat", 2, 10, 4, 1, true
	res, err := Generate(ctx, b, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, im := range res.Images {
		want := "red cat " + styles[im.Seed%uint64(len(styles))]
		if im.Seed != opt.Seed+uint64(i) || im.Prompt != want {
			t.Fatalf("image %d: seed %d prompt %q, want seed %d prompt %q", i, im.Seed, im.Prompt, opt.Seed+uint64(i), want)
		}
		if got := SeedPrompt(b, opt.Settings, im.Seed); got != want {
			t.Fatalf("SeedPrompt(seed %d) = %q, want %q", im.Seed, got, want)
		}
		alone := opt
		alone.Prompt, alone.Seed, alone.Batch, alone.KeepCache = im.Prompt, im.Seed, 1, false
		one, err := Generate(ctx, b, alone, nil)
		if err != nil {
			t.Fatal(err)
		}
		if one.Images[0].Prompt != "" {
			t.Fatalf("a prompt ending with a style drew another: %q", one.Images[0].Prompt)
		}
		if !slices.Equal(one.Images[0].Tokens, im.Tokens) || one.Images[0].LogLik != im.LogLik {
			t.Fatalf("image %d (%q) differs from its prompt drawn alone: %v vs %v", i, im.Prompt, im.Tokens, one.Images[0].Tokens)
		}
		seen[im.Prompt] = true
	}
	if len(seen) != len(styles) {
		t.Fatalf("4 consecutive seeds drew %d styles, want all %d", len(seen), len(styles))
	}

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
	}{{"red cat", 0}, {"red cat google", 1}, {"cat twitter", 1}, {"red blue cat", 1}} {
		opt := Defaults()
		opt.Prompt, opt.Guidance, opt.Seed, opt.Batch, opt.StylePerSeed = c.prompt, 2, 1, 3, c.on
		res, err := Generate(context.Background(), b, opt, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range res.Images {
			if im.Prompt != "" || SeedStyle(b, opt.Settings, im.Seed) != "" {
				t.Errorf("%q (style per seed %d): drew %q", c.prompt, c.on, im.Prompt)
			}
		}
	}
}
