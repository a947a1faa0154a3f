package model

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/tessera-studio/tessera/engine/kernels"
)

// DecodeRows is the most rows a forward pass feeds the reduced-precision
// (f16, int8) kernels; longer passes (prefill, scoring) go through
// OpenBLAS in float32, which computes far faster once the weights are
// reused across many rows.
const DecodeRows = 16

// halfState is what EnableHalf decided for a model (each Linear owns its
// own half copy).
type halfState struct {
	// cacheFits is false when some layer's keys or values could exceed
	// half precision's range: caches then keep them in float32.
	cacheFits bool
	// int8 is set by EnableInt8: the weights are int8 where they fit.
	int8   bool
	report HalfReport
}

// HalfReport says which parts of a model stay float32 after EnableHalf,
// because rounding them to half precision would change results beyond its
// usual rounding error.
type HalfReport struct {
	// Kept maps the safetensors name of each weight matrix kept in float32
	// to the reason (values beyond ±65504, or too many below float16's
	// normal range).
	Kept map[string]string
	// FloatCache is set when keys and values are cached in float32: the
	// weights allow magnitudes a half cache could not hold. CacheReason
	// names the layer and the bound.
	FloatCache  bool
	CacheReason string
	// HalfKept maps, after EnableInt8, each weight matrix kept in half
	// precision instead of int8 to the reason.
	HalfKept map[string]string
}

// Mixed reports whether anything stays float32.
func (r HalfReport) Mixed() bool { return len(r.Kept) > 0 || r.FloatCache }

// String summarises the report for a log line ("" when all is half).
func (r HalfReport) String() string {
	var out []string
	if r.Mixed() {
		parts := reasons(r.Kept)
		if r.FloatCache {
			parts = append(parts, "key/value cache: "+r.CacheReason)
		}
		out = append(out, "kept in float32 (float16 cannot hold them): "+strings.Join(parts, "; "))
	}
	if len(r.HalfKept) > 0 {
		out = append(out, "kept in float16 (int8 would blur them): "+strings.Join(reasons(r.HalfKept), "; "))
	}
	return strings.Join(out, "; ")
}

// reasons lists "name: why" for each entry, sorted by name.
func reasons(why map[string]string) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(why)) {
		out = append(out, name+": "+why[name])
	}
	return out
}

// EnableHalf adds a half-precision copy of the weight matrices and makes
// NewCache return caches that keep keys and values in half precision, so
// a decode step streams half the bytes from memory. Forward passes on
// such caches use the half weights for up to 16 rows at a time and the
// float32 weights otherwise. Results differ from float32 by half-precision
// rounding (about 1e-3 relative); NewExactCache still gives float32
// throughout. Call it once, before the model is shared between goroutines.
//
// Each matrix is checked first (kernels.MeasureHalf): one with values beyond
// float16's range, or too many below its normal range, stays float32, and
// when the weights bound some layer's keys or values above float16's range
// the cache stays float32, so that half precision never changes results by
// more than its rounding. HalfReport lists what stayed float32.
func (m *Model) EnableHalf() { m.enableReduced(false) }

// EnableInt8 is EnableHalf with int8 weights: each weight matrix is
// quantised with one scale per output (kernels.QuantizeInt8) and kept
// int8 in memory, widened in registers by the product kernels, so a decode
// step streams half the weight bytes of EnableHalf; the key/value cache
// is half precision as there. A matrix whose int8 rounding error exceeds
// 2% of its RMS (rows with outliers) gets a half copy instead
// (HalfReport.HalfKept). Results differ from float32 by about 1% of each
// product. Call it once (instead of EnableHalf), before the model is
// shared between goroutines.
func (m *Model) EnableInt8() { m.enableReduced(true) }

// Precision names the arithmetic of the model's cached decoding: "f32",
// "f16" (EnableHalf) or "int8" (EnableInt8).
func (m *Model) Precision() string {
	switch {
	case m.half == nil:
		return "f32"
	case m.half.int8:
		return "int8"
	}
	return "f16"
}

