package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/ui/core"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// Typing a prompt and pressing Ctrl+Enter fills the canvas patch by patch.
func TestGenerateGrowsPatchByPatch(t *testing.T) {
	s := newTestStudio(t)
	rows, cols := s.Bundle().Grid()
	p := s.Bundle().Codebook.P
	entry := s.panel.prompt
	entry.SetText("")
	test.Type(entry, "cat red")
	lockSeed(t, s, entry.Text, 11)

	var mu sync.Mutex
	var painted []int // opaque patches on the canvas after each event
	s.runs.onPatch = func(ev sampler.Event) {
		img := s.Canvas().Image()
		n := 0
		for i := 0; i < rows*cols; i++ {
			if patchOpaque(img, i, cols, p) {
				n++
			}
		}
		mu.Lock()
		painted = append(painted, n)
		mu.Unlock()
	}
	before := s.Canvas().Image()
	entry.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault})
	s.Wait()
	must(t, s.LastError())
	if len(painted) != rows*cols {
		t.Fatalf("%d events, want %d", len(painted), rows*cols)
	}
	for i, n := range painted {
		if n != i+1 {
			t.Fatalf("after patch %d the canvas shows %d painted patches; want it to grow one patch at a time: %v", i+1, n, painted)
		}
	}
	after := s.Canvas().Image()
	if slices.Equal(before.Pix, after.Pix) {
		t.Fatal("canvas unchanged")
	}
	want := s.Bundle().Decode(s.Document().Tokens())
	if !slices.Equal(after.Pix, want.Pix) {
		t.Fatal("canvas differs from the decoded result")
	}
	if s.Document().ImageParams().Prompt != "cat red" || s.Document().ImageParams().Seed != 11 {
		t.Fatalf("image params %+v", s.Document().ImageParams())
	}
	if st := s.runs.prog.State(s.runs.prog.end); st.Step != st.Steps || !strings.Contains(st.String(), "patch 16 / 16") {
		t.Fatalf("progress %q", st.String())
	}
	// the result was saved to the outputs folder at once and listed
	files, _ := filepath.Glob(filepath.Join(s.OutputsDir(), "*.png"))
	if len(files) != 1 || s.HistoryLen() != 1 {
		t.Fatalf("outputs %v, history %d", files, s.HistoryLen())
	}
}

// Stop ends the run within a patch and keeps the partial image; Continue
// finishes it.
func TestStopKeepsPartialImage(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "dog", 5)
	s.runs.onPatch = func(ev sampler.Event) {
		if ev.Step == 6 {
			s.Stop()
		}
	}
	generate(t, s)
	n := len(s.Document().Tokens())
	if n < 6 || n >= 16 {
		t.Fatalf("stopped image has %d patches", n)
	}
	img := s.Canvas().Image()
	_, cols := s.Bundle().Grid()
	for i := 0; i < 16; i++ {
		if patchOpaque(img, i, cols, 2) != (i < n) {
			t.Fatalf("patch %d painted=%v with %d kept", i, !(i < n), n)
		}
	}
	if !strings.Contains(s.Status(), "Stopped") || !strings.Contains(s.Status(), "not saved") {
		t.Fatalf("status %q", s.Status())
	}
	// under half drawn: not in the outputs folder; finished, it is
	outputs := func() []string {
		files, _ := filepath.Glob(filepath.Join(s.OutputsDir(), "*.png"))
		return files
	}
	if files := outputs(); len(files) != 0 {
		t.Fatalf("a generation stopped at %d of 16 patches was saved: %v", n, files)
	}
	s.runs.onPatch = nil
	must(t, s.Resume())
	s.Wait()
	got := s.Document().Tokens()
	if len(got) != 16 {
		t.Fatalf("continue left %d patches", len(got))
	}
	if files := outputs(); len(files) != 1 {
		t.Fatalf("the finished image was not saved once: %v", files)
	}

	// Stopped past half way: saved as it is, as A1111 saves an
	// interrupted image.
	lockSeed(t, s, "dog", 6)
	s.runs.onPatch = func(ev sampler.Event) {
		if ev.Step == 12 {
			s.Stop()
		}
	}
	generate(t, s)
	s.runs.onPatch = nil
	if n := len(s.Document().Tokens()); n < 12 || n >= 16 {
		t.Fatalf("stopped image has %d patches", n)
	}
	if files := outputs(); len(files) != 2 || strings.Contains(s.Status(), "not saved") {
		t.Fatalf("a generation stopped past half way: outputs %v, status %q", files, s.Status())
	}
}

// Painting a mask on the canvas and regenerating changes only the masked
// patches; the candidates come best first and the mask stays.
func TestRegenerateMaskedChangesOnlyMasked(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "blue cat", 21)
	generate(t, s)
	orig := s.Canvas().Image()
	origTokens := s.Document().Tokens()

	s.Canvas().SetBrushSize(1)
	test.Drag(s.Window().Canvas(), patchCenter(s, 1, 1), 4, 0)
	test.Drag(s.Window().Canvas(), patchCenter(s, 2, 2), 4, 0)
	mask := s.Document().Mask()
	if !mask[1*4+1] || !mask[2*4+2] || s.Document().Masked() != 2 {
		t.Fatalf("painted mask %v", mask)
	}
	for seed := uint64(1); ; seed++ {
		lockSeed(t, s, "blue cat", seed)
		must(t, s.RegenerateMasked())
		s.Wait()
		must(t, s.LastError())
		if !slices.Equal(s.Document().Tokens(), origTokens) || seed > 20 {
			break
		}
		must(t, s.Undo())
	}
	got := s.Canvas().Image()
	changed := 0
	for i := 0; i < 16; i++ {
		eq := patchEqual(orig, got, i, 4, 2)
		if !mask[i] && !eq {
			t.Fatalf("unmasked patch %d changed", i)
		}
		if mask[i] && !eq {
			changed++
		}
	}
	if changed == 0 {
		t.Fatal("no masked patch changed")
	}
	if s.Candidates() != 4 || !strings.HasPrefix(s.cands.Thumbs()[0].Caption, "best") {
		t.Fatalf("candidates %d", s.Candidates())
	}
	if !slices.Equal(s.Document().Mask(), mask) {
		t.Fatal("the mask did not persist after regenerating")
	}
	// picking another candidate swaps the image but keeps one undo step
	must(t, s.PickCandidate(1))
	must(t, s.Undo())
	if !slices.Equal(s.Document().Tokens(), origTokens) {
		t.Fatal("undo after picking a candidate should restore the image before regenerating")
	}
}

// Undo restores the previous pixels exactly; redo brings the change back.
func TestUndoRestoresPixelsExactly(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "cat", 1)
	generate(t, s)
	first := s.Canvas().Image()
	lockSeed(t, s, "dog", 2)
	generate(t, s)
	second := s.Canvas().Image()
	if slices.Equal(first.Pix, second.Pix) {
		t.Fatal("two seeds gave the same image")
	}
	s.Canvas().SetBrushSize(2)
	test.Drag(s.Window().Canvas(), patchCenter(s, 0, 0), 3, 3)
	if s.Document().Masked() == 0 {
		t.Fatal("no mask painted")
	}
	must(t, s.Undo()) // the stroke
	if s.Document().Masked() != 0 || s.Canvas().Mask()[0] {
		t.Fatal("undo did not remove the stroke")
	}
	must(t, s.Undo()) // the second image
	if got := s.Canvas().Image(); !slices.Equal(got.Pix, first.Pix) {
		t.Fatal("undo did not restore the previous pixels exactly")
	}
	must(t, s.Redo())
	if got := s.Canvas().Image(); !slices.Equal(got.Pix, second.Pix) {
		t.Fatal("redo did not restore the second image")
	}
}

// Export writes an upscaled PNG whose metadata reopens into the panel.
func TestExportRoundTripsIntoPanel(t *testing.T) {
	s := newTestStudio(t)
	want := core.Params{Settings: sampling.Settings{Prompt: "red dog", Negative: "blue", Temperature: 0.85, TopK: 5, TopP: 0.9, Guidance: 2.5, Seed: 4242}, SeedLocked: true, Batch: 1}
	s.SetParams(want)
	generate(t, s)
	tokens := s.Document().Tokens()
	s.Canvas().SetBrushSize(1)
	test.Drag(s.Window().Canvas(), patchCenter(s, 3, 0), 1, 1)
	mask := s.Document().Mask()
	s.set.SetScale(3)
	path := filepath.Join(t.TempDir(), "export.png")
	must(t, s.ExportTo(path))

	f, err := os.Open(path)
	must(t, err)
	cfg, _, err := image.DecodeConfig(f)
	f.Close()
	must(t, err)
	if cfg.Width != 24 || cfg.Height != 24 {
		t.Fatalf("exported %dx%d, want 24x24", cfg.Width, cfg.Height)
	}
	text, err := pngmeta.ReadFile(path)
	must(t, err)
	if !strings.Contains(text["parameters"], "Seed: 4242") {
		t.Fatalf("parameters %q", text["parameters"])
	}

	s.SetParams(core.DefaultParams())
	must(t, s.paint.ClearMask())
	must(t, s.OpenFile(path))
	s.Wait()
	must(t, s.LastError())
	got, err := s.Params()
	must(t, err)
	want.SeedLocked = false // the lock is the panel's, not the image's: it stays as it was
	if got != want {
		t.Fatalf("panel after reopening:\n got %+v\nwant %+v", got, want)
	}
	if !slices.Equal(s.Document().Tokens(), tokens) || !slices.Equal(s.Document().Mask(), mask) {
		t.Fatal("reopening did not restore the exact tokens and mask")
	}
	n := 0
	for _, m := range mask {
		if m {
			n++
		}
	}
	// The mask comes back as an outline only: the status says so.
	if !strings.Contains(s.Status(), "exactly") || !strings.Contains(s.Status(), "bits/patch") || n == 0 ||
		!strings.Contains(s.Status(), fmt.Sprintf("with its mask of %d patch", n)) {
		t.Fatalf("status %q", s.Status())
	}
	// The settings it put in the panel are said (they changed without a
	// word, and the next run used them).
	d := core.DefaultParams()
	if wantTaken := fmt.Sprintf(`the panel takes its prompt "red dog", negative prompt "blue", temperature %g → 0.85, guidance %g → 2.5, top-k %d → 5, top-p %g → 0.9 (Undo gives yours back)`, d.Temperature, d.Guidance, d.TopK, d.TopP); !strings.Contains(s.Status(), wantTaken) {
		t.Errorf("status %q lacks %q", s.Status(), wantTaken)
	}
}

// Opening a broken file shows an error and keeps the current image.
func TestOpenBrokenFileKeepsImage(t *testing.T) {
	s := newTestStudio(t)
	generate(t, s)
	before := s.Canvas().Image()
	tokens := s.Document().Tokens()
	bad := filepath.Join(t.TempDir(), "broken.png")
	must(t, os.WriteFile(bad, []byte("\x89PNG\r\n\x1a\nnot really"), 0o644))
	must(t, s.OpenFile(bad))
	s.Wait()
	if s.LastError() == nil || !hasDialog(s) {
		t.Fatal("no error shown for a broken file")
	}
	if !strings.Contains(s.LastError().Error(), "broken.png") {
		t.Fatalf("error does not name the file: %v", s.LastError())
	}
	if !slices.Equal(s.Canvas().Image().Pix, before.Pix) || !slices.Equal(s.Document().Tokens(), tokens) {
		t.Fatal("the current image changed")
	}
}

// Without any model the window still opens, says so and offers a folder.
func TestNoModelStillOpens(t *testing.T) {
	e := newEnv(t)
	e.models = FolderModels{}
	s := e.open(t)
	if s.Bundle() != nil || s.Canvas().Message() == "" || !s.noModel.Visible() {
		t.Fatal("no-model state not shown")
	}
	if !slices.Contains(s.panel.model.Options, openFolderOption) {
		t.Fatal("model picker lacks Open model folder…")
	}
	if err := s.Generate(); !errors.Is(err, errNoModel) {
		t.Fatalf("generate without a model: %v", err)
	}
	err := s.OpenModelFolder(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "not a model folder") {
		t.Fatalf("empty folder: %v", err)
	}
}

