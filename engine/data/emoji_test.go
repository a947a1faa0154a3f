package data

import (
	"context"
	"errors"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const testEmojiJSON = `[
 {"name": "SMILING FACE WITH SUNGLASSES", "unified": "1F60E", "short_names": ["sunglasses", "cool_face"],
  "image": "1f60e.png", "has_img_google": true, "has_img_twitter": true},
 {"name": null, "unified": "1F60D", "short_names": ["heart_eyes"], "image": "1f60d.png",
  "has_img_google": true, "has_img_twitter": false,
  "skin_variations": {
   "1F3FF": {"unified": "1F60D-1F3FF", "image": "1f60d-1f3ff.png", "has_img_google": true, "has_img_twitter": false},
   "1F3FB-1F3FC": {"unified": "1F60D-1F3FB-1F3FC", "image": "1f60d-1f3fb-1f3fc.png", "has_img_google": true, "has_img_twitter": false}
  }},
 {"name": "GRINNING FACE", "unified": "1F600", "short_names": ["grinning"], "image": "1f600.png",
  "has_img_google": false, "has_img_twitter": true},
 {"name": "MISSING FACE", "unified": "1F636", "short_names": [], "image": "1f636.png",
  "has_img_google": true, "has_img_twitter": false},
 {"name": "", "unified": "1F000", "short_names": [], "image": "1f000.png", "has_img_google": true}
]`

// writeEmojiCache builds a tiny emoji cache in a temp dir.
func writeEmojiCache(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeTarGz(t, filepath.Join(dir, "emoji-datasource-1.0.0.tgz"),
		[]string{"package/README.md", "package/emoji.json"},
		map[string][]byte{"package/README.md": []byte("hi"), "package/emoji.json": []byte(testEmojiJSON)})
	g := map[string][]byte{
		"package/img/google/64/1f60e.png":             pngBytes(t, 4, 4, color.NRGBA{0, 0, 0, 128}),
		"package/img/google/64/1f60d.png":             pngBytes(t, 4, 4, color.NRGBA{255, 0, 0, 255}),
		"package/img/google/64/1f60d-1f3ff.png":       pngBytes(t, 4, 4, color.NRGBA{0, 0, 255, 255}),
		"package/img/google/64/1f60d-1f3fb-1f3fc.png": pngBytes(t, 4, 4, color.NRGBA{0, 9, 0, 255}),
		"package/img/google/sheets/64.png":            []byte("big sheet"),
	}
	writeTarGz(t, filepath.Join(dir, "emoji-datasource-google-1.0.0.tgz"),
		[]string{"package/img/google/64/1f60e.png", "package/img/google/64/1f60d.png",
			"package/img/google/64/1f60d-1f3ff.png", "package/img/google/64/1f60d-1f3fb-1f3fc.png",
			"package/img/google/sheets/64.png"}, g)
	tw := map[string][]byte{
		"package/img/twitter/64/1f60e.png": pngBytes(t, 4, 4, color.NRGBA{0, 255, 0, 0}),
		"package/img/twitter/64/1f600.png": []byte("not a png"),
	}
	writeTarGz(t, filepath.Join(dir, "emoji-datasource-twitter-1.0.0.tgz"),
		[]string{"package/img/twitter/64/1f60e.png", "package/img/twitter/64/1f600.png"}, tw)
	return dir
}

func TestEmojiSynthetic(t *testing.T) {
	dir := writeEmojiCache(t)
	samples, rep, err := Emoji(context.Background(), dir, "google", "twitter")
	if err != nil {
		t.Fatalf("Emoji: %v", err)
	}
	var captions []string
	byCaption := map[string]Sample{}
	for _, s := range samples {
		captions = append(captions, s.Caption)
		byCaption[s.Caption] = s
	}
	want := []string{
		"smiling face with sunglasses google",
		"smiling face with sunglasses twitter",
		"heart eyes google",
		"heart eyes light skin tone medium-light skin tone google",
		"heart eyes dark skin tone google",
	}
	if !slices.Equal(captions, want) {
		t.Fatalf("captions = %q, want %q", captions, want)
	}
	if rep.Loaded != 5 || rep.Skipped != 3 || len(rep.Problems) != 3 {
		t.Fatalf("report = %+v, want 5 loaded, 3 skipped (no name, missing file, broken png)", rep)
	}
	s := byCaption["smiling face with sunglasses google"]
	if s.Key != "1F60E" || s.Style != "google" || !slices.Equal(s.Names, []string{"sunglasses google", "cool face google"}) {
		t.Fatalf("sample = %+v", s)
	}
	// 50% black over white is mid grey, opaque.
	if c := pixel(s.Image, 1, 1); c.A != 255 || c.R < 126 || c.R > 128 || c.R != c.G || c.G != c.B {
		t.Fatalf("composited pixel = %v, want opaque grey", c)
	}
	if c := pixel(byCaption["smiling face with sunglasses twitter"].Image, 0, 0); c != (color.NRGBA{255, 255, 255, 255}) {
		t.Fatalf("transparent pixel = %v, want white", c)
	}
	dark := byCaption["heart eyes dark skin tone google"]
	if dark.Key != "1F60D" || !slices.Equal(dark.Names, []string{"heart eyes dark skin tone google"}) {
		t.Fatalf("skin variation = %+v", dark)
	}
	if c := pixel(dark.Image, 3, 3); c != (color.NRGBA{0, 0, 255, 255}) || dark.Image.Bounds().Dx() != 4 {
		t.Fatalf("skin variation image pixel %v size %v", c, dark.Image.Bounds())
	}
}

func TestEmojiMissing(t *testing.T) {
	_, _, err := Emoji(context.Background(), filepath.Join(t.TempDir(), "nothing"))
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "run make data") {
		t.Fatalf("err = %v, want ErrNotFound saying run make data", err)
	}
	// A version without its twitter tarball is not usable either.
	dir := writeEmojiCache(t)
	if err := os.Remove(filepath.Join(dir, "emoji-datasource-twitter-1.0.0.tgz")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Emoji(context.Background(), dir, "google", "twitter"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	// The SVG styles need their rasters and emojibase's labels.
	dir = writeEmojiCache(t)
	for _, style := range []string{"openmoji", "fluent-flat"} {
		_, _, err := Emoji(context.Background(), dir, style)
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "make data") {
			t.Fatalf("%s: err = %v, want ErrNotFound saying run make data", style, err)
		}
	}
	if _, _, err := Emoji(context.Background(), dir, "sketch"); err == nil || !strings.Contains(err.Error(), "unknown style") {
		t.Fatalf("unknown style: err = %v", err)
	}
}

// writeRasters adds emojibase labels and rasterised OpenMoji and Fluent flat
// images to the cache writeEmojiCache made.
func writeRasters(t *testing.T, dir string) {
	t.Helper()
	const labels = `[{"label": "smiling face with sunglasses", "hexcode": "1F60E"},
	 {"label": "smiling face with heart-eyes", "hexcode": "1F60D",
	  "skins": [{"label": "smiling face with heart-eyes: dark skin tone", "hexcode": "1F60D-1F3FF"}]},
	 {"label": "grinning face", "hexcode": "1F600"}]`
	writeTarGz(t, filepath.Join(dir, emojibaseTarball), []string{"package/en/data.json"},
		map[string][]byte{"package/en/data.json": []byte(labels)})
	files := map[string][]string{
		"openmoji":    {"1F60E", "1F60D-1F3FF", "E000"},                                                                                                    // E000: an OpenMoji extra, in no emoji.json
		"fluent-flat": {"smiling-face-with-sunglasses", "smiling-face-with-heart-eyes-default", "smiling-face-with-heart-eyes-dark", "face-grinning", "x"}, // word order differs for grinning face
	}
	for style, names := range files {
		d := filepath.Join(dir, "raster64", style)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			if err := os.WriteFile(filepath.Join(d, n+".png"), pngBytes(t, 64, 64, color.NRGBA{200, 10, 10, 255}), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(d, ".done"), []byte("ok"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestEmojiRasterStyles(t *testing.T) {
	dir := writeEmojiCache(t)
	writeRasters(t, dir)
	samples, rep, err := Emoji(context.Background(), dir, "openmoji", "fluent-flat")
	if err != nil {
		t.Fatalf("Emoji: %v", err)
	}
	var captions []string
	for _, s := range samples {
		captions = append(captions, s.Caption)
		if s.Image.Bounds().Dx() != 64 || s.Image.NRGBAAt(5, 5) != (color.NRGBA{200, 10, 10, 255}) {
			t.Fatalf("%q: image %v", s.Caption, s.Image.Bounds())
		}
	}
	want := []string{
		"smiling face with sunglasses openmoji",
		"smiling face with sunglasses fluent flat",
		"heart eyes fluent flat",
		"heart eyes dark skin tone openmoji",
		"heart eyes dark skin tone fluent flat",
		"grinning face fluent flat",
	}
	if !slices.Equal(captions, want) {
		t.Fatalf("captions = %q, want %q", captions, want)
	}
	if got := samples[2].Names; !slices.Equal(got, []string{"heart eyes fluent flat", "smiling face with heart-eyes fluent flat"}) {
		t.Fatalf("names = %q, want the short name and the CLDR label", got)
	}
	if samples[1].Style != "fluent-flat" || samples[1].Key != "1F60E" {
		t.Fatalf("sample = %+v", samples[1])
	}
	wantStyles := map[string]StyleCount{"openmoji": {Matched: 2, Unmatched: 1}, "fluent-flat": {Matched: 4, Unmatched: 1}}
	if len(rep.Styles) != 2 || rep.Styles["openmoji"] != wantStyles["openmoji"] || rep.Styles["fluent-flat"] != wantStyles["fluent-flat"] {
		t.Fatalf("per-style report = %+v, want %+v", rep.Styles, wantStyles)
	}
}

func TestEmojiCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Emoji(ctx, writeEmojiCache(t), "google"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"15.1.2", "16.0.0", -1}, {"16.0.0", "9.9.9", 1}, {"1.0", "1.0.1", -1}, {"2.0.0", "2.0.0", 0}} {
		if got := compareVersions(c.a, c.b); got != c.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestEmojiRealCache(t *testing.T) {
	dir, err := DefaultEmojiCache()
	if err != nil {
		t.Skip(err)
	}
	start := time.Now()
	samples, rep, err := Emoji(context.Background(), dir)
	if errors.Is(err, ErrNotFound) {
		t.Skipf("no emoji data: %v", err)
	}
	if err != nil {
		t.Fatalf("Emoji: %v", err)
	}
	perStyle := map[string]int{}
	found := false
	for _, s := range samples {
		perStyle[s.Style]++
		if s.Caption == "smiling face with sunglasses google" {
			found = s.Key == "1F60E" && s.Image.Bounds().Dx() == 64 && s.Image.Bounds().Dy() == 64
		}
	}
	t.Logf("%d samples %v in %v; report %+v", len(samples), perStyle, time.Since(start), rep)
	if !found {
		t.Fatal(`no 64×64 "smiling face with sunglasses google" sample with key 1F60E`)
	}
	if perStyle["google"] < 1000 || perStyle["twitter"] < 1000 {
		t.Fatalf("too few samples per style: %v", perStyle)
	}
}

// fluentui-emoji names a tone's files by the tone less "skin tone".
func TestFluentTone(t *testing.T) {
	for code, want := range map[string]string{"1F3FB": "light", "1f3fc": "medium-light", "1F3FD": "medium", "1F3FE": "medium-dark", "1F3FF": "dark", "200D": "", "zz": ""} {
		if got := fluentTone(code); got != want {
			t.Errorf("fluentTone(%q) = %q, want %q", code, got, want)
		}
	}
}

// EmojiPresent looks for every file Emoji needs, without reading them:
// the tarballs, each rasterised style and emojibase's labels.
func TestEmojiPresent(t *testing.T) {
	if err := EmojiPresent(t.TempDir()); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "emoji data not found") {
		t.Fatalf("an empty cache: %v", err)
	}
	dir := writeEmojiCache(t)
	if err := EmojiPresent(dir); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "not rasterised") {
		t.Fatalf("the tarballs alone: %v", err)
	}
	for _, s := range EmojiStyles() {
		if rasterStyle(s) {
			if err := os.MkdirAll(rasterDir(dir, s), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(rasterDir(dir, s), ".done"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := EmojiPresent(dir); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "labels") {
		t.Fatalf("without emojibase's labels: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, emojibaseTarball), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := EmojiPresent(dir); err != nil {
		t.Fatalf("every file there: %v", err)
	}
}
