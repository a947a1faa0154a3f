package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/edit"
	"github.com/tessera-studio/tessera/engine/prepare"
	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/engine/trainjob"
	"github.com/tessera-studio/tessera/internal/plural"
)

// trainFlags are tessera train's flags; the architecture and schedule
// flags left unset take the dataset's preset (trainjob.Preset).
type trainFlags struct {
	dataset     string
	lrNote      string // why the learning rate is not the preset's (settings), said when training starts
	out         string
	resume      bool
	prepareOnly bool
	minutes     float64
	stopAt      int
	seed        uint64
	threads     int
	dtype       string
	size        int
	patch       int
	codes       int
	initModel   string
	tokDir      string
	width       int
	layers      int
	heads       int
	shifts      int
	maxShift    int
	batch       int
	steps       int
	evalEvery   int
	lr          float64
	dropout     float64
	wd          float64
	epochs      float64
	promptDrop  float64
	wordDrop    float64
	editPairs   int
	ema         float64
	replay      float64
	replayData  string
	exportFinal string
	force       bool // --export-final may replace a model
	defaults    sampling.Recommended
	fs          *flag.FlagSet
}

// register adds the flags to fs.
func (f *trainFlags) register(fs *flag.FlagSet) {
	f.fs = fs
	fs.StringVar(&f.dataset, "data", "emoji", "dataset: shapes (built in, drawn procedurally: nothing to download), emoji or mnist (built in, downloaded once by make data), edit (the emoji edit pairs), or a folder of images (PNG, JPEG, GIF, BMP, TIFF, WebP) (captions from NAME.txt or the file name; a folder named like a built-in dataset needs a '/', as ./shapes)")
	fs.StringVar(&f.out, "out", "", "run folder (checkpoint, loss curve, samples); the model is exported to RUN_DIR/model")
	fs.BoolVar(&f.resume, "resume", false, "continue the run in --out from its checkpoint (a fresh start when there is none, which then needs --data: a folder holding no run is refused without it)")
	fs.BoolVar(&f.prepareOnly, "prepare-only", false, "learn the codebook and tokenise the data into --out, then stop")
	rangedFloatVar(fs, &f.minutes, "minutes", 0, 0, 1e+06, false, "stop cleanly after this many minutes of training, with a final checkpoint (0 = no limit; with --resume and neither --minutes nor --stop-at given: the budget the run last ran with again, its first or the one a later --resume --minutes gave); preparing the data (drawing or reading the images, k-means, encoding: a minute or more) comes first and is not counted; a schedule fitted to the budget (--epochs 0) takes its last few steps even a little past it (at most a tenth), so that its learning rate anneals")
	rangedIntVar(fs, &f.stopAt, "stop-at", 0, 0, 100000000, "stop this call at this step, with a checkpoint, keeping the schedule (0 = at its end); repeats a run that --minutes stopped")
	f.seed = 1
	fs.Var(&uintValue{&f.seed}, "seed", "seed for the codebook, the data order, the initial weights and dropout (`int` 0 to 2⁶⁴−1)")
	rangedIntVar(fs, &f.threads, "threads", 0, 0, 1024, "worker threads (0 = all cores)")
	fs.StringVar(&f.dtype, "dtype", "F16", "exported weights: F16, BF16 or F32")
	rangedIntVar(fs, &f.size, "size", 0, 8, 4096, "image side in pixels"+presetDefault(func(s trainjob.Settings) any { return s.Size }, presetFromModel+"; with --tokenizer, the tokenizer's"))
	rangedIntVar(fs, &f.patch, "patch", 0, 1, 64, "patch side p"+presetDefault(func(s trainjob.Settings) any { return s.Patch }, presetFromModel+"; with --tokenizer, the tokenizer's"))
	rangedIntVar(fs, &f.codes, "codes", 0, 2, 65536, "codebook entries K"+presetDefault(func(s trainjob.Settings) any { return s.Codes }, presetFromModel+"; with --tokenizer, the tokenizer's"))
	fs.StringVar(&f.initModel, "init", "", "fine-tune this model (a built-in name or a model folder) instead of starting from random weights: its image tokenizer, architecture and prompt vocabulary are kept, the captions' new words are added")
	fs.StringVar(&f.tokDir, "tokenizer", "", "a trained ViT-VQ tokenizer folder (tessera train-tokenizer's RUN_DIR/tokenizer), a model folder that has one, or a run folder (train-tokenizer's: its tokenizer/; train's: its model/) to tokenise with, instead of learning a k-means patch codebook")
	rangedIntVar(fs, &f.width, "width", 0, 1, 4096, "transformer width n_embd"+presetDefault(func(s trainjob.Settings) any { return s.Width }, presetFromModel))
	rangedIntVar(fs, &f.layers, "layers", 0, 1, 256, "transformer layers"+presetDefault(func(s trainjob.Settings) any { return s.Layers }, presetFromModel))
	rangedIntVar(fs, &f.heads, "heads", 0, 1, 256, "attention heads"+presetDefault(func(s trainjob.Settings) any { return s.Heads }, presetFromModel))
	rangedIntVar(fs, &f.shifts, "shifts", 0, 0, 64, "shifted copies of each training image (augmentation)"+presetDefault(func(s trainjob.Settings) any { return s.Shifts }, ""))
	rangedIntVar(fs, &f.maxShift, "max-shift", 0, 0, 64, "largest shift in pixels"+presetDefault(func(s trainjob.Settings) any { return s.MaxShift }, ""))
	rangedIntVar(fs, &f.batch, "batch", 0, 1, 4096, "sequences per step"+presetDefault(func(s trainjob.Settings) any { return s.Batch }, ""))
	rangedIntVar(fs, &f.steps, "steps", 0, 0, 100000000, "optimiser steps, the learning-rate schedule's length (0 = from --epochs); with --resume, a new length, shorter or longer, past the checkpoint's step")
	rangedIntVar(fs, &f.evalEvery, "eval-every", 0, 0, 100000000, "steps between validation passes (0 = about eight a run, 10 to 250 steps apart)")
	rangedFloatVar(fs, &f.lr, "lr", 0, 0, 10, true, "peak learning rate"+presetDefault(func(s trainjob.Settings) any { return s.LR }, fmt.Sprintf("with --init on a folder, %g × the preset's", trainjob.FineTuneLRScale)))
	rangedFloatVar(fs, &f.dropout, "dropout", 0, 0, 0.9, false, "residual and embedding dropout"+presetDefault(func(s trainjob.Settings) any { return s.Dropout }, "with --init on a folder, the model's own where Tessera knows it"))
	rangedFloatVar(fs, &f.wd, "weight-decay", 0, 0, 10, false, "AdamW weight decay on matmul weights and embeddings"+presetDefault(func(s trainjob.Settings) any { return s.WeightDecay }, "with --init on a folder, the model's own where Tessera knows it"))
	rangedFloatVar(fs, &f.epochs, "epochs", 0, 0, 1e+06, false, "passes over the training examples (default: the preset's; 0 with --minutes fits the schedule to the budget, so the learning rate anneals in time, as the Train tab does)")
	rangedFloatVar(fs, &f.promptDrop, "prompt-drop", 0.1, 0, 1, false, "chance a training prompt is replaced by PAD (for guidance)")
	rangedFloatVar(fs, &f.wordDrop, "word-drop", 0, 0, 0.9, false, "chance each word of a training prompt that is kept is replaced by PAD (word dropout: each word learnt to say its part alone; default: the preset's)")
	rangedFloatVar(fs, &f.ema, "ema", 0, 0, 0.9999, false, fmt.Sprintf("validate and export a moving average of the weights with this decay a step (Polyak averaging; 0 = none; default: the preset's, %g for shapes, %g for edit)", trainjob.Preset("shapes").EMA, trainjob.Preset(trainjob.EditData).EMA))
	rangedFloatVar(fs, &f.replay, "replay", 0, 0, 0.9, false, fmt.Sprintf("with --init: the share of each training batch drawn from the data the model was trained on (or --replay-data), so that the fine-tune keeps drawing what it drew (rehearsal, as DreamBooth's prior preservation; 0 = none; not given: %g with --replay-data, or for a fine-tune on a folder where the model's data is known and on this machine, as the emoji data is after make data; else 0)", trainjob.DefaultReplay))
	fs.StringVar(&f.replayData, "replay-data", "", fmt.Sprintf("with --init: the pictures to replay (emoji, mnist, shapes or a folder; default: the data the --init model was trained on, when Tessera knows it); without --replay, a share of %g", trainjob.DefaultReplay))
	rangedIntVar(fs, &f.editPairs, "edit-pairs", 0, -1, 100000000, "training pairs of each edit family at most, drawn from all there are (--data edit only; not given: the preset's, "+plural.Thousands(trainjob.Preset(trainjob.EditData).EditPairs)+"; 0: "+plural.Thousands(edit.DefaultMaxPerFamily)+"; -1: all)")
	fs.StringVar(&f.exportFinal, "export-final", "", "instead of training, write the run's latest weights (not the best-validation ones) as a model folder here (a new or empty folder, or one holding a model with --force)")
	fs.BoolVar(&f.force, "force", false, "with --export-final: replace the model in that folder")
	for _, sp := range sampling.Knobs() {
		keeps := "a fine-tune keeps its --init model's"
		if sp.Knob == sampling.KnobStylePerSeed {
			// Not kept on data that names no styles: a folder's own
			// captions were drawn in emoji styles (trainjob.inheritDefaults).
			keeps = "a fine-tune keeps its --init model's where its own data names styles (its captions, not the replayed ones)"
		}
		knobFlag(fs, sp, sp.RecommendedField(&f.defaults), "default-"+string(sp.Knob), 0, "record this "+sp.Label+" in the exported config.json as the model's default (tessera.defaults; not given or 0: none recorded, and "+keeps+"; 0 cannot be recorded as a default)", nil)
	}
	fs.Var(rankByNameValue{&f.defaults.RankBy}, "default-rank-by", "record how the model's batches are best ranked in the exported config.json (tessera.defaults.rank_by: likelihood, prompt-gain or description; the studio and generate --rank follow it unless told otherwise; \"\": none; the shapes preset records description)")
}

