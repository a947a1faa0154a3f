package app

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/sampling"
)

// TestAverageCommand: tessera average writes a model folder that loads and
// samples, in the sources' dtype, with a MODEL.md naming the command and
// quoting the first source's card; bad calls are usage errors.
func TestAverageCommand(t *testing.T) {
	a := tinyModel(t)
	if err := os.WriteFile(filepath.Join(a, "MODEL.md"), []byte("# Model tiny\n\nstep 100\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tiny := bundletest.Tiny(9)
	moved := bundletest.Tiny(10)
	b2, err := bundle.FromParts("tiny", "test:tiny", moved.Model, tiny.Codebook)
	if err != nil {
		t.Fatal(err)
	}
	b := filepath.Join(t.TempDir(), "tiny-later")
	if err := b2.Save(b, "F32"); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "soup")
	code, stdout, stderr := run(t, "average", "--out", out, "--dtype", "f32", a, b) // the case --precision is written in
	if code != 0 || !strings.Contains(stdout, "the mean of 2 models' weights") || !strings.Contains(stdout, "F32") {
		t.Fatalf("average: exit %d, %s%s", code, stdout, stderr)
	}
	card, err := os.ReadFile(filepath.Join(out, "MODEL.md"))
	if head, _, _ := strings.Cut(string(card), "\n"); head == "# Model " || !strings.HasPrefix(head, "# Model ") {
		t.Errorf("MODEL.md's heading %q names no model", head)
	}
	if err != nil || !strings.Contains(string(card), "tessera average --out") || !strings.Contains(string(card), "\n### Model tiny") {
		t.Errorf("MODEL.md: %v\n%s", err, card)
	}
	if _, err := bundle.Load(out, model.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "generate", "--model", out, "--prompt", "red cat", "--seed", "1", "--out", filepath.Join(t.TempDir(), "x.png"), "--quiet"); code != 0 {
		t.Fatalf("generate on the average: %s", stderr)
	}
	empty := t.TempDir()
	runDir := t.TempDir() // a run folder, its model inside
	if err := os.Symlink(a, filepath.Join(runDir, "model")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"average", a, b}, "--out DIR is required"},
		{[]string{"average", "--out", filepath.Join(t.TempDir(), "new"), a, "emoji"}, "emoji is a built-in model, not a folder"},
		// A run folder stands for its model: here the first model again.
		{[]string{"average", "--out", filepath.Join(t.TempDir(), "new"), a, runDir}, "is given twice"},
		{[]string{"average", "--force", "--out", runDir, runDir, b}, "is one of the models averaged"},
		{[]string{"average", "--force", "--out", filepath.Join(runDir, "model"), runDir, b}, "is one of the models averaged"},
		{[]string{"average", "--out", out, a}, "at least two"},
		{[]string{"average", "--out", out, "--dtype", "F8", a, b}, "--dtype"},
		{[]string{"average", "--out", filepath.Join(t.TempDir(), "new"), a, tinyEditModel(t)}, "differ in config.json"},
		// A folder without weights first or later is named as no model
		// folder, the command's name said once.
		{[]string{"average", "--out", filepath.Join(t.TempDir(), "new"), empty, a}, "tessera average: " + empty + " is not a model folder: it has no model.safetensors"},
		{[]string{"average", "--out", filepath.Join(t.TempDir(), "new"), a, empty}, "tessera average: load " + empty + ": "},
		{[]string{"average", "--out", filepath.Join(t.TempDir(), "new"), filepath.Join(empty, "gone"), a}, "tessera average: load " + filepath.Join(empty, "gone") + ": no such model folder"},
		// A folder with files is not replaced without --force, and an input never.
		{[]string{"average", "--out", out, a, b}, "pass --force"},
		{[]string{"average", "--out", a, "--force", a, b}, "is one of the models averaged"},
		{[]string{"average", "--out", a + "/.", a, b}, "one of the models averaged"},
		{[]string{"average", "--out", filepath.Join(t.TempDir(), "new"), a, b, a + "/."}, "is given twice"},
		{[]string{"average", "--out", filepath.Join(a, "MODEL.md"), a, b}, "is a file: a model is written as a folder"},
		{[]string{"random-model", "--shape", "small", "--out", filepath.Join(a, "MODEL.md")}, "is a file: a model is written as a folder"},
	} {
		if code, _, stderr := run(t, c.args...); code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %s; want an error with %q", c.args, code, stderr, c.want)
		}
	}
	if code, _, stderr := run(t, "average", "--force", "--out", out, a, b); code != 0 {
		t.Errorf("average --force over an earlier average: exit %d, %s", code, stderr)
	}
	// Models whose config names none (OpenAI's checkpoints, random
	// models): the card's heading names the folder written.
	hf := filepath.Join(t.TempDir(), "hf")
	if err := os.CopyFS(hf, os.DirFS("../testdata/imagegpt/vector2")); err != nil {
		t.Fatal(err)
	}
	soup := filepath.Join(t.TempDir(), "hf-soup")
	if code, _, stderr := run(t, "average", "--out", soup, "../testdata/imagegpt/vector2", hf); code != 0 {
		t.Fatalf("average of two unnamed models: exit %d, %s", code, stderr)
	}
	if card, err := os.ReadFile(filepath.Join(soup, "MODEL.md")); err != nil || !strings.HasPrefix(string(card), "# Model hf-soup\n") {
		t.Errorf("MODEL.md of unnamed models: %v\n%.80s", err, card)
	}
}

