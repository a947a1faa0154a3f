package nearest

import (
	"errors"
	"image"
	"image/color"
	"math"
	"testing"

	"github.com/nfnt/resize"

	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/internal/imagetest"
)

// A tokenizer that gives a training image back only at about 20 dB makes a
// picture that close to it a near-copy (the model can draw it no closer),
// while a picture further off stays new; without a round trip, or where it
// fails, SamePictureDB alone judges.
func TestCopiesFollowTheTokenizer(t *testing.T) {
	icon := imagetest.Solid(color.NRGBA{200, 120, 40, 255}, 16)
	set := New([]data.Sample{{Caption: "orange square", Image: icon}}, 16)
	shift := func(img image.Image, d uint8) image.Image { // every channel d levels lower
		out := imagetest.Solid(color.NRGBA{200 - d, 120 - d, 40 - d, 255}, 16)
		return out
	}
	calls := 0
	lossy := set.Copies(func(img image.Image) (image.Image, error) { calls++; return shift(img, 25), nil })
	ceil := lossy.Ceiling(0)
	if ceil < 19 || ceil > 21 || calls != 1 {
		t.Fatalf("ceiling %.2f dB after %d round trips, want about 20 dB once", ceil, calls)
	}
	if th := lossy.Threshold(0); math.Abs(th-(ceil-CopySlackDB)) > 1e-9 || lossy.Ceiling(0) != ceil || calls != 1 {
		t.Fatalf("threshold %.2f (ceiling %.2f, %d round trips)", th, ceil, calls)
	}
	// The model's own redrawing of the icon: 20 dB, under SamePictureDB.
	if near, psnr, _ := lossy.NearCopy(shift(icon, 25), 0); !near || psnr >= SamePictureDB {
		t.Errorf("the tokenizer's own redrawing (%.1f dB) is not a near-copy", psnr)
	}
	if plain, _ := set.NearCopy(shift(icon, 25), 0); plain {
		t.Error("the test shows nothing: SamePictureDB alone takes it for a copy")
	}
	if near, psnr, _ := lossy.NearCopy(shift(icon, 60), 0); near {
		t.Errorf("a picture far from the icon (%.1f dB) is a near-copy", psnr)
	}
	for name, c := range map[string]*Copies{
		"no round trip": set.Copies(nil),
		"a failed one":  set.Copies(func(image.Image) (image.Image, error) { return nil, errors.New("no") }),
	} {
		if th := c.Threshold(0); th != SamePictureDB {
			t.Errorf("%s: threshold %.2f, want %d", name, th, SamePictureDB)
		}
	}
}

// A wide picture is round-tripped as the set holds it (stretched to a
// square, as training prepares it): a lossless tokenizer gives it back
// exactly, where letterboxing the full picture gave 6 dB and judged almost
// anything a near-copy of it.
func TestCopiesOfAWidePicture(t *testing.T) {
	wide := image.NewNRGBA(image.Rect(0, 0, 64, 36))
	for i := range wide.Pix {
		wide.Pix[i] = uint8(i * 7)
	}
	for i := 3; i < len(wide.Pix); i += 4 {
		wide.Pix[i] = 255
	}
	set := New([]data.Sample{{Caption: "photo", Image: wide}}, 16)
	lossless := set.Copies(func(img image.Image) (image.Image, error) { // a square model's: fitted into 16×16
		if b := img.Bounds(); b.Dx() != 16 || b.Dy() != 16 {
			return nil, errors.New("not at the model's size")
		}
		return img, nil
	})
	if c := lossless.Ceiling(0); !math.IsInf(c, 1) {
		t.Errorf("a lossless round trip of the set's own picture: %.1f dB", c)
	}
}

// UnpackRGB gives back the opaque picture PackRGB packed.
func TestUnpackRGB(t *testing.T) {
	img := imagetest.Solid(color.NRGBA{10, 20, 30, 255}, 4)
	img.SetNRGBA(1, 2, color.NRGBA{200, 100, 50, 255})
	if back := UnpackRGB(PackRGB(img, 4, resize.Bilinear), 4); back.Rect != img.Rect || string(back.Pix) != string(img.Pix) {
		t.Errorf("unpacked %v, packed %v", back.Pix, img.Pix)
	}
}
