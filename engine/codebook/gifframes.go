package codebook

import (
	"bytes"
	"io"
	"os"
)

// Animated reports whether the file at path is a GIF of more than one
// frame (GIFFrames), of which LoadImage reads the first (image.Decode's
// choice), so that a caller can say so; a file it cannot read is not.
func Animated(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 4)
	if _, err := io.ReadFull(f, head); err != nil || string(head) != "GIF8" {
		return false // read no further than its first bytes
	}
	rest, err := io.ReadAll(f)
	return err == nil && GIFFrames(append(head, rest...)) > 1
}

// GIFFrames is the number of frames of a GIF (0 for data that is not
// one), counted by walking its blocks (GIF89a: extensions, image
// descriptors and their data sub-blocks) without decoding any: a small
// file can hold thousands of frames that would take gigabytes decoded. A
// frame cut short is not counted.
func GIFFrames(data []byte) int {
	if len(data) < 13 || !bytes.HasPrefix(data, []byte("GIF8")) {
		return 0
	}
	i := 13 // header and logical screen descriptor
	if data[10]&0x80 != 0 {
		i += 3 << (data[10]&7 + 1) // global colour table
	}
	// skipSubBlocks moves i past a run of data sub-blocks and its
	// terminator, reporting whether the data held them whole.
	skipSubBlocks := func() bool {
		for i < len(data) {
			n := int(data[i])
			i++
			if n == 0 {
				return true
			}
			i += n
		}
		return false
	}
	frames := 0
	for i < len(data) {
		switch data[i] {
		case 0x21: // extension: introducer, label, sub-blocks
			i += 2
			if !skipSubBlocks() {
				return frames
			}
		case 0x2C: // image descriptor: 10 bytes, a local colour table, LZW code size, sub-blocks
			if i+10 > len(data) {
				return frames
			}
			flags := data[i+9]
			i += 10
			if flags&0x80 != 0 {
				i += 3 << (flags&7 + 1)
			}
			i++
			if !skipSubBlocks() {
				return frames
			}
			frames++
		default: // the trailer (0x3B), or damage
			return frames
		}
	}
	return frames
}