// A bad model choice reports the reason and keeps the current model and image.
func TestBadModelKeepsCurrent(t *testing.T) {
	s := newTestStudio(t)
	generate(t, s)
	tokens := s.Document().Tokens()
	must(t, s.OpenModel("/no/such/model"))
	s.Wait()
	if s.LastError() == nil || !strings.Contains(s.LastError().Error(), "no model") {
		t.Fatalf("error %v", s.LastError())
	}
	if s.Bundle() == nil || !slices.Equal(s.Document().Tokens(), tokens) {
		t.Fatal("current model or image lost")
	}
}

// twoModels is an environment with the tiny models "tiny" and "tiny2".
func twoModels(t *testing.T) (*studioEnv, *bundle.Bundle) {
	t.Helper()
	e := newEnv(t)
	b, other := bundletest.Tiny(3), bundletest.Tiny(9)
	b.Model.Hash, other.Model.Hash = "tiny1", "tiny2"
	e.models = tinyModels{b: b, other: other}
	return e, other
}

// Switching models keeps each model's work: the image, its mask and
// temperatures, its undo history and the settings stay with the model
// that made them and come back with it; the other model starts its own.
// Nothing is re-encoded, and the autosave keeps both.
func TestSwitchModelKeepsEachModelsWork(t *testing.T) {
	e, other := twoModels(t)
	s := e.open(t)
	first := s.Bundle()
	setParams(t, s, "red cat", 7, func(p *core.Params) { p.Guidance = 3 })
	generate(t, s)
	mask := make([]bool, 16)
	mask[5] = true
	must(t, s.paint.SetMask(mask))
	temps := make([]float64, 16)
	temps[2] = 0.5
	must(t, s.paint.SetTemperatureMap(temps))
	st := s.Document().State()

	s.panel.model.SetSelected("tiny2")
	s.Wait()
	must(t, s.LastError())
	if s.Bundle() != other || s.set.LastModel() != "tiny2" {
		t.Fatal("model not switched")
	}
	if !s.Document().Empty() || s.Document().CanUndo() {
		t.Fatal("the new model did not start its own empty work")
	}
	if s.Canvas().Message() == "" {
		t.Fatal("the empty canvas gives no hint")
	}
	if p, _ := s.Params(); p.Guidance != 1 || p.SeedLocked {
		t.Fatalf("the new model carried the other's settings: %+v", p)
	}
	if !strings.Contains(s.Status(), "stays with it") {
		t.Fatalf("status %q does not say where the image went", s.Status())
	}
	lockSeed(t, s, "blue dog", 9)
	generate(t, s)
	otherTokens := s.Document().Tokens()

	must(t, s.OpenModel("tiny"))
	s.Wait()
	must(t, s.LastError())
	if s.Bundle() != first {
		t.Fatal("not back on the first model")
	}
	back := s.Document().State()
	if !slices.Equal(back.Cur.Tokens, st.Cur.Tokens) || !slices.Equal(back.Cur.Mask, st.Cur.Mask) ||
		!slices.Equal(back.Cur.Temperature, st.Cur.Temperature) || len(back.Undo) != len(st.Undo) {
		t.Fatal("the first model's image, mask, temperatures or undo history changed")
	}
	if !slices.Equal(s.Canvas().Image().Pix, first.Decode(st.Cur.Tokens).Pix) {
		t.Fatal("the canvas does not show the first model's image")
	}
	if p, _ := s.Params(); p.Prompt != "red cat" || p.Guidance != 3 || !p.SeedLocked || p.Seed != 7 {
		t.Fatalf("the first model's settings did not come back: %+v", p)
	}
	must(t, s.Undo()) // the temperatures
	must(t, s.Undo()) // the mask
	if s.Document().Masked() != 0 || s.Document().Temperature() != nil {
		t.Fatal("the undo history did not come back")
	}
	must(t, s.Redo())
	must(t, s.Redo())

	// the autosave keeps both models' work
	must(t, s.FlushAutosave())
	s2 := e.open(t)
	if s2.Bundle() != first || !slices.Equal(s2.Document().Tokens(), st.Cur.Tokens) {
		t.Fatal("the current model's work was not restored")
	}
	must(t, s2.OpenModel("tiny2"))
	s2.Wait()
	must(t, s2.LastError())
	if !slices.Equal(s2.Document().Tokens(), otherTokens) {
		t.Fatal("the other model's work was not autosaved")
	}
	if p, _ := s2.Params(); p.Prompt != "blue dog" || p.Seed != 9 || !p.SeedLocked {
		t.Fatalf("the other model's settings were not autosaved: %+v", p)
	}
}

// A history entry reopens with the model that made it (switching to it),
// exactly from its codes, and with only its own settings: nothing of the
// model that was open carries over, whose work is kept.
func TestHistoryReopensWithItsOwnModel(t *testing.T) {
	e, other := twoModels(t)
	s := e.open(t)
	first := s.Bundle()
	setParams(t, s, "red cat", 7, func(p *core.Params) { p.Guidance = 2.5; p.SeedLocked = false })
	generate(t, s)
	made := s.Document().Tokens()
	must(t, s.OpenModel("tiny2"))
	s.Wait()
	setParams(t, s, "blue dog", 3, func(p *core.Params) { p.Guidance = 6; p.Batch = 2 }) // locked
	generate(t, s)
	otherTokens := s.Document().Tokens()
	var entry *widgets.Thumb
	for _, th := range s.history.Thumbs() {
		if strings.Contains(th.Tip, "Made with tiny") && th != s.history.Thumbs()[0] {
			entry = th
		}
	}
	if entry == nil {
		t.Fatal("no history entry of the first model")
	}
	test.Tap(entry)
	s.Wait()
	must(t, s.LastError())
	if s.Bundle() != first {
		t.Fatal("the image did not reopen with its own model")
	}
	if !slices.Equal(s.Document().Tokens(), made) || !strings.Contains(s.Status(), "exactly") {
		t.Fatalf("the image was not reopened exactly (status %q)", s.Status())
	}
	p, _ := s.Params()
	if p.Prompt != "red cat" || p.Guidance != 2.5 || p.Seed != 7 || p.SeedLocked || p.Batch != 1 {
		t.Fatalf("settings %+v: want the image's own, nothing of the other model", p)
	}
	must(t, s.OpenModel("tiny2"))
	s.Wait()
	if s.Bundle() != other || !slices.Equal(s.Document().Tokens(), otherTokens) {
		t.Fatal("the other model's work was lost")
	}
	if p, _ := s.Params(); p.Guidance != 6 || !p.SeedLocked || p.Batch != 2 {
		t.Fatalf("the other model's settings were lost: %+v", p)
	}
}

// The work is autosaved and reopens after a restart (or a crash).
func TestReopensWhereItWas(t *testing.T) {
	e := newEnv(t)
	s := e.open(t)
	lockSeed(t, s, "twitter cat", 78)
	generate(t, s)
	lockSeed(t, s, "twitter cat", 77)
	generate(t, s)
	s.Canvas().SetBrushSize(1)
	test.Drag(s.Window().Canvas(), patchCenter(s, 0, 3), 1, 0)
	tokens, mask := s.Document().Tokens(), s.Document().Mask()
	must(t, s.FlushAutosave())

	s2 := e.open(t)
	if !slices.Equal(s2.Document().Tokens(), tokens) || !slices.Equal(s2.Document().Mask(), mask) {
		t.Fatal("work not restored")
	}
	if p, _ := s2.Params(); p.Prompt != "twitter cat" || p.Seed != 77 {
		t.Fatalf("params not restored: %+v", p)
	}
	if !slices.Equal(s2.Canvas().Image().Pix, s2.Bundle().Decode(tokens).Pix) {
		t.Fatal("canvas not restored")
	}
	must(t, s2.Undo()) // the stroke
	must(t, s2.Undo()) // the second run
	if !s2.Document().CanUndo() {
		t.Fatal("undo stack not restored")
	}
	if s2.unsavedReason(nil) != "" {
		t.Fatal("nothing should count as lost")
	}
}

// Clicking a history thumbnail restores that image and its parameters;
// a locked seed stays locked and unchanged (the image keeps its own).
func TestHistoryRestores(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "cat", 100)
	generate(t, s)
	first := s.Document().Tokens()
	lockSeed(t, s, "dog", 200)
	generate(t, s)
	if s.HistoryLen() != 2 {
		t.Fatalf("history %d", s.HistoryLen())
	}
	test.Tap(s.history.Thumbs()[1]) // older one
	s.Wait()
	must(t, s.LastError())
	if !slices.Equal(s.Document().Tokens(), first) || s.Document().ImageParams().Seed != 100 {
		t.Fatal("history click did not restore the image")
	}
	if p, _ := s.Params(); p.Prompt != "cat" || p.Seed != 200 || !p.SeedLocked {
		t.Fatalf("params %+v: want the image's prompt and the locked seed 200 unchanged", p)
	}
	if !strings.Contains(s.Status(), "locked seed 200 stays") {
		t.Fatalf("status %q does not say the locked seed stayed", s.Status())
	}
	// unlocked, the seed field shows the image's own seed
	p, _ := s.Params()
	p.SeedLocked = false
	s.SetParams(p)
	test.Tap(s.history.Thumbs()[0])
	s.Wait()
	must(t, s.LastError())
	if p, _ := s.Params(); p.Prompt != "dog" || p.Seed != 200 || p.SeedLocked {
		t.Fatalf("params %+v after reopening unlocked", p)
	}
}

// The prompt completes vocabulary words and marks unknown ones.
func TestPromptCompletesAndMarksUnknown(t *testing.T) {
	s := newTestStudio(t)
	e := s.panel.prompt
	e.SetText("")
	test.Type(e, "go")
	if len(s.panel.completions) == 0 || s.panel.completions[0] != "google" {
		t.Fatalf("completions %v", s.panel.completions)
	}
	if !e.AcceptsTab() {
		t.Fatal("Tab should complete while a completion is offered")
	}
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyTab})
	if e.Text != "google " {
		t.Fatalf("after Tab: %q", e.Text)
	}
	test.Type(e, "zebra cat")
	var unknown bool
	for _, seg := range s.panel.words.Segments {
		if ts, ok := seg.(*widget.TextSegment); ok && strings.Contains(ts.Text, "zebra?") {
			unknown = ts.Style.ColorName == "error"
		}
	}
	if !unknown {
		t.Fatal("the unknown word is not marked")
	}
}

// [ and ] resize the brush; Ctrl+Z goes to a focused text field first.
func TestKeys(t *testing.T) {
	s := newTestStudio(t)
	s.Canvas().SetBrushSize(3)
	s.Canvas().TypedRune(']')
	if s.Canvas().BrushSize() != 4 || s.edit.brush.Value != 4 || s.set.Brush() != 4 {
		t.Fatal("] did not grow the brush everywhere")
	}
	s.Canvas().TypedRune('[')
	s.Canvas().TypedRune('[')
	if s.Canvas().BrushSize() != 2 {
		t.Fatal("[ did not shrink the brush")
	}
	generate(t, s)
	generate(t, s)
	s.Window().Canvas().Focus(s.panel.prompt)
	// The prompt unchanged since the run (the focus stays there after
	// Ctrl+Enter): Ctrl+Z undoes the run, and Ctrl+Shift+Z redoes it.
	s.undoKey()
	if !s.Document().CanRedo() {
		t.Fatal("Ctrl+Z in the prompt just run did not undo the image")
	}
	s.redoKey()
	if s.Document().CanRedo() {
		t.Fatal("Ctrl+Shift+Z in the prompt just run did not redo the image")
	}
	// Ctrl+Y (the driver's redo shortcut, given to the focused prompt)
	// does the same: it redid only the prompt's text, so nothing.
	s.undoKey()
	s.panel.prompt.TypedShortcut(&fyne.ShortcutRedo{})
	if s.Document().CanRedo() {
		t.Fatal("Ctrl+Y in the prompt just run did not redo the image")
	}
	// Typed into since: Ctrl+Z goes to the typing, not the image.
	test.Type(s.panel.prompt, " dog")
	s.undoKey()
	if s.Document().CanRedo() {
		t.Fatal("Ctrl+Z in a prompt being typed undid the image")
	}
	s.Window().Canvas().Unfocus()
	s.undoKey()
	if !s.Document().CanRedo() {
		t.Fatal("Ctrl+Z did not undo the image")
	}
}

