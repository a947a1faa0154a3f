package train

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tessera-studio/tessera/engine/atomicfile"
	"github.com/tessera-studio/tessera/engine/kernels"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/psnr"
	"github.com/tessera-studio/tessera/engine/safetensors"
	"github.com/tessera-studio/tessera/engine/train/kmeans"
	"github.com/tessera-studio/tessera/engine/vit"
	"github.com/tessera-studio/tessera/internal/plural"
)

// ViTOptions are the hyper-parameters of a tokenizer run.
type ViTOptions struct {
	Config      vit.Config `json:"config"`
	Batch       int        `json:"batch"`        // images per step
	LR          float64    `json:"lr"`           // peak learning rate
	MinLR       float64    `json:"min_lr"`       // end of the cosine decay
	Warmup      int        `json:"warmup"`       // linear warm-up steps
	Steps       int        `json:"steps"`        // schedule length
	WeightDecay float64    `json:"weight_decay"` // AdamW decay on matmul weights
	PreVQSteps  int        `json:"pre_vq_steps"` // steps as a plain autoencoder before the k-means codebook
	EMADecay    float64    `json:"ema_decay"`    // codebook EMA γ
	Beta        float64    `json:"beta"`         // commitment loss weight
	PartialProb float64    `json:"partial_prob"` // chance an image trains as a partial grid (decoder sees its first n codes)
	EvalEvery   int        `json:"eval_every"`   // steps between held-out evaluations
	Seed        uint64     `json:"seed"`
	// Data names the images ("emoji" or a folder), for the record and so
	// that a resume on other images is refused ("" in older checkpoints:
	// not checked).
	Data string `json:"data,omitempty"`
	// Init is a tokenizer folder whose weights (codebook included) start
	// the run in place of random ones; its config must be Config.
	Init string `json:"init,omitempty"`
	// DecoderOnly freezes the encoder and the codebook: every training
	// image keeps the codes Init's encoder gives it, and only the decoder
	// learns (ViT.ForwardCodes). A model trained on those codes stays valid
	// and draws with the new decoder.
	DecoderOnly bool `json:"decoder_only,omitempty"`
	// Limit is how many of Data's images the run uses (0: all), so that a
	// resume holds out the same ones (tessera train-tokenizer --limit).
	Limit int `json:"limit,omitempty"`
	// Not kept in checkpoints:
	Minutes           float64 `json:"-"` // stop this run after so long (0: no limit)
	StopAt            int     `json:"-"` // stop this run at this step (0: at Steps)
	CheckpointMinutes float64 `json:"-"` // minutes between checkpoints (0: 5)
	Workers           int     `json:"-"`
	Out               string  `json:"-"` // run folder
}

// Check reports options that cannot train: the architecture's problems
// (vit.Config.Validate), and counts, rates and chances out of range.
func (o ViTOptions) Check() error {
	if err := o.Config.Validate(); err != nil {
		return err
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case o.Batch < 1 || o.Steps < 1 || o.EvalEvery < 1:
		return fmt.Errorf("train tokenizer: batch %d, steps %d and evaluation every %d steps must each be at least 1", o.Batch, o.Steps, o.EvalEvery)
	case o.Warmup < 0 || o.PreVQSteps < 0 || o.StopAt < 0:
		return fmt.Errorf("train tokenizer: warm-up %d, plain-autoencoder steps %d and stop-at %d must not be negative", o.Warmup, o.PreVQSteps, o.StopAt)
	case !finite(o.LR) || o.LR <= 0 || !finite(o.MinLR) || o.MinLR < 0 || o.MinLR > o.LR:
		return fmt.Errorf("train tokenizer: learning rate %g (down to %g) must be above 0 and at least its end value", o.LR, o.MinLR)
	case !finite(o.WeightDecay) || o.WeightDecay < 0 || !finite(o.Beta) || o.Beta < 0:
		return fmt.Errorf("train tokenizer: weight decay %g and commitment weight %g must not be negative", o.WeightDecay, o.Beta)
	case !(o.EMADecay >= 0 && o.EMADecay < 1) || !(o.PartialProb >= 0 && o.PartialProb <= 1):
		return fmt.Errorf("train tokenizer: codebook decay %g must be in [0, 1) and the partial-grid chance %g in [0, 1]", o.EMADecay, o.PartialProb)
	case !finite(o.Minutes) || o.Minutes < 0:
		return fmt.Errorf("train tokenizer: time budget %g minutes", o.Minutes)
	case o.DecoderOnly && o.Init == "":
		return fmt.Errorf("train tokenizer: training the decoder alone needs a tokenizer to start from (its encoder and codebook are kept)")
	}
	return nil
}

