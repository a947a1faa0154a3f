package ui

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/engine/tokenizer"
	"github.com/tessera-studio/tessera/engine/train"
	"github.com/tessera-studio/tessera/engine/vit"
	"github.com/tessera-studio/tessera/internal/plural"
	"github.com/tessera-studio/tessera/ui/core"
)

// errNoModel is reported by actions that need a model.
var errNoModel = errors.New("no model is loaded: pick one in the model list or open a model folder")

// noModelMessage is shown on the canvas while no model is loaded.
const noModelMessage = "No model loaded — pick one in the model list, or open a Hugging Face model folder"

// modelKeys lists the picker's models: built-ins, then recent folders that
// are there; the edit models are not among them (they edit what the others
// draw), but for the studio's own (Options.EditModel) while a folder has
// the Edit by instruction box, as the way back to it (pickerLabel says so:
// listed under its name alone, picking it seemed to do nothing, and left
// out, a folder picked once kept the box at every start).
func (s *Studio) modelKeys() []string {
	var keys []string
	for _, k := range s.opt.Models.Builtin() {
		if k != s.editor.key && (k != s.opt.EditModel || s.editor.key != "") {
			keys = append(keys, k)
		}
	}
	for _, d := range s.set.Recent() {
		if _, err := os.Stat(d); err != nil {
			continue // gone (or its drive unplugged): listed again once it is back
		}
		if !slices.Contains(keys, d) && d != s.editor.key {
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
	s.panel.SetModels(s.modelKeys(), s.pickerLabel, s.modelKey)
}

// pickerLabel is how the model picker names key: modelLabel, and for the
// studio's own edit model (listed while a folder has the Edit by
// instruction box) what picking it does.
func (s *Studio) pickerLabel(key string) string {
	if key == s.opt.EditModel && s.editor.key != key {
		return modelLabel(key) + " (back to it for Edit by instruction)"
	}
	return modelLabel(key)
}

// OpenModel loads a model by built-in name or folder in the background and
// switches to it. The image on the canvas belongs to the model that made
// it: it stays with that model, with its undo history and settings, and
// comes back when that model is opened again; the new model shows its own
// work (or an empty canvas).
func (s *Studio) OpenModel(key string) error {
	return s.loadModel(key, nil, "")
}

// loadModel loads key; restore, when set, is the autosaved session to
// reopen on it; openAfter, when set, is an image file to open with it in
// the same job (a history entry made with that model).
func (s *Studio) loadModel(key string, restore *session, openAfter string) error {
	if key == "" {
		return errors.New("open model: no model named")
	}
	if busy, ok := s.runs.runner.Busy(); ok {
		// Before touching the panel or the progress, which belong to the
		// run; the picker goes back to the model still loaded.
		s.refreshModels()
		return busy
	}
	s.tl.stopReplay()
	s.panel.SetRunning(true)
	// Stop (its button, Image › Stop and its shortcut) cannot end a load:
	// greyed out, where it stayed enabled and did nothing.
	s.panel.SetUnstoppable("A model load cannot be stopped; wait for it")
	s.syncMenu()
	s.runs.prog.Begin("loading "+modelLabel(key), 0, time.Now())
	s.setStatus("Loading model " + modelLabel(key) + "…")
	// Models.Open takes no context: Stop cannot end a load, and a job
	// refused meanwhile says to wait for it.
	err := s.runs.runner.StartUnstoppable("loading a model", func() {
		b, err := s.opt.Models.Open(key, s.loadProgress)
		if err == nil && b == nil {
			err = errors.New("the model catalog returned nothing")
		}
		s.loop.DoAndWait(func() {
			s.panel.SetRunning(false)
			s.runs.prog.End(time.Now())
			// The bar says "ready" again: after an edit model, which
			// installs no drawing model, it kept "loading …" for good.
			s.runs.updateProgress()
			if err != nil {
				s.starting = false
				s.refreshModels()
				if s.bundle == nil {
					s.canvas.SetMessage(noModelMessage)
					s.noModel.Show()
				}
				s.setStatus("Could not open model " + modelLabel(key))
				if p := s.opt.OpenImage; p != "" && s.bundle == nil {
					// The picture the studio was started on needs a model:
					// not opened later over what the user does meanwhile.
					s.opt.OpenImage = ""
					s.setStatus(fmt.Sprintf("Could not open model %s, so %s was not opened", modelLabel(key), filepath.Base(p)))
				}
				s.showError(modelOpenError(key, err))
				return
			}
			if b.Model.Config.IsEdit() {
				if restore != nil {
					// The session's work waits for its drawing model (a
					// model picked next found none, and the autosave then
					// wrote the empty canvas over the session).
					s.restoreOthers(restore)
				}
				s.takeEditor(key, b)
				if s.bundle == nil && s.starting {
					s.thenOpen = s.drawingModelFor(key, restore)
					if s.thenOpen != "" {
						// Said before the drawing model's own note: it
						// opened with no word of why (--model edit).
						s.startNote = joinNotes(s.startNote, fmt.Sprintf("%s is an edit model: Edit by instruction uses it, and %s opened to draw", modelLabel(key), modelLabel(s.thenOpen)))
					}
				}
				s.starting = false
				return
			}
			s.installBundle(key, b, restore)
		})
		if err != nil || openAfter == "" || b.Model.Config.IsEdit() {
			return
		}
		o, oerr := openImageFile(openAfter, b)
		s.loop.DoAndWait(func() { s.applyOpened(openAfter, b, s.params, o, oerr, "") })
	})
	if err != nil {
		s.panel.SetRunning(false)
		s.refreshModels()
	}
	return err
}

// drawingModelFor is the drawing model to open when the model asked for
// at start, editKey, only edits: the saved session's, else the last one
// used, else the default ("" when that is editKey too).
func (s *Studio) drawingModelFor(editKey string, restore *session) string {
	keys := []string{sessionModel(restore), s.set.LastModel(), s.opt.DefaultModel}
	for _, k := range append(keys, s.opt.Models.Builtin()...) { // the default may be the edit model itself
		if k != "" && k != editKey && k != s.opt.EditModel {
			if isFolderKey(k) {
				if _, err := os.Stat(k); err != nil {
					continue // a folder gone since
				}
			}
			return k
		}
	}
	return ""
}

// sessionModel is the model a saved session was made with ("" for none).
func sessionModel(sess *session) string {
	if sess == nil {
		return ""
	}
	return sess.Model
}

// takeEditor makes an edit model opened in the model list the Edit by
// instruction box's model, also after a restart when it is a folder
// (keepEditModel); the drawing model and its image stay (UI goroutine).
func (s *Studio) takeEditor(key string, b *bundle.Bundle) {
	s.setEditor(key, b)
	// Kept for the next start, as a drawing model folder is; a built-in
	// edit model picked goes back to the studio's own.
	folder := ""
	if isFolderKey(key) {
		folder = key
	}
	s.set.SetEditModelFolder(folder)
	s.refreshModels()
	msg := fmt.Sprintf("%s edits images by instruction: Edit by instruction (in the editing panel) now uses it", b.Name)
	if s.bundle != nil {
		msg += fmt.Sprintf("; %s still draws", modelLabel(s.modelKey))
	} else {
		s.canvas.SetMessage(noModelMessage)
	}
	s.setStatus(msg)
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
			s.runs.bar.SetValue(float64(done) / float64(total))
			s.setStatus(fmt.Sprintf("Loading model: %s of %s", plural.Bytes(done), plural.Bytes(total)))
		}
	})
}

