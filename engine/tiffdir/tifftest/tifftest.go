// Package tifftest writes little TIFF files for tests of TIFF readers:
// a header, pad bytes, then one image file directory of the entries
// given, as they are (sorted or not, repeated or not, claiming what they
// like).
package tifftest

import (
	"bytes"
	"encoding/binary"
)

// Field types of TIFF 6.0 the tests use.
const (
	Short = 3
	Long  = 4
)

// Entry is one directory entry: a SHORT of count 1 is written inline,
// anything else writes Value as its 4 value bytes (the value inline, or
// the offset of the values).
type Entry struct {
	Tag, Type    uint16
	Count, Value uint32
}

// Build is a little-endian TIFF: "II*\0", the directory's offset (8 plus
// len(pad)), pad (the "pixels" a strip may point at, from byte 8), the
// directory of entries and a next-directory offset of 0.
func Build(pad []byte, entries ...Entry) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString("II*\x00")
	_ = binary.Write(&b, le, uint32(8+len(pad)))
	b.Write(pad)
	_ = binary.Write(&b, le, uint16(len(entries)))
	for _, e := range entries {
		_ = binary.Write(&b, le, e.Tag)
		_ = binary.Write(&b, le, e.Type)
		_ = binary.Write(&b, le, e.Count)
		if e.Type == Short && e.Count == 1 {
			_ = binary.Write(&b, le, uint16(e.Value))
			_ = binary.Write(&b, le, uint16(0))
		} else {
			_ = binary.Write(&b, le, e.Value)
		}
	}
	_ = binary.Write(&b, le, uint32(0))
	return b.Bytes()
}
