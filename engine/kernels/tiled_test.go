package kernels

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TileHalf keeps every weight: each output's row read back from the tiles
// is the row it was.
func TestTileHalfKeepsEveryWeight(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const n, k = 48, 36
	w, wf := randHalf(rng, n*k)
	tiled := TileHalf(w, n, k)
	row := make([]float32, k)
	for j := 0; j < n; j++ {
		TiledRow(row, tiled, j, k)
		for c := range row {
			if float64(row[c]) != wf[j*k+c] {
				t.Fatalf("output %d input %d: %g, want %g", j, c, row[c], wf[j*k+c])
			}
		}
	}
	if tiled[1*16*k+2*16+5] != w[(16+5)*k+2] {
		t.Fatal("output 21's weight at input 2 is not at tile 1, input 2, lane 5")
	}
}

// TileTransposeHalf lays a float32 [In, Out] matrix out as TileHalf lays
// out its row-layout transpose.
func TestTileTransposeHalf(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	const in, out = 36, 160 // ten tiles
	w := randF32(rng, in*out)
	want := TileHalf(TransposeHalf(w, in, out), out, in)
	if got := TileTransposeHalf(w, in, out); !slices.Equal(got, want) {
		t.Fatal("TileTransposeHalf differs from TileHalf of TransposeHalf")
	}
}

// The tiled products equal float64 sums for every row count (eight rows
// at a time, then one), both betas and two column ranges, as two workers
// split them.
func TestHalfTiledMatMulMatchesFloat64(t *testing.T) {
	if !asm512OK {
		t.Skip("the tiled kernels need AVX-512")
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for _, s := range []struct{ m, n, k int }{{1, 64, 4}, {1, 128, 512}, {3, 64, 36}, {4, 64, 36}, {5, 128, 68}, {8, 128, 516}, {12, 64, 516}, {9, 192, 64}, {16, 64, 2048}, {21, 128, 100}} {
		x := randF32(rng, s.m*s.k)
		w, wf := randHalf(rng, s.n*s.k)
		tiled := TileHalf(w, s.n, s.k)
		for _, beta := range []float32{0, 1} {
			y := randF32(rng, s.m*s.n)
			y0 := append([]float32(nil), y...)
			split := (s.n / 2) &^ 63
			HalfTiledMatMulCols(0, split, s.m, s.n, s.k, x, tiled, beta, y)
			HalfTiledMatMulCols(split, s.n, s.m, s.n, s.k, x, tiled, beta, y)
			checkProduct(t, fmt.Sprintf("%+v beta=%v", s, beta), s.m, s.n, s.k, x, wf, beta, y0, y)
		}
	}
}

// A worker's column range writes its own columns and nothing else.
func TestHalfTiledMatMulKeepsToItsColumns(t *testing.T) {
	if !asm512OK {
		t.Skip("the tiled kernels need AVX-512")
	}
	rng := rand.New(rand.NewPCG(17, 18))
	for _, m := range []int{1, 4, 8, 11, 15} {
		const n, k = 192, 68
		x := randF32(rng, m*k)
		w, _ := randHalf(rng, n*k)
		tiled := TileHalf(w, n, k)
		y := randF32(rng, m*n+5) // five past the end: not written either
		before := append([]float32(nil), y...)
		HalfTiledMatMulCols(64, 128, m, n, k, x, tiled, 0, y[:m*n])
		for i := range y {
			inside := i < m*n && i%n >= 64 && i%n < 128
			if changed := y[i] != before[i]; changed != inside {
				t.Fatalf("m=%d: y[%d] (column %d) changed %v", m, i, i%n, changed)
			}
		}
	}
}

// A shape the tiled layout does not take is refused, not computed wrong.
func TestHalfTiledShapes(t *testing.T) {
	for _, s := range []struct {
		n, k int
		ok   bool
	}{{64, 4, true}, {128, 512, true}, {48, 512, false}, {64, 6, false}, {0, 4, false}, {64, 0, false}} {
		if got := tiledShape(s.n, s.k); got != s.ok {
			t.Errorf("tiledShape(%d, %d) = %v", s.n, s.k, got)
		}
		if HalfTiled(s.n, s.k) && !s.ok {
			t.Errorf("HalfTiled(%d, %d)", s.n, s.k)
		}
	}
}
