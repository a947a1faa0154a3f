package data

import (
	"archive/tar"
	"compress/flate"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// maxTarMember bounds how much of one tarball member is read into memory.
const maxTarMember = 64 << 20

// walkTarGz calls fn for each regular file of the gzipped tarball at path
// until fn returns done or an error, or the tarball ends. fn may read the
// member from r.
func walkTarGz(ctx context.Context, path string, fn func(name string, size int64, r io.Reader) (done bool, err error)) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return damagedArchive(path, err)
	}
	defer gz.Close()
	tr := tar.NewReader(gz)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return damagedArchive(path, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		done, err := fn(h.Name, h.Size, tr)
		if err != nil && archiveDamage(err) {
			return damagedArchive(path, fmt.Errorf("%s: %w", h.Name, err))
		}
		if err != nil {
			return fmt.Errorf("read %s: %s: %w", path, h.Name, err)
		}
		if done {
			return nil
		}
	}
}

// readMember reads a tarball member of the given size, refusing huge ones.
func readMember(size int64, r io.Reader) ([]byte, error) {
	if size < 0 || size > maxTarMember {
		return nil, fmt.Errorf("member size %d out of range", size)
	}
	buf := make([]byte, size)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	return buf, nil
}

// archiveDamage reports whether err, met reading a gzipped tarball, says
// the file is damaged (cut short, or not gzip or tar where it should be).
func archiveDamage(err error) bool {
	var corrupt flate.CorruptInputError
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrHeader) ||
		errors.Is(err, gzip.ErrChecksum) || errors.Is(err, tar.ErrHeader) || errors.As(err, &corrupt)
}

// damagedArchive says that the cached tarball at path cannot be read
// (err) and how to get it again: make data sets a damaged tarball aside
// and fetches it afresh.
func damagedArchive(path string, err error) error {
	return fmt.Errorf("the cached archive %s is damaged (%w): run make data in Tessera's source folder, which sets it aside and fetches it again (or delete it and run scripts/fetch-emoji.sh %s)",
		path, err, filepath.Dir(path))
}
