package ui

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/edit"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/psnr"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/ui/core"
)

// withEdit adds the built-in edit model "tiny-edit" to tinyModels.
type withEdit struct {
	tinyModels
	edit *bundle.Bundle
}

func (m withEdit) Builtin() []string { return append(m.tinyModels.Builtin(), "tiny-edit") }

func (m withEdit) Open(key string, progress func(done, total int64)) (*bundle.Bundle, error) {
	if key == "tiny-edit" {
		return m.edit, nil
	}
	return m.tinyModels.Open(key, progress)
}

// openWithEdit is a studio on the tiny model whose Edit by instruction box
// uses the tiny edit model (editKey; "" none).
func openWithEdit(t *testing.T, editKey string) (*Studio, *bundle.Bundle) {
	t.Helper()
	return openWithEditOn(t, editKey, bundletest.Tiny(3))
}

// openWithEditOn is openWithEdit with drawing model b.
func openWithEditOn(t *testing.T, editKey string, b *bundle.Bundle) (*Studio, *bundle.Bundle) {
	t.Helper()
	e := newEnv(t)
	eb := bundletest.TinyEdit(2)
	e.models = withEdit{tinyModels: tinyModels{b: b}, edit: eb}
	s := NewStudio(e.app, Options{Version: "test", Models: e.models, OutputsDir: e.outputs, StateDir: e.state, Workers: 1,
		EditModel: editKey, loop: newTestLoop()})
	s.Window().Resize(fyne.NewSize(1200, 800))
	s.Wait()
	if s.Bundle() == nil {
		t.Fatalf("model not loaded: %v", s.LastError())
	}
	t.Cleanup(func() {
		s.Stop()
		s.Wait()
		s.save.Flush()
	})
	return s, eb
}

// wantEdit is what EditByInstruction must put on the canvas: the edit
// model's best candidate for the studio's image, settings and seed, in the
// drawing model's codes, and its picture as the edit model drew it.
func wantEdit(t *testing.T, s *Studio, eb *bundle.Bundle, instruction string, mask []bool, candidates int) ([]int, *image.NRGBA) {
	t.Helper()
	p, err := s.Params()
	must(t, err)
	b, base := s.Bundle(), s.Document().Tokens()
	source, _, _, err := eb.SourceCodes(b.Decode(base), base) // the image's own codes where they draw it, as tessera edit reads a file's
	must(t, err)
	emask := mask // the tiny models share their 4×4 grid
	opt := editOptions(eb, b, p, candidates, 1)
	opt.Prompt = instruction
	res, err := sampler.Edit(context.Background(), eb, opt, sampler.EditRequest{Source: source, Mask: emask, Candidates: candidates}, nil)
	must(t, err)
	// each candidate as the edit model drew it, given the source's detail
	// (as DetailFor the instruction says: a colour table for "mirror it"
	// and "make it red") unless the box is unticked
	src := b.Decode(base)
	ew, eh := eb.ImageSize()
	edits := make([]*image.NRGBA, len(res.Images))
	for i, im := range res.Images {
		edits[i] = eb.Decode(im.Tokens)
		if s.edit.detail.Checked {
			edits[i], _, err = edit.TransferDetail(codebook.Fit(src, ew, eh), eb.Decode(source), edits[i], edit.DetailFor(instruction, emask != nil))
			must(t, err)
		}
	}
	same := make([]bool, len(res.Images))
	for i, im := range res.Images {
		same[i] = edit.UnchangedShare(source, im.Tokens, emask) == 1
	}
	db, pics, err := intoModelCodes(b, eb, res, edits, base, mask, same)
	must(t, err)
	if len(pics) != len(res.Images) {
		t.Fatalf("%d pictures of %d candidates", len(pics), len(res.Images))
	}
	w, h := b.ImageSize()
	edited := drawOver(edits[0], b.Decode(base))
	rows, cols := b.Grid()
	if want := edit.PSNRWithin(codebook.Fit(edited, w, h), b.Decode(res.Images[0].Tokens), mask, rows, cols); math.Abs(db-want) > 1e-9 {
		t.Fatalf("intoModelCodes says %.3f dB, the pictures differ by %.3f", db, want)
	}
	return res.Images[0].Tokens, pics[0]
}

