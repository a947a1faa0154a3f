package ui

import (
	"fmt"
	"math"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// candidateStrip is the candidates' controller: the images of the last
// batch, ranked, as thumbnails under the canvas with a label saying how
// they are ordered; tapping one calls pick. UI goroutine only.
type candidateStrip struct {
	results []result
	// version is the document version of the run's own undo step while it
	// is current (-1: none), where a picked candidate replaces the result
	// in place; kind is the run kind of the candidates.
	version int
	kind    string
	// id tells the strip shown apart from the others (0: none shown): a
	// strip goes with every undo step it was shown on.
	id, lastID uint64
	// shelf records the strip of each undo step it was shown on (an undo
	// or redo back to that step brings that very strip back; a step a run
	// made without candidates records none), newest last, of at most
	// maxShelved strips; it also brings a strip back where an opening
	// shows its image again.
	shelf []*shelvedStrip
	strip *widgets.ThumbStrip
	label *widget.Label
	hint  *widget.Label
	box   *fyne.Container
	pick  func(i int)
}

// newCandidateStrip returns an empty strip whose thumbnails call pick.
func newCandidateStrip(pick func(i int)) *candidateStrip {
	c := &candidateStrip{version: -1, pick: pick, strip: widgets.NewThumbStrip(), label: widget.NewLabel("Candidates"),
		hint: widget.NewLabel("A batch (Batch above 1) or Regenerate masked offers its candidates here, best first")}
	c.hint.Wrapping = fyne.TextWrapWord
	c.hint.Importance = widget.LowImportance
	c.box = container.NewBorder(nil, nil, c.label, nil, container.NewStack(c.strip.Object(), c.hint))
	c.strip.Hide()
	return c
}

// Object is the strip with its label, to lay out (its height is reserved
// while it is empty).
func (c *candidateStrip) Object() fyne.CanvasObject { return c.box }

// Thumbs are the thumbnails shown, best first.
func (c *candidateStrip) Thumbs() []*widgets.Thumb { return c.strip.Thumbs() }

// show offers the images of a run as thumbnails (an empty strip for one).
// A ranked batch comes best first with its score under each image: its
// mean log-likelihood under the prompt (sampler.RankLikelihood), explained
// in the thumbnail's tooltip.
func (c *candidateStrip) show(j job, results []result) {
	c.results = nil
	c.kind = j.kind
	results, repeats := oneGiveBack(j, results)
	if len(results) < 2 {
		c.clearShown()
		return
	}
	c.id = c.newID()
	thumbs := make([]*widgets.Thumb, len(results))
	for i, r := range results {
		c.results = append(c.results, r)
		caption, tip := candidateCaption(j, i, r)
		if k := alikeBefore(results, i); k >= 0 && !j.gaveBack(r.tokens) {
			// The same picture as an earlier one (a batch at the model's
			// strong guidance draws one picture for several seeds): said,
			// where ten alike read as ten candidates ("#5 = before" says
			// it of the image the run started from already).
			caption = fmt.Sprintf("#%d = #%d", i+1, k+1)
			tip += fmt.Sprintf("\nThe same picture as candidate %d: the model drew these seeds alike.", k+1)
		}
		thumbs[i] = c.thumb(j.b, i, r, caption, tip)
	}
	label := candidateOrder(j, results)
	if repeats > 0 {
		label += fmt.Sprintf("\n(%d more\n= before)", repeats)
	}
	c.label.SetText(label)
	c.strip.Set(thumbs)
	c.strip.Select(0)
	c.hint.Hide()
	c.strip.Show()
}

// oneGiveBack is results with the candidates that gave back the image run
// j started from ("= before") after the first left out, and how many were:
// a masked regeneration showed three thumbnails of the unchanged image
// beside its one new picture.
func oneGiveBack(j job, results []result) ([]result, int) {
	out := make([]result, 0, len(results))
	seen := false
	for _, r := range results {
		if j.gaveBack(r.tokens) {
			if seen {
				continue
			}
			seen = true
		}
		out = append(out, r)
	}
	return out, len(results) - len(out)
}

// thumb is candidate i's thumbnail: its picture (model b's codes), caption
// and tooltip, and its seed under them; a tap picks it.
func (c *candidateStrip) thumb(b *bundle.Bundle, i int, r result, caption, tip string) *widgets.Thumb {
	th := widgets.NewThumb(r.picture(b), caption, func() { c.pick(i) })
	th.Tip = tip
	th.Note = fmt.Sprint(r.seed) // a line of its own: ten digits do not fit beside the rank
	if r.before && r.startParams != nil {
		th.Note = fmt.Sprint(r.startParams.Seed) // its own seed, not the run's, which drew no such picture
	}
	th.NoteLong = "seed " + th.Note // where it fits: a bare number under "#2" said nothing
	return th
}

// newID is an id for a strip shown anew.
func (c *candidateStrip) newID() uint64 {
	c.lastID++
	return c.lastID
}

// display shows results, of a run of kind, as thumbs under label (a pick
// is a step of its own: version −1), as the strip id, highlighting the
// candidate that is image (see highlight).
func (c *candidateStrip) display(id uint64, results []result, kind, label string, thumbs []*widgets.Thumb, image []int, wasSelected func(i int) bool) {
	c.id, c.results, c.kind, c.version = id, results, kind, -1
	c.label.SetText(label)
	c.strip.Set(thumbs)
	c.highlight(image, wasSelected)
	c.hint.Hide()
	c.strip.Show()
}

// highlight selects the candidate that is image: the one selected before
// (wasSelected) where several are the same picture, else the first (the
// selection stays when image is none of them).
func (c *candidateStrip) highlight(image []int, wasSelected func(i int) bool) {
	results := c.results
	pick := -1
	for i, r := range results {
		if slices.Equal(r.tokens, image) && (pick < 0 || wasSelected(i)) {
			pick = i
		}
	}
	if pick >= 0 {
		c.strip.Select(pick)
	}
}

// candidateCaption is the caption and tooltip of candidate i of run j.
func candidateCaption(j job, i int, r result) (caption, tip string) {
	caption = fmt.Sprintf("#%d", i+1)
	tip = candidateName(i, r) + " — click to put it on the canvas"
	switch {
	case j.kind == kindRegenerate:
		if i == 0 {
			caption = "best"
		}
		tip += "\nRanked by how well the new patches fit the patches after them."
	case j.kind == kindEdit:
		if i == 0 {
			caption = "best"
		}
		tip += "\nRanked by the edit model's own likelihood of the edit."
	// In bits per patch, as the status line, the likelihood map and
	// Describe say them (the scores are nats: the strip showed "-0.014"
	// where everything around it said bits).
	case r.scored && r.rankBy == sampler.RankDescription:
		caption = fmt.Sprintf("#%d %+.3f", i+1, r.score/math.Ln2)
		tip += fmt.Sprintf("\nRanked by description margin, %+.3f bits/patch: log₂ p(image | prompt) − log₂ p(image | the likeliest other prompt Describe knows). "+
			"Positive: the model would describe the image by the prompt.", r.score/math.Ln2)
	case r.scored && r.rankBy == sampler.RankPromptGain:
		caption = fmt.Sprintf("#%d %+.3f", i+1, r.score/math.Ln2)
		tip += fmt.Sprintf("\nRanked by prompt gain, %+.3f bits/patch: log₂ p(image | prompt) − log₂ p(image | no prompt), "+
			"the quantity guidance amplifies. Higher: the prompt explains the image better.", r.score/math.Ln2)
	case r.scored:
		under := "under the prompt"
		if !j.b.Conditional() {
			under = "(this model takes no prompt)"
		}
		of := ""
		if drawnOnly(j) {
			// Ranked on the patches drawn (runs.save), which the whole
			// image's likelihood below is not.
			of = " of the patches it drew"
		}
		caption = fmt.Sprintf("#%d %.3f", i+1, -r.score/math.Ln2)
		tip += fmt.Sprintf("\nRanked by likelihood%s: %.3f bits/patch %s. Lower: more typical.", of, -r.score/math.Ln2, under)
	}
	if r.loglik != 0 {
		tip += fmt.Sprintf("\nLikelihood of the whole image: %.2f bits/patch.", -r.loglik/math.Ln2)
	}
	if j.gaveBack(r.tokens) {
		// The model gave back the image the run started from: said on the
		// thumbnail, which looks like a result otherwise.
		caption = fmt.Sprintf("#%d = before", i+1)
		tip += "\nThis candidate is the image the run started from: the model gave it back unchanged."
	}
	return caption, tip
}

// drawnOnly reports whether run j's candidates are ranked on the patches
// they drew alone (a completion or branch from patch at; runs.save).
func drawnOnly(j job) bool {
	return (j.kind == kindComplete || j.kind == kindBranch) && j.pin == nil && j.at > 0
}

// candidateName names candidate i (counted from 0) for the status line and
// tooltips: "Candidate 2 (seed 7)", with the style its seed drew; the image
// a run kept as it was by its own seed, or as an opened picture, which has
// none (its seed field reads 0).
func candidateName(i int, r result) string {
	switch {
	case r.kept && r.noSeed:
		return fmt.Sprintf("Candidate %d, the image as it was (an opened picture: no seed)", i+1)
	case r.kept:
		return fmt.Sprintf("Candidate %d, the image as it was (its seed %d)", i+1, r.seed)
	case r.before && r.startParams != nil && r.startParams.Imported != "":
		return fmt.Sprintf("Candidate %d, the image the run started from (an opened picture: no seed)", i+1)
	case r.before && r.startParams != nil:
		return fmt.Sprintf("Candidate %d, the image the run started from (its seed %d)", i+1, r.startParams.Seed)
	case r.style != "":
		return fmt.Sprintf("Candidate %d (seed %d, in the %s style it drew)", i+1, r.seed, r.style)
	}
	return fmt.Sprintf("Candidate %d (seed %d)", i+1, r.seed)
}

// candidateOrder is the strip's label: how run j's candidates are ordered.
func candidateOrder(j job, results []result) string {
	// A ranked run stopped before its ranking: in seed order, with no
	// scores (regenerations and edits are always ordered).
	then := "best first"
	if j.rank && j.kind != kindRegenerate && j.kind != kindEdit && len(results) > 0 && !results[0].scored {
		then = "seed order"
	}
	switch {
	case unchangedAmong(j, results):
		// changedFirst put those that give the image back last, whatever
		// their score or fit
		return "Changes first,\nthen " + then
	case j.kind == kindRegenerate:
		return "Best fit first"
	case j.kind == kindEdit && j.redrawnBy != nil && *j.redrawnBy != "":
		return "Likeliest reading\nfirst (" + *j.redrawnBy + ")"
	case j.kind == kindEdit:
		return "Best first\n(edit model)"
	case j.pin != nil && j.rank && len(results) > 1:
		return "Yours first,\nthen " + then
	case then == "seed order":
		return "Seed order\n(not ranked)"
	case j.rank && len(results) > 0 && results[0].scored && results[0].rankBy.RecordKey() != "":
		return "Best first\n(" + results[0].rankBy.ScoreName() + ")"
	case j.rank && drawnOnly(j):
		// The captions' figures are of the patches drawn, which the
		// status line's and the likelihood map's (the whole image) are
		// not: 0.846 beside 0.590 read as a contradiction.
		return "Best first\n(bits/patch drawn)"
	case j.rank:
		return "Best first\n(bits/patch)"
	}
	return "Candidates"
}

// unchangedAmong reports whether a run whose changes go first
// (job.changesFirst) gave back the image it started from among changed
// candidates: changedFirst moved those after the others.
func unchangedAmong(j job, results []result) bool {
	if !j.changesFirst() {
		return false
	}
	same := 0
	for _, r := range results {
		if slices.Equal(r.tokens, j.base) {
			same++
		}
	}
	return same > 0 && same < len(results)
}

// shelvedStrip is the strip an undo step showed.
type shelvedStrip struct {
	tokens  []int  // the image shown at the step (nil for a step without a strip read from a session file)
	step    uint64 // the undo step (core.Document.Step; 0: unknown)
	id      uint64 // the strip (0: none: the step's run offered no candidates)
	results []result
	kind    string
	thumbs  []*widgets.Thumb
	label   string
}

// maxShelved is how many strips the shelf keeps (the oldest goes first).
const maxShelved = 8

// keep records the strip shown (none too) as the strip of undo step step,
// which shows the image tokens, in place of what the shelf had for that
// step; the strip stays shown.
func (c *candidateStrip) keep(tokens []int, step uint64) {
	sh := &shelvedStrip{tokens: slices.Clone(tokens), step: step}
	if len(c.results) > 0 {
		sh.id, sh.results, sh.kind, sh.thumbs, sh.label = c.id, c.results, c.kind, c.strip.Thumbs(), c.label.Text
	}
	c.put(sh)
}

// put adds sh to the shelf in place of the entry of its step (of its
// image for an unknown step), keeping the entries of the newest
// maxShelved strips.
func (c *candidateStrip) put(sh *shelvedStrip) {
	c.shelf = slices.DeleteFunc(c.shelf, func(o *shelvedStrip) bool {
		if sh.step == 0 {
			return o.step == 0 && slices.Equal(o.tokens, sh.tokens)
		}
		return o.step == sh.step
	})
	c.shelf = append(c.shelf, sh)
	var strips []uint64 // newest first
	for i := len(c.shelf) - 1; i >= 0; i-- {
		if id := c.shelf[i].id; id != 0 && !slices.Contains(strips, id) {
			strips = append(strips, id)
		}
	}
	if len(strips) > maxShelved {
		old := strips[maxShelved:]
		c.shelf = slices.DeleteFunc(c.shelf, func(o *shelvedStrip) bool { return slices.Contains(old, o.id) })
	}
}

// prune drops the entries of undo steps that are gone (live reports
// those still in the document's history), keeping the newest of each
// strip: an opening that shows its image again brings it back.
func (c *candidateStrip) prune(live func(step uint64) bool) {
	kept := map[uint64]bool{}
	for i := len(c.shelf) - 1; i >= 0; i-- {
		sh := c.shelf[i]
		switch {
		case sh.step == 0 || live(sh.step):
		case sh.id != 0 && !kept[sh.id]:
			kept[sh.id] = true
		default:
			c.shelf = slices.Delete(c.shelf, i, i+1)
		}
	}
}

// shelve puts the strip away as the strip of undo step step, which shows
// the image tokens (see keep), and empties the strip shown: unshelve
// brings it back when that step or image is current again. An empty strip
// records nothing.
func (c *candidateStrip) shelve(tokens []int, step uint64) {
	if len(c.results) == 0 {
		return
	}
	c.keep(tokens, step)
	c.clearShown()
}

// atStep is what the shelf has for undo step step: the strip shown there
// (id 0: none), and whether it has anything.
func (c *candidateStrip) atStep(step uint64) (*shelvedStrip, bool) {
	if step == 0 {
		return nil, false
	}
	at := slices.IndexFunc(c.shelf, func(o *shelvedStrip) bool { return o.step == step })
	if at < 0 {
		return nil, false
	}
	return c.shelf[at], true
}

// unshelve shows the strip of undo step step, now current at document
// version with the image tokens, or where the shelf has nothing for that
// step the newest strip shown with that image, and reports whether there
// was one. A pick from it replaces the image in place only on the very
// step it was shown on and with nothing to redo past it (a later step
// built on the image must not come back over the pick); otherwise, as on
// another step that shows the same codes (an opening of the run's output),
// it is a step of its own.
func (c *candidateStrip) unshelve(tokens []int, step uint64, version int, moreToRedo bool) bool {
	sh, ok := c.atStep(step)
	if !ok {
		for _, o := range c.shelf {
			if o.id != 0 && slices.Equal(o.tokens, tokens) {
				sh = o // the newest, last
			}
		}
	}
	if sh == nil {
		return false
	}
	if sh.id == 0 {
		c.clearShown() // the step's run offered none
		return false
	}
	// The candidate picked when the strip was put away, if it is this
	// image; else the first that is (candidates can be the same picture:
	// the last of them was highlighted under the first one's seed).
	c.display(sh.id, sh.results, sh.kind, sh.label, sh.thumbs, tokens, func(i int) bool { return sh.thumbs[i].Selected })
	if ok && !moreToRedo {
		c.version = version
	}
	return true
}

// clearShown empties the strip shown (its place stays); the shelf stays.
func (c *candidateStrip) clearShown() {
	c.id, c.results = 0, nil
	c.version = -1
	c.strip.Set(nil)
	c.label.SetText("Candidates")
	c.strip.Hide()
	c.hint.Show()
}

// clear empties the strip and the shelf (another model's images).
func (c *candidateStrip) clear() {
	c.shelf = nil
	c.clearShown()
}

// forget unsaves the candidate saved as path (the file was deleted), shown
// or put away.
func (c *candidateStrip) forget(path string) {
	lists := [][]result{c.results}
	for _, sh := range c.shelf {
		lists = append(lists, sh.results)
	}
	for _, rs := range lists {
		for i := range rs {
			if rs[i].path == path {
				rs[i].path = ""
			}
		}
	}
}
