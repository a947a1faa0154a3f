package train

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tessera-studio/tessera/engine/atomicfile"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/internal/plural"
	"github.com/tessera-studio/tessera/internal/progress"
)

// Options configure Run. Where a zero value is not meaningful it takes the
// default noted; DefaultOptions spells every default out.
type Options struct {
	Model model.Config `json:"-"` // the architecture (kept in the checkpoint as its own field)

	BatchSize   int     `json:"batch_size"`   // sequences per step (32)
	LR          float64 `json:"lr"`           // peak learning rate (1e-3)
	MinLR       float64 `json:"min_lr"`       // end of the cosine (0: LR/10; < 0: zero)
	Warmup      int     `json:"warmup"`       // linear warm-up steps (0: min(100, total/20); < 0: none)
	Steps       int     `json:"steps"`        // total optimiser steps (0: from Epochs, else from Minutes)
	Epochs      float64 `json:"epochs"`       // passes over the training set, when Steps is 0
	Minutes     float64 `json:"minutes"`      // wall-clock budget of this call (0: none); stops cleanly
	Beta1       float64 `json:"beta1"`        // AdamW β1 (0.9)
	Beta2       float64 `json:"beta2"`        // AdamW β2 (0.95)
	AdamEps     float64 `json:"adam_eps"`     // AdamW ε (1e-8)
	WeightDecay float64 `json:"weight_decay"` // on matmul weights and embeddings only (DefaultOptions: 0.1)
	Clip        float64 `json:"clip"`         // global gradient-norm clip (0: 1.0; < 0: off)
	EmbdDrop    float64 `json:"embd_drop"`    // dropout after the embeddings
	ResidDrop   float64 `json:"resid_drop"`   // dropout on both residual branches
	AttnDrop    float64 `json:"attn_drop"`    // dropout on the attention probabilities
	PromptDrop  float64 `json:"prompt_drop"`  // chance an example's prompt becomes all PAD (guidance)
	SourceDrop  float64 `json:"source_drop"`  // chance an edit example's source becomes all PAD (image guidance), independently
	// WordDrop is the chance each word of a prompt that is kept becomes
	// PAD, so that each word is learnt to say its part alone (word
	// dropout, as Iyyer et al. 2015 drop words of a sentence encoder's input).
	WordDrop float64 `json:"word_drop,omitempty"`
	// EMA, when positive, keeps an exponential moving average of the
	// weights (Polyak averaging; Polyak & Juditsky 1992) with this decay
	// per step, warmed up as TensorFlow's ExponentialMovingAverage does
	// with num_updates: min(EMA, (1+t)/(10+t)) at step t, so that a short
	// run's average is not its random start. The validation passes, the
	// best weights and the exported model are then the average's (0: off).
	EMA  float64 `json:"ema,omitempty"`
	Seed uint64  `json:"seed"` // initial weights, data order, dropout
	// Replay are examples of what a fine-tuned model was trained on
	// before; each sequence of a batch is one of them with chance
	// ReplayShare (drawn at random, with replacement) and otherwise the
	// next training example, so that a fine-tune keeps what its model
	// knew (rehearsal, Robins 1995; DreamBooth's prior preservation, Ruiz
	// et al. 2023). An epoch still counts the training examples: a
	// schedule of Epochs is 1/(1−ReplayShare) times as many steps. They
	// carry no validation loss of their own (0: none).
	Replay      []Example `json:"-"`
	ReplayShare float64   `json:"replay_share,omitempty"`
	// ReplayExamples is how many Replay examples the run started with,
	// kept in the checkpoint: a resume must bring the same ones (Run
	// sets it).
	ReplayExamples int `json:"replay_examples,omitempty"`
	// ExportLatest makes each validation pass export the latest weights,
	// whatever their validation loss, as a validation set too small to
	// pick by does (Result.Latest): a fine-tune on a few pictures.
	ExportLatest bool `json:"export_latest,omitempty"`

	OutDir          string        `json:"out_dir"`          // run folder: checkpoint, loss.png (required)
	ModelDir        string        `json:"model_dir"`        // exported model folder (OutDir/model)
	CheckpointEvery time.Duration `json:"checkpoint_every"` // time between checkpoints (5m; < 0: only at the end)
	// FirstCheckpoint is when a call's first checkpoint comes, when that
	// is sooner than CheckpointEvery (30s; < 0: at CheckpointEvery): a
	// studio run killed a minute in had nothing to resume from.
	FirstCheckpoint time.Duration `json:"first_checkpoint,omitempty"`
	EvalEvery       int           `json:"eval_every"` // steps between validation passes (250)
	// EvalAuto spaces the validation passes to about eight a schedule, 10
	// to EvalEvery steps apart (evalInterval): a run of a few minutes, a
	// hundred steps, otherwise had none between its start and its end, so
	// its loss curve, sample grid and exported model did not follow it.
	EvalAuto bool   `json:"eval_auto,omitempty"`
	Workers  int    `json:"workers"`   // goroutines, each running single-threaded OpenBLAS (NumCPU)
	DType    string `json:"dtype"`     // exported weights: F16 (default), BF16 or F32
	InitFrom string `json:"init_from"` // model folder to fine-tune instead of a random init
	// Init, when set, are the initial weights (a model being fine-tuned,
	// already fitted to Model by FitParams); it wins over InitFrom.
	Init   *Params `json:"-"`
	Resume bool    `json:"-"` // continue from OutDir's checkpoint when there is one
	// StopAt ends this call at that step, with a checkpoint, as if its
	// budget had run out (0: at the schedule's end); the schedule keeps
	// its length, so a later resume goes on exactly where an uninterrupted
	// run would be. It makes runs stopped by --minutes reproducible.
	StopAt int `json:"-"`

	Progress   io.Writer         `json:"-"` // one-line progress bar (\r refreshed); nil: silent
	ExtraFiles map[string][]byte `json:"-"` // written into the model folder (preprocessor_config.json)
}

