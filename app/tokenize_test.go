package app

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/psnr"
	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/engine/trainjob"
)

// writePNG writes a w×h test picture (a gradient with a red block).
func writePNG(t *testing.T, path string, w, h int) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	// A blue of the file's name: pictures of a folder differ (a training
	// folder trains identical ones once).
	name := fnv.New32a()
	name.Write([]byte(filepath.Base(path)))
	blue := uint8(60 + name.Sum32()%120)
	for y := range h {
		for x := range w {
			c := color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), blue, 255}
			if x < w/2 && y < h/2 {
				c = color.NRGBA{230, 20, 20, 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// TestTokenizeCLI encodes images with a ViT-tokenizer model and with a
// codebook model: one JSON line per image with the codes and a finite
// reconstruction PSNR, and the reconstruction written where asked.
func TestTokenizeCLI(t *testing.T) {
	dir := t.TempDir()
	vitModel := filepath.Join(dir, "tiny-vit")
	if err := bundletest.TinyViT(2).Save(vitModel, "F32"); err != nil {
		t.Fatal(err)
	}
	a, b := filepath.Join(dir, "a.png"), filepath.Join(dir, "b.png")
	writePNG(t, a, 8, 8)
	writePNG(t, b, 40, 24) // resized to the model's 8×8
	for _, c := range []struct{ model, kind string }{{vitModel, "vit-vq"}, {tinyModel(t), "codebook"}} {
		out := filepath.Join(dir, c.kind+".png")
		code, stdout, stderr := run(t, "tokenize", "--model", c.model, "--json", "--out", out, a, b)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.kind, code, stderr)
		}
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		if len(lines) != 2 {
			t.Fatalf("%s: %d lines, want 2: %s", c.kind, len(lines), stdout)
		}
		for i, l := range lines {
			var got tokenizeLine
			if err := json.Unmarshal([]byte(l), &got); err != nil {
				t.Fatal(err)
			}
			if got.Tokenizer != c.kind || len(got.Codes) != 16 || got.Grid != [2]int{4, 4} || got.PSNR == nil || math.IsNaN(*got.PSNR) || *got.PSNR <= 0 || got.Lossless {
				t.Fatalf("%s line %d: %+v", c.kind, i, got)
			}
			if _, err := os.Stat(got.Output); err != nil {
				t.Fatalf("%s: no reconstruction at %q", c.kind, got.Output)
			}
			// It records its codes, as a picture imported from the one
			// tokenized: it reopens exactly and says where it came from.
			if r, _ := readRecord(t, got.Output); !slices.Equal(r.Tokens, got.Codes) || r.ImportedFrom() != filepath.Base(got.Image) {
				t.Fatalf("%s: the reconstruction records codes %v (want %v), imported from %q", c.kind, r.Tokens, got.Codes, r.ImportedFrom())
			}
		}
		if c.kind != "codebook" {
			continue
		}
		// A codebook's reconstruction is made of its own entries: encoded
		// again it comes back exactly, an infinite PSNR, which JSON cannot
		// hold: psnr_db is null and lossless true.
		rec := numberedPath(out, 0, 2)
		code, stdout, stderr = run(t, "tokenize", "--model", c.model, "--json", rec)
		var got map[string]any
		if err := json.Unmarshal([]byte(stdout), &got); code != 0 || err != nil {
			t.Fatalf("tokenize its own reconstruction: exit %d, %v: %s %s", code, err, stdout, stderr)
		}
		if psnr, ok := got["psnr_db"]; !ok || psnr != nil || got["lossless"] != true {
			t.Fatalf("exact reconstruction: %s", stdout)
		}
		if code, stdout, _ = run(t, "tokenize", "--model", c.model, rec); code != 0 || !strings.Contains(stdout, "lossless") {
			t.Fatalf("plain output of an exact reconstruction: exit %d: %q", code, stdout)
		}
	}
	// A reconstruction replaces its own earlier one (a rerun), never a
	// picture the model drew (its prompt, seed and codes) without --force.
	again := filepath.Join(dir, "vit-vq.png")
	if code, _, stderr := run(t, "tokenize", "--model", vitModel, "--out", again, a); code != 0 {
		t.Fatalf("a rerun over its own reconstruction: exit %d: %s", code, stderr)
	}
	drawn := filepath.Join(dir, "drawn.png")
	if code, _, stderr := run(t, "generate", "--model", vitModel, "--prompt", "", "--seed", "3", "--out", drawn); code != 0 {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	before, _ := os.ReadFile(drawn)
	if code, _, stderr := run(t, "tokenize", "--model", vitModel, "--out", drawn, a); code == 0 || !strings.Contains(stderr, "holds a picture Tessera drew") {
		t.Fatalf("a reconstruction over a drawn picture: exit %d: %s", code, stderr)
	}
	if after, _ := os.ReadFile(drawn); string(after) != string(before) {
		t.Fatal("the drawn picture was replaced")
	}
	if code, _, stderr := run(t, "tokenize", "--model", vitModel, "--out", drawn, "--force", a); code != 0 {
		t.Fatalf("--force: exit %d: %s", code, stderr)
	}
	// Plain output and errors.
	code, stdout, _ := run(t, "tokenize", "--model", vitModel, a)
	if code != 0 || !strings.Contains(stdout, "dB PSNR") {
		t.Fatalf("exit %d: %q", code, stdout)
	}
	if code, _, _ := run(t, "tokenize", "--model", vitModel); code != 2 {
		t.Fatalf("no images: exit %d, want 2", code)
	}
	broken := filepath.Join(dir, "broken.png")
	os.WriteFile(broken, []byte("\x89PNG not really"), 0o644)
	if code, _, stderr := run(t, "tokenize", "--model", vitModel, broken); code == 0 || !strings.Contains(stderr, "broken.png") {
		t.Fatalf("broken image: exit %d, %q", code, stderr)
	}
	// A rerun whose second image fails keeps the earlier run's
	// reconstructions in its place and past its last: they are said to be
	// no reconstructions of these images, as generate says of a batch's
	// leftovers (rr-2.png passed for broken.png's without a word).
	rr := filepath.Join(dir, "rr.png")
	if code, _, stderr := run(t, "tokenize", "--model", vitModel, "--out", rr, a, a, a); code != 0 || strings.Contains(stderr, "left from") {
		t.Fatalf("three reconstructions: exit %d, %q", code, stderr)
	}
	code, _, stderr := run(t, "tokenize", "--model", vitModel, "--out", rr, a, broken)
	if code == 0 || !strings.Contains(stderr, "note: rr-2.png, left from an earlier run, is not the reconstruction of "+broken+"\n") ||
		!strings.Contains(stderr, "note: rr-3.png, left from an earlier run, is not the reconstruction of one of these 2 images\n") {
		t.Fatalf("a rerun whose second image fails: exit %d, %q", code, stderr)
	}
}

// TestTrainTokenizerCLI trains a tiny tokenizer on a folder, resumes it,
// and measures it beside k-means with eval-tokenizer.
func TestTrainTokenizerCLI(t *testing.T) {
	data := t.TempDir()
	for i := range 40 {
		writePNG(t, filepath.Join(data, "img"+string(rune('a'+i%26))+string(rune('a'+i/26))+".png"), 8+i%5, 8+i%3)
	}
	out := filepath.Join(t.TempDir(), "run")
	args := []string{"train-tokenizer", "--data", data, "--out", out, "--size", "8", "--patch", "2", "--codes", "8", "--code-dim", "4",
		"--width", "8", "--heads", "2", "--encoder-layers", "1", "--decoder-layers", "1", "--batch", "4", "--eval-every", "10", "--threads", "1", "--pre-vq-steps", "5", "--warmup", "5"}
	code, stdout, stderr := run(t, append(args, "--steps", "15", "--limit", "30")...)
	if code != 0 || !strings.Contains(stdout, "held-out") {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	imagesLine := func(stderr string) string {
		for _, l := range strings.Split(stderr, "\n") {
			if strings.HasPrefix(l, "tokenizer: ") && strings.Contains(l, "held-out images") {
				return l
			}
		}
		return ""
	}
	first := imagesLine(stderr)
	if !strings.Contains(first, "held-out images") {
		t.Fatalf("the first run does not say its images: %s", stderr)
	}
	// A resume given only --steps keeps the run's own settings: its data,
	// its 30 images and held-out ones, its architecture (which had to be
	// given again) and batch.
	code, _, stderr = run(t, "train-tokenizer", "--out", out, "--steps", "25", "--threads", "1")
	if code != 0 || !strings.Contains(stderr, "resuming the run in") || !strings.Contains(stderr, "30 images of them, a 25-step schedule, 2×2 px codes, width 8, batch 4") {
		t.Fatalf("second run: exit %d: %s", code, stderr)
	}
	if again := imagesLine(stderr); again != first {
		t.Errorf("the resume read other images: %q, first %q", again, first)
	}
	// What a resume keeps, given otherwise, is refused, not ignored; given
	// the same, it is fine.
	if code, _, stderr := run(t, "train-tokenizer", "--out", out, "--steps", "25", "--batch", "8", "--lr", "0.01"); code != 2 || !strings.Contains(stderr, "keeps its own") {
		t.Errorf("a resume given another --batch or --lr: exit %d, %q", code, stderr)
	}
	if code, _, stderr := run(t, "train-tokenizer", "--out", out, "--steps", "25", "--batch", "4", "--width", "8", "--threads", "1"); code != 0 {
		t.Errorf("a resume given its own --batch and --width: exit %d, %q", code, stderr)
	}
	// Its --data given again is fine, another is refused before any image
	// is read (it named the other data as the run's own first).
	if code, _, stderr := run(t, "train-tokenizer", "--out", out, "--data", data, "--steps", "25", "--threads", "1"); code != 0 {
		t.Errorf("a resume given its own --data: exit %d, %q", code, stderr)
	}
	if code, _, stderr := run(t, "train-tokenizer", "--out", out, "--data", t.TempDir(), "--steps", "25"); code != 2 || !strings.Contains(stderr, "a resume keeps its data") || strings.Contains(stderr, "resuming the run") {
		t.Errorf("a resume given other --data: exit %d, %q", code, stderr)
	}
	if code, _, stderr := run(t, "train-tokenizer", "--out", out, "--steps", "10"); code != 2 || !strings.Contains(stderr, "is at step 25 already") {
		t.Errorf("a resume with a schedule shorter than the steps done: exit %d, %q", code, stderr)
	}
	if card, err := os.ReadFile(filepath.Join(out, "tokenizer", "TOKENIZER.md")); err != nil || !strings.Contains(string(card), "25 of 25 steps") {
		t.Fatalf("tokenizer card: %v\n%s", err, card)
	}
	code, stdout, stderr = run(t, "eval-tokenizer", "--tokenizer", filepath.Join(out, "tokenizer"), "--data", data, "--kmeans-codes", "4", "--json", "--sheet", filepath.Join(out, "sheet.png"))
	if code != 0 {
		t.Fatalf("eval-tokenizer: exit %d: %s", code, stderr)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"vit_psnr_db", "kmeans_psnr_db", "vit_perplexity"} {
		if v, ok := got[k].(float64); !ok || math.IsNaN(v) || v <= 0 {
			t.Fatalf("%s = %v in %s", k, got[k], stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "sheet.png")); err != nil {
		t.Fatal("no sheet written")
	}
	if code, _, _ := run(t, "train-tokenizer", "--data", data); code != 2 {
		t.Fatalf("no --out: exit %d, want 2", code)
	}
	// Not into a folder of other files: the training pictures, or a folder
	// with a user's own tokenizer in it (written over without a word).
	mine := t.TempDir()
	if err := os.MkdirAll(filepath.Join(mine, "final"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mine, "final", "tokenizer.safetensors"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{data, mine} {
		args := append([]string{"train-tokenizer", "--data", data, "--out", dir, "--steps", "2"}, args[5:]...)
		if code, _, stderr := run(t, args...); code != 1 || !strings.Contains(stderr, "and no tokenizer run (tokenizer-checkpoint.safetensors): give a new or empty folder") {
			t.Errorf("--out %s: exit %d, %q", dir, code, stderr)
		}
	}
	if b, err := os.ReadFile(filepath.Join(mine, "final", "tokenizer.safetensors")); err != nil || string(b) != "mine" {
		t.Errorf("the user's tokenizer: %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(data, "final")); !os.IsNotExist(err) {
		t.Errorf("the data folder got a run: %v", err)
	}

	// The decoder alone, from the tokenizer just made: its architecture
	// comes from --init, and the card says what was kept.
	dec := filepath.Join(t.TempDir(), "dec")
	code, stdout, stderr = run(t, "train-tokenizer", "--data", data, "--init", filepath.Join(out, "tokenizer"), "--decoder-only", "--out", dec,
		"--batch", "4", "--steps", "10", "--eval-every", "5", "--threads", "1", "--warmup", "2")
	if code != 0 || !strings.Contains(stderr, "decoder only: encoded") || !strings.Contains(stdout, "held-out") {
		t.Fatalf("decoder only: exit %d: %s %s", code, stdout, stderr)
	}
	if card, err := os.ReadFile(filepath.Join(dec, "tokenizer", "TOKENIZER.md")); err != nil || !strings.Contains(string(card), "the decoder alone, from") {
		t.Fatalf("decoder-only card: %v\n%s", err, card)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--decoder-only"}, "--decoder-only needs --init"},
		{[]string{"--init", filepath.Join(out, "tokenizer"), "--patch", "4"}, "the architecture comes from --init"},
		{[]string{"--init", data}, "no ViT tokenizer there"},
	} {
		args := append([]string{"train-tokenizer", "--data", data, "--out", filepath.Join(t.TempDir(), "x")}, c.args...)
		if code, _, stderr := run(t, args...); code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

// The tokenizer card says how many images were held out and their share
// (it said 3% of the data, where 1 of 8 pictures, 12.5%, was).
func TestTokenizerCardSaysTheHeldOutShare(t *testing.T) {
	data := t.TempDir()
	for i := range 8 {
		writePNG(t, filepath.Join(data, fmt.Sprintf("img%d.png", i)), 8, 8)
	}
	out := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := run(t, "train-tokenizer", "--data", data, "--out", out, "--size", "8", "--patch", "2", "--codes", "8", "--code-dim", "4",
		"--width", "8", "--heads", "2", "--encoder-layers", "1", "--decoder-layers", "1", "--batch", "4", "--eval-every", "5", "--threads", "1",
		"--pre-vq-steps", "2", "--warmup", "2", "--steps", "5")
	if code != 0 || !strings.Contains(stderr, "7 training and 1 held-out images") {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	card, err := os.ReadFile(filepath.Join(out, "tokenizer", "TOKENIZER.md"))
	if err != nil || !strings.Contains(string(card), "- Held-out images (1 of 8, 12.5% of the data, never trained on)") {
		t.Fatalf("tokenizer card: %v\n%s", err, card)
	}
}

// tokenizerRunFolders makes run folders as far as a tokenizer goes: a
// train run's on a ViT tokenizer (its model/ holds it), one's on a patch
// codebook (model/) and a train-tokenizer run's (tokenizer/).
func tokenizerRunFolders(t *testing.T) (vitRun, kmRun, tokRun string) {
	t.Helper()
	root := t.TempDir()
	vitRun, kmRun, tokRun = filepath.Join(root, "vit-run"), filepath.Join(root, "km-run"), filepath.Join(root, "tok-run")
	if err := bundletest.TinyViT(3).Save(filepath.Join(vitRun, "model"), "F32"); err != nil {
		t.Fatal(err)
	}
	if err := bundletest.Tiny(3).Save(filepath.Join(kmRun, "model"), "F32"); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(tokRun, "tokenizer"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"tokenizer_config.json", "tokenizer.safetensors"} {
		b, err := os.ReadFile(filepath.Join(vitRun, "model", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tokRun, "tokenizer", name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return vitRun, kmRun, tokRun
}

// train --tokenizer takes a run folder for its tokenizer, as
// eval-tokenizer does: a train-tokenizer run's tokenizer/, a train run's
// model/, recorded as the folder trained with; a run on a patch codebook
// says it has no ViT tokenizer (each said "no ViT tokenizer there").
func TestTrainTokenizerFlagTakesRunFolders(t *testing.T) {
	vitRun, kmRun, tokRun := tokenizerRunFolders(t)
	data := t.TempDir()
	for i := range 4 {
		writePNG(t, filepath.Join(data, fmt.Sprintf("img%d.png", i)), 8, 8)
	}
	for dir, want := range map[string]string{vitRun: filepath.Join(vitRun, "model"), tokRun: filepath.Join(tokRun, "tokenizer")} {
		out := filepath.Join(t.TempDir(), "run")
		code, _, stderr := run(t, "train", "--tokenizer", dir, "--data", data, "--out", out, "--prepare-only", "--threads", "1")
		if code != 0 {
			t.Errorf("%s: exit %d: %s", dir, code, stderr)
			continue
		}
		if rec, err := trainjob.ReadRecord(out); err != nil || rec.Settings.Tokenizer != want {
			t.Errorf("%s: the run records the tokenizer %q (%v), want %q", dir, rec.Settings.Tokenizer, err, want)
		}
	}
	code, _, stderr := run(t, "train", "--tokenizer", kmRun, "--data", data, "--out", filepath.Join(t.TempDir(), "run"), "--prepare-only")
	if code != 2 || !strings.Contains(stderr, "has a patch codebook (preprocessor_config.json, learnt by k-means), not a ViT tokenizer") {
		t.Errorf("a run on a patch codebook: exit %d, %q", code, stderr)
	}
}

// eval-tokenizer takes a run folder for its tokenizer, as --model takes
// one for its model: a train-tokenizer run's tokenizer/, a train run's
// model/; a model on a patch codebook says it has no ViT tokenizer (each
// said "load DIR/tokenizer_config.json: no such file").
func TestEvalTokenizerTakesRunFolders(t *testing.T) {
	vitRun, kmRun, tokRun := tokenizerRunFolders(t)
	for dir, want := range map[string]string{
		vitRun: filepath.Join(vitRun, "model"), filepath.Join(vitRun, "model"): filepath.Join(vitRun, "model"),
		tokRun: filepath.Join(tokRun, "tokenizer"), filepath.Join(tokRun, "tokenizer"): filepath.Join(tokRun, "tokenizer"),
	} {
		if got, err := vitTokenizerFolder("tokenizer", dir); err != nil || got != want {
			t.Errorf("%s: %q, %v; want %q", dir, got, err, want)
		}
	}
	data := t.TempDir()
	for i := range 4 {
		writePNG(t, filepath.Join(data, fmt.Sprintf("img%d.png", i)), 8, 8)
	}
	code, stdout, stderr := run(t, "eval-tokenizer", "--tokenizer", tokRun, "--data", data, "--kmeans-codes", "0")
	if code != 0 || !strings.Contains(stdout, "ViT-VQ tokenizer:") {
		t.Errorf("a train-tokenizer run folder: exit %d: %s %s", code, stdout, stderr)
	}
	for _, dir := range []string{kmRun, filepath.Join(kmRun, "model")} {
		if code, _, stderr := run(t, "eval-tokenizer", "--tokenizer", dir, "--data", data); code != 2 || !strings.Contains(stderr, "has a patch codebook (preprocessor_config.json, learnt by k-means), not a ViT tokenizer") {
			t.Errorf("%s: exit %d, %q", dir, code, stderr)
		}
	}
	if code, _, stderr := run(t, "eval-tokenizer", "--tokenizer", data, "--data", data); code != 2 || !strings.Contains(stderr, "no ViT tokenizer there") {
		t.Errorf("a folder of pictures: exit %d, %q", code, stderr)
	}
}

// TestTrainInitFineTunes fine-tunes the tiny models (patch codebook and ViT
// tokenizer) on a folder whose captions bring a new word: the result keeps
// the tokenizer, the grid and every old word in its place, adds the new word,
// and loads.
func TestTrainInitFineTunes(t *testing.T) {
	data := t.TempDir()
	for _, name := range []string{"red zebra", "blue zebra", "red cat", "zebra dog", "blue cat", "red dog"} {
		writePNG(t, filepath.Join(data, strings.ReplaceAll(name, " ", "_")+".png"), 16, 16)
	}
	vitModel := filepath.Join(t.TempDir(), "tiny-vit")
	if err := bundletest.TinyViT(4).Save(vitModel, "F32"); err != nil {
		t.Fatal(err)
	}
	for _, base := range []string{tinyModel(t), vitModel} {
		out := filepath.Join(t.TempDir(), "run")
		code, stdout, stderr := run(t, "train", "--init", base, "--data", data, "--out", out, "--steps", "3", "--batch", "2", "--threads", "1")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s %s", base, code, stdout, stderr)
		}
		if !strings.Contains(stderr, "fine-tuning") {
			t.Fatalf("no fine-tuning note: %s", stderr)
		}
		got, err := openModel(os.Stderr, filepath.Join(out, "model"), "f32")
		if err != nil {
			t.Fatal(err)
		}
		was, err := openModel(os.Stderr, base, "f32")
		if err != nil {
			t.Fatal(err)
		}
		oldWords, newWords := was.Model.Config.Tessera.PromptVocab, got.Model.Config.Tessera.PromptVocab
		if len(newWords) != len(oldWords)+1 || newWords[len(newWords)-1] != "zebra" || strings.Join(newWords[:len(oldWords)], " ") != strings.Join(oldWords, " ") {
			t.Fatalf("vocabulary %q after fine-tuning %q", newWords, oldWords)
		}
		if got.Tokenizer.Local() != was.Tokenizer.Local() || got.Codes() != was.Codes() || got.ImageTokens() != was.ImageTokens() {
			t.Fatal("the fine-tune changed the tokenizer or the grid")
		}
		// The run records the shape it trained: the model's, not the preset's.
		rec, err := trainjob.ReadRecord(out)
		if err != nil {
			t.Fatal(err)
		}
		// Its sample grid shows the folder's captions, not one row without
		// a prompt.
		if p := rec.Settings.SamplePrompts; len(p) == 0 || len(p) > 6 || !slices.Contains(strings.Split("red zebra,blue zebra,red cat,zebra dog,blue cat,red dog", ","), p[0]) {
			t.Errorf("%s: sample prompts %q", base, p)
		}
		c := was.Model.Config
		w, _ := was.ImageSize()
		if st := rec.Settings; st.Width != c.NEmbd || st.Layers != c.NLayer || st.Heads != c.NHead || st.Size != w || st.Patch != was.PatchSize() || st.Codes != c.Codes() {
			t.Errorf("%s: run.json records %d×%d, %d heads, %d px in %d px patches, %d codes; the model is %d×%d, %d heads, %d px in %d, %d codes",
				base, st.Layers, st.Width, st.Heads, st.Size, st.Patch, st.Codes, c.NLayer, c.NEmbd, c.NHead, w, was.PatchSize(), c.Codes())
		}
		img := was.Decode(make([]int, was.ImageTokens()))
		a, _ := was.Encode(img)
		b, _ := got.Encode(img)
		if strings.Trim(strings.Join(strings.Fields(fmt.Sprint(a)), ","), "[]") != strings.Trim(strings.Join(strings.Fields(fmt.Sprint(b)), ","), "[]") {
			t.Fatal("the fine-tuned model encodes images differently")
		}
	}
	if code, _, stderr := run(t, "train", "--init", vitModel, "--tokenizer", vitModel, "--data", data, "--out", t.TempDir(), "--steps", "1"); code != 2 || !strings.Contains(stderr, "--tokenizer") {
		t.Fatalf("--init with --tokenizer: exit %d, %s", code, stderr)
	}
	if code, _, stderr := run(t, "train", "--init", "no-such-model", "--data", data, "--out", t.TempDir(), "--steps", "1"); code == 0 || !strings.Contains(stderr, "no-such-model") {
		t.Fatalf("unknown model: exit %d, %s", code, stderr)
	}
}

// TestSheetCLI draws a contact sheet of prompts × styles and of prompts × seeds.
func TestSheetCLI(t *testing.T) {
	model := tinyModel(t)
	dir := t.TempDir()
	prompts := filepath.Join(dir, "prompts.txt")
	os.WriteFile(prompts, []byte("# a comment\nred cat\n\nblue dog\n"), 0o644)
	out := filepath.Join(dir, "sheet.png")
	code, stdout, stderr := run(t, "sheet", "--model", model, "--prompts", prompts, "--styles", "all", "--out", out, "--cell", "16", "--labels=false")
	if code != 0 || !strings.Contains(stdout, "2 prompts × 2 columns") || strings.Contains(stderr, "replacing") {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(f)
	f.Close()
	if err != nil || cfg.Width != 2*16+3*4 || cfg.Height != 2*16+3*4 {
		t.Fatalf("sheet %dx%d: %v", cfg.Width, cfg.Height, err)
	}
	// With its labels (the default): the prompts on the left, the styles
	// over the columns, in dark text on the white. The earlier sheet it
	// replaces is said to be replaced, as generate says it (it was not).
	if code, _, stderr := run(t, "sheet", "--model", model, "--prompts", prompts, "--styles", "all", "--out", out, "--cell", "32"); code != 0 ||
		!strings.Contains(stderr, "note: replacing "+out+" once the run finishes (one stopped part way leaves it as it is), earlier output of Tessera (give --out another name to keep it)") {
		t.Fatalf("labelled sheet over the first: exit %d: %q", code, stderr)
	}
	labelled, err := codebook.LoadImage(out)
	if err != nil {
		t.Fatal(err)
	}
	bare := 2*32 + 3*4
	lb := labelled.Bounds()
	if lb.Dx() <= bare+20 || lb.Dy() <= bare+8 {
		t.Fatalf("labelled sheet %v: no room for the labels beside the %d-px grid", lb, bare)
	}
	inked := func(r image.Rectangle) bool {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if c := color.GrayModel.Convert(labelled.At(x, y)).(color.Gray); c.Y < 128 {
					return true
				}
			}
		}
		return false
	}
	left, top := lb.Dx()-bare, lb.Dy()-bare
	if !inked(image.Rect(0, top, left, lb.Dy())) || !inked(image.Rect(left, 0, lb.Dx(), top)) {
		t.Fatal("the label bands hold no text")
	}
	code, stdout, _ = run(t, "sheet", "--model", model, "--prompt", "red cat", "--seeds", "3", "--out", out, "--cell", "16")
	if code != 0 || !strings.Contains(stdout, "1 prompt × 3 columns") {
		t.Fatalf("seeds: exit %d: %s", code, stdout)
	}
	if code, _, _ := run(t, "sheet", "--model", model, "--out", out); code != 2 {
		t.Fatalf("no prompts: exit %d, want 2", code)
	}
	// A sheet larger than pictures are read is refused before sampling.
	if code, _, stderr := run(t, "sheet", "--model", model, "--prompt", "red cat", "--seeds", "65", "--cell", "128", "--out", out, "--labels=false"); code != 2 || !strings.Contains(stderr, "the sheet would be 8584×136 px") {
		t.Fatalf("65 columns of 128 px: exit %d, %q", code, stderr)
	}
	// --json says what each column shows: styles at the sheet's seed, or seeds.
	code, stdout, _ = run(t, "sheet", "--model", model, "--prompts", prompts, "--styles", "all", "--seed", "4", "--out", out, "--cell", "16", "--json")
	want := `{"path":` + jsonString(out) + `,"prompts":["red cat","blue dog"],"columns":[{"style":"google","seed":4},{"style":"twitter","seed":4}]}` + "\n"
	if code != 0 || stdout != want {
		t.Fatalf("styles --json: exit %d\n%s\nwant\n%s", code, stdout, want)
	}
	code, stdout, _ = run(t, "sheet", "--model", model, "--prompt", "red cat", "--seeds", "2", "--seed", "7", "--out", out, "--cell", "16", "--json")
	if want := `{"path":` + jsonString(out) + `,"prompts":["red cat"],"columns":[{"seed":7},{"seed":8}]}` + "\n"; code != 0 || stdout != want {
		t.Fatalf("seeds --json: exit %d\n%s\nwant\n%s", code, stdout, want)
	}
}

// jsonString is s as a JSON string literal.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestGenerateWarnsAboutTheNegativePrompt: unknown negative words are named,
// and a negative prompt at guidance 1 is said to have no effect.
func TestGenerateWarnsAboutTheNegativePrompt(t *testing.T) {
	model := tinyModel(t)
	out := filepath.Join(t.TempDir(), "n.png")
	code, _, stderr := run(t, "generate", "--model", model, "--prompt", "red cat", "--negative", "zebra dog", "--guidance", "1", "--seed", "2", "--out", out, "--quiet")
	if code != 0 || !strings.Contains(stderr, `"zebra"`) || !strings.Contains(stderr, "no effect at guidance 1") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = run(t, "generate", "--model", model, "--prompt", "red cat", "--negative", "dog", "--guidance", "2", "--seed", "2", "--out", out, "--quiet")
	if code != 0 || strings.Contains(stderr, "no effect") {
		t.Fatalf("guidance 2: exit %d, stderr %q", code, stderr)
	}
}

// TestTokenizeNotesAResize: a picture of another size than the model's is
// named as resized, as score and describe name it.
func TestTokenizeNotesAResize(t *testing.T) {
	model := tinyModel(t)
	big := solidPNG(t, t.TempDir(), "big.png", 40)
	code, stdout, stderr := run(t, "tokenize", "--model", model, big)
	if code != 0 || !strings.Contains(stderr, "big.png is 40×40 px; it is resized to the model's 8×8") || !strings.Contains(stdout, "dB PSNR") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// A picture of another shape than the model's is measured over the
// picture itself, as the studio measures it on opening, not over the white
// bands it is fitted between, which any tokenizer draws back: a 5000×300
// picture the studio read at 12.3 dB, tokenize said 24.2.
func TestTokenizeMeasuresThePictureNotItsBands(t *testing.T) {
	dir := t.TempDir()
	wide := filepath.Join(dir, "wide.png")
	writePNG(t, wide, 40, 24) // 8×5 inside the tiny model's 8×8, between white bands
	out := filepath.Join(dir, "rec.png")
	code, stdout, stderr := run(t, "tokenize", "--model", tinyModel(t), "--json", "--out", out, wide)
	var got tokenizeLine
	if err := json.Unmarshal([]byte(stdout), &got); code != 0 || err != nil || got.PSNR == nil {
		t.Fatalf("exit %d, %v: %s %s", code, err, stdout, stderr)
	}
	src, err := codebook.LoadImage(wide)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := codebook.LoadImage(out)
	if err != nil {
		t.Fatal(err)
	}
	fit, back := codebook.Fit(src, 8, 8), codebook.Flatten(rec)
	at := codebook.PictureRect(40, 24, 8, 8)
	if at != image.Rect(0, 1, 8, 6) {
		t.Fatalf("picture at %v, want (0,1)-(8,6)", at)
	}
	want := psnr.Images(fit.SubImage(at).(*image.NRGBA), back.SubImage(at).(*image.NRGBA))
	whole := psnr.Images(fit, back)
	if math.Abs(*got.PSNR-want) > 1e-9 || whole == want {
		t.Errorf("psnr_db %g: want %g over the picture (%g over the whole square)", *got.PSNR, want, whole)
	}
}

// An animated GIF is read by its first frame, and the commands that read
// pictures say so.
func TestAnimatedGIFIsSaid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "anim.gif")
	frames := []*image.Paletted{
		image.NewPaletted(image.Rect(0, 0, 8, 8), color.Palette{color.White, color.Black}),
		image.NewPaletted(image.Rect(0, 0, 8, 8), color.Palette{color.Black, color.White}),
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := gif.EncodeAll(f, &gif.GIF{Image: frames, Delay: []int{10, 10}}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	model := tinyModel(t)
	for _, cmd := range [][]string{{"tokenize", "--model", model, path}, {"score", "--model", model, path}} {
		if code, _, stderr := run(t, cmd...); code != 0 || !strings.Contains(stderr, "anim.gif is an animated GIF; only its first frame is read") {
			t.Errorf("%s: exit %d, %q", cmd[0], code, stderr)
		}
	}
	// A mask too (edit --mask).
	code, _, stderr := run(t, "edit", "--model", tinyEditModel(t), "--from", path, "--instruction", "mirror it", "--mask", path, "--out", filepath.Join(t.TempDir(), "e.png"), "--quiet")
	if !strings.Contains(stderr, "the mask "+path+" is an animated GIF; only its first frame is read") {
		t.Errorf("edit --mask: exit %d, %q", code, stderr)
	}
}

// A fine-tune recommends its base model's sampling settings, and keeps
// recommending them when it is resumed: the run's record kept the settings
// it started with, so a resumed fine-tune (which reads them, and has no
// base to inherit from) exported its model without them.
func TestResumedFineTuneKeepsItsDefaults(t *testing.T) {
	data := t.TempDir()
	for _, name := range []string{"red cat", "blue cat", "red dog", "blue dog"} {
		writePNG(t, filepath.Join(data, strings.ReplaceAll(name, " ", "_")+".png"), 16, 16)
	}
	b := bundletest.Tiny(9)
	b.Model.Config.Tessera.Defaults = &sampling.Recommended{Temperature: 0.8, Guidance: 2}
	base := filepath.Join(t.TempDir(), "base")
	if err := b.Save(base, "F32"); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "run")
	// On a folder too a fine-tune recommends its base's (trainjob.inheritDefaults).
	want := sampling.Recommended{Temperature: 0.8, Guidance: 2}
	check := func(when string) {
		t.Helper()
		c, err := model.LoadConfig(filepath.Join(out, "model", model.ConfigFile))
		if err != nil {
			t.Fatal(err)
		}
		if d := c.Tessera.Defaults; d == nil || *d != want {
			t.Errorf("%s: the model recommends %+v, want %+v", when, d, want)
		}
		if rec, err := trainjob.ReadRecord(out); err != nil || rec.Settings.Defaults != want {
			t.Errorf("%s: the run records %+v (%v)", when, rec.Settings.Defaults, err)
		}
	}
	if code, stdout, stderr := run(t, "train", "--init", base, "--data", data, "--out", out, "--steps", "2", "--batch", "2", "--threads", "1"); code != 0 {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	check("after the run")
	if code, stdout, stderr := run(t, "train", "--resume", "--out", out, "--steps", "4", "--threads", "1"); code != 0 {
		t.Fatalf("resume: exit %d: %s %s", code, stdout, stderr)
	}
	check("after resuming it")
	// The card says how the run began (its --init and --data) as well as
	// how it was resumed (it quoted the resume's command alone).
	card, err := os.ReadFile(filepath.Join(out, "model", trainjob.ModelCardFile))
	if err != nil {
		t.Fatal(err)
	}
	if c := string(card); !strings.Contains(c, "started with:\n\n    tessera train --init "+base) || !strings.Contains(c, "last resumed with:\n\n    tessera train --resume") ||
		!strings.Contains(c, "- Fine-tune of: "+base) {
		t.Errorf("model card:\n%s", c)
	}
}

// TestTrainTokenizerSaysAShortBudget: a time budget under a minute is said
// in seconds when it runs out, as train says it (0.4 minutes was "time
// budget of 0 minutes").
func TestTrainTokenizerSaysAShortBudget(t *testing.T) {
	data := t.TempDir()
	for i := range 12 {
		writePNG(t, filepath.Join(data, fmt.Sprintf("img%d.png", i)), 8+i%5, 8+i%3)
	}
	code, _, stderr := run(t, "train-tokenizer", "--data", data, "--out", filepath.Join(t.TempDir(), "run"), "--minutes", "0.01",
		"--size", "8", "--patch", "2", "--codes", "8", "--code-dim", "4", "--width", "8", "--heads", "2",
		"--encoder-layers", "1", "--decoder-layers", "1", "--batch", "4", "--threads", "1", "--steps", "1000000")
	if code != 0 || !strings.Contains(stderr, "time budget of 1 second spent at step") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}

// TestTokenizerDataNamesStylesAsCaptions: train-tokenizer and
// eval-tokenizer name the emoji styles they loaded as the captions and
// every other command do, "fluent flat" (they wrote "fluent-flat").
func TestTokenizerDataNamesStylesAsCaptions(t *testing.T) {
	var b strings.Builder
	writeStyleCounts(&b, map[string]data.StyleCount{"google": {Matched: 3000, Unmatched: 1}, "fluent-flat": {Matched: 2900, Unmatched: 12}})
	want := "  google            3000 images matched,    1 files left out\n  fluent flat       2900 images matched,   12 files left out\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// A built-in model's name where a tokenizer folder is wanted says where
// that tokenizer is (it said "open emoji/tokenizer_config.json: no such
// file or directory").
func TestBuiltinNameAsTokenizerFolder(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, args := range [][]string{{"eval-tokenizer", "--tokenizer", "emoji"}, {"train", "--data", "edit", "--tokenizer", "emoji", "--out", "run"}} {
		code, _, stderr := run(t, args...)
		if code != 2 || !strings.Contains(stderr, "emoji is a built-in model") || !strings.Contains(stderr, "--tokenizer assets/models/emoji") {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
	}
	if code, _, stderr := run(t, "eval-tokenizer", "--tokenizer", "mnist"); code != 2 || !strings.Contains(stderr, "patch codebook, not a ViT tokenizer") {
		t.Errorf("mnist: exit %d, %q", code, stderr)
	}
}

// train-tokenizer refuses a training run's folder as its data, as train
// does (it trained on the run's loss plot and sample grid).
func TestTrainTokenizerRefusesARunFolder(t *testing.T) {
	run1 := t.TempDir()
	if err := trainjob.WriteRecord(run1, trainjob.Record{Settings: trainjob.Preset("shapes"), State: trainjob.StatePaused}); err != nil {
		t.Fatal(err)
	}
	writePNG(t, filepath.Join(run1, "samples.png"), 16, 16)
	code, _, stderr := run(t, "train-tokenizer", "--data", run1, "--out", filepath.Join(t.TempDir(), "tok"), "--steps", "2", "--pre-vq-steps", "1")
	if code != 2 || !strings.Contains(stderr, "is a training run's folder, not a folder of pictures") {
		t.Errorf("exit %d, %q", code, stderr)
	}
	// A schedule the codebook never starts in is refused: it ended saying
	// "run again to go on", and again did the same.
	code, _, stderr = run(t, "train-tokenizer", "--data", run1, "--out", filepath.Join(t.TempDir(), "tok"), "--steps", "2")
	if code != 2 || !strings.Contains(stderr, "--pre-vq-steps 300 is the whole schedule (--steps 2)") {
		t.Errorf("a schedule shorter than --pre-vq-steps: exit %d, %q", code, stderr)
	}
}

// A tokenizer run on a folder named as typed ("pics", no '/') records the
// folder's absolute path: resumed from another working folder, or with the
// folder spelled another way, it goes on (it failed: "unknown dataset
// pics", "a run of other images"). --init with a built-in model's name says
// where a tokenizer folder is, or that the model has none.
func TestTokenizerRunFindsItsFolderAnywhere(t *testing.T) {
	parent := t.TempDir()
	data := filepath.Join(parent, "pics")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		writePNG(t, filepath.Join(data, fmt.Sprintf("img%02d.png", i)), 8+i%5, 8+i%3)
	}
	t.Chdir(parent)
	args := []string{"train-tokenizer", "--data", "pics", "--out", "run", "--size", "8", "--patch", "2", "--codes", "8", "--code-dim", "4",
		"--width", "8", "--heads", "2", "--encoder-layers", "1", "--decoder-layers", "1", "--batch", "4", "--eval-every", "10", "--threads", "1", "--pre-vq-steps", "2", "--warmup", "2", "--steps", "3"}
	if code, _, stderr := run(t, args...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if code, _, stderr := run(t, "train-tokenizer", "--out", "run", "--data", "./pics/", "--steps", "4", "--threads", "1"); code != 0 {
		t.Errorf("resumed with --data ./pics/: exit %d: %s", code, stderr)
	}
	// Named through a link, the folder is the run's (TrainViT compared the
	// spellings and refused it).
	if err := os.Symlink(data, filepath.Join(parent, "alias")); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "train-tokenizer", "--out", "run", "--data", "./alias", "--steps", "5", "--threads", "1"); code != 0 {
		t.Errorf("resumed with --data through a link: exit %d: %s", code, stderr)
	}
	t.Chdir(t.TempDir())
	if code, _, stderr := run(t, "train-tokenizer", "--out", filepath.Join(parent, "run"), "--steps", "6", "--threads", "1"); code != 0 {
		t.Errorf("resumed from another folder: exit %d: %s", code, stderr)
	}
	for name, want := range map[string]string{"emoji": "give --init assets/models/emoji", "mnist": "has no ViT tokenizer to start from"} {
		if code, _, stderr := run(t, "train-tokenizer", "--init", name, "--out", filepath.Join(t.TempDir(), "r")); code != 2 || !strings.Contains(stderr, want) {
			t.Errorf("--init %s: exit %d: %s", name, code, stderr)
		}
	}
}
