package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// topFirst lays out a scrolled top part above a rest: the top at its own
// height where the rest keeps at least restMin below it, else shrunk (its
// scroll shows the rest of it) to leave the rest restMin, but never below
// half the height.
type topFirst struct {
	top     fyne.CanvasObject // the content of the scroll, objs[0]
	restMin float32
}

// topHeight is the height the top gets in a space of height h.
func (t topFirst) topHeight(h float32) float32 {
	want := t.top.MinSize().Height
	room := h - t.restMin - theme.Padding()
	return max(0, min(want, max(room, h/2)))
}

// Layout puts the scroll (objs[0]) at the top and the rest (objs[1]) below.
func (t topFirst) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	th := t.topHeight(size.Height)
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(size.Width, th))
	y := th + theme.Padding()
	objs[1].Move(fyne.NewPos(0, y))
	objs[1].Resize(fyne.NewSize(size.Width, max(0, size.Height-y)))
}

// MinSize is wide enough for both and tall enough for some of the top
// (its first rows) and restMin of the rest.
func (t topFirst) MinSize(objs []fyne.CanvasObject) fyne.Size {
	w := max(t.top.MinSize().Width, objs[1].MinSize().Width)
	return fyne.NewSize(w, min(t.top.MinSize().Height, 120)+theme.Padding()+max(t.restMin, objs[1].MinSize().Height))
}

// TopFirst shows top above rest: top at its own height and rest in the
// space below, where the space allows rest at least restMin pixels; in a
// shorter space top scrolls, so that rest (a list, say) is never squeezed
// to nothing (the Train tab's runs list vanished under its settings at
// 800×600).
func TopFirst(top, rest fyne.CanvasObject, restMin float32) *fyne.Container {
	return container.New(topFirst{top: top, restMin: restMin}, container.NewVScroll(top), rest)
}
