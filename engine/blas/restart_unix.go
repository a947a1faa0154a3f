//go:build unix

package blas

import (
	"fmt"
	"os"
	"syscall"
)

// restartWith replaces the process with a fresh run of the same executable
// (the running file, /proc/self/exe where there is one, even if it was
// replaced or deleted on disk since) and arguments, with setting
// (NAME=value) added to the environment.
func restartWith(setting string) error {
	exe := "/proc/self/exe"
	if _, err := os.Stat(exe); err != nil {
		if exe, err = os.Executable(); err != nil {
			return fmt.Errorf("find the executable: %w", err)
		}
	}
	if err := syscall.Exec(exe, os.Args, append(os.Environ(), setting)); err != nil {
		return fmt.Errorf("exec %s: %w", exe, err)
	}
	return nil
}
