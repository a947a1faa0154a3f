package core

import (
	"bytes"
	"encoding/json"
	"image"
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
	data, err := json.Marshal(d.State())
	must(t, err)
	var st State
	must(t, json.Unmarshal(data, &st))
	e, err := DocumentFromState(st)
	must(t, err)
	if !slices.Equal(e.Tokens(), d.Tokens()) || !slices.Equal(e.Mask(), d.Mask()) || e.Parent != d.Parent {
		t.Fatal("current state not restored")
	}
	// Every step read back has a number of its own, kept through undo and
	// redo (steps are not saved: they are numbered afresh).
	at := e.Step()
	must(t, e.Redo())
	if !slices.Equal(e.Tokens(), []int{4, 3, 2, 1}) {
		t.Fatal("redo stack not restored")
	}
	redone := e.Step()
	must(t, e.Undo())
	if e.Step() != at || at == 0 || redone == 0 || redone == at {
		t.Errorf("steps read back: %d, redone %d, undone again %d", at, redone, e.Step())
	}
	must(t, e.Undo())
	if e.Step() == 0 || e.Step() == at || e.Step() == redone {
		t.Errorf("the first step read back is %d beside %d and %d", e.Step(), at, redone)
	}
	if e.Masked() != 0 {
		t.Fatal("undo stack not restored")
	}
	st.Cur.Mask = []bool{true}
	if _, err := DocumentFromState(st); err == nil {
		t.Fatal("a broken saved document was accepted")
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A tall image (Extend ↓) keeps its rows, its mask and temperature map
// grow with it, undo shrinks them back, and all of it survives saving.
func TestDocumentTallAndTemperature(t *testing.T) {
	d := NewDocument(2, 2)
	p := DefaultParams()
	must(t, d.SetImage([]int{1, 2, 3, 4}, p, "a.png"))
	must(t, d.SetMask([]bool{true, false, false, false}))
	must(t, d.SetTemperature([]float64{0, 0.5, 0, 0}))
	must(t, d.SetImageRows([]int{1, 2, 3, 4, 5, 6}, 3, p, "b.png", nil))
	if d.ImageRows() != 3 || !d.Tall() || d.N() != 6 || d.GridN() != 4 {
		t.Fatalf("rows %d tall %v n %d", d.ImageRows(), d.Tall(), d.N())
	}
	if !slices.Equal(d.Mask(), []bool{true, false, false, false, false, false}) ||
		!slices.Equal(d.Temperature(), []float64{0, 0.5, 0, 0, 0, 0}) {
		t.Fatalf("mask %v temperature %v", d.Mask(), d.Temperature())
	}
	if err := d.SetImageRows([]int{1, 2, 3}, 3, p, "", nil); err == nil {
		t.Error("a partial tall image was accepted")
	}
	if err := d.SetTemperature([]float64{0, -1, 0, 0, 0, 0}); err == nil {
		t.Error("a negative temperature was accepted")
	}
	data, err := json.Marshal(d.State())
	must(t, err)
	var st State
	must(t, json.Unmarshal(data, &st))
	e, err := DocumentFromState(st)
	must(t, err)
	if e.ImageRows() != 3 || !slices.Equal(e.Tokens(), d.Tokens()) || !slices.Equal(e.Temperature(), d.Temperature()) {
		t.Fatal("tall state not restored")
	}
	must(t, e.Undo())
	if e.Tall() || e.N() != 4 || len(e.Mask()) != 4 || !slices.Equal(e.Temperature(), []float64{0, 0.5, 0, 0}) {
		t.Fatal("undo did not restore the model-sized image")
	}
	must(t, e.Undo())
	if e.Temperature() != nil {
		t.Fatal("undo did not remove the temperature map")
	}
	must(t, e.SetTemperature([]float64{0, 0, 0, 0}))
	if e.Temperature() != nil || !e.CanRedo() {
		t.Fatal("an all-zero map is no map: no change, the redo stack stays")
	}
}

// TestStepIdentifiesUndoSteps: each change is a new step, undo and redo
// return to the same steps, and ReplaceImage stays on its step.
func TestStepIdentifiesUndoSteps(t *testing.T) {
	d := NewDocument(2, 2)
	p := DefaultParams()
	if err := d.SetImage([]int{1, 2, 3, 4}, p, ""); err != nil {
		t.Fatal(err)
	}
	a := d.Step()
	if err := d.SetImage([]int{4, 3, 2, 1}, p, ""); err != nil {
		t.Fatal(err)
	}
	b := d.Step()
	if a == 0 || b == 0 || a == b {
		t.Fatalf("steps %d, %d", a, b)
	}
	if err := d.ReplaceImage([]int{4, 4, 4, 4}, p, "", nil); err != nil || d.Step() != b {
		t.Fatalf("ReplaceImage moved to step %d (%v), want %d", d.Step(), err, b)
	}
	if err := d.Undo(); err != nil || d.Step() != a {
		t.Fatalf("undo to step %d, want %d", d.Step(), a)
	}
	if err := d.Redo(); err != nil || d.Step() != b {
		t.Fatalf("redo to step %d, want %d", d.Step(), b)
	}
}

// The pixels a masked run kept go with their state: committed with it,
// restored by undo and redo, kept by mask strokes, dropped when the codes
// change, and saved with the session; the same codes and picture again
// make no undo step.
func TestDocumentPicture(t *testing.T) {
	d := NewDocument(2, 2)
	must(t, d.SetImage([]int{1, 2, 3, 4}, Params{}, ""))
	pic := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	pic.Pix[0], pic.Pix[3] = 200, 255
	must(t, d.SetImageRows([]int{1, 2, 3, 5}, 2, Params{}, "out.png", pic))
	steps := len(d.undo)
	if d.Picture() != pic || steps != 2 {
		t.Fatalf("picture %v, %d undo steps", d.Picture() != nil, steps)
	}
	same := image.NewNRGBA(pic.Rect)
	copy(same.Pix, pic.Pix)
	must(t, d.SetImageRows([]int{1, 2, 3, 5}, 2, Params{}, "out.png", same))
	must(t, d.SetState([]int{1, 2, 3, 5}, 2, nil, nil, Params{}, "out.png", same))
	if len(d.undo) != steps {
		t.Fatalf("the same codes and picture again made %d undo steps", len(d.undo)-steps)
	}
	must(t, d.SetMask([]bool{true, false, false, false}))
	if d.Picture() != pic {
		t.Fatal("a mask stroke dropped the picture")
	}
	st := d.State()
	data, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var back State
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	d2, err := DocumentFromState(back)
	if err != nil {
		t.Fatal(err)
	}
	if p := d2.Picture(); p == nil || !bytes.Equal(p.Pix, pic.Pix) || p.Rect != pic.Rect {
		t.Fatal("the picture did not survive the session file")
	}
	back.Cur.Picture = image.NewNRGBA(image.Rect(0, 0, 4, 6)) // damaged: not the image's shape
	if d3, err := DocumentFromState(back); err != nil || d3.Picture() != nil {
		t.Fatalf("a picture of another shape was kept (%v)", err)
	}
	must(t, d.Undo()) // the mask
	must(t, d.Undo()) // the second image
	if d.Picture() != nil {
		t.Fatal("undo to an image of its codes kept another's picture")
	}
	must(t, d.Redo())
	if d.Picture() != pic {
		t.Fatal("redo did not bring the picture back")
	}
	must(t, d.ReplaceImage([]int{4, 3, 2, 1}, Params{}, "", nil))
	if d.Picture() != nil {
		t.Fatal("other codes in place kept the picture of the ones replaced")
	}
	if _, err := ParsePicture([]byte("not a png")); err == nil {
		t.Error("a damaged picture was read")
	}
}

// Descends follows an undo step's changes while they are on the undo
// stack: not once they are undone, nor after a new change made there.
func TestDocumentDescends(t *testing.T) {
	d := NewDocument(1, 2)
	must(t, d.SetImage([]int{1, 2}, Params{}, ""))
	opened := d.Step()
	must(t, d.SetImage([]int{3, 4}, Params{}, ""))
	if !d.Descends(opened) {
		t.Fatal("a change of the step does not descend from it")
	}
	must(t, d.Undo())
	if !d.Descends(opened) {
		t.Fatal("the step itself does not descend from itself")
	}
	must(t, d.Undo())
	if d.Descends(opened) {
		t.Fatal("the state before the step descends from it")
	}
	must(t, d.Redo())
	must(t, d.Redo())
	if !d.Descends(opened) {
		t.Fatal("redone, the change does not descend from the step")
	}
	must(t, d.Undo())
	must(t, d.Undo())
	must(t, d.SetImage([]int{5, 6}, Params{}, "")) // another branch
	if d.Descends(opened) {
		t.Fatal("a new change made before the step descends from it")
	}
}

// A change taken back gives back the redo steps it cleared: a Resample the
// least likely that changed nothing left Redo grey.
func TestTakeBackRestoresRedo(t *testing.T) {
	d := NewDocument(2, 2)
	p := DefaultParams()
	must(t, d.SetImage([]int{1, 2, 3, 4}, p, "a.png"))
	must(t, d.SetImage([]int{5, 6, 7, 8}, p, "b.png"))
	must(t, d.Undo())
	must(t, d.SetMask([]bool{true, false, false, false}))
	if d.CanRedo() {
		t.Fatal("the mask kept the redo")
	}
	must(t, d.TakeBack(d.Step()))
	if !d.CanRedo() || d.Masked() != 0 {
		t.Fatalf("taken back: redo %v, masked %d", d.CanRedo(), d.Masked())
	}
	must(t, d.Redo())
	if got := d.Tokens(); !slices.Equal(got, []int{5, 6, 7, 8}) {
		t.Fatalf("redo after the take-back: %v", got)
	}
}