// presetFromModel is presetDefault's note of the flags a fine-tune takes
// from its model (a fine-tune keeps the model's shape).
const presetFromModel = "with --init, the model's"

// presetDefault is the help's " (default: …)" of a flag whose default is
// the --data preset's (trainjob.Preset): each preset's value (of a
// Settings, written as %v writes it), then that --resume keeps the run's,
// then others ("with --init, the model's"), if not "".
func presetDefault(value func(trainjob.Settings) any, others string) string {
	var each []string
	for _, data := range []string{"shapes", "mnist", "emoji", trainjob.EditData} {
		each = append(each, fmt.Sprintf("%s %v", data, value(trainjob.Preset(data))))
	}
	each = append(each, fmt.Sprintf("a folder %v", value(trainjob.Preset("./folder"))))
	if others != "" {
		others = "; " + others
	}
	return " (default: the --data preset's: " + strings.Join(each, ", ") + "; with --resume, the run's" + others + ")"
}

// settings are the job's settings: the dataset's preset with the flags
// set on the command line, which are recorded (args) in the model card.
func (f *trainFlags) settings(args []string) trainjob.Settings {
	fs := f.fs
	// Flags left unset take the dataset's preset, or on --resume the run's
	// own settings (run.json), so that `--resume --out RUN` alone goes on;
	// the job refuses flags that would change what a run cannot.
	st := trainjob.Preset(f.dataset)
	set := flagsSet(fs)
	fromRecord := false
	if rec, err := trainjob.ReadRecord(f.out); err == nil && (f.resume || f.exportFinal != "") {
		// --export-final exports the run's own model: its data, preset and
		// recommended settings, not the preset of a --data left out (it
		// wrote the emoji data's card and style words for a folder's run).
		st, fromRecord = rec.Settings, true
		if set["data"] {
			st.Data = cleanDataName(f.dataset) // a folder as the record keeps it: its absolute path
		}
	}
	if !fromRecord && bundle.IsFolder(st.Data) {
		// The run records where its pictures are, whatever folder the
		// studio or eval-prompts later reads it from (trainjob.TrainingData).
		if abs, err := filepath.Abs(st.Data); err == nil {
			st.Data = abs
		}
	}
	pick := func(name string, dst *int, v int) {
		if set[name] {
			*dst = v
		}
	}
	pickF := func(name string, dst *float64, v float64) {
		if set[name] {
			*dst = v
		}
	}
	pick("size", &st.Size, f.size)
	pick("patch", &st.Patch, f.patch)
	pick("codes", &st.Codes, f.codes)
	pick("width", &st.Width, f.width)
	pick("layers", &st.Layers, f.layers)
	pick("heads", &st.Heads, f.heads)
	pick("shifts", &st.Shifts, f.shifts)
	pick("max-shift", &st.MaxShift, f.maxShift)
	pick("batch", &st.Batch, f.batch)
	pickF("lr", &st.LR, f.lr)
	if f.initModel != "" && !fromRecord && !set["lr"] && bundle.IsFolder(st.Data) {
		// A model fine-tuned on a folder at the preset's rate forgot what
		// it knew in a minute.
		st.LR = trainjob.FineTuneLR(st.LR)
		f.lrNote = fmt.Sprintf("note: a fine-tune on a folder trains at learning rate %g, %g of the preset's, so that the model keeps what it knew (--lr sets another)", st.LR, trainjob.FineTuneLRScale)
	}
	if f.initModel != "" && !fromRecord && bundle.IsFolder(st.Data) {
		// The emoji model, trained without dropout, forgot its emoji in
		// minutes at the folder preset's 0.1.
		if d, wd, ok := trainjob.BaseRegularization(f.initModel); ok {
			var taken []string
			if !set["dropout"] && d != st.Dropout {
				st.Dropout = d
				taken = append(taken, fmt.Sprintf("dropout %g (--dropout sets another)", d))
			}
			if !set["weight-decay"] && wd != st.WeightDecay {
				st.WeightDecay = wd
				taken = append(taken, fmt.Sprintf("weight decay %g (--weight-decay sets another)", wd))
			}
			if len(taken) > 0 {
				f.lrNote = strings.TrimPrefix(f.lrNote+"\n", "\n") + fmt.Sprintf("note: the fine-tune trains with the %s that %s was trained with", strings.Join(taken, " and "), f.initModel)
			}
		}
		if st.InitModel = f.initModel; !set["replay"] && !set["replay-data"] && trainjob.DefaultReplayFor(st) {
			// Left out, with a warning, where the model's own data is not
			// known or not on this machine.
			st.Replay, st.ReplayIfPresent = trainjob.DefaultReplay, true
		}
	}
	if f.initModel != "" && !fromRecord && set["replay-data"] && !set["replay"] {
		st.Replay = trainjob.DefaultReplay // the data named asks for a replay: the default share
	}
	pickF("dropout", &st.Dropout, f.dropout)
	pickF("weight-decay", &st.WeightDecay, f.wd)
	pickF("epochs", &st.Epochs, f.epochs)
	pickF("word-drop", &st.WordDrop, f.wordDrop)
	pickF("ema", &st.EMA, f.ema)
	pickF("replay", &st.Replay, f.replay)
	if f.initModel != "" {
		st.InitModel = f.initModel // opened after Check, which needs to know of it
	}
	if set["replay-data"] {
		st.ReplayData = cleanDataName(f.replayData) // a folder's absolute path, as --data's
	}
	pick("edit-pairs", &st.EditPairs, f.editPairs)
	st.OutDir, st.Resume, st.Threads, st.StopAt = f.out, f.resume, f.threads, f.stopAt
	if !fromRecord || set["minutes"] || set["stop-at"] {
		// A resume keeps the run's budget (what is left of a Train tab
		// run's whole one, Settings.Budget), unless this call gives a
		// budget or a step to stop at: then this call's is that.
		st.Minutes, st.Budget = f.minutes, 0
	}
	if !fromRecord || set["seed"] {
		st.Seed = f.seed
	}
	if !fromRecord || set["dtype"] {
		st.DType = strings.ToUpper(f.dtype) // "f16" as --precision is written
	}
	if !fromRecord || set["tokenizer"] {
		st.Tokenizer = f.tokDir
	}
	if !fromRecord {
		st.Steps, st.EvalEvery, st.PromptDrop = f.steps, f.evalEvery, f.promptDrop
	}
	pick("steps", &st.Steps, f.steps)
	pick("eval-every", &st.EvalEvery, f.evalEvery)
	pickF("prompt-drop", &st.PromptDrop, f.promptDrop)
	// The preset's recommended sampling knobs stay unless a --default-*
	// flag sets one (to 0 or "": none).
	for _, sp := range sampling.Knobs() {
		if set["default-"+string(sp.Knob)] {
			sp.SetRecommended(&st.Defaults, sp.Recommended(f.defaults))
		}
	}
	if set["default-rank-by"] {
		st.Defaults.RankBy = f.defaults.RankBy
	}
	if f.exportFinal != "" {
		// An export trains nothing: the card quotes the calls that
		// trained the weights (the record's), and this one as the export
		// (it read "last resumed with: tessera train … --export-final …").
		st.ExportedWith, st.Version = args, Version
		if st.ExportedWith == nil {
			st.ExportedWith = []string{}
		}
		if !fromRecord {
			st.Command = nil // the settings' own command line (Settings.Args)
		}
		return st
	}
	if fromRecord && st.StartedWith == nil && st.Command != nil {
		st.StartedWith = st.Command // the run's first call, kept through its resumes
	}
	st.Command, st.Version = args, Version
	if st.Command == nil {
		st.Command = []string{}
	}
	return st
}

