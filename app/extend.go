package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/render"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/internal/plural"
	"github.com/tessera-studio/tessera/internal/progress"
)

func runExtend(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "extend", "--from IMAGE.png --rows R [--model M] [--out PATH.png] [sampling flags]")
	var sf samplingFlags
	sf.registerOne(fs)
	usePictureFlags(fs)
	fs.Lookup("seed").Usage = "random seed (`int` 0 to 2⁶⁴−1, as images record it; -1: pick one)" // one image: no batch of seed+i
	fs.Lookup("prompt").Usage = "text prompt (default: the image's own, from its record or A1111 parameters; --prompt \"\" draws without one)"
	from := fs.String("from", "", "the image to grow (its stored tokens, which may already be taller than the model)")
	addRows := rangedInt(fs, "rows", 0, 1, 1024, fmt.Sprintf("patch rows to add below (required; the image may grow to %d px tall in all: 1,016 rows more at most for an 8-row image of 8-px patches)", codebook.MaxImageSide))
	stride := rangedInt(fs, "stride", 0, 0, 1024, "rows sampled per window step, less than the model's grid rows (0 = half the model's grid)")
	out := fs.String("out", "extended.png", "output PNG")
	scale := rangedInt(fs, "scale", 1, 1, 16, "upscale the saved PNG")
	quiet := fs.Bool("quiet", false, "no progress line")
	asJSON := fs.Bool("json", false, "print the result as one JSON object (path, seed, prompt, rows, rows_before, stopped) instead of text")
	force := forceFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return helpOr(fs, err)
	}
	if err := noArguments(pos, "the image goes in --from"); err != nil {
		return err
	}
	switch {
	case *from == "":
		return usageError{"--from IMAGE is required"}
	case *addRows < 1:
		return usageError{"--rows R (1–1024 patch rows to add) is required"}
	}
	if err := checkOut("out", *out, ".png", *force, *from); err != nil {
		return err
	}
	if err := checkInputFile("from", *from); err != nil {
		return err
	}
	b, err := openPictureModel(logFor(env, *quiet), env.Stderr, sf, flagsSet(fs)["precision"], *from)
	if err != nil {
		return err
	}
	gridRows, cols := b.Grid()
	if err := checkStride(*stride, b); err != nil {
		return err
	}
	tokens, rec, _, err := imageTokens(b, *from, env.Stderr)
	rows := gridRows
	// A taller image made by an earlier extend keeps all its rows in the record.
	if tall := (tallImage{}); errors.As(err, &tall) {
		tokens, rows, err = rec.Tokens, rec.Grid[0], nil
	}
	if err != nil {
		return err
	}
	if p := b.PatchSize(); (rows+*addRows)*p > codebook.MaxImageSide {
		return usageError{fmt.Sprintf("--rows %d: the image would be %d px tall, and %d px is the most (%d rows more at most for this %d-row image)",
			*addRows, (rows+*addRows)*p, codebook.MaxImageSide, max(codebook.MaxImageSide/p-rows, 0), rows)}
	}
	if err := checkExtendScale(*scale, cols*b.PatchSize(), rows, *addRows, b.PatchSize()); err != nil {
		return err
	}
	opt, err := sf.options(b)
	if err != nil {
		return err
	}
	if opt.Workers == 0 {
		opt.Workers = runtime.NumCPU()
	}
	own := !flagsSet(fs)["prompt"] // --prompt "": none, on purpose
	if own {                       // the image's own: Tessera's record, else an A1111 "parameters" text
		opt.Prompt = readDrawing(*from).Prompt
	}
	if b.Conditional() { // refused or warned about, as generate does
		if err := checkComposed(env.Stderr, opt.Prompt); err != nil {
			return err
		}
		if err := checkPromptKnown(b, opt.Prompt, own); err != nil {
			return err
		}
		enc := sampler.EncodePrompt(b, opt.Prompt)
		warnWords(env.Stderr, b.Prompt, enc.Unknown, enc.Cut)
	} else {
		opt.Prompt = "" // a model that reads no prompt: none is recorded
	}
	var emit func(sampler.Event)
	done := func() {}
	if !*quiet {
		var line func(done, total int)
		line, done = progress.Counter(env.Stderr, "rows added")
		added := 0
		emit = func(e sampler.Event) { // e.Index: the patch's place in the grown image
			if n := min((e.Index+1)/cols-rows, *addRows); n > added {
				added = n
				line(added, *addRows)
			}
		}
	}
	noteReplacingWhenDone(env, "out", []string{*out})
	grown, stopped, err := sampler.ExtendDown(ctx, b, opt, tokens, rows, *addRows, *stride, emit)
	done()
	if err != nil {
		return err
	}
	newRows := len(grown) / cols
	if stopped && newRows == rows {
		return errors.New("interrupted; nothing saved") // no row finished: the picture was --from's
	}
	r := record(b, opt, sampler.Image{Seed: opt.Seed, Tokens: grown})
	// Its lineage, as the studio and branch record theirs, and the stride,
	// with which score reads the new rows in the windows they were drawn in.
	r.Parent = filepath.Base(*from)
	r.Extra = map[string]any{pngmeta.ExtraKind: pngmeta.KindExtend, pngmeta.ExtraAt: newRows - rows, pngmeta.ExtraStride: sampler.ExtendStride(*stride, gridRows)}
	r.Grid = [2]int{newRows, cols}
	r.Height = newRows * b.PatchSize()
	native := b.Tokenizer.Decode(grown, newRows, cols)
	meta := scaledMetadata(r, native.Bounds().Size(), *scale, false)
	path, kept := *out, false
	if stopped {
		var err error
		if path, kept, err = partialOut(*out); err != nil { // an earlier picture at --out is kept
			return fmt.Errorf("interrupted; the part finished is not saved: %w", err)
		}
	}
	if err := pngmeta.WriteFileAtomic(path, render.Upscale(native, *scale, false), meta); err != nil {
		return err
	}
	if stopped {
		fmt.Fprintln(env.Stderr, partialNote(fmt.Sprintf("the %s added so far, of %d", plural.N(newRows-rows, "row", "rows"), *addRows), *out, path, kept))
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(extendedImage{Path: path, Seed: opt.Seed, Prompt: opt.Prompt, Rows: newRows, RowsBefore: rows, Stopped: stopped})
	}
	fmt.Fprintf(env.Stdout, "%s\tseed %d\t%d rows (was %d)\n", path, opt.Seed, newRows, rows) // the seed, as generate prints it
	return nil
}

