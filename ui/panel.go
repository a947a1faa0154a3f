package ui

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/engine/prompt"
)

// maxSuggestions is how many completions the prompt panel offers.
const maxSuggestions = 6

// promptPanel holds the generation settings: model, prompts, sampling
// parameters, seed and batch, and the Generate and Stop buttons.
type promptPanel struct {
	// guidanceMinP has no control: SetParams keeps it for Params.
	guidanceMinP float64
	model        *widget.Select
	prompt       *PromptEntry
	suggestions  *fyne.Container
	suggestBox   *container.Scroll
	words        *widget.RichText
	negative     *widget.Entry
	temperature  *widget.Slider
	tempLabel    *widget.Label
	topK         *widget.Entry
	topP         *widget.Slider
	topPLabel    *widget.Label
	guidance     *widget.Slider
	guideLabel   *widget.Label
	seed         *widget.Entry
	seedLock     *widget.Check
	dice         *widget.Button
	batch        *widget.Slider
	batchLabel   *widget.Label
	generate     *widget.Button
	stop         *widget.Button
	content      fyne.CanvasObject

	tok         *prompt.Tokenizer
	completions []string
	modelKeys   map[string]string // shown option -> model key
	quiet       bool              // set while options change programmatically

	// callbacks set by the studio
	onModel    func(key string)
	onOpenDir  func()
	onGenerate func()
	onStop     func()
}

// openFolderOption is the model picker entry that opens a folder dialog.
const openFolderOption = "Open model folder…"

// newPromptPanel builds the panel's widgets.
func newPromptPanel() *promptPanel {
	p := &promptPanel{modelKeys: map[string]string{}}
	p.model = widget.NewSelect(nil, p.modelChosen)
	p.model.PlaceHolder = "(no model)"

	p.prompt = NewPromptEntry()
	p.prompt.SetPlaceHolder("Prompt — Ctrl+Enter generates")
	p.prompt.OnChanged = func(string) { p.promptChanged() }
	p.prompt.OnGenerate = func() { p.onGenerate() }
	p.prompt.HasCompletion = func() bool { return len(p.completions) > 0 }
	p.prompt.OnComplete = func() bool {
		if len(p.completions) == 0 {
			return false
		}
		p.prompt.CompleteWord(p.completions[0])
		return true
	}
	p.suggestions = container.NewHBox()
	p.words = widget.NewRichText()
	p.words.Wrapping = fyne.TextWrapWord

	p.negative = widget.NewMultiLineEntry()
	p.negative.SetMinRowsVisible(2)
	p.negative.Wrapping = fyne.TextWrapWord
	p.negative.SetPlaceHolder("Negative prompt")

	p.tempLabel = widget.NewLabel("")
	p.temperature = widget.NewSlider(MinTemperature, MaxTemperature)
	p.temperature.Step = 0.05
	p.temperature.OnChanged = func(v float64) { p.tempLabel.SetText(fmt.Sprintf("%.2f", v)) }

	p.topK = widget.NewEntry()
	p.topK.SetPlaceHolder("0 = all")
	p.topK.Validator = func(s string) error {
		_, err := parseTopK(s)
		return err
	}

	p.topPLabel = widget.NewLabel("")
	p.topP = widget.NewSlider(0.05, 1)
	p.topP.Step = 0.01
	p.topP.OnChanged = func(v float64) { p.topPLabel.SetText(fmt.Sprintf("%.2f", v)) }

	p.guideLabel = widget.NewLabel("")
	p.guidance = widget.NewSlider(1, MaxGuidance)
	p.guidance.Step = 0.5
	p.guidance.OnChanged = func(v float64) { p.guideLabel.SetText(fmt.Sprintf("%.1f", v)) }

	p.seed = widget.NewEntry()
	p.seed.Validator = func(s string) error {
		_, err := parseSeed(s)
		return err
	}
	p.seedLock = widget.NewCheck("Lock", nil)
	p.dice = widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), func() { p.SetSeed(NewSeed()) })

	p.batchLabel = widget.NewLabel("")
	p.batch = widget.NewSlider(1, MaxBatch)
	p.batch.Step = 1
	p.batch.OnChanged = func(v float64) { p.batchLabel.SetText(strconv.Itoa(int(v))) }

	p.generate = widget.NewButtonWithIcon("Generate", theme.MediaPlayIcon(), func() { p.onGenerate() })
	p.generate.Importance = widget.HighImportance
	p.stop = widget.NewButtonWithIcon("Stop", theme.MediaStopIcon(), func() { p.onStop() })
	p.stop.Disable()

	// each setting on one line: name, control, value
	row := func(label string, obj, value fyne.CanvasObject) fyne.CanvasObject {
		return container.NewBorder(nil, nil, widget.NewLabel(label), value, obj)
	}
	p.suggestBox = container.NewHScroll(p.suggestions)
	p.suggestBox.Hide()
	form := container.NewVBox(
		widget.NewLabelWithStyle("Model", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		p.model,
		widget.NewLabelWithStyle("Prompt", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		p.prompt,
		p.suggestBox,
		p.words,
		p.negative,
		row("Temperature", p.temperature, p.tempLabel),
		row("Top-k", p.topK, nil),
		row("Top-p", p.topP, p.topPLabel),
		row("Guidance", p.guidance, p.guideLabel),
		row("Seed", p.seed, container.NewHBox(p.seedLock, p.dice)),
		row("Batch", p.batch, p.batchLabel),
	)
	// Generate and Stop stay in view however small the window is.
	p.content = container.NewBorder(nil, container.NewGridWithColumns(2, p.generate, p.stop), nil, nil, container.NewVScroll(form))
	p.SetParams(DefaultParams())
	p.promptChanged()
	return p
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
		return 0, fmt.Errorf("seed %q must be a whole number, 0 or more", s)
	}
	return v, nil
}

