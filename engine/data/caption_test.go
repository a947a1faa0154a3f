package data

import (
	"context"
	"fmt"
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
	// UTF-16 without a byte-order mark (iconv -t utf-16be writes none):
	// its letters came out between NUL bytes.
	utf16 := func(s string, big bool) []byte {
		var b []byte
		for _, r := range s {
			if big {
				b = append(b, byte(r>>8), byte(r))
			} else {
				b = append(b, byte(r), byte(r>>8))
			}
		}
		return b
	}
	cases := []struct {
		file    string
		data    []byte
		caption string
		names   []string
		warn    string // the encoding it is read as, where not UTF-8
	}{
		{"a_bom", []byte("\xef\xbb\xbfred cat\r\nkitten\r\n"), "red cat", []string{"kitten"}, ""},
		{"b_crlf", []byte("Red Dog\r\n\r\nPuppy\r\n"), "red dog", []string{"puppy"}, ""},
		{"c_cr", []byte("blue bird\rsparrow\r"), "blue bird", []string{"sparrow"}, ""},
		{"d_cp1252", []byte("don\x92t stop\r\ncaf\xe9 \x93sign\x94\r\n"), "don\u2019t stop", []string{"café \u201csign\u201d"}, "Windows-1252"},
		{"e_cp1252_bom", []byte("\xef\xbb\xbfred \x96 hot\n"), "red \u2013 hot", nil, "Windows-1252"},
		{"f_utf16", utf16le("Red Heart\r\nlove\r\n"), "red heart", []string{"love"}, ""},
		{"g_utf8", []byte("naïve café ☕\n"), "naïve café ☕", nil, ""},
		{"h_utf16be", utf16("a blue square\n", true), "a blue square", nil, "UTF-16BE"},
		{"i_utf16le", utf16("Green café\r\n", false), "green café", nil, "UTF-16LE"},
		// A character with a 0 byte on the other side (一 U+4E00, Ā U+0100)
		// is no reason to read the file as Windows-1252 with NULs.
		{"j_utf16be_wide", utf16("a cat face in the morning sun \u4e00 \u0100\n", true), "a cat face in the morning sun \u4e00 \u0101", nil, "UTF-16BE"},
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
		if got := strings.Contains(warnings, c.file+".txt is not UTF-8; read as "+c.warn); got != (c.warn != "") {
			t.Errorf("%s: warned %v, want %q (warnings %q)", c.file, got, c.warn, rep.Warnings)
		}
		if c.warn != "" {
			warned++
		}
	}
	if rep.Warned != warned || rep.Skipped != 0 || rep.Loaded != len(cases) {
		t.Errorf("report %+v", rep)
	}
}

// A caption file that starts with a UTF-16 byte-order mark but is no
// UTF-16 text (an odd byte left) is a problem said by name, not a caption
// of garbage ("戀摡�", which went into the vocabulary).
func TestBrokenUTF16Caption(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "good.png"), pngBytes(t, 2, 2, color.NRGBA{1, 2, 3, 255}))
	writeFile(t, filepath.Join(dir, "good.txt"), []byte("red box\n"))
	writeFile(t, filepath.Join(dir, "red_box.png"), pngBytes(t, 2, 2, color.NRGBA{9, 2, 3, 255}))
	writeFile(t, filepath.Join(dir, "red_box.txt"), []byte{0xff, 0xfe, 0x00, 'b', 'a', 'd', 0x00})
	samples, rep, err := Folder(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		if strings.ContainsRune(s.Caption, '\uFFFD') || strings.ContainsRune(s.Caption, '戀') {
			t.Errorf("a caption of garbage: %q", s.Caption)
		}
	}
	if !strings.Contains(fmt.Sprint(rep.Problems, rep.Warnings), "red_box.txt") {
		t.Errorf("the broken caption file is not named: %+v", rep)
	}
	t.Logf("%d samples; report %+v", len(samples), rep)
}
