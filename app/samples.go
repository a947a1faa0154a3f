package app

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

// sampleGrid draws a grid of samples from the model folder dir: one row per
// prompt, four seeds a row, each image scaled up 4× (nearest), and writes it
// to path. Unconditional models get one row per four seeds.
func sampleGrid(path, dir string, prompts []string) error {
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
		opt.Prompt, opt.Batch, opt.Seed = p, perRow, 1
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
