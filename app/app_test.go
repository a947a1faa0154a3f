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
	"image/png"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/edit"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/internal/imagetest"
)

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = Main(args, Env{Stdout: &o, Stderr: &e})
	return code, o.String(), e.String()
}

// captionedFolder writes a folder of 8×8 pictures (writePNG: each of its
// own blue), p0.png, p1.png, …, each captioned by a text file beside it.
func captionedFolder(t *testing.T, captions ...string) string {
	t.Helper()
	dir := t.TempDir()
	for i, c := range captions {
		writePNG(t, filepath.Join(dir, fmt.Sprintf("p%d.png", i)), 8, 8)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("p%d.txt", i)), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// tinyModel saves the tiny conditional test model into a folder.
func tinyModel(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tiny")
	if err := bundletest.Tiny(9).Save(dir, "F32"); err != nil {
		t.Fatal(err)
	}
	return dir
}

// withWhite makes the first half of the codes of b (a test model with a
// codebook of random colours) draw white: its pictures then have white
// around them for --transparent to clear.
func withWhite(b *bundle.Bundle) *bundle.Bundle {
	n := len(b.Codebook.Entries) / 2
	for i := range b.Codebook.Entries[:n] {
		b.Codebook.Entries[i] = 1
	}
	return b
}

// saveModel saves b into a folder named name and returns its path.
func saveModel(t *testing.T, b *bundle.Bundle, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := b.Save(dir, "F32"); err != nil {
		t.Fatal(err)
	}
	return dir
}

func readRecord(t *testing.T, path string) (*pngmeta.Record, map[string]string) {
	t.Helper()
	text, err := pngmeta.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rec, ok, err := pngmeta.ParseRecord(text)
	if err != nil || !ok {
		t.Fatalf("no tessera record in %s: %v", path, err)
	}
	return rec, text
}

func TestGenerateWritesBatchWithMetadata(t *testing.T) {
	model := tinyModel(t)
	out := filepath.Join(t.TempDir(), "img.png")
	code, stdout, stderr := run(t, "generate", "--model", model, "--prompt", "red zebra cat", "--seed", "5", "--batch", "2", "--out", out, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, `"zebra"`) {
		t.Errorf("no warning about the unknown word: %q", stderr)
	}
	// A word repeated is named once; the negative prompt's are its own.
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red zebra zebra cat zebra", "--negative", "yak", "--guidance", "2",
		"--seed", "5", "--out", filepath.Join(t.TempDir(), "z.png"), "--quiet"); code != 0 || strings.Count(stderr, `"zebra"`) != 1 || !strings.Contains(stderr, "left out of the negative prompt") {
		t.Errorf("exit %d, warnings %q", code, stderr)
	}
	for i, seed := range []uint64{5, 6} {
		path := strings.TrimSuffix(out, ".png") + "-" + string(rune('1'+i)) + ".png"
		if !strings.Contains(stdout, path) {
			t.Errorf("stdout %q does not list %s", stdout, path)
		}
		rec, text := readRecord(t, path)
		if rec.Seed != seed || len(rec.Tokens) != 16 || rec.Prompt != "red zebra cat" || rec.Grid != [2]int{4, 4} {
			t.Fatalf("record %+v", rec)
		}
		if !strings.Contains(text["parameters"], "Seed: "+string(rune('0'+seed))) {
			t.Errorf("parameters %q", text["parameters"])
		}
		// The pixels are the decoded tokens.
		f, _ := os.Open(path)
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		want := bundletest.Tiny(9).Decode(rec.Tokens)
		for y := 0; y < 8; y++ {
			for x := 0; x < 8; x++ {
				r1, g1, b1, _ := img.At(x, y).RGBA()
				r2, g2, b2, _ := want.At(x, y).RGBA()
				if r1 != r2 || g1 != g2 || b1 != b2 {
					t.Fatalf("pixel %d,%d differs from the decoded tokens", x, y)
				}
			}
		}
	}
	// Same command, same tokens.
	out2 := filepath.Join(t.TempDir(), "again.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red zebra cat", "--seed", "6", "--out", out2, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	a, _ := readRecord(t, strings.TrimSuffix(out, ".png")+"-2.png")
	b, _ := readRecord(t, out2)
	if !slices.Equal(a.Tokens, b.Tokens) {
		t.Error("seed 6 alone differs from seed 6 in a batch")
	}
	// Upscaled export keeps the tokens.
	big := filepath.Join(t.TempDir(), "big.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--seed", "6", "--prompt", "red zebra cat", "--scale", "4", "--out", big, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	c, _ := readRecord(t, big)
	if !slices.Equal(c.Tokens, b.Tokens) {
		t.Error("upscaled export changed the tokens")
	}
	if cfg, err := decodeConfig(big); err != nil || cfg.Width != 32 {
		t.Errorf("upscaled width %d (%v), want 32", cfg.Width, err)
	}
	// Its metadata says both sizes, as the studio's Export does: the
	// record the native one with the upscale in Extra, the A1111 text the
	// picture's as Size (it said the native 8x8 of a 32-pixel picture).
	if c.Width != 8 || c.Extra[pngmeta.ExtraExportSize] != "32x32" || c.ExtraInt(pngmeta.ExtraUpscale) != 4 {
		t.Errorf("upscaled record: %d×%d, extra %v", c.Width, c.Height, c.Extra)
	}
	text, err := pngmeta.ReadFile(big)
	if err != nil {
		t.Fatal(err)
	}
	if params := text[pngmeta.KeyParameters]; !strings.Contains(params, "Size: 32x32") || !strings.Contains(params, "Native size: 8x8") || !strings.Contains(params, "Upscale: 4x") {
		t.Errorf("upscaled parameters: %q", params)
	}
}

func decodeConfig(path string) (image.Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return image.Config{}, err
	}
	defer f.Close()
	return png.DecodeConfig(f)
}

type expectedVector struct {
	ImageRGB [][][]uint8 `json:"image_rgb"`
	NLLNats  float64     `json:"nll_nats"`
	BPP      float64     `json:"bits_per_pixel"`
}

func TestScoreJSONMatchesReference(t *testing.T) {
	dir := "../testdata/imagegpt/vector1"
	raw, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e expectedVector
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatal(err)
	}
	img := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	for y, row := range e.ImageRGB {
		for x, px := range row {
			img.SetNRGBA(x, y, color.NRGBA{px[0], px[1], px[2], 255})
		}
	}
	path := filepath.Join(t.TempDir(), "ref.png")
	f, _ := os.Create(path)
	png.Encode(f, img)
	f.Close()
	code, stdout, stderr := run(t, "score", "--model", dir, "--json", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var line scoreLine
	if err := json.Unmarshal([]byte(stdout), &line); err != nil {
		t.Fatalf("%v: %q", err, stdout)
	}
	if math.Abs(line.NLLNats-e.NLLNats) > 1e-3 || math.Abs(line.BitsPerToken-e.BPP) > 1e-4 || line.Tokens != 64 || len(line.PerTokenNLL) != 64 || line.Source != "pixels" {
		t.Errorf("score %+v, want nll %v bits %v", line, e.NLLNats, e.BPP)
	}
	sum := 0.0
	for _, v := range line.PerTokenNLL {
		sum += v
	}
	if math.Abs(sum-line.NLLNats) > 1e-9 {
		t.Error("per-token NLL does not add up to the total")
	}
	// The likelihood map is written: the picture and its map, one 32-pixel
	// block a patch each, side by side with 8-pixel margins.
	lmap := filepath.Join(t.TempDir(), "lmap.png")
	code, _, stderr = run(t, "score", "--model", dir, "--map", lmap, path)
	if code != 0 {
		t.Fatal(stderr)
	}
	if cfg, err := decodeConfig(lmap); err != nil || cfg.Width != 2*256+3*8 || !strings.Contains(stderr, "likelihood map of "+path+": "+lmap) {
		t.Errorf("likelihood map width %d (%v); stderr %q", cfg.Width, err, stderr)
	}
	// A drawn picture (its record: codes, prompt, seed) is not replaced by
	// a map, its arguments swapped, without --force; a map is.
	drawn := filepath.Join(t.TempDir(), "drawn.png")
	if code, _, stderr := run(t, "generate", "--model", dir, "--seed", "1", "--out", drawn, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := run(t, "score", "--model", dir, "--map", drawn, lmap); code == 0 || !strings.Contains(stderr, "holds a picture Tessera drew") {
		t.Errorf("a map over a drawn picture: exit %d, %q", code, stderr)
	}
	if code, _, stderr := run(t, "score", "--model", dir, "--map", lmap, path); code != 0 {
		t.Errorf("a map over an earlier map: exit %d, %q", code, stderr)
	}
	if code, _, stderr := run(t, "score", "--model", dir, "--force", "--map", drawn, path); code != 0 {
		t.Errorf("--force: exit %d, %q", code, stderr)
	}
}

// A sure code's NLL, −log 1, is written 0, not −0.
func TestNoNegativeZero(t *testing.T) {
	got := noNegativeZero([]float64{math.Copysign(0, -1), 1.5})
	b, err := json.Marshal(got)
	if err != nil || string(b) != "[0,1.5]" {
		t.Fatalf("%s, %v", b, err)
	}
}

func TestScoreUsesStoredTokens(t *testing.T) {
	model := tinyModel(t)
	out := filepath.Join(t.TempDir(), "g.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "blue dog", "--seed", "1", "--out", out, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, stderr := run(t, "score", "--model", model, "--json", out)
	if code != 0 {
		t.Fatal(stderr)
	}
	var line scoreLine
	json.Unmarshal([]byte(stdout), &line)
	if line.Source != "metadata" || line.Prompt != "blue dog" {
		t.Errorf("source %q prompt %q, want metadata / blue dog", line.Source, line.Prompt)
	}
	// Painted over with the metadata kept (an editor that keeps text
	// chunks): the codes no longer draw the picture, so its pixels count,
	// with a note; upscaled twice as --scale writes it, the codes still do.
	text, err := pngmeta.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// The top half painted over with another picture the tokenizer draws
	// exactly (its patches those of another code), as an editor would.
	orig, _ := readRecord(t, out)
	other := slices.Clone(orig.Tokens)
	for i := range len(other) / 2 {
		other[i] = (other[i] + 7) % 16
	}
	painted := bundletest.Tiny(9).Decode(other)
	changed := filepath.Join(t.TempDir(), "painted.png")
	if err := pngmeta.WriteFileAtomic(changed, painted, text); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = run(t, "score", "--model", model, "--json", changed)
	line = scoreLine{}
	if err := json.Unmarshal([]byte(stdout), &line); code != 0 || err != nil || line.Source != "pixels" || !strings.Contains(stderr, "its pixels are read instead") {
		t.Errorf("painted over: exit %d, source %q, stderr %q", code, line.Source, stderr)
	}
	big := filepath.Join(t.TempDir(), "big.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "blue dog", "--seed", "1", "--scale", "2", "--out", big, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, stderr = run(t, "score", "--model", model, "--json", big)
	line = scoreLine{}
	if err := json.Unmarshal([]byte(stdout), &line); code != 0 || err != nil || line.Source != "metadata" || strings.Contains(stderr, "instead") {
		t.Errorf("upscaled: exit %d, source %q, stderr %q", code, line.Source, stderr)
	}
}

// A picture changed a little in another program that kept its text (a
// small square painted over it) still draws close to its recorded codes,
// but the pixel hash it records no longer matches: score (as every command
// reading codes through imageTokens) reads its pixels, with a note, and
// info says its codes are no longer its own.
func TestChangedPictureIsReadFromPixels(t *testing.T) {
	model := tinyModel(t)
	out := filepath.Join(t.TempDir(), "g.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "blue dog", "--seed", "1", "--out", out, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	text, err := pngmeta.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	img, err := codebook.LoadImage(out)
	if err != nil {
		t.Fatal(err)
	}
	painted := codebook.Flatten(img)
	painted.SetNRGBA(0, 0, color.NRGBA{0, 0, 255, 255}) // one pixel painted blue
	changed := filepath.Join(t.TempDir(), "painted.png")
	if err := pngmeta.WriteFileAtomic(changed, painted, text); err != nil { // its text, hash and all, kept
		t.Fatal(err)
	}
	b := bundletest.Tiny(9)
	orig, _ := readRecord(t, out)
	if ok, db := b.DrawsPicture(painted, orig.Tokens); !ok {
		t.Fatalf("the test's picture is changed too much (%.1f dB) to need the hash", db)
	}
	code, stdout, stderr := run(t, "score", "--model", model, "--json", changed)
	var line scoreLine
	if err := json.Unmarshal([]byte(stdout), &line); code != 0 || err != nil || line.Source != "pixels" || !strings.Contains(stderr, "it was changed since; its pixels are read instead") {
		t.Errorf("changed: exit %d, source %q, stderr %q", code, line.Source, stderr)
	}
	if code, stdout, stderr := run(t, "info", changed); code != 0 || !strings.Contains(stdout, "no longer this picture's") {
		t.Errorf("info of the changed picture: exit %d, %q, %q", code, stdout, stderr)
	}
	// The file as written keeps its codes, and info says nothing of it.
	code, stdout, stderr = run(t, "score", "--model", model, "--json", out)
	line = scoreLine{}
	if err := json.Unmarshal([]byte(stdout), &line); code != 0 || err != nil || line.Source != "metadata" || strings.Contains(stderr, "instead") {
		t.Errorf("unchanged: exit %d, source %q, stderr %q", code, line.Source, stderr)
	}
	if code, stdout, _ := run(t, "info", out); code != 0 || strings.Contains(stdout, "no longer") {
		t.Errorf("info of the picture as written: exit %d, %q", code, stdout)
	}
	// A script reads the same from info --json (it had no field for it),
	// and a file whose hash was dropped with its pixels swapped is said to
	// be unchecked, not taken for the record's picture.
	unhashed := filepath.Join(t.TempDir(), "unhashed.png")
	delete(text, pngmeta.KeyPixels)
	var buf bytes.Buffer
	if err := pngmeta.Encode(&buf, painted, text); err != nil { // Encode adds no hash
		t.Fatal(err)
	}
	if err := os.WriteFile(unhashed, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// Its pixel data damaged: its text is read, its pixels are not
	// ("matches" was said beside pixels_error).
	cut := filepath.Join(t.TempDir(), "cut.png")
	whole, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(whole, []byte("IDAT")) // its data garbled, its checksum made again
	n := int(binary.BigEndian.Uint32(whole[at-4:]))
	for i := at + 14; i < at+22 && i < at+4+n; i++ {
		whole[i] ^= 0xff
	}
	binary.BigEndian.PutUint32(whole[at+4+n:], crc32.ChecksumIEEE(whole[at:at+4+n]))
	if err := os.WriteFile(cut, whole, 0o644); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{out: recordMatches, changed: recordRepainted, unhashed: recordUnchecked, cut: recordUnreadable} {
		code, stdout, _ := run(t, "info", "--json", path)
		var got struct {
			Status string `json:"record_status"`
		}
		if err := json.Unmarshal([]byte(stdout), &got); (code != 0) != (path == cut) || err != nil || got.Status != want {
			t.Errorf("info --json %s: exit %d, record_status %q, want %q (%v)", filepath.Base(path), code, got.Status, want, err)
		}
	}
	if code, stdout, _ := run(t, "info", unhashed); code != 0 || !strings.Contains(stdout, "cannot be checked") {
		t.Errorf("info of a picture without its pixel hash: exit %d, %q", code, stdout)
	}
}

// TestRecordedModelIsTheDefault: without --model, score (and branch,
// extend, describe, timelapse) open the built-in model an image's record
// names, not the default emoji model.
func TestRecordedModelIsTheDefault(t *testing.T) {
	out := filepath.Join(t.TempDir(), "digit.png")
	if code, _, stderr := run(t, "generate", "--model", "mnist", "--prompt", "digit 3", "--seed", "1", "--out", out, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, stderr := run(t, "score", "--json", out)
	var line scoreLine
	if err := json.Unmarshal([]byte(stdout), &line); code != 0 || err != nil {
		t.Fatalf("exit %d, %v: %s", code, err, stderr)
	}
	if !strings.Contains(stderr, "model mnist, as recorded") || strings.Contains(stderr, "warning") || line.Source != "metadata" || line.Prompt != "digit 3" {
		t.Errorf("score of an mnist image without --model: %+v, stderr %q", line, stderr)
	}
	// A record naming mnist with other weights (a model trained into
	// runs/mnist, whose folder name the record keeps) is refused as a model
	// that is not built in is, asking for --model (score printed the
	// built-in's figures with exit 0, and branch drew with it); --model
	// mnist reads it with the built-in all the same. Images naming different models are each read
	// with their own (the default read the digit as an emoji, at 8 bits a
	// token), as alone.
	rec, _ := readRecord(t, out)
	rec.ModelHash = "0123456789"
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "other.png")
	if err := pngmeta.WriteFileAtomic(other, img, pngmeta.Metadata(*rec)); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := run(t, "score", other); code == 0 || stdout != "" || !strings.Contains(stderr, "was made by a model named mnist whose weights are not the built-in mnist's") || !strings.Contains(stderr, "--model mnist reads it") {
		t.Errorf("another model's hash: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if code, _, stderr := run(t, "branch", "--from", other, "--at", "3", "--out", filepath.Join(t.TempDir(), "b.png")); code == 0 || !strings.Contains(stderr, "whose weights are not the built-in mnist's") {
		t.Errorf("branch of another model's picture: exit %d, stderr %q", code, stderr)
	}
	if code, stdout, stderr := run(t, "score", "--model", "mnist", other); code != 0 || stdout == "" {
		t.Errorf("--model mnist: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	// In a batch each picture is judged by its own record, whichever
	// comes first (the first one's hash stood for all: the built-in's own
	// digit was refused after the other, the other read after the digit).
	for _, order := range [][]string{{other, out}, {out, other}} {
		code, stdout, stderr := run(t, append([]string{"score"}, order...)...)
		if code == 0 || !strings.Contains(stdout, out+"\t") || strings.Contains(stdout, other+"\t") ||
			!strings.Contains(stderr, other+" was made by a model named mnist whose weights are not") || strings.Contains(stderr, out+" was made by") {
			t.Errorf("score %v: exit %d, stdout %q, stderr %q", order, code, stdout, stderr)
		}
	}
	emoji := filepath.Join(t.TempDir(), "emoji.png")
	if code, _, stderr := run(t, "generate", "--prompt", "red apple", "--seed", "1", "--out", emoji, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	_, alone, _ := run(t, "score", "--json", emoji)
	code, stdout, stderr = run(t, "score", "--json", out, emoji)
	if code != 0 || !strings.Contains(stderr, "the images record different models (mnist, emoji): each is read with its own") {
		t.Errorf("images of two models: exit %d, stderr %q", code, stderr)
	}
	var emojiAlone scoreLine
	if err := json.Unmarshal([]byte(alone), &emojiAlone); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	for i, want := range []scoreLine{line, emojiAlone} {
		var got scoreLine
		if i >= len(lines) || json.Unmarshal([]byte(lines[i]), &got) != nil || got.Model != want.Model || got.BitsPerToken != want.BitsPerToken || got.Prompt != want.Prompt {
			t.Errorf("two models' images scored together:\n%s\nwant image %d as alone: %+v", stdout, i+1, want)
		}
	}
	if line.Model != "mnist" || emojiAlone.Model != "emoji" {
		t.Errorf("models %q and %q", line.Model, emojiAlone.Model)
	}
}

func TestErrorsGoToStderrWithStatus(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nothing")
	dirPNG := filepath.Join(t.TempDir(), "folder.png")
	if err := os.Mkdir(dirPNG, 0o755); err != nil {
		t.Fatal(err)
	}
	picture := filepath.Join(t.TempDir(), "p.png")
	writePNG(t, picture, 8, 8)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"generate", "--model", missing}, 1, "nothing"},
		{[]string{"generate", "--model", "no-such-builtin"}, 1, "no built-in model"},
		{[]string{"frobnicate"}, 2, "unknown command \"frobnicate\"\n"},
		{[]string{"generat"}, 2, "unknown command \"generat\": did you mean generate?"},
		{[]string{"tokenise"}, 2, "did you mean tokenize?"},
		{[]string{"no-such-cat.png"}, 2, "no-such-cat.png: no such file or folder"},
		{[]string{"info", "-dash.png"}, 2, "-dash.png is read as a flag: write ./-dash.png for a file of that name"},
		{[]string{"info", "--dash.png"}, 2, "--dash.png is read as a flag: write ./--dash.png for a file of that name"},
		{[]string{"app.go"}, 2, "app.go is no picture Tessera opens"},
		{[]string{missing + "/"}, 2, "no such file or folder"},
		{[]string{"generate", "--model", "../testdata/imagegpt/vector1", "--scale", "20"}, 2, "--scale"},
		{[]string{"generate", "--model", "../testdata/imagegpt/vector1", "--temperature", "-1", "--out", filepath.Join(t.TempDir(), "x.png")}, 2, "--temperature: temperature -1 must be in [0, 100]"},
		{[]string{"score", "--model", "../testdata/imagegpt/vector1"}, 2, "no images"},
		{[]string{"generate", "--model", "../testdata/imagegpt/vector1", "--out", "../testdata"}, 2, `--out "../testdata" is a folder: give a file name in it ending in .png`},
		// Numbers out of range fail before any work, naming the flag and
		// the range (a huge --cell or --scale once ran out of memory, and
		// --eval-every 0 divided by zero).
		{[]string{"sheet", "--model", "../testdata/imagegpt/vector1", "--prompt", "x", "--cell", "100000"}, 2, "--cell: must be between 8 and 1024"},
		{[]string{"extend", "--from", "x.png", "--rows", "1", "--scale", "3000"}, 2, "--scale: must be between 1 and 16"},
		{[]string{"train-tokenizer", "--out", missing, "--eval-every", "0"}, 2, "--eval-every: must be between 1"},
		{[]string{"train", "--out", missing, "--lr", "NaN"}, 2, "--lr: must be a finite number"},
		{[]string{"train", "--out", missing, "--lr", "-1"}, 2, "--lr: must be above 0"},
		{[]string{"eval-prompts", "--model", "../testdata/imagegpt/vector1", "--seeds", "0"}, 2, "--seeds: must be between 1"},
		{[]string{"generate", "--top-k", "9223372036854775808"}, 2, "--top-k: 9223372036854775808 is too large: at most 1073741824"},
		// A 0 the sampler reads as not given is refused (--guidance 0 drew
		// at guidance 1 and recorded 0), naming what not given is for the
		// model (it said 1 where the edit model's default is 1.5).
		{[]string{"generate", "--guidance", "0", "--out", filepath.Join(t.TempDir(), "x.png")}, 2, "--guidance: 0 is read as not given, which for model emoji is 3: give a value above 0 (1 is off; a sample without the prompt is --prompt \"\")"},
		{[]string{"generate", "--top-p", "0", "--out", filepath.Join(t.TempDir(), "x.png")}, 2, "--top-p: 0 is read as not given, which for model emoji is 1: give a value above 0"},
		{[]string{"edit", "--from", picture, "--instruction", "mirror it", "--image-guidance", "0", "--out", filepath.Join(t.TempDir(), "x.png")}, 2, "--image-guidance: 0 is read as not given, which for model edit is 1.5: give a value above 0 (1 is off)\n"},
		{[]string{"edit", "--from", picture, "--instruction", "mirror it", "--guidance", "0", "--out", filepath.Join(t.TempDir(), "x.png")}, 2, "--guidance: 0 is read as not given, which for model edit is 1.5: give a value above 0 (1 is off)\n"},
		// An output folder that does not exist is reported before sampling.
		{[]string{"generate", "--model", "../testdata/imagegpt/vector1", "--out", filepath.Join(missing, "x.png")}, 1, "does not exist"},
		{[]string{"timelapse", "--from", "x.png", "--out", "x.png"}, 2, "must end in .gif"},
		{[]string{"generate", "--prompt", "rocket", "--out", filepath.Join(missing, ".PNG")}, 2, "has no name before .png"},
		{[]string{"generate", "--prompt", "rocket", "--out", strings.Repeat("a", 240) + ".png"}, 2, "is 244 bytes long; give one of at most 239"},
		{[]string{"generate", "--prompt", "cat \xff\xfe face", "--out", "x.png"}, 2, "is not UTF-8 text"},
		{[]string{"edit", "--instruction", "mirror \xff", "--from", "x.png", "--out", "x.png"}, 2, "is not UTF-8 text"},
		{[]string{"score", "--precision", "bogus", "x.png"}, 2, "score measures one precision: f32, f16 or int8"},
		{[]string{"generate", "--model", "../testdata/imagegpt/vector1", "--out", dirPNG}, 1, "is a folder"},
		{[]string{"generate", "--model", "../testdata/imagegpt/vector1", "--out", "/proc/x.png"}, 1, "cannot write in /proc"},
		// Flags that would be ignored or contradict each other are refused.
		{[]string{"train", "--out", missing, "--tokenizer", missing, "--patch", "2"}, 2, "--patch: the image size, patch and codebook are the tokenizer's"},
		{[]string{"train", "--out", missing, "--init", "emoji", "--width", "64"}, 2, "--width: a fine-tune keeps"},
		{[]string{"bench", "--model", "mnist", "--random", "small"}, 2, "not both"},
		{[]string{"bench", "--random", "small", "--batch", "3"}, 2, "--batch 3"},
		{[]string{"sheet", "--prompt", "x", "--prompts", missing}, 2, "not both"},
		{[]string{"sheet", "--prompt", "x", "--styles", "all", "--seeds", "3"}, 2, "--seeds and --styles"},
		{[]string{"generate", "--seed", "-5"}, 2, "--seed: must be a whole number from 0"},
		{[]string{"generate", "--seed", "0x10"}, 2, "--seed: must be a whole number from 0"}, // decimal only: "010" is 10
		// Whole-number flags read decimal alone, as --seed does (Go's flag
		// package read "010" as octal 8 and "0x2" as 2), and a number past
		// float64's range is out of range, not "not a number".
		{[]string{"generate", "--batch", "0x2"}, 2, "--batch: not a whole number (in decimal)"},
		{[]string{"generate", "--batch", "99999999999999999999"}, 2, "--batch: must be between 1 and"},
		{[]string{"branch", "--from", "x.png", "--at", "0x2"}, 2, "--at: not a whole number (in decimal)"},
		{[]string{"generate", "--temperature", "1e309"}, 2, "--temperature: temperature +Inf must be in [0, 100]"},
		{[]string{"train", "--out", missing, "--lr", "1e309"}, 2, "--lr: must be between 0 and"},
		// Flags a command would ignore are not offered, or refused.
		{[]string{"sheet", "--prompt", "x", "--batch", "3"}, 2, "flag provided but not defined: --batch"},
		{[]string{"edit", "--from", "x.png", "--instruction", "mirror it", "--style-per-seed", "1"}, 2, "flag provided but not defined: --style-per-seed"},
		// An unknown flag that is another command's name for one of this
		// command's, or a typo of one, gets a suggestion.
		{[]string{"generate", "--prompt", "x", "--candidates", "2"}, 2, "flag provided but not defined: --candidates (did you mean --batch?)"},
		{[]string{"edit", "--from", "x.png", "--instruction", "mirror it", "--batch", "2"}, 2, "flag provided but not defined: --batch (did you mean --candidates?)"},
		{[]string{"generate", "--promt", "x"}, 2, "flag provided but not defined: --promt (did you mean --prompt?)"},
		{[]string{"generate", "--prompt"}, 2, "flag needs an argument: --prompt"},
		{[]string{"score", "--json=yes", "x.png"}, 2, `invalid boolean value "yes" for --json`},
		{[]string{"generate", "--seed", "5 for -1"}, 2, `invalid value "5 for -1" for flag --seed`},
		{[]string{"generate", "--seed", "x for -y: z"}, 2, `invalid value "x for -y: z" for flag --seed`},
		{[]string{"generate", "--prömpt", "x"}, 2, "flag provided but not defined: --prömpt"},
		{[]string{"eval-prompts", "--prompt", "cat face"}, 2, "--prompt: eval-prompts samples its own list of names"},
		{[]string{"eval-shapes", "--prompt", "red circle"}, 2, "--prompt: eval-shapes samples the held-out captions"},
		{[]string{"eval-shapes"}, 2, "--model M is required: a model trained on the shapes data"},
		{[]string{"train", "--init", "", "--out", filepath.Join(t.TempDir(), "run")}, 2, "--init needs a model to fine-tune"},
		{[]string{"train", "--force", "--out", filepath.Join(t.TempDir(), "run")}, 2, "--force goes with --export-final"},
		{[]string{"train", "--tokenizer", missing, "--out", filepath.Join(t.TempDir(), "run")}, 2, "there is no such folder"},
		{[]string{"train", "--tokenizer", t.TempDir(), "--out", filepath.Join(t.TempDir(), "run")}, 2, "no ViT tokenizer there (tokenizer_config.json and tokenizer.safetensors"},
		{[]string{"train", "--data", "shapes", "--steps", "0", "--epochs", "0", "--minutes", "0", "--out", filepath.Join(t.TempDir(), "run")}, 2, "--steps, --epochs and --minutes are all 0"},
		// A prompt of unknown words only is refused, as in the studio.
		{[]string{"generate", "--prompt", "xyzzy plugh", "--out", filepath.Join(t.TempDir(), "x.png")}, 1, "knows none of the prompt's words (\"xyzzy\", \"plugh\")"},
		{[]string{"generate", "--prompt", strings.Repeat("x", 100000), "--out", filepath.Join(t.TempDir(), "x.png")}, 1, "knows none of the prompt's words (\"" + strings.Repeat("x", 40) + "… (100000 characters)\")"},
		// A misspelt word gets a suggestion.
		{[]string{"generate", "--prompt", "catt", "--out", filepath.Join(t.TempDir(), "x.png")}, 1, "knows none of the prompt's words (\"catt\") (did you mean: catt → cat?)"},
	}
	for _, c := range cases {
		code, _, stderr := run(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, stderr, c.code, c.want)
		}
	}
	// Every file of a batch is checked before sampling: a name that is a
	// folder stops the run before it writes anything; a batch's base name
	// is not written, so it may be a folder.
	batchDir := t.TempDir()
	if err := os.Mkdir(filepath.Join(batchDir, "b-2.png"), 0o755); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "generate", "--model", "../testdata/imagegpt/vector1", "--batch", "3", "--out", filepath.Join(batchDir, "b.png")); code != 1 || !strings.Contains(stderr, "b-2.png\" is a folder") {
		t.Errorf("a batch with a folder in its way: exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(batchDir, "b-1.png")); err == nil {
		t.Error("the batch wrote b-1.png before failing on b-2.png")
	}
	if err := os.Mkdir(filepath.Join(batchDir, "f.png"), 0o755); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "generate", "--model", "../testdata/imagegpt/vector1", "--batch", "2", "--out", filepath.Join(batchDir, "f.png")); code != 0 {
		t.Errorf("a batch whose base name is a folder (only f-1.png, f-2.png are written): exit %d, %q", code, stderr)
	}
	// A zero-padded seed is the decimal number (it was read as octal).
	padded := filepath.Join(t.TempDir(), "padded.png")
	if code, stdout, stderr := run(t, "generate", "--model", "../testdata/imagegpt/vector1", "--seed", "010", "--out", padded); code != 0 || !strings.Contains(stdout, "seed 10") {
		t.Errorf("--seed 010: exit %d, %q %q; want seed 10", code, stdout, stderr)
	}
	// The knobs' help names what a run uses when a knob is not given (the
	// model's recommended value), not the placeholder: "(default 1)" read
	// as "guidance is off".
	code, stdout, stderr := run(t, "generate", "--help")
	if code != 0 {
		t.Errorf("generate --help: exit %d", code)
	}
	for _, line := range strings.Split(stdout+stderr, "\n") {
		if (strings.Contains(line, "sampling temperature") || strings.Contains(line, "classifier-free guidance scale")) &&
			(strings.Contains(line, "(default") || !strings.Contains(line, "not given: the model's recommended value")) {
			t.Errorf("generate --help shows a placeholder default: %q", line)
		}
	}
	// A broken image is reported by name; the other images are still scored.
	broken := filepath.Join(t.TempDir(), "broken.png")
	os.WriteFile(broken, []byte("\x89PNG\r\n\x1a\nnot really"), 0o644)
	code, _, stderr = run(t, "score", "--model", "../testdata/imagegpt/vector1", broken)
	if code != 1 || !strings.Contains(stderr, "broken.png") {
		t.Errorf("broken image: exit %d, stderr %q", code, stderr)
	}
	// A corrupt weights file names the file.
	dir := tinyModel(t)
	os.WriteFile(filepath.Join(dir, "model.safetensors"), []byte("garbage"), 0o644)
	code, _, stderr = run(t, "info", "--model", dir)
	if code != 1 || !strings.Contains(stderr, "model.safetensors") {
		t.Errorf("corrupt weights: exit %d, stderr %q", code, stderr)
	}
}

// info --model DIR describes a model, and so does info DIR (a newcomer
// was told the folder "is not an image file").
func TestInfoDescribesModel(t *testing.T) {
	dir := tinyModel(t)
	run0 := t.TempDir() // a training run's folder: its model is run/model
	if err := os.CopyFS(filepath.Join(run0, "model"), os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"info", "--model", dir}, {"info", dir}, {"info", run0}} {
		code, stdout, stderr := run(t, args...)
		if code != 0 {
			t.Fatalf("%v: %s", args, stderr)
		}
		for _, want := range []string{"8×8 pixels", "16 entries", "6 words known", "cat"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("%v lacks %q:\n%s", args, want, stdout)
			}
		}
	}
	// A built-in model's name given as an argument describes it (it was
	// read as an image file); a folder that holds no model says so, with
	// and without --model (a raw "open …/config.json" error).
	t.Chdir(t.TempDir())
	if code, stdout, stderr := run(t, "info", "mnist"); code != 0 || !strings.Contains(stdout, "model       mnist") {
		t.Errorf("info mnist: exit %d, %q, %q", code, stdout, stderr)
	}
	// Bare info describes the default model and names it in the command
	// that prints its card ("tessera info --model  --card" failed).
	if code, stdout, stderr := run(t, "info"); code != 0 || !strings.Contains(stdout, "tessera info --model emoji --card)") {
		t.Errorf("info: exit %d, %q, %q", code, stdout, stderr)
	}
	// --card of a model folder without MODEL.md says there is none (it
	// printed the rest without a word of the card).
	if code, stdout, stderr := run(t, "info", "--card", "--model", dir); code != 0 || !strings.Contains(stdout, "model card  none: there is no MODEL.md in "+dir) {
		t.Errorf("info --card of a folder without a card: exit %d, %q, %q", code, stdout, stderr)
	}
	empty := t.TempDir()
	for _, args := range [][]string{{"info", empty}, {"info", "--model", empty}, {"generate", "--model", empty, "--prompt", "cat", "--out", filepath.Join(empty, "x.png")}} {
		if code, _, stderr := run(t, args...); code != 1 || !strings.Contains(stderr, "not a model folder") && !strings.Contains(stderr, "neither a model folder") {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
	}
}

// info IMAGE prints what an image records; a file that is not an image,
// or --model beside images, is refused.
func TestInfoDescribesImages(t *testing.T) {
	model := tinyModel(t)
	out := filepath.Join(t.TempDir(), "img.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat", "--seed", "7", "--out", out, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	plain := filepath.Join(t.TempDir(), "plain.png")
	f, _ := os.Create(plain)
	png.Encode(f, image.NewNRGBA(image.Rect(0, 0, 3, 2)))
	f.Close()
	code, stdout, stderr := run(t, "info", out, plain)
	if code != 0 {
		t.Fatal(stderr)
	}
	for _, want := range []string{out + ": PNG, 8×8 pixels", `prompt      "red cat"`, "seed        7", "model       tiny", "codes       16 (4×4 patches of 2 px)", plain + ": PNG, 3×2 pixels", "no Tessera record"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("info lacks %q:\n%s", want, stdout)
		}
	}
	// Tessera's parameters text alone (the JSON record dropped by another
	// program) is named Tessera's; another tool's is another tool's.
	text, err := pngmeta.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lone, other := filepath.Join(t.TempDir(), "lone.png"), filepath.Join(t.TempDir(), "other.png")
	pic := loadNRGBA(t, out)
	if err := pngmeta.WriteFileAtomic(lone, pic, map[string]string{pngmeta.KeyParameters: text[pngmeta.KeyParameters]}); err != nil {
		t.Fatal(err)
	}
	if err := pngmeta.WriteFileAtomic(other, pic, map[string]string{pngmeta.KeyParameters: "a cat\nSteps: 20, Sampler: Euler a, Seed: 3"}); err != nil {
		t.Fatal(err)
	}
	if _, stdout, _ := run(t, "info", lone, other); !strings.Contains(stdout, "parameters (Tessera's, without its codes") || strings.Count(stdout, "another tool's") != 1 {
		t.Errorf("parameters texts:\n%s", stdout)
	}
	// A studio export's parent is the studio's saved copy of the same
	// picture: said so, not "made from" (which read as made from itself).
	rec, ok, err := pngmeta.ParseRecord(text)
	if err != nil || !ok {
		t.Fatalf("the generated record: %v %v", ok, err)
	}
	// How it was made from its parent, in the info and in the parameters
	// text (a masked regeneration's prompt and seed alone do not make it).
	made := map[string]string{
		"copy":       "exported    from tessera-1.png, a file of this very picture (its record says what it was made from)\n  made        3 of 16 patches of photo.png regenerated",
		"export":     "made from   tessera-1.png",
		"branch":     "made from   the first 6 of 16 patches of tessera-1.png kept, the rest sampled",
		"regenerate": "made from   3 of 16 patches of tessera-1.png regenerated",
	}
	for kind, want := range made {
		r := *rec
		r.Parent, r.Extra = "tessera-1.png", map[string]any{"kind": kind, "at": 6, "mask": "1000000000000011"}
		if kind == "copy" { // an export of its parent's very codes
			r.Extra = map[string]any{"kind": "export", pngmeta.ExtraSameAsParent: true, pngmeta.ExtraMadeFrom: "3 of 16 patches of photo.png regenerated"}
		}
		if params := pngmeta.Metadata(r)[pngmeta.KeyParameters]; kind != "export" && !strings.Contains(params, "Made from: ") {
			t.Errorf("kind %s: parameters %q say nothing of how it was made", kind, params)
		}
		path := filepath.Join(t.TempDir(), kind+".png")
		if err := pngmeta.WriteFileAtomic(path, pic, pngmeta.Metadata(r)); err != nil {
			t.Fatal(err)
		}
		if _, stdout, _ := run(t, "info", path); !strings.Contains(stdout, want) {
			t.Errorf("a record of kind %s with a parent:\n%s", kind, stdout)
		}
	}
	code, stdout, _ = run(t, "info", "--json", out)
	var obj struct {
		Record pngmeta.Record `json:"record"`
		Width  int            `json:"width"`
	}
	if err := json.Unmarshal([]byte(stdout), &obj); code != 0 || err != nil || obj.Record.Seed != 7 || obj.Width != 8 {
		t.Errorf("--json: exit %d, %v, %+v", code, err, obj)
	}
	bad := filepath.Join(t.TempDir(), "bad.png")
	os.WriteFile(bad, []byte("not a picture"), 0o644)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"info", filepath.Join(t.TempDir(), "missing.png")}, 1, "missing.png: no such file"},
		{[]string{"info", bad}, 1, "bad.png is not a picture Tessera reads"},
		{[]string{"info", "--model", model, out}, 2, "give one or the other"},
	} {
		if code, _, stderr := run(t, c.args...); code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", c.args, code, stderr, c.code, c.want)
		}
	}
	// The path said once, and the count in words.
	missing := filepath.Join(t.TempDir(), "gone.png")
	if _, _, stderr := run(t, "info", missing); strings.Count(stderr, "gone.png") != 1 || !strings.Contains(stderr, "the image could not be read") {
		t.Errorf("a missing image: %q", stderr)
	}
	if _, _, stderr := run(t, "info", missing, bad); !strings.Contains(stderr, "none of the 2 images could be read") {
		t.Errorf("two unreadable images: %q", stderr)
	}
}

