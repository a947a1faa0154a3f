package widgets

import (
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Tooltips: Fyne has none of its own, so the studio's controls are Fyne
// widgets extended with hover handling, and each window gets a tip layer
// over its content (see tipLayer) where the tip of the control under the
// pointer appears after tipDelay. The layer holds no interactive object,
// so it never takes a click or a hover from what is under it.

// TipDelay is how long the pointer rests on a control before its tip shows.
var TipDelay = 600 * time.Millisecond

// tipLinger is how long a tip stays up: the pointer can leave the window
// without the control hearing of it, and a tip must not stay for good.
const tipLinger = 10 * time.Second

// Tipped is a control with a tooltip.
type Tipped interface {
	Tip() string
}

// tipMaxWidth is the widest a tooltip gets before it wraps.
const tipMaxWidth = 340

// tipLayer draws the tooltip of one window: a box with text placed near the
// pointer, over everything else.
type tipLayer struct {
	box   *fyne.Container
	bg    *canvas.Rectangle
	text  *widget.Label
	owner fyne.CanvasObject // the control whose tip is shown (nil: none)
	gen   int
}

// freeLayout leaves its objects where they were put and asks for no room,
// so a tooltip never changes the window's minimum size.
type freeLayout struct{}

// Layout leaves the objects as they are.
func (freeLayout) Layout([]fyne.CanvasObject, fyne.Size) {}

// MinSize asks for nothing.
func (freeLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.Size{} }

// tipLayers maps each window canvas to its tip layer.
var (
	tipMu     sync.Mutex
	tipLayers = map[fyne.Canvas]*tipLayer{}
)

// newTipLayer returns the (hidden) tip layer for c; put layer.box over the
// window's content (see withTips).
func newTipLayer(c fyne.Canvas) *tipLayer {
	l := &tipLayer{bg: canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground)), text: widget.NewLabel("")}
	l.bg.StrokeColor = theme.Color(theme.ColorNameShadow)
	l.bg.StrokeWidth = 1
	l.bg.CornerRadius = 4
	l.text.Wrapping = fyne.TextWrapWord
	l.box = container.New(freeLayout{}, l.bg, l.text)
	l.bg.Hide()
	l.text.Hide()
	tipMu.Lock()
	tipLayers[c] = l
	tipMu.Unlock()
	return l
}

// WithTips stacks a tip layer over content in window w.
func WithTips(w fyne.Window, content fyne.CanvasObject) fyne.CanvasObject {
	l := newTipLayer(w.Canvas())
	return container.NewStack(content, l.box)
}

// LayerFor finds the tip layer of the window showing obj.
func LayerFor(obj fyne.CanvasObject) *tipLayer {
	app := fyne.CurrentApp()
	if app == nil {
		return nil
	}
	c := app.Driver().CanvasForObject(obj)
	if c == nil {
		return nil
	}
	tipMu.Lock()
	defer tipMu.Unlock()
	return tipLayers[c]
}

// showTipNow shows text for owner at the absolute position pos.
func (l *tipLayer) showTipNow(owner fyne.CanvasObject, text string, pos fyne.Position) {
	if text == "" {
		return
	}
	l.owner = owner
	l.text.SetText(text)
	pad := theme.InnerPadding()
	// A word-wrapping label asks for the width of one letter: the tip is
	// as wide as its longest line unwrapped, up to tipMaxWidth.
	natural := float32(0)
	for _, line := range strings.Split(text, "\n") {
		natural = max(natural, fyne.MeasureText(line, theme.TextSize(), l.text.TextStyle).Width)
	}
	w := min(natural+2*pad+1, tipMaxWidth)
	l.text.Resize(fyne.NewSize(w, 1))
	h := l.text.MinSize().Height
	l.text.Resize(fyne.NewSize(w, h))
	h = max(h, l.text.MinSize().Height) // the height at the width given, wrapped
	size := fyne.NewSize(w, h)
	area := l.box.Size()
	p := pos.Add(fyne.NewPos(12, 20))
	if area.Width > 0 && p.X+size.Width+pad > area.Width {
		p.X = max(0, area.Width-size.Width-pad)
	}
	if area.Height > 0 && p.Y+size.Height+pad > area.Height {
		p.Y = max(0, pos.Y-size.Height-8)
	}
	l.text.Move(p)
	l.text.Resize(size)
	l.bg.Move(p)
	l.bg.Resize(size)
	l.bg.FillColor = theme.Color(theme.ColorNameOverlayBackground)
	l.bg.Show()
	l.text.Show()
	l.box.Refresh()
}

