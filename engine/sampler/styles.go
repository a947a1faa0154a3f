package sampler

import (
	"strings"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/sampling"
)

// SeedStyle is the style image seed is drawn in when s asks for a style per
// seed (sampling.Settings.StylePerSeed): the model's style words (config
// tessera.style_words) in turn, words[seed mod n], so that a batch's
// consecutive seeds show every style once before any repeats. It is ""
// when s does not ask for it, the model reads no prompt or has no style
// words, the prompt already ends with a style (prompt.SplitStyle), or the
// style would not fit in the prompt's length.
//
// Drawing the style first and the picture given it is ancestral sampling
// of p(image | prompt) = Σ_style p(style) p(image | prompt, style) with a
// uniform p(style), the six styles being equally common in the emoji
// data: guidance sharpens p(image | prompt) towards the one style the
// model knows best, which made every seed of a prompt the same picture.
func SeedStyle(b *bundle.Bundle, s sampling.Settings, seed uint64) string {
	if s.StylePerSeed == 0 || !b.Conditional() || b.Model.Config.Tessera == nil {
		return ""
	}
	styles := b.Model.Config.Tessera.StyleWords
	if len(styles) == 0 {
		return ""
	}
	if _, st := prompt.SplitStyle(s.Prompt, styles); st != "" {
		return ""
	}
	st := styles[seed%uint64(len(styles))]
	if enc := b.PromptIDs(styledPrompt(s.Prompt, st)); len(enc.Cut) > 0 {
		return ""
	}
	return st
}

// SeedPrompt is the prompt image seed is drawn with under s: s.Prompt
// with its SeedStyle appended, or s.Prompt when there is none.
func SeedPrompt(b *bundle.Bundle, s sampling.Settings, seed uint64) string {
	return styledPrompt(s.Prompt, SeedStyle(b, s, seed))
}

// styledPrompt is text with style appended ("" style: text).
func styledPrompt(text, style string) string {
	if style == "" {
		return text
	}
	return strings.TrimSpace(text + " " + style)
}

// seedContexts are the conditional contexts of a new batch's rows when
// opt draws a style per seed, with each row's prompt; nil when no row
// draws one.
func seedContexts(b *bundle.Bundle, opt Options, batch int) (ctx [][]int, prompts []string) {
	any := false
	for i := range batch {
		p := SeedPrompt(b, opt.Settings, opt.Seed+uint64(i))
		prompts = append(prompts, p)
		ctx = append(ctx, b.PromptIDs(p).IDs)
		any = any || p != opt.Prompt
	}
	if !any {
		return nil, nil
	}
	return ctx, prompts
}
