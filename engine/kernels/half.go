// Package kernels is the one home of Tessera's vector kernels: each is
// AVX2 assembly where the CPU has it, with a plain-Go twin for the tail,
// other CPUs and -tags purego builds (tests compare the two).
//
// Half precision: it stores float32 data as IEEE 754 binary16
// and computes with it directly: matrix-vector products against half
// weights and attention over a half key/value cache. Halving the bytes a
// decode step streams from memory is what makes sampling fast, since a
// step reads every weight and the whole cache once.
//
// On amd64 with AVX2, FMA and F16C the kernels are assembly
// (kernels_amd64.s), with an eight-row matrix kernel where AVX-512VL adds
// registers, and products over tiled weights where 512-bit arithmetic runs
// at full width (tiled.go); elsewhere, or built with -tags purego, plain Go.
// Both paths give results within float32 rounding of each other.
//
// Float32 (f32.go): the element-wise kernels and reductions of the
// trainer's forward and backward passes and its AdamW update, and
// quick_gelu for inference. Every one is deterministic for a given length.
package kernels

import "math"

// ToHalf rounds f to the nearest half (ties to even). Values beyond
// the half range become ±Inf; NaN stays NaN.
func ToHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23) & 0xff
	mant := b & 0x7fffff
	switch {
	case exp == 0xff: // Inf or NaN
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	case exp > 142: // ≥ 2^16: overflow
		return sign | 0x7c00
	case exp >= 113: // normal half
		h := uint32(exp-112)<<10 | mant>>13
		rest := mant & 0x1fff
		if rest > 0x1000 || rest == 0x1000 && h&1 == 1 {
			h++ // may carry into the exponent, up to Inf: correct
		}
		return sign | uint16(h)
	case exp >= 102: // subnormal half
		m := mant | 0x800000
		shift := uint32(126 - exp) // 14..24
		h := m >> shift
		rest := m & (1<<shift - 1)
		halfway := uint32(1) << (shift - 1)
		if rest > halfway || rest == halfway && h&1 == 1 {
			h++
		}
		return sign | uint16(h)
	}
	return sign // underflow to ±0
}

// FromHalf widens a half to float32 exactly.
func FromHalf(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case exp != 0:
		return math.Float32frombits(sign | (exp+112)<<23 | mant<<13)
	case mant == 0:
		return math.Float32frombits(sign)
	}
	// subnormal: normalise
	e := uint32(113)
	for mant&0x400 == 0 {
		mant <<= 1
		e--
	}
	return math.Float32frombits(sign | e<<23 | (mant&0x3ff)<<13)
}

// EncodeHalf rounds src into dst (len(dst) ≥ len(src)), like ToHalf.
func EncodeHalf(dst []uint16, src []float32) {
	encode(dst, src, asmOK)
}

func encode(dst []uint16, src []float32, asm bool) {
	dst = dst[:len(src)]
	i := 0
	if asm && len(src) >= 8 {
		i = len(src) &^ 7
		encode8(&dst[0], &src[0], i)
	}
	for ; i < len(src); i++ {
		dst[i] = ToHalf(src[i])
	}
}

// DecodeHalf widens src into dst (len(dst) ≥ len(src)).
func DecodeHalf(dst []float32, src []uint16) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = FromHalf(v)
	}
}

// TransposeHalf returns the half-precision transpose of a rows×cols float32
// matrix: cols×rows, so that each column of src becomes a contiguous row
// (the layout MatMul streams).
func TransposeHalf(src []float32, rows, cols int) []uint16 {
	out := make([]uint16, rows*cols)
	const tile = 32
	for r0 := 0; r0 < rows; r0 += tile {
		for c0 := 0; c0 < cols; c0 += tile {
			for r := r0; r < min(r0+tile, rows); r++ {
				for c := c0; c < min(c0+tile, cols); c++ {
					out[c*rows+r] = ToHalf(src[r*cols+c])
				}
			}
		}
	}
	return out
}
