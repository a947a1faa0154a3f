package train

import (
	"math"

	"github.com/tessera-studio/tessera/engine/blas"
	"github.com/tessera-studio/tessera/engine/internal/vexp"
	"github.com/tessera-studio/tessera/engine/kernels"
)

// The ops below come in forward/backward pairs over flat row-major float32
// buffers, as in llm.c. R is a number of rows (batch × positions), C a row
// width. Backward functions add into parameter gradients (+=) and overwrite
// or add into input gradients as each one documents.

// redChunk is the fixed row chunk of deterministic column reductions.
const redChunk = 32

// grow returns buf resized to n elements, reallocating only when needed.
func grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}

// colSumAdd adds the column sums of x (R × C) to dst, each column summed in
// row order by one goroutine.
func colSumAdd(p par, dst, x []float32, R, C int) {
	p.For(C, 64, func(c0, c1 int) {
		acc := make([]float32, c1-c0)
		for r := 0; r < R; r++ {
			kernels.Add(acc, x[r*C+c0:r*C+c1])
		}
		kernels.Add(dst[c0:c1], acc)
	})
}

// reducePartials adds the nchunks partial rows (nchunks × C) to dst in chunk order.
func reducePartials(p par, dst, partial []float32, nchunks, C int) {
	p.For(C, 64, func(c0, c1 int) {
		for k := 0; k < nchunks; k++ {
			kernels.Add(dst[c0:c1], partial[k*C+c0:k*C+c1])
		}
	})
}

// ---------------------------------------------------------------- encoder

// encoderForward writes out[r] = wte[ids[r]] + wpe[r mod T] for R rows.
func encoderForward(p par, out []float32, ids []int32, wte, wpe []float32, R, T, C int) {
	p.For(R, 16, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			o := out[r*C : (r+1)*C]
			e := wte[int(ids[r])*C:][:C]
			q := wpe[(r%T)*C:][:C]
			for i := range o {
				o[i] = e[i] + q[i]
			}
		}
	})
}

// encoderBackward adds dout into dwte (by token id) and dwpe (by position).
// Each embedding row is owned by one goroutine and gets its terms in row order.
func encoderBackward(p par, dwte, dwpe, dout []float32, ids []int32, R, T, C, V int) {
	p.For(V, 64, func(v0, v1 int) {
		for r := 0; r < R; r++ {
			id := int(ids[r])
			if id < v0 || id >= v1 {
				continue
			}
			kernels.Add(dwte[id*C:(id+1)*C], dout[r*C:(r+1)*C])
		}
	})
	p.For(T, 4, func(t0, t1 int) {
		for t := t0; t < t1; t++ {
			d := dwpe[t*C : (t+1)*C]
			for r := t; r < R; r += T {
				kernels.Add(d, dout[r*C:(r+1)*C])
			}
		}
	})
}

// ---------------------------------------------------------------- dropout

// dropKey derives the key of one dropout site from the run seed and step.
func dropKey(seed uint64, step int, site int) uint64 {
	return mix64(mix64(seed^0x5bd1e995) + uint64(step)*0x9E3779B97F4A7C15 + uint64(site)*0xD1B54A32D192ED03)
}

// mix64 is splitmix64's finaliser.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// dropThreshold turns a drop probability into a 16-bit threshold: an element
// is kept when its 16-bit hash is at least the threshold (so the drop rate is
// prob to within 2^-17).
func dropThreshold(prob float32) uint32 {
	return uint32(math.Min(math.Round(float64(prob)*65536), 65535))
}

// fillMask sets mask[i] = 1 (keep) or 0 (drop) from a counter-based hash:
// element j of the whole mask uses bits 16·(j mod 4) of mix64(key + (j/4)·φ),
// so the mask depends only on the key, never on how the work is split.
func fillMask(mask []uint8, key uint64, off int, prob float32) {
	th := dropThreshold(prob)
	for i := 0; i < len(mask); {
		g := off + i
		h := mix64(key + uint64(g>>2)*0x9E3779B97F4A7C15)
		for lane := g & 3; lane < 4 && i < len(mask); lane, i = lane+1, i+1 {
			mask[i] = b2u(uint32(h>>(16*lane))&0xffff >= th)
		}
	}
}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// dropoutMask fills mask (n elements) in parallel.
func dropoutMask(p par, mask []uint8, key uint64, prob float32) {
	p.For(len(mask), 1<<14, func(lo, hi int) { fillMask(mask[lo:hi], key, lo, prob) })
}

