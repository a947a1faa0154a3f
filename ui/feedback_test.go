package ui

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/ui/core"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// segmentText joins a rich text's segments.
func segmentText(segs []widget.RichTextSegment) string {
	var b strings.Builder
	for _, seg := range segs {
		if ts, ok := seg.(*widget.TextSegment); ok {
			b.WriteString(ts.Text)
		}
	}
	return b.String()
}

// segmentColor is the colour of the segment holding text ("" if none).
func segmentColor(segs []widget.RichTextSegment, text string) (fyne.ThemeColorName, bool) {
	for _, seg := range segs {
		if ts, ok := seg.(*widget.TextSegment); ok && strings.Contains(ts.Text, text) {
			return ts.Style.ColorName, true
		}
	}
	return "", false
}

// The negative prompt says plainly that it has no effect at guidance 1
// (in the panel and after a run), and its unknown words are marked as the
// prompt's are.
func TestNegativePromptSaysWhenItActs(t *testing.T) {
	s := newTestStudio(t)
	setParams(t, s, "red cat", 3, func(p *core.Params) { p.Guidance = 1; p.Negative = "blue zebra" })
	if note := s.panel.NegativeNote(); !strings.Contains(note, "no effect at guidance 1") {
		t.Fatalf("note %q", note)
	}
	segs := s.panel.negWords.Segments
	if c, ok := segmentColor(segs, "zebra?"); !ok || c != "error" {
		t.Fatalf("unknown negative word not marked: %q", segmentText(segs))
	}
	if c, ok := segmentColor(segs, "blue "); !ok || c == "error" {
		t.Fatalf("known negative word marked: %q", segmentText(segs))
	}
	if !strings.Contains(segmentText(segs), "1 unknown word left out: zebra") {
		t.Fatalf("negative marks %q", segmentText(segs))
	}
	generate(t, s)
	if !strings.Contains(s.Status(), "negative prompt had no effect at guidance 1") {
		t.Fatalf("status %q", s.Status())
	}
	s.panel.guidance.SetValue(3)
	if s.panel.NegativeNote() != "" {
		t.Fatal("the note stays at guidance 3")
	}
	generate(t, s)
	if strings.Contains(s.Status(), "no effect") {
		t.Fatalf("status %q at guidance 3", s.Status())
	}
	s.panel.guidance.SetValue(1)
	s.panel.negative.SetText("")
	if s.panel.NegativeNote() != "" {
		t.Fatal("a note for an empty negative prompt")
	}
}

// A path typed for the export is honoured as typed: a full path anywhere,
// "~/", or a name in the export folder; the export dialog holds the scale
// and filter and says the size; the metadata states the exported and the
// native size.
func TestExportTypedPathAndSizes(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	home, _ := os.UserHomeDir()
	for _, c := range []struct{ typed, want, err string }{
		{typed: filepath.Join(other, "cat.png"), want: filepath.Join(other, "cat.png")},
		{typed: "  " + filepath.Join(other, "cat") + " ", want: filepath.Join(other, "cat.png")},
		{typed: "cat.png", want: filepath.Join(dir, "cat.png")},
		{typed: "sub/../cat.PNG", want: filepath.Join(dir, "cat.PNG")},
		{typed: "~/x.png", want: filepath.Join(home, "x.png")},
		{typed: other, err: "is a folder"},
		{typed: filepath.Join(other, "no", "such", "x.png"), err: "does not exist"},
		{typed: "cat.jpg", err: ".png"},
		{typed: "  ", err: "type a file name"},
	} {
		got, err := resolveSavePath(c.typed, dir, ".png")
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: %q, %v; want an error saying %q", c.typed, got, err, c.err)
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("%q: %q, %v; want %q", c.typed, got, err, c.want)
		}
	}

	s := newTestStudio(t)
	generate(t, s)
	s.app.Preferences().SetString(prefExportDir, dir)
	full := filepath.Join(other, "typed.png")
	must(t, s.ExportAs(full))
	if _, err := os.Stat(full); err != nil {
		t.Fatalf("the full path typed was not honoured: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("the export went into the export folder too: %v", entries)
	}
	// the time-lapse takes a typed path the same way
	gif := filepath.Join(dir, "growth")
	must(t, s.TimelapseAs(gif))
	s.Wait()
	must(t, s.LastError())
	if _, err := os.Stat(gif + ".gif"); err != nil {
		t.Fatalf("the time-lapse was not written where typed: %v", err)
	}

	os.Remove(gif + ".gif")
	must(t, s.ExportAs(full)) // the last export folder is other again
	f := s.files.newExportForm()
	if !strings.HasPrefix(f.path.Text, other) {
		t.Fatalf("the form does not start in the last export folder: %q", f.path.Text)
	}
	f.scale.SetSelected(scaleOption(5))
	f.filter.SetSelected(Lanczos.String())
	if s.set.Scale() != 5 || s.set.Filter() != Lanczos || !strings.Contains(f.size.Text, "40×40 px") || !strings.Contains(f.size.Text, "8×8") {
		t.Fatalf("scale %d filter %v size %q", s.set.Scale(), s.set.Filter(), f.size.Text)
	}
	must(t, s.ExportAs("big"))
	text, err := pngmeta.ReadFile(filepath.Join(other, "big.png"))
	must(t, err)
	params := text["parameters"]
	for _, want := range []string{"Size: 40x40", "Native size: 8x8", "Upscale: 5x", "Upscale filter: Lanczos"} {
		if !strings.Contains(params, want) {
			t.Fatalf("parameters %q lack %q", params, want)
		}
	}
	rec := readRecord(t, filepath.Join(other, "big.png"))
	if rec.Width != 8 || rec.Height != 8 || rec.Extra[extraExportSize] != "40x40" {
		t.Fatalf("record width %d height %d export size %v", rec.Width, rec.Height, rec.Extra[extraExportSize])
	}
	if !strings.Contains(s.Status(), "40×40 px") {
		t.Fatalf("status %q", s.Status())
	}
	if strings.Contains(params, "Background") || rec.Extra[extraTransparent] != nil {
		t.Fatalf("a transparent background nobody asked for: %q", params)
	}
	// The form's transparent background is remembered and used.
	test.Tap(f.transparent)
	if !s.set.TransparentBackground() || !s.files.newExportForm().transparent.Checked {
		t.Fatal("the transparent background was not remembered")
	}
	// The tiny model's random colours leave no white around the picture:
	// nothing is cleared, which the status says and the file does not
	// claim (TestExportTransparentBackground clears a picture on white).
	must(t, s.ExportAs("clear"))
	if rec := readRecord(t, filepath.Join(other, "clear.png")); rec.Extra[extraTransparent] != nil {
		t.Fatalf("an export that cleared nothing records %v", rec.Extra[extraTransparent])
	}
	if st := s.Status(); !strings.Contains(st, ", no transparent background: no white touches the picture's border") {
		t.Fatalf("status %q", st)
	}
	// the export settings are in the export flow, not in the side panel
	for _, o := range leafObjects(s.edit.content) {
		if sel, ok := o.(*widgets.TipSelect); ok && strings.Contains(sel.Tip(), "Upscale") {
			t.Fatal("the upscale setting is still in the side panel")
		}
	}
}

// leafObjects lists the widgets and other leaves laid out in o, through
// containers, scrolls and splits but not into widgets.
func leafObjects(o fyne.CanvasObject) []fyne.CanvasObject {
	switch c := o.(type) {
	case *fyne.Container:
		var out []fyne.CanvasObject
		for _, ch := range c.Objects {
			out = append(out, leafObjects(ch)...)
		}
		return out
	case *container.Scroll:
		return leafObjects(c.Content)
	case *container.Split:
		return append(leafObjects(c.Leading), leafObjects(c.Trailing)...)
	case *container.AppTabs:
		var out []fyne.CanvasObject
		for _, it := range c.Items {
			out = append(out, leafObjects(it.Content)...)
		}
		return out
	}
	return []fyne.CanvasObject{o}
}