// hide hides the tip of owner (any tip for nil).
func (l *tipLayer) hide(owner fyne.CanvasObject) {
	l.gen++
	if owner != nil && l.owner != owner {
		return
	}
	l.owner = nil
	l.bg.Hide()
	l.text.Hide()
	l.box.Refresh()
}

// ShownSize is the size of the tooltip shown (zero when none).
func (l *tipLayer) ShownSize() fyne.Size {
	if !l.text.Visible() {
		return fyne.Size{}
	}
	return l.text.Size()
}

// Shown is the tooltip text shown ("" when none).
func (l *tipLayer) Shown() string {
	if !l.text.Visible() {
		return ""
	}
	return l.text.Text
}

// tipIn starts the tip of owner for a pointer that entered it.
func tipIn(owner fyne.CanvasObject, text string, ev *desktop.MouseEvent) {
	tipInOf(owner, func() string { return text }, ev)
}

// tipInOf is tipIn for a tip whose text is read when it shows, after the
// delay (a status line's text may change meanwhile: the tip showed the
// message of the moment the pointer came in).
func tipInOf(owner fyne.CanvasObject, textOf func() string, ev *desktop.MouseEvent) {
	l := LayerFor(owner)
	if l == nil || textOf() == "" {
		return
	}
	l.gen++
	gen := l.gen
	pos := ev.AbsolutePosition
	expire := func() {
		time.AfterFunc(tipLinger, func() {
			fyne.Do(func() {
				if l.gen == gen {
					l.hide(owner)
				}
			})
		})
	}
	show := func() {
		text := textOf()
		if text == "" {
			return
		}
		l.showTipNow(owner, text, pos)
		expire()
		watchOwner(l, owner, gen)
	}
	if TipDelay <= 0 {
		show()
		return
	}
	time.AfterFunc(TipDelay, func() {
		fyne.Do(func() {
			if l.gen == gen && !behindDialog(owner) {
				show()
			}
		})
	})
}

// tipOwnerPoll is how often a tip shown checks that its control is still
// on the screen.
const tipOwnerPoll = 150 * time.Millisecond

// watchOwner hides the tip of owner, shown as tip generation gen, once
// owner is no longer drawn: a control in a dialog that closed, or on a tab
// switched away from, goes without hearing that the pointer left, and its
// tip stayed over the window until the pointer moved (Open path's entry,
// the timeline's slider after Ctrl+Page Down).
func watchOwner(l *tipLayer, owner fyne.CanvasObject, gen int) {
	app := fyne.CurrentApp()
	if app == nil {
		return
	}
	var poll func()
	poll = func() {
		time.AfterFunc(tipOwnerPoll, func() {
			fyne.Do(func() {
				if l.gen != gen || l.owner != owner {
					return // hidden, or another tip since
				}
				if !drawn(owner) {
					l.hide(owner)
					return
				}
				poll()
			})
		})
	}
	poll()
}

// drawn reports whether obj is in a visible tree of its window (its
// content or a dialog shown): Fyne's drivers find only those, and put one
// not found at the origin, less the canvas's inset in the test driver's.
func drawn(obj fyne.CanvasObject) bool {
	app := fyne.CurrentApp()
	if app == nil || !obj.Visible() {
		return false
	}
	c := app.Driver().CanvasForObject(obj)
	if c == nil {
		return false
	}
	pos := app.Driver().AbsolutePositionForObject(obj)
	inset, _ := c.InteractiveArea()
	return pos != fyne.Position{} && pos != fyne.Position{}.Subtract(inset)
}

