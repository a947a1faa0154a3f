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

// tempToolNames are the temperature tools offered, from ToolTemperature on.
func tempToolNames() []string { return []string{"Paint", "Reset"} }

// editPanel holds the mask and temperature tools, regeneration, the
// likelihood map, Extend ↓, undo/redo and export.
type editPanel struct {
	tools       *widget.RadioGroup
	tempTools   *widget.RadioGroup
	tempValue   *widget.Slider
	tempLabel   *widget.Label
	clearTemp   *widget.Button
	heatMap     *widget.Check
	worst       *widget.Slider
	worstLabel  *widget.Label
	repair      *widget.Button
	extendRows  *widget.Slider
	extendLabel *widget.Label
	stride      *widget.Slider
	strideLabel *widget.Label
	extend      *widget.Button
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
	tempValue  func(float64)
	clearTemp  func()
	heatMap    func(bool)
	repair     func()
	extend     func()
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
	p.tempTools = widget.NewRadioGroup(tempToolNames(), func(s string) {
		if p.quietChange {
			return
		}
		for i, n := range tempToolNames() {
			if n == s {
				a.tool(ToolTemperature + Tool(i))
			}
		}
	})
	p.tempTools.Horizontal = true
	p.tempTools.Required = true
	p.tempLabel = widget.NewLabel("")
	p.tempValue = widget.NewSlider(MinPaintTemperature, MaxPaintTemperature)
	p.tempValue.Step = 0.05
	p.tempValue.OnChanged = func(v float64) {
		p.tempLabel.SetText(fmt.Sprintf("%.2f", v))
		if !p.quietChange {
			a.tempValue(v)
		}
	}
	p.clearTemp = widget.NewButtonWithIcon("Clear temperatures", theme.ContentClearIcon(), a.clearTemp)
	p.heatMap = widget.NewCheck("Likelihood map", func(on bool) {
		if !p.quietChange {
			a.heatMap(on)
		}
	})
	p.worstLabel = widget.NewLabel("")
	p.worst = widget.NewSlider(minWorstPercent, maxWorstPercent)
	p.worst.Step = 1
	p.worst.OnChanged = func(v float64) { p.worstLabel.SetText(fmt.Sprintf("%.0f%%", v)) }
	p.repair = widget.NewButtonWithIcon("Resample the least likely", theme.MediaReplayIcon(), a.repair)
	p.extendLabel = widget.NewLabel("")
	p.extendRows = widget.NewSlider(1, maxExtendRows)
	p.extendRows.Step = 1
	p.extendRows.OnChanged = func(v float64) { p.extendLabel.SetText(strconv.Itoa(int(v))) }
	p.strideLabel = widget.NewLabel("")
	p.stride = widget.NewSlider(1, 2)
	p.stride.Step = 1
	p.stride.OnChanged = func(v float64) { p.strideLabel.SetText(strconv.Itoa(int(v))) }
	p.extend = widget.NewButtonWithIcon("Extend ↓", theme.MoveDownIcon(), a.extend)
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
		head("Temperature"),
		p.tempTools,
		container.NewBorder(nil, nil, widget.NewLabel("Value"), p.tempLabel, p.tempValue),
		p.clearTemp,
		widget.NewSeparator(),
		head("Regenerate"),
		container.NewBorder(nil, nil, widget.NewLabel("Candidates"), p.candLabel, p.candidates),
		p.regenerate,
		p.complete,
		p.resume,
		widget.NewSeparator(),
		head("Likelihood"),
		p.heatMap,
		container.NewBorder(nil, nil, widget.NewLabel("Worst"), p.worstLabel, p.worst),
		p.repair,
		widget.NewSeparator(),
		head("Grow"),
		container.NewBorder(nil, nil, widget.NewLabel("Rows"), p.extendLabel, p.extendRows),
		container.NewBorder(nil, nil, widget.NewLabel("Stride"), p.strideLabel, p.stride),
		p.extend,
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
	p.tempValue.SetValue(1)
	p.tempLabel.SetText("1.00")
	p.worst.SetValue(defaultWorstPercent)
	p.worstLabel.SetText(fmt.Sprintf("%d%%", defaultWorstPercent))
	p.extendRows.SetValue(4)
	p.extendLabel.SetText("4")
}

// setGridRows fits the stride setting to a model of gridRows patch rows
// (half the grid by default).
func (p *editPanel) setGridRows(gridRows int) {
	p.stride.Max = float64(max(2, gridRows-1))
	p.stride.SetValue(float64(max(1, gridRows/2)))
	p.strideLabel.SetText(strconv.Itoa(max(1, gridRows/2)))
	p.stride.Refresh()
}

// setHeatMap shows the likelihood map toggle without calling back.
func (p *editPanel) setHeatMap(on bool) {
	q := p.quietChange
	p.quietChange = true
	p.heatMap.SetChecked(on)
	p.quietChange = q
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

// setTool shows the selected tool (ToolLine keeps the mask tool shown).
func (p *editPanel) setTool(t Tool) {
	p.quietChange = true
	defer func() { p.quietChange = false }()
	if t.temperature() {
		p.tools.SetSelected("")
		p.tempTools.SetSelected(tempToolNames()[t-ToolTemperature])
		return
	}
	p.tempTools.SetSelected("")
	if names := toolNames(); int(t) < len(names) {
		p.tools.SetSelected(names[t])
	}
}
