package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/tessera-studio/tessera/engine/atomicfile"
	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/render"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/internal/paths"
	"github.com/tessera-studio/tessera/internal/plural"
)

// intIn is an integer flag that takes only values in [lo, hi]: a value
// outside makes parsing fail with the range named, before any work.
type intIn struct {
	p      *int
	lo, hi int
}

func (v intIn) String() string {
	if v.p == nil { // the flag package's zero value, for PrintDefaults
		return "0"
	}
	return strconv.Itoa(*v.p)
}

// Set reads s in decimal: a script's zero-padded "010" is ten (Go's flag
// package reads it as octal, eight, and "0x2" as hex).
func (v intIn) Set(s string) error {
	n, err := strconv.ParseInt(s, 10, strconv.IntSize)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return fmt.Errorf("must be between %d and %d", v.lo, v.hi)
		}
		return errors.New("not a whole number (in decimal)")
	}
	if n < int64(v.lo) || n > int64(v.hi) {
		return fmt.Errorf("must be between %d and %d", v.lo, v.hi)
	}
	*v.p = int(n)
	return nil
}

// rangedInt defines an int flag on fs that accepts only [lo, hi]; its
// help names the range.
func rangedInt(fs *flag.FlagSet, name string, def, lo, hi int, help string) *int {
	p := new(int)
	rangedIntVar(fs, p, name, def, lo, hi, help)
	return p
}

// rangedIntVar is rangedInt bound to p.
func rangedIntVar(fs *flag.FlagSet, p *int, name string, def, lo, hi int, help string) {
	*p = def
	fs.Var(intIn{p, lo, hi}, name, fmt.Sprintf("%s (`int` %d–%d)", help, lo, hi)) // `int` names the value in -h
}

// floatIn is a float flag that takes only finite values in [lo, hi]
// (above lo when open is set).
type floatIn struct {
	p      *float64
	lo, hi float64
	open   bool
}

func (v floatIn) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.FormatFloat(*v.p, 'g', -1, 64)
}

func (v floatIn) Set(s string) error {
	x, err := strconv.ParseFloat(s, 64)
	if errors.Is(err, strconv.ErrRange) { // "1e309": a number, past float64's range
		return fmt.Errorf("must be between %g and %g", v.lo, v.hi)
	}
	if err != nil {
		return errors.New("not a number")
	}
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return errors.New("must be a finite number")
	case v.open && x <= v.lo:
		return fmt.Errorf("must be above %g", v.lo)
	case x < v.lo || x > v.hi:
		return fmt.Errorf("must be between %g and %g", v.lo, v.hi)
	}
	*v.p = x
	return nil
}

// rangedFloat defines a float flag on fs that accepts only finite values
// in [lo, hi], or in (lo, hi] when open is set.
func rangedFloat(fs *flag.FlagSet, name string, def, lo, hi float64, open bool, help string) *float64 {
	p := new(float64)
	rangedFloatVar(fs, p, name, def, lo, hi, open, help)
	return p
}

// rangedFloatVar defines a float flag on fs bound to p that accepts only
// finite values in [lo, hi], or in (lo, hi] when open is set.
func rangedFloatVar(fs *flag.FlagSet, p *float64, name string, def, lo, hi float64, open bool, help string) {
	*p = def
	bounds := fmt.Sprintf("%g–%g", lo, hi)
	if open {
		bounds = fmt.Sprintf("above %g, at most %g", lo, hi)
	}
	fs.Var(floatIn{p, lo, hi, open}, name, fmt.Sprintf("%s (`float` %s)", help, bounds))
}

// forceFlag registers --force, which lets checkOut replace files Tessera
// did not write.
func forceFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("force", false, "replace output files that exist although Tessera did not write them (by default only Tessera's own PNGs and GIFs are replaced, as their Software text or comment says, which a copy re-saved by another tool may keep; write-protected files never are)")
}

