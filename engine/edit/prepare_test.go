package edit

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/tokenizer"
	"github.com/tessera-studio/tessera/engine/train"
)

// testTokenizer is a random codebook of 32 entries of 2×2 patches.
func testTokenizer() tokenizer.Codebook {
	r := rand.New(rand.NewPCG(3, 3))
	entries := make([]float32, 32*12)
	for i := range entries {
		entries[i] = float32(r.Float64()*2 - 1)
	}
	cb, err := codebook.New(2, entries)
	if err != nil {
		panic(err)
	}
	return tokenizer.Codebook{Codebook: cb}
}

func TestPrepare(t *testing.T) {
	samples, genders := testSamples()
	tok := testTokenizer()
	spec := Spec{Size: 8, HeldOut: 0.3, Seed: 5, MaxPerFamily: 10, Genders: genders}
	arch := model.DefaultConfig()
	arch.NEmbd, arch.NLayer, arch.NHead = 16, 1, 2
	prep, err := Prepare(context.Background(), samples, spec, Tokenising{Tokenizer: tok, ValPerFamily: 2, Workers: 2}, arch, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := prep.Config
	L := MaxWords()
	if !c.IsEdit() || c.SourceLength() != 16 || c.PromptLength() != L || c.NPositions != L+32 || c.Codes() != 32 ||
		!slices.Equal(c.Tessera.PromptVocab, Vocabulary()) || c.Name() != DefaultName || c.Tessera.Edit.SplitSeed != 5 || c.Tessera.Edit.HeldOutFraction != 0.3 {
		t.Fatalf("config: edit %v S %d L %d positions %d codes %d name %q edit %+v", c.IsEdit(), c.SourceLength(), c.PromptLength(), c.NPositions, c.Codes(), c.Name(), c.Tessera.Edit)
	}
	set, err := Pairs(samples, spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(prep.Train) != len(set.Train) {
		t.Fatalf("%d training examples for %d pairs", len(prep.Train), len(set.Train))
	}
	ptok, err := prompt.New(c.Tessera.PromptVocab, L, c.Codes())
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range set.Train {
		ex := prep.Train[i]
		src, dst := set.Make(p)
		s, err := tok.Encode(src, 4, 4)
		if err != nil {
			t.Fatal(err)
		}
		d, err := tok.Encode(dst, 4, 4)
		if err != nil {
			t.Fatal(err)
		}
		ids := ptok.Encode(p.Instruction).IDs
		if !equal32(ex.Source, s) || !equal32(ex.Codes, d) || !equal32(ex.Prompt, ids) {
			t.Fatalf("%s pair %d (%q): example does not hold the instruction, source and target codes", p.Family, i, p.Instruction)
		}
	}
	if len(prep.Val) == 0 || len(prep.Val) > 2*len(Families()) {
		t.Fatalf("%d validation examples, want 1…%d", len(prep.Val), 2*len(Families()))
	}
	// The trainer takes the examples as they are.
	o := train.DefaultOptions(c)
	o.Steps, o.BatchSize, o.OutDir, o.Workers, o.DType = 2, 4, t.TempDir(), 2, "F32"
	if _, err := train.Run(context.Background(), o, prep.Train, prep.Val, train.Hooks{}); err != nil {
		t.Fatal(err)
	}

	if _, err := Prepare(context.Background(), samples, spec, Tokenising{}, arch, nil); err == nil {
		t.Fatal("no tokenizer: no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Prepare(ctx, samples, spec, Tokenising{Tokenizer: tok}, arch, nil); err == nil {
		t.Fatal("cancelled: no error")
	}
}

func equal32(a []int32, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if int(a[i]) != b[i] {
			return false
		}
	}
	return true
}