// DefaultViTOptions is the emoji tokenizer's recipe.
func DefaultViTOptions(cfg vit.Config) ViTOptions {
	return ViTOptions{Config: cfg, Batch: 16, LR: 1e-3, MinLR: 1e-4, Warmup: 300, Steps: 20000, WeightDecay: 0.01,
		PreVQSteps: 300, EMADecay: 0.99, Beta: 0.25, PartialProb: 0.2, EvalEvery: 500, Seed: 1}
}

// ViTPoint is one held-out evaluation.
type ViTPoint struct {
	Step       int     `json:"step"`
	PSNR       float64 `json:"psnr_db"`    // mean over held-out images, 8-bit pixels
	Perplexity float64 `json:"perplexity"` // exp(entropy) of the codes used on them
	Used       int     `json:"used"`       // distinct codes used on them
}

// ViTState is what a tokenizer checkpoint keeps besides tensors.
type ViTState struct {
	Options  ViTOptions `json:"options"`
	Step     int        `json:"step"`
	AdamT    int        `json:"adam_t"`
	Evals    []ViTPoint `json:"evals"`
	ElapsedS float64    `json:"elapsed_s"`
	VQ       bool       `json:"vq"` // the codebook has been initialised
}

// ViTCheckpointFile is the run folder's checkpoint.
const ViTCheckpointFile = "tokenizer-checkpoint.safetensors"

