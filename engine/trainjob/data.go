package trainjob

import (
	"context"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tessera-studio/tessera/engine/atomicfile"
	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/edit"
	"github.com/tessera-studio/tessera/engine/filehash"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/prepare"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/tokenizer"
	"github.com/tessera-studio/tessera/engine/train"
	"github.com/tessera-studio/tessera/internal/plural"
)

// LoadDataset loads a named dataset ("emoji", "mnist", "shapes") or a
// folder of images, split into training and validation samples, and
// writes what it loaded and skipped to log. size is the model's image side:
// shapes are drawn at it (other datasets are resized when prepared). known
// are the words the model knows already (a fine-tune's base vocabulary;
// nil from scratch), which a caption held out for validation does not
// need to teach.
func LoadDataset(ctx context.Context, name string, size int, known []string, log io.Writer) (trainSet, valSet []data.Sample, err error) {
	trainSet, valSet, err = loadDataset(ctx, name, size, known, func(r data.Report) {
		fmt.Fprintf(log, "loaded %s, skipped %d\n", plural.N(r.Loaded, "image", "images"), r.Skipped)
		if r.Merged > 0 {
			fmt.Fprintf(log, "  %s left out: each picture is trained on once, with its copies' captions\n", plural.N(r.Merged, "identical copy of a picture", "identical copies of pictures"))
		}
		for _, p := range r.Problems {
			fmt.Fprintln(log, "  skipped:", p)
		}
		for _, w := range r.Warnings {
			fmt.Fprintln(log, "  warning:", w)
		}
	})
	return trainSet, valSet, err
}

// loadDataset is LoadDataset, handing what it loaded and skipped, with the
// split's caveats among the warnings, to report.
func loadDataset(ctx context.Context, name string, size int, known []string, report func(data.Report)) (trainSet, valSet []data.Sample, err error) {
	switch {
	case name == "mnist":
		tr, r, err := data.MNIST(ctx, true)
		if err != nil {
			return nil, nil, err
		}
		report(r)
		// Hold out 2,000 test images for validation (the test set is a clean split).
		te, _, err := data.MNIST(ctx, false)
		if err != nil {
			return nil, nil, err
		}
		return tr, te[:min(len(te), 2000)], nil
	case name == "emoji":
		all, r, err := data.Emoji(ctx, "")
		if err != nil {
			return nil, nil, err
		}
		report(r)
		// Hold out images, not whole emoji: the shipped model must learn
		// every emoji it can be asked for.
		tr, va := data.SplitImages(all, 0.02, 1)
		return tr, va, nil
	case name == "shapes":
		tr, va, r := data.ShapesDataset(size) // validation: pictures of the held-out caption combinations
		report(r)
		return tr, va, nil
	case bundle.IsFolder(name):
		all, r, err := data.Folder(ctx, name)
		if err != nil {
			return nil, nil, err
		}
		tr, va := data.Split(all, 0.1, 1)
		switch {
		case len(va) == 0:
			va = tr[:1]
			r.Warnings = append(r.Warnings, "too few pictures to hold any out: validation uses a trained one, "+va[0].Key+", so its loss says how well the model recalls it")
		case len(tr) == 0: // one picture, drawn into the validation split: it trains too
			tr = va
			r.Warnings = append(r.Warnings, "one picture: it is trained on and validated on, so the validation loss says how well the model recalls it")
		default:
			if w := heldOutWarning(tr, va, known); w != "" {
				r.Warnings = append(r.Warnings, w)
			}
		}
		report(r) // with what the split adds
		return tr, va, nil
	}
	return nil, nil, checkDataName(name)
}

// PreparedFile caches the tokenised dataset in the run folder, so a
// resumed run trains on exactly the same codebook and examples.
const PreparedFile = "prepared.gob"

// PreparedPath is where the run folder dir caches its tokenised data.
func PreparedPath(dir string) string { return filepath.Join(dir, PreparedFile) }

// TokenizerCardFile records, beside an exported ViT tokenizer, how it was
// made (the same name `tessera train-tokenizer` writes).
const TokenizerCardFile = "TOKENIZER.md"

type preparedOnDisk struct {
	Config     model.Config
	Codebook   []float32
	Patch      int
	Train, Val []train.Example
	// Replay are the replayed examples of a fine-tune (prepare.Prepared.Replay;
	// absent from files written before replay existed).
	Replay []train.Example
	PSNR   float64
	// TokenizerDir, when set, is the ViT tokenizer's folder beside the
	// prepared file (a copy of the one the data was tokenised with).
	TokenizerDir string
}

// runTokenizerDir is where a run keeps its copy of a ViT tokenizer.
const runTokenizerDir = "tokenizer"

