package app

import (
	"fmt"
	"strings"
	"testing"
)

// A model of 64 MiB or more shows a progress line while it loads, except
// under --quiet (quietLog), which printed it anyway.
func TestLoadProgressQuiet(t *testing.T) {
	for _, quiet := range []bool{false, true} {
		var buf strings.Builder
		log := logFor(Env{Stderr: &buf}, quiet)
		progress, done := loadProgress(log, "rm/small")
		progress(0, 300<<20)
		progress(300<<20, 300<<20)
		done()
		fmt.Fprintln(log, "note: a note")
		got := buf.String()
		if shown := strings.Contains(got, "loading rm/small: 100% of"); shown == quiet || !strings.Contains(got, "note: a note") {
			t.Errorf("quiet %v: %q", quiet, got)
		}
	}
	var buf strings.Builder
	progress, done := loadProgress(&buf, "small")
	progress(1<<20, 1<<20)
	done()
	if buf.Len() != 0 {
		t.Errorf("a 1 MiB model: %q", buf.String())
	}
}
