// Package bundle loads a model folder as a whole: the transformer, its image
// tokenizer (pixels <-> codes: a patch codebook in preprocessor_config.json,
// or a ViT-VQ tokenizer in tokenizer_config.json + tokenizer.safetensors)
// and, for text-conditioned models, its prompt tokenizer. It is the unit the sampler, the CLI and the studio work with.
package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/psnr"
	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/engine/tokenizer"
	"github.com/tessera-studio/tessera/engine/vit"
)

// CodebookFile is the HF preprocessor file that holds the codebook.
const CodebookFile = "preprocessor_config.json"

// Bundle is a loaded model folder.
type Bundle struct {
	// Name is what the user calls the model: a built-in name or the folder's base name.
	Name string
	// Source is the folder path, or "builtin:NAME" for an embedded model.
	Source string
	Model  *model.Model
	// Tokenizer maps pixels to codes and back.
	Tokenizer tokenizer.Tokenizer
	// Codebook is the patch codebook when the tokenizer is one (nil for a
	// ViT tokenizer).
	Codebook *codebook.Codebook
	// Prompt is nil for unconditional models (OpenAI's checkpoints).
	Prompt *prompt.Tokenizer
	// Names are the names of what the model learnt to draw (NamesFile
	// beside the weights; nil without one): the emoji names of the emoji
	// model, which Describe ranks with the model's style words.
	Names []string
	// Chars maps names to the emoji characters they name ("rocket" → "🚀"),
	// from NamesFile's second column; ReadPrompt reads those characters in
	// a prompt as their names. Set it with SetNames, which makes the reader.
	Chars map[string]string
	// Common maps names to the names people know the same thing by, where
	// those say it in other words ("heavy black heart" → "red heart"), from
	// NamesFile's third column: Describe shows those.
	Common map[string]string
	// emojiReader replaces Chars' characters in a prompt by their names
	// (nil without Chars): made once, when the names are read.
	emojiReader *strings.Replacer
}

// NamesFile is Tessera's own file, beside config.json, listing the names a
// model learnt to draw, one a line ("cat face"), each optionally followed by
// a tab and the emoji characters it names ("cat face\t🐱") and by another
// tab and the name people know it by where that says it in other words
// ("heavy black heart\t❤\tred heart"); optional.
const NamesFile = "names.txt"

// NameTable is a NamesFile's contents: the names a model learnt to draw,
// in order, the emoji characters each names (the second column; absent
// for most models) and the common name of each (the third; see
// Bundle.Common).
type NameTable struct {
	Names         []string
	Chars, Common map[string]string
}

// ParseNames reads a NamesFile's names: one a line, blank lines and lines
// starting with # skipped, anything after a tab left out.
func ParseNames(data []byte) []string { return ParseNamesFile(data).Names }

// ParseNamesFile reads a NamesFile.
func ParseNamesFile(data []byte) NameTable {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a byte-order mark, as Windows editors save UTF-8: no part of the first name
	t := NameTable{Chars: map[string]string{}, Common: map[string]string{}}
	for _, line := range strings.Split(string(data), "\n") {
		cols := strings.SplitN(line, "\t", 3)
		name := strings.TrimSpace(cols[0])
		if name == "" || strings.HasPrefix(name, "#") {
			continue
		}
		t.Names = append(t.Names, name)
		if len(cols) > 1 && hasEmojiRune(strings.TrimSpace(cols[1])) {
			t.Chars[name] = strings.TrimSpace(cols[1]) // emoji only: a plain "X" would be read inside words
		}
		if len(cols) > 2 {
			common, _, _ := strings.Cut(cols[2], "\t") // (a later column: not part of it)
			if c := strings.Join(strings.Fields(common), " "); c != "" && c != name {
				t.Common[name] = c
			}
		}
	}
	return t
}

// setNames sets b's names from a NamesFile's contents.
func (b *Bundle) setNames(data []byte) { b.SetNames(ParseNamesFile(data)) }

// SetNames sets the names b learnt to draw, the emoji characters each
// names (none when nil), which ReadPrompt then reads as the names, and
// their common names.
func (b *Bundle) SetNames(t NameTable) {
	b.Names, b.Chars, b.Common = t.Names, t.Chars, t.Common
	b.emojiReader = emojiReader(t.Chars)
}

