package app

import (
	"fmt"
	"strings"

	"github.com/tessera-studio/tessera/assets"
	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/model"
)

// Catalog opens models by built-in name or folder path.
type Catalog struct{}

// Builtin lists the embedded models, the default first.
func (Catalog) Builtin() []string { return assets.Models() }

// Open loads a model: a value containing '/' is a folder, anything else a
// built-in name; "" is the default built-in model.
func (Catalog) Open(nameOrDir string, progress func(done, total int64)) (*bundle.Bundle, error) {
	if nameOrDir == "" {
		nameOrDir = assets.Default()
		if nameOrDir == "" {
			return nil, fmt.Errorf("no model given and this build embeds none: pass --model FOLDER")
		}
	}
	if strings.ContainsRune(nameOrDir, '/') {
		return bundle.Load(nameOrDir, model.LoadOptions{Progress: progress})
	}
	return assets.Open(nameOrDir)
}
