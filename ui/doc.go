// Package ui is Tessera's desktop studio: a Fyne window in which a person
// types a prompt, watches the image grow patch by patch, paints a mask over
// part of it, regenerates just that part, and exports a PNG with metadata.
//
// What only a patch-by-patch model can do is there too: a timeline rewinds
// the image to its first k patches and branches from there (reusing the
// run's KV cache), the outputs form a tree of branches in the history; a
// likelihood map shows how surprising each patch is and repairs the worst
// ones in one click; batches come ranked by the model's own likelihood; a
// time-lapse GIF replays the generation; Extend ↓ grows an image taller
// than the model's grid; and a temperature brush paints a temperature per
// patch.
//
// A second tab, Train, trains a model on the built-in shapes, emoji or
// MNIST data or a folder of images (from scratch or fine-tuning the model
// open), with a live loss curve, sample grid and speed; runs pause and
// resume from their checkpoints, also after the app was closed, and "Use
// this model" puts the result in the model picker (TrainTab, on
// engine/trainjob).
//
// The studio is three layers: ui/core, the plain-Go document (tokens, mask,
// temperature map, parameters, undo/redo) tested without Fyne;
// ui/widgets, the reusable widgets (the LiveCanvas that shows the image as
// the sampler streams it, with mask, temperature and likelihood overlays
// snapped to the patch grid; thumbnails, the prompt entry, tooltips, the
// likelihood legend and the loss curve), which know nothing of models; and
// this package, where a runner owns the one generation in flight and the
// Studio wires document, widgets and engine together.
//
// The app opens the studio with NewStudio and ShowAndRun; see Options.
package ui