// Params reads the panel.
func (p *promptPanel) Params() (Params, error) {
	k, err := parseTopK(p.topK.Text)
	if err != nil {
		return Params{}, err
	}
	seed, err := parseSeed(p.seed.Text)
	if err != nil {
		return Params{}, err
	}
	out := Params{
		Prompt: p.prompt.Text, Negative: p.negative.Text,
		Temperature: roundTo(p.temperature.Value, 100), TopK: k,
		TopP: roundTo(p.topP.Value, 100), Guidance: roundTo(p.guidance.Value, 10),
		Seed: seed, SeedLocked: p.seedLock.Checked, Batch: int(p.batch.Value),
		GuidanceMinP: p.guidanceMinP,
	}
	return out, out.Validate()
}

// roundTo rounds v to 1/per (slider steps leave float noise).
func roundTo(v, per float64) float64 {
	return float64(int64(v*per+0.5)) / per
}

// SetParams shows params in the panel.
func (p *promptPanel) SetParams(v Params) {
	v = v.clamped()
	p.prompt.SetText(v.Prompt)
	p.negative.SetText(v.Negative)
	p.temperature.SetValue(v.Temperature)
	p.tempLabel.SetText(fmt.Sprintf("%.2f", p.temperature.Value))
	p.topK.SetText(strconv.Itoa(v.TopK))
	p.topP.SetValue(v.TopP)
	p.topPLabel.SetText(fmt.Sprintf("%.2f", p.topP.Value))
	p.guidance.SetValue(v.Guidance)
	p.guidanceMinP = v.GuidanceMinP
	p.guideLabel.SetText(fmt.Sprintf("%.1f", p.guidance.Value))
	p.SetSeed(v.Seed)
	p.seedLock.SetChecked(v.SeedLocked)
	p.batch.SetValue(float64(v.Batch))
	p.batchLabel.SetText(strconv.Itoa(v.Batch))
}

// SetSeed shows seed in the seed field.
func (p *promptPanel) SetSeed(seed uint64) {
	p.seed.SetText(strconv.FormatUint(seed, 10))
}

// SetRunning switches Generate and Stop while a job runs.
func (p *promptPanel) SetRunning(on bool) {
	if on {
		p.generate.Disable()
		p.stop.Enable()
	} else {
		p.generate.Enable()
		p.stop.Disable()
	}
}

