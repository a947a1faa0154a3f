//go:build amd64 && !purego

#include "textflag.h"

// The decode kernels in 512-bit registers (AVX-512F): sixteen weights a
// conversion and sixteen lanes a fused multiply-add, twice the work of an
// instruction of the 256-bit kernels (kernels_amd64.s, int8_amd64.s), whose
// results they lay out alike; k a multiple of 32. One row converts four
// weights per multiply-add, so the wider conversion pays on any AVX-512
// CPU (BenchmarkMatMul: 1.6× at one row). Eight rows convert one weight
// per eight multiply-adds, so zdot8x2 and zi8dot8x2 pay only where 512-bit
// arithmetic runs at full width (from cache, a 2-core Intel Xeon: 112–139
// against 88–101 GFLOP/s; a 2-core Zen 5 EPYC: 289–291 against 147–150);
// Zen 4 keeps dot8x2 (kernels_amd64.go: full512).

#include "reduce_amd64.h"

// ROWS4x2(off) multiplies the next 16 values of each of the first four rows
// of x (at R8, R8+AX, R8+2·AX, R9 = R8+3·AX, off bytes on) by the two
// columns' weights widened in Z0 and Z1, adding row i's products to
// Z(16+2i) and Z(17+2i).
#define ROWS4x2(off) \
	VMOVUPS     off(R8), Z2 \
	VFMADD231PS Z0, Z2, Z16 \
	VFMADD231PS Z1, Z2, Z17 \
	VMOVUPS     off(R8)(AX*1), Z3 \
	VFMADD231PS Z0, Z3, Z18 \
	VFMADD231PS Z1, Z3, Z19 \
	VMOVUPS     off(R8)(AX*2), Z4 \
	VFMADD231PS Z0, Z4, Z20 \
	VFMADD231PS Z1, Z4, Z21 \
	VMOVUPS     off(R9), Z5 \
	VFMADD231PS Z0, Z5, Z22 \
	VFMADD231PS Z1, Z5, Z23

// ROWS8x2(off) is ROWS4x2 for all eight rows of x (the next four at
// R8+4·AX, R9+2·AX, R10 = R8+6·AX, R10+AX), adding rows 4–7 to Z24–Z31.
#define ROWS8x2(off) \
	ROWS4x2(off) \
	VMOVUPS     off(R8)(AX*4), Z6 \
	VFMADD231PS Z0, Z6, Z24 \
	VFMADD231PS Z1, Z6, Z25 \
	VMOVUPS     off(R9)(AX*2), Z7 \
	VFMADD231PS Z0, Z7, Z26 \
	VFMADD231PS Z1, Z7, Z27 \
	VMOVUPS     off(R10), Z8 \
	VFMADD231PS Z0, Z8, Z28 \
	VFMADD231PS Z1, Z8, Z29 \
	VMOVUPS     off(R10)(AX*1), Z9 \
	VFMADD231PS Z0, Z9, Z30 \
	VFMADD231PS Z1, Z9, Z31

// FOLD(z, y) adds the upper 256 bits of accumulator z to its lower half y.
#define FOLD(z, y) \
	VEXTRACTF64X4 $1, z, Y0 \
	VADDPS        Y0, y, y

// NEXT8x2(wbytes, loop) moves past 32 values of each row of x and wbytes bytes
// of each column's weights, and loops while values remain.
#define NEXT8x2(wbytes, loop) \
	ADDQ $128, R8 \
	ADDQ $128, R9 \
	ADDQ $128, R10 \
	ADDQ $wbytes, DX \
	ADDQ $wbytes, BX \
	SUBQ $32, CX \
	JNZ  loop

// FOLD16_23 folds the accumulators of the first four rows (Z16–Z23).
#define FOLD16_23 \
	FOLD(Z16, Y16) \
	FOLD(Z17, Y17) \
	FOLD(Z18, Y18) \
	FOLD(Z19, Y19) \
	FOLD(Z20, Y20) \
	FOLD(Z21, Y21) \
	FOLD(Z22, Y22) \
	FOLD(Z23, Y23)

// END4x2 is END8x2 for the four-row kernels (STORE4x2).
#define END4x2 \
	FOLD16_23 \
	STORE4x2

// END8x2 folds the accumulators to 256 bits and stores the sixteen totals
// at out as dot8x2 does (STORE8x2).
#define END8x2 \
	FOLD16_23 \
	FOLD(Z24, Y24) \
	FOLD(Z25, Y25) \
	FOLD(Z26, Y26) \
	FOLD(Z27, Y27) \
	FOLD(Z28, Y28) \
	FOLD(Z29, Y29) \
	FOLD(Z30, Y30) \
	FOLD(Z31, Y31) \
	STORE8x2

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

