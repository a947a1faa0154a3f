// Package redraw edits a picture by what it shows: a drawing model (the
// emoji model) reads the emoji's name, skin tone and style off the picture
// by the exact likelihood of its codes under each description (Describe's
// zero-shot reading, sampler.RankCandidates), the instruction changes that
// description ("in the openmoji style" its style, "as a woman" its gender),
// and the drawing model draws the changed description.
//
// It serves the families an edit model trained on pairs does badly where
// the change is the emoji's identity, which a 64-code edit model would
// have to hold for every emoji in every style: on held-out pairs
// (docs/eval/edit.txt) the built-in edit model alone drew the exact target
// of a style change 1% of the time and of a gender change 27.5%, the
// emoji model's reading and drawing 48.5% and 63.5%. It is right only as often as the reading is: a picture the
// drawing model reads as another emoji is redrawn as that one.
package redraw

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/edit"
	"github.com/tessera-studio/tessera/engine/sampler"
)

// Serves reports whether family f is one a redraw edits: a change of style
// or of gender. A change of skin tone is left to the edit model (54.5% of
// held-out pairs right: a redraw would need the name, the style and the
// tone read right; not measured), and the pixel families and background
// removal keep the source's own drawing.
func Serves(f edit.Family) bool { return f == edit.Style || f == edit.Gender }

// Usable reports whether draw can redraw: a model of prompts with a names
// list and style words (ErrNoNames otherwise).
func Usable(draw *bundle.Bundle) error {
	if !draw.Conditional() || len(draw.Names) == 0 || len(draw.Model.Config.StyleWords()) == 0 {
		return ErrNoNames
	}
	return nil
}

// Applies reports whether an edit by instruction is one a drawing model
// may redraw: of a family Serves, not limited by a mask to some patches (a
// redraw draws the whole picture).
func Applies(instruction string, masked bool) bool {
	f, _, ok := edit.Parse(instruction)
	return ok && Serves(f) && !masked
}

// ModelOf is the drawing model edit model eb redraws with (config.json
// tessera.edit.redraw_model: a built-in name or a folder), "" for none.
func ModelOf(eb *bundle.Bundle) string {
	if t := eb.Model.Config.Tessera; t != nil && t.Edit != nil {
		return t.Edit.RedrawModel
	}
	return ""
}

// Open opens, by open, the drawing model edit model eb redraws with: name,
// else eb's own (ModelOf). It is nil, with no error, where neither names
// one. A model that does not open, or cannot redraw (Usable), is the error.
func Open(eb *bundle.Bundle, name string, open func(name string) (*bundle.Bundle, error)) (*bundle.Bundle, error) {
	if name == "" {
		name = ModelOf(eb)
	}
	if name == "" {
		return nil, nil
	}
	draw, err := open(name)
	if err == nil {
		err = Usable(draw)
	}
	if err != nil {
		return nil, err
	}
	return draw, nil
}

// Reading is what a drawing model reads a picture as: an emoji's name (as
// the model's names list has it), its skin tone ("" for the default or
// none, else one of data.SkinTones) and style word (one of the model's).
type Reading struct {
	Name, Tone, Style string
	// NLL is −log p(codes | the reading's prompt) in nats.
	NLL float64
}

// BitsPerCode is NLL per code of an image of n codes, in bits.
func (r Reading) BitsPerCode(n int) float64 { return r.NLL / float64(n) / math.Ln2 }

// Prompt is the reading said as a prompt: "man firefighter medium skin
// tone google".
func (r Reading) Prompt() string {
	return joinWords(r.Name, r.Tone, r.Style)
}

// joinWords joins the non-empty words with spaces.
func joinWords(words ...string) string {
	return strings.Join(slices.DeleteFunc(words, func(w string) bool { return w == "" }), " ")
}

// ErrNoNames is returned by Read, and Usable, for a drawing model without
// a names list it can say, or without style words (bundle.Names, config
// tessera.style_words): it cannot say what a picture shows.
var ErrNoNames = errors.New("the drawing model has no list of names and styles to read the picture by")

