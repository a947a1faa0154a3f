package train

import (
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/tessera-studio/tessera/engine/blas"
	"github.com/tessera-studio/tessera/engine/model"
)

// referenceConfig is the benchmark model: width 256, 4 layers, 8 heads,
// K=1024 codes, 17 prompt slots over 1000 prompt words, 8×8 patches (81
// tokens).
func referenceConfig() model.Config { return benchConfig("bench", 256, 4, 8, 1000, 17) }

// benchConfig is a model of 1,024 codes on an 8×8 grid of 4-px patches,
// width × layers with heads, reading prompts of up to promptLength of
// words words (PAD included).
func benchConfig(name string, width, layers, heads, words, promptLength int) model.Config {
	c := model.DefaultConfig()
	c.NEmbd, c.NLayer, c.NHead = width, layers, heads
	vocab := make([]string, words)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("w%d", i)
	}
	vocab[0] = "<pad>"
	c.Tessera = &model.Ext{Name: name, PatchSize: 4, Grid: [2]int{8, 8}, PromptLength: promptLength, PromptVocab: vocab}
	c.VocabSize = 1024 + len(vocab) + 1
	c.NPositions = promptLength + 64
	return c
}

// stepFlops is the work of one training step on b sequences: 6 × matmul
// weights × tokens (lm_head on the image tokens only) plus the attention
// products, 12 · n_layer · n_embd · T per token (full T×T, as computed).
func stepFlops(cfg model.Config, b int) float64 {
	d, f, T, N, K := float64(cfg.NEmbd), float64(cfg.Inner()), float64(cfg.NPositions), float64(cfg.ImageTokens()), float64(cfg.Codes())
	L := float64(cfg.NLayer)
	perLayer := d*3*d + d*d + d*f + f*d
	tok := float64(b) * T
	return 6*L*perLayer*tok + 6*K*d*float64(b)*N + 12*L*d*T*tok
}

func benchExamples(cfg model.Config, n int) []Example {
	r := rand.New(rand.NewPCG(1, 1))
	K, L, N, W := cfg.Codes(), cfg.PromptLength(), cfg.ImageTokens(), cfg.PromptWords()
	xs := make([]Example, n)
	for i := range xs {
		xs[i].Prompt = make([]int32, r.IntN(L+1))
		for j := range xs[i].Prompt {
			xs[i].Prompt[j] = int32(K + 1 + r.IntN(W-1))
		}
		xs[i].Codes = make([]int32, N)
		for j := range xs[i].Codes {
			xs[i].Codes[j] = int32(r.IntN(K))
		}
	}
	return xs
}

// BenchmarkTrainStep times whole training steps (batching, forward,
// backward, clipping, AdamW) of the reference configuration at batch 32 with
// the default dropout. Between steps it measures the 2-core OpenBLAS sgemm
// rate (a 1024³ product with OpenBLAS's own two threads, then a pause so its
// spinning threads settle), so both rates see the same machine; on a shared
// machine the medians are the figures to read. Metrics: tokens/s and GFLOP/s
// over all steps, the same from the median step, the median sgemm rate and
// the median step's share of it.
func BenchmarkTrainStep(b *testing.B) {
	cfg := referenceConfig()
	opt := DefaultOptions(cfg).withDefaults()
	opt.Workers = 2
	params, err := InitParams(cfg, 1)
	if err != nil {
		b.Fatal(err)
	}
	m, err := NewModel(params, opt.BatchSize, opt.Workers)
	if err != nil {
		b.Fatal(err)
	}
	adam := NewAdamW(len(params.Data), opt.Beta1, opt.Beta2, opt.AdamEps)
	xs := benchExamples(cfg, 256)
	ld := newLoader(len(xs), 1)
	B, T := opt.BatchSize, cfg.NPositions
	in, tg := make([]int32, B*T), make([]int32, B*cfg.ImageTokens())
	step := func(i int) time.Duration {
		t0 := time.Now()
		ld.batch(cfg, xs, B, opt.PromptDrop, opt.SourceDrop, in, tg)
		if _, _, err := trainStep(m, adam, &opt, i, 1e-4, in, tg); err != nil {
			b.Fatal(err)
		}
		return time.Since(t0)
	}
	const n = 1024
	sa, sb, sc := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
	for i := range sa {
		sa[i], sb[i] = float32(i%13)*0.1, float32(i%7)*0.1
	}
	probe := func() float64 {
		var rate float64
		blas.WithThreads(2, func() {
			t0 := time.Now()
			const reps = 6
			for r := 0; r < reps; r++ {
				blas.Gemm(false, false, n, n, n, 1, sa, n, sb, n, 0, sc, n)
			}
			rate = 2 * n * n * n * reps / time.Since(t0).Seconds() / 1e9
		})
		time.Sleep(150 * time.Millisecond) // OpenBLAS's idle threads spin ~0.1 s
		return rate
	}
	step(0) // first touch of the activations
	probe()
	var steps []time.Duration
	var rates []float64
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := step(i + 1)
		total += d
		steps = append(steps, d)
		b.StopTimer()
		rates = append(rates, probe())
		b.StartTimer()
	}
	b.StopTimer()
	sort.Slice(steps, func(i, j int) bool { return steps[i] < steps[j] })
	sort.Float64s(rates)
	med := steps[len(steps)/2].Seconds()
	sgemm := rates[len(rates)/2]
	flops := stepFlops(cfg, B)
	b.ReportMetric(float64(b.N*B*T)/total.Seconds(), "tokens/s")
	b.ReportMetric(flops*float64(b.N)/total.Seconds()/1e9, "GFLOP/s")
	b.ReportMetric(float64(B*T)/med, "median-tokens/s")
	b.ReportMetric(flops/med/1e9, "median-GFLOP/s")
	b.ReportMetric(sgemm, "sgemm-GFLOP/s")
	b.ReportMetric(100*flops/med/1e9/sgemm, "%sgemm")
}

