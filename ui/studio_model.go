package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/model"
)

// errNoModel is reported by actions that need a model.
var errNoModel = errors.New("no model is loaded: pick one in the model list or open a model folder")

// noModelMessage is shown on the canvas while no model is loaded.
const noModelMessage = "No model loaded — pick one in the model list, or open a Hugging Face model folder"

// modelKeys lists the picker's models: built-ins, then recent folders.
func (s *Studio) modelKeys() []string {
	keys := slices.Clone(s.opt.Models.Builtin())
	for _, d := range s.set.Recent() {
		if !slices.Contains(keys, d) {
			keys = append(keys, d)
		}
	}
	if s.modelKey != "" && !slices.Contains(keys, s.modelKey) {
		keys = append(keys, s.modelKey)
	}
	return keys
}

// refreshModels refills the model picker.
func (s *Studio) refreshModels() {
	s.panel.SetModels(s.modelKeys(), modelLabel, s.modelKey)
}

// OpenModel loads a model by built-in name or folder in the background and
// switches to it; the current image is carried over (re-encoded when the
// model differs).
func (s *Studio) OpenModel(key string) error {
	return s.loadModel(key, nil)
}

// loadModel loads key; restore, when set, is the autosaved session to
// reopen on it.
func (s *Studio) loadModel(key string, restore *session) error {
	if key == "" {
		return errors.New("open model: no model named")
	}
	s.panel.SetRunning(true)
	s.prog.Begin("loading "+modelLabel(key), 0, time.Now())
	s.setStatus("Loading model " + modelLabel(key) + "…")
	err := s.run.Start("loading a model", func(ctx context.Context) {
		b, err := s.opt.Models.Open(key, s.loadProgress)
		if err == nil && b == nil {
			err = errors.New("the model catalog returned nothing")
		}
		s.loop.DoAndWait(func() {
			s.panel.SetRunning(false)
			s.prog.End(time.Now())
			if err != nil {
				s.refreshModels()
				if s.bundle == nil {
					s.canvas.SetMessage(noModelMessage)
					s.noModel.Show()
				}
				s.setStatus("Could not open model " + modelLabel(key))
				s.showError(fmt.Errorf("open model %s: %w", modelLabel(key), err))
				return
			}
			s.installBundle(key, b, restore)
		})
	})
	if err != nil {
		s.panel.SetRunning(false)
	}
	return err
}

// loadProgress shows model loading progress (any goroutine), at most ten
// times a second.
func (s *Studio) loadProgress(done, total int64) {
	if total <= 0 {
		return
	}
	s.loop.Do(func() {
		if now := time.Now(); now.Sub(s.lastLoad) > 100*time.Millisecond || done == total {
			s.lastLoad = now
			s.bar.SetValue(float64(done) / float64(total))
			s.setStatus(fmt.Sprintf("Loading model: %s of %s", model.FormatBytes(done), model.FormatBytes(total)))
		}
	})
}

// installBundle switches to a loaded model (UI goroutine).
func (s *Studio) installBundle(key string, b *bundle.Bundle, restore *session) {
	old, oldDoc := s.bundle, s.doc
	rows, cols := b.Grid()
	s.bundle, s.modelKey = b, key
	s.set.SetLastModel(key)
	if isFolderKey(key) {
		s.set.AddRecent(key)
	}
	s.refreshModels()
	s.panel.SetTokenizer(b.Prompt)
	s.canvas.SetGrid(rows, cols, b.PatchSize())
	s.canvas.SetMessage("")
	s.noModel.Hide()
	s.edit.brush.Max = float64(max(rows, cols))
	s.edit.brush.Refresh()
	s.edit.setGridRows(rows)
	s.clearCandidates()
	s.heat = nil

	note := fmt.Sprintf("Model %s: %dx%d patches of %d px, %s", b.Name, rows, cols, b.PatchSize(), promptNote(b))
	doc := NewDocument(rows, cols)
	switch {
	case restore != nil && restore.ModelHash == b.Model.Hash && restore.Doc.Rows == rows && restore.Doc.Cols == cols:
		d, err := documentFromState(restore.Doc)
		if err == nil {
			doc = d
			note = "Reopened where you left off — " + note
			s.markSaved(d.Tokens(), restore.Saved)
		} else {
			s.showError(fmt.Errorf("reopen the saved work: %w", err))
		}
	case oldDoc != nil && !oldDoc.Empty() && old != nil:
		if tokens, newRows, err := reencode(old, b, oldDoc); err == nil {
			mask := oldDoc.Mask()
			if oldDoc.ImageRows() != newRows || oldDoc.Cols != cols {
				mask = nil
			}
			if err := doc.SetState(tokens, newRows, mask, oldDoc.ImageParams(), ""); err == nil {
				note += " — the image was re-encoded for it (undo starts again)"
			}
		}
	}
	if restore == nil {
		if applied := s.applyModelDefaults(b); applied != "" {
			note += " — " + applied
		}
	}
	s.keepRun(nil, nil)
	s.doc = doc
	s.docChanged()
	s.setStatus(note)
}