// DefaultOptions returns the defaults for training cfg.
func DefaultOptions(cfg model.Config) Options {
	o := Options{
		Model: cfg, BatchSize: 32, LR: 1e-3, Beta1: 0.9, Beta2: 0.95, AdamEps: 1e-8,
		WeightDecay: 0.1, Clip: 1, EmbdDrop: cfg.EmbdPdrop, ResidDrop: cfg.ResidPdrop,
		CheckpointEvery: 5 * time.Minute, FirstCheckpoint: 30 * time.Second, EvalEvery: 250, DType: "F16", Seed: 1,
	}
	if cfg.PromptLength() > 0 {
		o.PromptDrop = 0.1
	}
	if cfg.IsEdit() {
		o.SourceDrop = 0.1
	}
	return o
}

// withDefaults fills the zero values that have defaults.
func (o Options) withDefaults() Options {
	d := DefaultOptions(o.Model)
	if o.BatchSize <= 0 {
		o.BatchSize = d.BatchSize
	}
	if o.LR <= 0 {
		o.LR = d.LR
	}
	if o.MinLR == 0 {
		o.MinLR = o.LR / 10
	} else if o.MinLR < 0 {
		o.MinLR = 0
	}
	if o.Beta1 <= 0 {
		o.Beta1 = d.Beta1
	}
	if o.Beta2 <= 0 {
		o.Beta2 = d.Beta2
	}
	if o.AdamEps <= 0 {
		o.AdamEps = d.AdamEps
	}
	if o.Clip == 0 {
		o.Clip = d.Clip
	}
	if o.CheckpointEvery == 0 {
		o.CheckpointEvery = d.CheckpointEvery
	}
	if o.FirstCheckpoint == 0 {
		o.FirstCheckpoint = d.FirstCheckpoint
	}
	if o.EvalEvery <= 0 {
		o.EvalEvery = d.EvalEvery
	}
	if o.DType == "" {
		o.DType = d.DType
	}
	o.DType = strings.ToUpper(o.DType)
	if o.ModelDir == "" && o.OutDir != "" {
		o.ModelDir = RunModelDir(o.OutDir)
	}
	if o.Model.PromptLength() == 0 {
		o.PromptDrop, o.WordDrop = 0, 0
	}
	if !o.Model.IsEdit() {
		o.SourceDrop = 0
	}
	return o
}

func (o Options) check() error {
	switch {
	case o.OutDir == "":
		return errors.New("train: Options.OutDir is required")
	case o.Beta1 >= 1 || o.Beta2 >= 1:
		return fmt.Errorf("train: AdamW betas %g, %g must be below 1", o.Beta1, o.Beta2)
	case o.EmbdDrop < 0 || o.EmbdDrop >= 1 || o.ResidDrop < 0 || o.ResidDrop >= 1 || o.AttnDrop < 0 || o.AttnDrop >= 1:
		return fmt.Errorf("train: dropout rates must be in [0, 1)")
	case o.PromptDrop < 0 || o.PromptDrop > 1:
		return fmt.Errorf("train: prompt dropout %g must be in [0, 1]", o.PromptDrop)
	case o.WordDrop < 0 || o.WordDrop >= 1:
		return fmt.Errorf("train: word dropout %g must be in [0, 1)", o.WordDrop)
	case o.SourceDrop < 0 || o.SourceDrop > 1:
		return fmt.Errorf("train: source dropout %g must be in [0, 1]", o.SourceDrop)
	case o.WeightDecay < 0:
		return fmt.Errorf("train: weight decay %g must not be negative", o.WeightDecay)
	case o.StopAt < 0:
		return fmt.Errorf("train: stop-at step %d must not be negative", o.StopAt)
	case !(o.EMA >= 0 && o.EMA < 1):
		return fmt.Errorf("train: weight average decay %g must be in [0, 1)", o.EMA)
	case !(o.ReplayShare >= 0 && o.ReplayShare < 1):
		return fmt.Errorf("train: replay share %g must be in [0, 1)", o.ReplayShare)
	case o.ReplayShare > 0 && len(o.Replay) == 0:
		return fmt.Errorf("train: a replay share of %g needs replay examples (none given)", o.ReplayShare)
	}
	switch o.DType {
	case "F32", "F16", "BF16":
	default:
		return fmt.Errorf("train: export dtype %q is not F32, F16 or BF16", o.DType)
	}
	return nil
}

// Hooks let the caller follow a run. Every hook is optional.
type Hooks struct {
	// Samples is called after each export of a new best model: dir is the
	// run folder (Options.OutDir), weightsPath the exported model.safetensors,
	// with config.json and the extra files beside it. An error is reported
	// on Progress and training goes on.
	Samples func(dir, weightsPath string) error
	// Step is called after every optimiser step.
	Step func(StepInfo)
	// Eval is called after every validation pass.
	Eval func(step int, bitsPerToken float64, best bool)
}

// StepInfo describes one finished step.
type StepInfo struct {
	Step, Total  int // steps done, schedule length
	Epoch        int
	Loss         float64 // training loss of the step, bits per token
	LR, GradNorm float64
	TokensPerSec float64
	ETA          time.Duration
}

