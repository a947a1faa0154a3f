// Package assets embeds the built-in models and the application icon.
//
// Each built-in model is a folder under models/ in the Hugging Face ImageGPT
// layout (config.json, model.safetensors, preprocessor_config.json) plus a
// MODEL.md that records how it was trained.
package assets

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/edit"
	"github.com/tessera-studio/tessera/engine/model"
)

//go:embed models icon.png
var files embed.FS

// Icon is the application icon (PNG).
func Icon() []byte {
	data, _ := files.ReadFile("icon.png")
	return data
}

// Models lists the built-in model names, the default first.
func Models() []string {
	entries, _ := fs.ReadDir(files, "models")
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			if _, err := fs.Stat(files, path.Join("models", e.Name(), "model.safetensors")); err == nil {
				names = append(names, e.Name())
			}
		}
	}
	sort.SliceStable(names, func(i, j int) bool { return rank(names[i]) < rank(names[j]) })
	return names
}

// Default is the name of the default built-in model ("" when none is embedded).
func Default() string {
	if m := Models(); len(m) > 0 {
		return m[0]
	}
	return ""
}

// EditModel is the name of the built-in edit-by-instruction model ("" when
// none is embedded).
func EditModel() string {
	if slices.Contains(Models(), edit.DefaultName) {
		return edit.DefaultName
	}
	return ""
}

func rank(name string) int {
	switch name {
	case "emoji":
		return 0
	case "mnist":
		return 1
	}
	return 2
}

// Open loads a built-in model by name.
func Open(name string) (*bundle.Bundle, error) {
	for _, n := range Models() {
		if n == name {
			return bundle.LoadFS(files, path.Join("models", name), name)
		}
	}
	if len(Models()) == 0 {
		return nil, fmt.Errorf("no built-in model %q: this build embeds no models; pass a model folder", name)
	}
	return nil, fmt.Errorf("no built-in model %q (built-in: %s; tessera models lists them)", name, strings.Join(Models(), ", "))
}

// ModelConfig reads a built-in model's config.json without its weights.
func ModelConfig(name string) (model.Config, error) {
	data, err := files.ReadFile(path.Join("models", name, "config.json"))
	if err != nil {
		return model.Config{}, fmt.Errorf("built-in model %s: %w", name, err)
	}
	return model.ParseConfig(data)
}

// ModelNames counts the names a built-in model lists in its names.txt (0
// when it lists none).
func ModelNames(name string) int {
	data, err := files.ReadFile(path.Join("models", name, bundle.NamesFile))
	if err != nil {
		return 0
	}
	return len(bundle.ParseNames(data))
}

// ModelCard returns a built-in model's MODEL.md ("" if none).
func ModelCard(name string) string {
	data, _ := files.ReadFile(path.Join("models", name, "MODEL.md"))
	return string(data)
}
