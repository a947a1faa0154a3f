package pngmeta

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/sampling"
)

// TestParseA1111Layouts reads every layout A1111 and the tools copying it
// write: with and without a prompt or a (multi-line) negative prompt,
// quoted values holding escaped or literal line breaks, extra lines after
// the settings line, trailing blank lines, CRLF, and a settings line only
// A1111's lenient pattern reads.
func TestParseA1111Layouts(t *testing.T) {
	a1111 := map[string]string{"Steps": "20", "Sampler": "Euler a"}
	with := func(m map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	for _, c := range []struct {
		name, text string
		want       Infotext
	}{
		{"prompt and settings",
			"a cat\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 512x512",
			Infotext{Settings: sampling.Settings{Prompt: "a cat", Seed: 42, Guidance: 7}, Width: 512, Height: 512, Extra: a1111}},
		{"settings only",
			"Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42",
			Infotext{Settings: sampling.Settings{Seed: 42, Guidance: 7}, Extra: a1111}},
		{"negative prompt without prompt",
			"Negative prompt: ugly\nSteps: 20, Sampler: Euler a, Seed: 42",
			Infotext{Settings: sampling.Settings{Negative: "ugly", Seed: 42}, Extra: a1111}},
		{"multi-line prompt and negative prompt",
			"masterpiece,\n(a cat:1.2)\nNegative prompt: lowres,\nbad anatomy\n\nugly\nSteps: 20, Sampler: Euler a, Seed: 42",
			Infotext{Settings: sampling.Settings{Prompt: "masterpiece,\n(a cat:1.2)", Negative: "lowres,\nbad anatomy\n\nugly", Seed: 42}, Extra: a1111}},
		{"quoted value with an escaped line break (A1111's own writing)",
			`a cat` + "\n" + `Steps: 20, Sampler: Euler a, Wildcard prompt: "a\nb, c", Seed: 42`,
			Infotext{Settings: sampling.Settings{Prompt: "a cat", Seed: 42}, Extra: with(a1111, "Wildcard prompt", "a\nb, c")}},
		{"quoted value with a literal line break",
			"a cat\nNegative prompt: ugly\nSteps: 20, Sampler: Euler a, Wildcard prompt: \"a\nb, c\", Seed: 42, CFG scale: 7",
			Infotext{Settings: sampling.Settings{Prompt: "a cat", Negative: "ugly", Seed: 42, Guidance: 7}, Extra: with(a1111, "Wildcard prompt", "a\nb, c")}},
		{"literal line breaks around settings-like text and an escaped quote",
			"a cat\nSteps: 20, Wildcard prompt: \"x\nSeed: 1, Steps: 2, CFG scale: 3\n\\\"y\\\"\", Sampler: Euler a, Seed: 42",
			Infotext{Settings: sampling.Settings{Prompt: "a cat", Seed: 42}, Extra: with(a1111, "Wildcard prompt", "x\nSeed: 1, Steps: 2, CFG scale: 3\n\"y\"")}},
		{"quoted value that is the whole last part, with a tab",
			"a cat\nSteps: 20, Sampler: Euler a, Seed: 42, Wildcard prompt: \"red\n\tblue\"",
			Infotext{Settings: sampling.Settings{Prompt: "a cat", Seed: 42}, Extra: with(a1111, "Wildcard prompt", "red\n\tblue")}},
		{"extra lines after the settings line (Dynamic Prompts)",
			"a red cat\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, Seed: 7\nTemplate: a {red|blue} cat, 4k\nNegative Template: blurry",
			Infotext{
				Settings: sampling.Settings{Prompt: "a red cat", Negative: "blurry", Seed: 7},
				Extra:    with(a1111, "Template", "a {red|blue} cat, 4k", "Negative Template", "blurry"),
			}},
		{"literal line break and extra lines",
			"a cat\nSteps: 20, Wildcard prompt: \"a\nb\", Sampler: Euler a, Seed: 7\nTemplate: \"x, y\"",
			Infotext{Settings: sampling.Settings{Prompt: "a cat", Seed: 7}, Extra: with(a1111, "Wildcard prompt", "a\nb", "Template", "x, y")}},
		{"trailing blank lines",
			"a cat\nSteps: 20, Sampler: Euler a, Seed: 3\n\n \n",
			Infotext{Settings: sampling.Settings{Prompt: "a cat", Seed: 3}, Extra: a1111}},
		{"CRLF",
			"a cat\r\nNegative prompt: dog\r\nSteps: 20, Sampler: Euler a, Wildcard prompt: \"a\r\nb\", Seed: 3",
			Infotext{Settings: sampling.Settings{Prompt: "a cat", Negative: "dog", Seed: 3}, Extra: with(a1111, "Wildcard prompt", "a\nb")}},
		{"unquoted commas only A1111's lenient pattern reads",
			"a cat\nSteps: 20, Sampler: Euler a, Lora: x, y, Seed: 5",
			Infotext{Settings: sampling.Settings{Prompt: "a cat", Seed: 5}, Extra: with(a1111, "Lora", "x")}},
		{"a prompt line that looks like settings",
			"Seed: 5, Steps: 3\nSteps: 20, Sampler: Euler a, Seed: 9",
			Infotext{Settings: sampling.Settings{Prompt: "Seed: 5, Steps: 3", Seed: 9}, Extra: a1111}},
		{"no settings: a last line with one unknown pair stays prompt",
			"a cat\nstyle: oil",
			Infotext{Settings: sampling.Settings{Prompt: "a cat\nstyle: oil"}}},
		{"no settings: an unterminated quote",
			"a cat\nSeed: 1, Model: \"never closed\nmore",
			Infotext{Settings: sampling.Settings{Prompt: "a cat\nSeed: 1, Model: \"never closed\nmore"}}},
	} {
		got := ParseParameters(c.text)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
			continue
		}
		// What was read writes back in a form that reads the same.
		if back := ParseParameters(FormatParameters(got)); !reflect.DeepEqual(back, got) {
			t.Errorf("%s: formatted and parsed again as %+v", c.name, back)
		}
	}
}

// TestParseHostileSettingsIsBounded: many lines opening quotes that never
// close do not make parsing quadratic.
func TestParseHostileSettingsIsBounded(t *testing.T) {
	s := strings.Repeat("Seed: \"x\n", 200000)
	if got := ParseParameters(s); got.Seed != 0 || !strings.HasPrefix(got.Prompt, "Seed:") {
		t.Errorf("parsed %+v", got.Seed)
	}
}

func TestValidKeyFollowsA1111(t *testing.T) {
	for k, want := range map[string]bool{
		"Seed": true, "Top-k": true, "Model hash": true, "Hires upscaler/x": true, "猫 key": true, "_x": true,
		"S": false, "": false, " Seed": false, "-k": false, "a.b": false, "a:b": false, `a"b`: false, "a,b": false,
	} {
		if got := validKey(k); got != want {
			t.Errorf("validKey(%q) = %v, want %v", k, got, want)
		}
	}
}

func TestParseParametersSet(t *testing.T) {
	p, set := ParseParametersSet("a cat\nSteps: 20, Seed: 0, CFG scale: 7\nTemplate: x")
	if p.Seed != 0 || !set["Seed"] || !set["Steps"] || !set["CFG scale"] || !set["Template"] || len(set) != 4 {
		t.Errorf("%+v %v", p, set)
	}
	if _, set := ParseParametersSet("just a prompt"); len(set) != 0 {
		t.Errorf("prompt only: %v", set)
	}
}
