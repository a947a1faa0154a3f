package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/edit"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/redraw"
	"github.com/tessera-studio/tessera/engine/render"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/internal/plural"
)

// editFlags are the settings of an edit by instruction.
type editFlags struct {
	knobFlags
	model, precision    string
	candidates, threads int
	// redrawModel is --redraw-model: the drawing model style and gender
	// edits redraw with ("" the edit model's own, noRedraw none).
	redrawModel string
}

func runEdit(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "edit", "[--model M] --from IMAGE --instruction TEXT [--candidates N] [--seed S] [--guidance G] [--image-guidance G] [--mask MASK.png] [--out PATH.png]")
	var f editFlags
	fs.StringVar(&f.model, "model", "edit", "edit model: a built-in name or a model folder")
	from := fs.String("from", "", "the image to edit: any picture (scaled to the model's size, keeping its shape on white), or a Tessera PNG whose stored codes fit the model")
	instruction := fs.String("instruction", "", `what to change, e.g. "remove the background", "medium-dark skin tone", "in the twemoji style", "make it blue"`)
	rangedIntVar(fs, &f.candidates, "candidates", 4, 1, 256, "edits sampled in one batch, written best first by the model's own likelihood")
	f.knobFlags.register(fs, -1, true)
	mask := fs.String("mask", "", "a mask picture (any size, laid over the image): patches under white change, patches under black are kept as they are (the source's own pixels there); a patch changes where the mask over it is at least half light")
	out := fs.String("out", "edit.png", "output PNG: candidates are written PATH-1.png … PATH-N.png, best first")
	scale := rangedInt(fs, "scale", 1, 1, 16, "upscale the saved PNGs")
	clearBg := fs.Bool("transparent", false, transparentHelp)
	rangedIntVar(fs, &f.threads, "threads", 0, 0, 1024, "worker threads (0 = all cores)")
	fs.StringVar(&f.precision, "precision", precAuto, precisionHelp)
	sourceDetail := fs.Bool("source-detail", true, sourceDetailHelp+" (false: the edit as the tokenizer draws it; a redrawn edit is a new drawing and always as drawn)")
	fs.StringVar(&f.redrawModel, "redraw-model", "", redrawModelHelp)
	quiet := fs.Bool("quiet", false, "no progress bar")
	asJSON := fs.Bool("json", false, "list the edits as JSON, one object a line, best first (path, seed, rank, instruction, mean log-likelihood; with --mask the fit of the kept patches; for an edit redrawn by --redraw-model, redrawn_by, read_as and drawn_as), as generate --json lists images")
	force := forceFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return helpOr(fs, err)
	}
	if err := noArguments(pos, "the image goes in --from, the instruction in --instruction"); err != nil {
		return err
	}
	switch {
	case *from == "":
		return usageError{"--from IMAGE is required"}
	case strings.TrimSpace(*instruction) == "":
		return usageError{`--instruction TEXT is required (e.g. "remove the background")`}
	}
	outs := numberedOuts(*out, f.candidates, true)
	if err := checkOuts("out", *out, outs, ".png", *force, *from, *mask); err != nil {
		return err
	}
	if err := checkInputFile("from", *from); err != nil {
		return err
	}
	if err := checkInputFile("mask", *mask); err != nil {
		return err
	}
	b, err := openModel(logFor(env, *quiet), f.model, f.precision)
	if err != nil {
		return err
	}
	c := b.Model.Config
	if !c.IsEdit() {
		draws := "it draws from a text prompt"
		if !b.Conditional() {
			draws = "it draws without a prompt"
		}
		return fmt.Errorf("model %s is not an edit model (%s): pass --model with an edit model", b.Name, draws)
	}
	if err := f.zeroGiven(b, true); err != nil { // before the picture is read
		return err
	}
	if err := checkModelScale(b, *scale); err != nil {
		return err
	}
	// Words left out change an instruction's meaning ("make it purplish"
	// would be read "make it"): refused unless what is left is an
	// instruction the model was trained on ("please mirror it").
	if err := edit.CheckInstruction(b, *instruction); err != nil {
		return err
	}
	_, unknown, cut := sampler.InstructionWords(b, *instruction)
	warnWordsOf(env.Stderr, "instruction", b.Prompt, unknown, cut)
	if near, exact, ok := edit.Nearest(*instruction); len(unknown) == 0 && ok && !exact {
		fmt.Fprintf(env.Stderr, "warning: model %s was not trained on %s, so what it does with it is hard to tell; the nearest instruction it knows is %q\n", b.Name, quoteShort(*instruction, 80), near)
	}
	source, _, stored, err := imageTokens(b, *from, env.Stderr)
	if err != nil {
		return err
	}
	var m []bool
	if *mask != "" {
		img, err := codebook.LoadImage(*mask)
		if err != nil {
			return fmt.Errorf("--mask: %w", err)
		}
		if codebook.Animated(*mask) { // as --from says of one
			fmt.Fprintf(env.Stderr, "note: the mask %s is an animated GIF; only its first frame is read\n", *mask)
		}
		rows, cols := b.Grid()
		w, h := b.ImageSize()
		if m, err = edit.MaskFromImage(edit.MaskOver(img, w, h), rows, cols); err != nil { // laid over the picture as it is encoded
			if at := codebook.PictureRect(img.Bounds().Dx(), img.Bounds().Dy(), w, h); at.Dx() < w/cols || at.Dy() < h/rows {
				// A sliver (8000×1) fitted into the frame covers no patch
				// by half, however white: its shape is the cause.
				return fmt.Errorf("--mask %s: the mask is %d×%d px, fitted into the model's %d×%d frame keeping its shape, it covers %d×%d px, less than a patch (%d×%d): give a mask of the picture's shape", *mask, img.Bounds().Dx(), img.Bounds().Dy(), w, h, at.Dx(), at.Dy(), w/cols, h/rows)
			}
			return fmt.Errorf("--mask %s: %w", *mask, err)
		}
		if src, _, err := codebook.ImageConfig(*from); err == nil &&
			codebook.PictureRect(src.Width, src.Height, w, h) != codebook.PictureRect(img.Bounds().Dx(), img.Bounds().Dy(), w, h) {
			// Both are fitted into the model's frame, each keeping its own
			// shape: the mask's edges do not fall on the picture's.
			part := func(sw, sh int) string {
				at := codebook.PictureRect(sw, sh, w, h)
				if at.Dx() == w && at.Dy() == h {
					return "all of it"
				}
				return fmt.Sprintf("a centred %d×%d px of it", at.Dx(), at.Dy())
			}
			fmt.Fprintf(env.Stderr, "note: the mask (%d×%d px) and the picture (%d×%d) differ in shape: each is fitted into the model's %d×%d frame keeping its own, the mask over %s and the picture over %s, so the mask's edges do not fall on the picture's (%s of %d change; a mask of the picture's shape follows it)\n",
				img.Bounds().Dx(), img.Bounds().Dy(), src.Width, src.Height, w, h, part(img.Bounds().Dx(), img.Bounds().Dy()), part(src.Width, src.Height), plural.N(countTrue(m), "patch", "patches"), len(m))
		}
	}
	if m != nil && countTrue(m) == len(m) {
		// A mask over every patch is no mask: the edit is of the whole
		// picture and keeps nothing (it was given the source's detail as a
		// masked edit is, and drew another picture than no --mask).
		fmt.Fprintln(env.Stderr, "note: the mask covers every patch: the whole picture is edited, as without --mask")
		m = nil
	}
	if fam, _, ok := edit.Parse(*instruction); ok && fam == edit.Background && m == nil && edit.WhiteBackground(b.Decode(source)) {
		on := "is on a white background already"
		if transparent(*from) {
			on = "has a transparent background, read as white (Tessera's pictures are opaque, on white)"
		}
		fmt.Fprintf(env.Stderr, "warning: %s %s: removing the background has nothing to do, and the edits only redraw the picture (for a transparent background, --transparent writes the white around the picture as transparent)\n", *from, on)
	}
	if w := edit.WeakFamilyNote(b, *instruction); w != "" {
		fmt.Fprintf(env.Stderr, "note: %s\n", w)
	}
	opt, err := f.options(b)
	if err != nil {
		return err
	}
	opt.Prompt = *instruction
	if opt.Workers == 0 {
		opt.Workers = runtime.NumCPU()
	}
	var emit func(sampler.Event)
	if !*quiet {
		emit = progressPrinter(env.Stderr, f.candidates)
	}
	var draw *bundle.Bundle
	if redraw.Applies(*instruction, m != nil) {
		if draw, err = redrawModelFor(logFor(env, *quiet), b, f.redrawModel, f.precision); err != nil {
			return err
		}
	}
	noteReplacing(env, "out", outs)
	if draw != nil {
		fmt.Fprintf(env.Stderr, "note: %s reads the picture first, to redraw it changed (as describe reads a picture: some seconds)\n", draw.Name)
	}
	res, plans, why, err := redraw.Edit(ctx, b, draw, opt, sampler.EditRequest{Source: source, Mask: m, Candidates: f.candidates}, emit, emit, nil)
	if err != nil {
		return err
	}
	if why != "" {
		fmt.Fprintf(env.Stderr, "note: %s\n", why)
	}
	if plans != nil && len(plans) < f.candidates && !res.Stopped {
		fmt.Fprintf(env.Stderr, "note: %d of the %d candidates asked for: %s reads the picture %s that can be redrawn as asked, and each candidate draws one\n", len(plans), f.candidates, draw.Name, plural.N(len(plans), "way", "ways"))
	}
	if res.Stopped {
		return errors.New("interrupted; nothing saved")
	}
	if plans == nil { // a redraw keeps its readings' order (plans[i] is image i's)
		if w := edit.CandidatesBlankLast(b, source, res); w != "" {
			fmt.Fprintf(env.Stderr, "warning: %s\n", w)
		}
	}
	// the source's pixels: its detail, with a mask put back outside it
	srcPic, err := sourcePicture(b, *from, stored)
	if err != nil {
		return err
	}
	roundTrip := b.Decode(source)
	if len(res.Images) > 0 && plans == nil { // a redraw draws another reading than the source's, never the source back
		rows, cols := b.Grid()
		share := edit.UnchangedShare(source, res.Images[0].Tokens, edit.Changeable(*instruction, roundTrip, rows, cols, m))
		switch msg, warn := edit.GivenBackNote(*instruction, srcPic, share, m); {
		case warn:
			fmt.Fprintf(env.Stderr, "warning: %s\n", msg)
		case msg != "":
			fmt.Fprintf(env.Stderr, "note: %s\n", msg)
		}
	}
	var written []string
	var opaque opaqueTally // candidates --transparent made nothing transparent in
	for i, im := range res.Images {
		path := numberedPath(*out, i, 2) // always PATH-i.png, even for one candidate
		facts := editFacts{instruction: *instruction, source: filepath.Base(*from), sourceTokens: source, mask: m, rank: i + 1, sourceDetail: *sourceDetail && plans == nil}
		if plans != nil {
			facts.redraw = &redrawFacts{model: draw.Name, plan: plans[i]}
		}
		recOpt := opt
		if plans != nil {
			recOpt = redraw.Options(draw, opt) // the settings it was drawn with
		}
		rec := editRecord(b, recOpt, im, facts)
		edited := b.Decode(im.Tokens)
		if facts.sourceDetail {
			if edited, _, err = edit.TransferDetail(srcPic, roundTrip, edited, edit.DetailFor(*instruction, m != nil)); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
		}
		if m != nil {
			rows, cols := b.Grid()
			if err := edit.KeepUnmasked(edited, srcPic, m, rows, cols); err != nil {
				return err
			}
		}
		var pic image.Image = edited
		if *clearBg {
			var cleared bool
			if pic, cleared = transparentPicture(pic, &rec); !cleared {
				opaque.add(path, pic)
			}
		}
		meta := editMetadata(rec, pic.Bounds().Size(), *scale)
		pic = render.Upscale(pic, *scale, false)
		if err := pngmeta.WriteFileAtomic(path, pic, meta); err != nil {
			return batchWriteError(written, len(res.Images), err)
		}
		written = append(written, path)
		if *asJSON {
			line := editedImage{Path: path, Seed: im.Seed, Rank: i + 1, Instruction: *instruction, MeanLogLik: im.MeanLogLik()}
			if plans != nil {
				line.RedrawnBy, line.ReadAs, line.DrawnAs = draw.Name, plans[i].Read.Prompt(), plans[i].Draw.Prompt()
			}
			if im.KeptCount > 0 {
				fit := im.Fit()
				line.Fit = &fit
			}
			if err := json.NewEncoder(env.Stdout).Encode(line); err != nil {
				return err
			}
			continue
		}
		if im.KeptCount > 0 { // ranked by how well the kept patches fit the changed ones (sampler.RankByFit)
			fmt.Fprintf(env.Stdout, "%s\tseed %d\tfit of the kept patches %.4f nats/token\tmean log-likelihood %.4f nats/token (%.4f bits/token)\n", path, im.Seed, im.Fit(), im.MeanLogLik(), -im.MeanLogLik()/math.Ln2)
			continue
		}
		if plans != nil {
			fmt.Fprintf(env.Stdout, "%s\tseed %d\t%s\n", path, im.Seed, plans[i].Note(draw, im))
			continue
		}
		fmt.Fprintf(env.Stdout, "%s\tseed %d\tmean log-likelihood %.4f nats/token (%.4f bits/token)\n", path, im.Seed, im.MeanLogLik(), -im.MeanLogLik()/math.Ln2)
	}
	opaque.warn(env.Stderr, b.Name)
	if old := staleCandidates(*out, len(res.Images)); len(old) > 0 {
		verb := "are"
		if len(old) == 1 {
			verb = "is"
		}
		fmt.Fprintf(env.Stderr, "note: %s beside them %s from an earlier run\n", fileList(old), verb)
	}
	// Candidates drawn alike (a background removal the model knows one
	// way to draw) were written without a word, where generate says so.
	if len(res.Images) > 1 {
		for _, n := range sameNotes(*out, res.Images, nil, opt) {
			fmt.Fprintf(env.Stderr, "note: %s\n", n)
		}
	}
	return nil
}

