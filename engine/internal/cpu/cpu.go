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
	// Full512: AVX512VL, and the cores run 512-bit arithmetic at full
	// width: Intel's AVX-512 cores (vendor GenuineIntel, CPUID leaf 0) and
	// AMD's from Zen 5 on (family 1Ah and later, CPUID leaf 1; measured on
	// a Zen 5 EPYC). Zen 4 (family 19h) splits each 512-bit operation in
	// two 256-bit halves, and so do mobile Zen 5 parts (Strix Point), which
	// this family test counts in: the eight-row 512-bit kernels are not
	// expected to gain there (the results are the same either way).
	Full512 bool
	// VNNI512: AVX512Core and AVX512_VNNI (VPDPWSSD, int16 pair dot
	// products accumulated in int32, on ZMM registers).
	VNNI512 bool
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

// family is the CPU family of CPUID leaf 1's EAX: the base family (bits
// 8–11), plus the extended family (bits 20–27) when the base is 0Fh
// (Intel's and AMD's rule).
func family(eax uint32) uint32 {
	f := eax >> 8 & 0xf
	if f == 0xf {
		f += eax >> 20 & 0xff
	}
	return f
}

// full512 reports whether a CPU of this vendor and family runs 512-bit
// arithmetic at full width, given that it has AVX-512.
func full512(vendorID string, fam uint32) bool {
	switch vendorID {
	case "GenuineIntel":
		return true
	case "AuthenticAMD":
		return fam >= 0x1a // Zen 5
	}
	return false
}
