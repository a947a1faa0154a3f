package edit

import (
	"image"
	"image/color"
	"slices"
	"testing"
)

// TestTransparentBackground: the white around a picture goes, white inside
// it stays, an edge pixel keeps its look over white, and a picture with no
// white border keeps every pixel.
func TestTransparentBackground(t *testing.T) {
	const n = 12
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	set := func(x, y int, c color.NRGBA) { img.SetNRGBA(x, y, c) }
	for y := range n {
		for x := range n {
			set(x, y, color.NRGBA{250, 252, 255, 255}) // near white: background
		}
	}
	red := color.NRGBA{200, 30, 30, 255}
	for y := 3; y < 9; y++ {
		for x := 3; x < 9; x++ {
			set(x, y, red) // a red square…
		}
	}
	for y := 5; y < 7; y++ {
		for x := 5; x < 7; x++ {
			set(x, y, color.NRGBA{255, 255, 255, 255}) // …with white inside it
		}
	}
	edge := color.NRGBA{240, 180, 180, 255} // an anti-aliased pixel beside the square
	set(2, 5, edge)
	out := TransparentBackground(img)
	if out.NRGBAAt(0, 0).A != 0 || out.NRGBAAt(11, 11).A != 0 || out.NRGBAAt(1, 5).A != 0 {
		t.Fatalf("background kept: %v %v %v", out.NRGBAAt(0, 0), out.NRGBAAt(11, 11), out.NRGBAAt(1, 5))
	}
	if c := out.NRGBAAt(5, 5); c != (color.NRGBA{255, 255, 255, 255}) {
		t.Fatalf("the white inside the square became %v", c)
	}
	if c := out.NRGBAAt(4, 4); c != red {
		t.Fatalf("the square's inside became %v", c)
	}
	e := out.NRGBAAt(2, 5)
	if e.A == 0 || e.A == 255 {
		t.Fatalf("the edge pixel %v is not partly transparent", e)
	}
	// Composited over white, the edge pixel looks as it did.
	for ch, want := range []uint8{edge.R, edge.G, edge.B} {
		c := []uint8{e.R, e.G, e.B}[ch]
		over := (int(c)*int(e.A) + 255*(255-int(e.A)) + 127) / 255
		if d := over - int(want); d < -2 || d > 2 {
			t.Fatalf("edge channel %d over white: %d, was %d (pixel %v)", ch, over, want, e)
		}
	}
	// The square's own border pixels touch the background: pure red is
	// far from white in every channel but one, so it stays nearly opaque.
	if c := out.NRGBAAt(3, 3); c != red {
		t.Fatalf("the square's corner became %v", c)
	}
	// The edge pixel takes the square's colour, nearly.
	if e.R < 190 || e.G > 45 || e.B > 45 {
		t.Fatalf("the edge pixel's colour %v is not the square's red", e)
	}
	// No white border: nothing changes.
	full := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	for i := range full.Pix {
		full.Pix[i] = 200
		if i%4 == 3 {
			full.Pix[i] = 255
		}
	}
	for i, v := range TransparentBackground(full).Pix {
		if v != full.Pix[i] {
			t.Fatalf("a picture without a white border changed at byte %d: %d", i, v)
		}
	}
}

// TestTransparentBackgroundKeepsInsideWhite: white inside a diagonal
// outline meets the background only at corners; it stays opaque.
func TestTransparentBackgroundKeepsInsideWhite(t *testing.T) {
	const n, c = 11, 5
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	abs := func(v int) int { return max(v, -v) }
	for y := range n {
		for x := range n {
			if abs(x-c)+abs(y-c) == 4 {
				img.SetNRGBA(x, y, color.NRGBA{0, 0, 0, 255}) // a diamond's outline, one pixel wide
			}
		}
	}
	out := TransparentBackground(img)
	for y := range n {
		for x := range n {
			d := abs(x-c) + abs(y-c)
			got := out.NRGBAAt(x, y)
			switch {
			case d < 4 && got != (color.NRGBA{255, 255, 255, 255}):
				t.Fatalf("inside white at %d,%d became %v", x, y, got)
			case d == 4 && got.A != 255:
				t.Fatalf("the outline at %d,%d became %v", x, y, got)
			case d > 4 && got.A != 0:
				t.Fatalf("the background at %d,%d stayed %v", x, y, got)
			}
		}
	}
}

