package app

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/pngmeta"
)

// TestRecordKeepsThePrecision: a picture records the arithmetic it was
// sampled in (f32, f16 and int8 draw different pictures from one seed), its
// parameters text and info say it, and branch and extend sample again in
// it unless --precision is given; a picture imported from a file records
// none, and a record written before precisions were recorded is sampled
// in auto's, as before.
func TestRecordKeepsThePrecision(t *testing.T) {
	model := tinyModel(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "src.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat", "--seed", "3", "--temperature", "1", "--precision", "f32", "--out", src, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	rec, text := readRecord(t, src)
	if rec.Precision != precF32 || !strings.Contains(text[pngmeta.KeyParameters], ", Precision: f32, ") {
		t.Fatalf("generate --precision f32: record's precision %q, parameters %q", rec.Precision, text[pngmeta.KeyParameters])
	}
	if code, stdout, _ := run(t, "info", src); code != 0 || !strings.Contains(stdout, ", precision f32\n") {
		t.Errorf("info: exit %d, %q", code, stdout)
	}
	// Branched whole with its seed and settings, it is drawn again in f32:
	// the same picture, recorded in f32.
	again := filepath.Join(dir, "again.png")
	if code, _, stderr := run(t, "branch", "--model", model, "--from", src, "--at", "0", "--seed", "3", "--temperature", "1", "--out", again, "--quiet"); code != 0 ||
		!strings.Contains(stderr, "note: sampling in f32, the precision "+src+" was sampled in") {
		t.Fatalf("branch: exit %d, %q", code, stderr)
	}
	if r, _ := readRecord(t, again); r.Precision != precF32 || !slices.Equal(r.Tokens, rec.Tokens) {
		t.Errorf("branch of an f32 picture: precision %q, same codes %v", r.Precision, slices.Equal(r.Tokens, rec.Tokens))
	}
	// --precision picks another, without the note.
	if code, _, stderr := run(t, "branch", "--model", model, "--from", src, "--at", "0", "--seed", "3", "--precision", "int8", "--out", again, "--force", "--quiet"); code != 0 || strings.Contains(stderr, "note: sampling in") {
		t.Fatalf("branch --precision int8: exit %d, %q", code, stderr)
	}
	if r, _ := readRecord(t, again); r.Precision != precInt8 {
		t.Errorf("branch --precision int8: precision %q", r.Precision)
	}
	tall := filepath.Join(dir, "tall.png")
	if code, _, stderr := run(t, "extend", "--model", model, "--from", src, "--rows", "1", "--out", tall, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	if r, _ := readRecord(t, tall); r.Precision != precF32 {
		t.Errorf("extend of an f32 picture: precision %q", r.Precision)
	}
	// A record without a precision (written before they were recorded)
	// is branched in auto's, f16 for the tiny model, as before.
	old := filepath.Join(dir, "old.png")
	img, err := codebook.LoadImage(src)
	if err != nil {
		t.Fatal(err)
	}
	oldRec := *rec
	oldRec.Precision = ""
	if err := pngmeta.WriteFileAtomic(old, img, pngmeta.Metadata(oldRec)); err != nil {
		t.Fatal(err)
	}
	if _, text := readRecord(t, old); strings.Contains(text[pngmeta.KeyParameters], "Precision") {
		t.Errorf("a record without a precision: parameters %q", text[pngmeta.KeyParameters])
	}
	if code, _, stderr := run(t, "branch", "--model", model, "--from", old, "--at", "0", "--out", again, "--force", "--quiet"); code != 0 || strings.Contains(stderr, "note: sampling in") {
		t.Fatalf("branch of an old record: exit %d, %q", code, stderr)
	}
	if r, _ := readRecord(t, again); r.Precision != precF16 {
		t.Errorf("branch of a record without a precision: %q, want auto's f16", r.Precision)
	}
	// A picture imported from a file was sampled in nothing.
	imported := filepath.Join(dir, "imported.png")
	if code, _, stderr := run(t, "tokenize", "--model", model, "--out", imported, src); code != 0 {
		t.Fatal(stderr)
	}
	if r, text := readRecord(t, imported); r.Precision != "" || strings.Contains(text[pngmeta.KeyParameters], "Precision") {
		t.Errorf("imported: precision %q, parameters %q", r.Precision, text[pngmeta.KeyParameters])
	}
}

// TestRecordSaysMinPOffUnderGuidance: a picture drawn under guidance with
// guidance min-p 0 says min-p 0 in info and its parameters text (it said
// "guidance 3" alone, and drawn with that a model's own min-p drew another
// picture); unguided, min-p off is left out as before.
func TestRecordSaysMinPOffUnderGuidance(t *testing.T) {
	model := tinyModel(t)
	dir := t.TempDir()
	guided, plain := filepath.Join(dir, "guided.png"), filepath.Join(dir, "plain.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat", "--seed", "3", "--guidance", "3", "--guidance-min-p", "0", "--out", guided, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat", "--seed", "3", "--guidance", "1", "--guidance-min-p", "0", "--out", plain, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	if _, text := readRecord(t, guided); !strings.Contains(text[pngmeta.KeyParameters], "Guidance: 3.0, Guidance min-p: 0.0, ") {
		t.Errorf("guided: parameters %q", text[pngmeta.KeyParameters])
	}
	if code, stdout, _ := run(t, "info", guided); code != 0 || !strings.Contains(stdout, "guidance 3, guidance min-p 0,") {
		t.Errorf("info of the guided picture: exit %d, %q", code, stdout)
	}
	if _, text := readRecord(t, plain); strings.Contains(text[pngmeta.KeyParameters], "min-p") {
		t.Errorf("unguided: parameters %q", text[pngmeta.KeyParameters])
	}
	if code, stdout, _ := run(t, "info", plain); code != 0 || strings.Contains(stdout, "min-p") {
		t.Errorf("info of the unguided picture: exit %d, %q", code, stdout)
	}
}

// TestTransparentOnADarkBackground: --transparent on the MNIST model, which
// draws on black, makes nothing transparent: it says so and why, and the
// picture records no transparent background (info said "background
// transparent" of an opaque PNG).
func TestTransparentOnADarkBackground(t *testing.T) {
	out := filepath.Join(t.TempDir(), "f4.png")
	code, _, stderr := run(t, "generate", "--model", "mnist", "--prompt", "7", "--seed", "1", "--transparent", "--out", out, "--quiet")
	if code != 0 || !strings.Contains(stderr, "warning: --transparent made nothing transparent in f4.png: model mnist draws on a dark background, not white") {
		t.Fatalf("exit %d, %q", code, stderr)
	}
	rec, text := readRecord(t, out)
	if rec.Extra[pngmeta.ExtraTransparent] != nil || strings.Contains(text[pngmeta.KeyParameters], "Background") {
		t.Errorf("record %v, parameters %q", rec.Extra, text[pngmeta.KeyParameters])
	}
	if code, stdout, _ := run(t, "info", out); code != 0 || strings.Contains(stdout, "transparent") {
		t.Errorf("info: exit %d, %q", code, stdout)
	}
}

// TestTransparentWithNoWhiteAround: --transparent on pictures with no
// white touching their border (the tiny model's random colours) makes
// nothing transparent, and says so without blaming a dark background.
func TestTransparentWithNoWhiteAround(t *testing.T) {
	model := tinyModel(t)
	out := filepath.Join(t.TempDir(), "c.png")
	code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat", "--seed", "3", "--batch", "2", "--transparent", "--out", out, "--quiet")
	if code != 0 || !strings.Contains(stderr, "warning: --transparent made nothing transparent in c-1.png, c-2.png: no white touches the picture's border") {
		t.Fatalf("exit %d, %q", code, stderr)
	}
	if rec, _ := readRecord(t, numberedPath(out, 0, 2)); rec.Extra[pngmeta.ExtraTransparent] != nil {
		t.Errorf("record %v", rec.Extra)
	}
}

// TestScoreNamesTesseraParameters: a PNG whose Tessera record was dropped
// but whose parameters text Tessera wrote survived (a re-save by another
// program) is scored under that text's prompt, said to be Tessera's (it
// said "from the A1111 parameters" where info said Tessera's), and --json
// gives it a value of its own, "tessera-parameters", which help score
// lists.
func TestScoreNamesTesseraParameters(t *testing.T) {
	model := tinyModel(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "src.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat", "--seed", "3", "--out", src, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	_, text := readRecord(t, src)
	img, err := codebook.LoadImage(src)
	if err != nil {
		t.Fatal(err)
	}
	resaved := filepath.Join(dir, "resaved.png")
	if err := pngmeta.WriteFileAtomic(resaved, img, map[string]string{pngmeta.KeyParameters: text[pngmeta.KeyParameters]}); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := run(t, "score", "--model", model, resaved); code != 0 || !strings.Contains(stdout, `prompt "red cat" from Tessera's parameters text`) || strings.Contains(stdout, "A1111") {
		t.Errorf("score: exit %d, %q, %q", code, stdout, stderr)
	}
	got, _ := scoreJSON(t, "--model", model, resaved)
	if got.Prompt != "red cat" || got.PromptSource != pngmeta.FromTesseraParameters || got.Metadata != pngmeta.FromTesseraParameters {
		t.Errorf("score --json: %+v", got)
	}
	if _, stdout, _ := run(t, "help", "score"); !strings.Contains(stdout, `"tessera-parameters"`) {
		t.Errorf("help score does not list tessera-parameters:\n%s", stdout)
	}
}
