package ui

import (
	"fmt"
	"slices"

	"github.com/tessera-studio/tessera/internal/plural"
	"github.com/tessera-studio/tessera/ui/core"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// paintHost is what painting on the canvas needs of the studio: the
// current document (nil without a model), redrawing it after a change, the
// status line, and the global temperature the temperature brush compares
// with.
type paintHost interface {
	Document() *core.Document
	docChanged()
	setStatus(msg string)
	report(err error)
	globalTemperature() float64
}

// painter is the editing controller: the canvas tools, the mask and the
// temperature map painted over the image (each change one undo step of
// the document), and whether they are shown. UI goroutine only.
type painter struct {
	host     paintHost
	canvas   *widgets.LiveCanvas
	panel    *editPanel
	overlays bool // the mask and the temperature map are drawn
	// onOverlays, when set, hears every change of overlays (the menu item
	// that ticks it).
	onOverlays func(on bool)
}

// maskEdited commits a brush stroke.
func (p *painter) maskEdited(mask []bool) {
	if p.host.Document() == nil {
		return
	}
	p.setOverlays(true)
	// A stroke on the canvas of a run that paints an image of another
	// height than the document's until it ends: a Generate over a tall
	// image (which keeps the stroke on the new image; it said "mask has
	// 64 entries but the grid has 192 patches"), or an Extend, whose new
	// rows are not the document's yet.
	mask, cut := fitStroke(mask, p.host.Document().N())
	first := p.host.Document().Masked() == 0
	p.host.report(p.host.Document().SetMask(mask))
	p.host.docChanged()
	status := maskedStatus(p.host.Document().Masked())
	if first && p.host.Document().Masked() > 0 {
		// The first stroke: what it is for, and its button in view (at
		// the default window size it was below the panel's fold).
		status += " · Regenerate masked (Ctrl+R) redraws them; an edit by instruction changes only them"
		if p.panel != nil && p.panel.scroll != nil && p.panel.regenerate != nil {
			p.panel.reveal(p.panel.regenerate)
		}
	}
	if cut {
		status += " (not on the rows still being drawn: mask them once the run ends)"
	}
	p.host.setStatus(status)
}

// fitStroke fits a stroke's values, one a patch of the canvas, to the
// document's n patches (core.FitLen), and reports whether the stroke
// painted (a value other than the zero value) past them.
func fitStroke[T comparable](v []T, n int) ([]T, bool) {
	var zero T
	return core.FitLen(v, n), len(v) > n && slices.ContainsFunc(v[n:], func(x T) bool { return x != zero })
}

// maskedStatus is the status line after a change of the mask.
func maskedStatus(n int) string { return plural.N(n, "patch", "patches") + " masked" }

// editMask applies a mask change (one undo step) and shows the mask.
func (p *painter) editMask(change func() error) error {
	if p.host.Document() == nil {
		return errNoModel
	}
	if err := change(); err != nil {
		return err
	}
	p.setOverlays(true)
	p.host.docChanged()
	p.host.setStatus(maskedStatus(p.host.Document().Masked()))
	return nil
}

// ClearMask unmasks every patch (one undo step).
func (p *painter) ClearMask() error {
	return p.editMask(func() error { return p.host.Document().ClearMask() })
}

// InvertMask flips the mask (one undo step).
func (p *painter) InvertMask() error {
	return p.editMask(func() error { return p.host.Document().InvertMask() })
}

// SetMask replaces the mask (one undo step), as a brush stroke does.
func (p *painter) SetMask(mask []bool) error {
	return p.editMask(func() error { return p.host.Document().SetMask(mask) })
}

// tempEdited commits a temperature stroke (one undo step).
func (p *painter) tempEdited(temps []float64) {
	if p.host.Document() == nil {
		return
	}
	// Of another height than the document's during a run: as maskEdited.
	temps, cut := fitStroke(temps, p.host.Document().N())
	p.host.report(p.SetTemperatureMap(temps))
	status := temperatureStatus(p.host.Document().Temperature(), p.host.globalTemperature())
	if cut {
		status += " (not on the rows still being drawn: paint them once the run ends)"
	}
	p.host.setStatus(status)
}

// SetTemperatureMap replaces the per-patch temperature map (one entry per
// patch of the current image, 0 for the global temperature; nil clears
// it); it is one undo step and reaches every later run as
// Options.PatchTemperature.
func (p *painter) SetTemperatureMap(temps []float64) error {
	if p.host.Document() == nil {
		return errNoModel
	}
	if err := p.host.Document().SetTemperature(temps); err != nil {
		return fmt.Errorf("temperature map: %w", err)
	}
	p.setOverlays(true)
	p.host.docChanged()
	return nil
}

// ClearTemperatureMap returns every patch to the global temperature.
func (p *painter) ClearTemperatureMap() error { return p.SetTemperatureMap(nil) }

// clearTemperatures is Clear temperatures: the map goes, and the status
// line says so (it went on naming the painted temperatures a run used).
func (s *Studio) clearTemperatures() {
	if err := s.paint.ClearTemperatureMap(); err != nil {
		s.report(err)
		return
	}
	s.setStatus("Painted temperatures cleared: every patch is drawn at the global temperature (Ctrl+Z brings them back)")
}

// chooseTool is a tool picked by the user: a painting tool shows the
// overlays it paints, and the status line says what the tool does (a
// mask tool picked after the temperature brush left its "Paint
// temperature…" standing).
func (p *painter) chooseTool(t widgets.Tool) {
	if t.Paints() {
		p.setOverlays(true)
	}
	leaving := p.canvas.Tool() == widgets.ToolLine && t != widgets.ToolLine
	p.setTool(t)
	switch tips := toolTips(); {
	case leaving:
		p.host.setStatus(lineCancelled)
	case int(t) < len(tips) && tips[t] != "": // the mask tools and Pan (setTool says the others')
		p.host.setStatus(tips[t])
	}
}

// lineCancelled is the status once "Complete from here"'s line tool is
// left without a line picked.
const lineCancelled = "Complete from here cancelled: the canvas paints the mask again"

// setTool selects a canvas tool.
func (p *painter) setTool(t widgets.Tool) {
	p.canvas.SetTool(t)
	p.panel.setTool(t)
	switch t {
	case widgets.ToolLine:
		p.host.setStatus("Click the line on the canvas where resampling should start (rows above it are kept)")
	case widgets.ToolTemperature:
		p.host.setStatus(p.temperatureToolStatus())
	case widgets.ToolTempEraser:
		p.host.setStatus(fmt.Sprintf("Paint over patches to return them to the global temperature (%.2f)", p.host.globalTemperature()))
	}
}

// temperatureToolStatus describes what the temperature brush paints,
// against the global temperature.
func (p *painter) temperatureToolStatus() string {
	v, g := p.canvas.TemperatureValue(), p.host.globalTemperature()
	rel := "the same as"
	switch {
	case v < g:
		rel = "cooler than"
	case v > g:
		rel = "warmer than"
	}
	return fmt.Sprintf("Paint temperature %.2f over patches — %s the global %.2f (blue: cooler, red: warmer); generation, branching and regeneration use it", v, rel, g)
}

// setOverlays shows or hides the mask and the temperature map over the
// image. They hide after a run, so the result is seen as it is, and come
// back with any editing (a stroke, a painting tool, undo to a masked
// state) or the "Show mask & temperatures" box.
func (p *painter) setOverlays(on bool) {
	p.overlays = on
	p.canvas.SetOverlays(on)
	p.panel.setOverlays(on)
	if p.onOverlays != nil {
		p.onOverlays(on) // Edit › Show mask & temperatures ticked as the box
	}
}

// Overlays reports whether the mask and temperature map are drawn.
func (p *painter) Overlays() bool { return p.overlays }

// SetMask replaces the mask of the current image (one undo step), as a
// brush stroke does; for scripts driving the studio.
func (s *Studio) SetMask(mask []bool) error { return s.paint.SetMask(mask) }

// ClearMask unmasks every patch of the current image (one undo step).
func (s *Studio) ClearMask() error { return s.paint.ClearMask() }