// TrainViT trains the tokenizer on images (each S×S×3 RGB bytes) and
// measures it on held-out ones, resuming from opt.Out's checkpoint when there
// is one (then its options win, but for Steps, Minutes and Workers). It
// writes checkpoints every few minutes and on cancellation, and exports the
// tokenizer with the best held-out PSNR to opt.Out/tokenizer and the last
// weights to opt.Out/final. Progress lines go to log.
func TrainViT(ctx context.Context, opt ViTOptions, trainImgs, valImgs [][]uint8, log io.Writer) ([]ViTPoint, error) {
	if err := opt.Check(); err != nil {
		return nil, err
	}
	S := opt.Config.ImageSize
	for i, im := range append(trainImgs[:len(trainImgs):len(trainImgs)], valImgs...) {
		if len(im) != S*S*3 {
			return nil, fmt.Errorf("train tokenizer: image %d has %d bytes, want %d (%d×%d RGB)", i, len(im), S*S*3, S, S)
		}
	}
	if len(trainImgs) == 0 || len(valImgs) == 0 {
		return nil, fmt.Errorf("train tokenizer: %d training and %d held-out images (need both)", len(trainImgs), len(valImgs))
	}
	if opt.Out == "" {
		return nil, fmt.Errorf("train tokenizer: no run folder")
	}
	if err := os.MkdirAll(opt.Out, 0o755); err != nil {
		return nil, fmt.Errorf("train tokenizer: %w", err)
	}
	ckPath := filepath.Join(opt.Out, ViTCheckpointFile)
	st := ViTState{Options: opt}
	var data, adamM, adamV, emaN, emaS []float32
	if _, err := os.Stat(ckPath); err == nil {
		loaded, tensors, err := loadViTCheckpoint(ckPath)
		if err != nil {
			return nil, err
		}
		type identity struct {
			vit.Config
			Data        string `json:"data"`
			DecoderOnly bool   `json:"decoder_only"`
		}
		was, now := identity{loaded.Options.Config, loaded.Options.Data, loaded.Options.DecoderOnly}, identity{opt.Config, opt.Data, opt.DecoderOnly}
		if was.Data == "" {
			was.Data = now.Data // an older checkpoint, which did not record it
		}
		if d := SettingsDiff(was, now); len(d) > 0 {
			return nil, fmt.Errorf("train tokenizer: %s holds a run of other images or another architecture (%s): a resumed run keeps its own; give its flags again, or another run folder to start anew", opt.Out, strings.Join(d, "; "))
		}
		steps, minutes, workers, ckMin, out, stopAt := opt.Steps, opt.Minutes, opt.Workers, opt.CheckpointMinutes, opt.Out, opt.StopAt
		st = loaded
		opt = st.Options
		opt.Steps, opt.Minutes, opt.Workers, opt.CheckpointMinutes, opt.Out, opt.StopAt = steps, minutes, workers, ckMin, out, stopAt
		st.Options = opt
		data, adamM, adamV, emaN, emaS = tensors[0], tensors[1], tensors[2], tensors[3], tensors[4]
		fmt.Fprintf(log, "resuming %s at step %d\n", ckPath, st.Step)
	} else if opt.Init != "" {
		if data, err = initWeights(opt.Init, opt.Config); err != nil {
			return nil, err
		}
	}
	cfg := opt.Config
	m, err := NewViT(cfg, data, opt.Batch, opt.Workers)
	if err != nil {
		return nil, err
	}
	m.beta = float32(opt.Beta)
	nTrain := m.TrainedSize()
	adam := NewAdamW(nTrain, 0.9, 0.95, 1e-8)
	switch {
	case data == nil:
		initViT(m, opt.Seed)
		emaN, emaS = make([]float32, m.K), make([]float32, m.K*m.D)
	case emaN == nil: // started from opt.Init: its codebook is in use
		st.VQ = true
		emaN, emaS = emaFrom(m.w.codebook, m.K)
	default:
		copy(adam.M, adamM)
		copy(adam.V, adamV)
		adam.T = st.AdamT
	}
	tensors := make([]TensorInfo, 0, len(m.Tensors)-1)
	for _, t := range m.Tensors[:len(m.Tensors)-1] {
		if opt.DecoderOnly && !strings.HasPrefix(t.Name, "decoder.") {
			continue // frozen: no update, no weight decay
		}
		tensors = append(tensors, TensorInfo{Name: t.Name, Shape: t.Shape, Off: t.Off, Size: t.Size, Decay: t.Decay})
	}
	r := &vitRun{m: m, opt: opt, st: &st, adam: adam, emaN: emaN, emaS: emaS, train: trainImgs, val: valImgs, log: log,
		tensors: tensors, ckPath: ckPath, start: time.Now(), elapsed0: time.Duration(st.ElapsedS * float64(time.Second))}
	if opt.DecoderOnly && st.Step < opt.Steps && (opt.StopAt <= 0 || st.Step < opt.StopAt) {
		if err := r.encodeAll(ctx); err != nil {
			return nil, err
		}
	}
	return r.loop(ctx)
}

// initWeights reads the tokenizer folder dir, whose config must be cfg.
func initWeights(dir string, cfg vit.Config) ([]float32, error) {
	have, data, err := loadViTFolder(dir)
	if err != nil {
		return nil, err
	}
	if d := SettingsDiff(have, cfg); len(d) > 0 {
		return nil, fmt.Errorf("train tokenizer: %s is another architecture (%s)", filepath.Join(dir, vit.ConfigFile), strings.Join(d, "; "))
	}
	return data, nil
}

// encodeAll gives every training image its codes under the (frozen)
// encoder and codebook, for a decoder-only run.
func (r *vitRun) encodeAll(ctx context.Context) error {
	m, B := r.m, r.m.MaxBatch
	start := time.Now()
	r.codes = make([]int32, 0, len(r.train)*m.T)
	for lo := 0; lo < len(r.train); lo += B {
		if err := ctx.Err(); err != nil {
			return err
		}
		imgs := r.train[lo:min(lo+B, len(r.train))]
		m.Patches(m.Input(), imgs)
		if err := m.Encode(len(imgs)); err != nil {
			return err
		}
		r.codes = append(r.codes, m.Codes()...)
	}
	fmt.Fprintf(r.log, "decoder only: encoded %d training images in %s (encoder and codebook frozen)\n", len(r.train), time.Since(start).Round(time.Second))
	return nil
}

