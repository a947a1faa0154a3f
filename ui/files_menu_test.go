package ui

import (
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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

// TestSaveAsksBeforeReplacing: saving onto an existing file asks first
// and writes nothing until asked; a new name saves at once; the name the
// export form suggests is one that is free.
func TestSaveAsksBeforeReplacing(t *testing.T) {
	s := newTestStudio(t)
	dir := t.TempDir()
	old := filepath.Join(dir, "cat-3.png")
	must(t, os.WriteFile(old, []byte("an earlier export"), 0o644))
	saved := ""
	save := func(typed string) error { saved = typed; return nil }
	s.files.saveTo(old, ".png", save, nil)
	overlays := s.Window().Canvas().Overlays()
	if saved != "" || overlays.Top() == nil {
		t.Fatalf("saving over %s: saved %q without asking (dialog %v)", old, saved, overlays.Top())
	}
	overlays.Remove(overlays.Top())
	// No to replacing goes back to the name, to type another.
	asked := 0
	s.files.saveTo(old, ".png", save, func() { asked++ })
	if !s.dismissTopDialog() || asked != 1 || saved != "" {
		t.Fatalf("No to replacing: back to the name %d times, saved %q", asked, saved)
	}
	fresh := filepath.Join(dir, "dog-3.png")
	if s.files.saveTo(fresh, ".png", save, nil); saved != fresh {
		t.Errorf("a new name: saved %q, want %q", saved, fresh)
	}
	must(t, os.WriteFile(filepath.Join(dir, "cat-3-2.png"), nil, 0o644))
	if got, want := freePath(old), filepath.Join(dir, "cat-3-3.png"); got != want {
		t.Errorf("freePath(%s) = %s, want %s", old, got, want)
	}
	if got := freePath(fresh); got != fresh {
		t.Errorf("freePath of a free name = %s", got)
	}
	// a save that fails shows the dialog again, under its error
	for overlays.Top() != nil {
		overlays.Remove(overlays.Top())
	}
	asked = 0
	s.files.saveTo(filepath.Join(dir, "x.png"), ".png", func(string) error { return errors.New("export: the disk is full") }, func() { asked++ })
	if asked != 1 || len(overlays.List()) != 1 || s.LastError() == nil {
		t.Errorf("a failed save: dialog shown again %d times, %d overlays, error %v", asked, len(overlays.List()), s.LastError())
	}
}

// TestTallThumbnailsLoad: the history takes an image grown downward (narrow
// and tall) and refuses one of too many pixels by its size.
func TestTallThumbnailsLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, w, h int) string {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		must(t, err)
		defer f.Close()
		must(t, png.Encode(f, image.NewGray(image.Rect(0, 0, w, h))))
		return path
	}
	if _, _, err := loadThumbnail(write("tall.png", 64, 4096)); err != nil {
		t.Errorf("a 64×4096 image: %v", err)
	}
	if _, _, err := loadThumbnail(write("huge.png", 2100, 2100)); err == nil || !strings.Contains(err.Error(), "2100×2100") {
		t.Errorf("a 2100×2100 image: %v", err)
	}
}
