package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gofrs/flock"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/train"
	"github.com/tessera-studio/tessera/engine/trainjob"
	"github.com/tessera-studio/tessera/internal/imagetest"
	"github.com/tessera-studio/tessera/internal/plural"
	progressline "github.com/tessera-studio/tessera/internal/progress"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// foldersToo are the tiny models plus any model folder (what the app's
// catalog does), so a trained model can be opened.
type foldersToo struct{ tinyModels }

func (m foldersToo) Open(key string, progress func(done, total int64)) (*bundle.Bundle, error) {
	if isFolderKey(key) {
		return FolderModels{}.Open(key, progress)
	}
	return m.tinyModels.Open(key, progress)
}

// trainEnv is a studio whose Train tab keeps its runs in runs, with the
// tiny shapes data tokenised once in prepared.
type trainEnv struct {
	*studioEnv
	runs     string
	prepared string // a prepared.gob of tinyTune's shapes data
}

// tinyTune shrinks a shapes run to seconds: 16×16 px in 2×2 patches of 16
// codes, one layer 16 wide, batch 2, one thread, steps optimiser steps.
func tinyTune(steps, evalEvery int) func(*trainjob.Settings) {
	return func(s *trainjob.Settings) {
		s.Size, s.Codes, s.Width, s.Layers, s.Heads, s.Batch, s.Threads = 16, 16, 16, 1, 2, 2, 1
		s.Steps, s.EvalEvery, s.Minutes = steps, evalEvery, 0
		s.SamplePrompts = s.SamplePrompts[:min(1, len(s.SamplePrompts))]
	}
}

// startTiny opens a studio on the Train tab and starts a tiny 5,000-step
// shapes run in run folder name, validating every evalEvery steps.
func (e *trainEnv) startTiny(t *testing.T, name string, evalEvery int) (*Studio, *TrainTab, string) {
	t.Helper()
	s := e.open(t)
	tab := s.Train()
	s.ShowTab(trainTab)
	dir := e.runFolder(t, name)
	tab.SetTune(tinyTune(5000, evalEvery))
	tab.SetRunFolder(dir)
	must(t, tab.Start())
	return s, tab, dir
}

func newTrainEnv(t *testing.T) *trainEnv {
	t.Helper()
	e := &trainEnv{studioEnv: newEnv(t), runs: t.TempDir()}
	e.models = foldersToo{tinyModels{b: bundletest.Tiny(3)}}
	st := trainjob.Preset("shapes")
	st.OutDir = t.TempDir()
	tinyTune(1, 1)(&st)
	if _, err := trainjob.PrepareData(context.Background(), st, trainjob.Events{}); err != nil {
		t.Fatal(err)
	}
	e.prepared = trainjob.PreparedPath(st.OutDir)
	return e
}

// open builds a studio on the env's runs folder.
func (e *trainEnv) open(t *testing.T) *Studio {
	t.Helper()
	s := NewStudio(e.app, Options{Version: "test", Models: e.models, OutputsDir: e.outputs, StateDir: e.state, RunsDir: e.runs, Workers: 1, loop: newTestLoop()})
	s.Window().Resize(fyne.NewSize(1200, 800))
	s.Wait()
	t.Cleanup(func() {
		s.Train().Stop()
		s.Train().wait()
		s.Stop()
		s.Wait()
		s.save.Flush()
	})
	return s
}

// runFolder is a new run folder under the runs folder holding the
// tokenised tiny shapes data (so runs skip the k-means).
func (e *trainEnv) runFolder(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(e.runs, name)
	must(t, os.MkdirAll(dir, 0o755))
	b, err := os.ReadFile(e.prepared)
	must(t, err)
	must(t, os.WriteFile(trainjob.PreparedPath(dir), b, 0o644))
	return dir
}

// pumpFor runs the studio's UI work until cond holds (failing after a
// minute).
func pumpFor(t *testing.T, s *Studio, what string, cond func() bool) {
	t.Helper()
	l := s.loop.(*testLoop)
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; status %q, error %v", what, s.Train().Status(), s.Train().LastError())
		}
		if !l.runQueued() {
			time.Sleep(2 * time.Millisecond)
		}
	}
}

