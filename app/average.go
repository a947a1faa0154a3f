package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tessera-studio/tessera/assets"
	"github.com/tessera-studio/tessera/engine/atomicfile"
	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/safetensors"
	"github.com/tessera-studio/tessera/engine/train"
	"github.com/tessera-studio/tessera/internal/paths"
)

// runAverage writes the mean of the weights of checkpoints of one run
// (bundle.Average: stochastic weight averaging, a uniform model soup) as a
// model folder, with a MODEL.md naming its sources.
func runAverage(_ context.Context, env Env, args []string) error {
	fs := newFlags(env, "average", "--out DIR MODEL_DIR MODEL_DIR...")
	out := fs.String("out", "", "model folder to write (config.json, model.safetensors, the image tokenizer, MODEL.md)")
	dtype := dtypeFlag(fs, "", "weights' dtype in the file: F32, F16 or BF16 (default: the first model's)")
	force := fs.Bool("force", false, "write into --out even when it holds files (a model there is replaced; never one of the models averaged)")
	dirs, err := parseFlags(fs, args)
	if err != nil {
		return helpOr(fs, err)
	}
	switch {
	case *out == "":
		return usageError{"--out DIR is required"}
	case len(dirs) < 2:
		return usageError{"give at least two model folders to average (checkpoints of one run)"}
	}
	for i, dir := range dirs {
		// A training run's folder stands for its model, as everywhere;
		// --out may be neither (a model written among a run's checkpoint
		// and record would stand for the run).
		given := dir
		if runModel := train.RunModelDir(dir); !isModelFolder(dir) && isModelFolder(runModel) {
			dir, dirs[i] = runModel, runModel
		}
		for _, in := range []string{given, dir} {
			if paths.Same(*out, in) {
				return fmt.Errorf("--out %s is one of the models averaged (%s): give a new folder", *out, in)
			}
		}
		for _, before := range dirs[:i] {
			if paths.Same(before, dir) {
				// its weights would count twice, and the card would
				// say two checkpoints
				return usageError{fmt.Sprintf("%s is given twice (as %s too): give each checkpoint once", dir, before)}
			}
		}
		if err := checkAveraged(dir); err != nil {
			return err
		}
	}
	if err := checkModelOut(*out, *force, "the average"); err != nil {
		return err
	}
	start := time.Now()
	if *dtype == "" {
		if *dtype, err = weightsDType(dirs[0]); err != nil {
			return err
		}
	}
	b, err := bundle.Average(dirs)
	if err != nil {
		return err
	}
	noteOtherDefaults(env, dirs)
	if err := b.Save(*out, *dtype); err != nil {
		return err // Save says "save model" and names the path
	}
	name := modelLabelOf(b, *out)
	what := averagedRuns(env, dirs)
	card := fmt.Sprintf("# Model %s\n\nThe mean of the weights of %s (stochastic weight averaging, Izmailov et al. 2018; a uniform model soup, Wortsman et al. 2022), made by Tessera %s with:\n\n    tessera average %s\n",
		name, what, Version, strings.Join(quoteArgs(args), " "))
	if first, err := os.ReadFile(filepath.Join(dirs[0], "MODEL.md")); err == nil {
		card += "\n## The first of them (" + dirs[0] + ")\n\n" + demoteHeadings(string(first))
	}
	if err := atomicfile.WriteBytes(filepath.Join(*out, "MODEL.md"), []byte(card)); err != nil {
		return fmt.Errorf("model card: %w", err)
	}
	fmt.Fprintf(env.Stdout, "%s: the mean of %d models' weights (%d parameters, %s) in %.1f s\n", *out, len(dirs), b.Model.Config.Params(), *dtype, time.Since(start).Seconds())
	return nil
}

// averagedRuns is what the model card of the average of the model folders
// dirs calls them: "2 checkpoints of one run, runs/a" where the cards of
// all name that run as where they were trained (cardRun), else "2 models
// of one architecture and tokenizer" with the runs named where known, and
// a note on stderr saying that they are not checkpoints of one run, or
// not known to be (the card said "of one run" of any two models).
func averagedRuns(env Env, dirs []string) string {
	runs := make([]string, len(dirs))
	var unknown []string
	for i, dir := range dirs {
		if runs[i] = cardRun(dir); runs[i] == "" {
			unknown = append(unknown, dir)
		}
	}
	n := len(dirs)
	if len(unknown) == 0 && !slices.ContainsFunc(runs, func(r string) bool { return r != runs[0] }) {
		return fmt.Sprintf("%d checkpoints of one run, %s", n, runs[0])
	}
	if len(unknown) > 0 {
		fmt.Fprintf(env.Stderr, "note: the model card (MODEL.md) of %s names no training run, so the %d models are not known to be checkpoints of one run: the average's card says so\n", strings.Join(unknown, ", "), n)
		return fmt.Sprintf("%d models of one architecture and tokenizer, not known to be checkpoints of one run", n)
	}
	var each []string
	for i, dir := range dirs {
		each = append(each, fmt.Sprintf("%s in %s", dir, runs[i]))
	}
	fmt.Fprintf(env.Stderr, "note: the %d models are not checkpoints of one run (trained: %s): the average's card says so; averaging helps along one run's late checkpoints\n", n, strings.Join(each, ", "))
	return fmt.Sprintf("%d models of one architecture and tokenizer from the different runs %s", n, strings.Join(slices.Compact(slices.Sorted(slices.Values(runs))), ", "))
}

