package edit

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// picture is a w×w white image with a filled square of colour c from lo to
// hi (exclusive) and a white hole at (hole, hole).
func picture(w, lo, hi, hole int, c color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, w))
	for y := 0; y < w; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, color.NRGBA{255, 255, 255, 255})
			if x >= lo && x < hi && y >= lo && y < hi && !(x == hole && y == hole) {
				img.SetNRGBA(x, y, c)
			}
		}
	}
	return img
}

func TestPixelOperations(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	img := image.NewNRGBA(image.Rect(0, 0, 16, 8))
	for i := range img.Pix {
		img.Pix[i] = uint8(r.IntN(256))
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	m := MirrorImage(img)
	if m.NRGBAAt(0, 3) != img.NRGBAAt(15, 3) || m.NRGBAAt(15, 7) != img.NRGBAAt(0, 7) {
		t.Fatal("mirror does not swap left and right")
	}
	if !same(MirrorImage(m), img) || !same(InvertImage(InvertImage(img)), img) {
		t.Fatal("mirror or invert is not its own inverse")
	}
	if c := InvertImage(img).NRGBAAt(4, 4); c.R != 255-img.NRGBAAt(4, 4).R || c.A != 255 {
		t.Fatalf("invert %v of %v", c, img.NRGBAAt(4, 4))
	}
	g := GrayImage(img)
	for y := 0; y < 8; y++ {
		for x := 0; x < 16; x++ {
			c, o := g.NRGBAAt(x, y), img.NRGBAAt(x, y)
			want := uint8(math.Round(0.299*float64(o.R) + 0.587*float64(o.G) + 0.114*float64(o.B)))
			if c.R != want || c.G != want || c.B != want {
				t.Fatalf("gray (%d,%d) = %v, want %d", x, y, c, want)
			}
		}
	}
	// Recolour: yellow → red, a dark orange → dark red, white and greys stay.
	px := image.NewNRGBA(image.Rect(0, 0, 4, 1))
	px.SetNRGBA(0, 0, color.NRGBA{255, 204, 0, 255})
	px.SetNRGBA(1, 0, color.NRGBA{102, 51, 0, 255})
	px.SetNRGBA(2, 0, color.NRGBA{255, 255, 255, 255})
	px.SetNRGBA(3, 0, color.NRGBA{90, 90, 90, 255})
	red := RecolorImage(px, 0)
	for i, want := range []color.NRGBA{{255, 0, 0, 255}, {102, 0, 0, 255}, {255, 255, 255, 255}, {90, 90, 90, 255}} {
		if got := red.NRGBAAt(i, 0); got != want {
			t.Errorf("red: pixel %d = %v, want %v", i, got, want)
		}
	}
	if got := RecolorImage(px, 240).NRGBAAt(0, 0); got != (color.NRGBA{0, 0, 255, 255}) {
		t.Errorf("blue: yellow became %v", got)
	}
	if got := RecolorImage(px, 120).NRGBAAt(1, 0); got != (color.NRGBA{0, 102, 0, 255}) {
		t.Errorf("green: dark orange became %v", got)
	}
}

// TestBackgroundRoundTrip: the exterior is the white around the picture
// (not the white hole inside it), a background replaces exactly the
// exterior and the antialiased rim, and the inside stays as it was — so
// the target of "remove the background" is the original, exactly.
func TestBackgroundRoundTrip(t *testing.T) {
	img := picture(16, 4, 12, 7, color.NRGBA{200, 30, 30, 255})
	img.SetNRGBA(3, 8, color.NRGBA{228, 143, 143, 255}) // a half-covered rim pixel
	ext := Exterior(img, whiteTol)
	if !ext[0] || ext[7*16+7] || ext[5*16+5] {
		t.Fatalf("exterior: corner %v, hole %v, inside %v", ext[0], ext[7*16+7], ext[5*16+5])
	}
	a := Coverage(img)
	if a[0] != 0 || a[5*16+5] != 1 || math.Abs(a[8*16+3]-(1-143.0/255)) > 1e-9 {
		t.Fatalf("coverage: outside %v inside %v rim %v", a[0], a[5*16+5], a[8*16+3])
	}
	for kind := Flat; kind < numBackgrounds; kind++ {
		r := rand.New(rand.NewPCG(uint64(kind), 2))
		bg := MakeBackground(kind, 16, 16, r, picture(16, 2, 14, -1, color.NRGBA{0, 0, 200, 255}))
		out := OverBackground(img, bg)
		if out.NRGBAAt(0, 0) != bg.NRGBAAt(0, 0) {
			t.Errorf("%v: outside pixel %v, background %v", kind, out.NRGBAAt(0, 0), bg.NRGBAAt(0, 0))
		}
		if out.NRGBAAt(7, 7) != img.NRGBAAt(7, 7) || out.NRGBAAt(5, 5) != img.NRGBAAt(5, 5) {
			t.Errorf("%v: the inside changed", kind)
		}
		if kind != BlurredCrop {
			white := 0
			for i := 0; i < len(bg.Pix); i += 4 {
				if bg.Pix[i] >= 250 && bg.Pix[i+1] >= 250 && bg.Pix[i+2] >= 250 {
					white++
				}
			}
			if white > 0 {
				t.Errorf("%v: %d background pixels pass for white", kind, white)
			}
		}
		if got := PSNR(img, out); got >= MaxPSNR {
			t.Errorf("%v: the composite equals the original", kind)
		}
	}
}

func TestMetrics(t *testing.T) {
	target := picture(16, 4, 12, -1, color.NRGBA{0, 0, 0, 255})
	if PSNR(target, target) != MaxPSNR {
		t.Fatal("identical images: PSNR not MaxPSNR")
	}
	out := picture(16, 4, 12, -1, color.NRGBA{0, 0, 0, 255})
	for x := 0; x < 16; x++ { // dirty the top row (16 of 192 background pixels)
		out.SetNRGBA(x, 0, color.NRGBA{240, 255, 255, 255})
	}
	out.SetNRGBA(0, 1, color.NRGBA{246, 250, 255, 255}) // within 10/255: white
	frac, n := WhiteKept(target, out)
	if n != 16*16-64 || math.Abs(frac-float64(n-16)/float64(n)) > 1e-12 {
		t.Fatalf("white kept %v of %d", frac, n)
	}
	if f, n := WhiteKept(InvertImage(target), out); n != 0 || !math.IsNaN(f) {
		t.Fatalf("no white background: %v of %d", f, n)
	}
	if !math.IsNaN(PSNR(target, image.NewNRGBA(image.Rect(0, 0, 8, 8)))) {
		t.Fatal("PSNR of different sizes is not NaN")
	}
}

func same(a, b *image.NRGBA) bool {
	if a.Rect != b.Rect {
		return false
	}
	for i := range a.Pix {
		if a.Pix[i] != b.Pix[i] {
			return false
		}
	}
	return true
}

func TestMaskFromImage(t *testing.T) {
	// A 32×32 mask over a 4×4 grid: the top-left 8×8 block white, the
	// block right of it half white (changes), the one below a quarter
	// white (kept), the rest black; one transparent white pixel counts as
	// black.
	img := image.NewNRGBA(image.Rect(10, 10, 42, 42))
	for y := 0; y < 32; y++ {
		for x := 0; x < 32; x++ {
			c := color.NRGBA{0, 0, 0, 255}
			if x < 8 && y < 8 || x >= 8 && x < 16 && y < 4 || x < 4 && y >= 8 && y < 12 {
				c = color.NRGBA{255, 255, 255, 255}
			}
			img.SetNRGBA(10+x, 10+y, c)
		}
	}
	img.SetNRGBA(10+20, 10+20, color.NRGBA{255, 255, 255, 0})
	m, err := MaskFromImage(img, 4, 4)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]bool, 16)
	want[0], want[1] = true, true
	for i := range want {
		if m[i] != want[i] {
			t.Fatalf("mask %v, want %v", m, want)
		}
	}
	// A mask smaller than the grid still covers every patch.
	tiny := image.NewGray(image.Rect(0, 0, 2, 2))
	tiny.Pix[3] = 255
	m, err = MaskFromImage(tiny, 4, 4)
	if err != nil {
		t.Fatal(err)
	}
	if !m[15] || !m[10] || m[0] || m[5] {
		t.Fatalf("2×2 mask over 4×4: %v", m)
	}
	if _, err := MaskFromImage(image.NewGray(image.Rect(0, 0, 4, 4)), 4, 4); err == nil || strings.Contains(err.Error(), "transparent") {
		t.Fatalf("an all-black mask: %v", err)
	}
	// White at alpha 0 is transparent, which counts as black: said so.
	clear := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	for i := range clear.Pix {
		clear.Pix[i] = 255
		if i%4 == 3 {
			clear.Pix[i] = 0
		}
	}
	if _, err := MaskFromImage(clear, 4, 4); err == nil || !strings.Contains(err.Error(), "100% of the mask is transparent, which counts as black") {
		t.Fatalf("a transparent white mask: %v", err)
	}
}

