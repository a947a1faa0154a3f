package sampler

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/model"
)

// randomCodes draws n codes in [0, k).
func randomCodes(n, k int, seed uint64) []int {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]int, n)
	for i := range out {
		out[i] = r.IntN(k)
	}
	return out
}

// editReference returns, for every target patch, the logits an edit picks
// from given the target patches before it, computed independently of the
// sampler: full-sequence passes over sequences laid out by hand as
// instruction ids (positions 0…L−1) | source codes (L…L+S−1) | SOS (L+S) |
// target codes, reading patch i's logits at position L+S+i, mixed by
// InstructPix2Pix's formula with scales sT (instruction) and sI (image).
func editReference(t *testing.T, b *bundle.Bundle, instr []int, source, target []int, sT, sI float32) [][]float32 {
	t.Helper()
	c := b.Model.Config
	L, S, N, K, pad := c.PromptLength(), c.SourceLength(), c.ImageTokens(), c.Codes(), c.Codes()
	pass := func(withInstr, withSource bool) []float32 {
		ids := make([]int, L+S+1+N-1)
		for i := 0; i < L; i++ {
			ids[i] = pad
			if withInstr {
				ids[i] = instr[i]
			}
		}
		for i := 0; i < S; i++ {
			ids[L+i] = pad
			if withSource {
				ids[L+i] = source[i]
			}
		}
		ids[L+S] = c.SOS()
		copy(ids[L+S+1:], target[:N-1])
		logits, err := b.Model.Forward(b.Model.NewExactCache(1), ids, len(ids), model.ForwardOptions{AllLogits: true, Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		return logits
	}
	both, img, none := pass(true, true), pass(false, true), pass(false, false)
	out := make([][]float32, N)
	for i := range out {
		at := (L + S + i) * K
		row := make([]float32, K)
		for k := range row {
			e := none[at+k] + sI*(img[at+k]-none[at+k]) + sT*(both[at+k]-img[at+k])
			row[k] = e
		}
		out[i] = row
	}
	return out
}

// TestEditSequenceLayout: a greedy edit picks, at every patch, the most
// likely code of hand-built sequences instruction | source | SOS | target
// (with each pair of guidance scales), so the sampler puts the
// instruction, the source, SOS and the target where the model was trained
// to read them.
func TestEditSequenceLayout(t *testing.T) {
	b := bundletest.TinyEdit(3)
	c := b.Model.Config
	source := randomCodes(c.ImageTokens(), c.Codes(), 9)
	instr := b.PromptIDs("mirror it").IDs
	if instr[0] == c.Codes() || instr[1] == c.Codes() || instr[2] != c.Codes() {
		t.Fatalf("instruction ids %v (PAD = %d)", instr, c.Codes())
	}
	all := func(int) bool { return true }
	for _, g := range []struct{ sT, sI float64 }{{1, 1}, {2.5, 1}, {1, 1.8}, {3, 1.5}} {
		opt := Defaults()
		opt.Prompt, opt.Temperature, opt.Guidance, opt.ImageGuidance = "mirror it", 0, g.sT, g.sI
		res, err := Edit(context.Background(), b, opt, EditRequest{Source: source}, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := res.Images[0].Tokens
		ref := editReference(t, b, instr, source, got, float32(g.sT), float32(g.sI))
		checkArgmax(t, "edit", got, ref, all)
		// And the result depends on both conditions.
		other := append([]int(nil), source...)
		for i := range other {
			other[i] = (other[i] + 5) % c.Codes()
		}
		res2, err := Edit(context.Background(), b, opt, EditRequest{Source: other}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Equal(res2.Images[0].Tokens, got) {
			t.Errorf("guidance %v: another source gave the same edit", g)
		}
		red := opt
		red.Prompt = "make it red"
		res3, err := Edit(context.Background(), b, red, EditRequest{Source: source}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Equal(res3.Images[0].Tokens, got) {
			t.Errorf("guidance %v: another instruction gave the same edit", g)
		}
	}
	// The log-likelihood of an unguided edit is what ScoreEdit measures.
	opt := Defaults()
	opt.Prompt, opt.Temperature = "mirror it", 0
	res, err := Edit(context.Background(), b, opt, EditRequest{Source: source}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ScoreEdit(context.Background(), b, "mirror it", source, res.Images[0].Tokens, 1)
	if err != nil {
		t.Fatal(err)
	}
	if d := math.Abs(s.NLL + res.Images[0].LogLik); d > 1e-3 {
		t.Errorf("ScoreEdit NLL %.5f, edit log-likelihood %.5f", s.NLL, res.Images[0].LogLik)
	}
}

// TestEditMaskIsRespected: with a mask, every kept patch of every
// candidate is exactly the source's code and is reported as kept; the
// changed patches are sampled; candidates come best first.
func TestEditMaskIsRespected(t *testing.T) {
	b := bundletest.TinyEdit(4)
	c := b.Model.Config
	N := c.ImageTokens()
	source := randomCodes(N, c.Codes(), 2)
	mask := make([]bool, N)
	for _, i := range []int{5, 6, 9, 10} {
		mask[i] = true
	}
	opt := Defaults()
	opt.Prompt, opt.Seed, opt.Temperature = "remove the background", 11, 1.5
	kept := map[[2]int]bool{}
	res, err := Edit(context.Background(), b, opt, EditRequest{Source: source, Mask: mask, Candidates: 6}, func(e Event) {
		kept[[2]int{e.Image, e.Index}] = e.Kept
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Images) != 6 {
		t.Fatalf("%d candidates, want 6", len(res.Images))
	}
	changed := 0
	for _, im := range res.Images {
		if len(im.Tokens) != N {
			t.Fatalf("candidate has %d codes", len(im.Tokens))
		}
		for i, code := range im.Tokens {
			if !mask[i] && code != source[i] {
				t.Fatalf("seed %d: kept patch %d is %d, the source has %d", im.Seed, i, code, source[i])
			}
			if mask[i] && code != source[i] {
				changed++
			}
		}
		if im.KeptCount != 7 { // the kept patches after the first masked one (5): 7, 8, 11…15
			t.Errorf("seed %d: %d kept patches scored, want 7", im.Seed, im.KeptCount)
		}
	}
	if changed == 0 {
		t.Error("no masked patch changed in 6 candidates at temperature 1.5")
	}
	// Every candidate reports every patch from the first masked one (5) on;
	// the patches before it are the kept prefix the canvas shows already.
	if len(kept) != 6*(N-5) {
		t.Fatalf("events for %d (candidate, patch) pairs, want %d", len(kept), 6*(N-5))
	}
	for key, k := range kept {
		if i := key[1]; k == mask[i] {
			t.Fatalf("event for patch %d says kept=%v, mask %v", i, k, mask[i])
		}
	}
	for i := 1; i < len(res.Images); i++ {
		a, b := res.Images[i-1], res.Images[i]
		if a.KeptLogLik/float64(a.KeptCount) < b.KeptLogLik/float64(b.KeptCount) {
			t.Fatal("candidates are not ranked best first")
		}
	}
}

// TestEditSeeds: the same seed and settings give the same edits, candidate
// seeds are Seed…Seed+n−1, and other seeds give other edits.
func TestEditSeeds(t *testing.T) {
	b := bundletest.TinyEdit(5)
	c := b.Model.Config
	source := randomCodes(c.ImageTokens(), c.Codes(), 3)
	opt := Defaults()
	opt.Prompt, opt.Seed, opt.Guidance, opt.Temperature, opt.ImageGuidance = "make it red", 100, 2, 1.2, 1.5
	req := EditRequest{Source: source, Candidates: 4}
	first, err := Edit(context.Background(), b, opt, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Edit(context.Background(), b, opt, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	var seeds []uint64
	for i := range first.Images {
		if first.Images[i].Seed != again.Images[i].Seed || !slices.Equal(first.Images[i].Tokens, again.Images[i].Tokens) {
			t.Fatalf("candidate %d differs between two runs with one seed", i)
		}
		seeds = append(seeds, first.Images[i].Seed)
	}
	slices.Sort(seeds)
	if !slices.Equal(seeds, []uint64{100, 101, 102, 103}) {
		t.Fatalf("seeds %v", seeds)
	}
	opt.Seed = 200
	other, err := Edit(context.Background(), b, opt, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	same := 0
	for i := range other.Images {
		for j := range first.Images {
			if slices.Equal(other.Images[i].Tokens, first.Images[j].Tokens) {
				same++
			}
		}
	}
	if same == len(other.Images) {
		t.Fatal("other seeds gave the same edits")
	}
}

// TestEditErrors: a text-to-image model cannot edit, an edit model cannot
// generate or be scored without a source, and bad requests say why.
func TestEditErrors(t *testing.T) {
	ctx := context.Background()
	e := bundletest.TinyEdit(1)
	N, K := e.ImageTokens(), e.Codes()
	src := randomCodes(N, K, 1)
	opt := Defaults()
	opt.Prompt = "mirror it"
	for _, tc := range []struct {
		name, want string
		run        func() error
	}{
		{"text model", "not an edit model", func() error {
			_, err := Edit(ctx, bundletest.Tiny(1), opt, EditRequest{Source: src}, nil)
			return err
		}},
		{"generate", "is an edit model: it needs a source image and an instruction to edit it by", func() error { _, err := Generate(ctx, e, opt, nil); return err }},
		{"score", "is an edit model", func() error { _, err := ScoreTokens(ctx, e, "", src, 1); return err }},
		{"short source", "source has 3 codes", func() error {
			_, err := Edit(ctx, e, opt, EditRequest{Source: src[:3]}, nil)
			return err
		}},
		{"bad code", "outside the codebook", func() error {
			bad := slices.Clone(src)
			bad[2] = K
			_, err := Edit(ctx, e, opt, EditRequest{Source: bad}, nil)
			return err
		}},
		{"mask length", "mask has 2 entries", func() error {
			_, err := Edit(ctx, e, opt, EditRequest{Source: src, Mask: []bool{true, false}}, nil)
			return err
		}},
		{"empty mask", "mask is empty", func() error {
			_, err := Edit(ctx, e, opt, EditRequest{Source: src, Mask: make([]bool, N)}, nil)
			return err
		}},
		{"image guidance", "image guidance", func() error {
			o := opt
			o.ImageGuidance = -2
			_, err := Edit(ctx, e, o, EditRequest{Source: src}, nil)
			return err
		}},
		{"negative", "negative prompt", func() error {
			o := opt
			o.Negative = "red"
			_, err := Edit(ctx, e, o, EditRequest{Source: src}, nil)
			return err
		}},
	} {
		err := tc.run()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	// Unknown words are reported, as for prompts.
	o := opt
	o.Prompt = "mirror it sideways"
	res, err := Edit(ctx, e, o, EditRequest{Source: src}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Unknown, []string{"sideways"}) {
		t.Errorf("unknown words %q", res.Unknown)
	}
}
