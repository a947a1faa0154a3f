package ui

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/sampler"
)

// prefExportDir remembers the folder of the last export.
const prefExportDir = "export.dir"

// showError shows err in a dialog; the studio carries on as it was.
func (s *Studio) showError(err error) {
	if err == nil {
		return
	}
	s.lastErr = err
	if s.closing {
		return
	}
	dialog.ShowError(err, s.win)
}

// LastError is the last error shown (nil if none).
func (s *Studio) LastError() error { return s.lastErr }

// OpenFile opens a PNG or JPEG as the current image: from its stored codes
// when it carries Tessera's metadata for this model (with its mask and
// parameters), else resized and encoded with the model's codebook. A file
// that cannot be read is reported and the current image stays.
func (s *Studio) OpenFile(path string) error {
	if s.bundle == nil {
		return errNoModel
	}
	b := s.bundle
	params := s.params
	return s.run.Start("opening an image", func(ctx context.Context) {
		o, err := openImageFile(path, b)
		s.loop.DoAndWait(func() { s.applyOpened(path, b, params, o, err) })
	})
}

// applyOpened makes an opened image current (UI goroutine).
func (s *Studio) applyOpened(path string, b *bundle.Bundle, p Params, o *opened, err error) {
	if err == nil && s.bundle != b {
		err = errors.New("the model changed while the image was read; open it again")
	}
	if err != nil {
		s.showDoc()
		s.setStatus("Could not open " + filepath.Base(path))
		s.showError(err)
		return
	}
	switch {
	case o.Record != nil:
		p = p.withRecord(o.Record)
	case o.A1111 != nil:
		p = p.withA1111(*o.A1111)
	}
	if err := s.doc.SetState(o.Tokens, o.Rows, o.Mask, p, path); err != nil {
		s.showDoc()
		s.showError(fmt.Errorf("open %s: %w", filepath.Base(path), err))
		return
	}
	if o.Record != nil || o.A1111 != nil {
		s.panel.SetParams(p)
		s.paramsChanged()
	}
	s.markSaved(o.Tokens, true)
	s.clearCandidates()
	s.docChanged()
	msg := "Opened " + filepath.Base(path)
	switch {
	case o.Exact:
		msg += " exactly, from its stored codes and parameters"
	case o.A1111 != nil:
		msg += " (encoded from its pixels; parameters read from its A1111 text)"
	default:
		msg += " (encoded from its pixels)"
	}
	if o.Note != "" {
		msg += " — " + o.Note
	}
	s.setStatus(msg)
	if len(o.Tokens) == b.Tokens() {
		s.scoreInBackground(b, p.Prompt, o.Tokens, msg)
	}
}

// scoreInBackground adds how likely the model finds tokens (bits per
// patch, lower is more typical) to the status line msg.
func (s *Studio) scoreInBackground(b *bundle.Bundle, prompt string, tokens []int, msg string) {
	workers := s.opt.Workers
	s.goBackground(func() {
		sc, err := sampler.ScoreTokens(s.ctx, b, prompt, tokens, workers)
		if err != nil {
			return
		}
		s.loop.Do(func() {
			if s.status.Text == msg {
				s.setStatus(fmt.Sprintf("%s · %.2f bits/patch under %s", msg, sc.BitsPerToken(), b.Name))
			}
		})
	})
}

// showOpenImageDialog asks for an image file and opens it.
func (s *Studio) showOpenImageDialog() {
	if s.bundle == nil {
		s.showError(errNoModel)
		return
	}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			s.showError(fmt.Errorf("open image: %w", err))
			return
		}
		if r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		s.report(s.OpenFile(path))
	}, s.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".png", ".jpg", ".jpeg", ".PNG", ".JPG", ".JPEG"}))
	d.Resize(dialogSize(s.win))
	d.Show()
}

// dropped opens what was dropped on the window: an image, or a model folder.
func (s *Studio) dropped(_ fyne.Position, uris []fyne.URI) {
	if len(uris) == 0 {
		return
	}
	p := uris[0].Path()
	if info, err := os.Stat(p); err == nil && info.IsDir() {
		s.report(s.OpenModelFolder(p))
		return
	}
	s.report(s.OpenFile(p))
}

// exportImage is the current image's picture and codes.
func (s *Studio) exportImage() (image.Image, []int, error) {
	if s.bundle == nil {
		return nil, nil, errNoModel
	}
	if s.doc == nil || s.doc.Empty() {
		return nil, nil, errNoImage
	}
	tokens := s.doc.Tokens()
	return decodeRows(s.bundle, tokens, s.doc.ImageRows()), tokens, nil
}

// ExportTo writes the current image as a PNG at path with its metadata,
// upscaled by the export settings, atomically.
func (s *Studio) ExportTo(path string) error {
	img, tokens, err := s.exportImage()
	if err != nil {
		return err
	}
	p := s.doc.ImageParams()
	rec := recordFor(s.opt.Version, s.bundle, p, p.Seed, tokens, s.doc.Mask(), parentName(s.doc.Parent), "export")
	setRecordRows(&rec, s.doc.ImageRows())
	if temps := s.doc.Temperature(); temps != nil {
		rec.Extra[extraTemperature] = temps
	}
	if err := exportPNG(path, img, s.set.Scale(), s.set.Filter(), rec); err != nil {
		return err
	}
	s.markSaved(tokens, true)
	s.app.Preferences().SetString(prefExportDir, filepath.Dir(path))
	s.autosave()
	s.setStatus(fmt.Sprintf("Exported %s (%d×, %s)", path, s.set.Scale(), s.set.Filter()))
	return nil
}

