// Package prepare turns captioned images into what the trainer consumes: a
// codebook learned by k-means over p×p patches, a prompt vocabulary built
// from the captions, and tokenised examples (with shifted copies as
// augmentation), plus the model configuration that ties them together.
package prepare

import (
	"context"
	"fmt"
	"image"
	"image/draw"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nfnt/resize"

	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/par"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/psnr"
	"github.com/tessera-studio/tessera/engine/tokenizer"
	"github.com/tessera-studio/tessera/engine/train"
	"github.com/tessera-studio/tessera/engine/train/kmeans"
	"github.com/tessera-studio/tessera/internal/plural"
	"github.com/tessera-studio/tessera/internal/progress"
)

// Spec says how to tokenise a dataset.
type Spec struct {
	Name      string // model name written into config.json
	Size      int    // images are resized to Size×Size pixels
	Patch     int    // patch side p (Size must be a multiple)
	Codes     int    // codebook entries K
	MaxPrompt int    // cap on the prompt length L (words); 0 = 16
	// Shifts adds this many copies of each training image moved by up to
	// ±MaxShift pixels (white fill), each tokenised anew.
	Shifts, MaxShift int
	// KMeansPatches caps how many patches k-means sees (0 = 200k); KMeansIters its iterations (0 = 20).
	KMeansPatches, KMeansIters int
	StyleWords                 []string
	// Tokenizer, when set, is the image tokenizer to use as it is (a trained
	// ViT-VQ, or the codebook of a model being fine-tuned): no k-means
	// codebook is learnt, and Patch and Codes come from it (Size too for a
	// ViT).
	Tokenizer tokenizer.Tokenizer
	// Vocab, when set, is the prompt vocabulary to keep (a model being
	// fine-tuned, PAD first): the captions' new words are added after it, in
	// sorted order, and the prompt length is PromptLength (captions past it
	// are cut).
	Vocab        []string
	PromptLength int
	// StyleDrop is the chance a training caption loses its trailing style
	// word, so prompts without one (just the name) work too.
	StyleDrop float64
	// Replay are pictures a model being fine-tuned was trained on before
	// (its training split): tokenised as the training set is, without shifted
	// copies, into Prepared.Replay, their captions' words in the
	// vocabulary (train.Options.Replay).
	Replay []data.Sample `json:"-"`
	// ReplayStyleDrop is StyleDrop for the Replay pictures' captions (the
	// base model's own training, not the new data's).
	ReplayStyleDrop float64 `json:"-"`
	Seed            uint64
	Workers         int
}

// Prepared is a tokenised dataset and the model configuration it needs.
type Prepared struct {
	Config model.Config
	// Tokenizer maps pixels to codes; Codebook is it when it is a patch
	// codebook (nil for a ViT tokenizer).
	Tokenizer tokenizer.Tokenizer
	Codebook  *codebook.Codebook
	// TokenizerCard is how the tokenizer was made (markdown, for MODEL.md).
	TokenizerCard []byte
	Train, Val    []train.Example
	// Replay are the tokenised Spec.Replay pictures (none without).
	Replay []train.Example
	// PSNR is the codebook's reconstruction quality on the validation images, in dB.
	PSNR float64
}

// Side is the image side the data is prepared at: a ViT tokenizer's own
// image size, else Size.
func (s Spec) Side() int {
	if v, ok := s.Tokenizer.(*tokenizer.ViT); ok {
		return v.Config.ImageSize
	}
	return s.Size
}

