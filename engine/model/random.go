package model

import "math/rand/v2"

// Random builds a model with GPT-2 style random weights (normal, std 0.02;
// norm gains 1), for benchmarks and tests that need a model of a given shape.
func Random(c Config, seed uint64) (*Model, error) {
	r := rand.New(rand.NewPCG(seed, 0x7e55e7a))
	return New(c, func(name string, shape []int) ([]float32, error) {
		n := 1
		for _, s := range shape {
			n *= s
		}
		data := make([]float32, n)
		if len(shape) == 1 && isGain(name) {
			for i := range data {
				data[i] = 1
			}
			return data, nil
		}
		for i := range data {
			data[i] = float32(r.NormFloat64() * 0.02)
		}
		return data, nil
	})
}

func isGain(name string) bool {
	n := len(name)
	return n > 11 && (name[n-11:] == "ln_1.weight" || name[n-11:] == "ln_2.weight" || name[n-11:] == "ln_f.weight")
}

// SmallConfig is the shape of OpenAI's imagegpt-small (76.7M parameters).
func SmallConfig() Config {
	c := DefaultConfig()
	c.VocabSize, c.NPositions, c.NEmbd, c.NLayer, c.NHead = 513, 1024, 512, 24, 8
	return c
}
