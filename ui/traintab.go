package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/png" // sample grids
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/train"
	"github.com/tessera-studio/tessera/engine/trainjob"
	"github.com/tessera-studio/tessera/internal/plural"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// Data choices of the Train tab besides the built-in datasets.
const (
	dataFolder   = "Folder…"
	fromScratch  = "From scratch"
	fromCurrent  = "Fine-tune current model"
	trainFlush   = 100 * time.Millisecond // least time between two UI updates of a run
	logKeep      = 200                    // log lines a run keeps
	logShown     = 40                     // the last log lines the pane shows
	shutdownWait = 2 * time.Minute        // how long closing waits for a run's checkpoint
	// pickDataStatus is the tab's first status; notStartedData begins a
	// status about data that is missing (clearDataStatus).
	pickDataStatus = "Pick the data and a time budget, then Start"
	notStartedData = "Not started: "
	dataNotReady   = "data is not ready on this computer"
)

// trainHost is what the Train tab needs of the studio: narrow handles,
// so the tab can be built and tested on its own.
type trainHost struct {
	win     fyne.Window
	loop    uiLoop
	ctx     context.Context // cancelled when the studio closes
	version string
	// set keeps the form's time budget and threads for the next session.
	set settings
	// runsDir is where new runs go; oldRunsDir ("" for none) a folder of
	// runs made by an earlier Tessera, listed too.
	runsDir, oldRunsDir string
	// current is the model open on the Create tab (nil: none).
	current func() (key string, b *bundle.Bundle)
	// open loads a model by key (any goroutine).
	open func(key string) (*bundle.Bundle, error)
	// useModel opens a model folder in the model picker.
	useModel func(dir, note string) error
	// refresh loads the model folder dir again when it is the model open
	// on the Create tab (a run's model opened while the run went on, whose
	// weights the run has replaced since); it reports whether it did.
	refresh func(dir string) bool
	// showError reports an error in a dialog.
	showError func(error)
	// modelsGone refills the model picker after model folders were deleted.
	modelsGone func()
	// unsavedWork reports whether a model under dir holds a picture of the
	// Create tab's not yet saved (put aside when another model was opened);
	// dropWork forgets the work of the models under dir.
	unsavedWork func(dir string) bool
	dropWork    func(dir string)
	// ended follows the end of a run (nil: nothing to do): a quit
	// question asked while it trained says so no more.
	ended func()
}

// TrainTab is the studio's Train tab: it trains a model on a dataset
// (shapes, emoji, MNIST or a folder) from scratch or from the current
// model, shows the loss curve, a sample grid and the speed while it runs,
// pauses and resumes runs (also after the app was closed: the run folder
// keeps a checkpoint), and lists the runs made so far. Use it on the UI
// goroutine.
type TrainTab struct {
	h       trainHost
	content fyne.CanvasObject
	// accepted maps a data folder to the report lines the user said Yes
	// to this session (training goroutines read it through the UI loop):
	// the same report is not asked about again at the next Start.
	accepted map[string]string
	// asking says a run's question (the data report) is shown (UI
	// goroutine): quitting then loses no preparing.
	asking bool

	data     *widgets.TipSelect
	folder   string // the folder picked for dataFolder
	dataset  string // the data picked last (a built-in dataset, or dataFolder for folder), which a cancelled Folder… goes back to
	dataNote *widget.Label
	// stopFolderCheck cancels the check of the folder picked before
	// (checkFolder; nil: none going).
	stopFolderCheck context.CancelFunc
	from            *widgets.Choice
	keep            *widgets.TipCheck // a fine-tune replays what its model was trained on
	// keepWanted is the user's choice of keep, shown where it applies (a
	// fine-tune on a folder: trainjob.DefaultReplayFor); elsewhere keep is
	// shown off and greyed out, since nothing is replayed.
	keepWanted bool
	minutes    *widgets.TipEntry
	threads    *widgets.TipEntry
	// threadsAsked is the thread count typed when formThreads last cut it
	// to the cores (0: not cut), said when the run starts.
	threadsAsked int
	runDir       *widgets.TipEntry
	// openModel is the name of the model open on the Create tab ("": none).
	openModel string
	// typedMinutes is the time budget typed before a Resume, which the
	// resumed run's own budget replaced in the form until it ends.
	typedMinutes string
	start        *widgets.TipButton
	pause        *widgets.TipButton
	resume       *widgets.TipButton
	stop         *widgets.TipButton
	use          *widgets.TipButton
	del          *widgets.TipButton
	same         *widgets.TipButton // the run shown's settings into the form
	status       *widgets.TipLabel
	curve        *widgets.LossCurve
	samples      *canvas.Image
	sampleRows   *widget.Label // what each row of the sample grid was asked
	info         *widget.Label
	details      *container.Scroll // the info under the plots, scrolled
	// following is whether the details follow a live run's log, as a
	// terminal does: from the run's start until the user scrolls up
	// from the end (and again once they scroll back to it).
	following bool
	list      *widget.List

	runs  []*trainjob.RunInfo
	shown *trainjob.RunInfo // the run on display (nil: none)
	// highlighted is the list row selected (-1: none); quietSelect is set
	// while the tab selects the row of the run on display itself, so
	// that selecting does not show the run again.
	highlighted int
	quietSelect bool
	extra       []string    // run folders opened from elsewhere
	job         *trainJob   // the run in progress (nil: none)
	closed      atomic.Bool // the window has closed: no more widget updates (do)
	// dataReport is the last data report and logLines the log of the run
	// in logDir (this session's last run): kept when it is resumed, shown
	// only with that run.
	dataReport []string
	logLines   []string
	logDir     string
	lastErr    error
	// tune, when set (tests, screenshots), adjusts each new run's settings.
	tune func(*trainjob.Settings)
	// letGo says refocus let the focus go from a disabled run button
	// while the run's data was prepared.
	letGo bool
	// longBudgetOK says the user answered Yes to a budget over longBudget.
	longBudgetOK bool
	// pausedNote says, for the Create tab's status at start, that the
	// newest run is paused ("" when it is not): Tessera closed during a
	// run pauses it, and the studio reopens on the Create tab.
	pausedNote string
}

// longBudget is the time budget, in minutes, over which Start asks first
// (a day).
const longBudget = 24 * 60

// trainJob is a run in progress: the training goroutine fills the
// pending fields under mu; flush moves them to the widgets.
type trainJob struct {
	dir    string
	st     trainjob.Settings
	cancel context.CancelCauseFunc
	done   chan struct{} // closed when the training goroutine ends
	// ending says the run is being paused or stopped; listed that the
	// runs list shows it (UI goroutine).
	ending, listed bool

	mu      sync.Mutex
	due     bool      // a flush is scheduled
	losses  []float32 // training losses since the last flush
	info    train.StepInfo
	vals    []train.ValPoint // validation passes since the last flush
	allVals []train.ValPoint
	samples image.Image // a new sample grid (nil: none)
	// samplePrompts are its rows' prompts, top to bottom (nil: one row
	// without a prompt).
	samplePrompts []string
	log           lineLog
	// logFrom is how many of the tab's log lines came before this run's
	// start (a run that never started takes its lines back out).
	logFrom   int
	preparing bool // no step yet
	pausable  bool // a step has been shown (UI goroutine): there is a checkpoint to pause at
}

// newTrainTab builds the tab.
func newTrainTab(h trainHost) *TrainTab {
	t := &TrainTab{h: h}
	for _, d := range h.set.RunFolders() { // listed in an earlier session; gone ones are dropped
		if trainjob.IsRun(d) {
			t.extra = append(t.extra, d)
		}
	}
	t.data = widgets.NewTipSelect(append(trainjob.Datasets(), dataFolder), "The images to train on: built-in shapes (drawn, quick), emoji, MNIST digits, or a folder of your images (PNG, JPEG, GIF, BMP, TIFF, WebP) (captions from NAME.txt, the prompt a PNG records, or the file name)", t.dataChosen)
	t.dataNote = widget.NewLabel("")
	t.dataNote.Truncation = fyne.TextTruncateEllipsis
	t.dataNote.SizeName = theme.SizeNameCaptionText // a caption to the picker
	t.showData("shapes")
	t.keep = widgets.NewTipCheck("Keep what it drew", fmt.Sprintf("A fine-tune mixes pictures the model was trained on (emoji for the emoji model; needs make data) into %.0f%% of each batch, so that it learns yours without forgetting its own (rehearsal); off: yours alone, and it may forget. For a fine-tune on a folder of your images (a new model has nothing to keep). Such a run encodes those pictures before its time budget starts (about 2–3 minutes for the emoji model's on 2 cores; a resume of the run reuses them)", 100*trainjob.DefaultReplay), func(on bool) {
		if t.keepApplies() {
			t.keepWanted = on
		}
	})
	t.keepWanted = true
	t.from = widgets.NewChoice([]string{fromScratch, fromCurrent}, []string{
		"Train a new model with the dataset's preset architecture", "",
	}, func(string) { t.updateKeep() })
	t.from.Stack()
	t.from.SetSelected(fromScratch)
	t.updateKeep()
	// As wide as the label without a model whatever model is open: a
	// longer name moved the buttons below (fineTuneLabelMax keeps names
	// about as long).
	t.from.ReserveLabel("Fine-tune " + strings.Repeat("o", fineTuneLabelMax))
	t.ModelOpened("")
	t.minutes = widgets.NewTipEntry(false, "Time budget in minutes: the learning-rate schedule is fitted to it and training stops cleanly when it runs out (0: the dataset preset's full schedule); preparing the data (codebook, encoding) comes before it and is not counted; shapes and MNIST are prepared once and kept for later runs")
	t.minutes.SetText("10")
	t.threads = widgets.NewTipEntry(false, fmt.Sprintf("Threads training may use (of %d cores): fewer keep generating on the Create tab responsive", runtime.NumCPU()))
	t.threads.SetText(strconv.Itoa(defaultTrainThreads()))
	if h.set.p != nil {
		if m, n, ok := h.set.TrainBudget(); ok {
			t.minutes.SetText(strconv.FormatFloat(m, 'f', -1, 64))
			t.threads.SetText(strconv.Itoa(min(n, runtime.NumCPU())))
		}
		t.restoreData(h.set.TrainData())
	}
	t.runDir = widgets.NewTipEntry(false, "The run folder: prepared data, checkpoint, loss curve, samples and the model (empty: a new folder under "+h.runsDir+")")
	t.runDir.SetPlaceHolder("new folder in " + shortenPath(tildePath(h.runsDir), 28)) // "…me/Tessera/runs" hid where

	t.start = widgets.NewTipButton("Start", theme.MediaPlayIcon(), "Start a new training run with these settings", func() { t.report(t.Start()) })
	t.start.Importance = widget.HighImportance
	t.pause = widgets.NewTipButton("Pause", theme.MediaPauseIcon(), "Pause: save a checkpoint and stop; Resume continues exactly from it, also after Tessera was closed (once training has started: while the data is prepared there is nothing to save, and Stop cancels)", t.Pause)
	t.resume = widgets.NewTipButton("Resume", theme.MediaReplayIcon(), "Continue the run shown from its checkpoint, for what is left of its time budget (all of it again once it has run out; a run made by tessera train --minutes: for the Minutes above), on the Threads set above", func() { t.report(t.Resume()) })
	t.stop = widgets.NewTipButton("Stop", theme.MediaStopIcon(), "Stop the run: one last validation pass (the steps since the last one count), then save a checkpoint and keep the best model so far", t.Stop)
	t.del = widgets.NewTipButton("", theme.DeleteIcon(), "Delete the run shown: its folder, with its checkpoint, curves, samples and model (asks first)", t.AskDelete)
	t.same = widgets.NewTipButton("", theme.ContentCopyIcon(), "Fill the form with the settings of the run shown (its data, time budget, threads and what it started from), for a new run", func() { t.report(t.TakeSettings()) })
	t.use = widgets.NewTipButton("Use this model", theme.ConfirmIcon(), "Open the run's model (the weights with the best validation loss so far; a fine-tune on a folder's latest) in the model picker", func() { t.report(t.UseModel()) })

	t.status = widgets.NewTipLabel("The run's progress: step, speed, time left and loss")
	// Wrapped, not cut: a status says what to do next at its end ("…:
	// Resume continues it exactly"), which an ellipsis hid.
	t.status.Truncation, t.status.Wrapping = fyne.TextTruncateOff, fyne.TextWrapWord
	t.status.SetText(pickDataStatus)
	t.curve = widgets.NewLossCurve()
	t.samples = canvas.NewImageFromImage(nil)
	t.samples.FillMode = canvas.ImageFillContain
	t.samples.ScaleMode = canvas.ImageScalePixels
	t.samples.SetMinSize(fyne.NewSize(160, 160))
	t.sampleRows = widget.NewLabel("")
	t.sampleRows.Wrapping = fyne.TextWrapWord
	t.sampleRows.SizeName = theme.SizeNameCaptionText
	t.info = widget.NewLabel("")
	t.info.Wrapping = fyne.TextWrapWord
	t.info.Selectable = true

	t.list = widget.NewList(func() int { return len(t.runs) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(t.runs) {
				o.(*widget.Label).SetText(t.runLine(t.runs[i]))
			}
		})
	t.highlighted = -1
	t.list.OnSelected = func(i widget.ListItemID) {
		t.highlighted = i
		if i < len(t.runs) && !t.quietSelect {
			if t.job != nil && cleanPath(t.runs[i].Dir) != cleanPath(t.job.dir) {
				// Said in the log under the plots (the status line is the
				// run's, rewritten at every step), where the highlight
				// snapped back without a word.
				t.logLines = append(t.logLines, fmt.Sprintf("(the run in progress stays on display: %s can be looked at once it has ended or is paused)", filepath.Base(t.runs[i].Dir)))
				t.showInfo(t.job.st, "")
			}
			t.report(t.ShowRun(t.runs[i].Dir))
			// A run in progress stays on display, and a folder that cannot
			// be read shows nothing new: the highlight goes back to the run
			// on display either way.
			t.highlightShown()
		}
	}
	t.content = t.layout()
	t.RefreshRuns()
	// The newest run, paused when Tessera last closed, is one click from
	// going on: shown, and the status says so.
	if len(t.runs) > 0 && t.runs[0].Resumable() && t.runs[0].State() == trainjob.StatePaused {
		r := t.runs[0]
		if t.ShowRun(r.Dir) == nil {
			at := fmt.Sprintf("%s was paused at step %s / %s", filepath.Base(r.Dir), plural.Thousands(r.Step), plural.Thousands(r.TotalSteps))
			t.status.SetText(at + ": Resume continues it exactly")
			t.pausedNote = "The training run " + at + ": the Train tab's Resume continues it"
		}
	}
	t.updateButtons()
	return t
}

