package app

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/edit"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/internal/imagetest"
)

// TestOutputsNeverOverwriteInputs: a command whose output file would be one
// of its inputs (the --map of the scored image, a reconstruction over the
// image tokenized, an edit candidate PATH-1.png that is the source, a
// branch over its --from) refuses before any work, and the input is intact.
func TestOutputsNeverOverwriteInputs(t *testing.T) {
	model, editModel := tinyModel(t), tinyEditModel(t)
	dir := t.TempDir()
	src := solidPNG(t, dir, "x-1.png", 8)
	before, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	same := filepath.Join(dir, ".", "x-1.png") // another spelling of the same path
	for _, args := range [][]string{
		{"score", "--model", model, "--map", same, src},
		{"tokenize", "--model", model, "--out", src, src},
		{"tokenize", "--model", model, "--out", filepath.Join(dir, "x.png"), src, src}, // x-1.png is the first reconstruction
		{"edit", "--model", editModel, "--from", src, "--instruction", "mirror it", "--candidates", "2", "--out", filepath.Join(dir, "x.png")},
		{"branch", "--model", model, "--from", src, "--at", "2", "--batch", "2", "--out", filepath.Join(dir, "x.png")},
		{"extend", "--model", model, "--from", src, "--rows", "1", "--out", same},
	} {
		code, _, stderr := run(t, args...)
		if code != 2 || !strings.Contains(stderr, "over the input") {
			t.Errorf("%s: exit %d, stderr %q; want a refusal", strings.Join(args[:1], " "), code, stderr)
		}
		if after, err := os.ReadFile(src); err != nil || !bytes.Equal(after, before) {
			t.Fatalf("%s changed the input %s: %v", args[0], src, err)
		}
	}
	// Another output name works.
	if code, _, stderr := run(t, "score", "--model", model, "--map", filepath.Join(dir, "map.png"), src); code != 0 {
		t.Fatalf("score --map elsewhere: exit %d: %s", code, stderr)
	}
}