// Edit by instruction puts the edit model's best candidate on the canvas
// (one undo step), offers the others best first, saves the result with the
// instruction in its metadata, and keeps unmasked patches exactly; the
// edit model stays out of the model picker.
func TestEditByInstruction(t *testing.T) {
	s, eb := openWithEdit(t, "tiny-edit")
	if keys := s.modelKeys(); slices.Contains(keys, "tiny-edit") || !slices.Contains(keys, "tiny") {
		t.Fatalf("picker models %v: the edit model belongs to the edit box", keys)
	}
	lockSeed(t, s, "blue cat", 5)
	generate(t, s)
	before := s.Document().Tokens()
	s.panel.prompt.SetText("red dog") // the next prompt typed: not the source's
	s.set.SetCandidates(3)
	want, wantPic := wantEdit(t, s, eb, "mirror it", nil, 3)
	must(t, s.EditByInstruction("  mirror it "))
	s.Wait()
	must(t, s.LastError())
	if got := s.Document().Tokens(); !slices.Equal(got, want) {
		t.Fatalf("edited codes %v, want %v (the edit model's best candidate, encoded again)", got, want)
	}
	// Shown as the edit model drew it, as tessera edit writes it: the
	// drawing model's codes only approximate it.
	if pic := s.Document().Picture(); pic == nil || !bytes.Equal(pic.Pix, wantPic.Pix) || !bytes.Equal(s.Canvas().Image().Pix, wantPic.Pix) {
		t.Fatal("the canvas does not show the edit model's picture of the edit")
	}
	if s.Candidates() != 3 || !strings.HasPrefix(s.cands.Thumbs()[0].Caption, "best") {
		t.Fatalf("%d candidates, first %q", s.Candidates(), s.cands.Thumbs()[0].Caption)
	}
	if !strings.Contains(s.Status(), "Edited") || !strings.Contains(s.Status(), `"mirror it" of "blue cat`) {
		t.Fatalf("status %q: want the instruction and the source's prompt", s.Status())
	}
	// Named with its instruction beside the edit model's seed, as the
	// outputs folder names it (the drawing prompt and the edit's seed
	// alone named no picture that exists).
	if p := s.Document().ImageParams(); p.Instruction != "mirror it" || s.files.exportName() != fmt.Sprintf("blue-cat-mirror-%d.png", p.Seed) || !strings.Contains(describeState(s.Document()), `edit "mirror it" of "blue cat"`) {
		t.Fatalf("instruction %q, export name %q, state %q", p.Instruction, s.files.exportName(), describeState(s.Document()))
	}
	// The tiny models' random codebooks draw each other's pictures under
	// 15 dB: the status says this model's codes cannot draw the edit.
	if !strings.Contains(s.Status(), "the edit is shown as the edit model drew it, but tiny's own codes redraw it poorly") {
		t.Fatalf("status %q does not say the edit is rough", s.Status())
	}
	text, err := pngmeta.ReadFile(s.Document().Parent)
	must(t, err)
	rec, ok, err := pngmeta.ParseRecord(text)
	if err != nil || !ok {
		t.Fatalf("record of %s: %v %v", s.Document().Parent, ok, err)
	}
	entry, _ := rec.Extra[extraEdit].(map[string]any)
	if entry["instruction"] != "mirror it" || entry["model"] != eb.Name || entry["rank"] != float64(1) || rec.Extra[extraKind] != kindEdit {
		t.Fatalf("metadata %v", rec.Extra)
	}
	if !slices.Equal(rec.Tokens, want) {
		t.Fatal("the saved codes are not the edit's")
	}
	if rec.Prompt != "mirror it" || rec.Negative != "" {
		t.Fatalf("the record's prompt %q (negative %q): an edit records its instruction, as tessera edit does", rec.Prompt, rec.Negative)
	}
	// An edit of an image whose file was deleted since still records the
	// prompt its source was drawn from (it was read from the file alone).
	generate(t, s)
	drawnPrompt := s.Document().ImageParams().Prompt
	must(t, os.Remove(s.Document().Parent))
	must(t, s.EditByInstruction("mirror it"))
	s.Wait()
	must(t, s.LastError())
	if r := recordOf(s.Document().Parent); r == nil {
		t.Fatal("the edit of a deleted file's image has no record")
	} else if e, _ := r.Extra[extraEdit].(map[string]any); e["source_prompt"] != drawnPrompt || !strings.Contains(s.Status(), `of "`+drawnPrompt) {
		t.Errorf("the edit of a deleted file's image: source prompt %v (want %q), status %q", e["source_prompt"], drawnPrompt, s.Status())
	}
	must(t, s.Undo())
	must(t, s.Undo())
	// an export of the edited image records the edit, as its output does
	exported := filepath.Join(t.TempDir(), "edited.png")
	must(t, s.ExportTo(exported))
	text, err = pngmeta.ReadFile(exported)
	must(t, err)
	xrec, ok, err := pngmeta.ParseRecord(text)
	if err != nil || !ok {
		t.Fatalf("record of the export: %v %v", ok, err)
	}
	xentry, _ := xrec.Extra[extraEdit].(map[string]any)
	if xrec.Prompt != "mirror it" || xentry["instruction"] != "mirror it" || xrec.Extra[extraKind] != "export" || xrec.Extra[pngmeta.ExtraSameAsParent] != true || xrec.Parent != filepath.Base(s.Document().Parent) || !slices.Equal(xrec.Tokens, want) {
		t.Fatalf("the export's record: prompt %q, extra %v, parent %q", xrec.Prompt, xrec.Extra, xrec.Parent)
	}
	// Its A1111 text names the model that edited and the prompt the
	// source was drawn from beside the instruction (it read "mirror it …
	// Model: tiny" alone).
	if sp, _ := xentry["source_prompt"].(string); !strings.HasPrefix(sp, "blue cat") || !strings.Contains(text[pngmeta.KeyParameters], "Edit model: "+eb.Name) || !strings.Contains(text[pngmeta.KeyParameters], "Source prompt: "+sp) {
		par := text[pngmeta.KeyParameters]
		t.Errorf("the export's parameters %q (source prompt recorded %v)", par, xentry["source_prompt"])
	}
	// Opened again, the edit keeps its record, and the panel its prompt
	// and knobs: an instruction is no prompt for the drawing model.
	panel, err := s.panel.Params()
	must(t, err)
	s.SetInstruction("make it red")
	must(t, s.OpenFile(exported))
	s.Wait()
	must(t, s.LastError())
	after, err := s.panel.Params()
	must(t, err)
	if after.Prompt != panel.Prompt || after.Settings != panel.Settings || !slices.Equal(s.Document().Tokens(), want) ||
		s.Document().ImageParams().Prompt != "mirror it" || !strings.Contains(s.Status(), "an edit by instruction") {
		t.Fatalf("reopened edit: panel %q %+v (was %q %+v), image prompt %q, status %q", after.Prompt, after.Settings, panel.Prompt, panel.Settings,
			s.Document().ImageParams().Prompt, s.Status())
	}
	if got := s.edit.instruction.Text; got != "mirror it" {
		t.Fatalf("the reopened edit's instruction box says %q", got)
	}
	must(t, s.Undo()) // the opening
	must(t, s.Undo())
	if !slices.Equal(s.Document().Tokens(), before) {
		t.Fatal("undo did not bring back the image before the edit")
	}

	// with a mask, only the masked patches change
	mask := make([]bool, 16)
	mask[5], mask[6], mask[9], mask[10] = true, true, true, true
	must(t, s.paint.SetMask(mask))
	s.paint.setOverlays(false) // hidden, as a run leaves it: the edit shows it while it runs, and says so
	want, _ = wantEdit(t, s, eb, "make it red", mask, 3)
	must(t, s.EditByInstruction("make it red"))
	if !s.paint.Overlays() {
		t.Fatal("a masked edit runs with its mask hidden")
	}
	s.Wait()
	must(t, s.LastError())
	if !strings.Contains(s.Status(), "only the 4 masked patches") {
		t.Fatalf("a masked edit's status %q", s.Status())
	}
	got := s.Document().Tokens()
	if !slices.Equal(got, want) {
		t.Fatalf("masked edit %v, want %v", got, want)
	}
	for i := range got {
		if !mask[i] && got[i] != before[i] {
			t.Fatalf("unmasked patch %d changed", i)
		}
	}
	if !slices.Equal(s.Document().Mask(), mask) {
		t.Fatal("the mask did not stay")
	}
}

// A masked edit on a model whose ViT decoder draws every patch from all
// the codes keeps the pixels outside the mask as they were, as tessera edit
// --mask does (the decoder alone turned a cat's grey nose under a blue
// mask purple).
func TestMaskedEditKeepsThePixelsOutsideTheMask(t *testing.T) {
	s, eb := openWithEditOn(t, "tiny-edit", bundletest.TinyViT(3))
	lockSeed(t, s, "blue cat", 5)
	generate(t, s)
	before := slices.Clone(s.Canvas().Image().Pix)
	mask := make([]bool, 16)
	mask[5], mask[6] = true, true
	must(t, s.paint.SetMask(mask))
	_, edited := wantEdit(t, s, eb, "make it red", mask, s.set.Candidates())
	var live *image.NRGBA // the canvas as the edit draws (its last repaint)
	s.runs.onPatch = func(sampler.Event) {
		img := s.Canvas().Image()
		live = &image.NRGBA{Pix: slices.Clone(img.Pix), Stride: img.Stride, Rect: img.Rect}
	}
	must(t, s.EditByInstruction("make it red"))
	s.Wait()
	s.runs.onPatch = nil
	must(t, s.LastError())
	canvas := s.Canvas().Image()
	decoded := decodeRows(s.Bundle(), s.Document().Tokens(), 4)
	old := &image.NRGBA{Pix: before, Stride: canvas.Stride, Rect: canvas.Rect}
	bled := false
	for i := range 16 {
		if !mask[i] && !patchEqual(canvas, old, i, 4, 2) {
			t.Fatalf("unmasked patch %d changed on the canvas", i)
		}
		if live == nil || !mask[i] && !patchEqual(live, old, i, 4, 2) {
			t.Fatalf("unmasked patch %d changed on the canvas while the edit was drawn", i) // then snapped back
		}
		if mask[i] && !patchEqual(canvas, edited, i, 4, 2) {
			t.Fatalf("masked patch %d is not the edit model's picture of the edit", i)
		}
		bled = bled || !mask[i] && !patchEqual(decoded, old, i, 4, 2)
	}
	if !bled {
		t.Fatal("the decoder drew the kept patches unchanged: the test shows nothing")
	}
	// The status counts the patches drawn anew, as the bar does (it said
	// 31 of a mask of 15).
	if !strings.HasPrefix(s.Status(), "Edited: 2 patches in ") {
		t.Errorf("status %q, want the 2 masked patches", s.Status())
	}
	if base := filepath.Base(s.Document().Parent); !strings.Contains(base, "-blue-cat-red-s") {
		t.Errorf("the edit is saved as %s, not named after the picture edited and the instruction", base)
	}
	rec := readRecord(t, s.Document().Parent)
	if rec.Extra[extraKeptPixels] != true {
		t.Fatalf("the edit's output does not say it keeps pixels: %v", rec.Extra)
	}
	// Exported with a transparent background, its kept pixels are in the
	// file only about (unmixed from the white): reopened, it shows them
	// flattened on white, not its codes' drawing (a sticker came back
	// blurred), and is not said to be exact.
	// Its kept picture is framed in white, for the transparent background
	// to clear (the tiny models draw no white: nothing cleared, the export
	// is opaque and exact).
	framed := image.NewNRGBA(s.docPicture().Rect)
	copy(framed.Pix, s.docPicture().Pix)
	for y := range 8 {
		for x := range 8 {
			if x == 0 || y == 0 || x == 7 || y == 7 {
				framed.SetNRGBA(x, y, color.NRGBA{255, 255, 255, 255})
			}
		}
	}
	must(t, s.doc.ReplaceImage(s.doc.Tokens(), s.doc.ImageParams(), s.doc.Parent, framed))
	exported := slices.Clone(framed.Pix)
	s.set.SetTransparentBackground(true)
	defer s.set.SetTransparentBackground(false)
	sticker := filepath.Join(t.TempDir(), "sticker.png")
	must(t, s.ExportTo(sticker))
	must(t, s.OpenFile(sticker))
	s.Wait()
	must(t, s.LastError())
	if st := s.Status(); strings.Contains(st, "exactly") || !strings.Contains(st, "its picture from its pixels") {
		t.Errorf("a transparent export of a detailed edit reopened saying %q", st)
	}
	reopened := s.Canvas().Image().Pix
	far := 0
	for i := range exported {
		if d := int(exported[i]) - int(reopened[i]); d > 8 || d < -8 {
			far++
		}
	}
	if far > len(exported)/50 {
		t.Errorf("the reopened sticker differs from the edit exported in %d of %d bytes", far, len(exported))
	}
}

