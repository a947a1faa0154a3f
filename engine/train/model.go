package train

import (
	"fmt"
	"math"
	"time"

	"github.com/tessera-studio/tessera/engine/model"
)

// layerW views one transformer layer's tensors in a parameter buffer.
type layerW struct {
	ln1, qkvw, qkvb, attpw, attpb, ln2, fcw, fcb, fcpw, fcpb []float32
}

// weights views every tensor of a parameter (or gradient) buffer.
type weights struct {
	wte, wpe []float32
	h        []layerW
	lnf, lmh []float32
}

func viewWeights(cfg model.Config, data []float32) weights {
	ts, _ := Layout(cfg)
	i := 0
	next := func() []float32 { t := ts[i]; i++; return data[t.Off : t.Off+t.Size] }
	w := weights{wte: next(), wpe: next(), h: viewBlocks(cfg.NLayer, next)}
	w.lnf, w.lmh = next(), next()
	if i != len(ts) {
		panic("train: weight table and views disagree")
	}
	return w
}

// viewBlocks views n blocks' tensors, taken in model.BlockLayout order from next.
func viewBlocks(n int, next func() []float32) []layerW {
	ls := make([]layerW, n)
	for l := range ls {
		ls[l] = layerW{next(), next(), next(), next(), next(), next(), next(), next(), next(), next()}
	}
	return ls
}

// layerActs views one layer's saved activations.
type layerActs struct {
	ln1, ln1r, qkv, att, atty, res2, ln2, ln2r, fch, fchg, res3 []float32
	m1, m2, matt                                                []uint8 // dropout masks
}

// Model is the trainer's ImageGPT: parameters, gradients and activations for
// up to MaxBatch sequences of n_positions tokens, each in one allocation.
type Model struct {
	Config model.Config
	Params *Params
	Grads  *Params // same layout as Params

	MaxBatch int
	// Dimensions, llm.c's names in comments: positions a sequence (T),
	// width (C), heads (NH), MLP width (F), vocabulary (V), image codes (K),
	// prefix positions before SOS (L prompt slots, plus an edit model's S
	// source codes: ContextLength) and image positions (N = T − prefix),
	// the only ones with logits and a loss.
	seq, width, heads, inner, vocab, codes, prefixLen, imageLen int
	eps                                                         float32
	act                                                         int
	w, g                                                        weights
	p                                                           par
	acts                                                        []float32
	masks                                                       []uint8
	enc                                                         []float32
	embMask                                                     []uint8
	h                                                           []layerActs
	lnf, lnfr, logits, tmp                                      []float32
	dres, dbr, datty, dqkv                                      []float32
	dln, dfch, dlnf, partial                                    []float32
	losses                                                      []float64
	scratch                                                     [][]float32
	inputs, targets                                             []int32
	b, count                                                    int
	drop, fwdDrop                                               dropState
	buf                                                         *blockBuffers
	timing                                                      map[string]time.Duration // per-op wall time when non-nil (profiling)
	lastTick                                                    time.Time
	haveLogits, haveLossState                                   bool
}

// dropState is the dropout of the current forward pass.
type dropState struct {
	embd, resid, attn float32
	seed              uint64
	step              int
}

