package edit

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/train"
)

func TestSampleGrid(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "m")
	b := bundletest.TinyEdit(1)
	if err := b.Save(dir, "F32"); err != nil {
		t.Fatal(err)
	}
	c := b.Model.Config
	K := int32(c.Codes())
	var xs []train.Example
	for i := 0; i < 6; i++ {
		ex := train.Example{Prompt: []int32{K + 6, K + 2, K + 7}, Source: make([]int32, 16), Codes: make([]int32, 16)} // make it red
		for j := range ex.Source {
			ex.Source[j], ex.Codes[j] = int32((i+j)%16), int32((i*j)%16)
		}
		xs = append(xs, ex)
	}
	if got := InstructionText(c, xs[0].Prompt); got != "make it red" {
		t.Fatalf("instruction %q", got)
	}
	path := filepath.Join(t.TempDir(), "samples.png")
	if err := SampleGrid(path, dir, xs, 3, 1); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil || cfg.Width != 4*8*4 || cfg.Height != 3*8*4 {
		t.Fatalf("sheet %dx%d, %v", cfg.Width, cfg.Height, err)
	}
	text, err := pngmeta.ReadFile(path)
	if err != nil || !strings.Contains(text["Comment"], "make it red") {
		t.Fatalf("comment %q, %v", text["Comment"], err)
	}
	plain := filepath.Join(t.TempDir(), "plain")
	if err := bundletest.Tiny(1).Save(plain, "F32"); err != nil {
		t.Fatal(err)
	}
	if err := SampleGrid(path, plain, xs, 3, 1); err == nil || !strings.Contains(err.Error(), "not an edit model") {
		t.Fatalf("a text model: %v", err)
	}
}

// WeakFamilyNote names a family the edit model missed its target at, as
// eval-edits --record measured it, and nothing else.
func TestWeakFamilyNote(t *testing.T) {
	b := bundletest.TinyEdit(2)
	if got := WeakFamilyNote(b, "in the twitter style"); got != "" {
		t.Errorf("unmeasured model: %q", got)
	}
	c := b.Model.Config
	e := *c.Tessera.Edit
	e.Measured = map[string]model.EditMeasure{
		"style":      {Pairs: 20, Summary: "0% of held-out emoji came out as the exact target"},
		"background": {Pairs: 20, Summary: "25.0 dB PSNR", MeetsTarget: true},
	}
	ext := *c.Tessera
	ext.Edit = &e
	c.Tessera = &ext
	b.Model.Config = c
	if got := WeakFamilyNote(b, "In the twitter style"); !strings.Contains(got, "weak at style edits: 0% of held-out emoji came out as the exact target") {
		t.Errorf("style: %q", got)
	}
	for _, ins := range []string{"remove the background", "mirror it", "paint it gold"} {
		if got := WeakFamilyNote(b, ins); got != "" {
			t.Errorf("%q: %q", ins, got)
		}
	}
	e.Measured["mirror"] = model.EditMeasure{Pairs: 20, Summary: "16.7 dB PSNR", PSNRdB: 16.7}
	if got := WeakFamilyNote(b, "mirror it"); !strings.Contains(got, "weak at mirror edits: 16.7 dB PSNR") || !strings.Contains(got, "little changed or damaged") {
		t.Errorf("mirror: %q", got)
	}
	// over RoughEditDB, but well under what the codes show of the targets
	e.Measured["background"] = model.EditMeasure{Pairs: 20, Summary: "18.6 dB PSNR", PSNRdB: 18.6, TokenizerPSNRdB: 22.7, SourcePSNRdB: 9.2}
	if got := WeakFamilyNote(b, "remove the background"); !strings.Contains(got, "weak at background edits") {
		t.Errorf("background removal well under its codes' ceiling: %q", got)
	}
	// over its PSNR target, missing on the white kept: the edit shows
	e.Measured["black-and-white"] = model.EditMeasure{Pairs: 20, Summary: "26.0 dB PSNR, 90% of the white background kept", PSNRdB: 26, TokenizerPSNRdB: 28.5, SourcePSNRdB: 19}
	if got := WeakFamilyNote(b, "make it black and white"); got != "" {
		t.Errorf("black and white over 24 dB: %q", got)
	}
	e.Measured["recolor"] = model.EditMeasure{Pairs: 20, Summary: "20.7 dB PSNR", PSNRdB: 20.7}
	if got := WeakFamilyNote(b, "make it blue"); got != "" {
		t.Errorf("a rough recolouring that shows: %q", got)
	}
	// under RoughEditDB, but near what the tokenizer shows of the targets:
	// done as well as the codes allow; far from it: weak
	e.Measured["invert"] = model.EditMeasure{Pairs: 20, Summary: "17.5 dB PSNR", PSNRdB: 17.5, TokenizerPSNRdB: 18.3, SourcePSNRdB: 1.4}
	if got := WeakFamilyNote(b, "invert the colours"); got != "" {
		t.Errorf("an inversion near its codes' ceiling: %q", got)
	}
	// near the ceiling, but no better than the unedited source: not done
	e.Measured["invert"] = model.EditMeasure{Pairs: 20, Summary: "17.5 dB PSNR", PSNRdB: 17.5, TokenizerPSNRdB: 18.3, SourcePSNRdB: 17.0}
	if got := WeakFamilyNote(b, "invert the colours"); !strings.Contains(got, "weak at invert edits") {
		t.Errorf("an inversion no better than doing nothing: %q", got)
	}
	e.Measured["invert"] = model.EditMeasure{Pairs: 20, Summary: "15.8 dB PSNR", PSNRdB: 15.8, TokenizerPSNRdB: 22.1}
	if got := WeakFamilyNote(b, "invert the colours"); !strings.Contains(got, "weak at invert edits") {
		t.Errorf("an inversion far under its codes' ceiling: %q", got)
	}
}
