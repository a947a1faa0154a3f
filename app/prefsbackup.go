package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"

	"github.com/tessera-studio/tessera/engine/atomicfile"
)

// fynePreferencesPath is where Fyne v2.7 keeps an app's preferences on
// this system (fyne.io/fyne/v2/internal/app rootConfigDir, then the app
// ID): Fyne exposes no way to ask it.
func fynePreferencesPath(appID string) string {
	var root string
	switch runtime.GOOS {
	case "darwin":
		home, _ := os.UserHomeDir()
		root = filepath.Join(home, "Library", "Preferences")
	case "windows":
		home, _ := os.UserHomeDir()
		root = filepath.Join(home, "AppData", "Roaming")
	default:
		root, _ = os.UserConfigDir()
	}
	if root == "" {
		return ""
	}
	return filepath.Join(root, "fyne", appID, "preferences.json")
}

// guardPreferences keeps the studio's settings through a kill while Fyne
// writes them: Fyne truncates preferences.json and then writes it (os.Create),
// so a kill in between leaves it empty and every setting is lost at the
// next start (seen once, after a kill -9). Called before Fyne reads the
// file, it puts back the copy kept at the last start when the file is there
// but empty or not JSON (and says so), and otherwise keeps a copy of the
// file as it is (path + ".bak", written whole or not at all).
func guardPreferences(path string) (note string) {
	if path == "" {
		return ""
	}
	backup := path + ".bak"
	data, err := os.ReadFile(path)
	switch {
	case err != nil: // none yet, or unreadable: nothing to keep or mend
		return ""
	case validJSON(data):
		_ = atomicfile.WriteBytes(backup, data)
		return ""
	}
	kept, err := os.ReadFile(backup)
	if err != nil || !validJSON(kept) {
		return ""
	}
	if err := atomicfile.WriteBytes(path, kept); err != nil {
		return ""
	}
	return "Settings restored from their copy of the last start: the settings file was cut short (the studio was stopped while writing it)"
}

// validJSON reports whether data is one JSON object, as Fyne writes
// preferences.
func validJSON(data []byte) bool {
	var v map[string]any
	return json.Unmarshal(data, &v) == nil
}