func TestBranchKeepsPrefix(t *testing.T) {
	model := tinyModel(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "src.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat", "--seed", "2", "--out", src, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	out := filepath.Join(dir, "br.png")
	code, _, stderr := run(t, "branch", "--model", model, "--from", src, "--at", "7", "--seed", "40", "--batch", "3", "--out", out, "--quiet")
	if code != 0 {
		t.Fatal(stderr)
	}
	parent, _ := readRecord(t, src)
	differs := false
	for i := 1; i <= 3; i++ {
		rec, _ := readRecord(t, filepath.Join(dir, "br-"+string(rune('0'+i))+".png"))
		if !slices.Equal(rec.Tokens[:7], parent.Tokens[:7]) {
			t.Fatalf("branch %d changed the first 7 patches", i)
		}
		if rec.Prompt != "red cat" || rec.Parent != "src.png" || rec.Settings.StylePerSeed != 0 {
			t.Errorf("branch %d: prompt %q parent %q style per seed %d (none is drawn)", i, rec.Prompt, rec.Parent, rec.Settings.StylePerSeed)
		}
		// The patches kept are recorded, as the studio records a branch's.
		if got := rec.MadeFrom(); got != "the first 7 of 16 patches of src.png kept, the rest sampled" {
			t.Errorf("branch %d: made from %q", i, got)
		}
		differs = differs || !slices.Equal(rec.Tokens, parent.Tokens)
	}
	if !differs {
		t.Error("no branch differs from its parent")
	}
	// Branched at patch 0, nothing is kept: said so, and recorded so (it
	// said "part of src.png kept, the rest sampled").
	whole := filepath.Join(dir, "whole.png")
	code, _, stderr = run(t, "branch", "--model", model, "--from", src, "--at", "0", "--seed", "40", "--out", whole, "--quiet")
	if code != 0 || !strings.Contains(stderr, "kept none of the 16 patches of "+src+": resampled whole from its prompt and settings") {
		t.Fatalf("branch --at 0: exit %d, %q", code, stderr)
	}
	if code, stdout, _ := run(t, "info", whole); code != 0 || !strings.Contains(stdout, "made from   src.png resampled whole from its prompt and settings, no patch kept") {
		t.Errorf("info of a branch at 0: exit %d, %q", code, stdout)
	}
	// An A1111 picture's negative prompt, taken with its prompt, is warned
	// of as generate --negative is (its unknown words were dropped
	// without a word).
	a1111 := filepath.Join(dir, "a1111.png")
	f, err := os.Create(a1111)
	if err != nil {
		t.Fatal(err)
	}
	if err := pngmeta.Encode(f, imagetest.Random(8, 8, 1), map[string]string{pngmeta.KeyParameters: "red cat\nNegative prompt: blurry, ugly\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 8x8"}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	code, _, stderr = run(t, "branch", "--model", model, "--from", a1111, "--at", "3", "--guidance", "2", "--out", filepath.Join(dir, "neg.png"), "--quiet")
	if code != 0 || !strings.Contains(stderr, `warning: the model does not know "blurry", "ugly"; left out of the negative prompt`) {
		t.Errorf("branch from an A1111 picture with a negative prompt: exit %d, %q", code, stderr)
	}
	code, _, stderr = run(t, "branch", "--model", model, "--from", src, "--at", "7", "--style-per-seed", "1", "--out", out, "--quiet")
	if code != 2 || !strings.Contains(stderr, "a style per seed is for new images") {
		t.Errorf("branch --style-per-seed 1: exit %d, %q", code, stderr)
	}
	// Keeping every patch or more is a usage error, as a negative --at is.
	code, _, stderr = run(t, "branch", "--model", model, "--from", src, "--at", "16", "--out", out, "--quiet")
	if code != 2 || !strings.Contains(stderr, "--at 16: the image has 16 patches; keep 0 to 15 of them") {
		t.Errorf("branch --at 16: exit %d, %q", code, stderr)
	}
	// Without --at the error names the flag, not its hidden default.
	code, _, stderr = run(t, "branch", "--model", model, "--from", src, "--out", out, "--quiet")
	if code != 2 || !strings.Contains(stderr, "--at K is required") || strings.Contains(stderr, "-1") {
		t.Errorf("branch without --at: exit %d, %q", code, stderr)
	}
}

func TestExtendAndTimelapse(t *testing.T) {
	model := tinyModel(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "src.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "cat", "--seed", "3", "--out", src, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	tall := filepath.Join(dir, "tall.png")
	if code, stdout, stderr := run(t, "extend", "--model", model, "--from", src, "--rows", "3", "--seed", "9", "--out", tall, "--quiet"); code != 0 || stdout != tall+"\tseed 9\t7 rows (was 4)\n" || stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	parent, _ := readRecord(t, src)
	rec, _ := readRecord(t, tall)
	if rec.Grid != [2]int{7, 4} || len(rec.Tokens) != 28 || !slices.Equal(rec.Tokens[:16], parent.Tokens) {
		t.Fatalf("extended record grid %v, %d tokens", rec.Grid, len(rec.Tokens))
	}
	// Its lineage and the stride it was drawn with are recorded.
	if got := rec.MadeFrom(); got != "src.png grown by 3 patch rows" || rec.ExtraInt(pngmeta.ExtraStride) != 2 {
		t.Errorf("extended: made from %q, stride %d (the 4-row grid's default is 2)", got, rec.ExtraInt(pngmeta.ExtraStride))
	}
	// Extended by a model that knows none of the picture's words, it is
	// refused, as generate refuses such a prompt; with --prompt "" it is
	// drawn and recorded without them (the words were recorded).
	other := filepath.Join(dir, "other.png")
	if code, _, stderr := run(t, "extend", "--model", "mnist", "--from", src, "--rows", "1", "--out", other, "--quiet"); code != 1 || !strings.Contains(stderr, `knows none of the words of the picture's prompt ("cat")`) {
		t.Fatalf("extend by mnist: exit %d, %q", code, stderr)
	}
	if code, _, stderr := run(t, "extend", "--model", "mnist", "--from", src, "--rows", "1", "--out", other, "--quiet", "--prompt", ""); code != 0 {
		t.Fatalf("extend by mnist, --prompt \"\": exit %d, %q", code, stderr)
	}
	if r, _ := readRecord(t, other); r.Prompt != "" {
		t.Errorf("extended by a model that knows none of its words: prompt %q recorded", r.Prompt)
	}
	// Extending the tall image again starts from all 7 rows.
	taller := filepath.Join(dir, "taller.png")
	if code, _, stderr := run(t, "extend", "--model", model, "--from", tall, "--rows", "2", "--out", taller); code != 0 {
		t.Fatal(stderr)
	}
	rec2, _ := readRecord(t, taller)
	if rec2.Grid[0] != 9 || !slices.Equal(rec2.Tokens[:28], rec.Tokens) {
		t.Fatalf("second extension grid %v", rec2.Grid)
	}
	if cfg, err := decodeConfig(taller); err != nil || cfg.Height != 18 {
		t.Errorf("height %d, want 18", cfg.Height)
	}
	// --json: one object with what the text line says.
	code, stdout, _ := run(t, "extend", "--model", model, "--from", src, "--rows", "1", "--seed", "9", "--out", taller, "--quiet", "--json")
	if want := `{"path":` + jsonString(taller) + `,"seed":9,"prompt":"cat","rows":5,"rows_before":4,"stopped":false}` + "\n"; code != 0 || stdout != want {
		t.Errorf("extend --json: exit %d\n%s\nwant\n%s", code, stdout, want)
	}
	// Commands that take one model-sized image refuse a tall one by name
	// (its pixels squashed to the model's size were another picture).
	if code, _, stderr := run(t, "branch", "--at", "3", "--out", filepath.Join(dir, "b.png"), "--model", model, "--from", tall); code == 0 ||
		!strings.Contains(stderr, "7 patch rows tall") || !strings.Contains(stderr, "only extend, timelapse and score take it") {
		t.Errorf("branch on a tall image: exit %d, %q", code, stderr)
	}
	// score takes it window by window: its first 4 rows as the image it
	// grew from, each step of extend's rows under the rows above them.
	scored := func(args ...string) scoreLine {
		t.Helper()
		code, stdout, stderr := run(t, append([]string{"score", "--model", model, "--json", "--prompt", "cat"}, args...)...)
		var l scoreLine
		if code != 0 || json.Unmarshal([]byte(stdout), &l) != nil {
			t.Fatalf("score %v: exit %d, %q %q", args, code, stdout, stderr)
		}
		return l
	}
	whole, top := scored(tall), scored(src)
	// Read in the windows extend drew it in: its recorded stride, which
	// --stride gives too; a row at a time (stride 1) reads it otherwise.
	if again, rows1 := scored("--stride", "2", tall), scored("--stride", "1", tall); !slices.Equal(again.PerTokenNLL, whole.PerTokenNLL) || slices.Equal(rows1.PerTokenNLL, whole.PerTokenNLL) {
		t.Errorf("a tall image scored with its recorded stride %v, --stride 2 %v, --stride 1 %v", whole.PerTokenNLL[16:], again.PerTokenNLL[16:], rows1.PerTokenNLL[16:])
	}
	if whole.Rows != 7 || whole.Tokens != 28 || len(whole.PerTokenNLL) != 28 || !slices.Equal(whole.PerTokenNLL[:16], top.PerTokenNLL) {
		t.Fatalf("a tall image scored: rows %d, %d tokens, %d values; first 16 %v, want %v", whole.Rows, whole.Tokens, len(whole.PerTokenNLL), whole.PerTokenNLL[:min(16, len(whole.PerTokenNLL))], top.PerTokenNLL)
	}
	var sum float64
	for _, v := range whole.PerTokenNLL {
		sum += v
	}
	if math.Abs(sum-whole.NLLNats) > 1e-9*math.Max(1, sum) {
		t.Fatalf("NLL %g, per-token sum %g", whole.NLLNats, sum)
	}
	tallMap := filepath.Join(dir, "tall-map.png")
	if code, _, stderr := run(t, "score", "--model", model, "--map", tallMap, tall); code != 0 {
		t.Fatalf("score --map of a tall image: %q", stderr)
	}
	if mc, err := decodeConfig(tallMap); err != nil || (mc.Width-3*8)/2*7/4 > mc.Height || mc.Height > (mc.Width-3*8)/2*7/4+120 {
		t.Fatalf("the map of a 7×4-patch image is %d×%d (%v): not the picture's shape with a legend under it", mc.Width, mc.Height, err)
	}
	// A tall image's time-lapse is drawn at its height, ending on it.
	tallGIF := filepath.Join(dir, "tall.gif")
	if code, _, stderr := run(t, "timelapse", "--model", model, "--from", tall, "--out", tallGIF, "--scale", "1", "--quiet"); code != 0 {
		t.Fatalf("timelapse of a tall image: exit %d, %q", code, stderr)
	}
	gf, err := os.Open(tallGIF)
	if err != nil {
		t.Fatal(err)
	}
	g, err := gif.DecodeAll(gf)
	gf.Close()
	if err != nil {
		t.Fatal(err)
	}
	tallCfg, err := decodeConfig(tall)
	if err != nil {
		t.Fatal(err)
	}
	if g.Config.Height != tallCfg.Height || len(g.Image) < 2 {
		t.Fatalf("a tall image's time-lapse is %d px high with %d frames, want %d px", g.Config.Height, len(g.Image), tallCfg.Height)
	}
	// Time-lapse: frames grow patch by patch and end on the full image.
	gifPath := filepath.Join(dir, "t.gif")
	code, stdout, stderr := run(t, "timelapse", "--model", model, "--from", src, "--out", gifPath, "--scale", "1", "--frames", "17")
	if code != 0 || !strings.Contains(stdout, "17 frames") {
		t.Fatalf("exit %d %q %q", code, stdout, stderr)
	}
	code, stdout, _ = run(t, "timelapse", "--model", model, "--from", src, "--out", gifPath, "--frames", "5", "--json", "--quiet")
	if want := `{"path":` + jsonString(gifPath) + `,"frames":5,"patches":16}` + "\n"; code != 0 || stdout != want {
		t.Errorf("timelapse --json: exit %d\n%s\nwant\n%s", code, stdout, want)
	}
	// Interrupted (Ctrl-C cancels the command's context): nothing written.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var o, e bytes.Buffer
	stopped := filepath.Join(dir, "stopped.gif")
	err = runTimelapse(ctx, Env{Stdout: &o, Stderr: &e}, []string{"--model", model, "--from", src, "--out", stopped, "--quiet"})
	if err == nil || !strings.Contains(err.Error(), "interrupted; nothing saved") {
		t.Fatalf("interrupted time-lapse: %v", err)
	}
	if _, err := os.Stat(stopped); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("an interrupted time-lapse left %s: %v", stopped, err)
	}
}

// TestHelpPrintsUsageOnce: -h prints each command's usage exactly once, on
// stdout, and exits 0.
func TestHelpPrintsUsageOnce(t *testing.T) {
	for name := range commands() {
		if name == "version" {
			continue
		}
		code, out, _ := run(t, name, "-h")
		if code != 0 || strings.Count(out, "Usage: tessera "+name) != 1 {
			t.Errorf("%s -h: exit %d, usage printed %d times", name, code, strings.Count(out, "Usage: tessera "+name))
		}
		// tessera help COMMAND prints the same.
		if code, help, _ := run(t, "help", name); code != 0 || help != out {
			t.Errorf("help %s: exit %d, %q; want %q", name, code, help, out)
		}
	}
	for _, v := range []string{"--version", "-v", "version"} {
		if code, out, _ := run(t, v); code != 0 || out != "tessera "+Version+"\n" {
			t.Errorf("%s: exit %d, %q", v, code, out)
		}
	}
}

// --style-per-seed 1 draws each image of a batch in a style of its own
// (the tiny model's style words: google, twitter), lists it, and records
// the styled prompt, which draws the same image again.
func TestGenerateStylePerSeed(t *testing.T) {
	model := tinyModel(t)
	out := filepath.Join(t.TempDir(), "img.png")
	code, stdout, stderr := run(t, "generate", "--model", model, "--prompt", "cat", "--seed", "5", "--batch", "2", "--style-per-seed", "1", "--out", out, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for i := range 2 {
		path := strings.TrimSuffix(out, ".png") + "-" + string(rune('1'+i)) + ".png"
		rec, text := readRecord(t, path)
		style := strings.TrimPrefix(rec.Prompt, "cat ")
		if style != "google" && style != "twitter" || rec.StylePerSeed != 1 || !strings.Contains(text["parameters"], "Style per seed: 1") {
			t.Fatalf("record prompt %q, style per seed %d; parameters %q", rec.Prompt, rec.StylePerSeed, text["parameters"])
		}
		if line := fmt.Sprintf("%s\tseed %d\tstyle %s\n", path, 5+i, style); !strings.Contains(stdout, line) {
			t.Errorf("stdout %q does not hold %q", stdout, line)
		}
		again := filepath.Join(t.TempDir(), "again.png")
		if code, _, stderr := run(t, "generate", "--model", model, "--prompt", rec.Prompt, "--seed", fmt.Sprint(rec.Seed), "--out", again, "--quiet"); code != 0 {
			t.Fatal(stderr)
		}
		if a, _ := readRecord(t, again); !slices.Equal(a.Tokens, rec.Tokens) {
			t.Errorf("%q seed %d drawn again differs", rec.Prompt, rec.Seed)
		}
	}
	// A style named by another of its names (data.StyleAliases) is the
	// prompt's style: none is drawn, and the image is "cat twitter"'s.
	named := filepath.Join(t.TempDir(), "named.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "cat in the twemoji style", "--seed", "5", "--style-per-seed", "1", "--out", named, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	plain := filepath.Join(t.TempDir(), "plain.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "cat twitter", "--seed", "5", "--out", plain, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	a, _ := readRecord(t, named)
	b, _ := readRecord(t, plain)
	if a.Prompt != "cat in the twemoji style" || !slices.Equal(a.Tokens, b.Tokens) {
		t.Errorf("\"cat in the twemoji style\" recorded %q, drew the image of \"cat twitter\": %v", a.Prompt, slices.Equal(a.Tokens, b.Tokens))
	}
	// Off (the tiny model's default): the prompt as typed.
	code, stdout, stderr = run(t, "generate", "--model", model, "--prompt", "cat", "--seed", "5", "--out", out, "--quiet")
	if rec, _ := readRecord(t, out); code != 0 || rec.Prompt != "cat" || strings.Contains(stdout, "style") {
		t.Fatalf("exit %d, prompt %q, stdout %q: %s", code, rec.Prompt, stdout, stderr)
	}
}

// Forgetting --prompt on a model that reads prompts is said (the sample
// is from no prompt at all); --prompt "" asks for that, and is not.
func TestGenerateWithoutAPromptSaysSo(t *testing.T) {
	model := tinyModel(t)
	out := filepath.Join(t.TempDir(), "x.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--out", out, "--quiet"); code != 0 || !strings.Contains(stderr, "note: no --prompt: a sample of model tiny from no prompt at all") {
		t.Errorf("no --prompt: exit %d, %q", code, stderr)
	}
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "", "--out", out, "--force", "--quiet"); code != 0 || strings.Contains(stderr, "no --prompt") {
		t.Errorf(`--prompt "": exit %d, %q`, code, stderr)
	}
}

// A Tessera record that names no model (written by another tool) is read
// as a picture without one, with the default model, and said so ("was
// made by model , which is not built in").
func TestRecordWithoutModelReadWithTheDefault(t *testing.T) {
	img := filepath.Join(t.TempDir(), "odd.png")
	f, err := os.Create(img)
	if err != nil {
		t.Fatal(err)
	}
	if err := pngmeta.Encode(f, image.NewNRGBA(image.Rect(0, 0, 8, 8)), map[string]string{pngmeta.KeyTessera: `{"tokens":[1,2]}`}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	code, stdout, stderr := run(t, "score", img)
	if code != 0 || !strings.Contains(stderr, "has a Tessera record that names no model: it is read with the default model") || !strings.Contains(stdout, "(pixels)") {
		t.Errorf("exit %d, %q %q", code, stdout, stderr)
	}
	// A record of nothing ("{}", "null") is a damaged one, and said so.
	for _, record := range []string{"{}", "null"} {
		f, err := os.Create(img)
		if err != nil {
			t.Fatal(err)
		}
		if err := pngmeta.Encode(f, image.NewNRGBA(image.Rect(0, 0, 8, 8)), map[string]string{pngmeta.KeyTessera: record}); err != nil {
			t.Fatal(err)
		}
		f.Close()
		code, stdout, stderr = run(t, "score", img)
		if code != 0 || !strings.Contains(stderr, "has a damaged Tessera record") || !strings.Contains(stdout, "(pixels)") {
			t.Errorf("record %s: exit %d, %q %q", record, code, stdout, stderr)
		}
		if code, stdout, _ = run(t, "info", img); !strings.Contains(stdout, "record      damaged") || strings.Contains(stdout, "without a record") {
			t.Errorf("info of record %s: exit %d, %q", record, code, stdout)
		}
	}
}

// An image made by a model from a folder names a model that is not built
// in: commands that read its model from the record refuse that image,
// saying how to pick the right model (read with the default, its figures
// were another model's, with exit 0), and go on with the others.
func TestRecordedFolderModelRefused(t *testing.T) {
	dir := tinyModel(t)
	img := filepath.Join(t.TempDir(), "made.png")
	if code, _, stderr := run(t, "generate", "--model", dir, "--prompt", "red cat", "--seed", "1", "--out", img); code != 0 {
		t.Fatalf("generate: %d %s", code, stderr)
	}
	code, stdout, stderr := run(t, "score", img)
	if code == 0 || stdout != "" || !strings.Contains(stderr, img+" was made by model tiny, which is not built in") || !strings.Contains(stderr, "pass --model") {
		t.Errorf("score of a folder model's image without --model: exit %d, %q %q", code, stdout, stderr)
	}
	if code, _, stderr := run(t, "score", "--model", dir, img); code != 0 || strings.Contains(stderr, "not built in") {
		t.Errorf("with --model given: exit %d, %q", code, stderr)
	}
	// Beside an image of a built-in model: that one is scored, this one refused.
	digit := filepath.Join(t.TempDir(), "digit.png")
	if code, _, stderr := run(t, "generate", "--model", "mnist", "--prompt", "digit 3", "--seed", "1", "--out", digit, "--quiet"); code != 0 {
		t.Fatalf("generate mnist: %d %s", code, stderr)
	}
	code, stdout, stderr = run(t, "score", "--json", digit, img)
	if code == 0 || !strings.Contains(stdout, `"model":"mnist"`) || !strings.Contains(stdout, "not built in") {
		t.Errorf("score of two images, one of a folder model: exit %d, %q %q", code, stdout, stderr)
	}
	if code, _, stderr := run(t, "tokenize", img); code == 0 || !strings.Contains(stderr, "not built in") {
		t.Errorf("tokenize of a folder model's image without --model: exit %d, %q", code, stderr)
	}
	// branch and timelapse read the image's model from its record too.
	if code, _, stderr := run(t, "branch", "--from", img, "--at", "4", "--out", filepath.Join(t.TempDir(), "b.png")); code == 0 || !strings.Contains(stderr, "not built in") {
		t.Errorf("branch from a folder model's image without --model: exit %d, %q", code, stderr)
	}
	if code, _, stderr := run(t, "timelapse", "--from", img, "--out", filepath.Join(t.TempDir(), "t.gif")); code == 0 || !strings.Contains(stderr, "not built in") {
		t.Errorf("timelapse of a folder model's image without --model: exit %d, %q", code, stderr)
	}
	// A --prompt the model knows no word of is refused, as generate refuses it.
	if code, _, stderr := run(t, "score", "--model", dir, "--prompt", "xyzzy", img); code == 0 || !strings.Contains(stderr, "knows none of --prompt's words") {
		t.Errorf("score --prompt xyzzy: exit %d, %q", code, stderr)
	}
}

// branch takes the knobs of the image it branches from only from a record
// of this model's own drawing: an edit's knobs are the edit model's.
func TestBranchIgnoresAnEditsKnobs(t *testing.T) {
	dir := tinyModel(t)
	tmp := t.TempDir()
	drawn := filepath.Join(tmp, "drawn.png")
	if code, _, stderr := run(t, "generate", "--model", dir, "--prompt", "red cat", "--seed", "1", "--temperature", "0.5", "--out", drawn); code != 0 {
		t.Fatalf("generate: %s", stderr)
	}
	branchTemp := func(from string) float64 {
		out := filepath.Join(tmp, "b-"+filepath.Base(from))
		if code, _, stderr := run(t, "branch", "--model", dir, "--from", from, "--at", "4", "--out", out, "--quiet"); code != 0 {
			t.Fatalf("branch %s: %s", from, stderr)
		}
		rec, _ := readRecord(t, out)
		return rec.Temperature
	}
	if got := branchTemp(drawn); got != 0.5 {
		t.Fatalf("a branch of a drawing took temperature %g, want its 0.5", got)
	}
	rec, text := readRecord(t, drawn)
	rec.Extra = map[string]any{"edit": map[string]any{"instruction": "mirror it"}}
	meta := pngmeta.Metadata(*rec)
	for k, v := range text {
		if _, ok := meta[k]; !ok {
			meta[k] = v
		}
	}
	img, err := codebook.LoadImage(drawn)
	if err != nil {
		t.Fatal(err)
	}
	edited := filepath.Join(tmp, "edited.png")
	if err := pngmeta.WriteFileAtomic(edited, img, meta); err != nil {
		t.Fatal(err)
	}
	if got := branchTemp(edited); got == 0.5 {
		t.Errorf("a branch of an edit's output took the edit's temperature %g", got)
	}
	// An imported picture's record claims no settings (all zero): a
	// branch of it samples with the model's own, not greedily.
	imp := *rec
	imp.Settings = sampling.Settings{}
	imp.Extra = map[string]any{pngmeta.ExtraImported: "photo.png"}
	importedPath := filepath.Join(tmp, "imported.png")
	if err := pngmeta.WriteFileAtomic(importedPath, img, pngmeta.Metadata(imp)); err != nil {
		t.Fatal(err)
	}
	if got := branchTemp(importedPath); got == 0 {
		t.Errorf("a branch of an imported picture sampled greedily (temperature %g)", got)
	}
	_, stdout, _ := run(t, "info", importedPath)
	if !strings.Contains(stdout, "imported    from photo.png") || strings.Contains(stdout, "  seed        ") {
		t.Errorf("info of an imported picture:\n%s", stdout)
	}
}

// TestGenerateTransparent: --transparent writes the picture as
// edit.TransparentBackground makes it, records it, and says it in the
// parameters; the codes are those of the same run without it.
func TestGenerateTransparent(t *testing.T) {
	model := saveModel(t, withWhite(bundletest.Tiny(9)), "tiny") // white around its pictures
	dir := t.TempDir()
	plain, clear := filepath.Join(dir, "plain.png"), filepath.Join(dir, "clear.png")
	for _, c := range []struct {
		out   string
		extra []string
	}{{plain, nil}, {clear, []string{"--transparent"}}} {
		args := append([]string{"generate", "--model", model, "--prompt", "red cat", "--seed", "3", "--scale", "2", "--out", c.out, "--quiet"}, c.extra...)
		if code, _, stderr := run(t, args...); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	}
	a, _ := readRecord(t, plain)
	b, text := readRecord(t, clear)
	if !slices.Equal(a.Tokens, b.Tokens) || b.Extra[pngmeta.ExtraTransparent] != true || a.Extra[pngmeta.ExtraTransparent] != nil {
		t.Fatalf("records: plain %v, transparent %v", a.Extra, b.Extra)
	}
	if !strings.Contains(text[pngmeta.KeyParameters], "Background: transparent") {
		t.Fatalf("parameters %q", text[pngmeta.KeyParameters])
	}
	if _, stdout, _ := run(t, "info", clear); !strings.Contains(stdout, "background  transparent") {
		t.Fatalf("info does not say the background is transparent:\n%s", stdout)
	}
	// Made transparent at the model's size, then upscaled ×2 (nearest).
	want, got := edit.TransparentBackground(withWhite(bundletest.Tiny(9)).Decode(b.Tokens)), imagetest.ReadPNG(t, clear)
	for y := 0; y < 16; y++ {
		for x := 0; x < 16; x++ {
			if w, g := color.NRGBAModel.Convert(want.At(x/2, y/2)), color.NRGBAModel.Convert(got.At(x, y)); w != g {
				t.Fatalf("pixel %d,%d: %v, want %v", x, y, g, w)
			}
		}
	}
}

// TestEvalHelpSaysPromptIsNotTaken: eval-prompts and eval-shapes share the
// sampling flags, --prompt among them, but sample their own prompts: their
// help says so rather than offering it.
func TestEvalHelpSaysPromptIsNotTaken(t *testing.T) {
	for _, cmd := range []string{"eval-prompts", "eval-shapes"} {
		_, stdout, _ := run(t, cmd, "--help")
		if !strings.Contains(stdout, "not taken: "+cmd+" samples") {
			t.Errorf("%s --help:\n%s", cmd, stdout)
		}
	}
}

// Help lists flags as the README and the usage lines write them, with two
// dashes.
func TestHelpWritesTwoDashes(t *testing.T) {
	_, stdout, _ := run(t, "help", "generate")
	if !strings.Contains(stdout, "\n  --batch int\n") || strings.Contains(stdout, "\n  -batch") {
		t.Errorf("help generate:\n%s", stdout)
	}
}

// generate --json lists each image written as one JSON object a line, in
// the batch's order, with what the PNG records; branch too.
func TestGenerateJSON(t *testing.T) {
	model := tinyModel(t)
	out := filepath.Join(t.TempDir(), "j.png")
	code, stdout, stderr := run(t, "generate", "--model", model, "--prompt", "red cat", "--seed", "3", "--batch", "2", "--rank", "--out", out, "--quiet", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines: %q", len(lines), stdout)
	}
	for i, l := range lines {
		var img savedImage
		if err := json.Unmarshal([]byte(l), &img); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		rec, _ := readRecord(t, img.Path)
		if img.Path != numberedPath(out, i, 2) || img.Seed != rec.Seed || img.Prompt != "red cat" || img.MeanLogLik >= 0 {
			t.Errorf("line %d: %+v (record seed %d)", i, img, rec.Seed)
		}
	}
	code, stdout, stderr = run(t, "branch", "--model", model, "--from", numberedPath(out, 0, 2), "--at", "4", "--seed", "8", "--out", filepath.Join(t.TempDir(), "b.png"), "--quiet", "--json")
	var img savedImage
	if err := json.Unmarshal([]byte(stdout), &img); code != 0 || err != nil || img.Seed != 8 || img.At != 4 {
		t.Errorf("branch --json: exit %d, %v, %q, %s", code, err, stdout, stderr)
	}
}

// TestExitStatus: 0, 2 for usage errors, 1 for others, and 130 when a
// signal stopped the command, whatever it saved (its error said unless it
// is the cancellation itself).
func TestExitStatus(t *testing.T) {
	for _, c := range []struct {
		err         error
		interrupted bool
		want        int
		says        string
	}{
		{nil, false, 0, ""},
		{usageError{"bad flag"}, false, 2, "bad flag"},
		{errors.New("disk full"), false, 1, "disk full"},
		{nil, true, 130, "tessera x: interrupted\n"},
		{context.Canceled, true, 130, "tessera x: interrupted\n"},
		{fmt.Errorf("interrupted; nothing saved (%w)", context.Canceled), true, 130, "interrupted; nothing saved"},
		{errors.New("write x.png: disk full"), true, 130, "disk full"},
		{fmt.Errorf("emoji: %w", context.Canceled), true, 130, "tessera x: interrupted\n"},
	} {
		var stderr bytes.Buffer
		if got := exitStatus(Env{Stderr: &stderr}, "x", c.err, c.interrupted); got != c.want || !strings.Contains(stderr.String(), c.says) || c.says == "" && stderr.Len() > 0 {
			t.Errorf("%v, interrupted %v: status %d, said %q; want %d", c.err, c.interrupted, got, stderr.String(), c.want)
		}
	}
}

// Identical pictures are said when they are written: a greedy batch draws
// one picture twice, and a greedy branch of a greedy picture gives its
// source back (files that were written without a word).
func TestSamePicturesAreSaid(t *testing.T) {
	model := tinyModel(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "g.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat", "--temperature", "0", "--batch", "3", "--out", out, "--quiet"); code != 0 || strings.Contains(stderr, "left from an earlier run") {
		t.Fatalf("a greedy batch of three: exit %d, %q", code, stderr)
	}
	code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat", "--temperature", "0", "--batch", "2", "--out", out, "--quiet")
	if code != 0 || !strings.Contains(stderr, "note: g-2.png is the same picture as g-1.png (more --temperature or less --guidance varies it)") {
		t.Fatalf("a greedy batch of two: exit %d, %q", code, stderr)
	}
	// The earlier batch's third file is said (a glob picks it up).
	if !strings.Contains(stderr, "note: g-3.png, left from an earlier run, is not one of these 2 images") {
		t.Errorf("a smaller batch over a larger one's files: %q", stderr)
	}
	alt := filepath.Join(dir, "alt.png")
	code, stdout, stderr := run(t, "branch", "--model", model, "--from", filepath.Join(dir, "g-1.png"), "--at", "4", "--temperature", "0", "--batch", "2", "--out", alt, "--quiet", "--json")
	if code != 0 || !strings.Contains(stderr, "note: alt-1.png, alt-2.png are the source picture unchanged") || strings.Contains(stderr, "same picture as") {
		t.Fatalf("a greedy branch of a greedy picture: exit %d, %q", code, stderr)
	}
	// Its JSON lines say so too, for scripts.
	if n := strings.Count(stdout, `"unchanged":true`); n != 2 {
		t.Errorf("a greedy branch's JSON marks %d of 2 candidates unchanged: %s", n, stdout)
	}
	// Without --temperature or --guidance on the command line, a branch
	// that gives its source back at the picture's own settings (nearly
	// greedy here) is drawn again with more variation, as the studio
	// does, and says so.
	cold := filepath.Join(dir, "cold.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat", "--temperature", "0.0002", "--out", cold, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, stderr = run(t, "branch", "--model", model, "--from", cold, "--at", "4", "--batch", "2", "--out", alt, "--force", "--quiet", "--json")
	if code != 0 || !strings.Contains(stderr, "every candidate gave the picture back unchanged at temperature 0.0002 and guidance") || !strings.Contains(stderr, "drawing again at temperature 1.2 and guidance 1") {
		t.Fatalf("a branch with the picture's own settings: exit %d, %q", code, stderr)
	}
	// Its JSON lines give the settings drawn with (said on stderr only).
	if n := strings.Count(stdout, `"temperature":1.2,"guidance":1}`); n != 2 {
		t.Errorf("the JSON of a branch drawn again: %s", stdout)
	}
	src, _ := readRecord(t, cold)
	varied := false
	for _, name := range []string{"alt-1.png", "alt-2.png"} {
		rec, _ := readRecord(t, filepath.Join(dir, name))
		varied = varied || !slices.Equal(rec.Tokens, src.Tokens)
		if rec.Temperature != 1.2 || rec.Guidance != 1 {
			t.Errorf("%s records temperature %g and guidance %g, the settings drawn again with", name, rec.Temperature, rec.Guidance)
		}
	}
	if !varied {
		t.Error("drawn again, both branches are still the source")
	}
	// Pictures that differ get no note.
	code, _, stderr = run(t, "generate", "--model", model, "--prompt", "red cat", "--temperature", "1.5", "--seed", "3", "--batch", "2", "--out", filepath.Join(dir, "v.png"), "--quiet")
	if code != 0 || strings.Contains(stderr, "note:") {
		t.Fatalf("a varied batch: exit %d, %q", code, stderr)
	}
}

// info follows an image's recorded parents found beside it: a branch of a
// branch names the prompt and seed the first image was drawn with.
func TestInfoFollowsTheParents(t *testing.T) {
	model := tinyModel(t)
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a.png"), filepath.Join(dir, "b.png"), filepath.Join(dir, "c.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat", "--seed", "5", "--out", a, "--quiet"); code != 0 {
		t.Fatalf("generate: %s", stderr)
	}
	if code, _, stderr := run(t, "branch", "--model", model, "--from", a, "--at", "3", "--seed", "6", "--out", b, "--quiet"); code != 0 {
		t.Fatalf("branch: %s", stderr)
	}
	if code, _, stderr := run(t, "branch", "--model", model, "--from", b, "--at", "5", "--seed", "7", "--out", c, "--quiet"); code != 0 {
		t.Fatalf("branch of the branch: %s", stderr)
	}
	code, stdout, stderr := run(t, "info", c)
	if code != 0 || !strings.Contains(stdout, "made from   the first 5 of 16 patches of b.png kept, the rest sampled") || !strings.Contains(stdout, "← b.png: prompt \"red cat\", seed 6 (the first 3 of 16 patches of a.png kept") ||
		!strings.Contains(stdout, "← a.png: prompt \"red cat\", seed 5") {
		t.Fatalf("info of a branch of a branch: exit %d\n%s%s", code, stdout, stderr)
	}
	if err := os.Remove(a); err != nil {
		t.Fatal(err)
	}
	if _, stdout, _ := run(t, "info", c); strings.Contains(stdout, "a.png:") || !strings.Contains(stdout, "← b.png") {
		t.Fatalf("with a.png gone:\n%s", stdout)
	}
}

// The progress line's rate and ETA start at the first patch: the time
// before it (a prefill, loading) is not counted as a patch's.
func TestProgressPrinterETAFromFirstPatch(t *testing.T) {
	var b strings.Builder
	p := progressPrinter(&b, 1)
	time.Sleep(300 * time.Millisecond) // a slow prefill before the first patch
	p(sampler.Event{Step: 1, Steps: 4})
	if got := b.String(); strings.Contains(got, "ETA") || !strings.Contains(got, "patch 1 / 4") {
		t.Fatalf("first patch: %q (no rate known yet)", got)
	}
	time.Sleep(120 * time.Millisecond)
	p(sampler.Event{Step: 2, Steps: 4})
	out := strings.TrimRight(b.String(), " ")
	line := out[strings.LastIndex(out, "\r")+1:]
	var eta time.Duration
	if i := strings.Index(line, "ETA "); i < 0 {
		t.Fatalf("second patch: %q has no ETA", line)
	} else if d, err := time.ParseDuration(strings.TrimSpace(line[i+4:])); err != nil {
		t.Fatalf("ETA in %q: %v", line, err)
	} else {
		eta = d
	}
	// two patches left at about 120 ms each; counting the prefill would say 0.8 s or more
	if eta < 100*time.Millisecond || eta > 600*time.Millisecond {
		t.Fatalf("ETA %v after one patch of about 120 ms with two left", eta)
	}
	p(sampler.Event{Step: 4, Steps: 4})
	if !strings.HasSuffix(b.String(), "\n") {
		t.Fatal("the last patch does not end the line")
	}
}

// An error after a progress line that was not ended starts a line of its
// own ("patch 28 / 64 … ETA 300ms   tessera generate: interrupted" was one
// line).
func TestErrorAfterAnOpenProgressLine(t *testing.T) {
	var stderr bytes.Buffer
	l := &lineEnds{w: &stderr}
	fmt.Fprint(l, "\rpatch 28 / 64   ")
	if !l.open.Load() {
		t.Fatal("a line ended by \\r is not open")
	}
	fmt.Fprintln(l, "done")
	if l.open.Load() {
		t.Fatal("an ended line is open")
	}
}

// An unranked branch lists the candidates that give the source back after
// the others, in seed order each (the README's order; they came first when
// the first seed gave it back), and its JSON marks them.
func TestUnrankedBranchListsChangesFirst(t *testing.T) {
	b := bundletest.Tiny(9)
	n := b.ImageTokens()
	source := make([]int, n)
	changed := make([]int, n)
	changed[n-1] = 1
	images := []sampler.Image{{Seed: 1, Tokens: slices.Clone(source)}, {Seed: 2, Tokens: changed}}
	out := filepath.Join(t.TempDir(), "alt.png")
	var stdout, stderr bytes.Buffer
	opt := sampler.Defaults()
	err := saveImages(context.Background(), Env{Stdout: &stdout, Stderr: &stderr}, b, opt, images, saveOptions{out: out, json: true, quiet: true, source: source, from: n - 1})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"seed":2`) || strings.Contains(lines[0], "unchanged") || !strings.Contains(lines[1], `"seed":1`) || !strings.Contains(lines[1], `"unchanged":true`) {
		t.Fatalf("an unranked branch's candidates, source given back by seed 1:\n%s", stdout.String())
	}
}

// A zero-padded number from a script is read in decimal: --rows 010 is
// ten rows (it was eight: Go's flag package reads octal).
func TestIntFlagsAreDecimal(t *testing.T) {
	var n int
	v := intIn{&n, 0, 100}
	for s, want := range map[string]int{"010": 10, "+7": 7, "0": 0, "100": 100} {
		if err := v.Set(s); err != nil || n != want {
			t.Errorf("Set(%q): %d, %v; want %d", s, n, err, want)
		}
	}
	for _, s := range []string{"0x2", "0b1", "0o7", "1_000", "1.0", "", "101", "-1"} {
		if err := v.Set(s); err == nil {
			t.Errorf("Set(%q): no error (%d)", s, n)
		}
	}
}

// TestBranchAndExtendRefuseAPromptOfUnknownWords: branch and extend
// refuse a prompt of which the model knows no word, given or the picture's
// own, as generate does (they warned and sampled with no prompt); --prompt
// "" draws without one on purpose.
func TestBranchAndExtendRefuseAPromptOfUnknownWords(t *testing.T) {
	model := tinyModel(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "src.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "cat", "--out", src, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	out := filepath.Join(dir, "out.png")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"generate", "--model", model, "--prompt", "qqqq"}, `model tiny knows none of the prompt's words ("qqqq"): it would sample as if there were no prompt`},
		{[]string{"branch", "--model", model, "--from", src, "--at", "3", "--prompt", "qqqq"}, `model tiny knows none of the prompt's words ("qqqq"): it would sample as if there were no prompt`},
		{[]string{"extend", "--model", model, "--from", src, "--rows", "1", "--prompt", "qqqq"}, `model tiny knows none of the prompt's words ("qqqq"): it would sample as if there were no prompt`},
		{[]string{"branch", "--model", "mnist", "--from", src, "--at", "3"}, `model mnist knows none of the words of the picture's prompt ("cat"): it would sample as if there were no prompt (give --prompt "" to draw without one`},
	} {
		code, _, stderr := run(t, append(c.args, "--out", out, "--quiet")...)
		if code != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d, %q; want 1 and %q", c.args[0], code, stderr, c.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("%s wrote %s", c.args[0], out)
		}
	}
	for _, cmd := range [][]string{{"branch", "--at", "3"}, {"extend", "--rows", "1"}} {
		code, _, stderr := run(t, append(cmd, "--model", "mnist", "--from", src, "--prompt", "", "--out", out, "--quiet", "--force")...)
		if rec, _ := readRecord(t, out); code != 0 || rec.Prompt != "" {
			t.Errorf("%s --prompt \"\": exit %d, %q, recorded prompt %q", cmd[0], code, stderr, rec.Prompt)
		}
	}
}

// TestScoreRefusesTheStridesExtendRefuses: score --stride, which scores a
// tall image in extend's windows, refuses the strides extend refuses (a
// stride of the model's grid rows or more was silently taken), and takes
// the others.
func TestScoreRefusesTheStridesExtendRefuses(t *testing.T) {
	model := tinyModel(t)
	dir := t.TempDir()
	src, tall := filepath.Join(dir, "src.png"), filepath.Join(dir, "tall.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "cat", "--out", src, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := run(t, "extend", "--model", model, "--from", src, "--rows", "3", "--out", tall, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	for _, stride := range []string{"4", "100", "1024"} {
		want := "--stride " + stride + " must be less than the model's 4 grid rows"
		for _, args := range [][]string{
			{"extend", "--model", model, "--from", src, "--rows", "1", "--stride", stride, "--out", filepath.Join(dir, "x.png")},
			{"score", "--model", model, "--stride", stride, tall},
		} {
			if code, stdout, stderr := run(t, args...); code != 2 || !strings.Contains(stderr, want) || stdout != "" {
				t.Errorf("%s --stride %s: exit %d, %q %q; want 2 and %q", args[0], stride, code, stdout, stderr, want)
			}
		}
	}
	if code, _, stderr := run(t, "score", "--model", model, "--stride", "3", tall); code != 0 {
		t.Errorf("score --stride 3: exit %d, %q", code, stderr)
	}
}

// The studio's exit status says how it ended: a signal Fyne quits on
// (Ctrl-C in its terminal, a kill) gives 128 + its number and a line that
// says the work is kept (it gave 0, as for a quit); a closed terminal
// (SIGHUP) leaves the window open, and its later close is a quit.
func TestStudioStatus(t *testing.T) {
	for _, c := range []struct {
		err  error
		sig  os.Signal
		code int
		says string
	}{
		{nil, nil, 0, ""},
		{nil, syscall.SIGINT, 130, "tessera studio: interrupted (interrupt); the work is kept for next time\n"},
		{nil, syscall.SIGTERM, 143, "tessera studio: interrupted (terminated); the work is kept for next time\n"},
		{nil, syscall.SIGHUP, 0, ""},
		{errors.New("no display"), nil, 1, "tessera studio: no display\n"},
		{errors.New("no display"), syscall.SIGTERM, 143, "tessera studio: no display\n"},
		// A second window, whose work another keeps: said so at a kill
		// (it said the work was kept), and nothing at a quit.
		{errGuestWindow, syscall.SIGTERM, 143, "tessera studio: interrupted (terminated); this window's work is not kept (another Tessera window keeps the session; its pictures are in the outputs folder)\n"},
		{errGuestWindow, nil, 0, ""},
	} {
		var stderr bytes.Buffer
		if code := studioStatus(Env{Stderr: &stderr}, c.err, c.sig); code != c.code || stderr.String() != c.says {
			t.Errorf("%v, %v: status %d, said %q; want %d, %q", c.err, c.sig, code, stderr.String(), c.code, c.says)
		}
	}
}

// A record whose codes do not make its grid (too many, none, a grid of
// nothing) or whose patches are not the model's is read from its pixels
// with a note, as info says it, where score, branch and describe read the
// pixels without a word.
func TestMismatchedRecordsAreSaid(t *testing.T) {
	model := tinyModel(t)
	dir := t.TempDir()
	drawn := filepath.Join(dir, "drawn.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat", "--seed", "1", "--out", drawn, "--quiet"); code != 0 {
		t.Fatalf("generate: %d %s", code, stderr)
	}
	for _, c := range []struct {
		name string
		edit func(rec map[string]any)
		says string
	}{
		// (Fewer codes than the grid is a stopped run's picture, which
		// TestStoppedPictureIsFinishedByBranch covers.)
		{"too many", func(r map[string]any) { r["tokens"] = append(r["tokens"].([]any), 1.0) }, "has a damaged Tessera record (17 codes where"},
		{"no codes", func(r map[string]any) { delete(r, "tokens") }, "has a damaged Tessera record (0 codes where"},
		{"grid of nothing", func(r map[string]any) { r["grid"] = []int{0, 0} }, "has a damaged Tessera record"},
		{"other patches", func(r map[string]any) { r["patch_size"] = 0 }, "patches of 0 px, where model"},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".png")
		forgeRecord(t, drawn, path, c.edit)
		code, stdout, stderr := run(t, "score", "--model", model, path)
		if code != 0 || !strings.Contains(stdout, "(pixels)") || !strings.Contains(stderr, c.says) || !strings.Contains(stderr, "its pixels are read instead") {
			t.Errorf("%s: exit %d, %q, %q (want a note saying %q)", c.name, code, stdout, stderr, c.says)
		}
	}
}

// forgeRecord writes to dst the PNG src with its Tessera record changed by
// edit (the record as JSON), its pixels and other text as they are.
func forgeRecord(t *testing.T, src, dst string, edit func(rec map[string]any)) {
	t.Helper()
	text, err := pngmeta.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	img, err := codebook.LoadImage(src)
	if err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(text[pngmeta.KeyTessera]), &rec); err != nil {
		t.Fatal(err)
	}
	edit(rec)
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	forged := maps.Clone(text)
	forged[pngmeta.KeyTessera] = string(b)
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := pngmeta.Encode(f, img, forged); err != nil {
		t.Fatal(err)
	}
}

