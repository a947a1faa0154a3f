package app

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"strings"

	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/nearest"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/train/kmeans"
)

// EvalEmojiNames are the 50 emoji names eval-prompts checks: lower-cased
// `name` fields of emoji.json, everyday subjects of many kinds.
var EvalEmojiNames = []string{
	"grinning face", "smiling face with sunglasses", "smiling face with heart-shaped eyes", "face with tears of joy",
	"winking face", "thinking face", "sleeping face", "angry face", "crying face", "face with open mouth",
	"heavy black heart", "red apple", "banana", "grapes", "hamburger", "birthday cake", "cat face", "dog face",
	"fox face", "bear face", "panda face", "pig face", "frog face", "monkey face", "unicorn face", "penguin",
	"octopus", "fire", "sun with face", "snowman", "rainbow", "rocket", "automobile", "christmas tree",
	"thumbs up sign", "waving hand sign", "ghost", "robot face", "skull", "pile of poo", "soccer ball", "guitar",
	"money bag", "hot beverage", "cherries", "strawberry", "four leaf clover", "sunflower", "glowing star", "crown",
}

// distinctPictures groups images greedily (each joins the first group whose
// first image is within nearest.SamePictureDB) and returns the number of groups and
// how many of the n·(n−1)/2 pairs are different pictures.
func distinctPictures(imgs []*image.NRGBA) (groups, differentPairs, pairs int) {
	var firsts []*image.NRGBA
	for _, im := range imgs {
		found := false
		for _, f := range firsts {
			if kmeans.PSNR(im, f) >= nearest.SamePictureDB {
				found = true
				break
			}
		}
		if !found {
			firsts = append(firsts, im)
		}
	}
	for i := range imgs {
		for j := i + 1; j < len(imgs); j++ {
			pairs++
			if kmeans.PSNR(imgs[i], imgs[j]) < nearest.SamePictureDB {
				differentPairs++
			}
		}
	}
	return len(firsts), differentPairs, pairs
}

// evalCase is one prompt and the label its samples should show.
type evalCase struct{ prompt, label string }

