package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nfnt/resize"

	"github.com/tessera-studio/tessera/engine/atomicfile"
	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/nearest"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/psnr"
	"github.com/tessera-studio/tessera/engine/render"
	"github.com/tessera-studio/tessera/engine/tokenizer"
	"github.com/tessera-studio/tessera/engine/train"
	"github.com/tessera-studio/tessera/engine/train/kmeans"
	"github.com/tessera-studio/tessera/engine/trainjob"
	"github.com/tessera-studio/tessera/engine/vit"
	"github.com/tessera-studio/tessera/internal/paths"
	"github.com/tessera-studio/tessera/internal/plural"
)

// tokenizerValImages is how many images the tokenizer holds out (about 3% of
// the six-style emoji set).
const tokenizerValFraction = 0.03

// runTrainTokenizer trains the ViT-VQ image tokenizer.
func runTrainTokenizer(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "train-tokenizer", "--data emoji|FOLDER --out RUN_DIR [flags]")
	dataset := fs.String("data", "emoji", "images: emoji (six styles, see make data) or a folder of images (PNG, JPEG, GIF, BMP, TIFF, WebP)")
	out := fs.String("out", "", "run folder: checkpoint (resumed when present), tokenizer/ (best held-out PSNR), final/")
	minutes := rangedFloat(fs, "minutes", 0, 0, 1e+06, false, "stop cleanly after this many minutes, with a checkpoint (0 = no limit)")
	steps := rangedInt(fs, "steps", 20000, 1, 100000000, "optimiser steps (the learning-rate schedule's length; may be changed when resuming)")
	stopAt := rangedInt(fs, "stop-at", 0, 0, 100000000, "stop this run at this step, with a checkpoint (0 = at --steps)")
	threads := rangedInt(fs, "threads", 0, 0, 1024, "worker threads (0 = all cores)")
	size := rangedInt(fs, "size", 64, 8, 4096, "image side in pixels")
	patch := rangedInt(fs, "patch", 4, 1, 64, "patch side p: (size/p)² codes per image")
	codes := rangedInt(fs, "codes", 1024, 2, 65536, "codebook entries K")
	codeDim := rangedInt(fs, "code-dim", 16, 1, 1024, "dimension of a code vector")
	width := rangedInt(fs, "width", 128, 1, 4096, "transformer width")
	heads := rangedInt(fs, "heads", 4, 1, 256, "attention heads")
	encLayers := rangedInt(fs, "encoder-layers", 3, 1, 64, "encoder blocks")
	decLayers := rangedInt(fs, "decoder-layers", 5, 1, 64, "decoder blocks")
	batch := rangedInt(fs, "batch", 16, 1, 4096, "images per step")
	lr := rangedFloat(fs, "lr", 1e-3, 0, 10, true, "peak learning rate")
	evalEvery := rangedInt(fs, "eval-every", 500, 1, 100000000, "steps between held-out evaluations")
	limit := rangedInt(fs, "limit", 0, 0, 1000000000, "use only this many images (0 = all; for quick trials)")
	preVQ := rangedInt(fs, "pre-vq-steps", 300, 0, 100000000, "steps as a plain autoencoder before the codebook is initialised by k-means")
	warmup := rangedInt(fs, "warmup", 300, 0, 100000000, "learning-rate warm-up steps")
	init := fs.String("init", "", "start from this tokenizer folder (or a model folder that has one): its architecture and weights, codebook included; the architecture flags are then refused (the architecture is the tokenizer's)")
	decoderOnly := fs.Bool("decoder-only", false, "with --init: train only the decoder; the encoder and codebook stay as they are, so every image keeps its codes and the models trained on them keep working with the new decoder")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return helpOr(fs, err)
	}
	if err := noArguments(pos, "the run folder goes in --out"); err != nil {
		return err
	}
	// A folder named without a '/' ("--data photos") is kept as "./photos",
	// so that the run records it by its absolute path below.
	*dataset = asFolder(*dataset, []string{"emoji"})
	set := flagsSet(fs)
	if *out == "" {
		return usageError{"--out RUN_DIR is required"}
	}
	if err := trainjob.CheckTokenizerRunFolder(*out); err != nil {
		return err
	}
	// A run folder with a checkpoint resumes with the run's own settings,
	// as train --resume does: the flags not given now are the run's (a
	// resume given only --minutes took every default: all 19,030 images
	// where the run had used 300, other held-out images, a 20,000-step
	// schedule, and the architecture flags had to be given again).
	resuming, resumedData := false, ""
	if ck := filepath.Join(*out, train.ViTCheckpointFile); fileExists(ck) {
		st, err := train.ReadViTState(ck)
		if err != nil {
			return fmt.Errorf("train-tokenizer: read the run's checkpoint: %w", err)
		}
		resuming = true
		o, c := st.Options, st.Options.Config
		resumedData = o.Data
		if set["data"] && o.Data != "" && !sameData(*dataset, o.Data) {
			// Refused before its images are read (it said "resuming … with
			// its own settings (data NEW)" first).
			return usageError{fmt.Sprintf("--data %s: the run in %s trains on %s and a resume keeps its data (another --out starts anew)", *dataset, *out, o.Data)}
		}
		// What the run keeps (the engine resumes with its checkpoint's
		// options): given otherwise now, refused rather than ignored.
		its := map[string]string{
			"limit": strconv.Itoa(o.Limit), "size": strconv.Itoa(c.ImageSize), "patch": strconv.Itoa(c.PatchSize),
			"codes": strconv.Itoa(c.CodebookSize), "code-dim": strconv.Itoa(c.CodeDim), "width": strconv.Itoa(c.NEmbd),
			"heads": strconv.Itoa(c.NHead), "encoder-layers": strconv.Itoa(c.EncoderLayers), "decoder-layers": strconv.Itoa(c.DecoderLayers),
			"batch": strconv.Itoa(o.Batch), "lr": strconv.FormatFloat(o.LR, 'g', -1, 64), "eval-every": strconv.Itoa(o.EvalEvery),
			"pre-vq-steps": strconv.Itoa(o.PreVQSteps), "warmup": strconv.Itoa(o.Warmup), "init": o.Init, "decoder-only": strconv.FormatBool(o.DecoderOnly),
		}
		for name, v := range its {
			if f := fs.Lookup(name); set[name] && f.Value.String() != v {
				return usageError{fmt.Sprintf("--%s %s: the run in %s keeps its own (%s); a resume changes only --steps, --minutes, --stop-at and --threads (another --out starts anew)", name, f.Value.String(), *out, v)}
			}
		}
		for name, keep := range map[string]func(){
			"data": func() {
				if o.Data != "" {
					*dataset = o.Data
				}
			},
			"limit": func() { *limit = o.Limit }, "steps": func() { *steps = o.Steps },
			"size": func() { *size = c.ImageSize }, "patch": func() { *patch = c.PatchSize },
			"codes": func() { *codes = c.CodebookSize }, "code-dim": func() { *codeDim = c.CodeDim },
			"width": func() { *width = c.NEmbd }, "heads": func() { *heads = c.NHead },
			"encoder-layers": func() { *encLayers = c.EncoderLayers }, "decoder-layers": func() { *decLayers = c.DecoderLayers },
			"batch": func() { *batch = o.Batch }, "lr": func() { *lr = o.LR }, "eval-every": func() { *evalEvery = o.EvalEvery },
			"pre-vq-steps": func() { *preVQ = o.PreVQSteps }, "warmup": func() { *warmup = o.Warmup },
			"init": func() { *init = o.Init }, "decoder-only": func() { *decoderOnly = o.DecoderOnly },
		} {
			if !set[name] {
				keep()
			}
		}
		if *steps < st.Step {
			// A schedule shorter than the steps done did nothing and
			// exited 0 (train refuses it; the same length reruns a
			// finished stage, as scripts/train-model.sh does).
			return usageError{fmt.Sprintf("--steps %d: the run in %s is at step %d already; a longer schedule is --steps %d or more", *steps, *out, st.Step, st.Step+1)}
		}
		fmt.Fprintf(env.Stderr, "resuming the run in %s at step %d with its own settings (data %s, %s, a %d-step schedule, %d×%d px codes, width %d, batch %d); --steps, --minutes, --stop-at and --threads may change\n",
			*out, st.Step, *dataset, imagesUsed(*limit), *steps, *patch, *patch, *width, *batch)
	}
	if *init == "" && *preVQ >= *steps {
		// The codebook would never start: no evaluation and no tokenizer,
		// and "run again to go on" went on to nothing.
		return usageError{fmt.Sprintf("--pre-vq-steps %d is the whole schedule (--steps %d): the codebook would never start; give more --steps or fewer --pre-vq-steps", *preVQ, *steps)}
	}
	if *decoderOnly && *init == "" {
		return usageError{"--decoder-only needs --init TOKENIZER (the encoder and codebook to keep)"}
	}
	cfg := vit.Config{Type: vit.TypeViTVQ, ImageSize: *size, PatchSize: *patch, NEmbd: *width, NHead: *heads, NInner: 4 * *width,
		EncoderLayers: *encLayers, DecoderLayers: *decLayers, CodebookSize: *codes, CodeDim: *codeDim, LayerNormEpsilon: 1e-5}
	if *init != "" && !resuming { // a resume has its architecture (its --init's) in its checkpoint
		for _, f := range []string{"size", "patch", "codes", "code-dim", "width", "heads", "encoder-layers", "decoder-layers"} {
			if set[f] {
				return usageError{fmt.Sprintf("--%s: the architecture comes from --init %s", f, *init)}
			}
		}
		var err error
		switch cfg, err = vit.LoadConfig(filepath.Join(*init, vit.ConfigFile)); {
		case errors.Is(err, os.ErrNotExist) && !isDir(*init) && builtinTokenizerHint("init", *init) != "":
			return usageError{builtinTokenizerHint("init", *init)}
		case errors.Is(err, os.ErrNotExist):
			return usageError{fmt.Sprintf("--init %s: no ViT tokenizer there (%s and %s; a model with a patch codebook has none to train)", *init, vit.ConfigFile, vit.WeightsFile)}
		case err != nil:
			return err
		}
		*size = cfg.ImageSize
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err.Error()}
	}
	trainImgs, valImgs, err := tokenizerImages(ctx, *dataset, *size, *limit, env)
	if err != nil {
		return err
	}
	opt := train.DefaultViTOptions(cfg)
	opt.Steps, opt.Minutes, opt.Workers, opt.Out, opt.Batch, opt.LR, opt.MinLR, opt.EvalEvery = *steps, *minutes, *threads, *out, *batch, *lr, *lr/10, *evalEvery
	opt.PreVQSteps, opt.Warmup, opt.StopAt = *preVQ, *warmup, *stopAt
	opt.Data, opt.Limit = *dataset, *limit
	opt.Init, opt.DecoderOnly = *init, *decoderOnly
	if bundle.IsFolder(*dataset) {
		if abs, err := filepath.Abs(*dataset); err == nil {
			opt.Data = abs
		}
	}
	if resumedData != "" {
		// The run's own spelling of its data, which sameData accepted the
		// one given for (TrainViT compares the two as written: a run
		// recorded as "pics" refused "/home/me/pics").
		opt.Data = resumedData
	}
	fmt.Fprintf(env.Stderr, "tokenizer: %d×%d px, %d codes of %d×%d px from %d entries; %d training and %d held-out images\n",
		cfg.ImageSize, cfg.ImageSize, cfg.Tokens(), cfg.PatchSize, cfg.PatchSize, cfg.CodebookSize, len(trainImgs), len(valImgs))
	start := time.Now()
	evals, err := train.TrainViT(ctx, opt, trainImgs, valImgs, env.Stderr)
	if len(evals) > 0 {
		last := evals[len(evals)-1]
		best := last
		for _, e := range evals {
			if e.PSNR > best.PSNR {
				best = e
			}
		}
		fmt.Fprintf(env.Stdout, "tokenizer: held-out %.2f dB at step %d (best %.2f dB at step %d, exported to %s), %d codes used, perplexity %.0f; this run %s\n",
			last.PSNR, last.Step, best.PSNR, best.Step, filepath.Join(*out, "tokenizer"), last.Used, last.Perplexity, time.Since(start).Round(time.Second))
	} else if err == nil {
		fmt.Fprintf(env.Stdout, "tokenizer: no held-out evaluation yet (the codebook starts at step %d); run again to go on\n", opt.PreVQSteps)
	}
	if len(evals) > 0 {
		if werr := writeTokenizerCard(*out, opt, evals, args, len(valImgs), len(trainImgs)+len(valImgs)); werr != nil {
			fmt.Fprintln(env.Stderr, "warning: tokenizer card:", werr)
		}
	}
	if errors.Is(err, context.Canceled) {
		// An error status, so that a script running several stages stops here.
		return errors.New("interrupted: checkpoint saved; run the same command again to resume")
	}
	return err
}

