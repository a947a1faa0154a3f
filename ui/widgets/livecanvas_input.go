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
	FocusIn(lc)
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
	lc.panning = false
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
	if lc.stroke == nil {
		lc.beginStroke(ev.Position)
		return
	}
	lc.strokeTo(ev.Position)
}

// DragEnd ends a stroke or a pan; a drag that ended off the canvas takes
// the brush ring with it.
func (lc *LiveCanvas) DragEnd() {
	lc.panning = false
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

// FocusGained is part of fyne.Focusable.
func (lc *LiveCanvas) FocusGained() {}

// FocusLost is part of fyne.Focusable.
func (lc *LiveCanvas) FocusLost() {}

// TypedRune resizes the brush with [ and ].
func (lc *LiveCanvas) TypedRune(r rune) { lc.BrushKey(r) }

// TypedKey is part of fyne.Focusable.
func (lc *LiveCanvas) TypedKey(*fyne.KeyEvent) {}

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
