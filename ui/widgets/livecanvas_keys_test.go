package widgets

import (
	"image"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
)

// The mask is painted from the keyboard on a focused canvas: the arrows
// move the brush ring a patch at a time, Space paints (or erases) under
// it as a click does, one edit per press; Escape drops a stroke being
// dragged, and with none goes to the window (where it stops a run): a
// click had focused the canvas, which swallowed every key.
func TestCanvasKeys(t *testing.T) {
	test.NewTempApp(t)
	lc := NewLiveCanvas()
	lc.SetGrid(8, 8, 4)
	lc.ShowImage(image.NewNRGBA(image.Rect(0, 0, 32, 32)))
	lc.SetTool(ToolBrush)
	lc.SetBrushSize(1)
	w := test.NewTempWindow(t, lc)
	w.Resize(fyne.NewSize(300, 300))
	var edits [][]bool
	lc.OnMaskEdited = func(m []bool) { edits = append(edits, m) }
	var toWindow []fyne.KeyName
	w.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) { toWindow = append(toWindow, k.Name) })
	lc.MouseDown(&desktop.MouseEvent{Button: desktop.MouseButtonSecondary}) // a click (a pan) focuses it
	lc.MouseUp(nil)
	if w.Canvas().Focused() != fyne.Focusable(lc) || lc.FocusShown() {
		t.Fatalf("after a click: focused %v, focus drawn %v (want focused, not drawn)", w.Canvas().Focused() == fyne.Focusable(lc), lc.FocusShown())
	}
	w.Canvas().Unfocus()
	w.Canvas().Focus(lc) // as Tab does
	if !lc.FocusShown() {
		t.Fatal("focused from the keyboard, the canvas draws no focus")
	}
	key := func(n fyne.KeyName) { lc.TypedKey(&fyne.KeyEvent{Name: n}) }

	key(fyne.KeySpace) // no ring placed yet: it appears in the middle, nothing painted
	if !lc.BrushRingShown() || len(edits) != 0 {
		t.Fatalf("the first Space: ring shown %v, %d edits", lc.BrushRingShown(), len(edits))
	}
	key(fyne.KeyDown)
	key(fyne.KeyUp)
	key(fyne.KeyRight)
	key(fyne.KeySpace)
	want := make([]bool, 64)
	want[4*8+5] = true
	if len(edits) != 1 || !slices.Equal(edits[0], want) || !slices.Equal(lc.Mask(), want) {
		t.Fatalf("Space after Down, Right painted %v (edits %d), want patch (4,5)", lc.Mask(), len(edits))
	}
	for range 20 { // held against the edge: stays on the grid
		key(fyne.KeyLeft)
	}
	key(fyne.KeySpace)
	if !lc.Mask()[4*8] || len(edits) != 2 {
		t.Errorf("after Left ×20 and Space the mask is %v", lc.Mask())
	}
	lc.SetTool(ToolEraser)
	key(fyne.KeySpace)
	if lc.Mask()[4*8] || len(edits) != 3 {
		t.Errorf("Space with the eraser left patch (4,0) painted: %v", lc.Mask())
	}
	if len(toWindow) != 0 {
		t.Fatalf("the canvas passed %v to the window", toWindow)
	}

	// A drag paints; Escape takes the stroke back, and the drag paints no
	// more until the button is let go.
	lc.SetTool(ToolBrush)
	before := lc.Mask()
	lc.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: lc.PatchCenter(1, 1)}})
	lc.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: lc.PatchCenter(1, 3)}})
	if slices.Equal(lc.Mask(), before) {
		t.Fatal("the drag painted nothing: the test shows nothing")
	}
	key(fyne.KeyEscape)
	lc.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: lc.PatchCenter(2, 3)}})
	lc.DragEnd()
	if !slices.Equal(lc.Mask(), before) || len(edits) != 3 {
		t.Errorf("Escape during a drag: mask %v, %d edits (want it as before, 3)", lc.Mask(), len(edits))
	}
	if len(toWindow) != 0 {
		t.Errorf("Escape that dropped a stroke went to the window too: %v", toWindow)
	}
	// With no stroke, Escape (and the keys the canvas has no use for) go
	// to the window.
	key(fyne.KeyEscape)
	key(fyne.KeyPageDown)
	if !slices.Equal(toWindow, []fyne.KeyName{fyne.KeyEscape, fyne.KeyPageDown}) {
		t.Errorf("the window got %v, want Escape and Page Down", toWindow)
	}
}
