package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/internal/plural"
	"github.com/tessera-studio/tessera/ui/core"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// errNoImage is reported by actions that need an image.
var errNoImage = errors.New("there is no image yet: generate or open one first")

// Run kinds, written in metadata and shown in the progress bar.
const (
	kindGenerate   = pngmeta.KindGenerate
	kindRegenerate = pngmeta.KindRegenerate
	kindComplete   = pngmeta.KindComplete
	kindBranch     = pngmeta.KindBranch
	kindExtend     = pngmeta.KindExtend
	kindEdit       = pngmeta.KindEdit // by instruction (EditByInstruction)
)

// editingLabel is an edit by instruction's job label (its progress counts
// the edit model's patches).
const editingLabel = "editing"

// job describes one sampling run.
type job struct {
	kind   string
	label  string
	b      *bundle.Bundle
	params core.Params
	base   []int  // the tokens the run starts from (regenerate, complete)
	mask   []bool // the mask at the start (what its images record)
	// maskBefore is, for Generate (whose new image records no mask), the
	// mask of the image shown when it started: one painted during the run
	// differs from it and is kept on the result.
	maskBefore []bool
	// tempsBefore is, for Generate, the painted temperatures of the image
	// shown when it started: a stroke painted during the run differs from
	// them and is kept on the result, as the mask is.
	tempsBefore []float64
	parent      string
	outDir      string // where the results are saved
	// saveAll saves every image of a batch, not only the first (the
	// Settings choice when the job starts).
	saveAll bool
	// at is where the result branches from its parent: the patches kept
	// (complete, branch) or the rows added (extend).
	at int
	// temps is the temperature map the run used (nil: none).
	temps []float64
	// rank orders a batch best first by rankBy (the Settings choice, set
	// when the job starts).
	rank   bool
	rankBy sampler.RankBy
	// unfinished is how many of a regeneration's sampled patches were not
	// drawn yet (a stopped image), not masked.
	unfinished int
	// pin, when set, keeps the image of this seed first, ranked or not:
	// the image on the canvas when a stopped batch is continued (the
	// others follow best first, ranked over the whole image: from 0).
	pin *uint64
	// sampled is how many patches the run samples (the others are kept);
	// 0: as many as its progress counted (an edit, on the edit model's grid).
	sampled int
	// shown is the codes on the canvas when the run starts (−1 where it
	// paints; nil: none), which a ViT tokenizer decodes with the new ones.
	shown []int
	// note is added to the status line when the run ends, and lateNote
	// (when set) after it: what the run found out while it ran.
	note     string
	lateNote *string
	// early, when set, is what the run found that the status says first,
	// right after what was drawn (the line cuts a long message: an edit
	// of a picture scaled to the edit model's size was rough without a
	// word in view).
	early *string
	// drew, when set, is what the status says the run drew instead of its
	// count of patches: an edit by instruction counts the edit model's
	// patches, whose grid may not be the picture's ("the whole picture
	// (64 patches of edit model edit)" of a 7×7 digit).
	drew *string
	// redrawnBy, when set, is set by an edit by instruction to the drawing
	// model that redrew it (engine/redraw): its candidates are readings of
	// the picture, the likeliest first.
	redrawnBy *string
	// warn, when set, is said as the run starts too (what to expect of
	// it), as well as with note when it ends.
	warn string
	// kept, when set, is set by the run when it put the image it started
	// from first, as it was (a repair none of whose candidates was
	// likelier: keepLikelier); startOpened says that image was opened from
	// a file, so it has no seed to show.
	kept        *bool
	startOpened bool
	// ownSeeds says the run draws with its images' own seeds (a stopped
	// batch continued), not the panel's: the seed shown for the next run
	// stays (advanceSeed).
	ownSeeds bool
	// extra, when set, gives metadata entries of image im, offered i-th
	// (its rank; the sampler's order may differ), beyond the common ones.
	extra func(i int, im sampler.Image) map[string]any
	// settings, when set, are what the results record as their sampling
	// settings instead of params' (an edit's: its instruction and
	// guidance); run fills it in before it returns.
	settings *sampling.Settings
	run      func(ctx context.Context, emit func(sampler.Event)) (*sampler.Result, error)
	// runWith, when set, runs the job again with other sampling options:
	// a regeneration, completion or branch that gives back the image it
	// started from is drawn again with more variation (variedParams), up
	// to maxVaryTries times; opt are the options of the run, tries how
	// many times it was drawn again.
	runWith func(ctx context.Context, opt sampler.Options, emit func(sampler.Event)) (*sampler.Result, error)
	opt     sampler.Options
	tries   int
	// keepMask, when set, is the mask of a run that changes only its
	// masked patches (regenerate, a masked edit; the patches after the
	// kept ones of a completion or branch of a picture that has kept
	// pixels): the others keep the pixels of the picture the run started
	// from, startPic (nil: base's codes decoded), which a ViT tokenizer's
	// decoder would redraw. An extension keeps startPic's rows on top.
	keepMask []bool
	startPic *image.NRGBA
	// startParams are the parameters of the image the run started from
	// (startJob): a candidate that gives it back (result.before) is put
	// back with them, its seed its own, not the run's.
	startParams core.Params
	// pictures, when set, gives the picture of the candidate of that seed
	// as the run drew it where the document's codes only approximate it
	// (an edit by instruction: the edit model's own picture, which the
	// drawing model's codes redraw softer); nil for a candidate: its codes
	// decoded.
	pictures func(seed uint64) *image.NRGBA
	// repair marks Resample the least likely: its candidates keep their
	// ranking (an unchanged one first when it fits best: those patches are
	// what the model draws there), it is not drawn again hotter (that made
	// a likely image less likely), and its result leaves no mask behind
	// (the tool made the mask, not the user).
	repair bool
}

// runOptions are the sampler options of a run with p: the painted
// temperature map, and the KV cache kept so the result can be branched
// without recomputing its prefix.
func (s *Studio) runOptions(p core.Params) sampler.Options {
	opt := p.Options(s.opt.Workers)
	opt.PatchTemperature = s.patchTemperatures(s.bundle.ImageTokens())
	opt.KeepCache = true
	return opt
}

// runParams reads the panel for a run and remembers the parameters. The
// run uses the seed shown; an unlocked seed moves on to a new one when the
// run ends (see advanceSeed), a locked one never changes.
func (s *Studio) runParams() (core.Params, error) {
	if s.bundle == nil {
		return core.Params{}, errNoModel
	}
	if busy, ok := s.runs.runner.Busy(); ok {
		return core.Params{}, busy
	}
	p, err := s.panel.Params()
	if err != nil {
		return core.Params{}, fmt.Errorf("%s%w", settingsErrorPrefix, err)
	}
	s.params = p
	s.set.SetParams(p)
	return p, nil
}

// imageRunParams are runParams for a run that works on the image shown
// (regenerate, complete, branch, extend): when the image was drawn in a
// style its seed chose (a style per seed: sampler.DrawnStyle) and the prompt is still the one
// it was drawn from, the run reads that style too, so that the new
// patches match the old.
func (s *Studio) imageRunParams() (core.Params, error) {
	p, err := s.runParams()
	if err != nil {
		return p, err
	}
	p.Prompt = s.imagePrompt(p.Prompt)
	return p, nil
}