// imagesUsed says how many images a --limit uses.
func imagesUsed(limit int) string {
	if limit <= 0 {
		return "all its images"
	}
	return plural.N(limit, "image", "images") + " of them"
}

// tokenizerCardFile records, beside an exported tokenizer, how it was made.
const tokenizerCardFile = "TOKENIZER.md"

// writeTokenizerCard writes RUN/tokenizer/TOKENIZER.md: the command, the
// architecture, the steps and time over all runs, and the held-out figures
// with how many of the images used were held out (heldOut of images).
func writeTokenizerCard(runDir string, opt train.ViTOptions, evals []train.ViTPoint, args []string, heldOut, images int) error {
	st, err := train.ReadViTState(filepath.Join(runDir, train.ViTCheckpointFile))
	if err != nil {
		return err
	}
	c := st.Options.Config
	best := evals[0]
	for _, e := range evals {
		if e.PSNR > best.PSNR {
			best = e
		}
	}
	_, n := vit.Layout(c)
	var b strings.Builder
	fmt.Fprintf(&b, "## Image tokenizer (tokenizer_config.json, tokenizer.safetensors)\n\n")
	fmt.Fprintf(&b, "Made by Tessera %s with (run again to resume; `--steps` may be changed on a resume):\n\n    tessera train-tokenizer %s\n\n", Version, strings.Join(quoteArgs(args), " "))
	fmt.Fprintf(&b, "- ViT-VQ: %d×%d px images as %d×%d patches of %d×%d px; %d encoder + %d decoder blocks × %d wide (%d heads, MLP %d); %d codes of dimension %d (l2-normalised, EMA codebook from k-means, dead entries restarted); %d parameters\n",
		c.ImageSize, c.ImageSize, c.Grid(), c.Grid(), c.PatchSize, c.PatchSize, c.EncoderLayers, c.DecoderLayers, c.NEmbd, c.NHead, c.NInner, c.CodebookSize, c.CodeDim, n)
	loss := fmt.Sprintf("MSE + %g × commitment", st.Options.Beta)
	if st.Options.DecoderOnly {
		loss = "MSE; the decoder alone, from " + st.Options.Init + ", whose encoder and codebook it keeps"
	} else if st.Options.Init != "" {
		loss += "; from " + st.Options.Init
	}
	fmt.Fprintf(&b, "- Training: %d of %d steps of %d images (AdamW, lr %g → %g, %s, %.0f%% partial grids), %s on this machine's CPU (%s)\n",
		st.Step, st.Options.Steps, st.Options.Batch, st.Options.LR, st.Options.MinLR, loss, 100*st.Options.PartialProb, (time.Duration(st.ElapsedS) * time.Second).Round(time.Second), runtimeDesc())
	// The share drawn (tokenizerValFraction) is the emoji set's; a folder
	// of 8 pictures holds out 1, 12.5% (it said 3%).
	fmt.Fprintf(&b, "- Held-out images (%s of %s, %s%% of the data, never trained on): %.2f dB PSNR at step %d (these weights), %d of %d codes used, perplexity %.0f\n",
		plural.Thousands(heldOut), plural.Thousands(images), strconv.FormatFloat(100*float64(heldOut)/float64(max(images, 1)), 'g', 3, 64), best.PSNR, best.Step, best.Used, c.CodebookSize, best.Perplexity)
	return atomicfile.WriteBytes(filepath.Join(runDir, "tokenizer", tokenizerCardFile), []byte(b.String()))
}

