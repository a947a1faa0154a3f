package trainjob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/tessera-studio/tessera/engine/blas/blastest"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/prepare"
	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/engine/train"
	"github.com/tessera-studio/tessera/internal/imagetest"
)

// shared holds the tiny shapes data, tokenised once for all tests.
var shared struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	blastest.Setup() // the OpenBLAS kernels that suit this CPU
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// tinySettings are the smallest useful shapes run: 16×16 px in 2×2
// patches of 16 codes, one layer 16 wide, batch 2, one thread.
func tinySettings(dir string) Settings {
	s := Preset("shapes")
	s.OutDir, s.Size, s.Codes, s.Width, s.Layers, s.Heads, s.Batch, s.Threads = dir, 16, 16, 16, 1, 2, 2, 1
	s.SamplePrompts = s.SamplePrompts[:1]
	return s
}

// tinyRun returns the settings of a tiny shapes run in a new run folder
// holding the shared tokenised data.
func tinyRun(t *testing.T, steps, evalEvery int) Settings {
	t.Helper()
	shared.once.Do(func() {
		if shared.dir, shared.err = os.MkdirTemp("", "trainjob-test-"); shared.err != nil {
			return
		}
		_, shared.err = PrepareData(context.Background(), tinySettings(shared.dir), Events{})
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(PreparedPath(shared.dir))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(PreparedPath(dir), b, 0o644); err != nil {
		t.Fatal(err)
	}
	s := tinySettings(dir)
	s.Steps, s.EvalEvery, s.Version = steps, evalEvery, "test"
	return s
}

// TestRunReportsAndRecords trains a few steps: every step, validation
// pass and sample grid is reported, and the run folder holds the model,
// its card, the curve, the samples and a record that ReadRun reads back.
func TestRunReportsAndRecords(t *testing.T) {
	s := tinyRun(t, 6, 3)
	s.Defaults = sampling.Recommended{Temperature: 0.7, Guidance: 2}
	var steps []int
	var evals []int
	samples := 0
	var log strings.Builder
	res, err := Run(context.Background(), s, Events{
		Log:  &log,
		Step: func(i train.StepInfo) { steps = append(steps, i.Step) },
		Eval: func(step int, bits float64, best bool) { evals = append(evals, step) },
		Samples: func(path string, prompts []string) {
			samples++
			if !slices.Equal(prompts, s.SamplePrompts) || len(prompts) == 0 {
				t.Errorf("sample grid rows %q, want the preset's %q", prompts, s.SamplePrompts)
			}
			// Mid-run, the exported model already carries the defaults.
			c, err := model.LoadConfig(filepath.Join(s.OutDir, "model", model.ConfigFile))
			if err != nil || c.Tessera == nil || c.Tessera.Defaults == nil || *c.Tessera.Defaults != s.Defaults {
				t.Errorf("mid-run export: defaults %+v, want %+v (%v)", c.Tessera, s.Defaults, err)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(steps, []int{1, 2, 3, 4, 5, 6}) || !slices.Equal(evals, []int{3, 6}) || samples == 0 {
		t.Fatalf("steps %v, evals %v, %d sample grids", steps, evals, samples)
	}
	if res.Steps != 6 || res.Stop != train.StopDone {
		t.Fatalf("result %+v", res)
	}
	if !strings.Contains(log.String(), "using the tokenised data") {
		t.Fatalf("log: %s", log.String())
	}
	info, err := ReadRun(s.OutDir)
	if err != nil || info.Problem != nil {
		t.Fatal(err, info.Problem)
	}
	if info.Step != 6 || info.TotalSteps != 6 || len(info.TrainLoss) != 6 || len(info.Val) != 2 || info.ModelDir == "" || info.Samples == "" || info.LossPlot == "" {
		t.Fatalf("run info %+v", info)
	}
	if info.Latest != res.Latest {
		t.Errorf("the listing says the run exports its latest weights: %v; the run: %v", info.Latest, res.Latest)
	}
	// A checkpoint cut short is the run's problem, said with the way out,
	// and the listing still reads the rest.
	{
		cut := t.TempDir()
		ck, err := os.ReadFile(filepath.Join(s.OutDir, train.CheckpointFile))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cut, train.CheckpointFile), ck[:len(ck)-9], 0o644); err != nil {
			t.Fatal(err)
		}
		bad, err := ReadRun(cut)
		if err != nil || bad.Problem == nil || !strings.Contains(bad.Problem.Error(), "cannot be read") || !strings.Contains(bad.Problem.Error(), "delete it") || !bad.Checkpoint {
			t.Errorf("a checkpoint cut short: %v, problem %v", err, bad.Problem)
		}
	}
	t.Logf("latest %v", res.Latest)
	if info.Record == nil || info.Record.State != StateDone || info.Record.Settings.Width != 16 || info.Resumable() {
		t.Fatalf("record %+v", info.Record)
	}
	card, err := os.ReadFile(filepath.Join(info.ModelDir, ModelCardFile))
	if err != nil || !strings.Contains(string(card), "tessera train --data shapes --out") || !strings.Contains(string(card), "--width 16") ||
		!strings.Contains(string(card), "the moving average of the run's weights (decay 0.998") ||
		!strings.Contains(string(card), fmt.Sprintf("- Optimiser: AdamW at a peak learning rate of %g (linear warm-up, cosine decay), batches of %d, dropout %g, weight decay %g\n", s.LR, s.Batch, s.Dropout, s.WeightDecay)) {
		t.Fatalf("model card: %v\n%s", err, card)
	}
	runs, err := ListRuns(filepath.Dir(s.OutDir))
	if err != nil || len(runs) != 1 || runs[0].Dir != s.OutDir {
		t.Fatalf("ListRuns: %v %v", runs, err)
	}
}

// TestPauseResumeStop pauses a run by cancelling it, resumes it from the
// checkpoint's step, and stops it.
func TestPauseResumeStop(t *testing.T) {
	s := tinyRun(t, 30, 10)
	ctx, cancel := context.WithCancelCause(context.Background())
	res, err := Run(ctx, s, Events{Step: func(i train.StepInfo) {
		if i.Step == 4 {
			cancel(ErrPaused)
		}
	}})
	if !errors.Is(err, context.Canceled) || res == nil || res.Steps != 4 {
		t.Fatalf("paused run: %v %+v", err, res)
	}
	info, err := ReadRun(s.OutDir)
	if err != nil || info.Record.State != StatePaused || info.Step != 4 || !info.Resumable() || info.ModelDir == "" {
		t.Fatalf("paused: %v %+v %+v", err, info, info.Record)
	}
	rec, err := ReadRecord(s.OutDir)
	if err != nil {
		t.Fatal(err)
	}
	// Given as the data, the paused run's folder is refused with how to
	// resume it.
	var refused *NotPicturesError
	if err := CheckDataFolder(s.OutDir); !errors.As(err, &refused) || !strings.Contains(err.Error(), "tessera train --resume --out "+s.OutDir) || !strings.Contains(refused.InStudio(), "press Resume") {
		t.Errorf("a paused run's folder as the data: %v", err)
	}
	// The checkpoint is not overwritten by a fresh start, nor resumed with
	// another architecture.
	if _, err := Run(context.Background(), s, Events{}); !errors.Is(err, ErrRunExists) {
		t.Fatalf("a fresh start over a checkpoint: %v", err)
	}
	wider := rec.Settings
	wider.Resume, wider.Width = true, 32
	if _, err := Run(context.Background(), wider, Events{}); !errors.Is(err, ErrOtherSettings) || !strings.Contains(err.Error(), "width: 16 → 32") || strings.Contains(err.Error(), "in use") {
		t.Fatalf("resumed with another width: %v", err)
	}
	s2 := rec.Settings
	s2.Resume = true
	first := 0
	ctx, cancel = context.WithCancelCause(context.Background())
	res, err = Run(ctx, s2, Events{Step: func(i train.StepInfo) {
		if first == 0 {
			first = i.Step
		}
		if i.Step == 12 {
			cancel(ErrStopped)
		}
	}})
	if first != 5 || res == nil || res.Steps != 12 || !errors.Is(err, context.Canceled) {
		t.Fatalf("resumed at step %d, ended %+v, %v", first, res, err)
	}
	if info, err := ReadRun(s.OutDir); err != nil || info.Record.State != StateStopped || len(info.TrainLoss) != 12 {
		t.Fatalf("stopped: %v %+v", err, info)
	}
	// The run log keeps both sessions, the refused starts left out.
	lines, err := ReadLogTail(s.OutDir, 100)
	if err != nil {
		t.Fatal(err)
	}
	log := strings.Join(lines, "\n")
	for _, want := range []string{"started: ", "model: ", "— paused —", "resumed at step 4", "— stopped —"} {
		if !strings.Contains(log, want) {
			t.Errorf("the run log lacks %q:\n%s", want, log)
		}
	}
	if strings.Count(log, "started: ") != 1 || strings.ContainsRune(log, '\r') {
		t.Errorf("run log:\n%s", log)
	}
	if tail, err := ReadLogTail(s.OutDir, 1); err != nil || len(tail) != 1 || tail[0] != "— stopped —" {
		t.Errorf("last line %q, %v", tail, err)
	}
}

// A resume on a shorter schedule than the run has trained is refused
// before anything is logged or written (it logged "nothing left to
// train", then failed).
func TestResumeOnAShorterSchedule(t *testing.T) {
	s := tinyRun(t, 4, 2)
	if _, err := Run(context.Background(), s, Events{}); err != nil {
		t.Fatal(err)
	}
	logBefore, _ := os.ReadFile(filepath.Join(s.OutDir, LogFile))
	s.Resume, s.Steps = true, 3
	if _, err := Run(context.Background(), s, Events{}); err == nil || !strings.Contains(err.Error(), "the run is at step 4 already") || !strings.Contains(err.Error(), "--steps 5 or more") {
		t.Fatalf("a shorter schedule: %v", err)
	}
	if logAfter, _ := os.ReadFile(filepath.Join(s.OutDir, LogFile)); !bytes.Equal(logBefore, logAfter) {
		t.Errorf("the refused resume logged %q", logAfter[len(logBefore):])
	}
}

// TestBadRunFolders: a corrupt checkpoint is a clear problem, not a panic,
// and resuming from it fails with the file named.
func TestBadRunFolders(t *testing.T) {
	s := tinyRun(t, 4, 2)
	ck := filepath.Join(s.OutDir, train.CheckpointFile)
	if err := os.WriteFile(ck, []byte("not a checkpoint at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteRecord(s.OutDir, Record{Settings: s, State: StatePaused}); err != nil {
		t.Fatal(err)
	}
	info, err := ReadRun(s.OutDir)
	if err != nil || info.Problem == nil || !strings.Contains(info.Problem.Error(), ck) || info.Resumable() {
		t.Fatalf("corrupt checkpoint: %v %+v", err, info)
	}
	s.Resume = true
	if _, err := Run(context.Background(), s, Events{}); err == nil || !strings.Contains(err.Error(), ck) {
		t.Fatalf("resume from a corrupt checkpoint: %v", err)
	}
	// The record is left as it was (ReadRun's Problem says what is
	// wrong): the refused resume trained nothing.
	if rec, err := ReadRecord(s.OutDir); err != nil || rec.State != StatePaused || rec.Error != "" {
		t.Fatalf("record after the refusal: %+v %v", rec, err)
	}
	if _, err := ReadRun(filepath.Join(s.OutDir, "missing")); err == nil {
		t.Fatal("a missing run folder reads")
	}
	if err := os.WriteFile(filepath.Join(s.OutDir, RecordFile), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if info, err := ReadRun(s.OutDir); err != nil || info.Problem == nil {
		t.Fatalf("corrupt record: %v %+v", err, info)
	}
}

// TestCheckData reports folders with nothing to train on clearly.
func TestCheckData(t *testing.T) {
	ctx := context.Background()
	if rep, err := CheckData(ctx, "shapes"); rep != nil || err != nil {
		t.Fatalf("shapes: %v %v", rep, err)
	}
	if _, err := CheckData(ctx, "nonsense"); !errors.Is(err, ErrUnknownDataset) {
		t.Fatalf("unknown dataset: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "missing")
	if _, err := CheckData(ctx, missing); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("missing folder: %v", err)
	}
	empty := t.TempDir()
	if _, err := CheckData(ctx, empty); err == nil || !strings.Contains(err.Error(), "nothing to train on") {
		t.Fatalf("empty folder: %v", err)
	}
	s := Preset(empty)
	s.OutDir = filepath.Join(t.TempDir(), "run")
	if _, err := Run(ctx, s, Events{}); err == nil {
		t.Fatal("training on an empty folder")
	}
	// The failed run prepared nothing: its folder does not hold the next
	// try to the mistaken settings (it failed for its own data instead).
	other := Preset(missing)
	other.OutDir = s.OutDir
	if _, err := Run(ctx, other, Events{}); err == nil || errors.Is(err, ErrRunExists) || errors.Is(err, ErrOtherSettings) {
		t.Fatalf("a retry with other data in a folder where nothing was prepared: %v", err)
	}
}

// A run's folder (its sample grids would be trained on as pictures) or a
// model's folder given as the data is refused before anything is read,
// with what to do instead; a folder of pictures holding a config.json, an
// empty run.json or a "tokenizer" subfolder is data.
func TestDataFolderThatIsARunOrAModel(t *testing.T) {
	put := func(dir, name string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := t.TempDir()
	if err := WriteRecord(run, Record{Settings: Preset("shapes"), State: StateDone}); err != nil {
		t.Fatal(err)
	}
	put(run, "samples.png")
	if err := os.Mkdir(filepath.Join(run, "model"), 0o755); err != nil {
		t.Fatal(err)
	}
	put(filepath.Join(run, "model"), model.WeightsFile)
	checkpointOnly := t.TempDir()
	put(checkpointOnly, train.CheckpointFile)
	modelDir := t.TempDir()
	put(modelDir, model.ConfigFile)
	put(modelDir, model.WeightsFile)
	pictures := t.TempDir()
	put(pictures, model.ConfigFile)
	put(pictures, RecordFile) // "{}": no run's record
	if err := os.Mkdir(filepath.Join(pictures, "tokenizer"), 0o755); err != nil {
		t.Fatal(err)
	}
	prepared := t.TempDir()
	put(prepared, PreparedFile)
	for dir, want := range map[string]string{
		run:            "is a training run's folder, not a folder of pictures",
		checkpointOnly: "is a training run's folder",
		prepared:       "is a training run's folder",
		modelDir:       "is a model's folder, not a folder of pictures",
		pictures:       "",
	} {
		// What to do instead, on the command line and in the Train tab: a
		// finished run has nothing to resume.
		var refused *NotPicturesError
		refusal := CheckDataFolder(dir)
		if errors.As(refusal, &refused) != (want != "") {
			t.Fatalf("%s: %v", dir, refusal)
		}
		if refused != nil {
			advice := map[string][2]string{ // on the command line, in the Train tab
				run:            {"that run cannot go on; to train its model further, fine-tune it: tessera train --init " + filepath.Join(run, "model"), "Use this model"},
				checkpointOnly: {"", "give the folder of the images to train on"}, // its checkpoint is damaged: nothing to go on from
				prepared:       {"", "give the folder of the images to train on"},
				modelDir:       {"tessera train --init " + modelDir, "open it on the Create tab"},
			}[dir]
			cli, studio := advice[0], advice[1]
			if !strings.Contains(refusal.Error(), cli) || !strings.Contains(refused.InStudio(), studio) || strings.Contains(refused.InStudio(), "tessera train") {
				t.Errorf("%s: %q / in the studio %q", dir, refusal, refused.InStudio())
			}
		}
		s := Preset(dir)
		s.OutDir = filepath.Join(t.TempDir(), "out")
		err := s.Check()
		if want == "" {
			if err != nil {
				t.Errorf("%s: %v", dir, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), dir) {
			t.Errorf("%s: %v, want %q", dir, err, want)
		}
	}
}

// TestArgs writes what differs from the preset as flags.
func TestArgs(t *testing.T) {
	s := Preset("shapes")
	s.OutDir, s.Width, s.Minutes, s.Threads = "/tmp/r", 16, 2.5, 1
	got := strings.Join(s.Args(), " ")
	if got != "--data shapes --out /tmp/r --minutes 2.5 --threads 1 --width 16" {
		t.Fatalf("args %q", got)
	}
	if (Settings{Data: "shapes"}).Check() == nil {
		t.Fatal("no run folder accepted")
	}
	e := Preset(EditData)
	e.OutDir, e.EditPairs = "/tmp/e", 9000
	if got := strings.Join(e.Args(), " "); got != "--data edit --out /tmp/e --edit-pairs 9000" {
		t.Fatalf("edit args %q", got)
	}
	if err := e.Check(); err != nil {
		t.Fatalf("edit pairs: %v", err)
	}
	for _, c := range []struct {
		data  string
		pairs int
	}{{"shapes", 5}, {EditData, -2}} {
		bad := Preset(c.data)
		bad.OutDir, bad.EditPairs = "/tmp/e", c.pairs
		if err := bad.Check(); err == nil || !strings.Contains(err.Error(), "edit pairs") {
			t.Errorf("%d edit pairs on %s: %v", bad.EditPairs, bad.Data, err)
		}
	}
	// recommended knobs (the preset's are not written): whole top-k written
	// as such, the preset's top-p and guidance dropped as 0, out-of-range
	// refused
	if p := Preset("shapes").Defaults; p.TopP == 0 || p.Guidance == 0 {
		t.Fatalf("shapes preset recommends %+v", p)
	}
	s.Defaults = sampling.Recommended{TopK: 2000000, GuidanceMinP: 0.1}
	if got := strings.Join(QuoteArgs(s.Args()), " "); !strings.HasSuffix(got, "--default-top-k 2000000 --default-top-p 0 --default-guidance 0 --default-guidance-min-p 0.1 --default-rank-by ''") {
		t.Fatalf("args %q (the preset's order cleared is written as an empty argument, quoted)", got)
	}
	s.Defaults.RankBy = "beauty"
	if err := s.Check(); err == nil || !strings.Contains(err.Error(), "rank by") {
		t.Fatalf("an unknown order recommended: %v", err)
	}
	s.Defaults.RankBy = ""
	s.Defaults.GuidanceMinP = 2
	if err := s.Check(); err == nil || !strings.Contains(err.Error(), "guidance min-p") {
		t.Fatalf("min-p 2 recommended: %v", err)
	}
}

// A run that fails before it makes anything leaves no folder behind when
// it made the folder itself; a folder that was there stays.
func TestFailedStartLeavesNoFolder(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-images")
	fresh := filepath.Join(t.TempDir(), "run-new")
	s := tinySettings(fresh)
	s.Data = missing
	if _, err := Run(context.Background(), s, Events{}); err == nil {
		t.Fatal("a run on a missing folder started")
	}
	if _, err := os.Stat(fresh); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the run folder it made is still there: %v", err)
	}
	// The folders above it that it made go too (--out np/run left np),
	// not those that were there.
	parent := t.TempDir()
	s.OutDir = filepath.Join(parent, "np", "deeper", "run")
	if _, err := Run(context.Background(), s, Events{}); err == nil {
		t.Fatal("a run on a missing folder started")
	}
	if _, err := os.Stat(filepath.Join(parent, "np")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the folders it made above the run folder are still there: %v", err)
	}
	if _, err := os.Stat(parent); err != nil {
		t.Errorf("the folder that was there went: %v", err)
	}
	kept := t.TempDir()
	s.OutDir = kept
	if _, err := Run(context.Background(), s, Events{}); err == nil {
		t.Fatal("a run on a missing folder started")
	}
	if rec, err := ReadRecord(kept); err != nil || rec.State != StateFailed {
		t.Errorf("a folder that was there lost its failed run's record: %+v %v", rec, err)
	}
}

// Stopped while preparing its data, a run in a folder that was there and
// empty leaves it empty (it kept run.json, a paused run of 0 steps,
// train.log and the lock, and a later run on other data went on there
// without a word, its log after the first's).
func TestStopWhilePreparingLeavesAnEmptyFolderEmpty(t *testing.T) {
	pics := t.TempDir()
	for i, c := range []color.NRGBA{{200, 30, 30, 255}, {30, 200, 30, 255}, {30, 30, 200, 255}} {
		f, err := os.Create(filepath.Join(pics, fmt.Sprintf("p%d.png", i)))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, imagetest.Solid(c, 8)); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, ".DS_Store"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s := tinySettings(empty)
	s.Data, s.Steps = pics, 2
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // as Ctrl+C while the pictures are read
	if res, err := Run(ctx, s, Events{}); res != nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("a run stopped while preparing: %v, %v", res, err)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 1 || entries[0].Name() != ".DS_Store" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("the folder holds %q, want only what was there", names)
	}
}

// A resumed run whose prepared data was deleted tokenises its data again
// with the codebook its checkpoint was trained with (it learnt another
// from the pictures as they were now, and trained the checkpoint on its
// codes without a word); captions that gained a word are refused as data
// that changed (it said "checkpoint.safetensors was trained with a
// different model config" after k-means), and a run that lost its codebook
// too is refused.
func TestResumeTokenisesAgainWithItsOwnCodebook(t *testing.T) {
	pics := captionedSquares(t)
	picture := func(name string, c color.NRGBA, caption string) {
		t.Helper()
		captionedPicture(t, pics, name, c, caption)
	}
	colours := squareColours
	s := tinySettings(filepath.Join(t.TempDir(), "run"))
	s.Data, s.Steps, s.EvalEvery = pics, 2, 2
	if _, err := Run(context.Background(), s, Events{}); err != nil {
		t.Fatal(err)
	}
	codebookFile := filepath.Join(s.OutDir, "model", "preprocessor_config.json")
	before, err := os.ReadFile(codebookFile)
	if err != nil {
		t.Fatal(err)
	}
	// Other pictures, the same captions: trained on with the run's codebook.
	for name, c := range colours {
		picture(name, color.NRGBA{255 - c.R, c.B, 255 - c.G, 255}, name+" square")
	}
	if err := os.Remove(PreparedPath(s.OutDir)); err != nil {
		t.Fatal(err)
	}
	s.Resume, s.Steps = true, 4
	var log strings.Builder
	if _, err := Run(context.Background(), s, Events{Log: &log}); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(codebookFile); !bytes.Equal(after, before) {
		t.Errorf("the run's codebook changed on the resume")
	}
	if !strings.Contains(log.String(), "with the run's own tokenizer in "+filepath.Join(s.OutDir, "model")) || strings.Contains(log.String(), "k-means") {
		t.Errorf("log: %s", log.String())
	}

	// A caption with a new word: the data changed.
	picture("red", colours["red"], "cyan circle")
	if err := os.Remove(PreparedPath(s.OutDir)); err != nil {
		t.Fatal(err)
	}
	s.Steps = 6
	if _, err := Run(context.Background(), s, Events{}); err == nil || !strings.Contains(err.Error(), "the data changed since the run in") || !strings.Contains(err.Error(), "words the run never trained on: circle, cyan") {
		t.Fatalf("captions with new words: %v", err)
	}
	if _, err := os.Stat(PreparedPath(s.OutDir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused data was kept as the run's: %v", err)
	}

	// No exported model either: the codebook is gone.
	if err := os.RemoveAll(filepath.Join(s.OutDir, "model")); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), s, Events{}); err == nil || !strings.Contains(err.Error(), "and with it the codebook its checkpoint was trained with") {
		t.Fatalf("no codebook: %v", err)
	}
}

// squareColours are the pictures of captionedSquares, by name.
var squareColours = map[string]color.NRGBA{"red": {220, 20, 20, 255}, "green": {20, 200, 40, 255}, "blue": {30, 40, 210, 255}, "yellow": {230, 220, 30, 255},
	"purple": {140, 30, 160, 255}, "orange": {240, 140, 20, 255}, "black": {10, 10, 10, 255}, "gray": {128, 128, 128, 255}}

// captionedSquares writes a folder dataset into a new folder: a 16×16
// picture of each of squareColours (a corner of other colours) captioned
// "NAME square".
func captionedSquares(t *testing.T) string {
	t.Helper()
	pics := t.TempDir()
	for name, c := range squareColours {
		captionedPicture(t, pics, name, c, name+" square")
	}
	return pics
}

// captionedPicture writes dir/name.png, a 16×16 picture of colour c with
// a corner of other colours, and its caption in dir/name.txt.
func captionedPicture(t *testing.T, dir, name string, c color.NRGBA, caption string) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	img := imagetest.Solid(c, 16)
	for y := range 8 {
		for x := range 8 {
			img.SetNRGBA(x, y, color.NRGBA{c.B, c.R, c.G, 255})
		}
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := os.WriteFile(filepath.Join(dir, name+".txt"), []byte(caption), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A fine-tune of a model on a k-means codebook with a checkpoint but no
// model of its own (killed before it exported one, or model/ deleted),
// whose prepared data was deleted, refuses captions that changed, saying
// what changed (it tokenised them with its base model's codebook and said
// only "checkpoint.safetensors was trained with a different model
// config").
func TestResumedFineTuneRefusesChangedData(t *testing.T) {
	pics := captionedSquares(t)
	base := tinySettings(filepath.Join(t.TempDir(), "base"))
	base.Data, base.Steps, base.EvalEvery = pics, 2, 2
	if _, err := Run(context.Background(), base, Events{}); err != nil {
		t.Fatal(err)
	}
	s := tinySettings(filepath.Join(t.TempDir(), "tune"))
	s.Data, s.InitModel, s.Steps, s.EvalEvery = pics, filepath.Join(base.OutDir, "model"), 6, 6
	ctx, cancel := context.WithCancelCause(context.Background())
	if _, err := Run(ctx, s, Events{Step: func(i train.StepInfo) {
		if i.Step == 1 {
			cancel(ErrPaused)
		}
	}}); !errors.Is(err, context.Canceled) {
		t.Fatalf("the paused fine-tune: %v", err)
	}
	// No model of its own (killed before it exported one, or deleted),
	// no prepared data.
	lose := func() {
		t.Helper()
		if err := os.RemoveAll(filepath.Join(s.OutDir, "model")); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(PreparedPath(s.OutDir)); err != nil {
			t.Fatal(err)
		}
	}
	lose()
	s.Resume, s.StopAt = true, 2
	if res, err := Run(context.Background(), s, Events{}); err != nil || res.Steps != 2 {
		t.Fatalf("the same data: %+v, %v", res, err)
	}
	lose()
	captionedPicture(t, pics, "red", squareColours["red"], "cyan circle")
	s.StopAt = 3
	if _, err := Run(context.Background(), s, Events{}); err == nil || !strings.Contains(err.Error(), "the data changed since the run in") || !strings.Contains(err.Error(), "words the run never trained on: circle, cyan") {
		t.Fatalf("captions with new words: %v", err)
	}
	if _, err := os.Stat(PreparedPath(s.OutDir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused data was kept as the run's: %v", err)
	}
}

// The studio keeps the tokenised shapes for later runs with the same
// tokenisation: a second run reads them instead of drawing and tokenising
// again (about 95 s for the full preset on 2 cores), whatever its thread
// count; other settings, or a folder of images, are never read from it.
func TestPrepCacheReusesBuiltInData(t *testing.T) {
	ctx := context.Background()
	cache := t.TempDir()
	s := tinySettings(filepath.Join(t.TempDir(), "a"))
	s.PrepCache = cache
	var log1, log2 bytes.Buffer
	p1, err := PrepareData(ctx, s, Events{Log: &log1})
	if err != nil {
		t.Fatal(err)
	}
	kept, _ := os.ReadDir(cache)
	if len(kept) != 1 || strings.Contains(log1.String(), "an earlier run") {
		t.Fatalf("first run: %d files kept, log %q", len(kept), log1.String())
	}
	// Reading it marks it used, so that pruning keeps it.
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(cache, kept[0].Name()), old, old); err != nil {
		t.Fatal(err)
	}
	s2 := s
	s2.OutDir, s2.Threads = filepath.Join(t.TempDir(), "b"), 2
	p2, err := PrepareData(ctx, s2, Events{Log: &log2})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log2.String(), "using the tokenised data an earlier run prepared the same way") {
		t.Fatalf("second run did not use the kept data: %q", log2.String())
	}
	if len(p2.Train) != len(p1.Train) || !slices.Equal(p2.Train[0].Codes, p1.Train[0].Codes) || !slices.Equal(p2.Codebook.Entries, p1.Codebook.Entries) {
		t.Fatal("the kept data differs from what was prepared")
	}
	if info, err := os.Stat(filepath.Join(cache, kept[0].Name())); err != nil || info.ModTime().Before(old.Add(time.Minute)) {
		t.Errorf("the kept file read is not marked used: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s2.OutDir, PreparedFile)); err != nil {
		t.Fatalf("the run folder has no copy of its own: %v", err)
	}
	// Another seed draws other shapes: another file, never this one.
	other := s
	other.Seed++
	spec := prepare.Spec{Name: "shapes", Seed: s.Seed}
	if a, b := prepCacheFile(s, spec, model.Config{}, nil), prepCacheFile(other, prepare.Spec{Name: "shapes", Seed: other.Seed}, model.Config{}, nil); a == "" || a == b {
		t.Errorf("cache files %q and %q", a, b)
	}
	folder := s
	folder.Data = t.TempDir()
	if f := prepCacheFile(folder, spec, model.Config{}, nil); f != "" {
		t.Errorf("a folder of images is cached at %q", f)
	}
}

// A resumed shapes run of the studio's whose prepared data was deleted
// and that has exported no model yet (killed before its first export, or
// model/ deleted) gets its data back from the prepared-data cache, its
// codebook with it (it was refused: "the codebook its checkpoint was
// trained with" was gone).
func TestResumeTakesItsDataFromThePrepCache(t *testing.T) {
	s := tinySettings(filepath.Join(t.TempDir(), "run"))
	s.PrepCache, s.Steps, s.EvalEvery = t.TempDir(), 2, 2
	if _, err := Run(context.Background(), s, Events{}); err != nil {
		t.Fatal(err)
	}
	own, err := LoadPrepared(PreparedPath(s.OutDir))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(s.OutDir, "model")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(PreparedPath(s.OutDir)); err != nil {
		t.Fatal(err)
	}
	s.Resume, s.Steps = true, 3
	var log strings.Builder
	if res, err := Run(context.Background(), s, Events{Log: &log}); err != nil || res.Steps != 3 {
		t.Fatalf("resumed: %+v, %v", res, err)
	}
	if !strings.Contains(log.String(), "using the tokenised data an earlier run prepared the same way") {
		t.Errorf("the cache was not used: %s", log.String())
	}
	back, err := LoadPrepared(PreparedPath(s.OutDir))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back.Codebook.Entries, own.Codebook.Entries) || !slices.Equal(back.Train[0].Codes, own.Train[0].Codes) {
		t.Error("the data from the cache is not the run's")
	}

	// Only the cached file the run recorded taking its data from is taken
	// back: another (another build's, under the same settings) may hold
	// another codebook.
	key, err := os.ReadFile(filepath.Join(s.OutDir, PreparedKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	must(t, os.Remove(PreparedPath(s.OutDir)))
	must(t, os.RemoveAll(filepath.Join(s.OutDir, "model")))
	must(t, os.WriteFile(filepath.Join(s.OutDir, PreparedKeyFile), []byte("shapes-0123456789abcdef.gob\n"), 0o644))
	s.Steps = 4
	if _, err := Run(context.Background(), s, Events{}); err == nil || !strings.Contains(err.Error(), "is gone") {
		t.Fatalf("a resume whose recorded cache file is not there: %v", err)
	}
	must(t, os.WriteFile(filepath.Join(s.OutDir, PreparedKeyFile), key, 0o644))
	// With its exported model, it tokenises with that model's codebook,
	// its own, not with the cache's.
	log.Reset()
	if _, err := Run(context.Background(), s, Events{Log: &log}); err != nil {
		t.Fatal(err)
	}
	must(t, os.Remove(PreparedPath(s.OutDir)))
	s.Steps = 5
	log.Reset()
	if _, err := Run(context.Background(), s, Events{Log: &log}); err != nil || !strings.Contains(log.String(), "with the run's own tokenizer") || strings.Contains(log.String(), "an earlier run prepared") {
		t.Fatalf("a resume with its own model: %v\n%s", err, log.String())
	}
	must(t, os.RemoveAll(filepath.Join(s.OutDir, "model")))

	// Cached data the checkpoint was not trained on is refused, not taken.
	kept, err := filepath.Glob(filepath.Join(s.PrepCache, "*.gob"))
	if err != nil || len(kept) != 1 {
		t.Fatalf("the cache holds %v (%v)", kept, err)
	}
	back.Train = back.Train[1:]
	if err := os.Remove(PreparedPath(s.OutDir)); err != nil { // a link to the cached file
		t.Fatal(err)
	}
	if err := SavePrepared(kept[0], back); err != nil {
		t.Fatal(err)
	}
	s.Steps = 6
	if _, err := Run(context.Background(), s, Events{}); err == nil || !strings.Contains(err.Error(), "the data changed since the run in") {
		t.Fatalf("other cached data: %v", err)
	}
	if _, err := os.Stat(PreparedPath(s.OutDir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused data was kept as the run's: %v", err)
	}
}

// The cache keeps the most recently written or used files and removes the
// rest, so that it does not grow with every build and setting; a file read
// by a run counts as used.
func TestPrepCachePrunesOldest(t *testing.T) {
	dir := t.TempDir()
	base := time.Now().Add(-time.Hour)
	for i := range prepCacheKeep + 3 {
		f := filepath.Join(dir, fmt.Sprintf("shapes-%02d.gob", i))
		if err := os.WriteFile(f, []byte{1}, 0o644); err != nil {
			t.Fatal(err)
		}
		at := base.Add(time.Duration(i) * time.Minute)
		if i == 0 { // the oldest written, but read a moment ago
			at = time.Now()
		}
		if err := os.Chtimes(f, at, at); err != nil {
			t.Fatal(err)
		}
	}
	other := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(other, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(other, base.Add(-time.Hour), base.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	pruneCache(dir, prepCacheKeep)
	var kept []string
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		kept = append(kept, e.Name())
	}
	want := []string{"notes.txt", "shapes-00.gob"}
	for i := 3 + 1; i < prepCacheKeep+3; i++ {
		want = append(want, fmt.Sprintf("shapes-%02d.gob", i))
	}
	slices.Sort(want)
	if !slices.Equal(kept, want) {
		t.Fatalf("kept %v, want %v", kept, want)
	}
}

// TestRunRefusesFoldersItMustNotWriteInto: a folder of other files (a
// dataset, documents) is no run folder, and a run whose record is damaged
// is not resumed with guessed settings; in both nothing is written.
func TestRunRefusesFoldersItMustNotWriteInto(t *testing.T) {
	docs := t.TempDir()
	if err := os.WriteFile(filepath.Join(docs, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := tinySettings(docs)
	s.Steps = 1
	if _, err := Run(context.Background(), s, Events{}); !errors.Is(err, ErrNotRunFolder) || !strings.Contains(err.Error(), "notes.txt") || strings.Contains(err.Error(), "in use") {
		t.Fatalf("a folder of other files: %v", err)
	}
	if entries, _ := os.ReadDir(docs); len(entries) != 1 {
		t.Fatalf("the folder holds %d entries, want only notes.txt", len(entries))
	}

	// What file managers leave in a new folder is no one's work.
	fresh := t.TempDir()
	for _, name := range []string{".DS_Store", "Thumbs.db", "desktop.ini", ".gitkeep"} {
		if err := os.WriteFile(filepath.Join(fresh, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := CheckRunFolder(fresh); err != nil {
		t.Errorf("a new folder with a file manager's files: %v", err)
	}
	if err := os.Mkdir(filepath.Join(fresh, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := CheckRunFolder(fresh); !errors.Is(err, ErrNotRunFolder) {
		t.Errorf("a folder holding a .git folder: %v", err)
	}

	run := tinyRun(t, 2, 2)
	record := filepath.Join(run.OutDir, RecordFile)
	if err := os.WriteFile(record, []byte("{damaged"), 0o644); err != nil {
		t.Fatal(err)
	}
	run.Resume = true
	if _, err := Run(context.Background(), run, Events{}); !errors.Is(err, ErrDamagedRecord) || !strings.Contains(err.Error(), "damaged") || strings.Contains(err.Error(), "in use") {
		t.Fatalf("a damaged record: %v", err)
	}
	if b, _ := os.ReadFile(record); string(b) != "{damaged" {
		t.Fatalf("the damaged record was rewritten: %q", b)
	}
}

// A train-tokenizer run's folder is not a train run's: a run trained into
// it and wrote the fine-tuned model's tokenizer over the one trained there.
// A folder of other files that holds a "tokenizer" folder is no run's
// either (a run trained beside its notes).
func TestRunRefusesATokenizerRunFolder(t *testing.T) {
	write := func(path, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tokRun := t.TempDir()
	write(filepath.Join(tokRun, train.ViTCheckpointFile), "checkpoint")
	write(filepath.Join(tokRun, "tokenizer", "tokenizer_config.json"), "mine")
	s := tinySettings(tokRun)
	s.Steps = 1
	if _, err := Run(context.Background(), s, Events{}); !errors.Is(err, ErrNotRunFolder) || !strings.Contains(err.Error(), "train-tokenizer run's folder") {
		t.Fatalf("a train-tokenizer run's folder: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(tokRun, "tokenizer", "tokenizer_config.json")); string(b) != "mine" {
		t.Fatalf("its tokenizer: %q", b)
	}
	if entries, _ := os.ReadDir(tokRun); len(entries) != 2 {
		t.Fatalf("the folder holds %d entries, want its own 2", len(entries))
	}
	// A run made there before it was refused is still resumed and
	// exported (its record says it is a run's folder).
	old := tinySettings(filepath.Join(t.TempDir(), "run"))
	old.Steps = 1
	if _, err := Run(context.Background(), old, Events{}); err != nil {
		t.Fatal(err)
	}
	record, err := os.ReadFile(filepath.Join(old.OutDir, RecordFile))
	if err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(tokRun, RecordFile), string(record))
	if err := CheckRunFolder(tokRun); err != nil {
		t.Errorf("a run's folder that also holds a train-tokenizer run: %v", err)
	}
	must(t, os.Remove(filepath.Join(tokRun, RecordFile)))

	notes := t.TempDir()
	write(filepath.Join(notes, "notes.txt"), "mine")
	write(filepath.Join(notes, "tokenizer", "x"), "mine")
	s.OutDir = notes
	if _, err := Run(context.Background(), s, Events{}); !errors.Is(err, ErrNotRunFolder) {
		t.Fatalf("a folder of other files with a tokenizer folder: %v", err)
	}
	if entries, _ := os.ReadDir(notes); len(entries) != 2 {
		t.Fatalf("the folder holds %d entries, want its own 2", len(entries))
	}
}

// Resuming a finished run trains nothing and keeps the speed it measured
// (the record lost tokens_per_sec, and the summary said 0 tokens/s).
func TestResumeAFinishedRunKeepsItsSpeed(t *testing.T) {
	s := tinyRun(t, 2, 2)
	if _, err := Run(context.Background(), s, Events{}); err != nil {
		t.Fatal(err)
	}
	before, err := ReadRecord(s.OutDir)
	if err != nil || before.TokensPerSec <= 0 {
		t.Fatalf("first run: %+v, %v", before, err)
	}
	s.Resume = true
	var log bytes.Buffer
	res, err := Run(context.Background(), s, Events{Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(log.String(), "\n"); !strings.Contains(first, "its schedule of 2 steps had ended: nothing left to train") {
		t.Errorf("a resume with nothing left to train began %q", first)
	}
	after, err := ReadRecord(s.OutDir)
	if err != nil || after.TokensPerSec != before.TokensPerSec || after.Steps != before.Steps {
		t.Fatalf("after a resume with nothing left: %+v, %v (before %+v)", after, err, before)
	}
	if sum := Summary(res, 0, 0); strings.Contains(sum, " 0 tokens/s") || res.TokensPerSec == 0 && strings.Contains(sum, "tokens/s") {
		t.Errorf("summary %q after a resume that trained nothing (%g tokens/s measured)", sum, res.TokensPerSec)
	}
}

// DeleteRun removes a finished run's folder whole (model and plots
// included), and refuses, deleting nothing, a folder that is no run or that
// holds a file of someone else's.
func TestDeleteRun(t *testing.T) {
	s := tinySettings(filepath.Join(t.TempDir(), "run"))
	s.Steps, s.EvalEvery = 2, 2
	s.PrepCache = t.TempDir() // the run names its cached data in prepared.key: its own file
	if _, err := Run(context.Background(), s, Events{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(s.OutDir, PreparedKeyFile)); err != nil {
		t.Fatalf("the run names no cached data: %v", err)
	}
	if err := os.WriteFile(filepath.Join(s.OutDir, ".DS_Store"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(s.OutDir, "my notes.txt")
	if err := os.WriteFile(mine, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := DeleteRun(s.OutDir); !errors.Is(err, ErrNotRunFiles) || !strings.Contains(err.Error(), "my notes.txt") {
		t.Fatalf("a run folder holding a file of the user's: %v", err)
	}
	if !IsRun(s.OutDir) {
		t.Fatal("the refused delete removed the run's files")
	}
	if err := os.Remove(mine); err != nil {
		t.Fatal(err)
	}
	// A link to the run: refused, the run kept.
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(s.OutDir, link); err != nil {
		t.Fatal(err)
	}
	if err := DeleteRun(link); err == nil || !strings.Contains(err.Error(), "link") || !IsRun(s.OutDir) {
		t.Fatalf("a link to a run: %v", err)
	}
	// Recorded as running with a fresh log: training now, refused; with an
	// old log (the app closed abruptly), deletable.
	rec, err := ReadRecord(s.OutDir)
	if err != nil {
		t.Fatal(err)
	}
	rec.State = StateRunning
	if err := WriteRecord(s.OutDir, *rec); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.OutDir, LogFile), []byte("step 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := DeleteRun(s.OutDir); err == nil || !strings.Contains(err.Error(), "training now") {
		t.Fatalf("a run training now: %v", err)
	}
	old := time.Now().Add(-2 * activeRunWindow)
	if err := os.Chtimes(filepath.Join(s.OutDir, LogFile), old, old); err != nil {
		t.Fatal(err)
	}
	info, err := ReadRun(s.OutDir)
	if err != nil || info.ModelDir == "" || info.LossPlot == "" {
		t.Fatalf("the run to delete: %+v, %v", info, err)
	}
	if err := DeleteRun(s.OutDir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.OutDir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the run folder is still there: %v", err)
	}

	docs := t.TempDir()
	if err := os.WriteFile(filepath.Join(docs, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := DeleteRun(docs); err == nil || !strings.Contains(err.Error(), "not a run folder") {
		t.Fatalf("a folder that is no run: %v", err)
	}
	if _, err := os.Stat(filepath.Join(docs, "notes.txt")); err != nil {
		t.Fatal(err)
	}
}

func TestFineTuneLR(t *testing.T) {
	for lr, want := range map[float64]float64{1e-3: 1e-4, 1.5e-3: 1.5e-4, 4e-3: 4e-4} {
		if got := FineTuneLR(lr); got != want {
			t.Errorf("FineTuneLR(%g) = %v, want %v", lr, got, want)
		}
	}
}

// One process at a time trains a run folder: while another holds its lock
// (a studio training it), a second Run is refused and changes nothing; once
// the lock is free, the run goes on (a tessera train resumed beside a
// studio's run trained it too, each overwriting the other's checkpoint).
func TestRunFolderInUseIsRefused(t *testing.T) {
	s := tinyRun(t, 4, 2)
	other := flock.New(filepath.Join(s.OutDir, LockFile))
	if held, err := other.TryLock(); err != nil || !held {
		t.Fatalf("lock: %v %v", held, err)
	}
	_, err := Run(context.Background(), s, Events{})
	if !errors.Is(err, ErrRunExists) || !strings.Contains(err.Error(), "being trained just now by another Tessera") {
		t.Fatalf("a run folder in use: %v", err)
	}
	// Checked before anything else, with a model of the other run's
	// exported before its first checkpoint: it was refused as a trained
	// model without a checkpoint that a run would write over.
	md := filepath.Join(s.OutDir, "model")
	if err := os.MkdirAll(md, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(md, model.WeightsFile), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, resume := range []bool{false, true} {
		s.Resume = resume
		if err := CheckStart(s); !errors.Is(err, ErrRunExists) || !strings.Contains(err.Error(), "being trained just now by another Tessera") {
			t.Errorf("CheckStart (resume %v) of a run folder in use: %v", resume, err)
		}
	}
	s.Resume = false
	if err := os.RemoveAll(md); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(s.OutDir, train.CheckpointFile)); err == nil {
		t.Fatal("the refused run wrote a checkpoint")
	}
	if err := DeleteRun(s.OutDir); err == nil || !strings.Contains(err.Error(), "it is training now") {
		t.Fatalf("deleting a run in use: %v", err)
	}
	if err := other.Unlock(); err != nil {
		t.Fatal(err)
	}
	if res, err := Run(context.Background(), s, Events{}); err != nil || res.Steps != 4 {
		t.Fatalf("after the lock was freed: %v %+v", err, res)
	}
}

// BaseRegularization knows the built-in models' presets and what a run
// folder's model was trained with, and nothing else.
func TestBaseRegularization(t *testing.T) {
	if d, wd, ok := BaseRegularization("emoji"); !ok || d != Preset("emoji").Dropout || wd != Preset("emoji").WeightDecay {
		t.Errorf("emoji: %g, %g, %v", d, wd, ok)
	}
	run := t.TempDir()
	st := Preset("./pics")
	st.Dropout, st.WeightDecay = 0.3, 0.07
	if err := WriteRecord(run, Record{Settings: st, State: StateDone}); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(run, "model"), 0o755); err != nil {
		t.Fatal(err)
	}
	if d, wd, ok := BaseRegularization(filepath.Join(run, "model")); !ok || d != 0.3 || wd != 0.07 {
		t.Errorf("a run's model: %g, %g, %v", d, wd, ok)
	}
	for _, m := range []string{run, t.TempDir() + "/model", "no-such-model"} {
		if _, _, ok := BaseRegularization(m); ok {
			t.Errorf("%s: known", m)
		}
	}
}

// A fine-tune on a folder replays by default, unless the folder is the one
// its model was trained on; and the command a model card quotes says
// --replay 0 for one that did not replay.
func TestDefaultReplayFor(t *testing.T) {
	pics := t.TempDir()
	run := t.TempDir()
	st := Preset(pics)
	if err := WriteRecord(run, Record{Settings: st, State: StateDone}); err != nil {
		t.Fatal(err)
	}
	runModel := filepath.Join(run, "model")
	for _, c := range []struct {
		init, data string
		want       bool
	}{
		{"emoji", pics, true},
		{"emoji", "shapes", false},
		{"", pics, false},
		{runModel, pics, false},        // its own folder
		{runModel, t.TempDir(), true},  // another
		{"/nowhere/model", pics, true}, // not known: replayed if present (a warning otherwise)
	} {
		s := Preset(c.data)
		s.Data, s.InitModel = c.data, c.init
		if got := DefaultReplayFor(s); got != c.want {
			t.Errorf("fine-tune of %q on %q: default replay %v, want %v", c.init, c.data, got, c.want)
		}
	}
	s := Preset(pics)
	s.Data, s.InitModel, s.OutDir = pics, "emoji", "r"
	if args := strings.Join(s.Args(), " "); !strings.Contains(args, "--replay 0") {
		t.Errorf("a folder fine-tune without replay: %s", args)
	}
	s.Replay = DefaultReplay
	if args := strings.Join(s.Args(), " "); strings.Contains(args, "--replay") {
		t.Errorf("a folder fine-tune with the default replay: %s", args)
	}
}

// A killed run's record still says where its call started (step 0, state
// running): a resume says the checkpoint's step, and refuses a --stop-at
// behind it (it logged "resumed at step 0" and went on at step 5).
func TestResumeAfterAKillSaysTheCheckpointsStep(t *testing.T) {
	s := tinyRun(t, 30, 10)
	ctx, cancel := context.WithCancelCause(context.Background())
	if _, err := Run(ctx, s, Events{Step: func(i train.StepInfo) {
		if i.Step == 4 {
			cancel(ErrPaused)
		}
	}}); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	rec, err := ReadRecord(s.OutDir)
	if err != nil {
		t.Fatal(err)
	}
	killed := Record{Settings: rec.Settings, State: StateRunning} // as a kill -9 leaves it
	if err := WriteRecord(s.OutDir, killed); err != nil {
		t.Fatal(err)
	}
	s2 := rec.Settings
	s2.Resume, s2.StopAt = true, 3
	if _, err := Run(context.Background(), s2, Events{}); err == nil || !strings.Contains(err.Error(), "the run is at step 4 already") {
		t.Fatalf("--stop-at 3 behind the checkpoint: %v", err)
	}
	s2.StopAt = 6
	var log strings.Builder
	if res, err := Run(context.Background(), s2, Events{Log: &log}); err != nil || res.Steps != 6 {
		t.Fatalf("resumed: %+v, %v", res, err)
	}
	if !strings.Contains(log.String(), "resumed at step 4") {
		t.Errorf("the resumed run's log:\n%s", log.String())
	}
}

// linkOrCopy links where it can (a run kept a 5 MB copy of the cached
// data) and the content is src's either way; a dst there is replaced.
func TestLinkOrCopy(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "a.gob"), filepath.Join(dir, "run", "prepared.gob")
	if err := os.WriteFile(src, []byte("tokens"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := linkOrCopy(src, dst); err != nil {
		t.Fatal(err)
	}
	a, _ := os.Stat(src)
	b, _ := os.Stat(dst)
	if got, _ := os.ReadFile(dst); string(got) != "tokens" || !os.SameFile(a, b) {
		t.Errorf("dst holds %q, linked %v", got, os.SameFile(a, b))
	}
	if _, err := os.Stat(dst + ".link"); !os.IsNotExist(err) {
		t.Errorf("the link's temporary name is left: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A run folder whose checkpoint was deleted (to free space) but whose
// trained model was kept is refused for a fresh start, new or resumed: a
// run there wrote a 2-step model over a 20-step one with no word, or one
// line of the log.
func TestModelWithoutCheckpointIsNotWrittenOver(t *testing.T) {
	s := tinyRun(t, 4, 2)
	if _, err := Run(context.Background(), s, Events{}); err != nil {
		t.Fatal(err)
	}
	weights := filepath.Join(s.OutDir, "model", model.WeightsFile)
	before, err := os.ReadFile(weights)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(s.OutDir, train.CheckpointFile)); err != nil {
		t.Fatal(err)
	}
	for _, resume := range []bool{false, true} {
		again := s
		again.Resume = resume
		if _, err := Run(context.Background(), again, Events{}); !errors.Is(err, ErrRunExists) || !strings.Contains(err.Error(), "holds a trained model") {
			t.Errorf("resume %v: %v", resume, err)
		}
		if err := CheckStart(again); !errors.Is(err, ErrRunExists) {
			t.Errorf("CheckStart, resume %v: %v", resume, err)
		}
	}
	// Its data prepared anew (--prepare-only) rewrote its run.json.
	recBefore, _ := os.ReadFile(filepath.Join(s.OutDir, RecordFile))
	if _, err := PrepareRun(context.Background(), s, Events{}); !errors.Is(err, ErrRunExists) {
		t.Errorf("PrepareRun: %v", err)
	}
	if recAfter, _ := os.ReadFile(filepath.Join(s.OutDir, RecordFile)); !bytes.Equal(recAfter, recBefore) {
		t.Error("PrepareRun changed run.json")
	}
	if after, err := os.ReadFile(weights); err != nil || !bytes.Equal(after, before) {
		t.Errorf("the model was changed (%v)", err)
	}
}

// A resume of a checkpoint cut short is refused before the run's record
// is touched: it logged "resumed at step 4", then failed, and rewrote
// run.json with the call's budget and a failed state.
func TestDamagedCheckpointLeavesTheRecord(t *testing.T) {
	s := tinyRun(t, 4, 2)
	if _, err := Run(context.Background(), s, Events{}); err != nil {
		t.Fatal(err)
	}
	recPath := filepath.Join(s.OutDir, RecordFile)
	before, err := os.ReadFile(recPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(filepath.Join(s.OutDir, train.CheckpointFile), 2000); err != nil {
		t.Fatal(err)
	}
	again := s
	again.Resume, again.Steps, again.Minutes = true, 8, 0.05
	var log bytes.Buffer
	_, err = Run(context.Background(), again, Events{Log: &log})
	if err == nil || !strings.Contains(err.Error(), "checkpoint is damaged") || !strings.Contains(err.Error(), "tessera train --init "+filepath.Join(s.OutDir, "model")) {
		t.Fatalf("resume of a damaged checkpoint: %v", err)
	}
	if strings.Contains(log.String(), "resumed at step") {
		t.Errorf("the log says it resumed: %q", log.String())
	}
	if after, err := os.ReadFile(recPath); err != nil || !bytes.Equal(after, before) {
		t.Errorf("run.json changed (%v):\n%s", err, after)
	}
}

// A resume that must go on from a checkpoint (the studio's Resume) is
// refused, nothing made or written, where the run folder or its checkpoint
// is gone: Resume alone started the run afresh in a folder deleted outside
// Tessera.
func TestCheckpointOnlyResumeRefusesAGoneRun(t *testing.T) {
	gone := filepath.Join(t.TempDir(), "gone")
	empty := t.TempDir()
	must(t, os.WriteFile(filepath.Join(empty, PreparedFile), []byte("codes"), 0o644))
	for _, dir := range []string{gone, empty} {
		s := Preset("shapes")
		s.OutDir, s.Resume, s.CheckpointOnly = dir, true, true
		if err := CheckStart(s); !errors.Is(err, ErrNothingToResume) || !strings.Contains(err.Error(), "outside Tessera") {
			t.Errorf("CheckStart %s: %v", dir, err)
		}
		if _, err := Run(context.Background(), s, Events{}); !errors.Is(err, ErrNothingToResume) {
			t.Errorf("Run %s: %v", dir, err)
		}
		if _, err := ReadRecord(dir); err == nil {
			t.Errorf("Run %s wrote a record", dir)
		}
	}
	if _, err := os.Stat(gone); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the gone run folder was made again: %v", err)
	}
}