// TestEvalPromptsNamesFile: a --names file that is missing or lists no
// names fails before any sampling or data loading.
func TestEvalPromptsNamesFile(t *testing.T) {
	dir := tinyModel(t)
	empty := filepath.Join(t.TempDir(), "names.txt")
	if err := os.WriteFile(empty, []byte("# nothing but a comment\n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ file, want string }{{filepath.Join(t.TempDir(), "none.txt"), "there is no file"}, {empty, "lists no names"}} {
		if code, _, stderr := run(t, "eval-prompts", "--model", dir, "--data", "emoji", "--names", c.file); code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("--names %s: exit %d, %s; want %q", c.file, code, stderr, c.want)
		}
	}
	names, err := readNameList(writeTemp(t, "# list\ncat face\n\n  red apple  \n"))
	if err != nil || len(names) != 2 || names[0] != "cat face" || names[1] != "red apple" {
		t.Errorf("readNameList: %q, %v", names, err)
	}
}

// writeTemp writes text to a new file and returns its path.
func writeTemp(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f.txt")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// convert writes a model in another dtype: the weights of the F32 reference
// checkpoint in BF16 score an image within BF16's rounding of the
// original, in F32 again exactly as the BF16 copy; it never writes over
// the model converted or another model without --force.
func TestConvertChangesTheDType(t *testing.T) {
	src := "../testdata/imagegpt/vector1"
	img := filepath.Join(t.TempDir(), "x.png")
	if code, _, stderr := run(t, "generate", "--model", src, "--seed", "3", "--out", img, "--quiet"); code != 0 {
		t.Fatalf("generate: %s", stderr)
	}
	nll := func(model string) float64 {
		t.Helper()
		code, stdout, stderr := run(t, "score", "--model", model, "--json", img)
		var got struct {
			NLL float64 `json:"nll_nats"`
		}
		if err := json.Unmarshal([]byte(stdout), &got); code != 0 || err != nil {
			t.Fatalf("score --model %s: exit %d, %v, %s", model, code, err, stderr)
		}
		return got.NLL
	}
	bf16 := filepath.Join(t.TempDir(), "bf16")
	if code, _, stderr := run(t, "convert", "--dtype", "bf16", "--out", bf16, src); code != 0 {
		t.Fatalf("convert: exit %d, %s", code, stderr)
	}
	if dt, err := weightsDType(bf16); err != nil || dt != "BF16" {
		t.Fatalf("dtype %q, %v", dt, err)
	}
	if code, stdout, _ := run(t, "info", "--model", bf16); code != 0 || !strings.Contains(stdout, "weights     BF16 in model.safetensors") {
		t.Errorf("info does not say the dtype: %q", stdout)
	}
	f32 := filepath.Join(t.TempDir(), "f32")
	if code, _, stderr := run(t, "convert", "--dtype", "F32", "--out", f32, bf16); code != 0 {
		t.Fatalf("convert back: exit %d, %s", code, stderr)
	}
	a, b, c := nll(src), nll(bf16), nll(f32)
	if a <= 0 || math.Abs(a-b) > 0.01*a || b != c {
		t.Errorf("NLL %g (F32), %g (BF16), %g (BF16 as F32)", a, b, c)
	}
	if card, err := os.ReadFile(filepath.Join(bf16, "MODEL.md")); err != nil || !strings.Contains(string(card), "in BF16, written by Tessera") {
		t.Errorf("model card: %v, %.120s", err, card)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--dtype", "F16", "--out", bf16, bf16}, "is the model converted"},
		{[]string{"--dtype", "F16", "--out", f32, bf16}, "holds 4 files already"},
		{[]string{"--dtype", "F8", "--out", t.TempDir(), bf16}, "use F32, F16 or BF16"},
		{[]string{"--dtype", "F16", "--out", t.TempDir()}, "give one model to convert"},
		{[]string{"--out", t.TempDir(), bf16}, "--dtype is required"},
	} {
		if code, _, stderr := run(t, append([]string{"convert"}, c.args...)...); code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("convert %v: exit %d, %q", c.args, code, stderr)
		}
	}
}

