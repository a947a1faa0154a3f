package render

import (
	"image"
	"image/color"
	"image/draw"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Labels name a sheet's rows (the prompts) and columns (styles or seeds).
type Labels struct {
	Rows, Cols []string
}

// labelSize is the text size of sheet labels, in pixels.
const labelSize = 12

// maxRowLabel is the widest a row label gets, in pixels; longer ones are
// cut with "…".
const maxRowLabel = 220

// labelFace is Go Regular at labelSize px (basicfont's 7×13 if it cannot
// be read, which does not happen with the embedded font).
func labelFace() font.Face {
	f, err := opentype.Parse(goregular.TTF)
	if err == nil {
		if face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: labelSize, DPI: 72, Hinting: font.HintingFull}); err == nil {
			return face
		}
	}
	return basicfont.Face7x13
}

// margins are the label band's width on the left and height on top that
// labels need with face (0 for no labels), gap included.
func (l Labels) margins(face font.Face, gap int) (left, top int) {
	for _, s := range l.Rows {
		left = max(left, font.MeasureString(face, s).Ceil())
	}
	if left > 0 {
		left = min(left, maxRowLabel) + 2*gap // a gap before the label and one after (LabelledSheet draws it gap in)
	}
	for _, s := range l.Cols {
		if s != "" {
			top = face.Metrics().Height.Ceil() + gap
			break
		}
	}
	return left, top
}

// LabelledSheetSize is the width and height in pixels of LabelledSheet.
func LabelledSheetSize(rows, cols, cell, gap int, l Labels) (w, h int) {
	left, top := l.margins(labelFace(), gap)
	w, h = SheetSize(rows, cols, cell, gap)
	return w + left, h + top
}

// LabelledSheet is Sheet with each row's label left of it (cut with "…"
// past maxRowLabel pixels) and each column's label over it (cut to the
// cell's width), in dark grey Go Regular on the white: a sheet that says
// what its cells are.
func LabelledSheet(rows [][]image.Image, cell, gap int, l Labels) *image.NRGBA {
	face := labelFace()
	left, top := l.margins(face, gap)
	grid := Sheet(rows, cell, gap)
	out := image.NewNRGBA(image.Rect(0, 0, grid.Rect.Dx()+left, grid.Rect.Dy()+top))
	draw.Draw(out, out.Rect, image.White, image.Point{}, draw.Src)
	draw.Draw(out, grid.Rect.Add(image.Pt(left, top)), grid, image.Point{}, draw.Src)
	ink := image.NewUniform(color.NRGBA{R: 0x30, G: 0x30, B: 0x30, A: 0xff})
	d := &font.Drawer{Dst: out, Src: ink, Face: face}
	m := face.Metrics()
	say := func(s string, x, width, yCentre int) {
		s = cut(face, s, width)
		d.Dot = fixed.P(x, yCentre+(m.Ascent.Ceil()-m.Descent.Ceil())/2)
		d.DrawString(s)
	}
	for i, s := range l.Rows {
		if i < len(rows) && left > 0 {
			say(s, gap, left-2*gap, top+gap+i*(cell+gap)+cell/2)
		}
	}
	for j, s := range l.Cols {
		if top > 0 {
			w := font.MeasureString(face, cut(face, s, cell)).Ceil()
			say(s, left+gap+j*(cell+gap)+max(0, (cell-w)/2), cell, gap+(top-gap)/2)
		}
	}
	return out
}

// cut is s, or as much of it as fits width pixels with "…" after it.
func cut(face font.Face, s string, width int) string {
	if font.MeasureString(face, s).Ceil() <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 {
		r = r[:len(r)-1]
		if t := string(r) + "…"; font.MeasureString(face, t).Ceil() <= width {
			return t
		}
	}
	return ""
}
