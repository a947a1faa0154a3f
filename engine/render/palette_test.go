package render

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"math/rand/v2"
	"testing"

	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/psnr"
)

// toNRGBA copies a frame into an NRGBA picture.
func toNRGBA(img image.Image) *image.NRGBA {
	b := img.Bounds()
	out := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := range b.Dy() {
		for x := range b.Dx() {
			out.Set(x, y, img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return out
}

// A picture of at most 255 colours besides white comes out of the
// time-lapse exactly (scaled up), with white first in the palette; half
// transparent pixels are shown over white.
func TestTimelapseKeepsFewColoursExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	var cols []color.NRGBA
	for range 200 {
		cols = append(cols, color.NRGBA{uint8(rng.IntN(255)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255})
	}
	pic := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	for i := range 256 {
		pic.SetNRGBA(i%16, i/16, cols[rng.IntN(len(cols))])
	}
	pic.SetNRGBA(0, 0, color.NRGBA{0, 0, 0, 128}) // half black over white: 127
	anim, err := Timelapse(context.Background(), func(k int) image.Image { return pic }, 1, 2, 2, 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	last := anim.Image[len(anim.Image)-1]
	if last.Palette[0] != (color.RGBA{255, 255, 255, 255}) {
		t.Errorf("palette starts with %v, want white", last.Palette[0])
	}
	for y := range 32 {
		for x := range 32 {
			want := pic.NRGBAAt(x/2, y/2)
			if x < 2 && y < 2 {
				want = color.NRGBA{127, 127, 127, 255}
			}
			if got := color.NRGBAModel.Convert(last.At(x, y)).(color.NRGBA); got != want {
				t.Fatalf("pixel %d,%d: %v, want %v", x, y, got, want)
			}
		}
	}
}

// A picture of thousands of colours (a smooth gradient with noise, as
// generated pictures have) keeps close to its colours in 256.
func TestMedianCutOnManyColours(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	pic := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := range 64 {
			pic.SetNRGBA(x, y, color.NRGBA{uint8(4 * x), uint8(4 * y), uint8(128 + rng.IntN(64)), 255})
		}
	}
	pal := medianCut(pic)
	if len(pal) != maxPalette {
		t.Fatalf("%d colours, want %d", len(pal), maxPalette)
	}
	got := toNRGBA(paletted(pic, 1, pal, map[[3]uint8]uint8{}))
	// The fixed web-safe-like palette the time-lapse used before, for reference.
	fixed := toNRGBA(paletted(pic, 1, rgbaPalette(palette.Plan9), map[[3]uint8]uint8{}))
	db, ref := psnr.Images(pic, got), psnr.Images(pic, fixed)
	if db < 30 || db < ref+3 {
		t.Errorf("%.1f dB after quantising, want at least 30 and 3 dB above Plan9's %.1f", db, ref)
	}
	if len(medianCut()) != 1 || len(medianCut(codebook.Flatten(image.NewNRGBA(image.Rect(0, 0, 2, 2))))) != 1 {
		t.Error("a blank picture needs white only")
	}
}

// rgbaPalette converts a palette to the color.RGBA entries paletted reads.
func rgbaPalette(p color.Palette) color.Palette {
	out := make(color.Palette, len(p))
	for i, c := range p {
		out[i] = color.RGBAModel.Convert(c)
	}
	return out
}

// EncodeGIF's files decode as image/gif wrote them and say Tessera wrote
// them; image/gif's own output does not.
func TestEncodeGIFMarksTessera(t *testing.T) {
	pic := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	anim, err := Timelapse(context.Background(), func(k int) image.Image { return pic }, 2, 3, 1, 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ours, plain bytes.Buffer
	if err := EncodeGIF(&ours, anim); err != nil {
		t.Fatal(err)
	}
	if err := gif.EncodeAll(&plain, anim); err != nil {
		t.Fatal(err)
	}
	back, err := gif.DecodeAll(bytes.NewReader(ours.Bytes()))
	if err != nil || len(back.Image) != len(anim.Image) || back.Delay[len(back.Delay)-1] != 200 {
		t.Fatalf("decoded %v frames: %v", len(back.Image), err)
	}
	if !GIFWrittenByTessera(ours.Bytes()) || GIFWrittenByTessera(plain.Bytes()) {
		t.Error("only EncodeGIF's file says Tessera wrote it")
	}
}
