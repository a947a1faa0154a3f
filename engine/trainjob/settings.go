// Package trainjob is one training run from a dataset name to a model
// folder: load the data, tokenise it (cached in the run folder as
// prepared.gob, so a resumed run sees exactly the same examples), train
// with engine/train, draw a sample grid after each export and write the
// model card. `tessera train` and the studio's Train tab both drive it.
//
// A run folder holds:
//
//	run.json                the Settings and how the last call ended (Record)
//	prepared.gob            the tokenised data (and tokenizer/ for a ViT)
//	checkpoint.safetensors  everything needed to resume exactly
//	loss.png, samples.png   the loss curve and the latest sample grid
//	model/                  the exported model (config.json, model.safetensors,
//	                        preprocessor_config.json, MODEL.md)
package trainjob

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tessera-studio/tessera/engine/atomicfile"
	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/edit"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/engine/train"
	"github.com/tessera-studio/tessera/internal/plural"
)

// Settings say what to train and how. Preset fills them for a dataset;
// `tessera train` overrides the fields its flags set.
type Settings struct {
	// Data is "shapes", "emoji", "mnist", or a folder of images (PNG, JPEG, GIF, BMP, TIFF, WebP)
	// (a path containing a '/'; captions from NAME.txt or the file name).
	Data string `json:"data"`
	// OutDir is the run folder (required); the model goes to OutDir/model.
	OutDir string `json:"out_dir"`
	// Resume continues the run in OutDir from its checkpoint (a fresh start
	// when there is none). It is not saved: each call says it anew.
	Resume bool `json:"-"`
	// CheckpointOnly makes Resume go on from a checkpoint or not at all:
	// Run and CheckStart refuse (ErrNothingToResume) a run folder that is
	// gone or holds no checkpoint, where Resume alone starts afresh (the
	// studio's Resume, which started a deleted run over with one log line
	// to say so; tessera train --resume keeps its fresh start). Not saved.
	CheckpointOnly bool `json:"-"`
	// StopAt ends this call at that step with a checkpoint, as a spent
	// budget does (0: none); not saved.
	StopAt int `json:"-"`

	// Minutes is the wall-clock budget of one call, in minutes (0: none);
	// training stops cleanly with a checkpoint when it runs out. With Steps
	// and Epochs both 0 the schedule is fitted to it.
	Minutes float64 `json:"minutes"`
	// Budget is the whole run's time budget in minutes where it is one
	// (the Train tab's: a run paused and resumed trains for what is left
	// of it, MinutesLeft); 0 where each call has its own (--minutes).
	Budget float64 `json:"budget,omitempty"`
	// callMinutes is this call's budget where it is not Minutes (what is
	// left of Budget on a resume); not saved.
	callMinutes float64
	// Steps is the number of optimiser steps (0: from Epochs, else from
	// Minutes).
	Steps int `json:"steps,omitempty"`
	// Epochs is the number of passes over the training examples, when
	// Steps is 0.
	Epochs float64 `json:"epochs"`
	// EvalEvery is the number of steps between validation passes (0: about
	// eight a run, 10 to 250 steps apart: train.Options.EvalAuto).
	EvalEvery int `json:"eval_every,omitempty"`
	// Seed seeds the codebook, the data order, the initial weights and
	// dropout.
	Seed uint64 `json:"seed"`
	// Threads caps the worker threads of training and of its sample grids
	// (0: all cores).
	Threads int `json:"threads"`
	// DType is the exported weights' type: F16, BF16 or F32.
	DType string `json:"dtype"`

	// Size is the image side in pixels, Patch the patch side p in pixels,
	// Codes the codebook entries K.
	Size  int `json:"size"`
	Patch int `json:"patch"`
	Codes int `json:"codes"`
	// Width (n_embd), Layers and Heads shape the transformer.
	Width  int `json:"width"`
	Layers int `json:"layers"`
	Heads  int `json:"heads"`
	// Shifts is how many shifted copies of each training image are added,
	// by up to MaxShift pixels (augmentation).
	Shifts   int `json:"shifts"`
	MaxShift int `json:"max_shift"`
	// Batch is the number of sequences per step.
	Batch int `json:"batch"`
	// LR is the peak learning rate; Dropout the residual and embedding
	// dropout; WeightDecay AdamW's decay on matmul weights and embeddings;
	// PromptDrop the chance a training prompt becomes PAD (for guidance).
	LR          float64 `json:"lr"`
	Dropout     float64 `json:"dropout"`
	WeightDecay float64 `json:"weight_decay"`
	PromptDrop  float64 `json:"prompt_drop"`
	// WordDrop is the chance each word of a kept training prompt becomes
	// PAD (train.Options.WordDrop).
	WordDrop float64 `json:"word_drop,omitempty"`
	// EMA is the decay per step of the weights' moving average the run
	// validates and exports (train.Options.EMA; 0: none).
	EMA float64 `json:"ema,omitempty"`
	// StyleWords are the caption words that name a style; StyleDrop is the
	// chance a training caption loses its trailing style word.
	StyleWords []string `json:"style_words,omitempty"`
	StyleDrop  float64  `json:"style_drop,omitempty"`
	// SamplePrompts are the rows of the sample grid (none: one row of
	// unconditional samples).
	SamplePrompts []string `json:"sample_prompts,omitempty"`

	// EditPairs caps the training pairs of each edit family (edit data
	// only; 0: edit.DefaultMaxPerFamily; −1: every pair there is).
	EditPairs int `json:"edit_pairs,omitempty"`

	// Tokenizer is a trained ViT-VQ tokenizer folder to tokenise with,
	// instead of learning a k-means patch codebook.
	Tokenizer string `json:"tokenizer,omitempty"`
	// InitModel names the model being fine-tuned (a built-in name or a
	// folder), for the record and the model card; Init is that model. Its
	// image tokenizer, architecture and prompt vocabulary are kept and the
	// captions' new words added. When Init is nil and InitModel is a
	// folder, Run loads it.
	InitModel string         `json:"init_model,omitempty"`
	Init      *bundle.Bundle `json:"-"`
	// Replay is the share of each training batch drawn from pictures like
	// those the model being fine-tuned draws (train.Options.ReplayShare),
	// so that it keeps drawing them (0: none); ReplayData names them (a
	// dataset or folder as Data; "": the data the model was trained on,
	// ModelData).
	Replay     float64 `json:"replay,omitempty"`
	ReplayData string  `json:"replay_data,omitempty"`
	// ReplayIfPresent leaves the replay out, with a warning and Replay set
	// to 0 in the record, when its data is not on this machine (the Train
	// tab's default replay) rather than failing the run.
	ReplayIfPresent bool `json:"replay_if_present,omitempty"`
	// Defaults are the sampling settings recorded in the exported
	// config.json as the model's own (tessera.defaults).
	Defaults sampling.Recommended `json:"defaults"`

	// Command is the `tessera train` arguments the model card quotes (nil:
	// Args, the equivalent command line); Version is Tessera's version.
	Command []string `json:"command,omitempty"`
	// StartedWith is the first call's Command of a run that was resumed
	// since (nil: none): the model card says how the run began (its
	// --init, --data) as well as how it was resumed.
	StartedWith []string `json:"started_with,omitempty"`
	Version     string   `json:"version,omitempty"`
	// ExportedWith is the arguments of the call that exported the run's
	// weights without training (tessera train --export-final; nil: none):
	// the model card quotes it beside the calls that trained them, which
	// it is not one of.
	ExportedWith []string `json:"-"`

	// PrepCache is a folder where the tokenised data of the built-in
	// shapes and MNIST datasets is kept for later runs with the same
	// tokenisation ("": none; see prepCacheFile). It changes no result, so
	// the record leaves it out.
	PrepCache string `json:"-"`
}