// Escape in the prompt, the negative prompt or the instruction box stops
// a run (the focused field has the key, not the window), and otherwise
// does nothing; Tab leaves a whole word typed as it is rather than
// complete it to a longer one.
func TestKeysInTheRunFields(t *testing.T) {
	s := newTestStudio(t)
	stopped := 0
	s.panel.onStop = func() { stopped++ }
	s.panel.prompt.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if stopped != 0 {
		t.Fatal("Escape with nothing running stopped something")
	}
	s.panel.SetRunning(true)
	s.panel.prompt.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	s.panel.negative.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if stopped != 2 {
		t.Fatalf("Escape in the prompt fields while running stopped %d times, want 2", stopped)
	}
	s.panel.SetRunning(false)
	if s.edit.instruction.OnEscape == nil {
		t.Fatal("Escape in the instruction box does nothing")
	}

	tok, err := prompt.New([]string{prompt.PAD, "flat", "flatbread", "fluent"}, 4, 16)
	must(t, err)
	s.panel.SetTokenizer(tok)
	e := s.panel.prompt
	e.SetText("")
	test.Type(e, "fla")
	if !e.AcceptsTab() {
		t.Fatal("a part word: Tab should complete it")
	}
	e.SetText("")
	test.Type(e, "flat")
	if e.AcceptsTab() {
		t.Fatal("a whole word: Tab should move on")
	}
	if e.OnComplete() || e.Text != "flat" { // the window moves the focus on a Tab the field does not accept
		t.Fatalf("Tab after a whole word completed it: %q", e.Text)
	}
	if len(s.panel.completions) == 0 {
		t.Fatal("the longer words are no longer offered")
	}
	if l, ok := s.panel.suggestions.Objects[0].(*widget.Label); !ok || !strings.Contains(l.Text, "Known word (Tab moves on)") {
		t.Fatalf("a whole word's longer ones are offered without a word on why Tab moves on: %#v", s.panel.suggestions.Objects[0])
	}
	// The words offered are clicked, not Tab stops: Tab went to the first
	// of them, which vanished with the prompt's focus, and Space there
	// rewrote the word ("cat" to "cat2").
	// Out of the Tab chain, yet a press on one leaves the prompt focused:
	// the window unfocuses on a press over nothing focusable (glfw's
	// mouse handling), which hid the completions before the click landed.
	s.Window().Canvas().Focus(e)
	s.Window().Canvas().FocusNext()
	for _, o := range s.panel.suggestions.Objects {
		if f, ok := o.(fyne.Focusable); ok && s.Window().Canvas().Focused() == f {
			t.Fatalf("Tab from the prompt went to a completion offered: %#v", o)
		}
	}
	s.Window().Canvas().Focus(e)
	chip := s.panel.suggestions.Objects[1].(*widgets.Chip)
	if _, ok := fyne.CanvasObject(chip).(fyne.Focusable); !ok {
		t.Fatal("a press on a completion would take the focus off the prompt, and the completions with it")
	}
	test.Tap(chip)
	if strings.TrimSpace(e.Text) != chip.Text {
		t.Fatalf("clicking %q made the prompt %q", chip.Text, e.Text)
	}
	e.SetText("")
	test.Type(e, "flat")
	// A prompt put there (from the history, Describe, a file), not typed:
	// nothing is offered ("ghost fluent flat" offered "flatbread").
	e.SetText("fla")
	if len(s.panel.completions) != 0 || s.panel.suggestBox.Visible() || e.AcceptsTab() {
		t.Fatalf("completions %v offered for a prompt set, not typed", s.panel.completions)
	}
	test.Type(e, "t")
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	if len(s.panel.completions) == 0 || !e.AcceptsTab() {
		t.Fatalf("a prompt set, then typed into: completions %v", s.panel.completions)
	}
}

// Complete from here keeps the rows above the line.
func TestCompleteFromKeepsTopRows(t *testing.T) {
	s := newTestStudio(t)
	generate(t, s)
	before := s.Document().Tokens()
	s.pickCompleteLine()
	if s.Canvas().Tool() != widgets.ToolLine {
		t.Fatal("line tool not selected")
	}
	s.Canvas().OnLinePicked(2)
	s.Wait()
	must(t, s.LastError())
	after := s.Document().Tokens()
	if !slices.Equal(after[:8], before[:8]) || len(after) != 16 {
		t.Fatal("rows above the line changed")
	}
	if s.Canvas().Tool() != widgets.ToolBrush {
		t.Fatal("tool not reset")
	}
	// It can be left without a line: Esc, the action again, or a mask
	// tool picked (the next click, meant to paint, resampled the image).
	for _, leave := range []struct {
		name string
		do   func()
	}{
		{"Esc", func() {
			s.win.Canvas().(interface{ OnTypedKey() func(*fyne.KeyEvent) }).OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
		}},
		{"the action again", s.pickCompleteLine},
		{"the brush picked", func() { s.edit.tools.SetSelected(toolNames()[widgets.ToolBrush]) }},
		{"the eraser picked", func() { s.edit.tools.SetSelected(toolNames()[widgets.ToolEraser]) }},
	} {
		s.pickCompleteLine()
		if s.Canvas().Tool() != widgets.ToolLine {
			t.Fatalf("%s: line tool not selected", leave.name)
		}
		leave.do()
		if s.Canvas().Tool() == widgets.ToolLine || s.Status() != lineCancelled {
			t.Errorf("%s: tool %v, status %q", leave.name, s.Canvas().Tool(), s.Status())
		}
	}
}

// A second run while one is going is refused; quitting then asks first.
func TestBusyRefusedAndQuitAsks(t *testing.T) {
	s := newTestStudio(t)
	started, release := holdRun(t, s, 1)
	must(t, s.Generate())
	<-started
	var busy errBusy
	err := s.Generate()
	if !errors.As(err, &busy) {
		t.Fatalf("second generate: %v", err)
	}
	// Said on the status line, which the run's end replaces: a dialog
	// outlived the run it named.
	s.report(err)
	if s.errorShown() || !strings.Contains(s.status.Text, "still running") {
		t.Fatalf("a refused second run: error dialog %v, status %q", s.errorShown(), s.status.Text)
	}
	// From the Train tab, where the status line is not seen, a dialog.
	s.ShowTab(trainTab)
	s.report(err)
	if !s.errorShown() {
		t.Fatal("a refused run from the Train tab said nothing seen")
	}
	s.closeError()
	s.ShowTab(createTab)
	if s.unsavedReason(nil) == "" {
		t.Fatal("quitting during a run should ask")
	}
	// The toolbar's Undo and Redo are greyed out during a run, as the
	// panel's are (they looked ready, and a tap said the run was busy).
	if !s.toolUndo.Disabled() || !s.toolRedo.Disabled() {
		t.Error("the toolbar's Undo or Redo is enabled during a run")
	}
	// A brush stroke meanwhile changes the mask, not the streamed image.
	streamed := s.Canvas().Image()
	mask := make([]bool, 16)
	mask[0] = true
	if err := s.paint.SetMask(mask); err != nil {
		t.Error(err)
	}
	if img := s.Canvas().Image(); img == nil || streamed == nil || !slices.Equal(img.Pix, streamed.Pix) {
		t.Error("masking during a run repainted the canvas's image")
	}
	// Picking a model is refused too, leaving the run's Stop button on.
	if err := s.OpenModel("tiny"); !errors.As(err, &busy) || s.panel.stop.Disabled() || !s.panel.generate.Disabled() || !s.panel.model.Disabled() {
		t.Fatalf("open a model during a run: %v; stop disabled %v, generate disabled %v", err, s.panel.stop.Disabled(), s.panel.generate.Disabled())
	}
	s.requestClose()
	// It says what a stopped generation keeps (it said the result would
	// be lost, and one past half drawn was saved).
	if !s.quitAsk.shown() || !strings.Contains(s.quitAsk.text, "a picture more than half drawn by then is also saved to the outputs folder") || s.closing {
		t.Fatalf("quitting during a run did not ask, or not so: %q", s.quitAsk.text)
	}
	s.Stop()
	release()
	s.Wait()
	if s.unsavedReason(nil) != "" || s.panel.model.Disabled() {
		t.Fatal("nothing is lost after the run, and the model picker is back")
	}
	// the question asked during the run says so now
	if !s.quitAsk.shown() || !strings.Contains(s.quitAsk.text, "Nothing would be lost now") || len(s.Window().Canvas().Overlays().List()) != 1 {
		t.Fatalf("after the run the quit question is %+v", s.quitAsk)
	}
}

// An image opened from outside is encoded for the model; an A1111 PNG
// restores what maps.
func TestOpenForeignImage(t *testing.T) {
	s := newTestStudio(t)
	img := image.NewNRGBA(image.Rect(0, 0, 32, 32))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	path := filepath.Join(t.TempDir(), "a1111.png")
	must(t, pngmeta.WriteFileAtomic(path, img, map[string]string{"parameters": "google dog\nNegative prompt: cat\nSteps: 30, CFG scale: 4, Seed: 99, Size: 32x32"}))
	must(t, s.OpenFile(path))
	s.Wait()
	must(t, s.LastError())
	if len(s.Document().Tokens()) != 16 {
		t.Fatal("image not encoded")
	}
	p, _ := s.Params()
	if p.Prompt != "google dog" || p.Negative != "cat" || p.Seed != 99 || p.Guidance != core.DefaultParams().Guidance {
		t.Fatalf("params %+v", p)
	}
	// The picture is another tool's: its export claims neither that
	// tool's prompt and seed nor the panel's settings as what made it.
	out := filepath.Join(t.TempDir(), "out.png")
	must(t, s.ExportTo(out))
	text, err := pngmeta.ReadFile(out)
	must(t, err)
	rec, ok, err := pngmeta.ParseRecord(text)
	if err != nil || !ok || rec.ImportedFrom() != "a1111.png" || rec.Prompt != "" || rec.Seed != 0 || rec.Guidance != 0 {
		t.Fatalf("exported record %+v (%v)", rec, err)
	}
	if params := text[pngmeta.KeyParameters]; !strings.HasPrefix(params, "Imported from: a1111.png, Size: ") || strings.Contains(params, "Seed") || strings.Contains(params, "google dog") {
		t.Fatalf("exported parameters %q", params)
	}
}

