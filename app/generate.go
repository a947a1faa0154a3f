package app

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"io"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/edit"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/render"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/internal/plural"
	"github.com/tessera-studio/tessera/internal/progress"
)

// samplingFlags are the settings shared by the commands that sample.
type samplingFlags struct {
	knobFlags
	model          string
	batch, threads int
	precision      string
}

// register adds the sampling flags to fs, --batch included.
func (s *samplingFlags) register(fs *flag.FlagSet) {
	s.registerOne(fs)
	rangedIntVar(fs, &s.batch, "batch", 1, 1, 256, "images per run")
}

// registerOne adds the sampling flags but --batch, for a command that makes
// one image (extend) or sets its own batches (sheet, eval-prompts,
// eval-shapes); the batch stays 1.
func (s *samplingFlags) registerOne(fs *flag.FlagSet) {
	s.batch = 1
	fs.StringVar(&s.model, "model", "", "built-in model name or model folder (default: the embedded default model)")
	fs.StringVar(&s.Prompt, "prompt", "", "text prompt (text-conditioned models)")
	fs.StringVar(&s.Negative, "negative", "", "negative prompt, pushed away from with --guidance")
	s.knobFlags.register(fs, -1, false)
	rangedIntVar(fs, &s.threads, "threads", 0, 0, 1024, "worker threads (0 = all cores)")
	fs.StringVar(&s.precision, "precision", precAuto, precisionHelp)
}

// options turns the flags into sampler options for model b, picking a seed
// if needed; settings not given on the command line take the model's
// recommended defaults (config.json tessera.defaults). A knob given 0,
// which is read as not given, is a usage error (knobFlags.zeroGiven).
func (s *samplingFlags) options(b *bundle.Bundle) (sampler.Options, error) {
	if err := s.zeroGiven(b, b.Conditional()); err != nil {
		return sampler.Options{}, err
	}
	return sampler.Options{Settings: s.settings(b.Model.Config.Recommended(), b.Conditional()), Batch: s.batch, Workers: s.threads}, nil
}

// composedPromptUsage is generate's --prompt help: a prompt may be
// composed of sub-prompts (sampler.ComposeSyntax), which the help did not
// say.
const composedPromptUsage = "text prompt (text-conditioned models); a composed prompt joins sub-prompts with the word AND, each with an optional weight after a colon " +
	"(\"red square AND circle :0.5\"), and draws a picture of all of them at once (each pulls as guidance does, by its weight; a weight below 0 pushes away)"

// warnNegative warns on w of the words of opt's negative prompt that
// conditional model b does not know or cuts, and that a negative prompt
// does nothing at guidance 1 (generate's --negative; branch's, given or
// taken from the picture's record or A1111 text).
func warnNegative(w io.Writer, b *bundle.Bundle, opt sampler.Options) {
	if opt.Negative == "" {
		return
	}
	neg := b.PromptIDs(opt.Negative)
	warnWordsOf(w, "negative prompt", b.Prompt, neg.Unknown, neg.Cut)
	if opt.Guidance <= 1 {
		fmt.Fprintln(w, "warning: the negative prompt has no effect at guidance 1; pass --guidance above 1 (e.g. 2) to push away from it")
	}
}

// withSeed is s with seed (an image's own, in a batch).
func withSeed(s sampling.Settings, seed uint64) sampling.Settings {
	s.Seed = seed
	return s
}

// record is the PNG metadata of one generated image.
// An image drawn with its own prompt (a style per seed) records that
// prompt, which draws it again with its seed.
func record(b *bundle.Bundle, opt sampler.Options, im sampler.Image) pngmeta.Record {
	s := withSeed(opt.Settings, im.Seed)
	if im.Prompt != "" {
		s.Prompt = im.Prompt
	}
	return b.Record(pngmeta.VersionPrefix+" "+Version, s, im.Tokens)
}

// numberedPath returns PATH for a single image and PATH-i.png (1-based) in a batch.
func numberedPath(out string, i, batch int) string {
	if batch <= 1 {
		return out
	}
	ext := filepath.Ext(out)
	return fmt.Sprintf("%s-%d%s", strings.TrimSuffix(out, ext), i+1, ext)
}

// noteLeftover says on stderr that the file at path, which this run did
// not write, is left from an earlier run and is not what ("one of these 3
// images"): a batch's numbered files are read together, and an old one
// passes for this run's.
func noteLeftover(env Env, path, what string) {
	fmt.Fprintf(env.Stderr, "note: %s, left from an earlier run, is not %s\n", filepath.Base(path), what)
}