// behindDialog reports whether a dialog (an overlay) that does not hold
// owner is on top of its window: the pointer rested on a control the
// dialog opened over, whose tip would be drawn behind the dialog.
func behindDialog(owner fyne.CanvasObject) bool {
	app := fyne.CurrentApp()
	if app == nil {
		return false
	}
	c := app.Driver().CanvasForObject(owner)
	if c == nil || c.Overlays().Top() == nil {
		return false
	}
	return !holds(c.Overlays().Top(), owner)
}

// holds reports whether obj is in root's tree (Walk).
func holds(root, obj fyne.CanvasObject) bool {
	found := false
	Walk(root, func(o fyne.CanvasObject) { found = found || o == obj })
	return found
}

// Walk calls visit on root and every visible object in its tree of
// containers, pop-ups and scroll containers, parents first: what a
// dialog's content is made of, without the widgets' renderers.
func Walk(root fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	if root == nil || !root.Visible() {
		return
	}
	visit(root)
	switch v := root.(type) {
	case *fyne.Container:
		for _, o := range v.Objects {
			Walk(o, visit)
		}
	case *widget.PopUp:
		Walk(v.Content, visit)
	case *container.Scroll:
		Walk(v.Content, visit)
	case interface{ Content() fyne.CanvasObject }:
		Walk(v.Content(), visit)
	}
}

// HideTips hides the tooltip shown in obj's window, if any: for a scroll
// that moved controls from under the pointer without telling them.
func HideTips(obj fyne.CanvasObject) {
	if l := LayerFor(obj); l != nil {
		l.hide(nil)
	}
}

// tipOut hides the tip of owner (the pointer left it, or it was used).
func tipOut(owner fyne.CanvasObject) {
	if l := LayerFor(owner); l != nil {
		l.hide(owner)
	}
}

// whyNotTip is a control's tooltip, which can say for a while why the
// control cannot be used in place of what it does (SetWhyNot).
type whyNotTip struct {
	tip    string
	whyNot string // shown in place of tip while not ""
}

// Tip is the tooltip shown: why the control cannot be used, if that is
// set, else what it does.
func (w *whyNotTip) Tip() string {
	if w.whyNot != "" {
		return w.whyNot
	}
	return w.tip
}

// SetWhyNot makes the tooltip say why, in place of what the control does,
// while why is not ""; "" gives the control its own tooltip back.
func (w *whyNotTip) SetWhyNot(why string) { w.whyNot = why }

// TipButton is a button with a tooltip, which can say for a while why the
// button cannot be used in place of what it does (SetWhyNot).
type TipButton struct {
	widget.Button
	whyNotTip
	// OnDialogKey, when set, gets Return, Enter and Escape while the
	// button has the focus (see DialogKeys).
	OnDialogKey DialogKeys
}

// DialogKeys takes Return, Enter and Escape from a focused control in a
// dialog (a check box, a drop-down, an option), which would otherwise
// swallow them: Fyne gives keys to the focused widget alone, so the
// window's "Return presses the default button, Escape cancels" never
// heard them. It reports whether it used the key.
type DialogKeys func(ev *fyne.KeyEvent) bool

// take passes ev to d when it is a dialog key and d is set.
func (d DialogKeys) take(ev *fyne.KeyEvent) bool {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeyEscape:
		return d != nil && d(ev)
	}
	return false
}

// TypedKey gives dialog keys to OnDialogKey, the rest to the button.
func (b *TipButton) TypedKey(ev *fyne.KeyEvent) {
	if !b.OnDialogKey.take(ev) {
		b.Button.TypedKey(ev)
	}
}

