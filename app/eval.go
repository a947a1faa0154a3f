package app

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rivo/uniseg"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/nearest"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/psnr"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/trainjob"
	"github.com/tessera-studio/tessera/internal/plural"
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
			if psnr.Images(im, f) >= nearest.SamePictureDB {
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
			if psnr.Images(imgs[i], imgs[j]) < nearest.SamePictureDB {
				differentPairs++
			}
		}
	}
	return len(firsts), differentPairs, pairs
}

// evalCase is one prompt and the label its samples should show: the Key
// of the dataset images it asks for, or their caption (byCaption: a
// folder's images, whose keys are file names).
type evalCase struct {
	prompt, label string
	byCaption     bool
}

// labelOf is the label of dataset image s, as c's label is written.
func (c evalCase) labelOf(s data.Sample) string {
	if c.byCaption {
		return prompt.Normalize(s.Caption)
	}
	return s.Key
}

// shows reports whether dataset image s is one c asks for: its label, or
// by caption one of its alternative captions too (Names: a caption file's
// further lines, the captions of a folder's copies of it).
func (c evalCase) shows(s data.Sample) bool {
	if c.labelOf(s) == c.label {
		return true
	}
	return c.byCaption && slices.ContainsFunc(s.Names, func(n string) bool { return prompt.Normalize(n) == c.label })
}

// maxFolderPrompts is how many of a folder's captions eval-prompts
// evaluates without --names.
const maxFolderPrompts = 50

