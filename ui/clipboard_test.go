package ui

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// TestClipboardToolThatForks: xclip forks a child that serves the
// clipboard and keeps its output open; copying returns when the tool
// itself exits, not when another program takes the clipboard (seconds or
// never).
func TestClipboardToolThatForks(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the xclip path is the Linux one")
	}
	bin := t.TempDir()
	script := "#!/bin/sh\n/bin/cat > /dev/null\n(/bin/sleep 20) &\nexit 0\n" // reads the PNG, leaves a child holding stdout
	must(t, os.WriteFile(filepath.Join(bin, "xclip"), []byte(script), 0o755))
	t.Setenv("PATH", bin)
	t.Setenv("WAYLAND_DISPLAY", "")
	start := time.Now()
	if err := systemClipboard(context.Background(), []byte("png")); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("copying waited %v for the clipboard server's output", d)
	}
}
