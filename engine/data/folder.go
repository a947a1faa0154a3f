package data

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	textunicode "golang.org/x/text/encoding/unicode"

	"github.com/tessera-studio/tessera/engine/codebook" // registers the image formats it reads
	"github.com/tessera-studio/tessera/engine/orient"
	"github.com/tessera-studio/tessera/engine/outname"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/prompt"
)

// Folder loads the PNG and JPEG images directly inside dir (not its
// subfolders), in file name order. Other files are ignored.
//
// A caption comes from a sidecar text file with the image's base name
// (cat.png -> cat.txt, or cat.TXT): its first non-empty line, lower-cased, is the
// caption and any further non-empty lines are Names. Caption files may be
// UTF-8 (with or without a byte-order mark) or UTF-16 with a byte-order
// mark, with any line breaks; one that is not valid UTF-8 is read as
// Windows-1252 and counted in Report.Warnings, which names it. Without a
// sidecar the caption is the file name without extension, split like a
// prompt, less the numbers that end it ("Red_Cat-2.png" -> "red cat").
// Key is the file name, Style is "". Images are turned upright as their
// EXIF orientation says.
//
// Unreadable or undecodable files, and images over what codebook.TooLarge allows,
// are skipped and counted in the Report. It is an error when dir cannot be
// read or holds no usable image. CheckFolder reports a folder's problems,
// file by file, before it is loaded.
func Folder(ctx context.Context, dir string) ([]Sample, Report, error) {
	var rep Report
	files, texts, _, err := listFolder(dir)
	if err != nil {
		return nil, rep, fmt.Errorf("image folder: %w", err)
	}
	samples := make([]Sample, len(files))
	failed := make([]error, len(files))
	warnings := make([]string, len(files))
	captions := captionFiles(files, texts)
	err = parallel(ctx, len(files), func(i int) {
		samples[i], warnings[i], failed[i] = loadFolderImage(dir, files[i], captions[i])
	})
	if err != nil {
		return nil, rep, fmt.Errorf("image folder %s: %w", dir, err)
	}
	kept := samples[:0]
	for i, s := range samples {
		if failed[i] != nil {
			rep.skip("%s: %v", files[i], failed[i])
			continue
		}
		if warnings[i] != "" {
			rep.warn("%s", warnings[i])
		}
		kept = append(kept, s)
	}
	kept = mergeDuplicates(kept, &rep)
	rep.Loaded = len(kept)
	if len(kept) == 0 {
		if rep.Skipped == 0 {
			return nil, rep, fmt.Errorf("image folder %s: no images (%s)", dir, codebook.ImageFormats)
		}
		return nil, rep, fmt.Errorf("image folder %s: none of %d images could be loaded (first: %s)", dir, rep.Skipped, rep.Problems[0])
	}
	return kept, rep, nil
}

// mergeDuplicates keeps the first of each group of identical images
// (CheckFolder's Duplicates: the same size and pixels), with the captions
// of the others that differ from its own added to its Names. A copy
// trained on as a picture of its own was seen twice as often as the rest,
// and, its Key being another file name, could be held out for validation
// while its twin was trained on, so that the validation loss measured
// recall. rep.Merged counts the copies left out.
func mergeDuplicates(samples []Sample, rep *Report) []Sample {
	first := make(map[[sha256.Size]byte]int, len(samples)) // pixels → their index in out
	out := samples[:0]
	for _, s := range samples {
		sum := pixelSum(s.Image)
		i, seen := first[sum]
		if !seen {
			first[sum] = len(out)
			out = append(out, s)
			continue
		}
		rep.Merged++
		keep := &out[i]
		for _, c := range append([]string{s.Caption}, s.Names...) {
			if c != "" && c != keep.Caption && !slices.Contains(keep.Names, c) {
				keep.Names = append(keep.Names, c)
			}
		}
	}
	return out
}

// pixelSum is the SHA-256 of an image's size and pixels, which tells
// identical images apart from the rest (Folder, CheckFolder).
func pixelSum(img *image.NRGBA) [sha256.Size]byte {
	h := sha256.New()
	b := img.Bounds()
	var size [16]byte
	binary.LittleEndian.PutUint64(size[:8], uint64(b.Dx()))
	binary.LittleEndian.PutUint64(size[8:], uint64(b.Dy()))
	h.Write(size[:])
	h.Write(img.Pix)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// listFolder returns the names of the images (codebook.ImageExtensions:
// PNG, JPEG, GIF, BMP, TIFF, WebP), of the .txt files and of the folders
// directly inside dir (images and captions are not looked for in folders),
// each in name order.
func listFolder(dir string) (images, texts, folders []string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		switch {
		case e.IsDir():
			if !strings.HasPrefix(e.Name(), ".") {
				folders = append(folders, e.Name())
			}
		case slices.Contains(codebook.ImageExtensions(), ext):
			images = append(images, e.Name())
		case ext == ".txt":
			texts = append(texts, e.Name())
		}
	}
	slices.Sort(images)
	slices.Sort(texts)
	slices.Sort(folders)
	return images, texts, folders, nil
}

