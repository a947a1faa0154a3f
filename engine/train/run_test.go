package train

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/safetensors"
)

// toyData makes examples whose image is a function of the prompt: word w
// paints code pattern (w + position) mod K, with some noise.
func toyData(cfg model.Config, n int, seed uint64) []Example {
	r := rand.New(rand.NewPCG(seed, 9))
	K, L, N, W := cfg.Codes(), cfg.PromptLength(), cfg.ImageTokens(), cfg.PromptWords()
	xs := make([]Example, n)
	for i := range xs {
		w := 1 + r.IntN(W-1)
		xs[i].Prompt = []int32{int32(K + w)}
		_ = L
		xs[i].Codes = make([]int32, N)
		for j := range xs[i].Codes {
			c := (w + j) % K
			if r.Float64() < 0.05 {
				c = r.IntN(K)
			}
			xs[i].Codes[j] = int32(c)
		}
	}
	return xs
}

func resumeOptions(dir string) Options {
	cfg := tinyConfig()
	o := DefaultOptions(cfg)
	o.BatchSize, o.Steps, o.EvalEvery, o.Warmup = 4, 20, 5, 3
	o.EmbdDrop, o.ResidDrop, o.AttnDrop, o.PromptDrop = 0.1, 0.1, 0.1, 0.3
	o.Seed, o.OutDir, o.Workers, o.DType = 3, dir, 2, "F32"
	o.ExtraFiles = map[string][]byte{"preprocessor_config.json": []byte("{}\n")}
	return o
}

