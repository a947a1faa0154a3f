package ui

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/ui/core"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// docSnap is what undo and redo must restore: the image (codes and rows),
// its mask, its temperature map and its file.
type docSnap struct {
	tokens []int
	rows   int
	mask   []bool
	temps  []float64
	parent string
}

func snapOf(s *Studio) docSnap {
	d := s.Document()
	return docSnap{tokens: d.Tokens(), rows: d.ImageRows(), mask: d.Mask(), temps: d.Temperature(), parent: d.Parent}
}

func (a docSnap) equal(b docSnap) bool {
	return slices.Equal(a.tokens, b.tokens) && a.rows == b.rows && slices.Equal(a.mask, b.mask) &&
		slices.Equal(a.temps, b.temps) && a.parent == b.parent
}

func (a docSnap) String() string {
	n := 0
	for _, m := range a.mask {
		if m {
			n++
		}
	}
	return fmt.Sprintf("{%d codes, %d rows, %d masked, temps %v, %s}", len(a.tokens), a.rows, n, a.temps != nil, filepath.Base(a.parent))
}

// shows checks that the canvas shows the document's state: its pixels,
// its mask and its temperature map.
func shows(t *testing.T, s *Studio, when string) {
	t.Helper()
	d := s.Document()
	if want := decodeRows(s.Bundle(), d.Tokens(), d.ImageRows()); !slices.Equal(s.Canvas().Image().Pix, want.Pix) {
		t.Fatalf("%s: the canvas does not show the image", when)
	}
	if !slices.Equal(s.Canvas().Mask(), d.Mask()) {
		t.Fatalf("%s: the canvas shows another mask", when)
	}
	if !slices.Equal(s.Canvas().Temperature(), core.FitLen(d.Temperature(), d.N())) && d.Temperature() != nil ||
		d.Temperature() == nil && slices.ContainsFunc(s.Canvas().Temperature(), func(v float64) bool { return v != 0 }) {
		t.Fatalf("%s: the canvas shows another temperature map", when)
	}
}

// Every editing action is undone to exactly the state before it (image,
// mask, temperature map and file) and redone to exactly the state after
// it, in both directions and again; the canvas shows each state reached.
// An action made of two steps (Resample the least likely: the mask, then
// the regeneration) walks both.
func TestUndoRedoRestoresEveryAction(t *testing.T) {
	type action struct {
		name  string
		steps int // undo steps the action makes
		setup func(t *testing.T, s *Studio)
		do    func(t *testing.T, s *Studio)
	}
	exported := map[*Studio]string{}
	run := func(t *testing.T, s *Studio, start func() error) {
		t.Helper()
		must(t, start())
		s.Wait()
		must(t, s.LastError())
	}
	stroke := func(tool widgets.Tool, row, col int) func(t *testing.T, s *Studio) {
		return func(t *testing.T, s *Studio) {
			s.paint.chooseTool(tool)
			s.Canvas().SetBrushSize(1)
			s.edit.tempValue.SetValue(1.5)
			test.Drag(s.Window().Canvas(), patchCenter(s, row, col), 1, 1)
		}
	}
	batch := func(t *testing.T, s *Studio) {
		p, _ := s.Params()
		p.Batch = 3
		s.SetParams(p)
		run(t, s, s.Generate)
	}
	actions := []action{
		{name: "brush stroke", steps: 1, do: stroke(widgets.ToolBrush, 3, 3)},
		{name: "eraser stroke", steps: 1, do: stroke(widgets.ToolEraser, 1, 1)},
		{name: "clear mask", steps: 1, do: func(t *testing.T, s *Studio) { must(t, s.paint.ClearMask()) }},
		{name: "invert mask", steps: 1, do: func(t *testing.T, s *Studio) { must(t, s.paint.InvertMask()) }},
		{name: "temperature stroke", steps: 1, do: stroke(widgets.ToolTemperature, 3, 0)},
		{name: "temperature reset stroke", steps: 1, do: stroke(widgets.ToolTempEraser, 0, 2)},
		{name: "clear temperatures", steps: 1, do: func(t *testing.T, s *Studio) { must(t, s.paint.ClearTemperatureMap()) }},
		{name: "generate", steps: 1, do: func(t *testing.T, s *Studio) { run(t, s, s.Generate) }},
		{name: "generate a batch and pick a candidate", steps: 1, do: func(t *testing.T, s *Studio) {
			batch(t, s)
			must(t, s.PickCandidate(2))
		}},
		{name: "pick a candidate after a stroke on the result", steps: 1, setup: func(t *testing.T, s *Studio) {
			batch(t, s)
			stroke(widgets.ToolBrush, 0, 0)(t, s)
		}, do: func(t *testing.T, s *Studio) { must(t, s.PickCandidate(1)) }},
		{name: "regenerate masked", steps: 1, do: func(t *testing.T, s *Studio) { run(t, s, s.RegenerateMasked) }},
		{name: "regenerate masked and pick a candidate", steps: 1, do: func(t *testing.T, s *Studio) {
			run(t, s, s.RegenerateMasked)
			must(t, s.PickCandidate(2))
		}},
		{name: "complete from here", steps: 1, do: func(t *testing.T, s *Studio) { run(t, s, func() error { return s.CompleteFrom(2) }) }},
		{name: "continue a stopped image", steps: 1, setup: func(t *testing.T, s *Studio) {
			s.runs.onPatch = func(ev sampler.Event) {
				if ev.Step == 5 {
					s.Stop()
				}
			}
			run(t, s, s.Generate)
			s.runs.onPatch = nil
			must(t, s.paint.SetMask(append(make([]bool, 15), true)))
		}, do: func(t *testing.T, s *Studio) { run(t, s, s.Resume) }},
		{name: "branch from here", steps: 1, do: func(t *testing.T, s *Studio) {
			must(t, s.tl.Scrub(6))
			run(t, s, s.BranchFromHere)
		}},
		{name: "extend down", steps: 1, do: func(t *testing.T, s *Studio) { run(t, s, func() error { return s.ExtendDown(2, 0) }) }},
		{name: "resample the least likely", steps: 2, do: func(t *testing.T, s *Studio) { run(t, s, s.RepairLeastLikely) }},
		{name: "open a file", steps: 1, setup: func(t *testing.T, s *Studio) {
			exported[s] = filepath.Join(t.TempDir(), "other.png")
			must(t, s.ExportTo(exported[s]))
			lockSeed(t, s, "dog", 12)
			generate(t, s)
			must(t, s.paint.SetMask(append(make([]bool, 15), true)))
		}, do: func(t *testing.T, s *Studio) { run(t, s, func() error { return s.OpenFile(exported[s]) }) }},
		{name: "reopen from the history", steps: 1, setup: func(t *testing.T, s *Studio) {
			lockSeed(t, s, "dog", 12)
			generate(t, s)
			must(t, s.paint.SetMask(append(make([]bool, 15), true)))
		}, do: func(t *testing.T, s *Studio) {
			test.Tap(s.history.Thumbs()[len(s.history.Thumbs())-1])
			s.Wait()
			must(t, s.LastError())
		}},
	}
	for _, a := range actions {
		t.Run(a.name, func(t *testing.T) {
			s := newTestStudio(t)
			setParams(t, s, "red cat", 11, nil)
			generate(t, s)
			mask := make([]bool, 16)
			mask[1], mask[5], mask[6], mask[10] = true, true, true, true
			must(t, s.paint.SetMask(mask))
			temps := make([]float64, 16)
			temps[0], temps[2], temps[12] = 0.5, 1.8, 0.7
			must(t, s.paint.SetTemperatureMap(temps))
			if a.setup != nil {
				a.setup(t, s)
			}
			states := []docSnap{snapOf(s)}
			a.do(t, s)
			after := snapOf(s)
			if after.equal(states[0]) {
				t.Fatalf("the action changed nothing: %v", after)
			}
			// the states in between, walking back
			for i := 0; i < a.steps; i++ {
				must(t, s.Undo())
				shows(t, s, fmt.Sprintf("undo %d", i+1))
				states = append(states, snapOf(s))
			}
			before := states[len(states)-1]
			if !before.equal(states[0]) {
				t.Fatalf("undo reached %v, want the state before the action %v", before, states[0])
			}
			for round := 0; round < 2; round++ {
				for i := a.steps - 1; i >= 0; i-- {
					must(t, s.Redo())
					shows(t, s, "redo")
					want := after
					if i > 0 {
						want = states[i]
					}
					if got := snapOf(s); !got.equal(want) {
						t.Fatalf("round %d: redo reached %v, want %v", round, got, want)
					}
				}
				for i := 1; i <= a.steps; i++ {
					must(t, s.Undo())
					shows(t, s, "undo")
					if got := snapOf(s); !got.equal(states[i]) {
						t.Fatalf("round %d: undo %d reached %v, want %v", round, i, got, states[i])
					}
				}
			}
			if !s.paint.Overlays() && (s.Document().Masked() > 0 || s.Document().Temperature() != nil) {
				t.Fatal("the mask and temperatures undone to are not shown")
			}
		})
	}
}

