package widgets

import (
	"image"
	"image/color"
	"slices"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// RefreshInterval is the shortest time between two repaints while the
// sampler streams (about 30 per second).
const RefreshInterval = time.Second / 30

// Tool is what a left-button drag on the canvas does.
type Tool int

// Canvas tools.
const (
	ToolBrush       Tool = iota // paint the mask
	ToolEraser                  // unpaint the mask
	ToolPan                     // move the view
	ToolLine                    // pick the line for "Complete from here"
	ToolTemperature             // paint the temperature map
	ToolTempEraser              // return patches to the global temperature
)

// Paints reports whether a drag with t paints a layer (mask or temperature).
func (t Tool) Paints() bool {
	return t == ToolBrush || t == ToolEraser || t == ToolTemperature || t == ToolTempEraser
}

// PaintsTemperature reports whether t paints the temperature map.
func (t Tool) PaintsTemperature() bool { return t == ToolTemperature || t == ToolTempEraser }

// LiveCanvas shows the image as it is sampled, patch by patch, with the
// mask drawn over it snapped to the patch grid. Patches may be painted from
// any goroutine (PaintPatch); repaints are coalesced to at most about 30 a
// second through fyne.Do. Everything else is used on the UI goroutine.
// Any number of patches painted between two repaints cost one repaint.
type LiveCanvas struct {
	widget.BaseWidget

	// OnMaskEdited is called with the new mask at the end of each stroke.
	OnMaskEdited func(mask []bool)
	// OnTemperatureEdited is called with the new temperature map at the
	// end of each temperature stroke.
	OnTemperatureEdited func(temps []float64)
	// OnLinePicked is called with the row picked with ToolLine (1..rows-1).
	OnLinePicked func(row int)
	// OnBrushSize is called when [ or ] changes the brush size.
	OnBrushSize func(size int)
	// OnFlush is called on the UI goroutine after each coalesced repaint.
	OnFlush func()
	// OnOverlaysShown is called when a stroke shows hidden overlays.
	OnOverlaysShown func()
	// OnView is called when the zoom may have changed.
	OnView func()
	// post runs a repaint on the UI goroutine (fyne.Do by default).
	post func(func())

	// shared with painting goroutines
	mu        sync.Mutex
	back      *image.NRGBA // the true pixels
	dirty     bool
	scheduled bool
	lastFlush time.Time
	interval  time.Duration

	// UI goroutine state
	rows, cols, patch int
	front             *image.NRGBA // back composited over a checkerboard, shown
	overlay           *image.NRGBA // one pixel per patch: temperature and mask colours
	mapPix            *image.NRGBA // one pixel per patch: the likelihood map
	mask              []bool
	temps             []float64 // painted temperature per patch (0: global)
	tempValue         float64   // what ToolTemperature paints
	nll               []float64 // per-patch −log p in nats: the likelihood map (nil: none shown)
	nllLo, nllHi      float64
	stroke            *strokeState
	tool              Tool
	brush             int
	grid              bool
	view              view
	hover             fyne.Position
	hovering          bool
	// keyed says the arrow keys placed the brush ring, on the patch at
	// keyRow, keyCol (TypedKey).
	keyed          bool
	keyRow, keyCol int
	// dropped says Escape took back the stroke of a drag still going.
	dropped bool
	// focusShown says the focus is drawn round the canvas (it came by
	// the keyboard, or the arrow keys were used); clicked says a click is
	// giving it the focus.
	focusShown, clicked bool
	panning             bool
	panFrom             fyne.Position
	message             string
	maskColor           color.NRGBA
	overlaysOn          bool    // the mask and temperature map are drawn
	globalTemp          float64 // the temperature the tint compares with
}

// strokeState is a mask or temperature stroke in progress.
type strokeState struct {
	temperature bool      // the stroke paints the temperature map
	value       bool      // mask: paint (true) or erase
	tempValue   float64   // temperature: the value painted (0 erases)
	mask        []bool    // the mask being edited (or shown)
	temps       []float64 // the temperature map being edited (or shown)
	x, y        float64   // last dab, in patch units
	change      bool
}

// NewLiveCanvas returns an empty canvas.
func NewLiveCanvas() *LiveCanvas {
	lc := &LiveCanvas{
		brush:      3,
		tempValue:  1,
		interval:   RefreshInterval,
		post:       fyne.Do,
		maskColor:  color.NRGBA{R: 255, G: 40, B: 150, A: 150},
		overlaysOn: true,
		globalTemp: 1,
	}
	lc.SetGrid(1, 1, 1)
	lc.ExtendBaseWidget(lc)
	return lc
}

// SetGrid sets the patch grid (rows × cols patches of patch pixels) and
// clears the image and the mask.
func (lc *LiveCanvas) SetGrid(rows, cols, patch int) {
	rows, cols, patch = max(rows, 1), max(cols, 1), max(patch, 1)
	lc.rows, lc.cols = rows, cols
	r := image.Rect(0, 0, cols*patch, rows*patch)
	lc.mu.Lock()
	lc.patch = patch
	lc.back = image.NewNRGBA(r)
	lc.dirty = false
	lc.mu.Unlock()
	lc.front = image.NewNRGBA(r)
	lc.overlay = image.NewNRGBA(image.Rect(0, 0, cols, rows))
	lc.mapPix = image.NewNRGBA(image.Rect(0, 0, cols, rows))
	lc.mask = make([]bool, rows*cols)
	lc.temps = make([]float64, rows*cols)
	lc.nll = nil
	lc.stroke = nil
	lc.compose()
	lc.Refresh()
}

// SetPost sets how a repaint reaches the UI goroutine (fyne.Do unless
// set; the studio queues repaints on its own loop).
func (lc *LiveCanvas) SetPost(post func(func())) { lc.post = post }

// Grid returns the patch grid.
func (lc *LiveCanvas) Grid() (rows, cols, patch int) { return lc.rows, lc.cols, lc.patch }

// SetMessage shows text over the canvas ("" hides it), e.g. when no model
// is loaded.
func (lc *LiveCanvas) SetMessage(msg string) {
	lc.message = msg
	lc.Refresh()
}

// Message is the text shown over the canvas.
func (lc *LiveCanvas) Message() string { return lc.message }

// Image returns a copy of the pixels (unpainted patches are transparent).
func (lc *LiveCanvas) Image() *image.NRGBA {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	c := *lc.back
	c.Pix = slices.Clone(lc.back.Pix)
	return &c
}

// PaintPatch paints one decoded p×p RGB patch at patch index (raster
// order). It may be called from any goroutine; the repaint follows within
// about 1/30 s.
func (lc *LiveCanvas) PaintPatch(index int, rgb []uint8) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	p := lc.patch
	cols := lc.back.Rect.Dx() / p
	if index < 0 || cols == 0 || index >= cols*(lc.back.Rect.Dy()/p) || len(rgb) < p*p*3 {
		return
	}
	x0, y0 := index%cols*p, index/cols*p
	i := 0
	for y := y0; y < y0+p; y++ {
		row := lc.back.Pix[lc.back.PixOffset(x0, y):]
		for x := 0; x < p; x++ {
			row[4*x], row[4*x+1], row[4*x+2], row[4*x+3] = rgb[i], rgb[i+1], rgb[i+2], 255
			i += 3
		}
	}
	lc.markDirtyLocked()
}

