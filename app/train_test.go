package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/train"
	"github.com/tessera-studio/tessera/engine/trainjob"
)

// TestTrainFlagsKeepPresetDefaults: the sampling knobs a preset recommends
// reach the exported model unless a --default-* flag sets one (0: none).
// parseTrainFlags is the settings `tessera train ARGS` would run with.
func parseTrainFlags(t *testing.T, args ...string) trainjob.Settings {
	t.Helper()
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var f trainFlags
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return f.settings(args)
}

// TestTrainResumeTakesTheRunsSettings: --resume starts from the run's
// recorded settings, so that `tessera train --resume --out RUN` goes on
// whatever dataset and flags made the run.
func TestTrainResumeTakesTheRunsSettings(t *testing.T) {
	dir := t.TempDir()
	old := trainjob.Preset("mnist")
	old.OutDir, old.Width, old.Seed, old.Minutes = dir, 64, 7, 8.5
	if err := trainjob.WriteRecord(dir, trainjob.Record{Settings: old, State: trainjob.StatePaused}); err != nil {
		t.Fatal(err)
	}
	parse := func(args ...string) trainjob.Settings { return parseTrainFlags(t, args...) }
	// --resume --out RUN alone continues the run as it was made, with this
	// call's budget; flags given change only their own settings.
	got := parse("--resume", "--out", dir, "--minutes", "5", "--steps", "900")
	if got.Data != "mnist" || got.Width != 64 || got.Seed != 7 || got.Minutes != 5 || got.Steps != 900 || !got.Resume {
		t.Errorf("resumed settings %+v", got)
	}
	// Without --minutes it keeps the run's budget a call, as the Train tab's
	// Resume does (it recorded 0, no limit, and went on without one).
	if got := parse("--resume", "--out", dir); got.Minutes != 8.5 || got.Width != 64 {
		t.Errorf("--resume alone: %g minutes, width %d; want the run's 8.5 and 64", got.Minutes, got.Width)
	}
	if got := parse("--resume", "--out", dir, "--minutes", "0"); got.Minutes != 0 {
		t.Errorf("--resume --minutes 0: %g minutes", got.Minutes)
	}
	// An edit run keeps its pairs' cap unless --edit-pairs changes it.
	editDir := t.TempDir()
	ed := trainjob.Preset(trainjob.EditData)
	ed.OutDir, ed.EditPairs = editDir, 20000
	if err := trainjob.WriteRecord(editDir, trainjob.Record{Settings: ed, State: trainjob.StatePaused}); err != nil {
		t.Fatal(err)
	}
	if got := parse("--resume", "--out", editDir); got.EditPairs != 20000 {
		t.Errorf("--resume an edit run: %d pairs a family, want its 20000", got.EditPairs)
	}
	if got := parse("--resume", "--out", editDir, "--edit-pairs", "100"); got.EditPairs != 100 {
		t.Errorf("--resume --edit-pairs 100: %d pairs a family", got.EditPairs)
	}
	if got := parse("--resume", "--out", dir, "--stop-at", "500"); got.Minutes != 0 || got.StopAt != 500 {
		t.Errorf("--resume --stop-at 500: %g minutes, stop at %d; want no budget (the step stops it)", got.Minutes, got.StopAt)
	}
	// Without --resume the flags and the dataset's preset decide (and the
	// job refuses a folder holding a checkpoint).
	if got := parse("--out", dir); got.Data != "emoji" || got.Width != trainjob.Preset("emoji").Width {
		t.Errorf("fresh settings %+v", got)
	}
}

func TestTrainFlagsKeepPresetDefaults(t *testing.T) {
	parse := func(args ...string) trainjob.Settings { return parseTrainFlags(t, args...) }
	preset := trainjob.Preset("shapes").Defaults
	if preset.TopP == 0 || preset.Guidance == 0 {
		t.Fatalf("the shapes preset recommends no top-p or guidance: %+v", preset)
	}
	if got := parse("--data", "shapes", "--out", "r").Defaults; got != preset {
		t.Errorf("no --default-* flag: %+v, want the preset's %+v", got, preset)
	}
	got := parse("--data", "shapes", "--out", "r", "--default-top-p", "0", "--default-temperature", "0.8").Defaults
	if got.TopP != 0 || got.Temperature != 0.8 || got.Guidance != preset.Guidance {
		t.Errorf("--default-top-p 0 --default-temperature 0.8: %+v, want top-p 0, temperature 0.8 and the preset's guidance %g", got, preset.Guidance)
	}
	// The preset ranks batches by description; --default-rank-by changes
	// or clears it, and refuses an order it does not know.
	if preset.RankBy != "description" || got.RankBy != preset.RankBy {
		t.Errorf("shapes ranks by %q (kept as %q), want description", preset.RankBy, got.RankBy)
	}
	for flag, want := range map[string]string{"": "", "prompt-gain": "prompt-gain"} {
		if got := parse("--data", "shapes", "--out", "r", "--default-rank-by", flag).Defaults; got.RankBy != want || got.Guidance != preset.Guidance {
			t.Errorf("--default-rank-by %q: %+v", flag, got)
		}
	}
	if code, _, stderr := run(t, "train", "--data", "shapes", "--out", t.TempDir(), "--default-rank-by", "beauty"); code != 2 || !strings.Contains(stderr, "--default-rank-by") {
		t.Errorf("--default-rank-by beauty: exit %d: %s", code, stderr)
	}
}

