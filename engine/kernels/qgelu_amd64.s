//go:build amd64 && !purego

#include "textflag.h"
#include "../internal/vexp/exp_amd64.h"

// func qgeluAVX(x *float32, n int)
// x = x·sigmoid(1.702x) = x / (1 + exp(−1.702x)), n a positive multiple of 8.
TEXT ·qgeluAVX(SB), NOSPLIT, $0-16
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX

qgloop:
	VMOVUPS (SI), Y5
	VMULPS  cm1702<>(SB), Y5, Y0
	EXP(Y0, Y1, Y2, Y3)
	VADDPS  cone<>(SB), Y0, Y0
	VDIVPS  Y0, Y5, Y5
	VMOVUPS Y5, (SI)
	ADDQ    $32, SI
	SUBQ    $8, CX
	JNZ     qgloop

	VZEROUPPER
	RET