// warnForceUnused warns on w that --force (force, as given) does nothing
// in a command whose output files are optional when none is asked for
// (used false): it only lets the flags named in writes ("--out") replace
// files. tokenize --force without --out took it without a word.
func warnForceUnused(w io.Writer, force, used bool, writes string) {
	if force && !used {
		fmt.Fprintf(w, "warning: --force has no effect without %s: it only lets %s replace what is there\n", writes, writes)
	}
}

// checkOut checks an output path given in flag name before any work: it
// must be set, end in ext (".png", ".gif"; any case), not be a folder, and
// lie in a folder that exists and takes new files (tried with a temporary
// file), so that a long run does not end in a failed write. A file that
// exists there is replaced only when Tessera wrote it (a PNG with its
// Software text or record, a GIF with its comment: a rerun replaces its
// own output) or force is set (--force), and never when it is
// write-protected: a user's photo or document is not lost to a typo.
// inputs are the files the command reads: an output that is one of them
// is refused first (checkOutsAreNotInputs).
func checkOut(name, path, ext string, force bool, inputs ...string) error {
	return checkOuts(name, path, []string{path}, ext, force, inputs...)
}

// noteReplacing says which of the files flag name writes (outs) replace
// Tessera's own earlier outputs (checkOuts refused any other file without
// --force, and a file --force replaces is the user's choice): an A1111
// user expects new names, and a rerun's replacing is said, by every
// command that writes pictures. Call it once the work is sure to start.
func noteReplacing(env Env, name string, outs []string) {
	noteReplaced(env, name, outs, "")
}

// noteReplacingWhenDone is noteReplacing for a command that saves a run
// stopped part way beside its output, not over it (partialOut): it said
// "replacing" of a file that an interrupted run then left as it was.
func noteReplacingWhenDone(env Env, name string, outs []string) {
	noteReplaced(env, name, outs, " once the run finishes (one stopped part way leaves it as it is)")
}

// noteReplaced is noteReplacing with when said after the files.
func noteReplaced(env Env, name string, outs []string, when string) {
	var replaced []string
	for _, o := range outs {
		if _, err := os.Stat(o); err == nil && writtenByTessera(o) {
			replaced = append(replaced, o)
		}
	}
	if len(replaced) == 0 {
		return
	}
	fmt.Fprintf(env.Stderr, "note: replacing %s%s, earlier output of Tessera (give --%s another name to keep it)\n", fileList(replaced), when, name)
}

// fileList names files, the first and last of more than three with how
// many ("c-3.png … c-256.png (254 files)").
func fileList(files []string) string {
	if len(files) > 3 {
		return fmt.Sprintf("%s … %s (%d files)", files[0], files[len(files)-1], len(files))
	}
	return strings.Join(files, ", ")
}