func runEvalPrompts(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "eval-prompts", "[--model M] [--seeds N] [--candidates N [--rank-by likelihood|prompt-gain|description]] [--json] [sampling flags]")
	var sf samplingFlags
	sf.registerOne(fs) // one batch a row or prompt: --batch would be ignored
	seeds := rangedInt(fs, "seeds", 4, 1, 256, "samples per prompt (seeds --seed… on, from 1 when it is not given)")
	candidates := rangedInt(fs, "candidates", 1, 1, 64, "draw this many candidates for each sample and judge the first after ranking them as tessera generate --rank and the studio do (see --rank-by); seeds × candidates at most 512")
	rankBy := rankByFlag(fs)
	dataset := fs.String("data", "", "reference dataset: emoji, mnist or a folder of captioned images (default: from the model's name, or the folder its training run recorded)")
	style := fs.String("style", "", "emoji: append this style (google or noto, twitter or twemoji, openmoji, \"fluent flat\", \"fluent modern\", \"fluent contrast\" or \"high contrast\") to every prompt and also count how often the nearest image has that style")
	namesFile := fs.String("names", "", "evaluate the names in this file (one a line; blank lines and # comments skipped): emoji names as emoji.json spells them instead of the built-in 50, or captions of a folder instead of up to 50 of its captions")
	asJSON := fs.Bool("json", false, "print one JSON object")
	ceiling := fs.Bool("ceiling", false, "also report the image tokenizer's ceiling: how many dataset images of the prompted names (of --style's style when set) are still nearest their own name after encoding and decoding")
	fs.Lookup("prompt").Usage = "not taken: eval-prompts samples its own list of names (the built-in 50, or --names FILE)"
	evalSeedFlag(fs, "prompt")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return helpOr(fs, err)
	}
	if err := noArguments(pos, ""); err != nil {
		return err
	}
	if flagsSet(fs)["prompt"] {
		return usageError{"--prompt: eval-prompts samples its own list of names (the built-in 50, or --names FILE)"}
	}
	if flagsSet(fs)["rank-by"] && *candidates == 1 {
		fmt.Fprintln(env.Stderr, "note: --rank-by orders --candidates; with one candidate a sample there is nothing to rank")
	}
	if *seeds**candidates > maxEvalBatch {
		return usageError{fmt.Sprintf("--seeds %d × --candidates %d: at most %d images a prompt (one batch)", *seeds, *candidates, maxEvalBatch)}
	}
	b, err := openDrawingModel(env.Stderr, sf.model, sf.precision)
	if err != nil {
		return err
	}
	if !b.Conditional() {
		return fmt.Errorf("model %s takes no prompt; eval-prompts needs a text-conditioned model", b.Name)
	}
	kind, err := evalDataset(b, *dataset)
	if err != nil {
		return err
	}
	if *style != "" && !bundle.IsFolder(kind) { // a folder's captions: evalReference says styles are not theirs
		if *style, err = modelStyle(b, "style", *style); err != nil {
			return err // "neon" was counted as a style none of 100 samples had
		}
	}
	var names []string
	if *namesFile != "" {
		if names, err = readNameList(*namesFile); err != nil {
			return err
		}
	}
	ref, cases, err := evalReference(ctx, b, kind, *style, names, env.Stderr)
	if err != nil {
		return err
	}
	// Prompts the model knows no word of are drawn as with no prompt: a
	// model of folder captions judged on mnist reported 10% "right".
	unknown := 0
	for _, c := range cases {
		if b.PromptIDs(c.prompt).NoneKnown() {
			unknown++
		}
	}
	switch {
	case len(cases) > 0 && unknown == len(cases):
		return fmt.Errorf("model %s knows no word of any prompt of %s (%q, …): it would draw each as if there were no prompt; judge it on its own data (--data)", b.Name, kind, cases[0].prompt)
	case unknown > 0:
		fmt.Fprintf(env.Stderr, "warning: model %s knows no word of %d of the %d prompts of %s: those are drawn as if there were no prompt\n", b.Name, unknown, len(cases), kind)
	}
	used, err := sf.options(b) // the settings in effect, model defaults included
	if err != nil {
		return err
	}
	sf.firstSeed(&used.Seed, env.Stderr)
	warnNegative(env.Stderr, b, used) // as generate warns of it (--guidance 1 dropped --negative without a word)
	wantStyle := strings.ReplaceAll(strings.Join(prompt.Split(*style), "-"), " ", "-")
	var ceil tokenizerCeiling
	if *ceiling {
		if ceil, err = measureCeiling(ctx, b, ref, cases, wantStyle); err != nil {
			return err
		}
	}
	if len(cases) > 0 { // every name has known words: one order for all
		*rankBy = rankOrder(*rankBy, b, cases[0].prompt)
	}
	if bundle.IsFolder(kind) && !*asJSON {
		fmt.Fprintf(env.Stdout, "judged against the %d pictures of %s, %d of their captions as the prompts\n", ref.Len(), kind, len(cases))
	}
	var t evalTotals
	copies := ref.Copies(b.RoundTrip) // near-copies: within 25 dB, or as close as the tokenizer draws the image
	// interrupted, when a signal stopped the run: the prompts done so far
	// are reported, and the command says how many that is.
	var interrupted error
	for i, c := range cases {
		r, err := evalPrompt(ctx, b, copies, c, used, evalSampling{*seeds, *candidates, *rankBy}, *style != "", wantStyle)
		if err != nil && ctx.Err() != nil {
			if i == 0 {
				return errors.New("interrupted before a prompt was evaluated")
			}
			interrupted = fmt.Errorf("interrupted: %d of %d prompts evaluated (the figures are theirs)", i, len(cases))
			cases = cases[:i]
			break
		}
		if err != nil {
			return err
		}
		t.add(r)
		if !*asJSON {
			fmt.Fprintf(env.Stdout, "%s %d/%d (%s)\n", column(c.prompt, 40), r.Hits, r.Seeds, plural.N(r.Pictures, "picture", "different pictures"))
		}
	}
	if *asJSON {
		out := map[string]any{"model": b.Name, "hits": t.hits, "samples": t.total, "rate": t.rate(), "guidance": used.Guidance, "temperature": used.Temperature, "guidance_min_p": used.GuidanceMinP, "style_per_seed": used.StylePerSeed, "candidates": *candidates, "distinct": t.distinct,
			"near_copies": t.copies, "pictures_per_prompt": float64(t.pictures) / float64(max(len(cases), 1)), "different_pair_rate": float64(t.diffPairs) / float64(max(t.pairs, 1)), "same_picture_psnr_db": nearest.SamePictureDB, "prompts": t.results,
			"first_seed": used.Seed,      // each prompt's samples: seeds first_seed… (as eval-shapes says it)
			"data":       dataPath(kind), // the pictures judged against: emoji, mnist or a folder
		}
		if used.Negative != "" {
			out["negative"] = used.Negative // the summary line names it too
		}
		if *candidates > 1 { // a single sample per seed is ranked by nothing
			out["rank_by"] = *rankBy
		}
		if *style != "" {
			out["style"], out["style_hits"] = *style, t.styled
		}
		if *ceiling && interrupted == nil { // of every prompt: not of the ones an interrupted run did
			out["ceiling_hits"], out["ceiling_images"] = ceil.hits, ceil.images
			if *style != "" {
				out["ceiling_style_hits"] = ceil.styled
			}
		}
		if interrupted != nil {
			out["interrupted"] = true // the figures are of the prompts in "prompts" only
		}
		if err := json.NewEncoder(env.Stdout).Encode(out); err != nil {
			return err
		}
		return interrupted
	}
	what := kind
	switch {
	case bundle.IsFolder(kind):
		what = "caption"
	case kind == "mnist":
		what = "digit" // "nearest to the prompted mnist" named the dataset
	}
	t.print(env.Stdout, what, used, *seeds, *style)
	if *ceiling && interrupted == nil {
		fmt.Fprintf(env.Stdout, "tokenizer ceiling: %d of %d dataset images of these prompts (%.1f%%) are still nearest their own %s after the image tokenizer's encode and decode\n",
			ceil.hits, ceil.images, 100*float64(ceil.hits)/float64(max(ceil.images, 1)), what)
		if *style != "" {
			fmt.Fprintf(env.Stdout, "tokenizer style ceiling: %d of those %d (%.1f%%) are still nearest an image in %s style\n",
				ceil.styled, ceil.images, 100*float64(ceil.styled)/float64(max(ceil.images, 1)), *style)
		}
	}
	if *candidates > 1 {
		fmt.Fprintf(env.Stdout, "each sample is the first of %d candidates (seeds %d…%d) ranked by %s\n", *candidates, used.Seed, used.Seed+uint64(*seeds**candidates)-1, *rankBy)
	}
	return interrupted
}