// withoutRunTime is a model's name less the time a run folder's name
// ends with ("icons-20261203-093533" → "icons"): a fine-tune's run folder
// names its base model without nesting another run's time.
func withoutRunTime(name string) string {
	if i := len(name) - len("-20060102-150405"); i > 0 && name[i] == '-' {
		if _, err := time.Parse("20060102-150405", name[i+1:]); err == nil {
			return name[:i]
		}
	}
	return name
}

// fineTuneTag names a fine-tune's run folder by its data and base model
// ("pics-emoji"), or by the base alone when the base is named for that
// data already: a fine-tune of run pics-emoji on pics again was
// "pics-pics-emoji-…".
func fineTuneTag(data, base string) string {
	if base == data || strings.HasPrefix(base, data+"-") {
		return base
	}
	return data + "-" + base
}

// fineTuneLabelMax is the longest model name the fine-tune option shows
// whole (without a trained run's time); a longer one keeps its start: the
// option sets the width of the tab's left side, which a 24-letter name
// widened over half the window. The option keeps the width of "Fine-tune "
// and 13 round letters (Choice.ReserveLabel), about that of "Fine-tune
// current model".
const fineTuneLabelMax = 13

// initModelName is the name of the model a fine-tune st starts from: its
// bundle's, else its key's (a built-in name, or a model folder named by
// its run folder when it is a run's model).
func initModelName(st trainjob.Settings) string {
	if st.Init != nil {
		return st.Init.Name
	}
	dir := filepath.Clean(st.InitModel)
	if filepath.Base(dir) == "model" && filepath.Dir(dir) != dir {
		dir = filepath.Dir(dir)
	}
	return filepath.Base(dir)
}

// runsListMin is the least height of the runs list, in pixels: about
// three runs.
const runsListMin = 120

// ModelOpened names the model open on the Create tab (name; "" for none)
// in the fine-tune option: "Fine-tune emoji", so it is clear which model
// a fine-tune starts from.
func (t *TrainTab) ModelOpened(name string) {
	t.openModel = name
	t.labelFineTune()
}

// labelFineTune names the model a fine-tune starts from in the fine-tune
// option: the run's own base while a fine-tune runs (the greyed form is
// that run's; it named the model the Create tab opened meanwhile), else
// the model open on the Create tab.
func (t *TrainTab) labelFineTune() {
	name := t.openModel
	if t.job != nil && t.job.st.InitModel != "" {
		name = initModelName(t.job.st)
	}
	defer func() {
		if t.del != nil { // built: ModelOpened first runs while the tab is
			t.updateButtons() // Delete is off while the run's model is open
		}
	}()
	if name == "" {
		t.from.SetOptionLabel(fromCurrent, fromCurrent,
			"Continue training the model open on the Create tab (none is open yet) on this data: its image tokenizer, size and words are kept, new caption words are added")
		t.updateKeep()
		return
	}
	short := withoutRunTime(name)
	if r := []rune(short); len(r) > fineTuneLabelMax {
		short = string(r[:fineTuneLabelMax-1]) + "…"
	}
	tip := fmt.Sprintf("Continue training %s, the model open on the Create tab, on this data: its image tokenizer, size and words are kept, new caption words are added "+
		"(to fine-tune another model, the built-in emoji say, pick it in the Create tab's model picker first)", name)
	if name != t.openModel {
		tip = fmt.Sprintf("The run in progress fine-tunes %s: its image tokenizer, size and words are kept, new caption words are added", name)
	}
	t.from.SetOptionLabel(fromCurrent, "Fine-tune "+short, tip)
	t.updateKeep()
}

// defaultTrainThreads is half the cores, at least one: training leaves
// the rest to generating.
func defaultTrainThreads() int { return max(1, runtime.NumCPU()/2) }

// layout arranges the tab: the settings, buttons and runs on the left;
// the status, loss curve, sample grid and report on the right.
func (t *TrainTab) layout() fyne.CanvasObject {
	form := container.New(layout.NewFormLayout(),
		widget.NewLabel("Data"), container.NewVBox(t.data, t.dataNote),
		widget.NewLabel("Start from"), container.NewVBox(t.from.Object(), t.keep),
		// The budget and the thread cap share a row, so that the form
		// is no taller than the Create tab's panel.
		widget.NewLabel("Minutes"), container.NewGridWithColumns(2, t.minutes, container.NewBorder(nil, nil, widget.NewLabel("Threads"), nil, t.threads)),
		widget.NewLabel("Run folder"), t.runDir,
	)
	buttons := container.NewGridWithColumns(2, t.start, t.resume, t.pause, t.stop)
	runsBar := container.NewBorder(nil, nil, widget.NewLabelWithStyle("Runs", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), container.NewHBox(
		widgets.NewTipButton("", theme.ViewRefreshIcon(), "Read the run folders again", t.Reread),
		widgets.NewTipButton("", theme.FolderOpenIcon(), "Show a run folder from elsewhere (made by tessera train --out)", t.showRunFolderDialog),
		t.same,
		t.del,
	))
	// The settings scroll where the window is short, so that the buttons
	// stay in view and the runs list keeps room for a few runs (at
	// 800×600 it had none).
	below := container.NewVBox(buttons, t.use, widget.NewSeparator(), runsBar)
	left := widgets.TopFirst(form, container.NewBorder(below, nil, nil, nil, t.list), below.MinSize().Height+runsListMin)
	samplesBox := container.NewBorder(widget.NewLabelWithStyle("Samples", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), t.sampleRows, nil, nil, t.samples)
	plots := container.NewHSplit(t.curve, samplesBox)
	plots.SetOffset(0.62)
	t.details = container.NewVScroll(t.info)
	t.details.SetMinSize(fyne.NewSize(200, 90))
	t.details.OnScrolled = func(p fyne.Position) { t.following = t.atEnd(p.Y) }
	right := container.NewVSplit(plots, t.details)
	right.SetOffset(0.72)
	main := container.NewHSplit(widgets.AtLeast(minPanelWidth+40, left), container.NewBorder(t.status, nil, nil, nil, right))
	main.SetOffset(0.3)
	return main
}

// report shows err in a dialog and keeps it (see LastError).
func (t *TrainTab) report(err error) {
	if err == nil {
		return
	}
	var refused *trainjob.NotPicturesError
	if errors.As(err, &refused) {
		err = studioRefusal{refused} // what to do in the tab, not on the command line
	}
	t.lastErr = err
	if t.h.showError != nil {
		t.h.showError(err)
	}
}

// studioRefusal is a data folder refused (a run's or a model's) in the
// Train tab's words.
type studioRefusal struct{ *trainjob.NotPicturesError }

func (e studioRefusal) Error() string { return e.InStudio() }
func (e studioRefusal) Unwrap() error { return e.NotPicturesError }

// LastError is the last error the tab reported (nil: none).
func (t *TrainTab) LastError() error { return t.lastErr }

// Status is the text of the tab's status line.
func (t *TrainTab) Status() string { return t.status.Text }

// Info is the text under the plots: the data report, the run's settings
// and its log.
func (t *TrainTab) Info() string { return t.info.Text }

// Running reports whether a run is in progress.
func (t *TrainTab) Running() bool { return t.job != nil }

// Preparing reports whether a run is checking and preparing its data,
// work that no file keeps yet (quitting loses it): not while the data
// report's question waits, nor once the prepared data is saved in the run
// folder (a resumed run, a fine-tune's first validation pass), nor while
// the run ends.
func (t *TrainTab) Preparing() bool {
	j := t.job
	if j == nil || j.ending || t.asking {
		return false
	}
	j.mu.Lock()
	preparing := j.preparing
	j.mu.Unlock()
	if !preparing {
		return false
	}
	_, err := os.Stat(trainjob.PreparedPath(j.dir))
	return err != nil
}

// progress is the step the run in progress has reached and its schedule's
// length, as the curve knows them (before the length is known, the count
// of validation passes stands in for it, as the runs list had it).
func (t *TrainTab) progress() (step, total int) {
	step, total = t.curve.Counts()
	if t.curve.Total() > 0 {
		total = t.curve.Total()
	}
	return step, total
}

// QuitNote says what quitting does to the run in progress, for the quit
// question: "" when no run trains now (none, one still preparing its data,
// which Preparing covers, or one already pausing or stopping). Quitting
// loses nothing of a run that trains (shutdown pauses it at a checkpoint),
// but it stops work the user started, so the studio asks first.
func (t *TrainTab) QuitNote() string {
	j := t.job
	if j == nil || j.ending || t.Preparing() {
		return ""
	}
	if !j.pausable {
		// Its data prepared, its model being built: quitting ends it
		// before its first checkpoint, with nothing to resume (it closed
		// without a word and was listed as paused, Resume off).
		return fmt.Sprintf("The Train tab is starting %s (its data is prepared; its first step is not taken yet). Quitting now ends it before its first checkpoint, with nothing to resume: Start with its run folder trains it anew, its prepared data kept.",
			filepath.Base(j.dir))
	}
	step, total := t.progress()
	// The step is the one reached when asked: the question stays up while
	// the run goes on, so it says "was at" (it read as the step now).
	return fmt.Sprintf("The Train tab is training %s (it was at step %s of %s when you asked). Quitting pauses it: the step under way finishes and a checkpoint is saved, and Resume on the Train tab continues it, also after Tessera is opened again.",
		filepath.Base(j.dir), plural.Thousands(step), plural.Thousands(total))
}

// RunDir is the folder of the run on display ("" when none).
func (t *TrainTab) RunDir() string {
	if t.job != nil {
		return t.job.dir
	}
	if t.shown != nil {
		return t.shown.Dir
	}
	return ""
}

// Runs lists the run folders the tab shows, newest first.
func (t *TrainTab) Runs() []*trainjob.RunInfo { return t.runs }

// SetData picks the data: a built-in dataset name or a folder path.
func (t *TrainTab) SetData(name string) {
	if bundle.IsFolder(name) {
		t.setFolder(name)
		return
	}
	t.showData(name)
}

// showData shows a built-in dataset as the data picked, with a line on what
// it is where a folder's path goes: the line is always there, so that
// picking a folder does not move the buttons below.
func (t *TrainTab) showData(name string) {
	t.clearDataStatus()
	t.dataset = name
	t.data.Quiet(func() { t.data.SetSelected(name) })
	t.dataNote.SetText(datasetNote(name))
	t.noteMissing(name)
	t.updateKeep()
}

// noteMissing says on the data's line when built-in dataset name is not on
// this computer yet (it was said only once Start failed), checked off the
// UI goroutine (MNIST's asks the go command where its module is).
func (t *TrainTab) noteMissing(name string) {
	var present func() error
	switch name {
	case "emoji":
		present = func() error { return data.EmojiPresent("") }
	case "mnist":
		present = func() error { return data.MNISTPresent(context.Background()) }
	default:
		return
	}
	go func() {
		if present() == nil {
			return
		}
		t.do(func() {
			if t.dataset == name && t.job == nil {
				t.dataNote.SetText(datasetNote(name) + ": not fetched yet")
			}
		})
	}()
}

