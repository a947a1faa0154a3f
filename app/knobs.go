package app

import (
	"flag"
	"math/rand/v2"

	"github.com/tessera-studio/tessera/engine/sampling"
)

// knobFlags bind the sampling knobs' flags (temperature, top-k, top-p,
// guidance, guidance min-p, seed; image guidance for edits) straight into
// one sampling.Settings, the type the sampler, the PNG record and the
// studio share; a knob added there gets its flag here.
type knobFlags struct {
	sampling.Settings
	seed int64 // −1: pick one
	fs   *flag.FlagSet
}

// register adds the knobs' flags to fs; seedDefault is −1 (pick one) or a
// fixed seed; edit describes guidance as on the instruction and adds
// --image-guidance.
func (k *knobFlags) register(fs *flag.FlagSet, seedDefault int64, edit bool) {
	k.fs = fs
	fs.Int64Var(&k.seed, "seed", seedDefault, "random seed; image (candidate) i of a batch uses seed+i (-1: pick one)")
	fs.Float64Var(&k.Temperature, string(sampling.KnobTemperature), 1, "sampling temperature (0 = greedy)")
	fs.IntVar(&k.TopK, string(sampling.KnobTopK), 0, "sample only from the K most likely codes (0 = all)")
	fs.Float64Var(&k.TopP, string(sampling.KnobTopP), 1, "sample from the smallest set of codes with this total probability")
	if edit {
		fs.Float64Var(&k.Guidance, string(sampling.KnobGuidance), 1, "guidance on the instruction (InstructPix2Pix's s_T; 1 = off)")
		fs.Float64Var(&k.ImageGuidance, string(sampling.KnobImageGuidance), 1, "guidance on the source image (InstructPix2Pix's s_I; 1 = off)")
	} else {
		fs.Float64Var(&k.Guidance, string(sampling.KnobGuidance), 1, "classifier-free guidance scale (1 = off)")
	}
	fs.Float64Var(&k.GuidanceMinP, string(sampling.KnobGuidanceMinP), 0, "let guidance pick only codes at least this fraction as likely as the prompt's top code (0 = off)")
}

// settings are the knobs as set: a seed picked if none was given, and the
// model's recommendation r (config.json tessera.defaults) for every knob
// not set on the command line (sampling.Settings.WithRecommended);
// guidance only for a model that reads prompts (conditional).
func (k *knobFlags) settings(r sampling.Recommended, conditional bool) sampling.Settings {
	s := k.Settings
	s.Seed = uint64(k.seed)
	if k.seed < 0 {
		s.Seed = rand.Uint64() >> 32
	}
	set := map[string]bool{}
	if k.fs != nil {
		set = flagsSet(k.fs)
	}
	s, _ = s.WithRecommended(r, func(knob sampling.Knob) bool { return set[string(knob)] }, conditional)
	return s
}