// shown is a leaf on screen: where it is drawn, cut to the scroll views
// around it.
type shown struct {
	o    fyne.CanvasObject
	pos  fyne.Position
	size fyne.Size
}

// visibleLeaves are the leaves of o that are shown, each cut to the scroll
// views it is in (clip: the visible area so far, absolute).
func visibleLeaves(o fyne.CanvasObject, clipPos fyne.Position, clipSize fyne.Size) []shown {
	if !o.Visible() {
		return nil
	}
	abs := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	switch c := o.(type) {
	case *fyne.Container:
		var out []shown
		for _, ch := range c.Objects {
			out = append(out, visibleLeaves(ch, clipPos, clipSize)...)
		}
		return out
	case *container.Scroll:
		p, sz := intersect(clipPos, clipSize, abs, c.Size())
		return visibleLeaves(c.Content, p, sz)
	case *container.Split:
		return append(visibleLeaves(c.Leading, clipPos, clipSize), visibleLeaves(c.Trailing, clipPos, clipSize)...)
	case *container.AppTabs:
		var out []shown
		for _, it := range c.Items {
			out = append(out, visibleLeaves(it.Content, clipPos, clipSize)...)
		}
		return out
	}
	p, sz := intersect(clipPos, clipSize, abs, o.Size())
	return []shown{{o, p, sz}}
}

// intersect is the intersection of two rectangles (empty: zero size).
func intersect(p1 fyne.Position, s1 fyne.Size, p2 fyne.Position, s2 fyne.Size) (fyne.Position, fyne.Size) {
	x0, y0 := max(p1.X, p2.X), max(p1.Y, p2.Y)
	x1, y1 := min(p1.X+s1.Width, p2.X+s2.Width), min(p1.Y+s1.Height, p2.Y+s2.Height)
	if x1 <= x0 || y1 <= y0 {
		return fyne.NewPos(x0, y0), fyne.Size{}
	}
	return fyne.NewPos(x0, y0), fyne.NewSize(x1-x0, y1-y0)
}

// Every control of the window has a tooltip, and resting the pointer on
// one shows it.
func TestEveryControlHasATooltip(t *testing.T) {
	s := newTestStudio(t)
	generate(t, s)
	var controls int
	for _, o := range leafObjects(s.Window().Content()) {
		switch w := o.(type) {
		case *widget.Button, *widget.Check, *widget.Slider, *widget.Select, *widget.Entry, *widget.RadioGroup:
			t.Errorf("a %T has no tooltip", w)
		case widgets.Tipped:
			controls++
			if w.Tip() == "" {
				t.Errorf("a %T has an empty tooltip", w)
			}
		case *widget.Toolbar:
			for _, it := range w.Items {
				if _, ok := it.(*widgets.TipAction); !ok {
					if _, ok := it.(widgets.ToolbarObject); !ok {
						if _, sep := it.(*widget.ToolbarSeparator); !sep {
							t.Errorf("toolbar item %T has no tooltip", it)
						}
					}
				}
			}
		}
	}
	if controls < 40 {
		t.Fatalf("only %d controls with tooltips found", controls)
	}
	old := widgets.TipDelay
	widgets.TipDelay = 0
	defer func() { widgets.TipDelay = old }()
	c := s.Window().Canvas()
	b := s.edit.regenerate
	minBefore := s.layoutMinSize()
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(b).Add(fyne.NewPos(5, 5))
	test.MoveMouse(c, pos)
	layer := widgets.LayerFor(b)
	if layer == nil || layer.Shown() != b.Tip() {
		t.Fatalf("hovering %q shows %q", b.Text, layer.Shown())
	}
	if sz := layer.ShownSize(); sz.Width < 200 || sz.Height > sz.Width {
		t.Fatalf("the tooltip of %q is %v: a narrow strip", b.Text, sz)
	}
	if got := s.layoutMinSize(); got != minBefore {
		t.Fatalf("showing a tooltip changed the window's minimum size from %v to %v", minBefore, got)
	}
	test.MoveMouse(c, fyne.NewPos(1, 1))
	if layer.Shown() != "" {
		t.Fatal("the tooltip stays after the pointer left")
	}
	// An error dialog hides a tip shown under the pointer (one stayed
	// over the Open path dialog's error).
	test.MoveMouse(c, pos)
	if layer.Shown() == "" {
		t.Fatal("no tip to hide")
	}
	s.showError(errors.New("no such file"))
	if layer.Shown() != "" {
		t.Fatal("the tooltip stays over an error dialog")
	}
	s.closeError()
	// a long status message can be read whole
	long := strings.Repeat("a long message ", 40) + "END"
	s.setStatus(long)
	if !strings.Contains(s.status.Tip(), "END") || !strings.HasSuffix(s.StatusLog()[len(s.StatusLog())-1], "END") {
		t.Fatal("a long status message cannot be read whole")
	}
	// The same message again is logged once; an error shown is logged too.
	n := len(s.StatusLog())
	s.setStatus(long)
	s.showError(errors.New("something broke"))
	s.errDialog.close()
	if got := s.StatusLog(); len(got) != n+1 || !strings.HasSuffix(got[n], "Error: something broke") {
		t.Fatalf("status log after a repeat and an error: %q", got[n-1:])
	}
}

// Nothing moves under the pointer when candidates, the likelihood legend
// or history notes appear; at the smallest window size nothing overlaps
// and the toolbar keeps every icon.
func TestLayoutKeepsItsPlaceAndMinimumSize(t *testing.T) {
	s := newTestStudio(t)
	pos := func(o fyne.CanvasObject) fyne.Position {
		return fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	}
	watched := []fyne.CanvasObject{s.tl.slider, s.tl.branch, s.runs.bar, s.edit.regenerate, s.panel.generate, s.status, s.canvas}
	before := make([]fyne.Position, len(watched))
	sizes := make([]fyne.Size, len(watched))
	for i, o := range watched {
		before[i], sizes[i] = pos(o), o.Size()
	}
	setParams(t, s, "red cat", 5, func(p *core.Params) { p.Batch = 3 })
	generate(t, s) // candidates and history appear
	must(t, s.tl.Scrub(4))
	must(t, s.BranchFromHere()) // a history entry with a note
	s.Wait()
	must(t, s.LastError())
	s.likelihood.Set(true) // the legend
	s.Wait()
	if s.Candidates() != 3 || s.likelihood.legend.Text() == "" || s.history.Thumbs()[0].Note == "" {
		t.Fatal("the test did not show what it means to")
	}
	for i, o := range watched {
		if pos(o) != before[i] || o.Size() != sizes[i] {
			t.Errorf("%T moved from %v %v to %v %v", o, before[i], sizes[i], pos(o), o.Size())
		}
	}
	// history thumbnails are all the same size and their captions fit
	for _, th := range s.history.Thumbs() {
		if th.Size() != s.history.Thumbs()[0].Size() {
			t.Fatal("history thumbnails differ in size")
		}
		texts := 0
		for _, o := range test.WidgetRenderer(th).Objects() {
			txt, ok := o.(*canvas.Text)
			if !ok {
				continue
			}
			texts++
			if w := fyne.MeasureText(txt.Text, txt.TextSize, txt.TextStyle).Width; w > th.Size().Width {
				t.Fatalf("caption %q (%.0f) is wider than its thumbnail (%.0f)", txt.Text, w, th.Size().Width)
			}
		}
		if texts < 2 {
			t.Fatalf("a history thumbnail draws %d texts, want its caption and note", texts)
		}
	}

	min := s.layoutMinSize()
	t.Logf("minimum window size %v", min)
	if min.Width > 1100 || min.Height > 800 || min.Width < 700 {
		t.Fatalf("minimum window size %v", min)
	}
	// The window at its smallest: its content's minimum and the padding
	// around it (a window of the content's minimum gave the content 8 px
	// less than it needs).
	pad := 2 * theme.Padding()
	if !s.Window().Padded() {
		pad = 0
	}
	for _, size := range []fyne.Size{min.AddWidthHeight(pad, pad), fyne.NewSize(1200, 800)} {
		s.Window().Resize(size)
		tb := findToolbar(t, s.Window().Content())
		if tb.Size().Width < tb.MinSize().Width {
			t.Fatalf("%v: the toolbar is cut (%.0f of %.0f)", size, tb.Size().Width, tb.MinSize().Width)
		}
		leaves := visibleLeaves(s.Window().Content(), fyne.NewPos(0, 0), size)
		for i, a := range leaves {
			if a.o == s.canvas || a.o == s.noModel {
				continue
			}
			if isLayer(a.o) {
				continue // spacers, the tooltip's box and the wheel relays
			}
			for _, b := range leaves[i+1:] {
				if isLayer(b.o) {
					continue
				}
				if overlaps(a.pos, a.size, b.pos, b.size) {
					t.Fatalf("%v: %T %q at %v %v overlaps %T %q at %v %v", size, a.o, labelOf(a.o), a.pos, a.size, b.o, labelOf(b.o), b.pos, b.size)
				}
			}
		}
	}
}