// SavePrepared writes p to path (and a ViT tokenizer into a folder beside it).
func SavePrepared(path string, p *prepare.Prepared) error {
	d := preparedOnDisk{Config: p.Config, Train: p.Train, Val: p.Val, Replay: p.Replay, PSNR: p.PSNR}
	if p.Codebook != nil {
		d.Codebook, d.Patch = p.Codebook.Entries, p.Codebook.P
	} else if v, ok := p.Tokenizer.(*tokenizer.ViT); ok {
		d.TokenizerDir = runTokenizerDir
		dir := filepath.Join(filepath.Dir(path), runTokenizerDir)
		if err := v.Save(dir); err != nil {
			return fmt.Errorf("save %s: %w", path, err)
		}
		if card := p.TokenizerCard; card != nil {
			if err := atomicfile.WriteBytes(filepath.Join(dir, TokenizerCardFile), card); err != nil {
				return fmt.Errorf("save %s: %w", path, err)
			}
		}
	}
	err := atomicfile.Write(path, func(w io.Writer) error { return gob.NewEncoder(w).Encode(d) })
	if err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	return nil
}

// LoadPrepared reads what SavePrepared wrote.
func LoadPrepared(path string) (*prepare.Prepared, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var d preparedOnDisk
	if err := gob.NewDecoder(f).Decode(&d); err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	if d.TokenizerDir != "" {
		tok, err := tokenizer.LoadViT(filepath.Join(filepath.Dir(path), d.TokenizerDir))
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", path, err)
		}
		return &prepare.Prepared{Config: d.Config, Tokenizer: tok, Train: d.Train, Val: d.Val, Replay: d.Replay, PSNR: d.PSNR}, nil
	}
	cb, err := codebook.New(d.Patch, d.Codebook)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return &prepare.Prepared{Config: d.Config, Codebook: cb, Tokenizer: tokenizer.Codebook{Codebook: cb}, Train: d.Train, Val: d.Val, Replay: d.Replay, PSNR: d.PSNR}, nil
}

// modelFiles are the files written beside an exported model: the image
// tokenizer's (tokenizerFiles) and the names the model learnt to draw
// (bundle.NamesFile), which describe ranks: for the emoji data, the emoji
// names all of whose words are in its vocabulary (read without the emoji
// data at hand); for other data, baseNames (the names of the model a
// fine-tune tunes: initNames) and, for a model without style words, the
// training captions (a folder model's Describe offered vocabulary words,
// "circle copy", not "a big blue box").
func modelFiles(ctx context.Context, s Settings, p *prepare.Prepared, base bundle.NameTable) (map[string][]byte, error) {
	files, err := tokenizerFiles(p)
	if err != nil || p.Config.Tessera == nil || p.Config.IsEdit() || p.Config.PromptLength() == 0 {
		return files, err
	}
	var names []string
	// The emoji each name stands for and the names people know them by
	// (the emoji data's, or the base model's).
	chars, common := base.Chars, base.Common
	if s.Data == "emoji" {
		all, raw, err := data.EmojiNamesAndChars(ctx, "")
		if err != nil {
			return nil, fmt.Errorf("emoji names: %w", err)
		}
		allCommon, err := data.EmojiCommonNames(ctx, "")
		if err != nil && !errors.Is(err, data.ErrNotFound) { // (without emojibase's labels: the names alone)
			return nil, fmt.Errorf("emoji names: %w", err)
		}
		known := map[string]bool{}
		for _, w := range p.Config.Tessera.PromptVocab {
			known[w] = true
		}
		sayable := func(n string) (string, bool) {
			words := prompt.Split(n)
			return strings.Join(words, " "), len(words) > 0 && !slices.ContainsFunc(words, func(w string) bool { return !known[w] })
		}
		chars, common = map[string]string{}, map[string]string{} // by the name as written, words as the prompt reads them
		for _, n := range all {
			if name, ok := sayable(n); ok {
				names = append(names, name)
				if c := raw[n]; c != "" {
					chars[name] = c
				}
				if c, ok := sayable(allCommon[n]); ok && c != name {
					common[name] = c
				}
			}
		}
		for name, c := range common {
			if slices.Contains(names, c) {
				delete(common, name) // another emoji's listed name (CLDR calls 😄 what Unicode calls 😁)
			}
		}
	} else {
		// A fine-tune's names are its base model's and its data's captions
		// (held-out ones too: Describe should name every picture of the
		// data); a caption's style word is the style, not the name.
		names = append(names, base.Names...)
		seen := map[string]bool{}
		for _, n := range names {
			seen[n] = true
		}
		for _, c := range dataCaptions(p) {
			if len(names) >= maxNames {
				break
			}
			if base, style := prompt.SplitStyle(c, p.Config.Tessera.StyleWords); style != "" && base != "" {
				c = base
			}
			if !seen[c] {
				seen[c], names = true, append(names, c)
			}
		}
	}
	if len(names) > 0 {
		files[bundle.NamesFile] = bundle.NameTable{Names: names, Chars: chars, Common: common}.Format()
	}
	return files, nil
}