// checkOuts is checkOut for the files one flag writes (typed, the flag's
// value; paths, a batch's PATH-1.png … PATH-N.png, numberedOuts, all in
// one folder): each is checked before any work, so a batch never stops
// half-written on a name that is a folder.
func checkOuts(name, typed string, paths []string, ext string, force bool, inputs ...string) error {
	switch {
	case typed == "":
		return usageError{fmt.Sprintf("--%s needs a file name ending in %s", name, ext)}
	case isDir(typed) && !strings.EqualFold(filepath.Ext(typed), ext):
		// a folder given as --out: say so, and where a file goes
		return usageError{fmt.Sprintf("--%s %q is a folder: give a file name in it ending in %s (%s)", name, typed, ext, filepath.Join(typed, "image"+ext))}
	case !strings.EqualFold(filepath.Ext(typed), ext):
		return usageError{fmt.Sprintf("--%s %q must end in %s", name, typed, ext)}
	case strings.EqualFold(filepath.Base(typed), ext):
		// ".png" alone is a hidden file of no name, which no one means.
		return usageError{fmt.Sprintf("--%s %q has no name before %s", name, typed, ext)}
	case len(paths) == 0:
		return nil
	}
	if err := checkOutsAreNotInputs(name, paths, inputs...); err != nil {
		return err
	}
	path := paths[0]
	for _, p := range paths {
		if n := len(filepath.Base(p)); n > maxOutName {
			// The write goes through a temporary file named after it
			// (atomicfile), which failed after all the work.
			return usageError{fmt.Sprintf("--%s: the file name is %d bytes long; give one of at most %d", name, n, maxOutName)}
		}
		fi, err := os.Stat(p)
		if err != nil {
			continue
		}
		if !fi.IsDir() && !fi.Mode().IsRegular() {
			// A named pipe or a device (a link to /dev/stdout): looking at
			// it waited for ever, and a file renamed over it replaces it.
			return usageError{fmt.Sprintf("--%s %q is no plain file (a named pipe, socket or device): Tessera writes its output as a file; give a file's path", name, p)}
		}
		own, repainted := true, false // what --force replaces need not be looked at
		if !force && !fi.IsDir() {
			own, repainted = tesseraFile(p)
		}
		switch {
		case fi.IsDir():
			return fmt.Errorf("--%s %q is a folder: give a file name in it", name, p)
		case fi.Mode().Perm()&0o222 == 0:
			return fmt.Errorf("--%s %q exists and is write-protected: Tessera does not replace it (give another name, or make it writable)", name, p)
		case repainted:
			return fmt.Errorf("--%s %q exists and was painted over since Tessera wrote it (its pixels are not the ones written): give another name, or --force to replace it", name, p)
		case !own:
			return fmt.Errorf("--%s %q exists and Tessera did not write it: give another name, or --force to replace it", name, p)
		}
	}
	dir := filepath.Dir(path)
	switch fi, err := os.Stat(dir); {
	case err != nil:
		return fmt.Errorf("--%s %q: the folder %s does not exist (create it first: mkdir -p %s)", name, path, dir, quoteArgs([]string{dir})[0])
	case !fi.IsDir():
		return fmt.Errorf("--%s %q: %s is a file, not a folder", name, path, dir)
	}
	if t := atomicfile.Target(path); t != path {
		dir = filepath.Dir(t) // a link's file is written where it points
	}
	if err := atomicfile.CheckFolder(dir); err != nil {
		if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
			err = pe.Err // "read-only file system", not the probe file's name
		}
		return fmt.Errorf("--%s %q: cannot write in %s: %w", name, path, dir, err)
	}
	return nil
}

// checkInputFile refuses, before any work, a file a flag (name) reads that
// is not there or is a folder ("" is no file, and fine): an edit of a
// missing --from was refused as "--out would write … over the input".
func checkInputFile(name, path string) error {
	if path == "" {
		return nil
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return missingFile(fmt.Sprintf("--%s %s: there is no such file (check its name and folder)", name, path))
	case err == nil && fi.IsDir():
		return fmt.Errorf("--%s %s is a folder: give an image file", name, path)
	}
	return nil // one that cannot be read says why when it is read
}

// maxOutName is the longest output file name checkOuts takes, in bytes:
// a file system's 255 less what atomicfile's temporary name adds (a dot,
// ".tmp-" and up to ten digits).
const maxOutName = 255 - 16

// checkOutsAreNotInputs refuses, before any work, output files that are
// one of the inputs (the same file, or the same path when the output does
// not exist yet): writing a result there would destroy what it is made
// from. outs are every file the command will write (numberedOut names a
// batch's), inputs the files it reads (empty names, and inputs that are not
// there, which nothing can destroy and which the command says are missing,
// are skipped).
func checkOutsAreNotInputs(name string, outs []string, inputs ...string) error {
	for _, o := range outs {
		for _, in := range inputs {
			if _, err := os.Stat(in); in != "" && !errors.Is(err, fs.ErrNotExist) && paths.Same(o, in) {
				return usageError{fmt.Sprintf("--%s would write %s over the input %s: give another file name", name, o, in)}
			}
		}
	}
	return nil
}

