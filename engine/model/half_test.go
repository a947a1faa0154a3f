package model

import (
	"math"
	"testing"
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
