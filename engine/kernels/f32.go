package kernels

import (
	"math"

	"github.com/tessera-studio/tessera/engine/internal/vexp"
)

// Vector kernels: AVX2 assembly on the multiple-of-8 head of each slice
// where the CPU has it (f32_amd64.s, qgelu_amd64.s), plain Go on the tail and elsewhere.
// Every kernel is deterministic for a given length.

// head is how many of n elements the assembly kernels take: the
// multiple-of-8 head when vector is set (and the CPU has AVX2+FMA), else
// none. Each exported kernel passes avx2OK; tests pass false too, to
// compare the plain-Go twin with the assembly.
func head(n int, vector bool) int {
	if !vector || !avx2OK {
		return 0
	}
	return n &^ 7
}

// vmax returns max(x); x must not be empty.
func vmax(x []float32, vector bool) float32 {
	m := x[0]
	i := 0
	if h := head(len(x), vector); h > 0 {
		m, i = maxAVX(&x[0], h), h
	}
	for _, v := range x[i:] {
		m = max(m, v)
	}
	return m
}

// vexpSubSum sets x[i] = exp(x[i] − m) and returns their sum.
func vexpSubSum(x []float32, m float32, vector bool) float32 {
	var s float32
	i := 0
	if h := head(len(x), vector); h > 0 {
		s, i = expSubSumAVX(&x[0], h, m), h
	}
	for j, v := range x[i:] {
		e := vexp.Expf(v - m)
		x[i+j] = e
		s += e
	}
	return s
}

// vscale sets x *= s.
func vscale(x []float32, s float32, vector bool) {
	i := 0
	if h := head(len(x), vector); h > 0 {
		scaleAVX(&x[0], h, s)
		i = h
	}
	for j := i; j < len(x); j++ {
		x[j] *= s
	}
}

// vqgeluFwd sets x += b, out = x·sigmoid(1.702x).
func vqgeluFwd(out, x, b []float32, vector bool) {
	out, b = out[:len(x)], b[:len(x)]
	i := 0
	if h := head(len(x), vector); h > 0 {
		qgeluFwdAVX(&out[0], &x[0], &b[0], h)
		i = h
	}
	for j := i; j < len(x); j++ {
		v := x[j] + b[j]
		x[j] = v
		out[j] = v / (1 + vexp.Expf(-1.702*v))
	}
}

// vqgeluBwd sets d = g·quick_gelu'(x); d may alias g.
func vqgeluBwd(d, g, x []float32, vector bool) {
	d, g = d[:len(x)], g[:len(x)]
	i := 0
	if h := head(len(x), vector); h > 0 {
		qgeluBwdAVX(&d[0], &g[0], &x[0], h)
		i = h
	}
	for j := i; j < len(x); j++ {
		v := x[j]
		s := 1 / (1 + vexp.Expf(-1.702*v))
		d[j] = g[j] * (s + 1.702*v*s*(1-s))
	}
}

// vadd sets dst += src.
func vadd(dst, src []float32, vector bool) {
	dst = dst[:len(src)]
	i := 0
	if h := head(len(src), vector); h > 0 {
		addAVX(&dst[0], &src[0], h)
		i = h
	}
	for j := i; j < len(src); j++ {
		dst[j] += src[j]
	}
}

// vsumSq returns Σ x².
func vsumSq(x []float32, vector bool) float32 {
	var s float32
	i := 0
	if h := head(len(x), vector); h > 0 {
		s, i = sumSqAVX(&x[0], h), h
	}
	for _, v := range x[i:] {
		s += v * v
	}
	return s
}

// vmulScale sets out = x·s·w.
func vmulScale(out, x, w []float32, s float32, vector bool) {
	out, w = out[:len(x)], w[:len(x)]
	i := 0
	if h := head(len(x), vector); h > 0 {
		mulScaleAVX(&out[0], &x[0], &w[0], h, s)
		i = h
	}
	for j := i; j < len(x); j++ {
		out[j] = x[j] * s * w[j]
	}
}