// numberedOuts are the n files a batch writes for out (numberedPath);
// always numbered when numbered is set (edit's candidates).
func numberedOuts(out string, n int, numbered bool) []string {
	batch := n
	if numbered {
		batch = max(n, 2) // numberedPath numbers a batch of two or more
	}
	paths := make([]string, n)
	for i := range paths {
		paths[i] = numberedPath(out, i, batch)
	}
	return paths
}

// rankByValue is a --rank-by flag: the names of sampler.ParseRankBy.
type rankByValue struct{ by sampler.RankBy }

func (v *rankByValue) String() string { return string(v.by) }

func (v *rankByValue) Set(s string) error {
	by, err := sampler.ParseRankBy(s)
	if err != nil {
		return err
	}
	v.by = by
	return nil
}

// rankByFlag defines --rank-by, how candidates are ordered best first
// (sampler.RankBy; "" when not given: rankOrder gives the model's
// recommendation).
func rankByFlag(fs *flag.FlagSet) *sampler.RankBy {
	v := &rankByValue{}
	fs.Var(v, "rank-by", "how to order candidates best first (not given: as the model recommends, config.json tessera.defaults.rank_by, else likelihood, as the studio does): likelihood (the mean log-likelihood under the prompt), prompt-gain (log p(image | prompt) − log p(image | no prompt) per patch: favours unusual images) or description (how much likelier the image is under the prompt than under any other prompt describe ranks, per patch: the image the model would itself describe by the prompt first; a describe per image, seconds each on the emoji model)")
	return &v.by
}

// rankOrder is the order --rank-by asked for, or, when it was not given,
// the one model b recommends for batches of prompt
// (sampler.RecommendedRankBy).
func rankOrder(by sampler.RankBy, b *bundle.Bundle, prompt string) sampler.RankBy {
	if by == "" {
		return sampler.RecommendedRankBy(b, prompt)
	}
	return by
}

// rankByNameValue is a flag naming a sampler.RankBy as a model records it
// (sampling.Recommended.RankBy): one of ParseRankBy's names, or "" for none.
type rankByNameValue struct{ p *string }

func (v rankByNameValue) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

func (v rankByNameValue) Set(s string) error {
	if s == "" {
		*v.p = ""
		return nil
	}
	by, err := sampler.ParseRankBy(s)
	if err != nil {
		return err
	}
	*v.p = string(by)
	return nil
}

// uintValue is a flag of a whole number from 0 to 2⁶⁴−1, in decimal,
// whose error says so (the flag package's own says "parse error").
type uintValue struct{ p *uint64 }

func (v *uintValue) String() string {
	if v == nil || v.p == nil {
		return "0"
	}
	return strconv.FormatUint(*v.p, 10)
}

func (v *uintValue) Set(s string) error {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return errors.New("must be a whole number from 0 to 2⁶⁴−1")
	}
	*v.p = n
	return nil
}

// writtenByTessera reports whether the file at path is a PNG or GIF that
// Tessera wrote and no other program changed since (tesseraFile).
func writtenByTessera(path string) bool {
	own, _ := tesseraFile(path)
	return own
}

// tesseraFile reads the file at path once and reports whether it is a PNG
// or GIF that Tessera wrote (pngmeta.WrittenByTessera,
// render.GIFWrittenByTessera) and not one another program saved again, and
// whether it is a PNG Tessera wrote that another program painted over
// since, its text chunks kept (pngmeta.Repainted). Either is the user's to
// keep, as is a PNG with Tessera's parameters text but without the record
// Tessera writes beside it (an image editor keeps the text it knows and
// drops the rest).
func tesseraFile(path string) (own, repainted bool) {
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
		return false, false // opening a named pipe waits for a writer
	}
	if text, err := pngmeta.ReadFile(path); err == nil && pngmeta.WrittenByTessera(text) {
		if pngmeta.Repainted(path, text) {
			return false, true
		}
		_, params := text[pngmeta.KeyParameters]
		_, record := text[pngmeta.KeyTessera]
		return record || !params, false
	}
	f, err := os.Open(path)
	if err != nil {
		return false, false
	}
	defer f.Close()
	var head [6]byte
	if _, err := io.ReadFull(f, head[:]); err != nil || string(head[:]) != "GIF89a" {
		return false, false
	}
	fi, err := f.Stat()
	if err != nil {
		return false, false
	}
	tail := make([]byte, min(fi.Size(), int64(render.GIFMarkLen))) // the mark ends the file
	_, err = f.ReadAt(tail, fi.Size()-int64(len(tail)))
	return err == nil && render.GIFWrittenByTessera(tail), false
}

