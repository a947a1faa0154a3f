//go:build amd64 && !purego

#include "textflag.h"

#include "reduce_amd64.h"

// func dot4x2(x *float32, ldx int, w *uint16, ldw int, k int, out *float32, ahead int)
// out[2i+j] = Σ_c x[i·ldx+c]·w[j·ldw+c] for rows i < 4, columns j < 2,
// prefetching the weights `ahead` bytes further on as it goes.
TEXT ·dot4x2(SB), NOSPLIT, $0-56
	MOVQ x+0(FP), R8
	MOVQ ldx+8(FP), AX
	SHLQ $2, AX
	LEAQ (R8)(AX*1), R9
	LEAQ (R9)(AX*1), R10
	LEAQ (R10)(AX*1), R11
	MOVQ w+16(FP), DX
	MOVQ ldw+24(FP), BX
	SHLQ $1, BX
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

d42loop:
	PREFETCHT0  (DX)(R12*1)
	PREFETCHT0  (BX)(R12*1)
	VCVTPH2PS   (DX), Y8
	VCVTPH2PS   (BX), Y9
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
	ADDQ        $16, DX
	ADDQ        $16, BX
	SUBQ        $8, CX
	JNZ         d42loop

	REDUCE8
	MOVQ    out+40(FP), DI
	VMOVUPS Y0, (DI)
	VZEROUPPER
	RET

// func dot1x4(x *float32, w *uint16, ldw int, k int, out *float32)
// out[j] = Σ_c x[c]·w[j·ldw+c] for columns j < 4.
TEXT ·dot1x4(SB), NOSPLIT, $0-40
	MOVQ x+0(FP), SI
	MOVQ w+8(FP), DX
	MOVQ ldw+16(FP), AX
	SHLQ $1, AX
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

d14loop:
	PREFETCHT0  768(DX)
	PREFETCHT0  768(R9)
	PREFETCHT0  768(R10)
	PREFETCHT0  768(R11)
	VMOVUPS     (SI), Y8
	VCVTPH2PS   (DX), Y9
	VFMADD231PS Y9, Y8, Y0
	VCVTPH2PS   (R9), Y10
	VFMADD231PS Y10, Y8, Y1
	VCVTPH2PS   (R10), Y11
	VFMADD231PS Y11, Y8, Y2
	VCVTPH2PS   (R11), Y12
	VFMADD231PS Y12, Y8, Y3
	ADDQ        $32, SI
	ADDQ        $16, DX
	ADDQ        $16, R9
	ADDQ        $16, R10
	ADDQ        $16, R11
	SUBQ        $8, CX
	JNZ         d14loop

	REDUCE8
	// Y0 = [s0 s1 s2 s3 0 0 0 0]
	MOVQ    out+32(FP), DI
	VMOVUPS X0, (DI)
	VZEROUPPER
	RET

// func scores8(q *float32, k *uint16, ld int, n int, scale float32, out *float32)
// out[t] = scale · Σ_c q[c]·k[t·ld+c] for rows t < 8, n values a row.
TEXT ·scores8(SB), NOSPLIT, $0-48
	SCORES8_START
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

