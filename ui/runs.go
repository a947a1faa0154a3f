package ui

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/draw"
	"os"
	"slices"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/edit"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/internal/plural"
	"github.com/tessera-studio/tessera/ui/core"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// runs is the runs controller: the one sampling job in flight (runner),
// its progress and progress bar, whether it streams onto the canvas, the
// last finished run kept to branch from, and the job's own work on its
// goroutine (streaming events to the canvas, ranking the batch, writing
// the image kept). What a finished run does to the document is the
// studio's (Studio.finish).
type runs struct {
	runner    *runner
	prog      progress
	bar       *widget.ProgressBar
	canvas    *widgets.LiveCanvas
	loop      uiLoop
	version   string // written in the PNG records
	workers   int
	streaming bool // a run paints the canvas (no likelihood map then)
	// maskStep is the undo step of the mask a running repair (Resample
	// the least likely) painted (0: none): one that changes nothing takes
	// it back, where its mask stayed behind (and Edit by instruction became
	// "Edit masked patches").
	maskStep uint64
	// follow is, while a run draws an image from its top (a new image,
	// a completion or branch), how many patches it keeps before its first:
	// the timeline counts the patches drawn so far; −1 for other runs, the
	// image's own count staying (followTimeline).
	follow int
	kept   *keptRun // the last run with its KV cache, to branch from
	// onPatch, when set (tests), sees each event after the canvas painted it.
	onPatch func(sampler.Event)
	// stopAt, when positive, stops the next run once it has made that
	// many patches (StopAtPatch); the run started takes it and clears it.
	stopAt int
	// saved are the output files written this session (by record).
	saved savedOutputs
}

// start runs j on the runner; done runs on the UI goroutine with the
// sampler's result, its error, the results saved (best first) and the
// error saving them.
func (r *runs) start(j job, done func(ran job, res *sampler.Result, err error, saved []result, saveErr error)) error {
	r.prog.Begin(j.label, 0, time.Now())
	r.prog.SetPatches(max(len(j.base), j.b.ImageTokens()), j.kind == kindComplete || j.kind == kindBranch)
	emit := r.emitter(j)
	return r.runner.Start(j.label, func(ctx context.Context) {
		var res *sampler.Result
		var err error
		if j.run != nil {
			res, err = j.run(ctx, emit)
		} else {
			res, err = j.runWith(ctx, j.opt, emit)
		}
		// Gave back the image it started from (as most of its
		// candidates): drawn again with more variation, all of them, so
		// that the candidates share one set of settings (the results
		// record the settings that drew them).
		for err == nil && j.runWith != nil && !j.repair && j.tries < maxVaryTries && mostlyUnchanged(res, j.base) {
			p, ok := variedParams(j.params)
			if !ok {
				break
			}
			j.params, j.tries = p, j.tries+1
			j.opt.Temperature, j.opt.Guidance = p.Temperature, p.Guidance
			res, err = j.runWith(ctx, j.opt, emit)
		}
		r.prog.End(time.Now())
		saved, saveErr := r.save(ctx, j, res, err)
		r.loop.DoAndWait(func() { done(j, res, err, saved, saveErr) })
	})
}

// updateProgress shows the progress state (after each repaint).
func (r *runs) updateProgress() {
	r.bar.SetValue(r.prog.State(time.Now()).Fraction())
}

// emitter returns the sampler callback of the studio for job j (see canvasEmitter).
func (r *runs) emitter(j job) func(sampler.Event) {
	var paint func(sampler.Event)
	if !j.b.Tokenizer.Local() {
		rows, cols, _ := r.canvas.Grid()
		g := newGridPainter(j.b.Tokenizer, r.canvas, rows, cols, j.shown)
		if j.keepMask != nil && j.startPic != nil && j.kind != kindExtend {
			// The pixels the run keeps, as its result shows them
			// (keptPixels), not the decoder's redrawing of their codes.
			g.keepPixels(j.startPic, j.keepMask, rows, cols)
		}
		paint = g.event
	}
	hook := r.onPatch
	if n := r.stopAt; n > 0 {
		r.stopAt = 0
		hook = func(ev sampler.Event) {
			if r.onPatch != nil {
				r.onPatch(ev)
			}
			if ev.Step == n {
				r.runner.Stop()
			}
		}
	}
	return canvasEmitter(&r.prog, r.canvas, paint, hook)
}