// sidecarName is the caption file name for image file name
// (cat.png -> cat.txt).
func sidecarName(imageName string) string {
	return strings.TrimSuffix(imageName, filepath.Ext(imageName)) + ".txt"
}

// captionFiles are the caption files of images among the folder's .txt
// files texts (listFolder), one for each image: its sidecarName, else the
// same name with the extension in other letters (IMG_0002.TXT, as cameras
// and Windows tools write it), else sidecarName (absent). One pass over
// each list: a folder of 1,500 images and 1,500 other .txt files took 10 s
// when each image looked through every text file.
func captionFiles(images, texts []string) []string {
	byStem := make(map[string]string, len(texts)) // stem → the first .txt, .TXT, … file of it
	for _, t := range texts {
		stem := strings.TrimSuffix(t, filepath.Ext(t))
		if _, ok := byStem[stem]; !ok {
			byStem[stem] = t
		}
	}
	out := make([]string, len(images))
	for i, name := range images {
		want := sidecarName(name)
		out[i] = want
		if _, ok := slices.BinarySearch(texts, want); !ok {
			if t, ok := byStem[strings.TrimSuffix(want, ".txt")]; ok {
				out[i] = t
			}
		}
	}
	return out
}

// loadFolderImage reads one image file and its caption file txt
// (captionFiles); warning, when set, is a caveat about the caption file.
func loadFolderImage(dir, name, txt string) (s Sample, warning string, err error) {
	img, err := readFolderImage(filepath.Join(dir, name))
	if err != nil {
		return Sample{}, "", err
	}
	sc, err := readSidecar(filepath.Join(dir, txt))
	if err != nil {
		return Sample{}, "", err
	}
	return Sample{Caption: captionOf(name, sc, storedPrompt(filepath.Join(dir, name))), Names: sc.names, Key: name, Image: img}, sc.warning, nil
}

// captionOf is the caption image file name trains with: its caption
// file's text, else the prompt its PNG records (stored: storedPrompt),
// else the caption its file name gives (fileNameCaption).
func captionOf(name string, sc sidecar, stored string) string {
	if sc.caption != "" {
		return sc.caption
	}
	if stored != "" {
		return stored
	}
	base := strings.TrimSuffix(name, filepath.Ext(name))
	if n, ok := outname.Parse(base); ok && n.Words == "" {
		return "" // Tessera's name of a picture drawn without a prompt: its date, time and seed are no caption
	}
	if caption := fileNameCaption(base); caption != "" {
		return caption
	}
	return strings.ToLower(base)
}

// fileNameCaption is the caption of an image without a caption file: its
// file name without extension, split like a prompt, less the numbers that
// end it ("Red_Cat-2" -> "red cat", "IMG_0042" -> "img", "cat (2)" ->
// "cat"), which number files rather than describe them: a folder of
// cat-01 … cat-40 trains one caption, not forty words the model could
// never tell apart. A name of numbers alone keeps its first ("7-003" ->
// "7"). A number glued to a last word of three letters or more is a
// numbering too ("purple2" -> "purple", "cat01" -> "cat"; it had made a
// prompt word of each); shorter words and words with digits inside keep
// theirs ("mp3", "r2d2"). Tessera's own output names give their words
// alone ("tessera-20261204-182831-make-it-blue-s13" -> "make it blue"; the
// date, time and seed had become prompt words).
func fileNameCaption(base string) string {
	if n, ok := outname.Parse(base); ok && n.Words != "" {
		base = n.Words
	}
	words := strings.Fields(prompt.Normalize(base))
	numbering := func(w string) bool { // "2", "(2)", "#3", "[01]": no letter
		return strings.IndexFunc(w, unicode.IsLetter) < 0
	}
	for len(words) > 1 && numbering(words[len(words)-1]) {
		words = words[:len(words)-1]
	}
	if n := len(words); n > 0 {
		last := words[n-1]
		word := strings.TrimRightFunc(last, unicode.IsDigit)
		if word != last && utf8.RuneCountInString(word) >= 3 && strings.IndexFunc(word, func(r rune) bool { return !unicode.IsLetter(r) }) < 0 {
			words[n-1] = word
		}
	}
	return strings.Join(words, " ")
}

