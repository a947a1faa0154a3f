// Package blastest starts test binaries on the OpenBLAS kernels that suit
// the CPU, as the tessera binary starts (blas.UseBestCore).
package blastest

import (
	"fmt"
	"os"
	"testing"

	"github.com/tessera-studio/tessera/engine/blas"
)

// Main is a whole TestMain: it restarts the test binary when OpenBLAS
// picked kernels for an older CPU (a failed restart is reported and the
// tests run on the detected ones), then runs the tests and exits with
// their status.
func Main(m *testing.M) {
	Setup()
	os.Exit(m.Run())
}

// Setup is Main's first half, for a TestMain that has more to do.
func Setup() {
	if err := blas.UseBestCore(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
}
