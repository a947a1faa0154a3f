package ui

import (
	"fmt"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// toolNames are the tools offered in the editing panel, by Tool value.
func toolNames() []string { return []string{ToolBrush: "Brush", ToolEraser: "Eraser", ToolPan: "Pan"} }

// editPanel holds the mask tools, regeneration, undo/redo and export.
type editPanel struct {
	tools       *widget.RadioGroup
	brush       *widget.Slider
	brushLabel  *widget.Label
	grid        *widget.Check
	clear       *widget.Button
	invert      *widget.Button
	candidates  *widget.Slider
	candLabel   *widget.Label
	regenerate  *widget.Button
	complete    *widget.Button
	resume      *widget.Button
	undo        *widget.Button
	redo        *widget.Button
	open        *widget.Button
	scale       *widget.Select
	filter      *widget.RadioGroup
	export      *widget.Button
	copyImage   *widget.Button
	content     fyne.CanvasObject
	quietChange bool
}

// editActions are what the panel's controls do.
type editActions struct {
	tool       func(Tool)
	brush      func(int)
	grid       func(bool)
	clearMask  func()
	invertMask func()
	candidates func(int)
	regenerate func()
	complete   func()
	resume     func()
	undo       func()
	redo       func()
	open       func()
	scale      func(int)
	filter     func(Filter)
	export     func()
	copyImage  func()
}

// scaleOption shows an export scale.
func scaleOption(k int) string { return fmt.Sprintf("%d×", k) }

// newEditPanel builds the panel; a wires each control.
func newEditPanel(a editActions) *editPanel {
	p := &editPanel{}
	p.tools = widget.NewRadioGroup(toolNames(), func(s string) {
		if p.quietChange {
			return
		}
		for i, n := range toolNames() {
			if n == s {
				a.tool(Tool(i))
			}
		}
	})
	p.tools.Horizontal = true
	p.tools.Required = true
	p.brushLabel = widget.NewLabel("")
	p.brush = widget.NewSlider(MinBrush, 16)
	p.brush.Step = 1
	p.brush.OnChanged = func(v float64) {
		p.brushLabel.SetText(strconv.Itoa(int(v)))
		if !p.quietChange {
			a.brush(int(v))
		}
	}
	p.grid = widget.NewCheck("Grid lines", func(on bool) { a.grid(on) })
	p.clear = widget.NewButtonWithIcon("Clear", theme.ContentClearIcon(), a.clearMask)
	p.invert = widget.NewButtonWithIcon("Invert", theme.ContentRedoIcon(), a.invertMask)
	p.candLabel = widget.NewLabel("")
	p.candidates = widget.NewSlider(1, 8)
	p.candidates.Step = 1
	p.candidates.OnChanged = func(v float64) {
		p.candLabel.SetText(strconv.Itoa(int(v)))
		if !p.quietChange {
			a.candidates(int(v))
		}
	}
	p.regenerate = widget.NewButtonWithIcon("Regenerate masked", theme.MediaReplayIcon(), a.regenerate)
	p.regenerate.Importance = widget.HighImportance
	p.complete = widget.NewButtonWithIcon("Complete from here…", theme.MoveDownIcon(), a.complete)
	p.resume = widget.NewButtonWithIcon("Continue stopped image", theme.MediaFastForwardIcon(), a.resume)
	p.undo = widget.NewButtonWithIcon("Undo", theme.ContentUndoIcon(), a.undo)
	p.redo = widget.NewButtonWithIcon("Redo", theme.ContentRedoIcon(), a.redo)
	p.open = widget.NewButtonWithIcon("Open image…", theme.FolderOpenIcon(), a.open)
	opts := make([]string, MaxUpscale)
	for i := range opts {
		opts[i] = scaleOption(i + 1)
	}
	p.scale = widget.NewSelect(opts, func(s string) {
		if k, err := strconv.Atoi(s[:len(s)-len("×")]); err == nil && !p.quietChange {
			a.scale(k)
		}
	})
	p.filter = widget.NewRadioGroup([]string{Nearest.String(), Lanczos.String()}, func(s string) {
		if !p.quietChange {
			a.filter(parseFilter(s))
		}
	})
	p.filter.Horizontal = true
	p.filter.Required = true
	p.export = widget.NewButtonWithIcon("Export PNG…", theme.DocumentSaveIcon(), a.export)
	p.copyImage = widget.NewButtonWithIcon("Copy image", theme.ContentCopyIcon(), a.copyImage)

	head := func(s string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	box := container.NewVBox(
		head("Mask"),
		p.tools,
		container.NewBorder(nil, nil, widget.NewLabel("Brush [ ]"), p.brushLabel, p.brush),
		p.grid,
		container.NewGridWithColumns(2, p.clear, p.invert),
		widget.NewSeparator(),
		head("Regenerate"),
		container.NewBorder(nil, nil, widget.NewLabel("Candidates"), p.candLabel, p.candidates),
		p.regenerate,
		p.complete,
		p.resume,
		widget.NewSeparator(),
		container.NewGridWithColumns(2, p.undo, p.redo),
		widget.NewSeparator(),
		head("Image"),
		p.open,
		container.NewBorder(nil, nil, widget.NewLabel("Upscale"), nil, p.scale),
		p.filter,
		p.export,
		p.copyImage,
	)
	p.content = container.NewVScroll(box)
	return p
}

// setValues shows stored settings without calling back.
func (p *editPanel) setValues(tool Tool, brush int, grid bool, candidates, scale int, f Filter) {
	p.quietChange = true
	defer func() { p.quietChange = false }()
	p.tools.SetSelected(toolNames()[tool])
	p.setBrush(brush)
	p.grid.SetChecked(grid)
	p.candidates.SetValue(float64(candidates))
	p.candLabel.SetText(strconv.Itoa(candidates))
	p.scale.SetSelected(scaleOption(scale))
	p.filter.SetSelected(f.String())
}

// setBrush shows the brush size without calling back.
func (p *editPanel) setBrush(n int) {
	q := p.quietChange
	p.quietChange = true
	if float64(n) > p.brush.Max {
		p.brush.Max = float64(n)
	}
	p.brush.SetValue(float64(n))
	p.brushLabel.SetText(strconv.Itoa(n))
	p.quietChange = q
}

// setTool shows the selected tool (ToolLine selects none).
func (p *editPanel) setTool(t Tool) {
	p.quietChange = true
	defer func() { p.quietChange = false }()
	if names := toolNames(); int(t) < len(names) {
		p.tools.SetSelected(names[t])
	}
}
