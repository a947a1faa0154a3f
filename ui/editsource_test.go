package ui

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/edit"
	"github.com/tessera-studio/tessera/engine/sampler"
)

// openWithEditModel is a studio drawing with b whose Edit by instruction
// box uses eb (as the built-in "tiny-edit").
func openWithEditModel(t *testing.T, b, eb *bundle.Bundle) *Studio {
	t.Helper()
	e := newEnv(t)
	e.models = withEdit{tinyModels: tinyModels{b: b}, edit: eb}
	s := NewStudio(e.app, Options{Version: "test", Models: e.models, OutputsDir: e.outputs, StateDir: e.state, Workers: 1,
		EditModel: "tiny-edit", loop: newTestLoop()})
	s.Window().Resize(fyne.NewSize(1200, 800))
	s.Wait()
	if s.Bundle() == nil {
		t.Fatalf("model not loaded: %v", s.LastError())
	}
	t.Cleanup(func() { s.Stop(); s.Wait(); s.save.Flush() })
	return s
}

// cliEdit is what tessera edit writes for the Tessera PNG at path edited
// by eb with opt (its seed and candidates): the source read as the CLI
// reads it (the codes the file records where they draw it,
// bundle.SourceCodes), each candidate decoded and given the source's
// detail; best first, with their seeds.
func cliEdit(t *testing.T, eb *bundle.Bundle, path string, opt sampler.Options, candidates int) (source []int, seeds []uint64, pics [][]byte) {
	t.Helper()
	img, err := codebook.LoadImage(path)
	must(t, err)
	rec := recordOf(path)
	if rec == nil {
		t.Fatalf("%s has no record", path)
	}
	source, stored, _, err := eb.SourceCodes(img, rec.Tokens)
	must(t, err)
	if !stored {
		t.Fatal("the edit model does not take the codes the file records: the test's models share no tokenizer")
	}
	res, err := sampler.Edit(context.Background(), eb, opt, sampler.EditRequest{Source: source, Candidates: candidates}, nil)
	must(t, err)
	w, h := eb.ImageSize()
	for _, im := range res.Images {
		pic, _, err := edit.TransferDetail(codebook.AtSize(img, w, h), eb.Decode(source), eb.Decode(im.Tokens), edit.DetailFor(opt.Prompt, false))
		must(t, err)
		seeds, pics = append(seeds, im.Seed), append(pics, pic.Pix)
	}
	return source, seeds, pics
}

// An edit by instruction made in the studio of a Tessera PNG is the one
// tessera edit makes of the file at the same seed and settings: both read
// the codes the file records (bundle.SourceCodes), where the studio
// encoded the picture on screen again, which a ViT tokenizer's round trip
// moves; the edit model sharing the emoji model's encoder and codebook
// then ranked the seeds otherwise and drew each another picture (19 dB
// apart).
func TestStudioEditIsTheCLIEditOfTheFile(t *testing.T) {
	b := bundletest.TinyViT(3)
	eb := bundletest.TinyEditOn(2, b.Tokenizer)
	s := openWithEditModel(t, b, eb)
	lockSeed(t, s, "blue cat", 5)
	generate(t, s)
	path := s.Document().Parent
	must(t, s.OpenFile(path))
	s.Wait()
	must(t, s.LastError())
	if fresh, err := eb.Encode(s.docPicture()); err != nil || slices.Equal(fresh, s.Document().Tokens()) {
		t.Fatalf("the picture encoded again is its own codes (%v): the test proves nothing", err)
	}
	const instruction, candidates = "mirror it", 4
	s.set.SetCandidates(candidates)
	p, err := s.runParams()
	must(t, err)
	opt := editOptions(eb, b, p, candidates, 1)
	opt.Prompt = instruction
	source, seeds, pics := cliEdit(t, eb, path, opt, candidates)
	if !slices.Equal(source, s.Document().Tokens()) {
		t.Fatal("the file's recorded codes are not the studio's image")
	}
	must(t, s.EditByInstruction(instruction))
	s.Wait()
	must(t, s.LastError())
	if len(s.cands.results) != candidates {
		t.Fatalf("%d candidates, want %d", len(s.cands.results), candidates)
	}
	for i, c := range s.cands.results {
		if c.seed != seeds[i] {
			t.Fatalf("candidate %d has seed %d, tessera edit ranks seeds %v", i+1, c.seed, seeds)
		}
		if c.pic == nil || !bytes.Equal(c.pic.Pix, pics[i]) {
			t.Fatalf("candidate %d (seed %d) is not the picture tessera edit draws", i+1, c.seed)
		}
	}
}

// An edit by instruction of a family the edit model redraws (its config's
// redraw_model, engine/redraw) is read and drawn by that drawing model in
// the studio as tessera edit does: the picture read as (man) cook, drawn
// as woman cook, kept as drawn (no source detail), and its file records it.
func TestStudioRedrawsGenderEdits(t *testing.T) {
	b := bundletest.TinyNamed(3)
	eb := bundletest.TinyRedrawEdit(2, b, b.Source) // the studio's own model draws
	s := openWithEditModel(t, b, eb)
	lockSeed(t, s, "man cook google", 5)
	generate(t, s)
	must(t, s.EditByInstruction("as a woman"))
	s.Wait()
	must(t, s.LastError())
	if len(s.cands.results) == 0 {
		t.Fatal("no candidate")
	}
	rec := recordOf(s.Document().Parent)
	if rec == nil {
		t.Fatalf("the edit's file %q has no record", s.Document().Parent)
	}
	if rec.Prompt != "as a woman" {
		t.Errorf("the edit's record has the prompt %q, want the instruction", rec.Prompt)
	}
	e, _ := rec.Extra[extraEdit].(map[string]any)
	read, _ := e["read_as"].(string)
	drawn, _ := e["drawn_as"].(string)
	rest, ok := strings.CutPrefix(drawn, "woman cook ") // the tone and style read
	if e["redrawn_by"] != b.Name || !ok || (read != "man cook "+rest && read != "cook "+rest) || e["source_detail"] != false {
		t.Fatalf("the edit's record %v: want it redrawn by %s, read as (man) cook and drawn as woman cook in that style, as drawn", e, b.Name)
	}
	if got := s.cands.label.Text; got != "Likeliest reading\nfirst ("+b.Name+")" {
		t.Errorf("the candidates are labelled %q, want them said to be readings by %s", got, b.Name)
	}
	if !strings.Contains(strings.Join(s.StatusLog(), "\n"), "redrawn by "+b.Name) {
		t.Errorf("the status does not say the edit was redrawn: %q", s.StatusLog())
	}
}
