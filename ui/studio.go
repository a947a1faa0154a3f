package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/gofrs/flock"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/internal/paths"
	"github.com/tessera-studio/tessera/ui/core"
	"github.com/tessera-studio/tessera/ui/widgets"
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
	// Model, when set, is opened first whatever model the last session
	// used (`tessera studio --model M`); that session's work stays with
	// its own model.
	Model string
	// OutputsDir is where every result is saved (default: the folder set
	// in the settings, else ~/Pictures/Tessera, else app storage).
	OutputsDir string
	// StateDir holds the autosaved session (default: app storage).
	StateDir string
	// LockSession takes the state folder's session lock (sessionLockFile):
	// a second studio on the same folder then neither restores nor
	// autosaves the session, and says so (two windows overwrote each
	// other's session.json, and the last to write won).
	LockSession bool
	// Workers caps the sampler's threads (0: all cores).
	Workers int
	// RunsDir holds the Train tab's run folders (default: ~/Tessera/runs;
	// the runs an earlier Tessera kept in the app's storage are listed too).
	RunsDir string
	// EditModel is the edit-by-instruction model (a built-in name or a
	// folder) the Edit by instruction box loads on first use; it is left
	// out of the model picker. "" is none (an edit model picked in the
	// model list then takes the box).
	EditModel string
	// EditModelSet says EditModel was asked for (tessera studio
	// --edit-model): it is used over the edit model folder picked in an
	// earlier session, which the box otherwise uses again.
	EditModelSet bool
	// StartNote is what opening the studio has to say first, on the status
	// line before the model's own note (the settings restored from their
	// copy, say).
	StartNote string
	// OpenImage is a picture (or a model folder) to open once the first
	// model has loaded, as a drop of it would ("tessera FILE.png": a file
	// manager's Open with).
	OpenImage string

	// loop runs UI work from goroutines (Fyne's loop unless a test sets one).
	loop uiLoop
}

// historyLimit is how many outputs the history strip shows.
const historyLimit = 200

// autosaveDelay debounces session writes.
const autosaveDelay = 400 * time.Millisecond

// progressMinWidth is the most width the progress bar asks of the window
// (its text is shown whole where the window is wider).
const progressMinWidth = 240

// minWindowSize is the smallest the window's content gets: a layout
// larger than that scrolls in it.
var minWindowSize = fyne.NewSize(minWindowW, minWindowH)

