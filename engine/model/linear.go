package model

import (
	"fmt"

	"gorgonia.org/tensor"

	"github.com/tessera-studio/tessera/engine/blas"
	"github.com/tessera-studio/tessera/engine/kernels"
)

// Linear is one dense layer, y = x·W + b, mapping rows of In values to rows
// of Out values. W is stored as Hugging Face's Conv1D stores it, [In, Out]
// (or [Out, In] with Transposed, as lm_head is); B is [Out] or nil (no
// bias). After Model.EnableHalf it also owns a half-precision copy of W
// laid out [Out, In] (each output's weights contiguous, as kernels.HalfMatMulCols
// streams them), or in tiles of 16 outputs where the CPU and shape take
// them (kernels.HalfTiled), unless half precision could not hold W
// faithfully.
//
// After Model.EnableInt8 it owns an int8 copy instead (kernels.Int8Weights:
// one scale per output), or the half copy where int8 would lose too much.
//
// Which storage a product reads is chosen by the cache it runs on: a cache
// with reduced-precision weights (Cache.halfW) and at most DecodeRows rows
// uses the int8 or half copy; everything else goes through OpenBLAS in
// float32.
type Linear struct {
	W, B       *tensor.Dense
	In, Out    int
	Transposed bool
	half       []uint16             // Out×In (or tiled); nil: none
	tiled      bool                 // half is in kernels.TileHalf's layout, not row by row
	q8         *kernels.Int8Weights // Out×In; nil: none
}

// newLinear describes a layer of in inputs and out outputs; its tensors are
// bound later (Model.New).
func newLinear(in, out int, transposed bool) Linear {
	return Linear{In: in, Out: out, Transposed: transposed}
}

// Apply sets y = x·W + b for rows rows (x: rows × In, y: rows × Out).
func (l *Linear) Apply(kc *Cache, par loop, rows int, x, y []float32) {
	if l.B != nil {
		fillRows(y, f32(l.B), rows)
		l.product(kc, par, rows, x, 1, y)
		return
	}
	l.product(kc, par, rows, x, 0, y)
}

// AddTo adds x·W + b to y for rows rows: the residual update of the
// attention and MLP output projections (x: rows × In, y: rows × Out).
func (l *Linear) AddTo(kc *Cache, par loop, rows int, x, y []float32) {
	if l.B != nil {
		addBias(y, f32(l.B), rows)
	}
	l.product(kc, par, rows, x, 1, y)
}

// product computes y = x·W + beta·y, output columns split over par.
func (l *Linear) product(kc *Cache, par loop, rows int, x []float32, beta float32, y []float32) {
	n, k := l.Out, l.In
	if l.W == nil && rows > DecodeRows {
		l.productReleased(par, rows, x, beta, y)
		return
	}
	reduced := kc.halfW && rows <= DecodeRows || l.W == nil // no float32 copy left (Model.ReleaseFloat32)
	kc.ws.bind()
	p := &kc.ws.product
	p.l, p.rows, p.x, p.beta, p.y = l, rows, x, beta, y
	minPer := 4
	switch {
	case reduced && l.q8 != nil && kernels.Int8VNNI(rows, k):
		// The rows quantised to int16 once, for the VNNI kernels every
		// worker runs.
		p.xq = &kc.ws.xq
		p.xq.Quantize(x, rows, k)
		p.kind, p.block = productVNNI, 8
	case reduced && l.q8 != nil:
		p.kind, p.block = productInt8, 8
	case reduced && l.tiled:
		p.kind, p.block, minPer = productTiled, 64, 1
	case reduced && l.half != nil:
		p.kind, p.block = productHalf, 8
	default:
		p.kind, p.block = productFloat32, 16
	}
	par((n+p.block-1)/p.block, minPer, p.body)
	p.x, p.y = nil, nil // the loop keeps no caller's rows alive
}