// changesFirst reports whether j's candidates that give back the image it
// started from go after those that change it (changedFirst): a
// regeneration, completion, branch or edit asked for a change; a repair keeps
// its ranking.
func (j job) changesFirst() bool {
	return len(j.base) > 0 && !j.repair && (j.kind == kindRegenerate || j.kind == kindComplete || j.kind == kindBranch || j.kind == kindEdit)
}

// changedFirst moves the candidates of a regeneration, completion or
// branch that give back the image it started from (j.base) after those
// that change it, keeping each group's order (and scores, when set, with
// their images): the user asked for a change, so the canvas shows the
// best one that makes it. An image pinned first (job.pin) goes first
// before that.
func changedFirst(j job, ims []sampler.Image, scores []float64) {
	if j.pin != nil {
		pinned := func(i int) bool { return ims[i].Seed == *j.pin }
		sampler.OrderImages(ims, scores, func(a, b int) bool { return pinned(a) && !pinned(b) })
	}
	if !j.changesFirst() {
		return
	}
	same := make([]bool, len(ims))
	for i, im := range ims {
		same[i] = slices.Equal(im.Tokens, j.base)
	}
	sampler.OrderImages(ims, scores, func(a, b int) bool { return !same[a] && same[b] })
}

// save ranks the images of a run and writes the one kept, the first, to
// the outputs folder (on the job's goroutine); the other candidates are
// saved too when Settings says every image of a batch (job.saveAll), else
// only if the user picks them (PickCandidate). It returns them in the
// order to offer.
func (r *runs) save(ctx context.Context, j job, res *sampler.Result, runErr error) ([]result, error) {
	if runErr != nil || res == nil {
		return nil, nil
	}
	now := time.Now()
	var results []result
	if res.Stopped && (r.prog.State(now).Step == 0 || j.kind == kindEdit) {
		return nil, nil // stopped before the first patch, or an edit: nothing kept
	}
	var scores []float64
	if j.rank && !res.Stopped && len(res.Images) > 1 {
		from := 0
		if (j.kind == kindComplete || j.kind == kindBranch) && j.pin == nil {
			from = j.at // (a continued stopped batch: each from its own top part, so the whole image)
		}
		var err error
		var told sampler.RankProgress
		if j.rankBy != sampler.RankLikelihood {
			// seconds an image by description: say so under the bar, and
			// how many are done
			say := func(done int) {
				r.prog.After(j.rankBy.Progress(done, len(res.Images)))
				r.loop.Do(r.bar.Refresh)
			}
			say(0)
			told = func(done, _ int) { say(done) }
			defer func() {
				r.prog.After("")
				r.loop.Do(r.bar.Refresh)
			}()
		}
		if scores, err = sampler.RankBatchReporting(ctx, j.b, j.params.Prompt, res.Images, from, r.workers, j.rankBy, told); err != nil {
			// prompt gain or description without a prompt, or the scoring stopped: the
			// likelihood, which needs no scoring
			j.rankBy = sampler.RankLikelihood
			scores, _ = sampler.RankBatch(ctx, j.b, j.params.Prompt, res.Images, from, r.workers, j.rankBy)
		}
	}
	changedFirst(j, res.Images, scores)
	gridRows, cols := j.b.Grid()
	type prefix struct {
		first  int // the first patch drawn
		prompt string
	}
	prefixLogLik := map[prefix]float64{} // the log-likelihood (nats) of the patches before first
	for i, im := range res.Images {
		tokens := im.Tokens
		if drawn := len(j.base) - j.unfinished; j.kind == kindRegenerate && len(tokens) < drawn {
			// stopped: keep the new patches, the old image elsewhere (as
			// far as it was drawn: a stopped image stays one)
			tokens = append(slices.Clone(tokens), j.base[len(tokens):drawn]...)
		}
		if len(tokens) == 0 || j.kind == kindExtend && len(tokens) <= len(j.base) {
			continue
		}
		rows := gridRows
		if j.kind == kindExtend {
			rows = len(tokens) / cols
		}
		rec := recordFor(r.version, j.b, j.params, im.Seed, tokens, core.FitLen(j.mask, rows*cols), parentName(j.parent), j.kind)
		if j.settings != nil {
			rec.Settings = *j.settings
			rec.Seed = im.Seed
		}
		if im.Prompt != "" {
			rec.Prompt = im.Prompt // its style drawn by its seed
		}
		if j.tries > 0 {
			// Drawn again with more variation (variedParams): its knobs
			// are the studio's choice, not the user's.
			rec.Extra[extraVaried] = true
		}
		setRecordRows(&rec, rows)
		if j.kind == kindComplete || j.kind == kindBranch || j.kind == kindExtend {
			rec.Extra[extraAt] = j.at
		}
		if j.temps != nil {
			rec.Extra[extraTemperature] = j.temps
		}
		if j.extra != nil {
			for k, v := range j.extra(i, im) {
				rec.Extra[k] = v
			}
		}
		item := result{tokens: tokens, rows: rows, seed: im.Seed, rec: rec, loglik: im.MeanLogLik(), style: sampler.DrawnStyle(j.b, im),
			oneCode: im.OneCode(), styleRows: im.StyleRows,
			before: j.gaveBack(tokens), parent: j.parent, kept: i == 0 && j.kept != nil && *j.kept,
			early: res.Stopped && underHalfDrawn(j.kind, len(tokens), rows, cols)}
		item.noSeed = item.kept && j.startOpened
		if item.before {
			start := j.startParams
			item.startParams = &start
		}
		if first := len(tokens) - im.Count; first > 0 && j.kind != kindExtend && j.kind != kindEdit && len(tokens) == j.b.ImageTokens() {
			// The sampler's figure covers the patches from the first one
			// it drew on (a repair of scattered patches: from the first of
			// them): the strip and the status say the whole image's, as
			// the likelihood map and tessera score do (4.06 bits a patch
			// stood beside the map's 2.80 for the image given back). The
			// patches before are every candidate's of a prompt: scored
			// once (a pass of the whole image; 0, unknown, if stopped).
			key := prefix{first, rec.Prompt}
			pre, ok := prefixLogLik[key]
			if !ok {
				if sc, err := sampler.ScoreTokens(ctx, j.b, rec.Prompt, tokens, r.workers); err == nil {
					pre, ok = 0, true
					for _, nll := range sc.PerToken[:first] {
						pre -= nll
					}
					prefixLogLik[key] = pre
				}
			}
			item.loglik = 0
			if ok {
				item.loglik = (pre + im.LogLik) / float64(len(tokens))
			}
		}
		var drawn *image.NRGBA
		if j.pictures != nil {
			drawn = j.pictures(im.Seed)
		}
		if item.before {
			item.pic = j.startPic // the image the run started from, as it was
		} else {
			item.pic = keptPixels(j, tokens, rows, drawn)
		}
		if item.pic != nil {
			rec.Extra[extraKeptPixels] = true
		}
		if scores != nil {
			item.score, item.scored, item.rankBy = scores[i], true, j.rankBy
			if key := j.rankBy.RecordKey(); key != "" {
				rec.Extra[key] = scores[i]
			}
		}
		results = append(results, item)
	}
	if len(results) == 0 {
		return nil, nil
	}
	// The first image is saved (not one that is the image the run started
	// from: nothing new, nor a generation stopped under half drawn), and
	// with Settings' "every image of a batch" the others of a run that
	// finished too, as A1111 saves a batch (a stopped run's partial images
	// wait to be picked), but not one that repeats an earlier candidate's
	// picture; the rest are saved when picked. A candidate that cannot be
	// saved does not stop the others.
	var notSaved *candidatesNotSaved
	for i := range results {
		c := &results[i]
		if i > 0 && (!j.saveAll || res.Stopped) || c.before || c.early {
			continue
		}
		if alikeBefore(results, i) >= 0 {
			continue // the same picture as one before it: no second file of it (PickCandidate takes that one's)
		}
		path, again, err := r.saved.save(outputs{dir: j.outDir, read: j.b.ReadPrompt}, c.picture(j.b), c.rec, now)
		switch {
		case err != nil && i == 0:
			return results, err
		case err != nil:
			if notSaved == nil {
				notSaved = &candidatesNotSaved{first: i + 1, err: err}
			}
			notSaved.n++
		default:
			c.path, c.again = path, again
		}
	}
	// The history strip lists the outputs folder newest first: the batch's
	// files, written best first, came back after a restart worst first.
	// Their times are set a millisecond apart the other way, so that the
	// strip keeps the order it showed.
	written := time.Now()
	for i, c := range results {
		if c.path != "" && !c.again {
			t := written.Add(-time.Duration(i) * time.Millisecond)
			_ = os.Chtimes(c.path, t, t) // the order only: a file that refuses keeps its time
		}
	}
	if notSaved != nil {
		return results, notSaved
	}
	return results, nil
}