// lossMeanSteps is how many of the last steps Result.TrainLoss averages
// (a fifth of a shorter run's: the mean of all 30 steps of a short run
// read 4.4 bits where its curve ended at 3.2).
const lossMeanSteps = 50

// Stop reasons.
const (
	StopDone     = "done"     // the schedule finished
	StopBudget   = "budget"   // Options.Minutes ran out, or Options.StopAt was reached
	StopCanceled = "canceled" // the context was cancelled
)

// Result sums up a run.
type Result struct {
	Steps, TotalSteps int
	Epoch             int
	TrainLoss         float64 // bits per token, mean of the last lossMeanSteps (50) steps, or a fifth of fewer
	BestVal           float64 // bits per token; NaN without a validation set
	BestStep          int
	// Latest: the validation set was too small to pick weights by
	// (MinSelectionExamples) or Options.ExportLatest asked for the latest
	// weights, so BestVal and BestStep are the last pass's, whose weights
	// were exported.
	Latest bool
	// LatestAsked: Latest because Options.ExportLatest asked for it.
	LatestAsked  bool
	ModelDir     string        // exported model folder
	Checkpoint   string        // checkpoint file
	LossPlot     string        // loss curve PNG
	Stop         string        // StopDone, StopBudget or StopCanceled
	Elapsed      time.Duration // training time of this call
	TotalElapsed time.Duration // training time of the run over all its calls (resumes included)
	TokensPerSec float64
	// Trained is the optimiser steps this call took (0: a resume found
	// its schedule ended).
	Trained int
}

// MinSelectionExamples is the fewest validation examples whose loss picks
// the weights a run exports (the best pass's): with fewer, each pass
// exports the latest weights (a fine-tune on 20 pictures held out one, and
// exported step 10's weights of 42 on that one picture's loss).
const MinSelectionExamples = 8

// run is the state of one Run call.
type run struct {
	opt                 Options
	cfg                 model.Config
	hooks               Hooks
	m                   *Model
	adam                *AdamW
	ld                  *loader
	train, val          []Example
	step, total, warmup int
	best                []float32
	// ema is the moving average of the weights (Options.EMA; nil: off),
	// and held the weights it stands in for while it is evaluated.
	ema, held []float32
	bestVal   float64
	bestStep  int
	// latest: the validation set is too small (MinSelectionExamples) for
	// its loss to pick weights, or Options.ExportLatest asks, so each pass
	// keeps and exports the latest.
	latest   bool
	history  []float32
	vals     []ValPoint
	exported bool
	elapsed0 time.Duration // training time of earlier runs
	tokens   int64
	start    time.Time
	line     *progress.Line // the progress line on Options.Progress (nil: none)
	stepEMA  float64        // seconds per step
	// refitAt is the step at which a schedule fitted to the Minutes budget
	// is fitted again from the steps' measured time (0: never).
	refitAt int
}

// Run trains a model on train (validating on val) until the schedule ends,
// the Minutes budget runs out or ctx is cancelled. It keeps a checkpoint in
// Options.OutDir (every CheckpointEvery and when it stops), exports the
// weights with the best validation loss (the latest with
// Options.ExportLatest or a small validation set) to Options.ModelDir
// (config.json, model.safetensors, ExtraFiles) and draws the loss curve
// beside the checkpoint. With Options.Resume it continues a checkpointed
// run exactly: the hyper-parameters come from the checkpoint; Minutes,
// Workers, Progress, EvalEvery, CheckpointEvery, DType, ExtraFiles, EMA (an
// average starts from the weights resumed, or is dropped), a larger Steps
// and the Replay examples (as many as the run began with) from opt.
// When ctx is cancelled it saves and returns the Result with ctx.Err();
// cancelled before the run's first step and before anything was written
// (a fine-tune's baseline validation pass exports), it returns nil and
// ctx.Err(), having written nothing.
func Run(ctx context.Context, opt Options, train, val []Example, hooks Hooks) (*Result, error) {
	if opt.OutDir == "" {
		return nil, errors.New("train: Options.OutDir is required")
	}
	ck, opt, err := resumed(opt)
	if err != nil {
		return nil, err
	}
	if ck == nil && opt.ReplayShare > 0 {
		opt.ReplayExamples = len(opt.Replay)
	}
	opt = opt.withDefaults()
	if err := checkRun(opt, train, val); err != nil {
		return nil, err
	}
	r := &run{opt: opt, cfg: opt.Model, hooks: hooks, train: train, val: val, bestVal: math.NaN(),
		latest: len(val) > 0 && (len(val) < MinSelectionExamples || opt.ExportLatest)}
	params, err := startingWeights(opt, ck)
	if err != nil {
		return nil, err
	}
	if r.m, err = NewModel(params, opt.BatchSize, opt.Workers); err != nil {
		return nil, err
	}
	r.ld = newLoader(len(train), opt.Seed)
	r.ld.wordDrop = opt.WordDrop
	if opt.ReplayShare > 0 {
		r.ld.replay, r.ld.replayShare = opt.Replay, opt.ReplayShare
	}
	if ck != nil {
		err = r.restore(ck)
	} else {
		err = r.fresh(len(params.Data))
	}
	if err != nil {
		return nil, err
	}
	r.warmup = opt.Warmup
	if r.warmup == 0 {
		r.warmup = max(1, min(100, r.total/20))
	} else if r.warmup < 0 {
		r.warmup = 0
	}
	return r.loop(ctx)
}