// I8DOT1x4_STEP is one step of the int8 1×4 kernels' loop: the next 32
// values of x times 32 int8 weights of each of the four columns (widened
// to float32), added to Z16–Z23; it counts CX down by 32.
#define I8DOT1x4_STEP \
	LOADX1x4 \
	VPMOVSXBD   (DX), Z2 \
	VPMOVSXBD   16(DX), Z3 \
	VCVTDQ2PS   Z2, Z2 \
	VCVTDQ2PS   Z3, Z3 \
	VFMADD231PS Z2, Z0, Z16 \
	VFMADD231PS Z3, Z1, Z17 \
	VPMOVSXBD   (R9), Z4 \
	VPMOVSXBD   16(R9), Z5 \
	VCVTDQ2PS   Z4, Z4 \
	VCVTDQ2PS   Z5, Z5 \
	VFMADD231PS Z4, Z0, Z18 \
	VFMADD231PS Z5, Z1, Z19 \
	VPMOVSXBD   (R10), Z6 \
	VPMOVSXBD   16(R10), Z7 \
	VCVTDQ2PS   Z6, Z6 \
	VCVTDQ2PS   Z7, Z7 \
	VFMADD231PS Z6, Z0, Z20 \
	VFMADD231PS Z7, Z1, Z21 \
	VPMOVSXBD   (R11), Z8 \
	VPMOVSXBD   16(R11), Z9 \
	VCVTDQ2PS   Z8, Z8 \
	VCVTDQ2PS   Z9, Z9 \
	VFMADD231PS Z8, Z0, Z22 \
	VFMADD231PS Z9, Z1, Z23 \
	ADDQ        $128, SI \
	ADDQ        $32, DX \
	ADDQ        $32, R9 \
	ADDQ        $32, R10 \
	ADDQ        $32, R11 \
	SUBQ        $32, CX

// func zi8dot1x4(x *float32, w *int8, ldw int, k int, out *float32, ahead int)
// zdot1x4 with int8 weights (ldw and ahead in values); k a multiple of 32.
TEXT ·zi8dot1x4(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), SI
	MOVQ w+8(FP), DX
	MOVQ ldw+16(FP), AX
	START1x4

zi14loop:
	I8DOT1x4_STEP
	JNZ         zi14loop

	MOVQ out+32(FP), DI
	REDUCE1x4
	VZEROUPPER
	RET

// func zi8dot1x4n(x *float32, w *int8, ldw int, k int, out *float32, ahead int, blocks int)
// zi8dot1x4 over blocks consecutive blocks of four columns in one call:
// out[4b+j] = Σ_c x[c]·w[(4b+j)·ldw+c] for b < blocks, j < 4 (raw sums,
// unscaled); k a multiple of 32. One call a block had cost a Go call, a
// closure and a copy of its sums every four columns (27,648 a token on
// imagegpt-small).
TEXT ·zi8dot1x4n(SB), NOSPLIT, $0-56
	MOVQ x+0(FP), R13
	MOVQ w+8(FP), R8
	MOVQ ldw+16(FP), AX
	MOVQ out+32(FP), DI
	MOVQ blocks+48(FP), BX

zi1nblock:
	MOVQ R13, SI
	MOVQ R8, DX
	START1x4

zi1nloop:
	I8DOT1x4_STEP
	JNZ         zi1nloop

	REDUCE1x4
	ADDQ $16, DI
	LEAQ (R8)(AX*4), R8
	DECQ BX
	JNZ  zi1nblock
	CLEAR16_31 // VZEROUPPER leaves Z16–Z31: a dirty upper half slows later code on Intel
	VZEROUPPER
	RET

// The attention kernels in 512-bit registers, in place of scores8 and
// wsum64 where the CPU has AVX-512 (and, for zscores8n, the head size is a
// multiple of 16).

