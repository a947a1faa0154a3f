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
	Image   image.Image
	Caption string
	// Note is a second, highlighted line under the caption ("" for none),
	// e.g. where a branch comes from.
	Note     string
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
	r.note = canvas.NewText(t.Note, theme.Color(theme.ColorNamePrimary))
	r.note.TextSize = theme.CaptionTextSize()
	r.note.Alignment = fyne.TextAlignCenter
	r.update()
	return r
}

// thumbRenderer draws a Thumb.
type thumbRenderer struct {
	t     *Thumb
	frame *canvas.Rectangle
	pic   *canvas.Image
	cap   *canvas.Text
	note  *canvas.Text
}

// update copies the thumbnail's state into the drawing objects.
func (r *thumbRenderer) update() {
	r.pic.Image = r.t.Image
	r.cap.Text = r.t.Caption
	r.cap.Color = theme.Color(theme.ColorNameForeground)
	r.note.Text = r.t.Note
	r.note.Hidden = r.t.Note == ""
	r.note.Color = theme.Color(theme.ColorNamePrimary)
	r.frame.StrokeWidth = 0
	r.frame.FillColor = theme.Color(theme.ColorNameInputBackground)
	if r.t.Selected {
		r.frame.StrokeWidth = 2
		r.frame.StrokeColor = theme.Color(theme.ColorNamePrimary)
	}
}

// Destroy is part of fyne.WidgetRenderer.
func (r *thumbRenderer) Destroy() {}

// noteHeight is the height of the note line (0 when there is none).
func (r *thumbRenderer) noteHeight() float32 {
	if r.t.Note == "" {
		return 0
	}
	return r.note.MinSize().Height
}

// Layout puts the caption, then the note, under the picture.
func (r *thumbRenderer) Layout(size fyne.Size) {
	r.frame.Resize(size)
	pad := float32(3)
	capH, noteH := r.cap.MinSize().Height, r.noteHeight()
	r.pic.Move(fyne.NewPos(pad, pad))
	r.pic.Resize(fyne.NewSize(size.Width-2*pad, size.Height-2*pad-capH-noteH))
	r.cap.Move(fyne.NewPos(0, size.Height-capH-noteH-pad/2))
	r.cap.Resize(fyne.NewSize(size.Width, capH))
	r.note.Move(fyne.NewPos(0, size.Height-noteH-pad/2))
	r.note.Resize(fyne.NewSize(size.Width, noteH))
}

// MinSize fits a thumbnail, its caption and its note.
func (r *thumbRenderer) MinSize() fyne.Size {
	w := float32(thumbSize + 6)
	if r.t.Note != "" {
		w = max(w, r.note.MinSize().Width+6)
	}
	return fyne.NewSize(w, thumbSize+6+r.cap.MinSize().Height+r.noteHeight())
}

// Objects lists what is drawn, back to front.
func (r *thumbRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.frame, r.pic, r.cap, r.note}
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
