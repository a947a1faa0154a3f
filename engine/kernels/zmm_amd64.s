//go:build amd64 && !purego

#include "textflag.h"

// The one-row decode kernels in 512-bit registers (AVX-512F): sixteen
// weights a conversion and sixteen lanes a fused multiply-add, twice the
// work of an instruction of the 256-bit dot1x4 and i8dot1x4
// (kernels_amd64.s, int8_amd64.s), which they replace where the CPU has
// AVX-512 and k is a multiple of 32; results are laid out as theirs. One
// row converts four weights per multiply-add, so the wider conversion pays
// (BenchmarkMatMul: 1.6× at one row); eight rows convert one weight per
// eight multiply-adds, and the 256-bit dot8x2 with its sixteen
// accumulators in Y16–Y31 stays as fast as a 512-bit twin measured beside it.

#include "reduce_amd64.h"

// ZERO1x4 clears the 1×4 kernels' accumulators Z16–Z23.
#define ZERO1x4 \
	VPXORD Z16, Z16, Z16 \
	VPXORD Z17, Z17, Z17 \
	VPXORD Z18, Z18, Z18 \
	VPXORD Z19, Z19, Z19 \
	VPXORD Z20, Z20, Z20 \
	VPXORD Z21, Z21, Z21 \
	VPXORD Z22, Z22, Z22 \
	VPXORD Z23, Z23, Z23

// START1x4 points R9–R11 at columns 1–3 (DX at column 0, AX the bytes
// between columns), loads k into CX and the prefetch distance into R12,
// and clears the accumulators.
#define START1x4 \
	LEAQ (DX)(AX*1), R9 \
	LEAQ (R9)(AX*1), R10 \
	LEAQ (R10)(AX*1), R11 \
	MOVQ k+24(FP), CX \
	MOVQ ahead+40(FP), R12 \
	ZERO1x4

// LOADX1x4 prefetches each column's weights R12 bytes on and loads the
// next 32 values of x into Z0 and Z1.
#define LOADX1x4 \
	PREFETCHT0  (DX)(R12*1) \
	PREFETCHT0  (R9)(R12*1) \
	PREFETCHT0  (R10)(R12*1) \
	PREFETCHT0  (R11)(R12*1) \
	VMOVUPS     (SI), Z0 \
	VMOVUPS     64(SI), Z1

// REDUCE1x4 sums the 1×4 kernels' accumulators (Z16–Z23, two a column)
// into four totals at DI.
#define REDUCE1x4 \
	VADDPS  Z17, Z16, Z16 \
	VADDPS  Z19, Z18, Z18 \
	VADDPS  Z21, Z20, Z20 \
	VADDPS  Z23, Z22, Z22 \
	VEXTRACTF64X4 $1, Z16, Y0 \
	VADDPS  Y16, Y0, Y0 \
	VEXTRACTF64X4 $1, Z18, Y1 \
	VADDPS  Y18, Y1, Y1 \
	VEXTRACTF64X4 $1, Z20, Y2 \
	VADDPS  Y20, Y2, Y2 \
	VEXTRACTF64X4 $1, Z22, Y3 \
	VADDPS  Y22, Y3, Y3 \
	VXORPS  Y4, Y4, Y4 \
	VXORPS  Y5, Y5, Y5 \
	VXORPS  Y6, Y6, Y6 \
	VXORPS  Y7, Y7, Y7 \
	REDUCE8 \
	VMOVUPS X0, (DI)

// zdot1x4 and zi8dot1x4 keep eight accumulators (four columns × even and
// odd blocks of 16) so that the multiply-adds do not wait on each other.

// func zdot1x4(x *float32, w *uint16, ldw int, k int, out *float32, ahead int)
// out[j] = Σ_c x[c]·w[j·ldw+c] for columns j < 4, prefetching the weights
// `ahead` bytes further on; k a multiple of 32.
TEXT ·zdot1x4(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), SI
	MOVQ w+8(FP), DX
	MOVQ ldw+16(FP), AX
	SHLQ $1, AX
	START1x4

z14loop:
	LOADX1x4
	VCVTPH2PS   (DX), Z2
	VCVTPH2PS   32(DX), Z3
	VFMADD231PS Z2, Z0, Z16
	VFMADD231PS Z3, Z1, Z17
	VCVTPH2PS   (R9), Z4
	VCVTPH2PS   32(R9), Z5
	VFMADD231PS Z4, Z0, Z18
	VFMADD231PS Z5, Z1, Z19
	VCVTPH2PS   (R10), Z6
	VCVTPH2PS   32(R10), Z7
	VFMADD231PS Z6, Z0, Z20
	VFMADD231PS Z7, Z1, Z21
	VCVTPH2PS   (R11), Z8
	VCVTPH2PS   32(R11), Z9
	VFMADD231PS Z8, Z0, Z22
	VFMADD231PS Z9, Z1, Z23
	ADDQ        $128, SI
	ADDQ        $64, DX
	ADDQ        $64, R9
	ADDQ        $64, R10
	ADDQ        $64, R11
	SUBQ        $32, CX
	JNZ         z14loop

	MOVQ out+32(FP), DI
	REDUCE1x4
	VZEROUPPER
	RET

// func zi8dot1x4(x *float32, w *int8, ldw int, k int, out *float32, ahead int)
// zdot1x4 with int8 weights (ldw and ahead in values); k a multiple of 32.
TEXT ·zi8dot1x4(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), SI
	MOVQ w+8(FP), DX
	MOVQ ldw+16(FP), AX
	START1x4

zi14loop:
	LOADX1x4
	VPMOVSXBD   (DX), Z2
	VPMOVSXBD   16(DX), Z3
	VCVTDQ2PS   Z2, Z2
	VCVTDQ2PS   Z3, Z3
	VFMADD231PS Z2, Z0, Z16
	VFMADD231PS Z3, Z1, Z17
	VPMOVSXBD   (R9), Z4
	VPMOVSXBD   16(R9), Z5
	VCVTDQ2PS   Z4, Z4
	VCVTDQ2PS   Z5, Z5
	VFMADD231PS Z4, Z0, Z18
	VFMADD231PS Z5, Z1, Z19
	VPMOVSXBD   (R10), Z6
	VPMOVSXBD   16(R10), Z7
	VCVTDQ2PS   Z6, Z6
	VCVTDQ2PS   Z7, Z7
	VFMADD231PS Z6, Z0, Z20
	VFMADD231PS Z7, Z1, Z21
	VPMOVSXBD   (R11), Z8
	VPMOVSXBD   16(R11), Z9
	VCVTDQ2PS   Z8, Z8
	VCVTDQ2PS   Z9, Z9
	VFMADD231PS Z8, Z0, Z22
	VFMADD231PS Z9, Z1, Z23
	ADDQ        $128, SI
	ADDQ        $32, DX
	ADDQ        $32, R9
	ADDQ        $32, R10
	ADDQ        $32, R11
	SUBQ        $32, CX
	JNZ         zi14loop

	MOVQ out+32(FP), DI
	REDUCE1x4
	VZEROUPPER
	RET
