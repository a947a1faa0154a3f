package widgets

import (
	"strings"
	"testing"
)

// WrapText breaks a path longer than a line after its slashes, and a long
// word without any every n characters: no line is longer than n.
func TestWrapTextBreaksLongWords(t *testing.T) {
	path := "/home/someone/Pictures/tessera-runs/icons-emoji-20261203-094151/model/model.safetensors"
	got := WrapText("Its folder "+path+" goes.", 30)
	for _, line := range strings.Split(got, "\n") {
		if len(line) > 30 {
			t.Errorf("line %q is longer than 30 characters in %q", line, got)
		}
	}
	if strings.ReplaceAll(strings.ReplaceAll(got, "\n", ""), " ", "") != strings.ReplaceAll("Its folder "+path+" goes.", " ", "") {
		t.Errorf("characters lost or added: %q", got)
	}
	if !strings.Contains(got, "/home/someone/Pictures/\n") {
		t.Errorf("not broken after a slash: %q", got)
	}
	if got := WrapText(strings.Repeat("x", 25), 10); got != strings.Repeat("x", 10)+"\n"+strings.Repeat("x", 10)+"\n"+strings.Repeat("x", 5) {
		t.Errorf("a long word without slashes: %q", got)
	}
}
