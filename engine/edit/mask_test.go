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
