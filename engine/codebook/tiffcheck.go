package codebook

import (
	"errors"
	"fmt"
	"io"

	"github.com/tessera-studio/tessera/engine/tiffdir"
)

// TIFF tags golang.org/x/image/tiff reads from a picture's directory
// (TIFF 6.0): their values must lie within the file, as it reserves them
// before reading them.
var tiffTagsRead = []uint16{
	256, 257, 258, 259, 262, 266, 273, 277, 278, 279, 284, 292, 293, 317, 320, 322, 323, 324, 325, 338, 339,
}

// TIFF tags of where a picture's strips (or tiles) start and how many
// bytes each holds, and of its compression (TIFF 6.0, sections 3 and 15).
const (
	tagCompression     = 259
	tagStripOffsets    = 273
	tagStripByteCounts = 279
	tagTileOffsets     = 324
	tagTileByteCounts  = 325
)

// errTIFFPastEnd says a TIFF's data lies past its end.
var errTIFFPastEnd = errors.New("its picture's data lies past the end of the file")

// checkTIFF checks the first image file directory of the TIFF r of size
// bytes (the picture golang.org/x/image/tiff decodes) before that decoder
// reads it: the values of the tags it reads lie within the file, and so
// do uncompressed strips and tiles, which it reserves whole before
// reading (a 186-byte file claiming a 4 GiB strip made it ask for 8 GiB: a
// fatal out-of-memory error where that much cannot be had). Compressed
// strips are read as they decompress, and a last one whose byte count
// overstates it still decodes: only their start is checked. Tags the
// decoder ignores are not looked at. It returns nil for data that is no
// TIFF (other decoders judge it).
func checkTIFF(r io.ReaderAt, size int64) error {
	dir, err := tiffdir.First(r, size)
	if errors.Is(err, tiffdir.ErrNotTIFF) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := dir.FitsEach(tiffTagsRead); err != nil { // every entry: the decoder reads a repeated tag's too
		return fmt.Errorf("%w (%v)", errTIFFPastEnd, err)
	}
	compression, err := dir.Uints(tagCompression)
	if err != nil {
		return err
	}
	uncompressed := len(compression) == 0 || compression[0] <= 1 // x/image/tiff reads 0 as none, as 1
	for _, pair := range [][2]uint16{{tagStripOffsets, tagStripByteCounts}, {tagTileOffsets, tagTileByteCounts}} {
		offsets, err1 := dir.Uints(pair[0])
		counts, err2 := dir.Uints(pair[1])
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		for i, at := range offsets {
			if at > uint64(size) {
				return errTIFFPastEnd
			}
			if uncompressed && i < len(counts) && counts[i] > uint64(size)-at {
				return errTIFFPastEnd
			}
		}
	}
	return nil
}
