// Package tiffdir reads the first image file directory of a TIFF (TIFF 6.0,
// section 2: an 8-byte header, then 2 bytes of entry count and 12 bytes an
// entry) without trusting its counts: it reads the entries and, asked for
// a tag, that tag's values, each checked to lie within the file before
// anything is allocated for them.
//
// It guards the TIFF readers Tessera uses (golang.org/x/image/tiff for
// pictures, github.com/rwcarlsen/goexif for EXIF orientation), which
// reserve what a directory claims before they read it: goexif computes a
// tag's length in 32 bits, so that a count of 0x40000001 LONGs wraps to 4
// bytes and then asks for 8 GiB, and x/image/tiff reserves an uncompressed
// strip's claimed bytes, 4 GiB for a 186-byte file. Such a request is a
// fatal error where the memory cannot be had, which no recover catches.
package tiffdir

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// Field types whose size TIFF 6.0 and its supplements give (bytes a value).
var typeSize = map[uint16]uint64{
	1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4,
	16: 8, 17: 8, 18: 8, // BigTIFF's LONG8, SLONG8, IFD8
}

// ErrNotTIFF says the data does not start with a TIFF header.
var ErrNotTIFF = errors.New("not a TIFF")

// Dir is the first image file directory of a TIFF.
type Dir struct {
	Order binary.ByteOrder
	// Offset is where the directory starts in the file (its entry count).
	Offset  int64
	ra      io.ReaderAt
	size    int64
	entries map[uint16][12]byte // the first entry of each tag
	all     [][12]byte          // every entry, in file order
}

// First reads the header and the first directory's entries of the TIFF
// in ra, which holds size bytes. It fails with ErrNotTIFF for other data,
// and when the directory lies outside the data.
func First(ra io.ReaderAt, size int64) (*Dir, error) {
	var head [8]byte
	if size < 8 {
		return nil, ErrNotTIFF
	}
	if _, err := ra.ReadAt(head[:], 0); err != nil {
		return nil, err
	}
	d := &Dir{ra: ra, size: size, entries: map[uint16][12]byte{}}
	switch string(head[:4]) {
	case "II*\x00":
		d.Order = binary.LittleEndian
	case "MM\x00*":
		d.Order = binary.BigEndian
	default:
		return nil, ErrNotTIFF
	}
	at := int64(d.Order.Uint32(head[4:]))
	if at < 8 || at > size-2 {
		return nil, fmt.Errorf("its first image directory (at byte %d) lies outside the file", at)
	}
	var count [2]byte
	if _, err := ra.ReadAt(count[:], at); err != nil {
		return nil, err
	}
	n := int64(d.Order.Uint16(count[:]))
	if at+2+12*n > size {
		return nil, fmt.Errorf("its first image directory's %d entries run past the end of the file", n)
	}
	d.Offset = at
	raw := make([]byte, 12*n) // at most 786,420 bytes
	if _, err := ra.ReadAt(raw, at+2); err != nil {
		return nil, err
	}
	for i := int64(0); i < n; i++ {
		var e [12]byte
		copy(e[:], raw[12*i:])
		d.all = append(d.all, e)
		tag := d.Order.Uint16(e[:2])
		if _, seen := d.entries[tag]; !seen {
			d.entries[tag] = e
		}
	}
	return d, nil
}

// FitsAll reports an error when the values of any entry (a repeated tag's
// too) lie past the end of the file; entries of types of no known size
// are not judged.
func (d *Dir) FitsAll() error { return d.FitsEach(nil) }

// FitsEach is FitsAll for the entries of the given tags only (nil: all),
// every entry of each (a reader that parses entry by entry reads a
// repeated tag's values before it can refuse the repeat).
func (d *Dir) FitsEach(tags []uint16) error {
	for _, e := range d.all {
		if tags != nil && !slices.Contains(tags, d.Order.Uint16(e[:2])) {
			continue
		}
		if err := d.fits(e); err != nil {
			return err
		}
	}
	return nil
}

// span is where tag's values lie: their length in bytes (count × the
// type's size, in 64 bits), and their offset in the file when they do
// not fit in the entry (inline: -1). ok is false for a type of no known
// size.
func (d *Dir) span(e [12]byte) (length uint64, offset int64, ok bool) {
	size, ok := typeSize[d.Order.Uint16(e[2:4])]
	if !ok {
		return 0, 0, false
	}
	length = size * uint64(d.Order.Uint32(e[4:8]))
	if length <= 4 {
		return length, -1, true
	}
	return length, int64(d.Order.Uint32(e[8:12])), true
}

// Fits reports an error when tag's values lie (in part) past the end of
// the file; a tag that is absent, or of a type of no known size, fits.
func (d *Dir) Fits(tag uint16) error {
	e, ok := d.entries[tag]
	if !ok {
		return nil
	}
	return d.fits(e)
}

// fits is Fits of the entry e.
func (d *Dir) fits(e [12]byte) error {
	tag := d.Order.Uint16(e[:2])
	length, offset, ok := d.span(e)
	if !ok || offset < 0 {
		return nil
	}
	if uint64(offset) > uint64(d.size) || length > uint64(d.size)-uint64(offset) {
		return fmt.Errorf("tag %d's %d bytes of values at byte %d lie past the end of the file (%d bytes)", tag, length, offset, d.size)
	}
	return nil
}

// Uints returns the values of tag, of type BYTE, SHORT or LONG (nil when
// the directory has no such tag). Values past the end of the file, or of
// another type, are an error.
func (d *Dir) Uints(tag uint16) ([]uint64, error) {
	e, ok := d.entries[tag]
	if !ok {
		return nil, nil
	}
	typ := d.Order.Uint16(e[2:4])
	if typ != 1 && typ != 3 && typ != 4 {
		return nil, fmt.Errorf("tag %d is of type %d, not a whole number", tag, typ)
	}
	if err := d.Fits(tag); err != nil {
		return nil, err
	}
	length, offset, _ := d.span(e)
	var data []byte
	if offset < 0 {
		data = e[8 : 8+length]
	} else {
		data = make([]byte, length) // at most the file's size (Fits)
		if _, err := d.ra.ReadAt(data, offset); err != nil {
			return nil, err
		}
	}
	size := typeSize[typ]
	out := make([]uint64, len(data)/int(size))
	for i := range out {
		v := data[i*int(size):]
		switch size {
		case 1:
			out[i] = uint64(v[0])
		case 2:
			out[i] = uint64(d.Order.Uint16(v))
		default:
			out[i] = uint64(d.Order.Uint32(v))
		}
	}
	return out, nil
}
