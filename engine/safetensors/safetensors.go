// Package safetensors reads and writes the Hugging Face safetensors format.
//
// A safetensors file is an 8-byte little-endian header length N, then N bytes
// of JSON header, then the data buffer. The header maps each tensor name to
// its dtype, shape and [begin, end) byte offsets into the data buffer, plus an
// optional "__metadata__" object of string values.
//
// Parsing validates the whole header (dtypes, shapes, offsets, sizes,
// overlaps) so that every later access is in bounds; no input makes the
// package panic.
package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"sort"
	"strconv"
)

// MaxHeaderSize is the largest JSON header accepted, in bytes.
const MaxHeaderSize = 100 << 20

// metadataKey is the reserved header key holding the string metadata.
const metadataKey = "__metadata__"

// readChunk is the size of the reads OpenProgress makes.
const readChunk = 8 << 20

// TensorInfo describes one tensor in the header.
type TensorInfo struct {
	Name       string
	DType      string // "F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8", "BOOL", ...
	Shape      []int
	Begin, End int64 // offsets into the data buffer
}

// File is a parsed safetensors file: held in memory (Parse, Open,
// OpenProgress), or read tensor by tensor from disk (OpenLazy).
type File struct {
	Name     string // path or label used in error messages
	Metadata map[string]string
	Tensors  map[string]TensorInfo

	data []byte // the data buffer (in memory)

	// lazy is the open file of OpenLazy (nil: in memory).
	lazy *lazySource
}

// lazySource is where OpenLazy reads tensors from.
type lazySource struct {
	fh       *os.File
	base     int64 // the data buffer's offset in the file
	size     int64 // the data buffer's length
	total    int64 // the file's size
	done     int64 // bytes read so far (header and tensors)
	progress func(done, total int64)
	buf      []byte // one chunk, reused by every tensor (no garbage per tensor)
}

// DTypeSize returns the size in bytes of one element of dtype, and whether
// the dtype is known. Sub-byte dtypes (F4, F6_*) are not supported.
func DTypeSize(dtype string) (int, bool) {
	switch dtype {
	case "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0":
		return 1, true
	case "I16", "U16", "F16", "BF16":
		return 2, true
	case "I32", "U32", "F32":
		return 4, true
	case "I64", "U64", "F64", "C64":
		return 8, true
	}
	return 0, false
}

// numElements returns the product of shape, or an error if a dimension is
// negative or the product overflows an int.
func numElements(shape []int) (int, error) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("negative dimension %d in shape %v", d, shape)
		}
	}
	for _, d := range shape {
		if d == 0 {
			return 0, nil
		}
	}
	for _, d := range shape {
		hi, lo := bits.Mul64(uint64(n), uint64(d))
		if hi != 0 || lo > math.MaxInt {
			return 0, fmt.Errorf("shape %v overflows", shape)
		}
		n = int(lo)
	}
	return n, nil
}

// byteSize returns numElements(shape)*elemSize, or an error on overflow.
func byteSize(shape []int, elemSize int) (int64, error) {
	n, err := numElements(shape)
	if err != nil {
		return 0, err
	}
	hi, lo := bits.Mul64(uint64(n), uint64(elemSize))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, fmt.Errorf("shape %v overflows", shape)
	}
	return int64(lo), nil
}

// ParseHeader parses and validates the JSON header of a safetensors file.
// name labels errors; dataLen is the length of the data buffer that follows
// the header. It returns the metadata (never nil) and the tensors by name.
func ParseHeader(name string, header []byte, dataLen int64) (map[string]string, map[string]TensorInfo, error) {
	if dataLen < 0 {
		return nil, nil, fmt.Errorf("%s: negative data length %d", name, dataLen)
	}
	if len(header) > MaxHeaderSize {
		return nil, nil, fmt.Errorf("%s: not a safetensors file, or a damaged one: its header is %d bytes, more than the %d a header may have", name, len(header), MaxHeaderSize)
	}
	entries, err := splitObject(header)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: not a safetensors file, or a damaged one: header: %w", name, err)
	}
	meta := map[string]string{}
	tensors := make(map[string]TensorInfo, len(entries))
	for _, e := range entries {
		if e.key == metadataKey {
			if meta, err = parseMetadata(e.value); err != nil {
				return nil, nil, fmt.Errorf("%s: header: %s: %w", name, metadataKey, err)
			}
			continue
		}
		info, err := parseEntry(e.key, e.value, dataLen)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: tensor %q: %w", name, e.key, err)
		}
		tensors[e.key] = info
	}
	if err := checkOverlap(tensors); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return meta, tensors, nil
}