// NewModel builds a model around p for batches of up to maxBatch sequences.
// workers ≤ 0 means par.DefaultSize() (the CPUs Go runs at once).
func NewModel(p *Params, maxBatch, workers int) (*Model, error) {
	cfg := p.Config
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	act, ok := activationKind(cfg.ActivationFunction)
	if !ok {
		return nil, fmt.Errorf("train: activation %q is not supported", cfg.ActivationFunction)
	}
	if _, n := Layout(cfg); n != len(p.Data) {
		return nil, fmt.Errorf("train: %d parameters do not fit the config (%d)", len(p.Data), n)
	}
	if maxBatch < 1 {
		return nil, fmt.Errorf("train: batch size %d must be positive", maxBatch)
	}
	if err := checkActivations(cfg, maxBatch); err != nil {
		return nil, err
	}
	m := &Model{
		Config: cfg, Params: p, MaxBatch: maxBatch,
		seq: cfg.NPositions, width: cfg.NEmbd, heads: cfg.NHead, inner: cfg.Inner(), vocab: cfg.VocabSize,
		codes: cfg.Codes(), prefixLen: cfg.ContextLength(), eps: float32(cfg.LayerNormEpsilon), act: act,
	}
	m.p = newPar(workers)
	closeWith(m, m.p)
	m.imageLen = m.seq - m.prefixLen
	g, _ := NewParams(cfg)
	m.Grads = g
	m.w, m.g = viewWeights(cfg, p.Data), viewWeights(cfg, g.Data)

	B, T, C, F, NH := maxBatch, m.seq, m.width, m.inner, m.heads
	BT, BN := B*T, B*m.imageLen
	// activationBytes counts every buffer taken below (checkActivations
	// bounded it), in float64: exact for any count it lets through.
	m.acts = make([]float32, int(activationBytes(cfg, maxBatch)/4))
	off := 0
	take := func(n int) []float32 { s := m.acts[off : off+n : off+n]; off += n; return s }
	m.enc = take(BT * C)
	m.h = make([]layerActs, cfg.NLayer)
	for l := range m.h {
		a := &m.h[l]
		a.ln1, a.ln1r, a.qkv, a.att = take(BT*C), take(BT), take(BT*3*C), take(B*NH*T*T)
		a.atty, a.res2, a.ln2, a.ln2r = take(BT*C), take(BT*C), take(BT*C), take(BT)
		a.fch, a.fchg, a.res3 = take(BT*F), take(BT*F), take(BT*C)
	}
	m.lnf, m.lnfr, m.logits, m.tmp = take(BN*C), take(BN), take(BN*m.codes), take(BT*C)
	m.dres, m.dbr, m.datty, m.dqkv = take(BT*C), take(BT*C), take(BT*C), take(BT*3*C)
	m.dln, m.dfch, m.dlnf = take(BT*C), take(BT*F), take(BN*C)
	if off != len(m.acts) {
		panic("train: activation layout")
	}
	m.partial = make([]float32, (BT+redChunk-1)/redChunk*max(F, 3*C))
	m.scratch = attnScratch(m.p, nil, T, 2)
	m.buf = &blockBuffers{tmp: m.tmp, dbr: m.dbr, datty: m.datty, dqkv: m.dqkv, dln: m.dln, dfch: m.dfch, partial: m.partial, scratch: m.scratch}
	m.losses = make([]float64, BN)
	m.inputs = make([]int32, BT)
	m.targets = make([]int32, BN)
	return m, nil
}

// allocMasks allocates the dropout masks (once, in one allocation).
func (m *Model) allocMasks() {
	if m.masks != nil {
		return
	}
	B, T, C, NH := m.MaxBatch, m.seq, m.width, m.heads
	BTC := B * T * C
	n := BTC + len(m.h)*(2*BTC+B*NH*T*T)
	m.masks = make([]uint8, n)
	off := 0
	take := func(k int) []uint8 { s := m.masks[off : off+k : off+k]; off += k; return s }
	m.embMask = take(BTC)
	for l := range m.h {
		m.h[l].m1, m.h[l].m2, m.h[l].matt = take(BTC), take(BTC), take(B*NH*T*T)
	}
}

// SetDropout sets the dropout of the following training forward passes: the
// masks are a pure function of (seed, step, site, element), so a resumed run
// draws the same masks.
func (m *Model) SetDropout(embd, resid, attn float32, seed uint64, step int) {
	m.drop = dropState{embd: embd, resid: resid, attn: attn, seed: seed, step: step}
	if embd > 0 || resid > 0 || attn > 0 {
		m.allocMasks()
	}
}

// blockShape is how layer l runs on b sequences with dropout d.
func (m *Model) blockShape(b, l int, d dropState) blockShape {
	return blockShape{B: b, T: m.seq, C: m.width, NH: m.heads, F: m.inner, Eps: m.eps, Act: m.act, Scale: m.attnScale(l),
		Resid: d.resid, Attn: d.attn, AttnKey: dropKey(d.seed, d.step, 1+3*l)}
}

// attnScale is the factor on q·k in layer l.
func (m *Model) attnScale(l int) float32 {
	s := 1.0
	if m.Config.ScaleAttnWeights {
		s = 1 / math.Sqrt(float64(m.width/m.heads))
	}
	if m.Config.ScaleAttnByInverseLayerIdx {
		s /= float64(l + 1)
	}
	return float32(s)
}

