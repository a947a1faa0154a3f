package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/internal/plural"
	"github.com/tessera-studio/tessera/internal/progress"
)

// describeEntry is one ranked prompt in describe --json.
type describeEntry struct {
	Rank         int     `json:"rank"`
	Prompt       string  `json:"prompt"`
	BitsPerToken float64 `json:"bits_per_token"`
	NLLNats      float64 `json:"nll_nats"`
	// GainBits is how much likelier the image is under this prompt than
	// under none, in bits per token (the unconditional bits per token minus
	// this prompt's).
	GainBits float64 `json:"gain_bits_per_token"`
	// Posterior is p(prompt | image) under a uniform prior over the
	// candidates scored: the softmax of −NLL over the prompts within
	// sampler.PosteriorWindow (10 nats) of the best, all scored in full, so
	// it is the same whatever --top (sampler.Posteriors). The emoji
	// model's two-stage ranking scores the styles of the likeliest names
	// only (--shortlist), so --all, which scores every name × style, may
	// give other probabilities.
	Posterior float64 `json:"posterior"`
}

// describeOutput is describe --json's object.
type describeOutput struct {
	Image           string `json:"image"`
	Model           string `json:"model"`
	Tokens          int    `json:"tokens"`
	TokenSource     string `json:"token_source"` // "metadata" or "pixels"
	Candidates      int    `json:"candidates"`
	CandidateSource string `json:"candidate_source"`
	// SkippedUnknown counts candidates left out for words the model does
	// not know or that do not fit its prompt length.
	SkippedUnknown int `json:"skipped_unknown"`
	// NamesRankedAlone is how many names a two-stage ranking scored
	// without a style word first (0: one stage); Unscored the candidates
	// not scored (their names ranked below the shortlist); ScoredInFull
	// and RuledOut the prompts of the last stage, a name's common name's
	// standing for its own (sampler.Ranked.InFull, RuledOut).
	NamesRankedAlone int `json:"names_ranked_alone"`
	Unscored         int `json:"unscored"`
	ScoredInFull     int `json:"scored_in_full"`
	RuledOut         int `json:"ruled_out"`
	// MarginBits is the second prompt's bits per token minus the first's
	// (the second name's likeliest prompt where each name is listed
	// once); MarginNats the same in nats over the whole image.
	MarginBits float64 `json:"margin_bits_per_token"`
	MarginNats float64 `json:"margin_nats"`
	Uncond     float64 `json:"unconditional_bits_per_token"`
	// Unexplained is set when the image is unlike what the model draws
	// (sampler.Unexplained): the ranking then means little.
	Unexplained bool `json:"unexplained"`
	// DrawnBits, where measured, is what the model's own pictures of the
	// likeliest prompt cost it (sampler.DrawnBits): measured when no prompt
	// makes the image much likelier than none, and an image no dearer is
	// not unexplained.
	DrawnBits *float64        `json:"drawn_bits_per_token,omitempty"`
	Seconds   float64         `json:"seconds"`
	Top       []describeEntry `json:"top"`
}

// describeCandidates picks the prompts describe ranks and says where they
// came from: the lines of file when given (promptFileCandidates; lines
// then counts the file's lines each stands for), else the model's default
// candidates (sampler.DescribeCandidates: the shapes captions, emoji names ×
// styles, or vocabulary words × styles).
func describeCandidates(ctx context.Context, b *bundle.Bundle, file string, warn io.Writer) (c sampler.Candidates, lines map[string]int, err error) {
	if file != "" {
		prompts, lines, err := promptFileCandidates(b, file, warn)
		if err != nil {
			return sampler.Candidates{}, nil, err
		}
		return sampler.Candidates{Prompts: prompts, Source: file}, lines, nil
	}
	c, err = sampler.DescribeCandidates(ctx, b, "")
	if err != nil {
		return sampler.Candidates{}, nil, fmt.Errorf("candidate prompts: %w", err)
	}
	warnUnusableNames(warn, b, c)
	return c, nil, nil
}

