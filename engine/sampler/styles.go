package sampler

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/sampling"
)

// StyleMargin is how much lower (nats per code) the mean log-likelihood of
// a style's picture may be than the likeliest style's for a seed to keep
// it (see Generate's style per seed). On the emoji model a picture the
// model knows is drawn at about −0.01 nats per code, one it draws badly at
// −0.15 to −0.5; measured on 50 names × 8 seeds (tessera eval-prompts
// --seeds 8), a margin of 0.05 drew 98.2% of samples right with 5.10
// different pictures of 8 seeds, 0.1 97.2% with 5.16 (97.8% and 5.26 on a
// second list of 50 names it was not chosen on), 0.2 94.2% with 5.28, and
// no margin (every style kept) 86.2% with 5.94.
const StyleMargin = 0.1

// maxStyledSeeds bounds the seeds of one batched run when every seed draws
// every style (their KV caches: seeds × styles × guidance groups rows).
const maxStyledSeeds = 16

// seedStyles are the styles a new image of s may be drawn in when s asks
// for a style per seed (sampling.Settings.StylePerSeed): the model's style
// words (config tessera.style_words). They are nil when s does not ask for
// it, the model reads no prompt or has no style words, the prompt is empty
// (an empty prompt asks for no prompt at all: an unconditional sample, not
// one of a style), the prompt already names a style anywhere
// (prompt.StyleIn), or a style would not fit in the prompt's length.
func seedStyles(b *bundle.Bundle, s sampling.Settings) []string {
	styles := styleWords(b)
	if s.StylePerSeed == 0 || !b.Conditional() || len(styles) == 0 || strings.TrimSpace(s.Prompt) == "" {
		return nil
	}
	if prompt.StyleIn(b.ReadPrompt(s.Prompt), styles) != "" {
		return nil // the prompt names its style ("cat face, google!", "google: cat face", "cat face in the twemoji style")
	}
	if begun := stylesBegun(subPrompts(s.Prompt)[0].text, styles); len(begun) > 0 {
		styles = begun // "cat face fluent": a fluent style per seed, completed, not "cat face fluent fluent contrast"
	}
	for _, st := range styles {
		if enc := EncodePrompt(b, StyledPrompt(s.Prompt, st)); len(enc.Cut) > 0 {
			return nil
		}
	}
	return styles
}

// stylesBegun are the styles of several words whose first words text ends
// with ("cat face fluent": fluent flat, fluent modern, fluent contrast).
func stylesBegun(text string, styles []string) []string {
	var out []string
	for _, st := range styles {
		if begun(text, st) > 0 {
			out = append(out, st)
		}
	}
	return out
}

// begun is how many of style's first words (fewer than all) text ends
// with, compared as the prompt reads words (prompt.ReadWords: any case, no
// punctuation, "cat-face-fluent" three words); 0 when none.
func begun(text, style string) int {
	words, sw := prompt.ReadWords(text), prompt.ReadWords(style)
	for k := len(sw) - 1; k >= 1; k-- {
		if len(words) >= k && slices.Equal(words[len(words)-k:], sw[:k]) {
			return k
		}
	}
	return 0
}

// DrawnStyle is the style an image of a run with a style per seed was
// drawn in (the style words ending its Prompt), "" for any other image.
func DrawnStyle(b *bundle.Bundle, im Image) string {
	if im.Prompt == "" {
		return ""
	}
	_, st := prompt.SplitStyle(subPrompts(im.Prompt)[0].text, styleWords(b))
	return st
}

// StyledPrompt is text with style appended ("" style: text): the prompt
// that draws text in that style. A text that ends with the style's first
// words gets the rest ("cat face fluent" and fluent contrast: "cat face
// fluent contrast"). Each sub-prompt of a composed prompt gets the style
// ("cat face AND sunglasses :0.5" in google: "cat face google AND
// sunglasses google :0.5").
func StyledPrompt(text, style string) string {
	if style == "" {
		return text
	}
	if subs := subPrompts(text); composed(subs) || subs[0].text != text {
		for i := range subs {
			subs[i].text = StyledPrompt(subs[i].text, style)
		}
		return joinSubPrompts(subs)
	}
	if k := begun(text, style); k > 0 {
		style = strings.Join(prompt.ReadWords(style)[k:], " ")
	}
	// "rocket " (a space typed after the word) is "rocket fluent flat",
	// not "rocket  fluent flat".
	return strings.TrimSpace(strings.TrimRight(text, " \t\n") + " " + style)
}