// A picture from elsewhere (no record, no A1111 text) is not credited with
// the panel's prompt and seed: its export records neither, and keeps the
// panel as it was.
func TestOpenPlainPictureClaimsNoPrompt(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "red cat", 42)
	generate(t, s)
	openPlainPicture(t, s, 8, 8)
	if ip := s.Document().ImageParams(); ip.Prompt != "" || ip.Seed != 0 {
		t.Fatalf("the opened picture claims prompt %q, seed %d", ip.Prompt, ip.Seed)
	}
	if p, _ := s.Params(); p.Prompt != "red cat" || p.Seed != 42 {
		t.Fatalf("the panel changed: %q, seed %d", p.Prompt, p.Seed)
	}
	if name := s.files.exportName(); name != "photo-tessera.png" {
		t.Errorf("export name %q", name)
	}
	out := filepath.Join(t.TempDir(), "out.png")
	must(t, s.ExportTo(out))
	text, err := pngmeta.ReadFile(out)
	must(t, err)
	rec, ok, err := pngmeta.ParseRecord(text)
	if err != nil || !ok || rec.Prompt != "" || rec.Seed != 0 || rec.Temperature != 0 || rec.ImportedFrom() != "photo.png" {
		t.Fatalf("exported record %+v (%v)", rec, err)
	}
	if params := text[pngmeta.KeyParameters]; !strings.HasPrefix(params, "Imported from: photo.png, Size: ") || strings.Contains(params, "Temperature") {
		t.Fatalf("exported parameters %q", params)
	}
	// Opened again, it is still an imported picture: its next export
	// says so, and the panel keeps its prompt and seed.
	must(t, s.OpenFile(out))
	s.Wait()
	must(t, s.LastError())
	if ip := s.Document().ImageParams(); ip.Imported != "photo.png" || ip.Seed != 0 {
		t.Fatalf("reopened export: %+v", ip)
	}
	if p, _ := s.Params(); p.Prompt != "red cat" || p.Seed != 42 || p.Temperature == 0 {
		t.Fatalf("the panel after reopening the export: %+v", p)
	}
	again := filepath.Join(t.TempDir(), "again.png")
	must(t, s.ExportTo(again))
	text, err = pngmeta.ReadFile(again)
	must(t, err)
	if rec, _, _ := pngmeta.ParseRecord(text); rec.ImportedFrom() != "photo.png" {
		t.Fatalf("the second export's record %+v", rec)
	}
	// A masked regeneration samples: its output's record is an ordinary one.
	must(t, s.paint.SetMask(append(make([]bool, 15), true)))
	must(t, s.RegenerateMasked())
	s.Wait()
	must(t, s.LastError())
	if ip := s.Document().ImageParams(); ip.Imported != "" || ip.Prompt != "red cat" {
		t.Fatalf("a regeneration of an imported picture: %+v", ip)
	}
}

// Drag and drop of an image opens it.
func TestDropOpensImage(t *testing.T) {
	s := newTestStudio(t)
	path := exportThenRedraw(t, s, "drop.png")
	if st := s.runs.prog.State(time.Now()).String(); !strings.HasPrefix(st, "patch") {
		t.Fatalf("the bar after a run: %q", st)
	}
	s.files.dropped(fyne.Position{}, []fyne.URI{uriOf(path)})
	s.Wait()
	must(t, s.LastError())
	if s.Document().Parent != path {
		t.Fatalf("dropped file not opened: parent %q", s.Document().Parent)
	}
	if st := s.runs.prog.State(time.Now()).String(); st != "ready" {
		t.Fatalf("the bar still tells of the last run after a file was opened: %q", st)
	}
	// Nor after an undo.
	generate(t, s)
	must(t, s.Undo())
	if st := s.runs.prog.State(time.Now()).String(); st != "ready" {
		t.Fatalf("the bar still tells of the last run after an undo: %q", st)
	}
	// A folder of pictures dropped: what can be done with it, not the
	// model files it lacks.
	pics := t.TempDir()
	must(t, s.ExportTo(filepath.Join(pics, "a.png")))
	s.files.dropped(fyne.Position{}, []fyne.URI{uriOf(pics)})
	s.Wait()
	if err := s.LastError(); err == nil || !strings.Contains(err.Error(), "is a folder of pictures, not a model folder") || !strings.Contains(err.Error(), "Train tab") {
		t.Fatalf("a folder of pictures dropped: %v", err)
	}
	s.closeError()
	empty := t.TempDir()
	s.files.dropped(fyne.Position{}, []fyne.URI{uriOf(empty)})
	s.Wait()
	if err := s.LastError(); err == nil || !strings.Contains(err.Error(), "is not a model folder") {
		t.Fatalf("an empty folder dropped: %v", err)
	}
	s.closeError()
	named := filepath.Join(t.TempDir(), "dir.png")
	must(t, os.Mkdir(named, 0o755))
	s.files.openPath(named, "")
	s.Wait()
	if err := s.LastError(); err == nil || !strings.Contains(err.Error(), "is a folder, not a picture file") {
		t.Fatalf("a folder named like a picture: %v", err)
	}
}

func TestAboutCredits(t *testing.T) {
	test.NewTempApp(t)
	c := test.NewWindow(AboutContent("1.2.3", nil))
	defer c.Close()
	markup := test.RenderObjectToMarkup(AboutContent("1.2.3", nil))
	for _, want := range []string{"Tessera 1.2.3", "Noto Emoji", "Apache-2.0", "Twemoji", "CC-BY 4.0", "OpenMoji", "CC BY-SA 4.0", "Fluent Emoji", "MIT", "emojibase", "MNIST", "Go Regular", "BSD-3-Clause", "Fyne (BSD-3-Clause)", "gorgonia.org/tensor (Apache-2.0)", "OpenBLAS", "nfnt/resize (ISC)"} {
		if !strings.Contains(markup, want) {
			t.Errorf("About lacks %q", want)
		}
	}
	// A link goes through the studio's opener, which says when no browser
	// opened it (the link did nothing then, the reason only in the log).
	var opened []string
	box := AboutContent("1.2.3", func(u *url.URL) { opened = append(opened, u.String()) }).(*fyne.Container)
	for _, o := range box.Objects {
		if l, ok := o.(*widget.Hyperlink); ok && strings.HasPrefix(l.Text, "Noto Emoji") {
			test.Tap(l)
		}
	}
	if !slices.Equal(opened, []string{"https://github.com/googlefonts/noto-emoji"}) {
		t.Errorf("tapping the Noto Emoji link opened %q", opened)
	}
}

func TestHistoryCaption(t *testing.T) {
	for name, want := range map[string]string{
		"tessera-20261128-204122-s10.png":                     "20:41 s10",
		"tessera-20261128-204122-s10-2.png":                   "20:41 s10",
		"tessera-20261128-204122-s1787067611.png":             "20:41:22",
		"tessera-20261128-204122-rocket-fluent-flat-s7.png":   "20:41 s7",
		"tessera-20261128-204122-rocket-fluent-flat-s7-3.png": "20:41 s7",
		"tessera-20261128-204122-two-cats-s1787067611.png":    "20:41:22",
		"tessera-20261128-204122-sunflower.png":               "…nflower.png",
		"holiday.png":                                         "holiday.png",
		"a-very-long-file-name-indeed.png":                    "…-indeed.png",
	} {
		if got := historyCaption(name); got != want {
			t.Errorf("%s: %q want %q", name, got, want)
		}
	}
}

// Scrolling zooms around the pointer; the pan tool moves the view.
func TestZoomAndPan(t *testing.T) {
	s := newTestStudio(t)
	generate(t, s)
	lc := s.Canvas()
	fit := lc.Scale()
	test.Scroll(s.Window().Canvas(), patchCenter(s, 2, 2), 0, 1)
	if lc.Scale() <= fit {
		t.Fatalf("scroll up did not zoom in: %v -> %v", fit, lc.Scale())
	}
	s.paint.setTool(widgets.ToolPan)
	before := lc.PatchCenter(2, 2)
	test.Drag(s.Window().Canvas(), patchCenter(s, 2, 2), 30, -10)
	if d := lc.PatchCenter(2, 2).Subtract(before); d.X != 30 || d.Y != -10 {
		t.Fatalf("pan moved by %v", d)
	}
	if s.Document().Masked() != 0 {
		t.Fatal("panning painted the mask")
	}
	lc.ZoomFit()
	if lc.Scale() != fit {
		t.Fatal("fit did not restore the view")
	}
}

// Copy puts a PNG of the image on the clipboard; if that fails the file's
// path is copied and the status says why.
func TestCopyImage(t *testing.T) {
	s := newTestStudio(t)
	generate(t, s)
	var got []byte
	s.clip = func(_ context.Context, data []byte) error {
		got = data
		return nil
	}
	s.set.SetScale(2)
	s.CopyImage()
	s.Wait()
	img, err := png.Decode(bytes.NewReader(got))
	must(t, err)
	if img.Bounds().Dx() != 16 {
		t.Fatalf("copied %v", img.Bounds())
	}
	s.clip = func(context.Context, []byte) error { return errNoImageClipboard }
	s.CopyImage()
	s.Wait()
	// Something was copied: said on the status line (with why and what to
	// install), not in an error dialog.
	if s.LastError() != nil || hasDialog(s) || s.app.Clipboard().Content() != s.Document().Parent || !strings.Contains(s.Status(), "install wl-clipboard or xclip") {
		t.Fatalf("fallback: err %v, dialog %v, clipboard %q, status %q", s.LastError(), hasDialog(s), s.app.Clipboard().Content(), s.Status())
	}
}

// A batch offers its images as candidates; only the image kept is saved
// (the one shown, then each one picked), and picking leaves a locked seed
// alone.
func TestBatchCandidates(t *testing.T) {
	s := newTestStudio(t)
	p, _ := s.Params()
	p.Batch, p.Seed, p.SeedLocked = 3, 50, true
	s.SetParams(p)
	generate(t, s)
	files, _ := filepath.Glob(filepath.Join(s.OutputsDir(), "*.png"))
	if len(files) != 1 || s.Candidates() != 3 || s.HistoryLen() != 1 {
		t.Fatalf("outputs %d candidates %d history %d: want only the image kept saved", len(files), s.Candidates(), s.HistoryLen())
	}
	first := s.Document().Tokens()
	third := s.cands.results[2].seed // ranked: not necessarily seed 52
	test.Tap(s.cands.Thumbs()[2])
	if slices.Equal(first, s.Document().Tokens()) || s.Document().ImageParams().Seed != third {
		t.Fatalf("candidate 3 not picked (seed %d, want %d)", s.Document().ImageParams().Seed, third)
	}
	if p, _ := s.Params(); p.Seed != 50 || !p.SeedLocked {
		t.Fatalf("panel seed %d locked %v: picking changed the locked seed", p.Seed, p.SeedLocked)
	}
	files, _ = filepath.Glob(filepath.Join(s.OutputsDir(), "*.png"))
	if len(files) != 2 || s.HistoryLen() != 2 || s.Document().Parent == "" || readRecord(t, s.Document().Parent).Seed != third {
		t.Fatalf("outputs %d history %d parent %q: the picked candidate was not saved", len(files), s.HistoryLen(), s.Document().Parent)
	}
	test.Tap(s.cands.Thumbs()[2]) // already saved: no second file
	if files, _ = filepath.Glob(filepath.Join(s.OutputsDir(), "*.png")); len(files) != 2 {
		t.Fatalf("picking the same candidate again wrote %d files", len(files))
	}
}

// Brush size, grid lines and window size persist in the preferences;
// closing with nothing to lose does not ask.
func TestSettingsPersist(t *testing.T) {
	e := newEnv(t)
	s := e.open(t)
	s.Canvas().TypedRune(']')
	s.edit.grid.SetChecked(true)
	s.Window().Resize(fyne.NewSize(1000, 700))
	generate(t, s)
	s.requestClose()
	if hasDialog(s) {
		t.Fatal("closing asked although nothing would be lost")
	}
	// Read before the next studio opens: the test harness resizes its
	// window, which the autosave then keeps (TestWindowSizeKeptByAutosave).
	if sz := s.set.WindowSize(); sz.Width != 1000 || sz.Height != 700 {
		t.Fatalf("window size %v", sz)
	}
	s2 := e.open(t)
	if s2.Canvas().BrushSize() != 4 || !s2.Canvas().GridLines() {
		t.Fatalf("brush %d grid %v", s2.Canvas().BrushSize(), s2.Canvas().GridLines())
	}
	if s2.set.LastModel() != "tiny" {
		t.Fatalf("last model %q", s2.set.LastModel())
	}
}

