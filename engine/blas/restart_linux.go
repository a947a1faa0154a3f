package blas

import (
	"fmt"
	"os"
	"syscall"
)

// restartWith replaces the process with a fresh run of the same executable
// and arguments, with setting (NAME=value) added to the environment.
func restartWith(setting string) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the executable: %w", err)
	}
	return syscall.Exec(exe, os.Args, append(os.Environ(), setting))
}
