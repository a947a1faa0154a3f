package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/orient"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/render"
	"github.com/tessera-studio/tessera/engine/sampler"
)

// scoreLine is one image's result in --json output.
type scoreLine struct {
	Image string `json:"image"`
	// Model is the model the image was scored under.
	Model        string    `json:"model"`
	NLLNats      float64   `json:"nll_nats"`
	BitsPerToken float64   `json:"bits_per_token"`
	Tokens       int       `json:"tokens"`
	PerTokenNLL  []float64 `json:"per_token_nll"`
	// Prompt is the prompt the image was scored under ("" for an
	// unconditional model); PromptSource says where it came from: "flag"
	// (--prompt), or a Metadata value.
	Prompt       string `json:"prompt"`
	PromptSource string `json:"prompt_source"`
	// ScoredUnder is, for a composed Prompt ("A AND B :0.5"), the
	// sub-prompt the image was scored under: its first (a mix of
	// sub-prompts is no distribution to score under).
	ScoredUnder string `json:"scored_under,omitempty"`
	// UnknownWords are the prompt's words the model does not know and
	// CutWords those past its prompt length: the image was scored without
	// them (as if Prompt lacked them).
	UnknownWords []string `json:"unknown_words,omitempty"`
	CutWords     []string `json:"cut_words,omitempty"`
	// Metadata is the generation record found in the image (scoreSources:
	// "tessera", "tessera-parameters", "a1111" or "none"); NegativePrompt
	// and Seed are what it holds (scoring does not use them).
	Metadata       string  `json:"metadata"`
	NegativePrompt string  `json:"negative_prompt,omitempty"`
	Seed           *uint64 `json:"seed,omitempty"`
	Source         string  `json:"source"` // where the tokens came from: "metadata" (stored token ids) or "pixels" (encoded)
	// Rows is the image's patch rows when it is taller than the model's
	// grid (grown by extend), scored with a sliding window
	// (sampler.ScoreTall); 0 otherwise.
	Rows int `json:"rows,omitempty"`
}

// scoreSources documents the values of score --json's "metadata" (and of
// "prompt_source", which may also be "flag").
const scoreSources = `"tessera" (Tessera's record, with the codes), "tessera-parameters" (the parameters text Tessera wrote, without its record: another program re-saved the PNG keeping the text alone), "a1111" (another tool's A1111 "parameters" text) or "none"`

// readDrawing reads what the PNG at path says about how it was made
// (pngmeta.ReadDrawing); a file that is not a readable PNG says nothing.
func readDrawing(path string) pngmeta.Drawing {
	text, err := pngmeta.ReadFile(path)
	if err != nil {
		return pngmeta.Drawing{From: pngmeta.FromNone}
	}
	return pngmeta.ReadDrawing(text)
}

// tallImage is imageTokens's error for an image that tessera extend grew
// taller than the model's grid: its stored tokens are in the record, and
// only extend takes them (squashing its pixels to the model's size would
// score or branch a different picture).
type tallImage struct {
	path            string
	rows, modelRows int
}

func (e tallImage) Error() string {
	return fmt.Sprintf("%s is %d patch rows tall (grown downward by the studio's Extend ↓ or tessera extend), taller than the model's %d: only extend, timelapse and score take it", e.path, e.rows, e.modelRows)
}

// stoppedImage is imageTokens's error for the picture of a run stopped part
// way (the studio's Stop, saved as it stood): drawn of its total patches
// have codes, the rest are blank. Branch takes it, keeping at most the
// patches drawn, which finishes it, and timelapse shows the patches drawn.
type stoppedImage struct {
	path         string
	drawn, total int
}

func (e stoppedImage) Error() string {
	return fmt.Sprintf("%s is a stopped run's picture: %d of its %d patches were drawn, the rest are blank; finish it first with tessera branch --from %s --at %d (or the studio's Continue stopped image)",
		e.path, e.drawn, e.total, e.path, e.drawn)
}

