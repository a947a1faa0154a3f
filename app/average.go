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
		if runModel := filepath.Join(dir, "model"); !isModelFolder(dir) && isModelFolder(runModel) {
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
	card := fmt.Sprintf("# Model %s\n\nThe mean of the weights of %d checkpoints of one run (stochastic weight averaging, Izmailov et al. 2018; a uniform model soup, Wortsman et al. 2022), made by Tessera %s with:\n\n    tessera average %s\n",
		name, len(dirs), Version, strings.Join(quoteArgs(args), " "))
	if first, err := os.ReadFile(filepath.Join(dirs[0], "MODEL.md")); err == nil {
		card += "\n## The first of them (" + dirs[0] + ")\n\n" + demoteHeadings(string(first))
	}
	if err := atomicfile.WriteBytes(filepath.Join(*out, "MODEL.md"), []byte(card)); err != nil {
		return fmt.Errorf("model card: %w", err)
	}
	fmt.Fprintf(env.Stdout, "%s: the mean of %d models' weights (%d parameters, %s) in %.1f s\n", *out, len(dirs), b.Model.Config.Params(), *dtype, time.Since(start).Seconds())
	return nil
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

// demoteHeadings moves every Markdown heading of md one level down, so a
// model card can be quoted under a heading of its own.
func demoteHeadings(md string) string {
	lines := strings.Split(md, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "#") {
			lines[i] = "#" + l
		}
	}
	return strings.Join(lines, "\n")
}
