package app

import (
	"cmp"
	"fmt"
	"io"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/redraw"
)

// noRedraw is the --redraw-model value that edits every family with the
// edit model alone.
const noRedraw = "none"

// redrawModelHelp describes --redraw-model.
const redrawModelHelp = "the drawing model that edits of style and gender redraw with: it reads what the picture shows (the emoji's name, skin tone and style, by its exact likelihood, as describe does) and draws it changed, at its own recommended settings and the edit's seed (default: the edit model's own, config.json tessera.edit.redraw_model: emoji for the built-in edit model; " + noRedraw + ": the edit model alone)"

// redrawModelFor opens the drawing model edit model b redraws with: name,
// else b's own (redraw.Open). It is nil, with no error, where there is
// none to open: name is noRedraw, or b names none.
func redrawModelFor(log io.Writer, b *bundle.Bundle, name, precision string) (*bundle.Bundle, error) {
	if name == noRedraw {
		return nil, nil
	}
	draw, err := redraw.Open(b, name, func(name string) (*bundle.Bundle, error) {
		return openModel(log, resolveModel(name), precision)
	})
	if err != nil {
		return nil, fmt.Errorf("drawing model %s, which redraws edits of style and gender (--redraw-model %s edits them with the edit model alone): %w", cmp.Or(name, redraw.ModelOf(b)), noRedraw, err)
	}
	return draw, nil
}
