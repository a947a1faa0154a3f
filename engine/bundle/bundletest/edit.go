package bundletest

import (
	"math/rand/v2"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/tokenizer"
)

// EditWords is the instruction vocabulary of TinyEdit models.
var EditWords = []string{prompt.PAD, "mirror", "it", "remove", "the", "background", "make", "red"}

// EditConfig is the configuration of TinyEdit: an edit model with Tiny's
// image (16 codes of 2×2 patches on a 4×4 grid, 8×8 pixels) and
// instructions of up to 3 words: n_positions = 3 + 16 + 16 = 35.
func EditConfig() model.Config {
	c := model.DefaultConfig()
	const K, L, rows, cols = 16, 3, 4, 4
	c.NEmbd, c.NLayer, c.NHead = 16, 2, 2
	c.Tessera = &model.Ext{
		Name: "tiny-edit", PatchSize: 2, Grid: [2]int{rows, cols}, PromptLength: L,
		PromptVocab: append([]string(nil), EditWords...),
		Edit:        &model.EditExt{SourceLength: rows * cols, Instructions: []string{"mirror it", "remove the background", "make it red"}},
	}
	c.VocabSize = K + len(EditWords) + 1
	c.NPositions = L + 2*rows*cols
	return c
}

// TinyEdit returns a random tiny edit model with a random codebook.
func TinyEdit(seed uint64) *bundle.Bundle {
	r := rand.New(rand.NewPCG(seed, 43))
	m, err := model.New(EditConfig(), randomWeights(r))
	if err != nil {
		panic(err) // the config above is valid by construction
	}
	entries := make([]float32, m.Config.Codes()*3*4)
	for i := range entries {
		entries[i] = float32(r.Float64()*2 - 1)
	}
	cb, err := codebook.New(2, entries)
	if err != nil {
		panic(err)
	}
	b, err := bundle.FromParts("tiny-edit", "test:tiny-edit", m, cb)
	if err != nil {
		panic(err)
	}
	return b
}

// TinyEditOn is TinyEdit's random edit model on the image tokenizer tok
// (one of 16 codes for each 2×2 patch of a 4×4 grid, as TinyViT's): an
// edit model that shares a drawing model's tokenizer, as the built-in
// edit model shares the emoji model's encoder and codebook.
func TinyEditOn(seed uint64, tok tokenizer.Tokenizer) *bundle.Bundle {
	m, err := model.New(EditConfig(), randomWeights(rand.New(rand.NewPCG(seed, 43))))
	if err != nil {
		panic(err) // the config above is valid by construction
	}
	b, err := bundle.FromTokenizer("tiny-edit", "test:tiny-edit", m, tok)
	if err != nil {
		panic(err)
	}
	return b
}

// RedrawEditWords is the instruction vocabulary of TinyRedrawEdit: as many
// words as EditWords, so TinyEdit's weights fit.
var RedrawEditWords = []string{prompt.PAD, "as", "a", "woman", "man", "mirror", "it", "style"}

// TinyRedrawEdit is TinyEditOn's edit model on draw's tokenizer, reading
// RedrawEditWords ("as a woman", "mirror it"), that redraws edits of style
// and gender with draw (config tessera.edit.redraw_model: drawModel, the
// name or folder draw is opened by; engine/redraw).
func TinyRedrawEdit(seed uint64, draw *bundle.Bundle, drawModel string) *bundle.Bundle {
	m := TinyEditOn(seed, draw.Tokenizer).Model
	m.Config.Tessera.PromptVocab = append([]string(nil), RedrawEditWords...)
	m.Config.Tessera.Edit.RedrawModel = drawModel
	b, err := bundle.FromTokenizer("tiny-edit", "test:tiny-edit", m, draw.Tokenizer)
	if err != nil {
		panic(err) // the vocabulary above fits TinyEdit's weights by construction
	}
	return b
}
