package ui

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/internal/plural"
	"github.com/tessera-studio/tessera/ui/core"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// maxGuidanceMinP is the highest guidance min-p the panel offers (1 would
// rule out every code but the likeliest's ties).
const maxGuidanceMinP = 0.99

// maxSuggestions is how many completions the prompt panel offers.
const maxSuggestions = 6

// promptPanel holds the generation settings: model, prompts, sampling
// parameters, seed and batch, and the Generate and Stop buttons.
type promptPanel struct {
	// carried holds the settings without a control of their own (image
	// guidance, style per seed): SetParams keeps them for Params.
	carried     sampling.Settings
	model       *widgets.TipSelect
	modelShown  string // the model key the picker last showed selected
	prompt      *widgets.PromptEntry
	style       *widgets.TipSelect // the prompt's trailing style word(s), or seedStyle or anyStyle
	onStyle     func()             // called after a style is picked
	styles      []string           // the model's style words ("fluent flat")
	suggestions *fyne.Container
	suggestBox  *container.Scroll
	readsSlot   *fyne.Container // suggestBox or words, in one place
	words       *widget.RichText
	negative    *widgets.TipEntry
	wheels      []*widgets.WheelRelay // over prompt and negative: the wheel scrolls the form
	negWords    *widget.RichText
	negNote     *widget.Label
	temperature *widgets.TipSlider
	tempLabel   *widget.Label
	topK        *widgets.TipEntry
	topP        *widgets.TipSlider
	topPLabel   *widget.Label
	guidance    *widgets.TipSlider
	guideLabel  *widget.Label
	// minP is guidance min-p (the model's recommendation when it opens):
	// at the emoji model's 0.5 it often leaves one code a patch, so that
	// temperature, top-k, top-p and the negative prompt change nothing,
	// and nothing in the studio could lower it.
	minP      *widgets.TipSlider
	minPLabel *widget.Label
	// minPSet is the guidance min-p SetParams gave, kept exactly while
	// the slider shows it (the slider's steps rounded a recorded 0.125,
	// and Reuse seed then drew another picture).
	minPSet, minPShown float64
	seed               *widgets.TipEntry
	seedLock           *widgets.TipCheck
	settingSeed        bool // SetSeed is writing the seed field: not typed, no lock
	dice               *widgets.TipButton
	reuseSeed          *widgets.TipButton
	batch              *widgets.TipSlider
	batchLabel         *widget.Label
	generate           *widgets.TipButton
	stop               *widgets.TipButton
	content            fyne.CanvasObject

	scroll *container.Scroll // the controls above Generate and Stop
	tok    *prompt.Tokenizer
	// read is the model's reading of a prompt (bundle.Bundle.ReadPrompt;
	// nil: the tokenizer's reading of style words alone).
	read        func(string) string
	completions []string
	// typedWhole is set while the word at the cursor is a whole word the
	// model knows: Tab does not complete it then.
	typedWhole bool
	// rankWords, when set, orders the completions of the word being typed
	// likeliest first, given the prompt's other words.
	rankWords func(others, words []string) []string
	modelKeys map[string]string // shown option -> model key

	// callbacks set by the studio
	onModel    func(key string)
	onOpenDir  func()
	onGenerate func()
	onStop     func()
	onReuse    func() // the reuse-seed button: the canvas image's seed
}

// openFolderOption is the model picker entry that opens a folder dialog.
const openFolderOption = "Open model folder…"

// The style picker's entries for a prompt without a style: anyStyle
// leaves the style to the model, seedStyle draws one for each image from
// its seed (sampling.Settings.StylePerSeed).
const (
	anyStyle  = "Any style"
	seedStyle = "A style per seed"
)

// newPromptPanel builds the panel's widgets.
func newPromptPanel() *promptPanel {
	p := &promptPanel{modelKeys: map[string]string{}}
	p.model = widgets.NewTipSelect(nil, "The model that draws: built-in models, model folders opened before, or open another folder. "+
		"Each model keeps its own image, undo history and settings.", p.modelChosen)
	p.model.PlaceHolder = "(no model)"
	p.buildPrompts()
	p.buildKnobs()
	p.generate = widgets.NewTipButton("Generate", theme.MediaPlayIcon(), "Draw a new image from the prompt (Ctrl+Return)", func() { p.onGenerate() })
	p.generate.Importance = widget.HighImportance
	p.stop = widgets.NewTipButton("Stop", theme.MediaStopIcon(), "Stop the run; the patches drawn so far are kept (Esc)", func() { p.onStop() })
	p.stop.Disable()

	// Generate and Stop stay in view however small the window is.
	form := container.NewVScroll(p.form())
	p.scroll = form
	form.OnScrolled = func(fyne.Position) { widgets.HideTips(form) } // the controls moved from under the pointer
	for _, w := range p.wheels {
		w.SetTarget(form)
	}
	p.content = container.NewBorder(nil, container.NewGridWithColumns(2, p.generate, p.stop), nil, nil, form)
	p.SetParams(core.DefaultParams())
	p.promptChanged()
	return p
}

