package model

import (
	"fmt"
	"math"
	"runtime"

	"github.com/tessera-studio/tessera/engine/blas"
	"github.com/tessera-studio/tessera/engine/kernels"
	"github.com/tessera-studio/tessera/engine/par"
)

// Cache holds the keys and values of past positions for a batch of
// sequences that advance together, plus scratch buffers reused across steps.
type Cache struct {
	batch, capacity, d int
	heads              int
	length             int
	// k and v hold, per layer, batch × heads × capacity × head_dim floats:
	// each head's keys are contiguous, so attention streams them. A half
	// cache keeps them in kh and vh instead, in the same layout.
	k, v   [][]float32
	half   bool
	kh, vh [][]uint16
	// halfW: forward passes of few rows use the model's half weights (those
	// that fit in half precision). It is set on every cache NewCache makes
	// after EnableHalf, even when the keys and values stay float32 because
	// they might not fit (Model.HalfReport).
	halfW bool
	ws    workspace
	// workers keeps a team of goroutines for the forward passes on this
	// cache; it stops when the cache is garbage collected.
	workers *par.Team
	loop    loop // workers.For
}

// team returns the cache's worker team of the given size, starting it on
// first use (or when the size changes).
func (kc *Cache) team(size int) loop {
	if kc.workers == nil || kc.workers.Size() != size {
		if kc.workers != nil {
			kc.workers.Close()
		}
		t := par.NewTeam(size)
		runtime.AddCleanup(kc, func(t *par.Team) { t.Close() }, t)
		kc.workers = t
		kc.loop = t.For // bound once: a method value allocates
	}
	return kc.loop
}

type workspace struct {
	x, h, qkv, att, fc, logits []float32
	xs                         []float32 // the last block's rows read afterwards (Block.forwardFrom)
	// scores holds the attention scores of one query, per (sequence,
	// head): a chunk of a parallel loop over them starting at item lo
	// uses scoreRow(lo). Allocated afresh each call, these buffers cost a
	// twelfth of a batch-1 int8 profile (mallocgc and the zeroing of fresh
	// pages: on this VM a first touch costs ~11 µs a page).
	scores     []float32
	each, most int // floats a row of scores, and room for them a row
	// xq holds the rows of an int8 product quantised to int16, for the
	// VNNI kernels (kernels.Int8VNNI).
	xq kernels.Int16Rows
	// The parallel loops of a decode step, kept here with their bodies
	// bound once so that a step allocates nothing (loops.go).
	product productLoop
	attend  attendLoop
	norm    normLoop
	act     activateLoop
}

// scoreRows readies ws.scores for items rows of each floats, with room for
// most (the cache's capacity, so that the rows are allocated once for all
// the positions to come).
func (ws *workspace) scoreRows(items, each, most int) {
	if most < each || len(ws.scores) < items*most {
		ws.scores = make([]float32, items*max(most, each))
	}
	ws.each, ws.most = each, len(ws.scores)/items
}

// scoreRow is the scores row of item i (after scoreRows).
func (ws *workspace) scoreRow(i int) []float32 { return ws.scores[i*ws.most:][:ws.each] }

// grow returns buf resized to n, reallocating only when it is too small.
func grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}

// NewCache allocates a KV cache for batch sequences of up to n_positions
// tokens: in half precision once EnableHalf was called, else float32. The
// keys and values stay float32 after EnableHalf too when the model's
// weights could make them overflow half precision (Model.HalfReport).
func (m *Model) NewCache(batch int) *Cache {
	kc := m.newCache(batch, m.half != nil && m.half.cacheFits)
	kc.halfW = m.half != nil
	return kc
}

// NewExactCache allocates a float32 KV cache whatever the model's precision:
// forward passes on it use only the float32 weights (scoring uses it).
func (m *Model) NewExactCache(batch int) *Cache {
	return m.newCache(batch, false)
}

func (m *Model) newCache(batch int, halfPrec bool) *Cache {
	c := m.Config
	kc := &Cache{batch: batch, capacity: c.NPositions, d: c.NEmbd, heads: c.NHead, half: halfPrec}
	n := batch * c.NPositions * c.NEmbd
	if halfPrec {
		kc.kh = make([][]uint16, c.NLayer)
		kc.vh = make([][]uint16, c.NLayer)
		for l := range kc.kh {
			kc.kh[l] = make([]uint16, n)
			kc.vh[l] = make([]uint16, n)
		}
		return kc
	}
	kc.k = make([][]float32, c.NLayer)
	kc.v = make([][]float32, c.NLayer)
	for l := range kc.k {
		kc.k[l] = make([]float32, n)
		kc.v[l] = make([]float32, n)
	}
	return kc
}

