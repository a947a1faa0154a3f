package app

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/edit"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/sampler"
)

// shapesBundle is a tiny random model whose prompt vocabulary is the shapes
// captions' words: 8×8 pictures, 16 codes of 2×2 patches.
func shapesBundle(t *testing.T) *bundle.Bundle {
	t.Helper()
	var captions []string
	for _, c := range data.ShapesCaptions() {
		captions = append(captions, c.String())
	}
	vocab := prompt.BuildVocab(captions)
	const K, L = 16, 5
	c := model.DefaultConfig()
	c.NEmbd, c.NLayer, c.NHead = 16, 1, 2
	c.Tessera = &model.Ext{Name: "shapes", PatchSize: 2, Grid: [2]int{4, 4}, PromptLength: L, PromptVocab: vocab}
	c.VocabSize, c.NPositions = K+len(vocab)+1, L+16
	m, err := model.Random(c, 3)
	if err != nil {
		t.Fatal(err)
	}
	entries := make([]float32, K*12)
	for i := range entries {
		entries[i] = float32(i%7)/3 - 1
	}
	cb, err := codebook.New(2, entries)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.FromParts("shapes", "test:shapes", m, cb)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type evalShapesJSON struct {
	Model    string         `json:"model"`
	Seeds    int            `json:"seeds"`
	HeldOut  shapesGroup    `json:"held_out"`
	Seen     *shapesGroup   `json:"seen"`
	Captions []shapesResult `json:"captions"`
	Ceiling  *float64       `json:"tokenizer_ceiling"`
}

func TestEvalShapesContract(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shapes")
	if err := shapesBundle(t).Save(dir, "F32"); err != nil {
		t.Fatal(err)
	}
	held := len(data.ShapesHeldOutCaptions())
	code, stdout, stderr := run(t, "eval-shapes", "--model", dir, "--seeds", "2", "--seen", "3", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(stderr, "does not know") {
		t.Errorf("a shapes vocabulary drew a warning: %q", stderr)
	}
	var out evalShapesJSON
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("%v in %q", err, stdout)
	}
	if out.Seeds != 2 || out.HeldOut.Captions != held || out.HeldOut.Samples != 2*held || out.Seen == nil || out.Seen.Captions != 3 || out.Seen.Samples != 6 {
		t.Fatalf("%+v", out)
	}
	if len(out.Captions) != held+3 {
		t.Fatalf("%d captions, want %d held out + 3 seen", len(out.Captions), held)
	}
	hits := 0
	for i, c := range out.Captions {
		if c.HeldOut != (i < held) || c.HeldOut != data.ShapesHeldOut(c.Caption) || len(c.Got) != 2 || c.Seeds != 2 || c.Hits < 0 || c.Hits > 2 {
			t.Fatalf("caption %d: %+v", i, c)
		}
		if c.HeldOut {
			hits += c.Hits
		}
	}
	// the ceiling is of the pictures after the tokenizer: this 8×8 model's
	// random 2×2 codebook loses nearly every picture the checker reads
	if out.Ceiling == nil || *out.Ceiling < 0 || *out.Ceiling > 0.5 {
		t.Errorf("tokenizer ceiling %v, want a share of at most 0.5 for a random codebook", out.Ceiling)
	}
	g := out.HeldOut
	if g.Hits != hits || g.Rate != float64(hits)/float64(2*held) || g.Rate < 0 || g.Rate > 1 || g.ColorRate > 1 || g.BackgroundRate > 1 {
		t.Errorf("held-out group %+v, hits %d", g, hits)
	}
	// Variety: each caption's two samples are one pair, and two pictures
	// exactly when that pair differs.
	if g.Pairs != held || g.DifferentPairs < 0 || g.DifferentPairs > g.Pairs || g.Pictures != held+g.DifferentPairs ||
		g.PicturesPerCaption != float64(g.Pictures)/float64(held) {
		t.Errorf("held-out variety: %d pictures (%g a caption), %d of %d pairs differ, over %d captions", g.Pictures, g.PicturesPerCaption, g.DifferentPairs, g.Pairs, held)
	}

	// Text output: one seed a caption has no pairs to compare, so no
	// variety line.
	code, stdout, stderr = run(t, "eval-shapes", "--model", dir, "--seeds", "1")
	if code != 0 || !strings.Contains(stdout, "held-out combinations: ") || strings.Contains(stdout, "seen combinations") || strings.Contains(stdout, "variety") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	// A model that does not know the captions' words is refused: its
	// figures would say nothing (it printed rows of 0% and exited 0).
	code, stdout, stderr = run(t, "eval-shapes", "--model", tinyModel(t), "--seeds", "1")
	if code != 1 || stdout != "" || !strings.Contains(stderr, "does not know") || !strings.Contains(stderr, "tessera train --data shapes") {
		t.Errorf("a model without the shapes words: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if code, _, stderr := run(t, "eval-shapes", "--model", dir, "--seeds", "0"); code != 2 || !strings.Contains(stderr, "--seeds") {
		t.Errorf("--seeds 0: exit %d, %q", code, stderr)
	}
	// A style per seed of a model without style words is refused (it was
	// accepted and echoed in the settings, drawing nothing different).
	if code, stdout, stderr := run(t, "eval-shapes", "--model", dir, "--seeds", "1", "--style-per-seed", "1"); code != 2 || stdout != "" ||
		!strings.Contains(stderr, "--style-per-seed 1: model shapes has no style words") {
		t.Errorf("--style-per-seed 1: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestShapesGroup(t *testing.T) {
	var g shapesGroup
	want := data.ShapesCaption{Color: "red", Shape: "circle", Count: 2, Background: "blue"}
	g.add(want, true, "two red circles on blue")
	g.add(want, false, "two red squares on blue")
	g.add(want, false, "red blob on blue") // no caption: every attribute wrong
	g.finish()
	if g.Samples != 3 || g.Hits != 1 || g.ColorRate != 2.0/3 || g.ShapeRate != 1.0/3 || g.CountRate != 2.0/3 || g.BackgroundRate != 2.0/3 {
		t.Errorf("%+v", g)
	}
	seen := data.ShapesCaptions()[:10]
	if got := seenSample(seen, 3); len(got) != 3 || got[0] != seen[0] || got[1] != seen[3] || got[2] != seen[6] {
		t.Errorf("seenSample 3 of 10 = %v", got)
	}
	if got := seenSample(seen, -1); len(got) != 10 {
		t.Errorf("seenSample -1 = %d", len(got))
	}
}

// TestEvalShapesCandidates: with --candidates N each sample is the first of
// N candidates ranked the way generate --rank ranks them (--rank-by
// prompt-gain here).
func TestEvalShapesCandidates(t *testing.T) {
	b := shapesBundle(t)
	ctx := context.Background()
	const prompt = "two red circles on blue"
	opt := sampler.Defaults()
	opt.Prompt, opt.Seed, opt.Batch = prompt, 1, 12
	res, err := sampler.Generate(ctx, b, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	firsts, err := firstRanked(ctx, b, prompt, res.Images, 3, sampler.RankPromptGain, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(firsts) != 4 {
		t.Fatalf("%d firsts of 12 images in threes, want 4", len(firsts))
	}
	for g, first := range firsts {
		best, bestGain := -1, math.Inf(-1)
		for i := 3 * g; i < 3*g+3; i++ {
			gain, err := sampler.PromptGain(ctx, b, prompt, res.Images[i].Tokens, 0, 1)
			if err != nil {
				t.Fatal(err)
			}
			if gain > bestGain {
				best, bestGain = i, gain
			}
		}
		if !slices.Equal(first.Tokens, res.Images[best].Tokens) {
			t.Errorf("group %d: first ranked is not image %d, the one of highest prompt gain %.4f", g, best, bestGain)
		}
	}
	// by likelihood (the default), the first is the likeliest of its group
	firsts, err = firstRanked(ctx, b, prompt, res.Images, 3, sampler.RankLikelihood, 1)
	if err != nil {
		t.Fatal(err)
	}
	differ := false
	for g, first := range firsts {
		best := 3 * g
		for i := 3 * g; i < 3*g+3; i++ {
			if res.Images[i].MeanLogLik() > res.Images[best].MeanLogLik() {
				best = i
			}
		}
		if !slices.Equal(first.Tokens, res.Images[best].Tokens) {
			t.Errorf("group %d: first by likelihood is not image %d, the likeliest", g, best)
		}
		differ = differ || best != 3*g
	}
	if !differ {
		t.Error("every group's likeliest is its first image: the test shows no ranking")
	}

	dir := filepath.Join(t.TempDir(), "shapes")
	if err := b.Save(dir, "F32"); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "eval-shapes", "--model", dir, "--seeds", "1", "--candidates", "3", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out struct {
		evalShapesJSON
		Candidates int    `json:"candidates"`
		RankBy     string `json:"rank_by"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	if held := len(data.ShapesHeldOutCaptions()); out.Candidates != 3 || out.RankBy != "likelihood" || out.HeldOut.Samples != held {
		t.Errorf("candidates %d ranked by %q, %d samples, want 3 by likelihood and %d", out.Candidates, out.RankBy, out.HeldOut.Samples, held)
	}
	for _, bad := range [][]string{{"--candidates", "0"}, {"--seeds", "100", "--candidates", "8"}} {
		if code, _, stderr := run(t, append([]string{"eval-shapes", "--model", dir}, bad...)...); code != 2 || !strings.Contains(stderr, "--candidates") {
			t.Errorf("%v: exit %d, %q", bad, code, stderr)
		}
	}
}

// TestEditFamiliesAsTheREADMEWritesThem: eval-edits --families takes
// "recolour", as the README writes it, beside "recolor" (it wanted the
// latter alone), and family names in words ("black and white").
func TestEditFamiliesAsTheREADMEWritesThem(t *testing.T) {
	for name, want := range map[string]edit.Family{"recolor": edit.Recolor, "recolour": edit.Recolor, " Recolour ": edit.Recolor,
		"black and white": edit.Gray, "black-and-white": edit.Gray, "skin tone": edit.SkinTone, "mirror": edit.Mirror} {
		if got, ok := parseFamily(name); got != want || !ok {
			t.Errorf("parseFamily(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
	if got, ok := parseFamily("recolr"); ok {
		t.Errorf("parseFamily(recolr) = %q", got)
	}
	// The command takes it, and gets as far as its data (a context
	// already cancelled stops it there); a misspelt family is refused.
	model := tinyEditModel(t)
	code, _, stderr := runStopped(t, "eval-edits", "--model", model, "--families", "mirror,recolour", "--per-family", "1")
	if code == 2 || strings.Contains(stderr, "unknown family") {
		t.Errorf("--families mirror,recolour: exit %d, %q", code, stderr)
	}
	code, _, stderr = runStopped(t, "eval-edits", "--model", model, "--families", "recolr")
	if code != 2 || !strings.Contains(stderr, `--families: unknown family "recolr" (want background, skin-tone`) {
		t.Errorf("--families recolr: exit %d, %q", code, stderr)
	}
}

// eval-shapes --seed -1 picks a first seed and says which, as sheet and
// eval-prompts do (it drew seed 1); its JSON records the seed used.
func TestEvalShapesSeedMinusOne(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shapes")
	if err := shapesBundle(t).Save(dir, "F32"); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "eval-shapes", "--model", dir, "--seeds", "1", "--seen", "0", "--seed", "-1", "--json")
	var out struct {
		FirstSeed uint64 `json:"first_seed"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); code != 0 || err != nil {
		t.Fatalf("exit %d, %v: %s", code, err, stderr)
	}
	if want := fmt.Sprintf("note: --seed -1 picked seed %d\n", out.FirstSeed); !strings.Contains(stderr, want) || out.FirstSeed == 1 {
		t.Errorf("stderr %q, first seed %d", stderr, out.FirstSeed)
	}
}