// TestTrainTab trains tiny shapes runs from the Train tab: progress
// reaches the status line and the loss curve, Pause saves a checkpoint
// and Resume continues from its step (also in a new studio), Stop keeps
// the model and "Use this model" puts it in the picker; fine-tuning the
// current model; and bad data or run folders give clear errors.
func TestTrainTab(t *testing.T) {
	e := newTrainEnv(t)
	t.Run("threads cut to the cores are said, focus follows the run buttons", func(t *testing.T) {
		s := e.open(t)
		tab := s.Train()
		s.ShowTab(trainTab)
		tab.SetTune(tinyTune(5000, 100))
		tab.SetData("shapes")
		tab.SetBudget(0, runtime.NumCPU()+6)
		tab.SetRunFolder(e.runFolder(t, "threads"))
		c := s.win.Canvas()
		c.Focus(tab.start) // a keyboard user's Space on Start
		test.Tap(tab.start)
		// The greyed-out form names the run's folder while it goes (it
		// went blank: nothing said which run was being prepared).
		if tab.runDir.Text != filepath.Join(e.runs, "threads") {
			t.Errorf("while the run goes, Run folder reads %q", tab.runDir.Text)
		}
		if c.Focused() != nil {
			// Not Stop: a second Space would end the run just started.
			t.Errorf("the focus is on %v once Start greyed out, the data being prepared (no Pause yet)", c.Focused())
		}
		want := fmt.Sprintf("on %d threads, this computer's cores (Threads asked %d)", runtime.NumCPU(), runtime.NumCPU()+6)
		if !strings.Contains(tab.Status(), want) || tab.threads.Text != strconv.Itoa(runtime.NumCPU()) {
			t.Errorf("Start with more threads than cores: status %q, Threads %q", tab.Status(), tab.threads.Text)
		}
		// The status gives way to the preparing at once: the log keeps it.
		if line := fmt.Sprintf("threads: %d asked; this computer has %d cores, so training uses %d", runtime.NumCPU()+6, runtime.NumCPU(), runtime.NumCPU()); !strings.Contains(tab.Info(), line) {
			t.Errorf("the log shown lacks %q: %q", line, tab.Info())
		}
		// The run is listed from Start on, highlighted, and its line says
		// what it is doing (it appeared only at its first step).
		if i := slices.IndexFunc(tab.Runs(), func(r *trainjob.RunInfo) bool { return r.Dir == filepath.Join(e.runs, "threads") }); i < 0 || tab.HighlightedRun() != tab.Runs()[i].Dir ||
			!strings.HasPrefix(tab.runLine(tab.Runs()[i]), "threads — preparing the data · shapes") {
			t.Errorf("while its data is prepared, the run is not listed and highlighted as such (%d runs, highlighted %q)", len(tab.Runs()), tab.HighlightedRun())
		}
		c.Focus(tab.stop) // a keyboard user's Space on Stop
		test.Tap(tab.stop)
		if r := s.unsavedReason(nil); r != "" {
			t.Errorf("once the run is cancelled, quitting would lose %q", r)
		}
		tab.wait()
		if tab.runDir.Text != "" {
			t.Errorf("after the run, Run folder reads %q: the next run's is a new one", tab.runDir.Text)
		}
		if f, ok := c.Focused().(*widgets.TipButton); !ok || f.Disabled() || f != tab.start && f != tab.resume {
			t.Errorf("after Stop the focus is on %v, not Start or Resume", c.Focused())
		}
	})
	t.Run("progress pause resume", func(t *testing.T) {
		s := e.open(t)
		tab := s.Train()
		if s.Tab() != createTab {
			t.Fatalf("the window opens on %q", s.Tab())
		}
		s.ShowTab(trainTab)
		dir := e.runFolder(t, "pause")
		tab.SetTune(tinyTune(5000, 100))
		tab.SetData("shapes")
		tab.SetBudget(0, 1)
		tab.SetRunFolder(dir)
		s.win.Canvas().Focus(tab.start) // a keyboard user's Space on Start
		test.Tap(tab.start)
		// While the data is prepared there is no checkpoint to pause at:
		// Pause waits for the first step, Stop cancels.
		if !tab.Running() || !tab.start.Disabled() || !tab.pause.Disabled() || tab.stop.Disabled() {
			t.Fatalf("not running after Start, or Pause enabled before training: %v", tab.LastError())
		}
		if !tab.use.Disabled() {
			t.Fatal("Use this model is enabled before the run has a model")
		}
		pumpFor(t, s, "progress", func() bool {
			n, _ := tab.Curve()
			return n >= 5 && strings.HasPrefix(tab.Status(), "Step ")
		})
		if !strings.Contains(tab.Status(), "tokens/s") || !strings.Contains(tab.Status(), "ETA") || tab.pause.Disabled() {
			t.Fatalf("status %q, pause disabled %v", tab.Status(), tab.pause.Disabled())
		}
		// The focus, let go while the data was prepared, is on Pause
		// once it can pause: Space there pauses.
		if f := s.win.Canvas().Focused(); f != fyne.Focusable(tab.pause) {
			t.Errorf("once the run can pause the focus is on %v, not Pause", f)
		}
		test.Tap(tab.pause)
		tab.wait()
		info, err := trainjob.ReadRun(dir)
		must(t, err)
		if info.Record == nil || info.Record.State != trainjob.StatePaused || info.Step < 5 || info.Step >= 5000 {
			t.Fatalf("after Pause: %+v, status %q", info, tab.Status())
		}
		if !strings.HasPrefix(tab.Status(), "Paused at step") || tab.resume.Disabled() || tab.RunDir() != dir {
			t.Fatalf("after Pause: status %q, resume disabled %v, run %q", tab.Status(), tab.resume.Disabled(), tab.RunDir())
		}
		// Resumed in the same studio, the log goes on from where it was.
		before := slices.Clone(tab.logLines)
		if len(before) == 0 {
			t.Fatal("no log lines before the pause")
		}
		// A Train tab run without a budget resumes without one, whatever
		// the form says (the form's budget is for a tessera train
		// --minutes run's resume: below).
		tab.SetBudget(30, 1)
		test.Tap(tab.resume)
		if tab.job == nil || tab.job.st.Minutes != 0 {
			t.Fatalf("a run without a budget resumed with one: %+v", tab.job)
		}
		if tab.job.st.PrepCache == "" {
			t.Error("a resume has no prepared-data cache to take deleted data back from")
		}
		if !strings.Contains(tab.Info(), before[len(before)-1]) {
			t.Fatalf("the log after resuming in the same studio (before: %q): %q", before, tab.Info())
		}
		pumpFor(t, s, "steps after resuming in the same studio, logged", func() bool {
			n, _ := tab.Curve()
			return n > info.Step+2 && strings.HasPrefix(tab.Status(), "Step ") && strings.Contains(tab.Info(), "— resumed at step")
		})
		test.Tap(tab.pause)
		tab.wait()
		info, err = trainjob.ReadRun(dir)
		must(t, err)
		// A run of tessera train --minutes (one call's budget, none of the
		// run's) resumes for the form's Time budget: --minutes 0.01 ran one
		// step again.
		rec := *info.Record
		rec.Settings.Minutes, rec.Settings.Budget = 0.01, 0
		must(t, trainjob.WriteRecord(dir, rec))
		must(t, tab.OpenRunFolder(dir))
		tab.SetBudget(30, 1)
		test.Tap(tab.resume)
		if tab.job == nil || tab.job.st.Minutes != 30 {
			t.Fatalf("a --minutes run resumed without the form's budget: %+v", tab.job)
		}
		pumpFor(t, s, "steps of the --minutes run's resume", func() bool { return strings.HasPrefix(tab.Status(), "Step ") })
		test.Tap(tab.pause)
		tab.wait()
		after, err := trainjob.ReadRecord(dir)
		must(t, err)
		after.Settings.Minutes = 0 // as it was, for what follows
		must(t, trainjob.WriteRecord(dir, *after))
		// A Train tab run with a budget keeps it, and the form shows it
		// with a note where other minutes were typed (it showed 5 and
		// trained what was left of 0.3 without a word).
		budgeted := *after
		budgeted.Settings.Minutes, budgeted.Settings.Budget = 2, 2
		must(t, trainjob.WriteRecord(dir, budgeted))
		must(t, tab.OpenRunFolder(dir))
		tab.SetBudget(5, 1)
		test.Tap(tab.resume)
		if tab.job == nil || tab.job.st.Budget != 2 || tab.minutes.Text != "2" || !strings.Contains(tab.Info(), "the time budget stays the run's 2 minutes") {
			t.Fatalf("a budgeted run resumed with 5 minutes typed: form %q, info %q", tab.minutes.Text, tab.Info())
		}
		pumpFor(t, s, "steps of the budgeted run's resume", func() bool { return strings.HasPrefix(tab.Status(), "Step ") })
		test.Tap(tab.pause)
		tab.wait()
		if tab.minutes.Text != "5" {
			t.Errorf("after the run the form's budget reads %q, not the 5 typed", tab.minutes.Text)
		}
		must(t, trainjob.WriteRecord(dir, *after))
		info, err = trainjob.ReadRun(dir)
		must(t, err)
		paused := info.Step

		// A new studio (the app reopened) lists the paused run and resumes it.
		s.Train().shutdown()
		s2 := e.open(t)
		tab2 := s2.Train()
		var listed *trainjob.RunInfo
		for _, r := range tab2.Runs() {
			if r.Dir == dir {
				listed = r
			}
		}
		if listed == nil || !listed.Resumable() || !strings.Contains(runLine(listed), "paused") {
			t.Fatalf("runs after reopening: %v", tab2.Runs())
		}
		// It is shown at once, and the status says Resume goes on.
		if tab2.RunDir() != dir || !strings.HasSuffix(tab2.Status(), fmt.Sprintf("was paused at step %s / %s: Resume continues it exactly", plural.Thousands(paused), plural.Thousands(info.TotalSteps))) {
			t.Fatalf("reopened: shown %q, status %q", tab2.RunDir(), tab2.Status())
		}
		// The studio reopens on the Create tab: its status says it too.
		if !strings.Contains(s2.Status(), fmt.Sprintf("was paused at step %s / %s: the Train tab's Resume continues it", plural.Thousands(paused), plural.Thousands(info.TotalSteps))) {
			t.Fatalf("reopened, the Create tab's status %q says nothing of the paused run", s2.Status())
		}
		tab2.list.Select(0)
		if tab2.RunDir() != dir || tab2.resume.Disabled() {
			t.Fatalf("shown %q, resume disabled %v", tab2.RunDir(), tab2.resume.Disabled())
		}
		// Resume, not Start (a new run), is the highlighted action.
		if tab2.resume.Importance != widget.HighImportance || tab2.start.Importance == widget.HighImportance {
			t.Errorf("a paused run shown: Resume's importance %v, Start's %v", tab2.resume.Importance, tab2.start.Importance)
		}
		// The reopened studio shows the run's log, read from its folder.
		if !strings.Contains(tab2.Info(), "— paused —") || !strings.Contains(tab2.Info(), "model: ") {
			t.Fatalf("a run of the closed studio shows no log:\n%s", tab2.Info())
		}
		if n, _ := tab2.Curve(); n != paused {
			t.Fatalf("the curve shows %d steps of the paused run's %d", n, paused)
		}
		tab2.SetTune(nil)
		tab2.SetBudget(0, 1)
		// The form, greyed out while the run goes, shows the run's data
		// and start, not what it held before (after a restart, the
		// defaults: "From scratch" beside a fine-tune resumed).
		tab2.SetData("mnist")
		tab2.SetFineTune(true)
		test.Tap(tab2.resume)
		if !strings.Contains(tab2.Status(), "Resuming at step") {
			t.Fatalf("status %q", tab2.Status())
		}
		if want := listed.Record.Settings.Data; tab2.data.Selected != want || tab2.from.Selected != fromScratch || !tab2.from.Disabled() {
			t.Errorf("the form while resuming: data %q, %q (disabled %v); want %q, %q", tab2.data.Selected, tab2.from.Selected, tab2.from.Disabled(), want, fromScratch)
		}
		pumpFor(t, s2, "steps after resuming", func() bool {
			n, _ := tab2.Curve()
			return n > paused+5 && strings.HasPrefix(tab2.Status(), "Step ")
		})
		tab2.Pause()
		tab2.wait()
		info, err = trainjob.ReadRun(dir)
		must(t, err)
		if n, _ := tab2.Curve(); info.Step <= paused || len(info.TrainLoss) != info.Step || n != info.Step {
			t.Fatalf("resumed from %d: checkpoint at %d with %d losses, curve %d", paused, info.Step, len(info.TrainLoss), n)
		}
		if info.Record.Settings.Width != 16 || info.Record.Settings.Threads != 1 {
			t.Fatalf("resumed with settings %+v", info.Record.Settings)
		}
		// The log goes on from the first studio's: both sessions show.
		if log := tab2.Info(); !strings.Contains(log, "— paused —") || !strings.Contains(log, fmt.Sprintf("— resumed at step %d ", paused)) {
			t.Fatalf("the log after resuming in a new studio:\n%s", log)
		}
	})

	t.Run("a stop before the first validation pass validates once", func(t *testing.T) {
		s, tab, _ := e.startTiny(t, "early", 4000)
		pumpFor(t, s, "a few steps", func() bool {
			n, _ := tab.Curve()
			return n >= 3
		})
		if !tab.use.Disabled() {
			t.Fatal("Use this model is enabled before the run has a model")
		}
		test.Tap(tab.stop)
		tab.wait()
		step, _ := tab.Curve()
		if st := tab.Status(); !strings.Contains(st, "best validation") || !strings.Contains(st, fmt.Sprintf("at step %d ", step)) || strings.Contains(st, "NaN") || tab.use.Disabled() {
			t.Fatalf("after an early Stop at step %d: status %q, use disabled %v (a Stop validates the current weights and exports them)", step, st, tab.use.Disabled())
		}
	})

	t.Run("stop and use this model", func(t *testing.T) {
		s, tab, dir := e.startTiny(t, "stop", 4)
		pumpFor(t, s, "a validation pass and samples", func() bool {
			_, v := tab.Curve()
			return v >= 1 && tab.SamplesShown()
		})
		if rows := tab.SampleRows(); !strings.HasPrefix(rows, "Rows, top to bottom: red circle") {
			t.Errorf("the sample grid's caption: %q", rows)
		}
		test.Tap(tab.stop)
		tab.wait()
		if !strings.HasPrefix(tab.Status(), "Stopped at step") || tab.use.Disabled() {
			t.Fatalf("after Stop: status %q, use disabled %v", tab.Status(), tab.use.Disabled())
		}
		if info, _ := trainjob.ReadRun(dir); info.Record.State != trainjob.StateStopped {
			t.Fatalf("state %q", info.Record.State)
		}
		test.Tap(tab.use)
		s.Wait()
		model := filepath.Join(dir, "model")
		if s.LastError() != nil || s.Bundle() == nil || s.modelKey != model || s.Tab() != createTab {
			t.Fatalf("use this model: error %v, model %q, tab %q", s.LastError(), s.modelKey, s.Tab())
		}
		// A run stopped short of its schedule: the model is its model so
		// far, said with the load (it said nothing of it).
		if info, _ := trainjob.ReadRun(dir); info.Resumable() && !strings.Contains(s.Status(), "this is its model so far") {
			t.Errorf("the status after Use this model of a run stopped at step %d of %d: %q", info.Step, info.TotalSteps, s.Status())
		}
		found := false
		for _, o := range s.panel.model.Options {
			found = found || s.panel.modelKeys[o] == model
		}
		if !found || s.panel.modelKeys[s.panel.model.Selected] != model {
			t.Fatalf("the picker shows %q (selected %q)", s.panel.model.Options, s.panel.model.Selected)
		}
	})

	t.Run("a fine-tune shows the model's shape while it runs", func(t *testing.T) {
		s := e.open(t)
		must(t, s.OpenModel("tiny"))
		s.Wait()
		c := s.Bundle().Model.Config
		w, _ := s.Bundle().ImageSize()
		want := fmt.Sprintf("%d×%d px in %d px patches, %d codes; %d layers × %d wide", w, w, s.Bundle().PatchSize(), c.Codes(), c.NLayer, c.NEmbd)
		tab := s.Train()
		tab.SetFineTune(true)
		tab.SetTune(func(st *trainjob.Settings) {
			st.Steps, st.EvalEvery, st.Batch, st.Threads, st.SamplePrompts = 100000, 100000, 2, 1, nil
		})
		must(t, tab.Start())
		pumpFor(t, s, "the model's shape in the run's summary", func() bool { return strings.Contains(tab.Info(), want) })
		if tab.job == nil {
			t.Fatal("the run ended before its summary showed the model's shape")
		}
		tab.Stop()
		tab.wait()
	})

	t.Run("fine-tune the current model", func(t *testing.T) {
		s := e.open(t)
		must(t, s.OpenModel("tiny")) // the last model was the one trained above
		s.Wait()
		tab := s.Train()
		// The option names the model a fine-tune starts from.
		if got := tab.from.OptionLabel(fromCurrent); got != "Fine-tune tiny" {
			t.Errorf("fine-tune option %q, want it to name the open model", got)
		}
		// A trained run's model is named without its time, and a long name
		// keeps its start: the option sets the left side's width.
		width := tab.from.Object().MinSize().Width
		for name, want := range map[string]string{"pics-emoji-20261203-140816": "Fine-tune pics-emoji", "my-very-long-model-name": "Fine-tune my-very-long…", "tiny": "Fine-tune tiny"} {
			tab.ModelOpened(name)
			if got := tab.from.OptionLabel(fromCurrent); got != want {
				t.Errorf("model %q: fine-tune option %q, want %q", name, got, want)
			}
			// The option keeps its width: the buttons below stay put (they
			// moved under a newcomer's pointer).
			if w := tab.from.Object().MinSize().Width; w != width {
				t.Errorf("model %q: the option is %v px wide, %v with another model", name, w, width)
			}
		}
		tab.ModelOpened("tiny")
		// "Keep what it drew" is for fine-tunes on a folder: on by default
		// there, it replays the model's own training data where it is
		// known and there. Elsewhere nothing is replayed, and the box is
		// shown off and greyed out (a newcomer saw it ticked for a
		// fine-tune on the shapes, which replayed nothing).
		keep := func(where string, enabled, checked bool) {
			t.Helper()
			if tab.keep.Disabled() == enabled || tab.keep.Checked != checked {
				t.Errorf("%s: keep enabled %v, checked %v; want %v, %v", where, !tab.keep.Disabled(), tab.keep.Checked, enabled, checked)
			}
		}
		keep("from scratch on shapes", false, false)
		if !strings.Contains(tab.keep.Tip(), "a new model has nothing to keep") {
			t.Errorf("greyed out for a new model, the box says %q", tab.keep.Tip())
		}
		tab.SetFineTune(true)
		keep("a fine-tune on shapes", false, false)
		if !strings.Contains(tab.keep.Tip(), "trains on all of it") {
			t.Errorf("greyed out for a fine-tune on shapes, the box says %q", tab.keep.Tip())
		}
		// On a folder (the tiny model's own data is not known: the run
		// would say so and go on without); not on a built-in dataset.
		folder := t.TempDir()
		tab.SetData(folder)
		keep("a fine-tune on a folder", true, true)
		if strings.HasPrefix(tab.keep.Tip(), "Keep what it drew is for") {
			t.Errorf("on, the box still says why it was off: %q", tab.keep.Tip())
		}
		st, err := tab.settings()
		must(t, err)
		if st.Replay != trainjob.DefaultReplay || !st.ReplayIfPresent {
			t.Errorf("a fine-tune on a folder keeping what it drew: replay %g, if present %v", st.Replay, st.ReplayIfPresent)
		}
		// Its settings line, shown before it starts, gives the shape the
		// fine-tune trains (the base model's), not the folder preset's.
		tab.showInfo(st, "")
		if base := settingsLine(st.WithShapeOf(st.Init)); base == settingsLine(st) || !strings.Contains(tab.Info(), base) {
			t.Errorf("a fine-tune's settings line %q, want %q (the preset's: %q)", tab.Info(), base, settingsLine(st))
		}
		tab.keep.SetChecked(false)
		if st, err := tab.settings(); err != nil || st.Replay != 0 {
			t.Errorf("keep unchecked: replay %g (%v)", st.Replay, err)
		}
		// The choice is kept over another data pick and back, whether the
		// pick is the picker's own or SetData's.
		tab.data.SetSelected("mnist")
		keep("a fine-tune on mnist picked after unticking", false, false)
		tab.SetData("shapes")
		keep("a fine-tune on shapes after unticking", false, false)
		tab.SetData(folder)
		keep("the folder again", true, false)
		tab.SetFineTune(false)
		keep("from scratch on a folder", false, false)
		tab.SetFineTune(true)
		tab.keep.SetChecked(true)
		tab.SetData("shapes")
		if st, err := tab.settings(); err != nil || st.Replay != 0 {
			t.Errorf("a fine-tune on the shapes data: replay %g (%v)", st.Replay, err)
		}
		tab.SetTune(func(st *trainjob.Settings) {
			st.Steps, st.EvalEvery, st.Batch, st.Threads, st.SamplePrompts = 3, 3, 2, 1, nil
		})
		must(t, tab.Start())
		dir := tab.RunDir()
		if !strings.Contains(filepath.Base(dir), "shapes-tiny-") || filepath.Dir(dir) != e.runs {
			t.Fatalf("run folder %q", dir)
		}
		tab.wait()
		info, err := trainjob.ReadRun(dir)
		must(t, err)
		if tab.LastError() != nil || info.Record.State != trainjob.StateDone || info.Record.Settings.InitModel != "tiny" || info.ModelDir == "" {
			t.Fatalf("fine-tune: %v, %+v", tab.LastError(), info.Record)
		}
		if !strings.HasPrefix(tab.Status(), "Finished 3 steps") {
			t.Fatalf("status %q", tab.Status())
		}
		// Start in the finished run's folder says it cannot be resumed
		// (it pointed at a Resume that was off).
		tab.SetRunFolder(dir)
		if err := tab.Start(); err == nil || !strings.Contains(err.Error(), "which cannot be resumed") || !tab.resume.Disabled() {
			t.Errorf("start over a finished run: %v (Resume enabled %v)", err, !tab.resume.Disabled())
		}
		tab.SetRunFolder("")
		if info.Record.Settings.Replay != 0 || strings.Contains(tab.Info(), "replay") {
			t.Errorf("replay %g; info %q", info.Record.Settings.Replay, tab.Info())
		}
		// Another run picked shows its text from the start, whatever the
		// scroll of the one before (a kept scroll showed a blank pane).
		other := filepath.Join(e.runs, "other")
		must(t, os.MkdirAll(other, 0o755))
		must(t, os.WriteFile(filepath.Join(other, trainjob.RecordFile), []byte("{}"), 0o644))
		tab.RefreshRuns()
		tab.details.ScrollToBottom()
		scrolled := tab.details.Offset.Y
		for i, r := range tab.Runs() {
			if r.Dir != dir {
				tab.list.Select(i)
				break
			}
		}
		if scrolled > 0 && tab.details.Offset.Y != 0 {
			t.Errorf("another run shown at scroll %g (was %g)", tab.details.Offset.Y, scrolled)
		}
		if scrolled == 0 {
			t.Log("the run's text fits its pane: the scroll reset is not exercised")
		}
	})

	t.Run("bad data and run folders", func(t *testing.T) {
		s := e.open(t)
		tab := s.Train()
		// A folder with problems (no captions, duplicates) shows its data
		// report and asks before training; stopping meanwhile cancels.
		messy := t.TempDir()
		img := image.NewNRGBA(image.Rect(0, 0, 8, 8))
		for _, name := range []string{"a.png", "b.png"} {
			var buf bytes.Buffer
			must(t, png.Encode(&buf, img))
			must(t, os.WriteFile(filepath.Join(messy, name), buf.Bytes(), 0o644))
		}
		tab.SetData(messy)
		// A budget that is no number is refused in plain figures; more
		// threads than cores are cut to the cores, and the form says so.
		tab.minutes.SetText("abc")
		if err := tab.Start(); err == nil || !strings.Contains(err.Error(), "from 0.1 to 1,000,000 (0: the dataset preset's full schedule)") {
			t.Errorf("budget abc: %v", err)
		}
		tab.SetBudget(1, 999)
		if _, err := tab.settings(); err != nil || tab.threads.Text != strconv.Itoa(runtime.NumCPU()) {
			t.Errorf("999 threads: %v, the form shows %q", err, tab.threads.Text)
		}
		must(t, tab.Start())
		pumpFor(t, s, "the data report's question", func() bool { return hasDialog(s) })
		if !strings.Contains(tab.Info(), "identical images") || !strings.Contains(tab.Info(), "no caption") {
			t.Fatalf("data report: %q", tab.Info())
		}
		tab.Stop()
		if !strings.HasPrefix(tab.Status(), "Cancelling: nothing has been trained yet") {
			t.Errorf("stopping before the first step says %q", tab.Status())
		}
		tab.wait()
		s.Wait()
		if !strings.HasPrefix(tab.Status(), "Cancelled before training started") || hasDialog(s) {
			t.Fatalf("status %q, the question still shown %v", tab.Status(), hasDialog(s))
		}
		// Answering No is the user's choice: said so, not reported as a
		// failure.
		must(t, tab.Start())
		pumpFor(t, s, "the data report's question again", func() bool { return hasDialog(s) })
		no := buttonIn(s.Window().Canvas().Overlays().Top(), "No")
		if no == nil {
			t.Fatal("the data report's question has no No button")
		}
		test.Tap(no)
		tab.wait()
		s.Wait()
		if !strings.HasPrefix(tab.Status(), "Not started: fix the files the data report lists") || tab.LastError() != nil || hasDialog(s) {
			t.Fatalf("answering No: status %q, error %v, a dialog %v", tab.Status(), tab.LastError(), hasDialog(s))
		}
		// The same in a run folder typed elsewhere: declined, it is no run
		// and is not listed as one (it was, as "paused", with no settings).
		elsewhere := t.TempDir() // exists, empty
		tab.SetRunFolder(elsewhere)
		must(t, tab.Start())
		pumpFor(t, s, "the data report's question in a typed folder", func() bool { return hasDialog(s) })
		test.Tap(buttonIn(s.Window().Canvas().Overlays().Top(), "No"))
		tab.wait()
		s.Wait()
		// A report said Yes to this session is not asked about again (it
		// was at every Start): the run goes on to prepare the data.
		if rep, err := trainjob.CheckData(context.Background(), messy); err != nil || rep == nil {
			t.Fatalf("the report: %v", err)
		} else {
			tab.accepted = map[string]string{messy: strings.Join(rep.Lines(), "\n")}
		}
		again := t.TempDir()
		tab.SetRunFolder(again)
		must(t, tab.Start())
		pumpFor(t, s, "preparing the data without asking again", func() bool { return strings.Contains(tab.Info(), "loaded") || hasDialog(s) })
		if hasDialog(s) {
			t.Fatal("the report said Yes to was asked about again")
		}
		tab.Stop()
		tab.wait()
		s.Wait()
		tab.accepted = nil
		must(t, os.RemoveAll(again))
		tab.RefreshRuns()
		for _, r := range tab.Runs() {
			if cleanPath(r.Dir) == cleanPath(elsewhere) {
				t.Fatalf("a declined run is listed: %+v", r)
			}
		}
		// A folder of other files is refused before the data report.
		docs := t.TempDir()
		must(t, os.WriteFile(filepath.Join(docs, "notes.txt"), []byte("mine"), 0o644))
		tab.SetRunFolder(docs)
		if err := tab.Start(); err == nil || !strings.Contains(err.Error(), "notes.txt") || hasDialog(s) {
			t.Fatalf("a folder of other files: %v", err)
		}
		if entries, _ := os.ReadDir(docs); len(entries) != 1 {
			t.Fatalf("the folder of other files holds %d entries", len(entries))
		}
		tab.SetRunFolder("")
		// Runs stopped before their first step (a record, no checkpoint):
		// nothing to resume (Resume had restarted one from step 0 with its
		// own settings, whatever the form said), and the list's highlight
		// follows the run on display when the list is sorted again.
		never := []string{filepath.Join(e.runs, "never-a"), filepath.Join(e.runs, "never-b")} // listed, sorted newest first
		for i, d := range never {
			must(t, os.MkdirAll(d, 0o755))
			must(t, trainjob.WriteRecord(d, trainjob.Record{Settings: trainjob.Settings{Data: "shapes"}, State: trainjob.StateStopped}))
			old := time.Now().Add(time.Duration(i-10) * time.Minute)
			must(t, os.Chtimes(filepath.Join(d, trainjob.RecordFile), old, old))
			must(t, tab.OpenRunFolder(d))
		}
		if got := tab.HighlightedRun(); cleanPath(got) != cleanPath(never[1]) {
			t.Errorf("the list highlights %q, the run shown is %q", got, never[1])
		}
		// A run's folder given as the data is refused in the tab's words
		// (no command line to type; a finished run has nothing to resume),
		// without a run started.
		finished := t.TempDir()
		must(t, trainjob.WriteRecord(finished, trainjob.Record{Settings: trainjob.Settings{Data: "shapes"}, State: trainjob.StateDone}))
		must(t, os.MkdirAll(filepath.Join(finished, "model"), 0o755))
		must(t, os.WriteFile(filepath.Join(finished, "model", "model.safetensors"), nil, 0o644))
		tab.SetData(finished)
		test.Tap(tab.start)
		if err := tab.LastError(); err == nil || !strings.Contains(err.Error(), "is a training run's folder") || !strings.Contains(err.Error(), "press Use this model") ||
			strings.Contains(err.Error(), "Resume") || strings.Contains(err.Error(), "tessera train") || tab.job != nil {
			t.Errorf("a run's folder as the data: %v (a run started: %v)", err, tab.job != nil)
		}
		s.closeError()
		tab.SetData("shapes")
		row := tab.highlighted
		now := time.Now()
		must(t, os.Chtimes(filepath.Join(never[0], trainjob.RecordFile), now, now)) // never-a is now the newest
		tab.RefreshRuns()
		if got := tab.HighlightedRun(); cleanPath(got) != cleanPath(never[1]) || cleanPath(tab.RunDir()) != cleanPath(never[1]) || tab.highlighted == row {
			t.Errorf("sorted again: the list highlights %q (row %d, was %d), the run shown is %q, want %q", got, tab.highlighted, row, tab.RunDir(), never[1])
		}
		// A click on a run that can no longer be read shows nothing new:
		// the highlight stays with the run on display.
		gone := filepath.Join(e.runs, "never-a")
		must(t, os.RemoveAll(gone))
		for i, r := range tab.Runs() {
			if cleanPath(r.Dir) == cleanPath(gone) {
				tab.list.Select(i)
			}
		}
		tab.lastErr = nil
		s.closeError() // the unreadable folder's error
		if got := tab.HighlightedRun(); cleanPath(got) != cleanPath(never[1]) {
			t.Errorf("after a click on a removed run: the list highlights %q, the run shown is %q", got, tab.RunDir())
		}
		if !tab.resume.Disabled() {
			t.Error("Resume is on for a run cancelled before its first step")
		}
		if err := tab.Resume(); err == nil || !strings.Contains(err.Error(), "has no checkpoint") {
			t.Errorf("Resume of a run never trained: %v", err)
		}
		// A run the app was closed on abruptly before its first checkpoint
		// (its record still says running) says why Resume is off and how
		// to start it again.
		killed := filepath.Join(e.runs, "killed")
		must(t, os.MkdirAll(killed, 0o755))
		must(t, trainjob.WriteRecord(killed, trainjob.Record{Settings: trainjob.Settings{Data: "shapes"}, State: trainjob.StateRunning}))
		must(t, tab.OpenRunFolder(killed))
		if st := tab.Status(); !strings.Contains(st, "interrupted") || !strings.Contains(st, "nothing to resume") || !tab.resume.Disabled() {
			t.Errorf("an interrupted run without a checkpoint: status %q, Resume on %v", st, !tab.resume.Disabled())
		}

		// A folder in order but of fewer than data.FewImages pictures is
		// asked about too (it trained without a word); No says to add some.
		few := t.TempDir()
		writeSquares(t, few, 2, "\n")
		tab.SetData(few)
		tab.SetRunFolder("")
		must(t, tab.Start())
		pumpFor(t, s, "the question on a small folder", func() bool { return hasDialog(s) })
		if q := dialogText(s); !strings.Contains(q, "Only 2 pictures can be trained on") || !strings.Contains(q, "in order, but small") {
			t.Errorf("the small folder's question reads %q", q)
		}
		test.Tap(buttonIn(s.Window().Canvas().Overlays().Top(), "No"))
		tab.wait()
		s.Wait()
		if !strings.HasPrefix(tab.Status(), "Not started: add pictures to the folder") || tab.LastError() != nil {
			t.Fatalf("answering No on a small folder: status %q, error %v", tab.Status(), tab.LastError())
		}

		// Captions with CRLF line breaks or a BOM are read as if those were
		// absent: reported, but no question before training.
		crlf := t.TempDir()
		writeSquares(t, crlf, data.FewImages, "\r\n")
		tab.SetTune(tinyTune(2, 1000))
		tab.SetData(crlf)
		tab.SetRunFolder("")
		must(t, tab.Start())
		tab.wait()
		if hasDialog(s) || tab.LastError() != nil || !strings.Contains(tab.Info(), "CRLF") || !strings.HasPrefix(tab.Status(), "Finished") {
			t.Fatalf("CRLF captions: asked %v, error %v, status %q, report %q", hasDialog(s), tab.LastError(), tab.Status(), tab.Info())
		}
		tab.SetTune(nil)

		empty := t.TempDir()
		tab.SetData(empty)
		must(t, tab.Start())
		tab.wait()
		// Not started, where it said "Training failed" of a run that never
		// began.
		if err := tab.LastError(); err == nil || !strings.Contains(err.Error(), "nothing to train on") || !strings.HasPrefix(tab.Status(), "Not started: nothing to train on") {
			t.Fatalf("empty folder: %v, status %q", err, tab.Status())
		}
		// Its pictures in a folder inside: said when it is picked.
		nested := t.TempDir()
		must(t, os.MkdirAll(filepath.Join(nested, "sub"), 0o755))
		imagetest.WritePNG(t, filepath.Join(nested, "sub", "a.png"), imagetest.Solid(color.NRGBA{R: 255, A: 255}, 8))
		if line := folderLine(nested, mustReport(t, nested), nil); !strings.Contains(line, "not those of the 1 folder inside") {
			t.Errorf("a folder of a folder of pictures: %q", line)
		}
		if !strings.Contains(tab.Info(), "no images (PNG, JPEG") {
			t.Fatalf("no data report: %q", tab.Info())
		}
		tab.SetData(filepath.Join(empty, "missing"))
		must(t, tab.Start())
		tab.wait()
		if err := tab.LastError(); err == nil || !strings.Contains(err.Error(), "missing") {
			t.Fatalf("missing folder: %v", err)
		}
		tab.SetBudget(-1, 1)
		if err := tab.Start(); err == nil || !strings.Contains(err.Error(), "time budget") {
			t.Fatalf("negative budget: %v", err)
		}
		for _, m := range []float64{0.01, 1e300} { // a step or two, or a budget past time.Duration
			tab.SetBudget(m, 1)
			if err := tab.Start(); err == nil || !strings.Contains(err.Error(), "time budget") {
				t.Fatalf("budget of %g minutes: %v", m, err)
			}
		}
		tab.SetBudget(1, 0)
		if err := tab.Start(); err == nil || !strings.Contains(err.Error(), "threads") {
			t.Fatalf("no threads: %v", err)
		}
		// A bare name is a folder in the runs folder; a relative path is
		// refused (TestTrainTabRunFolderPaths).
		tab.SetBudget(1, 1)
		tab.SetData("shapes")
		tab.SetRunFolder("mine")
		if st, err := tab.settings(); err != nil || st.OutDir != filepath.Join(e.runs, "mine") {
			t.Errorf("run folder \"mine\" became %q (%v)", st.OutDir, err)
		}

		// A run folder whose checkpoint is damaged is listed with its
		// problem and cannot be resumed.
		dir := e.runFolder(t, "corrupt")
		ck := filepath.Join(dir, train.CheckpointFile)
		must(t, os.WriteFile(ck, []byte("garbage"), 0o644))
		st := trainjob.Preset("shapes")
		st.OutDir = dir
		must(t, trainjob.WriteRecord(dir, trainjob.Record{Settings: st, State: trainjob.StatePaused}))
		if err := tab.OpenRunFolder(dir); err == nil || !strings.Contains(err.Error(), ck) {
			t.Fatalf("corrupt checkpoint: %v", err)
		}
		if err := tab.Resume(); err == nil || !strings.Contains(err.Error(), "cannot resume") {
			t.Fatalf("resume a corrupt run: %v", err)
		}
		if !tab.resume.Disabled() {
			t.Fatal("Resume enabled for a corrupt run")
		}
		tab.SetBudget(1, 1)
		tab.SetData("shapes")
		tab.SetRunFolder(dir)
		if err := tab.Start(); err == nil || !strings.Contains(err.Error(), "already holds a run") {
			t.Fatalf("start over a run: %v", err)
		}
		// a run made cliRun (tessera train --out there), in no list:
		// Start lists and shows it, so that Resume is at hand
		cliRun := t.TempDir()
		st.OutDir = cliRun
		must(t, trainjob.WriteRecord(cliRun, trainjob.Record{Settings: st, State: trainjob.StatePaused}))
		must(t, os.WriteFile(filepath.Join(cliRun, train.CheckpointFile), []byte("garbage"), 0o644))
		tab.SetRunFolder(cliRun)
		if err := tab.Start(); err == nil || !strings.Contains(err.Error(), "already holds a run") {
			t.Fatalf("start over a run in no list: %v", err)
		}
		if !slices.Contains(tab.extra, cliRun) {
			t.Fatalf("the run %s was not listed: %v", cliRun, tab.extra)
		}
		// A run that ended before its first checkpoint (the studio closed
		// while its data was prepared) cannot be resumed, and says so;
		// Start trains it anew in its folder (it was refused, sent to the
		// Resume that was off).
		unstarted := e.runFolder(t, "unstarted")
		st.OutDir = unstarted
		must(t, trainjob.WriteRecord(unstarted, trainjob.Record{Settings: st, State: trainjob.StatePaused}))
		must(t, tab.OpenRunFolder(unstarted))
		if !tab.resume.Disabled() || !strings.Contains(tab.resume.Tip(), "ended before its first checkpoint") {
			t.Errorf("Resume of a run with no checkpoint: disabled %v, tip %q", tab.resume.Disabled(), tab.resume.Tip())
		}
		tab.SetRunFolder(unstarted)
		tab.SetTune(tinyTune(5000, 100))
		must(t, tab.Start())
		if !tab.Running() {
			t.Fatal("Start in the folder of a run that never trained did not start")
		}
		tab.Stop()
		tab.wait()
		tab.SetTune(nil)
		if err := tab.OpenRunFolder(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a run folder") {
			t.Fatalf("not a run folder: %v", err)
		}
		if err := tab.UseModel(); err == nil {
			t.Fatal("use a model that was never exported")
		}
	})

	t.Run("delete a run", func(t *testing.T) {
		s, tab, dir := e.startTiny(t, "doomed", 2)
		if !tab.del.Disabled() {
			t.Error("Delete enabled while the run trains")
		}
		// Another run clicked while this one trains: the display stays,
		// and the log under the plots says why (the highlight snapped
		// back without a word).
		other := e.runFolder(t, "bystander")
		st := trainjob.Preset("shapes")
		st.OutDir = other
		must(t, trainjob.WriteRecord(other, trainjob.Record{Settings: st, State: trainjob.StatePaused}))
		tab.RefreshRuns()
		for i, r := range tab.Runs() {
			if r.Dir == other {
				tab.list.Select(i)
			}
		}
		if !strings.Contains(tab.Info(), "the run in progress stays on display: bystander") || tab.RunDir() != dir {
			t.Errorf("another run clicked during a run: shown %q, log %q", tab.RunDir(), tab.Info())
		}
		pumpFor(t, s, "a validation pass", func() bool { _, v := tab.Curve(); return v >= 1 })
		test.Tap(tab.stop)
		tab.wait()
		if tab.del.Disabled() {
			t.Fatal("Delete disabled for the run shown after it stopped")
		}
		test.Tap(tab.use)
		s.Wait()
		must(t, s.Generate()) // a picture of the run's model, in the history
		s.Wait()
		runHash := s.bundle.Model.Hash
		// Its model open on the Create tab, the run stays: Delete is off
		// and its tooltip says why (it was on, and said so in an error).
		if !tab.del.Disabled() || !strings.Contains(tab.del.Tip(), "open on the Create tab") {
			t.Errorf("Delete with the run's model open: disabled %v, tip %q", tab.del.Disabled(), tab.del.Tip())
		}
		tab.AskDelete()
		if err := tab.LastError(); err == nil || !strings.Contains(err.Error(), "open on the Create tab") {
			t.Fatalf("deleting the run whose model is open: %v", err)
		}
		must(t, s.OpenModel("tiny"))
		s.Wait()
		must(t, tab.ShowRun(dir))
		if tab.del.Disabled() {
			t.Error("Delete is still off once another model is open")
		}
		// A picture of its model put aside unsaved keeps the run; saved,
		// the run goes and the work put aside with it.
		must(t, s.Generate())
		s.Wait()
		key := filepath.Join(dir, "model")
		s.works[key] = &modelWork{doc: s.doc, saved: false}
		if err := tab.DeleteRun(dir); err == nil || !strings.Contains(err.Error(), "is not saved") {
			t.Fatalf("deleting a run whose model has unsaved work: %v", err)
		}
		s.works[key].saved = true
		// The question says what becomes of the pictures of its model.
		tab.AskDelete()
		var asked []string
		widgets.Walk(s.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok {
				asked = append(asked, l.Text)
			}
		})
		if q := strings.Join(strings.Fields(strings.Join(asked, " ")), " "); !strings.Contains(q, "Pictures made with its model stay in the History") || !strings.Contains(q, "open from their pixels") {
			t.Errorf("the Delete question: %q", q)
		}
		// As tall as its text and buttons: Fyne's confirm dialog, sized by
		// its message wrapped at its narrowest, was twice that here.
		if pop, ok := s.win.Canvas().Overlays().Top().(*widget.PopUp); !ok {
			t.Error("the Delete question is not a pop-up")
		} else {
			var text float32
			widgets.Walk(pop, func(o fyne.CanvasObject) {
				if l, ok := o.(*widget.Label); ok && strings.HasPrefix(l.Text, "Delete the run") {
					text = widget.NewLabel(l.Text).MinSize().Height // its lines, unwrapped
				}
			})
			if spare := pop.Content.Size().Height - text; text == 0 || spare > 150 {
				t.Errorf("the Delete question is %.0f px tall for %.0f px of text", pop.Content.Size().Height, text)
			}
		}
		s.win.Canvas().Overlays().Top().Hide()
		s.win.Canvas().Overlays().Remove(s.win.Canvas().Overlays().Top())
		must(t, tab.DeleteRun(dir))
		if _, ok := s.works[key]; ok {
			t.Error("the work of the deleted model is still put aside")
		}
		// Its pictures in the history still open, from their pixels, with
		// the model open (loading the deleted model failed).
		s.Wait()
		opened := false
		for _, it := range s.history.items {
			if it.hash == runHash {
				must(t, s.OpenHistory(it))
				s.Wait()
				if s.Document().Parent != it.path || s.modelKey != "tiny" {
					t.Fatalf("a picture of the deleted model opened as %q with model %q", s.Document().Parent, s.modelKey)
				}
				// The status says its model is gone, not to open it from
				// the history (it was) or to open that model (there is none).
				if st := s.Status(); !strings.Contains(st, "whose folder is not found any more") || strings.Contains(st, "open it from the history") {
					t.Errorf("a picture of the deleted model opened saying %q", st)
				}
				opened = true
				break
			}
		}
		if !opened {
			t.Fatal("no history entry of the deleted run's model")
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("the run folder is still there: %v", err)
		}
		for _, r := range tab.Runs() {
			if cleanPath(r.Dir) == cleanPath(dir) {
				t.Fatal("the deleted run is still listed")
			}
		}
		if !tab.del.Disabled() || !tab.use.Disabled() || !strings.HasPrefix(tab.Status(), "Deleted the run doomed") {
			t.Fatalf("after the delete: status %q, delete disabled %v, use disabled %v", tab.Status(), tab.del.Disabled(), tab.use.Disabled())
		}
		for _, o := range s.panel.model.Options {
			if strings.HasPrefix(s.panel.modelKeys[o], dir) {
				t.Fatalf("the picker still offers the deleted run's model %q", o)
			}
		}
	})
}

