package app

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/draw"
	"io"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/edit"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/nearest"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/redraw"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/internal/plural"
)

// The targets of issue 12 that eval-edits reports against.
const (
	editNearestTarget = 0.90              // skin tone, style, gender: nearest dataset image is the exact target
	editPSNRTarget    = edit.TargetPSNRdB // background and pixel operations: mean PSNR (dB) against the exact target
	editWhiteTarget   = 0.95              // … and mean fraction of the target's white background kept white
)

// editCase is one evaluated edit.
type editCase struct {
	Family      string `json:"family"`
	Instruction string `json:"instruction"`
	Source      string `json:"source"` // the source sample's caption
	Target      string `json:"target"` // the exact target's caption (or the operation)
	// Nearest is the caption of the dataset image nearest the output, and
	// Hit whether it is the exact target (or an image identical to it).
	// TokenizerHit is whether the exact target through the tokenizer is
	// nearest itself (nil when the tokenizer failed on it): the edit that
	// draws the target's own codes scores a Hit then.
	Nearest      string `json:"nearest,omitempty"`
	Hit          *bool  `json:"hit,omitempty"`
	TokenizerHit *bool  `json:"tokenizer_hit,omitempty"`
	// PSNRdB is the output against the exact target; WhiteKept the
	// fraction of the target's white background white in the output (nil
	// without one). SourcePSNRdB is the unedited source against the target
	// (doing nothing), TokenizerPSNRdB the target through the tokenizer (the
	// best an edit can do).
	PSNRdB          float64  `json:"psnr_db"`
	WhiteKept       *float64 `json:"white_kept,omitempty"`
	SourcePSNRdB    float64  `json:"source_psnr_db"`
	TokenizerPSNRdB float64  `json:"tokenizer_psnr_db"`
	Seed            uint64   `json:"seed"`
	// ReadAs and DrawnAs are set where the edit was redrawn by the drawing
	// model (--redraw-model): what it read the source as, and drew.
	ReadAs  string `json:"read_as,omitempty"`
	DrawnAs string `json:"drawn_as,omitempty"`

	src, out, tgt *image.NRGBA
}

// editFamilyReport sums up one family.
type editFamilyReport struct {
	Family string `json:"family"`
	Pairs  int    `json:"pairs"`
	// JudgedBy is "nearest" (Rate against editNearestTarget) or "pixels"
	// (PSNR and WhiteKept against their targets).
	JudgedBy string   `json:"judged_by"`
	Rate     *float64 `json:"rate,omitempty"`
	// TokenizerRate is the share of the exact targets that are still
	// nearest themselves after the tokenizer (of those it encoded): what
	// drawing each target's own codes would score, a practical ceiling of
	// Rate (other codes may land nearest the target too).
	TokenizerRate *float64 `json:"tokenizer_rate,omitempty"`
	PSNRdB        float64  `json:"psnr_db"`
	// MedianPSNRdB is the median of the cases' PSNR: the mean counts an
	// exact edit (an unchanged black-and-white picture) as edit.MaxPSNR.
	MedianPSNRdB float64 `json:"median_psnr_db"`
	// NeedEdit is how many of a pixel family's pairs need an edit (their
	// targets differ from their sources): its figures are over those
	// (summarizeEdits), and AllPSNRdB is the mean PSNR over every pair,
	// when some need none (nil otherwise).
	NeedEdit        int      `json:"pairs_needing_an_edit,omitempty"`
	AllPSNRdB       *float64 `json:"all_pairs_psnr_db,omitempty"`
	WhiteKept       *float64 `json:"white_kept,omitempty"`
	SourcePSNRdB    float64  `json:"source_psnr_db"`
	TokenizerPSNRdB float64  `json:"tokenizer_psnr_db"`
	Pass            bool     `json:"pass"`
	// NotJudged says a pixel family had no pair that needs an edit (every
	// source its own target): its figures say little and Pass is false.
	NotJudged bool `json:"not_judged,omitempty"`
	// RedrawnBy is the drawing model that redrew the family's edits
	// (engine/redraw; "" none: the edit model edited them).
	RedrawnBy string `json:"redrawn_by,omitempty"`
}

