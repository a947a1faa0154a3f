package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/ui/core"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// The likelihood map of an image extended at a stride other than the
// default scores its new rows in the windows they were drawn in, as
// tessera score does: at the stride its output records.
func TestLikelihoodMapUsesExtendStride(t *testing.T) {
	e := newEnv(t)
	s := e.open(t)
	setParams(t, s, "red cat", 5, nil)
	generate(t, s)
	gridRows, cols := s.Bundle().Grid()
	must(t, s.ExtendDown(3, 1))
	s.Wait()
	must(t, s.LastError())
	got := s.Document().Tokens()
	s.likelihood.Set(true)
	s.Wait()
	sc := s.likelihood.Score()
	if sc == nil || len(sc.PerToken) != len(got) {
		t.Fatalf("the likelihood map of a tall image: %v", sc)
	}
	ctx, rows := context.Background(), len(got)/cols
	want, err := sampler.ScoreTall(ctx, s.Bundle(), s.scorePrompt(), got, rows, 1, 1, sampler.ScoreTokens)
	must(t, err)
	def, err := sampler.ScoreTall(ctx, s.Bundle(), s.scorePrompt(), got, rows, 0, 1, sampler.ScoreTokens)
	must(t, err)
	if slices.Equal(want.PerToken, def.PerToken) {
		t.Fatalf("stride 1 and the default stride (%d) score alike: the test cannot tell them apart", gridRows/2)
	}
	if !slices.Equal(sc.PerToken, want.PerToken) {
		t.Fatal("the likelihood map does not score the rows at the stride Extend drew them with")
	}
}

// Extend ↓ draws one image whatever Batch says, and says so: one image
// and an empty candidate strip read as a batch gone wrong.
func TestExtendSaysBatchIsNotUsed(t *testing.T) {
	s := newTestStudio(t)
	setParams(t, s, "red cat", 5, func(p *core.Params) { p.Batch = 4 })
	generate(t, s)
	must(t, s.ExtendDown(2, 0))
	s.Wait()
	must(t, s.LastError())
	if s.Candidates() != 0 || !strings.Contains(s.Status(), "Extend ↓ draws one image, from seed 5: Batch 4 is not used") {
		t.Fatalf("extended with Batch 4: %d candidates, status %q", s.Candidates(), s.Status())
	}
	setParams(t, s, "red cat", 5, nil) // Batch 1: nothing to say
	must(t, s.ExtendDown(1, 0))
	s.Wait()
	must(t, s.LastError())
	if strings.Contains(s.Status(), "is not used") {
		t.Fatalf("extended with Batch 1, the status speaks of it: %q", s.Status())
	}
}