// TestTrainTabFitsTheWindow: the Train tab is no wider than the Create tab
// without its editing panel (so that an 800-pixel screen holds both), and
// at most a row taller (its fine-tune option stacks its two choices, which
// side by side set its narrowest at 971 px), so adding it did not grow the
// window's minimum size past a laptop screen's.
func TestTrainTabFitsTheWindow(t *testing.T) {
	s := newTestStudio(t)
	s.SetEditPanelShown(false)
	create, tr := s.tabs.Items[0].Content.MinSize(), s.Train().content.MinSize()
	t.Logf("minimum sizes: Create without its editing panel %v, Train %v", create, tr)
	if tr.Width > create.Width || tr.Height > create.Height+40 {
		t.Fatalf("the Train tab (%v) needs more room than the Create tab (%v)", tr, create)
	}
	s.SetEditPanelShown(true)
	// The whole window fits a 1366×768 laptop screen under a desktop
	// panel and a title bar (about 700 px): in the test theme it needed
	// 731 (759 in the real one) until the canvas's minimum shrank.
	if win := s.layoutMinSize(); win.Height > 680 || win.Width > 1300 {
		t.Fatalf("the window needs %v, more than a 1366×768 screen leaves", win)
	}
}

// TestWindowFitsSmallScreens: in the theme a user sees, the window's
// minimum fits a 1024×768 screen with room for a window frame (it needed
// 1,021 px of width, 1,030 in the real window, until the editing panel's
// minimum shrank to what its controls need).
func TestWindowFitsSmallScreens(t *testing.T) {
	s := newTestStudio(t)
	fyne.CurrentApp().Settings().SetTheme(theme.DefaultTheme())
	if win := s.layoutMinSize(); win.Width > 1000 || win.Height > 700 {
		t.Fatalf("the window needs %v, more than a 1024×768 screen leaves", win)
	}
}

