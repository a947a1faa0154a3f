package bundle_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/model"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	b := bundletest.Tiny(1)
	b.Names = []string{"red cat", "blue dog"}
	dir := t.TempDir()
	if err := b.Save(dir, "F32"); err != nil {
		t.Fatal(err)
	}
	got, err := bundle.Load(dir, model.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Conditional() || !slices.Equal(got.Prompt.Words(), b.Prompt.Words()) {
		t.Fatal("prompt vocabulary lost")
	}
	if !slices.Equal(got.Names, b.Names) {
		t.Errorf("names %q after a round trip, want %q (names.txt)", got.Names, b.Names)
	}
	if got.Name != "tiny" {
		t.Errorf("name %q, want tiny (from the config)", got.Name)
	}
	for name, w := range b.Model.Weights() {
		if !slices.Equal(got.Model.Weights()[name].Data().([]float32), w.Data().([]float32)) {
			t.Fatalf("weights %s differ after F32 round trip", name)
		}
	}
	if !slices.Equal(got.Codebook.Entries, b.Codebook.Entries) {
		t.Error("codebook differs")
	}
}

func TestParseNames(t *testing.T) {
	got := bundle.ParseNames([]byte("# names\ncat face\r\n\n  red apple \n"))
	if !slices.Equal(got, []string{"cat face", "red apple"}) {
		t.Errorf("ParseNames: %q", got)
	}
}

func TestLoadRejectsMismatchedCodebook(t *testing.T) {
	dir := t.TempDir()
	if err := bundletest.Tiny(1).Save(dir, "F16"); err != nil {
		t.Fatal(err)
	}
	// A palette codebook (p=1, 16 entries) from another model.
	src, err := os.ReadFile("../../testdata/imagegpt/vector1/preprocessor_config.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, bundle.CodebookFile), src, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := bundle.Load(dir, model.LoadOptions{}); err == nil || !strings.Contains(err.Error(), "codebook") {
		t.Errorf("err = %v, want a codebook mismatch", err)
	}
	if _, err := bundle.Load(filepath.Join(dir, "missing"), model.LoadOptions{}); err == nil {
		t.Error("a missing folder loaded")
	}
}