// buildPrompts builds the prompt and negative prompt fields with their
// word marks, completions and style picker.
func (p *promptPanel) buildPrompts() {
	p.prompt = widgets.NewPromptEntry()
	p.prompt.Tip = "What to draw, in words the model knows (unknown words are marked and left out). Tab completes a word, Ctrl+Return generates."
	p.prompt.SetPlaceHolder("Prompt — Ctrl+Return generates")
	p.prompt.OnChanged = func(string) {
		p.promptChanged()
		p.updateWheels()
	}
	p.prompt.OnCursorChanged = p.promptChanged
	p.prompt.OnFocusChanged = p.promptChanged // no completions left under a prompt clicked away from
	p.prompt.OnGenerate = func() { p.onGenerate() }
	// A word typed whole ("flat") is left as it is: Tab moves on rather
	// than turn it into a longer one ("flatbread"); the longer ones are
	// still offered to click.
	p.prompt.HasCompletion = func() bool { return len(p.completions) > 0 && !p.typedWhole }
	p.prompt.OnComplete = func() bool {
		if len(p.completions) == 0 || p.typedWhole {
			return false
		}
		p.prompt.CompleteWord(p.completions[0])
		return true
	}
	p.style = widgets.NewTipSelect(nil, "Style: adds the style's words at the end of the prompt (A style per seed: each seed draws one, so seeds give different pictures; Any style: the model picks, mostly the same for every seed)", p.styleChosen)
	p.style.PlaceHolder = anyStyle
	p.style.Hide()
	p.suggestions = container.NewHBox()
	p.suggestBox = container.NewHScroll(p.suggestions)
	p.suggestBox.Hide()
	p.words = widget.NewRichText()
	p.words.Wrapping = fyne.TextWrapWord
	// The completions and the words the model reads share one slot at
	// least a button and two lines of what the model reads high, so the
	// settings below do not jump while a word is typed (an unknown word's
	// note wraps to a second line): completions while the word being
	// typed has some, else what the model reads.
	caption := widget.RichTextStyle{ColorName: theme.ColorNamePlaceHolder, SizeName: theme.SizeNameCaptionText}
	twoLines := widget.NewRichText(&widget.TextSegment{Text: "Wg", Style: caption}, &widget.TextSegment{Text: "Wg", Style: caption})
	height := canvas.NewRectangle(color.Transparent)
	height.SetMinSize(fyne.NewSize(0, max(widget.NewButton("Wg", nil).MinSize().Height, twoLines.MinSize().Height)))
	p.readsSlot = container.NewStack(height, p.suggestBox, p.words)

	p.negative = widgets.NewTipEntry(true, "Words the image should not look like. It acts through guidance: only with Guidance above 1.")
	p.negative.SetMinRowsVisible(1)
	p.negative.SetPlaceHolder("Negative prompt")
	p.negative.OnChanged = func(string) {
		p.negativeChanged()
		p.updateWheels()
	}
	p.negWords = widget.NewRichText()
	p.negWords.Wrapping = fyne.TextWrapWord
	p.negNote = widget.NewLabel("")
	p.negNote.Wrapping = fyne.TextWrapWord
	p.negNote.Importance = widget.WarningImportance
	p.negNote.Hide()
}

// sliderStep is the step of knob k's slider in the panel; 0 for a knob
// typed as a whole number (top-k) or without a slider.
func sliderStep(k sampling.Knob) float64 {
	switch k {
	case sampling.KnobTemperature:
		return 0.05
	case sampling.KnobTopP, sampling.KnobGuidanceMinP:
		return 0.01
	case sampling.KnobGuidance:
		return 0.5
	}
	return 0
}

// movedFromDefault reports whether knob k's value v is moved from the
// default def by more than half its slider's step (sliderStep): the panel
// snaps a recommendation off its grid to the nearest step (a temperature
// of 0.82 shows 0.80), so a value within half a step is the default. A
// knob without a slider is moved by any change.
func movedFromDefault(k sampling.Knob, v, def float64) bool {
	const rounding = 1e-9 // a snapped value's floating-point error
	return math.Abs(v-def) > sliderStep(k)/2+rounding
}

