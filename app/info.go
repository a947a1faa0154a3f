package app

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tessera-studio/tessera/assets"
	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/engine/tokenizer"
	"github.com/tessera-studio/tessera/engine/train"
	"github.com/tessera-studio/tessera/engine/trainjob"
	"github.com/tessera-studio/tessera/internal/paths"
	"github.com/tessera-studio/tessera/internal/plural"
)

func runInfo(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "info", "[--model M | MODELDIR | RUNDIR] [--json] | IMAGE.png...")
	modelName := fs.String("model", "", "built-in model name or model folder")
	asJSON := fs.Bool("json", false, "print the configuration (or each image's metadata, one object a line: image, format, width, height, parameters, record, record_status — matches, unchecked (no pixel hash to check), stopped, damaged, other_size, repainted or unreadable (the pixels cannot be decoded) —, record_error, pixels_error) as JSON")
	wholeCard := fs.Bool("card", false, "print the model's whole model card (MODEL.md: how it was made and measured; a built-in's, or a model folder's), not its first paragraphs")
	images, err := parseFlags(fs, args)
	if err != nil {
		return helpOr(fs, err)
	}
	if *modelName == "" && len(images) > 1 && allModelNames(images) {
		// "tessera info emoji mnist": each model in turn (it took the
		// names for images: "open image emoji").
		if *wholeCard || *asJSON {
			return usageError{"--card and --json describe one model: give one name"}
		}
		for i, name := range images {
			if i > 0 {
				fmt.Fprintln(env.Stdout)
			}
			if err := modelInfo(env, name, false, false); err != nil {
				return err
			}
		}
		return nil
	}
	if len(images) == 1 && *modelName == "" {
		// A model folder, or a training run's, given as an argument:
		// described as --model's (resolveModel), as is a built-in model's
		// name with no file of that name here.
		arg := images[0]
		_, statErr := os.Stat(arg)
		run := isDir(arg) && trainjob.IsRun(arg)
		switch m := resolveModel(arg); {
		case model.IsFolder(m) && run && !*wholeCard:
			// A training run's folder: the run's state (paused, done, at
			// which step, resumable), then its model.
			if !*asJSON {
				if err := runSummary(env.Stdout, arg); err != nil {
					return err
				}
			}
			*modelName, images = m, nil
		case model.IsFolder(m):
			*modelName, images = m, nil
		case errors.Is(statErr, os.ErrNotExist) && slices.Contains(assets.Models(), arg):
			*modelName, images = arg, nil
		case run:
			if err := runSummary(env.Stdout, arg); err != nil {
				return err
			}
			return fmt.Errorf("%s is a training run folder with no model in %s yet: its first validation pass exports one", arg, train.RunModelDir(arg))
		case isDir(arg):
			return fmt.Errorf("%s is a folder but neither a model folder (config.json and model.safetensors) nor a training run's; give a model folder, a built-in model's name (%s) or PNG files", arg, strings.Join(assets.Models(), ", "))
		}
	}
	if len(images) > 0 {
		if *modelName != "" {
			return usageError{"--model describes a model; images describe themselves: give one or the other"}
		}
		if *wholeCard {
			return usageError{"--card prints a model's card: give a model (--model M, a model folder or a built-in name), not images"}
		}
		return imageInfo(env, images, *asJSON)
	}
	if *wholeCard && *asJSON {
		return usageError{"--card prints the model card as text; --json prints the configuration: give one of them"}
	}
	return modelInfo(env, *modelName, *asJSON, *wholeCard)
}