// dropoutApply computes x[i] *= mask[i]·scale in place (forward and backward alike).
func dropoutApply(p par, x []float32, mask []uint8, scale float32) {
	p.For(len(x), 1<<14, func(lo, hi int) { kernels.MulMask(x[lo:hi], x[lo:hi], mask[lo:hi], scale) })
}

// ---------------------------------------------------------------- residual

// residualForward writes out = in + drop(branch + bias), the bias broadcast
// over rows; mask nil means no dropout.
func residualForward(p par, out, in, branch, bias []float32, mask []uint8, scale float32, R, C int) {
	p.For(R, 16, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			o, a, b := out[r*C:(r+1)*C], in[r*C:(r+1)*C], branch[r*C:(r+1)*C]
			if mask == nil {
				kernels.Add3(o, a, b, bias)
			} else {
				kernels.Add3Mask(o, a, b, bias, mask[r*C:(r+1)*C], scale)
			}
		}
	})
}

// residualBackward gives the branch its gradient dbranch = drop(dout) (dbranch
// may be dout itself when mask is nil) and adds its column sums to dbias. The
// gradient of in is dout unchanged.
func residualBackward(p par, dbranch, dbias, dout []float32, mask []uint8, scale float32, R, C int) {
	if mask != nil {
		p.For(R*C, 1<<14, func(lo, hi int) { kernels.MulMask(dbranch[lo:hi], dout[lo:hi], mask[lo:hi], scale) })
	} else if &dbranch[0] != &dout[0] {
		copy(dbranch[:R*C], dout[:R*C])
	}
	colSumAdd(p, dbias, dbranch, R, C)
}

// ---------------------------------------------------------------- rmsnorm

// rowIndex maps output row r to its input row when only some input rows are
// normalised: seg rows are taken after skipping skip rows, repeatedly.
func rowIndex(r, seg, skip int) int {
	if skip == 0 {
		return r
	}
	return (r/seg)*(seg+skip) + skip + r%seg
}

// rmsnormForward writes out[r] = x / sqrt(mean(x²) + eps) · w for x the input
// row rowIndex(r), and rstd[r] = 1/sqrt(mean(x²) + eps).
func rmsnormForward(p par, out, rstd, inp, w []float32, R, C, seg, skip int, eps float32) {
	p.For(R, 8, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			x := inp[rowIndex(r, seg, skip)*C:][:C]
			rs := float32(1 / math.Sqrt(float64(kernels.SumSq(x)/float32(C)+eps)))
			rstd[r] = rs
			kernels.MulScale(out[r*C:(r+1)*C], x, w, rs)
		}
	})
}

// rmsnormBackward adds the input gradient into dinp (at the mapped rows) and
// the weight gradient into dw. partial is scratch of ceil(R/redChunk)·C floats.
func rmsnormBackward(p par, dinp, dw, dout, inp, w, rstd, partial []float32, R, C, seg, skip int) {
	nch := (R + redChunk - 1) / redChunk
	partial = grow(partial, nch*C)
	p.For(nch, 1, func(k0, k1 int) {
		for k := k0; k < k1; k++ {
			pw := partial[k*C : (k+1)*C]
			clear(pw)
			for r := k * redChunk; r < min((k+1)*redChunk, R); r++ {
				ir := rowIndex(r, seg, skip)
				x := inp[ir*C:][:C]
				g := dout[r*C:][:C]
				rs := rstd[r]
				c := kernels.Dot3(g, w, x) * rs * rs * rs / float32(C)
				kernels.RMSNormBwd(dinp[ir*C:][:C], pw, g, w, x, rs, c)
			}
		}
	})
	reducePartials(p, dw, partial, nch, C)
}