// datasetNote says in a few words what a built-in dataset is.
func datasetNote(name string) string {
	switch name {
	case "shapes":
		return "Drawn here: no download"
	case "emoji":
		return "Six styles (make data)"
	case "mnist":
		return "Handwritten digits (GoMNIST)"
	}
	return ""
}

// restoreData picks the data of the last run started in an earlier
// session: a built-in dataset, or a folder that is still there (else the
// form keeps its default).
func (t *TrainTab) restoreData(name string) {
	if bundle.IsFolder(name) {
		if fi, err := os.Stat(name); err == nil && fi.IsDir() && trainjob.CheckDataFolder(name) == nil {
			t.setFolder(name)
		}
		return
	}
	if slices.Contains(trainjob.Datasets(), name) {
		t.SetData(name)
	}
}

// TakeSettings fills the form with the settings of the run shown, for a
// new run like it: its data (a folder that is gone is an error), time
// budget and threads, and a fine-tune when it fine-tuned the model open on
// the Create tab (one that fine-tuned another model is started from
// scratch, and the status says which model to open). The run folder is
// left empty: Start makes a new one.
func (t *TrainTab) TakeSettings() error {
	run := t.shown
	switch {
	case t.job != nil:
		return errors.New("train: a run is in progress: its settings are in the form")
	case run == nil:
		return errors.New("train: pick a run in the list first")
	case run.Record == nil:
		return fmt.Errorf("train: %s has no %s (made by an older Tessera?): its settings are unknown", run.Dir, trainjob.RecordFile)
	}
	st := run.Record.Settings
	if bundle.IsFolder(st.Data) {
		if fi, err := os.Stat(st.Data); err != nil || !fi.IsDir() {
			return fmt.Errorf("train: the run's data folder %s is not there any more", st.Data)
		}
	}
	t.SetData(st.Data)
	threads := st.Threads
	if threads <= 0 {
		threads = defaultTrainThreads()
	}
	t.SetBudget(st.Minutes, min(threads, runtime.NumCPU()))
	t.runDir.SetText("")
	if other := t.formStart(st); other {
		// Said first, where a status line cut short still shows it.
		t.status.SetText(fmt.Sprintf("From scratch, not as a fine-tune: %s fine-tuned %s, which is not the model open (open it on the Create tab and choose Fine-tune to do the same); the rest of the form holds its settings",
			filepath.Base(run.Dir), modelLabel(st.InitModel)))
		return nil
	}
	t.status.SetText(fmt.Sprintf("The form holds the settings of %s: Start makes a new run like it in a new folder", filepath.Base(run.Dir)))
	return nil
}

// formStart sets the form's start (from scratch or a fine-tune of the open
// model) and "Keep what it drew" as run settings st had them; other
// reports a fine-tune of another model than the one open, which the form
// cannot show: it says from scratch then.
func (t *TrainTab) formStart(st trainjob.Settings) (other bool) {
	key, b := t.h.current()
	t.keepWanted = true // the default, unless the run fine-tuned the open model without it
	switch {
	case st.InitModel == "":
		t.SetFineTune(false)
	case b != nil && cleanKey(key) == cleanKey(st.InitModel):
		t.SetFineTune(true)
		// Ticked unless the run fine-tuned without replay where it could
		// have (one left out for want of data was asked for: ReplayIfPresent).
		t.keepWanted = st.Replay > 0 || st.ReplayIfPresent || !trainjob.DefaultReplayFor(st)
		t.updateKeep()
	default:
		t.SetFineTune(false)
		return true
	}
	return false
}

// cleanKey is a model key to compare: a folder's clean absolute path, a
// built-in's name.
func cleanKey(key string) string {
	if isFolderKey(key) {
		return cleanPath(key)
	}
	return key
}

// SetBudget sets the time budget in minutes and the thread cap.
func (t *TrainTab) SetBudget(minutes float64, threads int) {
	t.minutes.SetText(strconv.FormatFloat(minutes, 'g', -1, 64))
	t.threads.SetText(strconv.Itoa(threads))
}

// SetRunFolder sets the folder of the next run ("": a new one under the
// runs folder).
func (t *TrainTab) SetRunFolder(dir string) { t.runDir.SetText(dir) }

// SetFineTune chooses between training from scratch and fine-tuning the
// current model.
func (t *TrainTab) SetFineTune(on bool) {
	if on {
		t.from.SetSelected(fromCurrent)
	} else {
		t.from.SetSelected(fromScratch)
	}
}

// SetTune sets fn to adjust the settings of each run started from the
// form (smaller models for tests and screenshots); nil for none.
func (t *TrainTab) SetTune(fn func(*trainjob.Settings)) { t.tune = fn }

// Curve reports how many training steps and validation passes the loss
// curve shows.
func (t *TrainTab) Curve() (steps, vals int) { return t.curve.Counts() }

// SamplesShown reports whether a sample grid is shown.
func (t *TrainTab) SamplesShown() bool { return t.samples.Image != nil }

// dataChosen follows the data picker: Folder… asks for the folder.
func (t *TrainTab) dataChosen(v string) {
	defer t.updateKeep() // a fine-tune on a folder replays; on a built-in dataset not
	t.clearDataStatus()
	if v != dataFolder {
		t.dataset = v
		t.dataNote.SetText(datasetNote(v))
		t.noteMissing(v)
		return
	}
	d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		switch {
		case err != nil:
			t.report(fmt.Errorf("choose an image folder: %w", err))
		case dir != nil:
			if err := trainjob.CheckDataFolder(dir.Path()); err != nil {
				t.report(err) // a run's or a model's folder: the pick is undone below
				break
			}
			t.setFolder(dir.Path())
			return
		}
		// Nothing picked (or refused): back to the data picked before.
		if t.dataset == dataFolder && t.folder != "" {
			t.setFolder(t.folder)
		} else {
			t.showData(cmp.Or(t.dataset, "shapes"))
		}
	}, t.h.win)
	d.Resize(dialogSize(t.h.win))
	d.Show()
}

// clearDataStatus takes back a status about the data picked before
// ("Not started: the emoji data is not ready…"), which stayed after
// another was picked; other statuses (a run's) stay.
func (t *TrainTab) clearDataStatus() {
	if t.status != nil && t.job == nil && strings.HasPrefix(t.status.Text, notStartedData) { // nil: the tab being built
		missing := strings.HasSuffix(t.status.Text, dataNotReady)
		t.status.SetText(pickDataStatus)
		// The settings of a run that did not start for want of its data go
		// with it (they read "mnist, fine-tuning mnist, 28×28" beside
		// shapes picked); a data report declined stays, to fix the files
		// it lists.
		if !missing {
			return
		}
		if t.shown != nil {
			t.show(t.shown)
		} else {
			t.showInfo(trainjob.Settings{}, "")
		}
	}
}

// setFolder picks a folder of images as the data.
func (t *TrainTab) setFolder(dir string) {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	t.folder, t.dataset = dir, dataFolder
	t.clearDataStatus()
	t.data.Quiet(func() { t.data.SetSelected(dataFolder) })
	t.dataNote.SetText(shortenPath(dir, 40))
	t.updateKeep()
	t.checkFolder(dir)
}

// checkFolder reads the folder picked in the background (data.CheckFolder,
// as Start's data report does) and adds to the data line how many pictures
// it can train on and how many files the report will point at: picking a
// folder said nothing of it until Start.
func (t *TrainTab) checkFolder(dir string) {
	if t.stopFolderCheck != nil {
		t.stopFolderCheck()
	}
	ctx, cancel := context.WithCancel(t.h.ctx)
	t.stopFolderCheck = cancel
	go func() {
		defer cancel()
		rep, err := data.CheckFolder(ctx, dir)
		if ctx.Err() != nil {
			return
		}
		t.do(func() {
			if t.folder == dir && t.data.Selected == dataFolder {
				t.dataNote.SetText(folderLine(dir, rep, err))
			}
		})
	}()
}

// folderLine is the data line of a folder checked: its path, the pictures
// it can train on and the files Start's report points at ("…/pics · 12
// pictures, 5 files to look at").
func folderLine(dir string, rep *data.FolderReport, err error) string {
	line := shortenPath(dir, 24) + " · "
	switch {
	case err != nil:
		return line + "cannot be read"
	case rep.Images == 0 && len(rep.Folders) > 0:
		// Said when the folder is picked, not only after Start.
		return line + fmt.Sprintf("no picture here (only the folder's own are read, not those of the %s inside: pick the one that holds them)", plural.N(len(rep.Folders), "folder", "folders"))
	case rep.Usable == 0:
		return line + "no picture to train on"
	}
	line += plural.N(rep.Usable, "picture", "pictures")
	if n := rep.Problems(); n > 0 {
		line += ", " + plural.N(n, "file", "files") + " to look at (Start shows them)"
	}
	return line
}

// maxMinutes is the longest time budget the form takes (about two years;
// trainjob.Settings.Check refuses more).
const maxMinutes = 1e6

// settings reads the form as the settings of a new run.
func (t *TrainTab) settings() (trainjob.Settings, error) {
	name := t.data.Selected
	if name == dataFolder {
		if t.folder == "" {
			return trainjob.Settings{}, errors.New("train: choose a folder of images first (Data: Folder…)")
		}
		name = t.folder
	}
	st := trainjob.Preset(name)
	m, err := t.formMinutes()
	if err != nil {
		return st, err
	}
	if m > 0 {
		st.Minutes, st.Budget, st.Epochs = m, m, 0 // the schedule is fitted to the budget, the run's whole
	}
	n, ok := t.formThreads()
	if !ok {
		return st, fmt.Errorf("train: threads %q: give a whole number from 1 to %d", t.threads.Text, runtime.NumCPU())
	}
	st.Threads = n
	tag := st.DataName()
	if t.from.Selected == fromCurrent {
		key, b := t.h.current()
		if b == nil {
			return st, errors.New("train: no model is open to fine-tune: open one on the Create tab, or train from scratch")
		}
		st.Init, st.InitModel = b, key
		if bundle.IsFolder(st.Data) {
			st.LR = trainjob.FineTuneLR(st.LR) // at the preset's, it forgot what it knew in a minute
			if d, wd, ok := trainjob.BaseRegularization(key); ok {
				st.Dropout, st.WeightDecay = d, wd // as it was trained: dropout undid the emoji model's recall
			}
		}
		if t.keep.Checked && trainjob.DefaultReplayFor(st) {
			// Left out with a warning when its data is not on this machine.
			st.Replay, st.ReplayIfPresent = trainjob.DefaultReplay, true
		}
		tag = fineTuneTag(tag, sanitizeName(withoutRunTime(b.Name)))
	}
	// "~/…" is in the home folder, as the field's own "new folder in
	// ~/Tessera/runs" invites (a folder named "~" was made in the working
	// folder), and a relative path is refused, as Settings refuses one:
	// the studio's working folder is nothing the user chose.
	if st.OutDir, err = expandHome(strings.TrimSpace(t.runDir.Text)); err != nil {
		return st, fmt.Errorf("train: run folder %w", err)
	}
	switch {
	case st.OutDir == "":
		st.OutDir = filepath.Join(t.h.runsDir, sanitizeName(tag)+"-"+time.Now().Format("20060102-150405"))
	case st.OutDir == "." || st.OutDir == "..":
		// Not names: joined to the runs folder they are that folder
		// itself, or the folder above it.
		return st, fmt.Errorf("train: run folder %q is not a name for a run: give a name (a new folder in %s) or a full path", st.OutDir, tildePath(t.h.runsDir))
	case !strings.ContainsRune(st.OutDir, filepath.Separator):
		st.OutDir = filepath.Join(t.h.runsDir, st.OutDir) // a bare name is a folder in the runs folder
	case !filepath.IsAbs(st.OutDir):
		return st, fmt.Errorf("train: run folder %q: give a full path (/home/me/runs/cats, ~/runs/cats) or a name (a new folder in %s)", st.OutDir, tildePath(t.h.runsDir))
	}
	// An absolute path, so the run is found in the list whatever the
	// working folder.
	if st.OutDir, err = filepath.Abs(st.OutDir); err != nil {
		return st, fmt.Errorf("train: run folder: %w", err)
	}
	st.Version = t.h.version
	// Shapes and MNIST are tokenised once and kept beside the runs: the
	// next Start skips the preparing (about 95 s for shapes on 2 cores).
	if t.h.runsDir != "" {
		st.PrepCache = filepath.Join(t.h.runsDir, prepCacheDir)
	}
	if t.tune != nil {
		t.tune(&st)
	}
	return st, st.Check()
}

// cleanPath is p absolute and clean, to compare run folders however they
// were named (p itself when it has no absolute form).
func cleanPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return filepath.Clean(p)
}

// sanitizeName keeps letters, digits, '-' and '_' of s (for folder names).
func sanitizeName(s string) string {
	out := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
	if out == "" {
		return "run"
	}
	return out
}