// installBundle switches to a loaded model (UI goroutine). The work of
// the model open so far is put aside (see stashWork); the new model gets
// its own work back, the autosaved session's, or a new empty document
// with its own settings.
func (s *Studio) installBundle(key string, b *bundle.Bundle, restore *session) {
	s.starting = false
	oldKey, hadImage, first := s.modelKey, s.doc != nil && !s.doc.Empty(), s.bundle == nil
	oldBundle := s.bundle
	s.stashWork()
	rows, cols := b.Grid()
	s.bundle, s.modelKey = b, key
	s.knownHashes[b.Model.Hash] = key
	s.set.SetLastModel(key)
	if isFolderKey(key) {
		s.set.AddRecent(key)
	}
	s.refreshModels()
	s.train.ModelOpened(b.Name)
	s.panel.rankWords = rankByWeight(bundle.WordWeights(b))
	s.panel.read = b.ReadPrompt
	s.panel.SetTokenizer(b.Prompt)
	var styles []string
	if b.Prompt != nil && b.Model.Config.Tessera != nil {
		styles = b.Model.Config.Tessera.StyleWords
	}
	s.panel.SetStyles(styles)
	s.canvas.SetGrid(rows, cols, b.PatchSize())
	s.canvas.SetMessage("")
	s.noModel.Hide()
	s.edit.brush.Max = float64(max(rows, cols))
	s.edit.brush.Refresh()
	s.edit.setGridRows(rows)
	s.cands.clear()
	s.likelihood.forget()

	note := fmt.Sprintf("Model %s: %dx%d patches of %d px, %s", b.Name, rows, cols, b.PatchSize(), promptNote(b))
	doc := core.NewDocument(rows, cols)
	var params *core.Params
	if restore != nil {
		s.restoreOthers(restore)
	}
	w := s.works[key]
	newer := false // the same model folder's newer weights
	if w != nil && oldKey == key && oldBundle != nil && w.hash != b.Model.Hash && drawAlike(oldBundle, b, w.doc) {
		// The same model folder loaded again with newer weights (its run
		// went on): its codes draw the same picture, so the image and its
		// undo history stay.
		w.hash, newer = b.Model.Hash, true
	}
	// The session's settings, in the panel since restore, are this
	// model's only when the session was made with it.
	fromSession := false
	var back *modelWork // this model's work, put aside when another model was opened
	switch {
	case restore != nil && restore.ModelHash == b.Model.Hash && restore.Doc.Rows == rows && restore.Doc.Cols == cols:
		fromSession = true
		d, err := core.DocumentFromState(restore.Doc)
		if err == nil {
			doc = d
			note = "Reopened where you left off — " + note
			s.markSaved(d.Tokens(), restore.Saved)
			if ins := d.ImageParams().Instruction; ins != "" && strings.TrimSpace(s.edit.instruction.Text) == "" {
				// An edit by instruction: its instruction back in the box,
				// as opening its file from the history puts it there (the
				// box was empty after a relaunch).
				s.edit.instruction.SetText(ins)
			}
		} else {
			s.showError(fmt.Errorf("reopen the saved work: %w", err))
		}
	case w != nil && w.hash == b.Model.Hash && w.doc.Rows == rows && w.doc.Cols == cols:
		doc, params, back = w.doc, &w.params, w
		s.markSaved(doc.Tokens(), w.saved)
		switch {
		case newer:
			// It said "Back to this model's image", of weights just
			// loaded anew.
			note = "Loaded the newer weights of its run; the image and its undo history stay — " + note
		case !doc.Empty():
			note = "Back to this model's image and its undo history — " + note
		}
	}
	delete(s.works, key)
	if !fromSession {
		// Another model's session (its folder gone) leaves its settings
		// in the panel: this model starts from its own.
		if params != nil {
			s.panel.SetParams(*params)
			s.paramsChanged()
		} else if applied := s.applyModelDefaults(b, !first || restore != nil); applied != "" {
			note += " — " + applied
		}
	}
	if s.startNote != "" {
		note = s.startNote + " — " + note
		s.startNote = ""
	}
	if hadImage && oldKey != key && doc.Empty() {
		note += fmt.Sprintf(" — the image made with %s stays with it: switch back to continue it", modelLabel(oldKey))
	}
	s.runs.keep(nil, nil)
	s.doc = doc
	s.promptSwaps, s.promptLeft, s.promptSet = nil, nil, nil // keyed by the other document's steps
	s.overlaysLeft = nil
	s.promptSetAt = 0
	// The shelf first: the strip shown is its current step's strip, under
	// the id the shelf gives it on the other steps it was shown on (a run's
	// under its mask stroke's), so that an undo between them keeps it.
	// The strips come back from the session file, or from the work put
	// aside when another model was opened (they were dropped on switching),
	// whose live shelf is its document's steps' own where it has one.
	saved := func(t []int) { s.markSaved(t, true) }
	var kept stripsKept
	switch {
	case fromSession:
		kept = restore.stripsKept
	case back != nil:
		kept, s.cands.shelf = back.kept, back.shelf
	}
	if back == nil || back.shelf == nil {
		s.cands.restoreShelf(b, kept.Shelf, kept.NoStrip, doc.StepAt, saved) // an undo brings them back, as before the restart
	}
	if s.cands.restoreSaved(b, kept.Candidates, doc.Tokens(), doc.Step(), doc.Version(), doc.CanRedo(), saved) {
		note += fmt.Sprintf(" — its %d candidates are below", len(s.cands.results))
	}
	s.paint.setOverlays(false)
	s.docChanged()
	s.setStatus(note)
	if c := s.win.Canvas(); c.Focused() == nil && b.Conditional() && doc.Empty() {
		// Nothing drawn yet: typing goes into the prompt, not nowhere. (Over
		// an image the canvas keeps the keys: Ctrl+Z undoes the image, [ ]
		// size the brush.) Its text counts as not typed since (undoKey).
		s.focusPromptEnd()
		s.ranTexts = s.fieldTexts()
	}
}

