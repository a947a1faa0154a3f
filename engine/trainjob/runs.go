package trainjob

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/gofrs/flock"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/safetensors"
	"github.com/tessera-studio/tessera/engine/train"
)

// RunInfo is what a run folder says about its run, read without loading
// the weights.
type RunInfo struct {
	Dir string
	// Record is run.json (nil: none, e.g. a run of an older Tessera).
	Record *Record
	// Checkpoint is whether the folder holds a checkpoint (read or not).
	Checkpoint bool
	// Step and TotalSteps are the checkpoint's optimiser steps done and
	// in the schedule; Elapsed its training time over all calls.
	Step, TotalSteps int
	Elapsed          time.Duration
	// BestVal is the best validation loss in bits per token (NaN: none
	// yet), at BestStep.
	BestVal  float64
	BestStep int
	// Latest: the run exports its latest weights (train.Checkpoint.Latest),
	// so BestVal is its last validation pass's loss.
	Latest bool
	// TrainLoss is the training loss of every step and Val the validation
	// passes, in bits per token (from the checkpoint).
	TrainLoss []float32
	Val       []train.ValPoint
	// ModelDir is the exported model folder ("" until the first export);
	// LossPlot and Samples the run's PNGs ("" when missing).
	ModelDir, LossPlot, Samples string
	// Modified is when the run folder last changed (its newest file of
	// those above).
	Modified time.Time
	// Problem says why the record or the checkpoint could not be read
	// (nil: no problem).
	Problem error
	// InUse says another process trains the run now: it holds the run
	// folder's lock (another studio window's Train tab, a tessera train).
	// A run this process trains reads as in use too.
	InUse bool
}

// Resumable reports whether the run can continue: it has a checkpoint
// that reads and steps left. A run that ended before its first checkpoint
// has nothing to continue from (resuming it would start it over with its
// recorded settings, whatever the user asked this time).
func (r *RunInfo) Resumable() bool {
	return r.Problem == nil && r.Checkpoint && r.Step < r.TotalSteps && !r.InUse
}

// State is the run's state: the record's, or one read off the checkpoint.
func (r *RunInfo) State() string {
	if r.Record != nil && r.Record.State != "" {
		return r.Record.State
	}
	if r.Checkpoint && r.Step >= r.TotalSteps && r.TotalSteps > 0 {
		return StateDone
	}
	return StatePaused
}

// StateText is State in words a listing shows: "interrupted" for a run
// recorded as running that no process trains (the app was closed
// abruptly), "time budget ran out" for StateBudget, "ended before its
// first checkpoint" for a paused run with none, and the state itself
// otherwise; InUse: "training in another Tessera (…)". (The Train tab and
// tessera info said a run's state in two ways.)
func (r *RunInfo) StateText() string {
	state := r.State()
	switch {
	case r.InUse:
		return "training in another Tessera (a studio window or a tessera train)"
	case state == StateRunning:
		return "interrupted"
	case state == StateBudget:
		return "time budget ran out" // "budget" alone read as a word missing
	case state == StatePaused && !r.Checkpoint:
		return "ended before its first checkpoint" // "paused", with Resume off
	}
	return state
}

// ReadRun reads the run folder dir. It fails only when dir is not a
// readable folder; a record or checkpoint that cannot be read is reported
// in RunInfo.Problem.
func ReadRun(dir string) (*RunInfo, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("run folder: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("run folder %s is not a folder", dir)
	}
	info := &RunInfo{Dir: dir, BestVal: math.NaN(), Modified: st.ModTime()}
	info.InUse = runInUse(dir)
	seen := func(path string) bool {
		fi, err := os.Stat(path)
		if err != nil {
			return false
		}
		if fi.ModTime().After(info.Modified) {
			info.Modified = fi.ModTime()
		}
		return true
	}
	if seen(filepath.Join(dir, RecordFile)) {
		if info.Record, err = ReadRecord(dir); err != nil {
			info.Problem = err
		}
	}
	ck := filepath.Join(dir, train.CheckpointFile)
	if seen(ck) {
		info.Checkpoint = true
		if err := info.readCheckpoint(ck); err != nil && info.Problem == nil {
			info.Problem = err
		}
	}
	if md := exportedModel(dir); md != "" {
		seen(filepath.Join(md, model.WeightsFile))
		info.ModelDir = md
	}
	if p := filepath.Join(dir, train.LossPlotFile); seen(p) {
		info.LossPlot = p
	}
	if p := filepath.Join(dir, SamplesFile); seen(p) {
		info.Samples = p
	}
	return info, nil
}

