// Package locale replaces the POSIX "C" locale with en_US.UTF-8 in this
// process's environment before the GUI toolkit reads it: Fyne cannot parse
// "C" and logs an error on every start, even for headless commands. Import
// it (for its side effect) before anything that imports Fyne.
package locale

import "os"

func init() {
	for _, key := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		switch os.Getenv(key) {
		case "C", "POSIX", "C.UTF-8", "C.utf8":
			os.Setenv(key, "en_US.UTF-8")
		}
	}
	if os.Getenv("LANG") == "" && os.Getenv("LC_ALL") == "" {
		os.Setenv("LANG", "en_US.UTF-8")
	}
}