// TestFineTuneOnAFolderTrainsGently: a fine-tune on a folder trains at a
// tenth of the folder preset's learning rate unless --lr says otherwise (at
// the preset's the emoji model forgot its emoji in a minute); from scratch,
// and a fine-tune on a built-in dataset, keep the preset's.
func TestFineTuneOnAFolderTrainsGently(t *testing.T) {
	folder := "./" + filepath.Base(t.TempDir())
	presetLR := trainjob.Preset(folder).LR
	for _, c := range []struct {
		args []string
		want float64
	}{
		{[]string{"--data", folder, "--init", "emoji"}, trainjob.FineTuneLR(presetLR)},
		{[]string{"--data", folder, "--init", "emoji", "--lr", "0.002"}, 0.002},
		{[]string{"--data", folder}, presetLR},
		{[]string{"--data", "shapes", "--init", "emoji"}, trainjob.Preset("shapes").LR},
	} {
		if got := parseTrainFlags(t, append(c.args, "--out", "r")...).LR; got != c.want {
			t.Errorf("%v: learning rate %g, want %g", c.args, got, c.want)
		}
	}
	// And with the dropout and weight decay its model was trained with,
	// where they are known (a built-in's preset; a run's record), unless
	// flags say otherwise: the folder preset's dropout undid the emoji
	// model's recall.
	emoji, preset := trainjob.Preset("emoji"), trainjob.Preset(folder)
	if emoji.Dropout == preset.Dropout && emoji.WeightDecay == preset.WeightDecay {
		t.Fatal("the emoji and folder presets regularise alike: the test cannot tell them apart")
	}
	for _, c := range []struct {
		args        []string
		dropout, wd float64
	}{
		{[]string{"--data", folder, "--init", "emoji"}, emoji.Dropout, emoji.WeightDecay},
		{[]string{"--data", folder, "--init", "emoji", "--dropout", "0.2"}, 0.2, emoji.WeightDecay},
		{[]string{"--data", folder, "--init", tinyModel(t)}, preset.Dropout, preset.WeightDecay}, // not known
		{[]string{"--data", folder}, preset.Dropout, preset.WeightDecay},
	} {
		if st := parseTrainFlags(t, append(c.args, "--out", "r")...); st.Dropout != c.dropout || st.WeightDecay != c.wd {
			t.Errorf("%v: dropout %g and weight decay %g, want %g and %g", c.args, st.Dropout, st.WeightDecay, c.dropout, c.wd)
		}
	}
	// And replaying what the model was trained on, where that is known
	// and on this machine (IfPresent), unless --replay says otherwise.
	for _, c := range []struct {
		args      []string
		replay    float64
		ifPresent bool
	}{
		{[]string{"--data", folder, "--init", "emoji"}, trainjob.DefaultReplay, true},
		{[]string{"--data", folder, "--init", "emoji", "--replay", "0"}, 0, false},
		{[]string{"--data", folder, "--init", "emoji", "--replay", "0.3"}, 0.3, false},
		{[]string{"--data", folder}, 0, false},
		{[]string{"--data", "shapes", "--init", "emoji"}, 0, false},
	} {
		if st := parseTrainFlags(t, append(c.args, "--out", "r")...); st.Replay != c.replay || st.ReplayIfPresent != c.ifPresent {
			t.Errorf("%v: replay %g (if present %v), want %g (%v)", c.args, st.Replay, st.ReplayIfPresent, c.replay, c.ifPresent)
		}
	}
}

// TestTrainRefusesBadSettingsAtOnce: settings that could only fail after
// minutes of data preparation (an export dtype, heads that do not divide
// the width) and stray arguments are usage errors before any work.
func TestTrainRefusesBadSettingsAtOnce(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--dtype", "F64"}, `export dtype "F64"`},
		{[]string{"--heads", "5"}, fmt.Sprintf("tessera train: width %d must be a multiple of heads 5", trainjob.Preset("shapes").Width)},
		{[]string{"extra"}, `takes no arguments (got "extra")`},
		// --steps sets the schedule's length: --epochs was recorded and
		// not used, without a word.
		{[]string{"--epochs", "7", "--steps", "3"}, "--epochs 7 and --steps 3: --steps sets the schedule's length"},
		// A step past the schedule's end was accepted and not used.
		{[]string{"--steps", "5", "--stop-at", "100"}, "--stop-at 100 is past the schedule's end at step 5"},
	} {
		out := t.TempDir()
		start := time.Now()
		code, _, stderr := run(t, append([]string{"train", "--data", "shapes", "--out", out}, c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) || time.Since(start) > 5*time.Second {
			t.Errorf("%v: exit %d after %v, %q", c.args, code, time.Since(start), stderr)
		}
		if entries, _ := os.ReadDir(out); len(entries) != 0 {
			t.Errorf("%v: the run folder holds %d entries", c.args, len(entries))
		}
	}
}

// TestTrainPrepareOnlyRefusesAFolderOfOtherFiles: --prepare-only writes the
// tokenised data into --out, so it too refuses a folder of other files.
func TestTrainPrepareOnlyRefusesAFolderOfOtherFiles(t *testing.T) {
	docs := t.TempDir()
	if err := os.WriteFile(filepath.Join(docs, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "train", "--data", "shapes", "--prepare-only", "--out", docs)
	if code == 0 || !strings.Contains(stderr, "notes.txt among them") {
		t.Fatalf("exit %d, %q", code, stderr)
	}
	if entries, _ := os.ReadDir(docs); len(entries) != 1 {
		t.Fatalf("the folder holds %d entries", len(entries))
	}
}

// TestTrainResumeOfNoRunNamesItsData: --resume --out with a folder that
// holds no run (a typo) and no --data is refused at once, creating
// nothing; it had started the default dataset's hours-long preset.
func TestTrainResumeOfNoRunNamesItsData(t *testing.T) {
	out := filepath.Join(t.TempDir(), "nope")
	code, _, stderr := run(t, "train", "--resume", "--out", out)
	if code != 2 || !strings.Contains(stderr, "holds no run to resume") || !strings.Contains(stderr, "--data") {
		t.Fatalf("exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the folder was made: %v", err)
	}
	// A run whose record is damaged is a run: the run folder check says
	// what is wrong with it, not that there is none.
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, trainjob.RecordFile), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = run(t, "train", "--resume", "--out", out)
	if code == 0 || strings.Contains(stderr, "holds no run to resume") || !strings.Contains(stderr, "run.json") {
		t.Fatalf("a damaged record: exit %d, %q", code, stderr)
	}
}

