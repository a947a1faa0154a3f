package nearest

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"testing"

	"github.com/nfnt/resize"

	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/internal/imagetest"
)

// TestIndexFindsTheNearest checks the nearest-neighbour judge of eval-prompts:
// label and style of the closest reference image, at any input size.
func TestIndexFindsTheNearest(t *testing.T) {
	red, green := color.NRGBA{220, 30, 30, 255}, color.NRGBA{30, 200, 40, 255}
	ref := New([]data.Sample{
		{Key: "apple", Style: "google", Image: imagetest.Solid(red, 64)},
		{Key: "leaf", Style: "twitter", Image: imagetest.Solid(green, 64)},
	}, 32)
	for _, c := range []struct {
		img          image.Image
		label, style string
	}{
		{imagetest.Solid(color.NRGBA{200, 50, 40, 255}, 32), "apple", "google"},
		{imagetest.Solid(color.NRGBA{60, 180, 60, 255}, 128), "leaf", "twitter"},
	} {
		if i := ref.Index(c.img); ref.Samples[i].Key != c.label || ref.Samples[i].Style != c.style {
			l, s := ref.Samples[i].Key, ref.Samples[i].Style
			t.Errorf("nearest = %s/%s, want %s/%s", l, s, c.label, c.style)
		}
	}
}

// TestIndexBeyondTheShortlist checks the judge among more images than its
// thumbnail shortlist (TestIndexFullSizeDecides shows the full-size stage
// at work).
func TestIndexBeyondTheShortlist(t *testing.T) {
	var samples []data.Sample
	for i := range 3 * shortlist {
		v := uint8(i)
		samples = append(samples, data.Sample{Key: fmt.Sprint(i), Style: "google", Image: imagetest.Solid(color.NRGBA{v, 255 - v, 100, 255}, 64)})
	}
	ref := New(samples, 64)
	for _, want := range []int{0, 77, 150} {
		v := uint8(want)
		if l := ref.Samples[ref.Index(imagetest.Solid(color.NRGBA{v, 255 - v, 101, 255}, 64))].Key; l != fmt.Sprint(want) {
			t.Errorf("nearest = %s, want %d", l, want)
		}
	}
}

// TestIndexFullSizeDecides checks that the shortlist's full-size
// comparison, not the thumbnails, picks the nearest: a fine checkerboard's
// 16×16 thumbnail blown up to full size (a smooth grey) has a thumbnail
// nearer the checkerboard's than a checkerboard of lower contrast has, yet
// at full size the lower-contrast checkerboard is the nearer picture.
func TestIndexFullSizeDecides(t *testing.T) {
	board := func(lo, hi uint8) *image.NRGBA {
		img := image.NewNRGBA(image.Rect(0, 0, 64, 64))
		for y := range 64 {
			for x := range 64 {
				v := lo
				if (x+y)%2 == 1 {
					v = hi
				}
				img.SetNRGBA(x, y, color.NRGBA{v, v, v, 255})
			}
		}
		return img
	}
	query := board(0, 255)
	th := PackRGB(query, thumb, resize.Bilinear)
	// The decoy is the query's thumbnail blown up (nearest neighbour): its
	// own thumbnail is all but the query's, its pixels a flat grey.
	small := image.NewNRGBA(image.Rect(0, 0, thumb, thumb))
	for i := range thumb * thumb {
		copy(small.Pix[4*i:], th[3*i:3*i+3])
		small.Pix[4*i+3] = 255
	}
	decoy := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	draw.Draw(decoy, decoy.Bounds(), resize.Resize(64, 64, small, resize.NearestNeighbor), image.Point{}, draw.Src)
	ref := New([]data.Sample{{Key: "decoy", Image: decoy}, {Key: "board", Image: board(100, 155)}}, 64)
	if d0, d1 := sqDiff(th, ref.thumbs[0]), sqDiff(th, ref.thumbs[1]); d0 >= d1 {
		t.Fatalf("the decoy's thumbnail is no nearer the query's (%d) than the board's (%d): the test no longer tells the stages apart", d0, d1)
	}
	if got := ref.Samples[ref.Index(query)].Key; got != "board" {
		t.Errorf("nearest to a checkerboard = %s, want the lower-contrast board", got)
	}
}

// TestNearCopy checks the memorisation judge: a sample within 25 dB of its
// nearest dataset image is a near-copy, a clearly different one is not.
func TestNearCopy(t *testing.T) {
	red := color.NRGBA{220, 30, 30, 255}
	ref := New([]data.Sample{{Key: "apple", Caption: "red apple google", Image: imagetest.Solid(red, 64)}}, 64)
	if near, _ := ref.NearCopy(imagetest.Solid(color.NRGBA{222, 31, 29, 255}, 32), 0); !near {
		t.Error("an almost identical picture is not a near-copy")
	}
	if near, psnr := ref.NearCopy(imagetest.Solid(color.NRGBA{150, 90, 30, 255}, 64), 0); near {
		t.Errorf("a different colour is a near-copy (%.1f dB)", psnr)
	}
}

func TestEmptySetAndIdentical(t *testing.T) {
	if i := New(nil, 8).Index(imagetest.Solid(color.NRGBA{1, 2, 3, 255}, 8)); i != -1 {
		t.Errorf("empty set: index %d", i)
	}
	red := imagetest.Solid(color.NRGBA{220, 30, 30, 255}, 8)
	s := New([]data.Sample{{Key: "a", Image: red}, {Key: "b", Image: red}, {Key: "c", Image: imagetest.Solid(color.NRGBA{0, 0, 0, 255}, 8)}}, 8)
	if !s.Identical(0, 1) || s.Identical(0, 2) {
		t.Error("Identical disagrees with the pixels")
	}
}
