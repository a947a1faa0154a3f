package bundle

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/safetensors"
	"github.com/tessera-studio/tessera/engine/tokenizer"
	"github.com/tessera-studio/tessera/engine/vit"
)

// Save writes the bundle as a model folder (config.json, model.safetensors
// in dtype F32, F16 or BF16, the image tokenizer: preprocessor_config.json,
// or tokenizer_config.json + tokenizer.safetensors; and NamesFile when the
// bundle has names).
//
// The files are written into a staging folder first and moved in once all
// are written: a write that fails (a full disk) leaves dir as it was,
// where it left a config.json cut short that a second try took for a
// model. The staging folder is inside dir when dir exists (the same file
// system, whether dir is a symbolic link or a mount point), else beside
// it, then renamed to it. Files of dir that the new model would be read
// with but does not write (the other kind of tokenizer's, a names file)
// are removed once the new ones are in.
func (b *Bundle) Save(dir, dtype string) error {
	return b.SaveContext(context.Background(), dir, dtype)
}

// SaveContext is Save, given up when ctx is cancelled before the files
// written to the staging folder are moved into dir: then nothing of the
// model is left (ctx.Err() is returned) and dir is as it was. (The writing
// itself runs to its end: a Ctrl-C during it waits for that, then leaves
// nothing.)
func (b *Bundle) SaveContext(ctx context.Context, dir, dtype string) error {
	dir = filepath.Clean(dir)
	fi, err := os.Stat(dir)
	exists := err == nil
	switch {
	case exists && !fi.IsDir():
		return fmt.Errorf("save model: %s is a file, not a folder", dir)
	case !exists:
		if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
			return fmt.Errorf("save model: %w", err)
		}
	}
	within := filepath.Dir(dir)
	if exists {
		within = dir
	}
	removeStaleStaging(within, filepath.Base(dir))
	staging, err := stagingFolder(within, filepath.Base(dir))
	if err != nil {
		return fmt.Errorf("save model to %s: %w", dir, err)
	}
	defer os.RemoveAll(staging) // gone already when all went well
	if err := b.write(staging, dtype); err != nil {
		// Said of the folder asked for: the staging folder is gone.
		msg := strings.ReplaceAll(err.Error(), staging+string(filepath.Separator), "")
		return stagedError{fmt.Sprintf("save model to %s: %s (%s is as it was)", dir, msg, dir), err}
	}
	if err := ctx.Err(); err != nil {
		return err // the staging folder goes (deferred above)
	}
	if !exists {
		if err := os.Rename(staging, dir); err != nil {
			return fmt.Errorf("save model: %w", err)
		}
		return nil
	}
	written, err := os.ReadDir(staging)
	if err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	for _, e := range written {
		// A folder where a file goes would fail its move half way.
		if fi, err := os.Lstat(filepath.Join(dir, e.Name())); err == nil && fi.IsDir() {
			return fmt.Errorf("save model: %s is a folder where the model's %s goes (%s is as it was)", filepath.Join(dir, e.Name()), e.Name(), dir)
		}
	}
	for i, e := range written {
		if err := os.Rename(filepath.Join(staging, e.Name()), filepath.Join(dir, e.Name())); err != nil {
			if i == 0 {
				return fmt.Errorf("save model: %w (%s is as it was)", err, dir)
			}
			return fmt.Errorf("save model: %w (%s holds %d of the new model's files over the model it held: save it again)", err, dir, i)
		}
	}
	// A folder that held another model (an earlier export, a model average
	// --force replaces): the other kind of tokenizer's files, or a names
	// file this bundle has none of, would be read with these weights
	// (a ViT tokenizer's config is taken over a codebook).
	stale := []string{vit.ConfigFile, vit.WeightsFile}
	if _, ok := b.Tokenizer.(*tokenizer.ViT); ok {
		stale = []string{CodebookFile}
	}
	if len(b.Names) == 0 {
		stale = append(stale, NamesFile)
	}
	for _, name := range stale {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("save model: %w", err)
		}
	}
	return nil
}

// removeStaleStaging removes the staging folders of the model folder name
// in parent (stagingFolder) that a save which ended without cleaning up
// left (a crash, a kill): those whose process is gone. Failures are left
// for the next save.
func removeStaleStaging(parent, name string) {
	prefix := "." + name + ".partial-"
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || !e.IsDir() {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid == os.Getpid() || processAlive(pid) {
			continue
		}
		_ = os.RemoveAll(filepath.Join(parent, e.Name()))
	}
}

// processAlive reports whether a process of id pid is running (signal 0
// reaches it).
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM) // another user's process is running too
}

// stagingFolder makes a new hidden folder in parent for the files of the
// model folder name (Save), with the permissions a new folder gets (0755
// under the umask; os.MkdirTemp's are 0700).
func stagingFolder(parent, name string) (string, error) {
	for i := 0; ; i++ {
		path := filepath.Join(parent, fmt.Sprintf(".%s.partial-%d-%d", name, os.Getpid(), i))
		err := os.Mkdir(path, 0o755)
		if err == nil {
			return path, nil
		}
		if !errors.Is(err, fs.ErrExist) || i >= 100 {
			return "", err
		}
	}
}

// write writes the bundle's files into the folder dir (Save, which says
// what was being saved: its errors name only the file).
func (b *Bundle) write(dir, dtype string) error {
	cfg, err := json.MarshalIndent(b.Model.Config, "", "  ")
	if err != nil {
		return fmt.Errorf("%s: %w", model.ConfigFile, err)
	}
	if err := os.WriteFile(filepath.Join(dir, model.ConfigFile), append(cfg, '\n'), 0o644); err != nil {
		return err
	}
	weights := b.Model.Weights()
	names := make([]string, 0, len(weights))
	for n := range weights {
		names = append(names, n)
	}
	sort.Strings(names)
	tensors := make([]safetensors.Tensor, 0, len(names))
	for _, n := range names {
		t := weights[n]
		tensors = append(tensors, safetensors.Tensor{Name: n, DType: dtype, Shape: t.Shape().Clone(), Data: t.Data().([]float32)})
	}
	if err := safetensors.Write(filepath.Join(dir, model.WeightsFile), tensors, map[string]string{"format": "pt"}); err != nil {
		return err
	}
	if len(b.Names) > 0 {
		if err := os.WriteFile(filepath.Join(dir, NamesFile), b.NameTable().Format(), 0o644); err != nil {
			return err
		}
	}
	if v, ok := b.Tokenizer.(*tokenizer.ViT); ok {
		return v.Save(dir)
	}
	w, h := b.ImageSize()
	return b.Codebook.Save(filepath.Join(dir, CodebookFile), w, h)
}

// stagedError is an error of writing into a staging folder, said without
// the staging folder's path (gone by the time it is read); Unwrap gives
// the error itself.
type stagedError struct {
	msg string
	err error
}

func (e stagedError) Error() string { return e.msg }
func (e stagedError) Unwrap() error { return e.err }
