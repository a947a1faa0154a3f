package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestCheckDataCLI runs check-data on a folder with every kind of problem:
// each is named in the text report and listed in the JSON one, the exit
// status is 0 (it is a report), a clean folder gives one line, and a missing
// folder is an error.
func TestCheckDataCLI(t *testing.T) {
	dir := t.TempDir()
	put := func(name string, b []byte) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writePNG(t, filepath.Join(dir, "good.png"), 8, 8)
	put("good.txt", []byte("red cat\n"))
	copyFile(t, filepath.Join(dir, "good.png"), filepath.Join(dir, "copy.png")) // the same pixels as good.png
	put("copy.txt", []byte("red cat again\n"))
	writePNG(t, filepath.Join(dir, "bom.png"), 9, 8)
	put("bom.txt", []byte("\xef\xbb\xbfblue dog\n"))
	writePNG(t, filepath.Join(dir, "crlf.png"), 10, 8)
	put("crlf.txt", []byte("green bird\r\n"))
	writePNG(t, filepath.Join(dir, "cp.png"), 11, 8)
	put("cp.txt", []byte("caf\xe9\n"))
	writePNG(t, filepath.Join(dir, "nocaption.png"), 12, 8)
	put("orphan.txt", []byte("no image\n"))
	var full bytes.Buffer
	if err := png.Encode(&full, image.NewNRGBA(image.Rect(0, 0, 64, 64))); err != nil {
		t.Fatal(err)
	}
	put("cut.png", full.Bytes()[:full.Len()/2])

	code, stdout, stderr := run(t, "check-data", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		dir + ": 7 images, 6 usable, 5 with a caption; 8 files with problems:",
		"1 image is left out of training, as it or its caption file cannot be read: cut.png: truncated or damaged (decode png:",
		"1 caption file starts with a byte-order mark: bom.txt",
		"1 caption file has CRLF or CR line breaks: crlf.txt",
		"1 caption file is not UTF-8 (read as Windows-1252, or as UTF-16 where every other byte is 0): cp.txt",
		`1 image has no caption (its file name gives it one): nocaption.png → "nocaption"`,
		"1 caption file has no image: orphan.txt",
		"1 group of identical images (2 files; each trained on once, with every copy's caption): copy.png = good.png",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if n := strings.Count(stdout, "\n"); n != 9 || !strings.Contains(stdout, "only 5 different pictures to train on") { // and that the five different pictures are few
		t.Errorf("%d lines, want 9:\n%s", n, stdout)
	}

	// --captions lists every usable image with the caption it trains with.
	code, stdout, stderr = run(t, "check-data", "--captions", dir)
	if code != 0 {
		t.Fatalf("--captions: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"\ncaptions (6):\n", `  bom.png → "blue dog"`, `  cp.png → "café"`, `  good.png → "red cat"`, `  nocaption.png → "nocaption"`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("--captions output lacks %q:\n%s", want, stdout)
		}
	}

	code, stdout, stderr = run(t, "check-data", "--json", dir)
	if code != 0 {
		t.Fatalf("--json: exit %d: %s", code, stderr)
	}
	var got struct {
		Dir                                         string
		Images, Usable, Captioned, Problems         int
		Unreadable, BOM, CRLF, Uncaptioned, Orphans []string
		NonUTF8                                     []string `json:"non_utf8"`
		Duplicates                                  [][]string
		Captions                                    map[string]string
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	var raw map[string]any
	json.Unmarshal([]byte(stdout), &raw)
	for _, k := range []string{"dir", "images", "usable", "captioned", "problems", "unreadable", "bom", "crlf", "non_utf8", "uncaptioned", "orphans", "odd_size", "duplicates"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, stdout)
		}
	}
	if got.Dir != dir || got.Images != 7 || got.Usable != 6 || got.Captioned != 5 || got.Problems != 8 ||
		len(got.Unreadable) != 1 || !strings.HasPrefix(got.Unreadable[0], "cut.png: ") ||
		!reflect.DeepEqual(got.BOM, []string{"bom.txt"}) || !reflect.DeepEqual(got.CRLF, []string{"crlf.txt"}) ||
		!reflect.DeepEqual(got.NonUTF8, []string{"cp.txt"}) || !reflect.DeepEqual(got.Uncaptioned, []string{"nocaption.png"}) ||
		!reflect.DeepEqual(got.Orphans, []string{"orphan.txt"}) || !reflect.DeepEqual(got.Duplicates, [][]string{{"copy.png", "good.png"}}) ||
		len(got.Captions) != 6 || got.Captions["crlf.png"] != "green bird" {
		t.Errorf("JSON report %+v", got)
	}

	code, stdout, stderr = run(t, "check-data", "--strict", dir)
	if code != 1 || !strings.Contains(stdout, "8 files with problems:") || !strings.Contains(stderr, "files with problems: 8 (--strict)") {
		t.Errorf("--strict on problems: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if code, stdout, _ = run(t, "check-data", "--strict", "--json", dir); code != 1 || !strings.Contains(stdout, `"problems":8`) || strings.Count(stdout, "\n") != 1 {
		t.Errorf("--strict --json on problems: exit %d, %q", code, stdout)
	}

	clean := t.TempDir()
	writePNG(t, filepath.Join(clean, "a.png"), 8, 8)
	os.WriteFile(filepath.Join(clean, "a.txt"), []byte("red cat\n"), 0o644)
	if code, stdout, _ := run(t, "check-data", clean); code != 0 || !strings.HasPrefix(stdout, clean+": 1 image, 1 usable, 1 with a caption; no problems\n") {
		t.Errorf("clean folder: exit %d, %q", code, stdout)
	}
	if code, _, stderr := run(t, "check-data", "--strict", clean); code != 0 {
		t.Errorf("--strict on a clean folder: exit %d, %q", code, stderr)
	}
	if code, _, stderr := run(t, "check-data", filepath.Join(clean, "missing")); code != 1 || !strings.Contains(stderr, "missing") {
		t.Errorf("missing folder: exit %d, %q", code, stderr)
	}
	// With --json a script reading stdout gets an object for it too.
	missing := filepath.Join(clean, "missing")
	code, stdout, stderr = run(t, "check-data", "--json", missing)
	var failed map[string]string
	if err := json.Unmarshal([]byte(stdout), &failed); code != 1 || err != nil || failed["dir"] != missing || !strings.Contains(failed["error"], "no such file") || !strings.Contains(stderr, "missing") {
		t.Errorf("--json on a missing folder: exit %d, stdout %q (%v), stderr %q", code, stdout, err, stderr)
	}
	if code, _, _ := run(t, "check-data"); code != 2 {
		t.Errorf("no folder: exit %d, want 2", code)
	}
}

// copyFile copies the file at from to to (a test's duplicate picture).
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// check-data on a built-in dataset's name says what it checks (it said
// "open emoji: no such file or directory").
func TestCheckDataOnABuiltinDataset(t *testing.T) {
	t.Chdir(t.TempDir())
	if code, _, stderr := run(t, "check-data", "emoji"); code != 1 || !strings.Contains(stderr, "emoji is a built-in dataset") {
		t.Errorf("exit %d, %q", code, stderr)
	}
}

// check-data of a run that ended its schedule says how to train it on
// (tessera train --resume --steps N, which extends it), where it said the
// run could not go on and only a fine-tune would train its model further.
func TestCheckDataOfAFinishedRunSaysHowToExtendIt(t *testing.T) {
	pics := captionedFolder(t, "red square", "blue square")
	out := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := run(t, "train", "--data", pics, "--out", out, "--steps", "1", "--batch", "1", "--size", "8", "--patch", "2", "--codes", "4", "--width", "16", "--layers", "1", "--heads", "2", "--threads", "1"); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	code, _, stderr := run(t, "check-data", out)
	want := fmt.Sprintf("that run ended its schedule of 1 step; to train it further, resume it with a longer one: tessera train --resume --out %s --steps N, N > 1; or fine-tune its model: tessera train --init %s", out, filepath.Join(out, "model"))
	if code != 1 || !strings.Contains(stderr, want) || strings.Contains(stderr, "cannot go on") {
		t.Fatalf("check-data: exit %d: %s", code, stderr)
	}
	// The advice trains it on.
	if code, stdout, stderr := run(t, "train", "--resume", "--out", out, "--steps", "2", "--threads", "1"); code != 0 || !strings.Contains(stdout, "finished its schedule after 2/2 steps") {
		t.Fatalf("train --resume --steps 2: exit %d: %s%s", code, stdout, stderr)
	}
}
