package ui

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/tessera-studio/tessera/engine/edit"
	"github.com/tessera-studio/tessera/internal/plural"
	"github.com/tessera-studio/tessera/ui/core"
)

// docChanged shows the document (whole: the timeline goes back to its
// end) and autosaves it (UI goroutine).
func (s *Studio) docChanged() {
	if data, err := json.Marshal(s.doc.State()); err == nil {
		s.docJSON = data
	}
	if len(s.cands.results) > 0 {
		s.cands.keep(s.doc.Tokens(), s.doc.Step()) // the strip goes with the step it is shown on
	}
	live := s.doc.Steps()
	s.cands.prune(func(step uint64) bool { return slices.Contains(live, step) })
	s.tl.stopReplay()
	s.resetTimeline()
	s.showDoc()
	s.updateButtons()
	s.autosave()
}

// showDoc paints the document's image (its first patches only while the
// timeline is rewound), mask, temperature map and likelihood map on the
// canvas now. While a run streams its image onto the canvas, only the mask
// and temperature map follow the document (a brush stroke then once
// painted the old image over the patches streamed so far).
func (s *Studio) showDoc() {
	if s.doc == nil || s.bundle == nil {
		s.canvas.ShowImage(nil)
		s.canvas.Sync()
		return
	}
	if s.runs.streaming {
		s.canvas.SetMask(s.doc.Mask())
		s.canvas.SetTemperature(s.doc.Temperature())
		s.canvas.Sync()
		return
	}
	s.fitCanvas(s.doc.ImageRows())
	s.canvas.SetMessage("")
	if s.doc.Empty() {
		s.canvas.ShowImage(nil)
		if !s.runs.streaming {
			s.canvas.SetMessage(emptyCanvasHint(s.bundle.Conditional()))
		}
	} else {
		s.canvas.ShowImage(s.shownPicture())
	}
	s.canvas.SetMask(s.doc.Mask())
	s.canvas.SetTemperature(s.doc.Temperature())
	s.canvas.Sync()
	s.likelihood.refresh()
}

// updateButtons enables what the current state allows.
func (s *Studio) updateButtons() {
	busy := s.runs.runner.Running() != "" || s.runs.streaming
	has := s.doc != nil && !s.doc.Empty() && s.bundle != nil
	set := func(on bool, ws ...interface {
		Enable()
		Disable()
	}) {
		for _, w := range ws {
			if on {
				w.Enable()
			} else {
				w.Disable()
			}
		}
	}
	e := s.edit
	tall := has && s.doc.Tall()
	done := has && s.doc.Complete()
	set(!busy, s.panel.model)
	// Something to redraw: the masked patches, or a stopped image's
	// missing ones; else the tip says to paint a mask.
	canRegen := has && (s.doc.Masked() > 0 || !s.doc.Complete())
	set(canRegen && !busy && !tall, e.regenerate)
	set(has && !busy && !tall, e.complete)
	if has && !canRegen {
		e.regenerate.SetWhyNot(regenerateNoMaskTip)
	} else {
		e.regenerate.SetWhyNot("")
	}
	s.whyNotTips(has, tall)
	// The seed of the image on the canvas: none to reuse for an edit by
	// instruction (the edit model's) or a picture opened from elsewhere
	// (the button was enabled, then said so in an error dialog).
	reuseWhy := noImageTip
	if has {
		reuseWhy = ""
		switch ip := s.doc.ImageParams(); {
		case ip.Instruction != "":
			reuseWhy = "The image on the canvas is an edit by instruction: its seed is the edit model's and draws nothing here (reuse the seed of the image it was edited from)"
		case ip.Seed == 0 && ip.Prompt == "":
			reuseWhy = "The image on the canvas records no seed (a picture opened from elsewhere)"
		}
	}
	set(has && !busy && reuseWhy == "", s.panel.reuseSeed)
	s.panel.reuseSeed.SetWhyNot(reuseWhy)
	// The mask limits an edit even while it is hidden (a run hides it to
	// show its result): the button says so before it is pressed, in words
	// no wider than its own ("Edit the 15 masked patches" widened the
	// panel and moved the canvas; the status line counts the patches).
	instructText := "Edit by instruction"
	if has && s.doc.Masked() > 0 {
		instructText = "Edit masked patches"
		if s.doc.Masked() == 1 {
			instructText = "Edit masked patch"
		}
	}
	if e.instruct.Text != instructText {
		e.instruct.SetText(instructText)
	}
	set(has && !busy && !s.doc.Complete(), e.resume)
	set(has, e.export, e.copyImage)
	set(done && !busy && !tall, e.repair, e.instruct)
	set(done && !busy, e.extend)
	set(has && !busy, s.tl.slider)
	set(has && !busy && !tall && s.shownPatches() < s.doc.N(), s.tl.branch)
	set(s.doc != nil && s.doc.Temperature() != nil, e.clearTemp)
	set(s.doc != nil && s.doc.CanUndo() && !busy, e.undo, s.toolUndo)
	set(s.doc != nil && s.doc.CanRedo() && !busy, e.redo, s.toolRedo)
	set(s.bundle != nil && !busy, e.open)
	set(has && !busy, s.tl.play)
	if s.bundle == nil {
		s.panel.generate.Disable()
	} else if !busy {
		s.panel.generate.Enable()
	}
	s.syncMenu()
}