// evalDataset is the dataset the eval commands judge b's samples against:
// flag when set (a folder's name without '/' as the folder, folderData),
// else the data b was trained on (trainjob.ModelData), else b's name when
// it names a dataset or a folder here; else a usage error.
func evalDataset(b *bundle.Bundle, flag string) (string, error) {
	if flag != "" {
		return folderData(flag), nil // "--data icons": the folder, as train takes it
	}
	d := cmp.Or(trainjob.ModelData(b), b.Name)
	if name := folderData(d); slices.Contains(trainjob.Datasets(), name) || bundle.IsFolder(name) {
		if bundle.IsFolder(name) {
			if _, err := os.Stat(name); err != nil {
				// Moved or deleted since: said as the model's record, where
				// it said "image folder: open …" as if the user had named it.
				return "", usageError{fmt.Sprintf("model %s was trained on the pictures in %s, as it records, but that folder cannot be read now (%v): pass --data FOLDER where they are now", b.Name, name, err)}
			}
		}
		return name, nil
	}
	// A model copied out of its run folder, or an average's: its data is
	// not recorded beside it (the error said "--data NAME" of a flag
	// never given).
	return "", usageError{fmt.Sprintf("model %s does not record the pictures it was trained on (a model folder copied out of its run?): pass --data FOLDER, the folder it was trained on (or emoji, mnist)", b.Name)}
}

// readNameList reads a list of names, one a line (readTextLines: blank
// lines and lines starting with # skipped); an empty list is an error.
func readNameList(path string) ([]string, error) {
	names, err := readTextLines(path, "names", nil)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("names: %s lists no names", path)
	}
	return names, nil
}