// Undo after Regenerate masked returns the masked original, mask and
// temperatures included, and redo the regenerated image with the same
// mask: the case that used to lose the mask.
func TestUndoRegenerateKeepsMask(t *testing.T) {
	s := newTestStudio(t)
	setParams(t, s, "blue dog", 4, nil)
	generate(t, s)
	orig := s.Document().Tokens()
	mask := make([]bool, 16)
	mask[9], mask[10] = true, true
	must(t, s.paint.SetMask(mask))
	must(t, s.RegenerateMasked())
	s.Wait()
	must(t, s.LastError())
	regen := s.Document().Tokens()
	must(t, s.PickCandidate(1))
	picked := s.Document().Tokens()
	if slices.Equal(regen, orig) || slices.Equal(picked, orig) || slices.Equal(picked, regen) {
		t.Fatalf("the regeneration (changed %v) or the candidate picked (changed %v, other than the first %v) did not change the image: undo and redo have nothing to tell apart",
			!slices.Equal(regen, orig), !slices.Equal(picked, orig), !slices.Equal(picked, regen))
	}
	must(t, s.Undo())
	if !slices.Equal(s.Document().Tokens(), orig) || !slices.Equal(s.Document().Mask(), mask) {
		t.Fatal("undo did not return the masked original")
	}
	if !slices.Equal(s.Canvas().Mask(), mask) || !s.paint.Overlays() {
		t.Fatal("the restored mask is not shown")
	}
	must(t, s.Redo())
	if !slices.Equal(s.Document().Tokens(), picked) || !slices.Equal(s.Document().Mask(), mask) {
		t.Fatal("redo did not return the candidate picked, with its mask")
	}
}

// Redo of Regenerate masked shows its mask as the run left it, outlined
// over the new patches (Undo then Redo brought it back as a filled block
// hiding them); a step whose mask was shown when Undo left it comes back
// shown.
func TestRedoShowsTheMaskAsTheStepHadIt(t *testing.T) {
	s := newTestStudio(t)
	setParams(t, s, "blue dog", 4, nil)
	generate(t, s)
	mask := make([]bool, 16)
	mask[9], mask[10] = true, true
	must(t, s.paint.SetMask(mask))
	must(t, s.RegenerateMasked())
	s.Wait()
	must(t, s.LastError())
	if s.paint.Overlays() || s.Canvas().MaskOutline() == 0 {
		t.Fatalf("after the run: overlays %v, %d outline lines; want the mask outlined", s.paint.Overlays(), s.Canvas().MaskOutline())
	}
	must(t, s.Undo())
	if !s.paint.Overlays() {
		t.Fatal("the mask undone to is not shown")
	}
	must(t, s.Redo())
	if s.paint.Overlays() || s.Canvas().MaskOutline() == 0 {
		t.Errorf("after Undo and Redo: overlays %v, %d outline lines; want the mask outlined as the run left it", s.paint.Overlays(), s.Canvas().MaskOutline())
	}
	s.paint.setOverlays(true) // shown by the user on that step
	must(t, s.Undo())
	must(t, s.Redo())
	if !s.paint.Overlays() {
		t.Error("a step whose mask was shown when Undo left it comes back with it hidden")
	}
}