// initNames are the names of the model a fine-tune tunes: base's when it
// is open, else those of the model folder the settings name; a resumed run
// opens neither (a built-in is no folder), and takes the names its own
// export wrote in the run folder before. nil for a run from scratch.
func initNames(s Settings, base *bundle.Bundle) bundle.NameTable {
	read := func(dir string) bundle.NameTable {
		if b, err := os.ReadFile(filepath.Join(dir, bundle.NamesFile)); err == nil {
			return bundle.ParseNamesFile(b)
		}
		return bundle.NameTable{}
	}
	switch {
	case base != nil:
		return base.NameTable()
	case s.Init != nil:
		return s.Init.NameTable()
	case s.InitModel == "":
		return bundle.NameTable{}
	case bundle.IsFolder(s.InitModel):
		if t := read(s.InitModel); t.Names != nil {
			return t
		}
	}
	return read(train.RunModelDir(s.OutDir))
}

// maxNames is the most training captions a model's names file lists:
// Describe ranks every name, at about 8 s for the emoji model's 11,460
// prompts on 2 cores.
const maxNames = 4096

// tokenizerFiles are the files that carry a prepared dataset's image
// tokenizer into a model folder.
func tokenizerFiles(p *prepare.Prepared) (map[string][]byte, error) {
	if v, ok := p.Tokenizer.(*tokenizer.ViT); ok {
		return v.Files()
	}
	js, err := p.Codebook.Marshal(p.Config.ImageSize())
	if err != nil {
		return nil, err
	}
	return map[string][]byte{bundle.CodebookFile: js}, nil
}

// PrepareData returns the run's tokenised data: the run folder's cached
// copy when there is one, else the dataset loaded and tokenised as s says
// (with Init's tokenizer, architecture and vocabulary when fine-tuning)
// and saved in the run folder. Its log goes to ev.Log.
func PrepareData(ctx context.Context, s Settings, ev Events) (*prepare.Prepared, error) {
	if err := CheckRunFolder(s.OutDir); err != nil { // it writes there (Run checks before its record)
		return nil, err
	}
	return prepareData(ctx, s, nil, ev)
}

