package train

import (
	"math"

	"github.com/tessera-studio/tessera/engine/internal/vexp"
)

// Vector kernels: AVX2 assembly on the multiple-of-8 head of each slice
// where the CPU has it (simd_amd64.s), plain Go on the tail and elsewhere.
// Every kernel is deterministic for a given length.

// simdOn switches the assembly kernels (tests compare both paths).
var simdOn = useAVX2

func head(n int) int {
	if !simdOn {
		return 0
	}
	return n &^ 7
}

// vmax returns max(x); x must not be empty.
func vmax(x []float32) float32 {
	m := x[0]
	i := 0
	if h := head(len(x)); h > 0 {
		m, i = maxAVX(&x[0], h), h
	}
	for _, v := range x[i:] {
		m = max(m, v)
	}
	return m
}

// vexpSubSum sets x[i] = exp(x[i] − m) and returns their sum.
func vexpSubSum(x []float32, m float32) float32 {
	var s float32
	i := 0
	if h := head(len(x)); h > 0 {
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
func vscale(x []float32, s float32) {
	i := 0
	if h := head(len(x)); h > 0 {
		scaleAVX(&x[0], h, s)
		i = h
	}
	for j := i; j < len(x); j++ {
		x[j] *= s
	}
}

// vqgeluFwd sets x += b, out = x·sigmoid(1.702x).
func vqgeluFwd(out, x, b []float32) {
	out, b = out[:len(x)], b[:len(x)]
	i := 0
	if h := head(len(x)); h > 0 {
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
func vqgeluBwd(d, g, x []float32) {
	d, g = d[:len(x)], g[:len(x)]
	i := 0
	if h := head(len(x)); h > 0 {
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
func vadd(dst, src []float32) {
	dst = dst[:len(src)]
	i := 0
	if h := head(len(src)); h > 0 {
		addAVX(&dst[0], &src[0], h)
		i = h
	}
	for j := i; j < len(src); j++ {
		dst[j] += src[j]
	}
}

// vsumSq returns Σ x².
func vsumSq(x []float32) float32 {
	var s float32
	i := 0
	if h := head(len(x)); h > 0 {
		s, i = sumSqAVX(&x[0], h), h
	}
	for _, v := range x[i:] {
		s += v * v
	}
	return s
}

// vmulScale sets out = x·s·w.
func vmulScale(out, x, w []float32, s float32) {
	out, w = out[:len(x)], w[:len(x)]
	i := 0
	if h := head(len(x)); h > 0 {
		mulScaleAVX(&out[0], &x[0], &w[0], h, s)
		i = h
	}
	for j := i; j < len(x); j++ {
		out[j] = x[j] * s * w[j]
	}
}

// vdot3 returns Σ a·b·c.
func vdot3(a, b, c []float32) float32 {
	b, c = b[:len(a)], c[:len(a)]
	var s float32
	i := 0
	if h := head(len(a)); h > 0 {
		s, i = dot3AVX(&a[0], &b[0], &c[0], h), h
	}
	for j := i; j < len(a); j++ {
		s += a[j] * b[j] * c[j]
	}
	return s
}

// vrmsBwd sets d += g·w·rs − c·x and pw += g·x·rs.
func vrmsBwd(d, pw, g, w, x []float32, rs, c float32) {
	d, pw, g, w = d[:len(x)], pw[:len(x)], g[:len(x)], w[:len(x)]
	i := 0
	if h := head(len(x)); h > 0 {
		rmsBwdAVX(&d[0], &pw[0], &g[0], &w[0], &x[0], h, rs, c)
		i = h
	}
	for j := i; j < len(x); j++ {
		d[j] += g[j]*w[j]*rs - c*x[j]
		pw[j] += g[j] * x[j] * rs
	}
}

// vdot returns Σ a·b.
func vdot(a, b []float32) float32 {
	b = b[:len(a)]
	var s float32
	i := 0
	if h := head(len(a)); h > 0 {
		s, i = dotAVX(&a[0], &b[0], h), h
	}
	for j := i; j < len(a); j++ {
		s += a[j] * b[j]
	}
	return s
}

// vsmBwd sets d = p·(d − dot)·scale (softmax backward).
func vsmBwd(d, p []float32, dot, scale float32) {
	p = p[:len(d)]
	i := 0
	if h := head(len(d)); h > 0 {
		smBwdAVX(&d[0], &p[0], h, dot, scale)
		i = h
	}
	for j := i; j < len(d); j++ {
		d[j] = p[j] * (d[j] - dot) * scale
	}
}

// vadd3 sets out = a + (b + bias).
func vadd3(out, a, b, bias []float32) {
	out, b, bias = out[:len(a)], b[:len(a)], bias[:len(a)]
	i := 0
	if h := head(len(a)); h > 0 {
		add3AVX(&out[0], &a[0], &b[0], &bias[0], h)
		i = h
	}
	for j := i; j < len(a); j++ {
		out[j] = a[j] + (b[j] + bias[j])
	}
}

// vadd3Mask sets out = a + (b + bias)·(mask·s).
func vadd3Mask(out, a, b, bias []float32, mask []uint8, s float32) {
	out, b, bias, mask = out[:len(a)], b[:len(a)], bias[:len(a)], mask[:len(a)]
	i := 0
	if h := head(len(a)); h > 0 {
		add3MaskAVX(&out[0], &a[0], &b[0], &bias[0], &mask[0], h, s)
		i = h
	}
	for j := i; j < len(a); j++ {
		out[j] = a[j] + (b[j]+bias[j])*(float32(mask[j])*s)
	}
}

// vmulMask sets d = g·(mask·s); d may alias g.
func vmulMask(d, g []float32, mask []uint8, s float32) {
	d, mask = d[:len(g)], mask[:len(g)]
	i := 0
	if h := head(len(g)); h > 0 {
		mulMaskAVX(&d[0], &g[0], &mask[0], h, s)
		i = h
	}
	for j := i; j < len(g); j++ {
		d[j] = g[j] * (float32(mask[j]) * s)
	}
}

// adamConsts are one AdamW update's constants, in the order adamwAVX reads them.
type adamConsts struct {
	b1, omb1, b2, omb2, c1, c2, lr, eps, dec, gscale float32
}

// vadamw applies one AdamW update to a run of parameters.
func vadamw(w, g, m, v []float32, k *adamConsts) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	i := 0
	if h := head(len(w)); h > 0 {
		adamwAVX(&w[0], &g[0], &m[0], &v[0], h, k)
		i = h
	}
	for j := i; j < len(w); j++ {
		gi := g[j] * k.gscale
		mi := k.b1*m[j] + k.omb1*gi
		vi := k.b2*v[j] + k.omb2*(gi*gi)
		m[j], v[j] = mi, vi
		w[j] = w[j]*k.dec - ((mi*k.c1)*k.lr)/(float32(math.Sqrt(float64(vi*k.c2)))+k.eps)
	}
}