// TestListFilesReadAsPeopleWriteThem: a prompts file with a byte-order
// mark and CRLF line breaks gives its first prompt whole, and an empty one
// is named as empty.
func TestListFilesReadAsPeopleWriteThem(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "prompts.txt")
	if err := os.WriteFile(path, []byte("\xef\xbb\xbfred cat\r\n# note\r\nblue dog\r\nred cat\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := readPromptLines(path, nil)
	if err != nil || strings.Join(got, "|") != "red cat|blue dog" {
		t.Fatalf("readPromptLines: %q, %v", got, err)
	}
	// Windows-1252 (not UTF-8) is read as such, with a warning.
	if err := os.WriteFile(path, []byte("caf\xe9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var warn bytes.Buffer
	if got, err := readPromptLines(path, &warn); err != nil || len(got) != 1 || got[0] != "café" || !strings.Contains(warn.String(), "Windows-1252") {
		t.Fatalf("Windows-1252: %q, %v, warning %q", got, err, warn.String())
	}
	if err := os.WriteFile(path, []byte("\n# only a comment\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	model := tinyModel(t)
	code, _, stderr := run(t, "sheet", "--model", model, "--prompts", path, "--out", filepath.Join(dir, "s.png"), "--cell", "16")
	if code == 0 || !strings.Contains(stderr, "holds no prompts") {
		t.Fatalf("sheet of an empty prompts file: exit %d, %q", code, stderr)
	}
	if _, err := readPromptLines(dir, nil); err == nil || !strings.Contains(err.Error(), "is a folder") {
		t.Fatalf("a folder as a prompts file: %v", err)
	}
	// An image given for the list is named as such (its bytes were read
	// as Windows-1252 and drawn as a prompt).
	pic := filepath.Join(dir, "pic.png")
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pic, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readPromptLines(pic, nil); err == nil || !strings.Contains(err.Error(), "is a file of type image/png, not a text file") {
		t.Fatalf("an image as a prompts file: %v", err)
	}
}

// A sheet of an unconditional model (an OpenAI checkpoint) is one row of
// samples without a prompt, labelled so: it needed a prompt, which it then
// ignored and labelled the row by. generate records no prompt it ignored.
func TestSheetAndGenerateOfAnUnconditionalModel(t *testing.T) {
	model := "../testdata/imagegpt/vector1"
	out := filepath.Join(t.TempDir(), "s.png")
	if code, stdout, stderr := run(t, "sheet", "--model", model, "--seeds", "2", "--out", out); code != 0 || !strings.Contains(stdout, "1 prompt × 2 columns") {
		t.Fatalf("sheet without a prompt: exit %d, %q %q", code, stdout, stderr)
	}
	if code, _, stderr := run(t, "sheet", "--model", model, "--seeds", "2", "--prompt", "cat", "--force", "--out", out); code != 0 || !strings.Contains(stderr, "the prompts are ignored") {
		t.Fatalf("sheet with a prompt: exit %d, %q", code, stderr)
	}
	img := filepath.Join(t.TempDir(), "g.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "cat", "--out", img, "--quiet"); code != 0 || !strings.Contains(stderr, "the prompt is ignored") {
		t.Fatalf("generate: exit %d, %q", code, stderr)
	}
	if rec, _ := readRecord(t, img); rec.Prompt != "" {
		t.Errorf("the record keeps the prompt ignored: %q", rec.Prompt)
	}
}

// A line of sheet --prompts none of whose words the model knows is left
// out with a warning, as describe --prompts leaves its out (it failed the
// whole sheet); the sheet fails only when no line is left.
func TestSheetSkipsUnknownPromptLines(t *testing.T) {
	model := tinyModel(t)
	dir := t.TempDir()
	list := filepath.Join(dir, "p.txt")
	if err := os.WriteFile(list, []byte("red cat\nzzqx qqzz\nblue dog\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "s.png")
	code, stdout, stderr := run(t, "sheet", "--model", model, "--prompts", list, "--out", out, "--cell", "16", "--seeds", "2", "--json", "--quiet")
	var sheet struct{ Prompts []string }
	if err := json.Unmarshal([]byte(stdout), &sheet); code != 0 || err != nil || !slices.Equal(sheet.Prompts, []string{"red cat", "blue dog"}) ||
		!strings.Contains(stderr, `warning: left out 1 of 3 prompts of `+list+`, none of whose words model tiny knows (e.g. "zzqx qqzz")`) {
		t.Fatalf("a list with a line of unknown words: exit %d, %q, %q", code, stdout, stderr)
	}
	// Its PNG says how it was drawn: the model, rows, columns and settings
	// (it kept nothing).
	text, err := pngmeta.ReadFile(out)
	if c := text["Comment"]; err != nil || !strings.HasPrefix(c, "tessera sheet: model tiny (weights hash ") || !strings.Contains(c, `rows: "red cat"; "blue dog"`) ||
		!strings.Contains(c, "columns: seed ") || !strings.Contains(c, "settings: temperature ") || !strings.Contains(c, ", precision f16\n") {
		t.Errorf("the sheet's Comment: %q (%v)", c, err)
	}
	if code, stdout, _ := run(t, "info", out); code != 0 || !strings.Contains(stdout, "  comment     tessera sheet: model tiny") || !strings.Contains(stdout, `              rows: "red cat"; "blue dog"`) {
		t.Errorf("info of the sheet: exit %d, %q", code, stdout)
	}
	if err := os.WriteFile(list, []byte("zzqx\nqqzz\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "sheet", "--model", model, "--prompts", list, "--out", out, "--cell", "16", "--force"); code != 1 || !strings.Contains(stderr, "knows none of the words of any prompt of "+list) {
		t.Fatalf("a list of unknown words only: exit %d, %q", code, stderr)
	}
}

// stopAfter is a writer that cancels a context when what is written to it
// holds line (a command's report of a step finished), to stop the command
// there as Ctrl-C would.
type stopAfter struct {
	bytes.Buffer
	line   string
	cancel context.CancelFunc
}

func (w *stopAfter) Write(p []byte) (int, error) {
	n, err := w.Buffer.Write(p)
	if strings.Contains(w.String(), w.line) {
		w.cancel()
	}
	return n, err
}

// A sheet stopped (Ctrl-C) after its first row saves the rows finished, as
// extend saves its, and says so (it said "interrupted; nothing saved");
// stopped before any row, it saves nothing.
func TestSheetInterruptedKeepsFinishedRows(t *testing.T) {
	model := tinyModel(t)
	dir := t.TempDir()
	list := filepath.Join(dir, "p.txt")
	if err := os.WriteFile(list, []byte("red cat\nblue dog\ngreen cat\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "s.png")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout bytes.Buffer
	stderr := &stopAfter{line: "red cat\n", cancel: cancel}
	env := Env{Stdout: &stdout, Stderr: stderr}
	err := commands()["sheet"].run(ctx, env, []string{"--model", model, "--prompts", list, "--out", out, "--cell", "16", "--seeds", "2", "--labels=false"})
	code := exitStatus(env, "sheet", err, ctx.Err() != nil)
	if code != interruptedStatus || !strings.Contains(stderr.String(), "interrupted: saved the 1 row finished so far, of 3") || !strings.Contains(stdout.String(), "1 prompt × 2 columns") {
		t.Fatalf("stopped after a row: exit %d, %q, %q", code, stdout.String(), stderr.String())
	}
	cfg, _, err := codebook.ImageConfig(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := 2*16 + 3*sheetGap; cfg.Width != want || cfg.Height != 16+2*sheetGap {
		t.Errorf("the sheet saved is %d×%d, want one row of two cells, %d×%d", cfg.Width, cfg.Height, want, 16+2*sheetGap)
	}
	// Stopped before the first row is finished: nothing saved, said.
	if code, _, stderr := runStopped(t, "sheet", "--model", model, "--prompts", list, "--out", filepath.Join(dir, "none.png"), "--cell", "16"); code == 0 || !strings.Contains(stderr, "interrupted; nothing saved") {
		t.Errorf("stopped at once: exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "none.png")); err == nil {
		t.Error("a sheet of no rows was written")
	}
}

// TestSheetRefusesWhatGenerateRefuses: a prompt none of whose words the
// model knows, an empty or unknown style name are errors before sampling.
func TestSheetRefusesWhatGenerateRefuses(t *testing.T) {
	model := tinyModel(t)
	out := filepath.Join(t.TempDir(), "s.png")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--prompt", "zzqx"}, "knows none of the words"},
		{[]string{"--prompt", "red cat", "--styles", ","}, "empty style name"},
		{[]string{"--prompt", "red cat", "--styles", "zzqx"}, "is not one of model"},
	} {
		args := append([]string{"sheet", "--model", model, "--out", out, "--cell", "16"}, c.args...)
		code, _, stderr := run(t, args...)
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("sheet %s: exit %d, stderr %q, want %q", strings.Join(c.args, " "), code, stderr, c.want)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused sheet was written")
	}
	// eval-prompts too: "neon" was counted as a style none of the samples had.
	if code, _, stderr := run(t, "eval-prompts", "--model", model, "--data", "emoji", "--style", "zzqx"); code != 2 || !strings.Contains(stderr, `--style: "zzqx" is not one of model`) {
		t.Errorf("eval-prompts --style zzqx: exit %d, %q", code, stderr)
	}
	// Style names are read as words, in any case.
	if code, _, stderr := run(t, "sheet", "--model", model, "--out", out, "--cell", "16", "--prompt", "red cat", "--styles", " Google ,TWITTER"); code != 0 {
		t.Errorf("styles in capitals with spaces: exit %d, %q", code, stderr)
	}
}

// TestStyleAliasesAsPromptsReadThem: sheet --styles and eval-prompts
// --style take the other names of a style that prompts read ("noto" for
// google, "twemoji" for twitter: the README's), as the style itself (both
// refused them).
func TestStyleAliasesAsPromptsReadThem(t *testing.T) {
	model := tinyModel(t)
	out := filepath.Join(t.TempDir(), "s.png")
	code, stdout, stderr := run(t, "sheet", "--model", model, "--out", out, "--cell", "16", "--prompt", "red cat", "--styles", "noto,Twemoji,google", "--json", "--quiet")
	var sheet struct{ Columns []sheetColumn }
	if err := json.Unmarshal([]byte(stdout), &sheet); code != 0 || err != nil {
		t.Fatalf("sheet --styles noto,Twemoji,google: exit %d, %v, %q", code, err, stderr)
	}
	var got []string
	for _, c := range sheet.Columns {
		got = append(got, c.Style)
	}
	if want := []string{"google", "twitter", "google"}; !slices.Equal(got, want) {
		t.Errorf("columns %q, want %q", got, want)
	}
	// eval-prompts takes it, and gets as far as its data (a context already
	// cancelled stops it there).
	code, _, stderr = runStopped(t, "eval-prompts", "--model", model, "--data", "emoji", "--style", "noto")
	if code == 2 || strings.Contains(stderr, "is not one of model") {
		t.Errorf("eval-prompts --style noto: exit %d, %q", code, stderr)
	}
	b, err := openModel(io.Discard, "emoji", "f32")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"noto": "google", "twemoji": "twitter", "High Contrast": "fluent contrast", "fluent-flat": "fluent flat", "openmoji": "openmoji"} {
		if got, err := modelStyle(b, "style", name); got != want || err != nil {
			t.Errorf("modelStyle(emoji, %q) = %q, %v; want %q", name, got, err, want)
		}
	}
}

// TestManyImagesGoOnPastABadOne: info, tokenize and score read every image
// given, report the ones they cannot (a folder, an empty file) by what is
// wrong, with a JSON line of their own under --json, and fail at the end.
func TestManyImagesGoOnPastABadOne(t *testing.T) {
	model := tinyModel(t)
	dir := t.TempDir()
	good := solidPNG(t, dir, "good.png", 8)
	empty := filepath.Join(dir, "empty.png")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "folder.png")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range [][]string{{"info", "--json"}, {"tokenize", "--model", model, "--json"}, {"score", "--model", model, "--json"}} {
		args := append(append([]string{}, cmd...), empty, folder, good)
		code, stdout, stderr := run(t, args...)
		if code != 1 || !strings.Contains(stderr, "2 of 3 images") || !strings.Contains(stderr, "empty (0 bytes)") || !strings.Contains(stderr, "is a folder") {
			t.Errorf("%s: exit %d, stderr %q", cmd[0], code, stderr)
		}
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		if len(lines) != 3 {
			t.Fatalf("%s --json: %d lines, want one per image: %q", cmd[0], len(lines), stdout)
		}
		for i, want := range []string{empty, folder, good} {
			var obj map[string]any
			if err := json.Unmarshal([]byte(lines[i]), &obj); err != nil || obj["image"] != want || (i < 2) != (obj["error"] != nil) {
				t.Errorf("%s --json line %d: %q (%v)", cmd[0], i, lines[i], err)
			}
		}
	}
}

// TestAMissingInputIsSaid: an input image that is not there is said to be
// missing, before any work, also where the output would have the input's
// name (edit --from src-1.png --out src.png was refused as "--out would
// write src-1.png over the input src-1.png").
func TestAMissingInputIsSaid(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src-1.png")
	for _, args := range [][]string{
		{"edit", "--from", src, "--instruction", "mirror it", "--out", filepath.Join(dir, "src.png")},
		{"branch", "--from", src, "--at", "3", "--out", src},
		{"extend", "--from", src, "--rows", "1", "--out", src},
		{"timelapse", "--from", src, "--out", filepath.Join(dir, "src-1.gif")},
	} {
		code, _, stderr := run(t, args...)
		if want := "--from " + src + ": there is no such file"; code != 1 || !strings.Contains(stderr, want) || strings.Contains(stderr, "over the input") {
			t.Errorf("%s: exit %d, %q; want 1 and %q", args[0], code, stderr, want)
		}
	}
	code, _, stderr := run(t, "edit", "--from", solidPNG(t, dir, "a.png", 8), "--mask", src, "--instruction", "mirror it", "--out", filepath.Join(dir, "e.png"))
	if code != 1 || !strings.Contains(stderr, "--mask "+src+": there is no such file") {
		t.Errorf("a missing --mask: exit %d, %q", code, stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the folder holds %d files, want only a.png", len(entries))
	}
}

// TestExtendRefusesTooTallUpFront: rows past the tallest image Tessera
// writes are refused before sampling, naming how many rows are possible.
// (The emoji model's 8×8 rows of 8 px: 1,017 more rows make 8,200 px.)
func TestExtendRefusesTooTallUpFront(t *testing.T) {
	dir := t.TempDir()
	src := solidPNG(t, dir, "a.png", 64)
	code, _, stderr := run(t, "extend", "--model", "emoji", "--prompt", "apple", "--from", src, "--rows", "1017", "--out", filepath.Join(dir, "tall.png"))
	if code != 2 || !strings.Contains(stderr, "px is the most") {
		t.Fatalf("extend past the tallest image: exit %d, %q", code, stderr)
	}
}

// TestMissingModelFolderIsNamed: a --model folder that does not exist says
// so, rather than naming its config file.
func TestMissingModelFolderIsNamed(t *testing.T) {
	code, _, stderr := run(t, "info", "--model", filepath.Join(t.TempDir(), "nosuch"))
	if code == 0 || !strings.Contains(stderr, "no such model folder") {
		t.Fatalf("exit %d, %q", code, stderr)
	}
}

// TestEditRefusesAnInstructionChangedByUnknownWords: unknown words that
// would leave an instruction the model was never trained on ("make it
// purplish" read as "make it") are refused; left out of one that stays an
// instruction ("mirror it, sideways") they are only warned about.
func TestEditRefusesAnInstructionChangedByUnknownWords(t *testing.T) {
	m := tinyEditModel(t)
	dir := t.TempDir()
	src := solidPNG(t, dir, "a.png", 8)
	out := filepath.Join(dir, "e.png")
	code, _, stderr := run(t, "edit", "--model", m, "--from", src, "--instruction", "make it purplish", "--out", out, "--quiet")
	if code != 1 || !strings.Contains(stderr, `would read "make it"`) {
		t.Fatalf("make it purplish: exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "e-1.png")); err == nil {
		t.Error("a refused edit wrote a file")
	}
}

// TestScoreWithoutThePromptStored: --prompt "" scores an image without a
// prompt even when it records one; a prompt of unknown words says it
// counted as none.
func TestScoreWithoutThePromptStored(t *testing.T) {
	model := tinyModel(t)
	img := filepath.Join(t.TempDir(), "a.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat", "--out", img); code != 0 {
		t.Fatal(stderr)
	}
	_, stored, _ := run(t, "score", "--model", model, img)
	_, none, _ := run(t, "score", "--model", model, "--prompt", "", img)
	// A --prompt of no known word is refused, as generate refuses it (it
	// was scored as no prompt, exit 0).
	code, _, unknown := run(t, "score", "--model", model, "--prompt", "zzqx", img)
	if !strings.Contains(stored, `prompt "red cat" from the Tessera record`) || !strings.HasSuffix(strings.TrimSpace(none), "no prompt") ||
		code == 0 || !strings.Contains(unknown, "knows none of --prompt's words") {
		t.Fatalf("stored %q, --prompt \"\" %q, unknown: exit %d, %q", stored, none, code, unknown)
	}
}

// solidPNG writes a red side×side PNG named name in dir and returns its path.
func solidPNG(t *testing.T, dir, name string, side int) string {
	t.Helper()
	path := filepath.Join(dir, name)
	writeImage(t, path, imagetest.Solid(color.NRGBA{200, 30, 30, 255}, side))
	return path
}

// TestCheckInstructionReadsWordsAsWords: a trained wording with a hyphen
// ("medium-dark skin tone", words "medium dark") is still one when an
// unknown word is left out of it; an unknown word that leaves no wording is
// refused.
func TestCheckInstructionReadsWordsAsWords(t *testing.T) {
	b, err := openModel(io.Discard, "edit", "f32")
	if err != nil {
		t.Fatal(err)
	}
	for _, ok := range []string{"please give it medium-dark skin", "medium-light skin tone please", "please mirror it"} {
		if err := edit.CheckInstruction(b, ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	if err := edit.CheckInstruction(b, "make it purplish"); err == nil {
		t.Error(`"make it purplish" was not refused`)
	}
	// The refusal offers the trained instruction nearest to what was
	// typed, misspellings corrected, else one of each family (it offered
	// the first four, three of them skin tones, whatever was typed).
	for typed, want := range map[string]string{
		"remove teh backround":         `did you mean: teh → the, backround → background?); without them the instruction would read "remove", which is not one it was trained on (the nearest one it was trained on is "remove the background"`,
		"mirorr it":                    `the nearest one it was trained on is "mirror it"`,
		"make it purple with sparkles": `the nearest one it was trained on is "make it purple"`,
		"make it sparkly":              `"remove the background", "light skin tone", "in the google style", "as a woman", "mirror it", "make it black and white", "invert the colours", "make it red"`,
	} {
		if err := edit.CheckInstruction(b, typed); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v; want it to offer %s", typed, err, want)
		}
	}
	// Known words that name nothing to change are refused as a leftover
	// is (they passed, and the edit greyed the picture).
	for _, typed := range []string{"a", "the", "make", "to", "it", "the the the", "Make it"} {
		want := fmt.Sprintf("model edit would read the instruction %q, which is not one it was trained on: it names nothing to change", strings.ToLower(typed))
		if err := edit.CheckInstruction(b, typed); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), `such as "remove the background"`) {
			t.Errorf("%q: %v; want %s…", typed, err, want)
		}
	}
}

// TestOutputsReplaceOnlyTesserasFiles: an --out that exists is replaced
// when Tessera wrote it (a rerun), refused when it is someone else's file
// (unless --force) and refused when it is write-protected, even with
// --force; a batch is refused before any of its files is written.
func TestOutputsReplaceOnlyTesserasFiles(t *testing.T) {
	model := tinyModel(t)
	dir := t.TempDir()
	mine := filepath.Join(dir, "holiday.png")
	if err := os.WriteFile(mine, []byte("a photo that is not a PNG Tessera wrote"), 0o644); err != nil {
		t.Fatal(err)
	}
	gen := func(out string, extra ...string) (int, string) {
		code, _, stderr := run(t, append([]string{"generate", "--model", model, "--prompt", "cat", "--seed", "1", "--quiet", "--out", out}, extra...)...)
		return code, stderr
	}
	if code, stderr := gen(mine); code != 1 || !strings.Contains(stderr, "Tessera did not write it") || !strings.Contains(stderr, "--force") {
		t.Fatalf("over a user's file: exit %d, %q", code, stderr)
	}
	if data, _ := os.ReadFile(mine); string(data) != "a photo that is not a PNG Tessera wrote" {
		t.Fatal("the user's file changed")
	}
	// A batch with one name taken writes none of its files.
	if err := os.WriteFile(filepath.Join(dir, "b-2.png"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _ := gen(filepath.Join(dir, "b.png"), "--batch", "2"); code != 1 {
		t.Fatalf("batch over a user's b-2.png: exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(dir, "b-1.png")); err == nil {
		t.Fatal("the batch wrote b-1.png before refusing")
	}
	// --force replaces it; then it is Tessera's, and a rerun replaces it.
	if code, stderr := gen(mine, "--force"); code != 0 {
		t.Fatalf("--force: exit %d, %q", code, stderr)
	}
	if code, stderr := gen(mine); code != 0 {
		t.Fatalf("rerun over Tessera's own PNG: exit %d, %q", code, stderr)
	}
	// Saved again by another program that kept the text it knows
	// (Software, parameters) and dropped the record (ImageMagick's convert
	// does): the user's picture now, not replaced without --force.
	text, err := pngmeta.ReadFile(mine)
	if err != nil {
		t.Fatal(err)
	}
	resaved := filepath.Join(dir, "gray.png")
	if err := pngmeta.WriteFileAtomic(resaved, image.NewGray(image.Rect(0, 0, 8, 8)), map[string]string{pngmeta.KeySoftware: text[pngmeta.KeySoftware], pngmeta.KeyParameters: text[pngmeta.KeyParameters]}); err != nil {
		t.Fatal(err)
	}
	if code, stderr := gen(resaved); code != 1 || !strings.Contains(stderr, "Tessera did not write it") {
		t.Errorf("over a Tessera PNG saved again elsewhere: exit %d, %q", code, stderr)
	}
	// A write-protected file is never replaced.
	if err := os.Chmod(mine, 0o444); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(mine)
	if code, stderr := gen(mine, "--force"); code != 1 || !strings.Contains(stderr, "write-protected") {
		t.Fatalf("write-protected: exit %d, %q", code, stderr)
	}
	if after, _ := os.ReadFile(mine); !bytes.Equal(after, before) {
		t.Fatal("the write-protected file changed")
	}
	// A time-lapse reruns over its own GIF but not over another GIF.
	src := filepath.Join(dir, "src.png")
	if code, stderr := gen(src); code != 0 {
		t.Fatal(stderr)
	}
	anim := filepath.Join(dir, "t.gif")
	for range 2 {
		if code, _, stderr := run(t, "timelapse", "--model", model, "--from", src, "--out", anim, "--quiet"); code != 0 {
			t.Fatalf("time-lapse (rerun): exit %d, %q", code, stderr)
		}
	}
	other := filepath.Join(dir, "other.gif")
	var buf bytes.Buffer
	if err := gif.Encode(&buf, image.NewPaletted(image.Rect(0, 0, 2, 2), color.Palette{color.White}), nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(other, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "timelapse", "--model", model, "--from", src, "--out", other, "--quiet"); code != 1 || !strings.Contains(stderr, "Tessera did not write it") {
		t.Fatalf("time-lapse over another GIF: exit %d, %q", code, stderr)
	}
}

// TestInfoShowsAPictureWithADamagedRecord: info, where a user goes to
// diagnose a file, shows what it can of a PNG whose Tessera record is
// damaged and says so, rather than failing on it (the other commands read
// such a picture's pixels).
func TestInfoShowsAPictureWithADamagedRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.png")
	if err := pngmeta.WriteFileAtomic(path, imagetest.Solid(color.NRGBA{1, 2, 3, 255}, 8), map[string]string{
		pngmeta.KeyTessera: "{damaged", pngmeta.KeyParameters: "red cat\nSeed: 4, Model: tiny",
	}); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "info", path)
	if code != 0 || !strings.Contains(stdout, "PNG, 8×8 pixels") || !strings.Contains(stdout, "record      damaged") || !strings.Contains(stdout, "red cat") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = run(t, "info", "--json", path)
	var got map[string]any
	if err := json.Unmarshal([]byte(stdout), &got); code != 0 || err != nil || got["record_error"] == nil || got["width"] != 8.0 {
		t.Fatalf("--json: exit %d, %q, %v", code, stdout, err)
	}
}

// TestInfoShowsAPictureWithADamagedTextChunk: a compressed text chunk that
// does not inflate is a damaged record, the picture shown (info said only
// "the image could not be read", where score reads its pixels).
func TestInfoShowsAPictureWithADamagedTextChunk(t *testing.T) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, imagetest.Solid(color.NRGBA{1, 2, 3, 255}, 8)); err != nil {
		t.Fatal(err)
	}
	data := []byte("tessera\x00\x01\x00\x00\x00not zlib at all")
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(chunk, "iTXt"...)
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	const afterIHDR = 8 + 25
	file := append(append(slices.Clone(buf.Bytes()[:afterIHDR]), chunk...), buf.Bytes()[afterIHDR:]...)
	path := filepath.Join(t.TempDir(), "x.png")
	if err := os.WriteFile(path, file, 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "info", path)
	if code != 0 || !strings.Contains(stdout, "PNG, 8×8 pixels") || !strings.Contains(stdout, "record      damaged (its text chunks cannot be read") || strings.Contains(stdout, "no Tessera record") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestInfoSaysATruncatedPictureDoesNotDecode: a JPEG cut short after its
// header shows its size, says that its picture does not decode (the studio
// and the other commands refuse it), and info exits with an error, where it
// said nothing of it before; a whole file beside it is reported as before.
func TestInfoSaysATruncatedPictureDoesNotDecode(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	img := image.NewNRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	whole, cut := filepath.Join(dir, "whole.jpg"), filepath.Join(dir, "cut.jpg")
	if err := os.WriteFile(whole, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cut, buf.Bytes()[:buf.Len()/2], 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "info", cut, whole)
	if code != 1 || strings.Count(stdout, "JPEG, 64×48 pixels") != 2 || !strings.Contains(stdout, "pixels      unreadable") ||
		strings.Count(stdout, "unreadable") != 1 || !strings.Contains(stderr, "1 of 2 images could not be decoded") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = run(t, "info", "--json", cut)
	var got map[string]any
	if err := json.Unmarshal([]byte(stdout), &got); code != 1 || err != nil || got["pixels_error"] == nil || got["width"] != 64.0 {
		t.Fatalf("--json: exit %d, %q, %v", code, stdout, err)
	}
	if code, _, _ := run(t, "info", whole); code != 0 {
		t.Fatalf("a whole JPEG: exit %d", code)
	}
}

// TestARecordOfAnotherPictureIsNotTrusted: a PNG whose record claims a
// grid its pixels cannot be (a 8×8 picture claiming 7 rows of 2-px patches
// of a taller one) is read by its pixels, with a note, and info says so;
// extend grew it into a 7-row image before.
func TestARecordOfAnotherPictureIsNotTrusted(t *testing.T) {
	model := tinyModel(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "x.png")
	rec := pngmeta.Record{Version: "tessera test", Grid: [2]int{7, 4}, PatchSize: 2, Width: 8, Height: 14, Tokens: make([]int, 28)}
	if err := pngmeta.WriteFileAtomic(path, imagetest.Solid(color.NRGBA{200, 10, 10, 255}, 8), pngmeta.Metadata(rec)); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "e.png")
	code, _, stderr := run(t, "extend", "--model", model, "--from", path, "--rows", "1", "--out", out, "--quiet", "--seed", "1")
	if code != 0 || !strings.Contains(stderr, "records a 7-row picture's codes, but it is not that picture") {
		t.Fatalf("extend: exit %d, %q", code, stderr)
	}
	if back, _ := readRecord(t, out); back.Grid != [2]int{5, 4} {
		t.Errorf("extended to grid %v, want 5×4 (the 4-row picture and 1 row)", back.Grid)
	}
	if code, stdout, _ := run(t, "info", path); code != 0 || !strings.Contains(stdout, "not this picture's") {
		t.Errorf("info: exit %d, %q", code, stdout)
	}
}

// TestModelsListsTheBuiltIns: tessera models names each built-in model and
// what it draws (a newcomer found them only in an error, as a Go slice).
func TestModelsListsTheBuiltIns(t *testing.T) {
	code, stdout, stderr := run(t, "models")
	if code != 0 || !strings.Contains(stdout, "emoji (default)") || !strings.Contains(stdout, "draws 64×64 pictures from a prompt of ") ||
		!strings.Contains(stdout, "mnist") || !strings.Contains(stdout, "edit ") || !strings.Contains(stdout, "by instruction") {
		t.Fatalf("exit %d, %q, %q", code, stdout, stderr)
	}
	code, stdout, _ = run(t, "models", "--json")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	var first modelLine
	if code != 0 || len(lines) != 3 || json.Unmarshal([]byte(lines[0]), &first) != nil || first.Name != "emoji" || !first.Default || first.Kind != "prompt" || len(first.Styles) != 6 || first.Names < 1000 {
		t.Fatalf("--json: exit %d, %q", code, stdout)
	}
	if code, _, _ := run(t, "models", "emoji"); code != 2 {
		t.Fatalf("an argument: exit %d", code)
	}
}

// TestGenerateSaysItReplacesAnEarlierOutput: a rerun replacing Tessera's
// own earlier output says so (a newcomer's first picture was silently
// replaced by the next prompt's); a first run says nothing of it.
func TestGenerateSaysItReplacesAnEarlierOutput(t *testing.T) {
	m := tinyModel(t)
	out := filepath.Join(t.TempDir(), "pic.png")
	code, _, stderr := run(t, "generate", "--model", m, "--prompt", "red cat", "--seed", "1", "--out", out, "--quiet")
	if code != 0 || strings.Contains(stderr, "replacing") {
		t.Fatalf("first: exit %d, %q", code, stderr)
	}
	code, _, stderr = run(t, "generate", "--model", m, "--prompt", "red cat", "--seed", "2", "--out", out, "--quiet")
	if code != 0 || !strings.Contains(stderr, "note: replacing "+out+", earlier output of Tessera (give --out another name to keep it)") {
		t.Fatalf("again: exit %d, %q", code, stderr)
	}
	// Painted over by another program that kept its text, it is the
	// user's: replaced only with --force.
	text, err := pngmeta.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	painted := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	painted.Pix[0] = 200
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := pngmeta.Encode(f, painted, text); err != nil {
		t.Fatal(err)
	}
	f.Close()
	code, _, stderr = run(t, "generate", "--model", m, "--prompt", "red cat", "--seed", "3", "--out", out, "--quiet")
	if code == 0 || !strings.Contains(stderr, "was painted over since Tessera wrote it") {
		t.Fatalf("over a picture painted over: exit %d, %q", code, stderr)
	}
	if code, _, stderr = run(t, "generate", "--model", m, "--prompt", "red cat", "--seed", "3", "--out", out, "--quiet", "--force"); code != 0 {
		t.Fatalf("--force: exit %d, %q", code, stderr)
	}
}

// TestPromptOfEmojiCharacters: a model whose names.txt gives the emoji
// each name stands for reads those characters in a prompt as the names
// ("🐱 google" draws "cat google", "🐶🏽" "dog medium skin tone"); the
// emoji model refused "🚀" as a word it did not know.
func TestPromptOfEmojiCharacters(t *testing.T) {
	m := tinyModel(t)
	out := filepath.Join(t.TempDir(), "e.png")
	// Without the characters the model does not read them.
	if code, _, stderr := run(t, "generate", "--model", m, "--prompt", "🐱 google", "--seed", "3", "--out", out, "--quiet"); code != 0 || !strings.Contains(stderr, "🐱") {
		t.Fatalf("without names.txt: exit %d, %q", code, stderr)
	}
	if err := os.WriteFile(filepath.Join(m, "names.txt"), []byte("red cat\tX\ncat\t🐱\ndog\t🐶\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "generate", "--model", m, "--prompt", "🐱\uFE0F google", "--seed", "3", "--out", out, "--json", "--quiet")
	// (The random model draws unsure, and says so quoting the prompt.)
	warned := slices.ContainsFunc(strings.Split(stderr, "\n"), func(l string) bool { return strings.Contains(l, "🐱") && !strings.Contains(l, "unsure") })
	if code != 0 || warned {
		t.Fatalf("exit %d, %s, %s", code, stdout, stderr)
	}
	b, err := openModel(io.Discard, m, "f32")
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{"🐶🏽": "dog medium skin tone", "a 🐱🐶 x": "cat dog x", "cat": "cat", "X": "X"} {
		if got := b.ReadPrompt(in); got != want {
			t.Errorf("ReadPrompt(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEmojiModelReadsEmojiCharacters: the built-in emoji model reads emoji
// as their names, skin tones as the captions' words (not the modifiers' own
// names, "emoji modifier fitzpatrick type 4"), sequences whole, and drops
// the glue no name took.
func TestEmojiModelReadsEmojiCharacters(t *testing.T) {
	b, err := openModel(io.Discard, "emoji", "f32")
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"🐶🏽":                     "dog face medium skin tone",
		"👩🏽\u200d🚀":              "woman astronaut medium skin tone",
		"❤\uFE0E":                "heavy black heart",
		"🚀 twemoji":              "rocket twitter",
		"👍🏽 openmoji":            "thumbs up sign medium skin tone openmoji",
		"👩🏽\u200d🚀 🇫🇷":           "woman astronaut medium skin tone france flag",
		"🇫🇷🇩🇪":                   "france flag germany flag",
		"1\uFE0F\u20E3 1":        "keycap 1 1",
		"👨\u200d👩\u200d👧\u200d👦": "family man woman girl boy",
		// A leading article is no part of a name ("a" drew the A
		// button), except where a name begins with it.
		"a dog face":           "dog face",
		"The red apple google": "red apple google",
		"an octopus":           "octopus",
		"a button blood type":  "a button blood type",
		"a":                    "a",
	} {
		got := b.ReadPrompt(in)
		if got != want {
			t.Errorf("ReadPrompt(%q) = %q, want %q", in, got, want)
		}
		if enc := b.PromptIDs(in); len(enc.Unknown) > 0 {
			t.Errorf("%q: unknown words %q", in, enc.Unknown)
		}
	}
}

func TestQuoteText(t *testing.T) {
	for in, want := range map[string]string{"👩🏽\u200d🚀 twitter": "\"👩🏽\u200d🚀 twitter\"", `a "b" \c`: `"a \"b\" \\c"`, "a\nb": `"a\nb"`} {
		if got := quoteText(in); got != want {
			t.Errorf("quoteText(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestInfoSaysAnExportsSizeAndKeptPixels: info on an export says its size
// and scale and that pixels outside its run's mask were kept (the record
// held them, info said nothing of them).
func TestInfoSaysAnExportsSizeAndKeptPixels(t *testing.T) {
	rec := pngmeta.Record{Version: "tessera test", Model: "tiny", Grid: [2]int{4, 4}, PatchSize: 2, Width: 8, Height: 8, Tokens: make([]int, 16),
		Extra: map[string]any{pngmeta.ExtraKind: "export", pngmeta.ExtraExportSize: "32x32", pngmeta.ExtraUpscale: 4, pngmeta.ExtraFilter: "Nearest", pngmeta.ExtraKeptPixels: true}}
	rec.Prompt = "red cat"
	path := filepath.Join(t.TempDir(), "x.png")
	if err := pngmeta.WriteFileAtomic(path, imagetest.Solid(color.NRGBA{200, 10, 10, 255}, 32), pngmeta.Metadata(rec)); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ := run(t, "info", path)
	if code != 0 || !strings.Contains(stdout, "size        32x32 px, 4× the model's 8×8, nearest filter") || !strings.Contains(stdout, "pixels      outside its run's mask kept") {
		t.Fatalf("exit %d:\n%s", code, stdout)
	}
}

// A PNG cut short is told as every other command tells it ("… is
// incomplete"), not with the chunk reader's words; a time-lapse GIF is
// recognised as Tessera's (a GIF keeps no record), where info said it was
// not made by Tessera.
func TestInfoOfACutPNGAndATimeLapse(t *testing.T) {
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.png")
	writePNG(t, whole, 32, 32)
	data, err := os.ReadFile(whole)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.png")
	if err := os.WriteFile(cut, data[:len(data)-20], 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "info", cut); code != 1 || !strings.Contains(stderr, "cut.png is incomplete: it ends before its picture does") || strings.Contains(stderr, "chunk") {
		t.Errorf("a cut PNG: exit %d, %q", code, stderr)
	}
	m := tinyModel(t)
	src, gif := filepath.Join(dir, "s.png"), filepath.Join(dir, "s.gif")
	if code, _, stderr := run(t, "generate", "--model", m, "--prompt", "cat", "--out", src, "--quiet"); code != 0 {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	if code, _, stderr := run(t, "timelapse", "--model", m, "--from", src, "--out", gif, "--quiet"); code != 0 {
		t.Fatalf("timelapse: exit %d: %s", code, stderr)
	}
	if code, stdout, stderr := run(t, "info", gif); code != 0 || !strings.Contains(stdout, "a time-lapse GIF made by Tessera") || strings.Contains(stdout, "not made by Tessera") {
		t.Errorf("a time-lapse: exit %d, %q %q", code, stdout, stderr)
	}
	if code, stdout, _ := run(t, "info", "--json", gif); code != 0 || !strings.Contains(stdout, `"tessera_gif":true`) {
		t.Errorf("a time-lapse, --json: exit %d, %q", code, stdout)
	}
}

// A PNG Tessera wrote without a record (a sheet) is said to be one, not a
// time-lapse GIF (which every such PNG was called).
func TestInfoOfARecordlessTesseraPNG(t *testing.T) {
	out := filepath.Join(t.TempDir(), "sheet.png")
	if code, _, stderr := run(t, "sheet", "--model", tinyModel(t), "--prompt", "cat", "--seeds", "2", "--out", out); code != 0 {
		t.Fatalf("sheet: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := run(t, "info", out)
	if code != 0 || !strings.Contains(stdout, "written by Tessera without a record") || strings.Contains(stdout, "GIF") {
		t.Fatalf("exit %d, %q %q", code, stdout, stderr)
	}
}

// A prompt that names a style of its own is drawn in each column's style
// alone on a sheet of styles (it was drawn as "rocket twitter google", a
// blend of two, labelled google), and generate warns of a prompt naming
// two styles.
func TestSheetStylesReplaceThePromptsStyle(t *testing.T) {
	out := filepath.Join(t.TempDir(), "sheet.png")
	code, stdout, stderr := run(t, "sheet", "--prompt", "twitter rocket google", "--styles", "google,twitter", "--out", out, "--json", "--quiet")
	if code != 0 || !strings.Contains(stderr, `note: "twitter rocket google" names the style google and twitter: each column draws "rocket" in its own style`) {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var res struct {
		Prompts []string `json:"prompts"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || !slices.Equal(res.Prompts, []string{"rocket"}) {
		t.Errorf("rows %q (%v), want the prompt without its style", res.Prompts, err)
	}
	code, _, stderr = run(t, "generate", "--prompt", "rocket twitter google", "--out", filepath.Join(t.TempDir(), "r.png"), "--quiet")
	if code != 0 || !strings.Contains(stderr, "warning: the prompt names 2 styles (google, twitter)") {
		t.Errorf("two styles: exit %d, stderr %q", code, stderr)
	}
}

// info --model on a built-in prints its card's opening and where the rest
// is (it printed the whole card, about 150 lines); --card prints it all.
func TestInfoShowsTheCardsOpening(t *testing.T) {
	_, short, _ := run(t, "info", "--model", "emoji")
	_, whole, _ := run(t, "info", "--model", "emoji", "--card")
	if !strings.Contains(short, "# Model emoji") || strings.Contains(short, "\n## ") || !strings.Contains(short, "tessera info --model emoji --card") {
		t.Errorf("info --model emoji:\n%s", short)
	}
	if !strings.Contains(whole, "\n## ") || len(whole) < 2*len(short) {
		t.Errorf("info --model emoji --card printed %d bytes against %d", len(whole), len(short))
	}
}

// An interrupted sheet writes nothing and says so (it wrote a sheet with
// half its cells blank and printed its size as if done).
func TestSheetInterrupted(t *testing.T) {
	model := tinyModel(t)
	out := filepath.Join(t.TempDir(), "s.png")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var o, e bytes.Buffer
	err := runSheet(ctx, Env{Stdout: &o, Stderr: &e}, []string{"--model", model, "--prompt", "red cat", "--seeds", "3", "--out", out, "--quiet"})
	if err == nil || !strings.Contains(err.Error(), "interrupted; nothing saved") || o.Len() != 0 {
		t.Fatalf("interrupted sheet: %v, stdout %q", err, o.String())
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("an interrupted sheet left %s: %v", out, err)
	}
}

// A prompt longer than the model reads is said to be cut by how much and
// from where (it listed the distinct words cut, "cut "it", "blue", "make"",
// for a 1,200-word instruction).
func TestLongPromptSaysWhatIsCut(t *testing.T) {
	m := tinyModel(t)
	b, err := bundle.Load(m, model.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := b.Prompt.Length()
	words := strings.Fields(strings.Repeat("red cat ", n+3))
	code, _, stderr := run(t, "generate", "--model", m, "--prompt", strings.Join(words, " "), "--out", filepath.Join(t.TempDir(), "p.png"), "--quiet")
	want := fmt.Sprintf("warning: the prompt is too long: the model reads %d known words of it, and the %d known words after them are left out (from %q on)", n, len(words)-n, words[n])
	if code != 0 || !strings.Contains(stderr, want) {
		t.Fatalf("exit %d, %q; want %q", code, stderr, want)
	}
}

// A record whose codes do not fill its grid, or are negative, is said to
// be damaged by info (it showed "codes 3 (2×2 patches…)" as if whole, and
// the other commands quietly read the pixels).
func TestInfoSaysDamagedCodes(t *testing.T) {
	for tokens, want := range map[string]string{"5": "damaged: 5 codes where its 2×2 grid takes 4", "neg": "damaged: 1 negative code",
		// Fewer codes than the grid: the studio's save of a stopped run
		// (it was called damaged, though the studio continues it).
		"3": "stopped: 3 of 4 patches drawn"} {
		rec := pngmeta.Record{Version: "test", Settings: sampling.Settings{Prompt: "red cat", Seed: 4}, Model: "tiny", Grid: [2]int{2, 2}, PatchSize: 4, Width: 8, Height: 8, Tokens: []int{1, 2, 3}}
		switch tokens {
		case "neg":
			rec.Tokens = []int{1, -2, 3, 4}
		case "5":
			rec.Tokens = []int{1, 2, 3, 4, 5}
		}
		path := filepath.Join(t.TempDir(), "x.png")
		if err := pngmeta.WriteFileAtomic(path, imagetest.Solid(color.NRGBA{1, 2, 3, 255}, 8), pngmeta.Metadata(rec)); err != nil {
			t.Fatal(err)
		}
		if code, stdout, stderr := run(t, "info", path); code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", tokens, code, stdout, stderr)
		}
	}
}

// A stopped run's picture (the studio saves it as it stood, with the codes
// drawn) is finished by branch from its codes, and refused with that way
// out by the commands that read a whole picture: they read its half-blank
// pixels without a word.
func TestStoppedPictureIsFinishedByBranch(t *testing.T) {
	m := tinyModel(t)
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.png")
	if code, _, stderr := run(t, "generate", "--model", m, "--prompt", "red cat", "--seed", "3", "--out", whole, "--quiet"); code != 0 {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	rec, _ := readRecord(t, whole)
	drawn := len(rec.Tokens) / 2
	rec.Tokens = rec.Tokens[:drawn]
	stopped := filepath.Join(dir, "stopped.png")
	if err := pngmeta.WriteFileAtomic(stopped, bundletest.Tiny(9).Decode(append(slices.Clone(rec.Tokens), make([]int, drawn)...)), pngmeta.Metadata(*rec)); err != nil {
		t.Fatal(err)
	}
	if code, stdout, _ := run(t, "info", stopped); code != 0 || !strings.Contains(stdout, fmt.Sprintf("stopped: %d of %d patches drawn", drawn, 2*drawn)) || strings.Contains(stdout, "damaged") {
		t.Errorf("info: exit %d, %q", code, stdout)
	}
	if code, stdout, stderr := run(t, "score", "--model", m, stopped); code == 0 || !strings.Contains(stdout+stderr, fmt.Sprintf("tessera branch --from %s --at %d", stopped, drawn)) {
		t.Errorf("score: exit %d, %q %q", code, stdout, stderr)
	}
	// Its time-lapse shows the patches drawn, as the studio's does.
	if code, stdout, stderr := run(t, "timelapse", "--model", m, "--from", stopped, "--out", filepath.Join(dir, "t.gif"), "--json"); code != 0 || !strings.Contains(stdout, fmt.Sprintf(`"patches":%d`, drawn)) || !strings.Contains(stderr, "stopped run's picture") {
		t.Errorf("timelapse: exit %d, %q %q", code, stdout, stderr)
	}
	out := filepath.Join(dir, "done.png")
	if code, _, stderr := run(t, "branch", "--model", m, "--from", stopped, "--at", fmt.Sprint(drawn+1), "--out", out, "--quiet"); code == 0 || !strings.Contains(stderr, fmt.Sprintf("keep at most those (--at %d finishes it)", drawn)) {
		t.Errorf("branch past the patches drawn: exit %d, %q", code, stderr)
	}
	if code, _, stderr := run(t, "branch", "--model", m, "--from", stopped, "--at", fmt.Sprint(drawn), "--out", out, "--quiet"); code != 0 {
		t.Fatalf("branch: exit %d: %s", code, stderr)
	}
	done, _ := readRecord(t, out)
	if len(done.Tokens) != 2*drawn || !slices.Equal(done.Tokens[:drawn], rec.Tokens) {
		t.Errorf("finished codes %v, want %d codes starting %v", done.Tokens, 2*drawn, rec.Tokens)
	}
}

// A picture drawn with the studio's temperature brush records its map:
// info and the parameters text say it, and branch draws the painted
// patches at their temperatures, as the studio's branch did (it drew them
// at one temperature and gave another picture for the seed).
func TestBranchKeepsPaintedTemperatures(t *testing.T) {
	m := tinyModel(t)
	dir := t.TempDir()
	drawn := filepath.Join(dir, "drawn.png")
	if code, _, stderr := run(t, "generate", "--model", m, "--prompt", "red cat", "--seed", "3", "--temperature", "0.5", "--out", drawn, "--quiet"); code != 0 {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	temps := make([]any, 16)
	want := make([]float64, 16)
	for i := range temps {
		temps[i] = 0.0
		if i >= 8 {
			temps[i], want[i] = 30.0, 30
		}
	}
	painted := filepath.Join(dir, "painted.png")
	forgeRecord(t, drawn, painted, func(r map[string]any) {
		extra, _ := r["extra"].(map[string]any)
		if extra == nil {
			extra = map[string]any{}
			r["extra"] = extra
		}
		extra[pngmeta.ExtraPatchTemperature] = temps
	})
	if code, stdout, _ := run(t, "info", painted); code != 0 || !strings.Contains(stdout, "temperature 30 over 8 of 16 patches") {
		t.Errorf("info: exit %d, %q", code, stdout)
	}
	out := filepath.Join(dir, "b.png")
	code, _, stderr := run(t, "branch", "--model", m, "--from", painted, "--at", "8", "--seed", "9", "--out", out, "--quiet")
	if code != 0 || !strings.Contains(stderr, "painted temperatures are kept") {
		t.Fatalf("branch: exit %d, %q", code, stderr)
	}
	got, _ := readRecord(t, out)
	src, _ := readRecord(t, painted)
	b, err := bundle.Load(m, model.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	opt := sampler.Options{Settings: src.Settings, PatchTemperature: want}
	opt.Seed = 9
	res, err := sampler.Complete(context.Background(), b, opt, src.Tokens, 8, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Tokens, res.Images[0].Tokens) {
		t.Errorf("branch drew %v, the painted temperatures draw %v", got.Tokens, res.Images[0].Tokens)
	}
	// The branch records them, so that a branch of it draws them again.
	if !slices.Equal(got.PatchTemperatures(16), want) {
		t.Errorf("the branch records the temperatures %v, want %v", got.Extra[pngmeta.ExtraPatchTemperature], want)
	}
	if rec := (pngmeta.Record{Grid: [2]int{4, 4}, Extra: map[string]any{pngmeta.ExtraPatchTemperature: temps}}); rec.Infotext().Extra["Patch temperature"] != "30 over 8 of 16 patches" {
		t.Errorf("parameters text: %v", rec.Infotext().Extra)
	}
}
