package model

import (
	"fmt"

	"gorgonia.org/tensor"
)

// TensorSpec is one entry of an architecture's weight table: the safetensors
// name, the shape, and whether AdamW's weight decay applies (matrix weights
// and embeddings; never norm gains or biases). The loader, the saver and the
// trainer all read these tables, so a weight's name is written once.
type TensorSpec struct {
	Name  string
	Shape []int
	Decay bool
}

// BlockLayout is the weight table of one transformer block of width c and
// MLP width f, with names relative to the block's prefix ("transformer.h.3.",
// or "encoder.h.0." in the ViT tokenizer), in the order Block.fields binds
// them. Conv1D weights are [in, out] as in HF's ImageGPT.
func BlockLayout(c, f int) []TensorSpec {
	return []TensorSpec{
		{"ln_1.weight", []int{c}, false},
		{"attn.c_attn.weight", []int{c, 3 * c}, true},
		{"attn.c_attn.bias", []int{3 * c}, false},
		{"attn.c_proj.weight", []int{c, c}, true},
		{"attn.c_proj.bias", []int{c}, false},
		{"ln_2.weight", []int{c}, false},
		{"mlp.c_fc.weight", []int{c, f}, true},
		{"mlp.c_fc.bias", []int{f}, false},
		{"mlp.c_proj.weight", []int{f, c}, true},
		{"mlp.c_proj.bias", []int{c}, false},
	}
}

// Layout is the Image GPT weight table in Hugging Face names, in the order
// the trainer lays its parameters out: wte [vocab, d], wpe [n_positions, d],
// the blocks, ln_f [d], lm_head [vocab−1, d].
func Layout(c Config) []TensorSpec {
	d, f, v := c.NEmbd, c.Inner(), c.VocabSize
	ts := []TensorSpec{
		{"transformer.wte.weight", []int{v, d}, true},
		{"transformer.wpe.weight", []int{c.NPositions, d}, true},
	}
	for l := 0; l < c.NLayer; l++ {
		for _, b := range BlockLayout(d, f) {
			b.Name = fmt.Sprintf("transformer.h.%d.%s", l, b.Name)
			ts = append(ts, b)
		}
	}
	return append(ts,
		TensorSpec{"transformer.ln_f.weight", []int{d}, false},
		TensorSpec{"lm_head.weight", []int{v - 1, d}, true},
	)
}

// fields are a block's tensors in BlockLayout order.
func (b *Block) fields() []**tensor.Dense {
	return []**tensor.Dense{&b.Ln1, &b.Attn.W, &b.Attn.B, &b.AttnProj.W, &b.AttnProj.B, &b.Ln2, &b.Fc.W, &b.Fc.B, &b.MlpProj.W, &b.MlpProj.B}
}
