// Package sampling holds the one type of sampling settings that the
// sampler reads (sampler.Options), the PNG record stores (pngmeta.Record,
// pngmeta.Infotext), the studio shows (ui.Params) and the command line
// sets, and the one rule that merges a model's recommended settings
// (config.json tessera.defaults) with the user's choices.
//
// A new knob is a field of Settings and of Recommended, a row of Knobs
// (its name, help, range and A1111 key), its use in the sampler and its
// control in the studio's panel. Everything that handles every knob (the
// command-line flags and --default-* flags, validation, WithRecommended,
// the A1111 settings line, model cards, branching from a PNG's record)
// loops over Knobs.
package sampling

import (
	"fmt"
	"math"
	"slices"
)

// Settings are how images are sampled. Its JSON names are those of the
// "tessera" PNG record and of the studio's saved parameters.
type Settings struct {
	// Prompt is the text prompt (conditional models; an edit model's
	// instruction).
	Prompt string `json:"prompt"`
	// Negative is the negative prompt; "" means the unconditional (all-PAD)
	// prompt.
	Negative string `json:"negative,omitempty"`
	// Temperature divides the logits; 0 (below the sampler's
	// GreedyTemperature) is greedy. It is not a "use the default" value.
	Temperature float64 `json:"temperature"`
	// TopK keeps the K most likely codes (0 = all).
	TopK int `json:"top_k"`
	// TopP keeps the smallest set of codes whose probability reaches P (1 =
	// all).
	TopP float64 `json:"top_p"`
	// Guidance is the classifier-free guidance scale: logits = neg +
	// G·(cond − neg); 1 (or 0) disables it. For an edit model it is
	// InstructPix2Pix's s_T, the scale on the instruction.
	Guidance float64 `json:"guidance"`
	// GuidanceMinP, in (0, 1), lets guidance choose only among codes whose
	// conditional probability is at least GuidanceMinP times the most
	// likely code's (0 = off).
	GuidanceMinP float64 `json:"guidance_min_p,omitempty"`
	// ImageGuidance is an edit model's guidance scale on the source image
	// (InstructPix2Pix's s_I; 0 or 1 = off).
	ImageGuidance float64 `json:"image_guidance,omitempty"`
	// StylePerSeed, 1 for a model with style words (config
	// tessera.style_words), draws a style for each image whose prompt
	// names none: seed s goes round the styles from words[s mod n],
	// skipping those the model draws the prompt badly in (sampler's
	// generateStyled), so that seeds give different pictures of one
	// prompt. 0 leaves the style to the model. Only new images (generate)
	// draw one; regenerating, completing or branching an image keeps its
	// prompt.
	StylePerSeed int `json:"style_per_seed,omitempty"`
	// Seed: image i of a batch uses Seed+i.
	Seed uint64 `json:"seed"`
}

// MinPLimitsVariety reports whether guidance min-p, not the temperature,
// bounds how varied the pictures drawn with s are: under guidance it rules
// out the codes the conditional distribution finds less than GuidanceMinP
// times as likely as its likeliest before the temperature applies
// (sampler's cutBelowMinP), so where a model is sure of a patch one code
// is left at any temperature.
func (s Settings) MinPLimitsVariety() bool {
	return s.Temperature > 0 && s.Guided() && s.GuidanceMinP > 0 && s.GuidanceMinP < 1
}

// Guided reports whether s guides, as the sampler guides: a guidance scale
// other than 0 and 1 (off), or an edit model's image guidance above 1.
// Guidance min-p then applies, and its value, 0 (off) included, is one of
// the settings that drew a picture.
func (s Settings) Guided() bool {
	return s.Guidance != 0 && s.Guidance != 1 || s.ImageGuidance > 1
}