// isLayer reports whether o is drawn over or under other controls on
// purpose: a rectangle (a spacer, the tooltip's box) or a wheel relay.
func isLayer(o fyne.CanvasObject) bool {
	switch o.(type) {
	case *canvas.Rectangle, *widgets.WheelRelay:
		return true
	}
	return false
}

// findToolbar finds the window's toolbar.
func findToolbar(t *testing.T, o fyne.CanvasObject) *widget.Toolbar {
	t.Helper()
	for _, l := range leafObjects(o) {
		if tb, ok := l.(*widget.Toolbar); ok {
			return tb
		}
	}
	t.Fatal("no toolbar")
	return nil
}

// overlaps reports whether two rectangles with some area intersect.
func overlaps(p1 fyne.Position, s1 fyne.Size, p2 fyne.Position, s2 fyne.Size) bool {
	if s1.Width < 1 || s1.Height < 1 || s2.Width < 1 || s2.Height < 1 {
		return false
	}
	const e = 0.5
	return p1.X+s1.Width > p2.X+e && p2.X+s2.Width > p1.X+e && p1.Y+s1.Height > p2.Y+e && p2.Y+s2.Height > p1.Y+e
}

// labelOf is a widget's text, for messages.
func labelOf(o fyne.CanvasObject) string {
	switch w := o.(type) {
	case *widget.Label:
		return w.Text
	case *widgets.TipButton:
		return w.Text
	case *widgets.TipCheck:
		return w.Text
	}
	return ""
}

// Each menu item with a button is enabled exactly when the button is.
func TestMenuFollowsButtons(t *testing.T) {
	s := newTestStudio(t)
	check := func(when string) {
		t.Helper()
		for key, b := range s.menuButtons() {
			if it := s.menu[key]; it == nil || it.Disabled != b.Disabled() {
				t.Fatalf("%s: menu %q disabled=%v, its button disabled=%v", when, key, it != nil && it.Disabled, b.Disabled())
			}
		}
	}
	check("no image")
	if !s.menu["branch"].Disabled || !s.menu["resume"].Disabled {
		t.Fatal("Branch from here and Continue are enabled without an image")
	}
	generate(t, s)
	check("an image")
	if !s.menu["branch"].Disabled {
		t.Fatal("Branch from here enabled with the timeline at the end")
	}
	must(t, s.tl.Scrub(3))
	check("rewound")
	if s.menu["branch"].Disabled {
		t.Fatal("Branch from here disabled with the timeline rewound")
	}
	s.runs.onPatch = func(ev sampler.Event) {
		if ev.Step == 4 {
			s.Stop()
		}
	}
	generate(t, s)
	check("stopped")
	if s.menu["resume"].Disabled {
		t.Fatal("Continue disabled for a stopped image")
	}
	hold := make(chan struct{})
	var once, release sync.Once
	free := func() { release.Do(func() { s.Stop(); close(hold) }) }
	defer free()
	started := make(chan struct{})
	s.runs.onPatch = func(sampler.Event) {
		once.Do(func() { close(started) })
		<-hold
	}
	must(t, s.Resume())
	<-started
	s.loop.(*testLoop).runQueued()
	check("busy")
	if !s.menu["generate"].Disabled || s.menu["stop"].Disabled {
		t.Fatalf("while busy: Generate disabled %v, Stop disabled %v", s.menu["generate"].Disabled, s.menu["stop"].Disabled)
	}
	free()
	s.Wait()
	check("after the run")
}

// The brush ring is drawn only while the pointer is over the canvas, and
// not over an empty canvas (its hint in place of an image).
func TestBrushRingOnlyOverCanvas(t *testing.T) {
	s := newTestStudio(t)
	lc := s.Canvas()
	c := s.Window().Canvas()
	test.MoveMouse(c, patchCenter(s, 1, 1))
	if lc.Message() == "" || lc.BrushRingShown() {
		t.Fatalf("an empty canvas (hint %q) shows the brush ring: %v", lc.Message(), lc.BrushRingShown())
	}
	test.MoveMouse(c, fyne.NewPos(2, 2))
	generate(t, s)
	test.MoveMouse(c, patchCenter(s, 1, 1))
	if !lc.BrushRingShown() {
		t.Fatal("no brush ring over the canvas")
	}
	test.MoveMouse(c, fyne.NewPos(2, 2))
	if lc.BrushRingShown() {
		t.Fatal("the brush ring stays when the pointer left")
	}
	// a drag that ends off the canvas (a timeline drag, a stroke) leaves none
	in := fyne.NewPos(lc.Size().Width/2, lc.Size().Height/2)
	lc.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: in}, Dragged: fyne.Delta{DY: 1}})
	if !lc.BrushRingShown() {
		t.Fatal("no brush ring while dragging over the canvas")
	}
	lc.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: in.Add(fyne.NewPos(0, lc.Size().Height))}, Dragged: fyne.Delta{DY: lc.Size().Height}})
	lc.DragEnd()
	if lc.BrushRingShown() {
		t.Fatal("a drag that ended off the canvas left the brush ring")
	}
	lc.MouseIn(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(5, 5)}})
	lc.MouseUp(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(-5, 5)}})
	if lc.BrushRingShown() {
		t.Fatal("a button released off the canvas left the brush ring")
	}
	s.paint.setTool(widgets.ToolPan)
	test.MoveMouse(c, patchCenter(s, 1, 1))
	if lc.BrushRingShown() {
		t.Fatal("a brush ring for the pan tool")
	}
}

// Ctrl+Q quits (through the same checks as closing the window).
func TestCtrlQQuits(t *testing.T) {
	s := newTestStudio(t)
	generate(t, s)
	q := s.menu["quit"]
	if q == nil || !q.IsQuit || q.Shortcut == nil || q.Shortcut.(*desktop.CustomShortcut).KeyName != fyne.KeyQ {
		t.Fatal("no Quit item with Ctrl+Q")
	}
	sc, ok := s.Window().Canvas().(interface{ TypedShortcut(fyne.Shortcut) })
	if !ok {
		t.Fatal("the test canvas takes no shortcuts")
	}
	sc.TypedShortcut(shortcut(fyne.KeyQ, 0))
	if !s.closing {
		t.Fatal("Ctrl+Q did not quit")
	}
}

