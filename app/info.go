package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tessera-studio/tessera/assets"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/tokenizer"
)

func runInfo(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "info", "[--model M] [--json]")
	modelName := fs.String("model", "", "built-in model name or model folder")
	asJSON := fs.Bool("json", false, "print the configuration as JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return helpOr(fs, err)
	}
	b, err := openModel(env.Stderr, *modelName, "f32")
	if err != nil {
		return err
	}
	c := b.Model.Config
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		out := map[string]any{
			"name": b.Name, "source": b.Source, "hash": b.Model.Hash, "params": c.Params(), "config": c,
			"codebook": map[string]int{"entries": b.Codes(), "patch_size": b.PatchSize()},
		}
		if v, ok := b.Tokenizer.(*tokenizer.ViT); ok {
			out["tokenizer"] = v.Config
		}
		return enc.Encode(out)
	}
	w, h := b.ImageSize()
	rows, cols := b.Grid()
	o := env.Stdout
	fmt.Fprintf(o, "model       %s (%s), weights hash %s\n", b.Name, b.Source, b.Model.Hash)
	fmt.Fprintf(o, "parameters  %d (%s as float32)\n", c.Params(), model.FormatBytes(c.Params()*4))
	fmt.Fprintf(o, "layers      %d × width %d, %d heads, MLP %d, %s\n", c.NLayer, c.NEmbd, c.NHead, c.Inner(), c.ActivationFunction)
	fmt.Fprintf(o, "image       %d×%d pixels = %d×%d patches of %d×%d (%d tokens)\n", w, h, cols, rows, b.PatchSize(), b.PatchSize(), b.ImageTokens())
	if v, ok := b.Tokenizer.(*tokenizer.ViT); ok {
		t := v.Config
		fmt.Fprintf(o, "tokenizer   ViT-VQ: %d + %d bidirectional blocks × width %d, %d codes of dimension %d\n", t.EncoderLayers, t.DecoderLayers, t.NEmbd, t.CodebookSize, t.CodeDim)
	} else {
		fmt.Fprintf(o, "codebook    %d entries\n", b.Codes())
	}
	fmt.Fprintf(o, "context     %d positions (%d prompt + %d image)\n", c.NPositions, c.PromptLength(), b.ImageTokens())
	if b.Conditional() {
		words := b.Prompt.Words()[1:]
		fmt.Fprintf(o, "prompt      %d words known, up to %d a prompt\n", len(words), c.PromptLength())
		if len(words) > 12 {
			words = append(words[:12:12], "…")
		}
		fmt.Fprintf(o, "            %s\n", strings.Join(words, " "))
	} else {
		fmt.Fprintln(o, "prompt      none (unconditional model)")
	}
	if card := assets.ModelCard(b.Name); card != "" && strings.HasPrefix(b.Source, "builtin:") {
		fmt.Fprintf(o, "\n%s", card)
	}
	return nil
}
