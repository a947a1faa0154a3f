package data

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// hugePNG encodes a PNG header claiming a 9000×10 image (decoding would fail
// on the missing data, but DecodeConfig must reject it first).
func hugePNG(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 9000, 10))); err != nil {
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
	} {
		if got := fileNameCaption(base); got != want {
			t.Errorf("fileNameCaption(%q) = %q, want %q", base, got, want)
		}
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
	if !strings.Contains(strings.Join(rep.Problems, "\n"), "huge.png: png image is 9000×10") {
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
