package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/sampling"
)

// generate --rank orders a batch as the studio does: best first by the
// mean log-likelihood under the prompt, printed; --rank-by prompt-gain
// orders by how much the prompt explains each image, --rank-by description
// by how much better the prompt describes it than any other prompt
// describe ranks: each printed and recorded.
func TestGenerateRank(t *testing.T) {
	m := tinyModel(t)
	for _, c := range []struct {
		by, printed, recorded string
	}{
		{"", "mean log-likelihood %f nats/token", ""},
		{"prompt-gain", "prompt gain %f nats/token", "prompt_gain"},
		{"description", "description margin %f nats/token", "description_margin"},
	} {
		out := filepath.Join(t.TempDir(), "r.png")
		args := []string{"generate", "--model", m, "--prompt", "cat", "--batch", "4", "--seed", "3", "--rank", "--out", out, "--quiet"}
		if c.by != "" {
			args = append(args, "--rank-by", c.by)
		}
		code, stdout, stderr := run(t, args...)
		if code != 0 || strings.Contains(stderr, "scored") {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		if len(lines) != 4 {
			t.Fatalf("%d lines: %q", len(lines), stdout)
		}
		prev := 1e9
		for i, line := range lines {
			var score float64
			f := strings.Split(line, "\t")
			if len(f) < 3 {
				t.Fatalf("line %q", line)
			}
			if _, err := fmt.Sscanf(f[2], c.printed, &score); err != nil {
				t.Fatalf("--rank-by %q: line %q: %v", c.by, line, err)
			}
			if score > prev {
				t.Fatalf("--rank-by %q: line %d score %g after %g: not best first", c.by, i, score, prev)
			}
			prev = score
			rec, _ := readRecord(t, f[0])
			for _, key := range []string{"prompt_gain", "description_margin"} {
				g, ok := rec.Extra[key].(float64)
				if key == c.recorded && (!ok || fmt.Sprintf("%.4f", g) != fmt.Sprintf("%.4f", score)) || key != c.recorded && ok {
					t.Fatalf("--rank-by %q: %s records %s %v, printed %g", c.by, f[0], key, rec.Extra[key], score)
				}
			}
		}
	}
	// Without --quiet, ranking by a score says how many are scored; with
	// it (above), nothing.
	if code, _, stderr := run(t, "generate", "--model", m, "--prompt", "cat", "--batch", "3", "--rank", "--rank-by", "prompt-gain", "--out", filepath.Join(t.TempDir(), "p.png")); code != 0 || !strings.Contains(stderr, "]  ranking 3 candidates by prompt gain: 3 scored \n") {
		t.Fatalf("ranking progress: exit %d: %q", code, stderr)
	}
	// --rank-by alone ranks
	code, stdout, stderr := run(t, "generate", "--model", m, "--prompt", "cat", "--batch", "2", "--rank-by", "likelihood", "--out", filepath.Join(t.TempDir(), "l.png"), "--quiet")
	if code != 0 || strings.Count(stdout, "mean log-likelihood") != 2 {
		t.Fatalf("--rank-by without --rank: exit %d: %s%s", code, stdout, stderr)
	}
	if code, _, stderr := run(t, "generate", "--model", m, "--prompt", "cat", "--rank", "--rank-by", "beauty", "--out", filepath.Join(t.TempDir(), "x.png")); code != 2 || !strings.Contains(stderr, "likelihood, prompt-gain or description") {
		t.Fatalf("--rank-by beauty: exit %d: %s", code, stderr)
	}
}

// eval-prompts on the built-in MNIST model: every digit asked for, each
// sample judged by its nearest test image; the model draws the digit
// asked for nearly always (99.5% measured on 8 seeds).
func TestEvalPromptsMNIST(t *testing.T) {
	code, stdout, stderr := run(t, "eval-prompts", "--model", "mnist", "--seeds", "2", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(stdout, `"rank_by"`) {
		t.Error("one candidate a seed, and the JSON names an order it was ranked by")
	}
	var out struct {
		Hits, Samples int
		Rate          float64
		Prompts       []promptResult
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	if out.Samples != 20 || len(out.Prompts) != 10 || out.Rate < 0.9 || out.Rate != float64(out.Hits)/20 {
		t.Fatalf("%d of %d samples (rate %g) over %d prompts", out.Hits, out.Samples, out.Rate, len(out.Prompts))
	}
	for _, p := range out.Prompts {
		if p.Seeds != 2 || len(p.Got) != 2 || len(p.NearCopy) != 2 || p.Pictures < 1 || p.Pictures > 2 {
			t.Fatalf("%+v", p)
		}
	}

	// each sample the first of 3 candidates, ranked as asked
	code, stdout, stderr = run(t, "eval-prompts", "--model", "mnist", "--seeds", "1", "--candidates", "3", "--rank-by", "prompt-gain", "--json")
	if code != 0 {
		t.Fatalf("--candidates 3: exit %d: %s", code, stderr)
	}
	var ranked struct {
		Samples    int
		Candidates int
		RankBy     string `json:"rank_by"`
		Prompts    []promptResult
	}
	if err := json.Unmarshal([]byte(stdout), &ranked); err != nil {
		t.Fatal(err)
	}
	if ranked.Samples != 10 || ranked.Candidates != 3 || ranked.RankBy != "prompt-gain" || len(ranked.Prompts[0].Got) != 1 {
		t.Fatalf("--candidates 3: %+v", ranked)
	}
	if code, _, stderr := run(t, "eval-prompts", "--model", "mnist", "--seeds", "100", "--candidates", "8"); code != 2 || !strings.Contains(stderr, "--candidates") {
		t.Fatalf("100 seeds × 8 candidates: exit %d: %s", code, stderr)
	}
}

// A model that recommends an order (config.json tessera.defaults.rank_by,
// as the shapes preset records description) has its batches ranked that
// way by generate --rank; --rank-by still says otherwise.
func TestGenerateRanksAsTheModelRecommends(t *testing.T) {
	b := bundletest.Tiny(9)
	b.Model.Config.Tessera.Defaults = &sampling.Recommended{RankBy: "description"}
	m := filepath.Join(t.TempDir(), "tiny")
	if err := b.Save(m, "F32"); err != nil {
		t.Fatal(err)
	}
	for by, want := range map[string]string{"": "description margin", "likelihood": "mean log-likelihood"} {
		args := []string{"generate", "--model", m, "--prompt", "cat", "--batch", "3", "--rank", "--out", filepath.Join(t.TempDir(), "r.png"), "--quiet"}
		if by != "" {
			args = append(args, "--rank-by", by)
		}
		code, stdout, stderr := run(t, args...)
		if code != 0 || strings.Count(stdout, want) != 3 || by != "" && strings.Contains(stdout, "description margin") {
			t.Fatalf("--rank-by %q: exit %d, want %q on each line: %s%s", by, code, want, stdout, stderr)
		}
	}
}

// A batch that cannot be ranked as asked (description or prompt gain with
// no prompt) is still written, ranked by likelihood, with a warning (by
// prompt gain, every image scored +0.0000 in seed order without a word).
func TestGenerateRankFallsBack(t *testing.T) {
	m := tinyModel(t)
	for _, by := range []string{"description", "prompt-gain"} {
		out := filepath.Join(t.TempDir(), "u.png")
		code, stdout, stderr := run(t, "generate", "--model", m, "--prompt", "", "--batch", "2", "--rank-by", by, "--out", out, "--quiet")
		if code != 0 || strings.Count(stdout, "mean log-likelihood") != 2 || strings.Contains(stdout, "gain") ||
			!strings.Contains(stderr, "could not rank the batch by "+by) || !strings.Contains(stderr, "ranked by likelihood instead") {
			t.Fatalf("--rank-by %s: exit %d: %s%s", by, code, stdout, stderr)
		}
		for _, p := range numberedOuts(out, 2, false) {
			if _, err := os.Stat(p); err != nil {
				t.Fatalf("--rank-by %s: the batch was not written: %v", by, err)
			}
		}
	}
}

// Ctrl-C while a batch is ranked keeps the batch: the images are saved,
// ranked by likelihood (which needs no scoring), and the run ends as
// interrupted saying so (it lost them all, with "context canceled").
func TestInterruptedRankingKeepsTheBatch(t *testing.T) {
	b := bundletest.Tiny(9)
	opt := sampler.Defaults()
	opt.Prompt, opt.Batch, opt.Seed = "cat", 3, 4
	res, err := sampler.Generate(context.Background(), b, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	ll := map[uint64]float64{}
	for _, im := range res.Images {
		ll[im.Seed] = im.MeanLogLik()
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := filepath.Join(t.TempDir(), "c.png")
	var stdout, stderr bytes.Buffer
	err = saveImages(ctx, Env{Stdout: &stdout, Stderr: &stderr}, b, opt, res.Images, saveOptions{out: out, rank: true, rankBy: sampler.RankDescription, quiet: true})
	if err == nil || !strings.Contains(err.Error(), "interrupted while ranking the batch by description: the 3 images are saved ranked by likelihood") {
		t.Fatalf("error %v", err)
	}
	prev := 1.0
	for i := range 3 {
		rec, _ := readRecord(t, numberedPath(out, i, 3))
		if ll[rec.Seed] > prev {
			t.Fatalf("image %d: mean log-likelihood %g after %g: not ranked by likelihood", i+1, ll[rec.Seed], prev)
		}
		prev = ll[rec.Seed]
	}
	if got := exitStatus(Env{Stderr: &stderr}, "generate", err, true); got != interruptedStatus || !strings.Contains(stderr.String(), "saved ranked by likelihood") {
		t.Fatalf("exit %d, %q", got, stderr.String())
	}
}

// A ranked branch lists its changes first, then the copies of its source
// (as the studio orders them), each group in its ranked order, scores
// alongside.
func TestChangesFirst(t *testing.T) {
	src := []int{1, 2, 3}
	images := []sampler.Image{{Tokens: []int{1, 2, 3}, Seed: 1}, {Tokens: []int{1, 2, 4}, Seed: 2}, {Tokens: []int{1, 2, 3}, Seed: 3}, {Tokens: []int{1, 5, 5}, Seed: 4}}
	got, scores := changesFirst(images, []float64{0.4, 0.3, 0.2, 0.1}, src)
	var seeds []uint64
	for _, im := range got {
		seeds = append(seeds, im.Seed)
	}
	if fmt.Sprint(seeds) != "[2 4 1 3]" || fmt.Sprint(scores) != "[0.3 0.1 0.4 0.2]" {
		t.Fatalf("seeds %v, scores %v", seeds, scores)
	}
	if got, scores := changesFirst(images[:2], nil, src); got[0].Seed != 2 || scores != nil {
		t.Fatalf("without scores: %v %v", got, scores)
	}
}

// eval-prompts --names on the MNIST model evaluates the digits the file
// lists, and refuses a line that is no digit (it read the file and
// evaluated all ten); its summary names digits, not the dataset.
func TestEvalPromptsMNISTNames(t *testing.T) {
	names := filepath.Join(t.TempDir(), "names.txt")
	if err := os.WriteFile(names, []byte("3\ndigit 7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "eval-prompts", "--model", "mnist", "--names", names, "--seeds", "1")
	if code != 0 || !strings.Contains(stdout, "digit 3 ") || !strings.Contains(stdout, "digit 7 ") || strings.Contains(stdout, "digit 0 ") || !strings.Contains(stdout, "of 2 samples") || !strings.Contains(stdout, "the prompted digit") {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	if err := os.WriteFile(names, []byte("rocket\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "eval-prompts", "--model", "mnist", "--names", names, "--seeds", "1"); code != 2 || !strings.Contains(stderr, `"rocket" is no digit`) {
		t.Errorf("a name that is no digit: exit %d: %s", code, stderr)
	}
}

// --seed -1 picks a seed in eval-prompts and sheet, as its help says, and
// says which (it drew seed 1); eval-prompts --json records the first seed.
func TestSeedMinusOnePicksOne(t *testing.T) {
	names := filepath.Join(t.TempDir(), "names.txt")
	if err := os.WriteFile(names, []byte("3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "eval-prompts", "--model", "mnist", "--names", names, "--seeds", "1", "--seed", "-1", "--json")
	var out struct {
		FirstSeed uint64 `json:"first_seed"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); code != 0 || err != nil {
		t.Fatalf("exit %d, %v: %s", code, err, stderr)
	}
	if want := fmt.Sprintf("note: --seed -1 picked seed %d", out.FirstSeed); !strings.Contains(stderr, want) || out.FirstSeed == 1 && strings.Contains(stderr, "picked seed 1\n") {
		t.Errorf("stderr %q, first seed %d", stderr, out.FirstSeed)
	}
	if _, _, stderr := run(t, "sheet", "--model", "mnist", "--prompt", "digit 3", "--seeds", "1", "--seed", "-1", "--out", filepath.Join(t.TempDir(), "s.png")); !strings.Contains(stderr, "note: --seed -1 picked seed") {
		t.Errorf("sheet --seed -1: %q", stderr)
	}
}

// generate says when the knob flags given changed nothing because guidance
// min-p left one code at every patch (--temperature 2, --top-k 1 and
// --negative red drew the defaults' picture without a word), and not when
// some patch had a choice.
func TestOneCodeNote(t *testing.T) {
	opt := sampler.Defaults()
	opt.GuidanceMinP = 0.5
	forced := []sampler.Image{{Count: 64}, {Count: 64, KeptCount: 10}}
	if n := oneCodeNote(forced, opt, []string{"--temperature", "--negative"}); !strings.HasPrefix(n, "--temperature and --negative change nothing here: at --guidance-min-p 0.5") {
		t.Errorf("note %q", n)
	}
	if n := oneCodeNote(forced, opt, nil); n != "" {
		t.Errorf("no knob given: %q", n)
	}
	if n := oneCodeNote([]sampler.Image{{Count: 64}, {Count: 64, Free: 1}}, opt, []string{"--top-k"}); n != "" {
		t.Errorf("a patch with a choice: %q", n)
	}
	opt.GuidanceMinP = 0
	if n := oneCodeNote(forced, opt, []string{"--top-k"}); n != "" {
		t.Errorf("no guidance min-p: %q", n)
	}
	// On a model: at a min-p that keeps only the likeliest code, said.
	model := tinyModel(t)
	out := filepath.Join(t.TempDir(), "x.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "cat", "--guidance", "2", "--guidance-min-p", "0.999999", "--temperature", "2", "--out", out, "--quiet"); code != 0 || !strings.Contains(stderr, "note: --temperature and --guidance change nothing here") {
		t.Errorf("exit %d: %q", code, stderr)
	}
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "cat", "--guidance", "2", "--guidance-min-p", "0", "--temperature", "2", "--out", out, "--quiet"); code != 0 || strings.Contains(stderr, "change nothing") {
		t.Errorf("without min-p: exit %d: %q", code, stderr)
	}
}

// A score that rounds to zero is written +0.0000 (a prompt gain a hair
// below zero read "prompt gain -0.0000 nats/token" in generate --rank and
// describe's gain column).
func TestSigned4WritesNoNegativeZero(t *testing.T) {
	for x, want := range map[float64]string{-0.00001: "+0.0000", math.Copysign(0, -1): "+0.0000", 0: "+0.0000", -0.00006: "-0.0001", 0.12344: "+0.1234", -1.5: "-1.5000"} {
		if got := signed4(x); got != want {
			t.Errorf("signed4(%g) = %q, want %q", x, got, want)
		}
	}
}