// Forward runs b sequences: inputs holds b×n_positions token ids, targets
// b×N code ids for the N image positions ContextLength() … n_positions−1
// (−1: no loss there), or nil to compute logits only. The context positions
// before them (prompt, an edit model's source, up to SOS) get no logits and
// no loss: they reach the loss only through attention. train turns dropout
// on. It returns the mean loss in nats over the counted targets (0 without
// targets).
func (m *Model) Forward(inputs, targets []int32, b int, train bool) (float64, error) {
	T, C, N, K := m.seq, m.width, m.imageLen, m.codes
	if b < 1 || b > m.MaxBatch {
		return 0, fmt.Errorf("train: batch %d outside [1, %d]", b, m.MaxBatch)
	}
	if len(inputs) != b*T || (targets != nil && len(targets) != b*N) {
		return 0, fmt.Errorf("train: %d inputs and %d targets for batch %d (want %d and %d)", len(inputs), len(targets), b, b*T, b*N)
	}
	for i, id := range inputs {
		if id < 0 || int(id) >= m.vocab {
			return 0, fmt.Errorf("train: input %d: token %d outside [0, %d)", i, id, m.vocab)
		}
	}
	for i, t := range targets {
		if int(t) >= K {
			return 0, fmt.Errorf("train: target %d: code %d outside [0, %d)", i, t, K)
		}
	}
	m.b = b
	copy(m.inputs, inputs)
	R, BN := b*T, b*N
	p := m.p
	d := m.drop
	if !train {
		d = dropState{}
	}
	m.tick("")
	enc := m.enc[:R*C]
	encoderForward(p, enc, m.inputs, m.w.wte, m.w.wpe, R, T, C)
	if d.embd > 0 {
		dropoutMask(p, m.embMask[:R*C], dropKey(d.seed, d.step, 0), d.embd)
		dropoutApply(p, enc, m.embMask[:R*C], 1/(1-d.embd))
	}
	m.tick("encoder")
	x := enc
	for l := range m.h {
		a := &m.h[l]
		sh := m.blockShape(b, l, d)
		if d.resid > 0 {
			dropoutMask(p, a.m1[:R*C], dropKey(d.seed, d.step, 2+3*l), d.resid)
			dropoutMask(p, a.m2[:R*C], dropKey(d.seed, d.step, 3+3*l), d.resid)
		}
		blockForward(p, a, &m.w.h[l], x, sh, m.buf)
		m.tick("blocks")
		x = a.res3
	}
	rmsnormForward(p, m.lnf, m.lnfr, x, m.w.lnf, BN, C, N, m.prefixLen, m.eps)
	m.tick("rmsnorm")
	p.Gemm(false, true, BN, K, C, 1, m.lnf, C, m.w.lmh, C, 0, m.logits, K)
	m.tick("mm lmhead fwd")
	m.fwdDrop = d
	m.haveLogits, m.haveLossState = true, false
	if targets == nil {
		return 0, nil
	}
	copy(m.targets, targets)
	sum, n := crossEntropyForward(p, m.logits[:BN*K], m.losses[:BN], m.targets[:BN], BN, K)
	m.tick("crossentropy")
	m.count = n
	m.haveLogits, m.haveLossState = false, true
	if n == 0 {
		return 0, nil
	}
	return sum / float64(n), nil
}

// Logits returns the b×N×K code logits of the last Forward without targets.
func (m *Model) Logits() []float32 {
	if !m.haveLogits {
		return nil
	}
	return m.logits[:m.b*m.imageLen*m.codes]
}

// Losses returns the per-target losses (nats, b×N; 0 where masked) of the
// last Forward with targets.
func (m *Model) Losses() []float64 { return m.losses[:m.b*m.imageLen] }

// ZeroGrad clears the gradients.
func (m *Model) ZeroGrad() {
	g := m.Grads.Data
	m.p.For(len(g), 1<<16, func(lo, hi int) { clear(g[lo:hi]) })
}

