package app

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/edit"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/tokenizer"
	"github.com/tessera-studio/tessera/engine/train"
)

// tinyEditModel saves the random tiny edit model (8×8 images, 4×4 codes).
func tinyEditModel(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tiny-edit")
	if err := bundletest.TinyEdit(2).Save(dir, "F32"); err != nil {
		t.Fatal(err)
	}
	return dir
}

// writeImage saves img as a PNG, or a JPEG when path ends in .jpg.
func writeImage(t *testing.T, path string, img image.Image) {
	t.Helper()
	var buf bytes.Buffer
	var err error
	if strings.HasSuffix(path, ".jpg") {
		err = jpeg.Encode(&buf, img, nil)
	} else {
		err = png.Encode(&buf, img)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestEditCLI: edit writes PATH-1.png … PATH-N.png best first, 8×8, with
// the instruction, the source and its codes in the metadata; the same seed
// gives the same files; unknown words are warned about; a JPEG of another
// size works as the source.
func TestEditCLI(t *testing.T) {
	m := tinyEditModel(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "source.jpg")
	writePNG(t, filepath.Join(dir, "tmp.png"), 24, 24)
	img, err := codebook.LoadImage(filepath.Join(dir, "tmp.png"))
	if err != nil {
		t.Fatal(err)
	}
	writeImage(t, src, img)
	out := filepath.Join(dir, "out", "e.png")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	args := []string{"edit", "--model", m, "--from", src, "--instruction", "Mirror it, sideways", "--candidates", "3", "--seed", "7",
		"--guidance", "2", "--image-guidance", "1.5", "--out", out, "--quiet"}
	code, stdout, stderr := run(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, `"sideways"`) || strings.Contains(stderr, "replacing") {
		t.Errorf("no warning about the unknown word, or a replacing said of new files: %q", stderr)
	}
	// Run again, it replaces its own outputs, and says so as generate does
	// (it replaced them without a word).
	if code, _, stderr := run(t, args...); code != 0 || !strings.Contains(stderr, "note: replacing "+filepath.Join(dir, "out", "e-1.png")+", ") {
		t.Fatalf("again: exit %d, %q", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 3 {
		t.Fatalf("stdout %q", stdout)
	}
	b, err := bundle.Load(m, model.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	jpg, err := codebook.LoadImage(src)
	if err != nil {
		t.Fatal(err)
	}
	want, err := b.Encode(jpg)
	if err != nil {
		t.Fatal(err)
	}
	prev := math.Inf(1)
	seeds := map[uint64]bool{}
	first := map[int][]byte{}
	for i := 1; i <= 3; i++ {
		path := numberedPath(out, i-1, 2)
		if !strings.HasPrefix(lines[i-1], path+"\t") {
			t.Fatalf("line %d %q does not name %s", i, lines[i-1], path)
		}
		cfg, err := decodeConfig(path)
		if err != nil || cfg.Width != 8 || cfg.Height != 8 {
			t.Fatalf("%s: %v %dx%d", path, err, cfg.Width, cfg.Height)
		}
		rec, text := readRecord(t, path)
		if rec.Prompt != "Mirror it, sideways" || rec.Parent != "source.jpg" || rec.Guidance != 2 || rec.ImageGuidance != 1.5 || len(rec.Tokens) != 16 {
			t.Fatalf("%s: record %+v", path, rec)
		}
		e, ok := rec.Extra["edit"].(map[string]any)
		if !ok || e["instruction"] != "Mirror it, sideways" || e["source"] != "source.jpg" || e["rank"] != float64(i) {
			t.Fatalf("%s: edit record %v", path, rec.Extra)
		}
		toks, _ := e["source_tokens"].([]any)
		for j, v := range toks {
			if int(v.(float64)) != want[j] {
				t.Fatalf("%s: source tokens %v, the source encodes to %v", path, toks, want)
			}
		}
		if len(toks) != 16 {
			t.Fatalf("%s: %d source tokens", path, len(toks))
		}
		if p := text[pngmeta.KeyParameters]; !strings.Contains(p, "Image guidance: 1.5") || !strings.Contains(p, "Edit of: source.jpg") || !strings.HasPrefix(p, "Mirror it, sideways\n") {
			t.Fatalf("%s: parameters %q", path, p)
		}
		var ll float64
		if _, err := fmt.Sscanf(strings.Split(lines[i-1], "\t")[2], "mean log-likelihood %f nats/token", &ll); err != nil {
			t.Fatalf("line %q: %v", lines[i-1], err)
		}
		if ll > prev {
			t.Fatalf("candidate %d has mean log-likelihood %.4f after %.4f: not best first", i, ll, prev)
		}
		prev = ll
		seeds[rec.Seed] = true
		first[i], _ = os.ReadFile(path)
	}
	if len(seeds) != 3 || !seeds[7] || !seeds[8] || !seeds[9] {
		t.Fatalf("seeds %v, want 7, 8, 9", seeds)
	}
	// The pixels are the edit's codes given the source's detail
	// (edit.TransferDetail, recorded), or with --source-detail=false the
	// codes' decode alone.
	rec, _ := readRecord(t, numberedPath(out, 0, 2))
	if e := rec.Extra["edit"].(map[string]any); e["source_detail"] != true {
		t.Errorf("the edit record does not say the source's detail was given: %v", e)
	}
	w, h := b.ImageSize()
	detailed, _, err := edit.TransferDetail(codebook.Fit(jpg, w, h), b.Decode(want), b.Decode(rec.Tokens), edit.DefaultDetail)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := codebook.LoadImage(numberedPath(out, 0, 2)); err != nil || !bytes.Equal(codebook.Flatten(got).Pix, detailed.Pix) {
		t.Fatalf("candidate 1's pixels are not its codes given the source's detail (%v)", err)
	}
	plain := filepath.Join(dir, "plain.png")
	if code, _, stderr := run(t, append(slices.Clone(args), "--source-detail=false", "--out", plain)...); code != 0 {
		t.Fatalf("--source-detail=false: exit %d: %s", code, stderr)
	}
	prec, _ := readRecord(t, numberedPath(plain, 0, 2))
	if _, ok := prec.Extra["edit"].(map[string]any)["source_detail"]; ok || !slices.Equal(prec.Tokens, rec.Tokens) {
		t.Errorf("--source-detail=false: record %v, codes %v (with detail %v)", prec.Extra, prec.Tokens, rec.Tokens)
	}
	if got, err := codebook.LoadImage(numberedPath(plain, 0, 2)); err != nil || !bytes.Equal(codebook.Flatten(got).Pix, b.Decode(prec.Tokens).Pix) {
		t.Fatalf("--source-detail=false: the pixels are not the codes' decode (%v)", err)
	}
	// The same seed writes the same files.
	if code, _, stderr := run(t, args...); code != 0 {
		t.Fatalf("second run: exit %d: %s", code, stderr)
	}
	for i := 1; i <= 3; i++ {
		again, _ := os.ReadFile(numberedPath(out, i-1, 2))
		if !bytes.Equal(again, first[i]) {
			t.Fatalf("candidate %d differs between two runs with seed 7", i)
		}
	}
	// --json lists the same edits, a JSON object a line, best first.
	code, stdout, stderr = run(t, append(slices.Clone(args), "--json", "--force")...)
	jl := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != 0 || len(jl) != 3 {
		t.Fatalf("--json: exit %d, %q: %s", code, stdout, stderr)
	}
	for i, l := range jl {
		var e editedImage
		if err := json.Unmarshal([]byte(l), &e); err != nil || e.Path != numberedPath(out, i, 2) || e.Rank != i+1 || e.Instruction != "Mirror it, sideways" || e.Fit != nil {
			t.Fatalf("--json line %d: %q (%v)", i+1, l, err)
		}
		if want := fmt.Sprintf("%.4f", e.MeanLogLik); !strings.Contains(lines[i], want) || !strings.Contains(lines[i], fmt.Sprintf("seed %d", e.Seed)) {
			t.Errorf("--json line %d (seed %d, %s nats) is not text line %q", i+1, e.Seed, want, lines[i])
		}
	}
	// One candidate is still PATH-1.png.
	one := filepath.Join(dir, "one.png")
	if code, _, stderr := run(t, "edit", "--model", m, "--from", src, "--instruction", "make it red", "--candidates", "1", "--out", one, "--quiet"); code != 0 {
		t.Fatalf("one candidate: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "one-1.png")); err != nil {
		t.Fatal(err)
	}
	// One candidate over the three of an earlier run: the two left say so.
	code, _, stderr = run(t, "edit", "--model", m, "--from", src, "--instruction", "make it red", "--candidates", "1", "--out", out, "--quiet", "--force")
	if code != 0 || !strings.Contains(stderr, "note: e-2.png, e-3.png beside them are from an earlier run") {
		t.Errorf("stale candidates: exit %d, %q", code, stderr)
	}
	// Greedy candidates are one picture: said, as generate says it.
	greedy := filepath.Join(dir, "g.png")
	code, _, stderr = run(t, "edit", "--model", m, "--from", src, "--instruction", "make it red", "--candidates", "3", "--temperature", "0", "--out", greedy, "--quiet")
	if code != 0 || !strings.Contains(stderr, "note: g-2.png, g-3.png are the same picture as g-1.png") {
		t.Errorf("greedy candidates: exit %d, %q", code, stderr)
	}
	// An edit's output scored under a drawing model: its record's
	// instruction is no drawing prompt, so it is scored without one.
	code, stdout, stderr = run(t, "score", "--model", tinyModel(t), filepath.Join(dir, "one-1.png"))
	if code != 0 || !strings.Contains(stdout, "no prompt") || strings.Contains(stdout+stderr, "make it red") {
		t.Errorf("score of an edit's output: exit %d, %q %q", code, stdout, stderr)
	}
}

// TestEditMaskCLI: with --mask, every kept patch of every candidate is the
// source's code (from the PNG's stored codes).
func TestEditMaskCLI(t *testing.T) {
	m := tinyEditModel(t)
	dir := t.TempDir()
	// A source written by edit itself: its stored codes are the source.
	seedSrc := filepath.Join(dir, "src.png")
	writePNG(t, filepath.Join(dir, "pic.png"), 8, 8)
	if code, _, stderr := run(t, "edit", "--model", m, "--from", filepath.Join(dir, "pic.png"), "--instruction", "remove the background", "--candidates", "1", "--seed", "3", "--out", seedSrc, "--quiet"); code != 0 || strings.Contains(stderr, "not trained on") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// Known words never trained together: edits, and warns with the
	// nearest instruction.
	if code, _, stderr := run(t, "edit", "--model", m, "--from", filepath.Join(dir, "pic.png"), "--instruction", "mirror the background", "--candidates", "1", "--out", filepath.Join(dir, "odd.png"), "--quiet"); code != 0 || !strings.Contains(stderr, `was not trained on "mirror the background"`) || !strings.Contains(stderr, "the nearest instruction it knows is") {
		t.Fatalf("untrained instruction: exit %d: %s", code, stderr)
	}
	srcPath := filepath.Join(dir, "src-1.png")
	srcRec, _ := readRecord(t, srcPath)
	mask := image.NewGray(image.Rect(0, 0, 40, 40)) // the left half white: columns 0 and 1 of 4 change
	for y := 0; y < 40; y++ {
		for x := 0; x < 20; x++ {
			mask.SetGray(x, y, color.Gray{255})
		}
	}
	maskPath := filepath.Join(dir, "mask.png")
	writeImage(t, maskPath, mask)
	out := filepath.Join(dir, "m.png")
	code, stdout, stderr := run(t, "edit", "--model", m, "--from", srcPath, "--instruction", "make it red", "--mask", maskPath,
		"--candidates", "4", "--seed", "11", "--temperature", "2", "--out", out, "--quiet")
	if code != 0 || strings.Contains(stderr, "of another shape") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// A mask of another shape than the picture is fitted into the frame
	// centred, as the picture is: said, with where each lies and how many
	// patches change.
	wide := filepath.Join(dir, "wide.png")
	white := image.NewGray(image.Rect(0, 0, 40, 20))
	for i := range white.Pix {
		white.Pix[i] = 255
	}
	writeImage(t, wide, white)
	if code, _, stderr := run(t, "edit", "--model", m, "--from", srcPath, "--instruction", "make it red", "--mask", wide,
		"--candidates", "1", "--out", filepath.Join(dir, "w.png"), "--quiet"); code != 0 || !strings.Contains(stderr, "note: the mask (40×20 px) and the picture (8×8) differ in shape: each is fitted into the model's 8×8 frame keeping its own, the mask over a centred 8×4 px of it and the picture over all of it") || !strings.Contains(stderr, "(8 patches of 16 change;") {
		t.Fatalf("a wide mask: exit %d, %q", code, stderr)
	}
	// Each line prints the score the candidates are ranked by, best first.
	var fits []float64
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var f float64
		_, after, ok := strings.Cut(line, "fit of the kept patches ")
		if _, err := fmt.Sscanf(after, "%f", &f); !ok || err != nil {
			t.Fatalf("line %q has no fit of the kept patches", line)
		}
		fits = append(fits, f)
	}
	if len(fits) != 4 || !slices.IsSortedFunc(fits, func(a, b float64) int { return cmp.Compare(b, a) }) {
		t.Fatalf("printed scores %v: not four, best first", fits)
	}
	srcPic := loadNRGBA(t, srcPath)
	for i := 0; i < 4; i++ {
		rec, _ := readRecord(t, numberedPath(out, i, 2))
		e := rec.Extra["edit"].(map[string]any)
		if e["mask"] != "1100110011001100" {
			t.Fatalf("recorded mask %v", e["mask"])
		}
		// The kept half is the source's pixels exactly, not their codes
		// decoded again beside new ones.
		pic := loadNRGBA(t, numberedPath(out, i, 2))
		w := pic.Rect.Dx()
		for y := range pic.Rect.Dy() {
			for x := w / 2; x < w; x++ {
				if pic.NRGBAAt(x, y) != srcPic.NRGBAAt(x, y) {
					t.Fatalf("candidate %d: kept pixel (%d,%d) is %v, the source's %v", i+1, x, y, pic.NRGBAAt(x, y), srcPic.NRGBAAt(x, y))
				}
			}
		}
		for p, code := range rec.Tokens {
			if p%4 >= 2 && code != srcRec.Tokens[p] {
				t.Fatalf("candidate %d: kept patch %d is %d, the source's is %d", i+1, p, code, srcRec.Tokens[p])
			}
		}
	}
	// A source without codes: its own pixels, fitted to the model's size,
	// not their encoding.
	plain := filepath.Join(dir, "plain.png")
	if code, _, stderr := run(t, "edit", "--model", m, "--from", filepath.Join(dir, "pic.png"), "--instruction", "make it red", "--mask", maskPath,
		"--candidates", "1", "--seed", "11", "--out", plain, "--quiet"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	pic := loadNRGBA(t, numberedPath(plain, 0, 2))
	fitted := codebook.Fit(loadNRGBA(t, filepath.Join(dir, "pic.png")), pic.Rect.Dx(), pic.Rect.Dy())
	// Read back, its codes still count (its kept pixels are the source's,
	// which its codes draw only as well as the tokenizer can).
	if code, _, stderr := run(t, "edit", "--model", m, "--from", numberedPath(plain, 0, 2), "--instruction", "mirror it", "--out", filepath.Join(dir, "back.png"), "--quiet"); code != 0 || strings.Contains(stderr, "read instead") {
		t.Errorf("a masked edit read back: exit %d, %q", code, stderr)
	}
	for y := range pic.Rect.Dy() {
		for x := pic.Rect.Dx() / 2; x < pic.Rect.Dx(); x++ {
			if pic.NRGBAAt(x, y) != fitted.NRGBAAt(x, y) {
				t.Fatalf("plain source: kept pixel (%d,%d) is %v, the source's %v", x, y, pic.NRGBAAt(x, y), fitted.NRGBAAt(x, y))
			}
		}
	}
	// Editing that output again (its codes stored, its kept pixels not
	// their decoding), upscaled twice: the kept half is still its pixels.
	twice := filepath.Join(dir, "twice.png")
	if code, _, stderr := run(t, "edit", "--model", m, "--from", numberedPath(plain, 0, 2), "--instruction", "make it red", "--mask", maskPath,
		"--candidates", "1", "--seed", "12", "--scale", "2", "--out", twice, "--quiet"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	again := filepath.Join(dir, "again.png")
	if code, _, stderr := run(t, "edit", "--model", m, "--from", numberedPath(twice, 0, 2), "--instruction", "make it red", "--mask", maskPath,
		"--candidates", "1", "--seed", "13", "--out", again, "--quiet"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	big, out2 := loadNRGBA(t, numberedPath(twice, 0, 2)), loadNRGBA(t, numberedPath(again, 0, 2))
	for y := range out2.Rect.Dy() {
		for x := out2.Rect.Dx() / 2; x < out2.Rect.Dx(); x++ {
			if out2.NRGBAAt(x, y) != big.NRGBAAt(2*x, 2*y) || out2.NRGBAAt(x, y) != fitted.NRGBAAt(x, y) {
				t.Fatalf("edited again: kept pixel (%d,%d) is %v, the upscaled source's %v", x, y, out2.NRGBAAt(x, y), big.NRGBAAt(2*x, 2*y))
			}
		}
	}
	black := filepath.Join(dir, "black.png")
	writeImage(t, black, image.NewGray(image.Rect(0, 0, 8, 8)))
	if code, _, stderr := run(t, "edit", "--model", m, "--from", srcPath, "--instruction", "make it red", "--mask", black, "--out", out, "--quiet"); code != 1 || !strings.Contains(stderr, "no patch is marked") || !strings.Contains(stderr, "at least half light") {
		t.Fatalf("an all-black mask: exit %d, %q", code, stderr)
	}
	// A white sliver marks no patch by half: its shape is said to be why.
	sliver := image.NewGray(image.Rect(0, 0, 400, 1))
	for i := range sliver.Pix {
		sliver.Pix[i] = 255
	}
	thin := filepath.Join(dir, "thin.png")
	writeImage(t, thin, sliver)
	// (the built-in edit model's 8-px patches: the tiny model's 2-px ones
	// take a 1-px sliver as half a patch)
	if code, _, stderr := run(t, "edit", "--model", "edit", "--from", srcPath, "--instruction", "make it red", "--mask", thin, "--out", out, "--quiet"); code != 1 || !strings.Contains(stderr, "the mask is 400×1 px") || !strings.Contains(stderr, "give a mask of the picture's shape") {
		t.Fatalf("a white sliver as the mask: exit %d, %q", code, stderr)
	}
}

// TestEditCLIErrors: usage errors exit 2; a text-to-image model, an
// instruction of unknown words and an unreadable source exit 1, saying why.
func TestEditCLIErrors(t *testing.T) {
	m := tinyEditModel(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "s.png")
	writePNG(t, src, 8, 8)
	out := filepath.Join(dir, "o.png")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--model", m, "--instruction", "mirror it"}, 2, "--from"},
		{[]string{"--model", m, "--from", src}, 2, "--instruction"},
		{[]string{"--model", m, "--from", src, "--instruction", "mirror it", "--candidates", "0"}, 2, "--candidates"},
		{[]string{"--model", m, "--from", src, "--instruction", "mirror it", "--out", "x.jpg"}, 2, ".png"},
		{[]string{"--model", tinyModel(t), "--from", src, "--instruction", "mirror it"}, 1, "not an edit model"},
		{[]string{"--model", m, "--from", src, "--instruction", "paint a cat"}, 1, "knows none of the words"},
		{[]string{"--model", m, "--from", filepath.Join(dir, "missing.png"), "--instruction", "mirror it"}, 1, "missing.png"},
	} {
		args := append([]string{"edit", "--out", out, "--quiet"}, tc.args...)
		code, _, stderr := run(t, args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d %q, want exit %d mentioning %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
	if code, _, stderr := run(t, "eval-edits", "--model", tinyModel(t)); code != 1 || !strings.Contains(stderr, "not an edit model") {
		t.Errorf("eval-edits on a text model: exit %d %q", code, stderr)
	}
	if code, _, stderr := run(t, "eval-edits", "--model", m, "--families", "sepia"); code != 2 || !strings.Contains(stderr, "unknown family") {
		t.Errorf("eval-edits --families sepia: exit %d %q", code, stderr)
	}
	if code, _, stderr := run(t, "eval-edits", "--model", "edit", "--record"); code != 2 || !strings.Contains(stderr, "--record writes into a model folder") {
		t.Errorf("eval-edits --record on a built-in: exit %d %q", code, stderr)
	}
}

// editSamples are emoji-like samples at 8×8: a waving hand in three tones
// and two styles, runner / man running / woman running, a grinning face in
// three styles; each a distinct picture.
func editSamples() ([]data.Sample, []data.GenderSet) {
	type e struct{ key, name, tone, style string }
	var es []e
	for _, st := range []string{"google", "twitter"} {
		for _, tone := range []string{"", "light skin tone", "dark skin tone"} {
			es = append(es, e{"1F44B", "waving hand", tone, st})
		}
	}
	for _, g := range []struct{ key, name string }{{"1F3C3", "runner"}, {"1F3C3-200D-2642-FE0F", "man running"}, {"1F3C3-200D-2640-FE0F", "woman running"}} {
		es = append(es, e{g.key, g.name, "", "google"})
	}
	for _, st := range []string{"google", "twitter", "openmoji"} {
		es = append(es, e{"1F600", "grinning face", "", st})
	}
	r := rand.New(rand.NewPCG(1, 2))
	var out []data.Sample
	for _, x := range es {
		img := image.NewNRGBA(image.Rect(0, 0, 8, 8))
		c := color.NRGBA{uint8(r.IntN(200)), uint8(r.IntN(200)), uint8(r.IntN(200)), 255}
		for y := 0; y < 8; y++ {
			for xx := 0; xx < 8; xx++ {
				img.SetNRGBA(xx, y, color.NRGBA{255, 255, 255, 255})
				if xx >= 2 && xx < 6 && y >= 1+r.IntN(2) && y < 7 {
					img.SetNRGBA(xx, y, c)
				}
			}
		}
		caption := strings.Join(strings.Fields(x.name+" "+x.tone+" "+data.StyleWords(x.style)), " ")
		out = append(out, data.Sample{Caption: caption, Key: x.key, Style: x.style, Image: img})
	}
	return out, []data.GenderSet{{Person: "1F3C3", Man: "1F3C3-200D-2642-FE0F", Woman: "1F3C3-200D-2640-FE0F"}}
}

// TestEditTrainEditEval wires the whole edit path on a tiny scale: pairs
// from emoji-like samples (edit.Prepare, with a 16-entry codebook), a few
// training steps (train.Run, as `tessera train --data edit` will), the
// model folder opened by `tessera edit`, and the evaluation of eval-edits
// on the held-out pairs: every family reported, the nearest-image families
// with a rate, the others with PSNR and the white background kept.
func TestEditTrainEditEval(t *testing.T) {
	samples, genders := editSamples()
	r := rand.New(rand.NewPCG(5, 5))
	entries := make([]float32, 16*12)
	for i := range entries {
		entries[i] = float32(r.Float64()*2 - 1)
	}
	cb, err := codebook.New(2, entries)
	if err != nil {
		t.Fatal(err)
	}
	spec := edit.Spec{Size: 8, HeldOut: 0.3, Seed: 2, MaxPerFamily: 8, Genders: genders}
	arch := model.DefaultConfig()
	arch.NEmbd, arch.NLayer, arch.NHead = 16, 1, 2
	prep, err := edit.Prepare(context.Background(), samples, spec, edit.Tokenising{Tokenizer: tokenizer.Codebook{Codebook: cb}, ValPerFamily: 2}, arch, nil)
	if err != nil {
		t.Fatal(err)
	}
	cbJSON, err := cb.Marshal(8, 8)
	if err != nil {
		t.Fatal(err)
	}
	o := train.DefaultOptions(prep.Config)
	o.Steps, o.BatchSize, o.Workers, o.DType, o.OutDir = 20, 8, 2, "F32", t.TempDir()
	o.ExtraFiles = map[string][]byte{bundle.CodebookFile: cbJSON}
	res, err := train.Run(context.Background(), o, prep.Train, prep.Val, train.Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "s.png")
	writeImage(t, src, samples[0].Image)
	out := filepath.Join(dir, "e.png")
	if code, _, stderr := run(t, "edit", "--model", res.ModelDir, "--from", src, "--instruction", "in the twemoji style", "--candidates", "2", "--seed", "1", "--out", out, "--quiet"); code != 0 {
		t.Fatalf("edit with the trained model: exit %d: %s", code, stderr)
	}
	b, err := bundle.Load(res.ModelDir, model.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if e := b.Model.Config.Tessera.Edit; e == nil || e.SplitSeed != 2 || e.HeldOutFraction != 0.3 {
		t.Fatalf("the exported config lost its edit block: %+v", b.Model.Config.Tessera.Edit)
	}
	spec.Size = 8
	set, err := edit.Pairs(samples, spec)
	if err != nil {
		t.Fatal(err)
	}
	opt := sampler.Defaults()
	opt.Seed = 1
	rep, err := evalEdits(context.Background(), b, set, editEvalOptions{perFamily: 2, candidates: 1, opt: opt}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Stopped, it returns what it measured, marked (it kept nothing).
	stopped, cancel := context.WithCancel(context.Background())
	cancel()
	if part, err := evalEdits(stopped, b, set, editEvalOptions{perFamily: 2, candidates: 1, opt: opt}, nil); !errors.Is(err, context.Canceled) || part == nil || !part.Interrupted {
		t.Fatalf("a stopped evaluation: %+v, %v", part, err)
	}
	if len(rep.Families) != len(edit.Families()) {
		t.Fatalf("%d families reported", len(rep.Families))
	}
	for _, fr := range rep.Families {
		f := edit.Family(fr.Family)
		if fr.Pairs > 2 {
			t.Errorf("%s: %d pairs evaluated, asked for 2", f, fr.Pairs)
		}
		if fr.Pairs == 0 {
			continue
		}
		if f.ByNearest() != (fr.Rate != nil) || fr.JudgedBy != map[bool]string{true: "nearest", false: "pixels"}[f.ByNearest()] {
			t.Errorf("%s: judged by %s, rate %v", f, fr.JudgedBy, fr.Rate)
		}
		// the ceiling of the rate: the share of its cases whose exact
		// target, through the tokenizer, is nearest itself
		if f.ByNearest() {
			thits := 0
			for _, c := range rep.Cases {
				if c.Family != fr.Family {
					continue
				}
				if c.TokenizerHit == nil {
					t.Fatalf("%s: a case without its tokenizer ceiling: %+v", f, c)
				}
				if *c.TokenizerHit {
					thits++
				}
			}
			if fr.TokenizerRate == nil || *fr.TokenizerRate != float64(thits)/float64(fr.Pairs) || !strings.Contains(fr.line(), "nearest the exact target:") {
				t.Errorf("%s: tokenizer ceiling %v for %d of %d cases; line %q", f, fr.TokenizerRate, thits, fr.Pairs, fr.line())
			}
		} else if fr.TokenizerRate != nil {
			t.Errorf("%s: a nearest-image ceiling for a family judged by pixels", f)
		}
		for _, c := range rep.Cases {
			if c.Family == fr.Family && !f.ByNearest() && c.TokenizerHit != nil {
				t.Errorf("%s: a nearest-image ceiling for a case judged by pixels", f)
			}
		}
		if math.IsNaN(fr.PSNRdB) || fr.TokenizerPSNRdB <= 0 {
			t.Errorf("%s: PSNR %v, tokenizer ceiling %v", f, fr.PSNRdB, fr.TokenizerPSNRdB)
		}
		if f == edit.Invert && fr.WhiteKept != nil {
			t.Errorf("invert: an inverted target has no white background, yet white kept = %v", *fr.WhiteKept)
		}
		if f == edit.Mirror && (fr.WhiteKept == nil || *fr.WhiteKept < 0 || *fr.WhiteKept > 1) {
			t.Errorf("mirror: white kept %v", fr.WhiteKept)
		}
	}
	for _, c := range rep.Cases {
		if c.Family == string(edit.Style) && (c.Hit == nil || c.Nearest == "") {
			t.Errorf("style case without a nearest image: %+v", c)
		}
	}
	// With a drawing model, style and gender edits are redrawn (what it
	// reads each source as, changed) and the report says so; the other
	// families are the edit model's.
	draw := bundletest.TinyNamed(3)
	redrawn, err := evalEdits(context.Background(), b, set, editEvalOptions{perFamily: 2, candidates: 1, opt: opt, families: []edit.Family{edit.Style, edit.Mirror}, draw: draw}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if redrawn.RedrawnBy != draw.Name {
		t.Errorf("the report names %q as the drawing model, want %q", redrawn.RedrawnBy, draw.Name)
	}
	drew := 0
	for _, fr := range redrawn.Families {
		want := map[string]string{string(edit.Style): draw.Name}[fr.Family]
		if fr.RedrawnBy != want || (want != "") != strings.Contains(fr.line(), "redrawn by") || (want != "") != strings.Contains(fr.measure().Summary, "redrawn by") {
			t.Errorf("%s: redrawn by %q (line %q), want %q", fr.Family, fr.RedrawnBy, fr.line(), want)
		}
	}
	for _, c := range redrawn.Cases {
		_, target, _ := edit.Parse(c.Instruction)
		if c.Family == string(edit.Style) && (target == "google" || target == "twitter") {
			// a style the drawing model has: always redrawn in it
			if c.ReadAs == "" || !strings.HasSuffix(c.DrawnAs, " "+target) {
				t.Errorf("%q of %q: read as %q, drawn as %q", c.Instruction, c.Source, c.ReadAs, c.DrawnAs)
			}
			drew++
		}
		if c.Family == string(edit.Mirror) && c.ReadAs != "" {
			t.Errorf("a mirror was redrawn: %+v", c)
		}
	}
	if drew == 0 {
		t.Error("no style pair asks for a style the drawing model has: the test proves nothing")
	}

	// --skip 1: each family's second pair, and no other; the median PSNR of
	// one case is its PSNR.
	skipped, err := evalEdits(context.Background(), b, set, editEvalOptions{perFamily: 5, skip: 1, candidates: 1, opt: opt, sourceDetail: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, fr := range rep.Families {
		var first, rest []editCase
		for _, c := range rep.Cases {
			if c.Family == fr.Family {
				first = append(first, c)
			}
		}
		for _, c := range skipped.Cases {
			if c.Family == fr.Family {
				rest = append(rest, c)
			}
		}
		if len(first) == 2 && (len(rest) == 0 || rest[0].Source != first[1].Source || rest[0].Instruction != first[1].Instruction) ||
			len(first) < 2 && len(rest) != 0 {
			t.Errorf("%s: --skip 1 judged %d pairs after %d", fr.Family, len(rest), len(first))
		}
		if len(first) == 2 {
			compared++
		}
		if len(first) == 1 && fr.MedianPSNRdB != first[0].PSNRdB {
			t.Errorf("%s: median PSNR %v of one case of %v dB", fr.Family, fr.MedianPSNRdB, first[0].PSNRdB)
		}
	}
	if compared == 0 {
		t.Error("no family has two held-out pairs to check --skip on")
	}
	if !skipped.SourceDetail || skipped.Skipped != 1 || rep.SourceDetail {
		t.Errorf("the reports do not say how they judged: %v %d, %v", skipped.SourceDetail, skipped.Skipped, rep.SourceDetail)
	}
	js, err := json.Marshal(jsonSafe(rep))
	if err != nil || !bytes.Contains(js, []byte(`"judged_by":"nearest"`)) {
		t.Fatalf("json: %v %s", err, js)
	}
	// --record's figures in config.json, and what tessera edit says of them.
	if err := recordMeasures(res.ModelDir, rep.Families, false, io.Discard); err != nil {
		t.Fatal(err)
	}
	c, err := model.LoadConfig(filepath.Join(res.ModelDir, model.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, fr := range rep.Families {
		if m, ok := c.Tessera.Edit.Measured[fr.Family]; ok != fr.judged() || ok && m != fr.measure() {
			t.Errorf("%s: recorded %+v (%v), measured %+v", fr.Family, m, ok, fr.measure())
		}
	}
	// A run that judged nothing (no pair needed an edit) keeps the figure
	// recorded before.
	unjudged := editFamilyReport{Family: string(edit.Mirror), Pairs: 1, JudgedBy: "pixels", PSNRdB: 3, NotJudged: true}
	before := c.Tessera.Edit.Measured[unjudged.Family]
	if err := recordMeasures(res.ModelDir, []editFamilyReport{unjudged}, false, io.Discard); err != nil {
		t.Fatal(err)
	}
	if again, err := model.LoadConfig(filepath.Join(res.ModelDir, model.ConfigFile)); err != nil || again.Tessera.Edit.Measured[unjudged.Family] != before {
		t.Errorf("an unjudged run replaced the recorded %+v: %v", before, err)
	}
	style := c.Tessera.Edit.Measured[string(edit.Style)]
	_, _, stderr := run(t, "edit", "--model", res.ModelDir, "--from", src, "--instruction", "in the twemoji style", "--candidates", "1", "--seed", "1", "--out", out, "--quiet")
	if weak := strings.Contains(stderr, "is weak at style edits: "+style.Summary); weak == style.MeetsTarget {
		t.Errorf("style edits recorded as %+v; tessera edit said %q", style, stderr)
	}
	perFamily := map[string]int{}
	widest := 0
	for _, c := range rep.Cases {
		perFamily[c.Family]++
		widest = max(widest, perFamily[c.Family])
	}
	// a row per family, a triple of 8-px images (2 px apart, 4 px after) per case
	if sh := editSheet(rep.Cases, 8); sh.Rect.Dy() != len(perFamily)*12 || sh.Rect.Dx() != widest*34 {
		t.Fatalf("sheet %v for %d cases in %d families", sh.Rect, len(rep.Cases), len(perFamily))
	}
}

// The commands that draw or score from a prompt refuse an edit model up
// front and name the command that uses it.
func TestDrawingCommandsRefuseEditModels(t *testing.T) {
	m := tinyEditModel(t)
	dir := t.TempDir()
	img := filepath.Join(dir, "i.png")
	writePNG(t, img, 8, 8)
	for _, args := range [][]string{
		{"generate", "--model", m, "--out", filepath.Join(dir, "g.png")},
		{"describe", "--model", m, img},
		{"score", "--model", m, img},
		{"sheet", "--model", m, "--prompt", "x", "--out", filepath.Join(dir, "s.png")},
	} {
		code, _, stderr := run(t, args...)
		if code != 1 || !strings.Contains(stderr, "tessera edit --model") {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
	}
}

// TestTransparent tells a picture with see-through pixels (edit's remove
// the background warning names them) from an opaque one.
func TestTransparent(t *testing.T) {
	dir := t.TempDir()
	clear := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	clear.Pix[3] = 255 // one opaque pixel, the rest transparent
	solid := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	for i := 3; i < len(solid.Pix); i += 4 {
		solid.Pix[i] = 255
	}
	writeImage(t, filepath.Join(dir, "clear.png"), clear)
	writeImage(t, filepath.Join(dir, "solid.png"), solid)
	if !transparent(filepath.Join(dir, "clear.png")) || transparent(filepath.Join(dir, "solid.png")) || transparent(filepath.Join(dir, "none.png")) {
		t.Fatal("transparent() is wrong")
	}
}

// TestEditTransparent: edit --transparent records the transparent
// background in the parameters text beside "Edit of", as generate does.
func TestEditTransparent(t *testing.T) {
	m := saveModel(t, withWhite(bundletest.TinyEdit(2)), "tiny-edit") // white around its pictures
	dir := t.TempDir()
	src := filepath.Join(dir, "source.png")
	writePNG(t, src, 8, 8)
	out := filepath.Join(dir, "e.png")
	if code, _, stderr := run(t, "edit", "--model", m, "--from", src, "--instruction", "mirror it", "--candidates", "1", "--transparent", "--out", out, "--quiet"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rec, text := readRecord(t, numberedPath(out, 0, 2))
	params := text[pngmeta.KeyParameters]
	if rec.Extra[pngmeta.ExtraTransparent] != true || !strings.Contains(params, "Background: transparent") || !strings.Contains(params, "Edit of: source.png") {
		t.Fatalf("record %v, parameters %q", rec.Extra, params)
	}
	// info names the instruction as such, with the edit model's own knobs.
	_, stdout, _ := run(t, "info", numberedPath(out, 0, 2))
	if !strings.Contains(stdout, `instruction "mirror it"`) || strings.Contains(stdout, "prompt      ") ||
		(rec.ImageGuidance != 0 && !strings.Contains(stdout, "image guidance")) {
		t.Fatalf("info of an edit:\n%s (record image guidance %g)", stdout, rec.ImageGuidance)
	}
}

// loadNRGBA reads a PNG as NRGBA.
func loadNRGBA(t *testing.T, path string) *image.NRGBA {
	t.Helper()
	img, err := codebook.LoadImage(path)
	if err != nil {
		t.Fatal(err)
	}
	out := image.NewNRGBA(img.Bounds())
	draw.Draw(out, out.Rect, img, img.Bounds().Min, draw.Src)
	return out
}

// An edit the studio made holds its drawing model's codes and is read with
// that model; tessera edit's output (the edit model's codes) is read with
// the default drawing model, and the note names the edit model (it said
// "made by edit model emoji" of a studio edit).
func TestRecordedModelOfEdits(t *testing.T) {
	dir := t.TempDir()
	img := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	write := func(name string, rec pngmeta.Record) string {
		path := filepath.Join(dir, name)
		if err := pngmeta.WriteFileAtomic(path, img, pngmeta.Metadata(rec)); err != nil {
			t.Fatal(err)
		}
		return path
	}
	studio := write("studio.png", pngmeta.Record{Model: "emoji", ModelHash: "d2", Extra: map[string]any{pngmeta.ExtraEdit: map[string]any{"instruction": "mirror it", "model": "edit", "model_hash": "e1", "source_detail": true}, pngmeta.ExtraKeptPixels: true}})
	cli := write("cli.png", pngmeta.Record{Model: "edit", ModelHash: "e1", Extra: map[string]any{pngmeta.ExtraEdit: map[string]any{"instruction": "mirror it"}}})
	var log strings.Builder
	if name, hash, err := recordedModel(&log, "", studio); err != nil || name != "emoji" || hash != "d2" || strings.Contains(log.String(), "edit model") {
		t.Errorf("a studio edit: model %q %q (%v), log %q", name, hash, err, log.String())
	}
	log.Reset()
	if name, _, err := recordedModel(&log, "", cli); err != nil || name != "" || !strings.Contains(log.String(), "was made by edit model edit: it is read with the default model") {
		t.Errorf("tessera edit's output: model %q, log %q", name, log.String())
	}
	// info says which edit model made the studio's edit.
	if code, stdout, stderr := run(t, "info", studio); code != 0 || !strings.Contains(stdout, "edited by   edit model edit (weights hash e1); the codes are emoji's") ||
		!strings.Contains(stdout, "pixels      the edit as edit model edit drew it, given the source's detail") || strings.Contains(stdout, "outside its run's mask") {
		t.Errorf("info: exit %d %q %q", code, stdout, stderr)
	}
}

// A pixel family is judged on the pairs that need an edit, every figure
// over those: a grey picture made black and white (its source its own
// target, PSNR 100) lifted the mean of edits drawn at 20 dB over the 24 dB
// target; the mean over every pair is shown beside it.
func TestEditFamilyJudgedOnPairsNeedingAnEdit(t *testing.T) {
	white, grey := 1.0, 0.5
	cases := []editCase{
		{PSNRdB: edit.MaxPSNR, SourcePSNRdB: edit.MaxPSNR, WhiteKept: &white},
		{PSNRdB: 20, SourcePSNRdB: 30, WhiteKept: &grey},
		{PSNRdB: 20, SourcePSNRdB: 30, WhiteKept: &grey},
	}
	r := summarizeEdits(edit.Gray, cases)
	if r.PSNRdB != 20 || r.NeedEdit != 2 || r.AllPSNRdB == nil || *r.AllPSNRdB < 46 || r.Pass || r.MedianPSNRdB != 20 ||
		r.SourcePSNRdB != 30 || *r.WhiteKept != 0.5 || r.measure().PSNRdB != 20 {
		t.Fatalf("%+v", r)
	}
	if line := r.line(); !strings.Contains(line, "PSNR 20.00 dB (median 20.00) over the 2 pairs that need an edit (46.67 dB over all 3)") || !strings.Contains(line, "below target") {
		t.Fatalf("line %q", line)
	}
	cases[1].PSNRdB, cases[2].PSNRdB, cases[1].WhiteKept, cases[2].WhiteKept = 25, 25, &white, &white
	if r := summarizeEdits(edit.Gray, cases); !r.Pass {
		t.Fatalf("25 dB where edits are needed: %+v", r)
	}
	// Every pair needs an edit: no second mean.
	if r := summarizeEdits(edit.Gray, cases[1:]); r.AllPSNRdB != nil || r.NeedEdit != 2 || strings.Contains(r.line(), "over all") {
		t.Fatalf("%+v", r)
	}
	// No pair needs an edit (every source its own target): not judged,
	// where a single such pair passed at 26 dB beside "unedited 100 dB".
	r = summarizeEdits(edit.Gray, cases[:1])
	if r.Pass || !r.NotJudged || r.judged() || !strings.Contains(r.line(), "no pair needs an edit") || !strings.HasSuffix(r.line(), ": not judged") {
		t.Fatalf("no pair needs an edit: pass %v, not judged %v, %q", r.Pass, r.NotJudged, r.line())
	}
	if b, _ := json.Marshal(r); !strings.Contains(string(b), `"not_judged":true`) {
		t.Errorf("JSON of a family not judged: %s", b)
	}
}

// --record keeps a figure measured over more pairs than the run's unless
// --force, says each figure it writes, and refuses before the work when
// --per-family cannot measure as many (one pair's 100% replaced 200
// pairs' 55%, and the warning of a weak family went with it).
func TestRecordKeepsFinerFigures(t *testing.T) {
	dir := tinyEditModel(t)
	rate := 0.55
	report := func(pairs int) []editFamilyReport {
		return []editFamilyReport{{Family: string(edit.SkinTone), Pairs: pairs, JudgedBy: "nearest", Rate: &rate}}
	}
	var log strings.Builder
	if err := recordMeasures(dir, report(200), false, &log); err != nil || !strings.Contains(log.String(), "recorded skin-tone: 55% of held-out emoji came out as the exact target (200 pairs)") {
		t.Fatalf("first record: %v, %q", err, log.String())
	}
	log.Reset()
	rate = 1
	if err := recordMeasures(dir, report(1), false, &log); err != nil || !strings.Contains(log.String(), "skin-tone kept as recorded") {
		t.Fatalf("a rougher figure: %v, %q", err, log.String())
	}
	b, err := openModel(io.Discard, dir, "f32")
	if err != nil {
		t.Fatal(err)
	}
	if m := b.Model.Config.Tessera.Edit.Measured[string(edit.SkinTone)]; m.Pairs != 200 {
		t.Fatalf("the 200-pair figure was replaced: %+v", m)
	}
	if err := recordWouldCoarsen(b.Model.Config, []edit.Family{edit.SkinTone}, 20); err == nil || !strings.Contains(err.Error(), "skin-tone (200 pairs)") {
		t.Errorf("--per-family 20 against a 200-pair figure: %v", err)
	}
	if err := recordWouldCoarsen(b.Model.Config, []edit.Family{edit.Gender}, 20); err != nil {
		t.Errorf("a family without a figure: %v", err)
	}
	log.Reset()
	if err := recordMeasures(dir, report(1), true, &log); err != nil || !strings.Contains(log.String(), "replacing 55%") {
		t.Errorf("--force: %v, %q", err, log.String())
	}
}

// A mask over every patch edits the whole picture as no --mask does (it
// drew another picture: the source's detail went as to a masked edit).
func TestEditFullMaskIsNoMask(t *testing.T) {
	m := tinyEditModel(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "pic.png")
	writePNG(t, src, 8, 8)
	full := image.NewGray(image.Rect(0, 0, 8, 8))
	for i := range full.Pix {
		full.Pix[i] = 255
	}
	maskPath := filepath.Join(dir, "mask.png")
	writeImage(t, maskPath, full)
	args := []string{"edit", "--model", m, "--from", src, "--instruction", "make it red", "--candidates", "1", "--seed", "4", "--quiet"}
	if code, _, stderr := run(t, append(args, "--out", filepath.Join(dir, "plain.png"))...); code != 0 {
		t.Fatalf("no mask: exit %d: %s", code, stderr)
	}
	code, _, stderr := run(t, append(args, "--mask", maskPath, "--out", filepath.Join(dir, "masked.png"))...)
	if code != 0 || !strings.Contains(stderr, "the mask covers every patch") {
		t.Fatalf("a full mask: exit %d: %s", code, stderr)
	}
	a, errA := os.ReadFile(filepath.Join(dir, "plain-1.png"))
	b, errB := os.ReadFile(filepath.Join(dir, "masked-1.png"))
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	pa, _, _ := image.Decode(bytes.NewReader(a))
	pb, _, _ := image.Decode(bytes.NewReader(b))
	if pa == nil || pb == nil || !bytes.Equal(codebook.Flatten(pa).Pix, codebook.Flatten(pb).Pix) {
		t.Error("a full mask drew another picture than no mask")
	}
}

// edit --scale and extend --scale record both sizes as generate --scale and
// the studio's Export do: Size the file's beside the native size and the
// upscale (they recorded the native size as the 3× picture's).
func TestEditAndExtendRecordTheirScale(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.png")
	model := tinyModel(t)
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "cat", "--seed", "3", "--out", src, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	edited := filepath.Join(dir, "e.png")
	if code, _, stderr := run(t, "edit", "--model", tinyEditModel(t), "--from", src, "--instruction", "mirror it", "--candidates", "1", "--seed", "2", "--scale", "3", "--out", edited, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	tall := filepath.Join(dir, "tall.png")
	if code, _, stderr := run(t, "extend", "--model", model, "--from", src, "--rows", "2", "--seed", "9", "--scale", "2", "--out", tall, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	for _, c := range []struct {
		path, size, native, upscale string
		extra                       string
	}{{numberedPath(edited, 0, 2), "24x24", "8x8", "3x", "Edit of: src.png"}, {tall, "16x24", "8x12", "2x", ""}} {
		text, err := pngmeta.ReadFile(c.path)
		if err != nil {
			t.Fatal(err)
		}
		p := text[pngmeta.KeyParameters]
		for _, want := range []string{"Size: " + c.size, "Native size: " + c.native, "Upscale: " + c.upscale, c.extra} {
			if !strings.Contains(p, want) {
				t.Errorf("%s: parameters %q lack %q", filepath.Base(c.path), p, want)
			}
		}
		rec, _ := readRecord(t, c.path)
		if rec.Extra[pngmeta.ExtraExportSize] != c.size {
			t.Errorf("%s: record's export size %v, want %s", filepath.Base(c.path), rec.Extra[pngmeta.ExtraExportSize], c.size)
		}
	}
}

// tessera edit of a Tessera PNG reads the codes the file records where
// they draw it (bundle.SourceCodes, as the studio reads the image it
// shows), not its pixels encoded again, which a ViT tokenizer's round trip
// moves: the edit model sharing the drawing model's tokenizer, its edits
// of the file are the studio's. A copy without the record is read from
// its pixels.
func TestEditReadsTheRecordedCodes(t *testing.T) {
	dir := t.TempDir()
	drawer := bundletest.TinyViT(3)
	dm, em := filepath.Join(dir, "draw"), filepath.Join(dir, "edit")
	if err := drawer.Save(dm, "F32"); err != nil {
		t.Fatal(err)
	}
	if err := bundletest.TinyEditOn(2, drawer.Tokenizer).Save(em, "F32"); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "cat.png")
	if code, _, stderr := run(t, "generate", "--model", dm, "--prompt", "blue cat", "--seed", "5", "--out", src, "--quiet"); code != 0 {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	rec, _ := readRecord(t, src)
	plain := filepath.Join(dir, "plain.png")
	writeImage(t, plain, loadNRGBA(t, src))
	encoded, err := drawer.Encode(loadNRGBA(t, src))
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(encoded, rec.Tokens) {
		t.Fatal("the picture encoded again is its own codes: the test proves nothing")
	}
	for from, want := range map[string][]int{src: rec.Tokens, plain: encoded} {
		out := filepath.Join(dir, "e-"+filepath.Base(from))
		if code, _, stderr := run(t, "edit", "--model", em, "--from", from, "--instruction", "mirror it", "--seed", "5", "--candidates", "2", "--out", out, "--quiet"); code != 0 {
			t.Fatalf("edit %s: exit %d: %s", from, code, stderr)
		}
		r, _ := readRecord(t, numberedPath(out, 0, 2))
		e, _ := r.Extra[pngmeta.ExtraEdit].(map[string]any)
		var got []int
		for _, v := range e["source_tokens"].([]any) {
			got = append(got, int(v.(float64)))
		}
		if !slices.Equal(got, want) {
			t.Errorf("the edit of %s read %v, want %v", filepath.Base(from), got, want)
		}
	}
}
