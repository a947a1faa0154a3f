package ui

import (
	"fmt"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/engine/edit"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// toolNames are the tools offered in the editing panel, by Tool value.
func toolNames() []string {
	return []string{widgets.ToolBrush: "Brush", widgets.ToolEraser: "Eraser", widgets.ToolPan: "Pan"}
}

// toolTips are the tools' tooltips in the editing panel, by Tool value, as
// toolNames; the status line says the same when one is picked.
func toolTips() []string {
	return []string{
		widgets.ToolBrush:  "Brush: paint the mask over the patches to regenerate (B; [ and ] size it)",
		widgets.ToolEraser: "Eraser: take patches out of the mask (E)",
		widgets.ToolPan:    "Pan: drag the view (or drag with the right button)",
	}
}

// tempToolNames are the temperature tools offered, from ToolTemperature on.
func tempToolNames() []string { return []string{"Paint", "Reset"} }

// The Regenerate masked button's tooltips: its own, and why it waits
// (without a mask).
const (
	regenerateTip       = "Redraw the masked patches, keeping the rest (Ctrl+R)"
	regenerateNoMaskTip = "Regenerate masked: paint over the patches to redraw first (the brush, B), then this redraws them and keeps the rest"
)

// editPanel holds the mask and temperature tools, regeneration, edit by
// instruction, the likelihood map, Extend ↓, undo/redo, opening and exporting.
type editPanel struct {
	tools       *widgets.Choice
	tempTools   *widgets.Choice
	tempValue   *widgets.TipSlider
	tempLabel   *widget.Label
	clearTemp   *widgets.TipButton
	overlays    *widgets.TipCheck
	likMap      *widgets.TipCheck
	worst       *widgets.TipSlider
	worstLabel  *widget.Label
	repair      *widgets.TipButton
	describe    *widgets.TipButton // its action and state: describe.go
	extendRows  *widgets.TipSlider
	extendLabel *widget.Label
	stride      *widgets.TipSlider
	strideLabel *widget.Label
	extend      *widgets.TipButton
	brush       *widgets.TipSlider
	brushLabel  *widget.Label
	grid        *widgets.TipCheck
	clear       *widgets.TipButton
	invert      *widgets.TipButton
	candidates  *widgets.TipSlider
	candLabel   *widget.Label
	instruction *widgets.EscSelectEntry // Edit by instruction (instruct.go)
	// instructionWheel hands the wheel over the instruction box to the
	// panel (the box's own scroller swallowed it).
	instructionWheel *widgets.WheelRelay
	offered          []string // the instructions it offers
	instruct         *widgets.TipButton
	detail           *widgets.TipCheck // keep the source's detail in edits
	// guidance and imageGuidance are the edit's guidance scales on the
	// instruction and on the source image (editGuidance).
	guidance, imageGuidance           *widgets.TipSlider
	guidanceLabel, imageGuidanceLabel *widget.Label
	regenerate                        *widgets.TipButton
	complete                          *widgets.TipButton
	resume                            *widgets.TipButton
	undo                              *widgets.TipButton
	redo                              *widgets.TipButton
	open                              *widgets.TipButton
	export                            *widgets.TipButton
	copyImage                         *widgets.TipButton
	content                           fyne.CanvasObject
	scroll                            *container.Scroll // content, scrolled by reveal
	quietChange                       bool
}

// editActions are what the panel's controls do.
type editActions struct {
	tool          func(widgets.Tool)
	brush         func(int)
	grid          func(bool)
	clearMask     func()
	invertMask    func()
	candidates    func(int)
	regenerate    func()
	complete      func()
	resume        func()
	undo          func()
	redo          func()
	open          func()
	export        func()
	copyImage     func()
	overlays      func(bool)
	tempValue     func(float64)
	clearTemp     func()
	likelihoodMap func(bool)
	repair        func()
	extend        func()
	instruct      func(instruction string)
	sourceDetail  func(bool)
	// editGuidance is given the guidance scale moved (the other 0).
	editGuidance func(editGuidance)
}

// scaleOption shows an export scale.
func scaleOption(k int) string { return fmt.Sprintf("%d×", k) }

// newEditPanel builds the panel, a section at a time; a wires each control.
func newEditPanel(a editActions) *editPanel {
	p := &editPanel{}
	head := func(s string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	box := container.NewVBox(
		head("Mask"), p.maskSection(a), widget.NewSeparator(),
		head("Temperature"), p.temperatureSection(a), widget.NewSeparator(),
		head("Regenerate"), p.regenerateSection(a), widget.NewSeparator(),
		head("Edit by instruction"), p.instructSection(a), widget.NewSeparator(),
		head("Likelihood"), p.likelihoodSection(a), widget.NewSeparator(),
		head("Grow"), p.growSection(a), widget.NewSeparator(),
		p.historySection(a), widget.NewSeparator(),
		head("Image"), p.imageSection(a),
	)
	p.scroll = container.NewVScroll(box)
	p.scroll.OnScrolled = func(fyne.Position) { widgets.HideTips(p.scroll) } // the controls moved from under the pointer
	p.instructionWheel.SetTarget(p.scroll)
	p.content = p.scroll
	return p
}

// reveal scrolls the panel so obj (one of its controls) is in view.
func (p *editPanel) reveal(obj fyne.CanvasObject) { revealIn(p.scroll, obj) }

// revealIn scrolls the vertical scroll sc so that obj, which it holds, is
// in view (a third of the way down), unless it is already.
func revealIn(sc *container.Scroll, obj fyne.CanvasObject) {
	d := fyne.CurrentApp().Driver()
	y := d.AbsolutePositionForObject(obj).Y - d.AbsolutePositionForObject(sc.Content).Y
	view := sc.Size().Height
	if y < sc.Offset.Y || y+obj.Size().Height > sc.Offset.Y+view {
		sc.Offset = fyne.NewPos(0, max(0, min(y-view/3, sc.Content.Size().Height-view)))
		sc.Refresh()
	}
}

// holds reports whether obj lies within sc's content (by position: the
// studio's scrolled panels do not overlap).
func holds(sc *container.Scroll, obj fyne.CanvasObject) bool {
	if sc == nil || !sc.Visible() || obj == nil {
		return false
	}
	d := fyne.CurrentApp().Driver()
	at, c := d.AbsolutePositionForObject(obj), d.AbsolutePositionForObject(sc.Content)
	size := sc.Content.Size()
	return at.X >= c.X && at.Y >= c.Y && at.X < c.X+size.Width && at.Y < c.Y+size.Height
}

// maskSection: the mask tools, the brush size, grid lines, clear and
// invert, and whether the overlays show.
func (p *editPanel) maskSection(a editActions) fyne.CanvasObject {
	p.tools = widgets.NewChoice(toolNames(), toolTips(), func(s string) {
		if p.quietChange {
			return
		}
		for i, n := range toolNames() {
			if n == s {
				a.tool(widgets.Tool(i))
			}
		}
	})
	p.brushLabel = widget.NewLabel("")
	p.brush = widgets.NewTipSlider(widgets.MinBrush, 16, "Brush diameter in patches ([ and ] change it)")
	p.brush.Step = 1
	p.brush.OnChanged = func(v float64) {
		p.brushLabel.SetText(strconv.Itoa(int(v)))
		if !p.quietChange {
			a.brush(int(v))
		}
	}
	p.grid = widgets.NewTipCheck("Grid lines", "Draw the patch grid over the image", func(on bool) { a.grid(on) })
	p.clear = widgets.NewTipButton("Clear", theme.ContentClearIcon(), "Unmask every patch (Ctrl+Shift+Backspace)", a.clearMask)
	p.invert = widgets.NewTipButton("Invert", theme.ContentRedoIcon(), "Mask what is unmasked and unmask the rest (Ctrl+I)", a.invertMask)
	p.overlays = widgets.NewTipCheck("Show mask & temperatures", "Draw the mask and the painted temperatures over the image. They hide after a run so the result is seen as it is (a mask still in force is outlined); painting shows them again.", func(on bool) {
		if !p.quietChange {
			a.overlays(on)
		}
	})
	return container.NewVBox(
		p.tools.Object(),
		container.NewBorder(nil, nil, widget.NewLabel("Brush [ ]"), p.brushLabel, p.brush),
		p.grid,
		container.NewGridWithColumns(2, p.clear, p.invert),
		p.overlays,
	)
}

// temperatureSection: the temperature brush, its value and clearing.
func (p *editPanel) temperatureSection(a editActions) fyne.CanvasObject {
	p.tempTools = widgets.NewChoice(tempToolNames(), []string{
		"Paint the temperature below over patches (Ctrl+Shift+T): cooler patches are plainer, warmer ones more varied",
		"Return patches to the global temperature",
	}, func(s string) {
		if p.quietChange {
			return
		}
		for i, n := range tempToolNames() {
			if n == s {
				a.tool(widgets.ToolTemperature + widgets.Tool(i))
			}
		}
	})
	p.tempLabel = widget.NewLabel("")
	p.tempValue = widgets.NewTipSlider(widgets.MinPaintTemperature, widgets.MaxPaintTemperature, "The temperature the temperature brush paints")
	p.tempValue.Step = 0.05
	p.tempValue.OnChanged = func(v float64) {
		p.tempLabel.SetText(fmt.Sprintf("%.2f", v))
		if !p.quietChange {
			a.tempValue(v)
		}
	}
	p.clearTemp = widgets.NewTipButton("Clear temperatures", theme.ContentClearIcon(), "Return every patch to the global temperature (one undo step)", a.clearTemp)
	return container.NewVBox(
		p.tempTools.Object(),
		container.NewBorder(nil, nil, widget.NewLabel("Value"), p.tempLabel, p.tempValue),
		p.clearTemp,
	)
}

// regenerateSection: candidates, Regenerate masked, Complete from here and
// Continue.
func (p *editPanel) regenerateSection(a editActions) fyne.CanvasObject {
	p.candLabel = widget.NewLabel("")
	p.candidates = widgets.NewTipSlider(1, 8, "How many candidates Regenerate masked and Complete from here draw (offered under the canvas, best fit first)")
	p.candidates.Step = 1
	p.candidates.OnChanged = func(v float64) {
		p.candLabel.SetText(strconv.Itoa(int(v)))
		if !p.quietChange {
			a.candidates(int(v))
		}
	}
	p.regenerate = widgets.NewTipButton("Regenerate masked", theme.MediaReplayIcon(), regenerateTip, a.regenerate)
	p.regenerate.Importance = widget.HighImportance
	p.complete = widgets.NewTipButton("Complete from here…", theme.MoveDownIcon(), "Pick a line on the canvas: the rows above it are kept, the rest redrawn", a.complete)
	p.resume = widgets.NewTipButton("Continue stopped image", theme.MediaFastForwardIcon(), "Finish an image whose run was stopped (a stopped batch: all its partial candidates, each from its own top part)", a.resume)
	return container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel("Candidates"), p.candLabel, p.candidates),
		p.regenerate,
		p.complete,
		p.resume,
	)
}

