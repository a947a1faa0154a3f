//go:build unix

package app

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// A signal stops a command with 128 + its number, as shells report it:
// 143 for a kill (SIGTERM gave 130, Ctrl-C's).
func TestSignalContextSaysWhichSignal(t *testing.T) {
	ctx, stop, caught := signalContext(syscall.SIGUSR1)
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
}