// shapesConfig is the shapes preset's model (trainjob.Preset("shapes")):
// 4 layers × 48 wide, 4 heads, 1,024 codes, 8×8 patches, prompts of up to
// 5 of 17 words.
func shapesConfig() model.Config { return benchConfig("shapes", 48, 4, 4, 17, 5) }

// TestProfileTrainStep prints where a reference training step spends its
// time (run with TESSERA_PROFILE=1; TESSERA_PROFILE=shapes times the shapes
// preset's model, without dropout, as it trains).
func TestProfileTrainStep(t *testing.T) {
	if os.Getenv("TESSERA_PROFILE") == "" {
		t.Skip("set TESSERA_PROFILE=1")
	}
	cfg := referenceConfig()
	if os.Getenv("TESSERA_PROFILE") == "shapes" {
		cfg = shapesConfig()
	}
	opt := DefaultOptions(cfg).withDefaults()
	if os.Getenv("TESSERA_PROFILE") == "shapes" {
		opt.EmbdDrop, opt.ResidDrop, opt.AttnDrop = 0, 0, 0
	}
	opt.Workers = 2
	params, _ := InitParams(cfg, 1)
	m, _ := NewModel(params, opt.BatchSize, opt.Workers)
	m.p.whole = os.Getenv("TESSERA_SPLIT") == "0"
	adam := NewAdamW(len(params.Data), opt.Beta1, opt.Beta2, opt.AdamEps)
	xs := benchExamples(cfg, 256)
	ld := newLoader(len(xs), 1)
	B, T := opt.BatchSize, cfg.NPositions
	in, tg := make([]int32, B*T), make([]int32, B*cfg.ImageTokens())
	const steps = 10
	var total time.Duration
	for i := 0; i <= steps; i++ {
		if i == 1 {
			m.timing = map[string]time.Duration{}
			total = 0
		}
		t0 := time.Now()
		ld.batch(cfg, xs, B, opt.PromptDrop, opt.SourceDrop, in, tg)
		m.SetDropout(float32(opt.EmbdDrop), float32(opt.ResidDrop), float32(opt.AttnDrop), opt.Seed, i)
		m.Forward(in, tg, B, true)
		t1 := time.Now()
		m.ZeroGrad()
		if m.timing != nil {
			m.timing["zerograd"] += time.Since(t1)
		}
		m.Backward()
		t2 := time.Now()
		n := gradNorm(m.p, m.Grads.Data)
		t3 := time.Now()
		adam.Step(m.p, m.Params.Data, m.Grads.Data, m.Params.Tensors, 1e-4, 0.1, float32(1/max(n, 1)))
		t4 := time.Now()
		if m.timing != nil {
			m.timing["gradnorm"] += t3.Sub(t2)
			m.timing["adamw"] += t4.Sub(t3)
		}
		total += time.Since(t0)
	}
	var sum time.Duration
	for _, v := range m.timing {
		sum += v
	}
	names := make([]string, 0, len(m.timing))
	for k := range m.timing {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return m.timing[names[i]] > m.timing[names[j]] })
	for _, k := range names {
		t.Logf("%-14s %7.1f ms/step", k, m.timing[k].Seconds()*1000/steps)
	}
	t.Logf("%-14s %7.1f ms/step (timed ops %.1f ms)", "total", total.Seconds()*1000/steps, sum.Seconds()*1000/steps)
	t.Logf("tokens/s %.0f, GFLOP/s %.1f", float64(steps*B*T)/total.Seconds(), stepFlops(cfg, B)*steps/total.Seconds()/1e9)
}
