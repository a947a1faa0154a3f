package ui

import (
	"cmp"
	"context"
	"fmt"
	"image"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/tessera-studio/tessera/ui/widgets"

	"fyne.io/fyne/v2/test"

	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/ui/core"
)

// A batch comes side by side ordered by the mean log-likelihood under the
// prompt (sampler.RankLikelihood: on the built-in emoji model the first of
// 4 candidates is the prompted emoji more often that way than by prompt
// gain): the figure under each image, explained in its tooltip. The best
// is put on the canvas and a click puts another.
func TestBatchRankedByLikelihood(t *testing.T) {
	s := newTestStudio(t)
	p := setParams(t, s, "red cat", 30, func(p *core.Params) { p.Batch = 6 })
	generate(t, s)
	if s.Candidates() != 6 {
		t.Fatalf("%d candidates", s.Candidates())
	}
	res, err := sampler.Generate(context.Background(), s.Bundle(), p.Options(1), nil)
	must(t, err)
	ll := map[uint64]float64{}
	for _, im := range res.Images {
		ll[im.Seed] = im.MeanLogLik()
	}
	for i, c := range s.cands.results {
		if !c.scored || c.score != ll[c.seed] {
			t.Fatalf("candidate %d (seed %d): score %g, want its mean log-likelihood %g", i, c.seed, c.score, ll[c.seed])
		}
		if i > 0 && c.score > s.cands.results[i-1].score {
			t.Fatalf("candidate %d is likelier than %d", i, i-1)
		}
		th := s.cands.Thumbs()[i]
		if !strings.Contains(th.Caption, fmt.Sprintf("%.3f", -c.score/math.Ln2)) { // in bits per patch, as the rest of the studio says them
			t.Fatalf("caption %q lacks the figure in bits per patch", th.Caption)
		}
		if !strings.Contains(th.Tip, "Ranked by likelihood") || !strings.Contains(th.Tip, "bits/patch under the prompt") {
			t.Fatalf("tooltip %q does not explain the figure", th.Tip)
		}
	}
	if slices.IsSortedFunc(res.Images, func(a, b sampler.Image) int { return -cmp.Compare(a.MeanLogLik(), b.MeanLogLik()) }) {
		t.Fatal("the batch came out of sampling in likelihood order: the test shows no ranking")
	}
	if !slices.Equal(s.Document().Tokens(), s.cands.results[0].tokens) {
		t.Fatal("the best image is not on the canvas")
	}
	if !strings.Contains(s.cands.label.Text, "bits/patch") {
		t.Fatalf("candidate label %q", s.cands.label.Text)
	}
	test.Tap(s.cands.Thumbs()[3])
	if !slices.Equal(s.Document().Tokens(), s.cands.results[3].tokens) ||
		!slices.Equal(s.Canvas().Image().Pix, s.Bundle().Decode(s.cands.results[3].tokens).Pix) {
		t.Fatal("clicking a candidate did not put it on the canvas")
	}
}

// A model without prompts ranks a batch by the plain mean log-likelihood.
func TestBatchRankedByLikelihoodWithoutPrompt(t *testing.T) {
	e := newEnv(t)
	e.models = tinyModels{b: unconditionalBundle(t)}
	s := e.open(t)
	setParams(t, s, "", 5, func(p *core.Params) { p.Batch = 4 })
	generate(t, s)
	if s.Candidates() != 4 {
		t.Fatalf("%d candidates", s.Candidates())
	}
	for i, c := range s.cands.results {
		if !c.scored || c.score != c.loglik {
			t.Fatalf("candidate %d: score %g, want its mean log-likelihood %g", i, c.score, c.loglik)
		}
		if i > 0 && c.loglik > s.cands.results[i-1].loglik {
			t.Fatalf("candidate %d is likelier than %d", i, i-1)
		}
		if !strings.Contains(s.cands.Thumbs()[i].Tip, "Ranked by likelihood") {
			t.Fatalf("tooltip %q", s.cands.Thumbs()[i].Tip)
		}
	}
}

