package kmeans

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
)

// chunkRows is how many vectors a worker takes at a time.
const chunkRows = 256

// forChunks calls fn on [lo, hi) ranges covering [0, n) from s.workers
// goroutines. fn must write only to state owned by its rows.
func (s *state) forChunks(ctx context.Context, n int, fn func(lo, hi int)) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range s.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				lo := int(next.Add(chunkRows)) - chunkRows
				if lo >= n {
					return
				}
				fn(lo, min(lo+chunkRows, n))
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// sqDist is the squared Euclidean distance of two equal-length vectors.
func sqDist(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		d0, d1, d2, d3 := a[i]-b[i], a[i+1]-b[i+1], a[i+2]-b[i+2], a[i+3]-b[i+3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < len(a); i++ {
		d := a[i] - b[i]
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

// sqDistBelow is sqDist(a, b) when that is below bound, computed the same
// way to the last bit; otherwise it may stop early and return a value >= bound.
// Partial sums of squares only grow, so stopping never changes a comparison.
func sqDistBelow(a, b []float32, bound float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		d0, d1, d2, d3 := a[i]-b[i], a[i+1]-b[i+1], a[i+2]-b[i+2], a[i+3]-b[i+3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
		if i&12 == 12 && (s0+s1)+(s2+s3) >= bound {
			return (s0 + s1) + (s2 + s3)
		}
	}
	for ; i < len(a); i++ {
		d := a[i] - b[i]
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

// seed picks the initial centroids by k-means++: each next centroid is a
// vector drawn with probability proportional to its squared distance to the
// nearest centroid so far.
func (s *state) seed(ctx context.Context, rng *rand.Rand) error {
	s.centroids = make([]float32, 0, s.k*s.dim)
	pick := rng.IntN(s.n)
	s.centroids = append(s.centroids, s.row(pick)...)
	err := s.forChunks(ctx, s.n, func(lo, hi int) {
		c := s.centroids[:s.dim]
		for i := lo; i < hi; i++ {
			s.dist[i] = sqDist(s.row(i), c)
		}
	})
	if err != nil {
		return err
	}
	for j := 1; j < s.k; j++ {
		var total float64
		for _, d := range s.dist {
			total += float64(d)
		}
		if total > 0 {
			r := rng.Float64() * total
			pick = -1
			last := 0
			for i, d := range s.dist {
				if d <= 0 {
					continue
				}
				last = i
				if r -= float64(d); r < 0 {
					pick = i
					break
				}
			}
			if pick < 0 { // rounding left r just above zero
				pick = last
			}
		} else {
			pick = rng.IntN(s.n) // every vector sits on a centroid: any will do
		}
		s.centroids = append(s.centroids, s.row(pick)...)
		c := s.centroids[j*s.dim:]
		err := s.forChunks(ctx, s.n, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				if d := sqDistBelow(s.row(i), c, s.dist[i]); d < s.dist[i] {
					s.dist[i] = d
				}
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// assign labels every vector with its nearest centroid (the lowest index on
// ties) and returns how many labels changed; first counts all as changed.
func (s *state) assign(ctx context.Context, first bool) (int, error) {
	var changed atomic.Int64
	err := s.forChunks(ctx, s.n, func(lo, hi int) {
		moved := 0
		for i := lo; i < hi; i++ {
			x := s.row(i)
			best, bestD := 0, sqDist(x, s.centroids[:s.dim])
			for j := 1; j < s.k; j++ {
				if d := sqDistBelow(x, s.centroids[j*s.dim:], bestD); d < bestD {
					best, bestD = j, d
				}
			}
			if first || s.labels[i] != int32(best) {
				moved++
			}
			s.labels[i], s.dist[i] = int32(best), bestD
		}
		changed.Add(int64(moved))
	})
	return int(changed.Load()), err
}

// update moves each centroid to the mean of its vectors. Each worker owns a
// set of clusters and sums their vectors in vector order, so the result does
// not depend on the number of workers. Empty clusters are re-seeded at the
// vectors farthest from their centroids.
func (s *state) update(ctx context.Context) error {
	counts := make([]int, s.k)
	for _, l := range s.labels {
		counts[l]++
	}
	sums := make([]float64, s.k*s.dim)
	var wg sync.WaitGroup
	for w := range s.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, l := range s.labels {
				if int(l)%s.workers != w {
					continue
				}
				if i%4096 == 0 && ctx.Err() != nil {
					return
				}
				sum := sums[int(l)*s.dim : (int(l)+1)*s.dim]
				for d, v := range s.row(i) {
					sum[d] += float64(v)
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	for j, c := range counts {
		if c == 0 {
			continue
		}
		for d := range s.dim {
			s.centroids[j*s.dim+d] = float32(sums[j*s.dim+d] / float64(c))
		}
	}
	for j, c := range counts {
		if c != 0 {
			continue
		}
		far := 0
		for i, d := range s.dist {
			if d > s.dist[far] {
				far = i
			}
		}
		copy(s.centroids[j*s.dim:(j+1)*s.dim], s.row(far))
		s.dist[far] = -1 // not chosen again this step
	}
	return nil
}
