package cpu

import (
	"os"
	"runtime"
	"strings"
	"testing"
)

func TestVendor(t *testing.T) {
	// CPUID leaf 0 of an Intel CPU: "Genu" "ineI" "ntel" in EBX, EDX, ECX.
	if v := vendor(0x756e6547, 0x49656e69, 0x6c65746e); v != "GenuineIntel" {
		t.Fatalf("vendor %q", v)
	}
	// and of an AMD one: "Auth" "enti" "cAMD".
	if v := vendor(0x68747541, 0x69746e65, 0x444d4163); v != "AuthenticAMD" {
		t.Fatalf("vendor %q", v)
	}
}

func TestFull512(t *testing.T) {
	for _, c := range []struct {
		vendor string
		eax    uint32 // CPUID leaf 1
		want   bool
	}{
		{"GenuineIntel", 0x000c06f2, true},  // Emerald Rapids: family 6, model 207
		{"AuthenticAMD", 0x00b00f21, true},  // Zen 5 EPYC: family 1Ah
		{"AuthenticAMD", 0x00a10f11, false}, // Zen 4 EPYC: family 19h
		{"AuthenticAMD", 0x00800f12, false}, // Zen: family 17h
		{"HygonGenuine", 0x00900f01, false},
	} {
		if got := full512(c.vendor, family(c.eax)); got != c.want {
			t.Errorf("full512(%s, family %#x) = %v, want %v", c.vendor, family(c.eax), got, c.want)
		}
	}
}

// On Linux the kernel lists the CPU's features in /proc/cpuinfo: the
// AVX-512 VNNI detection agrees with it.
func TestVNNI512MatchesCPUInfo(t *testing.T) {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil || runtime.GOARCH != "amd64" || !X86.AVX { // -tags purego detects nothing
		t.Skip("no /proc/cpuinfo, or not amd64 with the kernels")
	}
	var flags map[string]bool
	for _, line := range strings.Split(string(data), "\n") {
		if name, list, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "flags" {
			flags = map[string]bool{}
			for _, f := range strings.Fields(list) {
				flags[f] = true
			}
			break
		}
	}
	if flags == nil {
		t.Skip("/proc/cpuinfo lists no flags")
	}
	want := X86.AVX512VL && flags["avx512bw"] && flags["avx512dq"] && flags["avx512cd"] && flags["avx512_vnni"]
	if X86.VNNI512 != want {
		t.Errorf("VNNI512 %v, /proc/cpuinfo says %v", X86.VNNI512, want)
	}
}