// Tab completes the likeliest word (the one the model learned most), a
// word being typed is not flagged unknown, and a prompt the model cannot
// read at all is said so before generating.
func TestPromptCompletionAndUnknownWords(t *testing.T) {
	b := smallBundle(t, []string{"head", "heart", "red"})
	// make "heart" the word the model learned most
	wte := b.Model.Wte.Data().([]float32)
	d, K := b.Model.Config.NEmbd, b.Model.Config.Codes()
	for _, w := range []struct {
		id    int
		scale float32
	}{{1, 0.2}, {2, 5}} { // head, heart
		for k := range d {
			wte[(K+w.id)*d+k] *= w.scale
		}
	}
	e := newEnv(t)
	e.models = tinyModels{b: b}
	s := e.open(t)
	entry := s.panel.prompt
	entry.SetText("")
	slot := s.panel.readsSlot
	test.Type(entry, "red ")
	h0, reads := slot.MinSize().Height, s.panel.words.Visible() && !s.panel.suggestBox.Visible()
	test.Type(entry, "hea")
	if h := slot.MinSize().Height; h != h0 || !reads || !s.panel.suggestBox.Visible() || s.panel.words.Visible() {
		t.Fatalf("the completions' slot changed height from %g to %g, or did not swap what the model reads (%v) for completions: the settings below it jump", h0, h, reads)
	}
	if len(s.panel.completions) != 2 || s.panel.completions[0] != "heart" {
		t.Fatalf("completions %v: want heart first", s.panel.completions)
	}
	segs := s.panel.words.Segments
	if c, _ := segmentColor(segs, "hea"); c == "error" || strings.Contains(segmentText(segs), "unknown") {
		t.Fatalf("the word being typed is flagged: %q", segmentText(segs))
	}
	entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyTab})
	if entry.Text != "red heart " {
		t.Fatalf("after Tab: %q", entry.Text)
	}
	// Completions offered when a run starts give way to what the model
	// reads.
	test.Type(entry, "hea")
	if !s.panel.suggestBox.Visible() {
		t.Fatal("no completions for hea")
	}
	s.panel.SetRunning(true)
	if s.panel.suggestBox.Visible() || !s.panel.words.Visible() || len(s.panel.completions) != 0 {
		t.Error("the completions stay over what the model reads during a run")
	}
	s.panel.SetRunning(false)
	// A click elsewhere (a slider, the canvas) takes the focus from the
	// prompt: its completions give way to what the model reads, and a
	// refresh of the panel (the cursor moved, a setting changed) does not
	// bring them back; back in the prompt, they are offered again.
	entry.SetText("red heart ")
	test.Type(entry, "hea")
	s.win.Canvas().Focus(s.canvas)
	s.panel.promptChanged()
	if s.panel.suggestBox.Visible() || !s.panel.words.Visible() || len(s.panel.completions) != 0 {
		t.Error("the completions stay under a prompt that lost the focus")
	}
	s.win.Canvas().Focus(entry)
	if !s.panel.suggestBox.Visible() {
		t.Error("back in the prompt, no completions for hea")
	}
	entry.SetText("red heart ")
	entry.SetText("red hea zzz")
	if !strings.Contains(segmentText(s.panel.words.Segments), "unknown words left out: hea (head?), zzz") {
		t.Fatalf("a finished unknown word is not flagged: %q", segmentText(s.panel.words.Segments))
	}

	entry.SetText("redd heart")
	if got := segmentText(s.panel.words.Segments); !strings.Contains(got, "left out: redd (red?)") {
		t.Fatalf("no suggestion for a misspelt word: %q", got)
	}

	lockSeed(t, s, "heartt", 3)
	if err := s.Generate(); err == nil || !strings.Contains(err.Error(), "Did you mean: heartt → heart?") {
		t.Fatalf("a misspelt prompt: %v", err)
	}
	// The question offers the suggestion; taking it generates with it.
	s.generateAsked()
	if !s.promptAsk.shown() {
		t.Fatal("a misspelt prompt did not ask")
	}
	askButtons := func(what string, want ...string) {
		t.Helper()
		markup := test.RenderObjectToMarkup(s.Window().Canvas().Overlays().Top())
		for _, b := range want {
			if !strings.Contains(markup, b) {
				t.Errorf("%s: the question has no %q button:\n%s", what, b, markup)
			}
		}
		if strings.Contains(markup, ">Yes<") || strings.Contains(markup, ">No<") {
			t.Errorf("%s: the question has Yes/No buttons, not its own", what)
		}
	}
	askButtons("misspelt", "Cancel", "Generate anyway", `Use "heart"`)
	s.UseCorrectedPrompt("heart")
	s.Wait()
	must(t, s.LastError())
	if s.promptAsk.shown() || s.panel.prompt.Text != "heart" || s.Document().Empty() || s.Document().ImageParams().Prompt != "heart" {
		t.Fatalf("after using the suggestion: asked %v, prompt %q, image prompt %q", s.promptAsk.shown(), s.panel.prompt.Text, s.Document().ImageParams().Prompt)
	}

	lockSeed(t, s, "zebra quux", 3)
	err := s.Generate()
	var unknown errPromptUnknown
	if !errors.As(err, &unknown) || s.Running() != "" {
		t.Fatalf("a prompt of unknown words generated: %v", err)
	}
	s.generateAsked()
	if !hasDialog(s) || s.Status() != statusPromptUnknown {
		t.Fatalf("the button did not ask first (status %q)", s.Status())
	}
	askButtons("unknown", "Cancel", "Generate anyway")
	n := len(s.Window().Canvas().Overlays().List())
	s.generateAsked() // Ctrl+Enter again while the question is up
	if m := len(s.Window().Canvas().Overlays().List()); m != n {
		t.Fatalf("asking again while the question is on screen: %d overlays, then %d", n, m)
	}
	s.promptAsk.close()
	if s.promptAsk.shown() || hasDialog(s) {
		t.Fatal("the question, closed, still counts as on screen")
	}
	s.panel.prompt.SetText("zebra quux cat")
	if s.Status() == statusPromptUnknown {
		t.Error("the status still says the prompt is unknown after it was edited")
	}
	s.panel.prompt.SetText("zebra quux")
	must(t, s.generate(true)) // "generate anyway"
	s.Wait()
	must(t, s.LastError())
	if s.Document().Empty() {
		t.Fatal("generate anyway did not generate")
	}
}