// vdot3 returns Σ a·b·c.
func vdot3(a, b, c []float32, vector bool) float32 {
	b, c = b[:len(a)], c[:len(a)]
	var s float32
	i := 0
	if h := head(len(a), vector); h > 0 {
		s, i = dot3AVX(&a[0], &b[0], &c[0], h), h
	}
	for j := i; j < len(a); j++ {
		s += a[j] * b[j] * c[j]
	}
	return s
}

// vrmsBwd sets d += g·w·rs − c·x and pw += g·x·rs.
func vrmsBwd(d, pw, g, w, x []float32, rs, c float32, vector bool) {
	d, pw, g, w = d[:len(x)], pw[:len(x)], g[:len(x)], w[:len(x)]
	i := 0
	if h := head(len(x), vector); h > 0 {
		rmsBwdAVX(&d[0], &pw[0], &g[0], &w[0], &x[0], h, rs, c)
		i = h
	}
	for j := i; j < len(x); j++ {
		d[j] += g[j]*w[j]*rs - c*x[j]
		pw[j] += g[j] * x[j] * rs
	}
}

// vdot returns Σ a·b.
func vdot(a, b []float32, vector bool) float32 {
	b = b[:len(a)]
	var s float32
	i := 0
	if h := head(len(a), vector); h > 0 {
		s, i = dotAVX(&a[0], &b[0], h), h
	}
	for j := i; j < len(a); j++ {
		s += a[j] * b[j]
	}
	return s
}

// vsmBwd sets d = p·(d − dot)·scale (softmax backward).
func vsmBwd(d, p []float32, dot, scale float32, vector bool) {
	p = p[:len(d)]
	i := 0
	if h := head(len(d), vector); h > 0 {
		smBwdAVX(&d[0], &p[0], h, dot, scale)
		i = h
	}
	for j := i; j < len(d); j++ {
		d[j] = p[j] * (d[j] - dot) * scale
	}
}

// vadd3 sets out = a + (b + bias).
func vadd3(out, a, b, bias []float32, vector bool) {
	out, b, bias = out[:len(a)], b[:len(a)], bias[:len(a)]
	i := 0
	if h := head(len(a), vector); h > 0 {
		add3AVX(&out[0], &a[0], &b[0], &bias[0], h)
		i = h
	}
	for j := i; j < len(a); j++ {
		out[j] = a[j] + (b[j] + bias[j])
	}
}

// vadd3Mask sets out = a + (b + bias)·(mask·s).
func vadd3Mask(out, a, b, bias []float32, mask []uint8, s float32, vector bool) {
	out, b, bias, mask = out[:len(a)], b[:len(a)], bias[:len(a)], mask[:len(a)]
	i := 0
	if h := head(len(a), vector); h > 0 {
		add3MaskAVX(&out[0], &a[0], &b[0], &bias[0], &mask[0], h, s)
		i = h
	}
	for j := i; j < len(a); j++ {
		out[j] = a[j] + (b[j]+bias[j])*(float32(mask[j])*s)
	}
}

// vmulMask sets d = g·(mask·s); d may alias g.
func vmulMask(d, g []float32, mask []uint8, s float32, vector bool) {
	d, mask = d[:len(g)], mask[:len(g)]
	i := 0
	if h := head(len(g), vector); h > 0 {
		mulMaskAVX(&d[0], &g[0], &mask[0], h, s)
		i = h
	}
	for j := i; j < len(g); j++ {
		d[j] = g[j] * (float32(mask[j]) * s)
	}
}

// AdamConsts are one AdamW update's constants, in the order adamwAVX reads them.
type AdamConsts struct {
	B1, OmB1, B2, OmB2, C1, C2, LR, Eps, Decay, GradScale float32
}

