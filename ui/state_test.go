package ui

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/ui/core"
)

// overlayVisible reports whether the canvas draws anything of the mask or
// the temperature map.
func overlayVisible(s *Studio) bool {
	s.Canvas().Refresh()
	overlay, _ := s.Canvas().Layers()
	pix := overlay.Pix
	for i := 3; i < len(pix); i += 4 {
		if pix[i] != 0 {
			return true
		}
	}
	return false
}

// The mask and temperature map hide when a run ends, so the result is seen
// as it is, and come back with editing; a new image never gets the old
// mask, and painted temperatures a new image uses are said so.
func TestOverlaysHideAfterRunAndNeverCarryOver(t *testing.T) {
	s := newTestStudio(t)
	setParams(t, s, "red cat", 3, nil)
	generate(t, s)
	mask := make([]bool, 16)
	mask[4], mask[5] = true, true
	must(t, s.paint.SetMask(mask))
	if !overlayVisible(s) {
		t.Fatal("the mask painted is not shown")
	}
	must(t, s.RegenerateMasked())
	s.Wait()
	must(t, s.LastError())
	if overlayVisible(s) || s.paint.Overlays() || s.edit.overlays.Checked {
		t.Fatal("the mask stays over the finished result")
	}
	if !slices.Equal(s.Document().Mask(), mask) {
		t.Fatal("hiding the mask dropped it")
	}
	// Hidden, the mask is still in force: an outline shows where (two
	// masked patches side by side: top, bottom and the two ends).
	if n := s.Canvas().MaskOutline(); n != 4 {
		t.Fatalf("the hidden mask is outlined by %d edges, want 4", n)
	}
	// painting shows it again, with the stroke
	s.Canvas().SetBrushSize(1)
	test.Drag(s.Window().Canvas(), patchCenter(s, 3, 3), 1, 1)
	if !overlayVisible(s) || !s.paint.Overlays() || !s.edit.overlays.Checked {
		t.Fatal("a stroke did not show the overlays")
	}
	// the box hides and shows them
	if s.Canvas().MaskOutline() != 0 {
		t.Fatal("the mask is outlined over its tint")
	}
	test.Tap(s.edit.overlays)
	if overlayVisible(s) {
		t.Fatal("the box did not hide the overlays")
	}
	test.Tap(s.edit.overlays)
	if !overlayVisible(s) {
		t.Fatal("the box did not show the overlays")
	}

	// a new prompt's image starts without the old mask
	withMask := s.Document().Mask()
	setParams(t, s, "blue dog", 4, nil)
	generate(t, s)
	if s.Document().Masked() != 0 || slices.Contains(s.Canvas().Mask(), true) || overlayVisible(s) {
		t.Fatal("the old mask was applied to the new image")
	}
	must(t, s.Undo())
	if !slices.Equal(s.Document().Mask(), withMask) || !overlayVisible(s) {
		t.Fatal("undo did not bring the mask back, shown")
	}

	// painted temperatures a new image uses are said, and kept with it
	temps := make([]float64, 16)
	temps[0] = 0.4
	must(t, s.paint.SetTemperatureMap(temps))
	generate(t, s)
	if !strings.Contains(s.Status(), "painted temperatures used on 1 patch ") {
		t.Fatalf("status %q does not say the painted temperatures were used", s.Status())
	}
	if !slices.Equal(s.Document().Temperature(), temps) || overlayVisible(s) {
		t.Fatal("the temperatures used are not kept with the image, hidden")
	}
}

