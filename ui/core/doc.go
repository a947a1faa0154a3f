// Package core is the studio's plain-Go core, with no Fyne import and
// tested without a window: the document (an image's codes, mask and
// temperature map with an exact undo history, Document), the sampling
// parameters the prompt panel shows (Params), and the mask's text form
// stored in PNG metadata and the autosaved session.
package core
