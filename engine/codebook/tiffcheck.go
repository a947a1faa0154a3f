package codebook

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/rwcarlsen/goexif/tiff"
)

// TIFF tags of a picture's data: where its strips (or tiles) start and
// how many bytes each holds (TIFF 6.0, sections 3 and 15).
const (
	tagStripOffsets    = 273
	tagStripByteCounts = 279
	tagTileOffsets     = 324
	tagTileByteCounts  = 325
)

// errTIFFPastEnd says a TIFF's data lies past its end.
var errTIFFPastEnd = errors.New("its picture's data lies past the end of the file")

// checkTIFF reads the first image file directory of the TIFF file r of
// size bytes (the picture golang.org/x/image/tiff decodes) with goexif's
// TIFF reader, which reads no tag value past the file's end, and refuses
// strips or tiles that lie past the end. x/image/tiff reserves what a
// file claims before it reads it: a 186-byte file claiming a 4 GiB strip
// made it ask for 8 GiB, a fatal out-of-memory error where that much
// cannot be had. It returns nil for data that is no TIFF (other decoders
// judge it).
func checkTIFF(r io.ReaderAt, size int64) error {
	var head [8]byte
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return nil // too short for a TIFF: the decoders say what it is
	}
	var order binary.ByteOrder
	switch {
	case string(head[:4]) == "II*\x00":
		order = binary.LittleEndian
	case string(head[:4]) == "MM\x00*":
		order = binary.BigEndian
	default:
		return nil
	}
	first := int64(order.Uint32(head[4:]))
	if first < 8 || first >= size {
		return fmt.Errorf("its first image directory (at byte %d) lies outside the file", first)
	}
	sr := io.NewSectionReader(r, 0, size)
	if _, err := sr.Seek(first, io.SeekStart); err != nil {
		return err
	}
	dir, _, err := tiff.DecodeDir(sr, order)
	if err != nil {
		return err
	}
	tags := map[uint16]*tiff.Tag{}
	for _, t := range dir.Tags {
		tags[t.Id] = t
	}
	for _, pair := range [][2]uint16{{tagStripOffsets, tagStripByteCounts}, {tagTileOffsets, tagTileByteCounts}} {
		offsets, counts := tags[pair[0]], tags[pair[1]]
		if offsets == nil || counts == nil {
			continue
		}
		if offsets.Count != counts.Count {
			return fmt.Errorf("it lists %d pieces of its picture but the sizes of %d", offsets.Count, counts.Count)
		}
		for i := range int(offsets.Count) {
			at, err1 := offsets.Int64(i)
			n, err2 := counts.Int64(i)
			if err := errors.Join(err1, err2); err != nil {
				return err
			}
			if at < 0 || n < 0 || at > size || n > size-at {
				return errTIFFPastEnd
			}
		}
	}
	return nil
}