// With Settings' "prompt gain" a batch comes ordered by how much the prompt
// explains each image, log p(image | prompt) − log p(image | no prompt),
// and with "description" by how much better the prompt describes it than
// the likeliest other prompt Describe knows: shown, explained and
// recorded; the Settings dialog shows the choice.
func TestBatchRankedByOwnScore(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		by         sampler.RankBy
		label, tip string
		score      func(s *Studio, tokens []int) (float64, error)
	}{
		{sampler.RankPromptGain, rankGainLabel, "log₂ p(image | no prompt)", func(s *Studio, tokens []int) (float64, error) {
			return sampler.PromptGain(ctx, s.Bundle(), "red cat", tokens, 0, 1)
		}},
		{sampler.RankDescription, rankDescLabel, "the likeliest other prompt", func(s *Studio, tokens []int) (float64, error) {
			rivals, err := sampler.DescribeCandidates(ctx, s.Bundle(), "")
			if err != nil {
				return 0, err
			}
			return sampler.DescriptionMargin(ctx, s.Bundle(), "red cat", rivals, tokens, 1)
		}},
	} {
		t.Run(string(tc.by), func(t *testing.T) {
			s := newTestStudio(t)
			s.set.SetRankBy(tc.by)
			p := setParams(t, s, "red cat", 30, func(p *core.Params) { p.Batch = 6 })
			generate(t, s)
			res, err := sampler.Generate(ctx, s.Bundle(), p.Options(1), nil)
			must(t, err)
			want := map[uint64]float64{}
			for _, im := range res.Images {
				g, err := tc.score(s, im.Tokens)
				must(t, err)
				want[im.Seed] = g
			}
			for i, c := range s.cands.results {
				if !c.scored || math.Abs(c.score-want[c.seed]) > 1e-9 {
					t.Fatalf("candidate %d (seed %d): score %g, want the %s %g", i, c.seed, c.score, tc.by.ScoreName(), want[c.seed])
				}
				if i > 0 && c.score > s.cands.results[i-1].score {
					t.Fatalf("candidate %d scores higher than %d", i, i-1)
				}
				if th := s.cands.Thumbs()[i]; !strings.Contains(th.Caption, fmt.Sprintf("%+.3f", c.score/math.Ln2)) || !strings.Contains(th.Tip, tc.tip) {
					t.Fatalf("caption %q, tooltip %q", th.Caption, th.Tip)
				}
			}
			key := tc.by.RecordKey()
			if rec := readRecord(t, s.Document().Parent); rec.Extra[key] != s.cands.results[0].score {
				t.Fatalf("the saved image does not record its %s: %v", tc.by.ScoreName(), rec.Extra[key])
			}
			if !strings.Contains(s.cands.label.Text, tc.by.ScoreName()) {
				t.Fatalf("candidate label %q", s.cands.label.Text)
			}
			s.files.showSettings()
			if r := s.files.settingsRank; r == nil || r.Selected != tc.label {
				t.Fatalf("the Settings dialog does not show the order chosen: %v", r)
			}
		})
	}
}

// resultsOf are results of the given codes, in order.
func resultsOf(tokens ...[]int) []result {
	var out []result
	for _, tk := range tokens {
		out = append(out, result{tokens: tk})
	}
	return out
}

// A run that changed nothing visible says so: every candidate of a batch
// the same picture, or a regeneration that gave the image back.
func TestSameResultsNote(t *testing.T) {
	a, b := []int{1, 2, 3}, []int{1, 2, 4}
	res := resultsOf
	for _, c := range []struct {
		j       job
		results []result
		want    string
	}{
		{job{kind: kindGenerate}, res(a, a, a), "all 3 candidates alike"},
		{job{kind: kindGenerate}, res(a, b, a), ""},
		{job{kind: kindGenerate}, res(a), ""},
		{job{kind: kindRegenerate, base: a}, res(a), "unchanged"},
		{job{kind: kindRegenerate, base: a}, res(a, a), "all 2 candidates unchanged"},
		{job{kind: kindRegenerate, base: a}, res(b, a), ""},
		{job{kind: kindEdit, base: b}, res(b, b, b, b), "all 4 candidates unchanged"},
		// Under the model's guidance min-p the temperature varies nothing:
		// the hint says what does.
		{job{kind: kindGenerate, params: core.Params{Settings: sampling.Settings{Temperature: 0.8, Guidance: 3, GuidanceMinP: 0.5}}}, res(a, a), "all 2 candidates alike: try guidance 1"},
		{job{kind: kindGenerate, params: core.Params{Settings: sampling.Settings{Temperature: 0.8, Guidance: 3}}}, res(a, a), "try lower guidance or a higher temperature"},
		// At guidance 1 (off, the slider's least) only the temperature is
		// advised; at the highest temperature only guidance.
		{job{kind: kindGenerate, params: core.Params{Settings: sampling.Settings{Temperature: 0.8, Guidance: 1}}}, res(a, a, b, a), "2 different pictures: try a higher temperature (guidance is at 1, off, already)"},
		{job{kind: kindRegenerate, base: b, repair: true, params: core.Params{Settings: sampling.Settings{Temperature: 0.8, Guidance: 1}}}, res(a, a), "all 2 candidates alike: try a higher temperature (guidance"},
		{job{kind: kindGenerate, params: core.Params{Settings: sampling.Settings{Temperature: core.MaxTemperature, Guidance: 3}}}, res(a, a), "try lower guidance (the temperature is at its highest"},
		{job{kind: kindGenerate, params: core.Params{Settings: sampling.Settings{Temperature: core.MaxTemperature, Guidance: 1, TopP: 1}}}, res(a, a), "the model draws this alike whatever the seed"},
		// Most of a batch alike, not all: said too (ten alike read as ten candidates).
		{job{kind: kindGenerate, params: core.Params{Settings: sampling.Settings{Temperature: 0.8, Guidance: 3}}}, res(a, a, b, a), "4 candidates, 2 different pictures"},
		{job{kind: kindGenerate}, res(a, b, []int{1, 2, 5}, a), ""},
	} {
		got := sameResultsNote(c.j, c.results)
		if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("%s of %d: %q, want %q", c.j.kind, len(c.results), got, c.want)
		}
	}
}

