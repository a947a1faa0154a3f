package ui

import (
	"context"
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/engine/sampler"
)

// timeline is the strip under the canvas that rewinds the image: a slider
// over k = 0…N shows the image as it was after its first k patches, and
// "Branch from here" keeps those and resamples the rest.
type timeline struct {
	slider *widget.Slider
	label  *widget.Label
	branch *widget.Button
	box    fyne.CanvasObject
	quiet  bool
}

// newTimeline builds the strip; onScrub gets the patches to show, onBranch
// is the button.
func newTimeline(onScrub func(k int), onBranch func()) *timeline {
	t := &timeline{}
	t.slider = widget.NewSlider(0, 1)
	t.slider.Step = 1
	t.slider.OnChanged = func(v float64) {
		if !t.quiet {
			onScrub(int(v))
		}
	}
	t.label = widget.NewLabel("")
	t.branch = widget.NewButtonWithIcon("Branch from here", theme.MediaSkipNextIcon(), onBranch)
	t.box = container.NewBorder(nil, nil, widget.NewLabel("Timeline"), container.NewHBox(t.label, t.branch), t.slider)
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
	if name := s.run.Running(); name != "" {
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
	if s.doc == nil || s.doc.Empty() || s.bundle == nil || s.run.Running() != "" {
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
	parent, index := s.cachedRun(tokens)
	note := "prefix recomputed from the codes"
	if parent != nil {
		note = "prefix reused from the run's cache"
	}
	s.canvas.ShowImage(decodeRows(b, tokens[:k], s.doc.Rows))
	return s.startJob(job{
		kind: kindBranch, label: "branching", b: b, params: p, base: tokens, mask: s.doc.Mask(), parent: s.doc.Parent,
		at: k, temps: opt.PatchTemperature, rank: true, note: note,
		run: func(ctx context.Context, emit func(sampler.Event)) (*sampler.Result, error) {
			if parent != nil {
				return sampler.Branch(ctx, b, opt, parent, index, k, emit)
			}
			return sampler.Complete(ctx, b, opt, tokens, k, emit)
		},
	})
}
