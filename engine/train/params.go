package train

import (
	"encoding/json"
	"fmt"
	"github.com/tessera-studio/tessera/engine/atomicfile"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/safetensors"
)

// TensorInfo names one tensor of a parameter buffer.
type TensorInfo struct {
	Name  string // Hugging Face safetensors name
	Shape []int
	Off   int  // offset in Params.Data
	Size  int  // number of elements
	Decay bool // AdamW weight decay applies (matmul weights and embeddings)
}

// Params holds every trained tensor of a model in one allocation, viewed as
// named tensors in Hugging Face order. lm_head.weight holds only the K code
// rows ([K, n_embd]); SaveModel pads it with zero rows to HF's [vocab−1, n_embd].
type Params struct {
	Config  model.Config
	Data    []float32
	Tensors []TensorInfo
}

// Layout lists the tensors of cfg with their offsets, from the
// architecture's one weight table (model.Layout), except that lm_head holds
// only the K code rows; the second result is the total number of floats.
func Layout(cfg model.Config) ([]TensorInfo, int) {
	var ts []TensorInfo
	off := 0
	for _, s := range model.Layout(cfg) {
		shape := s.Shape
		if s.Name == "lm_head.weight" {
			shape = []int{cfg.Codes(), cfg.NEmbd}
		}
		n := 1
		for _, d := range shape {
			n *= d
		}
		ts = append(ts, TensorInfo{Name: s.Name, Shape: shape, Off: off, Size: n, Decay: s.Decay})
		off += n
	}
	return ts, off
}

// NewParams returns zeroed parameters for cfg.
func NewParams(cfg model.Config) (*Params, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ts, n := Layout(cfg)
	return &Params{Config: cfg, Data: make([]float32, n), Tensors: ts}, nil
}

// Get returns the named tensor's view, or nil.
func (p *Params) Get(name string) []float32 {
	for _, t := range p.Tensors {
		if t.Name == name {
			return p.Data[t.Off : t.Off+t.Size]
		}
	}
	return nil
}

// Clone returns a deep copy.
func (p *Params) Clone() *Params {
	q := *p
	q.Data = append([]float32(nil), p.Data...)
	return &q
}

// InitParams returns GPT-2 style initial weights: normal with std
// initializer_range (0.02 when unset) for matmul weights, embeddings and
// lm_head, the residual projections (attn.c_proj, mlp.c_proj) scaled by
// 1/sqrt(2·n_layer), zero biases and unit norm gains. The same seed gives the
// same weights.
func InitParams(cfg model.Config, seed uint64) (*Params, error) {
	p, err := NewParams(cfg)
	if err != nil {
		return nil, err
	}
	std := cfg.InitializerRange
	if std <= 0 {
		std = 0.02
	}
	r := rand.New(rand.NewPCG(seed, 0x1a17))
	for _, t := range p.Tensors {
		x := p.Data[t.Off : t.Off+t.Size]
		switch {
		case strings.HasSuffix(t.Name, "ln_1.weight"), strings.HasSuffix(t.Name, "ln_2.weight"), strings.HasSuffix(t.Name, "ln_f.weight"):
			for i := range x {
				x[i] = 1
			}
		case len(t.Shape) == 1: // biases
		default:
			s := std
			if strings.HasSuffix(t.Name, "c_proj.weight") {
				s = std / math.Sqrt(2*float64(cfg.NLayer))
			}
			for i := range x {
				x[i] = float32(r.NormFloat64() * s)
			}
		}
	}
	return p, nil
}

// LoadWeights reads the weights of cfg from a safetensors file in HF names
// (any of F32, F16, BF16; lm_head [vocab−1, n_embd], of which the first K rows
// are kept). Unknown tensors (attn.bias buffers) are ignored.
func LoadWeights(cfg model.Config, path string) (*Params, error) {
	p, err := NewParams(cfg)
	if err != nil {
		return nil, err
	}
	f, err := safetensors.Open(path)
	if err != nil {
		return nil, err
	}
	for _, t := range p.Tensors {
		shape := t.Shape
		if t.Name == "lm_head.weight" {
			shape = []int{cfg.VocabSize - 1, cfg.NEmbd}
		}
		x, err := f.Float32(t.Name, shape...)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		copy(p.Data[t.Off:t.Off+t.Size], x)
	}
	return p, nil
}

// LoadModel reads a model folder (config.json and model.safetensors).
func LoadModel(dir string) (*Params, error) {
	cfg, err := model.LoadConfig(filepath.Join(dir, model.ConfigFile))
	if err != nil {
		return nil, err
	}
	return LoadWeights(cfg, filepath.Join(dir, model.WeightsFile))
}

