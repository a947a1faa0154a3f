package ui

import (
	"bytes"
	"fmt"
	"image"
	"path/filepath"
	"strings"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/psnr"
	"github.com/tessera-studio/tessera/ui/core"
)

// maxImageFile bounds the size of an image file the studio reads.
const maxImageFile = 256 << 20

// opened is an image file made ready for the current model.
// largePixels is the picture size past which opening one returns its
// decoded pixels' memory to the system afterwards (4 megapixels: 16 MB
// and more as RGBA, plus the decoder's and resizer's copies).
const largePixels = 4 << 20

type opened struct {
	Tokens []int
	// Mask is the mask stored with the image (nil if none).
	Mask []bool
	// Record is Tessera's metadata (nil if the file has none).
	Record *pngmeta.Record
	// A1111 is the "parameters" text when there is no Tessera record.
	A1111 *pngmeta.Infotext
	// Rows is the image's height in patch rows: the model's grid, or more
	// for an image grown with Extend ↓.
	Rows int
	// Exact reports that the tokens came from the metadata, not from pixels.
	Exact bool
	// Picture is the file's picture at the model's scale when its record
	// says it keeps pixels its codes only approximate (extraKeptPixels: a
	// masked run's), or when it was encoded from its pixels and its codes
	// draw it under bundle.StoredExactDB (a photo); nil otherwise: the
	// document shows and saves it, and masked runs keep it outside their
	// mask.
	Picture *image.NRGBA
	// Approx says the record keeps such pixels but the file holds them
	// only about (a transparent or smoothly upscaled export): Picture is
	// the file's pixels flattened on white at the model's scale, nearer
	// the picture exported than its codes' drawing (which lost the
	// detail: a reopened transparent sticker came back blurred).
	Approx bool
	// Note tells the user something worth knowing (e.g. re-encoded).
	Note string
	// Large says the file's pixels took much memory (over largePixels):
	// OpenFile hands it back to the system once the image is encoded.
	Large bool
	// PSNR is how close the encoded picture comes back to the file's (at
	// the model's size), in dB; 0 when the codes came from the metadata.
	PSNR float64
	// Tinted says a grey picture comes back coloured (mean chroma at most
	// greyChroma in the file, above tintChroma after encoding): a model
	// that learnt colourful pictures may have no grey codes.
	Tinted bool
}

// Chroma bounds of opened.Tinted, in levels of max(R,G,B) − min(R,G,B)
// averaged over the picture: a grey gradient opened on the emoji model
// comes back at about 28 (grey 64 as rgb(84,56,58)).
const greyChroma, tintChroma = 4, 12

// meanChroma is the mean of max(R,G,B) − min(R,G,B) over img's pixels.
func meanChroma(img *image.NRGBA) float64 {
	b := img.Bounds()
	var sum float64
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			p := img.Pix[img.PixOffset(x, y):]
			sum += float64(max(p[0], p[1], p[2]) - min(p[0], p[1], p[2]))
		}
	}
	if n := b.Dx() * b.Dy(); n > 0 {
		return sum / float64(n)
	}
	return 0
}

// poorEncodingDB is the reconstruction PSNR below which opening an image
// warns that the model's codes change it visibly: a picture unlike the
// model's data (a photo or a grey gradient for the shapes model, a
// transparent drawing for emoji) comes back at 16–19 dB, the data the
// built-in models learnt at 21–34 dB on average.
const poorEncodingDB = 19

// openImageFile reads an image file (codebook.ImageFormats) and prepares it for b: from the
// stored tokens when it carries Tessera's metadata for the same model and
// its pixels are still the ones written with it, otherwise by resizing and encoding its pixels with b's codebook.
func openImageFile(path string, b *bundle.Bundle) (*opened, error) {
	data, err := codebook.ReadImageFile(path, maxImageFile)
	if err != nil {
		return nil, err
	}
	return openImageData(data, filepath.Base(path), b)
}

