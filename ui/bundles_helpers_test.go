package ui

import (
	"math/rand/v2"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// Tooltips show at once in tests (no timer goroutine touching widgets).
func init() { widgets.TipDelay = 0 }

// smallBundle is a random 4×4-patch model with 16 codes of 2×2 patches
// and the prompt vocabulary words (none: a model without prompts).
func smallBundle(t testing.TB, words []string) *bundle.Bundle {
	t.Helper()
	const K, rows, cols = 16, 4, 4
	c := model.DefaultConfig()
	c.NEmbd, c.NLayer, c.NHead = 16, 2, 2
	L := 0
	if len(words) > 0 {
		L = 3
		words = append([]string{prompt.PAD}, words...)
	}
	c.Tessera = &model.Ext{Name: "small", PatchSize: 2, Grid: [2]int{rows, cols}, PromptLength: L, PromptVocab: words}
	c.VocabSize = K + len(words) + 1
	c.NPositions = L + rows*cols
	m, err := model.Random(c, 5)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	entries := make([]float32, K*2*2*3)
	for i := range entries {
		entries[i] = float32(r.Float64()*2 - 1)
	}
	cb, err := codebook.New(2, entries)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.FromParts("small", "test:small", m, cb)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// unconditionalBundle is a small model without prompts.
func unconditionalBundle(t testing.TB) *bundle.Bundle { return smallBundle(t, nil) }