// promptFileCandidates reads the prompts of file (readTextLines) as
// candidates for model b: a line that b reads as the same words as an
// earlier one ("A RED CIRCLE" and "a red circle", and a repeat) is merged
// into it, keeping the first spelling (both were ranked, with the same
// score). lines counts the file's lines each prompt stands for, so that
// a warning counts lines as the file shows them.
func promptFileCandidates(b *bundle.Bundle, file string, warn io.Writer) (prompts []string, lines map[string]int, err error) {
	all, err := readTextLines(file, "prompts", warn)
	if err != nil {
		return nil, nil, err
	}
	if len(all) == 0 {
		return nil, nil, fmt.Errorf("prompts: %s holds no prompts", file)
	}
	lines = map[string]int{}
	first := map[string]string{} // by the words b reads: the prompt kept
	for _, line := range all {
		key := "\x00" + line // a prompt b does not read as written (left out) is merged only with its repeats
		if enc := b.PromptIDs(line); len(enc.Unknown) == 0 && len(enc.Cut) == 0 && len(enc.IDs) > 0 {
			key = fmt.Sprint(enc.IDs)
		}
		kept, seen := first[key]
		if !seen {
			kept, first[key] = line, line
			prompts = append(prompts, line)
		}
		lines[kept]++
	}
	return prompts, lines, nil
}

// warnUnusableNames warns on w of the names of b's names.txt that c left
// out for words b does not know: how many, of which file, an example and
// its unknown words, and, where none was usable, what is ranked instead
// (a names.txt of other words fell back to the vocabulary's 1849 prompts
// without a word, and took 50 times as long).
func warnUnusableNames(w io.Writer, b *bundle.Bundle, c sampler.Candidates) {
	if len(c.Unusable) == 0 || w == nil {
		return
	}
	file := fmt.Sprintf("model %s's names", b.Name)
	if !strings.HasPrefix(b.Source, "builtin:") {
		file = filepath.Join(b.Source, bundle.NamesFile)
	}
	example := c.Unusable[0]
	why := fmt.Sprintf("words model %s does not know (e.g. %q: %s)", b.Name, clipExample(example), quoteFew(distinct(b.PromptIDs(example).Unknown), 4))
	if len(c.Unusable) == len(b.Names) {
		fmt.Fprintf(w, "warning: none of the %s in %s can be a candidate prompt: each has %s; describe ranks %s instead\n",
			plural.N(len(b.Names), "name", "names"), file, why, c.Source)
		return
	}
	fmt.Fprintf(w, "warning: left out %d of the %d names in %s, with %s\n", len(c.Unusable), len(b.Names), file, why)
}

// exampleRunes is the longest example a warning quotes whole.
const exampleRunes = 60

// clipExample is s cut to exampleRunes runes with "…" added when longer:
// an example in a warning line, which a line of a binary file read as text
// would otherwise fill with hundreds of characters.
func clipExample(s string) string {
	if r := []rune(s); len(r) > exampleRunes {
		return string(r[:exampleRunes-1]) + "…"
	}
	return s
}

