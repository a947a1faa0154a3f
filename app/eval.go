package app

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"math"
	"strings"

	"github.com/nfnt/resize"

	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/sampler"
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

// reference is a labelled image set for nearest-neighbour checks.
type reference struct {
	side   int
	pixels [][]float32 // side×side×3 in [0,1]
	labels []string
	styles []string
}

func newReference(samples []data.Sample, side int) *reference {
	r := &reference{side: side}
	for _, s := range samples {
		r.pixels = append(r.pixels, toVector(s.Image, side))
		r.labels = append(r.labels, s.Key)
		r.styles = append(r.styles, s.Style)
	}
	return r
}

// toVector resizes img to side×side and flattens its RGB to [0,1].
func toVector(img image.Image, side int) []float32 {
	if b := img.Bounds(); b.Dx() != side || b.Dy() != side {
		img = resize.Resize(uint(side), uint(side), img, resize.Bilinear)
	}
	flat := codebook.Flatten(img)
	v := make([]float32, 0, side*side*3)
	for i := 0; i < len(flat.Pix); i += 4 {
		v = append(v, float32(flat.Pix[i])/255, float32(flat.Pix[i+1])/255, float32(flat.Pix[i+2])/255)
	}
	return v
}

// nearest returns the label and style of the reference image closest to img.
func (r *reference) nearest(img image.Image) (label, style string) {
	v := toVector(img, r.side)
	best, bestD := -1, math.MaxFloat64
	for i, p := range r.pixels {
		var d float32
		for j := range v {
			e := v[j] - p[j]
			d += e * e
		}
		if float64(d) < bestD {
			best, bestD = i, float64(d)
		}
	}
	return r.labels[best], r.styles[best]
}

// evalCase is one prompt and the label its samples should show.
type evalCase struct{ prompt, label string }

func runEvalPrompts(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "eval-prompts", "[--model M] [--seeds N] [--json] [sampling flags]")
	var sf samplingFlags
	sf.register(fs)
	seeds := fs.Int("seeds", 4, "samples per prompt (seeds 1…N)")
	dataset := fs.String("data", "", "reference dataset: emoji or mnist (default: from the model's name)")
	style := fs.String("style", "", "emoji: append this style word (google or twitter) to every prompt and also count how often the nearest image has that style")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if _, err := parseFlags(fs, args); err != nil {
		return helpOr(fs, err)
	}
	b, err := openModel(env.Stderr, sf.model, sf.precision)
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
	var ref *reference
	var cases []evalCase
	switch kind {
	case "mnist":
		test, _, err := data.MNIST(ctx, false)
		if err != nil {
			return err
		}
		ref = newReference(test, 28)
		for d := 0; d < 10; d++ {
			cases = append(cases, evalCase{fmt.Sprintf("digit %d", d), fmt.Sprint(d)})
		}
	case "emoji":
		all, _, err := data.Emoji(ctx, "")
		if err != nil {
			return err
		}
		ref = newReference(all, 32)
		keys := map[string]string{}
		for _, s := range all {
			name := strings.Join(trimStyle(prompt.Split(s.Caption), s.Style), " ")
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
		Distinct int      `json:"distinct"`
		Seeds    int      `json:"seeds"`
		Got      []string `json:"nearest"`
	}
	var results []result
	hits, styled, total, distinct := 0, 0, 0, 0
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
		for _, im := range res.Images {
			seen[fmt.Sprint(im.Tokens)] = true
			got, gotStyle := ref.nearest(b.Decode(im.Tokens))
			r.Got = append(r.Got, got)
			if got == c.label {
				r.Hits++
			}
			if *style != "" && gotStyle == *style {
				r.Styled++
			}
		}
		r.Distinct = len(seen)
		hits += r.Hits
		styled += r.Styled
		distinct += r.Distinct
		total += *seeds
		results = append(results, r)
		if !*asJSON {
			fmt.Fprintf(env.Stdout, "%-40s %d/%d (%d different)\n", c.prompt, r.Hits, r.Seeds, r.Distinct)
		}
	}
	rate := float64(hits) / float64(max(total, 1))
	if *asJSON {
		out := map[string]any{"model": b.Name, "hits": hits, "samples": total, "rate": rate, "guidance": used.Guidance, "temperature": used.Temperature, "guidance_min_p": used.GuidanceMinP, "distinct": distinct, "prompts": results}
		if *style != "" {
			out["style"], out["style_hits"] = *style, styled
		}
		return json.NewEncoder(env.Stdout).Encode(out)
	}
	fmt.Fprintf(env.Stdout, "%d of %d samples (%.1f%%) are nearest to the prompted %s (guidance %g, min-p %g, temperature %g); %d of them are different images\n",
		hits, total, 100*rate, kind, used.Guidance, used.GuidanceMinP, used.Temperature, distinct)
	if *style != "" {
		fmt.Fprintf(env.Stdout, "%d of %d samples (%.1f%%) are nearest to an image in %s style\n", styled, total, 100*float64(styled)/float64(max(total, 1)), *style)
	}
	return nil
}

// trimStyle drops a trailing style word.
func trimStyle(words []string, style string) []string {
	if style != "" && len(words) > 1 && words[len(words)-1] == style {
		return words[:len(words)-1]
	}
	return words
}
