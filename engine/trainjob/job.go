package trainjob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/tessera-studio/tessera/engine/atomicfile"
	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/edit"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/prepare"
	"github.com/tessera-studio/tessera/engine/train"
	"github.com/tessera-studio/tessera/internal/plural"
)

// SamplesFile is the sample grid's name inside the run folder.
const SamplesFile = "samples.png"

// Cancellation causes: cancel Run's context with context.WithCancelCause
// and one of these to say why, and the run record says "paused" or
// "stopped". A plain cancel (Ctrl+C) counts as a pause.
var (
	ErrPaused  = errors.New("training paused")
	ErrStopped = train.ErrStopped // with a last validation pass first
)

// Events let the caller follow a run. Every field is optional; the
// callbacks run on the training goroutine and must return quickly.
type Events struct {
	// Log receives the run's text output as `tessera train` prints it on
	// stderr: whole lines, and a progress line refreshed with '\r'.
	Log io.Writer
	// Step is called after every optimiser step.
	Step func(train.StepInfo)
	// Eval is called after every validation pass with its loss in bits per
	// token, and whether it is the best so far (then the model was just
	// exported).
	Eval func(step int, bitsPerToken float64, best bool)
	// Samples is called after the sample grid (a PNG at path) was redrawn
	// from a newly exported model, with the prompts of its rows top to
	// bottom (nil: one row without a prompt).
	Samples func(path string, prompts []string)
}

func (ev Events) log() io.Writer {
	if ev.Log == nil {
		return io.Discard
	}
	return ev.Log
}

