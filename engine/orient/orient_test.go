package orient

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"io"
	"testing"

	_ "golang.org/x/image/tiff"

	"github.com/tessera-studio/tessera/engine/orient/orienttest"
)

// TestEveryOrientationComesUpright: a JPEG (EXIF in either byte order), PNG
// (eXIf chunk) or TIFF (its own directory, after the pixels, either byte
// order) stored as a camera would for each of the eight orientations reads
// back as that orientation and shows upright.
func TestEveryOrientationComesUpright(t *testing.T) {
	for o := 1; o <= 8; o++ {
		files := map[string][]byte{
			"jpeg II": orienttest.JPEG(orienttest.Stored(o), o, false),
			"jpeg MM": orienttest.JPEG(orienttest.Stored(o), o, true),
			"png":     orienttest.PNG(orienttest.Stored(o), o),
			"tiff II": orienttest.TIFF(orienttest.Stored(o), o, false),
			"tiff MM": orienttest.TIFF(orienttest.Stored(o), o, true),
		}
		for kind, data := range files {
			name := fmt.Sprintf("%s orientation %d", kind, o)
			if got := Read(bytes.NewReader(data)); got != Orientation(o) {
				t.Errorf("%s: read %v", name, got)
				continue
			}
			img, _, err := image.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if o != 1 && orienttest.Mismatch(img) == "" {
				t.Fatalf("%s: test premise: the stored pixels already look upright", name)
			}
			if bad := orienttest.Mismatch(Upright(img, Orientation(o))); bad != "" {
				t.Errorf("%s: %s", name, bad)
			}
		}
	}
}

// TestUprightKeepsNRGBAAndOrigin: an NRGBA sub-image keeps its exact
// colours (alpha too) and comes out at the origin.
func TestUprightKeepsNRGBAAndOrigin(t *testing.T) {
	big := image.NewNRGBA(image.Rect(-5, -5, 100, 100))
	up := orienttest.Stored(6)
	for y := 0; y < up.Rect.Dy(); y++ {
		for x := 0; x < up.Rect.Dx(); x++ {
			c := up.NRGBAAt(x, y)
			c.A = 128
			big.SetNRGBA(10+x, 20+y, c)
		}
	}
	sub := big.SubImage(image.Rect(10, 20, 10+up.Rect.Dx(), 20+up.Rect.Dy()))
	got, ok := Upright(sub, Rotate90).(*image.NRGBA)
	if !ok || got.Rect.Min != (image.Point{}) {
		t.Fatalf("got %T at %v", got, got.Rect)
	}
	opaque := image.NewNRGBA(got.Rect)
	for i := range got.Pix {
		opaque.Pix[i] = got.Pix[i]
		if i%4 == 3 {
			if got.Pix[i] != 128 {
				t.Fatalf("alpha %d at byte %d", got.Pix[i], i)
			}
			opaque.Pix[i] = 255
		}
	}
	if bad := orienttest.Mismatch(opaque); bad != "" {
		t.Error(bad)
	}
	if Upright(sub, Normal) != sub || Upright(sub, 0) != sub || Upright(sub, 9) != sub {
		t.Error("normal or invalid orientations should return the image itself")
	}
}