// judged reports whether the family's figures judge it (pairs measured,
// and for a pixel family some that need an edit).
func (r editFamilyReport) judged() bool { return r.Pairs > 0 && !r.NotJudged }

// editEval is what eval-edits reports.
type editEval struct {
	Model         string  `json:"model"`
	PerFamily     int     `json:"per_family"`
	Temperature   float64 `json:"temperature"`
	Guidance      float64 `json:"guidance"`
	ImageGuidance float64 `json:"image_guidance"`
	GuidanceMinP  float64 `json:"guidance_min_p"`
	Candidates    int     `json:"candidates"`
	// Seed is every edit's first seed (a candidate i's is Seed+i): one
	// that --seed -1 picked is told here and on the report's first line.
	Seed uint64 `json:"seed"`
	// SourceDetail is whether the edits were given their sources' detail
	// (edit.TransferDetail) before they were judged.
	SourceDetail bool `json:"source_detail"`
	// RedrawnBy is the drawing model that style and gender edits were
	// redrawn with (engine/redraw; "" none: the edit model edited them).
	RedrawnBy string             `json:"redrawn_by,omitempty"`
	Skipped   int                `json:"skipped_pairs_per_family,omitempty"`
	HeldOut   int                `json:"held_out_images"`
	Families  []editFamilyReport `json:"families"`
	Cases     []editCase         `json:"cases"`
	Elapsed   float64            `json:"elapsed_s"`
	// Interrupted says the run was stopped (Ctrl-C): the figures are of
	// the pairs edited by then, the last family's in part.
	Interrupted bool `json:"interrupted,omitempty"`
}

// editEvalOptions are the settings of one evaluation.
type editEvalOptions struct {
	perFamily, candidates int
	// skip passes over the first skip pairs of each family (a second set
	// of pairs, disjoint from the first, for choosing settings on).
	skip int
	// sourceDetail gives the edits their sources' detail
	// (edit.TransferDetail) before they are judged.
	sourceDetail bool
	opt          sampler.Options
	families     []edit.Family
	// draw, when set, redraws the families it serves (redraw.Edit).
	draw *bundle.Bundle
}

// evalEdits edits the held-out sources of set (up to perFamily pairs a
// family, in the set's order) with b and judges each edit against its
// exact target: families whose target is a dataset image by the nearest of
// all samples, the others by PSNR and the white background kept.
func evalEdits(ctx context.Context, b *bundle.Bundle, set *edit.Set, o editEvalOptions, log io.Writer) (*editEval, error) {
	start := time.Now()
	w, _ := b.ImageSize()
	ref := nearest.New(set.Samples, w)
	rep := &editEval{Model: b.Name, PerFamily: o.perFamily, Temperature: o.opt.Temperature, Guidance: o.opt.Guidance,
		ImageGuidance: o.opt.ImageGuidance, GuidanceMinP: o.opt.GuidanceMinP, Candidates: o.candidates, Seed: o.opt.Seed,
		SourceDetail: o.sourceDetail, Skipped: o.skip}
	if o.draw != nil {
		rep.RedrawnBy = o.draw.Name
	}
	for _, h := range set.HeldOut {
		if h {
			rep.HeldOut++
		}
	}
	families := o.families
	if families == nil {
		families = edit.Families()
	}
	for _, f := range families {
		var cases []editCase
		pairs := spreadByStyle(set, f, o.skip+o.perFamily)
		for _, p := range pairs[min(o.skip, len(pairs)):] {
			c, err := evalEditPair(ctx, b, set, ref, p, o)
			if err != nil && ctx.Err() != nil {
				// Stopped: the figures of the pairs edited so far (it
				// kept nothing of minutes of work), the family begun
				// among them.
				if len(cases) > 0 {
					fr := summarizeEdits(f, cases)
					rep.Families = append(rep.Families, fr)
					rep.Cases = append(rep.Cases, cases...)
				}
				rep.Elapsed, rep.Interrupted = time.Since(start).Seconds(), true
				return rep, ctx.Err()
			}
			if err != nil {
				return nil, err
			}
			cases = append(cases, c)
		}
		fr := summarizeEdits(f, cases)
		if o.draw != nil && redraw.Serves(f) {
			fr.RedrawnBy = o.draw.Name
		}
		rep.Families = append(rep.Families, fr)
		rep.Cases = append(rep.Cases, cases...)
		if log != nil {
			fmt.Fprintf(log, "eval-edits: %-16s %s\n", f, fr.line())
		}
	}
	rep.Elapsed = time.Since(start).Seconds()
	return rep, nil
}

