// Package sampler generates images token by token from a model bundle and
// edits existing ones: plain generation with temperature, top-k, top-p and
// classifier-free guidance, completion of a kept top part, masked
// regeneration ranked by how well the kept patches fit, and scoring.
// Results stream as one event per patch; a context cancels within one step.
package sampler

import (
	"fmt"
	"math"

	"github.com/tessera-studio/tessera/engine/sampling"
)

// Options are the sampling settings shared by every operation: the
// settings a user chooses and a PNG records (sampling.Settings: prompt,
// negative prompt, temperature, top-k, top-p, guidance, guidance min-p,
// image guidance, seed) and how a run executes them.
type Options struct {
	sampling.Settings
	// Batch is the number of images in one run (default 1).
	Batch int
	// Workers caps the threads used (0 = all CPUs).
	Workers int
	// PatchTemperature, when set, holds a temperature for each patch
	// (raster order) that replaces Temperature there; 0 entries use
	// Temperature (so with Temperature 0 they are greedy), and an entry
	// in (0, GreedyTemperature) makes its patch greedy.
	PatchTemperature []float64
	// KeepCache keeps the run's KV cache in its Result so that Branch can
	// continue any image from any patch without recomputing its prefix.
	// It costs memory: n_layer·2·n_positions·n_embd floats per image (twice
	// with guidance).
	KeepCache bool
}

// GreedyTemperature is the temperature below which sampling is greedy
// (argmax): dividing logits by a smaller number would only overflow.
const GreedyTemperature = 1e-4

// Defaults returns the studio's default settings.
func Defaults() Options {
	return Options{Settings: sampling.Settings{Temperature: 1, TopP: 1, Guidance: 1}, Batch: 1}
}

// normalized fills defaults and checks ranges. Temperature 0 is kept: it
// means greedy, not "the default".
func (o Options) normalized(tokens int) (Options, error) {
	if o.TopP == 0 {
		o.TopP = 1
	}
	if o.Guidance == 0 {
		o.Guidance = 1
	}
	if o.Batch == 0 {
		o.Batch = 1
	}
	if err := o.Settings.Check(); err != nil {
		return o, err
	}
	switch {
	case o.Batch < 1 || o.Batch > 256:
		return o, fmt.Errorf("batch %d must be between 1 and 256", o.Batch)
	case o.PatchTemperature != nil && len(o.PatchTemperature) != tokens:
		return o, fmt.Errorf("patch temperature map has %d entries, want %d", len(o.PatchTemperature), tokens)
	}
	for i, t := range o.PatchTemperature {
		if t < 0 || t > sampling.MaxPatchTemperature || math.IsNaN(t) {
			return o, fmt.Errorf("patch %d temperature %g must be between 0 and %d", i, t, sampling.MaxPatchTemperature)
		}
	}
	return o, nil
}

// temperatureAt is the temperature used for patch i (below
// GreedyTemperature: greedy).
func (o Options) temperatureAt(i int) float64 {
	if o.PatchTemperature != nil && o.PatchTemperature[i] > 0 {
		return o.PatchTemperature[i]
	}
	return o.Temperature
}
