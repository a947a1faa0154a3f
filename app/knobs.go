package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/tessera-studio/tessera/engine/bundle"
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
	edit bool // edit's flags: guidance is on the instruction
	// zeros are the knobs given 0, which the sampler reads as not given:
	// refused once the model, whose default that is, is known (zeroGiven).
	zeros []sampling.Spec
}

// register adds the knobs' flags to fs; seedDefault is −1 (pick one) or a
// fixed seed; edit describes guidance as on the instruction and adds
// the edit-only knobs (--image-guidance).
func (k *knobFlags) register(fs *flag.FlagSet, seedDefault int64, edit bool) {
	k.fs, k.edit = fs, edit
	k.seed = seedValue{value: uint64(max(seedDefault, 0)), pick: seedDefault < 0}
	fs.Var(&k.seed, "seed", "random seed (`int` 0 to 2⁶⁴−1, as images record it; -1: pick one); image (candidate) i of a batch uses seed+i")
	for _, sp := range sampling.Knobs() {
		if sp.EditOnly && !edit || sp.DrawOnly && edit {
			continue
		}
		help := sp.Help
		if edit && sp.EditHelp != "" {
			help = sp.EditHelp
		}
		help += fmt.Sprintf(" (not given: the model's recommended value, config.json tessera.defaults, else %g)", sp.Unset)
		knobFlag(fs, sp, sp.Field(&k.Settings), string(sp.Knob), sp.Unset, help, &k.zeros)
	}
}

// zeroGiven is the usage error for the first knob given 0 on the command
// line where 0 is read as not given (sampling.Spec.ZeroUnset: --guidance 0
// drew at the model's default and recorded 0): it names what not given is
// for model b, its recommended value (config.json tessera.defaults) else
// the knob's own (it said 1 where the edit model's is 1.5). nil when none
// was given 0. conditional is whether b reads a prompt, as for settings.
func (k *knobFlags) zeroGiven(b *bundle.Bundle, conditional bool) error {
	if len(k.zeros) == 0 {
		return nil
	}
	sp := k.zeros[0]
	var none sampling.Settings
	sp.Set(&none, sp.Unset)
	none, _ = none.WithRecommended(b.Model.Config.Recommended(), nil, conditional)
	v := sp.Get(none)
	if v == 0 { // a model's own knob it recommends nothing for
		v = sp.Unset
	}
	return usageError{fmt.Sprintf("--%s: 0 is read as not given, which for model %s is %s: give a value above 0%s", sp.Knob, b.Name, sp.Format(v), zeroHint(sp.Knob, k.edit))}
}

// knobFlag defines flag name for knob sp's field (a *float64 or an *int,
// see sampling.Spec.Field), starting at unset (which the flag also takes);
// a value outside the knob's range fails parsing, as a bad flag does
// (sampling.Spec.Check). A 0 the sampler reads as not given leaves the
// field unset and is added to *zeros, to be refused once the model is
// known (knobFlags.zeroGiven).
func knobFlag(fs *flag.FlagSet, sp sampling.Spec, field any, name string, unset float64, help string, zeros *[]sampling.Spec) {
	switch p := field.(type) {
	case *int:
		*p = int(unset)
	case *float64:
		*p = unset
	}
	typ := "float"
	if sp.Int {
		typ = "int"
	}
	bounds := fmt.Sprintf("%g–%g", sp.Min, sp.Max)
	switch {
	case sp.ZeroUnset && sp.Min == 0:
		bounds = fmt.Sprintf("above 0, up to %g", sp.Max)
	case math.IsInf(sp.Max, 1):
		bounds = fmt.Sprintf("at least %g", sp.Min)
	case sp.MaxOpen:
		bounds = fmt.Sprintf("%g to below %g", sp.Min, sp.Max)
	}
	fs.Var(knobValue{sp, field, unset, zeros}, name, fmt.Sprintf("%s (`%s` %s)", help, typ, bounds))
	// The help's "(default …)" would name the placeholder, not what is
	// used: the help says that.
	fs.Lookup(name).DefValue = knobValue{sp: sp}.String()
}

// knobValue is a knob's flag.Value: the field it sets, checked against the
// knob's range.
type knobValue struct {
	sp    sampling.Spec
	field any // *int or *float64
	unset float64
	zeros *[]sampling.Spec // where a 0 read as not given is noted
}

func (v knobValue) String() string {
	switch p := v.field.(type) {
	case *int:
		if p != nil {
			return strconv.Itoa(*p)
		}
	case *float64:
		if p != nil {
			return strconv.FormatFloat(*p, 'g', -1, 64)
		}
	}
	return "0"
}

func (v knobValue) Set(s string) error {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) { // "1e309" is a number (±Inf): out of range, below
		return errors.New("not a number")
	}
	if err := v.sp.Check(x); err != nil && x != v.unset {
		return err
	}
	if v.sp.ZeroUnset && x == 0 && v.unset != 0 && v.zeros != nil { // (a --default-* flag's 0 is "none recorded")
		// The sampler reads 0 as not given (as records of other tools
		// mean it): --guidance 0 drew at guidance 1 and recorded 0. What
		// not given is depends on the model: refused once it is known.
		if !slices.ContainsFunc(*v.zeros, func(z sampling.Spec) bool { return z.Knob == v.sp.Knob }) {
			*v.zeros = append(*v.zeros, v.sp)
		}
		return nil
	}
	switch p := v.field.(type) {
	case *int:
		if math.Abs(x) > maxIntKnob {
			// int(x) of 2⁶³ is negative: it was refused after the model
			// loaded, as "-9.223372036854776e+18".
			return fmt.Errorf("%s is too large: at most %d", s, int(maxIntKnob))
		}
		*p = int(x)
	case *float64:
		*p = x
	}
	return nil
}

// zeroHint says what a 0 of knob, which reads 0 as unset, may have meant;
// edit: the edit command's (its guidance is on the instruction).
func zeroHint(knob sampling.Knob, edit bool) string {
	switch {
	case knob == sampling.KnobGuidance && !edit:
		return " (1 is off; a sample without the prompt is --prompt \"\")"
	case knob == sampling.KnobGuidance, knob == sampling.KnobImageGuidance:
		return " (1 is off)"
	case knob == sampling.KnobTopP:
		return " (1 is off; a small value such as 0.01 keeps the likeliest codes alone)"
	}
	return ""
}

// maxIntKnob bounds a whole-number knob (top-k): far above any model's
// codes, far below where a float64 stops holding every whole number.
const maxIntKnob = 1 << 30

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

// firstSeed sets *seed, a command's first seed drawn from these knobs, for
// a command whose seeds run from 1 unless --seed says otherwise (sheet,
// eval-prompts, eval-shapes): 1 when --seed is not given; the one picked
// for --seed -1, said on w so that the run can be repeated (--seed -1 drew
// seed 1, where its help says it picks one).
func (k *knobFlags) firstSeed(seed *uint64, w io.Writer) {
	switch {
	case !k.seed.pick:
	case k.fs == nil || !flagsSet(k.fs)["seed"]:
		*seed = 1
	default:
		fmt.Fprintf(w, "note: --seed -1 picked seed %d\n", *seed)
	}
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
	n, err := strconv.ParseUint(v, 10, 64) // decimal: "010" is seed 10, as typed
	if err != nil {
		return errors.New("must be a whole number from 0 to 2⁶⁴−1 (-1: pick one)")
	}
	*s = seedValue{value: n}
	return nil
}
