package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/sampler"
)

func describeJSON(t *testing.T, args ...string) (describeOutput, string) {
	t.Helper()
	code, stdout, stderr := run(t, append([]string{"describe", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("describe %q: exit %d: %s", args, code, stderr)
	}
	var out describeOutput
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("describe --json: %v in %q", err, stdout)
	}
	return out, stderr
}

func TestDescribeRanksByLikelihood(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // no emoji names: the vocabulary default
	model := tinyModel(t)
	img := filepath.Join(t.TempDir(), "img.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat google", "--seed", "3", "--out", img, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	rec, _ := readRecord(t, img)
	b := bundletest.Tiny(9)
	cands := sampler.NamesAndStyles(b, sampler.VocabularyPrompts(b))
	best, bestNLL := "", math.Inf(1)
	for _, p := range cands {
		s, err := sampler.ScoreTokens(context.Background(), b, p, rec.Tokens, 1)
		if err != nil {
			t.Fatal(err)
		}
		if s.NLL < bestNLL {
			best, bestNLL = p, s.NLL
		}
	}
	var posteriors [2][]float64
	for k, all := range []bool{false, true} {
		args := []string{"--model", model, "--top", "3", img}
		if all {
			args = append(args, "--all")
		}
		out, _ := describeJSON(t, args...)
		if out.Candidates != len(cands) || !strings.Contains(out.CandidateSource, "vocabulary") || out.TokenSource != "metadata" || out.Tokens != 16 {
			t.Fatalf("%+v", out)
		}
		if out.ScoredInFull+out.RuledOut != out.Candidates || all && out.RuledOut != 0 {
			t.Errorf("all=%v: %d scored + %d ruled out of %d", all, out.ScoredInFull, out.RuledOut, out.Candidates)
		}
		if len(out.Top) != 3 || out.Top[0].Prompt != best || math.Abs(out.Top[0].NLLNats-bestNLL) > 1e-9 {
			t.Fatalf("all=%v: top %+v, want %q at %g nats", all, out.Top, best, bestNLL)
		}
		for i, e := range out.Top {
			if e.Rank != i+1 || i > 0 && e.BitsPerToken < out.Top[i-1].BitsPerToken ||
				math.Abs(e.BitsPerToken-e.NLLNats/16/math.Ln2) > 1e-9 || math.Abs(e.GainBits-(out.Uncond-e.BitsPerToken)) > 1e-9 {
				t.Fatalf("entry %d: %+v", i, e)
			}
		}
		if math.Abs(out.MarginBits-(out.Top[1].BitsPerToken-out.Top[0].BitsPerToken)) > 1e-9 || out.MarginBits < 0 {
			t.Errorf("margin %g bits, top two %g and %g", out.MarginBits, out.Top[0].BitsPerToken, out.Top[1].BitsPerToken)
		}
		if p := out.Top[0].Posterior; p <= out.Top[1].Posterior || p > 1 {
			t.Errorf("posteriors %g, %g", p, out.Top[1].Posterior)
		}
		for _, e := range out.Top {
			posteriors[k] = append(posteriors[k], e.Posterior)
		}
		drawn := math.NaN()
		if out.DrawnBits != nil {
			drawn = *out.DrawnBits
		}
		if out.Unexplained != sampler.UnexplainedBeside(out.Top[0].BitsPerToken, out.Uncond, drawn, b.Codes(), out.Tokens) ||
			(out.DrawnBits != nil) != sampler.NeedsDrawnBits(out.Top[0].BitsPerToken, out.Uncond, b.Codes(), out.Tokens) {
			t.Errorf("unexplained %v, best %g bits, no prompt %g", out.Unexplained, out.Top[0].BitsPerToken, out.Uncond)
		}
	}
	// Ruling prompts out early changes no probability.
	for i := range posteriors[0] {
		if math.Abs(posteriors[0][i]-posteriors[1][i]) > 1e-6 {
			t.Errorf("posteriors %v, with --all %v", posteriors[0], posteriors[1])
		}
	}

	// Text output (and a CPU profile of the run, for go tool pprof).
	prof := filepath.Join(t.TempDir(), "d.prof")
	code, stdout, stderr := run(t, "describe", "--model", model, "--cpuprofile", prof, img)
	if code != 0 || !strings.Contains(stdout, "margin: "+`"`+best+`"`) || strings.Count(stdout, "bits/token  ") != 5 {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if fi, err := os.Stat(prof); err != nil || fi.Size() == 0 {
		t.Errorf("--cpuprofile wrote no profile: %v", err)
	}
	// A rerun replaces its own profile; a typo never turns the picture
	// described, or any other file, into one.
	if code, _, stderr := run(t, "describe", "--model", model, "--quiet", "--top", "1", "--cpuprofile", prof, img); code != 0 {
		t.Errorf("a second profile to the same file: exit %d, %s", code, stderr)
	}
	notes := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notes, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	picture, _ := os.ReadFile(img)
	for path, kept := range map[string][]byte{img: picture, notes: []byte("mine")} {
		code, _, stderr := run(t, "describe", "--model", model, "--cpuprofile", path, img)
		if was, _ := os.ReadFile(path); code == 0 || !bytes.Equal(was, kept) {
			t.Errorf("--cpuprofile %s: exit %d (%s), the file is %d bytes now", path, code, stderr, len(was))
		}
	}
	// Each line gives its bits per token and their gain over no prompt's,
	// with the JSON's sign (gain_bits_per_token: above zero is likelier
	// than no prompt; the text had the opposite sign).
	text, _ := describeJSON(t, "--model", model, img)
	lines := 0
	for _, line := range strings.Split(stdout, "\n") {
		var rank int
		var bits, gain float64
		if n, _ := fmt.Sscanf(line, "%d %f bits/token gain %f over no prompt", &rank, &bits, &gain); n != 3 {
			continue
		}
		if e := text.Top[rank-1]; math.Abs(gain-e.GainBits) > 2e-4 || math.Abs(gain-(text.Uncond-bits)) > 2e-4 {
			t.Errorf("line %q: gain %+.4f over no prompt, the JSON's %+.4f", line, gain, e.GainBits)
		}
		lines++
	}
	if lines != 5 {
		t.Errorf("%d ranked lines in %q", lines, stdout)
	}

	// A prompt file: comments, blanks and repeats skipped, unknown words left out.
	file := filepath.Join(t.TempDir(), "prompts.txt")
	if err := os.WriteFile(file, []byte("# candidates\n\nblue dog twitter\nred cat google\nzebra cat\nred cat google\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr := describeJSON(t, "--model", model, "--prompts", file, img)
	if out.Candidates != 2 || out.SkippedUnknown != 1 || out.CandidateSource != file || len(out.Top) != 2 || !strings.Contains(stderr, "zebra cat") {
		t.Errorf("prompt file: %+v; stderr %q", out, stderr)
	}
	// A long unknown line is quoted cut short: the warning stays one
	// readable line (a binary file read as text filled it with kilobytes).
	long := strings.Repeat("zebra ", 200)
	if err := os.WriteFile(file, []byte("red cat google\n"+long+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr := describeJSON(t, "--model", model, "--prompts", file, img); !strings.Contains(stderr, `(e.g. "zebra zebra`) || strings.Contains(stderr, long[:200]) || len(stderr) > 400 {
		t.Errorf("a long unknown prompt's warning (%d bytes): %q", len(stderr), stderr)
	}
}

func TestDescribeShapesCandidates(t *testing.T) {
	// A model whose vocabulary holds the shapes words is offered the 288 captions.
	b := bundletest.Tiny(1)
	var captions []string
	for _, c := range data.ShapesCaptions() {
		captions = append(captions, c.String())
	}
	got, _, err := describeCandidates(context.Background(), b, "", nil)
	if err != nil || len(got.Prompts) == len(captions) || strings.Contains(got.Source, "shapes") {
		t.Fatalf("tiny model: %d candidates from %q (%v)", len(got.Prompts), got.Source, err)
	}
	sb := shapesBundle(t)
	got, _, err = describeCandidates(context.Background(), sb, "", nil)
	if err != nil || len(got.Prompts) != len(captions) || got.Prompts[0] != captions[0] || !strings.Contains(got.Source, "shapes") {
		t.Fatalf("shapes model: %d candidates from %q (%v)", len(got.Prompts), got.Source, err)
	}
}

func TestDescribeErrors(t *testing.T) {
	model := tinyModel(t)
	img := filepath.Join(t.TempDir(), "img.png")
	writePNG(t, img, 8, 8)
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"describe", "--model", model}, 2, "give one or more images"},
		{[]string{"describe", "--model", model, img, filepath.Join(t.TempDir(), "gone.png")}, 1, "1 of 2 images could not be described"},
		{[]string{"describe", "--model", model, "--top", "0", "a.png"}, 2, "--top"},
		{[]string{"describe", "--model", model, filepath.Join(t.TempDir(), "missing.png")}, 1, "missing.png"},
		{[]string{"describe", "--model", model, "--prompts", filepath.Join(t.TempDir(), "none.txt"), img}, 1, "prompts: there is no file "},
	} {
		code, _, stderr := run(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.msg) {
			t.Errorf("%q: exit %d, stderr %q; want %d with %q", c.args, code, stderr, c.code, c.msg)
		}
	}
}

// Several images are described one after the other, a JSON line each, as
// score describes them; one that cannot be read is a JSON error line and
// the rest go on (describe took one image only).
func TestDescribeSeveralImages(t *testing.T) {
	model := tinyModel(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.png"), filepath.Join(dir, "b.png")
	writePNG(t, a, 8, 8)
	writePNG(t, b, 16, 16)
	code, stdout, stderr := run(t, "describe", "--model", model, "--json", "--top", "2", a, filepath.Join(dir, "gone.png"), b)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != 1 || len(lines) != 3 {
		t.Fatalf("exit %d, %d lines: %s %s", code, len(lines), stdout, stderr)
	}
	for i, want := range []string{a, filepath.Join(dir, "gone.png"), b} {
		var got map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &got); err != nil || got["image"] != want {
			t.Fatalf("line %d: %q (%v), want image %s", i+1, lines[i], err, want)
		}
		if _, isErr := got["error"]; isErr != (i == 1) {
			t.Errorf("line %d: %q", i+1, lines[i])
		}
	}
	// One image that cannot be read gets its JSON line too (there was
	// none, as for no other command).
	cut := filepath.Join(dir, "cut.png")
	full, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cut, full[:len(full)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = run(t, "describe", "--model", model, "--json", cut)
	var got map[string]any
	if err := json.Unmarshal([]byte(stdout), &got); code != 1 || err != nil || got["image"] != cut || got["error"] == nil {
		t.Errorf("one unreadable image: exit %d, stdout %q (%v), stderr %q", code, stdout, err, stderr)
	}
}

// An image no prompt explains (noise, for the tiny model) is said to be
// unlike what the model draws: in the JSON, and on stderr beside the text
// (stdout keeps the ranking alone), in words, without the name of the
// code's constant (it said "sampler.ExplainNats").
func TestDescribeSaysUnexplained(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	model := tinyModel(t)
	noise := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	r := rand.New(rand.NewPCG(3, 4))
	for i := range noise.Pix {
		noise.Pix[i] = uint8(r.IntN(256))
		if i%4 == 3 {
			noise.Pix[i] = 255
		}
	}
	path := filepath.Join(t.TempDir(), "noise.png")
	writeImage(t, path, noise)
	out, _ := describeJSON(t, "--model", model, path)
	if !out.Unexplained {
		t.Fatalf("noise explained: best %g bits, none %g", out.Top[0].BitsPerToken, out.Uncond)
	}
	code, stdout, stderr := run(t, "describe", "--model", model, path)
	if code != 0 || !strings.Contains(stderr, "note: "+path+" is unlike what model") || strings.Contains(stdout, "note:") || strings.Contains(stderr, "sampler.") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	// Against a list of the user's, noise that costs more than a uniform
	// guess is still unlike the model's pictures; a picture of the model's
	// own that no prompt of the list explains says the list may be wanting.
	list := filepath.Join(t.TempDir(), "prompts.txt")
	if err := os.WriteFile(list, []byte("blue dog\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = run(t, "describe", "--model", model, "--prompts", list, path)
	if code != 0 || !strings.Contains(stderr, "note: "+path+" is unlike what model") {
		t.Errorf("noise with --prompts: exit %d, stderr %q", code, stderr)
	}
	own := filepath.Join(t.TempDir(), "own.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat", "--temperature", "0", "--out", own, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	code, _, stderr = run(t, "describe", "--model", model, "--prompts", list, own)
	if code != 0 || !strings.Contains(stderr, "note: none of the prompts of "+list+" explains "+own+" better than no prompt") || strings.Contains(stderr, "unlike what model") || strings.Contains(stderr, "sampler.") {
		t.Errorf("the model's own picture against a list without its prompt: exit %d, stderr %q", code, stderr)
	}
}

// Ctrl-C is said plainly, with how many images were described (it said
// "describe a.png: context canceled").
func TestDescribeInterrupted(t *testing.T) {
	model := tinyModel(t)
	a := filepath.Join(t.TempDir(), "a.png")
	writePNG(t, a, 8, 8)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	err := runDescribe(ctx, Env{Stdout: &stdout, Stderr: &stderr}, []string{"--model", model, a, a})
	if err == nil || err.Error() != "interrupted before an image was described" {
		t.Fatalf("%v", err)
	}
	if err := describeInterrupted(1, 3); err.Error() != "interrupted: 1 of 3 images described (their rankings are above)" {
		t.Fatalf("%v", err)
	}
}

// A two-stage ranking lists as many names as --top asks for: the default
// shortlist widens to --top (a top 20 listed 16), and a --shortlist given
// below it says on stderr that it caps the list and what lists it all (a
// --shortlist 1 --top 3 listed one prompt and no margin without a word).
func TestDescribeShortlistFillsOrCapsTheTop(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	model := tinyModel(t)
	// 20 names, more than the default shortlist of 16: the words alone
	// and every pair of them.
	words := []string{"cat", "dog", "red", "blue"}
	names := slices.Clone(words)
	for _, a := range words {
		for _, b := range words {
			names = append(names, a+" "+b)
		}
	}
	if err := os.WriteFile(filepath.Join(model, bundle.NamesFile), []byte(strings.Join(names, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(t.TempDir(), "img.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat google", "--seed", "3", "--out", img, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	out, stderr := describeJSON(t, "--model", model, "--top", "20", img)
	if !strings.Contains(out.CandidateSource, "20 names") || len(out.Top) != 20 || strings.Contains(stderr, "--shortlist") {
		t.Errorf("--top 20: %s: %d listed; stderr %q", out.CandidateSource, len(out.Top), stderr)
	}
	code, stdout, stderr := run(t, "describe", "--model", model, "--quiet", "--shortlist", "1", "--top", "3", img)
	if code != 0 || !strings.Contains(stderr, "note: --shortlist 1 ") || !strings.Contains(stderr, "lists 1 prompt of the 3") ||
		!strings.Contains(stderr, "no margin") || !strings.Contains(stderr, "--shortlist 3 (or more)") {
		t.Errorf("--shortlist 1 --top 3: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	_, stderr = describeJSON(t, "--model", model, "--shortlist", "2", "--top", "5", img)
	if !strings.Contains(stderr, "lists 2 prompts of the 5") || strings.Contains(stderr, "no margin") {
		t.Errorf("--shortlist 2 --top 5: stderr %q", stderr)
	}
	// A shortlist as long as the list says nothing.
	if _, stderr := describeJSON(t, "--model", model, "--shortlist", "3", "--top", "3", img); strings.Contains(stderr, "note:") {
		t.Errorf("--shortlist 3 --top 3: stderr %q", stderr)
	}
}

// A model's names.txt whose names use words the model does not know is
// said to be left out, with its path, how many names and why, before
// describe falls back to other candidates (it fell back to the
// vocabulary's prompts without a word); a file some of whose names are
// unusable says how many were left out.
func TestDescribeSaysUnusableNames(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	model := tinyModel(t)
	img := filepath.Join(t.TempDir(), "img.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat", "--seed", "3", "--out", img, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	names := filepath.Join(model, bundle.NamesFile)
	if err := os.WriteFile(names, []byte("zebra face\nokapi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr := describeJSON(t, "--model", model, img)
	want := fmt.Sprintf(`warning: none of the 2 names in %s can be a candidate prompt: each has words model tiny does not know (e.g. "zebra face": "zebra", "face"); describe ranks %s instead`, names, out.CandidateSource)
	if !strings.Contains(out.CandidateSource, "vocabulary words") || !strings.Contains(stderr, want) {
		t.Errorf("no usable name: candidates %q, stderr %q", out.CandidateSource, stderr)
	}
	if err := os.WriteFile(names, []byte("red cat\nzebra face\ndog\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr = describeJSON(t, "--model", model, img)
	want = fmt.Sprintf(`warning: left out 1 of the 3 names in %s, with words model tiny does not know (e.g. "zebra face": "zebra", "face")`, names)
	if !strings.Contains(out.CandidateSource, "the model's 2 names") || !strings.Contains(stderr, want) {
		t.Errorf("one unusable name: candidates %q, stderr %q", out.CandidateSource, stderr)
	}
	if err := os.WriteFile(names, []byte("red cat\ndog\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr = describeJSON(t, "--model", model, img); strings.Contains(stderr, "names in") {
		t.Errorf("every name usable: stderr %q", stderr)
	}
}

// describe --prompts ranks once the lines the model reads as the same
// words ("RED CAT" and "red cat" were both listed, with one score),
// keeping the first spelling, and its warning counts the file's lines as
// they are written (it said "1 of 4 candidate prompts" of 5 lines).
func TestDescribePromptsMergesTheSameWords(t *testing.T) {
	model := tinyModel(t)
	img := filepath.Join(t.TempDir(), "img.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat", "--seed", "3", "--out", img, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	list := filepath.Join(t.TempDir(), "prompts.txt")
	if err := os.WriteFile(list, []byte("RED CAT\nred  cat\ndog\nzebra\ndog\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr := describeJSON(t, "--model", model, "--prompts", list, "--top", "10", img)
	var listed []string
	for _, e := range out.Top {
		listed = append(listed, e.Prompt)
	}
	slices.Sort(listed)
	if out.Candidates != 2 || !slices.Equal(listed, []string{"RED CAT", "dog"}) {
		t.Errorf("%d candidates, listed %q", out.Candidates, listed)
	}
	if !strings.Contains(stderr, "left out 1 of 5 candidate prompts of "+list) {
		t.Errorf("stderr %q", stderr)
	}
}

// TestDescribeTypedDigitIsLikeTheModels: a 7 set in a font (ImageMagick's
// default, 24 pt, white on black: testdata/typed-7.png) is hardly likelier
// under "digit 7" than under no prompt, yet no dearer than the MNIST
// model's own sevens: describe ranks it a 7 and no longer calls it unlike
// what the model draws.
func TestDescribeTypedDigitIsLikeTheModels(t *testing.T) {
	code, stdout, stderr := run(t, "describe", "--model", "mnist", "--top", "2", "--json", filepath.Join("testdata", "typed-7.png"))
	var out describeOutput
	if err := json.Unmarshal([]byte(stdout), &out); code != 0 || err != nil {
		t.Fatalf("exit %d, %v: %s", code, err, stderr)
	}
	if len(out.Top) == 0 || out.Top[0].Prompt != "digit 7" || out.Unexplained || out.DrawnBits == nil || out.Top[0].BitsPerToken > *out.DrawnBits {
		t.Errorf("typed 7: %+v (drawn %v)", out, out.DrawnBits)
	}
	if code, _, stderr := run(t, "describe", "--model", "mnist", "--top", "2", filepath.Join("testdata", "typed-7.png")); code != 0 || !strings.Contains(stderr, "like what the model draws") || strings.Contains(stderr, "unlike") {
		t.Errorf("typed 7, text: exit %d, %q", code, stderr)
	}
}