// Studio is the main window and everything behind it.
type Studio struct {
	app  fyne.App
	win  fyne.Window
	opt  Options
	set  settings
	ctx  context.Context
	stop context.CancelFunc
	runs *runs
	save *autosaver
	clip imageClipboard
	// paste reads an image from the system clipboard (Paste image).
	paste imagePaste
	// readImage reads and encodes an image file for Open (openImageFile
	// when nil; tests slow it down).
	readImage func(path string, b *bundle.Bundle) (*opened, error)
	// editSampler draws an edit by instruction's candidates (sampler.Edit
	// when nil; tests hand back chosen codes).
	editSampler func(ctx context.Context, eb *bundle.Bundle, opt sampler.Options, req sampler.EditRequest, emit func(sampler.Event)) (*sampler.Result, error)
	// reading is closed when the last picture read (readPicture) has
	// ended, read to its end or given up; set and read by the runner's
	// jobs, which run one at a time.
	reading chan struct{}
	loop    uiLoop
	bg      sync.WaitGroup // background loads (history thumbnails)
	bgN     atomic.Int32   // how many of them run

	// UI goroutine state
	bundle     *bundle.Bundle
	modelKey   string
	doc        *core.Document
	docJSON    json.RawMessage
	params     core.Params // last valid panel parameters
	savedKeys  map[string]bool
	outputsDir string
	lastErr    error
	// lastFocused is the control revealFocused last saw with the keyboard
	// focus.
	lastFocused fyne.Focusable
	// opened is the picture the image was opened from (openedFile).
	opened openedPicture
	// promptSwaps are the prompt panel's settings an opening replaced,
	// keyed by the opening's undo step: its undo puts back what the user
	// had typed (a history click emptied a negative prompt for good), its
	// redo the picture's again.
	promptSwaps map[uint64]promptSwap
	// promptLeft is the prompt panel's settings as an undo left each step
	// (kept while promptSwaps has an opening), and promptSet what the last
	// swap put in the panel, at undo step promptSetAt: a redo past an
	// opening brings back what the panel held at the steps after it, where
	// it kept the picture's prompt beside images made from another (until
	// the panel is edited).
	promptLeft  map[uint64]core.Params
	promptSet   *core.Params
	promptSetAt uint64
	// overlaysLeft is whether the mask and temperatures were shown on each
	// undo step when an undo left it: a redo back to the step shows them
	// as it did (a regeneration's mask, outlined after the run, came back
	// from Undo then Redo as a filled block over the new patches).
	overlaysLeft map[uint64]bool

	errDialog singleDialog // the error shown, until it is closed
	quitAsk   singleDialog // the question whether to quit, while shown
	promptAsk singleDialog // "Generate without a prompt?", while shown
	editAsk   singleDialog // "Edit with words left out?", while shown
	closing   bool
	// quitAfterRun says a quit asked during a generation waits for the
	// stopped run's picture to reach the canvas and the session file
	// (runnerIdle closes the window then; quitRunWait at most).
	quitAfterRun bool
	sessionLock  *flock.Flock // the state folder's session lock, held while the studio runs (Options.LockSession)
	// works holds the work of the other models used (see installBundle);
	// knownHashes maps model hashes to the keys that opened them.
	works       map[string]*modelWork
	knownHashes map[string]string
	// folderHashes are the weights hashes of recent model folders.
	folderHashes folderHashes
	// overlays reports whether the mask and the temperature map are drawn.
	overlays  bool
	statusLog []string

	// widgets
	panel     *promptPanel
	edit      *editPanel
	canvas    *widgets.LiveCanvas
	status    *widgets.TipLabel
	logButton *widgets.TipButton
	// statusRow is the status line and its log button, under the window's
	// scrolling frame (always in view) and shown with the Create tab.
	statusRow  *fyne.Container
	cands      *candidateStrip
	history    *historyPanel
	historyRow fyne.CanvasObject // the history strip in the layout, right of the candidates (hidden by View › History strip)
	stripSplit *container.Split  // the candidates | history row
	// fitWidth, while the editing panel is hidden for the window's (or
	// the screen's) width and not by View › Editing panel, is the layout's
	// narrowest with it: the panel is shown again once the window is that
	// wide (0: not hidden so). panelForced says View › Editing panel
	// showed it in a window narrower than the layout (it stays).
	fitWidth    float32
	panelForced bool
	editRow     fyne.CanvasObject // the editing panel in the layout, right of the canvas (hidden by View › Editing panel)
	editSplit   *container.Split  // the canvas and editing panel's split (laid out again when the panel comes or goes)
	files       *fileDialogs
	describer   *describer
	paint       *painter
	tl          *timeline
	likelihood  *likelihoodMap
	noModel     *fyne.Container
	zoomLabel   *widgets.TipLabel
	// toolUndo and toolRedo are the canvas toolbar's Undo and Redo.
	toolUndo, toolRedo *widgets.TipAction
	menu               map[string]*fyne.MenuItem
	tips               fyne.CanvasObject
	lastLoad           time.Time
	// ranTexts are the run fields' texts when the last run started
	// (fieldTexts): Ctrl+Z in one unchanged since undoes the image.
	ranTexts map[fyne.Focusable]string
	// startNote is what opening the studio had to say before its model
	// loaded (the last model folder gone), kept in front of the model's
	// status line.
	startNote string
	// homeFocused is what focusHome last focused: a picture opened while
	// the focus stays there moves it to the canvas.
	homeFocused fyne.Focusable
	homeTexts   map[fyne.Focusable]string // the text fields' texts then (fieldTexts)
	// thenOpen is a drawing model to open once the runner is idle: the model
	// asked for at start was an edit model (drawingModelFor). starting is
	// true from start until the first model is in place.
	thenOpen string
	starting bool

	// tabs are the window's tabs (Create, Train); train is the Train tab.
	tabs  *container.AppTabs
	train *TrainTab
	// memo is the memorisation check's state (CheckMemorised).
	memo memoCheck
	// editor is the Edit by instruction box's model (instruct.go).
	editor editor

	// onScrub, when set (tests), sees each number of patches the timeline
	// shows.
	onScrub func(k int)
}

