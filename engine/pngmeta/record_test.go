package pngmeta

import "testing"

// EditModel names the edit model of an edit's output: the record's model
// for tessera edit's (its own codes), the edit entry's for the studio's
// (re-encoded in the drawing model's codes); nothing for other records.
func TestEditModel(t *testing.T) {
	cli := &Record{Model: "edit", ModelHash: "e1", Extra: map[string]any{ExtraEdit: map[string]any{"instruction": "mirror it"}}}
	studio := &Record{Model: "emoji", ModelHash: "d2", Extra: map[string]any{ExtraEdit: map[string]any{"instruction": "mirror it", "model": "edit", "model_hash": "e1"}}}
	for _, c := range []struct {
		r          *Record
		name, hash string
		own        bool
	}{{cli, "edit", "e1", true}, {studio, "edit", "e1", false}, {&Record{Model: "emoji"}, "", "", false}, {nil, "", "", false}} {
		if n, h, own := c.r.EditModel(); n != c.name || h != c.hash || own != c.own {
			t.Errorf("%+v: %q %q %v, want %q %q %v", c.r, n, h, own, c.name, c.hash, c.own)
		}
	}
}
