package data

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A cached tarball that is damaged (cut short, empty, not gzip) is said to
// be so, with how to get it again: it said "read …tgz: unexpected EOF".
func TestDamagedTarballSaysHowToFetchItAgain(t *testing.T) {
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.tgz")
	big := strings.Repeat("emoji ", 20000)
	writeTarGz(t, whole, []string{"package/a.json", "package/b.json"}, map[string][]byte{"package/a.json": []byte(big), "package/b.json": []byte(big)})
	data, err := os.ReadFile(whole)
	if err != nil {
		t.Fatal(err)
	}
	read := func(path string) error {
		return walkTarGz(context.Background(), path, func(name string, size int64, r io.Reader) (bool, error) {
			_, err := readMember(size, r)
			return false, err
		})
	}
	if err := read(whole); err != nil {
		t.Fatalf("the whole tarball: %v", err)
	}
	for name, content := range map[string][]byte{"cut.tgz": data[:len(data)/2], "empty.tgz": nil, "page.tgz": []byte("<html>not found</html>")} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		err := read(path)
		if err == nil || !strings.Contains(err.Error(), "is damaged") || !strings.Contains(err.Error(), "make data") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