// A regeneration, completion or branch that gives back the image it
// started from (a near-greedy temperature redraws the same patches) is
// drawn again with guidance off and more temperature, says so, records
// the settings it used, and leaves the panel's alone.
func TestUnchangedRunsAreDrawnAgainWithMoreVariation(t *testing.T) {
	s := newTestStudio(t)
	s.set.SetCandidates(1) // one candidate, redrawn exactly
	setParams(t, s, "red cat", 3, func(p *core.Params) { p.Temperature, p.Guidance = core.MinTemperature, 2 })
	generate(t, s)
	base := s.Document().Tokens()
	mask := make([]bool, len(base))
	for i := 4; i < 12; i++ {
		mask[i] = true
	}
	must(t, s.SetMask(mask))
	must(t, s.RegenerateMasked())
	s.Wait()
	must(t, s.LastError())
	if !strings.Contains(s.Status(), "since at your settings the model gave the image back unchanged") {
		t.Fatalf("status %q: the unchanged regeneration was not drawn again", s.Status())
	}
	if p := s.Document().ImageParams(); p.Temperature <= core.MinTemperature || p.Guidance != 1 {
		t.Errorf("the image records temperature %g, guidance %g: not the settings that drew it", p.Temperature, p.Guidance)
	}
	if p, _ := s.Params(); p.Temperature != core.MinTemperature || p.Guidance != 2 {
		t.Errorf("the panel changed to temperature %g, guidance %g", p.Temperature, p.Guidance)
	}
	// Opened again, the image keeps its record, and the panel its knobs:
	// the retry's were never the user's choice.
	varied := s.Document().Parent
	if rec := readRecord(t, varied); rec.Extra[extraVaried] != true || rec.Guidance != 1 {
		t.Fatalf("the varied image's record %v, guidance %g", rec.Extra, rec.Guidance)
	}
	must(t, s.OpenFile(varied))
	s.Wait()
	must(t, s.LastError())
	if p, _ := s.Params(); p.Temperature != core.MinTemperature || p.Guidance != 2 || !strings.Contains(s.Status(), "the panel keeps yours") {
		t.Errorf("opening a varied image set the panel to temperature %g, guidance %g (status %q)", p.Temperature, p.Guidance, s.Status())
	}
	if ip := s.Document().ImageParams(); ip.Guidance != 1 {
		t.Errorf("the reopened image's own guidance %g", ip.Guidance)
	}
	must(t, s.Undo()) // the opening
	// Complete from here too, and the history records the drawn settings;
	// it draws as many candidates as the Candidates slider above its
	// button says (it drew the prompt panel's Batch).
	panel, err := s.Params()
	must(t, err)
	panel.Batch = 2
	s.SetParams(panel)
	s.set.SetCandidates(3)
	must(t, s.CompleteFrom(2))
	s.Wait()
	must(t, s.LastError())
	if s.Candidates() != 3 {
		t.Errorf("Complete from here offered %d candidates, want the slider's 3", s.Candidates())
	}
	if !strings.Contains(s.Status(), "since at your settings") && slices.Equal(s.Document().Tokens(), base) {
		t.Errorf("an unchanged completion was not drawn again: %q", s.Status())
	}
	// How much more variation: none past the highest temperature without
	// guidance.
	if p, ok := variedParams(core.DefaultParams()); !ok || p.Temperature != 1.4 || p.Guidance != 1 {
		t.Errorf("temperature 1, guidance 1 varied to %g, %g (%v)", p.Temperature, p.Guidance, ok)
	}
	low := core.DefaultParams()
	low.Temperature = 0.8 // 0.8 + 0.4 is 1.2000000000000002 in binary
	if p, _ := variedParams(low); p.Temperature != 1.2 {
		t.Errorf("temperature 0.8 varied to %v, not 1.2", p.Temperature)
	}
	top := core.DefaultParams()
	top.Temperature = core.MaxTemperature
	if _, ok := variedParams(top); ok {
		t.Error("the highest temperature without guidance is varied further")
	}
	changed := slices.Clone(base)
	changed[0] ^= 1
	if unchanged(&sampler.Result{Images: []sampler.Image{{Tokens: base}, {Tokens: changed}}}, base) || !unchanged(&sampler.Result{Images: []sampler.Image{{Tokens: base}}}, base) {
		t.Error("unchanged: a changed candidate counts, or an unchanged one does not")
	}
	// Drawn again when most of its candidates gave the image back
	// (three of four did, and the fourth kept them from more variation).
	for _, c := range []struct {
		images [][]int
		want   bool
	}{
		{[][]int{base}, true},
		{[][]int{changed}, false},
		{[][]int{changed, base, base, base}, true},
		{[][]int{changed, changed, base, base}, false},
		{[][]int{changed, base, base}, true},
		{[][]int{changed, base}, false}, // the one that changed is not thrown away
		{[][]int{changed, changed, changed, base}, false},
	} {
		res := &sampler.Result{}
		for _, im := range c.images {
			res.Images = append(res.Images, sampler.Image{Tokens: im})
		}
		if mostlyUnchanged(res, base) != c.want {
			t.Errorf("%d images, %d unchanged: mostlyUnchanged %v", len(c.images), len(slices.DeleteFunc(slices.Clone(c.images), func(im []int) bool { return !slices.Equal(im, base) })), !c.want)
		}
	}
}

// Candidates that give back the image a regeneration started from come
// after those that change it, each group in its order, scores with them.
func TestChangedCandidatesFirst(t *testing.T) {
	base := []int{1, 2, 3}
	ims := []sampler.Image{{Tokens: []int{1, 2, 3}, Seed: 1}, {Tokens: []int{1, 9, 3}, Seed: 2}, {Tokens: []int{1, 2, 3}, Seed: 3}, {Tokens: []int{7, 2, 3}, Seed: 4}}
	scores := []float64{-1, -2, -3, -4}
	changedFirst(job{kind: kindRegenerate, base: base}, ims, scores)
	var seeds []uint64
	for _, im := range ims {
		seeds = append(seeds, im.Seed)
	}
	if !slices.Equal(seeds, []uint64{2, 4, 1, 3}) || !slices.Equal(scores, []float64{-2, -4, -1, -3}) {
		t.Fatalf("order %v, scores %v", seeds, scores)
	}
	changedFirst(job{kind: kindGenerate, base: base}, ims, nil) // a new image: no base to compare with
	if ims[0].Seed != 2 {
		t.Fatal("a generation was reordered")
	}
}