// Seeds fit the seed field; the seed shown is the one the next run uses;
// unlocked, a new one is shown after each run; locked, nothing changes it.
func TestSeedsFitAndLockedSeedNeverChanges(t *testing.T) {
	s := newTestStudio(t)
	for i := 0; i < 2000; i++ {
		if core.NewSeed() >= core.MaxNewSeed {
			t.Fatal("a seed longer than the field was drawn")
		}
	}
	widest := fyne.MeasureText(strconv.FormatUint(core.MaxNewSeed-1, 10), theme.TextSize(), fyne.TextStyle{}).Width
	for _, size := range []fyne.Size{fyne.NewSize(1200, 800), fyne.NewSize(1280, 720), s.layoutMinSize()} {
		s.Window().Resize(size)
		// the field's padding and its validation mark (✓) take room too
		if room := s.panel.seed.Size().Width - 2*theme.InnerPadding() - theme.IconInlineSize(); room < widest {
			t.Fatalf("window %v: the seed field has %.0f units for a seed of %.0f", size, room, widest)
		}
	}
	s.Window().Resize(fyne.NewSize(1200, 800))

	// unlocked: the seed shown is used, then a new one is shown
	p := setParams(t, s, "red cat", 123456, func(p *core.Params) { p.SeedLocked = false })
	_ = p
	generate(t, s)
	if got := s.Document().ImageParams().Seed; got != 123456 {
		t.Fatalf("the run used seed %d, not the one shown", got)
	}
	next, _ := s.Params()
	if next.Seed == 123456 || next.Seed >= core.MaxNewSeed {
		t.Fatalf("after the run the field shows %d: want a new seed that fits", next.Seed)
	}
	generate(t, s)
	if got := s.Document().ImageParams().Seed; got != next.Seed {
		t.Fatalf("the second run used %d, not the seed shown %d", got, next.Seed)
	}

	// A seed drawn after a run did not lock it; a seed typed does.
	if p, _ := s.Params(); p.SeedLocked {
		t.Fatal("the seed drawn after a run locked it")
	}
	test.Type(s.panel.seed, "9")
	if p, err := s.Params(); err != nil || !p.SeedLocked || p.Seed == next.Seed {
		t.Fatalf("after typing in the seed field: seed %d, locked %v", p.Seed, p.SeedLocked)
	}

	// locked: runs, candidates and reopening never change it
	setParams(t, s, "red cat", 777, func(p *core.Params) { p.Batch = 3 })
	generate(t, s)
	must(t, s.PickCandidate(2))
	generate(t, s)
	test.Tap(s.history.Thumbs()[len(s.history.Thumbs())-1]) // an image of another seed
	s.Wait()
	must(t, s.LastError())
	if p, _ := s.Params(); p.Seed != 777 || !p.SeedLocked {
		t.Fatalf("the locked seed became %d (locked %v)", p.Seed, p.SeedLocked)
	}
}

// Status counts say what was done: the patches regenerated are the masked
// ones; the temperature brush reports the value set and compares painted
// temperatures with the global one (also in the tint).
func TestStatusCountsWhatWasDone(t *testing.T) {
	s := newTestStudio(t)
	setParams(t, s, "red cat", 3, func(p *core.Params) { p.Temperature = 0.5 })
	generate(t, s)
	mask := make([]bool, 16)
	mask[1], mask[2], mask[9] = true, true, true
	must(t, s.paint.SetMask(mask))
	must(t, s.RegenerateMasked())
	s.Wait()
	must(t, s.LastError())
	if !strings.HasPrefix(s.Status(), "Regenerated: 3 masked patches") {
		t.Fatalf("status %q: want the 3 masked patches counted", s.Status())
	}

	s.edit.tempTools.SetSelected("Paint")
	s.edit.tempValue.SetValue(1.95)
	if !strings.Contains(s.Status(), "1.95") || !strings.Contains(s.Status(), "warmer than the global 0.50") {
		t.Fatalf("status %q does not follow the slider", s.Status())
	}
	s.edit.tempValue.SetValue(0.8)
	s.Canvas().SetBrushSize(1)
	test.Drag(s.Window().Canvas(), patchCenter(s, 0, 0), 1, 1)
	if !strings.Contains(s.Status(), "1 patches have their own temperature (0 cooler, 1 warmer than the global 0.50)") {
		t.Fatalf("status %q: 0.8 is warmer than the global 0.5", s.Status())
	}
	if overlay, _ := s.Canvas().Layers(); overlay.NRGBAAt(0, 0).R <= overlay.NRGBAAt(0, 0).B {
		c := overlay.NRGBAAt(0, 0)
		t.Fatalf("a patch warmer than the global temperature is tinted %v, not red", c)
	}
}