// TestTransparentBackgroundKeepsLightGreyBodies: a cloud's light grey body
// is not background, however close to white; a speck the tokenizer drew
// a little off white in the background fades out.
func TestTransparentBackgroundKeepsLightGreyBodies(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 12, 12))
	for y := range 12 {
		for x := range 12 {
			c := uint8(252) // the background, a little off white
			switch {
			case x >= 3 && x < 9 && y >= 3 && y < 9 && (x == 3 || x == 8 || y == 3 || y == 8):
				c = 225 // a faint outline
			case x > 3 && x < 8 && y > 3 && y < 8:
				c = 240 // the cloud's body
			}
			img.SetNRGBA(x, y, color.NRGBA{c, c, c, 255})
		}
	}
	img.SetNRGBA(1, 10, color.NRGBA{243, 243, 243, 255}) // a speck
	img.SetNRGBA(10, 1, color.NRGBA{205, 210, 200, 255}) // a greyer one
	out := TransparentBackground(img)
	if a := out.NRGBAAt(10, 1).A; a > 60 {
		t.Fatalf("a grey speck alone in the background stayed at alpha %d", a)
	}
	for _, at := range [][2]int{{5, 5}, {4, 5}, {5, 4}, {7, 6}} { // the middle and the ring inside the outline
		if c := out.NRGBAAt(at[0], at[1]); c != (color.NRGBA{240, 240, 240, 255}) {
			t.Fatalf("the cloud's body at %v became %v", at, c)
		}
	}
	if out.NRGBAAt(0, 0).A != 0 {
		t.Fatalf("the background stayed %v", out.NRGBAAt(0, 0))
	}
	if a := out.NRGBAAt(1, 10).A; a > 20 {
		t.Fatalf("a near-white speck in the background stayed at alpha %d", a)
	}
}

// TestTransparentBackgroundFadesTintedSpecks: a pale pixel beside a
// picture's edge whose tint is not the edge's colour (the tokenizer's light
// cyan beside a red apple) is background, nearly gone, where unmixed by its
// distance alone it kept 44% opacity and showed as a bright speck over a
// dark page; a pale pixel of the edge's own tint stays a blend of it.
func TestTransparentBackgroundFadesTintedSpecks(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 10, 10))
	for y := range 10 {
		for x := range 10 {
			c := color.NRGBA{255, 255, 255, 255}
			if x >= 3 && x < 7 && y >= 3 && y < 7 {
				c = color.NRGBA{255, 214, 221, 255} // a pale pink edge…
			}
			if x >= 4 && x < 6 && y >= 4 && y < 6 {
				c = color.NRGBA{230, 30, 40, 255} // …around a red inside
			}
			img.SetNRGBA(x, y, c)
		}
	}
	img.SetNRGBA(2, 4, color.NRGBA{237, 255, 255, 255}) // a cyan speck beside the pink edge
	img.SetNRGBA(7, 4, color.NRGBA{255, 240, 242, 255}) // a paler pink beside it
	img.SetNRGBA(8, 8, color.NRGBA{223, 255, 255, 255}) // a pale cyan speck of two pixels apart
	img.SetNRGBA(8, 9, color.NRGBA{240, 255, 250, 255})
	img.SetNRGBA(1, 8, color.NRGBA{255, 220, 0, 255}) // a yellow dot of two pixels: the picture's
	img.SetNRGBA(1, 9, color.NRGBA{255, 220, 0, 255})
	img.SetNRGBA(9, 1, color.NRGBA{255, 250, 200, 255}) // a pale yellow sparkle of two pixels: the picture's too
	img.SetNRGBA(9, 2, color.NRGBA{255, 250, 200, 255})
	out := TransparentBackground(img)
	if a, b := out.NRGBAAt(8, 8).A, out.NRGBAAt(8, 9).A; a != 0 || b != 0 {
		t.Fatalf("a pale speck of two pixels apart from the picture stayed at alpha %d and %d", a, b)
	}
	if a, b := out.NRGBAAt(1, 8).A, out.NRGBAAt(1, 9).A; a != 255 || b != 255 {
		t.Fatalf("a yellow dot of two pixels apart from the picture became alpha %d and %d", a, b)
	}
	if a, b := out.NRGBAAt(9, 1).A, out.NRGBAAt(9, 2).A; a == 0 || b == 0 {
		t.Fatalf("a pale yellow sparkle of two pixels went (alpha %d and %d)", a, b)
	}
	if a := out.NRGBAAt(2, 4).A; a > 10 {
		t.Fatalf("a light cyan speck beside a pink edge stayed at alpha %d (%v)", a, out.NRGBAAt(2, 4))
	}
	e := out.NRGBAAt(7, 4)
	if e.A < 60 || e.A > 140 {
		t.Fatalf("a paler pink beside a pink edge became %v: not a blend of the edge's colour", e)
	}
	for ch, want := range []uint8{255, 240, 242} {
		c := []uint8{e.R, e.G, e.B}[ch]
		over := (int(c)*int(e.A) + 255*(255-int(e.A)) + 127) / 255
		if d := over - int(want); d < -2 || d > 2 {
			t.Fatalf("the paler pink over white: channel %d is %d, was %d (pixel %v)", ch, over, want, e)
		}
	}
}