// candidatesNotSaved is the error of a run whose result was saved but n of
// the other candidates Settings asked to save were not (the first of them
// candidate first, for err).
type candidatesNotSaved struct {
	first, n int
	err      error
}

func (e *candidatesNotSaved) Error() string {
	return fmt.Sprintf("%s of the batch could not be saved to the outputs folder (candidate %d: %v); each is saved when you pick it",
		plural.N(e.n, "other image", "other images"), e.first, e.err)
}

func (e *candidatesNotSaved) Unwrap() error { return e.err }

// keptRun is the most recent finished run with its KV cache
// (Options.KeepCache), so that its images can be branched without
// recomputing their prefix. Only one is kept: each run replaces it, which
// drops the older cache.
type keptRun struct {
	b   *bundle.Bundle
	res *sampler.Result
}

// keep remembers res (made with b) as the run to branch from; nil drops
// the cache held.
func (r *runs) keep(b *bundle.Bundle, res *sampler.Result) {
	if b == nil || res == nil {
		r.kept = nil
		return
	}
	r.kept = &keptRun{b: b, res: res}
}

// cached finds tokens, a complete image of model b, among the images of
// the kept run: the run and the image's index, or (nil, -1).
func (r *runs) cached(b *bundle.Bundle, tokens []int) (*sampler.Result, int) {
	k := r.kept
	if k == nil || k.b != b || len(tokens) != k.b.ImageTokens() {
		return nil, -1
	}
	for i, im := range k.res.Images {
		if slices.Equal(im.Tokens, tokens) {
			return k.res, i
		}
	}
	return nil, -1
}