// A run's candidates go with its image: an undo puts the strip away, a redo
// back to the image brings it back with the pick selected, and a pick then
// still replaces the run's image in place.
func TestRedoBringsBackTheCandidates(t *testing.T) {
	s := newTestStudio(t)
	generateBatch(t, s, "red cat", 5, 3)
	must(t, s.PickCandidate(1))
	picked := s.Document().Tokens()
	must(t, s.Undo())
	if s.Candidates() != 0 {
		t.Fatal("the strip stayed after the undo left its image")
	}
	// Said, or the candidates read as lost.
	if !strings.Contains(s.Status(), "the 3 candidates of the image undone come back with Redo") {
		t.Errorf("the undo's status %q does not say the candidates come back", s.Status())
	}
	must(t, s.Redo())
	if s.Candidates() != 3 || !slices.Equal(s.Document().Tokens(), picked) || !s.cands.Thumbs()[1].Selected {
		t.Fatalf("after the redo: %d candidates, picked shown %v", s.Candidates(), slices.Equal(s.Document().Tokens(), picked))
	}
	must(t, s.PickCandidate(2))
	if !slices.Equal(s.Document().Tokens(), s.cands.results[2].tokens) {
		t.Fatal("the pick after the redo did not show the candidate")
	}
	must(t, s.Undo())
	if !s.Document().Empty() || s.Candidates() != 0 {
		t.Fatal("a pick after the redo made an undo step of its own: one undo did not go back to before the run")
	}
}

// A pick after a redo that left later steps to redo is a step of its own
// (those steps were built on the run's first image and must not come back
// over the pick); a mask stroke undone keeps the strip shown.
func TestPickAfterRedoWithMoreToRedo(t *testing.T) {
	s := newTestStudio(t)
	generateBatch(t, s, "red cat", 5, 3)
	mask := make([]bool, s.Document().N())
	mask[0] = true
	must(t, s.paint.SetMask(mask)) // a step that keeps the image
	must(t, s.Undo())
	if s.Candidates() != 3 {
		t.Fatalf("undoing a mask stroke hid the candidates (%d)", s.Candidates())
	}
	must(t, s.Undo()) // before the run
	must(t, s.Redo()) // the run again; the mask stroke is still to redo
	if s.Candidates() != 3 || !s.Document().CanRedo() {
		t.Fatalf("after the redo: %d candidates, can redo %v", s.Candidates(), s.Document().CanRedo())
	}
	must(t, s.PickCandidate(2))
	if s.Document().CanRedo() || !slices.Equal(s.Document().Tokens(), s.cands.results[2].tokens) {
		t.Fatal("the pick did not become a step of its own: the mask stroke can still be redone over it")
	}
}

// TestUnshelveHighlightsThePick: candidates can be the same picture; the
// strip brought back by a redo highlights the one that was picked, not the
// last of its twins (the status named the first one's seed while the
// fourth was framed).
func TestUnshelveHighlightsThePick(t *testing.T) {
	test.NewTempApp(t)
	b := bundletest.Tiny(3)
	same, other := make([]int, 16), make([]int, 16)
	other[0] = 1
	results := []result{{tokens: same, rows: 4, seed: 10}, {tokens: other, rows: 4, seed: 11}, {tokens: other, rows: 4, seed: 12}, {tokens: same, rows: 4, seed: 13}}
	c := newCandidateStrip(func(int) {})
	c.show(job{kind: kindRegenerate, b: b}, results)
	selected := func() (idx []int) {
		for i, th := range c.Thumbs() {
			if th.Selected {
				idx = append(idx, i)
			}
		}
		return idx
	}
	c.shelve(same, 1) // the best, #1, is on the canvas
	if !c.unshelve(same, 1, 2, false) || !slices.Equal(selected(), []int{0}) {
		t.Fatalf("after a redo to the best: %v framed", selected())
	}
	c.strip.Select(2) // #3 picked, its twin #2 is not
	c.shelve(other, 1)
	if !c.unshelve(other, 1, 2, false) || !slices.Equal(selected(), []int{2}) {
		t.Fatalf("after a redo to #3: %v framed", selected())
	}
}

// TestUndoOpenBringsBackCandidates: opening a file puts the candidates of
// the image on the canvas away, and undoing the opening brings them back.
func TestUndoOpenBringsBackCandidates(t *testing.T) {
	s := newTestStudio(t)
	generate(t, s)
	path := filepath.Join(t.TempDir(), "other.png")
	must(t, s.ExportTo(path))
	setParams(t, s, "red cat", 5, func(p *core.Params) { p.Batch = 3 })
	generate(t, s)
	if s.Candidates() != 3 {
		t.Fatalf("%d candidates after a batch of 3", s.Candidates())
	}
	batch := s.Document().Tokens()
	must(t, s.OpenFile(path))
	s.Wait()
	must(t, s.LastError())
	if s.Candidates() != 0 {
		t.Fatalf("%d candidates shown beside an opened file", s.Candidates())
	}
	must(t, s.Undo())
	if !slices.Equal(s.Document().Tokens(), batch) || s.Candidates() != 3 {
		t.Fatalf("after undoing the opening: the batch's image %v, %d candidates", slices.Equal(s.Document().Tokens(), batch), s.Candidates())
	}
}

// TestRegenerateWaitsForAMask: Regenerate masked (button and menu item) is
// disabled until a mask is painted, and its tooltip says what to do.
func TestRegenerateWaitsForAMask(t *testing.T) {
	s := newTestStudio(t)
	// Before any image, the buttons that work on one say so.
	e := s.edit
	for _, b := range []*widgets.TipButton{e.regenerate, e.complete, e.repair, e.instruct, e.extend, e.export, e.copyImage, s.tl.branch} {
		if !b.Disabled() || b.Tip() != noImageTip {
			t.Fatalf("%q on an empty canvas: disabled %v, tip %q", b.Text, b.Disabled(), b.Tip())
		}
	}
	generate(t, s)
	if e.export.Disabled() || e.export.Tip() == noImageTip || e.complete.Tip() == noImageTip {
		t.Fatalf("with an image: export disabled %v, tips %q, %q", e.export.Disabled(), e.export.Tip(), e.complete.Tip())
	}
	btn := s.edit.regenerate
	if !btn.Disabled() || !s.menu["regenerate"].Disabled || btn.Tip() != regenerateNoMaskTip {
		t.Fatalf("without a mask: disabled %v (menu %v), tip %q", btn.Disabled(), s.menu["regenerate"].Disabled, btn.Tip())
	}
	must(t, s.paint.SetMask(append(make([]bool, 15), true)))
	if btn.Disabled() || s.menu["regenerate"].Disabled || btn.Tip() != regenerateTip {
		t.Fatalf("with a mask: disabled %v (menu %v), tip %q", btn.Disabled(), s.menu["regenerate"].Disabled, btn.Tip())
	}
	if got := e.instruct.Text; got != "Edit masked patch" {
		t.Fatalf("with a mask the edit button says %q (the mask limits an edit even hidden)", got)
	}
	must(t, s.ClearMask())
	if !btn.Disabled() {
		t.Fatal("enabled after the mask was cleared")
	}
	if got := e.instruct.Text; got != "Edit by instruction" {
		t.Fatalf("without a mask the edit button says %q", got)
	}
	// A stopped image has its missing patches to redraw, mask or not.
	tokens := s.Document().Tokens()
	must(t, s.doc.SetState(tokens[:8], 0, nil, nil, s.doc.ImageParams(), "", nil))
	s.docChanged()
	if btn.Disabled() || btn.Tip() != regenerateTip {
		t.Fatalf("on a stopped image: disabled %v, tip %q", btn.Disabled(), btn.Tip())
	}
}

