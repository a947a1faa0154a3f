package progress

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"
)

// A counter stays silent for quick work, then thins its updates to two a
// second, always shows the last one and ends its line.
func TestCounter(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeClock{t: time.Unix(0, 0)}
	update, end := counter(&buf, "rows", clock.now)
	update(1, 4) // at 0 s: quick work prints nothing
	end()
	if buf.Len() != 0 {
		t.Fatalf("quick work printed %q", buf.String())
	}

	update, end = counter(&buf, "rows", clock.now)
	for i, step := range []time.Duration{1100, 100, 500, 10} { // ms after the previous update
		clock.t = clock.t.Add(step * time.Millisecond)
		update(i+1, 4)
	}
	end()
	want := []string{"25% [====>               ]  rows: 1 of 4", "75% [==============>     ]  rows: 3 of 4", "100% [====================]  rows: 4 of 4"}
	got := drawn(buf.String())
	if !drewInOrder(got, want) || slices.ContainsFunc(got, func(s string) bool { return strings.HasSuffix(s, "rows: 2 of 4") }) || !strings.HasSuffix(buf.String(), "\n") {
		t.Fatalf("printed %q: drew %q, want %q and a line end", buf.String(), got, want)
	}
}