// vitRun is one tokenizer training run.
type vitRun struct {
	m          *ViT
	opt        ViTOptions
	st         *ViTState
	adam       *AdamW
	emaN, emaS []float32
	train, val [][]uint8
	log        io.Writer
	tensors    []TensorInfo
	ckPath     string
	start      time.Time
	elapsed0   time.Duration
	perm       []int
	permEpoch  int
	best       float64
	codes      []int32 // decoder only: every training image's codes, T each
	batchCodes []int32 // decoder only: the current batch's codes
}

// initViT draws GPT-2 style initial weights: normal(0, 0.02) matmul weights
// and embeddings (residual projections scaled by 1/sqrt(2·layers)), unit norm
// gains, zero biases.
func initViT(m *ViT, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x7669)) // "vi"
	layers := m.Config.EncoderLayers + m.Config.DecoderLayers
	for _, t := range m.Tensors {
		x := m.Data[t.Off : t.Off+t.Size]
		switch {
		case len(t.Shape) == 1 && hasSuffix(t.Name, ".weight"): // norm gains
			for i := range x {
				x[i] = 1
			}
		case len(t.Shape) == 1 && t.Name != "decoder.mask_embed": // biases
		default:
			std := 0.02
			if hasSuffix(t.Name, "c_proj.weight") {
				std /= math.Sqrt(2 * float64(max(layers, 1)))
			}
			for i := range x {
				x[i] = float32(rng.NormFloat64() * std)
			}
		}
	}
}

func hasSuffix(s, suf string) bool { return len(s) >= len(suf) && s[len(s)-len(suf):] == suf }

// batch fills the model's input with images step·B … step·B+B−1 of an
// endless sequence of shuffled epochs, and returns which rows are known
// (partial grids drawn from a hash of the seed and the image's position).
func (r *vitRun) batch(step int, known []bool) {
	B, T, N := r.opt.Batch, r.m.T, len(r.train)
	imgs := make([][]uint8, B)
	for i := range B {
		g := step*B + i
		epoch, pos := g/N, g%N
		if r.perm == nil || r.permEpoch != epoch {
			rng := rand.New(rand.NewPCG(r.opt.Seed, uint64(epoch)+1))
			r.perm, r.permEpoch = rng.Perm(N), epoch
		}
		imgs[i] = r.train[r.perm[pos]]
		if r.codes != nil {
			T := r.m.T
			r.batchCodes = append(r.batchCodes[:i*T], r.codes[r.perm[pos]*T:(r.perm[pos]+1)*T]...)
		}
		h := mix64(r.opt.Seed ^ uint64(g)*0x9e3779b97f4a7c15)
		n := T
		if float64(h>>11)/(1<<53) < r.opt.PartialProb {
			n = 1 + int(mix64(h)%uint64(T-1))
		}
		for t := range T {
			known[i*T+t] = t < n
		}
	}
	r.m.Patches(r.m.Input(), imgs)
}