// NewStudio builds the studio window (not shown yet) and starts loading
// the last model and the autosaved work.
func NewStudio(a fyne.App, opt Options) *Studio {
	if opt.Models == nil {
		opt.Models = FolderModels{}
	}
	if opt.loop == nil {
		opt.loop = newFyneLoop()
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.NumCPU()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Studio{
		app: a, opt: opt, set: settings{p: a.Preferences()}, loop: opt.loop,
		ctx: ctx, stop: cancel,
		clip: systemClipboard, paste: systemPaste, savedKeys: map[string]bool{},
		works: map[string]*modelWork{}, knownHashes: map[string]string{}, folderHashes: folderHashes{},
		editor:    editor{key: opt.EditModel},
		startNote: opt.StartNote,
	}
	s.runs = &runs{runner: newRunner(ctx, func() { s.loop.Do(s.runnerIdle) }), loop: s.loop, version: opt.Version, workers: opt.Workers}
	s.outputsDir = s.defaultOutputs()
	if chosen := s.set.Outputs(); chosen != "" && chosen == s.outputsDir && gone(chosen) {
		// Said at start: the History strip was empty without a word, and
		// the next save made the folder again (on the local disk, for a
		// drive not mounted).
		s.startNote = joinNotes(s.startNote, fmt.Sprintf("The outputs folder %s chosen in Settings is not there (moved, deleted, or on a drive not mounted): the next picture saved makes it again; Settings › Outputs folder chooses another", tildePath(chosen)))
	}
	stateDir := opt.StateDir
	if stateDir == "" {
		stateDir = storageDir(a)
	}
	s.save = newAutosaver(filepath.Join(stateDir, sessionFile), autosaveDelay)
	if opt.LockSession {
		s.lockSession(stateDir)
	}
	s.save.failed = func(err error) {
		s.loop.Do(func() {
			if !s.closing && !s.quitAsk.shown() { // quitting says so itself (unsavedReason)
				s.showError(fmt.Errorf("the work could not be kept for next time (%w): export the picture to keep it; the studio tries again at the next change", err))
			}
		})
	}
	if _, ours := a.Settings().Theme().(studioTheme); !ours {
		a.Settings().SetTheme(studioTheme{a.Settings().Theme()})
	}
	s.win = a.NewWindow("Tessera")
	// The file dialogs first: buttons, menus and the model picker bind its
	// methods as they are built (a nil receiver there crashed on Open).
	s.files = &fileDialogs{host: s, win: s.win, set: s.set, outputs: func() string { return s.outputsDir }, grid: func() bool { return s.canvas.GridLines() }}
	s.buildWidgets()
	s.train = newTrainTab(s.trainHost())
	s.tabs = container.NewAppTabs(container.NewTabItem(createTab, s.layout()), container.NewTabItem(trainTab, s.train.content))
	s.tabs.OnSelected = func(*container.TabItem) {
		if s.Tab() == trainTab {
			s.train.updateButtons() // what the Create tab did meanwhile (a model opened, a picture saved)
			s.statusRow.Hide()      // the Create tab's: the Train tab has its own
		} else {
			s.statusRow.Show()
		}
		if c := s.win.Content(); c != nil {
			c.Refresh() // the frame takes the status line's place, or gives it back
		}
		s.focusHome(true)
	}
	// On a screen smaller than the studio's narrowest layout (800×600, or
	// 1366×768 at a display scale of 150%) the window fits the screen and
	// scrolls, where it was wider than the screen with its right-hand
	// panel out of reach; at any larger size the scroll shows nothing.
	frame := container.NewScroll(s.tabs)
	frame.SetMinSize(minWindowSize)
	s.win.SetContent(widgets.WithTips(s.win, container.NewBorder(nil, s.statusRow, nil, nil, frame)))
	s.win.Resize(s.set.WindowSize())
	s.win.SetMainMenu(s.mainMenu())
	s.addShortcuts()
	s.win.SetOnDropped(s.files.dropped)
	s.win.SetCloseIntercept(s.requestClose)
	s.win.SetMaster()
	s.restore()
	if s.set.LikelihoodMap() {
		s.likelihood.Set(true) // as it was left
	}
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
	if dir, ok := paths.DefaultOutputs(); ok {
		return dir
	}
	return filepath.Join(storageDir(s.app), "outputs")
}

// Window is the studio's window.
func (s *Studio) Window() fyne.Window { return s.win }

// ShowAndRun shows the window and runs the app until it quits; a training
// run still going is paused then, with a checkpoint to resume from, and
// the settings and work are kept for next time however the app ended
// (Studio.endedOutside).
func (s *Studio) ShowAndRun() {
	s.app.Lifecycle().SetOnStarted(func() {
		fyne.Do(func() {
			s.fitToScreen()
			s.focusHome(false) // typing goes to the prompt from the start
		})
		go s.followFocus(s.ctx)
	})
	s.win.ShowAndRun()
	if e, ok := s.loop.(ender); ok {
		e.end() // however it ended: a job's late callback runs no more
	}
	s.endedOutside()
	s.train.shutdown()
}

// Canvas is the live canvas widget.
func (s *Studio) Canvas() *widgets.LiveCanvas { return s.canvas }

// Document is the current work (use on the UI goroutine).
func (s *Studio) Document() *core.Document { return s.doc }

// Bundle is the loaded model (nil when none).
func (s *Studio) Bundle() *bundle.Bundle { return s.bundle }

// Params reads the prompt panel.
func (s *Studio) Params() (core.Params, error) { return s.panel.Params() }

// SetParams shows params in the prompt panel.
func (s *Studio) SetParams(p core.Params) {
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
		p.pumpUntil(func() bool { return s.runs.runner.Running() == "" && s.bgN.Load() == 0 })
		return
	}
	s.runs.runner.Wait()
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
	s.panel.onGenerate = s.generateAsked
	s.panel.prompt.OnRedo = s.redoKey // Ctrl+Y as Ctrl+Shift+Z, in the three fields a run starts from
	s.panel.negative.OnRedo = s.redoKey
	s.panel.onStop = s.Stop
	s.panel.onReuse = func() { s.report(s.ReuseImageSeed()) }
	s.panel.onModel = func(key string) { s.report(s.OpenModel(key)) }
	s.panel.onOpenDir = s.files.showModelFolder
	for _, e := range []*widget.Entry{&s.panel.prompt.Entry, &s.panel.negative.Entry, &s.panel.topK.Entry, &s.panel.seed.Entry} {
		prev := e.OnChanged
		e.OnChanged = func(t string) {
			if prev != nil {
				prev(t)
			}
			s.paramsChanged()
		}
	}
	for _, sl := range []*widget.Slider{&s.panel.temperature.Slider, &s.panel.topP.Slider, &s.panel.guidance.Slider, &s.panel.minP.Slider, &s.panel.batch.Slider} {
		prev := sl.OnChanged
		sl.OnChanged = func(v float64) {
			if prev != nil {
				prev(v)
			}
			s.paramsChanged()
		}
	}
	s.panel.seedLock.OnChanged = func(bool) { s.paramsChanged() }
	s.panel.onStyle = s.paramsChanged

	s.canvas = widgets.NewLiveCanvas()
	s.runs.canvas = s.canvas
	s.canvas.SetPost(s.loop.Do)
	s.paint = &painter{host: s, canvas: s.canvas}
	s.canvas.OnMaskEdited = s.paint.maskEdited
	s.canvas.OnTemperatureEdited = s.paint.tempEdited
	s.canvas.OnLinePicked = func(row int) { s.report(s.CompleteFrom(row)) }
	s.canvas.OnBrushSize = func(n int) {
		s.edit.setBrush(n)
		s.set.SetBrush(n)
	}
	s.canvas.OnFlush = s.canvasFlushed
	s.canvas.OnOverlaysShown = func() { s.paint.setOverlays(true) }
	s.canvas.OnView = s.updateZoom
	s.canvas.SetBrushSize(s.set.Brush())
	s.canvas.SetGridLines(s.set.Grid())

	s.runs.bar = widget.NewProgressBar()
	s.runs.bar.TextFormatter = func() string { return s.runs.prog.State(time.Now()).String() }
	s.status = widgets.NewTipLabel("The status line: the last message (Status log… lists the earlier ones)")
	s.logButton = widgets.NewTipButton("", theme.ListIcon(), "Status log: every message of this session, in full", s.showStatusLog)
	s.logButton.Importance = widget.LowImportance
	// Under the window's scrolling frame, not in the Create tab's layout
	// (NewStudio): on a window smaller than the layout it was scrolled out
	// of view with the rest, and every message with it.
	s.statusRow = container.NewBorder(nil, nil, nil, s.logButton, s.status)
	s.zoomLabel = widgets.NewTipLabel("Zoom: screen pixels per image pixel, in percent (Fit: the image fills the canvas)")
	s.zoomLabel.Truncation = fyne.TextTruncateOff

	s.edit = newEditPanel(editActions{
		tool:       s.paint.chooseTool,
		brush:      func(n int) { s.canvas.SetBrushSize(n); s.set.SetBrush(n) },
		grid:       func(on bool) { s.canvas.SetGridLines(on); s.set.SetGrid(on) },
		clearMask:  func() { s.report(s.paint.ClearMask()) },
		invertMask: func() { s.report(s.paint.InvertMask()) },
		candidates: func(n int) { s.set.SetCandidates(n) },
		regenerate: func() { s.report(s.RegenerateMasked()) },
		complete:   s.pickCompleteLine,
		resume:     func() { s.report(s.Resume()) },
		undo:       func() { s.report(s.Undo()) },
		redo:       func() { s.report(s.Redo()) },
		open:       s.files.showOpen,
		export:     s.files.showExport,
		copyImage:  s.CopyImage,
		overlays:   s.paint.setOverlays,
		tempValue: func(v float64) {
			s.canvas.SetTemperatureValue(v)
			s.set.SetPaintTemperature(v) // the same at the next start
			if s.canvas.Tool() == widgets.ToolTemperature {
				s.setStatus(s.paint.temperatureToolStatus())
			}
		},
		clearTemp:     s.clearTemperatures,
		likelihoodMap: func(on bool) { s.likelihood.Set(on) },
		repair:        func() { s.report(s.RepairLeastLikely()) },
		extend:        func() { s.report(s.ExtendDown(int(s.edit.extendRows.Value), int(s.edit.stride.Value))) },
		instruct:      s.editAsked,
		sourceDetail:  s.set.SetSourceDetail,
		editGuidance:  s.chooseEditGuidance,
	})
	s.edit.instruction.OnRedo = s.redoKey // Ctrl+Y, as in the prompt
	s.edit.setValues(widgets.ToolBrush, s.canvas.BrushSize(), s.canvas.GridLines(), s.set.Candidates(), s.set.PaintTemperature(), s.set.SourceDetail())
	s.edit.setEditGuidance(s.set.EditGuidance().shown(nil)) // the edit model's own once it is loaded (setEditor)
	s.canvas.SetTemperatureValue(s.set.PaintTemperature())
	s.paint.panel = s.edit
	s.edit.instruction.OnChanged = s.instructionChanged
	// A box with the key has Escape: it leaves Complete from here's line
	// tool, else stops a run, as anywhere (the prompt had the focus after
	// typing, and Escape left the line tool on).
	s.edit.instruction.OnEscape = s.escapeInBox
	s.panel.prompt.OnEscape = s.escapeInBox
	s.panel.negative.OnEscape = s.escapeInBox
	s.describer = &describer{host: s, ctx: s.ctx, loop: s.loop, win: s.win, workers: s.opt.Workers, button: s.edit.describe}

	s.cands = newCandidateStrip(func(i int) { s.report(s.PickCandidate(i)) })
	s.history = newHistoryPanel(s, s.win, s.app)
	s.tl = newTimeline(s.ctx, s, s.loop, func() { s.report(s.BranchFromHere()) })
	s.likelihood = &likelihoodMap{host: s, canvas: s.canvas, legend: widgets.NewLikelihoodLegend(), toggle: func(on bool) {
		s.edit.setLikelihoodMap(on)
		s.set.SetLikelihoodMap(on) // on again at the next start
		if it := s.menu["likelihood"]; it != nil && it.Checked != on {
			it.Checked = on // Image › Likelihood map ticked as the box
			if m := s.win.MainMenu(); m != nil {
				m.Refresh()
			}
		}
	}}

	openDir := widgets.NewTipButton(openFolderOption, theme.FolderOpenIcon(), "Open a model folder in the Hugging Face layout (config.json, model.safetensors, and preprocessor_config.json or a ViT tokenizer's tokenizer_config.json), or a training run's folder", s.files.showModelFolder)
	openDir.Importance = widget.HighImportance
	gap := canvas.NewRectangle(color.Transparent)
	gap.SetMinSize(fyne.NewSize(1, 80)) // below the canvas's message
	s.noModel = container.NewCenter(container.NewVBox(gap, openDir))
	s.noModel.Hide()
}

