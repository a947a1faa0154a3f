package sampling

import (
	"math"
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
	if got != want || !slices.Equal(set, []Knob{KnobTemperature, KnobGuidance, KnobGuidanceMinP, KnobImageGuidance}) {
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

// Every row of Knobs reads and writes its own field of Settings and of
// Recommended, and checks its range.
func TestKnobTable(t *testing.T) {
	seen := map[Knob]bool{}
	for i, sp := range Knobs() {
		if seen[sp.Knob] || sp.Label == "" || sp.Infotext == "" || sp.Help == "" {
			t.Fatalf("row %d (%s): duplicate or unnamed", i, sp.Knob)
		}
		seen[sp.Knob] = true
		var s Settings
		var r Recommended
		v := float64(i + 2)
		if sp.Max <= 1 {
			v = 0.25
			if sp.Int {
				v = 1 // an on/off knob
			}
		}
		sp.Set(&s, v)
		sp.SetRecommended(&r, v)
		for _, other := range Knobs() {
			want := 0.0
			if other.Knob == sp.Knob {
				want = v
			}
			if other.Get(s) != want || other.Recommended(r) != want {
				t.Fatalf("setting %s changed %s: %g, %g", sp.Knob, other.Knob, other.Get(s), other.Recommended(r))
			}
		}
		if err := sp.Check(v); err != nil {
			t.Fatalf("%s %g: %v", sp.Knob, v, err)
		}
		if sp.Check(-1) == nil || sp.Check(math.NaN()) == nil {
			t.Fatalf("%s takes -1 or NaN", sp.Knob)
		}
	}
	topK, _ := SpecOf(KnobTopK)
	if topK.Check(3e9) != nil || topK.Check(2.5) == nil || topK.Format(3e9) != "3000000000" {
		t.Error("top-k: any whole number of codes from 0 up")
	}
	minP, _ := SpecOf(KnobGuidanceMinP)
	temp, _ := SpecOf(KnobTemperature)
	if minP.Clamp(1) != 0 || minP.Clamp(-2) != 0 || temp.Clamp(500) != 100 || temp.Clamp(math.NaN()) != 1 || topK.Clamp(-4) != 0 {
		t.Error("clamping")
	}
	if err := (Settings{Temperature: 1, TopP: 1, GuidanceMinP: 1}).Check(); err == nil || err.Error() != "guidance min-p 1 must be in [0, 1)" {
		t.Fatalf("min-p 1: %v", err)
	}
}

// Varied turns guidance off and warms the temperature by 0.4 from at
// least 0.8, up to VariedMaxTemperature, never cooling a hotter setting.
func TestVaried(t *testing.T) {
	for _, c := range []struct {
		temp, guidance, want float64
		ok                   bool
	}{
		{0.8, 3, 1.2, true}, {0.1, 1, 1.2, true}, {1.2, 3, 1.6, true}, {1.5, 2, 1.6, true}, {1.6, 1, 1.6, false}, {1.9, 2, 1.9, true}, {1.9, 1, 1.9, false}, {2.5, 3, 2.5, true}, {2.5, 1, 2.5, false},
	} {
		v, ok := Settings{Temperature: c.temp, Guidance: c.guidance}.Varied()
		if v.Temperature != c.want || v.Guidance != 1 || ok != c.ok {
			t.Errorf("temperature %g guidance %g: %g, %g, %v; want %g, 1, %v", c.temp, c.guidance, v.Temperature, v.Guidance, ok, c.want, c.ok)
		}
	}
}

// Check's messages give the value as typed and the range as it is: a whole
// number's fraction is not cut off ("style per seed 1 must be in [0, 1]"
// for 1.5), and a knob that reads 0 as not given excludes 0 ("[0, 1]" for
// top-p, which refuses 0).
func TestCheckSaysTheRange(t *testing.T) {
	for _, c := range []struct {
		k    Knob
		v    float64
		want string
	}{
		{KnobStylePerSeed, 1.5, "style per seed 1.5 must be a whole number from 0 to 1"},
		{KnobStylePerSeed, 2, "style per seed 2 must be a whole number from 0 to 1"},
		{KnobTopK, 2.7, "top-k 2.7 must be a whole number of at least 0"},
		{KnobTopP, -1, "top-p -1 must be in (0, 1]"},
		{KnobTemperature, -1, "temperature -1 must be in [0, 100]"},
	} {
		sp, ok := SpecOf(c.k)
		if !ok {
			t.Fatalf("no spec for %v", c.k)
		}
		if err := sp.Check(c.v); err == nil || err.Error() != c.want {
			t.Errorf("%v %g: %v, want %q", c.k, c.v, err, c.want)
		}
	}
}