// Start starts a new run with the form's settings. A folder dataset is
// checked first and its data report shown; one with problems asks before
// training.
func (t *TrainTab) Start() error {
	if t.job != nil {
		return errors.New("train: a run is in progress: pause or stop it first")
	}
	st, err := t.settings()
	if err != nil {
		return err
	}
	if trainjob.HoldsCheckpoint(st.OutDir) {
		// Listed and shown, so that Resume is at hand (a run made
		// elsewhere, by tessera train, was in no list to pick it from).
		// A run that ended before its first checkpoint (the studio closed
		// while its data was prepared) has nothing to resume: Start trains
		// it anew there (its prepared data kept when its settings are the
		// same), where it was refused and sent to a Resume that was off.
		if t.OpenRunFolder(st.OutDir) == nil {
			if t.resume.Disabled() && t.shown != nil {
				// Ended (done, or trained elsewhere just now): it pointed
				// at a Resume that was off, and sent to a status line that
				// showed the run's summary, not why.
				return fmt.Errorf("train: %s already holds a run, now shown in the list, which cannot be resumed: %s; or choose another run folder, or leave Run folder empty for a new one", st.OutDir, whyNotResumable(t.shown))
			}
			return fmt.Errorf("train: %s already holds a run, now shown in the list: Resume continues it, or choose another run folder", st.OutDir)
		}
		return fmt.Errorf("train: %s already holds a run: pick it in the list and Resume, or choose another run folder", st.OutDir)
	}
	if err := trainjob.CheckStart(st); err != nil { // a folder of other files, or a trained model without a checkpoint, before the data report
		return err
	}
	if m, err := t.formMinutes(); err == nil && m > longBudget && !t.longBudgetOK {
		// Asked first: 99,999 minutes started a 53-day schedule without a
		// word, and a run stopped far short of its schedule ends with a
		// model whose learning rate never came down.
		d := newQuestion("Train for so long?", fmt.Sprintf("The time budget is %s. The learning rate's schedule is fitted to all of it, so a run stopped much earlier ends with a model that has not settled (Pause keeps it resumable). Train for %s?", plural.Minutes(m), plural.Minutes(m)),
			func(yes bool) {
				if yes {
					t.longBudgetOK = true
					t.report(t.Start())
					t.longBudgetOK = false
				}
			}, t.h.win)
		noDefault(d)
		d.Show()
		return nil
	}
	if t.h.set.p != nil {
		// The next session's form starts from the run started (the form's
		// values, validated by settings).
		m, _ := strconv.ParseFloat(strings.TrimSpace(t.minutes.Text), 64)
		t.h.set.SetTrainBudget(m, st.Threads)
		t.h.set.SetTrainData(st.Data)
	}
	t.listFolder(st.OutDir) // a folder typed elsewhere is listed too
	// The form, greyed out while the run goes, names its folder (it went
	// blank, and while the data was prepared nothing said which run was
	// being made); the next run's is a new one again (finished).
	t.runDir.SetText(st.OutDir)
	t.curve.Set(nil, nil, 0)
	t.setSamples(nil, nil)
	t.begin(st, nil)
	return nil
}

// whyNotResumable says why run r, which holds a checkpoint, cannot be
// resumed, and what can be done instead (as tessera info RUNDIR advises):
// training elsewhere, unreadable, or finished (its schedule done: trained
// further with tessera train --resume --steps, or its model fine-tuned).
func whyNotResumable(r *trainjob.RunInfo) string {
	switch {
	case r.InUse:
		return "it is training in another Tessera (a studio window or a tessera train): pause or stop it there, then ↻ and Resume here"
	case r.Problem != nil:
		return fmt.Sprintf("its record or checkpoint cannot be read (%v)", r.Problem)
	case !r.Checkpoint:
		return "it has no checkpoint to go on from"
	}
	why := fmt.Sprintf("it is finished (its schedule of %s steps is done)", plural.Thousands(r.TotalSteps))
	further := fmt.Sprintf("train it further with tessera train --out %s --resume --steps N (more than %d)", r.Dir, r.Step)
	if r.ModelDir == "" {
		return why + ": " + further
	}
	return fmt.Sprintf("%s: %s, or fine-tune its model: Use this model opens it on the Create tab, then Fine-tune in this form starts a new run from it (tessera train --init %s)", why, further, r.ModelDir)
}

// formMinutes is the form's time budget in minutes (0: the preset's whole
// schedule, no time limit), or an error that says what it takes.
func (t *TrainTab) formMinutes() (float64, error) {
	m, err := strconv.ParseFloat(strings.TrimSpace(t.minutes.Text), 64)
	if err != nil || !(m == 0 || m >= 0.1 && m <= maxMinutes) {
		return 0, fmt.Errorf("train: the time budget %q: give minutes from 0.1 to %s (0: the dataset preset's full schedule)", t.minutes.Text, plural.Thousands(maxMinutes))
	}
	return m, nil
}

// formThreads is the form's thread count cut to this machine's cores (the
// form then shows the count used); ok is false when it is no whole number
// from 1 up.
func (t *TrainTab) formThreads() (n int, ok bool) {
	n, err := strconv.Atoi(strings.TrimSpace(t.threads.Text))
	if err != nil || n < 1 {
		return 0, false
	}
	t.threadsAsked = 0
	if cores := runtime.NumCPU(); n > cores {
		t.threadsAsked, n = n, cores
		t.threads.SetText(strconv.Itoa(n))
	}
	return n, true
}

// Resume continues the run on display from its checkpoint, with the
// form's thread cap.
func (t *TrainTab) Resume() error {
	if t.job != nil {
		return errors.New("train: a run is in progress")
	}
	if t.shown == nil {
		return errors.New("train: no run to resume: pick one in the list")
	}
	// The folder as it is now, not as it was listed: a run folder deleted
	// or moved outside Tessera since (the list still said "paused") was
	// resumed into a fresh start, its data prepared and trained anew.
	run, err := trainjob.ReadRun(t.shown.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return t.forgetGone(t.shown.Dir, "there is nothing to resume from (Start begins a new run)")
	}
	if err != nil {
		return fmt.Errorf("train: cannot resume %s: %w", t.shown.Dir, err)
	}
	if t.shown.Checkpoint && !run.Checkpoint {
		// Its checkpoint went since the list was read: the pane shows
		// the run as it is now, and says why Resume cannot go on.
		t.Reread()
		return fmt.Errorf("train: the checkpoint of %s (%s) was moved or deleted outside Tessera, so there is nothing to resume from; Start begins a new run (in another run folder)", run.Dir, train.CheckpointFile)
	}
	if run.Problem != nil {
		return fmt.Errorf("train: cannot resume %s: %w", run.Dir, run.Problem)
	}
	if run.Record == nil {
		return fmt.Errorf("train: %s has no %s (made by an older Tessera?): resume it with tessera train --resume --out %s and its first flags", run.Dir, trainjob.RecordFile, run.Dir)
	}
	if !run.Checkpoint && run.ModelDir != "" {
		// Start there is refused (it would write over that model).
		return fmt.Errorf("train: %s has no checkpoint (deleted, or the run ended before one was saved), so there is nothing to resume from; its model %s is kept: open it on the Create tab and Fine-tune it, or Start a new run in another folder", run.Dir, run.ModelDir)
	}
	if !run.Checkpoint {
		return fmt.Errorf("train: %s has no checkpoint (the run ended before one was saved), so there is nothing to resume from: Start, with its run folder in the form, trains it anew there", run.Dir)
	}
	if !run.Resumable() {
		return fmt.Errorf("train: the run in %s has finished its schedule (%d of %d steps)", run.Dir, run.Step, run.TotalSteps)
	}
	st := run.Record.Settings
	// From the checkpoint or not at all: should the folder go before the
	// run opens it, Run refuses rather than start afresh.
	st.OutDir, st.Resume, st.CheckpointOnly = run.Dir, true, true
	if t.h.runsDir != "" {
		// A run whose prepared data was deleted takes it back from the
		// cache it recorded taking it from (PrepCache is not recorded).
		st.PrepCache = filepath.Join(t.h.runsDir, prepCacheDir)
	}
	if n, ok := t.formThreads(); ok {
		st.Threads = n
	}
	// The form, greyed out while the run goes, shows its data, start and
	// "Keep what it drew" (after a restart it showed the defaults, "From
	// scratch" beside a fine-tune resumed).
	if fi, err := os.Stat(st.Data); !bundle.IsFolder(st.Data) || err == nil && fi.IsDir() {
		t.SetData(st.Data)
	}
	t.formStart(st)
	if st.Budget <= 0 && st.Minutes > 0 {
		// A run of tessera train --minutes: its budget was one call's, not
		// the run's (--minutes 0.01 resumed for one step again); the form's
		// Time budget is this call's, as --minutes is on a resume. (A Train
		// tab run has a budget of its own, Budget, or none at all.)
		m, err := t.formMinutes()
		if err != nil {
			return err
		}
		st.Minutes = m
	}
	var note string
	if st.Budget > 0 {
		// A Train tab run's schedule is fitted to its budget: the form
		// shows that budget, not minutes typed since, which the resume
		// did not use (it showed 5 and trained the 18 s left of 0.3).
		// Minutes typed that do not parse are kept too (they were
		// overwritten and lost).
		if m, err := t.formMinutes(); strings.TrimSpace(t.minutes.Text) != "" && (err != nil || m != st.Budget) {
			note = fmt.Sprintf("(the time budget stays the run's %s, to which its learning-rate schedule is fitted; for a longer run: Same settings, a larger budget, Start)", plural.Minutes(st.Budget))
			t.typedMinutes = t.minutes.Text // the form's again once the run ends
		}
		t.minutes.SetText(strconv.FormatFloat(st.Budget, 'g', -1, 64))
	}
	t.begin(st, run)
	if note != "" {
		t.logLines = append(t.logLines, note)
		t.showInfo(st, "")
		t.status.SetText("Resuming " + filepath.Base(run.Dir) + " " + note)
	}
	return nil
}

// Pause cancels the run in progress; it saves a checkpoint and can be
// resumed.
func (t *TrainTab) Pause() {
	if t.job == nil || !t.job.pausable {
		return // nothing to pause at yet (the button is off then too)
	}
	t.cancel(trainjob.ErrPaused, "Pausing: finishing the step and saving a checkpoint…")
}

// Stop ends the run in progress; it saves a checkpoint, and its model is
// the best one so far.
func (t *TrainTab) Stop() {
	t.cancel(trainjob.ErrStopped, "Stopping: finishing the step, a last validation pass and a checkpoint…")
}

func (t *TrainTab) cancel(cause error, msg string) {
	if t.job == nil {
		return
	}
	t.job.mu.Lock()
	preparing := t.job.preparing
	t.job.mu.Unlock()
	if preparing {
		// No step yet: there is no checkpoint to save.
		msg = "Cancelling: nothing has been trained yet (a first step already begun finishes and is kept)…"
	}
	t.job.cancel(cause)
	t.job.ending = true
	t.status.SetText(msg)
	t.pause.Disable()
	t.stop.Disable()
}

// unlist forgets run folder dir among the folders kept from elsewhere and,
// with clear, empties the pane that showed it (its curve, samples, log).
func (t *TrainTab) unlist(dir string, clear bool) {
	if i := slices.IndexFunc(t.extra, func(d string) bool { return cleanPath(d) == cleanPath(dir) }); i >= 0 {
		t.extra = slices.Delete(t.extra, i, i+1)
		t.h.set.SetRunFolders(t.extra)
	}
	if !clear {
		return
	}
	if cleanPath(t.logDir) == cleanPath(dir) {
		t.logDir, t.logLines, t.dataReport = "", nil, nil
	}
	t.shown = nil
	t.curve.Set(nil, nil, 0)
	t.setSamples(nil, nil)
	t.info.SetText("")
}

// forgetGone drops run folder dir, moved or deleted outside Tessera, from
// the list and the pane (as DeleteRun does after deleting it) and returns
// the error that says so, followed by what that means (then).
func (t *TrainTab) forgetGone(dir, then string) error {
	t.unlist(dir, t.job == nil && t.shown != nil && cleanPath(t.shown.Dir) == cleanPath(dir))
	t.RefreshRuns()
	if t.h.modelsGone != nil {
		t.h.modelsGone()
	}
	t.updateButtons()
	msg := fmt.Sprintf("The run %s is no longer listed: its folder was moved or deleted outside Tessera", filepath.Base(dir))
	if t.job == nil {
		t.status.SetText(msg)
	}
	return fmt.Errorf("train: the run folder %s was moved or deleted outside Tessera, so it is no longer listed; %s", dir, then)
}

