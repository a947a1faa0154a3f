package app

import (
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/orient/orienttest"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/internal/imagetest"
)

// generateTokens runs generate with args and returns the image's tokens.
func generateTokens(t *testing.T, args ...string) ([]int, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "g.png")
	code, _, stderr := run(t, append([]string{"generate", "--out", out, "--quiet"}, args...)...)
	if code != 0 {
		t.Fatalf("generate %v: exit %d: %s", args, code, stderr)
	}
	rec, _ := readRecord(t, out)
	return rec.Tokens, stderr
}

// TestGenerateTemperatureZeroIsGreedy: --temperature 0 picks the most
// likely code at every step, so the seed makes no difference (with or
// without guidance), while at temperature 1 it does; the record says 0, and
// branch from such an image stays greedy.
func TestGenerateTemperatureZeroIsGreedy(t *testing.T) {
	model := tinyModel(t)
	for _, guidance := range []string{"1", "3"} {
		var first []int
		for seed := 1; seed <= 4; seed++ {
			got, _ := generateTokens(t, "--model", model, "--prompt", "red cat", "--guidance", guidance, "--temperature", "0", "--seed", fmt.Sprint(seed))
			if first == nil {
				first = got
			} else if !slices.Equal(got, first) {
				t.Errorf("guidance %s: seed %d gave %v, seed 1 %v", guidance, seed, got, first)
			}
		}
	}
	a, _ := generateTokens(t, "--model", model, "--prompt", "red cat", "--temperature", "1", "--seed", "1")
	b, _ := generateTokens(t, "--model", model, "--prompt", "red cat", "--temperature", "1", "--seed", "2")
	if slices.Equal(a, b) {
		t.Fatal("test premise: at temperature 1 two seeds should differ")
	}

	greedy := filepath.Join(t.TempDir(), "greedy.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "dog", "--temperature", "0", "--out", greedy, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	if rec, _ := readRecord(t, greedy); rec.Temperature != 0 {
		t.Errorf("record temperature %v, want 0", rec.Temperature)
	}
	var branches [][]int
	for seed := 1; seed <= 3; seed++ {
		out := filepath.Join(t.TempDir(), "b.png")
		if code, _, stderr := run(t, "branch", "--model", model, "--from", greedy, "--at", "5", "--seed", fmt.Sprint(seed), "--out", out, "--quiet"); code != 0 {
			t.Fatal(stderr)
		}
		rec, _ := readRecord(t, out)
		branches = append(branches, rec.Tokens)
	}
	if !slices.Equal(branches[0], branches[1]) || !slices.Equal(branches[0], branches[2]) {
		t.Errorf("branches of a greedy image differ by seed: %v", branches)
	}
}

// TestHalfPrecisionKeepsWeightsThatDoNotFit: a model whose F32 weights
// hold values float16 cannot (a layer-norm gain scaled down and the matrix
// after it scaled up, which float32 computes exactly as before) gives the
// same greedy image under the default precision (auto: f16 for a model
// this small) as under f32, and
// says which weights it kept in float32.
func TestHalfPrecisionKeepsWeightsThatDoNotFit(t *testing.T) {
	b := bundletest.Tiny(9)
	blk := &b.Model.Blocks[0]
	for i := range blk.Ln1.Data().([]float32) {
		blk.Ln1.Data().([]float32)[i] *= 1e-6
	}
	for i := range blk.Attn.W.Data().([]float32) {
		blk.Attn.W.Data().([]float32)[i] *= 1e6
	}
	dir := filepath.Join(t.TempDir(), "wide")
	if err := b.Save(dir, "F32"); err != nil {
		t.Fatal(err)
	}
	for _, prompt := range []string{"red cat", "blue dog"} {
		f32, _ := generateTokens(t, "--model", dir, "--prompt", prompt, "--temperature", "0", "--precision", "f32")
		f16, stderr := generateTokens(t, "--model", dir, "--prompt", prompt, "--temperature", "0")
		if !slices.Equal(f16, f32) {
			t.Errorf("%s: f16 %v, f32 %v", prompt, f16, f32)
		}
		if !strings.Contains(stderr, "transformer.h.0.attn.c_attn.weight") || !strings.Contains(stderr, "float32") {
			t.Errorf("no note about the weights kept in float32: %q", stderr)
		}
	}
	// An ordinary model gets no such note.
	if _, stderr := generateTokens(t, "--model", tinyModel(t), "--temperature", "0"); strings.Contains(stderr, "float32") {
		t.Errorf("note for an ordinary model: %q", stderr)
	}
}