func (r *vitRun) loop(ctx context.Context) ([]ViTPoint, error) {
	m, opt, st := r.m, r.opt, r.st
	known := make([]bool, opt.Batch*m.T)
	r.best = math.Inf(-1)
	for _, e := range st.Evals {
		r.best = math.Max(r.best, e.PSNR)
	}
	lastCk := time.Now()
	ckEvery := time.Duration(cmpOrF(opt.CheckpointMinutes, 5) * float64(time.Minute))
	var sumMSE float64
	var nLog int
	logStart := time.Now()
	for st.Step < opt.Steps && (opt.StopAt <= 0 || st.Step < opt.StopAt) {
		if err := ctx.Err(); err != nil {
			break
		}
		if opt.Minutes > 0 && time.Since(r.start) > time.Duration(opt.Minutes*float64(time.Minute)) {
			fmt.Fprintf(r.log, "time budget of %s spent at step %d\n", plural.Minutes(opt.Minutes), st.Step)
			break
		}
		if !st.VQ && st.Step >= opt.PreVQSteps {
			if err := r.initCodebook(ctx); err != nil {
				return st.Evals, err
			}
			st.VQ = true
		}
		r.batch(st.Step, known)
		var mse float64
		var err error
		if opt.DecoderOnly {
			mse, err = m.ForwardCodes(r.batchCodes, opt.Batch, known)
		} else {
			mse, err = m.Forward(opt.Batch, known, st.VQ)
		}
		if err != nil {
			return st.Evals, err
		}
		m.ZeroGrad()
		if err := m.Backward(); err != nil {
			return st.Evals, err
		}
		g := m.Grad[:len(r.adam.M)]
		norm := gradNorm(m.p, g)
		scale := float32(1)
		if norm > 1 {
			scale = float32(1 / norm)
		}
		lr := LRAt(st.Step, opt.Warmup, opt.Steps, opt.LR, opt.MinLR)
		r.adam.Step(m.p, m.Data[:len(g)], g, r.tensors, lr, opt.WeightDecay, scale)
		if st.VQ && !opt.DecoderOnly {
			r.updateCodebook(st.Step)
		}
		st.Step++
		sumMSE += mse
		nLog++
		if st.Step%50 == 0 {
			el := time.Since(logStart).Seconds()
			fmt.Fprintf(r.log, "step %6d/%d  train %.2f dB  lr %.2e  %.1f img/s  elapsed %s\n", st.Step, opt.Steps,
				10*math.Log10(4/(sumMSE/float64(nLog))), lr, float64(nLog*opt.Batch)/el, r.elapsed().Round(time.Second))
			sumMSE, nLog, logStart = 0, 0, time.Now()
		}
		if st.VQ && (st.Step%opt.EvalEvery == 0 || st.Step == opt.Steps) {
			r.evaluate()
		}
		if time.Since(lastCk) > ckEvery {
			if err := r.save(); err != nil {
				return st.Evals, err
			}
			lastCk = time.Now()
		}
	}
	if st.VQ && (len(st.Evals) == 0 || st.Evals[len(st.Evals)-1].Step != st.Step) {
		r.evaluate()
	}
	if err := r.save(); err != nil {
		return st.Evals, err
	}
	if err := SaveViT(filepath.Join(r.opt.Out, "final"), m.Config, m.Data); err != nil {
		return st.Evals, err
	}
	return st.Evals, ctx.Err()
}

func cmpOrF(v, def float64) float64 {
	if v > 0 {
		return v
	}
	return def
}

func (r *vitRun) elapsed() time.Duration { return r.elapsed0 + time.Since(r.start) }

// initCodebook sets the codebook to k-means centroids (normalised) of the
// encoder's code vectors on up to 64 training images.
func (r *vitRun) initCodebook(ctx context.Context) error {
	m := r.m
	var zs []float32
	for b := 0; len(zs) < 64*m.T*m.D && b*m.MaxBatch < len(r.train); b++ {
		n := min(m.MaxBatch, len(r.train)-b*m.MaxBatch)
		imgs := make([][]uint8, n)
		for i := range imgs {
			imgs[i] = r.train[(b*m.MaxBatch+i)*7919%len(r.train)]
		}
		m.Patches(m.Input(), imgs)
		m.b = n
		m.encode(n)
		zs = append(zs, m.z[:n*m.T*m.D]...)
	}
	fmt.Fprintf(r.log, "codebook: k-means of %d code vectors into %d entries\n", len(zs)/m.D, m.K)
	cents, err := kmeans.Fit(ctx, zs, m.D, kmeans.Options{K: m.K, Iters: 15, Seed: r.opt.Seed, Workers: m.p.workers}, nil)
	if err != nil {
		return fmt.Errorf("train tokenizer: codebook init: %w", err)
	}
	cb := m.w.codebook
	copy(cb, cents)
	normRows(cb, m.D)
	r.emaN, r.emaS = emaFrom(cb, m.K)
	return nil
}

// emaFrom starts the codebook's EMA at codebook (K entries): a count of one
// each, and the entries themselves as the sums.
func emaFrom(codebook []float32, K int) (counts, sums []float32) {
	counts = make([]float32, K)
	for k := range counts {
		counts[k] = 1
	}
	return counts, slices.Clone(codebook)
}

// normRows scales each D-vector of x to unit length (zero rows stay zero).
func normRows(x []float32, D int) {
	for k := 0; k < len(x)/D; k++ {
		row := x[k*D : (k+1)*D]
		n := float32(math.Sqrt(float64(kernels.SumSq(row))))
		if n > 0 {
			for i := range row {
				row[i] /= n
			}
		}
	}
}

