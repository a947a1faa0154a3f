// Package orienttest builds JPEG, PNG and TIFF files carrying an EXIF orientation
// for tests: a picture with a different colour in each of its six blocks,
// stored as a camera would for each orientation, with the EXIF block
// written byte by byte.
package orienttest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
)

// Block is the side of the picture's square blocks, a multiple of JPEG's 8
// so that compression keeps each block's colour.
const Block = 16

// Colours of the blocks of Upright, row by row.
var Colours = [2][3]color.NRGBA{
	{{220, 30, 30, 255}, {30, 200, 30, 255}, {30, 30, 220, 255}},
	{{230, 230, 40, 255}, {30, 220, 220, 255}, {220, 40, 220, 255}},
}

// Upright is the picture as it should be shown: 3 blocks wide, 2 high, no
// two blocks alike, so every flip and turn of it differs.
func Upright() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, 3*Block, 2*Block))
	for y := 0; y < 2*Block; y++ {
		for x := 0; x < 3*Block; x++ {
			img.SetNRGBA(x, y, Colours[y/Block][x/Block])
		}
	}
	return img
}

// turns: each orientation as the steps a camera takes from the upright
// picture to the stored pixels, the inverse of what a viewer does.
var turns = map[int][]func(*image.NRGBA) *image.NRGBA{
	1: nil,
	2: {mirror},                     // shown mirrored: stored mirrored
	3: {rotateCW, rotateCW},         // shown turned 180°
	4: {rotateCW, rotateCW, mirror}, // shown flipped top to bottom
	5: {rotateCW, mirror},           // shown transposed
	6: {rotateCCW},                  // the viewer turns it clockwise
	7: {rotateCCW, mirror},          // shown transversed
	8: {rotateCW},                   // the viewer turns it counter-clockwise
}

// Stored is Upright as a camera with orientation o stores it.
func Stored(o int) *image.NRGBA {
	img := Upright()
	for _, t := range turns[o] {
		img = t(img)
	}
	return img
}

func mirror(src *image.NRGBA) *image.NRGBA {
	w, h := src.Rect.Dx(), src.Rect.Dy()
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dst.SetNRGBA(w-1-x, y, src.NRGBAAt(x, y))
		}
	}
	return dst
}

func rotateCW(src *image.NRGBA) *image.NRGBA {
	w, h := src.Rect.Dx(), src.Rect.Dy()
	dst := image.NewNRGBA(image.Rect(0, 0, h, w))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dst.SetNRGBA(h-1-y, x, src.NRGBAAt(x, y))
		}
	}
	return dst
}

func rotateCCW(src *image.NRGBA) *image.NRGBA {
	return rotateCW(rotateCW(rotateCW(src)))
}

// EXIF is an EXIF block ("Exif\0\0" and a TIFF structure) whose first
// directory holds the orientation o (as a SHORT) after a Make tag, in big-
// or little-endian byte order.
func EXIF(o int, bigEndian bool) []byte {
	var order binary.AppendByteOrder = binary.LittleEndian
	b := []byte("Exif\x00\x00II")
	if bigEndian {
		order = binary.BigEndian
		b = []byte("Exif\x00\x00MM")
	}
	tiff := len("Exif\x00\x00")
	b = order.AppendUint16(b, 42)
	b = order.AppendUint32(b, 8) // first directory right after the header
	b = order.AppendUint16(b, 2) // two entries
	// Make, ASCII, 6 bytes "Phone\0" stored after the directory.
	b = order.AppendUint16(b, 0x010f)
	b = order.AppendUint16(b, 2)
	b = order.AppendUint32(b, 6)
	b = order.AppendUint32(b, 8+2+2*12+4)
	// Orientation, SHORT, 1 value, padded to 4 bytes.
	b = order.AppendUint16(b, 0x0112)
	b = order.AppendUint16(b, 3)
	b = order.AppendUint32(b, 1)
	b = order.AppendUint16(b, uint16(o))
	b = order.AppendUint16(b, 0)
	b = order.AppendUint32(b, 0) // no next directory
	b = append(b, "Phone\x00"...)
	if len(b)-tiff != 8+2+2*12+4+6 {
		panic(fmt.Sprintf("EXIF layout off: %d", len(b)-tiff))
	}
	return b
}

