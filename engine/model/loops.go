package model

import (
	"github.com/tessera-studio/tessera/engine/blas"
	"github.com/tessera-studio/tessera/engine/kernels"
)

// A decode step runs about five parallel loops a layer. A closure handed to
// the worker team escapes to the heap, so each loop used to allocate, and
// the model's f32 accessor boxed a slice through reflection: 512
// allocations a step on imagegpt-small, whose garbage was collected and
// whose pages this VM then faulted in afresh (a tenth of a batch-1 int8
// profile in malloc and zeroing). The loops below keep their operands in
// the cache's workspace and their bodies bound once, so a decode step
// allocates nothing.

// productKind is the storage, and so the kernel, a product reads.
type productKind uint8

const (
	productFloat32 productKind = iota // OpenBLAS on the float32 weights
	productHalf                       // half weights, row by row
	productTiled                      // half weights in tiles of 64 outputs
	productInt8                       // int8 weights, float32 rows
	productVNNI                       // int8 weights, rows quantised to int16
)

// productLoop is one Linear.product's parallel loop over blocks of output
// columns: y = x·W + beta·y for rows rows.
type productLoop struct {
	l     *Linear
	kind  productKind
	rows  int
	x, y  []float32
	beta  float32
	xq    *kernels.Int16Rows
	block int              // output columns a part of the loop
	body  func(lo, hi int) // run, bound once
}

// run computes output column blocks [lo, hi).
func (p *productLoop) run(lo, hi int) {
	l := p.l
	n, k := l.Out, l.In
	c0, c1 := p.block*lo, min(p.block*hi, n)
	switch p.kind {
	case productVNNI:
		kernels.Int8MatMulColsQ(c0, c1, p.rows, n, k, p.x, p.xq, *l.q8, p.beta, p.y)
	case productInt8:
		kernels.Int8MatMulCols(c0, c1, p.rows, n, k, p.x, *l.q8, p.beta, p.y)
	case productTiled:
		kernels.HalfTiledMatMulCols(c0, c1, p.rows, n, k, p.x, l.half, p.beta, p.y)
	case productHalf:
		kernels.HalfMatMulCols(c0, c1, p.rows, n, k, p.x, l.half, p.beta, p.y)
	default:
		blas.LinearCols(c0, c1, p.rows, n, k, p.x, f32(l.W), l.Transposed, p.beta, p.y)
	}
}

// attendLoop is the parallel loop of one query per sequence over (sequence,
// head) pairs: each stores its new key and value in the cache (half
// precision) and writes its attention into out. The float32 cache stores
// them before the loop (Model.attention).
type attendLoop struct {
	kc     *Cache
	l, hd  int
	qkv    []float32
	out    []float32
	scale  float32
	body   func(lo, hi int) // run, bound once
	floats bool             // a float32 cache (BLAS), not a half one
}

// run attends for pairs [lo, hi) (pair bh = sequence bh/H, head bh%H).
func (a *attendLoop) run(lo, hi int) {
	kc, hd := a.kc, a.hd
	d, H := kc.d, kc.heads
	T := kc.length + 1
	scores := kc.ws.scoreRow(lo) // lo starts one chunk only
	for bh := lo; bh < hi; bh++ {
		b, hh := bh/H, bh%H
		at := bh * kc.capacity * hd // head hh of sequence b in the cache
		q := a.qkv[b*3*d+hh*hd:][:hd]
		out := a.out[b*d+hh*hd:][:hd]
		if a.floats {
			K, V := kc.k[a.l], kc.v[a.l]
			blas.Gemv(false, T, hd, a.scale, K[at:], hd, q, 0, scores)
			softmaxInPlace(scores)
			blas.Gemv(true, T, hd, 1, V[at:], hd, scores, 0, out)
			continue
		}
		K, V := kc.kh[a.l], kc.vh[a.l]
		dst := at + kc.length*hd
		kernels.EncodeHalf(K[dst:dst+hd], a.qkv[b*3*d+d+hh*hd:][:hd])
		kernels.EncodeHalf(V[dst:dst+hd], a.qkv[b*3*d+2*d+hh*hd:][:hd])
		kernels.HalfAttend(q, K[at:], V[at:], T, a.scale, scores, out)
	}
}

// normLoop is the parallel loop of an RMS norm over rows (rmsNormRows).
type normLoop struct {
	out, x, gain []float32
	d            int
	eps          float32
	body         func(lo, hi int) // run, bound once
}

func (n *normLoop) run(lo, hi int) { rmsNormRows(n.out, n.x, n.gain, lo, hi, n.d, n.eps) }

// activateLoop is the parallel loop of the activation over a span of values.
type activateLoop struct {
	x    []float32
	kind string
	body func(lo, hi int) // run, bound once
}

func (a *activateLoop) run(lo, hi int) { activateSpan(a.x[lo:hi], a.kind) }

// bind binds every loop's body on first use (one allocation each per
// cache).
func (ws *workspace) bind() {
	if ws.product.body == nil {
		ws.product.body = ws.product.run
		ws.attend.body = ws.attend.run
		ws.norm.body = ws.norm.run
		ws.act.body = ws.act.run
	}
}

// attendOne runs attendLoop over the B·H (sequence, head) pairs of a
// cache's one new query per sequence, for layer l of head size hd;
// floats: a float32 cache, whose new keys and values are stored already.
func (ws *workspace) attendOne(kc *Cache, l, hd int, qkv, out []float32, scale float32, floats bool, par loop) {
	ws.bind()
	a := &ws.attend
	a.kc, a.l, a.hd, a.qkv, a.out, a.scale, a.floats = kc, l, hd, qkv, out, scale, floats
	par(kc.batch*kc.heads, 1, a.body)
	a.kc, a.qkv, a.out = nil, nil, nil // the loop keeps no caller's rows alive
}

// rmsNorm writes out[r] = x[r] / sqrt(mean(x[r]²) + eps) * gain for each
// of rows rows of d values, rows split over par (8 at least a part).
func (ws *workspace) rmsNorm(out, x, gain []float32, rows, d int, eps float32, par loop) {
	ws.bind()
	n := &ws.norm
	n.out, n.x, n.gain, n.d, n.eps = out, x, gain, d, eps
	par(rows, 8, n.body)
	n.out, n.x = nil, nil // the loop keeps no caller's rows alive
}

// activate applies the activation kind to x in place, in parts of 4,096
// values at least.
func (ws *workspace) activate(x []float32, kind string, par loop) {
	ws.bind()
	a := &ws.act
	a.x, a.kind = x, kind
	par(len(x), 1<<12, a.body)
	a.x = nil
}
