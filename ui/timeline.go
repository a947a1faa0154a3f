package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// timeline is the strip under the canvas that rewinds the image: a slider
// over k = 0…N shows the image as it was after its first k patches, ▶
// replays the generation patch by patch at a pace the eye can follow, and
// "Branch from here" keeps the patches shown and resamples the rest.
type timeline struct {
	slider *widgets.TipSlider
	label  *widget.Label
	play   *widgets.TipButton
	branch *widgets.TipButton
	box    fyne.CanvasObject
	quiet  bool
}

// newTimeline builds the strip; onScrub gets the patches to show, onBranch
// is the branch button and onPlay the ▶ button.
func newTimeline(onScrub func(k int), onBranch, onPlay func()) *timeline {
	t := &timeline{}
	t.slider = widgets.NewTipSlider(0, 1, "Timeline: drag to see the image as it was after its first patches")
	t.slider.OnChanged = func(v float64) {
		if !t.quiet {
			onScrub(int(v))
		}
	}
	t.label = widget.NewLabel("")
	t.play = widgets.NewTipButton("", theme.MediaPlayIcon(), "Replay the generation patch by patch (again to pause)", onPlay)
	t.branch = widgets.NewTipButton("Branch from here", theme.MediaSkipNextIcon(), "Keep the patches shown and resample the rest with the current settings", onBranch)
	t.box = container.NewBorder(nil, nil, container.NewHBox(widget.NewLabel("Timeline"), t.play), container.NewHBox(t.label, t.branch), t.slider)
	return t
}

// set shows k of n patches without calling back.
func (t *timeline) set(k, n int) {
	t.quiet = true
	defer func() { t.quiet = false }()
	t.slider.Max = float64(max(n, 1))
	t.slider.SetValue(float64(k))
	t.slider.Refresh()
	t.label.SetText(fmt.Sprintf("%d / %d", k, n))
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
func (s *Studio) toggleReplay() {
	if s.replay != nil {
		s.stopReplay()
		return
	}
	s.report(s.Replay())
}

// Replay plays the image's generation on the canvas from its stored codes,
// patch by patch, from nothing to the whole image (about replayFrameTime a
// frame), so that a run that was over in a blink can be watched. It returns
// at once; any change of the image stops it.
func (s *Studio) Replay() error {
	if s.doc == nil || s.doc.Empty() || s.bundle == nil {
		return errNoImage
	}
	if name := s.runs.runner.Running(); name != "" {
		return errBusy{running: name}
	}
	s.stopReplay()
	n := len(s.doc.Tokens())
	frames := min(n, replayFrames)
	r := &replay{done: make(chan struct{})}
	s.replay = r
	s.tl.play.SetIcon(theme.MediaPauseIcon())
	frame := s.replayFrame
	s.setStatus(fmt.Sprintf("Replaying %d patches…", n))
	s.goBackground(func() {
		for f := 0; f <= frames; f++ {
			k := f * n / frames
			s.loop.DoAndWait(func() {
				if s.replay == r {
					s.tl.set(k, n)
					s.scrubTo(k)
				}
			})
			select {
			case <-r.done:
				return
			case <-s.ctx.Done():
				return
			case <-time.After(frame):
			}
		}
		s.loop.DoAndWait(func() {
			if s.replay == r {
				s.replay = nil
				s.tl.play.SetIcon(theme.MediaPlayIcon())
				s.setStatus(fmt.Sprintf("Replayed %d patches", n))
			}
		})
	})
	return nil
}

// stopReplay stops a replay where it is (nothing when none runs).
func (s *Studio) stopReplay() {
	if s.replay == nil {
		return
	}
	close(s.replay.done)
	s.replay = nil
	s.tl.play.SetIcon(theme.MediaPlayIcon())
}

// Replaying reports whether a replay runs.
func (s *Studio) Replaying() bool { return s.replay != nil }

// resetTimeline puts the timeline at the end of the current image.
func (s *Studio) resetTimeline() {
	s.scrub = -1
	n := 0
	if s.doc != nil {
		n = len(s.doc.Tokens())
	}
	s.tl.set(n, n)
}

// shownPatches is how many patches of the current image the canvas shows:
// all of them, or the first k while the timeline is rewound.
func (s *Studio) shownPatches() int {
	if s.doc == nil {
		return 0
	}
	n := len(s.doc.Tokens())
	if s.scrub >= 0 && s.scrub < n {
		return s.scrub
	}
	return n
}

// Scrub shows the image as it was after its first k patches (k = 0…N),
// drawn from its stored codes at once, without the model; k = N shows it
// whole again.
func (s *Studio) Scrub(k int) error {
	if s.doc == nil || s.doc.Empty() || s.bundle == nil {
		return errNoImage
	}
	if name := s.runs.runner.Running(); name != "" {
		return errBusy{running: name}
	}
	n := len(s.doc.Tokens())
	if k < 0 || k > n {
		return fmt.Errorf("rewind to patch %d: the image has patches 0 to %d", k, n)
	}
	s.tl.set(k, n)
	s.scrubTo(k)
	return nil
}

// scrubTo shows the first k patches (the timeline's callback).
func (s *Studio) scrubTo(k int) {
	if s.doc == nil || s.doc.Empty() || s.bundle == nil || s.runs.runner.Running() != "" {
		return
	}
	n := len(s.doc.Tokens())
	s.scrub = -1
	if k < n {
		s.scrub = max(k, 0)
	}
	s.tl.label.SetText(fmt.Sprintf("%d / %d", s.shownPatches(), n))
	s.showDoc()
	s.updateButtons()
	if s.onScrub != nil {
		s.onScrub(s.shownPatches())
	}
}

// Scrubbed is the number of patches the timeline shows.
func (s *Studio) Scrubbed() int { return s.shownPatches() }

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
	p, err := s.runParams()
	if err != nil {
		return err
	}
	b := s.bundle
	tokens := s.doc.Tokens()
	opt := s.runOptions(p)
	parent, index := s.runs.cached(s.bundle, tokens)
	note := "prefix recomputed from the codes"
	if parent != nil {
		note = "prefix reused from the run's cache"
	}
	s.stopReplay()
	s.canvas.ShowImage(decodeRows(b, tokens[:k], s.doc.Rows))
	return s.startJob(job{
		kind: kindBranch, label: "branching", b: b, params: p, base: tokens, mask: s.doc.Mask(), parent: s.doc.Parent,
		at: k, temps: opt.PatchTemperature, rank: true, note: note, sampled: b.ImageTokens() - k,
		run: func(ctx context.Context, emit func(sampler.Event)) (*sampler.Result, error) {
			if parent != nil {
				return sampler.Branch(ctx, b, opt, parent, index, k, emit)
			}
			return sampler.Complete(ctx, b, opt, tokens, k, emit)
		},
	})
}
