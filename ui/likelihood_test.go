package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/render"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/ui/core"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// The likelihood map shows, per patch, exactly what the scorer gives for
// the image under the panel's prompt, with a legend; it follows the prompt.
func TestLikelihoodMapMatchesScorer(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "google cat", 4)
	generate(t, s)
	tokens := s.Document().Tokens()
	test.Tap(s.edit.likMap)
	s.Wait()
	must(t, s.LastError())
	want, err := sampler.ScoreTokens(context.Background(), s.Bundle(), "google cat", tokens, 1)
	must(t, err)
	if got := s.Canvas().LikelihoodMapValues(); !slices.Equal(got, want.PerToken) {
		t.Fatalf("likelihood map %v\nscorer    %v", got, want.PerToken)
	}
	// The scale runs from 0 to a blind guess among the model's codes, the
	// same for every image; the legend names the prompt scored under and
	// the worst patch.
	top := render.SurpriseTop(s.Bundle().Codes())
	legend := s.likelihood.legend.Text()
	for _, part := range []string{
		fmt.Sprintf("%.3g bits = guess", top/math.Ln2),
		fmt.Sprintf("%.3f bits/patch, worst %.2f bits (framed), under \"google cat\"", want.BitsPerToken(), slices.Max(want.PerToken)/math.Ln2),
	} {
		if !strings.Contains(legend, part) {
			t.Fatalf("legend %q lacks %q", legend, part)
		}
	}
	// each patch is drawn at its place on that scale
	hot := slices.Index(want.PerToken, slices.Max(want.PerToken))
	if c := widgets.NLLColor(want.PerToken[hot], 0, top); likelihoodLayer(s).NRGBAAt(hot%4, hot/4) != c {
		t.Fatal("likelihood map overlay not painted on the model's scale")
	}

	lockSeed(t, s, "twitter dog", 4)
	s.Wait()
	other, err := sampler.ScoreTokens(context.Background(), s.Bundle(), "twitter dog", tokens, 1)
	must(t, err)
	if got := s.Canvas().LikelihoodMapValues(); !slices.Equal(got, other.PerToken) {
		t.Fatal("the map did not follow the prompt")
	}
	// hidden while a run paints the canvas, then the new image's map
	must(t, s.Generate())
	if s.Canvas().LikelihoodMapValues() != nil {
		t.Fatal("the map stayed over a run")
	}
	s.Wait()
	must(t, s.LastError())
	next, err := sampler.ScoreTokens(context.Background(), s.Bundle(), "twitter dog", s.Document().Tokens(), 1)
	must(t, err)
	if got := s.Canvas().LikelihoodMapValues(); !slices.Equal(got, next.PerToken) {
		t.Fatal("the map did not follow the new image")
	}
	must(t, s.tl.Scrub(5))
	if n := len(s.Canvas().LikelihoodMapValues()); n != 5 {
		t.Fatalf("rewound to 5 patches, the map shows %d", n)
	}
	s.likelihood.Set(false)
	if s.Canvas().LikelihoodMapValues() != nil || s.likelihood.legend.Text() != "" {
		t.Fatal("the map did not hide")
	}
}