// NameTable is what b's NamesFile says.
func (b *Bundle) NameTable() NameTable {
	return NameTable{Names: b.Names, Chars: b.Chars, Common: b.Common}
}

// CommonName is the name people know name by (Common), else name.
func (b *Bundle) CommonName(name string) string {
	if c := b.Common[name]; c != "" {
		return c
	}
	return name
}

// Format is t as a NamesFile.
func (t NameTable) Format() []byte {
	var sb strings.Builder
	for _, n := range t.Names {
		sb.WriteString(n)
		c, common := t.Chars[n], t.Common[n]
		if c != "" || common != "" {
			sb.WriteString("\t" + c)
		}
		if common != "" {
			sb.WriteString("\t" + common)
		}
		sb.WriteString("\n")
	}
	return []byte(sb.String())
}

// emojiReader replaces emoji characters by their names, the longest
// sequence first (a family before its people). Skin-tone modifiers are
// taken out of the text first and said after it in words ("👩🏽‍🚀" is
// "woman astronaut medium skin tone", as the captions put it; the
// modifiers' own emoji.json names, "emoji modifier fitzpatrick type 4",
// are not used), and what no name took of a sequence's glue (U+200D,
// U+FE0E, tag characters) is dropped. nil for no characters.
func emojiReader(chars map[string]string) *strings.Replacer {
	type pair struct{ old, name string }
	pairs := make([]pair, 0, len(chars))
	for name, c := range chars {
		if r := []rune(c); len(r) != 1 || !isSkinTone(r[0]) {
			pairs = append(pairs, pair{c, name})
		}
	}
	if len(pairs) == 0 {
		return nil
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		if d := len(b.old) - len(a.old); d != 0 {
			return d
		}
		if d := strings.Compare(a.old, b.old); d != 0 {
			return d
		}
		return strings.Compare(a.name, b.name) // two names of one emoji: always the same one
	})
	args := make([]string, 0, 2*len(pairs))
	for _, p := range pairs {
		args = append(args, p.old, " "+p.name+" ")
	}
	return strings.NewReplacer(args...)
}

// emojiGlue drops what is left of emoji sequences once their names are
// read: joiners, text-style selectors and tag characters.
var emojiGlue = strings.NewReplacer(append([]string{"\u200D", " ", "\uFE0E", ""}, tagChars()...)...)

// tagChars are the tag characters U+E0020…U+E007F (flags of England,
// Scotland, Wales), each paired with "" for strings.NewReplacer.
func tagChars() []string {
	var out []string
	for r := rune(0xE0020); r <= 0xE007F; r++ {
		out = append(out, string(r), "")
	}
	return out
}

// readEmoji is text with the emoji characters b's names stand for read as
// the names (ReadPrompt), each skin tone said after the name of its emoji
// (moveTones), as the captions put it: "👍🏽 openmoji" is "thumbs up sign
// medium skin tone openmoji".
func (b *Bundle) readEmoji(text string) string {
	text = moveTones(strings.ReplaceAll(text, "\uFE0F", ""))
	text = skinToneWords.Replace(emojiGlue.Replace(b.emojiReader.Replace(text)))
	return strings.Join(strings.Fields(text), " ")
}

// skinToneWords replaces each skin-tone modifier by the words the emoji
// captions say it with (data.SkinToneOf).
var skinToneWords = func() *strings.Replacer {
	var args []string
	for r := rune(0x1F3FB); r <= 0x1F3FF; r++ {
		tone, _ := data.SkinToneOf(r)
		args = append(args, string(r), " "+tone+" ")
	}
	return strings.NewReplacer(args...)
}()

// isSkinTone reports whether r is a skin-tone modifier (U+1F3FB…U+1F3FF).
func isSkinTone(r rune) bool {
	_, ok := data.SkinToneOf(r)
	return ok
}

// hasEmojiRune reports whether text holds a rune from U+00A9 (©, the
// first emoji) up: text of plain ASCII holds no emoji to read.
func hasEmojiRune(text string) bool {
	return strings.ContainsFunc(text, func(r rune) bool { return r >= 0xA9 })
}