// runSummary writes to w the state of the training run in dir (trainjob.
// ReadRun): how far it trained, whether and how it can go on, and what
// keeps it from it; a blank line ends it. info on a run folder showed its
// model's card alone, which said nothing of a failed resume or a missing
// checkpoint.
func runSummary(w io.Writer, dir string) error {
	r, err := trainjob.ReadRun(dir)
	if err != nil {
		return err
	}
	line := r.StateText() // as the Train tab's list says it
	if r.TotalSteps > 0 {
		line += fmt.Sprintf(", at step %s of %s", plural.Thousands(r.Step), plural.Thousands(r.TotalSteps))
	}
	if r.Elapsed > 0 {
		line += fmt.Sprintf(" after %s of training", r.Elapsed.Round(time.Second))
	}
	fmt.Fprintf(w, "run         %s\n", line)
	if !math.IsNaN(r.BestVal) {
		which := "best validation"
		if r.Latest {
			which = "last validation"
		}
		fmt.Fprintf(w, "            %s %.4f bits/token at step %s\n", which, r.BestVal, plural.Thousands(r.BestStep))
	}
	switch {
	case r.InUse:
		// Its files are the other process's to write: what they lack
		// now (a first checkpoint not yet saved) says nothing.
		fmt.Fprintln(w, "            being trained just now: tessera info says how it can go on once that ends")
	case r.Problem != nil:
		fmt.Fprintf(w, "            cannot go on: %v\n", r.Problem)
	case !r.Checkpoint && r.State() == trainjob.StatePrepared:
		// Its data prepared (--prepare-only), nothing trained yet.
		fmt.Fprintf(w, "            its data is prepared: tessera train --out %s --resume trains it\n", dir)
	case !r.Checkpoint && r.ModelDir != "":
		fmt.Fprintf(w, "            cannot go on: no checkpoint (%s) in it (deleted, or the run ended before its first); its model can be trained further with tessera train --init %s\n", train.CheckpointFile, r.ModelDir)
	case !r.Checkpoint:
		fmt.Fprintf(w, "            nothing to go on from: no checkpoint (%s) and no model in it; tessera train with --out %s and its data trains it anew\n", train.CheckpointFile, dir)
	case r.Resumable():
		fmt.Fprintf(w, "            tessera train --out %s --resume goes on from its checkpoint\n", dir)
	default:
		fmt.Fprintf(w, "            its schedule is done: tessera train --out %s --resume --steps N (more than %d) trains it longer\n", dir, r.Step)
	}
	if r.Record != nil && r.Record.Error != "" && r.Record.State == trainjob.StateFailed {
		fmt.Fprintf(w, "            its last call failed: %s\n", r.Record.Error)
	}
	fmt.Fprintln(w)
	return nil
}

// allModelNames reports whether every arg is a built-in model's name with
// no file of that name here.
func allModelNames(args []string) bool {
	for _, a := range args {
		if _, err := os.Stat(a); !errors.Is(err, os.ErrNotExist) || !slices.Contains(assets.Models(), a) {
			return false
		}
	}
	return true
}

// modelCard is model b's card: a built-in's embedded MODEL.md, or the
// MODEL.md of a model folder ("" when there is none).
func modelCard(b *bundle.Bundle) string {
	if strings.HasPrefix(b.Source, "builtin:") {
		return assets.ModelCard(b.Name)
	}
	if data, err := os.ReadFile(filepath.Join(b.Source, trainjob.ModelCardFile)); err == nil {
		return string(data)
	}
	return ""
}

