package cpu

import "testing"

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
