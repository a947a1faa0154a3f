package filehash

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The digest is SHA-256 of the file's bytes (across read pieces), and a
// missing file is an error naming it.
func TestSHA256(t *testing.T) {
	data := []byte(strings.Repeat("tessera ", 300_000)) // 2.4 MB: three read pieces
	path := filepath.Join(t.TempDir(), "w.bin")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := SHA256(path)
	want := sha256.Sum256(data)
	if err != nil || got != hex.EncodeToString(want[:]) {
		t.Fatalf("SHA256 = %q, %v; want %x", got, err, want)
	}
	if _, err := SHA256(path + ".missing"); err == nil || !strings.Contains(err.Error(), "w.bin.missing") {
		t.Fatalf("missing file: %v", err)
	}
}