// deletable is the folder of the run shown, if it may be deleted now: not
// while a run is in progress, nor while its model is open on the Create tab
// (the picture there is its work).
func (t *TrainTab) deletable() (string, error) {
	switch {
	case t.job != nil:
		return "", errors.New("train: a run is in progress: delete runs once it has ended")
	case t.shown == nil:
		return "", errors.New("train: no run to delete: pick one in the list")
	}
	dir := t.shown.Dir
	if t.shown.InUse {
		return "", fmt.Errorf("train: %s is training in another Tessera (a studio window or a tessera train): stop it there first, then delete it", filepath.Base(dir))
	}
	if key, b := t.h.current(); b != nil && isFolderKey(key) && under(key, dir) {
		return "", fmt.Errorf("train: the model of %s is open on the Create tab: open another model there first, then delete the run", filepath.Base(dir))
	}
	if t.h.unsavedWork != nil && t.h.unsavedWork(dir) {
		return "", fmt.Errorf("train: a picture made with the model of %s is not saved (it waits on the Create tab for that model): open the model, export or clear the picture, then delete the run", filepath.Base(dir))
	}
	return dir, nil
}

// under reports whether path is dir or inside it (both cleaned).
func under(path, dir string) bool {
	return strings.HasPrefix(cleanPath(path)+string(filepath.Separator), cleanPath(dir)+string(filepath.Separator))
}

// AskDelete asks whether to delete the run shown, saying what goes and how
// much, then deletes it (DeleteRun).
func (t *TrainTab) AskDelete() {
	dir, err := t.deletable()
	if err != nil {
		t.report(err)
		return
	}
	msg := fmt.Sprintf("Delete the run %s?\n\nIts folder %s goes, with its checkpoint, loss curve, samples and model (%s). This cannot be undone.\n\nPictures made with its model stay in the History and wherever they were exported; without the model they open from their pixels (no rewinding or regenerating by patch).",
		filepath.Base(dir), dir, plural.Bytes(folderBytes(dir)))
	d := newQuestion("Delete run", msg, func(yes bool) {
		if yes {
			t.report(t.DeleteRun(dir))
		}
	}, t.h.win)
	d.SetConfirmText("Delete")
	d.SetConfirmImportance(widget.DangerImportance)
	d.Show()
}

// DeleteRun deletes the run in dir, the one shown (trainjob.DeleteRun: a
// folder holding anything a run did not write is refused, nothing
// deleted), and lists the runs again.
func (t *TrainTab) DeleteRun(dir string) error {
	if shown, err := t.deletable(); err != nil {
		return err
	} else if cleanPath(shown) != cleanPath(dir) {
		return fmt.Errorf("train: %s is not the run shown", dir)
	}
	if err := trainjob.DeleteRun(dir); err != nil {
		return err
	}
	t.unlist(dir, true)
	t.RefreshRuns()
	if t.h.dropWork != nil {
		t.h.dropWork(dir)
	}
	if t.h.modelsGone != nil {
		t.h.modelsGone()
	}
	t.updateButtons()
	t.status.SetText(fmt.Sprintf("Deleted the run %s (%s)", filepath.Base(dir), dir))
	return nil
}

// folderBytes is the size of the files under dir (what can be read).
func folderBytes(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// UseModel opens the model of the run on display in the model picker.
func (t *TrainTab) UseModel() error {
	dir := t.RunDir()
	if dir == "" {
		return errors.New("train: no run: start one or pick one in the list")
	}
	md := train.RunModelDir(dir)
	if _, err := os.Stat(filepath.Join(md, "model.safetensors")); err != nil {
		return fmt.Errorf("train: the run in %s has not exported a model yet (the first comes with the first validation pass)", dir)
	}
	// A run not done: its model is a snapshot, said on the Create tab (it
	// said nothing until a later reload of newer weights).
	note := ""
	switch {
	case t.job != nil:
		note = fmt.Sprintf("the run %s is still training: this is its model so far (the Create tab loads newer weights as the run exports them)", filepath.Base(dir))
	case t.shown != nil && t.shown.Resumable():
		note = fmt.Sprintf("the run %s is %s at step %s of %s: this is its model so far, not its last (Resume on the Train tab goes on)",
			filepath.Base(dir), t.shown.StateText(), plural.Thousands(t.shown.Step), plural.Thousands(t.shown.TotalSteps))
	}
	return t.h.useModel(md, note)
}

// threadsCut says, for a start or resume status, that the form's thread
// count was cut to this computer's cores ("" when it was not).
func (t *TrainTab) threadsCut() string {
	if t.threadsAsked == 0 {
		return ""
	}
	return fmt.Sprintf(" on %d threads, this computer's cores (Threads asked %d)", runtime.NumCPU(), t.threadsAsked)
}

// begin starts the training goroutine for st; from, when resuming, is
// the run as it was (its loss so far is shown at once).
func (t *TrainTab) begin(st trainjob.Settings, from *trainjob.RunInfo) {
	ctx, cancel := context.WithCancelCause(t.h.ctx)
	j := &trainJob{dir: st.OutDir, st: st, cancel: cancel, done: make(chan struct{}), preparing: true}
	t.job = j
	t.shown = nil
	t.following = true
	t.labelFineTune()
	if from == nil || t.logDir != cleanPath(st.OutDir) {
		t.details.ScrollToTop() // another run's text: from its start
		t.logLines, t.dataReport = nil, nil
		if from != nil {
			// Resumed after the studio was closed: the log so far is the
			// run folder's (the run adds a line saying where it resumes).
			t.logLines, _ = trainjob.ReadLogTail(st.OutDir, logKeep)
		}
	}
	t.logDir = cleanPath(st.OutDir)
	j.logFrom = len(t.logLines)
	if from != nil {
		t.curve.Set(from.TrainLoss, from.Val, from.TotalSteps)
		j.allVals = append(j.allVals, from.Val...)
		// The run's own grid, or none yet: never the grid of the run
		// shown before (a run paused before its first samples kept it).
		var grid image.Image
		if from.Samples != "" {
			grid = loadImage(from.Samples)
		}
		t.setSamples(grid, st.SamplePrompts)
		t.status.SetText(fmt.Sprintf("Resuming at step %d / %d%s…", from.Step, from.TotalSteps, t.threadsCut()))
	} else {
		t.status.SetText(fmt.Sprintf("Starting%s: checking and preparing the data (before the time budget starts)…", t.threadsCut()))
	}
	if t.threadsAsked > 0 {
		// In the log too: the status gives way to "Preparing…" at once.
		t.logLines = append(t.logLines, fmt.Sprintf("threads: %d asked; this computer has %d cores, so training uses %d", t.threadsAsked, runtime.NumCPU(), runtime.NumCPU()))
	}
	t.threadsAsked = 0 // said once
	t.showInfo(st, "")
	t.RefreshRuns() // listed at once, highlighted
	t.updateButtons()
	ev := trainjob.Events{
		Log:  &j.log,
		Step: func(s train.StepInfo) { j.step(s); t.post(j) },
		Eval: func(step int, bits float64, best bool) { j.eval(step, bits); t.post(j) },
		Samples: func(path string, prompts []string) {
			if img := loadImage(path); img != nil {
				j.mu.Lock()
				j.samples, j.samplePrompts = img, prompts
				j.mu.Unlock()
				t.post(j)
			}
		},
	}
	j.log.notify = func() { t.post(j) }
	go func() {
		res, err := t.train(ctx, j, ev)
		cancel(nil)
		// The run's weights, optimiser state, activations and tokenised
		// data are garbage now: give the memory back to the system rather
		// than keep a finished (or cancelled) run's peak for the session.
		debug.FreeOSMemory()
		close(j.done)
		t.do(func() { t.finished(j, res, err) })
	}()
}

// train runs on the job's goroutine: the data report for a folder (asking
// before a folder with problems), the model to fine-tune when it must be
// opened, then the run.
func (t *TrainTab) train(ctx context.Context, j *trainJob, ev trainjob.Events) (*train.Result, error) {
	st := j.st
	_, err := os.Stat(trainjob.PreparedPath(st.OutDir))
	unprepared := err != nil // a new run, or one stopped before its data was ready: the data is looked at
	if unprepared {
		rep, err := trainjob.CheckData(ctx, st.Data)
		if rep != nil {
			lines := rep.Lines()
			t.do(func() {
				if t.job == j {
					t.dataReport = lines
					t.showInfo(st, "")
				}
			})
		}
		if err != nil {
			return nil, err
		}
		if rep != nil && (rep.Attention() > 0 || tooFew(rep)) { // BOMs and CRLFs are read as if absent: no question for them
			report := strings.Join(rep.Lines(), "\n")
			// Training on a folder with problems is a choice, not the
			// default; a report said Yes to this session is not asked again.
			yes, err := t.ask(ctx, "Data report", dataQuestion(rep), func() bool { return t.accepted[st.Data] == report })
			switch {
			case err != nil:
				return nil, err
			case !yes && rep.Attention() == 0:
				return nil, errDeclinedFew
			case !yes:
				return nil, errDeclined
			}
			t.do(func() {
				if t.accepted == nil {
					t.accepted = map[string]string{}
				}
				t.accepted[st.Data] = report
			})
		}
	}
	if st.Init == nil && st.InitModel != "" && t.h.open != nil {
		if !trainjob.HoldsCheckpoint(st.OutDir) {
			b, err := t.h.open(st.InitModel)
			if err != nil {
				return nil, fmt.Errorf("train: open the model to fine-tune: %w", err)
			}
			st.Init = b
		}
	}
	if unprepared {
		if missing := trainjob.ReplayMissing(ctx, st); errors.Is(missing, data.ErrNotFound) { // known but not here: make data fetches it
			// "Keep what it drew" cannot keep anything: asked, not only
			// logged (a fine-tune on a folder without the emoji data
			// forgot how to draw a rocket, said in a log line only).
			yes, err := t.ask(ctx, "Keep what it drew", replayQuestion(st, missing), nil)
			if err != nil {
				return nil, err
			}
			if !yes {
				return nil, errDeclinedReplay
			}
		}
	}
	if st.Init != nil {
		shaped := st.FineTuneShaped()
		// A fine-tune has the model's size, tokenizer and architecture, not
		// the preset's the form started from: the run's summary says so.
		t.do(func() {
			if t.job == j {
				j.st = shaped
				t.showInfo(shaped, "")
			}
		})
	}
	return trainjob.Run(ctx, st, ev)
}

// replayQuestion asks whether to fine-tune without replay when "Keep what
// it drew" cannot replay what the model was trained on (missing: why).
func replayQuestion(st trainjob.Settings, missing error) string {
	why := withoutFetchAdvice(missing) + " (make data in Tessera's source folder fetches it)"
	return fmt.Sprintf("Keep what it drew cannot replay what %s was trained on: %s. This fine-tune would train on your pictures alone, and the model may forget what it drew. Train anyway?", modelLabel(st.InitModel), why)
}

// withoutFetchAdvice is a data.ErrNotFound error's text up to its advice
// (": run make data …"), which the Train tab words for a user of the app.
func withoutFetchAdvice(err error) string {
	text := err.Error()
	if i := strings.Index(text, ": run make data"); i > 0 {
		return text[:i]
	}
	return text
}

// ask asks a yes-or-no question from the training goroutine (no default:
// Return does not say yes) and returns the answer, or the run's
// cancellation while it waits (the question then goes with the run).
// answered, when set, runs first on the UI goroutine: true stands for a
// Yes given before, and nothing is asked.
func (t *TrainTab) ask(ctx context.Context, title, msg string, answered func() bool) (bool, error) {
	ok := make(chan bool, 1)
	var d *dialog.ConfirmDialog // UI goroutine only
	t.do(func() {
		if answered != nil && answered() {
			ok <- true
			return
		}
		t.asking = true
		d = newQuestion(title, msg, func(yes bool) { t.asking = false; ok <- yes }, t.h.win)
		noDefault(d)
		d.Show()
	})
	select {
	case yes := <-ok:
		return yes, nil
	case <-ctx.Done():
		t.do(func() {
			if d != nil {
				d.Hide()
				t.asking = false
			}
		})
		return false, context.Cause(ctx)
	}
}

// step records a finished step (training goroutine).
func (j *trainJob) step(s train.StepInfo) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.preparing || len(j.losses) > 0 && s.Step != j.info.Step+1 {
		j.losses = j.losses[:0]
	}
	j.preparing = false
	j.losses = append(j.losses, float32(s.Loss))
	j.info = s
}

// eval records a validation pass (training goroutine).
func (j *trainJob) eval(step int, bits float64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.vals = append(j.vals, train.ValPoint{Step: step, Bits: bits})
}

// do runs fn on the UI goroutine, unless the window has closed: a run
// stopping after that (shutdown) must not touch the widgets, which Fyne's
// loop then no longer serialises.
func (t *TrainTab) do(fn func()) {
	t.h.loop.Do(func() {
		if !t.closed.Load() {
			fn()
		}
	})
}

// post schedules a flush of j's news to the widgets, at most every
// trainFlush (any goroutine).
func (t *TrainTab) post(j *trainJob) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.due {
		return
	}
	j.due = true
	time.AfterFunc(trainFlush, func() { t.do(func() { t.flush(j) }) })
}