// resumed reads the run's checkpoint when opt.Resume asks for one and
// there is one, and returns it with the options of the run it continues:
// the checkpoint's, except what may change between sessions (time budget,
// workers, progress, output folders and type, evaluation and checkpoint
// intervals, and the schedule's length, longer or shorter but past the
// checkpoint's step). Without a checkpoint it returns opt.
func resumed(opt Options) (*Checkpoint, Options, error) {
	ckPath := filepath.Join(opt.OutDir, CheckpointFile)
	if !opt.Resume {
		return nil, opt, nil
	}
	if _, err := os.Stat(ckPath); err != nil {
		return nil, opt, nil
	}
	ck, err := LoadCheckpoint(ckPath)
	if err != nil {
		return nil, opt, err
	}
	o := ck.Options
	o.Model = ck.Config
	if opt.Model.VocabSize != 0 && !SameConfig(opt.Model, ck.Config) {
		return nil, opt, fmt.Errorf("train: %s was trained with a different model config", ckPath)
	}
	o.Minutes, o.Workers, o.Progress, o.ExtraFiles, o.StopAt = opt.Minutes, opt.Workers, opt.Progress, opt.ExtraFiles, opt.StopAt
	o.OutDir, o.ModelDir, o.DType = opt.OutDir, opt.ModelDir, opt.DType
	o.EMA = opt.EMA // a weight average may start (from the weights resumed) or stop on a resume
	// The replayed examples are not in the checkpoint (its options are
	// JSON): the call brings them again, the same number.
	o.Replay = opt.Replay
	if o.ReplayShare > 0 && len(o.Replay) != o.ReplayExamples {
		return nil, opt, fmt.Errorf("train: %s replays %d examples, this call brings %d: resume with the run's own prepared data", ckPath, o.ReplayExamples, len(o.Replay))
	}
	if opt.EvalEvery > 0 {
		o.EvalEvery, o.EvalAuto = opt.EvalEvery, opt.EvalAuto // asked on the resume: not capped by the run's automatic spacing
	}
	if opt.CheckpointEvery != 0 {
		o.CheckpointEvery = opt.CheckpointEvery
	}
	if opt.Steps > 0 && opt.Steps != ck.TotalSteps {
		// A new schedule length: longer to train on, shorter to anneal
		// sooner (the cosine jumps to the new schedule's position).
		if opt.Steps <= ck.Step {
			return nil, opt, fmt.Errorf("train: %s is at step %d already; a new schedule needs more steps than that, not %d", ckPath, ck.Step, opt.Steps)
		}
		o.Steps, ck.TotalSteps = opt.Steps, opt.Steps
	}
	return ck, o, nil
}

// checkRun checks the options and the examples against the model config
// and makes the run folder.
func checkRun(opt Options, train, val []Example) error {
	if err := opt.check(); err != nil {
		return err
	}
	if err := opt.Model.Validate(); err != nil {
		return err
	}
	if len(train) == 0 {
		return errors.New("train: no training examples")
	}
	if err := checkExamples(opt.Model, "training", train); err != nil {
		return err
	}
	if err := checkExamples(opt.Model, "validation", val); err != nil {
		return err
	}
	if err := checkExamples(opt.Model, "replay", opt.Replay); err != nil {
		return err
	}
	return os.MkdirAll(opt.OutDir, 0o755)
}

// startingWeights are the weights a run starts from: the checkpoint's,
// the initial model's (fine-tuning), a model folder's, or random ones.
func startingWeights(opt Options, ck *Checkpoint) (*Params, error) {
	cfg := opt.Model
	switch {
	case ck != nil:
		return ck.Params, nil
	case opt.Init != nil:
		if !SameConfig(opt.Init.Config, cfg) {
			return nil, errors.New("train: the initial weights do not fit the model config")
		}
		return opt.Init.Clone(), nil
	case opt.InitFrom != "":
		return LoadWeights(cfg, filepath.Join(opt.InitFrom, model.WeightsFile))
	}
	return InitParams(cfg, opt.Seed)
}

// restore continues the run of checkpoint ck: the optimiser, the data
// order and its random stream, the losses and the best weights so far.
func (r *run) restore(ck *Checkpoint) error {
	ckPath := filepath.Join(r.opt.OutDir, CheckpointFile)
	if len(ck.Order) != len(r.train) {
		return fmt.Errorf("train: %s was trained on %d examples, not %d", ckPath, len(ck.Order), len(r.train))
	}
	r.adam = ck.Opt
	r.step, r.total = ck.Step, ck.TotalSteps
	r.ld.order, r.ld.pos, r.ld.epoch = ck.Order, ck.Pos, ck.Epoch
	if err := r.ld.pcg.UnmarshalBinary(ck.RNG); err != nil {
		return fmt.Errorf("train: %s: data RNG: %w", ckPath, err)
	}
	r.best, r.bestVal, r.bestStep = ck.Best, ck.BestVal, ck.BestStep
	switch {
	case r.opt.EMA == 0:
		r.ema = nil // resumed without the average it kept: dropped
	case ck.EMA != nil:
		r.ema = ck.EMA
	default: // a run checkpointed without an average starts one here
		r.ema = slices.Clone(ck.Params.Data)
	}
	r.history, r.vals = ck.TrainLoss, ck.Val
	r.elapsed0, r.tokens = ck.Elapsed, ck.Tokens
	r.exported = ck.Best != nil
	return nil
}

