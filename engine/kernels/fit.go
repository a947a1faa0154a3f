package kernels

import (
	"fmt"
	"math"
)

// Limits of IEEE 754 half precision.
const (
	// HalfMax is the largest finite half.
	HalfMax = 65504
	// MinNormal is the smallest positive normal half (2⁻¹⁴); smaller
	// magnitudes are stored as subnormals with fewer significant bits, and
	// those below 2⁻²⁵ become zero.
	MinNormal = 1.0 / (1 << 14)
	// Epsilon is the largest relative rounding error of a normal half (2⁻¹¹).
	Epsilon = 1.0 / (1 << 11)
)

// HalfFit describes what rounding a set of float32 values to half precision
// does to them.
type HalfFit struct {
	// Values is how many values were measured; NonZero how many of them
	// are nonzero and finite.
	Values, NonZero int
	// Overflow counts finite values beyond ±HalfMax: they become ±Inf or
	// clamp, far from their value.
	Overflow int
	// Subnormal counts nonzero values below MinNormal in magnitude, kept
	// with reduced precision; Zeroed counts those among them that become 0.
	Subnormal, Zeroed int
	// RelErr is ‖v − half(v)‖₂ / ‖v‖₂ over the finite values that do not
	// overflow: at most Epsilon when every value is a normal half.
	RelErr float64
	// Largest is the largest finite magnitude.
	Largest float64
}

// MeasureHalf rounds every value of src to half precision and reports the
// damage. NaNs and infinities are ignored: they stay what they are.
func MeasureHalf(src []float32) HalfFit {
	f := HalfFit{Values: len(src)}
	var sum, errSum float64
	for _, v := range src {
		a := math.Abs(float64(v))
		if math.IsNaN(a) || math.IsInf(a, 0) || a == 0 {
			continue
		}
		f.NonZero++
		f.Largest = math.Max(f.Largest, a)
		if a > HalfMax {
			f.Overflow++
			continue
		}
		h := float64(FromHalf(ToHalf(v)))
		if a < MinNormal {
			f.Subnormal++
			if h == 0 {
				f.Zeroed++
			}
		}
		sum += a * a
		errSum += (float64(v) - h) * (float64(v) - h)
	}
	if sum > 0 {
		f.RelErr = math.Sqrt(errSum / sum)
	}
	return f
}

// Faithful reports whether half precision keeps the values within its
// usual rounding: nothing overflows, the relative error of the whole set
// is at most twice Epsilon, and at most one nonzero value in ten lies below
// the normal range. Values that fail are better kept in float32.
func (f HalfFit) Faithful() bool {
	return f.Overflow == 0 && f.RelErr <= 2*Epsilon && f.Subnormal*10 <= f.NonZero
}

// String explains why the values are not faithful in half precision
// ("" when they are).
func (f HalfFit) String() string {
	if f.Faithful() {
		return ""
	}
	switch {
	case f.Overflow > 0:
		return fmt.Sprintf("%d of %d values beyond ±%d (largest %.4g)", f.Overflow, f.Values, HalfMax, f.Largest)
	case f.Subnormal*10 > f.NonZero:
		return fmt.Sprintf("%d of %d nonzero values below float16's normal range %.2g (%d would become 0)", f.Subnormal, f.NonZero, MinNormal, f.Zeroed)
	}
	return fmt.Sprintf("float16 rounding error %.2g, above its usual %.2g", f.RelErr, Epsilon)
}