// entry is one key/value pair of a JSON object, in file order.
type entry struct {
	key   string
	value json.RawMessage
}

// splitObject splits a JSON object into its entries, rejecting anything that
// is not a single object, duplicate keys and trailing data (whitespace is
// allowed, as writers pad the header with spaces).
func splitObject(b []byte) ([]entry, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	var out []entry
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("invalid JSON: %w", err)
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("invalid JSON: unexpected %v", tok)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("invalid JSON at key %q: %w", key, err)
		}
		if seen[key] {
			return nil, fmt.Errorf("duplicate key %q", key)
		}
		seen[key] = true
		out = append(out, entry{key, v})
	}
	if _, err := dec.Token(); err != nil { // closing '}'
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if tok, err := dec.Token(); err != io.EOF {
		if err != nil {
			return nil, fmt.Errorf("invalid JSON after the header object: %w", err)
		}
		return nil, fmt.Errorf("unexpected %v after the header object", tok)
	}
	return out, nil
}

// isKind reports whether the JSON value v starts with c (after whitespace).
func isKind(v json.RawMessage, c byte) bool {
	v = bytes.TrimSpace(v)
	return len(v) > 0 && v[0] == c
}

// parseMetadata decodes the "__metadata__" object, whose values must be
// strings. A null value gives an empty map.
func parseMetadata(v json.RawMessage) (map[string]string, error) {
	meta := map[string]string{}
	if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		return meta, nil
	}
	if !isKind(v, '{') {
		return nil, errors.New("not a JSON object")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(v, &raw); err != nil {
		return nil, err
	}
	for k, rv := range raw {
		if !isKind(rv, '"') {
			return nil, fmt.Errorf("value of %q is not a string", k)
		}
		var s string
		if err := json.Unmarshal(rv, &s); err != nil {
			return nil, fmt.Errorf("value of %q: %w", k, err)
		}
		meta[k] = s
	}
	return meta, nil
}

