package tokenizer_test

import (
	"encoding/json"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/tokenizer"
	"github.com/tessera-studio/tessera/engine/train"
	"github.com/tessera-studio/tessera/engine/vit"
)

func tinyViT(t *testing.T) *tokenizer.ViT {
	t.Helper()
	tok, err := tokenizer.NewViT(bundletest.ViTConfig(), bundletest.TinyViTWeights(rand.New(rand.NewPCG(5, 5))))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// testImage is a w×h image with a gradient and a block, so patches differ.
func testImage(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), 90, 255}
			if x > w/2 && y < h/2 {
				c = color.NRGBA{250, 20, 20, 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func TestViTEncodeDecode(t *testing.T) {
	tok := tinyViT(t)
	if tok.Codes() != 16 || tok.PatchSize() != 2 || tok.Local() {
		t.Fatalf("codes %d patch %d local %v", tok.Codes(), tok.PatchSize(), tok.Local())
	}
	codes, err := tok.Encode(testImage(8, 8), 4, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 16 {
		t.Fatalf("%d codes, want 16", len(codes))
	}
	distinct := map[int]bool{}
	for _, c := range codes {
		if c < 0 || c >= 16 {
			t.Fatalf("code %d out of range", c)
		}
		distinct[c] = true
	}
	if len(distinct) < 2 {
		t.Fatalf("every patch got the same code %v", codes)
	}
	// A larger image is resized first: its codes are those of the resized image.
	big, err := tok.Encode(testImage(64, 64), 4, 4)
	if err != nil || len(big) != 16 {
		t.Fatalf("resized encode: %v, %d codes", err, len(big))
	}
	small, err := tok.Encode(codebook.Fit(testImage(64, 64), 8, 8), 4, 4)
	if err != nil || !slices.Equal(big, small) {
		t.Fatalf("a 64×64 image coded %v, the same image scaled to 8×8 first %v (%v)", big, small, err)
	}
	full := tok.Decode(codes, 4, 4)
	if full.Bounds() != image.Rect(0, 0, 8, 8) {
		t.Fatalf("decoded bounds %v", full.Bounds())
	}
	for i := 3; i < len(full.Pix); i += 4 {
		if full.Pix[i] != 255 {
			t.Fatal("a fully decoded image has transparent pixels")
		}
	}
	// A partial grid paints only the known patches.
	part := tok.Decode(codes[:6], 4, 4)
	for p := range 16 {
		x, y := p%4*2, p/4*2
		if a := part.NRGBAAt(x, y).A; (p < 6) != (a == 255) {
			t.Fatalf("patch %d: alpha %d with 6 codes known", p, a)
		}
	}
	if tok.Decode(codes, 3, 4).Bounds().Dx() != 0 {
		t.Fatal("a grid shorter than the tokenizer's decoded")
	}
	if _, err := tok.Encode(testImage(8, 8), 4, 5); err == nil {
		t.Fatal("Encode accepted a grid of the wrong width")
	}
	if _, err := tok.Encode(nil, 4, 4); err == nil {
		t.Fatal("Encode accepted a nil image")
	}
}

// TestViTTallGrid checks that grids taller than the tokenizer's are coded
// in windows: the first window's codes are those of the top image alone.
func TestViTTallGrid(t *testing.T) {
	tok := tinyViT(t)
	tall := testImage(8, 14) // 7 patch rows: windows at rows 0 and 3
	codes, err := tok.Encode(tall, 7, 4)
	if err != nil {
		t.Fatal(err)
	}
	top, err := tok.Encode(tall.SubImage(image.Rect(0, 0, 8, 8)), 4, 4)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(codes[:16], top) {
		t.Fatalf("first window codes %v, want %v", codes[:16], top)
	}
	img := tok.Decode(codes, 7, 4)
	if img.Bounds() != image.Rect(0, 0, 8, 14) || img.NRGBAAt(7, 13).A != 255 {
		t.Fatalf("tall decode bounds %v alpha %d", img.Bounds(), img.NRGBAAt(7, 13).A)
	}
}

func TestViTSaveLoad(t *testing.T) {
	tok := tinyViT(t)
	dir := filepath.Join(t.TempDir(), "tok")
	if err := tok.Save(dir); err != nil {
		t.Fatal(err)
	}
	if !tokenizer.Exists(dir) {
		t.Fatal("Exists is false after Save")
	}
	back, err := tokenizer.LoadViT(dir)
	if err != nil {
		t.Fatal(err)
	}
	img := testImage(8, 8)
	a, err := tok.Encode(img, 4, 4)
	if err != nil || len(a) != 16 {
		t.Fatalf("encode before a save: %d codes, %v", len(a), err)
	}
	b, err := back.Encode(img, 4, 4)
	if err != nil {
		t.Fatalf("encode after a save and load: %v", err)
	}
	if !slices.Equal(a, b) {
		t.Fatalf("codes after a save and load %v, before %v", b, a)
	}
	// Weights are stored in F16: the decoded pixels agree to a few levels.
	da, db := tok.Decode(a, 4, 4), back.Decode(a, 4, 4)
	for i := range da.Pix {
		if d := int(da.Pix[i]) - int(db.Pix[i]); d > 3 || d < -3 {
			t.Fatalf("pixel byte %d: %d before, %d after a save and load", i, da.Pix[i], db.Pix[i])
		}
	}
	if _, err := tokenizer.LoadViT(t.TempDir()); err == nil {
		t.Fatal("LoadViT of an empty folder succeeded")
	}
	// A config of far more weights than its file holds is refused before
	// they are allocated (a 160-byte folder asked for 8 GB).
	cfg, err := os.ReadFile(filepath.Join(dir, vit.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(cfg, &m); err != nil {
		t.Fatal(err)
	}
	m["n_inner"] = 60000
	big, _ := json.Marshal(m)
	if err := os.WriteFile(filepath.Join(dir, vit.ConfigFile), big, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := tokenizer.LoadViT(dir); err == nil || !strings.Contains(err.Error(), "too few for the") {
		t.Fatalf("a config larger than its weights: %v", err)
	}
}

// TestViTLoadRefusesWrongWeights: weights that are not finite, or more
// blocks than the config names, are refused at load (a NaN codebook drew
// black pictures reported at 2 dB; encoder_layers 0 of 3 drew at 14 dB).
func TestViTLoadRefusesWrongWeights(t *testing.T) {
	cfg := bundletest.ViTConfig()
	data := bundletest.TinyViTWeights(rand.New(rand.NewPCG(5, 5)))
	ts, _ := vit.Layout(cfg)
	nan := slices.Clone(data)
	for _, tn := range ts {
		if strings.Contains(tn.Name, "codebook") {
			nan[tn.Off+1] = float32(math.NaN())
		}
	}
	dir := filepath.Join(t.TempDir(), "nan")
	if err := train.SaveViT(dir, cfg, nan); err != nil {
		t.Fatal(err)
	}
	if _, err := tokenizer.LoadViT(dir); err == nil || !strings.Contains(err.Error(), "holds NaN at index 1") {
		t.Errorf("a NaN codebook: %v", err)
	}
	fewer := cfg
	fewer.DecoderLayers = 0
	dir = filepath.Join(t.TempDir(), "fewer")
	if err := train.SaveViT(dir, cfg, data); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(fewer)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, vit.ConfigFile), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := tokenizer.LoadViT(dir); err == nil || !strings.Contains(err.Error(), "which tokenizer_config.json does not describe (its layers: 1 encoder and 0 decoder blocks)") {
		t.Errorf("a config of fewer blocks than its weights: %v", err)
	}
}