func TestOpeningAModelAppliesItsRecommendedGuidance(t *testing.T) {
	guided := bundletest.Tiny(4)
	guided.Model.Config.Tessera.Defaults = &sampling.Recommended{Guidance: 2.5}
	env := newEnv(t)
	env.models = tinyModels{b: bundletest.Tiny(3), other: guided}
	s := env.open(t)
	if p, _ := s.Params(); p.Guidance != 1 {
		t.Fatalf("starting guidance %g, want 1", p.Guidance)
	}
	must(t, s.OpenModel("tiny2"))
	s.Wait()
	p, err := s.Params()
	must(t, err)
	if p.Guidance != 2.5 {
		t.Errorf("guidance %g, want the model's 2.5", p.Guidance)
	}
	if !strings.Contains(s.Status(), "recommended guidance 2.5") {
		t.Errorf("status %q does not say so", s.Status())
	}
}

// `tessera studio --model M` (Options.Model) opens M over the model the
// last session used, whose work stays with it.
func TestModelOptionOverridesTheSession(t *testing.T) {
	e, other := twoModels(t)
	made := e.savedImage(t)
	s2 := e.start(t, func(o *Options) { o.Model = "tiny2" })
	s2.Wait()
	if s2.Bundle() != other {
		t.Fatalf("opened %v, want tiny2 (%v)", s2.Bundle(), s2.LastError())
	}
	must(t, s2.OpenModel("tiny"))
	s2.Wait()
	if !slices.Equal(s2.Document().Tokens(), made) {
		t.Fatal("the last session's work on tiny was lost")
	}
}

// Help › Keyboard shortcuts lists every menu shortcut, written as people
// read them, and the keys no menu shows.
func TestShortcutList(t *testing.T) {
	s := newTestStudio(t)
	mm := s.mainMenu()
	rows := ShortcutList(mm.Items[:len(mm.Items)-1])
	got := map[string]string{}
	for _, r := range rows {
		got[r[1]] = r[0]
	}
	for item, keys := range map[string]string{
		"File › Quit": "Ctrl+Q", "Edit › Undo": "Ctrl+Z", "Edit › Redo": "Ctrl+Shift+Z", "Image › Generate": "Ctrl+Return",
		"Image › Describe…": "Ctrl+D", "View › Zoom in": "Ctrl+=", "View › History strip": "Ctrl+H",
		"View › Create tab": "Ctrl+Page Up", "View › Train tab": "Ctrl+Page Down",
	} {
		if got[item] != keys {
			t.Errorf("%s: %q, want %q", item, got[item], keys)
		}
	}
	if rows[len(rows)-1][0] != "Return" || rows[len(rows)-2][0] != "Esc" || len(rows) < 20 {
		t.Errorf("%d rows, last %v", len(rows), rows[len(rows)-1])
	}
	var help *fyne.Menu
	for _, m := range mm.Items {
		if m.Label == "Help" {
			help = m
		}
	}
	if help == nil || help.Items[0].Label != "Keyboard shortcuts" {
		t.Fatal("no Help › Keyboard shortcuts")
	}
	if k := shortcutText(help.Items[0].Shortcut); k != "Ctrl+/" {
		t.Errorf("Help › Keyboard shortcuts on %q, want Ctrl+/", k)
	}
	help.Items[0].Action()
	if !hasDialog(s) {
		t.Error("the shortcuts dialog did not open")
	}
	help.Items[0].Action() // Ctrl+/ again: not a second list over the first
	if n := len(s.win.Canvas().Overlays().List()); n != 1 {
		t.Errorf("%d dialogs after Ctrl+/ twice", n)
	}
	// Its list scrolls from the keyboard (Page Down, the arrows).
	var sc *container.Scroll
	widgets.Walk(s.win.Canvas().Overlays().Top(), func(c fyne.CanvasObject) {
		if v, ok := c.(*container.Scroll); ok && sc == nil {
			sc = v
		}
	})
	if sc == nil {
		t.Fatal("the shortcuts dialog has no scroll")
	}
	s.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyPageDown})
	if sc.Offset.Y <= 0 {
		t.Error("Page Down did not scroll the shortcuts list")
	}
	y := sc.Offset.Y
	s.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyUp})
	if sc.Offset.Y >= y {
		t.Error("Up did not scroll the shortcuts list back")
	}
	// The tabs, which Tab never reaches, from the keyboard.
	for _, it := range mm.Items[3].Items {
		if it.Label == "Train tab" {
			s.dismissTopDialog()
			it.Action()
		}
	}
	if s.Tab() != trainTab {
		t.Errorf("View › Train tab left the %q tab in front", s.Tab())
	}
}

// An image made again exactly (a locked seed run twice) is not written to
// the outputs folder or the history twice; the status says which file
// holds it. A different image is saved as usual.
func TestSameImageIsNotSavedTwice(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "red cat", 9)
	generate(t, s)
	files, _ := filepath.Glob(filepath.Join(s.OutputsDir(), "*.png"))
	history := len(s.history.Thumbs())
	generate(t, s)
	again, _ := filepath.Glob(filepath.Join(s.OutputsDir(), "*.png"))
	if len(files) != 1 || len(again) != 1 || len(s.history.Thumbs()) != history {
		t.Fatalf("files %d then %d, history %d then %d", len(files), len(again), history, len(s.history.Thumbs()))
	}
	if !strings.Contains(s.Status(), "the same image as "+filepath.Base(files[0])+", saved before") {
		t.Errorf("status %q", s.Status())
	}
	lockSeed(t, s, "red cat", 10)
	generate(t, s)
	if n, _ := filepath.Glob(filepath.Join(s.OutputsDir(), "*.png")); len(n) != 2 {
		t.Errorf("a new image: %d files", len(n))
	}
	// The file deleted meanwhile: written again.
	for _, f := range files {
		os.Remove(f)
	}
	lockSeed(t, s, "red cat", 9)
	generate(t, s)
	if n, _ := filepath.Glob(filepath.Join(s.OutputsDir(), "*.png")); len(n) != 2 || strings.Contains(s.Status(), "saved before") {
		t.Errorf("after deleting the file: %d files, status %q", len(n), s.Status())
	}
}

// Opening a picture the model's codes cannot hold (noise, for the tiny
// model) says how far they change it; a picture made of the model's own
// patches opens without the warning.
func TestOpenWarnsWhenTheCodesChangeThePicture(t *testing.T) {
	s := newTestStudio(t)
	b := s.Bundle()
	dir := t.TempDir()
	own := filepath.Join(dir, "own.png")
	tokens := make([]int, b.ImageTokens())
	for i := range tokens {
		tokens[i] = (i * 5) % b.Model.Config.Codes()
	}
	must(t, pngmeta.WriteFileAtomic(own, b.Decode(tokens), nil))
	noise := image.NewNRGBA(image.Rect(0, 0, 32, 32))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range noise.Pix {
		noise.Pix[i] = uint8(r.IntN(256))
	}
	noisy := filepath.Join(dir, "noise.png")
	must(t, pngmeta.WriteFileAtomic(noisy, noise, nil))

	must(t, s.OpenFile(own))
	s.Wait()
	must(t, s.LastError())
	if strings.Contains(s.Status(), "dB PSNR") || !slices.Equal(s.Document().Tokens(), tokens) {
		t.Fatalf("the model's own picture: status %q, codes %v (want %v)", s.Status(), s.Document().Tokens(), tokens)
	}
	must(t, s.OpenFile(noisy))
	s.Wait()
	must(t, s.LastError())
	if !strings.Contains(s.Status(), "reads it at only") || !strings.Contains(s.Status(), "dB PSNR") {
		t.Fatalf("noise opened without a warning: %q", s.Status())
	}
}

// File › Open of an image another model made re-encodes its picture and
// leaves the panel as it was: that model's prompt and knobs are not this
// one's (an emoji PNG opened on the shapes model put its four words, all
// unknown there, and emoji's guidance in the panel).
func TestOpenAnotherModelsImageKeepsThePanel(t *testing.T) {
	e, other := twoModels(t)
	other.Name = "tiny-other" // another model, not other weights of this one
	s := e.open(t)
	must(t, s.OpenModel("tiny2"))
	s.Wait()
	setParams(t, s, "blue dog", 3, func(p *core.Params) { p.Guidance = 6 })
	generate(t, s)
	made := s.Document().Parent
	if made == "" {
		t.Fatal("no output file")
	}
	must(t, s.OpenModel("tiny"))
	s.Wait()
	setParams(t, s, "red cat", 7, func(p *core.Params) { p.Guidance = 2.5 })
	before, _ := s.Params()
	must(t, s.OpenFile(made))
	s.Wait()
	must(t, s.LastError())
	after, _ := s.Params()
	if after.Prompt != before.Prompt || after.Guidance != before.Guidance || after.Seed != before.Seed {
		t.Fatalf("the panel took the other model's settings: %+v, was %+v", after, before)
	}
	if !strings.Contains(s.Status(), "made by model") || s.Document().ImageParams().Prompt != "" {
		t.Fatalf("status %q, image prompt %q", s.Status(), s.Document().ImageParams().Prompt)
	}
	// Its model is one this studio knows (opened before): the status says
	// how to reuse its settings, not that the model is gone or unknown.
	if st := s.Status(); !strings.Contains(st, "open it from the history, or open that model") {
		t.Errorf("an image of a model known here: %q", st)
	}
}

// withFolders opens model folders as the real studio does, besides the
// tiny built-ins.
type withFolders struct{ tinyModels }

func (m withFolders) Open(key string, progress func(done, total int64)) (*bundle.Bundle, error) {
	if isFolderKey(key) {
		return FolderModels{}.Open(key, progress)
	}
	return m.tinyModels.Open(key, progress)
}

// Open model folder takes a folder with a ViT tokenizer (no
// preprocessor_config.json: the built-in emoji and edit models' layout was
// refused), and a training run's folder opens the model it exported.
func TestOpenModelFolderOfEachKind(t *testing.T) {
	e := newEnv(t)
	e.models = withFolders{tinyModels{b: bundletest.Tiny(3)}}
	s := e.open(t)
	root := t.TempDir()
	vitDir := filepath.Join(root, "vit")
	must(t, bundletest.TinyViT(5).Save(vitDir, "F32"))
	must(t, s.OpenModelFolder(vitDir))
	s.Wait()
	must(t, s.LastError())
	if s.Bundle() == nil || s.Bundle().Tokenizer.Local() {
		t.Fatalf("the ViT model folder did not open: %v", s.Bundle())
	}
	run := filepath.Join(root, "run1")
	must(t, bundletest.Tiny(7).Save(filepath.Join(run, "model"), "F32"))
	must(t, s.OpenModelFolder(run))
	s.Wait()
	must(t, s.LastError())
	if s.Bundle() == nil || s.Bundle().Source != filepath.Join(run, "model") {
		t.Fatalf("a run folder opened %v, want its model", s.Bundle().Source)
	}
	err := s.OpenModelFolder(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "config.json is missing") {
		t.Fatalf("an empty folder: %v", err)
	}
}

// A file dropped behind a dialog (an export under way) is refused and the
// canvas kept; a drop closes an error shown; of several files dropped the
// first opens and the status says so; the status log holds an open once.
func TestDropBehindDialogsAndSeveralFiles(t *testing.T) {
	s := newTestStudio(t)
	dir := t.TempDir()
	generate(t, s)
	first := filepath.Join(dir, "first.png")
	must(t, s.ExportTo(first))
	generate(t, s)
	second := filepath.Join(dir, "second.png")
	must(t, s.ExportTo(second))
	shown := s.Document().Tokens()

	s.files.showExport()
	if !hasDialog(s) {
		t.Fatal("no export dialog")
	}
	s.files.dropped(fyne.Position{}, []fyne.URI{uriOf(first)})
	s.Wait()
	if !slices.Equal(s.Document().Tokens(), shown) || !strings.Contains(s.Status(), "first.png was not opened: close the dialog first") {
		t.Fatalf("a drop behind the export dialog: canvas changed %v, status %q", !slices.Equal(s.Document().Tokens(), shown), s.Status())
	}
	if !s.dismissTopDialog() || hasDialog(s) {
		t.Fatal("the export dialog did not close")
	}

	s.showError(errors.New("an older error"))
	s.files.dropped(fyne.Position{}, []fyne.URI{uriOf(first), uriOf(second)})
	s.Wait()
	if err := s.LastError(); err.Error() != "an older error" {
		t.Fatalf("opening the first file dropped: %v", err)
	}
	if hasDialog(s) || s.Document().Parent != first || !strings.Contains(s.Status(), "the first of the 2 files dropped") {
		t.Fatalf("two files dropped over an error: dialog %v, parent %q, status %q", hasDialog(s), s.Document().Parent, s.Status())
	}
	opened := 0
	for _, l := range s.StatusLog() {
		if strings.Contains(l, "Opened first.png") {
			opened++
		}
	}
	if opened != 1 {
		t.Fatalf("the status log holds the open %d times: %q", opened, s.StatusLog())
	}
}