// docPicture is the current image's picture: the pixels a masked run kept
// (core.Document.Picture), or its codes decoded.
func (s *Studio) docPicture() *image.NRGBA {
	if p := s.doc.Picture(); p != nil {
		return p
	}
	return decodeRows(s.bundle, s.doc.Tokens(), s.doc.ImageRows())
}

// shownPicture is what the canvas shows of the current image: all of it,
// or its first patches while the timeline is rewound.
func (s *Studio) shownPicture() *image.NRGBA {
	if k := s.shownPatches(); k < len(s.doc.Tokens()) {
		pic := decodeRows(s.bundle, s.doc.Tokens()[:k], s.doc.ImageRows())
		if keep := s.keptPrefix(k); keep != nil {
			// The image's own pixels (an opened photo, a masked run's
			// kept ones) in the patches shown, as Branch keeps them: the
			// rewound canvas showed the codes' blurred drawing of them.
			// A picture of another size is left as the codes draw it
			// (KeepUnmasked refuses it).
			_ = edit.KeepUnmasked(pic, s.doc.Picture(), keep, s.doc.ImageRows(), s.doc.Cols)
		}
		return pic
	}
	return s.docPicture()
}

// emptyCanvasHint is what an empty canvas says to a newcomer.
func emptyCanvasHint(prompted bool) string {
	if prompted {
		return "Type a prompt on the left and press Generate (Ctrl+Return) — or open an image (Ctrl+O)"
	}
	return "Press Generate (Ctrl+Return) to draw an image — or open one (Ctrl+O)"
}

// tokensKey fingerprints an image's codes.
func tokensKey(tokens []int) string {
	h := sha256.New()
	var b [8]byte
	for _, t := range tokens {
		binary.LittleEndian.PutUint64(b[:], uint64(t))
		h.Write(b[:])
	}
	return fmt.Sprintf("%x", h.Sum(nil)[:12])
}

// markSaved records that an image is (or is not) stored in a file.
func (s *Studio) markSaved(tokens []int, saved bool) {
	if saved && len(tokens) > 0 {
		s.savedKeys[tokensKey(tokens)] = true
	}
}

// currentSaved reports whether the current image is stored in a file.
func (s *Studio) currentSaved() bool {
	return s.doc == nil || s.doc.Empty() || s.savedKeys[tokensKey(s.doc.Tokens())]
}

// Undo restores the state before the last change: image, mask,
// temperature map, parameters and file, exactly as they were.
func (s *Studio) Undo() error { return s.step(s.doc.Undo, "Undone", "Nothing to undo") }

