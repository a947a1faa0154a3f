package widgets

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/engine/train"
	"github.com/tessera-studio/tessera/internal/plural"
)

// Colours of the loss curve (matplotlib's first two, as in loss.png).
var (
	trainColor = color.NRGBA{R: 31, G: 119, B: 180, A: 255}
	valColor   = color.NRGBA{R: 214, G: 39, B: 40, A: 255}
	gridColor  = color.NRGBA{R: 128, G: 128, B: 128, A: 60}
)

// LossCurve draws a run's loss in bits per token against the step: the
// training loss of every step as a moving average (blue) and the
// validation passes as joined dots (red), on axes fitted to the run. Use
// it on the UI goroutine.
type LossCurve struct {
	widget.BaseWidget
	train []float32        // training loss of step i+1, bits per token
	val   []train.ValPoint // validation passes
	total int              // schedule length in steps (0: unknown)
}

// NewLossCurve returns an empty curve.
func NewLossCurve() *LossCurve {
	c := &LossCurve{}
	c.ExtendBaseWidget(c)
	return c
}

// Set replaces the curve: trainBits per step, the validation passes and
// the schedule length.
func (c *LossCurve) Set(trainBits []float32, val []train.ValPoint, total int) {
	c.train = append([]float32(nil), trainBits...)
	c.val = append([]train.ValPoint(nil), val...)
	c.total = total
	c.Refresh()
}

// AddSteps appends the training losses of the steps that follow the
// ones shown, the last of which is step last (earlier losses are kept;
// a gap is filled with the first new value).
func (c *LossCurve) AddSteps(bits []float32, last, total int) {
	first := last - len(bits) + 1
	for len(c.train) < first-1 && len(bits) > 0 {
		c.train = append(c.train, bits[0])
	}
	if first-1 < len(c.train) {
		c.train = c.train[:max(first-1, 0)]
	}
	c.train = append(c.train, bits...)
	c.total = total
	c.Refresh()
}

// AddVal appends a validation pass.
func (c *LossCurve) AddVal(p train.ValPoint) {
	c.val = append(c.val, p)
	c.Refresh()
}

// Counts is how many training steps and validation passes the curve shows.
func (c *LossCurve) Counts() (steps, vals int) { return len(c.train), len(c.val) }

// smoothed is the training loss as a moving average over a window that
// grows with the run (1% of it), as loss.png draws it.
func (c *LossCurve) smoothed() []float64 {
	win := max(1, len(c.train)/100)
	out := make([]float64, len(c.train))
	var s float64
	for i, v := range c.train {
		s += float64(v)
		if i >= win {
			s -= float64(c.train[i-win])
		}
		out[i] = s / float64(min(i+1, win))
	}
	return out
}

// zoomSteps is how far ahead of the steps done the x axis reaches at
// most, so that the curve drawn so far fills at least a quarter of the
// plot: early in a run, and all through a schedule of days (a budget of
// 99,999 minutes), which would squeeze it into the first pixels. The axis
// grows with the run and reaches the schedule's end at a quarter of it.
const zoomSteps = 4

// ranges are the axes: steps from 0 to xHi (the schedule's length, or
// zoomSteps times the steps done when that is less), bits from yLo to
// yHi. The first 2% of the steps (the steep start) do not stretch the y
// axis.
func (c *LossCurve) ranges(sm []float64) (xHi int, yLo, yHi float64, ok bool) {
	done := len(c.train)
	for _, p := range c.val {
		done = max(done, p.Step)
	}
	xHi = max(c.total, done)
	if done > 0 {
		xHi = min(xHi, zoomSteps*done)
	}
	if xHi == 0 && len(c.val) > 0 {
		xHi = 1 // a fine-tune's pass before its first step, the length not yet known
	}
	yLo, yHi = math.Inf(1), math.Inf(-1)
	skip := len(sm) / 50
	for i, v := range sm {
		if i >= skip && !math.IsNaN(v) {
			yLo, yHi = math.Min(yLo, v), math.Max(yHi, v)
		}
	}
	for _, p := range c.val {
		if !math.IsNaN(p.Bits) {
			yLo, yHi = math.Min(yLo, p.Bits), math.Max(yHi, p.Bits)
		}
	}
	if math.IsInf(yLo, 0) || xHi == 0 {
		return 0, 0, 0, false
	}
	if yHi-yLo < 1e-3 {
		yLo, yHi = yLo-0.5, yHi+0.5
	}
	pad := (yHi - yLo) * 0.06
	return xHi, math.Max(0, yLo-pad), yHi + pad, true
}

