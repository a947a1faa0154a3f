package app

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// A settings file Fyne left empty (killed between its truncate and its
// write) is put back from the copy kept at the last start, which says so;
// a good file is copied, and nothing happens without a file or a copy.
func TestGuardPreferences(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "preferences.json")
	if note := guardPreferences(path); note != "" {
		t.Fatalf("no file: %q", note)
	}
	good := []byte(`{"outputs":"/home/me/pictures","transparent":true}`)
	if err := os.WriteFile(path, good, 0o600); err != nil {
		t.Fatal(err)
	}
	if note := guardPreferences(path); note != "" {
		t.Fatalf("a good file: %q", note)
	}
	if kept, err := os.ReadFile(path + ".bak"); err != nil || string(kept) != string(good) {
		t.Fatalf("copy %q, %v", kept, err)
	}
	for _, cut := range []string{"", `{"outputs":"/ho`} {
		if err := os.WriteFile(path, []byte(cut), 0o600); err != nil {
			t.Fatal(err)
		}
		note := guardPreferences(path)
		if got, _ := os.ReadFile(path); string(got) != string(good) || !strings.Contains(note, "Settings restored") {
			t.Errorf("file %q: now %q, note %q", cut, got, note)
		}
	}
	// Without a good copy the cut file stays (Fyne starts afresh, as before).
	os.Remove(path + ".bak")
	os.WriteFile(path, nil, 0o600)
	if note := guardPreferences(path); note != "" {
		t.Errorf("no copy: %q", note)
	}
}

// The path is Fyne's: its configuration folder, "fyne", the app ID.
func TestFynePreferencesPath(t *testing.T) {
	p := fynePreferencesPath("studio.tessera.app")
	if !strings.HasSuffix(p, filepath.Join("fyne", "studio.tessera.app", "preferences.json")) {
		t.Fatalf("path %q", p)
	}
	if runtime.GOOS == "linux" {
		t.Setenv("XDG_CONFIG_HOME", "/tmp/xdg")
		if p := fynePreferencesPath("x"); p != "/tmp/xdg/fyne/x/preferences.json" {
			t.Errorf("with XDG_CONFIG_HOME: %q", p)
		}
	}
}