// By default new runs go to ~/Tessera/runs, where a user finds them, and
// the runs an earlier Tessera kept in the app's hidden storage are still
// listed.
func TestTrainRunsFolderDefault(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	e := newEnv(t)
	old := filepath.Join(storageDir(e.app), "runs", "shapes-20261130-120000")
	must(t, os.MkdirAll(old, 0o755))
	t.Cleanup(func() { os.RemoveAll(old) }) // the test app's storage may be a folder other runs share
	must(t, os.WriteFile(filepath.Join(old, trainjob.RecordFile), []byte("{"), 0o644))
	s := e.open(t)
	tab := s.Train()
	if want := filepath.Join(home, "Tessera", "runs"); tab.h.runsDir != want {
		t.Fatalf("runs folder %q, want %q", tab.h.runsDir, want)
	}
	tab.RefreshRuns()
	if len(tab.Runs()) != 1 || tab.Runs()[0].Dir != old {
		t.Fatalf("runs listed: %v, want the earlier Tessera's %s", tab.Runs(), old)
	}
}

// The time budget and threads of the last run started are the next
// session's form.
func TestTrainBudgetRemembered(t *testing.T) {
	e := &trainEnv{studioEnv: newEnv(t), runs: t.TempDir()}
	s := e.open(t)
	tab := s.Train()
	if tab.minutes.Text != "10" {
		t.Fatalf("a first session's budget %q, want 10", tab.minutes.Text)
	}
	tab.SetBudget(2.5, 1)
	busy := filepath.Join(e.runs, "busy")
	must(t, os.MkdirAll(busy, 0o755))
	must(t, os.WriteFile(filepath.Join(busy, trainjob.RecordFile), []byte("{}"), 0o644))
	must(t, os.WriteFile(filepath.Join(busy, train.CheckpointFile), []byte("a run's"), 0o644))
	tab.SetRunFolder(busy)
	if err := tab.Start(); err == nil {
		t.Fatal("a run started in a folder that holds one")
	}
	if m, _, ok := s.set.TrainBudget(); ok {
		t.Fatalf("a run refused stored its budget (%g)", m)
	}
	tab.SetTune(tinyTune(3, 1000))
	tab.SetRunFolder(filepath.Join(e.runs, "new"))
	must(t, tab.Start())
	tab.Stop()
	tab.wait()
	again := e.open(t).Train()
	if again.minutes.Text != "2.5" || again.threads.Text != "1" {
		t.Fatalf("the next session's form: %q minutes, %q threads; want 2.5 and 1", again.minutes.Text, again.threads.Text)
	}
}

