package ui

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/internal/plural"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// describeTop is how many prompts the Describe dialog lists.
const describeTop = 10

// describeTip is the Describe button's tooltip while it can be used.
const describeTip = "Describe: the prompts that make this image likeliest under the model (exact likelihood, in bits per patch), " +
	"from its own candidates (emoji names × styles, or its vocabulary); Use puts one in the prompt (Ctrl+D)"

// describeHost is what Describe needs of the studio: what there is to
// describe (or why not), using a prompt found, and the studio's
// background work, buttons and status line.
type describeHost interface {
	describeSubject() (*bundle.Bundle, []int, error)
	docTokens() []int // the current image's codes (nil: none)
	Bundle() *bundle.Bundle
	usePrompt(b *bundle.Bundle, p string) error
	focusPrompt()
	goBackground(fn func())
	updateButtons()
	setStatus(msg string)
	report(err error)
}

// describer is the Describe controller: the description running (if
// any), its dialog, and the last result, kept so that describing the same
// image with the same model again shows it at once. UI goroutine only.
type describer struct {
	host    describeHost
	ctx     context.Context
	loop    uiLoop
	win     fyne.Window
	workers int
	button  *widgets.TipButton // the editing panel's Describe button
	running *describeView      // nil: none runs
	last    *describeResult    // the last finished description
	// cands caches the candidate prompts of one model.
	candsOf *bundle.Bundle
	cands   sampler.Candidates
	// shown is the dialog on screen (nil: none).
	shown *describeView
}

// describeResult is one finished description.
type describeResult struct {
	b      *bundle.Bundle
	key    string // tokensKey of the image described
	top    []sampler.PromptScore
	uncond float64 // bits per patch (token) without a prompt
	// drawn is what the model's own pictures of the likeliest prompt cost
	// (sampler.DrawnBits, bits per patch), measured where no prompt makes
	// the image much likelier than none (drawnSet).
	drawn    float64
	drawnSet bool
	tokens   int // the image's codes
	// candidates is how many prompts were ranked, source where they came
	// from, skipped how many were left out (words the model does not know).
	candidates, skipped int
	source              string
	// names is how many names were ranked alone before the styles of
	// the sampler.NameShortlist likeliest (0: one stage).
	names   int
	seconds float64
}

// describeView is the Describe dialog: a status line and progress bar
// while the prompts are ranked, then the list of the likeliest ones.
type describeView struct {
	dlg     *dialog.CustomDialog
	status  *widget.Label
	bar     *widget.ProgressBar
	list    *fyne.Container
	scroll  *container.Scroll
	rows    []*describeRow
	stop    *widget.Button
	close   *widget.Button
	cancel  context.CancelFunc
	stopped bool // Stop was pressed (or the dialog closed) while it ran
	// started is when the ranking began: the time left is told from it (a
	// ranking took 33 s on a busy machine behind a bare percentage).
	started time.Time
}

// describeRow is one listed prompt.
type describeRow struct {
	prompt string
	bits   float64
	text   *widgets.TipLabel // cut with "…" when long: the whole prompt is its tooltip
	// figures are its bits per patch and their gain over no prompt.
	figures *widget.Label
	use     *widget.Button
}

// describeSubject is the model and codes Describe works on, or why the
// current image cannot be described: it needs a model with prompts and one
// finished image of the model's size, and nothing else running.
func (s *Studio) describeSubject() (*bundle.Bundle, []int, error) {
	if err := s.describable(); err != nil {
		return nil, nil, err
	}
	return s.bundle, s.doc.Tokens(), nil
}

// docTokens is the current image's codes (nil when there is none).
func (s *Studio) docTokens() []int {
	if s.doc == nil || s.doc.Empty() {
		return nil
	}
	return s.doc.Tokens()
}

// describable says why the current image cannot be described (nil if it
// can).
func (s *Studio) describable() error {
	busy, running := s.runs.runner.Busy()
	switch {
	case s.bundle == nil:
		return errNoModel
	case !s.bundle.Conditional():
		return fmt.Errorf("model %s takes no prompt: Describe ranks prompts by how likely they make the image, so it needs a model with prompts", s.bundle.Name)
	case s.doc == nil || s.doc.Empty():
		return errNoImage
	case s.doc.Tall():
		return s.tallError("Describe")
	case !s.doc.Complete():
		return errors.New("Describe needs a finished image: Continue it first")
	case running:
		return busy
	case s.runs.streaming:
		return errors.New("Describe waits for the run to end")
	case s.describer != nil && s.describer.running != nil:
		return errors.New("Describe is already running (see its window)")
	}
	return nil
}

