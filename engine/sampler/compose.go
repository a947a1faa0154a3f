package sampler

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/prompt"
)

// A composed prompt joins sub-prompts with the word AND, each with an
// optional weight after a colon: "yellow square on green AND square :0.5".
// It samples from the product of the sub-prompts' conditionals over the
// unconditional (or negative) prompt's, as composable diffusion does
// (Liu, Li, Du, Torralba and Tenenbaum, "Compositional Visual Generation
// with Composable Diffusion Models", ECCV 2022; the AND syntax is
// AUTOMATIC1111's web UI's): the logits are
//
//	neg + guidance · Σ_i w_i · (cond_i − neg)
//
// so one sub-prompt with weight 1 is ordinary classifier-free guidance.

// subPrompt is one part of a composed prompt and its weight.
type subPrompt struct {
	text   string
	weight float64
}

// andWord is the word that joins sub-prompts: AND, upper case, as a word
// of its own (as the web UI reads it: "and" is an ordinary word).
const andWord = "AND"

// trailingWeight is a sub-prompt's weight: ":W" at its end, a decimal
// number, in exponent notation too (":1e9" was read as the word "1e9").
var trailingWeight = regexp.MustCompile(`\s*:\s*([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*$`)

// MaxWeight is the largest weight a sub-prompt takes, either way: as the
// guidance scale's largest (sampling.KnobGuidance), which it multiplies.
const MaxWeight = 100

// subPrompts splits prompt at AND into its sub-prompts, each with its
// weight (1 unless given). An AND with nothing on one side joins nothing
// ("cat face AND" is "cat face", not a sub-prompt of the style a style per
// seed appends). A prompt without AND or a weight is one sub-prompt, its
// text the prompt unchanged; with one, the texts are the words between,
// joined by single spaces.
func subPrompts(prompt string) []subPrompt {
	words := strings.Fields(prompt)
	if !slices.Contains(words, andWord) && !trailingWeight.MatchString(prompt) {
		return []subPrompt{{text: prompt, weight: 1}}
	}
	var out []subPrompt
	add := func(part []string) {
		p := strings.Join(part, " ")
		sp := subPrompt{text: p, weight: 1}
		if m := trailingWeight.FindStringSubmatchIndex(p); m != nil {
			if w, err := strconv.ParseFloat(p[m[2]:m[3]], 64); err == nil {
				sp = subPrompt{text: strings.TrimSpace(p[:m[0]]), weight: w}
			}
		}
		if sp.text != "" {
			out = append(out, sp)
		}
	}
	start := 0
	for i, w := range words {
		if w == andWord {
			add(words[start:i])
			start = i + 1
		}
	}
	add(words[start:])
	if len(out) == 0 { // "AND", ":0.5": nothing to draw but the words
		return []subPrompt{{text: prompt, weight: 1}}
	}
	return out
}

// composed reports whether subs ask for the composed mix: several
// sub-prompts, or one with a weight.
func composed(subs []subPrompt) bool { return len(subs) > 1 || subs[0].weight != 1 }

// composedMix is the plan mix of a composed prompt: rows are the
// sub-prompts' logits, then the negative prompt's.
func composedMix(weights []float64, guidance float64) func(dst []float32, rows [][]float32) {
	w := make([]float32, len(weights))
	for i := range weights {
		w[i] = float32(weights[i] * guidance)
	}
	return func(dst []float32, rows [][]float32) {
		neg := rows[len(rows)-1]
		copy(dst, neg)
		for i, cond := range rows[:len(rows)-1] {
			for k := range dst {
				dst[k] += w[i] * (cond[k] - neg[k])
			}
		}
	}
}

// condIDs are the prompt ids of each sub-prompt of text: its conditional
// guidance groups.
func condIDs(b *bundle.Bundle, text string) [][]int {
	subs := subPrompts(text)
	out := make([][]int, len(subs))
	for i, sp := range subs {
		out[i] = b.PromptIDs(sp.text).IDs
	}
	return out
}

// joinSubPrompts writes sub-prompts back as one composed prompt, each
// weight other than 1 after its text ("a AND b :0.5").
func joinSubPrompts(subs []subPrompt) string {
	parts := make([]string, len(subs))
	for i, sp := range subs {
		parts[i] = sp.text
		if sp.weight != 1 {
			parts[i] += " :" + strconv.FormatFloat(sp.weight, 'g', -1, 64)
		}
	}
	return strings.Join(parts, " AND ")
}

// EncodePrompt is b.PromptIDs for a prompt that may be composed: the ids
// of its first sub-prompt, and the unknown and cut words and the word
// count of all its sub-prompts (the word AND and the weights are none of
// them).
func EncodePrompt(b *bundle.Bundle, text string) prompt.Encoded {
	subs := subPrompts(text)
	enc := b.PromptIDs(subs[0].text)
	for _, sp := range subs[1:] {
		e := b.PromptIDs(sp.text)
		enc.Unknown, enc.Cut, enc.Words = append(enc.Unknown, e.Unknown...), append(enc.Cut, e.Cut...), enc.Words+e.Words
	}
	return enc
}

// Composed reports whether text is a composed prompt: sub-prompts joined
// by AND, or one with a weight.
func Composed(text string) bool { return composed(subPrompts(text)) }

// ReadComposed is text with read applied to each of its sub-prompts (the
// whole text when it is not composed), joined back as a composed prompt:
// how a model reads a composed prompt (read: bundle.ReadPrompt).
func ReadComposed(text string, read func(string) string) string {
	subs := subPrompts(text)
	if len(subs) == 1 && subs[0].text == text {
		return read(text)
	}
	for i := range subs {
		subs[i].text = read(subs[i].text)
	}
	return joinSubPrompts(subs)
}

// SubPromptTexts are the texts of text's sub-prompts, without AND and
// the weights (text itself when it is not composed).
func SubPromptTexts(text string) []string {
	subs := subPrompts(text)
	out := make([]string, len(subs))
	for i, sp := range subs {
		out[i] = sp.text
	}
	return out
}

// CheckWeights refuses a composed prompt with a sub-prompt weighted more
// than MaxWeight either way (a weight multiplies the guidance: ":1e9" put
// all the weight on that sub-prompt's every code).
func CheckWeights(text string) error {
	for _, sp := range subPrompts(text) {
		if math.Abs(sp.weight) > MaxWeight {
			return fmt.Errorf("the sub-prompt %q has weight %s: a weight is at most %d either way (it multiplies the guidance; 0.5 to 3 are usual)",
				sp.text, strconv.FormatFloat(sp.weight, 'g', -1, 64), MaxWeight)
		}
	}
	return nil
}

// ZeroWeighted are the texts of text's sub-prompts of weight 0, which add
// nothing to what is drawn (TestComposedPromptOfWeightZeroIsThePrompt).
func ZeroWeighted(text string) []string {
	var out []string
	for _, sp := range subPrompts(text) {
		if sp.weight == 0 {
			out = append(out, sp.text)
		}
	}
	return out
}

// ComposeSyntax is how a composed prompt's sub-prompt i is followed in
// writing: its weight (" :0.5", "" for 1) and, but for the last, " AND".
func ComposeSyntax(text string, i int) string {
	subs := subPrompts(text)
	if i < 0 || i >= len(subs) || !composed(subs) {
		return ""
	}
	var out string
	if w := subs[i].weight; w != 1 {
		out = ":" + strconv.FormatFloat(w, 'g', -1, 64)
	}
	if i < len(subs)-1 {
		out = strings.TrimSpace(out + " AND")
	}
	return out
}
