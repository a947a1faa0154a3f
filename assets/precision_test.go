package assets

import (
	"context"
	"math"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/sampler"
)

// meanBits is the mean bits per token of images under b, scored exactly
// (float32) or as sampling computes it (b's decode precision).
func meanBits(t *testing.T, b *bundle.Bundle, images []data.Sample, decoding bool) float64 {
	t.Helper()
	score := sampler.ScoreTokens
	if decoding {
		score = sampler.ScoreTokensDecoding
	}
	if len(images) == 0 {
		t.Fatal("no images to score")
	}
	var sum float64
	for _, s := range images {
		tokens, err := b.Encode(s.Image)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := score(context.Background(), b, s.Caption, tokens, 0)
		if err != nil {
			t.Fatal(err)
		}
		sum += sc.BitsPerToken()
	}
	mean := sum / float64(len(images))
	if math.IsNaN(mean) || math.IsInf(mean, 0) {
		t.Fatalf("mean bits per token %v", mean)
	}
	return mean
}

// precisionCost scores the first n images under the built-in model name
// in float32, f16 and int8 and returns the mean bits per token of each.
func precisionCost(t *testing.T, name string, images []data.Sample, n int) (f32, f16, i8 float64) {
	images = images[:min(n, len(images))]
	open := func(enable func(*bundle.Bundle)) *bundle.Bundle {
		b, err := Open(name)
		if err != nil {
			t.Fatal(err)
		}
		enable(b)
		return b
	}
	f32 = meanBits(t, open(func(*bundle.Bundle) {}), images, false)
	f16 = meanBits(t, open(func(b *bundle.Bundle) { b.Model.EnableHalf() }), images, true)
	q8 := open(func(b *bundle.Bundle) { b.Model.EnableInt8() })
	if rep := q8.Model.HalfReport().String(); rep != "" {
		t.Logf("%s int8: %s", name, rep)
	}
	i8 = meanBits(t, q8, images, true)
	t.Logf("%s on %d held-out images: %.4f bits/token in float32, f16 %+.4f, int8 %+.4f", name, len(images), f32, f16-f32, i8-f32)
	return f32, f16, i8
}

// What the reduced precisions cost the built-in models in likelihood on
// images they never trained on, computed as sampling computes (decode
// kernels, half key/value cache): f16 next to nothing, int8 at most 0.02
// bits per token. The MNIST test set is always at hand; the emoji
// model's held-out images only after make data.
func TestReducedPrecisionCost(t *testing.T) {
	check := func(t *testing.T, name string, images []data.Sample) {
		f32, f16, i8 := precisionCost(t, name, images, 200)
		if math.Abs(f16-f32) > 0.002 || math.Abs(i8-f32) > 0.02 {
			t.Errorf("%s: f16 costs %+.4f and int8 %+.4f bits/token against float32 %.4f", name, f16-f32, i8-f32, f32)
		}
	}
	t.Run("mnist", func(t *testing.T) {
		test, _, err := data.MNIST(context.Background(), false)
		if err != nil {
			t.Fatal(err)
		}
		check(t, "mnist", test)
	})
	t.Run("emoji", func(t *testing.T) {
		emoji, _, err := data.Emoji(context.Background(), "") // the six styles the emoji model trained on
		if err != nil {
			t.Skipf("emoji: %v (make data downloads the images)", err)
		}
		_, held := data.SplitImages(emoji, 0.02, 1)
		check(t, "emoji", held)
	})
}
