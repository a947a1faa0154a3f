package codebook

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // register GIF for LoadImage
	"image/jpeg"  // registers JPEG for LoadImage; its UnsupportedError
	"image/png"   // registers PNG for LoadImage; its UnsupportedError
	"io"
	"io/fs"
	"os"
	"strings"

	"golang.org/x/image/bmp"    // registers BMP for LoadImage; its ErrUnsupported
	"golang.org/x/image/tiff"   // registers TIFF for LoadImage; its UnsupportedError
	_ "golang.org/x/image/webp" // register WebP for LoadImage

	"github.com/tessera-studio/tessera/engine/orient"
	"github.com/tessera-studio/tessera/internal/paths"
	"github.com/tessera-studio/tessera/internal/plural"
)

// ImageFormats names the formats LoadImage and DecodeImage read, for
// messages.
const ImageFormats = "PNG, JPEG, GIF, BMP, TIFF or WebP"

// ImageExtensions are the file name extensions of ImageFormats (lower
// case), for file pickers.
func ImageExtensions() []string {
	return []string{".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp"}
}

// MaxImageSide is the largest side Encode and Decode work at and
// pictures are made at.
const MaxImageSide = 8192

// MaxImagePixels is the most pixels a picture LoadImage and DecodeImage
// open may hold (8192×8192: 256 MiB decoded), and MaxInputSide its longest
// side: a 9000×10 strip (a phone's panorama is wider than 8192) has few
// pixels and is read.
const (
	MaxImagePixels = MaxImageSide * MaxImageSide
	MaxInputSide   = 4 * MaxImageSide
)

// TooLarge reports whether a picture of w×h pixels is over what LoadImage
// and DecodeImage open (MaxImagePixels, MaxInputSide).
func TooLarge(w, h int) bool {
	return w > MaxInputSide || h > MaxInputSide || int64(w)*int64(h) > MaxImagePixels
}

// TooLargeError reports a picture over what LoadImage opens (TooLarge).
type TooLargeError struct {
	Width, Height int
}

// Error says how big the image is and what is accepted.
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("image is %d×%d pixels; %s", e.Width, e.Height, largestOpened)
}

// largestOpened says what TooLarge allows.
var largestOpened = fmt.Sprintf("the largest picture Tessera opens has %s pixels (%d×%d) and %s on a side", plural.Thousands(MaxImagePixels), MaxImageSide, MaxImageSide, plural.Thousands(MaxInputSide))

// LargestOpened says what TooLarge allows, for messages that refuse to
// write a picture Tessera would not open again: "the largest picture
// Tessera opens has 67,108,864 pixels (8192×8192) and 32,768 on a side".
func LargestOpened() string { return largestOpened }

// LoadImage reads an image file (ImageFormats), turned upright as its EXIF
// orientation says (orient.Read). The header is checked first, so an image
// over MaxImagePixels or MaxInputSide is refused before any pixels are
// allocated.
func LoadImage(path string) (image.Image, error) {
	f, err := openImage(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return decodeSeeker(f, path)
}

// ImageConfig reads an image file's format and size from its header
// alone, with LoadImage's errors (a folder, an empty file, a format it does
// not read). The size is the upright picture's, as LoadImage returns it
// (width and height exchanged for an EXIF orientation that turns it).
func ImageConfig(path string) (image.Config, string, error) {
	f, err := openImage(path)
	if err != nil {
		return image.Config{}, "", err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() == 0 {
		return image.Config{}, "", fmt.Errorf("the file %s is empty (0 bytes)", path)
	}
	cfg, format, err := image.DecodeConfig(bufio.NewReader(f))
	if err != nil {
		return image.Config{}, "", decodeError(path, err, f)
	}
	// The size as LoadImage gives it: upright, as the EXIF orientation
	// says (a phone's portrait photo is stored on its side).
	if _, err := f.Seek(0, io.SeekStart); err == nil && orient.Read(f).Swapped() {
		cfg.Width, cfg.Height = cfg.Height, cfg.Width
	}
	return cfg, format, nil
}

// openImage opens an image file, refusing what CheckFile refuses (looked
// at before it is opened: opening a pipe waits for a writer).
func openImage(path string) (*os.File, error) {
	if err := CheckFile(path, "image"); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read image %s: %w", path, withoutPath(err))
	}
	return f, nil
}

// CheckFile returns an error unless path (a symbolic link followed) is a
// regular file: one that is missing or cannot be looked at, a folder, a
// device, a named pipe or a socket. A device reads forever (/dev/zero
// filled memory) and opening a pipe waits for a writer (the studio hung on
// one without a word): neither is a picture or a caption. what names the
// file expected in the message ("image": "read image a.png: it is a named
// pipe, not an image file").
func CheckFile(path, what string) error {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return fmt.Errorf("open %s %s: %w", what, path, withoutPath(err))
	case fi.IsDir():
		return fmt.Errorf("read %s %s: it is a folder, not %s file", what, path, article(what))
	case !fi.Mode().IsRegular():
		return fmt.Errorf("read %s %s: it is a %s, not %s file", what, path, paths.Kind(fi.Mode()), article(what))
	}
	return nil
}