// DefaultReplay is the replay share (Settings.Replay) of a fine-tune on a
// folder where DefaultReplayFor says so (tessera train's unless --replay
// is given, the Train tab's with "Keep what it drew" on), and of one given
// --replay-data without --replay.
const DefaultReplay = 0.5

// DefaultReplayFor reports whether s replays by default (DefaultReplay,
// left out with a warning where the data is not known or not on this
// machine: ReplayIfPresent): a fine-tune on a folder, unless the folder is
// the one its model was trained on.
func DefaultReplayFor(s Settings) bool {
	if s.Init == nil && s.InitModel == "" || !bundle.IsFolder(s.Data) {
		return false
	}
	m := s.InitModel
	if m == "" {
		m = s.Init.Source
	}
	td := TrainingData(m)
	return td == "" || !sameFolder(td, s.Data)
}

// sameFolder reports whether a and b name one folder (clean absolute paths).
func sameFolder(a, b string) bool {
	abs := func(p string) string {
		if v, err := filepath.Abs(p); err == nil {
			return v
		}
		return filepath.Clean(p)
	}
	return abs(a) == abs(b)
}

// Datasets are the built-in datasets, by name.
func Datasets() []string { return []string{"shapes", "emoji", "mnist"} }

// EditData names the edit-by-instruction pairs made from the six-style
// emoji (engine/edit): `tessera train --data edit --tokenizer DIR` trains
// an edit model on the codes of that ViT tokenizer. It is not in Datasets:
// it needs a tokenizer folder.
const EditData = "edit"