// Run trains the model s describes: it prepares the data (PrepareData),
// trains until the schedule ends, the time budget runs out or ctx is
// cancelled, and keeps the run folder up to date: the checkpoint, the
// model with the best validation loss (a fine-tune on a folder: the latest,
// ExportsLatest) in OutDir/model with its model card
// (MODEL.md) and sampling defaults, the loss curve, the sample grid and
// run.json. With s.Resume it continues from the checkpoint exactly. When
// ctx is cancelled it saves a checkpoint and returns the Result with
// ctx.Err(); the Result is nil only when training never started, and then
// a run folder that this call made and that holds nothing a run keeps is
// removed again.
func Run(ctx context.Context, s Settings, ev Events) (*train.Result, error) {
	log := ev.log()
	if err := checkResumable(s); err != nil {
		return nil, err // before openChecked makes a folder that is gone
	}
	folder, err := openChecked(s)
	if err != nil {
		return nil, err
	}
	defer folder.unlock()
	hasCheckpoint := HoldsCheckpoint(s.OutDir)
	if err := checkResumable(s); err != nil {
		// The checkpoint went between the first look and the lock.
		folder.removeIfEmpty(false)
		return nil, err
	}
	if err := checkNewRun(s, hasCheckpoint); err != nil {
		return nil, err
	}
	s.callMinutes = s.Minutes
	if hasCheckpoint && s.Resume {
		if err := checkCheckpoint(s.OutDir); err != nil {
			return nil, err
		}
	}
	var ckpt *RunInfo // the checkpoint's step and time, where there is one
	if hasCheckpoint {
		if info, err := ReadRun(s.OutDir); err == nil && info.Checkpoint {
			ckpt = info
		}
	}
	if ckpt != nil && s.Budget > 0 {
		s.callMinutes = s.MinutesLeft(ckpt.Elapsed) // a pause does not start the run's budget again
	}
	s = s.FineTuneShaped()
	rec := Record{Settings: s, State: StateRunning}
	if old, err := sameRun(s); err != nil {
		return nil, err
	} else if old != nil {
		if ckpt != nil && ckpt.Step > old.Steps {
			// A killed run's record still says where it started (step 0
			// for a first call): the checkpoint says where it is (a resume
			// logged "resumed at step 0" and went on at step 233).
			old.Steps, old.TotalSteps = ckpt.Step, ckpt.TotalSteps
		}
		if hasCheckpoint && s.Resume && s.Steps > 0 && s.Steps != old.TotalSteps && s.Steps <= old.Steps {
			// A shorter schedule asked for: refused before the log says
			// "nothing left to train" beside it.
			return nil, fmt.Errorf("a schedule of %d steps: the run is at step %d already; a new schedule needs more steps than that (--steps %d or more)", s.Steps, old.Steps, old.Steps+1)
		}
		if hasCheckpoint && s.Resume && s.StopAt > 0 && s.StopAt <= old.Steps {
			// It said "stopped at step 1 (--stop-at) after 40500 steps".
			return nil, fmt.Errorf("--stop-at %d: the run is at step %d already; give a later step (%d or more) or leave --stop-at out", s.StopAt, old.Steps, old.Steps+1)
		}
		if s.Resume {
			rec.Steps, rec.TotalSteps, rec.TrainLoss, rec.BestVal, rec.BestStep = old.Steps, old.TotalSteps, old.TrainLoss, old.BestVal, old.BestStep
			rec.TokensPerSec = old.TokensPerSec
		}
	}
	if err := WriteRecord(s.OutDir, rec); err != nil {
		return nil, err
	}
	runLog := openRunLog(s.OutDir, log)
	ev.Log = runLog.tee(log)
	what := "started: " + s.Data
	switch {
	case hasCheckpoint && s.Resume && rec.TotalSteps > 0 && rec.Steps >= rec.TotalSteps && s.Steps <= rec.Steps:
		// Said first: the lines that follow read like a run's end.
		what = fmt.Sprintf("resumed at step %d, where its schedule of %d steps had ended: nothing left to train (a longer schedule: --steps N)", rec.Steps, rec.TotalSteps)
	case hasCheckpoint && s.Resume:
		what = fmt.Sprintf("resumed at step %d", rec.Steps)
		if s.callMinutes > 0 {
			what += " for up to " + plural.Minutes(s.callMinutes)
			if s.Budget > 0 && s.callMinutes < s.Budget {
				what += fmt.Sprintf(", what is left of its %g-minute budget", s.Budget)
			}
		}
	case s.Resume:
		what += " (no checkpoint to resume: a fresh start)"
	}
	fmt.Fprintf(ev.Log, "— %s (%s) —\n", what, time.Now().Format("2006-01-02 15:04"))
	res, err := run(ctx, &s, ev)
	// run may have set these (a folder's captions; the defaults a fine-tune
	// inherits from its base): the record keeps them, or a resumed run,
	// which reads its settings from it and has no base to inherit from,
	// would export its model without them.
	rec.Settings.SamplePrompts, rec.Settings.Defaults = s.SamplePrompts, s.Defaults
	rec.Settings.Replay, rec.Settings.ReplayData = s.Replay, s.ReplayData // named, or left out for want of data
	rec.State, rec.Error = endState(ctx, res, err), ""
	if rec.State == StateFailed {
		rec.Error = err.Error()
	}
	if res != nil {
		rec.Steps, rec.TotalSteps, rec.BestStep = res.Steps, res.TotalSteps, res.BestStep
		if tps := finite(res.TokensPerSec); tps > 0 { // a resume with no step left to train measured nothing
			rec.TokensPerSec = tps
		}
		rec.TrainLoss, rec.BestVal = finite(res.TrainLoss), finite(res.BestVal)
	}
	if werr := WriteRecord(s.OutDir, rec); werr != nil {
		fmt.Fprintln(ev.Log, "warning:", werr)
	}
	last := "— " + rec.State
	if rec.Error != "" {
		last += ": " + rec.Error
	}
	runLog.close(last + " —")
	if res == nil {
		folder.removeIfEmpty(ctx.Err() != nil)
	}
	return res, err
}

// openChecked checks s (Settings.Check) and its run folder
// (CheckRunFolder), then opens and locks the folder (openRunFolder).
func openChecked(s Settings) (*runFolder, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	if err := CheckRunFolder(s.OutDir); err != nil {
		return nil, err
	}
	return openRunFolder(s.OutDir)
}

// runFolder is a run folder opened and locked by openRunFolder.
type runFolder struct {
	dir  string
	lock *flock.Flock
	// created says this call made the folder, and madeFrom is the topmost
	// of the folders it made (firstMissing); empty that the folder was
	// there and held nothing but what file managers leave (folderClutter).
	created  bool
	madeFrom string
	empty    bool
}

// openRunFolder makes the run folder dir (and the folders above it that
// are missing) and locks it. One process at a time trains a run folder: a
// tessera train resumed on the folder a studio was training trained beside
// it, and each overwrote the other's checkpoint, model and record. The lock
// (an advisory file lock) goes with the process, even one killed.
func openRunFolder(dir string) (*runFolder, error) {
	_, statErr := os.Stat(dir)
	f := &runFolder{dir: dir, created: errors.Is(statErr, os.ErrNotExist), madeFrom: firstMissing(dir)}
	if entries, err := os.ReadDir(dir); err == nil {
		f.empty = someonesFile(entries) == ""
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("run folder: %w", err)
	}
	f.lock = flock.New(filepath.Join(dir, LockFile))
	// Tried for a moment: a runs list read (ReadRun) holds the lock for
	// the instant it takes to see whether another process trains the run.
	ctx, cancel := context.WithTimeout(context.Background(), lockPatience)
	defer cancel()
	switch held, err := f.lock.TryLockContext(ctx, lockPatience/10); {
	case err != nil && !errors.Is(err, context.DeadlineExceeded):
		return nil, fmt.Errorf("run folder: lock %s: %w", LockFile, err)
	case !held: // (held by another past lockPatience)
		return nil, inUseError(dir)
	}
	return f, nil
}

