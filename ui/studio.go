package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/sampler"
)

// Options configure the studio.
type Options struct {
	// Version is shown in the About dialog and written in metadata.
	Version string
	// Models lists and opens models (FolderModels{} when nil).
	Models Models
	// DefaultModel is opened when no model was used before ("" picks the
	// first built-in, if any).
	DefaultModel string
	// OutputsDir is where every result is saved (default: the folder set
	// in the settings, else ~/Pictures/Tessera, else app storage).
	OutputsDir string
	// StateDir holds the autosaved session (default: app storage).
	StateDir string
	// Workers caps the sampler's threads (0: all cores).
	Workers int

	// loop runs UI work from goroutines (Fyne's loop unless a test sets one).
	loop uiLoop
}

// historyLimit is how many outputs the history strip shows.
const historyLimit = 200

// autosaveDelay debounces session writes.
const autosaveDelay = 400 * time.Millisecond

// Studio is the main window and everything behind it.
type Studio struct {
	app  fyne.App
	win  fyne.Window
	opt  Options
	set  settings
	ctx  context.Context
	stop context.CancelFunc
	run  *runner
	prog progress
	save *autosaver
	clip imageClipboard
	loop uiLoop
	bg   sync.WaitGroup // background loads (history thumbnails)
	bgN  atomic.Int32   // how many of them run

	// UI goroutine state
	bundle     *bundle.Bundle
	modelKey   string
	doc        *Document
	docJSON    json.RawMessage
	params     Params // last valid panel parameters
	savedKeys  map[string]bool
	outputsDir string
	candidates []result
	lastErr    error
	closing    bool
	kept       *keptRun // the last run with its KV cache, to branch from
	scrub      int      // patches the timeline shows (-1: the whole image)
	heatOn     bool     // the likelihood map is shown
	heat       *scored  // the likelihood map's last score (nil: none yet)
	scoring    bool     // a likelihood map scoring runs
	streaming  bool     // a run paints the canvas (no likelihood map then)

	// widgets
	panel     *promptPanel
	edit      *editPanel
	canvas    *LiveCanvas
	bar       *widget.ProgressBar
	status    *widget.Label
	cands     *thumbStrip
	candBox   *fyne.Container
	candLabel *widget.Label
	history   *thumbStrip
	tl        *timeline
	legend    *heatLegend
	noModel   *fyne.Container
	lastLoad  time.Time

	// onPatch, when set (tests), sees each event after the canvas painted it.
	onPatch func(sampler.Event)
}

// NewStudio builds the studio window (not shown yet) and starts loading
// the last model and the autosaved work.
func NewStudio(a fyne.App, opt Options) *Studio {
	if opt.Models == nil {
		opt.Models = FolderModels{}
	}
	if opt.loop == nil {
		opt.loop = fyneLoop{}
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.NumCPU()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Studio{
		app: a, opt: opt, set: settings{p: a.Preferences()}, loop: opt.loop,
		ctx: ctx, stop: cancel,
		clip: systemClipboard, savedKeys: map[string]bool{}, scrub: -1,
	}
	s.run = newRunner(ctx, func() { s.loop.Do(s.updateButtons) })
	s.outputsDir = s.defaultOutputs()
	stateDir := opt.StateDir
	if stateDir == "" {
		stateDir = storageDir(a)
	}
	s.save = newAutosaver(filepath.Join(stateDir, sessionFile), autosaveDelay)
	s.win = a.NewWindow("Tessera")
	s.buildWidgets()
	s.win.SetContent(s.layout())
	s.win.Resize(s.set.WindowSize())
	s.win.SetMainMenu(s.mainMenu())
	s.addShortcuts()
	s.win.SetOnDropped(s.dropped)
	s.win.SetCloseIntercept(s.requestClose)
	s.win.SetMaster()
	s.restore()
	return s
}

// storageDir is the app's storage folder (the temp folder if it has none).
func storageDir(a fyne.App) string {
	if st := a.Storage(); st != nil && st.RootURI() != nil && st.RootURI().Path() != "" {
		return st.RootURI().Path()
	}
	return filepath.Join(os.TempDir(), "tessera")
}

// defaultOutputs picks the outputs folder.
func (s *Studio) defaultOutputs() string {
	if s.opt.OutputsDir != "" {
		return s.opt.OutputsDir
	}
	if d := s.set.Outputs(); d != "" {
		return d
	}
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		return filepath.Join(home, "Pictures", "Tessera")
	}
	return filepath.Join(storageDir(s.app), "outputs")
}