// fullDisk is a standard output every write to fails, as /dev/full.
type fullDisk struct{}

func (fullDisk) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// Output lost to a full disk is a failure, said on standard error, for
// every command (check-data, version and help exited 0 with nothing
// written) and for help.
func TestLostOutputFails(t *testing.T) {
	data := t.TempDir()
	writePNG(t, filepath.Join(data, "a.png"), 8, 8)
	for _, args := range [][]string{{"version"}, {"help"}, {"help", "generate"}, {"generate", "--help"}, {"check-data", data}} {
		var stderr bytes.Buffer
		if code := Main(args, Env{Stdout: fullDisk{}, Stderr: &stderr}); code != 1 || !strings.Contains(stderr.String(), "write standard output: no space left on device") {
			t.Errorf("%v onto a full disk: exit %d, %q", args, code, stderr.String())
		}
	}
}

// "tessera FOLDER" where the folder's name is near a command says both.
func TestFolderNearACommand(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.Mkdir("adit", 0o755); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "adit"); code != 2 || !strings.Contains(stderr, "did you mean edit?") || !strings.Contains(stderr, "adit is also a folder here") {
		t.Errorf("exit %d, %q", code, stderr)
	}
}

// quoteShort quotes a long text's start and says how much more there is.
func TestQuoteShort(t *testing.T) {
	if got := quoteShort("mirror it", 80); got != `"mirror it"` {
		t.Errorf("short: %s", got)
	}
	if got := quoteShort(strings.Repeat("é", 100), 80); got != `"`+strings.Repeat("é", 80)+`… (20 characters more)` {
		t.Errorf("long: %s", got)
	}
}

