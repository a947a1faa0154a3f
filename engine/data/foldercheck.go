package data

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/internal/plural"
)

// FolderReport is what CheckFolder finds in a folder of training images
// before Folder loads it: how many images there are and how many Folder
// would load, and the files that would be skipped or read other than their
// author may expect. File names are relative to Dir; every list is in file
// name order (never nil, so JSON shows empty lists as []).
type FolderReport struct {
	Dir       string `json:"dir"`
	Images    int    `json:"images"`    // image files found (PNG, JPEG, GIF, BMP, TIFF, WebP)
	Usable    int    `json:"usable"`    // images that decode and are within codebook.TooLarge's limits (Folder loads each picture of them once: Distinct)
	Captioned int    `json:"captioned"` // usable images with a non-empty sidecar caption, or a prompt their PNG records
	// Unreadable is "file: reason" for each image Folder would skip: not
	// an image, truncated or damaged, over codebook.TooLarge's limits,
	// unreadable, or with a caption file that cannot be read.
	Unreadable []string `json:"unreadable"`
	BOM        []string `json:"bom"`      // caption files starting with a byte-order mark (UTF-8 or UTF-16)
	CRLF       []string `json:"crlf"`     // caption files with CRLF or lone-CR line breaks
	NonUTF8    []string `json:"non_utf8"` // caption files read as Windows-1252
	// Uncaptioned are usable images without a caption file, or whose caption
	// file holds no text ("NAME (its caption file is empty)"): their file
	// name becomes the caption.
	Uncaptioned []string `json:"uncaptioned"`
	// FileNameCaptions maps each image of Uncaptioned (by file name alone)
	// to the caption Folder gives it from its file name ("cat (2).png" →
	// "cat"), so that a user sees what the model will learn.
	FileNameCaptions map[string]string `json:"file_name_captions"`
	// PromptCaptions maps each usable image without a caption file (or
	// with an empty one: EmptyCaptionFiles) whose PNG records the prompt
	// that drew it (Tessera's record or A1111's
	// parameters: storedPrompt) to that prompt, its caption. They count as
	// captioned: no problem, but said.
	PromptCaptions map[string]string `json:"prompt_captions"`
	// EmptyCaptionFiles lists the usable images whose caption file is
	// there but holds no text, by file name alone: the recorded prompt
	// stands in (PromptCaptions), else the file name (Uncaptioned).
	EmptyCaptionFiles []string `json:"empty_caption_files"`
	Orphans           []string `json:"orphans"` // .txt caption files without an image of the same base name
	// Captions maps every usable image (by file name) to the caption it
	// trains with, whatever gave it (caption file, recorded prompt, file
	// name: captionOf), as Folder reads it.
	Captions map[string]string `json:"captions"`
	// AlsoCaptions maps each usable image whose caption file has further
	// non-empty lines to them: alternative captions it trains with too
	// (Sample.Names), lower-cased.
	AlsoCaptions map[string][]string `json:"also_captions"`
	// Duplicates are groups of usable images whose pixels, as Folder loads
	// them (upright, alpha composited on white), are identical: same size
	// and same SHA-256 of the pixels. Each group is sorted and has two or
	// more files; groups are in the order of their first file.
	Duplicates [][]string `json:"duplicates"`
	// OddSize are usable images ("NAME (W×H: why)") that Folder reads but
	// that train badly: under MinUsefulSide on a side (blown up to a blur)
	// or more than MaxUsefulAspect times as long as they are wide, or wide
	// as tall (mostly the white bands Fit adds once fitted to a square).
	OddSize []string `json:"odd_size"`
	// Folders are the folders inside dir: their images are not read (only
	// dir's own are), which the report says, though it is no problem.
	Folders []string `json:"folders"`
}