// WhiteBackground tells a picture on white (also after a tokenizer's
// slight tint) from one on a background.
func TestWhiteBackground(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	for i := range img.Pix {
		img.Pix[i] = 250 // near white, as decoded
	}
	for y := 4; y < 12; y++ {
		for x := 4; x < 12; x++ {
			img.SetNRGBA(x, y, color.NRGBA{200, 30, 30, 255})
		}
	}
	if !WhiteBackground(img) {
		t.Error("a red square on white: not a white background")
	}
	bg := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	for i := range bg.Pix {
		bg.Pix[i] = []uint8{40, 90, 200, 255}[i%4]
	}
	onWhite := image.NewNRGBA(img.Rect) // OverBackground takes a picture on pure white
	for i := range onWhite.Pix {
		onWhite.Pix[i] = 255
	}
	for y := 4; y < 12; y++ {
		for x := 4; x < 12; x++ {
			onWhite.SetNRGBA(x, y, color.NRGBA{200, 30, 30, 255})
		}
	}
	if WhiteBackground(OverBackground(onWhite, bg)) {
		t.Error("the square over a generated background: a white background")
	}
	sub := img.SubImage(image.Rect(4, 4, 12, 12)).(*image.NRGBA) // all red: offset bounds
	if WhiteBackground(sub) {
		t.Error("an all-red crop: a white background")
	}
}