// Edit by instruction explains what it needs: an image, an instruction, an
// edit model, words the edit model knows; an edit model picked in the
// model list becomes the edit box's model and the drawing model stays.
func TestEditByInstructionErrors(t *testing.T) {
	s, eb := openWithEdit(t, "")
	if err := s.EditByInstruction("mirror it"); err != errNoImage {
		t.Fatalf("no image: %v", err)
	}
	lockSeed(t, s, "cat", 1)
	generate(t, s)
	if err := s.EditByInstruction("mirror it"); err != errNoEditModel {
		t.Fatalf("no edit model: %v", err)
	}
	if err := s.EditByInstruction("   "); err == nil || !strings.Contains(err.Error(), "type what to change") {
		t.Fatalf("empty instruction: %v", err)
	}
	drawing := s.Bundle()
	must(t, s.OpenModel("tiny-edit"))
	s.Wait()
	must(t, s.LastError())
	if s.Bundle() != drawing || s.EditModel() != "tiny-edit" || s.editor.b != eb {
		t.Fatalf("picking the edit model: drawing %v, edit model %q", s.Bundle().Name, s.EditModel())
	}
	if !strings.Contains(s.Status(), "edits images by instruction") {
		t.Fatalf("status %q", s.Status())
	}
	if opts := s.edit.offered; !slices.Equal(opts, eb.Model.Config.Tessera.Edit.Instructions) {
		t.Fatalf("completions %v", opts)
	}
	err := s.EditByInstruction("paint zebras")
	if err == nil || !strings.Contains(err.Error(), "knows none of the words") || !strings.Contains(err.Error(), fmt.Sprintf("%q", "mirror it")) {
		t.Fatalf("unknown words: %v", err)
	}
	// Unknown words whose removal leaves no trained instruction are
	// refused, asked or not ("make it purplish" would be read "make it").
	s.editAsked("make it purplish")
	if err := s.LastError(); s.editAsk.shown() || err == nil || !strings.Contains(err.Error(), `would read "make it"`) || s.Running() != "" {
		t.Fatalf("make it purplish: asked %v, error %v, running %q", s.editAsk.shown(), err, s.Running())
	}
	s.errDialog.close()
	s.lastErr = nil
	// Some words unknown: the button asks first, naming them.
	v := s.Document().Version()
	s.editAsked("mirror it with zebras")
	if !s.editAsk.shown() || !strings.Contains(s.editAsk.text, "does not know") || !strings.Contains(s.editAsk.text, "zebras") || s.Running() != "" {
		t.Fatalf("partly unknown: asked %v %q, running %q", s.editAsk.shown(), s.editAsk.text, s.Running())
	}
	s.editAsk.close()
	if s.Document().Version() != v {
		t.Fatal("the edit ran without an answer")
	}
	// Every word known but never trained together: asks, naming the
	// nearest instruction the model knows.
	s.editAsked("mirror the background")
	if !s.editAsk.shown() || !strings.Contains(s.editAsk.text, `not trained on "mirror the background"`) || !strings.Contains(s.editAsk.text, "nearest instruction it knows is") || s.Running() != "" {
		t.Fatalf("untrained instruction: asked %v %q, running %q", s.editAsk.shown(), s.editAsk.text, s.Running())
	}
	s.editAsk.close()
	if s.Document().Version() != v {
		t.Fatal("the edit ran without an answer")
	}
	// A misspelt word with a correction the model knows: one click edits
	// with the corrected instruction, which the box then shows.
	s.editAsked("mirorr it")
	if !s.editAsk.shown() || !strings.Contains(s.editAsk.text, "mirorr → mirror") || s.Running() != "" {
		t.Fatalf("misspelt: asked %v %q, running %q", s.editAsk.shown(), s.editAsk.text, s.Running())
	}
	fix := buttonIn(s.Window().Canvas().Overlays().Top(), `Edit: "mirror it"`)
	if fix == nil {
		t.Fatal(`no button Edit: "mirror it" in the question`)
	}
	s.editAsk.close()
	// A correction that drops words it has none for is no misspelling
	// ("make it sparkle like glitter" offered "make it twitter"): not
	// offered, and nothing edited.
	s.editAsked("mirorr it zebras")
	s.Wait()
	if buttonIn(s.Window().Canvas().Overlays().Top(), `Edit: "mirror it"`) != nil || s.Document().Version() != v {
		t.Fatalf("a correction offered although a word had none: %q", s.editAsk.text)
	}
	s.editAsk.close()
	s.errDialog.close()
	s.lastErr = nil
	s.editAsked("mirorr it")
	test.Tap(buttonIn(s.Window().Canvas().Overlays().Top(), `Edit: "mirror it"`))
	// A correction the model was never trained on ("mirorr the
	// background" → "mirror the background") is not offered as a fix.
	defer func() {
		s.editAsk.close()
		s.editAsked("mirorr the background")
		if strings.Contains(s.editAsk.text, "mirorr → mirror") && buttonIn(s.Window().Canvas().Overlays().Top(), `Edit: "mirror the background"`) != nil {
			t.Error(`"mirror the background" offered as a fix`)
		}
		s.editAsk.close()
		s.errDialog.close()
	}()
	s.Wait()
	must(t, s.LastError())
	if s.Document().Version() == v || s.edit.instruction.Text != "mirror it" {
		t.Fatalf("the corrected edit did not run (box %q)", s.edit.instruction.Text)
	}
	must(t, s.Undo())
	v = s.Document().Version()
	s.editAsked("mirror it") // every word known: no question
	s.Wait()
	must(t, s.LastError())
	if s.editAsk.shown() || s.Document().Version() == v {
		t.Fatal("a known instruction asked, or did not edit")
	}
	must(t, s.EditByInstruction("remove the background"))
	s.Wait()
	must(t, s.LastError())
	if !s.Document().CanUndo() || s.Document().Parent == "" {
		t.Fatal("the edit was not applied as an undo step with a saved file")
	}
	// An edit's seed is the edit model's: reusing it would fill the panel
	// with something that draws another picture.
	if err := s.ReuseImageSeed(); err == nil || !strings.Contains(err.Error(), "edit by instruction") {
		t.Fatalf("reuse the seed of an edit: %v", err)
	}
	// And its button is greyed out, saying why (it was enabled, and said
	// so in an error dialog).
	if !s.panel.reuseSeed.Disabled() || !strings.Contains(s.panel.reuseSeed.Tip(), "edit by instruction") {
		t.Errorf("the reuse-seed button on an edit: disabled %v, tip %q", s.panel.reuseSeed.Disabled(), s.panel.reuseSeed.Tip())
	}
	// Undone and redone back to the edit, the status does not point at
	// that greyed-out button (with another prompt typed).
	s.panel.prompt.SetText("blue dog")
	must(t, s.Undo())
	must(t, s.Redo())
	if strings.Contains(s.Status(), "clock button") {
		t.Errorf("redone to an edit, the status points at the greyed-out reuse button: %q", s.Status())
	}
	// Said on the status line, it goes once an instruction is typed or
	// picked (it stayed beside the instruction picked).
	s.report(s.EditByInstruction(""))
	if !strings.Contains(s.Status(), "type what to change") {
		t.Fatalf("an empty instruction's status: %q", s.Status())
	}
	s.edit.instruction.SetText("")
	s.edit.instruction.SetText("make it blue")
	if st := s.Status(); strings.Contains(st, "type what to change") {
		t.Errorf("an instruction typed, the status still says %q", st)
	}
}

