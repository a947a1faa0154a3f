package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"slices"
	"strconv"
	"strings"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/render"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/internal/plural"
)

// runSheet draws a contact sheet: one row per prompt, one column per style
// (the style words appended to the prompt) or per seed.
func runSheet(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "sheet", "--prompts FILE|--prompt TEXT [--styles \"google,twitter,…\"|--seeds N] [--out SHEET.png] [sampling flags]")
	var sf samplingFlags
	sf.registerOne(fs) // one batch a row or prompt: --batch would be ignored
	promptsFile := fs.String("prompts", "", "file with one prompt per line (blank lines and lines starting with # are skipped)")
	labels := fs.Bool("labels", true, "write each row's prompt left of it and each column's style or seed over it (--labels=false: the bare grid of cells)")
	styles := fs.String("styles", "", "comma-separated styles, one column each, appended to every prompt (\"all\": the model's style words)")
	seedFlag := fs.Lookup("seed")
	seedFlag.Usage = "the sheet's seed (`int` 0 to 2⁶⁴−1; not given: 1): seed columns use seed, seed+1, …; style columns all use it; every row the same"
	seedFlag.DefValue = (&seedValue{}).String() // not "-1": the sentence says what is used
	seeds := rangedInt(fs, "seeds", 4, 1, 256, "columns of seeds (N of them, from --seed) when --styles is not given")
	cell := rangedInt(fs, "cell", 128, 8, 1024, "cell size in pixels, at least the model's image side (images are scaled up by whole factors, nearest neighbour)")
	out := fs.String("out", "sheet.png", "output PNG")
	quiet := fs.Bool("quiet", false, "do not list each prompt as its row is drawn")
	asJSON := fs.Bool("json", false, "print the result as one JSON object (path, prompts: the rows, columns: each column's style or seed) instead of text")
	force := forceFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return helpOr(fs, err)
	}
	if err := noArguments(pos, "the prompts go in --prompt or --prompts"); err != nil {
		return err
	}
	if err := checkOut("out", *out, ".png", *force); err != nil {
		return err
	}
	if err := checkKeepsPictures("out", *out, "a contact sheet", *force); err != nil {
		return err
	}
	if *styles != "" && flagsSet(fs)["seeds"] {
		// A column a style, each drawn with --seed: --seeds was ignored.
		return usageError{"--seeds and --styles: a sheet of styles has a column a style, each drawn with --seed; give one of them"}
	}
	if *promptsFile != "" && sf.Prompt != "" {
		return usageError{"give --prompts FILE or --prompt TEXT, not both"}
	}
	var prompts []string
	if *promptsFile != "" {
		var err error
		if prompts, err = readPromptLines(*promptsFile, env.Stderr); err != nil {
			return err
		}
	} else if sf.Prompt != "" {
		prompts = []string{sf.Prompt}
	}
	b, err := openDrawingModel(logFor(env, *quiet), sf.model, sf.precision)
	if err != nil {
		return err
	}
	switch {
	case !b.Conditional():
		// One row of samples without a prompt (a sheet of an OpenAI
		// checkpoint needed a prompt it then ignored, and labelled by it).
		if len(prompts) > 0 {
			fmt.Fprintf(env.Stderr, "warning: model %s is unconditional: its sheet is one row of samples without a prompt; the prompts are ignored\n", b.Name)
		}
		prompts = []string{""}
	case len(prompts) == 0:
		return usageError{"give --prompts FILE or --prompt TEXT"}
	}
	if w, h := b.ImageSize(); *cell < max(w, h) {
		return usageError{fmt.Sprintf("--cell %d is smaller than the model's %d×%d-pixel images", *cell, w, h)}
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
			if prompt.Normalize(s) == "" {
				return usageError{fmt.Sprintf("--styles %q: an empty style name (give style words separated by commas, or all)", *styles)}
			}
			words, err := modelStyle(b, "styles", s)
			if err != nil {
				return err
			}
			cols = append(cols, words)
		}
	}
	ncols := *seeds
	if cols != nil {
		ncols = len(cols)
	}
	// The sheet is one picture: refused before sampling when it would be
	// larger than pictures are read (a 256-seed sheet of 1,024-px cells
	// was 263,172 px wide, or ran out of memory after minutes of sampling).
	var lab render.Labels // filled as the columns are drawn; the size check counts the widest a label band gets
	if *labels {
		lab.Rows = slices.Clone(prompts)
		if !b.Conditional() {
			lab.Rows[0] = "no prompt"
		}
		lab.Cols = make([]string, ncols)
		for j := range lab.Cols {
			lab.Cols[j] = "seed 99"
		}
	}
	if w, h := render.LabelledSheetSize(len(prompts), ncols, *cell, sheetGap, lab); max(w, h) > codebook.MaxImageSide {
		return usageError{fmt.Sprintf("the sheet would be %d×%d px (%s × %s of %d px), and %d px a side is the most: fewer prompts or columns, or a smaller --cell",
			w, h, plural.N(len(prompts), "prompt", "prompts"), plural.N(ncols, "column", "columns"), *cell, codebook.MaxImageSide)}
	}
	base, err := sf.options(b)
	if err != nil {
		return err
	}
	sf.firstSeed(&base.Seed, env.Stderr)
	// Unknown words are reported before the (long) sampling, once each; a
	// prompt none of whose words the model knows is refused, as generate
	// refuses it.
	var unknown []string
	if cols != nil && cols[0] != "" {
		// A style column draws a prompt in its style: a style the prompt
		// names itself is left out (the model, trained on one style at a
		// time, drew "rocket twitter google" as a blend of two).
		var words []string
		if c := b.Model.Config.Tessera; c != nil {
			words = c.StyleWords
		}
		for i, p := range prompts {
			if rest, named := prompt.WithoutStyles(p, words); len(named) > 0 && strings.TrimSpace(rest) != "" {
				fmt.Fprintf(env.Stderr, "note: %q names the style %s: each column draws %q in its own style\n", p, strings.Join(named, " and "), rest)
				prompts[i] = rest
			}
		}
	}
	// A line of --prompts none of whose words the model knows is left
	// out with a warning, as describe --prompts leaves its out (one such
	// line failed the whole sheet); the sheet fails only when none is left.
	var known, knownLabels, left []string
	var leftUnknown []string // the words of the lines left out, for a did-you-mean
	for i, p := range prompts {
		if !b.Conditional() {
			known, knownLabels = prompts, lab.Rows // no words to know
			break
		}
		if err := checkComposed(env.Stderr, p); err != nil {
			return err
		}
		if enc := sampler.EncodePrompt(b, p); enc.NoneKnown() {
			if *promptsFile == "" || len(prompts) == 1 {
				return fmt.Errorf("model %s knows none of the words of the prompt %q%s: its row would be samples without a prompt", b.Name, p, didYouMean(b.Prompt, enc.Unknown))
			}
			left, leftUnknown = append(left, p), append(leftUnknown, enc.Unknown...)
			continue
		}
		known = append(known, p)
		if *labels {
			knownLabels = append(knownLabels, lab.Rows[i])
		}
		for _, st := range append([]string{""}, cols...) {
			for _, w := range sampler.EncodePrompt(b, sampler.StyledPrompt(p, st)).Unknown {
				if !slices.Contains(unknown, w) {
					unknown = append(unknown, w)
				}
			}
		}
	}
	if len(left) > 0 {
		if len(known) == 0 {
			return fmt.Errorf("model %s knows none of the words of any prompt of %s (e.g. %q)%s: its rows would be samples without a prompt", b.Name, *promptsFile, clipExample(left[0]), didYouMean(b.Prompt, leftUnknown))
		}
		fmt.Fprintf(env.Stderr, "warning: left out %d of %d prompts of %s, none of whose words model %s knows (e.g. %q)%s\n",
			len(left), len(prompts), *promptsFile, b.Name, clipExample(left[0]), didYouMean(b.Prompt, leftUnknown))
		prompts, lab.Rows = known, knownLabels
	}
	warnWords(env.Stderr, b.Prompt, unknown, nil)
	if b.Conditional() {
		warnNegative(env.Stderr, b, base) // as generate warns of it (--guidance 1 dropped --negative without a word)
	}
	noteReplacingWhenDone(env, "out", []string{*out}) // once the sheet is sure to be drawn, as generate says it
	var rows [][]image.Image
	var columns []sheetColumn // what each column of the first row shows
	stopped := false          // interrupted: the rows finished are saved, as extend saves its
	for _, p := range prompts {
		opt := base
		var row []image.Image
		if cols == nil {
			opt.Prompt, opt.Batch = p, *seeds
			res, err := sampler.Generate(ctx, b, opt, nil)
			if err != nil {
				return err
			}
			if stopped = res.Stopped; stopped { // its half-drawn cells are left out
				break
			}
			for _, im := range res.Images {
				row = append(row, b.Decode(im.Tokens))
				if len(rows) == 0 {
					columns = append(columns, sheetColumn{Seed: im.Seed})
				}
			}
		} else {
			for _, st := range cols {
				opt.Prompt, opt.Batch = sampler.StyledPrompt(p, st), 1
				res, err := sampler.Generate(ctx, b, opt, nil)
				if err != nil {
					return err
				}
				if stopped = res.Stopped; stopped {
					break
				}
				row = append(row, b.Decode(res.Images[0].Tokens))
				if len(rows) == 0 {
					columns = append(columns, sheetColumn{Style: st, Seed: res.Images[0].Seed})
				}
			}
		}
		if stopped {
			break
		}
		rows = append(rows, row)
		if !*quiet && p != "" {
			fmt.Fprintf(env.Stderr, "%s\n", p)
		}
	}
	if stopped && len(rows) == 0 {
		return errors.New("interrupted; nothing saved")
	}
	total := len(prompts)
	prompts = prompts[:len(rows)] // all of them, unless interrupted
	if *labels {
		lab.Rows = lab.Rows[:len(rows)]
		for j, c := range columns {
			lab.Cols[j] = c.Style
			if c.Style == "" {
				lab.Cols[j] = fmt.Sprintf("seed %d", c.Seed)
			}
		}
	}
	path, kept := *out, false
	if stopped {
		var err error
		if path, kept, err = partialOut(*out); err != nil { // an earlier sheet at --out is kept
			return fmt.Errorf("interrupted; the part finished is not saved: %w", err)
		}
	}
	if err := pngmeta.WriteFileAtomic(path, render.LabelledSheet(rows, *cell, sheetGap, lab), map[string]string{"Comment": sheetComment(b, base.Settings, prompts, columns, stopped)}); err != nil {
		return err
	}
	if stopped {
		fmt.Fprintln(env.Stderr, partialNote(fmt.Sprintf("the %s finished so far, of %d", plural.N(len(rows), "row", "rows"), total), *out, path, kept))
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(struct {
			Path    string        `json:"path"`
			Prompts []string      `json:"prompts"`
			Columns []sheetColumn `json:"columns"`
			Stopped bool          `json:"stopped,omitempty"` // interrupted: the rows of the prompts listed, the first ones
		}{path, prompts, columns, stopped})
	}
	fmt.Fprintf(env.Stdout, "%s: %s × %s\n", path, plural.N(len(rows), "prompt", "prompts"), plural.N(len(rows[0]), "column", "columns"))
	return nil
}

