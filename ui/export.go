package ui

import (
	"fmt"
	"image"

	"github.com/nfnt/resize"

	"github.com/tessera-studio/tessera/engine/pngmeta"
)

// Filter is the export upscaling filter.
type Filter int

// Export filters: Nearest keeps pixels crisp, Lanczos smooths them.
const (
	Nearest Filter = iota
	Lanczos
)

// MaxUpscale is the largest export scale factor.
const MaxUpscale = 16

// String names the filter as shown in the export panel.
func (f Filter) String() string {
	if f == Lanczos {
		return "Lanczos"
	}
	return "Nearest"
}

// parseFilter reads a Filter from its String.
func parseFilter(s string) Filter {
	if s == Lanczos.String() {
		return Lanczos
	}
	return Nearest
}

// upscale enlarges img k times with nfnt/resize (k = 1 returns img).
func upscale(img image.Image, k int, f Filter) image.Image {
	if k <= 1 {
		return img
	}
	b := img.Bounds()
	interp := resize.NearestNeighbor
	if f == Lanczos {
		interp = resize.Lanczos3
	}
	return resize.Resize(uint(b.Dx()*k), uint(b.Dy()*k), img, interp)
}

// exportPNG upscales img k times and writes it with rec's metadata to path
// atomically: a failed export leaves no file behind and an existing file
// untouched.
func exportPNG(path string, img image.Image, k int, f Filter, rec pngmeta.Record) error {
	if k < 1 || k > MaxUpscale {
		return fmt.Errorf("export: scale %d must be between 1 and %d", k, MaxUpscale)
	}
	if rec.Extra == nil {
		rec.Extra = map[string]any{}
	}
	rec.Extra[extraUpscale] = k
	rec.Extra[extraFilter] = f.String()
	if err := pngmeta.WriteFileAtomic(path, upscale(img, k, f), pngmeta.Metadata(rec)); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