// modelInfo prints model name's configuration, size, tokenizer, prompt
// and model card (its opening; wholeCard: all of it), or, asJSON, its
// configuration as JSON.
func modelInfo(env Env, name string, asJSON, wholeCard bool) error {
	b, err := openModel(env.Stderr, name, "f32")
	if err != nil {
		return err
	}
	c := b.Model.Config
	if asJSON {
		enc := json.NewEncoder(env.Stdout)
		out := map[string]any{
			"name": b.Name, "source": b.Source, "hash": b.Model.Hash, "params": c.Params(), "config": c,
			"codebook": map[string]int{"entries": b.Codes(), "patch_size": b.PatchSize()},
		}
		if v, ok := b.Tokenizer.(*tokenizer.ViT); ok {
			out["tokenizer"] = v.Config
		}
		if dt, err := weightsDType(b.Source); err == nil {
			out["dtype"] = dt
		}
		return enc.Encode(out)
	}
	w, h := b.ImageSize()
	rows, cols := b.Grid()
	o := env.Stdout
	fmt.Fprintf(o, "model       %s (%s), weights hash %s\n", b.Name, b.Source, b.Model.Hash)
	fmt.Fprintf(o, "parameters  %d (%s as float32)\n", c.Params(), plural.Bytes(c.Params()*4))
	if dt, err := weightsDType(b.Source); err == nil { // a folder's (a built-in's Source is no path)
		fmt.Fprintf(o, "weights     %s in %s (tessera convert writes another dtype)\n", dt, model.WeightsFile)
	}
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
	if card := modelCard(b); card != "" {
		if !wholeCard {
			// The card runs to pages: its opening, up to its first
			// section, and where the rest is.
			if i := strings.Index(card, "\n## "); i > 0 {
				card = strings.TrimRight(card[:i], "\n") + fmt.Sprintf("\n\n(how it was made and measured: tessera info --model %s --card)\n", strings.Join(quoteArgs([]string{cmp.Or(name, b.Name)}), ""))
			}
		}
		fmt.Fprintf(o, "\n%s", card)
	} else if wholeCard {
		// --card asked for it: said, where it printed the rest alone.
		where := fmt.Sprintf("built-in model %s has no card", b.Name)
		if !strings.HasPrefix(b.Source, "builtin:") {
			where = fmt.Sprintf("there is no %s in %s (tessera train and tessera average write one beside the model they export)", trainjob.ModelCardFile, b.Source)
		}
		fmt.Fprintf(o, "\nmodel card  none: %s\n", where)
	}
	return nil
}

// imageInfo prints what each image records: its size, and the prompt,
// seed, settings, model and codes of its Tessera record, or the A1111
// parameters text another tool wrote; an image with neither says so. A file
// that cannot be read is reported (with --json, as a line with "error") and
// the others are still read; then the result is an error counting them.
func imageInfo(env Env, paths []string, asJSON bool) error {
	failed, damaged := 0, 0
	for _, path := range paths {
		err := oneImageInfo(env, path, asJSON)
		switch {
		case errors.Is(err, errPixelsUnreadable): // said in its report
			damaged++
		case err != nil:
			failed++
			reportImageError(env, "info", path, err, asJSON)
		}
	}
	if failed > 0 && damaged > 0 {
		return notAll(failed+damaged, len(paths), "read or decoded")
	}
	if failed > 0 {
		return notAll(failed, len(paths), "read")
	}
	if damaged > 0 {
		return notAll(damaged, len(paths), "decoded")
	}
	return nil
}

// errPixelsUnreadable is oneImageInfo's result for an image whose header
// and record it read and reported but whose picture does not decode (a
// truncated or damaged file, which the studio and the other commands
// refuse): info exits with an error for it.
var errPixelsUnreadable = errors.New("the picture cannot be decoded")

// pixelsError is why the picture at path cannot be decoded, "" when it
// can (or is only too large to open: its header told its size).
func pixelsError(path string) string {
	_, err := codebook.LoadImage(path)
	if tooLarge := (*codebook.TooLargeError)(nil); err == nil || errors.As(err, &tooLarge) {
		return ""
	}
	return err.Error()
}

// reportImageError tells of one image a command could not read: on stderr,
// and with --json also as a line {"image": PATH, "error": TEXT} on stdout,
// so that every image given has its line.
func reportImageError(env Env, cmd, path string, err error, asJSON bool) {
	fmt.Fprintf(env.Stderr, "tessera %s: %v\n", cmd, err)
	if asJSON {
		_ = json.NewEncoder(env.Stdout).Encode(map[string]string{"image": path, "error": err.Error()})
	}
}

