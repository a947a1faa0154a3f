// Package atomicfile writes files so that a reader, or a crash, sees either
// the old content or the complete new one: the data goes to a temporary file
// in the same folder, which is synced and renamed over the target.
package atomicfile

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
)

// Write calls write with a buffered writer on a temporary file beside path
// and, when it succeeds, renames the file to path (mode 0644, or the mode of
// the file it replaces). A symbolic link at path is followed, as cp and
// editors do: the file it points at is replaced and the link kept. On any
// error the temporary file is removed and an existing file at path is
// untouched.
func Write(path string, write func(w io.Writer) error) (err error) {
	path = linkTarget(path)
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		mode = fi.Mode().Perm()
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = f.Chmod(mode); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	// Make the rename durable where the platform can sync a folder.
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// maxLinks bounds how many symbolic links linkTarget follows (Linux's
// own bound for a path lookup), so a loop of links ends.
const maxLinks = 40

// linkTarget is the path a chain of symbolic links at path ends at (path
// itself when it is no link). A link whose target is missing resolves to
// that target, so the file is created where the link points; a loop, or a
// link that cannot be read, leaves path as it was, and the rename then
// replaces the link.
func linkTarget(path string) string {
	at := path
	for range maxLinks {
		fi, err := os.Lstat(at)
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			return at
		}
		link, err := os.Readlink(at)
		if err != nil {
			return path
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(at), link)
		}
		at = link
	}
	return path
}

// Target is the file Write replaces for path: the end of a chain of
// symbolic links at path, or path itself (see Write).
func Target(path string) string { return linkTarget(path) }

// CheckFolder reports whether Write can create files in dir: it creates
// and removes an empty temporary file there, so a long computation whose
// result goes to dir fails before it starts rather than at the write (a
// read-only or full file system, a folder without write permission).
func CheckFolder(dir string) error {
	probe, err := os.CreateTemp(dir, ".tessera-write-check-*")
	if err != nil {
		return err
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// WriteBytes atomically replaces path with data.
func WriteBytes(path string, data []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