// progressPrinter draws a progress line (progress.Line) on w for a sampler
// run: "  44% [========>           ]  patch 28 / 64  812 tokens/s  ETA 0.3s".
// The rate and the ETA are measured from the first patch on: its event
// comes after the prompt's (an edit's source's) prefill, which would make
// the first estimate a multiple of the run (an edit of 2.7 s said "ETA
// 1m8s").
func progressPrinter(w io.Writer, batch int) func(sampler.Event) {
	var first time.Time
	firstStep := 0
	line := progress.NewLine(w, 100*time.Millisecond, 0)
	return func(e sampler.Event) {
		if e.Image != batch-1 {
			return
		}
		now := time.Now()
		if first.IsZero() {
			first, firstStep = now, e.Step
		}
		el, done := now.Sub(first).Seconds(), e.Step-firstStep
		text := fmt.Sprintf("patch %d / %d", e.Step, e.Steps)
		if done > 0 && el > 0 {
			rate := float64(done*batch) / el
			eta := time.Duration(float64(e.Steps-e.Step) / float64(done) * el * float64(time.Second))
			text += fmt.Sprintf("  %.0f tokens/s  ETA %s", rate, eta.Round(100*time.Millisecond))
		}
		line.Update(int64(e.Step), int64(e.Steps), text)
		if e.Step == e.Steps {
			line.Break()
		}
	}
}

func runGenerate(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "generate", "[--prompt TEXT] [--model M] [--seed N] [--out PATH.png] [flags]")
	var sf samplingFlags
	sf.register(fs)
	fs.Lookup("prompt").Usage = composedPromptUsage
	out := fs.String("out", "tessera.png", "output PNG (with --batch B: PATH-1.png … PATH-B.png)")
	scale := rangedInt(fs, "scale", 1, 1, 16, "upscale the saved PNG")
	smooth := fs.Bool("smooth", false, "upscale with Lanczos instead of nearest neighbour")
	clearBg := fs.Bool("transparent", false, transparentHelp)
	rank := fs.Bool("rank", false, "order a batch best first and print the scores (as the studio ranks: as the model recommends, else by the mean log-likelihood under the prompt; see --rank-by, which alone implies --rank)")
	rankBy := rankByFlag(fs)
	quiet := fs.Bool("quiet", false, "no progress bar")
	asJSON := fs.Bool("json", false, "list the images as JSON, one object a line (path, seed, prompt, style, mean log-likelihood; and the ranking's order and score where a ranked batch is ordered by prompt-gain or description, not likelihood: see --rank-by), instead of text")
	force := forceFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return helpOr(fs, err)
	}
	if *smooth && *scale == 1 {
		// Accepted and not used, without a word.
		fmt.Fprintln(env.Stderr, "note: --smooth chooses how --scale upscales; at --scale 1 there is nothing to upscale")
	}
	*rank = *rank || flagsSet(fs)["rank-by"] // an order asked for ranks
	hint := "the prompt goes in --prompt"
	if len(pos) > 0 && strings.EqualFold(filepath.Ext(pos[0]), ".png") {
		hint = fmt.Sprintf("the file to write goes in --out (--out %s)", pos[0]) // "extra.png" is no prompt
	}
	if err := noArguments(pos, hint); err != nil {
		return err
	}
	outs := numberedOuts(*out, sf.batch, false)
	if err := checkOuts("out", *out, outs, ".png", *force); err != nil {
		return err
	}
	b, err := openDrawingModel(logFor(env, *quiet), sf.model, sf.precision)
	if err != nil {
		return err
	}
	if err := checkModelScale(b, *scale); err != nil {
		return err
	}
	opt, err := sf.options(b)
	if err != nil {
		return err
	}
	if opt.Workers == 0 {
		opt.Workers = runtime.NumCPU()
	}
	if !b.Conditional() && (opt.Prompt != "" || opt.Negative != "") {
		fmt.Fprintf(env.Stderr, "warning: model %s is unconditional; the prompt is ignored\n", b.Name)
		opt.Prompt, opt.Negative = "", "" // not recorded either: the picture was drawn without it
	}
	if ext := b.Model.Config.Tessera; opt.StylePerSeed == 1 && (ext == nil || len(ext.StyleWords) == 0) {
		fmt.Fprintf(env.Stderr, "warning: model %s has no style words: --style-per-seed has no effect\n", b.Name)
	}
	var emit func(sampler.Event)
	if !*quiet {
		emit = progressPrinter(env.Stderr, opt.Batch)
	}
	if b.Conditional() && strings.TrimSpace(opt.Prompt) == "" && !flagsSet(fs)["prompt"] {
		// Forgetting --prompt is not asking for no prompt (--prompt "" is).
		fmt.Fprintf(env.Stderr, "note: no --prompt: a sample of model %s from no prompt at all%s\n", b.Name, examplePrompt(b))
	}
	if b.Conditional() {
		if err := checkComposed(env.Stderr, opt.Prompt); err != nil {
			return err
		}
		if err := checkPromptKnown(b, opt.Prompt, false); err != nil {
			return err
		}
		enc := sampler.EncodePrompt(b, opt.Prompt)
		warnWords(env.Stderr, b.Prompt, enc.Unknown, enc.Cut)
		if ext := b.Model.Config.Tessera; ext != nil {
			if named := prompt.StylesIn(opt.Prompt, ext.StyleWords); len(named) > 1 {
				fmt.Fprintf(env.Stderr, "warning: the prompt names %d styles (%s): model %s learnt one at a time and draws a blend of them; keep one\n", len(named), strings.Join(named, ", "), b.Name)
			}
		}
		warnNegative(env.Stderr, b, opt)
	}
	noteReplacing(env, "out", outs) // once the run is sure to start: a refused prompt replaced nothing
	res, err := sampler.Generate(ctx, b, opt, emit)
	if err != nil {
		return err
	}
	if res.Stopped {
		return errors.New("interrupted; nothing saved")
	}
	var given []string
	for _, f := range []string{"temperature", "top-k", "top-p", "guidance", "negative"} {
		if flagsSet(fs)[f] {
			given = append(given, "--"+f)
		}
	}
	return saveImages(ctx, env, b, opt, res.Images, saveOptions{out: *out, scale: *scale, smooth: *smooth, transparent: *clearBg, rank: *rank, rankBy: *rankBy, quiet: *quiet, json: *asJSON, given: given})
}

