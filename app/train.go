package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/engine/trainjob"
)

// runTrain is `tessera train`: its flags become trainjob.Settings (flags
// left unset take the dataset's preset) and trainjob does the rest.
func runTrain(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "train", "--data emoji|mnist|FOLDER --out RUN_DIR [flags]")
	dataset := fs.String("data", "emoji", "dataset: emoji, mnist, shapes (built in, drawn procedurally), or a folder of PNG/JPEG images (captions from NAME.txt or the file name)")
	out := fs.String("out", "", "run folder (checkpoint, loss curve, samples); the model is exported to RUN_DIR/model")
	resume := fs.Bool("resume", false, "continue the run in --out from its checkpoint (a fresh start when there is none)")
	prepareOnly := fs.Bool("prepare-only", false, "learn the codebook and tokenise the data into --out, then stop")
	minutes := fs.Float64("minutes", 0, "stop cleanly after this many minutes, with a final checkpoint (0 = no limit)")
	seed := fs.Uint64("seed", 1, "seed for the codebook, the data order, the initial weights and dropout")
	threads := fs.Int("threads", 0, "worker threads (0 = all cores)")
	dtype := fs.String("dtype", "F16", "exported weights: F16, BF16 or F32")
	size := fs.Int("size", 0, "image side in pixels (default: the dataset's preset)")
	patch := fs.Int("patch", 0, "patch side p")
	codes := fs.Int("codes", 0, "codebook entries K")
	initModel := fs.String("init", "", "fine-tune this model (a built-in name or a model folder) instead of starting from random weights: its image tokenizer, architecture and prompt vocabulary are kept, the captions' new words are added")
	tokDir := fs.String("tokenizer", "", "a trained ViT-VQ tokenizer folder (tessera train-tokenizer's RUN_DIR/tokenizer) to tokenise with, instead of learning a k-means patch codebook")
	width := fs.Int("width", 0, "transformer width n_embd")
	layers := fs.Int("layers", 0, "transformer layers")
	heads := fs.Int("heads", 0, "attention heads")
	shifts := fs.Int("shifts", 0, "shifted copies of each training image (augmentation)")
	maxShift := fs.Int("max-shift", 0, "largest shift in pixels")
	batch := fs.Int("batch", 0, "sequences per step")
	steps := fs.Int("steps", 0, "optimiser steps (0 = from --epochs)")
	evalEvery := fs.Int("eval-every", 0, "steps between validation passes (0 = 250)")
	lr := fs.Float64("lr", 0, "peak learning rate")
	dropout := fs.Float64("dropout", 0, "residual and embedding dropout")
	wd := fs.Float64("weight-decay", 0, "AdamW weight decay on matmul weights and embeddings")
	epochs := fs.Float64("epochs", 0, "passes over the training examples (default: the preset's; 0 with --minutes fits the schedule to the budget, so the learning rate anneals in time, as the Train tab does)")
	promptDrop := fs.Float64("prompt-drop", 0.1, "chance a training prompt is replaced by PAD (for guidance)")
	exportFinal := fs.String("export-final", "", "instead of training, write the run's latest weights (not the best-validation ones) as a model folder here")
	var defaults sampling.Recommended
	for _, sp := range sampling.Knobs {
		knobFlag(fs, sp.RecommendedField(&defaults), "default-"+string(sp.Knob), 0, "record this "+sp.Label+" in the exported config.json as the model's default (tessera.defaults)")
	}
	if _, err := parseFlags(fs, args); err != nil {
		return helpOr(fs, err)
	}
	if *out == "" {
		return usageError{"--out RUN_DIR is required"}
	}
	if *initModel != "" && *tokDir != "" {
		return usageError{"--init keeps the model's own image tokenizer: leave out --tokenizer"}
	}
	// Flags left unset take the dataset's preset.
	st := trainjob.Preset(*dataset)
	set := flagsSet(fs)
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
	pick("size", &st.Size, *size)
	pick("patch", &st.Patch, *patch)
	pick("codes", &st.Codes, *codes)
	pick("width", &st.Width, *width)
	pick("layers", &st.Layers, *layers)
	pick("heads", &st.Heads, *heads)
	pick("shifts", &st.Shifts, *shifts)
	pick("max-shift", &st.MaxShift, *maxShift)
	pick("batch", &st.Batch, *batch)
	pickF("lr", &st.LR, *lr)
	pickF("dropout", &st.Dropout, *dropout)
	pickF("weight-decay", &st.WeightDecay, *wd)
	pickF("epochs", &st.Epochs, *epochs)
	st.OutDir, st.Resume, st.Minutes, st.Seed, st.Threads, st.DType = *out, *resume, *minutes, *seed, *threads, *dtype
	st.Steps, st.EvalEvery, st.PromptDrop, st.Tokenizer = *steps, *evalEvery, *promptDrop, *tokDir
	st.Defaults = defaults
	st.Command, st.Version = args, Version
	if st.Command == nil {
		st.Command = []string{}
	}
	if err := checkDataName(st.Data); err != nil {
		return err
	}
	log := env.Stderr
	ev := trainjob.Events{Log: log}
	if *initModel != "" {
		b, err := openModel(log, *initModel, "f32")
		if err != nil {
			return err
		}
		st.Init, st.InitModel = b, *initModel
	}
	if *exportFinal != "" || *prepareOnly {
		prep, err := trainjob.PrepareData(ctx, st, ev)
		if err != nil {
			return err
		}
		if *exportFinal != "" {
			step, err := trainjob.ExportFinal(st, prep, *exportFinal)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "wrote the weights of step %d to %s\n", step, *exportFinal)
			return nil
		}
		fmt.Fprintf(env.Stdout, "tokenised data saved in %s\n", trainjob.PreparedPath(st.OutDir))
		return nil
	}
	start := time.Now()
	res, err := trainjob.Run(ctx, st, ev)
	if res != nil {
		fmt.Fprint(env.Stdout, trainjob.Summary(res, time.Since(start)))
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// checkDataName turns an unknown dataset into a usage error (exit status 2).
func checkDataName(name string) error {
	if err := (trainjob.Settings{Data: name, OutDir: "-"}).Check(); errors.Is(err, trainjob.ErrUnknownDataset) {
		return usageError{err.Error()}
	}
	return nil
}

// quoteArgs quotes the arguments that hold spaces or quotes for a shell.
func quoteArgs(args []string) []string { return trainjob.QuoteArgs(args) }

// runtimeDesc describes the machine trained on.
func runtimeDesc() string { return trainjob.RuntimeDesc() }