// SetModels fills the model picker: keys are what Models.Open takes, shown
// by label; current is selected. The last option opens a folder.
func (p *promptPanel) SetModels(keys []string, label func(string) string, current string) {
	p.quiet = true
	defer func() { p.quiet = false }()
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
	if p.quiet {
		return
	}
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

// SetTokenizer sets the model's prompt vocabulary (nil: an unconditional
// model, whose prompts are disabled).
func (p *promptPanel) SetTokenizer(t *prompt.Tokenizer) {
	p.tok = t
	for _, w := range []fyne.Disableable{p.negative, p.guidance} {
		if t == nil {
			w.Disable()
		} else {
			w.Enable()
		}
	}
	if t == nil {
		p.prompt.SetPlaceHolder("This model takes no prompt — Ctrl+Enter generates")
	} else {
		p.prompt.SetPlaceHolder("Prompt — Ctrl+Enter generates, Tab completes")
	}
	p.promptChanged()
}

// promptChanged refreshes the completions and the word marks.
func (p *promptPanel) promptChanged() {
	p.completions = nil
	if p.tok != nil {
		if w := p.prompt.CurrentWord(); w != "" {
			for _, c := range p.tok.Complete(w, maxSuggestions+1) {
				if c != strings.ToLower(w) {
					p.completions = append(p.completions, c)
				}
			}
			if len(p.completions) > maxSuggestions {
				p.completions = p.completions[:maxSuggestions]
			}
		}
	}
	objs := make([]fyne.CanvasObject, 0, len(p.completions))
	for _, c := range p.completions {
		word := c
		b := widget.NewButton(word, func() {
			p.prompt.CompleteWord(word)
			if c := fyne.CurrentApp().Driver().CanvasForObject(p.prompt); c != nil {
				c.Focus(p.prompt)
			}
		})
		b.Importance = widget.LowImportance
		objs = append(objs, b)
	}
	p.suggestions.Objects = objs
	p.suggestions.Refresh()
	if p.suggestBox != nil {
		if len(objs) == 0 {
			p.suggestBox.Hide()
		} else {
			p.suggestBox.Show()
		}
	}
	p.words.Segments = markWords(p.tok, p.prompt.Text)
	p.words.Refresh()
}

// markWords shows how the model reads text: known words plain, unknown ones
// in the error colour (they are left out), cut ones greyed (past the
// prompt length).
func markWords(t *prompt.Tokenizer, text string) []widget.RichTextSegment {
	if t == nil || strings.TrimSpace(text) == "" {
		return nil
	}
	enc := t.Encode(text)
	unknown := map[string]int{}
	for _, w := range enc.Unknown {
		unknown[w]++
	}
	cut := map[string]int{}
	for _, w := range enc.Cut {
		cut[w]++
	}
	segs := []widget.RichTextSegment{&widget.TextSegment{Text: "Model reads: ", Style: widget.RichTextStyle{Inline: true, ColorName: theme.ColorNamePlaceHolder, SizeName: theme.SizeNameCaptionText}}}
	words := prompt.Split(text)
	// Cut words are the last known ones, so mark them from the end.
	cutLeft := len(enc.Cut)
	isCut := make([]bool, len(words))
	for i := len(words) - 1; i >= 0 && cutLeft > 0; i-- {
		if unknown[words[i]] == 0 && cut[words[i]] > 0 {
			isCut[i] = true
			cutLeft--
		}
	}
	for i, w := range words {
		style := widget.RichTextStyle{Inline: true, SizeName: theme.SizeNameCaptionText}
		label := w
		switch {
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
	if n := len(enc.Unknown); n > 0 {
		segs = append(segs, &widget.TextSegment{
			Text:  fmt.Sprintf("— %d unknown word(s) left out: %s", n, strings.Join(enc.Unknown, ", ")),
			Style: widget.RichTextStyle{ColorName: theme.ColorNameError, SizeName: theme.SizeNameCaptionText},
		})
	}
	if n := len(enc.Cut); n > 0 {
		segs = append(segs, &widget.TextSegment{
			Text:  fmt.Sprintf("— %d word(s) past the %d-word limit: %s", n, t.Length(), strings.Join(enc.Cut, ", ")),
			Style: widget.RichTextStyle{ColorName: theme.ColorNameWarning, SizeName: theme.SizeNameCaptionText},
		})
	}
	return segs
}
