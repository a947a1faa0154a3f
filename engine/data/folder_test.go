package data

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/sampling"
)

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// hugePNG encodes a PNG header claiming a 40000×10 image (decoding would fail
// on the missing data, but DecodeConfig must reject it first).
func hugePNG(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 40000, 10))); err != nil { // over the longest side (a 9000×10 strip is read)
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFileNameCaption(t *testing.T) {
	for base, want := range map[string]string{
		"Red_Cat-2":       "red cat",
		"IMG_0042":        "img",
		"cat 01 02":       "cat",
		"7-003":           "7",
		"42":              "42",
		"3 cats":          "3 cats",
		"two cats":        "two cats",
		"mario-64-kart":   "mario 64 kart",
		"":                "",
		"blue circle 2x":  "blue circle 2x",
		"cat (2)":         "cat",
		"cat #3":          "cat",
		"dog [01] (copy)": "dog [01] (copy)",
		"red cat 2 (1)":   "red cat",
		"purple2":         "purple",
		"Cat01":           "cat",
		"red cat3":        "red cat",
		"mp3":             "mp3",
		"r2d2":            "r2d2",
		"blue x2":         "blue x2",
		// Tessera's outputs: their words, not the date, time and seed.
		"tessera-20261204-182831-make-it-blue-s1362041947": "make it blue",
		"tessera-20261204-182831-cat-face-twitter-s7-2":    "cat face twitter",
	} {
		if got := fileNameCaption(base); got != want {
			t.Errorf("fileNameCaption(%q) = %q, want %q", base, got, want)
		}
	}
	// A Tessera output of no prompt has no caption (its date, time and
	// seed made one); a caption file or a stored prompt still gives one.
	for name, want := range map[string]string{
		"tessera-20261204-182831-s13.png":       "",
		"tessera-20261204-182831-s13-2.png":     "",
		"tessera-20261204-182831-sunflower.png": "tessera 20261204 182831 sunflower", // not Tessera's form
	} {
		if got := captionOf(name, sidecar{}, ""); got != want {
			t.Errorf("captionOf(%q) = %q, want %q", name, got, want)
		}
	}
	if got := captionOf("tessera-20261204-182831-s13.png", sidecar{}, "rocket"); got != "rocket" {
		t.Errorf("a stored prompt: %q", got)
	}
}

func TestFolder(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "Red_Cat-2.png"), pngBytes(t, 3, 2, color.NRGBA{255, 0, 0, 255}))
	writeFile(t, filepath.Join(dir, "b.png"), pngBytes(t, 2, 2, color.NRGBA{0, 0, 0, 0}))
	writeFile(t, filepath.Join(dir, "b.txt"), []byte("\n  A Blank   CANVAS \n\nempty square\n"))
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, image.NewGray(image.Rect(0, 0, 5, 4)), nil); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "c.JPG"), jb.Bytes())
	writeFile(t, filepath.Join(dir, "broken.png"), []byte("\x89PNG\r\n\x1a\nnot really"))
	writeFile(t, filepath.Join(dir, "truncated.png"), pngBytes(t, 8, 8, color.NRGBA{1, 2, 3, 255})[:60])
	writeFile(t, filepath.Join(dir, "huge.png"), hugePNG(t))
	writeFile(t, filepath.Join(dir, "notes.md"), []byte("ignored"))
	if err := os.Mkdir(filepath.Join(dir, "sub.png"), 0o755); err != nil {
		t.Fatal(err)
	}

	samples, rep, err := Folder(context.Background(), dir)
	if err != nil {
		t.Fatalf("Folder: %v", err)
	}
	var captions []string
	for _, s := range samples {
		captions = append(captions, s.Caption)
	}
	if want := []string{"red cat", "a blank canvas", "c"}; !slices.Equal(captions, want) {
		t.Fatalf("captions = %q, want %q", captions, want)
	}
	if rep.Loaded != 3 || rep.Skipped != 3 || len(rep.Problems) != 3 {
		t.Fatalf("report = %+v", rep)
	}
	if !strings.Contains(strings.Join(rep.Problems, "\n"), "huge.png: png image is 40000×10 pixels") {
		t.Fatalf("problems = %q", rep.Problems)
	}
	b := samples[1]
	if b.Key != "b.png" || !slices.Equal(b.Names, []string{"empty square"}) || b.Style != "" {
		t.Fatalf("sidecar sample = %+v", b)
	}
	if c := b.Image.NRGBAAt(1, 1); c != (color.NRGBA{255, 255, 255, 255}) {
		t.Fatalf("transparent pixel = %v, want white", c)
	}
	if r := samples[0].Image.Bounds(); r.Dx() != 3 || r.Dy() != 2 {
		t.Fatalf("size = %v", r)
	}
	if r := samples[2].Image.Bounds(); r.Dx() != 5 || r.Dy() != 4 || samples[2].Image.NRGBAAt(0, 0).A != 255 {
		t.Fatalf("jpeg size = %v", r)
	}
}