// TestStripsFollowTheirImages: a run's candidates go with the image they
// are of; a later run puts them away, and undo and redo bring each strip
// back with its image (the shelf holds several).
func TestStripsFollowTheirImages(t *testing.T) {
	s := newTestStudio(t)
	setParams(t, s, "red cat", 5, func(p *core.Params) { p.Batch = 3 })
	generate(t, s)
	batch := s.Document().Tokens()
	if s.Candidates() != 3 {
		t.Fatalf("%d candidates of a batch of 3", s.Candidates())
	}
	must(t, s.paint.SetMask(append(make([]bool, 12), true, true, true, true)))
	must(t, s.RegenerateMasked())
	s.Wait()
	must(t, s.LastError())
	regen, n := s.Document().Tokens(), s.Candidates()
	if n < 2 || slices.Equal(regen, batch) {
		t.Fatalf("the regeneration offered %d candidates (changed %v)", n, !slices.Equal(regen, batch))
	}
	must(t, s.Undo())
	if !slices.Equal(s.Document().Tokens(), batch) || s.Candidates() != 3 || s.cands.kind != kindGenerate {
		t.Fatalf("undo to the batch's image: %d candidates of kind %q", s.Candidates(), s.cands.kind)
	}
	must(t, s.Redo())
	if !slices.Equal(s.Document().Tokens(), regen) || s.Candidates() != n || s.cands.kind != kindRegenerate {
		t.Fatalf("redo to the regeneration: %d candidates of kind %q", s.Candidates(), s.cands.kind)
	}
}

// TestPickOnAnotherStepOfTheSameImage: a strip comes back on any step
// that shows its image's codes (an opening of the run's export), but a pick
// from it there is a step of its own: it must not rewrite the opening.
func TestPickOnAnotherStepOfTheSameImage(t *testing.T) {
	s := newTestStudio(t)
	generateBatch(t, s, "red cat", 5, 3)
	first := s.Document().Tokens()
	exported := filepath.Join(t.TempDir(), "first.png")
	must(t, s.ExportTo(exported))
	setParams(t, s, "blue dog", 9, nil) // batch 1
	generate(t, s)
	must(t, s.OpenFile(exported))
	s.Wait()
	must(t, s.LastError())
	must(t, s.Undo())
	must(t, s.Redo())
	if !slices.Equal(s.Document().Tokens(), first) || s.Candidates() != 3 {
		t.Fatalf("back on the opening: %d candidates", s.Candidates())
	}
	must(t, s.PickCandidate(1))
	must(t, s.Undo())
	if !slices.Equal(s.Document().Tokens(), first) || s.Document().Parent != exported {
		t.Fatalf("undoing the pick did not return to the opening (parent %q)", s.Document().Parent)
	}
}

// Undoing the opening of a file that holds the very codes of the image
// shown (its own export) brings back the candidates the opening put away,
// as for any other file (the strip stayed empty).
func TestUndoOpeningOfTheImagesOwnExportKeepsCandidates(t *testing.T) {
	s := newTestStudio(t)
	setParams(t, s, "red cat", 5, func(p *core.Params) { p.Batch = 3 })
	generate(t, s)
	if s.Candidates() != 3 {
		t.Fatalf("%d candidates", s.Candidates())
	}
	mask := make([]bool, s.Document().N())
	mask[0] = true
	must(t, s.SetMask(mask))
	exported := filepath.Join(t.TempDir(), "mine.png")
	must(t, s.ExportTo(exported))
	must(t, s.OpenFile(exported))
	s.Wait()
	must(t, s.LastError())
	if s.Candidates() != 0 {
		t.Fatalf("the opening kept %d candidates of the image before it", s.Candidates())
	}
	// A mask stroke on the opened file, undone, is still the opened file:
	// no candidates of the image before it.
	must(t, s.SetMask(append([]bool{false, true}, make([]bool, s.Document().N()-2)...)))
	must(t, s.Undo())
	if s.Candidates() != 0 {
		t.Fatalf("undoing a mask stroke on the opened file shows %d candidates of the image before it", s.Candidates())
	}
	must(t, s.Undo())
	if s.Candidates() != 3 {
		t.Fatalf("undoing the opening shows %d candidates, want the 3 it put away", s.Candidates())
	}
	must(t, s.Redo())
	if s.Candidates() != 0 {
		t.Fatalf("redoing the opening keeps %d candidates of the image before it", s.Candidates())
	}
}