// showExportDialog asks where to export and exports there.
func (s *Studio) showExportDialog() {
	if _, _, err := s.exportImage(); err != nil {
		s.showError(err)
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			s.showError(fmt.Errorf("export: %w", err))
			return
		}
		if w == nil {
			return
		}
		path := w.URI().Path()
		w.Close() // the file is written atomically below, not through w
		if err := s.ExportTo(path); err != nil {
			// the dialog created path empty; leave no broken file behind
			if info, serr := os.Stat(path); serr == nil && info.Size() == 0 {
				os.Remove(path)
			}
			s.showError(err)
		}
	}, s.win)
	d.SetFileName(s.exportName())
	d.SetFilter(storage.NewExtensionFileFilter([]string{".png"}))
	if dir := s.app.Preferences().String(prefExportDir); dir != "" {
		if l, err := storage.ListerForURI(storage.NewFileURI(dir)); err == nil {
			d.SetLocation(l)
		}
	}
	d.Resize(dialogSize(s.win))
	d.Show()
}

// exportName suggests a file name from the prompt and seed.
func (s *Studio) exportName() string {
	p := s.doc.ImageParams()
	words := strings.Fields(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return ' '
	}, p.Prompt))
	name := strings.Join(words[:min(len(words), 5)], "-")
	if name == "" {
		name = "tessera"
	}
	return fmt.Sprintf("%s-%d.png", strings.ToLower(name), p.Seed)
}

// CopyImage puts the current image (upscaled by the export scale) on the
// system clipboard.
func (s *Studio) CopyImage() {
	img, _, err := s.exportImage()
	if err != nil {
		s.showError(err)
		return
	}
	data, err := encodePNG(upscale(img, s.set.Scale(), s.set.Filter()))
	if err != nil {
		s.showError(fmt.Errorf("copy image: %w", err))
		return
	}
	parent := s.doc.Parent
	clip := s.clip
	s.goBackground(func() {
		err := clip(s.ctx, data)
		s.loop.Do(func() {
			if err == nil {
				s.setStatus("Image copied to the clipboard")
				return
			}
			if parent != "" {
				s.app.Clipboard().SetContent(parent)
				err = fmt.Errorf("copy image: %w; the path of its file was copied instead", err)
			}
			s.showError(err)
		})
	})
}

// loadThumbnail decodes a PNG for the history strip, with Tessera's
// metadata record when it has one (nil otherwise).
func loadThumbnail(path string) (image.Image, *pngmeta.Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		return nil, nil, fmt.Errorf("thumbnail %s: %w", path, err)
	}
	if cfg.Width > 2048 || cfg.Height > 2048 {
		return nil, nil, fmt.Errorf("thumbnail %s: too large", path)
	}
	if _, err := f.Seek(0, 0); err != nil {
		return nil, nil, err
	}
	img, err := png.Decode(f)
	if err != nil {
		return nil, nil, fmt.Errorf("thumbnail %s: %w", path, err)
	}
	var rec *pngmeta.Record
	if _, err := f.Seek(0, 0); err == nil {
		if text, err := pngmeta.ReadText(f); err == nil {
			if r, ok, err := pngmeta.ParseRecord(text); ok && err == nil {
				rec = r
			}
		}
	}
	return img, rec, nil
}

// SetOutputsDir changes the outputs folder and reloads the history.
func (s *Studio) SetOutputsDir(dir string) error {
	if dir == "" {
		return errors.New("outputs folder: no folder given")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("outputs folder: %w", err)
	}
	s.outputsDir = dir
	s.set.SetOutputs(dir)
	s.loadHistory()
	s.setStatus("Results are saved in " + dir)
	return nil
}

// showSettings shows the settings dialog.
func (s *Studio) showSettings() {
	dir := widget.NewEntry()
	dir.SetText(s.outputsDir)
	browse := widget.NewButton("Browse…", func() {
		d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
			if err == nil && u != nil {
				dir.SetText(u.Path())
			}
		}, s.win)
		d.Resize(dialogSize(s.win))
		d.Show()
	})
	grid := widget.NewCheck("Show patch grid lines", nil)
	grid.SetChecked(s.canvas.GridLines())
	items := []*widget.FormItem{
		widget.NewFormItem("Outputs folder", container.NewBorder(nil, nil, nil, browse, dir)),
		widget.NewFormItem("Canvas", grid),
	}
	dialog.ShowForm("Settings", "Save", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		s.canvas.SetGridLines(grid.Checked)
		s.edit.grid.SetChecked(grid.Checked)
		s.set.SetGrid(grid.Checked)
		if d := strings.TrimSpace(dir.Text); d != s.outputsDir {
			s.report(s.SetOutputsDir(d))
		}
	}, s.win)
}

// showAbout shows the About dialog.
func (s *Studio) showAbout() {
	dialog.ShowCustom("About Tessera", "Close", AboutContent(s.opt.Version), s.win)
}
