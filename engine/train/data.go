package train

import (
	"fmt"
	"math/rand/v2"

	"github.com/tessera-studio/tessera/engine/model"
)

// Example is one pre-tokenised training example.
type Example struct {
	Prompt []int32 // L prompt (instruction) ids (PAD-filled; PAD = K); shorter is padded
	// Source is an edit model's S source codes (raster order); nil for
	// text-to-image models.
	Source []int32
	Codes  []int32 // N image (target) codes in raster order
}

// drops says which conditions of one example are replaced by PAD: the
// prompt (classifier-free guidance on the text or instruction), single
// prompt words (bit i of words: slot i, the first 64 slots; word dropout)
// and an edit model's source image (guidance on the image, as in
// InstructPix2Pix).
type drops struct {
	prompt, source bool
	words          uint64
}

// fillSequence writes one example's model input and targets. The input is
// prompt | SOS | codes[:-1] for a text-to-image model and instruction |
// source | SOS | codes[:-1] for an edit model (model.Ext documents the
// positions); the targets are the N codes, predicted at positions
// ContextLength() … ContextLength()+N−1, so the prompt, the source and SOS
// are context that carries no loss. A dropped prompt or source becomes PAD.
func fillSequence(cfg model.Config, ex Example, d drops, input, target []int32) {
	K, L, S := int32(cfg.Codes()), cfg.PromptLength(), cfg.SourceLength()
	for i := 0; i < L; i++ {
		id := K // PAD
		if !d.prompt && i < len(ex.Prompt) && (i >= 64 || d.words&(1<<i) == 0) {
			id = ex.Prompt[i]
		}
		input[i] = id
	}
	for i := 0; i < S; i++ {
		id := K // PAD: no source image
		if !d.source {
			id = ex.Source[i]
		}
		input[L+i] = id
	}
	input[L+S] = int32(cfg.SOS())
	copy(input[L+S+1:], ex.Codes[:len(ex.Codes)-1])
	copy(target, ex.Codes)
}

// checkExamples reports the first example that does not fit cfg.
func checkExamples(cfg model.Config, set string, xs []Example) error {
	K, L, N, S := cfg.Codes(), cfg.PromptLength(), cfg.ImageTokens(), cfg.SourceLength()
	W := cfg.PromptWords()
	for i, ex := range xs {
		if len(ex.Codes) != N {
			return fmt.Errorf("train: %s example %d has %d codes, the model takes %d", set, i, len(ex.Codes), N)
		}
		if len(ex.Prompt) > L {
			return fmt.Errorf("train: %s example %d has %d prompt ids, the model takes %d", set, i, len(ex.Prompt), L)
		}
		switch {
		case S == 0 && len(ex.Source) > 0:
			return fmt.Errorf("train: %s example %d has %d source codes, but the model is not an edit model", set, i, len(ex.Source))
		case S > 0 && len(ex.Source) != S:
			return fmt.Errorf("train: %s example %d has %d source codes, the edit model takes %d", set, i, len(ex.Source), S)
		}
		for _, c := range ex.Codes {
			if c < 0 || int(c) >= K {
				return fmt.Errorf("train: %s example %d: code %d outside [0, %d)", set, i, c, K)
			}
		}
		for _, c := range ex.Source {
			if c < 0 || int(c) >= K {
				return fmt.Errorf("train: %s example %d: source code %d outside [0, %d)", set, i, c, K)
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
	// wordDrop is the chance each word of a prompt that is kept becomes
	// PAD (Options.WordDrop).
	wordDrop float64
	// replay and replayShare are Options.Replay and ReplayShare.
	replay      []Example
	replayShare float64
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
// replaced by PAD with probability promptDrop (classifier-free guidance)
// and, independently, an edit example's source with probability sourceDrop
// (guidance on the image); each word of a kept prompt becomes PAD with
// probability l.wordDrop; each example is one of l.replay with probability
// l.replayShare. A rate of 0 draws no random number, so runs without
// source or word dropout or replay see the same stream as before they
// existed.
func (l *loader) batch(cfg model.Config, xs []Example, b int, promptDrop, sourceDrop float64, inputs, targets []int32) {
	T, N := cfg.NPositions, cfg.ImageTokens()
	for i := 0; i < b; i++ {
		var ex Example
		if l.replayShare > 0 && l.rng.Float64() < l.replayShare {
			ex = l.replay[l.rng.IntN(len(l.replay))]
		} else {
			ex = xs[l.next()]
		}
		var d drops
		d.prompt = promptDrop > 0 && l.rng.Float64() < promptDrop
		d.source = sourceDrop > 0 && l.rng.Float64() < sourceDrop
		if l.wordDrop > 0 && !d.prompt {
			for j := range min(len(ex.Prompt), 64) {
				if ex.Prompt[j] != int32(cfg.Codes()) && l.rng.Float64() < l.wordDrop {
					d.words |= 1 << j
				}
			}
		}
		fillSequence(cfg, ex, d, inputs[i*T:(i+1)*T], targets[i*N:(i+1)*N])
	}
}
