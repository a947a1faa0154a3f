package tiffdir

import (
	"bytes"
	"encoding/binary"
	"errors"
	"runtime"
	"testing"
)

// entry is one directory entry of a test TIFF: inline holds its value
// when it fits in 4 bytes, else value is its offset.
type entry struct {
	tag, typ     uint16
	count, value uint32
}

// build writes a little-endian TIFF: the header, pad bytes, then the
// directory of entries.
func build(pad []byte, entries ...entry) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString("II*\x00")
	_ = binary.Write(&b, le, uint32(8+len(pad)))
	b.Write(pad)
	_ = binary.Write(&b, le, uint16(len(entries)))
	for _, e := range entries {
		_ = binary.Write(&b, le, e.tag)
		_ = binary.Write(&b, le, e.typ)
		_ = binary.Write(&b, le, e.count)
		if e.typ == 3 && e.count == 1 {
			_ = binary.Write(&b, le, uint16(e.value))
			_ = binary.Write(&b, le, uint16(0))
		} else {
			_ = binary.Write(&b, le, e.value)
		}
	}
	_ = binary.Write(&b, le, uint32(0))
	return b.Bytes()
}

func TestReadsValuesInlineAndAtOffsets(t *testing.T) {
	pad := []byte{1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0} // three LONGs at byte 8
	data := build(pad, entry{274, 3, 1, 6}, entry{273, 4, 3, 8}, entry{279, 4, 1, 77})
	d, err := First(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for tag, want := range map[uint16][]uint64{274: {6}, 273: {1, 2, 3}, 279: {77}, 999: nil} {
		got, err := d.Uints(tag)
		if err != nil || len(got) != len(want) {
			t.Fatalf("tag %d: %v, %v; want %v", tag, got, err, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("tag %d: %v, want %v", tag, got, want)
			}
		}
	}
	if err := d.FitsAll(); err != nil {
		t.Error(err)
	}
}

// Counts that claim more than the file holds are errors, found without
// allocating what they claim: 0x40000001 LONGs is 4 bytes in 32 bits
// (goexif's wrap) and 4 GiB in fact.
func TestClaimsPastTheEndAreRefusedUnallocated(t *testing.T) {
	for name, e := range map[string]entry{
		"wrapping count": {65000, 4, 0x40000001, 8},
		"past the end":   {273, 4, 1000, 8},
		"far offset":     {273, 4, 2, 0xFFFFFFF0},
	} {
		data := build(nil, e)
		d, err := First(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		errAll, errOne := d.FitsAll(), d.Fits(e.tag)
		_, errVals := d.Uints(e.tag)
		runtime.ReadMemStats(&after)
		if errAll == nil || errOne == nil || errVals == nil {
			t.Errorf("%s: FitsAll %v, Fits %v, Uints %v", name, errAll, errOne, errVals)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<16 {
			t.Errorf("%s: allocated %d bytes", name, grew)
		}
	}
}

func TestNotATIFFAndDirectoriesOutside(t *testing.T) {
	if _, err := First(bytes.NewReader([]byte("\x89PNG\r\n\x1a\n....")), 12); !errors.Is(err, ErrNotTIFF) {
		t.Errorf("a PNG: %v", err)
	}
	outside := []byte("II*\x00\xff\x00\x00\x00")
	if _, err := First(bytes.NewReader(outside), int64(len(outside))); err == nil || errors.Is(err, ErrNotTIFF) {
		t.Errorf("a directory past the end: %v", err)
	}
	many := build(nil)
	many[8], many[9] = 0xff, 0xff // 65,535 entries in a file of 14 bytes
	if _, err := First(bytes.NewReader(many), int64(len(many))); err == nil {
		t.Error("65,535 entries in 14 bytes read")
	}
	// A type of no known size, a count of 0 and an unknown tag are no
	// faults of the file's.
	odd := build(nil, entry{700, 99, 5, 0xFFFFFF}, entry{701, 4, 0, 0}, entry{330, 13, 1, 8})
	d, err := First(bytes.NewReader(odd), int64(len(odd)))
	if err != nil || d.FitsAll() != nil {
		t.Errorf("odd but harmless entries: %v, %v", err, d.FitsAll())
	}
}