// instructSection: the Edit by instruction box and button (instruct.go).
func (p *editPanel) instructSection(a editActions) fyne.CanvasObject {
	p.offered = edit.Instructions()
	p.instruction = widgets.NewEscSelectEntry(p.offered)
	p.instruction.SetPlaceHolder("Type or pick an edit") // it fits the panel; the list offers the wordings
	// Enter runs the edit, or says why it cannot (a run going on, no
	// image), as the shortcuts do: with the button greyed out it did
	// nothing and said nothing.
	p.instruction.OnSubmitted = func(text string) { a.instruct(text) }
	p.instruct = widgets.NewTipButton("Edit by instruction", theme.DocumentCreateIcon(),
		"Change the image as the words say (\"remove the background\", \"medium-dark skin tone\", \"make it blue\") with the edit model (Ctrl+Shift+E types in the box): "+
			"only the masked patches when a mask is painted; Candidates sets how many edits to offer, best first (Enter in the box; Tab completes an instruction it offers). "+
			"It samples at the guidance set below and at the edit model's recommended temperature, as tessera edit does, unless you moved the prompt panel's temperature, top-k or top-p from their defaults",
		func() { a.instruct(p.instruction.Text) })
	p.detail = widgets.NewTipCheck("Keep the source's detail", "Give the edit the picture's own sharp pixels wherever it is a change of colour (black and white, a new colour, a skin tone), "+
		"which the edit model's codes draw softer, a mirror too (from the picture mirrored); edits that redraw things (a new style) stay as the model drew them. Off: the edit exactly as the edit model drew it (tessera edit --source-detail=false)",
		func(on bool) {
			if !p.quietChange {
				a.sourceDetail(on)
			}
		})
	p.guidanceLabel, p.imageGuidanceLabel = widget.NewLabel(""), widget.NewLabel("")
	p.guidance = widgets.NewTipSlider(minEditGuidance, maxEditGuidance, "Guidance on the instruction (tessera edit --guidance; InstructPix2Pix's s_T): "+
		"higher follows the words more strongly, 1 is off. It starts at the edit model's recommended value")
	p.imageGuidance = widgets.NewTipSlider(minEditGuidance, maxEditGuidance, "Guidance on the source image (tessera edit --image-guidance; InstructPix2Pix's s_I): "+
		"higher keeps the edit closer to the picture, 1 is off. It starts at the edit model's recommended value")
	p.guidance.Step, p.imageGuidance.Step = editGuidanceStep, editGuidanceStep
	p.guidance.OnChanged = func(v float64) {
		p.guidanceLabel.SetText(fmt.Sprintf("%g", v))
		if !p.quietChange {
			a.editGuidance(editGuidance{Guidance: v}) // the one moved is chosen, the other stays as it was
		}
	}
	p.imageGuidance.OnChanged = func(v float64) {
		p.imageGuidanceLabel.SetText(fmt.Sprintf("%g", v))
		if !p.quietChange {
			a.editGuidance(editGuidance{Image: v})
		}
	}
	box, wheel := widgets.WithWheelRelay(p.instruction, &p.instruction.Entry) // the box's scroller swallowed the panel's wheel
	p.instructionWheel = wheel
	return container.NewVBox(box, p.instruct,
		container.NewBorder(nil, nil, widget.NewLabel("Guidance"), p.guidanceLabel, p.guidance),
		container.NewBorder(nil, nil, widget.NewLabel("Image guid."), p.imageGuidanceLabel, p.imageGuidance),
		p.detail)
}

