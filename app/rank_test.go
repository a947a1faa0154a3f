package app

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// generate --rank orders a batch as the studio does: best first by how
// much the prompt explains each image, printed and recorded.
func TestGenerateRankByPromptGain(t *testing.T) {
	m := tinyModel(t)
	out := filepath.Join(t.TempDir(), "r.png")
	code, stdout, stderr := run(t, "generate", "--model", m, "--prompt", "cat", "--batch", "4", "--seed", "3", "--rank", "--out", out, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines: %q", len(lines), stdout)
	}
	prev := 1e9
	for i, line := range lines {
		var gain float64
		f := strings.Split(line, "\t")
		if len(f) < 3 {
			t.Fatalf("line %q", line)
		}
		if _, err := fmt.Sscanf(f[2], "prompt gain %f nats/token", &gain); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if gain > prev {
			t.Fatalf("line %d gain %g after %g: not best first", i, gain, prev)
		}
		prev = gain
		rec, _ := readRecord(t, f[0])
		if g, ok := rec.Extra["prompt_gain"].(float64); !ok || fmt.Sprintf("%.4f", g) != fmt.Sprintf("%.4f", gain) {
			t.Fatalf("%s records prompt gain %v, printed %g", f[0], rec.Extra["prompt_gain"], gain)
		}
	}
}