// info of a studio edit names the prompt its source was drawn from, as its
// A1111 text does (it gave the instruction alone).
func TestInfoNamesAnEditsSourcePrompt(t *testing.T) {
	model := tinyModel(t)
	path := filepath.Join(t.TempDir(), "e.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat", "--seed", "1", "--out", path, "--quiet"); code != 0 {
		t.Fatalf("generate: %d %s", code, stderr)
	}
	forgeRecord(t, path, path, func(rec map[string]any) {
		rec["prompt"] = "mirror it"
		extra, _ := rec["extra"].(map[string]any)
		if extra == nil {
			extra = map[string]any{}
		}
		extra[pngmeta.ExtraEdit] = map[string]any{"instruction": "mirror it", "source_prompt": "red cat"}
		rec["extra"] = extra
	})
	code, stdout, stderr := run(t, "info", path)
	if code != 0 || !strings.Contains(stdout, `instruction "mirror it"`) || !strings.Contains(stdout, `source      drawn from the prompt "red cat"`) {
		t.Errorf("info of an edit: exit %d, %q %q", code, stdout, stderr)
	}
}

// score --stride on an image no taller than the model says it does not
// apply (it was accepted and not used, without a word).
func TestScoreStrideOnAShortImageSaysSo(t *testing.T) {
	model := tinyModel(t)
	out := filepath.Join(t.TempDir(), "a.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat", "--out", out, "--quiet"); code != 0 {
		t.Fatalf("generate: %s", stderr)
	}
	if code, _, stderr := run(t, "score", "--model", model, "--stride", "1", out); code != 0 || !strings.Contains(stderr, "--stride (for images tessera extend grew) does not apply") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

// An image of a folder model whose folder here holds other weights now (it
// was trained further) says so, and how to read it all the same (it said
// "not built in: pass --model with the folder", with the folder there).
func TestRecordedFolderModelRetrained(t *testing.T) {
	parent := t.TempDir()
	t.Chdir(parent)
	if err := bundletest.Tiny(9).Save("tiny", "F32"); err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(parent, "made.png")
	if code, _, stderr := run(t, "generate", "--model", "./tiny", "--prompt", "red cat", "--seed", "1", "--out", img, "--quiet"); code != 0 {
		t.Fatalf("generate: %d %s", code, stderr)
	}
	if code, _, stderr := run(t, "score", img); code != 0 {
		t.Fatalf("score with the folder's weights as recorded: %d %s", code, stderr)
	}
	if err := bundletest.Tiny(10).Save("tiny", "F32"); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "score", img); code == 0 || !strings.Contains(stderr, "the model folder ./tiny here holds other weights now") {
		t.Errorf("score after the folder's model changed: exit %d, %q", code, stderr)
	}
}

