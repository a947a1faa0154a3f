package trainjob

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadLogTail reads the last lines of a long log from its end, whole.
func TestReadLogTail(t *testing.T) {
	dir := t.TempDir()
	if lines, err := ReadLogTail(dir, 5); lines != nil || err != nil {
		t.Fatalf("no log: %q, %v", lines, err)
	}
	var b strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&b, "line %d %s\n", i, strings.Repeat("x", i%50))
	}
	if err := os.WriteFile(filepath.Join(dir, LogFile), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	lines, err := ReadLogTail(dir, 3)
	if err != nil || len(lines) != 3 {
		t.Fatalf("%q, %v", lines, err)
	}
	for i, l := range lines {
		n := 4997 + i
		if want := fmt.Sprintf("line %d %s", n, strings.Repeat("x", n%50)); l != want {
			t.Fatalf("line %d: %q, want %q", i, l, want)
		}
	}
	many, err := ReadLogTail(dir, 400)
	if err != nil || len(many) != 400 || !strings.HasPrefix(many[0], "line 4600 ") {
		t.Fatalf("400 lines: %d, first %q, %v", len(many), many[0], err)
	}
}