// withoutPath is a file operation's error without the path it names
// (fs.PathError's), for a message that names the path once, not twice
// ("open image a.png: stat a.png: …").
func withoutPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// article is noun with its indefinite article: "an image", "a caption".
func article(noun string) string {
	if noun != "" && strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}

// ReadImageFile reads an image file's bytes whole (for its pixels and its
// metadata both), with LoadImage's errors for a path that is no image
// file (a folder, a device, a pipe); a file of more than limit bytes is
// refused before it is read ("… is 314.6 MB: the largest image file
// Tessera opens is 268.4 MB").
func ReadImageFile(path string, limit int64) ([]byte, error) {
	f, err := openImage(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tooBig := func(n int64) error {
		return fmt.Errorf("read image %s: it is %s: the largest image file Tessera opens is %s", path, plural.Bytes(n), plural.Bytes(limit))
	}
	if fi, err := f.Stat(); err == nil && fi.Size() > limit {
		return nil, tooBig(fi.Size())
	}
	// Read no more than that even if the file grows meanwhile.
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read image %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, tooBig(int64(len(data)))
	}
	return data, nil
}

// DecodeImage is LoadImage for a reader; name is used in error messages:
// a file's name ("the file cat.png is damaged"), or, starting with "the ",
// what the data is ("the pasted image is damaged"). The data is read into
// memory first so the header check and the decode can both run.
func DecodeImage(r io.Reader, name string) (image.Image, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", subject(name), err)
	}
	return decodeSeeker(bytes.NewReader(data), name)
}

// decodeSeeker checks the header of rs, rewinds and decodes it.
func decodeSeeker(rs io.ReadSeeker, name string) (image.Image, error) {
	size, err := rs.Seek(0, io.SeekEnd)
	if err == nil && size == 0 {
		return nil, fmt.Errorf("%s is empty (0 bytes)", subject(name))
	}
	if ra, ok := rs.(io.ReaderAt); ok && err == nil {
		if err := checkTIFF(ra, size); errors.Is(err, errTIFFPastEnd) {
			return nil, &readError{fmt.Sprintf("%s is incomplete: %v (cut short while it was copied or downloaded?)", subject(name), err), err}
		} else if err != nil {
			return nil, &readError{fmt.Sprintf("%s is damaged: its picture cannot be decoded (TIFF: %v)", subject(name), err), err}
		}
	}
	if _, err := rs.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read %s: %w", subject(name), err)
	}
	cfg, _, err := image.DecodeConfig(bufio.NewReader(rs))
	if err != nil {
		return nil, decodeError(name, err, rs)
	}
	if TooLarge(cfg.Width, cfg.Height) {
		return nil, &readError{fmt.Sprintf("%s is %d×%d pixels: %s (scale it down first)",
			subject(name), cfg.Width, cfg.Height, largestOpened), &TooLargeError{Width: cfg.Width, Height: cfg.Height}}
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%s is empty (%d×%d pixels)", subject(name), cfg.Width, cfg.Height)
	}
	if _, err := rs.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read %s: %w", subject(name), err)
	}
	img, format, err := image.Decode(bufio.NewReader(rs))
	if err != nil {
		return nil, decodeError(name, err, rs)
	}
	img = DecodedRGB(img, format)
	// Turn it upright as its EXIF orientation says (phones store portrait
	// photos sideways); unreadable EXIF leaves it as stored.
	if _, err := rs.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read %s: %w", subject(name), err)
	}
	return orient.Upright(img, orient.Read(rs)), nil
}