// staleCandidates are the names of the numbered files PATH-(n+1).png …
// beside the n an edit wrote (numberedPath), left by an earlier run of more
// candidates: a script reading PATH-*.png would take them for this run's.
func staleCandidates(out string, n int) []string {
	var old []string
	for i := n; i < maxCandidateFiles; i++ {
		p := numberedPath(out, i, 2)
		if _, err := os.Stat(p); err != nil {
			break
		}
		old = append(old, filepath.Base(p))
	}
	return old
}

// maxCandidateFiles bounds staleCandidates' look (the --candidates limit).
const maxCandidateFiles = 256

// editedImage is the JSON line of a written edit (edit --json); the JSON
// names are a contract, those shared with generate --json (savedImage)
// mean the same.
type editedImage struct {
	Path        string `json:"path"`
	Seed        uint64 `json:"seed"`
	Rank        int    `json:"rank"` // 1 for the best
	Instruction string `json:"instruction"`
	// MeanLogLik is the mean log-likelihood of the edit's codes under the
	// instruction and source, nats per code.
	MeanLogLik float64 `json:"mean_loglik_nats_per_token"`
	// Fit is, with --mask, how well the kept patches fit the changed ones
	// (the mean log-likelihood of the kept patches, nats per code: the
	// order of the candidates).
	Fit *float64 `json:"fit_nats_per_token,omitempty"`
	// RedrawnBy, ReadAs and DrawnAs are set for an edit redrawn by a
	// drawing model (--redraw-model): that model, what it read the
	// picture as and the prompt it drew (MeanLogLik is then its
	// likelihood of its own drawing). Candidates are ordered by how
	// likely the picture is under their reading.
	RedrawnBy string `json:"redrawn_by,omitempty"`
	ReadAs    string `json:"read_as,omitempty"`
	DrawnAs   string `json:"drawn_as,omitempty"`
}