// imagePrompt is text, or the prompt the image shown was drawn with when
// that is text with the style its seed drew appended.
func (s *Studio) imagePrompt(text string) string {
	if s.bundle == nil || s.doc == nil || s.doc.Empty() || s.bundle.Model.Config.Tessera == nil {
		return text
	}
	ip := s.doc.ImageParams()
	styles := s.bundle.Model.Config.Tessera.StyleWords
	if ip.StylePerSeed == 0 || len(styles) == 0 {
		return text
	}
	if prompt.StyleIn(s.bundle.ReadPrompt(text), styles) != "" { // the prompt names its style
		return text
	}
	if base, st := prompt.SplitStyle(ip.Prompt, styles); st != "" && base == prompt.Normalize(text) {
		return ip.Prompt
	}
	return text
}

// advanceSeed shows a fresh seed for the next run after a run with p,
// unless the seed is locked or was changed meanwhile.
func (s *Studio) advanceSeed(p core.Params) {
	now, err := s.panel.Params()
	if err != nil || now.SeedLocked || now.Seed != p.Seed {
		return
	}
	s.panel.SetSeed(core.NewSeed())
	s.paramsChanged()
}

// statusPromptUnknown is the status while Generate asks about a prompt of
// unknown words; editing the prompt clears it (paramsChanged).
// settingsErrorPrefix begins the error of a run refused for a setting the
// panel cannot read (a seed "abc"); its status line goes once the settings
// read again (paramsChanged).
const settingsErrorPrefix = "check the settings: "

const statusPromptUnknown = "The model knows none of the prompt's words"

// errPromptUnknown is returned by Generate when the model knows none of
// the prompt's words: it would draw an image as if there were no prompt.
// hint is a "did you mean" for them ("" when none is close).
type errPromptUnknown struct {
	words []string
	hint  string
}

// Error names the words.
func (e errPromptUnknown) Error() string {
	pick := "Pick words it knows (completions are offered as you type a word's first letters)"
	if e.hint != "" {
		pick = capitalize(e.hint) + " " + pick
	}
	return fmt.Sprintf("The model knows none of the prompt's words (%s): it would generate as if there were no prompt. "+
		"%s, or generate anyway", strings.Join(e.words, ", "), pick)
}

// checkPrompt refuses a prompt whose every word is unknown to the model.
func (s *Studio) checkPrompt(p core.Params) error {
	if s.bundle == nil || !s.bundle.Conditional() || strings.TrimSpace(p.Prompt) == "" {
		return nil
	}
	if enc := sampler.EncodePrompt(s.bundle, p.Prompt); enc.NoneKnown() {
		return errPromptUnknown{words: enc.Unknown, hint: s.bundle.Prompt.DidYouMean(enc.Unknown)}
	}
	return nil
}

// generateAsked is the Generate button: a prompt the model cannot read at
// all is said so first, with the choice to generate anyway.
func (s *Studio) generateAsked() {
	err := s.Generate()
	var unknown errPromptUnknown
	if !errors.As(err, &unknown) {
		s.report(err)
		return
	}
	if s.promptAsk.shown() {
		return // the question is on screen already (Ctrl+Enter again)
	}
	s.setStatus(statusPromptUnknown)
	p, err := s.runParams()
	fixed, ok := "", false
	if err == nil && s.bundle != nil {
		fixed, ok = s.bundle.Prompt.Corrected(p.Prompt)
	}
	// One dialog shape whether or not there is a suggestion: Cancel,
	// Generate anyway, and, for misspelt words, Use "corrected" first.
	var d dialog.Dialog
	anyway := widget.NewButton("Generate anyway", func() {
		d.Hide()
		s.report(s.generate(true))
	})
	cancel := widget.NewButton("Cancel", func() { d.Hide() })
	buttons := container.NewHBox(layout.NewSpacer(), cancel, anyway)
	if ok {
		use := widget.NewButton(fmt.Sprintf("Use %q", fixed), func() {
			d.Hide()
			s.UseCorrectedPrompt(fixed)
		})
		use.Importance = widget.HighImportance
		buttons.Add(use)
	}
	content := container.NewVBox(widget.NewLabel(widgets.WrapText(unknown.Error(), 60)), buttons)
	d = dialog.NewCustomWithoutButtons("Generate without a prompt?", content, s.win)
	s.promptAsk.show(d, unknown.Error())
}

// UseCorrectedPrompt puts text (a prompt with its misspelt words corrected)
// in the prompt box and generates with it.
func (s *Studio) UseCorrectedPrompt(text string) {
	s.promptAsk.close()
	s.panel.prompt.SetText(text)
	s.report(s.Generate())
}

// Generate samples new images from the prompt panel's settings; image 1
// grows on the canvas. It returns at once; see Wait. A prompt none of
// whose words the model knows is refused (errPromptUnknown).
func (s *Studio) Generate() error { return s.generate(false) }

// generate is Generate; anyPrompt runs even a prompt the model cannot read.
func (s *Studio) generate(anyPrompt bool) error {
	p, err := s.runParams()
	if err != nil {
		return err
	}
	if !anyPrompt {
		if err := s.checkPrompt(p); err != nil {
			return err
		}
	}
	b := s.bundle
	s.tl.stopReplay()
	s.fitCanvas(s.doc.Rows)
	s.canvas.ShowImage(nil)
	opt := s.runOptions(p)
	// A new image starts without a mask; painted temperatures are used
	// and shown while it grows.
	s.canvas.SetMask(nil)
	note, late := "", ""
	before, beforeSeed := s.doc.Tokens(), s.doc.ImageParams().Seed
	if opt.PatchTemperature != nil {
		s.canvas.SetTemperature(opt.PatchTemperature)
		s.paint.setOverlays(true)
		note = temperatureUse(opt.PatchTemperature, opt.Settings)
	}
	s.opened = openedPicture{} // a new drawing is no change of the file opened
	return s.startJob(job{
		kind: kindGenerate, label: "generating", b: b, params: p, maskBefore: s.doc.Mask(), tempsBefore: s.doc.Temperature(),
		temps: opt.PatchTemperature, rank: true, sampled: b.ImageTokens(), note: note, lateNote: &late,
		run: func(ctx context.Context, emit func(sampler.Event)) (*sampler.Result, error) {
			res, err := sampler.Generate(ctx, b, opt, emit)
			switch {
			case err == nil && opt.PatchTemperature != nil && unchanged(res, before): // the seed reused to vary a part, and nothing varied
				late = paintedTemperatureIdle(opt.Settings)
			case err == nil && len(res.Images) == 1 && !res.Stopped && unchanged(res, before) && res.Images[0].Seed != beforeSeed:
				// Another seed, the same picture (a memorising model at
				// strong guidance): said, or Generate looked broken.
				late = "the same picture as the image before, from another seed: " + varietyHint(kindGenerate, p)
			}
			return res, err
		},
	})
}

// paintedTemperatureIdle says why painted temperatures changed nothing:
// guidance and its min-p keep the codes the model is sure of whatever
// their temperature (the emoji model at its defaults keeps one code in
// most patches).
func paintedTemperatureIdle(st sampling.Settings) string {
	why := "the model is sure of those patches"
	if st.GuidanceMinP > 0 {
		why = fmt.Sprintf("at guidance %g and guidance min-p %g the model keeps one code in those patches whatever their temperature", st.Guidance, st.GuidanceMinP)
	} else if st.Guidance > 1 {
		why = fmt.Sprintf("at guidance %g the model keeps the codes it is sure of whatever their temperature", st.Guidance)
	}
	return "the painted temperatures changed nothing: " + why + "; lower Guidance (at 1 nothing is filtered) to let them vary"
}