// flush shows j's news: the curve, the status line, the samples, the log.
func (t *TrainTab) flush(j *trainJob) {
	j.mu.Lock()
	losses, info, vals, img, imgPrompts := j.losses, j.info, j.vals, j.samples, j.samplePrompts
	preparing := j.preparing
	j.losses, j.vals, j.samples, j.due = nil, nil, nil, false
	j.allVals = append(j.allVals, vals...)
	allVals := j.allVals
	lines, current := j.log.take()
	j.mu.Unlock()
	if t.job != j {
		return
	}
	t.logLines = append(t.logLines, lines...)
	if n := len(t.logLines); n > logKeep {
		t.logLines = t.logLines[n-logKeep:]
	}
	if len(losses) > 0 {
		if !j.pausable {
			j.pausable = true
			t.updateButtons() // training has started: it can pause now
		}
		t.curve.AddSteps(losses, info.Step, info.Total)
		if !j.listed {
			// The run folder has its record now: list it.
			j.listed = true
			t.RefreshRuns()
		} else {
			t.list.Refresh()
		}
	}
	for _, v := range vals {
		t.curve.AddVal(v)
	}
	if len(vals) > 0 {
		t.updateButtons() // the first validation pass exports the first model
	}
	if img != nil {
		t.setSamples(img, imgPrompts)
	}
	switch {
	case j.ending:
		// Pausing or stopping: the status says so.
	case preparing:
		if current == "" && len(t.logLines) > 0 {
			current = t.logLines[len(t.logLines)-1]
		}
		if strings.HasPrefix(current, "— ") {
			// The log's own markers ("— started: shapes (2026-12-05 18:10)
			// —") are no news for the status line.
			current = "preparing the data"
		}
		if current != "" {
			t.status.SetText("Preparing (before the time budget starts): " + current)
		}
	default:
		t.status.SetText(stepStatus(info, allVals))
	}
	if len(lines) > 0 {
		t.showInfo(j.st, "")
	}
}

// stepStatus is the status line of a running step: steps, speed, time
// left and losses.
func stepStatus(s train.StepInfo, vals []train.ValPoint) string {
	pct := 100 * float64(s.Step) / float64(max(s.Total, 1))
	msg := fmt.Sprintf("Step %s / %s (%.0f%%) · %s tokens/s · ETA %s · train %.3f bits/token",
		plural.Thousands(s.Step), plural.Thousands(s.Total), pct, plural.Thousands(int(s.TokensPerSec)), plural.Span(s.ETA), s.Loss)
	if n := len(vals); n > 0 {
		best := vals[0]
		for _, v := range vals {
			if v.Bits < best.Bits {
				best = v
			}
		}
		msg += fmt.Sprintf(" · validation %.3f (lowest %.3f at step %d)", vals[n-1].Bits, best.Bits, best.Step)
		if last := vals[n-1]; n >= 3 && last.Step > best.Step && last.Bits > best.Bits*(1+overfitRise) {
			msg += " — rising since: the model learns its training pictures by heart (overfitting); Use this model keeps the best (the latest when too few pictures were held out to pick by, or for a fine-tune on a folder)"
		}
	}
	return msg
}

// bestWord names the validation loss of the weights a run exported: the
// best pass's, or the last one's when the validation set was too small to
// pick by (train.Result.Latest).
func bestWord(res *train.Result) string {
	if res.LatestAsked {
		return "last validation (a fine-tune on a folder keeps its latest weights)"
	}
	if res.Latest {
		return "last validation (too few held-out pictures to pick the best weights by)"
	}
	return "best validation"
}

// overfitRise is how far above its best (a share of it) validation loss
// must have risen, after at least three passes, for the status to say the
// model overfits: a folder of 30 icons went from 1.58 to 2.51 bits/token
// without a word.
const overfitRise = 0.1

// finished shows how a run ended and lists it.
func (t *TrainTab) finished(j *trainJob, res *train.Result, err error) {
	t.flush(j)
	if t.job != j {
		return
	}
	if cleanPath(t.runDir.Text) == cleanPath(j.dir) {
		t.runDir.SetText("") // the next run goes to a new folder
	}
	if res != nil && t.h.refresh != nil {
		// "Use this model" while the run went on opened the weights of
		// that moment: the Create tab draws with what the run ended with.
		t.h.refresh(train.RunModelDir(j.dir))
	}
	t.job = nil
	t.labelFineTune()
	if t.typedMinutes != "" {
		t.minutes.SetText(t.typedMinutes)
		t.typedMinutes = ""
	}
	if t.h.ended != nil {
		defer t.h.ended()
	}
	t.RefreshRuns()
	info, rerr := trainjob.ReadRun(j.dir)
	if rerr == nil {
		t.show(info)
	}
	state := ""
	if info != nil && info.Record != nil {
		state = info.Record.State
	}
	steps := ""
	if res != nil {
		steps = fmt.Sprintf("step %s / %s", plural.Thousands(res.Steps), plural.Thousands(res.TotalSteps))
	}
	cancelled := state == trainjob.StatePaused || state == trainjob.StateStopped ||
		errors.Is(err, trainjob.ErrPaused) || errors.Is(err, trainjob.ErrStopped) || errors.Is(err, context.Canceled)
	switch {
	case res == nil && cancelled:
		t.status.SetText("Cancelled before training started: nothing was trained")
	case state == trainjob.StatePaused && res != nil:
		t.status.SetText("Paused at " + steps + ": the checkpoint is saved, and Resume continues exactly from it (also after Tessera is closed)")
	case state == trainjob.StateStopped && res != nil && math.IsNaN(res.BestVal):
		t.status.SetText("Stopped at " + steps + ", before the first validation pass: Use this model opens the current weights, not yet validated")
	case state == trainjob.StateStopped && res != nil:
		t.status.SetText("Stopped at " + steps + fmt.Sprintf(": %s %.3f bits/token at step %d — Use this model opens it", bestWord(res), res.BestVal, res.BestStep))
	case state == trainjob.StateBudget && res != nil:
		t.status.SetText("The time budget ran out at " + steps + ": Resume continues the schedule; Use this model opens the best so far")
	case err == nil && res != nil:
		took := res.TotalElapsed.Round(time.Second).String()
		if res.TotalElapsed-res.Elapsed > time.Second { // resumed: the log's time is the whole run's
			took += fmt.Sprintf(" (%s since the resume)", res.Elapsed.Round(time.Second))
		}
		steps := plural.Thousands(res.Steps) + " steps"
		if res.Steps == 1 {
			steps = "1 step" // "Finished 1 steps"
		}
		t.status.SetText(fmt.Sprintf("Finished %s in %s of training: %s %.3f bits/token at step %d — Use this model opens it",
			steps, took, bestWord(res), res.BestVal, res.BestStep))
	case errors.Is(err, errDeclinedFew): // the user's answer, not a failure
		t.status.SetText("Not started: add pictures to the folder (the data report under the plots counts them), then Start again")
	case errors.Is(err, errDeclined):
		t.status.SetText("Not started: fix the files the data report lists (under the plots), then Start again")
	case errors.Is(err, errDeclinedReplay):
		t.status.SetText("Not started: make data fetches what the model was trained on; or untick Keep what it drew to fine-tune on your pictures alone")
	case errors.Is(err, data.ErrNotFound):
		// The built-in datasets other than shapes are downloaded once, with
		// the registries' own clients, in Tessera's source folder.
		t.status.SetText(fmt.Sprintf(notStartedData+"the %s "+dataNotReady, j.st.DataName()))
		// Nothing started: its "— started: emoji —" line goes, and the
		// next session's form does not start from data that is not there.
		t.logLines = t.logLines[:min(j.logFrom, len(t.logLines))]
		t.showInfo(j.st, "")
		if t.h.set.p != nil && t.h.set.TrainData() == j.st.Data {
			t.h.set.SetTrainData("")
		}
		// The error's own advice (run make data…) is the first
		// paragraph's: only what was looked for is added.
		missing := withoutFetchAdvice(err)
		t.report(fmt.Errorf("The %s data is not ready yet: %s The shapes data needs nothing, and a folder of your own images works too.\n\n(%s)", j.st.DataName(), fetchAdvice(j.st.Data), missing))
	case errors.Is(err, trainjob.ErrNothingToTrainOn):
		t.status.SetText("Not started: " + err.Error()) // nothing failed: there was nothing to run
		t.report(err)
	case errors.Is(err, trainjob.ErrRunExists):
		// Refused (another Tessera trains the run, or the folder holds
		// one): nothing failed ("Training failed: run folder in use").
		t.status.SetText("Not started: " + err.Error())
		t.report(err)
	case err != nil:
		t.status.SetText("Training failed: " + err.Error())
		t.report(err)
	}
	t.updateButtons()
}

// prepCacheDir is the folder, in the runs folder, where the Train tab
// keeps tokenised built-in data for later runs (trainjob.Settings.PrepCache).
const prepCacheDir = ".prepared"

// errDeclinedReplay ends a fine-tune the user declined to run without the
// replay "Keep what it drew" asked for.
var errDeclinedReplay = errors.New("train: not started: Keep what it drew needs what the model was trained on")

// errDeclined ends a run whose data report the user declined to train on.
var errDeclined = errors.New("train: not started: the data report's problems are to be fixed first")

// errDeclinedFew ends a run on a folder in order but of too few pictures,
// declined by the user.
var errDeclinedFew = fmt.Errorf("%w: too few pictures", errDeclined)

// dataQuestion asks whether to train on a folder whose data report rep
// counts files with problems, saying which of them change what is learnt
// and how (the others' byte-order marks and CRLF line breaks are read as
// if absent): "16 pictures captioned by their file names" reads as what it
// is, where "21 files with problems" alone alarmed a newcomer.
func dataQuestion(rep *data.FolderReport) string {
	problems, attention := rep.Problems(), rep.Attention()
	few := ""
	if tooFew(rep) {
		few = fmt.Sprintf("Only %s can be trained on: a model learns little from fewer than %d (it recalls them), and its validation loss says little.",
			differentPictures(rep), data.FewImages)
	}
	if attention == 0 { // asked for the count alone
		return "The data report (under the plots) finds this folder in order, but small. " + few + " Train on it anyway?"
	}
	what := fmt.Sprintf("%s with problems that change what is learnt", plural.N(attention, "file", "files"))
	if problems > attention {
		verb, others := "change", "the others'"
		if attention == 1 {
			verb = "changes"
		}
		if problems-attention == 1 {
			others = "the other's"
		}
		what = fmt.Sprintf("%s with problems; %d of them %s what is learnt (%s byte-order marks or CRLF line breaks are read as if absent)", plural.N(problems, "file", "files"), attention, verb, others)
	}
	dups := 0
	for _, g := range rep.Duplicates {
		dups += len(g)
	}
	var kinds []string
	for _, k := range []struct {
		n         int
		one, many string
	}{
		{len(rep.Unreadable), "picture that cannot be read (left out)", "pictures that cannot be read (left out)"},
		{dups, "", duplicateFiles(dups, len(rep.Duplicates))},
		{len(rep.Uncaptioned), "picture captioned by its file name", "pictures captioned by their file names"},
		{len(rep.NonUTF8), "caption read as Windows-1252", "captions read as Windows-1252"},
		{len(rep.Orphans), "caption file without a picture", "caption files without a picture"},
		{len(rep.OddSize), "picture too small or too thin to train well", "pictures too small or too thin to train well"},
	} {
		switch {
		case k.n > 0 && k.one == "":
			kinds = append(kinds, k.many) // said whole
		case k.n > 0:
			kinds = append(kinds, plural.N(k.n, k.one, k.many))
		}
	}
	if len(kinds) > 0 {
		what += ": " + strings.Join(kinds, ", ")
	}
	if few != "" {
		few = " " + few
	}
	return "The data report lists " + what + " (see the report under the plots)." + few + " Train on this folder anyway?"
}

// tooFew says whether a folder has so few usable pictures (but some) that
// training on it is worth a question even when nothing else is wrong.
func tooFew(rep *data.FolderReport) bool {
	return rep.Distinct() > 0 && rep.Distinct() < data.FewImages
}

// differentPictures counts the pictures of a folder that can be trained on
// ("2 pictures"; "5 different pictures" when copies of some are left out).
func differentPictures(rep *data.FolderReport) string {
	if rep.Distinct() < rep.Usable {
		return plural.N(rep.Distinct(), "different picture", "different pictures")
	}
	return plural.N(rep.Usable, "picture", "pictures")
}

// duplicateFiles says files holding groups pictures, each in two files
// or more: "2 files of one picture", "5 files of 2 pictures".
func duplicateFiles(files, groups int) string {
	if groups == 1 {
		return fmt.Sprintf("%d files of one picture", files)
	}
	return fmt.Sprintf("%d files of %d pictures", files, groups)
}