// When the model folder the last session ended on is gone, the studio
// opens the default model with that model's own settings (not the gone
// model's, which stayed in the panel), and the status says why.
func TestGoneModelFolderLeavesItsSettingsBehind(t *testing.T) {
	e := newEnv(t)
	e.models = withFolders{tinyModels{b: bundletest.Tiny(3)}}
	s := e.open(t)
	lockSeed(t, s, "red cat", 5)
	p, err := s.Params()
	must(t, err)
	p.Guidance = 4.5
	s.SetParams(p)
	generate(t, s) // tiny's work, with guidance 4.5
	folder := filepath.Join(t.TempDir(), "folder-model")
	must(t, bundletest.Tiny(7).Save(folder, "F32"))
	must(t, s.OpenModelFolder(folder))
	s.Wait()
	must(t, s.LastError())
	p, err = s.Params()
	must(t, err)
	p.Guidance, p.Temperature = 2.5, 0.6
	s.SetParams(p)
	generate(t, s)
	must(t, s.FlushAutosave())
	s.Stop()
	s.Wait()
	must(t, os.RemoveAll(folder))

	s2 := e.open(t)
	if s2.modelKey != "tiny" {
		t.Fatalf("opened %q, want the default model", s2.modelKey)
	}
	got, err := s2.Params()
	must(t, err)
	if got.Guidance != 4.5 || got.Temperature == 0.6 {
		t.Fatalf("the default model opened with guidance %g and temperature %g, want its own guidance 4.5", got.Guidance, got.Temperature)
	}
	if !strings.Contains(s2.Status(), "is gone") {
		t.Fatalf("the status does not say the folder is gone: %q", s2.Status())
	}
	if slices.Contains(s2.modelKeys(), folder) {
		t.Fatalf("the model list still offers the folder that is gone: %v", s2.modelKeys())
	}
	// Back (a drive plugged in again): listed again.
	must(t, bundletest.Tiny(7).Save(folder, "F32"))
	if !slices.Contains(s2.modelKeys(), folder) {
		t.Fatalf("the folder back is not listed: %v", s2.modelKeys())
	}
}

// A menu shortcut pressed while a dialog is open does nothing (Ctrl+Shift+O
// in the export dialog opened Open path over it), but Stop and Quit work.
func TestMenuShortcutsWaitForDialogs(t *testing.T) {
	s := newTestStudio(t)
	generate(t, s)
	s.files.showExport()
	overlays := s.Window().Canvas().Overlays()
	n := len(overlays.List())
	for _, key := range []string{"openPath", "export", "undo", "generate", "describe"} {
		s.menu[key].Action()
		if got := len(overlays.List()); got != n {
			t.Fatalf("%s behind the export dialog: %d dialogs, want %d", key, got, n)
		}
	}
	if s.Document().CanRedo() {
		t.Fatal("Undo worked behind the dialog")
	}
	for s.dismissTopDialog() {
	}
	s.menu["openPath"].Action()
	if len(overlays.List()) == 0 {
		t.Fatal("Open path does nothing without a dialog")
	}
}

// With no model open (the one asked for does not load), the zoom label
// says nothing rather than a percentage of a placeholder ("Fit 20100%").
func TestZoomLabelWithoutAModel(t *testing.T) {
	e := newEnv(t)
	s := e.start(t, func(o *Options) { o.Model = "missing" })
	s.Window().Resize(fyne.NewSize(1200, 800))
	s.Wait()
	if s.Bundle() != nil {
		t.Fatal("a model opened: the test needs none")
	}
	s.updateZoom()
	if s.zoomLabel.Text != "" {
		t.Errorf("zoom label %q without a model", s.zoomLabel.Text)
	}
}

// At start the prompt has the focus, so that typing goes into it (it went
// nowhere, and a first Tab opened the model picker).
func TestPromptFocusedAtStart(t *testing.T) {
	e := newEnv(t)
	s := e.open(t)
	if s.Window().Canvas().Focused() != s.panel.prompt {
		t.Fatalf("focused at start: %T", s.Window().Canvas().Focused())
	}
	// Reopened over an image, the canvas keeps the keys: Ctrl+Z undoes
	// the image (it went to the empty prompt).
	lockSeed(t, s, "red cat", 7)
	generate(t, s)
	generate(t, s)
	second := s.Document().Tokens()
	must(t, s.FlushAutosave())
	s2 := e.open(t)
	if !slices.Equal(s2.Document().Tokens(), second) || !s2.Document().CanUndo() {
		t.Fatal("the session did not reopen with its undo history")
	}
	s2.undoKey()
	if slices.Equal(s2.Document().Tokens(), second) {
		t.Fatalf("Ctrl+Z after reopening did not undo the image (focused: %T)", s2.Window().Canvas().Focused())
	}
	// Clicked into the prompt without typing (no run this session to
	// compare it with): the field has nothing to undo, so Ctrl+Z undoes
	// the image (it did nothing, without a word); Ctrl+Shift+Z redoes it.
	undone := s2.Document().Tokens()
	must(t, s2.Redo())
	s2.Window().Canvas().Focus(s2.panel.prompt)
	s2.undoKey()
	if !slices.Equal(s2.Document().Tokens(), undone) || s2.panel.prompt.Text != "red cat" {
		t.Fatalf("Ctrl+Z in the untouched prompt: the image undone %v, the prompt %q", slices.Equal(s2.Document().Tokens(), undone), s2.panel.prompt.Text)
	}
	s2.redoKey()
	if !slices.Equal(s2.Document().Tokens(), second) {
		t.Fatal("Ctrl+Shift+Z in the untouched prompt did not redo the image")
	}
}

// One Ctrl+Shift+Z in the untouched prompt redoes one image step (it went
// through the prompt's OnRedo back into the redo key and redid two), and
// Ctrl+Z in a dialog's field is the field's: the picture behind the dialog
// stays (Fyne gives the window's shortcuts first).
func TestUndoKeysStepOnceAndLeaveDialogsAlone(t *testing.T) {
	e := newEnv(t)
	s := e.open(t)
	var steps [][]int
	for _, seed := range []uint64{7, 8, 9} {
		lockSeed(t, s, "red cat", seed)
		generate(t, s)
		steps = append(steps, s.Document().Tokens())
	}
	must(t, s.Undo())
	must(t, s.Undo())
	s.ranTexts = nil // no run to compare the prompt with, as after a restart
	s.Window().Canvas().Focus(s.panel.prompt)
	s.redoKey()
	if !slices.Equal(s.Document().Tokens(), steps[1]) {
		t.Fatalf("one Ctrl+Shift+Z in the prompt did not land on the second image (status %q)", s.Status())
	}
	// Ctrl+Y, which the driver gives to the focused field, redoes in the
	// negative prompt and the instruction box as in the prompt (it was
	// ignored there), one step each.
	must(t, s.Undo())
	for i, f := range []fyne.Shortcutable{s.panel.negative, s.edit.instruction} {
		s.Window().Canvas().Focus(f.(fyne.Focusable))
		if i == 1 {
			must(t, s.Undo())
		}
		f.TypedShortcut(&fyne.ShortcutRedo{})
		if !slices.Equal(s.Document().Tokens(), steps[1]) {
			t.Fatalf("Ctrl+Y in field %d did not redo one image step (status %q)", i, s.Status())
		}
	}
	field := widget.NewEntry()
	field.SetText("name.png")
	dialog.NewCustom("Export", "OK", field, s.Window()).Show()
	s.Window().Canvas().Focus(field)
	s.undoKey()
	if !slices.Equal(s.Document().Tokens(), steps[1]) {
		t.Fatalf("Ctrl+Z in a dialog's field undid the image behind it (status %q)", s.Status())
	}
}

// Image › Pick candidate picks from the keyboard (Alt+1 … Alt+8): the strip's
// thumbnails take no focus. Listed in Help › Keyboard shortcuts.
func TestPickCandidateFromTheMenu(t *testing.T) {
	s := newTestStudio(t)
	var pick *fyne.MenuItem
	for _, m := range s.Window().MainMenu().Items {
		for _, it := range m.Items {
			if it.Label == "Pick candidate" {
				pick = it
			}
		}
	}
	if pick == nil || pick.ChildMenu == nil || len(pick.ChildMenu.Items) != maxPickKeys {
		t.Fatal("no Image › Pick candidate menu")
	}
	pick.ChildMenu.Items[1].Action() // no candidates yet: said on the status line, no dialog
	if !strings.HasPrefix(s.Status(), "No candidate #2 to pick (0 candidates are shown)") || hasDialog(s) {
		t.Fatalf("no candidates: status %q, a dialog %v", s.Status(), hasDialog(s))
	}
	setParams(t, s, "red cat", 5, func(p *core.Params) { p.Batch = 3 })
	generate(t, s)
	if s.Candidates() != 3 {
		t.Fatalf("%d candidates", s.Candidates())
	}
	want := s.cands.results[1].tokens
	pick.ChildMenu.Items[1].Action()
	s.Wait()
	if !slices.Equal(s.Document().Tokens(), want) {
		t.Fatal("Alt+2 did not make candidate 2 the image")
	}
	rows := ShortcutList(s.Window().MainMenu().Items)
	found := false
	for _, r := range rows {
		found = found || r == [2]string{"Alt+2", "Image › Pick candidate › #2"}
	}
	if !found {
		t.Error("Help › Keyboard shortcuts does not list Alt+2")
	}
}

// After a restart too: the history strip's files are known, so drawing one
// of them again (its seed locked) writes no second copy.
func TestSameImageIsNotSavedTwiceAfterARestart(t *testing.T) {
	env := newEnv(t)
	first := env.open(t)
	lockSeed(t, first, "red cat", 9)
	generate(t, first)
	must(t, first.FlushAutosave())
	files, _ := filepath.Glob(filepath.Join(first.OutputsDir(), "*.png"))

	again := env.open(t)
	again.Wait()
	if again.HistoryLen() == 0 {
		t.Fatal("the history was not read")
	}
	lockSeed(t, again, "red cat", 9)
	generate(t, again)
	if n, _ := filepath.Glob(filepath.Join(again.OutputsDir(), "*.png")); len(files) != 1 || len(n) != 1 || !strings.Contains(again.Status(), "saved before") {
		t.Fatalf("files %d then %d; status %q", len(files), len(n), again.Status())
	}
	// Another outputs folder: the image is written there.
	moved := t.TempDir()
	again.outputsDir = moved
	generate(t, again)
	if n, _ := filepath.Glob(filepath.Join(moved, "*.png")); len(n) != 1 || strings.Contains(again.Status(), "saved before") {
		t.Fatalf("after the outputs folder moved: %d files there, status %q", len(n), again.Status())
	}
}

// Return closes a dialog that only shows something (its one button,
// Close), as Escape does: the status log ignored it.
func TestReturnClosesTheStatusLog(t *testing.T) {
	s := newTestStudio(t)
	s.setStatus("something happened")
	s.showStatusLog()
	if !hasDialog(s) {
		t.Fatal("no status log dialog")
	}
	if !s.confirmTopDialog() || hasDialog(s) {
		t.Fatal("Return did not close the status log")
	}
}