// fresh starts a new run of n parameters: a new optimiser and the
// schedule's length from Steps, Epochs or the time budget.
func (r *run) fresh(n int) error {
	opt := r.opt
	r.adam = NewAdamW(n, opt.Beta1, opt.Beta2, opt.AdamEps)
	if opt.EMA > 0 {
		r.ema = slices.Clone(r.m.Params.Data)
	}
	switch {
	case opt.Steps > 0:
		r.total = opt.Steps
	case opt.Epochs > 0:
		r.total = int(math.Ceil(opt.Epochs * float64(len(r.train)) / (float64(opt.BatchSize) * (1 - opt.ReplayShare))))
	case opt.Minutes > 0:
		r.total = r.estimateSteps()
		r.refitAt = min(refitSteps, r.total/4)
	default:
		return errors.New("train: set Steps, Epochs or Minutes")
	}
	r.opt.Steps = r.total
	return nil
}

// SameConfig reports whether two model configurations are the same, field
// for field (as JSON): a checkpoint goes on only with the model it trained.
func SameConfig(a, b model.Config) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

// estimateSteps times forward and backward passes (no update, no data
// consumed) to turn the Minutes budget into a schedule length.
func (r *run) estimateSteps() int {
	b := r.opt.BatchSize
	in, tg := make([]int32, b*r.cfg.NPositions), make([]int32, b*r.cfg.ImageTokens())
	for i := 0; i < b; i++ {
		ex := r.train[i%len(r.train)]
		fillSequence(r.cfg, ex, drops{}, in[i*r.cfg.NPositions:(i+1)*r.cfg.NPositions], tg[i*r.cfg.ImageTokens():(i+1)*r.cfg.ImageTokens()])
	}
	var best time.Duration
	for i := 0; i < 2; i++ {
		t0 := time.Now()
		r.m.Forward(in, tg, b, false)
		r.m.ZeroGrad()
		r.m.Backward()
		if d := time.Since(t0); i == 0 || d < best {
			best = d
		}
	}
	r.m.ZeroGrad()
	step := best.Seconds() * 1.05 // optimiser and bookkeeping
	budget := r.opt.Minutes*60 - 2*best.Seconds()
	return max(1, int(budget/(step*(1+r.evalShare()))))
}

// evalShare is what validation adds to each step's time: a pass over the
// validation batches every EvalEvery steps, forward only (about a third
// of a training step each).
func (r *run) evalShare() float64 {
	b := r.opt.BatchSize
	nval := (len(r.val) + b - 1) / b
	return float64(nval) / 3 / float64(r.evalInterval())
}

// evalInterval is the steps between validation passes: Options.EvalEvery,
// or with EvalAuto an eighth of the schedule's length, 10 to EvalEvery
// steps and no closer than keeps validation to a quarter of the time.
func (r *run) evalInterval() int {
	if !r.opt.EvalAuto || r.total == 0 {
		// Before the schedule's length is known (estimateSteps fitting it
		// to a time budget), its passes are taken as far apart as they can
		// be: the refits that follow measure the real ones.
		return r.opt.EvalEvery
	}
	// A pass costs about a third of a step a validation batch: at most a
	// quarter of the time goes to validation (a two-minute fine-tune on the
	// emoji data would have spent two fifths of it there).
	b := max(1, r.opt.BatchSize)
	floor := (4*(len(r.val)+b-1)/b + 2) / 3
	return max(1, min(r.opt.EvalEvery, max(10, r.total/8, floor)))
}

// refitSteps is how many steps a schedule fitted to the Minutes budget
// runs before it is fitted again from their measured time: the two timed
// passes of estimateSteps can be off by half on a busy machine or while
// the data just prepared is still being freed.
const refitSteps = 60

// refit fits the schedule's length (and the default warm-up's) to the
// Minutes budget again from the time the steps so far took (elapsed since
// the loop started), so the learning rate anneals when the budget runs
// out. With withEvals the elapsed time already holds validation passes and
// checkpoints; otherwise evalShare adds the validation's estimated share.
// Only a fresh run refits: a run resumed before step refitSteps keeps its
// schedule.
func (r *run) refit(elapsed time.Duration, withEvals bool) {
	perStep := elapsed.Seconds() / float64(r.step)
	if !withEvals {
		perStep *= 1 + r.evalShare()
	}
	left := r.opt.Minutes*60 - elapsed.Seconds()
	total := r.step + max(1, int(left/perStep))
	if old := r.total; 50*abs(total-old) > old { // by more than 2%: the progress line's total jumps, so say why
		r.warn("schedule fitted again to the time budget from the steps' measured time: %d steps (was %d)", total, old)
	}
	r.total, r.opt.Steps = total, total
	if r.opt.Warmup == 0 { // the default warm-up follows the schedule's length
		r.warmup = max(1, min(100, total/20))
	}
}

