package ui

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/render"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// Range of the "worst X%" setting of Resample the least likely.
const (
	minWorstPercent     = 1
	maxWorstPercent     = 50
	defaultWorstPercent = 10
)

// errModelChanged is reported by a scoring that ended after a model switch.
var errModelChanged = errors.New("the model changed meanwhile")

// scored is one likelihood scoring: an image's codes under a prompt.
type scored struct {
	key   string // scoreKey of the prompt and codes
	score *sampler.Score
}

// scoreKey identifies what a score is of.
func scoreKey(prompt string, tokens []int) string {
	return prompt + "\x00" + tokensKey(tokens)
}

// scorePrompt is the prompt the likelihood map scores with: the panel's,
// with the style the image's seed drew when it was drawn from it (see
// imagePrompt).
func (s *Studio) scorePrompt() string {
	if p, err := s.panel.Params(); err == nil {
		return s.imagePrompt(p.Prompt)
	}
	return s.imagePrompt(s.params.Prompt)
}

// scoreable says why the current image cannot be scored (nil if it can).
func (s *Studio) scoreable() error {
	switch {
	case s.bundle == nil:
		return errNoModel
	case s.doc == nil || s.doc.Empty():
		return errNoImage
	case !s.doc.Complete():
		return errors.New("the likelihood map needs a finished image: Continue it first")
	}
	return nil
}

// currentScoreKey is the scoreKey of the current image and prompt.
func (s *Studio) currentScoreKey() string {
	return scoreKey(s.scorePrompt(), s.doc.Tokens())
}

// scoreAsync scores tokens under prompt in one pass of the model in the
// background; done runs on the UI goroutine with the result. The result
// is kept for the likelihood map when it is of the current image.
func (s *Studio) scoreAsync(prompt string, tokens []int, done func(*scored, error)) {
	b, workers := s.bundle, s.opt.Workers
	key := scoreKey(prompt, tokens)
	parent := s.doc.Parent
	s.goBackground(func() {
		var sc *sampler.Score
		err := errModelChanged // the image is another model's: asked mid-way through a switch of models
		if b != nil {
			switch _, cols := b.Grid(); {
			case len(tokens) == b.ImageTokens():
				sc, err = sampler.ScoreTokens(s.ctx, b, prompt, tokens, workers)
			case len(tokens) > b.ImageTokens() && len(tokens)%cols == 0:
				// grown with Extend ↓: window by window as it drew them, at
				// the stride its output records (tessera score reads it so
				// too), else half the grid
				sc, err = sampler.ScoreTall(s.ctx, b, prompt, tokens, len(tokens)/cols, extendStride(parent, tokens), workers, sampler.ScoreTokens)
			}
		}
		s.loop.DoAndWait(func() {
			if err == nil && s.bundle != b {
				err = errModelChanged
			}
			if err != nil {
				done(nil, fmt.Errorf("score the image: %w", err))
				return
			}
			r := &scored{key: key, score: sc}
			s.likelihood.offer(r)
			done(r, nil)
		})
	})
}

// extendStride is the stride with which the tall image tokens was extended,
// as the output or file it came from (parent) records it when that holds
// these very codes; 0 (the default, half the grid) otherwise.
func extendStride(parent string, tokens []int) int {
	if rec := recordOf(parent); rec != nil && slices.Equal(rec.Tokens, tokens) {
		return rec.ExtraInt(pngmeta.ExtraStride)
	}
	return 0
}

// surpriseTop is the top of the likelihood map's scale for the open model
// (render.SurpriseTop of its codebook).
func (s *Studio) surpriseTop() float64 {
	if s.bundle == nil {
		return render.SurpriseTop(0)
	}
	return render.SurpriseTop(s.bundle.Codes())
}

// scoreCurrent scores the current image under the current prompt in the
// background (scoreAsync).
func (s *Studio) scoreCurrent(done func(*scored, error)) {
	s.scoreAsync(s.scorePrompt(), s.doc.Tokens(), done)
}

// isStreaming reports whether a run paints the canvas.
func (s *Studio) isStreaming() bool { return s.runs.streaming }

// likelihoodHost is what the likelihood map needs of the studio: whether
// and what it can score, scoring in the background, and how much of the
// image the timeline shows.
type likelihoodHost interface {
	scoreable() error
	currentScoreKey() string
	scoreCurrent(done func(*scored, error))
	shownPatches() int
	isStreaming() bool
	scorePrompt() string  // the prompt the image is scored under
	surpriseTop() float64 // the top of the map's scale, nats
}

// likelihoodMap is the likelihood map's controller: whether it is shown,
// the last score of the current image, and one background scoring at a
// time; it paints the canvas's likelihood layer and the legend. UI
// goroutine only.
type likelihoodMap struct {
	host    likelihoodHost
	canvas  *widgets.LiveCanvas
	legend  *widgets.LikelihoodLegend
	toggle  func(on bool) // shows the state on the edit panel's check box
	on      bool
	last    *scored // the last score kept (nil: none yet)
	scoring bool    // a scoring for the map runs
}

// Set shows or hides the likelihood map: each patch tinted by how
// surprising the model finds it (-log p in nats, from one scoring pass of
// the current image with the current prompt), with a legend.
func (m *likelihoodMap) Set(on bool) {
	m.on = on
	m.toggle(on)
	m.refresh()
}

