package app

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/nfnt/resize"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/internal/plural"
)

// evalDescribeTop is how many of the likeliest prompts eval-describe looks
// at (top-1 and top-5 accuracy).
const evalDescribeTop = 5

// describeEvalImage is one held-out image in eval-describe --json.
type describeEvalImage struct {
	Caption string `json:"caption"`
	Key     string `json:"key"`
	// Rank is the rank (1…5) of the first of the five likeliest prompts
	// that names the image, 0 when none of them does.
	Rank int `json:"rank"`
	// MissRank, for a miss, is the rank (6 on) of the likeliest prompt
	// that names the image where it was scored in full; absent when none
	// was (ruled out early, RankOptions.Top, its place unknown; or never
	// scored).
	MissRank int `json:"miss_rank,omitempty"`
	// Reachable is false when no candidate prompt names the image (its
	// names have words the model does not know): it cannot be a hit.
	Reachable bool `json:"reachable"`
	// Top are the five likeliest prompts, with their bits per token.
	Top          []string  `json:"top"`
	BitsPerToken []float64 `json:"bits_per_token"`
	Seconds      float64   `json:"seconds"`
}

// describeEval is eval-describe's result (its --json object).
type describeEval struct {
	Model string `json:"model"`
	Data  string `json:"data"`
	// Split says which images were held out.
	Split           string `json:"split"`
	HeldOut         int    `json:"held_out"`
	Images          int    `json:"images"`
	Candidates      int    `json:"candidates"`
	CandidateSource string `json:"candidate_source"`
	SkippedUnknown  int    `json:"skipped_unknown"`
	// Top1 and Top5 count the images whose own name (any of the names of
	// what they show, style word left out) is the likeliest prompt, or one
	// of the five likeliest.
	Top1     int     `json:"top1"`
	Top5     int     `json:"top5"`
	Top1Rate float64 `json:"top1_rate"`
	Top5Rate float64 `json:"top5_rate"`
	// StyleTop1 counts the images whose likeliest prompt that names a
	// style names their own (models with style words only; a name alone
	// names none and is passed over).
	StyleTop1 int `json:"style_top1,omitempty"`
	// Unreachable counts images no candidate prompt names.
	Unreachable     int     `json:"unreachable"`
	SecondsPerImage float64 `json:"seconds_per_image"`
	// Interrupted says the run was stopped (Ctrl-C): the figures are of
	// the images described by then (Images of them).
	Interrupted bool                `json:"interrupted,omitempty"`
	Results     []describeEvalImage `json:"images_detail"`
}

// heldOutImages loads the images a model of dataset kind was validated on
// (not trained on) the way train's loadDataset splits them, plus every
// sample loaded (for the names of what each image shows), and says which
// split it is. styles are the model's style words: for emoji only those
// styles are loaded (SplitImages decides image by image, so this keeps the
// same held-out images).
func heldOutImages(ctx context.Context, kind string, styles []string, size int, warn io.Writer) (heldOut, all []data.Sample, split string, err error) {
	switch {
	case kind == "emoji":
		var want []string
		for _, w := range styles {
			if st := strings.Join(prompt.Split(w), "-"); slices.Contains(data.EmojiStyles(), st) {
				want = append(want, st)
			}
		}
		var rep data.Report
		all, rep, err = data.Emoji(ctx, "", want...)
		if err != nil {
			return nil, nil, "", err
		}
		warnSkipped(warn, rep)
		_, heldOut = data.SplitImages(all, 0.02, 1)
		return heldOut, all, "the 2% of emoji images train holds out (each image by a hash of its key and caption, seed 1)", nil
	case kind == "mnist":
		test, _, err := data.MNIST(ctx, false)
		if err != nil {
			return nil, nil, "", err
		}
		return test, test, "the MNIST test set", nil
	case kind == "shapes":
		tr, va, _ := data.ShapesDataset(size)
		return va, append(slices.Clip(tr), va...), "pictures of the held-out shapes caption combinations", nil
	case bundle.IsFolder(kind):
		all, _, err = data.Folder(ctx, kind)
		if err != nil {
			return nil, nil, "", err
		}
		tr, va := data.Split(all, 0.1, 1)
		if len(va) == 0 {
			return tr[:1], all, "the folder's first image: too few images for train to hold any out, so a trained one", nil
		}
		// each image is held out with chance 1/10 (by its name's hash), so few
		// images can give another share: say how many, and that it is a
		// chance (3 of 8 read as a contradiction of "10%")
		return va, all, fmt.Sprintf("the %d of the folder's %d images train holds out (each with chance 1/10, by a hash of its name, seed 1)", len(va), len(all)), nil
	}
	return nil, nil, "", usageError{fmt.Sprintf("no held-out images for dataset %q: pass --data emoji, mnist, shapes or a folder (with a '/')", kind)}
}