// Identical images are trained on once, the first by name, with the
// copies' captions among its Names; the report counts the copies.
func TestFolderMergesDuplicates(t *testing.T) {
	dir := t.TempDir()
	red := pngBytes(t, 4, 4, color.NRGBA{255, 0, 0, 255})
	writeFile(t, filepath.Join(dir, "a.png"), red)
	writeFile(t, filepath.Join(dir, "a.txt"), []byte("red square\nscarlet square\n"))
	writeFile(t, filepath.Join(dir, "b.png"), red)
	writeFile(t, filepath.Join(dir, "b.txt"), []byte("crimson tile\nscarlet square\n"))
	writeFile(t, filepath.Join(dir, "c.png"), red) // its file name's caption, "c"
	writeFile(t, filepath.Join(dir, "d.png"), pngBytes(t, 4, 4, color.NRGBA{0, 0, 255, 255}))
	writeFile(t, filepath.Join(dir, "e.png"), pngBytes(t, 2, 8, color.NRGBA{255, 0, 0, 255})) // same pixels, other size
	samples, rep, err := Folder(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, s := range samples {
		keys = append(keys, s.Key)
	}
	if !slices.Equal(keys, []string{"a.png", "d.png", "e.png"}) || rep.Loaded != 3 || rep.Merged != 2 {
		t.Fatalf("kept %q, report %+v", keys, rep)
	}
	if a := samples[0]; a.Caption != "red square" || !slices.Equal(a.Names, []string{"scarlet square", "crimson tile", "c"}) {
		t.Fatalf("the kept copy: caption %q, names %q", a.Caption, a.Names)
	}
	check, err := CheckFolder(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(check.Duplicates) != 1 || !slices.Equal(check.Duplicates[0], []string{"a.png", "b.png", "c.png"}) {
		t.Fatalf("the check's duplicates %q: not the groups Folder merges", check.Duplicates)
	}
}

func TestFolderErrors(t *testing.T) {
	ctx := context.Background()
	if _, _, err := Folder(ctx, filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("missing folder: no error")
	}
	empty := t.TempDir()
	if _, _, err := Folder(ctx, empty); err == nil {
		t.Fatal("empty folder: no error")
	}
	writeFile(t, filepath.Join(empty, "x.png"), []byte("junk"))
	_, rep, err := Folder(ctx, empty)
	if err == nil || rep.Skipped != 1 {
		t.Fatalf("all broken: err %v, report %+v", err, rep)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := Folder(cctx, empty); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: err = %v", err)
	}
}

// A PNG without a caption file takes the prompt it records as its caption:
// Tessera's (a sampled picture's, its drawn style included), or A1111's
// parameters; an edit's instruction is no drawing prompt, and a caption
// file wins over both. CheckFolder counts them captioned and says so.
func TestFolderCaptionsFromRecordedPrompts(t *testing.T) {
	dir := t.TempDir()
	written := 0
	write := func(name string, text map[string]string) {
		t.Helper()
		img := image.NewNRGBA(image.Rect(0, 0, 8, 8))
		written++
		img.Pix[0], img.Pix[3] = uint8(written), 255 // pictures of their own: identical ones are trained once
		if err := pngmeta.WriteFileAtomic(filepath.Join(dir, name), img, text); err != nil {
			t.Fatal(err)
		}
	}
	drawn := pngmeta.Record{Version: "test", Settings: sampling.Settings{Prompt: "Cat Face twitter", Seed: 3}, Width: 8, Height: 8}
	write("tessera-20261203-010203-s3.png", pngmeta.Metadata(drawn))
	write("a1111.png", map[string]string{pngmeta.KeyParameters: "red apple, fluent flat\nSteps: 20, Seed: 5"})
	edited := drawn
	edited.Extra = map[string]any{pngmeta.ExtraEdit: map[string]any{"instruction": "make it blue"}}
	write("edited-1.png", pngmeta.Metadata(edited))
	write("captioned.png", pngmeta.Metadata(drawn))
	writeFile(t, filepath.Join(dir, "captioned.txt"), []byte("my own words\n"))

	samples, _, err := Folder(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range samples {
		got[s.Key] = s.Caption
	}
	want := map[string]string{"tessera-20261203-010203-s3.png": "cat face twitter", "a1111.png": "red apple, fluent flat", "edited-1.png": "edited", "captioned.png": "my own words"}
	if !maps.Equal(got, want) {
		t.Fatalf("captions %q, want %q", got, want)
	}
	r, err := CheckFolder(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.Captioned != 3 || !slices.Equal(r.Uncaptioned, []string{"edited-1.png"}) || len(r.PromptCaptions) != 2 || r.PromptCaptions["a1111.png"] != "red apple, fluent flat" {
		t.Fatalf("report: %d captioned, uncaptioned %q, prompt captions %q", r.Captioned, r.Uncaptioned, r.PromptCaptions)
	}
	if text := strings.Join(r.Lines(), "\n"); !strings.Contains(text, `2 images take the prompts their PNGs record as their captions (no caption file): a1111.png → "red apple, fluent flat", tessera-20261203-010203-s3.png → "cat face twitter"`) {
		t.Errorf("Lines:\n%s", text)
	}
	// An empty caption file beside such a PNG is said as what it is, not
	// as no caption file.
	writeFile(t, filepath.Join(dir, "a1111.txt"), nil)
	if r, err = CheckFolder(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(r.Lines(), "\n"); !strings.Contains(text, `(no caption text): a1111.png (its caption file is empty) → "red apple, fluent flat", tessera-20261203-010203-s3.png → "cat face twitter"`) || !slices.Equal(r.EmptyCaptionFiles, []string{"a1111.png"}) {
		t.Errorf("an empty caption file: %q, Lines:\n%s", r.EmptyCaptionFiles, text)
	}
	// One beside a PNG that records no prompt is listed there too (the
	// file name captions it), for scripts reading the JSON.
	writeFile(t, filepath.Join(dir, "edited-1.txt"), []byte(" \n"))
	if r, err = CheckFolder(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.EmptyCaptionFiles, []string{"a1111.png", "edited-1.png"}) || !slices.Equal(r.Uncaptioned, []string{"edited-1.png (its caption file is empty)"}) {
		t.Errorf("two empty caption files: listed %q, uncaptioned %q", r.EmptyCaptionFiles, r.Uncaptioned)
	}
}

// TestCaptionFilesInCapitals: IMG_0002.TXT and IMG_0003.Txt (as cameras and
// Windows tools name them) caption their images, in Folder and CheckFolder
// alike; they were orphans, and the images were captioned "img".
func TestCaptionFilesInCapitals(t *testing.T) {
	dir := t.TempDir()
	for i, name := range []string{"IMG_0002", "IMG_0003", "IMG_0004"} {
		writeFile(t, filepath.Join(dir, name+".png"), pngBytes(t, 8, 8, color.NRGBA{uint8(40 * i), 9, 9, 255}))
	}
	for name, text := range map[string]string{"IMG_0002.TXT": "red cat", "IMG_0003.Txt": "blue dog", "IMG_0004.txt": "green owl"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, _, err := Folder(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var captions []string
	for _, s := range got {
		captions = append(captions, s.Caption)
	}
	if !slices.Equal(captions, []string{"red cat", "blue dog", "green owl"}) {
		t.Fatalf("captions %q", captions)
	}
	rep, err := CheckFolder(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Orphans) != 0 || len(rep.Uncaptioned) != 0 || rep.Captions["IMG_0002.png"] != "red cat" {
		t.Fatalf("orphans %v, uncaptioned %v, captions %v", rep.Orphans, rep.Uncaptioned, rep.Captions)
	}
}

// A lossy WebP in a training folder is read in its own colours, as the
// other commands read it (codebook.DecodedRGB): its white is white, not
// the (235,235,235) Go's full-range YCbCr made of it. The file is
// ImageMagick's 32×32 white, black, red and blue squares at quality 95.
func TestFolderLossyWebPColours(t *testing.T) {
	data, err := base64.StdEncoding.DecodeString("UklGRmQAAABXRUJQVlA4IFgAAABwBACdASogACAAPhkIgkEhBgAEAGEoAgAwQngH4AfqB/gOQC7AfpWBkbQSQAD+/7+8C//47vX+uaP//1ITOmiif//+QzGFKLBf+spE1zsUlpTaxX64AAAA")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "squares.webp")
	writeFile(t, path, data)
	img, err := readFolderImage(path)
	if err != nil {
		t.Fatal(err)
	}
	if white, black := img.NRGBAAt(4, 4), img.NRGBAAt(20, 4); white.R < 253 || black.R > 2 {
		t.Errorf("white %v, black %v", white, black)
	}
}
