// Package kmeans learns patch codebooks: k-means++ seeding followed by Lloyd
// iterations over float32 vectors, with the assignment step spread over
// goroutines. Results depend only on the data, the options' seed and sizes,
// never on scheduling or on the number of workers.
package kmeans

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
)

// Options configures Fit.
type Options struct {
	// K is the number of centroids (codebook entries); it must be positive
	// and at most the number of vectors used.
	K int
	// Iters is the number of Lloyd iterations; 0 returns the k-means++ seeds.
	// Fit stops early when an assignment changes nothing.
	Iters int
	// Seed drives seeding, subsampling and nothing else.
	Seed uint64
	// Workers is the number of goroutines; 0 or less means GOMAXPROCS.
	Workers int
	// MaxSamples, when positive, fits on a random subset of that many vectors.
	MaxSamples int
}

// Fit clusters the n×dim row-major vectors in data into opt.K centroids and
// returns them, K×dim row-major. It seeds with k-means++, then runs Lloyd
// iterations; a cluster left empty is re-seeded at the point farthest from
// its centroid. progress, if not nil, is called after each assignment step
// with the iteration (from 1) and the inertia (sum of squared distances to
// the nearest centroid). ctx cancels between and within steps.
func Fit(ctx context.Context, data []float32, dim int, opt Options, progress func(iter int, inertia float64)) ([]float32, error) {
	if dim <= 0 {
		return nil, fmt.Errorf("kmeans: dimension must be positive, got %d", dim)
	}
	if len(data)%dim != 0 {
		return nil, fmt.Errorf("kmeans: %d values are not a whole number of %d-vectors", len(data), dim)
	}
	if opt.K <= 0 {
		return nil, fmt.Errorf("kmeans: K must be positive, got %d", opt.K)
	}
	if opt.Iters < 0 {
		return nil, fmt.Errorf("kmeans: Iters must not be negative, got %d", opt.Iters)
	}
	for i, v := range data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("kmeans: vector %d has a non-finite value %v", i/dim, v)
		}
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x6b6d65616e73)) // "kmeans"
	if opt.MaxSamples > 0 && len(data)/dim > opt.MaxSamples {
		data = subsample(data, dim, opt.MaxSamples, rng)
	}
	n := len(data) / dim
	if n < opt.K {
		return nil, fmt.Errorf("kmeans: %d vectors cannot make %d clusters", n, opt.K)
	}
	w := opt.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	s := &state{data: data, dim: dim, n: n, k: opt.K, workers: w,
		labels: make([]int32, n), dist: make([]float32, n)}
	if err := s.seed(ctx, rng); err != nil {
		return nil, err
	}
	for it := 1; it <= opt.Iters; it++ {
		changed, err := s.assign(ctx, it == 1)
		if err != nil {
			return nil, err
		}
		if progress != nil {
			progress(it, s.inertia())
		}
		if it > 1 && changed == 0 {
			break
		}
		if err := s.update(ctx); err != nil {
			return nil, err
		}
	}
	return s.centroids, nil
}

// state is one Fit in progress.
type state struct {
	data      []float32 // n×dim vectors
	dim, n, k int
	workers   int
	centroids []float32 // k×dim
	labels    []int32   // nearest centroid per vector
	dist      []float32 // squared distance to it
}

// inertia sums the squared distances in vector order.
func (s *state) inertia() float64 {
	var sum float64
	for _, d := range s.dist {
		sum += float64(d)
	}
	return sum
}

// row returns vector i.
func (s *state) row(i int) []float32 { return s.data[i*s.dim : (i+1)*s.dim : (i+1)*s.dim] }

// subsample copies m random rows of data, kept in their original order.
func subsample(data []float32, dim, m int, rng *rand.Rand) []float32 {
	n := len(data) / dim
	perm := make([]int32, n)
	for i := range perm {
		perm[i] = int32(i)
	}
	for i := range m { // partial Fisher–Yates
		j := i + rng.IntN(n-i)
		perm[i], perm[j] = perm[j], perm[i]
	}
	pick := perm[:m]
	slices.Sort(pick)
	out := make([]float32, 0, m*dim)
	for _, i := range pick {
		out = append(out, data[int(i)*dim:(int(i)+1)*dim]...)
	}
	return out
}
