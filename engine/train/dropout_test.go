package train

import (
	"math"
	"testing"
)

// TestDropoutMask: the mask does not depend on how it is split, and drops
// about the requested fraction.
func TestDropoutMask(t *testing.T) {
	n := 100003
	whole := make([]uint8, n)
	fillMask(whole, 77, 0, 0.1)
	parts := make([]uint8, n)
	for lo := 0; lo < n; {
		hi := min(n, lo+1+lo%13)
		fillMask(parts[lo:hi], 77, lo, 0.1)
		lo = hi
	}
	kept := 0
	for i := range whole {
		if whole[i] != parts[i] {
			t.Fatalf("element %d differs when split", i)
		}
		kept += int(whole[i])
	}
	if f := 1 - float64(kept)/float64(n); math.Abs(f-0.1) > 0.005 {
		t.Errorf("dropped %.4f, want 0.1", f)
	}
}
