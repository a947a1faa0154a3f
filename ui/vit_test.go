package ui

import (
	"bytes"
	"context"
	"fmt"
	"image/gif"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/internal/imagetest"
	"github.com/tessera-studio/tessera/ui/core"
)

// newViTStudio is a studio on TinyViT: the tiny transformer with a ViT-VQ
// tokenizer, whose decoder paints the whole grid at once.
func newViTStudio(t *testing.T) *Studio {
	t.Helper()
	e := newEnv(t)
	e.models = tinyModels{b: bundletest.TinyViT(3)}
	s := e.open(t)
	if s.Bundle().Tokenizer.Local() {
		t.Fatal("the test model has a patch codebook")
	}
	return s
}

// TestViTStudioFeatures runs every editing feature of the studio on a model
// with a ViT tokenizer: what the canvas shows is always the tokenizer's
// decoding of the document's codes, and every feature keeps the codes it
// promises to keep.
func TestViTStudioFeatures(t *testing.T) {
	shows := func(t *testing.T, s *Studio) {
		t.Helper()
		rows := s.Document().ImageRows()
		want := decodeRows(s.Bundle(), s.Document().Tokens(), rows)
		if !slices.Equal(s.Canvas().Image().Pix, want.Pix) {
			t.Fatal("the canvas is not the decoding of the document's codes")
		}
	}
	t.Run("generate paints live and ends on the decoded codes", func(t *testing.T) {
		s := newViTStudio(t)
		lockSeed(t, s, "red cat", 3)
		var mu sync.Mutex
		painted := []int{}
		s.runs.onPatch = func(ev sampler.Event) {
			if ev.Patch != nil {
				t.Error("a ViT event carries a patch of its own")
			}
			img := s.Canvas().Image()
			n := 0
			for i := range 16 {
				if patchOpaque(img, i, 4, 2) {
					n++
				}
			}
			mu.Lock()
			painted = append(painted, n)
			mu.Unlock()
		}
		generate(t, s)
		shows(t, s)
		// The tiny run takes far less than gridRepaint: the painter
		// waits that long before its first decode (TestGridPainterRepaintsWhenDue).
		if len(painted) != 16 || painted[15] != 16 || painted[0] != 0 {
			t.Fatalf("painted patches after each event: %v (want none at the first code and all at the end)", painted)
		}
		for i := 1; i < len(painted); i++ {
			if painted[i] < painted[i-1] {
				t.Fatalf("the painted area shrank: %v", painted)
			}
		}
	})
	t.Run("stop keeps the partial image, continue finishes it", func(t *testing.T) {
		s := newViTStudio(t)
		lockSeed(t, s, "dog", 5)
		s.runs.onPatch = func(ev sampler.Event) {
			if ev.Step == 6 {
				s.Stop()
			}
		}
		generate(t, s)
		n := len(s.Document().Tokens())
		if n < 6 || n >= 16 {
			t.Fatalf("stopped with %d patches", n)
		}
		img := s.Canvas().Image()
		for i := range 16 {
			if patchOpaque(img, i, 4, 2) != (i < n) {
				t.Fatalf("patch %d painted=%v with %d known", i, i >= n, n)
			}
		}
		s.runs.onPatch = nil
		must(t, s.Resume())
		s.Wait()
		must(t, s.LastError())
		if len(s.Document().Tokens()) != 16 {
			t.Fatal("continue did not finish the image")
		}
		shows(t, s)
	})
	t.Run("StopAtPatch stops the next run only, there", func(t *testing.T) {
		s := newViTStudio(t)
		lockSeed(t, s, "dog", 5)
		s.StopAtPatch(5)
		generate(t, s)
		if n := len(s.Document().Tokens()); n < 5 || n >= 16 {
			t.Fatalf("StopAtPatch(5): stopped with %d patches", n)
		}
		generate(t, s)
		if n := len(s.Document().Tokens()); n != 16 {
			t.Fatalf("the run after a StopAtPatch run made %d of 16 patches", n)
		}
	})
	t.Run("regenerate masked keeps the unmasked codes and pixels", func(t *testing.T) {
		e := newEnv(t)
		e.models = tinyModels{b: bundletest.TinyViT(3)}
		s := e.open(t)
		lockSeed(t, s, "blue cat", 21)
		generate(t, s)
		orig := s.Document().Tokens()
		before := decodeRows(s.Bundle(), orig, 4)
		mask := make([]bool, 16)
		mask[5], mask[10] = true, true
		must(t, s.paint.SetMask(mask))
		must(t, s.RegenerateMasked())
		s.Wait()
		must(t, s.LastError())
		got := s.Document().Tokens()
		for i := range got {
			if !mask[i] && got[i] != orig[i] {
				t.Fatalf("unmasked code %d changed", i)
			}
		}
		if s.Candidates() < 2 {
			t.Fatalf("%d candidates", s.Candidates())
		}
		// The decoder redraws every patch from all the codes; the canvas
		// keeps the unmasked patches' pixels, and shows the new codes'
		// picture in the masked ones.
		decoded, canvas := decodeRows(s.Bundle(), got, 4), s.Canvas().Image()
		bled := false
		for i := range 16 {
			if mask[i] && !patchEqual(canvas, decoded, i, 4, 2) || !mask[i] && !patchEqual(canvas, before, i, 4, 2) {
				t.Fatalf("patch %d (masked %v) is neither the new codes' nor the old pixels", i, mask[i])
			}
			bled = bled || !mask[i] && !patchEqual(decoded, before, i, 4, 2)
		}
		if !bled || s.Document().Picture() == nil {
			t.Fatal("the decoder drew the kept patches unchanged: the test shows nothing")
		}
		// A candidate picked shows its own kept pixels.
		must(t, s.PickCandidate(1))
		if c := s.cands.results[1]; !slices.Equal(s.Canvas().Image().Pix, c.picture(s.Bundle()).Pix) || !patchEqual(s.Canvas().Image(), before, 0, 4, 2) {
			t.Fatal("the candidate picked does not keep the unmasked pixels")
		}
		must(t, s.PickCandidate(0))
		// Saved, exported, reopened and restored after a restart as shown.
		if !slices.Equal(core.ToNRGBA(imagetest.ReadPNG(t, s.Document().Parent)).Pix, canvas.Pix) {
			t.Fatal("the saved output is not the picture shown")
		}
		path := filepath.Join(t.TempDir(), "kept.png")
		must(t, s.ExportTo(path))
		must(t, s.OpenFile(path))
		s.Wait()
		must(t, s.LastError())
		if !slices.Equal(s.Document().Tokens(), got) || !slices.Equal(s.Canvas().Image().Pix, canvas.Pix) {
			t.Fatal("the export reopened is not the picture shown, with its codes")
		}
		must(t, s.FlushAutosave())
		if again := e.open(t); !slices.Equal(again.Canvas().Image().Pix, canvas.Pix) {
			t.Fatal("after a restart the canvas is not the picture shown")
		}
		// A completion of it keeps the rows above as they were shown too.
		must(t, s.CompleteFrom(2))
		s.Wait()
		must(t, s.LastError())
		for i := range 8 {
			if !patchEqual(s.Canvas().Image(), canvas, i, 4, 2) {
				t.Fatalf("completion: kept patch %d is not as it was shown", i)
			}
		}
		must(t, s.Undo()) // the completion
		must(t, s.Undo()) // the opening
		must(t, s.Undo()) // the regeneration
		if !slices.Equal(s.Document().Tokens(), orig) {
			t.Fatal("undo did not restore the codes")
		}
		shows(t, s)
	})
	t.Run("complete from a row keeps the rows above", func(t *testing.T) {
		s := newViTStudio(t)
		lockSeed(t, s, "red dog", 8)
		generate(t, s)
		orig := s.Document().Tokens()
		must(t, s.CompleteFrom(2))
		s.Wait()
		must(t, s.LastError())
		if !slices.Equal(s.Document().Tokens()[:8], orig[:8]) {
			t.Fatal("the rows above changed")
		}
		shows(t, s)
	})
	t.Run("branch, scrub, likelihood map, least-likely repair", func(t *testing.T) {
		s := newViTStudio(t)
		lockSeed(t, s, "google cat", 4)
		generate(t, s)
		orig := s.Document().Tokens()
		must(t, s.tl.Scrub(6))
		img := s.Canvas().Image()
		for i := range 16 {
			if patchOpaque(img, i, 4, 2) != (i < 6) {
				t.Fatalf("scrubbed to 6: patch %d painted=%v", i, i >= 6)
			}
		}
		must(t, s.BranchFromHere())
		s.Wait()
		must(t, s.LastError())
		if got := s.Document().Tokens(); len(got) != 16 || !slices.Equal(got[:6], orig[:6]) {
			t.Fatal("the branch did not keep the first 6 codes")
		}
		shows(t, s)
		s.likelihood.Set(true)
		s.Wait()
		want, err := sampler.ScoreTokens(context.Background(), s.Bundle(), "google cat", s.Document().Tokens(), 1)
		must(t, err)
		if !slices.Equal(s.Canvas().LikelihoodMapValues(), want.PerToken) {
			t.Fatal("the likelihood map is not the scorer's")
		}
		before := s.Document().Tokens()
		s.edit.worst.SetValue(25)
		must(t, s.RepairLeastLikely())
		s.Wait()
		must(t, s.LastError())
		mask := worstMask(want.PerToken, s.worstFraction()) // the result keeps no mask: the one the repair used
		for i, c := range s.Document().Tokens() {
			if !mask[i] && c != before[i] {
				t.Fatalf("repair changed kept code %d", i)
			}
		}
	})
	t.Run("ranked batch, temperature brush", func(t *testing.T) {
		s := newViTStudio(t)
		generateBatch(t, s, "cat", 9, 3)
		must(t, s.PickCandidate(2))
		shows(t, s)
		temps := make([]float64, 16)
		temps[0] = 1e-5
		must(t, s.paint.SetTemperatureMap(temps))
		setParams(t, s, "cat", 9, nil)
		generate(t, s)
		shows(t, s)
		if !isArgmax(t, s, "cat", s.Document().Tokens(), 0) {
			t.Fatal("the patch painted cold is not the argmax code")
		}
	})
	t.Run("extend downward, time-lapse, export and reopen", func(t *testing.T) {
		s := newViTStudio(t)
		lockSeed(t, s, "blue dog", 6)
		generate(t, s)
		tokens := s.Document().Tokens()
		dir := t.TempDir()
		gifPath := filepath.Join(dir, "growth.gif")
		must(t, s.ExportTimelapse(gifPath))
		s.Wait()
		must(t, s.LastError())
		f, err := os.Open(gifPath)
		must(t, err)
		anim, err := gif.DecodeAll(f)
		f.Close()
		must(t, err)
		if len(anim.Image) != 17 {
			t.Fatalf("%d frames for 16 patches", len(anim.Image))
		}
		pngPath := filepath.Join(dir, "cat.png")
		must(t, s.ExportTo(pngPath))
		if rec := readRecord(t, pngPath); !slices.Equal(rec.Tokens, tokens) {
			t.Fatal("the export does not carry the codes")
		}
		must(t, s.ExtendDown(2, 0))
		s.Wait()
		must(t, s.LastError())
		if d := s.Document(); d.ImageRows() != 6 || !slices.Equal(d.Tokens()[:16], tokens) {
			t.Fatalf("extended to %d rows", d.ImageRows())
		}
		shows(t, s)
		must(t, s.OpenFile(pngPath))
		s.Wait()
		must(t, s.LastError())
		if !slices.Equal(s.Document().Tokens(), tokens) {
			t.Fatal("reopening the export did not restore its codes exactly")
		}
		shows(t, s)
	})
}