// examplePrompt suggests a prompt model b reads every word of ("" when
// none of a few common ones: the model's first name then), as a note's
// ending: ` (e.g. --prompt "cat face")`.
func examplePrompt(b *bundle.Bundle) string {
	candidates := []string{"cat face", "red circle", "rocket", "7", "seven"}
	if len(b.Names) > 0 {
		candidates = append(candidates, b.Names[0])
	}
	for _, c := range candidates {
		if enc := b.PromptIDs(c); len(enc.Unknown) == 0 && !enc.NoneKnown() {
			return fmt.Sprintf(" (e.g. --prompt %q)", c)
		}
	}
	return ""
}

// transparentHelp is the --transparent flag's help.
const transparentHelp = "make the white around the picture transparent in the PNG, for a sticker (white inside it stays; the edges fade out); a picture with no white around it (the mnist model draws on black) is written opaque, with a warning"

// scaledMetadata is the metadata of rec's picture, of size native, saved
// upscaled scale times (nearest neighbour, or Lanczos when smooth): said as
// the studio's Export says it, Size the file's beside the native size (it
// said Size: 64x64 of a 256×256 PNG).
func scaledMetadata(rec pngmeta.Record, native image.Point, scale int, smooth bool) map[string]string {
	if scale <= 1 {
		return pngmeta.Metadata(rec)
	}
	filter := pngmeta.FilterNearest
	if smooth {
		filter = pngmeta.FilterLanczos
	}
	return pngmeta.UpscaledMetadata(rec, native.X*scale, native.Y*scale, scale, filter)
}

// checkScale refuses, as a usage error before any sampling, a --scale
// that would save a picture of w×h native pixels larger than Tessera opens
// (codebook.TooLarge): score, extend and timelapse refused the PNG written
// (extend --scale 16 of a tall picture wrote 1024×39424 px). It names the
// largest --scale that fits and, when other is not "", the other way to a
// smaller picture ("--rows 250 or fewer").
func checkScale(scale, w, h int, other string) error {
	if !codebook.TooLarge(w*scale, h*scale) {
		return nil
	}
	var ways []string
	switch most := largestScale(w, h, scale); {
	case most > 1:
		ways = append(ways, fmt.Sprintf("--scale %d or less", most))
	case most == 1:
		ways = append(ways, "--scale 1")
	}
	if other != "" {
		ways = append(ways, other)
	}
	msg := fmt.Sprintf("--scale %d: the PNG would be %d×%d px, and %s", scale, w*scale, h*scale, codebook.LargestOpened())
	if len(ways) > 0 {
		msg += ": give " + strings.Join(ways, ", or ")
	}
	return usageError{msg}
}

