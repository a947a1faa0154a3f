package bundle

import (
	"maps"
	"slices"
	"testing"
)

// A names file's second column (the emoji a name stands for) and third
// (the common name) read back as written; a value with no emoji (a
// hand-edited "X") is not kept, as it would be read inside words.
func TestNamesFileRoundTrip(t *testing.T) {
	want := NameTable{
		Names:  []string{"rocket", "cat face", "plain", "odd", "heavy black heart", "pouting face"},
		Chars:  map[string]string{"rocket": "🚀", "cat face": "🐱", "heavy black heart": "❤"},
		Common: map[string]string{"heavy black heart": "red heart", "pouting face": "enraged face"},
	}
	got := ParseNamesFile(want.Format())
	if !slices.Equal(got.Names, want.Names) || !maps.Equal(got.Chars, want.Chars) || !maps.Equal(got.Common, want.Common) {
		t.Fatalf("read back %q", got)
	}
	if c := ParseNamesFile([]byte("# comment\nodd\tX\n\ncat face\t🐱\n")).Chars; !maps.Equal(c, map[string]string{"cat face": "🐱"}) {
		t.Fatalf("chars %q", c)
	}
	if c := ParseNamesFile([]byte("heavy black heart\t❤\tred heart\tlater\n")).Common; !maps.Equal(c, map[string]string{"heavy black heart": "red heart"}) {
		t.Fatalf("a fourth column read into the common name: %q", c)
	}
	b := &Bundle{}
	b.SetNames(got)
	if b.CommonName("heavy black heart") != "red heart" || b.CommonName("rocket") != "rocket" {
		t.Fatalf("common names %q, %q", b.CommonName("heavy black heart"), b.CommonName("rocket"))
	}
	if n := ParseNames([]byte("a\t🚀\nb\n")); !slices.Equal(n, []string{"a", "b"}) {
		t.Fatalf("names %q", n)
	}
	if n := ParseNames([]byte("\xef\xbb\xbfcat\r\ndog\r\n")); !slices.Equal(n, []string{"cat", "dog"}) { // a Windows editor's
		t.Fatalf("names with a byte-order mark: %q", n)
	}
}

// Two names of one emoji read as the same one every time (the sort broke
// ties by chance: 🐱 read "kitty" 26 times in 200).
func TestEmojiReaderIsDeterministic(t *testing.T) {
	chars := map[string]string{"cat": "🐱", "kitty": "🐱", "dog": "🐶"}
	want := emojiReader(chars).Replace("🐱")
	for range 50 {
		if got := emojiReader(chars).Replace("🐱"); got != want {
			t.Fatalf("🐱 read %q, then %q", want, got)
		}
	}
}