// The data of the last run started is the next session's choice (a folder
// only while it is still there), and the form is greyed out while a run
// goes: its settings are the next Start's.
func TestTrainFormDataRememberedAndLockedWhileRunning(t *testing.T) {
	e := &trainEnv{studioEnv: newEnv(t), runs: t.TempDir()}
	s := e.open(t)
	pictures := t.TempDir()
	for data, want := range map[string]string{"emoji": "emoji", pictures: dataFolder, filepath.Join(pictures, "gone"): "shapes", "nonsense": "shapes"} {
		s.set.SetTrainData(data)
		tab := e.open(t).Train()
		if tab.data.Selected != want || want == dataFolder && tab.folder != pictures {
			t.Errorf("stored %q: the next form shows %q (folder %q), want %q", data, tab.data.Selected, tab.folder, want)
		}
	}
	s.set.SetTrainData("emoji")
	tab := e.open(t).Train()
	tab.SetData("shapes")
	tab.SetTune(tinyTune(2000, 1000))
	tab.SetRunFolder(filepath.Join(e.runs, "locked"))
	form := map[string]fyne.Disableable{"data": tab.data, "start from": tab.from, "budget": tab.minutes, "threads": tab.threads, "run folder": tab.runDir}
	must(t, tab.Start())
	for name, w := range form {
		if !w.Disabled() {
			t.Errorf("the form's %s can be changed while a run goes", name)
		}
	}
	tab.Stop()
	tab.wait()
	s.Wait()
	for name, w := range form {
		if w.Disabled() {
			t.Errorf("the form's %s is still greyed out after the run", name)
		}
	}
	if got := s.set.TrainData(); got != "shapes" {
		t.Errorf("data stored at Start: %q, want shapes", got)
	}
}

// The line under the data picker says what a built-in dataset is and
// names the folder picked, and it is always there: picking a folder moved
// the buttons below it down a row (a newcomer clicked Resume for Start).
func TestDataLineKeepsTheButtonsStill(t *testing.T) {
	e := &trainEnv{studioEnv: newEnv(t), runs: t.TempDir()}
	s := e.open(t)
	tab := s.Train()
	s.tabs.Select(s.tabs.Items[1])
	where := func() fyne.Position {
		return fyne.CurrentApp().Driver().AbsolutePositionForObject(tab.start)
	}
	tab.SetData("shapes")
	before, note := where(), tab.dataNote.Text
	if !tab.dataNote.Visible() || !strings.Contains(note, "no download") {
		t.Errorf("shapes: the data line reads %q (shown %v)", note, tab.dataNote.Visible())
	}
	pictures := t.TempDir()
	tab.SetData(pictures)
	if got := where(); got != before {
		t.Errorf("Start moved from %v to %v when a folder was picked", before, got)
	}
	if !strings.Contains(tab.dataNote.Text, filepath.Base(pictures)) {
		t.Errorf("folder picked: the data line reads %q", tab.dataNote.Text)
	}
	pumpFor(t, s, "the empty folder's check", func() bool { return strings.HasSuffix(tab.dataNote.Text, " · no picture to train on") })
	// A folder is read once picked: the line says what Start will train
	// on and what its report will point at (two pictures without
	// captions, one that is not a picture).
	img := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	var buf bytes.Buffer
	must(t, png.Encode(&buf, img))
	must(t, os.WriteFile(filepath.Join(pictures, "a.png"), buf.Bytes(), 0o644))
	must(t, os.WriteFile(filepath.Join(pictures, "b.png"), buf.Bytes()[:40], 0o644))
	img.Pix[0] = 9 // another picture, not a duplicate
	buf.Reset()
	must(t, png.Encode(&buf, img))
	must(t, os.WriteFile(filepath.Join(pictures, "c.png"), buf.Bytes(), 0o644))
	tab.SetData(pictures)
	pumpFor(t, s, "the folder's check", func() bool { return strings.Contains(tab.dataNote.Text, " · 2 pictures, ") })
	if got := tab.dataNote.Text; !strings.HasSuffix(got, " · 2 pictures, 3 files to look at (Start shows them)") || !strings.Contains(got, filepath.Base(pictures)) {
		t.Errorf("a folder with problems: the data line reads %q", got)
	}
	tab.data.SetSelected("mnist")
	if !strings.Contains(tab.dataNote.Text, "digits") {
		t.Errorf("mnist: the data line reads %q", tab.dataNote.Text)
	}
}

// TestLoadImageChecksTheSize: a sample grid wider than any picture
// Tessera reads is refused from its header (image.Decode alone would
// decode it, and a decompression bomb of that size with it).
func TestLoadImageChecksTheSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), trainjob.SamplesFile)
	wide := image.NewGray(image.Rect(0, 0, codebook.MaxInputSide+1, 1))
	var b bytes.Buffer
	must(t, png.Encode(&b, wide))
	must(t, os.WriteFile(path, b.Bytes(), 0o644))
	if img := loadImage(path); img != nil {
		t.Fatalf("a %v sample grid loaded", img.Bounds())
	}
	small := filepath.Join(t.TempDir(), "small.png")
	b.Reset()
	must(t, png.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 4))))
	must(t, os.WriteFile(small, b.Bytes(), 0o644))
	if img := loadImage(small); img == nil || img.Bounds().Dx() != 8 {
		t.Fatal("a small sample grid did not load")
	}
}

// TestTrainInfoScrollFollowsItsText: a shorter text under a scroll kept
// from a longer one (a new run after an old run's long log) is in view,
// not scrolled past.
func TestTrainInfoScrollFollowsItsText(t *testing.T) {
	e := newTrainEnv(t)
	s := e.open(t)
	s.ShowTab(trainTab)
	tab := s.Train()
	tab.details.Resize(fyne.NewSize(300, 120))
	tab.info.SetText(strings.Repeat("a line of an old run's log\n", 200))
	tab.details.Offset.Y = 3000 // scrolled down to the end of it
	tab.showInfo(trainjob.Preset("shapes"), "")
	if over := tab.info.MinSize().Height - tab.details.Size().Height; tab.details.Offset.Y > max(over, 0) {
		t.Fatalf("offset %v past a text %v high in a pane %v high", tab.details.Offset.Y, tab.info.MinSize().Height, tab.details.Size().Height)
	}
	// A live run's log is followed while the pane shows its end, and
	// left where the user scrolled up to.
	tab.job = &trainJob{dir: "live"}
	tab.logDir = cleanPath("live")
	tab.following = true // as begin starts a run
	defer func() { tab.job = nil }()
	tab.logLines = nil
	// A folder's long path makes the text taller than the pane before the
	// log begins: it is followed all the same.
	st := trainjob.Preset("shapes")
	st.Data = "/home/someone/" + strings.Repeat("a-long-folder-name ", 40)
	tab.info.SetText(strings.Repeat("another run's log\n", 50)) // what the pane showed when the run began…
	tab.details.ScrollToTop()                                   // …from its start, as begin leaves it
	for i := range 40 {
		tab.logLines = append(tab.logLines, fmt.Sprintf("step %d", i))
		tab.showInfo(st, "")
	}
	over := tab.info.MinSize().Height - tab.details.Size().Height
	if over <= 0 || tab.details.Offset.Y < over-1 {
		t.Fatalf("a growing log at offset %v of %v: its end is not shown", tab.details.Offset.Y, over)
	}
	tab.details.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, 10000)}) // the user scrolls up to read
	if tab.details.Offset.Y != 0 || tab.following {
		t.Fatalf("scrolling up left the pane at %v, following %v", tab.details.Offset.Y, tab.following)
	}
	tab.logLines = append(tab.logLines, "step 40")
	tab.showInfo(st, "")
	if tab.details.Offset.Y != 0 {
		t.Errorf("scrolled up, the pane moved to %v", tab.details.Offset.Y)
	}
	tab.details.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, -10000)}) // back to the end
	tab.logLines = append(tab.logLines, "step 41")
	tab.showInfo(st, "")
	if over := tab.info.MinSize().Height - tab.details.Size().Height; tab.details.Offset.Y < over-1 {
		t.Errorf("scrolled back to the end, the log is not followed (offset %v of %v)", tab.details.Offset.Y, over)
	}
	// The run ends (Stop, Pause, its budget): shown as it ended, its log
	// keeps its last lines in view, where it jumped to the top.
	tab.job = nil
	tab.logLines = append(tab.logLines, "stopped at step 41")
	tab.show(&trainjob.RunInfo{Dir: "live", Record: &trainjob.Record{Settings: st}})
	if over := tab.info.MinSize().Height - tab.details.Size().Height; tab.details.Offset.Y < over-1 {
		t.Errorf("the run ended: its log scrolled to %v of %v, away from its end", tab.details.Offset.Y, over)
	}
}

// TestRunFolderFromElsewhereIsRemembered: a run folder opened from outside
// the runs folder is listed again after the studio is reopened.
func TestRunFolderFromElsewhereIsRemembered(t *testing.T) {
	e := newTrainEnv(t)
	s := e.open(t)
	elsewhere := filepath.Join(t.TempDir(), "mine")
	must(t, os.MkdirAll(elsewhere, 0o755))
	st := trainjob.Preset("shapes")
	st.OutDir = elsewhere
	must(t, trainjob.WriteRecord(elsewhere, trainjob.Record{Settings: st, State: trainjob.StatePaused}))
	must(t, s.Train().OpenRunFolder(elsewhere))
	listed := func(tab *TrainTab) bool {
		for _, r := range tab.Runs() {
			if r.Dir == elsewhere {
				return true
			}
		}
		return false
	}
	if !listed(s.Train()) {
		t.Fatal("the run folder opened is not listed")
	}
	s2 := e.open(t)
	if !listed(s2.Train()) {
		t.Fatal("the run folder opened is forgotten when the studio is reopened")
	}
}

// writeSquares writes n small captioned pictures into dir, their
// captions ending in eol.
func writeSquares(t *testing.T, dir string, n int, eol string) {
	t.Helper()
	for i := range n {
		im := image.NewNRGBA(image.Rect(0, 0, 8, 8))
		for p := range im.Pix {
			im.Pix[p] = uint8(20 * (i + 1) * (p%4 + 1))
		}
		var buf bytes.Buffer
		must(t, png.Encode(&buf, im))
		name := fmt.Sprintf("square%d", i)
		must(t, os.WriteFile(filepath.Join(dir, name+".png"), buf.Bytes(), 0o644))
		must(t, os.WriteFile(filepath.Join(dir, name+".txt"), []byte(fmt.Sprintf("shade %d square%s", i, eol)), 0o644))
	}
}

func TestDataQuestionCounts(t *testing.T) {
	files := func(n int, name string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("%s%d", name, i)
		}
		return out
	}
	for _, c := range []struct {
		rep  data.FolderReport
		want string
	}{
		{data.FolderReport{Uncaptioned: files(3, "a.png"), Orphans: files(1, "b.txt")},
			"lists 4 files with problems that change what is learnt: 3 pictures captioned by their file names, 1 caption file without a picture"},
		{data.FolderReport{Uncaptioned: files(4, "a.png"), BOM: files(2, "c.txt")},
			"lists 6 files with problems; 4 of them change what is learnt (the others' byte-order marks or CRLF line breaks are read as if absent): 4 pictures captioned by their file names"},
		{data.FolderReport{NonUTF8: files(1, "d.txt"), CRLF: files(2, "e.txt")},
			"lists 3 files with problems; 1 of them changes what is learnt (the others' byte-order marks or CRLF line breaks are read as if absent): 1 caption read as Windows-1252"},
		{data.FolderReport{Unreadable: files(2, "f.png"), Uncaptioned: files(1, "g.png"), Duplicates: [][]string{{"h.png", "i.png"}}},
			"lists 5 files with problems that change what is learnt: 2 pictures that cannot be read (left out), 2 files of one picture, 1 picture captioned by its file name"},
	} {
		c.rep.Usable = data.FewImages + c.rep.Usable - c.rep.Distinct() // not few (the copies left out): asked about for the problems alone
		if got := dataQuestion(&c.rep); !strings.Contains(got, c.want) || strings.Contains(got, "Only") {
			t.Errorf("%+v: %q, want %q", c.rep, got, c.want)
		}
	}
}

