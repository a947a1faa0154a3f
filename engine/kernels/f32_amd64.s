//go:build amd64 && !purego

#include "textflag.h"
#include "../internal/vexp/exp_amd64.h"

DATA c1702<>+0(SB)/4, $0x3fd9db23
DATA c1702<>+4(SB)/4, $0x3fd9db23
DATA c1702<>+8(SB)/4, $0x3fd9db23
DATA c1702<>+12(SB)/4, $0x3fd9db23
DATA c1702<>+16(SB)/4, $0x3fd9db23
DATA c1702<>+20(SB)/4, $0x3fd9db23
DATA c1702<>+24(SB)/4, $0x3fd9db23
DATA c1702<>+28(SB)/4, $0x3fd9db23
GLOBL c1702<>(SB), RODATA|NOPTR, $32

// EXP(X, T1, T2, T3) sets X = exp(X) on 8 lanes (Cephes expf: Cody-Waite
// reduction and a degree-6 polynomial, about 1 ulp); inputs are clamped to

// func maxAVX(x *float32, n int) float32
TEXT ·maxAVX(SB), NOSPLIT, $0-20
	MOVQ    x+0(FP), SI
	MOVQ    n+8(FP), CX
	VMOVUPS (SI), Y0
	ADDQ    $32, SI
	SUBQ    $8, CX

maxloop:
	CMPQ   CX, $0
	JLE    maxdone
	VMAXPS (SI), Y0, Y0
	ADDQ   $32, SI
	SUBQ   $8, CX
	JMP    maxloop

maxdone:
	VEXTRACTF128 $1, Y0, X1
	VMAXPS       X1, X0, X0
	VMOVHLPS     X0, X0, X1
	VMAXPS       X1, X0, X0
	VMOVSHDUP    X0, X1
	VMAXSS       X1, X0, X0
	VZEROUPPER
	MOVSS        X0, ret+16(FP)
	RET

// func expSubSumAVX(x *float32, n int, m float32) float32
TEXT ·expSubSumAVX(SB), NOSPLIT, $0-28
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSS m+16(FP), Y7
	VXORPS       Y6, Y6, Y6

esloop:
	CMPQ    CX, $0
	JLE     esdone
	VMOVUPS (SI), Y0
	VSUBPS  Y7, Y0, Y0
	EXP(Y0, Y1, Y2, Y3)
	VMOVUPS Y0, (SI)
	VADDPS  Y0, Y6, Y6
	ADDQ    $32, SI
	SUBQ    $8, CX
	JMP     esloop

esdone:
	HSUM(Y6, X6, X1)
	VZEROUPPER
	MOVSS X6, ret+24(FP)
	RET

// func scaleAVX(x *float32, n int, s float32)
TEXT ·scaleAVX(SB), NOSPLIT, $0-20
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSS s+16(FP), Y7

scloop:
	CMPQ    CX, $0
	JLE     scdone
	VMULPS  (SI), Y7, Y0
	VMOVUPS Y0, (SI)
	ADDQ    $32, SI
	SUBQ    $8, CX
	JMP     scloop

scdone:
	VZEROUPPER
	RET

// func qgeluFwdAVX(out, x, b *float32, n int)
// x += b; out = x·sigmoid(1.702x)
TEXT ·qgeluFwdAVX(SB), NOSPLIT, $0-32
	MOVQ out+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX

qfloop:
	CMPQ    CX, $0
	JLE     qfdone
	VMOVUPS (SI), Y4
	VADDPS  (DX), Y4, Y4
	VMOVUPS Y4, (SI)
	VMULPS  cm1702<>(SB), Y4, Y0
	EXP(Y0, Y1, Y2, Y3)
	VADDPS  cone<>(SB), Y0, Y0
	VDIVPS  Y0, Y4, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	SUBQ    $8, CX
	JMP     qfloop

qfdone:
	VZEROUPPER
	RET

// func qgeluBwdAVX(d, grad, x *float32, n int)
// d = g·(s + 1.702·x·s·(1−s)), s = sigmoid(1.702x); d may alias g.
TEXT ·qgeluBwdAVX(SB), NOSPLIT, $0-32
	MOVQ d+0(FP), DI
	MOVQ grad+8(FP), R9
	MOVQ x+16(FP), SI
	MOVQ n+24(FP), CX

