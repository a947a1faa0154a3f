package jsonerr

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

type settings struct {
	Layers int `json:"n_layer"`
}

// Each kind of broken file is said in plain words, the JSON error kept.
func TestExplain(t *testing.T) {
	for _, c := range []struct{ data, want string }{
		{`{"n_layer": 4, "n_emb`, "it ends before its JSON does: cut short"},
		{"{\n  \"n_layer\": 4,,\n}", "it is not valid JSON at line 2, column 16"},
		{`[1, 2]`, "it holds a JSON array where an object of settings ({…}) belongs"},
		{`{"n_layer": 4,}`, "it is not valid JSON at line 1, column 15"}, // its last byte, not cut short
		{`{"n_layer": 4}}`, "it is not valid JSON at line 1, column 15"},
		{`{"n_layer": "four"}`, `its "n_layer" is a JSON string, which is not what that setting takes`},
	} {
		var s settings
		raw := json.Unmarshal([]byte(c.data), &s)
		err := Explain(raw, []byte(c.data))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) || !errors.Is(err, raw) {
			t.Errorf("%q: %v, want %q", c.data, err, c.want)
		}
	}
	if Explain(nil, nil) != nil {
		t.Error("no error became one")
	}
}
