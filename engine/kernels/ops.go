package kernels

// table widens every half to float32: the plain-Go kernels' decoder.
var table = func() *[1 << 16]float32 {
	t := new([1 << 16]float32)
	for i := range t {
		t[i] = FromHalf(uint16(i))
	}
	return t
}()

// Accelerated reports whether the assembly kernels are in use.
func Accelerated() bool { return asmOK }

// vecLevel is how wide the matrix-product kernels go: the plain-Go twin,
// 256-bit registers (AVX2, FMA, F16C), 512-bit ones (AVX-512) for one row
// and attention with eight rows in 256-bit registers (dot8x2, its sixteen
// accumulators in Y16–Y31), or 512-bit ones for eight rows too (zdot8x2).
type vecLevel int

const (
	vecGo vecLevel = iota
	vec256
	vec512
	vec512x8
)

// vecLevels lists the levels this CPU runs, narrowest first.
func vecLevels() []vecLevel {
	switch {
	case asm512OK:
		return []vecLevel{vecGo, vec256, vec512, vec512x8}
	case asmOK:
		return []vecLevel{vecGo, vec256}
	}
	return []vecLevel{vecGo}
}

// vecBest is the level the exported products use: the widest this CPU
// runs, except that eight rows stay in 256-bit registers unless 512-bit
// arithmetic runs at full width (full512). On a 2-core Intel Xeon with
// AVX-512, zdot8x2 ran at 112–139 GFLOP/s where dot8x2 ran at 88–101
// (BenchmarkMatMul cached/m8, six rounds alternated).
var vecBest = func() vecLevel {
	lv := vecLevels()[len(vecLevels())-1]
	if lv == vec512x8 && !full512 {
		lv = vec512
	}
	return lv
}()

// dotGo is Σ x[i]·w[i] with w in half precision.
func dotGo(x []float32, w []uint16) float32 {
	w = w[:len(x)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * table[w[i]]
		s1 += x[i+1] * table[w[i+1]]
		s2 += x[i+2] * table[w[i+2]]
		s3 += x[i+3] * table[w[i+3]]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * table[w[i]]
	}
	return (s0 + s1) + (s2 + s3)
}

// HalfMatMulCols computes output columns [lo, hi) of y = x·wᵀ + beta·y for m
// rows of x (m×k, row-major) and half weights w (n×k: each output's k
// weights contiguous), on the calling goroutine; callers split the columns
// over their own workers, in blocks of 8. It is meant for the few rows of a
// decode step: it streams w once whatever m is, but computes at a fraction
// of sgemm's rate, so large m belongs to BLAS. beta is 0 or 1.
func HalfMatMulCols(lo, hi, m, n, k int, x []float32, w []uint16, beta float32, y []float32) {
	matMulCols(lo, hi, m, n, k, x, w, beta, y, vecBest)
}

// matMulCols computes output columns [lo, hi) of every row for half
// weights (mulCols with the F16C kernels).
func matMulCols(lo, hi, m, n, k int, x []float32, w []uint16, beta float32, y []float32, lv vecLevel) {
	wide1 := lv >= vec512 && k%32 == 0   // the one-row kernel in 512-bit registers
	wide8 := lv >= vec512x8 && k%32 == 0 // and the eight-row one
	mulCols(lo, hi, m, n, k, beta, y, lv, colKernels{
		dot8x2: func(r, j, ahead int) (out [16]float32) {
			if wide8 {
				zdot8x2(&x[r*k], k, &w[j*k], k, k, &out[0], ahead)
			} else {
				dot8x2(&x[r*k], k, &w[j*k], k, k, &out[0], ahead)
			}
			return
		},
		dot4x2: func(r, j, ahead int) (out [8]float32) {
			dot4x2(&x[r*k], k, &w[j*k], k, k, &out[0], ahead)
			return
		},
		dot1x4: func(r, j, ahead int) (out [8]float32) {
			if wide1 {
				zdot1x4(&x[r*k], &w[j*k], k, k, &out[0], ahead)
			} else { // prefetches a fixed distance itself
				dot1x4(&x[r*k], &w[j*k], k, k, &out[0])
			}
			return
		},
		dot:      func(r, j int) float32 { return dotGo(x[r*k:(r+1)*k], w[j*k:(j+1)*k]) },
		rowBytes: 2 * k,
	})
}

// colKernels are one weight storage's dot products of rows of x (from row
// r) with output columns (from j), for mulCols: the assembly kernels (8 or
// 4 rows × 2 columns, 1 row × 4 columns; results laid out as dot8x2,
// dot4x2 and dot1x4 write them), the Go twin, the outputs' scales (nil:
// none) and the bytes of one output's weights.
type colKernels struct {
	dot8x2   func(r, j, ahead int) [16]float32
	dot4x2   func(r, j, ahead int) [8]float32
	dot1x4   func(r, j, ahead int) [8]float32
	dot      func(r, j int) float32
	scale    []float32
	rowBytes int
}