// applyModelDefaults puts a newly opened model's recommended sampling
// settings (config.json tessera.defaults) into the panel and says which.
func (s *Studio) applyModelDefaults(b *bundle.Bundle) string {
	d := b.Model.Config.SamplingDefaults()
	p, err := s.panel.Params()
	if err != nil {
		return ""
	}
	var set []string
	if d.Temperature > 0 {
		p.Temperature = d.Temperature
		set = append(set, fmt.Sprintf("temperature %g", d.Temperature))
	}
	if d.TopK > 0 {
		p.TopK = d.TopK
		set = append(set, fmt.Sprintf("top-k %d", d.TopK))
	}
	if d.TopP > 0 {
		p.TopP = d.TopP
		set = append(set, fmt.Sprintf("top-p %g", d.TopP))
	}
	if d.Guidance > 0 && b.Conditional() {
		p.Guidance = d.Guidance
		set = append(set, fmt.Sprintf("guidance %g", d.Guidance))
	}
	// Min-p belongs to the model: a new model's (or none) replaces the old.
	p.GuidanceMinP = d.GuidanceMinP
	if d.GuidanceMinP > 0 {
		set = append(set, fmt.Sprintf("guidance min-p %g", d.GuidanceMinP))
	}
	if p.Validate() != nil {
		return ""
	}
	s.panel.SetParams(p)
	s.paramsChanged()
	if len(set) == 0 {
		return ""
	}
	return "using the model's recommended " + strings.Join(set, ", ")
}

// reencode encodes the picture of doc, made with model old, for model b:
// on b's grid, or for a tall image on b's columns and as many rows as keep
// its proportions. It returns the codes and their patch rows.
func reencode(old, b *bundle.Bundle, doc *Document) ([]int, int, error) {
	img := decodeRows(old, doc.Tokens(), doc.ImageRows())
	rows, cols := b.Grid()
	if doc.Tall() {
		bd := img.Bounds()
		rows = min(max(rows, int(math.Round(float64(bd.Dy())*float64(cols)/float64(bd.Dx())))), maxImageRows, codebook.MaxImageSide/b.PatchSize())
	}
	tokens, err := b.Tokenizer.Encode(img, rows, cols)
	return tokens, rows, err
}

// promptNote describes a model's prompt.
func promptNote(b *bundle.Bundle) string {
	if !b.Conditional() {
		return "no prompt"
	}
	return fmt.Sprintf("prompts of up to %d words from %d known", b.Prompt.Length(), len(b.Prompt.Words())-1)
}

// showModelFolderDialog asks for a model folder and opens it.
func (s *Studio) showModelFolderDialog() {
	d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil {
			s.showError(fmt.Errorf("open model folder: %w", err))
			return
		}
		if dir == nil {
			s.refreshModels() // cancelled: put the picker back
			return
		}
		s.report(s.OpenModelFolder(dir.Path()))
	}, s.win)
	d.Resize(dialogSize(s.win))
	d.Show()
}

// OpenModelFolder checks that dir looks like a model folder and opens it.
func (s *Studio) OpenModelFolder(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("open model folder %s: %w", dir, err)
	}
	for _, f := range []string{model.ConfigFile, model.WeightsFile, bundle.CodebookFile} {
		if _, err := os.Stat(filepath.Join(abs, f)); err != nil {
			s.refreshModels()
			return fmt.Errorf("%s is not a model folder: it needs %s, %s and %s (Hugging Face layout): %w",
				abs, model.ConfigFile, model.WeightsFile, bundle.CodebookFile, err)
		}
	}
	return s.OpenModel(abs)
}

// dialogSize is a comfortable size for file dialogs in w.
func dialogSize(w fyne.Window) fyne.Size {
	sz := w.Canvas().Size()
	return fyne.NewSize(max(sz.Width*0.8, 600), max(sz.Height*0.8, 420))
}
