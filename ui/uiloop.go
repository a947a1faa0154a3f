package ui

import (
	"sync/atomic"

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
type fyneLoop struct{ ended *atomic.Bool }

func newFyneLoop() fyneLoop { return fyneLoop{ended: new(atomic.Bool)} }

// Do is fyne.Do, until end.
func (l fyneLoop) Do(fn func()) {
	if !l.ended.Load() {
		fyne.Do(fn)
	}
}

// DoAndWait is fyne.DoAndWait, until end.
func (l fyneLoop) DoAndWait(fn func()) {
	if !l.ended.Load() {
		fyne.DoAndWait(fn)
	}
}

// end drops the functions queued from now on.
func (l fyneLoop) end() { l.ended.Store(true) }

// ender is a uiLoop that can be told its loop has ended.
type ender interface{ end() }

// pumper is a uiLoop that the goroutine calling Wait drives itself.
type pumper interface {
	// pumpUntil runs queued functions until done reports true.
	pumpUntil(done func() bool)
}