// TestTrainResumeWithNothingToResumeFineTunesTheModelsShape: --resume in a
// new folder is a fresh start, and a fresh fine-tune records the model's
// shape, not the preset's (train-model.sh always passes --resume).
func TestTrainResumeWithNothingToResumeFineTunesTheModelsShape(t *testing.T) {
	model := tinyModel(t)
	out := filepath.Join(t.TempDir(), "run")
	code, _, stderr := run(t, "train", "--init", model, "--resume", "--data", "shapes", "--out", out, "--steps", "1", "--threads", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rec, err := trainjob.ReadRecord(out)
	if err != nil {
		t.Fatal(err)
	}
	b, err := openModel(io.Discard, model, "f32")
	if err != nil {
		t.Fatal(err)
	}
	c := b.Model.Config
	if st := rec.Settings; st.Width != c.NEmbd || st.Layers != c.NLayer || st.Heads != c.NHead || st.Codes != c.Codes() {
		t.Errorf("recorded %d layers × %d wide, %d heads, %d codes; the model has %d × %d, %d heads, %d codes",
			st.Layers, st.Width, st.Heads, st.Codes, c.NLayer, c.NEmbd, c.NHead, c.Codes())
	}
	if !strings.Contains(stderr, "no checkpoint to resume: a fresh start") {
		t.Errorf("the log does not say it started afresh: %s", stderr)
	}
}

// TestTrainDataTakesABareFolderName: --data photos is the folder photos
// when no built-in dataset has that name (check-data takes it so), and a
// name that is neither is still refused.
func TestTrainDataTakesABareFolderName(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.Mkdir("photos", 0o755); err != nil {
		t.Fatal(err)
	}
	if got := folderData("photos"); got != "."+string(filepath.Separator)+"photos" {
		t.Errorf("photos: %q", got)
	}
	if got := folderData("shapes"); got != "shapes" {
		t.Errorf("shapes: %q", got)
	}
	if got := folderData("nowhere"); got != "nowhere" {
		t.Errorf("nowhere: %q", got)
	}
	if code, _, stderr := run(t, "train", "--data", "nowhere", "--out", filepath.Join(dir, "r")); code != 2 || !strings.Contains(stderr, `"nowhere"`) {
		t.Errorf("an unknown name: exit %d, %q", code, stderr)
	}
}

// --replay-data takes a bare folder name as --data does (it said there is
// no folder "odd" here, where there was).
func TestTrainReplayDataTakesABareFolderName(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, folder := range []string{"pics", "odd"} {
		if err := os.Mkdir(folder, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"red zebra", "blue cat"} {
			writePNG(t, filepath.Join(folder, strings.ReplaceAll(name, " ", "_")+".png"), 16, 16)
		}
	}
	out := filepath.Join(dir, "run")
	code, stdout, stderr := run(t, "train", "--init", tinyModel(t), "--data", "pics", "--replay-data", "odd", "--out", out, "--prepare-only", "--threads", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	if rec, err := trainjob.ReadRecord(out); err != nil || rec.Settings.ReplayData != filepath.Join(dir, "odd") {
		t.Fatalf("record: %+v, %v", rec, err)
	}
}

// An edit model fine-tuned on pictures is refused before any work, saying
// that it fine-tunes on the edit pairs (it prepared the data first, then
// failed on "the source length cannot change from 64 to 0 codes", leaving
// a failed run folder, and warned that what it was trained on is not known).
func TestTrainRefusesAnEditModelOnPictures(t *testing.T) {
	data := t.TempDir()
	for _, name := range []string{"red zebra", "blue cat"} {
		writePNG(t, filepath.Join(data, strings.ReplaceAll(name, " ", "_")+".png"), 16, 16)
	}
	base := filepath.Join(t.TempDir(), "edit")
	if err := bundletest.TinyEdit(3).Save(base, "F32"); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "run")
	code, _, stderr := run(t, "train", "--init", base, "--data", data, "--out", out, "--steps", "2", "--threads", "1")
	if code != 2 || !strings.Contains(stderr, "is an edit model: it fine-tunes on the edit pairs only (--data edit)") || strings.Contains(stderr, "replay") || strings.Contains(stderr, "note:") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("the run folder was made: %v", err)
	}
}

// A model trained on a folder lists its captions as its names (names.txt),
// those of the pictures it holds out for validation too, so that describe
// offers them: it offered vocabulary words and pairs of them ("circle
// copy"), never a picture's own caption, and then only the training
// split's (eval-describe named no held-out picture). A fine-tune of it
// keeps them; a fine-tune of a model with style words adds them.
func TestFolderModelNamesItsCaptions(t *testing.T) {
	data := t.TempDir()
	captions := []string{"red zebra", "blue zebra", "red cat", "zebra dog", "blue cat", "red dog"}
	writeCaptionedPictures(t, data, captions...)
	out := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := run(t, "train", "--data", data, "--out", out, "--steps", "2", "--batch", "2", "--threads", "1"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// A new run into that folder is refused before the data is checked
	// (the whole data report was printed, then the refusal).
	odd := t.TempDir()
	writePNG(t, filepath.Join(odd, "uncaptioned.png"), 16, 16)
	if code, _, stderr := run(t, "train", "--data", odd, "--out", out, "--steps", "2"); code == 0 || !strings.Contains(stderr, "holds a run with a checkpoint") || strings.Contains(stderr, "data check") {
		t.Errorf("a new run in a run folder: exit %d, %q", code, stderr)
	}
	b, err := openModel(io.Discard, filepath.Join(out, "model"), "f32")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Names) != len(captions) || slices.ContainsFunc(captions, func(n string) bool { return !slices.Contains(b.Names, n) }) {
		t.Fatalf("names %q, want the captions %q", b.Names, captions)
	}
	code, stdout, stderr := run(t, "describe", "--model", filepath.Join(out, "model"), "--top", "3", filepath.Join(data, "p0.png"))
	if code != 0 || !strings.Contains(stdout+stderr, fmt.Sprintf("the model's %d names", len(b.Names))) {
		t.Errorf("describe: exit %d, %q %q", code, stdout, stderr)
	}
	tuned := filepath.Join(t.TempDir(), "tuned")
	if code, _, stderr := run(t, "train", "--init", filepath.Join(out, "model"), "--data", data, "--out", tuned, "--steps", "1", "--batch", "2", "--threads", "1"); code != 0 {
		t.Fatalf("fine-tune: exit %d: %s", code, stderr)
	}
	ft, err := openModel(io.Discard, filepath.Join(tuned, "model"), "f32")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range b.Names {
		if !slices.Contains(ft.Names, n) {
			t.Errorf("the fine-tune lost the name %q (has %q)", n, ft.Names)
		}
	}
	styled := filepath.Join(t.TempDir(), "styled")
	if code, _, stderr := run(t, "train", "--init", tinyModel(t), "--data", data, "--out", styled, "--steps", "1", "--batch", "2", "--threads", "1"); code != 0 {
		t.Fatalf("fine-tune of a model with style words: exit %d: %s", code, stderr)
	}
	st, err := openModel(io.Discard, filepath.Join(styled, "model"), "f32")
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Model.Config.Tessera.StyleWords) == 0 || slices.ContainsFunc(captions, func(n string) bool { return !slices.Contains(st.Names, n) }) {
		t.Errorf("the fine-tune of a model with style words %q names %q, want the captions %q", st.Model.Config.Tessera.StyleWords, st.Names, captions)
	}
}

