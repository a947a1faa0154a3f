package widgets

import (
	"image"
	"image/color"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
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
	Note string
	// NoteLong, when set, is Note said in full ("seed 7" for "7"), shown
	// in its place when it fits the thumbnail's width.
	NoteLong string
	Selected bool
	// OnTapped is called when the thumbnail is tapped.
	OnTapped func()
	// Tip is the tooltip shown when the pointer rests on the thumbnail.
	Tip string
	// OnSecondary, when set, is called with the absolute position of a
	// right click (a context menu), or of the thumbnail's middle for
	// Shift+F10 while it has the focus.
	OnSecondary func(pos fyne.Position)

	strip   *ThumbStrip // the strip it is in (nil: none)
	focused bool
	shift   bool // a Shift key is held (KeyDown, KeyUp)
}

// Interfaces a Thumb implements.
var (
	_ fyne.SecondaryTappable = (*Thumb)(nil)
	_ desktop.Hoverable      = (*Thumb)(nil)
	_ fyne.Focusable         = (*Thumb)(nil)
	_ fyne.Disableable       = (*Thumb)(nil)
	_ desktop.Keyable        = (*Thumb)(nil)
)

// Disabled is false only for the thumbnail of its strip that the keyboard
// reaches (ThumbStrip): a strip is one Tab stop, its thumbnails reached
// with the arrow keys within it, as in a toolbar, where a history of forty
// pictures was forty stops (or, as before, none: the history could not be
// reopened without a mouse). A click works on every thumbnail.
func (t *Thumb) Disabled() bool { return t.strip == nil || t.strip.rove != t }

// Enable does nothing: which thumbnail is a Tab stop is the strip's.
func (t *Thumb) Enable() {}

// Disable does nothing: which thumbnail is a Tab stop is the strip's.
func (t *Thumb) Disable() {}

// FocusGained shows the focus and scrolls the strip to the thumbnail.
func (t *Thumb) FocusGained() {
	t.focused = true
	if t.strip != nil {
		t.strip.reveal(t)
	}
	t.Refresh()
}

// FocusLost hides the focus.
func (t *Thumb) FocusLost() {
	t.focused, t.shift = false, false
	t.Refresh()
}

// TypedRune is part of fyne.Focusable.
func (t *Thumb) TypedRune(rune) {}

// TypedKey: Space or Return opens the thumbnail as a click does, the arrow
// keys (and Home, End) move to its neighbours in the strip, Shift+F10 opens
// its context menu; Escape and the other keys go to the window's handler
// (Escape stops a run).
func (t *Thumb) TypedKey(k *fyne.KeyEvent) {
	moves := map[fyne.KeyName]int{fyne.KeyLeft: -1, fyne.KeyRight: 1, fyne.KeyUp: -1, fyne.KeyDown: 1, fyne.KeyHome: -1 << 30, fyne.KeyEnd: 1 << 30}
	switch d, move := moves[k.Name]; {
	case move && t.strip != nil:
		t.strip.moveFocus(t, d)
	case k.Name == fyne.KeySpace || k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter:
		t.Tapped(nil)
	case k.Name == fyne.KeyF10 && t.shiftHeld() && t.OnSecondary != nil:
		if app := fyne.CurrentApp(); app != nil {
			at := app.Driver().AbsolutePositionForObject(t)
			t.OnSecondary(at.Add(fyne.NewPos(t.Size().Width/2, t.Size().Height/2)))
		}
	default:
		toWindow(t, k)
	}
}

// shiftHeld reports whether a Shift key is held: the desktop driver's
// modifiers, else (the test driver) the Shift KeyDown last heard; a Shift
// pressed before the focus came (Shift+Tab into the strip) went to the
// control before.
func (t *Thumb) shiftHeld() bool {
	if d, ok := fyne.CurrentApp().Driver().(desktop.Driver); ok && d.CurrentKeyModifiers()&fyne.KeyModifierShift != 0 {
		return true
	}
	return t.shift
}

// KeyDown follows the Shift keys (for Shift+F10).
func (t *Thumb) KeyDown(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		t.shift = true
	}
}

// KeyUp follows the Shift keys (for Shift+F10).
func (t *Thumb) KeyUp(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		t.shift = false
	}
}