// parseInts decodes a JSON array of integers.
func parseInts(v json.RawMessage) ([]int64, error) {
	if !isKind(v, '[') {
		return nil, errors.New("not a JSON array")
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(v, &raw); err != nil {
		return nil, err
	}
	out := make([]int64, len(raw))
	for i, r := range raw {
		n, err := strconv.ParseInt(string(bytes.TrimSpace(r)), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("element %d (%s) is not a 64-bit integer", i, bytes.TrimSpace(r))
		}
		out[i] = n
	}
	return out, nil
}

// parseEntry decodes and validates one tensor entry of the header against a
// data buffer of dataLen bytes. Overlaps are checked later by checkOverlap.
func parseEntry(name string, v json.RawMessage, dataLen int64) (TensorInfo, error) {
	if !isKind(v, '{') {
		return TensorInfo{}, errors.New("entry is not a JSON object")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(v, &fields); err != nil {
		return TensorInfo{}, err
	}
	for _, k := range []string{"dtype", "shape", "data_offsets"} {
		if f, ok := fields[k]; !ok || bytes.Equal(bytes.TrimSpace(f), []byte("null")) {
			return TensorInfo{}, fmt.Errorf("missing %s", k)
		}
	}

	info := TensorInfo{Name: name}
	if !isKind(fields["dtype"], '"') {
		return TensorInfo{}, errors.New("dtype is not a string")
	}
	if err := json.Unmarshal(fields["dtype"], &info.DType); err != nil {
		return TensorInfo{}, fmt.Errorf("dtype: %w", err)
	}
	size, ok := DTypeSize(info.DType)
	if !ok {
		return TensorInfo{}, fmt.Errorf("unknown dtype %q", info.DType)
	}

	dims, err := parseInts(fields["shape"])
	if err != nil {
		return TensorInfo{}, fmt.Errorf("shape: %w", err)
	}
	info.Shape = make([]int, len(dims))
	for i, d := range dims {
		if d < 0 {
			return TensorInfo{}, fmt.Errorf("negative dimension %d in shape %v", d, dims)
		}
		if d > math.MaxInt {
			return TensorInfo{}, fmt.Errorf("shape %v overflows", dims)
		}
		info.Shape[i] = int(d)
	}
	nbytes, err := byteSize(info.Shape, size)
	if err != nil {
		return TensorInfo{}, err
	}

	offs, err := parseInts(fields["data_offsets"])
	if err != nil {
		return TensorInfo{}, fmt.Errorf("data_offsets: %w", err)
	}
	if len(offs) != 2 {
		return TensorInfo{}, fmt.Errorf("data_offsets has %d values, want 2", len(offs))
	}
	info.Begin, info.End = offs[0], offs[1]
	if info.Begin < 0 || info.End < info.Begin {
		return TensorInfo{}, fmt.Errorf("data_offsets [%d, %d] are not two increasing non-negative numbers", info.Begin, info.End)
	}
	if info.End > dataLen {
		return TensorInfo{}, fmt.Errorf("truncated file: data_offsets end %d is beyond the data buffer of %d bytes (the file is cut short, copied or downloaded in part: copy it again)", info.End, dataLen)
	}
	if info.End-info.Begin != nbytes {
		return TensorInfo{}, fmt.Errorf("data_offsets [%d, %d] span %d bytes, but %s shape %v needs %d",
			info.Begin, info.End, info.End-info.Begin, info.DType, info.Shape, nbytes)
	}
	return info, nil
}

// checkOverlap reports an error if the byte ranges of two non-empty tensors
// overlap.
func checkOverlap(tensors map[string]TensorInfo) error {
	list := make([]TensorInfo, 0, len(tensors))
	for _, t := range tensors {
		if t.End > t.Begin {
			list = append(list, t)
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].Begin != list[j].Begin {
			return list[i].Begin < list[j].Begin
		}
		if list[i].End != list[j].End {
			return list[i].End < list[j].End
		}
		return list[i].Name < list[j].Name
	})
	// last is the tensor reaching furthest so far.
	for i, last := 1, 0; i < len(list); i++ {
		if list[i].Begin < list[last].End {
			return fmt.Errorf("tensor %q: data_offsets [%d, %d] overlap tensor %q [%d, %d]",
				list[i].Name, list[i].Begin, list[i].End, list[last].Name, list[last].Begin, list[last].End)
		}
		if list[i].End > list[last].End {
			last = i
		}
	}
	return nil
}

// headerLen validates the 8-byte length prefix against the size of the whole
// file and returns the header length.
func headerLen(name string, prefix []byte, fileSize int64) (int64, error) {
	if fileSize < 8 || len(prefix) < 8 {
		return 0, fmt.Errorf("%s: file too short (%d bytes), need at least 8", name, fileSize)
	}
	n := binary.LittleEndian.Uint64(prefix)
	if n > MaxHeaderSize {
		// Random bytes, another format, or a file overwritten: its first
		// 8 bytes are no header length ("header length
		// 15295817035123418534 exceeds maximum 104857600" said nothing of
		// what the file is).
		return 0, fmt.Errorf("%s: not a safetensors file, or a damaged one: its first 8 bytes give a header of %d bytes, more than the %d a header may have (copy the weights again from where they came from)", name, n, MaxHeaderSize)
	}
	if int64(n) > fileSize-8 {
		return 0, fmt.Errorf("%s: truncated file: header length %d but only %d bytes follow the length prefix (the file is cut short, copied or downloaded in part: copy it again)", name, n, fileSize-8)
	}
	return int64(n), nil
}

// Parse parses a whole safetensors file held in memory. The File keeps
// data's data buffer without copying it, so data must not be modified while
// the File is in use. name labels errors.
func Parse(name string, data []byte) (*File, error) {
	n, err := headerLen(name, data, int64(len(data)))
	if err != nil {
		return nil, err
	}
	buf := data[8+n:]
	meta, tensors, err := ParseHeader(name, data[8:8+n], int64(len(buf)))
	if err != nil {
		return nil, err
	}
	return &File{Name: name, Metadata: meta, Tensors: tensors, data: buf}, nil
}

// Open reads and parses the safetensors file at path.
func Open(path string) (*File, error) {
	return OpenProgress(path, nil)
}

// OpenProgress reads and parses the safetensors file at path, validating the
// header before reading the data buffer in chunks of 8 MiB. After the header
// and after each chunk it calls progress (if not nil) with the bytes read so
// far and the file size; the last call has done == total.
func OpenProgress(path string, progress func(done, total int64)) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	f, src, err := openHeader(path, fh, progress)
	if err != nil {
		return nil, err
	}
	data := make([]byte, src.size)
	for off := 0; off < len(data); {
		end := min(off+readChunk, len(data))
		if _, err := io.ReadFull(fh, data[off:end]); err != nil {
			return nil, readErr(path, err)
		}
		src.advance(int64(end - off))
		off = end
	}
	f.data = data
	return f, nil
}

