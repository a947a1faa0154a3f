// Shared AVX2 exp for the engine's assembly kernels: include it from a
// package's .s file (after textflag.h). Each including file gets its own
// copy of the constants. The go command does not track this file as a
// dependency of the packages that include it: after changing it, run
// `go clean -cache`.

// −1.702, the quick_gelu slope, negated
DATA cm1702<>+0(SB)/4, $0xbfd9db23
DATA cm1702<>+4(SB)/4, $0xbfd9db23
DATA cm1702<>+8(SB)/4, $0xbfd9db23
DATA cm1702<>+12(SB)/4, $0xbfd9db23
DATA cm1702<>+16(SB)/4, $0xbfd9db23
DATA cm1702<>+20(SB)/4, $0xbfd9db23
DATA cm1702<>+24(SB)/4, $0xbfd9db23
DATA cm1702<>+28(SB)/4, $0xbfd9db23
GLOBL cm1702<>(SB), RODATA|NOPTR, $32

DATA c88<>+0(SB)/4, $0x42b00000
DATA c88<>+4(SB)/4, $0x42b00000
DATA c88<>+8(SB)/4, $0x42b00000
DATA c88<>+12(SB)/4, $0x42b00000
DATA c88<>+16(SB)/4, $0x42b00000
DATA c88<>+20(SB)/4, $0x42b00000
DATA c88<>+24(SB)/4, $0x42b00000
DATA c88<>+28(SB)/4, $0x42b00000
GLOBL c88<>(SB), RODATA|NOPTR, $32

DATA cm87<>+0(SB)/4, $0xc2aeac4f
DATA cm87<>+4(SB)/4, $0xc2aeac4f
DATA cm87<>+8(SB)/4, $0xc2aeac4f
DATA cm87<>+12(SB)/4, $0xc2aeac4f
DATA cm87<>+16(SB)/4, $0xc2aeac4f
DATA cm87<>+20(SB)/4, $0xc2aeac4f
DATA cm87<>+24(SB)/4, $0xc2aeac4f
DATA cm87<>+28(SB)/4, $0xc2aeac4f
GLOBL cm87<>(SB), RODATA|NOPTR, $32

DATA clog2e<>+0(SB)/4, $0x3fb8aa3b
DATA clog2e<>+4(SB)/4, $0x3fb8aa3b
DATA clog2e<>+8(SB)/4, $0x3fb8aa3b
DATA clog2e<>+12(SB)/4, $0x3fb8aa3b
DATA clog2e<>+16(SB)/4, $0x3fb8aa3b
DATA clog2e<>+20(SB)/4, $0x3fb8aa3b
DATA clog2e<>+24(SB)/4, $0x3fb8aa3b
DATA clog2e<>+28(SB)/4, $0x3fb8aa3b
GLOBL clog2e<>(SB), RODATA|NOPTR, $32

DATA cC1<>+0(SB)/4, $0x3f318000
DATA cC1<>+4(SB)/4, $0x3f318000
DATA cC1<>+8(SB)/4, $0x3f318000
DATA cC1<>+12(SB)/4, $0x3f318000
DATA cC1<>+16(SB)/4, $0x3f318000
DATA cC1<>+20(SB)/4, $0x3f318000
DATA cC1<>+24(SB)/4, $0x3f318000
DATA cC1<>+28(SB)/4, $0x3f318000
GLOBL cC1<>(SB), RODATA|NOPTR, $32

DATA cC2<>+0(SB)/4, $0xb95e8083
DATA cC2<>+4(SB)/4, $0xb95e8083
DATA cC2<>+8(SB)/4, $0xb95e8083
DATA cC2<>+12(SB)/4, $0xb95e8083
DATA cC2<>+16(SB)/4, $0xb95e8083
DATA cC2<>+20(SB)/4, $0xb95e8083
DATA cC2<>+24(SB)/4, $0xb95e8083
DATA cC2<>+28(SB)/4, $0xb95e8083
GLOBL cC2<>(SB), RODATA|NOPTR, $32

DATA cP0<>+0(SB)/4, $0x39506967
DATA cP0<>+4(SB)/4, $0x39506967
DATA cP0<>+8(SB)/4, $0x39506967
DATA cP0<>+12(SB)/4, $0x39506967
DATA cP0<>+16(SB)/4, $0x39506967
DATA cP0<>+20(SB)/4, $0x39506967
DATA cP0<>+24(SB)/4, $0x39506967
DATA cP0<>+28(SB)/4, $0x39506967
GLOBL cP0<>(SB), RODATA|NOPTR, $32

DATA cP1<>+0(SB)/4, $0x3ab743ce
DATA cP1<>+4(SB)/4, $0x3ab743ce
DATA cP1<>+8(SB)/4, $0x3ab743ce
DATA cP1<>+12(SB)/4, $0x3ab743ce
DATA cP1<>+16(SB)/4, $0x3ab743ce
DATA cP1<>+20(SB)/4, $0x3ab743ce
DATA cP1<>+24(SB)/4, $0x3ab743ce
DATA cP1<>+28(SB)/4, $0x3ab743ce
GLOBL cP1<>(SB), RODATA|NOPTR, $32

