package widgets

import (
	"fmt"
	"image"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/engine/render"
)

// LikelihoodLegend explains the likelihood map under the canvas, in bits:
// the colour ramp from 0 to the model's blind-guess surprise, the image's
// mean bits per patch, its worst patch and the prompt it was scored under;
// or why there is no map.
type LikelihoodLegend struct {
	title, lo, hi *widget.Label
	bits          *TipLabel // cut at the line's end: its tooltip has it whole
	ramp          *canvas.Image
	box           *fyne.Container
	on            bool // the legend says something (see Text)
}

// legendOff is what the legend's line says while the map is off; the line
// keeps its place so nothing under the canvas moves when the map comes.
const legendOff = "Likelihood map off — Ctrl+L tints each patch by how surprising the model finds it"

// NewLikelihoodLegend builds the (hidden) legend.
func NewLikelihoodLegend() *LikelihoodLegend {
	pix := image.NewNRGBA(image.Rect(0, 0, 64, 1))
	for x := 0; x < 64; x++ {
		pix.SetNRGBA(x, 0, render.Ramp(float64(x)/63))
	}
	l := &LikelihoodLegend{
		title: widget.NewLabel("Surprise"),
		lo:    widget.NewLabel(""), hi: widget.NewLabel(""), bits: NewTipLabel(""),
		ramp: canvas.NewImageFromImage(pix),
	}
	l.ramp.FillMode = canvas.ImageFillStretch
	l.ramp.ScaleMode = canvas.ImageScaleSmooth
	l.ramp.SetMinSize(fyne.NewSize(120, 14))
	l.box = container.NewBorder(nil, nil, container.NewHBox(l.title, l.lo, container.NewCenter(l.ramp), l.hi), nil, l.bits)
	l.Hide()
	return l
}

// Show fills the legend for a map coloured from 0 to top nats (its scale,
// the same for every image of a model), whose most surprising patch is
// worst nats, bits per patch in all, scored under prompt ("": none). It
// reads in bits throughout (a scale in nats beside a mean in bits read
// 5.1 bits as near a guess of 6.93 nats, which is 10 bits).
func (l *LikelihoodLegend) Show(top, worst, bits float64, prompt string) {
	l.lo.SetText("0")
	l.hi.SetText(fmt.Sprintf("%.3g bits = guess", top/math.Ln2))
	under := "without a prompt"
	if prompt != "" {
		under = fmt.Sprintf("under %q", prompt)
	}
	// The figures first, the prompt last: a long one is cut, not them.
	// −log p is never below 0; rounding can leave −1e-9, shown "-0.00".
	l.bits.SetText(fmt.Sprintf("· %.3f bits/patch, worst %.2f bits (framed), %s", bits, max(worst, 0)/math.Ln2, under))
	l.title.Show()
	l.lo.Show()
	l.ramp.Show()
	l.hi.Show()
	l.on = true
}

// SetMessage shows text instead of the ramp (scoring, or why there is no map).
func (l *LikelihoodLegend) SetMessage(text string) {
	l.title.Show()
	l.lo.Hide()
	l.ramp.Hide()
	l.hi.Hide()
	l.bits.SetText(text)
	l.on = true
}

// Hide says the map is off (the line keeps its place).
func (l *LikelihoodLegend) Hide() {
	l.title.Hide()
	l.lo.Hide()
	l.ramp.Hide()
	l.hi.Hide()
	l.bits.SetText(legendOff)
	l.on = false
}

// Text is what the legend says about the map (empty while it is off).
func (l *LikelihoodLegend) Text() string {
	if !l.on {
		return ""
	}
	if !l.lo.Visible() {
		return l.bits.Text
	}
	return fmt.Sprintf("%s %s … %s %s", l.title.Text, l.lo.Text, l.hi.Text, l.bits.Text)
}

// Object is the legend's row, to lay out.
func (l *LikelihoodLegend) Object() fyne.CanvasObject { return l.box }
