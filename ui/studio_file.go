package ui

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/ui/core"
	"github.com/tessera-studio/tessera/ui/widgets"
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
func (s *Studio) applyOpened(path string, b *bundle.Bundle, p core.Params, o *opened, err error) {
	if err == nil && s.bundle != b {
		err = errors.New("the model changed while the image was read; open it again")
	}
	if err != nil {
		s.showDoc()
		s.setStatus("Could not open " + filepath.Base(path))
		s.showError(err)
		return
	}
	ip := p // the image's own parameters, with its own seed
	switch {
	case o.Record != nil:
		p = p.WithRecord(o.Record)
		ip = p
		ip.Seed = o.Record.Seed
	case o.A1111 != nil:
		p = p.WithA1111(*o.A1111)
		ip = p
		ip.Seed = o.A1111.Seed
	}
	var temps []float64
	if o.Record != nil && o.Exact {
		temps = recordTemperatures(o.Record, o.Rows*s.doc.Cols)
	}
	s.stopReplay()
	if err := s.doc.SetState(o.Tokens, o.Rows, o.Mask, temps, ip, path); err != nil {
		s.showDoc()
		s.showError(fmt.Errorf("open %s: %w", filepath.Base(path), err))
		return
	}
	if o.Record != nil || o.A1111 != nil {
		s.panel.SetParams(p)
		s.paramsChanged()
	}
	s.markSaved(o.Tokens, true)
	s.cands.clear()
	s.setOverlays(s.doc.Masked() > 0 || s.doc.Temperature() != nil) // what came with the file is seen
	s.docChanged()
	msg := "Opened " + filepath.Base(path)
	if p.SeedLocked && p.Seed != ip.Seed {
		msg += fmt.Sprintf(" (its seed is %d; your locked seed %d stays)", ip.Seed, p.Seed)
	}
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
	if len(o.Tokens) == b.ImageTokens() {
		s.scoreInBackground(b, p.Prompt, o.Tokens, msg)
	}
}

// recordTemperatures reads the temperature map stored with an image (nil
// if none, or if it does not fit its n patches).
func recordTemperatures(rec *pngmeta.Record, n int) []float64 {
	raw, ok := rec.Extra[extraTemperature].([]any)
	if !ok || len(raw) != n {
		return nil
	}
	out := make([]float64, n)
	for i, v := range raw {
		f, ok := v.(float64)
		if !ok || math.IsNaN(f) || f < 0 || f > core.MaxPatchTemperature {
			return nil
		}
		out[i] = f
	}
	return out
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
	k, f := s.set.Scale(), s.set.Filter()
	if err := exportPNG(path, img, k, f, rec); err != nil {
		return err
	}
	s.markSaved(tokens, true)
	s.app.Preferences().SetString(prefExportDir, filepath.Dir(path))
	s.autosave()
	b := img.Bounds()
	s.setStatus(fmt.Sprintf("Exported %s (%d×%d px: %d× the model's %d×%d, %s)", path, b.Dx()*k, b.Dy()*k, k, b.Dx(), b.Dy(), f))
	return nil
}

// ExportAs exports to what was typed in the export dialog: a full path as
// it is, a name into the last export folder (see resolveSavePath).
func (s *Studio) ExportAs(typed string) error {
	path, err := resolveSavePath(typed, s.exportDir(), ".png")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return s.ExportTo(path)
}

// exportDir is the folder exports go to by default: the last one used,
// else the outputs folder.
func (s *Studio) exportDir() string {
	if dir := s.app.Preferences().String(prefExportDir); dir != "" {
		if info, err := os.Stat(dir); err == nil && info.IsDir() {
			return dir
		}
	}
	return s.outputsDir
}

// saveForm asks where to write a file: a path field that takes a full
// path as typed (or a name in the folder shown) and a folder picker.
type saveForm struct {
	path   *widgets.TipEntry
	browse *widgets.TipButton
	box    *fyne.Container
}

