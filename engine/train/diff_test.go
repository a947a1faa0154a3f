package train

import (
	"slices"
	"testing"
)

// SettingsDiff says "(none)" for an empty or missing value (a resume that
// added --init said "init_model:  → emoji").
func TestSettingsDiffNamesEmptyValues(t *testing.T) {
	type settings struct {
		InitModel string `json:"init_model"`
		Steps     int    `json:"steps"`
		Data      string `json:"data,omitempty"`
	}
	got := SettingsDiff(settings{Steps: 2, Data: "shapes"}, settings{InitModel: "emoji", Steps: 2})
	want := []string{"data: shapes → (none)", "init_model: (none) → emoji"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if got := SettingsDiff(settings{InitModel: "emoji"}, settings{Steps: 3, Data: "mnist"}); !slices.Equal(got, []string{"data: (none) → mnist", "init_model: emoji → (none)", "steps: 0 → 3"}) {
		t.Fatalf("got %q", got)
	}
}
