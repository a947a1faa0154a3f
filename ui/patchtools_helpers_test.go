package ui

import (
	"image"
	"testing"

	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/ui/core"
)

// readRecord reads Tessera's metadata record from a PNG file.
func readRecord(t *testing.T, path string) *pngmeta.Record {
	t.Helper()
	text, err := pngmeta.ReadFile(path)
	must(t, err)
	rec, ok, err := pngmeta.ParseRecord(text)
	if !ok || err != nil {
		t.Fatalf("%s has no record: %v", path, err)
	}
	return rec
}

// patchClear reports whether patch i of img is fully transparent.
func patchClear(img *image.NRGBA, i, cols, p int) bool {
	x, y := i%cols*p, i/cols*p
	for dy := 0; dy < p; dy++ {
		for dx := 0; dx < p; dx++ {
			if img.NRGBAAt(x+dx, y+dy).A != 0 {
				return false
			}
		}
	}
	return true
}

// setParams sets the panel's parameters from the defaults with a locked
// seed, changed by edit.
func setParams(t *testing.T, s *Studio, prompt string, seed uint64, edit func(*core.Params)) core.Params {
	t.Helper()
	p := core.DefaultParams()
	p.Prompt, p.Seed, p.SeedLocked = prompt, seed, true
	if edit != nil {
		edit(&p)
	}
	s.SetParams(p)
	got, err := s.Params()
	must(t, err)
	return got
}

// generateBatch generates a batch of n for prompt from seed (locked) and
// checks that it offers n candidates.
func generateBatch(t *testing.T, s *Studio, prompt string, seed uint64, n int) {
	t.Helper()
	setParams(t, s, prompt, seed, func(p *core.Params) { p.Batch = n })
	generate(t, s)
	if s.Candidates() != n {
		t.Fatalf("%d candidates, want %d", s.Candidates(), n)
	}
}