// inUseError is the error of a run folder dir another process trains.
func inUseError(dir string) error {
	return fmt.Errorf("%w: %s is being trained just now by another Tessera (a studio's Train tab or a tessera train): let it finish, or pause or stop it there, then resume", ErrRunExists, dir)
}

// lockPatience is how long openRunFolder tries for a run folder's lock.
const lockPatience = 500 * time.Millisecond

// unlock releases the folder's lock.
func (f *runFolder) unlock() { _ = f.lock.Unlock() }

// removeIfEmpty removes the folder this call made when nothing was made
// in it (a mistyped --data, a stop while preparing), so it leaves no run to
// list: only a run's own files are removed, and the folder, and those
// above it that this call made, each only if then empty (--out np/run left
// an empty np behind). A folder that was there empty loses the run's files
// when the call was cancelled (a stop while preparing: it kept a paused
// run of 0 steps, which a run on other data then took up without a word,
// its log going on from the first); a failed call's record stays there to
// say what failed.
func (f *runFolder) removeIfEmpty(cancelled bool) {
	if !(f.created || f.empty && cancelled) || holdsWork(f.dir) {
		return
	}
	f.unlock()
	_ = os.Remove(filepath.Join(f.dir, LockFile))
	_ = os.Remove(filepath.Join(f.dir, RecordFile))
	_ = os.Remove(filepath.Join(f.dir, LogFile))
	for dir := filepath.Clean(f.dir); f.created && f.madeFrom != "" && os.Remove(dir) == nil && dir != f.madeFrom; {
		dir = filepath.Dir(dir)
	}
}

// sameRun reads the record of s's run folder when the folder holds a
// run's work (its prepared data, tokenizer or checkpoint), which fixes
// what the run is, and refuses settings that would change it. It returns
// nil, nil for a folder without such work (a run that failed before it
// prepared anything, a mistyped --data say, fixes nothing: it is started
// again with the settings given).
func sameRun(s Settings) (*Record, error) {
	old, err := ReadRecord(s.OutDir)
	if err != nil || !holdsWork(s.OutDir) {
		return nil, nil
	}
	if d := train.SettingsDiff(old.Settings.identity(), s.identity()); len(d) > 0 {
		return nil, folderErrorf(ErrOtherSettings, "%s holds a run made with other settings (%s): a run keeps its data and architecture; give its settings again, or another run folder to start anew", s.OutDir, strings.Join(d, "; "))
	}
	return old, nil
}

// PrepareRun tokenises s's data into its run folder and stops there
// (tessera train --prepare-only). It checks and locks the folder as Run
// does and refuses one whose run was prepared or trained with other
// settings; where nothing is trained yet it records s (StatePrepared), so
// that a later call in the folder, a --resume among them, trains what was
// prepared, and one with other settings is refused rather than trained on
// these codes.
func PrepareRun(ctx context.Context, s Settings, ev Events) (*prepare.Prepared, error) {
	folder, err := openChecked(s)
	if err != nil {
		return nil, err
	}
	defer folder.unlock()
	s = s.FineTuneShaped()
	if err := checkModelKept(s, HoldsCheckpoint(s.OutDir)); err != nil {
		return nil, err
	}
	if _, err := sameRun(s); err != nil {
		return nil, err
	}
	prep, err := prepareData(ctx, s, s.Init, ev)
	if err != nil {
		folder.removeIfEmpty(ctx.Err() != nil)
		return nil, err
	}
	if HoldsCheckpoint(s.OutDir) {
		return prep, nil // the run's record keeps its steps and state
	}
	if err := WriteRecord(s.OutDir, Record{Settings: s, State: StatePrepared}); err != nil {
		return nil, err
	}
	return prep, nil
}

// CheckStart says, before anything is read or written, why Run would
// refuse s's run folder (CheckRunFolder; a new run in a folder holding a
// checkpoint), so that a caller can say so before it checks or prepares
// data (tessera train printed a whole data report, then refused). Run
// checks again under the folder's lock.
func CheckStart(s Settings) error {
	if runInUse(s.OutDir) {
		// Said first: a run another Tessera trains was refused as a
		// trained model without a checkpoint (its first not written yet).
		return inUseError(s.OutDir)
	}
	if err := checkResumable(s); err != nil {
		return err
	}
	if err := CheckRunFolder(s.OutDir); err != nil {
		return err
	}
	return checkNewRun(s, HoldsCheckpoint(s.OutDir))
}

