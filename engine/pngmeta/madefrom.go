package pngmeta

import (
	"fmt"
	"maps"
	"math"
	"strconv"
	"strings"

	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/internal/plural"
)

// Keys of Record.Extra that say how the studio made a picture from its
// parent (Record.Parent).
const (
	// ExtraKind is how: KindGenerate, KindRegenerate, KindComplete,
	// KindBranch, KindExtend, KindEdit, or "export" for an export.
	ExtraKind = "kind"
	// ExtraMask is the patch mask of the run, '0'/'1' a patch in raster
	// order ('1': resampled).
	ExtraMask = "mask"
	// ExtraAt is the patches kept (complete, branch) or the patch rows
	// added (extend).
	ExtraAt = "at"
	// ExtraStride is an extend's rows a step (sampler.ExtendDown's
	// stride): tessera score reads a tall picture in the windows it was
	// drawn in.
	ExtraStride = "stride"
	// ExtraMadeFrom is an export's MadeFrom of the output it copies (the
	// export's own kind is "export", and its mask is the canvas's).
	ExtraMadeFrom = "made_from"
	// ExtraUpscale, ExtraFilter and ExtraExportSize are an export's scale
	// factor, its filter and its size ("WxH"; Width and Height are the
	// model's native size).
	ExtraUpscale    = "upscale"
	ExtraFilter     = "filter"
	ExtraExportSize = "export_size"
	// ExtraKeptPixels marks a picture whose patches outside its run's mask
	// keep the pixels they had, not their codes' drawing.
	ExtraKeptPixels = "kept_pixels"
	// ExtraPatchTemperature is the per-patch temperature map a run drew
	// with (the studio's temperature brush; sampler.Options.PatchTemperature:
	// 0 for a patch drawn at the run's temperature).
	ExtraPatchTemperature = "patch_temperature"
)

// The kinds of run ExtraKind names.
const (
	KindGenerate   = "generate"
	KindRegenerate = "regenerate"
	KindComplete   = "complete"
	KindBranch     = "branch"
	KindExtend     = "extend"
	KindEdit       = "edit" // by instruction
)

// MadeFrom says for people how r's picture was made from its parent file:
// "2 of 16 patches of photo.png regenerated", "the first 8 of 16 patches
// of a.png kept, the rest sampled", "a.png resampled whole from its prompt
// and settings, no patch kept" (a branch at patch 0), "a.png grown by 2
// patch rows", "photo.png edited by instruction", "32 of 64 patches of
// photo.png edited by instruction" (an export: what its ExtraMadeFrom
// says). It is "" for a picture sampled whole, imported, or whose kind or
// parent it does not know: the prompt and seed then tell how it was made.
func (r *Record) MadeFrom() string {
	if r == nil {
		return ""
	}
	if s, _ := r.Extra[ExtraMadeFrom].(string); s != "" {
		return s
	}
	parent := r.Parent
	if parent == "" || parent == "." {
		return ""
	}
	kind, _ := r.Extra[ExtraKind].(string)
	if kind == "" && r.IsEdit() {
		kind = KindEdit // tessera edit's output: no kind, its mask in the edit entry
	}
	n := r.Grid[0] * r.Grid[1]
	at := float64(r.ExtraInt(ExtraAt))
	switch kind {
	case KindRegenerate:
		mask, _ := r.Extra[ExtraMask].(string)
		if k := strings.Count(mask, "1"); k > 0 && len(mask) == n {
			return fmt.Sprintf("%d of %d patches of %s regenerated", k, n, parent)
		}
		return "patches of " + parent + " regenerated"
	case KindComplete, KindBranch:
		_, recorded := r.Extra[ExtraAt]
		switch {
		case at > 0 && int(at) < n:
			return fmt.Sprintf("the first %d of %d patches of %s kept, the rest sampled", int(at), n, parent)
		case recorded && at == 0:
			// Branched at patch 0: nothing of the picture was kept.
			return parent + " resampled whole from its prompt and settings, no patch kept"
		}
		return "part of " + parent + " kept, the rest sampled"
	case KindExtend:
		if at > 0 {
			return fmt.Sprintf("%s grown by %s", parent, plural.N(int(at), "patch row", "patch rows"))
		}
		return parent + " grown downward"
	case KindEdit:
		// A masked edit changed only its mask's patches (the rest kept):
		// said, or it read as an edit of the whole picture.
		if k := r.EditedPatches(); k > 0 {
			return fmt.Sprintf("%d of %d patches of %s edited by instruction", k, n, parent)
		}
		return parent + " edited by instruction"
	}
	return ""
}