// Window is the studio's window.
func (s *Studio) Window() fyne.Window { return s.win }

// ShowAndRun shows the window and runs the app until it quits.
func (s *Studio) ShowAndRun() { s.win.ShowAndRun() }

// Canvas is the live canvas widget.
func (s *Studio) Canvas() *LiveCanvas { return s.canvas }

// Document is the current work (use on the UI goroutine).
func (s *Studio) Document() *Document { return s.doc }

// Bundle is the loaded model (nil when none).
func (s *Studio) Bundle() *bundle.Bundle { return s.bundle }

// Params reads the prompt panel.
func (s *Studio) Params() (Params, error) { return s.panel.Params() }

// SetParams shows params in the prompt panel.
func (s *Studio) SetParams(p Params) {
	s.panel.SetParams(p)
	s.paramsChanged()
}

// OutputsDir is the folder results are saved in.
func (s *Studio) OutputsDir() string { return s.outputsDir }

// Status is the text of the status line.
func (s *Studio) Status() string { return s.status.Text }

// Wait blocks until the running job and background loads end. Do not call
// it on the UI goroutine of a running app. With a loop that the caller
// pumps (tests), Wait runs the queued UI work meanwhile.
func (s *Studio) Wait() {
	if p, ok := s.loop.(pumper); ok {
		p.pumpUntil(func() bool { return s.run.Running() == "" && s.bgN.Load() == 0 })
		return
	}
	s.run.Wait()
	s.bg.Wait()
}

// goBackground runs fn on a goroutine that Wait waits for.
func (s *Studio) goBackground(fn func()) {
	s.bg.Add(1)
	s.bgN.Add(1)
	go func() {
		defer func() {
			s.bgN.Add(-1)
			s.bg.Done()
		}()
		fn()
	}()
}

// buildWidgets creates the panels, canvas and strips.
func (s *Studio) buildWidgets() {
	s.panel = newPromptPanel()
	s.panel.onGenerate = func() { s.report(s.Generate()) }
	s.panel.onStop = s.Stop
	s.panel.onModel = func(key string) { s.report(s.OpenModel(key)) }
	s.panel.onOpenDir = s.showModelFolderDialog
	for _, e := range []*widget.Entry{&s.panel.prompt.Entry, s.panel.negative, s.panel.topK, s.panel.seed} {
		prev := e.OnChanged
		e.OnChanged = func(t string) {
			if prev != nil {
				prev(t)
			}
			s.paramsChanged()
		}
	}
	for _, sl := range []*widget.Slider{s.panel.temperature, s.panel.topP, s.panel.guidance, s.panel.batch} {
		prev := sl.OnChanged
		sl.OnChanged = func(v float64) {
			if prev != nil {
				prev(v)
			}
			s.paramsChanged()
		}
	}
	s.panel.seedLock.OnChanged = func(bool) { s.paramsChanged() }

	s.canvas = NewLiveCanvas()
	s.canvas.post = s.loop.Do
	s.canvas.OnMaskEdited = s.maskEdited
	s.canvas.OnTemperatureEdited = s.tempEdited
	s.canvas.OnLinePicked = func(row int) { s.report(s.CompleteFrom(row)) }
	s.canvas.OnBrushSize = func(n int) {
		s.edit.setBrush(n)
		s.set.SetBrush(n)
	}
	s.canvas.OnFlush = s.updateProgress
	s.canvas.SetBrushSize(s.set.Brush())
	s.canvas.SetGridLines(s.set.Grid())

	s.bar = widget.NewProgressBar()
	s.bar.TextFormatter = func() string { return s.prog.State(time.Now()).String() }
	s.status = widget.NewLabel("")
	s.status.Truncation = fyne.TextTruncateEllipsis

	s.edit = newEditPanel(editActions{
		tool:       s.setTool,
		brush:      func(n int) { s.canvas.SetBrushSize(n); s.set.SetBrush(n) },
		grid:       func(on bool) { s.canvas.SetGridLines(on); s.set.SetGrid(on) },
		clearMask:  func() { s.report(s.ClearMask()) },
		invertMask: func() { s.report(s.InvertMask()) },
		candidates: func(n int) { s.set.SetCandidates(n) },
		regenerate: func() { s.report(s.RegenerateMasked()) },
		complete:   s.pickCompleteLine,
		resume:     func() { s.report(s.Resume()) },
		undo:       func() { s.report(s.Undo()) },
		redo:       func() { s.report(s.Redo()) },
		open:       s.showOpenImageDialog,
		scale:      func(k int) { s.set.SetScale(k) },
		filter:     func(f Filter) { s.set.SetFilter(f) },
		export:     s.showExportDialog,
		copyImage:  s.CopyImage,
		tempValue:  s.canvas.SetTemperatureValue,
		clearTemp:  func() { s.report(s.ClearTemperatureMap()) },
		heatMap:    s.SetLikelihoodMap,
		repair:     func() { s.report(s.RepairLeastLikely()) },
		extend:     func() { s.report(s.ExtendDown(int(s.edit.extendRows.Value), int(s.edit.stride.Value))) },
	})
	s.edit.setValues(ToolBrush, s.canvas.BrushSize(), s.canvas.GridLines(), s.set.Candidates(), s.set.Scale(), s.set.Filter())

	s.cands = newThumbStrip()
	s.candLabel = widget.NewLabel("Candidates")
	s.candBox = container.NewBorder(nil, nil, s.candLabel, nil, s.cands.scroll)
	s.candBox.Hide()
	s.history = newThumbStrip()
	s.tl = newTimeline(s.scrubTo, func() { s.report(s.BranchFromHere()) })
	s.legend = newHeatLegend()

	openDir := widget.NewButtonWithIcon(openFolderOption, theme.FolderOpenIcon(), s.showModelFolderDialog)
	openDir.Importance = widget.HighImportance
	gap := canvas.NewRectangle(color.Transparent)
	gap.SetMinSize(fyne.NewSize(1, 80)) // below the canvas's message
	s.noModel = container.NewCenter(container.NewVBox(gap, openDir))
	s.noModel.Hide()
}

