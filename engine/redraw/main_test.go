package redraw

import (
	"testing"

	"github.com/tessera-studio/tessera/engine/blas/blastest"
)

// TestMain runs the tests on the OpenBLAS kernels that suit this CPU.
func TestMain(m *testing.M) { blastest.Main(m) }