// score --json names the prompt's words it scored without (the line said
// the prompt as given, and its figure was that of the words known).
func TestScoreJSONNamesUnknownWords(t *testing.T) {
	model := tinyModel(t)
	out := filepath.Join(t.TempDir(), "a.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat", "--out", out, "--quiet"); code != 0 {
		t.Fatalf("generate: %s", stderr)
	}
	code, stdout, stderr := run(t, "score", "--json", "--model", model, "--prompt", "zzzz red cat", out)
	var line scoreLine
	if err := json.Unmarshal([]byte(stdout), &line); code != 0 || err != nil {
		t.Fatalf("exit %d, %v: %s %s", code, err, stdout, stderr)
	}
	if !slices.Equal(line.UnknownWords, []string{"zzzz"}) {
		t.Errorf("unknown words %q", line.UnknownWords)
	}
}

// generate says when the model drew a sample unsure in a style the prompt
// names (the emoji model's "rocket fluent modern" was a broken picture,
// saved without a word), and not for a prompt without a style.
func TestGenerateSaysUnsureStyle(t *testing.T) {
	model := tinyModel(t) // random weights: every sample is unsure
	dir := t.TempDir()
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat google", "--out", filepath.Join(dir, "a.png"), "--quiet"); code != 0 || !strings.Contains(stderr, "it may not know that name in the google style") {
		t.Errorf("with a style: exit %d: %s", code, stderr)
	}
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat", "--out", filepath.Join(dir, "b.png"), "--quiet"); code != 0 || strings.Contains(stderr, "unsure") {
		t.Errorf("without a style: exit %d: %s", code, stderr)
	}
}