// evalReference is the reference set of dataset kind (emoji, mnist or a
// folder of captioned images) for a model of b's size and the prompts to
// evaluate, each with the label of the images it asks for (style, when
// set, appended to emoji names; names are the emoji names or folder
// captions to evaluate, nil for the built-in 50 or up to 50 of the
// folder's captions, spread over its files).
func evalReference(ctx context.Context, b *bundle.Bundle, kind, style string, names []string, warn io.Writer) (*nearest.Set, []evalCase, error) {
	var cases []evalCase
	switch kind {
	case "mnist":
		test, _, err := data.MNIST(ctx, false)
		if err != nil {
			return nil, nil, err
		}
		digits := []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
		if names != nil {
			// --names: the digits it lists ("3" or "digit 3"), not every
			// one (the file was read and its lines not used).
			digits = nil
			for _, n := range names {
				d := strings.TrimPrefix(strings.TrimSpace(n), "digit ")
				if len(d) != 1 || d[0] < '0' || d[0] > '9' {
					return nil, nil, usageError{fmt.Sprintf("--names: %q is no digit: the MNIST model draws the digits 0–9 (a line holds one, as \"3\" or \"digit 3\")", n)}
				}
				digits = append(digits, d)
			}
		}
		for _, d := range digits {
			cases = append(cases, evalCase{prompt: "digit " + d, label: d})
		}
		return nearest.New(test, 28), cases, nil
	case "emoji":
		all, rep, err := data.Emoji(ctx, "")
		if err != nil {
			return nil, nil, err
		}
		warnSkipped(warn, rep)
		w, _ := b.ImageSize()
		keys := map[string]string{}
		for _, s := range all {
			name := trimStyle(s.Caption, s.Style)
			if _, ok := keys[name]; !ok {
				keys[name] = s.Key
			}
		}
		if names == nil {
			names = EvalEmojiNames
		}
		for _, n := range names {
			key, ok := keys[prompt.Normalize(n)]
			if !ok {
				return nil, nil, fmt.Errorf("emoji %q is not in the dataset: give names as emoji.json spells them (the emoji model's names.txt lists them, assets/models/emoji/names.txt in Tessera's source)", shortWord(n))
			}
			if style != "" {
				n += " " + style
			}
			cases = append(cases, evalCase{prompt: n, label: key})
		}
		return nearest.New(all, w), cases, nil
	}
	if kind == "shapes" {
		// The shapes are judged by how they are drawn, not by the nearest
		// of a set of pictures: a command of its own.
		return nil, nil, usageError{"the shapes data (given, or the model's own): eval-prompts judges samples against a dataset of named pictures; a shapes model's samples are judged by tessera eval-shapes --model M, which knows how the shapes are drawn"}
	}
	if !bundle.IsFolder(kind) {
		return nil, nil, usageError{fmt.Sprintf("--data %s: eval-prompts judges samples against a dataset of named pictures: emoji, mnist or a folder of captioned images (pass --data emoji, --data mnist or --data FOLDER, the folder the model was trained on; a shapes model: tessera eval-shapes)", kind)}
	}
	if style != "" {
		return nil, nil, usageError{"--style: styles are the emoji data's; a folder's captions are evaluated as they are"}
	}
	all, _, err := data.Folder(ctx, kind)
	if err != nil {
		return nil, nil, err
	}
	known := map[string]bool{}
	var captions []string // in file order
	for _, s := range all {
		if c := prompt.Normalize(s.Caption); c != "" && !known[c] {
			known[c] = true
			captions = append(captions, c)
		}
	}
	also := map[string]bool{} // alternative captions (Names): asked for by --names, judged by evalCase.shows
	for _, s := range all {
		for _, n := range s.Names {
			if n = prompt.Normalize(n); n != "" && !known[n] {
				also[n] = true
			}
		}
	}
	if names == nil {
		names = spread(captions, maxFolderPrompts)
	}
	for _, n := range names {
		n = prompt.Normalize(n)
		if !known[n] && !also[n] {
			return nil, nil, fmt.Errorf("caption %q is not one of the %s in %s (nor one of their %s)", n, plural.N(len(captions), "caption", "captions"), kind, plural.N(len(also), "alternative caption", "alternative captions"))
		}
		cases = append(cases, evalCase{prompt: n, label: n, byCaption: true})
	}
	w, _ := b.ImageSize()
	return nearest.New(all, w), cases, nil
}

// tokenizerCeiling counts the reference images of the evaluated labels
// (images) and how many of them are nearest an image of their own label
// after the model's image tokenizer encodes and decodes them (hits): what
// adherence a model that redrew dataset images exactly would score.
// With a style asked for, styled counts those nearest an image of that
// style: what --style's figure would be for such a model (the tokenizer
// flattens Fluent modern's gradients towards Fluent flat).
type tokenizerCeiling struct{ hits, styled, images int }