// buildKnobs builds the sampling controls: temperature, top-k, top-p,
// guidance, seed and batch.
func (p *promptPanel) buildKnobs() {
	p.tempLabel = widget.NewLabel("")
	p.temperature = widgets.NewTipSlider(core.MinTemperature, core.MaxTemperature, "Temperature: below 1 draws the likeliest patches (plainer), above 1 more varied ones")
	p.temperature.Step = sliderStep(sampling.KnobTemperature)
	p.temperature.OnChanged = func(v float64) { p.tempLabel.SetText(fmt.Sprintf("%.2f", v)) }

	p.topK = widgets.NewTipEntry(false, "Top-k: draw each patch from the k likeliest codes only (0: all codes)")
	p.topK.SetPlaceHolder("0 = all")
	p.topK.Validator = func(s string) error {
		_, err := parseTopK(s)
		return err
	}

	p.topPLabel = widget.NewLabel("")
	p.topP = widgets.NewTipSlider(0.05, 1, "Top-p: draw from the likeliest codes that together reach this probability (1: all)")
	p.topP.Step = sliderStep(sampling.KnobTopP)
	p.topP.OnChanged = func(v float64) { p.topPLabel.SetText(fmt.Sprintf("%.2f", v)) }

	p.guideLabel = widget.NewLabel("")
	p.guidance = widgets.NewTipSlider(1, core.MaxGuidance, "Guidance: how strongly the prompt (against the negative prompt) steers each patch; 1 is off")
	p.guidance.Step = sliderStep(sampling.KnobGuidance)
	p.guidance.OnChanged = func(v float64) {
		p.guideLabel.SetText(fmt.Sprintf("%.1f", v))
		p.negativeChanged()
	}

	p.minPLabel = widget.NewLabel("")
	p.minP = widgets.NewTipSlider(0, maxGuidanceMinP, "Guidance min-p: with guidance above 1, each patch is drawn only from the codes at least this many times as likely as the likeliest under the prompt. The model's recommendation keeps to what it is sure of; where it leaves one code a patch, temperature, top-k, top-p and the negative prompt change nothing. 0 is off: they act on every patch (more varied pictures, less faithful ones)")
	p.minP.Step = sliderStep(sampling.KnobGuidanceMinP)
	p.minP.OnChanged = func(v float64) { p.minPLabel.SetText(fmt.Sprintf("%.2f", v)) }

	p.seed = widgets.NewTipEntry(false, "Seed of the next run (image i of a batch uses seed + i). Unlocked, a new one is drawn after each run; locked, it never changes. A seed you type locks it.")
	p.seed.Validator = func(s string) error {
		_, err := parseSeed(s)
		return err
	}
	p.seed.OnChanged = func(s string) {
		// A seed typed is one wanted: keep it (a seed drawn after a run,
		// or shown from an image, does not lock).
		if _, err := parseSeed(s); err == nil && !p.settingSeed && !p.seedLock.Checked {
			p.seedLock.SetChecked(true)
		}
	}
	p.seedLock = widgets.NewTipCheck("Lock", "Keep this seed for every run (nothing changes a locked seed)", nil)
	p.dice = widgets.NewTipButton("", theme.ViewRefreshIcon(), "Draw a new random seed", func() { p.SetSeed(core.NewSeed()) })
	p.reuseSeed = widgets.NewTipButton("", theme.HistoryIcon(), "Use the seed of the image on the canvas, locked, with its prompt and settings (the seed field shows the next run's seed): Generate then draws an image Generate drew again, and changing one setting explores around it", func() {
		if p.onReuse != nil {
			p.onReuse()
		}
	})

	p.batchLabel = widget.NewLabel("")
	p.batch = widgets.NewTipSlider(1, core.MaxBatch, "Images per run: a batch is offered as candidates under the canvas, best first")
	p.batch.Step = 1
	p.batch.OnChanged = func(v float64) { p.batchLabel.SetText(strconv.Itoa(int(v))) }
}

// updateWheels lets the wheel over the prompt and the negative prompt scroll
// the form, or their text where it is longer than they show.
func (p *promptPanel) updateWheels() {
	for _, w := range p.wheels {
		w.Update()
	}
}