// NewTipButton returns a button (label and icon may be empty) with tip.
func NewTipButton(label string, icon fyne.Resource, tip string, tapped func()) *TipButton {
	b := &TipButton{whyNotTip: whyNotTip{tip: tip}}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// SetTip replaces the tooltip.
func (b *TipButton) SetTip(tip string) { b.tip = tip }

func (b *TipButton) MouseIn(ev *desktop.MouseEvent) {
	b.Button.MouseIn(ev)
	tipIn(b, b.Tip(), ev)
}

func (b *TipButton) MouseOut() {
	b.Button.MouseOut()
	tipOut(b)
}

func (b *TipButton) Tapped(ev *fyne.PointEvent) {
	tipOut(b)
	b.Button.Tapped(ev)
}

// TipCheck is a check box with a tooltip.
type TipCheck struct {
	widget.Check
	whyNotTip // a box greyed out says why (SetWhyNot)
	// OnDialogKey, when set, gets Return, Enter and Escape while the box
	// has the focus.
	OnDialogKey DialogKeys
	// OnRune, when set, hears the characters typed while the box has the
	// focus, as TipSlider.OnRune (a space still ticks it).
	OnRune func(r rune)
}

// TypedRune passes r to OnRune, and to the box (a space ticks it).
func (c *TipCheck) TypedRune(r rune) {
	if c.OnRune != nil {
		c.OnRune(r)
	}
	c.Check.TypedRune(r)
}

// TypedKey gives dialog keys to OnDialogKey, the rest (Space) to the box.
func (c *TipCheck) TypedKey(ev *fyne.KeyEvent) {
	if !c.OnDialogKey.take(ev) {
		c.Check.TypedKey(ev)
	}
}

// NewTipCheck returns a check box with tip.
func NewTipCheck(label, tip string, changed func(bool)) *TipCheck {
	c := &TipCheck{whyNotTip: whyNotTip{tip: tip}}
	c.Text, c.OnChanged = label, changed
	c.ExtendBaseWidget(c)
	return c
}

func (c *TipCheck) MouseIn(ev *desktop.MouseEvent) {
	c.Check.MouseIn(ev)
	tipIn(c, c.Tip(), ev)
}

func (c *TipCheck) MouseOut() {
	c.Check.MouseOut()
	tipOut(c)
}

// TipSlider is a slider with a tooltip.
type TipSlider struct {
	widget.Slider
	tip string
	// OnRune, when set, hears the characters typed while the slider has
	// the focus (a slider uses none): the studio's [ and ] size the brush
	// there too, where a clicked slider kept the focus and swallowed them.
	OnRune func(r rune)
}

// TypedRune passes r to OnRune.
func (s *TipSlider) TypedRune(r rune) {
	if s.OnRune != nil {
		s.OnRune(r)
	}
}

// NewTipSlider returns a slider from lo to hi with tip.
func NewTipSlider(lo, hi float64, tip string) *TipSlider {
	s := &TipSlider{tip: tip}
	s.Min, s.Max, s.Step, s.Value = lo, hi, 1, lo
	s.Orientation = widget.Horizontal
	s.ExtendBaseWidget(s)
	return s
}

func (s *TipSlider) Tip() string { return s.tip }

// TypedKey hands Escape to the window's own key handler (which stops a run
// or closes a dialog): a focused widget gets every key, so Escape did
// nothing while a slider had the focus (a tap on one gives it). Other keys
// move the slider.
func (s *TipSlider) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && toWindow(s, k) {
		return
	}
	s.Slider.TypedKey(k)
}

// toWindow hands k, typed on the focused widget obj, to the key handler of
// obj's window (where Escape stops a run or closes a dialog): a focused
// widget gets every key, and the window's never hears those it drops. It
// reports whether the window has a handler.
func toWindow(obj fyne.CanvasObject, k *fyne.KeyEvent) bool {
	app := fyne.CurrentApp()
	if app == nil {
		return false
	}
	c := app.Driver().CanvasForObject(obj)
	if c == nil || c.OnTypedKey() == nil {
		return false
	}
	c.OnTypedKey()(k)
	return true
}

// Dragged moves the slider and, as a tap does, gives it the keyboard focus:
// Fyne's slider took a drag without it, so the arrow keys pressed next went
// to the control focused before (the style picker, which changed the
// style and rewrote the prompt).
func (s *TipSlider) Dragged(e *fyne.DragEvent) {
	if !s.Disabled() && !fyne.CurrentDevice().IsMobile() { // as Fyne's slider takes the focus on a tap
		FocusIn(s)
	}
	s.Slider.Dragged(e)
}

