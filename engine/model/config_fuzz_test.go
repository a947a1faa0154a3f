package model

import (
	"math"
	"math/big"
	"os"
	"testing"
)

// FuzzParseConfig: ParseConfig never panics or hangs, and a config it
// accepts has sizes that do not overflow (grid product, image size,
// parameter count, memory estimate).
func FuzzParseConfig(f *testing.F) {
	for _, p := range []string{
		"../../testdata/imagegpt/vector1/config.json",
		"../../testdata/imagegpt/vector2/config.json",
		"../../assets/models/emoji/config.json",
		"../../assets/models/edit/config.json",
		"../../assets/models/mnist/config.json",
	} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"n_positions":5,"n_embd":1,"n_head":1,"n_layer":1,"vocab_size":3,"tessera":{"grid":[2,2],"prompt_length":1,"prompt_vocab":["<pad>"]}}`))
	f.Add([]byte(`{"n_embd":33,"n_head":4}`))
	// Hostile seeds the fuzzer found: a panic in the loader, sizes whose
	// products wrapped, an isqrt that looped for hours.
	f.Add([]byte(`{"n_positions":1,"n_embd":1,"n_head":1,"n_inner":1,"n_layer":288230376151711744,"vocab_size":2}`))
	f.Add([]byte(`{"n_positions":5,"n_embd":1,"n_head":1,"n_layer":1,"vocab_size":3,"tessera":{"grid":[4611686018427387905,4],"prompt_length":1,"prompt_vocab":["<pad>"]}}`))
	f.Add([]byte(`{"n_positions":1,"n_embd":1,"n_head":1,"n_layer":1,"vocab_size":2,"tessera":{"patch_size":4611686018427387904}}`))
	f.Add([]byte(`{"n_positions":9223372036854775807}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if err != nil {
			return
		}
		big2 := func(x ...int) *big.Int {
			r := big.NewInt(1)
			for _, v := range x {
				r.Mul(r, big.NewInt(int64(v)))
			}
			return r
		}
		r, cc := c.Grid()
		if !big2(r, cc).IsInt64() || int64(r)*int64(cc) != int64(c.ImageTokens()) || c.ImageTokens() <= 0 {
			t.Fatalf("accepted grid %dx%d with %d image tokens", r, cc, c.ImageTokens())
		}
		p := c.PatchSize()
		if w := big2(cc, p, r, p, 4); w.Cmp(big.NewInt(math.MaxInt32)) > 0 {
			t.Fatalf("accepted image of %d×%d patches of %d px: %v bytes", r, cc, p, w)
		}
		if c.Params() <= 0 || c.MemoryNeeded(LoadOptions{}) <= 0 {
			t.Fatalf("accepted config with params %d, memory %d", c.Params(), c.MemoryNeeded(LoadOptions{}))
		}
		if c.NLayer > 1<<20 {
			t.Fatalf("accepted n_layer %d", c.NLayer)
		}
	})
}
