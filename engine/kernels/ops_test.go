package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tessera-studio/tessera/engine/par"
)

func randHalf(rng *rand.Rand, n int) ([]uint16, []float64) {
	h := make([]uint16, n)
	f := make([]float64, n)
	for i := range h {
		h[i] = ToHalf(float32(rng.NormFloat64()))
		f[i] = float64(FromHalf(h[i]))
	}
	return h, f
}

func randF32(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

// close reports |a−b| within float32 accumulation error for a k-term sum.
func close(a float32, b float64, k int) bool {
	return math.Abs(float64(a)-b) <= 1e-5*float64(k)+1e-5*math.Abs(b)
}

// TestMatMulMatchesFloat64: the half product equals the float64 one within
// float32 rounding for the Go twin and the assembly kernels: 256-bit, and,
// on a CPU with AVX-512, the 512-bit ones where k allows (a multiple of 32:
// 64, 160, 512) for one row and, at vec512x8, eight rows.
func TestMatMulMatchesFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, s := range []struct{ m, n, k int }{{1, 64, 64}, {1, 7, 40}, {8, 100, 512}, {5, 37, 24}, {3, 9, 13}, {9, 66, 136}, {9, 40, 160}, {17, 12, 48}} {
		x := randF32(rng, s.m*s.k)
		w, wf := randHalf(rng, s.n*s.k)
		for _, lv := range vecLevels() {
			for _, beta := range []float32{0, 1} {
				y := randF32(rng, s.m*s.n)
				y0 := append([]float32(nil), y...)
				// Two column ranges, as two workers would split them.
				split := (s.n / 2) &^ 7
				matMulCols(0, split, s.m, s.n, s.k, x, w, beta, y, lv)
				matMulCols(split, s.n, s.m, s.n, s.k, x, w, beta, y, lv)
				checkProduct(t, fmt.Sprintf("%+v level %d beta=%v", s, lv, beta), s.m, s.n, s.k, x, wf, beta, y0, y)
			}
		}
	}
}

// checkProduct fails t unless y = x·wfᵀ + beta·y0 (m×k by n×k, float64
// sums) within float32 accumulation error.
func checkProduct(t *testing.T, what string, m, n, k int, x []float32, wf []float64, beta float32, y0, y []float32) {
	t.Helper()
	for r := 0; r < m; r++ {
		for j := 0; j < n; j++ {
			want := float64(beta) * float64(y0[r*n+j])
			for c := 0; c < k; c++ {
				want += float64(x[r*k+c]) * wf[j*k+c]
			}
			if !close(y[r*n+j], want, k) {
				t.Fatalf("%s: y[%d,%d] = %g, want %g", what, r, j, y[r*n+j], want)
			}
		}
	}
}

func TestAttentionKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, s := range []struct{ T, hd int }{{1, 64}, {17, 64}, {100, 32}, {9, 8}, {12, 12}, {33, 128}} {
		q := randF32(rng, s.hd)
		k, kf := randHalf(rng, s.T*s.hd)
		v, vf := randHalf(rng, s.T*s.hd)
		p := randF32(rng, s.T)
		for _, lv := range vecLevels() {
			sc := make([]float32, s.T)
			scores(q, k, 0.125, sc, lv)
			for i := range sc {
				want := 0.0
				for c := 0; c < s.hd; c++ {
					want += float64(q[c]) * kf[i*s.hd+c]
				}
				if !close(sc[i], 0.125*want, s.hd) {
					t.Fatalf("%+v level %d: score %d = %g, want %g", s, lv, i, sc[i], 0.125*want)
				}
			}
			out := randF32(rng, s.hd) // overwritten
			weightedSum(p, v, out, lv)
			for c := range out {
				want := 0.0
				for i := 0; i < s.T; i++ {
					want += float64(p[i]) * vf[i*s.hd+c]
				}
				if !close(out[c], want, s.T) {
					t.Fatalf("%+v level %d: out[%d] = %g, want %g", s, lv, c, out[c], want)
				}
			}
		}
	}
}

