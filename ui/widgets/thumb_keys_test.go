package widgets

import (
	"image"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// A strip of thumbnails is one Tab stop whose thumbnails the arrow keys
// reach (the history could not be reopened without a mouse): Space opens
// the focused one, Shift+F10 its context menu, Escape goes to the window.
func TestThumbStripKeys(t *testing.T) {
	test.NewTempApp(t)
	before, after := widget.NewEntry(), widget.NewEntry()
	strip := NewThumbStrip()
	var tapped []int
	var menuAt []fyne.Position
	var thumbs []*Thumb
	for i := range 5 {
		th := NewThumb(image.NewNRGBA(image.Rect(0, 0, 8, 8)), "x", func() { tapped = append(tapped, i) })
		th.OnSecondary = func(p fyne.Position) { menuAt = append(menuAt, p) }
		thumbs = append(thumbs, th)
	}
	strip.Set(thumbs)
	w := test.NewTempWindow(t, container.NewVBox(before, strip.Object(), after))
	w.Resize(fyne.NewSize(200, 400)) // narrower than the five: the strip scrolls
	c := w.Canvas()
	var toWindow []fyne.KeyName
	c.SetOnTypedKey(func(k *fyne.KeyEvent) { toWindow = append(toWindow, k.Name) })

	c.Focus(before)
	c.FocusNext()
	if c.Focused() != fyne.Focusable(thumbs[0]) {
		t.Fatalf("Tab from the field before the strip reached %T, not its first thumbnail", c.Focused())
	}
	c.FocusNext()
	if c.Focused() != fyne.Focusable(after) {
		t.Fatalf("a second Tab reached %T, not the field after the strip (the strip is one stop)", c.Focused())
	}
	c.FocusPrevious()
	key := func(n fyne.KeyName) { c.Focused().TypedKey(&fyne.KeyEvent{Name: n}) }
	key(fyne.KeyRight)
	key(fyne.KeyRight)
	if c.Focused() != fyne.Focusable(thumbs[2]) {
		t.Fatalf("Right twice: the focus is on %v", c.Focused())
	}
	key(fyne.KeyEnd)
	if c.Focused() != fyne.Focusable(thumbs[4]) {
		t.Fatalf("End: the focus is on %v", c.Focused())
	}
	if x := thumbs[4].Position().X + thumbs[4].Size().Width - strip.scroll.Offset.X; x > strip.scroll.Size().Width {
		t.Errorf("the last thumbnail has the focus but ends %.0f px into a strip %.0f wide", x, strip.scroll.Size().Width)
	}
	key(fyne.KeyRight) // at the end: stays
	key(fyne.KeySpace)
	if len(tapped) != 1 || tapped[0] != 4 {
		t.Fatalf("Space on the last thumbnail opened %v", tapped)
	}
	// The strip's Tab stop is now the last thumbnail.
	c.Focus(before)
	c.FocusNext()
	if c.Focused() != fyne.Focusable(thumbs[4]) {
		t.Errorf("Tab back into the strip reached %v, not the thumbnail focused last", c.Focused())
	}
	key(fyne.KeyF10) // without Shift: nothing
	thumbs[4].KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	key(fyne.KeyF10)
	thumbs[4].KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	if len(menuAt) != 1 {
		t.Errorf("Shift+F10 opened %d context menus, F10 alone none: want 1", len(menuAt))
	}
	key(fyne.KeyEscape)
	if len(toWindow) != 2 || toWindow[1] != fyne.KeyEscape {
		t.Errorf("the window got %v, want F10 (unused) and Escape", toWindow)
	}

	// The strip emptied (the candidates of an image undone) takes the
	// focus off the thumbnail gone: Space there picked a candidate no
	// longer shown.
	strip.Set(nil)
	if f := c.Focused(); f != nil {
		t.Errorf("after the strip emptied the focus is on %v", f)
	}
}

// A strip laid out at its height keeps each thumbnail at its own height,
// its seed line above the scroll bar, which an HScroll stretching its
// content to the strip's height put under the bar.
func TestThumbStripLeavesRoomForTheBar(t *testing.T) {
	test.NewTempApp(t)
	strip := NewThumbStrip()
	var thumbs []*Thumb
	for range 6 {
		thumbs = append(thumbs, NewThumb(image.NewNRGBA(image.Rect(0, 0, 8, 8)), "x", nil))
	}
	strip.Set(thumbs)
	w := test.NewTempWindow(t, container.NewBorder(nil, strip.Object(), nil, nil))
	w.Resize(fyne.NewSize(300, 400)) // narrower than the six: the bar shows
	th := thumbs[0]
	bottom := th.Position().Y + th.Size().Height
	if th.Size().Height > thumbMinSize().Height+0.5 || bottom > stripHeight()-theme.ScrollBarSize()+0.5 {
		t.Errorf("a thumbnail %.0f px tall ending at %.0f of the strip's %.0f: the bar (%.0f px) covers its last line", th.Size().Height, bottom, stripHeight(), theme.ScrollBarSize())
	}
}
