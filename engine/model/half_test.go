package model

import (
	"math"
	"testing"

	"github.com/tessera-studio/tessera/engine/kernels"
)

// TestHalfMatchesReference runs every reference vector through half
// weights and a half KV cache, token by token as sampling does, and checks
// the logits against the float32 reference within half-precision error;
// greedy decodes must agree exactly (the vectors' top-2 margins are at least
// 5.9e-3).
func TestHalfMatchesReference(t *testing.T) {
	for _, name := range vectors {
		t.Run(name, func(t *testing.T) {
			m, e := loadVector(t, name)
			m.EnableHalf()
			kc := m.NewCache(1)
			if !kc.Half() || m.NewExactCache(1).Half() {
				t.Fatal("cache precision not as asked")
			}
			K := m.Config.Codes()
			worst := 0.0
			for pos, id := range e.InputIDs {
				logits, err := m.Forward(kc, []int{id}, 1, ForwardOptions{Workers: 2})
				if err != nil {
					t.Fatal(err)
				}
				for k := 0; k < K; k++ {
					worst = math.Max(worst, math.Abs(float64(logits[k])-e.Logits[pos][k]))
				}
			}
			t.Logf("%s: largest logit difference %.2g", name, worst)
			if worst > 2e-2 {
				t.Errorf("half logits differ from the reference by %g", worst)
			}
			if got := greedy(t, m, []int{m.Config.SOS()}, len(e.GreedyFromSOS)); !equalInts(got, e.GreedyFromSOS) {
				t.Errorf("half greedy from SOS\n got %v\nwant %v", got, e.GreedyFromSOS)
			}
			if got := greedy(t, m, e.CompletionPrompt, len(e.CompletionGreedy)); !equalInts(got, e.CompletionGreedy) {
				t.Errorf("half completion\n got %v\nwant %v", got, e.CompletionGreedy)
			}
		})
	}
}

// On a CPU that takes the tiled layout (kernels.HalfTiled), some of the
// reference vectors' layers are tiled (those of a multiple of 64 outputs),
// so TestHalfMatchesReference checks the tiled products beside the row
// layout's; a tiled layer's rows widen back to the half-rounded weights.
func TestHalfTiledLayers(t *testing.T) {
	if !kernels.HalfTiled(64, 4) {
		t.Skip("this CPU keeps the row layout")
	}
	tiled := 0
	for _, name := range vectors {
		m, _ := loadVector(t, name)
		m.EnableHalf()
		for _, l := range []*Linear{&m.Blocks[0].Attn, &m.Blocks[0].AttnProj, &m.Blocks[0].Fc, &m.Blocks[0].MlpProj, &m.LmHead} {
			if l.tiled != kernels.HalfTiled(l.Out, l.In) {
				t.Fatalf("%s: a %d×%d layer tiled %v", name, l.Out, l.In, l.tiled)
			}
			if !l.tiled || l.Transposed {
				continue
			}
			tiled++
			w := f32(l.W) // [In, Out]
			row := make([]float32, l.In)
			for j := 0; j < l.Out; j++ {
				l.widenRow(j, row)
				for c, v := range row {
					if want := kernels.FromHalf(kernels.ToHalf(w[c*l.Out+j])); v != want {
						t.Fatalf("%s: output %d input %d: %g, want %g", name, j, c, v, want)
					}
				}
			}
		}
	}
	if tiled == 0 {
		t.Fatal("no reference layer is tiled: the reference tests do not check the tiled products")
	}
}