// prepareData is PrepareData with the model being fine-tuned already
// opened (nil: open it if s names one and the data is not cached).
func prepareData(ctx context.Context, s Settings, base *bundle.Bundle, ev Events) (*prepare.Prepared, error) {
	log := ev.log()
	if err := os.MkdirAll(s.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("run folder: %w", err)
	}
	prepPath := filepath.Join(s.OutDir, PreparedFile)
	if _, err := os.Stat(prepPath); err == nil {
		// The run folder already holds its tokenised data: reuse it, so a
		// resumed run sees exactly the same codebook and examples.
		prep, err := LoadPrepared(prepPath)
		if err != nil {
			return nil, fmt.Errorf("%w (delete it to tokenise again)", err)
		}
		fmt.Fprintf(log, "using the tokenised data in %s (%s; delete it to tokenise again)\n", prepPath, prepCounts(prep))
		return prep, nil
	}
	if base == nil {
		var err error
		if base, err = s.initModel(); err != nil {
			return nil, err
		}
	}
	arch := model.DefaultConfig()
	arch.NEmbd, arch.NLayer, arch.NHead = s.Width, s.Layers, s.Heads
	if s.Data == EditData {
		prep, err := prepareEdit(ctx, s, base, arch, log)
		if err != nil {
			return nil, err
		}
		return prep, SavePrepared(prepPath, prep)
	}
	spec := prepare.Spec{
		Name: s.DataName(), Size: s.Size, Patch: s.Patch, Codes: s.Codes,
		Shifts: s.Shifts, MaxShift: s.MaxShift,
		StyleWords: s.StyleWords, StyleDrop: s.StyleDrop, Seed: s.Seed, Workers: s.Threads,
	}
	resumed := HoldsCheckpoint(s.OutDir)
	// A run with a checkpoint whose prepared data was deleted tokenises
	// again with the tokenizer its checkpoint was trained with (it learnt
	// another k-means codebook and trained the checkpoint on its codes):
	// its own, else the very file of the prepared-data cache it took its
	// data from (recorded in PreparedKeyFile; the cache of another build
	// may hold another codebook under the same settings), else it is
	// refused (errCodebookGone).
	var runTok tokenizer.Tokenizer
	var runTokDir string
	var tokCard []byte // how the ViT tokenizer was made (TOKENIZER.md)
	var gone error
	if resumed {
		var err error
		runTok, runTokDir, err = runTokenizer(s, base)
		switch {
		case errors.Is(err, errCodebookGone):
			gone = err
		case err != nil:
			return nil, err
		}
		tokCard, _ = os.ReadFile(filepath.Join(runTokDir, TokenizerCardFile))
	}
	// The data an earlier run prepared the same way, keyed as a new run's
	// (a named tokenizer or a fine-tuned model is never cached).
	var cached string
	if s.Tokenizer == "" && (!resumed || gone != nil) {
		cached = prepCacheFile(s, spec, arch, base)
	}
	if gone != nil && (cached == "" || readPreparedKey(s.OutDir) != filepath.Base(cached)) {
		return nil, gone
	}
	if cached != "" {
		if err := linkOrCopy(cached, prepPath); err == nil {
			if prep, err := LoadPrepared(prepPath); err == nil {
				if resumed {
					if err := checkCheckpointData(s, prep); err != nil {
						_ = os.Remove(prepPath) // not the run's own
						return nil, err
					}
				}
				writePreparedKey(s.OutDir, cached, log)
				fmt.Fprintf(log, "using the tokenised data an earlier run prepared the same way (%s; %s)\n", cached, prepCounts(prep))
				now := time.Now() // recently used: the last the pruning removes
				_ = os.Chtimes(cached, now, now)
				return prep, nil
			}
			_ = os.Remove(prepPath) // unreadable: prepared again below, and cached anew
		}
		if gone != nil {
			return nil, gone
		}
	}
	if s.Tokenizer != "" && runTok == nil {
		tok, err := tokenizer.LoadViT(s.Tokenizer)
		if err != nil {
			return nil, err
		}
		spec.Tokenizer = tok
		tokCard, _ = os.ReadFile(filepath.Join(s.Tokenizer, TokenizerCardFile))
	}
	if base != nil {
		c := base.Model.Config
		arch = c
		w, _ := base.ImageSize()
		spec.Tokenizer, spec.Size, spec.Vocab, spec.PromptLength = base.Tokenizer, w, []string{}, c.PromptLength()
		if c.Tessera != nil && len(c.Tessera.PromptVocab) > 0 {
			spec.Vocab = c.Tessera.PromptVocab
			spec.StyleWords = c.Tessera.StyleWords
		}
		if base.Prompt == nil {
			fmt.Fprintf(log, "fine-tuning the unconditional model %s: captions are not used\n", base.Name)
		}
	}
	if runTok != nil {
		spec.Tokenizer = runTok
		fmt.Fprintf(log, "tokenising the data again (no %s) with the run's own tokenizer in %s, which its checkpoint was trained with\n", PreparedFile, runTokDir)
	}
	if s.Replay > 0 {
		if err := addReplay(ctx, s, base, &spec, log); err != nil {
			return nil, err
		}
	}
	// Shapes are drawn at the size the images end at: the base model's, a
	// ViT tokenizer's or the settings'.
	trainSet, valSet, err := LoadDataset(ctx, s.Data, spec.Side(), spec.Vocab, log)
	if err != nil {
		return nil, err
	}
	prep, err := prepare.Prepare(ctx, trainSet, valSet, spec, arch, log)
	if err != nil {
		return nil, err
	}
	prep.TokenizerCard = tokCard
	if resumed { // its own tokenizer, or a base model's or a tokenizer folder's
		if err := checkCheckpointData(s, prep); err != nil {
			return nil, err // not saved: the next call would take it for the run's own
		}
	}
	if err := SavePrepared(prepPath, prep); err != nil {
		return nil, err
	}
	if cached != "" {
		// (The link's error was scoped to the MkdirAll's if, and its
		// failure went unsaid.)
		err := os.MkdirAll(filepath.Dir(cached), 0o755)
		if err == nil {
			err = linkOrCopy(prepPath, cached)
		}
		if err != nil {
			fmt.Fprintf(log, "warning: the tokenised data is not kept for later runs: %v\n", err)
		} else {
			writePreparedKey(s.OutDir, cached, log)
		}
		pruneCache(filepath.Dir(cached), prepCacheKeep)
	}
	return prep, nil
}

// errCodebookGone marks runTokenizer's error for a run that holds no
// tokenizer of its own and takes none from a base model or a tokenizer
// folder.
var errCodebookGone = errors.New("its codebook is gone")

// PreparedKeyFile names, in a run folder, the file of the prepared-data
// cache (Settings.PrepCache) the run's prepared data was taken from or
// kept in: the one cached file a resume whose prepared data was deleted
// may take back.
const PreparedKeyFile = "prepared.key"

// writePreparedKey records in dir that its prepared data is the cache's
// file cached; a failure is logged (a resume without the prepared data is
// then refused, as before the cache).
func writePreparedKey(dir, cached string, log io.Writer) {
	if err := atomicfile.WriteBytes(filepath.Join(dir, PreparedKeyFile), []byte(filepath.Base(cached)+"\n")); err != nil {
		fmt.Fprintf(log, "warning: %v\n", err)
	}
}