// measureCeiling measures the tokenizer ceiling of cases on ref, counting
// only images of style wantStyle when it is not empty.
func measureCeiling(ctx context.Context, b *bundle.Bundle, ref *nearest.Set, cases []evalCase, wantStyle string) (tokenizerCeiling, error) {
	labels := map[string]bool{}
	for _, c := range cases {
		labels[c.label] = true
	}
	var c tokenizerCeiling
	if len(cases) == 0 {
		return c, nil
	}
	labelOf := cases[0].labelOf // one dataset: all cases label alike
	for _, s := range ref.Samples {
		if !labels[labelOf(s)] || (wantStyle != "" && s.Style != wantStyle) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return c, err
		}
		back, err := b.RoundTrip(s.Image)
		if err != nil {
			return c, fmt.Errorf("tokenizer ceiling: encode %q: %w", s.Caption, err)
		}
		c.images++
		near := ref.Samples[ref.Index(back)]
		if labelOf(near) == labelOf(s) {
			c.hits++
		}
		if wantStyle != "" && near.Style == wantStyle {
			c.styled++
		}
	}
	return c, nil
}

// evalSampling is how eval-prompts draws each prompt's samples: seeds
// samples, each the first of candidates ranked by rankBy (1: unranked).
type evalSampling struct {
	seeds, candidates int
	rankBy            sampler.RankBy
}

