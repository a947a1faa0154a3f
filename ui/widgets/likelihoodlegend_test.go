package widgets

import "testing"

// The legend reads the map's scale (0 to a blind guess), the image's bits
// per patch, its worst patch (never "-0.00" from rounding) and the prompt.
func TestLikelihoodLegend(t *testing.T) {
	l := NewLikelihoodLegend()
	l.Show(6.931, -1e-9, 1.5, "rocket")
	if l.lo.Text != "0" || l.hi.Text != "6.93 nats = guess" || l.bits.Text != `· 1.500 bits/patch, worst 0.00 nats, under "rocket"` {
		t.Errorf("legend %q … %q %q", l.lo.Text, l.hi.Text, l.bits.Text)
	}
	l.Show(6.931, 3.14159, 1.5, "")
	if l.bits.Text != "· 1.500 bits/patch, worst 3.14 nats, without a prompt" {
		t.Errorf("legend without a prompt: %q", l.bits.Text)
	}
}
