package pngmeta

import (
	"bytes"
	"image"
	"math"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tessera-studio/tessera/engine/sampling"
)

func sampleParams() Infotext {
	return Infotext{
		Settings:  sampling.Settings{Prompt: "a smiling cat", Negative: "blurry", Seed: 7, Temperature: 1, TopK: 0, TopP: 1, Guidance: 1},
		Width:     64,
		Height:    64,
		Model:     "emoji",
		ModelHash: "1a2b3c4d",
		Version:   "tessera 0.1.0",
	}
}

func TestFormatParameters(t *testing.T) {
	got := FormatParameters(sampleParams())
	want := "a smiling cat\nNegative prompt: blurry\n" +
		"Seed: 7, Temperature: 1.0, Top-k: 0, Top-p: 1.0, Guidance: 1.0, Size: 64x64, Model: emoji, Model hash: 1a2b3c4d, Version: tessera 0.1.0"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if back := ParseParameters(got); !reflect.DeepEqual(back, sampleParams()) {
		t.Errorf("parsed back %+v, want %+v", back, sampleParams())
	}
}

// A NUL in a prompt (read from a crafted record) is written as U+FFFD:
// PNG text holds none, and the encoder refused the whole picture.
func TestFormatParametersWithoutNUL(t *testing.T) {
	p := sampleParams()
	p.Prompt = "red\x00cat"
	got := FormatParameters(p)
	if !strings.HasPrefix(got, "red\uFFFDcat\n") || strings.ContainsRune(got, 0) {
		t.Fatalf("%q", got)
	}
	var buf bytes.Buffer
	if err := Encode(&buf, image.NewNRGBA(image.Rect(0, 0, 2, 2)), map[string]string{KeyParameters: got}); err != nil {
		t.Fatal(err)
	}
}

func TestFormatFloats(t *testing.T) {
	p := Infotext{Settings: sampling.Settings{Prompt: "x", Temperature: 0.95, TopP: 0.9, Guidance: 7.5, TopK: 40, Seed: 18446744073709551615}}
	want := "x\nSeed: 18446744073709551615, Temperature: 0.95, Top-k: 40, Top-p: 0.9, Guidance: 7.5, Guidance min-p: 0.0"
	if got := FormatParameters(p); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	for f, s := range map[float64]string{0: "0.0", 2: "2.0", -3: "-3.0", 1e21: "1000000000000000000000.0", 0.1: "0.1"} {
		if got := formatFloat(f); got != s {
			t.Errorf("formatFloat(%v) = %q, want %q", f, got, s)
		}
	}
}

// Guidance min-p is written whenever guidance applies, 0 (off) included:
// left out, a reader drawing with the settings written got the model's own
// min-p (the emoji model's 0.5) and another picture. Unguided, min-p does
// nothing and is written only when set; either way it reads back.
func TestMinPIsWrittenWhenGuided(t *testing.T) {
	for _, c := range []struct {
		s    sampling.Settings
		want string // "" for no min-p
	}{
		{sampling.Settings{Prompt: "cat", Temperature: 1, TopP: 1, Guidance: 3}, "Guidance min-p: 0.0"},
		{sampling.Settings{Prompt: "cat", Temperature: 1, TopP: 1, Guidance: 3, GuidanceMinP: 0.5}, "Guidance min-p: 0.5"},
		{sampling.Settings{Prompt: "fix", Temperature: 1, TopP: 1, Guidance: 1, ImageGuidance: 1.5}, "Guidance min-p: 0.0"}, // an edit's image guidance
		{sampling.Settings{Prompt: "cat", Temperature: 1, TopP: 1, Guidance: 1}, ""},
		{sampling.Settings{Prompt: "cat", Temperature: 1, TopP: 1, Guidance: 1, GuidanceMinP: 0.2}, "Guidance min-p: 0.2"},
	} {
		p := Infotext{Settings: c.s, Model: "emoji"}
		got := FormatParameters(p)
		if has := strings.Contains(got, "Guidance min-p"); c.want == "" && has || c.want != "" && !strings.Contains(got, ", "+c.want+",") {
			t.Errorf("%+v: %q, want %q", c.s, got, c.want)
		}
		if back := ParseParameters(got); !reflect.DeepEqual(back, p) {
			t.Errorf("%q parsed back as %+v, want %+v", got, back, p)
		}
	}
}

func TestQuoting(t *testing.T) {
	p := Infotext{
		Settings:  sampling.Settings{Prompt: "x"},
		Model:     "a, b: c",
		ModelHash: "line\nbreak",
		Version:   ` padded `,
		Extra:     map[string]string{"Note": `"quoted"`, "Plain": "ok"},
	}
	got := FormatParameters(p)
	want := `x` + "\n" + `Seed: 0, Temperature: 0.0, Top-k: 0, Top-p: 0.0, Guidance: 0.0, Model: "a, b: c", Model hash: "line\nbreak", Version: " padded ", Note: "\"quoted\"", Plain: ok`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if back := ParseParameters(got); !reflect.DeepEqual(back, p) {
		t.Errorf("parsed back %+v, want %+v", back, p)
	}
}

