package train

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/tessera-studio/tessera/engine/model"
)

// TestForwardMatchesReference loads HF's vector1 checkpoint into the trainer's
// parameter buffer and checks the logits and the loss against the reference
// computed by transformers: the trainer trains the model the engine runs.
func TestForwardMatchesReference(t *testing.T) {
	cfg, err := model.LoadConfig("../../testdata/imagegpt/vector1/config.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := LoadWeights(cfg, "../../testdata/imagegpt/vector1/model.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../../testdata/imagegpt/vector1/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		InputIDs []int32     `json:"input_ids"`
		Pixels   []int32     `json:"pixels"`
		Logits   [][]float64 `json:"logits"`
		NLL      float64     `json:"nll_nats"`
	}
	if err := json.Unmarshal(raw, &exp); err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 2} {
		m, err := NewModel(p, 2, workers)
		if err != nil {
			t.Fatal(err)
		}
		// Two copies of the sequence in one batch: batching must not mix them.
		in := append(append([]int32(nil), exp.InputIDs...), exp.InputIDs...)
		if _, err := m.Forward(in, nil, 2, false); err != nil {
			t.Fatal(err)
		}
		logits := m.Logits()
		K := cfg.Codes()
		worst := 0.0
		for b := 0; b < 2; b++ {
			for i, row := range exp.Logits {
				if len(row) != K {
					t.Fatalf("reference row has %d logits, want K=%d", len(row), K)
				}
				for k, want := range row {
					worst = math.Max(worst, math.Abs(float64(logits[(b*len(exp.Logits)+i)*K+k])-want))
				}
			}
		}
		if worst > 2e-4 {
			t.Errorf("workers %d: max |logit − reference| = %.3g, want ≤ 2e-4", workers, worst)
		}
		tg := append(append([]int32(nil), exp.Pixels...), exp.Pixels...)
		loss, err := m.Forward(in, tg, 2, false)
		if err != nil {
			t.Fatal(err)
		}
		want := exp.NLL / float64(len(exp.Pixels))
		if d := math.Abs(loss - want); d > 1e-4 {
			t.Errorf("workers %d: mean NLL %.7f, reference %.7f (diff %.3g)", workers, loss, want, d)
		}
		t.Logf("workers %d: max logit diff %.2g, mean NLL %.6f (reference %.6f)", workers, worst, loss, want)
	}
}

// TestTrainerMatchesEngine builds a random text-conditioned config, saves
// the trainer's random weights as a model folder through the one weight
// table, loads it with the engine and compares the two forward passes'
// logits at every image position.
func TestTrainerMatchesEngine(t *testing.T) {
	cfg := tinyConfig()
	p, err := InitParams(cfg, 11)
	if err != nil {
		t.Fatal(err)
	}
	for i := range p.Data { // larger than the init so differences would show
		p.Data[i] *= 5
	}
	dir := t.TempDir()
	if err := SaveModel(dir, cfg, p, "F32"); err != nil {
		t.Fatal(err)
	}
	em, err := model.Load(dir, model.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	inputs, _ := tinyBatch(cfg, 2, 3)
	inputs = inputs[:cfg.NPositions]
	tm, err := NewModel(p, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tm.Forward(inputs, nil, 1, false); err != nil {
		t.Fatal(err)
	}
	want := tm.Logits() // N × K, for positions L … L+N−1
	ids := make([]int, len(inputs))
	for i, v := range inputs {
		ids[i] = int(v)
	}
	got, err := em.Forward(em.NewExactCache(1), ids, len(ids), model.ForwardOptions{AllLogits: true, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	K, L, N := cfg.Codes(), cfg.PromptLength(), cfg.ImageTokens()
	worst := 0.0
	for i := range N {
		for k := range K {
			worst = math.Max(worst, math.Abs(float64(got[(L+i)*K+k]-want[i*K+k])))
		}
	}
	if worst > 1e-3 {
		t.Fatalf("engine and trainer logits differ by up to %g", worst)
	}
}