// form lays the panel out, each setting on one line: name, control, value.
func (p *promptPanel) form() fyne.CanvasObject {
	row := func(label string, obj, value fyne.CanvasObject) fyne.CanvasObject {
		return container.NewBorder(nil, nil, widget.NewLabel(label), value, obj)
	}
	promptBox, promptWheel := widgets.WithWheelRelay(p.prompt, &p.prompt.Entry)
	negativeBox, negativeWheel := widgets.WithWheelRelay(p.negative, &p.negative.Entry)
	// Top-k's entry took the wheel too, and the form stopped with the
	// row below it (Guidance min-p) half hidden.
	topKBox, topKWheel := widgets.WithWheelRelay(p.topK, &p.topK.Entry)
	p.wheels = []*widgets.WheelRelay{promptWheel, negativeWheel, topKWheel}
	return container.NewVBox(
		// The model's name on its picker's line, and no heading over the
		// prompt (its placeholder names it), so that Batch is in view in the
		// default 1200×720 window with its menu bar (a newcomer never found
		// it; TestBatchInViewAtDefaultSize).
		row("Model", p.model, nil),
		promptBox,
		p.readsSlot,
		p.style,
		negativeBox,
		p.negWords,
		p.negNote,
		// The knobs most runs touch first, so that they are in view in the
		// default window; top-k and top-p, seldom changed, last.
		row("Temperature", p.temperature, p.tempLabel),
		row("Guidance", p.guidance, p.guideLabel),
		row("Seed", widgets.AtLeast(seedFieldWidth(), p.seed), container.NewHBox(p.seedLock, p.dice, p.reuseSeed)),
		row("Batch", p.batch, p.batchLabel),
		row("Top-k", topKBox, nil),
		row("Top-p", p.topP, p.topPLabel),
		row("Guidance min-p", p.minP, p.minPLabel),
	)
}

// seedFieldWidth fits the widest seed NewSeed draws, with the field's
// padding, so a seed is never cut or scrolled.
func seedFieldWidth() float32 {
	// the digits, the entry's padding, and its validation mark (✓)
	return fyne.MeasureText(strconv.FormatUint(core.MaxNewSeed-1, 10), theme.TextSize(), fyne.TextStyle{}).Width + 4*theme.InnerPadding() + theme.IconInlineSize() + theme.Padding()
}

// parseTopK reads the top-k field ("" is 0).
func parseTopK(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	k, err := strconv.Atoi(s)
	if err != nil || k < 0 {
		return 0, fmt.Errorf("top-k %q must be a whole number, 0 or more", s)
	}
	return k, nil
}

// parseSeed reads the seed field.
func parseSeed(s string) (uint64, error) {
	v, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	if err != nil {
		// The range as the command line says it: a number of 20 digits
		// is a whole number, 0 or more, and was refused as not one.
		return 0, fmt.Errorf("seed %q must be a whole number from 0 to 2⁶⁴−1 (%d)", strings.TrimSpace(s), uint64(math.MaxUint64))
	}
	return v, nil
}

// Params reads the panel.
func (p *promptPanel) Params() (core.Params, error) {
	k, err := parseTopK(p.topK.Text)
	if err != nil {
		return core.Params{}, err
	}
	seed, err := parseSeed(p.seed.Text)
	if err != nil {
		return core.Params{}, err
	}
	st := p.carried // the settings without a control of their own
	// Spaces around and between the words say nothing to the model; kept,
	// they went into the picture's record ("red circle " after a Tab
	// completion) and its name.
	st.Prompt, st.Negative, st.Seed = oneSpaced(p.prompt.Text), oneSpaced(p.negative.Text), seed
	st.Temperature, st.TopK, st.TopP = roundTo(p.temperature.Value, 100), k, roundTo(p.topP.Value, 100)
	st.Guidance = roundTo(p.guidance.Value, 10)
	st.GuidanceMinP = roundTo(p.minP.Value, 100)
	if p.minP.Value == p.minPShown {
		st.GuidanceMinP = p.minPSet // not moved since it was set
	}
	out := core.Params{Settings: st, SeedLocked: p.seedLock.Checked, Batch: int(p.batch.Value)}
	return out, out.Validate()
}

// oneSpaced is text's words joined by single spaces.
func oneSpaced(text string) string { return strings.Join(strings.Fields(text), " ") }

// roundTo rounds v to 1/per (slider steps leave float noise).
func roundTo(v, per float64) float64 {
	return float64(int64(v*per+0.5)) / per
}

