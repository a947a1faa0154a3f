package paths

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestSame(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a")
	if err := os.Mkdir(a, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(a, link); err != nil {
		t.Fatal(err)
	}
	if !Same(a, link) || !Same(a, a+"/.") {
		t.Error("one folder through a link, or written otherwise, is not the same")
	}
	if Same(a, dir) {
		t.Error("a folder and its parent are the same")
	}
	if !Same(filepath.Join(dir, "none"), filepath.Join(dir, "x", "..", "none")) || Same(filepath.Join(dir, "none"), filepath.Join(dir, "other")) {
		t.Error("paths of no file are compared wrongly")
	}
}

func TestDefaultOutputs(t *testing.T) {
	t.Setenv("HOME", "/home/someone")
	if dir, ok := DefaultOutputs(); !ok || dir != filepath.Join("/home/someone", "Pictures", "Tessera") {
		t.Fatalf("%q %v", dir, ok)
	}
}

// Kind names the kinds of file that are no regular file.
func TestKind(t *testing.T) {
	for m, want := range map[fs.FileMode]string{fs.ModeDir: "folder", fs.ModeNamedPipe: "named pipe", fs.ModeSocket: "socket", fs.ModeDevice | fs.ModeCharDevice: "device", fs.ModeIrregular: "special file"} {
		if got := Kind(m); got != want {
			t.Errorf("Kind(%v) = %q, want %q", m, got, want)
		}
	}
}