// Prepare learns the codebook on the training images, builds the prompt
// vocabulary from every caption and tokenises both splits. arch supplies the
// transformer's width, depth and heads; the rest of the config is derived.
func Prepare(ctx context.Context, trainSet, valSet []data.Sample, spec Spec, arch model.Config, log io.Writer) (*Prepared, error) {
	if spec.Size <= 0 || spec.Patch <= 0 || spec.Size%spec.Patch != 0 {
		return nil, fmt.Errorf("prepare: image size %d must be a positive multiple of the patch size %d", spec.Size, spec.Patch)
	}
	if len(trainSet) == 0 {
		return nil, fmt.Errorf("prepare: no training images")
	}
	if spec.Workers <= 0 {
		spec.Workers = runtime.NumCPU()
	}
	if spec.MaxPrompt <= 0 {
		spec.MaxPrompt = 16
	}
	if spec.KMeansPatches <= 0 {
		spec.KMeansPatches = 200000
	}
	if spec.KMeansIters <= 0 {
		spec.KMeansIters = 20
	}
	if log == nil {
		log = io.Discard
	}
	if spec.Tokenizer != nil {
		return withTokenizer(ctx, trainSet, valSet, spec, arch, log)
	}
	trainImgs := resizeAll(trainSet, spec.Size)
	valImgs := resizeAll(valSet, spec.Size)
	// Codebook: k-means over the training patches.
	var patches []float32
	for _, img := range trainImgs {
		patches = append(patches, kmeans.Patches(img, spec.Patch)...)
	}
	dim := 3 * spec.Patch * spec.Patch
	if n := len(patches) / dim; n < spec.Codes {
		// k-means said "176 vectors cannot make 256 clusters".
		return nil, fmt.Errorf("prepare: codebook: the training pictures have %d patches of %d×%d px, fewer than the %d codes asked: ask for fewer codes (tessera train --codes) or add pictures", n, spec.Patch, spec.Patch, spec.Codes)
	}
	fmt.Fprintf(log, "k-means: %d patches of %d×%d into %d codes\n", len(patches)/dim, spec.Patch, spec.Patch, spec.Codes)
	start := time.Now()
	line := progress.NewLine(log, 0, 0)
	iters, lastInertia := 0, 0.0
	centroids, err := kmeans.Fit(ctx, patches, dim, kmeans.Options{
		K: spec.Codes, Iters: spec.KMeansIters, Seed: spec.Seed, Workers: spec.Workers, MaxSamples: spec.KMeansPatches,
	}, func(iter int, inertia float64) {
		// At most Iters iterations (it may converge sooner): the time left
		// is an upper bound.
		left := time.Duration(float64(time.Since(start)) / float64(iter) * float64(spec.KMeansIters-iter)).Round(time.Second)
		eta := ""
		if left >= time.Second { // "at most 0s left" said nothing
			eta = fmt.Sprintf(", at most %s left", left)
		}
		iters, lastInertia = iter, inertia
		line.Update(int64(iter), int64(spec.KMeansIters), fmt.Sprintf("k-means iteration %d of at most %d%s, inertia %.1f", iter, spec.KMeansIters, eta, inertia))
	})
	if err == nil && iters < spec.KMeansIters && line.Shown() { // converged early: the bar is full
		line.Update(int64(iters), int64(iters), fmt.Sprintf("k-means converged after %d iterations, inertia %.1f", iters, lastInertia))
	}
	line.End("")
	if err != nil {
		return nil, fmt.Errorf("prepare: codebook: %w", err)
	}
	cb, err := codebook.New(spec.Patch, centroids)
	if err != nil {
		return nil, fmt.Errorf("prepare: codebook: %w", err)
	}
	return finish(ctx, trainSet, valSet, trainImgs, valImgs, tokenizer.Codebook{Codebook: cb}, spec, arch, log)
}

// withTokenizer prepares a dataset with a given (ViT) tokenizer.
func withTokenizer(ctx context.Context, trainSet, valSet []data.Sample, spec Spec, arch model.Config, log io.Writer) (*Prepared, error) {
	tok := spec.Tokenizer
	spec.Patch, spec.Codes, spec.Size = tok.PatchSize(), tok.Codes(), spec.Side()
	fmt.Fprintf(log, "tokenizer: %d codes of %d×%d px at %d×%d (given, not learnt)\n", spec.Codes, spec.Patch, spec.Patch, spec.Size, spec.Size)
	return finish(ctx, trainSet, valSet, resizeAll(trainSet, spec.Size), resizeAll(valSet, spec.Size), tok, spec, arch, log)
}

