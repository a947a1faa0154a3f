package ui

import (
	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/ui/core"
)

// Keys Tessera's studio adds to Record.Extra.
const (
	extraMask    = pngmeta.ExtraMask    // '0'/'1' per patch
	extraKind    = pngmeta.ExtraKind    // generate, regenerate, complete, branch, extend, edit, export
	extraUpscale = pngmeta.ExtraUpscale // export scale factor
	extraFilter  = pngmeta.ExtraFilter  // export filter
	// extraAt is where an image branches from its parent: the patches kept
	// (complete, branch) or the rows added (extend).
	extraAt = pngmeta.ExtraAt
	// extraTemperature is the per-patch temperature map a run used.
	extraTemperature = pngmeta.ExtraPatchTemperature
	// extraExportSize is the exported picture's size, "WxH" (the record's
	// width and height are the model's native size).
	extraExportSize = pngmeta.ExtraExportSize
	// extraVaried marks an image drawn again with more variation after the
	// user's settings gave the image back unchanged (variedParams): its
	// temperature and guidance are not the user's, and opening it leaves
	// the panel's.
	extraVaried = "varied"
	// extraTransparent marks an export whose white background was made
	// transparent (edit.TransparentBackground).
	extraTransparent = pngmeta.ExtraTransparent
	// extraKeptPixels marks a picture whose patches outside its run's mask
	// keep the pixels they had (core.Snapshot.Picture): its codes draw it
	// only as well as the tokenizer's decoder does there, and reopening
	// it keeps its own pixels.
	extraKeptPixels = pngmeta.ExtraKeptPixels
)

// recordFor builds the metadata record of an image made with b (of one
// encoded from a file, when p.Imported names it).
func recordFor(version string, b *bundle.Bundle, p core.Params, seed uint64, tokens []int, mask []bool, parent, kind string) pngmeta.Record {
	st := p.Settings
	st.Seed = seed
	if p.Imported != "" {
		st = sampling.Settings{} // encoded from a file's pixels: nothing was sampled
	}
	rec := b.Record(versionString(version), st, tokens)
	rec.Parent, rec.Extra = parent, map[string]any{}
	if p.Imported != "" {
		rec.Extra[pngmeta.ExtraImported] = p.Imported
		rec.Precision = "" // nothing sampled it
	}
	if kind != "" {
		rec.Extra[extraKind] = kind
	}
	if core.AnyMasked(mask) {
		rec.Extra[extraMask] = core.MaskString(mask)
	}
	return rec
}

// versionString is the Version written in metadata.
func versionString(v string) string {
	if v == "" {
		v = "dev"
	}
	return pngmeta.VersionPrefix + " " + v
}
