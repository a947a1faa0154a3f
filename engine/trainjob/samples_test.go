package trainjob

import (
	"context"
	"image/color"
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/internal/imagetest"

	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/prepare"
	"github.com/tessera-studio/tessera/engine/train"
)

// A folder's sample grid shows its own captions, most frequent first (ties
// in the order they come), read back from the prompt ids; an unconditional
// model gets none.
func TestCaptionPrompts(t *testing.T) {
	c, ex := captionModel("blue", "cat", "dog", "red")
	prep := &prepare.Prepared{Config: c, Train: []train.Example{
		ex(1, 2), ex(4, 3), ex(4, 3), ex(), ex(2), ex(1, 2), ex(4, 2), ex(1, 2),
	}}
	want := []string{"blue cat", "red dog", "cat", "red cat"}
	if got := captionPrompts(prep); !slices.Equal(got, want) {
		t.Errorf("captionPrompts = %q, want %q", got, want)
	}
	for range 10 {
		prep.Train = append(prep.Train, ex(3), ex(2, 3), ex(3, 3), ex(1, 1))
	}
	want = []string{"dog", "cat dog", "dog dog", "blue blue", "blue cat", "red dog"}
	if got := captionPrompts(prep); !slices.Equal(got, want) || len(want) != maxCaptionRows {
		t.Errorf("at most %d rows: %q, want %q", maxCaptionRows, got, want)
	}
	prep.Config.Tessera = nil
	if got := captionPrompts(prep); got != nil {
		t.Errorf("an unconditional model: %q", got)
	}
}

// dataCaptions adds the validation examples' captions after the training
// ones; namesStyles finds a caption ending in one of the model's style
// words.
func TestDataCaptionsAndStyles(t *testing.T) {
	c, ex := captionModel("blue", "cat", "dog", "google")
	prep := &prepare.Prepared{Config: c, Train: []train.Example{ex(1, 2), ex(3), ex(3)}, Val: []train.Example{ex(1, 3), ex(3), ex(2, 4)}}
	if got, want := dataCaptions(prep), []string{"dog", "blue cat", "blue dog", "cat google"}; !slices.Equal(got, want) {
		t.Errorf("dataCaptions = %q, want %q", got, want)
	}
	if namesStyles(prep) {
		t.Error("styles found in a model without style words")
	}
	prep.Config.Tessera.StyleWords = []string{"google"}
	if !namesStyles(prep) {
		t.Error("\"cat google\" names no style")
	}
	prep.Val = prep.Val[:2]
	if namesStyles(prep) {
		t.Error("a style found in captions without one")
	}
}

// captionModel is a conditional model's configuration of 10 image codes
// (PAD is id 10, word i of the vocabulary 10+i) and prompts of up to 3 of
// words, and ex makes an example whose prompt is the words of those
// numbers (1 the first word).
func captionModel(words ...string) (c model.Config, ex func(words ...int32) train.Example) {
	const codes = 10
	vocab := append([]string{"<pad>"}, words...)
	c = model.Config{VocabSize: codes + len(vocab) + 1, Tessera: &model.Ext{PromptLength: 3, PromptVocab: vocab}}
	ex = func(words ...int32) train.Example {
		p := []int32{codes, codes, codes}
		for i, w := range words {
			p[i] = codes + w
		}
		return train.Example{Prompt: p}
	}
	return c, ex
}

// The sample grid draws grey lines between its cells: rows of pictures on
// white ran together into one band.
func TestSampleGridSeparatesCells(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "m")
	b := bundletest.Tiny(3)
	if err := b.Save(dir, "F32"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), SamplesFile)
	if err := SampleGrid(path, dir, []string{"red cat", "blue dog"}, 1); err != nil {
		t.Fatal(err)
	}
	grid := imagetest.ReadPNG(t, path)
	w, h := b.ImageSize()
	cw, ch := 4*w, 4*h // cells of 4× the picture
	if got := grid.Bounds().Size(); got.X != 4*cw+5*sampleGap || got.Y != 2*ch+3*sampleGap {
		t.Fatalf("grid %v for 2 rows of 4 cells of %d×%d px", got, cw, ch)
	}
	grey := color.NRGBA{R: 0xc8, G: 0xc8, B: 0xc8, A: 0xff}
	for _, at := range [][2]int{{0, 0}, {sampleGap + cw, sampleGap}, {sampleGap, sampleGap + ch}} { // corner, between columns, between rows
		if c := color.NRGBAModel.Convert(grid.At(at[0], at[1])); c != grey {
			t.Errorf("pixel %v between cells is %v, not the grey line", at, c)
		}
	}
}

// A fine-tune's names file keeps its base model's names, their emoji and
// their common names, and adds its data's captions.
func TestModelFilesKeepBaseNames(t *testing.T) {
	c, ex := captionModel("blue", "cat", "dog", "red")
	tiny := bundletest.Tiny(3)
	c.Tessera.Grid, c.Tessera.PatchSize = [2]int{4, 4}, tiny.Codebook.P // (any image size: the codebook's file records it)
	prep := &prepare.Prepared{Config: c, Codebook: tiny.Codebook, Train: []train.Example{ex(1, 2), ex(4, 3)}}
	base := bundle.NameTable{Names: []string{"red cat"}, Chars: map[string]string{"red cat": "🐱"}, Common: map[string]string{"red cat": "cat"}}
	files, err := modelFiles(context.Background(), Settings{Data: "folder"}, prep, base)
	if err != nil {
		t.Fatal(err)
	}
	got := bundle.ParseNamesFile(files[bundle.NamesFile])
	if want := []string{"red cat", "blue cat", "red dog"}; !slices.Equal(got.Names, want) || !maps.Equal(got.Chars, base.Chars) || !maps.Equal(got.Common, base.Common) {
		t.Errorf("names file %q, want the names %q with the base's emoji and common names", got, want)
	}
}