// spreadByStyle picks up to n held-out pairs of family f, taking the
// sources' styles in turn (the set's order within a style), so a few pairs
// already show every style.
func spreadByStyle(set *edit.Set, f edit.Family, n int) []edit.Pair {
	byStyle := map[string][]edit.Pair{}
	var styles []string
	for _, p := range set.Val {
		if p.Family != f {
			continue
		}
		st := set.Samples[p.Source].Style
		if _, ok := byStyle[st]; !ok {
			styles = append(styles, st)
		}
		byStyle[st] = append(byStyle[st], p)
	}
	var out []edit.Pair
	for round := 0; len(out) < n; round++ {
		took := false
		for _, st := range styles {
			if ps := byStyle[st]; round < len(ps) && len(out) < n {
				out = append(out, ps[round])
				took = true
			}
		}
		if !took {
			break
		}
	}
	return out
}

// evalEditPair edits one held-out pair and measures the best candidate.
func evalEditPair(ctx context.Context, b *bundle.Bundle, set *edit.Set, ref *nearest.Set, p edit.Pair, o editEvalOptions) (editCase, error) {
	src, tgt := set.Make(p)
	c := editCase{Family: string(p.Family), Instruction: p.Instruction, Source: set.Samples[p.Source].Caption, src: src, tgt: tgt}
	if p.Dest >= 0 {
		c.Target = set.Samples[p.Dest].Caption
	} else {
		c.Target = strings.TrimSpace(string(p.Family) + " " + p.Target)
	}
	codes, err := b.Encode(src)
	if err != nil {
		return c, fmt.Errorf("eval-edits: encode %q: %w", c.Source, err)
	}
	opt := o.opt
	opt.Prompt = p.Instruction
	var draw *bundle.Bundle
	if redraw.Serves(p.Family) {
		draw = o.draw
	}
	res, plans, _, err := redraw.Edit(ctx, b, draw, opt, sampler.EditRequest{Source: codes, Candidates: o.candidates}, nil, nil, nil)
	if err != nil {
		return c, fmt.Errorf("eval-edits: %w", err)
	}
	if res.Stopped {
		return c, ctx.Err()
	}
	best := res.Images[0]
	c.Seed = best.Seed
	c.out = b.Decode(best.Tokens)
	if plans != nil {
		c.ReadAs, c.DrawnAs = plans[0].Read.Prompt(), plans[0].Draw.Prompt()
	}
	if o.sourceDetail && plans == nil { // a redraw is a new drawing, kept as drawn
		if c.out, _, err = edit.TransferDetail(src, b.Decode(codes), c.out, edit.DetailFor(p.Instruction, false)); err != nil {
			return c, fmt.Errorf("eval-edits: %q: %w", c.Source, err)
		}
	}

	c.PSNRdB = edit.PSNR(tgt, c.out)
	c.SourcePSNRdB = edit.PSNR(tgt, src)
	var through *image.NRGBA // the exact target through the tokenizer
	if tc, err := b.Encode(tgt); err == nil {
		through = b.Decode(tc)
		c.TokenizerPSNRdB = edit.PSNR(tgt, through)
	}
	if f, n := edit.WhiteKept(tgt, c.out); n > 0 {
		c.WhiteKept = &f
	}
	if p.Family.ByNearest() {
		// the dataset image nearest img, and whether it is the exact
		// target (or an image identical to it)
		nearest := func(img *image.NRGBA) (int, *bool) {
			i := ref.Index(img)
			hit := i == p.Dest || ref.Identical(i, p.Dest)
			return i, &hit
		}
		var ni int
		ni, c.Hit = nearest(c.out)
		c.Nearest = set.Samples[ni].Caption
		if through != nil {
			_, c.TokenizerHit = nearest(through)
		}
	}
	return c, nil
}

