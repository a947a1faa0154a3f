package data

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
)

// noisyJPEG encodes a w×h JPEG of varied pixels (so its scan data is long).
func noisyJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 37)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// truncated cuts b in half and checks that its header still reads, so only
// a full decode can tell it is broken.
func truncated(t *testing.T, b []byte) []byte {
	t.Helper()
	b = b[:len(b)/2]
	if _, _, err := image.DecodeConfig(bytes.NewReader(b)); err != nil {
		t.Fatalf("the truncated file's header does not read: %v", err)
	}
	return b
}

// messyFolder writes a folder with every kind of problem CheckFolder finds,
// plus clean files.
func messyFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	put := func(name string, data []byte) { writeFile(t, filepath.Join(dir, name), data) }
	solid := func(w, h int, v uint8) []byte { return pngBytes(t, w, h, color.NRGBA{v, v / 2, 255 - v, 255}) }

	// Clean, captioned.
	put("good.png", solid(8, 8, 10))
	put("good.txt", []byte("a good picture\n"))
	put("photo.jpg", noisyJPEG(t, 16, 16))
	put("photo.txt", []byte("a photo\n"))
	// Unreadable: junk, truncated PNG and JPEG, too large.
	put("broken.png", []byte("\x89PNG\r\n\x1a\nnot really"))
	put("empty.png", nil)
	put("cut.png", truncated(t, pngBytes(t, 32, 32, color.NRGBA{1, 2, 3, 255})))
	put("cut.txt", []byte("\xef\xbb\xbfcut short\n")) // both cut images' caption: named once, though neither image reads
	put("cut.jpg", truncated(t, noisyJPEG(t, 32, 32)))
	put("huge.png", hugePNG(t))
	// Caption files written by other editors.
	put("bom.png", solid(8, 8, 20))
	put("bom.txt", []byte("\xef\xbb\xbfred cat\n"))
	put("crlf.png", solid(8, 8, 30))
	put("crlf.txt", []byte("red dog\r\npuppy\r\n"))
	put("cr.png", solid(8, 8, 40))
	put("cr.txt", []byte("red bird\rsparrow\r"))
	put("cp.png", solid(8, 8, 50))
	put("cp.txt", []byte("caf\xe9\n"))
	put("wide.png", solid(8, 8, 60))
	put("wide.txt", []byte{0xff, 0xfe, 'h', 0, 'i', 0, '\r', 0, '\n', 0}) // UTF-16 with CRLF
	// No caption: no file, or one with no text.
	put("Red_Cat.png", solid(8, 8, 70))
	put("blank.png", solid(8, 8, 80))
	put("blank.txt", []byte(" \n\t\n"))
	// Orphan caption files.
	put("lonely.txt", []byte("no picture\n"))
	put("old.TXT", []byte("left over\n"))
	// Duplicates: the same pixels in different encodings (NRGBA and gray
	// PNG), a second pair, and images of one colour but another size.
	put("dup-a.png", pngBytes(t, 12, 8, color.NRGBA{128, 128, 128, 255}))
	put("dup-a.txt", []byte("grey\n"))
	var gray bytes.Buffer
	g := image.NewGray(image.Rect(0, 0, 12, 8))
	for i := range g.Pix {
		g.Pix[i] = 128
	}
	if err := png.Encode(&gray, g); err != nil {
		t.Fatal(err)
	}
	put("dup-c.png", gray.Bytes())
	put("dup-c.txt", []byte("grey again\n"))
	put("dup-b.png", pngBytes(t, 12, 8, color.NRGBA{128, 128, 128, 255}))
	put("dup-b.txt", []byte("grey too\n"))
	put("tall.png", pngBytes(t, 8, 12, color.NRGBA{128, 128, 128, 255})) // same bytes of pixels, other size
	put("tall.txt", []byte("tall grey\n"))
	put("x1.png", solid(9, 9, 90))
	put("x1.txt", []byte("x\n"))
	put("x2.png", solid(9, 9, 90))
	put("x2.txt", []byte("x\n"))
	// Read, but too small or too long and thin to train well.
	put("speck.png", solid(1, 1, 100))
	put("speck.txt", []byte("a speck\n"))
	put("strip.png", solid(40, 8, 110))
	put("strip.txt", []byte("a strip\n"))
	// Ignored.
	put("notes.md", []byte("not a caption"))
	if err := os.Mkdir(filepath.Join(dir, "sub.png"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "folder.txt"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCheckFolder: each kind of problem is found and named, truncated PNG
// and JPEG files included, and the counts agree with what Folder loads.
func TestCheckFolder(t *testing.T) {
	dir := messyFolder(t)
	r, err := CheckFolder(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.Dir != dir || r.Images != 22 || r.Usable != 17 || r.Captioned != 15 {
		t.Errorf("counts: dir %q, %d images, %d usable, %d captioned; want 22, 17, 15", r.Dir, r.Images, r.Usable, r.Captioned)
	}
	var unreadable []string
	for _, u := range r.Unreadable {
		file, reason, _ := strings.Cut(u, ": ")
		unreadable = append(unreadable, file)
		want := map[string]string{
			"broken.png": "not a readable image",
			"cut.jpg":    "truncated or damaged (decode jpeg:",
			"cut.png":    "truncated or damaged (decode png:",
			"empty.png":  "the file is empty (0 bytes)",
			"huge.png":   "png image is 40000×10 pixels; the largest picture Tessera opens has 67,108,864 pixels (8192×8192) and 32,768 on a side",
		}[file]
		if want == "" || !strings.HasPrefix(reason, want) {
			t.Errorf("unreadable %q: reason should start %q", u, want)
		}
	}
	check := func(what string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s = %q, want %q", what, got, want)
		}
	}
	check("Unreadable", unreadable, []string{"broken.png", "cut.jpg", "cut.png", "empty.png", "huge.png"})
	check("BOM", r.BOM, []string{"bom.txt", "cut.txt", "wide.txt"})
	check("CRLF", r.CRLF, []string{"cr.txt", "crlf.txt", "wide.txt"})
	check("NonUTF8", r.NonUTF8, []string{"cp.txt"})
	check("Uncaptioned", r.Uncaptioned, []string{"Red_Cat.png", "blank.png (its caption file is empty)"})
	if want := map[string]string{"Red_Cat.png": "red cat", "blank.png": "blank"}; !maps.Equal(r.FileNameCaptions, want) {
		t.Errorf("FileNameCaptions = %q, want %q", r.FileNameCaptions, want)
	}
	check("Orphans", r.Orphans, []string{"lonely.txt", "old.TXT"})
	check("OddSize", r.OddSize, []string{"speck.png (1×1: under 8 px on a side, blown up to a blur)",
		"strip.png (40×8: over 4:1, mostly white bands once fitted to a square)"})
	if want := [][]string{{"dup-a.png", "dup-b.png", "dup-c.png"}, {"x1.png", "x2.png"}}; !reflect.DeepEqual(r.Duplicates, want) {
		t.Errorf("Duplicates = %q, want %q", r.Duplicates, want)
	}
	// 5 unreadable + bom, cut, wide, cr, crlf, cp .txt + 2 uncaptioned +
	// 2 orphans + 5 duplicates + 2 of odd sizes; wide.txt is in two lists
	// but one file.
	if got := r.Problems(); got != 22 {
		t.Errorf("Problems() = %d, want 22", got)
	}
	// Less the BOM and CRLF caption files, read as if those were absent:
	// bom, cut, wide, cr and crlf .txt.
	if got := r.Attention(); got != 17 {
		t.Errorf("Attention() = %d, want 17", got)
	}

	// The report agrees with what Folder loads and skips.
	samples, rep, err := Folder(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	// Of each group of duplicates it keeps one.
	copies := 0
	for _, g := range r.Duplicates {
		copies += len(g) - 1
	}
	if len(samples) != r.Usable-copies || rep.Merged != copies || rep.Skipped != len(r.Unreadable) || rep.Warned != len(r.NonUTF8) {
		t.Errorf("Folder loaded %d, merged %d, skipped %d, warned %d; CheckFolder: %d usable, %d duplicated, %d unreadable, %d non-UTF-8",
			len(samples), rep.Merged, rep.Skipped, rep.Warned, r.Usable, copies, len(r.Unreadable), len(r.NonUTF8))
	}
	// Every image it loads has the caption the report lists for it.
	if len(r.Captions) != len(samples)+copies {
		t.Errorf("%d captions listed for %d images loaded and %d copies", len(r.Captions), len(samples), copies)
	}
	for _, s := range samples {
		if got, ok := r.Captions[s.Key]; !ok || got != s.Caption {
			t.Errorf("%s: report lists caption %q (listed: %v), Folder trains with %q", s.Key, got, ok, s.Caption)
		}
	}

	lines := r.Lines()
	text := strings.Join(lines, "\n")
	if len(lines) != 10 || !strings.HasPrefix(lines[0], dir+": 22 images, 17 usable, 15 with a caption; 22 files with problems") {
		t.Fatalf("Lines:\n%s", text)
	}
	// The folders inside are named: their images are not read.
	if !reflect.DeepEqual(r.Folders, []string{"folder.txt", "sub.png"}) || lines[9] != "  2 folders inside are not read (only the folder's own images are): folder.txt, sub.png" {
		t.Errorf("folders %q, line %q", r.Folders, lines[9])
	}
	for _, want := range []string{
		"5 images are left out of training, as they or their caption files cannot be read",
		"cut.jpg: truncated or damaged (decode jpeg:",
		"3 caption files start with a byte-order mark: bom.txt, cut.txt, wide.txt",
		"3 caption files have CRLF or CR line breaks: cr.txt, crlf.txt, wide.txt",
		"1 caption file is not UTF-8 (read as Windows-1252, or as UTF-16 where every other byte is 0): cp.txt",
		`2 images have no caption (their file names give them one): Red_Cat.png → "red cat", blank.png (its caption file is empty) → "blank"`,
		"2 caption files have no image: lonely.txt, old.TXT",
		"2 images are too small or too long and thin to train well (trained on as they are): speck.png (1×1: under 8 px on a side, blown up to a blur), strip.png (40×8: over 4:1, mostly white bands once fitted to a square)",
		"2 groups of identical images (5 files; each trained on once, with every copy's caption): dup-a.png = dup-b.png = dup-c.png; x1.png = x2.png",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("Lines lack %q:\n%s", want, text)
		}
	}
}

// TestCheckFolderClean: a folder without problems gives a single line (and
// a note that its pictures are few).
func TestCheckFolderClean(t *testing.T) {
	dir := t.TempDir()
	for i := range 3 {
		name := fmt.Sprintf("img%d", i)
		writeFile(t, filepath.Join(dir, name+".png"), pngBytes(t, 8, 32, color.NRGBA{uint8(40 * i), 0, 0, 255})) // 4:1 is fine
		writeFile(t, filepath.Join(dir, name+".txt"), []byte("naïve café ☕\nanother name\n"))
	}
	r, err := CheckFolder(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.Images != 3 || r.Usable != 3 || r.Captioned != 3 || r.Problems() != 0 {
		t.Fatalf("report %+v, %d problems", r, r.Problems())
	}
	// No problems; three pictures are few, which is said (no problem).
	if lines := r.Lines(); len(lines) != 2 || lines[0] != dir+": 3 images, 3 usable, 3 with a caption; no problems" ||
		lines[1] != "  only 3 usable images to train on: a model learns little from fewer than 10 (it recalls them), and its validation loss says little" {
		t.Fatalf("Lines = %q", lines)
	}
	// A caption file's further lines are captions too, and listed as such.
	if got := r.CaptionLines(); len(got) != 3 || got[0] != `  img0.png → "naïve café ☕" (also "another name")` {
		t.Fatalf("CaptionLines = %q", got)
	}
	if r.Unreadable == nil || r.Duplicates == nil || r.Orphans == nil {
		t.Fatalf("lists should be empty, not nil: %+v", r)
	}
	// With a folder inside, both notes stay (the folders' replaced the other).
	if err := os.Mkdir(filepath.Join(dir, "more"), 0o755); err != nil {
		t.Fatal(err)
	}
	if r, err = CheckFolder(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	if lines := r.Lines(); len(lines) != 3 || !strings.Contains(lines[1], "only 3 usable images") || !strings.Contains(lines[2], "1 folder inside is not read") {
		t.Errorf("with a folder inside: Lines = %q", lines)
	}
}

// TestCheckFolderErrors: an unlistable folder and a cancelled context are
// errors; an empty folder is a report that says so.
func TestCheckFolderErrors(t *testing.T) {
	ctx := context.Background()
	if r, err := CheckFolder(ctx, filepath.Join(t.TempDir(), "missing")); err == nil || r != nil {
		t.Fatalf("missing folder: %v, %v", r, err)
	}
	empty := t.TempDir()
	r, err := CheckFolder(ctx, empty)
	if err != nil || r.Images != 0 || r.Problems() != 0 {
		t.Fatalf("empty folder: %+v, %v", r, err)
	}
	if lines := r.Lines(); len(lines) != 1 || !strings.HasSuffix(lines[0], "no images (PNG, JPEG, GIF, BMP, TIFF or WebP): nothing to train on") {
		t.Fatalf("empty folder Lines = %q", lines)
	}
	dir := messyFolder(t)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if r, err := CheckFolder(cctx, dir); !errors.Is(err, context.Canceled) || r != nil {
		t.Fatalf("cancelled: %v, %v", r, err)
	}
}

// TestFolderReportLines: long lists are cut at five examples, and a file in
// several lists counts once.
func TestFolderReportLines(t *testing.T) {
	var uncaptioned []string
	for i := range 17 {
		uncaptioned = append(uncaptioned, fmt.Sprintf("img%02d.png", i))
	}
	uncaptioned[2] = "img (2).png (its caption file is empty)" // a name with a parenthesis of its own
	r := &FolderReport{Dir: "photos", Images: 19, Usable: 19, Captioned: 1, Uncaptioned: uncaptioned,
		FileNameCaptions: map[string]string{"img00.png": "img", "img (2).png": "img"},
		BOM:              []string{"a.txt"}, CRLF: []string{"a.txt"}, Duplicates: [][]string{{"img00.png", "img01.png"}},
		OddSize: []string{"img01.png (2×2: under 8 px on a side, blown up to a blur)", "img (3).png (9×99: over 4:1, mostly white bands once fitted to a square)"}}
	if got := r.Problems(); got != 19 {
		t.Fatalf("Problems() = %d, want 19", got)
	}
	lines := r.Lines()
	want := []string{
		"photos: 19 images, 19 usable, 1 with a caption; 19 files with problems:",
		"  1 caption file starts with a byte-order mark: a.txt",
		"  1 caption file has CRLF or CR line breaks: a.txt",
		`  17 images have no caption (their file names give them one): img00.png → "img", img01.png, img (2).png (its caption file is empty) → "img", img03.png, img04.png … and 12 more`,
		"  2 images are too small or too long and thin to train well (trained on as they are): img01.png (2×2: under 8 px on a side, blown up to a blur), img (3).png (9×99: over 4:1, mostly white bands once fitted to a square)",
		"  1 group of identical images (2 files; each trained on once, with every copy's caption): img00.png = img01.png",
	}
	if !slices.Equal(lines, want) {
		t.Fatalf("Lines:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// GIF, BMP, TIFF and WebP images are read like PNG and JPEG (they were
// left out without a word, though every other command reads them).
func TestFolderReadsEveryFormat(t *testing.T) {
	dir := t.TempDir()
	img := image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.White, color.Black})
	var g, b bytes.Buffer
	if err := gif.Encode(&g, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := bmp.Encode(&b, image.NewNRGBA(image.Rect(0, 0, 3, 3))); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "a.gif"), g.Bytes())
	writeFile(t, filepath.Join(dir, "b.BMP"), b.Bytes())
	r, err := CheckFolder(context.Background(), dir)
	if err != nil || r.Images != 2 || r.Usable != 2 {
		t.Fatalf("report %+v, %v", r, err)
	}
	samples, _, err := Folder(context.Background(), dir)
	if err != nil || len(samples) != 2 {
		t.Fatalf("%d samples, %v", len(samples), err)
	}
}

// A valid picture using what Tessera's decoders lack (an animated WebP)
// is listed as such, not as truncated or damaged.
func TestCheckFolderSaysUnsupported(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "anim.webp"), []byte("RIFF\x1a\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x02\x00\x00\x00\x3f\x00\x00\x3f\x00\x00"))
	writeFile(t, filepath.Join(dir, "ok.png"), pngBytes(t, 4, 4, color.NRGBA{1, 2, 3, 255}))
	r, err := CheckFolder(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Unreadable) != 1 || !strings.Contains(r.Unreadable[0], "anim.webp: it is an animated WebP") || strings.Contains(r.Unreadable[0], "damaged") {
		t.Fatalf("unreadable: %q", r.Unreadable)
	}
}