// Built-in data that is not downloaded (emoji here, with an empty cache)
// says so in words for a user of the app, not only "run make data".
func TestTrainDataNotDownloaded(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	e := newTrainEnv(t)
	s := e.open(t)
	tab := s.Train()
	tab.SetData("emoji")
	// Said on the data's line as it is picked (it was said only once Start
	// failed).
	start := time.Now()
	s.loop.(pumper).pumpUntil(func() bool {
		return strings.Contains(tab.dataNote.Text, "not fetched yet") || time.Since(start) > 10*time.Second
	})
	if !strings.Contains(tab.dataNote.Text, "not fetched yet") {
		t.Errorf("emoji picked without its data: the line says %q", tab.dataNote.Text)
	}
	must(t, tab.Start())
	tab.wait()
	s.Wait()
	if tab.Status() != "Not started: the emoji data is not ready on this computer" {
		t.Errorf("status %q", tab.Status())
	}
	if err := tab.LastError(); err == nil || !strings.Contains(err.Error(), "The emoji data is not ready yet") || !strings.Contains(err.Error(), "The shapes data needs nothing") || !strings.Contains(err.Error(), "240 MB in Tessera's cache") ||
		strings.Count(err.Error(), "make data") != 1 || !strings.Contains(err.Error(), "(emoji data not found in ") {
		t.Errorf("error %v: want the advice once and where the data was looked for", err)
	}
	// Nothing started: no "— started: emoji —" in the log shown, and the
	// next session's form does not start from the missing data.
	if strings.Contains(tab.Info(), "started") || s.set.TrainData() != "" {
		t.Errorf("a run that never started: info %q, remembered data %q", tab.Info(), s.set.TrainData())
	}
	// Another dataset picked: the status about the emoji data goes.
	if !strings.Contains(tab.Info(), "Settings: emoji") {
		t.Errorf("the run that did not start: info %q", tab.Info())
	}
	tab.SetData("shapes")
	if st := tab.Status(); strings.Contains(st, "emoji") {
		t.Errorf("shapes picked, the status still says %q", st)
	}
	if strings.Contains(tab.Info(), "emoji") {
		t.Errorf("shapes picked, the info still says %q", tab.Info())
	}
}

// A fine-tune on a folder that would keep what its model drew, whose
// model's training data is not on this computer, asks before it trains on
// the folder alone (it said so in a log line only, and the emoji model
// forgot how to draw a rocket); No leaves nothing started.
func TestKeepWithoutReplayDataAsks(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // no emoji data
	e := newTrainEnv(t)
	s := e.open(t)
	must(t, s.OpenModel("tiny"))
	s.Wait()
	tab := s.Train()
	tab.SetTune(func(st *trainjob.Settings) {
		tinyTune(5000, 100)(st)
		st.ReplayData = "emoji" // what it replays: the emoji data, not here
	})
	pics := t.TempDir()
	for i := range 12 {
		name := filepath.Join(pics, fmt.Sprintf("p%02d", i))
		img := image.NewNRGBA(image.Rect(0, 0, 16, 16))
		img.Pix[0], img.Pix[3] = uint8(20*i), 255 // each picture its own (no duplicates to report)
		var buf bytes.Buffer
		must(t, png.Encode(&buf, img))
		must(t, os.WriteFile(name+".png", buf.Bytes(), 0o644))
		must(t, os.WriteFile(name+".txt", []byte(fmt.Sprintf("red cat %d\n", i)), 0o644))
	}
	tab.SetData(pics)
	tab.SetFineTune(true)
	if !tab.keep.Checked {
		t.Fatal("Keep what it drew is not on for a fine-tune on a folder")
	}
	tab.SetRunFolder(filepath.Join(t.TempDir(), "keep")) // a new run: its data not prepared yet
	must(t, tab.Start())
	pumpFor(t, s, "the question about keeping what it drew", func() bool { return hasDialog(s) })
	no := buttonIn(s.Window().Canvas().Overlays().Top(), "No")
	if no == nil {
		t.Fatalf("no question with a No button: status %q, error %v", tab.Status(), tab.LastError())
	}
	test.Tap(no)
	tab.wait()
	s.Wait()
	if !strings.HasPrefix(tab.Status(), "Not started: make data fetches what the model was trained on") || tab.LastError() != nil || hasDialog(s) {
		t.Fatalf("answering No: status %q, error %v, a dialog %v", tab.Status(), tab.LastError(), hasDialog(s))
	}
	if msg := replayQuestion(trainjob.Settings{InitModel: "emoji"}, fmt.Errorf("emoji data not found in /x: run make data in Tessera's source folder: %w", data.ErrNotFound)); !strings.Contains(msg, "emoji data not found in /x (make data in Tessera's source folder fetches it)") {
		t.Errorf("the question: %q", msg)
	}
}

// A run's line in the list says its state in words.
func TestRunLineStates(t *testing.T) {
	for state, want := range map[string]string{
		trainjob.StateBudget: "r — time budget ran out", trainjob.StateRunning: "r — interrupted", trainjob.StatePaused: "r — paused",
	} {
		st := trainjob.Preset("shapes")
		r := &trainjob.RunInfo{Dir: "/x/r", Record: &trainjob.Record{Settings: st, State: state}, BestVal: math.NaN(), Checkpoint: true}
		if got := runLine(r); !strings.HasPrefix(got, want) {
			t.Errorf("%s: %q, want %q…", state, got, want)
		}
	}
	// Its validation loss is the exported weights': the best pass's, or a
	// fine-tune on a folder's latest (it said "best" beside the latest).
	scratch := trainjob.Preset("shapes")
	tune := scratch
	tune.Data, tune.InitModel = "./pictures", "emoji"
	for _, c := range []struct {
		st     trainjob.Settings
		latest bool // its checkpoint says it exports its latest weights: too few held out to pick by
		want   string
	}{{scratch, false, ", best validation 0.500 bits/token"}, {tune, false, ", last validation 0.500 bits/token"}, {scratch, true, ", last validation 0.500 bits/token"}} {
		r := &trainjob.RunInfo{Dir: "/x/r", Record: &trainjob.Record{Settings: c.st, State: trainjob.StatePaused}, BestVal: 0.5, Latest: c.latest}
		if got := runLine(r); !strings.Contains(got, c.want) {
			t.Errorf("%s (latest %v): %q, want %q", c.st.Data, c.latest, got, c.want)
		}
	}
}

// "Same settings" fills the form with the run shown's data, time budget,
// threads and start (a fine-tune of the model open when that is the one it
// fine-tuned), for a new run in a new folder; a data folder gone since is
// an error, and a fine-tune of another model starts from scratch, said.
func TestTrainTabTakesARunsSettings(t *testing.T) {
	e := &trainEnv{studioEnv: newEnv(t), runs: t.TempDir()} // nothing is trained: no data prepared
	e.models = foldersToo{tinyModels{b: bundletest.Tiny(3)}}
	s := e.open(t)
	tab := s.Train()
	if !tab.same.Disabled() {
		t.Fatal("Same settings is enabled with no run shown")
	}
	pictures := t.TempDir()
	record := func(name string, st trainjob.Settings) string {
		d := filepath.Join(e.runs, name)
		must(t, os.MkdirAll(d, 0o755))
		must(t, trainjob.WriteRecord(d, trainjob.Record{Settings: st, State: trainjob.StateDone}))
		must(t, tab.OpenRunFolder(d))
		return d
	}
	record("folder-run", trainjob.Settings{Data: pictures, Minutes: 7.5, Threads: 1})
	tab.SetRunFolder("somewhere")
	test.Tap(tab.same)
	if st, err := tab.settings(); err != nil || tab.LastError() != nil || st.Data != pictures || st.Minutes != 7.5 || st.Threads != 1 || st.Init != nil || tab.runDir.Text != "" {
		t.Fatalf("after Same settings: %+v, %v, %v, run folder %q", st, err, tab.LastError(), tab.runDir.Text)
	}
	if !strings.Contains(tab.Status(), "The form holds the settings of folder-run") {
		t.Errorf("status %q", tab.Status())
	}
	key, _ := tab.h.current()
	record("tuned-here", trainjob.Settings{Data: "shapes", Threads: 1, InitModel: key})
	test.Tap(tab.same)
	if st, err := tab.settings(); err != nil || st.Data != "shapes" || st.InitModel != key || st.Minutes != 0 {
		t.Fatalf("a fine-tune of the model open: %+v, %v", st, err)
	}
	// "Keep what it drew" comes back as the run had it: off for a
	// fine-tune on a folder without replay, on for one that asked for it
	// (also where it was left out for want of the model's data).
	for _, c := range []struct {
		replay float64
		asked  bool
		want   bool
	}{{0, false, false}, {0, true, true}, {trainjob.DefaultReplay, true, true}} {
		record(fmt.Sprintf("tuned-folder-%g-%v", c.replay, c.asked), trainjob.Settings{Data: pictures, Threads: 1, InitModel: key, Replay: c.replay, ReplayIfPresent: c.asked})
		test.Tap(tab.same)
		if tab.keep.Disabled() || tab.keep.Checked != c.want {
			t.Errorf("a fine-tune on a folder with replay %g (asked %v): keep enabled %v, checked %v", c.replay, c.asked, !tab.keep.Disabled(), tab.keep.Checked)
		}
	}
	record("tuned-elsewhere", trainjob.Settings{Data: "shapes", Threads: 1, InitModel: "/models/gone"})
	test.Tap(tab.same)
	if st, _ := tab.settings(); st.Init != nil || !strings.HasPrefix(tab.Status(), "From scratch, not as a fine-tune: ") || !strings.Contains(tab.Status(), "which is not the model open (open it on the Create tab") {
		t.Errorf("a fine-tune of another model: init %v, status %q", st.InitModel, tab.Status())
	}
	record("data-gone", trainjob.Settings{Data: filepath.Join(pictures, "gone") + string(filepath.Separator), Threads: 1})
	test.Tap(tab.same)
	if err := tab.LastError(); err == nil || !strings.Contains(err.Error(), "is not there any more") {
		t.Errorf("a data folder gone: %v", err)
	}
}

// Duplicates are counted as files of pictures: one pair is "2 files of
// one picture", not "2 pictures with duplicates".
func TestDuplicateFiles(t *testing.T) {
	if got := duplicateFiles(2, 1); got != "2 files of one picture" {
		t.Errorf("one pair: %q", got)
	}
	if got := duplicateFiles(5, 2); got != "5 files of 2 pictures" {
		t.Errorf("two groups: %q", got)
	}
}

// The status says so when validation loss rises well above its best
// (overfitting), and not while it falls or wobbles.
func TestStepStatusSaysOverfitting(t *testing.T) {
	s := train.StepInfo{Step: 61, Total: 76, Loss: 0.5}
	falling := []train.ValPoint{{Step: 0, Bits: 3}, {Step: 15, Bits: 1.58}, {Step: 30, Bits: 1.6}}
	rising := append(slices.Clone(falling), train.ValPoint{Step: 61, Bits: 2.51})
	if got := stepStatus(s, falling); strings.Contains(got, "overfitting") {
		t.Errorf("a wobble: %q", got)
	}
	if got := stepStatus(s, rising); !strings.Contains(got, "lowest 1.580 at step 15") || !strings.Contains(got, "overfitting") {
		t.Errorf("a rise: %q", got)
	}
}