// Minimum widths of the window's columns: the prompt panel, the canvas
// and the editing panel keep their labels and controls apart however small
// the window is made. Their sum, with the canvas's toolbar and the prompt
// panel's seed row (both wider than these), keeps the whole window within
// a 1024-pixel-wide screen (TestWindowFitsSmallScreens).
const (
	minPanelWidth  = 280
	minEditWidth   = 225
	minCanvasWidth = 330
	// minWindowW and minWindowH are the smallest the window's content
	// gets (a layout larger than that scrolls in it).
	minWindowW, minWindowH = 560, 380
)

// layout arranges the window. Everything under the canvas (timeline,
// likelihood legend, progress, candidates) and the history strip keep their
// place whether they show anything or not, so controls never move under
// the pointer.
func (s *Studio) layout() fyne.CanvasObject {
	// Undo and Redo follow the edit panel's buttons (updateButtons).
	s.toolUndo = widgets.NewTipAction(theme.ContentUndoIcon(), "Undo the last change of image, mask or temperatures (Ctrl+Z)", func() { s.report(s.Undo()) })
	s.toolRedo = widgets.NewTipAction(theme.ContentRedoIcon(), "Redo (Ctrl+Shift+Z or Ctrl+Y)", func() { s.report(s.Redo()) })
	tools := widget.NewToolbar(
		widgets.NewTipAction(theme.ZoomInIcon(), "Zoom in (Ctrl+=, or scroll up over the canvas)", func() { s.canvas.ZoomBy(widgets.ZoomStep) }),
		widgets.NewTipAction(theme.ZoomOutIcon(), "Zoom out (Ctrl+-, or scroll down over the canvas)", func() { s.canvas.ZoomBy(1 / widgets.ZoomStep) }),
		widgets.NewTipAction(theme.ZoomFitIcon(), "Fit the image to the canvas (Ctrl+0)", s.canvas.ZoomFit),
		widgets.NewTipAction(actualSizeIcon, "1:1 — one image pixel per screen pixel (Ctrl+1)", s.canvas.ZoomActual),
		widgets.ToolbarObject{Object: widgets.AtLeast(zoomLabelWidth(), s.zoomLabel)}, // a fixed width: the icons after it never move
		widget.NewToolbarSeparator(),
		s.toolUndo, s.toolRedo,
		widget.NewToolbarSeparator(),
		widgets.NewTipAction(theme.ContentCopyIcon(), "Copy the image to the clipboard (Ctrl+Shift+C)", s.CopyImage),
		widgets.NewTipAction(theme.DocumentSaveIcon(), "Export the image as a PNG, upscaled, with its settings (Ctrl+S)", s.files.showExport),
	)
	// The bar's minimum is its text's width: a long one ("… · ranking the
	// candidates by description margin…") widened the window past the
	// screen during a batch.
	under := container.NewVBox(s.tl.box, s.likelihood.legend.Object(), widgets.AtMostMin(progressMinWidth, s.runs.bar))
	center := container.NewBorder(tools, under, nil, nil, widgets.AtLeast(minCanvasWidth, container.NewStack(s.canvas, s.noModel)))
	s.editRow = widgets.AtLeast(minEditWidth, s.edit.content)
	if !s.set.EditPanelShown() {
		s.editRow.Hide()
	}
	inner := container.NewHSplit(center, s.editRow)
	s.editSplit = inner
	inner.SetOffset(0.77)
	main := container.NewHSplit(widgets.AtLeast(minPanelWidth, s.panel.content), inner)
	main.SetOffset(0.25)
	s.historyRow = s.history.Object()
	if !s.set.HistoryShown() {
		s.historyRow.Hide()
	}
	// The candidates and the history share one row of thumbnails under
	// everything, the history on the right: a row of its own under the
	// canvas took 116 px of its height, which at the default 1200×720
	// window cut the canvas to 3× a 64-px image where 4× now fits.
	strips := container.NewHSplit(s.cands.Object(), s.historyRow)
	strips.SetOffset(0.45)
	s.stripSplit = strips
	bottom := container.NewVBox(widget.NewSeparator(), strips) // the status line is the window's (statusRow)
	return container.NewBorder(nil, bottom, nil, nil, main)
}

