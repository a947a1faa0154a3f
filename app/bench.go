package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/tessera-studio/tessera/engine/blas"
	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/kernels"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/par"
	"github.com/tessera-studio/tessera/engine/sampler"
)

// benchReport is tessera bench's result; the JSON names are a contract.
// A figure not measured (--batch 1, --limits=false) is left out, not 0.
type benchReport struct {
	Model                   string  `json:"model"`
	Params                  int64   `json:"params"`
	Tokens                  int     `json:"tokens_per_image"`
	TokensTimed             int     `json:"tokens_timed"` // of each image (--tokens; the whole image by default)
	Threads                 int     `json:"threads"`
	Precision               string  `json:"precision"`
	LoadS                   float64 `json:"load_s"`
	Batch1TokensPerS        float64 `json:"batch1_tokens_per_s,omitempty"`
	Batch8TokensPerS        float64 `json:"batch8_tokens_per_s,omitempty"`
	StreamBoundTokensPerS   float64 `json:"stream_bound_tokens_per_s,omitempty"`
	Batch8StreamBoundTokens float64 `json:"batch8_stream_bound_tokens_per_s,omitempty"`
	MemoryGBPerS            float64 `json:"memory_gb_per_s,omitempty"`
	SgemmGFLOPS             float64 `json:"sgemm_gflops,omitempty"`
	BLASCore                string  `json:"blas_core"` // OpenBLAS's kernel set (blas.Core)
	// With --rounds N > 1 the rates above are the medians of N rounds,
	// each of every precision in turn; these are the rounds' own rates.
	Batch1Rounds []float64 `json:"batch1_rounds_tokens_per_s,omitempty"`
	Batch8Rounds []float64 `json:"batch8_rounds_tokens_per_s,omitempty"`

	config model.Config // for the streaming bounds
}