// noEditDB is how close (PSNR, dB) a source is to its exact target for
// the pair to need no edit: a grey picture made black and white (exact,
// edit.MaxPSNR), a nearly symmetric one mirrored (16 of 200 mirror pairs
// are 40–100 dB from their targets: under 1% of the range apart).
const noEditDB = 40

// summarizeEdits sums up a family's cases and checks them against the
// issue's targets. A pixel family (judged by PSNR) is judged on the pairs
// that need an edit, its source not within noEditDB of its target (a grey
// picture made black and white, counted as edit.MaxPSNR, lifted
// recolour's mean over 24 dB): every figure of it but AllPSNRdB is over
// those; the rate of a
// family judged by the nearest image is over every pair.
func summarizeEdits(f edit.Family, cases []editCase) editFamilyReport {
	r := editFamilyReport{Family: string(f), Pairs: len(cases), JudgedBy: "pixels"}
	if f.ByNearest() {
		r.JudgedBy = "nearest"
	}
	if len(cases) == 0 {
		r.PSNRdB, r.MedianPSNRdB, r.SourcePSNRdB, r.TokenizerPSNRdB = math.NaN(), math.NaN(), math.NaN(), math.NaN()
		return r
	}
	judged := cases
	if !f.ByNearest() {
		var need []editCase
		for _, c := range cases {
			if c.SourcePSNRdB < noEditDB {
				need = append(need, c)
			}
		}
		r.NeedEdit = len(need)
		if len(need) > 0 && len(need) < len(cases) {
			judged = need
			var all float64
			for _, c := range cases {
				all += c.PSNRdB
			}
			all /= float64(len(cases))
			r.AllPSNRdB = &all
		}
	}
	hits, thits, encoded := 0, 0, 0
	for _, c := range cases {
		if c.TokenizerHit != nil {
			encoded++
			if *c.TokenizerHit {
				thits++
			}
		}
		if c.Hit != nil && *c.Hit {
			hits++
		}
	}
	whites, nWhite := 0.0, 0
	psnrs := make([]float64, 0, len(judged))
	for _, c := range judged {
		psnrs = append(psnrs, c.PSNRdB)
		r.PSNRdB += c.PSNRdB
		r.SourcePSNRdB += c.SourcePSNRdB
		r.TokenizerPSNRdB += c.TokenizerPSNRdB
		if c.WhiteKept != nil {
			whites += *c.WhiteKept
			nWhite++
		}
	}
	n := float64(len(judged))
	slices.Sort(psnrs)
	r.MedianPSNRdB = (psnrs[(len(psnrs)-1)/2] + psnrs[len(psnrs)/2]) / 2
	r.PSNRdB /= n
	r.SourcePSNRdB /= n
	r.TokenizerPSNRdB /= n
	if nWhite > 0 {
		w := whites / float64(nWhite)
		r.WhiteKept = &w
	}
	if f.ByNearest() {
		rate := float64(hits) / float64(len(cases))
		r.Rate = &rate
		if encoded > 0 {
			ceiling := float64(thits) / float64(encoded)
			r.TokenizerRate = &ceiling
		}
		r.Pass = rate >= editNearestTarget
	} else {
		// No pair that needs an edit passes nothing (pass false in the
		// JSON beside pairs_needing_an_edit 0; the line says "not judged").
		r.NotJudged = r.NeedEdit == 0
		r.Pass = !r.NotJudged && r.PSNRdB >= editPSNRTarget && (r.WhiteKept == nil || *r.WhiteKept >= editWhiteTarget)
	}
	return r
}