// temperatureUse says that a run uses painted temperatures, and, under
// guidance, that the patches the model is sure of keep their code however
// hot they are painted (a tester saw the same pictures at 2.00 and heard
// nothing of why).
func temperatureUse(temps []float64, st sampling.Settings) string {
	n := 0
	for _, t := range temps {
		if t > 0 {
			n++
		}
	}
	msg := fmt.Sprintf("painted temperatures used on %s (Clear temperatures drops them)", plural.N(n, "patch", "patches"))
	if st.MinPLimitsVariety() {
		msg += fmt.Sprintf("; at guidance %g and guidance min-p %g the patches the model is sure of keep their one code whatever their temperature (Guidance 1, or a lower min-p, lets them vary)", st.Guidance, st.GuidanceMinP)
	}
	return msg
}

// RegenerateMasked resamples the masked patches (and any missing ones of a
// stopped image) as several candidates, best fit first; the mask stays.
func (s *Studio) RegenerateMasked() error { return s.regenerate(nil) }

// regenerate is RegenerateMasked; repairOf, when set, makes it the job of
// Resample the least likely (job.repair) of the image it scores.
func (s *Studio) regenerate(repairOf *sampler.Score) error {
	repair := repairOf != nil
	if s.doc == nil || s.doc.Empty() {
		return errNoImage
	}
	if s.doc.Tall() {
		return s.tallError("Regenerate masked")
	}
	mask := s.doc.Mask()
	tokens := s.doc.Tokens()
	if !core.AnyMasked(mask) && len(tokens) == s.doc.N() {
		return errors.New("the mask is empty: paint over the patches to regenerate first (brush on the canvas)")
	}
	p, err := s.imageRunParams()
	if err != nil {
		return err
	}
	b := s.bundle
	s.tl.stopReplay()
	unfinished := s.doc.N() - len(tokens) // a stopped image's patches not drawn yet, drawn now too
	for i := len(tokens); i < s.doc.N(); i++ {
		tokens = append(tokens, 0)
		mask[i] = true
	}
	sampled := 0
	for _, m := range mask {
		if m {
			sampled++
		}
	}
	s.resetTimeline()
	s.showDoc()
	s.paint.setOverlays(true) // the patches resampled are the ones masked
	s.canvas.ClearPatches(func(i int) bool { return mask[i] })
	opt := s.runOptions(p)
	opt.Batch = 1
	n := s.set.Candidates()
	var perToken []float64 // the image's −log p a patch, where the repair's score is of its prompt
	if repair && s.scorePrompt() == p.Prompt {
		perToken = repairOf.PerToken
	}
	late, kept := "", false
	imageSeed := s.doc.ImageParams().Seed // the image's own, not the panel's next
	keep := mask
	if unfinished > 0 && s.doc.Picture() == nil {
		// A stopped image has no picture of its own to keep: its patches
		// drawn are shown as the codes decode with the rest, as Continue
		// shows them (kept from a decode of them beside placeholder codes,
		// a ViT's top row came out dark, with a seam).
		keep = nil
	}
	return s.startJob(job{
		kind: kindRegenerate, label: "regenerating", b: b, params: p, base: tokens, mask: s.doc.Mask(), parent: s.doc.Parent,
		keepMask: keep, startPic: s.doc.Picture(), lateNote: &late, kept: &kept, startOpened: s.doc.ImageParams().Imported != "",
		temps: opt.PatchTemperature, shown: shownCodes(tokens, func(i int) bool { return mask[i] }), sampled: sampled, unfinished: unfinished, repair: repair,
		opt: opt, runWith: func(ctx context.Context, opt sampler.Options, emit func(sampler.Event)) (*sampler.Result, error) {
			res, err := sampler.Inpaint(ctx, b, opt, tokens, mask, n, emit)
			if err == nil && repair && !res.Stopped {
				late = keepLikelier(res, tokens, mask, perToken, imageSeed)
				kept = late != ""
				drawn := res.Images
				if kept {
					drawn = drawn[1:]
				}
				if note := onePictureNote(drawn, opt.GuidanceMinP); note != "" {
					late = strings.TrimPrefix(late+"; "+note, "; ")
				}
			}
			return res, err
		},
	})
}

// onePictureNote says why a repair's candidates are all one picture,
// where guidance min-p left one code at each patch they drew (a repair is
// not drawn again hotter, as Regenerate masked is: that made a likely
// image less likely); "" otherwise.
func onePictureNote(drawn []sampler.Image, minP float64) string {
	if len(drawn) < 2 || minP <= 0 {
		return ""
	}
	for _, im := range drawn {
		if !im.OneCode() || !slices.Equal(im.Tokens, drawn[0].Tokens) {
			return ""
		}
	}
	return fmt.Sprintf("its %d candidates are one picture: at guidance min-p %g the model draws these patches one way (a lower Guidance min-p gives others)", len(drawn), minP)
}

// repairSlack (nats a patch) is how much less likely than the image a
// repair's best candidate may score and still be taken (keepLikelier).
const repairSlack = 0.05

// keepLikelier puts the image a repair started from (tokens, scored
// perToken: −log p a patch, nats) first among the repair's candidates when
// none of them is likelier than it over the patches from the first masked
// one, as the sampler scores them (LogLik: conditional, temperature 1), so
// that Resample the least likely never leaves a less likely image on the
// canvas (on the emoji model at its defaults the four candidates of a
// rocket were one picture 42 nats less likely). It returns what to say
// then ("" when a candidate is likelier, or the figures do not compare).
// seed is the image's own seed, which its thumbnail shows (it had shown
// the first candidate's).
func keepLikelier(res *sampler.Result, tokens []int, mask []bool, perToken []float64, seed uint64) string {
	k0 := slices.Index(mask, true)
	if k0 < 0 || len(perToken) != len(tokens) || len(res.Images) == 0 {
		return ""
	}
	orig := 0.0
	for _, v := range perToken[k0:] {
		orig -= v
	}
	best := math.Inf(-1)
	for _, im := range res.Images {
		if len(im.Tokens) != len(tokens) || im.Count != len(tokens)-k0 || slices.Equal(im.Tokens, tokens) {
			return "" // not the same patches to compare, or the image is a candidate already
		}
		best = max(best, im.LogLik)
	}
	// Sampling scores in the decoding precision, the map in float32:
	// within repairSlack a patch they are the same.
	if best >= orig-repairSlack*float64(len(tokens)-k0) {
		return ""
	}
	kept := sampler.Image{Seed: seed, Tokens: slices.Clone(tokens), LogLik: orig, Count: len(tokens) - k0}
	res.Images = append([]sampler.Image{kept}, res.Images...)
	return fmt.Sprintf("none of the %d candidates is likelier than the image (the best %.1f bits less likely): it stays, and they are offered beside it",
		len(res.Images)-1, (orig-best)/math.Ln2)
}

// CompleteFrom keeps the rows above row and resamples the rest.
func (s *Studio) CompleteFrom(row int) error {
	s.paint.setTool(widgets.ToolBrush)
	if s.doc == nil || s.doc.Empty() {
		return errNoImage
	}
	if s.doc.Tall() {
		return s.tallError("Complete from here")
	}
	if row < 0 || row >= s.doc.Rows {
		return fmt.Errorf("complete from row %d: the image has rows 0 to %d", row, s.doc.Rows-1)
	}
	// As many candidates as Regenerate masked draws: the Candidates
	// slider is the one above the button, not the prompt panel's Batch.
	return s.completeFrom(min(row*s.doc.Cols, len(s.doc.Tokens())), s.set.Candidates())
}

// Resume finishes a stopped (partial) image: with the other partial
// candidates of its stopped batch, each from its own top part (the one on
// the canvas first), else as new candidates of the panel's Batch.
func (s *Studio) Resume() error {
	if s.doc == nil || s.doc.Empty() {
		return errNoImage
	}
	if s.doc.Complete() {
		return errors.New("the image is already complete; use Complete from here to resample its lower part")
	}
	if each := s.stoppedBatch(); each != nil {
		return s.completeEach(each)
	}
	return s.completeFrom(len(s.doc.Tokens()), 0)
}

