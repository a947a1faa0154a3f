package ui

import (
	"context"
	"errors"
	"fmt"
	"fyne.io/fyne/v2"
	"image"
	"image/draw"
	"math"
	"slices"
	"strings"
	"sync"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
	"github.com/nfnt/resize"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/edit"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/redraw"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/internal/plural"
	"github.com/tessera-studio/tessera/ui/core"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// extraEdit is the metadata entry of an edit by instruction: the
// instruction, the edit model (name and hash), its two guidance scales and
// the candidate's rank.
const extraEdit = pngmeta.ExtraEdit

// instructionChanged follows the Edit by instruction box: its text is
// autosaved with the session (it comes back after a restart, as the
// prompt does), and the status line saying it was empty goes once it is
// not (it stayed beside an instruction picked from the list).
func (s *Studio) instructionChanged(text string) {
	s.autosave() // the box's text comes back after a restart
	if strings.TrimSpace(text) != "" && errors.Is(s.lastErr, errNoInstruction) && strings.Contains(s.Status(), errNoInstruction.Error()) {
		s.setStatus("Edit by instruction: Enter or the button edits the image with it")
	}
}

// errNoInstruction is Edit by instruction with an empty box; the status
// line that says it goes once an instruction is typed or picked
// (Studio.instructionChanged).
var errNoInstruction = errors.New(`type what to change first, e.g. "remove the background" or "make it blue"`)

// errNoEditModel is reported by Edit by instruction without an edit model.
var errNoEditModel = errors.New("there is no edit model: Edit by instruction needs one (the built-in \"edit\", " +
	"or an edit model folder picked in the model list)")

// editor is the edit model the Edit by instruction box uses: loaded on
// first use from Options.EditModel, or picked in the model list (an edit
// model opened there becomes the editor instead of the drawing model).
type editor struct {
	key string         // built-in name or folder ("" none)
	b   *bundle.Bundle // nil until loaded
}

// set reports whether there is an edit model (named or loaded).
func (e editor) set() bool { return e.key != "" || e.b != nil }

// EditModel names the edit model the Edit by instruction box uses ("" none).
func (s *Studio) EditModel() string { return s.editor.key }

// editAsked is the Edit by instruction button: when the edit model (once
// loaded) does not know a word it has a correction for, it offers the
// corrected instruction; when it knows some of the words but not all, it asks first
// whether to edit with the others left out, naming them (with a did you
// mean), since an edit takes seconds and those words change nothing; when
// it knows every word but was never trained on them together ("make it
// pink"), it asks too, naming the nearest instruction it knows.
func (s *Studio) editAsked(instruction string) {
	if busy, ok := s.runs.runner.Busy(); ok {
		// Said before any question about the words (Enter in the box
		// while a run went on did nothing and said nothing).
		s.report(busy)
		return
	}
	eb := s.editor.b
	if eb == nil && s.editor.set() && !s.editAsk.shown() && s.runs.runner.Running() == "" {
		// Opened first (off the UI goroutine: a user's edit model may be
		// large) rather than by the edit's job, so that a misspelt first
		// instruction gets its correction offered too (it got an error);
		// a failure is the edit's to report.
		key := s.editor.key
		s.setStatus(fmt.Sprintf("Opening the edit model %q…", modelLabel(key)))
		go func() {
			b, err := s.opt.Models.Open(key, nil)
			s.loop.Do(func() {
				if err == nil && b.Model.Config.IsEdit() && s.editor.key == key && s.editor.b == nil {
					s.setEditor(key, b)
				}
				if s.editor.b == nil {
					s.report(s.EditByInstruction(instruction))
					return
				}
				s.editAsked(instruction)
			})
		}()
		return
	}
	if eb == nil || s.editAsk.shown() {
		s.report(s.EditByInstruction(instruction))
		return
	}
	_, unknown, _ := sampler.InstructionWords(eb, instruction)
	fixed, ok := eb.Prompt.Corrected(instruction)
	if len(unknown) > 0 && ok && len(eb.Prompt.Suggestions(unknown)) == len(unknown) && trained(eb, fixed) {
		// Misspelt ("remove the backgroud"): offer the instruction the
		// model was trained on, in one click; not where words it has no
		// correction for would be dropped ("make it sparkle like
		// glitter" is no misspelling of "make it twitter").
		msg := fmt.Sprintf("The edit model does not know %s. %s", strings.Join(unknown, ", "), capitalize(eb.Prompt.DidYouMean(unknown)))
		d := dialog.NewCustomConfirm("Edit with the corrected instruction?", fmt.Sprintf("Edit: %q", fixed), "Cancel", widget.NewLabel(widgets.WrapText(msg, 60)), func(ok bool) {
			if ok {
				s.SetInstruction(fixed)
				s.report(s.EditByInstruction(fixed))
			}
		}, s.win)
		s.editAsk.show(d, msg)
		return
	}
	if len(unknown) == 0 {
		if near, exact, ok := edit.Nearest(instruction); ok && !exact {
			// Every word known, but never trained together: the model's
			// edit is anyone's guess, so say which instruction is nearest.
			msg := fmt.Sprintf("The edit model was not trained on %q, so what it does with it is hard to tell. The nearest instruction it knows is %q.", instruction, near)
			d := dialog.NewCustomConfirm("Edit with an untrained instruction?", "Edit anyway", "Cancel", widget.NewLabel(widgets.WrapText(msg, 60)), func(ok bool) {
				if ok {
					s.report(s.EditByInstruction(instruction))
				}
			}, s.win)
			s.editAsk.show(d, msg)
			return
		}
	}
	if len(unknown) == 0 || edit.CheckInstruction(eb, instruction) != nil {
		s.report(s.EditByInstruction(instruction)) // runs, or says why it cannot
		return
	}
	msg := fmt.Sprintf("The edit model does not know %s: the edit reads only the other words of %q.", strings.Join(unknown, ", "), instruction)
	if h := eb.Prompt.DidYouMean(unknown); h != "" {
		msg += " " + capitalize(h)
	}
	msg += fmt.Sprintf(" Its instructions are like %q.", editInstructions(eb)[0])
	d := newQuestion("Edit with words left out?", msg, func(ok bool) {
		if ok {
			s.report(s.EditByInstruction(instruction))
		}
	}, s.win)
	noDefault(d) // a second Return (the box submits on Return) must not say yes
	s.editAsk.show(d, msg)
}

// sourcePrompt is the prompt that drew the image tokens on the canvas, as
// the file it came from records it (an edit's: its source's; a
// style-per-seed picture's with its style): "" for a picture imported from
// a file, one whose record is gone or holds other codes (painted over
// since). Not the prompt box, which may hold the next prompt typed.
func (s *Studio) sourcePrompt(tokens []int) string {
	rec := s.parentRecord()
	if rec == nil || !slices.Equal(rec.Tokens, tokens) {
		return ""
	}
	if e, ok := rec.Extra[extraEdit].(map[string]any); ok {
		sp, _ := e["source_prompt"].(string)
		return sp
	}
	if !rec.Sampled() {
		return ""
	}
	return rec.Prompt
}

// trained reports whether the edit model eb knows every word of
// instruction and was trained on it as worded (edit.Nearest exact).
func trained(eb *bundle.Bundle, instruction string) bool {
	if edit.CheckInstruction(eb, instruction) != nil {
		return false
	}
	_, exact, _ := edit.Nearest(instruction)
	return exact
}

// EditByInstruction edits the image on the canvas by instruction
// ("remove the background", "in the openmoji style", "make it blue") with
// the edit model (EditModel; sampler.Edit, after EditAR and
// InstructPix2Pix). The edit model reads the image's own codes where they
// are its codes too and draw the picture (bundle.SourceCodes, as tessera
// edit reads a file's recorded codes, so that an edit of an opened file is
// the CLI's of it), else the picture encoded by its tokenizer at its size;
// the edit is painted on the canvas
// as it grows, and the candidates (the Candidates setting) come back best
// first by the edit model's own likelihood, encoded again by the drawing
// model's tokenizer so the document stays in its codes. With a mask
// painted only the masked patches change (the others are kept exactly).
// The result is one undo step, saved to the outputs folder with the
// instruction in its metadata; Stop cancels the edit, leaving the image as
// it was. It returns at once; see Wait.
//
// Sampling uses the panel's seed, the edit model's recommended guidance on
// the instruction and on the image (config.json tessera.defaults), and its
// recommended temperature, top-k and top-p unless the panel's were moved
// from the drawing model's defaults (editOptions).
func (s *Studio) EditByInstruction(instruction string) error {
	instruction = strings.TrimSpace(instruction)
	if busy, ok := s.runs.runner.Busy(); ok {
		return busy // before the timeline and canvas are reset for the edit
	}
	switch {
	case s.doc == nil || s.doc.Empty():
		return errNoImage
	case s.doc.Tall():
		return s.tallError("Edit by instruction")
	case !s.doc.Complete():
		return errors.New("finish the image first (Continue stopped image): an edit reads the whole picture")
	case instruction == "":
		return errNoInstruction
	case !s.editor.set():
		return errNoEditModel
	}
	checked := s.editor.b != nil // else once the edit model has loaded
	if checked {
		if err := edit.CheckInstruction(s.editor.b, instruction); err != nil {
			return err
		}
	}
	p, err := s.runParams()
	if err != nil {
		return err
	}
	b := s.bundle
	s.tl.stopReplay()
	tokens, mask := s.doc.Tokens(), s.doc.Mask()
	if !core.AnyMasked(mask) || !slices.Contains(mask, false) {
		mask = nil // nothing masked, or everything: the whole picture (as tessera edit reads a mask over every patch)
	}
	src := s.docPicture() // as shown: with the pixels a masked run kept
	if err := nothingToEdit(instruction, src, mask != nil); err != nil {
		return err
	}
	// The image's prompt is the one that drew the source, as its file
	// records it: the prompt box may hold the next prompt typed (the edit
	// of a rocket was named and described "of" whatever was typed since).
	sourcePrompt := s.sourcePrompt(tokens)
	p.Prompt = sourcePrompt
	rows, cols, _ := s.canvas.Grid()
	w, h := b.ImageSize()
	candidates := s.set.Candidates()
	guidance := s.set.EditGuidance()
	detail := s.edit.detail.Checked // keep the source's detail (edit.TransferDetail)
	ed := s.editor
	var facts editFacts
	var used sampling.Settings // the edit's own settings, recorded with its results
	var scaled string          // why the edit may be rough or did not take, found as the edit runs
	say := func(why string) { scaled = strings.TrimPrefix(scaled+"; "+why, "; ") }
	var resized string   // the picture scaled to the edit model's size: said first
	var drew string      // what the edit drew, in the edit model's patches where its grid is not the picture's
	var redrawnBy string // the drawing model that redrew the edit (engine/redraw), if one did
	masked := s.doc.Masked()
	s.resetTimeline()
	s.showDoc()
	note := fmt.Sprintf("%q", instruction)
	if sourcePrompt != "" {
		note += fmt.Sprintf(" of %q", sourcePrompt) // the image edited, as its file records it
	}
	if mask != nil {
		// The mask limits the edit: it is shown (a run may have hidden it)
		// and the status says so.
		s.paint.setOverlays(true)
		note += fmt.Sprintf(" · only the %s (Clear mask to edit the whole image)", plural.N(s.doc.Masked(), "masked patch", "masked patches"))
	}
	weak := ""
	if ed.b != nil {
		// Said as the edit starts, where the model is loaded already (it
		// came with the result, after the candidates were drawn and saved).
		if weak = edit.WeakFamilyNote(ed.b, instruction); weak != "" {
			note += " · " + weak
		}
	}
	j := job{
		kind: kindEdit, label: editingLabel, b: b, params: p, base: tokens, mask: s.doc.Mask(), parent: s.doc.Parent,
		keepMask: mask, startPic: s.doc.Picture(), // a masked edit keeps the pixels outside its mask, as tessera edit --mask does
		note: note, warn: weak, settings: &used, lateNote: &scaled, early: &resized, drew: &drew, redrawnBy: &redrawnBy, // sampled: the edit model's patches, as the bar counts them
	}
	// The edit model's pictures of the candidates, by seed (the candidates
	// are reordered after they are drawn: changes first): they are shown
	// as the edit model drew them, as tessera edit writes them; the
	// drawing model's codes only approximate them (the emoji model's drew
	// them softer, at 17–23 dB).
	pics := map[uint64]*image.NRGBA{}
	j.pictures = func(seed uint64) *image.NRGBA { return pics[seed] }
	j.extra = func(i int, im sampler.Image) map[string]any {
		e := map[string]any{
			"instruction": instruction, "model": facts.model, "model_hash": facts.hash,
			"guidance": used.Guidance, "image_guidance": used.ImageGuidance, "rank": i + 1,
			"edit_mean_loglik": facts.meanLogLik[im.Seed], "source_detail": detail,
		}
		if p, ok := facts.redrawn[im.Seed]; ok {
			e["redrawn_by"], e["read_as"], e["drawn_as"], e["source_detail"] = facts.drawModel, p.Read.Prompt(), p.Draw.Prompt(), false
		}
		if sourcePrompt != "" {
			e["source_prompt"] = sourcePrompt // the record's prompt is the instruction
		}
		return map[string]any{extraEdit: e}
	}
	j.run = func(ctx context.Context, _ func(sampler.Event)) (*sampler.Result, error) {
		eb, err := s.loadEditor(ed)
		if err != nil {
			return nil, err
		}
		if ew, eh := eb.ImageSize(); w != ew || h != eh {
			// A picture of another size (a 28×28 digit, a 32×32 shapes
			// picture) is scaled to the edit model's, which learnt its own
			// kind of picture: the result is rough.
			resized = fmt.Sprintf("the %d×%d picture was scaled to the %d×%d of edit model %s, which learnt other pictures: expect a rough edit", w, h, ew, eh, eb.Name)
		}
		if er, ec := eb.Grid(); er != rows || ec != cols {
			drew = editDrew(eb.Name, er*ec, emaskCount(mask, rows, cols, er, ec), masked)
		}
		if !checked {
			if err := edit.CheckInstruction(eb, instruction); err != nil {
				return nil, err
			}
		}
		if w := edit.WeakFamilyNote(eb, instruction); w != "" && weak == "" { // not said as the edit started
			say(w)
		}
		// The image's own codes where they are the edit model's too and
		// draw the picture (models sharing a tokenizer's encoder and
		// codebook), as tessera edit reads the file's recorded codes;
		// else the picture encoded. Encoded again, the picture's codes
		// moved, and the studio's edit of a file was not the CLI's.
		var recorded []int
		if er, ec := eb.Grid(); er == rows && ec == cols && eb.PatchSize() == b.PatchSize() {
			recorded = tokens
		}
		source, _, _, err := eb.SourceCodes(src, recorded)
		if err != nil {
			return nil, fmt.Errorf("read the image for %s: %w", eb.Name, err)
		}
		// As the edit model sees it, as tessera edit checks it: a
		// background the drawing model's decoder tints off-white is white
		// to the edit model.
		if err := nothingToEdit(instruction, eb.Decode(source), mask != nil); err != nil {
			return nil, err
		}
		er, ec := eb.Grid()
		var emask []bool
		if mask != nil {
			emask = coverMask(mask, rows, cols, er, ec)
		}
		opt := editOptions(eb, b, p, candidates, s.opt.Workers)
		guidance.apply(&opt.Settings) // the editing panel's sliders, where moved
		opt.Prompt = instruction
		resized = strings.TrimSuffix(guidanceNote(opt.Settings)+" · "+resized, " · ") // said first, as the run ends
		facts = editFacts{model: eb.Name, hash: eb.Model.Hash}
		used = opt.Settings
		shown := shownCodes(source, func(i int) bool { return emask == nil || emask[i] }) // the kept patches
		painter := newGridPainter(eb.Tokenizer, s.canvas, er, ec, shown)
		painter.fit = image.Pt(w, h)
		if mask != nil && src.Rect.Size() == painter.fit {
			// The pixels outside the mask stay the source's, as the result
			// keeps them (keptPixels).
			painter.keepPixels(src, mask, rows, cols)
		}
		s.canvas.ShowImage(painter.picture())
		emit := canvasEmitter(&s.runs.prog, s.canvas, painter.event, s.runs.onPatch)
		sample := sampler.Edit
		if s.editSampler != nil {
			sample = s.editSampler
		}
		draw, err := s.redrawModel(eb, b, instruction, emask != nil)
		if err != nil {
			return nil, err
		}
		drawEmit := emit
		if draw != nil {
			// Reading takes seconds before the first patch: the bar says
			// so, and the picture stays on the canvas, until the drawing
			// starts, in the drawing model's own codes on its own grid.
			prog := &s.runs.prog
			prog.After(fmt.Sprintf("%s reads the picture, to redraw it changed (as Describe reads one)", draw.Name))
			s.canvas.ShowImage(src)
			dr, dc := draw.Grid()
			drawing := newGridPainter(draw.Tokenizer, s.canvas, dr, dc, nil)
			drawing.fit = image.Pt(w, h)
			// Where it reads nothing it can redraw, the edit model edits
			// (emit).
			drawNext, editNext := canvasEmitter(prog, s.canvas, drawing.event, s.runs.onPatch), emit
			var started sync.Once
			begin := func(pic *image.NRGBA) {
				started.Do(func() {
					prog.After("")
					s.canvas.ShowImage(pic)
				})
			}
			drawEmit = func(ev sampler.Event) { begin(drawing.picture()); drawNext(ev) }
			emit = func(ev sampler.Event) { begin(painter.picture()); editNext(ev) }
		}
		res, plans, why, err := redraw.Edit(ctx, eb, draw, opt, sampler.EditRequest{Source: source, Mask: emask, Candidates: candidates}, emit, drawEmit, sample)
		if err != nil {
			return nil, err
		}
		if res.Stopped {
			return res, nil // cancelled: nothing is kept (Studio.finish)
		}
		if why != "" {
			say(why)
		}
		if plans != nil {
			used = redraw.Options(draw, opt).Settings // what it was drawn with, recorded
			redrawnBy = draw.Name
			facts.drawModel, facts.redrawn = draw.Name, map[uint64]redraw.Plan{}
			for i, im := range res.Images {
				facts.redrawn[im.Seed] = plans[i]
			}
			say(plans[0].Note(draw, res.Images[0]))
		}
		if plans == nil { // the edit model's blank candidates last (a redraw keeps its readings' order)
			if w := edit.CandidatesBlankLast(eb, source, res); w != "" {
				say(w)
			}
		}
		facts.meanLogLik = map[uint64]float64{}
		for _, im := range res.Images {
			facts.meanLogLik[im.Seed] = im.MeanLogLik()
		}
		var ds *edit.DetailSettings
		if detail && plans == nil { // a redraw is a new drawing: kept as drawn
			d := edit.DetailFor(instruction, emask != nil)
			ds = &d
		}
		edits, err := editPictures(eb, src, source, res, ds)
		if err != nil {
			return nil, err
		}
		same := make([]bool, len(res.Images)) // candidates that gave the source back
		for i, im := range res.Images {
			same[i] = edit.UnchangedShare(source, im.Tokens, emask) == 1
		}
		db, drawn, err := intoModelCodes(b, eb, res, edits, tokens, mask, same)
		if err != nil {
			return nil, err
		}
		for i, im := range res.Images {
			pics[im.Seed] = drawn[i]
		}
		if len(res.Images) > 0 && plans == nil { // a redraw draws another reading, never the source back
			// Judged on the best candidate's picture as it is shown (after
			// the source's detail: a colour table recolours patches whose
			// codes stayed), not on its codes: "gave back 84% of the
			// patches" was said of a dog face that had turned red.
			unedited, err := editPictures(eb, src, source, &sampler.Result{Images: []sampler.Image{{Tokens: source}}}, ds)
			if err != nil {
				return nil, err
			}
			under := b.Decode(tokens)
			srcFit, nothing := codebook.Fit(src, w, h), codebook.Fit(drawOver(unedited[0], under), w, h)
			share := unchangedShown(srcFit, nothing, drawn[0], rows, cols, edit.Changeable(instruction, srcFit, rows, cols, mask))
			if msg, _ := edit.GivenBackNote(instruction, src, share, mask); msg != "" {
				say(msg)
			}
		}
		if db < roughEdit && len(res.Images) > 0 && !slices.Equal(res.Images[0].Tokens, tokens) { // an edit that gave the image back shows no new picture
			say(fmt.Sprintf("the edit is shown as the edit model drew it, but %s's own codes redraw it poorly (%.1f dB PSNR): completing, branching or extending from it will change it", b.Name, db))
		}
		return res, nil
	}
	return s.startJob(j)
}

// editDrew is what an edit by instruction by edit model name drew, said
// in the picture's terms with the edit model's count beside them, where
// the edit model's grid (of n patches) is not the picture's: the whole
// picture, or its masked patches (masked of them; edited: the edit
// model's patches that cover them, 0 without a mask). "Edited: 64
// patches" was said of a 49-patch digit.
func editDrew(name string, n, edited, masked int) string {
	if edited == 0 {
		return fmt.Sprintf("the whole picture (%s of edit model %s)", plural.N(n, "patch", "patches"), name)
	}
	return fmt.Sprintf("the %s (%d of the %d patches of edit model %s)", plural.N(masked, "masked patch", "masked patches"), edited, n, name)
}

// emaskCount is how many of the edit model's er×ec patches cover the
// patches of mask on the picture's rows×cols grid (coverMask); 0 when mask
// is nil.
func emaskCount(mask []bool, rows, cols, er, ec int) int {
	if mask == nil {
		return 0
	}
	n := 0
	for _, m := range coverMask(mask, rows, cols, er, ec) {
		if m {
			n++
		}
	}
	return n
}

// givenBackTolerance is the mean absolute difference over a patch's RGB
// channels (a share of full scale) under which unchangedShown counts the
// patch as shown as it was: about 2.5 of 255 levels, under what an eye
// tells apart, well under a recolour's change.
const givenBackTolerance = 0.01

// unchangedShown is the share of the patches marked in changeable (a
// rows×cols grid over the pictures; nil: every patch) that shown, an
// edit's picture as the canvas shows it, draws as they were: within
// givenBackTolerance of the source picture src, or of unedited, what the
// edit shows of the source's own codes (without the source's detail, the
// edit model's redraw of the source). It is what the edit's "gave back
// N% of the patches" note says (edit.GivenBackNote): 0 when no patch is
// marked, NaN when the pictures differ in size or the grid does not
// divide them.
func unchangedShown(src, unedited, shown *image.NRGBA, rows, cols int, changeable []bool) float64 {
	b := src.Rect
	if unedited.Rect.Size() != b.Size() || shown.Rect.Size() != b.Size() || rows <= 0 || cols <= 0 || b.Dx()%cols != 0 || b.Dy()%rows != 0 {
		return math.NaN()
	}
	ph, pw := b.Dy()/rows, b.Dx()/cols
	// mad is the mean absolute difference of patch (r, c) of a and shown.
	mad := func(a *image.NRGBA, r, c int) float64 {
		sum := 0
		for y := r * ph; y < (r+1)*ph; y++ {
			for x := c * pw; x < (c+1)*pw; x++ {
				p := a.Pix[a.PixOffset(a.Rect.Min.X+x, a.Rect.Min.Y+y):]
				q := shown.Pix[shown.PixOffset(shown.Rect.Min.X+x, shown.Rect.Min.Y+y):]
				for k := range 3 {
					sum += max(int(p[k])-int(q[k]), int(q[k])-int(p[k]))
				}
			}
		}
		return float64(sum) / float64(3*ph*pw*255)
	}
	n, same := 0, 0
	for i := range rows * cols {
		if changeable != nil && (i >= len(changeable) || !changeable[i]) {
			continue
		}
		n++
		if r, c := i/cols, i%cols; mad(src, r, c) <= givenBackTolerance || mad(unedited, r, c) <= givenBackTolerance {
			same++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(same) / float64(n)
}

// nothingToEdit refuses an edit that has nothing to do on src: removing
// the background of a picture whose background is white already (the edit
// model would only redraw, and so blur, the picture). masked edits are
// the user's own choice of patches and always run.
func nothingToEdit(instruction string, src *image.NRGBA, masked bool) error {
	if f, _, ok := edit.Parse(instruction); ok && f == edit.Background && !masked && edit.WhiteBackground(src) {
		return notice{title: "Nothing to remove", msg: "The image's background is white already: there is no background to remove (the edit would only redraw the picture). " +
			"For a picture without the white around it (a sticker), export it with File › Export PNG… (Ctrl+S) and tick Transparent background."}
	}
	return nil
}

// focusInstruction puts the keyboard in the Edit by instruction box
// (Image ▸ Edit by instruction…, Ctrl+Shift+E), or says what is missing.
func (s *Studio) focusInstruction() {
	if !s.editor.set() {
		s.report(errNoEditModel)
		return
	}
	s.showEditPanel(true) // where the box is (this session: the choice kept stays the user's)
	s.edit.reveal(s.edit.instruction)
	s.win.Canvas().Focus(s.edit.instruction)
	// The last instruction selected: typing replaces it (it was added to:
	// "in the twemoji stylemake it red"), and Enter repeats it.
	s.edit.instruction.TypedShortcut(&fyne.ShortcutSelectAll{})
	s.setStatus("Type what to change (\"remove the background\", \"make it blue\"…) and press Enter")
}

// SetInstruction puts text in the Edit by instruction box and scrolls it
// into view.
func (s *Studio) SetInstruction(text string) {
	s.edit.instruction.SetText(text)
	s.edit.reveal(s.edit.instruction)
}

// editFacts are what an edit's metadata records beside its settings: the edit
// model and the candidates' likelihoods.
type editFacts struct {
	model, hash string
	// meanLogLik is each candidate's mean log-likelihood per patch under
	// the edit model (nats), by its seed (the drawing model's of its own
	// drawing, for a redrawn edit).
	meanLogLik map[uint64]float64
	// drawModel and redrawn, for an edit redrawn by a drawing model
	// (engine/redraw), are that model's name and what each candidate, by
	// its seed, read the picture as and drew.
	drawModel string
	redrawn   map[uint64]redraw.Plan
}

// redrawModel is the drawing model edit model eb redraws an edit by
// instruction with (redraw.ModelOf; job goroutine): the picture's own
// model b where it is that model, else opened; nil where the edit is not
// one a redraw applies to (redraw.Applies) or eb names none. A model that
// cannot redraw (redraw.Usable) is an error naming it.
func (s *Studio) redrawModel(eb, b *bundle.Bundle, instruction string, masked bool) (*bundle.Bundle, error) {
	if !redraw.Applies(instruction, masked) {
		return nil, nil
	}
	draw, err := redraw.Open(eb, "", func(name string) (*bundle.Bundle, error) {
		if b.Source == name || b.Source == "builtin:"+name {
			return b, nil // the picture's own model
		}
		return s.opt.Models.Open(name, nil)
	})
	if err != nil {
		return nil, fmt.Errorf("open %s, the drawing model edit model %s redraws edits of style and gender with: %w", modelLabel(redraw.ModelOf(eb)), eb.Name, err)
	}
	return draw, nil
}

// loadEditor returns the edit model (job goroutine), loading it on first
// use and keeping it for the next edits.
func (s *Studio) loadEditor(ed editor) (*bundle.Bundle, error) {
	if ed.b != nil {
		return ed.b, nil
	}
	eb, err := s.opt.Models.Open(ed.key, nil)
	if err != nil {
		return nil, fmt.Errorf("open the edit model %s: %w", modelLabel(ed.key), err)
	}
	if !eb.Model.Config.IsEdit() {
		return nil, fmt.Errorf("%s is not an edit model (it draws from a text prompt)", modelLabel(ed.key))
	}
	s.loop.Do(func() { s.setEditor(ed.key, eb) })
	return eb, nil
}

// setEditor makes eb (opened as key) the edit model of the Edit by
// instruction box and offers its instructions as completions (UI
// goroutine).
func (s *Studio) setEditor(key string, eb *bundle.Bundle) {
	s.editor = editor{key: key, b: eb}
	s.edit.setInstructions(editInstructions(eb))
	s.edit.setEditGuidance(s.set.EditGuidance().shown(eb)) // its own recommendations where none is chosen
}

// editInstructions are the instructions an edit model offers: those its
// config.json lists, else the canonical ones of engine/edit; those of
// families it is weak at (edit.WeakFamilyNote: the built-in model's style
// edits come out right 1% of the time) after the others, which were
// offered first ("in the twitter style" led the list).
func editInstructions(eb *bundle.Bundle) []string {
	list := edit.Instructions()
	if eb != nil {
		if e := eb.Model.Config.Tessera; e != nil && e.Edit != nil && len(e.Edit.Instructions) > 0 {
			list = e.Edit.Instructions
		}
	}
	if eb == nil {
		return list
	}
	var strong, weak []string
	for _, ins := range list {
		if edit.WeakFamilyNote(eb, ins) != "" {
			weak = append(weak, ins)
		} else {
			strong = append(strong, ins)
		}
	}
	return append(strong, weak...)
}

// editOptions are the sampler settings of an edit: the panel's seed; the
// edit model's recommended guidance scales on the instruction (s_T) and on
// the image (s_I) and its own knobs (guidance min-p); and its recommended
// plain knobs (temperature, top-k, top-p), each unless the user moved it
// in the panel from the drawing model b's default there (the emoji model's
// temperature 0.8 is not the edit model's 0.5: the studio drew other,
// noisier edits than tessera edit at the same seed).
func editOptions(eb, b *bundle.Bundle, p core.Params, candidates, workers int) sampler.Options {
	s := p.Settings
	s.Prompt, s.Negative, s.Guidance, s.ImageGuidance = "", "", 1, 1
	panelDefault := panelDefaults(b)
	chosen := func(k sampling.Knob) bool {
		// Within half a slider step of the default is the default: the
		// panel snaps a recommendation off its grid (0.82 shows 0.80).
		sp, _ := sampling.SpecOf(k)
		return !sp.Own && !sp.Conditional && movedFromDefault(k, p.Value(k), panelDefault.Value(k))
	}
	s, _ = s.WithRecommended(eb.Model.Config.Recommended(), chosen, true)
	return sampler.Options{Settings: s, Batch: candidates, Workers: workers}
}

// editGuidance are the guidance scales of an edit by instruction chosen in
// the editing panel: on the instruction (InstructPix2Pix's s_T, tessera
// edit --guidance) and on the source image (s_I, --image-guidance); 0 for
// one not chosen, which is the edit model's recommended value.
type editGuidance struct{ Guidance, Image float64 }

// The editing panel's guidance sliders' range and step.
const (
	minEditGuidance  = 1 // off
	maxEditGuidance  = 10
	editGuidanceStep = 0.25
)

// over is base with the scales chosen in g in place of its own.
func (g editGuidance) over(base editGuidance) editGuidance {
	if g.Guidance != 0 {
		base.Guidance = g.Guidance
	}
	if g.Image != 0 {
		base.Image = g.Image
	}
	return base
}

// apply puts the scales chosen in g into s (an edit's settings, the edit
// model's recommended ones where not chosen).
func (g editGuidance) apply(s *sampling.Settings) {
	r := g.over(editGuidance{Guidance: s.Guidance, Image: s.ImageGuidance})
	s.Guidance, s.ImageGuidance = r.Guidance, r.Image
}

// shown is what the guidance sliders show for edit model eb (nil: not
// loaded yet): each chosen scale, else eb's recommended one (1, off, where
// it recommends none), else, before eb is loaded, the built-in edit
// model's recommended 1.5.
func (g editGuidance) shown(eb *bundle.Bundle) editGuidance {
	rec := editGuidance{Guidance: builtinEditGuidance, Image: builtinEditGuidance}
	if eb != nil {
		r := eb.Model.Config.Recommended()
		rec = editGuidance{Guidance: max(r.Guidance, 1), Image: max(r.ImageGuidance, 1)}
	}
	return g.over(rec)
}

// builtinEditGuidance is the built-in edit model's recommended guidance on
// the instruction and on the image (its config.json tessera.defaults),
// shown until an edit model is loaded.
const builtinEditGuidance = 1.5

// guidanceNote says at which guidance scales an edit ran (settings: its
// own), for its status line.
func guidanceNote(settings sampling.Settings) string {
	ig := settings.ImageGuidance
	if ig == 0 {
		ig = 1 // not set: off
	}
	return fmt.Sprintf("at guidance %g on the instruction and %g on the image", settings.Guidance, ig)
}

// panelDefaults are the panel's settings for model b before the user
// moves a knob: the studio's defaults with b's recommendations, pulled
// into the panel's ranges.
func panelDefaults(b *bundle.Bundle) core.Params {
	d := core.DefaultParams()
	d.Settings, _ = d.WithRecommended(b.Model.Config.Recommended(), nil, b.Conditional())
	return d.Clamped()
}

// coverMask is a rows×cols patch mask on the edit model's er×ec grid:
// an edit patch changes when any masked patch overlaps it, so every
// masked patch is redrawn (intoModelCodes keeps the rest exactly).
func coverMask(mask []bool, rows, cols, er, ec int) []bool {
	out := make([]bool, er*ec)
	for i, m := range mask {
		if !m {
			continue
		}
		r, c := i/cols, i%cols
		// the edit patches the drawing patch (r, c) overlaps
		for y := r * er / rows; y < min(er, ((r+1)*er+rows-1)/rows); y++ {
			for x := c * ec / cols; x < min(ec, ((c+1)*ec+cols-1)/cols); x++ {
				out[y*ec+x] = true
			}
		}
	}
	return out
}

// editPictures are the edit model eb's pictures of the candidates in res,
// with detail (nil: none) each given the detail of the picture src it
// edited (edit.TransferDetail with those settings, as tessera edit does
// by default: edit.DetailFor the instruction): source is src's codes
// under eb.
func editPictures(eb *bundle.Bundle, src *image.NRGBA, source []int, res *sampler.Result, detail *edit.DetailSettings) ([]*image.NRGBA, error) {
	w, h := eb.ImageSize()
	fitted, roundTrip := codebook.Fit(src, w, h), eb.Decode(source)
	pics := make([]*image.NRGBA, len(res.Images))
	for i, im := range res.Images {
		pics[i] = eb.Decode(im.Tokens)
		if detail == nil {
			continue
		}
		var err error
		if pics[i], _, err = edit.TransferDetail(fitted, roundTrip, pics[i], *detail); err != nil {
			return nil, err
		}
	}
	return pics, nil
}

// intoModelCodes turns the edit model's candidates in res (edits: their
// pictures, editPictures) into the drawing model b's codes: drawn over the
// source, encoded by b. The patches outside mask (when set) keep their codes in base exactly.
// The edit model's log-likelihoods do not describe b's codes: they are
// dropped (the candidates stay in the edit model's order of likelihood;
// see editFacts.meanLogLik).
//
// A candidate marked in same gave the source back in every patch it could
// change (edit.UnchangedShare 1): its codes are base exactly, so that the
// studio sees the image given back (not saved again), masked or not; its
// picture, redrawn and encoded anew, had moved a few codes of a masked
// edit and was saved as an edit that changed nothing.
//
// It returns how faithfully b's codes draw the best candidate: the PSNR
// (dB) of their picture against the edit model's, at b's size, over the
// patches of mask (all when nil); +Inf without candidates, NaN where it
// cannot be measured (no note is made of it then); and each candidate's
// picture of edits (as the edit model drew it, given the source's detail
// when that is kept), at b's size.
func intoModelCodes(b, eb *bundle.Bundle, res *sampler.Result, edits []*image.NRGBA, base []int, mask, same []bool) (float64, []*image.NRGBA, error) {
	under := b.Decode(base)
	db := math.Inf(1)
	w, h := b.ImageSize()
	pics := make([]*image.NRGBA, len(res.Images))
	for i := range res.Images {
		im := &res.Images[i]
		edited := drawOver(edits[i], under)
		pics[i] = codebook.Fit(edited, w, h)
		if i < len(same) && same[i] {
			im.Tokens, im.LogLik, im.Count, im.KeptLogLik, im.KeptCount = slices.Clone(base), 0, 0, 0, 0
			continue
		}
		codes, err := b.Encode(edited)
		if err != nil {
			return 0, nil, fmt.Errorf("encode the edit for %s: %w", b.Name, err)
		}
		for k := range codes {
			if mask != nil && !mask[k] {
				codes[k] = base[k]
			}
		}
		if i == 0 { // over the patches the edit could change: the others are the document's own
			rows, cols := b.Grid()
			db = edit.PSNRWithin(pics[i], b.Decode(codes), mask, rows, cols)
		}
		im.Tokens, im.LogLik, im.Count, im.KeptLogLik, im.KeptCount = codes, 0, 0, 0, 0
	}
	return db, pics, nil
}

// roughEdit (dB) is where the drawing model's codes are too far from the
// edit model's picture for a completion, branch or extension from it to
// look like it: a model trained on eight pictures drew a "make it blue"
// edit's white background as a brown checkerboard at 11 dB (the emoji
// model's codes draw the edit model's pictures at 17–23 dB).
const roughEdit = 15.0

// drawOver draws top over under resized to top's size (nearest neighbour:
// the drawing model's patches stay crisp).
func drawOver(top *image.NRGBA, under image.Image) *image.NRGBA {
	sz := top.Rect.Size()
	out := image.NewNRGBA(image.Rectangle{Max: sz})
	bg := resize.Resize(uint(sz.X), uint(sz.Y), under, resize.NearestNeighbor)
	draw.Draw(out, out.Rect, bg, bg.Bounds().Min, draw.Src)
	draw.Draw(out, out.Rect, top, top.Rect.Min, draw.Over)
	return out
}