// readPreparedKey is the cached file's name writePreparedKey recorded in
// dir, "" when none.
func readPreparedKey(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, PreparedKeyFile))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// runTokenizer is the image tokenizer the run in s.OutDir trained its
// checkpoint with, to tokenise its data again, and the folder it is read
// from: the run's copy of a ViT tokenizer (tokenizer/, where
// SavePrepared keeps it), else the one its exported model carries
// (model/: a ViT tokenizer or a k-means codebook). A run that fine-tunes
// base or tokenises with a ViT tokenizer folder it names can take those
// again (nil, no error); a run on a k-means codebook that exported no
// model has lost its codebook, and the error says so (learning another
// would train the checkpoint on codes it never saw).
func runTokenizer(s Settings, base *bundle.Bundle) (tokenizer.Tokenizer, string, error) {
	md := train.RunModelDir(s.OutDir)
	for _, d := range []string{filepath.Join(s.OutDir, runTokenizerDir), md} {
		if tokenizer.Exists(d) {
			tok, err := tokenizer.LoadViT(d)
			if err != nil {
				return nil, "", fmt.Errorf("the run's own tokenizer: %w", err)
			}
			return tok, d, nil
		}
	}
	switch cb, err := codebook.Load(filepath.Join(md, bundle.CodebookFile)); {
	case err == nil:
		return tokenizer.Codebook{Codebook: cb}, md, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, "", fmt.Errorf("the run's own codebook: %w", err)
	case base != nil || s.Tokenizer != "":
		return nil, "", nil
	}
	return nil, "", fmt.Errorf("%s: its tokenised data (%s) is gone, and with it the codebook its checkpoint was trained with (no exported model in %s holds it): a new codebook would not fit the checkpoint, which is kept as it was: put %s back, or train a new run in another folder (%w)", s.OutDir, PreparedFile, md, PreparedFile, errCodebookGone)
}

// checkCheckpointData refuses data tokenised again for a run with a
// checkpoint (its prepared data deleted; with the run's own tokenizer, its
// base model's or the tokenizer folder it names) that the checkpoint was
// not trained on: captions with other words or longer prompts, or another
// number of training examples; it said only "checkpoint.safetensors was
// trained with a different model config" (or "on 14 examples, not 16").
func checkCheckpointData(s Settings, prep *prepare.Prepared) error {
	ck, err := train.ReadCheckpointHeader(filepath.Join(s.OutDir, train.CheckpointFile))
	if err != nil {
		return fmt.Errorf("read the run's checkpoint: %w", err)
	}
	var changes []string
	words := func(c model.Config) []string {
		if c.Tessera == nil {
			return nil
		}
		return c.Tessera.PromptVocab
	}
	was, now := words(ck.Config), words(prep.Config)
	if added := wordsNotIn(now, was); len(added) > 0 {
		changes = append(changes, "its captions have words the run never trained on: "+strings.Join(added, ", "))
	}
	if gone := wordsNotIn(was, now); len(gone) > 0 {
		changes = append(changes, "its captions no longer have words the run trained on: "+strings.Join(gone, ", "))
	}
	if a, b := ck.Config.PromptLength(), prep.Config.PromptLength(); a != b {
		changes = append(changes, fmt.Sprintf("its prompts are up to %s long, not %d", plural.N(b, "word", "words"), a))
	}
	if ck.Examples != len(prep.Train) {
		changes = append(changes, fmt.Sprintf("it makes %s, not the %d the run trained on", plural.N(len(prep.Train), "training example", "training examples"), ck.Examples))
	}
	if len(changes) == 0 {
		if train.SameConfig(ck.Config, prep.Config) {
			return nil
		}
		changes = append(changes, "the model it makes is not the checkpoint's")
	}
	return fmt.Errorf("the data changed since the run in %s tokenised it (%s): its checkpoint cannot go on with it and is kept as it was: put the data %s back as it was (or the run's %s), or train a new run on it in another folder", s.OutDir, strings.Join(changes, "; "), s.Data, PreparedFile)
}

// wordsNotIn are the words of a that b lacks, in a's order.
func wordsNotIn(a, b []string) []string {
	var out []string
	for _, w := range a {
		if !slices.Contains(b, w) {
			out = append(out, w)
		}
	}
	return out
}

// prepCounts says how many examples prepared data holds: training ones, and
// replayed ones where a fine-tune replays.
func prepCounts(p *prepare.Prepared) string {
	s := plural.N(len(p.Train), "training example", "training examples")
	if len(p.Replay) > 0 {
		s += fmt.Sprintf(", %d to replay", len(p.Replay))
	}
	return s
}

// sameData reports whether a and b name one dataset: a built-in name, or
// one folder however written.
func sameData(a, b string) bool {
	if bundle.IsFolder(a) && bundle.IsFolder(b) {
		return sameFolder(a, b)
	}
	return a == b
}