// stoppedBatch is the partial candidates of the stopped batch shown, the
// image on the canvas first, the others in the strip's order; nil when the
// strip holds no such batch (fewer than two, of other lengths, or not with
// the image on the canvas among them).
func (s *Studio) stoppedBatch() []result {
	tokens := s.doc.Tokens()
	rows, _ := s.bundle.Grid()
	styled := len(s.cands.results) == 1 && len(s.cands.results[0].styleRows) > 0 // one seed, in every style
	if s.cands.kind != kindGenerate || len(s.cands.results) < 2 && !styled {
		return nil
	}
	// The canvas's candidate: the one with its codes and its seed (a batch
	// stopped early holds candidates of the same top part), else the first
	// with its codes.
	at, seed := -1, s.doc.ImageParams().Seed
	for i, r := range s.cands.results {
		if len(r.tokens) != len(tokens) || r.rows != rows {
			return nil
		}
		if slices.Equal(r.tokens, tokens) && (at < 0 || r.seed == seed && s.cands.results[at].seed != seed) {
			at = i
		}
	}
	if at < 0 {
		return nil
	}
	each := []result{s.cands.results[at]}
	for i, r := range s.cands.results {
		if i != at {
			each = append(each, r)
		}
	}
	return each
}

// completeEach finishes each of a stopped batch's partial images from its
// own top part, with its own seed and prompt (sampler.CompleteEach): the
// first stays the image on the canvas and the first candidate (job.pin),
// the others follow ranked as a finished batch is, on the whole image:
// each one's likelihood adds its top part's, drawn before the stop, to
// its completion's.
func (s *Studio) completeEach(each []result) error {
	p, err := s.imageRunParams()
	if err != nil {
		return err
	}
	p.Batch = len(each)
	b := s.bundle
	keep := len(each[0].tokens)
	prefixes := make([][]int, len(each))
	seeds := make([]uint64, len(each))
	prompts := make([]string, len(each))
	prefixLogLik := map[uint64]float64{} // a top part's log-likelihood (nats), by seed
	for i, r := range each {
		prefixes[i], seeds[i], prompts[i] = r.tokens, r.seed, r.rec.Prompt
		prefixLogLik[r.seed] = r.loglik * float64(len(r.tokens))
	}
	// A style per seed: every seed's pictures in every style are finished,
	// and each seed keeps the style an unstopped run keeps (finishing the
	// style shown drew a picture that run would have passed over).
	var styled []sampler.Image
	for _, r := range each {
		if len(r.styleRows) == 0 {
			styled = nil
			break
		}
		styled = append(styled, sampler.Image{Seed: r.seed, Prompt: r.rec.Prompt, Tokens: r.tokens, StyleRows: r.styleRows})
	}
	tokens := s.doc.Tokens()
	s.tl.stopReplay()
	opt := s.runOptions(p)
	return s.startJob(job{
		kind: kindComplete, label: "completing", b: b, params: p, base: tokens, mask: s.doc.Mask(), parent: s.doc.Parent,
		at: keep, temps: opt.PatchTemperature, shown: shownCodes(tokens, func(i int) bool { return i >= keep }),
		sampled: b.ImageTokens() - keep, rank: true, pin: &each[0].seed, ownSeeds: true,
		opt: opt, runWith: func(ctx context.Context, opt sampler.Options, emit func(sampler.Event)) (*sampler.Result, error) {
			if styled != nil {
				return sampler.ContinueStyled(ctx, b, opt, styled, emit) // its likelihoods are the whole pictures'
			}
			res, err := sampler.CompleteEach(ctx, b, opt, prefixes, seeds, prompts, emit)
			if err == nil && !res.Stopped {
				for i := range res.Images {
					im := &res.Images[i]
					im.LogLik += prefixLogLik[im.Seed]
					im.Count += keep
				}
			}
			return res, err
		},
	})
}

// completeFrom keeps the first keep patches and samples the rest, batch
// candidates of them (0: the prompt panel's Batch).
func (s *Studio) completeFrom(keep, batch int) error {
	p, err := s.imageRunParams()
	if err != nil {
		return err
	}
	if batch > 0 {
		p.Batch = batch
	}
	b := s.bundle
	tokens := s.doc.Tokens()
	s.tl.stopReplay()
	s.canvas.ClearPatches(func(i int) bool { return i >= keep })
	opt := s.runOptions(p)
	return s.startJob(job{
		kind: kindComplete, label: "completing", b: b, params: p, base: tokens, mask: s.doc.Mask(), parent: s.doc.Parent,
		at: keep, temps: opt.PatchTemperature, rank: true, shown: shownCodes(tokens, func(i int) bool { return i >= keep }),
		sampled: b.ImageTokens() - keep, keepMask: s.keptPrefix(keep),
		opt: opt, runWith: func(ctx context.Context, opt sampler.Options, emit func(sampler.Event)) (*sampler.Result, error) {
			return sampler.Complete(ctx, b, opt, tokens, keep, emit)
		},
	})
}

// Stop cancels the running job; a sampling run keeps its partial image. A
// job that Stop cannot end (a model load, runner.StartUnstoppable) runs on,
// and the status line says so (Escape and a shortcut pressed reach here
// with Stop greyed out).
func (s *Studio) Stop() {
	if busy, ok := s.runs.runner.Busy(); ok && busy.unstoppable {
		s.setStatus(fmt.Sprintf("%s cannot be stopped; wait for it", capitalize(busy.running)))
		return
	}
	if s.runs.runner.Running() != "" {
		s.runs.runner.Stop() // the run, not a description beside it (minutes of work)
		return
	}
	s.describer.stop() // Image › Stop (Ctrl+.) stops a description too, as its window's Stop does
}

// StopAtPatch makes the next run stop, as Stop does, once it has made n
// patches (0: no such stop). For scripted captures (tessera studio
// --screenshots): a 64-patch run takes a tenth of a second, too quick to
// stop halfway by watching it. Call it on the UI goroutine.
func (s *Studio) StopAtPatch(n int) { s.runs.stopAt = max(n, 0) }

// Running names the running job ("" when idle).
func (s *Studio) Running() string { return s.runs.runner.Running() }

// startJob runs j on the runner, streaming image 0 onto the canvas; finish
// applies the result.
func (s *Studio) startJob(j job) error {
	if j.base != nil && j.startPic == nil {
		j.startPic = s.doc.Picture() // a candidate that gives it back is the picture as it was
	}
	if j.base != nil {
		j.startParams = s.doc.ImageParams()
	}
	s.ranTexts = s.fieldTexts()
	j.outDir = s.outputsDir
	j.saveAll = s.set.SaveAllCandidates()
	if j.rankBy = s.set.RankBy(); j.rankBy == "" {
		j.rankBy = sampler.RecommendedRankBy(j.b, j.params.Prompt) // as the model recommends
	}
	s.resetTimeline()
	s.runs.streaming = true
	s.runs.maskStep = 0 // a repair sets it once started
	s.runs.follow = -1
	switch j.kind {
	case kindGenerate:
		s.runs.follow = 0
	case kindComplete, kindBranch:
		s.runs.follow = j.at
	}
	s.canvas.SetMessage("")
	s.likelihood.refresh()
	s.canvas.Sync()
	s.panel.SetRunning(true)
	s.updateButtons()
	seed := j.params.Seed
	if j.pin != nil {
		seed = *j.pin // a stopped batch finished with its images' own seeds, the one shown first
	}
	start := fmt.Sprintf("%s with seed %d…", capitalize(j.label), seed)
	if j.ownSeeds && j.params.Batch > 1 {
		start = fmt.Sprintf("%s %d images, each with its own seed (the one shown: %d)…", capitalize(j.label), j.params.Batch, seed)
	}
	if j.warn != "" {
		start += " — " + j.warn
	}
	s.setStatus(start)
	err := s.runs.start(j, func(ran job, res *sampler.Result, err error, saved []result, saveErr error) {
		s.finish(ran, res, err, saved, saveErr)
	})
	if err != nil {
		s.runs.streaming = false
		s.panel.SetRunning(false)
		s.showDoc()
	}
	s.followTimeline(true)
	s.updateButtons()
	return err
}

