package ui

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"math"
	"path/filepath"
	"strings"
)

// docChanged shows the document (whole: the timeline goes back to its
// end) and autosaves it (UI goroutine).
func (s *Studio) docChanged() {
	if data, err := json.Marshal(s.doc.state()); err == nil {
		s.docJSON = data
	}
	s.resetTimeline()
	s.showDoc()
	s.updateButtons()
	s.autosave()
}

// showDoc paints the document's image (its first patches only while the
// timeline is rewound), mask, temperature map and likelihood map on the
// canvas now.
func (s *Studio) showDoc() {
	if s.doc == nil || s.bundle == nil {
		s.canvas.ShowImage(nil)
		s.canvas.Sync()
		return
	}
	s.fitCanvas(s.doc.ImageRows())
	if s.doc.Empty() {
		s.canvas.ShowImage(nil)
	} else {
		s.canvas.ShowImage(decodeRows(s.bundle, s.doc.Tokens()[:s.shownPatches()], s.doc.ImageRows()))
	}
	s.canvas.SetMask(s.doc.Mask())
	s.canvas.SetTemperature(s.doc.Temperature())
	s.canvas.Sync()
	s.refreshHeat()
}

// updateButtons enables what the current state allows.
func (s *Studio) updateButtons() {
	busy := s.run.Running() != ""
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
	set(has && !busy && !tall, e.regenerate, e.complete)
	set(has && !busy && !s.doc.Complete(), e.resume)
	set(has, e.export, e.copyImage)
	set(done && !busy && !tall, e.repair)
	set(done && !busy, e.extend)
	set(has && !busy, s.tl.slider)
	set(has && !busy && !tall && s.shownPatches() < s.doc.N(), s.tl.branch)
	set(s.doc != nil && s.doc.Temperature() != nil, e.clearTemp)
	set(s.doc != nil && s.doc.CanUndo() && !busy, e.undo)
	set(s.doc != nil && s.doc.CanRedo() && !busy, e.redo)
	set(s.bundle != nil && !busy, e.open)
	if s.bundle == nil {
		s.panel.generate.Disable()
	} else if !busy {
		s.panel.generate.Enable()
	}
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

// maskEdited commits a brush stroke.
func (s *Studio) maskEdited(mask []bool) {
	if s.doc == nil {
		return
	}
	s.report(s.doc.SetMask(mask))
	s.docChanged()
	s.setStatus(fmt.Sprintf("%d patches masked", s.doc.Masked()))
}

// ClearMask unmasks every patch (one undo step).
func (s *Studio) ClearMask() error {
	if s.doc == nil {
		return errNoModel
	}
	if err := s.doc.ClearMask(); err != nil {
		return err
	}
	s.docChanged()
	return nil
}

// InvertMask flips the mask (one undo step).
func (s *Studio) InvertMask() error {
	if s.doc == nil {
		return errNoModel
	}
	if err := s.doc.InvertMask(); err != nil {
		return err
	}
	s.docChanged()
	return nil
}

// SetMask replaces the mask (one undo step), as a brush stroke does.
func (s *Studio) SetMask(mask []bool) error {
	if s.doc == nil {
		return errNoModel
	}
	if err := s.doc.SetMask(mask); err != nil {
		return err
	}
	s.docChanged()
	return nil
}

// Undo restores the image and mask before the last change.
func (s *Studio) Undo() error {
	if s.doc == nil {
		return errNoModel
	}
	if name := s.run.Running(); name != "" {
		return errBusy{running: name}
	}
	if err := s.doc.Undo(); err != nil {
		s.setStatus("Nothing to undo")
		return nil
	}
	s.clearCandidates()
	s.docChanged()
	s.setStatus("Undone")
	return nil
}

// Redo reapplies the last undone change.
func (s *Studio) Redo() error {
	if s.doc == nil {
		return errNoModel
	}
	if name := s.run.Running(); name != "" {
		return errBusy{running: name}
	}
	if err := s.doc.Redo(); err != nil {
		s.setStatus("Nothing to redo")
		return nil
	}
	s.clearCandidates()
	s.docChanged()
	s.setStatus("Redone")
	return nil
}

// showCandidates offers the images of a run as thumbnails (hidden for one).
// A ranked batch comes best first with the model's mean log-likelihood per
// patch (nats, higher is more typical) under each image.
func (s *Studio) showCandidates(j job, results []result) {
	s.candidates = nil
	if len(results) < 2 {
		s.clearCandidates()
		return
	}
	thumbs := make([]*Thumb, len(results))
	for i, r := range results {
		s.candidates = append(s.candidates, r)
		caption := fmt.Sprintf("#%d · %d", i+1, r.seed)
		switch {
		case j.kind == kindRegenerate && i == 0:
			caption = "best · " + fmt.Sprint(r.seed)
		case j.rank:
			caption = fmt.Sprintf("#%d  %.3f", i+1, r.loglik)
		}
		thumbs[i] = NewThumb(decodeRows(j.b, r.tokens, r.rows), caption, func() { s.report(s.PickCandidate(i)) })
	}
	s.candLabel.SetText("Candidates")
	if j.rank {
		s.candLabel.SetText("Best first\n(log-lik/patch)")
	}
	s.cands.set(thumbs)
	s.cands.selectIndex(0)
	s.candBox.Show()
}

// clearCandidates hides the candidate strip.
func (s *Studio) clearCandidates() {
	s.candidates = nil
	s.cands.set(nil)
	s.candBox.Hide()
}

// Candidates is the number of candidates offered.
func (s *Studio) Candidates() int { return len(s.candidates) }

// PickCandidate makes candidate i the current image (replacing the run's
// result in the same undo step).
func (s *Studio) PickCandidate(i int) error {
	if i < 0 || i >= len(s.candidates) {
		return fmt.Errorf("pick candidate %d: there are %d", i+1, len(s.candidates))
	}
	c := s.candidates[i]
	ip := s.doc.ImageParams()
	ip.Seed = c.seed
	if err := s.doc.ReplaceImage(c.tokens, ip, c.path); err != nil {
		return err
	}
	s.panel.SetSeed(c.seed)
	s.cands.selectIndex(i)
	s.docChanged()
	msg := fmt.Sprintf("Candidate %d (seed %d)", i+1, c.seed)
	if c.loglik != 0 {
		msg += fmt.Sprintf(" · mean log-likelihood %.3f nats/patch (%.2f bits/patch)", c.loglik, -c.loglik/math.Ln2)
	}
	s.setStatus(msg)
	return nil
}

// addHistory puts a run's saved files first in the history strip, each
// with its place in the tree of branches.
func (s *Studio) addHistory(j job, results []result) {
	var thumbs []*Thumb
	l := lineage{parent: parentName(j.parent), kind: j.kind, at: j.at}
	for _, r := range results {
		if r.path == "" {
			continue
		}
		thumbs = append(thumbs, s.historyThumb(r.path, decodeRows(j.b, r.tokens, r.rows), l))
	}
	s.history.prepend(historyLimit, thumbs...)
}

// historyThumb is the thumbnail of an output file, with its lineage as
// its note; tapping it reopens it.
func (s *Studio) historyThumb(path string, img image.Image, l lineage) *Thumb {
	t := NewThumb(img, historyCaption(filepath.Base(path)), func() { s.report(s.OpenFile(path)) })
	t.Note = l.note()
	return t
}

// historyCaption is a short caption for an output file: "15:04 s7" for
// the studio's own names (tessera-DATE-TIME-sSEED.png), else the name's end.
func historyCaption(name string) string {
	var date, clock, seed string
	if parts := strings.Split(strings.TrimSuffix(name, ".png"), "-"); len(parts) >= 4 && parts[0] == "tessera" {
		date, clock, seed = parts[1], parts[2], parts[3]
		if len(date) == 8 && len(clock) == 6 && strings.HasPrefix(seed, "s") {
			return clock[:2] + ":" + clock[2:4] + " " + shortenPath(seed, 8)
		}
	}
	return shortenPath(name, 12)
}

// loadHistory fills the history strip from the outputs folder in the
// background.
func (s *Studio) loadHistory() {
	dir := s.outputsDir
	s.goBackground(func() {
		paths, err := outputs{dir: dir}.list(historyLimit)
		type item struct {
			path string
			img  image.Image
			l    lineage
		}
		var items []item
		for _, p := range paths {
			if img, rec, err := loadThumbnail(p); err == nil {
				items = append(items, item{p, img, lineageOf(rec)})
			}
		}
		s.loop.DoAndWait(func() {
			if err != nil {
				s.setStatus(err.Error())
			}
			thumbs := make([]*Thumb, len(items))
			for i, it := range items {
				thumbs[i] = s.historyThumb(it.path, it.img, it.l)
			}
			s.history.set(thumbs)
		})
	})
}

// HistoryLen is the number of entries in the history strip.
func (s *Studio) HistoryLen() int { return len(s.history.thumbs) }

// paramsChanged remembers valid panel parameters and autosaves; the
// likelihood map follows the prompt.
func (s *Studio) paramsChanged() {
	if p, err := s.panel.Params(); err == nil {
		s.params = p
	}
	s.autosave()
	if s.heatOn && s.doc != nil {
		s.refreshHeat()
	}
}