DATA cP2<>+0(SB)/4, $0x3c088908
DATA cP2<>+4(SB)/4, $0x3c088908
DATA cP2<>+8(SB)/4, $0x3c088908
DATA cP2<>+12(SB)/4, $0x3c088908
DATA cP2<>+16(SB)/4, $0x3c088908
DATA cP2<>+20(SB)/4, $0x3c088908
DATA cP2<>+24(SB)/4, $0x3c088908
DATA cP2<>+28(SB)/4, $0x3c088908
GLOBL cP2<>(SB), RODATA|NOPTR, $32

DATA cP3<>+0(SB)/4, $0x3d2aa9c1
DATA cP3<>+4(SB)/4, $0x3d2aa9c1
DATA cP3<>+8(SB)/4, $0x3d2aa9c1
DATA cP3<>+12(SB)/4, $0x3d2aa9c1
DATA cP3<>+16(SB)/4, $0x3d2aa9c1
DATA cP3<>+20(SB)/4, $0x3d2aa9c1
DATA cP3<>+24(SB)/4, $0x3d2aa9c1
DATA cP3<>+28(SB)/4, $0x3d2aa9c1
GLOBL cP3<>(SB), RODATA|NOPTR, $32

DATA cP4<>+0(SB)/4, $0x3e2aaaaa
DATA cP4<>+4(SB)/4, $0x3e2aaaaa
DATA cP4<>+8(SB)/4, $0x3e2aaaaa
DATA cP4<>+12(SB)/4, $0x3e2aaaaa
DATA cP4<>+16(SB)/4, $0x3e2aaaaa
DATA cP4<>+20(SB)/4, $0x3e2aaaaa
DATA cP4<>+24(SB)/4, $0x3e2aaaaa
DATA cP4<>+28(SB)/4, $0x3e2aaaaa
GLOBL cP4<>(SB), RODATA|NOPTR, $32

DATA cP5<>+0(SB)/4, $0x3f000000
DATA cP5<>+4(SB)/4, $0x3f000000
DATA cP5<>+8(SB)/4, $0x3f000000
DATA cP5<>+12(SB)/4, $0x3f000000
DATA cP5<>+16(SB)/4, $0x3f000000
DATA cP5<>+20(SB)/4, $0x3f000000
DATA cP5<>+24(SB)/4, $0x3f000000
DATA cP5<>+28(SB)/4, $0x3f000000
GLOBL cP5<>(SB), RODATA|NOPTR, $32

DATA cone<>+0(SB)/4, $0x3f800000
DATA cone<>+4(SB)/4, $0x3f800000
DATA cone<>+8(SB)/4, $0x3f800000
DATA cone<>+12(SB)/4, $0x3f800000
DATA cone<>+16(SB)/4, $0x3f800000
DATA cone<>+20(SB)/4, $0x3f800000
DATA cone<>+24(SB)/4, $0x3f800000
DATA cone<>+28(SB)/4, $0x3f800000
GLOBL cone<>(SB), RODATA|NOPTR, $32

DATA ci127<>+0(SB)/4, $0x0000007f
DATA ci127<>+4(SB)/4, $0x0000007f
DATA ci127<>+8(SB)/4, $0x0000007f
DATA ci127<>+12(SB)/4, $0x0000007f
DATA ci127<>+16(SB)/4, $0x0000007f
DATA ci127<>+20(SB)/4, $0x0000007f
DATA ci127<>+24(SB)/4, $0x0000007f
DATA ci127<>+28(SB)/4, $0x0000007f
GLOBL ci127<>(SB), RODATA|NOPTR, $32

// [-87.34, 88]. T1, T2, T3 are clobbered.
#define EXP(X, T1, T2, T3) \
	VMINPS       c88<>(SB), X, X;     \
	VMAXPS       cm87<>(SB), X, X;    \
	VMULPS       clog2e<>(SB), X, T1; \
	VROUNDPS     $0, T1, T1;          \
	VFNMADD231PS cC1<>(SB), T1, X;    \
	VFNMADD231PS cC2<>(SB), T1, X;    \
	VMOVUPS      cP0<>(SB), T2;       \
	VFMADD213PS  cP1<>(SB), X, T2;    \
	VFMADD213PS  cP2<>(SB), X, T2;    \
	VFMADD213PS  cP3<>(SB), X, T2;    \
	VFMADD213PS  cP4<>(SB), X, T2;    \
	VFMADD213PS  cP5<>(SB), X, T2;    \
	VMULPS       X, X, T3;            \
	VFMADD213PS  X, T3, T2;           \
	VADDPS       cone<>(SB), T2, T2;  \
	VCVTPS2DQ    T1, T1;              \
	VPADDD       ci127<>(SB), T1, T1; \
	VPSLLD       $23, T1, T1;         \
	VMULPS       T1, T2, X

// HSUM(Y, X, T) leaves the sum of Y's 8 lanes in the low lane of X (X is Y's low half).
#define HSUM(Y, X, T) \
	VEXTRACTF128 $1, Y, T; \
	VADDPS       T, X, X;  \
	VMOVHLPS     X, X, T;  \
	VADDPS       T, X, X;  \
	VMOVSHDUP    X, T;     \
	VADDSS       T, X, X