// layout arranges the window.
func (s *Studio) layout() fyne.CanvasObject {
	tools := widget.NewToolbar(
		widget.NewToolbarAction(theme.ZoomInIcon(), func() { s.canvas.ZoomBy(zoomStep) }),
		widget.NewToolbarAction(theme.ZoomOutIcon(), func() { s.canvas.ZoomBy(1 / zoomStep) }),
		widget.NewToolbarAction(theme.ZoomFitIcon(), s.canvas.ZoomFit),
		widget.NewToolbarSeparator(),
		widget.NewToolbarAction(theme.ContentUndoIcon(), func() { s.report(s.Undo()) }),
		widget.NewToolbarAction(theme.ContentRedoIcon(), func() { s.report(s.Redo()) }),
		widget.NewToolbarSeparator(),
		widget.NewToolbarAction(theme.ContentCopyIcon(), s.CopyImage),
		widget.NewToolbarAction(theme.DocumentSaveIcon(), s.showExportDialog),
	)
	center := container.NewBorder(tools, container.NewVBox(s.tl.box, s.legend.box, s.bar, s.candBox), nil, nil,
		container.NewStack(s.canvas, s.noModel))
	inner := container.NewHSplit(center, s.edit.content)
	inner.SetOffset(0.77)
	main := container.NewHSplit(s.panel.content, inner)
	main.SetOffset(0.25)
	bottom := container.NewVBox(
		widget.NewSeparator(),
		container.NewBorder(nil, nil, widget.NewLabel("History"), nil, s.history.scroll),
		s.status,
	)
	return container.NewBorder(nil, bottom, nil, nil, main)
}

// report shows err, if any, in a dialog (see showError).
func (s *Studio) report(err error) {
	if err != nil {
		s.showError(err)
	}
}

// setStatus shows a message in the status line.
func (s *Studio) setStatus(msg string) { s.status.SetText(msg) }

// setTool selects a canvas tool.
func (s *Studio) setTool(t Tool) {
	s.canvas.SetTool(t)
	s.edit.setTool(t)
	switch t {
	case ToolLine:
		s.setStatus("Click the line on the canvas where resampling should start (rows above it are kept)")
	case ToolTemperature:
		s.setStatus(fmt.Sprintf("Paint temperature %.2f over patches (blue: cooler, red: warmer); generation, branching and regeneration use it", s.canvas.TemperatureValue()))
	case ToolTempEraser:
		s.setStatus("Paint over patches to return them to the global temperature")
	}
}

// pickCompleteLine enters the line tool for "Complete from here".
func (s *Studio) pickCompleteLine() {
	if s.doc == nil || s.doc.Empty() {
		s.showError(errNoImage)
		return
	}
	s.setTool(ToolLine)
}

// updateProgress shows the progress state (after each repaint).
func (s *Studio) updateProgress() {
	st := s.prog.State(time.Now())
	s.bar.SetValue(st.Fraction())
}
