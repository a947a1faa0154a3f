package widgets

import (
	"image/color"
	"math"
	"slices"

	"github.com/tessera-studio/tessera/engine/render"
)

// Colours of the canvas's per-patch layers.
// Temperatures the temperature brush paints: cooler (more typical) patches
// down to MinPaintTemperature, warmer (more varied) up to
// MaxPaintTemperature.
const (
	MinPaintTemperature = 0.3
	MaxPaintTemperature = 2.0
)

var (
	coolColor    = color.NRGBA{R: 40, G: 110, B: 255}
	warmColor    = color.NRGBA{R: 255, G: 60, B: 40}
	neutralColor = color.NRGBA{R: 255, G: 255, B: 255}
)

// mapAlpha is the opacity of the likelihood map over the image.
const mapAlpha = 200

// SetTemperature shows a temperature map (one entry per patch, 0 for the
// global temperature) as a translucent blue (cooler) / red (warmer) tint.
func (lc *LiveCanvas) SetTemperature(temps []float64) {
	n := lc.rows * lc.cols
	lc.temps = make([]float64, n)
	copy(lc.temps, temps)
	lc.stroke = nil
	lc.Refresh()
}

// Temperature returns the temperature map as shown (including a stroke in
// progress); it always has one entry per patch.
func (lc *LiveCanvas) Temperature() []float64 {
	return slices.Clone(lc.shownTemps())
}

// shownTemps is the temperature map to draw.
func (lc *LiveCanvas) shownTemps() []float64 {
	if lc.stroke != nil {
		return lc.stroke.temps
	}
	return lc.temps
}

// SetTemperatureValue sets the temperature ToolTemperature paints.
func (lc *LiveCanvas) SetTemperatureValue(t float64) {
	lc.tempValue = min(max(t, MinPaintTemperature), MaxPaintTemperature)
}

// TemperatureValue is the temperature ToolTemperature paints.
func (lc *LiveCanvas) TemperatureValue() float64 { return lc.tempValue }

// SetLikelihoodMap shows per-patch values (raster order) as a likelihood map over the
// image, coloured from lo (cold) to hi (hot); nil hides it.
func (lc *LiveCanvas) SetLikelihoodMap(values []float64, lo, hi float64) {
	lc.nll = slices.Clone(values)
	lc.nllLo, lc.nllHi = lo, hi
	lc.Refresh()
}

// WorstPatch is the index of the least likely patch of the map shown (the
// first of equals), and whether a map is shown.
func (lc *LiveCanvas) WorstPatch() (int, bool) {
	if len(lc.nll) == 0 {
		return 0, false
	}
	worst := 0
	for i, v := range lc.nll {
		if v > lc.nll[worst] {
			worst = i
		}
	}
	return worst, true
}

// LikelihoodMapValues are the values of the likelihood map shown (nil when hidden).
func (lc *LiveCanvas) LikelihoodMapValues() []float64 { return slices.Clone(lc.nll) }

// SetGlobalTemperature sets the temperature the tint compares painted ones
// with (blue: cooler than it, red: warmer).
func (lc *LiveCanvas) SetGlobalTemperature(t float64) {
	if t > 0 && t != lc.globalTemp {
		lc.globalTemp = t
		lc.Refresh()
	}
}

// paintLayers fills the per-patch overlay (temperature tint under the mask
// colour; nothing while the overlays are hidden) and the likelihood map image.
func (lc *LiveCanvas) paintLayers() {
	mask, temps := lc.shownMask(), lc.shownTemps()
	if !lc.OverlaysShown() {
		mask, temps = nil, nil
	}
	pix := lc.overlay.Pix
	for i := 0; i < len(pix)/4; i++ {
		c := color.NRGBA{}
		if i < len(temps) {
			c = tempColor(temps[i], lc.globalTemp)
		}
		if i < len(mask) && mask[i] {
			c = over(lc.maskColor, c)
		}
		pix[4*i], pix[4*i+1], pix[4*i+2], pix[4*i+3] = c.R, c.G, c.B, c.A
	}
	hp := lc.mapPix.Pix
	for i := 0; i < len(hp)/4; i++ {
		c := color.NRGBA{}
		if i < len(lc.nll) {
			c = NLLColor(lc.nll[i], lc.nllLo, lc.nllHi)
		}
		hp[4*i], hp[4*i+1], hp[4*i+2], hp[4*i+3] = c.R, c.G, c.B, c.A
	}
}

// tempColor is the tint of a patch painted with temperature t against the
// global temperature g: blue below it, red above, stronger further from it;
// none for 0 (the patch uses g).
func tempColor(t, g float64) color.NRGBA {
	if t <= 0 {
		return color.NRGBA{}
	}
	if g <= 0 {
		g = 1
	}
	f := math.Min(1, math.Abs(math.Log(t/g))/math.Log(1/MinPaintTemperature))
	c := neutralColor
	switch {
	case t < g:
		c = coolColor
	case t > g:
		c = warmColor
	}
	c.A = uint8(60 + 110*f)
	return c
}

// NLLColor is the colour of value v on the likelihood map ramp from lo to hi.
func NLLColor(v, lo, hi float64) color.NRGBA {
	t := 0.0
	if hi > lo {
		t = (v - lo) / (hi - lo)
	}
	c := render.Ramp(t)
	c.A = mapAlpha
	return c
}

// over composites a over b (non-premultiplied colours).
func over(a, b color.NRGBA) color.NRGBA {
	if b.A == 0 || a.A == 255 {
		return a
	}
	aa, ba := float64(a.A)/255, float64(b.A)/255
	oa := aa + ba*(1-aa)
	mix := func(x, y uint8) uint8 {
		return uint8(math.Round((float64(x)*aa + float64(y)*ba*(1-aa)) / oa))
	}
	return color.NRGBA{R: mix(a.R, b.R), G: mix(a.G, b.G), B: mix(a.B, b.B), A: uint8(math.Round(oa * 255))}
}