// TappedSecondary calls OnSecondary.
func (t *Thumb) TappedSecondary(ev *fyne.PointEvent) {
	tipOut(t)
	if t.OnSecondary != nil {
		t.OnSecondary(ev.AbsolutePosition)
	}
}

// MouseIn starts the tooltip.
func (t *Thumb) MouseIn(ev *desktop.MouseEvent) { tipIn(t, t.Tip, ev) }

// MouseMoved is part of desktop.Hoverable.
func (t *Thumb) MouseMoved(*desktop.MouseEvent) {}

// MouseOut hides the tooltip.
func (t *Thumb) MouseOut() { tipOut(t) }

// NewThumb returns a thumbnail of img.
func NewThumb(img image.Image, caption string, tapped func()) *Thumb {
	t := &Thumb{Image: img, Caption: caption, OnTapped: tapped}
	t.ExtendBaseWidget(t)
	return t
}

// Tapped calls OnTapped (ev is not used: nil for a key).
func (t *Thumb) Tapped(*fyne.PointEvent) {
	tipOut(t)
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

// thumbWidth is a thumbnail's width: captions and notes are cut to it, so
// neighbours never overlap.
const thumbWidth = thumbSize + 6

// fitText cuts text with an ellipsis to fit width at size.
func fitText(text string, size, width float32) string {
	if fyne.MeasureText(text, size, fyne.TextStyle{}).Width <= width {
		return text
	}
	r := []rune(text)
	for len(r) > 0 {
		r = r[:len(r)-1]
		if t := string(r) + "…"; fyne.MeasureText(t, size, fyne.TextStyle{}).Width <= width {
			return t
		}
	}
	return ""
}

// update copies the thumbnail's state into the drawing objects.
func (r *thumbRenderer) update() {
	r.pic.Image = r.t.Image
	r.cap.Text = fitText(r.t.Caption, r.cap.TextSize, thumbWidth-4)
	r.cap.Color = theme.Color(theme.ColorNameForeground)
	r.note.Text = fitText(r.t.Note, r.note.TextSize, thumbWidth-4)
	if long := r.t.NoteLong; long != "" && fyne.MeasureText(long, r.note.TextSize, fyne.TextStyle{}).Width <= thumbWidth-4 {
		r.note.Text = long
	}
	r.note.Hidden = r.t.Note == ""
	r.note.Color = theme.Color(theme.ColorNamePrimary)
	r.frame.StrokeWidth = 0
	r.frame.FillColor = theme.Color(theme.ColorNameInputBackground)
	if r.t.focused {
		r.frame.FillColor = theme.Color(theme.ColorNameFocus)
	}
	if r.t.Selected {
		r.frame.StrokeWidth = 2
		r.frame.StrokeColor = theme.Color(theme.ColorNamePrimary)
	}
}

// Destroy is part of fyne.WidgetRenderer.
func (r *thumbRenderer) Destroy() {}

// noteHeight is the height of the note line, reserved even when there is
// no note so that thumbnails (and what is under the strip) never move.
func (r *thumbRenderer) noteHeight() float32 {
	return fyne.MeasureText("↳", r.note.TextSize, fyne.TextStyle{}).Height
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

// MinSize fits a thumbnail, its caption and its note line: the same for
// every thumbnail.
func (r *thumbRenderer) MinSize() fyne.Size {
	return thumbMinSize()
}

// thumbMinSize is the size of every thumbnail.
func thumbMinSize() fyne.Size {
	line := fyne.MeasureText("Ag", theme.CaptionTextSize(), fyne.TextStyle{}).Height
	return fyne.NewSize(thumbWidth, thumbSize+6+2*line)
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

// ThumbStrip is a horizontally scrolling row of thumbnails whose height
// is reserved even while it is empty (nothing around it moves when
// thumbnails come or go).
type ThumbStrip struct {
	box    *fyne.Container
	scroll *container.Scroll
	view   *fyne.Container // scroll over a spacer of the strip's height
	thumbs []*Thumb
	// rove is the thumbnail the keyboard reaches (the strip's one Tab
	// stop): the one focused last, else the selected one, else the first.
	rove *Thumb
}

// stripHeight is the height a strip reserves: a thumbnail and the
// scroll bar.
func stripHeight() float32 {
	return thumbMinSize().Height + theme.ScrollBarSize() + theme.Padding()
}

// NewThumbStrip returns an empty strip.
func NewThumbStrip() *ThumbStrip {
	s := &ThumbStrip{box: container.NewHBox()}
	// The thumbnails keep their own height at the top (a VBox), with the
	// scroll bar beneath them: an HScroll stretches its content to its
	// height, which put each seed line under the bar.
	s.scroll = container.NewHScroll(container.NewVBox(s.box))
	spacer := canvas.NewRectangle(color.Transparent)
	spacer.SetMinSize(fyne.NewSize(1, stripHeight()))
	s.view = container.NewStack(spacer, s.scroll)
	return s
}

// Set replaces the thumbnails.
func (s *ThumbStrip) Set(thumbs []*Thumb) {
	s.thumbs = thumbs
	objs := make([]fyne.CanvasObject, len(thumbs))
	was := s.rove
	s.rove = nil
	for i, t := range thumbs {
		objs[i] = t
		t.strip = s
		if t.Selected || s.rove == nil {
			s.rove = t
		}
	}
	if slices.Contains(thumbs, was) {
		s.rove = was // the keyboard's place is kept
	}
	s.box.Objects = objs
	s.box.Refresh()
	s.scroll.ScrollToOffset(fyne.NewPos(0, 0))
	switch {
	case was == nil || !was.focused:
	case s.rove == was:
		s.reveal(was)
	case s.rove != nil:
		// The focused thumbnail went: the focus stays in the strip.
		if c := fyne.CurrentApp().Driver().CanvasForObject(s.box); c != nil {
			c.Focus(s.rove)
		}
	default:
		// The strip emptied: the focus does not stay on a thumbnail gone
		// (Space picked a candidate no longer there).
		if c := fyne.CurrentApp().Driver().CanvasForObject(s.box); c != nil && c.Focused() == fyne.Focusable(was) {
			c.Unfocus()
		}
	}
}

// Select highlights thumbnail i only; the keyboard reaches it next,
// unless a thumbnail of the strip has the focus.
func (s *ThumbStrip) Select(i int) {
	for j, t := range s.thumbs {
		t.SetSelected(i == j)
	}
	if i >= 0 && i < len(s.thumbs) && (s.rove == nil || !s.rove.focused) {
		s.rove = s.thumbs[i]
	}
}

// moveFocus gives the focus to the thumbnail d places from t (clamped to
// the strip's ends).
func (s *ThumbStrip) moveFocus(t *Thumb, d int) {
	i := slices.Index(s.thumbs, t)
	if i < 0 {
		return
	}
	j := min(max(i+min(max(d, -len(s.thumbs)), len(s.thumbs)), 0), len(s.thumbs)-1)
	if j == i {
		return
	}
	s.rove = s.thumbs[j] // first: a disabled (not roving) one takes no focus
	t.Refresh()
	if app := fyne.CurrentApp(); app != nil {
		if c := app.Driver().CanvasForObject(t); c != nil {
			c.Focus(s.rove)
		}
	}
}

// reveal scrolls the strip so that t is in view.
func (s *ThumbStrip) reveal(t *Thumb) {
	x, w, view := t.Position().X, t.Size().Width, s.scroll.Size().Width
	off := s.scroll.Offset
	switch {
	case x < off.X:
		off.X = x
	case x+w > off.X+view:
		off.X = x + w - view
	default:
		return
	}
	s.scroll.ScrollToOffset(off)
}

// Object is the strip as laid out: its height is reserved even while the
// strip is hidden, so the window does not jump when thumbnails arrive.
func (s *ThumbStrip) Object() fyne.CanvasObject { return s.view }

// Thumbs are the thumbnails shown, in order.
func (s *ThumbStrip) Thumbs() []*Thumb { return s.thumbs }

// Show shows the thumbnails (their reserved space is always there).
func (s *ThumbStrip) Show() { s.scroll.Show() }

// Hide hides the thumbnails, keeping their space.
func (s *ThumbStrip) Hide() { s.scroll.Hide() }