// sheetComment is the text a sheet's PNG keeps of how it was drawn (its
// "Comment" chunk; a sheet is no one picture, so it has no Tessera
// record): the model, each row's prompt, each column's seed or style, the
// settings and the version. A sheet said nothing of its making.
func sheetComment(b *bundle.Bundle, st sampling.Settings, prompts []string, columns []sheetColumn, stopped bool) string {
	var c strings.Builder
	fmt.Fprintf(&c, "tessera sheet: model %s (weights hash %s), %s", b.Name, b.Model.Hash, pngmeta.VersionPrefix+" "+Version)
	if stopped {
		c.WriteString("; interrupted: the first rows only")
	}
	// The precision too, as a picture's record says it: f32, f16 and int8
	// draw different pictures.
	fmt.Fprintf(&c, "\nsettings: %s, precision %s", recordKnobs(st, false), b.Model.Precision())
	if st.Negative != "" {
		fmt.Fprintf(&c, "; negative prompt %q", st.Negative)
	}
	cols := make([]string, len(columns))
	for i, col := range columns {
		cols[i] = fmt.Sprintf("seed %d", col.Seed)
		if col.Style != "" {
			cols[i] = fmt.Sprintf("%s (seed %d)", col.Style, col.Seed)
		}
	}
	rows := make([]string, len(prompts))
	for i, p := range prompts {
		rows[i] = strconv.Quote(p)
	}
	fmt.Fprintf(&c, "\ncolumns: %s\nrows: %s", strings.Join(cols, "; "), strings.Join(rows, "; "))
	return c.String()
}