// The style picker offers the model's styles, writes the chosen one at the
// end of the prompt (replacing another), follows a style typed by hand, and
// "Any style" removes it.
func TestStylePicker(t *testing.T) {
	s := newTestStudio(t)
	pp := s.panel
	if !pp.style.Visible() || !slices.Equal(pp.style.Options, []string{seedStyle, anyStyle, "google", "twitter"}) {
		t.Fatalf("style picker visible %v options %q", pp.style.Visible(), pp.style.Options)
	}
	pp.prompt.SetText("red cat")
	pp.style.SetSelected("google")
	if pp.prompt.Text != "red cat google" {
		t.Fatalf("prompt %q after picking google", pp.prompt.Text)
	}
	pp.style.SetSelected("twitter")
	if pp.prompt.Text != "red cat twitter" {
		t.Fatalf("prompt %q after picking twitter", pp.prompt.Text)
	}
	pp.prompt.SetText("blue dog google")
	if pp.style.Selected != "google" {
		t.Fatalf("picker shows %q for a prompt typed with google", pp.style.Selected)
	}
	pp.style.SetSelected(anyStyle)
	if pp.prompt.Text != "blue dog" {
		t.Fatalf("prompt %q after Any style", pp.prompt.Text)
	}
	if p, _ := s.Params(); p.Prompt != "blue dog" {
		t.Fatalf("params prompt %q", p.Prompt)
	}
	if base, st := prompt.SplitStyle("cat face fluent flat", []string{"google", "fluent flat"}); base != "cat face" || st != "fluent flat" {
		t.Fatalf("SplitStyle = %q, %q", base, st)
	}
}

