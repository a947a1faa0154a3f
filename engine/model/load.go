package model

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/tessera-studio/tessera/engine/filehash"
	"github.com/tessera-studio/tessera/engine/safetensors"
	"github.com/tessera-studio/tessera/internal/plural"
)

// WeightsFile and ConfigFile are the Hugging Face file names in a model folder.
const (
	WeightsFile = "model.safetensors"
	ConfigFile  = "config.json"
)

// FromSafetensors binds the weights of a parsed safetensors file. Tensors the
// architecture does not use are left out (Model.Unused names them, the
// attention's mask buffers aside); a block past the config's n_layer is an
// error (checkLayers), and so are an ImageGPTModel's unprefixed tensors
// (checkPrefix).
func FromSafetensors(c Config, f *safetensors.File) (*Model, error) {
	if err := checkLayers(c, f.Names()); err != nil {
		return nil, err
	}
	if err := checkPrefix(f.Names()); err != nil {
		return nil, err
	}
	m, err := New(c, func(name string, shape []int) ([]float32, error) {
		return f.Float32(name, shape...)
	})
	if err != nil {
		return nil, err
	}
	m.Unused = unusedTensors(c, f.Names())
	return m, nil
}

// LoadOptions tune Load.
type LoadOptions struct {
	// Progress, when set, is called while the weights file is read.
	Progress func(done, total int64)
	// AvailableMemory overrides the free memory figure (for tests); 0 reads /proc/meminfo.
	AvailableMemory int64
	// Precision, "f16" or "int8", reduces the weights while they load, as
	// EnableHalf or EnableInt8 would after ("" or "f32": float32 only).
	Precision string
	// ReleaseAbove, when positive, frees the float32 copy of each matrix
	// as soon as its reduced copy exists if the model's float32 weights
	// exceed this many bytes (Model.ReleaseFloat32), so loading never holds
	// the whole model in float32.
	ReleaseAbove int64
}

// IsFolder reports whether dir holds a model: both ConfigFile and
// WeightsFile (their contents are not read).
func IsFolder(dir string) bool {
	for _, name := range []string{ConfigFile, WeightsFile} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || !fi.Mode().IsRegular() {
			return false
		}
	}
	return true
}

// Load reads config.json and model.safetensors from a model folder.
func Load(dir string, opt LoadOptions) (*Model, error) {
	switch fi, err := os.Stat(dir); {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("load %s: no such model folder", dir)
	case err == nil && !fi.IsDir():
		return nil, fmt.Errorf("load %s: not a model folder (a model is a folder with %s and %s)", dir, ConfigFile, WeightsFile)
	}
	if _, err := os.Stat(filepath.Join(dir, ConfigFile)); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("load %s: not a model folder: it has no %s (a model is a folder with %s and %s)", dir, ConfigFile, ConfigFile, WeightsFile)
	}
	c, err := LoadConfig(filepath.Join(dir, ConfigFile))
	if err != nil {
		return nil, err
	}
	avail := opt.AvailableMemory
	if avail == 0 {
		avail = AvailableMemory()
	}
	if need := c.MemoryNeeded(opt); avail > 0 && need > avail {
		return nil, fmt.Errorf("load %s: the model needs about %s of memory but only %s is available", dir, plural.Bytes(need), plural.Bytes(avail))
	}
	path := filepath.Join(dir, WeightsFile)
	if err := checkWeightsFile(dir); err != nil {
		return nil, fmt.Errorf("load %s: %w", dir, err)
	}
	// Tensor by tensor from disk: the file's bytes and the float32 weights
	// are never both in memory.
	f, err := safetensors.OpenLazy(path, opt.Progress)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", dir, err)
	}
	defer f.Close()
	if err := f.CheckRoomFor(c.Params(), ConfigFile); err != nil { // before the model is allocated
		// A config that is not these weights' (or says little, HF's
		// defaults filling the rest: "{}" is imagegpt-medium's shape):
		// what it describes, so that the mismatch can be seen.
		return nil, fmt.Errorf("load %s: %w (%d layers × %d wide, %d codes; HF ImageGPT's defaults fill in what it leaves out): is it these weights' config?",
			dir, err, c.NLayer, c.NEmbd, c.VocabSize-1)
	}
	if err := checkLayers(c, f.Names()); err != nil {
		return nil, fmt.Errorf("load %s: %w", dir, err)
	}
	if err := checkPrefix(f.Names()); err != nil {
		return nil, fmt.Errorf("load %s: %w", dir, err)
	}
	get := func(name string, shape []int) ([]float32, error) { return f.Float32(name, shape...) }
	m, err := loadReduced(c, get, opt)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", dir, err) // err names the weights file
	}
	m.Hash = hashFile(path)
	m.Unused = unusedTensors(c, f.Names())
	return m, nil
}

