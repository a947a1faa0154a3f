package model

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/safetensors"
)

// vectorsDir holds the HF ImageGPT reference checkpoints copied from ../shared.
const vectorsDir = "../../testdata/imagegpt"

type expected struct {
	InputIDs         []int         `json:"input_ids"`
	Pixels           []int         `json:"pixels"`
	Logits           [][]float64   `json:"logits"`
	LogSoftmax       [][]float64   `json:"log_softmax"`
	TargetLogprob    []float64     `json:"target_logprob"`
	NLLNats          float64       `json:"nll_nats"`
	BitsPerPixel     float64       `json:"bits_per_pixel"`
	Embeddings       [][]float64   `json:"embeddings"`
	BlockOutputs     [][][]float64 `json:"block_outputs"`
	FinalHidden      [][]float64   `json:"final_hidden"`
	GreedyFromSOS    []int         `json:"greedy_from_sos"`
	CompletionPrompt []int         `json:"completion_prompt"`
	CompletionGreedy []int         `json:"completion_greedy"`
}

func loadVector(t *testing.T, name string) (*Model, expected) {
	t.Helper()
	dir := filepath.Join(vectorsDir, name)
	m, err := Load(dir, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e expected
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatal(err)
	}
	return m, e
}

func maxDiff(t *testing.T, what string, got []float32, want [][]float64) float64 {
	t.Helper()
	cols := len(want[0])
	if len(got) != len(want)*cols {
		t.Fatalf("%s: got %d values, want %d", what, len(got), len(want)*cols)
	}
	worst := 0.0
	for i, row := range want {
		for j, w := range row {
			worst = math.Max(worst, math.Abs(float64(got[i*cols+j])-w))
		}
	}
	return worst
}

var vectors = []string{"vector1", "vector1_f16", "vector2"}

