package ui

import (
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/tessera-studio/tessera/engine/pngmeta"
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
	if !strings.Contains(s.Status(), "(and the batch's 2 other images)") {
		t.Errorf("status %q", s.Status())
	}
	// Listed again (after a restart) in the order the strip showed, best
	// first (the files came back newest, the worst, first).
	listed, err := outputs{dir: s.OutputsDir()}.list(3)
	must(t, err)
	for i, c := range s.cands.results {
		if listed[i] != c.path {
			t.Errorf("listed again: %q, the batch best first: candidate %d is %q", listed, i+1, c.path)
		}
	}
	// Each file holds its own candidate's record.
	for i, c := range s.cands.results {
		text, err := pngmeta.ReadFile(c.path)
		must(t, err)
		rec, ok, err := pngmeta.ParseRecord(text)
		if !ok || err != nil || rec.Seed != c.seed {
			t.Errorf("candidate %d (seed %d): %s holds another record (%v)", i+1, c.seed, c.path, err)
		}
	}
	must(t, s.PickCandidate(2))
	s.Wait()
	if got := len(outputFiles(t, s)); got != 4 {
		t.Errorf("picking a candidate saved already: %d files, want 4", got)
	}
	if !s.currentSaved() {
		t.Error("the candidate picked, saved with its batch, counts as unsaved (quitting would warn)")
	}
	// A stopped batch's partial images wait to be picked: only the one kept
	// is written, and not even that one under half drawn.
	s.StopAtPatch(3)
	setParams(t, s, "red cat", 500, func(p *core.Params) { p.Batch = 3 })
	generate(t, s)
	if got := len(outputFiles(t, s)); got != 4 || s.Candidates() != 3 {
		t.Errorf("a batch of 3 stopped at patch 3 of 16: %d files in all, %d candidates; want 4 and 3", got, s.Candidates())
	}
	s.StopAtPatch(10)
	setParams(t, s, "red cat", 600, func(p *core.Params) { p.Batch = 3 })
	generate(t, s)
	if got := len(outputFiles(t, s)); got != 5 || s.Candidates() != 3 {
		t.Errorf("a batch of 3 stopped at patch 10 of 16: %d files in all, %d candidates; want 5 and 3", got, s.Candidates())
	}
}

// With every image of a batch saved, candidates alike are one file: a
// batch drawn greedily (top-k 1) is one picture three times.
func TestSaveEveryImageOfABatchOnceEachPicture(t *testing.T) {
	s := newTestStudio(t)
	s.set.SetSaveAllCandidates(true)
	setParams(t, s, "red cat", 5, func(p *core.Params) { p.Batch, p.TopK = 3, 1 })
	generate(t, s)
	if s.Candidates() != 3 || !slices.Equal(s.cands.results[0].tokens, s.cands.results[2].tokens) {
		t.Fatalf("%d candidates, not alike: the test shows nothing", s.Candidates())
	}
	if got := len(outputFiles(t, s)); got != 1 {
		t.Errorf("three alike candidates wrote %d files, want 1", got)
	}
	// Picking a repeat writes no second file of it, with every image of a
	// batch saved or only the first.
	for _, saveAll := range []bool{true, false} {
		s.set.SetSaveAllCandidates(saveAll)
		generate(t, s)
		must(t, s.PickCandidate(2))
		if got := len(outputFiles(t, s)); got != 1 || !strings.Contains(s.Status(), "saved before (not written again)") {
			t.Errorf("save all %v: picking a repeat left %d files, status %q", saveAll, got, s.Status())
		}
	}
}

