package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/ui/core"
)

// Scrubbing the timeline to k shows exactly the first k patches of the
// stored codes, at once and without running the model.
func TestScrubShowsFirstPatches(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "red cat", 3)
	generate(t, s)
	// Tab goes from Play to the slider, in reading order (the slider came
	// first).
	s.Window().Canvas().Focus(s.tl.play)
	s.Window().Canvas().FocusNext()
	if f := s.Window().Canvas().Focused(); f != fyne.Focusable(s.tl.slider) {
		t.Errorf("Tab from Play went to %T, not the timeline's slider", f)
	}
	tokens := s.Document().Tokens()
	full := s.Bundle().Decode(tokens)
	_, cols := s.Bundle().Grid()
	p := s.Bundle().Codebook.P
	outputs, _ := filepath.Glob(filepath.Join(s.OutputsDir(), "*.png"))
	s.runs.onPatch = func(sampler.Event) { t.Error("scrubbing ran the model") }
	for i, k := range []int{0, 1, 5, 11, 15, 16, 7} {
		if i%2 == 0 {
			must(t, s.tl.Scrub(k))
		} else {
			s.tl.slider.SetValue(float64(k)) // as the user drags it
		}
		img := s.Canvas().Image()
		for j := 0; j < len(tokens); j++ {
			switch {
			case j < k && !(patchOpaque(img, j, cols, p) && patchEqual(img, full, j, cols, p)):
				t.Fatalf("k=%d: patch %d is not the decoded code", k, j)
			case j >= k && !patchClear(img, j, cols, p):
				t.Fatalf("k=%d: patch %d is drawn", k, j)
			}
		}
		if s.shownPatches() != k || s.tl.label.Text != fmt.Sprintf("%d / %d", k, len(tokens)) {
			t.Fatalf("k=%d: scrubbed %d, label %q", k, s.shownPatches(), s.tl.label.Text)
		}
	}
	if !slices.Equal(s.Document().Tokens(), tokens) || s.Document().CanRedo() {
		t.Fatal("scrubbing changed the document")
	}
	if after, _ := filepath.Glob(filepath.Join(s.OutputsDir(), "*.png")); len(after) != len(outputs) {
		t.Fatal("scrubbing wrote outputs")
	}
	if err := s.tl.Scrub(17); err == nil {
		t.Fatal("scrubbing past the end succeeded")
	}
	// Exported while scrubbed back (7 of 16 shown), the file holds the
	// whole image: said.
	must(t, s.ExportTo(filepath.Join(t.TempDir(), "x.png")))
	if !strings.Contains(s.Status(), "the whole image: the timeline shows 7 of its 16 patches") {
		t.Errorf("exported while scrubbed back: %q", s.Status())
	}
}