// shownCodes is codes with −1 where cleared is true (and past its end).
func shownCodes(codes []int, cleared func(i int) bool) []int {
	out := make([]int, len(codes))
	for i, c := range codes {
		if cleared(i) {
			c = -1
		}
		out[i] = c
	}
	return out
}

// canvasFlushed follows a repaint of the canvas: the progress bar, and the
// timeline while a run draws an image from its top.
func (s *Studio) canvasFlushed() {
	s.runs.updateProgress()
	s.followTimeline(false)
}

// followTimeline shows, while a run draws an image from its top
// (runs.follow), the patches drawn so far of image 0 on the timeline ("0 /
// 64" as a Generate starts, not the last image's "64 / 64"); at the run's
// start, the patches it starts from, whatever it has drawn already (they
// show once the canvas shows them, at its next repaint).
func (s *Studio) followTimeline(atStart bool) {
	if !s.runs.streaming || s.runs.follow < 0 {
		return
	}
	st := s.runs.prog.State(time.Now())
	if st.Patches <= 0 {
		return
	}
	if atStart {
		st.Fresh, st.Kept = 0, 0
	}
	s.tl.set(min(s.runs.follow+st.Fresh+st.Kept, st.Patches), st.Patches, st.Patches)
}

// canvasEmitter is the canvas path the sampler feeds, on the sampler's
// goroutine: count the event for the progress bar and paint image 0's
// decoded patch into the canvas, whose repaint is coalesced to about 30 a
// second through fyne.Do. paint, when set, paints image 0's events instead
// (a tokenizer that decodes the whole grid). hook, if set, runs after (tests).
func canvasEmitter(prog *progress, lc *widgets.LiveCanvas, paint, hook func(sampler.Event)) func(sampler.Event) {
	return func(ev sampler.Event) {
		prog.Event(ev)
		switch {
		case ev.Image != 0:
		case paint != nil:
			paint(ev)
		default:
			lc.PaintPatch(ev.Index, ev.Patch)
		}
		if hook != nil {
			hook(ev)
		}
	}
}

// result is one image of a finished run.
type result struct {
	tokens []int
	// pic is the image's picture when it is not its codes' decode (nil:
	// it is): the patches a masked run kept keep their pixels (see
	// core.Snapshot.Picture and result.picture).
	pic *image.NRGBA
	// style is the style a style per seed drew the image in ("" for none).
	style string
	// styleRows, for an image of a stopped run with a style per seed, are
	// its seed's pictures so far in every style (sampler.Image.StyleRows):
	// Continue finishes them all and keeps the style an unstopped run
	// keeps.
	styleRows []sampler.Image
	rows      int // patch rows (more than the grid after Extend ↓)
	seed      uint64
	// path is the output file ("" until it is saved: only the image kept
	// is, see saveResults).
	path string
	// rec is the metadata the image is saved with.
	rec pngmeta.Record
	// again says path was saved before, holding the same record (the
	// image made again exactly): it was not written now.
	again bool
	// before says the candidate is the image the run started from
	// (job.gaveBack): it is never saved, and picking it puts that image
	// back with its own parent.
	before bool
	// early says a generation was stopped before half of the image's
	// patches were drawn (underHalfDrawn): it stays on the canvas (and in
	// the autosave) but is not saved to the outputs folder, which a Stop
	// pressed at once would fill with nearly empty pictures.
	early bool
	// kept says the candidate is the image the run started from, kept as
	// it was rather than drawn by a seed of the run (job.kept): its seed is
	// the image's own; noSeed says it has none (a picture opened from a
	// file, whose seed field reads 0).
	kept, noSeed bool
	parent       string // the parent of the image the run started from
	// startParams are the parameters of the image the run started from,
	// for a candidate that is that image (before; nil where unknown: a
	// strip kept by a session file of an earlier version).
	startParams *core.Params
	// loglik is the model's mean log-likelihood per patch of the whole
	// image (nats; 0 when unknown): the sampler's where it drew every
	// patch, else with the patches before the first it drew scored
	// (runs.save).
	loglik float64
	// oneCode says guidance min-p left one code at every patch the run
	// sampled for it (sampler.Image.Free 0): no knob but min-p changed it.
	oneCode bool
	// score is what a ranked batch is ordered by (nats per patch): the
	// mean log-likelihood under the prompt, or the prompt gain (the job's
	// rankBy); scored says it was computed.
	score  float64
	scored bool
	rankBy sampler.RankBy // what score is
}

// ownParams are the image parameters of candidate r of a run of kind,
// from base (the run's): its seed, the prompt with the style its seed drew
// (a generation's, or a stopped batch's image finished by Continue in its
// own style), and an edit's instruction (its record holds it as its
// prompt; base, the panel's, may be an edit's reused); the image the run
// started from keeps its own (the run's seed drew no such picture).
func (r result) ownParams(base core.Params, kind string) core.Params {
	if r.before && r.startParams != nil {
		return *r.startParams
	}
	ip := base
	ip.Seed = r.seed
	if kind != kindEdit && !r.before && r.rec.Prompt != "" {
		ip.Prompt = r.rec.Prompt
	}
	ip.Instruction = ""
	if kind == kindEdit {
		ip.Instruction = r.rec.Prompt
	}
	return ip
}