// ReplayMissing says why a fine-tune that replays only if it can
// (Settings.ReplayIfPresent, the Train tab's "Keep what it drew") would
// train on its data alone: what its model was trained on is not known, or
// is not on this computer (an error wrapping data.ErrNotFound that says
// how to fetch it); nil when it replays, or replays nothing anyway. It
// only looks for the files, so that the studio can ask before the run.
func ReplayMissing(ctx context.Context, s Settings) error {
	if s.Init == nil || s.Replay <= 0 || !s.ReplayIfPresent {
		return nil
	}
	name := s.ReplayData
	if name == "" {
		var err error
		if name, err = replaySource(s.Init); err != nil {
			return fmt.Errorf("what %s was trained on is not known: %w", s.Init.Name, err)
		}
	}
	switch {
	case name == "emoji":
		return data.EmojiPresent("")
	case name == "mnist":
		return data.MNISTPresent(ctx)
	case bundle.IsFolder(name):
		if fi, err := os.Stat(name); err != nil || !fi.IsDir() {
			return fmt.Errorf("the folder %s it was trained on is not there: %w", name, data.ErrNotFound)
		}
	}
	return nil
}

// addReplay loads the pictures a fine-tune replays (Settings.Replay): the
// training split of s.ReplayData, else of the data base was trained on
// (ModelData), into spec.Replay, with that data's style-word dropout.
func addReplay(ctx context.Context, s Settings, base *bundle.Bundle, spec *prepare.Spec, log io.Writer) error {
	if base == nil {
		return errors.New("replay: no model being fine-tuned")
	}
	name := s.ReplayData
	if name == "" {
		var err error
		if name, err = replaySource(base); err != nil && s.ReplayIfPresent {
			fmt.Fprintf(log, "warning: no replay: what %s was trained on is not known; the fine-tune trains on its data alone\n", base.Name)
			return nil
		} else if err != nil {
			return err
		}
	}
	// Said once the data is found (it was said, then "no replay"), in
	// lines of its own: the loader's warnings (the pictures held out for
	// validation, captions read as Windows-1252) read as if about the data
	// trained on; its skipped files are said.
	var loaded data.Report
	trainSet, _, err := loadDataset(ctx, name, spec.Side(), nil, func(r data.Report) { loaded = r })
	if err == nil {
		if own, err := replaySource(base); err == nil && sameData(own, name) {
			fmt.Fprintf(log, "replay: %.0f%% of each batch from what %s was trained on (%s)\n", 100*s.Replay, base.Name, name)
		} else {
			fmt.Fprintf(log, "replay: %.0f%% of each batch from %s\n", 100*s.Replay, name)
		}
		fmt.Fprintf(log, "replay: %s of %s's training split", plural.N(len(trainSet), "picture", "pictures"), name)
		if loaded.Skipped > 0 {
			fmt.Fprintf(log, " (%s skipped)", plural.N(loaded.Skipped, "file", "files"))
		}
		fmt.Fprintln(log)
		for _, p := range loaded.Problems {
			fmt.Fprintln(log, "  replay skipped:", p)
		}
	}
	if err != nil && s.ReplayIfPresent && (errors.Is(err, data.ErrNotFound) || errors.Is(err, fs.ErrNotExist)) {
		fmt.Fprintf(log, "warning: no replay: %v; the fine-tune trains on its data alone and may forget what the model drew\n", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("replay data %s: %w", name, err)
	}
	spec.Replay, spec.ReplayStyleDrop = trainSet, Preset(name).StyleDrop
	return nil
}

// replaySource is the data base was trained on, for replay: a built-in
// dataset or the folder its run recorded (ModelData), else an error.
func replaySource(base *bundle.Bundle) (string, error) {
	name := ModelData(base)
	if !slices.Contains(Datasets(), name) && !bundle.IsFolder(name) {
		return "", fmt.Errorf("replay: what %s was trained on is not known: name it (--replay-data emoji, mnist, shapes or a folder)", base.Name)
	}
	return name, nil
}

// prepCacheKeep is how many tokenised datasets a cache folder keeps: a
// shapes file is about 5 MB, and each build of Tessera (part of the key)
// and each tokenisation setting makes its own, so the folder would
// otherwise only grow.
const prepCacheKeep = 6

// pruneCache removes all but the keep most recently written or used
// (modification time) cached files, *.gob, of dir. Errors are ignored: a
// file left behind costs only space.
func pruneCache(dir string, keep int) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type cachedFile struct {
		path string
		mod  time.Time
	}
	var files []cachedFile
	for _, e := range entries {
		if e.IsDir() || filepath.Ext(e.Name()) != ".gob" {
			continue
		}
		if info, err := e.Info(); err == nil {
			files = append(files, cachedFile{filepath.Join(dir, e.Name()), info.ModTime()})
		}
	}
	slices.SortFunc(files, func(a, b cachedFile) int { return b.mod.Compare(a.mod) })
	for _, f := range files[min(keep, len(files)):] {
		_ = os.Remove(f.path)
	}
}

// prepCacheFormat numbers the layout of the cached files; a change of
// SavePrepared's format bumps it.
const prepCacheFormat = 1

