// Package bundletest builds tiny text-conditioned model bundles for tests.
package bundletest

import (
	"math"
	"math/rand/v2"
	"strings"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/tokenizer"
	"github.com/tessera-studio/tessera/engine/vit"
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
	m, r := tinyModel(seed)
	c := m.Config
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

// ViTConfig is the tokenizer of TinyViT: 8×8 images as a 4×4 grid of 2×2
// patches, 16 codes of dimension 3, one encoder and one decoder block.
func ViTConfig() vit.Config {
	return vit.Config{Type: vit.TypeViTVQ, ImageSize: 8, PatchSize: 2, NEmbd: 8, NHead: 2, NInner: 16,
		EncoderLayers: 1, DecoderLayers: 1, CodebookSize: 16, CodeDim: 3, LayerNormEpsilon: 1e-5}
}

// TinyViT is Tiny's transformer with a random ViT-VQ tokenizer instead of a
// patch codebook: the same grid, codes and prompts.
func TinyViT(seed uint64) *bundle.Bundle {
	m, r := tinyModel(seed)
	tok, err := tokenizer.NewViT(ViTConfig(), TinyViTWeights(r))
	if err != nil {
		panic(err)
	}
	b, err := bundle.FromTokenizer("tiny-vit", "test:tiny-vit", m, tok)
	if err != nil {
		panic(err)
	}
	return b
}

// TinyViTWeights draws random ViTConfig weights (unit norm gains, unit
// codebook rows).
func TinyViTWeights(r *rand.Rand) []float32 {
	cfg := ViTConfig()
	ts, n := vit.Layout(cfg)
	data := make([]float32, n)
	for _, t := range ts {
		x := data[t.Off : t.Off+t.Size]
		for i := range x {
			x[i] = float32(r.NormFloat64() * 0.3)
			if strings.HasSuffix(t.Name, "ln_1.weight") || strings.HasSuffix(t.Name, "ln_2.weight") || strings.HasSuffix(t.Name, "ln_f.weight") {
				x[i] = 1
			}
		}
		if t.Name == "quantizer.codebook" {
			for k := 0; k < cfg.CodebookSize; k++ {
				row := x[k*cfg.CodeDim : (k+1)*cfg.CodeDim]
				var s float64
				for _, v := range row {
					s += float64(v) * float64(v)
				}
				for i := range row {
					row[i] /= float32(math.Sqrt(s))
				}
			}
		}
	}
	return data
}

// tinyModel is the random transformer of Tiny and TinyViT and the random
// source that drew it.
func tinyModel(seed uint64) (*model.Model, *rand.Rand) {
	c := Config()
	r := rand.New(rand.NewPCG(seed, 42))
	m, err := model.New(c, randomWeights(r))
	if err != nil {
		panic(err) // the config above is valid by construction
	}
	return m, r
}

// randomWeights draws every tensor from r: norm gains 1, the rest normal
// with σ 0.3 (large enough for prompts to change the distribution visibly).
func randomWeights(r *rand.Rand) func(name string, shape []int) ([]float32, error) {
	return func(name string, shape []int) ([]float32, error) {
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
	}
}

// NameWords is the prompt vocabulary of TinyNamed: the words of its names,
// one skin tone's ("light skin tone") and its styles.
var NameWords = []string{prompt.PAD, "man", "woman", "cook", "cat", "light", "skin", "tone", "google", "twitter"}

// Names is TinyNamed's names list: three forms of one person emoji (man
// cook, woman cook, cook) and an animal, with their characters.
func Names() bundle.NameTable {
	return bundle.NameTable{
		Names:  []string{"man cook", "woman cook", "cook", "cat"},
		Chars:  map[string]string{"man cook": "👨‍🍳", "woman cook": "👩‍🍳", "cook": "🧑‍🍳", "cat": "🐈"},
		Common: map[string]string{},
	}
}

// TinyNamed is a random tiny model like TinyViT (the same image, grid and
// ViT tokenizer shape) reading NameWords, with the names list Names and
// style words google and twitter: a drawing model that names what it
// draws, as the emoji model does (engine/redraw reads pictures with it).
func TinyNamed(seed uint64) *bundle.Bundle {
	c := Config()
	codes := c.Codes()
	c.Tessera.PromptVocab = append([]string(nil), NameWords...)
	c.VocabSize = codes + len(NameWords) + 1
	r := rand.New(rand.NewPCG(seed, 44))
	m, err := model.New(c, randomWeights(r))
	if err != nil {
		panic(err) // the config above is valid by construction
	}
	tok, err := tokenizer.NewViT(ViTConfig(), TinyViTWeights(r))
	if err != nil {
		panic(err)
	}
	b, err := bundle.FromTokenizer("tiny-named", "test:tiny-named", m, tok)
	if err != nil {
		panic(err)
	}
	b.SetNames(Names())
	return b
}
