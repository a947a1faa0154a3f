package app

import (
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"time"

	"github.com/nfnt/resize"

	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/train"
	"github.com/tessera-studio/tessera/engine/vit"
)

// tokenizerValImages is how many images the tokenizer holds out (about 3% of
// the six-style emoji set).
const tokenizerValFraction = 0.03

// runTrainTokenizer trains the ViT-VQ image tokenizer.
func runTrainTokenizer(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "train-tokenizer", "--data emoji|FOLDER --out RUN_DIR [flags]")
	dataset := fs.String("data", "emoji", "images: emoji (six styles, see make data) or a folder of PNG/JPEG images")
	out := fs.String("out", "", "run folder: checkpoint (resumed when present), tokenizer/ (best held-out PSNR), final/")
	minutes := fs.Float64("minutes", 0, "stop cleanly after this many minutes, with a checkpoint (0 = no limit)")
	steps := fs.Int("steps", 20000, "optimiser steps (the learning-rate schedule's length)")
	threads := fs.Int("threads", 0, "worker threads (0 = all cores)")
	size := fs.Int("size", 64, "image side in pixels")
	patch := fs.Int("patch", 4, "patch side p: (size/p)² codes per image")
	codes := fs.Int("codes", 1024, "codebook entries K")
	codeDim := fs.Int("code-dim", 16, "dimension of a code vector")
	width := fs.Int("width", 128, "transformer width")
	heads := fs.Int("heads", 4, "attention heads")
	encLayers := fs.Int("encoder-layers", 3, "encoder blocks")
	decLayers := fs.Int("decoder-layers", 5, "decoder blocks")
	batch := fs.Int("batch", 16, "images per step")
	lr := fs.Float64("lr", 1e-3, "peak learning rate")
	evalEvery := fs.Int("eval-every", 500, "steps between held-out evaluations")
	limit := fs.Int("limit", 0, "use only this many images (0 = all; for quick trials)")
	if _, err := parseFlags(fs, args); err != nil {
		return helpOr(fs, err)
	}
	if *out == "" {
		return usageError{"--out RUN_DIR is required"}
	}
	cfg := vit.Config{Type: vit.TypeViTVQ, ImageSize: *size, PatchSize: *patch, NEmbd: *width, NHead: *heads, NInner: 4 * *width,
		EncoderLayers: *encLayers, DecoderLayers: *decLayers, CodebookSize: *codes, CodeDim: *codeDim, LayerNormEpsilon: 1e-5}
	if err := cfg.Validate(); err != nil {
		return usageError{err.Error()}
	}
	trainImgs, valImgs, err := tokenizerImages(ctx, *dataset, *size, *limit, env)
	if err != nil {
		return err
	}
	opt := train.DefaultViTOptions(cfg)
	opt.Steps, opt.Minutes, opt.Workers, opt.Out, opt.Batch, opt.LR, opt.EvalEvery = *steps, *minutes, *threads, *out, *batch, *lr, *evalEvery
	fmt.Fprintf(env.Stderr, "tokenizer: %d×%d px, %d codes of %d×%d px from %d entries; %d training and %d held-out images\n",
		*size, *size, cfg.Tokens(), *patch, *patch, *codes, len(trainImgs), len(valImgs))
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
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(env.Stderr, "interrupted: checkpoint saved; run the same command again to resume")
		return nil
	}
	return err
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
		all, rep, err = data.Folder(ctx, dataset)
	}
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(env.Stderr, "loaded %d images, skipped %d\n", rep.Loaded, rep.Skipped)
	for _, s := range data.EmojiStyles() {
		if c, ok := rep.Styles[s]; ok {
			fmt.Fprintf(env.Stderr, "  %-16s %5d images matched, %4d files left out\n", s, c.Matched, c.Unmatched)
		}
	}
	if limit > 0 && limit < len(all) {
		all = all[:limit]
	}
	tr, va := data.SplitImages(all, tokenizerValFraction, 1)
	return rgbImages(tr, S), rgbImages(va, S), nil
}

// rgbImages resizes samples to S×S (Lanczos) and packs them as RGB bytes.
func rgbImages(samples []data.Sample, S int) [][]uint8 {
	out := make([][]uint8, len(samples))
	for i, s := range samples {
		var img image.Image = s.Image
		if b := s.Image.Bounds(); b.Dx() != S || b.Dy() != S {
			img = resize.Resize(uint(S), uint(S), s.Image, resize.Lanczos3)
		}
		buf := make([]uint8, S*S*3)
		for y := range S {
			for x := range S {
				r, g, b, _ := img.At(x, y).RGBA()
				o := (y*S + x) * 3
				buf[o], buf[o+1], buf[o+2] = uint8(r>>8), uint8(g>>8), uint8(b>>8)
			}
		}
		out[i] = buf
	}
	return out
}
