package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/tessera-studio/tessera/ui/core"
)

// sessionOut is a session as written, with the document already encoded.
type sessionOut struct {
	Version   int                `json:"version"`
	Model     string             `json:"model"`
	ModelHash string             `json:"model_hash"`
	Params    core.Params        `json:"params"`
	Doc       json.RawMessage    `json:"document"`
	Saved     bool               `json:"saved"`
	Others    map[string]workOut `json:"others,omitempty"`
	stripsKept
	// Instruction is the Edit by instruction box's text.
	Instruction string `json:"instruction,omitempty"`
}

// workOut is another model's work as written.
type workOut struct {
	ModelHash  string          `json:"model_hash"`
	Params     core.Params     `json:"params"`
	Doc        json.RawMessage `json:"document"`
	Saved      bool            `json:"saved"`
	stripsKept                 // its strips, as sessionOut's are the current model's (they were lost on a restart)
}

// modelWork is the work of a model that is not open: its document (image
// and undo history) and its panel settings, as they were when another
// model was opened.
type modelWork struct {
	hash   string
	params core.Params
	doc    *core.Document
	saved  bool
	json   json.RawMessage // doc's state, encoded once for autosaving
	// shelf is the strips of doc's other undo steps (candidateStrip.shelf,
	// keyed by doc's own steps), for an undo to bring back when the model
	// comes back (they were dropped on switching).
	shelf []*shelvedStrip
	// kept's Candidates is the candidate strip of doc's image when the
	// model was left (nil: none), shown again when it comes back; its
	// Shelf and NoStrip are the shelf as a session file kept it, for work
	// restored from one (its thumbnails are made with the model's bundle,
	// when the model is opened again), where shelf is nil.
	kept stripsKept
}

// savedStrips are w's strips for the session file.
func (w *modelWork) savedStrips() stripsKept {
	if w.shelf == nil {
		return w.kept
	}
	k := stripsKept{Candidates: w.kept.Candidates}
	k.Shelf, k.NoStrip = shelfOut(w.shelf, w.doc.HistoryIndex)
	return k
}

// restoreOthers takes the other models' work from a saved session (and
// the session's own work when another model is being opened instead).
func (s *Studio) restoreOthers(sess *session) {
	add := func(key string, w savedWork) {
		if _, ok := s.works[key]; ok || key == "" {
			return
		}
		d, err := core.DocumentFromState(w.Doc)
		if err != nil {
			return
		}
		data, err := json.Marshal(d.State())
		if err != nil {
			return
		}
		s.works[key] = &modelWork{hash: w.ModelHash, params: w.Params.Clamped(), doc: d, saved: w.Saved, json: data, kept: w.stripsKept}
		if _, known := s.knownHashes[w.ModelHash]; !known {
			s.knownHashes[w.ModelHash] = key
		}
	}
	for key, w := range sess.Others {
		add(key, w)
	}
	add(sess.Model, savedWork{ModelHash: sess.ModelHash, Params: sess.Params, Doc: sess.Doc, Saved: sess.Saved, stripsKept: sess.stripsKept})
}

