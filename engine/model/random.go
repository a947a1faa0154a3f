package model

import (
	"fmt"
	"math/rand/v2"
)

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

// MediumConfig is the shape of OpenAI's imagegpt-medium (about 455M
// parameters).
func MediumConfig() Config {
	c := DefaultConfig()
	c.VocabSize, c.NPositions, c.NEmbd, c.NLayer, c.NHead = 513, 1024, 1024, 36, 8
	return c
}

// LargeConfig is the shape of OpenAI's imagegpt-large (about 1.36B
// parameters, 5.4 GB in float32).
func LargeConfig() Config {
	c := DefaultConfig()
	c.VocabSize, c.NPositions, c.NEmbd, c.NLayer, c.NHead = 513, 1024, 1536, 48, 16
	return c
}

// ShapeConfig returns the config of OpenAI's ImageGPT checkpoint of that
// size: "small", "medium" or "large".
func ShapeConfig(shape string) (Config, error) {
	switch shape {
	case "small":
		return SmallConfig(), nil
	case "medium":
		return MediumConfig(), nil
	case "large":
		return LargeConfig(), nil
	}
	return Config{}, fmt.Errorf("unknown shape %q: small, medium or large (OpenAI's imagegpt sizes)", shape)
}