// Flags that do nothing in a call say so (--smooth at --scale 1,
// eval-prompts --rank-by with one candidate: accepted without a word).
func TestFlagsWithoutEffectSaySo(t *testing.T) {
	model := tinyModel(t)
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat", "--smooth", "--out", filepath.Join(t.TempDir(), "a.png"), "--quiet"); code != 0 || !strings.Contains(stderr, "at --scale 1 there is nothing to upscale") {
		t.Errorf("--smooth at --scale 1: exit %d: %s", code, stderr)
	}
	names := filepath.Join(t.TempDir(), "names.txt")
	if err := os.WriteFile(names, []byte("3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "eval-prompts", "--model", "mnist", "--names", names, "--seeds", "1", "--rank-by", "prompt-gain"); code != 0 || !strings.Contains(stderr, "with one candidate a sample there is nothing to rank") {
		t.Errorf("--rank-by without --candidates: exit %d: %s", code, stderr)
	}
}

// A time-lapse with --model of a picture another model drew, whose
// tokenizer draws the recorded codes otherwise, replays the picture's
// pixels encoded by the model given and says so, as where the record's
// patches do not fit (it decoded the other model's codes with its own
// decoder, other pixels, without a word).
func TestTimelapseOfAnotherModelsCodes(t *testing.T) {
	dir := t.TempDir()
	drew, other := tinyModel(t), filepath.Join(dir, "other")
	if err := bundletest.Tiny(3).Save(other, "F32"); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "src.png")
	if code, _, stderr := run(t, "generate", "--model", drew, "--prompt", "red cat", "--seed", "2", "--out", src, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	code, _, stderr := run(t, "timelapse", "--model", other, "--from", src, "--out", filepath.Join(dir, "other.gif"), "--quiet")
	if code != 0 || !strings.Contains(stderr, "note: "+src+" records the codes of model tiny of other weights (hash ") ||
		!strings.Contains(stderr, "which model tiny's tokenizer draws otherwise: its pixels are read instead") {
		t.Errorf("another model's codes: exit %d, %q", code, stderr)
	}
	// Its own model replays its codes without a word.
	if code, _, stderr := run(t, "timelapse", "--model", drew, "--from", src, "--out", filepath.Join(dir, "own.gif"), "--quiet"); code != 0 || strings.Contains(stderr, "note:") {
		t.Errorf("its own model: exit %d, %q", code, stderr)
	}
}

