package model

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/sampling"
)

// editConfig is a small edit model: K=8 codes, T=3 words (PAD first), L=2
// instruction slots, a 2×3 grid (N=S=6): n_positions 2+6+6.
func editConfig() Config {
	c := DefaultConfig()
	c.NEmbd, c.NLayer, c.NHead = 8, 1, 2
	c.Tessera = &Ext{Name: "edit", PatchSize: 2, Grid: [2]int{2, 3}, PromptLength: 2,
		PromptVocab: []string{"<pad>", "mirror", "it"}, Edit: &EditExt{SourceLength: 6}}
	c.VocabSize = 8 + 3 + 1
	c.NPositions = 2 + 6 + 6
	return c
}

func TestEditConfigLayout(t *testing.T) {
	c := editConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if !c.IsEdit() || c.SourceLength() != 6 || c.ContextLength() != 8 || c.ImageTokens() != 6 || c.Codes() != 8 || c.SOS() != 11 {
		t.Fatalf("edit %v S %d context %d N %d K %d SOS %d", c.IsEdit(), c.SourceLength(), c.ContextLength(), c.ImageTokens(), c.Codes(), c.SOS())
	}
	// The edit block survives config.json, and HF's fields stay as they are.
	js, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseConfig(js)
	if err != nil {
		t.Fatal(err)
	}
	if !back.IsEdit() || back.SourceLength() != 6 || back.NPositions != 14 {
		t.Fatalf("round trip: %+v", back.Tessera.Edit)
	}
	if !strings.Contains(string(js), `"edit":{"source_length":6`) {
		t.Fatalf("config.json lacks the edit block: %s", js)
	}
	// A text-to-image model is not an edit model and keeps its layout.
	plain := c
	ext := *c.Tessera
	ext.Edit = nil
	plain.Tessera = &ext
	plain.NPositions = 2 + 6
	if err := plain.Validate(); err != nil || plain.IsEdit() || plain.ContextLength() != 2 {
		t.Fatalf("plain model: err %v edit %v context %d", err, plain.IsEdit(), plain.ContextLength())
	}
}

func TestEditConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		edit       func(*Config)
	}{
		{"positions", "prompt_length + source_length + image tokens = 14", func(c *Config) { c.NPositions = 8 }},
		{"source length", "source_length 5 must equal the image's 6 codes", func(c *Config) { c.Tessera.Edit.SourceLength = 5 }},
		{"no grid", "needs tessera grid", func(c *Config) { c.Tessera.Grid = [2]int{} }},
		{"no instruction", "instruction slots", func(c *Config) { c.Tessera.PromptLength = 0; c.NPositions = 12 }},
		{"held out", "held_out_fraction", func(c *Config) { c.Tessera.Edit.HeldOutFraction = 1 }},
	} {
		c := editConfig()
		ext, e := *c.Tessera, *c.Tessera.Edit
		ext.Edit = &e
		c.Tessera = &ext
		tc.edit(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// A model's recommended settings out of range are refused when its config
// is read, named as the model's (a negative temperature was dropped without
// a word, a top-p of 7 read like a flag the user gave).
func TestConfigChecksItsDefaults(t *testing.T) {
	for _, d := range []sampling.Recommended{{Temperature: -5}, {TopK: -3}, {TopP: 7}, {Guidance: 1e9}} {
		c := editConfig()
		c.Tessera.Defaults = &d
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "tessera defaults (the model's recommended settings)") {
			t.Errorf("%+v: %v", d, err)
		}
	}
	c := editConfig()
	c.Tessera.Defaults = &sampling.Recommended{Temperature: 0.9, TopP: 0.95, Guidance: 2}
	if err := c.Validate(); err != nil {
		t.Errorf("valid defaults: %v", err)
	}
}
