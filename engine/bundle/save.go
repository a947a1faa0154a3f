package bundle

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/safetensors"
	"github.com/tessera-studio/tessera/engine/tokenizer"
	"github.com/tessera-studio/tessera/engine/vit"
)

// Save writes the bundle as a model folder (config.json, model.safetensors
// in dtype F32, F16 or BF16, the image tokenizer: preprocessor_config.json,
// or tokenizer_config.json + tokenizer.safetensors; and NamesFile when the
// bundle has names).
func (b *Bundle) Save(dir, dtype string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("save model: %w", err)
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
	cfg, err := json.MarshalIndent(b.Model.Config, "", "  ")
	if err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, model.ConfigFile), append(cfg, '\n'), 0o644); err != nil {
		return fmt.Errorf("save model: %w", err)
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
			return fmt.Errorf("save model: %w", err)
		}
	}
	if v, ok := b.Tokenizer.(*tokenizer.ViT); ok {
		return v.Save(dir)
	}
	w, h := b.ImageSize()
	return b.Codebook.Save(filepath.Join(dir, CodebookFile), w, h)
}
