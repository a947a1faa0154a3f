// Macros shared by the assembly kernels (kernels_amd64.s, int8_amd64.s, vnni_amd64.s,
// zmm_amd64.s, tile_amd64.s).

// REDUCE8 sums each of Y0..Y7 across its lanes and leaves the eight totals,
// in order, in Y0 (clobbers Y1..Y9).
#define REDUCE8 \
	VHADDPS    Y1, Y0, Y0       \
	VHADDPS    Y3, Y2, Y2       \
	VHADDPS    Y2, Y0, Y0       \
	VHADDPS    Y5, Y4, Y4       \
	VHADDPS    Y7, Y6, Y6       \
	VHADDPS    Y6, Y4, Y4       \
	VPERM2F128 $0x20, Y4, Y0, Y8 \
	VPERM2F128 $0x31, Y4, Y0, Y9 \
	VADDPS     Y9, Y8, Y0

// SCORES8_START loads the arguments of scores8 and zscores8n (q, k, ld, n):
// SI = q, DX = k, R9, R10, R11 and R12 = 1, 3, 5 and 7 rows of k in bytes,
// CX = n.
#define SCORES8_START \
	MOVQ q+0(FP), SI \
	MOVQ k+8(FP), DX \
	MOVQ ld+16(FP), R9 \
	SHLQ $1, R9 \
	LEAQ (R9)(R9*2), R10 \
	LEAQ (R9)(R9*4), R11 \
	LEAQ (R10)(R9*4), R12 \
	MOVQ n+24(FP), CX

// SCORES8_ROWS(x, t1…t7, a0…a7) loads the next values of q at SI into x
// and adds their products with the next halves of the eight rows of k
// (after SCORES8_START), widened in t1–t7 (t1 twice), to a0–a7: one step of
// scores8 (Y registers, 8 values) or zscores8n (Z registers, 16 values).
#define SCORES8_ROWS(x, t1, t2, t3, t4, t5, t6, t7, a0, a1, a2, a3, a4, a5, a6, a7) \
	VMOVUPS     (SI), x \
	VCVTPH2PS   (DX), t1 \
	VFMADD231PS t1, x, a0 \
	VCVTPH2PS   (DX)(R9*1), t2 \
	VFMADD231PS t2, x, a1 \
	VCVTPH2PS   (DX)(R9*2), t3 \
	VFMADD231PS t3, x, a2 \
	VCVTPH2PS   (DX)(R10*1), t4 \
	VFMADD231PS t4, x, a3 \
	VCVTPH2PS   (DX)(R9*4), t5 \
	VFMADD231PS t5, x, a4 \
	VCVTPH2PS   (DX)(R11*1), t6 \
	VFMADD231PS t6, x, a5 \
	VCVTPH2PS   (DX)(R10*2), t7 \
	VFMADD231PS t7, x, a6 \
	VCVTPH2PS   (DX)(R12*1), t1 \
	VFMADD231PS t1, x, a7

// SCORES8_END sums the eight rows' totals left in Y0–Y7, scales them by
// scale and stores them at out (scores8's arguments).
#define SCORES8_END \
	REDUCE8 \
	VBROADCASTSS scale+32(FP), Y1 \
	VMULPS       Y1, Y0, Y0 \
	MOVQ         out+40(FP), DI \
	VMOVUPS      Y0, (DI)

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

// CLEAR16_31 zeroes Y16–Y31 (and with them the upper halves of Z16–Z31):
// the eight-row kernels' accumulators, at their start and, so that no
// register keeps a dirty upper half past VZEROUPPER, at their end.
#define CLEAR16_31 \
	VPXORD Y16, Y16, Y16 \
	VPXORD Y17, Y17, Y17 \
	VPXORD Y18, Y18, Y18 \
	VPXORD Y19, Y19, Y19 \
	VPXORD Y20, Y20, Y20 \
	VPXORD Y21, Y21, Y21 \
	VPXORD Y22, Y22, Y22 \
	VPXORD Y23, Y23, Y23 \
	VPXORD Y24, Y24, Y24 \
	VPXORD Y25, Y25, Y25 \
	VPXORD Y26, Y26, Y26 \
	VPXORD Y27, Y27, Y27 \
	VPXORD Y28, Y28, Y28 \
	VPXORD Y29, Y29, Y29 \
	VPXORD Y30, Y30, Y30 \
	VPXORD Y31, Y31, Y31

// START8x2 loads the eight-row kernels' arguments: rows of x from R8 (AX
// bytes apart; R9 and R10 three and six rows on), the two columns'
// weights at DX and BX (BX = DX + ldw, ldw already in bytes), k in CX, the
// prefetch distance in R12; and clears the accumulators. x holds float32
// values; START8x2X(shift) takes values of 1<<shift bytes.
#define START8x2 START8x2X($2)

#define START8x2X(shift) \
	MOVQ x+0(FP), R8 \
	MOVQ ldx+8(FP), AX \
	SHLQ shift, AX \
	LEAQ (R8)(AX*2), R9 \
	ADDQ AX, R9 \
	LEAQ (R9)(AX*2), R10 \
	ADDQ AX, R10 \
	MOVQ w+16(FP), DX \
	ADDQ DX, BX \
	MOVQ k+32(FP), CX \
	MOVQ ahead+48(FP), R12 \
	CLEAR16_31

// SUM8(a, b, c, d, e, f, g, h, off) sums each of the accumulators a–h
// (Y registers) across its lanes (REDUCE8) and stores the eight totals at
// off(DI).
#define SUM8(a, b, c, d, e, f, g, h, off) \
	VMOVAPS a, Y0 \
	VMOVAPS b, Y1 \
	VMOVAPS c, Y2 \
	VMOVAPS d, Y3 \
	VMOVAPS e, Y4 \
	VMOVAPS f, Y5 \
	VMOVAPS g, Y6 \
	VMOVAPS h, Y7 \
	REDUCE8 \
	VMOVUPS Y0, off(DI)

// STORE8x2 sums each of the eight-row kernels' accumulators Y16–Y31 across
// its lanes and stores the sixteen totals at out (row-major, two columns a
// row), then clears Y16–Y31 and the upper halves (VZEROUPPER).
#define STORE8x2 \
	MOVQ out+40(FP), DI \
	SUM8(Y16, Y17, Y18, Y19, Y20, Y21, Y22, Y23, 0) \
	SUM8(Y24, Y25, Y26, Y27, Y28, Y29, Y30, Y31, 32) \
	CLEAR16_31 \
	VZEROUPPER

// STORE4x2 is STORE8x2 for the four-row kernels' Y16–Y23: eight totals.
#define STORE4x2 \
	MOVQ out+40(FP), DI \
	SUM8(Y16, Y17, Y18, Y19, Y20, Y21, Y22, Y23, 0) \
	CLEAR16_31 \
	VZEROUPPER

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