// Resample the least likely masks exactly the worst X% of patches by the
// scorer and regenerates them; the other patches never change.
func TestRepairLeastLikely(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "red dog", 12)
	generate(t, s)
	tokens := s.Document().Tokens()
	s.edit.worst.SetValue(25) // 4 of 16
	sc, err := sampler.ScoreTokens(context.Background(), s.Bundle(), "red dog", tokens, 1)
	must(t, err)
	order := make([]int, len(tokens))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(sc.PerToken[b], sc.PerToken[a]) })
	want := make([]bool, len(tokens))
	for _, i := range order[:4] {
		want[i] = true
	}

	must(t, s.RepairLeastLikely()) // no map yet: scores first
	s.Wait()
	must(t, s.LastError())
	// The tool's mask does not stay behind on the result (unseen, it
	// would steer the next Regenerate masked); undo shows it.
	if s.Document().Masked() != 0 {
		t.Fatalf("the repaired image keeps a mask %v", s.Document().Mask())
	}
	if strings.Contains(s.Status(), "drawn at temperature") {
		t.Fatalf("the repair was drawn again hotter: %q", s.Status())
	}
	got := s.Document().Tokens()
	for i := range got {
		if !want[i] && got[i] != tokens[i] {
			t.Fatalf("kept patch %d changed", i)
		}
	}
	if s.Candidates() != s.set.Candidates() {
		t.Fatalf("%d candidates", s.Candidates())
	}
	for i := 0; i < s.Candidates(); i++ {
		must(t, s.PickCandidate(i))
		for j, c := range s.Document().Tokens() {
			if !want[j] && c != tokens[j] {
				t.Fatalf("candidate %d changed kept patch %d", i, j)
			}
		}
		// Its likelihood is the whole image's, as the map and tessera
		// score say (the sampler's covered the patches from the first
		// redrawn one).
		whole, err := sampler.ScoreTokens(context.Background(), s.Bundle(), "red dog", s.Document().Tokens(), 1)
		must(t, err)
		if got, want := s.cands.results[i].loglik, -whole.NLL/float64(len(tokens)); math.Abs(got-want) > 1e-3 {
			t.Errorf("candidate %d: %.4f nats a patch, the whole image scores %.4f", i, got, want)
		}
	}
	must(t, s.Undo()) // the regeneration
	if !slices.Equal(s.Document().Tokens(), tokens) || !slices.Equal(s.Document().Mask(), want) {
		t.Fatalf("undo of the repair: mask %v, want the 4 least likely %v", s.Document().Mask(), want)
	}
	must(t, s.Undo()) // the mask
	if !slices.Equal(s.Document().Tokens(), tokens) || s.Document().Masked() != 0 {
		t.Fatal("undo did not restore the image and mask")
	}

	// with the map shown, its score is used at once
	s.likelihood.Set(true)
	s.Wait()
	must(t, s.RepairLeastLikely())
	if !slices.Equal(s.Document().Mask(), want) || s.Running() == "" {
		t.Fatal("the map's score was not used for the mask")
	}
	s.Wait()
	must(t, s.LastError())
}