// Undoing the opening of a picture (a history click) puts back the prompt
// and negative prompt it replaced; redoing it, the picture's again (a typed
// negative prompt was lost for good).
func TestUndoOpeningRestoresThePromptTyped(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "red cat", 5)
	generate(t, s)
	first := s.Document().Parent
	lockSeed(t, s, "blue dog", 6)
	generate(t, s)
	p, err := s.Params()
	must(t, err)
	p.Prompt, p.Negative = "green owl", "red"
	s.SetParams(p)
	step := s.Document().Step()
	must(t, s.OpenFile(first)) // an earlier output: a step of its own
	s.Wait()
	must(t, s.LastError())
	if s.Document().Step() == step {
		t.Fatal("the opening made no undo step: the test would undo the generation")
	}
	if q, _ := s.Params(); q.Prompt != "red cat" || q.Negative != "" {
		t.Fatalf("the opening put %q / %q in the panel, want the picture's", q.Prompt, q.Negative)
	}
	must(t, s.Undo())
	if q, _ := s.Params(); q.Prompt != "green owl" || q.Negative != "red" || s.Document().Step() != step {
		t.Fatalf("undoing the opening: %q / %q, want what was typed", q.Prompt, q.Negative)
	}
	// Typed after the undo: the redo shows the picture's, the next undo
	// what was typed last.
	p.Prompt = "red owl"
	s.SetParams(p)
	must(t, s.Redo())
	if q, _ := s.Params(); q.Prompt != "red cat" || q.Negative != "" {
		t.Fatalf("redoing the opening: %q / %q, want the picture's", q.Prompt, q.Negative)
	}
	must(t, s.Undo())
	if q, _ := s.Params(); q.Prompt != "red owl" {
		t.Fatalf("undoing again: %q, want what was typed after the first undo", q.Prompt)
	}
	// Undoing a plain generation leaves the panel as typed.
	must(t, s.Undo())
	if q, _ := s.Params(); q.Prompt != "red owl" {
		t.Fatalf("undoing a generation changed the prompt to %q", q.Prompt)
	}
}

// Redone past an opening, the opening and the steps after it come back
// with the prompt the panel held at each when it was undone (the picture's
// prompt stayed beside an image drawn from another, and what was typed at
// the opened picture was lost); a prompt edited after the redo stays.
func TestRedoPastAnOpeningRestoresThePromptOfTheStepsAfter(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "red cat", 5)
	generate(t, s)
	first := s.Document().Parent
	lockSeed(t, s, "blue cat", 6)
	generate(t, s)
	must(t, s.OpenFile(first)) // "red cat" in the panel
	s.Wait()
	must(t, s.LastError())
	lockSeed(t, s, "blue dog", 7)
	generate(t, s) // drawn from "blue dog"
	must(t, s.Undo())
	p, err := s.Params()
	must(t, err)
	p.Prompt = "red dog" // typed at the opened picture
	s.SetParams(p)
	must(t, s.Undo()) // before the opening: the panel as it was before it
	if q, _ := s.Params(); q.Prompt != "blue cat" {
		t.Fatalf("undoing the opening: %q, want what the panel held before it", q.Prompt)
	}
	must(t, s.Redo()) // the opening: as the panel was when it was undone
	if q, _ := s.Params(); q.Prompt != "red dog" {
		t.Fatalf("redoing the opening: %q, want what was typed there (\"red dog\")", q.Prompt)
	}
	must(t, s.Redo())
	if q, _ := s.Params(); q.Prompt != "blue dog" {
		t.Fatalf("redone to the image drawn from \"blue dog\", the panel says %q", q.Prompt)
	}
	// Edited after a redo of the opening: the next redo leaves it.
	must(t, s.Undo())
	must(t, s.Undo())
	must(t, s.Redo())
	p, err = s.Params()
	must(t, err)
	p.Prompt = "purple fox"
	s.SetParams(p)
	must(t, s.Redo())
	if q, _ := s.Params(); q.Prompt != "purple fox" {
		t.Fatalf("a prompt typed after the redo became %q", q.Prompt)
	}
}

// Opening the image shown from its own file makes no undo step, so a
// prompt typed since (not run) stays in the box, with a note, where the
// file's prompt replaced it and no undo brought it back.
func TestOpeningTheImageShownKeepsThePromptTyped(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "red cat", 5)
	generate(t, s)
	own := s.Document().Parent
	p, err := s.Params()
	must(t, err)
	p.Prompt = "green owl"
	s.SetParams(p)
	step := s.Document().Step()
	must(t, s.OpenFile(own))
	s.Wait()
	must(t, s.LastError())
	if s.Document().Step() != step {
		t.Fatal("opening the image shown made an undo step: not the case this test is for")
	}
	if q, _ := s.Params(); q.Prompt != "green owl" || !strings.Contains(s.Status(), `the prompt you typed ("green owl") stays in the box; the picture's was "red cat"`) {
		t.Fatalf("prompt %q, status %q", q.Prompt, s.Status())
	}
}

// Undoing or redoing a step that kept the image (a mask stroke) says so;
// the status named only the image ("Undone · edit …"), as if the edit had
// been undone.
func TestUndoNamesAMaskStep(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "red cat", 5)
	generate(t, s)
	mask := make([]bool, s.Document().N())
	mask[3] = true
	must(t, s.paint.SetMask(mask))
	must(t, s.Undo())
	if !strings.HasPrefix(s.Status(), "Undone: a change of the mask · image of") {
		t.Errorf("undoing a mask stroke: %q", s.Status())
	}
	must(t, s.Redo())
	if !strings.HasPrefix(s.Status(), "Redone: a change of the mask · ") || !strings.Contains(s.Status(), "1 patch masked") {
		t.Errorf("redoing it: %q", s.Status())
	}
	must(t, s.Undo())
	must(t, s.Undo()) // the generation: the image changes, the status names what is shown
	if strings.Contains(s.Status(), "change of the mask") {
		t.Errorf("undoing the generation: %q", s.Status())
	}
}

// A mask painted while a picture is generated is kept on it (a new
// picture starts unmasked, which threw it away without a word), as its own
// undo step after the picture's.
func TestMaskPaintedDuringGenerationIsKept(t *testing.T) {
	s := newTestStudio(t)
	generate(t, s) // a picture to paint over while the next is drawn
	n := s.doc.N()
	// A mask on the picture before is not the new one's: it starts
	// unmasked, and its file records no mask.
	old := make([]bool, n)
	old[1], old[2] = true, true
	must(t, s.paint.SetMask(old))
	generate(t, s)
	if s.doc.Masked() != 0 {
		t.Fatalf("a new picture carries the mask of the one before: %d patches", s.doc.Masked())
	}
	if m, ok := readRecord(t, s.Document().Parent).Extra[extraMask]; ok {
		t.Fatalf("the new picture's file records the mask of the one before: %v", m)
	}
	must(t, s.paint.SetMask(old))
	painted := make([]bool, n)
	painted[0], painted[n-1] = true, true
	s.runs.onPatch = func(ev sampler.Event) {
		if ev.Step == 4 {
			s.canvas.OnMaskEdited(painted) // a stroke, as the canvas commits it
		}
	}
	generate(t, s)
	s.runs.onPatch = nil
	if !slices.Equal(s.doc.Mask(), painted) {
		t.Fatalf("the mask after the run: %d patches masked, want the 2 painted during it", s.doc.Masked())
	}
	if !strings.Contains(s.Status(), "mask painted while it was drawn is kept") {
		t.Errorf("status %q says nothing of the mask", s.Status())
	}
	picture := s.doc.Tokens()
	must(t, s.Undo())
	if s.doc.Masked() != 0 || !slices.Equal(s.doc.Tokens(), picture) {
		t.Errorf("Undo after the run: %d masked, picture kept %v (want the mask off, the picture kept)", s.doc.Masked(), slices.Equal(s.doc.Tokens(), picture))
	}
}

