package data

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

func TestSplitEmojiCaption(t *testing.T) {
	for _, tc := range []struct {
		caption, style, name, tone string
		ok                         bool
	}{
		{"waving hand medium-dark skin tone fluent flat", "fluent-flat", "waving hand", "medium-dark skin tone", true},
		{"waving hand google", "google", "waving hand", "", true},
		{"waving hand light skin tone twitter", "twitter", "waving hand", "light skin tone", true},
		{"handshake light skin tone dark skin tone google", "google", "", "", false},
		{"waving hand google", "twitter", "", "", false},
		{"woman medium skin tone openmoji", "openmoji", "woman", "medium skin tone", true},
	} {
		name, tone, ok := SplitEmojiCaption(tc.caption, tc.style)
		if name != tc.name || tone != tc.tone || ok != tc.ok {
			t.Errorf("%q %s: (%q, %q, %v), want (%q, %q, %v)", tc.caption, tc.style, name, tone, ok, tc.name, tc.tone, tc.ok)
		}
	}
}

func TestGenderSets(t *testing.T) {
	codes := []string{
		"1F3C3", "1F3C3-200D-2640-FE0F", "1F3C3-200D-2642-FE0F", // runner, woman running, man running
		"1F3CB-FE0F", "1F3CB-FE0F-200D-2640-FE0F", "1F3CB-FE0F-200D-2642-FE0F", // person lifting weights
		"1F9D1-200D-1F4BB", "1F468-200D-1F4BB", "1F469-200D-1F4BB", // technologist
		"1F9D1-200D-1F384", "1F385", "1F936", // Mx Claus, Father and Mother Christmas
		"1F9D1", "1F468", "1F469",
		"1F46F", "1F46F-200D-2640-FE0F", // only a woman's form beside the base
		"1F9D1-200D-1F91D-200D-1F9D1", // people holding hands: no man/woman form
		"1F600",
	}
	got := genderSets(codes)
	want := []GenderSet{
		{"1F3C3", "1F3C3-200D-2642-FE0F", "1F3C3-200D-2640-FE0F"},
		{"1F3CB-FE0F", "1F3CB-FE0F-200D-2642-FE0F", "1F3CB-FE0F-200D-2640-FE0F"},
		{"1F9D1-200D-1F4BB", "1F468-200D-1F4BB", "1F469-200D-1F4BB"},
		{"1F46F", "", "1F46F-200D-2640-FE0F"},
		{"1F9D1", "1F468", "1F469"},
		{"1F9D1-200D-1F384", "1F385", "1F936"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("gender sets\n got %v\nwant %v", got, want)
	}
}

func TestEmojiGendersReadsEmojiJSON(t *testing.T) {
	dir := t.TempDir()
	js := `[{"name":"RUNNER","unified":"1F3C3"},{"name":"WOMAN RUNNING","unified":"1F3C3-200D-2640-FE0F"},{"name":"MAN RUNNING","unified":"1F3C3-200D-2642-FE0F"}]`
	writeTarGz(t, filepath.Join(dir, "emoji-datasource-1.0.0.tgz"), []string{"package/emoji.json"}, map[string][]byte{"package/emoji.json": []byte(js)})
	got, err := EmojiGenders(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != (GenderSet{"1F3C3", "1F3C3-200D-2642-FE0F", "1F3C3-200D-2640-FE0F"}) {
		t.Fatalf("%v", got)
	}
	if _, err := EmojiGenders(context.Background(), t.TempDir()); err == nil {
		t.Fatal("no emoji data: no error")
	}
}