// ---------------------------------------------------------------- matmul

// matmulForward computes out = inp·w (+ bias) for inp R×Cin and w Cin×Cout
// (Conv1D layout). A nil bias adds nothing.
func matmulForward(p par, out, inp, w, bias []float32, R, Cin, Cout int) {
	beta := float32(0)
	if bias != nil {
		p.For(R, 64, func(lo, hi int) {
			for r := lo; r < hi; r++ {
				copy(out[r*Cout:(r+1)*Cout], bias)
			}
		})
		beta = 1
	}
	p.Gemm(false, false, R, Cout, Cin, 1, inp, Cin, w, Cout, beta, out, Cout)
}

// matmulBackward writes dinp = dout·wᵀ (skipped when dinp is nil), adds
// inpᵀ·dout to dw and the column sums of dout to dbias (skipped when nil).
func matmulBackward(p par, dinp, dw, dbias, dout, inp, w []float32, R, Cin, Cout int) {
	if dinp != nil {
		p.Gemm(false, true, R, Cin, Cout, 1, dout, Cout, w, Cout, 0, dinp, Cin)
	}
	p.GemmTNAcc(Cin, Cout, R, inp, Cin, dout, Cout, dw, Cout)
	if dbias != nil {
		colSumAdd(p, dbias, dout, R, Cout)
	}
}

// ---------------------------------------------------------------- activation

// Activation kinds.
const (
	actQuickGelu = iota
	actGelu
	actGeluNew
	actRelu
)

func activationKind(name string) (int, bool) {
	switch name {
	case "quick_gelu", "":
		return actQuickGelu, true
	case "gelu":
		return actGelu, true
	case "gelu_new":
		return actGeluNew, true
	case "relu":
		return actRelu, true
	}
	return 0, false
}

// geluForward adds bias (C wide, nil for none) to inp in place and writes
// out = act(inp), for R rows.
func geluForward(p par, out, inp, bias []float32, R, C, kind int) {
	p.For(R, 4, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			x, o := inp[r*C:(r+1)*C], out[r*C:(r+1)*C]
			if kind == actQuickGelu && bias != nil {
				kernels.QGELUFwd(o, x, bias)
				continue
			}
			if bias != nil {
				for i := range x {
					x[i] += bias[i]
				}
			}
			switch kind {
			case actQuickGelu:
				for i, v := range x {
					o[i] = v / (1 + vexp.Expf(-1.702*v))
				}
			case actGelu:
				for i, v := range x {
					o[i] = float32(0.5 * float64(v) * (1 + math.Erf(float64(v)/math.Sqrt2)))
				}
			case actGeluNew:
				for i, v := range x {
					f := float64(v)
					o[i] = float32(0.5 * f * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(f+0.044715*f*f*f))))
				}
			case actRelu:
				for i, v := range x {
					o[i] = max(v, 0)
				}
			}
		}
	})
}

