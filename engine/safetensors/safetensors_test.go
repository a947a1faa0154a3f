package safetensors

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// mkFile assembles a safetensors file from a header and a data buffer.
func mkFile(header string, data []byte) []byte {
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	out = append(out, header...)
	return append(out, data...)
}

// encode is Encode into a byte slice.
func encodeBytes(t testing.TB, tensors []Tensor, meta map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, tensors, meta); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func f32bytes(vals ...float32) []byte {
	var b []byte
	for _, v := range vals {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

func sameBits(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
}

func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]float32, 6*7)
	for i := range random {
		random[i] = float32(rng.NormFloat64() * 10)
	}
	exactF16 := []float32{0, 1, -2, 0.5, 65504, -65504, 5.9604645e-08, 6.1035156e-05, 0.333251953125,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Copysign(0, -1))}
	exactBF16 := []float32{0, 1, -2, 0.5, 3.3895314e+38, 1.0078125, float32(math.Inf(-1)), 9.1835e-41}
	meta := map[string]string{"format": "pt", "note": `<a & "b">`}

	tensors := []Tensor{
		{Name: "z.f32", DType: "F32", Shape: []int{6, 7}, Data: random},
		{Name: "a.f16", DType: "F16", Shape: []int{6, 7}, Data: random},
		{Name: "m.bf16", DType: "BF16", Shape: []int{6, 7}, Data: random},
		{Name: "f16.exact", DType: "F16", Shape: []int{len(exactF16)}, Data: exactF16},
		{Name: "bf16.exact", DType: "BF16", Shape: []int{2, len(exactBF16) / 2}, Data: exactBF16},
		{Name: "scalar", DType: "F32", Shape: []int{}, Data: []float32{42}},
		{Name: "empty", DType: "F16", Shape: []int{0, 3}, Data: nil},
		{Name: "nan", DType: "F32", Shape: []int{1}, Data: []float32{float32(math.NaN())}},
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	if err := os.WriteFile(path, []byte("old content"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, tensors, meta); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("directory holds %d entries after Write, want 1", len(ents))
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != path {
		t.Errorf("Name = %q, want %q", f.Name, path)
	}
	if len(f.Metadata) != 2 || f.Metadata["format"] != "pt" || f.Metadata["note"] != meta["note"] {
		t.Errorf("Metadata = %v, want %v", f.Metadata, meta)
	}
	var want []string
	for _, tt := range tensors {
		want = append(want, tt.Name)
	}
	sort.Strings(want)
	if got := f.Names(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Names = %v, want %v", got, want)
	}

	check := func(name string, shape []int, want []float32, tol func(float32) float64) {
		t.Helper()
		got, err := f.Float32(name, shape...)
		if err != nil {
			t.Errorf("Float32(%q): %v", name, err)
			return
		}
		if len(got) != len(want) {
			t.Errorf("%s: got %d values, want %d", name, len(got), len(want))
			return
		}
		for i := range want {
			if tol == nil {
				if !sameBits(got[i], want[i]) {
					t.Errorf("%s[%d] = %v, want %v", name, i, got[i], want[i])
				}
			} else if d := math.Abs(float64(got[i] - want[i])); d > tol(want[i]) {
				t.Errorf("%s[%d] = %v, want %v within %g", name, i, got[i], want[i], tol(want[i]))
			}
		}
	}
	rel := func(eps float64) func(float32) float64 {
		return func(v float32) float64 { return math.Abs(float64(v)) * eps }
	}
	check("z.f32", []int{6, 7}, random, nil)
	check("a.f16", []int{6, 7}, random, rel(1.0/2048))
	check("m.bf16", []int{6, 7}, random, rel(1.0/256))
	check("f16.exact", nil, exactF16, nil)
	check("bf16.exact", []int{2, len(exactBF16) / 2}, exactBF16, nil)
	check("scalar", nil, []float32{42}, nil)
	check("empty", []int{0, 3}, []float32{}, nil)
	check("nan", nil, []float32{float32(math.NaN())}, nil)

	info, raw, err := f.Raw("a.f16")
	if err != nil {
		t.Fatal(err)
	}
	if info.DType != "F16" || len(raw) != 6*7*2 || info.End-info.Begin != int64(len(raw)) {
		t.Errorf("Raw(a.f16) = %+v with %d bytes", info, len(raw))
	}
	if !f.Has("scalar") || f.Has("missing") {
		t.Error("Has is wrong")
	}
}

func TestEncodeLayout(t *testing.T) {
	got := encodeBytes(t, []Tensor{
		{Name: "b", DType: "F32", Shape: []int{2}, Data: []float32{1, 2}},
		{Name: "a", DType: "F16", Shape: []int{1, 1}, Data: []float32{1}},
	}, map[string]string{"k": "v"})
	header := `{"__metadata__":{"k":"v"},"a":{"dtype":"F16","shape":[1,1],"data_offsets":[0,2]},"b":{"dtype":"F32","shape":[2],"data_offsets":[2,10]}}`
	for len(header)%8 != 0 {
		header += " "
	}
	want := mkFile(header, append([]byte{0x00, 0x3c}, f32bytes(1, 2)...))
	if !bytes.Equal(got, want) {
		t.Errorf("Encode =\n%q\nwant\n%q", got, want)
	}

	// No metadata: no __metadata__ entry; no tensors: an empty object.
	got = encodeBytes(t, nil, nil)
	if want := mkFile("{}      ", nil); !bytes.Equal(got, want) {
		t.Errorf("Encode(nil) = %q, want %q", got, want)
	}
}

func TestF16Known(t *testing.T) {
	cases := []struct {
		h uint16
		f float32
	}{
		{0x0000, 0},
		{0x3C00, 1},
		{0xC000, -2},
		{0x3800, 0.5},
		{0x7BFF, 65504},
		{0xFBFF, -65504},
		{0x0001, 5.9604645e-08},  // smallest subnormal, 2^-24
		{0x03FF, 6.0975552e-05},  // largest subnormal
		{0x0400, 6.1035156e-05},  // smallest normal, 2^-14
		{0x3555, 0.333251953125}, // nearest to 1/3
		{0x7C00, float32(math.Inf(1))},
		{0xFC00, float32(math.Inf(-1))},
		{0x8000, float32(math.Copysign(0, -1))},
	}
	for _, c := range cases {
		if got := F16ToF32(c.h); !sameBits(got, c.f) {
			t.Errorf("F16ToF32(%#04x) = %v, want %v", c.h, got, c.f)
		}
		if got := F32ToF16(c.f); got != c.h {
			t.Errorf("F32ToF16(%v) = %#04x, want %#04x", c.f, got, c.h)
		}
	}
	for _, h := range []uint16{0x7E00, 0x7C01, 0xFE00, 0x7FFF} {
		if f := F16ToF32(h); f == f {
			t.Errorf("F16ToF32(%#04x) = %v, want NaN", h, f)
		}
	}
	for _, f := range []float32{float32(math.NaN()), math.Float32frombits(0x7F800001), math.Float32frombits(0xFFC00000)} {
		h := F32ToF16(f)
		if h&0x7C00 != 0x7C00 || h&0x3FF == 0 {
			t.Errorf("F32ToF16(NaN %#08x) = %#04x, want a NaN", math.Float32bits(f), h)
		}
		if h>>15 != uint16(math.Float32bits(f)>>31) {
			t.Errorf("F32ToF16(NaN %#08x) = %#04x lost the sign", math.Float32bits(f), h)
		}
	}
}

func TestF32ToF16Rounding(t *testing.T) {
	cases := []struct {
		f float32
		h uint16
	}{
		{1 + 1.0/2048, 0x3C00},               // tie between 0x3C00 and 0x3C01: even
		{1 + 3.0/2048, 0x3C02},               // tie between 0x3C01 and 0x3C02: even
		{1 + 1.0/2048 + 1.0/(1<<20), 0x3C01}, // just above the tie
		{65519, 0x7BFF},                      // below the midpoint to 65536
		{65520, 0x7C00},                      // tie with "65536": rounds to inf
		{1e10, 0x7C00},
		{-1e10, 0xFC00},
		{math.Float32frombits(0x33000000), 0x0000}, // 2^-25: tie between 0 and 2^-24, even
		{math.Float32frombits(0x33000001), 0x0001}, // just above 2^-25
		{math.Float32frombits(0x33C00000), 0x0002}, // 1.5*2^-24: tie, even
		{math.Float32frombits(0x32FFFFFF), 0x0000},
		{1e-30, 0x0000},
		{-1e-30, 0x8000},
		{6.1035156e-05 - 5.9604645e-08/2, 0x0400}, // tie between largest subnormal and smallest normal: even
	}
	for _, c := range cases {
		if got := F32ToF16(c.f); got != c.h {
			t.Errorf("F32ToF16(%v [%#08x]) = %#04x, want %#04x", c.f, math.Float32bits(c.f), got, c.h)
		}
	}
}

// TestF16Exhaustive checks that every half value survives a round trip and
// that F32ToF16 picks the nearest half (ties to even) for random floats.
func TestF16Exhaustive(t *testing.T) {
	var pos []float64 // all finite non-negative halves, increasing with their bits
	for h := 0; h < 1<<16; h++ {
		f := F16ToF32(uint16(h))
		if f != f {
			if g := F32ToF16(f); F16ToF32(g) == F16ToF32(g) {
				t.Fatalf("NaN %#04x became %#04x", h, g)
			}
			continue
		}
		if g := F32ToF16(f); g != uint16(h) {
			t.Fatalf("F32ToF16(F16ToF32(%#04x)) = %#04x", h, g)
		}
		if f16Table()[h] != f && !(f != f) {
			t.Fatalf("table[%#04x] = %v, want %v", h, f16Table()[h], f)
		}
		if h < 0x7C00 {
			pos = append(pos, float64(f))
		}
	}
	pos = append(pos, 65536) // where 0x7C00 would be with a wider exponent: rounding up from 65504 gives Inf
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200000 {
		bits := rng.Uint32() & 0x7fffffff
		if rng.IntN(2) == 0 { // concentrate on the half range
			bits = 0x33000000 + rng.Uint32N(0x47800000-0x33000000)
		}
		f := math.Float32frombits(bits)
		if f != f {
			continue
		}
		x := float64(f)
		var want uint16
		if x >= 65536 {
			want = 0x7C00
		} else {
			i := sort.SearchFloat64s(pos, x) // pos[i-1] < x <= pos[i]
			switch {
			case i < len(pos) && pos[i] == x:
				want = uint16(i)
			default:
				lo, hi := pos[i-1], pos[i]
				switch {
				case x-lo < hi-x:
					want = uint16(i - 1)
				case x-lo > hi-x:
					want = uint16(i)
				case i%2 == 0:
					want = uint16(i)
				default:
					want = uint16(i - 1)
				}
			}
		}
		if got := F32ToF16(f); got != want {
			t.Fatalf("F32ToF16(%v [%#08x]) = %#04x, want %#04x", f, bits, got, want)
		}
		if got := F32ToF16(-f); got != want|0x8000 {
			t.Fatalf("F32ToF16(%v) = %#04x, want %#04x", -f, got, want|0x8000)
		}
	}
}

func TestBF16(t *testing.T) {
	cases := []struct {
		bits uint32 // float32 input
		h    uint16
	}{
		{0x3F800000, 0x3F80}, // 1.0
		{0xC0000000, 0xC000}, // -2
		{0x3F808000, 0x3F80}, // tie, lower is even
		{0x3F818000, 0x3F82}, // tie, lower is odd
		{0x3F808001, 0x3F81}, // above the tie
		{0x3F807FFF, 0x3F80}, // below the tie
		{0x7F7FFFFF, 0x7F80}, // max float rounds to inf
		{0x7F800000, 0x7F80}, // inf
		{0xFF800000, 0xFF80}, // -inf
		{0x00000001, 0x0000}, // tiny subnormal
		{0x80000000, 0x8000}, // -0
	}
	for _, c := range cases {
		if got := F32ToBF16(math.Float32frombits(c.bits)); got != c.h {
			t.Errorf("F32ToBF16(%#08x) = %#04x, want %#04x", c.bits, got, c.h)
		}
	}
	if got := BF16ToF32(0x3F80); got != 1 {
		t.Errorf("BF16ToF32(0x3F80) = %v, want 1", got)
	}
	if got := BF16ToF32(0xC000); got != -2 {
		t.Errorf("BF16ToF32(0xC000) = %v, want -2", got)
	}
	for _, bits := range []uint32{0x7FC00000, 0x7F800001, 0xFF800001, 0x7FFFFFFF} {
		h := F32ToBF16(math.Float32frombits(bits))
		if f := BF16ToF32(h); f == f {
			t.Errorf("F32ToBF16(NaN %#08x) = %#04x, not a NaN", bits, h)
		}
		if h>>15 != uint16(bits>>31) {
			t.Errorf("F32ToBF16(NaN %#08x) = %#04x lost the sign", bits, h)
		}
	}
	for h := 0; h < 1<<16; h++ {
		f := BF16ToF32(uint16(h))
		if f == f && F32ToBF16(f) != uint16(h) {
			t.Fatalf("F32ToBF16(BF16ToF32(%#04x)) = %#04x", h, F32ToBF16(f))
		}
	}
}

func TestDTypeSize(t *testing.T) {
	for dt, want := range map[string]int{"F32": 4, "F16": 2, "BF16": 2, "F64": 8, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1} {
		if got, ok := DTypeSize(dt); !ok || got != want {
			t.Errorf("DTypeSize(%s) = %d, %v, want %d", dt, got, ok, want)
		}
	}
	if _, ok := DTypeSize("F99"); ok {
		t.Error("DTypeSize(F99) is known")
	}
}

// entry returns a header with one tensor "w" whose fields are given as JSON.
func oneTensor(fields string) string {
	return `{"w":{` + fields + `}}`
}

func TestParseErrors(t *testing.T) {
	const label = "bad.safetensors"
	eight := make([]byte, 8)
	huge := binary.LittleEndian.AppendUint64(nil, MaxHeaderSize+1)
	cases := []struct {
		name string
		file []byte
		want []string // substrings of the error, besides the label
	}{
		{"empty", nil, []string{"too short"}},
		{"short", []byte{1, 2, 3}, []string{"too short"}},
		{"header too large", append(huge, "{}"...), []string{"not a safetensors file, or a damaged one: its first 8 bytes give a header of 104857601 bytes"}},
		{"random bytes", []byte("\xa6\x1f\x93\x5c\x0e\x71\x44\xd4 and more"), []string{"not a safetensors file, or a damaged one"}},
		{"header beyond file", append(binary.LittleEndian.AppendUint64(nil, 100), "{}"...), []string{"truncated"}},
		{"header length overflows", append(binary.LittleEndian.AppendUint64(nil, math.MaxUint64), "{}"...), []string{"not a safetensors file"}},
		{"empty header", mkFile("", nil), []string{"invalid JSON"}},
		{"not JSON", mkFile("{not json", nil), []string{"not a safetensors file, or a damaged one: header:", "invalid JSON"}},
		{"broken JSON", mkFile(`{"w":{"dtype":"F32"`, nil), []string{"invalid JSON"}},
		{"array", mkFile("[1,2]", nil), []string{"not a JSON object"}},
		{"string", mkFile(`"x"`, nil), []string{"not a JSON object"}},
		{"trailing", mkFile(`{} {}`, nil), []string{"after the header object"}},
		{"trailing garbage", mkFile(`{}x`, nil), []string{"after the header object"}},
		{"duplicate", mkFile(`{"w":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},"w":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}`, nil), []string{`duplicate key "w"`}},
		{"entry not object", mkFile(`{"w":[1]}`, nil), []string{`tensor "w"`, "not a JSON object"}},
		{"missing dtype", mkFile(oneTensor(`"shape":[1],"data_offsets":[0,4]`), eight), []string{`tensor "w"`, "missing dtype"}},
		{"null dtype", mkFile(oneTensor(`"dtype":null,"shape":[1],"data_offsets":[0,4]`), eight), []string{`tensor "w"`, "missing dtype"}},
		{"missing shape", mkFile(oneTensor(`"dtype":"F32","data_offsets":[0,4]`), eight), []string{`tensor "w"`, "missing shape"}},
		{"missing offsets", mkFile(oneTensor(`"dtype":"F32","shape":[1]`), eight), []string{`tensor "w"`, "missing data_offsets"}},
		{"dtype not string", mkFile(oneTensor(`"dtype":4,"shape":[1],"data_offsets":[0,4]`), eight), []string{`tensor "w"`, "dtype is not a string"}},
		{"unknown dtype", mkFile(oneTensor(`"dtype":"F99","shape":[1],"data_offsets":[0,4]`), eight), []string{`tensor "w"`, `unknown dtype "F99"`}},
		{"shape not array", mkFile(oneTensor(`"dtype":"F32","shape":1,"data_offsets":[0,4]`), eight), []string{`tensor "w"`, "shape", "not a JSON array"}},
		{"shape float", mkFile(oneTensor(`"dtype":"F32","shape":[1.5],"data_offsets":[0,4]`), eight), []string{`tensor "w"`, "shape", "not a 64-bit integer"}},
		{"shape string", mkFile(oneTensor(`"dtype":"F32","shape":["1"],"data_offsets":[0,4]`), eight), []string{`tensor "w"`, "shape", "not a 64-bit integer"}},
		{"negative dim", mkFile(oneTensor(`"dtype":"F32","shape":[-1],"data_offsets":[0,4]`), eight), []string{`tensor "w"`, "negative dimension -1"}},
		{"shape overflow", mkFile(oneTensor(`"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]`), eight), []string{`tensor "w"`, "overflows"}},
		{"bytes overflow", mkFile(oneTensor(`"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,4]`), eight), []string{`tensor "w"`, "overflows"}},
		{"dim beyond int64", mkFile(oneTensor(`"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,4]`), eight), []string{`tensor "w"`, "not a 64-bit integer"}},
		{"one offset", mkFile(oneTensor(`"dtype":"F32","shape":[1],"data_offsets":[4]`), eight), []string{`tensor "w"`, "data_offsets has 1 values, want 2"}},
		{"three offsets", mkFile(oneTensor(`"dtype":"F32","shape":[1],"data_offsets":[0,4,8]`), eight), []string{`tensor "w"`, "want 2"}},
		{"offsets not array", mkFile(oneTensor(`"dtype":"F32","shape":[1],"data_offsets":{"a":1}`), eight), []string{`tensor "w"`, "data_offsets", "not a JSON array"}},
		{"negative offset", mkFile(oneTensor(`"dtype":"F32","shape":[1],"data_offsets":[-4,0]`), eight), []string{`tensor "w"`, "increasing non-negative"}},
		{"decreasing offsets", mkFile(oneTensor(`"dtype":"F32","shape":[1],"data_offsets":[8,4]`), eight), []string{`tensor "w"`, "increasing non-negative"}},
		{"end beyond data", mkFile(oneTensor(`"dtype":"F32","shape":[3],"data_offsets":[0,12]`), eight), []string{`tensor "w"`, "truncated", "beyond the data buffer"}},
		{"size mismatch", mkFile(oneTensor(`"dtype":"F32","shape":[1],"data_offsets":[0,8]`), eight), []string{`tensor "w"`, "span 8 bytes", "needs 4"}},
		{"overlap", mkFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F16","shape":[2],"data_offsets":[2,6]}}`, eight), []string{`tensor "b"`, `tensor "a"`, "overlap"}},
		{"overlap inside", mkFile(`{"a":{"dtype":"U8","shape":[8],"data_offsets":[0,8]},"b":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}}`, eight), []string{`"a"`, `"b"`, "overlap"}},
		{"same range", mkFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, eight), []string{`"a"`, `"b"`, "overlap"}},
		{"metadata not object", mkFile(`{"__metadata__":[1]}`, nil), []string{"__metadata__", "not a JSON object"}},
		{"metadata not string", mkFile(`{"__metadata__":{"a":"x","n":1}}`, nil), []string{"__metadata__", `"n"`, "not a string"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := Parse(label, c.file)
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", f)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, label+": ") {
				t.Errorf("error %q does not start with the file name", msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not mention %q", msg, w)
				}
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	eight := make([]byte, 8)
	for name, header := range map[string]string{
		"padded":         `{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}   `,
		"null metadata":  `{"__metadata__":null,"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`,
		"extra field":    `{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}}`,
		"empty adjacent": `{"a":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"c":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}`,
		"hole":           `{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`,
		"no tensors":     `{}`,
	} {
		if _, err := Parse(name, mkFile(header, eight)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestParseNoCopy(t *testing.T) {
	data := encodeBytes(t, []Tensor{{Name: "w", DType: "F32", Shape: []int{2}, Data: []float32{1, 2}}}, nil)
	f, err := Parse("mem", data)
	if err != nil {
		t.Fatal(err)
	}
	_, raw, err := f.Raw("w")
	if err != nil {
		t.Fatal(err)
	}
	if &raw[0] != &data[len(data)-8] {
		t.Error("Raw does not alias the parsed data")
	}
	if cap(raw) != len(raw) {
		t.Errorf("Raw has spare capacity %d", cap(raw)-len(raw))
	}
}

func TestFloat32Errors(t *testing.T) {
	file := mkFile(`{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"q":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[24,26]}}`, make([]byte, 26))
	f, err := Parse("m.safetensors", file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Float32("w", 3, 2); err == nil || err.Error() != `m.safetensors: tensor "w" has shape [2 3], want [3 2]` {
		t.Errorf("shape mismatch error = %v", err)
	}
	if _, err := f.Float32("w", 6); err == nil || !strings.Contains(err.Error(), "want [6]") {
		t.Errorf("rank mismatch error = %v", err)
	}
	if v, err := f.Float32("w", 2, 3); err != nil || len(v) != 6 {
		t.Errorf("Float32(w, 2, 3) = %v, %v", v, err)
	}
	if _, err := f.Float32("nope"); err == nil || err.Error() != `m.safetensors: tensor "nope" not found` {
		t.Errorf("missing tensor error = %v", err)
	}
	if _, _, err := f.Raw("nope"); err == nil || !strings.Contains(err.Error(), `tensor "nope" not found`) {
		t.Errorf("Raw missing tensor error = %v", err)
	}
	if _, err := f.Float32("q"); err == nil || !strings.Contains(err.Error(), `tensor "q"`) || !strings.Contains(err.Error(), "F8_E4M3") {
		t.Errorf("unconvertible dtype error = %v", err)
	}

	// A File whose exported fields were edited inconsistently must not panic.
	f.Tensors["w"] = TensorInfo{Name: "w", DType: "F32", Shape: []int{100}, Begin: 0, End: 400}
	if _, err := f.Float32("w"); err == nil {
		t.Error("Float32 of an out-of-range tensor succeeded")
	}
	f.Tensors["w"] = TensorInfo{Name: "w", DType: "F32", Shape: []int{100}, Begin: 0, End: 8}
	if _, err := f.Float32("w"); err == nil {
		t.Error("Float32 of a tensor with the wrong size succeeded")
	}
	var nilFile *File
	if _, err := nilFile.Float32("w"); err == nil || nilFile.Has("w") || nilFile.Names() != nil {
		t.Error("nil File misbehaves")
	}
}

func TestFloat32Dtypes(t *testing.T) {
	le := binary.LittleEndian
	var data []byte
	data = le.AppendUint64(data, math.Float64bits(1.5))    // F64 [0,8)
	data = le.AppendUint64(data, math.Float64bits(-1e300)) // -> -inf
	data = le.AppendUint64(data, uint64(math.MaxUint64-4)) // I64 -5 [16,24)
	data = le.AppendUint32(data, uint32(0xFFFFFFFF))       // I32 -1 [24,28)
	data = le.AppendUint16(data, 0x8000)                   // I16 -32768 [28,30)
	data = append(data, 200, 0xFF, 0, 7)                   // U8 200 [30,31), I8 -1 [31,32), BOOL 0,7 [32,34)
	data = le.AppendUint16(data, 0x3F80)                   // BF16 1 [34,36)
	header := `{"f64":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},` +
		`"i64":{"dtype":"I64","shape":[1],"data_offsets":[16,24]},` +
		`"i32":{"dtype":"I32","shape":[1],"data_offsets":[24,28]},` +
		`"i16":{"dtype":"I16","shape":[1],"data_offsets":[28,30]},` +
		`"u8":{"dtype":"U8","shape":[1],"data_offsets":[30,31]},` +
		`"i8":{"dtype":"I8","shape":[1],"data_offsets":[31,32]},` +
		`"bool":{"dtype":"BOOL","shape":[2],"data_offsets":[32,34]},` +
		`"bf16":{"dtype":"BF16","shape":[1,1],"data_offsets":[34,36]}}`
	f, err := Parse("d", mkFile(header, data))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]float32{
		"f64":  {1.5, float32(math.Inf(-1))},
		"i64":  {-5},
		"i32":  {-1},
		"i16":  {-32768},
		"u8":   {200},
		"i8":   {-1},
		"bool": {0, 1},
		"bf16": {1},
	} {
		got, err := f.Float32(name)
		if err != nil {
			t.Errorf("Float32(%s): %v", name, err)
			continue
		}
		if len(got) != len(want) {
			t.Errorf("Float32(%s) = %v, want %v", name, got, want)
			continue
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("Float32(%s) = %v, want %v", name, got, want)
			}
		}
	}
}

func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.safetensors")
	if err := os.WriteFile(path, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	ok := Tensor{Name: "ok", DType: "F32", Shape: []int{1}, Data: []float32{1}}
	cases := []struct {
		name    string
		tensors []Tensor
		meta    map[string]string
		want    []string
	}{
		{"length mismatch", []Tensor{ok, {Name: "w", DType: "F32", Shape: []int{2, 3}, Data: make([]float32, 5)}}, nil, []string{`tensor "w"`, "needs 6 values", "has 5"}},
		{"bad dtype", []Tensor{{Name: "w", DType: "I32", Shape: []int{1}, Data: []float32{1}}}, nil, []string{`tensor "w"`, `"I32"`}},
		{"negative dim", []Tensor{{Name: "w", DType: "F16", Shape: []int{-1}}}, nil, []string{`tensor "w"`, "negative"}},
		{"overflow", []Tensor{{Name: "w", DType: "F16", Shape: []int{1 << 40, 1 << 40}}}, nil, []string{`tensor "w"`, "overflows"}},
		{"duplicate", []Tensor{ok, ok}, nil, []string{`tensor "ok"`, "duplicate"}},
		{"reserved", []Tensor{{Name: "__metadata__", DType: "F32", Shape: []int{0}}}, nil, []string{"__metadata__", "reserved"}},
		{"empty name", []Tensor{{Name: "", DType: "F32", Shape: []int{0}}}, nil, []string{"empty name"}},
		{"bad utf8", []Tensor{{Name: "\xff", DType: "F32", Shape: []int{0}}}, nil, []string{"UTF-8"}},
		{"bad utf8 metadata", []Tensor{ok}, map[string]string{"k": "\xff"}, []string{`metadata "k"`, "UTF-8"}},
		// A finite value the dtype would store as infinity (a model no
		// loader reads back): F16's largest is 65504, 65520 rounds to Inf.
		{"beyond F16", []Tensor{ok, {Name: "w", DType: "F16", Shape: []int{3}, Data: []float32{1, 65504, -65520}}}, nil, []string{`tensor "w"`, "-65520 at index 2", "F16's range", "65504"}},
		{"beyond BF16", []Tensor{{Name: "w", DType: "BF16", Shape: []int{1}, Data: []float32{math.MaxFloat32}}}, nil, []string{`tensor "w"`, "BF16's range", "keep F32"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Write(path, c.tensors, c.meta)
			if err == nil {
				t.Fatal("Write succeeded")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, path+": ") {
				t.Errorf("error %q does not start with the path", msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not mention %q", msg, w)
				}
			}
			if b, _ := os.ReadFile(path); string(b) != "keep" {
				t.Errorf("failed Write changed the file to %q", b)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 1 {
				t.Errorf("failed Write left %d entries in the directory", len(ents))
			}
		})
	}
	// BF16's range is F32's: a value beyond it is not told to try BF16.
	if err := Write(path, []Tensor{{Name: "w", DType: "BF16", Shape: []int{1}, Data: []float32{math.MaxFloat32}}}, nil); err == nil || strings.Contains(err.Error(), "or BF16") {
		t.Errorf("beyond BF16: %v", err)
	}
	if err := Write(filepath.Join(dir, "no", "such", "dir.safetensors"), []Tensor{ok}, nil); err == nil {
		t.Error("Write into a missing directory succeeded")
	}
	var buf bytes.Buffer
	if err := Encode(&buf, []Tensor{{Name: "w", DType: "F32", Shape: []int{2}}}, nil); err == nil ||
		!strings.HasPrefix(err.Error(), `safetensors: tensor "w"`) {
		t.Errorf("Encode error = %v", err)
	}
}

func TestOpenProgress(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "big.safetensors")
	n := 3 << 20 // 12 MiB of F32: two chunks
	data := make([]float32, n)
	for i := range data {
		data[i] = float32(i)
	}
	if err := Write(path, []Tensor{{Name: "big", DType: "F32", Shape: []int{n}, Data: data}}, nil); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	var calls int
	var last int64
	f, err := OpenProgress(path, func(done, total int64) {
		calls++
		if total != st.Size() || done < last || done > total {
			t.Errorf("progress(%d, %d) after %d, file size %d", done, total, last, st.Size())
		}
		last = done
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls < 3 || last != st.Size() {
		t.Errorf("progress called %d times, last done %d, want >= 3 calls ending at %d", calls, last, st.Size())
	}
	got, err := f.Float32("big", n)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if got[i] != data[i] {
			t.Fatalf("big[%d] = %v, want %v", i, got[i], data[i])
		}
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	good := encodeBytes(t, []Tensor{{Name: "w", DType: "F32", Shape: []int{4}, Data: make([]float32, 4)}}, nil)
	for name, content := range map[string][]byte{
		"short":     {1, 2},
		"truncated": good[:len(good)-1],
		"header":    good[:20],
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Open(path)
		if err == nil {
			t.Errorf("Open(%s) succeeded", name)
			continue
		}
		if !strings.HasPrefix(err.Error(), path+": ") {
			t.Errorf("Open(%s) error %q does not start with the path", name, err)
		}
		if name == "truncated" && (!strings.Contains(err.Error(), "truncated") || !strings.Contains(err.Error(), `tensor "w"`)) {
			t.Errorf("Open(%s) error %q", name, err)
		}
	}
	if _, err := Open(filepath.Join(dir, "missing")); err == nil {
		t.Error("Open of a missing file succeeded")
	}
	if _, err := Open(dir); err == nil {
		t.Error("Open of a directory succeeded")
	}
}

// TestRealFile reads a checkpoint PyTorch wrote (the reference vector's
// model, copied into the repository from shared/testdata/imagegpt): the
// tensor types and shapes of its config (n_positions 36, n_embd 48, an
// output head of 32 codes), PyTorch's metadata, and the same values
// whether the file is opened or parsed from bytes.
func TestRealFile(t *testing.T) {
	path := filepath.Join("..", "..", "testdata", "imagegpt", "vector2", "model.safetensors")
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		dtype string
		shape []int
	}{
		{"transformer.h.0.attn.bias", "U8", []int{1, 1, 36, 36}},
		{"lm_head.weight", "F32", []int{32, 48}},
	} {
		info, ok := f.Tensors[c.name]
		if !ok {
			t.Errorf("%s: no tensor %q", path, c.name)
			continue
		}
		if info.DType != c.dtype || !equalShape(info.Shape, c.shape) {
			t.Errorf("%s: %s is %s %v, want %s %v", path, c.name, info.DType, info.Shape, c.dtype, c.shape)
		}
		if _, err := f.Float32(c.name, c.shape...); err != nil {
			t.Error(err)
		}
	}
	if f.Metadata["format"] != "pt" {
		t.Errorf("metadata = %v", f.Metadata)
	}
	// Every tensor converts, and the file parses identically from memory.
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	g, err := Parse(path, raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range f.Names() {
		a, err := f.Float32(name)
		if err != nil {
			t.Fatal(err)
		}
		b, err := g.Float32(name)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a, b) {
			t.Fatalf("%s: Open and Parse disagree", name)
		}
	}
}

func FuzzParse(f *testing.F) {
	valid := encodeBytes(f, []Tensor{
		{Name: "a", DType: "F32", Shape: []int{2, 2}, Data: []float32{1, 2, 3, 4}},
		{Name: "b", DType: "F16", Shape: []int{3}, Data: []float32{1, -2, 65504}},
		{Name: "c", DType: "BF16", Shape: []int{1}, Data: []float32{1}},
		{Name: "d", DType: "F16", Shape: []int{0}},
	}, map[string]string{"format": "pt"})
	f.Add(valid)
	f.Add(valid[:len(valid)-3])
	f.Add(valid[:12])
	f.Add([]byte{})
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0, '{'})
	f.Add(mkFile(`{"w":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"x":{"dtype":"U8","shape":[2],"data_offsets":[8,10]}}`, make([]byte, 10)))
	f.Add(mkFile(`{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, make([]byte, 4)))
	f.Add(mkFile(`{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}`, make([]byte, 4)))
	f.Add(mkFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}`, make([]byte, 8)))
	f.Add(mkFile(`{"__metadata__":{"a":1}}`, nil))
	f.Add(mkFile(`{"w":{"dtype":"BOOL","shape":[],"data_offsets":[0,1]}}`, []byte{1}))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz: ") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		for _, name := range file.Names() {
			info, raw, err := file.Raw(name)
			if err != nil {
				t.Fatalf("Raw(%q): %v", name, err)
			}
			size, _ := DTypeSize(info.DType)
			n, err := numElements(info.Shape)
			if err != nil || int64(n)*int64(size) != int64(len(raw)) {
				t.Fatalf("tensor %q: %d bytes for %s %v", name, len(raw), info.DType, info.Shape)
			}
			vals, err := file.Float32(name, info.Shape...)
			switch info.DType {
			case "F32", "F16", "BF16", "F64":
				if err != nil {
					t.Fatalf("Float32(%q): %v", name, err)
				}
				if len(vals) != n {
					t.Fatalf("Float32(%q) has %d values, want %d", name, len(vals), n)
				}
			}
		}
	})
}

func BenchmarkFloat32F16(b *testing.B) {
	const n = 16 << 20
	vals := make([]float32, n)
	for i := range vals {
		vals[i] = float32(i%4096) / 64
	}
	f, err := Parse("bench", encodeBytes(b, []Tensor{{Name: "w", DType: "F16", Shape: []int{n}, Data: vals}}, nil))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(2 * n)
	for b.Loop() {
		if _, err := f.Float32("w"); err != nil {
			b.Fatal(err)
		}
	}
}

// OpenLazy reads the same tensors as Open, in every float dtype and across
// chunk boundaries, reports progress up to the file size by Close, and
// refuses the same broken files.
func TestOpenLazy(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lazy.safetensors")
	n := 3 << 20 // 12 MiB of F32: two chunks
	big := make([]float32, n)
	for i := range big {
		big[i] = float32(i%1000) / 7
	}
	small := []float32{1.5, -2, 0.25, 3}
	tensors := []Tensor{
		{Name: "big", DType: "F32", Shape: []int{n}, Data: big},
		{Name: "half", DType: "F16", Shape: []int{2, 2}, Data: small},
		{Name: "brain", DType: "BF16", Shape: []int{4}, Data: small},
		{Name: "unused", DType: "F32", Shape: []int{1 << 10}, Data: make([]float32, 1<<10)},
	}
	if err := Write(path, tensors, map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	eager, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var last int64
	lazy, err := OpenLazy(path, func(done, total int64) {
		if total != st.Size() || done < last || done > total {
			t.Errorf("progress(%d, %d) after %d, file size %d", done, total, last, st.Size())
		}
		last = done
	})
	if err != nil {
		t.Fatal(err)
	}
	if lazy.Metadata["k"] != "v" || len(lazy.Names()) != 4 {
		t.Fatalf("metadata %v, names %v", lazy.Metadata, lazy.Names())
	}
	for _, name := range []string{"big", "half", "brain"} {
		want, err := eager.Float32(name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := lazy.Float32(name)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s read lazily differs from the file read whole", name)
		}
	}
	if _, err := lazy.Float32("half", 4); err == nil {
		t.Error("a wrong shape was accepted")
	}
	if _, err := lazy.Float32("missing"); err == nil {
		t.Error("a missing tensor was found")
	}
	if last == st.Size() {
		t.Error("progress reached the file size before the unused tensor was read")
	}
	if err := lazy.Close(); err != nil || last != st.Size() {
		t.Fatalf("Close: %v, progress %d of %d", err, last, st.Size())
	}
	again, err := OpenLazy(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	for _, name := range []string{"big", "half", "brain"} {
		_, raw, err := again.Raw(name)
		_, rawWant, _ := eager.Raw(name)
		if err != nil || !bytes.Equal(raw, rawWant) {
			t.Fatalf("%s: raw bytes differ (%v)", name, err)
		}
	}
	good := encodeBytes(t, []Tensor{{Name: "w", DType: "F32", Shape: []int{4}, Data: make([]float32, 4)}}, nil)
	bad := filepath.Join(dir, "truncated")
	if err := os.WriteFile(bad, good[:len(good)-1], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenLazy(bad, nil); err == nil || !strings.HasPrefix(err.Error(), bad+": ") {
		t.Errorf("truncated file: %v", err)
	}
	// An empty tensor of a dtype that does not convert fails as a full one
	// does, lazily and in memory alike (the fuzzer found them disagreeing).
	f8 := mkFile(`{"w":{"dtype":"F8_E4M3","shape":[0,9223372036854775807],"data_offsets":[0,0]}}`, nil)
	lazyF8 := openLazyBytes(t, filepath.Join(dir, "f8"), f8)
	memF8, err := Parse("f8", f8)
	if err != nil {
		t.Fatal(err)
	}
	for what, f := range map[string]*File{"lazy": lazyF8, "in memory": memF8} {
		if v, err := f.Float32("w"); err == nil || !strings.Contains(err.Error(), "cannot convert dtype F8_E4M3") {
			t.Errorf("%s: an empty F8 tensor read as %v, %v", what, v, err)
		}
	}
	lazyGood := openLazyBytes(t, filepath.Join(dir, "good"), good)
	if lazyF8.DataBytes() != 0 || memF8.DataBytes() != 0 || lazyGood.DataBytes() != 16 {
		t.Errorf("DataBytes: %d, %d, %d (want 0, 0, 16)", lazyF8.DataBytes(), memF8.DataBytes(), lazyGood.DataBytes())
	}
}

// openLazyBytes writes data to path and opens it lazily, closed at the
// test's end.
func openLazyBytes(t *testing.T, path string, data []byte) *File {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := OpenLazy(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