// oneImageInfo prints what one image records (see imageInfo).
func oneImageInfo(env Env, path string, asJSON bool) error {
	cfg, format, err := codebook.ImageConfig(path)
	if err != nil {
		return err
	}
	var text map[string]string
	var rec *pngmeta.Record
	var recErr error // a damaged record: told, and the rest shown (the other commands read the pixels then)
	if format == "png" {
		if text, err = pngmeta.ReadFile(path); err != nil {
			if broken := pixelsError(path); broken != "" {
				return errors.New(broken) // said as the other commands say it ("… is incomplete: …")
			}
			// A damaged text chunk, the picture whole: told as a damaged
			// record, and the rest shown (it said only "the image could
			// not be read", which score and the studio read).
			text, recErr = nil, fmt.Errorf("its text chunks cannot be read: %w", err)
		} else {
			rec, _, recErr = pngmeta.ParseRecord(text)
		}
	}
	params := text[pngmeta.KeyParameters]
	broken := pixelsError(path)
	result := error(nil)
	if broken != "" {
		result = errPixelsUnreadable
	}
	if asJSON {
		out := map[string]any{"image": path, "format": format, "width": cfg.Width, "height": cfg.Height}
		if format == "gif" && writtenByTessera(path) {
			out["tessera_gif"] = true // a time-lapse: GIFs keep no record
		}
		if broken != "" {
			out["pixels_error"] = broken
		}
		if params != "" {
			out["parameters"] = params
		}
		if rec != nil {
			out["record"] = rec
			out["record_status"], _ = recordStanding(path, rec, text, cfg.Width, cfg.Height, broken != "")
		}
		if recErr != nil {
			out["record_error"] = recErr.Error()
		}
		if err := json.NewEncoder(env.Stdout).Encode(out); err != nil {
			return err
		}
		return result
	}
	o := env.Stdout
	fmt.Fprintf(o, "%s: %s, %d×%d pixels\n", path, strings.ToUpper(format), cfg.Width, cfg.Height)
	if broken != "" {
		fmt.Fprintf(o, "  pixels      unreadable: %s; the studio and the other commands refuse it\n", broken)
	}
	if recErr != nil {
		fmt.Fprintf(o, "  record      damaged (%v): its codes and settings cannot be read, so the other commands read its pixels\n", recErr)
	}
	switch {
	case rec != nil:
		if from := rec.ImportedFrom(); from != "" {
			fmt.Fprintf(o, "  imported    from %s: encoded from its pixels, not sampled (no prompt, seed or settings made it)\n", from)
		} else {
			if rec.IsEdit() {
				e, _ := rec.Extra[pngmeta.ExtraEdit].(map[string]any)
				whose := "the edit model's"
				if by, _ := e["redrawn_by"].(string); by != "" {
					whose = "those of " + by + ", which redrew it"
				}
				fmt.Fprintf(o, "  instruction %s (an edit by instruction; its seed and settings are %s)\n", quoteText(rec.Prompt), whose)
				if e != nil {
					if sp, _ := e["source_prompt"].(string); sp != "" {
						// The studio's edits record the prompt their source was
						// drawn from; its A1111 text said it, info did not.
						fmt.Fprintf(o, "  source      drawn from the prompt %s\n", quoteText(sp))
					}
					if by, _ := e["redrawn_by"].(string); by != "" {
						read, _ := e["read_as"].(string)
						drawn, _ := e["drawn_as"].(string)
						fmt.Fprintf(o, "  redrawn     by %s, which read the source as %s and drew %s\n", by, quoteText(read), quoteText(drawn))
					}
				}
			} else {
				fmt.Fprintf(o, "  prompt      %s\n", quoteText(rec.Prompt))
			}
			if rec.Negative != "" {
				fmt.Fprintf(o, "  negative    %s\n", quoteText(rec.Negative))
			}
			fmt.Fprintf(o, "  seed        %d\n", rec.Seed)
			settings := recordKnobs(rec.Settings, rec.IsEdit())
			if rec.Precision != "" {
				// The arithmetic it was sampled in: another draws another
				// picture from the same seed and settings.
				settings += ", precision " + rec.Precision
			}
			fmt.Fprintf(o, "  settings    %s\n", settings)
			if note := rec.PatchTemperatureNote(); note != "" {
				fmt.Fprintf(o, "  painted     temperature %s (the studio's temperature brush; tessera branch keeps them)\n", note)
			}
		}
		fmt.Fprintf(o, "  model       %s (weights hash %s), %s\n", rec.Model, rec.ModelHash, rec.Version)
		if em, eh, own := rec.EditModel(); em != "" && !own {
			fmt.Fprintf(o, "  edited by   edit model %s (weights hash %s); the codes are %s's\n", em, eh, rec.Model)
		}
		fmt.Fprintf(o, "  codes       %d (%d×%d patches of %d px)\n", len(rec.Tokens), rec.Grid[1], rec.Grid[0], rec.PatchSize)
		if _, note := recordStanding(path, rec, text, cfg.Width, cfg.Height, broken != ""); note != "" {
			fmt.Fprintf(o, "              (%s)\n", note)
		}
		steps := ancestry(path, rec)
		if same, _ := rec.Extra[pngmeta.ExtraSameAsParent].(bool); rec.Parent != "" && same {
			// The studio's export of an image it saved or opened: the parent
			// is that file of the same picture, which names what it was
			// made from (not always the studio's own copy: a picture opened
			// from elsewhere is its parent too).
			fmt.Fprintf(o, "  exported    from %s, a file of this very picture (its record says what it was made from)\n", rec.Parent)
			if how := rec.MadeFrom(); how != "" && len(steps) == 0 { // else the first step below says it
				fmt.Fprintf(o, "  made        %s\n", how)
			}
		} else if how := rec.MadeFrom(); how != "" {
			fmt.Fprintf(o, "  made from   %s\n", how)
		} else if rec.Parent != "" {
			fmt.Fprintf(o, "  made from   %s\n", rec.Parent)
		}
		for _, step := range steps {
			fmt.Fprintf(o, "              ← %s\n", step)
		}
		if size, _ := rec.Extra[pngmeta.ExtraExportSize].(string); size != "" {
			filter, _ := rec.Extra[pngmeta.ExtraFilter].(string)
			scale, _ := rec.Extra[pngmeta.ExtraUpscale].(float64)
			how := fmt.Sprintf("%s px", size)
			if scale > 1 {
				how += fmt.Sprintf(", %g× the model's %d×%d", scale, rec.Width, rec.Height)
			}
			if filter != "" {
				how += ", " + strings.ToLower(filter) + " filter"
			}
			fmt.Fprintf(o, "  size        %s\n", how)
		}
		if kept, _ := rec.Extra[pngmeta.ExtraKeptPixels].(bool); kept {
			if em, _, own := rec.EditModel(); em != "" && !own {
				// A studio edit keeps the edit model's picture, mask or
				// not (it said "outside its run's mask" of an edit
				// without one).
				detail := ""
				if e, _ := rec.Extra[pngmeta.ExtraEdit].(map[string]any); e["source_detail"] == true {
					detail = ", given the source's detail"
				}
				fmt.Fprintf(o, "  pixels      the edit as edit model %s drew it%s (the codes, %s's, draw it only as closely as that tokenizer can)\n", em, detail, rec.Model)
			} else {
				fmt.Fprintln(o, "  pixels      outside its run's mask kept as they were (its codes draw them only as closely as the tokenizer can)")
			}
		}
		if clear, _ := rec.Extra[pngmeta.ExtraTransparent].(bool); clear {
			fmt.Fprintln(o, "  background  transparent (the white around the picture; its codes decode on white)")
		}
	case params != "":
		whose := "another tool's"
		if pngmeta.ParseParameters(params).ByTessera() {
			whose = "Tessera's, without its codes: another program kept this text alone"
		}
		fmt.Fprintf(o, "  parameters (%s): %s\n", whose, strings.ReplaceAll(params, "\n", "\n              "))
	case recErr != nil:
		// Said above: what it records cannot be read, which is not the
		// same as recording nothing.
	default:
		switch own, repainted := tesseraFile(path); {
		case own && format == "gif":
			// A GIF holds no record: Tessera marks its time-lapses with a comment.
			fmt.Fprintln(o, "  a time-lapse GIF made by Tessera (tessera timelapse, or the studio's time-lapse export): a GIF keeps no record; the PNG it was made from holds the prompt, seed and codes")
		case repainted:
			fmt.Fprintln(o, "  written by Tessera without a record, then painted over by another program that kept its text (its pixels are not the ones written)")
		case own:
			// Its Software text says Tessera wrote it, but no record: a sheet,
			// a likelihood map, a training run's sample grid.
			fmt.Fprintln(o, "  written by Tessera without a record: a sheet, a map or a figure, not one image (no prompt, seed or codes to reopen it from)")
			if c := strings.TrimSpace(text["Comment"]); c != "" {
				// How it was drawn (a sheet's model, rows and columns; a
				// likelihood map's figures), which it keeps as text.
				fmt.Fprintf(o, "  comment     %s\n", strings.ReplaceAll(c, "\n", "\n              "))
			}
		default:
			fmt.Fprintln(o, "  no Tessera record and no parameters text: not made by Tessera or A1111-style tools")
		}
	}
	return result
}

