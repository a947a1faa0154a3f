package ui

import (
	"fmt"
	"path/filepath"

	"github.com/tessera-studio/tessera/engine/pngmeta"
)

// lineage is where an output came from: its place in the tree of branches
// shown in the history strip.
type lineage struct {
	parent string // the parent output's file name ("" for a root)
	kind   string // how it was made from the parent (kind* constants)
	at     int    // patches kept (branch, complete) or rows added (extend)
	gone   bool   // the parent's file was deleted from the history
}

// parentName is the file name recorded as the parent of an image made
// from the one in path ("" when it came from no file).
func parentName(path string) string {
	if path == "" {
		return ""
	}
	return filepath.Base(path)
}

// lineageOf reads an output's lineage from its metadata.
func lineageOf(rec *pngmeta.Record) lineage {
	if rec == nil {
		return lineage{}
	}
	l := lineage{parent: rec.Parent}
	if l.parent == "." { // written for "no parent" by earlier versions
		l.parent = ""
	}
	l.kind, _ = rec.Extra[extraKind].(string)
	l.at = rec.ExtraInt(extraAt)
	return l
}

// note is the lineage line under a history thumbnail: "↳ 20:41 s7 @12"
// for a branch of that output kept at patch 12 ("" for a root).
func (l lineage) note() string {
	if l.parent == "" {
		return ""
	}
	n := "↳ " + historyCaption(l.parent)
	if l.gone {
		n = "↳ gone" // the parent is no longer there to find: deleted, or moved or renamed outside Tessera ("deleted" was said of one renamed)
	}
	switch l.kind {
	case kindBranch, kindComplete:
		n += fmt.Sprintf(" @%d", l.at)
	case kindRegenerate:
		n += " mask"
	case kindEdit:
		n += " edit"
	case kindExtend:
		n += fmt.Sprintf(" +%d↓", l.at)
	}
	return n
}