// SetParams shows params in the panel.
func (p *promptPanel) SetParams(v core.Params) {
	v = v.Clamped()
	p.prompt.SetText(v.Prompt)
	p.negative.SetText(v.Negative)
	p.temperature.SetValue(v.Temperature)
	p.tempLabel.SetText(fmt.Sprintf("%.2f", p.temperature.Value))
	p.topK.SetText(strconv.Itoa(v.TopK))
	p.topP.SetValue(v.TopP)
	p.topPLabel.SetText(fmt.Sprintf("%.2f", p.topP.Value))
	p.guidance.SetValue(v.Guidance)
	p.carried = v.Settings
	p.guideLabel.SetText(fmt.Sprintf("%.1f", p.guidance.Value))
	p.minPSet = v.GuidanceMinP
	p.minP.SetValue(v.GuidanceMinP)
	p.minPShown = p.minP.Value
	p.minPLabel.SetText(fmt.Sprintf("%.2f", p.minP.Value))
	p.SetSeed(v.Seed)
	p.seedLock.SetChecked(v.SeedLocked)
	p.batch.SetValue(float64(v.Batch))
	p.batchLabel.SetText(strconv.Itoa(v.Batch))
	if len(p.styles) > 0 {
		p.style.Quiet(func() { p.style.SetSelected(p.promptStyle()) })
	}
}

// SetSeed shows seed in the seed field (without locking it).
func (p *promptPanel) SetSeed(seed uint64) {
	p.settingSeed = true
	p.seed.SetText(strconv.FormatUint(seed, 10))
	p.settingSeed = false
}

// SetRunning switches Generate and Stop while a job runs. The model picker
// is disabled with them (a model cannot change under a run); the studio's
// updateButtons enables it again once the runner is idle, which can be
// after SetRunning(false) (a model load opens an image after it).
func (p *promptPanel) SetRunning(on bool) {
	p.stop.SetWhyNot("")
	if on {
		p.generate.Disable()
		p.model.Disable()
		p.stop.Enable()
		// The prompt was run: what the model reads, not completions of
		// its last word, which stayed after the run (typing offers them
		// again).
		p.completions = nil
		p.suggestBox.Hide()
		p.words.Show()
	} else {
		p.generate.Enable()
		p.stop.Disable()
	}
}

// SetUnstoppable greys Stop out while a job that Stop cannot end runs (a
// model load), its tooltip saying why; SetRunning(false) ends it.
func (p *promptPanel) SetUnstoppable(why string) {
	p.stop.Disable()
	p.stop.SetWhyNot(why)
}

// SetModels fills the model picker: keys are what Models.Open takes, shown
// by label; current is selected. The last option opens a folder.
func (p *promptPanel) SetModels(keys []string, label func(string) string, current string) {
	p.model.Quiet(func() { p.fillModels(keys, label, current) })
	if current != p.modelShown && p.scroll != nil {
		// another model (Use this model on the Train tab, an opening):
		// its name in view, where the panel had been scrolled past it
		p.scroll.ScrollToTop()
	}
	p.modelShown = current
}

// fillModels is SetModels without the picker's callback.
func (p *promptPanel) fillModels(keys []string, label func(string) string, current string) {
	p.modelKeys = map[string]string{}
	var opts []string
	sel := ""
	for _, k := range keys {
		l := label(k)
		if _, dup := p.modelKeys[l]; dup {
			l = k
		}
		p.modelKeys[l] = k
		opts = append(opts, l)
		if k == current {
			sel = l
		}
	}
	p.model.Options = append(opts, openFolderOption)
	if sel != "" {
		p.model.SetSelected(sel)
	} else {
		p.model.ClearSelected()
	}
	p.model.Refresh()
}

// modelChosen handles the picker.
func (p *promptPanel) modelChosen(opt string) {
	if opt == openFolderOption {
		if p.onOpenDir != nil {
			p.onOpenDir()
		}
		return
	}
	if k, ok := p.modelKeys[opt]; ok && p.onModel != nil {
		p.onModel(k)
	}
}

// SetStyles sets the model's style words ("google", "fluent flat"); the
// picker is hidden for a model without styles.
func (p *promptPanel) SetStyles(styles []string) {
	p.styles = slices.Clone(styles)
	p.style.Quiet(func() {
		p.style.Options = append([]string{seedStyle, anyStyle}, styles...)
		p.style.SetSelected(p.promptStyle())
	})
	if len(styles) == 0 {
		p.style.Hide()
	} else {
		p.style.Show()
	}
}

// promptStyle is the style the prompt names (at its end, or anywhere:
// no style is then drawn per seed), or seedStyle or anyStyle.
func (p *promptPanel) promptStyle() string {
	if st := prompt.StyleIn(p.readStyle(p.prompt.Text), p.styles); st != "" {
		return st
	}
	if p.carried.StylePerSeed != 0 {
		return seedStyle
	}
	return anyStyle
}

