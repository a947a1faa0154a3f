//go:build amd64 && !purego

package cpu

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
func xgetbv() (eax, edx uint32)

func detect() Features {
	var f Features
	maxID, vb, vc, vd := cpuid(0, 0)
	if maxID < 7 {
		return f
	}
	a1, _, c1, _ := cpuid(1, 0)
	const fma, osxsave, avx, f16c = 1 << 12, 1 << 27, 1 << 28, 1 << 29
	if c1&osxsave == 0 || c1&avx == 0 {
		return f
	}
	xcr0, _ := xgetbv()
	if xcr0&6 != 6 { // SSE and AVX state
		return f
	}
	f.AVX = true
	_, b7, c7, _ := cpuid(7, 0)
	const avx2, avx512f, avx512vl = 1 << 5, 1 << 16, 1 << 31
	const avx512dq, avx512cd, avx512bw = 1 << 17, 1 << 28, 1 << 30
	f.AVX2FMA = b7&avx2 != 0 && c1&fma != 0
	f.F16C = c1&f16c != 0
	// opmask, upper ZMM halves and ZMM16–31 state
	f.AVX512VL = f.AVX2FMA && b7&avx512f != 0 && b7&avx512vl != 0 && xcr0&0xe6 == 0xe6
	f.Full512 = f.AVX512VL && full512(vendor(vb, vd, vc), family(a1))
	f.AVX512Core = f.AVX512VL && b7&(avx512dq|avx512cd|avx512bw) == avx512dq|avx512cd|avx512bw
	const avx512vnni = 1 << 11 // leaf 7 ECX
	f.VNNI512 = f.AVX512Core && c7&avx512vnni != 0
	return f
}