// Read reads the picture whose codes (in draw's codebook, raster order)
// are codes as up to n readings of different names, likeliest first. Names
// are ranked first, as Describe ranks them (sampler.RankCandidates: names
// alone, then the likeliest in every style); each of the n likeliest is
// then read in every skin tone and style (its name with each of the five
// tones or none, × each style word: 36 prompts on the emoji model), and
// takes its likeliest. It costs what Describe costs, about 8 s an image on
// the emoji model on two cores. Errors: a model without names
// (ErrNoNames), codes that do not fit it, a cancelled ctx.
func Read(ctx context.Context, draw *bundle.Bundle, codes []int, n, workers int) ([]Reading, error) {
	if err := Usable(draw); err != nil {
		return nil, err
	}
	styles := draw.Model.Config.StyleWords()
	cands, err := sampler.DescribeCandidates(ctx, draw, "")
	if err != nil {
		return nil, fmt.Errorf("read the picture: %w", err)
	}
	if len(cands.Names) == 0 || len(cands.Unusable) == len(draw.Names) {
		return nil, ErrNoNames // none of its names sayable: describe would rank vocabulary words
	}
	ranked, err := sampler.RankCandidates(ctx, draw, cands, codes, sampler.RankOptions{Top: n, Workers: workers})
	if err != nil {
		return nil, fmt.Errorf("read the picture: %w", err)
	}
	names := nameOf(draw)
	var out []Reading
	for _, s := range ranked.Scores {
		if len(out) == n || s.Bound {
			break
		}
		name, _ := cutStyle(s.Prompt, styles)
		if own, ok := names[name]; ok && !slices.Contains(draw.Names, name) {
			name = own // said by its common name: the list's own
		}
		r, err := readToneAndStyle(ctx, draw, name, codes, styles, workers)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, errors.New("read the picture: no name was ranked")
	}
	// Read in every tone and style, a name ranked second can describe the
	// picture better than the first (on 13 held-out style pairs, ordering
	// by this likelihood drew 8 exact targets where the names' order drew 7).
	slices.SortStableFunc(out, func(a, b Reading) int { return cmp.Compare(a.NLL, b.NLL) })
	return out, nil
}

// readToneAndStyle reads name's likeliest skin tone and style for codes.
func readToneAndStyle(ctx context.Context, draw *bundle.Bundle, name string, codes []int, styles []string, workers int) (Reading, error) {
	var rs []Reading
	var prompts []string
	for _, tone := range append([]string{""}, data.SkinTones()...) {
		for _, st := range styles {
			r := Reading{Name: name, Tone: tone, Style: st}
			rs = append(rs, r)
			prompts = append(prompts, r.Prompt())
		}
	}
	scores, err := sampler.RankPrompts(ctx, draw, prompts, codes, sampler.RankOptions{Workers: workers})
	if err != nil {
		return Reading{}, fmt.Errorf("read the tone and style of %q: %w", name, err)
	}
	best := scores[0]
	i := slices.Index(prompts, best.Prompt)
	r := rs[i]
	r.NLL = best.NLL
	return r, nil
}

// nameOf maps the common names of draw's names (bundle.Common: "older
// person" for "older adult") to the names themselves; a common name of
// more than one name maps to none (it says which of them, as
// RankCandidates reports it, no better than its words do).
func nameOf(draw *bundle.Bundle) map[string]string {
	m := map[string]string{}
	shared := map[string]bool{}
	for name, common := range draw.Common {
		if _, seen := m[common]; seen {
			shared[common] = true
		}
		m[common] = name
	}
	for common := range shared {
		delete(m, common)
	}
	return m
}

// cutStyle splits a style word off the end of prompt.
func cutStyle(prompt string, styles []string) (rest, style string) {
	for _, st := range styles {
		if r, ok := strings.CutSuffix(prompt, " "+st); ok {
			return r, st
		}
	}
	return prompt, ""
}

// Changed is the reading r changed as the instruction of family f asks,
// with target as edit.Parse gives it (a style as in data.EmojiStyles, or
// "woman", "man", "person"): the style replaced, or the name replaced by
// its form of that gender (data.GenderSetsOf over the drawing model's
// names and characters: "man firefighter" → "woman firefighter", "runner"
// → "woman running"), tone and style kept. ok is false when r has no such
// form (an emoji that is no person, or drawn of one gender only), the
// family is not one Serves, or the style is not one of draw's.
func Changed(draw *bundle.Bundle, r Reading, f edit.Family, target string) (Reading, bool) {
	switch f {
	case edit.Style:
		st := data.StyleWords(target)
		if !slices.Contains(draw.Model.Config.StyleWords(), st) {
			return r, false
		}
		r.Style = st
		return r, true
	case edit.Gender:
		name, ok := genderForm(draw, r.Name, target)
		if !ok {
			return r, false
		}
		r.Name = name
		return r, true
	}
	return r, false
}

