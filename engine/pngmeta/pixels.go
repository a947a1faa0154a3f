package pngmeta

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"image"
	"image/color"
	"os"
)

// KeyPixels is the text chunk keyword of the PNGs Tessera writes
// (WriteFileAtomic) that holds PixelsHash of their pixels: a file whose
// pixels no longer match was painted over by another program since, its
// text chunks kept (Repainted).
const KeyPixels = "tessera-pixels"

// PixelsHash is "sha256:" and the hex SHA-256 of img's pixels as
// non-premultiplied RGBA, row by row, at the depth image/png writes img in
// (8 bits for a palette and the Gray, RGBA, NRGBA and Alpha colour models,
// else 16): the same for an image and its PNG decode, whichever colour
// model image/png chose for it.
func PixelsHash(img image.Image) string {
	h := sha256.New()
	b := img.Bounds()
	_, paletted := img.ColorModel().(color.Palette)
	eight := paletted
	switch img.ColorModel() {
	case color.GrayModel, color.RGBAModel, color.NRGBAModel, color.AlphaModel:
		eight = true
	}
	var row []byte
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row = row[:0]
		switch n, isNRGBA := img.(*image.NRGBA); {
		case isNRGBA:
			i := n.PixOffset(b.Min.X, y)
			row = append(row, n.Pix[i:i+4*b.Dx()]...)
		case eight:
			for x := b.Min.X; x < b.Max.X; x++ {
				c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
				row = append(row, c.R, c.G, c.B, c.A)
			}
		default:
			for x := b.Min.X; x < b.Max.X; x++ {
				c := color.NRGBA64Model.Convert(img.At(x, y)).(color.NRGBA64)
				row = binary.BigEndian.AppendUint16(row, c.R)
				row = binary.BigEndian.AppendUint16(row, c.G)
				row = binary.BigEndian.AppendUint16(row, c.B)
				row = binary.BigEndian.AppendUint16(row, c.A)
			}
		}
		h.Write(row)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// PixelsChanged reports whether text, a PNG's text chunks, records the
// PixelsHash of the pixels written with it (KeyPixels) and img, the
// picture decoded from that PNG, holds other pixels: another program
// painted over it since and kept its text chunks, so a record among them
// no longer describes the picture. A file that records no hash (written
// before Tessera recorded it, or by another program) is not known to be
// changed: false. The hash is of the pixels as written, at the size
// written (an upscaled export's own), so an unchanged file always matches.
func PixelsChanged(text map[string]string, img image.Image) bool {
	want, ok := text[KeyPixels]
	return ok && PixelsHash(img) != want
}

// Repainted reports whether the PNG at path, whose text chunks are text,
// records the PixelsHash of its pixels and now holds other pixels
// (PixelsChanged). A file that records none (written before Tessera
// recorded it, or by another program) or cannot be decoded is not known to
// be repainted: false.
func Repainted(path string, text map[string]string) bool {
	if _, ok := text[KeyPixels]; !ok {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return false
	}
	return PixelsChanged(text, img)
}