func (r *run) loop(ctx context.Context) (*Result, error) {
	opt, m, cfg := r.opt, r.m, r.cfg
	B, T := opt.BatchSize, cfg.NPositions
	inputs, targets := make([]int32, B*T), make([]int32, B*cfg.ImageTokens())
	lastEval := -1
	if len(r.vals) > 0 {
		lastEval = r.vals[len(r.vals)-1].Step
	}
	defer r.endLine()
	if r.step == 0 && lastEval < 0 && len(r.val) > 0 && (opt.Init != nil || opt.InitFrom != "") && ctx.Err() == nil {
		// A fine-tune's curve starts from the model it tunes: its
		// validation loss before any step is the figure to beat (and,
		// until a step beats it, the best model is that model). It comes
		// before the clock starts, as the data's preparation does: the
		// budget, the schedule fitted to it (refit divides the time so far
		// by the steps) and the speed reported are the steps' own.
		r.evaluate()
		lastEval = 0
	}
	if r.latest && !opt.ExportLatest {
		r.warn("validation holds only %s, too few to pick the best weights by: each validation pass exports the latest ones (its loss is still shown)", plural.N(len(r.val), "example", "examples"))
	}
	r.start = time.Now()
	lastCkpt := r.start
	budget := time.Duration(opt.Minutes * float64(time.Minute))
	tokens0, step0 := r.tokens, r.step
	stop := StopDone
	for r.step < r.total {
		if ctx.Err() != nil {
			stop = StopCanceled
			break
		}
		if budget > 0 && time.Since(r.start) >= budget && !r.finishing(budget) || opt.StopAt > 0 && r.step >= opt.StopAt {
			stop = StopBudget
			break
		}
		t0 := time.Now()
		r.ld.batch(cfg, r.train, B, opt.PromptDrop, opt.SourceDrop, inputs, targets)
		lr := LRAt(r.step, r.warmup, r.total, opt.LR, opt.MinLR)
		loss, norm, err := trainStep(m, r.adam, &opt, r.step, lr, inputs, targets)
		if err != nil {
			return nil, err
		}
		r.step++
		r.tokens += int64(B * T)
		r.average()
		if r.step == r.refitAt && budget > 0 {
			r.refit(time.Since(r.start), false)
		}
		bits := loss / math.Ln2
		r.history = append(r.history, float32(bits))

		dt := time.Since(t0).Seconds()
		if r.stepEMA == 0 {
			r.stepEMA = dt
		} else {
			r.stepEMA = 0.9*r.stepEMA + 0.1*dt
		}
		info := StepInfo{Step: r.step, Total: r.total, Epoch: r.ld.epoch, Loss: bits, LR: lr, GradNorm: norm,
			TokensPerSec: float64(B*T) / r.stepEMA, ETA: r.eta(budget)}
		if r.hooks.Step != nil {
			r.hooks.Step(info)
		}
		if len(r.val) > 0 && (r.step%r.evalInterval() == 0 || r.step == r.total) {
			r.evaluate()
			lastEval = r.step
			if r.refitAt > 0 && r.step > r.refitAt && 4*r.step < 3*r.total && budget > 0 {
				// Validation's share of the time is only estimated until
				// passes have run: on small models each pass costs more
				// than its share (a 48-wide shapes model ran out of its
				// budget at 79% of a schedule fitted once), and a shared
				// machine's speed drifts (refitted through the first half
				// only, a run still stopped at 92%). Fit again on the
				// measured time through the first three quarters.
				r.refit(time.Since(r.start), true)
				info.Total = r.total // the line after "fitted again" shows the new length
			}
		} else if len(r.val) == 0 && r.step%r.evalInterval() == 0 {
			r.exportCurrent()
		}
		r.progress(info, 0)
		due := opt.CheckpointEvery
		if lastCkpt == r.start && opt.FirstCheckpoint > 0 {
			due = min(due, opt.FirstCheckpoint)
		}
		if opt.CheckpointEvery > 0 && time.Since(lastCkpt) >= due {
			if err := r.save(); err != nil {
				return nil, err
			}
			lastCkpt = time.Now()
		}
	}
	if stop == StopCanceled && r.step == 0 && !r.exported && len(r.vals) == 0 {
		// Stopped before its first step (Ctrl+C while the data was
		// prepared) and before a fine-tune's baseline pass: nothing was
		// trained or written, so nothing is exported or checkpointed, and
		// no result says "step 0, loss 0". (Stopped during the baseline
		// pass, which exported the model it tunes: the checkpoint at step
		// 0 below makes the run resumable.)
		return nil, ctx.Err()
	}
	// Wind down: a last evaluation (not on a plain cancel: Ctrl+C and a
	// pause must be quick; a stop asks for it, so that the steps since the
	// last pass count), the export, the checkpoint and the curve. A
	// fine-tune whose only pass is its starting model's has that model
	// exported as the best so far: it gets its pass even on a cancel, or a
	// pause before its first pass would leave the model it started from as
	// the run's result.
	onlyBaseline := r.step > 0 && len(r.vals) > 0 && r.vals[len(r.vals)-1].Step == 0
	if (stop != StopCanceled || errors.Is(context.Cause(ctx), ErrStopped) || onlyBaseline) && len(r.val) > 0 && lastEval != r.step {
		r.evaluate()
	}
	if len(r.val) == 0 || !r.exported {
		r.exportCurrent()
	}
	elapsed := time.Since(r.start) // as the checkpoint records it (a resume goes on from it)
	if err := r.save(); err != nil {
		return nil, err
	}
	res := &Result{
		Steps: r.step, TotalSteps: r.total, Epoch: r.ld.epoch, BestVal: r.bestVal, BestStep: r.bestStep, Latest: r.latest, LatestAsked: r.latest && r.opt.ExportLatest,
		ModelDir: opt.ModelDir, Checkpoint: filepath.Join(opt.OutDir, CheckpointFile),
		LossPlot: filepath.Join(opt.OutDir, LossPlotFile), Stop: stop, Elapsed: elapsed, TotalElapsed: r.elapsed0 + elapsed,
		Trained: r.step - step0,
	}
	if s := elapsed.Seconds(); s > 0 {
		res.TokensPerSec = float64(r.tokens-tokens0) / s
	}
	meanOf := 1 // the steps the final line's loss is the mean of
	if n := len(r.history); n > 0 {
		k := min(n, lossMeanSteps, max(1, n/5))
		meanOf = k
		var s float64
		for _, v := range r.history[n-k:] {
			s += float64(v)
		}
		res.TrainLoss = s / float64(k)
	}
	r.progress(StepInfo{Step: r.step, Total: r.total, Epoch: r.ld.epoch, Loss: res.TrainLoss, TokensPerSec: res.TokensPerSec}, meanOf)
	if stop == StopCanceled {
		return res, ctx.Err()
	}
	return res, nil
}

