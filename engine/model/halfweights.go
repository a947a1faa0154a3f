package model

import (
	"github.com/tessera-studio/tessera/engine/blas"
	"github.com/tessera-studio/tessera/engine/half"
)

// halfRowsMax is the most rows a forward pass feeds the half-precision
// kernels; longer passes (prefill, scoring) go through OpenBLAS, which
// computes far faster once the weights are reused across many rows.
const halfRowsMax = 16

// halfWeights are the matrices of a model in half precision, each output's
// weights contiguous (n×k), as half.MatMul streams them.
type halfWeights struct {
	attnW, attnProj, fcW, mlpProj [][]uint16
	lmHead                        []uint16 // K×d
}

// EnableHalf adds a half-precision copy of the weight matrices and makes
// NewCache return caches that keep keys and values in half precision, so
// a decode step streams half the bytes from memory. Forward passes on
// such caches use the half weights for up to 16 rows at a time and the
// float32 weights otherwise. Results differ from float32 by half-precision
// rounding (about 1e-3 relative); NewExactCache still gives float32
// throughout. Call it once, before the model is shared between goroutines.
func (m *Model) EnableHalf() {
	if m.half != nil {
		return
	}
	c := m.Config
	d, f, L := c.NEmbd, c.Inner(), c.NLayer
	h := &halfWeights{
		attnW: make([][]uint16, L), attnProj: make([][]uint16, L),
		fcW: make([][]uint16, L), mlpProj: make([][]uint16, L),
	}
	for l := range m.Blocks {
		b := &m.Blocks[l]
		h.attnW[l] = half.Transpose(f32(b.AttnW), d, 3*d)
		h.attnProj[l] = half.Transpose(f32(b.AttnProj), d, d)
		h.fcW[l] = half.Transpose(f32(b.FcW), d, f)
		h.mlpProj[l] = half.Transpose(f32(b.MlpProj), f, d)
	}
	K := c.Codes()
	h.lmHead = make([]uint16, K*d)
	half.Encode(h.lmHead, f32(m.LmHead)[:K*d])
	m.half = h
}

// HalfEnabled reports whether EnableHalf was called.
func (m *Model) HalfEnabled() bool { return m.half != nil }

// linear computes y = x·W + beta·y for rows rows (W is k×n float32, or its
// half transpose wh when the cache is half precision and rows are few),
// the output columns split over par.
func (m *Model) linear(kc *Cache, par loop, rows, n, k int, x, w []float32, wh []uint16, beta float32, y []float32) {
	m.linearT(kc, par, rows, n, k, x, w, wh, false, beta, y)
}

// linearT is linear with W optionally stored transposed (n×k, wTrans).
func (m *Model) linearT(kc *Cache, par loop, rows, n, k int, x, w []float32, wh []uint16, wTrans bool, beta float32, y []float32) {
	if kc.half && rows <= halfRowsMax {
		par((n+7)/8, 4, func(lo, hi int) {
			half.MatMulCols(8*lo, min(8*hi, n), rows, n, k, x, wh, beta, y)
		})
		return
	}
	par((n+15)/16, 4, func(lo, hi int) {
		blas.LinearCols(16*lo, min(16*hi, n), rows, n, k, x, w, wTrans, beta, y)
	})
}

// attentionHalf is attention for a half cache: it stores the new keys and
// values in half precision and attends with the half kernels, one query at
// a time (decode steps have one; prefills are short).
func (m *Model) attentionHalf(kc *Cache, l int, qkv, out []float32, n int, par loop) {
	c := m.Config
	B, d, H := kc.batch, c.NEmbd, c.NHead
	hd := d / H
	pos0 := kc.length
	K, V := kc.kh[l], kc.vh[l]
	base := func(b, h int) int { return (b*H + h) * kc.capacity * hd }
	scale := attentionScale(c, l)
	par(B*H, 1, func(lo, hi int) {
		scores := make([]float32, pos0+n)
		for bh := lo; bh < hi; bh++ {
			b, hh := bh/H, bh%H
			at := base(b, hh)
			for i := 0; i < n; i++ {
				src := qkv[(b*n+i)*3*d:]
				dst := at + (pos0+i)*hd
				half.Encode(K[dst:dst+hd], src[d+hh*hd:][:hd])
				half.Encode(V[dst:dst+hd], src[2*d+hh*hd:][:hd])
			}
			for i := 0; i < n; i++ {
				T := pos0 + i + 1
				q := qkv[(b*n+i)*3*d+hh*hd:][:hd]
				half.Attend(q, K[at:], V[at:], T, scale, scores, out[(b*n+i)*d+hh*hd:][:hd])
			}
		}
	})
}
