package sampler

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
)

func TestSubPrompts(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []subPrompt
	}{
		{"red cat", []subPrompt{{"red cat", 1}}},
		{"cats and dogs", []subPrompt{{"cats and dogs", 1}}}, // lower case: a word
		{"yellow square on green AND square :0.5", []subPrompt{{"yellow square on green", 1}, {"square", 0.5}}},
		{"a :2 AND b AND c:-1", []subPrompt{{"a", 2}, {"b", 1}, {"c", -1}}},
		{"ANDROID", []subPrompt{{"ANDROID", 1}}},
		// An AND with nothing on a side joins nothing; a weight alone
		// scales the guidance.
		{"cat face AND", []subPrompt{{"cat face", 1}}},
		{"AND cat  face", []subPrompt{{"cat face", 1}}},
		{"a AND  AND b", []subPrompt{{"a", 1}, {"b", 1}}},
		{"cat face :0.5", []subPrompt{{"cat face", 0.5}}},
		{"AND", []subPrompt{{"AND", 1}}},
		// A weight in exponent notation is a weight (":1e9" was read as
		// the word "1e9").
		{"a AND b :1e9", []subPrompt{{"a", 1}, {"b", 1e9}}},
		{"a :2.5E-1", []subPrompt{{"a", 0.25}}},
		{"a :1e", []subPrompt{{"a :1e", 1}}},
	} {
		if got := subPrompts(c.in); !slices.Equal(got, c.want) {
			t.Errorf("subPrompts(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	// A style per seed styles what is drawn: "cat face AND" drew "cat
	// face" and "fluent flat" as two sub-prompts.
	for in, want := range map[string]string{"cat face AND": "cat face google", "cat face :0.5": "cat face google :0.5", "rocket ": "rocket google"} {
		if got := StyledPrompt(in, "google"); got != want {
			t.Errorf("StyledPrompt(%q) = %q, want %q", in, got, want)
		}
	}
	if !Composed("cat face :0.5") || Composed("cat face AND") || Composed("cat face") {
		t.Error("Composed: a weight alone composes; a dangling AND does not")
	}
}

// A sub-prompt of weight 0 adds nothing: "P AND Q :0" samples what P
// does with the same guidance, code for code.
func TestComposedPromptOfWeightZeroIsThePrompt(t *testing.T) {
	b := bundletest.Tiny(4)
	plain := Defaults()
	plain.Prompt, plain.Guidance, plain.Batch = "blue dog", 2, 3
	composed := plain
	composed.Prompt = "blue dog AND red cat :0"
	a, err := Generate(context.Background(), b, plain, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Generate(context.Background(), b, composed, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Images {
		if !slices.Equal(a.Images[i].Tokens, c.Images[i].Tokens) {
			t.Errorf("image %d: %v, composed %v", i, a.Images[i].Tokens, c.Images[i].Tokens)
		}
	}
	// With weight, the second sub-prompt changes some picture, and the
	// unknown words are those of the sub-prompts, AND not among them.
	composed.Prompt = "blue dog AND red zebra :3"
	changed := false
	for seed := uint64(0); seed < 5 && !changed; seed++ {
		plain.Seed, composed.Seed = seed, seed
		a, _ := Generate(context.Background(), b, plain, nil)
		c, err := Generate(context.Background(), b, composed, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(c.Unknown, []string{"zebra"}) {
			t.Fatalf("unknown %v, want [zebra]", c.Unknown)
		}
		changed = !slices.Equal(a.Images[0].Tokens, c.Images[0].Tokens)
	}
	if !changed {
		t.Error("a second sub-prompt of weight 3 never changed a picture")
	}
}

// A style per seed styles every sub-prompt of a composed prompt, and each
// image is what its recorded composed prompt draws alone with its seed.
func TestStylePerSeedStylesEverySubPrompt(t *testing.T) {
	b := bundletest.Tiny(3)
	styles := b.Model.Config.Tessera.StyleWords
	if got := StyledPrompt("red cat AND dog :0.5", "google"); got != "red cat google AND dog google :0.5" {
		t.Fatalf("StyledPrompt of a composed prompt: %q", got)
	}
	ctx := context.Background()
	opt := Defaults()
	opt.Prompt, opt.Guidance, opt.Seed, opt.Batch, opt.StylePerSeed = "red cat AND dog :0.5", 2, 4, 3, 1
	res, err := Generate(ctx, b, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, im := range res.Images {
		st := DrawnStyle(b, im)
		if !slices.Contains(styles, st) || im.Prompt != StyledPrompt(opt.Prompt, st) {
			t.Fatalf("seed %d: prompt %q, style %q", im.Seed, im.Prompt, st)
		}
		o := opt
		o.Prompt, o.Seed, o.Batch = im.Prompt, im.Seed, 1
		alone, err := Generate(ctx, b, o, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(alone.Images[0].Tokens, im.Tokens) {
			t.Errorf("seed %d (%q) differs from its prompt drawn alone", im.Seed, im.Prompt)
		}
	}
}

// A weight beyond MaxWeight either way is refused, by Generate too; the
// sub-prompts of weight 0, which do nothing, are named.
func TestCheckWeights(t *testing.T) {
	for text, ok := range map[string]bool{"a AND b :1e9": false, "a :-101": false, "a AND b :100": true, "a :-3": true, "a": true} {
		if err := CheckWeights(text); (err == nil) != ok {
			t.Errorf("CheckWeights(%q): %v", text, err)
		}
	}
	opt := Defaults()
	opt.Prompt = "red cat AND dog :1e9"
	if _, err := Generate(context.Background(), bundletest.Tiny(4), opt, nil); err == nil || !strings.Contains(err.Error(), `the sub-prompt "dog" has weight 1e+09`) {
		t.Errorf("Generate: %v", err)
	}
	if got := ZeroWeighted("a AND b :0 AND c :0.0 AND d :2"); !slices.Equal(got, []string{"b", "c"}) {
		t.Errorf("ZeroWeighted: %q", got)
	}
}