// IsRun reports whether dir looks like a run folder (a record, a
// checkpoint or prepared data).
func IsRun(dir string) bool {
	for _, f := range []string{RecordFile, train.CheckpointFile, PreparedFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return true
		}
	}
	return false
}

// runEntries are the names a run writes in its folder: the record, log,
// checkpoints, prepared data and the name of the cache file it came from,
// plots, the exported model and a trained tokenizer.
var runEntries = []string{RecordFile, LogFile, train.CheckpointFile, train.ViTCheckpointFile, PreparedFile, PreparedKeyFile,
	train.LossPlotFile, SamplesFile, "model", runTokenizerDir}

// activeRunWindow is how recently a run recorded as running must have
// written its log for DeleteRun to take it for one training now.
const activeRunWindow = time.Minute

// ErrNotRunFiles is DeleteRun's error for a folder holding files a run did
// not write.
var ErrNotRunFiles = errors.New("the folder holds files a run did not write")

// DeleteRun removes the run folder dir and everything a run wrote in it
// (record, log, checkpoint, prepared data, plots, the exported model and
// tokenizer), for the Train tab's Delete. It refuses, changing nothing, a
// folder that is not a run (IsRun), a link to one, a run training now
// (recorded as running, its log written within activeRunWindow), and a
// folder holding anything else at its top level (a file put there by hand,
// ErrNotRunFiles names it) besides what file managers leave and Tessera's
// own unfinished temporary files; the model and tokenizer folders go whole.
func DeleteRun(dir string) error {
	if fi, err := os.Lstat(dir); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return fmt.Errorf("delete run %s: it is a link to a folder elsewhere; nothing was deleted", dir)
	}
	if !IsRun(dir) {
		return fmt.Errorf("delete run %s: not a run folder (no %s, checkpoint or prepared data)", dir, RecordFile)
	}
	if runInUse(dir) {
		return fmt.Errorf("delete run %s: it is training now (another Tessera holds it): stop it first; nothing was deleted", dir)
	}
	// A run training now (tessera train in another window) writes its log
	// every few seconds; one whose app was closed abruptly says "running"
	// too, but its log is old.
	if rec, err := ReadRecord(dir); err == nil && rec.State == StateRunning {
		if fi, err := os.Stat(filepath.Join(dir, LogFile)); err == nil && time.Since(fi.ModTime()) < activeRunWindow {
			return fmt.Errorf("delete run %s: it is training now (its log changed %s ago): stop it first; nothing was deleted", dir, time.Since(fi.ModTime()).Round(time.Second))
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("delete run: %w", err)
	}
	for _, e := range entries {
		if !slices.Contains(runEntries, e.Name()) && !(folderClutter(e.Name()) && e.Type().IsRegular()) {
			return fmt.Errorf("delete run %s: %w (%s): nothing was deleted; move it out first", dir, ErrNotRunFiles, e.Name())
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("delete run: %w", err)
	}
	return nil
}

// ListRuns reads the run folders directly inside root, newest first. A
// missing root is no runs.
func ListRuns(root string) ([]*RunInfo, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("runs: %w", err)
	}
	var runs []*RunInfo
	for _, e := range entries {
		dir := filepath.Join(root, e.Name())
		if !e.IsDir() || !IsRun(dir) {
			continue
		}
		if info, err := ReadRun(dir); err == nil {
			runs = append(runs, info)
		}
	}
	slices.SortStableFunc(runs, func(a, b *RunInfo) int { return b.Modified.Compare(a.Modified) })
	return runs, nil
}