// prepCacheFile is where s.PrepCache keeps the tokenised data that spec
// and arch make of a built-in dataset drawn or read the same way every
// time (shapes, MNIST), trained from scratch with a k-means codebook: a
// file named by a hash of the dataset, the tokenisation (spec, without its
// thread count), the architecture's sequence layout and this executable,
// so that a Tessera that draws or tokenises differently never reads
// another's. "" when there is no cache or the data may change between
// runs (a folder, the emoji packages, a tokenizer or model of its own).
func prepCacheFile(s Settings, spec prepare.Spec, arch model.Config, base *bundle.Bundle) string {
	if s.PrepCache == "" || base != nil || spec.Tokenizer != nil || (s.Data != "shapes" && s.Data != "mnist") {
		return ""
	}
	build, err := executableHash()
	if err != nil {
		return ""
	}
	spec.Workers = 0
	key, err := json.Marshal(struct {
		Format int
		Data   string
		Spec   prepare.Spec
		Arch   model.Config
		Build  string
	}{prepCacheFormat, s.Data, spec, arch, build})
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(key)
	return filepath.Join(s.PrepCache, s.Data+"-"+hex.EncodeToString(sum[:8])+".gob")
}

// executableHash is a SHA-256 of the running executable, read once: on
// Linux through /proc/self/exe, which stays this process's file when an
// upgrade replaces the one at its path (whose hash would name the new
// build's data with this build's).
var executableHash = sync.OnceValues(func() (string, error) {
	exe := "/proc/self/exe"
	if _, err := os.Stat(exe); err != nil {
		if exe, err = os.Executable(); err != nil {
			return "", err
		}
	}
	return filehash.SHA256(exe)
})

// copyFile writes a copy of src at dst (atomically: a partial copy is
// never read as whole), streamed rather than held in memory.
func copyFile(src, dst string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	return atomicfile.Write(dst, func(w io.Writer) error {
		_, err := io.Copy(w, f)
		return err
	})
}

// linkOrCopy puts src's content at dst as a hard link where the file
// system allows one (each shapes or MNIST run kept a 5 MB copy of the
// cached data; both files are only ever replaced whole, never written in
// place), else as a copy (copyFile); either way atomically.
func linkOrCopy(src, dst string) error {
	tmp := dst + ".link"
	_ = os.Remove(tmp)
	if err := os.Link(src, tmp); err == nil {
		if err := os.Rename(tmp, dst); err == nil {
			return nil
		}
		_ = os.Remove(tmp)
	}
	return copyFile(src, dst)
}

// initModel is the model being fine-tuned (nil: none): Init, or the
// folder InitModel names.
func (s Settings) initModel() (*bundle.Bundle, error) {
	if s.Init != nil && s.Init.Model.Released() > 0 {
		// The open model keeps only its reduced weights: fine-tune from
		// the float32 ones on disk, not from their rounding.
		if !bundle.IsFolder(s.Init.Source) {
			return nil, fmt.Errorf("fine-tune: model %s keeps only its reduced-precision weights; open it in f32 to fine-tune it", s.Init.Name)
		}
		s.Init, s.InitModel = nil, s.Init.Source
	}
	if s.Init != nil || s.InitModel == "" {
		return s.Init, nil
	}
	if !bundle.IsFolder(s.InitModel) {
		return nil, fmt.Errorf("fine-tune: open the model %s first (Settings.Init)", s.InitModel)
	}
	b, err := bundle.Load(s.InitModel, model.LoadOptions{})
	if err != nil {
		return nil, fmt.Errorf("fine-tune: %w", err)
	}
	return b, nil
}

// ErrNothingToTrainOn is CheckData's error for a folder with no usable
// picture.
var ErrNothingToTrainOn = errors.New("nothing to train on")

// CheckData examines a folder dataset before it is loaded (the data
// report of data.CheckFolder); built-in datasets have no report (nil). It
// is an error when the folder cannot be read or holds no usable image:
// there would be nothing to train on.
func CheckData(ctx context.Context, name string) (*data.FolderReport, error) {
	if err := checkDataName(name); err != nil || !bundle.IsFolder(name) {
		return nil, err
	}
	rep, err := data.CheckFolder(ctx, name)
	if err != nil {
		return nil, err
	}
	if rep.Usable == 0 {
		lines := rep.Lines()
		lines[0] = strings.TrimSuffix(lines[0], ": nothing to train on") // said first
		for i := range lines {
			lines[i] = strings.TrimSpace(lines[i]) // the report's indents, inside one line
		}
		return rep, fmt.Errorf("%w: %s", ErrNothingToTrainOn, strings.Join(lines, "; "))
	}
	return rep, nil
}