// restore reopens the autosaved work (or the last settings) and loads the
// model it was made with (UI goroutine, at start).
func (s *Studio) restore() {
	if s.train != nil && s.train.pausedNote != "" {
		s.startNote = joinNotes(s.startNote, s.train.pausedNote)
	}
	sess, err := loadSession(s.save.path)
	if s.save.off != nil {
		// The other window's work: opened here too, the two would each
		// be taken for the session.
		sess, err = nil, nil
		s.startNote = joinNotes(s.startNote, "Another Tessera window is open and keeps the session: this window starts without the session's images, and its work is not kept for next time (its pictures are saved in the outputs folder as usual; export what else you want to keep)")
	}
	if err != nil {
		// The file is kept aside, not overwritten by the next autosave:
		// a damaged one may still be mended, and another version's is
		// that version's work. The note stays through the model's loading.
		note := "The saved work of the last session could not be read (" + err.Error() + ")"
		if !errors.Is(err, fs.ErrPermission) {
			// (Not a file it may not read: that is not damaged, and reads
			// again once its permissions are mended.)
			if kept, kerr := keepAside(s.save.path); kerr == nil {
				note += "; the file is kept as " + kept
			} else {
				note += fmt.Sprintf("; it could not be kept aside (%v), and the next autosave replaces it", kerr)
			}
		}
		s.lastErr = err
		s.startNote = joinNotes(s.startNote, note)
		s.setStatus(s.startNote)
	}
	s.keepEditModel()
	params := s.set.Params()
	if sess != nil {
		params = sess.Params.Clamped()
	}
	s.panel.SetParams(params)
	s.params = params
	// The instruction typed last, run or not, as the prompt comes back
	// (the box was empty unless the picture shown was itself an edit).
	instruction := s.set.Instruction()
	if sess != nil {
		instruction = sess.Instruction
	}
	s.edit.instruction.SetText(instruction)
	s.loadHistory()
	key := s.set.LastModel()
	if sess != nil && sess.Model != "" {
		key = sess.Model
	}
	if s.opt.Model != "" {
		key = s.opt.Model
	}
	if isFolderKey(key) {
		if _, err := os.Stat(key); err != nil {
			s.startNote = joinNotes(s.startNote, fmt.Sprintf("The last model folder %s is gone; opened the default model", key))
			s.setStatus(s.startNote)
			key = ""
		}
	}
	if key == "" {
		key = s.opt.DefaultModel
	}
	if b := s.opt.Models.Builtin(); key == "" && len(b) > 0 {
		key = b[0]
	}
	s.refreshModels()
	s.updateButtons()
	if key == "" {
		s.canvas.SetMessage(noModelMessage)
		s.noModel.Show()
		s.setStatus(joinNotes(s.startNote, "No model yet: open a model folder (Hugging Face layout) to start"))
		s.startNote = ""
		return
	}
	s.starting = true
	if err := s.loadModel(key, sess, ""); err != nil {
		s.starting = false
		s.showError(err)
	}
}

// keepEditModel gives the Edit by instruction box the edit model folder
// picked in the model list in an earlier session (after a restart edits
// silently used the built-in edit model again), unless the studio was
// asked for an edit model (Options.EditModelSet), which then takes the
// folder's place for later starts too (the folder came back at the next
// plain start). A folder gone since is forgotten, and the start note says
// which edit model the box uses instead.
func (s *Studio) keepEditModel() {
	dir := s.set.EditModelFolder()
	if dir == "" || dir == s.editor.key {
		return
	}
	if s.opt.EditModelSet {
		s.set.SetEditModelFolder("")
		if isFolderKey(s.opt.EditModel) {
			s.set.SetEditModelFolder(s.opt.EditModel)
		}
		return
	}
	if _, err := os.Stat(dir); err != nil {
		s.set.SetEditModelFolder("")
		instead := "has no edit model"
		if s.opt.EditModel != "" {
			instead = "uses the edit model " + modelLabel(s.opt.EditModel) + " again"
		}
		s.startNote = joinNotes(s.startNote, fmt.Sprintf("The edit model folder %s is gone (%v); Edit by instruction %s", dir, errors.Unwrap(err), instead))
		s.setStatus(s.startNote)
		return
	}
	s.setEditor(dir, nil)
}

