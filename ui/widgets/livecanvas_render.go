package widgets

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
)

// liveRenderer draws a LiveCanvas: background, image (nearest-neighbour),
// mask overlay (one texel per patch, so it snaps to the grid), the mask's
// outline while the overlay is hidden, optional grid lines, the brush
// cursor, the cut line and a message.
type liveRenderer struct {
	lc      *LiveCanvas
	bg      *canvas.Rectangle
	img     *canvas.Image
	likMap  *canvas.Image
	overlay *canvas.Image
	// outline are the edges of the masked patches (edges, in patch units)
	// drawn while the overlays are hidden: the mask still limits what a
	// run changes, and a tint would colour the result.
	outline []*canvas.Line
	edges   []maskEdge
	lines   []*canvas.Line
	cursor  *canvas.Circle
	cut     *canvas.Line
	worst   *canvas.Rectangle             // the least likely patch's frame, while the map is shown
	msg     [maxMessageLines]*canvas.Text // the message, broken into lines to fit
}

// IsClip makes Fyne clip the zoomed image to the widget.
func (r *liveRenderer) IsClip() {}

// newLiveRenderer creates the drawing objects of lc.
func newLiveRenderer(lc *LiveCanvas) *liveRenderer {
	r := &liveRenderer{lc: lc}
	r.bg = canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	r.img = canvas.NewImageFromImage(lc.front)
	r.img.ScaleMode = canvas.ImageScalePixels
	r.img.FillMode = canvas.ImageFillStretch
	r.likMap = canvas.NewImageFromImage(lc.mapPix)
	r.likMap.ScaleMode = canvas.ImageScalePixels
	r.likMap.FillMode = canvas.ImageFillStretch
	r.overlay = canvas.NewImageFromImage(lc.overlay)
	r.overlay.ScaleMode = canvas.ImageScalePixels
	r.overlay.FillMode = canvas.ImageFillStretch
	r.cursor = canvas.NewCircle(color.Transparent)
	r.cursor.StrokeColor = color.NRGBA{R: 255, G: 255, B: 255, A: 220}
	r.cursor.StrokeWidth = 1.5
	r.cut = canvas.NewLine(color.NRGBA{R: 255, G: 200, B: 0, A: 255})
	r.cut.StrokeWidth = 2
	r.worst = canvas.NewRectangle(color.Transparent)
	r.worst.StrokeColor, r.worst.StrokeWidth = color.NRGBA{R: 255, G: 255, B: 255, A: 255}, 2
	for i := range r.msg {
		r.msg[i] = canvas.NewText("", theme.Color(theme.ColorNameForeground))
		r.msg[i].Alignment = fyne.TextAlignCenter
	}
	r.update()
	return r
}

// Destroy is part of fyne.WidgetRenderer.
func (r *liveRenderer) Destroy() {}

// MinSize is the canvas's minimum size.
func (r *liveRenderer) MinSize() fyne.Size { return r.lc.MinSize() }

// Objects lists what is drawn, back to front.
func (r *liveRenderer) Objects() []fyne.CanvasObject {
	objs := []fyne.CanvasObject{r.bg, r.img, r.likMap, r.overlay}
	for _, l := range r.outline {
		objs = append(objs, l)
	}
	for _, l := range r.lines {
		objs = append(objs, l)
	}
	objs = append(objs, r.worst, r.cut, r.cursor)
	for _, m := range r.msg {
		objs = append(objs, m)
	}
	return objs
}

