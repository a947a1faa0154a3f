//go:build !amd64 || purego

package kernels

const avx2OK = false

func maxAVX(x *float32, n int) float32                                    { panic("no AVX2") }
func expSubSumAVX(x *float32, n int, m float32) float32                   { panic("no AVX2") }
func scaleAVX(x *float32, n int, s float32)                               { panic("no AVX2") }
func qgeluFwdAVX(out, x, b *float32, n int)                               { panic("no AVX2") }
func qgeluBwdAVX(d, g, x *float32, n int)                                 { panic("no AVX2") }
func addAVX(dst, src *float32, n int)                                     { panic("no AVX2") }
func sumSqAVX(x *float32, n int) float32                                  { panic("no AVX2") }
func mulScaleAVX(out, x, w *float32, n int, s float32)                    { panic("no AVX2") }
func dot3AVX(a, b, c *float32, n int) float32                             { panic("no AVX2") }
func rmsBwdAVX(d, pw, g, w, x *float32, n int, rs, c float32)             { panic("no AVX2") }
func dotAVX(a, b *float32, n int) float32                                 { panic("no AVX2") }
func smBwdAVX(d, p *float32, n int, dot, scale float32)                   { panic("no AVX2") }
func add3AVX(out, a, b, bias *float32, n int)                             { panic("no AVX2") }
func add3MaskAVX(out, a, b, bias *float32, mask *uint8, n int, s float32) { panic("no AVX2") }
func mulMaskAVX(d, g *float32, mask *uint8, n int, s float32)             { panic("no AVX2") }
func adamwAVX(w, g, m, v *float32, n int, k *AdamConsts)                  { panic("no AVX2") }
func qgeluAVX(x *float32, n int)                                          { panic("no AVX2") }
