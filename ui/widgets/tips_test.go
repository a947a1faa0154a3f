package widgets

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// A tip is as wide as its text up to tipMaxWidth, not one letter wide.
func TestTipWidth(t *testing.T) {
	test.NewTempApp(t)
	l := newTipLayer(test.NewTempWindow(t, nil).Canvas())
	l.box.Resize(fyne.NewSize(800, 600))
	l.showTipNow(nil, "Top-k: draw each patch", fyne.NewPos(10, 10))
	short := l.ShownSize()
	text := fyne.MeasureText("Top-k: draw each patch", 14, fyne.TextStyle{})
	if short.Width < text.Width || short.Width > tipMaxWidth || short.Height >= 2*text.Height+2*theme.InnerPadding() {
		t.Fatalf("short tip %v: want one line of its text %v", short, text)
	}
	long := "What to draw, in words the model knows: names of emoji, styles and skin tones; unknown words are underlined and left out"
	l.showTipNow(nil, long, fyne.NewPos(10, 10))
	if got := l.ShownSize(); got.Width != tipMaxWidth || got.Height <= short.Height {
		t.Fatalf("long tip %v: want %d wide, wrapped taller than %v", got, tipMaxWidth, short)
	}
	l.hide(nil)
	if l.ShownSize() != (fyne.Size{}) {
		t.Fatal("hidden tip has a size")
	}
}

// Typing in the prompt hides its tooltip: it would cover the hint and the
// completions under the entry.
func TestTypingHidesThePromptTip(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	e := NewPromptEntry()
	e.Tip = "What to draw"
	w.SetContent(WithTips(w, e))
	w.Resize(fyne.NewSize(400, 300))
	l := LayerFor(e)
	if l == nil {
		t.Fatal("no tip layer")
	}
	l.showTipNow(e, e.Tip, fyne.NewPos(10, 10))
	if l.Shown() == "" {
		t.Fatal("the tip did not show")
	}
	e.TypedRune('c')
	if l.Shown() != "" || e.Text != "c" {
		t.Fatalf("after typing: tip %q, text %q", l.Shown(), e.Text)
	}
}

// HideTips hides the tip shown in a window (a scroll moved its control).
func TestHideTips(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	b := NewTipButton("Go", nil, "Starts it", nil)
	w.SetContent(WithTips(w, b))
	l := LayerFor(b)
	l.showTipNow(b, "Starts it", fyne.NewPos(5, 5))
	HideTips(b)
	if l.Shown() != "" {
		t.Fatal("the tip stayed")
	}
}

// A multi-line TipEntry (the negative prompt) lets Tab move the focus on:
// a plain multi-line Entry takes Tab as a character and traps the focus.
func TestMultiLineTipEntryPassesTab(t *testing.T) {
	plain := widget.NewMultiLineEntry()
	if !plain.AcceptsTab() {
		t.Skip("Fyne's multi-line entry no longer takes Tab")
	}
	if NewTipEntry(true, "tip").AcceptsTab() {
		t.Error("a multi-line TipEntry takes Tab: keyboard users are stuck in it")
	}
}

// A control's tip does not show once a dialog is over it (the pointer
// rested on the button that opened the dialog: the tip was drawn behind
// the dialog and stayed); a control in the dialog still gets its tip.
func TestNoTipBehindADialog(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	b := NewTipButton("Go", nil, "Starts it", nil)
	w.SetContent(WithTips(w, b))
	w.Resize(fyne.NewSize(400, 300))
	if behindDialog(b) {
		t.Fatal("a tip counts as behind a dialog with none shown")
	}
	inside := NewTipButton("Inside", nil, "In the dialog", nil)
	pop := widget.NewModalPopUp(container.NewVBox(widget.NewLabel("Sure?"), inside), w.Canvas())
	pop.Show()
	if !behindDialog(b) {
		t.Error("the window's button is not behind the dialog")
	}
	if behindDialog(inside) {
		t.Error("the dialog's own button counts as behind it")
	}
	pop.Hide()
	w.Canvas().Overlays().Remove(pop)
	if behindDialog(b) {
		t.Error("behind a dialog that is gone")
	}
}

// TestTipButtonWhyNot: a reason why the button cannot be used shows in
// place of its own tooltip, which comes back when the reason is cleared.
func TestTipButtonWhyNot(t *testing.T) {
	b := NewTipButton("Go", nil, "does it", nil)
	b.SetWhyNot("not now: paint a mask first")
	if b.Tip() != "not now: paint a mask first" {
		t.Fatalf("tip %q", b.Tip())
	}
	b.SetWhyNot("")
	if b.Tip() != "does it" {
		t.Fatalf("own tip not back: %q", b.Tip())
	}
}