// finish applies a finished run (UI goroutine): the first image becomes the
// current one (one undo step of its own), the others are offered as
// candidates; the overlays make way for the result.
func (s *Studio) finish(j job, res *sampler.Result, runErr error, results []result, saveErr error) {
	s.runs.streaming = false
	s.panel.SetRunning(false)
	s.runs.updateProgress()
	if runErr != nil {
		s.showDoc()
		if n := (notice{}); errors.As(runErr, &n) {
			// Nothing to do (a white background to remove): no failure.
			s.setStatus(n.title)
			s.showError(n)
			return
		}
		s.setStatus(capitalize(j.label) + " failed")
		s.showError(fmt.Errorf("%s: %w", j.label, runErr))
		return
	}
	if s.bundle != j.b {
		return // the model changed meanwhile; nothing to apply to
	}
	if !j.ownSeeds {
		s.advanceSeed(j.params)
	}
	if len(results) == 0 {
		s.showDoc()
		if j.kind == kindEdit && res != nil && res.Stopped && len(res.Images) > 0 && len(res.Images[0].Tokens) > 0 {
			// An edit cannot be continued, and its top part over the
			// image is no edit: Stop cancels it, as a dialog's Cancel.
			st := s.runs.prog.State(time.Now())
			s.runs.prog.Clear()
			s.runs.updateProgress()
			s.setStatus(fmt.Sprintf("Edit stopped at patch %d / %d: the image is unchanged and nothing was saved (an edit cannot be continued; run it again)", st.Step, st.Steps))
			return
		}
		s.setStatus("Stopped before the first patch; the image is unchanged")
		return
	}
	if !res.Stopped && allGaveBack(j, results) {
		// Nothing changed: the image, its undo steps and the candidates
		// offered before (a batch's others, which no file may hold) stay
		// as they were; a run that gave the image back replaced them by
		// copies of it marked "= before", and undo did not bring them back.
		s.showDoc()
		// An edit's own note says why (edit.GivenBackNote: "its mirror
		// image is itself"), not sameResultsNote's hint to loosen the
		// sampling, which contradicted it.
		why := strings.TrimPrefix(sameResultsNote(j, results), " ·")
		if j.kind == kindEdit {
			why = " the image given back unchanged (not saved again)"
		}
		if j.repair && s.runs.maskStep != 0 && s.doc.TakeBack(s.runs.maskStep) == nil {
			// the repair's mask off again, with no undo step of its own:
			// it stayed behind, unseen
			s.docChanged()
		}
		msg := capitalize(doneWord(j.kind)) + ":" + why + "; the image and the candidates offered before are kept"
		if j.early != nil && *j.early != "" {
			msg += " · " + *j.early
		}
		if j.lateNote != nil && *j.lateNote != "" {
			msg += " · " + *j.lateNote
		}
		s.setStatus(msg)
		return
	}
	if res.Stopped {
		s.runs.keep(nil, nil)
	} else {
		s.runs.keep(j.b, res)
	}
	first := results[0]
	ip := first.ownParams(j.params, j.kind)
	v := s.doc.Version()
	// The candidates shown are of the image this run replaces: put away
	// once it is replaced, an undo back to it brings them back (a stopped
	// batch's partial images, which Continue does not finish, among them).
	replaced, replacedStep := s.doc.Tokens(), s.doc.Step()
	// The image's file: the one saved now, or, when the run gave back the
	// image it started from (not saved again), that image's own file, so
	// that what is made from it next still names its parent.
	path := first.path
	if first.before {
		path = j.parent
	}
	var err error
	// A mask painted while the image was drawn is painted on it: a new
	// image starts unmasked, which threw such a mask away without a word.
	paintedDuring := j.kind == kindGenerate && core.AnyMasked(s.doc.Mask()) && !slices.Equal(s.doc.Mask(), j.maskBefore)
	painted := s.doc.Mask()
	// So are temperatures painted while it was drawn (the image itself was
	// drawn with those of the start, j.temps).
	tempsDuring := j.kind == kindGenerate && !slices.Equal(s.doc.Temperature(), j.tempsBefore)
	paintedTemps := s.doc.Temperature()
	switch {
	case j.kind == kindGenerate:
		err = s.doc.NewImage(first.tokens, first.rows, ip, path, j.temps, first.pic)
		if err == nil && paintedDuring {
			err = s.doc.SetMask(core.FitLen(painted, s.doc.N())) // its own undo step, after the image's
		}
		if err == nil && tempsDuring {
			err = s.doc.SetTemperature(core.FitLen(paintedTemps, s.doc.N())) // likewise
		}
	case j.repair && !res.Stopped: // a stopped repair keeps its mask: it shows what was not reached
		err = s.doc.SetState(first.tokens, first.rows, nil, s.doc.Temperature(), ip, path, first.pic)
	default:
		err = s.doc.SetImageRows(first.tokens, first.rows, ip, path, first.pic)
	}
	if err != nil {
		s.showDoc()
		s.showError(fmt.Errorf("%s: %w", j.label, err))
		return
	}
	putAway := len(s.cands.results) // the candidates of the image replaced (a stopped batch's partial images)
	s.cands.shelve(replaced, replacedStep)
	// The run's candidates replace its result in place only while its own
	// undo step is current.
	s.cands.version = -1
	if s.doc.Version() != v {
		s.cands.version = s.doc.Version()
	}
	for _, r := range results { // the first, or every image of the batch (Settings)
		if r.path != "" {
			s.markSaved(r.tokens, true)
		}
	}
	if !s.canvas.Stroking() {
		s.paint.setOverlays(false) // the result, not the mask over it
	}
	s.cands.show(j, results)
	// Its step's strip, none too: an undo and a redo back to the step show
	// no other run's (runs can draw the same picture).
	s.cands.keep(s.doc.Tokens(), s.doc.Step())
	s.addHistory(j, results) // the first, or with Settings' "every image of a batch" all saved
	s.docChanged()
	st := s.runs.prog.State(time.Now())
	done := j.sampled
	switch {
	case done > 0:
	case st.Kept > 0: // a masked edit: the patches drawn anew, as the bar counts them (it said 31 of a 15-patch mask)
		done = st.Fresh
	default:
		done = st.Step
	}
	drew := plural.N(done, "patch", "patches")
	if j.drew != nil && *j.drew != "" {
		drew = *j.drew
	}
	msg := fmt.Sprintf("%s: %s in %s (%.0f tok/s)", capitalize(doneWord(j.kind)), drew, formatDuration(st.Elapsed), st.TokensPerSecond())
	if j.kind == kindRegenerate {
		what := plural.N(done, "masked patch", "masked patches")
		switch masked := done - j.unfinished; {
		case j.unfinished > 0 && masked > 0:
			what = fmt.Sprintf("%d masked and %d unfinished patches", masked, j.unfinished)
		case j.unfinished > 0 && !core.AnyMasked(j.mask):
			what = plural.N(j.unfinished, "unfinished patch", "unfinished patches") + " (nothing was masked)"
			if putAway > 1 {
				// A stopped batch: this finished the one shown; the others
				// went with the image before, where Undo finds them.
				what += fmt.Sprintf(" of the image shown; the stopped batch's other %s are put away with it (Undo brings them back; Continue stopped image finishes a whole batch)", plural.N(putAway-1, "image", "images"))
			}
		case j.unfinished > 0:
			what = plural.N(j.unfinished, "unfinished patch", "unfinished patches")
		}
		msg = fmt.Sprintf("Regenerated: %s in %s (%.0f tok/s)", what, formatDuration(st.Elapsed), st.TokensPerSecond())
	}
	if first.loglik != 0 && !res.Stopped {
		msg += fmt.Sprintf(" · %.2f bits/patch", -first.loglik/math.Ln2)
	}
	if j.early != nil && *j.early != "" && !res.Stopped {
		msg += " · " + *j.early
	}
	switch {
	case res.Stopped && j.kind == kindExtend:
		_, cols := j.b.Grid()
		msg = fmt.Sprintf("Stopped: %d of %d rows added — the finished rows are kept", first.rows-len(j.base)/cols, j.at)
	case res.Stopped && first.early && len(results) == 1:
		msg = fmt.Sprintf("Stopped at patch %d / %d — the partial image is kept here but, under half drawn, not saved to the outputs folder (Continue stopped image, in the Image menu and under Regenerate, finishes and saves it; Export saves it as it is)", st.Step, st.Steps)
	case res.Stopped:
		msg = fmt.Sprintf("Stopped at patch %d / %d — the partial image is kept (Continue stopped image, in the Image menu and under Regenerate, finishes it)", st.Step, st.Steps)
		if j.kind == kindGenerate && len(results) > 1 {
			msg = fmt.Sprintf("Stopped at patch %d / %d — the %d partial images are kept (Continue stopped image, in the Image menu and under Regenerate, finishes all of them)", st.Step, st.Steps, len(results))
			if first.early {
				msg += "; under half drawn, none is saved to the outputs folder until finished (Export saves the one shown as it is)"
			}
		}
	}
	if j.kind == kindGenerate && !res.Stopped {
		// The seed field has moved on to the next run's seed: say which
		// seed (and the style it drew) made the image shown.
		msg += fmt.Sprintf(" · seed %d", first.seed)
		if st := first.style; st != "" {
			msg += fmt.Sprintf(", in the %s style it drew (the style picker chooses one)", st)
		}
		if st := sampler.UnsureStyle(j.b, j.params.Prompt, first.loglik, j.params.Temperature); st != "" {
			// Said early (the line cuts a long message): the picture is
			// most likely no "rocket" at all, a fluent modern one the
			// model never learnt, where the strip's figures alone told it.
			msg += fmt.Sprintf(" · drawn unsure (%.2f bits a patch; pictures it knows take under %.1f): the model may not know that name in the %s style (\"A style per seed\" draws the styles it knows)",
				-first.loglik/math.Ln2, sampler.UnsureBits/2, st)
		}
		if n := oneCodeNote(j, results); n != "" {
			msg += " · " + n
		}
	}
	if j.note != "" {
		msg += " · " + j.note
	}
	if paintedDuring {
		msg += fmt.Sprintf(" · the mask painted while it was drawn is kept on it (%s; Ctrl+Z takes it off)", plural.N(s.doc.Masked(), "patch", "patches"))
	}
	switch {
	case tempsDuring && s.doc.Temperature() != nil: // (the document keeps an all-zero map as none)
		msg += " · the temperatures painted while it was drawn are kept on it for the next run (Ctrl+Z takes them off)"
	case tempsDuring:
		msg += " · the temperature map cleared while it was drawn stays cleared (Ctrl+Z brings it back)"
	}
	if j.lateNote != nil && *j.lateNote != "" {
		msg += " · " + *j.lateNote
	}
	if v := variedNote(j); v != "" {
		msg += " · " + v
	}
	if !res.Stopped {
		msg += sameResultsNote(j, results)
	}
	if by := j.rankBy; first.scored && by != first.rankBy {
		// The order asked for could not be had (Stop during a slow
		// ranking, or no prompt to describe by): say which one it is.
		msg += fmt.Sprintf(" · not ranked by %s (stopped, or nothing to score it by): best first by %s", by.ScoreName(), first.rankBy.ScoreName())
	}
	if len(res.Unknown) > 0 {
		msg += fmt.Sprintf(" · unknown words left out: %s", strings.Join(res.Unknown, ", "))
		if h := j.b.Prompt.DidYouMean(res.Unknown); h != "" {
			msg += " (" + h + ")"
		}
	}
	if j.b.Conditional() && j.kind != kindEdit && j.params.Guidance <= 1 && strings.TrimSpace(j.params.Negative) != "" {
		msg += " · the negative prompt had no effect at guidance 1"
	}
	var others *candidatesNotSaved
	switch {
	case errors.As(saveErr, &others):
		s.showError(others) // the result itself was saved: its note follows
	case saveErr != nil:
		s.showError(fmt.Errorf("the result is on the canvas but could not be saved to the outputs folder: %w", saveErr))
	}
	switch {
	case saveErr != nil && others == nil:
		// Said here too, once the error's dialog is closed: the status
		// read as if all were well, and the image stayed unsaved.
		msg += " · not saved to the outputs folder (see the error; File › Export saves it"
		if len(results) > 1 {
			msg += ", as does picking it in the strip once the folder is writable"
		}
		msg += ")"
	case first.again:
		msg += againNote(first.path)
	case first.path != "":
		msg += savedNote(first.path)
	}
	var also []string
	if n := newlySaved(results[1:]); n > 0 {
		also = append(also, fmt.Sprintf("and the batch's %s", plural.N(n, "other image", "other images")))
	}
	if rep := repeats(results); rep > 0 && j.saveAll && !res.Stopped {
		// Settings' "every image" saves each picture once: said, where a
		// batch of four alike wrote one file without a word.
		also = append(also, fmt.Sprintf("%s the same picture as one before, not saved again", plural.N(rep, "candidate is", "candidates are")))
	}
	if len(also) > 0 && first.path != "" {
		msg += " (" + strings.Join(also, "; ") + ")"
	}
	s.setStatus(msg)
}