// generateStyled is Generate with a style per seed: every seed of the batch
// draws one picture in each of styles (ancestral sampling of
// p(image | prompt) = Σ_style p(style) p(image | prompt, style): guidance
// sharpens p(image | prompt) towards the one style the model knows best
// for a prompt, which made every seed the same picture), and keeps one:
// the first, in the seed's turn of the styles (styles[seed mod n], then
// the next ones), whose mean log-likelihood per code is within
// StyleMargin of the likeliest of the seed's pictures, so that seeds go
// round the styles but skip those the model draws a prompt badly in. The
// picture kept is what the prompt with that style draws alone with that
// seed, up to float rounding: the styles are drawn as one batch, whose
// products sum in another order than a single sequence's, so where two
// codes are near-tied a patch can rarely go the other way and the
// pictures part from there (a tester found 1 of 16 at temperature 1.2 and
// guidance min-p 0; none at the defaults). The record (style per seed and
// the bare prompt) repeats it exactly; Image.Prompt records the style
// drawn. Events show, for each seed,
// the picture of its first style (the kept one may be another); a stopped
// run keeps those.
func generateStyled(ctx context.Context, b *bundle.Bundle, opt Options, batch int, styles []string, emit func(Event)) (*Result, error) {
	out := &Result{}
	for lo := 0; lo < batch; lo += maxStyledSeeds {
		n := min(maxStyledSeeds, batch-lo)
		o := opt
		o.Seed = opt.Seed + uint64(lo)
		o.KeepCache = opt.KeepCache && batch <= maxStyledSeeds
		res, err := generateStyledChunk(ctx, b, o, n, styles, offsetEvents(emit, lo))
		if err != nil {
			return nil, err
		}
		out.Images = append(out.Images, res.Images...)
		out.Unknown, out.Cut, out.Elapsed = res.Unknown, res.Cut, out.Elapsed+res.Elapsed
		out.cache, out.contexts, out.nGroups = res.cache, res.contexts, res.nGroups
		if res.Stopped {
			out.Stopped = true
			break
		}
	}
	return out, nil
}

// offsetEvents shifts the image index of emit's events by off.
func offsetEvents(emit func(Event), off int) func(Event) {
	if emit == nil || off == 0 {
		return emit
	}
	return func(e Event) {
		e.Image += off
		emit(e)
	}
}

// generateStyledChunk is generateStyled for at most maxStyledSeeds seeds.
func generateStyledChunk(ctx context.Context, b *bundle.Bundle, opt Options, seeds int, styles []string, emit func(Event)) (*Result, error) {
	S := len(styles)
	// Row i·S + k draws seed i in styles[k].
	p := plan{fixed: keepPrefix(b.ImageTokens(), nil, 0), batch: seeds * S}
	prompts := make([]string, seeds*S)
	for r := range prompts {
		prompts[r] = StyledPrompt(opt.Prompt, styles[r%S])
		p.cond = append(p.cond, condIDs(b, prompts[r]))
		p.seeds = append(p.seeds, opt.Seed+uint64(r/S))
	}
	firstStyle := func(i int) int { return int((opt.Seed + uint64(i)) % uint64(S)) }
	res, err := run(ctx, b, opt, p, seedEvents(emit, S, firstStyle))
	if err != nil || res == nil {
		return res, err
	}
	all := res.Images
	if len(all) < seeds*S { // stopped before its first patch: no pictures
		res.Images = nil
		return res, nil
	}
	for r := range all {
		all[r].Prompt = prompts[r]
	}
	res.Images = keepStyles(all, S, res.Stopped, firstStyle, firstStyle)
	return res, nil
}

// seedEvents passes on to emit (nil: none) the events of the rows a run
// with a style per seed shows, row shown(i) of seed i's S, as seed i's.
func seedEvents(emit func(Event), S int, shown func(i int) int) func(Event) {
	if emit == nil {
		return nil
	}
	return func(e Event) {
		if i := e.Image / S; e.Image%S == shown(i) {
			e.Image = i
			emit(e)
		}
	}
}

// keepStyles is one image a seed of all, its pictures in every style (S a
// seed, seed-major, each with its Prompt): the style an unstopped run keeps
// (pickStyle from style first(i)), or, stopped, the style shown(i) as shown
// while it ran, with all its styles in StyleRows for ContinueStyled.
func keepStyles(all []Image, S int, stopped bool, shown, first func(i int) int) []Image {
	out := make([]Image, len(all)/S)
	for i := range out {
		row := all[i*S : (i+1)*S]
		if stopped {
			out[i] = row[shown(i)]
			out[i].StyleRows = slices.Clone(row)
			continue
		}
		out[i] = row[pickStyle(row, first(i))]
	}
	return out
}