// Extend ↓ adds rows below and keeps the original ones; the tall image is
// shown, saved, exported, reopened, scrubbed, time-lapsed, undone and
// autosaved whole; masked regeneration refuses it with the reason.
func TestExtendAddsRowsAndKeepsOriginal(t *testing.T) {
	e := newEnv(t)
	s := e.open(t)
	p := setParams(t, s, "red cat", 5, nil)
	generate(t, s)
	tokens := s.Document().Tokens()
	gridRows, cols := s.Bundle().Grid()

	must(t, s.ExtendDown(3, 0))
	s.Wait()
	must(t, s.LastError())
	d := s.Document()
	got := d.Tokens()
	if d.ImageRows() != gridRows+3 || len(got) != (gridRows+3)*cols || !slices.Equal(got[:len(tokens)], tokens) {
		t.Fatalf("extended to %d rows, %d codes; original kept: %v", d.ImageRows(), len(got), slices.Equal(got[:len(tokens)], tokens))
	}
	opt := p.Options(1)
	want, stopped, err := sampler.ExtendDown(context.Background(), s.Bundle(), opt, tokens, gridRows, 3, gridRows/2, nil)
	must(t, err)
	if stopped || !slices.Equal(got, want) {
		t.Fatal("the studio's extension differs from the engine's")
	}
	if !strings.Contains(s.Status(), "the image is 7 rows tall now: Complete, Branch") || !strings.Contains(s.Status(), "see its likelihood map") {
		t.Fatalf("the status does not say what a tall image can do: %q", s.Status())
	}
	if r, _, _ := s.Canvas().Grid(); r != 7 || !slices.Equal(s.Canvas().Image().Pix, decodeRows(s.Bundle(), got, 7).Pix) {
		t.Fatal("the canvas does not show the tall image")
	}
	// The likelihood map takes the tall image: its first grid scored as
	// the image it grew from, the further rows in the windows Extend drew
	// them in.
	s.likelihood.Set(true)
	s.Wait()
	sc := s.likelihood.Score()
	if sc == nil || len(sc.PerToken) != len(got) {
		t.Fatalf("the likelihood map of a tall image: %v (legend %q)", sc, s.likelihood.legend.Text())
	}
	top, err := sampler.ScoreTokens(context.Background(), s.Bundle(), s.scorePrompt(), tokens, 1)
	must(t, err)
	if !slices.Equal(sc.PerToken[:len(tokens)], top.PerToken) {
		t.Fatal("the tall image's first grid is not scored as the image it grew from")
	}
	s.likelihood.Set(false)
	rec := readRecord(t, d.Parent)
	if rec.Grid != [2]int{7, cols} || !slices.Equal(rec.Tokens, got) || rec.Height != 14 || rec.Extra[extraKind] != kindExtend || rec.ExtraInt(pngmeta.ExtraStride) != gridRows/2 {
		t.Fatalf("output record grid %v height %d kind %v stride %v", rec.Grid, rec.Height, rec.Extra[extraKind], rec.Extra[pngmeta.ExtraStride])
	}
	if !strings.Contains(s.history.Thumbs()[0].Note, "+3↓") {
		t.Fatalf("history note %q", s.history.Thumbs()[0].Note)
	}

	// export and reopen keep every row
	path := filepath.Join(t.TempDir(), "tall.png")
	must(t, s.ExportTo(path))
	if rec := readRecord(t, path); rec.Grid != [2]int{7, cols} || !slices.Equal(rec.Tokens, got) {
		t.Fatalf("export record grid %v", rec.Grid)
	}
	must(t, s.Undo())
	if s.Document().Tall() {
		t.Fatal("undo did not restore the model-sized image")
	}
	if r, _, _ := s.Canvas().Grid(); r != gridRows {
		t.Fatal("the canvas kept the tall grid after undo")
	}
	// The redo says the image it brings back is the extended one.
	must(t, s.Redo())
	if want := fmt.Sprintf("extended to 7 patch rows (the model draws %d)", gridRows); !strings.HasPrefix(s.Status(), "Redone") || !strings.Contains(s.Status(), want) {
		t.Fatalf("status after the redo: %q, want %q in it", s.Status(), want)
	}
	must(t, s.Undo())
	must(t, s.OpenFile(path))
	s.Wait()
	must(t, s.LastError())
	if s.Document().ImageRows() != 7 || !slices.Equal(s.Document().Tokens(), got) {
		t.Fatal("reopening did not restore the tall image")
	}

	// editing tools that need the model's size refuse with the reason
	s.Canvas().SetBrushSize(1)
	must(t, s.paint.SetMask(append(make([]bool, 20), true, false, false, false, false, false, false, false)))
	if err := s.RegenerateMasked(); err == nil || !strings.Contains(err.Error(), "model's size") {
		t.Fatalf("regenerate on a tall image: %v", err)
	}
	if err := s.RepairLeastLikely(); err == nil || !strings.Contains(err.Error(), "model's size") {
		t.Fatalf("repair on a tall image: %v", err)
	}

	// scrubbing and the time-lapse cover every row
	must(t, s.tl.Scrub(20))
	img := s.Canvas().Image()
	full := decodeRows(s.Bundle(), got, 7)
	for i := 0; i < len(got); i++ {
		if (i < 20) != patchEqual(img, full, i, cols, 2) || i >= 20 && !patchClear(img, i, cols, 2) {
			t.Fatalf("scrubbed tall image: patch %d wrong", i)
		}
	}
	gifPath := filepath.Join(t.TempDir(), "tall.gif")
	must(t, s.ExportTimelapse(gifPath))
	s.Wait()
	must(t, s.LastError())
	anim := readGIF(t, gifPath)
	if len(anim.Image) != len(got)+1 || anim.Image[0].Rect.Dy() != anim.Image[0].Rect.Dx()*7/4 {
		t.Fatalf("tall time-lapse: %d frames of %v", len(anim.Image), anim.Image[0].Rect)
	}

	// extending again, and the autosave keeps the tall image
	must(t, s.ExtendDown(2, 1))
	s.Wait()
	must(t, s.LastError())
	if s.Document().ImageRows() != 9 || !slices.Equal(s.Document().Tokens()[:len(got)], got) {
		t.Fatal("second extension lost rows")
	}
	final := s.Document().Tokens()
	must(t, s.FlushAutosave())
	s2 := e.open(t)
	if s2.Document().ImageRows() != 9 || !slices.Equal(s2.Document().Tokens(), final) {
		t.Fatal("the tall image was not autosaved")
	}
	if r, _, _ := s2.Canvas().Grid(); r != 9 {
		t.Fatal("the reopened canvas is not tall")
	}
	// the buttons a tall image disables say why in their tooltips
	for _, b := range []*widgets.TipButton{s2.tl.branch, s2.edit.instruct, s2.edit.regenerate, s2.edit.repair, s2.edit.complete} {
		if !b.Disabled() || !strings.Contains(b.Tip(), "works on images of the model's size") {
			t.Fatalf("on a tall image: disabled %v, tip %q", b.Disabled(), b.Tip())
		}
	}
	// a new generation is model-sized again; undo brings the tall one back
	generate(t, s2)
	if tip := s2.tl.branch.Tip(); strings.Contains(tip, "model's size") || tip == "" {
		t.Fatalf("Branch's own tooltip did not come back: %q", tip)
	}
	if r, _, _ := s2.Canvas().Grid(); r != gridRows || s2.Document().Tall() || len(s2.Document().Mask()) != 16 {
		t.Fatal("a new image after a tall one is not model-sized")
	}
	must(t, s2.Undo())
	if !slices.Equal(s2.Document().Tokens(), final) || !slices.Equal(s2.Canvas().Image().Pix, decodeRows(s2.Bundle(), final, 9).Pix) {
		t.Fatal("undo did not bring the tall image back")
	}
	// Words the model does not know are reported, as for any run.
	setParams(t, s2, "red catt", 5, nil)
	must(t, s2.ExtendDown(1, 0))
	s2.Wait()
	must(t, s2.LastError())
	if !strings.Contains(s2.Status(), "unknown words left out: catt") {
		t.Fatalf("extending under an unknown word: status %q", s2.Status())
	}
}

