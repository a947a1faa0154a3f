package vit

import (
	"math/big"
	"os"
	"testing"
)

// FuzzParseConfig: ParseConfig never panics or loops, and an accepted
// tokenizer_config.json has a token count that does not overflow and a
// weight table whose size fits an int (the loader compares it with the
// weights file before it allocates it).
func FuzzParseConfig(f *testing.F) {
	for _, p := range []string{"../../assets/models/emoji/tokenizer_config.json", "../../assets/models/edit/tokenizer_config.json", "../../assets/tokenizers/emoji/tokenizer_config.json"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	// Hostile seeds the fuzzer found: sizes that allocated 8 GB or wrapped.
	f.Add([]byte(`{"type":"vit-vq","image_size":8,"patch_size":8,"n_embd":1,"n_head":1,"n_inner":100000000000000,"encoder_layers":1,"codebook_size":2,"code_dim":1,"layer_norm_epsilon":1}`))
	f.Add([]byte(`{"type":"vit-vq","image_size":4294967296,"patch_size":1,"n_embd":1,"n_head":1,"n_inner":1,"codebook_size":2,"code_dim":1,"layer_norm_epsilon":1}`))
	f.Add([]byte(`{"type":"vit-vq","image_size":8,"patch_size":8,"n_embd":1,"n_head":1,"n_inner":1,"encoder_layers":1000000000000,"codebook_size":2,"code_dim":1,"layer_norm_epsilon":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig("fuzz", data)
		if err != nil {
			return
		}
		G := big.NewInt(int64(c.Grid()))
		T := new(big.Int).Mul(G, G)
		if T.Cmp(big.NewInt(4096)) > 0 || T.Sign() <= 0 {
			t.Fatalf("accepted %d tokens per image (Tokens() says %d)", T, c.Tokens())
		}
		P := new(big.Int).Mul(big.NewInt(int64(c.PatchSize)), big.NewInt(int64(c.PatchSize)))
		P.Mul(P, big.NewInt(3))
		// rough parameter count: per block 4·C² + 2·C·F, plus embeddings and codebook.
		C, F := big.NewInt(int64(c.NEmbd)), big.NewInt(int64(c.NInner))
		blk := new(big.Int).Mul(C, C)
		blk.Mul(blk, big.NewInt(4))
		blk.Add(blk, new(big.Int).Mul(new(big.Int).Mul(C, F), big.NewInt(2)))
		total := new(big.Int).Mul(blk, big.NewInt(int64(c.EncoderLayers)+int64(c.DecoderLayers)))
		total.Add(total, new(big.Int).Mul(P, C))
		total.Add(total, new(big.Int).Mul(big.NewInt(int64(c.CodebookSize)), big.NewInt(int64(c.CodeDim))))
		if total.Cmp(big.NewInt(1<<50)) > 0 {
			t.Fatalf("accepted a tokenizer of about %v parameters", total)
		}
		if _, n := Layout(c); n <= 0 || int64(n) < total.Int64()/2 {
			t.Fatalf("Layout total %d for about %v parameters", n, total)
		}
	})
}