// A mask painted on one grid covers every patch it touches on another.
func TestCoverMask(t *testing.T) {
	mask := make([]bool, 8*8)
	mask[1*8+2] = true // row 1, col 2 of 8×8
	got := coverMask(mask, 8, 8, 16, 16)
	var on []int
	for i, m := range got {
		if m {
			on = append(on, i)
		}
	}
	if want := []int{2*16 + 4, 2*16 + 5, 3*16 + 4, 3*16 + 5}; !slices.Equal(on, want) {
		t.Fatalf("8×8 → 16×16: %v, want %v", on, want)
	}
	small := make([]bool, 16*16)
	small[5*16+9] = true // one patch of 16×16 lies in cell (1, 2) of 4×4
	got = coverMask(small, 16, 16, 4, 4)
	if !got[1*4+2] || slices.Index(got[1*4+3:], true) >= 0 || slices.Index(got[:1*4+2], true) >= 0 {
		t.Fatalf("16×16 → 4×4: %v", got)
	}
	if !slices.Equal(coverMask(mask, 8, 8, 8, 8), mask) {
		t.Fatal("the same grid must keep the mask as it is")
	}
}

// Quitting while an edit by instruction runs asks first, as it does while
// generating (the edit would be lost).
func TestQuitDuringEditAsks(t *testing.T) {
	s, _ := openWithEdit(t, "tiny-edit")
	lockSeed(t, s, "blue cat", 5)
	generate(t, s)
	hold, started := make(chan struct{}), make(chan struct{})
	var once sync.Once
	s.runs.onPatch = func(sampler.Event) {
		once.Do(func() { close(started) })
		<-hold
	}
	must(t, s.EditByInstruction("mirror it"))
	<-started
	if r := s.unsavedReason(nil); !strings.Contains(r, "editing") {
		t.Errorf("quitting during an edit: %q, want it to ask", r)
	}
	s.Stop()
	close(hold)
	s.Wait()
}

// Removing the background of a picture on white is refused before the
// edit model redraws it; other instructions, or a mask, run.
func TestNothingToEdit(t *testing.T) {
	onWhite := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	for i := range onWhite.Pix {
		onWhite.Pix[i] = 252
	}
	onWhite.SetNRGBA(8, 8, color.NRGBA{200, 0, 0, 255})
	if err := nothingToEdit("Remove the background", onWhite, false); err == nil || !strings.Contains(err.Error(), "white already") || !strings.Contains(err.Error(), "Transparent background") {
		t.Errorf("background of a picture on white: %v", err)
	}
	if err := nothingToEdit("mirror it", onWhite, false); err != nil {
		t.Errorf("mirror: %v", err)
	}
	if err := nothingToEdit("remove the background", onWhite, true); err != nil {
		t.Errorf("a masked edit: %v", err)
	}
	onBlue := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	for i := range onBlue.Pix {
		onBlue.Pix[i] = []uint8{30, 60, 200, 255}[i%4]
	}
	if err := nothingToEdit("remove the background", onBlue, false); err != nil {
		t.Errorf("a picture on blue: %v", err)
	}
}

// An edit of a picture of another size than the edit model's says the
// picture was scaled to it and the result is rough (an MNIST digit edited
// gave garbage without a word); one of the same size says nothing.
func TestEditOfAnotherSizeSaysSo(t *testing.T) {
	s, _ := openWithEdit(t, "tiny-edit")
	lockSeed(t, s, "cat", 1)
	generate(t, s)
	must(t, s.EditByInstruction("mirror it"))
	s.Wait()
	must(t, s.LastError())
	if strings.Contains(s.Status(), "scaled to") {
		t.Fatalf("an edit at the edit model's own size: %q", s.Status())
	}

	// The same edit model with 3×3-pixel patches: 12×12 pictures.
	eb := bundletest.TinyEdit(2)
	eb.Model.Config.Tessera.PatchSize = 3
	entries := make([]float32, eb.Model.Config.Codes()*3*9)
	for i := range entries {
		entries[i] = float32(i%7)/3 - 1
	}
	cb, err := codebook.New(3, entries)
	must(t, err)
	big, err := bundle.FromParts("tiny-edit", "test:tiny-edit-12", eb.Model, cb)
	must(t, err)
	s.setEditor("tiny-edit", big)
	must(t, s.EditByInstruction("mirror it"))
	s.Wait()
	must(t, s.LastError())
	if !strings.Contains(s.Status(), "the 8×8 picture was scaled to the 12×12 of edit model tiny-edit") {
		t.Fatalf("an edit of an 8×8 picture by a 12×12 edit model: %q", s.Status())
	}
}

// Stopping an edit by instruction cancels it: the image, its undo stack,
// the history and the outputs folder are as before, the progress bar is
// cleared and the status says nothing was kept (it had saved the top part
// over the image as if it were the edit, ranked "best").
func TestStoppedEditKeepsNothing(t *testing.T) {
	s, _ := openWithEdit(t, "tiny-edit")
	lockSeed(t, s, "blue cat", 5)
	generate(t, s)
	before, undo := s.Document().Tokens(), s.Document().CanUndo()
	files, err := os.ReadDir(s.outputsDir)
	must(t, err)
	history := len(s.history.items)
	s.set.SetCandidates(2)
	s.runs.onPatch = func(ev sampler.Event) {
		if ev.Step == 5 {
			s.runs.runner.Stop()
		}
	}
	must(t, s.EditByInstruction("mirror it"))
	s.Wait()
	s.runs.onPatch = nil
	must(t, s.LastError())
	if got := s.Document().Tokens(); !slices.Equal(got, before) || s.Document().CanUndo() != undo {
		t.Fatal("a stopped edit changed the image or its undo stack")
	}
	after, err := os.ReadDir(s.outputsDir)
	must(t, err)
	if len(after) != len(files) || len(s.history.items) != history || s.Candidates() > 1 {
		t.Fatalf("files %d → %d, history %d → %d, %d candidates", len(files), len(after), history, len(s.history.items), s.Candidates())
	}
	if st := s.Status(); !strings.Contains(st, "Edit stopped at patch 5 /") || !strings.Contains(st, "unchanged") {
		t.Fatalf("status %q", st)
	}
	if f := s.runs.prog.State(time.Now()).Fraction(); f != 0 {
		t.Fatalf("the bar still shows %.2f of the stopped edit", f)
	}
}

