package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteReplacesOrLeavesUntouched(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.txt")
	if err := WriteBytes(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(path, func(w io.Writer) error {
		w.Write([]byte("half of the new"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("a failed write changed the file to %q", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files left in the folder, want 1", len(entries))
	}
	if err := WriteBytes(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "new" {
		t.Errorf("content %q, want new", got)
	}
	if err := WriteBytes(filepath.Join(dir, "missing", "f"), nil); err == nil {
		t.Error("writing into a missing folder succeeded")
	}
}

// A symbolic link at the path is followed: the file it points at gets the
// new content and keeps its mode, and the link stays a link; a dangling
// link creates its target; a loop of links is replaced like a file.
func TestWriteFollowsLinks(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "sub", "real.png")
	if err := os.MkdirAll(filepath.Dir(real), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(real, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.png")
	if err := os.Symlink(filepath.Join("sub", "real.png"), link); err != nil {
		t.Fatal(err)
	}
	if err := WriteBytes(link, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", fi.Mode(), err)
	}
	got, err := os.ReadFile(real)
	if err != nil || string(got) != "new" {
		t.Fatalf("the link's target holds %q (%v)", got, err)
	}
	if fi, _ := os.Stat(real); fi.Mode().Perm() != 0o600 {
		t.Errorf("the target's mode became %v", fi.Mode().Perm())
	}
	dangling := filepath.Join(dir, "dangling.png")
	if err := os.Symlink("made.png", dangling); err != nil {
		t.Fatal(err)
	}
	if err := WriteBytes(dangling, []byte("made")); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "made.png")); err != nil || string(got) != "made" {
		t.Fatalf("a dangling link's target holds %q (%v)", got, err)
	}
	loop := filepath.Join(dir, "loop.png")
	if err := os.Symlink("loop.png", loop); err != nil {
		t.Fatal(err)
	}
	if err := WriteBytes(loop, []byte("loop")); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(loop); err != nil || string(got) != "loop" {
		t.Fatalf("a loop of links became %q (%v)", got, err)
	}
}