// A preprocessor_config.json whose size is not the picture config.json's
// n_positions makes is refused, naming both (a 48-position config drew 8×6
// pictures beside a preprocessor of 8×8); the reference checkpoint's agree.
func TestLoadRejectsASizeTheConfigDoesNotDraw(t *testing.T) {
	src := "../../testdata/imagegpt/vector1"
	dir := t.TempDir()
	for _, name := range []string{model.ConfigFile, model.WeightsFile, bundle.CodebookFile} {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if name == bundle.CodebookFile {
			var pre map[string]any
			if err := json.Unmarshal(data, &pre); err != nil {
				t.Fatal(err)
			}
			pre["size"] = map[string]int{"height": 6, "width": 6}
			data, _ = json.Marshal(pre)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := bundle.Load(dir, model.LoadOptions{}); err == nil || !strings.Contains(err.Error(), "size is 6×6 px but config.json makes 8×8-px pictures") {
		t.Errorf("err = %v", err)
	}
	if _, err := bundle.Load(src, model.LoadOptions{}); err != nil {
		t.Errorf("the reference checkpoint: %v", err)
	}
}

// TestViTBundleRoundTrip saves a model with a ViT tokenizer and loads it
// back: the tokenizer files are found, and images encode to the same codes.
func TestViTBundleRoundTrip(t *testing.T) {
	b := bundletest.TinyViT(3)
	if b.Codebook != nil || b.Tokenizer.Local() {
		t.Fatal("a ViT bundle reports a patch codebook")
	}
	dir := t.TempDir()
	if err := b.Save(dir, "F32"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, bundle.CodebookFile)); err == nil {
		t.Error("a ViT model folder got a preprocessor_config.json codebook")
	}
	got, err := bundle.Load(dir, model.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Tokenizer.Local() || got.Codes() != 16 || got.PatchSize() != 2 {
		t.Fatalf("loaded tokenizer: local %v, %d codes, patch %d", got.Tokenizer.Local(), got.Codes(), got.PatchSize())
	}
	img := b.Decode([]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0})
	want, err := b.Encode(img)
	if err != nil {
		t.Fatal(err)
	}
	have, err := got.Encode(img)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(want, have) {
		t.Fatalf("codes after a round trip %v, before %v", have, want)
	}
	// A tokenizer whose codebook size differs from the model's is refused.
	cfg, _ := os.ReadFile(filepath.Join(dir, "tokenizer_config.json"))
	bad := strings.Replace(string(cfg), `"codebook_size": 16`, `"codebook_size": 32`, 1)
	if err := os.WriteFile(filepath.Join(dir, "tokenizer_config.json"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := bundle.Load(dir, model.LoadOptions{}); err == nil {
		t.Fatal("a tokenizer with the wrong codebook size loaded")
	}
	// Its configuration gone, the error names it (it named the codebook
	// file, which a ViT model never has).
	if err := os.Remove(filepath.Join(dir, "tokenizer_config.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := bundle.Load(dir, model.LoadOptions{}); err == nil || !strings.Contains(err.Error(), "tokenizer.safetensors is there but tokenizer_config.json, its configuration, is missing") {
		t.Fatalf("a ViT tokenizer without its configuration: %v", err)
	}
	if err := os.Remove(filepath.Join(dir, "tokenizer.safetensors")); err != nil {
		t.Fatal(err)
	}
	if _, err := bundle.Load(dir, model.LoadOptions{}); err == nil || !strings.Contains(err.Error(), "no image tokenizer: neither preprocessor_config.json") {
		t.Fatalf("no tokenizer: %v", err)
	}
}

func TestIsFolder(t *testing.T) {
	for name, want := range map[string]bool{"emoji": false, "./emoji": true, "runs/emoji/model": true, ".": true, "/abs/m": true, "": false, "mnist": false} {
		if got := bundle.IsFolder(name); got != want {
			t.Errorf("IsFolder(%q) = %v, want %v", name, got, want)
		}
	}
}

// A training run's model (RUN/model, beside run.json) is called by its run
// folder, as the studio's model picker calls it: two runs on one folder of
// pictures were both called by the folder's name. Another folder named
// model goes by the name its configuration gives.
// A Hugging Face cache snapshot is called by its repository's name, not by
// its commit's hash (a model read from the cache was called "0123abcd").
func TestFolderNameOfAHuggingFaceSnapshot(t *testing.T) {
	for dir, want := range map[string]string{
		"/h/.cache/huggingface/hub/models--openai--imagegpt-small/snapshots/0123abcd": "imagegpt-small",
		"/h/models/imagegpt-small":          "imagegpt-small",
		"/h/snapshots/0123abcd":             "0123abcd",
		"/h/models--/snapshots/0123abcd":    "0123abcd",
		"/h/models--mine/snapshots/0123abc": "mine",
	} {
		if got := bundle.FolderName(dir); got != want {
			t.Errorf("FolderName(%s) = %q, want %q", dir, got, want)
		}
	}
}

func TestRunModelIsCalledByItsRun(t *testing.T) {
	b := bundletest.Tiny(1)
	run := filepath.Join(t.TempDir(), "icons-20261203-093533")
	dir := filepath.Join(run, "model")
	if err := b.Save(dir, "F32"); err != nil {
		t.Fatal(err)
	}
	plain, err := bundle.Load(dir, model.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(run, bundle.RunRecordFile), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := bundle.Load(dir, model.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "icons-20261203-093533" || plain.Name == got.Name || plain.Name != b.Model.Config.Name() && plain.Name != "model" {
		t.Errorf("names: %q in a run folder, %q outside one (config %q)", got.Name, plain.Name, b.Model.Config.Name())
	}
}

// Saved over another model's folder, a model leaves none of the other
// tokenizer's files or a names file it has none of: loaded, the folder is
// the model saved (a codebook model saved over a ViT one was read with the
// stale ViT tokenizer).
func TestSaveOverAnotherModel(t *testing.T) {
	dir := t.TempDir()
	vitModel, local := bundletest.TinyViT(3), bundletest.Tiny(4)
	if err := vitModel.Save(dir, "F32"); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, bundle.NamesFile), []byte("red cat\n"), 0o644))
	must(local.Save(dir, "F32"))
	for _, name := range []string{"tokenizer_config.json", "tokenizer.safetensors", bundle.NamesFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s of the model before is left", name)
		}
	}
	got, err := bundle.Load(dir, model.LoadOptions{})
	must(err)
	if !got.Tokenizer.Local() {
		t.Error("the codebook model loads with a ViT tokenizer")
	}
	must(vitModel.Save(dir, "F32"))
	if _, err := os.Stat(filepath.Join(dir, bundle.CodebookFile)); err == nil {
		t.Error("the codebook is left beside the ViT tokenizer")
	}
}

// A save that fails part way (a full disk; here a dtype the weights file
// refuses, after config.json is written) leaves no folder, or the folder
// saved over as it was, and nothing beside it: it left a config.json that
// a second try took for a model already there.
func TestSaveThatFailsLeavesNothing(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "m")
	if err := bundletest.Tiny(1).Save(dir, "F8"); err == nil {
		t.Fatal("saved in dtype F8")
	}
	if left, _ := os.ReadDir(parent); len(left) != 0 {
		t.Fatalf("a failed save left %v", left)
	}
	if err := bundletest.Tiny(1).Save(dir, "F32"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("the model folder: %v, %v", fi, err)
	}
	before, err := os.ReadFile(filepath.Join(dir, model.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := bundletest.Tiny(2).Save(dir, "F8"); err == nil || !strings.Contains(err.Error(), "as it was") {
		t.Fatalf("saved over in dtype F8: %v", err)
	} else if strings.Contains(err.Error(), ".partial-") || !strings.HasPrefix(err.Error(), "save model to "+dir+": ") {
		t.Errorf("the error names the staging folder, gone when it is read, or not the folder asked for: %v", err)
	}
	// An error of writing the files says "save model" once.
	nan := bundletest.Tiny(2)
	nan.Model.Config.AttnPdrop = math.NaN() // no JSON for config.json
	if err := nan.Save(dir, "F32"); err == nil || strings.Count(err.Error(), "save model") != 1 {
		t.Errorf("a config that cannot be written: %v", err)
	}
	after, err := os.ReadFile(filepath.Join(dir, model.ConfigFile))
	if left, _ := os.ReadDir(parent); err != nil || string(after) != string(before) || len(left) != 1 {
		t.Errorf("a failed save over a model changed its config (%v) or left %v beside it", err, left)
	}
	if _, err := bundle.Load(dir, model.LoadOptions{}); err != nil {
		t.Errorf("the model saved over first no longer loads: %v", err)
	}
	// Saved through a symbolic link to it, the model is written into the
	// folder linked, and no staging folder is left in either.
	// A staging folder a killed save left is removed by the next save; a
	// folder where a file of the model goes is refused before anything
	// moves.
	dead := 1 << 22 // above the usual pid_max: no process
	stale := filepath.Join(dir, fmt.Sprintf(".m.partial-%d-0", dead))
	if err := os.MkdirAll(filepath.Join(stale, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := bundletest.Tiny(1).Save(dir, "F32"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("a dead save's staging folder is left")
	}
	blocked := filepath.Join(t.TempDir(), "b")
	if err := os.MkdirAll(filepath.Join(blocked, model.ConfigFile, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := bundletest.Tiny(1).Save(blocked, "F32"); err == nil || !strings.Contains(err.Error(), "is a folder where the model's config.json goes") {
		t.Errorf("a folder where config.json goes: %v", err)
	}
	if left, _ := os.ReadDir(blocked); len(left) != 1 {
		t.Errorf("a refused save left %v", left)
	}
	// A folder on another file system where there is one (/dev/shm):
	// a staging folder beside the link could not be renamed into it.
	if shm, err := os.MkdirTemp("/dev/shm", "tessera-test-"); err == nil {
		t.Cleanup(func() { os.RemoveAll(shm) })
		if err := bundletest.Tiny(1).Save(shm, "F32"); err != nil {
			t.Fatal(err)
		}
		dir = shm
	}
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	if err := bundletest.TinyViT(3).Save(link, "F16"); err != nil {
		t.Fatal(err)
	}
	_, vitIn := os.Stat(filepath.Join(dir, "tokenizer_config.json"))
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 || vitIn != nil {
		t.Errorf("saved through a link: the link is one %v (%v); the ViT tokenizer in the folder linked: %v", fi.Mode()&os.ModeSymlink != 0, err, vitIn)
	}
	inside, _ := os.ReadDir(dir)
	for _, e := range inside {
		if strings.Contains(e.Name(), "partial") {
			t.Errorf("left %s in the model folder", e.Name())
		}
	}
}

// A config.json whose prompt_vocab gained a word (one image code fewer,
// vocab_size unchanged) names what changed, not the codebook alone ("the
// codebook has 256 codes but the model has 255 image codes").
func TestPromptVocabEditIsNamed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "m")
	if err := bundletest.Tiny(9).Save(dir, "F32"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, model.ConfigFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	ts := cfg["tessera"].(map[string]any)
	ts["prompt_vocab"] = append(ts["prompt_vocab"].([]any), "zebra")
	if raw, err = json.Marshal(cfg); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = bundle.Load(dir, model.LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "vocab_size or prompt_vocab was changed") {
		t.Fatalf("a prompt_vocab with a word more: %v", err)
	}
}
