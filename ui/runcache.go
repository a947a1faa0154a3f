package ui

import (
	"slices"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/sampler"
)

// keptRun is the most recent finished run with its KV cache
// (Options.KeepCache), so that its images can be branched without
// recomputing their prefix. Only one is kept: each run replaces it, which
// drops the older cache.
type keptRun struct {
	b   *bundle.Bundle
	res *sampler.Result
}

// keepRun remembers res (made with b) as the run to branch from; nil drops
// the cache held.
func (s *Studio) keepRun(b *bundle.Bundle, res *sampler.Result) {
	if b == nil || res == nil {
		s.kept = nil
		return
	}
	s.kept = &keptRun{b: b, res: res}
}

// cachedRun finds tokens, a complete image of the current model, among the
// images of the kept run: the run and the image's index, or (nil, -1).
func (s *Studio) cachedRun(tokens []int) (*sampler.Result, int) {
	k := s.kept
	if k == nil || k.b != s.bundle || len(tokens) != k.b.ImageTokens() {
		return nil, -1
	}
	for i, im := range k.res.Images {
		if slices.Equal(im.Tokens, tokens) {
			return k.res, i
		}
	}
	return nil, -1
}