// The candidate strip's label says how its candidates are ordered: a
// branch or completion that gave the image back among them put those
// last, whatever their score.
func TestCandidateOrderLabel(t *testing.T) {
	base := []int{1, 2, 3}
	res := resultsOf
	scored := func(rs []result) []result {
		for i := range rs {
			rs[i].scored, rs[i].rankBy = true, sampler.RankLikelihood
		}
		return rs
	}
	for _, c := range []struct {
		j    job
		r    []result
		want string
	}{
		{job{kind: kindBranch, rank: true, base: base}, scored(res([]int{1, 2, 4}, []int{1, 2, 3})), "Changes first,\nthen best first"},
		{job{kind: kindComplete, rank: true, base: base}, scored(res([]int{1, 2, 4}, []int{1, 2, 5})), "Best first\n(bits/patch)"},
		{job{kind: kindBranch, rank: true, base: base, at: 2}, scored(res([]int{1, 2, 4}, []int{1, 2, 5})), "Best first\n(bits/patch drawn)"}, // the captions' figures are of the patches drawn
		{job{kind: kindComplete, rank: true, base: base}, res([]int{1, 2, 4}, []int{1, 2, 5}), "Seed order\n(not ranked)"},                    // stopped before the ranking
		{job{kind: kindBranch, rank: true, base: base}, res([]int{1, 2, 4}, []int{1, 2, 3}), "Changes first,\nthen seed order"},
		{job{kind: kindGenerate, rank: true, pin: new(uint64)}, res([]int{1, 2, 4}, []int{1, 2, 5}), "Yours first,\nthen seed order"},
		{job{kind: kindRegenerate, base: base}, res([]int{1, 2, 3}), "Best fit first"}, // all unchanged: no reordering
		{job{kind: kindRegenerate, base: base}, res([]int{1, 2, 5}, []int{1, 2, 3}), "Changes first,\nthen best first"},
		{job{kind: kindRegenerate, base: base, repair: true}, res([]int{1, 2, 3}, []int{1, 2, 5}), "Best fit first"},
		{job{kind: kindEdit, base: base}, res([]int{1, 2, 5}, []int{1, 2, 3}), "Changes first,\nthen best first"}, // an edit asked for a change too
		{job{kind: kindGenerate, rank: true}, scored(res([]int{1, 2, 3})), "Best first\n(bits/patch)"},
		{job{kind: kindGenerate}, res([]int{1, 2, 3}), "Candidates"},
	} {
		if got := candidateOrder(c.j, c.r); got != c.want {
			t.Errorf("%s rank %v: %q, want %q", c.j.kind, c.j.rank, got, c.want)
		}
	}
	// A candidate that is the image the run started from says so on its
	// thumbnail (it looked like a result of its own); a new image never.
	r := res([]int{1, 2, 5}, []int{1, 2, 3})
	j := job{kind: kindRegenerate, base: base}
	if c, tip := candidateCaption(j, 1, r[1]); c != "#2 = before" || !strings.Contains(tip, "gave it back unchanged") {
		t.Errorf("an unchanged candidate: %q, %q", c, tip)
	}
	if c, _ := candidateCaption(j, 0, r[0]); c != "best" {
		t.Errorf("a changed candidate: %q", c)
	}
	if c, _ := candidateCaption(job{kind: kindGenerate, base: base}, 1, r[1]); strings.Contains(c, "before") {
		t.Errorf("a generated candidate: %q", c)
	}
}

