//go:build unix

package blas

import (
	"fmt"
	"os"
	"syscall"
)

// restartWith replaces the process with a fresh run of the same executable
// and arguments, with setting (NAME=value) added to the environment. It
// execs the executable by its path, so the process keeps its name (ps,
// top and pgrep show "tessera", not "exe"); /proc/self/exe, the running
// file even if it was deleted on disk, only when that path is gone. The
// restart happens at start-up, before a rebuild could replace the file.
func restartWith(setting string) error {
	exe, err := os.Executable()
	if err == nil {
		_, err = os.Stat(exe)
	}
	if err != nil {
		exe = "/proc/self/exe"
		if _, serr := os.Stat(exe); serr != nil {
			return fmt.Errorf("find the executable: %w", err)
		}
	}
	if err := syscall.Exec(exe, os.Args, append(os.Environ(), setting)); err != nil {
		return fmt.Errorf("exec %s: %w", exe, err)
	}
	return nil
}