// Redo reapplies the last undone change, exactly as it was, its mask and
// temperatures shown or outlined as they were when Undo left it.
func (s *Studio) Redo() error { return s.step(s.doc.Redo, "Redone", "Nothing to redo") }

// step moves along the undo history with move and shows the state reached
// with its overlays: as they were when an undo left it, on a redo; else
// shown where it has a mask or temperatures (what was restored is seen).
func (s *Studio) step(move func() error, done, none string) error {
	if s.doc == nil {
		return errNoModel
	}
	if busy, ok := s.runs.runner.Busy(); ok {
		return busy
	}
	s.tl.stopReplay()
	leaving, leavingStep := s.doc.Tokens(), s.doc.Step()
	leavingState := describeState(s.doc)
	strip, stripLeft := len(s.cands.results), s.cands.id // the candidates shown with the image left
	maskBefore, tempsBefore := s.doc.Mask(), s.doc.Temperature()
	shownBefore := s.paint.Overlays()
	if err := move(); err != nil {
		s.setStatus(none)
		return nil
	}
	redo := done == "Redone"
	if !redo {
		if s.overlaysLeft == nil {
			s.overlaysLeft = map[uint64]bool{}
		}
		s.overlaysLeft[leavingStep] = shownBefore
	}
	s.showStepStrip(leaving, leavingStep)
	s.swapPromptBack(leavingStep, s.doc.Step())
	s.runs.prog.Clear() // the bar's last run made another image
	s.runs.updateProgress()
	if shown, ok := s.overlaysLeft[s.doc.Step()]; ok && redo {
		s.paint.setOverlays(shown)
	} else if s.doc.Masked() > 0 || s.doc.Temperature() != nil {
		s.paint.setOverlays(true) // what was restored is seen
	}
	s.docChanged()
	msg := fmt.Sprintf("%s · %s", done, describeState(s.doc))
	if done == "Undone" && !slices.Equal(s.doc.Tokens(), leaving) {
		// What was undone, then where that leaves the image: "Undone ·
		// edit "make it red"" named the image now shown, which read as
		// the step undone.
		msg = fmt.Sprintf("Undone: %s · back to %s", leavingState, describeState(s.doc))
	}
	if slices.Equal(s.doc.Tokens(), leaving) {
		// A step that kept the image: say what it was, or the status
		// named only the image (an undone mask stroke read as "Undone ·
		// edit \"make it green\"").
		switch {
		case !slices.Equal(s.doc.Mask(), maskBefore):
			msg = fmt.Sprintf("%s: a change of the mask · %s", done, describeState(s.doc))
		case !slices.Equal(s.doc.Temperature(), tempsBefore):
			msg = fmt.Sprintf("%s: a change of the painted temperatures · %s", done, describeState(s.doc))
		}
	}
	if strip > 1 && s.cands.id != stripLeft {
		// Undone past a run (or a pick from its strip), or redone past
		// an opening, the strip goes with its image: said, or its other
		// candidates read as lost.
		left, back := "undone", "Redo"
		if done == "Redone" {
			left, back = "before", "Undo"
		}
		msg += fmt.Sprintf(" · the %d candidates of the image %s come back with %s", strip, left, back)
	}
	if ip := s.doc.ImageParams(); ip.Prompt != "" && ip.Prompt != oneSpaced(s.panel.prompt.Text) && ip.Imported == "" && ip.Instruction == "" {
		// The prompt box keeps what was typed; say how to get the image's
		// (not of an edit by instruction: its seed is the edit model's,
		// and the button is greyed out).
		msg += " (the clock button beside the seed puts its prompt and seed in the panel)"
	}
	s.setStatus(msg)
	return nil
}