// checkModelScale is checkScale for a picture of model b's size, as
// generate, branch and edit save theirs.
func checkModelScale(b *bundle.Bundle, scale int) error {
	w, h := b.ImageSize()
	return checkScale(scale, w, h, "")
}

// largestScale is the largest upscale below limit at which a picture of
// w×h pixels stays within what Tessera opens (codebook.TooLarge), 0 when
// none does.
func largestScale(w, h, limit int) int {
	for s := limit - 1; s >= 1; s-- {
		if !codebook.TooLarge(w*s, h*s) {
			return s
		}
	}
	return 0
}

// transparentPicture makes the white around pic transparent and records
// it in rec; pic is at the model's size, where an edge pixel is one pixel
// (the upscale after it carries the alpha). Where no white is around the
// picture (nothing became transparent) it returns pic as it is, records
// nothing and cleared is false: a record said "background transparent" of
// an opaque picture.
func transparentPicture(pic image.Image, rec *pngmeta.Record) (out image.Image, cleared bool) {
	clear := edit.TransparentBackground(pic)
	if clear.Opaque() {
		return pic, false
	}
	if rec.Extra == nil {
		rec.Extra = map[string]any{}
	}
	rec.Extra[pngmeta.ExtraTransparent] = true
	return clear, true
}

// opaqueTally gathers the files --transparent made nothing transparent in
// (transparentPicture), to warn of them once the files are written.
type opaqueTally struct {
	files []string
	dark  bool // every one of them drawn on a dark background (edit.DarkBorder)
}

// add counts the file at path, whose picture pic kept every pixel opaque.
func (o *opaqueTally) add(path string, pic image.Image) {
	o.dark = edit.DarkBorder(pic) && (o.dark || len(o.files) == 0)
	o.files = append(o.files, filepath.Base(path))
}

// warn says on w which files --transparent made nothing transparent in,
// and why: model (its name) draws on a dark background, or no white
// touches the picture's border.
func (o *opaqueTally) warn(w io.Writer, model string) {
	if len(o.files) == 0 {
		return
	}
	why := "no white touches the picture's border, and only the white around a picture is made transparent"
	if o.dark {
		why = fmt.Sprintf("model %s draws on a dark background, not white, and only the white around a picture is made transparent", model)
	}
	fmt.Fprintf(w, "warning: --transparent made nothing transparent in %s: %s; written opaque, with no transparent background recorded\n", fileList(o.files), why)
}

// saveOptions say how to write a run's images.
type saveOptions struct {
	out          string
	scale        int
	smooth, rank bool
	transparent  bool // the white around the picture made transparent
	rankBy       sampler.RankBy
	parent       string // the image a branch or edit came from
	kind         string // pngmeta.KindBranch for a branch: recorded with from as the patches kept
	from         int    // ranking scores the patches from this one on (a branch's kept prefix is not its own)
	quiet        bool   // no progress line while the batch is scored
	json         bool   // list the images as JSON lines (savedImage)
	// given are the knob flags given, for oneCodeNote ("--temperature").
	given  []string
	source []int // a branch's source codes: images equal to it are said to be
	// write saves one PNG (nil: pngmeta.WriteFileAtomic); a test puts a
	// failing one in its place.
	write func(path string, img image.Image, text map[string]string) error
}

// batchWriteError is the error of a batch of n files whose next one failed
// to be written (err, which names it) after those written were: it says
// how many were ("1 of 4 images written (b-1.png); write png b-2.png: no
// space left on device"), where a full disk failed the second file of a
// batch without a word of the first, listed above it. A batch of one
// fails with err alone.
func batchWriteError(written []string, n int, err error) error {
	switch {
	case n <= 1:
		return err
	case len(written) == 0:
		return fmt.Errorf("none of the %d images written; %w", n, err)
	}
	return fmt.Errorf("%d of %d images written (%s); %w", len(written), n, fileList(written), err)
}

