package pngmeta

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/tessera-studio/tessera/engine/sampling"
)

// Text chunk keys Tessera writes.
const (
	KeyParameters = "parameters"
	KeyTessera    = "tessera"
	// KeySoftware is the PNG specification's keyword for the software that
	// made the image; every PNG Tessera writes has it (Software).
	KeySoftware = "Software"
)

// Software is the value of the Software text of the PNGs Tessera writes.
const Software = "Tessera"

// WrittenByTessera reports whether text (a PNG's text chunks, ReadText)
// marks a picture Tessera wrote: its Software text or its record.
func WrittenByTessera(text map[string]string) bool {
	_, rec := text[KeyTessera]
	return rec || text[KeySoftware] == Software
}

// Record is the "tessera" JSON chunk: the same facts as Infotext plus the
// tokens, so an image reopens exactly (branching, editing) even after it was
// upscaled on export.
type Record struct {
	Version   string `json:"version"`
	Model     string `json:"model"`
	ModelHash string `json:"model_hash"`
	// Settings are how the image was sampled (prompt, seed, temperature,
	// top-k, top-p, guidance, guidance min-p, image guidance).
	sampling.Settings
	// Precision is the arithmetic the picture was sampled in: "f32",
	// "f16" or "int8" (model.Model.Precision), which draw different
	// pictures from one seed and settings. It is "" in records written
	// before it was recorded and in those of pictures nothing sampled
	// (imported from a file).
	Precision string         `json:"precision,omitempty"`
	Width     int            `json:"width"`
	Height    int            `json:"height"`
	Grid      [2]int         `json:"grid"` // rows, cols in patches
	PatchSize int            `json:"patch_size"`
	Tokens    []int          `json:"tokens"`           // image codes, raster order
	Parent    string         `json:"parent,omitempty"` // for branches/edits: the id/file it came from
	Extra     map[string]any `json:"extra,omitempty"`
}

// ExtraEdit is the Extra entry of an edit by instruction's output (its
// instruction, edit model, guidance scales, rank): the studio and tessera
// edit write it.
const ExtraEdit = "edit"

// IsEdit reports whether r records an edit by instruction's output: its
// prompt is the instruction and its settings and seed the edit model's,
// none of which draws the picture with a drawing model.
func (r *Record) IsEdit() bool { return r != nil && r.Extra[ExtraEdit] != nil }

// EditModel is the edit model that made an edit by instruction's output
// (IsEdit; "" for any other record) and its weights hash. tessera edit
// writes the edit model's own codes, so r.Model names it (ownCodes); the
// studio re-encodes the edit in its drawing model's codes, r.Model, and
// names the edit model in the edit entry ("model", "model_hash").
func (r *Record) EditModel() (name, hash string, ownCodes bool) {
	if r == nil {
		return "", "", false
	}
	e, ok := r.Extra[ExtraEdit].(map[string]any)
	if !ok {
		return "", "", false
	}
	if m, _ := e["model"].(string); m != "" && m != r.Model {
		h, _ := e["model_hash"].(string)
		return m, h, false
	}
	return r.Model, r.ModelHash, true
}

// ExtraTransparent is the Extra entry (true) of a PNG whose white
// background was made transparent when it was written (a sticker): the
// picture the codes decode to is the file's composited on white.
const ExtraTransparent = "transparent_background"

// ExtraSameAsParent is the Extra entry (true) of an export that holds the
// very codes of its parent file (the studio's saved copy of the picture):
// the parent names the same picture, not what it was made from.
const ExtraSameAsParent = "same_as_parent"

// ExtraImported is the Extra entry of a picture encoded from another
// file's pixels rather than sampled (the file's base name): its record
// claims no prompt, seed or sampling settings.
const ExtraImported = "imported_from"

// ImportedFrom is the file r's picture was encoded from ("" when it was
// sampled).
func (r *Record) ImportedFrom() string {
	if r == nil {
		return ""
	}
	from, _ := r.Extra[ExtraImported].(string)
	return from
}

// Sampled reports whether r's prompt, seed and settings made its picture
// with a drawing model: not an edit by instruction's output (the edit
// model's), not a picture imported from a file (nothing sampled it).
func (r *Record) Sampled() bool {
	return r != nil && !r.IsEdit() && r.ImportedFrom() == ""
}

// Stopped reports whether r is a stopped run's picture: fewer codes than
// its grid has patches (at least one), the rest never drawn (blank).
// drawn and total count its codes and its grid's patches.
func (r *Record) Stopped() (drawn, total int, stopped bool) {
	if r == nil {
		return 0, 0, false
	}
	drawn, total = len(r.Tokens), r.Grid[0]*r.Grid[1]
	return drawn, total, drawn > 0 && drawn < total
}

