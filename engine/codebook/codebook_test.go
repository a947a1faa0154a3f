package codebook

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/tessera-studio/tessera/internal/imagetest"
)

// vector is the part of expected.json the codebook is checked against.
type vector struct {
	ImageRGB         [][][3]uint8 `json:"image_rgb"`
	NormalizedPixels [][3]float64 `json:"normalized_pixels"`
	Pixels           []int        `json:"pixels"`
	DequantizedRGB   [][][3]uint8 `json:"dequantized_rgb"`
	ImageHeight      int          `json:"image_height"`
	ImageWidth       int          `json:"image_width"`
	NClusters        int          `json:"n_clusters"`
}

func loadVector(t *testing.T, name string) (*Codebook, vector) {
	t.Helper()
	cb, err := Load(filepath.Join("..", "..", "testdata", "imagegpt", name, "preprocessor_config.json"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "imagegpt", name, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v vector
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return cb, v
}

func TestVectors(t *testing.T) {
	for _, name := range []string{"vector1", "vector2"} {
		t.Run(name, func(t *testing.T) {
			cb, v := loadVector(t, name)
			if cb.K != v.NClusters || cb.P != 1 {
				t.Fatalf("K=%d P=%d, want K=%d P=1", cb.K, cb.P, v.NClusters)
			}
			h, w := len(v.ImageRGB), len(v.ImageRGB[0])
			if h != v.ImageHeight || w != v.ImageWidth {
				t.Fatalf("image %dx%d, want %dx%d", w, h, v.ImageWidth, v.ImageHeight)
			}
			img := image.NewNRGBA(image.Rect(0, 0, w, h))
			for y, row := range v.ImageRGB {
				for x, px := range row {
					img.SetNRGBA(x, y, color.NRGBA{px[0], px[1], px[2], 255})
					for ch := 0; ch < 3; ch++ {
						if got, want := unit(px[ch]), float32(v.NormalizedPixels[y*w+x][ch]); got != want {
							t.Fatalf("normalized (%d,%d,%d) = %v, want %v", y, x, ch, got, want)
						}
					}
				}
			}
			codes, err := cb.Encode(img, h, w)
			if err != nil {
				t.Fatal(err)
			}
			if len(codes) != len(v.Pixels) {
				t.Fatalf("%d codes, want %d", len(codes), len(v.Pixels))
			}
			for i := range codes {
				if codes[i] != v.Pixels[i] {
					t.Fatalf("code %d = %d, want %d", i, codes[i], v.Pixels[i])
				}
			}
			dec := cb.Decode(v.Pixels, h, w)
			for y, row := range v.DequantizedRGB {
				for x, px := range row {
					got := dec.NRGBAAt(x, y)
					if got != (color.NRGBA{px[0], px[1], px[2], 255}) {
						t.Fatalf("decoded (%d,%d) = %v, want %v", x, y, got, px)
					}
				}
			}
		})
	}
}

func TestParseFormats(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		ok   bool
		p    int
	}{
		{"int size", `{"clusters": [[0,0,0],[1,1,1]], "size": 8}`, true, 1},
		{"object size", `{"clusters": [[0,0,0],[1,1,1]], "size": {"height": 6, "width": 6}}`, true, 1},
		{"no size", `{"clusters": [[0,0,0]]}`, true, 1},
		{"p2", `{"clusters": [[0,0,0,0,0,0,0,0,0,0,0,0]]}`, true, 2},
		{"bad size", `{"clusters": [[0,0,0]], "size": "big"}`, false, 0},
		{"empty", `{"clusters": []}`, false, 0},
		{"missing", `{"size": 8}`, false, 0},
		{"ragged", `{"clusters": [[0,0,0],[1,1]]}`, false, 0},
		{"not square", `{"clusters": [[0,0,0,0,0,0]]}`, false, 0},
		{"not triple", `{"clusters": [[0,0]]}`, false, 0},
		{"empty entry", `{"clusters": [[]]}`, false, 0},
		{"huge value", `{"clusters": [[1e300,0,0]]}`, false, 0},
		{"not json", `{"clusters": [[0,0,0]`, false, 0},
	} {
		cb, err := Parse([]byte(tc.data))
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok=%v", tc.name, err, tc.ok)
			continue
		}
		if tc.ok && cb.P != tc.p {
			t.Errorf("%s: P = %d, want %d", tc.name, cb.P, tc.p)
		}
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := New(0, []float32{0, 0, 0}); err == nil {
		t.Error("p=0 accepted")
	}
	if _, err := New(1, nil); err == nil {
		t.Error("no entries accepted")
	}
	if _, err := New(2, make([]float32, 13)); err == nil {
		t.Error("ragged entries accepted")
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	cb, _ := loadVector(t, "vector2")
	data, err := cb.Marshal(6, 6)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if m["image_processor_type"] != "ImageGPTImageProcessor" || m["resample"] != 2.0 || m["do_normalize"] != true {
		t.Errorf("unexpected config fields: %v", m)
	}
	if s, _ := m["size"].(map[string]any); s["height"] != 6.0 || s["width"] != 6.0 {
		t.Errorf("size = %v", m["size"])
	}
	back, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if back.K != cb.K || back.P != cb.P || len(back.Entries) != len(cb.Entries) {
		t.Fatalf("round trip K=%d P=%d, want K=%d P=%d", back.K, back.P, cb.K, cb.P)
	}
	for i := range cb.Entries {
		if back.Entries[i] != cb.Entries[i] {
			t.Fatalf("entry value %d = %v, want %v", i, back.Entries[i], cb.Entries[i])
		}
	}
	if _, err := cb.Marshal(0, 6); err == nil {
		t.Error("zero width accepted")
	}

	path := filepath.Join(t.TempDir(), "preprocessor_config.json")
	if err := cb.Save(path, 6, 6); err != nil {
		t.Fatal(err)
	}
	saved, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(saved, data) {
		t.Error("saved file differs from Marshal output")
	}
	if err := cb.Save(filepath.Join(t.TempDir(), "missing", "x.json"), 6, 6); err == nil {
		t.Error("save into a missing folder succeeded")
	}
}

// synthetic returns a p=2 codebook of four flat colours and a gradient.
func synthetic(t *testing.T) *Codebook {
	t.Helper()
	colours := [][3]float32{{-1, -1, -1}, {1, 1, 1}, {1, -1, -1}, {-1, 1, -1}}
	var e []float32
	for _, c := range colours {
		for i := 0; i < 4; i++ {
			e = append(e, c[:]...)
		}
	}
	// a patch whose four pixels differ: red, green, blue, grey-ish
	e = append(e, 1, -1, -1, -1, 1, -1, -1, -1, 1, 0.2, 0.2, 0.2)
	cb, err := New(2, e)
	if err != nil {
		t.Fatal(err)
	}
	return cb
}

func TestPatchRoundTrip(t *testing.T) {
	cb := synthetic(t)
	if cb.K != 5 || cb.PatchBytes() != 12 {
		t.Fatalf("K=%d PatchBytes=%d", cb.K, cb.PatchBytes())
	}
	codes := []int{4, 0, 1, 2, 3, 4}
	img := cb.Decode(codes, 2, 3)
	if img.Rect.Dx() != 6 || img.Rect.Dy() != 4 {
		t.Fatalf("decoded size %v", img.Rect)
	}
	// the mixed patch at (0,0): red, green / blue, grey
	want := []color.NRGBA{{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}, {153, 153, 153, 255}}
	got := []color.NRGBA{img.NRGBAAt(0, 0), img.NRGBAAt(1, 0), img.NRGBAAt(0, 1), img.NRGBAAt(1, 1)}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("pixel %d = %v, want %v", i, got[i], want[i])
		}
	}
	back, err := cb.Encode(img, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i := range codes {
		if back[i] != codes[i] {
			t.Errorf("code %d = %d, want %d", i, back[i], codes[i])
		}
	}
	q, err := cb.Quantize(img, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(q.Pix, img.Pix) {
		t.Error("Quantize of a decoded image changed it")
	}
	patch := make([]uint8, 12)
	cb.DecodePatch(4, patch)
	if got := cb.EncodePatch(patch); got != 4 {
		t.Errorf("EncodePatch = %d, want 4", got)
	}
	if got := cb.EncodePatch(patch[:5]); got != -1 {
		t.Errorf("EncodePatch of a short slice = %d, want -1", got)
	}
}

func TestTiesGoToLowestIndex(t *testing.T) {
	cb, err := New(1, []float32{1, 1, 1, -1, -1, -1, -1, -1, -1})
	if err != nil {
		t.Fatal(err)
	}
	if got := cb.EncodePatch([]uint8{0, 0, 0}); got != 1 {
		t.Errorf("black = %d, want 1", got)
	}
	// grey 127 → x = -0.0039: nearer black, and entries 1 and 2 tie.
	if got := cb.EncodePatch([]uint8{127, 127, 127}); got != 1 {
		t.Errorf("grey = %d, want 1", got)
	}
}

func TestDecodeEdges(t *testing.T) {
	cb := synthetic(t)
	partial := cb.Decode([]int{1}, 2, 2)
	if a := partial.NRGBAAt(0, 0).A; a != 255 {
		t.Errorf("painted alpha %d", a)
	}
	if a := partial.NRGBAAt(3, 3).A; a != 0 {
		t.Errorf("unpainted alpha %d, want 0", a)
	}
	grey := cb.Decode([]int{-1, 99, 0, 0, 7}, 1, 2)
	if got := grey.NRGBAAt(0, 0); got != (color.NRGBA{128, 128, 128, 255}) {
		t.Errorf("out-of-range code painted %v, want mid-grey", got)
	}
	if got := grey.NRGBAAt(2, 0); got != (color.NRGBA{128, 128, 128, 255}) {
		t.Errorf("out-of-range code painted %v, want mid-grey", got)
	}
	if img := cb.Decode(nil, 0, 5); !img.Rect.Empty() {
		t.Errorf("empty grid gave %v", img.Rect)
	}
	if img := cb.Decode(nil, 1<<40, 1<<40); !img.Rect.Empty() {
		t.Errorf("huge grid gave %v", img.Rect)
	}
	// Paint outside the image, with bad arguments, or on nil: no panic.
	cb.Paint(partial, 99, 2, 0)
	cb.Paint(partial, -1, 2, 0)
	cb.Paint(partial, 0, 0, 0)
	cb.Paint(nil, 0, 2, 0)
	cb.Paint(partial, 3, 2, 2)
	if got := partial.NRGBAAt(3, 3); got != (color.NRGBA{255, 0, 0, 255}) {
		t.Errorf("painted patch 3 = %v, want red", got)
	}
	short := make([]uint8, 5)
	cb.DecodePatch(-3, short)
	cb.DecodePatch(1, short)
	if short[4] != 255 {
		t.Errorf("short DecodePatch = %v", short)
	}
	var bad Codebook
	bad.DecodePatch(0, short)
	if bad.EncodePatch([]uint8{1, 2, 3}) != -1 {
		t.Error("empty codebook encoded a patch")
	}
	if _, err := bad.Encode(partial, 1, 1); err == nil {
		t.Error("empty codebook encoded an image")
	}
	lying := &Codebook{K: 10, P: 1, Entries: []float32{0, 0, 0}}
	if _, err := lying.Encode(partial, 1, 1); err == nil {
		t.Error("codebook with too few entries encoded an image")
	}
}

func TestEncodeErrors(t *testing.T) {
	cb := synthetic(t)
	img := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	for _, g := range [][2]int{{0, 1}, {1, -1}, {MaxImageSide, 1}} {
		if _, err := cb.Encode(img, g[0], g[1]); err == nil {
			t.Errorf("grid %v accepted", g)
		}
	}
	if _, err := cb.Encode(nil, 1, 1); err == nil {
		t.Error("nil image accepted")
	}
	if _, err := cb.Encode(image.NewNRGBA(image.Rect(0, 0, 0, 0)), 1, 1); err == nil {
		t.Error("empty image accepted")
	}
}

func TestAlphaOnWhite(t *testing.T) {
	cb, err := New(1, []float32{-1, -1, -1, 0.9, 0.9, 0.9, 1, -1, -1})
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	img.SetNRGBA(0, 0, color.NRGBA{0, 0, 0, 0})     // transparent black: white
	img.SetNRGBA(1, 0, color.NRGBA{255, 0, 0, 255}) // opaque red
	codes, err := cb.Encode(img, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if codes[0] != 1 || codes[1] != 2 {
		t.Errorf("codes = %v, want [1 2]", codes)
	}
	// the same through a premultiplied image and a generic one
	rgba := image.NewRGBA(img.Rect)
	rgba.Set(1, 0, color.RGBA{255, 0, 0, 255})
	gen := image.NewNRGBA64(img.Rect)
	gen.Set(1, 0, color.RGBA{255, 0, 0, 255})
	for _, im := range []image.Image{rgba, gen} {
		codes, err := cb.Encode(im, 1, 2)
		if err != nil {
			t.Fatal(err)
		}
		if codes[0] != 1 || codes[1] != 2 {
			t.Errorf("%T codes = %v, want [1 2]", im, codes)
		}
	}
	half := image.NewNRGBA(image.Rect(0, 0, 1, 1))
	half.SetNRGBA(0, 0, color.NRGBA{0, 0, 0, 128})
	if got := Flatten(half).NRGBAAt(0, 0); got != (color.NRGBA{127, 127, 127, 255}) {
		t.Errorf("half-transparent black on white = %v", got)
	}
}

func TestResize(t *testing.T) {
	cb, err := New(1, []float32{-1, -1, -1, 1, 1, 1, 1, -1, -1, -1, -1, 1})
	if err != nil {
		t.Fatal(err)
	}
	// 16×16: top-left quarter white, bottom-left red, right half blue
	img := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	for y := 0; y < 16; y++ {
		for x := 0; x < 16; x++ {
			c := color.NRGBA{255, 0, 0, 255}
			if x >= 8 {
				c = color.NRGBA{0, 0, 255, 255}
			} else if y < 8 {
				c = color.NRGBA{255, 255, 255, 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	codes, err := cb.Encode(img, 8, 8)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 64 {
		t.Fatalf("%d codes", len(codes))
	}
	for r := 0; r < 8; r++ {
		for c := 0; c < 8; c++ {
			want := 2
			if c >= 4 {
				want = 3
			}
			if c < 4 && r < 4 {
				want = 1
			}
			if got := codes[r*8+c]; got != want {
				t.Errorf("patch (%d,%d) = %d, want %d", r, c, got, want)
			}
		}
	}
	// a sub-image with a non-zero origin resizes the same way
	big := image.NewNRGBA(image.Rect(0, 0, 32, 32))
	for y := 0; y < 16; y++ {
		for x := 0; x < 16; x++ {
			big.SetNRGBA(x+10, y+5, img.NRGBAAt(x, y))
		}
	}
	sub := big.SubImage(image.Rect(10, 5, 26, 21))
	codes2, err := cb.Encode(sub, 8, 8)
	if err != nil {
		t.Fatal(err)
	}
	for i := range codes {
		if codes2[i] != codes[i] {
			t.Fatalf("sub-image code %d = %d, want %d", i, codes2[i], codes[i])
		}
	}
	// upscaling a 2×2 image to a 4×4 grid
	small := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	for i := range small.Pix {
		small.Pix[i] = 255
	}
	up, err := cb.Encode(small, 4, 4)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range up {
		if c != 1 {
			t.Fatalf("upscaled white code %d = %d", i, c)
		}
	}
}

func TestParallelMatchesSerial(t *testing.T) {
	cb := randomCodebook(1024, 4, 1)
	img := imagetest.Random(64, 64, 2)
	codes, err := cb.Encode(img, 16, 16) // big enough to run in parallel
	if err != nil {
		t.Fatal(err)
	}
	flat := Flatten(img)
	x := make([]float32, cb.PatchBytes())
	for r := 0; r < 16; r++ {
		for c := 0; c < 16; c++ {
			cb.gather(flat, r, c, x)
			if want := cb.nearest(x); codes[r*16+c] != want {
				t.Fatalf("patch (%d,%d) = %d, want %d", r, c, codes[r*16+c], want)
			}
			if want := bruteNearest(cb, x); codes[r*16+c] != want {
				t.Fatalf("patch (%d,%d) = %d, brute force says %d", r, c, codes[r*16+c], want)
			}
		}
	}
}

// bruteNearest is nearest without the early exit.
func bruteNearest(c *Codebook, x []float32) int {
	best, bestD := -1, float32(0)
	n := len(x)
	for k := 0; k < c.K; k++ {
		d := sqDist(x, c.Entries[k*n:k*n+n], float32(math.Inf(1)))
		if best < 0 || d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"clusters": [[0,0,0],[1,1,1]], "size": 8}`))
	f.Add([]byte(`{"clusters": [[0,0,0,0,0,0,0,0,0,0,0,0]], "size": {"height": 2, "width": 2}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cb, err := Parse(data)
		if err != nil {
			return
		}
		if cb.K < 1 || cb.P < 1 || len(cb.Entries) != cb.K*cb.PatchBytes() {
			t.Fatalf("inconsistent codebook K=%d P=%d len=%d", cb.K, cb.P, len(cb.Entries))
		}
		patch := make([]uint8, cb.PatchBytes())
		cb.DecodePatch(0, patch)
		if cb.EncodePatch(patch) < 0 {
			t.Fatal("EncodePatch failed on a decoded patch")
		}
	})
}