// A fine-tune's run folder names its base model without the base run's
// time: "icons-icons-20261203-093533-…" was nested.
func TestWithoutRunTime(t *testing.T) {
	for in, want := range map[string]string{
		"icons-20261203-093533": "icons", "emoji": "emoji", "my-run-2026": "my-run-2026", "x-20261303-093533": "x-20261303-093533",
	} {
		if got := withoutRunTime(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
	// Nor does it repeat the data a base named for it has already.
	for _, c := range [][3]string{{"pics", "emoji", "pics-emoji"}, {"pics", "pics-emoji", "pics-emoji"}, {"pics", "pics", "pics"}, {"pics", "picsart", "pics-picsart"}} {
		if got := fineTuneTag(c[0], c[1]); got != c[2] {
			t.Errorf("fine-tune of %s on %s: %q, want %q", c[1], c[0], got, c[2])
		}
	}
}

// A run's settings line says when it validates and exports the weights'
// average (the shapes preset does), and not when it does not.
func TestSettingsLineNamesTheAverage(t *testing.T) {
	st := trainjob.Preset("shapes")
	if line := settingsLine(st); !strings.Contains(line, ", weights averaged (0.998)") {
		t.Fatalf("shapes preset: %q", line)
	}
	st.EMA = 0
	if line := settingsLine(st); strings.Contains(line, "average") {
		t.Fatalf("no average: %q", line)
	}
	// A fine-tune that keeps what it drew says so, and from what (it
	// said nothing of it).
	st.InitModel, st.Replay, st.ReplayData = "emoji", 0.5, "emoji"
	if line := settingsLine(st); !strings.HasSuffix(line, "; keeping what it drew: 50% of each batch from emoji") {
		t.Errorf("a fine-tune with replay: %q", line)
	}
	st.Replay = 0
	if line := settingsLine(st); strings.Contains(line, "keeping") {
		t.Errorf("no replay: %q", line)
	}
}

// The run's log, as the tab shows it, keeps the progress line's figures
// without the share and bar a terminal draws (a tester read "step 58/1096
// [=>    ]" as a terminal's, in a window that plots the progress), and
// never shows the blanks that clear the line between two redraws.
func TestLineLogDropsTheBar(t *testing.T) {
	var l lineLog
	fmt.Fprint(&l, "preparing the data\n")
	bar := progressline.NewLine(&l, 0, 0)
	bar.Update(58, 1096, "step 58/1096 | loss 2.852 bpt | ETA 9m")
	bar.Update(60, 1096, "step 60/1096 | loss 2.851 bpt | ETA 9m")
	lines, current := l.take()
	if current != "step 60/1096 | loss 2.851 bpt | ETA 9m" {
		t.Errorf("the line being written reads %q", current)
	}
	fmt.Fprint(&l, "\r          \r") // a redraw's clearing, read before the redraw
	if _, current := l.take(); current != "step 60/1096 | loss 2.851 bpt | ETA 9m" {
		t.Errorf("the line being cleared reads %q", current)
	}
	bar.Update(1096, 1096, "step 1096/1096 | loss 0.612 bpt | val 0.6 (best 0.6)")
	bar.Break()
	more, current := l.take()
	lines = append(lines, more...)
	want := []string{"preparing the data", "step 1096/1096 | loss 0.612 bpt | val 0.6 (best 0.6)"}
	if !slices.Equal(lines, want) || current != "" {
		t.Fatalf("lines %q, current %q; want %q", lines, current, want)
	}
}

// mustReport is the data report of folder dir.
func mustReport(t *testing.T, dir string) *data.FolderReport {
	t.Helper()
	rep, err := data.CheckFolder(context.Background(), dir)
	must(t, err)
	return rep
}

// A time budget over a day is asked about before anything starts (99,999
// minutes started a 53-day schedule without a word).
func TestTrainAsksAboutALongBudget(t *testing.T) {
	e := &trainEnv{studioEnv: newEnv(t), runs: t.TempDir()}
	s := e.open(t)
	tab := s.Train()
	s.ShowTab(trainTab)
	tab.SetData("shapes")
	tab.SetBudget(99999, 1)
	tab.SetRunFolder(filepath.Join(e.runs, "long"))
	must(t, tab.Start())
	if tab.Running() || !hasDialog(s) {
		t.Fatalf("a 99,999-minute budget: running %v, asked %v", tab.Running(), hasDialog(s))
	}
	var asked []string
	widgets.Walk(s.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			asked = append(asked, l.Text)
		}
	})
	if q := strings.Join(strings.Fields(strings.Join(asked, " ")), " "); !strings.Contains(q, "has not settled") {
		t.Errorf("the question: %q", q)
	}
	s.dismissTopDialog() // No
	if tab.Running() {
		t.Fatal("answered No, the run started")
	}
	if _, err := os.Stat(filepath.Join(e.runs, "long")); !os.IsNotExist(err) {
		t.Errorf("answered No, the run folder was made: %v", err)
	}
}

// Quitting while a run prepares its data asks first, as that work is in
// no file yet; not once the prepared data is saved in the run folder (a
// resumed run, a fine-tune's first validation pass), nor while the data
// report's question waits, nor while the run ends.
func TestQuitWhilePreparing(t *testing.T) {
	e := newTrainEnv(t)
	s := e.open(t)
	tab := s.Train()
	dir := t.TempDir()
	tab.job = &trainJob{dir: dir, preparing: true, done: make(chan struct{})}
	defer func() { tab.job = nil }()
	if r := s.unsavedReason(nil); !strings.Contains(r, "preparing the data") {
		t.Errorf("while the data is prepared, quitting loses nothing (%q)", r)
	}
	tab.asking = true
	if tab.Preparing() {
		t.Error("preparing, while the data report's question waits")
	}
	tab.asking = false
	tab.job.ending = true
	if tab.Preparing() {
		t.Error("preparing, while the run ends")
	}
	tab.job.ending = false
	must(t, os.WriteFile(trainjob.PreparedPath(dir), []byte("x"), 0o644))
	if r := s.unsavedReason(nil); r != "" {
		t.Errorf("with the prepared data saved, quitting would lose %q", r)
	}
}

// Folder… cancelled with no folder picked before goes back to the dataset
// picked before it, not to shapes.
func TestCancelledFolderPickKeepsTheDataset(t *testing.T) {
	e := &trainEnv{studioEnv: newEnv(t), runs: t.TempDir()}
	s := e.open(t)
	s.ShowTab(trainTab)
	tab := s.Train()
	tab.SetData("mnist")
	tab.data.SetSelected(dataFolder) // opens the folder dialog
	top := s.Window().Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("Folder… opened no dialog")
	}
	var cancel *widget.Button
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Cancel" {
			cancel = b
		}
	}
	if cancel == nil {
		t.Fatal("the folder dialog has no Cancel button")
	}
	test.Tap(cancel)
	if tab.data.Selected != "mnist" {
		t.Errorf("after a cancelled Folder… the data reads %q, want mnist as before", tab.data.Selected)
	}
	// A folder picked before, then mnist, then Folder… cancelled: mnist
	// still (the folder before was trained on at Start).
	pictures := t.TempDir()
	tab.setFolder(pictures)
	tab.SetData("mnist")
	tab.data.SetSelected(dataFolder)
	for _, o := range test.LaidOutObjects(s.Window().Canvas().Overlays().Top()) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Cancel" {
			test.Tap(b)
			break
		}
	}
	if st, err := tab.settings(); tab.data.Selected != "mnist" || err != nil || st.Data != "mnist" {
		t.Errorf("after a folder, mnist and a cancelled Folder…: the data reads %q, Start would train on %q (%v)", tab.data.Selected, st.Data, err)
	}
	// The folder picked last, then Folder… cancelled: that folder still.
	tab.setFolder(pictures)
	tab.data.SetSelected(dataFolder)
	for _, o := range test.LaidOutObjects(s.Window().Canvas().Overlays().Top()) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Cancel" {
			test.Tap(b)
			break
		}
	}
	if tab.data.Selected != dataFolder || tab.folder != pictures {
		t.Errorf("after a folder and a cancelled Folder…: the data reads %q (folder %q), want the folder", tab.data.Selected, tab.folder)
	}
}

// Quitting while a run trains asks first, saying that it pauses the run at
// a checkpoint; a run already pausing or stopping, or still preparing its
// data (unsavedReason's question), gives no such note.
func TestQuitWhileTrainingAsks(t *testing.T) {
	e := newTrainEnv(t)
	s := e.open(t)
	tab := s.Train()
	dir := filepath.Join(t.TempDir(), "run-7")
	tab.job = &trainJob{dir: dir, pausable: true, done: make(chan struct{})}
	defer func() { tab.job = nil }()
	s.requestClose()
	if !s.quitAsk.shown() || s.closing || !strings.Contains(s.quitAsk.text, "training run-7") || !strings.Contains(s.quitAsk.text, "Quitting pauses it") {
		t.Fatalf("quit while training: asked %v (%q), closing %v", s.quitAsk.shown(), s.quitAsk.text, s.closing)
	}
	s.quitAsk.close()
	tab.job.ending = true
	if n := tab.QuitNote(); n != "" {
		t.Errorf("a run already pausing: %q", n)
	}
	tab.job.ending, tab.job.pausable, tab.job.preparing = false, false, true
	if n := tab.QuitNote(); n != "" {
		t.Errorf("a run preparing its data (Preparing's question): %q", n)
	}
	// Its data prepared, before its first step: quitting ends it with
	// nothing to resume, and says so (it closed without a word, and the
	// run was listed as paused with Resume off).
	must(t, os.MkdirAll(dir, 0o755))
	must(t, os.WriteFile(trainjob.PreparedPath(dir), []byte("x"), 0o644))
	if n := tab.QuitNote(); !strings.Contains(n, "starting run-7") || !strings.Contains(n, "nothing to resume") {
		t.Errorf("a run before its first step: %q", n)
	}
	if got := runLine(&trainjob.RunInfo{Dir: dir, Record: &trainjob.Record{State: trainjob.StatePaused}, BestVal: math.NaN()}); !strings.Contains(got, "run-7 — ended before its first checkpoint") {
		t.Errorf("a run paused before its first checkpoint is listed as %q", got)
	}
}

// A run another Tessera trains (it holds the run folder's lock) is listed
// as training there, with Resume and delete off (it read "interrupted",
// "nothing to resume", and offered both); ↻ reads the run on display again
// with the list (the pane kept the state it was first shown in).
func TestRunTrainedElsewhere(t *testing.T) {
	e := &trainEnv{studioEnv: newEnv(t), runs: t.TempDir()}
	dir := filepath.Join(e.runs, "elsewhere")
	must(t, os.MkdirAll(dir, 0o755))
	must(t, trainjob.WriteRecord(dir, trainjob.Record{Settings: trainjob.Preset("shapes"), State: trainjob.StateRunning}))
	lock := flock.New(filepath.Join(dir, trainjob.LockFile))
	if held, err := lock.TryLock(); err != nil || !held {
		t.Fatalf("lock: %v %v", held, err)
	}
	s := e.open(t)
	tab := s.Train()
	s.ShowTab(trainTab)
	must(t, tab.ShowRun(dir))
	if st := tab.Status(); !strings.Contains(st, "training in another Tessera") || strings.Contains(st, "nothing to resume") {
		t.Errorf("status %q", st)
	}
	if !tab.resume.Disabled() || !tab.del.Disabled() {
		t.Errorf("Resume enabled %v, delete enabled %v", !tab.resume.Disabled(), !tab.del.Disabled())
	}
	must(t, lock.Unlock())
	must(t, trainjob.WriteRecord(dir, trainjob.Record{Settings: trainjob.Preset("shapes"), State: trainjob.StateDone}))
	tab.Reread()
	if st := tab.Status(); !strings.Contains(st, "done") {
		t.Errorf("after ↻ the status still says %q", st)
	}
	if tab.del.Disabled() {
		t.Error("delete still off once the run ended elsewhere")
	}
}

// A quit question asked while a run trained is brought up to date when the
// run ends (it went on saying "Quitting pauses it").
func TestQuitQuestionFollowsTheRunsEnd(t *testing.T) {
	e := newTrainEnv(t)
	s, tab, _ := e.startTiny(t, "quit", 4)
	pumpFor(t, s, "a first step", func() bool { return tab.job != nil && tab.job.pausable })
	s.requestClose()
	if !strings.Contains(s.quitAsk.text, "Quitting pauses it") {
		t.Fatalf("quit while training asked %q", s.quitAsk.text)
	}
	test.Tap(tab.stop)
	tab.wait()
	if !s.quitAsk.shown() || strings.Contains(s.quitAsk.text, "Quitting pauses it") || !strings.Contains(s.quitAsk.text, "Nothing would be lost now") {
		t.Errorf("after the run ended the question says %q", s.quitAsk.text)
	}
	s.quitAsk.close()
}

// The Run folder field takes "~/…" in the home folder and refuses a
// relative path, as Settings' outputs folder does (a run went to a folder
// named "~" in the working folder); a bare name is a folder in the runs
// folder, and "." or ".." (the runs folder itself, or its parent) is
// refused.
func TestTrainTabRunFolderPaths(t *testing.T) {
	e := &trainEnv{studioEnv: newEnv(t), runs: t.TempDir()}
	e.models = foldersToo{tinyModels{b: bundletest.Tiny(3)}}
	home := t.TempDir()
	t.Setenv("HOME", home)
	tab := e.open(t).Train()
	for _, c := range []struct{ typed, want, err string }{
		{"~/runs/cats", filepath.Join(home, "runs", "cats"), ""},
		{"cats", filepath.Join(e.runs, "cats"), ""},
		{filepath.Join(home, "abs"), filepath.Join(home, "abs"), ""},
		{"runs/cats", "", `run folder "runs/cats": give a full path`},
		{"./cats", "", `run folder "./cats": give a full path`},
		{".", "", `run folder "." is not a name for a run`}, // the runs folder itself
		{"..", "", `run folder ".." is not a name for a run`},
	} {
		tab.SetRunFolder(c.typed)
		st, err := tab.settings()
		switch {
		case c.err == "" && (err != nil || st.OutDir != c.want):
			t.Errorf("%q: %q, %v; want %q", c.typed, st.OutDir, err, c.want)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: %q, %v; want an error %q", c.typed, st.OutDir, err, c.err)
		}
	}
}