// A candidate that cannot be saved is reported as such, not as the result
// (which was saved), and does not keep the others from being saved.
func TestSaveEveryImageOfABatchReportsACandidateNotSaved(t *testing.T) {
	s := newTestStudio(t)
	s.set.SetSaveAllCandidates(true)
	setParams(t, s, "red cat", 50, func(p *core.Params) { p.Batch, p.SeedLocked = 3, true })
	generate(t, s)
	cands := append([]result(nil), s.cands.results...)
	if len(cands) != 3 {
		t.Fatalf("%d candidates", len(cands))
	}
	// The same batch again: the result is the same picture (saved before),
	// the second is saved anew, and the third finds no free file name.
	for _, c := range cands[1:] {
		must(t, os.Remove(c.path))
	}
	// From the next second on (the first run's files are named by theirs).
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	now := time.Now()
	for sec := 0; sec < 10; sec++ {
		base := fmt.Sprintf("tessera-%s-red-cat-s%d", now.Add(time.Duration(sec)*time.Second).Format("20060102-150405"), cands[2].seed)
		must(t, os.WriteFile(filepath.Join(s.outputsDir, base+".png"), nil, 0o644))
		for i := 2; i <= 1000; i++ {
			must(t, os.WriteFile(filepath.Join(s.outputsDir, fmt.Sprintf("%s-%d.png", base, i)), nil, 0o644))
		}
	}
	s.Generate()
	s.Wait()
	err := s.LastError()
	if err == nil || !strings.Contains(err.Error(), "1 other image of the batch could not be saved") || !strings.Contains(err.Error(), "candidate 3") || strings.Contains(err.Error(), "the result") {
		t.Errorf("error %v", err)
	}
	if st := s.Status(); !strings.Contains(st, "saved before") || !strings.Contains(st, "(and the batch's 1 other image)") {
		t.Errorf("status %q", st)
	}
	if got := s.cands.results; got[1].path == "" || got[2].path != "" {
		t.Errorf("paths after the run: %q, %q; want the second saved and the third not", got[1].path, got[2].path)
	}
}

// Picking the candidate of a masked regeneration that is the image it
// started from ("= before") writes no file and no history entry: that
// image is on file already (with "Save every image of a batch" on or off),
// and it keeps its own parent.
func TestPickingTheImageBeforeSavesNothing(t *testing.T) {
	for _, saveAll := range []bool{false, true} {
		s := newTestStudio(t)
		s.set.SetSaveAllCandidates(saveAll)
		s.set.SetCandidates(4)
		before := -1
		for seed := uint64(1); seed < 40 && before < 0; seed++ {
			setParams(t, s, "red cat", seed, func(p *core.Params) { p.Temperature, p.Guidance = 0.6, 1 })
			generate(t, s)
			mask := make([]bool, 16)
			mask[15] = true
			must(t, s.paint.SetMask(mask))
			must(t, s.RegenerateMasked())
			s.Wait()
			must(t, s.LastError())
			for i, c := range s.cands.results {
				if c.before && i > 0 {
					before = i
				}
			}
		}
		if before < 0 {
			t.Fatal("no seed gave a regeneration with the image before among changed candidates")
		}
		// Undoing the run itself puts its strip away, though the image
		// before it is one of its candidates; the redo brings it back with
		// picks in place again.
		if saveAll {
			must(t, s.Undo())
			if s.Candidates() != 0 {
				t.Errorf("undoing the regeneration kept its %d candidates over the image before it", s.Candidates())
			}
			must(t, s.Redo())
			if s.Candidates() != 4 || s.cands.version != s.Document().Version() {
				t.Errorf("redo: %d candidates, picks in place %v", s.Candidates(), s.cands.version == s.Document().Version())
			}
		}
		c := s.cands.results[before]
		// Its thumbnail and name give the image's own seed (the run's drew
		// no such picture), also in a strip a session file keeps.
		if orig := recordOf(c.parent); orig == nil || s.cands.Thumbs()[before].Note != fmt.Sprint(orig.Seed) || !strings.Contains(candidateName(before, c), fmt.Sprintf("the image the run started from (its seed %d)", orig.Seed)) {
			t.Errorf("save all %v: the image before shows seed %q, named %q; its file %+v", saveAll, s.cands.Thumbs()[before].Note, candidateName(before, c), orig)
		}
		if sv := s.cands.saved(s.Document().Tokens(), s.Document().Version()); sv == nil || sv.Candidates[before].Start == nil || sv.Candidates[before].Start.Seed != c.startParams.Seed {
			t.Errorf("save all %v: the session's strip does not keep the image before's parameters", saveAll)
		}
		if c.path != "" {
			t.Errorf("save all %v: the image before was saved again as %s", saveAll, c.path)
		}
		files, history := outputFiles(t, s), len(s.history.Thumbs())
		must(t, s.PickCandidate(before))
		s.Wait()
		if got := outputFiles(t, s); !slices.Equal(got, files) {
			t.Errorf("save all %v: picking the image before wrote %d files", saveAll, len(got)-len(files))
		}
		if got := len(s.history.Thumbs()); got != history {
			t.Errorf("save all %v: history %d → %d", saveAll, history, got)
		}
		if !strings.Contains(s.Status(), "not saved again") || s.Document().Parent != c.parent || c.parent == "" {
			t.Errorf("save all %v: status %q, parent %q want %q", saveAll, s.Status(), s.Document().Parent, c.parent)
		}
		if !s.currentSaved() {
			t.Errorf("save all %v: the image before, on file, counts as unsaved", saveAll)
		}
		// It is put back with its own seed (the run's drew no such
		// picture), which an export records.
		orig := recordOf(c.parent)
		if orig == nil || s.Document().ImageParams().Seed != orig.Seed {
			t.Fatalf("save all %v: the image before reads seed %d, its file %+v", saveAll, s.Document().ImageParams().Seed, orig)
		}
		out := filepath.Join(t.TempDir(), "x.png")
		must(t, s.ExportTo(out))
		if rec := recordOf(out); rec == nil || rec.Seed != orig.Seed {
			t.Errorf("save all %v: the export of the image before records %+v, want seed %d", saveAll, rec, orig.Seed)
		}
	}
}

