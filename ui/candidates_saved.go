package ui

import (
	"image"
	"os"
	"slices"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/ui/core"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// savedStrip is the candidate strip of the image on the canvas as the
// session file keeps it, so that the candidates of a batch, a masked
// regeneration or an edit can still be picked after the studio was
// closed (or killed) and opened again.
type savedStrip struct {
	Image      []int            `json:"image"` // the image on the canvas the strip goes with
	Kind       string           `json:"kind"`
	Label      string           `json:"label"`
	Candidates []savedCandidate `json:"candidates"`
	// History is 1 + the place of the strip's undo step in the document's
	// history (core.Document.HistoryIndex; 0: unknown), for a strip put
	// away: an undo after a restart finds the step it goes with.
	History int `json:"history,omitempty"`
	// More are the places (as History) of the other undo steps the strip
	// was shown on (a mask stroke's after its run's).
	More []int `json:"more_history,omitempty"`
	// InPlace: the strip's run made the current undo step and nothing was
	// undone past it, so a pick replaces that step's image in place (after
	// a restart as before it) rather than making a step of its own.
	InPlace bool `json:"in_place,omitempty"`
}

// savedCandidate is one candidate of a savedStrip: a result with its
// thumbnail's caption, tooltip and selection.
type savedCandidate struct {
	Tokens []int          `json:"tokens"`
	Rows   int            `json:"rows"`
	Seed   uint64         `json:"seed"`
	Style  string         `json:"style,omitempty"`
	Path   string         `json:"path,omitempty"`
	Record pngmeta.Record `json:"record"`
	Again  bool           `json:"again,omitempty"`
	LogLik float64        `json:"loglik,omitempty"`
	Score  float64        `json:"score,omitempty"`
	Scored bool           `json:"scored,omitempty"`
	RankBy string         `json:"rank_by,omitempty"`
	Before bool           `json:"before,omitempty"`
	// Start holds the parameters of the image the run started from, for
	// a candidate that is that image (Before).
	Start  *core.Params `json:"start,omitempty"`
	Parent string       `json:"parent,omitempty"`
	// Picture is the result's picture when it is not its codes' decode
	// (PNG, core.PictureBytes).
	Picture  []byte `json:"picture,omitempty"`
	Caption  string `json:"caption"`
	Tip      string `json:"tip"`
	Selected bool   `json:"selected,omitempty"`
}

// saved is the strip shown, for the session file, as the strip of image
// (nil when none is shown), the document being at version.
func (c *candidateStrip) saved(image []int, version int) *savedStrip {
	return stripOf(image, c.kind, c.label.Text, c.results, c.strip.Thumbs(), c.version >= 0 && c.version == version)
}

// savedShelf is the shelf's strips (those an undo or a new image put
// away), oldest first, for the session file: an undo after a restart
// brings them back as it did before (they were lost).
// place is where a step is in the document's history
// (core.Document.HistoryIndex).
// A strip shown on several steps is kept once, with each step's place.
// none are the places (as savedStrip.History) of the steps whose run
// offered no candidates: a redo to one after a restart shows none, not
// the strip of the step before it that drew the same picture.
func (c *candidateStrip) savedShelf(place func(step uint64) int) (out []*savedStrip, none []int) {
	return shelfOut(c.shelf, place)
}

// shelfOut is savedShelf of shelf, a strip's or a model's put aside
// (modelWork.shelf).
func shelfOut(shelf []*shelvedStrip, place func(step uint64) int) (out []*savedStrip, none []int) {
	byID := map[uint64]*savedStrip{}
	for _, sh := range shelf {
		if sh.id == 0 {
			if at := place(sh.step) + 1; at > 0 {
				none = append(none, at)
			}
			continue
		}
		if sv, ok := byID[sh.id]; ok {
			if at := place(sh.step) + 1; at > 0 {
				sv.More = append(sv.More, at)
			}
			continue
		}
		if sv := stripOf(sh.tokens, sh.kind, sh.label, sh.results, sh.thumbs, false); sv != nil {
			sv.History = place(sh.step) + 1
			byID[sh.id] = sv
			out = append(out, sv)
		}
	}
	return out, none
}

// stripOf is a strip of results shown as thumbs, going with image, as
// the session file keeps it (nil when there is none, or a picture cannot
// be kept).
func stripOf(image []int, kind, label string, results []result, thumbs []*widgets.Thumb, inPlace bool) *savedStrip {
	if len(results) == 0 || len(thumbs) != len(results) {
		return nil
	}
	sv := &savedStrip{Image: slices.Clone(image), Kind: kind, Label: label, InPlace: inPlace}
	for i, r := range results {
		pic, err := core.PictureBytes(r.pic)
		if err != nil {
			return nil // not kept: the strip goes with the session's end
		}
		sv.Candidates = append(sv.Candidates, savedCandidate{
			Tokens: r.tokens, Rows: r.rows, Seed: r.seed, Style: r.style, Path: r.path, Record: r.rec, Again: r.again,
			LogLik: r.loglik, Score: r.score, Scored: r.scored, RankBy: string(r.rankBy), Before: r.before, Start: r.startParams, Parent: r.parent,
			Picture: pic, Caption: thumbs[i].Caption, Tip: thumbs[i].Tip, Selected: thumbs[i].Selected,
		})
	}
	return sv
}

// restoreSaved shows sv, a strip of model b's kept by the session file
// (or put aside with the model's work), when it goes with current, the
// image on the canvas at undo step step, and reports whether it did. The
// strip keeps the id the shelf has for step where that is the same strip
// (restore the shelf first), so that the other steps it was shown on (a
// mask stroke's and its run's) still share it; else it gets a new one. A
// candidate saved to a file that is gone since counts as unsaved; saved
// reports those still on file. A pick replaces the image in place, as it
// did before, where the strip was saved so (InPlace) and the document
// read back, at version, has nothing to redo; else it makes an undo step
// of its own.
func (c *candidateStrip) restoreSaved(b *bundle.Bundle, sv *savedStrip, current []int, step uint64, version int, moreToRedo bool, saved func(tokens []int)) bool {
	if sv == nil || !slices.Equal(sv.Image, current) {
		return false
	}
	results, thumbs, ok := c.rebuild(b, sv, saved)
	if !ok {
		return false
	}
	id := c.newID()
	if sh, ok := c.atStep(step); ok && sh.id != 0 && sameResults(sh.results, results) {
		id = sh.id
	}
	c.display(id, results, sv.Kind, sv.Label, thumbs, current, func(i int) bool { return sv.Candidates[i].Selected })
	if sv.InPlace && !moreToRedo {
		c.version = version
	}
	return true
}

// sameResults reports whether a and b are the same candidates (codes and
// seeds, in order): one strip, kept twice.
func sameResults(a, b []result) bool {
	return slices.EqualFunc(a, b, func(x, y result) bool { return x.seed == y.seed && slices.Equal(x.tokens, y.tokens) })
}

// restoreShelf puts the strips svs of model b's, kept by the session file,
// back on the shelf (savedShelf), for an undo to bring back, and records
// the steps at the places none as steps without a strip; saved is told
// the candidates still on file. A strip of another model's or damaged is
// left out. stepAt is the undo step at a place in the document's history
// (core.Document.StepAt), read back with it.
func (c *candidateStrip) restoreShelf(b *bundle.Bundle, svs []*savedStrip, none []int, stepAt func(i int) uint64, saved func(tokens []int)) {
	for _, at := range none {
		if step := stepAt(at - 1); step != 0 {
			c.put(&shelvedStrip{step: step}) // its image is not needed: a step without a strip is found by its step alone
		}
	}
	for _, sv := range svs {
		if sv == nil {
			continue
		}
		results, thumbs, ok := c.rebuild(b, sv, saved)
		if !ok {
			continue
		}
		for i, th := range thumbs {
			th.Selected = sv.Candidates[i].Selected
		}
		id := c.newID()
		for _, at := range append([]int{sv.History}, sv.More...) {
			c.put(&shelvedStrip{tokens: slices.Clone(sv.Image), step: stepAt(at - 1), id: id, results: results, kind: sv.Kind, thumbs: thumbs, label: sv.Label})
		}
	}
}

// rebuild makes sv's results and thumbnails again (model b's); ok false
// for a strip of another model's or a damaged one. A candidate saved to a
// file that is gone since counts as unsaved; saved is told those still on
// file.
func (c *candidateStrip) rebuild(b *bundle.Bundle, sv *savedStrip, saved func(tokens []int)) (results []result, thumbs []*widgets.Thumb, ok bool) {
	if len(sv.Candidates) < 2 {
		return nil, nil, false
	}
	cells := b.ImageTokens()
	_, cols := b.Grid()
	for _, sc := range sv.Candidates {
		// A stopped batch's partial images are shorter than their rows.
		if sc.Rows > core.MaxImageRows || len(sc.Tokens) == 0 || len(sc.Tokens) > sc.Rows*cols || sc.Rows*cols < cells || slices.ContainsFunc(sc.Tokens, func(t int) bool { return t < 0 || t >= b.Codes() }) {
			return nil, nil, false // another model's, or damaged: nothing shown
		}
		pic, err := core.ParsePicture(sc.Picture)
		if err != nil || pic != nil && pic.Rect.Size() != image.Pt(cols*b.PatchSize(), sc.Rows*b.PatchSize()) {
			return nil, nil, false // damaged: nothing shown
		}
		r := result{tokens: sc.Tokens, rows: sc.Rows, seed: sc.Seed, style: sc.Style, path: sc.Path, rec: sc.Record, again: sc.Again,
			loglik: sc.LogLik, score: sc.Score, scored: sc.Scored, rankBy: sampler.RankBy(sc.RankBy), before: sc.Before, startParams: sc.Start, parent: sc.Parent, pic: pic}
		if r.path != "" {
			if _, err := os.Stat(r.path); err != nil {
				r.path, r.again = "", false
			} else {
				saved(r.tokens)
			}
		}
		results = append(results, r)
	}
	thumbs = make([]*widgets.Thumb, len(results))
	for i, r := range results {
		thumbs[i] = c.thumb(b, i, r, sv.Candidates[i].Caption, sv.Candidates[i].Tip)
	}
	return results, thumbs, true
}
