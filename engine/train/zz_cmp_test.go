package train

import (
	"os"
	"sort"
	"strconv"
	"testing"
	"time"
)

// TestZZCompare alternates gemm modes over whole reference steps.
func TestZZCompare(t *testing.T) {
	if os.Getenv("TESSERA_CMP") == "" {
		t.Skip()
	}
	cfg := referenceConfig()
	opt := DefaultOptions(cfg).withDefaults()
	opt.Workers = 2
	params, _ := InitParams(cfg, 1)
	m, _ := NewModel(params, opt.BatchSize, opt.Workers)
	adam := NewAdamW(len(params.Data), opt.Beta1, opt.Beta2, opt.AdamEps)
	xs := benchExamples(cfg, 256)
	ld := newLoader(len(xs), 1)
	B, T := opt.BatchSize, cfg.NPositions
	in, tg := make([]int32, B*T), make([]int32, B*cfg.ImageTokens())
	type mode struct {
		split  bool
		blocks int
	}
	modes := []mode{{false, 1}, {true, 1}, {true, 2}, {true, 4}}
	times := make([][]float64, len(modes))
	rounds, _ := strconv.Atoi(os.Getenv("TESSERA_CMP"))
	for r := 0; r < rounds; r++ {
		for i, md := range modes {
			gemmSplit, gemmBlocks = md.split, md.blocks
			m.p.setBlasThreads()
			for s := 0; s < 3; s++ {
				t0 := time.Now()
				ld.batch(cfg, xs, B, opt.PromptDrop, in, tg)
				trainStep(m, adam, &opt, s, 1e-5, in, tg)
				if s > 0 {
					times[i] = append(times[i], time.Since(t0).Seconds())
				}
			}
		}
	}
	gemmSplit, gemmBlocks = false, 1
	for i, md := range modes {
		sort.Float64s(times[i])
		med, best := times[i][len(times[i])/2], times[i][0]
		t.Logf("%+v: median %.1f ms (%.0f tok/s), best %.1f ms (%.0f tok/s)", md, med*1000, float64(B*T)/med, best*1000, float64(B*T)/best)
	}
}