// damagedError is a full decode failing after the image header read well:
// the file is truncated or its pixel data is damaged.
type damagedError struct {
	format string // the decoder's name: "png", "jpeg", "gif", "bmp", "tiff" or "webp"
	err    error
	// unsupported, when set, says the picture is valid but uses what
	// Tessera's decoders lack (codebook.Unsupported): not damage.
	unsupported string
}

func (e *damagedError) Error() string {
	if e.unsupported != "" {
		return "it " + e.unsupported // after "NAME: "
	}
	return fmt.Sprintf("decode %s: %v", e.format, e.err)
}
func (e *damagedError) Unwrap() error { return e.err }

// readFolderImage reads and fully decodes one image file (a truncated file
// passes image.DecodeConfig but not image.Decode, which is a *damagedError),
// turns it upright as its EXIF orientation says and returns it opaque.
// Images over what codebook.TooLarge allows are refused before they are decoded.
func readFolderImage(path string) (*image.NRGBA, error) {
	if err := codebook.CheckFile(path, "image"); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() == 0 {
		return nil, errors.New("the file is empty (0 bytes)") // as the other commands say it
	}
	cfg, format, err := image.DecodeConfig(f)
	if err != nil {
		if what := codebook.Unsupported(err, f); what != "" {
			return nil, &damagedError{format: "image", err: err, unsupported: what}
		}
		return nil, fmt.Errorf("not a readable image: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%s image is empty (%d×%d pixels)", format, cfg.Width, cfg.Height)
	}
	if codebook.TooLarge(cfg.Width, cfg.Height) {
		return nil, fmt.Errorf("%s %w", format, &codebook.TooLargeError{Width: cfg.Width, Height: cfg.Height})
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, &damagedError{format: format, err: err, unsupported: codebook.Unsupported(err, f)}
	}
	img = codebook.DecodedRGB(img, format) // a lossy WebP's limited-range colours
	// Upright as its EXIF orientation says (phones store portraits sideways).
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return opaque(orient.Upright(img, orient.Read(f))), nil
}

// maxSidecar bounds the size of a caption file.
const maxSidecar = 64 << 10

// sidecar is a caption file as read.
type sidecar struct {
	found   bool     // the file exists
	caption string   // its first non-empty line, lower-cased; "" when none
	names   []string // its further non-empty lines, lower-cased
	format  captionFormat
	warning string // set when the text was not UTF-8, naming the file
}

// readSidecar reads a caption file: the first non-empty line is the caption,
// the rest are alternative names. A missing file gives an empty caption and
// found false. The text is decoded by decodeCaption; warning says when it
// was not UTF-8.
func readSidecar(path string) (sidecar, error) {
	switch err := codebook.CheckFile(path, "caption"); {
	case errors.Is(err, fs.ErrNotExist):
		return sidecar{}, nil
	case err != nil:
		return sidecar{found: true}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return sidecar{}, fmt.Errorf("caption file: %w", err)
	}
	defer f.Close()
	sc := sidecar{found: true}
	buf, err := io.ReadAll(io.LimitReader(f, maxSidecar+1))
	if err != nil {
		return sc, fmt.Errorf("caption file %s: %w", filepath.Base(path), err)
	}
	if len(buf) > maxSidecar {
		return sc, fmt.Errorf("caption file %s is over %d bytes", filepath.Base(path), maxSidecar)
	}
	text, cf, err := decodeCaption(buf)
	sc.format = cf
	if err != nil {
		return sc, fmt.Errorf("caption file %s: %w", filepath.Base(path), err)
	}
	if cf.guess != "" {
		sc.warning = fmt.Sprintf("caption file %s is not UTF-8; read as %s", filepath.Base(path), cf.guess)
	}
	for _, line := range strings.Split(text, "\n") {
		line = strings.ToLower(strings.Join(strings.Fields(line), " "))
		switch {
		case line == "":
		case sc.caption == "":
			sc.caption = line
		default:
			sc.names = append(sc.names, line)
		}
	}
	return sc, nil
}

// DecodeText turns the bytes of a text file people write (captions, lists
// of prompts or names) into text with "\n" line breaks, as caption files
// are read (decodeCaption): byte-order marks dropped, UTF-16 decoded, CRLF
// and CR made "\n", and bytes that are not UTF-8 read as Windows-1252, when
// guess names that encoding so that the caller can warn.
func DecodeText(b []byte) (text, guess string, err error) {
	text, cf, err := decodeCaption(b)
	return text, cf.guess, err
}