// readStyle is text with a style named in words read as the model's style
// word (prompt.Tokenizer.ReadStyle), as the model reads it; the rest as
// typed (styleChosen writes it back to the prompt box).
func (p *promptPanel) readStyle(text string) string {
	if p.tok == nil {
		return text
	}
	return p.tok.ReadStyle(text, p.styles, data.StyleAliases())
}

// modelReads is text as the model reads it, for the reading lines under
// the prompts: the model's own reading (bundle.Bundle.ReadPrompt: emoji
// characters as their names too) when the studio gave it, else readStyle.
func (p *promptPanel) modelReads(text string) string {
	if p.tok != nil && p.read != nil {
		return sampler.ReadComposed(text, p.read) // each sub-prompt of "a AND b" as the sampler reads it
	}
	return p.readStyle(text)
}

// styleChosen rewrites the prompt's trailing style to the one picked (in
// an empty prompt, see styleAlone; none for seedStyle and anyStyle, which
// set whether each seed draws one).
func (p *promptPanel) styleChosen(st string) {
	base, _ := prompt.SplitStyle(p.readStyle(p.prompt.Text), p.styles) // "rocket in the openmoji style": its style is replaced too
	switch st {
	case seedStyle:
		p.carried.StylePerSeed = 1
	case anyStyle, "":
		p.carried.StylePerSeed = 0
	default:
		if strings.TrimSpace(base) == "" {
			p.styleAlone(st)
			base = p.prompt.Text
		} else {
			base = sampler.StyledPrompt(base, st)
		}
	}
	if base != p.prompt.Text {
		p.prompt.SetText(base)
	}
	if p.onStyle != nil {
		p.onStyle()
	}
}

// styleAlone writes style st in an empty prompt box as " st " with the
// cursor before it, focused: what is typed next is the picture's words,
// before the style, where the model's captions put it ("smiling face
// twitter"); a click after it types after its space. The style alone ran
// into the next word typed ("twittersmiling face", an unknown word).
func (p *promptPanel) styleAlone(st string) {
	p.prompt.SetText(" " + st + " ")
	p.prompt.CursorRow, p.prompt.CursorColumn = 0, 0
	p.prompt.Refresh()
	widgets.FocusIn(p.prompt)
}

// SetTokenizer sets the model's prompt vocabulary (nil: an unconditional
// model, whose prompts are disabled).
func (p *promptPanel) SetTokenizer(t *prompt.Tokenizer) {
	p.tok = t
	p.negativeChanged()
	for _, w := range []fyne.Disableable{p.negative, p.guidance} {
		if t == nil {
			w.Disable()
		} else {
			w.Enable()
		}
	}
	if t == nil {
		p.prompt.SetPlaceHolder("This model takes no prompt — Ctrl+Return generates")
	} else {
		p.prompt.SetPlaceHolder("Prompt — Ctrl+Return generates, Tab completes")
	}
	p.promptChanged()
}

// composeSyntaxTyped reports whether the word before off in text is a
// composed prompt's syntax being typed, which no word completes: a weight
// (after ":") or AND in capitals ("AN": Tab made it "and", an ordinary
// word, and broke the composition).
func composeSyntaxTyped(text string, off int) bool {
	start, w := widgets.WordBefore(text, off)
	return start > 0 && text[start-1] == ':' || len(w) >= 2 && strings.HasPrefix("AND", w)
}

// maxCompletionPool is how many words starting as typed are ranked for the
// completions offered.
const maxCompletionPool = 64