// Started on an edit model (tessera studio --model edit), the studio keeps
// the saved session: the edit model goes to the Edit by instruction box and
// the session's drawing model opens with its work (picking a model next
// found none, and the autosave wrote the empty canvas over the session).
func TestStartingOnAnEditModelKeepsTheSession(t *testing.T) {
	e := newEnv(t)
	e.models = withEdit{tinyModels: tinyModels{b: bundletest.Tiny(3)}, edit: bundletest.TinyEdit(2)}
	made := e.savedImage(t)
	s2 := e.start(t, func(o *Options) { o.Model = "tiny-edit" })
	s2.Wait()
	s2.Wait() // the drawing model opens once the edit model's load has ended
	if s2.Bundle() == nil || s2.editor.key != "tiny-edit" {
		t.Fatalf("drawing model %v, edit model %q (%v)", s2.Bundle(), s2.editor.key, s2.LastError())
	}
	if !slices.Equal(s2.Document().Tokens(), made) {
		t.Fatal("the saved session's image is gone")
	}
	must(t, s2.FlushAutosave())
	sess, err := loadSession(s2.save.path)
	if err != nil || sess == nil || !slices.Equal(sess.Doc.Cur.Tokens, made) {
		t.Fatalf("the session file after the start: %+v, %v", sess, err)
	}
}

// A first start on an edit model (no session, no model used before, the
// default being that edit model) opens a drawing model too.
func TestFirstStartOnAnEditModelOpensADrawingModel(t *testing.T) {
	e := newEnv(t)
	e.models = withEdit{tinyModels: tinyModels{b: bundletest.Tiny(3)}, edit: bundletest.TinyEdit(2)}
	s := e.start(t, func(o *Options) { o.Model, o.DefaultModel = "tiny-edit", "tiny-edit" })
	s.Wait()
	s.Wait()
	if s.Bundle() == nil || s.editor.key != "tiny-edit" {
		t.Fatalf("drawing model %v, edit model %q (%v)", s.Bundle(), s.editor.key, s.LastError())
	}
	// The status line says why another model opened (it did so quietly).
	if want := "tiny-edit is an edit model: Edit by instruction uses it, and tiny opened to draw"; !strings.HasPrefix(s.Status(), want) {
		t.Errorf("status %q, want it to begin %q", s.Status(), want)
	}
}

// An edit's candidate whose codes give back the image is moved last
// (changedFirst): the edit model's pictures and likelihoods follow their
// candidates, not their places in the sampler's order.
func TestEditPicturesFollowTheirCandidates(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "red cat", 5)
	generate(t, s)
	base := s.Document().Tokens()
	other := slices.Clone(base)
	other[0] = (other[0] + 1) % s.bundle.Model.Config.Codes()
	w, h := s.bundle.ImageSize()
	flat := func(c color.NRGBA) *image.NRGBA {
		im := image.NewNRGBA(image.Rect(0, 0, w, h))
		for i := 0; i < len(im.Pix); i += 4 {
			im.Pix[i], im.Pix[i+1], im.Pix[i+2], im.Pix[i+3] = c.R, c.G, c.B, c.A
		}
		return im
	}
	pics := map[uint64]*image.NRGBA{1: flat(color.NRGBA{255, 0, 0, 255}), 2: flat(color.NRGBA{0, 0, 255, 255})}
	loglik := map[uint64]float64{1: -1, 2: -2}
	p, err := s.runParams()
	must(t, err)
	j := job{kind: kindEdit, b: s.bundle, params: p, base: base, outDir: s.outputsDir,
		pictures: func(seed uint64) *image.NRGBA { return pics[seed] },
		extra: func(i int, im sampler.Image) map[string]any {
			return map[string]any{"rank": i + 1, "loglik": loglik[im.Seed]}
		}}
	res := &sampler.Result{Images: []sampler.Image{{Tokens: slices.Clone(base), Seed: 1}, {Tokens: other, Seed: 2}}}
	results, err := s.runs.save(context.Background(), j, res, nil)
	must(t, err)
	if len(results) != 2 || !slices.Equal(results[0].tokens, other) || results[0].seed != 2 {
		t.Fatalf("the changed candidate (seed 2) is not offered first: %d results", len(results))
	}
	if pic := results[0].pic; pic == nil || pic.Pix[2] != 255 || pic.Pix[0] != 0 {
		t.Fatal("the changed candidate shows the other candidate's picture")
	}
	if results[0].rec.Extra["loglik"] != -2.0 || results[0].rec.Extra["rank"] != 1 {
		t.Fatalf("the changed candidate records %v", results[0].rec.Extra)
	}
}

// TestEditOptionsFollowEditModel: an edit samples at the edit model's
// recommended temperature while the panel holds the drawing model's default
// (tessera edit draws the same edit at the same seed), and at the panel's
// when the user moved it; guidance is the edit model's either way.
func TestEditOptionsFollowEditModel(t *testing.T) {
	b, eb := bundletest.Tiny(3), bundletest.TinyEdit(2)
	recommend := func(bb *bundle.Bundle, r sampling.Recommended) {
		if bb.Model.Config.Tessera == nil {
			bb.Model.Config.Tessera = &model.Ext{}
		}
		bb.Model.Config.Tessera.Defaults = &r
	}
	recommend(b, sampling.Recommended{Temperature: 0.8, Guidance: 3})
	recommend(eb, sampling.Recommended{Temperature: 0.5, Guidance: 1.5, ImageGuidance: 1.5})
	p := core.DefaultParams()
	p.Settings, _ = p.WithRecommended(b.Model.Config.Recommended(), nil, true)
	p.Seed = 7
	got := editOptions(eb, b, p, 2, 1)
	if got.Temperature != 0.5 || got.Guidance != 1.5 || got.ImageGuidance != 1.5 || got.Seed != 7 || got.Batch != 2 {
		t.Fatalf("panel at the drawing model's defaults: temperature %g, guidance %g, image guidance %g, seed %d, batch %d; want 0.5, 1.5, 1.5, 7, 2",
			got.Temperature, got.Guidance, got.ImageGuidance, got.Seed, got.Batch)
	}
	p.Temperature = 1.1
	if got := editOptions(eb, b, p, 2, 1); got.Temperature != 1.1 || got.Guidance != 1.5 {
		t.Fatalf("temperature moved to 1.1: edit at %g (guidance %g)", got.Temperature, got.Guidance)
	}
}

