//go:build amd64 && !purego

#include "textflag.h"
#include "reduce_amd64.h"

// The int8 products with AVX-512 VNNI (eight rows, four and one):
// activations quantised to int16 (Int16Rows) times int8 weights widened to
// int16, summed in int32 by VPDPWSSD (two products a lane per instruction:
// 32 multiply-adds, where the float kernels zi8dot8x2, zi8dot4x2 and
// zi8dot1x4 do 16 and first convert every weight to float32). Exact in int32
// while k ≤ MaxVNNIInputs.

// VROWS4x2(off) multiplies the next 32 int16 values of each of the four
// rows of x at R8, R8+AX, R8+2·AX and R9 = R8+3·AX (off bytes on) by the two
// columns' weights widened in Z0 and Z1, adding row i's pair sums to
// Z(16+2i) and Z(17+2i).
#define VROWS4x2(off) \
	VMOVDQU16 off(R8), Z2 \
	VPDPWSSD  Z0, Z2, Z16 \
	VPDPWSSD  Z1, Z2, Z17 \
	VMOVDQU16 off(R8)(AX*1), Z3 \
	VPDPWSSD  Z0, Z3, Z18 \
	VPDPWSSD  Z1, Z3, Z19 \
	VMOVDQU16 off(R8)(AX*2), Z4 \
	VPDPWSSD  Z0, Z4, Z20 \
	VPDPWSSD  Z1, Z4, Z21 \
	VMOVDQU16 off(R9), Z5 \
	VPDPWSSD  Z0, Z5, Z22 \
	VPDPWSSD  Z1, Z5, Z23

// VROWS8x2(off) is VROWS4x2 for eight rows: the next four at R8+4·AX,
// R9+2·AX, R10 = R8+6·AX and R10+AX, their sums in Z24–Z31.
#define VROWS8x2(off) \
	VROWS4x2(off) \
	VMOVDQU16 off(R8)(AX*4), Z6 \
	VPDPWSSD  Z0, Z6, Z24 \
	VPDPWSSD  Z1, Z6, Z25 \
	VMOVDQU16 off(R9)(AX*2), Z7 \
	VPDPWSSD  Z0, Z7, Z26 \
	VPDPWSSD  Z1, Z7, Z27 \
	VMOVDQU16 off(R10), Z8 \
	VPDPWSSD  Z0, Z8, Z28 \
	VPDPWSSD  Z1, Z8, Z29 \
	VMOVDQU16 off(R10)(AX*1), Z9 \
	VPDPWSSD  Z0, Z9, Z30 \
	VPDPWSSD  Z1, Z9, Z31

// VFOLD(z, y) converts the int32 accumulator z to float32 and adds its
// upper 256 bits to its lower half y.
#define VFOLD(z, y) \
	VCVTDQ2PS     z, z \
	VEXTRACTF64X4 $1, z, Y0 \
	VADDPS        Y0, y, y

// VFOLD16_23 folds the four-row kernels' accumulators Z16–Z23.
#define VFOLD16_23 \
	VFOLD(Z16, Y16) \
	VFOLD(Z17, Y17) \
	VFOLD(Z18, Y18) \
	VFOLD(Z19, Y19) \
	VFOLD(Z20, Y20) \
	VFOLD(Z21, Y21) \
	VFOLD(Z22, Y22) \
	VFOLD(Z23, Y23)

// func vi8dot8x2(x *int16, ldx int, w *int8, ldw int, k int, out *float32, ahead int)
// out[2i+c] = Σ_t x[i·ldx+t]·w[(c·ldw)+t] for rows i < 8 and columns c < 2
// (int32 sums converted to float32), prefetching the weights `ahead` bytes
// on; k a multiple of 32.
TEXT ·vi8dot8x2(SB), NOSPLIT, $0-56
	MOVQ ldw+24(FP), BX
	START8x2X($1) // int16 rows

vi82loop:
	PREFETCHT0 (DX)(R12*1)
	PREFETCHT0 (BX)(R12*1)
	VPMOVSXBW  (DX), Z0
	VPMOVSXBW  (BX), Z1
	VROWS8x2(0)
	ADDQ       $64, R8
	ADDQ       $64, R9
	ADDQ       $64, R10
	ADDQ       $32, DX
	ADDQ       $32, BX
	SUBQ       $32, CX
	JNZ        vi82loop

	VFOLD16_23
	VFOLD(Z24, Y24)
	VFOLD(Z25, Y25)
	VFOLD(Z26, Y26)
	VFOLD(Z27, Y27)
	VFOLD(Z28, Y28)
	VFOLD(Z29, Y29)
	VFOLD(Z30, Y30)
	VFOLD(Z31, Y31)
	STORE8x2
	RET

