package pngmeta

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"

	"github.com/tessera-studio/tessera/internal/paths"
)

// maxTextBytes bounds one text chunk, compressed or after decompression,
// and all of a file's text together, so a hostile file cannot make
// ReadText allocate without limit (sixteen 65 KB zTXt chunks each
// inflating to 64 MiB made a 1 MB file hold 1 GiB of text; five of 64 MiB
// made info hold 1 GB). A chunk over what is left of it is skipped
// (errTextOverLimit), not kept. A Tessera record takes under a kilobyte
// a 64-code image (its codes, settings and lineage), 16 MiB thousands of
// times that.
const maxTextBytes = 16 << 20

// errTextOverLimit says a text chunk would take the file's text over
// maxTextBytes.
var errTextOverLimit = errors.New("text over the limit")

// ReadText returns the text chunks (tEXt, zTXt and iTXt, compressed or not)
// of the PNG read from r, keyed by keyword; when a keyword repeats the first
// chunk wins. It checks the signature and every chunk's CRC and stops at
// IEND. A broken or truncated file is an error; a text chunk that would
// take the text kept over maxTextBytes is skipped (no Tessera record or
// A1111 parameters text comes near it), so that the others are read.
func ReadText(r io.Reader) (map[string]string, error) {
	var sig [len(pngSignature)]byte
	if _, err := io.ReadFull(r, sig[:]); err != nil {
		return nil, fmt.Errorf("read png signature: %w", eofIsUnexpected(err))
	}
	if string(sig[:]) != pngSignature {
		return nil, errors.New("read png: not a PNG file (bad signature)")
	}
	text := map[string]string{}
	skipped := map[string]bool{} // keywords of text chunks over the budget: not kept, nor a later repeat
	total := 0                   // text bytes kept
	for n := 0; ; n++ {
		var hdr [8]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return nil, fmt.Errorf("read png chunk %d: file ends before IEND: %w", n, eofIsUnexpected(err))
		}
		length := binary.BigEndian.Uint32(hdr[:4])
		typ := string(hdr[4:])
		if !validChunkType(hdr[4:]) {
			return nil, fmt.Errorf("read png chunk %d: bad chunk type %q", n, typ)
		}
		if length > 1<<31-1 {
			return nil, fmt.Errorf("read png chunk %d (%s): length %d is over the PNG limit", n, typ, length)
		}
		crc := crc32.NewIEEE()
		crc.Write(hdr[4:])
		var data []byte
		keep := typ == "tEXt" || typ == "zTXt" || typ == "iTXt"
		var kw string // a text chunk's keyword
		read := 0     // bytes of the chunk read into data
		if keep {
			// The keyword first (at most 79 bytes and its NUL): whether
			// the chunk is read depends on it.
			head := make([]byte, min(int(length), maxKeyword+1))
			if _, err := io.ReadFull(r, head); err != nil {
				return nil, fmt.Errorf("read png chunk %d (%s): truncated: %w", n, typ, eofIsUnexpected(err))
			}
			crc.Write(head)
			read = len(head)
			if k, _, ok := bytes.Cut(head, []byte{0}); ok {
				kw = fromLatin1(k)
			}
			_, seen := text[kw]
			switch {
			case seen || skipped[kw]:
				keep = false // the first chunk of a keyword wins: a repeat is not even inflated
			case int(length) > textBudget(kw, total):
				keep, skipped[kw] = false, true // read past (its CRC checked), not kept
			default:
				// ReadAll grows with the data actually present, so a lying
				// length field cannot force a huge allocation.
				rest, err := io.ReadAll(io.LimitReader(r, int64(length)-int64(read)))
				if err != nil {
					return nil, fmt.Errorf("read png chunk %d (%s): %w", n, typ, err)
				}
				crc.Write(rest)
				data = append(head, rest...)
				read = len(data)
				if read != int(length) {
					return nil, fmt.Errorf("read png chunk %d (%s): truncated: %d of %d bytes", n, typ, read, length)
				}
			}
		}
		if got, err := io.CopyN(crc, r, int64(length)-int64(read)); err != nil {
			return nil, fmt.Errorf("read png chunk %d (%s): truncated: %d of %d bytes: %w", n, typ, int64(read)+got, length, eofIsUnexpected(err))
		}
		var sum [4]byte
		if _, err := io.ReadFull(r, sum[:]); err != nil {
			return nil, fmt.Errorf("read png chunk %d (%s) CRC: %w", n, typ, eofIsUnexpected(err))
		}
		if binary.BigEndian.Uint32(sum[:]) != crc.Sum32() {
			return nil, fmt.Errorf("read png chunk %d (%s): CRC mismatch", n, typ)
		}
		if n == 0 && typ != "IHDR" {
			return nil, fmt.Errorf("read png: first chunk is %s, want IHDR", typ)
		}
		if typ == "IEND" {
			return text, nil
		}
		if !keep {
			continue
		}
		budget := textBudget(kw, total)
		key, val, err := parseText(typ, data, budget)
		if errors.Is(err, errTextOverLimit) || err == nil && len(key)+len(val) > budget {
			skipped[kw] = true
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read png chunk %d (%s): %w", n, typ, err)
		}
		total += len(key) + len(val)
		text[key] = val
	}
}

