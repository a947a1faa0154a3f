package app

import (
	"errors"
	"flag"
	"math/rand/v2"
	"strconv"

	"github.com/tessera-studio/tessera/engine/sampling"
)

// knobFlags bind the sampling knobs' flags (every row of sampling.Knobs(),
// and the seed) straight into one sampling.Settings, the type the sampler,
// the PNG record and the studio share; a knob added there gets its flag
// here without a line of its own.
type knobFlags struct {
	sampling.Settings
	seed seedValue
	fs   *flag.FlagSet
}

// register adds the knobs' flags to fs; seedDefault is −1 (pick one) or a
// fixed seed; edit describes guidance as on the instruction and adds
// the edit-only knobs (--image-guidance).
func (k *knobFlags) register(fs *flag.FlagSet, seedDefault int64, edit bool) {
	k.fs = fs
	k.seed = seedValue{value: uint64(max(seedDefault, 0)), pick: seedDefault < 0}
	fs.Var(&k.seed, "seed", "random seed (`int` 0 to 2⁶⁴−1, as images record it; -1: pick one); image (candidate) i of a batch uses seed+i")
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
	s.Seed = k.seed.value
	if k.seed.pick {
		s.Seed = rand.Uint64() >> 32
	}
	set := map[string]bool{}
	if k.fs != nil {
		set = flagsSet(k.fs)
	}
	s, _ = s.WithRecommended(r, func(knob sampling.Knob) bool { return set[string(knob)] }, conditional)
	return s
}

// seedValue is --seed: a seed from 0 to 2⁶⁴−1 (a batch's images record
// seed+i, which may pass 2⁶³), or pick, for −1 ("pick one"; other negative
// numbers are refused, not taken as −1).
type seedValue struct {
	value uint64
	pick  bool
}

func (s *seedValue) String() string {
	if s == nil || s.pick {
		return "-1"
	}
	return strconv.FormatUint(s.value, 10)
}

func (s *seedValue) Set(v string) error {
	if v == "-1" {
		*s = seedValue{pick: true}
		return nil
	}
	n, err := strconv.ParseUint(v, 0, 64)
	if err != nil {
		return errors.New("must be a whole number from 0 to 2⁶⁴−1 (-1: pick one)")
	}
	*s = seedValue{value: n}
	return nil
}
