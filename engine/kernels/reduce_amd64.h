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
