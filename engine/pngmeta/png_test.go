package pngmeta

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/sampling"
)

func testImage() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, 8, 6))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 37)
	}
	img.SetNRGBA(0, 0, color.NRGBA{1, 2, 3, 0})
	return img
}

func sampleRecord() Record {
	p := sampleParams()
	return Record{
		Settings:  sampling.Settings{Prompt: "猫 on a mat", Negative: p.Negative, Seed: p.Seed, Temperature: 0.95, TopK: 40, TopP: 0.9, Guidance: 3},
		Precision: "f16",
		Version:   p.Version,
		Model:     p.Model,
		ModelHash: p.ModelHash,
		Width:     64,
		Height:    64,
		Grid:      [2]int{2, 3},
		PatchSize: 4,
		Tokens:    []int{1, 2, 3, 4, 5, 1023},
		Parent:    "gen-0001.png",
		Extra:     map[string]any{"note": "x"},
	}
}

// chunkTypes lists the chunk types of a PNG with their keywords for text.
func chunkTypes(t *testing.T, data []byte) []string {
	t.Helper()
	var out []string
	for p := 8; p+8 <= len(data); {
		n := int(binary.BigEndian.Uint32(data[p:]))
		typ := string(data[p+4 : p+8])
		if typ == "tEXt" || typ == "iTXt" || typ == "zTXt" {
			kw, _, _ := bytes.Cut(data[p+8:p+8+n], []byte{0})
			typ += ":" + string(kw)
		}
		out = append(out, typ)
		p += 12 + n
	}
	return out
}

func TestEncodeReadText(t *testing.T) {
	img := testImage()
	text := map[string]string{
		"parameters": "café au lait\nSeed: 1",
		"Comment":    "plain ASCII",
		"Title":      "猫",
		"tessera":    `{"prompt":"ascii only"}`,
	}
	var buf bytes.Buffer
	if err := Encode(&buf, img, text); err != nil {
		t.Fatal(err)
	}
	got, err := ReadText(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, text) {
		t.Errorf("read %q, want %q", got, text)
	}
	types := chunkTypes(t, buf.Bytes())
	want := []string{"IHDR", "tEXt:Comment", "iTXt:Title", "tEXt:parameters", "iTXt:tessera"}
	if !reflect.DeepEqual(types[:5], want) {
		t.Errorf("chunks %v, want %v first", types, want)
	}
	if types[len(types)-1] != "IEND" {
		t.Errorf("last chunk %s", types[len(types)-1])
	}
	// é is stored as the single Latin-1 byte 0xE9
	if !bytes.Contains(buf.Bytes(), []byte("parameters\x00caf\xe9 au lait")) {
		t.Error("Latin-1 text not stored as Latin-1")
	}
	dec, err := png.Decode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	nrgba, ok := dec.(*image.NRGBA)
	if !ok || !bytes.Equal(nrgba.Pix, img.Pix) || nrgba.Rect != img.Rect {
		t.Error("pixels changed by Encode")
	}
	// determinism
	var again bytes.Buffer
	if err := Encode(&again, img, text); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), buf.Bytes()) {
		t.Error("Encode is not deterministic")
	}
}

func TestEncodeBadText(t *testing.T) {
	for _, text := range []map[string]string{
		{"": "v"},
		{" lead": "v"},
		{"two  spaces": "v"},
		{strings.Repeat("k", 80): "v"},
		{"猫": "v"},
		{"tab\tkey": "v"},
		{"k": "nul\x00byte"},
		{"k": "bad \xff utf8"},
	} {
		var buf bytes.Buffer
		if err := Encode(&buf, testImage(), text); err == nil {
			t.Errorf("%q accepted", text)
		} else if buf.Len() != 0 {
			t.Errorf("%q: %d bytes written despite the error", text, buf.Len())
		}
	}
	if err := Encode(&bytes.Buffer{}, nil, nil); err == nil {
		t.Error("nil image accepted")
	}
}

