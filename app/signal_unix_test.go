//go:build unix

package app

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
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

// The studio refuses a DISPLAY that names no X server it can reach, or
// none at all beside WAYLAND_DISPLAY, with a message: the window's driver
// panicked ("The GLFW library is not initialized").
func TestUnreachableDisplayIsSaid(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "freebsd" {
		t.Skip("checkDisplay looks at X11 displays only")
	}
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "wayland-9")
	if err := checkDisplay(); err == nil || !strings.Contains(err.Error(), "draws through X11 and DISPLAY is unset") {
		t.Errorf("Wayland alone: %v", err)
	}
	for _, d := range []string{"garbage", ":65000"} {
		t.Setenv("DISPLAY", d)
		if err := checkDisplay(); err == nil || !strings.Contains(err.Error(), "cannot be reached") {
			t.Errorf("DISPLAY=%s: %v", d, err)
		}
	}
	// A server that answers (a TCP listener at 6000+N) passes, as does a
	// socket's path (XQuartz's launchd DISPLAY).
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skip(err)
	}
	defer l.Close()
	if port := l.Addr().(*net.TCPAddr).Port; port > 6000 {
		if err := reachX(fmt.Sprintf("127.0.0.1:%d", port-6000)); err != nil {
			t.Errorf("a listening display: %v", err)
		}
	}
	if err := reachX("/private/tmp/com.apple.launchd.x/org.xquartz:0"); err != nil {
		t.Errorf("a socket path: %v", err)
	}
}
