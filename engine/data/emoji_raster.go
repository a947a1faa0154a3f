package data

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// EmojiStyles are the six artwork styles Emoji can load, in sample order:
// Google's Noto and Twitter's Twemoji as 64×64 PNGs from emoji-datasource,
// OpenMoji and Microsoft's Fluent (flat, modern, high contrast) as SVGs
// rasterised at 64×64 by scripts/rasterize-emoji.sh.
func EmojiStyles() []string {
	return []string{"google", "twitter", "openmoji", "fluent-flat", "fluent-modern", "fluent-contrast"}
}

// StyleNames are the names, in words, a user may call each of EmojiStyles
// by: the caption's style words first, then the artwork's own names
// ("twemoji", "noto"). Instructions (engine/edit) and prompts
// (StyleAliases) read them all.
func StyleNames() map[string][]string {
	return map[string][]string{
		"google":          {"google", "noto"},
		"twitter":         {"twitter", "twemoji"},
		"openmoji":        {"openmoji"},
		"fluent-flat":     {"fluent flat"},
		"fluent-modern":   {"fluent modern"},
		"fluent-contrast": {"fluent contrast", "high contrast"},
	}
}

// StyleAliases maps each other name of a style (StyleNames past the first)
// to the style's caption words: "twemoji" → "twitter", "high contrast" →
// "fluent contrast" (for prompt.StylePhrase).
func StyleAliases() map[string]string {
	out := map[string]string{}
	for _, names := range StyleNames() {
		for _, a := range names[1:] {
			out[a] = names[0]
		}
	}
	return out
}

// StyleWords is the caption text of a style: "fluent-flat" → "fluent flat".
func StyleWords(style string) string { return strings.ReplaceAll(style, "-", " ") }

// rasterStyle reports whether style's images come from the raster64 folder.
func rasterStyle(style string) bool {
	return style == "openmoji" || strings.HasPrefix(style, "fluent-")
}

// emojibaseTarball is the emojibase-data package that names the Fluent files
// (CLDR labels) and adds CLDR names to the captions.
const emojibaseTarball = "emojibase-data-17.0.0.tgz"

// rasterDir is where scripts/rasterize-emoji.sh writes the 64×64 PNGs.
func rasterDir(cacheDir, style string) string {
	return filepath.Join(cacheDir, "raster64", style)
}

// StyleCount says how many emoji.json images a style matched and how many
// of the style's own files no emoji.json entry claimed.
type StyleCount struct {
	Matched, Unmatched int
}

// hexKey normalises a code point sequence for matching: upper case, without
// the variation selector FE0F ("2764-FE0F" and "2764" are one emoji).
func hexKey(unified string) string {
	parts := strings.Split(strings.ToUpper(unified), "-")
	parts = slices.DeleteFunc(parts, func(p string) bool { return p == "FE0F" })
	return strings.Join(parts, "-")
}

// cldrLabels reads hexKey → CLDR label (e.g. "waving hand: light skin tone")
// from emojibase-data's en/data.json.
func cldrLabels(ctx context.Context, path string) (map[string]string, error) {
	type skin struct {
		Label   string `json:"label"`
		Hexcode string `json:"hexcode"`
	}
	var entries []struct {
		skin
		Skins []skin `json:"skins"`
	}
	if err := readTarJSON(ctx, path, "package/en/data.json", &entries); err != nil {
		return nil, fmt.Errorf("emojibase labels: %w", err)
	}
	labels := map[string]string{}
	for _, e := range entries {
		labels[hexKey(e.Hexcode)] = e.Label
		for _, s := range e.Skins {
			labels[hexKey(s.Hexcode)] = s.Label
		}
	}
	return labels, nil
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// fluentSlug turns a CLDR label into fluentui-emoji's file name:
// "man’s shoe" → "mans-shoe".
func fluentSlug(label string) string {
	s := strings.ToLower(label)
	s = strings.NewReplacer("’", "", "'", "", "“", "", "”", "").Replace(s)
	return strings.Trim(nonSlug.ReplaceAllString(s, "-"), "-")
}

// wordBag is a slug's words in sorted order, so "man-deaf" matches
// "deaf-man".
func wordBag(slug string) string {
	w := strings.Split(slug, "-")
	slices.Sort(w)
	return strings.Join(w, " ")
}

// fluentTone is the file name suffix fluentui-emoji gives a Fitzpatrick
// modifier: the tone's name less " skin tone" ("1F3FC": "medium-light";
// "" for any other code).
func fluentTone(code string) string {
	tone, _ := skinTone(code)
	return strings.TrimSuffix(tone, " skin tone")
}

// rasterIndex finds a raster style's PNG for an emoji.json image.
type rasterIndex struct {
	style  string
	dir    string
	files  map[string]string // match key → file name
	bags   map[string]string // fluent only: word bag → file name
	used   map[string]bool
	labels map[string]string
}

// rasterMissing says, wrapping ErrNotFound, that style was not rasterised
// into cacheDir (its folder has no ".done" mark), and how to make it; nil
// when it was.
func rasterMissing(cacheDir, style string) error {
	dir := rasterDir(cacheDir, style)
	if _, err := os.Stat(filepath.Join(dir, ".done")); err != nil {
		return fmt.Errorf("emoji style %s not rasterised in %s: %s: %w", style, dir, fetchHint(cacheDir), ErrNotFound)
	}
	return nil
}

// fetchHint is how to fetch the emoji data into cacheDir, for errors.
func fetchHint(cacheDir string) string {
	return fmt.Sprintf("run make data in Tessera's source folder (or scripts/fetch-emoji.sh %s)", cacheDir)
}

// newRasterIndex lists a raster style's folder; a missing folder is an error
// wrapping ErrNotFound that says how to make it.
func newRasterIndex(cacheDir, style string, labels map[string]string) (*rasterIndex, error) {
	if err := rasterMissing(cacheDir, style); err != nil {
		return nil, err
	}
	dir := rasterDir(cacheDir, style)
	names, err := filepath.Glob(filepath.Join(dir, "*.png"))
	if err != nil {
		return nil, fmt.Errorf("emoji style %s: %w", style, err)
	}
	ix := &rasterIndex{style: style, dir: dir, files: map[string]string{}, bags: map[string]string{}, used: map[string]bool{}, labels: labels}
	for _, n := range names {
		base := strings.TrimSuffix(filepath.Base(n), ".png")
		if style == "openmoji" {
			ix.files[hexKey(base)] = base
		} else {
			ix.files[base] = base
			ix.bags[wordBag(base)] = base
		}
	}
	return ix, nil
}

// find returns the file for the image with unified code u, tone being its
// skin-tone key ("" for none) and hasTones whether its base emoji has tone
// variations; "" when the style has no such image.
func (ix *rasterIndex) find(base, u, tone string, hasTones bool) string {
	var f string
	if ix.style == "openmoji" {
		f = ix.files[hexKey(u)]
	} else {
		label, ok := ix.labels[hexKey(base)]
		if !ok || strings.Contains(tone, "-") {
			return "" // Fluent draws multi-tone sequences only in their default look.
		}
		slug := fluentSlug(label)
		switch {
		case tone != "":
			slug += "-" + fluentTone(tone)
		case hasTones:
			slug += "-default"
		}
		if f = ix.files[slug]; f == "" {
			f = ix.bags[wordBag(slug)]
		}
	}
	if f != "" {
		ix.used[f] = true
	}
	return f
}

// unmatched counts the style's files that no emoji.json image claimed.
func (ix *rasterIndex) unmatched() int {
	n := 0
	for _, f := range ix.files {
		if !ix.used[f] {
			n++
		}
	}
	return n
}
