package pngmeta

import "testing"

func TestMadeFrom(t *testing.T) {
	grid := [2]int{4, 4}
	for _, c := range []struct {
		parent string
		extra  map[string]any
		want   string
	}{
		{"a.png", map[string]any{ExtraKind: KindRegenerate, ExtraMask: "0000000000000111"}, "3 of 16 patches of a.png regenerated"},
		{"a.png", map[string]any{ExtraKind: KindRegenerate, ExtraMask: "01"}, "patches of a.png regenerated"}, // a mask of another grid
		{"a.png", map[string]any{ExtraKind: KindEdit, ExtraMask: "1111000000000000"}, "4 of 16 patches of a.png edited by instruction"},
		{"a.png", map[string]any{ExtraKind: KindEdit, ExtraMask: "1111111111111111"}, "a.png edited by instruction"},                                                   // all of it
		{"a.png", map[string]any{ExtraEdit: map[string]any{"instruction": "mirror it", "mask": "0000000000000011"}}, "2 of 16 patches of a.png edited by instruction"}, // tessera edit --mask's
		{"a.png", map[string]any{ExtraKind: KindBranch, ExtraAt: float64(6)}, "the first 6 of 16 patches of a.png kept, the rest sampled"},
		{"a.png", map[string]any{ExtraKind: KindComplete, ExtraAt: 4}, "the first 4 of 16 patches of a.png kept, the rest sampled"},
		{"a.png", map[string]any{ExtraKind: KindBranch, ExtraAt: float64(0)}, "a.png resampled whole from its prompt and settings, no patch kept"}, // branch --at 0
		{"a.png", map[string]any{ExtraKind: KindBranch}, "part of a.png kept, the rest sampled"},                                                   // where, not recorded
		{"a.png", map[string]any{ExtraKind: KindExtend, ExtraAt: float64(2)}, "a.png grown by 2 patch rows"},
		{"a.png", map[string]any{ExtraKind: KindExtend, ExtraAt: float64(1)}, "a.png grown by 1 patch row"},
		{"a.png", map[string]any{ExtraKind: KindEdit}, "a.png edited by instruction"},
		{"a.png", map[string]any{ExtraKind: "export", ExtraMadeFrom: "3 of 16 patches of p.png regenerated"}, "3 of 16 patches of p.png regenerated"},
		{"a.png", map[string]any{ExtraKind: KindGenerate}, ""},
		{"a.png", map[string]any{ExtraKind: "export"}, ""},
		{"", map[string]any{ExtraKind: KindRegenerate, ExtraMask: "0000000000000111"}, ""},
	} {
		r := Record{Grid: grid, Parent: c.parent, Extra: c.extra}
		if got := r.MadeFrom(); got != c.want {
			t.Errorf("%v of %q: %q, want %q", c.extra, c.parent, got, c.want)
		}
		params := FormatParameters(r.Infotext())
		if back := ParseParameters(params).Extra["Made from"]; back != c.want {
			t.Errorf("%v: the parameters text %q gives back %q", c.extra, params, back)
		}
	}
	if (*Record)(nil).MadeFrom() != "" {
		t.Error("a nil record says how it was made")
	}
}
