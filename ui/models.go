package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/trainjob"
)

// Models lists and opens models; the app passes one in (built-ins are
// embedded there).
type Models interface {
	// Builtin returns the names of the built-in models, e.g. "emoji",
	// "mnist"; it may be empty.
	Builtin() []string
	// Open loads a model: a name without '/' is a built-in, anything else a
	// Hugging Face layout model folder. progress reports bytes read.
	Open(nameOrDir string, progress func(done, total int64)) (*bundle.Bundle, error)
}

// FolderModels opens model folders only (no built-ins): the Models to use
// where no models are embedded.
type FolderModels struct{}

// Builtin returns no names.
func (FolderModels) Builtin() []string { return nil }

// Open loads the model folder dir.
func (FolderModels) Open(dir string, progress func(done, total int64)) (*bundle.Bundle, error) {
	return bundle.Load(dir, modelLoadOptions(progress))
}

// isFolderKey reports whether a model key names a folder (not a built-in).
func isFolderKey(key string) bool {
	return bundle.IsFolder(key)
}

// modelLabel is how the picker shows a model key: a folder by its name
// (modelName), then where it is, home as ~.
func modelLabel(key string) string {
	if !isFolderKey(key) {
		return key
	}
	name, where := modelName(key)
	return name + " — " + shortenPath(tildePath(where), 32)
}

// modelName names a model folder key and says where it is: by its name, or,
// for the folders a run exports (in a run folder), by its run's name
// ("model", the run's model, by the run's name alone; "final" and "best"
// with theirs) and where the run is. Such a folder whose run folder is
// gone is named by that folder too (which cannot be checked to be a run's
// any more): a run folder deleted outside Tessera left its model named
// "model".
func modelName(key string) (name, where string) {
	name, where = filepath.Base(key), filepath.Dir(key)
	switch name {
	case "model", "final", "best":
		if !trainjob.IsRun(where) && !gone(where) {
			break // a folder that happens to be called so
		}
		run := filepath.Base(where)
		if name == "model" {
			name = run
		} else {
			name = run + "/" + name
		}
		where = filepath.Dir(where)
	}
	return name, where
}

// gone reports whether path does not exist (moved or deleted; not a folder
// that cannot be read).
func gone(path string) bool {
	_, err := os.Stat(path)
	return errors.Is(err, os.ErrNotExist)
}

// modelOpenError is err, the failure to open model key, with the model
// named as people know it (modelName, and its full path where it is a
// folder); a folder gone is said to be moved or deleted outside Tessera,
// with its run folder where it was a run's model.
func modelOpenError(key string, err error) error {
	if !isFolderKey(key) {
		return fmt.Errorf("open model %s: %w", key, err)
	}
	name, _ := modelName(key)
	if gone(key) {
		if run := filepath.Dir(key); gone(run) && name != filepath.Base(key) {
			return fmt.Errorf("open model %s: the run folder %s was moved or deleted outside Tessera, and its model with it: %w", name, run, err)
		}
		return fmt.Errorf("open model %s: the model folder %s was moved or deleted outside Tessera: %w", name, key, err)
	}
	return fmt.Errorf("open model %s (%s): %w", name, key, err)
}

// tildePath writes path with the home folder as "~" ("~/Tessera/runs"),
// as people write it; a path outside the home folder as it is.
func tildePath(path string) string {
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		if rel, err := filepath.Rel(home, path); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.Join("~", rel)
		}
	}
	return path
}

// shortenPath keeps the end of a long path.
func shortenPath(p string, n int) string {
	r := []rune(p)
	if len(r) <= n {
		return p
	}
	return "…" + string(r[len(r)-n+1:])
}

// modelLoadOptions are the options to load a model folder with progress.
func modelLoadOptions(progress func(done, total int64)) model.LoadOptions {
	return model.LoadOptions{Progress: progress}
}