// Infotext returns the facts of r shown in the "parameters" text. Extra is
// not carried over, but for the file an imported picture came from, a
// studio edit's model and its source's prompt ("Edit model", "Source
// prompt"), a transparent background ("Background: transparent"), how many patches
// a stopped run's picture has ("Patches: 12 of 64 (stopped)") and how it
// was made from its parent ("Made from: 2 of 64 patches of photo.png
// regenerated", MadeFrom: its prompt and seed alone do not make it).
func (r Record) Infotext() Infotext {
	var extra map[string]string // nil when there is nothing to add
	put := func(key, value string) {
		if extra == nil {
			extra = map[string]string{}
		}
		extra[key] = value
	}
	if clear, _ := r.Extra[ExtraTransparent].(bool); clear {
		put("Background", "transparent")
	}
	if how := r.MadeFrom(); how != "" {
		put("Made from", how)
	}
	if e, ok := r.Extra[ExtraEdit].(map[string]any); ok {
		// The studio's edits are recorded in the drawing model's codes,
		// their prompt the instruction: the model that edited, and the
		// prompt the source was drawn from, are said beside them (PNG
		// Info read "make it red … Model: emoji" alone, which txt2img
		// cannot draw).
		if m, _ := e["model"].(string); m != "" && m != r.Model {
			put("Edit model", m)
		}
		if sp, _ := e["source_prompt"].(string); sp != "" {
			put("Source prompt", sp)
		}
	}
	if note := r.PatchTemperatureNote(); note != "" {
		// The temperature brush's map, which the record keeps and the
		// settings line's one temperature does not say.
		put("Patch temperature", note)
	}
	if drawn, total, stopped := r.Stopped(); stopped {
		// A stopped run's picture: the rest of the patches are missing.
		put("Patches", fmt.Sprintf("%d of %d (stopped)", drawn, total))
	}
	if from := r.ImportedFrom(); from != "" {
		return Infotext{Imported: from, Width: r.Width, Height: r.Height, Model: r.Model, ModelHash: r.ModelHash, Version: r.Version, Extra: extra}
	}
	return Infotext{
		Extra:     extra,
		Settings:  r.Settings,
		Precision: r.Precision,
		Width:     r.Width,
		Height:    r.Height,
		Model:     r.Model,
		ModelHash: r.ModelHash,
		Version:   r.Version,
	}
}

// Metadata returns the text chunks for rec: "parameters" in A1111's layout
// and "tessera" with rec as JSON. If rec cannot be written as JSON (a NaN
// or infinite float, or an unsupported value in Extra) the "tessera" key is
// left out; MarshalRecord reports why.
func Metadata(rec Record) map[string]string {
	text := map[string]string{KeyParameters: FormatParameters(rec.Infotext())}
	if data, err := MarshalRecord(rec); err == nil {
		text[KeyTessera] = string(data)
	}
	return text
}

// DrawnAt reports whether a picture of w×h pixels can be what the
// record's codes draw: its grid of patches at one whole scale k ≥ 1 (an
// export upscaled k×). A record copied onto another picture, or edited,
// fails it.
func (r *Record) DrawnAt(w, h int) bool {
	gw, gh := r.Grid[1]*r.PatchSize, r.Grid[0]*r.PatchSize
	if gw <= 0 || gh <= 0 || w < gw || h < gh || w%gw != 0 || h%gh != 0 {
		return false
	}
	return w/gw == h/gh
}

// MarshalRecord returns rec as the JSON stored under the "tessera" key.
func MarshalRecord(rec Record) ([]byte, error) {
	data, err := json.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("marshal tessera record: %w", err)
	}
	return data, nil
}

// ParseRecord reads the Record under the "tessera" key of text. ok is false
// when the key is absent; err is set when it is present but broken.
func ParseRecord(text map[string]string) (rec *Record, ok bool, err error) {
	s, ok := text[KeyTessera]
	if !ok {
		return nil, false, nil
	}
	var r Record
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		return nil, true, fmt.Errorf("parse tessera record: %w", err)
	}
	if reflect.ValueOf(r).IsZero() {
		// "null" or "{}": no record Tessera writes says nothing.
		return nil, true, errors.New("parse tessera record: it records nothing")
	}
	if r.Grid[0] < 0 || r.Grid[1] < 0 || r.PatchSize < 0 || r.Width < 0 || r.Height < 0 {
		return nil, true, fmt.Errorf("parse tessera record: negative size (grid %v, patch %d, image %dx%d)",
			r.Grid, r.PatchSize, r.Width, r.Height)
	}
	return &r, true, nil
}

// Where a PNG's text chunks can say how its picture was drawn
// (Drawing.From).
const (
	FromTessera = "tessera" // Tessera's JSON record (Tessera writes A1111 parameters too; its record wins)
	// FromTesseraParameters is the "parameters" text Tessera wrote, its
	// record gone (another program re-saved the PNG keeping the text
	// alone): Tessera's settings in A1111's layout, without the codes.
	FromTesseraParameters = "tessera-parameters"
	FromA1111             = "a1111" // another tool's A1111 "parameters" text
	FromNone              = "none"
)

// Drawing is what a PNG's text chunks say of how its picture was drawn:
// the prompt, negative prompt and seed, and which record they came from.
type Drawing struct {
	From             string // FromTessera, FromTesseraParameters, FromA1111 or FromNone
	Prompt, Negative string
	Seed             *uint64 // nil when the record holds none
}

// ReadDrawing reads a Drawing from text chunks (ReadFile): a Tessera
// record's when there is one (a sampled picture's; an edit's instruction
// and seed or an imported picture's nothing drew no picture, so such a
// record gives From alone), else A1111's "parameters" text's (its seed only
// where the text sets one that parses; FromTesseraParameters where its
// Version says Tessera wrote it, FromA1111 otherwise), else FromNone.
func ReadDrawing(text map[string]string) Drawing {
	if rec, ok, err := ParseRecord(text); err == nil && ok {
		if !rec.Sampled() {
			return Drawing{From: FromTessera}
		}
		seed := rec.Seed
		return Drawing{From: FromTessera, Prompt: rec.Prompt, Negative: rec.Negative, Seed: &seed}
	}
	if s, ok := text[KeyParameters]; ok {
		p, set := ParseParametersSet(s)
		d := Drawing{From: FromA1111, Prompt: p.Prompt, Negative: p.Negative}
		if p.ByTessera() {
			d.From = FromTesseraParameters
		}
		if _, unparsed := p.Extra["Seed"]; set["Seed"] && !unparsed {
			seed := p.Seed
			d.Seed = &seed
		}
		return d
	}
	return Drawing{From: FromNone}
}
