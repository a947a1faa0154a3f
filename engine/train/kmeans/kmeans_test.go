package kmeans

import (
	"context"
	"errors"
	"image"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// blobs makes n points around each center, with a small spread.
func blobs(centers [][]float32, n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	var data []float32
	for i := range n * len(centers) {
		c := centers[i%len(centers)]
		for _, v := range c {
			data = append(data, v+float32(rng.NormFloat64()*0.05))
		}
	}
	return data
}

func TestFitRecoversClusters(t *testing.T) {
	centers := [][]float32{{-5, -5, 0}, {5, 0, 5}, {0, 6, -4}}
	data := blobs(centers, 400, 3)
	var inertias []float64
	got, err := Fit(context.Background(), data, 3, Options{K: 3, Iters: 20, Seed: 1, Workers: 2},
		func(iter int, inertia float64) { inertias = append(inertias, inertia) })
	if err != nil {
		t.Fatalf("Fit: %v", err)
	}
	if len(got) != 9 {
		t.Fatalf("got %d values, want 9", len(got))
	}
	for _, c := range centers {
		best := math.Inf(1)
		for j := range 3 {
			best = min(best, float64(sqDist(c, got[3*j:3*j+3])))
		}
		if best > 0.01 {
			t.Fatalf("center %v not recovered: centroids %v", c, got)
		}
	}
	if len(inertias) == 0 || !sort.IsSorted(sort.Reverse(sort.Float64Slice(inertias))) {
		t.Fatalf("inertia not non-increasing: %v", inertias)
	}
	if last := inertias[len(inertias)-1]; last > 1200*3*0.0025*1.5 {
		t.Fatalf("final inertia %v too high", last)
	}
}

func TestFitDeterministic(t *testing.T) {
	data := blobs([][]float32{{0, 0}, {1, 1}, {0, 1}, {1, 0}, {0.5, 0.5}}, 1000, 9)
	fit := func(seed uint64, workers int) []float32 {
		c, err := Fit(context.Background(), data, 2, Options{K: 16, Iters: 8, Seed: seed, Workers: workers, MaxSamples: 3000}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a := fit(42, 2)
	if !slices.Equal(a, fit(42, 2)) {
		t.Fatal("same seed gave different centroids")
	}
	if !slices.Equal(a, fit(42, 1)) || !slices.Equal(a, fit(42, 5)) {
		t.Fatal("worker count changed the centroids")
	}
	if slices.Equal(a, fit(43, 2)) {
		t.Fatal("different seeds gave identical centroids")
	}
}

func TestFitEmptyClustersAndDuplicates(t *testing.T) {
	// Four distinct points, many copies; K=4 must find exactly them.
	pts := [][]float32{{0, 0}, {10, 0}, {0, 10}, {10, 10}}
	var data []float32
	for i := range 100 {
		data = append(data, pts[i%4]...)
	}
	got, err := Fit(context.Background(), data, 2, Options{K: 4, Iters: 10, Seed: 5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pts {
		found := false
		for j := range 4 {
			found = found || sqDist(p, got[2*j:2*j+2]) == 0
		}
		if !found {
			t.Fatalf("point %v missing from %v", p, got)
		}
	}
	// More clusters than distinct points still works (duplicates allowed).
	if _, err := Fit(context.Background(), data, 2, Options{K: 8, Iters: 3, Seed: 5}, nil); err != nil {
		t.Fatal(err)
	}
}

func TestFitErrors(t *testing.T) {
	ctx := context.Background()
	data := []float32{0, 1, 2, 3, 4, 5}
	cases := []struct {
		name string
		data []float32
		dim  int
		opt  Options
	}{
		{"zero dim", data, 0, Options{K: 1}},
		{"ragged", data, 4, Options{K: 1}},
		{"zero K", data, 2, Options{K: 0}},
		{"K above n", data, 2, Options{K: 4}},
		{"K above MaxSamples", data, 2, Options{K: 3, MaxSamples: 2}},
		{"negative iters", data, 2, Options{K: 1, Iters: -1}},
		{"NaN", []float32{0, float32(math.NaN())}, 2, Options{K: 1}},
	}
	for _, c := range cases {
		if _, err := Fit(ctx, c.data, c.dim, c.opt, nil); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Fit(cctx, blobs([][]float32{{0}}, 100, 1), 1, Options{K: 2, Iters: 3}, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: err = %v", err)
	}
}

func TestPatches(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 5, 4)) // 2×2 patches of 2×2, edge column dropped
	for y := range 4 {
		for x := range 5 {
			i := img.PixOffset(x, y)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(10*x), uint8(10*y), 255, 255
		}
	}
	got := Patches(img, 2)
	if len(got) != 4*12 {
		t.Fatalf("len = %d, want 48", len(got))
	}
	v := func(u int) float32 { return float32(u)/127.5 - 1 }
	// Patch 1 is the top-right one: pixels (2,0) (3,0) (2,1) (3,1).
	want := []float32{v(20), v(0), 1, v(30), v(0), 1, v(20), v(10), 1, v(30), v(10), 1}
	if !slices.Equal(got[12:24], want) {
		t.Fatalf("patch 1 = %v, want %v", got[12:24], want)
	}
	if got[0] != -1 {
		t.Fatalf("0 maps to %v, want -1", got[0])
	}
	sub := img.SubImage(image.Rect(2, 2, 4, 4)).(*image.NRGBA)
	if p := Patches(sub, 2); !slices.Equal(p, got[36:48]) {
		t.Fatalf("sub-image patch = %v, want %v", p, got[36:48])
	}
	if Patches(img, 0) != nil || Patches(nil, 2) != nil || len(Patches(img, 8)) != 0 {
		t.Fatal("degenerate Patches calls")
	}
}

func TestSqDistBelow(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for n := range 40 {
		a, b := make([]float32, n), make([]float32, n)
		for i := range a {
			a[i], b[i] = rng.Float32(), rng.Float32()
		}
		full := sqDist(a, b)
		if got := sqDistBelow(a, b, full+1); got != full {
			t.Fatalf("n=%d: below bound %v, want %v", n, got, full)
		}
		if got := sqDistBelow(a, b, full/2); n > 0 && full > 0 && got < full/2 {
			t.Fatalf("n=%d: early value %v under bound %v", n, got, full/2)
		}
	}
}