// A composed prompt ("a AND b :0.5") warns about its sub-prompts' unknown
// words, never about AND or the weight, and is recorded as typed.
func TestGenerateComposedPrompt(t *testing.T) {
	model := tinyModel(t)
	out := filepath.Join(t.TempDir(), "and.png")
	code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat AND blue zebra :0.5", "--seed", "5", "--out", out, "--quiet")
	if code != 0 || !strings.Contains(stderr, `"zebra"`) || strings.Contains(stderr, `"AND"`) || strings.Contains(stderr, "0.5\"") {
		t.Fatalf("exit %d, warnings %q", code, stderr)
	}
	if rec, _ := readRecord(t, out); rec.Prompt != "red cat AND blue zebra :0.5" {
		t.Errorf("recorded prompt %q", rec.Prompt)
	}
	// Its likelihood is under the first sub-prompt, and score and
	// generate --json say so (they named the whole prompt).
	code, stdout, _ := run(t, "score", "--model", model, out)
	if code != 0 || !strings.Contains(stdout, `(composed: scored under its first sub-prompt, "red cat")`) {
		t.Errorf("score: exit %d, %q", code, stdout)
	}
	code, stdout, _ = run(t, "score", "--model", model, "--json", out)
	if code != 0 || !strings.Contains(stdout, `"scored_under":"red cat"`) {
		t.Errorf("score --json: exit %d, %q", code, stdout)
	}
	code, stdout, _ = run(t, "generate", "--model", model, "--prompt", "red cat AND blue :0.5", "--json", "--out", filepath.Join(t.TempDir(), "j.png"), "--quiet")
	if code != 0 || !strings.Contains(stdout, `"scored_under":"red cat"`) {
		t.Errorf("generate --json: exit %d, %q", code, stdout)
	}
	// Every sub-prompt of unknown words alone is refused, as one is.
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "zebra AND yak", "--out", filepath.Join(t.TempDir(), "z.png"), "--quiet"); code == 0 || !strings.Contains(stderr, "knows none") {
		t.Errorf("a composed prompt of unknown words: exit %d, %q", code, stderr)
	}
}