// A stroke on the canvas of a Generate started over a tall image (the
// canvas has the new image's grid, the document the tall one's until the
// run ends) is kept on the new image, not an error ("mask has 16 entries
// but the grid has 28 patches").
func TestMaskPaintedDuringGenerationOverATallImage(t *testing.T) {
	s := newTestStudio(t)
	generate(t, s)
	must(t, s.ExtendDown(3, 1))
	s.Wait()
	must(t, s.LastError())
	n := s.Bundle().ImageTokens()
	if s.doc.N() <= n {
		t.Fatalf("the extended image has %d patches, the grid %d", s.doc.N(), n)
	}
	painted := make([]bool, n)
	painted[1] = true
	temps := make([]float64, n)
	temps[5] = 1.5
	s.runs.onPatch = func(ev sampler.Event) {
		switch ev.Step {
		case 2:
			s.canvas.OnMaskEdited(slices.Clone(painted)) // the new image's grid
		case 3:
			// A second stroke adds to the first: the canvas kept it.
			second := s.canvas.Mask()
			if len(second) != n || !second[1] {
				t.Errorf("after the first stroke the canvas shows %d patches, patch 1 masked %v", len(second), len(second) > 1 && second[1])
			}
			second[3] = true
			painted[3] = true
			s.canvas.OnMaskEdited(second)
		case 4:
			s.canvas.OnTemperatureEdited(temps)
		}
	}
	generate(t, s)
	s.runs.onPatch = nil
	must(t, s.LastError())
	if !slices.Equal(s.doc.Mask(), painted) {
		t.Fatalf("the mask after the run: %d of %d patches masked, want the two strokes painted during it", s.doc.Masked(), s.doc.N())
	}
	if got := s.doc.Temperature(); len(got) != n || got[5] != 1.5 || !strings.Contains(s.Status(), "temperatures painted while it was drawn") {
		t.Fatalf("the temperatures after the run: %v (want patch 5 at 1.5, painted during it), status %q", got, s.Status())
	}
}

// Undoing a batch back to another batch's image shows that one's strip
// and says the strip left comes back with Redo.
func TestUndoBetweenTwoBatchesSaysTheStripComesBack(t *testing.T) {
	s := newTestStudio(t)
	generateBatch(t, s, "red cat", 5, 3)
	generateBatch(t, s, "blue dog", 9, 3)
	must(t, s.Undo())
	if s.Candidates() != 3 || !strings.Contains(s.Status(), "the 3 candidates of the image undone come back with Redo") {
		t.Errorf("%d candidates shown, status %q", s.Candidates(), s.Status())
	}
}

// Undo says what it undid, then the image it is back at: "Undone · image
// of X" named the image now shown, which read as the step undone.
func TestUndoSaysWhatItUndid(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "red cat", 5)
	generate(t, s)
	lockSeed(t, s, "blue cat", 6)
	generate(t, s)
	must(t, s.Undo())
	if want := `Undone: image of "blue cat", seed 6 · back to image of "red cat", seed 5`; !strings.HasPrefix(s.Status(), want) {
		t.Errorf("status %q, want it to start %q", s.Status(), want)
	}
	must(t, s.Redo())
	if want := `Redone · image of "blue cat", seed 6`; !strings.HasPrefix(s.Status(), want) {
		t.Errorf("status %q, want it to start %q", s.Status(), want)
	}
}

// TestUndoShowsTheStripOfItsOwnStep: two runs that drew the same picture
// (different seeds) each keep their own strip: undoing the second run
// shows the first's candidates, never the second's beside the first's
// image (a pick from them replaced it and dropped the redo).
func TestUndoShowsTheStripOfItsOwnStep(t *testing.T) {
	s := newTestStudio(t)
	greedy := func(p *core.Params) { p.Batch, p.TopK = 4, 1 } // every seed draws the same picture
	setParams(t, s, "red cat", 5, greedy)
	generate(t, s)
	a := s.Document().ImageParams().Seed
	aSeeds := stripSeeds(s)
	setParams(t, s, "red cat", 9, greedy)
	generate(t, s)
	bSeeds := stripSeeds(s)
	if slices.Equal(aSeeds, bSeeds) {
		t.Fatalf("the two runs offered the same seeds %v", aSeeds)
	}
	mask := make([]bool, s.Document().N())
	mask[0] = true
	must(t, s.paint.SetMask(mask))
	must(t, s.Undo()) // the mask stroke: B's strip stays
	if got := stripSeeds(s); !slices.Equal(got, bSeeds) {
		t.Fatalf("undoing the mask stroke shows seeds %v, want run B's %v", got, bSeeds)
	}
	must(t, s.Undo()) // run B: back to A's image
	if s.Document().ImageParams().Seed != a {
		t.Fatalf("the undo is at seed %d, want run A's %d", s.Document().ImageParams().Seed, a)
	}
	if got := stripSeeds(s); !slices.Equal(got, aSeeds) {
		t.Fatalf("run A's image shows the strip of seeds %v, want run A's %v", got, aSeeds)
	}
	must(t, s.Redo())
	if got := stripSeeds(s); !slices.Equal(got, bSeeds) {
		t.Fatalf("the redo of run B shows seeds %v, want its own %v", got, bSeeds)
	}
}

// stripSeeds are the seeds of the candidates shown, in order.
func stripSeeds(s *Studio) []uint64 {
	var seeds []uint64
	for _, r := range s.cands.results {
		seeds = append(seeds, r.seed)
	}
	return seeds
}

