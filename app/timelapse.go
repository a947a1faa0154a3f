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
	scale := fs.Int("scale", 4, "upscale 1×–16× (nearest)")
	frames := fs.Int("frames", 120, "most frames (patches are grouped to fit)")
	delay := fs.Int("delay", 4, "hundredths of a second a frame; the last frame holds 2 s")
	if _, err := parseFlags(fs, args); err != nil {
		return helpOr(fs, err)
	}
	if *from == "" || *scale < 1 || *scale > 16 || *frames < 2 {
		return usageError{"--from IMAGE is required; --scale 1–16; --frames ≥ 2"}
	}
	b, err := openModel(env.Stderr, *modelName, "f32")
	if err != nil {
		return err
	}
	tokens, _, _, err := imageTokens(b, *from)
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
