package data

import (
	"context"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"testing"
)

func TestEmojiNames(t *testing.T) {
	dir := writeEmojiCache(t)
	got, err := EmojiNames(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"smiling face with sunglasses", "heart eyes", "grinning face", "missing face"}
	if !slices.Equal(got, want) {
		t.Errorf("EmojiNames = %q, want %q", got, want)
	}
	if _, err := EmojiNames(context.Background(), filepath.Join(t.TempDir(), "nothing")); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing cache: err = %v, want ErrNotFound", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := EmojiNames(ctx, dir); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}

func TestUnifiedChars(t *testing.T) {
	for in, want := range map[string]string{
		"1F680": "🚀", "0031-FE0F-20E3": "1\u20E3", "1F468-200D-1F469": "👨\u200D👩", "00A9-FE0F": "©", "XYZ": "", "110000": "",
	} {
		if got := unifiedChars(in); got != want {
			t.Errorf("unifiedChars(%q) = %q, want %q", in, got, want)
		}
	}
}

// EmojiCommonNames gives an emoji's CLDR name where it says it in other
// words than the name EmojiNames lists it by, and needs emojibase's labels.
func TestEmojiCommonNames(t *testing.T) {
	dir := writeEmojiCache(t)
	if _, err := EmojiCommonNames(context.Background(), dir); !errors.Is(err, ErrNotFound) {
		t.Errorf("without emojibase's labels: err = %v, want ErrNotFound", err)
	}
	writeRasters(t, dir)
	got, err := EmojiCommonNames(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"heart eyes": "smiling face with heart-eyes"}; !maps.Equal(got, want) {
		t.Errorf("EmojiCommonNames = %q, want %q", got, want)
	}
}

// A relative $XDG_CACHE_HOME is ignored, as the XDG spec asks and make
// data does: the cache is ~/.cache's (Go's os.UserCacheDir refuses it).
func TestDefaultEmojiCacheIgnoresARelativeXDG(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", "rel")
	got, err := DefaultEmojiCache()
	if err != nil || got != filepath.Join(home, ".cache", "tessera", "emoji") {
		t.Errorf("DefaultEmojiCache() = %q, %v", got, err)
	}
	t.Setenv("XDG_CACHE_HOME", "/abs")
	if got, err := DefaultEmojiCache(); err != nil || got != "/abs/tessera/emoji" {
		t.Errorf("DefaultEmojiCache() = %q, %v", got, err)
	}
}
