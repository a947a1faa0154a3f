//go:build amd64 && !purego

package kernels

import "github.com/tessera-studio/tessera/engine/internal/cpu"

// Assembly kernels (kernels_amd64.s). Lengths k and n are positive
// multiples of 8; t is positive.

//go:noescape
func dot4x2(x *float32, ldx int, w *uint16, ldw int, k int, out *float32, ahead int)

//go:noescape
func dot8x2(x *float32, ldx int, w *uint16, ldw int, k int, out *float32, ahead int)

//go:noescape
func dot1x4(x *float32, w *uint16, ldw int, k int, out *float32)

//go:noescape
func scores8(q *float32, k *uint16, ld int, n int, scale float32, out *float32)

//go:noescape
func dot1(q *float32, k *uint16, n int) float32

//go:noescape
func wsum64(p *float32, v *uint16, t int, ld int, out *float32)

//go:noescape
func wsum8(p *float32, v *uint16, t int, ld int, out *float32)

//go:noescape
func encode8(dst *uint16, src *float32, n int)

// 512-bit kernels (zmm_amd64.s), used in place of dot1x4 and i8dot1x4
// where asm512OK and k is a multiple of 32, and of dot8x2 at vec512x8.

//go:noescape
func zdot1x4(x *float32, w *uint16, ldw int, k int, out *float32, ahead int)

//go:noescape
func zdot8x2(x *float32, ldx int, w *uint16, ldw int, k int, out *float32, ahead int)

//go:noescape
func zi8dot4x2(x *float32, ldx int, w *int8, ldw int, k int, out *float32, ahead int)

//go:noescape
func zi8dot8x2(x *float32, ldx int, w *int8, ldw int, k int, out *float32, ahead int)

//go:noescape
func zi8dot1x4(x *float32, w *int8, ldw int, k int, out *float32, ahead int)

//go:noescape
func zi8dot1x4n(x *float32, w *int8, ldw int, k int, out *float32, ahead int, blocks int)

// 512-bit attention kernels (zmm_amd64.s), used in place of scores8 (n a
// multiple of 16) and wsum64 where asm512OK.

//go:noescape
func zscores8n(q *float32, k *uint16, ld int, n int, scale float32, out *float32, ahead int, blocks int)

//go:noescape
func zwsum64(p *float32, v *uint16, t int, ld int, out *float32)

// Tiled half-weight kernels (tile_amd64.s; tiled.go), used where
// HalfTiled says.

//go:noescape
func tile8x32(x *float32, ldx int, w *uint16, k int, out *float32, ahead int)

//go:noescape
func tile4x64(x *float32, ldx int, w *uint16, k int, out *float32, ahead int)

//go:noescape
func tile1x64(x *float32, w *uint16, k int, out *float32, ahead int)

// asmOK: the kernels need AVX2, FMA and F16C; asm512OK: the eight-row
// kernel also keeps accumulators in the AVX-512VL registers Y16–Y31, and
// the 512-bit kernels run (AVX-512F with the ZMM state enabled); full512:
// 512-bit arithmetic runs at full width (Intel's AVX-512 cores, AMD's from
// Zen 5 on: cpu.Features.Full512), so the eight-row products run in
// 512-bit registers too. Zen 4 splits each 512-bit operation in halves and
// keeps dot8x2. On a 2-core Zen 5 EPYC (family 1Ah), BenchmarkMatMul m8
// ran zdot8x2 at 289–291 GFLOP/s cached and 161–166 streaming, dot8x2 at
// 147–150 and 125–129.
var (
	asmOK    = cpu.X86.AVX2FMA && cpu.X86.F16C
	asm512OK = asmOK && cpu.X86.AVX512VL
	full512  = asm512OK && cpu.X86.Full512
	vnniOK   = full512 && cpu.X86.VNNI512
)

// vi8dot8x2 (vnni_amd64.s) is zi8dot8x2 with x quantised to int16 rows
// (Int16Rows), where vnniOK.
//
//go:noescape
func vi8dot8x2(x *int16, ldx int, w *int8, ldw int, k int, out *float32, ahead int)

// vi8dot4x2 and vi8dot1x4 (vnni_amd64.s) are vi8dot8x2 for four rows and
// one row (four columns).
//
//go:noescape
func vi8dot4x2(x *int16, ldx int, w *int8, ldw int, k int, out *float32, ahead int)

//go:noescape
func vi8dot1x4(x *int16, w *int8, ldw int, k int, out *float32, ahead int)

// absMax16 and round16 (vnni_amd64.s) quantise rows for them
// (Int16Rows.Quantize); n a multiple of 32.
//
//go:noescape
func absMax16(x *float32, n int) float32

//go:noescape
func round16(x *float32, n int, inv float32, q *int16)

// Int8 kernels (int8_amd64.s): as dot4x2, dot8x2 and dot1x4 with int8
// weights (ldw and ahead in bytes of int8, i.e. values).

//go:noescape
func i8dot4x2(x *float32, ldx int, w *int8, ldw int, k int, out *float32, ahead int)

//go:noescape
func i8dot8x2(x *float32, ldx int, w *int8, ldw int, k int, out *float32, ahead int)

//go:noescape
func i8dot1x4(x *float32, w *int8, ldw int, k int, out *float32)