// randomBundle builds a random model of a named shape with a random palette.
func randomBundle(shape string) (*bundle.Bundle, error) {
	c, err := model.ShapeConfig(shape)
	if err != nil {
		return nil, usageError{err.Error()}
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
	fs := newFlags(env, "bench", "[--model M | --random small] [--precision f16|int8|f32|all] [--json]")
	modelName := fs.String("model", "", "built-in model name or model folder")
	random := fs.String("random", "", "bench a random model of this shape instead: small, medium or large (OpenAI's imagegpt sizes: 76.7M, 455M, 1.36B parameters)")
	tokens := rangedInt(fs, "tokens", 0, 0, 1<<20, "time only the first N tokens of the image (0 = all; for the large shapes)")
	limits := fs.Bool("limits", true, "also measure the machine's limits (sgemm, memory bandwidth: a 512 MiB buffer) and the streaming bounds; false keeps the process's memory to the model's, for /usr/bin/time -v")
	asJSON := fs.Bool("json", false, "print one JSON object (with --precision all, a JSON array of one object per precision)")
	threads := rangedInt(fs, "threads", runtime.NumCPU(), 0, 1024, "worker threads (0 = all cores, as for the other commands)")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the runs (loading included) to this file (for go tool pprof)")
	only := rangedInt(fs, "batch", 0, 0, 8, "time only this batch size (1 or 8; 0 = both)")
	rounds := rangedInt(fs, "rounds", 1, 1, 100, "time every precision this many times in turn (f32, f16, int8, f32, …) and report each one's median, and the speed-ups' medians round by round: a shared machine's memory speed moves between runs by more than the precisions differ")
	precision := fs.String("precision", "f16", "sampling arithmetic to time: f16 (half-precision weights and KV cache), int8 (int8 weights, half KV cache), f32 (float32 throughout) or all (each in turn, side by side in one run). The streaming bound counts the bytes of the precision used")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return helpOr(fs, err)
	}
	if err := noArguments(pos, "the model goes in --model"); err != nil {
		return err
	}
	if *threads == 0 {
		*threads = runtime.NumCPU()
	}
	switch {
	case *modelName != "" && *random != "":
		return usageError{"give --model M or --random SHAPE, not both"}
	case *only != 0 && *only != 1 && *only != 8:
		return usageError{fmt.Sprintf("--batch %d: bench times batch 1 and batch 8 (0: both)", *only)}
	}
	precs := []string{precF32, precF16, precInt8}
	if *precision != "all" {
		p, err := parsePrecision(*precision)
		if err != nil {
			return err
		}
		if p == precAuto {
			return usageError{"bench times a named precision: f16, int8, f32 or all (auto picks one by the model's size)"}
		}
		precs = []string{p}
	}
	log := env.Stderr
	stopProfile, err := startCPUProfile(*profile)
	if err != nil {
		return err
	}
	byRound := make([][]benchReport, *rounds) // [round][precision]
	for k := range byRound {
		for _, prec := range precs {
			r, err := benchPrecision(ctx, log, benchRun{model: *modelName, random: *random, prec: prec, threads: *threads, batch: *only, tokens: *tokens})
			if err != nil {
				stopProfile()
				return err
			}
			byRound[k] = append(byRound[k], r)
		}
	}
	stopProfile()
	reports := mergeRounds(byRound)
	if *limits {
		// The machine's limits are measured after sampling: OpenBLAS's threads
		// from the sgemm run and the bandwidth buffer would otherwise linger
		// while the engine samples.
		sgemm := measureSgemm(*threads)
		fmt.Fprintf(log, "sgemm (OpenBLAS %s kernels, %d threads): %.1f GFLOP/s\n", blas.Core(), *threads, sgemm)
		if note := blas.CoreNote(); note != "" {
			fmt.Fprintf(log, "  note: %s\n", note)
		}
		bw := measureBandwidth(*threads)
		fmt.Fprintf(log, "memory read: %.1f GB/s\n", bw/1e9)
		if !kernels.Accelerated() {
			fmt.Fprintln(log, "  note: measured by a plain-Go loop (no AVX2 kernels), which may read slower than memory can: the bounds may be low")
		}
		for i := range reports {
			r := &reports[i]
			r.SgemmGFLOPS, r.MemoryGBPerS = sgemm, bw/1e9
			r.StreamBoundTokensPerS = streamBound(r.config, 1, r.TokensTimed, r.Precision, bw)
			r.Batch8StreamBoundTokens = streamBound(r.config, 8, r.TokensTimed, r.Precision, bw)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		if len(reports) == 1 {
			return enc.Encode(reports[0])
		}
		return enc.Encode(reports)
	}
	for _, r := range reports {
		for _, b := range []struct {
			batch       int
			rate, bound float64
		}{{1, r.Batch1TokensPerS, r.StreamBoundTokensPerS}, {8, r.Batch8TokensPerS, r.Batch8StreamBoundTokens}} {
			switch {
			case b.rate == 0: // not timed (--batch)
			case *limits:
				fmt.Fprintf(env.Stdout, "%s batch %d: %.1f tokens/s (%.0f%% of the streaming bound %.1f)\n", r.Precision, b.batch, b.rate, 100*b.rate/b.bound, b.bound)
			default:
				fmt.Fprintf(env.Stdout, "%s batch %d: %.1f tokens/s\n", r.Precision, b.batch, b.rate)
			}
		}
	}
	if len(byRound) > 1 {
		printRoundSpeedups(env.Stdout, byRound)
		return nil
	}
	printSpeedups(env.Stdout, reports)
	return nil
}

// mergeRounds is one report a precision from rounds of reports (each
// round every precision, in one order): the first round's, with the
// median of the rounds' rates and load times and, for more than one
// round, the rounds' rates.
func mergeRounds(byRound [][]benchReport) []benchReport {
	reports := slices.Clone(byRound[0])
	if len(byRound) == 1 {
		return reports
	}
	for i := range reports {
		r := &reports[i]
		var loads []float64
		for _, round := range byRound {
			r.Batch1Rounds = append(r.Batch1Rounds, round[i].Batch1TokensPerS)
			r.Batch8Rounds = append(r.Batch8Rounds, round[i].Batch8TokensPerS)
			loads = append(loads, round[i].LoadS)
		}
		r.Batch1TokensPerS, r.Batch8TokensPerS, r.LoadS = median(r.Batch1Rounds), median(r.Batch8Rounds), median(loads)
		if r.Batch1TokensPerS == 0 {
			r.Batch1Rounds = nil // not timed (--batch 8)
		}
		if r.Batch8TokensPerS == 0 {
			r.Batch8Rounds = nil
		}
	}
	return reports
}

// median is the middle value of xs (the mean of the two middle ones for an
// even count); 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// printRoundSpeedups prints, for rounds of several precisions, each
// speed-up round by round (the two precisions timed one after the other,
// as alike as this machine gets) and its median: "int8 ÷ f16 at batch 1:
// 1.55, 1.71, 1.62 by round; median 1.62×".
func printRoundSpeedups(w io.Writer, byRound [][]benchReport) {
	for _, pair := range [][2]string{{"int8", "f16"}, {"f16", "f32"}} {
		for _, batch := range []int{1, 8} {
			var ratios []string
			var vals []float64
			for _, round := range byRound {
				var fast, slow float64
				for _, r := range round {
					rate := r.Batch1TokensPerS
					if batch == 8 {
						rate = r.Batch8TokensPerS
					}
					switch r.Precision {
					case pair[0]:
						fast = rate
					case pair[1]:
						slow = rate
					}
				}
				if fast > 0 && slow > 0 {
					vals = append(vals, fast/slow)
					ratios = append(ratios, fmt.Sprintf("%.2f", fast/slow))
				}
			}
			if len(vals) > 0 {
				fmt.Fprintf(w, "%s ÷ %s at batch %d: %s by round; median %.2f×\n", pair[0], pair[1], batch, strings.Join(ratios, ", "), median(vals))
			}
		}
	}
}

// printSpeedups prints, for a run of several precisions, how many times
// f16 and int8 sample as fast as the precision they stand in for (int8 ÷
// f16, f16 ÷ f32) at each batch timed: "int8 ÷ f16: 1.62× at batch 1,
// 1.11× at batch 8".
func printSpeedups(w io.Writer, reports []benchReport) {
	rates := map[string]benchReport{}
	for _, r := range reports {
		rates[r.Precision] = r
	}
	for _, pair := range [][2]string{{"int8", "f16"}, {"f16", "f32"}} {
		fast, okFast := rates[pair[0]]
		slow, okSlow := rates[pair[1]]
		if !okFast || !okSlow {
			continue
		}
		var parts []string
		for _, b := range []struct {
			batch      int
			fast, slow float64
		}{{1, fast.Batch1TokensPerS, slow.Batch1TokensPerS}, {8, fast.Batch8TokensPerS, slow.Batch8TokensPerS}} {
			if b.fast > 0 && b.slow > 0 {
				parts = append(parts, fmt.Sprintf("%.2f× at batch %d", b.fast/b.slow, b.batch))
			}
		}
		if len(parts) > 0 {
			fmt.Fprintf(w, "%s ÷ %s: %s\n", pair[0], pair[1], strings.Join(parts, ", "))
		}
	}
}

// benchRun is what one precision's bench samples: a model (or a random
// one of a shape), its precision, threads, the batch (0: 1 and 8) and how
// many tokens of the image (0: all).
type benchRun struct {
	model, random, prec    string
	threads, batch, tokens int
}

// benchPrecision loads the model (or builds the random one) in its
// precision and times sampling one image (or its first tokens) at batch 1
// and at batch 8.
func benchPrecision(ctx context.Context, log io.Writer, br benchRun) (benchReport, error) {
	start := time.Now()
	var b *bundle.Bundle
	var err error
	prec, threads, only := br.prec, br.threads, br.batch
	if br.random != "" {
		if b, err = randomBundle(br.random); err == nil {
			setPrecision(b.Model, prec)
		}
	} else {
		b, err = openDrawingModel(log, br.model, prec)
	}
	if err != nil {
		return benchReport{}, err
	}
	c := b.Model.Config
	r := benchReport{Model: b.Name, Params: c.Params(), Tokens: b.ImageTokens(), Threads: threads, Precision: prec, BLASCore: blas.Core(), LoadS: time.Since(start).Seconds(), config: c}
	fmt.Fprintf(log, "model %s (%s): %d parameters, %d tokens an image, loaded in %.3f s\n", b.Name, prec, r.Params, r.Tokens, r.LoadS)
	if rep := b.Model.HalfReport().String(); rep != "" {
		fmt.Fprintf(log, "  %s\n", rep)
	}
	for _, batch := range []int{1, 8} {
		if only != 0 && batch != only {
			continue
		}
		opt := sampler.Defaults()
		opt.Batch, opt.Workers, opt.Seed = batch, threads, 1
		steps := b.ImageTokens()
		if br.tokens > 0 {
			steps = min(steps, br.tokens)
		}
		r.TokensTimed = steps
		// The garbage of what ran before (the float32 weights a reduced
		// load dropped, the previous precision's model, the previous
		// batch's KV cache) is collected now, not by the collector's
		// workers during the timing, where they took a core from the
		// sampling (as testing.B collects before each benchmark).
		runtime.GC()
		rctx, cancel := context.WithCancel(ctx)
		t0 := time.Now()
		var last time.Time
		_, err := sampler.Generate(rctx, b, opt, func(ev sampler.Event) {
			if ev.Image == batch-1 && ev.Step >= steps {
				last = time.Now()
				cancel()
			}
		})
		cancel()
		if err != nil {
			return r, err
		}
		if ctx.Err() != nil || last.IsZero() { // the last step of the batch's last image ends the timing
			return r, fmt.Errorf("interrupted")
		}
		elapsed := last.Sub(t0)
		rate := float64(batch*steps) / elapsed.Seconds()
		fmt.Fprintf(log, "%s batch %d: %d tokens in %.2f s = %.1f tokens/s\n", prec, batch, batch*steps, elapsed.Seconds(), rate)
		if batch == 1 {
			r.Batch1TokensPerS = rate
		} else {
			r.Batch8TokensPerS = rate
		}
	}
	return r, nil
}

// streamBound is the tokens/s reached if each decode step only read every
// weight once plus the KV cache (at its average length over the steps
// timed: the whole image, or its first tokens), in the bytes of precision
// prec: weights 4, 2 or 1 bytes (f32, f16, int8), cache values 4 bytes
// for f32 and 2 otherwise.
func streamBound(c model.Config, batch, tokens int, prec string, bytesPerS float64) float64 {
	wBytes, kvBytes := model.PrecisionBytes(prec)
	weights := float64(c.Params()) * float64(wBytes)
	if tokens <= 0 || tokens > c.ImageTokens() {
		tokens = c.ImageTokens()
	}
	avgLen := float64(c.ContextLength()) + float64(tokens+1)/2
	kv := float64(c.NLayer) * 2 * float64(batch) * avgLen * float64(c.NEmbd) * float64(kvBytes)
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
// threads streams, best of three, in bytes per second. Each stream sums the
// squares of its part with kernels.SumSq (four independent accumulators:
// 32 bytes a multiply-add, far faster than memory), not OpenBLAS's sasum,
// whose speed depends on the kernels OpenBLAS picked: on a 2-core Zen 5
// EPYC its Cooperlake sasum read 15–19 GB/s where SumSq read 48–62, which
// made the streaming bounds too low by up to 3×. Without the vector
// kernels (no AVX2, or -tags purego) SumSq is a plain loop that may be
// slower than memory; runBench says so.
func measureBandwidth(threads int) float64 {
	buf := make([]float32, 128<<20)
	for i := range buf {
		buf[i] = 1
	}
	threads = max(1, threads)
	chunk := (len(buf) + threads - 1) / threads
	best := time.Duration(1 << 62)
	for rep := 0; rep < 3; rep++ {
		t := time.Now()
		par.Each(threads, threads, func(i int) {
			kernels.SumSq(buf[min(i*chunk, len(buf)):min((i+1)*chunk, len(buf))])
		})
		best = min(best, time.Since(t))
	}
	return float64(len(buf)*4) / best.Seconds()
}

// checkProfileOut refuses a --cpuprofile path that is one of the inputs,
// a folder, or a file that exists and is no CPU profile (a gzip stream, as
// pprof writes them: a rerun replaces its own profile): a typo must not
// turn a picture or a document into a profile.
func checkProfileOut(path string, inputs ...string) error {
	if err := checkOutsAreNotInputs("cpuprofile", []string{path}, inputs...); err != nil {
		return err
	}
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return nil
	case fi.IsDir():
		return usageError{fmt.Sprintf("--cpuprofile %q is a folder: give a file name in it", path)}
	case fi.Size() == 0:
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("--cpuprofile: %w", err)
	}
	defer f.Close()
	var magic [2]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil || magic != [2]byte{0x1f, 0x8b} {
		return fmt.Errorf("--cpuprofile %q exists and is not a CPU profile: give another name (a profile written before is replaced)", path)
	}
	return nil
}

// startCPUProfile starts a CPU profile written to path (for go tool
// pprof), after checkProfileOut (inputs: the files the command reads), and
// returns what stops and writes it; "" profiles nothing.
func startCPUProfile(path string, inputs ...string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	if err := checkProfileOut(path, inputs...); err != nil {
		return nil, err
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