// extendedImage is extend --json's line: the image written, its seed and
// prompt, its patch rows now and before, and whether an interrupt stopped
// it early (the rows finished are saved: to --out, or beside it under a
// free name when a file was there, partialOut).
type extendedImage struct {
	Path       string `json:"path"`
	Seed       uint64 `json:"seed"`
	Prompt     string `json:"prompt"`
	Rows       int    `json:"rows"`
	RowsBefore int    `json:"rows_before"`
	Stopped    bool   `json:"stopped"`
}

// checkExtendScale is checkScale for extend: a picture width px wide of
// rows patch rows of p px, grown by addRows, saved at scale. It names the
// rows that fit at this scale too, where some do.
func checkExtendScale(scale, width, rows, addRows, p int) error {
	if !codebook.TooLarge(width*scale, (rows+addRows)*p*scale) {
		return nil
	}
	other := ""
	for r := addRows - 1; r >= 1; r-- {
		if !codebook.TooLarge(width*scale, (rows+r)*p*scale) {
			other = fmt.Sprintf("--rows %d or fewer", r)
			break
		}
	}
	return checkScale(scale, width, (rows+addRows)*p, other)
}

// checkStride refuses a --stride (the rows a window step of extend
// samples, or of score's windows over a tall image) that is not less than
// the grid rows of model b: a window keeps rows above its step (0 is the
// default, half the grid).
func checkStride(stride int, b *bundle.Bundle) error {
	if gridRows, _ := b.Grid(); stride >= gridRows {
		return usageError{fmt.Sprintf("--stride %d must be less than the model's %d grid rows", stride, gridRows)}
	}
	return nil
}
