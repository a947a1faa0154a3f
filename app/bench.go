package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/tessera-studio/tessera/engine/blas"
	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/sampler"
)

// benchReport is tessera bench's result; the JSON names are a contract.
type benchReport struct {
	Model                   string  `json:"model"`
	Params                  int64   `json:"params"`
	Tokens                  int     `json:"tokens_per_image"`
	Threads                 int     `json:"threads"`
	Precision               string  `json:"precision"`
	LoadS                   float64 `json:"load_s"`
	Batch1TokensPerS        float64 `json:"batch1_tokens_per_s"`
	Batch8TokensPerS        float64 `json:"batch8_tokens_per_s"`
	StreamBoundTokensPerS   float64 `json:"stream_bound_tokens_per_s"`
	Batch8StreamBoundTokens float64 `json:"batch8_stream_bound_tokens_per_s"`
	MemoryGBPerS            float64 `json:"memory_gb_per_s"`
	SgemmGFLOPS             float64 `json:"sgemm_gflops"`
}

// randomBundle builds a random model of a named shape with a random palette.
func randomBundle(shape string) (*bundle.Bundle, error) {
	var c model.Config
	switch shape {
	case "small":
		c = model.SmallConfig()
	default:
		return nil, usageError{fmt.Sprintf("unknown --random shape %q (small = imagegpt-small)", shape)}
	}
	m, err := model.Random(c, 1)
	if err != nil {
		return nil, err
	}
	entries := make([]float32, c.Codes()*3)
	for i := range entries {
		entries[i] = float32(i%255)/127.5 - 1
	}
	cb, err := codebook.New(1, entries)
	if err != nil {
		return nil, err
	}
	return bundle.FromParts("random-"+shape, "random:"+shape, m, cb)
}

func runBench(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "bench", "[--model M | --random small] [--json]")
	modelName := fs.String("model", "", "built-in model name or model folder")
	random := fs.String("random", "", "bench a random model of this shape instead (small = OpenAI imagegpt-small, 76.7M parameters)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	threads := fs.Int("threads", runtime.NumCPU(), "worker threads")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the sampling runs to this file (for go tool pprof)")
	only := fs.Int("batch", 0, "time only this batch size (1 or 8; 0 = both)")
	precision := fs.String("precision", "f16", "sampling arithmetic: f16 (half-precision weights and KV cache) or f32; the streaming bound counts the bytes of the precision used")
	if _, err := parseFlags(fs, args); err != nil {
		return helpOr(fs, err)
	}
	log := env.Stderr
	start := time.Now()
	var b *bundle.Bundle
	var err error
	halfPrec, err := halfPrecision(*precision)
	if err != nil {
		return err
	}
	if *random != "" {
		b, err = randomBundle(*random)
		if err == nil && halfPrec {
			b.Model.EnableHalf()
		}
	} else {
		b, err = openModel(env.Stderr, *modelName, *precision)
	}
	if err != nil {
		return err
	}
	bytesPer := 4
	if halfPrec {
		bytesPer = 2
	}
	c := b.Model.Config
	r := benchReport{Model: b.Name, Params: c.Params(), Tokens: b.ImageTokens(), Threads: *threads, Precision: map[bool]string{true: "f16", false: "f32"}[halfPrec], LoadS: time.Since(start).Seconds()}
	fmt.Fprintf(log, "model %s: %d parameters, %d tokens an image, loaded in %.3f s\n", b.Name, r.Params, r.Tokens, r.LoadS)

	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	for _, batch := range []int{1, 8} {
		if *only != 0 && batch != *only {
			continue
		}
		opt := sampler.Defaults()
		opt.Batch, opt.Workers, opt.Seed = batch, *threads, 1
		if b.Conditional() {
			opt.Prompt = ""
		}
		res, err := sampler.Generate(ctx, b, opt, nil)
		if err != nil {
			return err
		}
		if res.Stopped {
			return fmt.Errorf("interrupted")
		}
		rate := float64(batch*b.ImageTokens()) / res.Elapsed.Seconds()
		fmt.Fprintf(log, "batch %d: %d tokens in %.2f s = %.1f tokens/s\n", batch, batch*b.ImageTokens(), res.Elapsed.Seconds(), rate)
		if batch == 1 {
			r.Batch1TokensPerS = rate
		} else {
			r.Batch8TokensPerS = rate
		}
	}
	if *profile != "" {
		pprof.StopCPUProfile()
	}
	// The machine's limits are measured after sampling: OpenBLAS's threads
	// from the sgemm run and the bandwidth buffer would otherwise linger
	// while the engine samples.
	r.SgemmGFLOPS = measureSgemm(*threads)
	fmt.Fprintf(log, "sgemm (OpenBLAS, %d threads): %.1f GFLOP/s\n", *threads, r.SgemmGFLOPS)
	bw := measureBandwidth(*threads)
	r.MemoryGBPerS = bw / 1e9
	r.StreamBoundTokensPerS = streamBound(c, 1, bytesPer, bw)
	r.Batch8StreamBoundTokens = streamBound(c, 8, bytesPer, bw)
	fmt.Fprintf(log, "memory read: %.1f GB/s; streaming bound: %.1f tokens/s at batch 1, %.1f at batch 8\n", r.MemoryGBPerS, r.StreamBoundTokensPerS, r.Batch8StreamBoundTokens)

	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	fmt.Fprintf(env.Stdout, "batch 1: %.1f tokens/s (%.0f%% of the streaming bound %.1f)\n", r.Batch1TokensPerS, 100*r.Batch1TokensPerS/r.StreamBoundTokensPerS, r.StreamBoundTokensPerS)
	fmt.Fprintf(env.Stdout, "batch 8: %.1f tokens/s (%.0f%% of the streaming bound %.1f)\n", r.Batch8TokensPerS, 100*r.Batch8TokensPerS/r.Batch8StreamBoundTokens, r.Batch8StreamBoundTokens)
	return nil
}

// streamBound is the tokens/s reached if each decode step only read every
// weight once plus the KV cache (at its average length over one image),
// each value taking bytesPer bytes.
func streamBound(c model.Config, batch, bytesPer int, bytesPerS float64) float64 {
	weights := float64(c.Params()) * float64(bytesPer)
	avgLen := float64(c.NPositions+1) / 2
	kv := float64(c.NLayer) * 2 * float64(batch) * avgLen * float64(c.NEmbd) * float64(bytesPer)
	return float64(batch) * bytesPerS / (weights + kv)
}

// measureSgemm times a 1024³ single-precision matrix product through OpenBLAS.
func measureSgemm(threads int) float64 {
	const n = 1024
	a, b, c := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
	for i := range a {
		a[i], b[i] = float32(i%13)*0.01, float32(i%7)*0.01
	}
	best := time.Duration(1 << 62)
	blas.WithThreads(threads, func() {
		for rep := 0; rep < 5; rep++ {
			t := time.Now()
			blas.Gemm(false, false, n, n, n, 1, a, n, b, n, 0, c, n)
			best = min(best, time.Since(t))
		}
	})
	return 2 * n * n * n / best.Seconds() / 1e9
}

// measureBandwidth times reading a 512 MB buffer (far beyond any cache) with
// threads streams, best of three, in bytes per second.
func measureBandwidth(threads int) float64 {
	buf := make([]float32, 128<<20)
	for i := range buf {
		buf[i] = 1
	}
	best := time.Duration(1 << 62)
	for rep := 0; rep < 3; rep++ {
		t := time.Now()
		blas.Sum(threads, buf)
		best = min(best, time.Since(t))
	}
	return float64(len(buf)*4) / best.Seconds()
}