// A model that recommends an order (config.json tessera.defaults.rank_by)
// has its batches ranked that way while Settings says "as the model
// recommends", the default; a choice in Settings overrides it.
func TestBatchRankedAsTheModelRecommends(t *testing.T) {
	e := newEnv(t)
	b := bundletest.Tiny(3)
	b.Model.Config.Tessera.Defaults = &sampling.Recommended{RankBy: string(sampler.RankDescription)}
	e.models = tinyModels{b: b}
	s := e.open(t)
	if !strings.Contains(s.Status(), "batches ranked by description margin") {
		t.Errorf("the status does not say how batches are ranked: %q", s.Status())
	}
	s.files.showSettings()
	if r := s.files.settingsRank; r == nil || r.Selected != rankModelLabel {
		t.Fatalf("Settings does not start at the model's order: %v", r)
	}
	hint := ""
	widgets.Walk(s.Window().Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if f, ok := o.(*widget.Form); ok {
			for _, it := range f.Items {
				hint += it.HintText
			}
		}
	})
	// In the choices' words ("description"), not the score's ("description
	// margin", beside a choice called otherwise).
	if !strings.HasSuffix(hint, "This model recommends description") {
		t.Fatalf("Settings does not say what the model recommends: %q", hint)
	}
	if !strings.Contains(hint, "when you pick one") {
		t.Errorf("Settings does not say that a candidate picked is saved: %q", hint)
	}
	// Escape on the focused order choice closes the dialog, as it does
	// elsewhere in it (a focused radio button kept it).
	s.Window().Canvas().Focus(s.files.settingsRank)
	s.files.settingsRank.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if hasDialog(s) {
		t.Fatal("Escape on the focused order choice left Settings open")
	}
	setParams(t, s, "red cat", 30, func(p *core.Params) { p.Batch = 3 })
	for _, tc := range []struct {
		set  sampler.RankBy
		want sampler.RankBy
	}{{"", sampler.RankDescription}, {sampler.RankLikelihood, sampler.RankLikelihood}} {
		s.set.SetRankBy(tc.set)
		generate(t, s)
		for i, c := range s.cands.results {
			if !c.scored || c.rankBy != tc.want {
				t.Fatalf("Settings %q: candidate %d ranked by %q (scored %v), want %q", tc.set, i, c.rankBy, c.scored, tc.want)
			}
		}
	}
}

// A batch that could not be ranked as Settings asks (description of a
// batch without a prompt) comes by likelihood, and the status says so.
func TestBatchRankFallbackIsTold(t *testing.T) {
	s := newTestStudio(t)
	s.set.SetRankBy(sampler.RankDescription)
	setParams(t, s, "", 30, func(p *core.Params) { p.Batch = 3 })
	generate(t, s)
	if r := s.cands.results; len(r) == 0 || r[0].rankBy != sampler.RankLikelihood {
		t.Fatalf("results %+v", r)
	}
	if !strings.Contains(s.Status(), "not ranked by description margin") {
		t.Fatalf("status %q", s.Status())
	}
}

// A candidate that is the same picture as an earlier one says which
// ("#3 = #1"): a batch at strong guidance filled the strip with ten alike
// cat faces that read as ten candidates.
func TestAlikeCandidatesAreMarked(t *testing.T) {
	s := newTestStudio(t)
	n := s.Document().N()
	a, b := make([]int, n), make([]int, n)
	b[0] = 1
	res := resultsOf(a, b, a, b)
	for i := range res {
		res[i].seed = uint64(i + 1)
	}
	s.cands.show(job{kind: kindGenerate, b: s.bundle}, res)
	var got []string
	for _, th := range s.cands.Thumbs() {
		got = append(got, th.Caption)
	}
	if want := []string{"#1", "#2", "#3 = #1", "#4 = #2"}; !slices.Equal(got, want) {
		t.Errorf("captions %q, want %q", got, want)
	}
	if tip := s.cands.Thumbs()[2].Tip; !strings.Contains(tip, "same picture as candidate 1") {
		t.Errorf("tooltip %q", tip)
	}
}

