// Package vit describes Tessera's ViT-VQ image tokenizer: its configuration
// (tokenizer_config.json) and its one weight table (names, shapes, weight
// decay) that the loader, the saver and the trainer share.
//
// The design follows ViT-VQGAN (Yu et al. 2021, "Vector-quantized Image
// Modeling with Improved VQGAN"), made small enough to train on a laptop CPU:
//
//	image S×S RGB in [−1, 1] → G×G patches of p×p px (G = S/p, raster order)
//	  → patch embedding (p·p·3 → C) + position embedding
//	  → encoder: EncoderLayers bidirectional transformer blocks → RMS norm
//	  → to_code (C → D) → l2-normalised code vector
//	  → nearest of K l2-normalised codebook entries (largest dot product)
//	decoder: codebook entry → from_code (D → C) + position embedding
//	  (a learned mask embedding replaces unknown positions of a partial grid)
//	  → DecoderLayers bidirectional blocks → RMS norm → to_pixels (C → p·p·3)
//
// The blocks are ImageGPT's (RMS norm, quick_gelu MLP) with attention
// unmasked. The codebook is learnt by exponential moving averages of the
// encoder outputs assigned to each entry (VQ-VAE-2's EMA update), started from
// k-means, with dead entries restarted; the encoder gets a commitment loss.
package vit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/tessera-studio/tessera/internal/jsonerr"

	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/model"
)

// File names of a tokenizer in a model folder, beside config.json.
const (
	ConfigFile  = "tokenizer_config.json"
	WeightsFile = "tokenizer.safetensors"
)

// Config is tokenizer_config.json.
type Config struct {
	// Type is "vit-vq"; it tells a tokenizer_config.json from other files.
	Type          string `json:"type"`
	ImageSize     int    `json:"image_size"`     // S: square images of S×S px
	PatchSize     int    `json:"patch_size"`     // p: one code per p×p px
	NEmbd         int    `json:"n_embd"`         // C: transformer width
	NHead         int    `json:"n_head"`         // attention heads
	NInner        int    `json:"n_inner"`        // F: MLP width
	EncoderLayers int    `json:"encoder_layers"` // blocks before quantisation
	DecoderLayers int    `json:"decoder_layers"` // blocks after
	CodebookSize  int    `json:"codebook_size"`  // K codes
	CodeDim       int    `json:"code_dim"`       // D: dimension of a code vector
	// LayerNormEpsilon is the RMS norms' ε.
	LayerNormEpsilon float64 `json:"layer_norm_epsilon"`
}

// TypeViTVQ is Config.Type.
const TypeViTVQ = "vit-vq"

// Grid is G, the patches per side.
func (c Config) Grid() int { return c.ImageSize / c.PatchSize }

// Tokens is G·G, the codes per image.
func (c Config) Tokens() int { return c.Grid() * c.Grid() }

// PatchDim is p·p·3, the values of one patch.
func (c Config) PatchDim() int { return c.PatchSize * c.PatchSize * 3 }

// Limits Validate sets, far above any tokenizer trained here, so that no
// product of sizes overflows and a config of a few bytes cannot make Layout
// or the loader allocate without bound.
const (
	maxImageSide = codebook.MaxImageSide
	maxWidth     = 1 << 14
	maxLayers    = 256
	maxCodes     = 1 << 20
)

