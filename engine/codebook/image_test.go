package codebook

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"

	"github.com/tessera-studio/tessera/engine/tiffdir/tifftest"
	"github.com/tessera-studio/tessera/internal/imagetest"
)

// pngHeader returns a PNG signature and an IHDR chunk with a valid CRC
// claiming a w×h RGB image, followed by an IEND chunk.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		body := append([]byte(typ), data...)
		b.Write(body)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(body))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	chunk("IHDR", ihdr)
	chunk("IEND", nil)
	return b.Bytes()
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadImageTooLarge(t *testing.T) {
	path := writeTemp(t, "huge.png", pngHeader(20000, 20000))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := LoadImage(path)
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("20000x20000 image accepted")
	}
	if !strings.Contains(err.Error(), "huge.png is 20000×20000 pixels: the largest picture Tessera opens has 67,108,864 pixels (8192×8192) and 32,768 on a side") {
		t.Errorf("error %q does not give the size", err)
	}
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Width != 20000 || tl.Height != 20000 {
		t.Errorf("error %v is not a TooLargeError", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("refusing the image allocated %d bytes", grew)
	}
	if _, err := DecodeImage(bytes.NewReader(pngHeader(100, 40000)), "tall.png"); err == nil || !strings.Contains(err.Error(), "100×40000") {
		t.Errorf("DecodeImage of a tall image: %v", err)
	}
	if _, err := DecodeImage(bytes.NewReader(pngHeader(9000, 7500)), "big.png"); err == nil || !strings.Contains(err.Error(), "9000×7500") {
		t.Errorf("DecodeImage of an image of too many pixels: %v", err)
	}
	// A strip wider than 8192 has few pixels: read (a phone's panorama).
	var strip bytes.Buffer
	if err := png.Encode(&strip, image.NewGray(image.Rect(0, 0, 9000, 10))); err != nil {
		t.Fatal(err)
	}
	if img, err := DecodeImage(&strip, "strip.png"); err != nil || img.Bounds().Dx() != 9000 {
		t.Errorf("a 9000×10 strip: %v", err)
	}
}

func TestLoadImageBroken(t *testing.T) {
	var good bytes.Buffer
	img := imagetest.Random(64, 64, 3)
	if err := png.Encode(&good, img); err != nil {
		t.Fatal(err)
	}
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, img, nil); err != nil {
		t.Fatal(err)
	}
	corrupt := bytes.Clone(good.Bytes())
	for i := 40; i < len(corrupt)-20; i++ {
		corrupt[i] ^= 0x5a
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"garbage.png", []byte("\x89PNG\r\n\x1a\nthis is not a png at all")},
		{"corrupt.png", corrupt},
		{"truncated.png", good.Bytes()[:good.Len()/2]},
		{"truncated.jpg", jpg.Bytes()[:jpg.Len()/2]},
		{"empty.png", nil},
		{"text.txt", []byte("hello")},
		{"zero.png", pngHeader(0, 0)},
	} {
		path := writeTemp(t, tc.name, tc.data)
		_, err := LoadImage(path)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %q does not name the file", tc.name, err)
		}
		if _, err := DecodeImage(bytes.NewReader(tc.data), tc.name); err == nil {
			t.Errorf("%s: DecodeImage gave no error", tc.name)
		}
	}
	if _, err := LoadImage(filepath.Join(t.TempDir(), "missing.png")); err == nil {
		t.Error("missing file loaded")
	}
}

func TestLoadImageGood(t *testing.T) {
	img := imagetest.Random(20, 10, 4)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	got, err := LoadImage(writeTemp(t, "ok.png", buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(Flatten(got).Pix, img.Pix) {
		t.Error("loaded pixels differ")
	}
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, img, nil); err != nil {
		t.Fatal(err)
	}
	j, err := DecodeImage(&jpg, "ok.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if f := Flatten(j); f.Rect.Dx() != 20 || f.Rect.Dy() != 10 || f.Pix[3] != 255 {
		t.Errorf("flattened JPEG %v alpha %d", f.Rect, f.Pix[3])
	}
	// BMP and TIFF (lossless) come back pixel for pixel.
	opaque := Flatten(img)
	for name, enc := range map[string]func(*bytes.Buffer) error{
		"ok.bmp":  func(b *bytes.Buffer) error { return bmp.Encode(b, opaque) },
		"ok.tiff": func(b *bytes.Buffer) error { return tiff.Encode(b, opaque, nil) },
	} {
		var b bytes.Buffer
		if err := enc(&b); err != nil {
			t.Fatal(err)
		}
		got, err := LoadImage(writeTemp(t, name, b.Bytes()))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(Flatten(got).Pix, opaque.Pix) {
			t.Errorf("%s: loaded pixels differ", name)
		}
	}
}

// TestLoadImageSaysWhatIsWrong: a folder and an empty file are named as
// such; an unknown format names the formats read.
func TestLoadImageSaysWhatIsWrong(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ path, want string }{
		{dir, "is a folder"},
		{writeTemp(t, "empty.png", nil), "empty (0 bytes)"},
		{writeTemp(t, "text.png", []byte("hello")), ImageFormats},
	} {
		if _, err := LoadImage(c.path); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.path, err, c.want)
		}
	}
}