// Half reports whether the cache keeps keys and values in half precision.
func (kc *Cache) Half() bool { return kc.half }

// Batch is the number of sequences in the cache.
func (kc *Cache) Batch() int { return kc.batch }

// Len is the number of positions already processed.
func (kc *Cache) Len() int { return kc.length }

// Truncate forgets every position at or after n (rewind to a prefix of n tokens).
func (kc *Cache) Truncate(n int) {
	if n < kc.length && n >= 0 {
		kc.length = n
	}
}

// Bytes is the memory the cache's keys and values take.
func (kc *Cache) Bytes() int64 {
	if kc.half {
		return int64(len(kc.kh)) * 2 * int64(kc.batch*kc.capacity*kc.d) * 2
	}
	return int64(len(kc.k)) * 2 * int64(kc.batch*kc.capacity*kc.d) * 4
}

// Gather returns a new cache whose sequence i is a copy of sequence rows[i]
// of kc (its first Len positions), so a shared prefix is computed once and
// then continued in many directions.
func (kc *Cache) Gather(rows []int) *Cache {
	out := &Cache{batch: len(rows), capacity: kc.capacity, d: kc.d, heads: kc.heads, length: kc.length, half: kc.half, halfW: kc.halfW}
	if kc.half {
		out.kh, out.vh = gatherLayers(kc, kc.kh, rows), gatherLayers(kc, kc.vh, rows)
	} else {
		out.k, out.v = gatherLayers(kc, kc.k, rows), gatherLayers(kc, kc.v, rows)
	}
	return out
}

// gatherLayers copies the used positions of sequences rows of every layer.
func gatherLayers[T float32 | uint16](kc *Cache, src [][]T, rows []int) [][]T {
	hd := kc.d / kc.heads
	seq := kc.capacity * kc.d // values per sequence
	head := kc.capacity * hd  // values per head of a sequence
	n := kc.length * hd       // values in use per head
	out := make([][]T, len(src))
	for l := range src {
		out[l] = make([]T, len(rows)*seq)
		for i, r := range rows {
			for h := 0; h < kc.heads; h++ {
				copy(out[l][i*seq+h*head:][:n], src[l][r*seq+h*head:][:n])
			}
		}
	}
	return out
}

// ForwardOptions tune one forward call.
type ForwardOptions struct {
	// AllLogits returns logits for every new position, not just the last.
	AllLogits bool
	// LogitsFrom, with AllLogits, skips the logits of each sequence's
	// first LogitsFrom new positions (a prompt's, whose next-token
	// predictions a scorer does not read): the result is
	// batch × (n − LogitsFrom) × K. It must be below n.
	LogitsFrom int
	// Workers caps the threads used (0 means all CPUs).
	Workers int
	// Trace, when set, sees hidden states: ("embeddings", -1), ("block", l)
	// after each layer and ("final", n_layer) after ln_f; h is rows × n_embd.
	Trace func(stage string, layer int, h []float32)
}

