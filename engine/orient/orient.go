// Package orient reads the EXIF orientation of JPEG, PNG and TIFF files and turns
// decoded images upright. Cameras and phones store the sensor's pixels as
// they came and record in EXIF tag 0x0112 how to show them (a phone held
// upright writes 6 or 8); image.Decode ignores it, so without this a
// portrait photo opens on its side.
//
// The EXIF block is found by walking the file's own structure (JPEG APP1
// segments before the scan, PNG eXIf chunks before the image data; a TIFF
// file is itself the TIFF structure EXIF borrows) and its first image file
// directory is decoded with github.com/rwcarlsen/goexif's TIFF reader. Broken or missing EXIF reads as Normal: the image is shown
// as stored.
package orient

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"io"

	"github.com/rwcarlsen/goexif/tiff"
	"github.com/tessera-studio/tessera/engine/tiffdir"
)

// Orientation is the EXIF orientation value: how the stored pixels must be
// transformed to be shown upright.
type Orientation int

// The eight EXIF orientations, named by the transform that shows the
// stored image upright.
const (
	Normal     Orientation = 1 // as stored
	FlipH      Orientation = 2 // mirror left to right
	Rotate180  Orientation = 3
	FlipV      Orientation = 4 // mirror top to bottom
	Transpose  Orientation = 5 // mirror along the top-left to bottom-right diagonal
	Rotate90   Orientation = 6 // rotate 90° clockwise
	Transverse Orientation = 7 // mirror along the top-right to bottom-left diagonal
	Rotate270  Orientation = 8 // rotate 90° counter-clockwise
)

// Swapped reports whether o exchanges width and height.
func (o Orientation) Swapped() bool { return o >= Transpose && o <= Rotate270 }

// String names the orientation.
func (o Orientation) String() string {
	names := [...]string{"normal", "mirrored", "rotated 180°", "flipped", "transposed", "rotated 90° clockwise", "transversed", "rotated 90° counter-clockwise"}
	if o < Normal || o > Rotate270 {
		return fmt.Sprintf("orientation %d", int(o))
	}
	return names[o-1]
}

// tagOrientation is the EXIF/TIFF orientation tag.
const tagOrientation = 0x0112

// maxEXIF bounds the EXIF block read from a PNG eXIf chunk (a JPEG APP1
// segment is at most 64 KiB by construction).
const maxEXIF = 1 << 20

// maxDirectoryRead bounds the bytes decoding one directory may read, its
// entries and every tag value together: goexif reads each tag's value
// into memory, and hostile tags can all point at the same megabytes (a
// 4 MiB TIFF with 3,000 such tags asked for 12 GB), and converts each
// value to numbers (ten times the bytes: 1 MiB read allocates about 10
// MiB). A directory that needs more (a TIFF with an ICC profile over a
// megabyte) reads as Normal.
const maxDirectoryRead = 1 << 20

// errDirectoryTooLarge is a directory past maxDirectoryRead.
var errDirectoryTooLarge = errors.New("exif: the directory's tags hold more than 1 MiB")

// budgetReader is an io.ReaderAt that refuses reads past a total budget.
type budgetReader struct {
	r    io.ReaderAt
	left int64
}

func (b *budgetReader) ReadAt(p []byte, off int64) (int, error) {
	if int64(len(p)) > b.left {
		return 0, errDirectoryTooLarge
	}
	b.left -= int64(len(p))
	return b.r.ReadAt(p, off)
}

var (
	jpegSOI = []byte{0xff, 0xd8}
	tiffLE  = []byte("II*\x00")
	tiffBE  = []byte("MM\x00*")
	pngSig  = []byte("\x89PNG\r\n\x1a\n")
	exifHdr = []byte("Exif\x00\x00")
)