// updateCodebook moves each entry towards the mean of the code vectors
// assigned to it in this batch (EMA of counts and sums, VQ-VAE-2), then
// restarts entries unused for long at random code vectors of the batch.
func (r *vitRun) updateCodebook(step int) {
	m := r.m
	R, D, K := m.b*m.T, m.D, m.K
	gamma := float32(r.opt.EMADecay)
	n := make([]float32, K)
	s := make([]float32, K*D)
	for row := range R {
		k := m.idx[row]
		n[k]++
		kernels.Add(s[int(k)*D:(int(k)+1)*D], m.z[row*D:(row+1)*D])
	}
	cb := m.w.codebook
	for k := range K {
		r.emaN[k] = gamma*r.emaN[k] + (1-gamma)*n[k]
		es := r.emaS[k*D : (k+1)*D]
		for i := range es {
			es[i] = gamma*es[i] + (1-gamma)*s[k*D+i]
		}
		copy(cb[k*D:(k+1)*D], es)
	}
	normRows(cb, D)
	if step%100 != 0 {
		return
	}
	// Restart entries whose average use fell below 1/32 of a vector a batch.
	h := mix64(r.opt.Seed ^ uint64(step))
	dead := 0
	for k := range K {
		if r.emaN[k] >= 1.0/32 {
			continue
		}
		h = mix64(h)
		row := int(h % uint64(R))
		copy(cb[k*D:(k+1)*D], m.z[row*D:(row+1)*D])
		copy(r.emaS[k*D:(k+1)*D], m.z[row*D:(row+1)*D])
		r.emaN[k] = 1
		dead++
	}
	if dead > 0 {
		fmt.Fprintf(r.log, "codebook: restarted %d unused entries\n", dead)
	}
}

// evaluate measures held-out PSNR and code usage, and exports the tokenizer
// when it is the best so far.
func (r *vitRun) evaluate() {
	psnr, counts := EvalViT(r.m, r.val)
	p := ViTPoint{Step: r.st.Step, PSNR: psnr}
	p.Perplexity, p.Used = Perplexity(counts)
	r.st.Evals = append(r.st.Evals, p)
	mark := ""
	if psnr > r.best {
		r.best = psnr
		if err := SaveViT(filepath.Join(r.opt.Out, "tokenizer"), r.m.Config, r.m.Data); err != nil {
			fmt.Fprintf(r.log, "warning: export: %v\n", err)
		}
		mark = " (best: exported)"
	}
	fmt.Fprintf(r.log, "step %6d  held-out %.2f dB PSNR, %d codes used, perplexity %.0f%s\n", p.Step, psnr, p.Used, p.Perplexity, mark)
}

// EvalViT returns the mean reconstruction PSNR (dB, 8-bit pixels, each
// capped at psnr.Max) of imgs
// through m's encoder, quantiser and decoder, and how often each code was used.
func EvalViT(m *ViT, imgs [][]uint8) (float64, []int) {
	counts := make([]int, m.K)
	var sum float64
	out := make([]uint8, m.Config.ImageSize*m.Config.ImageSize*3)
	for lo := 0; lo < len(imgs); lo += m.MaxBatch {
		batch := imgs[lo:min(lo+m.MaxBatch, len(imgs))]
		codes, err := m.Reconstruct(batch)
		if err != nil {
			return math.NaN(), counts
		}
		for _, c := range codes {
			counts[c]++
		}
		for i, img := range batch {
			m.Pixels(out, i)
			sum += psnr.Capped(psnr.Bytes(img, out)) // an exact one is a finite figure: JSON has no +Inf
		}
	}
	return sum / float64(len(imgs)), counts
}

// Reconstruct encodes up to MaxBatch images (S×S×3 RGB bytes) and decodes
// their codes, which it returns (len(imgs)·T); Pixels then reads the
// reconstructions.
func (m *ViT) Reconstruct(imgs [][]uint8) ([]int32, error) {
	m.Patches(m.Input(), imgs)
	if err := m.Encode(len(imgs)); err != nil {
		return nil, err
	}
	codes := append([]int32(nil), m.Codes()...)
	return codes, m.Decode(codes, len(imgs))
}