// On reports whether the map is shown.
func (m *likelihoodMap) On() bool { return m.on }

// Score is the score behind the map when it is of the current image and
// prompt (nil otherwise).
func (m *likelihoodMap) Score() *sampler.Score {
	if m.last == nil || m.host.scoreable() != nil || m.last.key != m.host.currentScoreKey() {
		return nil
	}
	return m.last.score
}

// offer keeps r for the map when it is a score of the current image and
// prompt.
func (m *likelihoodMap) offer(r *scored) {
	if m.host.scoreable() == nil && r.key == m.host.currentScoreKey() {
		m.last = r
	}
}

// forget drops the score kept (another model is open).
func (m *likelihoodMap) forget() { m.last = nil }

// refresh shows the map of the current image and prompt, scoring it in
// the background first when that is not known yet (one scoring at a time;
// when it ends the map is refreshed again, so the latest image and prompt
// win).
func (m *likelihoodMap) refresh() {
	if !m.on {
		m.canvas.SetLikelihoodMap(nil, 0, 0)
		m.legend.Hide()
		return
	}
	if m.host.isStreaming() {
		m.canvas.SetLikelihoodMap(nil, 0, 0)
		m.legend.SetMessage("The map comes back when the run ends")
		return
	}
	if err := m.host.scoreable(); err != nil {
		m.canvas.SetLikelihoodMap(nil, 0, 0)
		m.legend.SetMessage(err.Error())
		return
	}
	if sc := m.Score(); sc != nil {
		m.show(sc)
		return
	}
	m.canvas.SetLikelihoodMap(nil, 0, 0)
	m.legend.SetMessage("Scoring…")
	if m.scoring {
		return // refreshed again when that scoring ends
	}
	m.scoring = true
	m.host.scoreCurrent(func(_ *scored, err error) {
		m.scoring = false
		if err != nil && !errors.Is(err, errModelChanged) {
			m.legend.SetMessage(err.Error())
			return
		}
		m.refresh() // the latest image, prompt and model
	})
}

// show puts sc's map on the canvas (only the patches shown while the
// timeline is rewound) and fills the legend.
func (m *likelihoodMap) show(sc *sampler.Score) {
	// One scale for every image of the model (render.SurpriseTop): a
	// near-perfect image stays dark where a scale from its own least to
	// its most surprising patch painted patches of 0.09 nats as hot as a
	// broken edit's 23.
	top := m.host.surpriseTop()
	shown := sc.PerToken[:min(m.host.shownPatches(), len(sc.PerToken))]
	m.canvas.SetLikelihoodMap(shown, 0, top)
	worst := 0.0 // of the patches shown, as the canvas frames it (the timeline may be rewound)
	if len(shown) > 0 {
		worst = slices.Max(shown)
	}
	m.legend.Show(top, worst, sc.BitsPerToken(), m.host.scorePrompt())
}

// worstMask marks the fraction frac (at least one patch) of patches with
// the highest values, ties to the earlier patch.
func worstMask(values []float64, frac float64) []bool {
	n := min(max(int(math.Round(frac*float64(len(values)))), 1), len(values))
	order := make([]int, len(values))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(values[b], values[a]) })
	mask := make([]bool, len(values))
	for _, i := range order[:n] {
		mask[i] = true
	}
	return mask
}

// worstFraction is the "worst X%" setting as a fraction.
func (s *Studio) worstFraction() float64 { return s.edit.worst.Value / 100 }

// RepairLeastLikely turns the worst X% of patches by the model's −log p
// (the likelihood map, scored first if needed) into the mask, one undo
// step, and regenerates them as Regenerate masked does (candidates, best
// fit first): glitches repaired in one click. It returns at once.
func (s *Studio) RepairLeastLikely() error {
	if err := s.scoreable(); err != nil {
		return err
	}
	if busy, ok := s.runs.runner.Busy(); ok {
		return busy
	}
	frac := s.worstFraction()
	if sc := s.likelihood.Score(); sc != nil {
		return s.repairWith(sc, frac)
	}
	s.setStatus("Scoring the image to find its least likely patches…")
	key := s.currentScoreKey()
	s.scoreCurrent(func(r *scored, err error) {
		switch {
		case err != nil:
			s.showError(fmt.Errorf("resample the least likely: %w", err))
		case s.scoreable() != nil || s.currentScoreKey() != key:
			s.showError(errors.New("resample the least likely: the image or prompt changed while it was scored; try again"))
		default:
			s.report(s.repairWith(r.score, frac))
		}
	})
	return nil
}

// repairWith masks the worst frac of patches by sc and regenerates them;
// a run started meanwhile (while the image was scored) leaves the mask as
// it is.
func (s *Studio) repairWith(sc *sampler.Score, frac float64) error {
	if busy, running := s.runs.runner.Busy(); running || s.runs.streaming {
		if !running {
			busy = errBusy{running: "a run"} // it paints the canvas still
		}
		return fmt.Errorf("resample the least likely: %w", busy)
	}
	step := s.doc.Step()
	if err := s.paint.SetMask(worstMask(sc.PerToken, frac)); err != nil {
		return fmt.Errorf("resample the least likely: %w", err)
	}
	if err := s.regenerate(sc); err != nil {
		return err
	}
	if s.doc.Step() != step {
		s.runs.maskStep = s.doc.Step() // a repair that changes nothing takes it back (finish)
	}
	return nil
}
