package ui

import (
	"context"
	"fmt"
	"image"
	"image/gif"
	"io"
	"path/filepath"

	"github.com/tessera-studio/tessera/engine/atomicfile"
	"github.com/tessera-studio/tessera/engine/render"
	"github.com/tessera-studio/tessera/engine/tokenizer"
)

// Time-lapse settings: at most timelapseFrames frames (one per patch when
// the image has fewer patches), scaled up to about timelapseWidth pixels
// wide but no more than timelapseHeight high (tall images),
// timelapseDelay hundredths of a second a frame.
const (
	timelapseFrames = 400
	timelapseWidth  = 256
	timelapseHeight = 2048
	timelapseDelay  = 4
)

// timelapseGIF animates tokens (an image rows × cols patches) appearing
// patch by patch in the order they were generated, ending on final (nil:
// the codes' decode; the pixels a masked run kept, core.Document.Picture).
// It stops with ctx's error when ctx is done (the studio closing).
func timelapseGIF(ctx context.Context, cb tokenizer.Tokenizer, tokens []int, rows, cols int, final image.Image) (*gif.GIF, error) {
	n := len(tokens)
	p := cb.PatchSize()
	scale := max(1, min(timelapseWidth/(cols*p), timelapseHeight/(rows*p), MaxUpscale))
	prefix := func(k int) image.Image {
		if k == n && final != nil {
			return final
		}
		return cb.Decode(tokens[:k], rows, cols)
	}
	return render.Timelapse(ctx, prefix, n, min(n+1, timelapseFrames), scale, timelapseDelay, nil)
}

// ExportTimelapse writes the current image's generation, patch by patch
// from its stored codes, as an animated GIF at path, atomically. The file
// is encoded and written in the background; the status line or an error
// dialog tells how it went (see Wait).
func (s *Studio) ExportTimelapse(path string) error {
	if s.bundle == nil {
		return errNoModel
	}
	if s.doc == nil || s.doc.Empty() {
		return errNoImage
	}
	cb, tokens, rows, cols, final := s.bundle.Tokenizer, s.doc.Tokens(), s.doc.ImageRows(), s.doc.Cols, s.doc.Picture()
	s.setStatus("Writing the time-lapse…")
	s.goBackground(func() {
		err := atomicfile.Write(path, func(w io.Writer) error {
			var last image.Image
			if final != nil {
				last = final
			}
			anim, err := timelapseGIF(s.ctx, cb, tokens, rows, cols, last)
			if err != nil {
				return err
			}
			return render.EncodeGIF(w, anim)
		})
		if s.ctx.Err() != nil {
			return // the studio is closing: nothing to tell
		}
		s.loop.DoAndWait(func() {
			if err != nil {
				s.setStatus("The time-lapse was not written")
				s.showError(fmt.Errorf("export time-lapse: %w", err))
				return
			}
			s.set.SetExportDir(filepath.Dir(path))
			s.setStatus(fmt.Sprintf("Time-lapse of %d patches written to %s", len(tokens), path))
		})
	})
	return nil
}

// TimelapseAs writes the time-lapse to what was typed: a full path as it
// is, a name into the last export folder.
func (s *Studio) TimelapseAs(typed string) error {
	path, err := resolveSavePath(typed, s.files.exportDir(), ".gif")
	if err != nil {
		return fmt.Errorf("export time-lapse: %w", err)
	}
	return s.ExportTimelapse(path)
}