// checkResumable refuses a resume that must go on from a checkpoint
// (Settings.CheckpointOnly) when the run folder or its checkpoint is gone:
// ErrNothingToResume, saying which; nil for any other settings.
func checkResumable(s Settings) error {
	if !s.Resume || !s.CheckpointOnly || HoldsCheckpoint(s.OutDir) {
		return nil
	}
	if _, err := os.Stat(s.OutDir); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: the run folder %s is gone (moved or deleted outside Tessera); nothing was started", ErrNothingToResume, s.OutDir)
	}
	return fmt.Errorf("%w: the run folder %s holds no checkpoint (%s moved or deleted outside Tessera, or the run ended before one was saved); nothing was started", ErrNothingToResume, s.OutDir, train.CheckpointFile)
}

// checkCheckpoint reports a checkpoint in run folder dir that cannot be
// resumed from: its header unreadable, or its tensors past the end of a
// file cut short (safetensors.OpenLazy checks both). It is checked before
// the run's record is touched: a resume of a damaged checkpoint logged
// "resumed at step 4", then failed, and rewrote run.json with the failed
// call's budget and a failed state, where nothing had trained.
func checkCheckpoint(dir string) error {
	path := filepath.Join(dir, train.CheckpointFile)
	if _, err := train.ReadCheckpointHeader(path); err != nil {
		next := "start a new run in another folder"
		if md := exportedModel(dir); md != "" {
			next = fmt.Sprintf("the model it last exported, %s, is not touched: train it further with tessera train --init %s, or start a new run in another folder", md, md)
		}
		return fmt.Errorf("the run's checkpoint is damaged, so the run cannot be resumed from it (a disk that filled up or a copy cut short; nothing was changed): %w; %s", err, next)
	}
	return nil
}

// exportedModel is the model folder run folder dir exported (dir/model,
// its weights there), "" when it has none.
func exportedModel(dir string) string {
	md := train.RunModelDir(dir)
	if _, err := os.Stat(filepath.Join(md, model.WeightsFile)); err != nil {
		return ""
	}
	return md
}

// HoldsCheckpoint reports whether run folder dir holds a checkpoint (a
// resume goes on from it, on its own schedule).
func HoldsCheckpoint(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, train.CheckpointFile))
	return err == nil
}

// checkNewRun refuses to start a new run (not a resume) in a run folder
// that holds a checkpoint, and to start afresh (a new run, or a resume with
// nothing to resume from) in one that holds a trained model but no
// checkpoint: its checkpoint deleted to free space, the model kept, a run
// there wrote a 2-step model over a 20-step one, with one line of the log
// ("no checkpoint to resume: a fresh start") or none to say so.
func checkNewRun(s Settings, hasCheckpoint bool) error {
	if hasCheckpoint && !s.Resume {
		return fmt.Errorf("%w: %s holds a run with a checkpoint: resume it (tessera train --resume, or Resume on the Train tab), or give another run folder to start anew", ErrRunExists, s.OutDir)
	}
	return checkModelKept(s, hasCheckpoint)
}

// checkModelKept refuses a fresh start (a run, or data prepared, with no
// checkpoint to go on from) in a run folder holding an exported model,
// which the start would write over (--prepare-only rewrote its run.json,
// its steps and best validation dropped).
func checkModelKept(s Settings, hasCheckpoint bool) error {
	if md := exportedModel(s.OutDir); !hasCheckpoint && md != "" {
		return fmt.Errorf("%w: %s holds a trained model (%s) but no checkpoint (%s) to go on from: a run there would start afresh and write over that model; nothing was changed: give another run folder (to train that model further: tessera train --init %s)",
			ErrRunExists, s.OutDir, md, train.CheckpointFile, md)
	}
	return nil
}