// openImageData is openImageFile for bytes already read; name is used in
// messages.
func openImageData(data []byte, name string, b *bundle.Bundle) (*opened, error) {
	img, err := codebook.DecodeImage(bytes.NewReader(data), name)
	if err != nil {
		return nil, err
	}
	gridRows, cols := b.Grid()
	o := &opened{Rows: gridRows}
	damaged := ""    // what is wrong with a Tessera record that cannot be read
	changed := false // the pixels are not the ones written with the record
	// Metadata that cannot be read is ignored: the pixels still open.
	if text, err := pngmeta.ReadText(bytes.NewReader(data)); err == nil {
		changed = pngmeta.PixelsChanged(text, img)
		rec, ok, err := pngmeta.ParseRecord(text)
		if ok && err != nil {
			// Said, as tessera info says it (the studio read the A1111
			// text or the pixels without a word).
			damaged = fmt.Sprintf("its Tessera record is damaged (%v): its pixels are read instead", err)
		}
		if ok && err == nil {
			o.Record = rec
		} else if s, ok := text[pngmeta.KeyParameters]; ok {
			p := pngmeta.ParseParameters(s)
			o.A1111 = &p
		}
	}
	if o.Record != nil {
		reason := tokensFit(o.Record, b)
		if reason == "" && changed {
			// Painted over since it was written, its metadata kept, as the
			// hash of its pixels it records says: its codes are not taken,
			// however closely they still draw it.
			reason = "its pixels are not the ones written with its recorded codes (they do not match the pixel hash it records): it was changed since it was written"
		}
		if bd := img.Bounds(); reason == "" && !o.Record.DrawnAt(bd.Dx(), bd.Dy()) {
			reason = fmt.Sprintf("its record describes a picture of %d×%d patches of %d px, and it is %d×%d px", o.Record.Grid[1], o.Record.Grid[0], o.Record.PatchSize, bd.Dx(), bd.Dy())
		}
		if reason == "" && o.Record.Grid[0] == gridRows {
			// Painted over since it was written, its metadata kept: the
			// codes no longer draw the picture.
			if ok, db := b.DrawsPicture(img, o.Record.Tokens); !ok {
				reason = fmt.Sprintf("its pixels are not what its recorded codes draw (%.1f dB PSNR): it was changed since it was written", db)
			}
		}
		if reason == "" {
			o.Tokens = append([]int(nil), o.Record.Tokens...)
			o.Rows = max(o.Record.Grid[0], gridRows)
			o.Exact = true
			if s, ok := o.Record.Extra[extraMask].(string); ok {
				o.Mask, _ = core.ParseMask(s, o.Rows*cols)
			}
			if kept, _ := o.Record.Extra[extraKeptPixels].(bool); kept {
				// At the size its codes draw (not the record's width and
				// height, which a crafted file may set to anything).
				o.Picture = codebook.AtSize(img, cols*b.PatchSize(), o.Rows*b.PatchSize())
				o.Approx = !pixelsExact(o.Record)
			}
			return o, nil
		}
		o.Note = fmt.Sprintf("%s: %s; its pixels were re-encoded", name, reason)
	}
	// Scaled once to the model's size (Encode would scale it the same
	// way), so the reconstruction is measured against what was encoded.
	w, h := b.ImageSize()
	fit := codebook.Fit(img, w, h)
	tokens, err := b.Encode(fit)
	if err != nil {
		return nil, fmt.Errorf("open image %s: %w", name, err)
	}
	o.Tokens = tokens
	o.Large = img.Bounds().Dx()*img.Bounds().Dy() > largePixels
	// Measured on the picture, not on the white around a picture of
	// another shape.
	at := codebook.PictureRect(img.Bounds().Dx(), img.Bounds().Dy(), w, h)
	picture, back := fit.SubImage(at).(*image.NRGBA), b.Decode(tokens).SubImage(at).(*image.NRGBA)
	o.PSNR = psnr.Images(picture, back)
	o.Tinted = meanChroma(picture) <= greyChroma && meanChroma(back) > tintChroma
	if o.PSNR < bundle.StoredExactDB {
		// The file's own pixels at the model's size: shown, kept outside a
		// masked run's mask and saved, as a masked run's result keeps
		// them (codes that draw it within StoredExactDB draw it as a
		// picture the studio saved: codes alone then). The canvas showed
		// the codes' drawing, and a photo regenerated under a small mask
		// came back blurred all over while its record said the pixels
		// outside the mask were kept.
		o.Picture = fit
	}
	if o.Note == "" {
		bd := img.Bounds()
		if w, h := b.ImageSize(); bd.Dx() != w || bd.Dy() != h {
			how := "resized"
			if bd.Dx()*h != bd.Dy()*w {
				how = "scaled to fit (on white, keeping its shape)"
			}
			o.Note = fmt.Sprintf("%s was %s from %d×%d to %d×%d for model %s", name, how, bd.Dx(), bd.Dy(), w, h, b.Name)
		}
	}
	if op, ok := img.(interface{ Opaque() bool }); ok && !op.Opaque() {
		// Flattened on white, as the models' data was drawn: said, or a
		// transparent logo on dark came back on white without a word.
		note := "its transparent parts are drawn on white"
		if o.Note != "" {
			note = o.Note + "; " + note
		}
		o.Note = note
	}
	if n := codebook.GIFFrames(data); n > 1 {
		note := fmt.Sprintf("an animated GIF: its first frame of %d", n)
		if o.Note != "" {
			note += "; " + o.Note
		}
		o.Note = note
	}
	if damaged != "" {
		o.Note = strings.TrimSuffix(damaged+"; "+o.Note, "; ")
	}
	return o, nil
}

