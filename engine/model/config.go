// Package model is the Image GPT transformer: configuration, weights bound to
// Hugging Face safetensors names, a full-sequence forward pass and an
// incremental forward pass with a KV cache, both batched.
package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/tessera-studio/tessera/internal/jsonerr"

	"github.com/tessera-studio/tessera/engine/atomicfile"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/internal/plural"
)

// Config holds the Hugging Face ImageGPT fields plus Tessera's extension.
// Missing keys take HF's defaults (see DefaultConfig).
type Config struct {
	VocabSize                  int      `json:"vocab_size"`
	NPositions                 int      `json:"n_positions"`
	NEmbd                      int      `json:"n_embd"`
	NLayer                     int      `json:"n_layer"`
	NHead                      int      `json:"n_head"`
	NInner                     *int     `json:"n_inner"`
	ActivationFunction         string   `json:"activation_function"`
	LayerNormEpsilon           float64  `json:"layer_norm_epsilon"`
	ScaleAttnByInverseLayerIdx bool     `json:"scale_attn_by_inverse_layer_idx"`
	ScaleAttnWeights           bool     `json:"scale_attn_weights"`
	ReorderAndUpcastAttn       bool     `json:"reorder_and_upcast_attn"`
	TieWordEmbeddings          bool     `json:"tie_word_embeddings"`
	ModelType                  string   `json:"model_type,omitempty"`
	Architectures              []string `json:"architectures,omitempty"`
	AttnPdrop                  float64  `json:"attn_pdrop"`
	EmbdPdrop                  float64  `json:"embd_pdrop"`
	ResidPdrop                 float64  `json:"resid_pdrop"`
	InitializerRange           float64  `json:"initializer_range"`
	Tessera                    *Ext     `json:"tessera,omitempty"`
}

// Ext is Tessera's extension block, stored under the "tessera" key that HF ignores.
//
// The token ids are: [0, K) image codes, [K, K+T) prompt words (K itself is
// PAD), K+T = SOS = vocab_size−1. A text-to-image model's sequence is
//
//	positions  0 … L−1      L     L+1 … L+N−1
//	input      prompt ids | SOS | codes[0 … N−2]
//	predicts                codes[0] … codes[N−1]   (at positions L … L+N−1)
//
// so n_positions = L + N. An edit model (Edit set, after EditAR, Mu et al.
// 2025, arXiv 2501.04699) also reads a source image of S = N codes between
// the instruction and SOS:
//
//	positions  0 … L−1           L … L+S−1      L+S   L+S+1 … L+S+N−1
//	input      instruction ids | source codes | SOS | target codes[0 … N−2]
//	predicts                                    target codes[0] … codes[N−1]
//
// with n_positions = L + S + N. Source and target codes share the image-code
// vocabulary [0, K); the all-PAD instruction and an all-PAD source are the
// "no instruction" and "no image" conditions of InstructPix2Pix's two
// guidance scales (Brooks et al. 2023).
type Ext struct {
	Name         string   `json:"name,omitempty"`
	PatchSize    int      `json:"patch_size"`
	Grid         [2]int   `json:"grid"` // rows, cols in patches
	PromptLength int      `json:"prompt_length"`
	PromptVocab  []string `json:"prompt_vocab"` // T words in id order, PAD first
	StyleWords   []string `json:"style_words,omitempty"`
	// Defaults are the sampling settings the model was tuned for.
	Defaults *sampling.Recommended `json:"defaults,omitempty"`
	// Edit, when set, makes the model an edit model: the prompt is an
	// instruction and a source image precedes SOS (see the layout above).
	Edit *EditExt `json:"edit,omitempty"`
}

// EditExt describes an edit-by-instruction model.
type EditExt struct {
	// SourceLength is S, the source codes between the instruction and SOS:
	// one image on the model's grid, so S = rows·cols = N.
	SourceLength int `json:"source_length"`
	// Instructions are example instructions the model was trained on, one
	// per kind of edit ("remove the background", "light skin tone", …), for
	// completions in the studio.
	Instructions []string `json:"instructions,omitempty"`
	// HeldOutFraction and SplitSeed are how the training pairs' source
	// images were split (data.SplitImages), so an evaluation can rebuild the
	// held-out pairs exactly. Zero when unknown.
	HeldOutFraction float64 `json:"held_out_fraction,omitempty"`
	SplitSeed       uint64  `json:"split_seed,omitempty"`
	// Measured is what `tessera eval-edits --record` measured of each
	// family of edits (edit.Family: "style", "background", …) on held-out
	// emoji, so that the studio and tessera edit can say when an edit is
	// of a kind the model rarely gets right; nil when not measured.
	Measured map[string]EditMeasure `json:"measured,omitempty"`
	// RedrawModel names the drawing model (a built-in name such as
	// "emoji", or a folder) that edits of style and gender redraw with
	// (engine/redraw: it reads what the picture shows and draws it
	// changed); "" when the edit model edits every family itself.
	RedrawModel string `json:"redraw_model,omitempty"`
}