// tokenizerImages loads a dataset as S×S RGB byte images and holds out
// about 3% of them (by image, as the emoji model's split does).
func tokenizerImages(ctx context.Context, dataset string, S, limit int, env Env) (trainImgs, valImgs [][]uint8, err error) {
	var all []data.Sample
	var rep data.Report
	switch {
	case dataset == "emoji":
		all, rep, err = data.Emoji(ctx, "")
	default:
		if _, serr := os.Stat(dataset); serr != nil {
			return nil, nil, usageError{fmt.Sprintf("unknown dataset %q: use emoji or a folder of images", dataset)}
		}
		// A training run's folder or a model's holds sample grids and
		// loss plots, no training pictures (train refused it; this
		// trained on loss.png and samples.png).
		if np := (*trainjob.NotPicturesError)(nil); errors.As(trainjob.CheckDataFolder(dataset), &np) {
			return nil, nil, usageError{np.Refusal()}
		}
		all, rep, err = data.Folder(ctx, dataset)
	}
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(env.Stderr, "loaded %s, skipped %d\n", plural.N(rep.Loaded, "image", "images"), rep.Skipped)
	for _, w := range rep.Warnings {
		fmt.Fprintln(env.Stderr, "  warning:", w)
	}
	writeStyleCounts(env.Stderr, rep.Styles)
	if limit > 0 && limit < len(all) {
		all = all[:limit]
	}
	tr, va := data.SplitImages(all, tokenizerValFraction, 1)
	return rgbImages(tr, S), rgbImages(va, S), nil
}

