package app

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"slices"
	"strings"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/nearest"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/sampling"
)

// shapesGroup sums eval-shapes' results over held-out or seen captions.
type shapesGroup struct {
	Captions int `json:"captions"`
	Samples  int `json:"samples"`
	// Hits counts samples the checker reads as exactly their caption.
	Hits int     `json:"hits"`
	Rate float64 `json:"rate"`
	// The attribute rates count samples read as a valid caption with that
	// attribute right (a sample the checker cannot read as a caption has
	// every attribute wrong).
	ColorRate      float64 `json:"color_rate"`
	ShapeRate      float64 `json:"shape_rate"`
	CountRate      float64 `json:"count_rate"`
	BackgroundRate float64 `json:"background_rate"`
	// Variety: the different pictures among each caption's seeds (samples
	// within nearest.SamePictureDB of each other are one picture), summed
	// over the captions and per caption, and the pairs of seeds of one
	// caption that drew different pictures (distinctPictures).
	Pictures           int     `json:"pictures"`
	PicturesPerCaption float64 `json:"pictures_per_caption"`
	DifferentPairs     int     `json:"different_pairs"`
	Pairs              int     `json:"pairs"`

	color, shape, count, background int
}

func (g *shapesGroup) add(want data.ShapesCaption, ok bool, got string) {
	g.Samples++
	if ok {
		g.Hits++
	}
	if r, err := data.ParseShapesCaption(got); err == nil {
		g.color += b2i(r.Color == want.Color)
		g.shape += b2i(r.Shape == want.Shape)
		g.count += b2i(r.Count == want.Count)
		g.background += b2i(r.Background == want.Background)
	}
}

// addVariety counts the different pictures among one caption's samples.
func (g *shapesGroup) addVariety(imgs []*image.NRGBA) {
	pictures, diff, pairs := distinctPictures(imgs)
	g.Pictures += pictures
	g.DifferentPairs += diff
	g.Pairs += pairs
}

