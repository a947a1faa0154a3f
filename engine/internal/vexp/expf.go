// Package vexp is the one home of Tessera's exponential: exp_amd64.h is the
// AVX2 vector exp the assembly kernels of engine/model and engine/train
// include, and Expf its scalar twin for the plain-Go paths and the tails of
// vectors.
package vexp

import "math"

// Expf is a float32 exp accurate to about 1 ulp (Cephes' expf): Cody–Waite
// range reduction x = n·ln2 + r with |r| ≤ ln2/2 and a degree-6 polynomial.
// Every product is rounded to float32 on its own (no fused multiply-add), so
// the result is the same on every machine. It saturates like math.Exp: +Inf
// above about 88.72, 0 below about −87.34.
func Expf(x float32) float32 {
	if x > 88 {
		return float32(math.Exp(float64(x))) // near overflow (+Inf past 88.72)
	}
	if x < -87.33654 {
		return 0
	}
	// n = round(x / ln2) by the 1.5·2^23 trick.
	t := float32(x*1.442695041) + 12582912
	n := float32(t - 12582912)
	f := float32(x - n*0.693359375)
	f = float32(f + n*2.12194440e-4)
	p := float32(1.9875691500e-4)
	p = float32(p*f) + 1.3981999507e-3
	p = float32(p*f) + 8.3334519073e-3
	p = float32(p*f) + 4.1665795894e-2
	p = float32(p*f) + 1.6666665459e-1
	p = float32(p*f) + 5.0000001201e-1
	e := float32(float32(p*f)*f) + f + 1
	return e * math.Float32frombits(uint32(int32(n)+127)<<23)
}
