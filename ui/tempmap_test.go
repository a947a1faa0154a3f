package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/ui/core"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// isArgmax reports whether tokens[i] is the model's most likely code at
// patch i given the patches before it (guidance 1: what the sampler draws
// from), by scoring every code there.
func isArgmax(t *testing.T, s *Studio, prompt string, tokens []int, i int) bool {
	t.Helper()
	ctx := context.Background()
	sc, err := sampler.ScoreTokens(ctx, s.Bundle(), prompt, tokens, 1)
	must(t, err)
	alt := slices.Clone(tokens)
	for c := 0; c < s.Bundle().Codes(); c++ {
		alt[i] = c
		o, err := sampler.ScoreTokens(ctx, s.Bundle(), prompt, alt, 1)
		must(t, err)
		if o.PerToken[i] < sc.PerToken[i] {
			return false
		}
	}
	return true
}

// A painted temperature map reaches the sampler: patches painted with a
// tiny temperature get the argmax code although the global temperature is
// hot; it is undoable and shown over the image.
func TestTemperatureMapReachesSampler(t *testing.T) {
	s := newTestStudio(t)
	setParams(t, s, "dog", 7, func(p *core.Params) { p.Temperature, p.Guidance = core.MaxTemperature, 1 })
	temps := make([]float64, 16)
	for i := 0; i < 16; i += 2 {
		temps[i] = 1e-5 // argmax
	}
	must(t, s.paint.SetTemperatureMap(temps))
	generate(t, s)
	tokens := s.Document().Tokens()
	hot := 0
	for i := range tokens {
		am := isArgmax(t, s, "dog", tokens, i)
		if temps[i] > 0 && !am {
			t.Fatalf("patch %d was painted cold but is not the argmax code", i)
		}
		if temps[i] == 0 && !am {
			hot++
		}
	}
	if hot == 0 {
		t.Fatal("no unpainted patch left the argmax at temperature 2: the test shows nothing")
	}
	rec := readRecord(t, s.Document().Parent)
	if m, ok := rec.Extra[extraTemperature].([]any); !ok || len(m) != 16 || m[0] != 1e-5 {
		t.Fatalf("record's temperature map %v", rec.Extra[extraTemperature])
	}
	if !slices.Equal(s.Document().Temperature(), temps) {
		t.Fatal("the map did not stay on the image")
	}
}

// The temperature brush paints the value set, the reset tool erases it,
// each stroke is an undo step, and the overlay is blue (cool) / red (warm).
func TestTemperatureBrush(t *testing.T) {
	s := newTestStudio(t)
	generate(t, s)
	s.Canvas().SetBrushSize(1)
	s.edit.tempTools.SetSelected("Paint")
	if s.Canvas().Tool() != widgets.ToolTemperature || s.edit.tools.Selected != "" {
		t.Fatalf("tool %v, mask tools show %q", s.Canvas().Tool(), s.edit.tools.Selected)
	}
	s.edit.tempValue.SetValue(0.5)
	test.Drag(s.Window().Canvas(), patchCenter(s, 0, 0), 1, 1)
	s.edit.tempValue.SetValue(1.8)
	test.Drag(s.Window().Canvas(), patchCenter(s, 3, 3), 1, 1)
	m := s.Document().Temperature()
	if m[0] != 0.5 || m[15] != 1.8 || s.Document().Masked() != 0 {
		t.Fatalf("painted map %v (masked %d)", m, s.Document().Masked())
	}
	ov, _ := s.Canvas().Layers()
	if c := ov.NRGBAAt(0, 0); c.B <= c.R || c.A == 0 {
		t.Fatalf("cool patch overlay %v", c)
	}
	if c := ov.NRGBAAt(3, 3); c.R <= c.B || c.A == 0 {
		t.Fatalf("warm patch overlay %v", c)
	}
	if c := ov.NRGBAAt(1, 1); c.A != 0 {
		t.Fatalf("unpainted patch overlay %v", c)
	}
	s.edit.tempTools.SetSelected("Reset")
	test.Drag(s.Window().Canvas(), patchCenter(s, 0, 0), 1, 1)
	if m := s.Document().Temperature(); m[0] != 0 || m[15] != 1.8 {
		t.Fatalf("after reset %v", m)
	}
	must(t, s.Undo())
	if m := s.Document().Temperature(); m[0] != 0.5 {
		t.Fatal("undo did not restore the map")
	}
	s.paint.setTool(widgets.ToolBrush)
	if s.edit.tempTools.Selected != "" || s.edit.tools.Selected != "Brush" {
		t.Fatal("tool radios out of step")
	}
	must(t, s.paint.ClearTemperatureMap())
	if s.Document().Temperature() != nil {
		t.Fatal("clear left a map")
	}
}

// Painted temperatures that change nothing (the seed reused, the patches
// ones the model is sure of) are said to, with what to lower; ones that
// change the image are not.
func TestPaintedTemperaturesThatChangeNothing(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "dog", 7)
	setParams(t, s, "dog", 7, func(p *core.Params) { p.Temperature, p.Guidance, p.SeedLocked = 1e-5, 1, true })
	generate(t, s)
	temps := make([]float64, 16)
	for i := range temps {
		temps[i] = core.MinTemperature // still the likeliest code everywhere
	}
	must(t, s.paint.SetTemperatureMap(temps))
	before := s.Document().Tokens()
	generate(t, s)
	if !slices.Equal(s.Document().Tokens(), before) {
		t.Fatal("cold painted temperatures over an argmax image changed it: the test shows nothing")
	}
	if !strings.Contains(s.Status(), "the painted temperatures changed nothing") {
		t.Fatalf("status %q", s.Status())
	}
	for i := range temps {
		temps[i] = core.MaxTemperature
	}
	must(t, s.paint.SetTemperatureMap(temps))
	generate(t, s)
	if slices.Equal(s.Document().Tokens(), before) {
		t.Fatal("hot painted temperatures changed nothing: the test shows nothing")
	}
	if strings.Contains(s.Status(), "changed nothing") {
		t.Fatalf("status %q after a change", s.Status())
	}
	s.clearTemperatures()
	if s.Document().Temperature() != nil || !strings.HasPrefix(s.Status(), "Painted temperatures cleared") {
		t.Fatalf("Clear temperatures: map %v, status %q", s.Document().Temperature(), s.Status())
	}
}

// The temperature the brush paints is the same at the next start.
func TestPaintTemperatureIsKept(t *testing.T) {
	e := newEnv(t)
	s := e.open(t)
	s.edit.tempValue.SetValue(1.5)
	again := e.open(t)
	if v := again.edit.tempValue.Value; v != 1.5 {
		t.Fatalf("the brush's temperature is %v at the next start, want 1.5", v)
	}
}
