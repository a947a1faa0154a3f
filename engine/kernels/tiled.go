package kernels

// Tiled half weights: the layout the decode products read where 512-bit
// arithmetic runs at full width (vec512x8: Intel's AVX-512 cores, AMD's
// from Zen 5). The outputs go in tiles of tileOutputs; a tile holds, input
// by input, its outputs' weights side by side (k×16 halves, 32k bytes), so
// a product converts the weights of sixteen outputs at once, broadcasts
// each input value across them and ends with sixteen finished outputs in
// a register: no sums across lanes, no per-call reduction, one long
// stream per tile. The layout is the "packed B panel" of GotoBLAS and
// BLIS (Goto and van de Geijn 2008) applied to a weight matrix that is
// streamed once per decode step.
//
// Measured on a 2-core Zen 5 EPYC against the row layout
// (HalfMatMulCols) on the same weights (BenchmarkMatMul, n = 2048 outputs
// of k = 512): one row streaming from memory 51–57 against 41–43 GB/s (a
// conversion alone streams 59–65), eight rows from cache 351–357 against
// 288–297 GFLOP/s; `tessera bench --random small --precision f16`,
// alternated three times with the build before: batch 1 214–224 → 258–266,
// batch 8 579–618 → 647–652 tokens/s. int8 weights keep the row layout:
// the same tiles in int8 (sign extension and conversion in place of
// VCVTPH2PS) streamed one row at 30–39 against the row kernels' 46–50
// GB/s.

// tileOutputs is the outputs of a tile; tileBlock the outputs a product
// call covers (four tiles), so n must be a multiple of it.
const (
	tileOutputs = 16
	tileBlock   = 64
)

// tileAhead is how many bytes ahead of each tile the products prefetch
// (64 inputs; 1,024 and 4,096 measured worse streaming one row).
const tileAhead = 2048

// HalfTiled reports whether half weights of n outputs × k inputs are
// stored tiled on this CPU (TileHalf, HalfTiledMatMulCols): where 512-bit
// arithmetic runs at full width, n is a multiple of 64 and k of 4.
func HalfTiled(n, k int) bool { return vecBest >= vec512x8 && tiledShape(n, k) }

// tiledShape reports whether the tiled products take n outputs of k
// inputs.
func tiledShape(n, k int) bool { return n > 0 && n%tileBlock == 0 && k > 0 && k%4 == 0 }

// TileHalf returns half weights w of n outputs × k inputs (each output's k
// weights contiguous, as HalfMatMulCols reads them) in the tiled layout:
// output j's weight at input c is at (j/16)·16k + 16c + j%16. n must be a
// multiple of 16.
func TileHalf(w []uint16, n, k int) []uint16 {
	out := make([]uint16, n*k)
	for t := 0; t < n/tileOutputs; t++ {
		tile := out[t*tileOutputs*k : (t+1)*tileOutputs*k]
		for j := 0; j < tileOutputs; j++ {
			row := w[(t*tileOutputs+j)*k : (t*tileOutputs+j+1)*k]
			for c, v := range row {
				tile[c*tileOutputs+j] = v
			}
		}
	}
	return out
}

// TileTransposeHalf is TileHalf(TransposeHalf(src, rows, cols), cols,
// rows) without the row layout's copy in between (a model's largest
// matrices load one copy lighter): src is rows×cols float32, Hugging Face
// Conv1D's [In, Out] (k = rows inputs, n = cols outputs, a multiple of 16).
func TileTransposeHalf(src []float32, rows, cols int) []uint16 {
	k := rows
	out := make([]uint16, rows*cols)
	for c := 0; c < k; c++ {
		row := src[c*cols : (c+1)*cols]
		for j, v := range row { // sixteen outputs of a tile side by side at input c
			out[(j/tileOutputs)*tileOutputs*k+c*tileOutputs+j%tileOutputs] = ToHalf(v)
		}
	}
	return out
}

// TiledRow widens output j's k weights from tiled weights w (TileHalf)
// into dst (len ≥ k).
func TiledRow(dst []float32, w []uint16, j, k int) {
	tile := w[(j/tileOutputs)*tileOutputs*k:]
	for c := 0; c < k; c++ {
		dst[c] = table[tile[c*tileOutputs+j%tileOutputs]]
	}
}

// HalfTiledMatMulCols is HalfMatMulCols for tiled weights (TileHalf):
// output columns [lo, hi) of y = x·wᵀ + beta·y for m rows of x (m×k,
// row-major), lo and hi multiples of 64, on the calling goroutine. Rows go
// eight at a time (tile8x32), then four (tile4x64), then one (tile1x64), a block of 64
// outputs at a time, so the rows after the first pass read the block from
// cache (64 KiB at k = 512, 256 KiB at k = 2048), not memory. It needs HalfTiled(n,
// k) (the kernels themselves run on any AVX-512 CPU); beta is 0 or 1.
func HalfTiledMatMulCols(lo, hi, m, n, k int, x []float32, w []uint16, beta float32, y []float32) {
	if !asm512OK || !tiledShape(n, k) || lo%tileBlock != 0 || hi%tileBlock != 0 {
		panic("kernels: HalfTiledMatMulCols without the tiled layout's CPU and shape")
	}
	if lo >= hi || m == 0 {
		return
	}
	_, _ = x[m*k-1], w[n*k-1] // bounds, once: the kernels read them unchecked
	_ = y[(m-1)*n+hi-1]
	var out [8 * 32]float32
	put := func(row []float32, sums []float32) {
		if beta == 0 {
			copy(row, sums)
			return
		}
		Add(row, sums) // the residual update (Linear.AddTo)
	}
	for j := lo; j < hi; j += tileBlock {
		// Prefetching runs 2 KiB past each tile's end too: into the next
		// tile, or harmlessly past the weights (a prefetch never faults).
		ahead := tileAhead
		block := w[j*k:]
		r := 0
		for ; r+8 <= m; r += 8 {
			for half := 0; half < 2; half++ {
				c := j + 32*half
				tile8x32(&x[r*k], k, &block[32*half*k], k, &out[0], ahead)
				for i := 0; i < 8; i++ {
					put(y[(r+i)*n+c:][:32], out[32*i:][:32])
				}
			}
		}
		if r+4 <= m {
			tile4x64(&x[r*k], k, &block[0], k, &out[0], ahead)
			for i := 0; i < 4; i++ {
				put(y[(r+i)*n+j:][:tileBlock], out[tileBlock*i:][:tileBlock])
			}
			r += 4
		}
		for ; r < m; r++ {
			tile1x64(&x[r*k], &block[0], k, &out[0], ahead)
			put(y[r*n+j:][:tileBlock], out[:tileBlock])
		}
	}
}