// enableReduced is EnableHalf, with int8 weights where they fit when q8.
func (m *Model) enableReduced(q8 bool) {
	if m.half != nil {
		return
	}
	h := newHalfState(q8)
	for l := range m.Blocks {
		h.reduceBlock(&m.Blocks[l], l, m.Config.NEmbd)
	}
	h.reduce("lm_head.weight", &m.LmHead)
	m.half = h
}

// newHalfState starts a reduction to f16 (or int8 where it fits, q8).
func newHalfState(q8 bool) *halfState {
	return &halfState{cacheFits: true, int8: q8, report: HalfReport{Kept: map[string]string{}, HalfKept: map[string]string{}}}
}

// reduce makes the reduced copy of layer l (safetensors name name): int8
// where it fits when asked, else half, else none (float32 stays).
func (h *halfState) reduce(name string, l *Linear) {
	if h.int8 {
		why := l.makeInt8()
		if why == "" {
			return
		}
		h.report.HalfKept[name] = why
	}
	if why := l.makeHalf(); why != "" {
		h.report.Kept[name] = why
	}
}

// reduceBlock reduces block l's four matrices and checks that its keys
// and values fit a half cache (d: the model's width).
func (h *halfState) reduceBlock(b *Block, l, d int) {
	p := fmt.Sprintf("transformer.h.%d.", l)
	h.reduce(p+"attn.c_attn.weight", &b.Attn)
	h.reduce(p+"attn.c_proj.weight", &b.AttnProj)
	h.reduce(p+"mlp.c_fc.weight", &b.Fc)
	h.reduce(p+"mlp.c_proj.weight", &b.MlpProj)
	if bound := kvBound(b, d); bound > kernels.HalfMax && h.cacheFits {
		h.cacheFits = false
		h.report.FloatCache = true
		h.report.CacheReason = fmt.Sprintf("layer %d's keys or values may reach %.3g, beyond ±%d", l, bound, kernels.HalfMax)
	}
}

// kvBound bounds the magnitude of any key or value of block b: its input
// is an RMS-normalised row, whose norm is at most √d·max|gain|, so key or
// value j is at most that times the norm of weight column j, plus bias j.
func kvBound(b *Block, d int) float64 {
	var g float64
	for _, v := range f32(b.Ln1) {
		g = math.Max(g, math.Abs(float64(v)))
	}
	g *= math.Sqrt(float64(d))
	w, bias := f32(b.Attn.W), f32(b.Attn.B)
	n := 3 * d
	var worst float64
	for j := d; j < n; j++ { // the key and value columns
		var ss float64
		for i := 0; i < d; i++ {
			v := float64(w[i*n+j])
			ss += v * v
		}
		worst = math.Max(worst, g*math.Sqrt(ss)+math.Abs(float64(bias[j])))
	}
	return worst
}

// HalfReport says what EnableHalf kept in float32 (empty before it).
func (m *Model) HalfReport() HalfReport {
	if m.half == nil {
		return HalfReport{}
	}
	return m.half.report
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
	scale := attentionScale(c, l)
	kc.ws.scoreRows(B*H, pos0+n, kc.capacity)
	if n == 1 {
		kc.ws.attendOne(kc, l, hd, qkv, out, scale, false, par)
		return
	}
	base := func(b, h int) int { return (b*H + h) * kc.capacity * hd }
	par(B*H, 1, func(lo, hi int) {
		scores := kc.ws.scoreRow(lo) // lo starts one chunk only
		for bh := lo; bh < hi; bh++ {
			b, hh := bh/H, bh%H
			at := base(b, hh)
			for i := 0; i < n; i++ {
				src := qkv[(b*n+i)*3*d:]
				dst := at + (pos0+i)*hd
				kernels.EncodeHalf(K[dst:dst+hd], src[d+hh*hd:][:hd])
				kernels.EncodeHalf(V[dst:dst+hd], src[2*d+hh*hd:][:hd])
			}
			for i := 0; i < n; i++ {
				T := pos0 + i + 1
				q := qkv[(b*n+i)*3*d+hh*hd:][:hd]
				kernels.HalfAttend(q, K[at:], V[at:], T, scale, scores, out[(b*n+i)*d+hh*hd:][:hd])
			}
		}
	})
}
