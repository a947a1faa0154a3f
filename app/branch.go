package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/sampling"
)

func runBranch(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "branch", "--from IMAGE.png --at K [--model M] [--out PATH.png] [sampling flags]")
	var sf samplingFlags
	sf.register(fs)
	from := fs.String("from", "", "the image to branch from (its stored tokens, else its pixels encoded)")
	at := fs.Int("at", -1, "keep the first K patches (raster order) and resample the rest")
	out := fs.String("out", "branch.png", "output PNG (with --batch B: PATH-1.png … PATH-B.png)")
	scale := fs.Int("scale", 1, "upscale the saved PNG 1×–16×")
	rank := fs.Bool("rank", false, "order the batch best first as generate --rank does, scored from patch K on")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if _, err := parseFlags(fs, args); err != nil {
		return helpOr(fs, err)
	}
	if *from == "" || *at < 0 {
		return usageError{"--from IMAGE and --at K are required"}
	}
	if *scale < 1 || *scale > 16 || !strings.EqualFold(filepath.Ext(*out), ".png") {
		return usageError{"--scale must be 1–16 and --out must end in .png"}
	}
	b, err := openDrawingModel(env.Stderr, sf.model, sf.precision)
	if err != nil {
		return err
	}
	tokens, rec, _, err := imageTokens(b, *from)
	if err != nil {
		return err
	}
	opt := sf.options(b)
	if opt.Workers == 0 {
		opt.Workers = runtime.NumCPU()
	}
	// Settings not given on the command line come from the image.
	set := flagsSet(fs)
	if rec != nil {
		if !set["prompt"] {
			opt.Prompt = rec.Prompt
		}
		if !set["negative"] {
			opt.Negative = rec.Negative
		}
		for _, sp := range sampling.Knobs() {
			// a 0 that means "unset" (top-p, guidance) keeps the model's
			// value; a 0 temperature is greedy, and is taken
			v := sp.Get(rec.Settings)
			if !set[string(sp.Knob)] && sp.Check(v) == nil && !(v == 0 && sp.ZeroUnset) {
				sp.Set(&opt.Settings, v)
			}
		}
	}
	var emit func(sampler.Event)
	if !*quiet {
		emit = progressPrinter(env.Stderr, opt.Batch)
	}
	res, err := sampler.Complete(ctx, b, opt, tokens, *at, emit)
	if err != nil {
		return err
	}
	if res.Stopped {
		return errors.New("interrupted; nothing saved")
	}
	warnWords(env.Stderr, res.Unknown, res.Cut)
	fmt.Fprintf(env.Stderr, "kept %d of %d patches from %s\n", *at, b.ImageTokens(), *from)
	return saveImages(ctx, env, b, opt, res.Images, saveOptions{out: *out, scale: *scale, rank: *rank, parent: filepath.Base(*from), from: *at})
}