// Read returns the EXIF orientation of the JPEG, PNG or TIFF file read from
// r, Normal when it has none, it cannot be read, or the file is of another
// kind. It reads only the file's header segments, not its pixels (of a TIFF,
// its first directory and that directory's tag values, at most 1 MiB). A TIFF's
// directory may lie anywhere in the file, so a TIFF is read only when r is
// also an io.ReaderAt and io.Seeker (an *os.File, a *bytes.Reader) whose
// data starts at offset 0 (Read leaves it at its end); from any other
// reader it reads as Normal.
func Read(r io.Reader) Orientation {
	o, err := read(r)
	if err != nil || o < Normal || o > Rotate270 {
		return Normal
	}
	return o
}

// read finds and decodes the orientation, or fails.
func read(r io.Reader) (o Orientation, err error) {
	defer func() { // a library panic on hostile data must not take the program down
		if p := recover(); p != nil {
			o, err = Normal, fmt.Errorf("exif: %v", p)
		}
	}()
	br := bufio.NewReader(r)
	head, err := br.Peek(8)
	if err != nil && len(head) < 2 {
		return Normal, err
	}
	var block []byte
	switch {
	case bytes.HasPrefix(head, jpegSOI):
		block, err = jpegEXIF(br)
	case bytes.Equal(head, pngSig):
		block, err = pngEXIF(br)
	case bytes.HasPrefix(head, tiffLE) || bytes.HasPrefix(head, tiffBE):
		f, ok := r.(interface {
			io.ReaderAt
			io.Seeker
		})
		if !ok {
			return Normal, nil
		}
		size, err := f.Seek(0, io.SeekEnd)
		if err != nil {
			return Normal, err
		}
		return firstDirectory(f, size)
	default:
		return Normal, nil
	}
	if err != nil || block == nil {
		return Normal, err
	}
	block = bytes.TrimPrefix(block, exifHdr)
	return firstDirectory(bytes.NewReader(block), int64(len(block)))
}

// jpegEXIF walks the marker segments of a JPEG up to the start of scan and
// returns the payload of the first APP1 segment holding EXIF, or nil.
func jpegEXIF(br *bufio.Reader) ([]byte, error) {
	if _, err := br.Discard(2); err != nil { // SOI
		return nil, err
	}
	for {
		b, err := br.ReadByte()
		if err != nil {
			return nil, err
		}
		if b != 0xff {
			return nil, errors.New("jpeg: marker expected")
		}
		m := b
		for m == 0xff { // fill bytes
			if m, err = br.ReadByte(); err != nil {
				return nil, err
			}
		}
		switch {
		case m == 0xda || m == 0xd9: // start of scan, end of image: no EXIF before the pixels
			return nil, nil
		case m == 0x01 || m >= 0xd0 && m <= 0xd7: // markers without a length
			continue
		}
		var l [2]byte
		if _, err := io.ReadFull(br, l[:]); err != nil {
			return nil, err
		}
		n := int(binary.BigEndian.Uint16(l[:])) - 2
		if n < 0 {
			return nil, errors.New("jpeg: bad segment length")
		}
		if m == 0xe1 {
			if p, _ := br.Peek(len(exifHdr)); bytes.Equal(p, exifHdr) {
				data := make([]byte, n)
				if _, err := io.ReadFull(br, data); err != nil {
					return nil, err
				}
				return data, nil
			}
		}
		if _, err := br.Discard(n); err != nil {
			return nil, err
		}
	}
}

// pngEXIF walks the chunks of a PNG up to its image data and returns the
// data of its eXIf chunk, or nil.
func pngEXIF(br *bufio.Reader) ([]byte, error) {
	if _, err := br.Discard(len(pngSig)); err != nil {
		return nil, err
	}
	for {
		var hdr [8]byte
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			return nil, err
		}
		n := int64(binary.BigEndian.Uint32(hdr[:4]))
		switch string(hdr[4:]) {
		case "IDAT", "IEND":
			return nil, nil
		case "eXIf":
			if n > maxEXIF {
				return nil, fmt.Errorf("png: eXIf chunk of %d bytes", n)
			}
			data := make([]byte, n)
			if _, err := io.ReadFull(br, data); err != nil {
				return nil, err
			}
			return data, nil
		}
		if _, err := io.CopyN(io.Discard, br, n+4); err != nil { // data and CRC
			return nil, err
		}
	}
}