// CheckRunFolder refuses, before anything is written, a run folder that
// a run must not write into: one that holds other files (a dataset, a
// documents folder: a run's checkpoint, model and plots would land among
// them; a folder holding only a "tokenizer" subfolder is someone's too), a
// train-tokenizer run's folder (a run would write its own tokenizer over
// the one trained there) and one whose record is damaged (rewriting it
// would lose what the run was). A new or empty folder, or a run folder, is
// fine.
func CheckRunFolder(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("run folder: %w", err)
	case len(entries) == 0:
		return nil
	}
	switch _, err := ReadRecord(dir); {
	case err == nil:
		// A run's (one made in a train-tokenizer run's folder before that
		// was refused below is resumed and exported as any other).
		return nil
	case !errors.Is(err, os.ErrNotExist):
		return folderErrorf(ErrDamagedRecord, "%s: the run's record is damaged (%v); nothing was changed: restore %s, or give another run folder", dir, err, RecordFile)
	}
	if _, err := os.Stat(filepath.Join(dir, train.ViTCheckpointFile)); err == nil {
		return folderErrorf(ErrNotRunFolder, "%s is a train-tokenizer run's folder (%s), not a train run folder: a run there would write over its tokenizer (%s); nothing was changed: give another run folder (to train on that tokenizer's codes, give %s as the tokenizer)",
			dir, train.ViTCheckpointFile, filepath.Join(dir, runTokenizerDir), filepath.Join(dir, runTokenizerDir))
	}
	if isRunFolder(dir) { // a run's files without its record (a "tokenizer" folder alone is no run's)
		return nil
	}
	if other := someonesFile(entries, LogFile); other != "" {
		return folderErrorf(ErrNotRunFolder, "%s holds other files (%s among them) and is not a run folder: give a new or empty folder for the run", dir, other)
	}
	return nil // only what file managers leave in a new folder, or a log
}

// CheckTokenizerRunFolder reports why dir cannot be the run folder of
// tessera train-tokenizer: it holds files and neither a tokenizer run's
// checkpoint (train.ViTCheckpointFile, which a rerun resumes) nor only
// what file managers leave (folderClutter). A run wrote its checkpoint,
// tokenizer/ and final/ into any folder, a folder of training pictures or
// one holding a user's own tokenizer among them.
func CheckTokenizerRunFolder(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("tokenizer run folder: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, train.ViTCheckpointFile)); err == nil {
		return nil
	}
	if other := someonesFile(entries); other != "" {
		return folderErrorf(ErrNotRunFolder, "%s holds other files (%s among them) and no tokenizer run (%s): give a new or empty folder for the run", dir, other, train.ViTCheckpointFile)
	}
	return nil
}

// someonesFile is the name of the first of a folder's entries that is
// someone's work: neither what file managers leave (folderClutter, a file)
// nor one of the files named in runs (a run's own log); "" when there is
// none.
func someonesFile(entries []os.DirEntry, runs ...string) string {
	for _, e := range entries {
		if !(folderClutter(e.Name()) && e.Type().IsRegular()) && !slices.Contains(runs, e.Name()) {
			return e.Name()
		}
	}
	return ""
}

// folderClutter reports whether name is a file that file managers and
// version control leave in folders people make (.DS_Store, Thumbs.db,
// desktop.ini, .gitkeep, any dotfile): no one's work. A folder by such a
// name (.git, .venv) is someone's.
func folderClutter(name string) bool {
	switch strings.ToLower(name) {
	case "thumbs.db", "desktop.ini":
		return true
	}
	return strings.HasPrefix(name, ".")
}

// holdsWork reports whether the run folder dir holds what a run made and
// keeps: prepared data, a trained tokenizer or a checkpoint.
func holdsWork(dir string) bool {
	for _, name := range []string{PreparedFile, runTokenizerDir, train.CheckpointFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}

// firstMissing is the topmost folder of dir's path that does not exist
// (dir itself when only it is missing; "" when dir exists).
func firstMissing(dir string) string {
	missing := ""
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || !errors.Is(err, os.ErrNotExist) {
			return missing
		}
		missing = d
		if filepath.Dir(d) == d {
			return missing
		}
	}
}

// endState is the run state after a call that returned res and err.
func endState(ctx context.Context, res *train.Result, err error) string {
	switch {
	case err == nil && res != nil && res.Stop == train.StopDone:
		return StateDone
	case err == nil && res != nil && res.Stop == train.StopBudget:
		return StateBudget
	case ctx.Err() != nil || res != nil && res.Stop == train.StopCanceled:
		// Cancelled (an error after a cancel is the cancel's doing).
		if errors.Is(context.Cause(ctx), ErrStopped) {
			return StateStopped
		}
		return StatePaused
	case err != nil:
		return StateFailed
	}
	return StateDone
}

// finite is v, or 0 for NaN and infinities (JSON has no NaN).
func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