// decodeError names the file and says what went wrong in plain words; rs
// is the file, read again to tell a feature Tessera's decoders lack from
// damage (an animated WebP's decoder says "invalid format").
func decodeError(name string, err error, rs io.ReadSeeker) error {
	if what := Unsupported(err, rs); what != "" {
		return &readError{fmt.Sprintf("%s %s", subject(name), what), err}
	}
	switch {
	case errors.Is(err, image.ErrFormat):
		return &readError{fmt.Sprintf("%s is not a picture Tessera reads (it reads %s files)", subject(name), ImageFormats), err}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF), endsEarly(err):
		return &readError{fmt.Sprintf("%s is incomplete: it ends before its picture does (cut short while it was copied or downloaded?)", subject(name)), err}
	default:
		return &readError{fmt.Sprintf("%s is damaged: its picture cannot be decoded (%v)", subject(name), err), err}
	}
}

// endsEarly reports whether a decoder's error is the one it gives for data
// that stops before the picture does without saying io.ErrUnexpectedEOF:
// Go's JPEG decoder's "short Huffman data" (a JPEG cut in its pixel data)
// and its PNG decoder's "not enough pixel data" and "invalid format:
// unexpected EOF" (a PNG cut in its last chunk's checksum).
func endsEarly(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "short Huffman data") || strings.Contains(msg, "not enough pixel data") || strings.HasSuffix(msg, "unexpected EOF")
}

// subject is how messages name what is read: "the file NAME", or name
// itself where it says what the data is ("the pasted image").
func subject(name string) string {
	if strings.HasPrefix(name, "the ") {
		return name
	}
	return "the file " + name
}

// readError is a picture file's error in plain words; the decoder's error
// it wraps (for errors.Is) adds nothing a user can act on, but where the
// data is damaged, and is left out of the message otherwise.
type readError struct {
	msg string
	err error
}

func (e *readError) Error() string { return e.msg }
func (e *readError) Unwrap() error { return e.err }

// Flatten composites img over white and returns an opaque NRGBA image with
// its origin at (0, 0).
func Flatten(img image.Image) *image.NRGBA {
	if img == nil {
		return image.NewNRGBA(image.Rect(0, 0, 0, 0))
	}
	b := img.Bounds()
	dst := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	switch src := img.(type) {
	case *image.NRGBA:
		for y := 0; y < b.Dy(); y++ {
			s := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):]
			d := dst.Pix[y*dst.Stride:]
			for x := 0; x < b.Dx(); x++ {
				a := uint32(s[4*x+3])
				for ch := 0; ch < 3; ch++ {
					d[4*x+ch] = uint8((uint32(s[4*x+ch])*a + 255*(255-a) + 127) / 255)
				}
				d[4*x+3] = 255
			}
		}
	case *image.RGBA:
		for y := 0; y < b.Dy(); y++ {
			s := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):]
			d := dst.Pix[y*dst.Stride:]
			for x := 0; x < b.Dx(); x++ {
				a := uint32(s[4*x+3])
				for ch := 0; ch < 3; ch++ {
					d[4*x+ch] = uint8(min(uint32(s[4*x+ch])+255-a, 255))
				}
				d[4*x+3] = 255
			}
		}
	case *image.YCbCr:
		for y := 0; y < b.Dy(); y++ {
			d := dst.Pix[y*dst.Stride:]
			for x := 0; x < b.Dx(); x++ {
				yi := src.YOffset(b.Min.X+x, b.Min.Y+y)
				ci := src.COffset(b.Min.X+x, b.Min.Y+y)
				d[4*x+0], d[4*x+1], d[4*x+2] = color.YCbCrToRGB(src.Y[yi], src.Cb[ci], src.Cr[ci])
				d[4*x+3] = 255
			}
		}
	default:
		flattenGeneric(dst, img)
	}
	return dst
}

// flattenGeneric composites any image over white through its 16-bit
// premultiplied colours.
func flattenGeneric(dst *image.NRGBA, img image.Image) {
	b := img.Bounds()
	for y := 0; y < b.Dy(); y++ {
		d := dst.Pix[y*dst.Stride:]
		for x := 0; x < b.Dx(); x++ {
			r, g, bl, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			d[4*x+0] = to8(r + 0xffff - a)
			d[4*x+1] = to8(g + 0xffff - a)
			d[4*x+2] = to8(bl + 0xffff - a)
			d[4*x+3] = 255
		}
	}
}

// to8 rounds a 16-bit channel to 8 bits.
func to8(v uint32) uint8 {
	return uint8((min(v, 0xffff)*255 + 0x7fff) / 0xffff)
}