// Layout places the image by the view and everything over it.
func (r *liveRenderer) Layout(size fyne.Size) {
	lc := r.lc
	r.bg.Resize(size)
	r.bg.Move(fyne.NewPos(0, 0))
	w, h := lc.imageSize()
	pos, isz := lc.view.rect(size, w, h)
	r.img.Move(pos)
	r.img.Resize(isz)
	r.likMap.Move(pos)
	r.likMap.Resize(isz)
	r.overlay.Move(pos)
	r.overlay.Resize(isz)

	cellW, cellH := isz.Width/float32(max(lc.cols, 1)), isz.Height/float32(max(lc.rows, 1))
	for i, l := range r.outline {
		e := r.edges[i]
		l.Position1 = fyne.NewPos(pos.X+float32(e.x0)*cellW, pos.Y+float32(e.y0)*cellH)
		l.Position2 = fyne.NewPos(pos.X+float32(e.x1)*cellW, pos.Y+float32(e.y1)*cellH)
	}
	for i, l := range r.lines {
		if i <= lc.rows { // horizontal lines first
			y := pos.Y + isz.Height*float32(i)/float32(lc.rows)
			l.Position1, l.Position2 = fyne.NewPos(pos.X, y), fyne.NewPos(pos.X+isz.Width, y)
		} else {
			x := pos.X + isz.Width*float32(i-lc.rows-1)/float32(lc.cols)
			l.Position1, l.Position2 = fyne.NewPos(x, pos.Y), fyne.NewPos(x, pos.Y+isz.Height)
		}
	}

	// The least likely patch, framed while the map is shown (as the
	// likelihood sheet of tessera score --map frames it).
	r.worst.Hidden = true
	if i, ok := lc.WorstPatch(); ok {
		row, col := i/max(lc.cols, 1), i%max(lc.cols, 1)
		r.worst.Move(fyne.NewPos(pos.X+float32(col)*cellW, pos.Y+float32(row)*cellH))
		r.worst.Resize(fyne.NewSize(cellW, cellH))
		r.worst.Hidden = false
	}

	scale := isz.Width / float32(max(w, 1))
	d := float32(lc.brush*lc.patch) * scale
	r.cursor.Hidden = !lc.BrushRingShown()
	r.cursor.Move(lc.hover.Subtract(fyne.NewPos(d/2, d/2)))
	r.cursor.Resize(fyne.NewSize(d, d))

	r.cut.Hidden = true
	if row, ok := lc.lineAt(lc.hover); ok && lc.tool == ToolLine && lc.hovering {
		y := pos.Y + isz.Height*float32(row)/float32(lc.rows)
		r.cut.Position1, r.cut.Position2 = fyne.NewPos(pos.X, y), fyne.NewPos(pos.X+isz.Width, y)
		r.cut.Hidden = false
	}

	// The message goes under the picture where there is room, else over
	// it, else across it (it was drawn across the empty canvas's
	// checkerboard).
	// Broken into lines that fit the canvas's width (it was cut at both
	// ends in a narrow window).
	pad := theme.Padding()
	lines := wrapLines(lc.message, size.Width-2*pad, theme.TextSize(), maxMessageLines)
	lineH := r.msg[0].MinSize().Height
	if lineH == 0 {
		lineH = fyne.MeasureText("Wg", theme.TextSize(), fyne.TextStyle{}).Height
	}
	msgH := lineH * float32(len(lines))
	y := (size.Height - msgH) / 2
	switch {
	case pos.Y+isz.Height+pad+msgH <= size.Height:
		y = pos.Y + isz.Height + pad
	case pos.Y-pad-msgH >= 0:
		y = pos.Y - pad - msgH
	}
	for i, m := range r.msg {
		m.Hidden = i >= len(lines)
		if m.Hidden {
			continue
		}
		m.Text = lines[i]
		m.Move(fyne.NewPos(0, y+float32(i)*lineH))
		m.Resize(fyne.NewSize(size.Width, lineH))
		m.Refresh()
	}
	if lc.OnView != nil {
		lc.OnView()
	}
}

