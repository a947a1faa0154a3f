package data

import (
	"context"
	"fmt"
	"path/filepath"
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
		if name := e.listedName(); name != "" && !seen[name] {
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

// EmojiCommonNames maps each of EmojiNames whose CLDR short name
// (emojibase-data's English label, the name people know) says it in other
// words to that name, lower-cased and with the captions' punctuation rules
// ("heavy black heart" → "red heart", "information desk person" → "person
// tipping hand"), from the metadata and emojibase-data tarballs in cacheDir
// ("" means DefaultEmojiCache). Both are captions of the emoji's pictures
// (Emoji's Names hold the label). Missing data is an error wrapping
// ErrNotFound.
func EmojiCommonNames(ctx context.Context, cacheDir string) (map[string]string, error) {
	if cacheDir == "" {
		dir, err := DefaultEmojiCache()
		if err != nil {
			return nil, err
		}
		cacheDir = dir
	}
	entries, err := emojiEntries(ctx, cacheDir)
	if err != nil {
		return nil, err
	}
	eb := filepath.Join(cacheDir, emojibaseTarball)
	if !fileExists(eb) {
		return nil, fmt.Errorf("emoji common names: %s: %s: %w", eb, fetchHint(cacheDir), ErrNotFound)
	}
	labels, err := cldrLabels(ctx, eb)
	if err != nil {
		return nil, err
	}
	common := map[string]string{}
	for _, e := range entries {
		name := e.listedName()
		label := strings.ToLower(join(labels[hexKey(e.Unified)]))
		if _, seen := common[name]; name != "" && label != "" && !seen && label != name {
			common[name] = label
		}
	}
	return common, nil
}

// listedName is the name EmojiNames lists e by: its lower-cased Unicode
// name, else its first short name ("" for neither).
func (e emojiEntry) listedName() string {
	if name := join(strings.ToLower(e.Name)); name != "" {
		return name
	}
	if len(e.ShortNames) > 0 {
		return strings.ToLower(join(strings.ReplaceAll(e.ShortNames[0], "_", " ")))
	}
	return ""
}