// A tall picture stays with its model, tall, when another model is opened,
// and comes back as it was.
func TestSwitchModelKeepsTallPicture(t *testing.T) {
	e, other := twoModels(t)
	s := e.open(t)
	generate(t, s)
	must(t, s.ExtendDown(2, 0))
	s.Wait()
	must(t, s.LastError())
	tall := s.Document().Tokens()
	must(t, s.OpenModel("tiny2"))
	s.Wait()
	must(t, s.LastError())
	if s.Bundle() != other || !s.Document().Empty() {
		t.Fatal("the other model did not start its own work")
	}
	must(t, s.OpenModel("tiny"))
	s.Wait()
	must(t, s.LastError())
	if s.Document().ImageRows() != 6 || !slices.Equal(s.Document().Tokens(), tall) {
		t.Fatalf("after switching back: %d rows, %d codes", s.Document().ImageRows(), len(s.Document().Tokens()))
	}
	if r, _, _ := s.Canvas().Grid(); r != 6 {
		t.Fatal("the canvas is not tall again")
	}
}

// A partial image cannot be extended; the reason is given.
func TestExtendRefusesPartial(t *testing.T) {
	s := newTestStudio(t)
	s.runs.onPatch = func(ev sampler.Event) {
		if ev.Step == 4 {
			s.Stop()
		}
	}
	generate(t, s)
	s.runs.onPatch = nil
	if err := s.ExtendDown(2, 0); err == nil || !strings.Contains(err.Error(), "Continue") {
		t.Fatalf("extend a partial image: %v", err)
	}
}
