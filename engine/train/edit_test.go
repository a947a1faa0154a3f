package train

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tessera-studio/tessera/engine/model"
)

// tinyEditConfig is an edit model for the trainer's tests: d=16, 2 layers,
// 2 heads, K=10 codes, 3 instruction slots over 4 words, a 2×3 grid (N=S=6):
// T = 3 + 6 + 6 = 15, SOS at position 9.
func tinyEditConfig() model.Config {
	c := model.DefaultConfig()
	c.NEmbd, c.NLayer, c.NHead = 16, 2, 2
	c.Tessera = &model.Ext{Name: "tiny-edit", PatchSize: 2, Grid: [2]int{2, 3}, PromptLength: 3,
		PromptVocab: []string{"<pad>", "mirror", "it", "copy"}, Edit: &model.EditExt{SourceLength: 6}}
	c.VocabSize = 10 + 4 + 1
	c.NPositions = 3 + 6 + 6
	return c
}

// editToy makes n edit examples: "copy" keeps the source, "mirror it"
// mirrors each row of the 2×3 grid and shifts every code by one
// ((c+1) mod K), so both the instruction and the source decide each code.
func editToy(cfg model.Config, n int, seed uint64) []Example {
	r := rand.New(rand.NewPCG(seed, 5))
	K := cfg.Codes()
	rows, cols := cfg.Grid()
	xs := make([]Example, n)
	for i := range xs {
		src := make([]int32, rows*cols)
		for j := range src {
			src[j] = int32(r.IntN(K))
		}
		tgt := append([]int32(nil), src...)
		prompt := []int32{int32(K + 3)} // copy
		if r.IntN(2) == 0 {
			prompt = []int32{int32(K + 1), int32(K + 2)} // mirror it
			for y := 0; y < rows; y++ {
				for x := 0; x < cols; x++ {
					tgt[y*cols+x] = (src[y*cols+cols-1-x] + 1) % int32(K)
				}
			}
		}
		xs[i] = Example{Prompt: prompt, Source: src, Codes: tgt}
	}
	return xs
}

// TestEditSequenceLayout: instruction | source | SOS | target[:-1], with the
// targets being the N target codes.
func TestEditSequenceLayout(t *testing.T) {
	cfg := tinyEditConfig()
	ex := Example{Prompt: []int32{11, 12}, Source: []int32{1, 2, 3, 4, 5, 6}, Codes: []int32{7, 8, 9, 0, 1, 2}}
	in, tg := make([]int32, cfg.NPositions), make([]int32, cfg.ImageTokens())
	fillSequence(cfg, ex, drops{}, in, tg)
	want := []int32{11, 12, 10, 1, 2, 3, 4, 5, 6, 14, 7, 8, 9, 0, 1}
	if len(in) != len(want) {
		t.Fatalf("input has %d positions, want %d", len(in), len(want))
	}
	for i := range want {
		if in[i] != want[i] {
			t.Fatalf("input %v, want %v", in, want)
		}
	}
	for i, c := range ex.Codes {
		if tg[i] != c {
			t.Fatalf("targets %v, want %v", tg, ex.Codes)
		}
	}
	fillSequence(cfg, ex, drops{prompt: true, source: true}, in, tg)
	for i := 0; i < 9; i++ {
		if in[i] != 10 {
			t.Fatalf("dropped instruction and source should be PAD (10): %v", in)
		}
	}
	if in[9] != 14 || in[10] != 7 {
		t.Fatalf("SOS and targets after a dropped context: %v", in)
	}
}

