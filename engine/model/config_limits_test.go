package model

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// TestHostileConfigs: sizes whose products overflow, or that would make the
// loader allocate without bound or loop for hours, are refused at once with
// the field named (found by fuzzing ParseConfig).
func TestHostileConfigs(t *testing.T) {
	for _, c := range []struct{ json, field string }{
		{`{"n_positions":1,"n_embd":1,"n_head":1,"n_inner":1,"n_layer":288230376151711744,"vocab_size":2}`, "n_layer"},
		{`{"n_positions":9223372036854775807}`, "n_positions"},
		{`{"n_positions":1000000000000000000,"n_embd":8,"n_head":1,"n_layer":1,"vocab_size":3}`, "n_positions"},
		{`{"n_positions":16,"n_embd":1099511627776,"n_head":1,"n_layer":1,"vocab_size":3}`, "n_embd"},
		{`{"n_positions":16,"n_embd":8,"n_head":1,"n_inner":1099511627776,"n_layer":1,"vocab_size":3}`, "n_inner"},
		{`{"n_positions":16,"n_embd":8,"n_head":1,"n_inner":-7,"n_layer":1,"vocab_size":3}`, "n_inner -7 must be positive"},
		{`{"n_positions":16,"n_embd":8,"n_head":1,"n_inner":0,"n_layer":1,"vocab_size":3}`, "n_inner 0 must be positive"},
		{`{"n_positions":16,"n_embd":8,"n_head":1,"n_layer":1,"vocab_size":1099511627776}`, "vocab_size"},
		{`{"n_positions":5,"n_embd":1,"n_head":1,"n_layer":1,"vocab_size":3,"tessera":{"grid":[4611686018427387905,4],"prompt_length":1,"prompt_vocab":["<pad>"]}}`, "grid"},
		{`{"n_positions":5,"n_embd":1,"n_head":1,"n_layer":1,"vocab_size":3,"tessera":{"grid":[4294967296,4294967296]}}`, "grid"},
		{`{"n_positions":1,"n_embd":1,"n_head":1,"n_layer":1,"vocab_size":2,"tessera":{"patch_size":4611686018427387904}}`, "patch_size"},
		{`{"n_positions":16,"n_embd":1,"n_head":1,"n_layer":1,"vocab_size":2,"tessera":{"grid":[4,4],"patch_size":4096}}`, "pixels"},
		{`{"n_positions":16,"n_embd":1,"n_head":1,"n_layer":1,"vocab_size":2,"tessera":{"grid":[4,4],"prompt_length":1099511627776,"prompt_vocab":["<pad>"]}}`, "prompt_length"},
	} {
		start := time.Now()
		_, err := ParseConfig([]byte(c.json))
		if err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: %v, want an error naming %s", c.json, err, c.field)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s took %v", c.json, d)
		}
	}
}

// TestConfigGridAndStyles: a grid of a negative or a lone side, and style
// words that are empty, repeated or not in the prompt vocabulary, are
// refused (each loaded: one drew on a grid the weights were not made for,
// one ranked every name twice in describe).
func TestConfigGridAndStyles(t *testing.T) {
	const base = `{"n_positions":%d,"n_embd":8,"n_head":1,"n_layer":1,"vocab_size":24,"tessera":{%s"prompt_length":2,"prompt_vocab":["<pad>","cat","fluent","flat"]}}`
	for _, c := range []struct {
		positions     int
		tessera, want string
	}{
		{18, `"grid":[-4,-4],`, "grid [-4 -4] must be [rows, cols] of positive sides"},
		{18, `"grid":[4],`, "grid [4 0] must be"},
		{18, `"grid":[4,4],"style_words":[""],`, "style_words holds an empty style"},
		{18, `"grid":[4,4],"style_words":["fluent flat","Fluent-Flat"],`, `names "Fluent-Flat" twice`},
		{18, `"grid":[4,4],"style_words":["neon"],`, `"neon" has the word "neon", which the prompt_vocab lacks`},
		{18, `"grid":[4,4],"style_words":["fluent flat"],`, ""},
		{18, `"grid":[0,0],`, ""},
	} {
		_, err := ParseConfig([]byte(fmt.Sprintf(base, c.positions, c.tessera)))
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: %v, want %q", c.tessera, err, c.want)
		}
	}
}

// TestIsqrt agrees with the definition near perfect squares and at the
// largest int, where (s+1)² overflows.
func TestIsqrt(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 4, 15, 16, 17, 1023, 1024, 1025, 1 << 40, 1<<40 - 1, math.MaxInt, -5} {
		s := isqrt(n)
		if n <= 0 {
			if s != 0 {
				t.Errorf("isqrt(%d) = %d", n, s)
			}
			continue
		}
		if s*s > n || (s+1) <= n/(s+1) {
			t.Errorf("isqrt(%d) = %d", n, s)
		}
	}
	if isqrt(1024) != 32 || isqrt(1023) != 31 {
		t.Errorf("isqrt(1024) = %d, isqrt(1023) = %d", isqrt(1024), isqrt(1023))
	}
}

// A config.json saved with a byte-order mark (Windows editors) reads.
func TestConfigWithByteOrderMark(t *testing.T) {
	c, err := ParseConfig([]byte("\xef\xbb\xbf" + `{"n_positions":16,"n_embd":8,"n_head":1,"n_layer":1,"vocab_size":3}`))
	if err != nil || c.NPositions != 16 {
		t.Fatalf("%+v, %v", c, err)
	}
}

// PromptSummary of a model without prompts says so ("-1 words" in a
// fine-tune's log and model card), and of one with them their counts.
func TestPromptSummary(t *testing.T) {
	var c Config
	if got := c.PromptSummary(); got != "no prompt (unconditional)" {
		t.Errorf("unconditional: %q", got)
	}
	c.Tessera = &Ext{PromptLength: 15, PromptVocab: make([]string, 2329)}
	if got := c.PromptSummary(); got != "prompts of up to 15 of 2,328 words" {
		t.Errorf("conditional: %q", got)
	}
}

// A config of another architecture (a GPT-2's) is refused, not read as
// Image GPT's.
func TestConfigOfAnotherModelType(t *testing.T) {
	const cfg = `{"model_type":%q,"n_positions":16,"n_embd":8,"n_head":1,"n_layer":1,"vocab_size":3}`
	if _, err := ParseConfig([]byte(fmt.Sprintf(cfg, "gpt2"))); err == nil || !strings.Contains(err.Error(), `model_type "gpt2"`) {
		t.Errorf("gpt2: %v", err)
	}
	if _, err := ParseConfig([]byte(fmt.Sprintf(cfg, "imagegpt"))); err != nil {
		t.Errorf("imagegpt: %v", err)
	}
}
