package ui

import (
	"math"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/sampling"
)

// TestWheelOverPromptScrollsForm: the mouse wheel over the prompt scrolls
// the side panel while the prompt's text all shows (the prompt's own
// scroller swallowed it), and scrolls the prompt's text once it is longer
// than the prompt shows.
func TestWheelOverPromptScrollsForm(t *testing.T) {
	test.NewTempApp(t)
	p := newPromptPanel()
	w := test.NewWindow(p.content)
	defer w.Close()
	w.Resize(fyne.NewSize(320, 260)) // short: the form scrolls
	form, ok := p.wheels[0].Target().(*container.Scroll)
	if !ok {
		t.Fatalf("the relay's target is %T, not the form's scroller", p.wheels[0].Target())
	}
	wheelOver := func(obj fyne.CanvasObject) {
		at := fyne.CurrentApp().Driver().AbsolutePositionForObject(obj).AddXY(20, 10)
		test.Scroll(w.Canvas(), at, 0, -40)
	}

	p.prompt.SetText("cat face")
	wheelOver(p.prompt)
	if form.Offset.Y <= 0 {
		t.Fatalf("the wheel over a short prompt left the form at offset %v", form.Offset)
	}

	form.ScrollToTop()
	p.prompt.SetText(strings.Repeat("red apple on a plate ", 30))
	if p.wheels[0].Visible() {
		t.Fatal("the relay still covers a prompt whose text overflows")
	}
	wheelOver(p.prompt)
	if form.Offset.Y != 0 {
		t.Fatalf("the wheel over an overflowing prompt scrolled the form to %v, not the text", form.Offset)
	}

	p.negative.SetText("blurry")
	wheelOver(p.negative)
	if form.Offset.Y <= 0 {
		t.Fatalf("the wheel over a short negative prompt left the form at offset %v", form.Offset)
	}

	// Over Top-k too (its entry took the wheel, and the form stopped with
	// Guidance min-p, the row below, half hidden): at the form's end, the
	// wheel up over Top-k scrolls it up.
	form.ScrollToBottom()
	bottom := form.Offset.Y
	at := fyne.CurrentApp().Driver().AbsolutePositionForObject(p.topK).AddXY(20, 10)
	test.Scroll(w.Canvas(), at, 0, 40)
	if form.Offset.Y >= bottom {
		t.Fatalf("the wheel over Top-k left the form at %v (bottom %v)", form.Offset.Y, bottom)
	}
}

// The mouse wheel over the Edit by instruction box scrolls the edit panel:
// the box's own scroller swallowed it (60 notches moved nothing).
func TestWheelOverInstructionScrollsPanel(t *testing.T) {
	s := newTestStudio(t)
	s.Window().Resize(fyne.NewSize(1000, 540)) // the edit panel scrolls
	p := s.edit
	for _, text := range []string{"", strings.Repeat("make it blue ", 20)} { // longer than the box too
		p.instruction.SetText(text)
		p.scroll.ScrollToTop()
		p.reveal(p.instruction)
		before := p.scroll.Offset
		if before.Y <= 0 {
			t.Fatal("the instruction box is in view unscrolled: the test shows nothing")
		}
		at := fyne.CurrentApp().Driver().AbsolutePositionForObject(p.instruction).AddXY(20, 10)
		test.Scroll(s.Window().Canvas(), at, 0, 40) // up
		if p.scroll.Offset.Y >= before.Y {
			t.Fatalf("text %q: the wheel over the instruction box left the panel at offset %v (was %v)", text, p.scroll.Offset, before)
		}
	}
}

// The prompts are read with single spaces between their words: the space a
// Tab completion leaves went into the picture's record ("red circle ").
func TestPromptReadOneSpaced(t *testing.T) {
	test.NewTempApp(t)
	p := newPromptPanel()
	p.prompt.SetText("  red   circle ")
	p.negative.SetText("blurry\t ")
	got, err := p.Params()
	if err != nil {
		t.Fatal(err)
	}
	if got.Prompt != "red circle" || got.Negative != "blurry" {
		t.Errorf("prompt %q, negative %q", got.Prompt, got.Negative)
	}
}

// The seed field's error gives the range: a number past 2⁶⁴−1 is a whole
// number, 0 or more, and was refused as not one.
func TestParseSeedSaysTheRange(t *testing.T) {
	if v, err := parseSeed(" 18446744073709551615 "); err != nil || v != math.MaxUint64 {
		t.Fatalf("2⁶⁴−1: %d, %v", v, err)
	}
	for _, s := range []string{"18446744073709551616", "99999999999999999999", "-1", "1.5", "x"} {
		if _, err := parseSeed(s); err == nil || !strings.Contains(err.Error(), "from 0 to 2⁶⁴−1 (18446744073709551615)") {
			t.Errorf("%q: %v", s, err)
		}
	}
}