// FocusIn gives obj the keyboard focus of the window showing it, unless it
// has it (nothing when no window shows it).
func FocusIn(obj interface {
	fyne.CanvasObject
	fyne.Focusable
}) {
	app := fyne.CurrentApp()
	if app == nil {
		return
	}
	if c := app.Driver().CanvasForObject(obj); c != nil && c.Focused() != fyne.Focusable(obj) {
		c.Focus(obj)
	}
}

func (s *TipSlider) MouseIn(ev *desktop.MouseEvent) {
	s.Slider.MouseIn(ev)
	tipIn(s, s.tip, ev)
}

func (s *TipSlider) MouseOut() {
	s.Slider.MouseOut()
	tipOut(s)
}

// TipSelect is a drop-down list with a tooltip.
type TipSelect struct {
	widget.Select
	tip     string
	changed func(string)
	hush    bool
	// OnRune, when set, hears the characters typed while the drop-down has
	// the focus (it uses none), as TipSlider.OnRune.
	OnRune func(r rune)
	// OnDialogKey, when set, gets Return, Enter and Escape while the
	// drop-down has the focus (closed).
	OnDialogKey DialogKeys
}

// NewTipSelect returns a drop-down of options with tip; changed is called
// when the selection changes (not inside quiet).
func NewTipSelect(options []string, tip string, changed func(string)) *TipSelect {
	s := &TipSelect{tip: tip, changed: changed}
	s.Options = options
	s.OnChanged = func(v string) {
		if !s.hush && s.changed != nil {
			s.changed(v)
		}
	}
	s.ExtendBaseWidget(s)
	return s
}

func (s *TipSelect) Tip() string { return s.tip }

// Quiet runs fn without calling back.
func (s *TipSelect) Quiet(fn func()) {
	q := s.hush
	s.hush = true
	fn()
	s.hush = q
}

func (s *TipSelect) MouseIn(ev *desktop.MouseEvent) {
	s.Select.MouseIn(ev)
	tipIn(s, s.tip, ev)
}

func (s *TipSelect) MouseOut() {
	s.Select.MouseOut()
	tipOut(s)
}

func (s *TipSelect) Tapped(ev *fyne.PointEvent) {
	tipOut(s)
	// Fyne 2.7.1's Select panics opening its list when the driver has no
	// canvas for it at that moment (a tap delivered as the widget tree
	// changes: fyne-io/fyne#5965, fixed upstream by #6305): the tap is
	// dropped instead, and the next one opens the list.
	if !s.onCanvas() {
		return
	}
	s.Select.Tapped(ev)
}

// TypedRune passes r to OnRune.
func (s *TipSelect) TypedRune(r rune) {
	if s.OnRune != nil {
		s.OnRune(r)
	}
}

// TypedKey opens the list from the keyboard (Space, Up, Down) under the
// same guard as Tapped.
func (s *TipSelect) TypedKey(ev *fyne.KeyEvent) {
	if s.OnDialogKey.take(ev) || !s.onCanvas() {
		return
	}
	s.Select.TypedKey(ev)
}

// onCanvas reports whether the driver knows the canvas the drop-down is
// on (Fyne 2.7.1's Select opens its list there and panics without one).
func (s *TipSelect) onCanvas() bool {
	app := fyne.CurrentApp()
	return app == nil || app.Driver().CanvasForObject(s) != nil
}

// TipEntry is a text field with a tooltip.
type TipEntry struct {
	widget.Entry
	tip string
	RedoRoute
	// OnEscape, when set, runs on Escape (a focused field gets every key,
	// so a dialog's Escape never reaches the window while it has the
	// focus): a dialog's field sets it to close the dialog.
	OnEscape func()
}

