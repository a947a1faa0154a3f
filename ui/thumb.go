package ui

import (
	"image"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// thumbSize is the side of a thumbnail's picture.
const thumbSize = 64

// Thumb is a small picture with a caption that can be tapped (a candidate
// or a history entry).
type Thumb struct {
	widget.BaseWidget
	Image    image.Image
	Caption  string
	Selected bool
	// OnTapped is called when the thumbnail is tapped.
	OnTapped func()
}

// NewThumb returns a thumbnail of img.
func NewThumb(img image.Image, caption string, tapped func()) *Thumb {
	t := &Thumb{Image: img, Caption: caption, OnTapped: tapped}
	t.ExtendBaseWidget(t)
	return t
}

// Tapped calls OnTapped.
func (t *Thumb) Tapped(*fyne.PointEvent) {
	if t.OnTapped != nil {
		t.OnTapped()
	}
}

// SetSelected highlights the thumbnail.
func (t *Thumb) SetSelected(on bool) {
	t.Selected = on
	t.Refresh()
}

// CreateRenderer builds the thumbnail's renderer.
func (t *Thumb) CreateRenderer() fyne.WidgetRenderer {
	r := &thumbRenderer{t: t, frame: canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))}
	r.frame.CornerRadius = 4
	r.pic = canvas.NewImageFromImage(t.Image)
	r.pic.ScaleMode = canvas.ImageScalePixels
	r.pic.FillMode = canvas.ImageFillContain
	r.cap = canvas.NewText(t.Caption, theme.Color(theme.ColorNameForeground))
	r.cap.TextSize = theme.CaptionTextSize()
	r.cap.Alignment = fyne.TextAlignCenter
	r.update()
	return r
}

// thumbRenderer draws a Thumb.
type thumbRenderer struct {
	t     *Thumb
	frame *canvas.Rectangle
	pic   *canvas.Image
	cap   *canvas.Text
}

// update copies the thumbnail's state into the drawing objects.
func (r *thumbRenderer) update() {
	r.pic.Image = r.t.Image
	r.cap.Text = r.t.Caption
	r.cap.Color = theme.Color(theme.ColorNameForeground)
	r.frame.StrokeWidth = 0
	r.frame.FillColor = theme.Color(theme.ColorNameInputBackground)
	if r.t.Selected {
		r.frame.StrokeWidth = 2
		r.frame.StrokeColor = theme.Color(theme.ColorNamePrimary)
	}
}

// Destroy is part of fyne.WidgetRenderer.
func (r *thumbRenderer) Destroy() {}

// Layout puts the caption under the picture.
func (r *thumbRenderer) Layout(size fyne.Size) {
	r.frame.Resize(size)
	pad := float32(3)
	capH := r.cap.MinSize().Height
	r.pic.Move(fyne.NewPos(pad, pad))
	r.pic.Resize(fyne.NewSize(size.Width-2*pad, size.Height-2*pad-capH))
	r.cap.Move(fyne.NewPos(0, size.Height-capH-pad/2))
	r.cap.Resize(fyne.NewSize(size.Width, capH))
}

// MinSize fits a thumbnail and its caption.
func (r *thumbRenderer) MinSize() fyne.Size {
	return fyne.NewSize(thumbSize+6, thumbSize+6+r.cap.MinSize().Height)
}

// Objects lists what is drawn, back to front.
func (r *thumbRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.frame, r.pic, r.cap}
}

// Refresh redraws from the thumbnail's state.
func (r *thumbRenderer) Refresh() {
	r.update()
	r.Layout(r.t.Size())
	canvas.Refresh(r.t)
}

// thumbStrip is a horizontally scrolling row of thumbnails.
type thumbStrip struct {
	box    *fyne.Container
	scroll *container.Scroll
	thumbs []*Thumb
}

// newThumbStrip returns an empty strip.
func newThumbStrip() *thumbStrip {
	s := &thumbStrip{box: container.NewHBox()}
	s.scroll = container.NewHScroll(s.box)
	return s
}

// set replaces the thumbnails.
func (s *thumbStrip) set(thumbs []*Thumb) {
	s.thumbs = thumbs
	objs := make([]fyne.CanvasObject, len(thumbs))
	for i, t := range thumbs {
		objs[i] = t
	}
	s.box.Objects = objs
	s.box.Refresh()
	s.scroll.ScrollToOffset(fyne.NewPos(0, 0))
}

// prepend adds thumbnails at the start, keeping at most limit.
func (s *thumbStrip) prepend(limit int, thumbs ...*Thumb) {
	all := append(append([]*Thumb(nil), thumbs...), s.thumbs...)
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	s.set(all)
}

// selectIndex highlights thumbnail i only.
func (s *thumbStrip) selectIndex(i int) {
	for j, t := range s.thumbs {
		t.SetSelected(i == j)
	}
}
