// Package tokenizer maps pixels to image codes and back for a model: either
// a patch codebook (engine/codebook: OpenAI's palette, k-means patches), where
// each code is one p×p patch on its own, or the ViT-VQ tokenizer (package vit,
// run by engine/train's float32 forward), whose encoder and decoder see the
// whole grid.
package tokenizer

import (
	"errors"
	"fmt"
	"image"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sync"

	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/safetensors"
	"github.com/tessera-studio/tessera/engine/train"
	"github.com/tessera-studio/tessera/engine/vit"
)

// Tokenizer turns images into codes on a rows×cols grid of p×p-pixel
// patches and back.
type Tokenizer interface {
	// Codes is K, the number of distinct codes.
	Codes() int
	// PatchSize is p, the pixels per patch side.
	PatchSize() int
	// Local reports whether each code decodes to its patch alone (a
	// codebook), so a live canvas can paint patches one by one; otherwise
	// the known codes are decoded together (DecodePartial).
	Local() bool
	// Encode resizes img to cols·p × rows·p pixels, composites it over white
	// and returns its rows·cols codes in raster order.
	Encode(img image.Image, rows, cols int) ([]int, error)
	// Decode paints codes (raster order) into a cols·p × rows·p image;
	// patches past len(codes) stay transparent.
	Decode(codes []int, rows, cols int) *image.NRGBA
}

// Codebook adapts a patch codebook.
type Codebook struct{ *codebook.Codebook }

func (c Codebook) Codes() int     { return c.K }
func (c Codebook) PatchSize() int { return c.P }
func (c Codebook) Local() bool    { return true }

// ViT is the ViT-VQ tokenizer (see package vit). It is safe for concurrent
// use (one encode or decode at a time).
type ViT struct {
	Config vit.Config
	mu     sync.Mutex
	m      *train.ViT
}

// Exists reports whether dir holds a ViT tokenizer (tokenizer_config.json).
func Exists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, vit.ConfigFile))
	return err == nil
}

// LoadViT reads tokenizer_config.json and tokenizer.safetensors from dir.
func LoadViT(dir string) (*ViT, error) {
	return LoadViTFS(os.DirFS(dir), ".", dir)
}

// LoadViTFS reads a ViT tokenizer from dir in fsys; label names it in errors.
func LoadViTFS(fsys fs.FS, dir, label string) (*ViT, error) {
	cfgBytes, err := fs.ReadFile(fsys, path.Join(dir, vit.ConfigFile))
	if err != nil {
		return nil, fmt.Errorf("load tokenizer %s: %w", label, err)
	}
	cfg, err := vit.ParseConfig(filepath.Join(label, vit.ConfigFile), cfgBytes)
	if err != nil {
		return nil, err
	}
	wpath := filepath.Join(label, vit.WeightsFile)
	raw, err := fs.ReadFile(fsys, path.Join(dir, vit.WeightsFile))
	if errors.Is(err, fs.ErrNotExist) {
		// Its config is there: the weights were left behind in a copy.
		return nil, fmt.Errorf("load tokenizer %s: %s is missing beside its %s (copy it from where the model came from)", label, wpath, vit.ConfigFile)
	}
	if err != nil {
		return nil, fmt.Errorf("load tokenizer %s: %w", label, err)
	}
	f, err := safetensors.Parse(wpath, raw)
	if err != nil {
		return nil, err
	}
	data, err := train.ViTWeights(cfg, f)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", wpath, err)
	}
	m, err := train.NewViT(cfg, data, 1, 0)
	if err != nil {
		return nil, fmt.Errorf("load tokenizer %s: %w", label, err)
	}
	return &ViT{Config: cfg, m: m}, nil
}

func (v *ViT) Codes() int     { return v.Config.CodebookSize }
func (v *ViT) PatchSize() int { return v.Config.PatchSize }
func (v *ViT) Local() bool    { return false }

// windows lists the first patch row of each G-row window that covers rows
// rows: 0, G, 2G, … and a last one ending at rows (overlapping the one before
// when rows is not a multiple of G).
func windows(rows, G int) []int {
	var ws []int
	for r := 0; r+G <= rows; r += G {
		ws = append(ws, r)
	}
	if rows%G != 0 {
		ws = append(ws, rows-G)
	}
	return ws
}