// Pixels writes image i of the last Decode as S×S×3 bytes (clamped, rounded).
func (m *ViT) Pixels(dst []uint8, i int) {
	S, p, G := m.Config.ImageSize, m.Config.PatchSize, m.Config.Grid()
	for py := range G {
		for px := range G {
			row := m.y[((i*G+py)*G+px)*m.P:][:m.P]
			k := 0
			for y := py * p; y < (py+1)*p; y++ {
				for x := px * p; x < (px+1)*p; x++ {
					o := (y*S + x) * 3
					for c := range 3 {
						v := math.Round((float64(row[k+c]) + 1) * 127.5)
						dst[o+c] = uint8(min(max(v, 0), 255))
					}
					k += 3
				}
			}
		}
	}
}

// Perplexity is exp(entropy) of a histogram, and how many bins are used.
func Perplexity(counts []int) (float64, int) {
	total, used := 0, 0
	for _, c := range counts {
		total += c
		if c > 0 {
			used++
		}
	}
	var h float64
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / float64(total)
			h -= p * math.Log(p)
		}
	}
	return math.Exp(h), used
}

// save writes the checkpoint atomically.
func (r *vitRun) save() error {
	r.st.AdamT = r.adam.T
	r.st.ElapsedS = r.elapsed().Seconds()
	js, err := json.Marshal(r.st)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	m := r.m
	n := len(r.adam.M)
	ts := []safetensors.Tensor{
		{Name: "param", DType: "F32", Shape: []int{len(m.Data)}, Data: m.Data},
		{Name: "adam_m", DType: "F32", Shape: []int{n}, Data: r.adam.M},
		{Name: "adam_v", DType: "F32", Shape: []int{n}, Data: r.adam.V},
		{Name: "ema_count", DType: "F32", Shape: []int{m.K}, Data: r.emaN},
		{Name: "ema_sum", DType: "F32", Shape: []int{m.K, m.D}, Data: r.emaS},
	}
	if err := safetensors.Write(r.ckPath, ts, map[string]string{"tessera.tokenizer_checkpoint": string(js)}); err != nil {
		return fmt.Errorf("checkpoint %s: %w", r.ckPath, err)
	}
	return nil
}

// ReadViTState reads the state of a tokenizer checkpoint (no tensors).
func ReadViTState(path string) (ViTState, error) {
	st, _, err := loadViTCheckpoint(path)
	return st, err
}

// loadViTCheckpoint reads a tokenizer checkpoint: its state and the
// parameters, Adam moments and EMA counts and sums.
func loadViTCheckpoint(path string) (ViTState, [5][]float32, error) {
	var st ViTState
	var out [5][]float32
	f, err := safetensors.Open(path)
	if err != nil {
		return st, out, err
	}
	js, ok := f.Metadata["tessera.tokenizer_checkpoint"]
	if !ok {
		return st, out, fmt.Errorf("%s: not a Tessera tokenizer checkpoint", path)
	}
	if err := json.Unmarshal([]byte(js), &st); err != nil {
		return st, out, fmt.Errorf("%s: %w", path, err)
	}
	cfg := st.Options.Config
	if err := cfg.Validate(); err != nil {
		return st, out, fmt.Errorf("%s: %w", path, err)
	}
	_, n := vit.Layout(cfg)
	nTrain := n - cfg.CodebookSize*cfg.CodeDim
	for i, want := range []struct {
		name  string
		shape []int
	}{{"param", []int{n}}, {"adam_m", []int{nTrain}}, {"adam_v", []int{nTrain}}, {"ema_count", []int{cfg.CodebookSize}}, {"ema_sum", []int{cfg.CodebookSize, cfg.CodeDim}}} {
		if out[i], err = f.Float32(want.name, want.shape...); err != nil {
			return st, out, fmt.Errorf("%s: %w", path, err)
		}
	}
	return st, out, nil
}

// SaveViT writes a tokenizer folder: tokenizer_config.json and
// tokenizer.safetensors (see ViTFiles), both replaced atomically.
func SaveViT(dir string, cfg vit.Config, data []float32) error {
	files, err := ViTFiles(cfg, data)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("save tokenizer: %w", err)
	}
	for _, name := range []string{vit.ConfigFile, vit.WeightsFile} {
		if err := atomicfile.WriteBytes(filepath.Join(dir, name), files[name]); err != nil {
			return fmt.Errorf("save tokenizer: %w", err)
		}
	}
	return nil
}

