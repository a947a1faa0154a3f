package ui

import (
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/ui/core"
)

// With Settings' "Save every image of a batch" a batch writes all its
// images to the outputs folder and the history at once, as A1111 saves a
// batch, and picking one later writes nothing more; off (the default) only
// the image kept is written.
func TestSaveEveryImageOfABatch(t *testing.T) {
	s := newTestStudio(t)
	setParams(t, s, "red cat", 5, func(p *core.Params) { p.Batch = 3 })
	generate(t, s)
	if got := len(outputFiles(t, s)); got != 1 || s.Candidates() != 3 {
		t.Fatalf("a batch of 3 by default: %d files, %d candidates; want 1 and 3", got, s.Candidates())
	}
	s.set.SetSaveAllCandidates(true)
	setParams(t, s, "red cat", 50, func(p *core.Params) { p.Batch = 3 })
	history := len(s.history.Thumbs())
	generate(t, s)
	if got := len(outputFiles(t, s)); got != 4 {
		t.Fatalf("a batch of 3 with every image saved: %d files in all, want 4", got)
	}
	if got := len(s.history.Thumbs()); got != history+3 {
		t.Errorf("history: %d thumbnails, want %d", got, history+3)
	}
	if !strings.Contains(s.Status(), "with the batch's 2 other images") {
		t.Errorf("status %q", s.Status())
	}
	must(t, s.PickCandidate(2))
	s.Wait()
	if got := len(outputFiles(t, s)); got != 4 {
		t.Errorf("picking a candidate saved already: %d files, want 4", got)
	}
	if !s.currentSaved() {
		t.Error("the candidate picked, saved with its batch, counts as unsaved (quitting would warn)")
	}
}
