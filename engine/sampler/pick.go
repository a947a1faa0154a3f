package sampler

import (
	"math"
	"math/rand/v2"
	"sort"

	"github.com/tessera-studio/tessera/engine/sampling"
)

// picker turns logits into a sampled code; its buffers are reused.
type picker struct {
	probs []float64
	order []int
}

// pick samples a code from logits at temperature temp (the patch's own)
// with the truncation knobs of s (top-k, top-p), drawing one uniform number
// from r (always, so that a greedy patch does not shift the random stream
// of the patches after it). Temperatures below GreedyTemperature (0
// included) pick the argmax, ignoring truncation and r. Ties and rounding
// are resolved deterministically.
func (p *picker) pick(logits []float32, temp float64, s sampling.Settings, r *rand.Rand) int {
	topK, topP := s.TopK, s.TopP
	u := r.Float64()
	if temp < GreedyTemperature {
		return argmax(logits)
	}
	K := len(logits)
	if cap(p.probs) < K {
		p.probs = make([]float64, K)
		p.order = make([]int, K)
	}
	probs, order := p.probs[:K], p.order[:K]
	maxLogit := math.Inf(-1)
	for _, v := range logits {
		maxLogit = math.Max(maxLogit, float64(v))
	}
	var sum float64
	for i, v := range logits {
		e := math.Exp((float64(v) - maxLogit) / temp)
		probs[i] = e
		sum += e
	}
	for i := range probs {
		probs[i] /= sum
		order[i] = i
	}
	if (topK <= 0 || topK >= K) && topP >= 1 {
		return draw(probs, nil, u)
	}
	sort.SliceStable(order, func(a, b int) bool { return probs[order[a]] > probs[order[b]] })
	keep := K
	if topK > 0 && topK < K {
		keep = topK
	}
	if topP < 1 {
		var acc float64
		for i := 0; i < keep; i++ {
			acc += probs[order[i]]
			if acc >= topP {
				keep = i + 1
				break
			}
		}
	}
	return draw(probs, order[:keep], u)
}

// draw picks an index by inverse CDF over probs (restricted to subset when given).
func draw(probs []float64, subset []int, u float64) int {
	var total float64
	if subset == nil {
		total = 1
	} else {
		for _, i := range subset {
			total += probs[i]
		}
	}
	target := u * total
	var acc float64
	if subset == nil {
		for i, p := range probs {
			acc += p
			if acc > target {
				return i
			}
		}
		return len(probs) - 1
	}
	for _, i := range subset {
		acc += probs[i]
		if acc > target {
			return i
		}
	}
	return subset[len(subset)-1]
}

// argmax is the index of the largest value, the first one on ties. NaNs
// never win.
func argmax(v []float32) int {
	best := -1
	for i, x := range v {
		if x == x && (best < 0 || x > v[best]) {
			best = i
		}
	}
	return max(best, 0)
}
