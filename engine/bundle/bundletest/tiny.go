// Package bundletest builds tiny text-conditioned model bundles for tests.
package bundletest

import (
	"math/rand/v2"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/prompt"
)

// Words is the prompt vocabulary of Tiny models.
var Words = []string{prompt.PAD, "cat", "dog", "red", "blue", "google", "twitter"}

// Config is the configuration of Tiny: 16 codes of 2×2 patches on a 4×4
// grid (8×8 pixels), prompts of 3 words.
func Config() model.Config {
	c := model.DefaultConfig()
	const K, L, rows, cols = 16, 3, 4, 4
	c.NEmbd, c.NLayer, c.NHead = 16, 2, 2
	c.Tessera = &model.Ext{
		Name: "tiny", PatchSize: 2, Grid: [2]int{rows, cols}, PromptLength: L,
		PromptVocab: append([]string(nil), Words...), StyleWords: []string{"google", "twitter"},
	}
	c.VocabSize = K + len(Words) + 1
	c.NPositions = L + rows*cols
	return c
}

// Tiny returns a random tiny conditional model with a random codebook. The
// weights are scaled up so that prompts change the distribution visibly.
func Tiny(seed uint64) *bundle.Bundle {
	c := Config()
	r := rand.New(rand.NewPCG(seed, 42))
	m, err := model.New(c, func(name string, shape []int) ([]float32, error) {
		n := 1
		for _, s := range shape {
			n *= s
		}
		data := make([]float32, n)
		for i := range data {
			if len(shape) == 1 && (name == "transformer.ln_f.weight" || len(name) > 11 && name[len(name)-6:] == "weight") {
				data[i] = 1
				continue
			}
			data[i] = float32(r.NormFloat64() * 0.3)
		}
		return data, nil
	})
	if err != nil {
		panic(err) // the config above is valid by construction
	}
	entries := make([]float32, c.Codes()*3*4)
	for i := range entries {
		entries[i] = float32(r.Float64()*2 - 1)
	}
	cb, err := codebook.New(2, entries)
	if err != nil {
		panic(err)
	}
	b, err := bundle.FromParts("tiny", "test:tiny", m, cb)
	if err != nil {
		panic(err)
	}
	return b
}
