package app

import (
	"context"
	"fmt"
	"image"
	"image/gif"
	"io"

	"github.com/tessera-studio/tessera/engine/atomicfile"
	"github.com/tessera-studio/tessera/engine/render"
)

func runTimelapse(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "timelapse", "--from IMAGE.png [--model M] [--out PATH.gif]")
	modelName := fs.String("model", "", "built-in model name or model folder")
	from := fs.String("from", "", "the image to replay (its stored tokens, else its pixels encoded)")
	out := fs.String("out", "timelapse.gif", "output animated GIF")
	scale := rangedInt(fs, "scale", 4, 1, 16, "upscale (nearest)")
	frames := rangedInt(fs, "frames", 120, 2, 4096, "most frames (patches are grouped to fit)")
	delay := rangedInt(fs, "delay", 4, 1, 65535, "hundredths of a second a frame; the last frame holds 2 s")
	if _, err := parseFlags(fs, args); err != nil {
		return helpOr(fs, err)
	}
	if *from == "" {
		return usageError{"--from IMAGE is required"}
	}
	if err := checkOut("out", *out, ".gif"); err != nil {
		return err
	}
	if err := checkOutsAreNotInputs("out", []string{*out}, *from); err != nil {
		return err
	}
	b, err := openImageModel(env.Stderr, *modelName, "f32", false, *from)
	if err != nil {
		return err
	}
	tokens, _, _, err := imageTokens(b, *from, env.Stderr)
	if err != nil {
		return err
	}
	anim := render.Timelapse(func(k int) image.Image { return b.Decode(tokens[:k]) }, len(tokens), *frames, *scale, *delay)
	if err := atomicfile.Write(*out, func(w io.Writer) error { return gif.EncodeAll(w, anim) }); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	fmt.Fprintf(env.Stdout, "%s\t%d frames\n", *out, len(anim.Image))
	return nil
}