// OpenLazy parses the header of the safetensors file at path and keeps the
// file open: Float32 and Raw read each tensor from disk when asked, so
// loading a model never holds the file's bytes and the converted weights
// at once (peak memory: the converted tensors plus one 8 MiB chunk).
// progress, if not nil, is called after the header and after each chunk
// read, with the bytes read so far and the file size. Close the File when
// done. A lazy File is not safe for concurrent use (one reader, one
// buffer), unlike one held in memory.
func OpenLazy(path string, progress func(done, total int64)) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	f, src, err := openHeader(path, fh, progress)
	if err != nil {
		fh.Close()
		return nil, err
	}
	f.lazy = src
	return f, nil
}

// Close closes the file of OpenLazy (nothing to do for one in memory).
func (f *File) Close() error {
	if f == nil || f.lazy == nil {
		return nil
	}
	if l := f.lazy; l.done < l.total && l.progress != nil {
		l.progress(l.total, l.total) // tensors left unread count as done
	}
	err := f.lazy.fh.Close()
	f.lazy = nil
	return err
}

// openHeader reads and validates the header of the safetensors file fh
// (path names it in errors), leaving fh at the data buffer.
func openHeader(path string, fh *os.File, progress func(done, total int64)) (*File, *lazySource, error) {
	st, err := fh.Stat()
	if err != nil {
		return nil, nil, err
	}
	total := st.Size()
	if !st.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s: not a regular file", path)
	}
	var prefix [8]byte
	if total >= 8 {
		if _, err := io.ReadFull(fh, prefix[:]); err != nil {
			return nil, nil, readErr(path, err)
		}
	}
	n, err := headerLen(path, prefix[:], total)
	if err != nil {
		return nil, nil, err
	}
	header := make([]byte, n)
	if _, err := io.ReadFull(fh, header); err != nil {
		return nil, nil, readErr(path, err)
	}
	dataLen := total - 8 - n
	if dataLen > math.MaxInt {
		return nil, nil, fmt.Errorf("%s: data buffer of %d bytes is too large for this platform", path, dataLen)
	}
	meta, tensors, err := ParseHeader(path, header, dataLen)
	if err != nil {
		return nil, nil, err
	}
	src := &lazySource{fh: fh, base: 8 + n, size: dataLen, total: total, progress: progress}
	src.advance(8 + n)
	return &File{Name: path, Metadata: meta, Tensors: tensors}, src, nil
}

// advance counts n more bytes read and reports progress.
func (s *lazySource) advance(n int64) {
	s.done += n
	if s.progress != nil {
		s.progress(min(s.done, s.total), s.total) // a tensor read twice counts twice, up to the file size
	}
}

// readErr wraps an error from reading path.
func readErr(path string, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: truncated file: it shrank while being read", path)
	}
	return fmt.Errorf("%s: %w", path, err)
}

// Has reports whether the file holds a tensor called name.
func (f *File) Has(name string) bool {
	if f == nil {
		return false
	}
	_, ok := f.Tensors[name]
	return ok
}