// writeStyleCounts writes a line per emoji style loaded: the images matched
// and the files left out, the style named as captions name it ("fluent
// flat", not "fluent-flat").
func writeStyleCounts(w io.Writer, styles map[string]data.StyleCount) {
	for _, s := range data.EmojiStyles() {
		if c, ok := styles[s]; ok {
			fmt.Fprintf(w, "  %-16s %5d images matched, %4d files left out\n", data.StyleWords(s), c.Matched, c.Unmatched)
		}
	}
}

// rgbImages resizes samples to S×S (Lanczos) and packs them as RGB bytes.
func rgbImages(samples []data.Sample, S int) [][]uint8 {
	out := make([][]uint8, len(samples))
	for i, s := range samples {
		out[i] = nearest.PackRGB(s.Image, S, resize.Lanczos3)
	}
	return out
}

// runEvalTokenizer measures a ViT tokenizer on the held-out images of its
// dataset beside a k-means patch codebook with the same token count, and
// can draw a sheet of originals, k-means and ViT reconstructions.
func runEvalTokenizer(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "eval-tokenizer", "--tokenizer DIR [--data emoji|FOLDER] [--sheet OUT.png] [--json]")
	dir := fs.String("tokenizer", "", "tokenizer folder (tokenizer_config.json + tokenizer.safetensors), a model folder that has one, or a run folder (train-tokenizer's: its tokenizer/; train's: its model/)")
	dataset := fs.String("data", "emoji", "images: emoji or a folder (held out as train-tokenizer holds them out)")
	sheet := fs.String("sheet", "", "write a PNG sheet: originals, k-means, ViT reconstructions of held-out images")
	sheetN := rangedInt(fs, "sheet-images", 12, 1, 256, "images on the sheet")
	kmK := rangedInt(fs, "kmeans-codes", 1024, 0, 65536, "entries of the k-means codebook compared (0: skip it)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	force := forceFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return helpOr(fs, err)
	}
	if err := noArguments(pos, "the tokenizer folder goes in --tokenizer"); err != nil {
		return err
	}
	warnForceUnused(env.Stderr, *force, *sheet != "", "--sheet")
	if *dir == "" {
		return usageError{"--tokenizer DIR is required"}
	}
	if _, err := os.Stat(*dir); err != nil {
		if hint := builtinTokenizerHint("tokenizer", *dir); hint != "" {
			return usageError{hint}
		}
	}
	tokDir, err := vitTokenizerFolder("tokenizer", *dir)
	if err != nil {
		return err
	}
	if *sheet != "" { // before minutes of evaluation
		if err := checkOut("sheet", *sheet, ".png", *force); err != nil {
			return err
		}
	}
	m, err := train.LoadViT(tokDir, 16, 0)
	if err != nil {
		return err
	}
	cfg := m.Config
	S, p := cfg.ImageSize, cfg.PatchSize
	trainImgs, valImgs, err := tokenizerImages(ctx, *dataset, S, 0, env)
	if err != nil {
		return err
	}
	vitPSNR, counts := train.EvalViT(m, valImgs)
	perp, used := train.Perplexity(counts)
	out := map[string]any{"images": len(valImgs), "image_size": S, "patch_size": p, "codes_per_image": cfg.Tokens(),
		"vit_psnr_db": vitPSNR, "vit_codebook_size": cfg.CodebookSize, "vit_codes_used": used, "vit_perplexity": perp}
	var cb *codebook.Codebook
	if *kmK > 0 {
		var patches []float32
		for i, img := range trainImgs {
			if i%4 == 0 { // a quarter of the images: 1.2M patches are more than k-means needs
				patches = append(patches, kmeans.Patches(nearest.UnpackRGB(img, S), p)...)
			}
		}
		if n := len(patches) / (3 * p * p); n < *kmK {
			return fmt.Errorf("the k-means codebook: the training images have %d patches of %d×%d px, fewer than --kmeans-codes %d: give fewer (0: no k-means codebook)", n, p, p, *kmK)
		}
		fmt.Fprintf(env.Stderr, "k-means: %d patches of %d×%d into %d codes\n", len(patches)/(3*p*p), p, p, *kmK)
		cents, err := kmeans.Fit(ctx, patches, 3*p*p, kmeans.Options{K: *kmK, Iters: 20, Seed: 1, MaxSamples: 200000}, nil)
		if err != nil {
			return err
		}
		if cb, err = codebook.New(p, cents); err != nil {
			return err
		}
		var sum float64
		for _, img := range valImgs {
			src := nearest.UnpackRGB(img, S)
			q, err := cb.Quantize(src, S/p, S/p)
			if err != nil {
				return err
			}
			sum += psnr.Capped(psnr.Images(src, q))
		}
		out["kmeans_psnr_db"], out["kmeans_codebook_size"] = sum/float64(len(valImgs)), *kmK
	}
	if *sheet != "" {
		rows := [][]image.Image{nil, nil, nil}
		n := min(*sheetN, len(valImgs))
		for k := range n {
			img := valImgs[k*len(valImgs)/n]
			src := nearest.UnpackRGB(img, S)
			rows[0] = append(rows[0], src)
			if cb != nil {
				q, _ := cb.Quantize(src, S/p, S/p)
				rows[1] = append(rows[1], q)
			}
			if _, err := m.Reconstruct([][]uint8{img}); err != nil {
				return err
			}
			rec := make([]uint8, S*S*3)
			m.Pixels(rec, 0)
			rows[2] = append(rows[2], nearest.UnpackRGB(rec, S))
		}
		if err := pngmeta.WriteFileAtomic(*sheet, render.Sheet(rows, 2*S, 4), nil); err != nil {
			return err
		}
		out["sheet"] = *sheet
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(out)
	}
	fmt.Fprintf(env.Stdout, "held-out images: %d at %d×%d, %d codes each (%d×%d px patches)\n", len(valImgs), S, S, cfg.Tokens(), p, p)
	fmt.Fprintf(env.Stdout, "ViT-VQ tokenizer:  %.2f dB PSNR (%d entries, %d used, perplexity %.0f)\n", vitPSNR, cfg.CodebookSize, used, perp)
	if v, ok := out["kmeans_psnr_db"]; ok {
		fmt.Fprintf(env.Stdout, "k-means codebook:  %.2f dB PSNR (%d entries of %d×%d px)\n", v, *kmK, p, p)
	}
	return nil
}

