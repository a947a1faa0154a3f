package model

import (
	"fmt"

	"gorgonia.org/tensor"
)

// Block is one transformer layer; each field is bound to the safetensors name
// in its tag, relative to "transformer.h.{i}.".
type Block struct {
	Ln1      *tensor.Dense `st:"ln_1.weight"`        // [d]
	AttnW    *tensor.Dense `st:"attn.c_attn.weight"` // [d, 3d]
	AttnB    *tensor.Dense `st:"attn.c_attn.bias"`   // [3d]
	AttnProj *tensor.Dense `st:"attn.c_proj.weight"` // [d, d]
	AttnPB   *tensor.Dense `st:"attn.c_proj.bias"`   // [d]
	Ln2      *tensor.Dense `st:"ln_2.weight"`        // [d]
	FcW      *tensor.Dense `st:"mlp.c_fc.weight"`    // [d, f]
	FcB      *tensor.Dense `st:"mlp.c_fc.bias"`      // [f]
	MlpProj  *tensor.Dense `st:"mlp.c_proj.weight"`  // [f, d]
	MlpPB    *tensor.Dense `st:"mlp.c_proj.bias"`    // [d]
}

// Model is an Image GPT transformer with float32 weights.
type Model struct {
	Config Config
	Wte    *tensor.Dense // [vocab, d]
	Wpe    *tensor.Dense // [n_positions, d]
	LnF    *tensor.Dense // [d]
	LmHead *tensor.Dense // [vocab-1, d]; only the first K rows are used
	Blocks []Block
	// Hash identifies the weights (first 10 hex digits of their SHA-256).
	Hash string
	// half is the half-precision copy made by EnableHalf, or nil.
	half *halfWeights
}

// f32 returns the float32 backing slice of a dense tensor.
func f32(t *tensor.Dense) []float32 { return t.Data().([]float32) }

// binding names one weight, its expected shape and where it goes.
type binding struct {
	name  string
	shape []int
	dst   **tensor.Dense
}

// bindings lists every weight of m in safetensors order with its shape.
func (m *Model) bindings() []binding {
	c := m.Config
	d, f, v := c.NEmbd, c.Inner(), c.VocabSize
	bs := []binding{
		{"transformer.wte.weight", []int{v, d}, &m.Wte},
		{"transformer.wpe.weight", []int{c.NPositions, d}, &m.Wpe},
		{"transformer.ln_f.weight", []int{d}, &m.LnF},
		{"lm_head.weight", []int{v - 1, d}, &m.LmHead},
	}
	for i := range m.Blocks {
		b := &m.Blocks[i]
		p := fmt.Sprintf("transformer.h.%d.", i)
		bs = append(bs,
			binding{p + "ln_1.weight", []int{d}, &b.Ln1},
			binding{p + "attn.c_attn.weight", []int{d, 3 * d}, &b.AttnW},
			binding{p + "attn.c_attn.bias", []int{3 * d}, &b.AttnB},
			binding{p + "attn.c_proj.weight", []int{d, d}, &b.AttnProj},
			binding{p + "attn.c_proj.bias", []int{d}, &b.AttnPB},
			binding{p + "ln_2.weight", []int{d}, &b.Ln2},
			binding{p + "mlp.c_fc.weight", []int{d, f}, &b.FcW},
			binding{p + "mlp.c_fc.bias", []int{f}, &b.FcB},
			binding{p + "mlp.c_proj.weight", []int{f, d}, &b.MlpProj},
			binding{p + "mlp.c_proj.bias", []int{d}, &b.MlpPB},
		)
	}
	return bs
}

// WeightNames returns every safetensors name the model binds, with shapes.
func WeightNames(c Config) map[string][]int {
	m := &Model{Config: c, Blocks: make([]Block, c.NLayer)}
	out := map[string][]int{}
	for _, b := range m.bindings() {
		out[b.name] = b.shape
	}
	return out
}

// New builds a model from config and a weight source: get returns the float32
// data of a named tensor with the given shape (or an error naming it).
func New(c Config, get func(name string, shape []int) ([]float32, error)) (*Model, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	m := &Model{Config: c, Blocks: make([]Block, c.NLayer)}
	for _, b := range m.bindings() {
		data, err := get(b.name, b.shape)
		if err != nil {
			return nil, err
		}
		n := 1
		for _, s := range b.shape {
			n *= s
		}
		if len(data) != n {
			return nil, fmt.Errorf("tensor %q has %d values, want %d for shape %v", b.name, len(data), n, b.shape)
		}
		*b.dst = tensor.New(tensor.WithShape(b.shape...), tensor.WithBacking(data))
	}
	return m, nil
}

// Weights returns every bound tensor by safetensors name (for saving).
func (m *Model) Weights() map[string]*tensor.Dense {
	out := map[string]*tensor.Dense{}
	for _, b := range m.bindings() {
		out[b.name] = *b.dst
	}
	return out
}

// MemoryNeeded estimates the bytes a model of this config needs in memory
// (float32 weights plus one batch-8 KV cache).
func (c Config) MemoryNeeded() int64 {
	return c.Params()*4 + int64(c.NLayer)*2*8*int64(c.NPositions)*int64(c.NEmbd)*4
}
