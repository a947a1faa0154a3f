package sampler

import (
	"context"
	"fmt"
	"slices"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/internal/plural"
)

// Candidates are the prompts Describe ranks for a model, with where they
// came from.
type Candidates struct {
	// Prompts are the candidates, in a fixed order.
	Prompts []string
	// Source says where they came from, for people: "the shapes dataset's
	// captions", "1908 emoji names, alone and × 2 styles", "vocabulary
	// words, alone and × styles".
	Source string
	// Names, when set, are the names Prompts are made of: Prompts are
	// NamesAndStyles(Names), and RankCandidates may rank the names alone
	// first (see RankOptions.Shortlist).
	Names []string
	// Unusable are the model's own names (bundle.Names) left out, in
	// their order, for words the model does not know: all of them when
	// Prompts fell back to other candidates. Empty when every name is
	// used, or when the candidates are the MNIST captions (which no name
	// joins).
	Unusable []string
}

// DescribeCandidates picks the prompts describe ranks for a model: for a
// model that knows every word of the shapes captions, those 288 captions;
// for a model whose words are those of the MNIST captions, the ten
// captions "digit 0" … "digit 9" (pairs of its words such as "8 7", which
// it never saw, can be likelier than any of them); for a model with a list
// of its names (bundle.Names: the built-in emoji model's 1,910), those
// names, alone and × its styles (NamesAndStyles); else, for a model with
// style words that knows most emoji names (from the emoji metadata in
// emojiCache, "" meaning data.DefaultEmojiCache, when it is there; nothing
// is downloaded), those names alone and × styles; else the model's
// vocabulary words (and pairs of them for a small vocabulary), alone and ×
// styles. It
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
	// sayable are the names all of whose words the model knows.
	sayable := func(names []string) []string {
		var ok []string
		for _, n := range names {
			if knowsAll(n) {
				ok = append(ok, n)
			}
		}
		return ok
	}
	var unusable []string // the model's names it cannot read as written
	for _, n := range b.Names {
		if !knowsAll(n) {
			unusable = append(unusable, n)
		}
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
		// A fine-tune of a shapes model on a folder also knows its own
		// captions (its names): they are candidates too (only the shapes
		// were offered).
		var more []string
		for _, n := range sayable(b.Names) {
			if !slices.Contains(shapes, n) {
				more = append(more, n)
			}
		}
		if len(more) == 0 {
			return Candidates{Prompts: shapes, Source: "the shapes dataset's captions", Unusable: unusable}, nil
		}
		return Candidates{Prompts: append(shapes, more...), Source: "the shapes dataset's captions and the model's " + plural.N(len(more), "other name", "other names"), Unusable: unusable}, nil
	}
	if digits := mnistCaptions(); onlyWords(b, digits) {
		return Candidates{Prompts: digits, Source: "the MNIST captions"}, nil
	}
	if len(b.Names) > 0 {
		// The model's own list of names (bundle.NamesFile).
		if ok := sayable(b.Names); len(ok) > 0 {
			styles := styleWords(b)
			if len(styles) == 0 {
				return Candidates{Prompts: ok, Source: fmt.Sprintf("the model's %d names", len(ok)), Names: ok, Unusable: unusable}, nil
			}
			return Candidates{Prompts: NamesAndStyles(b, ok), Source: fmt.Sprintf("the model's %d names, alone and × %d styles", len(ok), len(styles)), Names: ok, Unusable: unusable}, nil
		}
	}
	if styles := styleWords(b); len(styles) > 0 {
		names, err := data.EmojiNames(ctx, emojiCache)
		if err := ctx.Err(); err != nil {
			return Candidates{}, err
		}
		if err == nil {
			if ok := sayable(names); len(ok) >= len(names)/2 && len(ok) > 0 {
				return Candidates{Prompts: NamesAndStyles(b, ok), Source: fmt.Sprintf("%d emoji names, alone and × %d styles", len(ok), len(styles)), Names: ok, Unusable: unusable}, nil
			}
		}
	}
	src := "vocabulary words"
	if len(b.Prompt.Words()) <= pairWords+1 {
		src = "vocabulary words and pairs of them"
	}
	if len(styleWords(b)) > 0 {
		src += ", alone and × styles"
	}
	words := VocabularyPrompts(b)
	return Candidates{Prompts: NamesAndStyles(b, words), Source: src, Names: words, Unusable: unusable}, nil
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

// NameShortlist is how many names, ranked alone, a two-stage
// RankCandidates keeps for its second stage (RankOptions.Shortlist 0).
const NameShortlist = 16

// Ranked is what RankCandidates found.
type Ranked struct {
	// Scores are RankPrompts' scores of the prompts ranked (the second
	// stage's when there were two, each name once): the top ones exact,
	// most likely first.
	Scores []PromptScore
	// Usable is how many candidates the model reads as written; Skipped
	// are the others (UsablePrompts), never scored.
	Usable  int
	Skipped []string
	// Names is how many names were ranked alone in a first stage (0: one
	// stage), and Unscored how many usable candidates the second stage
	// did not score as their names ranked below the shortlist.
	Names, Unscored int
	// InFull and RuledOut count the prompts of the last stage scored in
	// full and ruled out early (PromptScore.Bound), before Scores kept
	// each name once. A name said by its common name is scored by that
	// name's prompts in place of its own: they stand for its candidates,
	// so that InFull + RuledOut + Unscored is Usable (where the name and
	// its common name are usable in the same styles).
	InFull, RuledOut int
}

// count sets r's InFull and RuledOut from a stage's scores.
func (r *Ranked) count(scores []PromptScore) {
	for _, s := range scores {
		if s.Bound {
			r.RuledOut++
		} else {
			r.InFull++
		}
	}
}

