package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"

	"github.com/tessera-studio/tessera/engine/atomicfile"
	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/render"
	"github.com/tessera-studio/tessera/internal/progress"
)

func runTimelapse(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "timelapse", "--from IMAGE.png [--model M] [--out PATH.gif]")
	modelName := fs.String("model", "", recordedModelUsage("the image"))
	from := fs.String("from", "", "the image to replay (its stored tokens, else its pixels encoded)")
	out := fs.String("out", "timelapse.gif", "output animated GIF")
	scale := rangedInt(fs, "scale", 4, 1, 16, "upscale (nearest)")
	frames := rangedInt(fs, "frames", 120, 2, 4096, "most frames, the empty picture first among them (patches are grouped to fit: an image of 64 patches takes 65 to show each)")
	delay := rangedInt(fs, "delay", 4, 1, 65535, "hundredths of a second a frame; the last frame holds 2 s, or the delay when that is longer")
	quiet := fs.Bool("quiet", false, "no progress line")
	asJSON := fs.Bool("json", false, "print the result as one JSON object (path, frames, patches) instead of text")
	force := forceFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return helpOr(fs, err)
	}
	if err := noArguments(pos, "the image goes in --from"); err != nil {
		return err
	}
	if *from == "" {
		return usageError{"--from IMAGE is required"}
	}
	if err := checkOut("out", *out, ".gif", *force, *from); err != nil {
		return err
	}
	if err := checkInputFile("from", *from); err != nil {
		return err
	}
	b, err := openImageModel(logFor(env, *quiet), *modelName, "f32", false, *from)
	if err != nil {
		return err
	}
	tokens, rec, stored, err := imageTokens(b, *from, env.Stderr)
	if err == nil && stored {
		tokens, err = ownCodes(env, b, *from, rec, tokens)
	}
	rows, cols := b.Grid()
	if tall := (tallImage{}); errors.As(err, &tall) {
		// Grown downward (tessera extend, the studio's Extend ↓): its
		// stored codes, drawn at its height, as the studio's time-lapse
		// draws it.
		tokens, rows, err = rec.Tokens, tall.rows, nil
	}
	if stopped := (stoppedImage{}); errors.As(err, &stopped) {
		// A run stopped part way: the patches it drew, as the studio's
		// time-lapse of it shows them (its pixels are blank below).
		tokens, err = rec.Tokens, nil
		fmt.Fprintf(env.Stderr, "note: %s is a stopped run's picture: the time-lapse shows the %d of its %d patches drawn\n", *from, stopped.drawn, stopped.total)
	}
	if err != nil {
		return err
	}
	p := b.PatchSize()
	if err := render.CheckTimelapse(len(tokens), cols*p, rows*p, *frames, *scale); err != nil {
		return usageError{fmt.Sprintf("--frames %d --scale %d: %v", *frames, *scale, err)}
	}
	var update func(done, total int)
	done := func() {}
	if !*quiet {
		update, done = progress.Counter(env.Stderr, "drawing frames")
	}
	noteReplacing(env, "out", []string{*out})
	anim, err := render.Timelapse(ctx, func(k int) image.Image { return b.Tokenizer.Decode(tokens[:k], rows, cols) }, len(tokens), *frames, *scale, *delay, update)
	done()
	if err != nil {
		return fmt.Errorf("interrupted; nothing saved (%w)", err)
	}
	// Encoding a large animation takes seconds too: an interrupt stops
	// the writing, and the file is never left half written.
	if err := atomicfile.Write(*out, func(w io.Writer) error { return render.EncodeGIF(ctxWriter{ctx, w}, anim) }); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted; nothing saved (%w)", ctx.Err())
		}
		return fmt.Errorf("write %s: %w", *out, err)
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(struct {
			Path    string `json:"path"`
			Frames  int    `json:"frames"`
			Patches int    `json:"patches"`
		}{*out, len(anim.Image), len(tokens)})
	}
	fmt.Fprintf(env.Stdout, "%s\t%d frames\n", *out, len(anim.Image))
	return nil
}

// ctxWriter writes to w until ctx is done, then fails with ctx's error.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// ownCodes are the codes of the picture at path that model b replays:
// the ones its record keeps (tokens), or, where they are another model's
// that b's tokenizer draws otherwise (an emoji picture replayed with the
// edit model, whose decoder makes other pixels of them), its pixels
// encoded by b, said in a note as where the record's patches do not fit b.
func ownCodes(env Env, b *bundle.Bundle, path string, rec *pngmeta.Record, tokens []int) ([]int, error) {
	if rec == nil || rec.ModelHash == "" || rec.ModelHash == b.Model.Hash {
		return tokens, nil
	}
	img, err := codebook.LoadImage(path)
	if err != nil {
		return nil, err
	}
	if _, db := b.DrawsPicture(img, tokens); db >= bundle.StoredExactDB {
		return tokens, nil // the same tokenizer (a fine-tune of the model recorded): its codes draw the picture
	}
	who := "model " + rec.Model
	if rec.Model == b.Name {
		who = fmt.Sprintf("model %s of other weights (hash %s)", rec.Model, rec.ModelHash)
	}
	fmt.Fprintf(env.Stderr, "note: %s records the codes of %s, which model %s's tokenizer draws otherwise: its pixels are read instead (without --model, the model it records replays it as drawn)\n", path, who, b.Name)
	codes, err := b.Encode(img)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", path, err)
	}
	return codes, nil
}