// Autosave keeps what the user keeps; the history's context menu deletes,
// marks favourites, reveals the folder and filters by model.
func TestHistoryContextMenu(t *testing.T) {
	e, _ := twoModels(t)
	s := e.open(t)
	var revealed string
	s.history.reveal = func(dir string) error { revealed = dir; return nil }
	setParams(t, s, "red cat", 5, func(p *core.Params) { p.Batch = 4 })
	generate(t, s)
	if files, _ := filepath.Glob(filepath.Join(s.OutputsDir(), "*.png")); len(files) != 1 {
		t.Fatalf("a batch of 4 autosaved %d files: want the one kept", len(files))
	}
	must(t, s.OpenModel("tiny2"))
	s.Wait()
	lockSeed(t, s, "blue dog", 6)
	generate(t, s)
	if s.HistoryLen() != 2 {
		t.Fatalf("history %d", s.HistoryLen())
	}
	first := s.history.Thumbs()[1]
	test.TapSecondary(first)
	if !hasDialog(s) {
		t.Fatal("no context menu")
	}
	menu := test.RenderObjectToMarkup(s.Window().Canvas().Overlays().Top())
	for _, want := range []string{"Open", "Mark as favourite", "Reveal in folder", "Show only", "Delete file"} {
		if !strings.Contains(menu, want) {
			t.Fatalf("the context menu lacks %q", want)
		}
	}
	s.Window().Canvas().Overlays().Top().Hide()
	item := s.history.items[1]

	s.history.ToggleFavourite(item.path)
	if !strings.HasPrefix(s.history.Thumbs()[1].Caption, "★") {
		t.Fatal("the favourite is not starred")
	}
	// Its menu now offers the way back, as an action.
	test.TapSecondary(s.history.Thumbs()[1])
	if menu := test.RenderObjectToMarkup(s.Window().Canvas().Overlays().Top()); !strings.Contains(menu, "Remove from favourites") {
		t.Fatal("a favourite's menu does not offer to remove it from the favourites")
	}
	s.Window().Canvas().Overlays().Top().Hide()
	// The filter offers the favourites alone (they could be marked and
	// not found again), and lets go of it once none is left.
	if !slices.Contains(s.history.models.Options, favouritesOnly) {
		t.Fatalf("filter options %q", s.history.models.Options)
	}
	s.history.Filter(favouritesOnly)
	if s.HistoryLen() != 1 || !strings.HasPrefix(s.history.Thumbs()[0].Caption, "★") {
		t.Fatalf("the favourites filter shows %d pictures", s.HistoryLen())
	}
	s.history.ToggleFavourite(item.path)
	if s.HistoryLen() != 2 || slices.Contains(s.history.models.Options, favouritesOnly) {
		t.Fatalf("no favourite left: %d pictures shown, options %q", s.HistoryLen(), s.history.models.Options)
	}
	s.history.ToggleFavourite(item.path)
	must(t, s.history.Reveal(item.path))
	if revealed != filepath.Dir(item.path) {
		t.Fatalf("revealed %q", revealed)
	}
	// Without a file manager the error says so and where the file is.
	s.history.reveal = func(string) error { return &exec.Error{Name: "xdg-open", Err: exec.ErrNotFound} }
	if err := s.history.Reveal(item.path); err == nil || !strings.Contains(err.Error(), "no file manager") || !strings.Contains(err.Error(), filepath.Dir(item.path)) {
		t.Fatalf("reveal without xdg-open: %v", err)
	}
	s.history.reveal = func(dir string) error { revealed = dir; return nil }
	s.history.Filter(s.history.items[0].model)
	s.history.items[1].model = "other" // the two tiny models share a name; tell them apart
	s.history.Filter("other")
	if s.HistoryLen() != 1 || !slices.Contains(s.history.models.Options, "other") {
		t.Fatalf("filtered history %d, options %v", s.HistoryLen(), s.history.models.Options)
	}
	// The filter is kept for the next start (it came back "All models").
	again := newHistoryPanel(s, s.win, s.app)
	again.set(s.history.items)
	if again.Len() != 1 || again.models.Selected != "other" {
		t.Fatalf("a new strip shows %d (filter %q)", again.Len(), again.models.Selected)
	}
	s.history.Filter(allModels)
	if s.HistoryLen() != 2 {
		t.Fatal("the filter did not clear")
	}
	must(t, s.history.Delete(item.path))
	if _, err := os.Stat(item.path); !errors.Is(err, os.ErrNotExist) || s.HistoryLen() != 1 {
		t.Fatal("the file was not deleted")
	}
	if slices.Contains(s.app.Preferences().StringList(prefFavourites), item.path) {
		t.Fatal("a deleted file stays a favourite")
	}
	// A file moved away outside Tessera: clicking its entry says so plainly
	// and takes it out of the strip (it stayed, with "stat …: no such file").
	moved := s.history.items[0]
	must(t, os.Rename(moved.path, filepath.Join(t.TempDir(), "moved.png")))
	tokens := s.Document().Tokens()
	test.Tap(s.history.Thumbs()[0])
	if err := s.LastError(); err == nil || !strings.Contains(err.Error(), "it was moved or deleted outside Tessera, so it is taken out of the history") || s.HistoryLen() != 0 {
		t.Fatalf("a moved file's entry: %v, history %d", err, s.HistoryLen())
	}
	if !slices.Equal(s.Document().Tokens(), tokens) {
		t.Fatal("the image on the canvas changed")
	}
}

// A newcomer's empty canvas says what to do; the toolbar shows the zoom
// and offers 1:1; ▶ replays the generation patch by patch.
func TestEmptyHintZoomAndReplay(t *testing.T) {
	s := newTestStudio(t)
	if !strings.Contains(s.Canvas().Message(), "Generate") {
		t.Fatalf("empty canvas message %q", s.Canvas().Message())
	}
	generate(t, s)
	if s.Canvas().Message() != "" {
		t.Fatal("the hint stays over the image")
	}
	s.Canvas().ZoomActual()
	if p := s.Canvas().ZoomPercent(); p < 99.9 || p > 100.1 || s.zoomLabel.Text != "100%" {
		t.Fatalf("1:1 is %.1f%% (label %q)", p, s.zoomLabel.Text)
	}
	var undo *widgets.TipButton
	for _, it := range findToolbar(t, s.Window().Content()).Items {
		if a, ok := it.(*widgets.TipAction); ok && strings.HasPrefix(a.Tip(), "Undo") {
			undo = a.ToolbarObject().(*widgets.TipButton)
		}
	}
	at := fyne.CurrentApp().Driver().AbsolutePositionForObject(undo)
	for i := 0; i < 5; i++ {
		s.Canvas().ZoomBy(2)
	}
	if s.zoomLabel.Text != fmt.Sprintf("%.0f%%", s.Canvas().ZoomPercent()) || len(s.zoomLabel.Text) < 5 {
		t.Fatalf("label %q for %.0f%%", s.zoomLabel.Text, s.Canvas().ZoomPercent())
	}
	if fyne.CurrentApp().Driver().AbsolutePositionForObject(undo) != at {
		t.Fatal("the toolbar icons moved when the zoom figure grew")
	}
	s.Canvas().ZoomFit()
	if !strings.HasPrefix(s.zoomLabel.Text, "Fit") {
		t.Fatalf("label %q when fitted", s.zoomLabel.Text)
	}

	s.tl.frame = 0
	var mu sync.Mutex
	var seen []int
	tokens := s.Document().Tokens()
	s.tl.onScrub = func(k int) {
		mu.Lock()
		seen = append(seen, k)
		mu.Unlock()
	}
	test.Tap(s.tl.play)
	if !s.tl.Replaying() {
		t.Fatal("▶ did not start a replay")
	}
	s.Wait()
	if s.tl.Replaying() || len(seen) != len(tokens)+1 || seen[0] != 0 || seen[len(seen)-1] != len(tokens) {
		t.Fatalf("replay showed %v", seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] <= seen[i-1] {
			t.Fatalf("replay went back: %v", seen)
		}
	}
	if !slices.Equal(s.Canvas().Image().Pix, s.Bundle().Decode(tokens).Pix) || s.shownPatches() != len(tokens) {
		t.Fatal("the replay did not end on the whole image")
	}
	// Rewound, ▶ goes on from there (it started again from nothing).
	must(t, s.tl.Scrub(9))
	seen = nil
	test.Tap(s.tl.play)
	s.Wait()
	if len(seen) == 0 || seen[0] != 9 || seen[len(seen)-1] != len(tokens) || len(seen) != len(tokens)-9+1 {
		t.Fatalf("a replay from patch 9 showed %v", seen)
	}
}

// An error shown closes with Escape or Return, and a newer error replaces
// it instead of piling up on it; with no error shown Escape stops a run.
func TestErrorDialogKeys(t *testing.T) {
	s := newTestStudio(t)
	c := s.Window().Canvas()
	// Keys go where the window sends them: to the focused widget (that of
	// the topmost overlay while one is shown), else to the canvas handler.
	press := func(k fyne.KeyName) {
		ev := &fyne.KeyEvent{Name: k}
		if f := c.Focused(); f != nil {
			f.TypedKey(ev)
			return
		}
		c.OnTypedKey()(ev)
	}
	overlays := func() int { return len(c.Overlays().List()) }
	// The user was typing a prompt when the errors came.
	c.Focus(s.panel.prompt)
	s.showError(errors.New("first"))
	s.showError(errors.New("second"))
	if n := overlays(); n != 1 {
		t.Fatalf("%d dialogs shown after two errors, want the newest only", n)
	}
	press(fyne.KeyEscape)
	if hasDialog(s) {
		t.Fatal("Escape did not close the error")
	}
	s.showError(errors.New("third"))
	press(fyne.KeyReturn)
	if hasDialog(s) {
		t.Fatal("Return did not close the error")
	}
	if s.closeError() {
		t.Fatal("an error is still recorded as shown")
	}
	if c.Focused() != s.panel.prompt {
		t.Errorf("focus after the errors closed: %T, want the prompt back", c.Focused())
	}
}

