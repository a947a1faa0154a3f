package edit

import (
	"image"
	"image/color"
	"image/draw"
	"testing"
)

// TestMaskOverFollowsTheFittedPicture: a white mask over a whole 300×200
// picture changes only the patches the picture fills once fitted to 64×64
// (64×43, rows 10…52): the white bands above and below are kept.
func TestMaskOverFollowsTheFittedPicture(t *testing.T) {
	m := image.NewNRGBA(image.Rect(0, 0, 300, 200))
	draw.Draw(m, m.Rect, image.NewUniform(color.White), image.Point{}, draw.Src)
	mask, err := MaskFromImage(MaskOver(m, 64, 64), 8, 8)
	if err != nil {
		t.Fatal(err)
	}
	for r := range 8 {
		want := r > 0 && r < 7 // rows 0 and 7 are mostly band
		if mask[r*8] != want || mask[r*8+7] != want {
			t.Errorf("patch row %d: change %v, want %v", r, mask[r*8], want)
		}
	}
	// A mask of the frame's shape is laid as it is.
	sq := image.NewNRGBA(image.Rect(0, 0, 32, 32))
	if got := MaskOver(sq, 64, 64); got != image.Image(sq) {
		t.Error("a square mask was redrawn")
	}
}

// KeepUnmasked puts the source's pixels back in the kept patches only.
func TestKeepUnmasked(t *testing.T) {
	src, out := image.NewNRGBA(image.Rect(0, 0, 4, 4)), image.NewNRGBA(image.Rect(0, 0, 4, 4))
	for i := range src.Pix {
		src.Pix[i], out.Pix[i] = 10, 200
	}
	mask := []bool{true, false, false, true} // 2×2 grid of 2×2 px: top right and bottom left kept
	if err := KeepUnmasked(out, src, mask, 2, 2); err != nil {
		t.Fatal(err)
	}
	for y := range 4 {
		for x := range 4 {
			want := uint8(200)
			if !mask[y/2*2+x/2] {
				want = 10
			}
			if got := out.NRGBAAt(x, y).R; got != want {
				t.Fatalf("pixel (%d,%d) = %d, want %d", x, y, got, want)
			}
		}
	}
	if err := KeepUnmasked(out, src, mask, 3, 3); err == nil {
		t.Error("a mask of the wrong grid")
	}
	if err := KeepUnmasked(out, image.NewNRGBA(image.Rect(0, 0, 2, 2)), mask, 2, 2); err == nil {
		t.Error("a source of another size")
	}
}
