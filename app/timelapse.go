package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"

	"github.com/tessera-studio/tessera/engine/atomicfile"
	"github.com/tessera-studio/tessera/engine/render"
	"github.com/tessera-studio/tessera/internal/progress"
)

func runTimelapse(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "timelapse", "--from IMAGE.png [--model M] [--out PATH.gif]")
	modelName := fs.String("model", "", "built-in model name or model folder")
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
	tokens, rec, _, err := imageTokens(b, *from, env.Stderr)
	rows, cols := b.Grid()
	if tall := (tallImage{}); errors.As(err, &tall) {
		// Grown downward (tessera extend, the studio's Extend ↓): its
		// stored codes, drawn at its height, as the studio's time-lapse
		// draws it.
		tokens, rows, err = rec.Tokens, tall.rows, nil
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
