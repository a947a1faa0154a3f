package widgets

import "testing"

// The legend's ends are −log p in nats: never "-0.00" from rounding.
func TestLikelihoodLegendNeverNegative(t *testing.T) {
	l := NewLikelihoodLegend()
	l.Show(-1e-9, 3.14159, 1.5)
	if l.lo.Text != "0.00 nats" || l.hi.Text != "3.14 nats" || l.bits.Text != "· image: 1.500 bits/patch" {
		t.Errorf("legend %q … %q %q", l.lo.Text, l.hi.Text, l.bits.Text)
	}
}
