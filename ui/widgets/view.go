package widgets

import (
	"math"

	"fyne.io/fyne/v2"
)

// Zoom limits of the canvas, as screen units per image pixel.
const (
	minZoom = 0.25
	maxZoom = 128
)

// view is the canvas's zoom and pan: zoom 0 fits the image to the widget
// (an integer scale when it is at least 1, so pixels stay square and
// crisp); offset moves the image from the centre.
type view struct {
	zoom   float32
	offset fyne.Position
}

// fitScale is the largest scale at which a w×h image fits in avail,
// floored to an integer when at least 1.
func fitScale(avail fyne.Size, w, h int) float32 {
	if w <= 0 || h <= 0 || avail.Width <= 0 || avail.Height <= 0 {
		return 1
	}
	s := float32(math.Min(float64(avail.Width)/float64(w), float64(avail.Height)/float64(h)))
	if s >= 1 {
		return float32(math.Floor(float64(s)))
	}
	return s
}

// scale is the number of screen units per image pixel.
func (v view) scale(avail fyne.Size, w, h int) float32 {
	if v.zoom <= 0 {
		return fitScale(avail, w, h)
	}
	return v.zoom
}

// rect is where a w×h image is drawn in a widget of size avail.
func (v view) rect(avail fyne.Size, w, h int) (fyne.Position, fyne.Size) {
	s := v.scale(avail, w, h)
	size := fyne.NewSize(float32(w)*s, float32(h)*s)
	if v.zoom <= 0 {
		return fyne.NewPos((avail.Width-size.Width)/2, (avail.Height-size.Height)/2), size
	}
	return fyne.NewPos((avail.Width-size.Width)/2+v.offset.X, (avail.Height-size.Height)/2+v.offset.Y), size
}

// toImage converts a widget position to image pixel coordinates.
func (v view) toImage(p fyne.Position, avail fyne.Size, w, h int) (x, y float64) {
	pos, size := v.rect(avail, w, h)
	s := float64(size.Width) / float64(max(w, 1))
	return float64(p.X-pos.X) / s, float64(p.Y-pos.Y) / s
}

// zoomAt returns v zoomed by factor, keeping the image point under p in
// place.
func (v view) zoomAt(factor float32, p fyne.Position, avail fyne.Size, w, h int) view {
	old := v.scale(avail, w, h)
	next := min(max(old*factor, minZoom), maxZoom)
	if next == old {
		return v
	}
	// keep the image point under p fixed: (p - pos) / scale is constant
	pos, _ := v.rect(avail, w, h)
	ix, iy := (p.X-pos.X)/old, (p.Y-pos.Y)/old
	nw, nh := float32(w)*next, float32(h)*next
	nx, ny := p.X-ix*next, p.Y-iy*next
	return view{zoom: next, offset: fyne.NewPos(nx-(avail.Width-nw)/2, ny-(avail.Height-nh)/2)}
}

// panned returns v moved by d (a fitted view becomes a fixed zoom first).
func (v view) panned(d fyne.Delta, avail fyne.Size, w, h int) view {
	if v.zoom <= 0 {
		v = view{zoom: v.scale(avail, w, h)}
	}
	v.offset = v.offset.Add(fyne.NewPos(d.DX, d.DY))
	return v
}