// repeats counts the results that are the same picture as one before them
// (alikeBefore), which a batch saves once; candidates that give back the
// image the run started from are no new picture and not counted.
func repeats(results []result) int {
	n := 0
	for i, r := range results {
		if !r.before && alikeBefore(results, i) >= 0 {
			n++
		}
	}
	return n
}

// newlySaved counts the results written to the outputs folder by this run
// (not saved before).
func newlySaved(results []result) int {
	n := 0
	for _, r := range results {
		if r.path != "" && !r.again {
			n++
		}
	}
	return n
}

// maxVaryTries is how many times a job that gave back its starting image
// is drawn again (job.runWith): two reach sampling.VariedMaxTemperature
// from the emoji model's 0.8 (1.2, 1.6), a third from a cooler setting.
// Branched at patch 40, that model gave its source back for 4 seeds of 10
// at 1.2, 1 at 1.6, none at 2 (where most of what it drew was broken).
const maxVaryTries = 3

// variedParams are the settings a regeneration, completion or branch that
// gave back the image it started from is drawn again with
// (sampling.Settings.Varied); ok is false when there is no more variation
// to add.
func variedParams(p core.Params) (core.Params, bool) {
	var ok bool
	p.Settings, ok = p.Settings.Varied()
	return p, ok
}

// unchanged reports whether every image of res is base: a run that gave
// back the image it started from.
func unchanged(res *sampler.Result, base []int) bool {
	same, n := givenBack(res, base)
	return n > 0 && same == n
}

// mostlyUnchanged reports whether most of res's images are base:
// a run that gave back the image it started from as most of its
// candidates (Regenerate masked offered "best, #2 = before, #3 = before,
// #4 = before" and drew no more variation, since one had changed).
func mostlyUnchanged(res *sampler.Result, base []int) bool {
	same, n := givenBack(res, base)
	return 2*same > n
}

// givenBack counts the images of res that are base (same) of its n; both 0
// for a run that says nothing of it (none, stopped, or no base).
func givenBack(res *sampler.Result, base []int) (same, n int) {
	if res == nil || res.Stopped || len(res.Images) == 0 || len(base) == 0 {
		return 0, 0
	}
	for _, im := range res.Images {
		if slices.Equal(im.Tokens, base) {
			same++
		}
	}
	return same, len(res.Images)
}

// variedNote says that a job was drawn again with more variation, for its
// status; "" when it was not.
func variedNote(j job) string {
	if j.tries == 0 {
		return ""
	}
	return fmt.Sprintf("drawn at temperature %.2g and guidance %g, since at your settings the model gave the image back unchanged (as most candidates, where there are several; the panel keeps yours)", j.params.Temperature, j.params.Guidance)
}

// underHalfDrawn reports whether a candidate of a run of kind holds fewer
// than half of its rows×cols patches while it is a generation's: stopped
// early, it is not saved to the outputs folder, neither when the run ends
// nor when it is picked (result.early).
func underHalfDrawn(kind string, tokens, rows, cols int) bool {
	return kind == kindGenerate && 2*tokens < rows*cols
}

// gaveBack reports whether tokens, a result of j, are the image j started
// from: a regeneration, completion, branch or edit that changed nothing.
func (j job) gaveBack(tokens []int) bool {
	return j.kind != kindGenerate && j.kind != kindExtend && len(j.base) > 0 && slices.Equal(tokens, j.base)
}

// allGaveBack reports whether every candidate of run j gave back the image
// it started from (job.gaveBack).
func allGaveBack(j job, results []result) bool {
	for _, r := range results {
		if !j.gaveBack(r.tokens) {
			return false
		}
	}
	return len(results) > 0
}

