package train

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"time"

	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/safetensors"
)

// CheckpointFile is the checkpoint's name inside Options.OutDir.
const CheckpointFile = "checkpoint.safetensors"

// RunModelDir is the model folder a run in folder runDir exports to
// (Options.ModelDir's default): runDir/model.
func RunModelDir(runDir string) string { return filepath.Join(runDir, "model") }

// ValPoint is one validation loss measurement.
type ValPoint struct {
	Step int     `json:"step"`
	Bits float64 `json:"bits"` // bits per token
}

// Checkpoint is everything a run needs to continue exactly where it stopped.
type Checkpoint struct {
	Config     model.Config
	Options    Options // hyper-parameters of the run (Progress and ExtraFiles are not kept)
	Step       int     // optimiser steps done
	TotalSteps int     // schedule length
	Epoch      int     // data passes completed
	Pos        int     // position in Order
	Order      []int32 // this epoch's example order
	RNG        []byte  // data loader PCG state (shuffles, prompt dropout)
	Params     *Params
	Opt        *AdamW
	Best       []float32 // weights with the best validation loss (nil: none yet)
	EMA        []float32 // the weights' moving average (Options.EMA; nil: none kept)
	BestVal    float64   // bits per token; NaN before the first evaluation
	BestStep   int
	// Latest: the run exports its latest weights, not its best (too few
	// validation examples to pick by, or Options.ExportLatest), so
	// BestVal is the last validation pass's loss.
	Latest    bool
	TrainLoss []float32 // training loss per step, bits per token
	Val       []ValPoint
	Elapsed   time.Duration // training time over all runs
	Tokens    int64         // tokens processed over all runs
}

// ckptMeta is the JSON part of a checkpoint file (under "tessera.checkpoint").
type ckptMeta struct {
	Version    int          `json:"version"`
	Config     model.Config `json:"config"`
	Options    Options      `json:"options"`
	Step       int          `json:"step"`
	TotalSteps int          `json:"total_steps"`
	Epoch      int          `json:"epoch"`
	Pos        int          `json:"pos"`
	Order      []int32      `json:"order"`
	RNG        []byte       `json:"rng"`
	AdamT      int          `json:"adam_t"`
	Beta1      float64      `json:"beta1"`
	Beta2      float64      `json:"beta2"`
	AdamEps    float64      `json:"adam_eps"`
	BestVal    *float64     `json:"best_val,omitempty"`
	BestStep   int          `json:"best_step"`
	Latest     bool         `json:"latest,omitempty"`
	Val        []ValPoint   `json:"val"`
	ElapsedS   float64      `json:"elapsed_s"`
	Tokens     int64        `json:"tokens"`
}

const metaKey = "tessera.checkpoint"

// Save writes the checkpoint atomically to path (one safetensors file: the
// tensors in F32, the rest as JSON metadata).
func (ck *Checkpoint) Save(path string) error {
	meta := ckptMeta{
		Version: 1, Config: ck.Config, Options: ck.Options, Step: ck.Step, TotalSteps: ck.TotalSteps,
		Epoch: ck.Epoch, Pos: ck.Pos, Order: ck.Order, RNG: ck.RNG, AdamT: ck.Opt.T,
		Beta1: ck.Opt.Beta1, Beta2: ck.Opt.Beta2, AdamEps: ck.Opt.Eps,
		BestStep: ck.BestStep, Latest: ck.Latest, Val: ck.Val, ElapsedS: ck.Elapsed.Seconds(), Tokens: ck.Tokens,
	}
	if !math.IsNaN(ck.BestVal) {
		v := ck.BestVal
		meta.BestVal = &v
	}
	js, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	var ts []safetensors.Tensor
	add := func(prefix string, data []float32) {
		for _, t := range ck.Params.Tensors {
			ts = append(ts, safetensors.Tensor{Name: prefix + t.Name, DType: "F32", Shape: t.Shape, Data: data[t.Off : t.Off+t.Size]})
		}
	}
	add("param.", ck.Params.Data)
	add("adam_m.", ck.Opt.M)
	add("adam_v.", ck.Opt.V)
	if ck.Best != nil {
		add("best.", ck.Best)
	}
	if ck.EMA != nil {
		add("ema.", ck.EMA)
	}
	if len(ck.TrainLoss) > 0 {
		ts = append(ts, safetensors.Tensor{Name: "history.train_bits", DType: "F32", Shape: []int{len(ck.TrainLoss)}, Data: ck.TrainLoss})
	}
	return safetensors.Write(path, ts, map[string]string{metaKey: string(js)})
}

