package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/tessera-studio/tessera/engine/atomicfile"
	"io"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"
)

// Tensor is one tensor to write.
type Tensor struct {
	Name  string
	DType string // "F32", "F16" or "BF16": the writer converts Data to it
	Shape []int
	Data  []float32
}

// Write writes the tensors and metadata to path as a safetensors file (see
// Encode). The write is atomic: the file is written to a temporary file in
// the same directory, synced, and renamed over path, so path holds either
// its old content or the complete new file. The new file has mode 0644.
func Write(path string, tensors []Tensor, metadata map[string]string) error {
	var encErr error
	err := atomicfile.Write(path, func(w io.Writer) error {
		encErr = encode(path, w, tensors, metadata)
		return encErr
	})
	if err != nil && err != encErr {
		return fmt.Errorf("%s: %w", path, err)
	}
	return err
}

// Encode writes the tensors and metadata to w in the safetensors format.
// The header lists the tensors sorted by name, with their data in the same
// order, and is padded with spaces so that the data buffer starts at a
// multiple of 8 bytes. Each tensor's Data must have exactly product(Shape)
// values; it is converted to the tensor's DType (F32, F16 or BF16, rounding
// to nearest even). The "__metadata__" entry is omitted when metadata is
// empty.
func Encode(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	return encode("safetensors", w, tensors, metadata)
}

// encode is Encode with label naming the output in errors.
func encode(label string, w io.Writer, tensors []Tensor, metadata map[string]string) error {
	header, order, err := buildHeader(label, tensors, metadata)
	if err != nil {
		return err
	}
	var prefix [8]byte
	binary.LittleEndian.PutUint64(prefix[:], uint64(len(header)))
	if _, err := w.Write(prefix[:]); err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	if _, err := w.Write(header); err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	buf := make([]byte, 0, 64<<10)
	for _, i := range order {
		t := &tensors[i]
		for data := t.Data; len(data) > 0; {
			buf = buf[:0]
			n := min(len(data), cap(buf)/4)
			buf = appendData(buf, t.DType, data[:n])
			if _, err := w.Write(buf); err != nil {
				return fmt.Errorf("%s: tensor %q: %w", label, t.Name, err)
			}
			data = data[n:]
		}
	}
	return nil
}

// appendData appends vals encoded as dtype (F32, F16 or BF16, checked by
// buildHeader) to buf.
func appendData(buf []byte, dtype string, vals []float32) []byte {
	le := binary.LittleEndian
	switch dtype {
	case "F32":
		for _, v := range vals {
			buf = le.AppendUint32(buf, math.Float32bits(v))
		}
	case "F16":
		for _, v := range vals {
			buf = le.AppendUint16(buf, F32ToF16(v))
		}
	case "BF16":
		for _, v := range vals {
			buf = le.AppendUint16(buf, F32ToBF16(v))
		}
	}
	return buf
}

// buildHeader validates the tensors and returns the padded JSON header and
// the indices of tensors sorted by name.
func buildHeader(label string, tensors []Tensor, metadata map[string]string) ([]byte, []int, error) {
	order := make([]int, len(tensors))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return tensors[order[a]].Name < tensors[order[b]].Name })

	var h bytes.Buffer
	h.WriteByte('{')
	if len(metadata) > 0 {
		keys := make([]string, 0, len(metadata))
		for k := range metadata {
			if !utf8.ValidString(k) || !utf8.ValidString(metadata[k]) {
				return nil, nil, fmt.Errorf("%s: metadata %q: not valid UTF-8", label, k)
			}
			keys = append(keys, k)
		}
		sort.Strings(keys)
		h.WriteString(`"` + metadataKey + `":{`)
		for i, k := range keys {
			if i > 0 {
				h.WriteByte(',')
			}
			writeJSONString(&h, k)
			h.WriteByte(':')
			writeJSONString(&h, metadata[k])
		}
		h.WriteByte('}')
	}

	var off int64
	for i, idx := range order {
		t := &tensors[idx]
		if err := checkTensor(t); err != nil {
			return nil, nil, fmt.Errorf("%s: tensor %q: %w", label, t.Name, err)
		}
		if i > 0 && t.Name == tensors[order[i-1]].Name {
			return nil, nil, fmt.Errorf("%s: tensor %q: duplicate name", label, t.Name)
		}
		size, _ := DTypeSize(t.DType)
		end := off + int64(len(t.Data))*int64(size)
		if h.Len() > 1 {
			h.WriteByte(',')
		}
		writeJSONString(&h, t.Name)
		h.WriteString(`:{"dtype":"` + t.DType + `","shape":[`)
		for j, d := range t.Shape {
			if j > 0 {
				h.WriteByte(',')
			}
			h.WriteString(strconv.Itoa(d))
		}
		fmt.Fprintf(&h, `],"data_offsets":[%d,%d]}`, off, end)
		off = end
	}
	h.WriteByte('}')
	for h.Len()%8 != 0 {
		h.WriteByte(' ')
	}
	if h.Len() > MaxHeaderSize {
		return nil, nil, fmt.Errorf("%s: header of %d bytes exceeds maximum %d", label, h.Len(), MaxHeaderSize)
	}
	return h.Bytes(), order, nil
}

// checkTensor validates one tensor to write.
func checkTensor(t *Tensor) error {
	if t.Name == "" {
		return errors.New("empty name")
	}
	if t.Name == metadataKey {
		return errors.New("name is reserved for metadata")
	}
	if !utf8.ValidString(t.Name) {
		return errors.New("name is not valid UTF-8")
	}
	switch t.DType {
	case "F32", "F16", "BF16":
	default:
		return fmt.Errorf("cannot write dtype %q (want F32, F16 or BF16)", t.DType)
	}
	n, err := numElements(t.Shape)
	if err != nil {
		return err
	}
	if n != len(t.Data) {
		return fmt.Errorf("shape %v needs %d values, Data has %d", t.Shape, n, len(t.Data))
	}
	return checkRange(t.DType, t.Data)
}

// checkRange reports a finite value of vals that dtype cannot hold: one
// that F16 (largest 65504) or BF16 (largest about 3.39e38) would store as
// infinity, which every loader then refuses as corrupt weights.
func checkRange(dtype string, vals []float32) error {
	var inf func(float32) bool
	switch dtype {
	case "F16":
		inf = func(v float32) bool { return F32ToF16(v)&0x7fff == 0x7c00 }
	case "BF16":
		inf = func(v float32) bool { return F32ToBF16(v)&0x7fff == 0x7f80 }
	default:
		return nil
	}
	for i, v := range vals {
		if inf(v) && !math.IsInf(float64(v), 0) {
			if dtype == "BF16" {
				return fmt.Errorf("value %g at index %d is beyond BF16's range (largest %g) and would be stored as infinity: keep F32", v, i, BF16ToF32(0x7f7f))
			}
			return fmt.Errorf("value %g at index %d is beyond F16's range (largest 65504) and would be stored as infinity: keep F32 (or BF16, whose range is F32's)", v, i)
		}
	}
	return nil
}

// writeJSONString writes s as a JSON string without HTML escaping.
func writeJSONString(buf *bytes.Buffer, s string) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s)               // cannot fail for a string
	buf.Truncate(buf.Len() - 1) // drop Encode's newline
}
