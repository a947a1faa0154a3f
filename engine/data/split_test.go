package data

import (
	"fmt"
	"slices"
	"testing"
)

func keysOf(samples []Sample) []string {
	var keys []string
	for _, s := range samples {
		keys = append(keys, s.Key+"/"+s.Style)
	}
	return keys
}

func TestSplit(t *testing.T) {
	var samples []Sample
	for i := range 200 {
		for _, style := range []string{"google", "twitter"} {
			samples = append(samples, Sample{Key: fmt.Sprintf("K%d", i), Style: style})
		}
	}
	train, val := Split(samples, 0.2, 7)
	train2, val2 := Split(samples, 0.2, 7)
	if !slices.Equal(keysOf(train), keysOf(train2)) || !slices.Equal(keysOf(val), keysOf(val2)) {
		t.Fatal("Split is not deterministic")
	}
	if len(train)+len(val) != len(samples) {
		t.Fatalf("lost samples: %d + %d != %d", len(train), len(val), len(samples))
	}
	if len(val) < 40 || len(val) > 120 {
		t.Fatalf("val has %d of %d samples for fraction 0.2", len(val), len(samples))
	}
	side := map[string]bool{}
	for _, s := range val {
		side[s.Key] = true
	}
	for _, s := range train {
		if side[s.Key] {
			t.Fatalf("key %s is on both sides", s.Key)
		}
	}
	// A key's side does not depend on the other samples.
	_, valHalf := Split(samples[:200], 0.2, 7)
	for _, s := range valHalf {
		if !side[s.Key] {
			t.Fatalf("key %s moved to val when data shrank", s.Key)
		}
	}
	_, other := Split(samples, 0.2, 8)
	if slices.Equal(keysOf(val), keysOf(other)) {
		t.Fatal("seed does not change the split")
	}
}

func TestSplitEdges(t *testing.T) {
	two := []Sample{{Key: "a"}, {Key: "b"}}
	for _, f := range []float64{0.0001, 0.9999} {
		train, val := Split(two, f, 1)
		if len(train) != 1 || len(val) != 1 {
			t.Fatalf("fraction %v: %d train, %d val", f, len(train), len(val))
		}
	}
	if train, val := Split(two, 0, 1); len(train) != 2 || len(val) != 0 {
		t.Fatal("fraction 0 held something out")
	}
	if train, val := Split(two, 1, 1); len(train) != 0 || len(val) != 2 {
		t.Fatal("fraction 1 kept something")
	}
	if train, val := Split(nil, 0.5, 1); train != nil || val != nil {
		t.Fatal("empty input gave samples")
	}
}

func TestSplitImages(t *testing.T) {
	var samples []Sample
	for i := range 300 {
		for _, style := range []string{"google", "twitter"} {
			samples = append(samples, Sample{Key: fmt.Sprintf("K%d", i), Caption: fmt.Sprintf("thing %d %s", i, style), Style: style})
		}
	}
	train, val := SplitImages(samples, 0.1, 3)
	train2, val2 := SplitImages(samples, 0.1, 3)
	if !slices.Equal(keysOf(train), keysOf(train2)) || !slices.Equal(keysOf(val), keysOf(val2)) {
		t.Fatal("SplitImages is not deterministic")
	}
	if len(train)+len(val) != len(samples) || len(val) < 30 || len(val) > 95 {
		t.Fatalf("%d train + %d val of %d for fraction 0.1", len(train), len(val), len(samples))
	}
	// Held out by image: most held-out keys still have their other vendor in training.
	trained := map[string]bool{}
	for _, s := range train {
		trained[s.Key] = true
	}
	both := 0
	for _, s := range val {
		if trained[s.Key] {
			both++
		}
	}
	if both < len(val)*3/4 {
		t.Fatalf("only %d of %d held-out images have their key in training", both, len(val))
	}
	two := []Sample{{Key: "a", Caption: "a"}, {Key: "b", Caption: "b"}}
	for _, f := range []float64{0.0001, 0.9999} {
		if tr, va := SplitImages(two, f, 1); len(tr) != 1 || len(va) != 1 {
			t.Fatalf("fraction %v: %d train, %d val", f, len(tr), len(va))
		}
	}
}

// A small set holds out at most its fraction's share, rounded (at least
// one): each key drawn on its own, 12 pictures lost 4 to validation.
func TestSplitSmallSetHoldsOutItsShare(t *testing.T) {
	most := 0
	for seed := range uint64(200) {
		var samples []Sample
		for i := range 12 {
			samples = append(samples, Sample{Key: fmt.Sprintf("pic-%d.png", i)})
		}
		tr, va := Split(samples, 0.1, seed)
		if len(va) != 1 || len(tr) != 11 {
			t.Fatalf("seed %d: %d held out of 12, want 1", seed, len(va))
		}
		samples = samples[:0]
		for i := range 60 {
			samples = append(samples, Sample{Key: fmt.Sprintf("pic-%d.png", i)})
		}
		_, va = Split(samples, 0.1, seed)
		most = max(most, len(va))
		if len(va) < 1 || len(va) > 6 {
			t.Fatalf("seed %d: %d held out of 60, want 1 to 6", seed, len(va))
		}
	}
	if most != 6 {
		t.Errorf("60 keys: at most %d held out over 200 seeds, want the cap (6) reached", most)
	}
}
