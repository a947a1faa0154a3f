package train

import (
	"math"

	"github.com/tessera-studio/tessera/engine/kernels"
)

// AdamW is decoupled-weight-decay Adam (Loshchilov & Hutter), as PyTorch's
// torch.optim.AdamW computes it: decay only on the tensors marked Decay
// (matmul weights and embeddings), never on norm gains and biases.
type AdamW struct {
	Beta1, Beta2, Eps float64
	M, V              []float32 // first and second moments, Params layout
	T                 int       // updates done (bias correction)
}

// NewAdamW returns an optimiser for n parameters.
func NewAdamW(n int, beta1, beta2, eps float64) *AdamW {
	return &AdamW{Beta1: beta1, Beta2: beta2, Eps: eps, M: make([]float32, n), V: make([]float32, n)}
}

// Step applies one update with learning rate lr and weight decay wd to
// params, from grads multiplied by gscale (the clipping factor).
func (o *AdamW) Step(p par, params, grads []float32, tensors []TensorInfo, lr, wd float64, gscale float32) {
	o.T++
	b1, b2 := float32(o.Beta1), float32(o.Beta2)
	c1 := float32(1 / (1 - math.Pow(o.Beta1, float64(o.T))))
	c2 := float32(1 / (1 - math.Pow(o.Beta2, float64(o.T))))
	lrf, eps := float32(lr), float32(o.Eps)
	decay := float32(1 - lr*wd)
	p.For(len(params), 1<<14, func(lo, hi int) {
		for _, t := range tensors {
			a, b := max(lo, t.Off), min(hi, t.Off+t.Size)
			if a >= b {
				continue
			}
			w, g, m, v := params[a:b], grads[a:b], o.M[a:b], o.V[a:b]
			k := kernels.AdamConsts{B1: b1, OmB1: 1 - b1, B2: b2, OmB2: 1 - b2, C1: c1, C2: c2, LR: lrf, Eps: eps, Decay: 1, GradScale: gscale}
			if t.Decay {
				k.Decay = decay
			}
			kernels.AdamW(w, g, m, v, &k)
		}
	})
}

// normChunk is the fixed chunk of the gradient-norm reduction.
const normChunk = 1 << 14

// GradNorm returns the global L2 norm of g, summed in fixed chunks in order
// (float64), so the result does not depend on the number of workers.
func gradNorm(p par, g []float32) float64 {
	nch := (len(g) + normChunk - 1) / normChunk
	part := make([]float64, nch)
	p.For(nch, 1, func(k0, k1 int) {
		for k := k0; k < k1; k++ {
			part[k] = float64(kernels.SumSq(g[k*normChunk : min((k+1)*normChunk, len(g))]))
		}
	})
	var s float64
	for _, v := range part {
		s += v
	}
	return math.Sqrt(s)
}

// LRAt is the learning rate at step (0-based): linear warm-up from lr/warmup
// to lr over warmup steps, then a cosine decay to minLR at step total.
func LRAt(step, warmup, total int, lr, minLR float64) float64 {
	if step < warmup {
		return lr * float64(step+1) / float64(warmup)
	}
	if total <= warmup {
		return lr
	}
	prog := math.Min(1, float64(step-warmup)/float64(total-warmup))
	return minLR + 0.5*(1+math.Cos(math.Pi*prog))*(lr-minLR)
}