// showStepStrip shows the candidates that go with the undo step an undo or
// redo reached, having left the image leaving at step leavingStep: the
// strip shown on that very step, or none where its run offered none
// (runs can draw the same picture: the image alone named another run's
// strip); a step never shown with a strip (one whose strip was empty
// while current) keeps the strip shown on a step that kept the image,
// such as a mask stroke's, and shows the strip of its image otherwise.
func (s *Studio) showStepStrip(leaving []int, leavingStep uint64) {
	now, at := s.doc.Tokens(), s.doc.Step()
	if len(s.cands.results) > 0 {
		s.cands.keep(leaving, leavingStep)
	}
	if sh, ok := s.cands.atStep(at); ok {
		if sh.id != 0 && sh.id == s.cands.id {
			// The same strip (a mask stroke or a pick of its own step
			// undone): it stays, the image highlighted.
			s.cands.highlight(now, func(i int) bool { return s.cands.strip.Thumbs()[i].Selected })
			s.cands.version = -1
			return
		}
		s.cands.unshelve(now, at, s.doc.Version(), s.doc.CanRedo() || slices.Equal(now, leaving))
		return
	}
	if slices.Equal(now, leaving) {
		if s.opened.step != 0 && at == s.opened.step {
			s.cands.clearShown() // the opening of the image's own file redone puts them away again, as it did
		}
		s.cands.version = -1 // a pick is a step of its own now
		return
	}
	s.cands.clearShown()
	s.cands.unshelve(now, at, s.doc.Version(), s.doc.CanRedo())
}

// describeState sums up the current state for the status line.
func describeState(d *core.Document) string {
	if d.Empty() {
		return "no image"
	}
	msg := fmt.Sprintf("image of seed %d", d.ImageParams().Seed)
	if p := d.ImageParams().Prompt; p != "" {
		msg = fmt.Sprintf("image of %q, seed %d", p, d.ImageParams().Seed)
	}
	if from := d.ImageParams().Imported; from != "" {
		msg = "picture opened from " + from
	}
	if in := d.ImageParams().Instruction; in != "" {
		msg = fmt.Sprintf("edit %q (edit model's seed %d)", in, d.ImageParams().Seed)
		if p := d.ImageParams().Prompt; p != "" && p != in {
			msg = fmt.Sprintf("edit %q of %q (edit model's seed %d)", in, p, d.ImageParams().Seed)
		}
	}
	if d.Tall() {
		// Extended downward: said, or a redone Extend read as the image
		// it was made from.
		msg += fmt.Sprintf(", extended to %d patch rows (the model draws %d)", d.ImageRows(), d.Rows)
	}
	if n := d.Masked(); n > 0 {
		msg += ", " + plural.N(n, "patch", "patches") + " masked"
	}
	if d.Temperature() != nil {
		msg += ", painted temperatures"
	}
	return msg
}

// Candidates is the number of candidates offered.
func (s *Studio) Candidates() int { return len(s.cands.results) }

