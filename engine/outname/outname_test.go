package outname

import (
	"strings"
	"testing"
	"time"
)

// Every name Base writes is read back as it was, whatever the prompt's
// words look like (a word that looks like a seed or a number stays a word).
func TestParseReadsWhatBaseWrites(t *testing.T) {
	made := time.Date(2026, 12, 3, 11, 32, 22, 0, time.Local)
	for _, n := range []Name{
		{Made: made, Words: "rocket-fluent-flat", Seed: 7},
		{Made: made, Seed: 10},
		{Made: made, Seed: 10, N: 2},
		{Made: made, Words: "plan-s5", Seed: 1787067611, N: 3},
		{Made: made, Words: "rocket-2", Seed: 0},
		{Made: made, Words: "s1-2", Seed: 4},
	} {
		base := n.Base()
		for _, name := range []string{base, base + ".png"} {
			got, ok := Parse(name)
			if !ok || got.Made.Format(TimeLayout) != n.Made.Format(TimeLayout) || got.Words != n.Words || got.Seed != n.Seed || got.N != n.N {
				t.Errorf("Parse(%q) = %+v, %v; want %+v", name, got, ok, n)
			}
		}
	}
}

// The clock in a name is read as written, whatever the zone here: in
// New York's local time 02:30 on 8 March 2026 does not exist (the clocks
// went from 02:00 to 03:00), and a local reading moved it to 01:30.
func TestParseKeepsTheClock(t *testing.T) {
	n, ok := Parse("tessera-20260308-023000-s7.png")
	if !ok || n.Made.Format("2006-01-02 15:04:05") != "2026-03-08 02:30:00" {
		t.Errorf("Parse: %v, %v; want the clock 2026-03-08 02:30:00", n.Made, ok)
	}
}

func TestParseRefusesOtherNames(t *testing.T) {
	for _, name := range []string{
		"holiday.png",
		"tessera-20261128-204122-sunflower.png", // the seed cut off
		"tessera-2026112-204122-s1.png",
		"tessera-20261328-204122-s1.png", // no 13th month
		"tessera-20261128-204122-s.png",
		"tessera-20261128-204122-s99999999999999999999999.png", // past uint64
		"Tessera-20261128-204122-s1.png",
	} {
		if n, ok := Parse(name); ok {
			t.Errorf("Parse(%q) = %+v, want no output name", name, n)
		}
	}
}

func TestBase(t *testing.T) {
	made := time.Date(2026, 12, 3, 11, 32, 22, 0, time.UTC)
	for _, c := range []struct {
		prompt string
		want   string
	}{
		{"rocket fluent flat", "tessera-20261203-113222-rocket-fluent-flat-s7"},
		{"  Smiling face, with heart-shaped eyes & more words", "tessera-20261203-113222-smiling-face-with-heart-shaped-s7"},
		{"", "tessera-20261203-113222-s7"},
		{"🚀", "tessera-20261203-113222-s7"},
		{"pneumonoultramicroscopicsilicovolcanoconiosis is quite a word", "tessera-20261203-113222-pneumonoultramicroscopic-is-quite-a-word-s7"},
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb cccccccccccccccccccccccc", "tessera-20261203-113222-aaaaaaaaaaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbbbbbbbbbb-cccccccccc-s7"},
	} {
		if got := (Name{Made: made, Words: Words(c.prompt), Seed: 7}).Base(); got != c.want {
			t.Errorf("%q: %q, want %q", c.prompt, got, c.want)
		}
	}
}

func TestTimeKey(t *testing.T) {
	for name, want := range map[string]string{
		"tessera-20261128-204122-s10-2.png":     "tessera-20261128-204122",
		"tessera-20261128-204122-sunflower.png": "tessera-20261128-204122",
		"tessera-20261328-204122-s1.png":        "",
		"holiday.png":                           "",
	} {
		if got := TimeKey(name); got != want {
			t.Errorf("TimeKey(%q) = %q, want %q", name, got, want)
		}
	}
}

// An edit's name keeps what was edited and the instruction's own words,
// its filler left out, so that different edits of one source get
// different names: "make it black and white" and "make it purple" of
// "waving hand google" were both "waving-hand-google-make-it".
func TestEditWords(t *testing.T) {
	for _, c := range []struct{ source, instruction, want string }{
		{"waving hand google", "make it black and white", "waving-hand-google-black-and-white"},
		{"waving hand google", "make it purple", "waving-hand-google-purple"},
		{"rocket openmoji", "in the twemoji style", "rocket-openmoji-twemoji"},
		{"rocket", "remove the background", "rocket-remove-background"},
		{"grinning face with big eyes twitter", "medium-dark skin tone", "grinning-face-with-medium-dark-skin-tone"},
		{"cat", "please mirror it", "cat-mirror"},
		{"cat", "make it", "cat-make-it"}, // filler alone keeps its words
		{"", "make it red", "red"},
		{"🚀", "make it blue!", "blue"},
		{"dog", "🙂", "dog"},
	} {
		if got := EditWords(c.source, c.instruction); got != c.want {
			t.Errorf("EditWords(%q, %q) = %q, want %q", c.source, c.instruction, got, c.want)
		}
	}
	long := EditWords(strings.Repeat("verylongword ", 10), strings.Repeat("superlongwordthatgoesonandon ", 10))
	if len(long) > maxSlug || strings.Trim(long, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" || strings.HasSuffix(long, "-") {
		t.Errorf("a long edit's words %q (%d bytes)", long, len(long))
	}
}
