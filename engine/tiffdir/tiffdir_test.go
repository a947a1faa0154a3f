package tiffdir

import (
	"bytes"
	"errors"
	"runtime"
	"testing"

	"github.com/tessera-studio/tessera/engine/tiffdir/tifftest"
)

type entry = tifftest.Entry

// build is tifftest.Build.
var build = tifftest.Build

func TestReadsValuesInlineAndAtOffsets(t *testing.T) {
	pad := []byte{1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0} // three LONGs at byte 8
	data := build(pad, entry{Tag: 274, Type: 3, Count: 1, Value: 6}, entry{Tag: 273, Type: 4, Count: 3, Value: 8}, entry{Tag: 279, Type: 4, Count: 1, Value: 77})
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
		"wrapping count": {Tag: 65000, Type: 4, Count: 0x40000001, Value: 8},
		"past the end":   {Tag: 273, Type: 4, Count: 1000, Value: 8},
		"far offset":     {Tag: 273, Type: 4, Count: 2, Value: 0xFFFFFFF0},
	} {
		data := build(nil, e)
		d, err := First(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		errAll, errOne := d.FitsAll(), d.Fits(e.Tag)
		_, errVals := d.Uints(e.Tag)
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
	odd := build(nil, entry{Tag: 700, Type: 99, Count: 5, Value: 0xFFFFFF}, entry{Tag: 701, Type: 4, Count: 0, Value: 0}, entry{Tag: 330, Type: 13, Count: 1, Value: 8})
	d, err := First(bytes.NewReader(odd), int64(len(odd)))
	if err != nil || d.FitsAll() != nil {
		t.Errorf("odd but harmless entries: %v, %v", err, d.FitsAll())
	}
}
