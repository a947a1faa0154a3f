package sampler

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/tessera-studio/tessera/engine/bundle"
)

// PromptGain is how much a prompt explains an image: the mean, over the
// patches from `from` on, of log p(code | prompt, codes before) −
// log p(code | no prompt, codes before), in nats per patch. It is the
// quantity classifier-free guidance amplifies: positive where the prompt
// makes the image likelier than it is without one. "No prompt" is the
// unconditional (all-PAD) prompt. It costs two scoring passes. A model
// without prompts has no gain: it returns an error.
func PromptGain(ctx context.Context, b *bundle.Bundle, prompt string, tokens []int, from, workers int) (float64, error) {
	if !b.Conditional() {
		return 0, fmt.Errorf("prompt gain: model %s takes no prompt", b.Name)
	}
	if from < 0 || from >= len(tokens) {
		return 0, fmt.Errorf("prompt gain: start %d outside the %d patches", from, len(tokens))
	}
	cond, err := ScoreTokens(ctx, b, prompt, tokens, workers)
	if err != nil {
		return 0, err
	}
	uncond, err := ScoreTokens(ctx, b, "", tokens, workers)
	if err != nil {
		return 0, err
	}
	sum := 0.0
	for i := from; i < len(tokens); i++ {
		sum += uncond.PerToken[i] - cond.PerToken[i] // −log p(·|∅) − (−log p(·|prompt))
	}
	return sum / float64(len(tokens)-from), nil
}

// RankByPromptGain orders complete images best first by PromptGain from
// patch from (ties keep their order) and returns the gains in the new
// order. An image with its own Prompt is scored under it.
func RankByPromptGain(ctx context.Context, b *bundle.Bundle, prompt string, ims []Image, from, workers int) ([]float64, error) {
	gains := make([]float64, len(ims))
	for i, im := range ims {
		p := prompt
		if im.Prompt != "" {
			p = im.Prompt // drawn with its own (a style per seed)
		}
		g, err := PromptGain(ctx, b, p, im.Tokens, from, workers)
		if err != nil {
			return nil, err
		}
		gains[i] = g
	}
	OrderImages(ims, gains, func(a, b int) bool { return gains[a] > gains[b] })
	return gains, nil
}

// OrderImages sorts ims stably so that image a comes before image b when
// before(a, b), a and b being indices into ims as given, and puts scores
// (nil, or one per image) in the same order.
func OrderImages(ims []Image, scores []float64, before func(a, b int) bool) {
	order := make([]int, len(ims))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(x, y int) bool { return before(order[x], order[y]) })
	sortedIms := make([]Image, len(ims))
	sortedScores := slices.Clone(scores)
	for i, k := range order {
		sortedIms[i] = ims[k]
		if scores != nil {
			sortedScores[i] = scores[k]
		}
	}
	copy(ims, sortedIms)
	copy(scores, sortedScores)
}

// RankBy names how a batch is ordered best first.
type RankBy string

const (
	// RankLikelihood orders by the mean log-likelihood under the prompt
	// (Image.MeanLogLik: log p(code | prompt, codes before) at temperature
	// 1, computed while sampling, so it costs nothing): the image the
	// model finds most typical of the prompt first. The default: on the
	// built-in emoji model the first of 4 candidates was the prompted
	// emoji in 95.0% of 200 samples this way, in 86.0% by prompt gain,
	// and single samples in 90.5% (tessera eval-prompts --candidates 4
	// --seeds 4 [--rank-by prompt-gain]; --seeds 4).
	RankLikelihood RankBy = "likelihood"
	// RankPromptGain orders by PromptGain, how much the prompt explains
	// each image (two scoring passes an image). It favours images the
	// model finds unlikely without the prompt, unusual ones included.
	RankPromptGain RankBy = "prompt-gain"
)

// ParseRankBy reads a RankBy ("" is RankLikelihood); an unknown name is
// an error listing the choices.
func ParseRankBy(s string) (RankBy, error) {
	switch RankBy(s) {
	case "", RankLikelihood:
		return RankLikelihood, nil
	case RankPromptGain:
		return RankPromptGain, nil
	}
	return "", fmt.Errorf("rank by %q: want %s or %s", s, RankLikelihood, RankPromptGain)
}

// RankBatch orders a finished batch best first, the way both the studio
// and tessera generate --rank offer one: by the mean log-likelihood under
// the prompt (RankLikelihood), or by PromptGain from patch from
// (RankPromptGain). It returns the scores in the new order (nats per
// patch). Errors: prompt gain for a model without prompts, a failed or
// cancelled scoring pass (the batch keeps its order then).
func RankBatch(ctx context.Context, b *bundle.Bundle, prompt string, ims []Image, from, workers int, by RankBy) ([]float64, error) {
	if by == RankPromptGain {
		return RankByPromptGain(ctx, b, prompt, ims, from, workers)
	}
	RankByLikelihood(ims)
	lls := make([]float64, len(ims))
	for i, im := range ims {
		lls[i] = im.MeanLogLik()
	}
	return lls, nil
}
