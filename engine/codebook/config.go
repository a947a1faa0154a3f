package codebook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"

	"github.com/tessera-studio/tessera/engine/atomicfile"
	"github.com/tessera-studio/tessera/internal/jsonerr"
)

// preprocessorConfig is the part of HF's preprocessor_config.json we read.
type preprocessorConfig struct {
	Clusters [][]float64     `json:"clusters"`
	Size     json.RawMessage `json:"size"`
}

// hfSize is the newer HF "size" object.
type hfSize struct {
	Height int `json:"height"`
	Width  int `json:"width"`
}

// hfConfig is preprocessor_config.json as HF ImageGPTImageProcessor writes
// it; the fields are in the alphabetical order HF's sorted JSON uses.
type hfConfig struct {
	Clusters           [][]float32 `json:"clusters"`
	DoColorQuantize    bool        `json:"do_color_quantize"`
	DoNormalize        bool        `json:"do_normalize"`
	DoResize           bool        `json:"do_resize"`
	ImageProcessorType string      `json:"image_processor_type"`
	Resample           int         `json:"resample"`
	Size               hfSize      `json:"size"`
}

// Parse reads a codebook from HF's preprocessor_config.json. The patch size
// p comes from the entry length 3·p·p. Both "size": N and
// "size": {"height": H, "width": W} are accepted, into Codebook.Size.
func Parse(data []byte) (*Codebook, error) {
	var cfg preprocessorConfig
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("parse preprocessor config: %w", jsonerr.Explain(err, data))
	}
	size, err := parseSize(cfg.Size)
	if err != nil {
		return nil, fmt.Errorf("parse preprocessor config: %w", err)
	}
	if len(cfg.Clusters) == 0 {
		return nil, errors.New("parse preprocessor config: no clusters")
	}
	n := len(cfg.Clusters[0])
	p, ok := patchSide(n)
	if !ok {
		return nil, fmt.Errorf("parse preprocessor config: cluster length %d is not 3*p*p for a whole p", n)
	}
	entries := make([]float32, 0, len(cfg.Clusters)*n)
	for k, cl := range cfg.Clusters {
		if len(cl) != n {
			return nil, fmt.Errorf("parse preprocessor config: cluster %d has %d values, cluster 0 has %d", k, len(cl), n)
		}
		for i, v := range cl {
			f := float32(v)
			if math.IsInf(float64(f), 0) {
				return nil, fmt.Errorf("parse preprocessor config: cluster %d value %d (%g) is out of float32 range", k, i, v)
			}
			entries = append(entries, f)
		}
	}
	cb, err := New(p, entries)
	if err != nil {
		return nil, fmt.Errorf("parse preprocessor config: %w", err)
	}
	cb.Size = size
	return cb, nil
}

// parseSize reads an absent size ([0, 0]), a number N ([N, N]) or a
// {height, width} object, in pixels.
func parseSize(raw json.RawMessage) ([2]int, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return [2]int{}, nil
	}
	var n float64
	if err := json.Unmarshal(raw, &n); err == nil {
		if n != math.Trunc(n) || n < 0 || n > MaxImageSide {
			return [2]int{}, fmt.Errorf("size %s: want a whole number of pixels up to %d", raw, MaxImageSide)
		}
		return [2]int{int(n), int(n)}, nil
	}
	var s hfSize
	if err := json.Unmarshal(raw, &s); err != nil {
		return [2]int{}, fmt.Errorf("size %s: want a number or {\"height\": H, \"width\": W}", raw)
	}
	if s.Height < 0 || s.Width < 0 || s.Height > MaxImageSide || s.Width > MaxImageSide {
		return [2]int{}, fmt.Errorf("size %s: sides of 0 to %d pixels", raw, MaxImageSide)
	}
	return [2]int{s.Height, s.Width}, nil
}

// patchSide returns p with n == 3·p·p.
func patchSide(n int) (int, bool) {
	if n <= 0 || n%3 != 0 {
		return 0, false
	}
	q := n / 3
	p := int(math.Sqrt(float64(q)))
	for p*p > q {
		p--
	}
	for (p+1)*(p+1) <= q {
		p++
	}
	return p, p*p == q && p >= 1
}

// Load reads a codebook from a preprocessor_config.json file.
func Load(path string) (*Codebook, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load codebook: %w", err)
	}
	cb, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("load codebook %s: %w", path, err)
	}
	return cb, nil
}

// Marshal writes preprocessor_config.json as HF ImageGPTImageProcessor does
// (sorted keys, two-space indent, trailing newline), for images of
// width×height pixels. Values are written as the shortest decimals that
// read back as the same float32 entries.
func (c *Codebook) Marshal(width, height int) ([]byte, error) {
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("marshal codebook: %w", err)
	}
	if width <= 0 || height <= 0 {
		return nil, fmt.Errorf("marshal codebook: image size %dx%d must be positive", width, height)
	}
	n := c.PatchBytes()
	clusters := make([][]float32, c.K)
	for k := range clusters {
		clusters[k] = c.Entries[k*n : k*n+n : k*n+n]
	}
	cfg := hfConfig{
		Clusters:           clusters,
		DoColorQuantize:    true,
		DoNormalize:        true,
		DoResize:           true,
		ImageProcessorType: "ImageGPTImageProcessor",
		Resample:           2, // PIL bilinear
		Size:               hfSize{Height: height, Width: width},
	}
	data, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("marshal codebook: %w", err)
	}
	return append(data, '\n'), nil
}

// Save writes the codebook to path as preprocessor_config.json for images
// of width×height pixels. The write is atomic: a temporary file in the same
// folder is synced and renamed over path, and removed on failure.
func (c *Codebook) Save(path string, width, height int) error {
	data, err := c.Marshal(width, height)
	if err != nil {
		return fmt.Errorf("save codebook %s: %w", path, err)
	}
	if err := atomicfile.WriteBytes(path, data); err != nil {
		return fmt.Errorf("save codebook %s: %w", path, err)
	}
	return nil
}
