package blas

/*
char *openblas_get_corename(void);
*/
import "C"

import (
	"fmt"
	"os"
	"strings"

	"github.com/tessera-studio/tessera/engine/internal/cpu"
)

// CoreEnv is the environment variable that makes a DYNAMIC_ARCH OpenBLAS
// use one kernel set instead of the one it detects (OpenBLAS's own,
// documented in its README); OpenBLAS reads it once, when it is loaded.
const CoreEnv = "OPENBLAS_CORETYPE"

// Core returns the name of the kernel set OpenBLAS runs ("Haswell",
// "SkylakeX", "Prescott", ...: openblas_get_corename).
func Core() string {
	return C.GoString(C.openblas_get_corename())
}

// Vector width classes of x86-64 OpenBLAS cores.
const (
	tierSSE = iota
	tierAVX
	tierAVX2
	tierAVX512
)

// coreTiers classes the x86-64 kernel sets of OpenBLAS's DYNAMIC_ARCH
// builds (driver/others/dynamic.c) by the widest vector instructions their
// sgemm uses. A name not listed (a newer OpenBLAS's new core) is never
// overridden.
var coreTiers = map[string]int{
	"unknown": tierSSE, "katmai": tierSSE, "coppermine": tierSSE, "northwood": tierSSE,
	"prescott": tierSSE, "banias": tierSSE, "atom": tierSSE, "core2": tierSSE,
	"penryn": tierSSE, "dunnington": tierSSE, "nehalem": tierSSE, "athlon": tierSSE,
	"opteron": tierSSE, "opteron_sse3": tierSSE, "barcelona": tierSSE, "nano": tierSSE,
	"bobcat":      tierSSE,
	"sandybridge": tierAVX, "bulldozer": tierAVX, "piledriver": tierAVX, "steamroller": tierAVX,
	"haswell": tierAVX2, "excavator": tierAVX2, "zen": tierAVX2,
	"skylakex": tierAVX512, "cooperlake": tierAVX512, "sapphirerapids": tierAVX512,
}

// BetterCore returns the OPENBLAS_CORETYPE value whose kernels suit a CPU
// with features f better than the detected core's, or "" when the detected
// core is right (or unknown to this table). OpenBLAS 0.3.21 (Debian 12's)
// knows CPUs by family and model number, so a newer one falls back to its
// oldest kernels: an Emerald Rapids Xeon (family 6, model 207) runs as a
// Prescott, whose single-threaded sgemm measured 17–25 GFLOP/s on 1024³
// where SkylakeX's made 85–138 on the same machine.
func BetterCore(detected string, f cpu.Features) string {
	have, known := coreTiers[strings.ToLower(detected)]
	if !known {
		return ""
	}
	switch {
	case f.AVX512Core && have < tierAVX512:
		return "SkylakeX"
	case f.AVX2FMA && have < tierAVX2:
		return "Haswell"
	case f.AVX && have < tierAVX:
		return "Sandybridge"
	}
	return ""
}

// UseBestCore restarts the process with OPENBLAS_CORETYPE set to
// BetterCore's choice when OpenBLAS picked kernels for an older CPU than
// this one. It returns nil without restarting when nothing needs doing:
// OPENBLAS_CORETYPE is set already (the user's choice, or the restarted
// process), or the detected core is right. On a restart it does not
// return; an error means the restart failed and the process goes on with
// the detected kernels. Call it first thing in main (and in a TestMain),
// before any goroutine or window starts.
func UseBestCore() error {
	if _, set := os.LookupEnv(CoreEnv); set {
		return nil
	}
	detected := Core()
	core := BetterCore(detected, cpu.X86)
	if core == "" {
		return nil
	}
	if err := restartWith(CoreEnv + "=" + core); err != nil {
		return fmt.Errorf("OpenBLAS runs %s kernels on a CPU for %s ones; restarting with %s=%s: %w", detected, core, CoreEnv, core, err)
	}
	return nil
}
