package train

// block.go: one pre-norm transformer block (ImageGPT's, with RMS norms),
// forward and backward, shared by the GPT (causal attention) and the ViT
// tokenizer's encoder and decoder (bidirectional attention).
//
//	h = x + drop(attn(ln_1(x)) · c_proj + b)
//	y = h + drop(quick_gelu(ln_2(h) · c_fc + b) · c_proj + b)

// blockShape says how a block runs on R = B·T rows of width C.
type blockShape struct {
	B, T, C, NH, F int
	Eps            float32
	Act            int     // activation kind
	Scale          float32 // multiplies q·k
	Bidirectional  bool    // attention sees every position (ViT), not only earlier ones (GPT)
	Resid          float32 // residual dropout probability (masks m1, m2 in layerActs when > 0)
	Attn           float32 // attention-probability dropout
	AttnKey        uint64  // its dropout key
}

// blockBuffers is scratch shared by every block of a model, sized for the
// largest R: tmp R×C; backward dbr R×C, datty R×C, dqkv R×3C, dln R×C, dfch
// R×F; partial for column reductions; attention scratch per worker.
type blockBuffers struct {
	tmp, dbr, datty, dqkv, dln, dfch, partial []float32
	scratch                                   [][]float32
}

// newBlockBuffers allocates blockBuffers for R rows.
func newBlockBuffers(p par, R, T, C, F int) *blockBuffers {
	return &blockBuffers{
		tmp: make([]float32, R*C), dbr: make([]float32, R*C), datty: make([]float32, R*C),
		dqkv: make([]float32, R*3*C), dln: make([]float32, R*C), dfch: make([]float32, R*F),
		partial: make([]float32, (R+redChunk-1)/redChunk*max(F, 3*C)),
		scratch: attnScratch(p, nil, T, 2),
	}
}

// blockForward runs one block on x (R×C), leaving its activations in a; the
// output is a.res3. With s.Resid > 0, a.m1 and a.m2 hold the residual
// dropout masks already drawn; with s.Attn > 0, a.matt receives the
// attention masks.
func blockForward(p par, a *layerActs, w *layerW, x []float32, s blockShape, buf *blockBuffers) {
	R, C, F := s.B*s.T, s.C, s.F
	rmsnormForward(p, a.ln1, a.ln1r, x, w.ln1, R, C, R, 0, s.Eps)
	matmulForward(p, a.qkv, a.ln1, w.qkvw, w.qkvb, R, C, 3*C)
	var matt []uint8
	if s.Attn > 0 {
		matt = a.matt
	}
	attentionForward(p, a.atty, a.att, matt, a.qkv, s.attn(), buf.scratch)
	matmulForward(p, buf.tmp, a.atty, w.attpw, nil, R, C, C)
	var m1, m2 []uint8
	if s.Resid > 0 {
		m1, m2 = a.m1[:R*C], a.m2[:R*C]
	}
	rs := 1 / (1 - s.Resid)
	residualForward(p, a.res2, x, buf.tmp, w.attpb, m1, rs, R, C)
	rmsnormForward(p, a.ln2, a.ln2r, a.res2, w.ln2, R, C, R, 0, s.Eps)
	matmulForward(p, a.fch, a.ln2, w.fcw, nil, R, C, F)
	geluForward(p, a.fchg, a.fch, w.fcb, R, F, s.Act)
	matmulForward(p, buf.tmp, a.fchg, w.fcpw, nil, R, F, C)
	residualForward(p, a.res3, a.res2, buf.tmp, w.fcpb, m2, rs, R, C)
}

// blockBackward takes dres (R×C), the gradient of the block's output, and
// turns it in place into the gradient of its input x, adding the weight
// gradients to g.
func blockBackward(p par, dres []float32, g *layerW, a *layerActs, w *layerW, x []float32, s blockShape, buf *blockBuffers) {
	R, C, F := s.B*s.T, s.C, s.F
	var m1, m2 []uint8
	br := dres
	if s.Resid > 0 {
		m1, m2 = a.m1[:R*C], a.m2[:R*C]
		br = buf.dbr[:R*C]
	}
	rs := 1 / (1 - s.Resid)
	// MLP branch.
	residualBackward(p, br, g.fcpb, dres, m2, rs, R, C)
	matmulBackward(p, buf.dfch, g.fcpw, nil, br, a.fchg, w.fcpw, R, F, C)
	geluBackward(p, buf.dfch, g.fcb, a.fch, buf.dfch, buf.partial, R, F, s.Act)
	matmulBackward(p, buf.dln, g.fcw, nil, buf.dfch, a.ln2, w.fcw, R, C, F)
	rmsnormBackward(p, dres, g.ln2, buf.dln, a.res2, w.ln2, a.ln2r, buf.partial, R, C, R, 0)
	// Attention branch.
	residualBackward(p, br, g.attpb, dres, m1, rs, R, C)
	matmulBackward(p, buf.datty, g.attpw, nil, br, a.atty, w.attpw, R, C, C)
	var matt []uint8
	if s.Attn > 0 {
		matt = a.matt
	}
	attentionBackward(p, buf.dqkv, buf.datty, a.att, matt, a.qkv, s.attn(), buf.scratch)
	matmulBackward(p, buf.dln, g.qkvw, g.qkvb, buf.dqkv, a.ln1, w.qkvw, R, C, 3*C)
	rmsnormBackward(p, dres, g.ln1, buf.dln, x, w.ln1, a.ln1r, buf.partial, R, C, R, 0)
}

// attn is the attention call of the block.
func (s blockShape) attn() attnShape {
	return attnShape{B: s.B, T: s.T, C: s.C, NH: s.NH, Scale: s.Scale, Drop: s.Attn, Key: s.AttnKey, Bidirectional: s.Bidirectional}
}

// allocLayerActs carves the activations of n blocks for R rows (B·T, with
// NH heads over T positions) out of one allocation.
func allocLayerActs(n, B, T, C, NH, F int) []layerActs {
	R := B * T
	per := 5*R*C + 2*R + 3*R*C + B*NH*T*T + 2*R*F
	buf := make([]float32, n*per)
	off := 0
	take := func(k int) []float32 { s := buf[off : off+k : off+k]; off += k; return s }
	acts := make([]layerActs, n)
	for l := range acts {
		a := &acts[l]
		a.ln1, a.ln1r, a.qkv, a.att = take(R*C), take(R), take(R*3*C), take(B*NH*T*T)
		a.atty, a.res2, a.ln2, a.ln2r = take(R*C), take(R*C), take(R*C), take(R)
		a.fch, a.fchg, a.res3 = take(R*F), take(R*F), take(R*C)
	}
	return acts
}