// ClearPatches makes the patches where clear is true transparent (the part
// about to be resampled). It may be called from any goroutine.
func (lc *LiveCanvas) ClearPatches(clear func(index int) bool) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	p := lc.patch
	cols, rows := lc.back.Rect.Dx()/p, lc.back.Rect.Dy()/p
	for i := 0; i < rows*cols; i++ {
		if !clear(i) {
			continue
		}
		x0, y0 := i%cols*p, i/cols*p
		for y := y0; y < y0+p; y++ {
			clear := lc.back.Pix[lc.back.PixOffset(x0, y):][:4*p]
			for k := range clear {
				clear[k] = 0
			}
		}
	}
	lc.markDirtyLocked()
}

// ShowImage replaces the pixels with img (same size as the grid; nil
// clears). It may be called from any goroutine.
func (lc *LiveCanvas) ShowImage(img *image.NRGBA) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	for k := range lc.back.Pix {
		lc.back.Pix[k] = 0
	}
	if img != nil {
		b := lc.back.Rect.Intersect(img.Rect.Sub(img.Rect.Min))
		for y := b.Min.Y; y < b.Max.Y; y++ {
			copy(lc.back.Pix[lc.back.PixOffset(0, y):][:4*b.Dx()], img.Pix[img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y+y):])
		}
	}
	lc.markDirtyLocked()
}

