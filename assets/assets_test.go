package assets

import (
	"context"
	"image"
	"testing"
	"time"

	"github.com/tessera-studio/tessera/engine/bundle"
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

// drawn decodes 8 samples of prompt (seeds 1…8) under b at the model's
// recommended settings.
func drawn(t *testing.T, b *bundle.Bundle, prompt string) []*image.NRGBA {
	t.Helper()
	opt := sampler.Defaults()
	opt.Prompt, opt.Batch, opt.Seed = prompt, 8, 1
	opt.Settings, _ = opt.Settings.WithRecommended(b.Model.Config.Recommended(), nil, true)
	res, err := sampler.Generate(context.Background(), b, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]*image.NRGBA, len(res.Images))
	for i, im := range res.Images {
		out[i] = b.Decode(im.Tokens)
	}
	return out
}

// ink is the mean brightness of an image's pixels (MNIST: white on black).
func ink(t *testing.T, prompt string) float64 {
	t.Helper()
	b, err := Open("mnist")
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	pics := drawn(t, b, prompt)
	for _, pic := range pics {
		for i := 0; i < len(pic.Pix); i += 4 {
			total += float64(pic.Pix[i]) / 255
		}
	}
	return total / float64(len(pics)*28*28)
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

// meanInk is the mean colour (0–1 per channel) of the pixels of 8 samples
// of prompt under the built-in emoji model at its defaults that are not
// near-white background.
func meanInk(t *testing.T, b *bundle.Bundle, prompt string) (r, g, bl float64) {
	t.Helper()
	n := 0
	for _, pic := range drawn(t, b, prompt) {
		for i := 0; i < len(pic.Pix); i += 4 {
			p := pic.Pix[i : i+3]
			if p[0] > 230 && p[1] > 230 && p[2] > 230 {
				continue
			}
			r, g, bl = r+float64(p[0])/255, g+float64(p[1])/255, bl+float64(p[2])/255
			n++
		}
	}
	if n == 0 {
		t.Fatalf("%q: 8 blank samples", prompt)
	}
	t.Logf("%s: mean ink %.2f %.2f %.2f", prompt, r/float64(n), g/float64(n), bl/float64(n))
	return r / float64(n), g / float64(n), bl / float64(n)
}

// TestEmojiDrawsThePromptedColours checks, without the emoji data, that
// the built-in emoji model draws 64×64 pictures of what is asked: a heart
// is red, a four leaf clover green, a Noto banana yellow (red and green well
// above blue), a blue heart blue.
func TestEmojiDrawsThePromptedColours(t *testing.T) {
	b, err := Open("emoji")
	if err != nil {
		t.Fatal(err)
	}
	if w, h := b.ImageSize(); w != 64 || h != 64 || b.Tokenizer.Local() {
		t.Fatalf("emoji: %d×%d, patch-local tokenizer %v; want 64×64 through the ViT tokenizer", w, h, b.Tokenizer.Local())
	}
	r, g, bl := meanInk(t, b, "heavy black heart")
	if !(r > 1.5*g && r > 1.5*bl) {
		t.Errorf("heavy black heart: mean ink %.2f %.2f %.2f, want red", r, g, bl)
	}
	r, g, bl = meanInk(t, b, "four leaf clover")
	if !(g > 1.2*r && g > 1.2*bl) {
		t.Errorf("four leaf clover: mean ink %.2f %.2f %.2f, want green", r, g, bl)
	}
	r, g, bl = meanInk(t, b, "banana google")
	if !(r > 1.3*bl && g > 1.3*bl) {
		t.Errorf("banana google: mean ink %.2f %.2f %.2f, want yellow", r, g, bl)
	}
	r, g, bl = meanInk(t, b, "blue heart")
	if !(bl > 1.3*r && bl > 1.1*g) {
		t.Errorf("blue heart: mean ink %.2f %.2f %.2f, want blue", r, g, bl)
	}
}