// firstDirectory reads the orientation tag of the first image file
// directory of a TIFF structure of size bytes (an EXIF block, or a whole
// TIFF file). Only that directory is decoded: the orientation lives there,
// and the chain of further directories is where hostile files loop. Tag
// values are read through a section of the structure, so a corrupt count
// reads at most what is there, and all of them at most maxDirectoryRead.
func firstDirectory(ra io.ReaderAt, size int64) (Orientation, error) {
	// The header and the directory's entries, read by tiffdir, which also
	// checks that every tag's values lie within the block: goexif computes
	// a tag's length in 32 bits (a count of 0x40000001 LONGs wraps to 4
	// bytes, then asks for 8 GiB).
	guard, err := tiffdir.First(ra, size)
	if err != nil {
		return Normal, fmt.Errorf("exif: %w", err)
	}
	if err := guard.FitsAll(); err != nil {
		return Normal, fmt.Errorf("exif: %w", err)
	}
	order, off := guard.Order, guard.Offset
	r := io.NewSectionReader(&budgetReader{r: ra, left: maxDirectoryRead}, 0, size)
	if _, err := r.Seek(off, io.SeekStart); err != nil {
		return Normal, err
	}
	dir, _, err := tiff.DecodeDir(r, order)
	if err != nil {
		return Normal, fmt.Errorf("exif: %w", err)
	}
	for _, t := range dir.Tags {
		if t.Id == tagOrientation {
			v, err := t.Int(0)
			if err != nil {
				return Normal, fmt.Errorf("exif orientation: %w", err)
			}
			return Orientation(v), nil
		}
	}
	return Normal, nil
}

// Upright returns img transformed as o says, so it shows as the camera saw
// it: img itself for Normal (or an invalid o), else a new *image.NRGBA
// (from an NRGBA source) or *image.RGBA with its origin at (0, 0), width
// and height exchanged for the orientations that turn it sideways.
func Upright(img image.Image, o Orientation) image.Image {
	if o <= Normal || o > Rotate270 || img == nil {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	var src []byte
	var stride int
	var out image.Image
	dw, dh := w, h
	if o.Swapped() {
		dw, dh = h, w
	}
	var dst []byte
	if n, ok := img.(*image.NRGBA); ok {
		src, stride = n.Pix[n.PixOffset(b.Min.X, b.Min.Y):], n.Stride
		d := image.NewNRGBA(image.Rect(0, 0, dw, dh))
		dst, out = d.Pix, d
	} else {
		rgba := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(rgba, rgba.Rect, img, b.Min, draw.Src)
		src, stride = rgba.Pix, rgba.Stride
		d := image.NewRGBA(image.Rect(0, 0, dw, dh))
		dst, out = d.Pix, d
	}
	// Each shown pixel (x, y) takes the stored pixel (sx, sy).
	for y := 0; y < dh; y++ {
		row := dst[y*dw*4:]
		for x := 0; x < dw; x++ {
			var sx, sy int
			switch o {
			case FlipH:
				sx, sy = w-1-x, y
			case Rotate180:
				sx, sy = w-1-x, h-1-y
			case FlipV:
				sx, sy = x, h-1-y
			case Transpose:
				sx, sy = y, x
			case Rotate90:
				sx, sy = y, h-1-x
			case Transverse:
				sx, sy = w-1-y, h-1-x
			case Rotate270:
				sx, sy = w-1-y, x
			}
			copy(row[4*x:4*x+4], src[sy*stride+4*sx:])
		}
	}
	return out
}