// autosave schedules the current work to be written to the session file.
// Nothing is written before a model is loaded, so a session that could not
// be reopened is not overwritten by an empty one.
func (s *Studio) autosave() {
	// The window's size too: it was kept on a clean quit only, and a
	// killed studio reopened at an older size.
	if !s.closing {
		s.set.SetWindowSize(s.win.Canvas().Size())
	}
	if s.bundle == nil || s.doc == nil || s.docJSON == nil {
		return
	}
	out := sessionOut{
		Version: sessionVersion, Model: s.modelKey, ModelHash: s.bundle.Model.Hash,
		Params: s.params, Doc: s.docJSON, Saved: s.currentSaved(), Instruction: s.edit.instruction.Text,
	}
	out.Candidates = s.cands.saved(s.doc.Tokens(), s.doc.Version())
	out.Shelf, out.NoStrip = s.cands.savedShelf(s.doc.HistoryIndex)
	for key, w := range s.works {
		if key == s.modelKey || w.doc.Empty() && !w.doc.CanUndo() {
			continue
		}
		if out.Others == nil {
			out.Others = map[string]workOut{}
		}
		if w.json == nil {
			w.json, _ = json.Marshal(w.doc.State())
		}
		out.Others[key] = workOut{ModelHash: w.hash, Params: w.params, Doc: w.json, Saved: w.saved, stripsKept: w.savedStrips()}
	}
	data, err := json.Marshal(out)
	if err != nil {
		return
	}
	s.save.Save(data)
}

// FlushAutosave writes the pending autosave now.
func (s *Studio) FlushAutosave() error { return s.save.Flush() }

// sampling reports whether a job that makes an image is running.
func (s *Studio) sampling() string {
	switch name := s.runs.runner.Running(); name {
	case "generating", "regenerating", "completing", "branching", "extending", editingLabel:
		return name
	}
	return ""
}

// unsavedReason says what quitting now would lose ("" if nothing).
func (s *Studio) unsavedReason(flushErr error) string {
	if name := s.sampling(); name == "generating" {
		// It goes on behind the question: a generation past half its
		// patches when quit is saved as it stands, as Stop saves it (it
		// said the result would be lost, and one was saved).
		return "Tessera is still generating. Quitting stops it and keeps what it has drawn on the canvas for next time (Continue stopped image finishes it); a picture more than half drawn by then is also saved to the outputs folder as it stands."
	} else if name != "" {
		return fmt.Sprintf("Tessera is still %s; that result would be lost.", name)
	}
	if s.train.Preparing() {
		return "The Train tab is still preparing the data of a run, and nothing is trained yet: that preparing would be lost (Start does it again)."
	}
	if flushErr != nil && !s.currentSaved() {
		return fmt.Sprintf("The current image is in no file, and it could not be kept for next time (%v).", flushErr)
	}
	return ""
}

// requestClose saves the settings and the work; it asks first only where
// quitting would lose something or pause a training run.
func (s *Studio) requestClose() {
	s.set.SetWindowSize(s.win.Canvas().Size())
	if p, err := s.panel.Params(); err == nil {
		s.set.SetParams(p)
	}
	s.set.SetInstruction(s.edit.instruction.Text)
	s.autosave()
	reason := s.unsavedReason(s.save.Flush())
	if reason != "" {
		s.askQuit(reason + "\n\nQuit anyway?")
		return
	}
	if note := s.train.QuitNote(); note != "" {
		s.askQuit(note + "\n\nQuit?")
		return
	}
	s.quit()
}

// askQuit asks whether to quit with message, replacing a question shown.
func (s *Studio) askQuit(message string) {
	d := newQuestion("Quit Tessera?", message, func(ok bool) {
		if ok {
			s.quit()
		}
	}, s.win)
	destructive(d)
	s.quitAsk.show(d, message)
}

// runnerIdle follows the end of a run (the runner's idle hook, on the UI
// loop): the buttons, and a quit question asked during the run.
func (s *Studio) runnerIdle() {
	if s.quitAfterRun {
		s.autosave() // the stopped run's picture, now on the canvas
		s.quit()
		return
	}
	s.updateButtons()
	s.runEnded()
	if key := s.thenOpen; key != "" {
		// The edit model asked for at start is open: a drawing model for
		// the canvas follows (drawingModelFor).
		s.thenOpen = ""
		s.report(s.loadModel(key, nil, ""))
		return
	}
	if p := s.opt.OpenImage; p != "" && s.bundle != nil {
		// The picture the studio was started on, once its first model is
		// in: opened as a drop of it is.
		s.opt.OpenImage = ""
		s.files.openPath(p, "")
	}
}