// A run records its folder of pictures as an absolute path, so that the
// studio and eval-prompts, started from elsewhere, find it
// (trainjob.TrainingData).
func TestTrainRecordsTheFolderAbsolute(t *testing.T) {
	parent, data := namedPictureFolder(t, "pics", "red cat", "blue dog", "red dog")
	t.Chdir(parent)
	out := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := run(t, "train", "--data", "pics", "--out", out, "--steps", "1", "--batch", "2", "--threads", "1"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rec, err := trainjob.ReadRecord(out)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Settings.Data != data || trainjob.TrainingData(filepath.Join(out, "model")) != data {
		t.Errorf("recorded %q (TrainingData %q), want %q", rec.Settings.Data, trainjob.TrainingData(filepath.Join(out, "model")), data)
	}
}

// --export-final exports the run's own model: without --data it takes the
// run's settings (its folder, preset and defaults), not the default
// dataset's (it wrote the emoji data's card and style words for a
// folder's run).
func TestExportFinalTakesTheRunsSettings(t *testing.T) {
	dir := t.TempDir()
	st := trainjob.Preset(t.TempDir())
	st.Data, st.Width = "/pictures/mine", 96
	if err := trainjob.WriteRecord(dir, trainjob.Record{Settings: st}); err != nil {
		t.Fatal(err)
	}
	got := parseTrainFlags(t, "--out", dir, "--export-final", filepath.Join(t.TempDir(), "final"))
	if got.Data != "/pictures/mine" || got.Width != 96 || len(got.StyleWords) != 0 {
		t.Fatalf("export settings: data %q, width %d, style words %v", got.Data, got.Width, got.StyleWords)
	}
}

// --export-final checks before preparing any data that there is a
// checkpoint to export and a folder it may write into: it prepared (and
// kept) a folder's tokenised data first, then failed, and it wrote a model
// into any folder, amid other files.
func TestExportFinalChecksFirst(t *testing.T) {
	data, dir := t.TempDir(), t.TempDir()
	writePNG(t, filepath.Join(data, "red_cat.png"), 16, 16)
	st := trainjob.Preset(data)
	if err := trainjob.WriteRecord(dir, trainjob.Record{Settings: st}); err != nil {
		t.Fatal(err)
	}
	final := filepath.Join(t.TempDir(), "final")
	if code, _, stderr := run(t, "train", "--out", dir, "--export-final", final); code == 0 || !strings.Contains(stderr, "holds no checkpoint") {
		t.Errorf("no checkpoint: exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(trainjob.PreparedPath(dir)); !os.IsNotExist(err) {
		t.Errorf("a failed export left prepared data: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, train.CheckpointFile), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	busy := t.TempDir()
	if err := os.WriteFile(filepath.Join(busy, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "train", "--out", dir, "--export-final", busy); code == 0 || !strings.Contains(stderr, "holds other files and is not a model folder") {
		t.Errorf("a folder of other files: exit %d, %q", code, stderr)
	}
	if b, err := os.ReadFile(filepath.Join(busy, "notes.txt")); err != nil || string(b) != "mine" {
		t.Errorf("the user's file: %q, %v", b, err)
	}
	// Not over another model without --force (an export typed over one
	// replaced it silently); past this check with it (the checkpoint here
	// is no real one, so the export itself fails on it).
	other := t.TempDir()
	for _, name := range []string{"config.json", "model.safetensors"} {
		if err := os.WriteFile(filepath.Join(other, name), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, stderr := run(t, "train", "--out", dir, "--export-final", other); code == 0 || !strings.Contains(stderr, "holds a model already, which the export would replace") {
		t.Errorf("a model folder: exit %d, %q", code, stderr)
	}
	if code, _, stderr := run(t, "train", "--out", dir, "--force", "--export-final", other); code == 0 || strings.Contains(stderr, "holds a model already") {
		t.Errorf("a model folder with --force: exit %d, %q", code, stderr)
	}
	if b, err := os.ReadFile(filepath.Join(other, "model.safetensors")); err != nil || string(b) != "{}" {
		t.Errorf("the other model's weights: %q, %v", b, err)
	}
	// Not over the run's own model (its best-validation weights), nor into
	// a file.
	for target, want := range map[string]string{filepath.Join(dir, "model"): "the run's own folder or model", filepath.Join(busy, "notes.txt"): "is a file, not a folder"} {
		if code, _, stderr := run(t, "train", "--out", dir, "--export-final", target); code == 0 || !strings.Contains(stderr, want) {
			t.Errorf("--export-final %s: exit %d, %q", target, code, stderr)
		}
	}
}

// A resume refuses an optimiser flag its checkpoint decides when it
// differs (--lr 0.5 was recorded in run.json and silently not used); the
// same value, which make model's stages repeat on every call, stands, and
// without a checkpoint (a resume that starts afresh) any does.
func TestResumeRefusesCheckpointFlags(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, train.CheckpointFile), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	st := trainjob.Preset("shapes")
	st.LR, st.Batch, st.Epochs = 0.0015, 32, 4
	if err := trainjob.WriteRecord(dir, trainjob.Record{Settings: st}); err != nil {
		t.Fatal(err)
	}
	for name, recorded := range map[string]string{"--lr": "0.0015", "--epochs": "4", "--batch": "32"} {
		code, _, stderr := run(t, "train", "--resume", "--out", dir, name, "2")
		if code != 2 || !strings.Contains(stderr, name+": a resumed run keeps its checkpoint's ("+recorded+")") {
			t.Errorf("%s 2: exit %d, %q", name, code, stderr)
		}
		fs := flag.NewFlagSet("train", flag.ContinueOnError)
		var f trainFlags
		f.register(fs)
		if err := fs.Parse([]string{"--resume", "--out", dir, name, recorded}); err != nil {
			t.Fatal(err)
		}
		if err := f.checkResume(flagsSet(fs)); err != nil {
			t.Errorf("%s %s, the recorded value: %v", name, recorded, err)
		}
	}
	// A checkpoint without its run.json: refused, where the resume took
	// the emoji preset for the run's settings and wrote them everywhere.
	if err := os.Remove(filepath.Join(dir, trainjob.RecordFile)); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "train", "--resume", "--out", dir); code != 1 || !strings.Contains(stderr, "holds a checkpoint but no run.json") {
		t.Errorf("a checkpoint without run.json: exit %d, %q", code, stderr)
	}
	if got := parseTrainFlags(t, "--resume", "--out", t.TempDir(), "--lr", "0.002"); got.LR != 0.002 {
		t.Errorf("a resume without a checkpoint: lr %g", got.LR)
	}
}

// TestFineTuneReplay: --replay mixes pictures the model was trained on into
// a fine-tune's batches: their words join the vocabulary, the run records
// the share and the data, the model card says so, and a resume cannot change
// the share. Without --init, or without knowing what the model was trained
// on, it is refused before any work.
func TestFineTuneReplay(t *testing.T) {
	data, before := t.TempDir(), t.TempDir()
	for _, name := range []string{"red zebra", "blue zebra", "red cat", "blue cat"} {
		writePNG(t, filepath.Join(data, strings.ReplaceAll(name, " ", "_")+".png"), 16, 16)
	}
	for _, name := range []string{"green fox", "green owl", "yellow fox"} {
		writePNG(t, filepath.Join(before, strings.ReplaceAll(name, " ", "_")+".png"), 16, 16)
	}
	base := tinyModel(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--data", data, "--replay", "0.5"}, "needs the model to fine-tune (--init)"},
		{[]string{"--data", data, "--init", base, "--replay", "0", "--replay-data", before}, "replay share of 0"},
		{[]string{"--data", data, "--init", base, "--replay", "0.95"}, "--replay"},
	} {
		if code, _, stderr := run(t, append([]string{"train", "--out", t.TempDir(), "--steps", "2"}, c.args...)...); code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q", c.args, code, stderr)
		}
	}
	// The tiny model records no training data to replay.
	if code, _, stderr := run(t, "train", "--data", data, "--init", base, "--replay", "0.5", "--out", t.TempDir(), "--steps", "2"); code == 0 || !strings.Contains(stderr, "--replay-data") {
		t.Errorf("replay of unknown data: exit %d, %q", code, stderr)
	}
	// By default a folder fine-tune replays where it can: here it cannot,
	// says so, goes on, and records no replay.
	quiet := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := run(t, "train", "--init", base, "--data", data, "--out", quiet, "--steps", "2", "--batch", "2", "--threads", "1"); code != 0 || !strings.Contains(stderr, "no replay: what tiny was trained on is not known") {
		t.Errorf("default replay of unknown data: exit %d, %q", code, stderr)
	}
	// The run has ended its schedule: resumed as it is, nothing is left
	// to train (exit 0); resumed for more time, the time buys nothing, and
	// the exit status says so (a script made no progress and exited 0).
	if code, stdout, stderr := run(t, "train", "--resume", "--out", quiet); code != 0 || !strings.Contains(stdout, "nothing left to train") {
		t.Errorf("resuming a finished run: exit %d, %q %q", code, stdout, stderr)
	}
	if code, _, stderr := run(t, "train", "--resume", "--out", quiet, "--minutes", "0.5"); code != 1 || !strings.Contains(stderr, "--minutes or --stop-at trains no more of it") {
		t.Errorf("resuming a finished run for more minutes: exit %d, %q", code, stderr)
	}
	if rec, err := trainjob.ReadRecord(quiet); err != nil || rec.Settings.Replay != 0 {
		t.Errorf("record of a run that could not replay: %+v, %v", rec, err)
	}
	out := filepath.Join(t.TempDir(), "run")
	// --replay-data alone asks for the default share (it was refused as
	// a share of 0), and the log does not call the data named the model's.
	code, stdout, stderr := run(t, "train", "--init", base, "--data", data, "--replay-data", before, "--out", out, "--steps", "4", "--batch", "2", "--threads", "1")
	if code != 0 || !strings.Contains(stderr, "replay: 50% of each batch from "+before+"\n") || !strings.Contains(stderr, "replay: 2 examples from 2 pictures") ||
		!strings.Contains(stderr, "replay: 2 pictures of "+before+"'s training split\n") || strings.Contains(stderr, "green_fox") ||
		!regexp.MustCompile(`fine-tuning tiny: prompts of up to \d+ of \d+ words \(\d+ new: [a-z, ]*zebra`).MatchString(stderr) {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	// A fine-tune on a folder exports its latest weights, and says why.
	if !strings.Contains(stdout, "last validation") || !strings.Contains(stdout, "at step 4 (the latest weights are exported: a fine-tune on a folder keeps its latest weights") {
		t.Errorf("summary: %s", stdout)
	}
	got, err := openModel(os.Stderr, filepath.Join(out, "model"), "f32")
	if err != nil {
		t.Fatal(err)
	}
	if words := got.Model.Config.Tessera.PromptVocab; !slices.Contains(words, "fox") || !slices.Contains(words, "zebra") {
		t.Errorf("vocabulary %q lacks the replayed or the new words", words)
	}
	rec, err := trainjob.ReadRecord(out)
	if err != nil || rec.Settings.Replay != 0.5 || rec.Settings.ReplayData != before {
		t.Fatalf("record: %+v, %v", rec, err)
	}
	card, err := os.ReadFile(filepath.Join(out, "model", "MODEL.md"))
	if err != nil || !strings.Contains(string(card), "- Replay: 50% of each batch drawn from 2 examples of") {
		t.Errorf("model card: %s (%v)", card, err)
	}
	if code, _, stderr := run(t, "train", "--resume", "--out", out, "--steps", "6", "--replay", "0.2"); code != 2 || !strings.Contains(stderr, "--replay: a resumed run keeps its checkpoint's (0.5)") {
		t.Errorf("resume with another share: exit %d, %q", code, stderr)
	}
	if code, _, stderr := run(t, "train", "--resume", "--out", out, "--steps", "6", "--replay-data", data); code != 2 || !strings.Contains(stderr, "--replay-data: a resumed run keeps its own") {
		t.Errorf("resume with other replay data: exit %d, %q", code, stderr)
	}
	// A resume replays the same examples, kept in the run's prepared data,
	// and says so.
	code, stdout, stderr = run(t, "train", "--resume", "--out", out, "--steps", "6", "--threads", "1")
	if code != 0 || !strings.Contains(stdout, "after 6/6 steps") || !strings.Contains(stderr, "2 to replay") {
		t.Fatalf("resume: exit %d: %s %s", code, stdout, stderr)
	}
	if rec, err := trainjob.ReadRecord(out); err != nil || rec.Settings.Replay != 0.5 || rec.Settings.ReplayData != before {
		t.Errorf("record after the resume: %+v, %v", rec, err)
	}
}

// A run started on a time budget with --epochs 0 (as the flag's help and
// the Train tab do) records neither steps nor epochs: resumed with
// --stop-at, its schedule is its checkpoint's, and the check that a new run
// is given some length does not refuse it.
func TestResumeWithStopAtOfABudgetRun(t *testing.T) {
	data := t.TempDir()
	for _, name := range []string{"red zebra", "blue zebra", "red cat", "blue cat"} {
		writePNG(t, filepath.Join(data, strings.ReplaceAll(name, " ", "_")+".png"), 16, 16)
	}
	out := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := run(t, "train", "--init", tinyModel(t), "--data", data, "--out", out, "--epochs", "0", "--minutes", "0.05", "--batch", "2", "--threads", "1", "--stop-at", "3"); code != 0 {
		t.Fatalf("first call: exit %d, %s", code, stderr)
	}
	if code, _, stderr := run(t, "train", "--resume", "--out", out, "--stop-at", "5"); code != 0 {
		t.Fatalf("resumed with --stop-at: exit %d, %s", code, stderr)
	}
}

// TestTrainSaysWhyARunFolderIsRefused: only a run folder another trainer
// holds is "in use"; a run made with other settings and a folder of other
// files each say what they are (all three began "run folder in use:").
func TestTrainSaysWhyARunFolderIsRefused(t *testing.T) {
	run1 := t.TempDir()
	rec := trainjob.Record{Settings: parseTrainFlags(t, "--data", "shapes", "--out", run1, "--layers", "1")}
	if err := trainjob.WriteRecord(run1, rec); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(trainjob.PreparedPath(run1), nil, 0o644); err != nil { // its prepared data
		t.Fatal(err)
	}
	docs := t.TempDir()
	if err := os.WriteFile(filepath.Join(docs, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--out", run1, "--layers", "2", "--resume"}, "tessera train: " + run1 + " holds a run made with other settings (layers: 1 → 2): a run keeps"},
		{[]string{"--out", docs}, "tessera train: " + docs + " holds other files (notes.txt among them) and is not a run folder"},
	} {
		code, _, stderr := run(t, append([]string{"train", "--data", "shapes", "--threads", "1"}, c.args...)...)
		if code != 1 || !strings.Contains(stderr, c.want) || strings.Contains(stderr, "in use") {
			t.Errorf("%v: exit %d, %q; want 1 and %q", c.args, code, stderr, c.want)
		}
	}
}

// flagHelp is the description of flag name in a command's --help (the
// line under "  --name …"), "" if the help has no such flag.
func flagHelp(t *testing.T, command, name string) string {
	t.Helper()
	code, stdout, _ := run(t, command, "--help")
	if code != 0 {
		t.Fatalf("%s --help: exit %d", command, code)
	}
	lines := strings.Split(stdout, "\n")
	for i, line := range lines {
		if (line == "  --"+name || strings.HasPrefix(line, "  --"+name+" ")) && i+1 < len(lines) {
			return strings.TrimSpace(lines[i+1])
		}
	}
	return ""
}

// TestHelpSaysWhatCommandsDo: the help agrees with what the commands do:
// eval-shapes requires --model (it said it defaulted to the embedded
// model), eval-edits' --model is optional (its usage line showed it
// required), extend draws one image (its --seed spoke of a batch),
// generate --json has a ranking score only for rankings other than
// likelihood, and train's flags that default to the --data preset's say
// each preset's value (they showed no default).
func TestHelpSaysWhatCommandsDo(t *testing.T) {
	if h := flagHelp(t, "eval-shapes", "model"); !strings.Contains(h, "(required)") || strings.Contains(h, "default") {
		t.Errorf("eval-shapes --model: %q", h)
	}
	if _, stdout, _ := run(t, "eval-edits", "--help"); !strings.HasPrefix(stdout, "Usage: tessera eval-edits [--model M] ") {
		t.Errorf("eval-edits usage: %q", strings.SplitN(stdout, "\n", 2)[0])
	}
	if h := flagHelp(t, "eval-edits", "model"); !strings.Contains(h, `(default "edit")`) {
		t.Errorf("eval-edits --model: %q", h)
	}
	if h := flagHelp(t, "extend", "seed"); h == "" || strings.Contains(h, "batch") || strings.Contains(h, "candidate") {
		t.Errorf("extend --seed: %q", h)
	}
	if h := flagHelp(t, "generate", "json"); !strings.Contains(h, "score where a ranked batch is ordered by prompt-gain or description, not likelihood") {
		t.Errorf("generate --json: %q", h)
	}
	shapes, mnist, folder := trainjob.Preset("shapes"), trainjob.Preset("mnist"), trainjob.Preset("./pictures")
	for name, v := range map[string]func(trainjob.Settings) any{
		"batch": func(s trainjob.Settings) any { return s.Batch }, "codes": func(s trainjob.Settings) any { return s.Codes },
		"layers": func(s trainjob.Settings) any { return s.Layers }, "width": func(s trainjob.Settings) any { return s.Width },
		"heads": func(s trainjob.Settings) any { return s.Heads }, "lr": func(s trainjob.Settings) any { return s.LR },
		"dropout": func(s trainjob.Settings) any { return s.Dropout }, "weight-decay": func(s trainjob.Settings) any { return s.WeightDecay },
		"patch": func(s trainjob.Settings) any { return s.Patch }, "shifts": func(s trainjob.Settings) any { return s.Shifts },
		"max-shift": func(s trainjob.Settings) any { return s.MaxShift }, "size": func(s trainjob.Settings) any { return s.Size },
	} {
		want := fmt.Sprintf("(default: the --data preset's: shapes %v, mnist %v, ", v(shapes), v(mnist))
		if h := flagHelp(t, "train", name); !strings.Contains(h, want) || !strings.Contains(h, fmt.Sprintf("a folder %v; with --resume, the run's", v(folder))) {
			t.Errorf("train --%s: %q; want %q", name, h, want)
		}
	}
}

// A model of a folder named like a built-in dataset ("./shapes") is a
// model of that folder: the studio's nearest training images and
// eval-prompts judge it against its pictures (trainjob.ModelData), not
// against the built-in dataset of that name.
func TestModelOfAFolderNamedLikeADataset(t *testing.T) {
	parent, data := namedPictureFolder(t, "shapes", "red cat", "blue dog", "red dog")
	t.Chdir(parent)
	out := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := run(t, "train", "--data", "./shapes", "--out", out, "--steps", "1", "--batch", "2", "--threads", "1"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := openModel(io.Discard, filepath.Join(out, "model"), "f32")
	if err != nil {
		t.Fatal(err)
	}
	if got := trainjob.ModelData(b); got != data {
		t.Errorf("ModelData of a model of %s (named %q) = %q", data, b.Model.Config.Name(), got)
	}
}

// writeCaptionedPictures writes a 16×16 PNG with a caption file beside it
// into dir for each caption.
func writeCaptionedPictures(t *testing.T, dir string, captions ...string) {
	t.Helper()
	for i, caption := range captions {
		base := filepath.Join(dir, fmt.Sprintf("p%d", i))
		writePNG(t, base+".png", 16, 16)
		if err := os.WriteFile(base+".txt", []byte(caption+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// A batch many times the training examples is warned of: each step holds
// every example many times over (4,096 over 22 took 4.3 GB a step).
func TestTrainWarnsOfABatchBeyondTheExamples(t *testing.T) {
	data := captionedFolder(t, "red cat", "blue dog", "green bird")
	code, stdout, stderr := run(t, "train", "--data", data, "--out", filepath.Join(t.TempDir(), "run"), "--steps", "1", "--batch", "64",
		"--size", "8", "--patch", "2", "--codes", "4", "--layers", "1", "--width", "8", "--heads", "1", "--threads", "1")
	if code != 0 || !strings.Contains(stdout+stderr, "warning: a batch of 64 is") {
		t.Errorf("exit %d, %q %q", code, stdout, stderr)
	}
}

// --prepare-only records the settings it tokenised with: a later call in
// the folder with others is refused (it trained on the stale codes and
// recorded the new settings), --resume alone trains what was prepared (it
// started the emoji preset's run), and a resume names its data folder as
// it likes ("./pics" for the recorded absolute path). --stop-at behind the
// checkpoint and a training flag beside --export-final are refused.
func TestPreparedRunKeepsItsSettings(t *testing.T) {
	parent, data := namedPictureFolder(t, "pics", "red cat", "blue dog", "red dog")
	t.Chdir(parent)
	out := filepath.Join(parent, "run")
	tiny := []string{"--width", "16", "--layers", "1", "--heads", "1", "--batch", "2", "--threads", "1", "--patch", "4"}
	args := func(more ...string) []string { return append(append([]string{"train"}, tiny...), more...) }
	if code, _, stderr := run(t, args("--data", "pics", "--size", "16", "--codes", "16", "--out", out, "--prepare-only", "--steps", "3")...); code != 0 {
		t.Fatalf("--prepare-only: exit %d: %s", code, stderr)
	}
	rec, err := trainjob.ReadRecord(out)
	if err != nil || rec.State != trainjob.StatePrepared || rec.Settings.Size != 16 || rec.Settings.Data != data {
		t.Fatalf("after --prepare-only the record is %+v (%v)", rec, err)
	}
	for _, again := range [][]string{
		args("--data", "pics", "--size", "32", "--codes", "16", "--out", out, "--steps", "2"),
		args("--data", "pics", "--size", "16", "--codes", "32", "--out", out, "--prepare-only"),
	} {
		if code, _, stderr := run(t, again...); code == 0 || !strings.Contains(stderr, "other settings") {
			t.Errorf("%v in the prepared folder: exit %d: %s", again, code, stderr)
		}
	}
	if code, _, stderr := run(t, "train", "--resume", "--out", out, "--threads", "1"); code != 0 {
		t.Fatalf("--resume of the prepared run: exit %d: %s", code, stderr)
	}
	rec, err = trainjob.ReadRecord(out)
	if err != nil || rec.Settings.Data != data || rec.Settings.Size != 16 || rec.Settings.Width != 16 || rec.Steps != 3 {
		t.Fatalf("the prepared run resumed as %+v (%v)", rec, err)
	}
	if code, _, stderr := run(t, "train", "--resume", "--out", out, "--data", "./pics", "--steps", "4", "--threads", "1"); code != 0 {
		t.Errorf("--resume --data ./pics (recorded as %s): exit %d: %s", data, code, stderr)
	}
	if code, _, stderr := run(t, "train", "--resume", "--out", out, "--stop-at", "2"); code == 0 || !strings.Contains(stderr, "--stop-at 2: the run is at step 4 already") {
		t.Errorf("--stop-at behind the checkpoint: exit %d: %s", code, stderr)
	}
	final := filepath.Join(parent, "final")
	for _, flag := range [][]string{{"--lr", "0.1"}, {"--width", "99"}, {"--resume"}, {"--data", "shapes"}} {
		a := append([]string{"train", "--out", out, "--export-final", final}, flag...)
		if code, _, stderr := run(t, a...); code != 2 || !strings.Contains(stderr, flag[0]) {
			t.Errorf("--export-final %v: exit %d: %s", flag, code, stderr)
		}
	}
	if code, _, stderr := run(t, "train", "--out", out, "--export-final", final, "--data", "./pics", "--dtype", "F16"); code != 0 {
		t.Errorf("--export-final with the run's own data: exit %d: %s", code, stderr)
	}
}

// info shows a model folder's card as it shows a built-in's (its opening;
// --card all of it), refuses --card with images, and describes several
// built-in models named at once (it took them for images).
func TestInfoShowsAFolderModelsCard(t *testing.T) {
	parent, data := namedPictureFolder(t, "pics", "red cat", "blue dog", "red dog")
	out := filepath.Join(parent, "run")
	if code, _, stderr := run(t, "train", "--data", data, "--out", out, "--steps", "1", "--batch", "2", "--threads", "1", "--width", "16", "--layers", "1", "--heads", "1"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	card, err := os.ReadFile(filepath.Join(out, "model", trainjob.ModelCardFile))
	if err != nil {
		t.Fatal(err)
	}
	first := strings.SplitN(string(card), "\n", 2)[0]
	code, stdout, stderr := run(t, "info", filepath.Join(out, "model"))
	if code != 0 || !strings.Contains(stdout, first) {
		t.Errorf("info of the model folder: exit %d, no %q in %s %s", code, first, stdout, stderr)
	}
	if code, stdout, _ := run(t, "info", "--card", filepath.Join(out, "model")); code != 0 || !strings.Contains(stdout, strings.TrimSpace(string(card))) {
		t.Errorf("info --card: exit %d: %s", code, stdout)
	}
	if code, _, stderr := run(t, "info", "--card", filepath.Join(out, "samples.png")); code != 2 || !strings.Contains(stderr, "--card") {
		t.Errorf("info --card IMAGE: exit %d: %s", code, stderr)
	}
	t.Chdir(t.TempDir())
	if code, stdout, stderr := run(t, "info", "emoji", "mnist"); code != 0 || strings.Count(stdout, "model       ") != 2 {
		t.Errorf("info emoji mnist: exit %d: %s %s", code, stdout, stderr)
	}
}

// A fine-tune of a built-in model prepared with --prepare-only resumes with
// --resume alone: the record names the base model, which is opened as
// --init opens it (it failed: "open the model mnist first").
func TestPreparedFineTuneOfABuiltinResumes(t *testing.T) {
	parent, data := namedPictureFolder(t, "pics", "digit 1", "digit 2", "digit 3")
	out := filepath.Join(parent, "run")
	if code, _, stderr := run(t, "train", "--prepare-only", "--init", "mnist", "--data", data, "--out", out, "--steps", "2", "--threads", "1"); code != 0 {
		t.Fatalf("--prepare-only: exit %d: %s", code, stderr)
	}
	if code, _, stderr := run(t, "train", "--resume", "--out", out, "--threads", "1"); code != 0 {
		t.Fatalf("--resume: exit %d: %s", code, stderr)
	}
	if rec, err := trainjob.ReadRecord(out); err != nil || rec.Steps != 2 || rec.Settings.InitModel != "mnist" {
		t.Errorf("record %+v (%v)", rec, err)
	}
}

// namedPictureFolder writes a folder of captioned pictures (one a caption)
// named name in a new parent folder, and returns both paths: runs that
// name their data relative to the parent.
func namedPictureFolder(t *testing.T, name string, captions ...string) (parent, data string) {
	t.Helper()
	parent = t.TempDir()
	data = filepath.Join(parent, name)
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	writeCaptionedPictures(t, data, captions...)
	return parent, data
}

// A run's model has style words where its data's preset names styles (the
// emoji's) or the model it fine-tunes has them: --default-style-per-seed
// is refused on the others (recorded, every picture of a folder model
// without style words claimed "style per seed 1").
func TestTrainsStyles(t *testing.T) {
	pictures, out := captionedFolder(t, "red cat", "blue dog"), t.TempDir()
	code, _, stderr := run(t, "train", "--data", pictures, "--out", out, "--steps", "1", "--default-style-per-seed", "1")
	if code != 2 || !strings.Contains(stderr, "--default-style-per-seed 1: the model this run trains has no style words (data "+pictures+" names no styles)") {
		t.Errorf("a folder model with a style per seed: exit %d, %q", code, stderr)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("the refused run's folder holds %d entries", len(entries))
	}
	folder := trainjob.Preset("./mine")
	withInit := folder
	withInit.InitModel = "emoji"
	for st, want := range map[*trainjob.Settings]bool{ptr(trainjob.Preset("emoji")): true, ptr(trainjob.Preset("shapes")): false, &folder: false, &withInit: true} {
		if got := trainsStyles(*st); got != want {
			t.Errorf("data %s, init %q: %v, want %v", st.Data, st.InitModel, got, want)
		}
	}
}

// ptr is a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }

// --export-final's model card quotes the call that trained the weights and
// the export as an export (it read "and last resumed with: tessera train
// --out … --export-final …"), and the export reads the run's tokenised
// data without saying "using the tokenised data in …" of a call that
// trains nothing.
func TestExportFinalCardSaysItIsAnExport(t *testing.T) {
	data := t.TempDir()
	writeCaptionedPictures(t, data, "red cat", "blue dog", "red dog")
	out, final := filepath.Join(t.TempDir(), "run"), filepath.Join(t.TempDir(), "final")
	if code, _, stderr := run(t, "train", "--data", data, "--out", out, "--steps", "1", "--batch", "2", "--threads", "1"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	code, stdout, stderr := run(t, "train", "--out", out, "--export-final", final)
	if code != 0 || strings.Contains(stdout+stderr, "using the tokenised data") {
		t.Fatalf("export: exit %d, %q %q", code, stdout, stderr)
	}
	card, err := os.ReadFile(filepath.Join(final, trainjob.ModelCardFile))
	if err != nil {
		t.Fatal(err)
	}
	trained := "with:\n\n    tessera train --data " + data + " --out " + out + " --steps 1 --batch 2 --threads 1\n\n"
	exported := "and exported with:\n\n    tessera train --out " + out + " --export-final " + final + "\n\n"
	if c := string(card); !strings.Contains(c, trained) || !strings.Contains(c, exported) || strings.Contains(c, "resumed") {
		t.Errorf("the card reads:\n%s\nwant %q and %q", c, trained, exported)
	}
}

// info on a run folder says the run's state before its model: how far it
// trained and whether it can go on (it showed the model's card alone, the
// same after its checkpoint was deleted).
func TestInfoSaysARunsState(t *testing.T) {
	parent, data := namedPictureFolder(t, "pics", "red cat", "blue dog", "red dog")
	out := filepath.Join(parent, "run")
	if code, _, stderr := run(t, "train", "--data", data, "--out", out, "--steps", "2", "--batch", "2", "--threads", "1", "--width", "16", "--layers", "1", "--heads", "1"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	code, stdout, stderr := run(t, "info", out)
	if code != 0 || !strings.HasPrefix(stdout, "run         done, at step 2 of 2") || !strings.Contains(stdout, "--resume --steps N (more than 2) trains it longer") || !strings.Contains(stdout, "model       ") {
		t.Errorf("info of a finished run: exit %d, %q %q", code, stdout, stderr)
	}
	if err := os.Remove(filepath.Join(out, train.CheckpointFile)); err != nil {
		t.Fatal(err)
	}
	if code, stdout, _ := run(t, "info", out); code != 0 || !strings.Contains(stdout, "cannot go on: no checkpoint") || !strings.Contains(stdout, "tessera train --init "+filepath.Join(out, "model")) {
		t.Errorf("info of a run without its checkpoint: exit %d, %q", code, stdout)
	}
	// Its data prepared alone: how to train it, and no model to fine-tune
	// (it said to fine-tune a model it had not exported).
	prepared := filepath.Join(parent, "prepared")
	if code, _, stderr := run(t, "train", "--data", data, "--out", prepared, "--prepare-only", "--threads", "1"); code != 0 {
		t.Fatalf("prepare: exit %d: %s", code, stderr)
	}
	code, stdout, stderr = run(t, "info", prepared)
	if !strings.Contains(stdout, "its data is prepared: tessera train --out "+prepared+" --resume trains it") || strings.Contains(stdout, "--init") {
		t.Errorf("info of a prepared run: exit %d, %q %q", code, stdout, stderr)
	}
}

// Train flags that do nothing together are refused before any work, as
// --epochs with --steps is: --max-shift without shifted copies (run.json
// recorded the shift, and no copy was made), --shifts with a largest shift
// of 0, and --stop-at with --prepare-only (which trains nothing).
func TestTrainRefusesFlagsThatDoNothingTogether(t *testing.T) {
	pics := captionedFolder(t, "red square", "blue square")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--shifts", "0", "--max-shift", "3"}, "--max-shift 3: the run makes no shifted copies (--shifts 0)"},
		{[]string{"--shifts", "2", "--max-shift", "0"}, "--shifts 2: the largest shift is 0 pixels (--max-shift 0)"},
		{[]string{"--stop-at", "1", "--prepare-only"}, "--stop-at 1 and --prepare-only"},
	} {
		out := filepath.Join(t.TempDir(), "run")
		code, _, stderr := run(t, append([]string{"train", "--data", pics, "--out", out, "--steps", "1", "--size", "8", "--patch", "2", "--codes", "4", "--width", "16", "--layers", "1", "--heads", "2", "--threads", "1"}, c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q", c.args, code, stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%v: the run folder was made", c.args)
		}
	}
	// Either alone, or both above 0, is taken.
	for _, args := range [][]string{{"--shifts", "0"}, {"--shifts", "1", "--max-shift", "1"}} {
		out := filepath.Join(t.TempDir(), "run")
		if code, _, stderr := run(t, append([]string{"train", "--data", pics, "--out", out, "--prepare-only", "--size", "8", "--patch", "2", "--codes", "4", "--threads", "1"}, args...)...); code != 0 {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
	}
}
