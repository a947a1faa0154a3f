package app

import (
	"context"
	"fmt"
	"runtime"

	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/sampler"
)

func runExtend(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "extend", "--from IMAGE.png --rows R [--model M] [--out PATH.png] [sampling flags]")
	var sf samplingFlags
	sf.register(fs)
	from := fs.String("from", "", "the image to grow (its stored tokens, which may already be taller than the model)")
	addRows := fs.Int("rows", 0, "patch rows to add below")
	stride := fs.Int("stride", 0, "rows sampled per window step (0 = half the model's grid)")
	out := fs.String("out", "extended.png", "output PNG")
	scale := fs.Int("scale", 1, "upscale the saved PNG 1×–16×")
	if _, err := parseFlags(fs, args); err != nil {
		return helpOr(fs, err)
	}
	if *from == "" || *addRows < 1 || *addRows > 1024 {
		return usageError{"--from IMAGE and --rows R (1–1024) are required"}
	}
	b, err := openDrawingModel(env.Stderr, sf.model, sf.precision)
	if err != nil {
		return err
	}
	gridRows, cols := b.Grid()
	tokens, rec, _, err := imageTokens(b, *from)
	if err != nil {
		return err
	}
	rows := gridRows
	// A taller image made by an earlier extend keeps all its rows in the record.
	if rec != nil && rec.Grid[1] == cols && rec.Grid[0] > gridRows && len(rec.Tokens) == rec.Grid[0]*cols && validCodes(rec.Tokens, b.Codes()) {
		tokens, rows = rec.Tokens, rec.Grid[0]
	}
	opt := sf.options(b)
	if opt.Workers == 0 {
		opt.Workers = runtime.NumCPU()
	}
	if rec != nil && sf.Prompt == "" {
		opt.Prompt = rec.Prompt
	}
	grown, stopped, err := sampler.ExtendDown(ctx, b, opt, tokens, rows, *addRows, *stride, nil)
	if err != nil {
		return err
	}
	newRows := len(grown) / cols
	r := record(b, opt, sampler.Image{Seed: opt.Seed, Tokens: grown})
	r.Grid = [2]int{newRows, cols}
	r.Height = newRows * b.PatchSize()
	pic := upscale(b.Tokenizer.Decode(grown, newRows, cols), *scale, false)
	if err := pngmeta.WriteFileAtomic(*out, pic, pngmeta.Metadata(r)); err != nil {
		return err
	}
	if stopped {
		fmt.Fprintln(env.Stderr, "interrupted: saved the rows finished so far")
	}
	fmt.Fprintf(env.Stdout, "%s\t%d rows (was %d)\n", *out, newRows, rows)
	return nil
}
