package train

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"testing"
)

// TestAverageWarmsUp: the moving average follows the weights with decay
// min(EMA, (1+t)/(10+t)) at step t, so the first steps weigh the new
// weights heavily (TensorFlow's ExponentialMovingAverage with num_updates).
func TestAverageWarmsUp(t *testing.T) {
	r := &run{opt: Options{EMA: 0.99}, m: &Model{Params: &Params{Data: []float32{0}}}, ema: []float32{0}}
	want := 0.0
	for step := 1; step <= 300; step++ {
		r.step = step
		r.m.Params.Data[0] = float32(step % 7)
		r.average()
		d := math.Min(0.99, float64(1+step)/float64(10+step))
		want = d*want + (1-d)*float64(step%7)
		if math.Abs(float64(r.ema[0])-want) > 1e-4 {
			t.Fatalf("step %d: average %v, want %v", step, r.ema[0], want)
		}
	}
	first := &run{opt: Options{EMA: 0.99}, m: &Model{Params: &Params{Data: []float32{1}}}, ema: []float32{0}, step: 1}
	first.average()
	if got := first.ema[0]; math.Abs(float64(got)-9.0/11) > 1e-6 { // decay 2/11 at step 1
		t.Fatalf("after step 1 the average is %v, want 9/11 of the way to the weights", got)
	}
	off := &run{m: &Model{Params: &Params{Data: []float32{5}}}}
	off.average()
	if got := off.weights(); len(got) != 1 || got[0] != 5 {
		t.Fatalf("without an average the run's weights are its current ones, got %v", got)
	}
}

// TestEMAExportedAndResumedExactly: a run with EMA exports the average, not
// the current weights, keeps it in its checkpoint, and an interrupted and
// resumed run ends with the straight run's average bit for bit; its
// validation passes score the average (the current weights are put back).
func TestEMAExportedAndResumedExactly(t *testing.T) {
	cfg := tinyConfig()
	train, val := toyData(cfg, 30, 1), toyData(cfg, 6, 2)
	opts := func(dir string) Options {
		o := resumeOptions(dir)
		o.EMA = 0.9
		return o
	}
	dirA, dirB := t.TempDir(), t.TempDir()
	if _, err := Run(context.Background(), opts(dirA), train, val, Hooks{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := Run(ctx, opts(dirB), train, val, Hooks{Step: func(s StepInfo) {
		if s.Step == 10 {
			cancel()
		}
	}}); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	o := opts(dirB)
	o.Resume = true
	if _, err := Run(context.Background(), o, train, val, Hooks{}); err != nil {
		t.Fatal(err)
	}
	a, b := mustCheckpoint(t, dirA), mustCheckpoint(t, dirB)
	if a.EMA == nil || len(a.EMA) != len(a.Params.Data) {
		t.Fatalf("the checkpoint keeps no average (%d values)", len(a.EMA))
	}
	differs := false
	for i := range a.EMA {
		if a.EMA[i] != b.EMA[i] || a.Params.Data[i] != b.Params.Data[i] {
			t.Fatalf("value %d: straight average %v weights %v, resumed %v %v", i, a.EMA[i], a.Params.Data[i], b.EMA[i], b.Params.Data[i])
		}
		differs = differs || a.EMA[i] != a.Params.Data[i]
	}
	if !differs {
		t.Fatal("the average equals the current weights: it averages nothing")
	}
	// The best weights are an average: the last pass's (step 20) when it
	// was the best, and what the validation pass scored.
	bits, err := Evaluate(modelOf(t, a.Best, a), val)
	if err != nil || math.Abs(bits-a.BestVal) > 1e-9 {
		t.Fatalf("the best weights score %v bits, the run recorded %v (%v)", bits, a.BestVal, err)
	}
	if a.BestStep != 20 {
		t.Fatalf("the best pass is step %d's: the check below wants the last one (step 20)", a.BestStep)
	}
	for i := range a.Best {
		if a.Best[i] != a.EMA[i] {
			t.Fatalf("best weights of step 20 are not the average at step 20 (value %d: %v vs %v)", i, a.Best[i], a.EMA[i])
		}
	}
	exported, err := LoadWeights(cfg, filepath.Join(dirA, "model", "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range exported.Data {
		if exported.Data[i] != a.Best[i] {
			t.Fatalf("exported value %d is %v, the best average %v", i, exported.Data[i], a.Best[i])
		}
	}
}

// modelOf is a batch-4 model on weights w of checkpoint ck's layout.
func modelOf(t *testing.T, w []float32, ck *Checkpoint) *Model {
	t.Helper()
	p := &Params{Config: ck.Config, Data: w, Tensors: ck.Params.Tensors}
	m, err := NewModel(p, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A run resumed with an average it did not keep starts one from the
// weights it resumes (and keeps it in its checkpoint); resumed without
// one, it drops the average it kept.
func TestResumeStartsOrDropsTheAverage(t *testing.T) {
	cfg := tinyConfig()
	train, val := toyData(cfg, 30, 1), toyData(cfg, 6, 2)
	dir := t.TempDir()
	o := resumeOptions(dir)
	o.StopAt = 10
	if _, err := Run(context.Background(), o, train, val, Hooks{}); err != nil {
		t.Fatal(err)
	}
	ck, err := LoadCheckpoint(filepath.Join(dir, CheckpointFile))
	if err != nil || ck.EMA != nil {
		t.Fatalf("a run without --ema keeps an average (%v)", err)
	}
	o.StopAt, o.Resume, o.EMA = 15, true, 0.9
	if _, err := Run(context.Background(), o, train, val, Hooks{}); err != nil {
		t.Fatal(err)
	}
	ck, err = LoadCheckpoint(filepath.Join(dir, CheckpointFile))
	if err != nil || ck.EMA == nil || ck.Options.EMA != 0.9 {
		t.Fatalf("resumed with an average: none kept (options %v, %v)", ck.Options.EMA, err)
	}
	o.StopAt, o.EMA = 0, 0
	if _, err := Run(context.Background(), o, train, val, Hooks{}); err != nil {
		t.Fatal(err)
	}
	ck, err = LoadCheckpoint(filepath.Join(dir, CheckpointFile))
	if err != nil || ck.EMA != nil || ck.Step != 20 {
		t.Fatalf("resumed without the average: still kept at step %d (%v)", ck.Step, err)
	}
}

// mustCheckpoint is the checkpoint of the run in dir.
func mustCheckpoint(t *testing.T, dir string) *Checkpoint {
	t.Helper()
	ck, err := LoadCheckpoint(filepath.Join(dir, CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	return ck
}
