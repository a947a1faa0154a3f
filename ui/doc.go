// Package ui is Tessera's desktop studio: a Fyne window in which a person
// types a prompt, watches the image grow patch by patch, paints a mask over
// part of it, regenerates just that part, and exports a PNG with metadata.
//
// The package keeps state apart from widgets: a Document (tokens, mask,
// parameters, undo/redo) that is plain Go and testable without Fyne; a
// LiveCanvas widget that shows the image as the sampler streams it, with a
// mask overlay snapped to the patch grid; a runner that owns the one
// generation in flight; and a Studio that wires them to the engine.
//
// The app opens the studio with NewStudio and ShowAndRun; see Options.
package ui