// Edit › Show mask & temperatures is ticked as the mask and temperatures
// are shown, whichever control shows them (it had no tick), and the
// shortcut list has Ctrl+Y, which redoes too.
func TestOverlaysMenuItemTicks(t *testing.T) {
	s := newEnv(t).open(t)
	item := s.menu["overlays"]
	if item == nil || item.Checked != s.paint.Overlays() {
		t.Fatalf("no Edit › Show mask & temperatures item ticked as the overlays (%v)", s.paint.Overlays())
	}
	for range 2 {
		item.Action()
		if item.Checked != s.paint.Overlays() {
			t.Fatalf("the menu item: overlays %v, ticked %v", s.paint.Overlays(), item.Checked)
		}
	}
	s.edit.overlays.SetChecked(!s.edit.overlays.Checked)
	if item.Checked != s.paint.Overlays() || item.Checked != s.edit.overlays.Checked {
		t.Fatalf("the box: overlays %v, ticked %v", s.paint.Overlays(), item.Checked)
	}
	rows := ShortcutList(s.win.MainMenu().Items)
	if !slices.ContainsFunc(rows, func(r [2]string) bool { return r[0] == "Ctrl+Y" && strings.Contains(r[1], "redo") }) {
		t.Errorf("the shortcut list lacks Ctrl+Y: %q", rows)
	}
}

// View › History strip hides the strip, gives its width to the candidates
// beside it (the canvas keeps its size), and is remembered by the next
// studio; the history itself is kept.
func TestHistoryStripToggle(t *testing.T) {
	env := newEnv(t)
	s := env.open(t)
	lockSeed(t, s, "", 1)
	generate(t, s)
	if !s.HistoryShown() || s.history.Len() == 0 {
		t.Fatalf("a new studio: history shown %v with %d entries", s.HistoryShown(), s.history.Len())
	}
	item := s.menu["history"]
	if item == nil || !item.Checked || item.Shortcut == nil {
		t.Fatal("no checked View › History strip item with a shortcut")
	}
	h0, w0 := s.Canvas().Size().Height, s.cands.Object().Size().Width
	item.Action()
	if s.HistoryShown() || item.Checked || s.historyRow.Visible() {
		t.Fatal("View › History strip did not hide the strip or uncheck itself")
	}
	// At once, not at the next resize (the candidates kept half the row).
	if h, w := s.Canvas().Size().Height, s.cands.Object().Size().Width; h != h0 || w < 1.5*w0 {
		t.Fatalf("hiding the history: canvas height %g then %g, candidates' width %g then %g", h0, h, w0, w)
	}
	s.save.Flush()

	again := env.open(t)
	if again.HistoryShown() || again.menu["history"].Checked {
		t.Fatal("the next studio shows the history the user hid")
	}
	if again.history.Len() == 0 {
		t.Fatal("hiding the strip lost the history")
	}
	again.menu["history"].Action()
	if !again.HistoryShown() || !again.menu["history"].Checked {
		t.Fatal("View › History strip did not show the strip again")
	}
}

// The reuse-seed button puts the seed of the image on the canvas in the
// field, locked, with the image's prompt, so Generate draws that image
// again; a picture from elsewhere has none to give.
func TestReuseImageSeed(t *testing.T) {
	s := newTestStudio(t)
	p, err := s.Params()
	must(t, err)
	p.Prompt, p.Seed, p.SeedLocked = "red cat", 7, false
	s.SetParams(p)
	generate(t, s)
	made, seed := s.Document().Tokens(), s.Document().ImageParams().Seed
	if after, _ := s.Params(); after.Seed == seed || after.SeedLocked {
		t.Fatalf("an unlocked seed did not move on after the run (%d, locked %v)", after.Seed, after.SeedLocked)
	}
	s.panel.prompt.SetText("blue dog") // the prompt changed since
	test.Tap(s.panel.reuseSeed)
	must(t, s.LastError())
	if after, _ := s.Params(); after.Seed != seed || !after.SeedLocked || after.Prompt != "red cat" {
		t.Fatalf("after reuse: seed %d locked %v prompt %q, want %d locked and the image's prompt", after.Seed, after.SeedLocked, after.Prompt, seed)
	}
	generate(t, s)
	if !slices.Equal(s.Document().Tokens(), made) {
		t.Fatal("generating with the reused seed drew another image")
	}

	plain := newTestStudio(t)
	if err := plain.ReuseImageSeed(); err == nil {
		t.Error("reuse with no image on the canvas succeeded")
	}
}