// Minutes typed that do not parse, on a Resume of a run with a budget of
// its own, are back in the form once the run ends (the form showed the
// run's budget meanwhile and the typed text was lost).
func TestResumeKeepsMinutesTypedThatDoNotParse(t *testing.T) {
	e := newTrainEnv(t)
	s, tab, dir := e.startTiny(t, "budgeted", 4)
	pumpFor(t, s, "a first step", func() bool { return tab.job != nil && tab.job.pausable })
	test.Tap(tab.pause)
	tab.wait()
	rec, err := trainjob.ReadRecord(dir)
	must(t, err)
	rec.Settings.Minutes, rec.Settings.Budget = 2, 2
	must(t, trainjob.WriteRecord(dir, *rec))
	must(t, tab.OpenRunFolder(dir))
	tab.minutes.SetText("5 min")
	must(t, tab.Resume())
	if tab.job == nil || tab.minutes.Text != "2" || !strings.Contains(tab.Info(), "the time budget stays the run's 2 minutes") {
		t.Fatalf("a budgeted run resumed with %q typed: form %q, info %q", "5 min", tab.minutes.Text, tab.Info())
	}
	tab.Stop()
	tab.wait()
	if tab.minutes.Text != "5 min" {
		t.Errorf("after the run the form's budget reads %q, not the %q typed", tab.minutes.Text, "5 min")
	}
}

// ↻ reads the log of a run this window trained from its file again: another
// Tessera (or tessera train --resume) may have continued it (the pane kept
// this window's last lines, "step 72/276" of a run done since).
func TestRereadFollowsTheRunsLogFile(t *testing.T) {
	e := newTrainEnv(t)
	s, tab, dir := e.startTiny(t, "continued", 4)
	pumpFor(t, s, "a first step", func() bool { return tab.job != nil && tab.job.pausable })
	test.Tap(tab.stop)
	tab.wait()
	f, err := os.OpenFile(filepath.Join(dir, trainjob.LogFile), os.O_APPEND|os.O_WRONLY, 0)
	must(t, err)
	_, err = f.WriteString("— resumed elsewhere at step 9 —\n— done —\n")
	must(t, err)
	must(t, f.Close())
	tab.Reread()
	if !strings.Contains(tab.info.Text, "— resumed elsewhere at step 9 —") {
		t.Errorf("after ↻ the pane reads:\n%s", tab.info.Text)
	}
}

// While a fine-tune runs, the fine-tune option names the run's own base,
// not the model the Create tab opened meanwhile (it read "Fine-tune emoji"
// over a run fine-tuning another model); after it, the open model again.
func TestFineTuneOptionNamesTheRunsBase(t *testing.T) {
	e := newTrainEnv(t)
	tab := e.open(t).Train()
	tab.ModelOpened("emoji")
	if got := tab.from.OptionLabel(fromCurrent); got != "Fine-tune emoji" {
		t.Fatalf("label %q", got)
	}
	tab.job = &trainJob{st: trainjob.Settings{InitModel: filepath.Join(t.TempDir(), "cats-20261205-101010", "model")}, done: make(chan struct{})}
	tab.labelFineTune()
	tab.ModelOpened("mnist") // the Create tab's picker, meanwhile
	if got := tab.from.OptionLabel(fromCurrent); got != "Fine-tune cats" {
		t.Errorf("while the fine-tune runs: %q", got)
	}
	tab.job = nil
	tab.labelFineTune()
	if got := tab.from.OptionLabel(fromCurrent); got != "Fine-tune mnist" {
		t.Errorf("after the run: %q", got)
	}
}

// The pane shows a run's last log lines with where the whole log is, and
// says lines came before (it showed the last 12 without a word, the start
// of the run and its warnings gone).
func TestLogPaneSaysWhereTheWholeLogIs(t *testing.T) {
	e := newTrainEnv(t)
	s, tab, dir := e.startTiny(t, "long", 4)
	pumpFor(t, s, "a first step", func() bool { return tab.job != nil && tab.job.pausable })
	test.Tap(tab.stop)
	tab.wait()
	f, err := os.OpenFile(filepath.Join(dir, trainjob.LogFile), os.O_APPEND|os.O_WRONLY, 0)
	must(t, err)
	for i := range logShown + 5 {
		_, err = fmt.Fprintf(f, "line %d of a long log\n", i)
		must(t, err)
	}
	must(t, f.Close())
	tab.Reread()
	text := tab.info.Text
	if !strings.Contains(text, "Log (the whole of it: "+filepath.Join(dir, trainjob.LogFile)+"):\n…\n") || !strings.Contains(text, fmt.Sprintf("line %d of a long log", logShown+4)) {
		t.Errorf("the pane reads:\n%s", text)
	}
}

// A run folder whose checkpoint is gone but whose model was exported is
// not sent to a Start that is refused: Resume says its model is kept and
// how to go on, and Start refuses before any data report (it pointed at
// Start, which would have written over that model).
func TestRunWithAModelAndNoCheckpoint(t *testing.T) {
	e := newTrainEnv(t)
	dir := e.runFolder(t, "kept")
	st := trainjob.Preset("shapes")
	st.OutDir = dir
	must(t, trainjob.WriteRecord(dir, trainjob.Record{Settings: st, State: trainjob.StatePaused}))
	must(t, os.MkdirAll(filepath.Join(dir, "model"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "model", model.WeightsFile), []byte("weights"), 0o644))
	s := e.open(t)
	tab := s.Train()
	s.ShowTab(trainTab)
	must(t, tab.ShowRun(dir))
	if err := tab.Resume(); err == nil || !strings.Contains(err.Error(), "is kept: open it on the Create tab and Fine-tune it") || strings.Contains(err.Error(), "trains it anew there") {
		t.Errorf("Resume: %v", err)
	}
	tab.SetRunFolder(dir)
	if err := tab.Start(); !errors.Is(err, trainjob.ErrRunExists) || !strings.Contains(err.Error(), "holds a trained model") {
		t.Errorf("Start: %v", err)
	}
	if tab.Running() {
		t.Error("a run started")
	}
}

// On a window smaller than the layout, which then scrolls, the status line
// stays in view (it was scrolled out of view with the rest, every message
// with it), and it is the Create tab's alone.
func TestStatusLineStaysInViewOnASmallWindow(t *testing.T) {
	s := newTestStudio(t)
	s.Window().Resize(fyne.NewSize(640, 480))
	s.setStatus("a message to read")
	size := s.Window().Canvas().Size()
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(s.status)
	if !s.status.Visible() || pos.Y+s.status.MinSize().Height > size.Height+1 || pos.Y < size.Height/2 {
		t.Errorf("the status line is at %v in a window of %v", pos, size)
	}
	s.ShowTab(trainTab)
	if s.statusRow.Visible() {
		t.Error("the Create tab's status line shows on the Train tab")
	}
	s.ShowTab(createTab)
	if !s.statusRow.Visible() {
		t.Error("the status line did not come back with the Create tab")
	}
}

// listed reports whether the Train tab lists run folder dir.
func listed(tab *TrainTab, dir string) bool {
	return slices.ContainsFunc(tab.Runs(), func(r *trainjob.RunInfo) bool { return cleanPath(r.Dir) == cleanPath(dir) })
}

// Resume on a paused run whose folder, or checkpoint, was deleted outside
// Tessera since the list was read refuses and says so: it started the run
// over, the data prepared again and a fresh run trained under "Resume".
func TestResumeOfARunGoneOutsideTesseraRefuses(t *testing.T) {
	e := newTrainEnv(t)
	s, tab, dir := e.startTiny(t, "gone", 4)
	pumpFor(t, s, "a first step", func() bool { return tab.job != nil && tab.job.pausable })
	test.Tap(tab.pause)
	tab.wait()
	pumpFor(t, s, "the pause", func() bool { return !tab.Running() })
	must(t, tab.ShowRun(dir))
	if tab.resume.Disabled() {
		t.Fatal("Resume off on the paused run")
	}

	must(t, os.RemoveAll(dir))
	err := tab.Resume()
	if err == nil || !strings.Contains(err.Error(), "moved or deleted outside Tessera") || !strings.Contains(err.Error(), "nothing to resume from") {
		t.Errorf("Resume of a deleted run folder: %v", err)
	}
	if tab.Running() {
		tab.Stop()
		tab.wait()
		t.Fatal("Resume started the deleted run afresh")
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the deleted run folder is back: %v", err)
	}
	if listed(tab, dir) || tab.RunDir() != "" {
		t.Errorf("the deleted run is still listed (%v) or shown (%q)", listed(tab, dir), tab.RunDir())
	}

	// A checkpoint gone, the folder kept: refused as well.
	dir2 := e.runFolder(t, "nocheckpoint")
	tab.SetRunFolder(dir2)
	must(t, tab.Start())
	pumpFor(t, s, "a first step", func() bool { return tab.job != nil && tab.job.pausable })
	test.Tap(tab.pause)
	tab.wait()
	pumpFor(t, s, "the pause", func() bool { return !tab.Running() })
	must(t, tab.ShowRun(dir2))
	must(t, os.Remove(filepath.Join(dir2, train.CheckpointFile)))
	err = tab.Resume()
	if err == nil || !strings.Contains(err.Error(), "nothing to resume from") {
		t.Errorf("Resume without its checkpoint: %v", err)
	}
	if tab.Running() {
		tab.Stop()
		tab.wait()
		t.Fatal("Resume started the run without a checkpoint afresh")
	}
	if log, _ := os.ReadFile(filepath.Join(dir2, trainjob.LogFile)); strings.Contains(string(log), "fresh start") {
		t.Errorf("the run's log says it started afresh:\n%s", log)
	}
}

// A listed run folder moved away outside Tessera: clicking its row says so
// plainly (it gave "Run folder: stat …: no such file or directory") and
// drops the row (it stayed listed as done), and opening its model on the
// Create tab names the run and says what happened (it read "Open model
// model — …era/runs/shapes-…: load …/model: no such model folder").
func TestRunFolderMovedAwayWhileListed(t *testing.T) {
	e := newTrainEnv(t)
	s, tab, dir := e.startTiny(t, "moved", 1)
	model := filepath.Join(dir, "model")
	pumpFor(t, s, "an exported model", func() bool {
		_, err := os.Stat(filepath.Join(model, "model.safetensors"))
		return err == nil
	})
	test.Tap(tab.stop)
	tab.wait()
	pumpFor(t, s, "the stop", func() bool { return !tab.Running() })
	tab.RefreshRuns()
	row := slices.IndexFunc(tab.Runs(), func(r *trainjob.RunInfo) bool { return cleanPath(r.Dir) == cleanPath(dir) })
	if row < 0 {
		t.Fatal("the run is not listed")
	}
	tab.list.Unselect(row)
	must(t, os.Rename(dir, filepath.Join(t.TempDir(), "moved")))

	tab.list.Select(row)
	err := tab.LastError()
	if err == nil || !strings.Contains(err.Error(), "the run folder "+dir+" was moved or deleted outside Tessera") || strings.Contains(err.Error(), "stat ") {
		t.Errorf("clicking the moved run's row: %v", err)
	}
	if listed(tab, dir) {
		t.Error("the moved run is still listed")
	}

	s.lastErr = nil
	if err := s.OpenModel(model); err != nil {
		t.Fatal(err)
	}
	s.Wait()
	pumpFor(t, s, "the model load's end", func() bool { return s.LastError() != nil })
	msg := s.LastError().Error()
	if !strings.HasPrefix(msg, "open model moved: the run folder "+dir+" was moved or deleted outside Tessera") || strings.Contains(msg, "…") {
		t.Errorf("opening the moved run's model: %q", msg)
	}
}

// Start on a finished run's folder says in its dialog why the run cannot be
// resumed and what can be done (it sent the user to a status line that
// showed the run's summary only), as tessera info RUNDIR advises: train it
// further with --resume --steps, or fine-tune its model.
func TestStartOnAFinishedRunSaysWhatCanBeDone(t *testing.T) {
	e := newTrainEnv(t)
	s := e.open(t)
	tab := s.Train()
	s.ShowTab(trainTab)
	dir := e.runFolder(t, "finished")
	tab.SetTune(tinyTune(3, 3))
	tab.SetRunFolder(dir)
	must(t, tab.Start())
	tab.wait()
	pumpFor(t, s, "the run's end", func() bool { return !tab.Running() })
	info, err := trainjob.ReadRun(dir)
	must(t, err)
	if info.Record.State != trainjob.StateDone || info.ModelDir == "" {
		t.Fatalf("the run ended %q, model %q", info.Record.State, info.ModelDir)
	}
	tab.SetRunFolder(dir)
	err = tab.Start()
	if err == nil {
		t.Fatal("Start over a finished run started")
	}
	msg := err.Error()
	for _, want := range []string{
		"which cannot be resumed: it is finished (its schedule of 3 steps is done)",
		"tessera train --out " + dir + " --resume --steps N (more than 3)",
		"fine-tune its model: Use this model opens it on the Create tab, then Fine-tune",
		"tessera train --init " + info.ModelDir,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("Start over a finished run says %q, without %q", msg, want)
		}
	}
	if strings.Contains(msg, "status line says why") || tab.Running() {
		t.Errorf("Start over a finished run: %q (running %v)", msg, tab.Running())
	}
}