// vitTokenizerFolder is the folder of the ViT tokenizer that dir, given to
// flag, names: dir itself when it holds one (a tokenizer's or a model's
// folder), else a train-tokenizer run's dir/tokenizer or a train run's
// dir/model, as --model takes a run folder for its model. A folder that is
// not there, a model or run on a patch codebook (no ViT tokenizer to
// measure) and a folder holding no tokenizer are a usageError that says so
// (it said "load DIR/tokenizer_config.json: no such file").
func vitTokenizerFolder(flag, dir string) (string, error) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return "", usageError{fmt.Sprintf("--%s %s: there is no such folder (give a ViT tokenizer's folder: tessera train-tokenizer writes one as RUN_DIR/tokenizer)", flag, dir)}
	}
	for _, d := range []string{dir, filepath.Join(dir, "tokenizer"), train.RunModelDir(dir)} {
		if tokenizer.Exists(d) {
			return d, nil
		}
	}
	for _, d := range []string{dir, train.RunModelDir(dir)} {
		if fileExists(filepath.Join(d, bundle.CodebookFile)) {
			return "", usageError{fmt.Sprintf("--%s %s: the model in %s has a patch codebook (%s, learnt by k-means), not a ViT tokenizer: give a ViT tokenizer's folder (tessera train-tokenizer writes one as RUN_DIR/tokenizer)", flag, dir, d, bundle.CodebookFile)}
		}
	}
	return "", usageError{fmt.Sprintf("--%s %s: no ViT tokenizer there (%s and %s, in the folder, its tokenizer/ or its model/): give a ViT tokenizer's folder (tessera train-tokenizer writes one as RUN_DIR/tokenizer)", flag, dir, vit.ConfigFile, vit.WeightsFile)}
}

