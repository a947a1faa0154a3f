package app

import (
	"encoding/json"
	"image"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/pngmeta"
)

// redrawModels saves a tiny drawing model that names what it draws
// (bundletest.TinyNamed) and a tiny edit model on its tokenizer that reads
// "as a woman" and names it as its redraw model, and returns their
// folders.
func redrawModels(t *testing.T) (draw, edit string) {
	t.Helper()
	dir := t.TempDir()
	draw, edit = filepath.Join(dir, "draw"), filepath.Join(dir, "edit")
	d := bundletest.TinyNamed(3)
	if err := d.Save(draw, "F32"); err != nil {
		t.Fatal(err)
	}
	e := bundletest.TinyRedrawEdit(2, d, draw)
	if err := e.Save(edit, "F32"); err != nil {
		t.Fatal(err)
	}
	return draw, edit
}

// TestEditRedraws checks tessera edit's redraw of a gender edit: the
// drawing model the edit model names reads the picture and draws it
// changed, which the output lines, --json and the PNG record say;
// --redraw-model none, and a mask, edit with the edit model alone.
func TestEditRedraws(t *testing.T) {
	draw, em := redrawModels(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "cook.png")
	if code, _, stderr := run(t, "generate", "--model", draw, "--prompt", "man cook google", "--seed", "5", "--out", src, "--quiet"); code != 0 {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	out := filepath.Join(dir, "w.png")
	code, stdout, stderr := run(t, "edit", "--model", em, "--from", src, "--instruction", "as a woman", "--candidates", "3", "--seed", "4", "--temperature", "0.7", "--out", out, "--json", "--quiet")
	if code != 0 {
		t.Fatalf("edit: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "reads the picture first") {
		t.Errorf("stderr does not say the picture is read first: %s", stderr)
	}
	// Every name is read: those that change as asked ("man cook", "cook",
	// in the style each is read in) draw "woman cook", each drawing once.
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	drawn := map[string]bool{}
	var first editedImage
	for i, line := range lines {
		var im editedImage
		if err := json.Unmarshal([]byte(line), &im); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = im
		}
		rest, ok := strings.CutPrefix(im.DrawnAs, "woman cook ") // the tone and style read
		if im.RedrawnBy == "" || !ok || (im.ReadAs != "man cook "+rest && im.ReadAs != "cook "+rest) || drawn[im.DrawnAs] {
			t.Errorf("edit --json: want each edit read as (man) cook and drawn once as woman cook in the tone and style read: %s", stdout)
		}
		drawn[im.DrawnAs] = true
	}
	rec, _ := readRecord(t, numberedPath(out, 0, 2))
	e, _ := rec.Extra[pngmeta.ExtraEdit].(map[string]any)
	if rec.Prompt != "as a woman" {
		t.Errorf("the record's prompt is %q, want the instruction", rec.Prompt)
	}
	if e["redrawn_by"] != first.RedrawnBy || e["read_as"] != first.ReadAs || e["drawn_as"] != first.DrawnAs || e["source_detail"] != nil {
		t.Errorf("the record's edit entry %v does not say it was redrawn as %+v (and is no picture given the source's detail)", e, first)
	}

	if code, stdout, stderr := run(t, "info", numberedPath(out, 0, 2)); code != 0 || !strings.Contains(stdout, "redrawn     by "+first.RedrawnBy) || !strings.Contains(stdout, first.DrawnAs) {
		t.Errorf("info of a redrawn edit does not say it was redrawn (exit %d): %s%s", code, stdout, stderr)
	}
	if rec.Settings.Temperature != 1 || rec.Settings.Guidance != 1 {
		t.Errorf("the record's settings %+v are not those it was drawn with (the tiny drawing model recommends none: temperature 1, guidance 1; the edit's --temperature is the edit model's)", rec.Settings)
	}

	for _, extra := range [][]string{{"--redraw-model", "none"}, {"--mask", writeMask(t, dir)}} {
		out := filepath.Join(dir, "n.png")
		args := append([]string{"edit", "--model", em, "--from", src, "--instruction", "as a woman", "--candidates", "2", "--seed", "4", "--out", out, "--json", "--quiet", "--force"}, extra...)
		code, stdout, stderr := run(t, args...)
		if code != 0 {
			t.Fatalf("edit %v: exit %d: %s", extra, code, stderr)
		}
		if strings.Contains(stdout, "redrawn_by") || strings.Contains(stderr, "reads the picture first") {
			t.Errorf("edit %v redrew: %s %s", extra, stdout, stderr)
		}
	}
}

// writeMask writes a mask over the picture's left half and returns its path.
func writeMask(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "mask.png")
	img := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	for y := range 8 {
		for x := range 4 {
			img.Pix[img.PixOffset(x, y)+0], img.Pix[img.PixOffset(x, y)+1], img.Pix[img.PixOffset(x, y)+2] = 255, 255, 255
		}
	}
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 255
	}
	writeImage(t, path, img)
	return path
}