// moveTones moves each skin-tone modifier to the end of the emoji sequence
// it is in (after the joiner-linked emoji that follow it), so that the
// sequence matches its name without it: "👩🏽‍🚀" becomes "👩‍🚀🏽", read
// "woman astronaut medium skin tone".
func moveTones(text string) string {
	rs := []rune(text)
	out := make([]rune, 0, len(rs))
	var pending []rune
	for i, r := range rs {
		if isSkinTone(r) {
			pending = append(pending, r)
			continue
		}
		out = append(out, r)
		var next rune
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		goesOn := r == 0x200D || next == 0x200D || isSkinTone(next) || next >= 0xE0020 && next <= 0xE007F
		if len(pending) > 0 && !goesOn {
			out, pending = append(out, pending...), nil
		}
	}
	return string(append(out, pending...))
}

// Load reads a model folder from disk.
func Load(dir string, opt model.LoadOptions) (*Bundle, error) {
	b, err := load(dir, opt)
	if err != nil {
		return nil, err
	}
	switch names, err := os.ReadFile(filepath.Join(dir, NamesFile)); {
	case err == nil && !utf8.Valid(names):
		// Tessera writes it as UTF-8 text: bytes that are not were read
		// as names no prompt has, and describe fell back to others.
		return nil, fmt.Errorf("load %s: %s is not UTF-8 text (saved as UTF-16 by an editor, or damaged): save it as UTF-8, or remove it (it lists the names the model draws, for describe and the prompt's completions)", dir, NamesFile)
	case err == nil:
		b.setNames(names)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("load %s: %w", dir, err)
	}
	return b, nil
}

// load is Load without the names file.
func load(dir string, opt model.LoadOptions) (*Bundle, error) {
	m, err := model.Load(dir, opt)
	if err != nil {
		return nil, err
	}
	abs, _ := filepath.Abs(dir)
	if abs == "" {
		abs = dir
	}
	if tokenizer.Exists(dir) {
		tok, err := tokenizer.LoadViT(dir)
		if err != nil {
			return nil, err
		}
		return assemble(FolderName(abs), abs, m, tok)
	}
	cb, err := codebook.Load(filepath.Join(dir, CodebookFile))
	if errors.Is(err, fs.ErrNotExist) {
		// Neither tokenizer: name both, and the half of a ViT one found.
		msg := fmt.Sprintf("no image tokenizer: neither %s (a patch codebook) nor %s with %s (a ViT-VQ tokenizer)", CodebookFile, vit.ConfigFile, vit.WeightsFile)
		if _, werr := os.Stat(filepath.Join(dir, vit.WeightsFile)); werr == nil {
			msg = fmt.Sprintf("no image tokenizer: %s is there but %s, its configuration, is missing (and there is no %s)", vit.WeightsFile, vit.ConfigFile, CodebookFile)
		}
		return nil, fmt.Errorf("load %s: %s: %w", abs, msg, err)
	}
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", dir, err)
	}
	return assemble(FolderName(abs), abs, m, tokenizer.Codebook{Codebook: cb})
}

// RunRecordFile is a training run folder's record (trainjob.RecordFile),
// beside the model folder the run exports.
const RunRecordFile = "run.json"

// runModel reports whether the model folder abs is a training run's model
// (RUN/model, beside the run's record).
func runModel(abs string) bool {
	if filepath.Base(abs) != "model" {
		return false
	}
	_, err := os.Stat(filepath.Join(filepath.Dir(abs), RunRecordFile))
	return err == nil
}

// FolderName is what a model folder is called (Bundle.Name, less a name
// its configuration gives): its base name, or for a
// training run's model its run folder's ("icons-20261203-093533"), as the
// studio's model picker names it (two runs on one folder of pictures were
// both called by the folder's name), and for a Hugging Face cache
// snapshot its repository's ("imagegpt-small", not the commit's hash).
func FolderName(abs string) string {
	if runModel(abs) {
		return filepath.Base(filepath.Dir(abs))
	}
	// A Hugging Face cache snapshot, …/models--openai--imagegpt-small/
	// snapshots/<commit>: the repository's name, not the commit's hash.
	if parent := filepath.Dir(abs); filepath.Base(parent) == "snapshots" {
		if repo, ok := strings.CutPrefix(filepath.Base(filepath.Dir(parent)), "models--"); ok && repo != "" {
			parts := strings.Split(repo, "--")
			return parts[len(parts)-1]
		}
	}
	return filepath.Base(abs)
}