// EditMeasure is one family's figure from eval-edits.
type EditMeasure struct {
	// Pairs is how many held-out pairs were edited.
	Pairs int `json:"pairs"`
	// Summary is the judged figure in words: "0% nearest the exact
	// target", "15.5 dB PSNR against the exact target".
	Summary string `json:"summary"`
	// MeetsTarget says the figure reached issue 12's target (90% nearest
	// the exact target; 24 dB and 95% of the white background kept).
	MeetsTarget bool `json:"meets_target"`
	// PSNRdB is the mean PSNR of the edits against their exact targets;
	// TokenizerPSNRdB that of the exact targets through the model's
	// tokenizer, the best an edit can show, and SourcePSNRdB that of the
	// unedited sources, doing nothing (0: not measured).
	PSNRdB          float64 `json:"psnr_db"`
	TokenizerPSNRdB float64 `json:"tokenizer_psnr_db,omitempty"`
	SourcePSNRdB    float64 `json:"source_psnr_db,omitempty"`
}

// StyleWords are the model's style words (config.json tessera.style_words:
// "google", "fluent flat", …; nil when it records none).
func (c Config) StyleWords() []string {
	if c.Tessera == nil {
		return nil
	}
	return c.Tessera.StyleWords
}

// Recommended returns the model's recommended sampling settings
// (config.json tessera.defaults; zero when none).
func (c Config) Recommended() sampling.Recommended {
	if c.Tessera == nil || c.Tessera.Defaults == nil {
		return sampling.Recommended{}
	}
	return *c.Tessera.Defaults
}

// DefaultConfig returns HF ImageGPTConfig's defaults.
func DefaultConfig() Config {
	return Config{
		VocabSize:          513,
		NPositions:         1024,
		NEmbd:              512,
		NLayer:             24,
		NHead:              8,
		ActivationFunction: "quick_gelu",
		LayerNormEpsilon:   1e-5,
		ScaleAttnWeights:   true,
		ModelType:          "imagegpt",
		Architectures:      []string{"ImageGPTForCausalImageModeling"},
		AttnPdrop:          0.1,
		EmbdPdrop:          0.1,
		ResidPdrop:         0.1,
		InitializerRange:   0.02,
	}
}

// ParseConfig decodes config.json bytes over HF defaults and validates them.
func ParseConfig(data []byte) (Config, error) {
	c := DefaultConfig()
	// A byte-order mark, as Windows editors save UTF-8, is no JSON: it is
	// skipped ("invalid character 'ï'" said nothing of it).
	data = bytes.TrimPrefix(data, []byte(utf8BOM))
	if err := json.Unmarshal(data, &c); err != nil {
		return Config{}, fmt.Errorf("parse config: %w", jsonerr.Explain(err, data))
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// utf8BOM is the UTF-8 byte-order mark.
const utf8BOM = "\xef\xbb\xbf"

// LoadConfig reads and parses a config.json file.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if abs, aerr := filepath.Abs(path); aerr == nil && abs != path {
			return Config{}, fmt.Errorf("load config %s: %w", abs, err) // where --model ./ looked
		}
		return Config{}, fmt.Errorf("load config: %w", err)
	}
	c, err := ParseConfig(data)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Inner is the MLP width (n_inner, or 4·n_embd when null).
func (c Config) Inner() int {
	if c.NInner == nil || *c.NInner <= 0 {
		return 4 * c.NEmbd
	}
	return *c.NInner
}

// SOS is the start-of-sequence id, vocab_size-1.
func (c Config) SOS() int { return c.VocabSize - 1 }

// PromptLength is L, the number of prompt (or instruction) slots at the
// start of a sequence (0 for OpenAI models).
func (c Config) PromptLength() int {
	if c.Tessera == nil {
		return 0
	}
	return c.Tessera.PromptLength
}

