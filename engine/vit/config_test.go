package vit

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/safetensors"
)

// TestValidate: each size that does not fit is refused with its field
// named; the built-in emoji tokenizer's config passes.
func TestValidate(t *testing.T) {
	good, err := LoadConfig(filepath.Join("..", "..", "assets", "models", "emoji", ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	if good.Grid() != 8 || good.Tokens() != 64 || good.PatchDim() != 192 {
		t.Fatalf("emoji tokenizer: grid %d, %d tokens, patch of %d values; want 8, 64, 192", good.Grid(), good.Tokens(), good.PatchDim())
	}
	for _, c := range []struct {
		name, want string
		edit       func(*Config)
	}{
		{"type", "type", func(c *Config) { c.Type = "vq-gan" }},
		{"image not a multiple of the patch", "image_size", func(c *Config) { c.ImageSize = 60 }},
		{"zero patch", "patch_size", func(c *Config) { c.PatchSize = 0 }},
		{"too many codes", "too many", func(c *Config) { c.ImageSize, c.PatchSize = 256, 2 }},
		{"width not a multiple of the heads", "n_head", func(c *Config) { c.NHead = 5 }},
		{"no MLP", "n_inner", func(c *Config) { c.NInner = 0 }},
		{"negative layers", "decoder_layers -1 must not be negative", func(c *Config) { c.DecoderLayers = -1 }},
		{"one code", "codebook_size", func(c *Config) { c.CodebookSize = 1 }},
		{"no code dimension", "code_dim", func(c *Config) { c.CodeDim = 0 }},
		{"no epsilon", "layer_norm_epsilon", func(c *Config) { c.LayerNormEpsilon = 0 }},
		// Sizes whose products overflow or would allocate without bound
		// (found by fuzzing ParseConfig).
		{"a grid whose square wraps to 0", "image_size", func(c *Config) { c.ImageSize, c.PatchSize = 1<<32, 1 }},
		{"a grid whose square wraps", "too many", func(c *Config) { c.ImageSize, c.PatchSize = 4096, 1 }},
		{"huge MLP", "n_inner", func(c *Config) { c.NInner = 100000000000000 }},
		{"a trillion layers", "layers", func(c *Config) { c.EncoderLayers = 1000000000000 }},
		{"huge codebook", "codebook_size", func(c *Config) { c.CodebookSize = 1 << 40 }},
	} {
		bad := good
		c.edit(&bad)
		if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error naming %q", c.name, err, c.want)
		}
	}
	if _, err := ParseConfig("x.json", []byte(`{"type": "vit-vq", "image_size": "64"}`)); err == nil || !strings.Contains(err.Error(), "x.json") {
		t.Errorf("a config of the wrong JSON types: %v", err)
	}
	if _, err := LoadConfig(filepath.Join(t.TempDir(), ConfigFile)); err == nil {
		t.Error("a missing config loaded")
	}
}

// TestLayoutMatchesTheBuiltinTokenizer: the weight table names and shapes
// exactly the tensors of the emoji model's tokenizer.safetensors (written by
// the trainer and read by the loader), packed without gaps, the codebook
// last.
func TestLayoutMatchesTheBuiltinTokenizer(t *testing.T) {
	dir := filepath.Join("..", "..", "assets", "models", "emoji")
	c, err := LoadConfig(filepath.Join(dir, ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Open(filepath.Join(dir, WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	ts, total := Layout(c)
	if len(ts) != len(f.Names()) {
		t.Errorf("the table has %d tensors, the file %d", len(ts), len(f.Names()))
	}
	off := 0
	for _, w := range ts {
		info, ok := f.Tensors[w.Name]
		if !ok {
			t.Errorf("%s is not in %s", w.Name, WeightsFile)
			continue
		}
		if !slices.Equal(info.Shape, w.Shape) {
			t.Errorf("%s: table shape %v, file %v", w.Name, w.Shape, info.Shape)
		}
		n := 1
		for _, s := range w.Shape {
			n *= s
		}
		if w.Off != off || w.Size != n {
			t.Errorf("%s: offset %d size %d, want %d and %d", w.Name, w.Off, w.Size, off, n)
		}
		off += n
	}
	if off != total {
		t.Errorf("total %d, the tensors add up to %d", total, off)
	}
	if last := ts[len(ts)-1]; last.Name != "quantizer.codebook" || !slices.Equal(last.Shape, []int{c.CodebookSize, c.CodeDim}) {
		t.Errorf("last tensor %s %v, want the codebook [%d %d]", last.Name, last.Shape, c.CodebookSize, c.CodeDim)
	}
}