// layoutMinSize is the smallest the window's layout gets before the
// window scrolls it.
func (s *Studio) layoutMinSize() fyne.Size { return s.tabs.MinSize() }

// EditPanelShown reports whether the editing panel is shown beside the
// canvas.
func (s *Studio) EditPanelShown() bool { return s.editRow.Visible() }

// SetEditPanelShown shows or hides the editing panel (View › Editing
// panel) and remembers the choice: hidden, its width goes to the canvas,
// and the window's narrowest is that much less (an 800-pixel-wide screen
// holds the studio without it). Its tools stay at hand from the menus and
// keys (Image › Regenerate masked, B and E for the brush and eraser); an
// action that needs the panel itself shows it again.
func (s *Studio) SetEditPanelShown(on bool) {
	s.showEditPanel(on)
	s.fitWidth = 0 // the user's choice now
	s.panelForced = on && s.win.Canvas().Size().Width < s.layoutMinSize().Width
	s.set.SetEditPanelShown(on)
	switch {
	case on && s.narrowNote():
		// The note that the panel was hidden is no longer true.
		msg := statusPanelShown
		if s.panelForced {
			msg = statusPanelScrolls
		}
		s.setStatus(msg)
	case !on && (s.status.Text == statusPanelShown || s.status.Text == statusPanelScrolls):
		s.setStatus("") // nor is the note that it was shown
	}
}

