package redraw

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/edit"
	"github.com/tessera-studio/tessera/engine/sampler"
)

// names is the tiny drawing model's names list.
var names = bundletest.Names()

// drawModel is bundletest's TinyNamed.
func drawModel(t *testing.T, seed uint64) *bundle.Bundle {
	t.Helper()
	return bundletest.TinyNamed(seed)
}

func TestChanged(t *testing.T) {
	draw := drawModel(t, 1)
	for _, c := range []struct {
		r      Reading
		f      edit.Family
		target string
		want   string // the changed reading's prompt; "" when it cannot change
	}{
		{Reading{Name: "man cook", Tone: "medium skin tone", Style: "google"}, edit.Gender, "woman", "woman cook medium skin tone google"},
		{Reading{Name: "cook", Style: "twitter"}, edit.Gender, "man", "man cook twitter"},
		{Reading{Name: "woman cook", Style: "google"}, edit.Gender, "person", "cook google"},
		{Reading{Name: "woman cook", Style: "google"}, edit.Gender, "woman", ""}, // a woman already
		{Reading{Name: "cat", Style: "google"}, edit.Gender, "woman", ""},        // no person
		{Reading{Name: "cat", Tone: "", Style: "google"}, edit.Style, "twitter", "cat twitter"},
		{Reading{Name: "man cook", Tone: "dark skin tone", Style: "twitter"}, edit.Style, "google", "man cook dark skin tone google"},
		{Reading{Name: "cat", Style: "google"}, edit.Style, "openmoji", ""}, // not one of the model's styles
		{Reading{Name: "cat", Style: "google"}, edit.Mirror, "", ""},        // not a family a redraw serves
	} {
		got, ok := Changed(draw, c.r, c.f, c.target)
		if c.want == "" {
			if ok {
				t.Errorf("Changed(%q, %s, %q) = %q, want no change", c.r.Prompt(), c.f, c.target, got.Prompt())
			}
			continue
		}
		if !ok || got.Prompt() != c.want {
			t.Errorf("Changed(%q, %s, %q) = %q, %v; want %q", c.r.Prompt(), c.f, c.target, got.Prompt(), ok, c.want)
		}
	}
}

