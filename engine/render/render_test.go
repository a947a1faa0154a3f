package render

import (
	"context"
	"errors"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/image/font"
)

func TestNLLMapScalesToTheLargestValue(t *testing.T) {
	img := NLLMap([]float64{0, 1, 2, 4}, 2, 2, 1, 0)
	if b := img.Bounds(); b.Dx() != 256 || b.Dy() != 256 {
		t.Fatalf("size %v, want 256×256 (2 patches of 128)", b)
	}
	if got := img.NRGBAAt(0, 0); got != Ramp(0) {
		t.Errorf("coolest patch %v, want %v", got, Ramp(0))
	}
	if got := img.NRGBAAt(255, 255); got != Ramp(1) {
		t.Errorf("hottest patch %v, want %v", got, Ramp(1))
	}
	if got := img.NRGBAAt(200, 10); got != Ramp(0.25) {
		t.Errorf("patch 1 %v, want %v", got, Ramp(0.25))
	}
	// On a fixed scale (SurpriseTop) values compare across maps: 2 nats
	// of 8 is a quarter of the ramp, and 16 takes its top colour.
	fixed := NLLMap([]float64{0, 2, 16, 1}, 2, 2, 1, 8)
	if fixed.NRGBAAt(200, 10) != Ramp(0.25) || fixed.NRGBAAt(10, 200) != Ramp(1) {
		t.Errorf("on a scale of 8 nats: %v %v, want %v %v", fixed.NRGBAAt(200, 10), fixed.NRGBAAt(10, 200), Ramp(0.25), Ramp(1))
	}
	if top := SurpriseTop(1024); math.Abs(top-6.931) > 0.001 {
		t.Errorf("SurpriseTop(1024) = %v, want ln 1024", top)
	}
	if Ramp(-1) != Ramp(0) || Ramp(2) != Ramp(1) {
		t.Error("ramp does not clamp")
	}
}

