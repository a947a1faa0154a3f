package edit

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/guided"
	"github.com/tessera-studio/tessera/engine/psnr"
)

// sticker is a 64×64 emoji-like picture on white: an orange disc with a
// black outline and a blue square off to the left (not mirror-symmetric).
func sticker() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := range 64 {
			c := color.NRGBA{255, 255, 255, 255}
			d := math.Hypot(float64(x)-36, float64(y)-32)
			switch {
			case d < 18:
				c = color.NRGBA{245, 160, 40, 255}
			case d < 21:
				c = color.NRGBA{20, 20, 20, 255}
			}
			if x >= 6 && x < 16 && y >= 26 && y < 36 {
				c = color.NRGBA{40, 80, 220, 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// TransferDetail redoes a change of colour on the source's sharp pixels
// (an edit drawn blurred, as a tokenizer draws it, comes out close to the
// exact target), a flip too (registered to the edit), keeps an edit that
// moves things otherwise (a shift) as drawn, and keeps the pixels the edit
// drew white.
func TestTransferDetail(t *testing.T) {
	src := sticker()
	roundTrip := boxBlur(src, 1) // the tokenizer's loss of detail, roughly
	for _, tc := range []struct {
		name string
		op   func(*image.NRGBA) *image.NRGBA
	}{
		{"black and white", GrayImage},
		{"invert", InvertImage},
		{"make it blue", func(img *image.NRGBA) *image.NRGBA { return RecolorImage(img, 230) }},
	} {
		want, drawn := tc.op(src), tc.op(roundTrip)
		out, share, err := TransferDetail(src, roundTrip, drawn, DefaultDetail)
		if err != nil {
			t.Fatal(err)
		}
		before, after := psnr.Images(want, drawn), psnr.Images(want, out)
		if after < before+8 || share < 0.25 { // the white, kept as drawn, is most of the picture
			t.Errorf("%s: %.1f dB from the exact target as drawn, %.1f dB with the source's detail (%.0f%% of it taken): want 8 dB more", tc.name, before, after, 100*share)
		}
	}
	// A mirror, a flip top to bottom, a half turn, and either recoloured:
	// the source registered to the edit (flipped the same way) carries its
	// detail too.
	for _, f := range orientations[1:] {
		for _, recolour := range []bool{false, true} {
			op := f.apply
			if recolour {
				op = func(img *image.NRGBA) *image.NRGBA { return RecolorImage(f.apply(img), 120) }
			}
			want, drawn := op(src), op(roundTrip)
			out, share, err := TransferDetail(src, roundTrip, drawn, DefaultDetail)
			if err != nil {
				t.Fatal(err)
			}
			if before, after := psnr.Images(want, drawn), psnr.Images(want, out); after < before+8 || share < 0.25 {
				t.Errorf("%+v, recoloured %v: %.2f dB from the exact target as drawn, %.2f dB with the source's detail (%.0f%% of it taken)", f, recolour, before, after, 100*share)
			}
		}
	}
	// An edit that moves things otherwise (here a shift) is kept as drawn
	// but where the moved disc overlaps the source's (orange for orange).
	moved := func(img *image.NRGBA) *image.NRGBA { return shiftImage(img, 9, 0) }
	want, drawn := moved(src), moved(roundTrip)
	out, share, err := TransferDetail(src, roundTrip, drawn, DefaultDetail)
	if err != nil {
		t.Fatal(err)
	}
	if before, after := psnr.Images(want, drawn), psnr.Images(want, out); after < before-1 {
		t.Errorf("a shift: %.2f dB from the exact target as drawn, %.2f dB with the source's detail (%.0f%% of it taken)", before, after, 100*share)
	}
	// The pixels an edit drew white stay as drawn.
	for i := 0; i < len(drawn.Pix); i += 4 {
		if min(drawn.Pix[i], drawn.Pix[i+1], drawn.Pix[i+2]) >= 255-WhiteTolerance &&
			(out.Pix[i] != drawn.Pix[i] || out.Pix[i+1] != drawn.Pix[i+1] || out.Pix[i+2] != drawn.Pix[i+2]) {
			t.Fatalf("pixel %d drawn white %v, given %v", i/4, drawn.Pix[i:i+3], out.Pix[i:i+3])
		}
	}
	// An edit that is the source as the tokenizer drew it gives the source.
	same, _, err := TransferDetail(src, roundTrip, roundTrip, DefaultDetail)
	if err != nil {
		t.Fatal(err)
	}
	if db := psnr.Images(src, same); db < 40 {
		t.Errorf("an unchanged edit comes out %.1f dB from its source", db)
	}
	for _, bad := range []DetailSettings{{Radius: 2, Eps: 1e-4, Good: 0.03, Bad: 0.005}, {Radius: 2, Eps: 1e-4, Good: math.NaN(), Bad: 0.03}, {Radius: 2, Eps: 1e-4, Good: -1, Bad: 0.03}} {
		if _, _, err := TransferDetail(src, roundTrip, drawn, bad); err == nil {
			t.Errorf("thresholds %g, %g: no error", bad.Good, bad.Bad)
		}
	}
	if _, _, err := TransferDetail(src, roundTrip, image.NewNRGBA(image.Rect(0, 0, 32, 32)), DefaultDetail); err == nil {
		t.Error("an edit of another size: no error")
	}
	if _, _, err := TransferDetail(image.NewNRGBA(image.Rect(0, 0, 32, 32)), roundTrip, drawn, DefaultDetail); err == nil {
		t.Error("a source of another size: no error")
	}
}

// AlreadyDone says when the exact edit is the picture itself: the mirror
// of a symmetric picture, black and white of a grey one.
func TestAlreadyDone(t *testing.T) {
	lopsided := sticker()
	symmetric := MirrorImage(lopsided)
	for y := range 64 {
		for x := 32; x < 64; x++ {
			symmetric.SetNRGBA(x, y, symmetric.NRGBAAt(63-x, y))
		}
	}
	for _, c := range []struct {
		instruction string
		img         *image.NRGBA
		done        bool
	}{
		{"mirror it", lopsided, false},
		{"flip it horizontally", symmetric, true},
		{"make it black and white", lopsided, false},
		{"make it black and white", GrayImage(lopsided), true},
		{"invert the colours", GrayImage(lopsided), false},
		{"not an instruction", symmetric, false},
	} {
		if got := AlreadyDone(c.instruction, c.img); (got != "") != c.done {
			t.Errorf("%q: %q", c.instruction, got)
		}
	}
}

// GivenBackNote: an edit that gave back a picture that is its own exact
// edit is right (a note); one that gave back another is warned of; below
// NotTaken, nothing is said.
func TestGivenBackNote(t *testing.T) {
	lopsided := sticker()
	grey := GrayImage(lopsided)
	if msg, warn := GivenBackNote("make it black and white", grey, 1, nil); warn || !strings.Contains(msg, "shades of grey already") {
		t.Errorf("grey made black and white: %q %v", msg, warn)
	}
	if msg, warn := GivenBackNote("make it black and white", lopsided, 1, nil); !warn || !strings.Contains(msg, "did not take it") {
		t.Errorf("colour given back: %q %v", msg, warn)
	}
	for _, img := range []*image.NRGBA{grey, lopsided} {
		if msg, warn := GivenBackNote("make it black and white", img, NotTaken-0.01, nil); msg != "" || warn {
			t.Errorf("below NotTaken: %q %v", msg, warn)
		}
	}
}

// shiftImage returns img moved right by dx and down by dy, white filling
// what it uncovers.
func shiftImage(img *image.NRGBA, dx, dy int) *image.NRGBA {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.NRGBA{255, 255, 255, 255}
			if sx, sy := x-dx, y-dy; sx >= 0 && sx < w && sy >= 0 && sy < h {
				c = img.NRGBAAt(img.Rect.Min.X+sx, img.Rect.Min.Y+sy)
			}
			out.SetNRGBA(x, y, c)
		}
	}
	return out
}

// noisy adds to each pixel of img noise of its own (up to ±amp in each
// channel), as a tokenizer's codes, which do not fit a picture they never
// saw the like of (an inverted emoji), draw it.
func noisy(img *image.NRGBA, amp int, seed uint64) *image.NRGBA {
	out := normalized(img)
	out = &image.NRGBA{Pix: append([]uint8(nil), out.Pix...), Stride: out.Stride, Rect: out.Rect}
	r := rand.New(rand.NewPCG(seed, 1))
	w, h := out.Rect.Dx(), out.Rect.Dy()
	for y := range h {
		for x := range w {
			i := out.PixOffset(x, y)
			for c := range 3 {
				out.Pix[i+c] = uint8(min(max(int(out.Pix[i+c])+r.IntN(2*amp+1)-amp, 0), 255))
			}
		}
	}
	return out
}

// A colour table carries an edit that is a function of each pixel's
// colour through a drawing the tokenizer blurred and made noisy
// (an inverted emoji, whose dark background it never saw, came out
// 18.6 dB from its target with the neighbourhood maps, whose misfit
// thresholds give such pixels back as drawn): averaged over the picture,
// the noise cancels, and the source's pixels mapped come out closer to
// the exact target, a mirror's too (flipped first).
func TestColourTable(t *testing.T) {
	src := sticker()
	roundTrip := boxBlur(src, 1)
	for _, tc := range []struct {
		name string
		op   func(*image.NRGBA) *image.NRGBA
	}{
		{"invert", InvertImage},
		{"black and white", GrayImage},
		{"make it purple", func(img *image.NRGBA) *image.NRGBA { return RecolorImage(img, 280) }},
		{"mirror", MirrorImage},
	} {
		want, drawn := tc.op(src), noisy(tc.op(roundTrip), 40, 7)
		maps, _, err := TransferDetail(src, roundTrip, drawn, DefaultDetail)
		if err != nil {
			t.Fatal(err)
		}
		// Affine cells carry the sharp source's colours, which the blurred
		// round trip never reaches (the outline's black), by their slope:
		// cells of one mean colour each gave 25.6–26.9 dB at 8 bins.
		for _, bins := range []int{pixelOpBins, 8} {
			withTable := DefaultDetail
			withTable.ColourTable, withTable.TableMisfit = bins, pixelOpMisfit
			table, share, err := TransferDetail(src, roundTrip, drawn, withTable)
			if err != nil {
				t.Fatal(err)
			}
			asDrawn, byMaps, byTable := psnr.Images(want, drawn), psnr.Images(want, maps), psnr.Images(want, table)
			t.Logf("%s, %d bins: %.1f dB as drawn, %.1f with the maps, %.1f with the table (%.0f%% taken)", tc.name, bins, asDrawn, byMaps, byTable, 100*share)
			if byTable < 28.5 || byTable < byMaps+5 {
				t.Errorf("%s, %d bins: %.1f dB from the exact target with the colour table, %.1f with the neighbourhood maps, %.1f as drawn: want at least 28.5 dB and 5 more than the maps", tc.name, bins, byTable, byMaps, asDrawn)
			}
		}
	}
	// A drawing that is no function of the source's colours (another
	// picture: here the sticker shifted by a third of its width and
	// turned purple) is explained badly by any table: the maps take it.
	other := noisy(RecolorImage(shiftImage(roundTrip, 22, 0), 280), 40, 8)
	withTable := DetailFor("invert the colours", false)
	byMaps, _, err := TransferDetail(src, roundTrip, other, DefaultDetail)
	if err != nil {
		t.Fatal(err)
	}
	guarded, _, err := TransferDetail(src, roundTrip, other, withTable)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(guarded.Pix, byMaps.Pix) {
		t.Error("a drawing no table explains: not given to the neighbourhood maps")
	}
	for _, n := range []int{-1, 1, maxColourTable + 1} {
		bad := DefaultDetail
		bad.ColourTable, bad.TableMisfit = n, pixelOpMisfit
		if _, _, err := TransferDetail(src, roundTrip, roundTrip, bad); err == nil {
			t.Errorf("a colour table of %d bins: no error", n)
		}
	}
	for _, m := range []float64{0, -1, math.NaN()} {
		bad := DetailFor("invert the colours", false)
		bad.TableMisfit = m
		if _, _, err := TransferDetail(src, roundTrip, roundTrip, bad); err == nil {
			t.Errorf("a colour table's largest misfit %g: no error", m)
		}
	}
}

// DetailFor gives the colour table to the families whose edit is a
// function of each pixel's colour, and the neighbourhood maps to the rest
// and to wordings it does not know.
func TestDetailFor(t *testing.T) {
	for instruction, table := range map[string]bool{
		"invert the colours": true, "mirror it": true, "make it black and white": true, "make it red": true, "remove the background": true,
		"as a woman": false, "in the twemoji style": false, "medium-dark skin tone": false, "paint it like van gogh": false,
	} {
		if got := DetailFor(instruction, false).ColourTable > 0; got != table {
			t.Errorf("%q: colour table %v, want %v", instruction, got, table)
		}
		if f, _, _ := Parse(instruction); table {
			want := pixelOpBins
			if f == Background {
				want = backgroundBins
			}
			if got := DetailFor(instruction, false).ColourTable; got != want {
				t.Errorf("%q: a colour table of %d bins, want %d", instruction, got, want)
			}
			// Recolouring's table is fitted by least squares, the others'
			// robustly.
			if got := DetailFor(instruction, false).RobustTable; got != (f != Recolor) {
				t.Errorf("%q: robust table %v, want %v", instruction, got, f != Recolor)
			}
		}
		// A masked edit keeps the maps: the source given back outside the
		// mask would teach the table that the colours stay.
		if DetailFor(instruction, true).ColourTable != 0 {
			t.Errorf("%q masked: a colour table", instruction)
		}
	}
}

// A drawing with a part in a wrong colour (the sticker inverted, its blue
// square drawn green where its inverse is yellow, as the edit model
// draws a grey skunk green) pulls a least-squares table after it; the
// robust fit weighs that part down and takes the map the rest of the
// picture follows, so the source's pixels come out closer to the exact
// edit.
func TestRobustColourTable(t *testing.T) {
	src := sticker()
	roundTrip := boxBlur(src, 1)
	want := InvertImage(src)
	drawn := noisy(InvertImage(roundTrip), 20, 9)
	for y := 24; y < 38; y++ {
		for x := 4; x < 18; x++ {
			drawn.SetNRGBA(x, y, color.NRGBA{40, 170, 60, 255})
		}
	}
	from, to, sharp := planesOf(roundTrip), planesOf(drawn), planesOf(src)
	carried := func(tab *colourTable) float64 {
		out, _ := tab.apply(sharp)
		img := image.NewNRGBA(src.Rect)
		for i := range out[0] {
			for c := range 3 {
				img.Pix[4*i+c] = uint8(math.Round(255 * out[c][i]))
			}
			img.Pix[4*i+3] = 255
		}
		return psnr.Images(want, img)
	}
	robustly := func(to [3][]float64) float64 {
		return carried(fitColourTable(from, to, pixelOpBins, nil).refitRobustly(from, to))
	}
	plain, robust := carried(fitColourTable(from, to, pixelOpBins, nil)), robustly(to)
	t.Logf("least squares %.1f dB, robust %.1f dB from the exact edit", plain, robust)
	if robust < plain+3 {
		t.Errorf("robust table %.1f dB from the exact edit, least squares %.1f: want 3 dB more", robust, plain)
	}
	// TransferDetail takes the robust fit for invert (DetailFor), and it
	// carries the edit as the direct fit does.
	settings := DetailFor("invert the colours", false)
	robustOut, _, err := TransferDetail(src, roundTrip, drawn, settings)
	if err != nil {
		t.Fatal(err)
	}
	settings.RobustTable = false
	plainOut, _, err := TransferDetail(src, roundTrip, drawn, settings)
	if err != nil {
		t.Fatal(err)
	}
	if got, lsq := psnr.Images(want, robustOut), psnr.Images(want, plainOut); got < lsq+3 {
		t.Errorf("TransferDetail for invert: %.1f dB from the exact edit, %.1f without the robust fit: want 3 dB more", got, lsq)
	}
	// The misfit guard reads the least-squares table, as its threshold was
	// chosen on: a threshold between its misfit and the robust table's
	// (higher by design) keeps the table, where the maps would take it.
	lsq := fitColourTable(from, to, pixelOpBins, nil)
	lsqMisfit, robustMisfit := lsq.misfit(from, to), lsq.refitRobustly(from, to).misfit(from, to)
	if robustMisfit <= lsqMisfit {
		t.Fatalf("misfits: least squares %.4f, robust %.4f", lsqMisfit, robustMisfit)
	}
	guarded := DetailFor("invert the colours", false)
	guarded.TableMisfit = (lsqMisfit + robustMisfit) / 2
	_, tableShare, err := TransferDetail(src, roundTrip, drawn, guarded)
	if err != nil {
		t.Fatal(err)
	}
	_, mapsShare, err := TransferDetail(src, roundTrip, drawn, DefaultDetail)
	if err != nil {
		t.Fatal(err)
	}
	if tableShare == mapsShare {
		t.Errorf("a guard between the least-squares misfit %.4f and the robust one %.4f sent the picture to the maps (share %.3f)", lsqMisfit, robustMisfit, mapsShare)
	}
	// Without a wrong part, the robust fit is as good as least squares.
	clean := planesOf(noisy(InvertImage(roundTrip), 20, 9))
	plain, robust = carried(fitColourTable(from, clean, pixelOpBins, nil)), robustly(clean)
	if robust < plain-0.5 {
		t.Errorf("a drawing without a wrong part: robust %.1f dB, least squares %.1f", robust, plain)
	}
}

// planesOf is img's colour planes in [0, 1].
func planesOf(img *image.NRGBA) [3][]float64 { return guided.Planes(img) }

// A mirror asked for registers the source mirrored first: a nearly
// symmetric picture explains a mirror drawn about as well either way, and
// the source's own orientation was pasted back over it (a dog's face
// "mirrored" with its chin on the same side).
func TestMirrorRegistersTheSourceMirrored(t *testing.T) {
	const w, hole = 32, 10
	src := picture(w, 8, 24, hole, color.NRGBA{200, 40, 40, 255}) // symmetric but for the hole
	r := rand.New(rand.NewPCG(3, 3))
	edited := MirrorImage(src)
	for i := range edited.Pix { // drawn through a tokenizer: noise about as large as the hole's misfit
		if i%4 != 3 {
			edited.Pix[i] = uint8(max(0, min(255, int(edited.Pix[i])+r.IntN(101)-50)))
		}
	}
	mirrorHole := w - 1 - hole
	for _, mirrored := range []bool{false, true} {
		s := DetailFor("mirror it", false)
		s.Mirrored = mirrored
		out, _, err := TransferDetail(src, src, edited, s)
		if err != nil {
			t.Fatal(err)
		}
		holeWhite := out.NRGBAAt(mirrorHole, hole).G > 150 && out.NRGBAAt(hole, hole).G < 150
		if mirrored && !holeWhite {
			t.Errorf("mirror asked: the hole is not where the mirror puts it (%v there, %v at the source's place)", out.NRGBAAt(mirrorHole, hole), out.NRGBAAt(hole, hole))
		}
		if !mirrored && holeWhite {
			t.Error("the test's picture is not symmetric enough: the source as it is loses without Mirrored too")
		}
	}
	if !DetailFor("mirror it", false).Mirrored || DetailFor("invert the colours", false).Mirrored {
		t.Error("DetailFor: Mirrored is for a mirror alone")
	}
}