// readPromptLines reads one prompt per line, skipping blank lines, lines
// starting with '#', and repeats. The file may start with a byte-order mark,
// use CRLF line breaks or be UTF-16 or Windows-1252 (data.DecodeText; warn
// gets a note for the last).
func readPromptLines(path string, warn io.Writer) ([]string, error) {
	lines, err := readTextLines(path, "prompts", warn)
	if err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	for _, line := range lines {
		if !seen[line] {
			seen[line] = true
			out = append(out, line)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("prompts: %s holds no prompts", path)
	}
	return out, nil
}

// missingFile is an error that says a file is not there in its own words
// (fs.ErrNotExist's "file does not exist" after them said it twice) and is
// fs.ErrNotExist to errors.Is.
type missingFile string

func (m missingFile) Error() string { return string(m) }
func (m missingFile) Unwrap() error { return fs.ErrNotExist }

// maxListFile is the largest list of prompts or names read (bytes).
const maxListFile = 16 << 20

// readTextLines reads a list file people write: its lines, trimmed, without
// blank lines and lines starting with '#', and without what follows a tab
// on a line (bundle.ParseNames: a model's names.txt, whose second column is
// the emoji a name stands for, is such a list too); the text decoded as
// data.DecodeText decodes it (warn, when set, hears of a Windows-1252
// guess). what names the list in errors ("prompts", "names").
func readTextLines(path, what string, warn io.Writer) ([]string, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, missingFile(fmt.Sprintf("%s: there is no file %s", what, path))
	case err != nil:
		return nil, fmt.Errorf("%s: %w", what, err)
	case fi.IsDir():
		return nil, fmt.Errorf("%s: %s is a folder, not a file of one entry a line", what, path)
	case fi.Size() > maxListFile:
		return nil, fmt.Errorf("%s: %s is %d MB, more than a list of %s can be (%d MB)", what, path, fi.Size()>>20, what, maxListFile>>20)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if mime := http.DetectContentType(raw); strings.HasPrefix(mime, "image/") || mime == "application/pdf" || mime == "application/zip" {
		// An image given for the list ("sheet --prompts base.png") was
		// read as Windows-1252 text and its bytes drawn as a prompt.
		return nil, fmt.Errorf("%s: %s is a file of type %s, not a text file of one entry a line", what, path, mime)
	}
	text, guess, err := data.DecodeText(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", what, path, err)
	}
	if guess != "" && warn != nil {
		fmt.Fprintf(warn, "warning: %s is not UTF-8: read as %s\n", path, guess)
	}
	return bundle.ParseNames([]byte(text)), nil
}

func runDescribe(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "describe", "[--model M] [--top N] [--prompts FILE] [--all] [--json] IMAGE...")
	modelName := fs.String("model", "", "built-in model name or model folder (a text-conditioned model)")
	top := rangedInt(fs, "top", 5, 1, 100000, "how many of the likeliest prompts to show")
	promptsFile := fs.String("prompts", "", "candidate prompts, one per line (blank lines and lines starting with # are skipped; lines the model reads as the same words, such as \"A RED CIRCLE\" and \"a red circle\", are ranked once, as the first is written); "+
		"default: the shapes captions for a shapes model, the MNIST captions for a digits model, the model's names (its names.txt: "+
		"the built-in emoji model's emoji names, a folder model's captions) × its style words, emoji names × styles for a model with style words (when the emoji data is in the cache), "+
		"else the model's vocabulary words (and pairs of them when it has at most 64) × its style words")
	exhaustive := fs.Bool("all", false, "score every candidate in full, in one stage (by default, candidates whose first codes already rule them out of the top are not scored further, which keeps the same top, and emoji names × styles are ranked in two stages, see --shortlist)")
	shortlist := rangedInt(fs, "shortlist", sampler.NameShortlist, 0, 100000, "names × styles (the emoji model's candidates): rank every name alone first, then every style of this many of the likeliest names, each listed once (default: 16, or --top where more; 0 = one stage: every name × style, about 6× the work)")
	asJSON := fs.Bool("json", false, "print one JSON object a line per image: image, model, tokens (how many codes), token_source (metadata or pixels), candidates, candidate_source, seconds, unexplained, drawn_bits_per_token (what the model's own pictures of the likeliest prompt cost, where measured: when no prompt makes the image much likelier than none), margin_bits_per_token, margin_nats, unconditional_bits_per_token, top (a list of rank, prompt, bits_per_token, nll_nats, and where measured gain_bits_per_token and posterior), skipped_unknown and the two-stage ranking's counts (names_ranked_alone, unscored, scored_in_full, ruled_out); an image that cannot be read: {\"image\", \"error\"}")
	threads := rangedInt(fs, "threads", 0, 0, 1024, "worker threads (0 = all cores)")
	quiet := fs.Bool("quiet", false, "no progress line")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the whole command (loading included) to this file (for go tool pprof)")
	images, err := parseFlags(fs, args)
	if err != nil {
		return helpOr(fs, err)
	}
	if len(images) == 0 {
		return usageError{"give one or more images to describe"}
	}
	if !flagsSet(fs)["shortlist"] && *top > *shortlist {
		// The default shortlist would cap a longer list at its 16 names
		// (each name is listed once): the list asked for is filled.
		*shortlist = *top
	}
	stopProfile, err := startCPUProfile(*profile, images...)
	if err != nil {
		return err
	}
	defer stopProfile()
	// The model: --model, else the one the images record (each its own
	// where they record different ones), as score picks it.
	models := newImageModels(env.Stderr, *modelName, "f32", true, images)
	describers := map[*bundle.Bundle]*describer{} // a model's candidates are made once
	failed := 0
	for i, path := range images {
		if ctx.Err() != nil {
			return describeInterrupted(i-failed, len(images))
		}
		b, ok, err := models.forImage(env, "describe", path, *asJSON)
		if err != nil {
			return err
		}
		if !ok {
			failed++
			continue
		}
		d := describers[b]
		if d == nil {
			if !b.Conditional() {
				return fmt.Errorf("model %s takes no prompt; describe ranks prompts by how likely they make the image", b.Name)
			}
			cands, lines, err := describeCandidates(ctx, b, *promptsFile, env.Stderr)
			if err != nil {
				if ctx.Err() != nil {
					return describeInterrupted(i-failed, len(images))
				}
				return err
			}
			d = &describer{env: env, b: b, cands: cands, top: *top, exhaustive: *exhaustive, shortlist: *shortlist, asJSON: *asJSON, threads: *threads, quiet: *quiet, promptsFile: *promptsFile, promptLines: lines}
			describers[b] = d
		}
		if err := d.describe(ctx, path); err != nil {
			if ctx.Err() != nil { // Ctrl-C: said plainly, not "describe X: context canceled"
				return describeInterrupted(i-failed, len(images))
			}
			if len(images) == 1 && !*asJSON { // said plainly; with --json, a line of its own as for several
				return err
			}
			reportImageError(env, "describe", path, err, *asJSON)
			failed++
		}
	}
	if failed > 0 {
		return notAll(failed, len(images), "described")
	}
	return nil
}

