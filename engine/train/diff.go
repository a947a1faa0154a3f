package train

import (
	"encoding/json"
	"fmt"
	"sort"
)

// SettingsDiff lists the JSON fields of two values of one settings type
// that differ, as "name: a → b", in name order: what a resumed run would
// silently change. Values that do not marshal to a JSON object compare
// whole.
func SettingsDiff(a, b any) []string {
	var ma, mb map[string]any
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	if errA != nil || errB != nil || json.Unmarshal(ja, &ma) != nil || json.Unmarshal(jb, &mb) != nil {
		if fmt.Sprint(a) != fmt.Sprint(b) {
			return []string{fmt.Sprintf("%v → %v", a, b)}
		}
		return nil
	}
	var out []string
	for k, va := range ma {
		if vb, ok := mb[k]; !ok || fmt.Sprint(va) != fmt.Sprint(vb) {
			out = append(out, fmt.Sprintf("%s: %s → %s", k, shownSetting(va), shownSetting(mb[k])))
		}
	}
	for k, vb := range mb {
		if _, ok := ma[k]; !ok {
			out = append(out, fmt.Sprintf("%s: (none) → %s", k, shownSetting(vb)))
		}
	}
	sort.Strings(out)
	return out
}

// shownSetting is a setting's JSON value as SettingsDiff writes it:
// "(none)" for an empty string or a missing value (an empty init_model
// read "init_model:  → emoji").
func shownSetting(v any) string {
	if v == nil || v == "" {
		return "(none)"
	}
	return fmt.Sprint(v)
}