// updateDescribe enables the Describe button when the image can be
// described, and otherwise says why in its tooltip.
func (d *describer) update() {
	if d == nil || d.button == nil {
		return // not built yet
	}
	btn := d.button
	if _, _, err := d.host.describeSubject(); err != nil {
		btn.Disable()
		btn.SetWhyNot("Describe is unavailable: " + err.Error())
		return
	}
	btn.Enable()
	btn.SetWhyNot("")
}

// stop stops a description that is running, as its window's Stop button
// does (nothing when none runs).
func (d *describer) stop() {
	if d == nil || d.running == nil || d.running.stopped || d.running.stop == nil {
		return
	}
	d.running.stop.OnTapped()
}

// asked is the Describe button and menu item.
func (d *describer) asked() { d.host.report(d.Describe()) }

// Describe lists the prompts that make the current image likeliest under
// the model, best first, with their bits per token, in a dialog whose Use
// buttons put one in the prompt field. The model's candidate prompts
// (sampler.DescribeCandidates) are ranked in the background by the exact
// likelihood of the image's codes (sampler.RankCandidates, ruling out early
// the prompts that cannot make the top); the dialog shows the progress and
// can stop it. It returns at once; describing the image described last
// shows that result again without ranking.
func (d *describer) Describe() error {
	b, tokens, err := d.host.describeSubject()
	if err != nil {
		return err
	}
	workers := d.workers
	key := tokensKey(tokens)
	if r := d.last; r != nil && r.b == b && r.key == key {
		v := d.newView()
		v.showResult(d, r)
		return nil
	}
	ctx, cancel := context.WithCancel(d.ctx)
	v := d.newView()
	v.cancel = cancel
	d.running = v
	d.host.updateButtons()
	cached := d.candsOf == b
	cands := d.cands
	d.host.goBackground(func() {
		defer cancel()
		start := time.Now()
		var err error
		if !cached {
			cands, err = sampler.DescribeCandidates(ctx, b, "")
		}
		var r *describeResult
		if err == nil {
			r, err = describeImage(ctx, b, cands, tokens, workers, func(done, total int) {
				d.loop.Do(func() { v.progress(done, total) })
			})
		}
		d.loop.DoAndWait(func() {
			d.running = nil
			if err == nil && !cached {
				d.candsOf, d.cands = b, cands
			}
			switch {
			case v.stopped:
				v.showStopped()
			case err == nil && d.host.Bundle() != b:
				v.showError(errModelChanged)
			case err == nil && tokensKey(d.host.docTokens()) != key:
				// Another picture was opened or made meanwhile: the
				// prompts found are not this one's, and Use would say
				// they are.
				r.key, r.seconds = key, time.Since(start).Seconds()
				d.last = r // the picture described, should it come back
				v.showError(errImageChanged)
			case err != nil:
				v.showError(err)
			default:
				r.key, r.seconds = key, time.Since(start).Seconds()
				d.last = r
				v.showResult(d, r)
				d.host.setStatus(describedStatus(r))
			}
			d.host.updateButtons()
		})
	})
	return nil
}

// errImageChanged is Describe's error when the image on the canvas is no
// longer the one it described.
var errImageChanged = errors.New("the image on the canvas changed while Describe ran (another picture was opened or made): describe it again")

// describeImage ranks the usable candidates on tokens
// (sampler.RankCandidates: names × styles in two stages) and keeps the
// describeTop likeliest, with the image's bits per token without a prompt.
func describeImage(ctx context.Context, b *bundle.Bundle, cands sampler.Candidates, tokens []int, workers int, progress func(done, total int)) (*describeResult, error) {
	res, err := sampler.RankCandidates(ctx, b, cands, tokens, sampler.RankOptions{Workers: workers, Top: describeTop, Progress: progress})
	if err != nil {
		return nil, fmt.Errorf("describe: %w", err)
	}
	ranked := res.Scores
	uncond, err := sampler.ScoreTokens(ctx, b, "", tokens, workers)
	if err != nil {
		return nil, fmt.Errorf("describe: %w", err)
	}
	r := &describeResult{b: b, uncond: uncond.BitsPerToken(), tokens: len(tokens), candidates: res.Usable, skipped: len(res.Skipped), source: cands.Source,
		names: res.Names}
	for _, p := range ranked[:min(describeTop, len(ranked))] {
		if !p.Bound {
			r.top = append(r.top, p)
		}
	}
	if len(r.top) > 0 && sampler.NeedsDrawnBits(r.top[0].BitsPerToken(), r.uncond, b.Codes(), r.tokens) {
		// Hardly likelier under any prompt than under none: the model's
		// own pictures of the likeliest say whether it is unlike them (a
		// clean typed 7 under the MNIST model was called unlike).
		if r.drawn, err = sampler.DrawnBits(ctx, b, r.top[0].Prompt, 1, workers); err != nil {
			return nil, fmt.Errorf("describe: %w", err)
		}
		r.drawnSet = true
	}
	return r, nil
}