s8loop:
	SCORES8_ROWS(Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	ADDQ        $32, SI
	ADDQ        $16, DX
	SUBQ        $8, CX
	JNZ         s8loop

	SCORES8_END
	VZEROUPPER
	RET

// func dot1(q *float32, k *uint16, n int) float32
TEXT ·dot1(SB), NOSPLIT, $0-28
	MOVQ   q+0(FP), SI
	MOVQ   k+8(FP), DX
	MOVQ   n+16(FP), CX
	VXORPS Y0, Y0, Y0

d1loop:
	VCVTPH2PS   (DX), Y1
	VFMADD231PS (SI), Y1, Y0
	ADDQ        $32, SI
	ADDQ        $16, DX
	SUBQ        $8, CX
	JNZ         d1loop

	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0
	VZEROUPPER
	MOVSS        X0, ret+24(FP)
	RET

// func wsum64(p *float32, v *uint16, t int, ld int, out *float32)
// out[c] += Σ_i p[i]·v[i·ld+c] for columns c < 64 and rows i < t.
TEXT ·wsum64(SB), NOSPLIT, $0-40
	MOVQ    p+0(FP), SI
	MOVQ    v+8(FP), DX
	MOVQ    t+16(FP), CX
	MOVQ    ld+24(FP), R9
	SHLQ    $1, R9
	MOVQ    out+32(FP), DI
	VMOVUPS 0(DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3
	VMOVUPS 128(DI), Y4
	VMOVUPS 160(DI), Y5
	VMOVUPS 192(DI), Y6
	VMOVUPS 224(DI), Y7

w64loop:
	VBROADCASTSS (SI), Y8
	VCVTPH2PS    0(DX), Y9
	VFMADD231PS  Y9, Y8, Y0
	VCVTPH2PS    16(DX), Y10
	VFMADD231PS  Y10, Y8, Y1
	VCVTPH2PS    32(DX), Y11
	VFMADD231PS  Y11, Y8, Y2
	VCVTPH2PS    48(DX), Y12
	VFMADD231PS  Y12, Y8, Y3
	VCVTPH2PS    64(DX), Y13
	VFMADD231PS  Y13, Y8, Y4
	VCVTPH2PS    80(DX), Y14
	VFMADD231PS  Y14, Y8, Y5
	VCVTPH2PS    96(DX), Y15
	VFMADD231PS  Y15, Y8, Y6
	VCVTPH2PS    112(DX), Y9
	VFMADD231PS  Y9, Y8, Y7
	ADDQ         $4, SI
	ADDQ         R9, DX
	DECQ         CX
	JNZ          w64loop

	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	VMOVUPS Y4, 128(DI)
	VMOVUPS Y5, 160(DI)
	VMOVUPS Y6, 192(DI)
	VMOVUPS Y7, 224(DI)
	VZEROUPPER
	RET

// func wsum8(p *float32, v *uint16, t int, ld int, out *float32)
// out[c] += Σ_i p[i]·v[i·ld+c] for columns c < 8 and rows i < t.
TEXT ·wsum8(SB), NOSPLIT, $0-40
	MOVQ    p+0(FP), SI
	MOVQ    v+8(FP), DX
	MOVQ    t+16(FP), CX
	MOVQ    ld+24(FP), R9
	SHLQ    $1, R9
	MOVQ    out+32(FP), DI
	VMOVUPS (DI), Y0
	VXORPS  Y1, Y1, Y1

w8loop:
	VBROADCASTSS (SI), Y8
	VCVTPH2PS    (DX), Y9
	VFMADD231PS  Y9, Y8, Y0
	ADDQ         $4, SI
	ADDQ         R9, DX
	DECQ         CX
	JNZ          w8loop

	VMOVUPS Y0, (DI)
	VZEROUPPER
	RET

// func encode8(dst *uint16, src *float32, n int)
// dst[i] = half(src[i]), rounding to nearest even, n a positive multiple of 8.
TEXT ·encode8(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX

enloop:
	VMOVUPS   (SI), Y0
	VCVTPS2PH $0, Y0, (DI)
	ADDQ      $32, SI
	ADDQ      $16, DI
	SUBQ      $8, CX
	JNZ       enloop

	VZEROUPPER
	RET

// func dot8x2(x *float32, ldx int, w *uint16, ldw int, k int, out *float32, ahead int)
// out[2i+j] = Σ_c x[i·ldx+c]·w[j·ldw+c] for rows i < 8, columns j < 2
// (AVX-512VL: the 16 accumulators live in Y16–Y31), converting each weight
// block once for all eight rows and prefetching `ahead` bytes further on.
TEXT ·dot8x2(SB), NOSPLIT, $0-56
	MOVQ ldw+24(FP), BX
	SHLQ $1, BX
	START8x2

d82loop:
	PREFETCHT0  (DX)(R12*1)
	PREFETCHT0  (BX)(R12*1)
	VCVTPH2PS   (DX), Y0
	VCVTPH2PS   (BX), Y1
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
	ADDQ        $16, DX
	ADDQ        $16, BX
	SUBQ        $8, CX
	JNZ         d82loop

	STORE8x2
	RET