// Escape closes the dialog on top as its dismiss button would (the
// Help's list of keys promises it): the status log, the question before
// generating a prompt of unknown words (its callback sees a cancel: no
// image), a confirmation, and Fyne's file dialog; with no dialog it stops.
func TestEscapeClosesDialogs(t *testing.T) {
	s := newTestStudio(t)
	c := s.Window().Canvas()
	escape := func() { c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape}) }
	for name, show := range map[string]func(){
		"status log": s.showStatusLog,
		"unknown prompt": func() {
			lockSeed(t, s, "zebra quux", 3)
			s.generateAsked()
		},
		"confirmation": func() { dialog.ShowConfirm("Replace?", "Replace the file?", func(bool) {}, s.Window()) },
		"open image":   s.files.showOpen,
	} {
		show()
		if !hasDialog(s) {
			t.Fatalf("%s: no dialog shown", name)
		}
		escape()
		if hasDialog(s) {
			t.Errorf("%s: Escape did not close it", name)
			for hasDialog(s) {
				c.Overlays().Top().Hide()
				c.Overlays().Remove(c.Overlays().Top())
			}
		}
	}
	if !s.Document().Empty() || s.promptAsk.shown() {
		t.Error("Escape on the unknown-prompt question generated, or left it recorded as shown")
	}
}

// Saving into a folder that does not exist offers to create it: Yes makes
// the folders and saves, No brings the save dialog back and makes nothing.
func TestSaveOffersToCreateTheFolder(t *testing.T) {
	s := newTestStudio(t)
	generate(t, s)
	root := t.TempDir()
	save := func(typed string) error { return s.ExportAs(typed) }
	again := 0

	no := filepath.Join(root, "not", "this", "cat.png")
	s.files.saveTo(no, ".png", save, func() { again++ })
	top := s.Window().Canvas().Overlays().Top()
	if top == nil || findButton(top, []string{"No"}) == nil {
		t.Fatal("no question for a missing folder")
	}
	findButton(top, []string{"No"}).OnTapped()
	if _, err := os.Stat(filepath.Join(root, "not")); !errors.Is(err, os.ErrNotExist) || again != 1 {
		t.Fatalf("No made a folder (%v) or did not bring the dialog back (%d)", err, again)
	}

	yes := filepath.Join(root, "new", "folder", "cat.png")
	s.files.saveTo(yes, ".png", save, func() { again++ })
	top = s.Window().Canvas().Overlays().Top()
	if top == nil || findButton(top, []string{"Yes"}) == nil {
		t.Fatal("no question for a missing folder")
	}
	findButton(top, []string{"Yes"}).OnTapped()
	s.Wait()
	must(t, s.LastError())
	if _, err := os.Stat(yes); err != nil || again != 1 {
		t.Fatalf("after Yes: %v, dialog shown again %d times", err, again-1)
	}
}

// Return presses a dialog's default button (Yes of "Create the folder?")
// but never a destructive one (Replace, Delete, Quit: drawn as dangers);
// the brush keys do nothing behind a dialog.
func TestReturnAndRunesWithADialog(t *testing.T) {
	s := newTestStudio(t)
	generate(t, s)
	c := s.Window().Canvas()
	key := func(k fyne.KeyName) { c.OnTypedKey()(&fyne.KeyEvent{Name: k}) }
	root := t.TempDir()
	save := func(typed string) error { return s.ExportAs(typed) }

	created := filepath.Join(root, "new", "cat.png")
	s.files.saveTo(created, ".png", save, nil)
	key(fyne.KeyReturn)
	s.Wait()
	must(t, s.LastError())
	if _, err := os.Stat(created); err != nil || hasDialog(s) {
		t.Fatalf("Return on \"Create the folder?\": %v, dialog still shown %v", err, hasDialog(s))
	}

	before, _ := os.ReadFile(created)
	s.files.saveTo(created, ".png", func(string) error { return os.WriteFile(created, []byte("replaced"), 0o644) }, nil)
	if !hasDialog(s) {
		t.Fatal("no question before replacing a file")
	}
	brush := s.canvas.BrushSize()
	c.OnTypedRune()(']')
	if s.canvas.BrushSize() != brush {
		t.Error("] changed the brush behind a dialog")
	}
	key(fyne.KeyReturn)
	if after, _ := os.ReadFile(created); string(after) != string(before) || !hasDialog(s) {
		t.Fatal("Return replaced a file (a destructive Yes)")
	}
	key(fyne.KeyEscape)
	if hasDialog(s) {
		t.Fatal("Escape did not close the question")
	}
	c.OnTypedRune()(']')
	if s.canvas.BrushSize() == brush {
		t.Error("] did nothing with no dialog")
	}
}

// The outputs folder takes "~/…" as the home folder (it made a folder
// named "~" in the working folder) and refuses a relative or unwritable
// one; the Settings dialog comes back with what was typed.
func TestOutputsFolderSetting(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	s := newTestStudio(t)
	before := s.outputsDir
	must(t, s.SetOutputsDir("~/pics"))
	if want := filepath.Join(home, "pics"); s.outputsDir != want {
		t.Fatalf("outputs folder %q, want %q", s.outputsDir, want)
	}
	// The History strip follows the folder: said, with where the pictures
	// it showed are.
	if !strings.Contains(s.Status(), "(those in "+before+" stay there") {
		t.Errorf("status %q", s.Status())
	}
	if err := s.SetOutputsDir("pics"); err == nil || !strings.Contains(err.Error(), "full path") {
		t.Errorf("a relative folder: %v", err)
	}
	if err := s.SetOutputsDir("/proc/tessera-out"); err == nil {
		t.Error("an unwritable folder was taken")
	}
	file := filepath.Join(t.TempDir(), "text.png")
	must(t, os.WriteFile(file, []byte("x"), 0o644))
	for _, dir := range []string{file, filepath.Join(file, "out")} {
		if err := s.SetOutputsDir(dir); err == nil || !strings.Contains(err.Error(), "is a file, not a folder") {
			t.Errorf("outputs folder %s: %v", dir, err)
		}
	}

	s.files.showSettings()
	top := s.Window().Canvas().Overlays().Top()
	var entry *widget.Entry
	var tipEntry *widgets.TipEntry
	var check *widget.Check
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *widgets.TipCheck:
			check = &v.Check
		case *widget.Entry:
			entry = v
		case *widgets.TipEntry:
			entry = &v.Entry
			tipEntry = v
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case *widget.PopUp:
			walk(v.Content)
		case *widget.Form:
			for _, it := range v.Items {
				walk(it.Widget)
			}
		}
	}
	walk(top)
	if entry == nil {
		t.Fatal("no outputs field in Settings")
	}
	entry.SetText("/proc/tessera-out")
	// Also chosen before the refused Save: grid lines on, another order.
	gridBefore, rankBefore := s.files.grid(), s.set.RankBy()
	s.files.settingsRank.SetSelected(rankGainLabel)
	if check == nil {
		t.Fatal("no grid check in Settings")
	}
	check.SetChecked(!gridBefore)
	findButton(top, []string{"Save"}).OnTapped()
	if s.files.grid() != gridBefore || s.set.RankBy() != rankBefore {
		t.Fatalf("a refused Save applied the other settings: grid %v, order %q", s.files.grid(), s.set.RankBy())
	}
	if r := s.files.settingsRank; r == nil || r.Selected != rankGainLabel {
		t.Fatalf("the dialog back under the error lost the order chosen: %v", r)
	}
	var again *widget.Entry
	entry = nil
	for _, o := range s.Window().Canvas().Overlays().List() {
		walk(o)
		if entry != nil && entry.Text == "/proc/tessera-out" {
			again = entry
		}
	}
	if again == nil || s.LastError() == nil {
		t.Fatalf("the refused folder: dialog back with it %v, error %v", again != nil, s.LastError())
	}
	// Cancel on the dialog back under the error changes nothing: Escape
	// in its focused field closes it as Cancel does.
	s.closeError()
	n := len(s.Window().Canvas().Overlays().List())
	tipEntry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if got := len(s.Window().Canvas().Overlays().List()); got != n-1 {
		t.Fatalf("Escape in the outputs field: %d dialogs, want %d", got, n-1)
	}
	if s.files.grid() != gridBefore || s.set.RankBy() != rankBefore || s.outputsDir != filepath.Join(home, "pics") {
		t.Fatalf("Cancel after a refused Save: grid %v, order %q, outputs %q", s.files.grid(), s.set.RankBy(), s.outputsDir)
	}
}