// Forward runs n new positions for every sequence of the cache: ids holds
// batch × n token ids, row-major. It appends their keys and values to the
// cache and returns logits over the K image codes, batch × K for the last
// new position of each sequence, or batch × n × K with AllLogits (batch ×
// (n − LogitsFrom) × K with LogitsFrom). The
// returned slice is reused by the next call on the same cache.
func (m *Model) Forward(kc *Cache, ids []int, n int, opt ForwardOptions) ([]float32, error) {
	c := m.Config
	B, d := kc.batch, c.NEmbd
	if n < 1 || len(ids) != B*n {
		return nil, fmt.Errorf("forward: got %d ids for batch %d × %d positions", len(ids), B, n)
	}
	if opt.LogitsFrom < 0 || opt.LogitsFrom >= n {
		return nil, fmt.Errorf("forward: logits from position %d of %d new ones", opt.LogitsFrom, n)
	}
	pos0 := kc.length
	if pos0+n > c.NPositions {
		return nil, fmt.Errorf("forward: %d positions exceed the model's context of %d", pos0+n, c.NPositions)
	}
	for _, id := range ids {
		if id < 0 || id >= c.VocabSize {
			return nil, fmt.Errorf("forward: token id %d outside the vocabulary [0, %d)", id, c.VocabSize)
		}
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = par.DefaultSize()
	}
	par := kc.team(workers)
	rows := B * n
	f := c.Inner()
	ws := &kc.ws
	ws.x = grow(ws.x, rows*d)
	ws.h = grow(ws.h, rows*d)
	ws.qkv = grow(ws.qkv, rows*3*d)
	ws.att = grow(ws.att, rows*d)
	ws.fc = grow(ws.fc, rows*f)
	x, h, att := ws.x, ws.h, ws.att

	wte, wpe := f32(m.Wte), f32(m.Wpe)
	for r := 0; r < rows; r++ {
		id, pos := ids[r], pos0+r%n
		xr := x[r*d : (r+1)*d]
		copy(xr, wte[id*d:(id+1)*d])
		axpy(1, wpe[pos*d:(pos+1)*d], xr)
	}
	if opt.Trace != nil {
		opt.Trace("embeddings", -1, x)
	}
	// With LogitsFrom, the last block computes only keys and values for
	// the positions whose logits are not read (and traces need them all).
	var tail []float32
	for l := range m.Blocks {
		if l == len(m.Blocks)-1 && opt.AllLogits && opt.LogitsFrom > 0 && opt.Trace == nil {
			tail = m.Blocks[l].forwardFrom(m, kc, l, x, ws, B, n, opt.LogitsFrom, par)
			break
		}
		m.Blocks[l].forward(m, kc, l, x, ws, rows, n, par)
		if opt.Trace != nil {
			opt.Trace("block", l, x)
		}
	}
	kc.length += n

	// Final norm only on the rows whose logits are wanted.
	K, eps := c.Codes(), float32(c.LayerNormEpsilon)
	var src []float32
	outRows := rows
	switch {
	case tail != nil:
		outRows = B * (n - opt.LogitsFrom)
		ws.rmsNorm(h, tail, f32(m.LnF), outRows, d, eps, par)
		src = h[:outRows*d]
	case opt.AllLogits && opt.LogitsFrom == 0:
		ws.rmsNorm(h, x, f32(m.LnF), rows, d, eps, par)
		src = h
	case opt.AllLogits:
		outRows = B * (n - opt.LogitsFrom)
		tailRows(att, x, B, n, opt.LogitsFrom, d)
		ws.rmsNorm(h, att, f32(m.LnF), outRows, d, eps, par)
		src = h[:outRows*d]
	default:
		outRows = B
		for b := 0; b < B; b++ {
			last := (b*n + n - 1) * d
			copy(att[b*d:(b+1)*d], x[last:last+d])
		}
		ws.rmsNorm(h, att, f32(m.LnF), B, d, eps, par)
		src = h[:B*d]
	}
	if opt.Trace != nil {
		opt.Trace("final", c.NLayer, src)
	}
	ws.logits = grow(ws.logits, outRows*K)
	m.LmHead.Apply(kc, par, outRows, src, ws.logits) // rows × d → rows × K
	return ws.logits, nil
}

// forward runs block l (of model m) over rows = batch × n new positions,
// appending their keys and values to the cache: x (rows × d) is the
// residual stream, updated in place; ws holds the scratch rows.
func (b *Block) forward(m *Model, kc *Cache, l int, x []float32, ws *workspace, rows, n int, par loop) {
	c := m.Config
	d, eps := c.NEmbd, float32(c.LayerNormEpsilon)
	h, qkv, att, fc := ws.h, ws.qkv, ws.att, ws.fc
	ws.rmsNorm(h, x, f32(b.Ln1), rows, d, eps, par) // h = norm(x)                       rows × d
	b.Attn.Apply(kc, par, rows, h, qkv)             // q, k, v = h·W + b                  rows × 3d
	m.attend(kc, l, qkv, att, n, par)               // att = softmax(q·kᵀ·scale)·v        rows × d
	b.AttnProj.AddTo(kc, par, rows, att, x)         // x += att·W + b
	ws.rmsNorm(h, x, f32(b.Ln2), rows, d, eps, par) // h = norm(x)
	b.Fc.Apply(kc, par, rows, h, fc)                // fc = h·W + b                       rows × f
	ws.activate(fc, c.ActivationFunction, par)      // fc = act(fc)
	b.MlpProj.AddTo(kc, par, rows, fc, x)           // x += fc·W + b
}