// Branch from here keeps the patches before k bit for bit, reuses the
// run's cache, records its parent, and shows the tree in the history;
// a reopened node branches again (recomputing its prefix).
func TestBranchKeepsPrefixAndRecordsParent(t *testing.T) {
	e := newEnv(t)
	s := e.open(t)
	lockSeed(t, s, "blue dog", 8)
	generate(t, s)
	parent := s.Document().Parent
	tokens := s.Document().Tokens()
	before := s.Canvas().Image()
	_, cols := s.Bundle().Grid()
	pp := s.Bundle().Codebook.P
	const k = 6

	must(t, s.tl.Scrub(k))
	p := setParams(t, s, "blue dog", 99, nil)
	must(t, s.BranchFromHere())
	s.Wait()
	must(t, s.LastError())
	got := s.Document().Tokens()
	if len(got) != 16 || !slices.Equal(got[:k], tokens[:k]) {
		t.Fatalf("branch changed the kept patches: %v vs %v", got, tokens)
	}
	img := s.Canvas().Image()
	for i := 0; i < k; i++ {
		if !patchEqual(img, before, i, cols, pp) {
			t.Fatalf("kept patch %d changed on the canvas", i)
		}
	}
	// the same branch through the engine, recomputing the prefix
	want, err := sampler.Complete(context.Background(), s.Bundle(), p.Options(1), tokens, k, nil)
	must(t, err)
	if !slices.Equal(got, want.Images[0].Tokens) {
		t.Fatalf("branch %v, engine %v", got, want.Images[0].Tokens)
	}
	if !strings.Contains(s.Status(), "KV cache reused from the run that drew them") {
		t.Fatalf("status %q: the kept cache was not used", s.Status())
	}
	child := s.Document().Parent
	rec := readRecord(t, child)
	if rec.Parent != filepath.Base(parent) || rec.Extra[extraKind] != kindBranch || rec.Extra[extraAt] != float64(k) {
		t.Fatalf("branch record: parent %q kind %v at %v", rec.Parent, rec.Extra[extraKind], rec.Extra[extraAt])
	}
	note := "↳ " + historyCaption(filepath.Base(parent)) + fmt.Sprintf(" @%d", k)
	if s.history.Thumbs()[0].Note != note || s.history.Thumbs()[1].Note != "" {
		t.Fatalf("history notes %q, %q; want %q first", s.history.Thumbs()[0].Note, s.history.Thumbs()[1].Note, note)
	}
	if s.shownPatches() != 16 {
		t.Fatal("the timeline did not return to the end")
	}

	// branch the branch (its run's cache again), then reopen the root
	// from the history (no cache: the prefix is recomputed) and branch it
	must(t, s.tl.Scrub(10))
	must(t, s.BranchFromHere())
	s.Wait()
	must(t, s.LastError())
	grand := s.Document().Tokens()
	if !slices.Equal(grand[:10], got[:10]) || !strings.Contains(s.Status(), "reused") {
		t.Fatalf("second branch changed its kept patches or did not use the cache (%q)", s.Status())
	}
	if rec := readRecord(t, s.Document().Parent); rec.Parent != filepath.Base(child) {
		t.Fatalf("grandchild's parent %q, want %q", rec.Parent, filepath.Base(child))
	}
	root := s.history.Thumbs()[2]
	if root.Note != "" {
		t.Fatalf("root note %q", root.Note)
	}
	test.Tap(root)
	s.Wait()
	must(t, s.LastError())
	if !slices.Equal(s.Document().Tokens(), tokens) {
		t.Fatal("the root did not reopen")
	}
	must(t, s.tl.Scrub(3))
	must(t, s.BranchFromHere())
	s.Wait()
	must(t, s.LastError())
	if !slices.Equal(s.Document().Tokens()[:3], tokens[:3]) || !strings.Contains(s.Status(), "read again from their codes") {
		t.Fatalf("branch of a reopened image: status %q", s.Status())
	}
	if rec := readRecord(t, s.Document().Parent); rec.Parent != filepath.Base(parent) {
		t.Fatalf("second child's parent %q, want %q", rec.Parent, filepath.Base(parent))
	}

	// a new studio reads the tree back from the outputs' metadata
	s2 := e.open(t)
	notes := 0
	for _, th := range s2.history.Thumbs() {
		if strings.HasPrefix(th.Note, "↳ ") {
			notes++
		}
	}
	if s2.HistoryLen() != 4 || notes != 3 {
		t.Fatalf("reloaded history %d entries, %d with a parent", s2.HistoryLen(), notes)
	}
	if err := s2.BranchFromHere(); err == nil {
		t.Fatal("branching with the timeline at the end succeeded")
	}
	files, _ := os.ReadDir(s.OutputsDir())
	if len(files) != 4 {
		t.Fatalf("%d outputs", len(files))
	}
	// Under another prompt the kept cache holds the wrong prefix: the
	// status says it was recomputed, not reused.
	generate(t, s)
	setParams(t, s, "red cat", 99, nil)
	must(t, s.tl.Scrub(10))
	must(t, s.BranchFromHere())
	s.Wait()
	must(t, s.LastError())
	if !strings.Contains(s.Status(), "read again: the prompt or guidance differs") {
		t.Fatalf("a branch under another prompt: status %q", s.Status())
	}
}

// A branch that gave the image back is drawn again with more variation;
// its prefix is then recomputed because the retry's guidance is not the
// run's, and the status says so rather than blaming a prompt or guidance
// the user never changed.
func TestBranchRetrySaysWhy(t *testing.T) {
	s := newTestStudio(t)
	s.set.SetCandidates(1)
	setParams(t, s, "red cat", 3, func(p *core.Params) { p.Temperature, p.Guidance = core.MinTemperature, 2 })
	generate(t, s)
	must(t, s.tl.Scrub(6))
	must(t, s.BranchFromHere())
	s.Wait()
	must(t, s.LastError())
	st := s.Status()
	if !strings.Contains(st, "since at your settings the model gave the image back unchanged") ||
		strings.Contains(st, "the prompt or guidance differs") || !strings.Contains(st, "the retry draws at another guidance") {
		t.Fatalf("status %q", st)
	}
}

// While a run draws an image from its top, the timeline counts its
// patches: a Generate starts at "0 / 16", not the last image's "16 / 16";
// a stopped image says of how many patches it stops short; Continue of it
// starts at the patches kept. Runs that change
// an image in place leave its count.
func TestTimelineFollowsTheRun(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "red cat", 4)
	generate(t, s)
	if got := s.tl.label.Text; got != "16 / 16" {
		t.Fatalf("after Generate the timeline reads %q", got)
	}
	started := func(run func() error) string {
		t.Helper()
		must(t, run())
		at := s.tl.label.Text // as the run starts, before a repaint
		s.Wait()
		must(t, s.LastError())
		return at
	}
	lockSeed(t, s, "red cat", 5)
	if got := started(s.Generate); got != "0 / 16" {
		t.Fatalf("as Generate starts the timeline reads %q, want 0 / 16", got)
	}
	if got := s.tl.label.Text; got != "16 / 16" {
		t.Fatalf("after the run the timeline reads %q", got)
	}
	kept := stoppedImage(t, s)
	if got, want := s.tl.label.Text, fmt.Sprintf("%d / %d of 16", kept, kept); got != want {
		t.Fatalf("after a stop the timeline reads %q, want %q (the image is unfinished)", got, want)
	}
	if got, want := started(s.Resume), fmt.Sprintf("%d / 16", kept); got != want {
		t.Fatalf("as Continue starts the timeline reads %q, want %q", got, want)
	}
	s.Canvas().SetBrushSize(1)
	test.Drag(s.Window().Canvas(), patchCenter(s, 0, 0), 2, 0)
	if got := started(s.RegenerateMasked); got != "16 / 16" {
		t.Fatalf("as Regenerate masked starts the timeline reads %q, want the image's 16 / 16", got)
	}
}
