//go:build amd64 && !purego

package half

// Assembly kernels (kernels_amd64.s). Lengths k and n are positive
// multiples of 8; t is positive.

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
func xgetbv() (eax, edx uint32)

//go:noescape
func dot4x2(x *float32, ldx int, w *uint16, ldw int, k int, out *float32, ahead int)

//go:noescape
func dot8x2(x *float32, ldx int, w *uint16, ldw int, k int, out *float32, ahead int)

//go:noescape
func dot1x4(x *float32, w *uint16, ldw int, k int, out *float32)

//go:noescape
func scores8(q *float32, k *uint16, ld int, n int, scale float32, out *float32)

//go:noescape
func dot1(q *float32, k *uint16, n int) float32

//go:noescape
func wsum64(p *float32, v *uint16, t int, ld int, out *float32)

//go:noescape
func wsum8(p *float32, v *uint16, t int, ld int, out *float32)

//go:noescape
func expSubSum(x *float32, n int, m float32) float32

//go:noescape
func encode8(dst *uint16, src *float32, n int)

// hasKernels reports AVX2, FMA and F16C with OS support for the YMM state.
func hasKernels() bool {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false
	}
	_, _, c1, _ := cpuid(1, 0)
	const fma, f16c, osxsave, avx = 1 << 12, 1 << 29, 1 << 27, 1 << 28
	if c1&fma == 0 || c1&f16c == 0 || c1&osxsave == 0 || c1&avx == 0 {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 {
		return false
	}
	_, b7, _, _ := cpuid(7, 0)
	return b7&(1<<5) != 0
}

var asmOK = hasKernels()

// has512 reports AVX-512F and AVX-512VL with OS support for their state,
// for the kernels that keep accumulators in Y16–Y31.
func has512() bool {
	if !hasKernels() {
		return false
	}
	_, b7, _, _ := cpuid(7, 0)
	const avx512f, avx512vl = 1 << 16, 1 << 31
	if b7&avx512f == 0 || b7&avx512vl == 0 {
		return false
	}
	xcr0, _ := xgetbv()
	return xcr0&0xe6 == 0xe6 // SSE, AVX, opmask, ZMM upper halves, ZMM16–31
}

var asm512OK = has512()
