package bundle_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
)

// A save whose context is cancelled leaves nothing: no folder, no staging
// folder (random-model wrote the whole model after a Ctrl-C, said it had,
// then exited "interrupted").
func TestSaveContextCancelledLeavesNothing(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "m")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := bundletest.Tiny(1).SaveContext(ctx, dir, "F32"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled save: %v", err)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}