// run prepares the data and trains; s.SamplePrompts, when the settings
// name none for a conditional model, becomes its data's captions
// (captionPrompts), which the record keeps.
func run(ctx context.Context, s *Settings, ev Events) (*train.Result, error) {
	log := ev.log()
	base := s.Init // the model being fine-tuned
	if base == nil && s.InitModel != "" {
		// A resumed run continues from its checkpoint: the model it started
		// from is needed only when there is none yet.
		if _, err := os.Stat(filepath.Join(s.OutDir, train.CheckpointFile)); err != nil || !s.Resume {
			var err error
			if base, err = s.initModel(); err != nil {
				return nil, err
			}
		}
	}
	recorded := false // settings changed here, to write into the run's record
	if s.Replay > 0 && s.ReplayData == "" && base != nil {
		// Named in the record and the model card: what the run replays.
		if d, err := replaySource(base); err == nil {
			s.ReplayData, recorded = d, true
		}
	}
	prep, err := prepareData(ctx, *s, base, ev)
	if err != nil {
		return nil, err
	}
	if s.Replay > 0 && len(prep.Replay) == 0 && s.ReplayIfPresent {
		s.Replay, s.ReplayData, recorded = 0, "", true // its data was not known or not there (prepareData said so)
	}
	if len(s.SamplePrompts) == 0 {
		s.SamplePrompts, recorded = captionPrompts(prep), true // shown beside the grid while the run goes on
	}
	if base != nil {
		// A fine-tune samples as the model it tunes recommends, but where the
		// settings say otherwise (the emoji model's min-p and style per seed
		// were lost, so its fine-tunes drew at temperature 1 without guidance).
		if d := inheritDefaults(base, s.Data, s.Defaults, namesStyles(prep)); d != s.Defaults {
			s.Defaults, recorded = d, true
		}
	}
	if recorded {
		rec, err := ReadRecord(s.OutDir)
		if err == nil {
			rec.Settings.SamplePrompts, rec.Settings.Defaults = s.SamplePrompts, s.Defaults
			rec.Settings.Replay, rec.Settings.ReplayData = s.Replay, s.ReplayData
			err = WriteRecord(s.OutDir, *rec)
		}
		if err != nil { // the run's end writes them again; nothing to stop training for
			fmt.Fprintln(log, "warning: the sample grid's prompts, the defaults and the replay are not in the record yet:", err)
		}
	}
	tokFiles, err := modelFiles(ctx, *s, prep, initNames(*s, base))
	if err != nil {
		return nil, err
	}
	opt := train.DefaultOptions(prep.Config)
	opt.OutDir, opt.Resume, opt.Minutes, opt.Seed, opt.Workers, opt.DType = s.OutDir, s.Resume, s.callMinutes, s.Seed, s.Threads, s.DType
	opt.BatchSize = s.Batch
	opt.StopAt = s.StopAt
	opt.LR = s.LR
	opt.ResidDrop = s.Dropout
	opt.EmbdDrop = opt.ResidDrop
	opt.WeightDecay = s.WeightDecay
	opt.Steps = s.Steps
	opt.Epochs = s.Epochs
	opt.EvalEvery = s.EvalEvery
	opt.EvalAuto = s.EvalEvery == 0 // not asked: about eight passes a run, however short
	opt.EMA = s.EMA
	opt.ExportLatest = ExportsLatest(*s)
	if s.Replay > 0 {
		if len(prep.Replay) == 0 {
			return nil, fmt.Errorf("replay: the run's tokenised data (%s) holds no replay pictures: start a new run", PreparedFile)
		}
		opt.Replay, opt.ReplayShare = prep.Replay, s.Replay
	}
	if prep.Config.PromptLength() > 0 {
		opt.PromptDrop, opt.WordDrop = s.PromptDrop, s.WordDrop
	}
	opt.Progress = log
	opt.ExtraFiles = tokFiles
	if base != nil {
		weights := base.Model.Weights()
		init, err := train.FitParams(base.Model.Config, prep.Config, func(name string) ([]float32, error) {
			t, ok := weights[name]
			if !ok {
				return nil, fmt.Errorf("fine-tune: %s has no tensor %s", base.Name, name)
			}
			v, ok := t.Data().([]float32)
			if !ok {
				return nil, fmt.Errorf("fine-tune: %s: tensor %s is not float32", base.Name, name)
			}
			return v, nil
		}, s.Seed)
		if err != nil {
			return nil, err
		}
		opt.Init = init
		fmt.Fprintf(log, "fine-tuning %s: %s%s\n", base.Name, prep.Config.PromptSummary(), newWordsNote(base, prep))
	}
	fmt.Fprintf(log, "model: %d parameters, %s × %d wide, %d tokens a sequence\n", prep.Config.Params(), plural.N(prep.Config.NLayer, "layer", "layers"), prep.Config.NEmbd, prep.Config.NPositions)
	if n := len(prep.Train) + len(prep.Replay); n > 0 && opt.BatchSize > 2*n {
		// A batch of 4,096 over 22 examples took 4.3 GB and 19 s a step
		// without a word: each step holds every example many times over.
		fmt.Fprintf(log, "warning: a batch of %d is %.0f× the %s: each step repeats them; --batch %d or less does as much a step, faster and in less memory\n",
			opt.BatchSize, float64(opt.BatchSize)/float64(n), plural.N(n, "training example", "training examples"), n)
	}
	hooks := train.Hooks{
		Samples: func(dir, weightsPath string) error {
			// The model exported mid-run samples as the finished one will:
			// with the recommended settings (the sample grid too).
			if err := setDefaults(filepath.Dir(weightsPath), s.Defaults); err != nil {
				return fmt.Errorf("record the defaults: %w", err)
			}
			path := filepath.Join(dir, SamplesFile)
			grid := func() error { return SampleGrid(path, filepath.Dir(weightsPath), s.SamplePrompts, s.Threads) }
			if prep.Config.IsEdit() {
				// sources, outputs and targets of validation pairs
				grid = func() error { return edit.SampleGrid(path, filepath.Dir(weightsPath), prep.Val, 8, s.Threads) }
			}
			if err := grid(); err != nil {
				return err
			}
			if ev.Samples != nil {
				ev.Samples(path, s.SamplePrompts)
			}
			return nil
		},
		Step: ev.Step,
		Eval: ev.Eval,
	}
	res, err := train.Run(ctx, opt, prep.Train, prep.Val, hooks)
	if res != nil {
		if werr := setDefaults(res.ModelDir, s.Defaults); werr != nil {
			fmt.Fprintln(log, "warning: defaults:", werr)
		}
		if werr := writeModelCard(res, prep, *s, false); werr != nil {
			fmt.Fprintln(log, "warning: model card:", werr)
		}
	}
	return res, err
}