// The candidates of the image on the canvas are kept with the session:
// after a restart they can still be picked (a pick saves as before), with
// their captions; one whose file was deleted meanwhile counts as unsaved.
func TestCandidatesOutliveARestart(t *testing.T) {
	e := newEnv(t)
	s := e.open(t)
	setParams(t, s, "red cat", 50, func(p *core.Params) { p.Batch = 3 })
	generate(t, s)
	must(t, s.PickCandidate(1)) // saved now
	s.Wait()
	before := s.cands.results
	captions := []string{}
	for _, th := range s.cands.strip.Thumbs() {
		captions = append(captions, th.Caption)
	}
	must(t, os.Remove(before[0].path)) // the first, deleted since
	must(t, s.FlushAutosave())

	s2 := e.open(t)
	if s2.Candidates() != 3 || !strings.Contains(s2.Status(), "its 3 candidates are below") {
		t.Fatalf("after a restart: %d candidates, status %q", s2.Candidates(), s2.Status())
	}
	for i, c := range s2.cands.results {
		th := s2.cands.strip.Thumbs()[i]
		if !slices.Equal(c.tokens, before[i].tokens) || c.seed != before[i].seed || th.Caption != captions[i] {
			t.Errorf("candidate %d: seed %d caption %q, want seed %d caption %q", i+1, c.seed, th.Caption, before[i].seed, captions[i])
		}
		if th.Selected != (i == 1) {
			t.Errorf("candidate %d selected %v: the one on the canvas is 2", i+1, th.Selected)
		}
	}
	if got := s2.cands.results; got[0].path != "" || got[1].path != before[1].path {
		t.Errorf("paths %q, %q: want the deleted one unsaved and the picked one kept", got[0].path, got[1].path)
	}
	files := len(outputFiles(t, s2))
	undo := len(s2.Document().State().Undo)
	must(t, s2.PickCandidate(2)) // never saved: saved now
	s2.Wait()
	if got := len(outputFiles(t, s2)); got != files+1 || !slices.Equal(s2.Document().Tokens(), before[2].tokens) {
		t.Errorf("picking a restored candidate: %d files (was %d), on the canvas %v", got, files, slices.Equal(s2.Document().Tokens(), before[2].tokens))
	}
	// As before the restart, the pick replaced the run's image in place (a
	// newcomer saw picks make steps of their own only after a restart).
	if got := len(s2.Document().State().Undo); got != undo {
		t.Errorf("the pick after a restart made %d undo steps, want none (in place, as before it)", got-undo)
	}
	// Undone past the run and redone, the strip comes back with the pick
	// highlighted, and a pick still replaces in place.
	must(t, s2.Undo())
	must(t, s2.Redo())
	if s2.Candidates() != 3 || !s2.cands.strip.Thumbs()[2].Selected {
		t.Fatalf("redone to candidate 3: %d candidates shown", s2.Candidates())
	}
	must(t, s2.PickCandidate(1))
	if got := len(s2.Document().State().Undo); got != undo {
		t.Errorf("a pick after undo and redo made %d undo steps, want none", got-undo)
	}
	// A step built on the pick (a mask) and then undone, with the strip's
	// state saved and read back: something to redo, so a pick is a step of
	// its own and an undo from it keeps the strip.
	mask := make([]bool, s2.Document().N())
	mask[0] = true
	must(t, s2.Document().SetMask(mask))
	s2.docChanged()
	must(t, s2.Undo())
	must(t, s2.FlushAutosave())
	s3 := e.open(t)
	if s3.Candidates() != 3 || !s3.cands.strip.Thumbs()[1].Selected {
		t.Fatalf("after a second restart: %d candidates", s3.Candidates())
	}
	undo = len(s3.Document().State().Undo)
	must(t, s3.PickCandidate(0))
	if got := len(s3.Document().State().Undo); got != undo+1 {
		t.Errorf("a pick with a step to redo made %d undo steps, want 1", got-undo)
	}
	must(t, s3.Undo())
	if s3.Candidates() != 3 || !s3.cands.strip.Thumbs()[1].Selected {
		t.Errorf("undone to candidate 2: %d candidates shown", s3.Candidates())
	}
}

