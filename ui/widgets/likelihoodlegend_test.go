package widgets

import (
	"math"
	"testing"
)

// The legend reads the map's scale (0 to a blind guess), the image's bits
// per patch, its worst patch (never "-0.00" from rounding) and the prompt.
func TestLikelihoodLegend(t *testing.T) {
	l := NewLikelihoodLegend()
	l.Show(math.Log(1024), -1e-9, 1.5, "rocket")
	if l.lo.Text != "0" || l.hi.Text != "10 bits = guess" || l.bits.Text != `· 1.500 bits/patch, worst 0.00 bits (framed), under "rocket"` {
		t.Errorf("legend %q … %q %q", l.lo.Text, l.hi.Text, l.bits.Text)
	}
	l.Show(math.Log(1024), 2*math.Ln2, 1.5, "")
	if l.bits.Text != "· 1.500 bits/patch, worst 2.00 bits (framed), without a prompt" || l.bits.Tip() != l.bits.Text {
		t.Errorf("legend without a prompt: %q", l.bits.Text)
	}
}