// likelihoodSection: the likelihood map, resampling the least likely
// patches and Describe.
func (p *editPanel) likelihoodSection(a editActions) fyne.CanvasObject {
	p.likMap = widgets.NewTipCheck("Likelihood map", "Tint each patch by how surprising the model finds it (−log p), with a legend under the canvas (Ctrl+L)", func(on bool) {
		if !p.quietChange {
			a.likelihoodMap(on)
		}
	})
	p.worstLabel = widget.NewLabel("")
	p.worst = widgets.NewTipSlider(minWorstPercent, maxWorstPercent, "The share of patches, least likely first, that Resample the least likely redraws")
	p.worst.Step = 1
	p.worst.OnChanged = func(v float64) { p.worstLabel.SetText(fmt.Sprintf("%.0f%%", v)) }
	p.repair = widgets.NewTipButton("Resample the least likely", theme.MediaReplayIcon(), "Mask the least likely patches (by the likelihood map) and regenerate them", a.repair)
	p.describe = widgets.NewTipButton("Describe…", theme.SearchIcon(), describeTip, nil)
	return container.NewVBox(
		p.likMap,
		container.NewBorder(nil, nil, widget.NewLabel("Worst"), p.worstLabel, p.worst),
		p.repair,
		p.describe,
	)
}

