package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/tokenizer"
)

// Average loads the model folders dirs and returns a model whose
// transformer weights are their element-wise mean (float32), with the
// first folder's config, prompt vocabulary, defaults and image tokenizer.
//
// Averaging the weights of late checkpoints of one run finds a flatter
// point of the loss than any one of them (stochastic weight averaging,
// Izmailov et al. 2018, "Averaging Weights Leads to Wider Optima and Better
// Generalization"; a "uniform model soup", Wortsman et al. 2022). It only
// makes sense for checkpoints of one run, so every folder must have the
// first one's config.json (architecture and vocabulary; the sampling
// defaults recorded in it may differ, as an export given --default-guidance
// 2 records another: the first's are kept) and the same image tokenizer;
// otherwise the error names the folder that differs. Fewer than two
// folders is an error.
func Average(dirs []string) (*Bundle, error) {
	if len(dirs) < 2 {
		return nil, errors.New("give at least two model folders to average")
	}
	first, err := Load(dirs[0], model.LoadOptions{})
	if err != nil {
		return nil, err // Load names the folder
	}
	cfg, err := configKey(first.Model.Config)
	if err != nil {
		return nil, fmt.Errorf("%s: config: %w", dirs[0], err)
	}
	tok, err := tokenizerKey(first)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dirs[0], err)
	}
	sum := first.Model.Weights()
	names := slices.Sorted(maps.Keys(sum))
	for _, dir := range dirs[1:] {
		b, err := Load(dir, model.LoadOptions{})
		if err != nil {
			return nil, err
		}
		c, err := configKey(b.Model.Config)
		if err != nil {
			return nil, fmt.Errorf("%s: config: %w", dir, err)
		}
		if !bytes.Equal(c, cfg) {
			return nil, fmt.Errorf("%s and %s differ in config.json (architecture or vocabulary): only checkpoints of one run can be averaged", dir, dirs[0])
		}
		k, err := tokenizerKey(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
		if !bytes.Equal(k, tok) {
			return nil, fmt.Errorf("%s and %s have different image tokenizers", dir, dirs[0])
		}
		w := b.Model.Weights()
		for _, n := range names {
			dst, src := sum[n].Data().([]float32), w[n].Data().([]float32)
			for i, v := range src {
				dst[i] += v
			}
		}
	}
	scale := 1 / float32(len(dirs))
	for _, n := range names {
		d := sum[n].Data().([]float32)
		for i := range d {
			d[i] *= scale
		}
	}
	return first, nil
}

// configKey is a byte string that is equal for two configs exactly when
// they differ at most in the sampling defaults they record
// (model.Ext.Defaults), which say how to sample a model, not what it is.
func configKey(c model.Config) ([]byte, error) {
	if c.Tessera != nil {
		ext := *c.Tessera
		ext.Defaults = nil
		c.Tessera = &ext
	}
	return json.Marshal(c)
}

// tokenizerKey is a byte string that is equal for two bundles exactly when
// their image tokenizers are: the ViT tokenizer's files, or the patch
// codebook's entries.
func tokenizerKey(b *Bundle) ([]byte, error) {
	if v, ok := b.Tokenizer.(*tokenizer.ViT); ok {
		files, err := v.Files()
		if err != nil {
			return nil, err
		}
		var key []byte
		for _, name := range slices.Sorted(maps.Keys(files)) {
			key = append(append(append(key, name...), 0), files[name]...)
		}
		return key, nil
	}
	if b.Codebook == nil {
		return nil, errors.New("no image tokenizer")
	}
	return json.Marshal(b.Codebook.Entries)
}