func TestFlattenTypes(t *testing.T) {
	gray := image.NewGray(image.Rect(0, 0, 2, 2))
	gray.SetGray(1, 1, color.Gray{200})
	f := Flatten(gray)
	if got := f.NRGBAAt(1, 1); got != (color.NRGBA{200, 200, 200, 255}) {
		t.Errorf("gray = %v", got)
	}
	if got := f.NRGBAAt(0, 0); got != (color.NRGBA{0, 0, 0, 255}) {
		t.Errorf("gray = %v", got)
	}
	if got := Flatten(nil); !got.Rect.Empty() {
		t.Errorf("nil image flattened to %v", got.Rect)
	}
}

// TestFitKeepsTheShape: a wide picture is scaled to the width and centred
// between white bands; one of the size asked is only flattened.
func TestFitKeepsTheShape(t *testing.T) {
	red := image.NewNRGBA(image.Rect(0, 0, 300, 200))
	for i := 0; i < len(red.Pix); i += 4 {
		red.Pix[i], red.Pix[i+3] = 255, 255
	}
	got := Fit(red, 30, 30)
	if got.Rect.Dx() != 30 || got.Rect.Dy() != 30 {
		t.Fatalf("size %v", got.Rect)
	}
	at := func(x, y int) color.NRGBA { return got.NRGBAAt(x, y) }
	white, r := color.NRGBA{255, 255, 255, 255}, color.NRGBA{255, 0, 0, 255}
	// 300×200 into 30×30 is 30×20, rows 5…24.
	if at(15, 2) != white || at(15, 27) != white || at(0, 5) != r || at(29, 24) != r || at(15, 15) != r {
		t.Errorf("bands and picture: %v %v %v %v %v", at(15, 2), at(15, 27), at(0, 5), at(29, 24), at(15, 15))
	}
	if r := PictureRect(300, 200, 30, 30); r != image.Rect(0, 5, 30, 25) {
		t.Errorf("PictureRect(300×200 in 30×30) = %v, want rows 5…24", r)
	}
	if r := PictureRect(60, 60, 30, 30); r != image.Rect(0, 0, 30, 30) {
		t.Errorf("PictureRect of a square in a square = %v", r)
	}
	if same := Fit(red, 300, 200); !bytes.Equal(same.Pix, red.Pix) {
		t.Error("a picture of the size asked changed")
	}
	tall := Fit(image.NewNRGBA(image.Rect(0, 0, 1, 8000)), 64, 64) // at least a pixel wide
	if tall.Rect.Dx() != 64 {
		t.Errorf("tall: %v", tall.Rect)
	}
}

// An image file over ReadImageFile's limit is refused with its size in
// plain figures; one at the limit reads whole.
func TestReadImageFileLimit(t *testing.T) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, imagetest.Random(64, 64, 1)); err != nil {
		t.Fatal(err)
	}
	path := writeTemp(t, "big.png", buf.Bytes())
	if _, err := ReadImageFile(path, 1000); err == nil || !strings.Contains(err.Error(), "the largest image file Tessera opens is 1.0 kB") {
		t.Errorf("a file over the limit: %v", err)
	}
	if data, err := ReadImageFile(path, int64(buf.Len())); err != nil || !bytes.Equal(data, buf.Bytes()) {
		t.Errorf("a file at the limit: %d bytes, %v", len(data), err)
	}
}