// unsureNote says that the model drew file unsure in style, the style its
// prompt names (sampler.UnsureStyle): likely no picture of the name.
func unsureNote(file, prompt, style string, meanLogLik float64) string {
	return fmt.Sprintf("%s: the model drew %q unsure (%.2f bits a patch, where pictures it knows take under %.1f): it may not know that name in the %s style; without a style word (a style per seed) it draws the styles it knows",
		file, prompt, -meanLogLik/math.Ln2, sampler.UnsureBits/2, style)
}

// sameNotes says which images of a batch written to out (numberedPath) are
// the same picture as an earlier one of the batch, or as source (a
// branch's), with what varies them: a model that knows its pictures by
// heart draws them exactly at its recommended settings, and identical
// files were written without a word (the studio says so and draws again).
// opt are the settings that drew them (varyHint).
func sameNotes(out string, images []sampler.Image, source []int, opt sampler.Options) []string {
	var notes []string
	vary := varyHint(opt)
	var unchanged []string
	for i, im := range images {
		if source != nil && slices.Equal(im.Tokens, source) {
			unchanged = append(unchanged, filepath.Base(numberedPath(out, i, len(images))))
		}
	}
	if len(unchanged) > 0 {
		verb := "is"
		if len(unchanged) > 1 {
			verb = "are"
		}
		notes = append(notes, fmt.Sprintf("%s %s the source picture unchanged: at these settings the model draws its patches again exactly (%s)",
			strings.Join(unchanged, ", "), verb, vary))
	}
	// Each repeated picture once, with the images that repeat it: a batch
	// of 64 said 58 lines.
	repeats := map[int][]string{} // by the first image of a picture
	var firsts []int
	total := 0
	for i, im := range images {
		if source != nil && slices.Equal(im.Tokens, source) {
			continue // said above
		}
		for j := 0; j < i; j++ {
			if slices.Equal(im.Tokens, images[j].Tokens) {
				if _, ok := repeats[j]; !ok {
					firsts = append(firsts, j)
				}
				repeats[j] = append(repeats[j], filepath.Base(numberedPath(out, i, len(images))))
				total++
				break
			}
		}
	}
	if len(firsts) > maxRepeatNotes {
		distinct := map[string]bool{}
		for _, im := range images {
			distinct[fmt.Sprint(im.Tokens)] = true
		}
		return append(notes, fmt.Sprintf("%d of the %d images repeat earlier ones of the batch: %d different pictures (%s)", total, len(images), len(distinct), vary))
	}
	for _, j := range firsts {
		names, verb := repeats[j], "is"
		if len(names) > 1 {
			verb = "are"
		}
		notes = append(notes, fmt.Sprintf("%s %s the same picture as %s (%s)",
			strings.Join(names, ", "), verb, filepath.Base(numberedPath(out, j, len(images))), vary))
	}
	return notes
}

// oneCodeNote says that the knob flags given changed nothing, where
// guidance min-p left one code at every patch the run sampled (they act
// on the codes left to draw from): a user saw --temperature 2, --top-k 1
// and --negative red give the picture of the defaults without a word.
func oneCodeNote(images []sampler.Image, opt sampler.Options, given []string) string {
	if len(given) == 0 || opt.GuidanceMinP <= 0 || opt.GuidanceMinP >= 1 {
		return ""
	}
	if len(images) == 0 {
		return ""
	}
	for _, im := range images {
		if !im.OneCode() {
			return ""
		}
	}
	verb := "changes"
	if len(given) > 1 {
		verb = "change"
	}
	return fmt.Sprintf("%s %s nothing here: at --guidance-min-p %g only codes at least %g times as likely as the likeliest are drawn, and the model left one at every patch; --guidance-min-p 0 lets them act",
		plural.And(given), verb, opt.GuidanceMinP, opt.GuidanceMinP)
}

// maxRepeatNotes is the most pictures of a batch said repeated one by one
// (sameNotes); more are said in one line.
const maxRepeatNotes = 3

// varyHint says which setting would vary pictures drawn alike with opt:
// under guidance min-p (sampling.Settings.MinPLimitsVariety) more
// --temperature changes nothing (the hint said it would).
func varyHint(opt sampler.Options) string {
	if opt.MinPLimitsVariety() {
		return fmt.Sprintf("a lower --guidance-min-p (0 is off) or --guidance 1 varies it: at --guidance-min-p %g only codes at least %g times as likely as the likeliest are drawn, whatever the --temperature", opt.GuidanceMinP, opt.GuidanceMinP)
	}
	return "more --temperature or less --guidance varies it"
}