// CheckExportFinal reports, before any data is prepared, why ExportFinal
// could not write s's run's latest weights into dir: the run has no
// checkpoint, dir is a file, the run folder or the run's own model folder
// (whose best-validation weights the run list and a resume stand by), it
// holds files and is not a model folder, or it holds a model and replace
// is not set (a model folder's files are replaced only when asked: an
// export typed over another model took its place without a word).
func CheckExportFinal(s Settings, dir string, replace bool) error {
	ckPath := filepath.Join(s.OutDir, train.CheckpointFile)
	if _, err := os.Stat(ckPath); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("export the final weights: %s holds no checkpoint (%s): train the run first", s.OutDir, train.CheckpointFile)
		}
		return fmt.Errorf("export the final weights: %w", err)
	}
	if sameFolder(dir, s.OutDir) || sameFolder(dir, train.RunModelDir(s.OutDir)) {
		return fmt.Errorf("export the final weights: %s is the run's own folder or model (its best-validation weights): give another folder, e.g. %s", dir, filepath.Join(s.OutDir, "final"))
	}
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err == nil && !fi.IsDir() {
		return fmt.Errorf("export the final weights: %s is a file, not a folder", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("export the final weights to %s: %w", dir, err)
	}
	switch {
	case len(entries) == 0:
		return nil
	case model.IsFolder(dir) && replace:
		return nil
	case model.IsFolder(dir):
		return fmt.Errorf("export the final weights: %s holds a model already, which the export would replace: give a new or empty folder, or --force to replace it", dir)
	}
	return fmt.Errorf("export the final weights: %s holds other files and is not a model folder: give a new or empty folder", dir)
}

// newWordsNote names the caption words a fine-tune adds to base's
// vocabulary (the first 8 of them): " (N new: a, b, …)", or "" for none.
func newWordsNote(base *bundle.Bundle, prep *prepare.Prepared) string {
	if prep.Config.Tessera == nil {
		return ""
	}
	var known []string
	if base.Model.Config.Tessera != nil {
		known = base.Model.Config.Tessera.PromptVocab
	}
	var added []string
	for _, w := range prep.Config.Tessera.PromptVocab {
		if !slices.Contains(known, w) {
			added = append(added, w)
		}
	}
	if len(added) == 0 {
		return ""
	}
	shown := added[:min(len(added), 8)]
	more := ""
	if len(added) > len(shown) {
		more = ", …"
	}
	return fmt.Sprintf(" (%d new: %s%s)", len(added), strings.Join(shown, ", "), more)
}