func runEvalPrompts(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "eval-prompts", "[--model M] [--seeds N] [--json] [sampling flags]")
	var sf samplingFlags
	sf.register(fs)
	seeds := fs.Int("seeds", 4, "samples per prompt (seeds 1…N)")
	dataset := fs.String("data", "", "reference dataset: emoji or mnist (default: from the model's name)")
	style := fs.String("style", "", "emoji: append this style (google, twitter, openmoji, \"fluent flat\", \"fluent modern\", \"fluent contrast\") to every prompt and also count how often the nearest image has that style")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if _, err := parseFlags(fs, args); err != nil {
		return helpOr(fs, err)
	}
	b, err := openDrawingModel(env.Stderr, sf.model, sf.precision)
	if err != nil {
		return err
	}
	if !b.Conditional() {
		return fmt.Errorf("model %s takes no prompt; eval-prompts needs a text-conditioned model", b.Name)
	}
	kind := *dataset
	if kind == "" {
		kind = b.Name
		if c := b.Model.Config.Name(); c != "" {
			kind = c
		}
	}
	var ref *nearest.Set
	var cases []evalCase
	switch kind {
	case "mnist":
		test, _, err := data.MNIST(ctx, false)
		if err != nil {
			return err
		}
		ref = nearest.New(test, 28)
		for d := 0; d < 10; d++ {
			cases = append(cases, evalCase{fmt.Sprintf("digit %d", d), fmt.Sprint(d)})
		}
	case "emoji":
		all, _, err := data.Emoji(ctx, "")
		if err != nil {
			return err
		}
		w, _ := b.ImageSize()
		ref = nearest.New(all, w)
		keys := map[string]string{}
		for _, s := range all {
			name := trimStyle(s.Caption, s.Style)
			if _, ok := keys[name]; !ok {
				keys[name] = s.Key
			}
		}
		for _, n := range EvalEmojiNames {
			key, ok := keys[strings.Join(prompt.Split(n), " ")]
			if !ok {
				return fmt.Errorf("emoji %q is not in the dataset", n)
			}
			if *style != "" {
				n += " " + *style
			}
			cases = append(cases, evalCase{n, key})
		}
	default:
		return usageError{fmt.Sprintf("no reference set for model %q: pass --data emoji or --data mnist", kind)}
	}
	type result struct {
		Prompt string `json:"prompt"`
		Hits   int    `json:"hits"`
		Styled int    `json:"style_hits,omitempty"`
		// Distinct counts the different images among the seeds.
		Distinct int `json:"distinct"`
		// Pictures counts the different pictures among the seeds (samples
		// within 25 dB PSNR of each other are one picture).
		Pictures       int      `json:"pictures"`
		DifferentPairs int      `json:"different_pairs"`
		Pairs          int      `json:"pairs"`
		Seeds          int      `json:"seeds"`
		Got            []string `json:"nearest"`
		// NearestCaption is each sample's nearest dataset image, and
		// NearCopy whether the sample is within 25 dB PSNR of it (recalled
		// rather than new).
		NearestCaption []string `json:"nearest_caption"`
		NearCopy       []bool   `json:"near_copy"`
	}
	var results []result
	hits, styled, total, distinct := 0, 0, 0, 0
	pictures, diffPairs, pairs, copies := 0, 0, 0, 0
	hist := map[int]int{} // pictures per prompt → prompts
	wantStyle := strings.ReplaceAll(strings.Join(prompt.Split(*style), "-"), " ", "-")
	used := sf.options(b) // the settings in effect, model defaults included
	if sf.seed < 0 {
		used.Seed = 1 // seeds 1…N unless --seed says otherwise
	}
	for _, c := range cases {
		opt := used
		opt.Prompt, opt.Batch = c.prompt, *seeds
		res, err := sampler.Generate(ctx, b, opt, nil)
		if err != nil {
			return err
		}
		if res.Stopped {
			return ctx.Err()
		}
		r := result{Prompt: c.prompt, Seeds: *seeds}
		seen := map[string]bool{}
		var pics []*image.NRGBA
		for _, im := range res.Images {
			seen[fmt.Sprint(im.Tokens)] = true
			pic := b.Decode(im.Tokens)
			pics = append(pics, pic)
			ni := ref.Index(pic)
			got, gotStyle := ref.Samples[ni].Key, ref.Samples[ni].Style
			near, _ := ref.NearCopy(pic, ni)
			r.NearestCaption = append(r.NearestCaption, ref.Samples[ni].Caption)
			r.NearCopy = append(r.NearCopy, near)
			if near {
				copies++
			}
			r.Got = append(r.Got, got)
			if got == c.label {
				r.Hits++
			}
			if *style != "" && gotStyle == wantStyle {
				r.Styled++
			}
		}
		r.Distinct = len(seen)
		r.Pictures, r.DifferentPairs, r.Pairs = distinctPictures(pics)
		pictures += r.Pictures
		diffPairs += r.DifferentPairs
		pairs += r.Pairs
		hist[r.Pictures]++
		hits += r.Hits
		styled += r.Styled
		distinct += r.Distinct
		total += *seeds
		results = append(results, r)
		if !*asJSON {
			fmt.Fprintf(env.Stdout, "%-40s %d/%d (%d different pictures)\n", c.prompt, r.Hits, r.Seeds, r.Pictures)
		}
	}
	rate := float64(hits) / float64(max(total, 1))
	if *asJSON {
		out := map[string]any{"model": b.Name, "hits": hits, "samples": total, "rate": rate, "guidance": used.Guidance, "temperature": used.Temperature, "guidance_min_p": used.GuidanceMinP, "distinct": distinct,
			"near_copies": copies, "pictures_per_prompt": float64(pictures) / float64(max(len(cases), 1)), "different_pair_rate": float64(diffPairs) / float64(max(pairs, 1)), "same_picture_psnr_db": nearest.SamePictureDB, "prompts": results}
		if *style != "" {
			out["style"], out["style_hits"] = *style, styled
		}
		return json.NewEncoder(env.Stdout).Encode(out)
	}
	fmt.Fprintf(env.Stdout, "%d of %d samples (%.1f%%) are nearest to the prompted %s (guidance %g, min-p %g, temperature %g); %d of them are different token sequences\n",
		hits, total, 100*rate, kind, used.Guidance, used.GuidanceMinP, used.Temperature, distinct)
	fmt.Fprintf(env.Stdout, "variety: %.2f different pictures per prompt of %d seeds on average (samples within %d dB PSNR of each other are one picture); %d of %d pairs of seeds (%.1f%%) differ\n",
		float64(pictures)/float64(max(len(cases), 1)), *seeds, nearest.SamePictureDB, diffPairs, pairs, 100*float64(diffPairs)/float64(max(pairs, 1)))
	fmt.Fprintf(env.Stdout, "memorisation: %d of %d samples (%.1f%%) are near-copies of their nearest dataset image (within %d dB PSNR)\n",
		copies, total, 100*float64(copies)/float64(max(total, 1)), nearest.SamePictureDB)
	var dist []string
	for n := 1; n <= *seeds; n++ {
		if hist[n] > 0 {
			dist = append(dist, fmt.Sprintf("%d pictures: %d prompts", n, hist[n]))
		}
	}
	fmt.Fprintf(env.Stdout, "distribution: %s\n", strings.Join(dist, ", "))
	if *style != "" {
		fmt.Fprintf(env.Stdout, "%d of %d samples (%.1f%%) are nearest to an image in %s style\n", styled, total, 100*float64(styled)/float64(max(total, 1)), *style)
	}
	return nil
}

// trimStyle is a caption's words without its trailing style ("fluent-flat"
// is the words "fluent flat"), joined by spaces; a caption that is only the
// style is kept.
func trimStyle(caption, style string) string {
	if base, st := prompt.SplitStyle(caption, []string{style}); st != "" && base != "" {
		return base
	}
	return strings.Join(prompt.Split(caption), " ")
}