// NewTipEntry returns a one-line (or multiLine) text field with tip.
func NewTipEntry(multiLine bool, tip string) *TipEntry {
	e := &TipEntry{tip: tip}
	e.MultiLine = multiLine
	if multiLine {
		e.Wrapping = fyne.TextWrapWord
	}
	e.ExtendBaseWidget(e)
	return e
}

func (e *TipEntry) Tip() string { return e.tip }

// TypedKey runs OnEscape for Escape, and types every other key.
func (e *TipEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.OnEscape != nil {
		e.OnEscape()
		return
	}
	e.Entry.TypedKey(k)
}

// AcceptsTab is false even for a multi-line entry: Tab moves the focus on
// (no field of the studio wants a tab character, and a field that took
// Tab would trap keyboard-only users).
func (e *TipEntry) AcceptsTab() bool { return false }

func (e *TipEntry) MouseIn(ev *desktop.MouseEvent) { tipIn(e, e.tip, ev) }

func (e *TipEntry) MouseMoved(*desktop.MouseEvent) {}

func (e *TipEntry) MouseOut() { tipOut(e) }

// TypedShortcut sends redo to OnRedo (RedoRoute); the rest go to the field.
func (e *TipEntry) TypedShortcut(s fyne.Shortcut) {
	if !e.route(s) {
		e.EntryShortcut(s)
	}
}

// EntryShortcut gives s to the field itself, past OnRedo (see
// PromptEntry.EntryShortcut).
func (e *TipEntry) EntryShortcut(s fyne.Shortcut) { e.Entry.TypedShortcut(s) }

// TipLabel is a label whose tooltip is its whole text (for text cut with
// an ellipsis) plus an optional hint.
type TipLabel struct {
	widget.Label
	hint string
}

// NewTipLabel returns a one-line label cut with an ellipsis.
func NewTipLabel(hint string) *TipLabel {
	l := &TipLabel{hint: hint}
	l.Truncation = fyne.TextTruncateEllipsis
	l.ExtendBaseWidget(l)
	return l
}

func (l *TipLabel) Tip() string {
	if l.Text == "" {
		return l.hint
	}
	if l.hint == "" {
		return l.Text
	}
	return l.Text + "\n" + l.hint
}

func (l *TipLabel) MouseIn(ev *desktop.MouseEvent) { tipInOf(l, l.Tip, ev) }

// SetText sets the label's text; its tooltip, when shown, goes with the
// text it showed (the status line's tip went on showing an earlier message
// over the new one).
func (l *TipLabel) SetText(text string) {
	l.Label.SetText(text)
	if layer := LayerFor(l); layer != nil && layer.owner == fyne.CanvasObject(l) {
		layer.hide(l)
	}
}

func (l *TipLabel) MouseMoved(*desktop.MouseEvent) {}

func (l *TipLabel) MouseOut() { tipOut(l) }

// Choice is a row of buttons of which one is selected (a radio group whose
// options have tooltips). Tapping an option selects it.
type Choice struct {
	Options   []string
	Selected  string
	OnChanged func(string)
	buttons   []*TipButton
	box       *fyne.Container
	// row is box at least as wide as ReserveLabel asks (AtLeast).
	row *fyne.Container
	// stacked says the options are one above the other (Stack).
	stacked bool
}

// Stack puts the options one above the other, where a row of them was too
// wide (the Train tab's "New model | Fine-tune …" set its narrowest at
// 971 px, wider than an 800-pixel screen).
func (c *Choice) Stack() {
	c.stacked = true
	c.box.Layout = layout.NewGridLayoutWithColumns(1)
	c.box.Refresh()
}

// NewChoice returns a row of options with their tips (tips[i] for
// options[i]).
func NewChoice(options, tips []string, changed func(string)) *Choice {
	c := &Choice{Options: options, OnChanged: changed}
	objs := make([]fyne.CanvasObject, len(options))
	for i, o := range options {
		tip := ""
		if i < len(tips) {
			tip = tips[i]
		}
		b := NewTipButton(o, nil, tip, func() { c.SetSelected(o) })
		c.buttons = append(c.buttons, b)
		objs[i] = b
	}
	c.box = container.NewGridWithColumns(len(options), objs...)
	c.row = AtLeast(0, c.box)
	c.paint()
	return c
}