// checkpointMeta is the part of a checkpoint's metadata (engine/train's
// "tessera.checkpoint" JSON) a listing needs.
type checkpointMeta struct {
	Step       int              `json:"step"`
	TotalSteps int              `json:"total_steps"`
	BestVal    *float64         `json:"best_val"`
	BestStep   int              `json:"best_step"`
	Latest     bool             `json:"latest"`
	Val        []train.ValPoint `json:"val"`
	ElapsedS   float64          `json:"elapsed_s"`
}

// historyTensor holds the training loss per step in a checkpoint.
const historyTensor = "history.train_bits"

// readCheckpoint reads the checkpoint's header and loss history only.
func (info *RunInfo) readCheckpoint(path string) error {
	bad := func(err error) error {
		// Deleting it starts the run again only where no model was
		// exported (checkNewRun keeps that model from being written over).
		if md := exportedModel(filepath.Dir(path)); md != "" {
			return fmt.Errorf("checkpoint %s cannot be read (%w): the run cannot go on from it; its model as last exported can be trained further (tessera train --init %s)", path, err, md)
		}
		return fmt.Errorf("checkpoint %s cannot be read (%w): delete it to start the run again", path, err)
	}
	f, err := safetensors.OpenLazy(path, nil)
	if err != nil {
		return bad(err)
	}
	defer f.Close()
	js, ok := f.Metadata["tessera.checkpoint"]
	if !ok {
		return bad(errors.New("not a Tessera training checkpoint"))
	}
	var m checkpointMeta
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		return bad(err)
	}
	info.Step, info.TotalSteps, info.BestStep, info.Val, info.Latest = m.Step, m.TotalSteps, m.BestStep, m.Val, m.Latest
	info.Elapsed = time.Duration(m.ElapsedS * float64(time.Second))
	if m.BestVal != nil {
		info.BestVal = *m.BestVal
	}
	if t, ok := f.Tensors[historyTensor]; ok && t.DType == "F32" && len(t.Shape) == 1 {
		if info.TrainLoss, err = f.Float32(historyTensor, t.Shape...); err != nil {
			return bad(err)
		}
	}
	return nil
}

// TrainingData is the data the model folder modelDir was trained on, as the
// run folder holding it (modelDir's parent, where `tessera train --out`
// exports "model") recorded it in run.json: a built-in dataset name, or an
// image folder (train records its absolute path; a relative one, recorded
// before, counts only where it names a folder from here). It is "" when
// modelDir is not the model of a run folder, the record cannot be read or
// its relative folder is not there.
func TrainingData(modelDir string) string {
	clean := filepath.Clean(modelDir)
	if filepath.Base(clean) != "model" {
		return ""
	}
	rec, err := ReadRecord(filepath.Dir(clean))
	if err != nil {
		return ""
	}
	d := rec.Settings.Data
	if bundle.IsFolder(d) && !filepath.IsAbs(d) {
		// Recorded relative (before runs recorded absolute paths): only a
		// folder that is there from here may be it.
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			return ""
		}
	}
	return d
}

// ModelData is the data b was trained on: the image folder its training
// run recorded (TrainingData), else the name its configuration gives
// (model.Config.Name: shapes, emoji, mnist for the built-in datasets; ""
// for OpenAI's checkpoints). A folder comes first, as a model of a folder
// is named after its base name, which may be a built-in dataset's
// ("./shapes").
func ModelData(b *bundle.Bundle) string {
	if td := TrainingData(b.Source); bundle.IsFolder(td) {
		return td
	}
	return b.Model.Config.Name()
}

// runInUse reports whether a process holds the run folder dir's lock
// (LockFile: it is training it now). A folder without the lock file is
// tried no further: no run holds it, and trying the lock creates it.
func runInUse(dir string) bool {
	path := filepath.Join(dir, LockFile)
	if _, err := os.Stat(path); err != nil {
		return false
	}
	l := flock.New(path)
	held, err := l.TryLock()
	if err != nil {
		return false
	}
	if held {
		_ = l.Unlock()
		return false
	}
	return true
}