// sheetGap is the white space between and around a sheet's cells, in pixels.
const sheetGap = 4

// sheetColumn is what a column of a sheet shows (sheet --json): the style
// appended to every row's prompt ("" for seed columns) and the seed its
// images were drawn with.
type sheetColumn struct {
	Style string `json:"style,omitempty"`
	Seed  uint64 `json:"seed"`
}

// modelStyle is style s in the words of model b's style words ("fluent-flat"
// is "fluent flat"; another name of a style, as prompts read it, is that
// style's words: "noto" is "google", "twemoji" "twitter"), or a usage error
// naming flag when b has no style words or s is not one of them.
func modelStyle(b *bundle.Bundle, flag, s string) (string, error) {
	var known []string
	if c := b.Model.Config.Tessera; c != nil {
		known = c.StyleWords
	}
	words := prompt.Normalize(s)
	if style, ok := data.StyleAliases()[words]; ok {
		words = style
	}
	switch {
	case len(known) == 0:
		return "", usageError{fmt.Sprintf("model %s has no style words", b.Name)}
	case !slices.ContainsFunc(known, func(k string) bool { return prompt.Normalize(k) == words }):
		return "", usageError{fmt.Sprintf("--%s: %q is not one of model %s's styles (%s)", flag, strings.TrimSpace(s), b.Name, strings.Join(known, ", "))}
	}
	return words, nil
}