// growSection: Extend ↓ with its rows and stride.
func (p *editPanel) growSection(a editActions) fyne.CanvasObject {
	p.extendLabel = widget.NewLabel("")
	p.extendRows = widgets.NewTipSlider(1, maxExtendRows, "How many patch rows Extend ↓ adds below the image")
	p.extendRows.Step = 1
	p.extendRows.OnChanged = func(v float64) { p.extendLabel.SetText(strconv.Itoa(int(v))) }
	p.strideLabel = widget.NewLabel("")
	p.stride = widgets.NewTipSlider(1, 2, "How many rows the model's window moves down at a time while extending")
	p.stride.Step = 1
	p.stride.OnChanged = func(v float64) { p.strideLabel.SetText(strconv.Itoa(int(v))) }
	p.extend = widgets.NewTipButton("Extend ↓", theme.MoveDownIcon(), "Grow the image downward, each new row drawn from the rows above it", a.extend)
	return container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel("Rows"), p.extendLabel, p.extendRows),
		container.NewBorder(nil, nil, widget.NewLabel("Stride"), p.strideLabel, p.stride),
		p.extend,
	)
}

// historySection: Undo and Redo.
func (p *editPanel) historySection(a editActions) fyne.CanvasObject {
	p.undo = widgets.NewTipButton("Undo", theme.ContentUndoIcon(), "Undo the last change of image, mask or temperatures (Ctrl+Z)", a.undo)
	p.redo = widgets.NewTipButton("Redo", theme.ContentRedoIcon(), "Redo what was undone (Ctrl+Shift+Z or Ctrl+Y)", a.redo)
	return container.NewGridWithColumns(2, p.undo, p.redo)
}