// Reusing the seed of an image sampled in another precision than the
// studio's says that Generate draws another picture from it, and how to
// draw it again; an image of the studio's own precision says nothing of it.
func TestReuseImageSeedSaysAnotherPrecision(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "red cat", 7)
	generate(t, s)
	must(t, s.ReuseImageSeed())
	if st := s.Status(); strings.Contains(st, "sampled in") {
		t.Errorf("an image of the studio's precision: %q", st)
	}
	// The file on the canvas, as a studio started with --precision int8
	// wrote it.
	path := s.doc.Parent
	text, err := pngmeta.ReadFile(path)
	must(t, err)
	rec, ok, err := pngmeta.ParseRecord(text)
	if err != nil || !ok {
		t.Fatalf("no record in %s: %v", path, err)
	}
	if rec.Precision != s.Bundle().Model.Precision() {
		t.Fatalf("the studio's image records precision %q, the studio samples in %s", rec.Precision, s.Bundle().Model.Precision())
	}
	rec.Precision = "int8"
	data, err := pngmeta.MarshalRecord(*rec)
	must(t, err)
	text[pngmeta.KeyTessera] = string(data)
	img, err := codebook.LoadImage(path)
	must(t, err)
	must(t, pngmeta.WriteFileAtomic(path, img, text))
	must(t, s.ReuseImageSeed())
	if st := s.Status(); !strings.Contains(st, "it was sampled in int8 and this studio samples in "+s.Bundle().Model.Precision()) || !strings.Contains(st, "tessera studio --precision int8") {
		t.Errorf("an image sampled in int8: %q", st)
	}
}

// Undo and redo leave the prompt box as typed and say in the status line
// which prompt the image reached was drawn from, and how to put it back in
// the panel.
func TestUndoNamesTheRestoredImagesPrompt(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "red cat", 7)
	generate(t, s)
	lockSeed(t, s, "blue dog", 8)
	generate(t, s)
	must(t, s.Undo())
	if p, _ := s.Params(); p.Prompt != "blue dog" {
		t.Errorf("undo changed the prompt box to %q", p.Prompt)
	}
	if st := s.Status(); !strings.Contains(st, `"red cat", seed 7`) || !strings.Contains(st, "clock button") {
		t.Errorf("status after undo %q names neither the image's prompt and seed nor the reuse button", st)
	}
	must(t, s.Redo())
	if st := s.Status(); !strings.Contains(st, `"blue dog", seed 8`) || strings.Contains(st, "clock button") {
		t.Errorf("status after redo to the prompt typed: %q", st)
	}
}

// At the default window size (1200×720, a 768-px laptop screen) the canvas
// gets the height to show a 64×64 image at 4× and more: the candidates
// share the bottom row with the history instead of a row of their own
// under the canvas (which left 221 px: 3×).
func TestCanvasHeightAtTheDefaultWindowSize(t *testing.T) {
	s := newTestStudio(t)
	s.Window().Resize(fyne.NewSize(1200, 720))
	if h := s.Canvas().Size().Height; h < 300 {
		t.Fatalf("the canvas is %g px tall in a 1200×720 window, want at least 300", h)
	}
}

// Under guidance the note on painted temperatures says that the patches
// the model is sure of keep their code, and how to let them vary.
func TestTemperatureUseSaysGuidanceKeepsSurePatches(t *testing.T) {
	temps := []float64{0, 2, 2, 0}
	if got := temperatureUse(temps, sampling.Settings{Temperature: 0.8, Guidance: 3, GuidanceMinP: 0.5}); !strings.Contains(got, "on 2 patches") || !strings.Contains(got, "at guidance 3 and guidance min-p 0.5 the patches the model is sure of keep their one code") {
		t.Errorf("guided with min-p: %q", got)
	}
	for _, st := range []sampling.Settings{{Temperature: 0.8, Guidance: 1, GuidanceMinP: 0.5}, {Temperature: 0.8, Guidance: 3}} {
		if got := temperatureUse(temps, st); strings.Contains(got, "keep their one code") {
			t.Errorf("%+v: %q", st, got)
		}
	}
}
