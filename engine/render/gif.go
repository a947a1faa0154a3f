package render

import (
	"bytes"
	"errors"
	"fmt"
	"image/gif"
	"io"
)

// gifComment is the GIF comment extension (GIF89a §24: introducer 0x21,
// label 0xFE, one data sub-block, terminator) that marks an animation
// Tessera wrote, as the Software text marks its PNGs.
const gifComment = "\x21\xFE\x07Tessera\x00"

// EncodeGIF writes anim as image/gif encodes it, with Tessera's comment
// extension before the trailer (GIFWrittenByTessera finds it). Nothing is
// written to w unless encoding succeeds.
func EncodeGIF(w io.Writer, anim *gif.GIF) error {
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, anim); err != nil {
		return fmt.Errorf("encode gif: %w", err)
	}
	data := buf.Bytes()
	if len(data) == 0 || data[len(data)-1] != 0x3B {
		return errors.New("encode gif: image/gif wrote no trailer")
	}
	for _, part := range [][]byte{data[:len(data)-1], []byte(gifComment), {0x3B}} {
		if _, err := w.Write(part); err != nil {
			return fmt.Errorf("write gif: %w", err)
		}
	}
	return nil
}

// GIFMarkLen is how many bytes at the end of a GIF file
// GIFWrittenByTessera needs: the comment and the trailer.
const GIFMarkLen = len(gifComment) + 1

// GIFWrittenByTessera reports whether data, a GIF file or its last bytes,
// ends with the comment EncodeGIF writes.
func GIFWrittenByTessera(data []byte) bool {
	return bytes.HasSuffix(data, []byte(gifComment+"\x3B"))
}