// RankCandidates ranks the candidates b reads as written (UsablePrompts)
// by the exact likelihood of an image's codes under each (RankPrompts).
//
// Names × styles (c.Names set, as DescribeCandidates gives for the emoji
// model: 1,910 names × 6 styles), and each name alone, with opt.Top > 0
// are ranked in two stages: every name alone, then each of the
// opt.Shortlist (NameShortlist when 0) likeliest names alone and in every
// style, each said by its common name where b has one the model reads
// (bundle.Bundle.CommonName); the second stage's Scores then list each name
// once, by its likeliest prompt, so that the top opt.Top are that many
// different things. The model learnt each name with
// and without its style word, so a name alone is the likelihood of the
// image under that name in whatever style; every score reported is still
// exact, but a styled prompt whose name alone ranks below the shortlist
// is not scored (Ranked.Unscored), which a one-stage ranking would catch.
// On the emoji model the first stage scores a sixth of the prompts. With
// no more names than the shortlist, a negative opt.Shortlist or opt.Top 0
// (every prompt scored in full), every name goes to the second stage (one
// stage: each name once, by its common name where it has one, as above).
// A model without styles or candidates without names rank every
// candidate in one stage, as they are. No usable candidate is an error.
func RankCandidates(ctx context.Context, b *bundle.Bundle, c Candidates, tokens []int, opt RankOptions) (Ranked, error) {
	usable, skipped := UsablePrompts(b, c.Prompts)
	names, _ := UsablePrompts(b, c.Names)
	styles := len(styleWords(b))
	r := Ranked{Usable: len(usable), Skipped: skipped}
	if len(usable) == 0 {
		return r, fmt.Errorf("no candidate prompt uses only words model %s knows", b.Name)
	}
	short := opt.Shortlist
	if short == 0 {
		short = NameShortlist
	}
	if styles == 0 || len(names) == 0 {
		var err error
		r.Scores, err = RankPrompts(ctx, b, usable, tokens, opt)
		r.count(r.Scores)
		return r, err
	}
	// The names whose styles are ranked: every one, or (two stages) the
	// short likeliest alone.
	shortlist, firstStage := names, 0
	if opt.Top > 0 && short >= 0 && len(names) > short {
		firstStage = len(names)
	} else {
		short = len(names)
	}
	total := firstStage + short*(styles+1) // the second stage: each name alone (NamesAndStyles) and in each style
	if firstStage > 0 {
		first := opt
		first.Top, first.Window = short, 0 // the names' own scores make no probabilities
		if opt.Progress != nil {
			first.Progress = func(done, _ int) { opt.Progress(done, total) }
		}
		ranked, err := RankPrompts(ctx, b, names, tokens, first)
		if err != nil {
			return r, err
		}
		shortlist = nil
		for _, n := range ranked[:short] {
			shortlist = append(shortlist, n.Prompt)
		}
	}
	isUsable := make(map[string]bool, len(usable))
	for _, p := range usable {
		isUsable[p] = true
	}
	listed := make(map[string]bool, len(names))
	for _, n := range names {
		listed[n] = true
	}
	var second []string
	nameOf := map[string]string{} // each prompt of the second stage: the name it says
	candidates := 0               // of them, the candidates (the rest say a name by its common name)
	prompts := func(name string) []string { return append([]string{name}, WithStyles(b, []string{name})...) }
	taken := func(ps []string) bool {
		return slices.ContainsFunc(ps, func(p string) bool { _, ok := nameOf[p]; return ok })
	}
	for _, n := range shortlist {
		// Alone when a candidate (NamesAndStyles), and in each style: the
		// name alone was scored in the first stage already; scored again
		// with the styles, its score comes in the same pass (a sixth more
		// of the second stage's work on the emoji model). Said by the name
		// people know it by where the model reads that (bundle.Common:
		// "red heart", not "heavy black heart"), which the model learnt
		// too: the prompt shown is the one scored. Not by one that is
		// another listed name (CLDR calls 😄 what Unicode calls 😁) or
		// that another name of the shortlist is said by already.
		said := n
		if c := b.CommonName(n); c != said && !listed[c] {
			if ok, _ := UsablePrompts(b, prompts(c)); len(ok) == styles+1 && !taken(ok) {
				said = c
			}
		}
		if said == n && taken(prompts(said)) {
			continue // another name of the shortlist is said so already
		}
		for _, p := range prompts(said) {
			if isUsable[p] || said != n {
				second = append(second, p)
				nameOf[p] = n
			}
		}
		for _, p := range prompts(n) {
			if isUsable[p] {
				candidates++ // scored, or stood for by its common name's prompt in its style
			}
		}
	}
	if len(second) == 0 {
		return r, fmt.Errorf("no styled prompt of the %d likeliest names uses only words model %s knows", short, b.Name)
	}
	then := opt
	// Each name once, in its likeliest style: the Top likeliest names need
	// the Top·(styles+1) likeliest prompts exact (a list of ten held seven
	// styles of "red apple").
	then.Top = opt.Top * (styles + 1)
	if opt.Progress != nil {
		then.Progress = func(done, n int) { opt.Progress(firstStage+done*short*(styles+1)/max(n, 1), total) }
	}
	scores, err := RankPrompts(ctx, b, second, tokens, then)
	if err != nil {
		return r, err
	}
	r.count(scores)
	seen := map[string]bool{}
	for _, sc := range scores {
		if n := nameOf[sc.Prompt]; !seen[n] {
			seen[n] = true
			r.Scores = append(r.Scores, sc)
		}
	}
	r.Names, r.Unscored = firstStage, len(usable)-candidates
	return r, nil
}