// asFolder is name, or, when it holds no '/', is none of builtins (the
// built-in models or datasets, which a bare name means) and an existing
// folder has it, that folder as a path ("./run1"): --data and --model take
// a folder's bare name as check-data does.
func asFolder(name string, builtins []string) string {
	if name == "" || bundle.IsFolder(name) || slices.Contains(builtins, name) || !isDir(name) {
		return name
	}
	return "." + string(filepath.Separator) + name
}

// isDir reports whether path names an existing folder.
func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// checkModelOut refuses a model folder to write (--out) that is a file
// ("mkdir cat.png: not a directory" came after the work), or, unless
// force, one that holds files (replaced says what would take their place:
// "the average", "random weights").
func checkModelOut(out string, force bool, replaced string) error {
	if fi, err := os.Stat(out); err == nil && !fi.IsDir() {
		return usageError{fmt.Sprintf("--out %s is a file: a model is written as a folder (config.json, model.safetensors, …); give a folder's name", out)}
	}
	if files := modelFiles(out); files > 0 && !force {
		return fmt.Errorf("%s holds %s already (%s would replace a model there): choose another --out, or pass --force", out, plural.N(files, "file", "files"), replaced)
	}
	return nil
}

// fileExists reports whether path names an existing file (not a folder).
func fileExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir()
}

// checkKeepsPictures refuses, without force, an output of a command that
// writes no picture record (a likelihood map, a contact sheet) over a PNG
// that holds one (its prompt, seed and codes: a picture Tessera drew).
// checkOut lets Tessera's own PNGs be replaced, so that a rerun replaces
// its output; "tessera score --map keep.png other.png", its arguments
// swapped, replaced a drawn picture with a map, silently.
func checkKeepsPictures(name, path, what string, force bool) error {
	return checkKeeps(name, path, what, force, false)
}

// checkKeeps is checkKeepsPictures; with imported, a picture imported from
// a file (encoded from its pixels, as tokenize --out writes its
// reconstructions) may be replaced, so that a rerun replaces its output.
func checkKeeps(name, path, what string, force, imported bool) error {
	if force {
		return nil
	}
	text, err := pngmeta.ReadFile(path)
	if err != nil {
		return nil
	}
	if _, record := text[pngmeta.KeyTessera]; !record {
		return nil
	}
	if rec, ok, _ := pngmeta.ParseRecord(text); imported && ok && rec.ImportedFrom() != "" {
		return nil
	}
	return fmt.Errorf("--%s %q holds a picture Tessera drew (its prompt, seed and codes): %s would replace it; give another name, or --force", name, path, what)
}

// dtypeFlag registers --dtype, a weights file's dtype: F32, F16 or BF16 in
// any case ("f16" as --precision is written), checked when the flag is
// read; def ("" for "the source's") is its value when not given.
func dtypeFlag(fs *flag.FlagSet, def, help string) *string {
	p := new(string)
	*p = def
	fs.Var(dtypeValue{p}, "dtype", help)
	return p
}

// dtypeValue is --dtype's flag.Value (dtypeFlag).
type dtypeValue struct{ p *string }

func (v dtypeValue) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

func (v dtypeValue) Set(s string) error {
	switch u := strings.ToUpper(s); u {
	case "F32", "F16", "BF16":
		*v.p = u
		return nil
	}
	return errors.New("use F32, F16 or BF16")
}