// newView builds the dialog, shows it and makes it the one shown
// (closing another).
func (d *describer) newView() *describeView {
	if d.shown != nil {
		d.shown.dlg.Hide()
	}
	v := &describeView{status: widget.NewLabel("Reading the model's candidate prompts…"), bar: widget.NewProgressBar(), list: container.NewVBox(), started: time.Now()}
	v.status.Wrapping = fyne.TextWrapWord
	v.stop = widget.NewButtonWithIcon("Stop", theme.MediaStopIcon(), func() {
		v.stopped = true
		if v.cancel != nil {
			v.cancel()
		}
		v.stop.Disable()
		v.status.SetText("Stopping…")
	})
	v.close = widget.NewButton("Close", func() { v.dlg.Hide() })
	v.close.Hide()
	v.scroll = container.NewVScroll(v.list)
	v.scroll.SetMinSize(fyne.NewSize(560, 300))
	content := container.NewBorder(container.NewVBox(v.status, v.bar), nil, nil, nil, v.scroll)
	v.dlg = dialog.NewCustomWithoutButtons("Describe the image", content, d.win)
	v.dlg.SetButtons([]fyne.CanvasObject{v.stop, v.close})
	v.dlg.SetOnClosed(func() {
		if d.running == v && !v.stopped {
			v.stopped = true
			v.cancel()
		}
		if d.shown == v {
			d.shown = nil
		}
	})
	d.shown = v
	v.dlg.Show()
	return v
}

// progress shows how many candidate prompts are decided.
func (v *describeView) progress(done, total int) {
	if v.stopped || total == 0 {
		return
	}
	v.bar.SetValue(float64(done) / float64(total))
	// A share, not "done of total": a two-stage ranking scores only some
	// of the candidates, and "2022 scored" then read against the result's
	// "13370 candidate prompts".
	msg := fmt.Sprintf("Ranking the prompts the model knows by how likely they make the image: %d%%…", 100*done/total)
	if elapsed := time.Since(v.started); done > 0 && done < total && 10*done >= total && elapsed >= 2*time.Second {
		left := time.Duration(float64(elapsed) * float64(total-done) / float64(done))
		msg += fmt.Sprintf(" about %s left", plural.Minutes(left.Minutes()))
	}
	v.status.SetText(msg)
}

// finished swaps Stop for Close.
func (v *describeView) finished() {
	v.stop.Hide()
	v.close.Show()
	v.bar.Hide()
}

// fit grows the dialog to its content once the status line has its final
// text: a line that wraps to more lines than the dialog was sized for
// pushed the list under the buttons.
func (v *describeView) fit() {
	v.dlg.Resize(v.dlg.MinSize())
}

// showStopped says the description was stopped.
func (v *describeView) showStopped() {
	v.finished()
	v.status.SetText("Stopped before the ranking finished: a ranking is known only once every candidate is scored.")
	v.fit()
}

// showError says why the description failed.
func (v *describeView) showError(err error) {
	v.finished()
	v.status.SetText("Describe failed: " + err.Error())
	v.status.Importance = widget.DangerImportance
	v.status.Refresh()
	v.fit()
}

// describedStatus is the status after describing: the prompt that fits
// best, or, when no prompt makes the image likelier than none does (a
// picture unlike anything the model knows), that none fits.
func describedStatus(r *describeResult) string {
	if len(r.top) == 0 {
		return "Described the image: no prompt to rank"
	}
	best := r.top[0].BitsPerToken()
	if r.b != nil && best > math.Log2(float64(r.b.Codes())) {
		return fmt.Sprintf("Described the image: it is unlike what the model draws (%q, the likeliest prompt, costs %.1f bits per patch, more than a uniform guess among its %d codes, %.1f): the ranking means little",
			r.top[0].Prompt, best, r.b.Codes(), math.Log2(float64(r.b.Codes())))
	}
	if unlikeModel(r) {
		return fmt.Sprintf("Described the image: no prompt fits it (the likeliest, %q, %.3f bits per patch, explains it hardly better than no prompt, %.3f, and the model's own pictures of it cost less): it is unlike what the model draws",
			r.top[0].Prompt, best, r.uncond)
	}
	if r.drawnSet {
		return fmt.Sprintf("Described the image: %q fits it best (%.3f bits per patch, hardly better than %.3f without a prompt, but no dearer than the model's own pictures of it, up to %.3f): like what the model draws",
			r.top[0].Prompt, best, r.uncond, r.drawn)
	}
	return fmt.Sprintf("Described the image: %q fits it best (%.3f bits per patch; %.3f without a prompt)", r.top[0].Prompt, best, r.uncond)
}

