package ui

import (
	"image"
	"image/draw"
	"sync"
	"time"

	"github.com/nfnt/resize"

	"github.com/tessera-studio/tessera/engine/edit"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/tokenizer"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// gridRepaint is the least time between two decodes of a growing grid;
// gridIdle is how many times the last decode's duration the painter waits
// before the next, which holds decoding under 1/(1+gridIdle) ≈ 6% of a
// run's time however slow the machine is.
const (
	gridRepaint = 100 * time.Millisecond
	gridIdle    = 15
)

// gridPainter paints a run's image 0 on the live canvas for a tokenizer
// whose decoder sees the whole grid (the ViT): it keeps the codes known so
// far, decodes them together (unknown patches through the decoder's mask
// embedding, left transparent) at most every gridRepaint (longer when a
// decode is slow, see gridIdle), and once more when the last patch arrives.
// Decoding runs on the sampler's goroutine.
type gridPainter struct {
	tok        tokenizer.Tokenizer
	lc         *widgets.LiveCanvas
	rows, cols int
	mu         sync.Mutex
	codes      []int
	last       time.Time
	lastCost   time.Duration // the last decode's duration
	spent      time.Duration // time spent decoding (measured by tests and benchmarks)
	decodes    int           // decodes so far (counted for tests)
	// fit, when not zero, is the canvas's image size in pixels: a grid
	// of another model (an edit model's) is resized to it.
	fit image.Point
	// keep, when set, puts the pixels a run keeps (a masked run's outside
	// its mask) over each decode, as the result will show them: the
	// decoder redraws kept codes in the context of the new ones, and a
	// masked edit's preview changed the eyes outside its mask until the
	// end.
	keep func(*image.NRGBA)
}

// keepPixels sets keep to put src's pixels over each decode outside mask
// (rows×cols patches, true where the run redraws), as edit.KeepUnmasked
// and the run's result (keptPixels) do.
func (g *gridPainter) keepPixels(src *image.NRGBA, mask []bool, rows, cols int) {
	g.keep = func(img *image.NRGBA) { _ = edit.KeepUnmasked(img, src, mask, rows, cols) }
}

// newGridPainter starts from shown, the codes on the canvas (−1: none).
func newGridPainter(tok tokenizer.Tokenizer, lc *widgets.LiveCanvas, rows, cols int, shown []int) *gridPainter {
	codes := make([]int, rows*cols)
	for i := range codes {
		codes[i] = -1
		if i < len(shown) {
			codes[i] = shown[i]
		}
	}
	// The first decode waits gridRepaint like the others: at the first
	// code the grid is all but empty, and a short run (64 codes of the
	// emoji model take about 0.1 s) needs only its last.
	return &gridPainter{tok: tok, lc: lc, rows: rows, cols: cols, codes: codes, last: time.Now()}
}

// event records ev's code and repaints when due.
func (g *gridPainter) event(ev sampler.Event) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if ev.Index < 0 || ev.Index >= len(g.codes) {
		return
	}
	g.codes[ev.Index] = ev.Code
	if ev.Step < ev.Steps && time.Since(g.last) < max(gridRepaint, gridIdle*g.lastCost) {
		return
	}
	start := time.Now()
	g.lc.ShowImage(g.picture())
	g.last = time.Now()
	g.lastCost = g.last.Sub(start)
	g.spent += g.lastCost
	g.decodes++
}

// picture decodes the codes known so far, fitted to the canvas, with the
// pixels the run keeps (keep).
func (g *gridPainter) picture() *image.NRGBA {
	img := g.fitted(g.tok.Decode(g.codes, g.rows, g.cols))
	if g.keep != nil {
		g.keep(img)
	}
	return img
}

// fitted is img at the canvas's size (fit), bilinear; img itself when it
// has that size or fit is not set.
func (g *gridPainter) fitted(img *image.NRGBA) *image.NRGBA {
	if g.fit == (image.Point{}) || img.Rect.Size() == g.fit {
		return img
	}
	r := resize.Resize(uint(g.fit.X), uint(g.fit.Y), img, resize.Bilinear)
	out := image.NewNRGBA(image.Rectangle{Max: g.fit})
	draw.Draw(out, out.Rect, r, r.Bounds().Min, draw.Src) // transparent pixels stay transparent
	return out
}