// finishing reports whether a run whose time budget has just run out
// takes its last few steps anyway, so that its learning rate anneals to
// the end of a schedule fitted to the budget (Epochs 0: --epochs 0, the
// Train tab's runs): at most a twentieth of the schedule (two steps at
// least) and a tenth of the budget over it. A one-minute run stopped "by
// budget" at step 31 of 33, its schedule unfinished (Resume to finish
// it), where two steps more ended it. A schedule of given steps or epochs
// stops at its budget.
func (r *run) finishing(budget time.Duration) bool {
	return r.opt.Epochs == 0 && r.total-r.step <= max(2, r.total/20) && time.Since(r.start) < budget+budget/10
}

// ErrStopped, as the cause of Run's cancelled context
// (context.WithCancelCause), is a stop that keeps the best weights so far:
// Run makes one more validation pass first, so that the steps trained
// since the last one count (a stop at step 490 exported step 250's
// weights). A plain cancel (Ctrl+C, a pause) skips it.
var ErrStopped = errors.New("training stopped")

// trainStep runs one optimiser step on a full batch: forward, backward,
// gradient clipping and AdamW. It returns the loss (nats) and the gradient
// norm before clipping.
func trainStep(m *Model, adam *AdamW, opt *Options, step int, lr float64, inputs, targets []int32) (loss, norm float64, err error) {
	m.SetDropout(float32(opt.EmbdDrop), float32(opt.ResidDrop), float32(opt.AttnDrop), opt.Seed, step)
	if loss, err = m.Forward(inputs, targets, opt.BatchSize, true); err != nil {
		return 0, 0, err
	}
	m.ZeroGrad()
	if err := m.Backward(); err != nil {
		return 0, 0, err
	}
	norm = gradNorm(m.p, m.Grads.Data)
	if math.IsNaN(loss) || math.IsInf(loss, 0) || math.IsNaN(norm) || math.IsInf(norm, 0) {
		return 0, 0, fmt.Errorf("train: the loss diverged at step %d (loss %g, gradient norm %g); lower the learning rate", step, loss, norm)
	}
	gscale := float32(1)
	if opt.Clip > 0 && norm > opt.Clip {
		gscale = float32(opt.Clip / norm)
	}
	adam.Step(m.p, m.Params.Data, m.Grads.Data, m.Params.Tensors, lr, opt.WeightDecay, gscale)
	return loss, norm, nil
}

// eta estimates the time left.
func (r *run) eta(budget time.Duration) time.Duration {
	left := time.Duration(float64(r.total-r.step) * r.stepEMA * float64(time.Second))
	if budget > 0 {
		left = min(left, budget-time.Since(r.start))
	}
	return max(left, 0)
}

// Evaluate returns the mean loss of m over xs in bits per token (no dropout,
// prompts and sources as given).
func Evaluate(m *Model, xs []Example) (float64, error) {
	cfg := m.Config
	T, N := cfg.NPositions, cfg.ImageTokens()
	in, tg := make([]int32, m.MaxBatch*T), make([]int32, m.MaxBatch*N)
	var sum float64
	var n int
	for i := 0; i < len(xs); i += m.MaxBatch {
		b := min(m.MaxBatch, len(xs)-i)
		for j := 0; j < b; j++ {
			fillSequence(cfg, xs[i+j], drops{}, in[j*T:(j+1)*T], tg[j*N:(j+1)*N])
		}
		loss, err := m.Forward(in[:b*T], tg[:b*N], b, false)
		if err != nil {
			return 0, err
		}
		sum += loss * float64(m.count)
		n += m.count
	}
	if n == 0 {
		return math.NaN(), nil
	}
	return sum / float64(n) / math.Ln2, nil
}

// average moves the weights' moving average (Options.EMA) towards the
// current weights.
func (r *run) average() {
	if r.ema == nil {
		return
	}
	t := float64(r.step)
	d := float32(min(r.opt.EMA, (1+t)/(10+t)))
	for i, w := range r.m.Params.Data {
		r.ema[i] = d*r.ema[i] + (1-d)*w
	}
}

// weights are the weights a run validates and exports: the moving average
// when it keeps one, else the current weights.
func (r *run) weights() []float32 {
	if r.ema != nil {
		return r.ema
	}
	return r.m.Params.Data
}

// evaluateWeights is Evaluate on r.weights(): the moving average is put in
// the model's place for the pass, and the current weights back after it.
func (r *run) evaluateWeights() (float64, error) {
	if r.ema == nil {
		return Evaluate(r.m, r.val)
	}
	r.held = append(r.held[:0], r.m.Params.Data...)
	copy(r.m.Params.Data, r.ema)
	defer copy(r.m.Params.Data, r.held)
	return Evaluate(r.m, r.val)
}

