package ui

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestDocumentUndoRedo(t *testing.T) {
	d := NewDocument(2, 2)
	if !d.Empty() || d.CanUndo() || d.CanRedo() {
		t.Fatal("new document should be empty with empty stacks")
	}
	p := DefaultParams()
	must(t, d.SetImage([]int{1, 2, 3, 4}, p, "a.png"))
	must(t, d.SetMask([]bool{true, false, false, true}))
	p2 := p
	p2.Seed = 9
	must(t, d.SetImage([]int{5, 6, 7, 8}, p2, "b.png"))
	if got := d.Tokens(); !slices.Equal(got, []int{5, 6, 7, 8}) {
		t.Fatalf("tokens %v", got)
	}
	if d.Masked() != 2 {
		t.Fatalf("mask should persist across image changes, masked=%d", d.Masked())
	}
	must(t, d.Undo())
	if got := d.Tokens(); !slices.Equal(got, []int{1, 2, 3, 4}) || d.ImageParams() != p {
		t.Fatalf("undo: tokens %v params %+v", got, d.ImageParams())
	}
	must(t, d.Undo())
	if d.Masked() != 0 {
		t.Fatal("second undo should remove the mask stroke")
	}
	must(t, d.Redo())
	must(t, d.Redo())
	if got := d.Tokens(); !slices.Equal(got, []int{5, 6, 7, 8}) || d.ImageParams().Seed != 9 {
		t.Fatalf("redo: tokens %v", got)
	}
	if err := d.Redo(); err == nil {
		t.Fatal("redo past the end should fail")
	}
	// a new change drops the redo stack
	must(t, d.Undo())
	must(t, d.InvertMask())
	if d.CanRedo() {
		t.Fatal("a new change must clear redo")
	}
}

func TestDocumentRejectsBadState(t *testing.T) {
	d := NewDocument(2, 2)
	if err := d.SetImage([]int{1, 2, 3, 4, 5}, DefaultParams(), ""); err == nil {
		t.Error("too many tokens accepted")
	}
	if err := d.SetImage([]int{1, -1}, DefaultParams(), ""); err == nil {
		t.Error("negative code accepted")
	}
	if err := d.SetMask([]bool{true}); err == nil {
		t.Error("short mask accepted")
	}
	// partial images are fine (a stopped run)
	must(t, d.SetImage([]int{1, 2}, DefaultParams(), ""))
	if d.Complete() {
		t.Error("partial image reported complete")
	}
}

func TestDocumentNoEmptyUndoSteps(t *testing.T) {
	d := NewDocument(1, 2)
	must(t, d.SetImage([]int{1, 2}, DefaultParams(), ""))
	must(t, d.SetImage([]int{1, 2}, DefaultParams(), ""))
	must(t, d.ClearMask())
	must(t, d.Undo())
	if d.CanUndo() {
		t.Fatal("identical changes should not add undo steps")
	}
}

func TestDocumentUndoLimit(t *testing.T) {
	d := NewDocument(1, 1)
	for i := 0; i < MaxUndo+10; i++ {
		must(t, d.SetImage([]int{i}, DefaultParams(), ""))
	}
	n := 0
	for d.Undo() == nil {
		n++
	}
	if n != MaxUndo {
		t.Fatalf("undo depth %d, want %d", n, MaxUndo)
	}
}

func TestDocumentStateRoundTrip(t *testing.T) {
	d := NewDocument(2, 2)
	must(t, d.SetImage([]int{1, 2, 3, 4}, DefaultParams(), "x.png"))
	must(t, d.SetMask([]bool{false, true, false, false}))
	must(t, d.SetImage([]int{4, 3, 2, 1}, DefaultParams(), "y.png"))
	must(t, d.Undo())
	data, err := json.Marshal(d.state())
	must(t, err)
	var st docState
	must(t, json.Unmarshal(data, &st))
	e, err := documentFromState(st)
	must(t, err)
	if !slices.Equal(e.Tokens(), d.Tokens()) || !slices.Equal(e.Mask(), d.Mask()) || e.Parent != d.Parent {
		t.Fatal("current state not restored")
	}
	must(t, e.Redo())
	if !slices.Equal(e.Tokens(), []int{4, 3, 2, 1}) {
		t.Fatal("redo stack not restored")
	}
	must(t, e.Undo())
	must(t, e.Undo())
	if e.Masked() != 0 {
		t.Fatal("undo stack not restored")
	}
	st.Cur.Mask = []bool{true}
	if _, err := documentFromState(st); err == nil {
		t.Fatal("a broken saved document was accepted")
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