// CreateRenderer is part of fyne.Widget.
func (c *LossCurve) CreateRenderer() fyne.WidgetRenderer {
	r := &lossCurveRenderer{c: c}
	r.plot = canvas.NewRaster(r.draw)
	r.frame = canvas.NewRectangle(color.Transparent)
	r.frame.StrokeColor, r.frame.StrokeWidth = gridColor, 1
	mk := func(text string, col color.Color, align fyne.TextAlign) *canvas.Text {
		t := canvas.NewText(text, col)
		t.TextSize, t.Alignment = theme.CaptionTextSize(), align
		return t
	}
	fg := theme.Color(theme.ColorNameForeground)
	r.title = mk("Loss, bits per token", fg, fyne.TextAlignLeading)
	r.title.TextStyle.Bold = true
	r.legendT = mk("— train", trainColor, fyne.TextAlignTrailing)
	r.legendV = mk("●— validation", valColor, fyne.TextAlignTrailing)
	r.yHi, r.yLo = mk("", fg, fyne.TextAlignTrailing), mk("", fg, fyne.TextAlignTrailing)
	r.x0, r.xHi = mk("0", fg, fyne.TextAlignLeading), mk("", fg, fyne.TextAlignTrailing)
	r.xName = mk("step", fg, fyne.TextAlignCenter)
	r.empty = mk(emptyCurveText, theme.Color(theme.ColorNamePlaceHolder), fyne.TextAlignCenter)
	r.empty.TextSize = theme.TextSize()
	r.empty2 = mk("", theme.Color(theme.ColorNamePlaceHolder), fyne.TextAlignCenter)
	r.empty2.TextSize = theme.TextSize()
	r.objs = []fyne.CanvasObject{r.frame, r.plot, r.title, r.legendT, r.legendV, r.yHi, r.yLo, r.x0, r.xHi, r.xName, r.empty, r.empty2}
	r.Refresh()
	return r
}

type lossCurveRenderer struct {
	c                                                 *LossCurve
	plot                                              *canvas.Raster
	frame                                             *canvas.Rectangle
	title, legendT, legendV, yHi, yLo, x0, xHi, xName *canvas.Text
	empty, empty2                                     *canvas.Text // what stands in for the curve: one line, or two in a narrow plot
	objs                                              []fyne.CanvasObject
	size                                              fyne.Size
	// xHiFull and xNameFull are the axis end's label and the axis name in
	// full (xHi and xName show them cut to fit).
	xHiFull, xNameFull string
}

// Margins around the plot area, in Fyne units.
const (
	curveLeft   = 44
	curveTop    = 24
	curveBottom = 20
	curveRight  = 8
)