// TestTransparentBackgroundFadesTwoPixelRims: an edge anti-aliased over
// two pixels (pale, then paler) fades in both, each still the picture's
// look over white; a near-white dot on the rim that meets the background
// at a corner goes with it.
func TestTransparentBackgroundFadesTwoPixelRims(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 12, 12))
	for y := range 12 {
		for x := range 12 {
			c := color.NRGBA{255, 255, 255, 255}
			switch {
			case x >= 4 && x < 8 && y >= 4 && y < 8:
				c = color.NRGBA{220, 40, 50, 255} // red inside…
			case x >= 3 && x < 9 && y >= 3 && y < 9:
				c = color.NRGBA{255, 186, 186, 255} // …a pale rim…
			case x >= 2 && x < 10 && y >= 2 && y < 10:
				c = color.NRGBA{255, 236, 240, 255} // …and a paler one
			}
			img.SetNRGBA(x, y, c)
		}
	}
	img.SetNRGBA(2, 2, color.NRGBA{250, 250, 250, 255}) // a near-white dot at the paler rim's corner
	img.SetNRGBA(1, 2, color.NRGBA{255, 236, 240, 255}) // walled in by the rim but for a corner
	img.SetNRGBA(2, 1, color.NRGBA{255, 236, 240, 255})
	out := TransparentBackground(img)
	if a := out.NRGBAAt(2, 2).A; a != 0 {
		t.Errorf("a near-white dot on the rim stayed at alpha %d", a)
	}
	for _, at := range [][2]int{{3, 5}, {5, 3}, {2, 5}} {
		e, was := out.NRGBAAt(at[0], at[1]), img.NRGBAAt(at[0], at[1])
		if e.A == 255 || e.A == 0 {
			t.Errorf("rim pixel %v: %v is not partly transparent", at, e)
		}
		for ch, want := range []uint8{was.R, was.G, was.B} {
			c := []uint8{e.R, e.G, e.B}[ch]
			if over := (int(c)*int(e.A) + 255*(255-int(e.A)) + 127) / 255; over-int(want) < -2 || over-int(want) > 2 {
				t.Errorf("rim pixel %v over white: channel %d is %d, was %d (pixel %v)", at, ch, over, want, e)
			}
		}
	}
	if c := out.NRGBAAt(5, 5); c != (color.NRGBA{220, 40, 50, 255}) {
		t.Errorf("the inside became %v", c)
	}
}

// TestTransparentBackgroundKeepsTinyPictures: a picture of a few pale
// pixels has no background to lose them to, and the white centre of a
// small outlined diamond is walled in: both stay.
func TestTransparentBackgroundKeepsTinyPictures(t *testing.T) {
	for _, size := range [][2]int{{1, 1}, {2, 2}, {1, 4}} {
		img := image.NewNRGBA(image.Rect(0, 0, size[0], size[1]))
		for i := range img.Pix {
			img.Pix[i] = 210
			if i%4 == 3 {
				img.Pix[i] = 255
			}
		}
		if out := TransparentBackground(img); !slices.Equal(out.Pix, img.Pix) {
			t.Errorf("a %d×%d grey picture became %v", size[0], size[1], out.Pix)
		}
	}
	img := image.NewNRGBA(image.Rect(0, 0, 7, 7))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for _, at := range [][2]int{{3, 2}, {2, 3}, {4, 3}, {3, 4}} { // a diamond's outline around (3, 3)
		img.SetNRGBA(at[0], at[1], color.NRGBA{0, 0, 0, 255})
	}
	if c := TransparentBackground(img).NRGBAAt(3, 3); c != (color.NRGBA{255, 255, 255, 255}) {
		t.Errorf("the white centre of a small outlined diamond became %v", c)
	}
}

// DarkBorder tells a picture drawn on black (the MNIST model's), which has
// no white around it to clear, from one on white and from ones that fill
// their frame with a colour.
func TestDarkBorder(t *testing.T) {
	solid := func(c color.NRGBA) *image.NRGBA {
		img := image.NewNRGBA(image.Rect(2, 3, 10, 11)) // not at the origin
		for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
			for x := img.Rect.Min.X; x < img.Rect.Max.X; x++ {
				img.SetNRGBA(x, y, c)
			}
		}
		return img
	}
	digit := solid(color.NRGBA{0, 0, 0, 255})
	digit.SetNRGBA(5, 6, color.NRGBA{255, 255, 255, 255}) // a white stroke inside
	for _, c := range []struct {
		name string
		img  image.Image
		dark bool
	}{{"white digit on black", digit, true}, {"white", solid(color.NRGBA{255, 255, 255, 255}), false}, {"light yellow", solid(color.NRGBA{250, 240, 150, 255}), false}, {"red", solid(color.NRGBA{200, 30, 30, 255}), false}} {
		if got := DarkBorder(c.img); got != c.dark {
			t.Errorf("%s: DarkBorder %v", c.name, got)
		}
		if c.dark && !TransparentBackground(c.img).Opaque() {
			t.Errorf("%s: made something transparent", c.name)
		}
	}
}
