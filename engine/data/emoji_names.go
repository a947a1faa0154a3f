package data

import (
	"context"
	"strings"
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
	entries, err := emojiEntries(ctx, cacheDir)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, e := range entries {
		name := join(strings.ToLower(e.Name))
		if name == "" && len(e.ShortNames) > 0 {
			name = strings.ToLower(join(strings.ReplaceAll(e.ShortNames[0], "_", " ")))
		}
		if name != "" && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out, nil
}