// stashWork puts the current model's document and settings aside, to be
// picked up when that model is opened again (and autosaved meanwhile).
func (s *Studio) stashWork() {
	if s.bundle == nil || s.doc == nil || s.modelKey == "" {
		return
	}
	p := s.params
	if cur, err := s.panel.Params(); err == nil {
		p = cur
	}
	w := &modelWork{hash: s.bundle.Model.Hash, params: p, doc: s.doc, saved: s.currentSaved(), shelf: s.cands.shelf,
		kept: stripsKept{Candidates: s.cands.saved(s.doc.Tokens(), s.doc.Version())}}
	w.json, _ = json.Marshal(s.doc.State())
	s.works[s.modelKey] = w
}

// applyModelDefaults puts the model's recommended sampling settings
// (config.json tessera.defaults) into the panel and says which. fresh
// gives a model opened for the first time in a session its own settings:
// the studio's defaults, keeping only the prompt texts and seed typed, not
// another model's settings; otherwise (the first model at start) the
// recommendations go over the settings remembered.
func (s *Studio) applyModelDefaults(b *bundle.Bundle, fresh bool) string {
	d := b.Model.Config.Recommended()
	p, err := s.panel.Params()
	if err != nil {
		p = s.params
	}
	if fresh {
		cur := p
		p = core.DefaultParams()
		p.Prompt, p.Negative, p.Seed = cur.Prompt, cur.Negative, cur.Seed
	}
	var set []string
	var took []sampling.Knob
	p.Settings, took = p.WithRecommended(d, nil, b.Conditional())
	for _, k := range took {
		if k == sampling.KnobStylePerSeed {
			set = append(set, "a style per seed")
			continue
		}
		set = append(set, fmt.Sprintf("%s %g", k.Label(), p.Value(k)))
	}
	// Said when the model's order applies (a name this version knows, that
	// the model can score by) and Settings says "as the model recommends".
	if by := sampler.ModelRankBy(b); d.RankBy != "" && string(by) == d.RankBy && s.set.RankBy() == "" {
		set = append(set, "batches ranked by "+by.ScoreName()) // Settings: as the model recommends
	}
	p = p.Clamped()
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

// rankByWeight orders completions by the model's word weights, heaviest
// (the words its captions held most) first; nil without weights.
func rankByWeight(weights map[string]float64) func(others, words []string) []string {
	if len(weights) == 0 {
		return nil
	}
	return func(_, words []string) []string {
		out := slices.Clone(words)
		slices.SortStableFunc(out, func(a, b string) int { return cmp.Compare(weights[b], weights[a]) })
		return out
	}
}

// promptNote describes a model's prompt.
func promptNote(b *bundle.Bundle) string {
	if !b.Conditional() {
		return "no prompt"
	}
	return fmt.Sprintf("prompts of up to %s from %d known", plural.N(b.Prompt.Length(), "word", "words"), len(b.Prompt.Words())-1)
}

// drawAlike reports whether bundles a and b draw any codes alike, so that
// doc's image means the same picture to both: the same grid and codebook
// size, and the same picture of a probe of every code (a run's later
// weights keep its tokenizer).
func drawAlike(a, b *bundle.Bundle, doc *core.Document) bool {
	if doc == nil || doc.Empty() {
		return false
	}
	ar, ac := a.Grid()
	br, bc := b.Grid()
	if ar != br || ac != bc || a.PatchSize() != b.PatchSize() || a.Codes() != b.Codes() {
		return false
	}
	n := ar * ac
	for start := 0; start < a.Codes(); start += n {
		probe := make([]int, n)
		for i := range probe {
			probe[i] = (start + i) % a.Codes()
		}
		pa, pb := a.Decode(probe), b.Decode(probe)
		if pa.Rect != pb.Rect || !bytes.Equal(pa.Pix, pb.Pix) {
			return false
		}
	}
	return true
}

// OpenModelFolder checks that dir looks like a model folder and opens it:
// config.json and model.safetensors, with the image tokenizer of either
// kind (preprocessor_config.json's codebook, or a ViT tokenizer's
// tokenizer_config.json and tokenizer.safetensors). A run folder opens
// the model it exported (RUN/model).
func (s *Studio) OpenModelFolder(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("open model folder %s: %w", dir, err)
	}
	err = missingModelFiles(abs)
	if run := train.RunModelDir(abs); err != nil && missingModelFiles(run) == nil {
		abs, err = run, nil // a run folder: its model
	}
	if err != nil {
		s.refreshModels()
		return fmt.Errorf("%s is not a model folder: %w", abs, err)
	}
	return s.OpenModel(abs)
}

// missingModelFiles says which file a model folder lacks (nil: none).
func missingModelFiles(dir string) error {
	need := []string{model.ConfigFile, model.WeightsFile, bundle.CodebookFile}
	if tokenizer.Exists(dir) {
		need = []string{model.ConfigFile, model.WeightsFile, vit.ConfigFile, vit.WeightsFile}
	}
	for _, f := range need {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return fmt.Errorf("it needs %s, %s and the image tokenizer (%s, or %s and %s; Hugging Face layout): %s is missing",
				model.ConfigFile, model.WeightsFile, bundle.CodebookFile, vit.ConfigFile, vit.WeightsFile, f)
		}
	}
	return nil
}

// dialogSize is a comfortable size for file dialogs in w.
func dialogSize(w fyne.Window) fyne.Size {
	sz := w.Canvas().Size()
	return fyne.NewSize(max(sz.Width*0.8, 600), max(sz.Height*0.8, 420))
}
