package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"

	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/sampling"
)

func runBranch(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "branch", "--from IMAGE.png --at K [--model M] [--out PATH.png] [sampling flags]")
	var sf samplingFlags
	sf.register(fs)
	usePictureFlags(fs)
	fs.Lookup("prompt").Usage = "text prompt (default: the image's own, from its record or A1111 parameters; --prompt \"\" draws without one)"
	from := fs.String("from", "", "the image to branch from (its stored tokens, else its pixels encoded)")
	at := rangedInt(fs, "at", -1, 0, 1<<30, "keep the first K patches (raster order) and resample the rest (required)")
	fs.Lookup("at").DefValue = "0" // no "(default -1)" for a flag that must be given
	out := fs.String("out", "branch.png", "output PNG (with --batch B: PATH-1.png … PATH-B.png)")
	scale := rangedInt(fs, "scale", 1, 1, 16, "upscale the saved PNG")
	rank := fs.Bool("rank", false, "order the batch best first as generate --rank does, scored from patch K on")
	rankBy := rankByFlag(fs)
	quiet := fs.Bool("quiet", false, "no progress bar")
	asJSON := fs.Bool("json", false, "list the images as JSON, one object a line, as generate --json does")
	force := forceFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return helpOr(fs, err)
	}
	if err := noArguments(pos, "the image goes in --from"); err != nil {
		return err
	}
	set := flagsSet(fs)
	*rank = *rank || set["rank-by"] // an order asked for ranks
	switch {
	case *from == "":
		return usageError{"--from IMAGE is required"}
	case !set["at"]:
		return usageError{"--at K is required: the number of patches to keep (raster order), 0 or more"}
	case *at < 0:
		return usageError{fmt.Sprintf("--at %d: give the number of patches to keep, 0 or more", *at)}
	}
	outs := numberedOuts(*out, sf.batch, false)
	if err := checkOuts("out", *out, outs, ".png", *force, *from); err != nil {
		return err
	}
	if err := checkInputFile("from", *from); err != nil {
		return err
	}
	b, err := openPictureModel(logFor(env, *quiet), env.Stderr, sf, set["precision"], *from)
	if err != nil {
		return err
	}
	if err := checkModelScale(b, *scale); err != nil {
		return err
	}
	tokens, rec, _, err := imageTokens(b, *from, env.Stderr)
	if stopped := (stoppedImage{}); errors.As(err, &stopped) && rec != nil {
		// A stopped run's picture: its codes drawn are kept, and the
		// patches after them drawn, which finishes it.
		if *at > stopped.drawn {
			return usageError{fmt.Sprintf("--at %d: %s is a stopped run's picture with %d of its %d patches drawn: keep at most those (--at %d finishes it)", *at, *from, stopped.drawn, stopped.total, stopped.drawn)}
		}
		tokens, err = make([]int, stopped.total), nil
		copy(tokens, rec.Tokens)
	}
	if err != nil {
		return err
	}
	opt, err := sf.options(b)
	if err != nil {
		return err
	}
	if opt.Workers == 0 {
		opt.Workers = runtime.NumCPU()
	}
	// Settings not given on the command line come from the image.
	stored := readDrawing(*from) // Tessera's record, else an A1111 "parameters" text
	if !set["prompt"] {
		opt.Prompt = stored.Prompt
	}
	if !set["negative"] {
		opt.Negative = stored.Negative
	}
	// An edit's knobs are the edit model's, another model's its own, and
	// an imported picture has none: only the record of this model's
	// drawing carries settings over.
	if rec.Sampled() && rec.ModelHash == b.Model.Hash {
		for _, sp := range sampling.Knobs() {
			// a 0 that means "unset" (top-p, guidance) keeps the model's
			// value; a 0 temperature is greedy, and is taken
			v := sp.Get(rec.Settings)
			if !set[string(sp.Knob)] && sp.Check(v) == nil && !(v == 0 && sp.ZeroUnset) {
				sp.Set(&opt.Settings, v)
			}
		}
		// The studio's temperature brush: the patches painted are drawn
		// at their own temperatures, as the picture was (a branch of it
		// drew them all at one and gave another picture for its seed).
		if temps := rec.PatchTemperatures(b.ImageTokens()); temps != nil && !set["temperature"] {
			opt.PatchTemperature = temps
			fmt.Fprintf(env.Stderr, "the picture's painted temperatures are kept (temperature %s); --temperature draws every patch at one\n", rec.PatchTemperatureNote())
		}
	}
	// A branch continues the image under its own prompt: no style is
	// drawn per seed (sampler.Complete), so none is recorded either.
	if set[string(sampling.KnobStylePerSeed)] && opt.StylePerSeed != 0 {
		return usageError{"--style-per-seed: a branch continues the image with its own prompt; a style per seed is for new images (tessera generate)"}
	}
	opt.StylePerSeed = 0
	if b.Conditional() { // as generate refuses it
		if err := checkComposed(env.Stderr, opt.Prompt); err != nil {
			return err
		}
		if err := checkPromptKnown(b, opt.Prompt, !set["prompt"]); err != nil {
			return err
		}
		warnNegative(env.Stderr, b, opt) // as generate warns of it (one taken from an A1111 text said nothing)
	}
	var emit func(sampler.Event)
	if !*quiet {
		emit = progressPrinter(env.Stderr, opt.Batch)
	}
	if n := b.ImageTokens(); *at >= n {
		return usageError{fmt.Sprintf("--at %d: the image has %d patches; keep 0 to %d of them", *at, n, n-1)}
	}
	noteReplacing(env, "out", outs)
	res, err := sampler.Complete(ctx, b, opt, tokens, *at, emit)
	for err == nil && !res.Stopped && allSource(res.Images, tokens) && !set["temperature"] && !set["guidance"] && opt.Temperature > 0 {
		// A model that knows its pictures by heart redraws them exactly at
		// its recommended settings: drawn again with more variation, as
		// the studio does, unless the settings were given or the picture
		// was drawn greedily (temperature 0: the same picture is asked),
		// warmer each time up to sampling.VariedMaxTemperature (the emoji
		// model branched at patch 40 gave its source back for 4 seeds of
		// 10 at temperature 1.2, 1 at 1.6, none at 2, where most of what it
		// drew was broken: it stops at 1.6).
		varied, ok := opt.Settings.Varied()
		if !ok {
			break
		}
		fmt.Fprintf(env.Stderr, "every candidate gave the picture back unchanged at temperature %g and guidance %g: drawing again at temperature %g and guidance %g (give --temperature or --guidance to choose)\n",
			opt.Temperature, opt.Guidance, varied.Temperature, varied.Guidance)
		opt.Settings = varied
		res, err = sampler.Complete(ctx, b, opt, tokens, *at, emit)
	}
	if err != nil {
		return err
	}
	if res.Stopped {
		return errors.New("interrupted; nothing saved")
	}
	warnWords(env.Stderr, b.Prompt, res.Unknown, res.Cut)
	if *at == 0 {
		fmt.Fprintf(env.Stderr, "kept none of the %d patches of %s: resampled whole from its prompt and settings\n", b.ImageTokens(), *from)
	} else {
		fmt.Fprintf(env.Stderr, "kept %d of %d patches from %s\n", *at, b.ImageTokens(), *from)
	}
	return saveImages(ctx, env, b, opt, res.Images, saveOptions{out: *out, scale: *scale, rank: *rank, rankBy: *rankBy, parent: filepath.Base(*from), kind: pngmeta.KindBranch, from: *at, quiet: *quiet, json: *asJSON, source: tokens})
}

// allSource reports whether every image is source: a branch that gave the
// picture back unchanged.
func allSource(images []sampler.Image, source []int) bool {
	for _, im := range images {
		if !slices.Equal(im.Tokens, source) {
			return false
		}
	}
	return len(images) > 0
}