// unusedTensors are the names among names that c's weight table (Layout)
// does not hold, the attention's mask buffers (…attn.bias,
// …attn.masked_bias, which HF checkpoints carry) left aside, sorted.
func unusedTensors(c Config, names []string) []string {
	known := map[string]bool{}
	for _, t := range Layout(c) {
		known[t.Name] = true
	}
	var out []string
	for _, n := range names {
		if !known[n] && !strings.HasSuffix(n, ".attn.bias") && !strings.HasSuffix(n, ".attn.masked_bias") {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// checkPrefix says what a weights file of an ImageGPTModel (the base model,
// without lm_head, its tensors named wte.weight, h.0.…) is, which the
// loader would report as a missing transformer.wte.weight.
func checkPrefix(names []string) error {
	if slices.Contains(names, "wte.weight") && !slices.Contains(names, "transformer.wte.weight") {
		return fmt.Errorf("%s holds an ImageGPTModel's tensors (wte.weight, h.0.…, without the transformer. prefix and without lm_head): the base model draws nothing; Tessera reads ImageGPTForCausalImageModeling checkpoints, which have the image-code head", WeightsFile)
	}
	return nil
}

// checkWeightsFile says, when dir has no WeightsFile, what it holds in its
// place: shards (model.safetensors.index.json), which are not read, or a
// PyTorch pickle (pytorch_model.bin), which Tessera never loads.
func checkWeightsFile(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, WeightsFile)); !errors.Is(err, fs.ErrNotExist) {
		return nil // there (or another error, which opening it reports)
	}
	has := func(name string) bool { _, err := os.Stat(filepath.Join(dir, name)); return err == nil }
	switch {
	case has(WeightsFile + ".index.json"):
		return fmt.Errorf("its weights are sharded (%s.index.json and its shards), which Tessera does not read: save them as one %s (in transformers: save_pretrained(dir, max_shard_size=\"100GB\"))", WeightsFile, WeightsFile)
	case has("pytorch_model.bin"):
		return fmt.Errorf("it holds pytorch_model.bin, a pickle, which Tessera never loads (loading one runs code from the file): save the model as %s (in transformers: save_pretrained(dir, safe_serialization=True))", WeightsFile)
	}
	return fmt.Errorf("it has no %s (a model is a folder with %s and %s)", WeightsFile, ConfigFile, WeightsFile)
}

// checkLayers refuses weights that hold a block past the config's n_layer
// (a tensor transformer.h.K.… with K ≥ n_layer): a config.json of fewer
// layers than its weights would load, leave the rest unread and draw with
// the first layers alone (under the weights' own hash, as the model they
// were trained as). Weights of fewer blocks than n_layer are refused too,
// saying both counts (it said only that the first block past them, a
// tensor "transformer.h.6.ln_1.weight", was not found).
func checkLayers(c Config, names []string) error {
	blocks := 0 // the weights' blocks: one past the highest numbered
	for _, name := range names {
		rest, ok := strings.CutPrefix(name, "transformer.h.")
		if !ok {
			continue
		}
		num, _, ok := strings.Cut(rest, ".")
		k, err := strconv.Atoi(num)
		if !ok || err != nil || k < 0 {
			continue
		}
		if k >= c.NLayer {
			return fmt.Errorf("%s holds %s, a block past the %d that %s's n_layer gives: the config does not describe these weights", WeightsFile, name, c.NLayer, ConfigFile)
		}
		blocks = max(blocks, k+1)
	}
	if blocks > 0 && blocks < c.NLayer {
		return fmt.Errorf("%s and %s disagree: the config has %d layers (n_layer), the weights %d (transformer.h.0 to transformer.h.%d): the config does not describe these weights", ConfigFile, WeightsFile, c.NLayer, blocks, blocks-1)
	}
	return nil
}

// loadReduced builds the model from get, reducing each block as soon as it
// is bound when opt asks for a reduced precision (and releasing its
// float32 matrices when opt.ReleaseAbove says so).
func loadReduced(c Config, get func(name string, shape []int) ([]float32, error), opt LoadOptions) (*Model, error) {
	var h *halfState
	switch opt.Precision {
	case "", "f32":
		return New(c, get)
	case "f16":
		h = newHalfState(false)
	case "int8":
		h = newHalfState(true)
	default:
		return nil, fmt.Errorf("unknown precision %q: f32, f16 or int8", opt.Precision)
	}
	release := opt.ReleaseAbove > 0 && c.Params()*4 > opt.ReleaseAbove
	var freed int64
	releaseAll := func(ls ...*Linear) {
		for _, l := range ls {
			if release {
				freed += l.releaseFloat32()
			}
		}
	}
	m, err := newModel(c, get, func(m *Model, l int) {
		b := &m.Blocks[l]
		h.reduceBlock(b, l, c.NEmbd)
		releaseAll(&b.Attn, &b.AttnProj, &b.Fc, &b.MlpProj)
		if release {
			runtime.GC() // the next block's float32 reuses this one's memory
		}
	})
	if err != nil {
		return nil, err
	}
	h.reduce("lm_head.weight", &m.LmHead)
	releaseAll(&m.LmHead)
	m.half, m.released = h, freed
	return m, nil
}

// Parse builds a model from in-memory config.json and model.safetensors bytes
// (an embedded model); name labels error messages.
func Parse(name string, config, weights []byte) (*Model, error) {
	c, err := ParseConfig(config)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f, err := safetensors.Parse(name+"/"+WeightsFile, weights)
	if err != nil {
		return nil, err
	}
	m, err := FromSafetensors(c, f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	sum := sha256.Sum256(weights)
	m.Hash = hex.EncodeToString(sum[:5])
	return m, nil
}

// WeightsHash is the hash of the weights in the model folder dir, as Load
// sets Model.Hash ("" when they cannot be read): reading the whole file,
// it costs as long as loading does.
func WeightsHash(dir string) string { return hashFile(filepath.Join(dir, WeightsFile)) }

// hashFile is the first 10 hex digits of the file's SHA-256 ("" when it
// cannot be read).
func hashFile(path string) string {
	sum, err := filehash.SHA256(path)
	if err != nil {
		return ""
	}
	return sum[:10]
}

// AvailableMemory reads MemAvailable from /proc/meminfo (0 when unknown).
func AvailableMemory() int64 {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemAvailable:"); ok {
			fields := strings.Fields(rest)
			if len(fields) > 0 {
				kb, err := strconv.ParseInt(fields[0], 10, 64)
				if err == nil {
					return kb * 1024
				}
			}
		}
	}
	return 0
}
