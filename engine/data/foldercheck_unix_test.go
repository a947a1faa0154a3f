//go:build unix

package data

import (
	"context"
	"image/color"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCheckFolderSkipsPipes: a named pipe called .png or .txt in a folder is
// reported as no file, at once (opening one waits for a writer, so the
// data report hung), and the rest of the folder still reads.
func TestCheckFolderSkipsPipes(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "good.png"), pngBytes(t, 8, 8, color.NRGBA{10, 20, 30, 255}))
	writeFile(t, filepath.Join(dir, "piped.png"), pngBytes(t, 8, 8, color.NRGBA{40, 50, 60, 255}))
	for _, name := range []string{"pipe.png", "piped.txt"} {
		if err := syscall.Mkfifo(filepath.Join(dir, name), 0o600); err != nil {
			t.Skip("no named pipes here:", err)
		}
	}
	done := make(chan struct{})
	var r *FolderReport
	var err error
	go func() { r, err = CheckFolder(context.Background(), dir); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the data report still reading after 20 s")
	}
	if err != nil {
		t.Fatal(err)
	}
	if r.Usable != 1 || len(r.Unreadable) != 2 ||
		!strings.Contains(strings.Join(r.Unreadable, "\n"), "pipe.png: read image") ||
		!strings.Contains(strings.Join(r.Unreadable, "\n"), "it is a named pipe, not a caption file") {
		t.Fatalf("usable %d, unreadable %q", r.Usable, r.Unreadable)
	}
}