// recordKnobs lists the sampling settings a record holds: every drawing
// knob that is set (guidance too when the prompt was empty: a run drew
// with it; guidance min-p, 0 too, whenever guidance applied:
// sampling.Spec.Said), and for an edit the edit model's own (image
// guidance).
func recordKnobs(s sampling.Settings, edit bool) string {
	var parts []string
	for _, sp := range sampling.Knobs() {
		v := sp.Get(s)
		if sp.EditOnly && !edit || !sp.Said(s) || sp.Knob == sampling.KnobStylePerSeed && edit {
			continue
		}
		parts = append(parts, sp.Label+" "+sp.Format(v))
	}
	return strings.Join(parts, ", ")
}

// maxAncestry is how many generations ancestry follows.
const maxAncestry = 8

// ancestry follows an image's recorded parents (file names, as the studio
// and the commands record them) through the files found beside it or in
// the studio's outputs folder (~/Pictures/Tessera), and says what each one
// is: "tessera-….png: prompt "rocket fluent flat", seed 1", so that an edit
// or an export shows the prompt it started from. It stops at a parent not
// found, without a record, or after maxAncestry.
func ancestry(path string, rec *pngmeta.Record) []string {
	dirs := []string{filepath.Dir(path)}
	if out, ok := paths.DefaultOutputs(); ok {
		dirs = append(dirs, out)
	}
	var out []string
	seen := map[string]bool{filepath.Clean(path): true} // a parent that is the file itself (saved over) ends it
	for range maxAncestry {
		if rec == nil || rec.Parent == "" {
			break
		}
		name := filepath.Base(rec.Parent)
		var next *pngmeta.Record
		for _, d := range dirs {
			p := filepath.Clean(filepath.Join(d, name))
			if seen[p] {
				continue
			}
			text, err := pngmeta.ReadFile(p)
			if err != nil {
				continue
			}
			if r, ok, err := pngmeta.ParseRecord(text); err == nil && ok {
				seen[p], next = true, r
				break
			}
		}
		if next == nil {
			break
		}
		what := fmt.Sprintf("prompt %s, seed %d", quoteText(next.Prompt), next.Seed)
		switch {
		case next.ImportedFrom() != "":
			what = "imported from " + next.ImportedFrom()
		case next.IsEdit():
			what = fmt.Sprintf("edited by instruction %s", quoteText(next.Prompt))
			if k := next.EditedPatches(); k > 0 && next.Parent != "" && next.Parent != "." { // a masked edit's share
				what += fmt.Sprintf(" (%d of %d patches of %s)", k, next.Grid[0]*next.Grid[1], next.Parent)
			}
		}
		if how := next.MadeFrom(); how != "" && !next.IsEdit() {
			what += " (" + how + ")"
		}
		out = append(out, name+": "+what)
		rec = next
	}
	return out
}