// genderForm is name's form of gender g ("woman", "man", "person") among
// draw's names, from the characters of its names list.
func genderForm(draw *bundle.Bundle, name, g string) (string, bool) {
	chars := draw.Chars[name]
	if chars == "" {
		return "", false
	}
	byCode := map[string]string{}
	var codes []string
	for n, c := range draw.Chars {
		u := data.UnifiedCode(c)
		byCode[u] = n
		codes = append(codes, u)
	}
	slices.Sort(codes) // one order whatever the map's
	own := data.UnifiedCode(chars)
	for _, s := range data.GenderSetsOf(codes) {
		if s.Person != own && s.Man != own && s.Woman != own {
			continue
		}
		var want string
		switch g {
		case "woman":
			want = s.Woman
		case "man":
			want = s.Man
		case "person":
			want = s.Person
		}
		if want == "" || want == own {
			return "", false
		}
		return byCode[want], true
	}
	return "", false
}

// Plan is one candidate of a redraw: the picture as read, and the reading
// changed as the instruction asks, which is drawn.
type Plan struct {
	Read, Draw Reading
}

// Plans reads the picture of source (codes in eb's codebook, raster order:
// the edit model's reading of the picture) with the drawing model draw and
// changes up to n of its readings as instruction asks, the likeliest
// reading first. It returns no plan and no error where a redraw does not
// serve: an instruction of another family (Serves), a drawing model
// without names (ErrNoNames is not returned), or readings none of which
// can be changed (a picture read as no person, asked "as a woman"); the
// caller edits with the edit model then. The source is read in draw's
// codes: source itself where they draw the picture under draw's decoder
// (bundle.SourceCodes: models sharing an encoder and codebook, as the
// built-in edit and emoji models do), else the picture encoded by draw.
// Errors: codes that do not fit eb, a cancelled ctx.
func Plans(ctx context.Context, draw, eb *bundle.Bundle, source []int, instruction string, n, workers int) ([]Plan, error) {
	f, target, ok := edit.Parse(instruction)
	if !ok || !Serves(f) || Usable(draw) != nil {
		return nil, nil
	}
	codes, _, _, err := draw.SourceCodes(eb.Decode(source), source)
	if err != nil {
		return nil, fmt.Errorf("read the picture for %s: %w", draw.Name, err)
	}
	changed := func(readings []Reading) []Plan {
		var plans []Plan
		for _, r := range readings {
			d, ok := Changed(draw, r, f, target)
			if ok && len(plans) < max(n, 1) && !slices.ContainsFunc(plans, func(p Plan) bool { return p.Draw.Prompt() == d.Prompt() }) {
				plans = append(plans, Plan{Read: r, Draw: d}) // readings changed alike ("man cook", "cook" as a woman) drawn once
			}
		}
		return plans
	}
	readings, err := Read(ctx, draw, codes, max(n, 1), workers)
	if err != nil {
		return nil, err
	}
	plans := changed(readings)
	if len(plans) == 0 && f == edit.Gender {
		// Read as no person, or as the gender asked already: the next
		// likeliest names may be the person (on 100 held-out gender
		// pairs, 22 of the first readings could not change).
		if readings, err = Read(ctx, draw, codes, max(n, 1)+extraReadings, workers); err != nil {
			return nil, err
		}
		plans = changed(readings)
	}
	return plans, nil
}

// extraReadings is how many more names Plans reads where none of the
// first readings can be changed as a gender edit asks.
const extraReadings = 3

// Options are the settings Draw samples with for an edit of settings opt:
// draw's recommended ones (config.json tessera.defaults, over
// sampler.Defaults), opt's seed, workers and prompt (the instruction).
func Options(draw *bundle.Bundle, opt sampler.Options) sampler.Options {
	o := sampler.Defaults() // the studio's defaults where draw recommends none
	o.Settings, _ = o.Settings.WithRecommended(draw.Model.Config.Recommended(), nil, true)
	o.Workers, o.Seed, o.Prompt = opt.Workers, opt.Seed, opt.Prompt
	return o
}

