package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// timelineHost is what the timeline needs of the studio: the patches of
// the current image it can rewind (an error when there is no image or a
// run paints the canvas), redrawing the document as the timeline shows it,
// the status line, and background work.
type timelineHost interface {
	timelineImage() (n, full int, err error)
	showDoc()
	updateButtons()
	setStatus(msg string)
	report(err error)
	goBackground(fn func())
}

// timeline is the timeline's controller and the strip under the canvas
// that rewinds the image: a slider over k = 0…N shows the image as it was
// after its first k patches, ▶ replays the generation patch by patch at a
// pace the eye can follow, and "Branch from here" keeps the patches shown
// and resamples the rest. UI goroutine only.
type timeline struct {
	host   timelineHost
	loop   uiLoop
	ctx    context.Context
	slider *widgets.TipSlider
	label  *widget.Label
	play   *widgets.TipButton
	branch *widgets.TipButton
	box    fyne.CanvasObject
	quiet  bool
	scrub  int // patches shown (-1: the whole image)
	// replay is the running replay (nil: none); frame its time per frame.
	replay *replay
	frame  time.Duration
	// onScrub, when set (tests), sees each number of patches shown.
	onScrub func(k int)
}

// timelineSliderWidth is the timeline slider's shortest, in pixels: about
// two a patch of a 64-patch picture.
const timelineSliderWidth = 130

// newTimeline builds the strip; onBranch is the branch button.
func newTimeline(ctx context.Context, host timelineHost, loop uiLoop, onBranch func()) *timeline {
	t := &timeline{host: host, loop: loop, ctx: ctx, scrub: -1, frame: replayFrameTime}
	t.slider = widgets.NewTipSlider(0, 1, "Timeline: drag to see the image as it was after its first patches")
	t.slider.OnChanged = func(v float64) {
		if !t.quiet {
			t.scrubTo(int(v))
		}
	}
	t.label = widget.NewLabel("")
	t.play = widgets.NewTipButton("", theme.MediaPlayIcon(), "Replay the generation patch by patch (again to pause)", t.toggleReplay)
	t.branch = widgets.NewTipButton("Branch", theme.MediaSkipNextIcon(), "Branch from here: keep the patches shown and resample the rest with the prompt panel's settings: its Batch sets how many candidates, ranked", onBranch)
	// Laid out as a border, in reading order: Tab reaches Play before the
	// slider (container.NewBorder puts the middle first). The slider keeps
	// a length that picks a patch (at the window's narrowest it was 45 px
	// for 64 patches, a jump of two or three a pixel): the row's words are
	// short for it (Branch, not Branch from here, which the tip and the
	// Image menu say; no "Timeline" label, which the tip says).
	right := container.NewHBox(t.label, t.branch)
	slider := widgets.AtLeast(timelineSliderWidth, t.slider)
	t.box = container.New(layout.NewBorderLayout(nil, nil, t.play, right), t.play, slider, right)
	return t
}

// set shows k of n patches of an image whose finished form has full
// (n when it is finished) without calling back.
func (t *timeline) set(k, n, full int) {
	t.quiet = true
	defer func() { t.quiet = false }()
	t.slider.Max = float64(max(n, 1))
	t.slider.SetValue(float64(k))
	t.slider.Refresh()
	t.label.SetText(timelineLabel(k, n, full))
}

// timelineLabel is the timeline's count: k of n patches shown, and of how
// many the finished image has where it is unfinished (a run stopped
// midway read "21 / 21", as if whole).
func timelineLabel(k, n, full int) string {
	if full > n {
		return fmt.Sprintf("%d / %d of %d", k, n, full)
	}
	return fmt.Sprintf("%d / %d", k, n)
}

// replayFrameTime is the time a replay shows each frame; replayFrames is
// the most frames a replay has (one per patch for smaller images).
const (
	replayFrameTime = 45 * time.Millisecond
	replayFrames    = 240
)

// replay is a running replay of the timeline.
type replay struct {
	done chan struct{}
}

// toggleReplay is the ▶ button: replay, or pause a replay.
func (t *timeline) toggleReplay() {
	if t.replay != nil {
		t.stopReplay()
		return
	}
	t.host.report(t.Replay())
}

// Replay plays the image's generation on the canvas from its stored codes,
// patch by patch, to the whole image (about replayFrameTime a frame), so
// that a run that was over in a blink can be watched: from where the
// timeline was rewound to (a paused replay goes on), else from nothing. It
// returns at once; any change of the image stops it.
func (t *timeline) Replay() error {
	n, full, err := t.host.timelineImage()
	if err != nil {
		return err
	}
	from := 0
	if k := t.shown(n); k < n {
		from = k
	}
	t.stopReplay()
	frames := min(n, replayFrames)
	r := &replay{done: make(chan struct{})}
	t.replay = r
	t.play.SetIcon(theme.MediaPauseIcon())
	frame := t.frame
	if from > 0 {
		t.host.setStatus(fmt.Sprintf("Replaying patches %d to %d…", from+1, n))
	} else {
		t.host.setStatus(fmt.Sprintf("Replaying %d patches…", n))
	}
	first := (from*frames + n - 1) / n // the first frame at or after from
	t.host.goBackground(func() {
		for f := first; f <= frames; f++ {
			k := f * n / frames
			t.loop.DoAndWait(func() {
				if t.replay == r {
					t.set(k, n, full)
					t.scrubTo(k)
				}
			})
			select {
			case <-r.done:
				return
			case <-t.ctx.Done():
				return
			case <-time.After(frame):
			}
		}
		t.loop.DoAndWait(func() {
			if t.replay == r {
				t.replay = nil
				t.play.SetIcon(theme.MediaPlayIcon())
				t.host.setStatus(fmt.Sprintf("Replayed %d patches", n))
			}
		})
	})
	return nil
}