// prepareEdit makes the edit-by-instruction pairs of the six-style emoji
// and tokenises them with the ViT tokenizer in s.Tokenizer, or with base's
// when fine-tuning an edit model (engine/edit). The held-out split keeps
// its own fixed seed, whatever s.Seed, so every run of eval-edits judges
// the same source images.
func prepareEdit(ctx context.Context, s Settings, base *bundle.Bundle, arch model.Config, log io.Writer) (*prepare.Prepared, error) {
	setup, err := editSetup(s, base, arch)
	if err != nil {
		return nil, err
	}
	samples, genders, rep, err := edit.LoadEmoji(ctx, "")
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "loaded %s, skipped %d\n", plural.N(rep.Loaded, "image", "images"), rep.Skipped)
	setup.spec.Genders = genders
	prep, err := edit.Prepare(ctx, samples, setup.spec, edit.Tokenising{Name: EditData, Tokenizer: setup.tok, Workers: s.Threads}, setup.arch, log)
	if err != nil {
		return nil, err
	}
	prep.TokenizerCard = setup.card
	return prep, nil
}

// editPlan is how an edit model's pairs are made and tokenised.
type editPlan struct {
	spec edit.Spec
	tok  tokenizer.Tokenizer
	arch model.Config
	card []byte // TOKENIZER.md, when the tokenizer's folder has one
}

// editSetup plans an edit model's data: from scratch, the ViT tokenizer in
// s.Tokenizer and the architecture arch; when fine-tuning (base non-nil),
// base's own tokenizer, architecture and held-out split, so that its
// held-out sources stay out of training. Errors: a base that is not an
// edit model, a --tokenizer beside a base, a base whose instruction
// vocabulary is not the start of today's (its word rows would not line
// up), a tokenizer that does not load.
func editSetup(s Settings, base *bundle.Bundle, arch model.Config) (editPlan, error) {
	if base == nil {
		if s.Tokenizer == "" {
			return editPlan{}, errors.New("edit data: --tokenizer DIR is required (the emoji model's ViT tokenizer, e.g. assets/models/emoji)")
		}
		vit, err := tokenizer.LoadViT(s.Tokenizer)
		if err != nil {
			return editPlan{}, err
		}
		card, _ := os.ReadFile(filepath.Join(s.Tokenizer, TokenizerCardFile))
		return editPlan{spec: edit.Spec{MaxPerFamily: s.EditPairs}, tok: vit, arch: arch, card: card}, nil
	}
	c := base.Model.Config
	if !c.IsEdit() {
		return editPlan{}, fmt.Errorf("edit data: fine-tune an edit model (%s is a text-to-image model), or train one from scratch", base.Name)
	}
	if s.Tokenizer != "" {
		return editPlan{}, errors.New("edit data: --tokenizer cannot change when fine-tuning: the model's own tokenizer is kept")
	}
	if old, now := c.Tessera.PromptVocab, edit.Vocabulary(); len(old) > len(now) || !slices.Equal(old, now[:len(old)]) {
		return editPlan{}, fmt.Errorf("edit data: %s's instruction vocabulary (%d words) is not the start of today's (%d words): train from scratch", base.Name, len(old), len(now))
	}
	p := editPlan{tok: base.Tokenizer, arch: c}
	p.spec.HeldOut, p.spec.Seed = c.Tessera.Edit.HeldOutFraction, c.Tessera.Edit.SplitSeed
	p.spec.MaxPerFamily = s.EditPairs
	if bundle.IsFolder(base.Source) {
		p.card, _ = os.ReadFile(filepath.Join(base.Source, TokenizerCardFile))
	}
	return p, nil
}

// heldOutWarning names, for a folder's split, the words that only the
// held-out pictures' captions have: the model never trains on them (a
// one-off caption such as "purple star", drawn into validation, was
// dropped without a word), and for a small folder the held-out pictures
// themselves. Words of known (the base model's vocabulary when
// fine-tuning) are taken as learnt (the vocabulary also holds the words
// only the base's own held-out captions had, which it may not have
// learnt). "" when there is nothing to say.
func heldOutWarning(tr, va []data.Sample, known []string) string {
	trained := map[string]bool{}
	for _, w := range known {
		trained[w] = true
	}
	for _, smp := range tr {
		for _, w := range prompt.ReadWords(smp.Caption) {
			trained[w] = true
		}
	}
	var only []string
	for _, smp := range va {
		for _, w := range prompt.ReadWords(smp.Caption) {
			if !trained[w] && !slices.Contains(only, w) {
				only = append(only, w)
			}
		}
	}
	var parts []string
	if len(tr)+len(va) < 2*data.FewImages {
		names := make([]string, len(va))
		for i, smp := range va {
			names[i] = smp.Key
		}
		parts = append(parts, fmt.Sprintf("held out for validation, never trained on: %s", strings.Join(names, ", ")))
	}
	if len(only) > 0 {
		parts = append(parts, fmt.Sprintf("words that only the held-out pictures' captions use are not learnt: %s (one more picture captioned with them trains them)", strings.Join(only, ", ")))
	}
	return strings.Join(parts, "; ")
}