// Continue after a stopped batch finishes every partial candidate from its
// own top part (the one on the canvas first, each with its own seed), not
// the canvas's image again as new candidates that all looked alike.
func TestContinueFinishesAStoppedBatch(t *testing.T) {
	s := newTestStudio(t)
	s.StopAtPatch(5)
	setParams(t, s, "red cat", 60, func(p *core.Params) { p.Batch = 3 })
	generate(t, s)
	if !strings.Contains(s.Status(), "the 3 partial images are kept (Continue stopped image, in the Image menu and under Regenerate, finishes all of them)") {
		t.Errorf("status %q", s.Status())
	}
	partial := append([]result(nil), s.cands.results...)
	if len(partial) != 3 || len(partial[0].tokens) >= s.Bundle().ImageTokens() {
		t.Fatalf("a stopped batch: %d candidates of %d codes", len(partial), len(partial[0].tokens))
	}
	must(t, s.PickCandidate(1))
	must(t, s.Resume())
	s.Wait()
	must(t, s.LastError())
	got := s.cands.results
	if len(got) != 3 || !s.Document().Complete() {
		t.Fatalf("after Continue: %d candidates, the image complete %v", len(got), s.Document().Complete())
	}
	// the one on the canvas first, the others ranked as a finished batch
	// is (they were not: a stopped batch's order is its seeds')
	if p := partial[1]; len(got[0].tokens) != s.Bundle().ImageTokens() || !slices.Equal(got[0].tokens[:len(p.tokens)], p.tokens) || got[0].seed != p.seed {
		t.Errorf("candidate 1: does not finish partial candidate 2 (seed %d, got seed %d)", p.seed, got[0].seed)
	}
	var rest []uint64
	for _, r := range got[1:] {
		rest = append(rest, r.seed)
		if !r.scored {
			t.Errorf("candidate seed %d not scored", r.seed)
		}
	}
	if !slices.Equal(rest, []uint64{partial[0].seed, partial[2].seed}) && !slices.Equal(rest, []uint64{partial[2].seed, partial[0].seed}) {
		t.Errorf("the other candidates' seeds %v, want those of partial candidates 1 and 3", rest)
	}
	if !got[0].scored || got[1].score < got[2].score {
		t.Errorf("not ranked after the pinned one: scores %v %v %v", got[0].score, got[1].score, got[2].score)
	}
	if !strings.Contains(s.cands.label.Text, "Yours first") {
		t.Errorf("strip label %q", s.cands.label.Text)
	}
	for i, r := range got {
		for _, p := range partial {
			if r.seed == p.seed && !slices.Equal(r.tokens[:len(p.tokens)], p.tokens) {
				t.Errorf("candidate %d (seed %d) does not finish its own partial image", i+1, r.seed)
			}
		}
	}
	if !slices.Equal(s.Document().Tokens(), got[0].tokens) {
		t.Error("the canvas does not show the finished image it had")
	}
}