// IsEdit reports whether the model is an edit model: instruction | source
// codes | SOS | target codes.
func (c Config) IsEdit() bool { return c.Tessera != nil && c.Tessera.Edit != nil }

// SourceLength is S, the source codes of an edit model at positions
// L … L+S−1 (0 for other models).
func (c Config) SourceLength() int {
	if !c.IsEdit() {
		return 0
	}
	return c.Tessera.Edit.SourceLength
}

// ContextLength is the number of positions before SOS: L + S. SOS sits at
// position ContextLength() and the N image (target) codes are predicted at
// positions ContextLength() … ContextLength()+N−1.
func (c Config) ContextLength() int { return c.PromptLength() + c.SourceLength() }

// PromptWords is T, the size of the prompt vocabulary (PAD included).
func (c Config) PromptWords() int {
	if c.Tessera == nil {
		return 0
	}
	return len(c.Tessera.PromptVocab)
}

// PromptSummary says what prompts the model reads, for logs and model
// cards: "prompts of up to 15 of 2,328 words", or "no prompt
// (unconditional)" for a model without a prompt vocabulary (which read
// "-1 words").
func (c Config) PromptSummary() string {
	if c.PromptLength() == 0 || c.PromptWords() <= 1 {
		return "no prompt (unconditional)"
	}
	return fmt.Sprintf("prompts of up to %d of %s words", c.PromptLength(), plural.Thousands(c.PromptWords()-1))
}

// Codes is K, the number of image codes: vocab_size - 1 - T.
func (c Config) Codes() int { return c.VocabSize - 1 - c.PromptWords() }

// PatchSize is p (1 for OpenAI's palette models).
func (c Config) PatchSize() int {
	if c.Tessera == nil || c.Tessera.PatchSize == 0 {
		return 1
	}
	return c.Tessera.PatchSize
}

// Grid returns the image size in patches (rows, cols). Without a Tessera block
// the image is taken as square with n_positions pixels.
func (c Config) Grid() (rows, cols int) {
	if c.Tessera != nil && c.Tessera.Grid[0] > 0 && c.Tessera.Grid[1] > 0 {
		return c.Tessera.Grid[0], c.Tessera.Grid[1]
	}
	n := c.NPositions - c.ContextLength()
	s := isqrt(n)
	return s, n / max(s, 1)
}

// ImageTokens is N, the number of codes in one image.
func (c Config) ImageTokens() int {
	r, cc := c.Grid()
	return r * cc
}

// ImageSize is the image size in pixels (width, height).
func (c Config) ImageSize() (w, h int) {
	r, cc := c.Grid()
	p := c.PatchSize()
	return cc * p, r * p
}

// Name is the model's display name from the Tessera block, or "".
func (c Config) Name() string {
	if c.Tessera == nil {
		return ""
	}
	return c.Tessera.Name
}

// Params returns the parameter count (lm_head counted at vocab_size-1 rows).
func (c Config) Params() int64 {
	d, f, v := int64(c.NEmbd), int64(c.Inner()), int64(c.VocabSize)
	block := 2*d + d*3*d + 3*d + d*d + d + d*f + f + f*d + d
	return v*d + int64(c.NPositions)*d + int64(c.NLayer)*block + d + (v-1)*d
}

// Size limits Validate sets, far above OpenAI's imagegpt-large (n_embd
// 1536, n_inner 6144, 48 layers, 1024 positions, 513 codes), so that no
// product of sizes overflows and a hostile config.json of a few bytes
// cannot ask for an unbounded allocation or loop.
const (
	maxEmbd      = 1 << 16
	maxInner     = 1 << 18
	maxLayers    = 1 << 10
	maxVocab     = 1 << 22
	maxPositions = 1 << 20
	maxGridSide  = 1 << 12
	maxPatchSide = codebook.MaxImageSide // pixels a side
)

