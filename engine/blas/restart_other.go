//go:build !unix

package blas

import "errors"

// restartWith needs exec (Unix); elsewhere the process keeps the kernels
// OpenBLAS detected.
func restartWith(string) error {
	return errors.New("restarting is implemented on Unix only")
}
