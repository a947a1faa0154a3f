//go:build amd64 && !purego

#include "textflag.h"
#include "reduce_amd64.h"

// Products with tiled half weights (tiled.go: TileHalf), in 512-bit
// registers (AVX-512F). A tile holds 16 outputs' weights input by input,
// so one conversion widens the weights of sixteen outputs at one input,
// a broadcast of that input's value feeds sixteen lanes, and each
// accumulator ends holding sixteen finished outputs: no sums across lanes
// and no per-call reduction, and each tile is one long stream for the
// prefetchers. A tile of k inputs is 32k bytes.

// STORE16_31 writes the accumulators Z16–Z31, in order, as 256 floats at DI.
#define STORE16_31 \
	VMOVUPS Z16, 0(DI) \
	VMOVUPS Z17, 64(DI) \
	VMOVUPS Z18, 128(DI) \
	VMOVUPS Z19, 192(DI) \
	VMOVUPS Z20, 256(DI) \
	VMOVUPS Z21, 320(DI) \
	VMOVUPS Z22, 384(DI) \
	VMOVUPS Z23, 448(DI) \
	VMOVUPS Z24, 512(DI) \
	VMOVUPS Z25, 576(DI) \
	VMOVUPS Z26, 640(DI) \
	VMOVUPS Z27, 704(DI) \
	VMOVUPS Z28, 768(DI) \
	VMOVUPS Z29, 832(DI) \
	VMOVUPS Z30, 896(DI) \
	VMOVUPS Z31, 960(DI)

// T8ROW(xaddr, b, a0, a1) broadcasts one row's input and multiplies it by
// the two tiles' weights in Z0 and Z1, adding into a0 and a1.
#define T8ROW(xaddr, b, a0, a1) \
	VBROADCASTSS xaddr, b \
	VFMADD231PS  Z0, b, a0 \
	VFMADD231PS  Z1, b, a1

// T8STEP(xo, wo) does one input (xo bytes into each row of x, wo into
// each tile) for the eight rows at R8, R8+AX, R8+2·AX, R9 = R8+3·AX,
// R8+4·AX, R9+2·AX, R10 = R8+6·AX, R10+AX.
#define T8STEP(xo, wo) \
	VCVTPH2PS wo(DX), Z0 \
	VCVTPH2PS wo(BX), Z1 \
	T8ROW(xo(R8), Z2, Z16, Z17) \
	T8ROW(xo(R8)(AX*1), Z3, Z18, Z19) \
	T8ROW(xo(R8)(AX*2), Z4, Z20, Z21) \
	T8ROW(xo(R9), Z5, Z22, Z23) \
	T8ROW(xo(R8)(AX*4), Z6, Z24, Z25) \
	T8ROW(xo(R9)(AX*2), Z7, Z26, Z27) \
	T8ROW(xo(R10), Z8, Z28, Z29) \
	T8ROW(xo(R10)(AX*1), Z9, Z30, Z31)

// func tile8x32(x *float32, ldx int, w *uint16, k int, out *float32, ahead int)
// out[32i+j] = Σ_c x[i·ldx+c]·W[j][c] for rows i < 8 and the 32 outputs j
// of the two tiles at w (the second 32k bytes on), prefetching each
// tile `ahead` bytes further on; k a multiple of 4.
TEXT ·tile8x32(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), R8
	MOVQ ldx+8(FP), AX
	SHLQ $2, AX
	LEAQ (R8)(AX*2), R9
	ADDQ AX, R9
	LEAQ (R9)(AX*2), R10
	ADDQ AX, R10
	MOVQ w+16(FP), DX
	MOVQ k+24(FP), CX
	MOVQ CX, BX
	SHLQ $5, BX
	ADDQ DX, BX
	MOVQ ahead+40(FP), R12
	CLEAR16_31

t8loop:
	PREFETCHT0 (DX)(R12*1)
	PREFETCHT0 (BX)(R12*1)
	T8STEP(0, 0)
	T8STEP(4, 32)
	PREFETCHT0 64(DX)(R12*1)
	PREFETCHT0 64(BX)(R12*1)
	T8STEP(8, 64)
	T8STEP(12, 96)
	ADDQ $16, R8
	ADDQ $16, R9
	ADDQ $16, R10
	ADDQ $128, DX
	ADDQ $128, BX
	SUBQ $4, CX
	JNZ  t8loop

	MOVQ    out+32(FP), DI
	STORE16_31
	CLEAR16_31 // VZEROUPPER leaves Z16–Z31: a dirty upper half slows later code on Intel
	VZEROUPPER
	RET

// T4ROW(xaddr, b, a0, a1, a2, a3) broadcasts one row's input and
// multiplies it by the four tiles' weights in Z0–Z3, adding into a0–a3.
#define T4ROW(xaddr, b, a0, a1, a2, a3) \
	VBROADCASTSS xaddr, b \
	VFMADD231PS  Z0, b, a0 \
	VFMADD231PS  Z1, b, a1 \
	VFMADD231PS  Z2, b, a2 \
	VFMADD231PS  Z3, b, a3