// Validate checks that the configuration describes a model the engine can run.
func (c Config) Validate() error {
	if err := c.checkLimits(); err != nil {
		return err
	}
	switch {
	case c.VocabSize < 2:
		return fmt.Errorf("config: vocab_size %d must be at least 2", c.VocabSize)
	case c.NPositions < 1:
		return fmt.Errorf("config: n_positions %d must be positive", c.NPositions)
	case c.NEmbd < 1 || c.NHead < 1 || c.NEmbd%c.NHead != 0:
		return fmt.Errorf("config: n_embd %d must be a positive multiple of n_head %d", c.NEmbd, c.NHead)
	case c.NLayer < 1:
		return fmt.Errorf("config: n_layer %d must be positive", c.NLayer)
	case c.NInner != nil && *c.NInner < 1:
		// Read as 4·n_embd by Inner, where transformers builds an MLP of
		// that width (none, or an error): another model than asked for.
		return fmt.Errorf("config: n_inner %d must be positive, or null for 4·n_embd", *c.NInner)
	case c.Inner() < 1:
		return fmt.Errorf("config: n_inner %d must be positive", c.Inner())
	case c.LayerNormEpsilon <= 0:
		return fmt.Errorf("config: layer_norm_epsilon %g must be positive", c.LayerNormEpsilon)
	case c.ModelType != "" && c.ModelType != "imagegpt":
		// A GPT-2's config loaded as Image GPT and drew noise.
		return fmt.Errorf("config: model_type %q: Tessera reads Image GPT checkpoints (model_type \"imagegpt\")", c.ModelType)
	case c.TieWordEmbeddings:
		// transformers would draw with wte in place of lm_head (and the
		// logits of SOS among the codes'): Tessera reads lm_head.
		return fmt.Errorf("config: tie_word_embeddings is true, but Image GPT's lm_head has weights of its own (one row fewer than wte's, without SOS), which Tessera reads: set it to false")
	}
	switch c.ActivationFunction {
	case "quick_gelu", "gelu", "gelu_new", "relu":
	default:
		return fmt.Errorf("config: activation_function %q is not supported (quick_gelu, gelu, gelu_new, relu)", c.ActivationFunction)
	}
	if c.Codes() < 1 {
		return fmt.Errorf("config: no image codes: vocab_size %d leaves none after %d prompt words and SOS", c.VocabSize, c.PromptWords())
	}
	if c.Tessera != nil {
		t := c.Tessera
		if t.PromptLength < 0 || t.PatchSize < 0 {
			return fmt.Errorf("config: tessera prompt_length and patch_size must not be negative")
		}
		if t.PromptLength > 0 && len(t.PromptVocab) == 0 {
			return fmt.Errorf("config: tessera prompt_length %d needs a prompt_vocab", t.PromptLength)
		}
		// [0, 0] (or absent) is the square default; a negative or a lone
		// side drew on a grid the weights were not made for.
		if g := t.Grid; g[0] < 0 || g[1] < 0 || (g[0] == 0) != (g[1] == 0) {
			return fmt.Errorf("config: tessera grid %v must be [rows, cols] of positive sides (or absent)", g)
		}
		if err := checkStyleWords(t.StyleWords, t.PromptVocab); err != nil {
			return err
		}
		if t.Defaults != nil {
			// Checked once here, so that a value out of range is named as
			// the model's, not taken for a flag the user gave (or dropped).
			for _, sp := range sampling.Knobs() {
				if v := sp.Recommended(*t.Defaults); v != 0 {
					if err := sp.Check(v); err != nil {
						return fmt.Errorf("config: tessera defaults (the model's recommended settings): %w", err)
					}
				}
			}
		}
		if e := t.Edit; e != nil {
			switch {
			case t.Grid[0] <= 0 || t.Grid[1] <= 0:
				return fmt.Errorf("config: an edit model needs tessera grid [rows, cols]")
			case e.SourceLength != t.Grid[0]*t.Grid[1]:
				return fmt.Errorf("config: tessera edit source_length %d must equal the image's %d codes (grid %dx%d)", e.SourceLength, t.Grid[0]*t.Grid[1], t.Grid[0], t.Grid[1])
			case t.PromptLength < 1:
				return fmt.Errorf("config: an edit model needs instruction slots (tessera prompt_length ≥ 1)")
			case e.HeldOutFraction < 0 || e.HeldOutFraction >= 1:
				return fmt.Errorf("config: tessera edit held_out_fraction %g must be in [0, 1)", e.HeldOutFraction)
			}
		}
	}
	if c.IsEdit() {
		if need := c.ContextLength() + c.ImageTokens(); need != c.NPositions {
			return fmt.Errorf("config: n_positions %d must equal prompt_length + source_length + image tokens = %d", c.NPositions, need)
		}
		return nil
	}
	if need := c.PromptLength() + c.ImageTokens(); need != c.NPositions {
		return fmt.Errorf("config: n_positions %d must equal prompt_length + image tokens = %d", c.NPositions, need)
	}
	return nil
}