// sourcePicture is the edit's source at the model's w×h as the edit read
// it: the pixels its stored codes draw (stored: codebook.AtSize, the
// file as Tessera wrote it, perhaps upscaled), else the picture fitted as
// encoding fits it (codebook.Fit).
func sourcePicture(b *bundle.Bundle, path string, stored bool) (*image.NRGBA, error) {
	img, err := codebook.LoadImage(path)
	if err != nil {
		return nil, err
	}
	w, h := b.ImageSize()
	if stored {
		return codebook.AtSize(img, w, h), nil
	}
	return codebook.Fit(img, w, h), nil
}

// sourceDetailHelp describes --source-detail (edit.TransferDetail).
const sourceDetailHelp = "give each edit the source picture's own detail where the edit is a change of colour the source's pixels can carry (a guided filter fitted between the source as the tokenizer redraws it and the edit, applied to the source itself, mirrored or flipped first where the edit mirrored the picture; for background removal and the pixel operations one colour table for the whole picture, which averages the tokenizer's noise away; edits that move or redraw things otherwise are kept as drawn)"

// options are the sampler settings: the flags set on the command line,
// else the model's recommended defaults. A knob given 0, which is read as
// not given, is a usage error (knobFlags.zeroGiven).
func (f *editFlags) options(b *bundle.Bundle) (sampler.Options, error) {
	if err := f.zeroGiven(b, true); err != nil {
		return sampler.Options{}, err
	}
	return sampler.Options{Settings: f.settings(b.Model.Config.Recommended(), true), Batch: f.candidates, Workers: f.threads}, nil
}

