// Package train trains Tessera's Image GPT models on the CPU.
//
// The model is exactly the one the inference engine (engine/model) runs, Hugging
// Face's ImageGPT: x = wte[ids] + wpe[pos]; per layer h = x + c_proj(attn(ln_1(x)))
// and x = h + mlp.c_proj(quick_gelu(mlp.c_fc(ln_2(h)))); ln_f; logits over the K
// image codes only (the first K rows of lm_head). Norms are RMS norms without
// bias; Conv1D weights are [in, out]. A sequence is prompt ids (L slots,
// PAD-filled) | SOS | codes[:-1], and the loss is the cross-entropy of the N
// codes at positions L…L+N−1. An edit model (model.Config.IsEdit; EditAR's
// layout) reads instruction ids | S source codes | SOS | target codes[:-1]
// and the loss is on the N target codes at positions L+S…L+S+N−1 alone: the
// instruction, the source and SOS are context. In general the context is
// ContextLength() = L+S positions and only the positions after it have
// logits.
//
// In the style of llm.c, every op is a forward/backward pair over flat
// float32 buffers (ops.go); the parameters, the gradients and the activations
// each live in one allocation (Params, Model). Every matrix product goes
// through OpenBLAS (engine/blas), attention included (two products per head
// forward, four backward); the other ops run on Workers goroutines with AVX2
// kernels where the CPU has them (simd_amd64.s) and plain Go elsewhere. Each
// output element is written by one goroutine and every reduction adds in a
// fixed order, so a run is bit for bit reproducible and a resumed run equals
// an uninterrupted one.
//
// Run is the training loop: AdamW (decay on matmul weights and embeddings
// only), linear warm-up and cosine decay, global-norm clipping, dropout
// (embeddings, residual branches, optionally attention probabilities) from a
// counter-based RNG keyed by (seed, step), prompt dropout for classifier-free
// guidance (and, for edit models, source dropout for guidance on the image,
// as InstructPix2Pix trains its two scales), validation in bits per token, checkpoints (one safetensors file
// with a JSON state) every few minutes and on cancellation, export of the best
// weights as a Hugging Face model folder, a loss-curve PNG and a sample hook.
package train
