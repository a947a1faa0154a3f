package widgets

import (
	"slices"
	"testing"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// Tab completes the typed start of an offer, to the part the matching
// offers share; where several go on from there it narrows the drop-down
// to them; with nothing to add it leaves the key to the window (focus
// moves on). Typing gives the drop-down every offer back. Escape runs
// OnEscape.
func TestEscSelectEntryCompletes(t *testing.T) {
	test.NewTempApp(t)
	all := []string{"make it red", "make it blue", "make it black and white", "mirror it", "remove the background"}
	e := NewEscSelectEntry(all)
	w := test.NewTempWindow(t, e)
	w.Canvas().Focus(e)
	tab := &fyne.KeyEvent{Name: fyne.KeyTab}
	for _, c := range []struct {
		typed, want string
		accepts     bool
		offered     int // what the drop-down offers after Tab
	}{
		{"Make it blu", "Make it blue", true, 5}, // the user's case kept
		{"make", "make it ", true, 5},
		{"m", "m", true, 4},                   // "make it …" and "mirror it" share only "m": those four
		{"make it bl", "make it bl", true, 2}, // blue, black and white
		{"rem", "remove the background", true, 5},
		{"mirror it", "mirror it", false, 5}, // complete: Tab moves on
		{"zebra", "zebra", false, 5},
		{"", "", false, 5},
	} {
		e.SetText("")
		e.TypedRune('x') // typing gives the drop-down every offer back
		e.SetText(c.typed)
		accepts := e.AcceptsTab()
		e.TypedKey(tab)
		if e.Text != c.want || accepts != c.accepts || len(e.Offered()) != c.offered {
			t.Errorf("%q + Tab = %q (accepts Tab %v, offers %q), want %q, %v, %d offers", c.typed, e.Text, accepts, e.Offered(), c.want, c.accepts, c.offered)
		}
	}
	e.SetOptions([]string{"in the twemoji style"})
	e.SetText("in the tw")
	e.TypedKey(tab)
	if e.Text != "in the twemoji style" || e.CursorColumn != len(e.Text) {
		t.Errorf("after new offers: %q, cursor %d", e.Text, e.CursorColumn)
	}
	// Letters, not bytes: no broken UTF-8 where two offers part in a
	// letter of two bytes, and the completed part as the offer writes it.
	e.SetOptions([]string{"make it é", "make it è", "Grüße an Alle"})
	e.SetText("make it ")
	e.TypedKey(tab)
	if e.Text != "make it " || !utf8.ValidString(e.Text) {
		t.Errorf("é or è: %q", e.Text)
	}
	e.SetText("grü")
	e.TypedKey(tab)
	if e.Text != "grüße an Alle" {
		t.Errorf("grü + Tab = %q, want %q", e.Text, "grüße an Alle")
	}
	escaped := false
	e.OnEscape = func() { escaped = true }
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if !escaped {
		t.Error("Escape did not run OnEscape")
	}
}

// The drop-down's button lists every offer, those nearest to the text
// typed first ("make it bleu": "make it blue", then the other "make it"
// ones); typing gives the offers back in their order.
func TestEscSelectEntryDropDownOffersTheTypedFirst(t *testing.T) {
	test.NewTempApp(t)
	all := []string{"remove the background", "light skin tone", "make it red", "make it blue", "mirror it", "as a woman"}
	e := NewEscSelectEntry(all)
	w := test.NewTempWindow(t, e)
	w.Canvas().Focus(e)
	open := func(typed string) []string {
		e.SetText(typed)
		test.Tap(e.ActionItem.(*widget.Button))
		return e.Offered()
	}
	for typed, want := range map[string][]string{
		"make it bleu": {"make it blue", "make it red", "mirror it", "remove the background", "light skin tone", "as a woman"},
		"skin":         {"light skin tone", "remove the background", "make it red", "make it blue", "mirror it", "as a woman"},
		"rem":          {"remove the background", "light skin tone", "make it red", "make it blue", "mirror it", "as a woman"},
		"":             all,
		"zebra":        all,
	} {
		if got := open(typed); !slices.Equal(got, want) {
			t.Errorf("drop-down over %q offers %q, want %q", typed, got, want)
		}
		for _, c := range w.Canvas().Overlays().List() {
			w.Canvas().Overlays().Remove(c) // the menu opened
		}
	}
	open("skin")
	e.TypedRune('s')
	if got := e.Offered(); !slices.Equal(got, all) {
		t.Errorf("after typing the drop-down offers %q", got)
	}
}

// Typing and pasting count as typed; undo and redo bring back text the
// prompt held, which is not (completions popped up under the prompt after
// an undo).
func TestPromptEntryUndoIsNotTyping(t *testing.T) {
	test.NewTempApp(t)
	e := NewPromptEntry()
	w := test.NewTempWindow(t, e)
	w.Canvas().Focus(e)
	e.SetText("cat")
	if e.Typed() {
		t.Fatal("SetText counted as typed")
	}
	e.TypedRune('s')
	if !e.Typed() {
		t.Fatal("a typed rune did not count")
	}
	e.TypedShortcut(&fyne.ShortcutUndo{})
	if e.Typed() {
		t.Fatalf("an undo (text now %q) counted as typed", e.Text)
	}
	e.TypedShortcut(&fyne.ShortcutRedo{})
	if e.Typed() {
		t.Fatal("a redo counted as typed")
	}
}
