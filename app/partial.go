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
func partialOut(out string) (path string, kept bool) {
	if free(out) {
		return out, false
	}
	ext := filepath.Ext(out)
	stem := strings.TrimSuffix(out, ext)
	for n := 1; ; n++ {
		path = stem + "-partial" + ext
		if n > 1 {
			path = fmt.Sprintf("%s-partial-%d%s", stem, n, ext)
		}
		if free(path) {
			return path, true
		}
	}
}

// free reports whether nothing (no file, folder or link, even a broken
// one) is at path; a path that cannot be looked at is not free.
func free(path string) bool {
	_, err := os.Lstat(path)
	return errors.Is(err, fs.ErrNotExist)
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