// forwardFrom is forward for a last block whose output is read only at
// positions from…n−1 of each of the B sequences (n new positions each):
// every position's key and value still go into the cache, but the
// attention projection and the MLP run only on the rows read, which it
// returns (B·(n−from) × d, in ws.xs). Ranking prompts skips the prompt's
// positions this way (ForwardOptions.LogitsFrom).
func (b *Block) forwardFrom(m *Model, kc *Cache, l int, x []float32, ws *workspace, B, n, from int, par loop) []float32 {
	c := m.Config
	d, eps := c.NEmbd, float32(c.LayerNormEpsilon)
	rows, per := B*n, n-from
	h, qkv, att := ws.h, ws.qkv, ws.att
	ws.rmsNorm(h, x, f32(b.Ln1), rows, d, eps, par)
	b.Attn.Apply(kc, par, rows, h, qkv)
	m.attend(kc, l, qkv, att, n, par)
	// Only the rows read go on (att compacted in place).
	out := B * per
	ws.xs = grow(ws.xs, out*d)
	xs := ws.xs
	tailRows(xs, x, B, n, from, d)
	tailRows(att, att, B, n, from, d)
	fc := ws.fc[:out*c.Inner()]
	b.AttnProj.AddTo(kc, par, out, att, xs)
	ws.rmsNorm(h, xs, f32(b.Ln2), out, d, eps, par)
	b.Fc.Apply(kc, par, out, h, fc)
	ws.activate(fc, c.ActivationFunction, par)
	b.MlpProj.AddTo(kc, par, out, fc, xs)
	return xs
}

// tailRows copies positions from…n−1 of each of B sequences of n rows of
// width d in src into dst, one after the other (B·(n−from) rows). dst may
// be src: copy moves overlapping ranges correctly, and no sequence's rows
// are written over before they are moved.
func tailRows(dst, src []float32, B, n, from, d int) {
	per := n - from
	for s := range B {
		at := (s*n + from) * d
		copy(dst[s*per*d:(s+1)*per*d], src[at:at+per*d])
	}
}

// attend stores layer l's new keys and values in the cache and writes the
// causal attention of the new queries into out (rows × d), with the kernels
// of the cache's storage: half precision or float32.
func (m *Model) attend(kc *Cache, l int, qkv, out []float32, n int, par loop) {
	if kc.half {
		m.attentionHalf(kc, l, qkv, out, n, par)
		return
	}
	m.attention(kc, l, qkv, out, n, par)
}

// fillRows sets every row of x to b.
func fillRows(x, b []float32, rows int) {
	d := len(b)
	for r := 0; r < rows; r++ {
		copy(x[r*d:(r+1)*d], b)
	}
}

// attention stores the new keys and values of layer l in the cache and writes
// the causal multi-head attention of the new queries into out (rows × d).
func (m *Model) attention(kc *Cache, l int, qkv, out []float32, n int, par loop) {
	c := m.Config
	B, d, H := kc.batch, c.NEmbd, c.NHead
	hd := d / H
	pos0 := kc.length
	T := pos0 + n
	K, V := kc.k[l], kc.v[l]
	// base(b, h) is where head h of sequence b starts in K and V.
	base := func(b, h int) int { return (b*H + h) * kc.capacity * hd }
	for b := 0; b < B; b++ {
		for i := 0; i < n; i++ {
			src := qkv[(b*n+i)*3*d:]
			for hh := 0; hh < H; hh++ {
				dst := base(b, hh) + (pos0+i)*hd
				copy(K[dst:dst+hd], src[d+hh*hd:][:hd])
				copy(V[dst:dst+hd], src[2*d+hh*hd:][:hd])
			}
		}
	}
	scale := attentionScale(c, l)
	if n == 1 {
		// One query per sequence: vector kernels, parallel over (sequence, head).
		kc.ws.scoreRows(B*H, T, kc.capacity)
		kc.ws.attendOne(kc, l, hd, qkv, out, scale, true, par)
		return
	}
	// Several queries per sequence: per-head matrix products through BLAS,
	// heads in parallel, each with its own score matrix.
	par(B*H, 1, func(lo, hi int) {
		S := make([]float32, n*T)
		for bh := lo; bh < hi; bh++ {
			b, hh := bh/H, bh%H
			q := qkv[b*n*3*d+hh*hd:]
			at := base(b, hh)
			blas.Gemm(false, true, n, T, hd, scale, q, 3*d, K[at:], hd, 0, S, T)
			for i := 0; i < n; i++ {
				row := S[i*T : (i+1)*T]
				visible := pos0 + i + 1
				softmaxInPlace(row[:visible])
				clear(row[visible:])
			}
			blas.Gemm(false, false, n, hd, T, 1, S, T, V[at:], hd, 0, out[b*n*d+hh*hd:], d)
		}
	})
}

// attentionScale is the factor on the attention scores of layer l.
func attentionScale(c Config, l int) float32 {
	scale := float32(1)
	if c.ScaleAttnWeights {
		scale = 1 / float32(math.Sqrt(float64(c.NEmbd/c.NHead)))
	}
	if c.ScaleAttnByInverseLayerIdx {
		scale /= float32(l + 1)
	}
	return scale
}