// Validate checks that the sizes fit together.
func (c Config) Validate() error {
	switch {
	case c.Type != TypeViTVQ:
		return fmt.Errorf("tokenizer config: type %q is not %q", c.Type, TypeViTVQ)
	case c.ImageSize <= 0 || c.PatchSize <= 0 || c.ImageSize%c.PatchSize != 0:
		return fmt.Errorf("tokenizer config: image_size %d must be a positive multiple of patch_size %d", c.ImageSize, c.PatchSize)
	case c.ImageSize > maxImageSide:
		return fmt.Errorf("tokenizer config: image_size %d is beyond the limit of %d pixels", c.ImageSize, maxImageSide)
	case c.Grid() > 64 || c.Tokens() > 4096: // the grid first: its square could overflow
		return fmt.Errorf("tokenizer config: %d codes per image is too many (at most 4096)", c.Tokens())
	case c.NEmbd <= 0 || c.NHead <= 0 || c.NEmbd%c.NHead != 0:
		return fmt.Errorf("tokenizer config: n_embd %d must be a positive multiple of n_head %d", c.NEmbd, c.NHead)
	case c.NInner <= 0:
		return fmt.Errorf("tokenizer config: n_inner %d must be positive", c.NInner)
	case c.EncoderLayers < 0 || c.DecoderLayers < 0:
		return fmt.Errorf("tokenizer config: encoder_layers %d and decoder_layers %d must not be negative", c.EncoderLayers, c.DecoderLayers)
	case c.CodebookSize < 2 || c.CodeDim < 1:
		return fmt.Errorf("tokenizer config: codebook_size %d and code_dim %d must be at least 2 and 1", c.CodebookSize, c.CodeDim)
	case c.NEmbd > maxWidth || c.NInner > 4*maxWidth || c.CodeDim > maxWidth:
		return fmt.Errorf("tokenizer config: n_embd %d, n_inner %d or code_dim %d beyond the limits of %d, %d and %d", c.NEmbd, c.NInner, c.CodeDim, maxWidth, 4*maxWidth, maxWidth)
	case c.EncoderLayers > maxLayers || c.DecoderLayers > maxLayers:
		return fmt.Errorf("tokenizer config: %d encoder and %d decoder layers, beyond the limit of %d", c.EncoderLayers, c.DecoderLayers, maxLayers)
	case c.CodebookSize > maxCodes:
		return fmt.Errorf("tokenizer config: codebook_size %d beyond the limit of %d", c.CodebookSize, maxCodes)
	case !(c.LayerNormEpsilon > 0):
		return fmt.Errorf("tokenizer config: layer_norm_epsilon must be positive")
	}
	return nil
}

// LoadConfig reads and validates a tokenizer_config.json.
func LoadConfig(path string) (Config, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("load %s: %w", path, err)
	}
	return ParseConfig(path, buf)
}

// ParseConfig parses and validates tokenizer_config.json bytes; name labels errors.
func ParseConfig(name string, buf []byte) (Config, error) {
	var c Config
	buf = bytes.TrimPrefix(buf, []byte("\xef\xbb\xbf")) // a byte-order mark, as Windows editors save UTF-8 (model.ParseConfig skips it too)
	if err := json.Unmarshal(buf, &c); err != nil {
		return Config{}, fmt.Errorf("load %s: %w", name, jsonerr.Explain(err, buf))
	}
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("load %s: %w", name, err)
	}
	return c, nil
}

// Tensor is one entry of the weight table.
type Tensor struct {
	Name  string
	Shape []int
	Off   int  // offset in the flat parameter buffer
	Size  int  // elements
	Decay bool // AdamW weight decay applies (matmul weights)
}

// Layout is the weight table of c: every trained tensor with its offset in
// one flat buffer, and the total size. The codebook ("quantizer.codebook",
// [K, D]) comes last; it is learnt by EMA, not by the optimiser.
func Layout(c Config) ([]Tensor, int) {
	C, F, T, P, D, K := c.NEmbd, c.NInner, c.Tokens(), c.PatchDim(), c.CodeDim, c.CodebookSize
	var ts []Tensor
	off := 0
	add := func(name string, decay bool, shape ...int) {
		n := 1
		for _, s := range shape {
			n *= s
		}
		ts = append(ts, Tensor{Name: name, Shape: shape, Off: off, Size: n, Decay: decay})
		off += n
	}
	blocks := func(prefix string, n int) {
		for l := range n {
			for _, b := range model.BlockLayout(C, F) {
				add(fmt.Sprintf("%s.h.%d.%s", prefix, l, b.Name), b.Decay, b.Shape...)
			}
		}
	}
	add("encoder.patch_embed.weight", true, P, C)
	add("encoder.patch_embed.bias", false, C)
	add("encoder.pos_embed", false, T, C)
	blocks("encoder", c.EncoderLayers)
	add("encoder.ln_f.weight", false, C)
	add("encoder.to_code.weight", true, C, D)
	add("encoder.to_code.bias", false, D)
	add("decoder.from_code.weight", true, D, C)
	add("decoder.from_code.bias", false, C)
	add("decoder.pos_embed", false, T, C)
	add("decoder.mask_embed", false, C)
	blocks("decoder", c.DecoderLayers)
	add("decoder.ln_f.weight", false, C)
	add("decoder.to_pixels.weight", true, C, P)
	add("decoder.to_pixels.bias", false, P)
	add("quantizer.codebook", false, K, D)
	return ts, off
}