// A history entry made by the model of a training run (a recent folder
// named "model", whose images record their data's name) finds that folder
// by its weights' hash, not by its name.
func TestHistoryFindsARunModelByItsHash(t *testing.T) {
	s := newTestStudio(t)
	dir := filepath.Join(t.TempDir(), "run", "model")
	must(t, bundletest.Tiny(31).Save(dir, "F32"))
	s.set.AddRecent(dir)
	hash := model.WeightsHash(dir)
	if hash == "" || hash == s.Bundle().Model.Hash {
		t.Fatalf("hash %q of the run's model", hash)
	}
	if key, ok := s.modelKeyFor("pics", hash); !ok || key != dir {
		t.Fatalf("found %q (%v), want %s", key, ok, dir)
	}
	if key, ok := s.modelKeyFor("pics", "0123456789"); ok {
		t.Fatalf("an unknown hash and name found %q", key)
	}
	// Retrained in place: the cached hash goes with the old weights.
	must(t, bundletest.Tiny(32).Save(dir, "F32"))
	later := time.Now().Add(time.Minute)
	must(t, os.Chtimes(filepath.Join(dir, model.WeightsFile), later, later))
	if _, ok := s.modelKeyFor("pics", hash); ok {
		t.Fatal("the old weights' hash still finds the retrained folder")
	}
	if key, ok := s.modelKeyFor("pics", model.WeightsHash(dir)); !ok || key != dir {
		t.Fatalf("the new weights' hash found %q (%v)", key, ok)
	}
}

// A model's candidates come back with its image when the user switches to
// another model and back (they were dropped, where a restart kept them).
func TestSwitchModelKeepsTheCandidates(t *testing.T) {
	e, _ := twoModels(t)
	s := e.open(t)
	setParams(t, s, "red cat", 7, func(p *core.Params) { p.Batch, p.SeedLocked = 3, true })
	generate(t, s)
	if s.Candidates() != 3 {
		t.Fatalf("%d candidates", s.Candidates())
	}
	must(t, s.OpenModel("tiny2"))
	s.Wait()
	must(t, s.LastError())
	if s.Candidates() != 0 {
		t.Fatal("the other model shows the first one's candidates")
	}
	must(t, s.OpenModel("tiny"))
	s.Wait()
	must(t, s.LastError())
	if s.Candidates() != 3 || !strings.Contains(s.Status(), "its 3 candidates are below") {
		t.Fatalf("back on the first model: %d candidates, status %q", s.Candidates(), s.Status())
	}
	must(t, s.PickCandidate(1))
	s.Wait()
	must(t, s.LastError())
}

// The window's size is kept by the autosave too, not only by a clean
// quit: a killed studio reopened at an older size.
func TestWindowSizeKeptByAutosave(t *testing.T) {
	s := newTestStudio(t)
	s.Window().Resize(fyne.NewSize(1040, 690))
	lockSeed(t, s, "red cat", 3) // a change of the settings: an autosave
	generate(t, s)
	if sz := s.set.WindowSize(); sz.Width != 1040 || sz.Height != 690 {
		t.Fatalf("window size kept %v, want 1040×690 without a quit", sz)
	}
}

// Regenerate masked on a stopped image also draws its unfinished patches;
// the status counts them apart from the masked ones (it called all of them
// masked with nothing masked).
func TestRegenerateStoppedImageCountsUnfinished(t *testing.T) {
	s := newTestStudio(t)
	kept := stoppedImage(t, s)
	must(t, s.RegenerateMasked())
	s.Wait()
	must(t, s.LastError())
	want := fmt.Sprintf("Regenerated: %d unfinished patches (nothing was masked)", 16-kept)
	if !strings.HasPrefix(s.Status(), want) || !s.Document().Complete() {
		t.Fatalf("status %q, want it to begin %q; complete %v", s.Status(), want, s.Document().Complete())
	}
	must(t, s.Undo())
	s.Canvas().SetBrushSize(1)
	test.Drag(s.Window().Canvas(), patchCenter(s, 0, 0), 2, 0)
	if s.Document().Masked() != 1 {
		t.Fatalf("%d patches masked", s.Document().Masked())
	}
	must(t, s.RegenerateMasked())
	s.Wait()
	must(t, s.LastError())
	want = fmt.Sprintf("Regenerated: 1 masked and %d unfinished patches", 16-kept)
	if !strings.HasPrefix(s.Status(), want) {
		t.Fatalf("status %q, want it to begin %q", s.Status(), want)
	}
}

// A candidate of a batch stopped under half drawn is not saved when picked
// either; Continue finishes the one picked (found by its seed, though the
// candidates share their top part) and puts it first.
func TestPickEarlyCandidateAndContinue(t *testing.T) {
	s := newTestStudio(t)
	// a batch whose first and third candidates begin alike
	for seed := uint64(70); ; seed++ {
		s.StopAtPatch(1)
		setParams(t, s, "red cat", seed, func(p *core.Params) { p.Batch = 3 })
		generate(t, s)
		if n := len(outputFiles(t, s)); n != 0 || !strings.Contains(s.Status(), "none is saved") {
			t.Fatalf("a batch stopped at patch 1: %d files, status %q", n, s.Status())
		}
		if slices.Equal(s.cands.results[0].tokens, s.cands.results[2].tokens) {
			break
		}
		if seed > 400 {
			t.Fatal("no batch of 3 whose candidates 1 and 3 begin alike")
		}
	}
	picked := s.cands.results[2].seed
	must(t, s.PickCandidate(2))
	if n := len(outputFiles(t, s)); n != 0 {
		t.Fatalf("picking a candidate stopped at patch 1 saved it: %d files", n)
	}
	// The batch continues with its own seeds: an unlocked seed shown for
	// the next run stays (it moved on after Continue).
	p, err := s.Params()
	must(t, err)
	p.Seed, p.SeedLocked = 999, false
	s.SetParams(p)
	must(t, s.Resume())
	s.Wait()
	must(t, s.LastError())
	if p, _ := s.Params(); p.Seed != 999 {
		t.Fatalf("Continue of a stopped batch moved the next run's seed from 999 to %d", p.Seed)
	}
	if got := s.cands.results; len(got) != 3 || got[0].seed != picked || s.Document().ImageParams().Seed != picked {
		t.Fatalf("after Continue the first candidate has seed %d, the canvas %d; want the one picked, %d", got[0].seed, s.Document().ImageParams().Seed, picked)
	}
	if n := len(outputFiles(t, s)); n != 1 {
		t.Fatalf("the finished image: %d files, want 1", n)
	}
}

// Regenerate masked on a stopped image, itself stopped before the image's
// end, leaves an image that is still unfinished (Continue finishes it), not
// one whose undrawn patches are code 0.
func TestStoppedRegenerationOfStoppedImageStaysUnfinished(t *testing.T) {
	s := newTestStudio(t)
	kept := stoppedImage(t, s)
	s.Canvas().SetBrushSize(1)
	test.Drag(s.Window().Canvas(), patchCenter(s, 0, 0), 2, 0)
	s.StopAtPatch(3)
	must(t, s.RegenerateMasked())
	s.Wait()
	must(t, s.LastError())
	if s.Document().Complete() || len(s.Document().Tokens()) != kept {
		t.Fatalf("after a stopped regeneration: %d patches (complete %v), want the %d drawn before", len(s.Document().Tokens()), s.Document().Complete(), kept)
	}
	s.StopAtPatch(0)
	must(t, s.Resume())
	s.Wait()
	must(t, s.LastError())
	if !s.Document().Complete() {
		t.Fatal("Continue did not finish the image")
	}
}

// Another model put in the picker (Use this model on the Train tab) brings
// the panel back to its top, where the model's name is, if it had been
// scrolled past it; the same model again leaves the panel where it is.
func TestModelChangeScrollsPanelToTop(t *testing.T) {
	s := newTestStudio(t)
	s.win.Resize(fyne.NewSize(900, 420)) // a panel taller than its place
	p := s.panel
	keys := []string{"a", "b"}
	label := func(k string) string { return k }
	p.SetModels(keys, label, "a")
	p.scroll.Offset = fyne.NewPos(0, 120)
	p.scroll.Refresh()
	p.SetModels(keys, label, "a")
	if p.scroll.Offset.Y != 120 {
		t.Fatalf("the same model moved the panel to %v", p.scroll.Offset)
	}
	p.SetModels(keys, label, "b")
	if p.scroll.Offset.Y != 0 {
		t.Fatalf("another model left the panel scrolled to %v", p.scroll.Offset)
	}
}

// stoppedImage generates "dog" (seed 5) stopped at patch 6 of 16, with one
// candidate a regeneration, and returns the patches kept.
func stoppedImage(t *testing.T, s *Studio) int {
	t.Helper()
	s.set.SetCandidates(1)
	lockSeed(t, s, "dog", 5)
	s.StopAtPatch(6)
	generate(t, s)
	kept := len(s.Document().Tokens())
	if kept >= 16 {
		t.Fatalf("not stopped: %d patches", kept)
	}
	return kept
}

// Regenerate masked with nothing masked on a stopped batch finishes the
// image shown; the status says where the batch's other partial images
// went (they vanished without a word) and that Undo brings them back.
func TestRegenerateStoppedBatchSaysWhereTheOthersWent(t *testing.T) {
	s := newTestStudio(t)
	s.set.SetCandidates(1)
	setParams(t, s, "dog", 5, func(p *core.Params) { p.Batch = 3 })
	s.StopAtPatch(6)
	generate(t, s)
	if s.Document().Complete() || s.Candidates() != 3 {
		t.Fatalf("not a stopped batch of 3: complete %v, %d candidates", s.Document().Complete(), s.Candidates())
	}
	must(t, s.RegenerateMasked())
	s.Wait()
	must(t, s.LastError())
	if !strings.Contains(s.Status(), "the stopped batch's other 2 images are put away with it (Undo brings them back") {
		t.Errorf("status %q", s.Status())
	}
	must(t, s.Undo())
	if s.Candidates() != 3 {
		t.Errorf("after undo: %d candidates, want the stopped batch's 3", s.Candidates())
	}
}

// A run's model opened on the Create tab while the run went on ("Use this
// model") is loaded again when the run ends, so that the Create tab draws
// with the weights the run ended with; it kept the weights of the moment
// it was opened, under the same name, until picked again. Another model
// open is left alone.
func TestRunModelRefreshedWhenItsRunEnds(t *testing.T) {
	e := newEnv(t)
	e.models = withFolders{tinyModels{b: bundletest.Tiny(3)}}
	s := e.open(t)
	md := filepath.Join(t.TempDir(), "run", "model")
	first := bundletest.Tiny(7)
	must(t, first.Save(md, "F32"))
	must(t, s.OpenModelFolder(md))
	s.Wait()
	must(t, s.LastError())
	lockSeed(t, s, "red cat", 5)
	generate(t, s)
	before := s.Bundle().Model.Hash
	later, err := bundle.FromParts(first.Name, first.Source, bundletest.Tiny(8).Model, first.Codebook) // the run's later weights, its codebook kept
	must(t, err)
	must(t, later.Save(md, "F32"))
	host := s.trainHost()
	if !host.refresh(filepath.Join(filepath.Dir(md), "model")) {
		t.Fatal("the run's model open on the Create tab was not loaded again")
	}
	s.Wait()
	must(t, s.LastError())
	if s.Bundle().Model.Hash == before || s.Document().Empty() {
		t.Errorf("after the refresh: hash %s (before %s), image kept %v", s.Bundle().Model.Hash, before, !s.Document().Empty())
	}
	// Said as new weights (it said "Back to this model's image").
	if st := s.Status(); !strings.HasPrefix(st, "Loaded the newer weights of its run; the image and its undo history stay") {
		t.Errorf("status after the refresh: %q", st)
	}
	if host.refresh(filepath.Join(t.TempDir(), "other", "model")) {
		t.Error("another run's end reloaded the model open")
	}
}