// A negative prompt at guidance 1, which does nothing there, is said to
// do nothing by sheet and eval-prompts as generate says it (both dropped
// it without a word), and eval-prompts' summary names the negative prompt.
func TestSheetAndEvalWarnOfANegativePromptAtGuidance1(t *testing.T) {
	model := tinyModel(t)
	out := filepath.Join(t.TempDir(), "s.png")
	code, _, stderr := run(t, "sheet", "--model", model, "--prompt", "red cat", "--negative", "dog", "--guidance", "1", "--seeds", "1", "--cell", "8", "--out", out, "--quiet")
	if code != 0 || !strings.Contains(stderr, "no effect at guidance 1") {
		t.Errorf("sheet: exit %d: %s", code, stderr)
	}
	code, _, stderr = run(t, "sheet", "--model", model, "--prompt", "red cat", "--negative", "dog", "--guidance", "2", "--seeds", "1", "--cell", "8", "--out", out, "--force", "--quiet")
	if code != 0 || strings.Contains(stderr, "no effect") {
		t.Errorf("sheet at guidance 2: exit %d: %s", code, stderr)
	}
	names := filepath.Join(t.TempDir(), "names.txt")
	if err := os.WriteFile(names, []byte("3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "eval-prompts", "--model", "mnist", "--names", names, "--seeds", "1", "--negative", "7", "--guidance", "1")
	if code != 0 || !strings.Contains(stderr, "no effect at guidance 1") || !strings.Contains(stdout, `negative prompt "7"`) {
		t.Errorf("eval-prompts: exit %d: %s%s", code, stdout, stderr)
	}
}

// The help says what the commands do: branch, extend, score and timelapse
// read an image with the model it records, a model folder of the recorded
// name here too (branch and extend said "the built-in model", score and
// timelapse said nothing of a default), and generate's --prompt takes
// composed prompts (it did not say so).
func TestHelpSaysTheRecordedModelAndComposedPrompts(t *testing.T) {
	for _, cmd := range []string{"branch", "extend", "score", "timelapse"} {
		_, stdout, _ := run(t, "help", cmd)
		if !strings.Contains(stdout, "records: a built-in one, or the model folder here of the name it records") || !strings.Contains(stdout, "an image without a record: the embedded default model") {
			t.Errorf("help %s:\n%s", cmd, stdout)
		}
	}
	if _, stdout, _ := run(t, "help", "generate"); !strings.Contains(stdout, `joins sub-prompts with the word AND, each with an optional weight after a colon ("red square AND circle :0.5")`) {
		t.Errorf("help generate:\n%s", stdout)
	}
}

// A composed prompt's weight in exponent notation is a weight, one beyond
// ±100 is refused (":1e9" was read as the word "1e9" and warned of as
// unknown), and a sub-prompt of weight 0, which does nothing, is said to.
func TestComposedPromptWeights(t *testing.T) {
	model := tinyModel(t)
	dir := t.TempDir()
	code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat AND dog :1e9", "--out", filepath.Join(dir, "a.png"), "--quiet")
	if code == 0 || !strings.Contains(stderr, `the sub-prompt "dog" has weight 1e+09: a weight is at most 100 either way`) || strings.Contains(stderr, `"1e9"`) {
		t.Errorf(":1e9: exit %d, %q", code, stderr)
	}
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat AND dog :2e0", "--out", filepath.Join(dir, "b.png"), "--quiet"); code != 0 || strings.Contains(stderr, "warning") {
		t.Errorf(":2e0: exit %d, %q", code, stderr)
	}
	for _, cmd := range [][]string{
		{"generate", "--out", filepath.Join(dir, "c.png")},
		{"sheet", "--seeds", "1", "--cell", "8", "--out", filepath.Join(dir, "s.png")},
	} {
		code, _, stderr := run(t, append(cmd, "--model", model, "--prompt", "red cat AND dog :0", "--quiet")...)
		if code != 0 || !strings.Contains(stderr, `warning: the sub-prompt "dog" has weight 0 (:0): it does nothing to the picture`) {
			t.Errorf("%s :0: exit %d, %q", cmd[0], code, stderr)
		}
	}
}