// LoadFS reads a model folder from a file system (an embedded model); name
// is the model's built-in name.
func LoadFS(fsys fs.FS, dir, name string) (*Bundle, error) {
	b, err := loadFS(fsys, dir, name)
	if err != nil {
		return nil, err
	}
	if names, err := fs.ReadFile(fsys, path.Join(dir, NamesFile)); err == nil {
		b.setNames(names)
	}
	return b, nil
}

// loadFS is LoadFS without the names file.
func loadFS(fsys fs.FS, dir, name string) (*Bundle, error) {
	read := func(file string) ([]byte, error) {
		data, err := fs.ReadFile(fsys, path.Join(dir, file))
		if err != nil {
			return nil, fmt.Errorf("built-in model %s: %w", name, err)
		}
		return data, nil
	}
	cfg, err := read(model.ConfigFile)
	if err != nil {
		return nil, err
	}
	weights, err := read(model.WeightsFile)
	if err != nil {
		return nil, err
	}
	m, err := model.Parse(name, cfg, weights)
	if err != nil {
		return nil, err
	}
	if _, err := fs.Stat(fsys, path.Join(dir, vit.ConfigFile)); err == nil {
		tok, err := tokenizer.LoadViTFS(fsys, dir, "built-in model "+name)
		if err != nil {
			return nil, err
		}
		return assemble(name, "builtin:"+name, m, tok)
	}
	cbData, err := read(CodebookFile)
	if err != nil {
		return nil, err
	}
	cb, err := codebook.Parse(cbData)
	if err != nil {
		return nil, fmt.Errorf("built-in model %s: %w", name, err)
	}
	return assemble(name, "builtin:"+name, m, tokenizer.Codebook{Codebook: cb})
}

// FromParts assembles a bundle from a transformer and its patch codebook,
// checking they fit together.
func FromParts(name, source string, m *model.Model, cb *codebook.Codebook) (*Bundle, error) {
	return assemble(name, source, m, tokenizer.Codebook{Codebook: cb})
}

// FromTokenizer assembles a bundle from a transformer and any image
// tokenizer, checking they fit together.
func FromTokenizer(name, source string, m *model.Model, tok tokenizer.Tokenizer) (*Bundle, error) {
	return assemble(name, source, m, tok)
}

func assemble(name, source string, m *model.Model, tok tokenizer.Tokenizer) (*Bundle, error) {
	c := m.Config
	what := "codebook"
	if !tok.Local() {
		what = "ViT tokenizer"
	}
	if k := tok.Codes(); k != c.Codes() {
		if w := c.PromptWords(); w > 0 {
			// The image codes are what vocab_size leaves beside the
			// prompt's words: a word added to tessera.prompt_vocab is
			// one code fewer (it blamed the codebook alone).
			return nil, fmt.Errorf("model %s: the %s has %d codes but config.json makes %d image codes (vocab_size %d less %d prompt words in tessera.prompt_vocab and the start token): vocab_size or prompt_vocab was changed, or the %s is another model's",
				name, what, k, c.Codes(), c.VocabSize, w, what)
		}
		return nil, fmt.Errorf("model %s: the %s has %d codes but the model has %d image codes", name, what, k, c.Codes())
	}
	if p := tok.PatchSize(); p != c.PatchSize() {
		return nil, fmt.Errorf("model %s: %s patches are %d×%d but the model expects %d×%d", name, what, p, p, c.PatchSize(), c.PatchSize())
	}
	b := &Bundle{Name: name, Source: source, Model: m, Tokenizer: tok}
	if cb, ok := tok.(tokenizer.Codebook); ok {
		b.Codebook = cb.Codebook
		if sz := cb.Size; sz != [2]int{} {
			// An HF ImageGPT draws size×size pictures; a config.json whose
			// n_positions makes another grid drew 8×6 pictures without a
			// word (transformers fails on it).
			w, h := c.ImageSize()
			if sz != [2]int{h, w} {
				rows, cols := c.Grid()
				return nil, fmt.Errorf("model %s: %s's size is %d×%d px but config.json makes %d×%d-px pictures (n_positions %d: %d×%d patches of %d px): they describe different models",
					name, CodebookFile, sz[1], sz[0], w, h, c.NPositions, cols, rows, c.PatchSize())
			}
		}
	}
	if v, ok := tok.(*tokenizer.ViT); ok {
		if rows, cols := c.Grid(); cols != v.Config.Grid() || rows != v.Config.Grid() {
			return nil, fmt.Errorf("model %s: grid %dx%d does not match the ViT tokenizer's %dx%d", name, rows, cols, v.Config.Grid(), v.Config.Grid())
		}
	}
	if c.PromptLength() > 0 {
		if n := c.Name(); n != "" && source != "builtin:"+name && !runModel(source) {
			b.Name = n
		}
		tok, err := prompt.New(c.Tessera.PromptVocab, c.PromptLength(), c.Codes())
		if err != nil {
			return nil, fmt.Errorf("model %s: %w", name, err)
		}
		b.Prompt = tok
		tok.SetWeights(WordWeights(b))
	}
	return b, nil
}