// promptChanged refreshes the completions and the word marks.
func (p *promptPanel) promptChanged() {
	p.completions, p.typedWhole = nil, false
	typedAt := -1
	if p.tok != nil {
		if w := p.prompt.CurrentWord(); w != "" && p.prompt.AtWordEnd() && p.prompt.Typed() && p.prompt.Focused() && !composeSyntaxTyped(p.prompt.Text, p.prompt.CursorOffset()) {
			typing := strings.ToLower(w)
			typedAt = len(prompt.Split(p.prompt.Text[:p.prompt.CursorOffset()])) - 1
			var pool []string
			for _, c := range p.tok.Complete(w, maxCompletionPool) {
				if c != typing {
					pool = append(pool, c)
				} else {
					p.typedWhole = true
				}
			}
			if p.rankWords != nil && len(pool) > 1 {
				pool = p.rankWords(p.otherWords(), pool)
			}
			p.completions = pool[:min(len(pool), maxSuggestions)]
		}
	}
	objs := make([]fyne.CanvasObject, 0, len(p.completions)+1)
	if p.typedWhole && len(p.completions) > 0 {
		// Why Tab does not take the first word offered: the word typed
		// is one the model knows ("rock", with "rocket" offered).
		// Short: the row scrolls sideways, and the longer words
		// offered were cut off behind "“face” is a word (Tab moves on);
		// or click:" on a panel of the default width.
		objs = append(objs, widget.NewLabel("Known word (Tab moves on), or:"))
	}
	for _, c := range p.completions {
		word := c
		objs = append(objs, widgets.NewChip(word, func() { // clicked: Tab takes the first (widgets.Chip)
			p.prompt.CompleteWord(word)
			widgets.FocusIn(p.prompt)
		}))
	}
	p.suggestions.Objects = objs
	p.suggestions.Refresh()
	if len(objs) == 0 {
		p.suggestBox.Hide()
		p.words.Show()
	} else {
		p.suggestBox.Show()
		p.words.Hide()
	}
	read := p.modelReads(p.prompt.Text)
	if read != p.prompt.Text {
		typedAt = -1 // "rocket in the openmoji style" is read "rocket openmoji"
	}
	p.words.Segments = markWords(p.tok, read, typedAt, "Model reads: ")
	p.words.Refresh()
	if p.style != nil && len(p.styles) > 0 && p.style.Selected != p.promptStyle() {
		p.style.Quiet(func() { p.style.SetSelected(p.promptStyle()) })
	}
}

// otherWords are the prompt's words except the one being typed.
func (p *promptPanel) otherWords() []string {
	off := p.prompt.CursorOffset()
	start, _ := widgets.WordBefore(p.prompt.Text, off)
	return prompt.Split(p.prompt.Text[:start] + " " + p.prompt.Text[off:])
}

// negativeChanged marks the negative prompt's words as the prompt's are
// marked, and says plainly when it cannot act: guidance at 1 uses the
// prompt alone.
func (p *promptPanel) negativeChanged() {
	if p.negWords == nil || p.negNote == nil {
		return
	}
	p.negWords.Segments = markWords(p.tok, p.modelReads(p.negative.Text), -1, "Negative reads: ") // as the sampler reads it (bundle.PromptIDs)
	if len(p.negWords.Segments) == 0 {
		p.negWords.Hide() // an empty line takes room the knobs below need
	} else {
		p.negWords.Show()
	}
	p.negWords.Refresh()
	if p.tok != nil && strings.TrimSpace(p.negative.Text) != "" && p.guidance.Value <= 1 {
		p.negNote.SetText("The negative prompt has no effect at guidance 1: raise Guidance above 1 to use it.")
		p.negNote.Show()
	} else {
		p.negNote.SetText("")
		p.negNote.Hide()
	}
}

// NegativeNote is what the panel says about the negative prompt ("" when
// nothing).
func (p *promptPanel) NegativeNote() string {
	if !p.negNote.Visible() {
		return ""
	}
	return p.negNote.Text
}

