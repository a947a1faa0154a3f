package trainjob

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tessera-studio/tessera/engine/train"
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

// Summary says when no validation pass ran rather than printing NaN.
func TestSummaryWithoutValidation(t *testing.T) {
	got := Summary(&train.Result{Stop: train.StopCanceled, Steps: 18, TotalSteps: 400, BestVal: math.NaN(), BestStep: 18, ModelDir: "m"}, time.Second, 0)
	if strings.Contains(got, "NaN") || !strings.Contains(got, "no validation pass yet (the model holds the step-18 weights)") {
		t.Errorf("%q", got)
	}
	// A resume that found its schedule ended says so, not "stopped (done)".
	if got := Summary(&train.Result{Stop: train.StopDone, Steps: 9, TotalSteps: 9, BestVal: 1, ModelDir: "m"}, time.Second, 0); !strings.HasPrefix(got, "nothing left to train: the run had ended its schedule of 9 steps") || !strings.Contains(got, "--steps N, N > 9") {
		t.Errorf("a resume with nothing to train: %q", got)
	}
	if got := Summary(&train.Result{Stop: train.StopDone, Steps: 9, TotalSteps: 9, Trained: 3, BestVal: 1, ModelDir: "m"}, time.Second, 0); !strings.HasPrefix(got, "finished its schedule after 9/9 steps") {
		t.Errorf("a run that trained to its end: %q", got)
	}
	// The reason and the time: --stop-at is not a time budget, and the
	// preparation before training is said apart from the training time.
	stopped := &train.Result{Stop: train.StopBudget, Steps: 40, TotalSteps: 100, Trained: 40, BestVal: 1, ModelDir: "m", Elapsed: 90 * time.Second}
	if got := Summary(stopped, 150*time.Second, 40); !strings.HasPrefix(got, "stopped at step 40 (--stop-at) after 40/100 steps in 1m30s of training (2m30s with preparing the data)") {
		t.Errorf("--stop-at: %q", got)
	}
	if got := Summary(stopped, 90*time.Second, 0); !strings.HasPrefix(got, "stopped: its time budget ran out after 40/100 steps in 1m30s:") {
		t.Errorf("budget: %q", got)
	}
	// Resumed: the run's whole time beside this call's, as the progress
	// lines count it.
	resumed := &train.Result{Stop: train.StopDone, Steps: 66, TotalSteps: 66, Trained: 6, BestVal: 1, ModelDir: "m", Elapsed: 8 * time.Second, TotalElapsed: 125 * time.Second}
	if got := Summary(resumed, 8*time.Second, 0); !strings.Contains(got, "after 66/66 steps in 8s, 2m5s over all its sessions:") {
		t.Errorf("resumed: %q", got)
	}
	if got := Summary(&train.Result{BestVal: 0.5, BestStep: 7}, 0, 0); !strings.Contains(got, "best validation 0.5000 bits/token at step 7") {
		t.Errorf("%q", got)
	}
}