// runTrain is `tessera train`: its flags become trainjob.Settings (flags
// left unset take the dataset's preset) and trainjob does the rest.
func runTrain(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "train", "--data shapes|emoji|mnist|edit|FOLDER --out RUN_DIR [flags]")
	var f trainFlags
	f.register(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return helpOr(fs, err)
	}
	if err := noArguments(pos, "give the data with --data"); err != nil {
		return err
	}
	f.dataset = folderData(f.dataset)
	f.replayData = folderData(f.replayData) // a bare folder name as --data takes it
	if f.initModel != "" {
		// as --model reads it (a run's folder is its model): the base
		// run's regularisation and data are looked up from the model
		f.initModel = resolveModel(f.initModel)
	}
	if f.out == "" {
		return usageError{"--out RUN_DIR is required"}
	}
	if f.initModel != "" && f.tokDir != "" {
		return usageError{"--init keeps the model's own image tokenizer: leave out --tokenizer"}
	}
	// Flags the tokenizer or the model fine-tuned decide are refused, not
	// silently ignored.
	set := flagsSet(fs)
	if f.exportFinal != "" {
		// The export writes the run's own last weights: a flag that would
		// train, or change what is trained, was accepted and not used.
		if name := exportFinalIgnores(set); name != "" {
			return usageError{fmt.Sprintf("--%s: --export-final writes the run's own last weights and trains nothing; leave --%s out (it takes --out, --force, --dtype, --threads and the --default-* flags)", name, name)}
		}
	}
	if f.force && f.exportFinal == "" {
		return usageError{"--force goes with --export-final (it lets the export replace a model there); a run folder is resumed with --resume"}
	}
	if set["init"] && strings.TrimSpace(f.initModel) == "" {
		return usageError{"--init needs a model to fine-tune: a built-in name (emoji, mnist) or a model folder"} // "" trained from scratch
	}
	for _, name := range []string{"size", "patch", "codes", "width", "layers", "heads"} {
		switch {
		case !set[name]:
		case f.initModel != "":
			return usageError{fmt.Sprintf("--%s: a fine-tune keeps the size, tokenizer and architecture of the model in --init", name)}
		case f.tokDir != "" && (name == "size" || name == "patch" || name == "codes"):
			return usageError{fmt.Sprintf("--%s: the image size, patch and codebook are the tokenizer's (--tokenizer)", name)}
		}
	}
	if f.tokDir != "" {
		// Before the run folder's log says "started" (it said only "open
		// tokenizer_config.json: no such file" after it). A run folder
		// stands for its tokenizer, as eval-tokenizer takes it: a
		// train-tokenizer run's tokenizer/, a train run's model/ (it said
		// "no ViT tokenizer there").
		if fi, err := os.Stat(f.tokDir); err != nil || !fi.IsDir() {
			if hint := builtinTokenizerHint("tokenizer", f.tokDir); hint != "" {
				return usageError{hint}
			}
		}
		dir, err := vitTokenizerFolder("tokenizer", f.tokDir)
		if err != nil {
			return err
		}
		f.tokDir = dir
	}
	if set["epochs"] && set["steps"] && f.epochs > 0 && f.steps > 0 {
		// --steps sets the schedule's length: the epochs were recorded
		// and not used.
		return usageError{fmt.Sprintf("--epochs %g and --steps %d: --steps sets the schedule's length, and the epochs would be recorded and not used; give one of them (--epochs 0 with --steps is fine)", f.epochs, f.steps)}
	}
	if f.prepareOnly && set["stop-at"] && f.stopAt > 0 {
		// --prepare-only trains nothing, and the step to stop at is not
		// recorded for a later call: it was accepted and not used.
		return usageError{fmt.Sprintf("--stop-at %d and --prepare-only: --prepare-only tokenises the data and trains nothing, and a later --resume takes its own --stop-at; leave --stop-at out", f.stopAt)}
	}
	if err := f.checkResume(set); err != nil {
		return err
	}
	if f.resume && !set["data"] && !trainjob.IsRun(f.out) {
		// Nothing to resume (no record, checkpoint or prepared data: a
		// damaged record is the run folder check's to say), and nothing
		// said of what to train: a typo in the folder's name started hours
		// of the default dataset's preset. A fresh start under --resume
		// names its data, as make model's stages do.
		return usageError{fmt.Sprintf("--resume: %s holds no run to resume (no run.json, checkpoint or prepared data there); to start a run in it, name its data with --data (and a time budget with --minutes)", f.out)}
	}
	st := f.settings(args)
	if err := st.Check(); err != nil { // before any data is read or prepared; an unknown dataset too
		return usageError{strings.TrimPrefix(err.Error(), "train: ")}
	}
	if err := checkShifts(set, st); err != nil {
		return err
	}
	if st.StopAt > 0 && st.Steps > 0 && st.StopAt > st.Steps {
		// The schedule ends first: --stop-at was accepted and not used.
		return usageError{fmt.Sprintf("--stop-at %d is past the schedule's end at step %d: the run stops there anyway; give a step before it, or a longer schedule with --steps", st.StopAt, st.Steps)}
	}
	log := env.Stderr
	ev := trainjob.Events{Log: log}
	if f.initModel != "" {
		b, err := openModel(log, f.initModel, "f32")
		if err != nil {
			return err
		}
		st.Init, st.InitModel = b, f.initModel
		if err := st.Check(); err != nil { // what the model is (an edit model on pictures), before a note of how it trains
			return usageError{strings.TrimPrefix(err.Error(), "train: ")}
		}
	}
	if set["default-style-per-seed"] && st.Defaults.StylePerSeed != 0 && !trainsStyles(st) {
		// Recorded, every image the model drew claimed a style per seed
		// it had no styles to draw.
		return usageError{fmt.Sprintf("--default-style-per-seed %d: the model this run trains has no style words (data %s names no styles%s), so a style per seed would draw nothing different; leave it out",
			st.Defaults.StylePerSeed, st.Data, map[bool]string{true: ", nor does the model it fine-tunes", false: ""}[st.Init != nil])}
	}
	if f.lrNote != "" {
		fmt.Fprintln(log, f.lrNote)
	}
	if f.initModel == "" && st.InitModel != "" && (!trainjob.HoldsCheckpoint(st.OutDir) || !fileExists(trainjob.PreparedPath(st.OutDir))) {
		// A fine-tune resumed from its record (--resume, --export-final)
		// that still starts from the base model's weights (no checkpoint:
		// a run that --prepare-only prepared) or must tokenise its data
		// again: the base model, a built-in one too, is opened as --init
		// opens it (it failed: "open the model mnist first").
		b, err := openModel(log, st.InitModel, "f32")
		if err != nil {
			return fmt.Errorf("the run fine-tunes %s: %w", st.InitModel, err)
		}
		st.Init = b
	}
	if f.exportFinal != "" {
		if rec, err := trainjob.ReadRecord(f.out); err == nil && set["data"] && st.Data != rec.Settings.Data {
			return usageError{fmt.Sprintf("--data %s: the run in %s trained on %s, and --export-final writes its weights (leave --data out)", f.dataset, f.out, rec.Settings.Data)}
		}
		if err := trainjob.CheckExportFinal(st, f.exportFinal, f.force); err != nil {
			return err // before preparing any data, which a run without a checkpoint would keep
		}
	}
	if f.exportFinal != "" {
		prep, err := exportData(ctx, st, ev)
		if err != nil {
			return err
		}
		step, err := trainjob.ExportFinal(ctx, st, prep, f.exportFinal, f.force)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "wrote the weights of step %d to %s\n", step, f.exportFinal)
		return nil
	}
	if f.prepareOnly {
		if _, err := trainjob.PrepareRun(ctx, st, ev); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "tokenised data saved in %s\n", trainjob.PreparedPath(st.OutDir))
		return nil
	}
	resumed := st.Resume && trainjob.HoldsCheckpoint(st.OutDir) // its schedule is the checkpoint's
	if !resumed && st.Steps <= 0 && st.Epochs <= 0 && st.Minutes <= 0 && st.Budget <= 0 {
		// The trainer said "set Steps, Epochs or Minutes", after the model.
		return usageError{"--steps, --epochs and --minutes are all 0: give one of them above 0 (or leave them out: the data preset's schedule)"}
	}
	if err := trainjob.CheckStart(st); err != nil {
		return err // before the data check, which it printed in full first
	}
	if bundle.IsFolder(st.Data) && !st.Resume {
		// What the studio's Train tab shows before it starts: the files
		// trained on other than their author may expect.
		if rep, err := data.CheckFolder(ctx, st.Data); err == nil && rep.Problems() > 0 {
			fmt.Fprintln(log, "data check (training goes on; tessera check-data lists every file):")
			for _, l := range rep.Lines() {
				fmt.Fprintln(log, l)
			}
		}
	}
	start := time.Now()
	res, err := trainjob.Run(ctx, st, ev)
	switch {
	case res != nil:
		fmt.Fprint(env.Stdout, trainjob.Summary(res, time.Since(start), st.StopAt))
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(log, "cancelled before training started: nothing was trained")
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	if res != nil && res.Trained == 0 && (set["minutes"] || set["stop-at"]) && res.TotalSteps > 0 && res.Steps >= res.TotalSteps {
		// More time was asked for and none could be used: a script that
		// resumes for more training made no progress and exited 0.
		return fmt.Errorf("the run had ended its schedule of %d steps: --minutes or --stop-at trains no more of it; give a longer schedule (--resume --steps N, N > %d)", res.TotalSteps, res.TotalSteps)
	}
	return nil
}

