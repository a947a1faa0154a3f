// Package filehash fingerprints files by content.
package filehash

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
)

// SHA256 is the SHA-256 digest of the file at path, as 64 lowercase hex
// digits, read in 1 MiB pieces (a multi-gigabyte weights file is never held
// whole). It returns the open or read error, wrapped with the path.
func SHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := bufio.NewReaderSize(f, 1<<20).WriteTo(h); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
