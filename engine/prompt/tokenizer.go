package prompt

import (
	"fmt"
	"slices"
)

// Tokenizer maps prompt words to ids for one model. It is immutable after New
// and safe for concurrent use.
type Tokenizer struct {
	words  []string       // id order, PAD first
	sorted []string       // words without PAD, sorted, for Complete
	length int            // L, prompt slots
	codes  int            // K, image codes
	index  map[string]int // word -> word index (id - K)
	// weights, when set (SetWeights), say how well the model learned
	// each word; Suggest prefers the heavier of two words equally near.
	weights map[string]float64
}

// SetWeights gives each word how well the model learned it (the norm of
// its embedding: bundle.WordWeights), which breaks ties between words
// equally near an unknown one in Suggest: "fase" → "face", the word of
// many emoji names, not "faso" (Burkina Faso's), which shares more of its
// start. Set it before the tokenizer is shared; nil clears it.
func (t *Tokenizer) SetWeights(w map[string]float64) { t.weights = w }

// New builds a tokenizer over words (in id order; words[0] must be PAD) with a
// prompt length of length slots, for a model with codes image codes.
//
// Every word must be non-empty, lower-case and free of separators (exactly
// what Split would produce), because any other word could never be typed.
// Duplicates are an error. The one exception to words[0] == PAD is the
// unconditional model (T = 0, L = 0): an empty word list with length 0.
func New(words []string, length, codes int) (*Tokenizer, error) {
	if codes <= 0 {
		return nil, fmt.Errorf("prompt: codes must be positive, got %d", codes)
	}
	if length < 0 {
		return nil, fmt.Errorf("prompt: length must not be negative, got %d", length)
	}
	if len(words) == 0 {
		if length != 0 {
			return nil, fmt.Errorf("prompt: empty vocabulary with prompt length %d (need %q as word 0)", length, PAD)
		}
		return &Tokenizer{codes: codes, index: map[string]int{}}, nil
	}
	if words[0] != PAD {
		return nil, fmt.Errorf("prompt: word 0 must be %q, got %q", PAD, words[0])
	}
	index := make(map[string]int, len(words))
	index[PAD] = 0
	for i, w := range words[1:] {
		i++
		if prev, ok := index[w]; ok {
			return nil, fmt.Errorf("prompt: word %q appears twice (word %d and %d)", w, prev, i)
		}
		if parts := Split(w); len(parts) != 1 || parts[0] != w {
			return nil, fmt.Errorf("prompt: word %d %q is not a single lower-case word", i, w)
		}
		index[w] = i
	}
	sorted := slices.Clone(words[1:])
	slices.Sort(sorted)
	return &Tokenizer{
		words:  slices.Clone(words),
		sorted: sorted,
		length: length,
		codes:  codes,
		index:  index,
	}, nil
}

// Length is L, the number of prompt slots.
func (t *Tokenizer) Length() int { return t.length }

// Words returns a copy of the vocabulary in id order, PAD first.
func (t *Tokenizer) Words() []string { return slices.Clone(t.words) }

// PadID is the id of PAD, which equals K, the number of image codes.
func (t *Tokenizer) PadID() int { return t.codes }

// SOSID is the id of the start-of-image token, K+T.
func (t *Tokenizer) SOSID() int { return t.codes + len(t.words) }

// Unconditional returns the all-PAD prompt of L ids.
func (t *Tokenizer) Unconditional() []int {
	ids := make([]int, t.length)
	for i := range ids {
		ids[i] = t.codes
	}
	return ids
}
