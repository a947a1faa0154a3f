package trainjob

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/edit"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/tokenizer"
	"github.com/tessera-studio/tessera/engine/train"
)

// TestEditFineTunePlan: fine-tuning an edit model keeps its tokenizer,
// architecture and held-out split (the same validation pairs come out),
// its weights carry over whole, and what cannot be kept is refused.
func TestEditFineTunePlan(t *testing.T) {
	var samples []data.Sample
	for i := range 8 {
		img := image.NewNRGBA(image.Rect(0, 0, 8, 8))
		for p := range img.Pix {
			img.Pix[p] = 255
		}
		for y := 1 + i%3; y < 7; y++ {
			for x := 2; x < 6; x++ {
				img.SetNRGBA(x, y, color.NRGBA{uint8(30 * i), uint8(200 - 20*i), 90, 255})
			}
		}
		samples = append(samples, data.Sample{Caption: fmt.Sprintf("thing %d google", i), Key: fmt.Sprint(i), Style: "google", Image: img})
	}
	entries := make([]float32, 16*12)
	for i := range entries {
		entries[i] = float32(i%7)/3 - 1
	}
	cb, err := codebook.New(2, entries)
	if err != nil {
		t.Fatal(err)
	}
	tok := tokenizer.Codebook{Codebook: cb}
	spec := edit.Spec{Size: 8, HeldOut: 0.3, Seed: 2, MaxPerFamily: 4}
	arch := model.DefaultConfig()
	arch.NEmbd, arch.NLayer, arch.NHead = 16, 1, 2
	prep, err := edit.Prepare(context.Background(), samples, spec, edit.Tokenising{Tokenizer: tok, ValPerFamily: 2}, arch, nil)
	if err != nil {
		t.Fatal(err)
	}
	params, err := train.InitParams(prep.Config, 3)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := train.SaveModel(dir, prep.Config, params, "F32"); err != nil {
		t.Fatal(err)
	}
	cbJSON, err := cb.Marshal(8, 8)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, bundle.CodebookFile), cbJSON, 0o644); err != nil {
		t.Fatal(err)
	}
	base, err := bundle.Load(dir, model.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}

	other := model.DefaultConfig() // the settings' architecture gives way to the model's
	plan, err := editSetup(Settings{EditPairs: 3}, base, other)
	if err != nil {
		t.Fatal(err)
	}
	if plan.spec.MaxPerFamily != 3 {
		t.Errorf("--edit-pairs 3 planned %d pairs a family", plan.spec.MaxPerFamily)
	}
	if plan.spec.HeldOut != 0.3 || plan.spec.Seed != 2 || plan.arch.NEmbd != 16 || plan.arch.NLayer != 1 || plan.tok.Codes() != 16 {
		t.Fatalf("plan: split %g/%d, %d layers × %d, %d codes", plan.spec.HeldOut, plan.spec.Seed, plan.arch.NLayer, plan.arch.NEmbd, plan.tok.Codes())
	}
	plan.spec.Size, plan.spec.MaxPerFamily = 8, 4
	again, err := edit.Prepare(context.Background(), samples, plan.spec, edit.Tokenising{Tokenizer: plan.tok, ValPerFamily: 2}, plan.arch, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Val) != len(prep.Val) || len(again.Val) == 0 {
		t.Fatalf("%d validation pairs, the model had %d", len(again.Val), len(prep.Val))
	}
	for i := range prep.Val {
		if !slices.Equal(again.Val[i].Source, prep.Val[i].Source) || !slices.Equal(again.Val[i].Codes, prep.Val[i].Codes) {
			t.Fatalf("validation pair %d differs from the model's own", i)
		}
	}
	weights := base.Model.Weights()
	fitted, err := train.FitParams(base.Model.Config, again.Config, func(name string) ([]float32, error) {
		return weights[name].Data().([]float32), nil
	}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tn := range fitted.Tensors {
		src := weights[tn.Name].Data().([]float32)
		if !slices.Equal(fitted.Data[tn.Off:tn.Off+tn.Size], src[:tn.Size]) {
			t.Fatalf("%s did not carry over", tn.Name)
		}
	}

	if _, err := editSetup(Settings{Tokenizer: "elsewhere"}, base, other); err == nil || !strings.Contains(err.Error(), "--tokenizer") {
		t.Errorf("a second tokenizer: %v", err)
	}
	changed := *base
	changed.Model = &model.Model{Config: base.Model.Config}
	ext := *base.Model.Config.Tessera
	ext.PromptVocab = append([]string{"zzz"}, ext.PromptVocab...)
	changed.Model.Config.Tessera = &ext
	if _, err := editSetup(Settings{}, &changed, other); err == nil || !strings.Contains(err.Error(), "vocabulary") {
		t.Errorf("another vocabulary: %v", err)
	}
	ext.PromptVocab, ext.Edit = base.Model.Config.Tessera.PromptVocab, nil
	if _, err := editSetup(Settings{}, &changed, other); err == nil || !strings.Contains(err.Error(), "text-to-image") {
		t.Errorf("a text-to-image model: %v", err)
	}
	if _, err := editSetup(Settings{}, nil, other); err == nil || !strings.Contains(err.Error(), "--tokenizer DIR is required") {
		t.Errorf("from scratch without a tokenizer: %v", err)
	}
}

// The model card says how many pairs of each family the run kept.
func TestEditPairsCap(t *testing.T) {
	for n, want := range map[int]string{0: "at most 6,000 a family", 20000: "at most 20,000 a family", -1: "every pair there is"} {
		if got := editPairsCap(n); got != want {
			t.Errorf("editPairsCap(%d) = %q, want %q", n, got, want)
		}
	}
}

// A run's pairs' cap is part of what it is: a resume with another cap is
// refused (its prepared pairs would stay), the default given or not the same.
func TestEditPairsFixTheRun(t *testing.T) {
	s := Preset(EditData)
	diff := func(a, b int) []string {
		x, y := s, s
		x.EditPairs, y.EditPairs = a, b
		return train.SettingsDiff(x.identity(), y.identity())
	}
	if d := diff(0, edit.DefaultMaxPerFamily); len(d) != 0 {
		t.Errorf("the default, given or not: %v", d)
	}
	if d := diff(0, 20000); len(d) != 1 || !strings.Contains(d[0], "edit_pairs") {
		t.Errorf("another cap: %v", d)
	}
	if id := Preset("shapes").identity(); id.EditPairs != 0 {
		t.Errorf("shapes has an edit pairs' cap of %d", id.EditPairs)
	}
}
