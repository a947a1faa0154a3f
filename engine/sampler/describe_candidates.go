package sampler

import (
	"context"
	"fmt"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/prompt"
)

// Candidates are the prompts Describe ranks for a model, with where they
// came from.
type Candidates struct {
	// Prompts are the candidates, in a fixed order.
	Prompts []string
	// Source says where they came from, for people: "the shapes dataset's
	// captions", "1908 emoji names × 2 styles", "vocabulary words × styles".
	Source string
}

// DescribeCandidates picks the prompts describe ranks for a model: for a
// model that knows every word of the shapes captions, those 288 captions;
// for a model whose words are those of the MNIST captions, the ten
// captions "digit 0" … "digit 9" (pairs of its words such as "8 7", which
// it never saw, can be likelier than any of them); else, for a model with style words that knows most emoji names (from the
// emoji metadata in emojiCache, "" meaning data.DefaultEmojiCache, when it
// is there; nothing is downloaded), names × styles; else the model's
// vocabulary words (and pairs of them for a small vocabulary) × styles. It
// reads only the emoji metadata, so it takes well under a second. A model
// without prompts has none; the only error is a cancelled ctx.
func DescribeCandidates(ctx context.Context, b *bundle.Bundle, emojiCache string) (Candidates, error) {
	if !b.Conditional() {
		return Candidates{}, nil
	}
	known := map[string]bool{}
	for _, w := range b.Prompt.Words()[1:] {
		known[w] = true
	}
	knowsAll := func(s string) bool {
		for _, w := range prompt.Split(s) {
			if !known[w] {
				return false
			}
		}
		return true
	}
	var shapes []string
	for _, c := range data.ShapesCaptions() {
		if !knowsAll(c.String()) {
			shapes = nil
			break
		}
		shapes = append(shapes, c.String())
	}
	if len(shapes) > 0 {
		return Candidates{shapes, "the shapes dataset's captions"}, nil
	}
	if digits := mnistCaptions(); onlyWords(b, digits) {
		return Candidates{digits, "the MNIST captions"}, nil
	}
	if styles := styleWords(b); len(styles) > 0 {
		names, err := data.EmojiNames(ctx, emojiCache)
		if err := ctx.Err(); err != nil {
			return Candidates{}, err
		}
		if err == nil {
			var ok []string
			for _, n := range names {
				if knowsAll(n) {
					ok = append(ok, n)
				}
			}
			if len(ok) >= len(names)/2 && len(ok) > 0 {
				return Candidates{WithStyles(b, ok), fmt.Sprintf("%d emoji names × %d styles", len(ok), len(styles))}, nil
			}
		}
	}
	src := "vocabulary words"
	if len(b.Prompt.Words()) <= pairWords+1 {
		src = "vocabulary words and pairs of them"
	}
	if len(styleWords(b)) > 0 {
		src += " × styles"
	}
	return Candidates{WithStyles(b, VocabularyPrompts(b)), src}, nil
}

// UsablePrompts splits candidates into those the model reads as written
// and those it would not: with a word it does not know or one past its
// prompt length, or with no word at all (each of those would be scored as
// another prompt).
func UsablePrompts(b *bundle.Bundle, candidates []string) (usable, skipped []string) {
	for _, c := range candidates {
		enc := b.PromptIDs(c)
		if len(enc.Unknown) > 0 || len(enc.Cut) > 0 || len(prompt.Split(c)) == 0 {
			skipped = append(skipped, c)
			continue
		}
		usable = append(usable, c)
	}
	return usable, skipped
}

// mnistCaptions are data.MNIST's captions: "digit 0" … "digit 9".
func mnistCaptions() []string {
	out := make([]string, 10)
	for d := range out {
		out[d] = fmt.Sprintf("digit %d", d)
	}
	return out
}

// onlyWords reports whether b's vocabulary (less PAD and its style words)
// is exactly the words of captions.
func onlyWords(b *bundle.Bundle, captions []string) bool {
	want := map[string]bool{}
	for _, c := range captions {
		for _, w := range prompt.Split(c) {
			want[w] = true
		}
	}
	style := map[string]bool{}
	for _, s := range styleWords(b) {
		for _, w := range prompt.Split(s) {
			style[w] = true
		}
	}
	n := 0
	for _, w := range b.Prompt.Words()[1:] {
		switch {
		case want[w]:
			n++
		case !style[w]:
			return false
		}
	}
	return n == len(want)
}