// ExportFinal writes the latest weights of the run's checkpoint (not the
// best-validation ones; their moving average when the run keeps one) as a model folder in dir, with the tokenizer of
// prep (PrepareData), s.Defaults and a model card, and returns the step of
// those weights; a model in dir is replaced only when replace is set
// (CheckExportFinal). With little data the best-validation weights (validation
// on held-out emoji) can be less faithful to the training names than the
// last ones, and eval-prompts decides between them.
func ExportFinal(ctx context.Context, s Settings, prep *prepare.Prepared, dir string, replace bool) (step int, err error) {
	if err := CheckExportFinal(s, dir, replace); err != nil {
		return 0, err
	}
	ckPath := filepath.Join(s.OutDir, train.CheckpointFile)
	ck, err := train.LoadCheckpoint(ckPath)
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	latest := ck.Params
	if ck.EMA != nil { // the run validates and exports its moving average
		latest = &train.Params{Config: ck.Params.Config, Data: ck.EMA, Tensors: ck.Params.Tensors}
	}
	if err := train.SaveModel(dir, ck.Config, latest, s.DType); err != nil {
		return 0, err
	}
	files, err := modelFiles(ctx, s, prep, initNames(s, nil))
	if err != nil {
		return 0, err
	}
	for name, b := range files {
		if err := atomicfile.WriteBytes(filepath.Join(dir, name), b); err != nil {
			return 0, err
		}
	}
	if err := setDefaults(dir, s.Defaults); err != nil {
		return 0, err
	}
	res := &train.Result{Steps: ck.Step, TotalSteps: ck.TotalSteps, ModelDir: dir, Checkpoint: ckPath, Elapsed: ck.Elapsed, TotalElapsed: ck.Elapsed, BestVal: math.NaN()}
	if n := len(ck.Val); n > 0 {
		res.BestVal = ck.Val[n-1].Bits
		res.BestStep = ck.Val[n-1].Step
	}
	if err := writeModelCard(res, prep, s, true); err != nil {
		return 0, err
	}
	return ck.Step, nil
}

// Summary is the line `tessera train` ends with: how the call ended (its
// schedule done, its time budget or stopAt, the --stop-at step, reached, or
// interrupted), its steps, the training time of this call (res.Elapsed) and,
// when took (the whole call, preparing the data included) is longer by a
// second or more, that too, the losses and the model folder.
func Summary(res *train.Result, took time.Duration, stopAt int) string {
	if res.Trained == 0 && res.Stop == train.StopDone && res.TotalSteps > 0 && res.Steps >= res.TotalSteps {
		return fmt.Sprintf("nothing left to train: the run had ended its schedule of %d steps (to train on, give a longer one: --resume --steps N, N > %d)\nmodel: %s\n",
			res.TotalSteps, res.TotalSteps, res.ModelDir)
	}
	val := fmt.Sprintf("best validation %.4f bits/token at step %d", res.BestVal, res.BestStep)
	if res.Latest {
		val = fmt.Sprintf("last validation %.4f bits/token at step %d (the latest weights are exported: %s)", res.BestVal, res.BestStep, LatestReason(res))
	}
	if math.IsNaN(res.BestVal) {
		val = fmt.Sprintf("no validation pass yet (the model holds the step-%d weights)", res.BestStep)
	}
	speed := ""
	if res.TokensPerSec > 0 { // none measured when a resume found no step left
		speed = fmt.Sprintf("; %.0f tokens/s", res.TokensPerSec)
	}
	how := "stopped (" + res.Stop + ")"
	switch {
	case res.Stop == train.StopDone:
		how = "finished its schedule"
	case res.Stop == train.StopBudget && stopAt > 0 && res.Steps >= stopAt:
		how = fmt.Sprintf("stopped at step %d (--stop-at)", stopAt)
	case res.Stop == train.StopBudget:
		how = "stopped: its time budget ran out"
	case res.Stop == train.StopCanceled:
		how = "stopped (interrupted)"
	}
	took = took.Round(time.Second)
	elapsed := res.Elapsed.Round(time.Second)
	when := took.String()
	if elapsed > 0 && took-elapsed >= time.Second {
		when = fmt.Sprintf("%s of training (%s with preparing the data)", elapsed, took)
	}
	if total := res.TotalElapsed.Round(time.Second); total-elapsed >= time.Second {
		// Resumed: the progress lines count the run's whole time, which
		// read as a contradiction of this call's alone.
		when += fmt.Sprintf(", %s over all its sessions", total)
	}
	return fmt.Sprintf("%s after %d/%d steps in %s: train %.4f bits/token, %s%s\nmodel: %s\n",
		how, res.Steps, res.TotalSteps, when, res.TrainLoss, val, speed, res.ModelDir)
}
