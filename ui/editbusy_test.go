package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
)

// Enter in the instruction box while a run goes on says the run is busy,
// as Ctrl+D does ("generating is still running; stop it first"): with the
// button greyed out it did nothing and said nothing. Once the run ends,
// Enter edits.
func TestInstructionEnterWhileBusySaysSo(t *testing.T) {
	s, _ := openWithEdit(t, "tiny-edit")
	lockSeed(t, s, "blue cat", 5)
	generate(t, s)
	started, release := holdRun(t, s, 1)
	must(t, s.Generate())
	<-started
	s.SetInstruction("mirror it")
	s.setStatus("")
	s.edit.instruction.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if want := "generating is still running; stop it first"; !strings.Contains(s.Status(), want) || s.errorShown() {
		t.Fatalf("Enter during a run: status %q (error dialog %v), want %q", s.Status(), s.errorShown(), want)
	}
	if err := s.EditByInstruction("mirror it"); err == nil || !strings.Contains(err.Error(), "still running") {
		t.Fatalf("EditByInstruction during a run: %v", err)
	}
	release()
	s.Wait()
	s.edit.instruction.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	pumpFor(t, s, "the edit model opened", func() bool { return s.editor.b != nil })
	s.Wait()
	if s.Document().ImageParams().Instruction != "mirror it" {
		t.Fatalf("Enter after the run did not edit: status %q", s.Status())
	}
}