// T4STEP(xo, wo) does one input (xo bytes into each row of x, wo into each
// tile) for the four rows at R8, R8+AX, R8+2·AX and R11 = R8+3·AX and the
// four tiles at DX, BX, R9, R10.
#define T4STEP(xo, wo) \
	VCVTPH2PS wo(DX), Z0 \
	VCVTPH2PS wo(BX), Z1 \
	VCVTPH2PS wo(R9), Z2 \
	VCVTPH2PS wo(R10), Z3 \
	T4ROW(xo(R8), Z4, Z16, Z17, Z18, Z19) \
	T4ROW(xo(R8)(AX*1), Z5, Z20, Z21, Z22, Z23) \
	T4ROW(xo(R8)(AX*2), Z6, Z24, Z25, Z26, Z27) \
	T4ROW(xo(R11), Z7, Z28, Z29, Z30, Z31)

// func tile4x64(x *float32, ldx int, w *uint16, k int, out *float32, ahead int)
// out[64i+j] = Σ_c x[i·ldx+c]·W[j][c] for rows i < 4 and the 64 outputs j
// of the four tiles at w (32k bytes apart), prefetching each tile `ahead`
// bytes further on; k a multiple of 2. A decode step split into groups of
// four sequences a worker (Model.forwardGroups) runs its products here: one
// conversion of the weights serves four rows.
TEXT ·tile4x64(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), R8
	MOVQ ldx+8(FP), AX
	SHLQ $2, AX
	LEAQ (R8)(AX*2), R11
	ADDQ AX, R11
	MOVQ w+16(FP), DX
	MOVQ k+24(FP), CX
	MOVQ CX, SI
	SHLQ $5, SI                // a tile's bytes
	LEAQ (DX)(SI*1), BX
	LEAQ (BX)(SI*1), R9
	LEAQ (R9)(SI*1), R10
	MOVQ ahead+40(FP), R12
	CLEAR16_31

t4loop:
	PREFETCHT0 (DX)(R12*1)
	PREFETCHT0 (BX)(R12*1)
	PREFETCHT0 (R9)(R12*1)
	PREFETCHT0 (R10)(R12*1)
	T4STEP(0, 0)
	T4STEP(4, 32)
	ADDQ $8, R8
	ADDQ $8, R11
	ADDQ $64, DX
	ADDQ $64, BX
	ADDQ $64, R9
	ADDQ $64, R10
	SUBQ $2, CX
	JNZ  t4loop

	MOVQ    out+32(FP), DI
	STORE16_31
	CLEAR16_31
	VZEROUPPER
	RET

// T1STEP(xo, wo, a0, a1, a2, a3) does one input for one row: its value
// at xo(SI) broadcast, times the four tiles' weights at wo.
#define T1STEP(xo, wo, a0, a1, a2, a3) \
	VBROADCASTSS xo(SI), Z4 \
	VCVTPH2PS    wo(DX), Z0 \
	VCVTPH2PS    wo(BX), Z1 \
	VCVTPH2PS    wo(R9), Z2 \
	VCVTPH2PS    wo(R10), Z3 \
	VFMADD231PS  Z0, Z4, a0 \
	VFMADD231PS  Z1, Z4, a1 \
	VFMADD231PS  Z2, Z4, a2 \
	VFMADD231PS  Z3, Z4, a3

// func tile1x64(x *float32, w *uint16, k int, out *float32, ahead int)
// out[j] = Σ_c x[c]·W[j][c] for the 64 outputs j of the four tiles at w
// (32k bytes apart), two accumulators a tile (even and odd inputs) so the
// multiply-adds do not wait on each other, prefetching each tile `ahead`
// bytes further on; k a multiple of 2.
TEXT ·tile1x64(SB), NOSPLIT, $0-40
	MOVQ   x+0(FP), SI
	MOVQ   w+8(FP), DX
	MOVQ   k+16(FP), CX
	MOVQ   CX, AX
	SHLQ   $5, AX
	LEAQ   (DX)(AX*1), BX
	LEAQ   (BX)(AX*1), R9
	LEAQ   (R9)(AX*1), R10
	MOVQ   ahead+32(FP), R12
	ZERO1x4

t1loop:
	PREFETCHT0 (DX)(R12*1)
	PREFETCHT0 (BX)(R12*1)
	PREFETCHT0 (R9)(R12*1)
	PREFETCHT0 (R10)(R12*1)
	T1STEP(0, 0, Z16, Z17, Z18, Z19)
	T1STEP(4, 32, Z20, Z21, Z22, Z23)
	ADDQ $8, SI
	ADDQ $64, DX
	ADDQ $64, BX
	ADDQ $64, R9
	ADDQ $64, R10
	SUBQ $2, CX
	JNZ  t1loop

	VADDPS  Z20, Z16, Z16
	VADDPS  Z21, Z17, Z17
	VADDPS  Z22, Z18, Z18
	VADDPS  Z23, Z19, Z19
	MOVQ    out+24(FP), DI
	VMOVUPS Z16, 0(DI)
	VMOVUPS Z17, 64(DI)
	VMOVUPS Z18, 128(DI)
	VMOVUPS Z19, 192(DI)
	ZERO1x4
	VZEROUPPER
	RET
