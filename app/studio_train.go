package app

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"fyne.io/fyne/v2"

	"github.com/tessera-studio/tessera/engine/trainjob"
	"github.com/tessera-studio/tessera/ui"
)

// driveTrainScreenshot opens the Train tab, starts a small shapes run (the
// preset's data and codebook, a smaller transformer, a six-minute budget)
// and, once the loss curve has a few validation passes and the sample
// grid shows, saves a screenshot of the window to path and pauses the run.
func driveTrainScreenshot(s *ui.Studio, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	time.Sleep(time.Second) // let the window appear
	s.Wait()
	tab := s.Train()
	var err error
	fyne.DoAndWait(func() {
		s.ShowTab("Train")
		tab.SetData("shapes")
		tab.SetBudget(6, max(1, runtime.NumCPU()/2))
		tab.SetTune(func(st *trainjob.Settings) {
			st.Width, st.Layers, st.Heads, st.Batch, st.EvalEvery = 64, 2, 4, 16, 25
		})
		err = tab.Start()
	})
	if err != nil {
		return err
	}
	deadline := time.Now().Add(12 * time.Minute)
	for {
		var steps, vals int
		var samples, running bool
		var status string
		fyne.DoAndWait(func() {
			steps, vals = tab.Curve()
			samples, running, status = tab.SamplesShown(), tab.Running(), tab.Status()
		})
		if !running {
			return fmt.Errorf("the run ended before the screenshot: %s", status)
		}
		if vals >= 4 && samples && steps >= 200 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no progress to show after 12 minutes (%d steps, %d validation passes)", steps, vals)
		}
		time.Sleep(500 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // the last flush
	if err := capture(s, path); err != nil {
		return err
	}
	fyne.DoAndWait(tab.Pause)
	for running := true; running; {
		time.Sleep(200 * time.Millisecond)
		fyne.DoAndWait(func() { running = tab.Running() })
	}
	return nil
}