// narrowNote reports whether the status says the window or the screen was
// too narrow for the editing panel (fitPanelToWindow, fitTo).
func (s *Studio) narrowNote() bool {
	return strings.HasPrefix(s.status.Text, statusWindowNarrow) || strings.HasPrefix(s.status.Text, statusScreenNarrow)
}

// The status notes of the editing panel's place: hidden for the window's
// or the screen's width (fitPanelToWindow, fitTo), shown from the menu
// (SetEditPanelShown), which the notes that follow them replace.
const (
	statusWindowNarrow = "The window is too narrow"
	statusScreenNarrow = "The screen is too narrow"
	statusPanelShown   = "The editing panel is shown"
	statusPanelScrolls = statusPanelShown + "; the window scrolls sideways until it is wider"
)

// showEditPanel shows or hides the editing panel for this session only.
func (s *Studio) showEditPanel(on bool) {
	if on == s.editRow.Visible() {
		return
	}
	if on {
		s.editRow.Show()
	} else {
		// The focus goes with the panel: keys typed into a box no one
		// sees (the instruction's, where Return edits) went on there.
		inPanel := false
		if f, ok := s.win.Canvas().Focused().(fyne.CanvasObject); ok {
			inPanel = holds(s.edit.scroll, f)
		}
		s.editRow.Hide()
		if inPanel {
			s.focusHome(true)
		}
	}
	s.editSplit.Refresh() // the canvas takes the width (or gives it back) now, not at the next resize
	if it := s.menu["editpanel"]; it != nil {
		it.Checked = on
		if m := s.win.MainMenu(); m != nil {
			m.Refresh()
		}
	}
}

