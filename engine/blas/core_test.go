package blas

import (
	"os"
	"strings"
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
// happened. An OPENBLAS_CORETYPE naming other kernels than BetterCore's
// choice was set by hand (the restart sets that choice), and UseBestCore
// leaves a hand-set choice alone by design, so the test then skips, saying
// so (some shells set OPENBLAS_CORETYPE=Haswell for every program); one
// naming the better kernels that OpenBLAS did not take still fails.
func TestCoreInUse(t *testing.T) {
	core := Core()
	if core == "" {
		t.Fatal("OpenBLAS names no core")
	}
	env, set := os.LookupEnv(CoreEnv)
	t.Logf("OpenBLAS core %s (%s=%q, DYNAMIC_ARCH %v), CPU %+v", core, CoreEnv, env, dynamicArch(), cpu.X86)
	better := BetterCore(core, cpu.X86)
	if set && better != "" && !strings.EqualFold(env, better) {
		t.Skipf("%s=%s was set by hand: OpenBLAS runs %s kernels where %s ones suit this CPU, as asked", CoreEnv, env, core, better)
	}
	if better != "" && dynamicArch() {
		t.Fatalf("OpenBLAS runs %s kernels where %s ones suit this CPU", core, better)
	}
}

func TestCoreNote(t *testing.T) {
	avx512 := cpu.Features{AVX: true, AVX2FMA: true, F16C: true, AVX512VL: true, AVX512Core: true}
	if n := coreNote("Haswell", true, "Haswell", avx512); !strings.Contains(n, "OPENBLAS_CORETYPE=Haswell") || !strings.Contains(n, "SkylakeX") {
		t.Errorf("a forced older core: %q", n)
	}
	for _, c := range []struct {
		env     string
		set     bool
		running string
	}{
		{"", false, "Haswell"},         // not set: UseBestCore chose
		{"SkylakeX", true, "SkylakeX"}, // set to what suits the CPU
		{"Zen5", true, "Zen5"},         // a core coreTier does not know
		{"SkylakeX", true, "Haswell"},  // the better kernels, not taken: not the user's doing
	} {
		if n := coreNote(c.env, c.set, c.running, avx512); n != "" {
			t.Errorf("%+v: %q, want no note", c, n)
		}
	}
}
