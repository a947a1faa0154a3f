package sampler

import (
	"cmp"
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/prompt"
)

func TestDescribeCandidates(t *testing.T) {
	ctx := context.Background()
	b := bundletest.Tiny(3) // six words, two of them styles; no emoji names in an empty cache
	got, err := DescribeCandidates(ctx, b, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Prompts, NamesAndStyles(b, VocabularyPrompts(b))) || got.Source != "vocabulary words and pairs of them, alone and × styles" {
		t.Errorf("Tiny: %d prompts from %q", len(got.Prompts), got.Source)
	}
	if got, err := DescribeCandidates(ctx, uncondBundle(t), ""); err != nil || len(got.Prompts) != 0 {
		t.Errorf("a model without prompts: %v, %v", got, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := DescribeCandidates(cancelled, b, t.TempDir()); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}

	// A model of the MNIST captions' words is offered those ten captions;
	// with one word more, its vocabulary.
	digits := []string{prompt.PAD, "digit", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	got, err = DescribeCandidates(ctx, vocabBundle(t, digits), "")
	if err != nil || len(got.Prompts) != 10 || got.Prompts[7] != "digit 7" || got.Source != "the MNIST captions" {
		t.Errorf("MNIST words: %q from %q (%v)", got.Prompts, got.Source, err)
	}
	got, err = DescribeCandidates(ctx, vocabBundle(t, append(digits, "cat")), "")
	if err != nil || len(got.Prompts) != 12+12*11 || got.Source != "vocabulary words and pairs of them" {
		t.Errorf("MNIST words and cat: %d prompts from %q (%v)", len(got.Prompts), got.Source, err)
	}

	usable, skipped := UsablePrompts(b, []string{"red cat", "zebra", "", "red zebra", "cat dog red blue", "blue dog twitter"})
	if !slices.Equal(usable, []string{"red cat", "blue dog twitter"}) || !slices.Equal(skipped, []string{"zebra", "", "red zebra", "cat dog red blue"}) {
		t.Errorf("usable %q, skipped %q", usable, skipped)
	}
}

// vocabBundle is a tiny random model with the prompt vocabulary vocab
// (PAD first), prompts of two words and no style words.
func vocabBundle(t *testing.T, vocab []string) *bundle.Bundle {
	t.Helper()
	c := model.DefaultConfig()
	c.NEmbd, c.NLayer, c.NHead = 16, 1, 2
	c.Tessera = &model.Ext{PatchSize: 2, Grid: [2]int{2, 2}, PromptLength: 2, PromptVocab: vocab}
	c.VocabSize, c.NPositions = 16+len(vocab)+1, 2+4
	m, err := model.Random(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := codebook.New(2, make([]float32, 16*12))
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.FromParts("vocab", "test", m, cb)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A model with a list of its names (names.txt) is offered those names,
// alone and × its styles, without the emoji data.
func TestDescribeCandidatesFromNames(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	b := bundletest.Tiny(2)
	b.Names = []string{"red cat", "zebra", "blue dog"}
	c, err := DescribeCandidates(context.Background(), b, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"red cat", "blue dog", "red cat google", "red cat twitter", "blue dog google", "blue dog twitter"}
	if !slices.Equal(c.Prompts, want) || !slices.Equal(c.Names, []string{"red cat", "blue dog"}) || !strings.Contains(c.Source, "2 names") {
		t.Errorf("candidates %q, names %q, source %q; want %q", c.Prompts, c.Names, c.Source, want)
	}
}

// RankCandidates ranks names × styles in two stages: the names alone, then
// every style of the Shortlist likeliest (by ScoreTokens, name by name);
// the scores it gives are ScoreTokens'; a negative Shortlist or Top 0 ranks
// every candidate in one stage.
func TestRankCandidatesTwoStages(t *testing.T) {
	ctx := context.Background()
	b := bundletest.Tiny(3)
	names := []string{"cat", "dog", "red", "blue", "red cat", "blue dog", "cat dog"}
	c := Candidates{Prompts: NamesAndStyles(b, names), Source: "test", Names: names}
	opt := Defaults()
	opt.Prompt, opt.Seed, opt.Workers = "red cat google", 4, 1
	gen, err := Generate(ctx, b, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	tokens := gen.Images[0].Tokens
	alone := map[string]float64{}
	for _, n := range names {
		s, err := ScoreTokens(ctx, b, n, tokens, 1)
		if err != nil {
			t.Fatal(err)
		}
		alone[n] = s.NLL
	}
	order := slices.Clone(names)
	slices.SortStableFunc(order, func(x, y string) int { return cmp.Compare(alone[x], alone[y]) })
	var calls, last int
	res, err := RankCandidates(ctx, b, c, tokens, RankOptions{Workers: 1, Top: 3, Shortlist: 2, Progress: func(done, total int) {
		if done < last || total != len(names)+2*3 {
			t.Errorf("progress %d of %d after %d", done, total, last)
		}
		calls, last = calls+1, done
	}})
	if err != nil {
		t.Fatal(err)
	}
	// Each of the two names once, in its likeliest style (or alone).
	if res.Names != len(names) || res.Usable != 3*len(names) || res.Unscored != 3*len(names)-6 || len(res.Scores) != 2 || calls == 0 {
		t.Fatalf("two stages: %d names, %d usable, %d unscored, %d scores, %d progress calls", res.Names, res.Usable, res.Unscored, len(res.Scores), calls)
	}
	best := func(name string) (string, float64) {
		t.Helper()
		var bp string
		bn := math.Inf(1)
		for _, p := range append([]string{name}, WithStyles(b, []string{name})...) { // each name alone too (a fine-tune's captions were learnt so)
			ref, err := ScoreTokens(ctx, b, p, tokens, 1)
			if err != nil {
				t.Fatal(err)
			}
			if ref.NLL < bn {
				bp, bn = p, ref.NLL
			}
		}
		return bp, bn
	}
	for i, s := range res.Scores {
		p, nll := best(order[i])
		if s.Prompt != p || s.Bound || math.Abs(nll-s.NLL) > 1e-4*math.Abs(nll)+1e-6 {
			t.Errorf("name %d: %q, NLL %v (bound %v); want %q, the likeliest of %q's prompts, NLL %v", i, s.Prompt, s.NLL, s.Bound, p, order[i], nll)
		}
	}
	// A name with a common name the model reads is said by it.
	common := "blue cat"
	if order[0] == common {
		common = "red dog"
	}
	b.SetNames(bundle.NameTable{Names: names, Common: map[string]string{order[0]: common}})
	res, err = RankCandidates(ctx, b, c, tokens, RankOptions{Workers: 1, Top: 3, Shortlist: 2})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := best(common); !slices.ContainsFunc(res.Scores, func(s PromptScore) bool { return s.Prompt == p }) {
		t.Errorf("with %q known as %q, describe lists %v, not %q", order[0], common, res.Scores, p)
	}
	// Its own three candidates are scored by the common name's three
	// prompts: scored, ruled out and not scored add up to the candidates.
	if res.Unscored != 3*len(names)-6 || res.InFull+res.RuledOut != 6 || len(res.Scores) != 2 || res.InFull+res.RuledOut+res.Unscored != res.Usable {
		t.Errorf("one name said by its common name: %d unscored (want %d), %d in full + %d ruled out (want 6), %d listed, %d usable",
			res.Unscored, 3*len(names)-6, res.InFull, res.RuledOut, len(res.Scores), res.Usable)
	}
	// Two names of one common name: the second keeps its own; a common
	// name that is another listed name is not used.
	b.SetNames(bundle.NameTable{Names: names, Common: map[string]string{order[0]: common, order[1]: common}})
	res, err = RankCandidates(ctx, b, c, tokens, RankOptions{Workers: 1, Top: 3, Shortlist: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Scores) != 2 || res.InFull+res.RuledOut != 6 {
		t.Errorf("two names of one common name: %d listed (%v), %d scored", len(res.Scores), res.Scores, res.InFull+res.RuledOut)
	}
	other := slices.IndexFunc(names, func(n string) bool { return n != order[0] && n != order[1] })
	b.SetNames(bundle.NameTable{Names: names, Common: map[string]string{order[0]: names[other]}})
	res, err = RankCandidates(ctx, b, c, tokens, RankOptions{Workers: 1, Top: 3, Shortlist: 2})
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(res.Scores, func(s PromptScore) bool {
		return strings.HasPrefix(s.Prompt, names[other]) && !strings.HasPrefix(s.Prompt, order[0])
	}) {
		t.Errorf("%q, known as the listed name %q, was said by it: %v", order[0], names[other], res.Scores)
	}
	b.SetNames(bundle.NameTable{Names: names})
	// One stage: every name in every style, each name listed once (by its
	// likeliest prompt, the first three exact).
	one, err := RankCandidates(ctx, b, c, tokens, RankOptions{Workers: 1, Top: 3, Shortlist: -1})
	if err != nil {
		t.Fatal(err)
	}
	if one.Names != 0 || one.Unscored != 0 || len(one.Scores) != len(names) || one.InFull+one.RuledOut != 3*len(names) {
		t.Errorf("one stage: %d names, %d unscored, %d scores of %d prompts; want each of the %d names once", one.Names, one.Unscored, len(one.Scores), one.InFull+one.RuledOut, len(names))
	}
	type bestOf struct {
		prompt string
		nll    float64
	}
	var byBest []bestOf
	for _, n := range names {
		p, nll := best(n)
		byBest = append(byBest, bestOf{p, nll})
	}
	slices.SortFunc(byBest, func(x, y bestOf) int { return cmp.Compare(x.nll, y.nll) })
	for i, sc := range one.Scores[:3] {
		if w := byBest[i]; sc.Prompt != w.prompt || math.Abs(w.nll-sc.NLL) > 1e-4*math.Abs(w.nll)+1e-6 {
			t.Errorf("one stage, name %d: %q (NLL %v), want %q (%v)", i, sc.Prompt, sc.NLL, w.prompt, w.nll)
		}
	}
	// Top 0: every prompt scored in full, each name listed once.
	all, err := RankCandidates(ctx, b, c, tokens, RankOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if all.Names != 0 || all.Unscored != 0 || len(all.Scores) != len(names) || all.InFull != 3*len(names) || all.RuledOut != 0 {
		t.Errorf("Top 0: %d names, %d unscored, %d scores, %d in full, %d ruled out; want every prompt of the %d names in full", all.Names, all.Unscored, len(all.Scores), all.InFull, all.RuledOut, len(names))
	}
	// Without names: every candidate, as it is.
	plain, err := RankCandidates(ctx, b, Candidates{Prompts: c.Prompts}, tokens, RankOptions{Workers: 1, Top: 3})
	if err != nil {
		t.Fatal(err)
	}
	if plain.Names != 0 || len(plain.Scores) != 3*len(names) {
		t.Errorf("candidates without names: %d names, %d scores; want all %d", plain.Names, len(plain.Scores), 3*len(names))
	}
	if _, err := RankCandidates(ctx, b, Candidates{Prompts: []string{"zebra"}}, tokens, RankOptions{}); err == nil {
		t.Error("no usable candidate ranked")
	}
}

// A shapes model is offered the shapes dataset's captions; a fine-tune of
// one on a folder also its own captions (its names), which were left out.
func TestDescribeCandidatesOfAShapesFineTune(t *testing.T) {
	vocab := []string{prompt.PAD, "on", "two", "three", "dot", "white"}
	vocab = append(vocab, data.ShapeColors()...)
	for _, k := range data.ShapeKinds() {
		vocab = append(vocab, k, k+"s")
	}
	for _, bg := range data.ShapeBackgrounds()[1:] {
		if !slices.Contains(vocab, bg) {
			vocab = append(vocab, bg)
		}
	}
	b := vocabBundle(t, vocab)
	shapes := len(data.ShapesCaptions())
	c, err := DescribeCandidates(context.Background(), b, "")
	if err != nil || len(c.Prompts) != shapes || c.Source != "the shapes dataset's captions" {
		t.Fatalf("a shapes model: %d prompts from %q (%v)", len(c.Prompts), c.Source, err)
	}
	b.Names = []string{"red circle", "green dot on white", "zebra"}
	c, err = DescribeCandidates(context.Background(), b, "")
	if err != nil || len(c.Prompts) != shapes+1 || c.Prompts[shapes] != "green dot on white" || c.Source != "the shapes dataset's captions and the model's 1 other name" {
		t.Fatalf("a fine-tune of a shapes model: %d prompts from %q (%v)", len(c.Prompts), c.Source, err)
	}
}