// imageTokens returns an image's codes for model b: the token ids stored in
// Tessera metadata when they fit the model, else the pixels encoded with
// the codebook (a note on warn when they are resized to the model's size,
// and when the file records codes that are not taken: its pixels changed
// since they were written, as the pixel hash it records says, or, without
// one, no longer drawn by the codes, bundle.DrawsPicture).
// It also returns the stored record, if any, and whether the
// tokens came from it. An image extend made taller than the model is a
// tallImage error, with the record; a stopped run's picture a stoppedImage
// error, with the record.
func imageTokens(b *bundle.Bundle, path string, warn io.Writer) (tokens []int, rec *pngmeta.Record, stored bool, err error) {
	var img image.Image // the picture, once loaded
	if text, err := pngmeta.ReadFile(path); err == nil {
		r, ok, err := pngmeta.ParseRecord(text)
		if err != nil {
			fmt.Fprintf(warn, "note: %s has a damaged Tessera record (%v): its pixels are read instead\n", path, err)
		}
		if err == nil && ok {
			rec = r
			// A file that records the hash of the pixels written with its
			// record and holds other pixels was changed since (painted over
			// by a program that kept its text): its codes are not taken,
			// however closely they still draw it.
			changed := false
			if _, hashed := text[pngmeta.KeyPixels]; hashed {
				if img, err = codebook.LoadImage(path); err != nil {
					return nil, nil, false, err
				}
				changed = pngmeta.PixelsChanged(text, img)
			}
			rows, cols := b.Grid()
			samePatches, valid := r.PatchSize == b.PatchSize(), validCodes(r.Tokens, b.Codes())
			if drawn, total, stopped := r.Stopped(); stopped && samePatches && valid && !changed && r.Grid == [2]int{rows, cols} {
				// Its pixels below the codes drawn are blank: they were
				// read and encoded without a word, a half-blank picture
				// scored or edited as if whole.
				return nil, rec, false, stoppedImage{path: path, drawn: drawn, total: total}
			}
			switch why := damagedCodes(r); {
			case changed:
				fmt.Fprintf(warn, "note: %s records codes, but its pixels are not the ones written with them (they do not match the pixel hash it records): it was changed since; its pixels are read instead\n", path)
			case why != "":
				// Said as info says it: the pixels were read without a
				// word where the codes' count or grid was damaged.
				fmt.Fprintf(warn, "note: %s has a damaged Tessera record (%s): its pixels are read instead\n", path, why)
			case samePatches && !valid:
				fmt.Fprintf(warn, "note: %s records codes that model %s has none of (it has %d): its pixels are read instead\n", path, b.Name, b.Codes())
			case !samePatches || r.Grid[1] != cols || r.Grid[0] < rows:
				fmt.Fprintf(warn, "note: %s records the codes of %d×%d patches of %d px, where model %s draws %d×%d of %d px: its pixels are read instead\n", path, r.Grid[1], r.Grid[0], r.PatchSize, b.Name, cols, rows, b.PatchSize())
			}
			fits := samePatches && valid && !changed
			if fits && r.Grid == [2]int{rows, cols} && len(r.Tokens) == b.ImageTokens() {
				if img == nil {
					if img, err = codebook.LoadImage(path); err != nil {
						return nil, nil, false, err
					}
				}
				// As the studio reads the picture it shows (its edits by
				// instruction are tessera edit's of the file).
				codes, stored, db, err := b.SourceCodes(img, r.Tokens)
				if err != nil {
					return nil, nil, false, fmt.Errorf("%s: %w", path, err)
				}
				if stored {
					return codes, rec, true, nil
				}
				// Painted over since it was written, the metadata kept:
				// the codes no longer describe the picture, which is
				// read encoded as any other.
				fmt.Fprintf(warn, "note: %s records codes, but its pixels are not what they draw (%.1f dB PSNR): it was changed since; its pixels are read instead\n", path, db)
				noteResize(warn, b, path, img)
				return codes, rec, false, nil
			}
			if fits && r.Grid[1] == cols && r.Grid[0] > rows && len(r.Tokens) == r.Grid[0]*cols {
				if cfg, _, err := codebook.ImageConfig(path); err == nil && r.DrawnAt(cfg.Width, cfg.Height) {
					return nil, rec, false, tallImage{path: path, rows: r.Grid[0], modelRows: rows}
				}
				// A record of a taller picture than this one: not its own.
				fmt.Fprintf(warn, "note: %s records a %d-row picture's codes, but it is not that picture; its pixels are read instead\n", path, r.Grid[0])
			}
		}
	}
	if img == nil {
		if img, err = codebook.LoadImage(path); err != nil {
			return nil, nil, false, err
		}
	}
	noteResize(warn, b, path, img)
	tokens, err = b.Encode(img)
	if err != nil {
		return nil, nil, false, fmt.Errorf("encode %s: %w", path, err)
	}
	return tokens, rec, false, nil
}

