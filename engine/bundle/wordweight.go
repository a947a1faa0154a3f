package bundle

import "math"

// WordWeights returns, for each prompt word of b (PAD left out), the L2
// norm of its input embedding: how much the model has learned the word. A
// model keeps no caption statistics, but training moves the embedding of a
// word each time a caption holds it while weight decay pulls every
// embedding towards zero, so words the training captions hold often end
// with larger norms than rare ones ("heart" above "head" in the emoji
// model; skin tones and style words first, single country names last).
// The studio orders prompt completions by it, and the prompt tokenizer
// breaks ties between "did you mean" words by it (prompt.SetWeights). A
// model without prompts gives nil.
func WordWeights(b *Bundle) map[string]float64 {
	if !b.Conditional() {
		return nil
	}
	c := b.Model.Config
	d, K := c.NEmbd, c.Codes()
	wte, ok := b.Model.Wte.Data().([]float32)
	if !ok {
		return nil
	}
	words := b.Prompt.Words()
	out := make(map[string]float64, len(words))
	for i, w := range words {
		if i == 0 {
			continue // PAD
		}
		row := (K + i) * d
		if row+d > len(wte) {
			break
		}
		s := 0.0
		for _, x := range wte[row : row+d] {
			s += float64(x) * float64(x)
		}
		out[w] = math.Sqrt(s)
	}
	return out
}
