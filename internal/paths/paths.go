// Package paths answers two questions about files that the studio and the
// commands share: whether two paths name one file, and where the studio
// saves its pictures by default.
package paths

import (
	"io/fs"
	"os"
	"path/filepath"
)

// Same reports whether a and b name one file or folder: the same one when
// both exist (through links, in any case a file system ignores), else the
// same absolute path.
func Same(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(fa, fb)
	}
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	return errA == nil && errB == nil && absA == absB
}

// DefaultOutputs is the folder the studio saves its pictures in when none
// is set: ~/Pictures/Tessera; ok is false without a home folder.
func DefaultOutputs() (dir string, ok bool) {
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "", false
	}
	return filepath.Join(home, "Pictures", "Tessera"), true
}

// Kind names what a file of mode m that is no regular file is: "folder",
// "named pipe", "socket", "device", else "special file".
func Kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "folder"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}
