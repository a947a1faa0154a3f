package ui

import (
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// Once ended, Fyne's loop runs no more of the studio's functions, and end
// waits for one running on another goroutine (after Fyne's loop has
// drained, fyne.Do runs a function at once on the caller's goroutine, as
// the test driver does).
func TestFyneLoopEnds(t *testing.T) {
	test.NewTempApp(t)
	l := newFyneLoop()
	var ran atomic.Int32
	l.Do(func() { ran.Add(1) })
	l.DoAndWait(func() { ran.Add(1) })
	if ran.Load() != 2 {
		t.Fatalf("before end, %d of 2 functions ran", ran.Load())
	}
	started, finished := make(chan struct{}), atomic.Bool{}
	go l.DoAndWait(func() {
		close(started)
		time.Sleep(100 * time.Millisecond)
		finished.Store(true)
	})
	<-started
	l.end()
	if !finished.Load() {
		t.Error("end returned while a function was still running")
	}
	l.Do(func() { ran.Add(1) })
	l.DoAndWait(func() { ran.Add(1) })
	if ran.Load() != 2 {
		t.Errorf("after end, %d more functions ran", ran.Load()-2)
	}
	l.end() // twice is harmless
}