// scoreJSON runs score --json and decodes its one line.
func scoreJSON(t *testing.T, args ...string) (scoreLine, map[string]any) {
	t.Helper()
	code, stdout, stderr := run(t, append([]string{"score", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("score %v: exit %d: %s", args, code, stderr)
	}
	var line scoreLine
	var raw map[string]any
	if err := json.Unmarshal([]byte(stdout), &line); err != nil {
		t.Fatalf("%v: %q", err, stdout)
	}
	json.Unmarshal([]byte(stdout), &raw)
	return line, raw
}

// TestScoreReadsA1111Parameters: score uses the prompt of an A1111
// "parameters" chunk when the image has no Tessera record, and --json
// reports the prompt, negative prompt and seed it read and where the
// prompt and the tokens came from.
func TestScoreReadsA1111Parameters(t *testing.T) {
	model := tinyModel(t)
	dir := t.TempDir()
	img := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 37)
	}
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 255
	}
	write := func(name string, text map[string]string) string {
		path := filepath.Join(dir, name)
		if err := pngmeta.WriteFileAtomic(path, img, text); err != nil {
			t.Fatal(err)
		}
		return path
	}
	a1111 := write("a1111.png", map[string]string{pngmeta.KeyParameters: "red cat\nNegative prompt: blue dog\n" +
		"Steps: 20, Sampler: Euler a, Wildcard prompt: \"red\ncat\", CFG scale: 7, Seed: 1234, Size: 8x8"})
	noSeed := write("noseed.png", map[string]string{pngmeta.KeyParameters: "red cat\nSteps: 20, Sampler: Euler a, CFG scale: 7"})
	plain := write("plain.png", nil)

	got, raw := scoreJSON(t, "--model", model, a1111)
	if got.Prompt != "red cat" || got.PromptSource != "a1111" || got.Metadata != "a1111" || got.NegativePrompt != "blue dog" ||
		got.Seed == nil || *got.Seed != 1234 || got.Source != "pixels" {
		t.Errorf("a1111: %+v", got)
	}
	for _, key := range []string{"prompt", "negative_prompt", "seed", "source", "prompt_source", "metadata"} {
		if _, ok := raw[key]; !ok {
			t.Errorf("JSON lacks %q: %v", key, raw)
		}
	}
	// The score is the one under that prompt, not under none.
	flag, _ := scoreJSON(t, "--model", model, "--prompt", "red cat", plain)
	none, _ := scoreJSON(t, "--model", model, plain)
	if flag.PromptSource != "flag" || none.PromptSource != "none" || none.Prompt != "" || none.Metadata != "none" || none.Seed != nil {
		t.Errorf("flag %+v / none %+v", flag, none)
	}
	if got.NLLNats != flag.NLLNats || got.NLLNats == none.NLLNats {
		t.Errorf("a1111 nll %v, with --prompt %v, without a prompt %v", got.NLLNats, flag.NLLNats, none.NLLNats)
	}
	// --prompt wins over the stored one; what the image holds is still reported.
	over, _ := scoreJSON(t, "--model", model, "--prompt", "dog", a1111)
	if over.Prompt != "dog" || over.PromptSource != "flag" || over.NegativePrompt != "blue dog" || over.Seed == nil {
		t.Errorf("--prompt over a1111: %+v", over)
	}
	if ns, raw := scoreJSON(t, "--model", model, noSeed); ns.Seed != nil || raw["seed"] != nil || ns.PromptSource != "a1111" {
		t.Errorf("no seed in the parameters: %+v", ns)
	}
	// Tessera's own record comes first, with its tokens.
	gen := filepath.Join(dir, "gen.png")
	if code, _, stderr := run(t, "generate", "--model", model, "--prompt", "blue dog", "--negative", "cat", "--seed", "77", "--out", gen, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	tess, _ := scoreJSON(t, "--model", model, gen)
	if tess.Prompt != "blue dog" || tess.PromptSource != "tessera" || tess.Metadata != "tessera" || tess.NegativePrompt != "cat" ||
		tess.Seed == nil || *tess.Seed != 77 || tess.Source != "metadata" {
		t.Errorf("tessera: %+v", tess)
	}
	// The plain output names the prompt and where it came from.
	if code, stdout, _ := run(t, "score", "--model", model, a1111); code != 0 || !strings.Contains(stdout, `prompt "red cat" from the A1111 parameters`) {
		t.Errorf("plain output %q", stdout)
	}
	// branch and extend sample under the A1111 prompt too, and record it.
	for _, args := range [][]string{{"branch", "--at", "3"}, {"extend", "--rows", "1"}} {
		out := filepath.Join(dir, args[0]+".png")
		if code, _, stderr := run(t, append(args, "--model", model, "--from", a1111, "--seed", "5", "--out", out)...); code != 0 {
			t.Fatalf("%s: %s", args[0], stderr)
		}
		if rec, _ := readRecord(t, out); rec.Prompt != "red cat" {
			t.Errorf("%s of an A1111 image recorded prompt %q, want \"red cat\"", args[0], rec.Prompt)
		}
	}
}