// poorTokenizerDB is the PSNR under which preparing warns that the
// tokenizer cannot hold the pictures (the studio's open warns under 19 dB;
// the emoji tokenizer redraws emoji at about 23).
const poorTokenizerDB = 18

// finish builds the prompt vocabulary and the configuration and tokenises
// both splits with tok.
func finish(ctx context.Context, trainSet, valSet []data.Sample, trainImgs, valImgs []*image.NRGBA, tok tokenizer.Tokenizer, spec Spec, arch model.Config, log io.Writer) (*Prepared, error) {
	grid := spec.Size / spec.Patch

	// Prompt vocabulary and length.
	var captions []string
	maxWords, own, ownMax := 0, 0, 0 // own: the captions of the data trained on, before the replayed ones
	for i, s := range slices.Concat(trainSet, valSet, spec.Replay) {
		for _, c := range sampleCaptions(s) {
			captions = append(captions, c)
			maxWords = max(maxWords, len(prompt.Split(c)))
		}
		if i < len(trainSet)+len(valSet) {
			own, ownMax = len(captions), maxWords
		}
	}
	L := min(maxWords, spec.MaxPrompt)
	if spec.Vocab != nil {
		L = spec.PromptLength
	}
	// The words a caption has past the prompt's L are never read: kept in
	// the vocabulary, they were words generate took without a warning and
	// the model never trained on.
	read := make([]string, len(captions))
	for i, c := range captions {
		w := prompt.Split(c)
		read[i] = strings.Join(w[:min(len(w), L)], " ")
	}
	vocab := prompt.BuildVocab(read)
	switch {
	case spec.Vocab != nil && spec.PromptLength == 0:
		vocab, L = []string{}, 0 // an unconditional model stays unconditional
	case spec.Vocab != nil:
		vocab, L = ExtendVocab(spec.Vocab, vocab), spec.PromptLength
	}
	ptok, err := prompt.New(vocab, L, spec.Codes)
	if err != nil {
		return nil, fmt.Errorf("prepare: vocabulary: %w", err)
	}
	cfg := arch
	cfg.Tessera = &model.Ext{
		Name: spec.Name, PatchSize: spec.Patch, Grid: [2]int{grid, grid}, PromptLength: L,
		PromptVocab: vocab, StyleWords: spec.StyleWords,
	}
	cfg.VocabSize = spec.Codes + len(vocab) + 1
	cfg.NPositions = L + grid*grid
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	fmt.Fprintf(log, "%s; pictures fitted to %d×%d px, a %d×%d grid of %d×%d-px patches\n",
		cfg.PromptSummary(), grid*spec.Patch, grid*spec.Patch, grid, grid, spec.Patch, spec.Patch)
	if L > 0 && ownMax > L {
		// A fine-tune keeps its model's prompt slots: longer captions
		// lose their last words, which the model then never learns to
		// draw from. Said of the data's own captions (a replay's are the
		// model's own, trained so before).
		long := 0
		for _, c := range captions[:own] {
			if len(prompt.Split(c)) > L {
				long++
			}
		}
		fmt.Fprintf(log, "warning: captions longer than the model's %s of prompt lose their last words: %d of %d (the longest has %d words)\n",
			plural.N(L, "word", "words"), long, own, ownMax)
	}

	p := &Prepared{Config: cfg, Tokenizer: tok}
	if cb, ok := tok.(tokenizer.Codebook); ok {
		p.Codebook = cb.Codebook
	}
	rng := rand.New(rand.NewPCG(spec.Seed, 0xa06))
	p.Train, err = tokenize(ctx, trainSet, trainImgs, tok, ptok, grid, spec, rng, log, "training")
	if err != nil {
		return nil, err
	}
	noShift := spec
	noShift.Shifts = 0
	p.Val, err = tokenize(ctx, valSet, valImgs, tok, ptok, grid, noShift, rng, log, "validation")
	if err != nil {
		return nil, err
	}
	if len(spec.Replay) > 0 {
		replay := noShift
		replay.StyleDrop = spec.ReplayStyleDrop
		p.Replay, err = tokenize(ctx, spec.Replay, resizeAll(spec.Replay, spec.Size), tok, ptok, grid, replay, rng, log, "replay")
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(log, "replay: %d examples from %s (no shifted copies)\n", len(p.Replay), plural.N(len(spec.Replay), "picture", "pictures"))
	}
	p.PSNR = meanPSNR(valImgs, tok, grid, spec.Workers)
	copies := ""
	if len(p.Train) != len(trainSet) {
		copies = ": shifted copies and each caption of an image are examples of their own"
	}
	fmt.Fprintf(log, "examples: %d training from %s, %d validation from %s%s; tokenizer PSNR on validation images %.2f dB\n",
		len(p.Train), plural.N(len(trainSet), "image", "images"), len(p.Val), plural.N(len(valSet), "image", "images"), copies, p.PSNR)
	if p.PSNR > 0 && p.PSNR < poorTokenizerDB {
		why := "its codebook was learnt from the training pictures alone, and few or varied ones leave others badly drawn: more pictures help" // k-means here
		switch {
		case spec.Tokenizer != nil && spec.Vocab != nil:
			why = "a fine-tune keeps its model's tokenizer; train from scratch for a codebook of their own"
		case spec.Tokenizer != nil:
			why = "the tokenizer was given; train without one for a codebook of their own"
		}
		fmt.Fprintf(log, "warning: the tokenizer redraws these pictures at only %.1f dB PSNR: what the model learns to draw will look that far from them (%s)\n", p.PSNR, why)
	}
	return p, nil
}