// Two exports of one run, one recording --default-guidance 2, are averaged
// (they were refused as differing in config.json), with a note that the
// average records the first's sampling defaults.
func TestAverageTakesOtherSamplingDefaults(t *testing.T) {
	a := tinyModel(t)
	moved := bundletest.Tiny(10)
	moved.Model.Config.Tessera.Defaults = &sampling.Recommended{Guidance: 2}
	guided, err := bundle.FromParts("tiny", "test:tiny", moved.Model, bundletest.Tiny(9).Codebook)
	if err != nil {
		t.Fatal(err)
	}
	b := filepath.Join(t.TempDir(), "tiny-guided")
	if err := guided.Save(b, "F32"); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "soup")
	code, _, stderr := run(t, "average", "--out", out, a, b)
	if code != 0 || !strings.Contains(stderr, "note: "+b+" records other sampling defaults than "+a) {
		t.Fatalf("average: exit %d, %s", code, stderr)
	}
	avg, err := bundle.Load(out, model.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := avg.Model.Config.Recommended(); got.Guidance == 2 {
		t.Errorf("the average records the second's defaults %+v", got)
	}
}

// average says whether the models are checkpoints of one run, by the run
// folder their model cards say they were trained in: two runs' models
// (of one architecture and tokenizer) get a note naming each one's run
// and a card that says so, where it said "checkpoints of one run" of any
// two; a run's export and its model are one run's.
func TestAverageSaysWhetherTheModelsAreOneRuns(t *testing.T) {
	tiny, moved := bundletest.Tiny(9), bundletest.Tiny(10)
	later, err := bundle.FromParts("tiny", "test:tiny", moved.Model, tiny.Codebook)
	if err != nil {
		t.Fatal(err)
	}
	model := func(b *bundle.Bundle, card string) string {
		dir := filepath.Join(t.TempDir(), "m")
		if err := b.Save(dir, "F32"); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "MODEL.md"), []byte("# Model tiny\n\nMade by Tessera 0.1.0 with:\n\n    "+card+"\n\n- Data: test\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	a := model(tiny, "tessera train --data ./pics --out 'my runs/a' --steps 1")
	d := model(later, "tessera train --data ./pics --out runs/d --steps 1")
	export := model(later, "tessera train --data ./pics --out 'my runs/a' --steps 2\n\nand exported with:\n\n    tessera train --out 'my runs/a/' --export-final x")
	out := filepath.Join(t.TempDir(), "soup")
	code, _, stderr := run(t, "average", "--out", out, a, d)
	card, _ := os.ReadFile(filepath.Join(out, "MODEL.md"))
	if code != 0 || !strings.Contains(stderr, "note: the 2 models are not checkpoints of one run (trained: "+a+" in my runs/a, "+d+" in runs/d)") ||
		!strings.Contains(string(card), "The mean of the weights of 2 models of one architecture and tokenizer from the different runs my runs/a, runs/d (") {
		t.Errorf("two runs' models: exit %d, %q; card:\n%s", code, stderr, card)
	}
	code, _, stderr = run(t, "average", "--force", "--out", out, a, export)
	card, _ = os.ReadFile(filepath.Join(out, "MODEL.md"))
	if code != 0 || strings.Contains(stderr, "note:") || !strings.Contains(string(card), "The mean of the weights of 2 checkpoints of one run, my runs/a (") {
		t.Errorf("a run's model and export: exit %d, %q; card:\n%s", code, stderr, card)
	}
}

// A card is quoted two levels down, its deepest headings kept headings
// (Markdown has six levels: a seventh "#" made one text).
func TestDemoteHeadings(t *testing.T) {
	got := demoteHeadings("# Title\ntext #1\n##### Deep\n###### Deepest")
	if want := "### Title\ntext #1\n###### Deep\n###### Deepest"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