// A Tessera picture opened from the user's own folder is exported under
// its own name by default (an editor saves the file it opened); one from
// the outputs folder, or a new drawing, is named by its prompt and seed.
func TestExportNameOfAnOpenedPicture(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "red cat", 9)
	generate(t, s)
	drawn := s.files.exportName()
	if drawn != "red-cat-9.png" {
		t.Fatalf("a drawn picture's export name %q", drawn)
	}
	saved := s.Document().Parent // the studio's own copy, in the outputs folder
	if filepath.Dir(saved) != filepath.Clean(s.OutputsDir()) {
		t.Fatalf("the drawing was saved as %q, not in the outputs folder %q", saved, s.OutputsDir())
	}
	mine := filepath.Join(t.TempDir(), "rocket.png")
	must(t, s.ExportTo(mine))
	must(t, s.OpenFile(mine))
	s.Wait()
	must(t, s.LastError())
	if got := s.files.exportName(); got != "rocket.png" {
		t.Fatalf("reopened rocket.png suggests %q", got)
	}
	must(t, s.OpenFile(saved))
	s.Wait()
	must(t, s.LastError())
	if got := s.files.exportName(); got != drawn {
		t.Fatalf("a picture of the outputs folder suggests %q, want %q", got, drawn)
	}
	must(t, s.OpenFile(mine))
	s.Wait()
	must(t, s.paint.SetMask(append([]bool{true}, make([]bool, s.Document().N()-1)...))) // a change of it
	if got := s.files.exportName(); got != "rocket.png" {
		t.Fatalf("reopened rocket.png, masked, suggests %q", got)
	}
	must(t, s.Undo())
	must(t, s.Undo()) // back before the opening
	if got := s.files.exportName(); got == "rocket.png" {
		t.Fatal("the picture before the opening is suggested as the file opened after it")
	}
	must(t, s.Redo())
	if got := s.files.exportName(); got != "rocket.png" {
		t.Fatalf("the opening redone suggests %q", got)
	}
	generate(t, s)
	if got := s.files.exportName(); got == "rocket.png" {
		t.Fatal("a new drawing is still suggested as the file opened before it")
	}
}

// Deleting an output from the history says "deleted" under the entries
// made from it, where they named a file that is no longer there.
// An export into the outputs folder joins the history strip at once (it
// came only after a restart); exported there again, it moves first, once.
func TestExportIntoOutputsJoinsTheHistory(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "red cat", 3)
	generate(t, s)
	n := s.HistoryLen()
	path := filepath.Join(s.OutputsDir(), "mine.png")
	must(t, s.ExportTo(path))
	if s.HistoryLen() != n+1 || s.history.items[0].path != path {
		t.Fatalf("after an export into the outputs folder: %d entries (was %d), first %q", s.HistoryLen(), n, s.history.items[0].path)
	}
	must(t, s.ExportTo(path))
	if s.HistoryLen() != n+1 {
		t.Errorf("exported over itself: %d entries, want %d", s.HistoryLen(), n+1)
	}
	must(t, s.ExportTo(filepath.Join(t.TempDir(), "elsewhere.png")))
	if s.HistoryLen() != n+1 {
		t.Errorf("an export elsewhere joined the history: %d entries", s.HistoryLen())
	}
}

func TestHistoryDeletedParent(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "blue dog", 8)
	generate(t, s) // an older output: the history reads the folder from it (outputTimeKey)
	older := s.Document().Parent
	lockSeed(t, s, "red cat", 9)
	generate(t, s)
	parent := s.Document().Parent
	s.set.SetCandidates(1)
	mask := make([]bool, s.Document().N())
	for i := range mask {
		mask[i] = i >= len(mask)/2
	}
	must(t, s.paint.SetMask(mask))
	must(t, s.RegenerateMasked())
	s.Wait()
	must(t, s.LastError())
	child := s.history.Thumbs()[0]
	if !strings.HasPrefix(child.Note, "↳ ") || strings.Contains(child.Note, "gone") {
		t.Fatalf("the regeneration's note %q (status %q)", child.Note, s.Status())
	}
	must(t, s.history.Delete(parent))
	if note := s.history.Thumbs()[0].Note; note != "↳ gone mask" {
		t.Fatalf("after its parent was deleted the note is %q", note)
	}
	// Read again from the folder, as after a restart: still deleted (it
	// linked to the deleted file's time again). The older output is dated
	// a minute before, as it would be when made earlier.
	then := time.Now().Add(-time.Minute)
	renamed := filepath.Join(filepath.Dir(older), "tessera-"+then.Format("20060102-150405")+"-blue-dog-s8.png")
	must(t, os.Rename(older, renamed))
	must(t, os.Chtimes(renamed, then, then))
	s.loadHistory()
	s.Wait()
	if note := s.history.Thumbs()[0].Note; note != "↳ gone mask" {
		t.Fatalf("the history read again: the note is %q", note)
	}
}