// encodingProgress reports on log, once a second, how many of n pictures
// (what: "training", "validation") done says are encoded, as a progress line
// (the ViT tokenizer takes minutes on one thread for the emoji data), with
// the time left at the rate so far; the function it returns stops it and
// ends the line. Nothing is written for a nil log or a run over within the
// first second.
func encodingProgress(log io.Writer, what string, n int, done *atomic.Int64) (stop func()) {
	if log == nil {
		return func() {}
	}
	quit, ended := make(chan struct{}), make(chan struct{})
	line := progress.NewLine(log, 0, 0) // drawn by the ticker's goroutine alone
	go func() {
		defer close(ended)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		start := time.Now()
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
				k := done.Load()
				text := fmt.Sprintf("encoding the %s pictures: %d of %d", what, k, n)
				if el := time.Since(start); k > 0 {
					text += fmt.Sprintf(" (%.0f a second, about %s left)", float64(k)/el.Seconds(),
						(time.Duration(float64(el) * float64(int64(n)-k) / float64(k))).Round(time.Second))
				}
				line.Update(k, int64(n), text)
			}
		}
	}()
	return func() {
		close(quit)
		<-ended
		if line.Shown() { // the whole count, without the time left
			line.Update(done.Load(), int64(n), fmt.Sprintf("encoding the %s pictures: %d of %d", what, done.Load(), n))
			line.End("")
		}
	}
}

