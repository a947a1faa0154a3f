package ui

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/tessera-studio/tessera/engine/sampler"
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

// scorePrompt is the prompt the likelihood map scores with: the panel's.
func (s *Studio) scorePrompt() string {
	if p, err := s.panel.Params(); err == nil {
		return p.Prompt
	}
	return s.params.Prompt
}

// scoreable says why the current image cannot be scored (nil if it can).
func (s *Studio) scoreable() error {
	switch {
	case s.bundle == nil:
		return errNoModel
	case s.doc == nil || s.doc.Empty():
		return errNoImage
	case s.doc.Tall():
		return s.tallError("The likelihood map")
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
	s.goBackground(func() {
		sc, err := sampler.ScoreTokens(s.ctx, b, prompt, tokens, workers)
		s.loop.DoAndWait(func() {
			if err == nil && s.bundle != b {
				err = errModelChanged
			}
			if err != nil {
				done(nil, fmt.Errorf("score the image: %w", err))
				return
			}
			r := &scored{key: key, score: sc}
			if s.scoreable() == nil && key == s.currentScoreKey() {
				s.likMap = r
			}
			done(r, nil)
		})
	})
}

// SetLikelihoodMap shows or hides the likelihood map: each patch tinted by
// how surprising the model finds it (-log p in nats, from one scoring
// pass of the current image with the current prompt), with a legend.
func (s *Studio) SetLikelihoodMap(on bool) {
	s.likMapOn = on
	s.edit.setLikelihoodMap(on)
	s.refreshLikelihoodMap()
}

// LikelihoodScore is the score behind the likelihood map when it is of
// the current image and prompt (nil otherwise).
func (s *Studio) LikelihoodScore() *sampler.Score {
	if s.likMap == nil || s.scoreable() != nil || s.likMap.key != s.currentScoreKey() {
		return nil
	}
	return s.likMap.score
}

// refreshLikelihoodMap shows the likelihood map of the current image and prompt,
// scoring it in the background first when that is not known yet (one
// scoring at a time; when it ends the map is refreshed again, so the
// latest image and prompt win).
func (s *Studio) refreshLikelihoodMap() {
	if !s.likMapOn {
		s.canvas.SetLikelihoodMap(nil, 0, 0)
		s.legend.Hide()
		return
	}
	if s.streaming {
		s.canvas.SetLikelihoodMap(nil, 0, 0)
		s.legend.SetMessage("The map comes back when the run ends")
		return
	}
	if err := s.scoreable(); err != nil {
		s.canvas.SetLikelihoodMap(nil, 0, 0)
		s.legend.SetMessage(err.Error())
		return
	}
	if sc := s.LikelihoodScore(); sc != nil {
		s.showLikelihoodMap(sc)
		return
	}
	s.canvas.SetLikelihoodMap(nil, 0, 0)
	s.legend.SetMessage("Scoring…")
	if s.scoring {
		return // refreshed again when that scoring ends
	}
	s.scoring = true
	s.scoreAsync(s.scorePrompt(), s.doc.Tokens(), func(_ *scored, err error) {
		s.scoring = false
		if err != nil && !errors.Is(err, errModelChanged) {
			s.legend.SetMessage(err.Error())
			return
		}
		s.refreshLikelihoodMap() // the latest image, prompt and model
	})
}

// showLikelihoodMap puts sc's map on the canvas (only the patches shown while the
// timeline is rewound) and fills the legend.
func (s *Studio) showLikelihoodMap(sc *sampler.Score) {
	lo, hi := slices.Min(sc.PerToken), slices.Max(sc.PerToken)
	s.canvas.SetLikelihoodMap(sc.PerToken[:min(s.shownPatches(), len(sc.PerToken))], lo, hi)
	s.legend.Show(lo, hi, sc.BitsPerToken())
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
	if name := s.run.Running(); name != "" {
		return errBusy{running: name}
	}
	frac := s.worstFraction()
	if sc := s.LikelihoodScore(); sc != nil {
		return s.repairWith(sc, frac)
	}
	s.setStatus("Scoring the image to find its least likely patches…")
	key := s.currentScoreKey()
	s.scoreAsync(s.scorePrompt(), s.doc.Tokens(), func(r *scored, err error) {
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

// repairWith masks the worst frac of patches by sc and regenerates them.
func (s *Studio) repairWith(sc *sampler.Score, frac float64) error {
	if err := s.SetMask(worstMask(sc.PerToken, frac)); err != nil {
		return fmt.Errorf("resample the least likely: %w", err)
	}
	return s.RegenerateMasked()
}
