package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/sampling"
)

// The Edit by instruction section has the edit's two guidance scales
// (tessera edit --guidance and --image-guidance; the studio had none and
// ran at the model's while the Create panel's Guidance said 16): they
// start at the edit model's recommended values, an edit runs at them
// once moved, records them and says them, and they are kept across
// restarts.
func TestEditGuidanceSliders(t *testing.T) {
	e := newEnv(t)
	eb := bundletest.TinyEdit(2)
	eb.Model.Config.Tessera.Defaults = &sampling.Recommended{Guidance: 2, ImageGuidance: 1.25}
	e.models = withEdit{tinyModels: tinyModels{b: bundletest.Tiny(3)}, edit: eb}
	open := func() *Studio {
		return e.start(t, func(o *Options) { o.EditModel = "tiny-edit" })
	}
	s := open()
	s.Window().Resize(fyne.NewSize(1200, 800))
	s.Wait()
	if g, ig := s.edit.guidance.Value, s.edit.imageGuidance.Value; g != builtinEditGuidance || ig != builtinEditGuidance {
		t.Fatalf("before the edit model is loaded the sliders say %g, %g: want the built-in's %g", g, ig, builtinEditGuidance)
	}
	lockSeed(t, s, "blue cat", 5)
	generate(t, s)
	must(t, s.EditByInstruction("mirror it"))
	s.Wait()
	must(t, s.LastError())
	if g, ig := s.edit.guidance.Value, s.edit.imageGuidance.Value; g != 2 || ig != 1.25 {
		t.Fatalf("the sliders say %g, %g: want the edit model's recommended 2, 1.25", g, ig)
	}
	checkRun := func(g, ig float64) {
		t.Helper()
		entry, _ := recordOf(s.Document().Parent).Extra[extraEdit].(map[string]any)
		if entry["guidance"] != g || entry["image_guidance"] != ig {
			t.Fatalf("the edit records guidance %v, image guidance %v: want %g, %g", entry["guidance"], entry["image_guidance"], g, ig)
		}
		if want := guidanceNote(sampling.Settings{Guidance: g, ImageGuidance: ig}); !strings.Contains(s.Status(), want) {
			t.Fatalf("status %q does not say %q", s.Status(), want)
		}
	}
	checkRun(2, 1.25)
	// Moved (as a drag does: its OnChanged), the next edit runs at it.
	s.edit.guidance.SetValue(4)
	if s.edit.guidanceLabel.Text != "4" {
		t.Fatalf("the guidance label says %q", s.edit.guidanceLabel.Text)
	}
	must(t, s.Undo())
	must(t, s.EditByInstruction("mirror it"))
	s.Wait()
	must(t, s.LastError())
	checkRun(4, 1.25)
	s.Stop()
	s.Wait()
	s.save.Flush()

	// Restarted, the guidance moved comes back; the other stays the edit
	// model's.
	s = open()
	s.Wait()
	if g, ig := s.edit.guidance.Value, s.edit.imageGuidance.Value; g != 4 || ig != builtinEditGuidance {
		t.Fatalf("after a restart the sliders say %g, %g: want 4 and the built-in's %g until the model loads", g, ig, builtinEditGuidance)
	}
	if got := s.set.EditGuidance(); got != (editGuidance{Guidance: 4}) {
		t.Fatalf("stored %+v", got)
	}
}