// exportData is the run's tokenised data, which --export-final reads for
// the model folder's files (its tokenizer, names and card: how many
// examples, the tokenizer's PSNR): read without a word where the run
// folder holds it (an export trains nothing, and "using the tokenised
// data in …" read as if it did), tokenised again as a resume would where
// it was deleted.
func exportData(ctx context.Context, st trainjob.Settings, ev trainjob.Events) (*prepare.Prepared, error) {
	path := trainjob.PreparedPath(st.OutDir)
	if !fileExists(path) {
		return trainjob.PrepareData(ctx, st, ev)
	}
	prep, err := trainjob.LoadPrepared(path)
	if err != nil {
		return nil, fmt.Errorf("read the run's tokenised data for the model folder: %w (delete it to tokenise again)", err)
	}
	return prep, nil
}

// trainsStyles reports whether the model of a run of st may have style
// words: its data's (the emoji preset's), or those of the model it
// fine-tunes (where that is open, st.Init; else assumed so).
func trainsStyles(st trainjob.Settings) bool {
	if len(st.StyleWords) > 0 {
		return true
	}
	if st.Init != nil {
		return len(styleWordsOf(st.Init)) > 0
	}
	return st.InitModel != ""
}

// exportFinalIgnores is the first flag set (sorted by name) that
// --export-final has no use for, "" when there is none: it takes the run
// folder, --force, the weights' dtype, the threads and the sampling
// defaults recorded in the model, and --data only as the run's own (a run
// folder whose prepared data was deleted tokenises it again).
func exportFinalIgnores(set map[string]bool) string {
	var names []string
	for name := range set {
		switch {
		case name == "out", name == "export-final", name == "force", name == "dtype", name == "threads", name == "data",
			strings.HasPrefix(name, "default-"):
		default:
			names = append(names, name)
		}
	}
	slices.Sort(names)
	if len(names) == 0 {
		return ""
	}
	return names[0]
}