// pixelsExact reports whether a picture written with rec holds its
// pixels exactly at the record's size (codebook.AtSize reads them back):
// not smoothed by a Lanczos upscale nor faded at its edges by a
// transparent background.
func pixelsExact(rec *pngmeta.Record) bool {
	if clear, _ := rec.Extra[extraTransparent].(bool); clear {
		return false
	}
	k := rec.ExtraInt(extraUpscale) // a float64 read back from JSON, an int made here
	f, _ := rec.Extra[extraFilter].(string)
	return k <= 1 || parseFilter(f) == Nearest
}

// tokensFit says why rec's tokens cannot be used with b ("" if they can).
// An image taller than the model's grid (grown with Extend ↓) fits when it
// has the model's columns and all its codes.
func tokensFit(rec *pngmeta.Record, b *bundle.Bundle) string {
	rows, cols := b.Grid()
	tall := rec.Grid[0] > rows && rec.Grid[0] <= min(core.MaxImageRows, codebook.MaxImageSide/b.PatchSize()) && rec.Grid[1] == cols // as Extend ↓ stops
	switch {
	case len(rec.Tokens) == 0:
		return "it holds no image codes"
	case rec.Grid != [2]int{rows, cols} && !tall || rec.PatchSize != b.PatchSize():
		return fmt.Sprintf("it was made on a %d×%d grid of %d px patches, the model uses %d×%d of %d px",
			rec.Grid[0], rec.Grid[1], rec.PatchSize, rows, cols, b.PatchSize())
	case rec.ModelHash != b.Model.Hash:
		return fmt.Sprintf("it was made with model %s (%s), not %s (%s)", rec.Model, rec.ModelHash, b.Name, b.Model.Hash)
	case tall && len(rec.Tokens) != rec.Grid[0]*cols:
		return fmt.Sprintf("it holds %d codes for its %d patches", len(rec.Tokens), rec.Grid[0]*cols)
	case len(rec.Tokens) > rows*cols && !tall:
		return fmt.Sprintf("it holds %d codes for %d patches", len(rec.Tokens), rows*cols)
	}
	K := b.Codes()
	for i, c := range rec.Tokens {
		if c < 0 || c >= K {
			return fmt.Sprintf("patch %d has code %d outside the codebook of %d", i, c, K)
		}
	}
	return ""
}
