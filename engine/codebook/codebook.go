// Package codebook maps pixels to image tokens and back.
//
// A codebook holds K entries, each a p×p RGB patch with values in [-1, 1]
// stored in patch raster order with RGB interleaved (3·p·p floats per entry).
// The case p=1 is OpenAI's ImageGPT colour palette. A pixel byte v maps to
// float32(v)/127.5 - 1; Encode picks the nearest entry by squared distance
// (ties go to the lowest index) and Decode looks the entry up and maps each
// value x back to clamp(round((x+1)·127.5), 0, 255).
package codebook

import (
	"errors"
	"fmt"
	"math"
)

// Codebook is a table of K patches of P×P RGB values in [-1, 1].
type Codebook struct {
	K, P    int
	Entries []float32 // K*3*P*P values, entry-major, patch raster order, RGB interleaved
	// Size is the picture size preprocessor_config.json records, [height,
	// width] in pixels ([0, 0]: none), which the model's grid must match
	// (bundle checks it).
	Size [2]int
}

// greyByte is what DecodePatch writes for a code outside [0, K).
const greyByte = 128

// New builds a codebook of p×p patches from entries, which must hold a
// positive multiple of 3·p·p finite values. The slice is used as is.
func New(p int, entries []float32) (*Codebook, error) {
	if p < 1 || p > MaxImageSide {
		return nil, fmt.Errorf("new codebook: patch size %d out of range [1, %d]", p, MaxImageSide)
	}
	n := 3 * p * p
	if len(entries) == 0 {
		return nil, errors.New("new codebook: no entries")
	}
	if len(entries)%n != 0 {
		return nil, fmt.Errorf("new codebook: %d values is not a multiple of 3*%d*%d=%d", len(entries), p, p, n)
	}
	for i, v := range entries {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("new codebook: entry %d value %d is not finite", i/n, i%n)
		}
	}
	return &Codebook{K: len(entries) / n, P: p, Entries: entries}, nil
}

// PatchBytes is the number of bytes (and floats) in one patch: 3·P·P.
func (c *Codebook) PatchBytes() int {
	return 3 * c.P * c.P
}

// check reports whether the fields are consistent, so that methods never
// index out of range even on a hand-built Codebook.
func (c *Codebook) check() error {
	if c == nil {
		return errors.New("codebook is nil")
	}
	if c.P < 1 || c.P > MaxImageSide {
		return fmt.Errorf("codebook patch size %d out of range [1, %d]", c.P, MaxImageSide)
	}
	if c.K < 1 {
		return fmt.Errorf("codebook has %d entries", c.K)
	}
	if c.K > len(c.Entries)/c.PatchBytes() {
		return fmt.Errorf("codebook claims %d entries of %d values but holds %d values", c.K, c.PatchBytes(), len(c.Entries))
	}
	return nil
}

// unit maps a pixel byte to [-1, 1] exactly as float32(v)/127.5 - 1.
func unit(v uint8) float32 {
	return float32(v)/127.5 - 1
}

// toByte maps a value in [-1, 1] back to a pixel byte:
// clamp(round((x+1)*127.5), 0, 255). NaN maps to 0.
func toByte(x float32) uint8 {
	v := math.Round((float64(x) + 1) * 127.5)
	if !(v >= 0) {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

// nearest returns the index of the entry closest to x (len 3·P·P) by
// squared distance, the lowest index on ties.
func (c *Codebook) nearest(x []float32) int {
	n := len(x)
	best, bestD := 0, float32(math.Inf(1))
	for k := 0; k < c.K; k++ {
		if d := sqDist(x, c.Entries[k*n:k*n+n], bestD); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// sqDist returns the squared distance between x and e (same length) in
// float32, summed in four lanes. Every lane only grows, so once the running
// total reaches bound the entry cannot win and a value >= bound is returned
// early. The result does not depend on bound otherwise.
func sqDist(x, e []float32, bound float32) float32 {
	e = e[:len(x)]
	var a0, a1, a2, a3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		xs, es := x[i:i+4:i+4], e[i:i+4:i+4]
		t0, t1, t2, t3 := xs[0]-es[0], xs[1]-es[1], xs[2]-es[2], xs[3]-es[3]
		// explicit conversions forbid fused multiply-add, keeping results
		// identical on every architecture
		a0 += float32(t0 * t0)
		a1 += float32(t1 * t1)
		a2 += float32(t2 * t2)
		a3 += float32(t3 * t3)
		if i&15 == 12 {
			if d := (a0 + a1) + (a2 + a3); d >= bound {
				return d
			}
		}
	}
	for ; i < len(x); i++ {
		t := x[i] - e[i]
		a0 += float32(t * t)
	}
	return (a0 + a1) + (a2 + a3)
}

// EncodePatch returns the code of the entry nearest to rgb, which holds
// P·P·3 bytes in patch raster order with RGB interleaved. It returns -1 if
// rgb is shorter than PatchBytes or the codebook is malformed.
func (c *Codebook) EncodePatch(rgb []uint8) int {
	if c.check() != nil || len(rgb) < c.PatchBytes() {
		return -1
	}
	x := make([]float32, c.PatchBytes())
	for i := range x {
		x[i] = unit(rgb[i])
	}
	return c.nearest(x)
}

// DecodePatch writes the P·P·3 bytes of entry code into dst. A code out of
// range (or a malformed codebook) gives mid-grey. If dst is shorter than
// PatchBytes only len(dst) bytes are written.
func (c *Codebook) DecodePatch(code int, dst []uint8) {
	if c.check() != nil || code < 0 || code >= c.K {
		n := len(dst)
		if c != nil && c.P >= 1 && c.P <= MaxImageSide {
			n = min(n, c.PatchBytes())
		}
		for i := range dst[:n] {
			dst[i] = greyByte
		}
		return
	}
	n := c.PatchBytes()
	e := c.Entries[code*n : code*n+n]
	for i := 0; i < n && i < len(dst); i++ {
		dst[i] = toByte(e[i])
	}
}