// keptPixels is the picture of tokens, a result of job j, with the pixels
// of the picture j started from where j keeps them (job.keepMask, or the
// rows an extension grew from); nil when that is the tokens' decode
// already (a local codebook's, or nothing kept). drawn, when set and of
// the tokens' picture's size, is the picture the run drew for them
// (job.pictures), in place of their decode.
func keptPixels(j job, tokens []int, rows int, drawn *image.NRGBA) *image.NRGBA {
	_, cols := j.b.Grid()
	decoded := decodeRows(j.b, tokens, rows)
	pic := image.NewNRGBA(decoded.Rect)
	copy(pic.Pix, decoded.Pix)
	own := drawn != nil && drawn.Rect == decoded.Rect
	if own {
		copy(pic.Pix, drawn.Pix)
	}
	switch {
	case j.kind == kindExtend && j.startPic != nil && j.startPic.Rect.In(pic.Rect):
		draw.Draw(pic, j.startPic.Rect, j.startPic, image.Point{}, draw.Src)
	case j.keepMask != nil:
		start := j.startPic
		if start == nil {
			start = decodeRows(j.b, j.base, rows)
		}
		if len(j.keepMask) != rows*cols || edit.KeepUnmasked(pic, start, j.keepMask, rows, cols) != nil {
			return nil
		}
	case !own:
		return nil
	}
	if bytes.Equal(pic.Pix, decoded.Pix) {
		return nil
	}
	return pic
}

// keptPrefix is the keepMask of a run that keeps the first keep patches
// of the current image and redraws the rest: nil unless the image has
// pixels of its own (a masked run's, core.Document.Picture), which the
// kept patches then keep.
func (s *Studio) keptPrefix(keep int) []bool {
	if s.doc.Picture() == nil {
		return nil
	}
	m := make([]bool, s.doc.N())
	for i := keep; i < len(m); i++ {
		m[i] = true
	}
	return m
}

// picture is the result's picture: the pixels a masked run kept, or its
// codes decoded by b.
func (r result) picture(b *bundle.Bundle) *image.NRGBA {
	if r.pic != nil {
		return r.pic
	}
	return decodeRows(b, r.tokens, r.rows)
}
