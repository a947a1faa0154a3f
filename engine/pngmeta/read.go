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
)

// maxTextBytes bounds one text chunk, compressed or after decompression,
// and all of a file's text together, so a hostile file cannot make
// ReadText allocate without limit (sixteen 65 KB zTXt chunks each
// inflating to 64 MiB made a 1 MB file hold 1 GiB of text).
const maxTextBytes = 64 << 20

// ReadText returns the text chunks (tEXt, zTXt and iTXt, compressed or not)
// of the PNG read from r, keyed by keyword; when a keyword repeats the first
// chunk wins. It checks the signature and every chunk's CRC and stops at
// IEND. A broken or truncated file is an error.
func ReadText(r io.Reader) (map[string]string, error) {
	var sig [len(pngSignature)]byte
	if _, err := io.ReadFull(r, sig[:]); err != nil {
		return nil, fmt.Errorf("read png signature: %w", eofIsUnexpected(err))
	}
	if string(sig[:]) != pngSignature {
		return nil, errors.New("read png: not a PNG file (bad signature)")
	}
	text := map[string]string{}
	total := 0 // text bytes kept
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
		isText := typ == "tEXt" || typ == "zTXt" || typ == "iTXt"
		if isText {
			if length > maxTextBytes {
				return nil, fmt.Errorf("read png chunk %d (%s): %d bytes is over the %d limit for text", n, typ, length, maxTextBytes)
			}
			// ReadAll grows with the data actually present, so a lying
			// length field cannot force a huge allocation.
			var err error
			data, err = io.ReadAll(io.LimitReader(r, int64(length)))
			if err != nil {
				return nil, fmt.Errorf("read png chunk %d (%s): %w", n, typ, err)
			}
			if len(data) != int(length) {
				return nil, fmt.Errorf("read png chunk %d (%s): truncated: %d of %d bytes", n, typ, len(data), length)
			}
			crc.Write(data)
		} else if got, err := io.CopyN(crc, r, int64(length)); err != nil {
			return nil, fmt.Errorf("read png chunk %d (%s): truncated: %d of %d bytes: %w", n, typ, got, length, eofIsUnexpected(err))
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
		if !isText {
			continue
		}
		if kw, _, ok := bytes.Cut(data, []byte{0}); ok {
			if _, seen := text[fromLatin1(kw)]; seen {
				continue // the first chunk wins: a repeat is not even inflated
			}
		}
		key, val, err := parseText(typ, data)
		if err != nil {
			return nil, fmt.Errorf("read png chunk %d (%s): %w", n, typ, err)
		}
		if total += len(key) + len(val); total > maxTextBytes {
			return nil, fmt.Errorf("read png chunk %d (%s): the text chunks add up to over the %d-byte limit", n, typ, maxTextBytes)
		}
		text[key] = val
	}
}

// ReadFile returns the text chunks of the PNG file at path (see ReadText).
func ReadFile(path string) (map[string]string, error) {
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

// parseText decodes the body of a tEXt, zTXt or iTXt chunk.
func parseText(typ string, data []byte) (key, val string, err error) {
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
		b, err := inflate(rest[1:])
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
			b, err := inflate(rest)
			if err != nil {
				return "", "", err
			}
			return key, string(b), nil
		default:
			return "", "", fmt.Errorf("unknown compression flag %d method %d", compressed, method)
		}
	}
}

// inflate decompresses zlib data, refusing more than maxTextBytes.
func inflate(b []byte) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("decompress text: %w", err)
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, maxTextBytes+1))
	if err != nil {
		return nil, fmt.Errorf("decompress text: %w", eofIsUnexpected(err))
	}
	if len(out) > maxTextBytes {
		return nil, fmt.Errorf("decompress text: over %d bytes", maxTextBytes)
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