// quoteArgs quotes the arguments that hold spaces or quotes for a shell.
func quoteArgs(args []string) []string { return trainjob.QuoteArgs(args) }

// runtimeDesc describes the machine trained on.
func runtimeDesc() string { return trainjob.RuntimeDesc() }

// folderData is the --data value name, or, when it names no built-in
// dataset but an existing folder without a '/' ("--data photos", as
// check-data takes it), that folder as a path ("./photos").
func folderData(name string) string {
	return asFolder(name, append(trainjob.Datasets(), trainjob.EditData))
}

// checkResume refuses, on a resume of a run with a checkpoint, an
// optimiser flag (set: the flags given) whose value differs from the
// run's: the checkpoint's are kept (only the budget, threads, steps,
// evaluation spacing and weight average are a resume's own), and another
// value was recorded as given and silently not used. The same value (make
// model's stages repeat their flags on every call) is fine.
func (f *trainFlags) checkResume(set map[string]bool) error {
	if !f.resume || !trainjob.HoldsCheckpoint(f.out) {
		return nil
	}
	if _, err := os.Stat(filepath.Join(f.out, trainjob.RecordFile)); errors.Is(err, fs.ErrNotExist) {
		// Resumed without it, the run took the preset of the data asked
		// for (emoji's, by default) as its settings and wrote them into
		// run.json, its log and its model card beside shapes' weights.
		return fmt.Errorf("%s holds a checkpoint but no %s, which keeps how the run was made (its data and settings): put it back to resume, or train a new run in another folder", f.out, trainjob.RecordFile)
	}
	rec, err := trainjob.ReadRecord(f.out)
	if err != nil {
		return nil // the job says what is wrong with the run
	}
	r := rec.Settings
	for _, c := range []struct {
		name   string
		given  float64
		itsOwn float64
	}{
		{"lr", f.lr, r.LR}, {"batch", float64(f.batch), float64(r.Batch)}, {"dropout", f.dropout, r.Dropout}, {"weight-decay", f.wd, r.WeightDecay},
		{"word-drop", f.wordDrop, r.WordDrop}, {"prompt-drop", f.promptDrop, r.PromptDrop}, {"epochs", f.epochs, r.Epochs}, {"replay", f.replay, r.Replay},
	} {
		if set[c.name] && c.given != c.itsOwn {
			hint := "a new schedule length is --steps N (or train a new run)"
			if c.name == "replay" {
				hint = "train a new run for another"
			}
			return usageError{fmt.Sprintf("--%s: a resumed run keeps its checkpoint's (%g); %s", c.name, c.itsOwn, hint)}
		}
	}
	if set["replay-data"] && cleanDataName(f.replayData) != cleanDataName(r.ReplayData) {
		return usageError{fmt.Sprintf("--replay-data: a resumed run keeps its own (%q), tokenised when it began; train a new run for another", r.ReplayData)}
	}
	return nil
}

// checkShifts refuses --shifts or --max-shift given above 0 where the
// other one, given or the preset's (or the resumed run's), is 0: no shifted
// copy is made then (prepare makes Shifts copies moved by up to MaxShift
// pixels), and the flag given was recorded in run.json and not used.
func checkShifts(set map[string]bool, st trainjob.Settings) error {
	switch {
	case set["max-shift"] && st.MaxShift > 0 && st.Shifts == 0:
		return usageError{fmt.Sprintf("--max-shift %d: the run makes no shifted copies (--shifts 0), so no shift is used; give --shifts N (N > 0) for N shifted copies of each image, or leave --max-shift out", st.MaxShift)}
	case set["shifts"] && st.Shifts > 0 && st.MaxShift == 0:
		return usageError{fmt.Sprintf("--shifts %d: the largest shift is 0 pixels (--max-shift 0), and unshifted copies are not made, so none are; give --max-shift N (N > 0 pixels), or leave --shifts out", st.Shifts)}
	}
	return nil
}

// cleanDataName is a dataset name to compare: a folder's clean absolute
// path, a built-in's name.
func cleanDataName(name string) string {
	if bundle.IsFolder(name) {
		if abs, err := filepath.Abs(name); err == nil {
			return abs
		}
	}
	return name
}
