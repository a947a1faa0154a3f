package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tessera-studio/tessera/assets"
	"github.com/tessera-studio/tessera/engine/atomicfile"
	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/internal/paths"
)

// runConvert writes a model (a folder, a run or a built-in name) with its
// weights in another dtype as a new model folder: the transformer's
// model.safetensors in F32, F16 or BF16 (rounded to nearest even from the
// float32 weights), the image tokenizer, names.txt and a model card that
// quotes the source's. Converting an OpenAI checkpoint to F16 halves its
// file; F32 of a model stored in F16 or BF16 is exact.
func runConvert(_ context.Context, env Env, args []string) error {
	fs := newFlags(env, "convert", "--dtype F32|F16|BF16 --out DIR MODEL")
	out := fs.String("out", "", "model folder to write (config.json, model.safetensors, the image tokenizer, MODEL.md)")
	dtype := dtypeFlag(fs, "", "weights' dtype in the file: F32, F16 or BF16")
	force := fs.Bool("force", false, "write into --out even when it holds files (a model there is replaced; never the model converted)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return helpOr(fs, err)
	}
	switch {
	case len(pos) != 1:
		return usageError{"give one model to convert (a model folder, a training run's folder or a built-in name)"}
	case *out == "":
		return usageError{"--out DIR is required"}
	case *dtype == "":
		return usageError{"--dtype is required: F32, F16 or BF16"}
	}
	src := resolveModel(pos[0])
	for _, in := range []string{pos[0], src} {
		if paths.Same(*out, in) {
			return fmt.Errorf("--out %s is the model converted (%s): give a new folder", *out, in)
		}
	}
	if err := checkModelOut(*out, *force, "the converted model"); err != nil {
		return err
	}
	start := time.Now()
	b, err := openModel(env.Stderr, pos[0], "f32")
	if err != nil {
		return err
	}
	if err := b.Save(*out, *dtype); err != nil {
		return err // Save says "save model" and names the path
	}
	card := fmt.Sprintf("# Model %s\n\nThe weights of %s in %s, written by Tessera %s with:\n\n    tessera convert %s\n",
		modelLabelOf(b, *out), pos[0], *dtype, Version, strings.Join(quoteArgs(args), " "))
	source := assets.ModelCard(pos[0]) // a built-in's, embedded
	if first, err := os.ReadFile(filepath.Join(src, "MODEL.md")); err == nil {
		source = string(first)
	}
	if source != "" {
		card += "\n## The model converted (" + pos[0] + ")\n\n" + demoteHeadings(source)
	}
	if err := atomicfile.WriteBytes(filepath.Join(*out, "MODEL.md"), []byte(card)); err != nil {
		return fmt.Errorf("model card: %w", err)
	}
	fmt.Fprintf(env.Stdout, "%s: %s in %s (%d parameters) in %.1f s\n", *out, pos[0], *dtype, b.Model.Config.Params(), time.Since(start).Seconds())
	return nil
}

// modelLabelOf is the name a model card gives b written to out: its
// config's name, else the folder's (a config without one gave "# Model ").
func modelLabelOf(b *bundle.Bundle, out string) string {
	if name := b.Model.Config.Name(); name != "" {
		return name
	}
	return filepath.Base(filepath.Clean(out))
}
