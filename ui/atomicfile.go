package ui

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tessera-studio/tessera/engine/atomicfile"
)

// writeFileAtomic creates path's folder if needed and replaces path with
// data atomically, so a crash leaves either the old file or the new one.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := atomicfile.WriteBytes(path, data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