func (g *shapesGroup) finish() {
	g.PicturesPerCaption = float64(g.Pictures) / float64(max(g.Captions, 1))
	n := float64(max(g.Samples, 1))
	g.Rate = float64(g.Hits) / n
	g.ColorRate, g.ShapeRate = float64(g.color)/n, float64(g.shape)/n
	g.CountRate, g.BackgroundRate = float64(g.count)/n, float64(g.background)/n
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// shapesResult is one caption's line in eval-shapes --json.
type shapesResult struct {
	Caption string `json:"caption"`
	HeldOut bool   `json:"held_out"`
	Hits    int    `json:"hits"`
	Seeds   int    `json:"seeds"`
	// Got is what the checker read in each sample, seed order.
	Got []string `json:"got"`
	// Unknown lists the caption's words the model does not know.
	Unknown []string `json:"unknown,omitempty"`
}

// seenSample picks n of the seen captions, spread evenly (all when n < 0 or
// n ≥ their number).
func seenSample(seen []data.ShapesCaption, n int) []data.ShapesCaption {
	if n < 0 || n >= len(seen) {
		return seen
	}
	out := make([]data.ShapesCaption, 0, n)
	for i := range n {
		out = append(out, seen[i*len(seen)/n])
	}
	return out
}

// evalShape is one caption eval-shapes samples: held out of training or
// seen.
type evalShape struct {
	caption data.ShapesCaption
	heldOut bool
}

func runEvalShapes(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "eval-shapes", "--model M [--seeds N] [--seen N] [--candidates N [--rank-by likelihood|prompt-gain|description]] [--json] [sampling flags]")
	var sf samplingFlags
	sf.registerOne(fs) // one batch a row or prompt: --batch would be ignored
	seeds := rangedInt(fs, "seeds", 4, 1, 512, "samples per caption (seeds 1…N, or from --seed)")
	seenN := rangedInt(fs, "seen", 0, -1, 1<<20, "also sample this many trained-on caption combinations, spread evenly over them (-1: all)")
	candidates := rangedInt(fs, "candidates", 1, 1, 64, "draw this many candidates for each sample and check the first after ranking them as tessera generate --rank and the studio do (see --rank-by); seeds × candidates at most 512")
	rankBy := rankByFlag(fs)
	asJSON := fs.Bool("json", false, "print one JSON object")
	fs.Lookup("prompt").Usage = "not taken: eval-shapes samples the held-out captions (and --seen trained-on ones)"
	fs.Lookup("model").Usage = "a model trained on the shapes data (required): its model or run folder, as tessera train --data shapes --out runs/shapes makes"
	evalSeedFlag(fs, "caption")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return helpOr(fs, err)
	}
	if err := noArguments(pos, ""); err != nil {
		return err
	}
	if flagsSet(fs)["prompt"] {
		return usageError{"--prompt: eval-shapes samples the held-out captions (and --seen trained-on ones)"}
	}
	if *seeds**candidates > maxEvalBatch {
		return usageError{fmt.Sprintf("--seeds %d × --candidates %d: at most %d images a caption (one batch)", *seeds, *candidates, maxEvalBatch)}
	}
	if sf.model == "" {
		// The default model draws emoji and knows no shape words: it
		// failed with "model emoji does not know circles".
		return usageError{"--model M is required: a model trained on the shapes data (tessera train --data shapes --out runs/shapes, then --model runs/shapes)"}
	}
	b, err := openDrawingModel(env.Stderr, sf.model, sf.precision)
	if err != nil {
		return err
	}
	if !b.Conditional() {
		return fmt.Errorf("model %s takes no prompt; eval-shapes needs a text-conditioned model", b.Name)
	}
	var cases []evalShape
	var seen []data.ShapesCaption
	for _, c := range data.ShapesCaptions() {
		if data.ShapesHeldOut(c.String()) {
			cases = append(cases, evalShape{c, true})
		} else {
			seen = append(seen, c)
		}
	}
	for _, c := range seenSample(seen, *seenN) {
		cases = append(cases, evalShape{c, false})
	}
	var unknown []string
	for _, c := range cases {
		for _, w := range b.PromptIDs(c.caption.String()).Unknown {
			if !slices.Contains(unknown, w) {
				unknown = append(unknown, w)
			}
		}
	}
	if len(unknown) > 0 {
		// Its samples would be drawn without those words, and the
		// checker's figures say nothing about the model (it printed
		// 0% rows and exited 0).
		return fmt.Errorf("model %s does not know %s of the shapes captions: eval-shapes checks a model trained on them (tessera train --data shapes, or --init MODEL to fine-tune one)", b.Name, quoteFew(unknown, 8))
	}
	used, err := sf.options(b)
	if err != nil {
		return err
	}
	if flagsSet(fs)[string(sampling.KnobStylePerSeed)] && used.StylePerSeed != 0 && len(styleWordsOf(b)) == 0 {
		// Accepted and echoed in the figures' settings, it drew nothing
		// different.
		return usageError{fmt.Sprintf("--style-per-seed %d: model %s has no style words, so a style per seed draws nothing different; leave it out", used.StylePerSeed, b.Name)}
	}
	sf.firstSeed(&used.Seed, env.Stderr)
	if len(cases) > 0 { // every caption has known words: one order for all
		*rankBy = rankOrder(*rankBy, b, cases[0].caption.String())
	}
	var held, trained shapesGroup
	var results []shapesResult
	for _, c := range cases {
		caption := c.caption.String()
		opt := used
		opt.Prompt, opt.Batch = caption, *seeds**candidates
		res, err := sampler.Generate(ctx, b, opt, nil)
		if err != nil {
			return fmt.Errorf("sample %q: %w", caption, err)
		}
		if res.Stopped {
			return ctx.Err()
		}
		if *candidates > 1 {
			if res.Images, err = firstRanked(ctx, b, caption, res.Images, *candidates, *rankBy, used.Workers); err != nil {
				return err
			}
		}
		r := shapesResult{Caption: caption, HeldOut: c.heldOut, Seeds: *seeds, Unknown: b.PromptIDs(caption).Unknown}
		g := &trained
		if c.heldOut {
			g = &held
		}
		g.Captions++
		pics := make([]*image.NRGBA, len(res.Images))
		for i, im := range res.Images {
			pics[i] = b.Decode(im.Tokens)
			ok, got := data.CheckShapes(pics[i], caption)
			g.add(c.caption, ok, got)
			r.Got = append(r.Got, got)
			r.Hits += b2i(ok)
		}
		g.addVariety(pics)
		results = append(results, r)
		if !*asJSON {
			tag := "seen"
			if c.heldOut {
				tag = "held out"
			}
			fmt.Fprintf(env.Stdout, "%-36s %-8s %d/%d  %s\n", caption, tag, r.Hits, r.Seeds, strings.Join(r.Got, "; "))
		}
	}
	held.finish()
	trained.finish()
	ceiling, err := shapesCeiling(b, cases, *seeds)
	if err != nil {
		return err
	}
	if *asJSON {
		out := map[string]any{
			"model": b.Name, "seeds": *seeds, "first_seed": used.Seed, "guidance": used.Guidance, "temperature": used.Temperature,
			"guidance_min_p": used.GuidanceMinP, "top_k": used.TopK, "top_p": used.TopP, "candidates": *candidates,
			"held_out": held, "captions": results, "tokenizer_ceiling": ceiling, "same_picture_psnr_db": nearest.SamePictureDB,
		}
		if *candidates > 1 { // a single sample per seed is ranked by nothing
			out["rank_by"] = *rankBy
		}
		if trained.Captions > 0 {
			out["seen"] = trained
		}
		return json.NewEncoder(env.Stdout).Encode(out)
	}
	line := func(name string, g shapesGroup) {
		fmt.Fprintf(env.Stdout, "%s: %d of %d samples (%.1f%%) show their caption, over %d captions; right colour %.1f%%, shape %.1f%%, count %.1f%%, background %.1f%% (of all samples: one that does not read as a single caption, as mixed shapes, counts as wrong in each)\n",
			name, g.Hits, g.Samples, 100*g.Rate, g.Captions, 100*g.ColorRate, 100*g.ShapeRate, 100*g.CountRate, 100*g.BackgroundRate)
		if g.Pairs > 0 {
			fmt.Fprintf(env.Stdout, "  variety: %.2f different pictures per caption of %d samples (two samples at a PSNR of %d dB or more against each other are one picture); %d of %d pairs of samples of one caption (%.1f%%) differ\n",
				g.PicturesPerCaption, *seeds, nearest.SamePictureDB, g.DifferentPairs, g.Pairs, 100*float64(g.DifferentPairs)/float64(g.Pairs))
		}
	}
	line("held-out combinations", held)
	if trained.Captions > 0 {
		line("seen combinations", trained)
	}
	fmt.Fprintf(env.Stdout, "tokenizer ceiling: %.1f%% of drawn pictures of the held-out combinations are read right after the model's image tokenizer (encode, decode)\n", 100*ceiling)
	fmt.Fprintf(env.Stdout, "(%s; seeds %d…%d", knobsLine(used.Settings, b.Conditional()), used.Seed, used.Seed+uint64(*seeds**candidates)-1)
	if *candidates > 1 {
		fmt.Fprintf(env.Stdout, "; each sample the first of %d candidates ranked by %s", *candidates, *rankBy)
	}
	fmt.Fprintln(env.Stdout, ")")
	return nil
}