// func absMax16(x *float32, n int) float32
// max_i |x[i]| for n a positive multiple of 32, as the largest bit pattern
// of the absolute values (unsigned integer maximum): a NaN, whose pattern
// lies above every number's and Inf's, comes out NaN wherever it is
// (VMAXPS returns its second operand when one is NaN, and lost it).
TEXT ·absMax16(SB), NOSPLIT, $0-20
	MOVQ          x+0(FP), SI
	MOVQ          n+8(FP), CX
	VPXORD        Z0, Z0, Z0
	VPXORD        Z1, Z1, Z1
	MOVL          $0x7fffffff, AX
	VPBROADCASTD  AX, Z2

amloop:
	VPANDD  (SI), Z2, Z3
	VPANDD  64(SI), Z2, Z4
	VPMAXUD Z3, Z0, Z0
	VPMAXUD Z4, Z1, Z1
	ADDQ    $128, SI
	SUBQ    $32, CX
	JNZ     amloop

	VPMAXUD       Z1, Z0, Z0
	VEXTRACTI64X4 $1, Z0, Y1
	VPMAXUD       Y1, Y0, Y0
	VEXTRACTI128  $1, Y0, X1
	VPMAXUD       X1, X0, X0
	VPSHUFD       $0x4e, X0, X1
	VPMAXUD       X1, X0, X0
	VPSHUFD       $0xb1, X0, X1
	VPMAXUD       X1, X0, X0
	VZEROUPPER
	MOVSS         X0, ret+16(FP)
	RET

// func round16(x *float32, n int, inv float32, q *int16)
// q[i] = round-to-even(x[i]·inv) for n a positive multiple of 32; the
// products must lie within ±32767.
TEXT ·round16(SB), NOSPLIT, $0-32
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSS inv+16(FP), Z2
	MOVQ         q+24(FP), DI

rqloop:
	VMULPS    (SI), Z2, Z3
	VMULPS    64(SI), Z2, Z4
	VCVTPS2DQ Z3, Z3
	VCVTPS2DQ Z4, Z4
	VPMOVSDW  Z3, (DI)
	VPMOVSDW  Z4, 32(DI)
	ADDQ      $128, SI
	ADDQ      $64, DI
	SUBQ      $32, CX
	JNZ       rqloop
	VZEROUPPER
	RET

// func vi8dot4x2(x *int16, ldx int, w *int8, ldw int, k int, out *float32, ahead int)
// vi8dot8x2 for four rows: out[2i+c] for rows i < 4 and columns c < 2.
TEXT ·vi8dot4x2(SB), NOSPLIT, $0-56
	MOVQ ldw+24(FP), BX
	START8x2X($1) // int16 rows

vi42loop:
	PREFETCHT0 (DX)(R12*1)
	PREFETCHT0 (BX)(R12*1)
	VPMOVSXBW  (DX), Z0
	VPMOVSXBW  (BX), Z1
	VROWS4x2(0)
	ADDQ       $64, R8
	ADDQ       $64, R9
	ADDQ       $32, DX
	ADDQ       $32, BX
	SUBQ       $32, CX
	JNZ        vi42loop

	VFOLD16_23
	STORE4x2
	RET

// func vi8dot1x4(x *int16, w *int8, ldw int, k int, out *float32, ahead int)
// out[j] = Σ_c x[c]·w[j·ldw+c] for columns j < 4 (int32 sums converted to
// float32), prefetching the weights `ahead` bytes on; k a multiple of 32.
// One accumulator a column (Z16, Z18, Z20, Z22; REDUCE1x4 adds the zero
// odd ones): four independent chains keep VPDPWSSD busy enough for one
// row streamed from memory.
TEXT ·vi8dot1x4(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), SI
	MOVQ w+8(FP), DX
	MOVQ ldw+16(FP), AX
	START1x4

vi14loop:
	PREFETCHT0 (DX)(R12*1)
	PREFETCHT0 (R9)(R12*1)
	PREFETCHT0 (R10)(R12*1)
	PREFETCHT0 (R11)(R12*1)
	VMOVDQU16  (SI), Z0
	VPMOVSXBW  (DX), Z2
	VPMOVSXBW  (R9), Z3
	VPMOVSXBW  (R10), Z4
	VPMOVSXBW  (R11), Z5
	VPDPWSSD   Z2, Z0, Z16
	VPDPWSSD   Z3, Z0, Z18
	VPDPWSSD   Z4, Z0, Z20
	VPDPWSSD   Z5, Z0, Z22
	ADDQ       $64, SI
	ADDQ       $32, DX
	ADDQ       $32, R9
	ADDQ       $32, R10
	ADDQ       $32, R11
	SUBQ       $32, CX
	JNZ        vi14loop

	VCVTDQ2PS Z16, Z16
	VCVTDQ2PS Z18, Z18
	VCVTDQ2PS Z20, Z20
	VCVTDQ2PS Z22, Z22
	MOVQ      out+32(FP), DI
	REDUCE1x4
	ZERO1x4 // no dirty upper halves past VZEROUPPER
	VZEROUPPER
	RET