// BenchmarkMatMul times a half product of 512 inputs at each kernel width
// this CPU runs (256: AVX2; 512: AVX-512), one, four and eight rows, on two
// workers as the model splits it: "stream" reads 2048 outputs' weights from
// memory each call (64 copies, as a model's layers), "cached" the same 512
// outputs' weights (512 KiB, in the cores' caches) every call, where only
// arithmetic counts (GFLOP/s, to set beside sgemm's rate).
func BenchmarkMatMul(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	team := par.NewTeam(2)
	defer team.Close()
	const k = 512
	for _, c := range []struct {
		name      string
		n, copies int
	}{{"stream", 2048, 64}, {"cached", 512, 1}} {
		w, _ := randHalf(rng, c.n*k)
		copies := make([][]uint16, c.copies)
		for i := range copies {
			copies[i] = append([]uint16(nil), w...)
		}
		for _, m := range []int{1, 4, 8} {
			x := randF32(rng, m*k)
			y := make([]float32, m*c.n)
			for _, lv := range vecLevels()[1:] {
				b.Run(fmt.Sprintf("%s/m%d/%s", c.name, m, map[vecLevel]string{vec256: "256", vec512: "512", vec512x8: "512x8"}[lv]), func(b *testing.B) {
					i := 0
					for b.Loop() {
						wi := copies[i%len(copies)]
						team.For(c.n/8, 4, func(lo, hi int) { matMulCols(8*lo, 8*hi, m, c.n, k, x, wi, 0, y, lv) })
						i++
					}
					s := b.Elapsed().Seconds()
					b.ReportMetric(float64(c.n*k*2)*float64(b.N)/s/1e9, "GB/s")
					b.ReportMetric(float64(2*m*c.n*k)*float64(b.N)/s/1e9, "GFLOP/s")
				})
			}
			// The same weights in int8 (Int8MatMulCols): GB/s counts the
			// half weights' bytes as the others do, so that the rates
			// compare at equal work; it reads half of them.
			q8 := make([]Int8Weights, len(copies))
			for i := range copies {
				q8[i] = QuantizeInt8(randF32(rng, c.n*k), k, c.n, false)
			}
			b.Run(fmt.Sprintf("%s/m%d/int8", c.name, m), func(b *testing.B) {
				i := 0
				for b.Loop() {
					wi := q8[i%len(q8)]
					team.For(c.n/8, 4, func(lo, hi int) { Int8MatMulCols(8*lo, 8*hi, m, c.n, k, x, wi, 0, y) })
					i++
				}
				s := b.Elapsed().Seconds()
				b.ReportMetric(float64(c.n*k*2)*float64(b.N)/s/1e9, "GB/s")
				b.ReportMetric(float64(2*m*c.n*k)*float64(b.N)/s/1e9, "GFLOP/s")
			})
			if Int8VNNI(m, k) {
				var xq Int16Rows
				xq.Quantize(x, m, k)
				b.Run(fmt.Sprintf("%s/m%d/int8-vnni", c.name, m), func(b *testing.B) {
					i := 0
					for b.Loop() {
						wi := q8[i%len(q8)]
						team.For(c.n/8, 4, func(lo, hi int) { Int8MatMulColsQ(8*lo, 8*hi, m, c.n, k, x, &xq, wi, 0, y) })
						i++
					}
					s := b.Elapsed().Seconds()
					b.ReportMetric(float64(c.n*k*2)*float64(b.N)/s/1e9, "GB/s")
					b.ReportMetric(float64(2*m*c.n*k)*float64(b.N)/s/1e9, "GFLOP/s")
				})
			}
			if !asm512OK {
				continue
			}
			tiled := make([][]uint16, len(copies)) // the same weights tiled (HalfTiledMatMulCols)
			for i := range copies {
				tiled[i] = TileHalf(copies[i], c.n, k)
			}
			b.Run(fmt.Sprintf("%s/m%d/tiled", c.name, m), func(b *testing.B) {
				i := 0
				for b.Loop() {
					wi := tiled[i%len(tiled)]
					team.For(c.n/tileBlock, 1, func(lo, hi int) {
						HalfTiledMatMulCols(tileBlock*lo, tileBlock*hi, m, c.n, k, x, wi, 0, y)
					})
					i++
				}
				s := b.Elapsed().Seconds()
				b.ReportMetric(float64(c.n*k*2)*float64(b.N)/s/1e9, "GB/s")
				b.ReportMetric(float64(2*m*c.n*k)*float64(b.N)/s/1e9, "GFLOP/s")
			})
		}
	}
}

func TestAttendMatchesFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	// T from 32 to 48 puts blocks of eight positions on both sides of the
	// score kernel's prefetching limit (scoresAhead).
	for _, s := range []struct{ T, hd int }{{1, 64}, {7, 64}, {8, 32}, {301, 64}, {20, 12}, {33, 64}, {40, 64}, {47, 16}, {48, 64}} {
		q := randF32(rng, s.hd)
		k, kf := randHalf(rng, s.T*s.hd+5*s.hd) // extra rows past T must be ignored
		v, vf := randHalf(rng, s.T*s.hd+5*s.hd)
		want := make([]float64, s.hd)
		sc := make([]float64, s.T)
		m := math.Inf(-1)
		for i := range sc {
			for c := 0; c < s.hd; c++ {
				sc[i] += 0.3 * float64(q[c]) * kf[i*s.hd+c]
			}
			m = math.Max(m, sc[i])
		}
		sum := 0.0
		for i := range sc {
			sc[i] = math.Exp(sc[i] - m)
			sum += sc[i]
		}
		for i := range sc {
			for c := range want {
				want[c] += sc[i] / sum * vf[i*s.hd+c]
			}
		}
		for _, lv := range vecLevels() {
			out := make([]float32, s.hd)
			attend(q, k, v, s.T, 0.3, make([]float32, s.T+3), out, lv)
			for c := range out {
				if math.Abs(float64(out[c])-want[c]) > 1e-5+1e-5*math.Abs(want[c]) {
					t.Fatalf("%+v level %d: out[%d] = %g, want %g", s, lv, c, out[c], want[c])
				}
			}
		}
	}
}

// BenchmarkHalfAttend times one head of attention (64 dimensions) over
// 509 cached positions (not a multiple of 8: the tails count too) from the
// core's cache, at each kernel width this CPU runs: the per-head overheads
// (max, exponentials, normalisation) beside the score and weighted-sum
// kernels, in cached positions per second.
func BenchmarkHalfAttend(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const hd, T = 64, 509
	keys, _ := randHalf(rng, T*hd)
	values, _ := randHalf(rng, T*hd)
	q, scratch, out := randF32(rng, hd), make([]float32, T), make([]float32, hd)
	for _, lv := range vecLevels() {
		b.Run(map[vecLevel]string{vecGo: "go", vec256: "256", vec512: "512", vec512x8: "512x8"}[lv], func(b *testing.B) {
			for b.Loop() {
				attend(q, keys, values, T, 0.125, scratch, out, lv)
			}
			b.ReportMetric(float64(T)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpositions/s")
		})
	}
}

// BenchmarkHalfAttendStream times attention as a batch-8 decode step of an
// imagegpt-small-shaped model runs it: 64 (sequence, head) pairs of 512
// cached positions of 64 dimensions a layer, over enough layers (96 MiB of
// keys and values) that every step reads them from memory, split over a
// team of two workers, at each kernel width. It reports the keys and values
// read in GB/s, to set beside the memory read rate of `tessera bench`
// (measured here: 55–67 GB/s beside a memory read of 68–71, so the attention
// kernels stream at about memory speed).
func BenchmarkHalfAttendStream(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 3))
	const hd, T, heads, layers = 64, 512, 64, 12
	const each = T * hd // values in a head's keys, and in its values
	team := par.NewTeam(2)
	defer team.Close()
	cache, _ := randHalf(rng, 2*heads*layers*each)
	q := randF32(rng, hd)
	scratch := make([][]float32, heads)
	for i := range scratch {
		scratch[i] = make([]float32, T+hd)
	}
	for _, lv := range vecLevels()[1:] {
		b.Run(map[vecLevel]string{vec256: "256", vec512: "512", vec512x8: "512x8"}[lv], func(b *testing.B) {
			for b.Loop() {
				for l := 0; l < layers; l++ {
					team.For(heads, 1, func(lo, hi int) {
						for h := lo; h < hi; h++ {
							kv := cache[2*(l*heads+h)*each:][:2*each]
							s := scratch[h]
							attend(q, kv[:each], kv[each:], T, 0.125, s[:T], s[T:], lv)
						}
					})
				}
			}
			b.ReportMetric(float64(2*len(cache))*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
		})
	}
}
