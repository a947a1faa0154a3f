package ui

import (
	"context"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// benchBundle is a model big enough for realistic step times: d=256, 4
// layers, 8 heads, 256 codes of 2×2 patches on a 16×16 grid (32×32 px).
func benchBundle(tb testing.TB) *bundle.Bundle {
	tb.Helper()
	const K, L, rows, cols = 256, 4, 16, 16
	words := []string{prompt.PAD, "cat", "dog", "red", "blue"}
	c := model.DefaultConfig()
	c.NEmbd, c.NLayer, c.NHead = 256, 4, 8
	c.Tessera = &model.Ext{Name: "bench", PatchSize: 2, Grid: [2]int{rows, cols}, PromptLength: L, PromptVocab: words}
	c.VocabSize = K + len(words) + 1
	c.NPositions = L + rows*cols
	m, err := model.Random(c, 1)
	if err != nil {
		tb.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	entries := make([]float32, K*2*2*3)
	for i := range entries {
		entries[i] = float32(r.Float64()*2 - 1)
	}
	cb, err := codebook.New(2, entries)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := bundle.FromParts("bench", "test:bench", m, cb)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// benchOptions are the sampling settings of the benchmarks.
func benchOptions(seed uint64) sampler.Options {
	o := sampler.Defaults()
	o.Prompt, o.Seed, o.Workers = "red cat", seed, runtime.NumCPU()
	return o
}

// reportSpeed adds tokens per second to a benchmark.
func reportSpeed(b *testing.B, tokens int, d time.Duration) {
	b.ReportMetric(float64(tokens*b.N)/d.Seconds(), "tok/s")
}

// BenchmarkSamplerAlone is one image sampled with no event consumer.
func BenchmarkSamplerAlone(b *testing.B) {
	bb := benchBundle(b)
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := sampler.Generate(ctx, bb, benchOptions(uint64(i)), nil); err != nil {
			b.Fatal(err)
		}
	}
	reportSpeed(b, bb.ImageTokens(), time.Since(start))
}

// BenchmarkSamplerWithCanvas is the same run feeding the studio's canvas
// path: patch decode, paint into the canvas image, progress, and the
// coalesced repaint through fyne.Do (compose + widget refresh). It also
// reports the time spent in that path as a share of the run (canvas-%):
// the part of the sampler's speed the path can cost at most, and a figure
// that other load on a shared machine does not blur as it does tok/s.
func BenchmarkSamplerWithCanvas(b *testing.B) {
	bb := benchBundle(b)
	cp := newCanvasPath(b, bb)
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := cp.generate(ctx, bb, uint64(i)); err != nil {
			b.Fatal(err)
		}
	}
	el := time.Since(start)
	b.StopTimer()
	cp.report(b, el)
	reportSpeed(b, bb.ImageTokens(), el)
}

// BenchmarkSamplerPaired alternates a run alone and a run feeding the
// canvas, with the same seed, so drifting machine load hits both alike; it
// reports the slowdown of the canvas runs (overhead-%).
func BenchmarkSamplerPaired(b *testing.B) {
	bb := benchBundle(b)
	cp := newCanvasPath(b, bb)
	ctx := context.Background()
	var alone, with time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := sampler.Generate(ctx, bb, benchOptions(uint64(i)), nil); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := cp.generate(ctx, bb, uint64(i)); err != nil {
			b.Fatal(err)
		}
		alone += t1.Sub(t0)
		with += time.Since(t1)
	}
	b.StopTimer()
	b.ReportMetric(100*(with.Seconds()-alone.Seconds())/alone.Seconds(), "overhead-%")
	cp.report(b, with)
}

// canvasPath is a live canvas in a test window, fed like the studio's.
type canvasPath struct {
	lc      *widgets.LiveCanvas
	prog    progress
	mu      sync.Mutex
	spent   time.Duration // in the emitter and in repaints
	flushes int
}

// newCanvasPath builds the canvas for bb.
func newCanvasPath(b *testing.B, bb *bundle.Bundle) *canvasPath {
	test.NewTempApp(b)
	cp := &canvasPath{lc: widgets.NewLiveCanvas()}
	w := test.NewWindow(cp.lc)
	b.Cleanup(w.Close)
	w.Resize(fyne.NewSize(520, 520))
	rows, cols := bb.Grid()
	cp.lc.SetGrid(rows, cols, bb.Codebook.P)
	cp.lc.SetGridLines(true)
	cp.lc.SetPost(func(fn func()) {
		fyne.Do(func() {
			t0 := time.Now()
			fn()
			cp.add(time.Since(t0), 1)
		})
	})
	return cp
}

// add records time spent in the canvas path.
func (cp *canvasPath) add(d time.Duration, flushes int) {
	cp.mu.Lock()
	cp.spent += d
	cp.flushes += flushes
	cp.mu.Unlock()
}

// generate samples one image through the canvas path.
func (cp *canvasPath) generate(ctx context.Context, bb *bundle.Bundle, seed uint64) (*sampler.Result, error) {
	cp.prog.Begin("generating", 0, time.Now())
	cp.lc.ShowImage(nil)
	emit := canvasEmitter(&cp.prog, cp.lc, nil, nil)
	buf := make([]uint8, bb.Codebook.PatchBytes())
	res, err := sampler.Generate(ctx, bb, benchOptions(seed), func(ev sampler.Event) {
		t0 := time.Now()
		// the sampler decoded ev.Patch before calling; decode it again
		// here only to count that cost in canvas-% (an upper bound)
		bb.Codebook.DecodePatch(ev.Code, buf)
		emit(ev)
		cp.add(time.Since(t0), 0)
	})
	cp.prog.End(time.Now())
	return res, err
}

// report adds the canvas path's share of el and its repaint rate.
func (cp *canvasPath) report(b *testing.B, el time.Duration) {
	time.Sleep(2 * widgets.RefreshInterval) // let the last repaint run
	cp.mu.Lock()
	defer cp.mu.Unlock()
	b.ReportMetric(100*cp.spent.Seconds()/el.Seconds(), "canvas-%")
	b.ReportMetric(float64(cp.flushes)/el.Seconds(), "repaints/s")
}
