package ui

import "testing"

// TestFileMenuOpensItsDialogs: every File menu entry that asks for a file
// or a setting opens its dialog (the file dialogs were once bound before
// they existed: a nil receiver, and Open, Export or Settings crashed).
func TestFileMenuOpensItsDialogs(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "red cat", 3)
	generate(t, s) // Export and Time-lapse need an image
	want := map[string]bool{"Open image…": true, openFolderOption: true, "Export PNG…": true, "Export time-lapse (GIF)…": true, "Settings…": true}
	overlays := s.Window().Canvas().Overlays()
	for _, it := range s.Window().MainMenu().Items[0].Items {
		if !want[it.Label] {
			continue
		}
		delete(want, it.Label)
		it.Action()
		top := overlays.Top()
		if top == nil {
			t.Errorf("%s opened no dialog", it.Label)
			continue
		}
		overlays.Remove(top)
	}
	for label := range want {
		t.Errorf("the File menu lacks %s", label)
	}
}
