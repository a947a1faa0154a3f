package blas

import (
	"os"
	"testing"

	"github.com/tessera-studio/tessera/engine/internal/cpu"
)

func TestBetterCore(t *testing.T) {
	sse := cpu.Features{}
	avx := cpu.Features{AVX: true}
	avx2 := cpu.Features{AVX: true, AVX2FMA: true, F16C: true}
	avx512 := cpu.Features{AVX: true, AVX2FMA: true, F16C: true, AVX512VL: true, AVX512Core: true}
	for _, c := range []struct {
		detected string
		f        cpu.Features
		want     string
	}{
		{"Prescott", avx512, "SkylakeX"}, // Emerald Rapids under OpenBLAS 0.3.21
		{"Prescott", avx2, "Haswell"},
		{"Prescott", avx, "Sandybridge"},
		{"Prescott", sse, ""},
		{"Haswell", avx512, "SkylakeX"},
		{"Zen", avx2, ""},
		{"SkylakeX", avx512, ""},
		{"Cooperlake", avx512, ""},
		{"SKYLAKEX", avx512, ""},
		{"Sandybridge", avx2, "Haswell"},
		{"Zen5", avx512, ""},    // a core this table does not know is left alone
		{"Unknown", avx512, ""}, // nor one OpenBLAS cannot name
	} {
		if got := BetterCore(c.detected, c.f); got != c.want {
			t.Errorf("BetterCore(%q, %+v) = %q, want %q", c.detected, c.f, got, c.want)
		}
	}
}

// TestCoreInUse checks that this test binary, started through TestMain's
// UseBestCore, runs kernels that suit the CPU: on a CPU that OpenBLAS
// 0.3.21 does not know, it detects Prescott and the restart must have
// happened. (It fails, as it should, when OPENBLAS_CORETYPE names older
// kernels by hand.)
func TestCoreInUse(t *testing.T) {
	core := Core()
	if core == "" {
		t.Fatal("OpenBLAS names no core")
	}
	t.Logf("OpenBLAS core %s (%s=%q, DYNAMIC_ARCH %v), CPU %+v", core, CoreEnv, os.Getenv(CoreEnv), dynamicArch(), cpu.X86)
	if better := BetterCore(core, cpu.X86); better != "" && dynamicArch() {
		t.Fatalf("OpenBLAS runs %s kernels where %s ones suit this CPU", core, better)
	}
}
