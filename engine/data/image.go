package data

import (
	"image"
	"image/draw"
)

// opaque returns img as an opaque NRGBA image with its top-left corner at
// (0, 0), alpha composited on white.
func opaque(img image.Image) *image.NRGBA {
	b := img.Bounds()
	out := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	if src, ok := img.(*image.NRGBA); ok {
		for y := 0; y < b.Dy(); y++ {
			s := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):][:4*b.Dx()]
			d := out.Pix[out.PixOffset(0, y):][:4*b.Dx()]
			for i := 0; i < len(s); i += 4 {
				a := uint32(s[i+3])
				bg := 255 * (255 - a)
				d[i] = uint8((uint32(s[i])*a + bg + 127) / 255)
				d[i+1] = uint8((uint32(s[i+1])*a + bg + 127) / 255)
				d[i+2] = uint8((uint32(s[i+2])*a + bg + 127) / 255)
				d[i+3] = 255
			}
		}
		return out
	}
	// General case: draw the image over white, which composites premultiplied
	// colour exactly, then the result is opaque so NRGBA equals RGBA.
	rgba := image.NewRGBA(out.Rect)
	draw.Draw(rgba, rgba.Rect, image.White, image.Point{}, draw.Src)
	draw.Draw(rgba, rgba.Rect, img, b.Min, draw.Over)
	copy(out.Pix, rgba.Pix)
	return out
}