// mulCols computes output columns [lo, hi) of y = x·Wᵀ + beta·y for every
// row, four columns at a time so each block of weights is read from memory
// once for all rows; the columns past the last block of four (or all of
// them at vecGo, or when k is not a multiple of 8) use the Go twin.
func mulCols(lo, hi, m, n, k int, beta float32, y []float32, lv vecLevel, kern colKernels) {
	asm := lv >= vec256
	put := func(i, j int, s float32) {
		if kern.scale != nil {
			s *= kern.scale[j]
		}
		if beta == 0 {
			y[i] = s
		} else {
			y[i] = s + beta*y[i]
		}
	}
	wide := lv >= vec512 // eight rows at a time in AVX-512 registers
	j := lo
	if asm && k%8 == 0 && k > 0 {
		for ; j+4 <= hi; j += 4 {
			// While this block of four columns is computed (from cache after
			// the first rows), fetch the block four ahead from memory (the
			// distance measured best among one, two and four blocks).
			ahead := 0
			if j+20 <= hi {
				ahead = 16 * kern.rowBytes
			}
			r := 0
			for ; r+8 <= m && wide; r += 8 {
				for c := 0; c < 4; c += 2 {
					b16 := kern.dot8x2(r, j+c, ahead)
					for i := 0; i < 8; i++ {
						put((r+i)*n+j+c, j+c, b16[2*i])
						put((r+i)*n+j+c+1, j+c+1, b16[2*i+1])
					}
				}
			}
			for ; r+4 <= m; r += 4 {
				for c := 0; c < 4; c += 2 {
					buf := kern.dot4x2(r, j+c, ahead)
					for i := 0; i < 4; i++ {
						put((r+i)*n+j+c, j+c, buf[2*i])
						put((r+i)*n+j+c+1, j+c+1, buf[2*i+1])
					}
				}
			}
			for ; r < m; r++ {
				buf := kern.dot1x4(r, j, ahead)
				for c := 0; c < 4; c++ {
					put(r*n+j+c, j+c, buf[c])
				}
			}
		}
	}
	for ; j < hi; j++ {
		for r := 0; r < m; r++ {
			put(r*n+j, j, kern.dot(r, j))
		}
	}
}

// scoresAhead is how many positions ahead zscores8n prefetches keys.
const scoresAhead = 32

// scores sets out[t] = scale · q·K[t] for t < len(out), where K holds rows of
// len(q) halves one after another.
func scores(q []float32, keys []uint16, scale float32, out []float32, lv vecLevel) {
	hd, T := len(q), len(out)
	_ = keys[T*hd-1]
	t := 0
	if lv >= vec256 && hd%8 == 0 {
		if lv >= vec512 && hd%16 == 0 {
			// Blocks whose keys 32 positions on exist prefetch them (bytes
			// ahead); the last few prefetch none past the last position.
			fetching := max(0, (T-scoresAhead)/8)
			if fetching > 0 {
				zscores8n(&q[0], &keys[0], hd, hd, scale, &out[0], 2*scoresAhead*hd, fetching)
			}
			t = 8 * fetching
			if rest := (T - t) / 8; rest > 0 {
				zscores8n(&q[0], &keys[t*hd], hd, hd, scale, &out[t], 0, rest)
				t += 8 * rest
			}
		}
		for ; t+8 <= T; t += 8 {
			scores8(&q[0], &keys[t*hd], hd, hd, scale, &out[t])
		}
		for ; t < T; t++ {
			out[t] = scale * dot1(&q[0], &keys[t*hd], hd)
		}
		return
	}
	for ; t < T; t++ {
		out[t] = scale * dotGo(q, keys[t*hd:(t+1)*hd])
	}
}

// weightedSum sets out = Σ_t p[t]·V[t] over t < len(p), where V holds rows
// of len(out) halves one after another.
func weightedSum(p []float32, values []uint16, out []float32, lv vecLevel) {
	hd, T := len(out), len(p)
	clear(out)
	if T == 0 {
		return
	}
	_ = values[T*hd-1]
	c := 0
	if lv >= vec256 {
		for ; c+64 <= hd; c += 64 {
			if lv >= vec512 {
				zwsum64(&p[0], &values[c], T, hd, &out[c])
			} else {
				wsum64(&p[0], &values[c], T, hd, &out[c])
			}
		}
		for ; c+8 <= hd; c += 8 {
			wsum8(&p[0], &values[c], T, hd, &out[c])
		}
	}
	if c == hd {
		return
	}
	for t, pt := range p {
		row := values[t*hd : (t+1)*hd]
		for i := c; i < hd; i++ {
			out[i] += pt * table[row[i]]
		}
	}
}

// HalfAttend computes one attention head for one query over T cached positions:
// out = softmax(scale · q·Kᵀ)·V, where keys and values hold at least T rows
// of len(q) halves and scratch at least T floats.
func HalfAttend(q []float32, keys, values []uint16, T int, scale float32, scratch, out []float32) {
	attend(q, keys, values, T, scale, scratch, out, vecBest)
}

func attend(q []float32, keys, values []uint16, T int, scale float32, scratch, out []float32, lv vecLevel) {
	hd := len(q)
	s := scratch[:T]
	asm := lv >= vec256
	scores(q, keys[:T*hd], scale, s, lv)
	sum := vexpSubSum(s, vmax(s, asm), asm)
	weightedSum(s, values[:T*hd], out, lv)
	inv := 1 / sum
	for c := range out {
		out[c] *= inv
	}
}
