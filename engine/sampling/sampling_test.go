package sampling

import (
	"slices"
	"testing"
)

// The model's recommendations fill the knobs the user did not choose;
// guidance only for a model with prompts; guidance min-p is the model's
// unless chosen, even when it recommends none.
func TestWithRecommended(t *testing.T) {
	user := Settings{Prompt: "cat", Temperature: 0.7, TopK: 5, TopP: 0.9, Guidance: 2, GuidanceMinP: 0.3, Seed: 9}
	r := Recommended{Temperature: 0.8, Guidance: 3, GuidanceMinP: 0.1, ImageGuidance: 1.5}

	got, set := user.WithRecommended(r, nil, true)
	want := Settings{Prompt: "cat", Temperature: 0.8, TopK: 5, TopP: 0.9, Guidance: 3, GuidanceMinP: 0.1, ImageGuidance: 1.5, Seed: 9}
	if got != want || !slices.Equal(set, []Knob{KnobTemperature, KnobGuidance, KnobImageGuidance, KnobGuidanceMinP}) {
		t.Fatalf("nothing chosen: %+v, set %v", got, set)
	}

	chosen := func(k Knob) bool { return k == KnobTemperature || k == KnobGuidanceMinP }
	got, _ = user.WithRecommended(r, chosen, true)
	want = Settings{Prompt: "cat", Temperature: 0.7, TopK: 5, TopP: 0.9, Guidance: 3, GuidanceMinP: 0.3, ImageGuidance: 1.5, Seed: 9}
	if got != want {
		t.Fatalf("temperature and min-p chosen: %+v", got)
	}

	user.ImageGuidance = 2
	got, _ = user.WithRecommended(Recommended{Guidance: 3}, nil, false)
	if got.Guidance != 2 || got.GuidanceMinP != 0 || got.ImageGuidance != 0 {
		t.Fatalf("unconditional model: guidance %g (kept), min-p %g and image guidance %g (the model's: none)", got.Guidance, got.GuidanceMinP, got.ImageGuidance)
	}
	if KnobGuidanceMinP.Label() != "guidance min-p" || KnobTopK.Label() != "top-k" || got.Value(KnobTopK) != 5 {
		t.Fatal("labels and values")
	}
}