// CheckpointHeader is what a checkpoint says of the model it trains and
// the data it trains on, read without its tensors: the model's config and
// how many training examples its data order holds.
type CheckpointHeader struct {
	Config   model.Config
	Examples int
}

// ReadCheckpointHeader reads the header of a checkpoint written by Save
// (its tensors are left on disk).
func ReadCheckpointHeader(path string) (CheckpointHeader, error) {
	f, err := safetensors.OpenLazy(path, nil)
	if err != nil {
		return CheckpointHeader{}, err
	}
	defer f.Close()
	js, ok := f.Metadata[metaKey]
	if !ok {
		return CheckpointHeader{}, fmt.Errorf("%s: not a Tessera training checkpoint", path)
	}
	var meta struct {
		Config model.Config `json:"config"`
		Order  []int32      `json:"order"`
	}
	if err := json.Unmarshal([]byte(js), &meta); err != nil {
		return CheckpointHeader{}, fmt.Errorf("%s: %w", path, err)
	}
	return CheckpointHeader{Config: meta.Config, Examples: len(meta.Order)}, nil
}

// LoadCheckpoint reads a checkpoint written by Save.
func LoadCheckpoint(path string) (*Checkpoint, error) {
	f, err := safetensors.Open(path)
	if err != nil {
		return nil, err
	}
	js, ok := f.Metadata[metaKey]
	if !ok {
		return nil, fmt.Errorf("%s: not a Tessera training checkpoint", path)
	}
	var meta ckptMeta
	if err := json.Unmarshal([]byte(js), &meta); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	p, err := NewParams(meta.Config)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	ck := &Checkpoint{
		Config: meta.Config, Options: meta.Options, Step: meta.Step, TotalSteps: meta.TotalSteps,
		Epoch: meta.Epoch, Pos: meta.Pos, Order: meta.Order, RNG: meta.RNG, Params: p,
		Opt:     NewAdamW(len(p.Data), meta.Beta1, meta.Beta2, meta.AdamEps),
		BestVal: math.NaN(), BestStep: meta.BestStep, Latest: meta.Latest, Val: meta.Val,
		Elapsed: time.Duration(meta.ElapsedS * float64(time.Second)), Tokens: meta.Tokens,
	}
	ck.Opt.T = meta.AdamT
	if meta.BestVal != nil {
		ck.BestVal = *meta.BestVal
	}
	read := func(prefix string, dst []float32) error {
		for _, t := range p.Tensors {
			x, err := f.Float32(prefix+t.Name, t.Shape...)
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			copy(dst[t.Off:t.Off+t.Size], x)
		}
		return nil
	}
	if err := read("param.", p.Data); err != nil {
		return nil, err
	}
	if err := read("adam_m.", ck.Opt.M); err != nil {
		return nil, err
	}
	if err := read("adam_v.", ck.Opt.V); err != nil {
		return nil, err
	}
	if f.Has("best." + p.Tensors[0].Name) {
		ck.Best = make([]float32, len(p.Data))
		if err := read("best.", ck.Best); err != nil {
			return nil, err
		}
	}
	if f.Has("ema." + p.Tensors[0].Name) {
		ck.EMA = make([]float32, len(p.Data))
		if err := read("ema.", ck.EMA); err != nil {
			return nil, err
		}
	}
	if f.Has("history.train_bits") {
		if ck.TrainLoss, err = f.Float32("history.train_bits"); err != nil {
			return nil, err
		}
	}
	return ck, nil
}
