package train

import (
	"fmt"
	"math/rand/v2"

	"github.com/tessera-studio/tessera/engine/model"
)

// Example is one pre-tokenised training example.
type Example struct {
	Prompt []int32 // L prompt ids (PAD-filled; PAD = K); shorter is padded
	Codes  []int32 // N image codes in raster order
}

// fillSequence writes one example's model input (prompt | SOS | codes[:-1])
// and targets (the N codes). dropPrompt replaces the prompt by PAD.
func fillSequence(cfg model.Config, ex Example, dropPrompt bool, input, target []int32) {
	K, L := int32(cfg.Codes()), cfg.PromptLength()
	for i := 0; i < L; i++ {
		id := K // PAD
		if !dropPrompt && i < len(ex.Prompt) {
			id = ex.Prompt[i]
		}
		input[i] = id
	}
	input[L] = int32(cfg.SOS())
	copy(input[L+1:], ex.Codes[:len(ex.Codes)-1])
	copy(target, ex.Codes)
}

// checkExamples reports the first example that does not fit cfg.
func checkExamples(cfg model.Config, set string, xs []Example) error {
	K, L, N := cfg.Codes(), cfg.PromptLength(), cfg.ImageTokens()
	W := cfg.PromptWords()
	for i, ex := range xs {
		if len(ex.Codes) != N {
			return fmt.Errorf("train: %s example %d has %d codes, the model takes %d", set, i, len(ex.Codes), N)
		}
		if len(ex.Prompt) > L {
			return fmt.Errorf("train: %s example %d has %d prompt ids, the model takes %d", set, i, len(ex.Prompt), L)
		}
		for _, c := range ex.Codes {
			if c < 0 || int(c) >= K {
				return fmt.Errorf("train: %s example %d: code %d outside [0, %d)", set, i, c, K)
			}
		}
		for _, id := range ex.Prompt {
			if int(id) < K || int(id) >= K+W {
				return fmt.Errorf("train: %s example %d: prompt id %d outside the prompt words [%d, %d)", set, i, id, K, K+W)
			}
		}
	}
	return nil
}

// loader deals shuffled batches: a fresh permutation each epoch from its own
// PCG, whose state (with the order and position) is all a checkpoint needs.
type loader struct {
	n     int
	order []int32
	pos   int
	epoch int
	pcg   *rand.PCG
	rng   *rand.Rand
}

func newLoader(n int, seed uint64) *loader {
	l := &loader{n: n, order: make([]int32, n), pcg: rand.NewPCG(seed, 0xda7a)}
	l.rng = rand.New(l.pcg)
	for i := range l.order {
		l.order[i] = int32(i)
	}
	l.shuffle()
	return l
}

func (l *loader) shuffle() {
	l.rng.Shuffle(l.n, func(i, j int) { l.order[i], l.order[j] = l.order[j], l.order[i] })
}

// next returns the next example index, starting a new epoch at the end.
func (l *loader) next() int {
	if l.pos == l.n {
		l.epoch++
		l.pos = 0
		l.shuffle()
	}
	i := l.order[l.pos]
	l.pos++
	return int(i)
}

// batch fills inputs and targets with b examples; each example's prompt is
// replaced by PAD with probability promptDrop (classifier-free guidance).
func (l *loader) batch(cfg model.Config, xs []Example, b int, promptDrop float64, inputs, targets []int32) {
	T, N := cfg.NPositions, cfg.ImageTokens()
	for i := 0; i < b; i++ {
		ex := xs[l.next()]
		drop := promptDrop > 0 && l.rng.Float64() < promptDrop
		fillSequence(cfg, ex, drop, inputs[i*T:(i+1)*T], targets[i*N:(i+1)*N])
	}
}