// spread picks n of items evenly spaced (all of them when n is 0 or at
// least their number).
func spread[T any](items []T, n int) []T {
	if n <= 0 || n >= len(items) {
		return items
	}
	out := make([]T, n)
	for i := range out {
		out[i] = items[i*len(items)/n]
	}
	return out
}

// baseName is text's words without a trailing style (one of styles),
// joined by single spaces: what eval-describe compares.
func baseName(text string, styles []string) string {
	if base, st := prompt.SplitStyle(text, styles); st != "" && strings.TrimSpace(base) != "" {
		text = base
	}
	return prompt.Normalize(text)
}

// namesByKey maps each Key of samples to the names of what it shows: every
// caption and alternative name of its samples without its trailing style
// word (the sample's style, or one of styles, the model's) (for emoji, the
// skin tones of one emoji share the base emoji's names).
func namesByKey(samples []data.Sample, styles []string) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, s := range samples {
		set := out[s.Key]
		if set == nil {
			set = map[string]bool{}
			out[s.Key] = set
		}
		st := styles
		if s.Style != "" {
			st = append([]string{data.StyleWords(s.Style)}, styles...)
		}
		for _, n := range append([]string{s.Caption}, s.Names...) {
			set[baseName(n, st)] = true
		}
	}
	return out
}

// modelImage resizes img to the model's image size as train prepares its
// images (Lanczos, over white) and encodes it.
func modelImage(b *bundle.Bundle, img image.Image) ([]int, error) {
	w, h := b.ImageSize()
	if r := img.Bounds(); r.Dx() != w || r.Dy() != h {
		img = codebook.Flatten(resize.Resize(uint(w), uint(h), img, resize.Lanczos3))
	}
	return b.Encode(img)
}