// A lossy WebP (VP8) holds limited-range BT.601 colours, which Go's YCbCr
// converts as full-range JPEG ones (its white came back (237,240,242)): its
// pixels are libwebp's. The files are four 16×16 squares, white, black,
// rgb(200,30,40) and rgb(40,160,220), written by ImageMagick (cwebp's
// library) at quality 95, the second with alpha 128 too; want is what
// ImageMagick decodes them to (dwebp's pixels).
func TestLossyWebPColours(t *testing.T) {
	const (
		opaque = "UklGRmQAAABXRUJQVlA4IFgAAABwBACdASogACAAPhkIgkEhBgAEAGEoAgAwQngH4AfqB/gOQC7AfpWBkbQSQAD+/7+8C//47vX+uaP//1ITOmiif//+QzGFKLBf+spE1zsUlpTaxX64AAAA"
		alpha  = "UklGRogAAABXRUJQVlA4WAoAAAAQAAAAHwAAHwAAQUxQSAoAAAABB1DAiAhERP8DVlA4IFgAAABwBACdASogACAAPhkIgkEhBgAEAGEoAgAwQngH4AfqB/gOQC7AfpWBkbQSQAD+/7+8C//47vX+uaP//1ITOmiif//+QzGFKLBf+spE1zsUlpTaxX64AAAA"
	)
	want := map[image.Point]color.NRGBA{
		{4, 4}: {255, 255, 255, 0}, {20, 4}: {0, 0, 0, 0}, {4, 20}: {200, 30, 39, 0}, {20, 20}: {41, 161, 220, 0},
	}
	for _, c := range []struct {
		name, data string
		a          uint8
	}{{"q.webp", opaque, 255}, {"qa.webp", alpha, 128}} {
		data, err := base64.StdEncoding.DecodeString(c.data)
		if err != nil {
			t.Fatal(err)
		}
		img, err := DecodeImage(bytes.NewReader(data), c.name)
		if err != nil {
			t.Fatal(err)
		}
		for at, w := range want {
			w.A = c.a
			got := color.NRGBAModel.Convert(img.At(at.X, at.Y)).(color.NRGBA)
			near := func(a, b uint8) bool { return max(a, b)-min(a, b) <= 2 }
			if !near(got.R, w.R) || !near(got.G, w.G) || !near(got.B, w.B) || got.A != w.A {
				t.Errorf("%s at %v: %v, want %v (±2)", c.name, at, got, w)
			}
		}
	}
	// A lossless WebP and the other formats are as decoded.
	plain := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	if DecodedRGB(plain, "webp") != image.Image(plain) {
		t.Error("an RGB WebP picture was converted")
	}
	ycc := image.NewYCbCr(image.Rect(0, 0, 2, 2), image.YCbCrSubsampleRatio420)
	if DecodedRGB(ycc, "jpeg") != image.Image(ycc) {
		t.Error("a JPEG's full-range YCbCr was converted")
	}
}

// A valid picture that uses a feature Tessera's decoders lack is said to be
// so, not damaged: an animated WebP (its decoder says "invalid format"), a
// JPEG with arithmetic coding.
func TestUnsupportedPicturesAreNotDamaged(t *testing.T) {
	webp := []byte("RIFF\x1a\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x02\x00\x00\x00\x3f\x00\x00\x3f\x00\x00")
	if _, err := DecodeImage(bytes.NewReader(webp), "anim.webp"); err == nil || !strings.Contains(err.Error(), "anim.webp is an animated WebP, which Tessera does not read") {
		t.Errorf("animated WebP: %v", err)
	}
	// SOF9: a baseline header's place taken by arithmetic coding's.
	arith := []byte{0xff, 0xd8, 0xff, 0xc9, 0x00, 0x0b, 0x08, 0x00, 0x10, 0x00, 0x10, 0x01, 0x01, 0x11, 0x00, 0xff, 0xd9}
	if _, err := DecodeImage(bytes.NewReader(arith), "arith.jpg"); err == nil || !strings.Contains(err.Error(), "uses a feature of its format that Tessera does not read") || strings.Contains(err.Error(), "damaged") {
		t.Errorf("arithmetic-coded JPEG: %v", err)
	}
	if _, err := DecodeImage(bytes.NewReader([]byte("\x89PNG\r\n\x1a\nnot really")), "cut.png"); err == nil || strings.Contains(err.Error(), "feature") {
		t.Errorf("a damaged PNG: %v", err)
	}
}

