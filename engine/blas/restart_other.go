//go:build !linux

package blas

import "errors"

// restartWith is Linux-only (syscall.Exec); elsewhere the process keeps the
// kernels OpenBLAS detected.
func restartWith(string) error {
	return errors.New("restarting is implemented on Linux only")
}