// A context menu opened near the window's right or bottom edge is moved in
// to be whole.
func TestMenuInside(t *testing.T) {
	c := fyne.NewSize(800, 600)
	m := fyne.NewSize(200, 150)
	for _, tc := range []struct{ at, want fyne.Position }{
		{fyne.NewPos(100, 100), fyne.NewPos(100, 100)},
		{fyne.NewPos(700, 100), fyne.NewPos(600, 100)},
		{fyne.NewPos(700, 550), fyne.NewPos(600, 450)},
		{fyne.NewPos(-5, 10), fyne.NewPos(0, 10)},
	} {
		if got := menuInside(tc.at, m, c); got != tc.want {
			t.Errorf("at %v: %v, want %v", tc.at, got, tc.want)
		}
	}
}

// A photo's masked regeneration is exported under the photo's name (never
// as it), and its parameters text says how it was made from the photo: its
// prompt and seed alone do not make it (an export read as a plain
// generation, "tessera-SEED.png", before).
func TestExportOfAPhotosRegenerationSaysHowItWasMade(t *testing.T) {
	s := newTestStudio(t)
	photo := filepath.Join(t.TempDir(), "photo.png")
	pic := image.NewNRGBA(image.Rect(0, 0, 40, 30))
	for i := range pic.Pix {
		pic.Pix[i] = uint8(i*13) | 3
	}
	f, err := os.Create(photo)
	must(t, err)
	must(t, png.Encode(f, pic))
	must(t, f.Close())
	must(t, s.OpenFile(photo))
	s.Wait()
	must(t, s.LastError())
	lockSeed(t, s, "red cat", 5)
	mask := make([]bool, s.Document().N())
	mask[len(mask)-1], mask[len(mask)-2] = true, true
	must(t, s.SetMask(mask))
	must(t, s.RegenerateMasked())
	s.Wait()
	must(t, s.LastError())
	if got := s.files.exportName(); got != "photo-tessera.png" {
		t.Fatalf("a photo's regeneration suggests %q", got)
	}
	out := filepath.Join(t.TempDir(), "x.png")
	must(t, s.ExportTo(out))
	text, err := pngmeta.ReadFile(out)
	must(t, err)
	want := fmt.Sprintf("Made from: 2 of %d patches of photo.png regenerated", len(mask))
	if params := text[pngmeta.KeyParameters]; !strings.Contains(params, want) {
		t.Fatalf("the export's parameters %q do not say %q", params, want)
	}
	must(t, s.Undo()) // the photo as opened: its own name with -tessera, as before
	if got := s.files.exportName(); got != "photo-tessera.png" {
		t.Fatalf("the opened photo suggests %q", got)
	}
}

// A result the outputs folder cannot take says so on the status line too,
// once the error's dialog is closed (it read "Generated: …" as if saved).
func TestUnsavedResultIsSaid(t *testing.T) {
	s := newTestStudio(t)
	blocker := filepath.Join(t.TempDir(), "file")
	must(t, os.WriteFile(blocker, nil, 0o644))
	s.outputsDir = filepath.Join(blocker, "outputs") // under a file: no folder can be made there
	lockSeed(t, s, "red cat", 5)
	s.Generate()
	s.Wait()
	if err := s.LastError(); err == nil || !strings.Contains(err.Error(), "could not be saved to the outputs folder") {
		t.Fatalf("error %v", err)
	}
	if st := s.Status(); !strings.Contains(st, "not saved to the outputs folder (see the error; File › Export saves it)") {
		t.Errorf("status %q", st)
	}
}