// PickCandidate makes candidate i the current image: in place of the run's
// result while that is the current undo step, else as a new step. The
// image picked is saved to the outputs folder unless it is there already
// (Settings' "Save every image of a batch" saves them all as they come),
// it is the image the run started from (nothing new: it keeps that
// image's parent) or a generation stopped under half drawn. The seed field
// does not change.
func (s *Studio) PickCandidate(i int) error {
	if i < 0 || i >= len(s.cands.results) {
		return fmt.Errorf("pick candidate %d: there are %d", i+1, len(s.cands.results))
	}
	if busy, ok := s.runs.runner.Busy(); ok {
		return busy
	}
	c := &s.cands.results[i]
	var saveErr error
	parent := c.path
	if c.before {
		parent = c.parent
	}
	if c.path == "" && !c.before {
		// The same picture as a candidate saved already (a repeat, "#3 =
		// #1"): that file is this candidate's too, no second one.
		if k := slices.IndexFunc(s.cands.results, func(o result) bool { return o.path != "" && !o.before && samePicture(o, *c) }); k >= 0 {
			c.path, c.again = s.cands.results[k].path, true
			parent = c.path
		}
	}
	save := c.path == "" && !c.before && s.bundle != nil
	if save {
		_, cols := s.bundle.Grid()
		save = !underHalfDrawn(s.cands.kind, len(c.tokens), c.rows, cols)
	}
	if save {
		c.path, c.again, saveErr = s.runs.saved.save(outputs{dir: s.outputsDir, read: s.bundle.ReadPrompt}, c.picture(s.bundle), c.rec, time.Now())
		if saveErr == nil {
			s.markSaved(c.tokens, true)
		}
		if saveErr == nil && !c.again {
			s.history.prepend(historyItem{path: c.path, model: c.rec.Model, hash: c.rec.ModelHash,
				img: c.picture(s.bundle), l: lineageOf(&c.rec)})
		}
		parent = c.path
	}
	ip := c.ownParams(s.doc.ImageParams(), s.cands.kind)
	var err error
	inPlace := s.cands.version >= 0 && s.cands.version == s.doc.Version()
	switch {
	case inPlace:
		err = s.doc.ReplaceImage(c.tokens, ip, parent, c.pic)
	case s.cands.kind == kindGenerate:
		err = s.doc.NewImage(c.tokens, c.rows, ip, parent, s.doc.Temperature(), c.pic)
	default:
		err = s.doc.SetImageRows(c.tokens, c.rows, ip, parent, c.pic)
	}
	if err != nil {
		return err
	}
	s.cands.version = s.doc.Version()
	s.cands.strip.Select(i)
	s.docChanged()
	msg := candidateName(i, *c)
	if c.loglik != 0 {
		msg += fmt.Sprintf(" · %.3f bits/patch (its mean −log₂ p)", -c.loglik/math.Ln2) // bits, to the strip's three decimals
	}
	switch {
	case c.before && s.savedKeys[tokensKey(c.tokens)]:
		msg += " · the image the run started from (on file already: not saved again)"
	case c.before:
		msg += " · the image the run started from, as it was (it was in no file, and is not saved now either)"
	case c.again:
		msg += againNote(c.path)
	case c.path != "":
		msg += savedNote(c.path)
	}
	s.setStatus(msg)
	if saveErr != nil {
		return fmt.Errorf("the candidate is on the canvas but could not be saved: %w", saveErr)
	}
	return nil
}

// settingsReadNote is the status once the panel reads again after a
// settings error: the typed settings that now differ from was, the last
// read ("" when none does).
func settingsReadNote(was, now core.Params) string {
	var read []string
	if now.Seed != was.Seed {
		read = append(read, fmt.Sprintf("seed %d", now.Seed))
	}
	if now.TopK != was.TopK {
		k := fmt.Sprintf("top-k %d", now.TopK)
		if now.TopK == 0 {
			k += " (all codes)"
		}
		read = append(read, k)
	}
	if now.Prompt != was.Prompt {
		read = append(read, fmt.Sprintf("the prompt %q", now.Prompt))
	}
	if now.Negative != was.Negative {
		read = append(read, fmt.Sprintf("the negative prompt %q", now.Negative))
	}
	if len(read) == 0 {
		return ""
	}
	return "Settings read: " + strings.Join(read, ", ")
}

// paramsChanged remembers valid panel parameters and autosaves; the
// likelihood map follows the prompt.
func (s *Studio) paramsChanged() {
	if p, err := s.panel.Params(); err == nil {
		if s.status.Text == statusPromptUnknown && p.Prompt != s.params.Prompt {
			s.setStatus("") // about the prompt before this edit
		}
		if strings.HasPrefix(s.status.Text, "Error: "+settingsErrorPrefix) {
			// The error named a value fixed now (it stayed through later
			// work): what is read instead ("The settings read again" said
			// nothing), or nothing where it is what was read before.
			s.setStatus(settingsReadNote(s.params, p))
		}
		s.params = p
		s.canvas.SetGlobalTemperature(p.Temperature)
	}
	s.autosave()
	if s.likelihood.On() && s.doc != nil {
		s.likelihood.refresh()
	}
}