// A style picked with the prompt empty leaves room for the picture's
// words: typed at once they go before it ("smiling face twitter", as the
// model's captions put it), typed after a click at its end they stay a
// word of their own (the style alone ran into them: "twittersmiling").
func TestStylePickedOnAnEmptyPrompt(t *testing.T) {
	s := newTestStudio(t)
	pp := s.panel
	pp.prompt.SetText("")
	pp.style.SetSelected("twitter")
	if s.Window().Canvas().Focused() != fyne.Focusable(pp.prompt) {
		t.Fatal("the prompt box does not have the keyboard after picking a style on an empty prompt")
	}
	test.Type(pp.prompt, "smiling face")
	if p, _ := s.Params(); p.Prompt != "smiling face twitter" || pp.style.Selected != "twitter" {
		t.Fatalf("typed after picking twitter: prompt %q, picker %q", p.Prompt, pp.style.Selected)
	}
	pp.prompt.SetText("")
	pp.style.SetSelected(anyStyle)
	pp.style.SetSelected("google")
	pp.prompt.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEnd}) // a click after the style
	test.Type(pp.prompt, "cat")
	if p, _ := s.Params(); p.Prompt != "google cat" {
		t.Fatalf("typed after the style picked: prompt %q", p.Prompt)
	}
}

// "A style per seed" draws each new image in a style of its own (one of
// the tiny model's google and twitter), says which with the image's seed,
// and keeps the prompt as typed; the image records its styled prompt,
// which runs on that image (regenerate, complete, branch, extend, the
// likelihood map) read as long as the prompt is the one it was drawn
// from. "Any style" turns it off.
func TestStylePerSeedInTheStudio(t *testing.T) {
	s := newTestStudio(t)
	pp := s.panel
	lockSeed(t, s, "red cat", 5)
	pp.style.SetSelected(seedStyle)
	if p, _ := s.Params(); p.StylePerSeed != 1 || p.Prompt != "red cat" {
		t.Fatalf("after picking %q: style per seed %d, prompt %q", seedStyle, p.StylePerSeed, p.Prompt)
	}
	styles := map[string]bool{}
	for _, seed := range []uint64{5, 6, 7, 8} {
		p, _ := s.Params()
		p.Seed = seed
		s.SetParams(p)
		if pp.style.Selected != seedStyle {
			t.Fatalf("picker shows %q after SetParams", pp.style.Selected)
		}
		generate(t, s)
		got := s.Document().ImageParams().Prompt
		style := strings.TrimPrefix(got, "red cat ")
		if style != "google" && style != "twitter" || pp.prompt.Text != "red cat" {
			t.Fatalf("seed %d: image prompt %q, panel prompt %q", seed, got, pp.prompt.Text)
		}
		if want := fmt.Sprintf("seed %d, in the %s style it drew", seed, style); !strings.Contains(s.Status(), want) {
			t.Errorf("status %q does not say %q", s.Status(), want)
		}
		if run := s.imagePrompt("red cat"); run != got {
			t.Errorf("runs on the image read %q", run)
		}
		if run := s.imagePrompt("red  Cat"); run != got {
			t.Errorf("runs on the image read %q for the same words", run)
		}
		for _, typed := range []string{"red cat google", "blue cat"} {
			if run := s.imagePrompt(typed); run != typed {
				t.Errorf("prompt %q changed to %q", typed, run)
			}
		}
		styles[style] = true
	}
	if len(styles) != 2 {
		t.Errorf("four seeds drew only %v", styles)
	}
	// A batch's candidates each keep their own style when picked.
	p, _ := s.Params()
	p.Batch, p.Seed = 4, 5 // seeds 5–8, which drew both styles above
	s.SetParams(p)
	generate(t, s)
	seen := map[string]bool{}
	for i := range s.Candidates() {
		must(t, s.PickCandidate(i))
		want := s.cands.results[i].rec.Prompt
		seen[want] = true
		if got := s.Document().ImageParams().Prompt; got != want || s.imagePrompt("red cat") != want {
			t.Fatalf("candidate %d drawn with %q: the image reads %q, runs on it %q", i+1, want, got, s.imagePrompt("red cat"))
		}
		if st := strings.TrimPrefix(want, "red cat "); !strings.Contains(s.Status(), "in the "+st+" style") {
			t.Errorf("status %q does not name the candidate's style", s.Status())
		}
	}
	if len(seen) < 2 {
		t.Errorf("a batch of 4 drew only %v", seen)
	}
	// So do they when a stopped batch is finished (Continue): the image
	// shown and each candidate picked read their own style, and the start
	// names the seed of the one shown, not the panel's next.
	s.StopAtPatch(5)
	generate(t, s)
	partial := slices.Clone(s.cands.results)
	if len(partial) != 4 {
		t.Fatalf("a stopped batch of 4: %d candidates", len(partial))
	}
	must(t, s.PickCandidate(1))
	// Each seed's pictures so far in every style are kept, and Continue
	// finishes them all and keeps the style an unstopped run keeps
	// (sampler.ContinueStyled; it finished the style shown, a picture the
	// run would have passed over).
	var images []sampler.Image
	for _, r := range s.stoppedBatch() {
		if len(r.styleRows) != 2 {
			t.Fatalf("a stopped candidate keeps %d styles' pictures, want 2", len(r.styleRows))
		}
		images = append(images, sampler.Image{Seed: r.seed, Prompt: r.rec.Prompt, Tokens: r.tokens, StyleRows: r.styleRows})
	}
	rp, err := s.imageRunParams()
	must(t, err)
	rp.Batch = len(images)
	ref, err := sampler.ContinueStyled(context.Background(), s.Bundle(), s.runOptions(rp), images, nil)
	must(t, err)
	must(t, s.Resume())
	if want := fmt.Sprintf("the one shown: %d", partial[1].seed); !strings.Contains(s.Status(), want) {
		t.Errorf("Continue starts with %q, not naming seed %d", s.Status(), partial[1].seed)
	}
	s.Wait()
	must(t, s.LastError())
	for _, want := range ref.Images {
		i := slices.IndexFunc(s.cands.results, func(r result) bool { return r.seed == want.Seed })
		if i < 0 || !slices.Equal(s.cands.results[i].tokens, want.Tokens) || s.cands.results[i].rec.Prompt != want.Prompt {
			t.Errorf("seed %d finished otherwise than ContinueStyled finishes it (%q)", want.Seed, want.Prompt)
		}
	}
	for i := range s.Candidates() {
		if i > 0 {
			must(t, s.PickCandidate(i))
		}
		want := s.cands.results[i].rec.Prompt
		if got := s.Document().ImageParams().Prompt; got != want || s.imagePrompt("red cat") != want {
			t.Fatalf("finished candidate %d drawn with %q: the image reads %q, runs on it %q", i+1, want, got, s.imagePrompt("red cat"))
		}
	}
	p.Batch = 1
	s.SetParams(p)
	pp.style.SetSelected(anyStyle)
	generate(t, s)
	if p, _ := s.Params(); p.StylePerSeed != 0 || s.Document().ImageParams().Prompt != "red cat" {
		t.Fatalf("Any style: style per seed %d, image prompt %q", p.StylePerSeed, s.Document().ImageParams().Prompt)
	}
	if got := s.imagePrompt("red cat"); got != "red cat" {
		t.Errorf("an image drawn without a style reads %q", got)
	}
}

// Regenerate masked on a stopped image of a ViT model, nothing masked,
// draws its picture from all its codes, as Continue does: its patches drawn
// before the stop came from a decode of them beside placeholder codes (a
// dark top row with a seam, saved so).
func TestRegenerateStoppedViTImageDecodesAllItsCodes(t *testing.T) {
	s := newViTStudio(t)
	s.set.SetCandidates(1)
	lockSeed(t, s, "red cat", 5)
	s.StopAtPatch(3)
	generate(t, s)
	if s.Document().Complete() {
		t.Fatal("not stopped")
	}
	must(t, s.RegenerateMasked())
	s.Wait()
	must(t, s.LastError())
	rows, _ := s.Bundle().Grid()
	want := decodeRows(s.Bundle(), s.Document().Tokens(), rows)
	if got := s.Canvas().Image(); !bytes.Equal(got.Pix, want.Pix) {
		t.Error("the finished image is not its codes' picture")
	}
}
