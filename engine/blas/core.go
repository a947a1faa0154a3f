package blas

/*
char *openblas_get_corename(void);
char *openblas_get_config(void);
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

// tier is a vector width class of x86-64 OpenBLAS cores.
type tier int

const (
	tierSSE tier = iota
	tierAVX
	tierAVX2
	tierAVX512
)

// coreTier classes the x86-64 kernel sets of OpenBLAS's DYNAMIC_ARCH
// builds (the corename list of driver/others/dynamic.c, 0.3.21 to 0.3.29)
// by the widest vector instructions their sgemm uses. known is false for a
// name not listed, including "Unknown" (what OpenBLAS reports for a core
// missing from its own list): such a core is never overridden.
func coreTier(name string) (t tier, known bool) {
	switch strings.ToLower(name) {
	case "katmai", "coppermine", "northwood", "prescott", "banias", "atom", "core2", "penryn",
		"dunnington", "nehalem", "athlon", "opteron", "opteron_sse3", "barcelona", "nano", "bobcat":
		return tierSSE, true
	case "sandybridge", "bulldozer", "piledriver", "steamroller":
		return tierAVX, true
	case "haswell", "excavator", "zen":
		return tierAVX2, true
	case "skylakex", "cooperlake", "sapphirerapids":
		return tierAVX512, true
	}
	return 0, false
}

// BetterCore returns the OPENBLAS_CORETYPE value whose kernels suit a CPU
// with features f better than the detected core's, or "" when the detected
// core is right (or unknown to coreTier). OpenBLAS 0.3.21 (Debian 12's)
// knows Intel CPUs by family and model number; a family-6 model it does not
// list in its extended-model groups 11 and up, such as an Emerald Rapids
// Xeon (model 207), falls through to its Pentium 4 branch and runs the
// Prescott (SSE3) kernels, whose single-threaded sgemm measured 17–25
// GFLOP/s on 1024³ where SkylakeX's made 85–138 on the same machine.
func BetterCore(detected string, f cpu.Features) string {
	have, known := coreTier(detected)
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

// CoreNote says, when OPENBLAS_CORETYPE is set by hand (so UseBestCore
// leaves OpenBLAS alone) to kernels older than this CPU runs, which kernels
// it could run instead; "" otherwise, and for an OpenBLAS built for one
// target, which ignores the variable. tessera bench prints it beside
// sgemm's rate (a shell that set OPENBLAS_CORETYPE=Haswell on a Zen 5 EPYC
// got 194 GFLOP/s where the SkylakeX kernels made 349).
func CoreNote() string {
	v, set := os.LookupEnv(CoreEnv)
	return coreNote(v, set && dynamicArch(), Core(), cpu.X86)
}

// coreNote is CoreNote for a variable of value env (set: it is set and
// OpenBLAS reads it) with OpenBLAS running the kernels named running.
func coreNote(env string, set bool, running string, f cpu.Features) string {
	better := BetterCore(running, f)
	if !set || better == "" || strings.EqualFold(env, better) {
		return ""
	}
	return fmt.Sprintf("%s=%s is set, so OpenBLAS runs its %s kernels where this CPU could run %s (unset it to let OpenBLAS and tessera choose)", CoreEnv, env, running, better)
}

// dynamicArch reports whether OpenBLAS was built with DYNAMIC_ARCH, the
// only kind that reads OPENBLAS_CORETYPE (openblas_get_config).
func dynamicArch() bool {
	return strings.Contains(C.GoString(C.openblas_get_config()), "DYNAMIC_ARCH")
}

// UseBestCore restarts the process with OPENBLAS_CORETYPE set to
// BetterCore's choice when a DYNAMIC_ARCH OpenBLAS picked kernels for an
// older CPU than this one. It returns nil without restarting when nothing
// needs doing: OPENBLAS_CORETYPE is set already (the user's choice, which
// is also how to opt out, or the restarted process), OpenBLAS has a fixed
// target, or the detected core is right. With -tags purego the CPU's
// features read as none, so it never restarts. On a restart it does not
// return (the same executable, arguments, pid and open files carry on);
// an error means the restart failed and the process goes on with the
// detected kernels. Call it first thing in main (and in a TestMain: see
// blastest), before any goroutine or window starts.
func UseBestCore() error {
	if _, set := os.LookupEnv(CoreEnv); set {
		return nil
	}
	detected := Core()
	core := BetterCore(detected, cpu.X86)
	if core == "" || !dynamicArch() {
		return nil
	}
	if err := restartWith(CoreEnv + "=" + core); err != nil {
		return fmt.Errorf("OpenBLAS runs %s kernels on a CPU for %s ones; restarting with %s=%s: %w", detected, core, CoreEnv, core, err)
	}
	return nil
}