// checkGrid accepts grids G patches wide and at least G tall (taller grids,
// from extending an image downward, are coded in G-row windows).
func (v *ViT) checkGrid(rows, cols int) error {
	G := v.Config.Grid()
	if cols != G || rows < G || rows*v.Config.PatchSize > codebook.MaxImageSide {
		return fmt.Errorf("grid %dx%d does not fit the ViT tokenizer (%d patches wide, at least %d tall)", rows, cols, G, G)
	}
	return nil
}

// Encode implements Tokenizer.
func (v *ViT) Encode(img image.Image, rows, cols int) ([]int, error) {
	if img == nil {
		return nil, errors.New("encode image: image is nil")
	}
	if err := v.checkGrid(rows, cols); err != nil {
		return nil, fmt.Errorf("encode image: %w", err)
	}
	b := img.Bounds()
	if b.Empty() {
		return nil, fmt.Errorf("encode image: image is empty (%dx%d pixels)", b.Dx(), b.Dy())
	}
	p, G, S := v.Config.PatchSize, v.Config.Grid(), v.Config.ImageSize
	flat := codebook.Fit(img, cols*p, rows*p)
	codes := make([]int, rows*cols)
	v.mu.Lock()
	defer v.mu.Unlock()
	buf := make([]uint8, S*S*3)
	done := 0 // patch rows coded so far
	for _, r0 := range windows(rows, G) {
		for y := range S {
			row := flat.Pix[flat.PixOffset(0, r0*p+y):]
			for x := range S {
				copy(buf[(y*S+x)*3:(y*S+x)*3+3], row[4*x:4*x+3])
			}
		}
		v.m.Patches(v.m.Input(), [][]uint8{buf})
		if err := v.m.Encode(1); err != nil {
			return nil, fmt.Errorf("encode image: %w", err)
		}
		for i, c := range v.m.Codes() {
			if r0+i/G >= done {
				codes[r0*cols+i] = int(c)
			}
		}
		done = r0 + G
	}
	return codes, nil
}

// Decode implements Tokenizer: the known codes are decoded together, the
// unknown ones through the decoder's mask embedding, and only the known
// patches are painted.
func (v *ViT) Decode(codes []int, rows, cols int) *image.NRGBA {
	if v.checkGrid(rows, cols) != nil {
		return image.NewNRGBA(image.Rect(0, 0, 0, 0))
	}
	p, G, S := v.Config.PatchSize, v.Config.Grid(), v.Config.ImageSize
	img := image.NewNRGBA(image.Rect(0, 0, cols*p, rows*p))
	n := min(len(codes), rows*cols)
	v.mu.Lock()
	defer v.mu.Unlock()
	win := make([]int32, G*G)
	pix := make([]uint8, S*S*3)
	painted := 0 // patch rows painted so far
	for _, r0 := range windows(rows, G) {
		if r0*cols >= n {
			break
		}
		for i := range win {
			win[i] = -1
			if j := r0*cols + i; j < n && codes[j] >= 0 && codes[j] < v.Codes() {
				win[i] = int32(codes[j])
			}
		}
		if v.m.Decode(win, 1) != nil {
			continue
		}
		v.m.Pixels(pix, 0)
		for i := range G * G {
			j := r0*cols + i
			if j >= n || r0+i/G < painted || win[i] < 0 {
				continue
			}
			py, px := (r0+i/G)*p, (i%G)*p
			for y := range p {
				for x := range p {
					s := ((i/G*p+y)*S + i%G*p + x) * 3
					o := img.PixOffset(px+x, py+y)
					img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = pix[s], pix[s+1], pix[s+2], 255
				}
			}
		}
		painted = r0 + G
	}
	return img
}

// Save writes the tokenizer's files (tokenizer_config.json,
// tokenizer.safetensors) into dir.
func (v *ViT) Save(dir string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return train.SaveViT(dir, v.Config, v.m.Data)
}

// Files returns the tokenizer's files by name, as Save writes them.
func (v *ViT) Files() (map[string][]byte, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return train.ViTFiles(v.Config, v.m.Data)
}

// NewViT makes a ViT tokenizer from a configuration and its flat parameters
// in vit.Layout order (the codebook rows should be unit vectors).
func NewViT(cfg vit.Config, data []float32) (*ViT, error) {
	m, err := train.NewViT(cfg, data, 1, 0)
	if err != nil {
		return nil, err
	}
	return &ViT{Config: cfg, m: m}, nil
}