// Conditional reports whether the model takes a text prompt.
func (b *Bundle) Conditional() bool { return b.Prompt != nil }

// Grid is the image size in patches (rows, cols).
func (b *Bundle) Grid() (rows, cols int) { return b.Model.Config.Grid() }

// ImageTokens is the number of codes in one image (the model's N).
func (b *Bundle) ImageTokens() int { return b.Model.Config.ImageTokens() }

// ImageSize is the image size in pixels.
func (b *Bundle) ImageSize() (w, h int) { return b.Model.Config.ImageSize() }

// DrawsPicture reports whether codes, recorded with a picture (a Tessera
// PNG's record), still draw it, so that a reader may take them rather than
// encode the picture: its pixels at the codes' size (codebook.AtSize),
// on white, against the codes decoded on white (a stopped image's missing
// patches are transparent in both) are within StoredExactDB, or at most
// StoredSlackDB worse than the picture encoded afresh (a masked edit keeps
// its source's own pixels beside codes that draw them only as well as the
// tokenizer can). A picture painted over since, its record kept, fails
// both. db is the PSNR of the codes' picture; it works at the model's
// grid only (a taller picture is the caller's).
func (b *Bundle) DrawsPicture(img image.Image, codes []int) (ok bool, db float64) {
	w, h := b.ImageSize()
	pic := codebook.AtSize(img, w, h)
	db = psnr.Images(pic, codebook.Flatten(b.Decode(codes)))
	if db >= StoredExactDB {
		return true, db
	}
	fresh, err := b.Encode(pic)
	if err != nil {
		return false, db
	}
	return db >= psnr.Images(pic, b.Decode(fresh))-StoredSlackDB, db
}

// SourceCodes are the codes b reads for the picture img whose codes are
// recorded as codes (a Tessera PNG's record, or the image a studio holds;
// nil: none): codes themselves where they are b's (one of b's codes for
// each patch of its grid) and draw img (DrawsPicture), else img encoded
// by b. Recorded codes that draw the picture are its exact codes: its
// pixels encoded again move some of them (a ViT tokenizer's decode is no
// code's fixed point), so an edit of the file by `tessera edit` and one
// of the same picture in the studio read another source unless both take
// them here. stored says which was taken; db is the PSNR of the recorded
// codes' picture (NaN where they were not looked at: none, or not b's).
func (b *Bundle) SourceCodes(img image.Image, codes []int) (out []int, stored bool, db float64, err error) {
	db = math.NaN()
	if len(codes) == b.ImageTokens() && !slices.ContainsFunc(codes, func(c int) bool { return c < 0 || c >= b.Codes() }) {
		var ok bool
		if ok, db = b.DrawsPicture(img, codes); ok {
			return slices.Clone(codes), true, db, nil
		}
	}
	if out, err = b.Encode(img); err != nil {
		return nil, false, db, fmt.Errorf("encode the picture for %s: %w", b.Name, err)
	}
	return out, false, db, nil
}

// StoredExactDB and StoredSlackDB are DrawsPicture's bounds (dB): a file
// Tessera wrote draws at +Inf (45–47 dB for a sticker, 22–24 dB after a 2×
// smooth export), a face half painted black about 5 dB.
const (
	StoredExactDB = 30
	StoredSlackDB = 6
)

// Decode turns codes into a picture (a partial sequence leaves the rest transparent).
func (b *Bundle) Decode(codes []int) *image.NRGBA {
	rows, cols := b.Grid()
	return b.Tokenizer.Decode(codes, rows, cols)
}