// A long paste's hint stays a few lines: the words past the prompt length
// are shown greyed only for the first few, then counted, and the warning
// lists a few of them.
func TestLongPromptHintIsShort(t *testing.T) {
	s := newTestStudio(t)
	s.panel.prompt.SetText(strings.TrimSpace(strings.Repeat("red cat ", 40)))
	segs := s.panel.words.Segments
	text := segmentText(segs)
	limit := s.panel.tok.Length()
	cut := 80 - limit
	if !strings.Contains(text, fmt.Sprintf("(+%d more)", cut-5)) || !strings.Contains(text, fmt.Sprintf("— %d words past the %d-word limit: ", cut, limit)) || !strings.Contains(text, fmt.Sprintf("… and %d more", cut-8)) {
		t.Fatalf("hint for 80 words: %q", text)
	}
	if len(segs) > limit+5+4 {
		t.Errorf("%d segments for a %d-word limit", len(segs), limit)
	}
}

// A style named in words ("red cat in the google style") is read, shown
// and drawn as the model's style word, last, the way its captions put it.
func TestStyleNamedInWords(t *testing.T) {
	s := newTestStudio(t)
	s.panel.prompt.SetText("red cat in the google style")
	if got := segmentText(s.panel.words.Segments); !strings.Contains(got, "Model reads: red cat google") || strings.Contains(got, "unknown") || strings.Contains(got, "style") {
		t.Fatalf("a style named in words: %q", got)
	}
	// Another style picked replaces the one in words.
	s.panel.styleChosen("twitter")
	if got := s.panel.prompt.Text; got != "red cat twitter" {
		t.Errorf("twitter picked over a style in words: %q", got)
	}
	setParams(t, s, "red cat in the google style", 4, nil)
	generate(t, s)
	phrase := s.Document().Tokens()
	setParams(t, s, "red cat google", 4, nil)
	generate(t, s)
	if !slices.Equal(s.Document().Tokens(), phrase) {
		t.Error("the phrase draws another picture than the style word")
	}
}

// Ctrl++ zooms in as Ctrl+= does: typed as Ctrl+Shift+= or with the
// keypad's +.
func TestCtrlPlusZoomsIn(t *testing.T) {
	s := newTestStudio(t)
	generate(t, s)
	sc, ok := s.Window().Canvas().(interface{ TypedShortcut(fyne.Shortcut) })
	if !ok {
		t.Fatal("the test canvas takes no shortcuts")
	}
	for _, key := range []fyne.Shortcut{shortcut(fyne.KeyEqual, fyne.KeyModifierShift), shortcut(fyne.KeyPlus, 0)} {
		before := s.Canvas().ZoomPercent()
		sc.TypedShortcut(key)
		if after := s.Canvas().ZoomPercent(); after <= before {
			t.Errorf("%s: zoom %.0f%% → %.0f%%", shortcutText(key), before, after)
		}
	}
}

// The status line follows the tool picked by its shortcut: after the
// temperature brush (Ctrl+Shift+T), the brush (Ctrl+B) and the eraser
// (Ctrl+E) say what they do (the temperature brush's "Paint temperature…"
// stayed up while the brush painted the mask).
func TestToolShortcutsSayTheTool(t *testing.T) {
	s := newTestStudio(t)
	generate(t, s)
	for _, c := range []struct {
		key  fyne.Shortcut
		tool widgets.Tool
		says string
	}{
		{shortcut(fyne.KeyT, fyne.KeyModifierShift), widgets.ToolTemperature, "Paint temperature"},
		{shortcut(fyne.KeyB, 0), widgets.ToolBrush, "Brush: paint the mask"},
		{shortcut(fyne.KeyE, 0), widgets.ToolEraser, "Eraser: take patches out of the mask"},
	} {
		menuShortcut(t, s, c.key)
		if s.Canvas().Tool() != c.tool || !strings.HasPrefix(s.Status(), c.says) {
			t.Errorf("%s: tool %v, status %q, want it to start %q", shortcutText(c.key), s.Canvas().Tool(), s.Status(), c.says)
		}
	}
}

// menuShortcut runs the main menu's item of shortcut key, as the desktop
// driver does when the key is pressed (the test canvas has no menu).
func menuShortcut(t *testing.T, s *Studio, key fyne.Shortcut) {
	t.Helper()
	for _, m := range s.Window().MainMenu().Items {
		for _, it := range m.Items {
			if it.Shortcut != nil && it.Shortcut.ShortcutName() == key.ShortcutName() {
				it.Action()
				return
			}
		}
	}
	t.Fatalf("no menu item has %s", shortcutText(key))
}

// catEmojiStudio is a studio on the tiny model whose name "cat" stands for
// the emoji 🐱 (names.txt's second column).
func catEmojiStudio(t *testing.T) *Studio {
	t.Helper()
	b := bundletest.Tiny(3)
	b.SetNames(bundle.NameTable{Names: []string{"cat"}, Chars: map[string]string{"cat": "🐱"}})
	e := newEnv(t)
	e.models = tinyModels{b: b}
	return e.open(t)
}

// An emoji in the prompt is shown read as its name when the model lists
// the emoji its names stand for ("🐱 google" reads "cat google"); it was
// marked as an unknown word left out while the model drew it.
func TestPromptPanelReadsEmojiAsNames(t *testing.T) {
	s := catEmojiStudio(t)
	s.panel.prompt.SetText("🐱 google")
	if got := segmentText(s.panel.words.Segments); !strings.Contains(got, "Model reads: cat google") || strings.Contains(got, "unknown") {
		t.Fatalf("an emoji in the prompt: %q", got)
	}
	// Another style picked rewrites the style, not the emoji typed.
	s.panel.styleChosen("twitter")
	if got := s.panel.prompt.Text; got != "🐱 twitter" {
		t.Fatalf("after picking twitter the prompt is %q", got)
	}
	s.panel.negative.SetText("🐱")
	if got := segmentText(s.panel.negWords.Segments); !strings.Contains(got, "Negative reads: cat") || strings.Contains(got, "unknown") {
		t.Fatalf("an emoji in the negative prompt: %q", got)
	}
}

// A prompt of emoji names its saved files and suggested export by the
// words the model reads ("🐱 google": cat-google), not by what is left of
// it in ASCII (google alone).
func TestEmojiPromptNamesItsFiles(t *testing.T) {
	s := catEmojiStudio(t)
	lockSeed(t, s, "🐱 google", 4)
	generate(t, s)
	if name := filepath.Base(s.Document().Parent); !strings.Contains(name, "-cat-google-s4") {
		t.Fatalf("saved as %q", name)
	}
	if got := s.files.exportName(); got != "cat-google-4.png" {
		t.Fatalf("export suggested as %q", got)
	}
}