// The candidates put away with an image an undo goes back to are kept with
// the session too: after a restart, Undo brings them back as it did before
// (the strip came back empty).
func TestShelvedCandidatesOutliveARestart(t *testing.T) {
	e := newEnv(t)
	s := e.open(t)
	setParams(t, s, "red cat", 50, func(p *core.Params) { p.Batch = 3 })
	generate(t, s)
	first := slices.Clone(s.Document().Tokens())
	setParams(t, s, "blue dog", 51, func(p *core.Params) { p.Batch = 1 })
	generate(t, s)
	must(t, s.FlushAutosave())

	s2 := e.open(t)
	must(t, s2.Undo())
	if !slices.Equal(s2.Document().Tokens(), first) || s2.Candidates() != 3 {
		t.Fatalf("undone after a restart: the batch's image %v, %d candidates", slices.Equal(s2.Document().Tokens(), first), s2.Candidates())
	}
}

// The strip an opening of a file of the same picture put away comes back
// with the opening's undo after a restart too (its undo step is kept by
// its place in the history: the steps are numbered anew).
func TestShelvedByAnOpeningOutlivesARestart(t *testing.T) {
	e := newEnv(t)
	s := e.open(t)
	setParams(t, s, "red cat", 50, func(p *core.Params) { p.Batch = 3 })
	generate(t, s)
	data, err := os.ReadFile(s.cands.results[0].path)
	must(t, err)
	cp := filepath.Join(t.TempDir(), "copy.png")
	must(t, os.WriteFile(cp, data, 0o644))
	must(t, s.OpenFile(cp))
	s.Wait()
	must(t, s.LastError())
	must(t, s.FlushAutosave())

	s2 := e.open(t)
	must(t, s2.Undo())
	if s2.Candidates() != 3 {
		t.Fatalf("the opening undone after a restart: %d candidates", s2.Candidates())
	}
}

// Two batches that drew the same picture keep their own strips through a
// restart: undoing the second's mask stroke and then the second batch
// shows each step's own candidates (the session kept the shelf by image,
// so the second strip replaced the first).
func TestSameImageStripsOutliveARestart(t *testing.T) {
	e := newEnv(t)
	s := e.open(t)
	greedy := func(p *core.Params) { p.Batch, p.TopK = 3, 1 } // every seed draws the same picture
	setParams(t, s, "red cat", 50, greedy)
	generate(t, s)
	aSeeds := stripSeeds(s)
	setParams(t, s, "red cat", 60, greedy)
	generate(t, s)
	bSeeds := stripSeeds(s)
	mask := make([]bool, s.Document().N())
	mask[0] = true
	must(t, s.paint.SetMask(mask))
	must(t, s.FlushAutosave())

	s2 := e.open(t)
	if got := stripSeeds(s2); !slices.Equal(got, bSeeds) {
		t.Fatalf("after a restart the strip shows seeds %v, want the second batch's %v", got, bSeeds)
	}
	bID := s2.cands.id
	must(t, s2.Undo())
	if got := stripSeeds(s2); !slices.Equal(got, bSeeds) || s2.cands.id != bID {
		t.Fatalf("the mask stroke undone after a restart shows strip %d of seeds %v, want the second batch's %d of %v", s2.cands.id, got, bID, bSeeds)
	}
	if st := s2.Status(); strings.Contains(st, "come back with") {
		t.Fatalf("the mask stroke undone after a restart says %q: the strip stayed", st)
	}
	must(t, s2.Undo())
	if got := stripSeeds(s2); !slices.Equal(got, aSeeds) {
		t.Fatalf("the second batch undone after a restart shows seeds %v, want the first's %v", got, aSeeds)
	}
	if st, want := s2.Status(), "the 3 candidates of the image undone come back with Redo"; !strings.Contains(st, want) {
		t.Fatalf("the second batch undone after a restart says %q, want %q", st, want)
	}
	if th := s2.cands.Thumbs(); len(th) != 3 || !th[0].Selected {
		t.Fatalf("the first batch's strip after a restart does not highlight the image's candidate, the first")
	}
	for range 2 {
		must(t, s2.Redo())
		if got := stripSeeds(s2); !slices.Equal(got, bSeeds) || s2.cands.id != bID {
			t.Fatalf("redone after a restart: strip %d of seeds %v, want the second batch's %d of %v", s2.cands.id, got, bID, bSeeds)
		}
	}
}