// Draw draws each plan's changed reading with draw in one batch, plan i
// with seed opt.Seed+i, and returns the pictures as codes of eb (the edit
// model) in the plans' order: the drawing model's codes where eb's decoder
// draws them as draw's does, else draw's picture encoded by eb
// (bundle.SourceCodes). Sampling takes Options (draw's recommended
// settings: the edit model's temperature and guidance scales are for its
// own sequences). Each image's Prompt is left empty, as an edit's is (its
// prompt is its instruction; plans[i].Draw says what image i drew).
// Events stream as for sampler.CompleteEach, in draw's codes on draw's
// grid (nil emit: none). No plans is an error; a cancelled ctx stops the
// run, whose Result has Stopped set.
func Draw(ctx context.Context, draw, eb *bundle.Bundle, opt sampler.Options, plans []Plan, emit func(sampler.Event)) (*sampler.Result, error) {
	if len(plans) == 0 {
		return nil, errors.New("redraw: nothing to draw")
	}
	o := Options(draw, opt)
	o.Batch = len(plans)
	o.Prompt = plans[0].Draw.Prompt()
	prefixes := make([][]int, len(plans))
	seeds := make([]uint64, len(plans))
	prompts := make([]string, len(plans))
	for i, p := range plans {
		prefixes[i] = []int{}
		seeds[i] = opt.Seed + uint64(i)
		prompts[i] = p.Draw.Prompt()
	}
	res, err := sampler.CompleteEach(ctx, draw, o, prefixes, seeds, prompts, emit)
	if err != nil {
		return nil, fmt.Errorf("redraw with %s: %w", draw.Name, err)
	}
	if res.Stopped {
		return res, nil
	}
	for i := range res.Images {
		im := &res.Images[i]
		im.Prompt = "" // an edit's prompt is its instruction (CompleteEach set the drawing's)
		codes, _, _, err := eb.SourceCodes(draw.Decode(im.Tokens), im.Tokens)
		if err != nil {
			return nil, fmt.Errorf("redraw: %q in %s's codes: %w", prompts[i], eb.Name, err)
		}
		im.Tokens = codes
	}
	return res, nil
}

// EditFunc draws an edit model's candidates: sampler.Edit's signature.
type EditFunc func(ctx context.Context, eb *bundle.Bundle, opt sampler.Options, req sampler.EditRequest, emit func(sampler.Event)) (*sampler.Result, error)

// Edit edits req.Source (codes of the edit model eb) by the instruction
// opt.Prompt: with a drawing model draw and no mask, by redrawing (Plans,
// Draw: req.Candidates readings of the picture, the likeliest first, each
// drawn changed); else, or where no reading can be changed as asked (or
// the instruction is of a family Serves does not), with the edit model by
// sample (sampler.Edit when nil). Events stream to emit from the edit
// model's run, to drawEmit from the drawing model's (its codes, its grid).
// plans, when the edit was redrawn, are
// what each image of the result (in order) was read as and drew; why
// says, where draw was set for a family it serves but the edit model
// edited, why.
func Edit(ctx context.Context, eb, draw *bundle.Bundle, opt sampler.Options, req sampler.EditRequest, emit, drawEmit func(sampler.Event), sample EditFunc) (res *sampler.Result, plans []Plan, why string, err error) {
	if sample == nil {
		sample = sampler.Edit
	}
	if draw != nil && req.Mask == nil {
		plans, err = Plans(ctx, draw, eb, req.Source, opt.Prompt, req.Candidates, opt.Workers)
		if err != nil && ctx.Err() != nil {
			return &sampler.Result{Stopped: true}, nil, "", nil // stopped while reading: as a run stopped before its first patch
		}
		if err != nil {
			return nil, nil, "", err
		}
		if len(plans) > 0 {
			res, err = Draw(ctx, draw, eb, opt, plans, drawEmit)
			return res, plans, "", err
		}
		if f, target, ok := edit.Parse(opt.Prompt); ok && Serves(f) {
			why = fmt.Sprintf("%s reads the picture as nothing it can redraw as %q, so edit model %s edits it", draw.Name, opt.Prompt, eb.Name)
			if _, ok := Changed(draw, Reading{}, f, target); f == edit.Style && !ok { // a style draw has not
				why = fmt.Sprintf("%s draws no %s style, so edit model %s edits it", draw.Name, data.StyleWords(target), eb.Name)
			}
		}
	}
	res, err = sample(ctx, eb, opt, req, emit)
	return res, nil, why, err
}

// Note says what a redrawn edit read the picture as and drew, for people;
// im is the picture Draw drew of p, whose likelihood says where draw drew
// it unsure (sampler.UnsureStyle: most likely no picture of that name in
// that style, as tessera generate warns).
func (p Plan) Note(draw *bundle.Bundle, im sampler.Image) string {
	note := fmt.Sprintf("redrawn by %s: the picture reads as %q (%.3f bits per code), drawn as %q", draw.Name, p.Read.Prompt(), p.Read.BitsPerCode(draw.ImageTokens()), p.Draw.Prompt())
	if st := sampler.UnsureStyle(draw, p.Draw.Prompt(), im.MeanLogLik(), Options(draw, sampler.Options{}).Temperature); st != "" {
		note += fmt.Sprintf(", unsure (%.2f bits a patch, where pictures it knows take under %.1f): %s may not know %q in the %s style", -im.MeanLogLik()/math.Ln2, sampler.UnsureBits, draw.Name, p.Draw.Name, st)
	}
	return note
}