// vadamw applies one AdamW update to a run of parameters.
func vadamw(w, g, m, v []float32, k *AdamConsts, vector bool) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	i := 0
	if h := head(len(w), vector); h > 0 {
		adamwAVX(&w[0], &g[0], &m[0], &v[0], h, k)
		i = h
	}
	for j := i; j < len(w); j++ {
		gi := g[j] * k.GradScale
		mi := k.B1*m[j] + k.OmB1*gi
		vi := k.B2*v[j] + k.OmB2*(gi*gi)
		m[j], v[j] = mi, vi
		w[j] = w[j]*k.Decay - ((mi*k.C1)*k.LR)/(float32(math.Sqrt(float64(vi*k.C2)))+k.Eps)
	}
}

// Exported kernels: the assembly where the CPU has AVX2+FMA, the plain-Go
// twin on the tail and elsewhere.

// Max returns max(x); x must not be empty.
func Max(x []float32) float32 {
	return vmax(x, avx2OK)
}

// ExpSubSum sets x[i] = exp(x[i] − m) and returns their sum.
func ExpSubSum(x []float32, m float32) float32 {
	return vexpSubSum(x, m, avx2OK)
}

// Scale sets x *= s.
func Scale(x []float32, s float32) {
	vscale(x, s, avx2OK)
}

// QGELUFwd sets x += b, out = x·sigmoid(1.702x).
func QGELUFwd(out, x, b []float32) {
	vqgeluFwd(out, x, b, avx2OK)
}

// QGELUBwd sets d = g·quick_gelu'(x); d may alias g.
func QGELUBwd(d, g, x []float32) {
	vqgeluBwd(d, g, x, avx2OK)
}

// Add sets dst += src.
func Add(dst, src []float32) {
	vadd(dst, src, avx2OK)
}

// SumSq returns Σ x².
func SumSq(x []float32) float32 {
	return vsumSq(x, avx2OK)
}

// MulScale sets out = x·s·w.
func MulScale(out, x, w []float32, s float32) {
	vmulScale(out, x, w, s, avx2OK)
}

// Dot3 returns Σ a·b·c.
func Dot3(a, b, c []float32) float32 {
	return vdot3(a, b, c, avx2OK)
}

// RMSNormBwd sets d += g·w·rs − c·x and pw += g·x·rs.
func RMSNormBwd(d, pw, g, w, x []float32, rs, c float32) {
	vrmsBwd(d, pw, g, w, x, rs, c, avx2OK)
}

// Dot returns Σ a·b.
func Dot(a, b []float32) float32 {
	return vdot(a, b, avx2OK)
}

// SoftmaxBwd sets d = p·(d − dot)·scale (softmax backward).
func SoftmaxBwd(d, p []float32, dot, scale float32) {
	vsmBwd(d, p, dot, scale, avx2OK)
}

// Add3 sets out = a + (b + bias).
func Add3(out, a, b, bias []float32) {
	vadd3(out, a, b, bias, avx2OK)
}

// Add3Mask sets out = a + (b + bias)·(mask·s).
func Add3Mask(out, a, b, bias []float32, mask []uint8, s float32) {
	vadd3Mask(out, a, b, bias, mask, s, avx2OK)
}

// MulMask sets d = g·(mask·s); d may alias g.
func MulMask(d, g []float32, mask []uint8, s float32) {
	vmulMask(d, g, mask, s, avx2OK)
}

// AdamW applies one AdamW update to a run of parameters.
func AdamW(w, g, m, v []float32, k *AdamConsts) {
	vadamw(w, g, m, v, k, avx2OK)
}

// QGELU applies quick_gelu in place, v[i] = v[i]·sigmoid(1.702·v[i]) (the
// activation of OpenAI's ImageGPT checkpoints).
func QGELU(v []float32) { qgelu(v, avx2OK) }

func qgelu(v []float32, vector bool) {
	i := 0
	if h := head(len(v), vector); h > 0 {
		qgeluAVX(&v[0], h)
		i = h
	}
	for ; i < len(v); i++ {
		v[i] = v[i] / (1 + vexp.Expf(-1.702*v[i]))
	}
}