qbloop:
	CMPQ        CX, $0
	JLE         qbdone
	VMOVUPS     (SI), Y4
	VMULPS      cm1702<>(SB), Y4, Y0
	EXP(Y0, Y1, Y2, Y3)
	VADDPS      cone<>(SB), Y0, Y0
	VMOVUPS     cone<>(SB), Y5
	VDIVPS      Y0, Y5, Y5
	VMOVUPS     cone<>(SB), Y6
	VSUBPS      Y5, Y6, Y6
	VMULPS      Y5, Y6, Y6
	VMULPS      Y4, Y6, Y6
	VFMADD231PS c1702<>(SB), Y6, Y5
	VMULPS      (R9), Y5, Y5
	VMOVUPS     Y5, (DI)
	ADDQ        $32, DI
	ADDQ        $32, R9
	ADDQ        $32, SI
	SUBQ        $8, CX
	JMP         qbloop

qbdone:
	VZEROUPPER
	RET

// func addAVX(dst, src *float32, n int)
TEXT ·addAVX(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX

adloop:
	CMPQ    CX, $16
	JLT     adone
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VADDPS  (SI), Y0, Y0
	VADDPS  32(SI), Y1, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	SUBQ    $16, CX
	JMP     adloop

adone:
	CMPQ    CX, $0
	JLE     addone
	VMOVUPS (DI), Y0
	VADDPS  (SI), Y0, Y0
	VMOVUPS Y0, (DI)

addone:
	VZEROUPPER
	RET

// func sumSqAVX(x *float32, n int) float32
// Four independent accumulators over blocks of 32 (one would wait on each
// multiply-add's latency and read at most 8 bytes a cycle: too slow to
// measure memory bandwidth, which SumSq also does for tessera bench), then
// blocks of 8 into the first.
TEXT ·sumSqAVX(SB), NOSPLIT, $0-20
	MOVQ   x+0(FP), SI
	MOVQ   n+8(FP), CX
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9

ss32:
	CMPQ        CX, $32
	JLT         ssloop
	VMOVUPS     (SI), Y0
	VMOVUPS     32(SI), Y1
	VMOVUPS     64(SI), Y2
	VMOVUPS     96(SI), Y3
	VFMADD231PS Y0, Y0, Y6
	VFMADD231PS Y1, Y1, Y7
	VFMADD231PS Y2, Y2, Y8
	VFMADD231PS Y3, Y3, Y9
	ADDQ        $128, SI
	SUBQ        $32, CX
	JMP         ss32

ssloop:
	CMPQ        CX, $0
	JLE         ssdone
	VMOVUPS     (SI), Y0
	VFMADD231PS Y0, Y0, Y6
	ADDQ        $32, SI
	SUBQ        $8, CX
	JMP         ssloop

ssdone:
	VADDPS Y7, Y6, Y6
	VADDPS Y9, Y8, Y8
	VADDPS Y8, Y6, Y6
	HSUM(Y6, X6, X1)
	VZEROUPPER
	MOVSS X6, ret+16(FP)
	RET

// func mulScaleAVX(out, x, w *float32, n int, s float32)
// out = x·s·w
TEXT ·mulScaleAVX(SB), NOSPLIT, $0-36
	MOVQ         out+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         w+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS s+32(FP), Y7

msloop:
	CMPQ    CX, $0
	JLE     msdone
	VMULPS  (SI), Y7, Y0
	VMULPS  (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	SUBQ    $8, CX
	JMP     msloop

msdone:
	VZEROUPPER
	RET

// func dot3AVX(a, b, c *float32, n int) float32
// Σ a·b·c
TEXT ·dot3AVX(SB), NOSPLIT, $0-36
	MOVQ   a+0(FP), SI
	MOVQ   b+8(FP), DX
	MOVQ   c+16(FP), R8
	MOVQ   n+24(FP), CX
	VXORPS Y6, Y6, Y6

d3loop:
	CMPQ        CX, $0
	JLE         d3done
	VMOVUPS     (SI), Y0
	VMULPS      (DX), Y0, Y0
	VMOVUPS     (R8), Y1
	VFMADD231PS Y1, Y0, Y6
	ADDQ        $32, SI
	ADDQ        $32, DX
	ADDQ        $32, R8
	SUBQ        $8, CX
	JMP         d3loop

d3done:
	HSUM(Y6, X6, X1)
	VZEROUPPER
	MOVSS X6, ret+32(FP)
	RET

// func rmsBwdAVX(d, pw, grad, w, x *float32, n int, rs, c float32)
// d += g·w·rs − c·x; pw += g·x·rs
TEXT ·rmsBwdAVX(SB), NOSPLIT, $0-56
	MOVQ         d+0(FP), DI
	MOVQ         pw+8(FP), R10
	MOVQ         grad+16(FP), R9
	MOVQ         w+24(FP), DX
	MOVQ         x+32(FP), SI
	MOVQ         n+40(FP), CX
	VBROADCASTSS rs+48(FP), Y6
	VBROADCASTSS c+52(FP), Y7

rbloop:
	CMPQ         CX, $0
	JLE          rbdone
	VMOVUPS      (R9), Y0
	VMOVUPS      (SI), Y1
	VMULPS       (DX), Y0, Y2
	VMULPS       Y6, Y2, Y2
	VFNMADD231PS Y7, Y1, Y2
	VADDPS       (DI), Y2, Y2
	VMOVUPS      Y2, (DI)
	VMULPS       Y1, Y0, Y3
	VMOVUPS      (R10), Y4
	VFMADD231PS  Y6, Y3, Y4
	VMOVUPS      Y4, (R10)
	ADDQ         $32, DI
	ADDQ         $32, R10
	ADDQ         $32, R9
	ADDQ         $32, DX
	ADDQ         $32, SI
	SUBQ         $8, CX
	JMP          rbloop

rbdone:
	VZEROUPPER
	RET

// func dotAVX(a, b *float32, n int) float32
TEXT ·dotAVX(SB), NOSPLIT, $0-28
	MOVQ   a+0(FP), SI
	MOVQ   b+8(FP), DX
	MOVQ   n+16(FP), CX
	VXORPS Y6, Y6, Y6

dtloop:
	CMPQ        CX, $0
	JLE         dtdone
	VMOVUPS     (SI), Y0
	VFMADD231PS (DX), Y0, Y6
	ADDQ        $32, SI
	ADDQ        $32, DX
	SUBQ        $8, CX
	JMP         dtloop

dtdone:
	HSUM(Y6, X6, X1)
	VZEROUPPER
	MOVSS X6, ret+24(FP)
	RET

// func smBwdAVX(d, p *float32, n int, dot, scale float32)
// d = p·(d − dot)·scale
TEXT ·smBwdAVX(SB), NOSPLIT, $0-32
	MOVQ         d+0(FP), DI
	MOVQ         p+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS dot+24(FP), Y6
	VBROADCASTSS scale+28(FP), Y7

sbloop:
	CMPQ    CX, $0
	JLE     sbdone
	VMOVUPS (DI), Y0
	VSUBPS  Y6, Y0, Y0
	VMULPS  (SI), Y0, Y0
	VMULPS  Y7, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	SUBQ    $8, CX
	JMP     sbloop

sbdone:
	VZEROUPPER
	RET

// func add3AVX(out, a, b, bias *float32, n int)
// out = a + (b + bias)
TEXT ·add3AVX(SB), NOSPLIT, $0-40
	MOVQ out+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ bias+24(FP), R8
	MOVQ n+32(FP), CX

a3loop:
	CMPQ    CX, $0
	JLE     a3done
	VMOVUPS (DX), Y0
	VADDPS  (R8), Y0, Y0
	VADDPS  (SI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, R8
	SUBQ    $8, CX
	JMP     a3loop

a3done:
	VZEROUPPER
	RET

// func add3MaskAVX(out, a, b, bias *float32, mask *uint8, n int, s float32)
// out = a + (b + bias)·(mask·s)
TEXT ·add3MaskAVX(SB), NOSPLIT, $0-52
	MOVQ         out+0(FP), DI
	MOVQ         a+8(FP), SI
	MOVQ         b+16(FP), DX
	MOVQ         bias+24(FP), R8
	MOVQ         mask+32(FP), R10
	MOVQ         n+40(FP), CX
	VBROADCASTSS s+48(FP), Y7

amloop:
	CMPQ      CX, $0
	JLE       amdone
	VMOVUPS   (DX), Y0
	VADDPS    (R8), Y0, Y0
	VPMOVZXBD (R10), Y1
	VCVTDQ2PS Y1, Y1
	VMULPS    Y7, Y1, Y1
	VMULPS    Y1, Y0, Y0
	VADDPS    (SI), Y0, Y0
	VMOVUPS   Y0, (DI)
	ADDQ      $32, DI
	ADDQ      $32, SI
	ADDQ      $32, DX
	ADDQ      $32, R8
	ADDQ      $8, R10
	SUBQ      $8, CX
	JMP       amloop

amdone:
	VZEROUPPER
	RET

// func mulMaskAVX(d, grad *float32, mask *uint8, n int, s float32)
// d = g·(mask·s); d may alias g
TEXT ·mulMaskAVX(SB), NOSPLIT, $0-36
	MOVQ         d+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         mask+16(FP), R10
	MOVQ         n+24(FP), CX
	VBROADCASTSS s+32(FP), Y7

mmloop:
	CMPQ      CX, $0
	JLE       mmdone
	VPMOVZXBD (R10), Y1
	VCVTDQ2PS Y1, Y1
	VMULPS    Y7, Y1, Y1
	VMULPS    (SI), Y1, Y0
	VMOVUPS   Y0, (DI)
	ADDQ      $32, DI
	ADDQ      $32, SI
	ADDQ      $8, R10
	SUBQ      $8, CX
	JMP       mmloop

mmdone:
	VZEROUPPER
	RET

// func adamwAVX(w, grad, m, v *float32, n int, k *adamConsts)
TEXT ·adamwAVX(SB), NOSPLIT, $0-48
	MOVQ         w+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         m+16(FP), DX
	MOVQ         v+24(FP), R8
	MOVQ         n+32(FP), CX
	MOVQ         k+40(FP), AX
	VBROADCASTSS 0(AX), Y8   // b1
	VBROADCASTSS 4(AX), Y9   // 1-b1
	VBROADCASTSS 8(AX), Y10  // b2
	VBROADCASTSS 12(AX), Y11 // 1-b2
	VBROADCASTSS 16(AX), Y12 // c1
	VBROADCASTSS 20(AX), Y13 // c2
	VBROADCASTSS 24(AX), Y14 // lr
	VBROADCASTSS 28(AX), Y15 // eps
	VBROADCASTSS 32(AX), Y6  // decay factor
	VBROADCASTSS 36(AX), Y7  // gradient scale

awloop:
	CMPQ        CX, $0
	JLE         awdone
	VMULPS      (SI), Y7, Y0
	VMULPS      (DX), Y8, Y1
	VFMADD231PS Y9, Y0, Y1
	VMOVUPS     Y1, (DX)
	VMULPS      (R8), Y10, Y2
	VMULPS      Y0, Y0, Y3
	VFMADD231PS Y11, Y3, Y2
	VMOVUPS     Y2, (R8)
	VMULPS      Y13, Y2, Y3
	VSQRTPS     Y3, Y3
	VADDPS      Y15, Y3, Y3
	VMULPS      Y12, Y1, Y4
	VMULPS      Y14, Y4, Y4
	VDIVPS      Y3, Y4, Y4
	VMULPS      (DI), Y6, Y5
	VSUBPS      Y4, Y5, Y5
	VMOVUPS     Y5, (DI)
	ADDQ        $32, DI
	ADDQ        $32, SI
	ADDQ        $32, DX
	ADDQ        $32, R8
	SUBQ        $8, CX
	JMP         awloop

awdone:
	VZEROUPPER
	RET