// TestStripsComeBackAfterSwitchingModels: the strips of a model's earlier
// images stay with its undo history while another model is open: undoing
// to them after switching back brings them back as before the switch.
func TestStripsComeBackAfterSwitchingModels(t *testing.T) {
	e, _ := twoModels(t)
	s := e.open(t)
	aSeeds, bSeeds := twoBatches(t, s)
	awayAndBack(t, s)
	stripsFollowUndo(t, s, aSeeds, bSeeds, "switching back")
}

// stripsFollowUndo checks twoBatches' strips on s after when: the second
// batch's shown, an undo shows the first's and a redo the second's again.
func stripsFollowUndo(t *testing.T, s *Studio, aSeeds, bSeeds []uint64, when string) {
	t.Helper()
	if got := stripSeeds(s); !slices.Equal(got, bSeeds) {
		t.Fatalf("back on the model after %s: seeds %v shown, want the image's %v", when, got, bSeeds)
	}
	must(t, s.Undo())
	if got := stripSeeds(s); !slices.Equal(got, aSeeds) {
		t.Fatalf("undoing to the first batch after %s shows seeds %v, want its %v", when, got, aSeeds)
	}
	must(t, s.Redo())
	if got := stripSeeds(s); !slices.Equal(got, bSeeds) {
		t.Fatalf("redoing to the second batch after %s shows seeds %v, want its %v", when, got, bSeeds)
	}
}

// TestRedoToARunWithoutCandidatesShowsNone: a batch of one that drew the
// same picture as the batch before it has no strip: a redo back to it
// does not show the earlier batch's candidates.
func TestRedoToARunWithoutCandidatesShowsNone(t *testing.T) {
	s := newTestStudio(t)
	aSeeds := batchThenOne(t, s, 5, 9)
	undoRedoStrips(t, s, aSeeds, "")
}

// batchThenOne draws a batch of 3 that draw one picture (seedA on), then a
// batch of one of that same picture (seedB), and returns the batch's
// strip's seeds.
func batchThenOne(t *testing.T, s *Studio, seedA, seedB uint64) []uint64 {
	t.Helper()
	setParams(t, s, "red cat", seedA, func(p *core.Params) { p.Batch, p.TopK = 3, 1 }) // every seed draws the same picture
	generate(t, s)
	aSeeds := stripSeeds(s)
	setParams(t, s, "red cat", seedB, func(p *core.Params) { p.Batch, p.TopK = 1, 1 })
	generate(t, s)
	if s.Candidates() != 0 {
		t.Fatalf("a batch of one shows %d candidates", s.Candidates())
	}
	return aSeeds
}

// undoRedoStrips undoes from batchThenOne's batch of one to its batch,
// whose strip must show aSeeds, and redoes, which must show none (when
// says after what, for the messages).
func undoRedoStrips(t *testing.T, s *Studio, aSeeds []uint64, when string) {
	t.Helper()
	must(t, s.Undo())
	if got := stripSeeds(s); !slices.Equal(got, aSeeds) {
		t.Fatalf("undoing to the batch%s shows seeds %v, want its %v", when, got, aSeeds)
	}
	must(t, s.Redo())
	if got := stripSeeds(s); len(got) != 0 {
		t.Fatalf("the redo to the batch of one%s shows the seeds %v of the batch before it", when, got)
	}
}

// TestStripBackFromAModelSwitchIsItsStepsStrip: back on a model, the strip
// shown is the one its steps recorded: undoing a mask stroke keeps it and
// says nothing of candidates coming back with Redo (it was shown under a
// new id while the run's step kept the old one).
func TestStripBackFromAModelSwitchIsItsStepsStrip(t *testing.T) {
	e, _ := twoModels(t)
	s := e.open(t)
	generateBatch(t, s, "red cat", 5, 3)
	seeds := stripSeeds(s)
	mask := make([]bool, s.Document().N())
	mask[0] = true
	must(t, s.paint.SetMask(mask))
	awayAndBack(t, s)
	id := s.cands.id
	if id == 0 || !slices.Equal(stripSeeds(s), seeds) {
		t.Fatalf("back on the model the strip shows seeds %v (id %d), want %v", stripSeeds(s), id, seeds)
	}
	must(t, s.Undo())
	if st := s.Status(); strings.Contains(st, "come back with") {
		t.Fatalf("undoing the mask stroke after switching back says %q: the strip stayed", st)
	}
	if s.cands.id != id || !slices.Equal(stripSeeds(s), seeds) {
		t.Fatalf("undoing the mask stroke after switching back shows strip %d of seeds %v, want the same strip %d of %v", s.cands.id, stripSeeds(s), id, seeds)
	}
}

// awayAndBack opens twoModels' second model in s and then the first again,
// each load waited for.
func awayAndBack(t *testing.T, s *Studio) {
	t.Helper()
	for _, key := range []string{"tiny2", "tiny"} {
		must(t, s.OpenModel(key))
		s.Wait()
		must(t, s.LastError())
	}
}

// TestStripsOfAModelLeftSurviveARestart: a model's strips are kept in the
// session file while another model is open at quit, so that switching
// back after a restart shows them and an undo finds its batch's (they
// were lost: only the open model's strips were written).
func TestStripsOfAModelLeftSurviveARestart(t *testing.T) {
	e, _ := twoModels(t)
	s := e.open(t)
	aSeeds, bSeeds := twoBatches(t, s)
	must(t, s.OpenModel("tiny2"))
	s.Wait()
	must(t, s.LastError())
	must(t, s.FlushAutosave())
	for restart := 1; restart <= 2; restart++ { // the second: kept again by a studio that never opened the model
		again := e.open(t)
		if again.modelKey != "tiny2" {
			t.Fatalf("restart %d opened %q, want the model open at quit", restart, again.modelKey)
		}
		if restart == 1 {
			must(t, again.FlushAutosave())
			continue
		}
		must(t, again.OpenModel("tiny"))
		again.Wait()
		must(t, again.LastError())
		stripsFollowUndo(t, again, aSeeds, bSeeds, "a restart")
	}
}

// twoBatches draws two batches of 3 (a red cat from seed 5, a blue dog from
// seed 9) and returns their strips' seeds.
func twoBatches(t *testing.T, s *Studio) (aSeeds, bSeeds []uint64) {
	t.Helper()
	generateBatch(t, s, "red cat", 5, 3)
	aSeeds = stripSeeds(s)
	generateBatch(t, s, "blue dog", 9, 3)
	return aSeeds, stripSeeds(s)
}