// ReserveLabel keeps room for an option labelled label (SetOptionLabel):
// the row is as wide as if every option showed it, so that the layout
// around it stays put when a label changes ("Fine-tune emoji" becoming
// "Fine-tune pics-emoji" widened the Train tab's settings by 65 px and
// moved the buttons under a newcomer's pointer).
func (c *Choice) ReserveLabel(label string) {
	n := float32(len(c.buttons))
	if c.stacked {
		n = 1
	}
	c.row.Layout = minWidth{n*NewTipButton(label, nil, "", nil).MinSize().Width + (n-1)*theme.Padding()}
	c.row.Refresh()
}

// SetSelected selects option o ("" selects none) and calls OnChanged when
// the selection changes.
func (c *Choice) SetSelected(o string) {
	if o == c.Selected {
		return
	}
	c.Selected = o
	c.paint()
	if c.OnChanged != nil {
		c.OnChanged(o)
	}
}

// Object is the row of options, to lay out.
func (c *Choice) Object() fyne.CanvasObject { return c.row }

// SetOptionLabel shows option o as label, with tip, leaving the option's
// name (Options, Selected, OnChanged's argument) as it was: for an option
// that names something that changes, as "Fine-tune emoji". An unknown
// option is ignored.
func (c *Choice) SetOptionLabel(o, label, tip string) {
	for i, name := range c.Options {
		if name == o {
			c.buttons[i].SetTip(tip)
			c.buttons[i].SetText(label)
		}
	}
}

// OptionLabel is the label option o shows ("" for an unknown option).
func (c *Choice) OptionLabel(o string) string {
	for i, name := range c.Options {
		if name == o {
			return c.buttons[i].Text
		}
	}
	return ""
}

// SetDialogKeys gives Return, Enter and Escape typed on a focused option
// to d (see DialogKeys).
func (c *Choice) SetDialogKeys(d DialogKeys) {
	for _, b := range c.buttons {
		b.OnDialogKey = d
	}
}

// Disable greys every option out; tapping one does nothing.
func (c *Choice) Disable() {
	for _, b := range c.buttons {
		b.Disable()
	}
}

// Enable makes the options tappable again.
func (c *Choice) Enable() {
	for _, b := range c.buttons {
		b.Enable()
	}
}

// Disabled reports whether the options are greyed out.
func (c *Choice) Disabled() bool { return len(c.buttons) > 0 && c.buttons[0].Disabled() }

// ShowSelected selects option o without calling OnChanged (to show a
// setting made elsewhere).
func (c *Choice) ShowSelected(o string) {
	c.Selected = o
	c.paint()
}

// paint highlights the selected option.
func (c *Choice) paint() {
	for i, b := range c.buttons {
		imp := widget.LowImportance
		if c.Options[i] == c.Selected {
			imp = widget.HighImportance
		}
		if b.Importance != imp {
			b.Importance = imp
			b.Refresh()
		}
	}
}

// TipAction is a toolbar button with a tooltip.
type TipAction struct {
	icon   fyne.Resource
	tip    string
	action func()
	button *TipButton
}

// NewTipAction returns a toolbar action with tip.
func NewTipAction(icon fyne.Resource, tip string, action func()) *TipAction {
	return &TipAction{icon: icon, tip: tip, action: action}
}

// Tip is the action's tooltip.
func (a *TipAction) Tip() string { return a.tip }

// ToolbarObject is part of widget.ToolbarItem.
func (a *TipAction) ToolbarObject() fyne.CanvasObject {
	if a.button == nil {
		a.button = NewTipButton("", a.icon, a.tip, a.action)
		a.button.Importance = widget.LowImportance
	}
	return a.button
}

// Enable, Disable and Disabled make the action a fyne.Disableable, so it
// follows the state of what it does (Undo while there is nothing to undo).
func (a *TipAction) Enable() { a.ToolbarObject().(*TipButton).Enable() }

