package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// partialOut is where an interrupted run saves the part it finished of
// the picture meant for out: out itself where nothing is there, else the
// first free name of OUT-partial.png, OUT-partial-2.png, … beside it, so
// that a complete earlier result at out is never replaced by a partial
// one (a sheet stopped after its first row replaced the whole sheet of an
// earlier run). kept is true when out was there and is left as it was.
// A name that cannot be looked at (too long for the file system, a folder
// that may not be read) is an error, as is finding no free name among
// maxPartialNames: it looped for ever on a 248-byte --out.
func partialOut(out string) (path string, kept bool, err error) {
	if ok, err := free(out); ok || err != nil {
		return out, false, err
	}
	ext := filepath.Ext(out)
	stem := strings.TrimSuffix(out, ext)
	for n := 1; n <= maxPartialNames; n++ {
		path = stem + "-partial" + ext
		if n > 1 {
			path = fmt.Sprintf("%s-partial-%d%s", stem, n, ext)
		}
		ok, err := free(path)
		if err != nil {
			return "", true, fmt.Errorf("no name beside %s for the part finished: %w", out, err)
		}
		if ok {
			return path, true, nil
		}
	}
	return "", true, fmt.Errorf("no free name beside %s for the part finished (%s-partial.png to -partial-%d are taken)", out, filepath.Base(stem), maxPartialNames)
}

// maxPartialNames is how many OUT-partial names partialOut tries.
const maxPartialNames = 10000

// free reports whether nothing (no file, folder or link, even a broken
// one) is at path; err is why path cannot be looked at.
func free(path string) (bool, error) {
	_, err := os.Lstat(path)
	switch {
	case err == nil:
		return false, nil
	case errors.Is(err, fs.ErrNotExist):
		return true, nil
	}
	return false, err
}

// partialNote is the line an interrupted run writes on stderr once it has
// saved what it finished (what: "the 2 rows finished so far, of 6") to
// path, meant for out: where out was kept (partialOut), it says so.
func partialNote(what, out, path string, kept bool) string {
	if !kept {
		return fmt.Sprintf("interrupted: saved %s", what)
	}
	return fmt.Sprintf("interrupted: saved %s, to %s; %s, already there, is left as it was", what, path, out)
}