// markWords shows how the model reads text, after lead: known words plain,
// unknown ones in the error colour (they are left out), cut ones greyed
// (past the prompt length). typedAt is the index (in prompt.Split(text))
// of the word being typed (−1: none): while it is the start of a known
// word it is shown as being typed, not as unknown.
func markWords(t *prompt.Tokenizer, text string, typedAt int, lead string) []widget.RichTextSegment {
	if t == nil || strings.TrimSpace(text) == "" {
		return nil
	}
	// A composed prompt's sub-prompts are read each on its own; AND and
	// the weights are no words (syntax: shown as written).
	var enc prompt.Encoded
	var words []string
	syntax := map[int]bool{}
	for i, sub := range sampler.SubPromptTexts(text) {
		e := t.Encode(sub)
		enc.Unknown, enc.Cut = append(enc.Unknown, e.Unknown...), append(enc.Cut, e.Cut...)
		words = append(words, prompt.Split(sub)...)
		for _, sx := range strings.Fields(sampler.ComposeSyntax(text, i)) { // as many as prompt.Split makes of them
			syntax[len(words)] = true
			words = append(words, sx)
		}
	}
	if typedAt >= len(words) || typedAt >= 0 && (knownWord(t, words[typedAt]) || len(t.Complete(words[typedAt], 1)) == 0) {
		typedAt = -1 // a whole known word, or the start of none: not "being typed"
	}
	unknownList := enc.Unknown
	if typedAt >= 0 {
		if i := slices.Index(unknownList, words[typedAt]); i >= 0 {
			unknownList = slices.Delete(slices.Clone(unknownList), i, i+1)
		}
	}
	unknown := map[string]int{}
	for _, w := range unknownList {
		unknown[w]++
	}
	cut := map[string]int{}
	for _, w := range enc.Cut {
		cut[w]++
	}
	segs := []widget.RichTextSegment{&widget.TextSegment{Text: lead, Style: widget.RichTextStyle{Inline: true, ColorName: theme.ColorNamePlaceHolder, SizeName: theme.SizeNameCaptionText}}}
	// Cut words are the last known ones, so mark them from the end.
	cutLeft := len(enc.Cut)
	isCut := make([]bool, len(words))
	for i := len(words) - 1; i >= 0 && cutLeft > 0; i-- {
		if !knownWord(t, words[i]) {
			continue
		}
		if cut[words[i]] > 0 {
			isCut[i] = true
			cut[words[i]]--
			cutLeft--
		}
	}
	// A long paste's cut words: the first few are shown greyed in place,
	// the rest counted, so that the hint stays a few lines.
	const cutShown = 5
	cutSeen, cutHidden := 0, 0
	for i, w := range words {
		style := widget.RichTextStyle{Inline: true, SizeName: theme.SizeNameCaptionText}
		label := w
		if isCut[i] {
			if cutSeen++; cutSeen > cutShown {
				cutHidden++
				continue
			}
		}
		switch {
		case syntax[i]:
			style.ColorName = theme.ColorNamePlaceHolder
		case i == typedAt:
			style.ColorName = theme.ColorNamePlaceHolder
			label = w + "…"
		case unknown[w] > 0:
			style.ColorName = theme.ColorNameError
			style.TextStyle.Italic = true
			label = w + "?"
		case isCut[i]:
			style.ColorName = theme.ColorNameDisabled
			label = "(" + w + ")"
		}
		segs = append(segs, &widget.TextSegment{Text: label + " ", Style: style})
	}
	if cutHidden > 0 {
		segs = append(segs, &widget.TextSegment{Text: fmt.Sprintf("(+%d more) ", cutHidden), Style: widget.RichTextStyle{Inline: true, ColorName: theme.ColorNameDisabled, SizeName: theme.SizeNameCaptionText}})
	}
	if n := len(unknownList); n > 0 {
		// "redd (red?)": a did-you-mean beside each word that has one,
		// short so that the line seldom wraps.
		listed := make([]string, len(unknownList))
		for i, w := range unknownList {
			listed[i] = w
			if s, ok := t.Suggest(w); ok {
				listed[i] = w + " (" + s + "?)"
			}
		}
		segs = append(segs, &widget.TextSegment{
			Text:  fmt.Sprintf("— %s left out: %s", plural.N(n, "unknown word", "unknown words"), listSome(listed, 8)),
			Style: widget.RichTextStyle{ColorName: theme.ColorNameError, SizeName: theme.SizeNameCaptionText},
		})
	}
	if n := len(enc.Cut); n > 0 {
		segs = append(segs, &widget.TextSegment{
			Text:  fmt.Sprintf("— %s past the %d-word limit: %s", plural.N(n, "word", "words"), t.Length(), listSome(enc.Cut, 8)),
			Style: widget.RichTextStyle{ColorName: theme.ColorNameWarning, SizeName: theme.SizeNameCaptionText},
		})
	}
	return mergeRuns(segs)
}

// mergeRuns joins neighbouring text segments of one style into one: a
// rich text wraps a segment at its spaces, but a word that is a segment of
// its own and does not fit at a line's end was broken letter by letter
// ("w / i / th").
func mergeRuns(segs []widget.RichTextSegment) []widget.RichTextSegment {
	var out []widget.RichTextSegment
	for _, seg := range segs {
		ts, ok := seg.(*widget.TextSegment)
		if n := len(out); ok && n > 0 {
			if prev, ok := out[n-1].(*widget.TextSegment); ok && prev.Style == ts.Style {
				out[n-1] = &widget.TextSegment{Text: prev.Text + ts.Text, Style: ts.Style}
				continue
			}
		}
		out = append(out, seg)
	}
	return out
}

// listSome joins the first max words with commas and counts the rest
// ("a, b … and 12 more").
func listSome(words []string, max int) string {
	if len(words) <= max {
		return strings.Join(words, ", ")
	}
	return fmt.Sprintf("%s … and %d more", strings.Join(words[:max], ", "), len(words)-max)
}

// knownWord reports whether t knows the single word w.
func knownWord(t *prompt.Tokenizer, w string) bool {
	return len(prompt.Split(w)) == 1 && len(t.Encode(w).Unknown) == 0
}
