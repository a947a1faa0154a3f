package bundle

import (
	"maps"
	"slices"
	"testing"
)

// A names file's second column (the emoji a name stands for) reads back
// as written; a value with no emoji (a hand-edited "X") is not kept, as it
// would be read inside words.
func TestNamesFileRoundTrip(t *testing.T) {
	names := []string{"rocket", "cat face", "plain", "odd"}
	chars := map[string]string{"rocket": "🚀", "cat face": "🐱"}
	gotNames, gotChars := ParseNamesFile(FormatNames(names, chars))
	if !slices.Equal(gotNames, names) || !maps.Equal(gotChars, chars) {
		t.Fatalf("read back %q, %q", gotNames, gotChars)
	}
	if _, c := ParseNamesFile([]byte("# comment\nodd\tX\n\ncat face\t🐱\n")); !maps.Equal(c, map[string]string{"cat face": "🐱"}) {
		t.Fatalf("chars %q", c)
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