// evalDescribe describes each sample against the candidates b can read
// (sampler.RankCandidates with opt) and counts how often a prompt naming it (names, by Key) comes first and
// in the top five. Each image's line goes to log when it is not nil.
// Stopped by ctx, it returns the figures of the images described by then,
// marked Interrupted, with ctx's error.
func evalDescribe(ctx context.Context, b *bundle.Bundle, samples []data.Sample, cands sampler.Candidates, names map[string]map[string]bool, opt sampler.RankOptions, log io.Writer) (describeEval, error) {
	var out describeEval
	candidates, _ := sampler.UsablePrompts(b, cands.Prompts)
	styles := styleWordsOf(b)
	candBase := make([]string, len(candidates))
	baseSet := map[string]bool{}
	for i, c := range candidates {
		candBase[i] = baseName(c, styles)
		baseSet[candBase[i]] = true
	}
	var seconds float64
	// sum fills in the figures of the first n images.
	sum := func(n int) {
		out.Images = n
		out.Candidates = len(candidates)
		if n > 0 {
			out.Top1Rate = float64(out.Top1) / float64(n)
			out.Top5Rate = float64(out.Top5) / float64(n)
			out.SecondsPerImage = seconds / float64(n)
		}
	}
	// stopped is the figures of the first n images, marked as a part
	// (Ctrl-C: it kept nothing of minutes of work), with ctx's error.
	stopped := func(n int) (describeEval, error) {
		sum(n)
		out.Interrupted = true
		return out, ctx.Err()
	}
	for i, s := range samples {
		if ctx.Err() != nil {
			return stopped(i)
		}
		start := time.Now()
		tokens, err := modelImage(b, s.Image)
		if err != nil {
			return out, fmt.Errorf("eval-describe: image %q: %w", s.Caption, err)
		}
		res, err := sampler.RankCandidates(ctx, b, cands, tokens, opt)
		if err != nil && ctx.Err() != nil {
			return stopped(i)
		}
		if err != nil {
			return out, fmt.Errorf("eval-describe: image %q: %w", s.Caption, err)
		}
		ranked := res.Scores
		r := describeEvalImage{Caption: s.Caption, Key: s.Key, Seconds: time.Since(start).Seconds()}
		seconds += r.Seconds
		right := names[s.Key]
		for n := range right {
			if baseSet[n] {
				r.Reachable = true
				break
			}
		}
		for k, p := range ranked[:min(evalDescribeTop, len(ranked))] {
			r.Top = append(r.Top, p.Prompt)
			r.BitsPerToken = append(r.BitsPerToken, p.BitsPerToken())
			if r.Rank == 0 && right[baseName(p.Prompt, styles)] {
				r.Rank = k + 1
			}
		}
		if r.Rank == 0 {
			// A miss's place, where it is known: prompts ruled out early
			// are ordered by lower bounds, so their ranks are not.
			for k, p := range ranked {
				if right[baseName(p.Prompt, styles)] {
					if !p.Bound {
						r.MissRank = k + 1
					}
					break
				}
			}
		}
		switch {
		case r.Rank == 1:
			out.Top1++
			out.Top5++
		case r.Rank > 1:
			out.Top5++
		}
		if !r.Reachable {
			out.Unreachable++
		}
		if len(styles) > 0 && len(r.Top) > 0 && s.Style != "" {
			// The likeliest prompt that names a style (a name alone, a
			// candidate too, names none: it is passed over, not a miss).
			for _, p := range r.Top {
				if _, st := prompt.SplitStyle(p, styles); st != "" {
					if baseName(st, nil) == baseName(data.StyleWords(s.Style), nil) {
						out.StyleTop1++
					}
					break
				}
			}
		}
		out.Results = append(out.Results, r)
		if log != nil {
			mark := "miss"
			switch {
			case r.MissRank > 0:
				mark = fmt.Sprintf("miss (rank %d)", r.MissRank)
			case r.Rank > 0:
				mark = fmt.Sprintf("rank %d", r.Rank)
			case !r.Reachable:
				mark = "miss (no candidate names it)"
			}
			top := ""
			if len(r.Top) > 0 {
				top = r.Top[0]
			}
			fmt.Fprintf(log, "%4d/%d  %-10s %-50q → %q  %.1f s\n", i+1, len(samples), mark, s.Caption, top, r.Seconds)
		}
	}
	sum(len(samples))
	return out, nil
}

// styleWordsOf is a model's style words (config tessera.style_words).
func styleWordsOf(b *bundle.Bundle) []string {
	if ext := b.Model.Config.Tessera; ext != nil {
		return ext.StyleWords
	}
	return nil
}

