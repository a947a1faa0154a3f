package model

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

// Block is one transformer layer's weights (names in BlockLayout, relative
// to "transformer.h.{i}."), for width d and MLP width f.
type Block struct {
	Ln1      *tensor.Dense // [d] gain of the pre-attention norm
	Attn     Linear        // attn.c_attn: d → 3d (queries, keys, values)
	AttnProj Linear        // attn.c_proj: d → d
	Ln2      *tensor.Dense // [d] gain of the pre-MLP norm
	Fc       Linear        // mlp.c_fc: d → f
	MlpProj  Linear        // mlp.c_proj: f → d
}

// newBlock describes a block of width d and MLP width f; its tensors are
// bound by New.
func newBlock(d, f int) Block {
	return Block{Attn: newLinear(d, 3*d, false), AttnProj: newLinear(d, d, false), Fc: newLinear(d, f, false), MlpProj: newLinear(f, d, false)}
}

// Model is an Image GPT transformer with float32 weights.
type Model struct {
	Config Config
	Wte    *tensor.Dense // [vocab, d]
	Wpe    *tensor.Dense // [n_positions, d]
	LnF    *tensor.Dense // [d]
	// LmHead maps d to the K image codes' logits; its W is [vocab−1, d]
	// (Transposed), of which only the first K rows are used.
	LmHead Linear
	Blocks []Block
	// Hash identifies the weights (first 10 hex digits of their SHA-256).
	Hash string
	// Unused names the tensors of the weights file that Image GPT has no
	// place for (an LayerNorm or lm_head bias: transformers leaves them
	// out with a warning, and so does Tessera: the command says so), the
	// attention's mask buffers (attn.bias, attn.masked_bias) left aside.
	Unused []string
	// half is what EnableHalf decided (nil before it).
	half *halfState
	// released is the bytes of float32 weights ReleaseFloat32 freed.
	released int64
}

// f32 returns the float32 backing slice of a dense tensor.
func f32(t *tensor.Dense) []float32 {
	if t.Dtype() != tensor.Float32 {
		panic(fmt.Sprintf("model: a %v tensor where float32 weights belong", t.Dtype()))
	}
	return t.Float32s() // without Data's reflection, which allocates
}

// binding names one weight, its expected shape and where it goes.
type binding struct {
	name  string
	shape []int
	dst   **tensor.Dense
}

// bindings lists every weight of m in Layout order with its shape and the
// field it goes to.
func (m *Model) bindings() []binding {
	specs := Layout(m.Config)
	dsts := []**tensor.Dense{&m.Wte, &m.Wpe}
	for i := range m.Blocks {
		dsts = append(dsts, m.Blocks[i].fields()...)
	}
	dsts = append(dsts, &m.LnF, &m.LmHead.W)
	bs := make([]binding, len(specs))
	for i, s := range specs {
		bs[i] = binding{s.Name, s.Shape, dsts[i]}
	}
	return bs
}

// New builds a model from config and a weight source: get returns the float32
// data of a named tensor with the given shape (or an error naming it).
func New(c Config, get func(name string, shape []int) ([]float32, error)) (*Model, error) {
	return newModel(c, get, nil)
}

// newModel is New; blockDone, when set, is called as soon as block l's
// tensors are bound (in order), before the next block's are read.
func newModel(c Config, get func(name string, shape []int) ([]float32, error), blockDone func(m *Model, l int)) (*Model, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	m := &Model{Config: c, Blocks: make([]Block, c.NLayer), LmHead: newLinear(c.NEmbd, c.Codes(), true)}
	for l := range m.Blocks {
		m.Blocks[l] = newBlock(c.NEmbd, c.Inner())
	}
	lastOf := map[**tensor.Dense]int{} // each block's last tensor → the block
	for l := range m.Blocks {
		f := m.Blocks[l].fields()
		lastOf[f[len(f)-1]] = l
	}
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
		if i := FirstNonFinite(data); i >= 0 {
			return nil, fmt.Errorf("tensor %q holds %v at index %d of %d: the weights are corrupt (a training run that diverged writes NaN)", b.name, data[i], i, n)
		}
		*b.dst = tensor.New(tensor.WithShape(b.shape...), tensor.WithBacking(data))
		if l, ok := lastOf[b.dst]; ok && blockDone != nil {
			blockDone(m, l)
		}
	}
	return m, nil
}

// Weights returns every bound tensor by safetensors name (for saving).
// After ReleaseFloat32 the released matrices are rebuilt from their
// reduced-precision copies: rounded (about 1e-3 relative for f16, 1% for
// int8), and a taller lm_head's rows past the image codes are zero; a
// caller that needs the float32 weights reloads them (Released > 0).
func (m *Model) Weights() map[string]*tensor.Dense {
	out := map[string]*tensor.Dense{}
	for _, b := range m.bindings() {
		out[b.name] = *b.dst
		if *b.dst != nil {
			continue
		}
		for _, l := range m.linears() {
			if &l.W == b.dst {
				out[b.name] = l.float32W(b.shape)
			}
		}
	}
	return out
}

// linears are the model's dense layers.
func (m *Model) linears() []*Linear {
	var ls []*Linear
	for i := range m.Blocks {
		b := &m.Blocks[i]
		ls = append(ls, &b.Attn, &b.AttnProj, &b.Fc, &b.MlpProj)
	}
	return append(ls, &m.LmHead)
}

// ReleaseFloat32 frees the float32 copy of every weight matrix that has
// a reduced-precision one (after EnableHalf or EnableInt8), leaving the
// model about half (f16) or a quarter (int8) of its float32 size: long
// passes (prompt prefill, scoring, ranking) then widen the reduced copies
// block by block for OpenBLAS (results within their rounding), and
// NewExactCache is no longer float32 for those matrices. It returns the
// bytes freed. For checkpoints too large to hold twice.
func (m *Model) ReleaseFloat32() int64 {
	var freed int64
	for _, l := range m.linears() {
		freed += l.releaseFloat32()
	}
	m.released += freed
	return freed
}

// Released is the bytes of float32 weights ReleaseFloat32 freed.
func (m *Model) Released() int64 { return m.released }

// MemoryNeeded estimates the bytes a model of this config needs in memory
// when loaded with opt: its weights (float32, plus the reduced copy of
// opt.Precision; only the reduced copy when opt.ReleaseAbove frees the
// float32 one) and one batch-8 KV cache (half precision when reduced).
func (c Config) MemoryNeeded(opt LoadOptions) int64 {
	p := c.Params()
	w, kv := PrecisionBytes(opt.Precision)
	weights := p * 4
	if w < 4 {
		weights += p * int64(w)
		if opt.ReleaseAbove > 0 && p*4 > opt.ReleaseAbove {
			weights = p * int64(w)
		}
	}
	return weights + int64(c.NLayer)*2*8*int64(c.NPositions)*int64(c.NEmbd)*int64(kv)
}

// PrecisionBytes is the bytes a weight and a key/value cache entry take
// in a decode precision: f32 (or "") 4 and 4, f16 2 and 2, int8 1 and 2.
func PrecisionBytes(precision string) (weight, cache int) {
	switch precision {
	case "f16":
		return 2, 2
	case "int8":
		return 1, 2
	}
	return 4, 4
}

// FirstNonFinite is the index of the first NaN or infinity in x, or −1:
// the check the loader makes on every tensor and the trainer on the
// weights it exports.
func FirstNonFinite(x []float32) int {
	const exp = 0x7f800000 // all exponent bits set: an infinity or a NaN
	for i, v := range x {
		if math.Float32bits(v)&exp == exp {
			return i
		}
	}
	return -1
}