// pickStyle is the style a seed keeps of its finished pictures in every
// style (row, in style order), trying them from first on: the first whose
// mean log-likelihood is within StyleMargin of the likeliest's.
func pickStyle(row []Image, first int) int {
	best := row[0].MeanLogLik()
	for _, im := range row {
		best = max(best, im.MeanLogLik())
	}
	S := len(row)
	for j := range S {
		if k := (first + j) % S; row[k].MeanLogLik() >= best-StyleMargin {
			return k
		}
	}
	return first
}

// ContinueStyled finishes the images of a stopped run with a style per
// seed (each with its StyleRows, all as long) as the run would have: every
// seed's picture in every style, each from its own top part, then the
// style an unstopped run keeps (pickStyle, on the whole pictures: each
// one's log-likelihood adds its top part's). Events show, for image i,
// the style shown before the stop (images[i]'s). Stopped again, each image
// is its shown style's picture so far with its StyleRows brought up to
// date, to continue again.
func ContinueStyled(ctx context.Context, b *bundle.Bundle, opt Options, images []Image, emit func(Event)) (*Result, error) {
	if len(images) == 0 || len(images[0].StyleRows) == 0 {
		return nil, errors.New("continue: no image with its pictures in every style")
	}
	S := len(images[0].StyleRows)
	var prefixes [][]int
	var seeds []uint64
	var prompts []string
	shown := make([]int, len(images))
	for i, im := range images {
		if len(im.StyleRows) != S {
			return nil, fmt.Errorf("continue: image %d has %d styles, image 0 %d", i, len(im.StyleRows), S)
		}
		shown[i] = -1
		for k, r := range im.StyleRows {
			prefixes, seeds, prompts = append(prefixes, r.Tokens), append(seeds, im.Seed), append(prompts, r.Prompt)
			if slices.Equal(r.Tokens, im.Tokens) && (shown[i] < 0 || r.Prompt == im.Prompt) {
				shown[i] = k // its prompt's where two styles drew the same so far
			}
		}
		if shown[i] < 0 {
			return nil, fmt.Errorf("continue: image %d is none of its styles' pictures", i)
		}
	}
	shownStyle := func(i int) int { return shown[i] }
	o := opt
	o.Batch = len(prefixes)
	res, err := CompleteEach(ctx, b, o, prefixes, seeds, prompts, seedEvents(emit, S, shownStyle))
	if err != nil || res == nil || len(res.Images) < len(prefixes) {
		return res, err
	}
	all := res.Images
	for r := range all { // the whole picture's likelihood: its top part's too
		before := images[r/S].StyleRows[r%S]
		all[r].Prompt = before.Prompt
		all[r].LogLik += before.LogLik
		all[r].Count += before.Count
		all[r].Free += before.Free
	}
	firstStyle := func(i int) int { return int(images[i].Seed % uint64(S)) }
	res.Images = keepStyles(all, S, res.Stopped, shownStyle, firstStyle)
	return res, nil
}

// UnsureBits is the mean cost, in bits per patch, above which a sample of a
// model with style words, drawn in a style its prompt names, is most likely
// no picture of the prompt: measured on the built-in emoji model at its
// recommended settings (50 names in the fluent modern style, seed 1), the 7
// samples that showed something else took 0.32–0.76 bits a patch and the
// 43 others 0.01–0.08 (docs/eval/style-probes.txt).
const UnsureBits = 0.2

// UnsureStyle is the style a prompt of model b names when meanLogLik
// (nats per patch, a sample's mean log-likelihood) says the model drew it
// unsure (UnsureBits: likely no picture of the prompt's name in that
// style), "" otherwise, when b has no style words or the prompt names
// none, and for a sample drawn hotter than the model recommends
// (temperature: any sample costs more there, and the bound was measured at
// the recommended one).
func UnsureStyle(b *bundle.Bundle, text string, meanLogLik, temperature float64) string {
	styles := styleWords(b)
	if len(styles) == 0 || !b.Conditional() || -meanLogLik/math.Ln2 <= UnsureBits {
		return ""
	}
	if rec := b.Model.Config.Recommended().Temperature; temperature > cmp.Or(rec, 1) {
		return ""
	}
	return prompt.StyleIn(b.ReadPrompt(text), styles)
}