func TestMetadataRecord(t *testing.T) {
	rec := sampleRecord()
	text := Metadata(rec)
	if len(text) != 2 {
		t.Fatalf("keys %v", text)
	}
	if want := FormatParameters(rec.Infotext()); text["parameters"] != want {
		t.Errorf("parameters %q, want %q", text["parameters"], want)
	}
	var buf bytes.Buffer
	if err := Encode(&buf, testImage(), text); err != nil {
		t.Fatal(err)
	}
	read, err := ReadText(&buf)
	if err != nil {
		t.Fatal(err)
	}
	back, ok, err := ParseRecord(read)
	if err != nil || !ok {
		t.Fatalf("ParseRecord: ok=%v err=%v", ok, err)
	}
	if !reflect.DeepEqual(*back, rec) {
		t.Errorf("record %+v, want %+v", *back, rec)
	}
	p := ParseParameters(read["parameters"])
	if p.Prompt != rec.Prompt || p.Seed != rec.Seed || p.TopK != 40 || p.Width != 64 || p.Version != rec.Version || p.Precision != rec.Precision {
		t.Errorf("parameters parsed as %+v", p)
	}
	if _, ok, err := ParseRecord(map[string]string{"parameters": "x"}); ok || err != nil {
		t.Errorf("absent record: ok=%v err=%v", ok, err)
	}
	if _, ok, err := ParseRecord(map[string]string{"tessera": "{broken"}); !ok || err == nil {
		t.Errorf("broken record: ok=%v err=%v", ok, err)
	}
	if _, _, err := ParseRecord(map[string]string{"tessera": `{"grid":[-1,2]}`}); err == nil {
		t.Error("negative grid accepted")
	}
	bad := rec
	bad.Extra = map[string]any{"f": func() {}}
	if m := Metadata(bad); m["tessera"] != "" || m["parameters"] == "" {
		t.Errorf("unmarshalable record gave %v", m)
	}
}

// pngWith builds a PNG from raw chunks (type+data), computing CRCs.
func pngWith(chunks ...[]byte) []byte {
	var b bytes.Buffer
	b.WriteString(pngSignature)
	for _, c := range chunks {
		writeChunk(&b, c)
	}
	return b.Bytes()
}