// Preset returns the settings that train dataset best: the tokenisation
// and the architecture, batch, learning rate, regularisation and length
// of its preset, seed 1 and F16 export. A folder gets the generic preset
// (32×32 px, one shifted copy of each image).
func Preset(dataset string) Settings {
	s := Settings{Data: dataset, Seed: 1, DType: "F16", PromptDrop: 0.1}
	switch dataset {
	case "shapes":
		// Built-in shapes (data.ShapesDataset): 32×32 as 8×8 codes of 4×4 px
		// from 1,024 (64 codes a picture: 256 codes of 2×2 px drew 8.3% of
		// held-out captions right; the checker still reads 94% of pictures
		// right after this codebook, 86% after 512 codes, 80% after 256).
		// A small model sees more pictures in the 10 minutes of a demo run,
		// and that pays more than width (docs/eval/shapes.txt; 8.5-minute
		// budgets on a 2-core Xeon, validation bits per token and held-out
		// captions drawn right): 4 layers × 128 at learning rate 0.002
		// 0.80 and 39%, × 96 0.73 and 45%, × 64 at 0.003 0.65 and 54%
		// (6 layers: 0.74 and 42%), × 48 at 0.004 0.63–0.64 and 60–65% in
		// two runs (batch 64 at 0.006: 0.65; 3 layers: 0.61 and 60%, the
		// same within noise; 2 heads: 0.66 and 51%), × 32 at 0.005 0.65 and
		// 61%. Those ran on OpenBLAS's Prescott fallback; on its SkylakeX
		// kernels (blas.UseBestCore, 2.5× the steps) × 48 made 0.57–0.58
		// and 74–82% in two runs, × 64 at 0.003 0.56 and 75%, 2,048 codes
		// (a 97.9% ceiling, 2.5 minutes of k-means) 63%. Over 48,000 pictures
		// without dropout (6,000 overfit). Top-p 0.9 and guidance 1.5 draw
		// more captions right than plain sampling, guidance 1.25 or 2, or
		// top-p 0.8 or 0.95. No shifts: a shifted copy shows white past a
		// coloured background. Four passes are about 5,200 steps.
		s.Size, s.Patch, s.Codes, s.Width, s.Layers, s.Heads, s.Batch = 32, 4, 1024, 48, 4, 4, 32
		s.LR, s.Dropout, s.WeightDecay, s.Epochs = 4e-3, 0, 0.1, 4
		// The weights' moving average at 0.998 a step, validated and
		// exported: on one run, validation 0.569 → 0.552 bits per token
		// and held-out captions right 81.7% → 83.5% (0.999: 0.552 and
		// 82.8%; docs/eval/shapes.txt).
		s.EMA = 0.998
		// First of 4 candidates by description 85.9% of held-out samples,
		// by likelihood 73.6%, against 81.6% unranked (docs/eval/shapes.txt).
		s.Defaults = sampling.Recommended{TopP: 0.9, Guidance: 1.5, RankBy: "description"}
		s.SamplePrompts = []string{"red circle", "two green triangles", "three blue squares on yellow", "black square on gray", "two purple circles", "orange triangle on blue"}
	case "mnist":
		s.Size, s.Patch, s.Codes, s.Width, s.Layers, s.Heads, s.Batch = 28, 4, 256, 128, 4, 4, 64
		s.LR, s.Dropout, s.WeightDecay, s.Epochs = 2e-3, 0.05, 0.05, 1
		s.SamplePrompts = []string{"digit 0", "digit 1", "digit 2", "digit 3", "digit 4", "digit 5", "digit 6", "digit 7"}
	case "emoji":
		// Six styles at 64×64 as 8×8 codes of 8×8 px from 1024 (the
		// built-in model's recipe, assets/models/emoji/MODEL.md: through
		// its ViT tokenizer when Tokenizer names it, else k-means of 8×8
		// patches). 64 codes a picture, not 256: a 6×256 model learns
		// 18,000 pictures of 64 codes well enough to draw the names asked
		// for (90% of samples), and drew 1% of them on 16×16 codes.
		s.Size, s.Patch, s.Codes, s.Width, s.Layers, s.Heads, s.Batch = 64, 8, 1024, 256, 6, 8, 32
		s.LR, s.Dropout, s.WeightDecay, s.Epochs = 1.5e-3, 0, 0.02, 4
		s.StyleWords, s.StyleDrop = emojiStyleWords(), 0.4
		// A prompt without a style draws each seed in a style of its own
		// (sampler: a style per seed), or every seed is the same picture.
		s.Defaults = sampling.Recommended{StylePerSeed: 1}
		s.SamplePrompts = []string{"heavy black heart", "grinning face google", "smiling face with sunglasses twitter", "thumbs up sign openmoji", "cat face fluent flat", "dog face fluent modern", "red apple", "fire fluent contrast"}
	case EditData:
		// instruction | source | SOS | target (engine/edit) on the emoji
		// model's own tokenizer, 8×8 codes of 8×8 px: 135 positions a
		// sequence, so 2 cores train about ten times the pairs a second
		// that 16×16 codes of 4×4 px (519 positions) allowed: in 1h38m
		// (10,000 steps, 2.2 passes over up to 20,000 pairs a family,
		// 146,926 in all) the built-in model learnt skin tone (55% of
		// held-out edits exact, against 5%) and gender (25% against 5%)
		// edits that the 16×16 one, 0.8 of a pass over 48,000 pairs in
		// 2h12m, had not; the pixel operations lose 1–2 dB with the coarser
		// codes (assets/models/edit/MODEL.md). The built-in ran --steps
		// 10000, then resumed with --steps 18000 (3.9 passes, 2h54m: the
		// validation loss fell from 1.300 to 1.143 bits, the edits moved
		// less than their noise); two passes alone are 9,183 steps.
		s.Size, s.Patch, s.Codes, s.Width, s.Layers, s.Heads, s.Batch = 64, 8, 1024, 256, 6, 8, 32
		s.LR, s.Dropout, s.WeightDecay, s.Epochs = 1.5e-3, 0, 0.02, 2
		s.EMA, s.EditPairs = 0.999, 20000
	default:
		s.Size, s.Patch, s.Codes, s.Width, s.Layers, s.Heads, s.Shifts, s.MaxShift, s.Batch = 32, 2, 256, 192, 4, 6, 1, 1, 32
		s.LR, s.Dropout, s.WeightDecay, s.Epochs = 1e-3, 0.1, 0.1, 20
	}
	return s
}