// stopReplay stops a replay where it is (nothing when none runs).
func (t *timeline) stopReplay() {
	if t.replay == nil {
		return
	}
	close(t.replay.done)
	t.replay = nil
	t.play.SetIcon(theme.MediaPlayIcon())
}

// Replaying reports whether a replay runs.
func (t *timeline) Replaying() bool { return t.replay != nil }

// reset puts the timeline at the end of an image of n patches of full
// (the finished image's; n when it is finished).
func (t *timeline) reset(n, full int) {
	t.scrub = -1
	t.set(n, n, full)
}

// shown is how many of an image's n patches the canvas shows: all of
// them, or the first k while the timeline is rewound.
func (t *timeline) shown(n int) int {
	if t.scrub >= 0 && t.scrub < n {
		return t.scrub
	}
	return n
}

// Scrub shows the image as it was after its first k patches (k = 0…N),
// drawn from its stored codes at once, without the model; k = N shows it
// whole again.
func (t *timeline) Scrub(k int) error {
	n, full, err := t.host.timelineImage()
	if err != nil {
		return err
	}
	if k < 0 || k > n {
		return fmt.Errorf("rewind to patch %d: the image has patches 0 to %d", k, n)
	}
	t.set(k, n, full)
	t.scrubTo(k)
	return nil
}

// scrubTo shows the first k patches (the slider's callback).
func (t *timeline) scrubTo(k int) {
	n, full, err := t.host.timelineImage()
	if err != nil {
		return
	}
	t.scrub = -1
	if k < n {
		t.scrub = max(k, 0)
	}
	t.label.SetText(timelineLabel(t.shown(n), n, full))
	t.host.showDoc()
	t.host.updateButtons()
	if t.onScrub != nil {
		t.onScrub(t.shown(n))
	}
}

// timelineImage is the number of patches of the image the timeline can
// rewind and the finished image's (more while it is unfinished):
// errNoImage without one, errBusy while a run paints the canvas.
func (s *Studio) timelineImage() (n, full int, err error) {
	if s.doc == nil || s.doc.Empty() || s.bundle == nil {
		return 0, 0, errNoImage
	}
	if busy, ok := s.runs.runner.Busy(); ok {
		return 0, 0, busy
	}
	return len(s.doc.Tokens()), s.doc.N(), nil
}

// shownPatches is how many patches of the current image the canvas shows
// (see timeline.shown).
func (s *Studio) shownPatches() int {
	if s.doc == nil {
		return 0
	}
	return s.tl.shown(len(s.doc.Tokens()))
}

// resetTimeline puts the timeline at the end of the current image.
func (s *Studio) resetTimeline() {
	n, full := 0, 0
	if s.doc != nil && !s.doc.Empty() {
		n, full = len(s.doc.Tokens()), s.doc.N()
	}
	s.tl.reset(n, full)
}

// BranchFromHere keeps the patches the timeline shows and resamples the
// rest with the current settings (a batch comes ranked). It continues from
// the kept KV cache of the run that made the image when there is one (no
// recomputation of the prefix), else it recomputes the prefix from the
// codes (an image opened from a file or the history). The results record
// the current image's file as their parent, so the history shows the tree.
func (s *Studio) BranchFromHere() error {
	if s.doc == nil || s.doc.Empty() {
		return errNoImage
	}
	if s.doc.Tall() {
		return s.tallError("Branch from here")
	}
	k := s.shownPatches()
	if k >= s.doc.N() {
		return errors.New("move the timeline back first: Branch from here keeps the patches shown and resamples the rest")
	}
	p, err := s.imageRunParams()
	if err != nil {
		return err
	}
	b := s.bundle
	tokens := s.doc.Tokens()
	opt := s.runOptions(p)
	parent, index := s.runs.cached(s.bundle, tokens)
	// How the prefix was had, said for the options of the run that made
	// the result (a retry with more variation has other ones).
	var note string
	asked := opt // a retry with more variation (runs.start) changes temperature and guidance
	s.tl.stopReplay()
	s.canvas.ShowImage(decodeRows(b, tokens[:k], s.doc.Rows))
	return s.startJob(job{
		kind: kindBranch, label: "branching", b: b, params: p, base: tokens, mask: s.doc.Mask(), parent: s.doc.Parent,
		at: k, temps: opt.PatchTemperature, rank: true, lateNote: &note, sampled: b.ImageTokens() - k, keepMask: s.keptPrefix(k),
		opt: opt, runWith: func(ctx context.Context, opt sampler.Options, emit func(sampler.Event)) (*sampler.Result, error) {
			switch {
			case sampler.ReusesCache(b, opt, parent, index):
				note = "the kept patches' KV cache reused from the run that drew them"
			case parent != nil && (opt.Guidance != asked.Guidance || opt.Temperature != asked.Temperature) && sampler.ReusesCache(b, asked, parent, index):
				note = "the kept patches read again: the retry draws at another guidance than the run that drew them"
			case parent != nil:
				note = "the kept patches read again: the prompt or guidance differs from the run that drew them"
			default:
				note = "the kept patches read again from their codes (no cache of the run that drew them)"
			}
			if parent != nil {
				return sampler.Branch(ctx, b, opt, parent, index, k, emit)
			}
			return sampler.Complete(ctx, b, opt, tokens, k, emit)
		},
	})
}