// line is the family's figures in one line of text.
func (r editFamilyReport) line() string {
	verdict := "below target"
	if r.Pass {
		verdict = "meets target"
	}
	if r.Pairs == 0 {
		return "no held-out pairs"
	}
	s := ""
	if r.RedrawnBy != "" {
		s = "redrawn by " + r.RedrawnBy + ": "
	}
	if r.Rate != nil {
		s += fmt.Sprintf("nearest is the exact target %5.1f%% (target ≥ %.0f%%); ", 100**r.Rate, 100*editNearestTarget)
	}
	s += fmt.Sprintf("PSNR %5.2f dB (median %5.2f)", r.PSNRdB, r.MedianPSNRdB)
	if r.AllPSNRdB != nil {
		s += fmt.Sprintf(" over the %d pairs that need an edit (%5.2f dB over all %d)", r.NeedEdit, *r.AllPSNRdB, r.Pairs)
	}
	if r.NotJudged {
		// Every source is its target (a black outline made black and
		// white): the figures are of edits that had nothing to do.
		s += " (no pair needs an edit: every source is its target already, so this says little; give more --per-family)"
		verdict = "not judged"
	}
	if r.Rate == nil {
		s += fmt.Sprintf(" (target ≥ %.0f)", editPSNRTarget)
	}
	if r.WhiteKept != nil {
		s += fmt.Sprintf(", white background kept %5.1f%%", 100**r.WhiteKept)
		if r.Rate == nil {
			s += fmt.Sprintf(" (target ≥ %.0f%%)", 100*editWhiteTarget)
		}
	} else if r.Rate == nil {
		s += ", no white background in the targets"
	}
	ceiling := fmt.Sprintf("%5.2f dB", r.TokenizerPSNRdB)
	if r.TokenizerRate != nil {
		ceiling += fmt.Sprintf(", %.0f%% nearest the exact target", 100**r.TokenizerRate)
	}
	return fmt.Sprintf("%3d pairs: %s; unedited source %5.2f dB, target through the tokenizer %s: %s",
		r.Pairs, s, r.SourcePSNRdB, ceiling, verdict)
}

// measure is the family's figure as config.json records it.
func (r editFamilyReport) measure() model.EditMeasure {
	m := model.EditMeasure{Pairs: r.Pairs, MeetsTarget: r.Pass, PSNRdB: r.PSNRdB, TokenizerPSNRdB: r.TokenizerPSNRdB, SourcePSNRdB: r.SourcePSNRdB}
	if r.Rate != nil {
		m.Summary = fmt.Sprintf("%.0f%% of held-out emoji came out as the exact target", 100**r.Rate)
		if r.RedrawnBy != "" {
			m.Summary += " (redrawn by " + r.RedrawnBy + ")"
		}
	} else {
		m.Summary = fmt.Sprintf("%.1f dB PSNR against the exact target on held-out emoji", r.PSNRdB)
		if r.WhiteKept != nil {
			m.Summary += fmt.Sprintf(", %.0f%% of the white background kept", 100**r.WhiteKept)
		}
	}
	return m
}

