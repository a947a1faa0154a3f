package edit

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/par"
	"github.com/tessera-studio/tessera/engine/prepare"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/psnr"
	"github.com/tessera-studio/tessera/engine/tokenizer"
	"github.com/tessera-studio/tessera/engine/train"
)

// DefaultName is the name Prepare writes into an edit model's config.
const DefaultName = "edit"

// Tokenising settings of Prepare.
type Tokenising struct {
	// Name is the model's name in config.json ("": DefaultName).
	Name string
	// Tokenizer is the image tokenizer, used as it is (the emoji model's
	// ViT tokenizer, or any patch codebook); required. A ViT fixes the image
	// size; a codebook takes Spec.Size.
	Tokenizer tokenizer.Tokenizer
	// ValPerFamily is how many held-out pairs of each family become
	// validation examples (0: DefaultValPerFamily).
	ValPerFamily int
	// Workers caps the goroutines that make and encode images (0: all CPUs).
	Workers int
}

// LoadEmoji loads the emoji of every style (data.Emoji) and emoji.json's
// person/man/woman triples (data.EmojiGenders) from cacheDir ("": the
// default cache), the inputs of Pairs and Prepare.
func LoadEmoji(ctx context.Context, cacheDir string) ([]data.Sample, []data.GenderSet, data.Report, error) {
	samples, rep, err := data.Emoji(ctx, cacheDir)
	if err != nil {
		return nil, nil, rep, fmt.Errorf("edit pairs: %w", err)
	}
	genders, err := data.EmojiGenders(ctx, cacheDir)
	if err != nil {
		return nil, nil, rep, fmt.Errorf("edit pairs: %w", err)
	}
	return samples, genders, rep, nil
}

// Prepare makes an edit model's training data from emoji samples: the pairs
// of spec (Pairs), each tokenised with tk.Tokenizer into a train.Example
// whose Prompt is the instruction's ids, Source the source image's codes and
// Codes the exact target's codes; and the model configuration: arch's width,
// depth and heads, the instruction vocabulary (Vocabulary, L = MaxWords
// slots), the tokenizer's codes and grid, and the edit block (S = N source
// codes, the canonical instructions, the split). A sequence is then
// L + 2N positions: L + N + 1 (SOS) + N − 1, with the wordings of today
// (MaxWords 7) 7 + 128 = 135 for the 8×8 codes of the emoji model's
// tokenizer (assets/models/emoji) and 7 + 512 = 519 for the 16×16 codes
// of assets/tokenizers/emoji.
//
// Training examples are the capped training pairs; validation examples are
// tk.ValPerFamily held-out pairs of each family. Every dataset image is
// encoded once; the computed images (backgrounds, pixel operations) once
// per pair. Progress goes to log. Errors: no tokenizer, a size the
// tokenizer cannot take, no pairs, a cancelled ctx, an image the tokenizer
// fails on.
func Prepare(ctx context.Context, samples []data.Sample, spec Spec, tk Tokenising, arch model.Config, log io.Writer) (*prepare.Prepared, error) {
	if log == nil {
		log = io.Discard
	}
	tok := tk.Tokenizer
	if tok == nil {
		return nil, errors.New("edit prepare: no image tokenizer (the edit model uses the emoji model's as it is)")
	}
	if tk.Name == "" {
		tk.Name = DefaultName
	}
	if tk.ValPerFamily <= 0 {
		tk.ValPerFamily = DefaultValPerFamily
	}
	if tk.Workers <= 0 {
		tk.Workers = runtime.NumCPU()
	}
	p := tok.PatchSize()
	if v, ok := tok.(*tokenizer.ViT); ok {
		spec.Size = v.Config.ImageSize
	}
	spec = spec.withDefaults()
	if spec.Size%p != 0 {
		return nil, fmt.Errorf("edit prepare: image size %d is not a multiple of the tokenizer's %d-pixel patches", spec.Size, p)
	}
	grid := spec.Size / p
	set, err := Pairs(samples, spec)
	if err != nil {
		return nil, err
	}
	trainN, valN := set.Counts()
	for _, f := range spec.Families {
		fmt.Fprintf(log, "edit pairs: %-16s %6d training (of %d), %5d held out\n", f, trainN[f], set.Available[f], valN[f])
	}
	var val []Pair
	taken := map[Family]int{}
	for _, pr := range set.Val {
		if taken[pr.Family] < tk.ValPerFamily {
			taken[pr.Family]++
			val = append(val, pr)
		}
	}
	if len(set.Train) == 0 {
		return nil, errors.New("edit prepare: no training pairs")
	}

	vocab := Vocabulary()
	L := MaxWords()
	K := tok.Codes()
	ptok, err := prompt.New(vocab, L, K)
	if err != nil {
		return nil, fmt.Errorf("edit prepare: vocabulary: %w", err)
	}
	cfg := arch
	cfg.Tessera = &model.Ext{
		Name: tk.Name, PatchSize: p, Grid: [2]int{grid, grid}, PromptLength: L, PromptVocab: vocab,
		Edit: &model.EditExt{SourceLength: grid * grid, Instructions: Instructions(), HeldOutFraction: spec.HeldOut, SplitSeed: spec.Seed},
	}
	cfg.VocabSize = K + len(vocab) + 1
	cfg.NPositions = L + 2*grid*grid
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("edit prepare: %w", err)
	}
	fmt.Fprintf(log, "edit model: %d instruction words, instructions of up to %d words, %d×%d grid of %d codes: %d positions\n",
		len(vocab)-1, L, grid, grid, K, cfg.NPositions)

	enc := &encoder{tok: tok, grid: grid, ctx: ctx, log: log, start: time.Now()}
	trainEx, err := enc.examples(set, set.Train, ptok, tk.Workers)
	if err != nil {
		return nil, err
	}
	valEx, err := enc.examples(set, val, ptok, tk.Workers)
	if err != nil {
		return nil, err
	}
	prep := &prepare.Prepared{Config: cfg, Tokenizer: tok, Train: trainEx, Val: valEx, PSNR: enc.psnr(set, val)}
	if cb, ok := tok.(tokenizer.Codebook); ok {
		prep.Codebook = cb.Codebook
	}
	fmt.Fprintf(log, "edit examples: %d training, %d validation; tokenizer PSNR on held-out sources %.2f dB; %d images encoded in %s\n",
		len(trainEx), len(valEx), prep.PSNR, enc.done.Load(), time.Since(enc.start).Round(time.Second))
	return prep, nil
}