// promptResult is what eval-prompts found for one prompt.
type promptResult struct {
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

// evalPrompt samples seeds images of case c in one batch with opt and
// judges each by its nearest reference image (and its style, when
// styled is set: wantStyle).
func evalPrompt(ctx context.Context, b *bundle.Bundle, copies *nearest.Copies, c evalCase, opt sampler.Options, es evalSampling, styled bool, wantStyle string) (promptResult, error) {
	ref := copies.Set()
	opt.Prompt, opt.Batch = c.prompt, es.seeds*max(es.candidates, 1)
	res, err := sampler.Generate(ctx, b, opt, nil)
	if err != nil {
		return promptResult{}, err
	}
	if res.Stopped {
		return promptResult{}, ctx.Err()
	}
	if es.candidates > 1 {
		if res.Images, err = firstRanked(ctx, b, c.prompt, res.Images, es.candidates, es.rankBy, opt.Workers); err != nil {
			return promptResult{}, err
		}
	}
	seeds := es.seeds
	r := promptResult{Prompt: c.prompt, Seeds: seeds}
	seen := map[string]bool{}
	var pics []*image.NRGBA
	for _, im := range res.Images {
		seen[fmt.Sprint(im.Tokens)] = true
		pic := b.Decode(im.Tokens)
		pics = append(pics, pic)
		ni := ref.Index(pic)
		near, _, _ := copies.NearCopy(pic, ni)
		r.NearestCaption = append(r.NearestCaption, ref.Samples[ni].Caption)
		r.NearCopy = append(r.NearCopy, near)
		r.Got = append(r.Got, ref.Samples[ni].Key)
		if c.shows(ref.Samples[ni]) {
			r.Hits++
		}
		if styled && ref.Samples[ni].Style == wantStyle {
			r.Styled++
		}
	}
	r.Distinct = len(seen)
	r.Pictures, r.DifferentPairs, r.Pairs = distinctPictures(pics)
	return r, nil
}

// evalTotals sum eval-prompts' results.
type evalTotals struct {
	results                               []promptResult
	hits, styled, total, distinct, copies int
	pictures, diffPairs, pairs            int
	hist                                  map[int]int // pictures per prompt → prompts
}

func (t *evalTotals) add(r promptResult) {
	if t.hist == nil {
		t.hist = map[int]int{}
	}
	t.results = append(t.results, r)
	t.hits += r.Hits
	t.styled += r.Styled
	t.total += r.Seeds
	t.distinct += r.Distinct
	t.pictures += r.Pictures
	t.diffPairs += r.DifferentPairs
	t.pairs += r.Pairs
	t.hist[r.Pictures]++
	for _, near := range r.NearCopy {
		if near {
			t.copies++
		}
	}
}

// rate is the share of samples nearest to the prompted image.
func (t *evalTotals) rate() float64 { return float64(t.hits) / float64(max(t.total, 1)) }

// print writes the summary lines of an evaluation with settings used.
func (t *evalTotals) print(w io.Writer, kind string, used sampler.Options, seeds int, style string) {
	n := max(len(t.results), 1)
	perSeed := ""
	if used.StylePerSeed != 0 && style == "" {
		perSeed = ", a style per seed"
	}
	negative := ""
	if used.Negative != "" {
		negative = ", negative prompt " + quoteText(used.Negative)
	}
	fmt.Fprintf(w, "%d of %d samples (%.1f%%) are nearest to the prompted %s (guidance %g, min-p %g, temperature %g%s%s); %d of them are different token sequences\n",
		t.hits, t.total, 100*t.rate(), kind, used.Guidance, used.GuidanceMinP, used.Temperature, negative, perSeed, t.distinct)
	pairs := "one seed a prompt: no pairs of seeds to compare"
	if t.pairs > 0 {
		pairs = fmt.Sprintf("%d of %d pairs of seeds (%.1f%%) differ", t.diffPairs, t.pairs, 100*float64(t.diffPairs)/float64(t.pairs))
	}
	fmt.Fprintf(w, "variety: %.2f different pictures per prompt of %s on average (two samples at a PSNR of %d dB or more against each other are one picture); %s\n",
		float64(t.pictures)/float64(n), plural.N(seeds, "seed", "seeds"), nearest.SamePictureDB, pairs)
	fmt.Fprintf(w, "memorisation: %d of %d samples (%.1f%%) are near-copies of their nearest dataset image (within %d dB PSNR, or within %.1f dB of the image tokenizer's own redrawing of it)\n",
		t.copies, t.total, 100*float64(t.copies)/float64(max(t.total, 1)), nearest.SamePictureDB, nearest.CopySlackDB)
	var dist []string
	for k := 1; k <= seeds; k++ {
		if t.hist[k] > 0 {
			dist = append(dist, fmt.Sprintf("%s gave %s", plural.N(t.hist[k], "prompt", "prompts"), plural.N(k, "picture", "pictures")))
		}
	}
	// "7 prompts gave 1 picture" read where "1 picture: 7
	// prompts" puzzled a newcomer.
	fmt.Fprintf(w, "distribution over the %s of each prompt: %s\n", plural.N(seeds, "seed", "seeds"), strings.Join(dist, ", "))
	if style != "" {
		fmt.Fprintf(w, "%d of %d samples (%.1f%%) are nearest to an image in %s style\n", t.styled, t.total, 100*float64(t.styled)/float64(max(t.total, 1)), style)
	}
}

// trimStyle is a caption's words without its trailing style ("fluent-flat"
// is the words "fluent flat"), joined by spaces; a caption that is only the
// style is kept.
func trimStyle(caption, style string) string {
	if base, st := prompt.SplitStyle(caption, []string{style}); st != "" && base != "" {
		return base
	}
	return prompt.Normalize(caption)
}

// warnSkipped warns on w that images of a dataset's cache could not be
// read (rep.Skipped), so that figures measured over the rest are not
// taken for the whole set's.
func warnSkipped(w io.Writer, rep data.Report) {
	if rep.Skipped == 0 {
		return
	}
	fmt.Fprintf(w, "warning: %s of the dataset could not be read and left out, so the figures are over the rest (a damaged cache: delete the folder of the files named below and run make data, which makes it again)\n",
		plural.N(rep.Skipped, "image", "images"))
	for _, p := range rep.Problems {
		fmt.Fprintln(w, "  skipped:", p)
	}
}

// column is s in a column width cells wide on a terminal: padded with
// spaces to width by its display width (a CJK character or an emoji takes
// two cells, a combining mark none: uniseg.StringWidth), or cut to fit with
// "…" when wider (a 340-word caption took its whole line, and the columns
// after a CJK caption went out of line).
func column(s string, width int) string {
	if w := uniseg.StringWidth(s); w <= width {
		return s + strings.Repeat(" ", width-w)
	}
	var b strings.Builder
	w := 0
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		cw := uniseg.StringWidth(g.Str())
		if w+cw > width-1 {
			break
		}
		b.WriteString(g.Str())
		w += cw
	}
	return b.String() + "…" + strings.Repeat(" ", width-1-w)
}

// dataPath is dataset kind as --json names it: a built-in's name, or a
// folder's absolute path (as given, "./pics" named no folder to a script
// run elsewhere).
func dataPath(kind string) string {
	if bundle.IsFolder(kind) {
		if abs, err := filepath.Abs(kind); err == nil {
			return abs
		}
	}
	return kind
}
