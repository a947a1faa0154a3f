package safetensors

import (
	"math"
	"sync"
)

// f16Table returns the float32 value of every IEEE 754 half-precision bit
// pattern. It is built once, on first use, and never modified afterwards.
var f16Table = sync.OnceValue(func() *[1 << 16]float32 {
	var t [1 << 16]float32
	for i := range t {
		t[i] = F16ToF32(uint16(i))
	}
	return &t
})

// F16ToF32 converts an IEEE 754 half-precision value, given by its bits, to
// float32. The conversion is exact; NaN payloads are kept.
func F16ToF32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f: // inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case exp != 0: // normal
		return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
	default: // zero or subnormal: mant * 2^-24, exact in float32
		f := float32(mant) * (1.0 / (1 << 24))
		if sign != 0 {
			f = -f
		}
		return f
	}
}

// F32ToF16 converts f to the bits of the nearest IEEE 754 half-precision
// value, rounding ties to even. Values too large become ±Inf, values too
// small become subnormals or ±0, and NaN stays a (quiet) NaN.
func F32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff {
		if mant == 0 {
			return sign | 0x7c00
		}
		return sign | 0x7e00 | uint16(mant>>13)
	}
	e := exp - 127 + 15 // biased half exponent
	switch {
	case e >= 0x1f:
		return sign | 0x7c00
	case e >= 1: // normal; a carry out of the mantissa correctly bumps the exponent (up to Inf)
		r := uint32(e)<<10 | mant>>13
		rem := mant & 0x1fff
		if rem > 0x1000 || (rem == 0x1000 && r&1 == 1) {
			r++
		}
		return sign | uint16(r)
	case e >= -10: // subnormal in half precision (or rounds up to the smallest normal)
		m := mant | 0x800000
		shift := uint(14 - e) // 14..24
		r := m >> shift
		rem := m & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rem > half || (rem == half && r&1 == 1) {
			r++
		}
		return sign | uint16(r)
	default: // below half the smallest subnormal
		return sign
	}
}

// BF16ToF32 converts a bfloat16 value, given by its bits, to float32. The
// conversion is exact.
func BF16ToF32(h uint16) float32 {
	return math.Float32frombits(uint32(h) << 16)
}

// F32ToBF16 converts f to the bits of the nearest bfloat16 value, rounding
// ties to even. NaN stays a (quiet) NaN with its sign.
func F32ToBF16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 {
		return uint16(b>>16) | 0x40
	}
	b += 0x7fff + (b>>16)&1
	return uint16(b >> 16)
}
