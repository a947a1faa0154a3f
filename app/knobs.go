package app

import (
	"flag"
	"math/rand/v2"

	"github.com/tessera-studio/tessera/engine/sampling"
)

// knobFlags bind the sampling knobs' flags (every row of sampling.Knobs(),
// and the seed) straight into one sampling.Settings, the type the sampler,
// the PNG record and the studio share; a knob added there gets its flag
// here without a line of its own.
type knobFlags struct {
	sampling.Settings
	seed int64 // −1: pick one
	fs   *flag.FlagSet
}

// register adds the knobs' flags to fs; seedDefault is −1 (pick one) or a
// fixed seed; edit describes guidance as on the instruction and adds
// the edit-only knobs (--image-guidance).
func (k *knobFlags) register(fs *flag.FlagSet, seedDefault int64, edit bool) {
	k.fs = fs
	fs.Int64Var(&k.seed, "seed", seedDefault, "random seed; image (candidate) i of a batch uses seed+i (-1: pick one)")
	for _, sp := range sampling.Knobs() {
		if sp.EditOnly && !edit {
			continue
		}
		help := sp.Help
		if edit && sp.EditHelp != "" {
			help = sp.EditHelp
		}
		knobFlag(fs, sp.Field(&k.Settings), string(sp.Knob), sp.Unset, help)
	}
}

// knobFlag defines a flag named name for a knob's field (a *float64 or a
// *int, see sampling.Spec.Field) with default value def.
func knobFlag(fs *flag.FlagSet, field any, name string, def float64, help string) {
	switch p := field.(type) {
	case *int:
		fs.IntVar(p, name, int(def), help)
	case *float64:
		fs.Float64Var(p, name, def, help)
	}
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