// RefreshRuns reads the run folders again.
func (t *TrainTab) RefreshRuns() {
	runs, err := trainjob.ListRuns(t.h.runsDir)
	if err != nil {
		t.report(err)
	}
	if t.h.oldRunsDir != "" && filepath.Clean(t.h.oldRunsDir) != filepath.Clean(t.h.runsDir) {
		old, _ := trainjob.ListRuns(t.h.oldRunsDir) // best effort: the new folder's runs are listed either way
		runs = append(runs, old...)
	}
	listed := map[string]bool{}
	for _, r := range runs {
		listed[cleanPath(r.Dir)] = true
	}
	for _, d := range t.extra {
		if listed[cleanPath(d)] {
			continue // in a runs folder already
		}
		if !trainjob.IsRun(d) {
			continue // a run not started there (its data report declined): nothing to list
		}
		if info, err := trainjob.ReadRun(d); err == nil {
			runs = append(runs, info)
			listed[cleanPath(d)] = true
		}
	}
	if j := t.job; j != nil && !listed[cleanPath(j.dir)] {
		// The run started is listed from Start on: its folder has no
		// record until its first step, minutes away while a folder's or
		// the emoji data is checked and prepared.
		runs = append(runs, &trainjob.RunInfo{Dir: j.dir, BestVal: math.NaN(), Modified: time.Now()})
	}
	slices.SortStableFunc(runs, func(a, b *trainjob.RunInfo) int { return b.Modified.Compare(a.Modified) }) // newest first, from every folder
	t.runs = runs
	t.list.UnselectAll()
	t.highlighted = -1
	t.highlightShown() // the list is newest first: the run on display may have moved
	t.list.Refresh()
}

// Reread reads the run folders again (the ↻ button), and the run on
// display with them: its state, curve, samples, log and buttons (the list's
// row changed and the pane below kept the run as it was, a finished run
// offering Resume). The run this tab trains is shown as it goes already.
func (t *TrainTab) Reread() {
	t.RefreshRuns()
	if t.job != nil || t.shown == nil {
		return
	}
	for _, r := range t.runs {
		if cleanPath(r.Dir) == cleanPath(t.shown.Dir) {
			if cleanPath(t.logDir) == cleanPath(r.Dir) {
				// A run this window trained, shown from its lines: read
				// from its log file again, which another Tessera or
				// tessera train --resume may have continued (it showed
				// "step 72/276" of a run done since).
				if lines, err := trainjob.ReadLogTail(r.Dir, logKeep); err == nil {
					t.logLines = lines
				}
			}
			t.show(r)
			t.updateButtons()
			return
		}
	}
}

// highlightShown selects the list row of the run on display (or in
// progress), if it is listed, so that the highlight and what Resume and
// Use this model act on are the same run.
func (t *TrainTab) highlightShown() {
	dir := t.RunDir()
	if dir == "" {
		return
	}
	for i, r := range t.runs {
		if cleanPath(r.Dir) == cleanPath(dir) {
			if i != t.highlighted {
				t.quietSelect = true
				t.list.Select(i)
				t.quietSelect = false
			}
			return
		}
	}
}

// HighlightedRun is the folder of the run whose list row is selected
// ("" when none).
func (t *TrainTab) HighlightedRun() string {
	if t.highlighted < 0 || t.highlighted >= len(t.runs) {
		return ""
	}
	return t.runs[t.highlighted].Dir
}

// ShowRun shows the run in dir (not while a run is in progress): its
// loss, samples, settings and state; Resume and Use this model act on it.
func (t *TrainTab) ShowRun(dir string) error {
	if t.job != nil {
		return nil // the run in progress stays on display
	}
	info, err := trainjob.ReadRun(dir)
	if errors.Is(err, os.ErrNotExist) {
		// A raw "Run folder: stat …: no such file or directory" said
		// this, and the row stayed listed as it was.
		return t.forgetGone(dir, "if it was moved, the Runs bar's folder button shows it where it is now")
	}
	if err != nil {
		return err
	}
	t.show(info)
	t.updateButtons()
	if info.Problem != nil {
		return info.Problem
	}
	return nil
}

// setSamples shows a sample grid (nil: none) and what its rows were
// asked, top to bottom.
func (t *TrainTab) setSamples(img image.Image, prompts []string) {
	t.samples.Image = img
	t.samples.Refresh()
	text := ""
	if img != nil {
		if len(prompts) > 0 {
			text = "Rows, top to bottom: " + strings.Join(prompts, " · ")
		} else {
			text = "One row of samples without a prompt"
		}
	}
	t.sampleRows.SetText(text)
}

// SampleRows is what the sample grid's caption says ("" without a grid).
func (t *TrainTab) SampleRows() string { return t.sampleRows.Text }

// show puts a run's state on display.
func (t *TrainTab) show(info *trainjob.RunInfo) {
	if t.shown != nil && cleanPath(t.shown.Dir) != cleanPath(info.Dir) || t.shown == nil && t.logDir != cleanPath(info.Dir) {
		// Another run's text: from its start (a scroll kept showed
		// nothing), not followed to its end (ScrollToTop does not call
		// OnScrolled). The run whose log the pane followed, shown as it
		// ended (stopped, paused, finished), keeps its place.
		t.details.ScrollToTop()
		t.following = false
	}
	t.shown = info
	t.highlightShown()
	t.curve.Set(info.TrainLoss, info.Val, info.TotalSteps)
	var img image.Image
	var prompts []string
	if info.Samples != "" {
		img = loadImage(info.Samples)
	}
	if info.Record != nil {
		prompts = info.Record.Settings.SamplePrompts
	}
	t.setSamples(img, prompts)
	if info.Record == nil {
		t.sampleRows.SetText("") // a run of an older Tessera: what its rows were asked is unknown
	}
	if t.job == nil {
		line := runLine(info)
		if info.InUse {
			line += ": Resume and delete it once it has ended there (↻ reads the runs again)"
		} else if info.Problem == nil && info.State() == trainjob.StateRunning && !info.Checkpoint {
			// Closed abruptly before its first checkpoint (a kill, a crash):
			// Resume has nothing to go on from.
			line += ": closed before its first checkpoint (unless a tessera train is running it now), so there is nothing to resume; Same settings (the copy button in the Runs bar) fills the form with its settings to start it again"
			if t.modelExported() {
				line += " (Use this model opens the weights of its last validation pass, an early one)"
			}
		}
		t.status.SetText(line)
	}
	st := trainjob.Settings{Data: "?"}
	if info.Record != nil {
		st = info.Record.Settings
	}
	note := ""
	if info.Problem != nil {
		note = "Problem: " + info.Problem.Error()
	} else if info.Record != nil && info.Record.Error != "" {
		note = "Last error: " + info.Record.Error
	}
	t.showInfo(st, note)
}

// showInfo fills the text under the plots.
func (t *TrainTab) showInfo(st trainjob.Settings, note string) {
	var b strings.Builder
	if note != "" {
		b.WriteString(note + "\n\n")
	}
	if st.Data != "" {
		// A fine-tune trains its base model's shape, not the data
		// preset's (it said "32×32 px in 2 px patches, 4 layers × 192" of
		// a fine-tune of the 64×64 emoji model until the run began).
		b.WriteString("Settings: " + settingsLine(st.FineTuneShaped()) + "\n")
	}
	ours := t.logDir != "" && (t.job != nil && cleanPath(t.job.dir) == t.logDir || t.shown != nil && cleanPath(t.shown.Dir) == t.logDir)
	if len(t.dataReport) > 0 && ours {
		b.WriteString("\nData report:\n" + strings.Join(t.dataReport, "\n") + "\n")
	}
	logLines := t.logLines
	logDir := t.logDir
	if !ours {
		// A run of another session: the tail of its log file.
		logLines, logDir = nil, ""
		if t.shown != nil {
			logLines, _ = trainjob.ReadLogTail(t.shown.Dir, logShown+1) // no log: none shown
			logDir = t.shown.Dir
		}
	}
	if len(logLines) > 0 {
		// Its last lines, and where the whole log is (the pane showed the
		// last 12 without a word, the start of the run and its warnings
		// gone).
		b.WriteString("\nLog")
		if logDir != "" {
			b.WriteString(" (the whole of it: " + filepath.Join(logDir, trainjob.LogFile) + ")")
		}
		b.WriteString(":\n")
		if len(logLines) > logShown {
			b.WriteString("…\n")
		}
		b.WriteString(strings.Join(logLines[max(0, len(logLines)-logShown):], "\n"))
	}
	// A live run's log is followed, as a terminal follows it, while the
	// pane shows its end (scrolled up to read, it stays there).
	// A run whose text outgrew the pane before its log began (a long
	// settings line, a folder's path) was not followed: following says
	// whether the user has scrolled up since the run began.
	atEnd := t.following || t.atEnd(t.details.Offset.Y)
	t.info.SetText(strings.TrimSpace(b.String()))
	over := t.info.MinSize().Height - t.details.Size().Height
	switch {
	case (t.job != nil || t.shown != nil && cleanPath(t.shown.Dir) == t.logDir) && atEnd && over > 0:
		// A live run's log, or the run whose log the pane followed as it
		// ended: its last lines stay in view.
		// The content's size first: the scroll clamps its offset to it.
		t.details.Content.Resize(fyne.NewSize(t.details.Size().Width, t.info.MinSize().Height))
		t.details.ScrollToBottom()
	case t.details.Offset.Y > max(over, 0):
		// A shorter text under a scroll kept from a longer one showed an
		// empty pane (a new run after reading an old run's log).
		t.details.Offset.Y = max(over, 0)
		t.details.Refresh()
	}
}

// atEnd reports whether the details scrolled to offset y show the end of
// their text.
func (t *TrainTab) atEnd(y float32) bool {
	return y >= t.info.MinSize().Height-t.details.Size().Height-1
}

// settingsLine sums up a run's settings.
func settingsLine(st trainjob.Settings) string {
	from := "from scratch"
	if st.InitModel != "" {
		from = "fine-tuning " + modelLabel(st.InitModel)
	}
	budget := "the preset's schedule"
	switch {
	case st.Steps > 0:
		budget = fmt.Sprintf("%d steps", st.Steps)
	case st.Minutes > 0:
		budget = fmt.Sprintf("%g min", st.Minutes)
	}
	threads := "all cores"
	switch {
	case st.Threads == 1:
		threads = "1 thread"
	case st.Threads > 1:
		threads = fmt.Sprintf("%d threads", st.Threads)
	}
	line := fmt.Sprintf("%s, %s, %s, %s; %d×%d px in %d px patches, %d codes; %d layers × %d wide, %d heads; batch %d, learning rate %g",
		st.Data, from, budget, threads, st.Size, st.Size, st.Patch, st.Codes, st.Layers, st.Width, st.Heads, st.Batch, st.LR)
	if st.EMA > 0 {
		line += fmt.Sprintf(", weights averaged (%g)", st.EMA)
	}
	if st.InitModel != "" && st.Replay > 0 {
		// "Keep what it drew": the run's line said nothing of it.
		line += fmt.Sprintf("; keeping what it drew: %.0f%% of each batch from %s", 100*st.Replay, cmp.Or(st.ReplayData, "what the model was trained on"))
	}
	return line
}

// runLine is a run's line in the list; the run in progress says how far
// it is.
func (t *TrainTab) runLine(r *trainjob.RunInfo) string {
	j := t.job
	if j == nil || r.Dir != j.dir {
		return runLine(r)
	}
	switch {
	case j.ending:
		return fmt.Sprintf("%s — ending · %s", filepath.Base(r.Dir), j.st.DataName())
	case !j.pausable:
		return fmt.Sprintf("%s — preparing the data · %s", filepath.Base(r.Dir), j.st.DataName())
	}
	step, total := t.progress()
	return fmt.Sprintf("%s — running, step %s / %s · %s", filepath.Base(r.Dir), plural.Thousands(step), plural.Thousands(total), j.st.DataName())
}

// runLine is a run's line in the list: folder, state, steps and losses.
func runLine(r *trainjob.RunInfo) string {
	name := filepath.Base(r.Dir)
	if r.Problem != nil {
		return name + " — cannot be read: " + r.Problem.Error()
	}
	line := fmt.Sprintf("%s — %s", name, r.StateText())
	if r.TotalSteps > 0 {
		line += fmt.Sprintf(", step %s / %s", plural.Thousands(r.Step), plural.Thousands(r.TotalSteps))
	}
	if !math.IsNaN(r.BestVal) {
		which := "best" // the exported weights': a fine-tune on a folder, or a run with too few held out to pick by, keeps its latest (it said "best", the latest's figure)
		if r.Latest || r.Record != nil && trainjob.ExportsLatest(r.Record.Settings) {
			which = "last"
		}
		line += fmt.Sprintf(", %s validation %.3f bits/token", which, r.BestVal)
	}
	if r.Elapsed > 0 {
		line += fmt.Sprintf(", %s", r.Elapsed.Round(time.Second))
	}
	if r.Record != nil {
		line += " · " + r.Record.Settings.DataName()
		if r.Record.Settings.InitModel != "" {
			line += " (fine-tune)"
		}
	}
	return line
}