// After a restart the strip shown is the very strip the session kept for
// the steps it was shown on: undoing a mask stroke keeps it (the same
// strip, not one built again) and says nothing of candidates coming back
// with Redo (the strip shown had another id than the run step's entry, so
// the undo rebuilt it and said its candidates were left behind).
func TestRestoredStripIsItsStepsStrip(t *testing.T) {
	e := newEnv(t)
	s := e.open(t)
	generateBatch(t, s, "red cat", 50, 3)
	seeds := stripSeeds(s)
	mask := make([]bool, s.Document().N())
	mask[0] = true
	must(t, s.paint.SetMask(mask))
	must(t, s.FlushAutosave())

	s2 := e.open(t)
	id, thumbs := s2.cands.id, s2.cands.Thumbs()
	if id == 0 || !slices.Equal(stripSeeds(s2), seeds) {
		t.Fatalf("after a restart the strip shows seeds %v (id %d), want %v", stripSeeds(s2), id, seeds)
	}
	must(t, s2.Undo())
	if st := s2.Status(); strings.Contains(st, "come back with") {
		t.Fatalf("undoing the mask stroke after a restart says %q: the strip stayed", st)
	}
	if s2.cands.id != id || !slices.Equal(s2.cands.Thumbs(), thumbs) || !slices.Equal(stripSeeds(s2), seeds) {
		t.Fatalf("undoing the mask stroke after a restart shows strip %d of seeds %v, want the same strip %d of %v", s2.cands.id, stripSeeds(s2), id, seeds)
	}
}

// A batch of one that drew the same picture as the batch before it still
// has no strip after a restart: a redo back to it, after undoing to the
// batch, shows none (the session kept no place for a step without
// candidates, so the batch's strip stayed on).
func TestStepWithoutCandidatesOutlivesARestart(t *testing.T) {
	e := newEnv(t)
	s := e.open(t)
	aSeeds := batchThenOne(t, s, 5, 9)
	must(t, s.FlushAutosave())

	s2 := e.open(t)
	if s2.Candidates() != 0 {
		t.Fatalf("the batch of one shows %d candidates after a restart", s2.Candidates())
	}
	undoRedoStrips(t, s2, aSeeds, " after a restart")
}

// A session file written before the strips kept each step's places (no
// more_history, no none_history) still loads: the strip of the image
// shown and the strips an undo goes back to come back.
func TestSessionWithoutStepPlacesLoads(t *testing.T) {
	e := newEnv(t)
	s := e.open(t)
	aSeeds := batchThenOne(t, s, 50, 70)                      // the second a step without candidates
	greedy := func(p *core.Params) { p.Batch, p.TopK = 3, 1 } // every seed draws the same picture
	setParams(t, s, "red cat", 60, greedy)
	generate(t, s)
	bSeeds := stripSeeds(s)
	mask := make([]bool, s.Document().N())
	mask[0] = true
	must(t, s.paint.SetMask(mask)) // B's strip on a second step
	must(t, s.FlushAutosave())

	path := filepath.Join(e.state, sessionFile)
	data, err := os.ReadFile(path)
	must(t, err)
	if !strings.Contains(string(data), `"more_history"`) || !strings.Contains(string(data), `"none_history"`) {
		t.Fatalf("the session file keeps no more_history or none_history: %s", data)
	}
	var sess map[string]any
	must(t, json.Unmarshal(data, &sess))
	delete(sess, "none_history")
	for _, sv := range sess["shelf"].([]any) {
		delete(sv.(map[string]any), "more_history")
	}
	data, err = json.Marshal(sess)
	must(t, err)
	must(t, os.WriteFile(path, data, 0o644))

	s2 := e.open(t)
	must(t, s2.LastError())
	if got := stripSeeds(s2); !slices.Equal(got, bSeeds) {
		t.Fatalf("an older session file shows seeds %v, want the second batch's %v", got, bSeeds)
	}
	for range 3 { // the mask stroke, B, the batch of one
		must(t, s2.Undo())
	}
	if got := stripSeeds(s2); !slices.Equal(got, aSeeds) {
		t.Fatalf("undoing to the first batch after an older session file shows seeds %v, want its %v", got, aSeeds)
	}
}
