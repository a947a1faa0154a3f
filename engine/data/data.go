// Package data loads the datasets Tessera trains on as (caption, image)
// samples: the emoji-datasource packages (Google and Twitter artwork), MNIST,
// and a user's folder of images (PNG, JPEG, GIF, BMP, TIFF, WebP) with optional caption files.
//
// Every loader returns opaque images (alpha composited on white) at their
// original size, plus a Report of what was skipped and why; a broken file is
// skipped and counted, never fatal.
package data

import (
	"errors"
	"fmt"
	"image"
)

// ErrNotFound marks a dataset that is not on this machine. Errors wrapping it
// say how to get the data.
var ErrNotFound = errors.New("dataset not found")

// maxProblems is how many skip reasons a Report keeps.
const maxProblems = 10

// Sample is one training example.
type Sample struct {
	// Caption is the lower-cased caption, e.g. "smiling face with sunglasses google".
	Caption string
	// Names are alternative captions accepted for the same image (for emoji,
	// each short name plus the style word); may be empty.
	Names []string
	// Key identifies the depicted thing, shared by vendors and skin tones: the
	// emoji's base unified code ("1F60E"), the MNIST digit, the folder file name.
	// Split keeps samples with one Key on one side.
	Key string
	// Style is the artwork style: "google", "twitter", or "" when there is none.
	Style string
	// Image is opaque (alpha composited on white) at its original size.
	Image *image.NRGBA
}

// Report says what a loader did: samples loaded, samples skipped, and the
// first few reasons for skipping; and samples loaded with a warning.
type Report struct {
	Loaded, Skipped int
	Problems        []string
	// Warned counts samples loaded with a caveat, such as a caption file
	// that was not UTF-8 and was read as Windows-1252; Warnings keeps the
	// first few, each naming its file.
	Warned   int
	Warnings []string
	// Styles counts, per artwork style, the images loaded and the style's
	// files that matched no entry (emoji only).
	Styles map[string]StyleCount
	// Merged counts images left out as identical copies of another
	// (folders only: Folder trains each picture once, with the copies'
	// captions among its Names); Loaded counts the images kept.
	Merged int
}

// skip counts one skipped sample and keeps its reason if there is room.
func (r *Report) skip(format string, args ...any) {
	r.Skipped++
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
	}
}

// warn counts one sample loaded with a caveat and keeps it if there is room.
func (r *Report) warn(format string, args ...any) {
	r.Warned++
	if len(r.Warnings) < maxProblems {
		r.Warnings = append(r.Warnings, fmt.Sprintf(format, args...))
	}
}