func (r *lossCurveRenderer) Layout(size fyne.Size) {
	r.size = size
	pw, ph := max(size.Width-curveLeft-curveRight, 1), max(size.Height-curveTop-curveBottom, 1)
	r.plot.Move(fyne.NewPos(curveLeft, curveTop))
	r.plot.Resize(fyne.NewSize(pw, ph))
	r.frame.Move(fyne.NewPos(curveLeft, curveTop))
	r.frame.Resize(fyne.NewSize(pw, ph))
	th := r.title.MinSize().Height
	r.title.Move(fyne.NewPos(0, 0))
	r.title.Resize(fyne.NewSize(size.Width/2, th))
	lw := r.legendV.MinSize().Width
	r.legendV.Move(fyne.NewPos(size.Width-curveRight-lw, 0))
	r.legendV.Resize(fyne.NewSize(lw, th))
	tw := r.legendT.MinSize().Width
	r.legendT.Move(fyne.NewPos(size.Width-curveRight-lw-tw-12, 0))
	r.legendT.Resize(fyne.NewSize(tw, th))
	r.yHi.Move(fyne.NewPos(0, curveTop-th/2))
	r.yHi.Resize(fyne.NewSize(curveLeft-4, th))
	r.yLo.Move(fyne.NewPos(0, curveTop+ph-th/2))
	r.yLo.Resize(fyne.NewSize(curveLeft-4, th))
	r.x0.Move(fyne.NewPos(curveLeft, curveTop+ph+2))
	r.x0.Resize(fyne.NewSize(pw/3, th))
	r.xHi.Move(fyne.NewPos(curveLeft+pw/3, curveTop+ph+2))
	r.xHi.Resize(fyne.NewSize(pw*2/3, th)) // right-aligned: a long one takes the middle
	r.xName.Move(fyne.NewPos(curveLeft+pw/3, curveTop+ph+2))
	r.xName.Resize(fyne.NewSize(pw/3, th))
	r.fitXLabels()
	// canvas.Text does not wrap: in a plot narrower than the sentence it
	// ran over the frame and the divider, so it breaks in two lines.
	r.empty.Text, r.empty2.Text = emptyCurveText, ""
	if fyne.MeasureText(emptyCurveText, r.empty.TextSize, r.empty.TextStyle).Width > pw {
		r.empty.Text, r.empty2.Text = emptyCurveLines[0], emptyCurveLines[1]
	}
	eh := r.empty.MinSize().Height
	r.empty.Move(fyne.NewPos(curveLeft, curveTop+ph/2-eh))
	r.empty.Resize(fyne.NewSize(pw, eh))
	r.empty2.Move(fyne.NewPos(curveLeft, curveTop+ph/2))
	r.empty2.Resize(fyne.NewSize(pw, eh))
}

// emptyCurveLines stand in for the curve before training: on two lines in
// a narrow plot, else as one (emptyCurveText).
var (
	emptyCurveLines = [2]string{"The loss curve appears here", "when training starts"}
	emptyCurveText  = emptyCurveLines[0] + " " + emptyCurveLines[1]
)

func (r *lossCurveRenderer) MinSize() fyne.Size {
	return fyne.NewSize(curveLeft+curveRight+200, curveTop+curveBottom+120)
}

func (r *lossCurveRenderer) Refresh() {
	c := r.c
	xHi, yLo, yHi, ok := c.ranges(c.smoothed())
	if ok {
		r.yHi.Text, r.yLo.Text = fmt.Sprintf("%.2f", yHi), fmt.Sprintf("%.2f", yLo)
		// The axis's end, not the step reached; zoomed in on the steps
		// done, the axis name says the schedule's length ("1,240" beside
		// "(schedule: 1,241)" read as a contradiction).
		r.xHiFull, r.xNameFull = plural.Thousands(xHi), "step"
		if c.total > xHi {
			r.xNameFull = "step (of " + plural.Thousands(c.total) + ")"
		}
		r.empty.Hide()
		r.empty2.Hide()
		r.x0.Show()
		r.xName.Show()
	} else {
		r.yHi.Text, r.yLo.Text, r.xHiFull = "", "", ""
		r.empty.Show()
		r.empty2.Show()
		r.x0.Hide()
		r.xName.Hide()
	}
	fg := theme.Color(theme.ColorNameForeground)
	for _, t := range []*canvas.Text{r.title, r.yHi, r.yLo, r.x0, r.xHi, r.xName} {
		t.Color = fg
	}
	r.empty.Color = theme.Color(theme.ColorNamePlaceHolder)
	r.empty2.Color = r.empty.Color
	r.fitXLabels()
	for _, o := range r.objs {
		o.Refresh()
	}
}