// runEnded brings a quit question asked during the run up to date: what
// it warned would be lost is saved now, or the reason is another.
func (s *Studio) runEnded() {
	s.askQuitAgain(func() string {
		if note := s.train.QuitNote(); note != "" {
			return "The run has ended and its result is saved. " + note
		}
		return "Nothing would be lost now: the run has ended and its result is saved."
	})
}

// trainEnded brings a quit question asked while the Train tab trained up
// to date once its run has ended (paused, stopped, finished, failed or
// cancelled before a step: no word on how, which the tab says).
func (s *Studio) trainEnded() {
	s.askQuitAgain(func() string { return "Nothing would be lost now: the Train tab's run has ended (the tab says how)." })
}

// askQuitAgain asks a quit question shown again once a run has ended:
// with what quitting would lose now, if anything, else with settled (what
// ended, and that nothing is lost).
func (s *Studio) askQuitAgain(settled func() string) {
	if !s.quitAsk.shown() || s.closing {
		return
	}
	s.autosave()
	if reason := s.unsavedReason(s.save.Flush()); reason != "" {
		s.askQuit(reason + "\n\nQuit anyway?")
		return
	}
	s.askQuit(settled() + "\n\nQuit?")
}

// endedOutside keeps the work, flushed to disk, when the app ended
// without quit: Fyne quits on SIGINT and SIGTERM (Ctrl-C in the terminal
// that started it, a kill, a logout), and the last change's autosave could
// still be pending (autosaveDelay). Call it once the app's event loop has
// ended; it does nothing after quit. The jobs' callbacks are dropped first
// (Fyne would run them at once on the jobs' goroutines, beside this), so
// a run stopped here leaves the work as it was, and the window's size is
// not stored (Fyne has saved its preferences already, and a change now
// would be written after the process is gone).
func (s *Studio) endedOutside() {
	if s.closing {
		return
	}
	if e, ok := s.loop.(ender); ok {
		e.end() // ShowAndRun did already; a caller of its own may not have
	}
	s.closing = true
	s.train.closed.Store(true)
	s.stop()
	s.autosave()
	s.save.Flush()
}

// quitRunWait is the longest a quit waits for a stopped generation's
// picture to be kept (quit).
const quitRunWait = 5 * time.Second

// quit stops background work and closes the window (ending the app). A
// generation running is stopped first, and the window closed once its
// picture is on the canvas and in the session file (runnerIdle), so that
// the next start reopens what the quit question said is kept: the window
// closed at once, the run's picture was saved to the outputs folder while
// the session went on with the image before it.
func (s *Studio) quit() {
	if s.closing {
		return
	}
	if s.sampling() == "generating" && !s.quitAfterRun {
		s.quitAfterRun = true
		s.setStatus("Stopping the generation to keep what it has drawn, then quitting…")
		s.runs.runner.Stop()
		time.AfterFunc(quitRunWait, func() { s.loop.Do(s.quit) })
		return
	}
	s.closing = true
	s.train.closed.Store(true) // a run stopping from here on leaves the widgets alone
	s.stop()
	s.save.Flush()
	s.win.Close()
}

// joinNotes joins the studio's notes at start with " — " ("" when none).
func joinNotes(notes ...string) string {
	return strings.Join(slices.DeleteFunc(notes, func(n string) bool { return n == "" }), " — ")
}

// keepAside renames the session file at path that could not be read to a
// name of its own beside it (session.json.unreadable-20261205-060102), so
// that the studio's next autosave does not write over it, and returns that
// name.
func keepAside(path string) (string, error) {
	base := path + ".unreadable-" + time.Now().Format("20060102-150405")
	kept := base
	for i := 2; ; i++ { // never over an earlier one kept the same second
		if _, err := os.Lstat(kept); errors.Is(err, fs.ErrNotExist) {
			break
		}
		kept = fmt.Sprintf("%s-%d", base, i)
	}
	if err := os.Rename(path, kept); err != nil {
		return "", err
	}
	return kept, nil
}