// noNegativeZero is v with −0 (a code the model is sure of, −log 1)
// written 0, as a JSON reader expects.
func noNegativeZero(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = x + 0 // −0 + 0 is +0
	}
	return out
}

// signed4 is x with its sign and four decimals (%+.4f), a value that
// rounds to zero written +0.0000: a prompt gain a hair below zero read
// -0.0000, as if it were a loss.
func signed4(x float64) string {
	if s := fmt.Sprintf("%+.4f", x); s != "-0.0000" {
		return s
	}
	return "+0.0000"
}

func validCodes(tokens []int, k int) bool {
	for _, t := range tokens {
		if t < 0 || t >= k {
			return false
		}
	}
	return true
}

func runScore(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "score", "[--model M] [--prompt TEXT] [--json] [--map OUT.png] IMAGE...")
	modelName := fs.String("model", "", recordedModelUsage("each image"))
	promptText := fs.String("prompt", "", "prompt to score under (default: the prompt stored in the image, if any: Tessera's record or an A1111 \"parameters\" text; --prompt \"\" scores without one)")
	asJSON := fs.Bool("json", false, "one JSON object per line per image; its \"metadata\" says what generation record the image holds and \"prompt_source\" where the prompt came from (\"flag\": --prompt, or one of those): "+scoreSources)
	mapOut := fs.String("map", "", "write the likelihood map of the (single) image to this PNG: the picture beside itself tinted patch by patch by its −log p, the least likely patch framed, with the colour scale in bits, the mean and the model and prompt under them")
	threads := rangedInt(fs, "threads", 0, 0, 1024, "worker threads (0 = all cores)")
	stride := rangedInt(fs, "stride", 0, 0, 1024, "an image taller than the model (tessera extend's) is scored window by window as extend drew it: the rows of each step under the grid's other rows above them; the rows a step, as extend's --stride, less than the model's grid rows (0 = half the model's grid, extend's default; 1 = a row at a time under all the rows the window holds)")
	precision := fs.String("precision", precF32, "arithmetic: f32 (exact, one full pass) or f16/int8 as sampling computes them (the decode kernels, 16 positions at a time): the difference from f32 is what that precision costs in likelihood")
	force := forceFlag(fs)
	images, err := parseFlags(fs, args)
	if err != nil {
		return helpOr(fs, err)
	}
	warnForceUnused(env.Stderr, *force, *mapOut != "", "--map")
	if len(images) == 0 {
		return usageError{"no images given"}
	}
	if *mapOut != "" && len(images) != 1 {
		return usageError{"--map takes exactly one image"}
	}
	if *mapOut != "" {
		if err := checkOut("map", *mapOut, ".png", *force, images...); err != nil {
			return err
		}
		if err := checkKeepsPictures("map", *mapOut, "a likelihood map", *force); err != nil {
			return err
		}
	}
	prec, err := parsePrecision(*precision)
	if err != nil || prec == precAuto {
		return usageError{fmt.Sprintf("--precision %q: score measures one precision: f32, f16 or int8", *precision)}
	}
	// The model: --model, else the one the images record (each its own
	// where they record different ones).
	models := newImageModels(env.Stderr, *modelName, prec, true, images)
	score := sampler.ScoreTokens
	if prec != precF32 {
		score = sampler.ScoreTokensDecoding
	}
	emptyPrompt := flagsSet(fs)["prompt"] && *promptText == "" // --prompt "": without a prompt, whatever the image records
	enc := json.NewEncoder(env.Stdout)
	failed := 0
	warned := map[*bundle.Bundle]bool{}
	for _, path := range images {
		b, ok, err := models.forImage(env, "score", path, *asJSON)
		if err != nil {
			return err
		}
		if !ok {
			failed++
			continue
		}
		if err := checkStride(*stride, b); err != nil {
			return err // wrong for this model, as extend refuses it
		}
		if enc := sampler.EncodePrompt(b, *promptText); *promptText != "" && b.Conditional() && enc.NoneKnown() {
			// As generate refuses it: scored as no prompt, the figure
			// would not be the one asked for. Each image is told, as
			// images read with different models may know the words.
			err := fmt.Errorf("model %s knows none of --prompt's words (%s)%s: it would score as if there were no prompt (an empty --prompt does that on purpose)", b.Name, quoteFew(distinct(enc.Unknown), 8), didYouMean(b.Prompt, enc.Unknown))
			reportImageError(env, "score", path, err, *asJSON)
			failed++
			continue
		}
		if !b.Conditional() && *promptText != "" && !warned[b] {
			fmt.Fprintf(env.Stderr, "warning: model %s is unconditional; the prompt is ignored\n", b.Name)
			warned[b] = true
		}
		tokens, rec, stored, err := imageTokens(b, path, env.Stderr)
		tallRows := 0 // grown taller than the model by extend: scored a row at a time (sampler.ScoreTall)
		var tall tallImage
		if errors.As(err, &tall) && rec != nil {
			tokens, stored, tallRows, err = rec.Tokens, true, tall.rows, nil
		}
		if err != nil {
			reportImageError(env, "score", path, err, *asJSON)
			failed++
			continue
		}
		facts := readDrawing(path)
		source := "pixels"
		if stored {
			source = "metadata"
		}
		p, promptFrom := *promptText, "flag"
		switch {
		case !b.Conditional():
			p, promptFrom = "", pngmeta.FromNone
		case p != "":
		case emptyPrompt:
			promptFrom = pngmeta.FromNone
		case facts.Prompt != "":
			p, promptFrom = facts.Prompt, facts.From
		default:
			promptFrom = pngmeta.FromNone
		}
		var s *sampler.Score
		if tallRows > 0 {
			st := *stride
			if st == 0 {
				st = rec.ExtraInt(pngmeta.ExtraStride) // as extend drew it (0: half the grid, its default)
			}
			s, err = sampler.ScoreTall(ctx, b, p, tokens, tallRows, st, *threads, score)
		} else {
			if *stride > 0 {
				// Accepted and not used, without a word (it is an error
				// on a tall image where it does not fit the model).
				fmt.Fprintf(env.Stderr, "note: %s is no taller than model %s: it is scored whole, and --stride (for images tessera extend grew) does not apply\n", path, b.Name)
			}
			s, err = score(ctx, b, p, tokens, *threads)
		}
		if err != nil {
			return fmt.Errorf("score %s: %w", path, err)
		}
		warnWords(env.Stderr, b.Prompt, s.Unknown, s.Cut)
		if *asJSON {
			line := scoreLine{Image: path, Model: b.Name, NLLNats: s.NLL, BitsPerToken: s.BitsPerToken(), Tokens: len(tokens), PerTokenNLL: noNegativeZero(s.PerToken),
				Prompt: p, PromptSource: promptFrom, ScoredUnder: firstSubPrompt(p), UnknownWords: s.Unknown, CutWords: s.Cut, Metadata: facts.From, NegativePrompt: facts.Negative, Seed: facts.Seed, Source: source, Rows: tallRows}
			if err := enc.Encode(line); err != nil {
				return err
			}
		} else {
			under := "no prompt"
			if p != "" {
				under = fmt.Sprintf("prompt %q from %s", p, map[string]string{"flag": "--prompt", pngmeta.FromTessera: "the Tessera record",
					pngmeta.FromTesseraParameters: "Tessera's parameters text (its record, with the codes, is gone)", pngmeta.FromA1111: "the A1111 parameters"}[promptFrom])
				if sampler.EncodePrompt(b, p).NoneKnown() {
					under += " (the model knows no word of it: scored as no prompt)"
				} else if first := firstSubPrompt(p); first != "" {
					// The first sub-prompt's likelihood is given, where
					// the output named the whole prompt.
					under += fmt.Sprintf(" (composed: scored under its first sub-prompt, %q)", first)
				}
			}
			if tallRows > 0 {
				gridRows, _ := b.Grid()
				source += fmt.Sprintf(", %d rows: those past the model's %d in the windows extend drew them in", tallRows, gridRows)
			}
			if models.Mixed() {
				under += " under model " + b.Name
			}
			fmt.Fprintf(env.Stdout, "%s\t%.3f nats\t%.4f bits/token\t%d tokens (%s)\t%s\n", path, s.NLL, s.BitsPerToken(), len(tokens), source, under)
		}
		if *mapOut != "" {
			rows, cols := b.Grid()
			if tallRows > 0 {
				rows = tallRows
			}
			top := render.SurpriseTop(b.Codes())
			caption := fmt.Sprintf("%s under model %s, no prompt", filepath.Base(path), b.Name)
			if p != "" {
				caption = fmt.Sprintf("%s under model %s, prompt %q", filepath.Base(path), b.Name, p)
			}
			lmap := render.LikelihoodSheet(b.Tokenizer.Decode(tokens, rows, cols), s.PerToken, rows, cols, b.PatchSize(), top, caption)
			noteReplacing(env, "map", []string{*mapOut}) // once it is sure to be written
			if err := pngmeta.WriteFileAtomic(*mapOut, lmap, map[string]string{
				"Comment": fmt.Sprintf("likelihood map (per-patch −log p, nats) of %s under %s; colours from 0 to %.2f nats (a uniform guess among %d codes; beyond it the top colour); max %.3f nats; %.4f bits/token", path, b.Name, top, b.Codes(), maxOf(s.PerToken), s.BitsPerToken()),
			}); err != nil {
				return err
			}
			fmt.Fprintf(env.Stderr, "likelihood map of %s: %s\n", path, *mapOut)
		}
	}
	if failed > 0 {
		return notAll(failed, len(images), "scored")
	}
	return nil
}