// unlikeModel reports whether the image is unlike what r's model draws:
// even its likeliest prompt costs more than a uniform guess among the
// codes, or explains it no better than no prompt (describedStatus).
func unlikeModel(r *describeResult) bool {
	if len(r.top) == 0 {
		return false
	}
	codes := math.MaxInt // no model: only the comparison with no prompt
	if r.b != nil {
		codes = r.b.Codes()
	}
	drawn := math.NaN() // not measured
	if r.drawnSet {
		drawn = r.drawn
	}
	return sampler.UnexplainedBeside(r.top[0].BitsPerToken(), r.uncond, drawn, codes, r.tokens)
}

// showResult lists r's prompts, each with a Use button; an image unlike
// what the model draws is said so above them, not only in the status line.
func (v *describeView) showResult(d *describer, r *describeResult) {
	v.finished()
	warn := ""
	if unlikeModel(r) {
		warn = "This image is unlike what the model draws: no prompt explains it, so the ranking below means little. "
	}
	note := ""
	if r.skipped > 0 {
		note = fmt.Sprintf(" (%d left out for words the model does not know)", r.skipped)
	}
	if r.names > 0 {
		note += fmt.Sprintf("; the names ranked alone first, then the styles of the likeliest %d, each name listed once in its likeliest style", sampler.NameShortlist)
	}
	v.status.SetText(warn + fmt.Sprintf("The %d likeliest of %d candidate prompts (%s)%s, in %.1f s. "+
		"Bits per patch: lower is likelier; without a prompt the image takes %.3f bits per patch, and a prompt's gain is the bits it saves.", len(r.top), r.candidates, r.source, note, r.seconds, r.uncond))
	v.rows = nil
	var objs []fyne.CanvasObject
	// The prompts' column is as wide as the longest (up to
	// describePromptWidth; a longer one wraps): the dialog takes its
	// minimum size, where a cut label is a few letters.
	width := float32(0)
	for i, p := range r.top {
		text := fmt.Sprintf("%d.  %s", i+1, p.Prompt)
		width = max(width, fyne.MeasureText(text, theme.TextSize(), fyne.TextStyle{}).Width+2*theme.InnerPadding())
	}
	width = min(width, describePromptWidth)
	for i, p := range r.top {
		row := &describeRow{prompt: p.Prompt, bits: p.BitsPerToken()}
		row.text = widgets.NewTipLabel("")
		// Wrapped, never cut: the names are what Describe is for, and a
		// window narrower than the dialog (at a display scale of 150%)
		// cut them to "man technologist fluent fl…" beside whole figures.
		row.text.Truncation = fyne.TextTruncateOff
		row.text.Wrapping = fyne.TextWrapWord
		row.text.SetText(fmt.Sprintf("%d.  %s", i+1, p.Prompt))
		// The figures tessera describe prints, its bits/token (a patch is
		// a token) and gain over no prompt (above zero: the prompt makes
		// the image likelier), in bits per patch as the status line says.
		row.figures = widget.NewLabel(fmt.Sprintf("%.3f bits/patch  gain %+.3f over no prompt", row.bits, r.uncond-row.bits))
		row.use = widget.NewButton("Use", func() { d.use(r, row.prompt) })
		v.rows = append(v.rows, row)
		objs = append(objs, container.NewBorder(nil, nil, nil, container.NewHBox(row.figures, row.use), widgets.AtLeast(width, row.text)))
	}
	v.list.Objects = objs
	v.list.Refresh()
	v.fit()
}

// describePromptWidth is the widest the Describe dialog's prompts column
// grows, in pixels (a longer prompt wraps).
const describePromptWidth = 420

// use puts a described prompt in the prompt field and closes the dialog.
func (d *describer) use(r *describeResult, p string) {
	if err := d.host.usePrompt(r.b, p); err != nil {
		d.host.report(fmt.Errorf("use %q: %w; describe the image again", p, err))
		return
	}
	if v := d.shown; v != nil {
		v.dlg.Hide()
	}
	// Where the prompt is to be read or run, once the dialog has gone (it
	// left the focus on the model picker, where Space opened it).
	d.host.focusPrompt()
}

// usePrompt puts p, found by Describe with model b, in the prompt field
// (errModelChanged when another model is open now).
func (s *Studio) usePrompt(b *bundle.Bundle, p string) error {
	if s.bundle != b {
		return errModelChanged
	}
	was := s.panel.prompt.Text
	s.panel.prompt.SetText(p)
	s.paramsChanged()
	// The field's own undo cannot bring the old prompt back (SetText
	// clears its history): the status keeps it at hand.
	msg := fmt.Sprintf("Prompt set to %q from Describe", p)
	if strings.TrimSpace(was) != "" && was != p {
		msg += fmt.Sprintf(" (it was %q)", was)
	}
	s.setStatus(msg)
	return nil
}

// focusPrompt gives the prompt the keyboard focus, its cursor at the end
// of the prompt put there (it stayed where it was in the text before, mid
// prompt).
func (s *Studio) focusPrompt() { s.focusPromptEnd() }
