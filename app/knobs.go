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
	seed int64 // −1: pick one
	fs   *flag.FlagSet
}

// register adds the knobs' flags to fs; seedDefault is −1 (pick one) or a
// fixed seed; edit describes guidance as on the instruction and adds
// the edit-only knobs (--image-guidance).
func (k *knobFlags) register(fs *flag.FlagSet, seedDefault int64, edit bool) {
	k.fs = fs
	k.seed = seedDefault
	fs.Var(seedFlag{&k.seed}, "seed", "random seed (`int` 0 or more; -1: pick one); image (candidate) i of a batch uses seed+i")
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

// seedFlag is --seed: a whole number, 0 or more, or −1 for "pick one"
// (other negative numbers are refused, not taken as −1).
type seedFlag struct{ p *int64 }

func (s seedFlag) String() string {
	if s.p == nil {
		return "0"
	}
	return strconv.FormatInt(*s.p, 10)
}

func (s seedFlag) Set(v string) error {
	n, err := strconv.ParseInt(v, 0, 64)
	switch {
	case err != nil:
		return errors.New("not a whole number below 2⁶³")
	case n < -1:
		return errors.New("must be 0 or more (-1: pick one)")
	}
	*s.p = n
	return nil
}