// HistoryShown reports whether the history strip is shown under the canvas.
func (s *Studio) HistoryShown() bool { return s.historyRow.Visible() }

// SetHistoryShown shows or hides the history strip (View › History strip,
// Ctrl+H) and remembers the choice: hidden, its width goes to the
// candidates beside it. Nothing in the history is lost.
func (s *Studio) SetHistoryShown(on bool) {
	if on {
		s.historyRow.Show()
	} else {
		s.historyRow.Hide()
	}
	if s.stripSplit != nil {
		s.stripSplit.Refresh() // the candidates take the width (or give it back) now, not at the next resize
	}
	s.set.SetHistoryShown(on)
	if it := s.menu["history"]; it != nil {
		it.Checked = on
		if m := s.win.MainMenu(); m != nil {
			m.Refresh()
		}
	}
}

// report shows err, if any, in a dialog (see showError).
func (s *Studio) report(err error) {
	if err != nil {
		s.showError(err)
	}
}

// statusLogLimit is how many status messages the log keeps.
const statusLogLimit = 200

// setStatus shows a message in the status line and keeps it in the log
// (the line cuts a long message; its tooltip and the log show it whole).
func (s *Studio) setStatus(msg string) {
	s.status.SetText(msg)
	s.logStatus(msg)
}

// amendStatus replaces the status line msg, if it is still shown, with
// more, in the line and in its log entry (an opened picture's line gains
// its bits per patch a moment later: one entry, not two).
func (s *Studio) amendStatus(msg, more string) {
	if s.status.Text != msg {
		return
	}
	s.status.SetText(more)
	if n := len(s.statusLog); n > 0 && strings.HasSuffix(s.statusLog[n-1], "  "+msg) {
		s.statusLog[n-1] = strings.TrimSuffix(s.statusLog[n-1], msg) + more
		return
	}
	s.logStatus(more)
}

