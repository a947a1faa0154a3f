package render

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// LikelihoodSheet is the likelihood map as a picture that says what it
// shows: the picture (pic, rows×cols patches of p pixels) beside itself
// tinted patch by patch by its −log p (values: nats, raster order; the
// colours of NLLMap, top its scale's end), and under them the colour scale
// in bits and caption (the model and prompt, say). The patch the model
// found least likely is framed. A bare grid of colours, solid navy for a
// confident picture, said nothing without the PNG's comment.
func LikelihoodSheet(pic *image.NRGBA, values []float64, rows, cols, p int, top float64, caption string) *image.NRGBA {
	tint := NLLMap(values, rows, cols, p, top)
	w, h := tint.Rect.Dx(), tint.Rect.Dy()
	scaled := image.NewNRGBA(tint.Rect)
	if pic != nil && pic.Rect.Dx() > 0 && pic.Rect.Dy() > 0 {
		for y := range h {
			for x := range w {
				scaled.SetNRGBA(x, y, pic.NRGBAAt(pic.Rect.Min.X+x*pic.Rect.Dx()/w, pic.Rect.Min.Y+y*pic.Rect.Dy()/h))
			}
		}
	}
	// The tint over the picture, so that what is surprising is seen where
	// it is: 60% colour, 40% the picture's grey.
	over := image.NewNRGBA(tint.Rect)
	for i := 0; i < len(over.Pix); i += 4 {
		s := scaled.Pix[i : i+4]
		a := float64(s[3]) / 255
		grey := (0.299*float64(s[0])+0.587*float64(s[1])+0.114*float64(s[2]))*a + 255*(1-a)
		for c := range 3 {
			over.Pix[i+c] = uint8(0.6*float64(tint.Pix[i+c]) + 0.4*grey)
		}
		over.Pix[i+3] = 255
	}
	worst := 0
	for i, v := range values {
		if i < rows*cols && v > values[worst] {
			worst = i
		}
	}
	if side := w / max(cols, 1); len(values) > 0 && side > 2 {
		r := image.Rect(worst%cols*side, worst/cols*side, (worst%cols+1)*side, (worst/cols+1)*side)
		frame(over, r, color.NRGBA{R: 255, G: 60, B: 60, A: 255})
	}

	face := labelFace()
	m := face.Metrics()
	line := m.Height.Ceil()
	const gap, barH = 8, 12
	out := image.NewNRGBA(image.Rect(0, 0, 2*w+3*gap, h+2*gap+barH+4*line+gap))
	draw.Draw(out, out.Rect, image.White, image.Point{}, draw.Src)
	draw.Draw(out, image.Rect(gap, gap, gap+w, gap+h), scaled, image.Point{}, draw.Over)
	draw.Draw(out, image.Rect(2*gap+w, gap, 2*gap+2*w, gap+h), over, image.Point{}, draw.Src)
	// The scale: the ramp from 0 to top, in bits as the studio says them.
	y := 2*gap + h
	for x := range 2*w + gap {
		c := Ramp(float64(x) / float64(2*w+gap-1))
		for dy := range barH {
			out.SetNRGBA(gap+x, y+dy, c)
		}
	}
	ink := image.NewUniform(color.NRGBA{R: 0x30, G: 0x30, B: 0x30, A: 0xff})
	d := &font.Drawer{Dst: out, Src: ink, Face: face}
	say := func(s string, x, baseline int) {
		d.Dot = fixed.P(x, baseline)
		d.DrawString(cut(face, s, out.Rect.Dx()-x-gap))
	}
	base := y + barH + m.Ascent.Ceil() + 2
	say("0 bits", gap, base)
	end := fmt.Sprintf("%.1f bits or more", top/math.Ln2)
	say(end, out.Rect.Dx()-gap-font.MeasureString(face, end).Ceil(), base)
	var sum float64
	for _, v := range values {
		sum += v
	}
	if n := len(values); n > 0 {
		say(fmt.Sprintf("mean %.2f bits/patch; least likely: row %d, col %d, %.1f bits (framed)",
			sum/float64(n)/math.Ln2, worst/cols+1, worst%cols+1, values[worst]/math.Ln2), gap, base+line)
	}
	say(caption, gap, base+2*line)
	return out
}

// frame draws a 2-pixel border of c just inside r.
func frame(img *image.NRGBA, r image.Rectangle, c color.NRGBA) {
	for x := r.Min.X; x < r.Max.X; x++ {
		for _, y := range []int{r.Min.Y, r.Min.Y + 1, r.Max.Y - 2, r.Max.Y - 1} {
			img.SetNRGBA(x, y, c)
		}
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for _, x := range []int{r.Min.X, r.Min.X + 1, r.Max.X - 2, r.Max.X - 1} {
			img.SetNRGBA(x, y, c)
		}
	}
}
