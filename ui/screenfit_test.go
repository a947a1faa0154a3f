package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// A window larger than the screen's work area opens at the work area's
// size (less room for the title bar), in Fyne units at the screen's
// scale, never below the content's minimum, and a window that fits keeps
// its size.
func TestFitSize(t *testing.T) {
	want := fyne.NewSize(1200, 720)
	minSize := fyne.NewSize(1000, 540)
	for _, c := range []struct {
		name         string
		workW, workH int
		scale        float32
		want         fyne.Size
	}{
		{"1920×1080 at 100%", 1920, 1040, 1, want},
		{"1366×768 less a 40-px task bar at 125%", 1366, 728, 1.25, fyne.NewSize((1366-16)/1.25, 544)},
		{"1366×768 at 100%", 1366, 728, 1, fyne.NewSize(1200, 680)},
		{"1024×768 at 100%", 1024, 768, 1, fyne.NewSize(1008, 720)},
		{"800×500: the content's minimum", 800, 500, 1, minSize},
		{"no monitor", 0, 0, 1, want},
	} {
		if got := fitSize(want, minSize, c.workW, c.workH, windowMarginW, windowMarginH, c.scale); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// A control the keyboard focus moves to (Tab) below the fold of a side
// panel is scrolled into view.
func TestFocusIsScrolledIntoView(t *testing.T) {
	s := newTestStudio(t)
	s.Window().Resize(fyne.NewSize(1000, 540))
	for _, c := range []struct {
		name string
		sc   *container.Scroll
		obj  fyne.Focusable
	}{
		{"the edit box", s.edit.scroll, s.edit.instruction},
		{"Top-p", s.panel.scroll, s.panel.topP},
	} {
		c.sc.Offset = fyne.NewPos(0, 0)
		c.sc.Refresh()
		obj := c.obj.(fyne.CanvasObject)
		d := fyne.CurrentApp().Driver()
		inView := func() bool {
			y := d.AbsolutePositionForObject(obj).Y - d.AbsolutePositionForObject(c.sc).Y
			return y >= 0 && y+obj.Size().Height <= c.sc.Size().Height
		}
		if inView() {
			t.Fatalf("%s is in view before it has the focus: the test shows nothing", c.name)
		}
		s.Window().Canvas().Focus(c.obj)
		s.revealFocused()
		if !inView() {
			t.Errorf("%s has the focus but stays out of view (panel offset %v)", c.name, c.sc.Offset)
		}
		// Partly in view (a click on it focuses it too): left where it is,
		// so the panel does not move under the pointer.
		s.Window().Canvas().Unfocus()
		s.revealFocused()
		y := d.AbsolutePositionForObject(obj).Y - d.AbsolutePositionForObject(c.sc.Content).Y
		c.sc.Offset = fyne.NewPos(0, y+obj.Size().Height/2-c.sc.Size().Height)
		c.sc.Refresh()
		at := c.sc.Offset
		s.Window().Canvas().Focus(c.obj)
		s.revealFocused()
		if c.sc.Offset != at {
			t.Errorf("%s, half in view, moved the panel from %v to %v when focused", c.name, at, c.sc.Offset)
		}
		// A sliver in view at the panel's foot (Tab to the Batch slider
		// under the seed): shown whole.
		s.Window().Canvas().Unfocus()
		s.revealFocused()
		c.sc.Offset = fyne.NewPos(0, y+4-c.sc.Size().Height)
		c.sc.Refresh()
		s.Window().Canvas().Focus(c.obj)
		s.revealFocused()
		if !inView() {
			t.Errorf("%s, 4 px of it in view, stays cut when focused (panel offset %v)", c.name, c.sc.Offset)
		}
	}
}

// The focus colour shows: well above the 16% blend of Fyne's default.
func TestFocusColourShows(t *testing.T) {
	newTestStudio(t)
	th, ok := fyne.CurrentApp().Settings().Theme().(studioTheme)
	if !ok {
		t.Fatalf("the studio's theme is %T", fyne.CurrentApp().Settings().Theme())
	}
	for _, v := range []fyne.ThemeVariant{theme.VariantDark, theme.VariantLight} {
		_, _, _, a := th.Color(theme.ColorNameFocus, v).RGBA()
		_, _, _, was := theme.DefaultTheme().Color(theme.ColorNameFocus, v).RGBA()
		if a < 0x3c00 || a < was*3/2 {
			t.Errorf("variant %d: focus alpha %#x (Fyne's %#x)", v, a, was)
		}
		if c, d := th.Color(theme.ColorNameForeground, v), th.Theme.Color(theme.ColorNameForeground, v); c != d {
			t.Errorf("variant %d: the foreground changed too (%v, was %v)", v, c, d)
		}
	}
}

// The focus starts on the prompt and follows a switch of tabs to the front
// tab's first control (it stayed on a hidden control of the other tab, so
// keys did nothing); where a control has it already it stays there.
func TestFocusHome(t *testing.T) {
	s := newTestStudio(t)
	c := s.Window().Canvas()
	s.panel.prompt.SetText("black cat") // kept from last time
	c.Unfocus()
	s.focusHome(false) // as the app starts
	if c.Focused() != fyne.Focusable(s.panel.prompt) {
		t.Fatalf("at start the focus is on %T, not the prompt", c.Focused())
	}
	s.panel.prompt.TypedRune('!')
	if s.panel.prompt.Text != "black cat!" {
		t.Errorf("typed at start, the prompt reads %q: the cursor was not at its end", s.panel.prompt.Text)
	}
	c.Focus(s.panel.seed)
	s.focusHome(false) // after a file dialog: the focus is somewhere already
	if c.Focused() != fyne.Focusable(s.panel.seed) {
		t.Errorf("focusHome moved the focus from the seed to %T", c.Focused())
	}
	s.ShowTab(trainTab)
	if c.Focused() != fyne.Focusable(s.train.data) {
		t.Errorf("on the Train tab the focus is on %T, not the data picker", c.Focused())
	}
	s.ShowTab(createTab)
	if c.Focused() != fyne.Focusable(s.panel.prompt) {
		t.Errorf("back on the Create tab the focus is on %T, not the prompt", c.Focused())
	}
	// Over a picture the canvas takes the keys ([ ] size the brush, the
	// arrows paint), as it does after opening one.
	generate(t, s)
	c.Unfocus()
	s.focusHome(false)
	if c.Focused() != fyne.Focusable(s.canvas) {
		t.Errorf("over a picture the focus went to %T, not the canvas", c.Focused())
	}
}

// On an 800×600 screen the window fits: the editing panel gives way (for
// this session, not for the next on a larger screen), and what is still
// wider than the screen scrolls in the window (it was 1005 px wide, the
// right-hand panel out of reach).
func TestNarrowScreen(t *testing.T) {
	s := newTestStudio(t)
	s.fitTo(800, 600, 1)
	if s.EditPanelShown() || !strings.Contains(s.Status(), "View › Editing panel") {
		t.Fatalf("on an 800-px screen: editing panel shown %v, status %q", s.EditPanelShown(), s.Status())
	}
	if !s.set.EditPanelShown() {
		t.Error("hiding the panel for a narrow screen was kept for the next session")
	}
	if w := s.layoutMinSize().Width; w > 800-windowMarginW {
		t.Errorf("without the editing panel the layout still needs %.0f px", w)
	}
	if got := s.Window().Canvas().Size(); got.Width > 800-windowMarginW || got.Height > 600-windowMarginH {
		t.Errorf("the window is %v on an 800×600 screen", got)
	}
	if it := s.menu["editpanel"]; it == nil || it.Checked {
		t.Errorf("View › Editing panel: %+v, want it unchecked", it)
	}
	s.SetEditPanelShown(true) // the menu: the layout is wider than the screen now, and scrolls
	if !s.EditPanelShown() || !s.menu["editpanel"].Checked {
		t.Error("View › Editing panel did not show the panel")
	}

	big := newTestStudio(t)
	big.fitTo(1920, 1080, 1)
	if !big.EditPanelShown() {
		t.Error("on a 1920-px screen the editing panel is hidden")
	}

	// From the menu, the canvas takes the panel's width at once (it was
	// left a blank column until the window was resized), and the focus
	// leaves the hidden panel (typing went on into the instruction box).
	big.Window().Resize(fyne.NewSize(1200, 720))
	before := big.canvas.Size().Width
	big.Window().Canvas().Focus(big.edit.instruction)
	big.SetEditPanelShown(false)
	if after := big.canvas.Size().Width; after < before+150 {
		t.Errorf("hiding the editing panel widened the canvas from %.0f to %.0f px only", before, after)
	}
	if f := big.Window().Canvas().Focused(); f != fyne.Focusable(big.panel.prompt) {
		t.Errorf("with the panel hidden the focus is on %T, not the prompt (nothing is drawn yet)", f)
	}
	big.SetEditPanelShown(true)
	if w := big.canvas.Size().Width; w > before+1 {
		t.Errorf("shown again, the panel left the canvas %.0f px wide (%.0f before)", w, before)
	}
}

// A picture opened into an empty studio moves the focus from the prompt,
// where the Open dialog closing sent it home, to the canvas (it stayed on
// the prompt, or on nothing once the panel took the picture's settings).
func TestOpenIntoAnEmptyStudioFocusesTheCanvas(t *testing.T) {
	path, s := exportedPictureAndEmptyStudio(t)
	c := s.Window().Canvas()
	must(t, s.OpenFile(path))
	s.Wait()
	if c.Focused() != fyne.Focusable(s.canvas) {
		t.Errorf("after the picture opened the focus is on %T, not the canvas", c.Focused())
	}
}

// Typing in the prompt while a picture opens keeps the focus there (the
// picture opened moved it to the canvas, and the next keys sized the brush).
func TestOpenKeepsTheFocusOfSomeoneTyping(t *testing.T) {
	path, s := exportedPictureAndEmptyStudio(t)
	c := s.Window().Canvas()
	s.panel.prompt.TypedRune('x') // typed while the picture is read
	must(t, s.OpenFile(path))
	s.Wait()
	if f := c.Focused(); f == fyne.Focusable(s.canvas) {
		t.Error("the focus left the prompt being typed in for the canvas")
	}
}

// exportedPictureAndEmptyStudio is a picture exported by one studio and
// another, empty, whose focus has gone home (the prompt) as after an Open
// dialog closed, before the picture is read.
func exportedPictureAndEmptyStudio(t *testing.T) (string, *Studio) {
	t.Helper()
	maker := newTestStudio(t)
	generate(t, maker)
	path := filepath.Join(t.TempDir(), "p.png")
	must(t, maker.ExportTo(path))
	s := newTestStudio(t)
	if !s.Document().Empty() {
		t.Fatal("a new studio shows a picture")
	}
	s.Window().Canvas().Unfocus()
	s.focusHome(false)
	return path, s
}

// A window made narrower than the layout by hand hides the editing panel
// (it scrolled, the panel cut to a letter a control) and shows it again
// once wide enough; a panel shown from the menu in a narrow window stays.
func TestNarrowedWindowHidesTheEditingPanel(t *testing.T) {
	s := newTestStudio(t)
	s.Window().Resize(fyne.NewSize(1300, 800))
	s.fitPanelToWindow()
	if !s.EditPanelShown() {
		t.Fatal("a 1300-px window hid the editing panel")
	}
	narrow := s.layoutMinSize().Width - 100
	s.Window().Resize(fyne.NewSize(narrow, 800))
	s.fitPanelToWindow()
	if s.EditPanelShown() || !strings.Contains(s.Status(), "editing panel is hidden until it is wider") || strings.Contains(s.Status(), "still paints") {
		t.Fatalf("a %.0f-px window: panel shown %v, status %q", narrow, s.EditPanelShown(), s.Status())
	}
	// With the temperature brush picked, the note says the canvas still
	// paints with it, and where to switch.
	s.Window().Resize(fyne.NewSize(1300, 800))
	s.fitPanelToWindow()
	s.paint.chooseTool(widgets.ToolTemperature)
	s.Window().Resize(fyne.NewSize(narrow, 800))
	s.fitPanelToWindow()
	if !strings.Contains(s.Status(), "the canvas still paints temperatures: the Edit menu switches tools") {
		t.Fatalf("hidden with the temperature brush picked: status %q", s.Status())
	}
	s.paint.chooseTool(widgets.ToolBrush)
	if !s.set.EditPanelShown() {
		t.Error("hiding the panel for the window's width was kept for the next session")
	}
	s.Window().Resize(fyne.NewSize(1300, 800))
	s.fitPanelToWindow()
	if !s.EditPanelShown() || strings.Contains(s.Status(), "hidden") {
		t.Fatalf("widened again, the window did not show the editing panel, or still says it is hidden (%q)", s.Status())
	}
	// Shown from the menu in a narrow window: the user's choice stays.
	s.Window().Resize(fyne.NewSize(narrow, 800))
	s.fitPanelToWindow()
	s.SetEditPanelShown(true)
	s.fitPanelToWindow()
	if !s.EditPanelShown() {
		t.Error("the panel shown from the menu was hidden again")
	}
	if strings.Contains(s.Status(), "hidden") || !strings.Contains(s.Status(), "the window scrolls sideways until it is wider") {
		t.Errorf("shown from the menu, the status still says %q", s.Status())
	}
	s.Window().Resize(fyne.NewSize(1300, 800))
	s.fitPanelToWindow()
	if s.Status() != "The window is wide enough for every panel" {
		t.Errorf("widened with the panel shown from the menu, the status says %q", s.Status())
	}
	// Shown from the menu in a narrow window, then hidden from it: the
	// note that it was shown goes.
	s.Window().Resize(fyne.NewSize(narrow, 800))
	s.fitPanelToWindow() // hidden, and said
	s.SetEditPanelShown(true)
	if !strings.Contains(s.Status(), "is shown") {
		t.Fatalf("shown from the menu: %q", s.Status())
	}
	s.SetEditPanelShown(false)
	if strings.Contains(s.Status(), "is shown") {
		t.Errorf("hidden from the menu, the status still says %q", s.Status())
	}
	s.SetEditPanelShown(true)
	// A window reopened narrow (its size kept from last time) hides it
	// too: not only a window shrinking.
	reopened := newTestStudio(t)
	reopened.Window().Resize(fyne.NewSize(narrow, 800))
	reopened.fitPanelToWindow()
	if reopened.EditPanelShown() {
		t.Error("a window opened narrow kept the editing panel cut off")
	}
}

// In the default 1200×720 window the prompt panel shows Batch whole, with
// the settings above it, without scrolling: a newcomer never found Batch
// below the fold.
func TestBatchInViewAtDefaultSize(t *testing.T) {
	const menuBarHeight = 30
	s := newTestStudio(t)
	// The real window draws its menu bar inside the 720 (about 28 px; the
	// test window has none).
	s.Window().Resize(fyne.NewSize(1200, 720-menuBarHeight))
	sc := s.panel.scroll
	sc.Offset = fyne.NewPos(0, 0)
	sc.Refresh()
	d := fyne.CurrentApp().Driver()
	obj := fyne.CanvasObject(s.panel.batch)
	y := d.AbsolutePositionForObject(obj).Y - d.AbsolutePositionForObject(sc).Y
	t.Logf("batch %v–%v, panel %v, window content %v", y, y+obj.Size().Height, sc.Size().Height, s.Window().Canvas().Size())
	if y < 0 || y+obj.Size().Height > sc.Size().Height {
		t.Errorf("Batch is at %v–%v of a panel %v high", y, y+obj.Size().Height, sc.Size().Height)
	}
}

// [ and ] size the brush while a slider, a box or a drop-down has the
// focus too: a clicked one kept the focus and swallowed them, though the
// Brush slider's label names them.
func TestBrushKeysReachPastAFocusedSlider(t *testing.T) {
	s := newTestStudio(t)
	c := s.Window().Canvas()
	was := s.Canvas().BrushSize()
	for _, sl := range []fyne.Focusable{s.edit.brush, s.panel.batch, s.edit.grid, s.panel.style} {
		c.Focus(sl)
		test.Type(sl, "]")
		if got := s.Canvas().BrushSize(); got != was+1 {
			t.Fatalf("] with the %T focused: brush %d, want %d", sl, got, was+1)
		}
		test.Type(sl, "[")
		if got := s.Canvas().BrushSize(); got != was {
			t.Fatalf("[ with the %T focused: brush %d, want %d", sl, got, was)
		}
	}
}

// Image › Likelihood map is ticked while the map is shown, as the edit
// panel's box is (it never was).
func TestLikelihoodMapMenuTicks(t *testing.T) {
	s := newTestStudio(t)
	it := s.menu["likelihood"]
	if it == nil || it.Checked {
		t.Fatalf("the menu item %v, ticked with the map off", it)
	}
	s.likelihood.Set(true)
	s.Wait()
	if !it.Checked {
		t.Error("the map is on and its menu item not ticked")
	}
	s.likelihood.Set(false)
	if it.Checked {
		t.Error("the map is off and its menu item ticked")
	}
}

// The first stroke of a mask brings Regenerate masked into view and says
// what it is for: at the default window size the button was below the
// editing panel's fold, and the status said "2 patches masked" alone.
func TestFirstMaskStrokeShowsRegenerate(t *testing.T) {
	const menuBarHeight = 30
	s := newTestStudio(t)
	s.Window().Resize(fyne.NewSize(1200, 720-menuBarHeight))
	generate(t, s)
	sc := s.edit.scroll
	sc.Offset = fyne.NewPos(0, 0)
	sc.Refresh()
	d := fyne.CurrentApp().Driver()
	inView := func() bool {
		obj := fyne.CanvasObject(s.edit.regenerate)
		y := d.AbsolutePositionForObject(obj).Y - d.AbsolutePositionForObject(sc).Y
		return y >= 0 && y+obj.Size().Height <= sc.Size().Height
	}
	if inView() {
		t.Skip("Regenerate masked is in view at the default size already: nothing to bring into view")
	}
	mask := make([]bool, s.doc.N())
	mask[3], mask[4] = true, true
	s.canvas.OnMaskEdited(mask)
	if !inView() || !strings.Contains(s.Status(), "Regenerate masked (Ctrl+R) redraws them") {
		t.Errorf("after the first stroke: Regenerate masked in view %v, status %q", inView(), s.Status())
	}
}