// describeInterrupted is what describe says when a signal stopped it
// after done of total images (their rankings printed).
func describeInterrupted(done, total int) error {
	if done == 0 {
		return errors.New("interrupted before an image was described")
	}
	return fmt.Errorf("interrupted: %d of %d images described (their rankings are above)", done, total)
}

// describer ranks the candidate prompts of one model for image after image
// (describe).
type describer struct {
	env                             Env
	b                               *bundle.Bundle
	cands                           sampler.Candidates
	top, shortlist, threads         int
	exhaustive, asJSON, quiet, told bool
	toldShortlist                   bool
	promptsFile                     string
	// promptLines counts the lines of promptsFile each candidate stands
	// for (promptFileCandidates; nil without --prompts).
	promptLines map[string]int
	// drawn keeps sampler.DrawnBits by prompt: the same four pictures are
	// not drawn again for each image whose likeliest prompt it is.
	drawn map[string]float64
}

// drawnBits is sampler.DrawnBits of prompt, drawn once a run.
func (d *describer) drawnBits(ctx context.Context, prompt string) (float64, error) {
	if bits, ok := d.drawn[prompt]; ok {
		return bits, nil
	}
	bits, err := sampler.DrawnBits(ctx, d.b, prompt, 1, d.threads)
	if err != nil {
		return 0, err
	}
	if d.drawn == nil {
		d.drawn = map[string]float64{}
	}
	d.drawn[prompt] = bits
	return bits, nil
}

// fileLines is how many lines of --prompts the prompts stand for.
func (d *describer) fileLines(prompts []string) int {
	n := 0
	for _, p := range prompts {
		n += max(d.promptLines[p], 1)
	}
	return n
}