// encoder encodes a set's images, each dataset image once.
type encoder struct {
	tok   tokenizer.Tokenizer
	grid  int
	ctx   context.Context
	log   io.Writer
	start time.Time
	cache map[int][]int32 // sample index → codes
	done  atomic.Int64
	total int64
}

func (e *encoder) encode(img *image.NRGBA) ([]int32, error) {
	if err := e.ctx.Err(); err != nil {
		return nil, err
	}
	codes, err := e.tok.Encode(img, e.grid, e.grid)
	if err != nil {
		return nil, err
	}
	out := make([]int32, len(codes))
	for i, c := range codes {
		out[i] = int32(c)
	}
	if n := e.done.Add(1); n%2000 == 0 {
		fmt.Fprintf(e.log, "edit prepare: %d images encoded (%s)\n", n, time.Since(e.start).Round(time.Second))
	}
	return out, nil
}

// examples tokenises pairs: the dataset images they use (cached across
// calls), then their computed images, on workers goroutines.
func (e *encoder) examples(set *Set, pairs []Pair, ptok *prompt.Tokenizer, workers int) ([]train.Example, error) {
	if e.cache == nil {
		e.cache = map[int][]int32{}
	}
	var need []int
	seen := map[int]bool{}
	for _, p := range pairs {
		for _, i := range []int{p.Source, p.Dest} {
			if i >= 0 && !seen[i] && e.cache[i] == nil {
				seen[i] = true
				need = append(need, i)
			}
		}
	}
	codes := make([][]int32, len(need))
	errs := make([]error, len(need))
	par.Each(len(need), workers, func(k int) {
		codes[k], errs[k] = e.encode(set.Images[need[k]])
	})
	for k, i := range need {
		if errs[k] != nil {
			return nil, fmt.Errorf("edit prepare: encode %q: %w", set.Samples[i].Caption, errs[k])
		}
		e.cache[i] = codes[k]
	}
	out := make([]train.Example, len(pairs))
	errs = make([]error, len(pairs))
	par.Each(len(pairs), workers, func(k int) {
		p := pairs[k]
		ex := train.Example{Source: e.cache[p.Source], Codes: e.cache[p.Dest]}
		switch {
		case p.Family == Background:
			src, _ := set.Make(p)
			ex.Source, errs[k] = e.encode(src)
		case p.Dest < 0:
			_, dst := set.Make(p)
			ex.Codes, errs[k] = e.encode(dst)
		}
		ids := ptok.Encode(p.Instruction).IDs
		ex.Prompt = make([]int32, len(ids))
		for j, id := range ids {
			ex.Prompt[j] = int32(id)
		}
		out[k] = ex
	})
	for k, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("edit prepare: %s pair of %q: %w", pairs[k].Family, set.Samples[pairs[k].Source].Caption, err)
		}
	}
	return out, nil
}

// psnr is the tokenizer's mean reconstruction PSNR on up to 64 of the
// held-out source images (NaN without any).
func (e *encoder) psnr(set *Set, val []Pair) float64 {
	sum, n := 0.0, 0
	seen := map[int]bool{}
	for _, p := range val {
		if n == 64 || seen[p.Source] || e.cache[p.Source] == nil {
			continue
		}
		seen[p.Source] = true
		codes := make([]int, len(e.cache[p.Source]))
		for i, c := range e.cache[p.Source] {
			codes[i] = int(c)
		}
		// An exact redrawing counts as psnr.Max, as every mean PSNR does.
		v := psnr.Capped(psnr.Images(set.Images[p.Source], e.tok.Decode(codes, e.grid, e.grid)))
		if !math.IsNaN(v) {
			sum += v
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}
