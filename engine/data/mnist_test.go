package data

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMNIST(t *testing.T) {
	ctx := context.Background()
	dir, err := mnistDir(ctx)
	if errors.Is(err, ErrNotFound) {
		t.Skipf("GoMNIST not in the module cache: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		train bool
		n     int
	}{{false, 10000}, {true, 60000}} {
		if c.train && testing.Short() {
			continue
		}
		start := time.Now()
		samples, rep, err := MNISTFrom(ctx, dir, c.train)
		if err != nil {
			t.Fatalf("MNIST(train=%v): %v", c.train, err)
		}
		t.Logf("train=%v: %d samples in %v", c.train, len(samples), time.Since(start))
		if len(samples) != c.n || rep.Loaded != c.n || rep.Skipped != 0 {
			t.Fatalf("train=%v: %d samples, report %+v, want %d", c.train, len(samples), rep, c.n)
		}
		counts := map[string]int{}
		for _, s := range samples {
			counts[s.Key]++
			if s.Caption != "digit "+s.Key || s.Image.Bounds().Dx() != 28 || s.Image.Bounds().Dy() != 28 {
				t.Fatalf("bad sample %q key %q size %v", s.Caption, s.Key, s.Image.Bounds())
			}
		}
		if len(counts) != 10 {
			t.Fatalf("digits = %v", counts)
		}
		// White digit on black: corners are black, the image has bright pixels.
		img := samples[0].Image
		if c := img.NRGBAAt(0, 0); c.R != 0 || c.A != 255 {
			t.Fatalf("corner = %v, want opaque black", c)
		}
		bright := 0
		for i := 0; i < len(img.Pix); i += 4 {
			if img.Pix[i] > 200 && img.Pix[i+3] == 255 {
				bright++
			}
		}
		if bright < 20 {
			t.Fatalf("only %d bright pixels in %q", bright, samples[0].Caption)
		}
	}
	if _, _, err := MNIST(ctx, false); err != nil {
		t.Fatalf("MNIST: %v", err)
	}
}

// writeIdx writes a gzipped idx file.
func writeIdx(t *testing.T, path string, magic uint32, dims []uint32, data []byte) {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	binary.Write(gz, binary.BigEndian, append([]uint32{magic}, dims...))
	gz.Write(data)
	gz.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestMNISTFromSynthetic(t *testing.T) {
	dir := t.TempDir()
	writeIdx(t, filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"), 2049, []uint32{3}, []byte{7, 12, 0})
	writeIdx(t, filepath.Join(dir, "t10k-images-idx3-ubyte.gz"), 2051, []uint32{3, 2, 2}, []byte{
		0, 255, 0, 0, 1, 1, 1, 1, 9, 9, 9, 9})
	samples, rep, err := MNISTFrom(context.Background(), dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) != 2 || rep.Skipped != 1 || samples[0].Caption != "digit 7" || samples[1].Key != "0" {
		t.Fatalf("samples %d, report %+v", len(samples), rep)
	}
	if c := samples[0].Image.NRGBAAt(1, 0); c.R != 255 || c.G != 255 || c.B != 255 || c.A != 255 {
		t.Fatalf("pixel = %v", c)
	}
	if c := samples[1].Image.NRGBAAt(0, 1); c.R != 9 {
		t.Fatalf("second image pixel = %v", c)
	}

	// Corrupt and missing files are errors, not panics.
	writeIdx(t, filepath.Join(dir, "t10k-images-idx3-ubyte.gz"), 2051, []uint32{3, 2, 2}, []byte{1, 2})
	if _, _, err := MNISTFrom(context.Background(), dir, false); err == nil {
		t.Fatal("truncated images: no error")
	}
	writeIdx(t, filepath.Join(dir, "t10k-images-idx3-ubyte.gz"), 2051, []uint32{1 << 20, 1 << 10, 1 << 10}, nil)
	if _, _, err := MNISTFrom(context.Background(), dir, false); err == nil {
		t.Fatal("huge header: no error")
	}
	writeIdx(t, filepath.Join(dir, "t10k-images-idx3-ubyte.gz"), 1234, []uint32{3, 2, 2}, make([]byte, 12))
	if _, _, err := MNISTFrom(context.Background(), dir, false); err == nil || !strings.Contains(err.Error(), "magic") {
		t.Fatalf("bad magic: err = %v", err)
	}
	if _, _, err := MNISTFrom(context.Background(), dir, true); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing train set: err = %v", err)
	}
}