// changesFirst moves the images whose codes are source's after the others,
// each group keeping its order, with their scores (nil: none), in place
// (sampler.OrderImages), and returns them.
func changesFirst(images []sampler.Image, scores []float64, source []int) ([]sampler.Image, []float64) {
	same := make([]bool, len(images))
	for i, im := range images {
		same[i] = slices.Equal(im.Tokens, source)
	}
	sampler.OrderImages(images, scores, func(a, b int) bool { return !same[a] && same[b] })
	return images, scores
}

// savedImage is the JSON line of a written image (generate and branch
// --json).
type savedImage struct {
	Path   string `json:"path"`
	Seed   uint64 `json:"seed"`
	Prompt string `json:"prompt"`
	// Style is the style the image's seed drew (a style per seed), "" for none.
	Style string `json:"style,omitempty"`
	// MeanLogLik is the mean log-likelihood of the codes the run drew under
	// the prompt (sampler.Image.MeanLogLik), nats per code: a branch's from
	// patch At on (score gives the whole image's).
	MeanLogLik float64 `json:"mean_loglik_nats_per_token"`
	// ScoredUnder is, for a composed Prompt, the sub-prompt MeanLogLik is
	// under: its first, as score gives it (firstSubPrompt).
	ScoredUnder string `json:"scored_under,omitempty"`
	// At is a branch's first patch drawn (--at: the patches before it are
	// the source's), absent for generate.
	At int `json:"at,omitempty"`
	// RankBy and Score are the ranking's order and this image's score in
	// it (nats per code), when the batch was ranked by a score of its own.
	RankBy string   `json:"rank_by,omitempty"`
	Score  *float64 `json:"score_nats_per_token,omitempty"`
	// Unchanged marks a branch's candidate that gives the source picture
	// back code for code (listed after the others).
	Unchanged bool `json:"unchanged,omitempty"`
	// Temperature and Guidance are those the image was drawn at, as its
	// record keeps them: a branch whose candidates all gave the source back
	// draws again hotter and with less guidance (said on stderr only).
	Temperature float64 `json:"temperature"`
	Guidance    float64 `json:"guidance"`
}

