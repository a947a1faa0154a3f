package edit

import (
	"strings"
	"testing"
)

// Parse finds the family and target of every wording the models learn,
// in any case and spacing, and nothing for other text.
func TestParse(t *testing.T) {
	for _, f := range Families() {
		for _, target := range targets(f) {
			for _, w := range Wordings(f, target) {
				gf, gt, ok := Parse("  " + strings.ToUpper(w[:1]) + w[1:] + " ")
				if !ok || gf != f {
					t.Errorf("Parse(%q) = %s %q %v, want family %s", w, gf, gt, ok, f)
				}
			}
		}
	}
	if f, tg, ok := Parse("in the twemoji style"); !ok || f != Style || tg != "twitter" {
		t.Errorf("twemoji: %s %q %v", f, tg, ok)
	}
	if _, _, ok := Parse("make it sparkle"); ok {
		t.Error("an instruction the models do not learn parsed")
	}
}