// A top-p moved by two of its slider's steps (0.01 each) is the user's:
// it was taken for the default (within the temperature's half step,
// 0.026) and the edit model's top-p replaced it.
func TestEditOptionsKeepTopPMovedBySliderSteps(t *testing.T) {
	b, eb := bundletest.Tiny(3), bundletest.TinyEdit(2)
	for bb, r := range map[*bundle.Bundle]sampling.Recommended{b: {TopP: 0.9, Guidance: 3}, eb: {TopP: 0.7, Guidance: 1.5}} {
		if bb.Model.Config.Tessera == nil {
			bb.Model.Config.Tessera = &model.Ext{}
		}
		bb.Model.Config.Tessera.Defaults = &r
	}
	p := panelDefaults(b)
	if got := editOptions(eb, b, p, 1, 1); got.TopP != 0.7 {
		t.Fatalf("panel at the drawing model's top-p: edit at top-p %g, want the edit model's 0.7", got.TopP)
	}
	p.TopP = 0.92
	if got := editOptions(eb, b, p, 1, 1); got.TopP != 0.92 {
		t.Errorf("top-p moved to 0.92: edit at top-p %g", got.TopP)
	}
	p.TopP = 0.904 // within half a step: the slider shows 0.90
	if got := editOptions(eb, b, p, 1, 1); got.TopP != 0.7 {
		t.Errorf("top-p 0.904, shown as the default 0.90: edit at top-p %g", got.TopP)
	}
}

// The first instruction of a session, before the edit model was opened,
// gets its misspelling's correction offered as later ones do (it got the
// job's error instead).
func TestFirstMisspeltInstructionIsOfferedItsCorrection(t *testing.T) {
	s, _ := openWithEdit(t, "tiny-edit")
	lockSeed(t, s, "red cat", 3)
	generate(t, s)
	if s.editor.b != nil {
		t.Skip("the edit model is opened with the studio: nothing to test")
	}
	s.editAsked("mirorr it")
	pumpFor(t, s, "the edit model opened", func() bool { return s.editor.b != nil })
	if !s.editAsk.shown() || !strings.Contains(s.editAsk.text, "mirorr → mirror") || s.Running() != "" {
		t.Fatalf("asked %v %q, running %q, error %v", s.editAsk.shown(), s.editAsk.text, s.Running(), s.LastError())
	}
	s.editAsk.close()
}

// The editing panel keeps its width when a mask is painted and an edit
// runs: its width sets the canvas's, and the edit button's "Edit the 15
// masked patches" widened it, moving the canvas and the panel's buttons.
func TestEditPanelKeepsItsWidth(t *testing.T) {
	s, _ := openWithEdit(t, "tiny-edit")
	lockSeed(t, s, "blue cat", 5)
	generate(t, s)
	width := s.edit.content.MinSize().Width
	for _, n := range []int{1, 15} {
		mask := make([]bool, 16)
		for i := range n {
			mask[i] = true
		}
		must(t, s.paint.SetMask(mask))
		if w := s.edit.content.MinSize().Width; w != width {
			t.Errorf("%d patches masked: the panel is %v px wide, %v before", n, w, width)
		}
	}
	must(t, s.EditByInstruction("mirror it"))
	s.Wait()
	if w := s.edit.content.MinSize().Width; w != width {
		t.Errorf("after an edit: the panel is %v px wide, %v before", w, width)
	}
}

// "Keep the source's detail" (on by default, kept in the settings): off,
// an edit is shown exactly as the edit model drew it, and its record says
// which it is.
func TestEditSourceDetailSetting(t *testing.T) {
	s, eb := openWithEdit(t, "tiny-edit")
	if !s.edit.detail.Checked || !s.set.SourceDetail() {
		t.Fatal("the source's detail is not kept by default")
	}
	lockSeed(t, s, "blue cat", 5)
	generate(t, s)
	for _, on := range []bool{false, true} {
		s.edit.detail.SetChecked(on)
		if s.set.SourceDetail() != on {
			t.Fatalf("ticked %v, stored %v", on, s.set.SourceDetail())
		}
		_, want := wantEdit(t, s, eb, "make it red", nil, s.set.Candidates())
		must(t, s.EditByInstruction("make it red"))
		s.Wait()
		must(t, s.LastError())
		if pic := s.Document().Picture(); pic == nil || !bytes.Equal(pic.Pix, want.Pix) {
			t.Fatalf("detail %v: the canvas does not show the edit as wanted", on)
		}
		rec := readRecord(t, s.Document().Parent)
		if e, _ := rec.Extra[extraEdit].(map[string]any); e["source_detail"] != on {
			t.Fatalf("detail %v: recorded %v", on, rec.Extra[extraEdit])
		}
		must(t, s.Undo())
	}
	// An edit that gives the source's codes back: with the detail it is
	// the source picture itself (a change of colour of none), without it
	// the edit model's decode of those codes.
	src := s.Bundle().Decode(s.Document().Tokens())
	source, err := eb.Encode(src)
	must(t, err)
	res := &sampler.Result{Images: []sampler.Image{{Tokens: source}}}
	w, h := eb.ImageSize()
	for _, on := range []bool{false, true} {
		var detail *edit.DetailSettings
		if on {
			detail = &edit.DefaultDetail
		}
		pics, err := editPictures(eb, src, source, res, detail)
		must(t, err)
		want := eb.Decode(source)
		if on {
			want = codebook.Fit(src, w, h)
		}
		if db := psnr.Images(pics[0], want); db < 40 {
			t.Errorf("detail %v: the edit that changes nothing is %.1f dB from what it should show", on, db)
		}
	}
	if db := psnr.Images(eb.Decode(source), codebook.Fit(src, w, h)); db > 30 {
		t.Fatalf("the tiny edit model redraws the picture at %.1f dB: the test shows nothing", db)
	}
}

// The instruction box's placeholder fits the box at the default window
// size and the smallest (it read "lit, e.g. remove the backgrou", cut at
// both ends, with a scroll bar in the box).
func TestInstructionPlaceholderFits(t *testing.T) {
	s, _ := openWithEdit(t, "tiny-edit")
	text := fyne.MeasureText(s.edit.instruction.PlaceHolder, theme.TextSize(), fyne.TextStyle{}).Width
	for _, size := range []fyne.Size{fyne.NewSize(1200, 720), s.layoutMinSize()} {
		s.Window().Resize(size)
		// the entry's padding and its drop-down button take room too
		if room := s.edit.instruction.Size().Width - 2*theme.InnerPadding() - theme.IconInlineSize() - 2*theme.Padding(); room < text {
			t.Errorf("window %v: the instruction box has %.0f units for a placeholder of %.0f", size, room, text)
		}
	}
}

// A masked edit whose candidate gave back every masked patch is the image
// given back: its codes are the document's exactly (redrawn and encoded
// anew, a few masked codes had moved, and the studio saved an edit that
// changed nothing as a new image, with an undo step).
func TestMaskedEditGivenBackKeepsTheCodes(t *testing.T) {
	s, eb := openWithEdit(t, "tiny-edit")
	setParams(t, s, "red cat", 1, nil)
	generate(t, s)
	b, base := s.Bundle(), s.Document().Tokens()
	source, err := eb.Encode(b.Decode(base))
	must(t, err)
	mask := make([]bool, len(base))
	mask[5], mask[6] = true, true
	res := &sampler.Result{Images: []sampler.Image{{Tokens: slices.Clone(source)}, {Tokens: slices.Clone(source)}}}
	res.Images[1].Tokens[5] = (source[5] + 1) % eb.Codes() // this one changed a masked patch
	edits := []*image.NRGBA{eb.Decode(res.Images[0].Tokens), eb.Decode(res.Images[1].Tokens)}
	same := []bool{edit.UnchangedShare(source, res.Images[0].Tokens, mask) == 1, edit.UnchangedShare(source, res.Images[1].Tokens, mask) == 1}
	if !same[0] || same[1] {
		t.Fatalf("UnchangedShare: %v", same)
	}
	if _, _, err := intoModelCodes(b, eb, res, edits, base, mask, same); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Images[0].Tokens, base) {
		t.Errorf("the candidate that gave the source back has codes %v, want the document's %v", res.Images[0].Tokens, base)
	}
	j := job{kind: kindEdit, base: base}
	if !j.gaveBack(res.Images[0].Tokens) {
		t.Error("the studio does not see the candidate as the image given back")
	}
}