// geluBackward writes dinp = dout·act'(inp) (dinp may alias dout) and, when
// dbias is non-nil, adds the column sums of dinp to it (fused bias gradient;
// partial is scratch of ceil(R/redChunk)·C floats).
func geluBackward(p par, dinp, dbias, inp, dout, partial []float32, R, C, kind int) {
	nch := (R + redChunk - 1) / redChunk
	if dbias != nil {
		partial = grow(partial, nch*C)
	}
	p.For(nch, 1, func(k0, k1 int) {
		for k := k0; k < k1; k++ {
			r0, r1 := k*redChunk, min((k+1)*redChunk, R)
			x := inp[r0*C : r1*C]
			g, d := dout[r0*C:r1*C], dinp[r0*C:r1*C]
			switch kind {
			case actQuickGelu:
				kernels.QGELUBwd(d, g, x)
			case actGelu:
				for i, v := range x {
					f := float64(v)
					cdf := 0.5 * (1 + math.Erf(f/math.Sqrt2))
					pdf := math.Exp(-0.5*f*f) / math.Sqrt(2*math.Pi)
					d[i] = g[i] * float32(cdf+f*pdf)
				}
			case actGeluNew:
				for i, v := range x {
					f := float64(v)
					a := math.Sqrt(2 / math.Pi)
					u := a * (f + 0.044715*f*f*f)
					th := math.Tanh(u)
					du := a * (1 + 3*0.044715*f*f)
					d[i] = g[i] * float32(0.5*(1+th)+0.5*f*(1-th*th)*du)
				}
			case actRelu:
				for i, v := range x {
					if v > 0 {
						d[i] = g[i]
					} else {
						d[i] = 0
					}
				}
			}
			if dbias != nil {
				pw := partial[k*C : (k+1)*C]
				copy(pw, d[:C])
				for r := 1; r < r1-r0; r++ {
					kernels.Add(pw, d[r*C:(r+1)*C])
				}
			}
		}
	})
	if dbias != nil {
		reducePartials(p, dbias, partial, nch, C)
	}
}

// ---------------------------------------------------------------- attention

// attnShape describes one attention call.
type attnShape struct {
	B, T, C, NH int
	Scale       float32 // multiplies q·k
	Drop        float32 // attention-probability dropout (0: none)
	Key         uint64  // dropout key
	// Bidirectional lets every position attend to every other (the ViT
	// tokenizer); otherwise attention is causal (the GPT).
	Bidirectional bool
}

// attentionForward computes causal (or, with s.Bidirectional, full) multi-head attention for B sequences of
// T positions: qkv is B×T×3C (q | k | v, heads contiguous head_dim slices),
// out is B×T×C. att (B×NH×T×T) keeps the softmax probabilities; with dropout,
// mask (same size) keeps which were kept. scratch holds one T×T buffer per
// worker. The two products per head run through OpenBLAS.
func attentionForward(p par, out, att []float32, mask []uint8, qkv []float32, s attnShape, scratch [][]float32) {
	B, T, C, NH := s.B, s.T, s.C, s.NH
	hd := C / NH
	scratch = attnScratch(p, scratch, T, 1)
	dscale := float32(1) / (1 - s.Drop)
	p.Tasks(B*NH, func(w, bh int) {
		b, h := bh/NH, bh%NH
		base := b * T * 3 * C
		q, k, v := qkv[base+h*hd:], qkv[base+C+h*hd:], qkv[base+2*C+h*hd:]
		P := att[bh*T*T : (bh+1)*T*T]
		blas.Gemm(false, true, T, T, hd, s.Scale, q, 3*C, k, 3*C, 0, P, T)
		for i := 0; i < T; i++ {
			softmaxCausal(P[i*T:(i+1)*T], s.seen(i))
		}
		Pd := P
		if s.Drop > 0 {
			m := mask[bh*T*T : (bh+1)*T*T]
			fillMask(m, s.Key, bh*T*T, s.Drop)
			Pd = scratch[w][:T*T]
			for i := range Pd {
				Pd[i] = P[i] * (float32(m[i]) * dscale)
			}
		}
		blas.Gemm(false, false, T, hd, T, 1, Pd, T, v, 3*C, 0, out[b*T*C+h*hd:], C)
	})
}

// seen is how many positions query i attends to.
func (s attnShape) seen(i int) int {
	if s.Bidirectional {
		return s.T
	}
	return i + 1
}

// softmaxCausal turns row[:n] into probabilities and zeroes row[n:].
func softmaxCausal(row []float32, n int) {
	r := row[:n]
	kernels.Scale(r, 1/kernels.ExpSubSum(r, kernels.Max(r)))
	clear(row[n:])
}

