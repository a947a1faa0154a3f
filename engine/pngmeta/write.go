package pngmeta

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/tessera-studio/tessera/engine/atomicfile"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"sort"
	"unicode/utf8"
)

// pngSignature starts every PNG file.
const pngSignature = "\x89PNG\r\n\x1a\n"

// maxKeyword is the longest keyword a PNG text chunk may have.
const maxKeyword = 79

// Encode writes img as a PNG (standard image/png encoding) with the text
// chunks of text inserted right after IHDR, sorted by key. Latin-1 text goes
// into tEXt, other text into uncompressed UTF-8 iTXt; the "tessera" key
// always goes into iTXt. Keys must be 1–79 printable Latin-1 characters
// and text must be valid UTF-8 without NUL. Nothing is written to w unless
// encoding succeeds.
func Encode(w io.Writer, img image.Image, text map[string]string) error {
	if img == nil {
		return errors.New("encode png: image is nil")
	}
	chunks, err := textChunks(text)
	if err != nil {
		return fmt.Errorf("encode png: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fmt.Errorf("encode png: %w", err)
	}
	data := buf.Bytes()
	// image/png writes the signature then IHDR (4+4+13+4 bytes) first.
	const ihdrEnd = len(pngSignature) + 4 + 4 + 13 + 4
	if len(data) < ihdrEnd || string(data[12:16]) != "IHDR" {
		return errors.New("encode png: unexpected output from image/png")
	}
	for _, part := range [][]byte{data[:ihdrEnd], chunks, data[ihdrEnd:]} {
		if _, err := w.Write(part); err != nil {
			return fmt.Errorf("write png: %w", err)
		}
	}
	return nil
}

// textChunks renders text as tEXt/iTXt chunks sorted by key.
func textChunks(text map[string]string) ([]byte, error) {
	keys := make([]string, 0, len(text))
	for k := range text {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out bytes.Buffer
	for _, k := range keys {
		kw, ok := toLatin1(k)
		if !ok || !validKeyword(kw) {
			return nil, fmt.Errorf("text key %q: want 1-%d printable Latin-1 characters without leading, trailing or double spaces", k, maxKeyword)
		}
		v := text[k]
		if !utf8.ValidString(v) {
			return nil, fmt.Errorf("text for key %q is not valid UTF-8", k)
		}
		if bytes.IndexByte([]byte(v), 0) >= 0 {
			return nil, fmt.Errorf("text for key %q holds a NUL byte", k)
		}
		var body []byte
		if l1, ok := toLatin1(v); ok && k != KeyTessera {
			body = append(append(append([]byte("tEXt"), kw...), 0), l1...)
		} else {
			// keyword, NUL, compression flag 0, method 0, empty language tag
			// and translated keyword (each NUL-terminated), then UTF-8 text
			body = append(append(append([]byte("iTXt"), kw...), 0, 0, 0, 0, 0), v...)
		}
		if len(body)-4 > 1<<31-1 {
			return nil, fmt.Errorf("text for key %q is too long for a PNG chunk", k)
		}
		writeChunk(&out, body)
	}
	return out.Bytes(), nil
}

// writeChunk writes length, type+data (body) and the CRC of body.
func writeChunk(w *bytes.Buffer, body []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(body)-4))
	w.Write(n[:])
	w.Write(body)
	binary.BigEndian.PutUint32(n[:], crc32.ChecksumIEEE(body))
	w.Write(n[:])
}

// toLatin1 converts s to Latin-1 bytes if every rune is below U+0100.
func toLatin1(s string) ([]byte, bool) {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			return nil, false
		}
		out = append(out, byte(r))
	}
	return out, true
}

// fromLatin1 converts Latin-1 bytes to a UTF-8 string.
func fromLatin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// validKeyword checks a Latin-1 keyword against the PNG rules.
func validKeyword(kw []byte) bool {
	if len(kw) == 0 || len(kw) > maxKeyword || kw[0] == ' ' || kw[len(kw)-1] == ' ' {
		return false
	}
	for i, c := range kw {
		if (c < 32 || c > 126) && c < 161 {
			return false
		}
		if c == ' ' && kw[i-1] == ' ' {
			return false
		}
	}
	return true
}

// WriteFileAtomic encodes img with text (see Encode), the Software text
// "Tessera" (unless text sets one; WrittenByTessera reads it) and the hash
// of its pixels (KeyPixels, unless text sets one; Repainted reads it) to a
// temporary file in the folder of path, syncs it and renames it to path.
// On failure nothing is left behind and an existing file at path is
// untouched.
func WriteFileAtomic(path string, img image.Image, text map[string]string) error {
	_, software := text[KeySoftware]
	_, pixels := text[KeyPixels]
	if !software || !pixels {
		with := map[string]string{KeySoftware: Software, KeyPixels: PixelsHash(img)}
		for k, v := range text {
			with[k] = v
		}
		text = with
	}
	if err := atomicfile.Write(path, func(w io.Writer) error { return Encode(w, img, text) }); err != nil {
		return fmt.Errorf("write png %s: %w", path, err)
	}
	return nil
}