// builtinTokenizerHint says, for name a built-in model's name given to
// flag (tokenizer, init) where a tokenizer folder is wanted, where that
// model's tokenizer is ("" for another name): the binary embeds it, but a
// run records a folder. A model on a patch codebook (mnist) has no ViT
// tokenizer to give.
func builtinTokenizerHint(flag, name string) string {
	if !slices.Contains(Catalog{}.Builtin(), name) {
		return ""
	}
	if b, err := openModel(io.Discard, name, ""); err == nil && b.Codebook != nil {
		if flag == "init" {
			return fmt.Sprintf("--init %s: %s is a built-in model on a patch codebook, which has no ViT tokenizer to start from: leave --init out to train one from scratch", name, name)
		}
		return fmt.Sprintf("--%s %s: %s is a built-in model on a patch codebook, not a ViT tokenizer: leave --%s out to learn a codebook (a fine-tune, train --init %s, keeps its model's)", flag, name, name, flag, name)
	}
	return fmt.Sprintf("--%s %s: %s is a built-in model, and a tokenizer is given as a folder: in Tessera's source, give --%s assets/models/%s, which holds its tokenizer (and a fine-tune, train --init %s, keeps its model's)", flag, name, name, flag, name, name)
}

// sameData reports whether the --data given names the data a run recorded:
// a built-in name as it is, a folder by its absolute path.
func sameData(given, recorded string) bool {
	if given == recorded {
		return true
	}
	if !bundle.IsFolder(given) {
		return false
	}
	if !filepath.IsAbs(recorded) {
		// Recorded as typed (runs made before folders were recorded by
		// their absolute path): the same spelling, "./photos" for "photos".
		return filepath.Clean(given) == filepath.Clean(recorded)
	}
	abs, err := filepath.Abs(given)
	return err == nil && paths.Same(abs, recorded)
}