// An instruction of a family the edit model is weak at is said to be as
// the edit starts, once the model is loaded (it came with the result,
// after the candidates were drawn and saved).
func TestWeakFamilySaidAsTheEditStarts(t *testing.T) {
	s, eb := openWithEdit(t, "tiny-edit")
	c := eb.Model.Config
	e := *c.Tessera.Edit
	e.Measured = map[string]model.EditMeasure{"mirror": {Pairs: 20, Summary: "16.7 dB PSNR", PSNRdB: 16.7}}
	ext := *c.Tessera
	ext.Edit = &e
	c.Tessera = &ext
	eb.Model.Config = c
	generate(t, s)
	must(t, s.EditByInstruction("mirror it")) // loads the edit model
	s.Wait()
	must(t, s.EditByInstruction("mirror it"))
	if st := s.Status(); !strings.Contains(st, "weak at mirror edits") {
		t.Errorf("as the edit starts, the status reads %q", st)
	}
	s.Wait()
	// The completions offer the instructions of that family last.
	offered := editInstructions(eb)
	last := slices.IndexFunc(offered, func(i string) bool { return strings.HasPrefix(i, "mirror") })
	if last < 0 || slices.ContainsFunc(offered[last:], func(i string) bool { return !strings.HasPrefix(i, "mirror") }) {
		t.Errorf("the completions put the weak family's instructions among the others: %q", offered)
	}
}

// Edit by instruction… (Ctrl+Shift+E) selects the instruction in the box,
// so that typing replaces it (it was typed onto: "in the twemoji
// stylemake it red").
func TestFocusInstructionSelectsIt(t *testing.T) {
	s, _ := openWithEdit(t, "tiny-edit")
	s.SetInstruction("make it red")
	s.focusInstruction()
	if got := s.edit.instruction.SelectedText(); got != "make it red" {
		t.Fatalf("selected %q", got)
	}
	test.Type(s.edit.instruction, "mirror it")
	if got := s.edit.instruction.Text; got != "mirror it" {
		t.Errorf("typed over the selection: %q", got)
	}
}

// An edit's "gave back N% of the patches" note judges the picture shown
// (after the source's detail), not the edit model's codes: a candidate
// that kept 15 of 16 codes but whose picture, given the source's detail,
// differs from the source in most patches took (a dog face turned red was
// said to be 84% given back: "the edit model did not take it"); one that
// kept every code is said to be given back.
func TestEditGivenBackJudgesThePictureShown(t *testing.T) {
	s, eb := openWithEditOn(t, "tiny-edit", bundletest.TinyViT(3))
	lockSeed(t, s, "blue cat", 1)
	generate(t, s)
	src := s.docPicture()
	source, err := eb.Encode(src)
	must(t, err)
	changed := 0 // how many codes the candidate changes
	s.editSampler = func(_ context.Context, eb *bundle.Bundle, opt sampler.Options, req sampler.EditRequest, _ func(sampler.Event)) (*sampler.Result, error) {
		codes := slices.Clone(req.Source)
		for i := range changed {
			codes[5*i] = (codes[5*i] + 1) % eb.Codes()
		}
		return &sampler.Result{Images: []sampler.Image{{Seed: opt.Seed, Tokens: codes}}}, nil
	}
	changed = 1
	before := s.Document().Tokens()
	rows, cols := s.Bundle().Grid()
	codes := slices.Clone(source)
	codes[0] = (codes[0] + 1) % eb.Codes()
	if share := edit.UnchangedShare(source, codes, edit.Changeable("make it red", eb.Decode(source), rows, cols, nil)); share < edit.NotTaken {
		t.Fatalf("the candidate keeps %.2f of the codes: the test shows nothing", share)
	}
	must(t, s.EditByInstruction("make it red"))
	s.Wait()
	must(t, s.LastError())
	if slices.Equal(s.Document().Tokens(), before) || s.Document().Picture() == nil {
		t.Fatal("the edit was not applied")
	}
	w, h := s.Bundle().ImageSize()
	fit := codebook.Fit(src, w, h)
	if share := unchangedShown(fit, fit, s.Document().Picture(), rows, cols, nil); share >= edit.NotTaken {
		t.Fatalf("the picture shown keeps %.2f of the patches: the test shows nothing", share)
	}
	if st := s.Status(); strings.Contains(st, "did not take it") || strings.Contains(st, "gave back") {
		t.Errorf("an edit whose picture changed most patches: %q", st)
	}

	must(t, s.Undo())
	changed = 0
	must(t, s.EditByInstruction("make it red"))
	s.Wait()
	must(t, s.LastError())
	if st := s.Status(); !strings.Contains(st, "the edit gave back 100% of the patches as they were") {
		t.Errorf("an edit that kept every code: %q", st)
	}
}

// An edit by an edit model whose grid is not the picture's says what it
// edited in the picture's terms, with the edit model's count beside them
// ("Edited: 64 patches" was said of a 49-patch digit), and says first,
// where the status line shows it, that the picture was scaled.
func TestEditOnAnotherGridSaysWhatItEdited(t *testing.T) {
	s, _ := openWithEdit(t, "tiny-edit")
	// An edit model of 3×3 patches of 4×4 px: 12×12 pictures.
	c := bundletest.EditConfig()
	ext := *c.Tessera
	e := *ext.Edit
	ext.Grid, ext.PatchSize, e.SourceLength = [2]int{3, 3}, 4, 9
	ext.Edit = &e
	c.Tessera = &ext
	c.NPositions = c.PromptLength() + 2*9
	r := rand.New(rand.NewPCG(7, 7))
	m, err := model.New(c, func(_ string, shape []int) ([]float32, error) {
		n := 1
		for _, d := range shape {
			n *= d
		}
		w := make([]float32, n)
		for i := range w {
			w[i] = float32(r.NormFloat64() * 0.3)
		}
		return w, nil
	})
	must(t, err)
	entries := make([]float32, c.Codes()*3*16)
	for i := range entries {
		entries[i] = float32(r.Float64()*2 - 1)
	}
	cb, err := codebook.New(4, entries)
	must(t, err)
	eb, err := bundle.FromParts("tiny-edit", "test:tiny-edit-3x3", m, cb)
	must(t, err)
	s.setEditor("tiny-edit", eb)
	lockSeed(t, s, "blue cat", 5)
	generate(t, s)
	for _, masked := range []bool{false, true} {
		want := "Edited: the whole picture (9 patches of edit model tiny-edit) in "
		if masked {
			mask := make([]bool, 16)
			mask[0] = true // the top left 2×2 px of 8: the top left edit patch alone
			must(t, s.paint.SetMask(mask))
			want = "Edited: the 1 masked patch (1 of the 9 patches of edit model tiny-edit) in "
		}
		must(t, s.EditByInstruction("mirror it"))
		s.Wait()
		must(t, s.LastError())
		st := s.Status()
		if strings.Contains(st, "given back") {
			t.Fatalf("masked %v: the edit gave the image back (no count to say): the test shows nothing", masked)
		}
		if !strings.HasPrefix(st, want) {
			t.Errorf("masked %v: status %q, want it to start %q", masked, st, want)
		}
		scaled := strings.Index(st, "the 8×8 picture was scaled to the 12×12 of edit model tiny-edit")
		if scaled < 0 || scaled > strings.Index(st, `"mirror it"`) {
			t.Errorf("masked %v: status %q does not say first that the picture was scaled", masked, st)
		}
	}
}

