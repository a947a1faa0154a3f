package ui

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/train"
	"github.com/tessera-studio/tessera/engine/trainjob"
)

// BenchmarkGenerateWhileTraining measures what the Train tab's thread cap
// is for: generating on the Create tab (benchBundle on all cores, as the
// studio samples) alone, and beside a shapes training run (the preset's
// model) capped at the tab's default of half the cores. Compare the two
// tok/s; the training sub-benchmark also reports the trainer's steps/s.
// The run's data is prepared before the timer starts (k-means: tens of
// seconds). For a measurement:
//
//	go test -run '^$' -bench GenerateWhileTraining -benchtime 20x ./ui/
func BenchmarkGenerateWhileTraining(b *testing.B) {
	bb := benchBundle(b)
	rows, cols := bb.Grid()
	generate := func(b *testing.B) {
		ctx := context.Background()
		b.ResetTimer()
		start := time.Now()
		for i := 0; i < b.N; i++ {
			if _, err := sampler.Generate(ctx, bb, benchOptions(uint64(i)), nil); err != nil {
				b.Fatal(err)
			}
		}
		reportSpeed(b, rows*cols, time.Since(start))
	}
	b.Run("alone", generate)
	b.Run("training", func(b *testing.B) {
		st := trainjob.Preset("shapes")
		st.OutDir, st.Threads, st.Steps, st.EvalEvery, st.Epochs = b.TempDir(), defaultTrainThreads(), 1_000_000, 1_000_000, 0
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var steps atomic.Int64
		started := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			_, err := trainjob.Run(ctx, st, trainjob.Events{Step: func(train.StepInfo) {
				if steps.Add(1) == 1 {
					close(started)
				}
			}})
			done <- err
		}()
		select {
		case <-started:
		case err := <-done:
			b.Fatalf("training ended before its first step: %v", err)
		}
		s0, t0 := steps.Load(), time.Now()
		generate(b)
		b.StopTimer() // not the run's final checkpoint and sample grid
		b.ReportMetric(float64(steps.Load()-s0)/time.Since(t0).Seconds(), "train-steps/s")
		b.ReportMetric(float64(st.Threads), "train-threads")
		b.ReportMetric(float64(runtime.NumCPU()), "cores")
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			b.Fatal(err)
		}
	})
}