// fitXLabels keeps the x axis's labels apart in a narrow plot (they read
// "step392 (schedule: 9…"): the axis name gives up its schedule note, then
// its place, where it would reach the axis end's label.
func (r *lossCurveRenderer) fitXLabels() {
	r.xHi.Text, r.xName.Text = r.xHiFull, r.xNameFull // a wider plot gets them back whole
	if r.xHi.Text == "" {
		return
	}
	pw := max(r.size.Width-curveLeft-curveRight, 1)
	width := func(s string) float32 { return fyne.MeasureText(s, r.xHi.TextSize, r.xHi.TextStyle).Width }
	// The name is centred in the middle third; the end's label ends at the
	// right edge.
	room := func(name string) bool { return pw/2+width(name)/2+4 <= pw-width(r.xHi.Text) }
	if !room(r.xName.Text) {
		r.xName.Text = "step"
	}
	r.xName.Hidden = !room(r.xName.Text) || !r.x0.Visible()
}

func (r *lossCurveRenderer) Objects() []fyne.CanvasObject { return r.objs }

func (r *lossCurveRenderer) Destroy() {}

// draw paints the plot area, w×h pixels: grid lines, the training curve
// and the validation points.
func (r *lossCurveRenderer) draw(w, h int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, max(w, 1), max(h, 1)))
	c := r.c
	sm := c.smoothed()
	xHi, yLo, yHi, ok := c.ranges(sm)
	if !ok || w < 2 || h < 2 {
		return img
	}
	for i := 1; i < 4; i++ {
		y := h * i / 4
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, gridColor)
		}
	}
	thick := max(1, float64(w)/600)
	// The curve keeps a validation dot's radius from the edges: a dot at
	// the last step or the lowest loss was cut in half.
	m := math.Min(math.Ceil(2.5*thick), float64(min(w, h))/4)
	px := func(step float64) float64 { return m + step/float64(xHi)*(float64(w-1)-2*m) }
	py := func(bits float64) float64 { return m + (yHi-bits)/(yHi-yLo)*(float64(h-1)-2*m) }
	// One point per pixel column at most: the mean of the steps in it.
	var pts [][2]float64
	for i := 0; i < len(sm); {
		col := math.Floor(px(float64(i + 1)))
		var s float64
		n := 0
		j := i
		for ; j < len(sm) && math.Floor(px(float64(j+1))) == col; j++ {
			s += sm[j]
			n++
		}
		pts = append(pts, [2]float64{px(float64(i+j+1) / 2), py(s / float64(n))})
		i = j
	}
	polyline(img, pts, trainColor, thick)
	pts = pts[:0]
	for _, p := range c.val {
		pts = append(pts, [2]float64{px(float64(p.Step)), py(p.Bits)})
	}
	polyline(img, pts, valColor, thick)
	for _, p := range pts {
		disc(img, p[0], p[1], 2.5*thick, valColor)
	}
	return img
}

// polyline joins pts with lines of the given thickness, in pixels.
func polyline(img *image.NRGBA, pts [][2]float64, col color.NRGBA, thick float64) {
	for i := range pts {
		if i == 0 {
			disc(img, pts[0][0], pts[0][1], thick/2+0.5, col)
			continue
		}
		a, b := pts[i-1], pts[i]
		n := int(math.Ceil(math.Max(math.Abs(b[0]-a[0]), math.Abs(b[1]-a[1])))) + 1
		for k := 0; k <= n; k++ {
			t := float64(k) / float64(n)
			disc(img, a[0]+(b[0]-a[0])*t, a[1]+(b[1]-a[1])*t, thick/2+0.5, col)
		}
	}
}

// disc paints a filled circle of radius rad pixels at (x, y), clipped.
func disc(img *image.NRGBA, x, y, rad float64, col color.NRGBA) {
	b := img.Bounds()
	for yy := int(math.Floor(y - rad)); yy <= int(math.Ceil(y+rad)); yy++ {
		for xx := int(math.Floor(x - rad)); xx <= int(math.Ceil(x+rad)); xx++ {
			dx, dy := float64(xx)-x, float64(yy)-y
			if dx*dx+dy*dy <= rad*rad && image.Pt(xx, yy).In(b) {
				img.SetNRGBA(xx, yy, col)
			}
		}
	}
}

// Total is the schedule's length in steps (0: unknown).
func (c *LossCurve) Total() int { return c.total }