// Disable greys the action out; tapping it does nothing.
func (a *TipAction) Disable() { a.ToolbarObject().(*TipButton).Disable() }

// Disabled reports whether the action is greyed out.
func (a *TipAction) Disabled() bool { return a.ToolbarObject().(*TipButton).Disabled() }

// ToolbarObject wraps any object as a toolbar item.
type ToolbarObject struct{ Object fyne.CanvasObject }

// ToolbarObject is part of widget.ToolbarItem.
func (t ToolbarObject) ToolbarObject() fyne.CanvasObject { return t.Object }

// minWidth lays out one object at least w wide (its height is its own).
type minWidth struct{ w float32 }

// Layout gives the object the whole space.
func (m minWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// MinSize is the object's, at least w wide.
func (m minWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return fyne.NewSize(max(s.Width, m.w), s.Height)
}

// AtLeast wraps obj so that it is at least w wide.
func AtLeast(w float32, obj fyne.CanvasObject) *fyne.Container {
	return container.New(minWidth{w}, obj)
}

// maxMinWidth lays out one object over the whole space and asks for at
// most w of width (its height is its own).
type maxMinWidth struct{ w float32 }

// Layout gives the object the whole space.
func (m maxMinWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) { minWidth{}.Layout(objs, size) }

// MinSize is the object's, at most w wide.
func (m maxMinWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := minWidth{}.MinSize(objs)
	return fyne.NewSize(min(s.Width, m.w), s.Height)
}

// AtMostMin wraps obj so that its minimum width is at most w: for a widget
// whose minimum is its text's width (a progress bar's), which grew the
// window while a long text was shown; the layout gives it all the room
// there is.
func AtMostMin(w float32, obj fyne.CanvasObject) *fyne.Container {
	return container.New(maxMinWidth{w}, obj)
}

// WrapText breaks text into lines of at most n characters at spaces (for
// dialogs, which do not wrap); a word longer than n, a path say, is broken
// after its slashes, or every n characters where it has none.
func WrapText(text string, n int) string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		line := ""
		for _, w := range longWords(strings.Fields(para), n) {
			if line != "" && len(line)+1+len(w) > n {
				out = append(out, line)
				line = w
				continue
			}
			if line != "" {
				line += " "
			}
			line += w
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// longWords is words with each longer than n characters cut into pieces
// of at most n: after a slash where one lies in reach, else at n.
func longWords(words []string, n int) []string {
	var out []string
	for _, w := range words {
		for len([]rune(w)) > n && n > 0 {
			r := []rune(w)
			cut := n
			if i := strings.LastIndexAny(string(r[:n]), "/\\"); i > 0 {
				cut = len([]rune(string(r[:n])[:i+1]))
			}
			out = append(out, string(r[:cut]))
			w = string(r[cut:])
		}
		out = append(out, w)
	}
	return out
}

// fullScroll lays out one scroll over the whole space and asks for its
// content's whole size, so that a dialog holding it is as large as the
// content where the window has the room; where it has not, the dialog is
// cut to the window (Fyne's modal pop-up) and the content scrolls.
type fullScroll struct{}

// Layout gives the scroll the whole space.
func (fullScroll) Layout(objs []fyne.CanvasObject, size fyne.Size) { minWidth{}.Layout(objs, size) }

// MinSize is the scrolled content's minimum size, with room beside it for
// the scroll bar (which lay over the ends of the widest lines).
func (fullScroll) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		if sc, ok := o.(*container.Scroll); ok && sc.Content != nil {
			s = s.Max(sc.Content.MinSize())
		}
	}
	return s.AddWidthHeight(theme.ScrollBarSize(), 0)
}

// DialogBody wraps a dialog's body in a vertical scroll that asks for
// the body's whole size: the dialog is as tall as its body in a window tall
// enough and scrolls its body (wheel, Page Up/Down) in a shorter one, its
// buttons below it, where an unscrolled body ran under its buttons and
// past the window's edge.
func DialogBody(body fyne.CanvasObject) *fyne.Container {
	return container.New(fullScroll{}, container.NewVScroll(body))
}