// Recommended are a model's recommended settings (config.json
// tessera.defaults); zero fields recommend nothing.
type Recommended struct {
	Temperature   float64 `json:"temperature,omitempty"`
	TopK          int     `json:"top_k,omitempty"`
	TopP          float64 `json:"top_p,omitempty"`
	Guidance      float64 `json:"guidance,omitempty"`
	GuidanceMinP  float64 `json:"guidance_min_p,omitempty"`
	ImageGuidance float64 `json:"image_guidance,omitempty"`
	StylePerSeed  int     `json:"style_per_seed,omitempty"`
	// RankBy is how the model's batches are best ordered best first (a
	// sampler.RankBy name: "likelihood", "prompt-gain", "description"; ""
	// recommends nothing: likelihood). It is no knob of Settings: the
	// studio and `generate --rank` apply it.
	RankBy string `json:"rank_by,omitempty"`
}

// Knob names a setting a user can choose, as its command-line flag is
// named.
type Knob string

// The knobs, by flag name.
const (
	KnobTemperature   Knob = "temperature"
	KnobTopK          Knob = "top-k"
	KnobTopP          Knob = "top-p"
	KnobGuidance      Knob = "guidance"
	KnobGuidanceMinP  Knob = "guidance-min-p"
	KnobImageGuidance Knob = "image-guidance"
	KnobStylePerSeed  Knob = "style-per-seed"
)

// Spec describes one knob: its names, its help, the values it takes and
// how a model's recommendation applies to it, with accessors to its field
// in Settings and Recommended (integer knobs are read and written as
// float64).
type Spec struct {
	Knob Knob
	// Label names it in messages ("guidance min-p").
	Label string
	// Infotext is its key in A1111's settings line ("Top-p"); Optional
	// knobs are written there only when not zero.
	Infotext string
	Optional bool
	// Help is the command-line help; EditHelp replaces it for edit models.
	// EditOnly knobs are flags of edit commands only, DrawOnly ones of
	// drawing commands only.
	Help, EditHelp     string
	EditOnly, DrawOnly bool
	// Unset is the value of a knob not given (the flag's default).
	Unset float64
	// Min and Max bound the values the sampler takes; MaxOpen excludes Max.
	Min, Max float64
	MaxOpen  bool
	// Int: the knob takes whole numbers.
	Int bool
	// ZeroUnset: 0 is not a value but "unset" (the sampler's default), as
	// in records of other tools (top-p, guidance); a 0 temperature is greedy.
	ZeroUnset bool
	// Conditional knobs are recommended only to models that read a prompt.
	Conditional bool
	// Own knobs belong to the model: unchosen, they take the model's
	// recommendation even when that is 0 (off), since a value tuned for one
	// model means nothing for another.
	Own bool

	field func(*Settings) any    // *float64 or *int
	rec   func(*Recommended) any // *float64 or *int
}

// MaxPatchTemperature is the hottest temperature one patch may be drawn at
// (a temperature map's entry: the studio's temperature brush,
// sampler.Options.PatchTemperature, a record's patch_temperature).
const MaxPatchTemperature = 100

// VariedMaxTemperature is the highest temperature Varied raises to. The
// emoji model branched halfway down a memorised picture at guidance 1
// drew a cat's lower half as plausible variations at 1.2, one broken
// one of four at 1.6 and two of three at 2 (the fourth unchanged): a
// picture given back is better than a broken one, so it stops at 1.6.
const VariedMaxTemperature = 1.6

// Varied is s for drawing again with more variation a regeneration,
// completion or branch that gave back the image it started from: guidance
// off and 0.4 more temperature (from at least 0.8, at most
// VariedMaxTemperature), rounded to hundredths (0.8 + 0.4 is
// 1.2000000000000002 in binary, and records would say so). A model that
// knows its pictures by heart redraws their patches exactly at its
// defaults (the emoji model at temperature 0.8 and guidance 3), which made
// the tools meant to vary a picture do nothing. ok is false when there is
// no more variation to add.
func (s Settings) Varied() (v Settings, ok bool) {
	v = s
	v.Guidance = 1
	v.Temperature = math.Max(s.Temperature, math.Round(100*math.Min(VariedMaxTemperature, math.Max(s.Temperature, 0.8)+0.4))/100) // never cooler
	return v, v.Guidance != s.Guidance || v.Temperature != s.Temperature
}

// Knobs returns every knob, in the order of A1111's settings line.
func Knobs() []Spec { return slices.Clone(knobs) }