// quoteText is text in double quotes as a person reads it: quotes,
// backslashes and control characters escaped as %q escapes them, every
// other character as itself (%q wrote the joiner of "👩🏽‍🚀" as \u200d).
func quoteText(text string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range text {
		switch {
		case r == '"' || r == '\\' || unicode.IsControl(r):
			q := strconv.Quote(string(r))
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// quoteShort is quoteText of text's first n characters, with how many
// more there are said after them: a 65 KB instruction echoed whole in a
// warning buried what it warned of.
func quoteShort(text string, n int) string {
	if utf8.RuneCountInString(text) <= n {
		return quoteText(text)
	}
	head := []rune(text)[:n]
	return fmt.Sprintf("%s… (%d characters more)", strings.TrimSuffix(quoteText(string(head)), `"`), utf8.RuneCountInString(text)-n)
}

// Record standings, the "record_status" of info --json: how a PNG's record
// stands to its pixels.
const (
	recordMatches   = "matches"   // the pixels are the ones written with it (their hash agrees)
	recordUnchecked = "unchecked" // no pixel hash recorded (an older file, or one another program re-wrote): tessera score compares the codes' picture
	recordStopped   = "stopped"   // a run stopped part way, saved as it stood
	recordDamaged   = "damaged"   // codes that no grid or codebook holds
	recordOtherSize = "other_size"
	recordRepainted = "repainted" // pixels changed since, by a program that kept the text
	// recordUnreadable: the pixels cannot be decoded (pixels_error), so
	// nothing can be said of them ("matches" was said beside pixels_error)
	recordUnreadable = "unreadable"
)

// recordStanding is how rec, the record of the PNG at path (width×height
// px, text chunks text), stands to its pixels: a record status and, where
// it is not simply this picture's, a note saying so ("" otherwise). The
// commands that sample or score read the pixels of a file whose record is
// not its own. Pixels that cannot be decoded (unreadable, which the
// caller has found and says) are not decoded again: the status is
// unreadable, with the note of what the record alone shows.
func recordStanding(path string, rec *pngmeta.Record, text map[string]string, width, height int, unreadable bool) (status, note string) {
	repainted := !unreadable && pngmeta.Repainted(path, text)
	defer func() {
		if unreadable {
			status = recordUnreadable
		}
	}()
	if drawn, total, stopped := rec.Stopped(); stopped && !repainted {
		// The studio saves a run stopped part way as it stood: not
		// damaged (it said so), but unfinished.
		return recordStopped, fmt.Sprintf("stopped: %d of %d patches drawn, the rest blank; tessera branch --from %s --at %d or the studio's Continue stopped image finishes it", drawn, total, path, drawn)
	}
	if why := damagedCodes(rec); why != "" {
		return recordDamaged, fmt.Sprintf("damaged: %s; the other commands read its pixels", why)
	}
	if !rec.DrawnAt(width, height) {
		return recordOtherSize, fmt.Sprintf("not this picture's: %d×%d patches of %d px draw no %d×%d px picture; the other commands read its pixels", rec.Grid[1], rec.Grid[0], rec.PatchSize, width, height)
	}
	if repainted {
		return recordRepainted, "no longer this picture's: its pixels were changed since they were written, by a program that kept its text; the other commands read its pixels"
	}
	if _, ok := text[pngmeta.KeyPixels]; !ok && !unreadable {
		// Said: a file whose pixels were swapped by a program that also
		// dropped the hash read as this picture's without a word.
		return recordUnchecked, fmt.Sprintf("its pixels cannot be checked against it here: the file records no hash of them; tessera score %s compares them with the picture its codes draw", path)
	}
	return recordMatches, ""
}

// damagedCodes says what is wrong with a record's codes that no model is
// needed to see ("" when nothing is): a count that does not fill its grid,
// or negative codes.
func damagedCodes(rec *pngmeta.Record) string {
	if n := rec.Grid[0] * rec.Grid[1]; len(rec.Tokens) != n {
		return fmt.Sprintf("%d codes where its %d×%d grid takes %d", len(rec.Tokens), rec.Grid[1], rec.Grid[0], n)
	}
	negative, beyond := 0, 0
	for _, t := range rec.Tokens {
		switch {
		case t < 0:
			negative++
		case t >= maxCodebook:
			beyond++
		}
	}
	if negative > 0 {
		return plural.N(negative, "negative code", "negative codes")
	}
	if beyond > 0 {
		return fmt.Sprintf("%s beyond the largest codebook (%d entries)", plural.N(beyond, "code", "codes"), maxCodebook)
	}
	return ""
}

// maxCodebook is the most codebook entries an image tokenizer of Tessera
// has (train-tokenizer --codes) or reads: a code at or above it is no
// model's.
const maxCodebook = 1 << 16
