package widgets

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// Tab completes the typed start of an offer, to the part the matching
// offers share; with nothing to add it leaves the key to the window
// (focus moves on). Escape runs OnEscape.
func TestEscSelectEntryCompletes(t *testing.T) {
	test.NewTempApp(t)
	e := NewEscSelectEntry([]string{"make it red", "make it blue", "mirror it", "remove the background"})
	w := test.NewTempWindow(t, e)
	w.Canvas().Focus(e)
	tab := &fyne.KeyEvent{Name: fyne.KeyTab}
	for _, c := range []struct{ typed, want string }{
		{"Make it bl", "Make it blue"}, // the user's case kept
		{"make", "make it "},
		{"m", "m"}, // "make it …" and "mirror it" share only "m"
		{"rem", "remove the background"},
		{"zebra", "zebra"},
		{"", ""},
	} {
		e.SetText(c.typed)
		accepts := e.AcceptsTab()
		e.TypedKey(tab)
		if e.Text != c.want || accepts != (c.want != c.typed) {
			t.Errorf("%q + Tab = %q (accepts Tab %v), want %q", c.typed, e.Text, accepts, c.want)
		}
	}
	e.SetOptions([]string{"in the twemoji style"})
	e.SetText("in the tw")
	e.TypedKey(tab)
	if e.Text != "in the twemoji style" || e.CursorColumn != len(e.Text) {
		t.Errorf("after new offers: %q, cursor %d", e.Text, e.CursorColumn)
	}
	escaped := false
	e.OnEscape = func() { escaped = true }
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if !escaped {
		t.Error("Escape did not run OnEscape")
	}
}