// Relaunched on an edit by instruction, the studio puts its instruction
// back in the Edit by instruction box, as opening that image from the
// history does (the box was empty: "Type or pick an edit").
func TestRelaunchOnAnEditRestoresItsInstruction(t *testing.T) {
	e := newEnv(t)
	e.models = withEdit{tinyModels: tinyModels{b: bundletest.Tiny(3)}, edit: bundletest.TinyEdit(2)}
	s := e.start(t, func(o *Options) { o.EditModel = "tiny-edit" })
	s.Wait()
	lockSeed(t, s, "blue cat", 5)
	generate(t, s)
	must(t, s.EditByInstruction("mirror it"))
	s.Wait()
	must(t, s.LastError())
	if s.Document().ImageParams().Instruction != "mirror it" {
		t.Fatalf("the edit gave the image back: the test shows nothing (%q)", s.Status())
	}
	must(t, s.FlushAutosave())

	s2 := e.start(t, func(o *Options) { o.EditModel = "tiny-edit" })
	s2.Wait()
	if !slices.Equal(s2.Document().Tokens(), s.Document().Tokens()) {
		t.Fatal("the session's edit was not restored")
	}
	if got := s2.edit.instruction.Text; got != "mirror it" {
		t.Errorf("relaunched on the edit, the instruction box says %q", got)
	}
}

// editFolderModels is withEdit with an edit model folder, dir, that opens
// the tiny edit model.
type editFolderModels struct {
	withEdit
	dir string
}

func (m editFolderModels) Open(key string, progress func(done, total int64)) (*bundle.Bundle, error) {
	if key == m.dir {
		if progress != nil {
			progress(10, 10) // as a folder's read reports it
		}
		return m.edit, nil
	}
	return m.withEdit.Open(key, progress)
}

// An edit model folder opened in the model list is the Edit by instruction
// box's model after a restart too (edits silently used the built-in edit
// model again), unless the studio is asked for an edit model
// (--edit-model); once the folder is gone, the start says so and the box
// uses the built-in edit model.
func TestEditModelFolderKeptAcrossRestarts(t *testing.T) {
	e := newEnv(t)
	dir := filepath.Join(t.TempDir(), "myedit")
	must(t, os.Mkdir(dir, 0o755))
	e.models = editFolderModels{withEdit: withEdit{tinyModels: tinyModels{b: bundletest.Tiny(3)}, edit: bundletest.TinyEdit(2)}, dir: dir}
	builtin := func(o *Options) { o.EditModel = "tiny-edit" }
	s1 := e.start(t, builtin)
	s1.Wait()
	must(t, s1.OpenModel(dir))
	s1.Wait()
	if s1.EditModel() != dir || s1.Bundle() == nil {
		t.Fatalf("after opening the edit model folder: edit model %q, drawing model %v", s1.EditModel(), s1.Bundle())
	}
	s1.Stop()
	s1.Wait()

	s2 := e.start(t, builtin)
	s2.Wait()
	if s2.EditModel() != dir {
		t.Fatalf("after a restart the edit model is %q, not the folder %s", s2.EditModel(), dir)
	}
	s2.Stop()
	s2.Wait()

	must(t, os.Remove(dir))
	s3 := e.start(t, builtin)
	s3.Wait()
	if s3.EditModel() != "tiny-edit" {
		t.Fatalf("with the folder gone the edit model is %q", s3.EditModel())
	}
	if log := strings.Join(s3.StatusLog(), "\n"); !strings.Contains(log, "edit model folder "+dir+" is gone") || !strings.Contains(log, "tiny-edit again") {
		t.Fatalf("the start does not say the edit model folder is gone: %q", log)
	}
	s3.Stop()
	s3.Wait()

	// --edit-model wins, and keeps winning at the next plain start (the
	// folder came back then).
	must(t, os.Mkdir(dir, 0o755))
	s4 := e.start(t, builtin)
	s4.Wait()
	must(t, s4.OpenModel(dir))
	s4.Wait()
	s4.Stop()
	s4.Wait()
	asked := e.start(t, func(o *Options) { o.EditModel, o.EditModelSet = "tiny-edit", true })
	asked.Wait()
	if asked.EditModel() != "tiny-edit" {
		t.Fatalf("started with --edit-model tiny-edit, the edit model is %q", asked.EditModel())
	}
	asked.Stop()
	asked.Wait()
	plain := e.start(t, builtin)
	plain.Wait()
	if plain.EditModel() != "tiny-edit" {
		t.Fatalf("a plain start after --edit-model tiny-edit went back to %q", plain.EditModel())
	}
}

// Opening an edit model folder ends with the bar under the canvas saying
// "ready" (it kept "loading myedit — /tmp/…"), and the picker lists drawing
// models only: not the studio's own edit model, which it listed once the
// folder took the box (picking it loaded it for the box again and left the
// picker on the drawing model), nor the folder.
func TestEditModelFolderLeavesTheBarAndPicker(t *testing.T) {
	e := newEnv(t)
	dir := filepath.Join(t.TempDir(), "myedit")
	must(t, os.Mkdir(dir, 0o755))
	e.models = editFolderModels{withEdit: withEdit{tinyModels: tinyModels{b: bundletest.Tiny(3)}, edit: bundletest.TinyEdit(2)}, dir: dir}
	s := e.start(t, func(o *Options) { o.EditModel = "tiny-edit" })
	s.Wait()
	shownBarText(s) // drawn before the load, as in the window
	must(t, s.OpenModel(dir))
	s.Wait()
	if s.EditModel() != dir {
		t.Fatalf("the edit model is %q", s.EditModel())
	}
	if got := shownBarText(s); got != "ready" {
		t.Errorf("after the edit model's load the bar says %q", got)
	}
	// The drawing model, and the built-in edit model as the way back to it
	// for the box, said so (a folder picked once kept the box for good).
	if keys := s.modelKeys(); !slices.Equal(keys, []string{"tiny", "tiny-edit"}) || !strings.Contains(s.pickerLabel("tiny-edit"), "back to it for Edit by instruction") || s.pickerLabel("tiny") != "tiny" {
		t.Errorf("the picker lists %q (%q), want the drawing model and the way back to the built-in edit model", keys, s.pickerLabel("tiny-edit"))
	}
	must(t, s.OpenModel("tiny-edit"))
	s.Wait()
	if s.EditModel() != "tiny-edit" || s.set.EditModelFolder() != "" || s.modelKey != "tiny" {
		t.Fatalf("back to the built-in: edit model %q, kept folder %q, drawing %q", s.EditModel(), s.set.EditModelFolder(), s.modelKey)
	}
	if keys := s.modelKeys(); !slices.Equal(keys, []string{"tiny"}) {
		t.Errorf("with the built-in edit model in the box the picker lists %q", keys)
	}
}

// shownBarText is the text the progress bar under the canvas shows (as
// last drawn, not as its formatter would say now).
func shownBarText(s *Studio) string {
	for _, o := range test.WidgetRenderer(s.runs.bar).Objects() {
		if t, ok := o.(*canvas.Text); ok {
			return t.Text
		}
	}
	return ""
}