// recordMeasures writes the families measured (those judged: with pairs,
// and for a pixel family some that need an edit) into the config.json of
// the model folder dir, keeping the other families' figures (an
// unjudged run does not replace a real figure).
// A figure measured over more pairs is kept unless force (the family is
// named on log as left); each figure written is said on log.
func recordMeasures(dir string, families []editFamilyReport, force bool, log io.Writer) error {
	var said []string
	err := model.UpdateConfig(dir, func(c *model.Config) error {
		if !c.IsEdit() {
			return fmt.Errorf("not an edit model")
		}
		e := c.Tessera.Edit
		if e.Measured == nil {
			e.Measured = map[string]model.EditMeasure{}
		}
		for _, fr := range families {
			if !fr.judged() {
				continue
			}
			old, had := e.Measured[fr.Family]
			if had && old.Pairs > fr.Pairs && !force {
				said = append(said, fmt.Sprintf("eval-edits: %s kept as recorded (%s, %s): this run measured %d (--force replaces it)", fr.Family, old.Summary, plural.N(old.Pairs, "pair", "pairs"), fr.Pairs))
				continue
			}
			m := fr.measure()
			e.Measured[fr.Family] = m
			line := fmt.Sprintf("eval-edits: recorded %s: %s (%s)", fr.Family, m.Summary, plural.N(m.Pairs, "pair", "pairs"))
			if had {
				line += fmt.Sprintf(", replacing %s (%s)", old.Summary, plural.N(old.Pairs, "pair", "pairs"))
			}
			said = append(said, line)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, l := range said {
		fmt.Fprintln(log, l)
	}
	fmt.Fprintf(log, "eval-edits: the figures are in %s\n", filepath.Join(dir, model.ConfigFile))
	return nil
}

// recordWouldCoarsen refuses a --record whose run can measure at most
// perFamily pairs of a family (fams: those evaluated, nil for all) that c
// records a figure of over more pairs.
func recordWouldCoarsen(c model.Config, fams []edit.Family, perFamily int) error {
	if c.Tessera == nil || c.Tessera.Edit == nil {
		return nil
	}
	if fams == nil {
		fams = edit.Families()
	}
	var coarser []string
	for _, f := range fams {
		if old, ok := c.Tessera.Edit.Measured[string(f)]; ok && old.Pairs > perFamily {
			coarser = append(coarser, fmt.Sprintf("%s (%s)", f, plural.N(old.Pairs, "pair", "pairs")))
		}
	}
	if len(coarser) == 0 {
		return nil
	}
	return usageError{fmt.Sprintf("--record: the model records figures over more pairs than --per-family %d measures: %s; measure as many pairs, leave out --record, or give --force to replace them", perFamily, strings.Join(coarser, ", "))}
}

// editSheet draws the cases a row per family, each case a triple of
// source | output | exact target (a gap between triples).
func editSheet(cases []editCase, side int) *image.NRGBA {
	var rows [][]editCase
	for i, c := range cases {
		if i == 0 || c.Family != cases[i-1].Family {
			rows = append(rows, nil)
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], c)
	}
	cols := 0
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	cell := 3*(side+2) + side/2 // a triple and the gap after it
	sheet := image.NewNRGBA(image.Rect(0, 0, max(1, cols*cell), max(1, len(rows)*(side+4))))
	draw.Draw(sheet, sheet.Rect, image.White, image.Point{}, draw.Src)
	for y, r := range rows {
		for x, c := range r {
			for j, img := range []*image.NRGBA{c.src, c.out, c.tgt} {
				if img == nil {
					continue
				}
				at := image.Pt(x*cell+j*(side+2), y*(side+4))
				draw.Draw(sheet, image.Rectangle{Min: at, Max: at.Add(img.Rect.Size())}, img, img.Rect.Min, draw.Src)
			}
		}
	}
	return sheet
}

func runEvalEdits(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "eval-edits", "[--model M] [--per-family N] [--json] [--sheet OUT.png] [--record] [sampling flags]")
	var f editFlags
	fs.StringVar(&f.model, "model", "edit", "edit model: a built-in name or a model folder")
	perFamily := rangedInt(fs, "per-family", 20, 1, 1<<20, "held-out pairs evaluated per family")
	sourceDetail := fs.Bool("source-detail", true, sourceDetailHelp+" (false: judge the edits as the tokenizer draws them)")
	skip := rangedInt(fs, "skip", 0, 0, 1<<20, "pass over the first N held-out pairs of each family: a second set of pairs, disjoint from the first N, to choose settings on")
	rangedIntVar(fs, &f.candidates, "candidates", 1, 1, 256, "edits sampled per pair; the one the model ranks first is judged")
	f.knobFlags.register(fs, 1, true)
	rangedIntVar(fs, &f.threads, "threads", 0, 0, 1024, "worker threads (0 = all cores)")
	fs.StringVar(&f.precision, "precision", precAuto, precisionHelp)
	families := fs.String("families", "", "comma-separated families to evaluate (default all: "+familyList()+")")
	dataDir := fs.String("data", "", "emoji cache folder (default: make data's)")
	redrawName := fs.String("redraw-model", "", redrawModelHelp)
	asJSON := fs.Bool("json", false, "print one JSON object (every family and every edit)")
	sheet := fs.String("sheet", "", "also write a PNG of every edit: rows of source | output | exact target")
	record := fs.Bool("record", false, "also record each family's figure in the model folder's config.json (tessera.edit.measured), where the studio and tessera edit read which kinds of edit the model rarely gets right")
	force := forceFlag(fs)
	fs.Lookup("force").Usage += "; with --record, also replace figures the model records over more pairs than this run measured"
	pos, err := parseFlags(fs, args)
	if err != nil {
		return helpOr(fs, err)
	}
	if err := noArguments(pos, ""); err != nil {
		return err
	}
	warnForceUnused(env.Stderr, *force, *sheet != "" || *record, "--sheet or --record")
	if *perFamily < 1 || f.candidates < 1 || f.candidates > 256 {
		return usageError{"--per-family must be positive and --candidates between 1 and 256"}
	}
	var fams []edit.Family
	if *families != "" {
		for _, name := range strings.Split(*families, ",") {
			fam, ok := parseFamily(name)
			if !ok {
				return usageError{fmt.Sprintf("--families: unknown family %q (want %s)", strings.TrimSpace(name), familyList())}
			}
			fams = append(fams, fam)
		}
	}
	if *sheet != "" {
		if err := checkOut("sheet", *sheet, ".png", *force); err != nil {
			return err
		}
	}
	f.model = resolveModel(f.model) // a run's folder is its model: --record writes that model's config
	if *record && !bundle.IsFolder(f.model) {
		return usageError{fmt.Sprintf("--record writes into a model folder's config.json: pass --model as a folder (a built-in's is assets/models/%s in Tessera's source)", f.model)}
	}
	b, err := openModel(env.Stderr, f.model, f.precision)
	if err != nil {
		return err
	}
	c := b.Model.Config
	if !c.IsEdit() {
		return fmt.Errorf("model %s is not an edit model; eval-edits measures edit models", b.Name)
	}
	if *record && !*force {
		// Before the work: a figure over more pairs than this run can
		// measure would be replaced by a rougher one (one pair's 100%
		// took the place of 200 pairs' 55%, and the studio's warning of
		// a weak family went with it).
		if err := recordWouldCoarsen(c, fams, *perFamily); err != nil {
			return err
		}
	}
	samples, genders, _, err := edit.LoadEmoji(ctx, *dataDir)
	if err != nil {
		return err
	}
	w, _ := b.ImageSize()
	e := c.Tessera.Edit
	spec := edit.Spec{Size: w, HeldOut: e.HeldOutFraction, Seed: e.SplitSeed, MaxPerFamily: 1, Genders: genders, Families: fams}
	if e.HeldOutFraction == 0 {
		fmt.Fprintf(env.Stderr, "note: model %s does not record its split; using the default (%g of the images held out, seed 1)\n", b.Name, edit.DefaultHeldOut)
	}
	set, err := edit.Pairs(samples, spec)
	if err != nil {
		return err
	}
	opt, err := f.options(b)
	if err != nil {
		return err
	}
	if opt.Workers == 0 {
		opt.Workers = runtime.NumCPU()
	}
	var log io.Writer = env.Stderr
	if !*sourceDetail {
		fmt.Fprintln(log, "eval-edits: the edits are judged as the tokenizer draws them (--source-detail=false)")
	}
	var draw *bundle.Bundle
	evaluated := fams
	if evaluated == nil {
		evaluated = edit.Families()
	}
	if slices.ContainsFunc(evaluated, redraw.Serves) {
		if draw, err = redrawModelFor(env.Stderr, b, *redrawName, f.precision); err != nil {
			return err
		}
	}
	if draw != nil {
		fmt.Fprintf(log, "eval-edits: edits of style and gender are redrawn by %s (what it reads each source as, changed; --redraw-model %s: the edit model alone)\n", draw.Name, noRedraw)
	}
	rep, err := evalEdits(ctx, b, set, editEvalOptions{perFamily: *perFamily, skip: *skip, sourceDetail: *sourceDetail, candidates: f.candidates, opt: opt, families: fams, draw: draw}, log)
	if rep != nil && rep.Interrupted {
		// What was measured is printed, marked as a part; nothing is
		// recorded and no sheet is written.
		if perr := printEditReport(env, b, rep, *perFamily, *skip, *asJSON); perr != nil {
			return perr
		}
		fmt.Fprintf(env.Stderr, "eval-edits: stopped: the figures above are of the %s edited by then (not recorded)\n", plural.N(len(rep.Cases), "pair", "pairs"))
		return err
	}
	if err != nil {
		return err
	}
	if *sheet != "" {
		if err := pngmeta.WriteFileAtomic(*sheet, editSheet(rep.Cases, w), map[string]string{
			"Comment": fmt.Sprintf("eval-edits of %s: a row per family (%s), up to %d triples of source | output | exact target, the sources' styles in turn", b.Name, familyNames(rep.Families), *perFamily),
		}); err != nil {
			return err
		}
	}
	if *record {
		if err := recordMeasures(f.model, rep.Families, *force, env.Stderr); err != nil {
			return err
		}
	}
	return printEditReport(env, b, rep, *perFamily, *skip, *asJSON)
}

// printEditReport prints rep on standard output: as JSON, or a line of
// its settings and one a family.
func printEditReport(env Env, b *bundle.Bundle, rep *editEval, perFamily, skip int, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(env.Stdout).Encode(jsonSafe(rep))
	}
	detail := "with the sources' detail (--source-detail)"
	if !rep.SourceDetail {
		detail = "as the tokenizer draws them (--source-detail=false)"
	}
	fmt.Fprintf(env.Stdout, "eval-edits %s: %d held-out source images; up to %d pairs a family after the first %d; temperature %g, guidance %g, image guidance %g, %d candidate(s), seed %d, edits judged %s, %.0f s\n",
		b.Name, rep.HeldOut, perFamily, skip, rep.Temperature, rep.Guidance, rep.ImageGuidance, rep.Candidates, rep.Seed, detail, rep.Elapsed)
	for _, fr := range rep.Families {
		fmt.Fprintf(env.Stdout, "%-16s %s\n", fr.Family, fr.line())
	}
	return nil
}