// makeHalf makes the half-precision copy of W (only its first Out rows
// when W is transposed and taller, as lm_head is) and returns "", or
// leaves none and returns why half precision cannot hold W (kernels.MeasureHalf).
func (l *Linear) makeHalf() string {
	w := f32(l.W)[:l.In*l.Out]
	if fit := kernels.MeasureHalf(w); !fit.Faithful() {
		return fit.String()
	}
	l.tiled = kernels.HalfTiled(l.Out, l.In)
	switch {
	case l.Transposed:
		l.half = make([]uint16, len(w))
		kernels.EncodeHalf(l.half, w)
		if l.tiled {
			l.half = kernels.TileHalf(l.half, l.Out, l.In)
		}
	case l.tiled:
		l.half = kernels.TileTransposeHalf(w, l.In, l.Out)
	default:
		l.half = kernels.TransposeHalf(w, l.In, l.Out)
	}
	return ""
}

// releasedBlock is how many outputs productReleased widens to float32 at
// a time (64 × In floats: 384 KiB at imagegpt-large's width).
const releasedBlock = 64

// productReleased is product for a long pass after releaseFloat32: each
// block of releasedBlock outputs is widened from the reduced copy to
// float32 once, then multiplied by all rows with sgemm, so the weights
// are read once and the arithmetic runs at OpenBLAS's rate.
func (l *Linear) productReleased(par loop, rows int, x []float32, beta float32, y []float32) {
	n, k := l.Out, l.In
	par((n+releasedBlock-1)/releasedBlock, 1, func(lo, hi int) {
		buf := make([]float32, releasedBlock*k)
		for b := lo; b < hi; b++ {
			c0, c1 := b*releasedBlock, min((b+1)*releasedBlock, n)
			w := buf[:(c1-c0)*k]
			for j := c0; j < c1; j++ {
				l.widenRow(j, w[(j-c0)*k:(j-c0+1)*k])
			}
			blas.Gemm(false, true, rows, c1-c0, k, 1, x, k, w, k, beta, y[c0:], n)
		}
	})
}

// widenRow writes output j's In weights from the reduced copy (int8 or
// half) into dst as float32.
func (l *Linear) widenRow(j int, dst []float32) {
	k := l.In
	if l.q8 != nil {
		s := l.q8.Scale[j]
		for i, v := range l.q8.Q[j*k : (j+1)*k] {
			dst[i] = s * float32(v)
		}
		return
	}
	if l.tiled {
		kernels.TiledRow(dst, l.half, j, k)
		return
	}
	kernels.DecodeHalf(dst, l.half[j*k:(j+1)*k])
}

// releaseFloat32 drops W when a reduced copy stands in for it and returns
// the bytes freed (0 when it kept W).
func (l *Linear) releaseFloat32() int64 {
	if l.W == nil || l.half == nil && l.q8 == nil {
		return 0
	}
	freed := int64(l.W.Shape().TotalSize()) * 4
	l.W = nil
	return freed
}

// float32W is W, or after releaseFloat32 W rebuilt from the reduced copy
// in W's shape (a taller transposed W's rows past Out are zero).
func (l *Linear) float32W(shape []int) *tensor.Dense {
	if l.W != nil {
		return l.W
	}
	n := 1
	for _, s := range shape {
		n *= s
	}
	w := make([]float32, n)
	row := make([]float32, l.In)
	for j := 0; j < l.Out; j++ {
		if l.Transposed {
			l.widenRow(j, w[j*l.In:(j+1)*l.In]) // [Out, In]: rows in place
			continue
		}
		l.widenRow(j, row)
		for i, v := range row { // [In, Out]: output j is column j
			w[i*l.Out+j] = v
		}
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(w))
}

// int8MaxError is the largest relative RMS rounding error (kernels.Int8Error)
// at which a weight matrix is kept in int8; a matrix whose rows hold
// outliers that coarse steps would blur keeps a half copy instead.
const int8MaxError = 0.02

// makeInt8 makes the int8 copy of W (its first Out rows when W is
// transposed and taller) and returns "", or leaves none and returns why.
func (l *Linear) makeInt8() string {
	w := f32(l.W)[:l.In*l.Out]
	rows, cols := l.In, l.Out
	if l.Transposed {
		rows, cols = l.Out, l.In
	}
	q := kernels.QuantizeInt8(w, rows, cols, l.Transposed)
	if e := kernels.Int8Error(w, rows, cols, l.Transposed, q); !(e <= int8MaxError) { // NaN: weights that are not finite
		return fmt.Sprintf("int8 rounding error %.1f%% of the weights' RMS, above %.0f%%", 100*e, 100*int8MaxError)
	}
	l.q8 = &q
	return ""
}