// imageSection: opening, exporting and copying the image.
func (p *editPanel) imageSection(a editActions) fyne.CanvasObject {
	p.open = widgets.NewTipButton("Open image…", theme.FolderOpenIcon(), "Open a picture (PNG, JPEG, GIF, BMP, TIFF or WebP): exactly, from its codes, when Tessera made it with this model (Ctrl+O)", a.open)
	p.export = widgets.NewTipButton("Export PNG…", theme.DocumentSaveIcon(), "Export the image as a PNG: where, how large and with which filter (Ctrl+S)", a.export)
	p.copyImage = widgets.NewTipButton("Copy image", theme.ContentCopyIcon(), "Copy the image to the clipboard, upscaled as for export (Ctrl+Shift+C)", a.copyImage)
	return container.NewVBox(p.open, p.export, p.copyImage)
}

// setValues shows stored settings without calling back.
func (p *editPanel) setValues(tool widgets.Tool, brush int, grid bool, candidates int, paintTemp float64, detail bool) {
	p.quietChange = true
	defer func() { p.quietChange = false }()
	p.detail.SetChecked(detail)
	p.tools.SetSelected(toolNames()[tool])
	p.setBrush(brush)
	p.grid.SetChecked(grid)
	p.candidates.SetValue(float64(candidates))
	p.candLabel.SetText(strconv.Itoa(candidates))
	p.tempValue.SetValue(paintTemp)
	p.tempLabel.SetText(fmt.Sprintf("%.2f", paintTemp))
	p.worst.SetValue(defaultWorstPercent)
	p.worstLabel.SetText(fmt.Sprintf("%d%%", defaultWorstPercent))
	p.extendRows.SetValue(4)
	p.extendLabel.SetText("4")
}

// setEditGuidance shows an edit's guidance scales without calling back.
func (p *editPanel) setEditGuidance(g editGuidance) {
	q := p.quietChange
	p.quietChange = true
	defer func() { p.quietChange = q }()
	p.guidance.SetValue(g.Guidance)
	p.imageGuidance.SetValue(g.Image)
	p.guidanceLabel.SetText(fmt.Sprintf("%g", g.Guidance))
	p.imageGuidanceLabel.SetText(fmt.Sprintf("%g", g.Image))
}

// setInstructions offers an edit model's instructions as completions.
func (p *editPanel) setInstructions(instructions []string) {
	p.offered = instructions
	p.instruction.SetOptions(instructions)
}

// setGridRows fits the stride setting to a model of gridRows patch rows
// (half the grid by default).
func (p *editPanel) setGridRows(gridRows int) {
	p.stride.Max = float64(max(2, gridRows-1))
	def := sampler.ExtendStride(0, gridRows)
	p.stride.SetValue(float64(def))
	p.strideLabel.SetText(strconv.Itoa(def))
	p.stride.Refresh()
}

// setOverlays shows the overlays box without calling back.
func (p *editPanel) setOverlays(on bool) {
	q := p.quietChange
	p.quietChange = true
	p.overlays.SetChecked(on)
	p.quietChange = q
}

// setLikelihoodMap shows the likelihood map toggle without calling back.
func (p *editPanel) setLikelihoodMap(on bool) {
	q := p.quietChange
	p.quietChange = true
	p.likMap.SetChecked(on)
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

// setTool shows the selected tool (ToolLine shows none: a mask tool
// picked then leaves it, where the brush shown could not be picked again).
func (p *editPanel) setTool(t widgets.Tool) {
	p.quietChange = true
	defer func() { p.quietChange = false }()
	if t == widgets.ToolLine {
		p.tools.SetSelected("")
		p.tempTools.SetSelected("")
		return
	}
	if t.PaintsTemperature() {
		p.tools.SetSelected("")
		p.tempTools.SetSelected(tempToolNames()[t-widgets.ToolTemperature])
		return
	}
	p.tempTools.SetSelected("")
	if names := toolNames(); int(t) < len(names) {
		p.tools.SetSelected(names[t])
	}
}
