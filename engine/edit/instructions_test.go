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
	for _, typed := range []string{"make it red.", "Make it red!", "make it red ..."} {
		if f, tg, ok := Parse(typed); !ok || f != Recolor || tg != "red" {
			t.Errorf("%q: %s %q %v", typed, f, tg, ok)
		}
	}
	if f, tg, ok := Parse("in the twemoji style"); !ok || f != Style || tg != "twitter" {
		t.Errorf("twemoji: %s %q %v", f, tg, ok)
	}
	if _, _, ok := Parse("make it sparkle"); ok {
		t.Error("an instruction the models do not learn parsed")
	}
}

func TestNearest(t *testing.T) {
	if w, exact, ok := Nearest("Remove the  background"); !exact || !ok || w != "remove the background" {
		t.Errorf("a trained wording: %q exact %v", w, exact)
	}
	if w, _, ok := Nearest("make it pink"); ok {
		t.Errorf("make it pink: %q, but no trained instruction names pink", w)
	}
	if w, _, ok := Nearest("mirror the background"); !ok || w != "mirror it" {
		t.Errorf("mirror the background: %q", w)
	}
	if w, _, ok := Nearest("in the twemoji look"); !ok || w != "in the twemoji style" {
		t.Errorf("in the twemoji look: %q", w)
	}
	if _, _, ok := Nearest("zzz qqq"); ok {
		t.Error("words no instruction has got a suggestion")
	}
}
