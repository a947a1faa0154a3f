package ui

import (
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
)

// uiLoop runs functions on the UI goroutine. The app uses Fyne's own loop
// (fyne.Do); tests substitute one they pump themselves, so widget work is
// ordered exactly as in a running app.
type uiLoop interface {
	// Do queues fn and returns at once.
	Do(fn func())
	// DoAndWait runs fn and returns when it has run; never call it on the
	// UI goroutine.
	DoAndWait(fn func())
}

// fyneLoop is Fyne's main loop. Once the loop has ended (end), functions
// queued are dropped: Fyne then runs fyne.Do's functions at once on the
// goroutine that queued them, so that a job's callback would touch the
// studio's state beside the final autosave (Studio.endedOutside).
type fyneLoop struct{ st *loopState }

// loopState is a fyneLoop's: whether it has ended, and how many of its
// functions are running.
type loopState struct {
	ended   atomic.Bool
	running atomic.Int64
}

func newFyneLoop() fyneLoop { return fyneLoop{st: new(loopState)} }

// Do is fyne.Do, until end.
func (l fyneLoop) Do(fn func()) {
	if !l.st.ended.Load() {
		fyne.Do(l.guarded(fn))
	}
}

// DoAndWait is fyne.DoAndWait, until end.
func (l fyneLoop) DoAndWait(fn func()) {
	if !l.st.ended.Load() {
		fyne.DoAndWait(l.guarded(fn))
	}
}

// guarded is fn run only while the loop has not ended, counted while it
// runs, so that end can wait for one that began just before it.
func (l fyneLoop) guarded(fn func()) func() {
	return func() {
		l.st.running.Add(1)
		defer l.st.running.Add(-1)
		if !l.st.ended.Load() {
			fn()
		}
	}
}

// endWait is the longest end waits for functions already running.
const endWait = 2 * time.Second

// end drops the functions queued from now on, and waits (endWait at most)
// for those running on other goroutines to return. Call it once Fyne's
// loop has ended, never from a function the loop runs.
func (l fyneLoop) end() {
	l.st.ended.Store(true)
	for deadline := time.Now().Add(endWait); l.st.running.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
}

// ender is a uiLoop that can be told its loop has ended.
type ender interface{ end() }

// pumper is a uiLoop that the goroutine calling Wait drives itself.
type pumper interface {
	// pumpUntil runs queued functions until done reports true.
	pumpUntil(done func() bool)
}
