//go:build unix

package app

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tessera-studio/tessera/engine/pngmeta"
)

// A signal stops a command with 128 + its number, as shells report it:
// 143 for a kill (SIGTERM gave 130, Ctrl-C's).
func TestSignalContextSaysWhichSignal(t *testing.T) {
	ctx, stop, caught := signalContext(syscall.SIGUSR1, syscall.SIGUSR2)
	defer stop()
	if caught() != nil {
		t.Fatal("a signal caught before any came")
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the signal did not stop the context")
	}
	if s, ok := caught().(syscall.Signal); !ok || s != syscall.SIGUSR1 {
		t.Fatalf("caught %v", caught())
	}
	// A later signal is the one said (a closed terminal, SIGHUP, leaves
	// the studio open; a kill after it ends it, and its status is a kill's).
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR2); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); caught() != syscall.SIGUSR2; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after a second signal, caught %v", caught())
		}
	}
	stop()
	stop() // twice is harmless
}

// An --out that is a named pipe is refused at once: looking at whether
// Tessera wrote it opened the pipe, which waited for ever for a writer.
func TestOutToANamedPipeIsRefused(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "ff.png")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no named pipes here:", err)
	}
	done := make(chan struct{})
	var code int
	var stderr string
	go func() {
		defer close(done)
		code, _, stderr = run(t, "generate", "--model", tinyModel(t), "--prompt", "red cat", "--out", fifo, "--quiet")
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("generate --out onto a named pipe hangs")
	}
	if code != 2 || !strings.Contains(stderr, "is no plain file (a named pipe") {
		t.Errorf("exit %d, %q", code, stderr)
	}
	if _, err := pngmeta.ReadFile(fifo); err == nil || !strings.Contains(err.Error(), "a named pipe") {
		t.Errorf("pngmeta.ReadFile of a named pipe: %v", err)
	}
}