// Backward adds the gradient of the last Forward's mean loss to Grads.
func (m *Model) Backward() error {
	if !m.haveLossState {
		return fmt.Errorf("train: Backward needs a Forward with targets first")
	}
	m.haveLossState = false
	if m.count == 0 {
		return nil
	}
	b, T, C, N, K := m.b, m.seq, m.width, m.imageLen, m.codes
	R, BN := b*T, b*N
	p, d := m.p, m.fwdDrop
	m.tick("")
	dres := m.dres[:R*C]
	p.For(len(dres), 1<<16, func(lo, hi int) { clear(dres[lo:hi]) })

	dlogits := m.logits[:BN*K]
	crossEntropyBackward(p, dlogits, m.targets[:BN], BN, K, 1/float32(m.count))
	m.tick("crossentropy")
	p.Gemm(false, false, BN, C, K, 1, dlogits, K, m.w.lmh, C, 0, m.dlnf, C)
	p.GemmTNAcc(K, C, BN, dlogits, K, m.lnf, C, m.g.lmh, C)
	m.tick("mm lmhead bwd")
	last := m.enc
	if n := len(m.h); n > 0 {
		last = m.h[n-1].res3
	}
	rmsnormBackward(p, dres, m.g.lnf, m.dlnf, last, m.w.lnf, m.lnfr, m.partial, BN, C, N, m.prefixLen)
	m.tick("rmsnorm")

	for l := len(m.h) - 1; l >= 0; l-- {
		in := m.enc
		if l > 0 {
			in = m.h[l-1].res3
		}
		blockBackward(p, dres, &m.g.h[l], &m.h[l], &m.w.h[l], in, m.blockShape(b, l, d), m.buf)
		m.tick("blocks")
	}
	if d.embd > 0 {
		dropoutApply(p, dres, m.embMask[:R*C], 1/(1-d.embd))
	}
	encoderBackward(p, m.g.wte, m.g.wpe, dres, m.inputs[:R], R, T, C, m.vocab)
	m.tick("encoder")
	return nil
}

// tick charges the time since the previous tick to op (profiling only).
func (m *Model) tick(op string) {
	if m.timing == nil {
		return
	}
	now := time.Now()
	if op != "" {
		m.timing[op] += now.Sub(m.lastTick)
	}
	m.lastTick = now
}

// activationBytes is what NewModel allocates for the activations and their
// gradients of a batch of maxBatch sequences (float32), counted in
// float64 so that no size overflows: the attention's B·heads·T² a layer
// grows with the square of the sequence.
func activationBytes(cfg model.Config, maxBatch int) float64 {
	B, T, C, F, NH := float64(maxBatch), float64(cfg.NPositions), float64(cfg.NEmbd), float64(cfg.Inner()), float64(cfg.NHead)
	BT, BN := B*T, B*float64(cfg.NPositions-cfg.ContextLength())
	// ln1 atty res2 ln2 res3, two rstd, qkv, att, fch fchg
	perLayer := 5*BT*C + 2*BT + 3*BT*C + B*NH*T*T + 2*BT*F
	total := BT*C + float64(cfg.NLayer)*perLayer + BN*C + BN + BN*float64(cfg.Codes()) + BT*C + // enc, layers, lnf, lnfr, logits, tmp
		BT*C + BT*C + BT*C + 3*BT*C + BT*C + BT*F + BN*C // dres dbr datty dqkv dln dfch dlnf
	return 4 * total
}

// maxActivationFloats bounds the activations' count where the machine's
// memory is unknown (2³⁶ floats, 256 GiB: past any slice a make can hold
// on the machines Tessera trains on).
const maxActivationFloats = 1 << 36

// checkActivations refuses a model whose activations for maxBatch
// sequences would not fit in the machine's memory: a 262,146-token
// sequence (512×512 px in 1-px patches) asked for a 275 GB block and the
// run died of a runtime error, its folder left "running".
func checkActivations(cfg model.Config, maxBatch int) error {
	need := activationBytes(cfg, maxBatch)
	mem := physicalMemory()
	if need/4 <= maxActivationFloats && (mem <= 0 || need <= float64(mem)) {
		return nil
	}
	have := "the most Tessera allocates"
	if mem > 0 {
		have = fmt.Sprintf("this machine's %.1f GB of memory", float64(mem)/1e9)
	}
	return fmt.Errorf("train: a batch of %d sequences of %d tokens needs %.1f GB of activations (the attention alone grows with the square of the sequence), more than %s: lower --batch, or train on fewer tokens a picture (a larger --patch or a smaller --size)",
		maxBatch, cfg.NPositions, need/1e9, have)
}