// FineTuneLRScale is the share of a folder preset's learning rate a
// fine-tune of a model on a folder trains at (FineTuneLR). Measured on the
// emoji model fine-tuned for a minute on 20 pictures of coloured shapes
// (24 steps): at the preset's 1e-3 it forgot its emoji ("cat face" a
// yellow square, "red heart" a blank picture), at 3e-4 half of them, at
// 1e-4 it kept them and began to draw the shapes (docs/eval/finetune-lr.txt).
const FineTuneLRScale = 0.1

// FineTuneLR is the learning rate a fine-tune on a folder trains at by
// default: the preset's lr scaled by FineTuneLRScale. The built-in
// datasets keep their presets' (a shapes fine-tune learns a new kind of
// picture: docs/eval/shapes-finetune.txt).
func FineTuneLR(lr float64) float64 {
	v, err := strconv.ParseFloat(strconv.FormatFloat(lr*FineTuneLRScale, 'g', 6, 64), 64) // 1.5e-4, not 0.00015000000000000001
	if err != nil {
		return lr * FineTuneLRScale
	}
	return v
}

// BaseRegularization is the dropout and weight decay the model initModel
// (a built-in name or a model folder) was trained with, where Tessera
// knows them: a built-in dataset's preset, or the settings its training
// run recorded (ok false otherwise). A fine-tune on a folder trains with
// them: the emoji model, trained without dropout, learnt its pictures by
// heart, and the folder preset's dropout of 0.1 undid that in minutes
// (docs/eval/finetune-replay.txt).
func BaseRegularization(initModel string) (dropout, weightDecay float64, ok bool) {
	if slices.Contains(Datasets(), initModel) {
		p := Preset(initModel)
		return p.Dropout, p.WeightDecay, true
	}
	if !bundle.IsFolder(initModel) || filepath.Base(filepath.Clean(initModel)) != "model" {
		return 0, 0, false
	}
	rec, err := ReadRecord(filepath.Dir(filepath.Clean(initModel)))
	if err != nil {
		return 0, 0, false
	}
	return rec.Settings.Dropout, rec.Settings.WeightDecay, true
}

// ExportsLatest reports whether a run exports its latest weights at each
// validation pass rather than those of its best validation loss
// (train.Options.ExportLatest): a fine-tune on a folder does. Its few
// held-out pictures' loss rises as the model learns the others by heart,
// which is what makes it draw their captions: the emoji model fine-tuned
// on 108 shapes pictures for 5 minutes drew 1% of their captions right at
// its best validation loss (step 114 of 957) and 60% at its end
// (docs/eval/finetune-replay.txt).
func ExportsLatest(s Settings) bool {
	return (s.Init != nil || s.InitModel != "") && bundle.IsFolder(s.Data)
}

// LatestReason says why a run exported its latest weights rather than its
// best-validation ones (res.Latest): "" when it did not.
func LatestReason(res *train.Result) string {
	switch {
	case !res.Latest:
		return ""
	case res.LatestAsked:
		return "a fine-tune on a folder keeps its latest weights: its few held-out pictures' loss rises as it learns the others by heart, which is what draws their captions"
	}
	return "too few validation examples to pick the best by"
}

// emojiStyleWords are the six emoji styles as caption words.
func emojiStyleWords() []string {
	var words []string
	for _, s := range data.EmojiStyles() {
		words = append(words, data.StyleWords(s))
	}
	return words
}

// ErrUnknownDataset marks a Data value that is neither a built-in dataset
// nor a folder path.
var ErrUnknownDataset = errors.New("unknown dataset")

// ErrRunExists marks a run folder taken: another process is training it,
// it holds a run with a checkpoint and a new run was asked for, or it
// holds a trained model a fresh start would write over. (It read "run
// folder in use", a lock's words, for a run at rest.)
var ErrRunExists = errors.New("run folder taken")

// ErrNothingToResume marks a resume refused (Settings.CheckpointOnly)
// because the run folder or its checkpoint is gone.
var ErrNothingToResume = errors.New("nothing to resume from")

// ErrOtherSettings marks a run folder whose run was made with other
// settings (data, architecture) than those given to resume it.
var ErrOtherSettings = errors.New("run made with other settings")

