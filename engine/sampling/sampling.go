// Package sampling holds the one type of sampling settings that the
// sampler reads (sampler.Options), the PNG record stores (pngmeta.Record,
// pngmeta.Infotext), the studio shows (ui.Params) and the command line
// sets, and the one rule that merges a model's recommended settings
// (config.json tessera.defaults) with the user's choices.
//
// A new knob is a field of Settings (and of Recommended when a model can
// recommend it), a Knob name, a line in WithRecommended, and its use in the
// sampler; the CLI flag and the studio control follow.
package sampling

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
	// Seed: image i of a batch uses Seed+i.
	Seed uint64 `json:"seed"`
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
}

// Knob names a setting a user can choose, as its command-line flag is
// named.
type Knob string

// The knobs a model can recommend.
const (
	KnobTemperature   Knob = "temperature"
	KnobTopK          Knob = "top-k"
	KnobTopP          Knob = "top-p"
	KnobGuidance      Knob = "guidance"
	KnobGuidanceMinP  Knob = "guidance-min-p"
	KnobImageGuidance Knob = "image-guidance"
)

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
	var set []Knob
	take := func(k Knob, has bool, apply func()) {
		if has && !chosen(k) {
			apply()
			set = append(set, k)
		}
	}
	take(KnobTemperature, r.Temperature > 0, func() { s.Temperature = r.Temperature })
	take(KnobTopK, r.TopK > 0, func() { s.TopK = r.TopK })
	take(KnobTopP, r.TopP > 0, func() { s.TopP = r.TopP })
	take(KnobGuidance, r.Guidance > 0 && conditional, func() { s.Guidance = r.Guidance })
	own := func(k Knob, v float64, dst *float64) {
		if !chosen(k) {
			*dst = v
			if v > 0 {
				set = append(set, k)
			}
		}
	}
	own(KnobImageGuidance, r.ImageGuidance, &s.ImageGuidance)
	own(KnobGuidanceMinP, r.GuidanceMinP, &s.GuidanceMinP)
	return s, set
}

// Value is knob k's value in s, for messages.
func (s Settings) Value(k Knob) float64 {
	switch k {
	case KnobTemperature:
		return s.Temperature
	case KnobTopK:
		return float64(s.TopK)
	case KnobTopP:
		return s.TopP
	case KnobGuidance:
		return s.Guidance
	case KnobGuidanceMinP:
		return s.GuidanceMinP
	case KnobImageGuidance:
		return s.ImageGuidance
	}
	return 0
}

// Label names knob k in messages: "temperature", "top-k", "top-p",
// "guidance", "guidance min-p", "image guidance".
func (k Knob) Label() string {
	switch k {
	case KnobGuidanceMinP:
		return "guidance min-p"
	case KnobImageGuidance:
		return "image guidance"
	}
	return string(k)
}
