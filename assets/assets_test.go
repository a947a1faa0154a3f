package assets

import (
	"context"
	"testing"
	"time"

	"github.com/tessera-studio/tessera/engine/sampler"
)

func TestBuiltinModelsLoadQuickly(t *testing.T) {
	names := Models()
	if len(names) == 0 {
		t.Fatal("no built-in models embedded")
	}
	if Default() != names[0] {
		t.Errorf("default %q is not the first of %v", Default(), names)
	}
	for _, name := range names {
		start := time.Now()
		b, err := Open(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s took %v to load", name, d)
		}
		if !b.Conditional() || b.Name != name {
			t.Errorf("%s: conditional %v, name %q", name, b.Conditional(), b.Name)
		}
		if ModelCard(name) == "" {
			t.Errorf("%s has no MODEL.md", name)
		}
	}
	if _, err := Open("no-such-model"); err == nil {
		t.Error("opened a model that does not exist")
	}
}

// ink is the mean brightness of an image's pixels (MNIST: white on black).
func ink(t *testing.T, prompt string) float64 {
	t.Helper()
	b, err := Open("mnist")
	if err != nil {
		t.Fatal(err)
	}
	opt := sampler.Defaults()
	opt.Prompt, opt.Batch, opt.Seed = prompt, 8, 1
	opt.Guidance = b.Model.Config.Recommended().Guidance
	res, err := sampler.Generate(context.Background(), b, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, im := range res.Images {
		pic := b.Decode(im.Tokens)
		for i := 0; i < len(pic.Pix); i += 4 {
			total += float64(pic.Pix[i]) / 255
		}
	}
	return total / float64(len(res.Images)*28*28)
}

// TestMNISTDrawsThePromptedDigit checks the digits' shapes through a
// property that does not need the MNIST data: a "1" has much less ink than
// an "8" or a "0".
func TestMNISTDrawsThePromptedDigit(t *testing.T) {
	one, eight, zero := ink(t, "digit 1"), ink(t, "digit 8"), ink(t, "digit 0")
	if !(one < 0.7*eight && one < 0.7*zero) {
		t.Errorf("mean ink: digit 1 %.3f, digit 8 %.3f, digit 0 %.3f; a 1 should have far less", one, eight, zero)
	}
	if one < 0.02 {
		t.Errorf("digit 1 samples are nearly blank (%.3f)", one)
	}
}

// BenchmarkOpenDefault measures loading the default built-in model from the
// binary (the target: under 0.5 s): go test -run XXX -bench Open ./assets/
func BenchmarkOpenDefault(b *testing.B) {
	for b.Loop() {
		if _, err := Open(Default()); err != nil {
			b.Fatal(err)
		}
	}
}