// markDirtyLocked schedules a coalesced repaint: at most one is pending,
// and it runs no sooner than interval after the last one.
func (lc *LiveCanvas) markDirtyLocked() {
	lc.dirty = true
	if lc.scheduled {
		return
	}
	lc.scheduled = true
	wait := lc.interval - time.Since(lc.lastFlush)
	post := lc.post
	time.AfterFunc(max(wait, 0), func() { post(lc.flush) })
}

// Sync repaints now if anything changed (UI goroutine).
func (lc *LiveCanvas) Sync() { lc.flush() }

// flush copies the pixels to the shown image and refreshes (UI goroutine).
func (lc *LiveCanvas) flush() {
	lc.mu.Lock()
	lc.scheduled = false
	lc.lastFlush = time.Now()
	changed := lc.dirty
	lc.dirty = false
	if changed {
		lc.composeLocked()
	}
	lc.mu.Unlock()
	if !changed {
		return
	}
	lc.Refresh()
	if lc.OnFlush != nil {
		lc.OnFlush()
	}
}

// compose rebuilds the shown image from the pixels.
func (lc *LiveCanvas) compose() {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	lc.composeLocked()
}

// composeLocked draws back over a checkerboard of patches into front: a
// transparent (not yet sampled) patch shows as a grey tile.
func (lc *LiveCanvas) composeLocked() {
	if lc.front == nil || !lc.front.Rect.Eq(lc.back.Rect) {
		lc.front = image.NewNRGBA(lc.back.Rect)
	}
	p := max(lc.patch, 1)
	w, h := lc.back.Rect.Dx(), lc.back.Rect.Dy()
	for y := 0; y < h; y++ {
		src := lc.back.Pix[y*lc.back.Stride:][:4*w]
		dst := lc.front.Pix[y*lc.front.Stride:][:4*w]
		for x := 0; x < w; x++ {
			a := uint32(src[4*x+3])
			if a == 255 {
				copy(dst[4*x:4*x+4], src[4*x:4*x+4])
				continue
			}
			bg := uint32(0x5a)
			if (x/p+y/p)%2 == 0 {
				bg = 0x6e
			}
			for c := 0; c < 3; c++ {
				dst[4*x+c] = uint8((uint32(src[4*x+c])*a + bg*(255-a)) / 255)
			}
			dst[4*x+3] = 255
		}
	}
}

// SetMask shows mask (one entry per patch, raster order) over the image:
// the first rows' of a mask of more patches than the canvas shows, the
// rest unmasked for one of fewer (a document of another height than the
// image a run paints: a stroke then was dropped from the canvas, and the
// next one started from nothing).
func (lc *LiveCanvas) SetMask(mask []bool) {
	lc.mask = make([]bool, lc.rows*lc.cols)
	copy(lc.mask, mask)
	lc.stroke = nil
	lc.Refresh()
}

// Mask returns the mask as shown (including a stroke in progress).
func (lc *LiveCanvas) Mask() []bool {
	if lc.stroke != nil {
		return slices.Clone(lc.stroke.mask)
	}
	return slices.Clone(lc.mask)
}

// shownMask is the mask to draw.
func (lc *LiveCanvas) shownMask() []bool {
	if lc.stroke != nil {
		return lc.stroke.mask
	}
	return lc.mask
}

// SetOverlays shows or hides the mask and temperature map (a stroke in
// progress is always drawn).
func (lc *LiveCanvas) SetOverlays(on bool) {
	lc.overlaysOn = on
	lc.Refresh()
}

// OverlaysShown reports whether the mask and temperature map are drawn.
func (lc *LiveCanvas) OverlaysShown() bool { return lc.overlaysOn || lc.stroke != nil }

// Stroking reports whether a stroke is in progress.
func (lc *LiveCanvas) Stroking() bool { return lc.stroke != nil }