// A TIFF whose strip claims more bytes than the file holds is refused
// before x/image/tiff reserves them (a 186-byte file claiming a 4 GiB
// strip asked for 8 GiB: a fatal out-of-memory error where that much
// cannot be had); TIFFs written whole still open, uncompressed or not.
func TestTIFFStripPastTheEndIsRefused(t *testing.T) {
	// Little-endian TIFF: 8000×8000 grey, one strip at byte 8 claiming
	// 0xFFFFFFF0 bytes.
	type entry = tifftest.Entry
	const short, long = tifftest.Short, tifftest.Long
	entries := []entry{
		{Tag: 256, Type: long, Count: 1, Value: 8000},       // ImageWidth
		{Tag: 257, Type: long, Count: 1, Value: 8000},       // ImageLength
		{Tag: 258, Type: short, Count: 1, Value: 8},         // BitsPerSample
		{Tag: 259, Type: short, Count: 1, Value: 1},         // Compression: none
		{Tag: 262, Type: short, Count: 1, Value: 1},         // PhotometricInterpretation: black is zero
		{Tag: 273, Type: long, Count: 1, Value: 8},          // StripOffsets
		{Tag: 277, Type: short, Count: 1, Value: 1},         // SamplesPerPixel
		{Tag: 278, Type: long, Count: 1, Value: 8000},       // RowsPerStrip
		{Tag: 279, Type: long, Count: 1, Value: 0xFFFFFFF0}, // StripByteCounts
	}
	write := func(entries []entry) []byte { return tifftest.Build(make([]byte, 16), entries...) }
	// The same with Compression 0, which x/image/tiff reads as none too,
	// and a sound strip followed by a second StripOffsets entry pointing
	// far past the end (x/image/tiff reads every entry's values before it
	// refuses the repeat).
	zero := slices.Clone(entries)
	zero[3].Value = 0
	repeated := slices.Clone(entries)
	repeated[8].Value = 16
	repeated = slices.Insert(repeated, 6, entry{Tag: 273, Type: long, Count: 2, Value: 0xF0000000})
	for name, data := range map[string][]byte{"a 4 GiB strip": write(entries), "Compression 0": write(zero), "a repeated StripOffsets": write(repeated)} {
		_, err := DecodeImage(bytes.NewReader(data), "the TIFF")
		if !errors.Is(err, errTIFFPastEnd) || !strings.Contains(err.Error(), "incomplete") {
			t.Errorf("a %d-byte TIFF with %s: %v", len(data), name, err)
		}
	}
	src := imagetest.Random(40, 24, 7)
	for _, c := range []tiff.CompressionType{tiff.Uncompressed, tiff.Deflate} {
		var whole bytes.Buffer
		if err := tiff.Encode(&whole, src, &tiff.Options{Compression: c}); err != nil {
			t.Fatal(err)
		}
		img, err := DecodeImage(bytes.NewReader(whole.Bytes()), "the TIFF")
		if err != nil || img.Bounds() != src.Bounds() {
			t.Errorf("a whole TIFF (compression %d): %v", c, err)
		}
	}
}

// TIFFs x/image/tiff decodes still open past the pre-check (checkTIFF):
// tags it ignores may be odd (a SubIFDs entry of type IFD, a count of 0,
// a type of no known size, an ICC profile past the end), and a
// compressed strip's byte count may overstate it.
func TestTIFFsTheDecoderReadsStillOpen(t *testing.T) {
	src := imagetest.Random(12, 9, 3)
	encode := func(c tiff.CompressionType) []byte {
		var b bytes.Buffer
		if err := tiff.Encode(&b, src, &tiff.Options{Compression: c}); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	le := binary.LittleEndian
	// rewrite moves data's directory to its end with extra entries added
	// and each entry passed through edit.
	rewrite := func(data []byte, edit func(e []byte), extra ...[12]byte) []byte {
		at := le.Uint32(data[4:])
		n := int(le.Uint16(data[at:]))
		var entries [][]byte
		for i := range n {
			e := append([]byte(nil), data[int(at)+2+12*i:int(at)+14+12*i]...)
			edit(e)
			entries = append(entries, e)
		}
		for _, e := range extra {
			entries = append(entries, e[:])
		}
		slices.SortFunc(entries, func(a, b []byte) int { return int(le.Uint16(a)) - int(le.Uint16(b)) })
		out := append([]byte(nil), data...)
		le.PutUint32(out[4:], uint32(len(out)))
		out = le.AppendUint16(out, uint16(len(entries)))
		for _, e := range entries {
			out = append(out, e...)
		}
		return le.AppendUint32(out, 0)
	}
	entry := func(tag, typ uint16, count, value uint32) (e [12]byte) {
		le.PutUint16(e[0:], tag)
		le.PutUint16(e[2:], typ)
		le.PutUint32(e[4:], count)
		le.PutUint32(e[8:], value)
		return e
	}
	keep := func([]byte) {}
	overstate := func(e []byte) {
		if le.Uint16(e) == 279 { // StripByteCounts, one LONG inline
			le.PutUint32(e[8:], le.Uint32(e[8:])+200)
		}
	}
	for name, data := range map[string][]byte{
		"odd tags": rewrite(encode(tiff.Uncompressed), keep,
			entry(330, 13, 1, 8), entry(700, 4, 0, 0), entry(701, 99, 3, 0xFFFFFF), entry(34675, 7, 5000, 0xFFFF00)),
		"overstated deflate strip": rewrite(encode(tiff.Deflate), overstate),
	} {
		img, err := DecodeImage(bytes.NewReader(data), "the TIFF")
		if err != nil || img.Bounds() != src.Bounds() {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A tag the decoder does not read whose count wraps in 32 bits: no
	// fatal 8 GiB request from the EXIF orientation reader either.
	wrapped := rewrite(encode(tiff.Uncompressed), keep, entry(65000, 4, 0x40000001, 8))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := DecodeImage(bytes.NewReader(wrapped), "the TIFF")
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; err != nil || grew > 64<<20 {
		t.Errorf("a wrapping count on a tag the decoder ignores: %v, %d bytes allocated", err, grew)
	}
}
