package model

import (
	"math"
	"path/filepath"

	"github.com/tessera-studio/tessera/engine/kernels"
	"testing"
)

// TestInt8MatchesReference runs every reference vector through int8
// weights and a half KV cache, token by token as sampling does, and
// measures the logits against the float32 reference and the greedy
// decodes against the reference's. The vectors' random weights are
// harder on int8 than trained ones (measured: largest logit differences
// 0.13, 0.13 and 0.46, RMS 0.03–0.09; assets' TestReducedPrecisionCost
// measures the built-in models' likelihood): the bounds are 1.3× those,
// and greedy decoding from SOS and the greedy completion must agree on
// their first 16 codes (measured: 64, 64 and 18 from SOS; 29, 29 and all
// 18 of the completion).
func TestInt8MatchesReference(t *testing.T) {
	for _, name := range vectors {
		t.Run(name, func(t *testing.T) {
			m, e := loadVector(t, name)
			m.EnableInt8()
			if m.Precision() != "int8" {
				t.Fatalf("precision %q", m.Precision())
			}
			t.Logf("%s: %s", name, m.HalfReport())
			kc := m.NewCache(1)
			K := m.Config.Codes()
			worst, rms, n := 0.0, 0.0, 0
			for pos, id := range e.InputIDs {
				logits, err := m.Forward(kc, []int{id}, 1, ForwardOptions{Workers: 2})
				if err != nil {
					t.Fatal(err)
				}
				for k := 0; k < K; k++ {
					d := float64(logits[k]) - e.Logits[pos][k]
					worst = math.Max(worst, math.Abs(d))
					rms += d * d
					n++
				}
			}
			rms = math.Sqrt(rms / float64(n))
			same := func(a, b []int) int {
				k := 0
				for k < len(a) && a[k] == b[k] {
					k++
				}
				return k
			}
			g := greedy(t, m, []int{m.Config.SOS()}, len(e.GreedyFromSOS))
			c := greedy(t, m, e.CompletionPrompt, len(e.CompletionGreedy))
			t.Logf("%s: largest logit difference %.3g, RMS %.3g; greedy from SOS agrees for %d of %d codes, completion %d of %d",
				name, worst, rms, same(g, e.GreedyFromSOS), len(g), same(c, e.CompletionGreedy), len(c))
			if worst > 0.6 || rms > 0.12 || same(g, e.GreedyFromSOS) < 16 || same(c, e.CompletionGreedy) < 16 {
				t.Errorf("int8 is further from float32 than measured")
			}
		})
	}
}

