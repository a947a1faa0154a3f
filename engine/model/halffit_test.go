package model

import (
	"math"
	"strings"
	"testing"
)

// scale multiplies a weight tensor in place.
func scale(w []float32, s float32) {
	for i := range w {
		w[i] *= s
	}
}

// TestHalfKeepsWhatDoesNotFit rescales reference models in ways that
// leave their float32 function unchanged (a layer norm gain times s, the
// matrix it feeds divided by s) but push a matrix's values beyond
// float16's range or below its normal range, or the cached values beyond
// its range. EnableHalf must keep those parts in float32, say so, and give
// the reference logits and greedy decodes still.
func TestHalfKeepsWhatDoesNotFit(t *testing.T) {
	cases := []struct {
		name   string
		change func(m *Model)
		kept   []string // tensors HalfReport must list
		cache  bool     // whether the KV cache must stay float32
	}{
		{"c_attn beyond ±65504", func(m *Model) {
			scale(f32(m.Blocks[0].Ln1), 1e-6)
			scale(f32(m.Blocks[0].Attn.W), 1e6)
		}, []string{"transformer.h.0.attn.c_attn.weight"}, false},
		{"c_fc below the normal range", func(m *Model) {
			last := len(m.Blocks) - 1
			scale(f32(m.Blocks[last].Ln2), 1e7)
			scale(f32(m.Blocks[last].Fc.W), 1e-7)
		}, []string{"mlp.c_fc.weight"}, false},
		{"lm_head beyond ±65504", func(m *Model) {
			scale(f32(m.LnF), 1e-6)
			scale(f32(m.LmHead.W), 1e6)
		}, []string{"lm_head.weight"}, false},
		{"values beyond ±65504 in the cache", func(m *Model) {
			b := &m.Blocks[0]
			d := m.Config.NEmbd
			w, bias := f32(b.Attn.W), f32(b.Attn.B)
			for i := 0; i < d; i++ {
				scale(w[i*3*d+2*d:(i+1)*3*d], 1e7) // value columns
			}
			scale(bias[2*d:], 1e7)
			scale(f32(b.AttnProj.W), 1e-7)
		}, []string{"transformer.h.0.attn.c_attn.weight", "transformer.h.0.attn.c_proj.weight"}, true},
	}
	for _, name := range []string{"vector1", "vector2"} {
		for _, c := range cases {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				m, e := loadVector(t, name)
				c.change(m)
				m.EnableHalf()
				r := m.HalfReport()
				for _, want := range c.kept {
					found := false
					for got, why := range r.Kept {
						found = found || strings.HasSuffix(got, want) && why != ""
					}
					if !found {
						t.Errorf("%s not kept in float32: %+v", want, r)
					}
				}
				if r.FloatCache != c.cache || m.NewCache(1).Half() == c.cache {
					t.Errorf("float32 cache %v, want %v (%s)", r.FloatCache, c.cache, r.CacheReason)
				}
				if !r.Mixed() || !strings.Contains(r.String(), "float32") {
					t.Errorf("report %q", r.String())
				}
				kc := m.NewCache(1)
				K := m.Config.Codes()
				worst := 0.0
				for pos, id := range e.InputIDs {
					logits, err := m.Forward(kc, []int{id}, 1, ForwardOptions{Workers: 2})
					if err != nil {
						t.Fatal(err)
					}
					for k := 0; k < K; k++ {
						d := math.Abs(float64(logits[k]) - e.Logits[pos][k])
						if math.IsNaN(d) {
							d = math.Inf(1)
						}
						worst = math.Max(worst, d)
					}
				}
				if worst > 3e-2 { // unmodified, vector2 differs by 0.013 (half rounding)
					t.Errorf("half logits differ from the reference by %g", worst)
				}
				if got := greedy(t, m, []int{m.Config.SOS()}, len(e.GreedyFromSOS)); !equalInts(got, e.GreedyFromSOS) {
					t.Errorf("half greedy from SOS\n got %v\nwant %v", got, e.GreedyFromSOS)
				}
			})
		}
	}
}

// TestHalfReportEmptyForOrdinaryModels: models whose weights fit keep
// everything in half precision.
func TestHalfReportEmptyForOrdinaryModels(t *testing.T) {
	for _, name := range vectors {
		m, _ := loadVector(t, name)
		if r := m.HalfReport(); r.Mixed() {
			t.Errorf("%s before EnableHalf: %+v", name, r)
		}
		m.EnableHalf()
		if r := m.HalfReport(); r.Mixed() || r.String() != "" || !m.NewCache(1).Half() {
			t.Errorf("%s: %s", name, r)
		}
	}
}