func deflate(s string) []byte {
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

func TestReadCompressed(t *testing.T) {
	ihdr := append([]byte("IHDR"), 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0)
	ztxt := append([]byte("zTXtz\x00\x00"), deflate("caf\xe9")...)
	itxt := append([]byte("iTXti\x00\x01\x00en\x00Titel\x00"), deflate("猫 compressed")...)
	plain := []byte("iTXtp\x00\x00\x00\x00\x00plain")
	data := pngWith(ihdr, ztxt, itxt, plain, []byte("IEND"))
	got, err := ReadText(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"z": "café", "i": "猫 compressed", "p": "plain"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestReadTextErrors(t *testing.T) {
	var good bytes.Buffer
	if err := Encode(&good, testImage(), Metadata(sampleRecord())); err != nil {
		t.Fatal(err)
	}
	data := good.Bytes()
	for n := 0; n < len(data); n++ {
		if _, err := ReadText(bytes.NewReader(data[:n])); err == nil {
			t.Fatalf("truncated to %d of %d bytes: no error", n, len(data))
		}
	}
	for i := 8; i < len(data); i += 7 {
		bad := bytes.Clone(data)
		bad[i] ^= 0x10
		if _, err := ReadText(bytes.NewReader(bad)); err == nil {
			t.Errorf("byte %d flipped: no error", i)
		}
	}
	ihdr := append([]byte("IHDR"), 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0)
	// a text chunk claiming 2 GiB with only a few bytes present
	huge := pngWith(ihdr)
	huge = append(huge, 0x7f, 0xff, 0xff, 0xff)
	huge = append(huge, "tEXtkey\x00value"...)
	// a text chunk claiming 60 MiB (under the text limit) with few bytes present
	lying := pngWith(ihdr)
	lying = append(lying, 0x03, 0xc0, 0x00, 0x00)
	lying = append(lying, "tEXtkey\x00value"...)
	for name, d := range map[string][]byte{
		"huge length":     huge,
		"lying length":    lying,
		"bad signature":   append([]byte("\x89PNG\r\n\x1a\x0b"), data[8:]...),
		"no IHDR first":   pngWith([]byte("tEXtk\x00v"), ihdr, []byte("IEND")),
		"no keyword end":  pngWith(ihdr, []byte("tEXtnokeyword"), []byte("IEND")),
		"empty keyword":   pngWith(ihdr, []byte("tEXt\x00v"), []byte("IEND")),
		"bad zTXt method": pngWith(ihdr, []byte("zTXtk\x00\x01xx"), []byte("IEND")),
		"bad zlib":        pngWith(ihdr, []byte("zTXtk\x00\x00notzlib"), []byte("IEND")),
		"short iTXt":      pngWith(ihdr, []byte("iTXtk\x00\x00"), []byte("IEND")),
		"bad chunk type":  pngWith(ihdr, []byte("t3Xtk\x00v"), []byte("IEND")),
	} {
		if _, err := ReadText(bytes.NewReader(d)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	ok := pngWith(ihdr, []byte("tEXtk\x00first"), []byte("tEXtk\x00second"), []byte("IEND"), []byte("tEXtafter\x00x"))
	got, err := ReadText(bytes.NewReader(ok))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, map[string]string{"k": "first"}) {
		t.Errorf("got %q", got)
	}
}

// TestReadTextBoundsTheTotal: text chunks that each stay under the limit
// but together exceed it are not all kept: those over what is left are
// skipped, unread past the limit, and the record after them is still read
// (it was refused with them); a repeated keyword is not even inflated
// (the fuzzer's 1 MB file inflated to 1 GiB of text).
func TestReadTextBoundsTheTotal(t *testing.T) {
	ihdr := append([]byte("IHDR"), 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0)
	zeros := deflate(strings.Repeat("\x00", 5<<20)) // 5 MiB of text, about 5 KB compressed
	chunks := [][]byte{ihdr}
	for _, key := range []string{"a", "b", "c", "d", "e"} {
		chunks = append(chunks, append([]byte("zTXt"+key+"\x00\x00"), zeros...))
	}
	chunks = append(chunks, []byte("tEXtrecord\x00kept"), []byte("IEND"))
	got, err := ReadText(bytes.NewReader(pngWith(chunks...)))
	total := 0
	for k, v := range got {
		total += len(k) + len(v)
	}
	if err != nil || got["record"] != "kept" || len(got) != 3 || total > maxTextBytes {
		t.Fatalf("25 MiB of text in five chunks, then a record: %d chunks kept (%d bytes; record %q), %v", len(got), total, got["record"], err)
	}
	// Text that takes the whole budget before Tessera's record leaves it
	// read (the budget keeps a reserve for it), and a chunk skipped keeps
	// a later one of its keyword out too (the first chunk wins).
	all := deflate(strings.Repeat("\x00", maxTextBytes))
	chunks = [][]byte{ihdr, append([]byte("zTXta\x00\x00"), all...), append([]byte("zTXtb\x00\x00"), all...),
		[]byte("tEXtb\x00later"), []byte("tEXt" + KeyTessera + "\x00{}"), []byte("IEND")}
	got, err = ReadText(bytes.NewReader(pngWith(chunks...)))
	if _, b := got["b"]; err != nil || got[KeyTessera] != "{}" || b {
		t.Fatalf("the whole budget before the record: %d chunks kept (record %q, b %q), %v", len(got), got[KeyTessera], got["b"], err)
	}
	repeat := pngWith(ihdr, []byte("tEXtk\x00first"), []byte("zTXtk\x00\x00notzlib"), []byte("IEND"))
	if got, err := ReadText(bytes.NewReader(repeat)); err != nil || got["k"] != "first" {
		t.Fatalf("a repeated keyword: %q, %v", got, err)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.png")
	text := Metadata(sampleRecord())
	if err := WriteFileAtomic(path, testImage(), text); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got[KeySoftware] != Software || !WrittenByTessera(got) {
		t.Errorf("Software %q: the file does not say Tessera wrote it", got[KeySoftware])
	}
	if got[KeyPixels] != PixelsHash(testImage()) || Repainted(path, got) {
		t.Errorf("pixels %q: the file does not record its pixels", got[KeyPixels])
	}
	delete(got, KeySoftware)
	delete(got, KeyPixels)
	if !reflect.DeepEqual(got, text) {
		t.Errorf("read back %q", got)
	}
	if WrittenByTessera(map[string]string{KeySoftware: "GIMP"}) || !WrittenByTessera(map[string]string{KeyTessera: "{}"}) {
		t.Error("WrittenByTessera reads the Software text or the record")
	}
	before, _ := os.ReadFile(path)
	// a failing write leaves the old file and no temporary behind
	if err := WriteFileAtomic(path, testImage(), map[string]string{"": "bad"}); err == nil {
		t.Fatal("bad key accepted")
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("failed write changed the existing file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries after a failed write", len(entries))
	}
	missing := filepath.Join(dir, "no", "such", "dir", "x.png")
	if err := WriteFileAtomic(missing, testImage(), text); err == nil {
		t.Fatal("write into a missing folder succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "no")); !os.IsNotExist(err) {
		t.Errorf("missing folder was created: %v", err)
	}
	if _, err := ReadFile(missing); err == nil {
		t.Error("ReadFile of a missing file succeeded")
	}
}

func FuzzReadText(f *testing.F) {
	var good bytes.Buffer
	if err := Encode(&good, testImage(), Metadata(sampleRecord())); err != nil {
		f.Fatal(err)
	}
	f.Add(good.Bytes())
	f.Add(good.Bytes()[:40])
	ihdr := append([]byte("IHDR"), 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0)
	f.Add(pngWith(ihdr, append([]byte("zTXtz\x00\x00"), deflate("zip")...), []byte("IEND")))
	f.Add(pngWith(ihdr, append([]byte("iTXti\x00\x01\x00en\x00T\x00"), deflate("猫")...), []byte("IEND")))
	f.Add([]byte(pngSignature))
	f.Fuzz(func(t *testing.T, data []byte) {
		text, err := ReadText(bytes.NewReader(data))
		if err == nil && text == nil {
			t.Error("nil map without an error")
		}
		// whatever was read must be writable again, if the keys are valid
		if err == nil {
			var buf bytes.Buffer
			if Encode(&buf, testImage(), text) == nil {
				again, err := ReadText(&buf)
				if err != nil || !reflect.DeepEqual(again, text) {
					t.Errorf("re-encoded text read back as %q, %v; want %q", again, err, text)
				}
			}
		}
	})
}

// A stopped run's picture says in its parameters text how many of its
// patches it has; a whole one says nothing of it.
func TestParametersSayStopped(t *testing.T) {
	rec := Record{Grid: [2]int{2, 2}, PatchSize: 4, Width: 8, Height: 8, Tokens: []int{1, 2, 3}, Version: "tessera 0.1.0"}
	if got := Metadata(rec)[KeyParameters]; !strings.Contains(got, "Patches: 3 of 4 (stopped)") {
		t.Errorf("stopped: %q", got)
	}
	rec.Tokens = []int{1, 2, 3, 4}
	if got := Metadata(rec)[KeyParameters]; strings.Contains(got, "Patches") {
		t.Errorf("whole: %q", got)
	}
}

func TestRecordDrawnAt(t *testing.T) {
	r := &Record{Grid: [2]int{8, 8}, PatchSize: 8}
	for _, c := range []struct {
		w, h int
		want bool
	}{{64, 64, true}, {256, 256, true}, {64, 128, false}, {63, 63, false}, {128, 64, false}, {0, 0, false}} {
		if got := r.DrawnAt(c.w, c.h); got != c.want {
			t.Errorf("%dx%d: %v, want %v", c.w, c.h, got, c.want)
		}
	}
	if tall := (&Record{Grid: [2]int{12, 8}, PatchSize: 8}); !tall.DrawnAt(64, 96) || tall.DrawnAt(64, 64) {
		t.Error("a taller picture's record")
	}
	if (&Record{}).DrawnAt(64, 64) {
		t.Error("a record without a grid draws nothing")
	}
}

// ReadDrawing takes Tessera's record over the A1111 text written beside
// it, gives an edit's or an imported picture's record no prompt or seed,
// reads A1111's text where there is no record (its seed only when set and
// parsed), and says none for text without either.
func TestReadDrawing(t *testing.T) {
	rec := sampleRecord()
	seed := rec.Seed
	edit := sampleRecord()
	edit.Extra = map[string]any{ExtraEdit: map[string]any{"instruction": "mirror it"}}
	imported := sampleRecord()
	imported.Extra = map[string]any{ExtraImported: "cat.jpg"}
	seven := uint64(7)
	for _, c := range []struct {
		name string
		text map[string]string
		want Drawing
	}{
		{"tessera", Metadata(rec), Drawing{From: FromTessera, Prompt: rec.Prompt, Negative: rec.Negative, Seed: &seed}},
		{"edit", Metadata(edit), Drawing{From: FromTessera}},
		{"imported", Metadata(imported), Drawing{From: FromTessera}},
		{"a1111", map[string]string{"parameters": "a red fox\nNegative prompt: blurry\nSteps: 20, Seed: 7"}, Drawing{From: FromA1111, Prompt: "a red fox", Negative: "blurry", Seed: &seven}},
		{"a1111 without a seed", map[string]string{"parameters": "a red fox\nSteps: 20"}, Drawing{From: FromA1111, Prompt: "a red fox"}},
		{"a1111 with a seed that does not parse", map[string]string{"parameters": "a red fox\nSteps: 20, Seed: x"}, Drawing{From: FromA1111, Prompt: "a red fox"}},
		// Tessera's own parameters text, its record dropped by another
		// program's re-save: Tessera's, not another tool's.
		{"tessera parameters", map[string]string{"parameters": Metadata(rec)[KeyParameters]}, Drawing{From: FromTesseraParameters, Prompt: rec.Prompt, Negative: rec.Negative, Seed: &seed}},
		{"none", map[string]string{"Comment": "hello"}, Drawing{From: FromNone}},
	} {
		if got := ReadDrawing(c.text); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

// The pixels' hash a written PNG records is its decode's, whichever colour
// model image/png writes it in (an opaque NRGBA decodes as RGBA, a grey
// picture as Gray), so that only a picture painted over since is taken
// for one (Repainted); painted over, its text kept, it is.
func TestRepaintedPNGIsToldByItsPixels(t *testing.T) {
	dir := t.TempDir()
	opaque, translucent := image.NewNRGBA(image.Rect(0, 0, 5, 3)), image.NewNRGBA(image.Rect(0, 0, 5, 3))
	gray := image.NewGray(image.Rect(0, 0, 4, 4))
	pal := image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.White, color.NRGBA{200, 10, 10, 255}})
	premul := image.NewRGBA(image.Rect(0, 0, 3, 3))
	for i := range opaque.Pix {
		opaque.Pix[i] = uint8(37 * i)
		translucent.Pix[i] = uint8(53 * i)
		if i%4 == 3 {
			opaque.Pix[i] = 255
		}
	}
	for i := range gray.Pix {
		gray.Pix[i] = uint8(19 * i)
		pal.Pix[i] = uint8(i % 2)
	}
	for i := 0; i < len(premul.Pix); i += 4 {
		a := uint8(40 * i / 4)
		premul.Pix[i], premul.Pix[i+1], premul.Pix[i+2], premul.Pix[i+3] = a/2, a/3, a, a
	}
	deep := image.NewRGBA64(image.Rect(2, 1, 6, 4)) // 16 bits, premultiplied, not at the origin
	gray16 := image.NewGray16(image.Rect(0, 0, 3, 3))
	for i := 0; i < len(deep.Pix); i += 8 {
		a := uint16(0x1234 * (i/8 + 1))
		binary.BigEndian.PutUint16(deep.Pix[i+6:], a)
		for c := range 3 {
			binary.BigEndian.PutUint16(deep.Pix[i+2*c:], uint16(uint32(a)*uint32(c*29+i+7)%uint32(a+1))) // at most alpha
		}
	}
	for i := range gray16.Pix {
		gray16.Pix[i] = uint8(77 * i)
	}
	for name, img := range map[string]image.Image{"opaque": opaque, "translucent": translucent, "gray": gray, "paletted": pal,
		"premultiplied": premul, "16-bit premultiplied": deep, "16-bit gray": gray16} {
		path := filepath.Join(dir, name+".png")
		if err := WriteFileAtomic(path, img, nil); err != nil {
			t.Fatal(err)
		}
		text, err := ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if Repainted(path, text) {
			t.Errorf("%s: a picture as written is taken for one painted over", name)
		}
	}
	path := filepath.Join(dir, "opaque.png")
	text, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	opaque.Pix[0]++
	if err := Encode(mustCreate(t, path), opaque, text); err != nil { // another program's save, its text kept
		t.Fatal(err)
	}
	if !Repainted(path, text) {
		t.Error("a picture painted over, its text kept, is not told")
	}
}

// mustCreate creates path for writing; the test closes it at its end.
func mustCreate(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
