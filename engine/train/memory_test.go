package train

import (
	"strings"
	"testing"
)

// activationBytes counts what NewModel allocates; a sequence whose
// attention alone needs more than the machine's memory is refused before
// any allocation (a 262,146-token sequence died asking for 275 GB).
func TestActivationsAreBounded(t *testing.T) {
	cfg := tinyEditConfig()
	p, err := InitParams(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModel(p, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := activationBytes(cfg, 3), float64(4*len(m.acts)); got != want {
		t.Errorf("activationBytes %g, NewModel allocated %g", got, want)
	}
	big := cfg
	big.NPositions = 262146
	err = checkActivations(big, 1)
	if err == nil || !strings.Contains(err.Error(), "GB of activations") || !strings.Contains(err.Error(), "lower --batch") {
		t.Errorf("a 262,146-token sequence: %v", err)
	}
}