// A run that gives back the image it started from, every candidate of it
// (a resampling of the least likely patches that found none likelier, a
// masked edit that kept its patches), leaves the image, its undo steps
// and the candidates offered before as they were: it replaced a batch's
// other pictures by copies marked "= before", which undo did not bring
// back.
func TestUnchangedRunKeepsTheCandidates(t *testing.T) {
	s := newTestStudio(t)
	setParams(t, s, "red cat", 5, func(p *core.Params) { p.Batch = 3 })
	generate(t, s)
	if s.Candidates() != 3 {
		t.Fatalf("%d candidates after a batch of 3", s.Candidates())
	}
	thumbs := s.cands.Thumbs()
	base, version := s.Document().Tokens(), s.Document().Version()
	j := job{kind: kindRegenerate, label: "resampling", b: s.Bundle(), base: base, repair: true}
	s.finish(j, &sampler.Result{}, nil, []result{{tokens: slices.Clone(base), before: true}, {tokens: slices.Clone(base), before: true}}, nil)
	if s.Candidates() != 3 || s.cands.Thumbs()[1].Caption != thumbs[1].Caption || s.Document().Version() != version || !slices.Equal(s.Document().Tokens(), base) {
		t.Fatalf("after an unchanged run: %d candidates (%q), version %d (was %d)", s.Candidates(), s.cands.Thumbs()[1].Caption, s.Document().Version(), version)
	}
	if !strings.Contains(s.Status(), "unchanged") || !strings.Contains(s.Status(), "the candidates offered before are kept") {
		t.Fatalf("status %q", s.Status())
	}
}

// The settings below the prompt stay put while a word is typed: a note on
// an unknown word that wraps to a second line fits the slot kept for what
// the model reads (it pushed the style picker and sliders down 9 px).
func TestUnknownWordNoteDoesNotMoveTheSettings(t *testing.T) {
	s := newTestStudio(t)
	s.Window().Resize(fyne.NewSize(1200, 720))
	s.panel.prompt.SetText("red cat")
	before, oneLine := s.panel.readsSlot.MinSize().Height, s.panel.words.MinSize().Height
	s.panel.prompt.SetText("rockett catt") // two lines of note
	if got := segmentText(s.panel.words.Segments); !strings.Contains(got, "unknown") || s.panel.words.MinSize().Height <= oneLine {
		t.Fatalf("no note on unknown words that wraps to a second line: %q, %v high (one line: %v)", got, s.panel.words.MinSize().Height, oneLine)
	}
	// The slot's height is what the settings below are laid out under.
	if after := s.panel.readsSlot.MinSize().Height; after != before {
		t.Errorf("the slot for what the model reads grew from %v to %v with a note on unknown words (%q)", before, after, segmentText(s.panel.words.Segments))
	}
}

// The history's model filter does not come back unasked: deleting the last
// image of the model it shows turns it off (the strip said "All models"
// while the filter waited for that model's next image, then hid every
// other model's new ones), and so does a new image of another model.
func TestHistoryFilterDoesNotHideNewImages(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "red cat", 5)
	generate(t, s)
	lockSeed(t, s, "red cat", 6)
	generate(t, s)
	if s.HistoryLen() != 2 {
		t.Fatalf("%d history items", s.HistoryLen())
	}
	s.history.items[1].model = "other"
	s.history.Filter("other")
	must(t, s.history.Delete(s.history.items[1].path))
	if s.history.filter != "" || s.app.Preferences().String(prefHistoryModel) != "" || s.history.models.Selected != allModels {
		t.Errorf("after deleting the filtered model's last image: filter %q, kept %q, shown %q", s.history.filter, s.app.Preferences().String(prefHistoryModel), s.history.models.Selected)
	}
	kept := s.history.items[0]
	s.history.Filter(kept.model)
	s.history.prepend(historyItem{path: kept.path + "-new.png", model: "another", img: kept.img})
	if s.history.filter != "" || s.HistoryLen() != 2 {
		t.Errorf("a new image of another model: filter %q, %d shown", s.history.filter, s.HistoryLen())
	}
}

// Escape stops a run while a slider has the keyboard focus (a tap on one
// gives it): the slider had taken the key, and the run went on.
func TestEscapeStopsARunFromAFocusedSlider(t *testing.T) {
	s := newTestStudio(t)
	c := s.Window().Canvas()
	escapeStops := func(target fyne.Focusable, what string) {
		t.Helper()
		c.Focus(target)
		if c.Focused() != target {
			t.Fatalf("%s did not take the focus", what)
		}
		s.runs.onPatch = func(ev sampler.Event) {
			if ev.Step == 4 {
				c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
			}
		}
		generate(t, s)
		s.runs.onPatch = nil
		if st := s.Status(); !strings.HasPrefix(st, "Stopped at patch") {
			t.Fatalf("Escape on %s during a run: status %q", what, st)
		}
	}
	escapeStops(s.panel.batch, "a focused slider")
	// Other keys still move it.
	v := s.panel.batch.Value
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	if s.panel.batch.Value == v {
		t.Error("the right arrow did not move the focused slider")
	}
	// The same from the canvas, which a click on it (painting the mask)
	// focuses: it took every key.
	escapeStops(s.canvas, "the focused canvas")
	// And from the prompt box, the focus after typing a prompt, and the
	// instruction box.
	escapeStops(s.panel.prompt, "the prompt box")
	escapeStops(s.edit.instruction, "the instruction box")
	// In a box, Escape leaves Complete from here's line tool first (the
	// prompt kept the focus after typing, and the tool stayed on).
	for _, box := range []fyne.Focusable{s.panel.prompt, s.panel.negative, s.edit.instruction} {
		s.pickCompleteLine()
		c.Focus(box)
		box.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
		if s.Canvas().Tool() == widgets.ToolLine || s.Status() != lineCancelled {
			t.Errorf("Escape in %T: tool %v, status %q", box, s.Canvas().Tool(), s.Status())
		}
	}
}

// A long progress text does not widen the window: the bar's minimum is
// its text's width, and a batch ranked by description margin grew the
// window past a 1024-wide screen.
func TestLongProgressTextKeepsTheWindowsWidth(t *testing.T) {
	s := newTestStudio(t)
	before := s.layoutMinSize().Width
	s.runs.prog.Begin("generating", 0, time.Now())
	s.runs.prog.Event(sampler.Event{Step: 40, Steps: 64})
	s.runs.prog.After(strings.Repeat("ranking the candidates by description margin ", 4))
	s.runs.prog.End(time.Now())
	s.runs.bar.Refresh()
	if txt := s.runs.bar.TextFormatter(); fyne.MeasureText(txt, theme.TextSize(), fyne.TextStyle{}).Width < 1000 {
		t.Fatalf("the test's progress text is too short to show anything: %q", txt)
	}
	if after := s.layoutMinSize().Width; after > before {
		t.Errorf("the window's minimum width grew from %.0f to %.0f with a long progress text", before, after)
	}
}

// A composed prompt reads each sub-prompt on its own: AND and the weight
// are no unknown words, a sub-prompt's unknown word is.
func TestComposedPromptReading(t *testing.T) {
	s := newTestStudio(t)
	s.panel.prompt.SetText("red cat in the google style AND dog :0.5")
	if got := segmentText(s.panel.words.Segments); !strings.Contains(got, "Model reads: red cat google AND dog :0.5") || strings.Contains(got, "unknown") {
		t.Fatalf("a composed prompt: %q", got)
	}
	s.panel.prompt.SetText("red cat AND zebra :0.5")
	if got := segmentText(s.panel.words.Segments); !strings.Contains(got, "1 unknown word left out: zebra") {
		t.Fatalf("a composed prompt with an unknown word: %q", got)
	}
}

// A composed prompt's syntax is completed by no word: AND typed in
// capitals (Tab made "AN" the word "and") and a weight after ":".
func TestNoCompletionOfComposeSyntax(t *testing.T) {
	b := smallBundle(t, []string{"and", "angel", "abcd", "1234", "red"})
	e := newEnv(t)
	e.models = tinyModels{b: b}
	s := e.open(t)
	entry := s.panel.prompt
	for _, typed := range []string{"red AN", "red :ab", "red :12"} {
		entry.SetText("")
		test.Type(entry, typed)
		if len(s.panel.completions) != 0 {
			t.Errorf("%q: completions %v", typed, s.panel.completions)
		}
	}
	entry.SetText("")
	test.Type(entry, "red an")
	if len(s.panel.completions) == 0 {
		t.Error(`"an" in lower case: no completion offered`)
	}
}