// evalSeedFlag words --seed's help for an evaluation that samples seeds
// seed…seed+N−1 of each of its prompts (captions), from 1 when --seed is
// not given, so that a run repeats: the sampling flags' "-1: pick one"
// does not hold there.
func evalSeedFlag(fs *flag.FlagSet, each string) {
	f := fs.Lookup("seed")
	f.Usage = fmt.Sprintf("first seed (`int` 0 to 2⁶⁴−1; not given: 1): each %s's samples use seeds seed…seed+N−1 (N = --seeds × --candidates), so a run repeats", each)
	f.DefValue = (&seedValue{}).String() // not "-1": the sentence says what is used
}

// knobsLine lists the sampling knobs of s that apply to a model (with or
// without prompts), as "temperature 1, top-k 0, …".
func knobsLine(s sampling.Settings, conditional bool) string {
	var parts []string
	for _, sp := range sampling.Knobs() {
		if sp.EditOnly || (sp.Conditional && !conditional) {
			continue
		}
		parts = append(parts, sp.Label+" "+sp.Format(sp.Get(s)))
	}
	return strings.Join(parts, ", ")
}

// maxEvalBatch caps the images eval-shapes and eval-prompts sample for one prompt
// (seeds × candidates), which it draws as one batch.
const maxEvalBatch = 512

// firstRanked splits a batch into groups of n candidates, one group a
// sample (seeds s·n … s·n+n−1), ranks each group by as tessera generate
// --rank does (sampler.RankBatch) and returns the first of each.
func firstRanked(ctx context.Context, b *bundle.Bundle, prompt string, ims []sampler.Image, n int, by sampler.RankBy, workers int) ([]sampler.Image, error) {
	var out []sampler.Image
	for lo := 0; lo+n <= len(ims); lo += n {
		group := slices.Clone(ims[lo : lo+n])
		if _, err := sampler.RankBatch(ctx, b, prompt, group, 0, workers, by); err != nil {
			return nil, fmt.Errorf("rank the candidates of %q by %s: %w", prompt, by, err)
		}
		out = append(out, group[0])
	}
	return out, nil
}

// shapesCeiling is the share of pictures of the held-out cases (seeds
// pictures each, drawn at the model's size) that the checker still reads
// right after the model's image tokenizer: what a perfect model could
// score, since every sample passes through the tokenizer's decoder.
func shapesCeiling(b *bundle.Bundle, cases []evalShape, seeds int) (float64, error) {
	size, _ := b.ImageSize()
	hits, n := 0, 0
	for _, c := range cases {
		if !c.heldOut {
			continue
		}
		for s := range seeds {
			img, err := data.DrawShapes(c.caption, size, uint64(1000+s))
			if err != nil {
				return 0, fmt.Errorf("tokenizer ceiling: %w", err)
			}
			back, err := b.RoundTrip(img)
			if err != nil {
				return 0, fmt.Errorf("tokenizer ceiling: %w", err)
			}
			ok, _ := data.CheckShapes(back, c.caption.String())
			hits += b2i(ok)
			n++
		}
	}
	if n == 0 {
		return 0, nil
	}
	return float64(hits) / float64(n), nil
}
