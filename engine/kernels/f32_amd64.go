//go:build amd64 && !purego

package kernels

import "github.com/tessera-studio/tessera/engine/internal/cpu"

// AVX2+FMA kernels in simd_amd64.s. Each processes n elements, n a positive
// multiple of 8; the wrappers in simd.go do the tails.

//go:noescape
func maxAVX(x *float32, n int) float32

//go:noescape
func expSubSumAVX(x *float32, n int, m float32) float32

//go:noescape
func scaleAVX(x *float32, n int, s float32)

//go:noescape
func qgeluFwdAVX(out, x, b *float32, n int)

//go:noescape
func qgeluBwdAVX(d, grad, x *float32, n int)

//go:noescape
func addAVX(dst, src *float32, n int)

//go:noescape
func sumSqAVX(x *float32, n int) float32

//go:noescape
func mulScaleAVX(out, x, w *float32, n int, s float32)

//go:noescape
func dot3AVX(a, b, c *float32, n int) float32

//go:noescape
func rmsBwdAVX(d, pw, grad, w, x *float32, n int, rs, c float32)

//go:noescape
func dotAVX(a, b *float32, n int) float32

//go:noescape
func smBwdAVX(d, p *float32, n int, dot, scale float32)

//go:noescape
func add3AVX(out, a, b, bias *float32, n int)

//go:noescape
func add3MaskAVX(out, a, b, bias *float32, mask *uint8, n int, s float32)

//go:noescape
func mulMaskAVX(d, grad *float32, mask *uint8, n int, s float32)

//go:noescape
func adamwAVX(w, grad, m, v *float32, n int, k *AdamConsts)

var avx2OK = cpu.X86.AVX2FMA

//go:noescape
func qgeluAVX(x *float32, n int)