// evaluate runs validation, keeps and exports the best weights.
func (r *run) evaluate() {
	bits, err := r.evaluateWeights()
	if err != nil {
		r.warn("validation: %v", err)
		return
	}
	if math.IsNaN(bits) || math.IsInf(bits, 0) {
		// Diverged weights: nothing to keep or plot; the next step stops
		// the run with the divergence error.
		r.warn("validation loss %g bits per token at step %d: the weights diverged", bits, r.step)
		return
	}
	r.vals = append(r.vals, ValPoint{Step: r.step, Bits: bits})
	better := math.IsNaN(r.bestVal) || bits < r.bestVal || r.latest // latest: the weights exported, not the best
	if better {
		r.bestVal, r.bestStep = bits, r.step
		if r.best == nil {
			r.best = make([]float32, len(r.m.Params.Data))
		}
		copy(r.best, r.weights())
		r.export(r.best)
	}
	if r.hooks.Eval != nil {
		r.hooks.Eval(r.step, bits, better)
	}
	r.plot()
}

// exportCurrent exports the current weights, or their moving average
// (runs without validation).
func (r *run) exportCurrent() {
	r.bestStep = r.step
	r.export(r.weights())
	r.plot()
}

// export writes the model folder and calls the Samples hook.
func (r *run) export(data []float32) {
	if i := model.FirstNonFinite(data); i >= 0 {
		r.warn("export: weight %d is %v (the run diverged): no model written", i, data[i])
		return
	}
	p := &Params{Config: r.cfg, Data: data, Tensors: r.m.Params.Tensors}
	dir := r.opt.ModelDir
	if err := SaveModel(dir, r.cfg, p, r.opt.DType); err != nil {
		r.warn("export: %v", err)
		return
	}
	for name, b := range r.opt.ExtraFiles {
		if err := atomicfile.WriteBytes(filepath.Join(dir, name), b); err != nil {
			r.warn("export: %v", err)
		}
	}
	r.exported = true
	if r.hooks.Samples != nil {
		if err := r.hooks.Samples(r.opt.OutDir, filepath.Join(dir, model.WeightsFile)); err != nil {
			r.warn("samples: %v", err)
		}
	}
}

// checkpoint captures the run's state.
func (r *run) checkpoint() (*Checkpoint, error) {
	rng, err := r.ld.pcg.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return &Checkpoint{
		Config: r.cfg, Options: r.opt, Step: r.step, TotalSteps: r.total,
		Epoch: r.ld.epoch, Pos: r.ld.pos, Order: r.ld.order, RNG: rng,
		Params: r.m.Params, Opt: r.adam, Best: r.best, EMA: r.ema, BestVal: r.bestVal, BestStep: r.bestStep,
		Latest: r.latest, TrainLoss: r.history, Val: r.vals, Elapsed: r.elapsed0 + time.Since(r.start), Tokens: r.tokens,
	}, nil
}

func (r *run) save() error {
	ck, err := r.checkpoint()
	if err != nil {
		return err
	}
	if err := ck.Save(filepath.Join(r.opt.OutDir, CheckpointFile)); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	r.plot()
	return nil
}

func (r *run) plot() {
	if err := PlotLoss(filepath.Join(r.opt.OutDir, LossPlotFile), r.history, r.vals); err != nil {
		r.warn("loss plot: %v", err)
	}
}

// abs is |v|.
func abs(v int) int { return max(v, -v) }

func (r *run) warn(format string, args ...any) {
	if r.opt.Progress != nil {
		r.endLine()
		fmt.Fprintf(r.opt.Progress, "train: "+format+"\n", args...)
	}
}

// progress draws the progress line (at most 4 times a second); meanOf > 0
// makes it the final line, whose loss is the mean of the last meanOf steps
// (the run's TrainLoss), and it says so.
func (r *run) progress(s StepInfo, meanOf int) {
	final := meanOf > 0
	w := r.opt.Progress
	if w == nil {
		return
	}
	if r.line == nil {
		r.line = progress.NewLine(w, 250*time.Millisecond, 0)
	}
	line := fmt.Sprintf("step %d/%d | loss %.3f bpt", s.Step, s.Total, s.Loss)
	if meanOf > 1 { // not the step's own loss
		line += fmt.Sprintf(" (mean of the last %d steps)", meanOf)
	}
	if n := len(r.vals); n > 0 {
		if r.latest {
			// The latest weights are exported, not the best: the lowest
			// loss seen is said apart from what is kept.
			low := r.vals[0].Bits
			for _, v := range r.vals[1:] {
				low = min(low, v.Bits)
			}
			line += fmt.Sprintf(" | val %.3f (lowest %.3f; the latest weights are kept)", r.vals[n-1].Bits, low)
		} else {
			line += fmt.Sprintf(" | val %.3f (best %.3f)", r.vals[n-1].Bits, r.bestVal)
		}
	}
	line += fmt.Sprintf(" | %s tok/s", plural.Thousands(int(s.TokensPerSec)))
	if final {
		line += fmt.Sprintf(" | %s", r.elapsedTotal().Round(time.Second))
	} else {
		line += fmt.Sprintf(" | ETA %s", plural.Span(s.ETA))
	}
	r.line.Update(int64(s.Step), int64(s.Total), line)
	if final {
		r.line.Draw() // the final line, however soon after the last
		r.line.Break()
	}
}

func (r *run) elapsedTotal() time.Duration { return r.elapsed0 + time.Since(r.start) }

// endLine ends a pending progress line before other output.
func (r *run) endLine() {
	if r.line != nil {
		r.line.Break()
	}
}