// ErrNotRunFolder marks a folder a run must not write into: it holds other
// files than a run's.
var ErrNotRunFolder = errors.New("not a run folder")

// ErrDamagedRecord marks a run folder whose record cannot be read.
var ErrDamagedRecord = errors.New("damaged run record")

// folderError is why a run folder cannot take a run, in words of its own;
// errors.Is matches it to its kind (ErrOtherSettings, ErrNotRunFolder,
// ErrDamagedRecord), whose text is not repeated in it.
type folderError struct {
	kind error
	msg  string
}

func (e *folderError) Error() string { return e.msg }

// Unwrap is the error's kind.
func (e *folderError) Unwrap() error { return e.kind }

// folderErrorf is a folderError of kind with a message formatted as
// fmt.Sprintf does.
func folderErrorf(kind error, format string, args ...any) error {
	return &folderError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// runIdentity is what a run folder's prepared data and checkpoint fix:
// a run resumed (or trained again on its prepared data) must keep it.
type runIdentity struct {
	Data       string   `json:"data"`
	Size       int      `json:"size"`
	Patch      int      `json:"patch"`
	Codes      int      `json:"codes"`
	Width      int      `json:"width"`
	Layers     int      `json:"layers"`
	Heads      int      `json:"heads"`
	Shifts     int      `json:"shifts"`
	MaxShift   int      `json:"max_shift"`
	Seed       uint64   `json:"seed"`
	Tokenizer  string   `json:"tokenizer"`
	InitModel  string   `json:"init_model"`
	StyleWords []string `json:"style_words"`
	// EditPairs is the edit pairs' cap a family, 0 read as the default
	// (a record of before the cap was settable has none).
	EditPairs int `json:"edit_pairs"`
}

func (s Settings) identity() runIdentity {
	return runIdentity{Data: s.Data, Size: s.Size, Patch: s.Patch, Codes: s.Codes, Width: s.Width, Layers: s.Layers, Heads: s.Heads,
		Shifts: s.Shifts, MaxShift: s.MaxShift, Seed: s.Seed, Tokenizer: s.Tokenizer, InitModel: s.InitModel, StyleWords: s.StyleWords,
		EditPairs: cmp.Or(s.EditPairs, editPairsDefault(s.Data))}
}

// editPairsDefault is the edit pairs' cap a family that EditPairs 0 means
// for dataset: edit.DefaultMaxPerFamily for EditData, else 0 (none).
func editPairsDefault(dataset string) int {
	if dataset == EditData {
		return edit.DefaultMaxPerFamily
	}
	return 0
}

// FineTuneShaped is s with the shape of the model it fine-tunes (Init:
// WithShapeOf) when the run starts afresh: a fine-tune keeps the model's
// size, tokenizer and architecture, and the record says those, not the
// dataset preset's. A run resumed from its checkpoint keeps what its record
// says; --resume with nothing to resume is a fresh start.
func (s Settings) FineTuneShaped() Settings {
	if s.Init == nil {
		return s
	}
	if _, err := os.Stat(filepath.Join(s.OutDir, train.CheckpointFile)); err == nil && s.Resume {
		return s
	}
	return s.WithShapeOf(s.Init)
}

// WithShapeOf is s with b's image size, patch size, codebook size and
// transformer shape: what a fine-tune of b trains.
func (s Settings) WithShapeOf(b *bundle.Bundle) Settings {
	c := b.Model.Config
	s.Width, s.Layers, s.Heads = c.NEmbd, c.NLayer, c.NHead
	s.Size, _ = b.ImageSize()
	s.Patch, s.Codes = b.PatchSize(), c.Codes()
	return s
}

// Check reports settings that cannot start a run, before any work.
func (s Settings) Check() error {
	switch {
	case s.OutDir == "":
		return errors.New("train: no run folder (OutDir) given")
	case s.Init != nil && s.Tokenizer != "":
		return errors.New("train: a fine-tuned model keeps its own image tokenizer: leave out the tokenizer")
	case s.Init != nil && s.Init.Model.Config.IsEdit() && s.Data != EditData:
		// Refused only after the data was prepared, in the run folder
		// ("the source length cannot change from 64 to 0 codes").
		return fmt.Errorf("train: %s is an edit model: it fine-tunes on the edit pairs only (--data %s), not on %s; to train on those pictures, fine-tune a text-to-image model such as emoji, or train one from scratch", s.Init.Name, EditData, s.Data)
	case s.Minutes < 0 || s.Minutes > 1e6:
		return fmt.Errorf("train: the time budget %g minutes must be from 0 (no limit) to 1,000,000", s.Minutes)
	case s.Threads < 0:
		return fmt.Errorf("train: %d threads", s.Threads)
	case s.Batch < 1 || s.Width < 1 || s.Layers < 1 || s.Heads < 1:
		return fmt.Errorf("train: batch %d, width %d, layers %d and heads %d must each be at least 1", s.Batch, s.Width, s.Layers, s.Heads)
	case s.Steps < 0 || s.EvalEvery < 0 || s.Shifts < 0 || s.MaxShift < 0:
		return fmt.Errorf("train: steps %d, evaluation every %d steps, shifts %d and largest shift %d must not be negative", s.Steps, s.EvalEvery, s.Shifts, s.MaxShift)
	case !(s.LR > 0) || math.IsInf(s.LR, 0):
		return fmt.Errorf("train: learning rate %g must be a finite number above 0", s.LR)
	case !(s.Epochs >= 0) || math.IsInf(s.Epochs, 0) || math.IsInf(s.Minutes, 0):
		return fmt.Errorf("train: %g epochs and %g minutes must be finite and not negative", s.Epochs, s.Minutes)
	case !(s.Dropout >= 0 && s.Dropout < 1) || !(s.PromptDrop >= 0 && s.PromptDrop <= 1) || !(s.WordDrop >= 0 && s.WordDrop < 1) || !(s.WeightDecay >= 0) || math.IsInf(s.WeightDecay, 0):
		return fmt.Errorf("train: dropout %g must be in [0, 1), the prompt-drop chance %g in [0, 1], the word-drop chance %g in [0, 1) and weight decay %g finite and not negative", s.Dropout, s.PromptDrop, s.WordDrop, s.WeightDecay)
	case s.EditPairs < -1:
		return fmt.Errorf("train: %d edit pairs a family: give a count, 0 for the default or -1 for all", s.EditPairs)
	case s.EditPairs != 0 && s.Data != EditData:
		return fmt.Errorf("train: edit pairs a family (%d) are for --data %s only", s.EditPairs, EditData)
	case !(s.EMA >= 0 && s.EMA < 1):
		return fmt.Errorf("train: the weight average's decay %g must be in [0, 1) (0: no average)", s.EMA)
	case !(s.Replay >= 0 && s.Replay < 1):
		return fmt.Errorf("train: the replay share %g must be in [0, 1) (0: none)", s.Replay)
	case (s.Replay > 0 || s.ReplayData != "") && s.Init == nil && s.InitModel == "":
		return errors.New("train: replay mixes pictures a fine-tuned model drew into its batches: it needs the model to fine-tune (--init)")
	case s.Replay > 0 && s.Data == EditData:
		return fmt.Errorf("train: replay is for text-to-image fine-tunes, not --data %s", EditData)
	case s.ReplayData != "" && s.Replay == 0:
		return fmt.Errorf("train: a replay share of 0 replays nothing: leave out the replay data %s, or give a share above 0 (--replay 0.5)", s.ReplayData)
	case s.Init == nil && s.Width%s.Heads != 0:
		// Checked here, not after minutes of data preparation.
		return fmt.Errorf("train: width %d must be a multiple of heads %d (each head takes an equal share)", s.Width, s.Heads)
	case s.DType != "" && s.DType != "F32" && s.DType != "F16" && s.DType != "BF16":
		return fmt.Errorf("train: export dtype %q is not F32, F16 or BF16", s.DType)
	}
	for _, sp := range sampling.Knobs() {
		if v := sp.Recommended(s.Defaults); v != 0 {
			if err := sp.Check(v); err != nil {
				return fmt.Errorf("train: default %w", err)
			}
		}
	}
	if s.Defaults.RankBy != "" {
		if _, err := sampler.ParseRankBy(s.Defaults.RankBy); err != nil {
			return fmt.Errorf("train: default %w", err)
		}
	}
	if s.ReplayData != "" {
		if s.ReplayData == EditData {
			return fmt.Errorf("train: replay data: the edit pairs are not pictures a text-to-image model was trained on")
		}
		if err := checkDataName(s.ReplayData); err != nil {
			return fmt.Errorf("replay data: %w", err)
		}
	}
	return checkDataName(s.Data)
}

// checkDataName accepts the built-in names and folder paths.
func checkDataName(name string) error {
	for _, d := range append(Datasets(), EditData) {
		if name == d {
			return nil
		}
	}
	if bundle.IsFolder(name) {
		if err := CheckDataFolder(name); err != nil {
			return fmt.Errorf("train: %w", err)
		}
		return nil
	}
	if fi, err := os.Stat(name); err == nil && !fi.IsDir() {
		return fmt.Errorf("%w %q: use emoji, mnist, shapes, edit or a folder of pictures (%q is a file: give the folder that holds the pictures and their captions)", ErrUnknownDataset, name, name)
	}
	return fmt.Errorf("%w %q: use emoji, mnist, shapes, edit or a folder of pictures (there is no folder %q here)", ErrUnknownDataset, name, name)
}

// CheckDataFolder refuses, as training data, a folder that holds a
// training run (isRunFolder: its record, checkpoint or prepared data; its
// sample grids and loss plots are no training pictures) or a model (config.json and
// model.safetensors), with a *NotPicturesError that says what to do
// instead. Any other folder, missing ones included, is left to the data
// check.
func CheckDataFolder(dir string) error {
	if isRunFolder(dir) {
		e := &NotPicturesError{Dir: dir}
		if info, err := ReadRun(dir); err == nil {
			e.Resumable, e.RunModel = info.Resumable(), info.ModelDir
			if info.Problem == nil && info.Checkpoint && info.TotalSteps > 0 && info.Step >= info.TotalSteps {
				e.Ended = info.TotalSteps
			}
		}
		return e
	}
	if model.IsFolder(dir) {
		return &NotPicturesError{Dir: dir, Model: true}
	}
	return nil
}

// NotPicturesError is CheckDataFolder's refusal of a folder that holds a
// training run or a model, not pictures. Error says what to do instead
// with tessera train; InStudio says it in the Train tab's words.
type NotPicturesError struct {
	Dir string
	// Model says the folder is a model's; else it is a training run's,
	// Resumable when it has steps left and a checkpoint to go on from.
	Model, Resumable bool
	// RunModel is the model a run exported ("" none yet).
	RunModel string
	// Ended is the length of the schedule a run's checkpoint has ended (0:
	// not ended, or no checkpoint that reads): tessera train --resume
	// with a longer --steps trains it on.
	Ended int
}

// Refusal is the refusal alone, without what tessera train or the Train
// tab would do instead (for train-tokenizer).
func (e *NotPicturesError) Refusal() string {
	what := "a training run's folder"
	if e.Model {
		what = "a model's folder"
	}
	return fmt.Sprintf("%s is %s, not a folder of pictures: give the folder of the images to train on", e.Dir, what)
}

func (e *NotPicturesError) Error() string {
	switch {
	case e.Model:
		return fmt.Sprintf("%s (to fine-tune that model, give it as the model: tessera train --init %s)", e.Refusal(), e.Dir)
	case e.Resumable:
		return fmt.Sprintf("%s (to go on with that run, resume it: tessera train --resume --out %s)", e.Refusal(), e.Dir)
	case e.Ended > 0 && e.RunModel != "":
		// tessera train --resume --steps N trains a finished run on (it
		// said the run could not go on, and train said to do just that).
		return fmt.Sprintf("%s (that run ended its schedule of %s; to train it further, resume it with a longer one: tessera train --resume --out %s --steps N, N > %d; or fine-tune its model: tessera train --init %s)",
			e.Refusal(), plural.N(e.Ended, "step", "steps"), e.Dir, e.Ended, e.RunModel)
	case e.Ended > 0:
		return fmt.Sprintf("%s (that run ended its schedule of %s; to train it further, resume it with a longer one: tessera train --resume --out %s --steps N, N > %d)", e.Refusal(), plural.N(e.Ended, "step", "steps"), e.Dir, e.Ended)
	case e.RunModel != "":
		return fmt.Sprintf("%s (that run cannot go on; to train its model further, fine-tune it: tessera train --init %s)", e.Refusal(), e.RunModel)
	}
	return e.Refusal()
}

// InStudio is the refusal as the Train tab says it: what to do there.
func (e *NotPicturesError) InStudio() string {
	switch {
	case e.Model:
		return e.Refusal() + ` (to fine-tune that model, open it on the Create tab, then choose "Fine-tune" under Start from)`
	case e.Resumable:
		return e.Refusal() + " (to go on with that run, pick it in the list of runs and press Resume)"
	case e.RunModel != "":
		return e.Refusal() + ` (that run cannot go on; to train its model further, pick the run in the list, press Use this model, then choose "Fine-tune" under Start from)`
	}
	return e.Refusal()
}

// isRunFolder reports whether dir holds a training run by its files: a
// record that names its state, a checkpoint or prepared data. (A folder
// that merely holds a "tokenizer" subfolder or an empty run.json is not
// one.)
func isRunFolder(dir string) bool {
	if rec, err := ReadRecord(dir); err == nil && rec.State != "" {
		return true
	}
	for _, name := range []string{PreparedFile, train.CheckpointFile} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && fi.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// DataName is how a run's data is named in model names and run folders:
// the built-in name, or a folder's base name.
func (s Settings) DataName() string {
	if bundle.IsFolder(s.Data) {
		return filepath.Base(filepath.Clean(s.Data))
	}
	return s.Data
}

// Args is a `tessera train` command line equivalent to s: every setting
// that differs from the dataset's preset, as flags.
func (s Settings) Args() []string {
	p := Preset(s.Data)
	args := []string{"--data", s.Data, "--out", s.OutDir}
	addInt := func(name string, v, def int) {
		if v != def {
			args = append(args, "--"+name, strconv.Itoa(v))
		}
	}
	addF := func(name string, v, def float64) {
		if v != def {
			args = append(args, "--"+name, strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	if s.InitModel != "" {
		args = append(args, "--init", s.InitModel)
	}
	if s.Tokenizer != "" {
		args = append(args, "--tokenizer", s.Tokenizer)
	}
	addF("minutes", s.Minutes, 0)
	addInt("steps", s.Steps, 0)
	addF("epochs", s.Epochs, p.Epochs)
	addInt("eval-every", s.EvalEvery, 0)
	if s.Seed != p.Seed {
		args = append(args, "--seed", strconv.FormatUint(s.Seed, 10))
	}
	addInt("threads", s.Threads, 0)
	if !strings.EqualFold(s.DType, p.DType) && s.DType != "" {
		args = append(args, "--dtype", s.DType)
	}
	addInt("size", s.Size, p.Size)
	addInt("patch", s.Patch, p.Patch)
	addInt("codes", s.Codes, p.Codes)
	addInt("width", s.Width, p.Width)
	addInt("layers", s.Layers, p.Layers)
	addInt("heads", s.Heads, p.Heads)
	addInt("shifts", s.Shifts, p.Shifts)
	addInt("max-shift", s.MaxShift, p.MaxShift)
	addInt("batch", s.Batch, p.Batch)
	addF("lr", s.LR, p.LR)
	addF("dropout", s.Dropout, p.Dropout)
	addF("weight-decay", s.WeightDecay, p.WeightDecay)
	addF("prompt-drop", s.PromptDrop, p.PromptDrop)
	addF("word-drop", s.WordDrop, p.WordDrop)
	addF("ema", s.EMA, p.EMA)
	replayDefault := 0.0
	if DefaultReplayFor(s) {
		replayDefault = DefaultReplay // what tessera train gives it (a run that left it out for want of data: 0, written)
	}
	addF("replay", s.Replay, replayDefault)
	if s.ReplayData != "" {
		args = append(args, "--replay-data", s.ReplayData)
	}
	addInt("edit-pairs", s.EditPairs, p.EditPairs)
	for _, sp := range sampling.Knobs() {
		if v := sp.Recommended(s.Defaults); v != sp.Recommended(p.Defaults) {
			args = append(args, "--default-"+string(sp.Knob), sp.Format(v))
		}
	}
	if s.Defaults.RankBy != p.Defaults.RankBy {
		args = append(args, "--default-rank-by", s.Defaults.RankBy)
	}
	return args
}

// RecordFile is the run record's name inside a run folder.
const RecordFile = bundle.RunRecordFile

// Run states in Record.State.
const (
	StateRunning = "running" // a call is training (or was, when the app was closed abruptly)
	StatePaused  = "paused"  // cancelled: resumable from the checkpoint
	StateStopped = "stopped" // stopped for good by the user (still resumable)
	StateBudget  = "budget"  // the time budget (or Settings.StopAt) ran out before the schedule's end
	StateDone    = "done"    // the schedule finished
	StateFailed  = "failed"  // the call ended with an error (Record.Error)
	// StatePrepared: the data is tokenised (tessera train --prepare-only)
	// and nothing is trained yet.
	StatePrepared = "prepared"
)

// Record is what run.json keeps of a run: its settings and how its last
// call ended.
type Record struct {
	Settings Settings `json:"settings"`
	State    string   `json:"state"`
	Error    string   `json:"error,omitempty"`
	// Steps, TotalSteps: optimiser steps done and in the schedule.
	Steps      int `json:"steps"`
	TotalSteps int `json:"total_steps"`
	// TrainLoss is the mean training loss of the last 50 steps (a fifth of a shorter run's) and BestVal
	// the validation loss of the weights the run exports (at BestStep), in
	// bits per token: the lowest, or with ExportLatest (fine-tunes) the
	// latest pass's, as the log's "lowest" may be lower; 0 before the first
	// call ends.
	TrainLoss float64 `json:"train_bits,omitempty"`
	BestVal   float64 `json:"best_val_bits,omitempty"`
	BestStep  int     `json:"best_step,omitempty"`
	// TokensPerSec is the last call's training speed, in tokens a second.
	TokensPerSec float64 `json:"tokens_per_sec,omitempty"`
}

// WriteRecord saves r as dir/run.json (atomically).
func WriteRecord(dir string, r Record) error {
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("run record: %w", err)
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, RecordFile), append(js, '\n')); err != nil {
		return fmt.Errorf("run record: %w", err)
	}
	return nil
}

// ReadRecord reads dir/run.json.
func ReadRecord(dir string) (*Record, error) {
	path := filepath.Join(dir, RecordFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if r.Settings.OutDir == "" {
		r.Settings.OutDir = dir
	}
	return &r, nil
}

// MinutesLeft is what a run's Budget leaves after elapsed of training
// (the checkpoint's time over all calls), the next call's Minutes; the
// whole Budget again once less than a few seconds are left (resuming a run
// whose budget ran out trains it for another budget), and Minutes where
// the run has no Budget.
func (s Settings) MinutesLeft(elapsed time.Duration) float64 {
	if s.Budget <= 0 {
		return s.Minutes
	}
	if left := s.Budget - elapsed.Minutes(); left >= minMinutesLeft {
		return left
	}
	return s.Budget
}

// minMinutesLeft is the least of a budget worth resuming for (10 s).
const minMinutesLeft = 1.0 / 6
