package app

import (
	"bufio"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"strings"

	"github.com/tessera-studio/tessera/engine/atomicfile"
	"github.com/tessera-studio/tessera/engine/render"
	"github.com/tessera-studio/tessera/engine/sampler"
)

// runSheet draws a contact sheet: one row per prompt, one column per style
// (the style words appended to the prompt) or per seed.
func runSheet(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "sheet", "--prompts FILE|--prompt TEXT [--styles \"google,twitter,…\"|--seeds N] --out SHEET.png [sampling flags]")
	var sf samplingFlags
	sf.register(fs)
	promptsFile := fs.String("prompts", "", "file with one prompt per line (blank lines and lines starting with # are skipped)")
	styles := fs.String("styles", "", "comma-separated styles, one column each, appended to every prompt (\"all\": the model's style words)")
	seeds := fs.Int("seeds", 4, "columns of seeds 1…N when --styles is not given")
	cell := fs.Int("cell", 128, "cell size in pixels (images are scaled up by whole factors, nearest neighbour)")
	out := fs.String("out", "sheet.png", "output PNG")
	if _, err := parseFlags(fs, args); err != nil {
		return helpOr(fs, err)
	}
	var prompts []string
	if *promptsFile != "" {
		f, err := os.Open(*promptsFile)
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
				prompts = append(prompts, l)
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return fmt.Errorf("read %s: %w", *promptsFile, err)
		}
	} else if sf.Prompt != "" {
		prompts = []string{sf.Prompt}
	}
	if len(prompts) == 0 {
		return usageError{"give --prompts FILE or --prompt TEXT"}
	}
	b, err := openDrawingModel(env.Stderr, sf.model, sf.precision)
	if err != nil {
		return err
	}
	var cols []string // style suffixes, or "" per seed column
	switch {
	case *styles == "all":
		if c := b.Model.Config.Tessera; c != nil {
			cols = c.StyleWords
		}
		if len(cols) == 0 {
			return usageError{fmt.Sprintf("model %s has no style words", b.Name)}
		}
	case *styles != "":
		for _, s := range strings.Split(*styles, ",") {
			cols = append(cols, strings.TrimSpace(s))
		}
	}
	base := sf.options(b)
	if sf.seed < 0 {
		base.Seed = 1
	}
	var rows [][]image.Image
	for _, p := range prompts {
		opt := base
		var row []image.Image
		if cols == nil {
			opt.Prompt, opt.Batch = p, *seeds
			res, err := sampler.Generate(ctx, b, opt, nil)
			if err != nil {
				return err
			}
			for _, im := range res.Images {
				row = append(row, b.Decode(im.Tokens))
			}
		} else {
			for _, st := range cols {
				opt.Prompt, opt.Batch = p+" "+st, 1
				res, err := sampler.Generate(ctx, b, opt, nil)
				if err != nil {
					return err
				}
				row = append(row, b.Decode(res.Images[0].Tokens))
			}
		}
		for _, w := range b.PromptIDs(opt.Prompt).Unknown {
			fmt.Fprintf(env.Stderr, "warning: %q is not a word the model knows (prompt %q)\n", w, p)
		}
		rows = append(rows, row)
		fmt.Fprintf(env.Stderr, "%s\n", p)
	}
	if err := atomicfile.Write(*out, func(w io.Writer) error { return png.Encode(w, render.Sheet(rows, *cell, 4)) }); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	fmt.Fprintf(env.Stdout, "%s: %d prompts × %d columns\n", *out, len(rows), len(rows[0]))
	return nil
}
