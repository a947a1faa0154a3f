package data

import (
	"context"
	"image/color"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCaptionEncodings: caption files from other editors read as their
// authors meant: a UTF-8 byte-order mark is not part of the first word,
// CRLF and CR line breaks split lines, UTF-16 with a byte-order mark
// decodes, and bytes that are not UTF-8 are Windows-1252 (0x92 is a curly
// apostrophe, not U+FFFD), with a warning naming the file.
func TestCaptionEncodings(t *testing.T) {
	utf16le := func(s string) []byte { // with a byte-order mark, as Notepad writes it
		b := []byte{0xff, 0xfe}
		for _, r := range s {
			b = append(b, byte(r), byte(r>>8))
		}
		return b
	}
	cases := []struct {
		file    string
		data    []byte
		caption string
		names   []string
		warn    bool
	}{
		{"a_bom", []byte("\xef\xbb\xbfred cat\r\nkitten\r\n"), "red cat", []string{"kitten"}, false},
		{"b_crlf", []byte("Red Dog\r\n\r\nPuppy\r\n"), "red dog", []string{"puppy"}, false},
		{"c_cr", []byte("blue bird\rsparrow\r"), "blue bird", []string{"sparrow"}, false},
		{"d_cp1252", []byte("don\x92t stop\r\ncaf\xe9 \x93sign\x94\r\n"), "don\u2019t stop", []string{"café \u201csign\u201d"}, true},
		{"e_cp1252_bom", []byte("\xef\xbb\xbfred \x96 hot\n"), "red \u2013 hot", nil, true},
		{"f_utf16", utf16le("Red Heart\r\nlove\r\n"), "red heart", []string{"love"}, false},
		{"g_utf8", []byte("naïve café ☕\n"), "naïve café ☕", nil, false},
	}
	dir := t.TempDir()
	for i, c := range cases {
		writeFile(t, filepath.Join(dir, c.file+".png"), pngBytes(t, 2, 2, color.NRGBA{uint8(i), 2, 3, 255})) // not identical: those train once
		writeFile(t, filepath.Join(dir, c.file+".txt"), c.data)
	}
	samples, rep, err := Folder(context.Background(), dir)
	if err != nil || len(samples) != len(cases) {
		t.Fatalf("Folder: %v, %d samples", err, len(samples))
	}
	warnings := strings.Join(rep.Warnings, "\n")
	warned := 0
	for i, c := range cases {
		s := samples[i]
		if s.Caption != c.caption || !slices.Equal(s.Names, c.names) {
			t.Errorf("%s: caption %q names %q, want %q %q", c.file, s.Caption, s.Names, c.caption, c.names)
		}
		if strings.ContainsRune(s.Caption, '\ufffd') || strings.ContainsRune(s.Caption, '\ufeff') {
			t.Errorf("%s: caption %q holds U+FFFD or a BOM", c.file, s.Caption)
		}
		if got := strings.Contains(warnings, c.file+".txt is not UTF-8; read as Windows-1252"); got != c.warn {
			t.Errorf("%s: warned %v, want %v (warnings %q)", c.file, got, c.warn, rep.Warnings)
		}
		if c.warn {
			warned++
		}
	}
	if rep.Warned != warned || rep.Skipped != 0 || rep.Loaded != len(cases) {
		t.Errorf("report %+v", rep)
	}
}