// knobs is the table Knobs returns.
var knobs = []Spec{
	{Knob: KnobTemperature, Label: "temperature", Infotext: "Temperature", Help: "sampling temperature (0 = greedy)",
		Unset: 1, Min: 0, Max: 100,
		field: func(s *Settings) any { return &s.Temperature }, rec: func(r *Recommended) any { return &r.Temperature }},
	{Knob: KnobTopK, Label: "top-k", Infotext: "Top-k", Help: "sample only from the K most likely codes (0 = all)",
		Min: 0, Max: math.Inf(1), Int: true,
		field: func(s *Settings) any { return &s.TopK }, rec: func(r *Recommended) any { return &r.TopK }},
	{Knob: KnobTopP, Label: "top-p", Infotext: "Top-p", Help: "sample from the smallest set of codes with this total probability",
		Unset: 1, Min: 0, Max: 1, ZeroUnset: true,
		field: func(s *Settings) any { return &s.TopP }, rec: func(r *Recommended) any { return &r.TopP }},
	{Knob: KnobGuidance, Label: "guidance", Infotext: "Guidance", Help: "classifier-free guidance scale (1 = off)",
		EditHelp: "guidance on the instruction (InstructPix2Pix's s_T; 1 = off)", Unset: 1, Min: 0, Max: 100, Conditional: true, ZeroUnset: true,
		field: func(s *Settings) any { return &s.Guidance }, rec: func(r *Recommended) any { return &r.Guidance }},
	{Knob: KnobGuidanceMinP, Label: "guidance min-p", Infotext: "Guidance min-p", Optional: true,
		Help: "let guidance pick only codes at least this fraction as likely as the prompt's top code (0 = off)",
		Min:  0, Max: 1, MaxOpen: true, Own: true,
		field: func(s *Settings) any { return &s.GuidanceMinP }, rec: func(r *Recommended) any { return &r.GuidanceMinP }},
	{Knob: KnobImageGuidance, Label: "image guidance", Infotext: "Image guidance", Optional: true,
		Help: "guidance on the source image (InstructPix2Pix's s_I; 1 = off)", EditOnly: true, Unset: 1, Min: 0, Max: 100, Own: true, ZeroUnset: true,
		field: func(s *Settings) any { return &s.ImageGuidance }, rec: func(r *Recommended) any { return &r.ImageGuidance }},
	{Knob: KnobStylePerSeed, Label: "style per seed", Infotext: "Style per seed", Optional: true,
		Help: "1: for a prompt that names no style, draw each image's style from its seed (models with style words, e.g. emoji); 0: the model picks",
		Min:  0, Max: 1, Int: true, Conditional: true, Own: true, DrawOnly: true,
		field: func(s *Settings) any { return &s.StylePerSeed }, rec: func(r *Recommended) any { return &r.StylePerSeed }},
}

// SpecOf is knob k's row of Knobs.
func SpecOf(k Knob) (Spec, bool) {
	for _, sp := range knobs {
		if sp.Knob == k {
			return sp, true
		}
	}
	return Spec{}, false
}

func get(p any) float64 {
	if i, ok := p.(*int); ok {
		return float64(*i)
	}
	return *p.(*float64)
}

func set(p any, v float64) {
	if i, ok := p.(*int); ok {
		*i = int(v)
		return
	}
	*p.(*float64) = v
}

// Said reports whether the knob is written among s's settings (A1111's
// settings line, info's settings): every knob but the Optional ones at 0,
// and guidance min-p whenever s guides (Guided), 0 included: left out, a
// reader drawing with the settings written gets the model's own min-p
// (the emoji model's 0.5) and another picture.
func (sp Spec) Said(s Settings) bool {
	return !sp.Optional || sp.Get(s) != 0 || sp.Knob == KnobGuidanceMinP && s.Guided()
}

// Get is the knob's value in s.
func (sp Spec) Get(s Settings) float64 { return get(sp.field(&s)) }

// Set sets the knob's value in s.
func (sp Spec) Set(s *Settings, v float64) { set(sp.field(s), v) }

// Recommended is the knob's value in r (0: nothing recommended).
func (sp Spec) Recommended(r Recommended) float64 { return get(sp.rec(&r)) }