// ExtendVocab returns base followed by the words of more that base lacks,
// in more's order (PAD is never added twice).
func ExtendVocab(base, more []string) []string {
	out := slices.Clone(base)
	seen := map[string]bool{prompt.PAD: true}
	for _, w := range base {
		seen[w] = true
	}
	for _, w := range more {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// sampleCaptions is the caption and every alternative name of a sample.
func sampleCaptions(s data.Sample) []string {
	return append([]string{s.Caption}, s.Names...)
}

// resizeAll resizes every sample's image to size×size (Lanczos, the image
// already opaque on white).
func resizeAll(samples []data.Sample, size int) []*image.NRGBA {
	out := make([]*image.NRGBA, len(samples))
	par.Each(len(samples), runtime.NumCPU(), func(i int) {
		img := samples[i].Image
		if b := img.Bounds(); b.Dx() == size && b.Dy() == size {
			out[i] = img
			return
		}
		r := resize.Resize(uint(size), uint(size), img, resize.Lanczos3)
		out[i] = codebook.Flatten(r)
	})
	return out
}

// shifted returns img moved by (dx, dy) with white filling the uncovered edge.
func shifted(img *image.NRGBA, dx, dy int) *image.NRGBA {
	b := img.Bounds()
	out := image.NewNRGBA(b)
	draw.Draw(out, b, image.White, image.Point{}, draw.Src)
	draw.Draw(out, b.Add(image.Pt(dx, dy)), img, b.Min, draw.Src)
	return out
}

// tokenize encodes each image (and its shifted copies) once and pairs the
// codes with every caption of the sample.
func tokenize(ctx context.Context, samples []data.Sample, imgs []*image.NRGBA, cb tokenizer.Tokenizer, tok *prompt.Tokenizer, grid int, spec Spec, rng *rand.Rand, log io.Writer, what string) ([]train.Example, error) {
	type job struct {
		sample int
		img    *image.NRGBA
	}
	var jobs []job
	for i, img := range imgs {
		jobs = append(jobs, job{i, img})
		for s := 0; s < spec.Shifts && spec.MaxShift > 0; s++ {
			dx := rng.IntN(2*spec.MaxShift+1) - spec.MaxShift
			dy := rng.IntN(2*spec.MaxShift+1) - spec.MaxShift
			if dx == 0 && dy == 0 {
				dx = 1
			}
			jobs = append(jobs, job{i, shifted(img, dx, dy)})
		}
	}
	codes := make([][]int32, len(jobs))
	errs := make([]error, len(jobs))
	var done atomic.Int64
	stopProgress := encodingProgress(log, what, len(jobs), &done)
	par.Each(len(jobs), spec.Workers, func(j int) {
		if ctx.Err() != nil {
			errs[j] = ctx.Err()
			return // not counted: a stopped preparation's last line said all were encoded
		}
		c, err := cb.Encode(jobs[j].img, grid, grid)
		done.Add(1)
		if err != nil {
			errs[j] = err
			return
		}
		codes[j] = make([]int32, len(c))
		for k, v := range c {
			codes[j][k] = int32(v)
		}
	})
	stopProgress()
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("prepare: tokenize: %w", err)
		}
	}
	var out []train.Example
	for j, jb := range jobs {
		for _, c := range sampleCaptions(samples[jb.sample]) {
			if spec.StyleDrop > 0 && rng.Float64() < spec.StyleDrop {
				c = dropStyle(c, spec.StyleWords)
			}
			enc := tok.Encode(c)
			ids := make([]int32, len(enc.IDs))
			for k, v := range enc.IDs {
				ids[k] = int32(v)
			}
			out = append(out, train.Example{Prompt: ids, Codes: codes[j]})
		}
	}
	return out, nil
}

// meanPSNR is the mean reconstruction PSNR of images through the tokenizer
// (an exact one counting psnr.Max: a codebook that holds a small dataset's
// patches exactly had printed 0 dB, the mean of nothing); NaN for no
// images.
func meanPSNR(imgs []*image.NRGBA, cb tokenizer.Tokenizer, grid, workers int) float64 {
	if len(imgs) == 0 {
		return math.NaN()
	}
	vals := make([]float64, len(imgs))
	par.Each(len(imgs), workers, func(i int) {
		codes, err := cb.Encode(imgs[i], grid, grid)
		if err != nil {
			vals[i] = math.NaN()
			return
		}
		vals[i] = psnr.Capped(psnr.Images(imgs[i], cb.Decode(codes, grid, grid)))
	})
	sum, n := 0.0, 0
	for _, v := range vals {
		if !math.IsNaN(v) {
			sum += v
			n++
		}
	}
	return sum / float64(max(n, 1))
}

// dropStyle removes a trailing style from a caption (a style may be several
// words, "fluent flat"); a caption that is only a style is kept.
func dropStyle(caption string, styles []string) string {
	if base, st := prompt.SplitStyle(caption, styles); st != "" && base != "" {
		return base
	}
	return caption
}