// describe ranks the candidates for the image at path and prints the top.
func (d *describer) describe(ctx context.Context, path string) error {
	env, b, cands := d.env, d.b, d.cands
	tokens, _, stored, err := imageTokens(b, path, env.Stderr)
	if err != nil {
		return err
	}
	opt := sampler.RankOptions{Workers: d.threads, Shortlist: d.shortlist, Window: sampler.PosteriorWindow} // p below
	if d.shortlist == 0 {
		opt.Shortlist = -1
	}
	if !d.exhaustive {
		opt.Top = d.top + 1 // one more for the margin
	}
	var done func()
	if !d.asJSON && !d.quiet {
		opt.Progress, done = progress.Counter(env.Stderr, "scoring prompts")
	}
	start := time.Now()
	res, err := sampler.RankCandidates(ctx, b, cands, tokens, opt)
	if done != nil {
		done()
	}
	// A prompt with unknown or cut words would be scored as another prompt
	// (said once: the candidates are the same for every image).
	if skipped := res.Skipped; len(skipped) > 0 && !d.told && d.promptsFile != "" {
		fmt.Fprintf(env.Stderr, "warning: left out %d of %d candidate prompts of %s with words model %s does not know or that do not fit its prompts of up to %s (e.g. %q)\n",
			d.fileLines(skipped), d.fileLines(cands.Prompts), d.promptsFile, b.Name, plural.N(b.Model.Config.PromptLength(), "word", "words"), clipExample(skipped[0]))
		d.told = true
	} else if len(skipped) > 0 && !d.told {
		fmt.Fprintf(env.Stderr, "note: %d of the %d candidate prompts made from the model's words do not fit its prompts of up to %s and were left out (e.g. %q)\n",
			len(skipped), len(cands.Prompts), plural.N(b.Model.Config.PromptLength(), "word", "words"), skipped[0])
		d.told = true
	}
	if err != nil {
		return fmt.Errorf("describe %s: %w", path, err)
	}
	ranked := res.Scores
	d.noteShortlist(res, len(ranked))
	uncond, err := sampler.ScoreTokens(ctx, b, "", tokens, d.threads)
	if err != nil {
		return fmt.Errorf("describe %s: %w", path, err)
	}
	seconds := time.Since(start).Seconds()
	post := sampler.Posteriors(ranked)
	out := describeOutput{
		Image: path, Model: b.Name, Tokens: len(tokens), TokenSource: "pixels", Candidates: res.Usable, CandidateSource: cands.Source,
		SkippedUnknown: len(res.Skipped), NamesRankedAlone: res.Names, Unscored: res.Unscored, Uncond: uncond.BitsPerToken(), Seconds: seconds,
	}
	if stored {
		out.TokenSource = "metadata"
	}
	out.ScoredInFull, out.RuledOut = res.InFull, res.RuledOut
	for i, r := range ranked {
		if r.Bound {
			continue
		}
		if i < d.top {
			out.Top = append(out.Top, describeEntry{Rank: i + 1, Prompt: r.Prompt, BitsPerToken: r.BitsPerToken(), NLLNats: r.NLL,
				GainBits: uncond.BitsPerToken() - r.BitsPerToken(), Posterior: post[i]})
		}
	}
	if len(ranked) > 1 {
		out.MarginBits = ranked[1].BitsPerToken() - ranked[0].BitsPerToken()
		out.MarginNats = ranked[1].NLL - ranked[0].NLL
	}
	drawn := math.NaN()
	if len(out.Top) > 0 && d.promptsFile == "" && sampler.NeedsDrawnBits(out.Top[0].BitsPerToken, out.Uncond, b.Codes(), len(tokens)) {
		// Hardly likelier under any prompt than under none: the model's
		// own pictures of the likeliest say whether it is unlike them.
		// (Not of a list of the user's, which may just not hold the
		// image's prompt: the note below says so.)
		if drawn, err = d.drawnBits(ctx, out.Top[0].Prompt); err != nil {
			return fmt.Errorf("describe %s: %w", path, err)
		}
		out.DrawnBits = &drawn
	}
	out.Unexplained = len(out.Top) > 0 && sampler.UnexplainedBeside(out.Top[0].BitsPerToken, out.Uncond, drawn, b.Codes(), len(tokens))
	if d.asJSON {
		return json.NewEncoder(env.Stdout).Encode(out)
	}
	how := fmt.Sprintf("%d scored in full, %d ruled out early", out.ScoredInFull, out.RuledOut)
	if res.Names > 0 {
		// Said in the order it happens: the counts after the names are
		// the styled candidates', which alone read as if the names had
		// not been scored.
		how = fmt.Sprintf("the %d names ranked alone first, then the styles of the likeliest %d: %d candidates scored in full, %d ruled out early, %d not scored; each name listed once, in its likeliest style",
			res.Names, opt.Shortlist, out.ScoredInFull, out.RuledOut, res.Unscored)
	}
	fmt.Fprintf(env.Stdout, "%s under %s: %s (%s); %s; %.1f s\n",
		path, b.Name, plural.N(out.Candidates, "candidate prompt", "candidate prompts"), cands.Source, how, seconds)
	for _, e := range out.Top {
		// The gain in bits per token over no prompt, as the JSON's
		// gain_bits_per_token: above zero, the prompt makes the image
		// likelier than no prompt.
		fmt.Fprintf(env.Stdout, "%3d  %8.4f bits/token  gain %8s over no prompt  p %.3g  %s\n", e.Rank, e.BitsPerToken, signed4(e.GainBits), e.Posterior, e.Prompt)
	}
	switch {
	case out.Unexplained && d.promptsFile != "" && len(out.Top) > 0 && out.Top[0].BitsPerToken <= math.Log2(float64(b.Codes())):
		// The list is the user's: it may just not hold the image's prompt
		// (the model's own picture of a rocket, against "cat face" alone).
		// An image dearer than a uniform guess is unlike the model's
		// pictures whatever the list (the note below).
		fmt.Fprintf(env.Stderr, "note: none of the prompts of %s explains %s better than no prompt by much (e times as likely), so the ranking means little: the list may not hold what it shows (without --prompts, describe ranks the prompts model %s offers)\n",
			d.promptsFile, path, b.Name)
	case !out.Unexplained && out.DrawnBits != nil:
		fmt.Fprintf(env.Stderr, "note: no prompt makes %s much likelier than no prompt does, but under %q it costs no more than model %s's own pictures of it (%.3f against up to %.3f bits/token), so it is like what the model draws\n",
			path, out.Top[0].Prompt, b.Name, out.Top[0].BitsPerToken, *out.DrawnBits)
	case out.Unexplained:
		// Named: with several images the note went unattributed.
		fmt.Fprintf(env.Stderr, "note: %s is unlike what model %s draws: even its likeliest prompt explains it hardly better than no prompt (less than e times as likely) and it costs more than the model's own pictures of that prompt, or it costs more than a uniform guess among its %d codes (%.1f bits), so the ranking means little\n",
			path, b.Name, b.Codes(), math.Log2(float64(b.Codes())))
	}
	if len(ranked) > 1 {
		fmt.Fprintf(env.Stdout, "margin: %q beats %q by %.4f bits/token (%.3f nats over %d codes); no prompt: %.4f bits/token\n",
			ranked[0].Prompt, ranked[1].Prompt, out.MarginBits, out.MarginNats, len(tokens), out.Uncond)
	}
	return nil
}

