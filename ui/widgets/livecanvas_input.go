package widgets

import (
	"math"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// Interfaces the canvas implements for mouse, scroll and keyboard input.
var (
	_ fyne.Draggable     = (*LiveCanvas)(nil)
	_ fyne.Scrollable    = (*LiveCanvas)(nil)
	_ fyne.Focusable     = (*LiveCanvas)(nil)
	_ desktop.Mouseable  = (*LiveCanvas)(nil)
	_ desktop.Hoverable  = (*LiveCanvas)(nil)
	_ desktop.Cursorable = (*LiveCanvas)(nil)
)

// ZoomStep is the zoom factor of one scroll notch.
const ZoomStep = 1.25

// imageSize is the image size in pixels.
func (lc *LiveCanvas) imageSize() (int, int) { return lc.cols * lc.patch, lc.rows * lc.patch }

// toPatch converts a widget position to patch units.
func (lc *LiveCanvas) toPatch(p fyne.Position) (x, y float64) {
	w, h := lc.imageSize()
	ix, iy := lc.view.toImage(p, lc.Size(), w, h)
	return ix / float64(lc.patch), iy / float64(lc.patch)
}

// MouseDown starts a stroke, a pan or a line pick.
func (lc *LiveCanvas) MouseDown(ev *desktop.MouseEvent) {
	lc.clicked = true
	FocusIn(lc)
	lc.clicked = false
	if ev.Button != desktop.MouseButtonPrimary || lc.tool == ToolPan {
		lc.panning, lc.panFrom = true, ev.Position
		return
	}
	switch {
	case lc.tool.Paints():
		lc.beginStroke(ev.Position)
	case lc.tool == ToolLine:
		lc.pickLine(ev.Position)
	}
}

// inside reports whether p is over the widget.
func (lc *LiveCanvas) inside(p fyne.Position) bool {
	s := lc.Size()
	return p.X >= 0 && p.Y >= 0 && p.X < s.Width && p.Y < s.Height
}

// MouseUp ends a stroke or a pan.
func (lc *LiveCanvas) MouseUp(ev *desktop.MouseEvent) {
	lc.panning, lc.dropped = false, false
	if ev != nil && !lc.inside(ev.Position) {
		lc.hovering = false
	}
	lc.endStroke()
}

// Dragged continues a stroke or a pan (a drag without MouseDown, as sent by
// tests, starts one). The brush ring follows the pointer only while it is
// over the canvas.
func (lc *LiveCanvas) Dragged(ev *fyne.DragEvent) {
	lc.hover, lc.hovering = ev.Position, lc.inside(ev.Position)
	if lc.panning || lc.tool == ToolPan {
		w, h := lc.imageSize()
		lc.view = lc.view.panned(ev.Dragged, lc.Size(), w, h)
		lc.Refresh()
		return
	}
	if !lc.tool.Paints() {
		return
	}
	if lc.dropped {
		return // Escape took the stroke back: nothing until the button is let go
	}
	if lc.stroke == nil {
		lc.beginStroke(ev.Position)
		return
	}
	lc.strokeTo(ev.Position)
}

// DragEnd ends a stroke or a pan; a drag that ended off the canvas takes
// the brush ring with it.
func (lc *LiveCanvas) DragEnd() {
	lc.panning, lc.dropped = false, false
	if !lc.inside(lc.hover) {
		lc.hovering = false
	}
	lc.endStroke()
	lc.Refresh()
}

// MouseIn starts showing the brush cursor.
func (lc *LiveCanvas) MouseIn(ev *desktop.MouseEvent) {
	lc.hover, lc.hovering = ev.Position, lc.inside(ev.Position)
	lc.Refresh()
}

// BrushRingShown reports whether the brush ring is drawn: not over a
// canvas that shows a message in place of an image (there is nothing to
// paint on: a ring sat on the empty canvas at startup).
func (lc *LiveCanvas) BrushRingShown() bool {
	return lc.hovering && lc.tool.Paints() && lc.inside(lc.hover) && lc.message == ""
}

// MouseMoved moves the brush cursor, or pans while a secondary button is held.
func (lc *LiveCanvas) MouseMoved(ev *desktop.MouseEvent) {
	lc.keyed = false // the ring follows the pointer again
	if lc.panning {
		w, h := lc.imageSize()
		d := ev.Position.Subtract(lc.panFrom)
		lc.view = lc.view.panned(fyne.Delta{DX: d.X, DY: d.Y}, lc.Size(), w, h)
		lc.panFrom = ev.Position
	}
	lc.hover, lc.hovering = ev.Position, lc.inside(ev.Position)
	lc.Refresh()
}

// MouseOut hides the brush cursor.
func (lc *LiveCanvas) MouseOut() {
	lc.hovering = false
	lc.Refresh()
}

// Scrolled zooms around the pointer.
func (lc *LiveCanvas) Scrolled(ev *fyne.ScrollEvent) {
	f := float32(ZoomStep)
	switch {
	case ev.Scrolled.DY < 0:
		f = 1 / f
	case ev.Scrolled.DY == 0:
		return
	}
	w, h := lc.imageSize()
	lc.view = lc.view.zoomAt(f, ev.Position, lc.Size(), w, h)
	lc.Refresh()
}

// Cursor is a crosshair over the canvas.
func (lc *LiveCanvas) Cursor() desktop.Cursor { return desktop.CrosshairCursor }

// FocusGained draws the focus around the canvas, unless a click gave it
// (the ring would come and go with every stroke).
func (lc *LiveCanvas) FocusGained() {
	lc.focusShown, lc.clicked = !lc.clicked, false
	lc.Refresh()
}

// FocusLost takes away the focus and the brush ring the arrow keys showed.
func (lc *LiveCanvas) FocusLost() {
	if lc.keyed {
		lc.hovering = false
	}
	lc.keyed, lc.focusShown = false, false
	lc.Refresh()
}

// FocusShown reports whether the canvas draws the keyboard focus.
func (lc *LiveCanvas) FocusShown() bool { return lc.focusShown }

// TypedRune resizes the brush with [ and ].
func (lc *LiveCanvas) TypedRune(r rune) { lc.BrushKey(r) }

// TypedKey paints from the keyboard while the canvas has the focus (a
// click on it, or Tab to it): the arrow keys move the brush ring a patch
// at a time (from the patch under the pointer, or the middle of the
// picture, at first, where a first Space also puts it), Space paints or
// erases under it as a click does (with the line tool, picks the line
// under it). Escape drops a stroke being painted; with none, it and every
// other key go to the window's own handler (Escape stops a run): a
// focused widget gets every key, so a click on the canvas left Escape
// doing nothing.
func (lc *LiveCanvas) TypedKey(k *fyne.KeyEvent) {
	moves := map[fyne.KeyName][2]int{fyne.KeyUp: {-1, 0}, fyne.KeyDown: {1, 0}, fyne.KeyLeft: {0, -1}, fyne.KeyRight: {0, 1}}
	d, move := moves[k.Name]
	if k.Name == fyne.KeySpace && !lc.keyed {
		move = true // the first Space shows where the next paints
	}
	switch {
	case move && lc.message == "":
		if !lc.keyed {
			// From the patch under the pointer, else the middle.
			lc.keyed, lc.keyRow, lc.keyCol = true, lc.rows/2, lc.cols/2
			if lc.hovering && lc.inside(lc.hover) {
				x, y := lc.toPatch(lc.hover)
				lc.keyRow, lc.keyCol = int(math.Floor(y)), int(math.Floor(x))
			}
		} else {
			lc.keyRow, lc.keyCol = lc.keyRow+d[0], lc.keyCol+d[1]
		}
		lc.keyRow = min(max(lc.keyRow, 0), lc.rows-1)
		lc.keyCol = min(max(lc.keyCol, 0), lc.cols-1)
		lc.hover, lc.hovering = lc.PatchCenter(lc.keyRow, lc.keyCol), true
		lc.focusShown = true
		lc.Refresh()
	case k.Name == fyne.KeySpace && lc.keyed && lc.message == "":
		at := lc.PatchCenter(lc.keyRow, lc.keyCol)
		switch {
		case lc.tool.Paints():
			lc.beginStroke(at)
			lc.endStroke()
		case lc.tool == ToolLine:
			lc.pickLine(at)
		}
	case k.Name == fyne.KeyEscape && lc.stroke != nil:
		lc.DropStroke()
	default:
		toWindow(lc, k)
	}
}

// DropStroke takes back the stroke being painted, as if it had not begun;
// the drag that painted it paints no more until the button is let go.
func (lc *LiveCanvas) DropStroke() {
	if lc.stroke == nil {
		return
	}
	lc.stroke, lc.dropped = nil, true
	lc.Refresh()
}

// BrushKey handles '[' (smaller brush) and ']' (bigger); it reports whether
// r was one of them.
func (lc *LiveCanvas) BrushKey(r rune) bool {
	n := lc.brush
	switch r {
	case '[':
		n--
	case ']':
		n++
	default:
		return false
	}
	lc.SetBrushSize(n)
	if lc.OnBrushSize != nil {
		lc.OnBrushSize(lc.brush)
	}
	return true
}

// beginStroke starts painting (brush) or erasing the mask, or painting
// the temperature map, at p.
func (lc *LiveCanvas) beginStroke(p fyne.Position) {
	x, y := lc.toPatch(p)
	s := &strokeState{temperature: lc.tool.PaintsTemperature(), value: lc.tool != ToolEraser,
		mask: lc.Mask(), temps: lc.Temperature(), x: x, y: y}
	if lc.tool == ToolTemperature {
		s.tempValue = lc.tempValue
	}
	if !lc.overlaysOn {
		lc.overlaysOn = true // what is painted is seen
		if lc.OnOverlaysShown != nil {
			lc.OnOverlaysShown()
		}
	}
	lc.stroke = s
	brushPatches(x, y, lc.brush, lc.rows, lc.cols, lc.dab)
	lc.Refresh()
}

// strokeTo paints along the line to p.
func (lc *LiveCanvas) strokeTo(p fyne.Position) {
	s := lc.stroke
	x, y := lc.toPatch(p)
	strokePatches(s.x, s.y, x, y, lc.brush, lc.rows, lc.cols, lc.dab)
	s.x, s.y = x, y
	lc.Refresh()
}

// dab sets one patch of the stroke's mask or temperature map.
func (lc *LiveCanvas) dab(i int) {
	s := lc.stroke
	switch {
	case s.temperature && s.temps[i] != s.tempValue:
		s.temps[i] = s.tempValue
		s.change = true
	case !s.temperature && s.mask[i] != s.value:
		s.mask[i] = s.value
		s.change = true
	}
}

// endStroke commits the stroke's layer and reports it.
func (lc *LiveCanvas) endStroke() {
	s := lc.stroke
	if s == nil {
		return
	}
	lc.stroke = nil
	if s.temperature {
		lc.temps = s.temps
	} else {
		lc.mask = s.mask
	}
	lc.Refresh()
	switch {
	case !s.change:
	case s.temperature && lc.OnTemperatureEdited != nil:
		lc.OnTemperatureEdited(slices.Clone(s.temps))
	case !s.temperature && lc.OnMaskEdited != nil:
		lc.OnMaskEdited(slices.Clone(s.mask))
	}
}

// pickLine reports the row boundary nearest p.
func (lc *LiveCanvas) pickLine(p fyne.Position) {
	if row, ok := lc.lineAt(p); ok && lc.OnLinePicked != nil {
		lc.OnLinePicked(row)
	}
}

// lineAt is the row boundary (1..rows-1) nearest p.
func (lc *LiveCanvas) lineAt(p fyne.Position) (int, bool) {
	if lc.rows < 2 {
		return 0, false
	}
	_, y := lc.toPatch(p)
	row := int(math.Round(y))
	return min(max(row, 1), lc.rows-1), true
}