// update copies widget state into the drawing objects.
func (r *liveRenderer) update() {
	lc := r.lc
	r.img.Image = lc.front
	r.overlay.Image = lc.overlay
	r.likMap.Image = lc.mapPix
	r.likMap.Hidden = lc.nll == nil
	lc.paintLayers()
	r.edges = nil
	if !lc.OverlaysShown() {
		r.edges = maskEdges(lc.mask, lc.rows, lc.cols)
	}
	for len(r.outline) < len(r.edges) {
		l := canvas.NewLine(color.NRGBA{R: lc.maskColor.R, G: lc.maskColor.G, B: lc.maskColor.B, A: 255})
		l.StrokeWidth = 1.5
		r.outline = append(r.outline, l)
	}
	r.outline = r.outline[:len(r.edges)]
	want := 0
	if lc.grid {
		want = lc.rows + 1 + lc.cols + 1
	}
	if len(r.lines) != want {
		r.lines = r.lines[:0]
		for i := 0; i < want; i++ {
			l := canvas.NewLine(gridLineColor())
			l.StrokeWidth = 1
			r.lines = append(r.lines, l)
		}
	}
	r.bg.FillColor = theme.Color(theme.ColorNameInputBackground)
	r.bg.StrokeWidth = 0
	if lc.focusShown {
		r.bg.StrokeColor, r.bg.StrokeWidth = theme.Color(theme.ColorNamePrimary), 2
	}
	for _, m := range r.msg {
		m.Color = theme.Color(theme.ColorNameForeground) // text and places: Layout
	}
}

// Refresh redraws everything from the widget's state.
func (r *liveRenderer) Refresh() {
	r.update()
	r.Layout(r.lc.Size())
	for _, o := range r.Objects() {
		canvas.Refresh(o)
	}
}

// gridLineColor draws the patch grid: a half-transparent mid grey, seen
// over white (the emoji's backgrounds, where a white line was invisible)
// and over dark pictures alike.
func gridLineColor() color.NRGBA { return color.NRGBA{R: 128, G: 128, B: 128, A: 140} }

// maskEdge is one edge of a masked patch that borders an unmasked one or
// the image's edge, from (x0, y0) to (x1, y1) in patches.
type maskEdge struct{ x0, y0, x1, y1 int }

// maskEdges are the outline of mask (rows×cols, raster order): the edges of
// masked patches that border unmasked ones or the image's edge, runs of
// them along a row or column joined into one.
func maskEdges(mask []bool, rows, cols int) []maskEdge {
	if len(mask) != rows*cols {
		return nil
	}
	at := func(r, c int) bool { return r >= 0 && r < rows && c >= 0 && c < cols && mask[r*cols+c] }
	var out []maskEdge
	// Horizontal edges above row r (between rows r−1 and r), then
	// vertical ones left of column c.
	edgeRuns(rows, cols, func(r, c int) bool { return at(r, c) != at(r-1, c) },
		func(r, from, to int) { out = append(out, maskEdge{from, r, to, r}) })
	edgeRuns(cols, rows, func(c, r int) bool { return at(r, c) != at(r, c-1) },
		func(c, from, to int) { out = append(out, maskEdge{c, from, c, to}) })
	return out
}

// edgeRuns calls add(line, from, to) for each run [from, to) of positions
// j in [0, n) along each of lines 0…lines where edge(line, j) holds.
func edgeRuns(lines, n int, edge func(line, j int) bool, add func(line, from, to int)) {
	for line := 0; line <= lines; line++ {
		start := -1
		for j := 0; j <= n; j++ {
			on := j < n && edge(line, j)
			switch {
			case on && start < 0:
				start = j
			case !on && start >= 0:
				add(line, start, j)
				start = -1
			}
		}
	}
}

// MaskOutline is how many lines the canvas draws around the mask (0 while
// the overlays are shown, or with no mask).
func (lc *LiveCanvas) MaskOutline() int {
	if !lc.OverlaysShown() {
		return len(maskEdges(lc.mask, lc.rows, lc.cols))
	}
	return 0
}

// maxMessageLines is how many lines the canvas's message may take.
const maxMessageLines = 3

// wrapLines breaks text at spaces into lines no wider than width (at text
// size size), at most max of them (the last takes the rest, cut by the
// canvas); a word wider than width has a line of its own. "" gives none.
func wrapLines(text string, width, size float32, max int) []string {
	words := strings.Fields(text)
	var lines []string
	line := ""
	for i, w := range words {
		next := w
		if line != "" {
			next = line + " " + w
		}
		if line != "" && fyne.MeasureText(next, size, fyne.TextStyle{}).Width > width {
			if len(lines) == max-1 {
				return append(lines, strings.Join(append([]string{line}, words[i:]...), " "))
			}
			lines = append(lines, line)
			next = w
		}
		line = next
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