// After ReleaseFloat32 a model keeps sampling exactly as before (the
// decode kernels were already in use), long passes run on the reduced
// copies within their rounding of float32, and Weights rebuilds the
// released matrices from them.
func TestReleaseFloat32(t *testing.T) {
	for _, prec := range []string{"f16", "int8"} {
		m, e := loadVector(t, "vector1")
		before := m.Weights()
		if prec == "int8" {
			m.EnableInt8()
		} else {
			m.EnableHalf()
		}
		step := func() []float32 {
			kc := m.NewCache(1)
			var last []float32
			for _, id := range e.InputIDs[:20] {
				l, err := m.Forward(kc, []int{id}, 1, ForwardOptions{Workers: 2})
				if err != nil {
					t.Fatal(err)
				}
				last = l
			}
			return last
		}
		want := step()
		if freed := m.ReleaseFloat32(); freed <= 0 {
			t.Fatalf("%s: freed %d bytes", prec, freed)
		}
		if got := step(); !equalFloats(got, want) {
			t.Fatalf("%s: decoding changed after releasing the float32 weights", prec)
		}
		ids := e.InputIDs
		logits, err := m.Forward(m.NewExactCache(1), ids, len(ids), ForwardOptions{AllLogits: true, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		K, worst := m.Config.Codes(), 0.0
		for pos := range ids {
			for k := 0; k < K; k++ {
				worst = math.Max(worst, math.Abs(float64(logits[pos*K+k])-e.Logits[pos][k]))
			}
		}
		if bound := map[string]float64{"f16": 2e-2, "int8": 0.6}[prec]; worst > bound {
			t.Errorf("%s: a full pass on the released model differs from the reference by %g (bound %g)", prec, worst, bound)
		}
		after := m.Weights()
		for name, w := range before {
			got := after[name]
			if got == nil || !equalInts(got.Shape(), w.Shape()) {
				t.Fatalf("%s: %s rebuilt with shape %v, want %v", prec, name, got.Shape(), w.Shape())
			}
			var diff, size float64
			for i, v := range w.Data().([]float32) {
				diff += math.Abs(float64(v - got.Data().([]float32)[i]))
				size += math.Abs(float64(v))
			}
			if diff > 0.01*size {
				t.Errorf("%s: %s rebuilt %.3g%% off", prec, name, 100*diff/size)
			}
		}
	}
}

func equalFloats(a, b []float32) bool {
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

// Loading with a precision reduces each block as it arrives and gives the
// same model as loading in float32 and reducing after; with ReleaseAbove
// the float32 matrices are gone once loaded.
func TestLoadReduced(t *testing.T) {
	for _, prec := range []string{"f16", "int8"} {
		ref, e := loadVector(t, "vector1")
		if prec == "int8" {
			ref.EnableInt8()
		} else {
			ref.EnableHalf()
		}
		m, err := Load(filepath.Join(vectorsDir, "vector1"), LoadOptions{Precision: prec, ReleaseAbove: 1})
		if err != nil {
			t.Fatal(err)
		}
		if m.Precision() != prec || m.Released() <= 0 || m.Blocks[0].Attn.W != nil {
			t.Fatalf("%s: precision %q, released %d", prec, m.Precision(), m.Released())
		}
		a, b := ref.NewCache(1), m.NewCache(1)
		for _, id := range e.InputIDs[:24] {
			la, err := ref.Forward(a, []int{id}, 1, ForwardOptions{Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			lb, err := m.Forward(b, []int{id}, 1, ForwardOptions{Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			if !equalFloats(la, lb) {
				t.Fatalf("%s: loading reduced differs from reducing after loading", prec)
			}
		}
	}
	if _, err := Load(filepath.Join(vectorsDir, "vector1"), LoadOptions{Precision: "int4"}); err == nil {
		t.Fatal("an unknown precision loaded")
	}
}

// Eight sequences at a time, int8 products of four rows and more quantise
// the rows to int16 where the CPU has AVX-512 VNNI (kernels.Int8VNNI; one
// row keeps its float32 values): the logits stay within
// TestInt8MatchesReference's bounds of the float32 reference and within the
// activations' rounding of decoding one sequence.
func TestInt8BatchMatchesReference(t *testing.T) {
	m, e := loadVector(t, "vector1")
	m.EnableInt8()
	K, B := m.Config.Codes(), 8
	t.Logf("VNNI kernels: %v", kernels.Int8VNNI(B, m.Config.NEmbd))
	one, batch := m.NewCache(1), m.NewCache(B)
	worst, fromOne := 0.0, 0.0
	for pos, id := range e.InputIDs {
		single, err := m.Forward(one, []int{id}, 1, ForwardOptions{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		single = append([]float32(nil), single...)
		ids := make([]int, B)
		for b := range ids {
			ids[b] = id
		}
		logits, err := m.Forward(batch, ids, 1, ForwardOptions{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		for b := 0; b < B; b++ {
			for k := 0; k < K; k++ {
				got := float64(logits[b*K+k])
				worst = math.Max(worst, math.Abs(got-e.Logits[pos][k]))
				fromOne = math.Max(fromOne, math.Abs(got-float64(single[k])))
			}
		}
	}
	t.Logf("largest logit difference %.3g from float32, %.3g from one sequence", worst, fromOne)
	if worst > 0.6 || fromOne > 1e-2 {
		t.Errorf("eight sequences in int8: %.3g from float32 (bound 0.6), %.3g from one sequence (bound 0.01)", worst, fromOne)
	}
}