// CheckFolder examines the images and .txt caption files directly
// inside dir as Folder would read them, decoding every image in full (so
// truncated files are found) on all CPUs, and reports what it finds. A
// folder with no images is not an error: the report says so. The error is
// only for a dir that cannot be listed, or ctx's error when it is cancelled
// before every image has been read.
func CheckFolder(ctx context.Context, dir string) (*FolderReport, error) {
	images, texts, folders, err := listFolder(dir)
	if err != nil {
		return nil, fmt.Errorf("check image folder: %w", err)
	}
	type result struct {
		err     error
		sc      sidecar
		scErr   error
		stored  string // the prompt the PNG records (storedPrompt)
		sum     [sha256.Size]byte
		w, h    int
		decoded bool
	}
	res := make([]result, len(images))
	captions := captionFiles(images, texts)
	err = parallel(ctx, len(images), func(i int) {
		r := &res[i]
		img, err := readFolderImage(filepath.Join(dir, images[i]))
		r.sc, r.scErr = readSidecar(filepath.Join(dir, captions[i]))
		if r.sc.caption == "" && err == nil { // a pipe named .png is not opened again
			r.stored = storedPrompt(filepath.Join(dir, images[i]))
		}
		switch {
		case err != nil:
			r.err = err
		case r.scErr != nil:
			r.err = r.scErr
		default:
			r.decoded = true
			r.w, r.h = img.Bounds().Dx(), img.Bounds().Dy()
			r.sum = pixelSum(img)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("check image folder %s: %w", dir, err)
	}

	rep := &FolderReport{Dir: dir, Images: len(images), Unreadable: []string{}, BOM: []string{}, CRLF: []string{},
		NonUTF8: []string{}, Uncaptioned: []string{}, FileNameCaptions: map[string]string{}, PromptCaptions: map[string]string{}, EmptyCaptionFiles: []string{}, Captions: map[string]string{}, AlsoCaptions: map[string][]string{}, Orphans: []string{}, OddSize: []string{}, Duplicates: [][]string{}, Folders: append([]string{}, folders...)}
	paired := map[string]bool{} // caption files some image reads
	groups := map[[sha256.Size]byte][]string{}
	var order [][sha256.Size]byte
	for i, name := range images {
		r := res[i]
		if txt := captions[i]; r.sc.found && !paired[txt] { // cat.png and cat.jpg share cat.txt
			paired[txt] = true
			if r.sc.format.bom {
				rep.BOM = append(rep.BOM, txt)
			}
			if r.sc.format.crlf {
				rep.CRLF = append(rep.CRLF, txt)
			}
			if r.sc.format.guess != "" {
				rep.NonUTF8 = append(rep.NonUTF8, txt)
			}
		}
		if !r.decoded {
			reason := r.err.Error()
			var d *damagedError
			if errors.As(r.err, &d) && d.unsupported == "" {
				reason = "truncated or damaged (" + reason + ")"
			}
			rep.Unreadable = append(rep.Unreadable, name+": "+reason)
			continue
		}
		rep.Usable++
		rep.Captions[name] = captionOf(name, r.sc, r.stored)
		if len(r.sc.names) > 0 {
			rep.AlsoCaptions[name] = r.sc.names
		}
		if why := oddSize(r.w, r.h); why != "" {
			rep.OddSize = append(rep.OddSize, fmt.Sprintf("%s (%d×%d: %s)", name, r.w, r.h, why))
		}
		switch {
		case r.sc.caption != "":
			rep.Captioned++
		case r.stored != "":
			rep.Captioned++
			rep.PromptCaptions[name] = r.stored
			if r.sc.found {
				rep.EmptyCaptionFiles = append(rep.EmptyCaptionFiles, name)
			}
		case r.sc.found: // a caption file without text is not the same slip as none
			rep.Uncaptioned = append(rep.Uncaptioned, name+" (its caption file is empty)")
			rep.EmptyCaptionFiles = append(rep.EmptyCaptionFiles, name)
			rep.FileNameCaptions[name] = captionOf(name, r.sc, "")
		default:
			rep.Uncaptioned = append(rep.Uncaptioned, name)
			rep.FileNameCaptions[name] = captionOf(name, r.sc, "")
		}
		if _, ok := groups[r.sum]; !ok {
			order = append(order, r.sum)
		}
		groups[r.sum] = append(groups[r.sum], name)
	}
	for _, sum := range order {
		if g := groups[sum]; len(g) > 1 {
			rep.Duplicates = append(rep.Duplicates, g) // images are sorted, so g is
		}
	}
	for _, txt := range texts {
		if !paired[txt] && !readByImage(dir, txt, captions, paired) {
			rep.Orphans = append(rep.Orphans, txt)
		}
	}
	return rep, nil
}

// FewImages is the number of usable images under which CheckFolder says
// that a model learns little from them: under ten, a tenth held out for
// validation is one picture, or a training one (no problem: a folder of
// one picture trains, on it alone).
const FewImages = 10

// MinUsefulSide is the smallest image side CheckFolder takes without a
// word: smaller images are blown up to a blur at any model size.
const MinUsefulSide = 8

// MaxUsefulAspect is the most one side of an image may exceed the other
// before CheckFolder flags it: fitted to a square, a longer one is a
// sliver between two white bands.
const MaxUsefulAspect = 4

// oddSize says why a w×h image trains badly ("" when it does not).
func oddSize(w, h int) string {
	switch {
	case min(w, h) < MinUsefulSide:
		return fmt.Sprintf("under %d px on a side, blown up to a blur", MinUsefulSide)
	case max(w, h) > MaxUsefulAspect*min(w, h):
		return fmt.Sprintf("over %d:1, mostly white bands once fitted to a square", MaxUsefulAspect)
	}
	return ""
}

// readByImage reports whether caption file txt is, under another spelling,
// the caption file an image reads: on a file system that ignores case,
// cat.png reads Cat.TXT.
func readByImage(dir, txt string, captions []string, paired map[string]bool) bool {
	for _, want := range captions { // each image's caption file (captionFiles)
		if want == txt || !paired[want] || !strings.EqualFold(want, txt) {
			continue
		}
		a, errA := os.Stat(filepath.Join(dir, want))
		b, errB := os.Stat(filepath.Join(dir, txt))
		if errA == nil && errB == nil && os.SameFile(a, b) {
			return true
		}
	}
	return false
}

// maxExamples is how many files Lines names per kind of problem.
const maxExamples = 5

// CaptionLines lists every usable image with the caption it trains with,
// one line each in file order: "  cat.png → \"a grey cat\"", and the
// further lines of its caption file, trained on too: "  cat.png → \"a grey
// cat\" (also \"kitten\", \"tabby\")".
func (r *FolderReport) CaptionLines() []string {
	var lines []string
	for _, name := range slices.Sorted(maps.Keys(r.Captions)) {
		line := fmt.Sprintf("  %s → %q", name, r.Captions[name])
		if also := r.AlsoCaptions[name]; len(also) > 0 {
			quoted := make([]string, len(also))
			for i, a := range also {
				quoted[i] = fmt.Sprintf("%q", a)
			}
			line += " (also " + strings.Join(quoted, ", ") + ")"
		}
		lines = append(lines, line)
	}
	return lines
}

// Lines is the report for people: a summary line (counts of images, usable
// and captioned images, and files with problems), then, indented, one line
// per kind of problem found with its count and up to five examples
// ("… and 12 more"), then notes that are no problems (fewer than FewImages
// usable pictures, folders inside, prompts PNGs record as captions). A
// folder without problems or notes gives the summary line alone.
func (r *FolderReport) Lines() []string {
	n := r.Problems()
	var sum string
	switch {
	case r.Images == 0:
		sum = fmt.Sprintf("%s: no images (%s)", r.Dir, codebook.ImageFormats)
	default:
		sum = fmt.Sprintf("%s: %s, %d usable, %d with a caption", r.Dir, plural.N(r.Images, "image", "images"), r.Usable, r.Captioned)
	}
	var folders []string // said whether or not there are problems
	if n := r.Distinct(); n > 0 && n < FewImages {
		what := plural.N(n, "usable image", "usable images")
		if n < r.Usable {
			what = plural.N(n, "different picture", "different pictures")
		}
		folders = append(folders, fmt.Sprintf("  only %s to train on: a model learns little from fewer than %d (it recalls them), and its validation loss says little", what, FewImages))
	}
	if len(r.Folders) > 0 {
		folders = append(folders, fmt.Sprintf("  %s not read (only the folder's own images are): %s",
			plural.N(len(r.Folders), "folder inside is", "folders inside are"), examples(r.Folders, ", ")))
	}
	if len(r.PromptCaptions) > 0 {
		names := slices.Sorted(maps.Keys(r.PromptCaptions))
		for i, name := range names {
			empty := ""
			if slices.Contains(r.EmptyCaptionFiles, name) {
				empty = " (its caption file is empty)"
			}
			names[i] = fmt.Sprintf("%s%s → %q", name, empty, r.PromptCaptions[name])
		}
		what := "image takes the prompt its PNG records as its caption"
		if len(names) > 1 {
			what = "images take the prompts their PNGs record as their captions"
		}
		why := "no caption file"
		for name := range r.PromptCaptions {
			if slices.Contains(r.EmptyCaptionFiles, name) {
				why = "no caption text"
			}
		}
		folders = append(folders, fmt.Sprintf("  %d %s (%s): %s", len(names), what, why, examples(names, ", ")))
	}
	switch {
	case n == 0 && r.Images == 0:
		return append([]string{sum + ": nothing to train on"}, folders...)
	case n == 0:
		return append([]string{sum + "; no problems"}, folders...)
	}
	lines := []string{fmt.Sprintf("%s; %s with problems:", sum, plural.N(n, "file", "files"))}
	add := func(items []string, sep, one, many string) {
		if len(items) > 0 {
			lines = append(lines, fmt.Sprintf("  %s: %s", plural.N(len(items), one, many), examples(items, sep)))
		}
	}
	// The picture, or its caption file (over 64 KB, a folder named .txt):
	// each line says which.
	add(r.Unreadable, "; ", "image is left out of training, as it or its caption file cannot be read", "images are left out of training, as they or their caption files cannot be read")
	add(r.BOM, ", ", "caption file starts with a byte-order mark", "caption files start with a byte-order mark")
	add(r.CRLF, ", ", "caption file has CRLF or CR line breaks", "caption files have CRLF or CR line breaks")
	add(r.NonUTF8, ", ", "caption file is not UTF-8 (read as Windows-1252, or as UTF-16 where every other byte is 0)", "caption files are not UTF-8 (read as Windows-1252, or as UTF-16 where every other byte is 0)")
	uncaptioned := slices.Clone(r.Uncaptioned) // with the caption each gets
	for i, name := range fileNames(r.Uncaptioned) {
		if caption, ok := r.FileNameCaptions[name]; ok {
			uncaptioned[i] += fmt.Sprintf(" → %q", caption)
		}
	}
	add(uncaptioned, ", ", "image has no caption (its file name gives it one)", "images have no caption (their file names give them one)")
	add(r.Orphans, ", ", "caption file has no image", "caption files have no image")
	add(r.OddSize, ", ", "image is too small or too long and thin to train well (trained on as it is)", "images are too small or too long and thin to train well (trained on as they are)")
	if len(r.Duplicates) > 0 {
		groups := make([]string, len(r.Duplicates))
		files := 0
		for i, g := range r.Duplicates {
			groups[i] = examples(g, " = ")
			files += len(g)
		}
		lines = append(lines, fmt.Sprintf("  %s of identical images (%d files; each trained on once, with every copy's caption): %s",
			plural.N(len(r.Duplicates), "group", "groups"), files, examples(groups, "; ")))
	}
	return append(lines, folders...)
}

// Distinct is the number of different pictures among the usable images:
// Usable less the copies in each group of Duplicates, the pictures Folder
// loads (it trains each picture once).
func (r *FolderReport) Distinct() int {
	n := r.Usable
	for _, g := range r.Duplicates {
		n -= len(g) - 1
	}
	return n
}

// Problems is the number of files with any problem, each counted once:
// unreadable images, caption files with a byte-order mark, CR line breaks
// or Windows-1252 text, images without a caption, orphan caption files,
// images of an odd size, and every file of each group of duplicates. It is
// 0 for a clean folder.
func (r *FolderReport) Problems() int {
	return r.count(r.BOM, r.CRLF, r.NonUTF8, fileNames(r.Uncaptioned), r.Orphans, fileNames(r.OddSize))
}

// Attention counts the files whose problems may change what is learnt:
// Problems less the byte-order marks and CRLF line breaks, which are read
// as if they were not there. The Train tab asks before training on a
// folder with any.
func (r *FolderReport) Attention() int {
	return r.count(r.NonUTF8, fileNames(r.Uncaptioned), r.Orphans, fileNames(r.OddSize))
}

// fileNames strips the " (why)" CheckFolder adds to a file name in some
// lists (the last parenthesis: a name may hold its own), so that a file in
// two lists counts once.
func fileNames(items []string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it
		if j := strings.LastIndex(it, " ("); j > 0 && strings.HasSuffix(it, ")") {
			out[i] = it[:j]
		}
	}
	return out
}

// count is the number of files in the lists, the duplicates and the
// unreadable images, each once.
func (r *FolderReport) count(lists ...[]string) int {
	files := map[string]bool{}
	for _, list := range lists {
		for _, f := range list {
			files[f] = true
		}
	}
	for _, g := range r.Duplicates {
		for _, f := range g {
			files[f] = true
		}
	}
	// An unreadable image is in no other list (those hold usable images
	// and caption files), so each entry is one more file.
	return len(r.Unreadable) + len(files)
}

// examples joins up to maxExamples items with sep and says how many more
// there are.
func examples(items []string, sep string) string {
	if len(items) <= maxExamples {
		return strings.Join(items, sep)
	}
	return fmt.Sprintf("%s … and %d more", strings.Join(items[:maxExamples], sep), len(items)-maxExamples)
}
