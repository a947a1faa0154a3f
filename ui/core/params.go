package core

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/sampling"
)

// Parameter ranges offered by the prompt panel.
const (
	MinTemperature = 0.1
	MaxTemperature = 2.0
	MaxBatch       = 16
	MaxGuidance    = 20.0
)

// Params are the generation settings shown in the prompt panel: the
// sampling settings (the prompts, temperature, top-k, top-p, guidance and
// seed have controls; guidance min-p comes from the model's
// recommendation or an opened image) and the panel's own.
type Params struct {
	sampling.Settings
	// SeedLocked keeps Seed across runs; unlocked, each run draws a new one.
	SeedLocked bool `json:"seed_locked"`
	// Batch is the number of images per run.
	Batch int `json:"batch"`
	// Imported names the file an image's picture was encoded from, for an
	// image that was opened rather than sampled (an image's own
	// parameters only; the panel's never have it): its record then claims
	// no prompt, seed or sampling settings.
	Imported string `json:"imported,omitempty"`
	// Instruction is the instruction of the edit that made the image (an
	// image's own parameters only): its Seed is then the edit model's, and
	// its Prompt the drawing model's it was edited from, or, for an edit
	// reopened from its file (whose record keeps no other), the
	// instruction too.
	Instruction string `json:"instruction,omitempty"`
}

// DefaultParams returns the studio's starting parameters.
func DefaultParams() Params {
	d := sampler.Defaults().Settings
	d.Seed = 1
	return Params{Settings: d, Batch: 1}
}

// Validate checks the ranges the panel offers.
func (p Params) Validate() error {
	switch {
	case math.IsNaN(p.Temperature) || p.Temperature < MinTemperature || p.Temperature > MaxTemperature:
		return fmt.Errorf("temperature %g must be between %g and %g", p.Temperature, MinTemperature, MaxTemperature)
	case p.TopK < 0:
		return fmt.Errorf("top-k %d must be 0 (all codes) or more", p.TopK)
	case math.IsNaN(p.TopP) || p.TopP <= 0 || p.TopP > 1:
		return fmt.Errorf("top-p %g must be above 0 and at most 1", p.TopP)
	case math.IsNaN(p.Guidance) || p.Guidance < 1 || p.Guidance > MaxGuidance:
		return fmt.Errorf("guidance %g must be between 1 and %g", p.Guidance, MaxGuidance)
	case p.Batch < 1 || p.Batch > MaxBatch:
		return fmt.Errorf("batch %d must be between 1 and %d", p.Batch, MaxBatch)
	}
	return p.Settings.Check()
}

// Options converts p to sampler options using workers threads.
func (p Params) Options(workers int) sampler.Options {
	return sampler.Options{Settings: p.Settings, Batch: p.Batch, Workers: workers}
}

// Clamped returns p with every field pulled into the panel's ranges (used for
// parameters read from files written by other tools).
func (p Params) Clamped() Params {
	d := DefaultParams()
	clamp := func(v, lo, hi, def float64) float64 {
		if math.IsNaN(v) || v == 0 {
			return def
		}
		return math.Min(math.Max(v, lo), hi)
	}
	for _, sp := range sampling.Knobs() {
		sp.Set(&p.Settings, sp.Clamp(sp.Get(p.Settings)))
	}
	// the panel's own, narrower ranges
	p.Temperature = clamp(p.Temperature, MinTemperature, MaxTemperature, d.Temperature)
	p.TopP = clamp(p.TopP, 0.01, 1, d.TopP)
	p.Guidance = clamp(p.Guidance, 1, MaxGuidance, d.Guidance)
	if p.Batch < 1 || p.Batch > MaxBatch {
		p.Batch = d.Batch
	}
	return p
}

// WithRecord returns p with the generation facts of rec: the image's own
// settings. What is not the image's (the batch, the seed lock) stays; a
// locked seed is not changed. Unlocked, the seed field shows the image's
// seed, so the next run reproduces the image.
func (p Params) WithRecord(rec *pngmeta.Record) Params {
	seed := p.Seed
	p.Settings = rec.Settings
	if p.SeedLocked {
		p.Seed = seed
	}
	p.ImageGuidance = 0 // an edit model's: the panel's models draw from prompts
	return p.Clamped()
}

// WithA1111 returns p with what maps from an A1111 "parameters" text: the
// prompts and the seed, and, when Tessera wrote the text (its Version says
// so), the knobs it sets (not 0). Another tool's knobs are not this
// model's: Stable Diffusion's CFG scale 7 is not a guidance scale that
// suits an autoregressive model of emoji.
func (p Params) WithA1111(a pngmeta.Infotext) Params {
	if a.Imported != "" {
		return p // Tessera's text of an imported picture: no prompt, seed or settings made it
	}
	p.Prompt, p.Negative = a.Prompt, a.Negative
	if !p.SeedLocked {
		p.Seed = a.Seed
	}
	if !a.ByTessera() {
		return p.Clamped()
	}
	for _, sp := range sampling.Knobs() {
		if v := sp.Get(a.Settings); v != 0 && !sp.EditOnly { // an edit model's knobs are not the panel's
			sp.Set(&p.Settings, v)
		}
	}
	return p.Clamped()
}

// MaxNewSeed bounds the seeds NewSeed draws: 32-bit seeds, as other tools
// use, whose ten digits fit in the seed field whole.
const MaxNewSeed = 1 << 32

// NewSeed draws a random seed that fits in the seed field.
func NewSeed() uint64 { return rand.Uint64N(MaxNewSeed) }