// updateButtons enables what can be done now.
func (t *TrainTab) updateButtons() {
	running := t.job != nil
	set := func(b *widgets.TipButton, on bool) {
		if on {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	ending := running && t.job.ending // paused or stopped, saving
	set(t.start, !running)
	set(t.pause, running && t.job.pausable && !ending)
	set(t.stop, running && !ending)
	resumable := !running && t.shown != nil && t.shown.Resumable()
	set(t.resume, resumable)
	// The highlighted action is what follows: Resume for a paused run
	// shown (Start, highlighted beside it, began a new run at a misclick).
	t.start.Importance, t.resume.Importance = widget.HighImportance, widget.MediumImportance
	if resumable {
		t.start.Importance, t.resume.Importance = widget.MediumImportance, widget.HighImportance
	}
	t.start.Refresh()
	t.resume.Refresh()
	switch {
	case !running && t.shown != nil && t.shown.InUse:
		t.resume.SetWhyNot("This run is training in another Tessera (a studio window or a tessera train): pause or stop it there, then ↻ and Resume here")
	case !running && t.shown != nil && !t.shown.Checkpoint && t.shown.Problem == nil:
		t.resume.SetWhyNot("This run ended before its first checkpoint (the studio was closed while its data was prepared, say): there is nothing to continue. Start, with its run folder typed in the form, trains it anew there")
	default:
		t.resume.SetWhyNot("")
	}
	set(t.use, t.modelExported())
	_, whyNotDelete := t.deletable()
	set(t.del, whyNotDelete == nil)
	if whyNotDelete != nil && t.shown != nil && !running {
		// Off, with the reason in its tooltip, where it was on and said
		// the reason in an error dialog.
		t.del.SetWhyNot(strings.TrimPrefix(whyNotDelete.Error(), "train: "))
	} else {
		t.del.SetWhyNot("")
	}
	set(t.same, !running && t.shown != nil && t.shown.Record != nil)
	t.refocus()
	// The form says what the next Start trains: greyed out while a run
	// goes, whose settings it no longer changes.
	for _, w := range []fyne.Disableable{t.data, t.from, t.minutes, t.threads, t.runDir} {
		if running {
			w.Disable()
		} else {
			w.Enable()
		}
	}
	t.updateKeep()
}

// refocus moves the keyboard focus off a run button just greyed out (Space
// there did nothing, and Tab went on to the form) to the action that now
// follows: Pause once a run starts, Resume or Start once it ends; never to
// Stop, where a second Space (or a held key's repeat) would end the run
// just started, so while the data is prepared (no Pause yet) the focus is
// let go, and Pause takes it once it can pause (or Start, when the run
// ended first) unless another control took it meanwhile.
func (t *TrainTab) refocus() {
	if t.h.win == nil {
		return
	}
	c := t.h.win.Canvas()
	next := func() *widgets.TipButton {
		for _, b := range []*widgets.TipButton{t.pause, t.resume, t.start} {
			if !b.Disabled() {
				return b
			}
		}
		return nil
	}
	if t.letGo && c.Overlays().Top() == nil {
		// Let go while the data was prepared: the action that follows
		// (Pause once the run can pause, Start if it ended first) takes
		// it back, unless something else took it meanwhile.
		if c.Focused() == nil {
			if b := next(); b != nil {
				t.letGo = false
				c.Focus(b)
			}
			return
		}
		t.letGo = false // something took it: what follows is the usual
	}
	f, ok := c.Focused().(*widgets.TipButton)
	run := []*widgets.TipButton{t.start, t.pause, t.stop, t.resume}
	if !ok || !f.Disabled() || !slices.Contains(run, f) {
		return
	}
	if b := next(); b != nil {
		c.Focus(b)
		return
	}
	c.Unfocus()
	t.letGo = true
}

// keepApplies reports whether the form's next run would replay what its
// model was trained on with "Keep what it drew" on: a fine-tune of the open
// model on a folder other than the model's own (trainjob.DefaultReplayFor).
// A new model has nothing to keep, and a fine-tune on a built-in dataset
// trains on its whole.
func (t *TrainTab) keepApplies() bool { return t.keepWhyNot() == "" }

// updateKeep shows "Keep what it drew" as the user chose it where it
// applies (keepApplies), else off and greyed out; greyed out too while a
// run goes, whose settings it no longer changes.
func (t *TrainTab) updateKeep() {
	if t.keep == nil {
		return
	}
	t.keep.SetWhyNot("")
	if t.job != nil {
		t.keep.Disable()
		return
	}
	if t.keepApplies() {
		t.keep.SetChecked(t.keepWanted)
		t.keep.Enable()
		return
	}
	t.keep.SetChecked(false)
	t.keep.Disable()
	t.keep.SetWhyNot(t.keepWhyNot()) // greyed out without a word, a newcomer asked why
}

// keepWhyNot says why "Keep what it drew" does not apply to the form's run
// ("": it applies, keepApplies).
func (t *TrainTab) keepWhyNot() string {
	const what = "Keep what it drew is for a fine-tune of the model open on the Create tab on a folder of your pictures"
	switch key, b := t.h.current(); {
	case t.from == nil || t.from.Selected != fromCurrent:
		return what + ": a new model has nothing to keep"
	case t.data == nil || t.data.Selected != dataFolder:
		return what + ": a fine-tune on a built-in dataset trains on all of it, so it keeps what it drew anyway"
	case t.folder == "":
		return what + ": pick the folder first"
	case b == nil:
		return what + ": no model is open there"
	case trainjob.DefaultReplayFor(trainjob.Settings{Data: t.folder, Init: b, InitModel: key}):
		return ""
	}
	return what + ": this folder is the one the model was trained on, so training on it again keeps what it drew"
}

// modelExported reports whether the run on display has exported a model
// (each validation pass does, and so does a Stop), so Use this model has
// one to open.
func (t *TrainTab) modelExported() bool {
	dir := t.RunDir()
	if dir == "" {
		return false
	}
	_, err := os.Stat(filepath.Join(dir, "model", "model.safetensors"))
	return err == nil
}

// showRunFolderDialog asks for a run folder made elsewhere and shows it.
func (t *TrainTab) showRunFolderDialog() {
	d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil {
			t.report(fmt.Errorf("open a run folder: %w", err))
			return
		}
		if dir == nil {
			return
		}
		t.report(t.OpenRunFolder(dir.Path()))
	}, t.h.win)
	d.Resize(dialogSize(t.h.win))
	d.Show()
}

// OpenRunFolder adds a run folder from elsewhere to the list and shows it.
func (t *TrainTab) OpenRunFolder(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("open run folder %s: %w", dir, err)
	}
	if !trainjob.IsRun(abs) {
		return fmt.Errorf("%s is not a run folder: it has no %s, %s or %s", abs, trainjob.RecordFile, train.CheckpointFile, trainjob.PreparedFile)
	}
	t.listFolder(abs)
	t.RefreshRuns()
	return t.ShowRun(abs)
}

// listFolder adds run folder abs (an absolute path) to the runs listed
// when it is not in the runs folder.
func (t *TrainTab) listFolder(abs string) {
	if filepath.Dir(abs) == filepath.Clean(t.h.runsDir) || slices.Contains(t.extra, abs) {
		return
	}
	t.extra = append(t.extra, abs)
	t.h.set.SetRunFolders(t.extra) // listed again after a restart
}

// shutdown pauses the run in progress when the studio closes and waits
// (up to shutdownWait) for its checkpoint. Call it after the UI loop
// ended.
func (t *TrainTab) shutdown() {
	t.closed.Store(true)
	j := t.job
	if j == nil {
		return
	}
	j.cancel(trainjob.ErrPaused)
	select {
	case <-j.done:
	case <-time.After(shutdownWait):
	}
}

// wait blocks until the run in progress ends (tests pump the UI loop
// meanwhile).
func (t *TrainTab) wait() {
	if p, ok := t.h.loop.(pumper); ok {
		p.pumpUntil(func() bool { return t.job == nil })
		return
	}
	if j := t.job; j != nil {
		<-j.done
	}
}

// loadImage decodes an image file (nil when it cannot), its size checked
// from the header before any pixels are allocated (codebook.LoadImage).
func loadImage(path string) image.Image {
	img, err := codebook.LoadImage(path)
	if err != nil {
		return nil
	}
	return img
}

// lineLog keeps a run's text output as lines: '\n' ends a line, '\r'
// starts the current one again (a progress line redrawn; the blanks that
// clear it between two redraws are never shown as the line).
type lineLog struct {
	mu     sync.Mutex
	lines  []string
	cur    []byte
	drawn  string // the current line's last redraw that was not blank
	notify func()
}

// Write is io.Writer (the training goroutine).
func (l *lineLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	for _, c := range p {
		switch c {
		case '\n':
			l.lines = append(l.lines, l.current())
			l.cur, l.drawn = l.cur[:0], ""
		case '\r':
			if strings.TrimSpace(string(l.cur)) != "" {
				l.drawn = string(l.cur)
			}
			l.cur = l.cur[:0]
		default:
			l.cur = append(l.cur, c)
		}
	}
	if len(l.lines) > logKeep {
		l.lines = l.lines[len(l.lines)-logKeep:]
	}
	notify := l.notify
	l.mu.Unlock()
	if notify != nil {
		notify()
	}
	return len(p), nil
}

// take returns the finished lines since the last take and the line being
// written.
func (l *lineLog) take() (lines []string, current string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lines, l.lines = l.lines, nil
	return lines, l.current()
}

// current is the line being written as the tab shows it: its text, or
// while a progress line is cleared for its next redraw, the last redraw.
func (l *lineLog) current() string {
	if line := withoutBar(string(l.cur)); line != "" {
		return line
	}
	return withoutBar(l.drawn)
}

// progressBar is the share and bar that begin a progress line
// (progress.Line: "  5% [=>                  ]  step 58/1096 | …"), drawn for
// a terminal.
var progressBar = regexp.MustCompile(`^\s*\d+% \[[=> ]*\]`)

// withoutBar is a log line as the tab shows it: trimmed, and without the
// share and bar a terminal shows (read as a terminal's in the tab, whose
// plots and status line say the progress): "step 58/1096 | loss…".
func withoutBar(line string) string {
	return strings.TrimSpace(progressBar.ReplaceAllLiteralString(line, ""))
}

// Names of the window's tabs.
const (
	createTab = "Create"
	trainTab  = "Train"
)

// trainHost gives the Train tab its handles on the studio.
func (s *Studio) trainHost() trainHost {
	runs, oldRuns := s.opt.RunsDir, ""
	if runs == "" {
		// Where a user looks for their models: ~/Tessera/runs (runs of
		// Tessera before this were kept in the app's hidden storage, and
		// are still listed).
		oldRuns = filepath.Join(storageDir(s.app), "runs")
		runs = oldRuns
		if home, err := os.UserHomeDir(); err == nil && home != "" {
			runs = filepath.Join(home, "Tessera", "runs")
		}
	}
	return trainHost{
		win: s.win, loop: s.loop, ctx: s.ctx, version: s.opt.Version, set: s.set, runsDir: runs, oldRunsDir: oldRuns,
		current: func() (string, *bundle.Bundle) { return s.modelKey, s.bundle },
		open:    func(key string) (*bundle.Bundle, error) { return s.opt.Models.Open(key, nil) },
		useModel: func(dir, note string) error {
			before := s.startNote
			if note != "" {
				s.startNote = joinNotes(s.startNote, capitalize(note)) // said with the model's load
			}
			if err := s.OpenModelFolder(dir); err != nil {
				s.startNote = before
				return err
			}
			s.ShowTab(createTab)
			return nil
		},
		refresh: func(dir string) bool {
			if s.bundle == nil || !isFolderKey(s.modelKey) || cleanPath(s.modelKey) != cleanPath(dir) {
				return false
			}
			if err := s.OpenModel(s.modelKey); err != nil {
				// A run of the Create tab holds the model: say how to get
				// the new weights once it ends.
				s.logStatus(fmt.Sprintf("The run's model was replaced by newer weights; pick %s in the model picker again to draw with them (%v)", modelLabel(s.modelKey), err))
				return false
			}
			return true
		},
		showError:  s.showError,
		modelsGone: s.refreshModels,
		ended:      s.trainEnded,
		unsavedWork: func(dir string) bool {
			for key, w := range s.works {
				if isFolderKey(key) && under(key, dir) && w.doc != nil && !w.doc.Empty() && !w.saved {
					return true
				}
			}
			return false
		},
		dropWork: func(dir string) {
			for key := range s.works {
				if isFolderKey(key) && under(key, dir) {
					delete(s.works, key)
				}
			}
		},
	}
}

// Train is the Train tab.
func (s *Studio) Train() *TrainTab { return s.train }

// ShowTab brings the tab named name ("Create" or "Train") to the front.
func (s *Studio) ShowTab(name string) {
	for _, it := range s.tabs.Items {
		if it.Text == name {
			s.tabs.Select(it)
		}
	}
}

// Tab is the name of the tab in front.
func (s *Studio) Tab() string {
	if s.tabs == nil {
		return "" // still being built
	}
	if it := s.tabs.Selected(); it != nil {
		return it.Text
	}
	return ""
}