// logStatus keeps msg in the status log (not a repeat of the last one).
func (s *Studio) logStatus(msg string) {
	if msg == "" || len(s.statusLog) > 0 && strings.HasSuffix(s.statusLog[len(s.statusLog)-1], "  "+msg) {
		return
	}
	s.statusLog = append(s.statusLog, time.Now().Format("15:04:05")+"  "+msg)
	if len(s.statusLog) > statusLogLimit {
		s.statusLog = s.statusLog[len(s.statusLog)-statusLogLimit:]
	}
}

// StatusLog is every status message of the session, oldest first.
func (s *Studio) StatusLog() []string { return slices.Clone(s.statusLog) }

// showStatusLog shows the status messages in full, newest first (a scroll
// set before the dialog is laid out does not hold, so the latest message
// is put where the dialog opens).
func (s *Studio) showStatusLog() {
	newest := slices.Clone(s.statusLog)
	slices.Reverse(newest)
	text := widget.NewLabel(strings.Join(newest, "\n"))
	text.Wrapping = fyne.TextWrapWord
	text.Selectable = true
	scroll := container.NewVScroll(text)
	scroll.SetMinSize(fyne.NewSize(560, 320))
	dialog.ShowCustom("Status log (newest first)", "Close", scroll, s.win)
}

// zoomLabelWidth fits the widest zoom the toolbar shows.
func zoomLabelWidth() float32 {
	return fyne.MeasureText("Fit 12800%", theme.TextSize(), fyne.TextStyle{}).Width + 2*theme.InnerPadding()
}

// globalTemperature is the panel's temperature (the last valid one).
func (s *Studio) globalTemperature() float64 {
	if p, err := s.panel.Params(); err == nil {
		return p.Temperature
	}
	return s.params.Temperature
}

// updateZoom shows the canvas's zoom in the toolbar.
func (s *Studio) updateZoom() {
	if s.zoomLabel == nil {
		return
	}
	pct := s.canvas.ZoomPercent()
	text := fmt.Sprintf("%.0f%%", pct)
	switch {
	case s.bundle == nil:
		text = "" // no image size to scale (it read "Fit 20100%" of a 1×1 placeholder)
	case s.canvas.Fitted():
		text = fmt.Sprintf("Fit %.0f%%", pct)
	}
	if s.zoomLabel.Text != text {
		s.zoomLabel.SetText(text)
	}
}

// pickCompleteLine enters the line tool for "Complete from here"; asked
// again while it is on, it leaves it (cancelLine).
func (s *Studio) pickCompleteLine() {
	if s.cancelLine() {
		return
	}
	if s.doc == nil || s.doc.Empty() {
		s.showError(errNoImage)
		return
	}
	s.paint.setTool(widgets.ToolLine)
}

// escapeInBox is Escape in a text box: it leaves the line tool, else
// does what Stop does where it is on, else says why a job running cannot
// be stopped (Stop, greyed out for a model load).
func (s *Studio) escapeInBox() {
	switch {
	case s.cancelLine():
	case !s.panel.stop.Disabled():
		s.panel.onStop()
	case s.Running() != "":
		s.Stop()
	}
}

// cancelLine leaves "Complete from here"'s line tool for the brush, when
// it is on (Esc, the action again, or a mask tool picked: the next click
// on the canvas, meant to paint, resampled the image), and says so.
func (s *Studio) cancelLine() bool {
	if s.canvas.Tool() != widgets.ToolLine {
		return false
	}
	s.paint.setTool(widgets.ToolBrush)
	s.setStatus(lineCancelled)
	return true
}

// actualSizeIcon is the 1:1 zoom's toolbar icon: "1:1" drawn in paths
// (Fyne's SVG renderer draws no text), in the theme's colour. The
// full-screen arrows it had read backwards beside Fit: on a 64×64 image,
// fitting enlarges and 1:1 shrinks.
var actualSizeIcon = theme.NewThemedResource(fyne.NewStaticResource("actual-size.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24">`+
	`<path fill="#000000" d="M5.5 6h2.5v12h-2.5v-9.2l-1.5 1v-2.4zM11 9h2.2v2.2h-2.2zM11 14h2.2v2.2h-2.2zM16.5 6h2.5v12h-2.5v-9.2l-1.5 1v-2.4z"/></svg>`)))

// chooseEditGuidance stores a guidance scale moved in the editing panel
// (g's other one is 0): the next edits run at it, after restarts too, the
// other scale staying as it was (the edit model's where never moved).
func (s *Studio) chooseEditGuidance(g editGuidance) {
	s.set.SetEditGuidance(g.over(s.set.EditGuidance()))
}