// func zscores8n(q *float32, k *uint16, ld int, n int, scale float32, out *float32, ahead int, blocks int)
// out[t] = scale · Σ_c q[c]·k[t·ld+c] for rows t < 8·blocks, n values a row
// (a multiple of 16), eight rows a block, first prefetching each block's
// 16n bytes `ahead` bytes on; with ahead 0 nothing is prefetched. The rows
// must lie one after another (ld = n, as the KV cache lays them out): the
// next block starts where the last one's rows end. A block reads
// a short stretch of the cache, which the hardware prefetcher did not
// cover: with the prefetch 32 positions ahead, the score kernel's share of
// a batch-8 f16 profile on a 2-core Zen 5 EPYC fell from 7.9–8.3 to
// 5.8–6.2 CPU-seconds and the batch rose from 420–423 to 449–452 tokens/s
// (old and new alternated three times). Looping over the blocks here, one
// call a head where it was one a block, took batch 8 from 650–664 to
// 657–674 tokens/s (alternated three times).
TEXT ·zscores8n(SB), NOSPLIT, $0-64
	SCORES8_START
	MOVQ         SI, R13           // q
	MOVQ         CX, R14           // n
	MOVQ         out+40(FP), DI
	MOVQ         ahead+48(FP), AX
	MOVQ         blocks+56(FP), R8
	VBROADCASTSS scale+32(FP), Y24

zsnblock:
	ZERO1x4
	TESTQ AX, AX
	JZ    zsnrows0
	MOVQ  R14, CX
	SHLQ  $4, CX                   // the eight rows' 16n bytes, from ahead on
	ADDQ  AX, CX
	MOVQ  AX, BX

zsnfetch:
	PREFETCHT0 (DX)(BX*1)
	ADDQ       $64, BX
	CMPQ       BX, CX
	JB         zsnfetch

zsnrows0:
	MOVQ R14, CX
	MOVQ R13, SI

zsnrows:
	SCORES8_ROWS(Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23)
	ADDQ $64, SI
	ADDQ $32, DX
	SUBQ $16, CX
	JNZ  zsnrows

	ADDQ          R12, DX          // past the block's other seven rows
	VEXTRACTF64X4 $1, Z16, Y0
	VADDPS        Y16, Y0, Y0
	VEXTRACTF64X4 $1, Z17, Y1
	VADDPS        Y17, Y1, Y1
	VEXTRACTF64X4 $1, Z18, Y2
	VADDPS        Y18, Y2, Y2
	VEXTRACTF64X4 $1, Z19, Y3
	VADDPS        Y19, Y3, Y3
	VEXTRACTF64X4 $1, Z20, Y4
	VADDPS        Y20, Y4, Y4
	VEXTRACTF64X4 $1, Z21, Y5
	VADDPS        Y21, Y5, Y5
	VEXTRACTF64X4 $1, Z22, Y6
	VADDPS        Y22, Y6, Y6
	VEXTRACTF64X4 $1, Z23, Y7
	VADDPS        Y23, Y7, Y7
	REDUCE8
	VMULPS        Y24, Y0, Y0
	VMOVUPS       Y0, (DI)
	ADDQ          $32, DI
	DECQ          R8
	JNZ           zsnblock

	VZEROUPPER
	RET

// WROW64(src, p, t0…t3, a0…a3) adds p (a broadcast weight) times the 64
// halves at src, widened in t0–t3, to the accumulators a0–a3.
#define WROW64(src, p, t0, t1, t2, t3, a0, a1, a2, a3) \
	VCVTPH2PS   0(src), t0 \
	VFMADD231PS t0, p, a0 \
	VCVTPH2PS   32(src), t1 \
	VFMADD231PS t1, p, a1 \
	VCVTPH2PS   64(src), t2 \
	VFMADD231PS t2, p, a2 \
	VCVTPH2PS   96(src), t3 \
	VFMADD231PS t3, p, a3

// func zwsum64(p *float32, v *uint16, t int, ld int, out *float32)
// out[c] += Σ_i p[i]·v[i·ld+c] for columns c < 64 and rows i < t, two
// rows at a time into separate accumulators (Z16–Z19, Z20–Z23) so that
// eight multiply-adds are in flight.
TEXT ·zwsum64(SB), NOSPLIT, $0-40
	MOVQ    p+0(FP), SI
	MOVQ    v+8(FP), DX
	MOVQ    t+16(FP), CX
	MOVQ    ld+24(FP), R9
	SHLQ    $1, R9             // one row in bytes
	LEAQ    (DX)(R9*1), R10    // the second row of a pair
	LEAQ    (R9)(R9*1), R11    // two rows
	MOVQ    CX, BX
	ANDQ    $1, BX             // an odd row left after the pairs
	SHRQ    $1, CX             // pairs
	MOVQ    out+32(FP), DI
	VMOVUPS 0(DI), Z16
	VMOVUPS 64(DI), Z17
	VMOVUPS 128(DI), Z18
	VMOVUPS 192(DI), Z19
	VPXORD  Z20, Z20, Z20
	VPXORD  Z21, Z21, Z21
	VPXORD  Z22, Z22, Z22
	VPXORD  Z23, Z23, Z23
	TESTQ   CX, CX
	JZ      zw64tail

