//go:build amd64 && !purego

#include "textflag.h"

// Int8 weights (int8.go): the half kernels of kernels_amd64.s with each
// block of eight weights widened by VPMOVSXBD and VCVTDQ2PS instead of
// VCVTPH2PS, eight bytes a block.

#include "reduce_amd64.h"

// func i8dot4x2(x *float32, ldx int, w *int8, ldw int, k int, out *float32, ahead int)
// out[2i+j] = Σ_c x[i·ldx+c]·w[j·ldw+c] for rows i < 4, columns j < 2,
// prefetching the weights `ahead` bytes further on as it goes.
TEXT ·i8dot4x2(SB), NOSPLIT, $0-56
	MOVQ x+0(FP), R8
	MOVQ ldx+8(FP), AX
	SHLQ $2, AX
	LEAQ (R8)(AX*1), R9
	LEAQ (R9)(AX*1), R10
	LEAQ (R10)(AX*1), R11
	MOVQ w+16(FP), DX
	MOVQ ldw+24(FP), BX
	ADDQ DX, BX
	MOVQ k+32(FP), CX
	MOVQ ahead+48(FP), R12
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

i42loop:
	PREFETCHT0  (DX)(R12*1)
	PREFETCHT0  (BX)(R12*1)
	VPMOVSXBD   (DX), Y8
	VCVTDQ2PS   Y8, Y8
	VPMOVSXBD   (BX), Y9
	VCVTDQ2PS   Y9, Y9
	VMOVUPS     (R8), Y10
	VFMADD231PS Y8, Y10, Y0
	VFMADD231PS Y9, Y10, Y1
	VMOVUPS     (R9), Y11
	VFMADD231PS Y8, Y11, Y2
	VFMADD231PS Y9, Y11, Y3
	VMOVUPS     (R10), Y12
	VFMADD231PS Y8, Y12, Y4
	VFMADD231PS Y9, Y12, Y5
	VMOVUPS     (R11), Y13
	VFMADD231PS Y8, Y13, Y6
	VFMADD231PS Y9, Y13, Y7
	ADDQ        $32, R8
	ADDQ        $32, R9
	ADDQ        $32, R10
	ADDQ        $32, R11
	ADDQ        $8, DX
	ADDQ        $8, BX
	SUBQ        $8, CX
	JNZ         i42loop

	REDUCE8
	MOVQ    out+40(FP), DI
	VMOVUPS Y0, (DI)
	VZEROUPPER
	RET

// func i8dot1x4(x *float32, w *int8, ldw int, k int, out *float32)
// out[j] = Σ_c x[c]·w[j·ldw+c] for columns j < 4.
TEXT ·i8dot1x4(SB), NOSPLIT, $0-40
	MOVQ x+0(FP), SI
	MOVQ w+8(FP), DX
	MOVQ ldw+16(FP), AX
	LEAQ (DX)(AX*1), R9
	LEAQ (R9)(AX*1), R10
	LEAQ (R10)(AX*1), R11
	MOVQ k+24(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

i14loop:
	PREFETCHT0  768(DX)
	PREFETCHT0  768(R9)
	PREFETCHT0  768(R10)
	PREFETCHT0  768(R11)
	VMOVUPS     (SI), Y8
	VPMOVSXBD   (DX), Y9
	VCVTDQ2PS   Y9, Y9
	VFMADD231PS Y9, Y8, Y0
	VPMOVSXBD   (R9), Y10
	VCVTDQ2PS   Y10, Y10
	VFMADD231PS Y10, Y8, Y1
	VPMOVSXBD   (R10), Y11
	VCVTDQ2PS   Y11, Y11
	VFMADD231PS Y11, Y8, Y2
	VPMOVSXBD   (R11), Y12
	VCVTDQ2PS   Y12, Y12
	VFMADD231PS Y12, Y8, Y3
	ADDQ        $32, SI
	ADDQ        $8, DX
	ADDQ        $8, R9
	ADDQ        $8, R10
	ADDQ        $8, R11
	SUBQ        $8, CX
	JNZ         i14loop

	REDUCE8
	// Y0 = [s0 s1 s2 s3 0 0 0 0]
	MOVQ    out+32(FP), DI
	VMOVUPS X0, (DI)
	VZEROUPPER
	RET

// func i8dot8x2(x *float32, ldx int, w *int8, ldw int, k int, out *float32, ahead int)
// out[2i+j] = Σ_c x[i·ldx+c]·w[j·ldw+c] for rows i < 8, columns j < 2
// (AVX-512VL: the 16 accumulators live in Y16–Y31), converting each weight
// block once for all eight rows and prefetching `ahead` bytes further on.
TEXT ·i8dot8x2(SB), NOSPLIT, $0-56
	MOVQ ldw+24(FP), BX
	START8x2

i82loop:
	PREFETCHT0  (DX)(R12*1)
	PREFETCHT0  (BX)(R12*1)
	VPMOVSXBD   (DX), Y0
	VCVTDQ2PS   Y0, Y0
	VPMOVSXBD   (BX), Y1
	VCVTDQ2PS   Y1, Y1
	VMOVUPS     (R8), Y2
	VFMADD231PS Y0, Y2, Y16
	VFMADD231PS Y1, Y2, Y17
	VMOVUPS     (R8)(AX*1), Y3
	VFMADD231PS Y0, Y3, Y18
	VFMADD231PS Y1, Y3, Y19
	VMOVUPS     (R8)(AX*2), Y4
	VFMADD231PS Y0, Y4, Y20
	VFMADD231PS Y1, Y4, Y21
	VMOVUPS     (R9), Y5
	VFMADD231PS Y0, Y5, Y22
	VFMADD231PS Y1, Y5, Y23
	VMOVUPS     (R8)(AX*4), Y6
	VFMADD231PS Y0, Y6, Y24
	VFMADD231PS Y1, Y6, Y25
	VMOVUPS     (R9)(AX*2), Y7
	VFMADD231PS Y0, Y7, Y26
	VFMADD231PS Y1, Y7, Y27
	VMOVUPS     (R10), Y8
	VFMADD231PS Y0, Y8, Y28
	VFMADD231PS Y1, Y8, Y29
	VMOVUPS     (R10)(AX*1), Y9
	VFMADD231PS Y0, Y9, Y30
	VFMADD231PS Y1, Y9, Y31
	ADDQ        $32, R8
	ADDQ        $32, R9
	ADDQ        $32, R10
	ADDQ        $8, DX
	ADDQ        $8, BX
	SUBQ        $8, CX
	JNZ         i82loop

	STORE8x2
	RET