func TestMatchesReferenceVectors(t *testing.T) {
	for _, name := range vectors {
		t.Run(name, func(t *testing.T) {
			m, e := loadVector(t, name)
			var emb, final []float32
			blocks := map[int][]float32{}
			kc := m.NewCache(1)
			logits, err := m.Forward(kc, e.InputIDs, len(e.InputIDs), ForwardOptions{
				AllLogits: true,
				Trace: func(stage string, l int, h []float32) {
					cp := append([]float32(nil), h...)
					switch stage {
					case "embeddings":
						emb = cp
					case "block":
						blocks[l] = cp
					case "final":
						final = cp
					}
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			const tol = 2e-4
			check := func(what string, got []float32, want [][]float64) {
				if d := maxDiff(t, what, got, want); d > tol {
					t.Errorf("%s: max abs diff %.3g > %g", what, d, tol)
				}
			}
			check("logits", logits, e.Logits)
			check("embeddings", emb, e.Embeddings)
			for l, want := range e.BlockOutputs {
				check("block output "+string(rune('0'+l)), blocks[l], want)
			}
			check("final hidden", final, e.FinalHidden)

			K := m.Config.Codes()
			nll := 0.0
			for i, px := range e.Pixels {
				lp := LogSoftmaxAt(logits[i*K:(i+1)*K], px)
				if d := math.Abs(lp - e.TargetLogprob[i]); d > tol {
					t.Errorf("target logprob %d: %v vs %v", i, lp, e.TargetLogprob[i])
				}
				nll -= lp
			}
			if math.Abs(nll-e.NLLNats) > 1e-3 {
				t.Errorf("nll %v, want %v", nll, e.NLLNats)
			}
			bpp := nll / float64(len(e.Pixels)) / math.Ln2
			if math.Abs(bpp-e.BitsPerPixel) > 1e-4 {
				t.Errorf("bits per pixel %v, want %v", bpp, e.BitsPerPixel)
			}
		})
	}
}

func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// greedy decodes steps tokens after prefix with the KV cache, one token per step.
func greedy(t *testing.T, m *Model, prefix []int, steps int) []int {
	t.Helper()
	kc := m.NewCache(1)
	logits, err := m.Forward(kc, prefix, len(prefix), ForwardOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for len(out) < steps {
		next := argmax(logits)
		out = append(out, next)
		if len(out) == steps {
			break
		}
		if logits, err = m.Forward(kc, []int{next}, 1, ForwardOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestGreedyDecodesMatch(t *testing.T) {
	for _, name := range vectors {
		t.Run(name, func(t *testing.T) {
			m, e := loadVector(t, name)
			got := greedy(t, m, []int{m.Config.SOS()}, len(e.GreedyFromSOS))
			if !equalInts(got, e.GreedyFromSOS) {
				t.Errorf("greedy from SOS\n got %v\nwant %v", got, e.GreedyFromSOS)
			}
			got = greedy(t, m, e.CompletionPrompt, len(e.CompletionGreedy))
			if !equalInts(got, e.CompletionGreedy) {
				t.Errorf("completion\n got %v\nwant %v", got, e.CompletionGreedy)
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// LogitsFrom leaves out each sequence's first positions' logits and gives
// the others (to float32 rounding: the products see fewer rows); it must be below the new positions.
func TestLogitsFromSkipsTheFirstPositions(t *testing.T) {
	m, e := loadVector(t, "vector2")
	T := len(e.InputIDs)
	K := m.Config.Codes()
	ids := append(append([]int(nil), e.InputIDs...), e.InputIDs...)
	full, err := m.Forward(m.NewExactCache(2), ids, T, ForwardOptions{AllLogits: true})
	if err != nil {
		t.Fatal(err)
	}
	full = append([]float32(nil), full...)
	const from = 5
	got, err := m.Forward(m.NewExactCache(2), ids, T, ForwardOptions{AllLogits: true, LogitsFrom: from})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2*(T-from)*K {
		t.Fatalf("%d logits, want %d", len(got), 2*(T-from)*K)
	}
	for b := 0; b < 2; b++ {
		for i := from; i < T; i++ {
			for k := 0; k < K; k++ {
				if g, w := got[(b*(T-from)+i-from)*K+k], full[(b*T+i)*K+k]; math.Abs(float64(g-w)) > 1e-5 {
					t.Fatalf("seq %d pos %d code %d: %v, without LogitsFrom %v", b, i, k, g, w)
				}
			}
		}
	}
	for _, bad := range []int{-1, T} {
		if _, err := m.Forward(m.NewExactCache(2), ids, T, ForwardOptions{AllLogits: true, LogitsFrom: bad}); err == nil {
			t.Errorf("LogitsFrom %d of %d taken", bad, T)
		}
	}
}

// TestIncrementalMatchesFullBatched checks that token-by-token decoding with
// the KV cache and chunked prefill give the logits of one full pass, for a
// batch of different sequences.
func TestIncrementalMatchesFullBatched(t *testing.T) {
	m, e := loadVector(t, "vector2")
	T := len(e.InputIDs)
	K := m.Config.Codes()
	seqs := [][]int{e.InputIDs, append([]int{m.Config.SOS()}, e.GreedyFromSOS[:T-1]...)}
	ids := append(append([]int(nil), seqs[0]...), seqs[1]...)
	full, err := m.Forward(m.NewCache(2), ids, T, ForwardOptions{AllLogits: true})
	if err != nil {
		t.Fatal(err)
	}
	full = append([]float32(nil), full...)
	// Chunks of 5 positions then single steps.
	kc := m.NewCache(2)
	pos := 0
	for pos < T {
		n := 1
		if pos < 10 {
			n = 5
		}
		step := make([]int, 0, 2*n)
		step = append(step, seqs[0][pos:pos+n]...)
		step = append(step, seqs[1][pos:pos+n]...)
		got, err := m.Forward(kc, step, n, ForwardOptions{AllLogits: true, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		for b := 0; b < 2; b++ {
			for i := 0; i < n; i++ {
				for k := 0; k < K; k++ {
					g := got[(b*n+i)*K+k]
					w := full[(b*T+pos+i)*K+k]
					if math.Abs(float64(g-w)) > 1e-4 {
						t.Fatalf("seq %d pos %d code %d: incremental %v, full %v", b, pos+i, k, g, w)
					}
				}
			}
		}
		pos += n
	}
}

func TestForwardRejectsBadInput(t *testing.T) {
	m, _ := loadVector(t, "vector1")
	kc := m.NewCache(1)
	if _, err := m.Forward(kc, []int{99}, 1, ForwardOptions{}); err == nil || !strings.Contains(err.Error(), "vocabulary") {
		t.Errorf("out-of-vocabulary id: err = %v", err)
	}
	long := make([]int, m.Config.NPositions+1)
	if _, err := m.Forward(kc, long, len(long), ForwardOptions{}); err == nil || !strings.Contains(err.Error(), "context") {
		t.Errorf("too long: err = %v", err)
	}
}

func TestLoadErrorsNameTheProblem(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(vectorsDir, "vector1")
	cfg, _ := os.ReadFile(filepath.Join(src, ConfigFile))
	weights, _ := os.ReadFile(filepath.Join(src, WeightsFile))
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Wrong shape: config says n_embd 64 but the weights are 32 wide.
	write(ConfigFile, []byte(strings.Replace(string(cfg), `"n_embd": 32`, `"n_embd": 64`, 1)))
	write(WeightsFile, weights)
	if _, err := Load(dir, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "shape") {
		t.Errorf("wrong shape: err = %v", err)
	}
	// Truncated weights.
	write(ConfigFile, cfg)
	write(WeightsFile, weights[:len(weights)/2])
	if _, err := Load(dir, LoadOptions{}); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("truncated: err = %v", err)
	}
	// Not enough memory.
	write(WeightsFile, weights)
	if _, err := Load(dir, LoadOptions{AvailableMemory: 1000}); err == nil || !strings.Contains(err.Error(), "needs about") {
		t.Errorf("memory: err = %v", err)
	}
	// A NaN or an infinity in a weight (a diverged training run writes
	// them): the error names the tensor and the value.
	f, err := safetensors.Parse("vector1", weights)
	if err != nil {
		t.Fatal(err)
	}
	ti := f.Tensors["transformer.wte.weight"]
	if ti.DType != "F32" {
		t.Fatalf("vector1's wte is %s, the test writes F32 values", ti.DType)
	}
	hdr := 8 + int64(binary.LittleEndian.Uint64(weights[:8])) // where the data buffer starts
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(-1))} {
		broken := append([]byte(nil), weights...)
		binary.LittleEndian.PutUint32(broken[hdr+ti.Begin+4*5:], math.Float32bits(bad))
		write(WeightsFile, broken)
		if _, err := Load(dir, LoadOptions{}); err == nil || !strings.Contains(err.Error(), `"transformer.wte.weight" holds `+fmt.Sprint(bad)+" at index 5") {
			t.Errorf("%v in a weight: err = %v", bad, err)
		}
	}
	// A config of many more weights than the file holds is refused before
	// the model is allocated.
	write(ConfigFile, []byte(strings.Replace(string(cfg), `"n_layer": 2`, `"n_layer": 1000`, 1)))
	write(WeightsFile, weights)
	if _, err := Load(dir, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "too few for the") {
		t.Errorf("a config larger than its weights: err = %v", err)
	}
	// A config of fewer layers than the weights hold (the rest would be
	// left unread and the picture drawn by the first layers alone) is
	// refused, naming a tensor of the block past it.
	write(ConfigFile, []byte(strings.Replace(string(cfg), `"n_layer": 2`, `"n_layer": 1`, 1)))
	if _, err := Load(dir, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "transformer.h.1.") || !strings.Contains(err.Error(), "n_layer") {
		t.Errorf("a config of fewer layers than its weights: err = %v", err)
	}
	if _, err := Parse("vector1", []byte(strings.Replace(string(cfg), `"n_layer": 2`, `"n_layer": 1`, 1)), weights); err == nil || !strings.Contains(err.Error(), "transformer.h.1.") {
		t.Errorf("an embedded model of fewer layers than its weights: err = %v", err)
	}
	// A config of more layers than the weights hold says both counts (it
	// said that the first block past them was not found).
	write(ConfigFile, []byte(strings.Replace(string(cfg), `"n_layer": 2`, `"n_layer": 3`, 1)))
	if _, err := Load(dir, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "config.json and model.safetensors disagree: the config has 3 layers (n_layer), the weights 2") {
		t.Errorf("a config of more layers than its weights: err = %v", err)
	}
	if _, err := Parse("vector1", []byte(strings.Replace(string(cfg), `"n_layer": 2`, `"n_layer": 3`, 1)), weights); err == nil || !strings.Contains(err.Error(), "the config has 3 layers (n_layer), the weights 2") {
		t.Errorf("an embedded model of more layers than its weights: err = %v", err)
	}
	// Weights that are no safetensors file (random bytes) are said to be
	// none, with their path (it said "header length … exceeds maximum").
	write(ConfigFile, cfg)
	write(WeightsFile, []byte("\xa6\x1f\x93\x5c\x0e\x71\x44\xd4 random bytes"))
	if _, err := Load(dir, LoadOptions{}); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, WeightsFile)+": not a safetensors file, or a damaged one") {
		t.Errorf("random bytes for weights: err = %v", err)
	}
	write(WeightsFile, weights)
	// Broken config.
	write(ConfigFile, []byte("{"))
	if _, err := Load(dir, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "config") {
		t.Errorf("broken config: err = %v", err)
	}
}

// TestLoadSaysWhatACheckpointIsNot: weights Image GPT has no place for are
// left out and named (transformers warns of them; they were dropped without
// a word), the attention's mask buffers aside; tie_word_embeddings, an
// ImageGPTModel's unprefixed tensors, sharded weights and a pickle are
// refused, each saying what it is.
func TestLoadSaysWhatACheckpointIsNot(t *testing.T) {
	src := filepath.Join(vectorsDir, "vector1")
	cfg, _ := os.ReadFile(filepath.Join(src, ConfigFile))
	f, err := safetensors.Open(filepath.Join(src, WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	var tensors []safetensors.Tensor
	for _, name := range f.Names() {
		x, err := f.Float32(name)
		if err != nil {
			t.Fatal(err)
		}
		tensors = append(tensors, safetensors.Tensor{Name: name, DType: "F32", Shape: f.Tensors[name].Shape, Data: x})
	}
	folder := func(cfg []byte, ts []safetensors.Tensor, name string) string {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, ConfigFile), cfg, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := safetensors.Write(filepath.Join(dir, name), ts, nil); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	extra := append(slices.Clone(tensors),
		safetensors.Tensor{Name: "lm_head.bias", DType: "F32", Shape: []int{16}, Data: make([]float32, 16)},
		safetensors.Tensor{Name: "transformer.h.0.attn.masked_bias", DType: "F32", Shape: []int{1}, Data: []float32{-1e4}})
	m, err := Load(folder(cfg, extra, WeightsFile), LoadOptions{})
	if err != nil || !slices.Equal(m.Unused, []string{"lm_head.bias"}) {
		t.Fatalf("unused tensors %v, %v", m, err)
	}
	if m, err := Load(src, LoadOptions{}); err != nil || len(m.Unused) != 0 {
		t.Fatalf("the reference checkpoint: unused %v, %v", m.Unused, err)
	}
	var bare []safetensors.Tensor
	for _, t := range tensors {
		if n, ok := strings.CutPrefix(t.Name, "transformer."); ok {
			t.Name = n
			bare = append(bare, t)
		}
	}
	tied := []byte(strings.Replace(string(cfg), `"tie_word_embeddings": false`, `"tie_word_embeddings": true`, 1))
	for _, c := range []struct {
		dir, want string
	}{
		{folder(tied, tensors, WeightsFile), "tie_word_embeddings is true"},
		{folder(cfg, bare, WeightsFile), "an ImageGPTModel's tensors"},
		{folder(cfg, tensors, "model-00001-of-00002.safetensors"), "no " + WeightsFile},
		{folder(cfg, tensors, "pytorch_model.bin"), "a pickle, which Tessera never loads"},
	} {
		if strings.Contains(c.want, "no "+WeightsFile) {
			if err := os.WriteFile(filepath.Join(c.dir, WeightsFile+".index.json"), []byte("{}"), 0o644); err != nil {
				t.Fatal(err)
			}
			c.want = "its weights are sharded"
		}
		if _, err := Load(c.dir, LoadOptions{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.want, err)
		}
	}
}

func TestGatherContinuesPrefix(t *testing.T) {
	m, e := loadVector(t, "vector1")
	T := len(e.InputIDs)
	full, err := m.Forward(m.NewCache(1), e.InputIDs, T, ForwardOptions{AllLogits: true})
	if err != nil {
		t.Fatal(err)
	}
	want := append([]float32(nil), full[(T-1)*m.Config.Codes():]...)
	kc := m.NewCache(1)
	if _, err := m.Forward(kc, e.InputIDs[:T-1], T-1, ForwardOptions{}); err != nil {
		t.Fatal(err)
	}
	three := kc.Gather([]int{0, 0, 0})
	last := e.InputIDs[T-1]
	got, err := m.Forward(three, []int{last, last, last}, 1, ForwardOptions{})
	if err != nil {
		t.Fatal(err)
	}
	K := m.Config.Codes()
	for b := 0; b < 3; b++ {
		for k := 0; k < K; k++ {
			if math.Abs(float64(got[b*K+k]-want[k])) > 1e-5 {
				t.Fatalf("row %d code %d: %v, want %v", b, k, got[b*K+k], want[k])
			}
		}
	}
}