// A run's model refreshed with an empty canvas does not say that an image
// and its undo history stay (there is none): the newer weights are taken
// as the same model's only for an image they draw alike (drawAlike is
// false for an empty document).
func TestRunModelRefreshedOnAnEmptyCanvas(t *testing.T) {
	e := newEnv(t)
	e.models = withFolders{tinyModels{b: bundletest.Tiny(3)}}
	s := e.open(t)
	md := filepath.Join(t.TempDir(), "run", "model")
	first := bundletest.Tiny(7)
	must(t, first.Save(md, "F32"))
	must(t, s.OpenModelFolder(md))
	s.Wait()
	must(t, s.LastError())
	before := s.Bundle().Model.Hash
	later, err := bundle.FromParts(first.Name, first.Source, bundletest.Tiny(8).Model, first.Codebook)
	must(t, err)
	must(t, later.Save(md, "F32"))
	if !s.trainHost().refresh(md) {
		t.Fatal("the run's model open on the Create tab was not loaded again")
	}
	s.Wait()
	must(t, s.LastError())
	if s.Bundle().Model.Hash == before || !s.Document().Empty() {
		t.Fatalf("after the refresh: hash %s (before %s), canvas empty %v", s.Bundle().Model.Hash, before, s.Document().Empty())
	}
	if st := s.Status(); strings.Contains(st, "the image and its undo history stay") {
		t.Errorf("status after the refresh of an empty canvas: %q", st)
	}
}

// A studio that ended without Quit (Fyne quits on Ctrl-C in the terminal
// and on SIGTERM) keeps the last change, whose autosave was still pending.
func TestEndedOutsideKeepsTheWork(t *testing.T) {
	e := newEnv(t)
	s := e.open(t)
	lockSeed(t, s, "twitter cat", 78)
	generate(t, s)
	must(t, s.FlushAutosave())
	s.Canvas().SetBrushSize(1)
	test.Drag(s.Window().Canvas(), patchCenter(s, 0, 3), 1, 0) // autosaved after autosaveDelay
	mask := s.Document().Mask()
	s.endedOutside()
	if s2 := e.open(t); !slices.Equal(s2.Document().Mask(), mask) || !slices.Contains(mask, true) {
		t.Fatal("the stroke made just before the studio ended was lost")
	}
	s.endedOutside() // a second call (after quit too) does nothing
}

// A saved session that cannot be read (cut short, or another version's)
// is kept aside under a name of its own, not written over by the next
// autosave, and the studio says so after its model has loaded (the
// model's status hid the note).
func TestUnreadableSessionIsKeptAside(t *testing.T) {
	e := newEnv(t)
	damaged := []byte(`{"version": 3, "model": "tiny", "doc": {"tok`)
	must(t, os.WriteFile(filepath.Join(e.state, sessionFile), damaged, 0o644))
	s := e.open(t)
	if st := s.Status(); !strings.Contains(st, "could not be read") || !strings.Contains(st, "kept as "+filepath.Join(e.state, sessionFile)+".unreadable-") {
		t.Fatalf("status %q", st)
	}
	s.lastErr = nil // said; the generate helper fails on any error left
	generate(t, s)
	must(t, s.FlushAutosave())
	kept, _ := filepath.Glob(filepath.Join(e.state, sessionFile+".unreadable-*"))
	if len(kept) != 1 {
		t.Fatalf("kept aside: %q", kept)
	}
	if b, err := os.ReadFile(kept[0]); err != nil || !bytes.Equal(b, damaged) {
		t.Fatalf("the damaged session was not kept as it was: %q, %v", b, err)
	}
	if b, err := os.ReadFile(filepath.Join(e.state, sessionFile)); err != nil || bytes.Equal(b, damaged) {
		t.Fatalf("no new session saved: %v", err)
	}
}

// A picture the studio was started on ("tessera FILE.png") opens once the
// first model is in, as a drop of it would.
func TestOpenImageAtStart(t *testing.T) {
	e := newEnv(t)
	first := e.open(t)
	lockSeed(t, first, "red cat", 5)
	generate(t, first)
	path := filepath.Join(t.TempDir(), "start.png")
	must(t, first.ExportTo(path))
	want := first.Document().Tokens()
	lockSeed(t, first, "red cat", 6)
	generate(t, first) // another picture on the canvas, saved for next time
	if slices.Equal(first.Document().Tokens(), want) {
		t.Fatal("seeds 5 and 6 drew the same picture")
	}
	must(t, first.FlushAutosave())

	s := e.start(t, func(o *Options) { o.OpenImage = path })
	s.Wait()
	s.Wait() // the opening, queued once the model was in
	if got := s.Document().Tokens(); !slices.Equal(got, want) || !strings.Contains(s.Status(), "start.png") {
		t.Fatalf("the picture given at start is not on the canvas (status %q)", s.Status())
	}
}

// A run refused for a setting the panel cannot read says so on the status
// line until the setting reads again (the error stayed through later work).
func TestSettingsErrorGoesOnceFixed(t *testing.T) {
	s := newTestStudio(t)
	s.panel.seed.SetText("abc")
	s.report(s.Generate())
	if st := s.Status(); !strings.Contains(st, "check the settings") {
		t.Fatalf("status %q", st)
	}
	s.errDialog.close()
	s.panel.seed.SetText("5")
	// It says what was read ("The settings read again" said nothing).
	if st := s.Status(); st != "Settings read: seed 5" {
		t.Errorf("with the seed fixed the status says %q", st)
	}
	// A value typed back to the one read before: nothing was read anew,
	// and the error goes without a word.
	p, err := s.Params()
	must(t, err)
	s.panel.topK.SetText("x")
	s.report(s.Generate())
	s.errDialog.close()
	s.panel.topK.SetText(strconv.Itoa(p.TopK))
	if st := s.Status(); st != "" {
		t.Errorf("with top-k typed back to %d the status says %q", p.TopK, st)
	}
}

// A second studio on a state folder whose session another keeps (the
// session lock) starts afresh, says so, and writes no session: two windows
// overwrote each other's session.json, the last to write winning.
func TestSecondWindowLeavesTheSessionAlone(t *testing.T) {
	e := newEnv(t)
	lock := func(o *Options) { o.LockSession = true }
	first := e.start(t, lock)
	first.Wait()
	lockSeed(t, first, "red cat", 7)
	generate(t, first)
	must(t, first.FlushAutosave())
	kept, err := os.ReadFile(filepath.Join(e.state, sessionFile))
	must(t, err)
	second := e.start(t, lock)
	second.Wait()
	if !second.Document().Empty() || !strings.Contains(second.Status(), "Another Tessera window is open and keeps the session") {
		t.Fatalf("the second window: empty %v, status %q", second.Document().Empty(), second.Status())
	}
	lockSeed(t, second, "blue dog", 3)
	generate(t, second)
	if err := second.FlushAutosave(); err == nil {
		t.Error("the second window's autosave reports nothing")
	}
	if now, _ := os.ReadFile(filepath.Join(e.state, sessionFile)); !bytes.Equal(now, kept) {
		t.Error("the second window wrote the session")
	}
	if !first.KeepsSession() || second.KeepsSession() {
		t.Errorf("keeps the session: first %v, second %v", first.KeepsSession(), second.KeepsSession())
	}
	// Nor its panel's settings, model or size into the preferences the
	// windows share (it wrote them over the first window's at its quit).
	// (The test windows share one app's preferences.)
	first.set.SetLastModel("the first window's")
	second.requestClose()
	if p := second.set.Params(); p.Prompt != "red cat" || p.Seed != 7 || second.set.LastModel() != "the first window's" {
		t.Errorf("the second window stored its panel %+v, model %q", p, second.set.LastModel())
	}
}

// A picture the model drew unsure in a style the prompt names is said so
// on the status line (a broken "rocket fluent modern" was shown without a
// word).
func TestUnsureStyleSaid(t *testing.T) {
	s := newTestStudio(t) // random weights: every sample is unsure
	lockSeed(t, s, "red cat google", 3)
	generate(t, s)
	if st := s.Status(); !strings.Contains(st, "the model may not know that name in the google style") {
		t.Errorf("status %q", st)
	}
	lockSeed(t, s, "red cat", 3)
	generate(t, s)
	if st := s.Status(); strings.Contains(st, "unsure") {
		t.Errorf("without a style: status %q", st)
	}
}

// Quitting during a generation keeps what it drew for next time, as the
// quit question says: the window closed at once, the stopped run's
// picture was saved to the outputs folder but the session file kept the
// image before it, which the next start reopened.
func TestQuitDuringGenerationKeepsItsPicture(t *testing.T) {
	e := newEnv(t)
	s := e.open(t)
	lockSeed(t, s, "red cat", 7)
	generate(t, s)
	before := s.Document().Tokens()
	lockSeed(t, s, "red cat", 8)
	started, release := holdRun(t, s, 10) // past half of the tiny model's 16 patches
	must(t, s.Generate())
	<-started
	s.requestClose()
	if !s.quitAsk.shown() || !strings.Contains(s.quitAsk.text, "keeps what it has drawn") {
		t.Fatalf("quit question %q", s.quitAsk.text)
	}
	s.quit() // Yes
	if s.closing {
		t.Fatal("the window closed before the stopped run's picture was kept")
	}
	release()
	s.Wait()
	if !s.closing {
		t.Fatal("the studio did not close once the run had stopped")
	}
	stopped := s.Document().Tokens()
	if slices.Equal(stopped, before) || s.Document().Complete() {
		t.Fatalf("the canvas holds %v, not the stopped run's picture", stopped)
	}
	again := e.open(t)
	if got := again.Document().Tokens(); !slices.Equal(got, stopped) {
		t.Fatalf("the next start reopened %v, not the stopped picture %v", got, stopped)
	}
}

// Help › About fits the window: in a window shorter than its credits (at
// FYNE_SCALE=1.5 a 1270×850 window is 847×567) the credits scroll above the
// Close button, by the wheel and Page Down, where they ran under the button
// and past the window's edge; in a tall window it shows them all unscrolled.
func TestAboutScrollsInAShortWindow(t *testing.T) {
	s := newTestStudio(t)
	parts := func() (*container.Scroll, *widget.Button) {
		top := s.Window().Canvas().Overlays().Top()
		if top == nil {
			t.Fatal("About shows no dialog")
		}
		var sc *container.Scroll
		widgets.Walk(top, func(o fyne.CanvasObject) {
			if v, ok := o.(*container.Scroll); ok && sc == nil {
				sc = v
			}
		})
		var close *widget.Button
		for _, b := range buttons(top) {
			if b.Text == "Close" {
				close = b
			}
		}
		if sc == nil || close == nil {
			t.Fatalf("About has no scroll (%v) or no Close button (%v)", sc != nil, close != nil)
		}
		return sc, close
	}
	abs := func(o fyne.CanvasObject) fyne.Position {
		return fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	}
	s.Window().Resize(fyne.NewSize(847, 567))
	s.showAbout()
	sc, close := parts()
	if bottom := abs(sc).Y + sc.Size().Height; bottom > abs(close).Y {
		t.Errorf("the credits end at y=%v, below the Close button's top (%v)", bottom, abs(close).Y)
	}
	if end := abs(close).Y + close.Size().Height; end > s.Window().Canvas().Size().Height {
		t.Errorf("the Close button ends at y=%v, past the window's %v", end, s.Window().Canvas().Size().Height)
	}
	if sc.Content.MinSize().Height <= sc.Size().Height {
		t.Fatalf("the credits (%v high) fit a %v-high view in a window %v high: the test shows nothing", sc.Content.MinSize().Height, sc.Size().Height, s.Window().Canvas().Size())
	}
	s.scrollTopDialog(1) // Page Down
	if sc.Offset.Y == 0 {
		t.Error("Page Down did not scroll the credits")
	}
	s.dismissTopDialog()

	s.Window().Resize(fyne.NewSize(1200, 1400))
	s.showAbout()
	sc, _ = parts()
	if sc.Size().Height < sc.Content.MinSize().Height {
		t.Errorf("in a tall window About is %v high for credits %v high", sc.Size().Height, sc.Content.MinSize().Height)
	}
}
