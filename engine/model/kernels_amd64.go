//go:build amd64 && !purego

package model

import "github.com/tessera-studio/tessera/engine/half"

// vectorOK reports the AVX2 kernels of kernels_amd64.s usable (the CPU
// features engine/half checks are a superset of theirs).
var vectorOK = half.Accelerated()

// qgeluAVX applies quick_gelu in place to n values, n a positive multiple of 8.
//
//go:noescape
func qgeluAVX(x *float32, n int)