// sample draws one picture of text with b (seed 7) and returns its codes.
func sample(t *testing.T, b *bundle.Bundle, text string) []int {
	t.Helper()
	opt := sampler.Defaults()
	opt.Prompt, opt.Seed, opt.Workers = text, 7, 1
	res, err := sampler.Generate(context.Background(), b, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res.Images[0].Tokens
}

// TestPlansReadTheLikeliestDescription checks that a redraw reads the
// picture as the prompt of names × tones × styles under which its codes are
// likeliest (by ScoreTokens, one prompt at a time), changes it as asked,
// and orders and dedupes its plans.
func TestPlansReadTheLikeliestDescription(t *testing.T) {
	ctx := context.Background()
	draw := drawModel(t, 3)
	eb := bundletest.TinyEditOn(5, draw.Tokenizer) // shares draw's codebook
	source := sample(t, draw, "man cook google")

	// The model reads "light skin tone" and not the other tones' first
	// words, so tones are told apart: "medium skin tone" reads as "skin
	// tone".
	best, bestNLL := "", math.Inf(1)
	for _, n := range names.Names {
		for _, tone := range append([]string{""}, data.SkinTones()...) {
			for _, st := range []string{"google", "twitter"} {
				p := Reading{Name: n, Tone: tone, Style: st}.Prompt()
				s, err := sampler.ScoreTokens(ctx, draw, p, source, 1)
				if err != nil {
					t.Fatal(err)
				}
				if s.NLL < bestNLL-1e-9 {
					best, bestNLL = p, s.NLL
				}
			}
		}
	}

	plans, err := Plans(ctx, draw, eb, source, "in the twitter style", 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) == 0 {
		t.Fatal("no plan for a style change")
	}
	first := plans[0].Read
	if first.Prompt() != best || math.Abs(first.NLL-bestNLL) > 1e-4*bestNLL {
		t.Fatalf("read as %q (NLL %.6f), want the likeliest description %q (%.6f)", first.Prompt(), first.NLL, best, bestNLL)
	}
	for i, p := range plans {
		if p.Draw.Style != "twitter" || p.Draw.Name != p.Read.Name || p.Draw.Tone != p.Read.Tone {
			t.Errorf("plan %d: read %q, drawn %q: want the reading in the twitter style", i, p.Read.Prompt(), p.Draw.Prompt())
		}
		if i > 0 && p.Read.NLL < plans[i-1].Read.NLL {
			t.Errorf("plan %d is likelier (%.4f) than plan %d (%.4f): want the likeliest reading first", i, p.Read.NLL, i-1, plans[i-1].Read.NLL)
		}
		for _, q := range plans[:i] {
			if q.Draw.Prompt() == p.Draw.Prompt() {
				t.Errorf("two plans draw %q", p.Draw.Prompt())
			}
		}
	}

	gender, err := Plans(ctx, draw, eb, source, "as a woman", 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range gender {
		if p.Draw.Name != "woman cook" || (p.Read.Name != "man cook" && p.Read.Name != "cook") {
			t.Errorf("as a woman: read %q, drawn %q", p.Read.Prompt(), p.Draw.Prompt())
		}
	}
	if len(gender) == 0 || len(gender) > 2 {
		t.Errorf("as a woman: %d plans, want one or two (every name is read; two change, each to woman cook, drawn once where both read alike)", len(gender))
	}
	for i, p := range gender {
		for _, q := range gender[:i] {
			if q.Draw.Prompt() == p.Draw.Prompt() {
				t.Errorf("as a woman: two plans draw %q", p.Draw.Prompt())
			}
		}
	}

	for _, c := range []struct {
		draw        *bundle.Bundle
		instruction string
	}{
		{draw, "mirror it"},                       // a family redraw does not serve
		{bundletest.TinyViT(3), "as a woman"},     // a model without names
		{draw, "make it purple and blue somehow"}, // no instruction at all
	} {
		if p, err := Plans(ctx, c.draw, eb, source, c.instruction, 2, 1); err != nil || p != nil {
			t.Errorf("Plans(%s, %q) = %v, %v; want no plan and no error", c.draw.Name, c.instruction, p, err)
		}
	}
}

// TestDraw checks what Draw returns: one picture a plan, seeds from
// opt.Seed, no prompt of its own (an edit records its instruction), the
// same for the same seed, in the edit model's codes.
func TestDraw(t *testing.T) {
	ctx := context.Background()
	draw := drawModel(t, 3)
	eb := bundletest.TinyEditOn(5, draw.Tokenizer)
	plans := []Plan{
		{Draw: Reading{Name: "woman cook", Style: "google"}},
		{Draw: Reading{Name: "cat", Style: "twitter"}},
	}
	opt := sampler.Options{Workers: 1}
	opt.Seed = 11
	res, err := Draw(ctx, draw, eb, opt, plans, nil)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Draw(ctx, draw, eb, opt, plans, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Images) != len(plans) {
		t.Fatalf("%d pictures for %d plans", len(res.Images), len(plans))
	}
	for i, im := range res.Images {
		if im.Seed != 11+uint64(i) || im.Prompt != "" {
			t.Errorf("picture %d: seed %d, prompt %q; want seed %d and no prompt of its own (an edit's is its instruction)", i, im.Seed, im.Prompt, 11+i)
		}
		if len(im.Tokens) != eb.ImageTokens() || slices.ContainsFunc(im.Tokens, func(c int) bool { return c < 0 || c >= eb.Model.Config.Codes() }) {
			t.Errorf("picture %d: codes %v are not the edit model's", i, im.Tokens)
		}
		if !slices.Equal(im.Tokens, again.Images[i].Tokens) {
			t.Errorf("picture %d: another drawing for the same seed", i)
		}
	}
	if _, err := Draw(ctx, draw, eb, opt, nil, nil); err == nil {
		t.Error("Draw of no plan: no error")
	}
}

// TestEditStoppedWhileReading checks that a redraw stopped while the
// drawing model reads the picture is a run stopped before its first patch
// (the studio says "stopped", not "editing failed"), and that an edit
// model edits where no reading can be changed as asked, saying why.
func TestEditStoppedWhileReading(t *testing.T) {
	draw := drawModel(t, 3)
	eb := bundletest.TinyEditOn(5, draw.Tokenizer)
	source := sample(t, draw, "cat google")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	opt := sampler.Options{Workers: 1}
	opt.Prompt = "in the twitter style"
	res, plans, _, err := Edit(ctx, eb, draw, opt, sampler.EditRequest{Source: source, Candidates: 2}, nil, nil, nil)
	if err != nil || res == nil || !res.Stopped || plans != nil {
		t.Fatalf("stopped while reading: %+v, %v, %v; want a stopped result and no error", res, plans, err)
	}

	edited := false
	sample := func(context.Context, *bundle.Bundle, sampler.Options, sampler.EditRequest, func(sampler.Event)) (*sampler.Result, error) {
		edited = true
		return &sampler.Result{}, nil
	}
	opt.Prompt = "in the openmoji style" // a style the drawing model does not draw
	if _, plans, why, err := Edit(context.Background(), eb, draw, opt, sampler.EditRequest{Source: source, Candidates: 2}, nil, nil, sample); err != nil || plans != nil || !edited || !strings.Contains(why, "draws no openmoji style") {
		t.Fatalf("a style the drawing model lacks: plans %v, edited by the edit model %v, why %q, %v", plans, edited, why, err)
	}
}

// TestGenderReadsOnWhereTheFirstReadingCannotChange checks that a gender
// edit of a picture first read as no person reads the next likeliest names
// before it gives up (22 of 100 held-out gender pairs were first read as
// something that cannot change).
func TestGenderReadsOnWhereTheFirstReadingCannotChange(t *testing.T) {
	ctx := context.Background()
	draw := drawModel(t, 3)
	eb := bundletest.TinyEditOn(5, draw.Tokenizer)
	for seed := uint64(1); seed <= 8; seed++ {
		opt := sampler.Defaults()
		opt.Prompt, opt.Seed, opt.Workers = "cat google", seed, 1
		res, err := sampler.Generate(ctx, draw, opt, nil)
		if err != nil {
			t.Fatal(err)
		}
		source := res.Images[0].Tokens
		first, err := Read(ctx, draw, source, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := Changed(draw, first[0], edit.Gender, "woman"); ok {
			continue // read as a person: not the case this test is about
		}
		plans, err := Plans(ctx, draw, eb, source, "as a woman", 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(plans) != 1 || plans[0].Draw.Name != "woman cook" {
			t.Fatalf("first read as %q, as a woman: plans %+v; want the next reading that is a person, as a woman", first[0].Prompt(), plans)
		}
		return
	}
	t.Fatal("no picture of the eight was first read as something that cannot change: the test proves nothing")
}
