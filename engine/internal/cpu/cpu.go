// Package cpu reports the x86 vector features the engine's assembly kernels
// need, checked once with CPUID and XGETBV (the CPU has them and the OS
// saves their registers).
package cpu

// Features are the vector extensions usable on this machine.
type Features struct {
	// AVX: AVX with the YMM state enabled.
	AVX bool
	// AVX2FMA: AVX2 and FMA3 with the YMM state enabled.
	AVX2FMA bool
	// F16C: half↔float conversions (VCVTPH2PS, VCVTPS2PH).
	F16C bool
	// AVX512VL: AVX-512F with 256-bit (VL) forms and the state of
	// registers 16–31 enabled.
	AVX512VL bool
	// AVX512Core: AVX-512 F, CD, BW, DQ and VL with the ZMM state enabled,
	// what every Intel AVX-512 core since Skylake-SP has (OpenBLAS's
	// SkylakeX kernels).
	AVX512Core bool
	// Intel: the vendor is GenuineIntel (CPUID leaf 0), whose AVX-512
	// cores run 512-bit arithmetic at full width.
	Intel bool
}

// X86 holds the features of this machine (all false off amd64 or with
// -tags purego).
var X86 = detect()

// vendor is CPUID leaf 0's vendor string from its EBX, EDX and ECX.
func vendor(b, d, c uint32) string {
	var s [12]byte
	for i, r := range []uint32{b, d, c} {
		for j := 0; j < 4; j++ {
			s[4*i+j] = byte(r >> (8 * j))
		}
	}
	return string(s[:])
}