// sameResultsNote tells the user when a run changed nothing they can see:
// every candidate the same picture, or a regeneration, completion or edit
// that gave back the image it started from (a model that knows its
// pictures by heart, at strong guidance, does that); or when most of a
// batch repeats its other candidates (at most half of them different).
// "" otherwise.
func sameResultsNote(j job, results []result) string {
	if len(results) == 0 {
		return ""
	}
	first := results[0].tokens
	same := len(results) > 1
	for _, r := range results[1:] {
		same = same && slices.Equal(r.tokens, first)
	}
	distinct := 0
	for i := range results {
		if alikeBefore(results, i) < 0 {
			distinct++
		}
	}
	unchanged := j.gaveBack(first)
	hint := varietyHint(j.kind, j.params)
	switch {
	case unchanged && j.repair:
		return " · unchanged (not saved again): no candidate drew those patches likelier"
	case unchanged && same:
		return fmt.Sprintf(" · all %d candidates unchanged (not saved again): %s", len(results), hint)
	case unchanged:
		return " · unchanged (not saved again): " + hint
	case same:
		return fmt.Sprintf(" · all %d candidates alike: %s", len(results), hint)
	case distinct < len(results) && distinct*2 <= len(results):
		// Most of them repeat another (the strip marks "#3 = #1").
		return fmt.Sprintf(" · %d candidates, %d different pictures: %s", len(results), distinct, hint)
	}
	return ""
}

// alikeBefore is the first candidate before results[i] that is the same
// picture (samePicture), or −1.
func alikeBefore(results []result, i int) int {
	return slices.IndexFunc(results[:i], func(o result) bool { return samePicture(o, results[i]) })
}

// samePicture reports whether a and b show the same picture: the same
// pixels where either has a picture of its own (an edit model's, which
// may differ where the drawing model's codes of it agree), else the same
// codes.
func samePicture(a, b result) bool {
	if a.pic != nil || b.pic != nil {
		return a.pic != nil && b.pic != nil && a.pic.Rect == b.pic.Rect && bytes.Equal(a.pic.Pix, b.pic.Pix)
	}
	return a.rows == b.rows && slices.Equal(a.tokens, b.tokens)
}

// varietyHint says which setting would vary the pictures a run of kind
// with p drew alike: only those that can still go that way (guidance at
// 1 is off and goes no lower; the temperature at core.MaxTemperature goes
// no higher).
func varietyHint(kind string, p core.Params) string {
	if p.TopK == 1 {
		return "top-k 1 takes the likeliest code every time, whatever the seed: raise top-k (0 is all codes)"
	}
	if kind != kindEdit && p.MinPLimitsVariety() { // (an edit's guidance is the edit model's)
		// The model's guidance min-p keeps only its surest codes under
		// guidance, whatever the temperature.
		return "try guidance 1: above it the model's guidance min-p keeps only the codes it is surest of, whatever the temperature"
	}
	lower, hotter := p.Guidance > 1, p.Temperature < core.MaxTemperature
	switch {
	case lower && hotter:
		return "try lower guidance or a higher temperature"
	case hotter:
		return "try a higher temperature (guidance is at 1, off, already)"
	case lower:
		return fmt.Sprintf("try lower guidance (the temperature is at its highest, %g, already)", core.MaxTemperature)
	case p.TopP > 0 && p.TopP < 1:
		return "guidance is off and the temperature at its highest: try a higher top-p (1 is all codes)"
	case p.TopK > 0:
		return "guidance is off and the temperature at its highest: try a higher top-k (0 is all codes)"
	}
	return "guidance is off and the temperature at its highest: the model draws this alike whatever the seed; try other words"
}

// doneWord names a finished run of kind.
func doneWord(kind string) string {
	switch kind {
	case kindRegenerate:
		return "regenerated"
	case kindComplete:
		return "completed"
	case kindBranch:
		return "branched"
	case kindExtend:
		return "extended"
	case kindEdit:
		return "edited"
	}
	return "generated"
}

// capitalize upper-cases the first letter of an ASCII word, but not of a
// file name or path ("tessera-…-s27.png is no longer in …" was said of
// "Tessera-…", a file that is not there on a case-sensitive disk).
func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	if first, _, _ := strings.Cut(s, " "); strings.ContainsAny(strings.TrimRight(first, ":,;"), "./\\") {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// ReuseImageSeed puts the seed of the image on the canvas in the seed
// field, locked (the field otherwise shows the next run's seed), with the
// prompt and settings the image records, as clicking its history entry
// does; the panel's batch stays. For an image drawn by Generate, Generate
// then draws it again, or variations of it as one setting is changed; a
// regenerated, completed or edited image records its own run's seed, which
// redraws it only by that run. An image sampled in another precision than
// the studio's (tessera studio --precision) is drawn otherwise from them,
// which the status says. A picture opened from elsewhere records no seed:
// an error.
func (s *Studio) ReuseImageSeed() error {
	if s.doc == nil || s.doc.Empty() {
		return errNoImage
	}
	ip := s.doc.ImageParams()
	if ip.Seed == 0 && ip.Prompt == "" {
		return errors.New("the image on the canvas records no seed (a picture opened from elsewhere): generate one first")
	}
	rec := s.parentRecord()
	if rec.IsEdit() {
		return errors.New("the image on the canvas is an edit by instruction: its seed is the edit model's and draws nothing here; reuse the seed of the image it was edited from")
	}
	p := ip
	p.SeedLocked = true
	if cur, err := s.panel.Params(); err == nil {
		p.Batch = cur.Batch
	}
	s.panel.SetParams(p)
	s.paramsChanged()
	msg := fmt.Sprintf("Seed %d of the image on the canvas, locked, with its prompt and settings: Generate draws it again if Generate drew it", ip.Seed)
	if ours := s.bundle.Model.Precision(); rec != nil && rec.Precision != "" && rec.Precision != ours {
		// The studio samples in one precision: another draws another
		// picture from the same seed and settings.
		msg = fmt.Sprintf("Seed %d of the image on the canvas, locked, with its prompt and settings; it was sampled in %s and this studio samples in %s, so Generate draws another picture from them (tessera studio --precision %s draws it again)",
			ip.Seed, rec.Precision, ours, rec.Precision)
	}
	s.setStatus(msg)
	return nil
}

// oneCodeNote says, after a generation, that the knobs moved from the
// model's recommendation changed nothing because guidance min-p left one
// code at every patch of every image (a user moved Temperature and saw the
// same picture, with no control of min-p in the studio); "" otherwise.
func oneCodeNote(j job, results []result) string {
	p := j.params
	if p.GuidanceMinP <= 0 || p.GuidanceMinP >= 1 || len(results) == 0 {
		return ""
	}
	for _, r := range results {
		if !r.oneCode {
			return ""
		}
	}
	// Moved by more than half a slider step: the panel snaps a
	// recommendation off its grid (a temperature of 0.82 shows 0.80).
	def := panelDefaults(j.b)
	var moved []string
	for _, k := range []sampling.Knob{sampling.KnobTemperature, sampling.KnobTopK, sampling.KnobTopP, sampling.KnobGuidance} {
		if movedFromDefault(k, p.Value(k), def.Value(k)) {
			moved = append(moved, k.Label())
		}
	}
	if strings.TrimSpace(p.Negative) != "" {
		moved = append(moved, "the negative prompt")
	}
	if len(moved) == 0 {
		return ""
	}
	return fmt.Sprintf("the model left one code at every patch at guidance min-p %g, so %s changed nothing (a lower Guidance min-p lets them act)", p.GuidanceMinP, plural.And(moved))
}
