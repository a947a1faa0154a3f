package ui

import "fyne.io/fyne/v2"

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

// fyneLoop is Fyne's main loop.
type fyneLoop struct{}

// Do is fyne.Do.
func (fyneLoop) Do(fn func()) { fyne.Do(fn) }

// DoAndWait is fyne.DoAndWait.
func (fyneLoop) DoAndWait(fn func()) { fyne.DoAndWait(fn) }

// pumper is a uiLoop that the goroutine calling Wait drives itself.
type pumper interface {
	// pumpUntil runs queued functions until done reports true.
	pumpUntil(done func() bool)
}