// JPEG encodes img and splices EXIF orientation o into it as an APP1
// segment, after a JFIF APP0 and an XMP APP1 segment as cameras write them.
func JPEG(img image.Image, o int, bigEndian bool) []byte {
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, &jpeg.Options{Quality: 95}); err != nil {
		panic(err)
	}
	body := enc.Bytes()[2:] // after SOI
	segment := func(marker byte, payload []byte) []byte {
		s := []byte{0xff, marker}
		s = binary.BigEndian.AppendUint16(s, uint16(len(payload)+2))
		return append(s, payload...)
	}
	out := []byte{0xff, 0xd8}
	out = append(out, segment(0xe0, []byte("JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"))...)
	out = append(out, segment(0xe1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta/>"))...)
	out = append(out, segment(0xe1, EXIF(o, bigEndian))...)
	return append(out, body...)
}

// PNG encodes img with an eXIf chunk holding orientation o.
func PNG(img image.Image, o int) []byte {
	var enc bytes.Buffer
	if err := png.Encode(&enc, img); err != nil {
		panic(err)
	}
	data := enc.Bytes()
	// After the signature (8 bytes) and IHDR (4+4+13+4 bytes).
	at := 8 + 25
	payload := EXIF(o, true)[len("Exif\x00\x00"):]
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(payload)))
	chunk = append(chunk, "eXIf"...)
	chunk = append(chunk, payload...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	out := append([]byte(nil), data[:at]...)
	out = append(out, chunk...)
	return append(out, data[at:]...)
}

// TIFF writes img as an uncompressed RGB TIFF whose one directory holds
// orientation o (TIFF tag 0x0112, as cameras and scanners write it) and
// lies after the pixels, as many writers put it, in big- or little-endian
// byte order.
func TIFF(img image.Image, o int, bigEndian bool) []byte {
	var order binary.AppendByteOrder = binary.LittleEndian
	out := []byte("II")
	if bigEndian {
		order = binary.BigEndian
		out = []byte("MM")
	}
	b := img.Bounds()
	var pix []byte
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			pix = append(pix, c.R, c.G, c.B)
		}
	}
	pixAt := 8
	bpsAt := pixAt + len(pix) + len(pix)%2 // BitsPerSample's three values, word-aligned
	dirAt := bpsAt + 6
	out = order.AppendUint16(out, 42)
	out = order.AppendUint32(out, uint32(dirAt))
	out = append(out, pix...)
	if len(pix)%2 == 1 {
		out = append(out, 0)
	}
	for range 3 {
		out = order.AppendUint16(out, 8)
	}
	const short, long = 3, 4
	entries := []struct {
		tag, typ uint16
		count    uint32
		value    uint32
	}{
		{256, long, 1, uint32(b.Dx())}, // ImageWidth
		{257, long, 1, uint32(b.Dy())}, // ImageLength
		{258, short, 3, uint32(bpsAt)}, // BitsPerSample: 8, 8, 8
		{259, short, 1, 1},             // Compression: none
		{262, short, 1, 2},             // PhotometricInterpretation: RGB
		{273, long, 1, uint32(pixAt)},  // StripOffsets
		{274, short, 1, uint32(o)},     // Orientation
		{277, short, 1, 3},             // SamplesPerPixel
		{278, long, 1, uint32(b.Dy())}, // RowsPerStrip
		{279, long, 1, uint32(len(pix))},
		{284, short, 1, 1}, // PlanarConfiguration: chunky
	}
	out = order.AppendUint16(out, uint16(len(entries)))
	for _, e := range entries {
		out = order.AppendUint16(out, e.tag)
		out = order.AppendUint16(out, e.typ)
		out = order.AppendUint32(out, e.count)
		if e.typ == short && e.count == 1 {
			out = order.AppendUint16(out, uint16(e.value)) // left-justified in the field
			out = order.AppendUint16(out, 0)
		} else {
			out = order.AppendUint32(out, e.value)
		}
	}
	return order.AppendUint32(out, 0) // no next directory
}

// Mismatch returns "" when img shows Upright (each block's centre within a
// JPEG's error of its colour), else what is wrong.
func Mismatch(img image.Image) string {
	b := img.Bounds()
	if b.Dx() != 3*Block || b.Dy() != 2*Block {
		return fmt.Sprintf("size %dx%d, want %dx%d", b.Dx(), b.Dy(), 3*Block, 2*Block)
	}
	for by := 0; by < 2; by++ {
		for bx := 0; bx < 3; bx++ {
			want := Colours[by][bx]
			r, g, bl, _ := img.At(b.Min.X+bx*Block+Block/2, b.Min.Y+by*Block+Block/2).RGBA()
			d := max(absDiff(r>>8, want.R), absDiff(g>>8, want.G), absDiff(bl>>8, want.B))
			if d > 24 {
				return fmt.Sprintf("block (%d, %d) is %d,%d,%d, want %v", bx, by, r>>8, g>>8, bl>>8, want)
			}
		}
	}
	return ""
}

func absDiff(a uint32, b uint8) uint32 {
	if a > uint32(b) {
		return a - uint32(b)
	}
	return uint32(b) - a
}