// noteShortlist says once, on stderr, that an explicit --shortlist below
// --top (or of one name, which leaves no margin) capped a two-stage
// ranking's list at the names whose styles were ranked, each listed once,
// and which --shortlist lists them all; listed is how many the ranking
// gave.
func (d *describer) noteShortlist(res sampler.Ranked, listed int) {
	if d.toldShortlist || res.Names == 0 || d.shortlist == 0 || listed > d.top {
		return
	}
	want := max(d.top, 2) // two for the margin
	if d.shortlist >= want {
		return
	}
	d.toldShortlist = true
	what := fmt.Sprintf("the top %d", d.top)
	if d.top < 2 {
		what = "the margin"
	}
	fmt.Fprintf(d.env.Stderr, "note: --shortlist %d ranks the styles of the likeliest %s only and lists each name once, so it lists %s of the %d asked for by --top%s: give --shortlist %d (or more) for %s, or --all\n",
		d.shortlist, plural.N(d.shortlist, "name", "names"), plural.N(listed, "prompt", "prompts"), d.top, marginNote(listed), want, what)
}

// marginNote is what noteShortlist adds where a list of listed prompts
// has no second one to give a margin against.
func marginNote(listed int) string {
	if listed < 2 {
		return " and no margin"
	}
	return ""
}
