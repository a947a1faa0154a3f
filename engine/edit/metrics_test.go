package edit

import (
	"strings"
	"testing"
)

// UnchangedShare counts the changeable patches (the mask's, or all) that
// kept the source's code.
func TestUnchangedShare(t *testing.T) {
	src := []int{1, 2, 3, 4}
	if got := UnchangedShare(src, []int{1, 2, 9, 9}, nil); got != 0.5 {
		t.Errorf("no mask: %g, want 0.5", got)
	}
	if got := UnchangedShare(src, []int{1, 2, 9, 4}, []bool{false, false, true, true}); got != 0.5 {
		t.Errorf("mask over the last two: %g, want 0.5", got)
	}
	if got := UnchangedShare(src, []int{7, 7, 3, 4}, []bool{false, false, true, true}); got != 1 {
		t.Errorf("only unmasked patches changed: %g, want 1", got)
	}
	if got := UnchangedShare(src, src, []bool{false, false, false, false}); got != 0 {
		t.Errorf("nothing changeable: %g, want 0", got)
	}
}

// The warning comes at NotTaken and above, and explains a mask's pull.
func TestNotTakenWarning(t *testing.T) {
	if w := NotTakenWarning(NotTaken-0.01, false); w != "" {
		t.Errorf("below NotTaken: %q", w)
	}
	w := NotTakenWarning(0.83, false)
	if !strings.Contains(w, "83%") || strings.Contains(w, "reading order") {
		t.Errorf("unmasked: %q", w)
	}
	if w := NotTakenWarning(0.9, true); !strings.Contains(w, "90% of the masked patches") || !strings.Contains(w, "reading order") {
		t.Errorf("masked: %q", w)
	}
}