// ViTFiles encodes a tokenizer's two files by name: tokenizer_config.json
// and tokenizer.safetensors (weights F16, the codebook F32 so that the
// nearest-entry search is exact).
func ViTFiles(cfg vit.Config, data []float32) (map[string][]byte, error) {
	ts, n := vit.Layout(cfg)
	if len(data) != n {
		return nil, fmt.Errorf("save tokenizer: %d values for %d parameters", len(data), n)
	}
	js, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return nil, err
	}
	out := make([]safetensors.Tensor, 0, len(ts))
	for _, t := range ts {
		dt := "F16"
		if t.Name == "quantizer.codebook" {
			dt = "F32"
		}
		out = append(out, safetensors.Tensor{Name: t.Name, DType: dt, Shape: t.Shape, Data: data[t.Off : t.Off+t.Size]})
	}
	var buf bytes.Buffer
	if err := safetensors.Encode(&buf, out, map[string]string{"format": "tessera-vit-vq"}); err != nil {
		return nil, fmt.Errorf("save tokenizer: %w", err)
	}
	return map[string][]byte{vit.ConfigFile: append(js, '\n'), vit.WeightsFile: buf.Bytes()}, nil
}

// LoadViT reads a tokenizer folder written by SaveViT (any of F32, F16,
// BF16 per tensor) into a ViT for batches of up to maxBatch images.
func LoadViT(dir string, maxBatch, workers int) (*ViT, error) {
	cfg, data, err := loadViTFolder(dir)
	if err != nil {
		return nil, err
	}
	return NewViT(cfg, data, maxBatch, workers)
}

// loadViTFolder reads a tokenizer folder's config and weights (vit.Layout
// order).
func loadViTFolder(dir string) (vit.Config, []float32, error) {
	cfg, err := vit.LoadConfig(filepath.Join(dir, vit.ConfigFile))
	if err != nil {
		return vit.Config{}, nil, err
	}
	path := filepath.Join(dir, vit.WeightsFile)
	f, err := safetensors.Open(path)
	if err != nil {
		return vit.Config{}, nil, err
	}
	data, err := ViTWeights(cfg, f)
	if err != nil {
		return vit.Config{}, nil, fmt.Errorf("load %s: %w", path, err)
	}
	return cfg, data, nil
}

// ViTWeights reads every tensor of cfg's weight table from f (any of F32,
// F16, BF16) into one flat buffer in vit.Layout order; a missing tensor, a
// wrong shape, a tensor the table does not hold (a config of fewer blocks
// than its weights) and a value that is not finite are errors naming it,
// and so is a file too small for the table (checked before anything is
// allocated).
func ViTWeights(cfg vit.Config, f *safetensors.File) ([]float32, error) {
	ts, n := vit.Layout(cfg)
	if err := f.CheckRoomFor(int64(n), vit.ConfigFile); err != nil { // before allocating them
		return nil, err
	}
	known := make(map[string]bool, len(ts))
	for _, t := range ts {
		known[t.Name] = true
	}
	for _, name := range f.Names() {
		if !known[name] {
			// A config of fewer blocks than its weights (encoder_layers 0
			// of 3) loaded, left them unread and drew at 14 dB.
			return nil, fmt.Errorf("it holds %s, which %s does not describe (its layers: %d encoder and %d decoder blocks): the config is not these weights'", name, vit.ConfigFile, cfg.EncoderLayers, cfg.DecoderLayers)
		}
	}
	data := make([]float32, n)
	for _, t := range ts {
		x, err := f.Float32(t.Name, t.Shape...)
		if err != nil {
			return nil, err
		}
		if i := model.FirstNonFinite(x); i >= 0 {
			// A codebook of NaN drew black pictures, reported at 2 dB.
			return nil, fmt.Errorf("tensor %q holds %v at index %d of %d: the weights are corrupt (a training run that diverged writes NaN)", t.Name, x[i], i, len(x))
		}
		copy(data[t.Off:t.Off+t.Size], x)
	}
	return data, nil
}
