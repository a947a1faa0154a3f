// Package widgets holds the studio's reusable Fyne widgets, which know
// nothing of models or documents: the LiveCanvas (an image on a patch grid
// that repaints as patches stream in, with zoom, pan, brush strokes and
// mask, temperature and likelihood layers snapped to the grid), thumbnails
// and thumbnail strips, the prompt entry with word completion, controls
// with tooltips (one tooltip layer per window, WithTips), the likelihood
// legend and the training loss curve.
//
// Widgets are used on the UI goroutine; the LiveCanvas's PaintPatch,
// ClearPatches and ShowImage may be called from any goroutine and coalesce
// repaints to about 30 a second.
package widgets
