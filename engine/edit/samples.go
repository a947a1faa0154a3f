package edit

import (
	"context"
	"fmt"
	"image"
	"image/draw"
	"strings"

	"github.com/nfnt/resize"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/train"
)

// SampleGrid draws what the edit model in the folder dir makes of rows of
// the examples (validation examples, spread evenly over them so that each
// family shows) and writes it as a PNG to path: a row per example of the
// source, two edits (seeds 1 and 2, the model's default settings) and the
// exact target, each scaled up 4× (nearest). It is the training run's
// samples hook for edit models (trainjob's SampleGrid draws text prompts).
// workers caps the sampler's threads (0: all cores).
func SampleGrid(path, dir string, examples []train.Example, rows, workers int) error {
	b, err := bundle.Load(dir, model.LoadOptions{})
	if err != nil {
		return err
	}
	c := b.Model.Config
	if !c.IsEdit() {
		return fmt.Errorf("edit samples: model %s is not an edit model", b.Name)
	}
	if len(examples) == 0 {
		return fmt.Errorf("edit samples: no examples")
	}
	rows = max(1, min(rows, len(examples)))
	const cols, scale = 4, 4
	w, h := b.ImageSize()
	grid := image.NewNRGBA(image.Rect(0, 0, cols*w*scale, rows*h*scale))
	draw.Draw(grid, grid.Bounds(), image.White, image.Point{}, draw.Src)
	var captions []string
	for r := 0; r < rows; r++ {
		ex := examples[r*len(examples)/rows]
		source, target := ints(ex.Source), ints(ex.Codes)
		instruction := InstructionText(c, ex.Prompt)
		captions = append(captions, instruction)
		opt := sampler.Defaults()
		opt.Settings, _ = opt.WithRecommended(c.Recommended(), nil, true)
		opt.Prompt, opt.Seed, opt.Workers = instruction, 1, workers
		res, err := sampler.Edit(context.Background(), b, opt, sampler.EditRequest{Source: source, Candidates: 2}, nil)
		if err != nil {
			return fmt.Errorf("edit samples for %q: %w", instruction, err)
		}
		pics := []*image.NRGBA{b.Decode(source)}
		for _, im := range res.Images {
			pics = append(pics, b.Decode(im.Tokens))
		}
		pics = append(pics, b.Decode(target))
		for i, p := range pics {
			big := resize.Resize(uint(w*scale), uint(h*scale), p, resize.NearestNeighbor)
			at := image.Pt(i*w*scale, r*h*scale)
			draw.Draw(grid, big.Bounds().Add(at), big, image.Point{}, draw.Src)
		}
	}
	return pngmeta.WriteFileAtomic(path, grid, map[string]string{
		"Comment": fmt.Sprintf("edit samples, a row per instruction (source | seed 1 | seed 2 | exact target): %q", captions),
	})
}

// InstructionText spells out instruction ids (as in train.Example.Prompt)
// in words of c's vocabulary, PAD left out.
func InstructionText(c model.Config, ids []int32) string {
	if c.Tessera == nil {
		return ""
	}
	K, vocab := int32(c.Codes()), c.Tessera.PromptVocab
	var words []string
	for _, id := range ids {
		if i := id - K; i > 0 && int(i) < len(vocab) {
			words = append(words, vocab[i])
		}
	}
	return strings.Join(words, " ")
}

func ints(v []int32) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}