// captionFormat says how a caption file was written.
type captionFormat struct {
	bom   bool   // it starts with a UTF-8 or UTF-16 byte-order mark
	crlf  bool   // it has CRLF or lone CR line breaks
	guess string // "Windows-1252" when it was not UTF-8 and read as that
}

// decodeCaption turns the bytes of a caption file into text with "\n" line
// breaks: a UTF-8 byte-order mark is dropped, UTF-16 with a byte-order mark
// (Notepad's "Unicode") is decoded, and text that is not valid UTF-8 is
// read as Windows-1252, the usual encoding of older Windows editors; the
// format's guess then names that encoding so the caller can warn. CRLF and
// lone CR line breaks become "\n". The format also records a byte-order mark
// and CR line breaks, which the text no longer shows.
func decodeCaption(b []byte) (text string, cf captionFormat, err error) {
	order, noBOM16 := utf16Order(b)
	switch {
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}), bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		cf.bom = true
		u, err := textunicode.UTF16(textunicode.LittleEndian, textunicode.ExpectBOM).NewDecoder().Bytes(b)
		if err != nil {
			return "", cf, fmt.Errorf("decode UTF-16: %w", err)
		}
		if len(b)%2 != 0 || bytes.ContainsRune(u, utf8.RuneError) {
			// An odd byte left, or halves of characters that pair with
			// nothing: "戀摡�" went into the vocabulary as a word.
			return "", cf, errors.New("it starts with a UTF-16 byte-order mark but is no UTF-16 text (cut short, or another encoding)")
		}
		text = string(u)
	case noBOM16:
		// UTF-16 without a byte-order mark: its ASCII letters came out
		// between NUL bytes ("\x00a\x00 \x00b…"), which went into the
		// vocabulary without a word.
		u, err := textunicode.UTF16(order, textunicode.IgnoreBOM).NewDecoder().Bytes(b)
		if err != nil {
			return "", cf, fmt.Errorf("decode UTF-16: %w", err)
		}
		text, cf.guess = string(u), "UTF-16LE"
		if order == textunicode.BigEndian {
			cf.guess = "UTF-16BE"
		}
	default:
		cf.bom = bytes.HasPrefix(b, []byte("\xef\xbb\xbf"))
		b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
		text = string(b)
		if !utf8.Valid(b) {
			w, err := charmap.Windows1252.NewDecoder().Bytes(b)
			if err != nil {
				return "", cf, fmt.Errorf("decode Windows-1252: %w", err)
			}
			text, cf.guess = string(w), "Windows-1252"
		}
	}
	text = strings.TrimPrefix(text, "\ufeff")
	cf.crlf = strings.Contains(text, "\r")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	return text, cf, nil
}

// utf16Order guesses the byte order of text b written in UTF-16 without a
// byte-order mark: most of its characters are below U+0100, so every
// other byte is 0 (the first of each pair in big-endian, the second in
// little-endian), and the other side's are few (a character such as
// U+3000 or U+0100 has a 0 there too). ok is false when b does not look
// so (UTF-8 text has no 0 byte).
func utf16Order(b []byte) (order textunicode.Endianness, ok bool) {
	if len(b) < 2 || len(b)%2 != 0 || bytes.IndexByte(b, 0) < 0 {
		return order, false
	}
	var even, odd int
	for i := 0; i+1 < len(b); i += 2 {
		if b[i] == 0 {
			even++
		}
		if b[i+1] == 0 {
			odd++
		}
	}
	pairs := len(b) / 2
	switch {
	case 2*even > pairs && 8*odd < pairs:
		return textunicode.BigEndian, true
	case 2*odd > pairs && 8*even < pairs:
		return textunicode.LittleEndian, true
	}
	return order, false
}

// storedPrompt is the prompt a PNG at path records as the one it was drawn
// with (pngmeta.ReadDrawing: Tessera's record, or A1111's parameters),
// lower-cased, on one line; "" for other files and PNGs without one. A
// folder of the studio's own outputs (tessera-20261203-…-s5.png) trains
// on the prompts that drew them, not on "tessera".
func storedPrompt(path string) string {
	if !strings.EqualFold(filepath.Ext(path), ".png") {
		return ""
	}
	text, err := pngmeta.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.ToLower(strings.Join(strings.Fields(pngmeta.ReadDrawing(text).Prompt), " ")) // an A1111 prompt's lines, one line
}