// Unsupported says, for a decoder's error err on the file rs, that the
// picture is valid but uses what Tessera's decoders lack ("is an animated
// WebP, which Tessera does not read: …", "uses a feature of its format
// that Tessera does not read (…): …"), or "" when err is no such case
// (damage, another format). rs may be nil.
func Unsupported(err error, rs io.ReadSeeker) string {
	var pngUnsupported png.UnsupportedError
	var jpegUnsupported jpeg.UnsupportedError
	var tiffUnsupported tiff.UnsupportedError
	switch {
	case animatedWebP(rs):
		return "is an animated WebP, which Tessera does not read: save one frame of it as PNG"
	case errors.As(err, &pngUnsupported) || errors.As(err, &jpegUnsupported) || errors.As(err, &tiffUnsupported) || errors.Is(err, bmp.ErrUnsupported):
		return fmt.Sprintf("uses a feature of its format that Tessera does not read (%v): save it again as PNG", err)
	}
	return ""
}

// animatedWebP reports whether rs holds a WebP whose extended header
// (VP8X) says it is animated.
func animatedWebP(rs io.ReadSeeker) bool {
	if rs == nil {
		return false
	}
	if _, err := rs.Seek(0, io.SeekStart); err != nil {
		return false
	}
	var head [21]byte
	if _, err := io.ReadFull(rs, head[:]); err != nil {
		return false
	}
	const animation = 0x02 // the VP8X flags' animation bit
	return string(head[0:4]) == "RIFF" && string(head[8:12]) == "WEBP" && string(head[12:16]) == "VP8X" && head[20]&animation != 0
}

// DecodedRGB is img, which image.Decode read from a file of format (the
// name it gives), in the colours the format means: a lossy WebP's picture
// (VP8), which golang.org/x/image/webp returns as its YCbCr planes
// (*image.YCbCr, or *image.NYCbCrA with its alpha), holds limited-range
// BT.601 (Y from 16 to 235) where Go's YCbCr converts as JPEG's full range
// (white came back (237,240,242), black (16,16,16); golang/go#40173, open
// upstream), so it is converted here as libwebp converts it, into an
// *image.NRGBA. Any other picture is img itself.
func DecodedRGB(img image.Image, format string) image.Image {
	if format != "webp" {
		return img
	}
	var ycc *image.YCbCr
	var alpha *image.NYCbCrA
	switch m := img.(type) {
	case *image.YCbCr:
		ycc = m
	case *image.NYCbCrA:
		ycc, alpha = &m.YCbCr, m
	default:
		return img // a lossless WebP (VP8L) is RGB already
	}
	b := ycc.Bounds()
	out := image.NewNRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			yi, ci := ycc.YOffset(x, y), ycc.COffset(x, y)
			r, g, bl := limitedYCbCrToRGB(ycc.Y[yi], ycc.Cb[ci], ycc.Cr[ci])
			a := uint8(0xff)
			if alpha != nil {
				a = alpha.A[alpha.AOffset(x, y)]
			}
			i := out.PixOffset(x, y)
			out.Pix[i], out.Pix[i+1], out.Pix[i+2], out.Pix[i+3] = r, g, bl, a
		}
	}
	return out
}

// limitedYCbCrToRGB converts limited-range BT.601 Y'CbCr to RGB as libwebp
// does (src/dsp/yuv.h, VP8YUVToR/G/B): R = 1.164(Y−16) + 1.596(Cr−128),
// G = 1.164(Y−16) − 0.391(Cb−128) − 0.813(Cr−128), B = 1.164(Y−16) +
// 2.018(Cb−128), in its fixed point (14 bits, the result 6 bits above the
// 8 it keeps) so that the pixels are dwebp's.
func limitedYCbCrToRGB(y, cb, cr uint8) (r, g, b uint8) {
	mulHi := func(v uint8, coeff int) int { return int(v) * coeff >> 8 }
	clip := func(v int) uint8 {
		switch {
		case v < 0:
			return 0
		case v >= 256<<6:
			return 255
		}
		return uint8(v >> 6)
	}
	luma := mulHi(y, 19077)
	r = clip(luma + mulHi(cr, 26149) - 14234)
	g = clip(luma - mulHi(cb, 6419) - mulHi(cr, 13320) + 8708)
	b = clip(luma + mulHi(cb, 33050) - 17685)
	return r, g, b
}