zw64loop:
	VBROADCASTSS (SI), Z8
	VBROADCASTSS 4(SI), Z9
	WROW64(DX, Z8, Z0, Z1, Z2, Z3, Z16, Z17, Z18, Z19)
	WROW64(R10, Z9, Z4, Z5, Z6, Z7, Z20, Z21, Z22, Z23)
	ADDQ         $8, SI
	ADDQ         R11, DX
	ADDQ         R11, R10
	DECQ         CX
	JNZ          zw64loop

zw64tail:
	TESTQ        BX, BX
	JZ           zw64done
	VBROADCASTSS (SI), Z8
	WROW64(DX, Z8, Z0, Z1, Z2, Z3, Z16, Z17, Z18, Z19)

zw64done:
	VADDPS  Z20, Z16, Z16
	VADDPS  Z21, Z17, Z17
	VADDPS  Z22, Z18, Z18
	VADDPS  Z23, Z19, Z19
	VMOVUPS Z16, 0(DI)
	VMOVUPS Z17, 64(DI)
	VMOVUPS Z18, 128(DI)
	VMOVUPS Z19, 192(DI)
	VZEROUPPER
	RET

// func zdot8x2(x *float32, ldx int, w *uint16, ldw int, k int, out *float32, ahead int)
// dot8x2 in 512-bit registers: out[2i+j] = Σ_c x[i·ldx+c]·w[j·ldw+c] for
// rows i < 8, columns j < 2, sixteen lanes a multiply-add (accumulators
// Z16–Z31), prefetching `ahead` bytes further on; k a multiple of 32.
// Where 512-bit arithmetic runs at full width (full512: Intel's AVX-512
// cores, AMD's from Zen 5) it does twice the work of an instruction of
// dot8x2.
TEXT ·zdot8x2(SB), NOSPLIT, $0-56
	MOVQ ldw+24(FP), BX
	SHLQ $1, BX
	START8x2

zd82loop:
	PREFETCHT0  (DX)(R12*1)
	PREFETCHT0  (BX)(R12*1)
	VCVTPH2PS   (DX), Z0
	VCVTPH2PS   (BX), Z1
	ROWS8x2(0)
	VCVTPH2PS   32(DX), Z0
	VCVTPH2PS   32(BX), Z1
	ROWS8x2(64)
	NEXT8x2(64, zd82loop)

	END8x2
	RET

// WIDEN8x2(off) widens the two columns' next sixteen int8 weights, off
// bytes on at DX and BX, to float32 in Z0 and Z1.
#define WIDEN8x2(off) \
	VPMOVSXBD off(DX), Z0 \
	VPMOVSXBD off(BX), Z1 \
	VCVTDQ2PS Z0, Z0 \
	VCVTDQ2PS Z1, Z1

// func zi8dot4x2(x *float32, ldx int, w *int8, ldw int, k int, out *float32, ahead int)
// i8dot4x2 in 512-bit registers: out[2i+j] for rows i < 4 and columns
// j < 2 (ldw and ahead in values); k a multiple of 32. Four rows of an int8
// product (a batch of four, or the rows past the eights) had the 256-bit
// kernel, at the speed of eight rows on this one.
TEXT ·zi8dot4x2(SB), NOSPLIT, $0-56
	MOVQ ldw+24(FP), BX
	START8x2 // R10, six rows on, is moved along but never read

zi42loop:
	PREFETCHT0 (DX)(R12*1)
	PREFETCHT0 (BX)(R12*1)
	WIDEN8x2(0)
	ROWS4x2(0)
	WIDEN8x2(16)
	ROWS4x2(64)
	NEXT8x2(32, zi42loop)

	END4x2
	RET

// func zi8dot8x2(x *float32, ldx int, w *int8, ldw int, k int, out *float32, ahead int)
// zdot8x2 with int8 weights (ldw and ahead in values); k a multiple of 32.
TEXT ·zi8dot8x2(SB), NOSPLIT, $0-56
	MOVQ ldw+24(FP), BX
	START8x2

zi82loop:
	PREFETCHT0  (DX)(R12*1)
	PREFETCHT0  (BX)(R12*1)
	WIDEN8x2(0)
	ROWS8x2(0)
	WIDEN8x2(16)
	ROWS8x2(64)
	NEXT8x2(32, zi82loop)

	END8x2
	RET