// TestEditLossIsOnTargetsOnly: the trainer's per-target losses are, one for
// one, −log p(target i) read from the inference engine's logits at
// position L+S+i (SOS predicts target 0); there is no loss anywhere else, so
// a batch whose targets are all masked has zero loss and zero gradient
// although its context is full. The context does reach the loss: another
// source changes it.
func TestEditLossIsOnTargetsOnly(t *testing.T) {
	cfg := tinyEditConfig()
	p, err := InitParams(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i := range p.Data {
		p.Data[i] *= 4
	}
	dir := t.TempDir()
	if err := SaveModel(dir, cfg, p, "F32"); err != nil {
		t.Fatal(err)
	}
	em, err := model.Load(dir, model.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	xs := editToy(cfg, 2, 1)
	T, N, K, ctx := cfg.NPositions, cfg.ImageTokens(), cfg.Codes(), cfg.ContextLength()
	in, tg := make([]int32, 2*T), make([]int32, 2*N)
	for i := range xs {
		fillSequence(cfg, xs[i], drops{}, in[i*T:(i+1)*T], tg[i*N:(i+1)*N])
	}
	m, err := NewModel(p, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	loss, err := m.Forward(in, tg, 2, false)
	if err != nil {
		t.Fatal(err)
	}
	if m.count != 2*N {
		t.Fatalf("%d targets counted, want 2×N = %d", m.count, 2*N)
	}
	losses := append([]float64(nil), m.Losses()...)
	var sum float64
	for b := 0; b < 2; b++ {
		ids := make([]int, T)
		for i, v := range in[b*T : (b+1)*T] {
			ids[i] = int(v)
		}
		logits, err := em.Forward(em.NewExactCache(1), ids, T, model.ForwardOptions{AllLogits: true, Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < N; i++ {
			want := -model.LogSoftmaxAt(logits[(ctx+i)*K:(ctx+i+1)*K], int(tg[b*N+i]))
			if d := math.Abs(losses[b*N+i] - want); d > 1e-4 {
				t.Fatalf("sequence %d target %d: trainer loss %.6f, engine −log p at position %d = %.6f", b, i, losses[b*N+i], ctx+i, want)
			}
			sum += want
		}
	}
	if d := math.Abs(loss - sum/float64(2*N)); d > 1e-5 {
		t.Fatalf("mean loss %.6f, want %.6f", loss, sum/float64(2*N))
	}

	// All targets masked: no loss and no gradient, whatever the context.
	masked := make([]int32, 2*N)
	for i := range masked {
		masked[i] = -1
	}
	if l, err := m.Forward(in, masked, 2, false); err != nil || l != 0 {
		t.Fatalf("masked targets: loss %v, err %v", l, err)
	}
	m.ZeroGrad()
	if err := m.Backward(); err != nil {
		t.Fatal(err)
	}
	for i, g := range m.Grads.Data {
		if g != 0 {
			t.Fatalf("gradient %d is %g with every target masked", i, g)
		}
	}

	// The source is context: changing it changes the loss of the targets.
	other := append([]int32(nil), in...)
	other[cfg.PromptLength()] = (other[cfg.PromptLength()] + 1) % int32(K)
	l2, err := m.Forward(other, tg, 2, false)
	if err != nil {
		t.Fatal(err)
	}
	if l2 == loss {
		t.Fatal("changing a source code did not change the loss: the source is not read")
	}
}

// TestGradEditModel checks the backward pass of an edit model (context
// offset L+S) against finite differences.
func TestGradEditModel(t *testing.T) {
	cfg := tinyEditConfig()
	params, err := InitParams(cfg, 21)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(22, 22))
	for _, ts := range params.Tensors {
		x := params.Data[ts.Off : ts.Off+ts.Size]
		for i := range x {
			if len(ts.Shape) == 1 && x[i] == 1 {
				x[i] = float32(1 + 0.3*r.NormFloat64())
			} else {
				x[i] = float32(0.3 * r.NormFloat64())
			}
		}
	}
	m, err := NewModel(params, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	xs := editToy(cfg, 2, 4)
	T, N := cfg.NPositions, cfg.ImageTokens()
	in, tg := make([]int32, 2*T), make([]int32, 2*N)
	for i := range xs {
		fillSequence(cfg, xs[i], drops{source: i == 1}, in[i*T:(i+1)*T], tg[i*N:(i+1)*N])
	}
	tg[2] = -1
	if _, err := m.Forward(in, tg, 2, false); err != nil {
		t.Fatal(err)
	}
	m.ZeroGrad()
	if err := m.Backward(); err != nil {
		t.Fatal(err)
	}
	var vars []gcVar
	for _, ts := range params.Tensors {
		vars = append(vars, gcVar{ts.Name, params.Data[ts.Off : ts.Off+ts.Size], m.Grads.Data[ts.Off : ts.Off+ts.Size]})
	}
	checkGrads(t, "edit model", vars, func() float64 {
		l, err := m.Forward(in, tg, 2, false)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}, gcEps, 8, 1e-2, 1e-4)
}

// TestSourceDropout: sources are dropped (all PAD) at about the asked rate,
// independently of the instruction, and never partly.
func TestSourceDropout(t *testing.T) {
	cfg := tinyEditConfig()
	xs := editToy(cfg, 10, 1)
	ld := newLoader(len(xs), 1)
	T, N, L, S, K := cfg.NPositions, cfg.ImageTokens(), cfg.PromptLength(), cfg.SourceLength(), int32(cfg.Codes())
	const n = 400
	in, tg := make([]int32, n*T), make([]int32, n*N)
	ld.batch(cfg, xs, n, 0.2, 0.3, in, tg)
	var prompts, sources, both int
	for i := 0; i < n; i++ {
		seq := in[i*T : (i+1)*T]
		pd, sd := seq[0] == K, true
		for j := L; j < L+S; j++ {
			if seq[j] != K {
				sd = false
			}
		}
		if !sd {
			for j := L; j < L+S; j++ {
				if seq[j] == K {
					t.Fatal("partly dropped source")
				}
			}
		}
		if seq[L+S] != int32(cfg.SOS()) {
			t.Fatalf("no SOS after the source: %v", seq)
		}
		if pd {
			prompts++
		}
		if sd {
			sources++
		}
		if pd && sd {
			both++
		}
	}
	if prompts < 50 || prompts > 110 || sources < 90 || sources > 150 || both < 8 || both > 45 {
		t.Errorf("of %d: %d instructions dropped (p=0.2), %d sources (p=0.3), %d both (≈24)", n, prompts, sources, both)
	}
}

// TestEditRunLearns trains a small edit model on "copy" and "mirror it" of
// random sources: the validation loss must fall far below both 1 bit per
// token (what copying the right code shifted or not, ignoring the
// instruction, gets) and log2 K (ignoring the source).
func TestEditRunLearns(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for a few seconds")
	}
	cfg := tinyEditConfig()
	cfg.NEmbd, cfg.NHead = 32, 4
	o := DefaultOptions(cfg)
	if o.SourceDrop != 0.1 || o.PromptDrop != 0.1 {
		t.Fatalf("edit defaults: prompt drop %g, source drop %g", o.PromptDrop, o.SourceDrop)
	}
	o.BatchSize, o.Steps, o.EvalEvery, o.LR, o.Workers = 16, 800, 200, 3e-3, 2
	o.EmbdDrop, o.ResidDrop, o.DType, o.OutDir = 0, 0, "F32", t.TempDir()
	res, err := Run(context.Background(), o, editToy(cfg, 400, 1), editToy(cfg, 40, 2), Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	chance := math.Log2(float64(cfg.Codes()))
	if res.BestVal > 0.5 {
		t.Fatalf("validation %.3f bits per token after %d steps; chance is %.3f", res.BestVal, res.Steps, chance)
	}
	t.Logf("validation %.3f bits per token (chance %.3f) in %v", res.BestVal, chance, res.Elapsed)
}

// TestEditExamplesChecked: a source of the wrong length, a source code out
// of range and a source given to a text-to-image model are clear errors.
func TestEditExamplesChecked(t *testing.T) {
	cfg := tinyEditConfig()
	good := editToy(cfg, 1, 1)[0]
	short := good
	short.Source = good.Source[:3]
	bad := good
	bad.Source = append([]int32(nil), good.Source...)
	bad.Source[0] = 99
	for _, tc := range []struct {
		name string
		cfg  model.Config
		ex   Example
	}{
		{"short source", cfg, short},
		{"bad code", cfg, bad},
		{"no source", cfg, Example{Prompt: good.Prompt, Codes: good.Codes}},
		{"text model", tinyConfig(), Example{Codes: make([]int32, tinyConfig().ImageTokens()), Source: []int32{1}}},
	} {
		if err := checkExamples(tc.cfg, "training", []Example{tc.ex}); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	if err := checkExamples(cfg, "training", []Example{good}); err != nil {
		t.Fatal(err)
	}
}

// A run's first checkpoint comes FirstCheckpoint after it starts, sooner
// than CheckpointEvery, so that a run killed early can be resumed.
func TestFirstCheckpointComesEarly(t *testing.T) {
	cfg := tinyEditConfig()
	o := DefaultOptions(cfg)
	o.BatchSize, o.Steps, o.EvalEvery, o.Workers = 4, 6, 1000, 1
	o.CheckpointEvery, o.FirstCheckpoint = time.Hour, time.Nanosecond
	o.DType, o.OutDir = "F32", t.TempDir()
	ck := filepath.Join(o.OutDir, CheckpointFile)
	var during bool
	hooks := Hooks{Step: func(s StepInfo) {
		if s.Step == 3 {
			_, err := os.Stat(ck)
			during = err == nil
		}
	}}
	if _, err := Run(context.Background(), o, editToy(cfg, 32, 1), editToy(cfg, 8, 2), hooks); err != nil {
		t.Fatal(err)
	}
	if !during {
		t.Fatal("no checkpoint by step 3 with FirstCheckpoint 1ns and CheckpointEvery 1h")
	}
	if d := DefaultOptions(cfg).FirstCheckpoint; d <= 0 || d > time.Minute {
		t.Fatalf("default first checkpoint after %v", d)
	}
}
