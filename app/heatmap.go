package app

import (
	"image"
	"image/color"
	"math"
)

// HeatMap draws per-patch values (raster order, rows×cols) as a picture with
// p×p pixels a patch, scaled to at least 256 pixels wide, from dark blue (0)
// through green to yellow (the largest value): the "inferno"-like ramp
// people read as cold to hot.
func HeatMap(values []float64, rows, cols, p int) *image.NRGBA {
	scale := max(1, 256/max(cols*p, 1))
	side := p * scale
	img := image.NewNRGBA(image.Rect(0, 0, cols*side, rows*side))
	top := 0.0
	for _, v := range values {
		top = math.Max(top, v)
	}
	for i, v := range values {
		if i >= rows*cols {
			break
		}
		t := 0.0
		if top > 0 {
			t = v / top
		}
		c := Ramp(t)
		r, col := i/cols, i%cols
		for y := r * side; y < (r+1)*side; y++ {
			for x := col * side; x < (col+1)*side; x++ {
				img.SetNRGBA(x, y, c)
			}
		}
	}
	return img
}

// Ramp maps t in [0,1] to a colour from dark blue through green to yellow.
func Ramp(t float64) color.NRGBA {
	t = math.Max(0, math.Min(1, t))
	stops := []color.NRGBA{{20, 12, 80, 255}, {40, 110, 150, 255}, {60, 180, 100, 255}, {250, 230, 40, 255}}
	f := t * float64(len(stops)-1)
	i := min(int(f), len(stops)-2)
	u := f - float64(i)
	a, b := stops[i], stops[i+1]
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + u*(float64(y)-float64(x)))) }
	return color.NRGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 255}
}