// SetRecommended sets the knob's value in r.
func (sp Spec) SetRecommended(r *Recommended, v float64) { set(sp.rec(r), v) }

// Field is the knob's field in s: a *float64, or a *int for an Int knob
// (for flag.Float64Var and flag.IntVar).
func (sp Spec) Field(s *Settings) any { return sp.field(s) }

// RecommendedField is the knob's field in r, as Field.
func (sp Spec) RecommendedField(r *Recommended) any { return sp.rec(r) }

// Format writes v as the knob's values are written ("5", "0.9").
func (sp Spec) Format(v float64) string {
	if sp.Int && v == math.Trunc(v) && math.Abs(v) < 1<<53 {
		return fmt.Sprint(int64(v))
	}
	return fmt.Sprint(v)
}

// Check says why v is outside the knob's range (nil when it is inside).
func (sp Spec) Check(v float64) error {
	hi := "]"
	if sp.MaxOpen {
		hi = ")"
	}
	if math.IsNaN(v) || v < sp.Min || v > sp.Max || sp.MaxOpen && v >= sp.Max || sp.Int && v != math.Trunc(v) {
		if math.IsInf(sp.Max, 1) {
			return fmt.Errorf("%s %s must be a whole number of at least %g", sp.Label, sp.Format(v), sp.Min)
		}
		if sp.Int {
			return fmt.Errorf("%s %s must be a whole number from %g to %g", sp.Label, sp.Format(v), sp.Min, sp.Max)
		}
		lo := "["
		if sp.ZeroUnset && sp.Min == 0 {
			lo = "(" // 0 is read as not given: it said "[0, 1]" and refused 0
		}
		return fmt.Errorf("%s %s must be in %s%g, %g%s", sp.Label, sp.Format(v), lo, sp.Min, sp.Max, hi)
	}
	return nil
}

// Clamp pulls v into the knob's range: NaN becomes Unset, a value below
// Min becomes Min, above Max becomes Max (Unset when Max is excluded).
func (sp Spec) Clamp(v float64) float64 {
	switch {
	case math.IsNaN(v):
		return sp.Unset
	case v < sp.Min:
		return sp.Min
	case sp.MaxOpen && v >= sp.Max:
		return sp.Unset
	case v > sp.Max:
		return sp.Max
	}
	if sp.Int {
		return math.Trunc(v)
	}
	return v
}

// Check says which knob of s is out of its range (nil when none is).
func (s Settings) Check() error {
	for _, sp := range knobs {
		if err := sp.Check(sp.Get(s)); err != nil {
			return err
		}
	}
	return nil
}

// WithRecommended returns s with the model's recommendation r for every
// knob the user did not choose (chosen reports which they did; nil: none):
// a value r recommends replaces s's; guidance only for a model that reads
// a prompt (conditional). Guidance min-p and image guidance belong to the
// model: unchosen, they are r's values, recommended or not (0), since a
// cut tuned for one model means nothing for another and only an edit model
// has a source image. It returns the knobs it set from r.
func (s Settings) WithRecommended(r Recommended, chosen func(Knob) bool, conditional bool) (Settings, []Knob) {
	if chosen == nil {
		chosen = func(Knob) bool { return false }
	}
	var took []Knob
	for _, sp := range knobs {
		v := sp.Recommended(r)
		switch {
		case chosen(sp.Knob):
		case sp.Own:
			sp.Set(&s, v)
			if v > 0 {
				took = append(took, sp.Knob)
			}
		case v > 0 && (conditional || !sp.Conditional):
			sp.Set(&s, v)
			took = append(took, sp.Knob)
		}
	}
	return s, took
}

// Value is knob k's value in s, for messages.
func (s Settings) Value(k Knob) float64 {
	if sp, ok := SpecOf(k); ok {
		return sp.Get(s)
	}
	return 0
}

// Label names knob k in messages: "temperature", "top-k", "top-p",
// "guidance", "guidance min-p", "image guidance".
func (k Knob) Label() string {
	if sp, ok := SpecOf(k); ok {
		return sp.Label
	}
	return string(k)
}