// SetTool selects what a left-button drag does.
func (lc *LiveCanvas) SetTool(t Tool) {
	lc.tool = t
	lc.Refresh()
}

// Tool is the selected tool.
func (lc *LiveCanvas) Tool() Tool { return lc.tool }

// SetBrushSize sets the brush diameter in patches.
func (lc *LiveCanvas) SetBrushSize(n int) {
	lc.brush = min(max(n, MinBrush), MaxBrush)
	lc.Refresh()
}

// BrushSize is the brush diameter in patches.
func (lc *LiveCanvas) BrushSize() int { return lc.brush }

// SetGridLines shows or hides the patch grid lines.
func (lc *LiveCanvas) SetGridLines(on bool) {
	lc.grid = on
	lc.Refresh()
}

// GridLines reports whether grid lines are shown.
func (lc *LiveCanvas) GridLines() bool { return lc.grid }

// ZoomBy zooms by factor around the centre.
func (lc *LiveCanvas) ZoomBy(factor float32) {
	s := lc.Size()
	lc.view = lc.view.zoomAt(factor, fyne.NewPos(s.Width/2, s.Height/2), s, lc.cols*lc.patch, lc.rows*lc.patch)
	lc.Refresh()
}

// ZoomFit fits the image to the canvas again.
func (lc *LiveCanvas) ZoomFit() {
	lc.view = view{}
	lc.Refresh()
}

// pixelScale is the screen's device pixels per Fyne unit.
func (lc *LiveCanvas) pixelScale() float32 {
	if app := fyne.CurrentApp(); app != nil {
		if c := app.Driver().CanvasForObject(lc); c != nil && c.Scale() > 0 {
			return c.Scale()
		}
	}
	return 1
}

// ZoomActual shows the image 1:1: one image pixel per screen pixel,
// centred.
func (lc *LiveCanvas) ZoomActual() {
	lc.view = view{zoom: 1 / lc.pixelScale()}
	lc.Refresh()
}

// ZoomPercent is the zoom in screen pixels per image pixel, in percent.
func (lc *LiveCanvas) ZoomPercent() float64 {
	return float64(lc.Scale()*lc.pixelScale()) * 100
}

// Fitted reports whether the view fits the image to the canvas.
func (lc *LiveCanvas) Fitted() bool { return lc.view.zoom <= 0 }

// Scale is the current number of screen units per image pixel.
func (lc *LiveCanvas) Scale() float32 {
	return lc.view.scale(lc.Size(), lc.cols*lc.patch, lc.rows*lc.patch)
}

// MinSize keeps the canvas usable: a 64×64 picture at nearly 2× at
// least. It is wider than high so that the studio's whole window fits a
// 768-high laptop screen under its title bar and task bar also at a
// display scale of 125% (with 240 high it needed 759 px at 100%, and the
// status line fell off the screen; with 160, 726 px at 125%).
func (lc *LiveCanvas) MinSize() fyne.Size {
	lc.ExtendBaseWidget(lc)
	return fyne.NewSize(240, 120)
}

// CreateRenderer builds the canvas renderer.
func (lc *LiveCanvas) CreateRenderer() fyne.WidgetRenderer {
	lc.ExtendBaseWidget(lc)
	return newLiveRenderer(lc)
}

// PatchCenter is the centre of patch (row, col) as drawn now, relative to
// the canvas's top-left corner (zoom and pan applied).
func (lc *LiveCanvas) PatchCenter(row, col int) fyne.Position {
	w, h := lc.imageSize()
	pos, size := lc.view.rect(lc.Size(), w, h)
	scale := size.Width / float32(w)
	p := float32(lc.patch)
	return pos.Add(fyne.NewPos((float32(col)+0.5)*p*scale, (float32(row)+0.5)*p*scale))
}

// Layers are the per-patch layers as last composed (one pixel per patch):
// the mask and temperature overlay and the likelihood map. The caller must
// not modify them. UI goroutine only, like every method that is not
// marked safe from any goroutine.
func (lc *LiveCanvas) Layers() (overlay, likelihood *image.NRGBA) {
	return lc.overlay, lc.mapPix
}