// textReserve is the part of maxTextBytes kept for the text Tessera reads
// (its record, A1111's parameters, Software, the pixels' hash): other
// chunks before them cannot take it all.
const textReserve = 1 << 20

// textBudget is how many bytes a text chunk of keyword kw may hold when
// total bytes of text are kept already.
func textBudget(kw string, total int) int {
	switch kw {
	case KeyTessera, KeyParameters, KeySoftware, KeyPixels:
		return maxTextBytes - total
	}
	return max(0, maxTextBytes-textReserve-total)
}

// ReadFile returns the text chunks of the PNG file at path (see ReadText).
// A path that is no regular file (a named pipe, a device, a folder) is an
// error before it is opened: opening a named pipe waits for a writer, and
// reading one no writer ends waits for ever.
func ReadFile(path string) (map[string]string, error) {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("open png %s: not a regular file (a %s)", path, paths.Kind(fi.Mode()))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open png %s: %w", path, err)
	}
	defer f.Close()
	text, err := ReadText(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return text, nil
}

// parseText decodes the body of a tEXt, zTXt or iTXt chunk, inflating
// at most limit bytes (more: errTextOverLimit).
func parseText(typ string, data []byte, limit int) (key, val string, err error) {
	kw, rest, ok := bytes.Cut(data, []byte{0})
	if !ok {
		return "", "", errors.New("no keyword terminator")
	}
	if len(kw) == 0 || len(kw) > maxKeyword {
		return "", "", fmt.Errorf("keyword length %d out of range [1, %d]", len(kw), maxKeyword)
	}
	key = fromLatin1(kw)
	switch typ {
	case "tEXt":
		return key, fromLatin1(rest), nil
	case "zTXt":
		if len(rest) < 1 || rest[0] != 0 {
			return "", "", errors.New("unknown compression method")
		}
		b, err := inflate(rest[1:], limit)
		if err != nil {
			return "", "", err
		}
		return key, fromLatin1(b), nil
	default: // iTXt
		if len(rest) < 2 {
			return "", "", errors.New("missing compression fields")
		}
		compressed, method := rest[0], rest[1]
		rest = rest[2:]
		_, rest, ok1 := bytes.Cut(rest, []byte{0}) // language tag
		_, rest, ok2 := bytes.Cut(rest, []byte{0}) // translated keyword
		if !ok1 || !ok2 {
			return "", "", errors.New("missing language or translated keyword terminator")
		}
		switch {
		case compressed == 0:
			return key, string(rest), nil
		case compressed == 1 && method == 0:
			b, err := inflate(rest, limit)
			if err != nil {
				return "", "", err
			}
			return key, string(b), nil
		default:
			return "", "", fmt.Errorf("unknown compression flag %d method %d", compressed, method)
		}
	}
}

// inflate decompresses zlib data, refusing more than limit bytes
// (errTextOverLimit).
func inflate(b []byte, limit int) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("decompress text: %w", err)
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("decompress text: %w", eofIsUnexpected(err))
	}
	if len(out) > limit {
		return nil, fmt.Errorf("decompress text: over %d bytes: %w", limit, errTextOverLimit)
	}
	return out, nil
}

// validChunkType reports whether t is four ASCII letters.
func validChunkType(t []byte) bool {
	for _, c := range t {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// eofIsUnexpected turns io.EOF into io.ErrUnexpectedEOF: inside a PNG any
// end of data before IEND is a truncation.
func eofIsUnexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