// A Generate that draws, from another seed, the picture already on the
// canvas says so and what would vary it (Generate looked broken: a
// memorising model at strong guidance draws one picture a prompt).
func TestGenerateSaysTheSamePictureFromAnotherSeed(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "red cat", 5)
	p, err := s.Params()
	must(t, err)
	p.TopK = 1 // greedy: every seed draws the same
	s.SetParams(p)
	generate(t, s)
	if strings.Contains(s.Status(), "the same picture as the image before") {
		t.Fatalf("the first picture: %q", s.Status())
	}
	lockSeed(t, s, "red cat", 6)
	generate(t, s)
	if !strings.Contains(s.Status(), "the same picture as the image before, from another seed: top-k 1 takes the likeliest code every time") {
		t.Errorf("another seed, the same picture: %q", s.Status())
	}
}

// Candidates with pictures of their own (an edit model's) are alike by
// their pixels, not by the drawing model's codes of them, which many
// pictures share.
func TestEditCandidatesAreAlikeByPixels(t *testing.T) {
	codes := []int{1, 2, 3, 4}
	pic := func(v uint8) *image.NRGBA {
		p := image.NewNRGBA(image.Rect(0, 0, 2, 2))
		for i := range p.Pix {
			p.Pix[i] = v
		}
		return p
	}
	res := []result{{tokens: codes, pic: pic(10)}, {tokens: codes, pic: pic(20)}, {tokens: codes, pic: pic(10)}, {tokens: codes}}
	for i, want := range []int{-1, -1, 0, -1} {
		if got := alikeBefore(res, i); got != want {
			t.Errorf("candidate %d alike %d, want %d", i+1, got, want)
		}
	}
}

// A candidate that drew the same picture as an earlier one of its batch
// takes that candidate's file as its parent; exported, it records its own
// seed, as the export's name and the status give it (the record said the
// first candidate's).
func TestExportOfARepeatedCandidateRecordsItsSeed(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "red cat", 5)
	p, err := s.Params()
	must(t, err)
	p.TopK, p.Batch = 1, 2 // greedy: both seeds draw the same
	s.SetParams(p)
	generate(t, s)
	if s.Candidates() != 2 {
		t.Fatalf("%d candidates", s.Candidates())
	}
	second := s.cands.results[1].seed
	must(t, s.PickCandidate(1))
	if !strings.Contains(s.Status(), "saved before") || s.Document().ImageParams().Seed != second {
		t.Fatalf("picked #2 (seed %d): status %q, the image's seed %d", second, s.Status(), s.Document().ImageParams().Seed)
	}
	out := filepath.Join(t.TempDir(), "x.png")
	must(t, s.ExportTo(out))
	rec := recordOf(out)
	if rec == nil || rec.Seed != second || !strings.Contains(s.files.exportName(), fmt.Sprint(second)) {
		t.Errorf("the export of candidate 2 (seed %d) records %+v, named %q", second, rec, s.files.exportName())
	}
}

// Of the candidates that give back the image a run started from, the strip
// shows one "= before" and counts the rest in its label (a masked
// regeneration showed three thumbnails of the unchanged image beside its
// one new picture).
func TestOneGiveBackShown(t *testing.T) {
	s := newTestStudio(t)
	n := s.Document().N()
	base, other := make([]int, n), make([]int, n)
	other[0] = 1
	res := resultsOf(other, base, base, base)
	s.cands.show(job{kind: kindRegenerate, b: s.bundle, base: base}, res)
	var got []string
	for _, th := range s.cands.Thumbs() {
		got = append(got, th.Caption)
	}
	if want := []string{"best", "#2 = before"}; !slices.Equal(got, want) || len(s.cands.results) != 2 {
		t.Errorf("captions %q (%d results), want %q", got, len(s.cands.results), want)
	}
	if l := s.cands.label.Text; !strings.Contains(l, "2 more") {
		t.Errorf("label %q", l)
	}
}

// repeats counts the candidates that are an earlier one's picture, which a
// batch saved with Settings' "every image" writes once (and now says so).
func TestRepeatsCountsAlikeCandidates(t *testing.T) {
	a, b := []int{1, 2}, []int{3, 4}
	if n := repeats(resultsOf(a, b, a, a)); n != 2 {
		t.Errorf("%d repeats, want 2", n)
	}
	if n := repeats(resultsOf(a, b)); n != 0 {
		t.Errorf("%d repeats of distinct pictures", n)
	}
}