// attentionBackward writes dqkv (B×T×3C) from dout (B×T×C). scratch holds two
// T×T buffers per worker.
func attentionBackward(p par, dqkv, dout, att []float32, mask []uint8, qkv []float32, s attnShape, scratch [][]float32) {
	B, T, C, NH := s.B, s.T, s.C, s.NH
	hd := C / NH
	scratch = attnScratch(p, scratch, T, 2)
	dscale := float32(1) / (1 - s.Drop)
	p.Tasks(B*NH, func(w, bh int) {
		b, h := bh/NH, bh%NH
		base := b * T * 3 * C
		q, k, v := qkv[base+h*hd:], qkv[base+C+h*hd:], qkv[base+2*C+h*hd:]
		dq, dk, dv := dqkv[base+h*hd:], dqkv[base+C+h*hd:], dqkv[base+2*C+h*hd:]
		dy := dout[b*T*C+h*hd:]
		P := att[bh*T*T : (bh+1)*T*T]
		dP := scratch[w][:T*T]
		Pd := P
		var m []uint8
		if s.Drop > 0 {
			m = mask[bh*T*T : (bh+1)*T*T]
			Pd = scratch[w][T*T : 2*T*T]
			for i := range Pd {
				Pd[i] = P[i] * (float32(m[i]) * dscale)
			}
		}
		// dP = dy·vᵀ, dv = Pdᵀ·dy
		blas.Gemm(false, true, T, T, hd, 1, dy, C, v, 3*C, 0, dP, T)
		blas.Gemm(true, false, T, hd, T, 1, Pd, T, dy, C, 0, dv, 3*C)
		// softmax backward (through the dropout mask), scaled: dS = P⊙(dP − Σ P·dP)·scale
		for i := 0; i < T; i++ {
			n := s.seen(i)
			pr, dr := P[i*T:i*T+n], dP[i*T:i*T+n]
			if m != nil {
				kernels.MulMask(dr, dr, m[i*T:i*T+n], dscale)
			}
			kernels.SoftmaxBwd(dr, pr, kernels.Dot(pr, dr), s.Scale)
			clear(dP[i*T+n : (i+1)*T])
		}
		// dq = dS·k, dk = dSᵀ·q
		blas.Gemm(false, false, T, hd, T, 1, dP, T, k, 3*C, 0, dq, 3*C)
		blas.Gemm(true, false, T, hd, T, 1, dP, T, q, 3*C, 0, dk, 3*C)
	})
}

// attnScratch makes sure there is a buffer of n·T·T floats per worker.
func attnScratch(p par, scratch [][]float32, T, n int) [][]float32 {
	for len(scratch) < p.workers {
		scratch = append(scratch, nil)
	}
	for i := range scratch[:p.workers] {
		scratch[i] = grow(scratch[i], n*T*T)
	}
	return scratch
}

// ---------------------------------------------------------------- cross-entropy

// crossEntropyForward turns logits (R × K) into probabilities in place and
// writes losses[r] = −log p[r][targets[r]] (0 for rows whose target is
// negative: the loss mask). It returns the sum of the losses in row order
// and the number of counted rows.
func crossEntropyForward(p par, probs []float32, losses []float64, targets []int32, R, K int) (float64, int) {
	p.For(R, 8, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			row := probs[r*K : (r+1)*K]
			m := kernels.Max(row)
			t := targets[r]
			var lt float32
			if t >= 0 {
				lt = row[t]
			}
			sum := kernels.ExpSubSum(row, m)
			if t >= 0 {
				losses[r] = math.Log(float64(sum)) - (float64(lt) - float64(m))
			} else {
				losses[r] = 0
			}
			kernels.Scale(row, 1/sum)
		}
	})
	var total float64
	n := 0
	for r := 0; r < R; r++ {
		if targets[r] >= 0 {
			total += losses[r]
			n++
		}
	}
	return total, n
}

// crossEntropyBackward turns probs into dlogits = (p − onehot(target))·scale
// in place; rows with a negative target get zero.
func crossEntropyBackward(p par, probs []float32, targets []int32, R, K int, scale float32) {
	p.For(R, 8, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			row := probs[r*K : (r+1)*K]
			t := targets[r]
			if t < 0 {
				clear(row)
				continue
			}
			kernels.Scale(row, scale)
			row[t] -= scale
		}
	})
}