// cardRun is the run folder that the model card (MODEL.md) of the model
// folder dir says its weights were trained in: the --out of the first
// `tessera train` command it quotes before its first second-level heading
// (an average's card quotes its first source's under one), cleaned; ""
// where it quotes none (a model of another origin, or an average).
func cardRun(dir string) string {
	card, err := os.ReadFile(filepath.Join(dir, "MODEL.md"))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(card), "\n") {
		if strings.HasPrefix(line, "## ") {
			break
		}
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "tessera train ")
		if !ok {
			continue
		}
		words := shellWords(rest)
		for i, w := range words {
			if v, ok := strings.CutPrefix(w, "--out="); ok {
				return filepath.Clean(v)
			}
			if (w == "--out" || w == "-out") && i+1 < len(words) {
				return filepath.Clean(words[i+1])
			}
		}
	}
	return ""
}

// shellWords splits a command line as trainjob.QuoteArgs writes one (and
// a shell reads it): words between blanks, '…' quoted literally, a
// backslash escaping the next character.
func shellWords(line string) []string {
	var words []string
	var w strings.Builder
	in, quoted := false, false // in a word; inside '…'
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quoted && c == '\'':
			quoted = false
		case quoted:
			w.WriteByte(c)
		case c == '\'':
			quoted, in = true, true
		case c == '\\' && i+1 < len(line):
			i++
			w.WriteByte(line[i])
			in = true
		case c == ' ' || c == '\t':
			if in {
				words = append(words, w.String())
				w.Reset()
				in = false
			}
		default:
			w.WriteByte(c)
			in = true
		}
	}
	if in {
		words = append(words, w.String())
	}
	return words
}

// noteOtherDefaults says on stderr which of the model folders dirs record
// other sampling defaults in their config.json than the first (an export
// given --default-guidance 2): the average records the first's.
func noteOtherDefaults(env Env, dirs []string) {
	first, err := model.LoadConfig(filepath.Join(dirs[0], model.ConfigFile))
	if err != nil {
		return // Average read it: not to be
	}
	var other []string
	for _, dir := range dirs[1:] {
		if c, err := model.LoadConfig(filepath.Join(dir, model.ConfigFile)); err == nil && c.Recommended() != first.Recommended() {
			other = append(other, dir)
		}
	}
	if len(other) > 0 {
		fmt.Fprintf(env.Stderr, "note: %s record%s other sampling defaults than %s (config.json tessera.defaults): the average records those of %s, the first\n",
			strings.Join(other, ", "), map[bool]string{true: "s", false: ""}[len(other) == 1], dirs[0], dirs[0])
	}
}

// checkAveraged says plainly why dir is no model folder to average where a
// user may take it for one: a built-in model's name (averaged, it had
// said "load emoji: no such model folder"). A run folder was refused
// here; it now stands for its model (runAverage).
func checkAveraged(dir string) error {
	if isModelFolder(dir) {
		return nil
	}
	if _, err := os.Stat(dir); err != nil && slices.Contains(assets.Models(), dir) {
		return fmt.Errorf("%s is a built-in model, not a folder: average takes model folders (the checkpoints of one run; a built-in model's folder is assets/models/%s in Tessera's source)", dir, dir)
	}
	return nil // Load says what is wrong
}

// isModelFolder reports whether dir holds a model's weights.
func isModelFolder(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, model.WeightsFile))
	return err == nil
}

// weightsDType is the dtype of the first floating-point tensor in a model
// folder's model.safetensors.
func weightsDType(dir string) (string, error) {
	path := filepath.Join(dir, model.WeightsFile)
	f, err := safetensors.OpenLazy(path, nil)
	if errors.Is(err, fs.ErrNotExist) {
		if _, statErr := os.Stat(dir); statErr != nil {
			return "", fmt.Errorf("load %s: no such model folder", dir) // as Load says
		}
		return "", fmt.Errorf("%s is not a model folder: it has no %s", dir, model.WeightsFile)
	}
	if err != nil {
		return "", err
	}
	defer f.Close()
	for _, name := range f.Names() {
		if dt := f.Tensors[name].DType; dt == "F32" || dt == "F16" || dt == "BF16" {
			return dt, nil
		}
	}
	return "", fmt.Errorf("%s holds no F32, F16 or BF16 tensor", path)
}

// demoteHeadings moves every Markdown heading of md two levels down, so a
// model card can be quoted under a "##" heading of its own: its title
// under it (one level left the section it was quoted in empty, the card's
// title beside it as a section of its own).
func demoteHeadings(md string) string {
	lines := strings.Split(md, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "#") {
			// At most "######": Markdown has six levels (a seventh "#"
			// makes it text).
			level := len(l) - len(strings.TrimLeft(l, "#"))
			lines[i] = strings.Repeat("#", min(level+2, 6)) + l[level:]
		}
	}
	return strings.Join(lines, "\n")
}
