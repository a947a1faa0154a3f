package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Chip is a word to click, as a low-importance button looks, that takes
// no keyboard focus: the prompt's completions. As buttons they were Tab
// stops that vanished as the prompt lost the focus (they are shown only
// while it has it), so Tab from a prompt ending in a known word landed on
// a hidden button, went round the model picker and back, and Space there
// rewrote the word. It is a Focusable that is always disabled: out of the
// Tab chain, yet a press on it does not take the focus off the prompt (the
// window unfocuses on a press over nothing focusable, which hid the
// completions before the click landed).
type Chip struct {
	widget.BaseWidget
	Text string
	// OnTapped is called when the chip is clicked.
	OnTapped func()
	hovered  bool
}

// Interfaces a Chip implements.
var (
	_ fyne.Tappable      = (*Chip)(nil)
	_ desktop.Hoverable  = (*Chip)(nil)
	_ desktop.Cursorable = (*Chip)(nil)
	_ fyne.Focusable     = (*Chip)(nil)
	_ fyne.Disableable   = (*Chip)(nil)
)

// Disabled is always true: the focus never goes to a chip (Tab skips it).
func (c *Chip) Disabled() bool { return true }

// Enable does nothing: a chip is clicked, never focused.
func (c *Chip) Enable() {}

// Disable does nothing (a chip is always out of the Tab chain).
func (c *Chip) Disable() {}

// FocusGained is never called (Disabled).
func (c *Chip) FocusGained() {}

// FocusLost is never called (Disabled).
func (c *Chip) FocusLost() {}

// TypedRune is never called (Disabled).
func (c *Chip) TypedRune(rune) {}

// TypedKey is never called (Disabled).
func (c *Chip) TypedKey(*fyne.KeyEvent) {}

// NewChip returns a chip showing text that calls tapped when clicked.
func NewChip(text string, tapped func()) *Chip {
	c := &Chip{Text: text, OnTapped: tapped}
	c.ExtendBaseWidget(c)
	return c
}

// Tapped calls OnTapped.
func (c *Chip) Tapped(*fyne.PointEvent) {
	if c.OnTapped != nil {
		c.OnTapped()
	}
}

// Cursor is the pointing hand of a link.
func (c *Chip) Cursor() desktop.Cursor { return desktop.PointerCursor }

// MouseIn highlights the chip.
func (c *Chip) MouseIn(*desktop.MouseEvent) { c.hovered = true; c.Refresh() }

// MouseMoved is part of desktop.Hoverable.
func (c *Chip) MouseMoved(*desktop.MouseEvent) {}

// MouseOut takes the highlight off.
func (c *Chip) MouseOut() { c.hovered = false; c.Refresh() }

// CreateRenderer draws the text over a background lit while hovered.
func (c *Chip) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(color.Transparent)
	label := widget.NewLabel(c.Text)
	return &chipRenderer{c: c, bg: bg, label: label}
}

type chipRenderer struct {
	c     *Chip
	bg    *canvas.Rectangle
	label *widget.Label
}

func (r *chipRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	r.label.Resize(size)
}

func (r *chipRenderer) MinSize() fyne.Size { return r.label.MinSize() }

func (r *chipRenderer) Refresh() {
	r.label.SetText(r.c.Text)
	r.bg.CornerRadius = theme.InputRadiusSize() // follows a theme change
	r.bg.FillColor = color.Transparent
	if r.c.hovered {
		r.bg.FillColor = theme.Color(theme.ColorNameHover)
	}
	r.bg.Refresh()
}

func (r *chipRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.bg, r.label} }

func (r *chipRenderer) Destroy() {}