// TestAutoPrecision: the default precision samples a model that streams its
// weights from memory (imagegpt-small's 76.7M parameters) in int8 and one
// that fits in the caches (the built-ins, the tiny test model) in f16; a
// precision asked for is kept.
func TestAutoPrecision(t *testing.T) {
	if p := autoPrecision(76_682_240); p != precInt8 {
		t.Errorf("imagegpt-small: %s", p)
	}
	if p := autoPrecision(4_847_616); p != precF16 {
		t.Errorf("the emoji model's size: %s", p)
	}
	dir := tinyModel(t)
	for _, c := range []struct{ asked, want string }{{"", precF16}, {precAuto, precF16}, {precInt8, precInt8}, {precF32, precF32}} {
		b, err := Catalog{Precision: c.asked}.Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := b.Model.Precision(); got != c.want {
			t.Errorf("precision %q: the model samples in %s, want %s", c.asked, got, c.want)
		}
	}
}

// An image of another size than the model's is resized, and the commands
// that read one say so (on stderr, so --json output stays clean).
func TestResizedInputIsNoted(t *testing.T) {
	dir := tinyModel(t)
	path := filepath.Join(t.TempDir(), "big.png")
	if err := pngmeta.WriteFileAtomic(path, imagetest.Solid(color.NRGBA{200, 30, 30, 255}, 40), nil); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "score", "--model", dir, "--json", path)
	if code != 0 || !strings.Contains(stderr, "big.png is 40×40 px; it is resized to the model's 8×8") || strings.Contains(stdout, "resized") {
		t.Fatalf("score of a 40×40 image: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestInputNotes: a picture stored turned (EXIF orientation) or with
// see-through pixels is read upright and over white, and the commands that
// read pictures say so, as they say a resize (both were done silently).
func TestInputNotes(t *testing.T) {
	model := tinyModel(t)
	dir := t.TempDir()
	turned := filepath.Join(dir, "turned.jpg")
	if err := os.WriteFile(turned, orienttest.JPEG(orienttest.Stored(6), 6, false), 0o644); err != nil {
		t.Fatal(err)
	}
	seeThrough := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	for i := range seeThrough.Pix {
		seeThrough.Pix[i] = 128 // half transparent grey
	}
	half := filepath.Join(dir, "half.png")
	imagetest.WritePNG(t, half, seeThrough)
	plain := filepath.Join(dir, "plain.png")
	imagetest.WritePNG(t, plain, codebook.Flatten(seeThrough))
	for path, want := range map[string]string{turned: "(its EXIF orientation); it is read upright", half: "see-through pixels; they are read over white"} {
		code, _, stderr := run(t, "score", "--model", model, path)
		if code != 0 || !strings.Contains(stderr, want) {
			t.Errorf("score %s: exit %d, stderr %q, want a note %q", filepath.Base(path), code, stderr, want)
		}
	}
	if code, _, stderr := run(t, "score", "--model", model, plain); code != 0 || strings.Contains(stderr, "upright") || strings.Contains(stderr, "over white") {
		t.Errorf("score of an opaque upright picture: exit %d, stderr %q", code, stderr)
	}
}
