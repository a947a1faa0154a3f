package ui

import "testing"

// An instruction typed but not run comes back in the box after a restart,
// as the prompt does (the box came back empty unless the picture shown was
// itself an edit).
func TestInstructionKeptAcrossRestarts(t *testing.T) {
	e := newEnv(t)
	s := e.open(t)
	lockSeed(t, s, "red cat", 7)
	generate(t, s)
	s.edit.instruction.SetText("make it blue")
	must(t, s.FlushAutosave())
	s.Stop()
	s.Wait()
	s = e.open(t)
	if got := s.edit.instruction.Text; got != "make it blue" {
		t.Fatalf("after a restart the instruction box says %q, want %q", got, "make it blue")
	}
	// An empty box stays empty.
	s.edit.instruction.SetText("")
	must(t, s.FlushAutosave())
	s.Stop()
	s.Wait()
	if s = e.open(t); s.edit.instruction.Text != "" {
		t.Fatalf("an emptied box came back as %q", s.edit.instruction.Text)
	}
}