func maxOf(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, x)
	}
	return m
}

// noteResize tells warn when the picture img read from path is an animated
// GIF (of which only the first frame is read), is stored turned (an EXIF
// orientation: read upright), has pixels that are not opaque (read over
// white, as the models draw), or is not the model's size, and how it is
// brought to it (codebook.Fit). Each was done without a word but the size.
func noteResize(warn io.Writer, b *bundle.Bundle, path string, img image.Image) {
	if codebook.Animated(path) {
		fmt.Fprintf(warn, "note: %s is an animated GIF; only its first frame is read\n", path)
	}
	if o := fileOrientation(path); o != orient.Normal {
		fmt.Fprintf(warn, "note: %s is stored %s (its EXIF orientation); it is read upright\n", path, o)
	}
	if o, ok := img.(interface{ Opaque() bool }); ok && !o.Opaque() {
		fmt.Fprintf(warn, "note: %s has transparent or see-through pixels; they are read over white\n", path)
	}
	if w, h := b.ImageSize(); img.Bounds().Dx() != w || img.Bounds().Dy() != h {
		how := "resized to"
		if img.Bounds().Dx()*h != img.Bounds().Dy()*w {
			how = "scaled to fit, on white, keeping its shape,"
		}
		fmt.Fprintf(warn, "note: %s is %d×%d px; it is %s the model's %d×%d\n", path, img.Bounds().Dx(), img.Bounds().Dy(), how, w, h)
	}
}

// fileOrientation is the EXIF orientation the picture file at path
// records (orient.Normal for none, or a file that cannot be read).
func fileOrientation(path string) orient.Orientation {
	f, err := os.Open(path)
	if err != nil {
		return orient.Normal
	}
	defer f.Close()
	return orient.Read(f)
}

// firstSubPrompt is the sub-prompt a composed prompt ("A AND B :0.5") is
// scored under, its first (a mix of sub-prompts is no distribution to
// score under: sampler.ScoreTokens does the same); "" for a prompt that is
// not composed.
func firstSubPrompt(p string) string {
	if !sampler.Composed(p) {
		return ""
	}
	return sampler.SubPromptTexts(p)[0]
}