// Encode resizes an image to the model's size and maps it to codes.
func (b *Bundle) Encode(img image.Image) ([]int, error) {
	rows, cols := b.Grid()
	return b.Tokenizer.Encode(img, rows, cols)
}

// RoundTrip is img encoded and decoded by b's image tokenizer (at b's
// size): the closest b can draw img (nearest.Copies). It fails as Encode
// does.
func (b *Bundle) RoundTrip(img image.Image) (image.Image, error) {
	codes, err := b.Encode(img)
	if err != nil {
		return nil, err
	}
	return b.Decode(codes), nil
}

// PatchSize is the side of a patch in pixels.
func (b *Bundle) PatchSize() int { return b.Tokenizer.PatchSize() }

// Codes is K, the number of image codes.
func (b *Bundle) Codes() int { return b.Tokenizer.Codes() }

// PromptIDs tokenizes a prompt: the L prompt ids (all PAD for "" or an
// unconditional model) plus the words left out and cut. A style named in
// words ("rocket in the openmoji style") is read as the model's style word
// (ReadPrompt).
func (b *Bundle) PromptIDs(text string) prompt.Encoded {
	if b.Prompt == nil {
		return prompt.Encoded{}
	}
	return b.Prompt.Encode(b.ReadPrompt(text))
}

// ReadPrompt is text as the model reads it: emoji characters read as the
// names they stand for (Chars: "🚀 twemoji" is "rocket twemoji"), and with a style named in words
// rewritten to the style word the model's captions end with
// (prompt.StylePhrase; the emoji styles' other names, data.StyleAliases,
// read as the style they name), for a model with style words that does not know
// "style" as a word of its own; text otherwise.
func (b *Bundle) ReadPrompt(text string) string {
	ext := b.Model.Config.Tessera
	if b.Prompt == nil || ext == nil {
		return text
	}
	if b.emojiReader != nil && hasEmojiRune(text) {
		// Emoji written as themselves ("🚀", "🐱 twemoji"): their names.
		text = b.readEmoji(text)
	}
	text = b.dropArticle(text)
	return b.Prompt.ReadStyle(text, ext.StyleWords, data.StyleAliases())
}

// leadingArticle is an article that begins a prompt, and the space after.
var leadingArticle = regexp.MustCompile(`(?i)^\s*(a|an|the)\s+`)

// dropArticle is text without the article it begins with ("a dog face":
// "dog face") for a model with names (Names) where no name begins with
// that article and the next word: the emoji model's names begin with none
// but "a button blood type", and the word "a" it learnt from it (and from
// "latin capital letter a") drew the A button for "a dog face". Text is
// unchanged otherwise.
func (b *Bundle) dropArticle(text string) string {
	m := leadingArticle.FindStringIndex(text)
	if m == nil || len(b.Names) == 0 {
		return text
	}
	words := prompt.ReadWords(text)
	if len(words) < 2 {
		return text
	}
	begins := func(name string) bool {
		w := prompt.ReadWords(name)
		return len(w) >= 2 && w[0] == words[0] && w[1] == words[1]
	}
	for _, n := range b.Names {
		if begins(n) || begins(b.Common[n]) {
			return text
		}
	}
	return text[m[1]:]
}

// IsFolder reports whether a model or dataset name given by a user names a
// folder rather than a built-in: it holds a "/" (or the system's path
// separator), or is ".". "./emoji" is the folder, "emoji" the built-in.
func IsFolder(name string) bool {
	return name == "." || strings.ContainsRune(name, '/') || strings.ContainsRune(name, filepath.Separator)
}

// Record is the PNG metadata record of an image of b: its codes (raster
// order; a taller image's rows too), the sampling settings that made it
// (with the image's own seed) and the precision b samples in, and the
// model and image facts. version is the writing program, e.g. "tessera
// 0.1.0". For a picture nothing sampled (imported from a file) the
// caller passes no settings and clears the precision.
func (b *Bundle) Record(version string, s sampling.Settings, tokens []int) pngmeta.Record {
	rows, cols := b.Grid()
	w, h := b.ImageSize()
	return pngmeta.Record{
		Settings: s, Precision: b.Model.Precision(), Version: version, Model: b.Name, ModelHash: b.Model.Hash,
		Width: w, Height: h, Grid: [2]int{rows, cols}, PatchSize: b.PatchSize(),
		Tokens: append([]int(nil), tokens...),
	}
}