// TestResumeIsExact: 10 steps, cancel (checkpoint), resume, 10 more steps
// gives bit for bit what 20 straight steps give.
func TestResumeIsExact(t *testing.T) {
	cfg := tinyConfig()
	train, val := toyData(cfg, 30, 1), toyData(cfg, 6, 2)
	dirA, dirB := t.TempDir(), t.TempDir()

	resA, err := Run(context.Background(), resumeOptions(dirA), train, val, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	if resA.Steps != 20 || resA.Stop != StopDone {
		t.Fatalf("straight run: %+v", resA)
	}

	ctx, cancel := context.WithCancel(context.Background())
	hooks := Hooks{Step: func(s StepInfo) {
		if s.Step == 10 {
			cancel()
		}
	}}
	resB, err := Run(ctx, resumeOptions(dirB), train, val, hooks)
	if !errors.Is(err, context.Canceled) || resB == nil || resB.Steps != 10 || resB.Stop != StopCanceled {
		t.Fatalf("interrupted run: %+v, %v", resB, err)
	}
	opt := resumeOptions(dirB)
	opt.Resume = true
	resB, err = Run(context.Background(), opt, train, val, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	if resB.Steps != 20 {
		t.Fatalf("resumed run stopped at step %d", resB.Steps)
	}

	a, b := mustCheckpoint(t, dirA), mustCheckpoint(t, dirB)
	same := func(name string, x, y []float32) {
		if len(x) != len(y) {
			t.Fatalf("%s: %d vs %d values", name, len(x), len(y))
		}
		for i := range x {
			if x[i] != y[i] {
				t.Fatalf("%s[%d]: straight %v, resumed %v", name, i, x[i], y[i])
			}
		}
	}
	same("weights", a.Params.Data, b.Params.Data)
	same("adam m", a.Opt.M, b.Opt.M)
	same("adam v", a.Opt.V, b.Opt.V)
	same("best weights", a.Best, b.Best)
	same("train loss history", a.TrainLoss, b.TrainLoss)
	if a.BestVal != b.BestVal || a.BestStep != b.BestStep || a.Pos != b.Pos || a.Epoch != b.Epoch || !bytes.Equal(a.RNG, b.RNG) {
		t.Fatalf("state differs: best %v@%d vs %v@%d, pos %d vs %d, epoch %d vs %d", a.BestVal, a.BestStep, b.BestVal, b.BestStep, a.Pos, b.Pos, a.Epoch, b.Epoch)
	}
	wa, _ := os.ReadFile(filepath.Join(dirA, "model", model.WeightsFile))
	wb, _ := os.ReadFile(filepath.Join(dirB, "model", model.WeightsFile))
	if len(wa) == 0 || !bytes.Equal(wa, wb) {
		t.Fatal("exported model.safetensors differ")
	}
	t.Logf("20 straight steps == 10 + checkpoint + resume + 10: %d weights, best val %.4f bits at step %d", len(a.Params.Data), a.BestVal, a.BestStep)
}

// TestStopAtThenResumeIsExact: StopAt ends a call at its step with the
// schedule's length kept (reported as a spent budget), and resuming gives
// the straight run's weights.
func TestStopAtThenResumeIsExact(t *testing.T) {
	cfg := tinyConfig()
	train, val := toyData(cfg, 30, 1), toyData(cfg, 6, 2)
	dirA, dirB := t.TempDir(), t.TempDir()
	if _, err := Run(context.Background(), resumeOptions(dirA), train, val, Hooks{}); err != nil {
		t.Fatal(err)
	}
	opt := resumeOptions(dirB)
	opt.StopAt = 7
	res, err := Run(context.Background(), opt, train, val, Hooks{})
	if err != nil || res.Steps != 7 || res.TotalSteps != 20 || res.Stop != StopBudget {
		t.Fatalf("stop at 7: %+v, %v; want step 7 of 20, stopped as by a budget", res, err)
	}
	first := res.TotalElapsed
	if first != res.Elapsed || first <= 0 {
		t.Fatalf("a first call's training time: %v in all, %v in the call", first, res.Elapsed)
	}
	opt.StopAt, opt.Resume = 0, true
	if res, err = Run(context.Background(), opt, train, val, Hooks{}); err != nil || res.Steps != 20 {
		t.Fatalf("resumed: %+v, %v", res, err)
	}
	if res.TotalElapsed < first+res.Elapsed-first/10 {
		t.Fatalf("the resumed run's training time %v does not count the first call's %v (this call %v)", res.TotalElapsed, first, res.Elapsed)
	}
	wa, _ := os.ReadFile(filepath.Join(dirA, "model", model.WeightsFile))
	wb, _ := os.ReadFile(filepath.Join(dirB, "model", model.WeightsFile))
	if len(wa) == 0 || !bytes.Equal(wa, wb) {
		t.Fatal("stopped at 7 and resumed: exported weights differ from the straight run's")
	}
}

// TestResumeShortensSchedule: a resume may shorten the schedule to anneal
// sooner, but not to a length the checkpoint has already passed.
func TestResumeShortensSchedule(t *testing.T) {
	cfg := tinyConfig()
	train, val := toyData(cfg, 30, 1), toyData(cfg, 6, 2)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	hooks := Hooks{Step: func(s StepInfo) {
		if s.Step == 10 {
			cancel()
		}
	}}
	if _, err := Run(ctx, resumeOptions(dir), train, val, hooks); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	opt := resumeOptions(dir)
	opt.Resume, opt.Steps = true, 10
	if _, err := Run(context.Background(), opt, train, val, Hooks{}); err == nil || !strings.Contains(err.Error(), "step 10 already") {
		t.Fatalf("resume to a schedule already passed: %v, want an error naming step 10", err)
	}
	opt.Steps = 14
	res, err := Run(context.Background(), opt, train, val, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != 14 || res.TotalSteps != 14 || res.Stop != StopDone {
		t.Fatalf("shortened schedule: stopped at %d of %d (%v), want 14 of 14, done", res.Steps, res.TotalSteps, res.Stop)
	}
}

// TestRunLearnsAndExports trains the toy task, checks that validation loss
// falls far below chance, and that the exported folder loads in the
// inference engine and computes the trainer's logits.
func TestRunLearnsAndExports(t *testing.T) {
	cfg := tinyConfig()
	train, val := toyData(cfg, 200, 3), toyData(cfg, 20, 4)
	dir := t.TempDir()
	o := DefaultOptions(cfg)
	o.BatchSize, o.Steps, o.EvalEvery, o.LR = 16, 150, 50, 3e-3
	o.OutDir, o.DType = dir, "F32"
	o.ExtraFiles = map[string][]byte{"preprocessor_config.json": []byte("{}\n")}
	var progress bytes.Buffer
	o.Progress = &progress
	var samples, evals int
	res, err := Run(context.Background(), o, train, val, Hooks{
		Samples: func(d, w string) error {
			if d != dir || w != filepath.Join(dir, "model", model.WeightsFile) {
				t.Errorf("Samples(%q, %q)", d, w)
			}
			samples++
			return nil
		},
		Eval: func(int, float64, bool) { evals++ },
	})
	if err != nil {
		t.Fatal(err)
	}
	chance := math.Log2(float64(cfg.Codes()))
	t.Logf("result %+v (chance %.3f bits); %d evals, %d sample calls", *res, chance, evals, samples)
	if !(res.BestVal < 0.5*chance) {
		t.Errorf("best validation loss %.3f bits, want well below chance %.3f", res.BestVal, chance)
	}
	if evals != 3 || samples < 1 {
		t.Errorf("%d evaluations and %d sample calls", evals, samples)
	}
	if !strings.Contains(progress.String(), "100% [====================]  step 150/150 |") || !strings.Contains(progress.String(), "tok/s") {
		t.Errorf("progress output: %q", progress.String())
	}
	// The last line's loss is the result's (a mean of the last steps: a
	// fifth of these 150), and it says so: the lines before show each
	// step's own.
	out := strings.TrimRight(progress.String(), " \n")
	if last := out[strings.LastIndex(out, "\r"):]; !strings.Contains(last, fmt.Sprintf("loss %.3f bpt (mean of the last 30 steps)", res.TrainLoss)) || !strings.HasSuffix(progress.String(), "\n") {
		t.Errorf("the final progress line: %q", last)
	}
	for _, f := range []string{CheckpointFile, LossPlotFile, "model/config.json", "model/model.safetensors", "model/preprocessor_config.json"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	// The engine loads the export and agrees with the trainer.
	em, err := model.Load(filepath.Join(dir, "model"), model.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := LoadModel(filepath.Join(dir, "model"))
	if err != nil {
		t.Fatal(err)
	}
	tm, err := NewModel(p, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	in := make([]int32, cfg.NPositions)
	fillSequence(cfg, val[0], drops{}, in, make([]int32, cfg.ImageTokens()))
	if _, err := tm.Forward(in, nil, 1, false); err != nil {
		t.Fatal(err)
	}
	ids := make([]int, len(in))
	for i, v := range in {
		ids[i] = int(v)
	}
	logits, err := em.Forward(em.NewCache(1), ids, len(ids), model.ForwardOptions{AllLogits: true})
	if err != nil {
		t.Fatal(err)
	}
	K, L := cfg.Codes(), cfg.PromptLength()
	worst := 0.0
	for i, v := range tm.Logits() {
		worst = math.Max(worst, math.Abs(float64(v-logits[L*K+i])))
	}
	if worst > 1e-4 {
		t.Errorf("engine and trainer logits differ by %.3g", worst)
	}
	lm := em.LmHead.W.Data().([]float32)
	for i := K * cfg.NEmbd; i < len(lm); i++ {
		if lm[i] != 0 {
			t.Fatalf("lm_head row %d (a prompt word) is not zero", i/cfg.NEmbd)
		}
	}
}

func TestRunBudgetAndDefaults(t *testing.T) {
	cfg := tinyConfig()
	train := toyData(cfg, 50, 5)
	dir := t.TempDir()
	o := Options{Model: cfg, OutDir: dir, Minutes: 0.02, BatchSize: 8} // 1.2 s
	res, err := Run(context.Background(), o, train, nil, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps < 1 || res.TotalSteps < res.Steps || (res.Stop != StopBudget && res.Stop != StopDone) {
		t.Fatalf("%+v", res)
	}
	if res.Elapsed.Seconds() > 10 {
		t.Fatalf("a 1.2 s budget ran %v", res.Elapsed)
	}
	// No validation set: the last weights are exported, in F16 by default.
	p, err := LoadModel(filepath.Join(dir, "model"))
	if err != nil {
		t.Fatal(err)
	}
	ck, err := LoadCheckpoint(filepath.Join(dir, CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range ck.Params.Data {
		if d := math.Abs(float64(v - p.Data[i])); d > 1e-3*math.Abs(float64(v))+1e-4 {
			t.Fatalf("exported weight %d = %v, trained %v", i, p.Data[i], v)
		}
	}
	f, err := safetensors.Open(filepath.Join(dir, "model", "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range f.Names() {
		if dt := f.Tensors[name].DType; dt != "F16" && !strings.HasSuffix(name, ".attn.bias") {
			t.Errorf("exported %s is %s, want F16 by default", name, dt)
		}
	}
	t.Logf("%+v", *res)
}

func TestRunRejectsBadExamples(t *testing.T) {
	cfg := tinyConfig()
	good := toyData(cfg, 4, 1)
	for name, ex := range map[string]Example{
		"short":      {Codes: make([]int32, 3)},
		"code range": {Codes: append(make([]int32, cfg.ImageTokens()-1), int32(cfg.Codes()))},
		"prompt":     {Prompt: []int32{0}, Codes: make([]int32, cfg.ImageTokens())},
	} {
		_, err := Run(context.Background(), Options{Model: cfg, OutDir: t.TempDir(), Steps: 1}, append(good, ex), nil, Hooks{})
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestLRSchedule(t *testing.T) {
	if v := LRAt(0, 10, 100, 1, 0.1); math.Abs(v-0.1) > 1e-12 {
		t.Errorf("first warm-up step %v", v)
	}
	if v := LRAt(9, 10, 100, 1, 0.1); v != 1 {
		t.Errorf("end of warm-up %v", v)
	}
	if v := LRAt(55, 10, 100, 1, 0.1); math.Abs(v-0.55) > 1e-12 {
		t.Errorf("cosine midpoint %v", v)
	}
	if v := LRAt(100, 10, 100, 1, 0.1); math.Abs(v-0.1) > 1e-12 {
		t.Errorf("end %v", v)
	}
}

// TestAdamW compares one tensor's updates with the formula in float64.
func TestAdamW(t *testing.T) {
	ts := []TensorInfo{{Name: "w", Shape: []int{2, 2}, Off: 0, Size: 4, Decay: true}, {Name: "b", Shape: []int{2}, Off: 4, Size: 2}}
	w := []float32{0.5, -0.3, 0.2, 1, 0.1, -0.1}
	ref := make([]float64, len(w))
	for i, v := range w {
		ref[i] = float64(v)
	}
	o := NewAdamW(len(w), 0.9, 0.95, 1e-8)
	m, v := make([]float64, len(w)), make([]float64, len(w))
	p := testPar(t, 2)
	for step := 1; step <= 3; step++ {
		g := []float32{0.1, -0.2, 0.3 * float32(step), 0, 0.5, -0.05}
		lr, wd, gs := 0.01, 0.1, float32(0.5)
		o.Step(p, w, g, ts, lr, wd, gs)
		for i := range ref {
			gi := float64(g[i] * gs)
			if ts[0].Off <= i && i < ts[0].Size {
				ref[i] *= 1 - lr*wd
			}
			m[i] = 0.9*m[i] + 0.1*gi
			v[i] = 0.95*v[i] + 0.05*gi*gi
			mh, vh := m[i]/(1-math.Pow(0.9, float64(step))), v[i]/(1-math.Pow(0.95, float64(step)))
			ref[i] -= lr * mh / (math.Sqrt(vh) + 1e-8)
		}
	}
	for i := range w {
		if math.Abs(float64(w[i])-ref[i]) > 1e-6 {
			t.Errorf("w[%d] = %v, want %v", i, w[i], ref[i])
		}
	}
}

func TestGradNormAndClipDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	g := randVec(r, 100003, 1)
	var s float64
	for _, v := range g {
		s += float64(v) * float64(v)
	}
	n1, n2 := gradNorm(testPar(t, 1), g), gradNorm(testPar(t, 3), g)
	if n1 != n2 || math.Abs(n1-math.Sqrt(s)) > 1e-6*n1 {
		t.Fatalf("norms %v %v, want %v", n1, n2, math.Sqrt(s))
	}
}

// TestWorkersAgree: a training step gives the same bits with 1 and 3 workers.
func TestWorkersAgree(t *testing.T) {
	cfg := tinyConfig()
	var grads [][]float32
	for _, w := range []int{1, 3} {
		p, _ := InitParams(cfg, 4)
		m, err := NewModel(p, 5, w)
		if err != nil {
			t.Fatal(err)
		}
		m.SetDropout(0.1, 0.1, 0.1, 1, 2)
		in, tg := tinyBatch(cfg, 5, 9)
		if _, err := m.Forward(in, tg, 5, true); err != nil {
			t.Fatal(err)
		}
		m.ZeroGrad()
		m.Backward()
		grads = append(grads, append([]float32(nil), m.Grads.Data...))
	}
	for i := range grads[0] {
		if grads[0][i] != grads[1][i] {
			t.Fatalf("gradient %d: %v with 1 worker, %v with 3", i, grads[0][i], grads[1][i])
		}
	}
}

func TestPromptDropout(t *testing.T) {
	cfg := tinyConfig()
	xs := toyData(cfg, 10, 1)
	ld := newLoader(len(xs), 1)
	T, N, L, K := cfg.NPositions, cfg.ImageTokens(), cfg.PromptLength(), int32(cfg.Codes())
	in, tg := make([]int32, 100*T), make([]int32, 100*N)
	ld.batch(cfg, xs, 100, 0.3, 0, in, tg)
	dropped := 0
	for i := 0; i < 100; i++ {
		if in[i*T] == K {
			dropped++
			for j := 0; j < L; j++ {
				if in[i*T+j] != K {
					t.Fatal("partly dropped prompt")
				}
			}
		}
		if in[i*T+L] != int32(cfg.SOS()) {
			t.Fatal("no SOS after the prompt")
		}
	}
	if dropped < 15 || dropped > 45 {
		t.Errorf("%d of 100 prompts dropped at p=0.3", dropped)
	}
	if ld.epoch != 9 || ld.pos != 10 {
		t.Errorf("after 100 draws of 10 examples: epoch %d pos %d", ld.epoch, ld.pos)
	}
}

// Word dropout turns single words of kept prompts into PAD at its rate,
// leaves whole-prompt dropout, SOS and the codes as they were, and at rate
// 0 the loader deals exactly what it dealt before the option existed.
func TestWordDropout(t *testing.T) {
	cfg := tinyConfig()
	T, N, L, K := cfg.NPositions, cfg.ImageTokens(), cfg.PromptLength(), int32(cfg.Codes())
	// Example i: prompt words K+1+i… (up to L of them), every code i.
	xs := make([]Example, 10)
	for i := range xs {
		for j := 0; j < min(L, 1+i%L); j++ {
			xs[i].Prompt = append(xs[i].Prompt, K+1+int32((i+j)%(cfg.PromptWords()-1)))
		}
		xs[i].Codes = make([]int32, N)
		for j := range xs[i].Codes {
			xs[i].Codes[j] = int32(i)
		}
	}
	const n = 400
	deal := func(wordDrop float64) (in, tg []int32) {
		ld := newLoader(len(xs), 1)
		ld.wordDrop = wordDrop
		in, tg = make([]int32, n*T), make([]int32, n*N)
		ld.batch(cfg, xs, n, 0.3, 0, in, tg)
		return in, tg
	}
	base, baseTg := deal(0)
	in, tg := deal(0.5) // more random draws: another order after the first epoch
	words, dropped := 0, 0
	for i := 0; i < n; i++ {
		seq, ex := in[i*T:(i+1)*T], xs[tg[i*N]]
		if seq[L] != int32(cfg.SOS()) || !slices.Equal(seq[L+1:], ex.Codes[:N-1]) || !slices.Equal(tg[i*N:(i+1)*N], ex.Codes) {
			t.Fatalf("sequence %d: word dropout changed SOS, the codes or the targets", i)
		}
		for j := 0; j < L; j++ {
			if j >= len(ex.Prompt) {
				if seq[j] != K {
					t.Fatalf("sequence %d slot %d: a PAD slot holds %d", i, j, seq[j])
				}
				continue
			}
			words++
			switch seq[j] {
			case K:
				dropped++
			case ex.Prompt[j]:
			default:
				t.Fatalf("sequence %d slot %d: %d is neither the word %d nor PAD", i, j, seq[j], ex.Prompt[j])
			}
		}
	}
	// About 30% of prompts are dropped whole, and half the words of the rest.
	if frac := float64(dropped) / float64(words); frac < 0.55 || frac > 0.75 {
		t.Errorf("%d of %d words PAD at prompt drop 0.3 and word drop 0.5 (want about 0.65)", dropped, words)
	}
	// At rate 0 the stream is the one before word dropout: prompts whole or
	// all PAD, as TestPromptDropout checks.
	for i := 0; i < n; i++ {
		seq, ex := base[i*T:(i+1)*T], xs[baseTg[i*N]]
		if seq[0] != K && !slices.Equal(seq[:len(ex.Prompt)], ex.Prompt) {
			t.Fatalf("sequence %d at word drop 0: prompt %v, want %v", i, seq[:L], ex.Prompt)
		}
	}
}

// Replay deals a share of each batch from the replay examples (whole:
// prompt, codes and targets), the rest from the training set in its
// shuffled order, and an epoch counts training examples only.
func TestReplay(t *testing.T) {
	cfg := tinyConfig()
	T, N := cfg.NPositions, cfg.ImageTokens()
	mark := func(n int, code0 int32) []Example { // example i: every code code0+i
		xs := make([]Example, n)
		for i := range xs {
			xs[i].Codes = make([]int32, N)
			for j := range xs[i].Codes {
				xs[i].Codes[j] = code0 + int32(i)
			}
		}
		return xs
	}
	xs, replay := mark(10, 0), mark(5, 20)
	const n = 1000
	ld := newLoader(len(xs), 1)
	ld.replay, ld.replayShare = replay, 0.3
	in, tg := make([]int32, n*T), make([]int32, n*N)
	ld.batch(cfg, xs, n, 0, 0, in, tg)
	fromReplay, trained := 0, 0
	seen := map[int32]bool{}
	for i := 0; i < n; i++ {
		c := tg[i*N]
		if !slices.Equal(in[i*T+cfg.PromptLength()+1:(i+1)*T], tg[i*N:i*N+N-1]) {
			t.Fatalf("sequence %d: input codes are not its targets shifted", i)
		}
		if c >= 20 {
			fromReplay++
			seen[c] = true
		} else {
			trained++
		}
	}
	if frac := float64(fromReplay) / n; frac < 0.25 || frac > 0.35 || len(seen) != len(replay) {
		t.Errorf("%d of %d sequences replayed (want about 30%%), %d of %d replay examples seen", fromReplay, n, len(seen), len(replay))
	}
	if got := ld.epoch*len(xs) + ld.pos; got != trained {
		t.Errorf("the loader counted %d training examples dealt, %d were", got, trained)
	}
	// A schedule of epochs counts training examples: 2 epochs of 10 at
	// batch 4 with 30% replay is 2·10/(4·0.7) → 8 steps, not 5.
	r := &run{opt: Options{Epochs: 2, BatchSize: 4, ReplayShare: 0.3}, train: xs}
	if err := r.fresh(1); err != nil || r.total != 8 {
		t.Errorf("epochs with replay: %d steps (%v), want 8", r.total, err)
	}
	// A share without examples, or of 1, is refused before any work.
	for _, o := range []Options{{OutDir: "x", ReplayShare: 0.5}, {OutDir: "x", ReplayShare: 1, Replay: replay}} {
		if err := o.withDefaults().check(); err == nil || !strings.Contains(err.Error(), "replay") {
			t.Errorf("share %g with %d examples: %v", o.ReplayShare, len(o.Replay), err)
		}
	}
}

// TestRefitSchedule: a schedule fitted to the time budget is fitted again
// from the measured time of its first steps, validation's estimated cost
// included, and later from the measured time with validation in it.
func TestRefitSchedule(t *testing.T) {
	r := &run{opt: Options{Minutes: 1, BatchSize: 8, EvalEvery: 100}, step: 60, total: 2000}
	r.refit(6*time.Second, false) // 0.1 s a step, 54 s left
	if r.total != 600 || r.opt.Steps != 600 || r.warmup != 30 {
		t.Fatalf("no validation: total %d (options %d), warm-up %d, want 600 and 30", r.total, r.opt.Steps, r.warmup)
	}
	r.val = make([]Example, 240) // 30 batches a pass = 10 steps' time per 100 steps
	r.refit(6*time.Second, false)
	if want := 60 + 490; r.total != want { // 54 s / (0.1 s × 1.1)
		t.Fatalf("with validation: total %d, want %d", r.total, want)
	}
	r.step = 200
	r.refit(30*time.Second, true) // 0.15 s a step, passes included: 30 s left
	if want := 200 + 200; r.total != want {
		t.Fatalf("measured with validation: total %d, want %d", r.total, want)
	}
}

// TestStopValidatesOnceMore: a stop (ErrStopped) makes a last validation
// pass, so the weights exported count the steps since the last one; a
// plain cancel (a pause, Ctrl+C) skips it.
func TestStopValidatesOnceMore(t *testing.T) {
	cfg := tinyConfig()
	train, val := toyData(cfg, 30, 1), toyData(cfg, 6, 2)
	for _, c := range []struct {
		cause    error
		lastEval int
	}{{ErrStopped, 7}, {nil, 5}} {
		ctx, cancel := context.WithCancelCause(context.Background())
		hooks := Hooks{Step: func(s StepInfo) {
			if s.Step == 7 {
				cancel(c.cause)
			}
		}}
		res, err := Run(ctx, resumeOptions(t.TempDir()), train, val, hooks) // validation every 5 steps
		if err == nil || res == nil || res.Steps != 7 {
			t.Fatalf("cause %v: %+v, %v", c.cause, res, err)
		}
		ck, err := LoadCheckpoint(res.Checkpoint)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(ck.Val); n == 0 || ck.Val[n-1].Step != c.lastEval {
			t.Errorf("cause %v: validation passes %v, want the last at step %d", c.cause, ck.Val, c.lastEval)
		}
	}
}

// A fine-tune validates before its first step, so its curve starts from
// the model it tunes (the figure to beat); a run from scratch does not.
func TestFineTuneValidatesAtStepZero(t *testing.T) {
	cfg := tinyConfig()
	train, val := toyData(cfg, 100, 3), toyData(cfg, 10, 4)
	var res *Result
	var slept, returned time.Time // when the slow sample grid and Run ended
	runEvals := func(o Options) ([]int, []float64) {
		t.Helper()
		var steps []int
		var bits []float64
		var err error
		exports := 0
		res, err = Run(context.Background(), o, train, val, Hooks{
			Eval: func(step int, b float64, _ bool) { steps, bits = append(steps, step), append(bits, b) },
			Samples: func(string, string) error {
				if exports++; exports == 1 && o.InitFrom != "" {
					time.Sleep(time.Second) // a slow sample grid of the model tuned, before any step
					slept = time.Now()
				}
				return nil
			},
		})
		returned = time.Now()
		if err != nil {
			t.Fatal(err)
		}
		return steps, bits
	}
	base := DefaultOptions(cfg)
	base.BatchSize, base.Steps, base.EvalEvery, base.LR, base.DType = 8, 20, 10, 3e-3, "F32"
	base.OutDir = t.TempDir()
	if steps, _ := runEvals(base); !slices.Equal(steps, []int{10, 20}) {
		t.Fatalf("from scratch: validated at steps %v, want [10 20]", steps)
	}
	tuned := base
	tuned.OutDir, tuned.InitFrom, tuned.Steps, tuned.EvalEvery = t.TempDir(), filepath.Join(base.OutDir, "model"), 10, 5
	steps, bits := runEvals(tuned)
	if !slices.Equal(steps, []int{0, 5, 10}) {
		t.Fatalf("fine-tune: validated at steps %v, want [0 5 10]", steps)
	}
	// The pass before the first step is not the steps' time: the budget,
	// the schedule fitted to it and the speed are the steps' own. The
	// steps' clock starts after the pass's one-second sample grid ends (it
	// had been "under a second", which ten steps under -race, beside the
	// other packages' tests, sometimes were not).
	if after := returned.Sub(slept); slept.IsZero() || res.Elapsed > after {
		t.Errorf("the steps took %v, more than the %v from the step-0 pass's end to Run's: the pass's second is included", res.Elapsed, after)
	}
	p, err := LoadModel(filepath.Join(base.OutDir, "model"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModel(p, tuned.BatchSize, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want, err := Evaluate(m, val); err != nil || math.Abs(bits[0]-want) > 1e-4 {
		t.Errorf("step 0: %g bits per token, the model tuned scores %g (%v)", bits[0], want, err)
	}
}

// A fine-tune cancelled (Ctrl+C, a pause) before any pass but its
// starting model's validates once more, so that the model it exports is
// the steps' if they beat the start: it exported the model it started
// from, as the best so far, after 42 of 94 steps of a newcomer's run.
func TestCancelledFineTuneValidatesItsSteps(t *testing.T) {
	cfg := tinyConfig()
	train, val := toyData(cfg, 100, 3), toyData(cfg, 10, 4)
	base := DefaultOptions(cfg)
	base.BatchSize, base.Steps, base.EvalEvery, base.LR, base.DType = 8, 20, 10, 3e-3, "F32"
	base.OutDir = t.TempDir()
	if _, err := Run(context.Background(), base, train, val, Hooks{}); err != nil {
		t.Fatal(err)
	}
	tuned := base
	tuned.OutDir, tuned.InitFrom, tuned.Steps, tuned.EvalEvery, tuned.LR = t.TempDir(), filepath.Join(base.OutDir, "model"), 40, 30, 1e-2
	ctx, cancel := context.WithCancel(context.Background())
	var evals []int
	res, err := Run(ctx, tuned, train, val, Hooks{
		Step: func(s StepInfo) {
			if s.Step == 12 {
				cancel() // a plain cancel, before the pass at step 30
			}
		},
		Eval: func(step int, _ float64, _ bool) { evals = append(evals, step) },
	})
	if err == nil || res == nil || res.Steps != 12 {
		t.Fatalf("%+v, %v", res, err)
	}
	if !slices.Equal(evals, []int{0, 12}) {
		t.Fatalf("validated at steps %v, want [0 12]", evals)
	}
	if res.BestStep != 12 {
		t.Errorf("the best weights are step %d's, want the 12 steps trained (validation %g)", res.BestStep, res.BestVal)
	}
	// A run from scratch cancelled the same way stays quick: no pass.
	evals = nil
	scratch := base
	scratch.OutDir, scratch.Steps, scratch.EvalEvery = t.TempDir(), 40, 30
	ctx, cancel = context.WithCancel(context.Background())
	if _, err := Run(ctx, scratch, train, val, Hooks{
		Step: func(s StepInfo) {
			if s.Step == 12 {
				cancel()
			}
		},
		Eval: func(step int, _ float64, _ bool) { evals = append(evals, step) },
	}); err == nil || len(evals) != 0 {
		t.Errorf("from scratch: %v, validated at %v", err, evals)
	}
}

// With EvalAuto a short schedule validates about eight times, not only at
// its end; a long one keeps EvalEvery apart.
func TestEvalAutoSpacesPasses(t *testing.T) {
	cfg := tinyConfig()
	train, val := toyData(cfg, 60, 5), toyData(cfg, 6, 6)
	o := DefaultOptions(cfg)
	o.BatchSize, o.Steps, o.DType, o.OutDir, o.EvalAuto = 8, 100, "F32", t.TempDir(), true
	var evals []int
	if _, err := Run(context.Background(), o, train, val, Hooks{Eval: func(step int, _ float64, _ bool) { evals = append(evals, step) }}); err != nil {
		t.Fatal(err)
	}
	if want := []int{12, 24, 36, 48, 60, 72, 84, 96, 100}; !slices.Equal(evals, want) {
		t.Errorf("validated at %v, want %v", evals, want)
	}
	r := &run{opt: Options{EvalEvery: 250, EvalAuto: true}, total: 40000}
	if got := r.evalInterval(); got != 250 {
		t.Errorf("a 40,000-step schedule validates every %d steps, want 250", got)
	}
	r.total = 30
	if got := r.evalInterval(); got != 10 {
		t.Errorf("a 30-step schedule validates every %d steps, want 10", got)
	}
	// 38 validation batches of 8 (a pass: about 13 steps' time) keep the
	// passes 51 steps apart: a quarter of the time.
	r.opt.BatchSize, r.val = 8, make([]Example, 300)
	if got := r.evalInterval(); got != 51 {
		t.Errorf("with 38 validation batches: every %d steps, want 51", got)
	}
}

// An --eval-every given on a resume replaces the run's automatic spacing
// (it was only a cap on it: every min(N, total/8) steps).
func TestResumeEvalEveryReplacesAuto(t *testing.T) {
	cfg := tinyConfig()
	train, val := toyData(cfg, 30, 1), toyData(cfg, 6, 2)
	opt := resumeOptions(t.TempDir())
	opt.Steps, opt.EvalEvery, opt.EvalAuto, opt.StopAt = 80, 250, true, 4 // auto: every 10
	if _, err := Run(context.Background(), opt, train, val, Hooks{}); err != nil {
		t.Fatal(err)
	}
	opt.StopAt, opt.Resume, opt.EvalEvery, opt.EvalAuto = 0, true, 30, false
	var evals []int
	if _, err := Run(context.Background(), opt, train, val, Hooks{Eval: func(step int, _ float64, _ bool) { evals = append(evals, step) }}); err != nil {
		t.Fatal(err)
	}
	if want := []int{30, 60, 80}; !slices.Equal(evals, want) {
		t.Errorf("resumed with validation every 30 steps: validated at %v, want %v", evals, want)
	}
}

// TestCancelBeforeTheFirstStepWritesNothing: a run cancelled before its
// first step (Ctrl+C while its data was prepared) returns no result and
// leaves no checkpoint or model, also as a fine-tune (whose starting model
// was exported as its baseline, a copy of the model it tunes); it wrote a
// checkpoint and exported the model, and reported "step 0, loss 0".
func TestCancelBeforeTheFirstStepWritesNothing(t *testing.T) {
	cfg := tinyConfig()
	train, val := toyData(cfg, 30, 1), toyData(cfg, 6, 2)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, fineTune := range []bool{false, true} {
		dir := t.TempDir()
		opt := resumeOptions(dir)
		if fineTune {
			p, err := InitParams(cfg, 9)
			if err != nil {
				t.Fatal(err)
			}
			opt.Init = p
		}
		res, err := Run(ctx, opt, train, val, Hooks{})
		if !errors.Is(err, context.Canceled) || res != nil {
			t.Fatalf("fine-tune %v: %+v, %v", fineTune, res, err)
		}
		for _, name := range []string{CheckpointFile, "model"} {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				t.Errorf("fine-tune %v: %s written", fineTune, name)
			}
		}
	}
}

// TestFewValidationExamplesExportTheLatest: with fewer validation examples
// than MinSelectionExamples, every pass exports the latest weights, also
// when the validation loss rose; with enough, the best pass's are kept,
// unless Options.ExportLatest asks for the latest.
// The validation set is made to get worse as training goes (its codes
// are noise, which a model sure of the training patterns finds ever less
// likely), so the best pass is not the last.
func TestFewValidationExamplesExportTheLatest(t *testing.T) {
	cfg := tinyConfig()
	train := toyData(cfg, 30, 1)
	shifted := func(n int) []Example {
		val := toyData(cfg, n, 2)
		r := rand.New(rand.NewPCG(5, 5))
		for i := range val {
			for j := range val[i].Codes {
				val[i].Codes[j] = int32(r.IntN(cfg.Codes()))
			}
		}
		return val
	}
	for _, c := range []struct {
		n      int
		latest bool
	}{{MinSelectionExamples - 2, false}, {MinSelectionExamples + 4, false}, {MinSelectionExamples + 4, true}} {
		n := c.n
		var passes []ValPoint
		hooks := Hooks{Eval: func(step int, bits float64, _ bool) { passes = append(passes, ValPoint{Step: step, Bits: bits}) }}
		opt := resumeOptions(t.TempDir())
		opt.EmbdDrop, opt.ResidDrop, opt.AttnDrop = 0, 0, 0
		opt.ExportLatest = c.latest
		var progress bytes.Buffer
		opt.Progress = &progress
		res, err := Run(context.Background(), opt, train, shifted(n), hooks)
		if err != nil {
			t.Fatal(err)
		}
		best := slices.MinFunc(passes, func(a, b ValPoint) int { return cmp.Compare(a.Bits, b.Bits) })
		// The progress line says the lowest loss seen and what is kept
		// (it said "best" of the latest weights' loss).
		last := progress.String()[strings.LastIndex(progress.String(), "\r"):]
		wantLine := fmt.Sprintf("val %.3f (best %.3f)", passes[len(passes)-1].Bits, best.Bits)
		if n < MinSelectionExamples || c.latest {
			wantLine = fmt.Sprintf("val %.3f (lowest %.3f; the latest weights are kept)", passes[len(passes)-1].Bits, best.Bits)
		}
		if !strings.Contains(last, wantLine) {
			t.Errorf("%d validation examples, latest asked %v: the last progress line %q lacks %q", n, c.latest, last, wantLine)
		}
		if best.Step == res.Steps {
			t.Fatalf("%d examples: the validation loss fell to the end (%v): the test cannot tell latest from best", n, passes)
		}
		want := best.Step
		if n < MinSelectionExamples || c.latest {
			want = res.Steps
		}
		if res.BestStep != want || res.Latest != (want == res.Steps) || res.LatestAsked != c.latest {
			t.Errorf("%d validation examples, latest asked %v: the weights exported are step %d's, want %d's (passes %v; latest %v, asked %v)", n, c.latest, res.BestStep, want, passes, res.Latest, res.LatestAsked)
		}
		// The checkpoint says so too, for a listing of runs ("last
		// validation" beside its loss, not "best").
		if ck, err := LoadCheckpoint(filepath.Join(opt.OutDir, CheckpointFile)); err != nil || ck.Latest != res.Latest {
			t.Errorf("%d validation examples, latest asked %v: the checkpoint's latest %v, the run's %v (%v)", n, c.latest, ck != nil && ck.Latest, res.Latest, err)
		}
	}
}

// A run whose budget ran out a step or two before the end of its schedule
// takes them (its learning rate anneals to the end), within a tenth of the
// budget over it; not when more is left, or the overrun would be larger.
func TestFinishingTheLastSteps(t *testing.T) {
	budget := time.Minute
	for _, c := range []struct {
		step, total int
		spent       time.Duration
		want        bool
	}{
		{31, 33, 61 * time.Second, true},
		{390, 400, 61 * time.Second, true}, // a twentieth: 20 steps
		{370, 400, 61 * time.Second, false},
		{31, 33, 67 * time.Second, false},
		{10, 33, 61 * time.Second, false},
	} {
		r := &run{step: c.step, total: c.total, start: time.Now().Add(-c.spent)}
		if got := r.finishing(budget); got != c.want {
			t.Errorf("step %d of %d after %s of a minute: finishing %v, want %v", c.step, c.total, c.spent, got, c.want)
		}
		r.opt.Epochs = 4 // a schedule of passes, not fitted to the budget: it stops there
		if r.finishing(budget) {
			t.Errorf("step %d of %d, 4 epochs: finishing past the budget", c.step, c.total)
		}
	}
}

// A fine-tune cancelled during its baseline validation pass (which exports
// the model it tunes) is not "nothing written": it keeps a checkpoint at
// step 0 beside what the pass wrote, so it can be resumed.
func TestCancelDuringTheBaselinePassKeepsACheckpoint(t *testing.T) {
	cfg := tinyConfig()
	train, val := toyData(cfg, 30, 1), toyData(cfg, 10, 2)
	dir := t.TempDir()
	opt := resumeOptions(dir)
	p, err := InitParams(cfg, 9)
	if err != nil {
		t.Fatal(err)
	}
	opt.Init = p
	ctx, cancel := context.WithCancel(context.Background())
	hooks := Hooks{Eval: func(step int, _ float64, _ bool) {
		if step == 0 {
			cancel()
		}
	}}
	res, err := Run(ctx, opt, train, val, hooks)
	if !errors.Is(err, context.Canceled) || res == nil || res.Steps != 0 {
		t.Fatalf("%+v, %v", res, err)
	}
	if _, err := os.Stat(filepath.Join(dir, CheckpointFile)); err != nil {
		t.Fatalf("no checkpoint beside the baseline's export: %v", err)
	}
}