// Guidance min-p has a control: the panel shows the value in force and a
// run draws at the value set there (nothing in the studio could lower the
// emoji model's 0.5, under which temperature, top-k, top-p and the
// negative prompt often change nothing).
func TestPanelSetsGuidanceMinP(t *testing.T) {
	s := newTestStudio(t)
	p, err := s.Params()
	must(t, err)
	p.Prompt, p.Guidance, p.GuidanceMinP, p.Seed, p.SeedLocked = "red cat", 2, 0.35, 4, true
	s.SetParams(p)
	if math.Abs(s.panel.minP.Value-0.35) > 1e-9 || s.panel.minPLabel.Text != "0.35" {
		t.Fatalf("the control shows %g (%q)", s.panel.minP.Value, s.panel.minPLabel.Text)
	}
	s.panel.minP.SetValue(0.2)
	// The studio's parameters follow the slider (the session and an
	// opened picture read them: the slider jumped back to 0.5).
	if s.params.GuidanceMinP != 0.2 {
		t.Errorf("after the slider moved the studio's parameters hold %g", s.params.GuidanceMinP)
	}
	generate(t, s)
	if got := s.Document().ImageParams().GuidanceMinP; got != 0.2 {
		t.Errorf("the image was drawn at guidance min-p %g, want 0.2", got)
	}
	// A value set exactly stays exact while the slider is not moved (a
	// recorded 0.125 was rounded, and Reuse seed drew another picture).
	p.GuidanceMinP = 0.125
	s.SetParams(p)
	if got, err := s.Params(); err != nil || got.GuidanceMinP != 0.125 {
		t.Errorf("0.125 set: %g, %v", got.GuidanceMinP, err)
	}
}

// A generation whose every patch had one code left by guidance min-p says
// that the knobs moved from the model's recommendation changed nothing;
// with min-p off, nothing is said.
func TestOneCodeNoteInTheStudio(t *testing.T) {
	s := newTestStudio(t)
	p, err := s.Params()
	must(t, err)
	p.Prompt, p.Guidance, p.GuidanceMinP, p.Temperature, p.Seed, p.SeedLocked = "red cat", 2, 0.99, 1.7, 4, true
	s.SetParams(p)
	generate(t, s)
	if st := s.Status(); !strings.Contains(st, "the model left one code at every patch at guidance min-p 0.99, so temperature and guidance changed nothing") {
		t.Errorf("status %q", st)
	}
	s.panel.minP.SetValue(0)
	generate(t, s)
	if st := s.Status(); strings.Contains(st, "one code") {
		t.Errorf("min-p off: status %q", st)
	}
}

// The note names only the knobs moved by more than half a slider step from
// the model's recommendation: the panel shows a recommended temperature of
// 0.82 as 0.80, which the note took for a moved temperature.
func TestOneCodeNoteKnowsTheSliderSteps(t *testing.T) {
	b := bundletest.Tiny(1)
	if b.Model.Config.Tessera == nil {
		b.Model.Config.Tessera = &model.Ext{}
	}
	b.Model.Config.Tessera.Defaults = &sampling.Recommended{Temperature: 0.82, Guidance: 2, GuidanceMinP: 0.5}
	p := panelDefaults(b)
	p.Temperature = 0.8 // as the slider shows 0.82
	results := []result{{oneCode: true}}
	if n := oneCodeNote(job{b: b, params: p}, results); n != "" {
		t.Errorf("nothing moved: %q", n)
	}
	p.Temperature = 1.2
	if n := oneCodeNote(job{b: b, params: p}, results); !strings.Contains(n, "so temperature changed nothing") {
		t.Errorf("temperature moved: %q", n)
	}
	if n := oneCodeNote(job{b: b, params: p}, []result{{oneCode: true}, {}}); n != "" {
		t.Errorf("an image with a choice: %q", n)
	}
}

// movedFromDefault counts a knob as moved beyond half its slider's step,
// the same for the one-code note and the edit's knobs (each had its own
// tolerances, the edit's the temperature's for every knob).
func TestMovedFromDefaultIsHalfTheSliderStep(t *testing.T) {
	for _, c := range []struct {
		k      sampling.Knob
		v, def float64
		moved  bool
	}{
		{sampling.KnobTemperature, 0.8, 0.82, false},
		{sampling.KnobTemperature, 0.85, 0.825, false}, // a half step exactly: the slider rounds it off
		{sampling.KnobTemperature, 0.85, 0.8, true},
		{sampling.KnobTopP, 0.9, 0.904, false},
		{sampling.KnobTopP, 0.92, 0.9, true},
		{sampling.KnobGuidance, 2.5, 2.3, false},
		{sampling.KnobGuidance, 2.5, 2, true},
		{sampling.KnobTopK, 40, 40, false},
		{sampling.KnobTopK, 41, 40, true},
	} {
		if got := movedFromDefault(c.k, c.v, c.def); got != c.moved {
			t.Errorf("%s %g from the default %g: moved %v, want %v", c.k, c.v, c.def, got, c.moved)
		}
	}
	// The panel's sliders step as movedFromDefault reckons.
	p := newTestStudio(t).panel
	for k, s := range map[sampling.Knob]float64{sampling.KnobTemperature: p.temperature.Step, sampling.KnobTopP: p.topP.Step, sampling.KnobGuidance: p.guidance.Step, sampling.KnobGuidanceMinP: p.minP.Step} {
		if s != sliderStep(k) || s == 0 {
			t.Errorf("%s: the slider steps by %g, movedFromDefault reckons %g", k, s, sliderStep(k))
		}
	}
}
