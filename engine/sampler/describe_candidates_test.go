package sampler

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/prompt"
)

func TestDescribeCandidates(t *testing.T) {
	ctx := context.Background()
	b := bundletest.Tiny(3) // six words, two of them styles; no emoji names in an empty cache
	got, err := DescribeCandidates(ctx, b, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Prompts, WithStyles(b, VocabularyPrompts(b))) || got.Source != "vocabulary words and pairs of them × styles" {
		t.Errorf("Tiny: %d prompts from %q", len(got.Prompts), got.Source)
	}
	if got, err := DescribeCandidates(ctx, uncondBundle(t), ""); err != nil || len(got.Prompts) != 0 {
		t.Errorf("a model without prompts: %v, %v", got, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := DescribeCandidates(cancelled, b, t.TempDir()); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}

	// A model of the MNIST captions' words is offered those ten captions;
	// with one word more, its vocabulary.
	digits := []string{prompt.PAD, "digit", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	got, err = DescribeCandidates(ctx, vocabBundle(t, digits), "")
	if err != nil || len(got.Prompts) != 10 || got.Prompts[7] != "digit 7" || got.Source != "the MNIST captions" {
		t.Errorf("MNIST words: %q from %q (%v)", got.Prompts, got.Source, err)
	}
	got, err = DescribeCandidates(ctx, vocabBundle(t, append(digits, "cat")), "")
	if err != nil || len(got.Prompts) != 12+12*11 || got.Source != "vocabulary words and pairs of them" {
		t.Errorf("MNIST words and cat: %d prompts from %q (%v)", len(got.Prompts), got.Source, err)
	}

	usable, skipped := UsablePrompts(b, []string{"red cat", "zebra", "", "red zebra", "cat dog red blue", "blue dog twitter"})
	if !slices.Equal(usable, []string{"red cat", "blue dog twitter"}) || !slices.Equal(skipped, []string{"zebra", "", "red zebra", "cat dog red blue"}) {
		t.Errorf("usable %q, skipped %q", usable, skipped)
	}
}

// vocabBundle is a tiny random model with the prompt vocabulary vocab
// (PAD first), prompts of two words and no style words.
func vocabBundle(t *testing.T, vocab []string) *bundle.Bundle {
	t.Helper()
	c := model.DefaultConfig()
	c.NEmbd, c.NLayer, c.NHead = 16, 1, 2
	c.Tessera = &model.Ext{PatchSize: 2, Grid: [2]int{2, 2}, PromptLength: 2, PromptVocab: vocab}
	c.VocabSize, c.NPositions = 16+len(vocab)+1, 2+4
	m, err := model.Random(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := codebook.New(2, make([]float32, 16*12))
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.FromParts("vocab", "test", m, cb)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
