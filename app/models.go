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
	half, err := halfPrecision(c.Precision)
	if err != nil {
		return nil, err
	}
	b, err := c.open(nameOrDir, progress)
	if err != nil {
		return nil, err
	}
	if half {
		b.Model.EnableHalf()
	}
	return b, nil
}

// halfPrecision parses a --precision value.
func halfPrecision(p string) (bool, error) {
	switch p {
	case "", "f16":
		return true, nil
	case "f32":
		return false, nil
	}
	return false, usageError{fmt.Sprintf("unknown precision %q: use f16 or f32", p)}
}

func (Catalog) open(nameOrDir string, progress func(done, total int64)) (*bundle.Bundle, error) {
	if nameOrDir == "" {
		nameOrDir = assets.Default()
		if nameOrDir == "" {
			return nil, fmt.Errorf("no model given and this build embeds none: pass --model FOLDER")
		}
	}
	if bundle.IsFolder(nameOrDir) {
		return bundle.Load(nameOrDir, model.LoadOptions{Progress: progress})
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
		if r := b.Model.HalfReport(); r.Mixed() { // empty unless f16 was asked for
			fmt.Fprintf(log, "note: model %s: %s; --precision f16 computes with them in float32, so results match --precision f32 up to float16 rounding\n", b.Name, r)
		}
	}
	return b, err
}
