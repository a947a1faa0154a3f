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
