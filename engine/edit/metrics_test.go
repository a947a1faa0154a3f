package edit

import (
	"image"
	"image/color"
	"math"
	"strings"
	"testing"
)

// UnchangedShare counts the changeable patches (the mask's, or all) that
// kept the source's code.
func TestUnchangedShare(t *testing.T) {
	src := []int{1, 2, 3, 4}
	if got := UnchangedShare(src, []int{1, 2, 9, 9}, nil); got != 0.5 {
		t.Errorf("no mask: %g, want 0.5", got)
	}
	if got := UnchangedShare(src, []int{1, 2, 9, 4}, []bool{false, false, true, true}); got != 0.5 {
		t.Errorf("mask over the last two: %g, want 0.5", got)
	}
	if got := UnchangedShare(src, []int{7, 7, 3, 4}, []bool{false, false, true, true}); got != 1 {
		t.Errorf("only unmasked patches changed: %g, want 1", got)
	}
	if got := UnchangedShare(src, src, []bool{false, false, false, false}); got != 0 {
		t.Errorf("nothing changeable: %g, want 0", got)
	}
}

// The warning comes at NotTaken and above, and explains a mask's pull.
func TestNotTakenWarning(t *testing.T) {
	if w := NotTakenWarning(NotTaken-0.01, nil); w != "" {
		t.Errorf("below NotTaken: %q", w)
	}
	w := NotTakenWarning(0.83, nil)
	if !strings.Contains(w, "83%") || strings.Contains(w, "reading order") {
		t.Errorf("unmasked: %q", w)
	}
	if w := NotTakenWarning(0.9, []bool{false, true, true}); !strings.Contains(w, "90% of the masked patches") || !strings.Contains(w, "reading order") {
		t.Errorf("masked: %q", w)
	}
	// A mask that starts at the top left is not told to start there.
	if w := NotTakenWarning(0.9, []bool{true, false, true}); !strings.Contains(w, "90% of the masked patches") || strings.Contains(w, "top left") {
		t.Errorf("masked from the top left: %q", w)
	}
}

// PSNRWithin measures the marked patches only: a difference elsewhere
// does not count, and with every patch it is PSNR.
func TestPSNRWithin(t *testing.T) {
	a, b := image.NewNRGBA(image.Rect(0, 0, 4, 4)), image.NewNRGBA(image.Rect(0, 0, 4, 4))
	for i := range a.Pix {
		a.Pix[i], b.Pix[i] = 100, 100
	}
	for y := range 2 { // the top-left 2×2 patch differs by 10 in every channel
		for x := range 2 {
			b.Pix[b.PixOffset(x, y)], b.Pix[b.PixOffset(x, y)+1], b.Pix[b.PixOffset(x, y)+2] = 110, 110, 110
		}
	}
	want := 10 * math.Log10(255*255/100.0)
	if got := PSNRWithin(a, b, []bool{true, false, false, false}, 2, 2); math.Abs(got-want) > 1e-9 {
		t.Errorf("the differing patch: %g dB, want %g", got, want)
	}
	if got := PSNRWithin(a, b, []bool{false, true, true, true}, 2, 2); got != MaxPSNR {
		t.Errorf("the equal patches: %g dB, want %g", got, float64(MaxPSNR))
	}
	if got, whole := PSNRWithin(a, b, nil, 2, 2), PSNR(a, b); math.Abs(got-whole) > 1e-9 {
		t.Errorf("every patch: %g dB, PSNR %g", got, whole)
	}
	if !math.IsNaN(PSNRWithin(a, b, []bool{false, false, false, false}, 2, 2)) || !math.IsNaN(PSNRWithin(a, b, nil, 3, 3)) {
		t.Error("nothing marked, or a grid that does not divide the picture, is not NaN")
	}
}

// An edit that recoloured a small shape on white changed every patch it
// could: the white around it is not counted as given back (it was: "the
// edit gave back 84% of the patches as they were" for a green triangle).
func TestChangeable(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for y := range 16 { // a red square over patches (0,0)–(1,1) of 8×8 px
		for x := range 16 {
			img.SetNRGBA(x, y, color.NRGBA{200, 20, 20, 255})
		}
	}
	count := func(m []bool) int {
		n := 0
		for _, b := range m {
			if b {
				n++
			}
		}
		return n
	}
	if got := count(Changeable("make it green", img, 8, 8, nil)); got != 9 { // the square and its neighbours
		t.Errorf("recolour: %d changeable patches, want 9", got)
	}
	if got := count(Changeable("mirror it", img, 8, 8, nil)); got != 18 { // and where the mirror puts them
		t.Errorf("mirror: %d changeable patches, want 18", got)
	}
	mask := make([]bool, 64)
	mask[0], mask[63] = true, true
	if got := Changeable("make it green", img, 8, 8, mask); count(got) != 1 || !got[0] {
		t.Errorf("within a mask: %v", got)
	}
	for _, instruction := range []string{"invert the colours", "paint it like van gogh"} {
		if got := Changeable(instruction, img, 8, 8, nil); got != nil {
			t.Errorf("%q: %d changeable patches, want every one (nil)", instruction, count(got))
		}
	}
	source, result := make([]int, 64), make([]int, 64)
	for i := range source {
		source[i], result[i] = i, i
	}
	for _, i := range []int{0, 1, 8, 9} {
		result[i] = 100 + i
	}
	all := UnchangedShare(source, result, nil)
	changeable := UnchangedShare(source, result, Changeable("make it green", img, 8, 8, nil))
	if all < NotTaken || changeable >= NotTaken {
		t.Errorf("unchanged: %.2f of all patches, %.2f of the changeable ones; want the first over %.2f and the second under", all, changeable, NotTaken)
	}
	if w, warn := GivenBackNote("make it green", img, changeable, nil); warn {
		t.Errorf("a recoloured square on white: warned %q", w)
	}
}