// newSaveForm starts at name in the export folder.
func (s *Studio) newSaveForm(name, what string) *saveForm {
	f := &saveForm{}
	f.path = widgets.NewTipEntry(false, "Where to write the "+what+": a full path (/home/me/cat.png, ~/cat.png) or a name in the folder shown")
	f.path.SetText(filepath.Join(s.exportDir(), name))
	f.browse = widgets.NewTipButton("Folder…", theme.FolderOpenIcon(), "Pick the folder; the file name stays", func() {
		d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
			if err == nil && u != nil {
				base := filepath.Base(strings.TrimSpace(f.path.Text))
				if base == "." || base == string(filepath.Separator) || base == "" {
					base = name
				}
				f.path.SetText(filepath.Join(u.Path(), base))
			}
		}, s.win)
		if l, err := storage.ListerForURI(storage.NewFileURI(s.exportDir())); err == nil {
			d.SetLocation(l)
		}
		d.Resize(dialogSize(s.win))
		d.Show()
	})
	f.box = container.NewVBox(widget.NewLabel("Save as"), container.NewBorder(nil, nil, nil, f.browse, f.path))
	return f
}

// showSaveDialog shows a save dialog titled title holding form (with more
// rows, if any) and calls save with the path typed.
func (s *Studio) showSaveDialog(title string, form *saveForm, save func(typed string) error, more ...fyne.CanvasObject) {
	content := container.NewVBox(append([]fyne.CanvasObject{form.box}, more...)...)
	d := dialog.NewCustomConfirm(title, "Save", "Cancel", widgets.AtLeast(520, content), func(ok bool) {
		if ok {
			s.report(save(form.path.Text))
		}
	}, s.win)
	form.path.OnSubmitted = func(string) { d.Hide(); s.report(save(form.path.Text)) }
	d.Show()
	s.win.Canvas().Focus(form.path)
}

// exportForm is the export flow: where to (a full path may be typed),
// how large and with which filter, and the size that makes.
type exportForm struct {
	*saveForm
	scale  *widgets.TipSelect
	filter *widgets.Choice
	size   *widget.Label
	rows   *fyne.Container
}

// newExportForm builds the export form for the current image.
func (s *Studio) newExportForm() *exportForm {
	f := &exportForm{saveForm: s.newSaveForm(s.exportName(), "PNG")}
	opts := make([]string, MaxUpscale)
	for i := range opts {
		opts[i] = scaleOption(i + 1)
	}
	f.size = widget.NewLabel("")
	f.scale = widgets.NewTipSelect(opts, "Upscale: each image pixel becomes k×k pixels", func(v string) {
		if k, err := strconv.Atoi(strings.TrimSuffix(v, "×")); err == nil {
			s.set.SetScale(k)
		}
		f.showSize(s)
	})
	f.scale.Quiet(func() { f.scale.SetSelected(scaleOption(s.set.Scale())) })
	f.filter = widgets.NewChoice([]string{Nearest.String(), Lanczos.String()}, []string{
		"Nearest: crisp square pixels", "Lanczos: smooth the pixels",
	}, func(v string) {
		s.set.SetFilter(parseFilter(v))
		f.showSize(s)
	})
	f.filter.ShowSelected(s.set.Filter().String())
	f.showSize(s)
	f.rows = container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel("Upscale"), nil, f.scale),
		container.NewBorder(nil, nil, widget.NewLabel("Filter"), nil, f.filter.Object()),
		f.size,
	)
	return f
}

// showSize says how large the export will be.
func (f *exportForm) showSize(s *Studio) {
	img, _, err := s.exportImage()
	if err != nil {
		f.size.SetText("")
		return
	}
	b, k := img.Bounds(), s.set.Scale()
	f.size.SetText(fmt.Sprintf("%d×%d px — %d× the model's %d×%d, %s", b.Dx()*k, b.Dy()*k, k, b.Dx(), b.Dy(), s.set.Filter()))
}

// showExportDialog asks where to export, how large and how, and exports.
func (s *Studio) showExportDialog() {
	if _, _, err := s.exportImage(); err != nil {
		s.showError(err)
		return
	}
	f := s.newExportForm()
	s.showSaveDialog("Export PNG", f.saveForm, s.ExportAs, f.rows)
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