// EditedPatches is, for r the record of an edit by instruction (kind
// KindEdit, or IsEdit), how many of its Grid's patches the edit changed
// where it was masked (its mask: the studio's ExtraMask, or the edit
// entry's, tessera edit --mask's); 0 for an edit of the whole picture or a
// mask of another grid.
func (r *Record) EditedPatches() int {
	mask, _ := r.Extra[ExtraMask].(string)
	if e, ok := r.Extra[ExtraEdit].(map[string]any); ok && mask == "" {
		mask, _ = e["mask"].(string)
	}
	if k, n := strings.Count(mask, "1"), r.Grid[0]*r.Grid[1]; k < n && len(mask) == n {
		return k
	}
	return 0
}

// ExtraInt is the whole number Extra holds under key (an int as written,
// a float64 as JSON reads it back); 0 when there is none.
func (r *Record) ExtraInt(key string) int {
	if r == nil {
		return 0
	}
	switch v := r.Extra[key].(type) {
	case int:
		return v
	case float64:
		return int(v)
	}
	return 0
}

// The upscale filters' names, as UpscaledMetadata records them and the
// studio's export panel shows them.
const (
	FilterNearest = "Nearest"
	FilterLanczos = "Lanczos"
)

// UpscaledMetadata is rec's metadata for its picture written at w×h pixels,
// k times its native size (rec's Width and Height) with filter (as the
// studio's export names it: "Nearest", "Lanczos"): the record keeps the
// native size and says the upscale in Extra (ExtraUpscale, ExtraFilter,
// ExtraExportSize); the A1111 "parameters" text states the exported size
// as Size, with the native size, the upscale and the filter beside it.
// The studio's Export and tessera generate --scale write the same.
func UpscaledMetadata(rec Record, w, h, k int, filter string) map[string]string {
	extra := make(map[string]any, len(rec.Extra)+3)
	maps.Copy(extra, rec.Extra)
	extra[ExtraUpscale], extra[ExtraFilter], extra[ExtraExportSize] = k, filter, fmt.Sprintf("%dx%d", w, h)
	rec.Extra = extra
	text := Metadata(rec)
	p := rec.Infotext()
	nw, nh := p.Width, p.Height
	p.Width, p.Height = w, h
	p.SetExtra("Native size", fmt.Sprintf("%dx%d", nw, nh)) // beside what Infotext put there
	p.SetExtra("Upscale", fmt.Sprintf("%dx", k))
	p.SetExtra("Upscale filter", filter)
	text[KeyParameters] = FormatParameters(p)
	return text
}

// PatchTemperatures is the per-patch temperature map r's run drew with
// (ExtraPatchTemperature), one entry a patch of its n: nil when it has
// none, or one that does not fit (another count, or an entry not a
// number from 0 to sampling.MaxPatchTemperature).
func (r *Record) PatchTemperatures(n int) []float64 {
	if r == nil {
		return nil
	}
	raw, ok := r.Extra[ExtraPatchTemperature].([]any)
	if !ok || len(raw) != n {
		return nil
	}
	out := make([]float64, n)
	for i, v := range raw {
		f, ok := v.(float64)
		if !ok || math.IsNaN(f) || f < 0 || f > sampling.MaxPatchTemperature {
			return nil
		}
		out[i] = f
	}
	return out
}

// PatchTemperatureNote says r's painted temperatures in a few words ("1.25
// over 18 of 64 patches"; "1.25–1.6 over …" for several), "" when it has
// none that fits its grid.
func (r *Record) PatchTemperatureNote() string {
	if r == nil {
		return ""
	}
	n := r.Grid[0] * r.Grid[1]
	temps := r.PatchTemperatures(n)
	lo, hi, painted := math.Inf(1), math.Inf(-1), 0
	for _, t := range temps {
		if t > 0 {
			lo, hi, painted = math.Min(lo, t), math.Max(hi, t), painted+1
		}
	}
	if painted == 0 {
		return ""
	}
	what := strconv.FormatFloat(lo, 'g', 4, 64)
	if hi != lo {
		what += "–" + strconv.FormatFloat(hi, 'g', 4, 64)
	}
	return fmt.Sprintf("%s over %d of %d patches", what, painted, n)
}