// saveImages writes each image as a PNG with its metadata (PATH-i.png in a
// batch), optionally ranked as the studio ranks a batch (sampler.RankBatch,
// the score recorded as the studio records it), and lists them.
func saveImages(ctx context.Context, env Env, b *bundle.Bundle, opt sampler.Options, images []sampler.Image, so saveOptions) error {
	var scores []float64
	var interrupted error // Ctrl-C during the ranking: said once the images are saved
	so.rankBy = rankOrder(so.rankBy, b, opt.Prompt)
	if so.rank {
		var err error
		var told sampler.RankProgress
		line := progress.NewLine(env.Stderr, 0, 0)
		if !so.quiet && so.rankBy != sampler.RankLikelihood {
			// a second or more an image: a progress line, as the studio's bar
			told = func(done, total int) {
				line.Update(int64(done), int64(total), so.rankBy.Progress(done, total))
			}
		}
		scores, err = sampler.RankBatchReporting(ctx, b, opt.Prompt, images, so.from, opt.Workers, so.rankBy, told)
		line.Break() // done, or stopped part way: what follows starts a line of its own
		if err != nil {
			// The images are made: rank them by what needs no scoring
			// rather than lose them (also when Ctrl-C stopped the ranking:
			// the run then ends as interrupted, once they are saved).
			if ctx.Err() != nil {
				interrupted = fmt.Errorf("interrupted while ranking the batch by %s: the %d images are saved ranked by likelihood", so.rankBy, len(images))
			} else {
				fmt.Fprintf(env.Stderr, "warning: could not rank the batch by %s (%v); ranked by likelihood instead\n", so.rankBy, err)
			}
			so.rankBy = sampler.RankLikelihood
			scores, _ = sampler.RankBatch(context.WithoutCancel(ctx), b, opt.Prompt, images, so.from, opt.Workers, so.rankBy)
		}
	}
	if so.source != nil {
		// Changes first, then best first (ranked) or in seed order, as the
		// studio orders a branch's candidates: one that gives the source
		// back is no alternative (branch listed such copies first).
		images, scores = changesFirst(images, scores, so.source)
	}
	// a score of its own beside the likelihood (prompt gain, description margin)
	own := so.rank && so.rankBy.RecordKey() != ""
	var unsure []string // notes on samples the model drew unsure in a style the prompt names
	write := so.write
	if write == nil {
		write = pngmeta.WriteFileAtomic
	}
	var written []string
	var opaque opaqueTally
	for i, im := range images {
		path := numberedPath(so.out, i, len(images))
		var pic image.Image = b.Decode(im.Tokens)
		rec := record(b, opt, im)
		rec.Parent = so.parent
		if own || so.kind != "" || opt.PatchTemperature != nil {
			rec.Extra = map[string]any{}
		}
		if opt.PatchTemperature != nil {
			// The painted temperatures it drew with (a branch of a
			// temperature-brushed picture), kept as the studio keeps
			// them: a branch of this one draws them again.
			rec.Extra[pngmeta.ExtraPatchTemperature] = opt.PatchTemperature
		}
		if own {
			rec.Extra[so.rankBy.RecordKey()] = scores[i]
		}
		if so.kind != "" {
			rec.Extra[pngmeta.ExtraKind] = so.kind
			if so.kind == pngmeta.KindBranch {
				rec.Extra[pngmeta.ExtraAt] = so.from
			}
		}
		if so.transparent {
			var cleared bool
			if pic, cleared = transparentPicture(pic, &rec); !cleared {
				opaque.add(path, pic)
			}
		}
		meta := scaledMetadata(rec, pic.Bounds().Size(), so.scale, so.smooth)
		pic = render.Upscale(pic, so.scale, so.smooth)
		if err := write(path, pic, meta); err != nil {
			return batchWriteError(written, len(images), err)
		}
		written = append(written, path)
		if st := sampler.UnsureStyle(b, opt.Prompt, im.MeanLogLik(), opt.Temperature); st != "" && so.source == nil {
			unsure = append(unsure, unsureNote(filepath.Base(path), rec.Prompt, st, im.MeanLogLik()))
		}
		if so.json {
			line := savedImage{Path: path, Seed: im.Seed, Prompt: rec.Prompt, Style: sampler.DrawnStyle(b, im), MeanLogLik: im.MeanLogLik(), ScoredUnder: firstSubPrompt(rec.Prompt), Unchanged: so.source != nil && slices.Equal(im.Tokens, so.source),
				Temperature: rec.Temperature, Guidance: rec.Guidance}
			if so.source != nil {
				line.At = so.from
			}
			if own {
				line.RankBy, line.Score = string(so.rankBy), &scores[i]
			}
			if err := json.NewEncoder(env.Stdout).Encode(line); err != nil {
				return err
			}
			continue
		}
		style := ""
		if st := sampler.DrawnStyle(b, im); st != "" {
			style = "\tstyle " + st
		}
		switch {
		case own:
			fmt.Fprintf(env.Stdout, "%s\tseed %d\t%s %s nats/token\tmean log-likelihood %.4f nats/token (%.4f bits/token)%s\n", path, im.Seed, so.rankBy.ScoreName(), signed4(scores[i]), im.MeanLogLik(), -im.MeanLogLik()/math.Ln2, style)
		case so.rank:
			fmt.Fprintf(env.Stdout, "%s\tseed %d\tmean log-likelihood %.4f nats/token (%.4f bits/token)%s\n", path, im.Seed, im.MeanLogLik(), -im.MeanLogLik()/math.Ln2, style)
		default:
			fmt.Fprintf(env.Stdout, "%s\tseed %d%s\n", path, im.Seed, style)
		}
	}
	// Said once every file is written (a failed write names none).
	opaque.warn(env.Stderr, b.Name)
	notes := sameNotes(so.out, images, so.source, opt)
	if n := oneCodeNote(images, opt, so.given); n != "" {
		notes = append(notes, n)
	}
	for _, n := range append(notes, unsure...) {
		fmt.Fprintln(env.Stderr, "note: "+n)
	}
	if len(images) > 1 {
		// A larger batch's files before this one's: a glob of PATH-*.png
		// picked the old PATH-4.png up with a new batch of three.
		if next := numberedPath(so.out, len(images), len(images)+1); fileExists(next) {
			noteLeftover(env, next, fmt.Sprintf("one of these %d images", len(images)))
		}
	}
	return interrupted
}
