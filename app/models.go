package app

import (
	"fmt"
	"io"
	"time"

	"github.com/tessera-studio/tessera/assets"
	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/model"
)

// Catalog opens models by built-in name or folder path.
type Catalog struct {
	// Precision is the arithmetic models sample with: "f16" (the default
	// when empty: half-precision weights and KV cache, half the memory
	// traffic of a decode step) or "f32" (float32 throughout).
	Precision string
}

// Builtin lists the embedded models, the default first.
func (Catalog) Builtin() []string { return assets.Models() }

// Open loads a model: a value containing '/' is a folder, anything else a
// built-in name; "" is the default built-in model.
func (c Catalog) Open(nameOrDir string, progress func(done, total int64)) (*bundle.Bundle, error) {
	prec, err := parsePrecision(c.Precision)
	if err != nil {
		return nil, err
	}
	b, err := c.open(nameOrDir, prec, progress)
	if err != nil {
		return nil, err
	}
	if b.Model.Precision() != prec {
		setPrecision(b.Model, prec) // the built-ins load in float32
	}
	return b, nil
}

// Precisions of --precision: the arithmetic of cached decoding.
const (
	precF32  = "f32"  // float32 throughout
	precF16  = "f16"  // half-precision weights and key/value cache (Model.EnableHalf)
	precInt8 = "int8" // int8 weights, half key/value cache (Model.EnableInt8)
)

// precisionHelp describes --precision for a command's usage.
const precisionHelp = "sampling arithmetic: f16 (half-precision weights and KV cache), int8 (int8 weights, half KV cache: half the bytes of f16 a step) or f32 (float32 throughout)"

// parsePrecision checks a --precision value ("" is f16).
func parsePrecision(p string) (string, error) {
	switch p {
	case "":
		return precF16, nil
	case precF16, precF32, precInt8:
		return p, nil
	}
	return "", usageError{fmt.Sprintf("unknown precision %q: use f16, int8 or f32", p)}
}

// releaseAbove is the float32 size of the weight matrices above which a
// model loaded in f16 or int8 keeps only the reduced copy
// (Model.ReleaseFloat32): imagegpt-medium and -large, not the built-ins.
const releaseAbove = 1 << 30

// setPrecision makes m decode in precision p (parsePrecision's); a model
// whose float32 weights exceed releaseAbove then drops them and returns
// the bytes freed.
func setPrecision(m *model.Model, p string) int64 {
	switch p {
	case precF16:
		m.EnableHalf()
	case precInt8:
		m.EnableInt8()
	default:
		return 0
	}
	if m.Config.Params()*4 > releaseAbove {
		return m.ReleaseFloat32()
	}
	return 0
}

func (Catalog) open(nameOrDir, prec string, progress func(done, total int64)) (*bundle.Bundle, error) {
	if nameOrDir == "" {
		nameOrDir = assets.Default()
		if nameOrDir == "" {
			return nil, fmt.Errorf("no model given and this build embeds none: pass --model FOLDER")
		}
	}
	if bundle.IsFolder(nameOrDir) {
		// reduced while loading: a large model never sits whole in float32
		return bundle.Load(nameOrDir, model.LoadOptions{Progress: progress, Precision: prec, ReleaseAbove: releaseAbove})
	}
	return assets.Open(nameOrDir)
}

// openModel opens a model for a command, showing load progress on log for
// large weight files, and noting there which weights f16 precision keeps
// in float32 because float16 cannot hold them.
func openModel(log io.Writer, nameOrDir, precision string) (*bundle.Bundle, error) {
	start := time.Now()
	last := time.Time{}
	shown := false
	b, err := Catalog{Precision: precision}.Open(nameOrDir, func(done, total int64) {
		if total < 64<<20 || time.Since(last) < 200*time.Millisecond && done < total {
			return
		}
		last, shown = time.Now(), true
		fmt.Fprintf(log, "\rloading %s: %3.0f%% of %s", nameOrDir, 100*float64(done)/float64(total), model.FormatBytes(total))
	})
	if shown {
		fmt.Fprintf(log, " in %.1f s\n", time.Since(start).Seconds())
	}
	if err == nil {
		if r := b.Model.HalfReport().String(); r != "" { // empty unless f16 or int8 was asked for
			fmt.Fprintf(log, "note: model %s (--precision %s): %s; those matrices are computed with as kept, so results differ from --precision f32 by no more than the precision's rounding\n", b.Name, precision, r)
		}
		if b.Model.Released() > 0 {
			fmt.Fprintf(log, "note: model %s keeps only its %s weights (%s of float32 freed): scoring and long prompts run on them too\n",
				b.Name, precision, model.FormatBytes(b.Model.Released()))
		}
	}
	return b, err
}

// openDrawingModel is openModel for the commands that draw or score images
// from a prompt: an edit model (which needs a source image) is refused
// before any work, saying which command it serves.
func openDrawingModel(log io.Writer, nameOrDir, precision string) (*bundle.Bundle, error) {
	b, err := openModel(log, nameOrDir, precision)
	if err == nil && b.Model.Config.IsEdit() {
		return nil, fmt.Errorf("model %s edits images by instruction and draws nothing from a prompt: use tessera edit --model %s --from IMAGE --instruction TEXT", b.Name, nameOrDir)
	}
	return b, err
}