func TestParametersRoundTrip(t *testing.T) {
	for _, p := range []Infotext{
		{},
		{Settings: sampling.Settings{Prompt: "only a prompt"}},
		{Settings: sampling.Settings{Negative: "only a negative"}},
		{Settings: sampling.Settings{Prompt: "line one\nline two\n\nline four", Negative: "neg one\nneg two", Seed: 3}},
		{Settings: sampling.Settings{Prompt: "Seed: 5, Steps: 3", Seed: 9}}, // a prompt that looks like settings
		{Settings: sampling.Settings{Prompt: "猫 and é"}, Model: "model: v2", Extra: map[string]string{"Steps": "20", "Sampler": "Euler a"}},
		{Settings: sampling.Settings{Prompt: " spaced prompt ", Negative: " spaced", TopK: -1, Temperature: 0.7}},
		{Settings: sampling.Settings{Prompt: "trailing newline\n"}, Width: 32, Height: 16},
		{Settings: sampling.Settings{Prompt: "guided", Guidance: 2, GuidanceMinP: 0.25}},
		{Settings: sampling.Settings{Prompt: "in int8", Seed: 4}, Precision: "int8"}, // the sampling arithmetic
	} {
		s := FormatParameters(p)
		if back := ParseParameters(s); !reflect.DeepEqual(back, p) {
			t.Errorf("%q parsed back as %+v, want %+v", s, back, p)
		}
	}
	// Extra keys that could not be parsed back are left out.
	s := FormatParameters(Infotext{Extra: map[string]string{"bad, key": "v", "": "v", "a:b": "v"}})
	if back := ParseParameters(s); back.Extra != nil {
		t.Errorf("bad keys written: %q", s)
	}
}

func TestParseA1111(t *testing.T) {
	s := "a cat\nNegative prompt: dog\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 512x512, Model hash: abc, Model: sd15"
	want := Infotext{
		Settings:  sampling.Settings{Prompt: "a cat", Negative: "dog", Seed: 42, Guidance: 7},
		Width:     512,
		Height:    512,
		Model:     "sd15",
		ModelHash: "abc",
		Extra:     map[string]string{"Steps": "20", "Sampler": "Euler a"},
	}
	if got := ParseParameters(s); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}

	multi := "masterpiece, best quality,\n(a cat:1.2) on a mat\r\nNegative prompt: lowres, bad anatomy\nugly\n" +
		`Steps: 30, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 1234567890, Size: 768x512, ` +
		`Model hash: 6ce0161689, Model: v1-5, Lora hashes: "detail: 1a2b, style: 3c4d", Version: v1.9.4`
	got := ParseParameters(multi)
	if got.Prompt != "masterpiece, best quality,\n(a cat:1.2) on a mat" {
		t.Errorf("prompt %q", got.Prompt)
	}
	if got.Negative != "lowres, bad anatomy\nugly" {
		t.Errorf("negative %q", got.Negative)
	}
	if got.Seed != 1234567890 || got.Guidance != 6.5 || got.Width != 768 || got.Height != 512 || got.Version != "v1.9.4" {
		t.Errorf("settings %+v", got)
	}
	if got.Extra["Lora hashes"] != "detail: 1a2b, style: 3c4d" || got.Extra["Schedule type"] != "Karras" {
		t.Errorf("extra %v", got.Extra)
	}

	// no settings line at all: everything is prompt
	if got := ParseParameters("just words, nothing else"); got.Prompt != "just words, nothing else" || got.Extra != nil {
		t.Errorf("plain prompt parsed as %+v", got)
	}
	// a bad seed is kept rather than lost
	if got := ParseParameters("x\nSeed: -1, Steps: 5"); got.Seed != 0 || got.Extra["Seed"] != "-1" {
		t.Errorf("bad seed parsed as %+v", got)
	}
	// broken quoting: the line is not a settings line
	if got := ParseParameters(`x` + "\n" + `Seed: 1, Model: "unterminated`); got.Seed != 0 {
		t.Errorf("broken settings line parsed as %+v", got)
	}
}

func FuzzParseParameters(f *testing.F) {
	f.Add(FormatParameters(sampleParams()))
	f.Add("a cat\nNegative prompt: dog\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 512x512, Model hash: abc, Model: sd15")
	f.Add(`x` + "\n" + `Seed: 1, Lora hashes: "a: 1, b: 2", Size: 3x4`)
	f.Fuzz(func(t *testing.T, s string) {
		q := ParseParameters(s)
		if strings.ContainsRune(s, '\r') || !utf8.ValidString(s) {
			return // line endings and invalid UTF-8 are normalised, not kept
		}
		r := ParseParameters(FormatParameters(q))
		if math.IsNaN(q.Temperature) || math.IsNaN(q.TopP) || math.IsNaN(q.Guidance) {
			return
		}
		if !reflect.DeepEqual(r, q) {
			t.Errorf("%q parsed as %+v; formatted and parsed again as %+v", s, q, r)
		}
	})
}

// TestImportedInfotext: a picture encoded from another file's pixels says
// so in place of a seed and sampling settings, which nothing used, and the
// line reads back.
func TestImportedInfotext(t *testing.T) {
	rec := Record{Settings: sampling.Settings{Prompt: "not claimed", Seed: 12345, Temperature: 0.8, Guidance: 7},
		Width: 64, Height: 64, Model: "emoji", ModelHash: "e429002de7", Version: "tessera 0.1.0",
		Extra: map[string]any{ExtraImported: "smile, ü 笑.png"}}
	text := Metadata(rec)[KeyParameters]
	want := `Imported from: "smile, ü 笑.png", Size: 64x64, Model: emoji, Model hash: e429002de7, Version: tessera 0.1.0`
	if text != want {
		t.Fatalf("parameters:\n%s\nwant\n%s", text, want)
	}
	back := ParseParameters(text)
	if back.Imported != "smile, ü 笑.png" || back.Seed != 0 || back.Prompt != "" || back.Model != "emoji" || len(back.Extra) != 0 {
		t.Fatalf("read back %+v", back)
	}
	if (&rec).ImportedFrom() != "smile, ü 笑.png" || (&Record{}).ImportedFrom() != "" || (*Record)(nil).ImportedFrom() != "" {
		t.Fatal("ImportedFrom")
	}
}
