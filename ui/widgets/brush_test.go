package widgets

import (
	"testing"
)

func collect(f func(visit func(int))) map[int]bool {
	got := map[int]bool{}
	f(func(i int) { got[i] = true })
	return got
}

func TestBrushSnapsToPatches(t *testing.T) {
	// size 1 covers exactly the patch under the pointer
	got := collect(func(v func(int)) { brushPatches(2.3, 1.7, 1, 4, 4, v) })
	if len(got) != 1 || !got[1*4+2] {
		t.Fatalf("size 1 at (2.3,1.7): %v", got)
	}
	// size 3 is a disc of patches around it
	got = collect(func(v func(int)) { brushPatches(2.5, 2.5, 3, 8, 8, v) })
	for _, want := range []int{2*8 + 2, 1*8 + 2, 3*8 + 2, 2*8 + 1, 2*8 + 3} {
		if !got[want] {
			t.Errorf("size 3 misses patch %d: %v", want, got)
		}
	}
	if got[0] || got[7*8+7] {
		t.Errorf("size 3 reaches too far: %v", got)
	}
	// outside the grid paints nothing, near the edge stays inside
	got = collect(func(v func(int)) { brushPatches(-5, -5, 2, 4, 4, v) })
	if len(got) != 0 {
		t.Errorf("outside: %v", got)
	}
	got = collect(func(v func(int)) { brushPatches(0.1, 0.1, 4, 4, 4, v) })
	for i := range got {
		if i < 0 || i >= 16 {
			t.Errorf("index %d outside the grid", i)
		}
	}
}

func TestStrokeIsContinuous(t *testing.T) {
	got := collect(func(v func(int)) { strokePatches(0.5, 0.5, 7.5, 0.5, 1, 1, 8, v) })
	if len(got) != 8 {
		t.Fatalf("a stroke across a row should cover all 8 patches, got %v", got)
	}
}
