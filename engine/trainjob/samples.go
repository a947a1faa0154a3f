package trainjob

import (
	"cmp"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"slices"
	"strings"

	"github.com/nfnt/resize"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/prepare"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/train"
)

// SampleGrid draws a grid of samples from the model folder dir and writes
// it as a PNG to path: one row per prompt, four seeds a row, each image
// scaled up 4× (nearest). Unconditional models (or no prompts) get one row
// of four. workers caps the sampler's threads (0: all cores).
func SampleGrid(path, dir string, prompts []string, workers int) error {
	b, err := bundle.Load(dir, model.LoadOptions{})
	if err != nil {
		return err
	}
	if !b.Conditional() || len(prompts) == 0 {
		prompts = []string{""}
	}
	const perRow, scale = 4, 4
	w, h := b.ImageSize()
	// Light grey lines between the cells: white pictures side by side
	// (two rows on white) ran together into one band.
	grid := image.NewNRGBA(image.Rect(0, 0, perRow*w*scale+(perRow+1)*sampleGap, len(prompts)*(h*scale+sampleGap)+sampleGap))
	draw.Draw(grid, grid.Bounds(), image.NewUniform(color.NRGBA{R: 0xc8, G: 0xc8, B: 0xc8, A: 0xff}), image.Point{}, draw.Src)
	for r, p := range prompts {
		opt := sampler.Defaults()
		opt.Prompt, opt.Batch, opt.Seed, opt.Workers = p, perRow, 1, workers
		res, err := sampler.Generate(context.Background(), b, opt, nil)
		if err != nil {
			return fmt.Errorf("samples for %q: %w", p, err)
		}
		for i, im := range res.Images {
			big := resize.Resize(uint(w*scale), uint(h*scale), b.Decode(im.Tokens), resize.NearestNeighbor)
			at := image.Pt(sampleGap+i*(w*scale+sampleGap), sampleGap+r*(h*scale+sampleGap))
			draw.Draw(grid, big.Bounds().Add(at), big, image.Point{}, draw.Src)
		}
	}
	return pngmeta.WriteFileAtomic(path, grid, map[string]string{"Comment": fmt.Sprintf("samples, one row per prompt: %q", prompts)})
}

// sampleGap is the width of the lines between a sample grid's cells, in
// pixels.
const sampleGap = 4

// maxCaptionRows is how many of its data's captions a sample grid shows
// when the settings name no prompts.
const maxCaptionRows = 6

// captionPrompts are the sample grid's rows for a conditional model whose
// settings name none (a folder of pictures): the captions of its training
// examples, most frequent first, at most maxCaptionRows (trainingCaptions).
// nil for an unconditional or edit model.
func captionPrompts(prep *prepare.Prepared) []string {
	all := trainingCaptions(prep)
	return all[:min(len(all), maxCaptionRows)]
}

// trainingCaptions are the distinct captions of a conditional model's
// training examples, most frequent first (ties in the order they first
// come), each read back from the example's prompt ids (words the prompt
// slots could not hold are not in them). nil for an unconditional or edit
// model.
func trainingCaptions(prep *prepare.Prepared) []string {
	return exampleCaptions(prep, prep.Train)
}

// dataCaptions are trainingCaptions with those of the validation examples
// after them: every caption of the data, which Describe offers (a held-out
// picture's caption is in words the model knows).
func dataCaptions(prep *prepare.Prepared) []string {
	return exampleCaptions(prep, prep.Train, prep.Val)
}

// exampleCaptions are the distinct captions of sets of examples, most
// frequent first (ties in the order they first come), set by set.
func exampleCaptions(prep *prepare.Prepared, sets ...[]train.Example) []string {
	c := prep.Config
	if c.PromptLength() == 0 || c.IsEdit() {
		return nil
	}
	vocab, pad := c.Tessera.PromptVocab, c.Codes()
	type count struct {
		caption       string
		set, n, first int
	}
	counts := map[string]*count{}
	for si, set := range sets {
		for i, ex := range set {
			var words []string
			for _, id := range ex.Prompt {
				if w := int(id) - pad; w > 0 && w < len(vocab) {
					words = append(words, vocab[w])
				}
			}
			caption := strings.Join(words, " ")
			if caption == "" {
				continue
			}
			if counts[caption] == nil {
				counts[caption] = &count{caption: caption, set: si, first: i}
			}
			counts[caption].n++
		}
	}
	all := make([]*count, 0, len(counts))
	for _, c := range counts {
		all = append(all, c)
	}
	slices.SortFunc(all, func(a, b *count) int { return cmp.Or(a.set-b.set, b.n-a.n, a.first-b.first) })
	captions := make([]string, len(all))
	for i, c := range all {
		captions[i] = c.caption
	}
	return captions
}

// namesStyles reports whether the data's captions name the model's styles
// (end with one of its style words), as the emoji data's do.
func namesStyles(prep *prepare.Prepared) bool {
	if prep.Config.Tessera == nil || len(prep.Config.Tessera.StyleWords) == 0 {
		return false
	}
	for _, c := range dataCaptions(prep) {
		if _, style := prompt.SplitStyle(c, prep.Config.Tessera.StyleWords); style != "" {
			return true
		}
	}
	return false
}