func runEvalDescribe(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "eval-describe", "[--model M] [--images N] [--data D] [--json]")
	modelName := fs.String("model", "", "built-in model name or model folder (a text-conditioned model)")
	images := rangedInt(fs, "images", 100, 0, 1<<30, "how many held-out images to describe, evenly spaced through the held-out set (0: all)")
	dataset := fs.String("data", "", "the model's dataset: emoji, mnist, shapes or a folder (default: from the model's name)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	threads := rangedInt(fs, "threads", 0, 0, 1024, "worker threads (0 = all cores)")
	shortlist := rangedInt(fs, "shortlist", sampler.NameShortlist, 0, 100000, "names × styles: rank every name alone first, then every style of this many of the likeliest names, as describe does (0 = one stage over every name × style)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return helpOr(fs, err)
	}
	if err := noArguments(rest, ""); err != nil {
		return err
	}
	if *images < 0 {
		return usageError{fmt.Sprintf("--images %d: must be 0 (all) or more", *images)}
	}
	b, err := openDrawingModel(env.Stderr, *modelName, "f32")
	if err != nil {
		return err
	}
	if !b.Conditional() {
		return fmt.Errorf("model %s takes no prompt; eval-describe needs a text-conditioned model", b.Name)
	}
	kind, err := evalDataset(b, *dataset)
	if err != nil {
		return err
	}
	size, _ := b.ImageSize()
	heldOut, all, split, err := heldOutImages(ctx, kind, styleWordsOf(b), size, env.Stderr)
	if err != nil {
		return err
	}
	if len(heldOut) == 0 {
		return fmt.Errorf("dataset %s has no held-out images", kind)
	}
	picked := spread(heldOut, *images)
	cands, err := sampler.DescribeCandidates(ctx, b, "")
	if err != nil {
		return fmt.Errorf("candidate prompts: %w", err)
	}
	usable, skipped := sampler.UsablePrompts(b, cands.Prompts)
	if len(usable) == 0 {
		return fmt.Errorf("no candidate prompt uses only words model %s knows", b.Name)
	}
	var log io.Writer
	if !*asJSON {
		log = env.Stdout
		fmt.Fprintf(env.Stdout, "describing %d of %d held-out images (%s) against %d candidate prompts (%s) under %s\n",
			len(picked), len(heldOut), split, len(usable), cands.Source, b.Name)
	}
	opt := sampler.RankOptions{Workers: *threads, Top: evalDescribeTop, Shortlist: *shortlist}
	if *shortlist == 0 {
		opt.Shortlist = -1
	}
	out, err := evalDescribe(ctx, b, picked, cands, namesByKey(all, styleWordsOf(b)), opt, log)
	if err != nil && !out.Interrupted {
		return err
	}
	out.Model, out.Data, out.Split, out.HeldOut = b.Name, kind, split, len(heldOut)
	out.CandidateSource, out.SkippedUnknown = cands.Source, len(skipped)
	if out.Interrupted && out.Images == 0 {
		fmt.Fprintln(env.Stderr, "eval-describe: stopped before the first image was described: no figures")
		return err
	}
	if perr := printDescribeEval(env, b, out, *asJSON); perr != nil {
		return perr
	}
	if out.Interrupted {
		fmt.Fprintf(env.Stderr, "eval-describe: stopped: the figures above are of the first %s described, of %d\n", plural.N(out.Images, "image", "images"), len(picked))
	}
	return err
}

// printDescribeEval prints eval-describe's figures: one JSON object, or
// the summary lines.
func printDescribeEval(env Env, b *bundle.Bundle, out describeEval, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(env.Stdout).Encode(out)
	}
	fmt.Fprintf(env.Stdout, "top-1: %d of %d (%.1f%%); top-5: %d of %d (%.1f%%); %.2f s per image\n",
		out.Top1, out.Images, 100*out.Top1Rate, out.Top5, out.Images, 100*out.Top5Rate, out.SecondsPerImage)
	if out.Unreachable > 0 {
		fmt.Fprintf(env.Stdout, "%d of the images have no candidate prompt naming them (words model %s does not know): they count as misses\n", out.Unreachable, b.Name)
	}
	if len(styleWordsOf(b)) > 0 {
		fmt.Fprintf(env.Stdout, "style: the likeliest prompt has the image's own style for %d of %d\n", out.StyleTop1, out.Images)
	}
	return nil
}