// Names returns the tensor names, sorted.
func (f *File) Names() []string {
	if f == nil {
		return nil
	}
	names := make([]string, 0, len(f.Tensors))
	for n := range f.Tensors {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Raw returns the tensor's description and its bytes in the data buffer.
// The bytes alias the file's buffer and must not be modified; the returned
// TensorInfo's Shape is a copy.
func (f *File) Raw(name string) (TensorInfo, []byte, error) {
	if f == nil {
		return TensorInfo{}, nil, fmt.Errorf("tensor %q not found: nil File", name)
	}
	info, ok := f.Tensors[name]
	if !ok {
		return TensorInfo{}, nil, fmt.Errorf("%s: tensor %q not found", f.Name, name)
	}
	if info.Begin < 0 || info.End < info.Begin || info.End > f.dataLen() {
		return TensorInfo{}, nil, fmt.Errorf("%s: tensor %q: data_offsets [%d, %d] outside the data buffer of %d bytes",
			f.Name, name, info.Begin, info.End, f.dataLen())
	}
	info.Shape = append([]int(nil), info.Shape...)
	if f.lazy != nil {
		b := make([]byte, info.End-info.Begin)
		if err := f.readAt(b, info.Begin); err != nil {
			return TensorInfo{}, nil, err
		}
		return info, b, nil
	}
	return info, f.data[info.Begin:info.End:info.End], nil
}

// DataBytes is the size of the file's data buffer (all tensors' bytes).
func (f *File) DataBytes() int64 {
	if f == nil {
		return 0
	}
	return f.dataLen()
}

// CheckRoomFor fails when the file's tensors are too few bytes to hold n
// weights at a byte each, the least any dtype takes: a loader calls it
// before it allocates what a config promises, so that a config asking for
// billions of weights beside a tiny file fails at once. what says whose
// config ("config.json").
func (f *File) CheckRoomFor(n int64, what string) error {
	if have := f.DataBytes(); have < n {
		return fmt.Errorf("%s: %d bytes of tensors, too few for the %d weights %s describes", f.Name, have, n, what)
	}
	return nil
}

// dataLen is the data buffer's length.
func (f *File) dataLen() int64 {
	if f.lazy != nil {
		return f.lazy.size
	}
	return int64(len(f.data))
}

// readAt fills b from the lazy file's data buffer at offset off, in
// chunks, reporting progress.
func (f *File) readAt(b []byte, off int64) error {
	for len(b) > 0 {
		n := min(len(b), readChunk)
		if _, err := f.lazy.fh.ReadAt(b[:n], f.lazy.base+off); err != nil {
			return readErr(f.Name, err)
		}
		f.lazy.advance(int64(n))
		b, off = b[n:], off+int64(n)
	}
	return nil
}

// Float32 returns the tensor converted to a new []float32. Floating-point
// dtypes (F32, F16, BF16, F64) are converted exactly or rounded to nearest;
// integer and BOOL dtypes are converted by value. If shape is given it must
// match the tensor's shape exactly.
func (f *File) Float32(name string, shape ...int) ([]float32, error) {
	if f != nil && f.lazy != nil {
		return f.lazyFloat32(name, shape)
	}
	info, b, err := f.Raw(name)
	if err != nil {
		return nil, err
	}
	_, n, err := f.checkTensor(info, shape)
	if err != nil {
		return nil, err
	}
	out := make([]float32, n)
	if !convert(out, b, info.DType) {
		return nil, fmt.Errorf("%s: tensor %q: cannot convert dtype %s to float32", f.Name, name, info.DType)
	}
	return out, nil
}

// lazyFloat32 is Float32 for a file read on demand: the tensor's bytes
// are read and converted one chunk at a time, so only the float32 result
// is held whole.
func (f *File) lazyFloat32(name string, shape []int) ([]float32, error) {
	info, ok := f.Tensors[name]
	if !ok {
		return nil, fmt.Errorf("%s: tensor %q not found", f.Name, name)
	}
	if info.Begin < 0 || info.End < info.Begin || info.End > f.lazy.size {
		return nil, fmt.Errorf("%s: tensor %q: data_offsets [%d, %d] outside the data buffer of %d bytes", f.Name, name, info.Begin, info.End, f.lazy.size)
	}
	size, n, err := f.checkTensor(info, shape)
	if err != nil {
		return nil, err
	}
	if !convert(nil, nil, info.DType) { // checked before the loop: an empty tensor runs none of it
		return nil, fmt.Errorf("%s: tensor %q: cannot convert dtype %s to float32", f.Name, name, info.DType)
	}
	out := make([]float32, n)
	per := readChunk / size // elements a chunk
	if f.lazy.buf == nil {
		f.lazy.buf = make([]byte, readChunk)
	}
	for i := 0; i < n; i += per {
		m := min(per, n-i)
		b := f.lazy.buf[:m*size]
		if err := f.readAt(b, info.Begin+int64(i*size)); err != nil {
			return nil, err
		}
		if !convert(out[i:i+m], b, info.DType) {
			return nil, fmt.Errorf("%s: tensor %q: cannot convert dtype %s to float32", f.Name, name, info.DType)
		}
	}
	return out, nil
}

// checkTensor checks a tensor's shape against shape (when given), its
// dtype and its byte count, and returns its element size and count.
func (f *File) checkTensor(info TensorInfo, shape []int) (size, n int, err error) {
	if len(shape) > 0 && !equalShape(info.Shape, shape) {
		return 0, 0, fmt.Errorf("%s: tensor %q has shape %v, want %v", f.Name, info.Name, info.Shape, shape)
	}
	size, ok := DTypeSize(info.DType)
	if !ok {
		return 0, 0, fmt.Errorf("%s: tensor %q: unknown dtype %q", f.Name, info.Name, info.DType)
	}
	if n, err = numElements(info.Shape); err != nil {
		return 0, 0, fmt.Errorf("%s: tensor %q: %w", f.Name, info.Name, err)
	}
	if int64(n)*int64(size) != info.End-info.Begin {
		return 0, 0, fmt.Errorf("%s: tensor %q: %d bytes of data for %s shape %v", f.Name, info.Name, info.End-info.Begin, info.DType, info.Shape)
	}
	return size, n, nil
}

// equalShape reports whether a and b are the same shape.
func equalShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// convert decodes little-endian elements of dtype from b into out, which has
// len(b)/size elements. It reports false for dtypes it cannot convert.
func convert(out []float32, b []byte, dtype string) bool {
	le := binary.LittleEndian
	switch dtype {
	case "F32":
		b = b[:4*len(out)]
		for i := range out {
			out[i] = math.Float32frombits(le.Uint32(b[4*i:]))
		}
	case "F16":
		tab := f16Table()
		b = b[:2*len(out)]
		for i := range out {
			out[i] = tab[le.Uint16(b[2*i:])]
		}
	case "BF16":
		b = b[:2*len(out)]
		for i := range out {
			out[i] = math.Float32frombits(uint32(le.Uint16(b[2*i:])) << 16)
		}
	case "F64":
		b = b[:8*len(out)]
		for i := range out {
			out[i] = float32(math.Float64frombits(le.Uint64(b[8*i:])))
		}
	case "BOOL":
		for i := range out {
			if b[i] != 0 {
				out[i] = 1
			} else {
				out[i] = 0
			}
		}
	case "U8":
		for i := range out {
			out[i] = float32(b[i])
		}
	case "I8":
		for i := range out {
			out[i] = float32(int8(b[i]))
		}
	case "U16":
		for i := range out {
			out[i] = float32(le.Uint16(b[2*i:]))
		}
	case "I16":
		for i := range out {
			out[i] = float32(int16(le.Uint16(b[2*i:])))
		}
	case "U32":
		for i := range out {
			out[i] = float32(le.Uint32(b[4*i:]))
		}
	case "I32":
		for i := range out {
			out[i] = float32(int32(le.Uint32(b[4*i:])))
		}
	case "U64":
		for i := range out {
			out[i] = float32(le.Uint64(b[8*i:]))
		}
	case "I64":
		for i := range out {
			out[i] = float32(int64(le.Uint64(b[8*i:])))
		}
	default:
		return false
	}
	return true
}