func TestTimelapseShowsPrefixes(t *testing.T) {
	// prefix(k) paints the first k of 4 pixels black on a 2×2 transparent image.
	prefix := func(k int) image.Image {
		img := image.NewNRGBA(image.Rect(0, 0, 2, 2))
		for i := 0; i < k; i++ {
			img.SetNRGBA(i%2, i/2, color.NRGBA{0, 0, 0, 255})
		}
		return img
	}
	var calls [][2]int
	anim, err := Timelapse(context.Background(), prefix, 4, 10, 1, 5, func(done, total int) { calls = append(calls, [2]int{done, total}) })
	if err != nil {
		t.Fatal(err)
	}
	if len(anim.Image) != 5 {
		t.Fatalf("%d frames, want 5 (k = 0…4)", len(anim.Image))
	}
	if len(calls) != 5 || calls[0] != [2]int{1, 5} || calls[4] != [2]int{5, 5} {
		t.Errorf("progress %v, want 1 of 5 … 5 of 5", calls)
	}
	for k, frame := range anim.Image {
		for i := 0; i < 4; i++ {
			r, _, _, _ := frame.At(i%2, i/2).RGBA()
			if black := r < 0x1000; black != (i < k) {
				t.Fatalf("frame %d pixel %d black=%v", k, i, black)
			}
		}
	}
	if anim.Delay[4] != 200 || anim.Delay[0] != 5 {
		t.Errorf("delays %v", anim.Delay)
	}
	// Patches grouped: 5 patches in at most 3 frames are k = 0, 3, 5.
	calls = nil
	if grouped, err := Timelapse(context.Background(), prefix, 5, 3, 1, 5, func(done, total int) { calls = append(calls, [2]int{done, total}) }); err != nil || len(grouped.Image) != 3 || calls[2] != [2]int{3, 3} {
		t.Errorf("grouped: progress %v, %v", calls, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Timelapse(ctx, prefix, 4, 10, 1, 5, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestUpscaleKeepsColoursValid: a picture fading out to transparent,
// smoothed, has no colour above its alpha (the overshoot of the Lanczos
// lobes decoded to stray greens), and nearest keeps the pixels exact.
func TestUpscaleKeepsColoursValid(t *testing.T) {
	// Transparent pixels, faint edges and opaque colours side by side,
	// as a sticker's outline has them.
	img := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.IntN(256))
		if i%4 == 3 && rng.IntN(3) == 0 {
			img.Pix[i] = 0
		}
	}
	smooth := Upscale(img, 4, true)
	rgba, ok := smooth.(*image.RGBA)
	if !ok {
		t.Fatalf("smooth upscale gave %T", smooth)
	}
	for i := 0; i < len(rgba.Pix); i += 4 {
		if a := rgba.Pix[i+3]; rgba.Pix[i] > a || rgba.Pix[i+1] > a || rgba.Pix[i+2] > a {
			t.Fatalf("pixel %d: premultiplied %v above its alpha", i/4, rgba.Pix[i:i+4])
		}
	}
	near := Upscale(img, 3, false)
	for y := range 24 {
		for x := range 24 {
			if color.NRGBAModel.Convert(near.At(x, y)) != img.NRGBAAt(x/3, y/3) {
				t.Fatalf("nearest pixel %d,%d: %v", x, y, near.At(x, y))
			}
		}
	}
	if Upscale(img, 1, true) != image.Image(img) {
		t.Fatal("factor 1 copied the picture")
	}
}

// A row label is cut only past maxRowLabel: the label band fits the
// widest label whole ("cat face" was drawn "cat f…", the band one gap
// short of the label it was measured on).
func TestRowLabelsFitTheirBand(t *testing.T) {
	face := labelFace()
	for _, gap := range []int{0, 4, 8} {
		l := Labels{Rows: []string{"cat face", "rocket"}}
		left, _ := l.margins(face, gap)
		for _, s := range l.Rows {
			if got := cut(face, s, left-2*gap); got != s {
				t.Errorf("gap %d: %q drawn %q in a band of %d px", gap, s, got, left)
			}
		}
		long := Labels{Rows: []string{"smiling face with heart-shaped eyes and many more words than fit"}}
		left, _ = long.margins(face, gap)
		if got := cut(face, long.Rows[0], left-2*gap); !strings.HasSuffix(got, "…") || font.MeasureString(face, got).Ceil() > maxRowLabel {
			t.Errorf("gap %d: a long label drawn %q", gap, got)
		}
	}
}

// A time-lapse that would not fit a GIF, or would hold gigabytes, is
// refused before any frame is drawn.
func TestCheckTimelapse(t *testing.T) {
	for _, c := range []struct {
		n, w, h, frames, scale int
		want                   string // "" for no error
	}{
		{64, 64, 64, 120, 4, ""},
		{64, 64, 64, 4096, 16, ""},                 // 65 frames of 1024×1024
		{8192, 64, 8192, 2, 16, "a GIF's side"},    // 1024×131072
		{1000, 64, 1000, 4096, 16, "GB of memory"}, // 1001 frames of 1024×16000: 16.7 GB
		{1000, 64, 1000, 120, 16, ""},              // 113 frames of it: 1.9 GB
	} {
		err := CheckTimelapse(c.n, c.w, c.h, c.frames, c.scale)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%+v: %v, want %q", c, err, c.want)
		}
	}
}

// The map of a tall picture is no taller than Tessera opens.
func TestNLLMapOfATallPicture(t *testing.T) {
	if b := NLLMap(make([]float64, 8*8), 8, 8, 8, 0).Bounds(); b.Dx() != 256 || b.Dy() != 256 {
		t.Errorf("a 64×64 picture's map is %v, want 256×256", b.Size())
	}
	if b := NLLMap(make([]float64, 1024*8), 1024, 8, 8, 0).Bounds(); b.Dx() != 64 || b.Dy() != 8192 {
		t.Errorf("a 64×8192 picture's map is %v, want 64×8192", b.Size())
	}
}

// An interrupt after the last frame is drawn stops the time-lapse while
// its frames are scaled and mapped to the palette (Ctrl-C waited for a
// thousand large frames).
func TestTimelapseStopsWhileMappingFrames(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	prefix := func(int) image.Image { return image.NewNRGBA(image.Rect(0, 0, 8, 8)) }
	_, err := Timelapse(ctx, prefix, 4, 10, 2, 10, func(done, total int) {
		if done == total {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled after the last frame: %v", err)
	}
}

// The likelihood sheet shows the picture beside its map, frames the least
// likely patch and puts the scale under them.
func TestLikelihoodSheet(t *testing.T) {
	pic := image.NewNRGBA(image.Rect(0, 0, 8, 8)) // 2×2 patches of 4 px
	for i := range pic.Pix {
		pic.Pix[i] = 255 // white
	}
	pic.SetNRGBA(0, 0, color.NRGBA{R: 255, A: 255})
	values := []float64{0.1, 0.2, 5, 0.3} // patch 2 (row 2, col 1) the least likely
	sheet := LikelihoodSheet(pic, values, 2, 2, 4, 7, "pic.png under model m")
	w := NLLMap(values, 2, 2, 4, 7).Rect.Dx() // 256: the map's own size
	if sheet.Rect.Dx() != 2*w+24 || sheet.Rect.Dy() <= w+24 {
		t.Fatalf("sheet %v for a %d-px map", sheet.Rect, w)
	}
	if c := sheet.NRGBAAt(8+1, 8+1); c.R != 255 || c.G != 0 {
		t.Errorf("the picture's red corner is %v on the sheet", c)
	}
	side := w / 2
	frameAt := sheet.NRGBAAt(16+w, 8+side) // the map's patch (1, 0): its top-left corner
	if frameAt != (color.NRGBA{R: 255, G: 60, B: 60, A: 255}) {
		t.Errorf("the least likely patch is not framed: %v", frameAt)
	}
	if c := sheet.NRGBAAt(16+w, 8); c == (color.NRGBA{R: 255, G: 60, B: 60, A: 255}) {
		t.Error("a likely patch is framed too")
	}
}

// The last frame holds 2 s, or the frames' delay when that is longer (a
// slower animation's last frame was its shortest).
func TestTimelapseLastFrameHolds(t *testing.T) {
	prefix := func(int) image.Image { return image.NewNRGBA(image.Rect(0, 0, 2, 2)) }
	for _, c := range []struct{ delay, last int }{{5, 200}, {300, 300}} {
		anim, err := Timelapse(context.Background(), prefix, 4, 10, 1, c.delay, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := anim.Delay[len(anim.Delay)-1]; got != c.last || anim.Delay[0] != c.delay {
			t.Errorf("delay %d: the last frame holds %d, the first %d; want %d", c.delay, got, anim.Delay[0], c.last)
		}
	}
}