// checkStyleWords refuses style words that are empty, repeated, or made of a
// word the prompt vocabulary lacks: describe ranked a blank style as a
// second copy of every name, and a style no prompt can name draws
// nothing of it.
func checkStyleWords(styles, vocab []string) error {
	known := make(map[string]bool, len(vocab))
	for _, w := range vocab {
		known[w] = true
	}
	seen := map[string]bool{}
	for _, st := range styles {
		words := prompt.ReadWords(st) // as a prompt's words are looked up: "(google)" is google
		name := strings.Join(words, " ")
		switch {
		case name == "":
			return fmt.Errorf("config: tessera style_words holds an empty style")
		case seen[name]:
			return fmt.Errorf("config: tessera style_words names %q twice", st)
		}
		seen[name] = true
		for _, w := range words {
			if !known[w] {
				return fmt.Errorf("config: tessera style_words: %q has the word %q, which the prompt_vocab lacks", st, w)
			}
		}
	}
	return nil
}

// checkLimits refuses sizes beyond the limits above, before any of them
// is multiplied.
func (c Config) checkLimits() error {
	for _, f := range []struct {
		name     string
		v, limit int
	}{
		{"n_embd", c.NEmbd, maxEmbd}, {"n_head", c.NHead, maxEmbd}, {"n_inner", c.Inner(), maxInner},
		{"n_layer", c.NLayer, maxLayers}, {"vocab_size", c.VocabSize, maxVocab}, {"n_positions", c.NPositions, maxPositions},
	} {
		if f.v > f.limit {
			return fmt.Errorf("config: %s %d is beyond the engine's limit of %d", f.name, f.v, f.limit)
		}
	}
	if t := c.Tessera; t != nil {
		switch {
		case t.Grid[0] > maxGridSide || t.Grid[1] > maxGridSide:
			return fmt.Errorf("config: tessera grid %dx%d is beyond the engine's limit of %d patches a side", t.Grid[0], t.Grid[1], maxGridSide)
		case t.PatchSize > maxPatchSide:
			return fmt.Errorf("config: tessera patch_size %d is beyond the engine's limit of %d pixels", t.PatchSize, maxPatchSide)
		case t.PromptLength > maxPositions:
			return fmt.Errorf("config: tessera prompt_length %d is beyond the engine's limit of %d", t.PromptLength, maxPositions)
		case len(t.PromptVocab) > maxVocab:
			return fmt.Errorf("config: tessera prompt_vocab of %d words is beyond the engine's limit of %d", len(t.PromptVocab), maxVocab)
		case t.Edit != nil && (t.Edit.SourceLength < 0 || t.Edit.SourceLength > maxPositions):
			return fmt.Errorf("config: tessera edit source_length %d is outside [0, %d]", t.Edit.SourceLength, maxPositions)
		}
		if w, h := c.ImageSize(); w > maxPatchSide || h > maxPatchSide {
			return fmt.Errorf("config: an image of %d×%d pixels is beyond the engine's limit of %d a side", w, h, maxPatchSide)
		}
	}
	return nil
}

// isqrt is ⌊√n⌋ (0 for n ≤ 0).
func isqrt(n int) int {
	if n <= 0 {
		return 0
	}
	s := int(math.Sqrt(float64(n)))
	for s > 0 && s > n/s { // s² > n, without overflow
		s--
	}
	for s+1 <= n/(s+1) { // (s+1)² ≤ n
		s++
	}
	return s
}

// UpdateConfig changes the config.json of the model folder dir with change
// and writes it back atomically (the weights, and so the model's hash, stay
// as they are). It fails when the file cannot be read, parsed or written,
// or when change does.
func UpdateConfig(dir string, change func(*Config) error) error {
	path := filepath.Join(dir, ConfigFile)
	c, err := LoadConfig(path)
	if err != nil {
		return err
	}
	if err := change(&c); err != nil {
		return fmt.Errorf("update %s: %w", path, err)
	}
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("update %s: %w", path, err)
	}
	if err := atomicfile.WriteBytes(path, append(data, '\n')); err != nil {
		return fmt.Errorf("update %s: %w", path, err)
	}
	return nil
}
