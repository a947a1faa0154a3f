package data

import (
	"context"
	"strconv"
	"strings"
	"unicode"
)

// EmojiNames returns the names of the emoji described by the
// emoji-datasource metadata in cacheDir ("" means DefaultEmojiCache): each
// entry's lower-cased Unicode name (its first short name when it has none),
// in emoji.json order, once each, without skin tones or style words. These
// are the captions Emoji gives with the tone and style words taken off;
// describe pairs them with a model's style words as candidate prompts. It
// reads only the metadata tarball, not the artwork. Missing data is an
// error wrapping ErrNotFound.
func EmojiNames(ctx context.Context, cacheDir string) ([]string, error) {
	names, _, err := EmojiNamesAndChars(ctx, cacheDir)
	return names, err
}

// EmojiChars maps each of EmojiNames to the emoji it names, as characters
// ("rocket" → "🚀"; without the variation selector U+FE0F), from the same
// metadata: a model's names.txt keeps them, so a prompt may hold the emoji
// itself (bundle.Bundle.ReadPrompt reads it as its name).
func EmojiChars(ctx context.Context, cacheDir string) (map[string]string, error) {
	_, chars, err := EmojiNamesAndChars(ctx, cacheDir)
	return chars, err
}

// EmojiNamesAndChars is EmojiNames and EmojiChars from one reading of the
// metadata.
func EmojiNamesAndChars(ctx context.Context, cacheDir string) ([]string, map[string]string, error) {
	entries, err := emojiEntries(ctx, cacheDir)
	if err != nil {
		return nil, nil, err
	}
	seen := map[string]bool{}
	var out []string
	chars := map[string]string{}
	for _, e := range entries {
		name := join(strings.ToLower(e.Name))
		if name == "" && len(e.ShortNames) > 0 {
			name = strings.ToLower(join(strings.ReplaceAll(e.ShortNames[0], "_", " ")))
		}
		if name != "" && !seen[name] {
			seen[name] = true
			out = append(out, name)
			if c := unifiedChars(e.Unified); c != "" {
				chars[name] = c
			}
		}
	}
	return out, chars, nil
}

// unifiedChars is the emoji an emoji.json "unified" field names
// ("1F468-200D-1F469" → 👨‍👩), without U+FE0F; "" if it does not parse.
func unifiedChars(unified string) string {
	var b strings.Builder
	for _, h := range strings.Split(unified, "-") {
		r, err := strconv.ParseUint(h, 16, 32)
		if err != nil || r > unicode.MaxRune {
			return ""
		}
		if r != 0xFE0F {
			b.WriteRune(rune(r))
		}
	}
	return b.String()
}