func TestWorstMask(t *testing.T) {
	v := []float64{1, 5, 3, 5, 0, 2, 9, 4, 1, 1}
	for _, c := range []struct {
		frac float64
		want []int
	}{
		{0.1, []int{6}},
		{0.3, []int{1, 3, 6}},
		{0.01, []int{6}}, // at least one
		{2, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
	} {
		m := worstMask(v, c.frac)
		var got []int
		for i, on := range m {
			if on {
				got = append(got, i)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("frac %g: %v want %v", c.frac, got, c.want)
		}
	}
}

// likelihoodLayer is the likelihood map as the canvas last drew it (one
// pixel per patch).
func likelihoodLayer(s *Studio) *image.NRGBA {
	_, lik := s.Canvas().Layers()
	return lik
}

// A repair that gives the image back (its least likely patches are the
// model's own choice at these settings) says so and is not drawn again
// hotter, which would make a likely image less likely.
func TestRepairUnchangedIsNotDrawnHotter(t *testing.T) {
	s := newTestStudio(t)
	s.set.SetCandidates(1)
	setParams(t, s, "red cat", 3, func(p *core.Params) { p.Temperature, p.Guidance = core.MinTemperature, 2 })
	generate(t, s)
	tokens := s.Document().Tokens()
	files := outputFiles(t, s)
	file := s.Document().Parent
	s.edit.worst.SetValue(25)
	step := s.Document().Step()
	must(t, s.RepairLeastLikely())
	s.Wait()
	must(t, s.LastError())
	if got := s.Document().Step(); got != step || s.Document().CanRedo() {
		t.Fatalf("an unchanged repair left undo step %d (was %d), redo %v: its mask's step stays", got, step, s.Document().CanRedo())
	}
	if !slices.Equal(s.Document().Tokens(), tokens) || !strings.Contains(s.Status(), "no candidate drew those patches likelier") || strings.Contains(s.Status(), "drawn at temperature") {
		t.Fatalf("status %q, image changed %v", s.Status(), !slices.Equal(s.Document().Tokens(), tokens))
	}
	// Its mask does not stay behind (unseen, it made the next edit an edit
	// of the masked patches).
	if n := s.Document().Masked(); n != 0 {
		t.Fatalf("an unchanged repair left a mask of %d patches", n)
	}
	// The image it gave back is the one on file: not written again.
	if got := outputFiles(t, s); !slices.Equal(got, files) || !strings.Contains(s.Status(), "not saved again") {
		t.Fatalf("outputs %v → %v; status %q", files, got, s.Status())
	}
	// ... and stays the image's file: what is made from it next names it
	// as its parent (a completion after an unchanged repair had none).
	if file == "" || s.Document().Parent != file {
		t.Fatalf("the image's file %q became %q", file, s.Document().Parent)
	}
	must(t, s.CompleteFrom(2))
	s.Wait()
	must(t, s.LastError())
	text, err := pngmeta.ReadFile(s.Document().Parent)
	must(t, err)
	rec, ok, err := pngmeta.ParseRecord(text)
	if !ok || err != nil || rec.Parent != parentName(file) {
		t.Fatalf("the completion's record names parent %+v, want %q (%v)", rec, parentName(file), err)
	}
}

// outputFiles are the names in the studio's outputs folder, sorted.
func outputFiles(t *testing.T, s *Studio) []string {
	t.Helper()
	entries, err := os.ReadDir(s.outputsDir)
	must(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// An image of another size than the model's (asked for mid-way through a
// switch of models) is not scored: the map waits for the switch, where it
// showed "score: need 64 tokens, got 49".
func TestScoreOfAnotherModelsImageWaits(t *testing.T) {
	s := newTestStudio(t)
	generate(t, s)
	var got error
	called := false
	s.scoreAsync("", s.Document().Tokens()[1:], func(_ *scored, err error) { got, called = err, true })
	s.Wait()
	if !called || !errors.Is(got, errModelChanged) {
		t.Fatalf("an image of another size: %v (called %v), want errModelChanged", got, called)
	}
}

// A repair whose candidates are all less likely than the image it started
// from offers that image first (it stays on the canvas, under its own seed)
// and says so; one with a likelier candidate is left as it is.
func TestRepairKeepsTheLikelierImage(t *testing.T) {
	tokens := []int{1, 2, 3, 4}
	mask := []bool{false, true, true, false}
	perToken := []float64{9, 1, 1, 1} // from patch 1 on: 3 nats
	worse := func() *sampler.Result {
		return &sampler.Result{Images: []sampler.Image{
			{Seed: 5, Tokens: []int{1, 7, 7, 4}, LogLik: -5, Count: 3},
			{Seed: 6, Tokens: []int{1, 8, 8, 4}, LogLik: -6, Count: 3},
		}}
	}
	res := worse()
	note := keepLikelier(res, tokens, mask, perToken, 8)
	if len(res.Images) != 3 || !slices.Equal(res.Images[0].Tokens, tokens) || res.Images[0].LogLik != -3 || res.Images[0].Count != 3 || res.Images[0].Seed != 8 {
		t.Fatalf("the image is not offered first: %+v", res.Images)
	}
	if !strings.Contains(note, "none of the 2 candidates is likelier than the image (the best 2.9 bits less likely)") {
		t.Fatalf("note %q", note)
	}
	better := worse()
	better.Images[1].LogLik = -2.5
	if note := keepLikelier(better, tokens, mask, perToken, 8); note != "" || len(better.Images) != 2 {
		t.Fatalf("a likelier candidate: note %q, %d images", note, len(better.Images))
	}
	if note := keepLikelier(worse(), tokens, mask, perToken[:3], 8); note != "" {
		t.Fatalf("a score of another image compared: %q", note)
	}
}

// The likelihood map left on is on at the next start.
func TestLikelihoodMapStaysOn(t *testing.T) {
	e := newEnv(t)
	s := e.open(t)
	generate(t, s)
	s.likelihood.Set(true)
	s.Wait()
	must(t, s.FlushAutosave())
	again := e.open(t)
	again.Wait()
	if !again.likelihood.On() {
		t.Fatal("the likelihood map left on is off at the next start")
	}
	again.likelihood.Set(false)
	if third := e.open(t); third.likelihood.On() {
		t.Fatal("the map turned off is on at the next start")
	}
}

// The image a repair keeps as it was is named as such on its thumbnail and
// in the status line, with its own seed, and an opened picture, whose seed
// field reads 0, with none (it showed "seed 0").
func TestKeptImageOfAnOpenedPictureHasNoSeed(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "red cat", 42)
	generate(t, s)
	w, h := s.bundle.ImageSize()
	openPlainPicture(t, s, w, h)
	base := s.Document().Tokens()
	other := slices.Clone(base)
	other[1] = (other[1] + 1) % s.bundle.Model.Config.Codes()
	p, err := s.imageRunParams()
	must(t, err)
	for _, opened := range []bool{true, false} {
		kept := true
		j := job{kind: kindRegenerate, label: "regenerating", b: s.bundle, params: p, base: base, outDir: s.outputsDir,
			repair: true, kept: &kept, startOpened: opened, startPic: s.doc.Picture()}
		res := &sampler.Result{Images: []sampler.Image{{Tokens: slices.Clone(base), Seed: 0}, {Tokens: other, Seed: 42}}}
		results, err := s.runs.save(context.Background(), j, res, nil)
		must(t, err)
		if len(results) != 2 || !results[0].kept || results[0].noSeed != opened || results[1].kept {
			t.Fatalf("opened %v: results kept %v/%v, no seed %v", opened, results[0].kept, results[1].kept, results[0].noSeed)
		}
		_, tip := candidateCaption(j, 0, results[0])
		name := candidateName(0, results[0])
		want := "the image as it was (its seed 0)"
		if opened {
			want = "the image as it was (an opened picture: no seed)"
		}
		if !strings.Contains(tip, want) || !strings.Contains(name, want) {
			t.Fatalf("opened %v: the kept image is named %q, tooltip %q; want %q", opened, name, tip, want)
		}
		if name := candidateName(1, results[1]); name != "Candidate 2 (seed 42)" {
			t.Fatalf("a drawn candidate is named %q", name)
		}
	}
}

// A regeneration of the last patches says each candidate's likelihood of
// the whole image, as the map and tessera score do: the sampler's figure
// covers only the patches from the first redrawn one.
func TestRegeneratedCandidatesScoreTheWholeImage(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "red dog", 12)
	generate(t, s)
	n := s.Document().N()
	mask := make([]bool, n)
	mask[n-1], mask[n-2] = true, true
	must(t, s.paint.SetMask(mask))
	must(t, s.RegenerateMasked())
	s.Wait()
	must(t, s.LastError())
	if s.Candidates() < 2 {
		t.Fatalf("%d candidates", s.Candidates())
	}
	for i, r := range s.cands.results {
		whole, err := sampler.ScoreTokens(context.Background(), s.Bundle(), r.rec.Prompt, r.tokens, 1)
		must(t, err)
		if got, want := r.loglik, -whole.NLL/float64(n); math.Abs(got-want) > 1e-3 {
			t.Errorf("candidate %d: %.4f nats a patch, the whole image scores %.4f", i, got, want)
		}
	}
}

// A repair whose candidates are one picture, guidance min-p having left
// one code at each patch, says so and which knob varies it.
func TestOnePictureNote(t *testing.T) {
	one := sampler.Image{Tokens: []int{1, 2, 3}, Count: 3}
	if got := onePictureNote([]sampler.Image{one, one, one}, 0.5); got != "its 3 candidates are one picture: at guidance min-p 0.5 the model draws these patches one way (a lower Guidance min-p gives others)" {
		t.Errorf("one picture: %q", got)
	}
	other := one
	other.Tokens = []int{1, 2, 4}
	free := one
	free.Free = 1
	for name, drawn := range map[string][]sampler.Image{"two pictures": {one, other}, "a free patch": {one, free}, "one candidate": {one}} {
		if got := onePictureNote(drawn, 0.5); got != "" {
			t.Errorf("%s: %q", name, got)
		}
	}
	if got := onePictureNote([]sampler.Image{one, one}, 0); got != "" {
		t.Errorf("without min-p: %q", got)
	}
}
