package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tessera-studio/tessera/assets"
	"github.com/tessera-studio/tessera/engine/edit"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/internal/plural"
)

// modelLine is one built-in model in tessera models --json.
type modelLine struct {
	Name    string   `json:"name"`
	Default bool     `json:"default,omitempty"`
	Kind    string   `json:"kind"` // "prompt", "edit" or "unconditional"
	Width   int      `json:"width"`
	Height  int      `json:"height"`
	Params  int64    `json:"params"`
	Names   int      `json:"names,omitempty"`
	Styles  []string `json:"styles,omitempty"`
}

// runModels lists the built-in models: what each draws, at what size,
// from how many names and in which styles (read from their config.json and
// names.txt, without loading the weights).
func runModels(_ context.Context, env Env, args []string) error {
	fs := newFlags(env, "models", "[--json]")
	asJSON := fs.Bool("json", false, "one JSON object per line per model")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return helpOr(fs, err)
	}
	if len(pos) > 0 {
		return noArguments(pos, fmt.Sprintf("tessera info --model %s describes one model", pos[0]))
	}
	names := assets.Models()
	if len(names) == 0 {
		fmt.Fprintln(env.Stdout, "this build embeds no models: pass a model folder (--model ./runs/x/model)")
		return nil
	}
	for i, name := range names {
		c, err := assets.ModelConfig(name)
		if err != nil {
			return err
		}
		w, h := c.ImageSize()
		line := modelLine{Name: name, Default: i == 0, Kind: modelKind(c), Width: w, Height: h, Params: c.Params(), Names: assets.ModelNames(name)}
		if c.Tessera != nil {
			line.Styles = c.Tessera.StyleWords
		}
		if *asJSON {
			if err := json.NewEncoder(env.Stdout).Encode(line); err != nil {
				return err
			}
			continue
		}
		label := name
		if line.Default {
			label += " (default)"
		}
		fmt.Fprintf(env.Stdout, "%-16s %s\n", label, modelWhat(c, line))
	}
	if !*asJSON {
		fmt.Fprintln(env.Stdout, "\nUse one with --model NAME (a folder of your own: --model ./runs/x/model); tessera info --model NAME tells more.")
	}
	return nil
}

// modelKind is what a model does: draws from a prompt, edits by
// instruction, or draws without a prompt.
func modelKind(c model.Config) string {
	switch {
	case c.IsEdit():
		return "edit"
	case c.PromptLength() > 0:
		return "prompt"
	}
	return "unconditional"
}

// modelWhat says in a line what a model draws.
func modelWhat(c model.Config, l modelLine) string {
	var what string
	switch l.Kind {
	case "edit":
		what = fmt.Sprintf("edits %d×%d pictures by instruction (%q, %q, …; tessera edit)", l.Width, l.Height, edit.Instructions()[0], "make it red")
	case "prompt":
		what = fmt.Sprintf("draws %d×%d pictures from a prompt", l.Width, l.Height)
		if l.Names > 0 {
			what += " of " + plural.N(l.Names, "name", "names")
		} else if c.Tessera != nil && len(c.Tessera.PromptVocab) > 1 && len(c.Tessera.PromptVocab) <= 16 {
			what += " of the words " + strings.Join(c.Tessera.PromptVocab[1:], " ") // PAD first
		}
		if len(l.Styles) > 0 {
			what += " in " + plural.N(len(l.Styles), "style", "styles") + " (" + strings.Join(l.Styles, ", ") + ")"
		}
	default:
		what = fmt.Sprintf("draws %d×%d pictures without a prompt", l.Width, l.Height)
	}
	return fmt.Sprintf("%s · %.1fM parameters", what, float64(l.Params)/1e6)
}