// A model whose every layer is tiled, lm_head (stored [Out, In], taller
// than its outputs) included: its rows widen back to the half-rounded
// weights and its logits follow the float32 model's.
func TestHalfTiledTransposedLmHead(t *testing.T) {
	c := DefaultConfig()
	c.NEmbd, c.NLayer, c.NHead, c.NPositions = 64, 1, 4, 16
	if !kernels.HalfTiled(c.Codes(), c.NEmbd) {
		t.Skip("this CPU keeps the row layout")
	}
	ref, err := Random(c, 3)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Random(c, 3)
	if err != nil {
		t.Fatal(err)
	}
	m.EnableHalf()
	l := &m.LmHead
	if !l.Transposed || !l.tiled || !m.Blocks[0].Fc.tiled {
		t.Fatalf("lm_head transposed %v tiled %v, fc tiled %v", l.Transposed, l.tiled, m.Blocks[0].Fc.tiled)
	}
	w := f32(l.W) // [Out (and SOS), In]
	row := make([]float32, l.In)
	for j := 0; j < l.Out; j++ {
		l.widenRow(j, row)
		for i, v := range row {
			if want := kernels.FromHalf(kernels.ToHalf(w[j*l.In+i])); v != want {
				t.Fatalf("lm_head output %d input %d: %g, want %g", j, i, v, want)
			}
		}
	}
	ids := []int{c.SOS(), 5, 17, 300, 511}
	kc, kr := m.NewCache(1), ref.NewExactCache(1)
	for _, id := range ids {
		got, err := m.Forward(kc, []int{id}, 1, ForwardOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want, err := ref.Forward(kr, []int{id}, 1, ForwardOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for k := range want {
			if d := math.Abs(float64(got[k] - want[k])); d > 2e-2 {
				t.Fatalf("token %d: logit %d is %g, float32 %g", id, k, got[k], want[k])
			}
		}
	}
}

// TestHalfPrefillMatchesSteps checks a half cache filled by one long
// prefill (float32 matrix products, half attention) continues like one
// filled token by token (half everything).
func TestHalfPrefillMatchesSteps(t *testing.T) {
	m, e := loadVector(t, "vector2")
	m.EnableHalf()
	T := len(e.InputIDs)
	n := T - 3
	a := m.NewCache(1)
	if _, err := m.Forward(a, e.InputIDs[:n], n, ForwardOptions{}); err != nil {
		t.Fatal(err)
	}
	b := m.NewCache(1)
	for _, id := range e.InputIDs[:n] {
		if _, err := m.Forward(b, []int{id}, 1, ForwardOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range e.InputIDs[n:] {
		la, err := m.Forward(a, []int{id}, 1, ForwardOptions{})
		if err != nil {
			t.Fatal(err)
		}
		la = append([]float32(nil), la...)
		lb, err := m.Forward(b, []int{id}, 1, ForwardOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for k := range la {
			if d := math.Abs(float64(la[k] - lb[k])); d > 2e-2 {
				t.Fatalf("code %d: prefilled %v, stepped %v", k, la[k], lb[k])
			}
		}
	}
	// Gather keeps a half cache half.
	if g := a.Gather([]int{0, 0}); !g.Half() || g.Len() != a.Len() {
		t.Fatal("Gather lost the cache's precision or length")
	}
}

// Decoding reuses one buffer of attention scores for every step, sized for
// the cache's capacity on the first (allocated afresh at each step, the
// buffers and the zeroing of their fresh pages took a twelfth of a batch-1
// int8 profile), in half and float32 caches alike.
func TestDecodeReusesScoreBuffers(t *testing.T) {
	c := DefaultConfig()
	c.NEmbd, c.NLayer, c.NHead = 64, 2, 4
	m, err := Random(c, 5)
	if err != nil {
		t.Fatal(err)
	}
	exact := m.NewExactCache(2)
	m.EnableHalf()
	for _, kc := range []*Cache{m.NewCache(2), exact} {
		var first *float32
		for step := range 12 {
			if _, err := m.Forward(kc, []int{c.SOS(), c.SOS()}, 1, ForwardOptions{}); err != nil {
				t.Fatal(err)
			}
			if step == 0 {
				first = &kc.ws.scores[0]
			}
			if &kc.ws.scores[0] != first || len(kc.ws.scores) != 2*c.NHead*c.NPositions {
				t.Fatalf("half %v, step %d: the scores buffer was allocated again (%d floats)", kc.half, step, len(kc.ws.scores))
			}
		}
	}
}

// A decode step allocates nothing in half and int8 precision, at batch 1
// to 16, at imagegpt-small's width (whose batches of 4 and up run the
// activation, and of 16 the norms, in parallel): every parallel loop's
// body is bound once per cache (loops.go). A closure a loop and the
// reflection of tensor.Dense.Data had made 512 allocations a step on
// imagegpt-small, whose collected pages this VM faulted in afresh;
// removing them took batch-1 sampling from 247–276 to 276–296 tokens/s
// (f16) and 388–417 to 429–442 (int8).
func TestDecodeStepAllocatesNothing(t *testing.T) {
	c := DefaultConfig()
	c.NEmbd, c.NLayer, c.NHead, c.NPositions = 512, 2, 8, 64
	for _, prec := range []string{"f16", "int8"} {
		m, err := Random(c, 7)
		if err != nil {
			t.Fatal(err)
		}
		if prec == "int8" {
			m.EnableInt8()
		} else {
			m.EnableHalf()
		}
		for _, batch := range []int{1, 4, 16} {
			kc := m.NewCache(batch)
			ids := make([]int, batch)
			for i := range ids {
				ids[i] = c.SOS()
			}
			step := func() {
				if kc.Len() >= c.NPositions-1 {
					kc.Truncate(1)
				}
				if _, err := m.Forward(kc, ids, 1, ForwardOptions{Workers: 2}); err != nil {
					t.Fatal(err)
				}
			}
			step() // the first step sizes the buffers and binds the loops
			if n := testing.AllocsPerRun(50, step); n != 0 {
				t.Errorf("%s, batch %d: %.1f allocations a decode step, want none", prec, batch, n)
			}
		}
	}
}