// The tip of a control in a dialog goes when the dialog closes (the
// control never hears that the pointer left: Open path's tip stayed over
// the window until the pointer moved); a tip in the window's content stays.
func TestTipGoesWithItsDialog(t *testing.T) {
	test.NewTempApp(t)
	saved := TipDelay
	TipDelay = 0
	t.Cleanup(func() { TipDelay = saved })
	w := test.NewTempWindow(t, nil)
	b := NewTipButton("Go", nil, "Starts it", nil)
	onTab := NewTipButton("Scrub", nil, "On a tab", nil)
	tab := container.NewVBox(onTab)
	w.SetContent(WithTips(w, container.NewVBox(b, tab)))
	w.Resize(fyne.NewSize(400, 300))
	inside := NewTipButton("Inside", nil, "In the dialog", nil)
	pop := widget.NewModalPopUp(container.NewVBox(widget.NewLabel("Sure?"), inside), w.Canvas())
	pop.Show()
	l := LayerFor(b)
	inside.MouseIn(&desktop.MouseEvent{PointEvent: fyne.PointEvent{AbsolutePosition: fyne.NewPos(20, 20)}})
	if l.Shown() != "In the dialog" {
		t.Fatalf("tip %q in the dialog", l.Shown())
	}
	pop.Hide()
	deadline := time.Now().Add(2 * time.Second)
	for l.Shown() != "" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if l.Shown() != "" {
		t.Fatal("the dialog's tip stayed after it closed")
	}
	b.MouseIn(&desktop.MouseEvent{PointEvent: fyne.PointEvent{AbsolutePosition: fyne.NewPos(20, 20)}})
	time.Sleep(3 * tipOwnerPoll)
	if l.Shown() != "Starts it" {
		t.Fatalf("the window's tip: %q", l.Shown())
	}
	// A control on a tab switched away from (its container hidden) takes
	// its tip with it: the timeline's stayed over the Train tab.
	onTab.MouseIn(&desktop.MouseEvent{PointEvent: fyne.PointEvent{AbsolutePosition: fyne.NewPos(20, 60)}})
	if l.Shown() != "On a tab" {
		t.Fatalf("tip %q on the tab", l.Shown())
	}
	tab.Hide()
	deadline = time.Now().Add(2 * time.Second)
	for l.Shown() != "" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if l.Shown() != "" {
		t.Fatal("the tip of a control on a hidden tab stayed")
	}
}

// Dragging a slider gives it the keyboard focus, as a tap does: the arrow
// keys pressed next moved the drop-down focused before (the style picker).
func TestDraggedSliderTakesTheFocus(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	sel := widget.NewSelect([]string{"a", "b", "c"}, nil)
	sel.SetSelected("a")
	sl := NewTipSlider(0, 10, "how much")
	w.SetContent(container.NewVBox(sel, sl))
	w.Resize(fyne.NewSize(300, 200))
	w.Canvas().Focus(sel)
	sl.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(100, 5)}})
	if w.Canvas().Focused() != fyne.Focusable(sl) {
		t.Fatalf("focus on %v after dragging the slider", w.Canvas().Focused())
	}
	w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft})
	if sel.Selected != "a" {
		t.Fatalf("the drop-down moved to %q", sel.Selected)
	}
}

// A TipLabel's tooltip goes when its text changes (the status line's tip
// went on showing an earlier message over the new one); another control's
// tip stays.
func TestTipLabelTipGoesWithItsText(t *testing.T) {
	test.NewTempApp(t)
	saved := TipDelay
	TipDelay = 0
	t.Cleanup(func() { TipDelay = saved })
	w := test.NewTempWindow(t, nil)
	status := NewTipLabel("The status line")
	b := NewTipButton("Go", nil, "Starts it", nil)
	w.SetContent(WithTips(w, container.NewVBox(status, b)))
	w.Resize(fyne.NewSize(400, 300))
	status.SetText("The emoji data is missing")
	l := LayerFor(status)
	at := &desktop.MouseEvent{PointEvent: fyne.PointEvent{AbsolutePosition: fyne.NewPos(20, 20)}}
	status.MouseIn(at)
	if l.Shown() != "The emoji data is missing\nThe status line" {
		t.Fatalf("tip %q", l.Shown())
	}
	status.SetText("No candidate #3")
	if l.Shown() != "" {
		t.Fatalf("the tip of the old text stays: %q", l.Shown())
	}
	b.MouseIn(at)
	status.SetText("Generating…")
	if l.Shown() != "Starts it" {
		t.Fatalf("a status change hid another control's tip: %q", l.Shown())
	}
	// A tip still waiting out its delay shows the text of the moment it
	// shows, not of the moment the pointer came in.
	TipDelay = 50 * time.Millisecond
	status.MouseIn(at)
	status.SetText("new message")
	time.Sleep(300 * time.Millisecond)
	var shown string
	fyne.DoAndWait(func() { shown = l.Shown() })
	if shown != "new message\nThe status line" {
		t.Errorf("the tip after a change during its delay: %q", shown)
	}
}