// hfTensors returns the tensors of p under their HF names in dtype, lm_head
// padded with zero rows to [vocab−1, n_embd].
func hfTensors(cfg model.Config, data []float32, dtype string) []safetensors.Tensor {
	ts, _ := Layout(cfg)
	out := make([]safetensors.Tensor, 0, len(ts))
	for _, t := range ts {
		x := data[t.Off : t.Off+t.Size]
		shape := t.Shape
		if t.Name == "lm_head.weight" {
			shape = []int{cfg.VocabSize - 1, cfg.NEmbd}
			full := make([]float32, shape[0]*shape[1])
			copy(full, x)
			x = full
		}
		out = append(out, safetensors.Tensor{Name: t.Name, DType: dtype, Shape: shape, Data: x})
	}
	return out
}

// SaveModel writes a model folder: config.json (cfg as encoding/json writes
// it: HF field names and the tessera block) and model.safetensors with the HF
// names in dtype ("F32", "F16" or "BF16"; "" means BF16). Both files are
// replaced atomically. The codebook (preprocessor_config.json) is the
// caller's to write.
func SaveModel(dir string, cfg model.Config, p *Params, dtype string) error {
	if dtype == "" {
		dtype = "BF16"
	}
	switch dtype {
	case "F32", "F16", "BF16":
	default:
		return fmt.Errorf("save model: dtype %q is not F32, F16 or BF16", dtype)
	}
	if _, n := Layout(cfg); n != len(p.Data) {
		return fmt.Errorf("save model: %d parameters do not fit the config (%d)", len(p.Data), n)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	js, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, model.ConfigFile), append(js, '\n')); err != nil {
		return err
	}
	return safetensors.Write(filepath.Join(dir, model.WeightsFile), hfTensors(cfg, p.Data, dtype), map[string]string{"format": "pt"})
}

// FitParams carries the weights of a trained model (config from, tensors by
// name in get) over to the config to of a fine-tune with the same
// architecture, grid and codes: every tensor is copied, except that the
// token embedding keeps the code rows and the old prompt words' rows, gives
// new words (to has more) small random rows, and moves SOS to its new last
// row. Shapes it cannot keep are an error naming the tensor.
func FitParams(from, to model.Config, get func(name string) ([]float32, error), seed uint64) (*Params, error) {
	p, err := InitParams(to, seed)
	if err != nil {
		return nil, err
	}
	if from.NEmbd != to.NEmbd || from.NLayer != to.NLayer || from.NHead != to.NHead || from.Inner() != to.Inner() {
		return nil, fmt.Errorf("fine-tune: the model is %d layers × %d wide (%d heads), not %d × %d (%d)", from.NLayer, from.NEmbd, from.NHead, to.NLayer, to.NEmbd, to.NHead)
	}
	if from.IsEdit() != to.IsEdit() || from.SourceLength() != to.SourceLength() {
		return nil, fmt.Errorf("fine-tune: the source length cannot change from %d to %d codes (an edit model and a text-to-image model do not fit each other)", from.SourceLength(), to.SourceLength())
	}
	if from.NPositions != to.NPositions || from.Codes() != to.Codes() || from.PromptLength() != to.PromptLength() {
		return nil, fmt.Errorf("fine-tune: positions %d, codes %d, prompt length %d cannot change (want %d, %d, %d)",
			from.NPositions, from.Codes(), from.PromptLength(), to.NPositions, to.Codes(), to.PromptLength())
	}
	if to.PromptWords() < from.PromptWords() {
		return nil, fmt.Errorf("fine-tune: the vocabulary shrank from %d to %d words", from.PromptWords(), to.PromptWords())
	}
	C, K := to.NEmbd, to.Codes()
	for _, t := range p.Tensors {
		dst := p.Data[t.Off : t.Off+t.Size]
		switch t.Name {
		case "transformer.wte.weight":
			src, err := get(t.Name)
			if err != nil {
				return nil, err
			}
			if len(src) != from.VocabSize*C {
				return nil, fmt.Errorf("fine-tune: %s has %d values, want %d", t.Name, len(src), from.VocabSize*C)
			}
			keep := (K + from.PromptWords()) * C
			copy(dst[:keep], src[:keep])             // codes and old words
			copy(dst[len(dst)-C:], src[len(src)-C:]) // SOS
		case "lm_head.weight":
			src, err := get(t.Name)
			if err != nil {
				return nil, err
			}
			if len(src) < K*C {
				return nil, fmt.Errorf("fine-tune: %s has %d values, want at least %d", t.Name, len(src), K*C)
			}
			copy(dst, src[:K*C])
		default:
			src, err := get(t.Name)
			if err != nil {
				return nil, err
			}
			if len(src) != len(dst) {
				return nil, fmt.Errorf("fine-tune: %s has %d values, want %d", t.Name, len(src), len(dst))
			}
			copy(dst, src)
		}
	}
	return p, nil
}