// editFacts are what an edited image records beyond a generated one's.
type editFacts struct {
	instruction, source string
	sourceTokens        []int
	mask                []bool
	rank                int
	// sourceDetail: the pixels were given the source's detail
	// (edit.TransferDetail), so they are not the codes' decode alone.
	sourceDetail bool
	// redraw, for an edit redrawn by a drawing model, says which and how.
	redraw *redrawFacts
}

// redrawFacts are what a redrawn edit records: the drawing model and what
// it read the picture as and drew (redraw.Plan).
type redrawFacts struct {
	model string
	plan  redraw.Plan
}

// editRecord is the PNG metadata of one edit: the generated image's record
// (opt's settings: the instruction as the prompt, both guidance scales),
// the source file as its parent, and an "edit" entry holding the
// instruction, the source's file and codes, the mask (a string of 0/1 per
// patch, raster order), the candidate's rank and whether the pixels carry
// the source's detail (source_detail: edit.TransferDetail).
func editRecord(b *bundle.Bundle, opt sampler.Options, im sampler.Image, e editFacts) pngmeta.Record {
	rec := record(b, opt, im)
	rec.Parent = e.source
	entry := map[string]any{
		"instruction":   e.instruction,
		"source":        e.source,
		"source_tokens": append([]int(nil), e.sourceTokens...),
		"rank":          e.rank,
	}
	if e.sourceDetail {
		entry["source_detail"] = true
	}
	if r := e.redraw; r != nil {
		entry["redrawn_by"] = r.model
		entry["read_as"] = r.plan.Read.Prompt()
		entry["drawn_as"] = r.plan.Draw.Prompt()
	}
	if e.mask != nil {
		var sb strings.Builder
		for _, m := range e.mask {
			if m {
				sb.WriteByte('1')
			} else {
				sb.WriteByte('0')
			}
		}
		entry["mask"] = sb.String()
	}
	rec.Extra = map[string]any{pngmeta.ExtraEdit: entry}
	return rec
}

// editMetadata is the text chunks of an edit: Metadata(rec), with the
// source named in the "parameters" settings line (which carries the image
// guidance as a sampling setting).
func editMetadata(rec pngmeta.Record, native image.Point, scale int) map[string]string {
	text := scaledMetadata(rec, native, scale, false)
	it := pngmeta.ParseParameters(text[pngmeta.KeyParameters])
	it.SetExtra("Edit of", rec.Parent)
	text[pngmeta.KeyParameters] = pngmeta.FormatParameters(it)
	return text
}

// transparent reports whether the picture file at path has pixels that are
// not opaque (false when it cannot be read: the caller has read it).
func transparent(path string) bool {
	img, err := codebook.LoadImage(path)
	if err != nil {
		return false
	}
	o, ok := img.(interface{ Opaque() bool })
	return ok && !o.Opaque()
}

// countTrue is how many of v are true.
func countTrue(v []bool) int {
	n := 0
	for _, b := range v {
		if b {
			n++
		}
	}
	return n
}