// TestBrokenEXIFReadsNormal: missing, broken, truncated and hostile EXIF
// never fails the image: it reads as Normal.
func TestBrokenEXIFReadsNormal(t *testing.T) {
	good := orienttest.JPEG(orienttest.Stored(6), 6, false)
	exif := orienttest.EXIF(6, false)
	at := bytes.Index(good, exif)
	splice := func(newEXIF []byte) []byte {
		out := append([]byte(nil), good[:at-4]...)
		out = append(out, 0xff, 0xe1, byte((len(newEXIF)+2)>>8), byte(len(newEXIF)+2))
		out = append(out, newEXIF...)
		return append(out, good[at+len(exif):]...)
	}
	patched := func(off int, b ...byte) []byte {
		e := append([]byte(nil), exif...)
		copy(e[off:], b)
		return splice(e)
	}
	tif := orienttest.TIFF(orienttest.Stored(6), 6, false)
	tiffPatched := func(off int, b ...byte) []byte {
		t := append([]byte(nil), tif...)
		copy(t[off:], b)
		return t
	}
	for name, data := range map[string][]byte{
		"TIFF cut in its directory":  tif[:len(tif)-40],
		"TIFF directory far away":    tiffPatched(4, 0xff, 0xff, 0xff, 0x7f),
		"TIFF directory in the head": tiffPatched(4, 4, 0, 0, 0),
		"TIFF huge tag count":        tiffPatched(len(tif)-4-11*12-2, 0xff, 0x7f),
	} {
		if got := Read(bytes.NewReader(data)); got != Normal {
			t.Errorf("%s: read %v", name, got)
		}
	}
	// Hundreds of tags whose values are all the same megabyte: each
	// would be read into memory (gigabytes); the directory's reads are
	// bounded, so it reads as Normal with little memory.
	amplified := countingReader{Reader: bytes.NewReader(amplifiedTIFF(200, 1<<20))}
	if got := Read(&amplified); got != Normal {
		t.Errorf("amplified TIFF: read %v", got)
	}
	if amplified.read > 2<<20 {
		t.Errorf("amplified TIFF: %d MiB read for its orientation", amplified.read>>20)
	}
	// A TIFF's directory is found by offset: from a reader that cannot
	// seek, it reads as Normal (the image as stored), never fails.
	if got := Read(struct{ io.Reader }{bytes.NewReader(tif)}); got != Normal {
		t.Errorf("TIFF from a plain reader: read %v", got)
	}
	if got := Read(bytes.NewReader(tif)); got != Rotate90 {
		t.Fatalf("test premise: the good TIFF reads %v", got)
	}
	for name, data := range map[string][]byte{
		"empty":                {},
		"not an image":         []byte("hello, world"),
		"JPEG cut in the EXIF": good[:at+10],
		"JPEG cut after SOI":   good[:2],
		"orientation 9":        patched(6+8+2+12+8, 9, 0),
		"orientation 0":        patched(6+8+2+12+8, 0, 0),
		"bad byte order":       patched(6, 'X', 'X'),
		"not TIFF":             patched(8, 0, 0),
		"directory far away":   patched(10, 0xff, 0xff, 0xff, 0x7f),
		"huge tag count":       patched(14, 0xff, 0x7f),
		"orientation as ASCII": patched(6+8+2+12+2, 2, 0),
		"bad segment length":   append([]byte{0xff, 0xd8, 0xff, 0xe1, 0, 1}, exif...),
		"PNG without eXIf":     orienttest.PNG(orienttest.Upright(), 1)[:8+25],
		"PNG huge eXIf":        append([]byte("\x89PNG\r\n\x1a\n\xff\xff\xff\xf0eXIf"), exif...),
	} {
		if got := Read(bytes.NewReader(data)); got != Normal {
			t.Errorf("%s: read %v", name, got)
		}
	}
}

// countingReader is a bytes.Reader that counts the bytes read through
// ReadAt (the way a TIFF's directory and tag values are read).
type countingReader struct {
	*bytes.Reader
	read int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.Reader.ReadAt(p, off)
	c.read += int64(n)
	return n, err
}

// amplifiedTIFF is a little-endian TIFF of a size-byte payload and one
// directory of n BYTE tags whose values are all that payload, and an
// orientation of 6 after them.
func amplifiedTIFF(n, size int) []byte {
	le := binary.LittleEndian
	b := []byte("II*\x00")
	b = le.AppendUint32(b, uint32(8+size))
	b = append(b, make([]byte, size)...)
	b = le.AppendUint16(b, uint16(n+1))
	for i := range n {
		b = le.AppendUint16(b, uint16(0x9000+i))
		b = le.AppendUint16(b, 1) // BYTE
		b = le.AppendUint32(b, uint32(size))
		b = le.AppendUint32(b, 8)
	}
	b = le.AppendUint16(b, 0x0112)
	b = le.AppendUint16(b, 3)
	b = le.AppendUint32(b, 1)
	b = le.AppendUint32(b, 6)
	return le.AppendUint32(b, 0)
}

func FuzzRead(f *testing.F) {
	f.Add(orienttest.JPEG(orienttest.Stored(8), 8, true))
	f.Add(orienttest.PNG(orienttest.Stored(3), 3))
	f.Add(orienttest.TIFF(orienttest.Stored(5), 5, true))
	f.Fuzz(func(t *testing.T, data []byte) {
		if o := Read(bytes.NewReader(data)); o < Normal || o > Rotate270 {
			t.Fatalf("orientation %d", o)
		}
	})
}