// jsonSafe replaces NaN and infinite figures (empty families) by -1 so the
// report encodes.
func jsonSafe(r *editEval) *editEval {
	fix := func(v *float64) {
		if math.IsNaN(*v) || math.IsInf(*v, 0) {
			*v = -1
		}
	}
	for i := range r.Families {
		fix(&r.Families[i].PSNRdB)
		fix(&r.Families[i].MedianPSNRdB)
		fix(&r.Families[i].SourcePSNRdB)
		fix(&r.Families[i].TokenizerPSNRdB)
	}
	for i := range r.Cases {
		fix(&r.Cases[i].PSNRdB)
		fix(&r.Cases[i].SourcePSNRdB)
		fix(&r.Cases[i].TokenizerPSNRdB)
	}
	return r
}

func familyList() string {
	var names []string
	for _, f := range edit.Families() {
		names = append(names, string(f))
	}
	return strings.Join(names, ", ")
}

// parseFamily is the edit family a --families name names: its name in any
// case, with spaces for its hyphens ("black and white", "Skin tone"), or
// the README's British "recolour"; ok is false for none.
func parseFamily(name string) (f edit.Family, ok bool) {
	f = edit.Family(strings.Join(strings.Fields(strings.ToLower(name)), "-"))
	if f == "recolour" {
		return edit.Recolor, true
	}
	return f, slices.Contains(edit.Families(), f)
}

// familyNames lists the families measured, in order.
func familyNames(rs []editFamilyReport) string {
	var names []string
	for _, r := range rs {
		names = append(names, r.Family)
	}
	return strings.Join(names, ", ")
}
