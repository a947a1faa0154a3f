package trainjob

import (
	"context"
	"fmt"
	"image"
	"image/draw"

	"github.com/nfnt/resize"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/sampler"
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
	grid := image.NewNRGBA(image.Rect(0, 0, perRow*w*scale, len(prompts)*h*scale))
	draw.Draw(grid, grid.Bounds(), image.White, image.Point{}, draw.Src)
	for r, p := range prompts {
		opt := sampler.Defaults()
		opt.Prompt, opt.Batch, opt.Seed, opt.Workers = p, perRow, 1, workers
		res, err := sampler.Generate(context.Background(), b, opt, nil)
		if err != nil {
			return fmt.Errorf("samples for %q: %w", p, err)
		}
		for i, im := range res.Images {
			big := resize.Resize(uint(w*scale), uint(h*scale), b.Decode(im.Tokens), resize.NearestNeighbor)
			at := image.Pt(i*w*scale, r*h*scale)
			draw.Draw(grid, big.Bounds().Add(at), big, image.Point{}, draw.Src)
		}
	}
	return pngmeta.WriteFileAtomic(path, grid, map[string]string{"Comment": fmt.Sprintf("samples, one row per prompt: %q", prompts)})
}
