package data

import (
	"context"
	"fmt"
	"strings"
)

// SkinTones are the five skin tones Emoji's captions name, lightest first
// ("light skin tone" … "dark skin tone"): the Fitzpatrick modifiers
// U+1F3FB…U+1F3FF.
func SkinTones() []string {
	return []string{"light skin tone", "medium-light skin tone", "medium skin tone", "medium-dark skin tone", "dark skin tone"}
}

// SkinToneOf is the tone (of SkinTones) the Fitzpatrick modifier r names,
// and whether r is one (U+1F3FB…U+1F3FF).
func SkinToneOf(r rune) (string, bool) {
	if r < 0x1F3FB || r > 0x1F3FF {
		return "", false
	}
	return SkinTones()[r-0x1F3FB], true
}

// SplitEmojiCaption takes an Emoji caption apart: the emoji's name, its skin
// tone (one of SkinTones, or "" for the default yellow or no tone) and the
// style words of style at the end. ok is false when the caption does not
// end in style's words, or names more than one tone (people of two tones,
// "… light skin tone dark skin tone").
// "waving hand medium-dark skin tone fluent flat", "fluent-flat" →
// ("waving hand", "medium-dark skin tone", true).
func SplitEmojiCaption(caption, style string) (name, tone string, ok bool) {
	rest, found := strings.CutSuffix(caption, " "+StyleWords(style))
	if !found {
		return "", "", false
	}
	for _, t := range SkinTones() {
		if base, cut := strings.CutSuffix(rest, " "+t); cut {
			for _, t2 := range SkinTones() {
				if strings.HasSuffix(base, " "+t2) {
					return "", "", false
				}
			}
			return base, t, true
		}
	}
	return rest, "", true
}

// GenderSet names the Keys (emoji.json unified codes, as in Sample.Key) of
// one emoji drawn as a person, a man and a woman; a Key is "" where that
// form does not exist, and at least two are set.
type GenderSet struct {
	Person, Man, Woman string
}

// EmojiGenders reads the person/man/woman triples of emoji.json in cacheDir
// ("" means DefaultEmojiCache): "X" with "X ZWJ ♂" and "X ZWJ ♀" (runner,
// man running, woman running), "person ZWJ Y" with "man ZWJ Y" and "woman
// ZWJ Y" (technologist, man technologist, woman technologist), and a few
// emoji paired by meaning (person, man, woman; older person, old man, old
// woman; Mx Claus, Father Christmas, Mother Christmas; person with crown,
// prince, princess). Sets are in emoji.json order. Missing data is an error
// wrapping ErrNotFound.
func EmojiGenders(ctx context.Context, cacheDir string) ([]GenderSet, error) {
	entries, err := emojiEntries(ctx, cacheDir)
	if err != nil {
		return nil, err
	}
	var codes []string
	for _, e := range entries {
		codes = append(codes, e.Unified)
	}
	return genderSets(codes), nil
}

// GenderSetsOf pairs emoji by gender as EmojiGenders does, from their
// unified codes ("1F468-200D-1F692"; FE0F and letter case ignored), in
// the order given: for a model's list of names without emoji.json. A set's
// Keys are codes as given.
func GenderSetsOf(codes []string) []GenderSet { return genderSets(codes) }

// UnifiedCode is the unified code of emoji characters s, as emoji.json
// writes it: each code point in upper-case hex, joined by "-" ("👨‍🚒" →
// "1F468-200D-1F692").
func UnifiedCode(s string) string {
	var parts []string
	for _, r := range s {
		parts = append(parts, fmt.Sprintf("%04X", r))
	}
	return strings.Join(parts, "-")
}

// genderSets pairs the unified codes of emoji.json (see EmojiGenders).
func genderSets(codes []string) []GenderSet {
	byKey := map[string]string{} // hexKey → unified as written
	for _, u := range codes {
		byKey[hexKey(u)] = u
	}
	const (
		zwj, male, female       = "200D", "2642", "2640"
		person, man, woman, sep = "1F9D1", "1F468", "1F469", "-"
	)
	seen := map[string]bool{}
	var sets []GenderSet
	add := func(s GenderSet) {
		n := 0
		for _, k := range []string{s.Person, s.Man, s.Woman} {
			if k != "" {
				n++
			}
		}
		id := s.Person + "|" + s.Man + "|" + s.Woman
		if n >= 2 && !seen[id] {
			seen[id] = true
			sets = append(sets, s)
		}
	}
	for _, u := range codes {
		k := hexKey(u)
		parts := strings.Split(k, sep)
		switch {
		case len(parts) >= 3 && parts[len(parts)-2] == zwj && (parts[len(parts)-1] == male || parts[len(parts)-1] == female):
			base := strings.Join(parts[:len(parts)-2], sep)
			if parts[len(parts)-1] == female && byKey[base+sep+zwj+sep+male] != "" {
				continue // the set is added once, from its man
			}
			add(GenderSet{Person: byKey[base], Man: byKey[base+sep+zwj+sep+male], Woman: byKey[base+sep+zwj+sep+female]})
		case len(parts) >= 3 && parts[0] == person && parts[1] == zwj:
			rest := strings.Join(parts[1:], sep)
			add(GenderSet{Person: u, Man: byKey[man+sep+rest], Woman: byKey[woman+sep+rest]})
		}
	}
	for _, s := range [][3]string{
		{person, man, woman},
		{"1F9D3", "1F474", "1F475"},            // older person, old man, old woman
		{"1F9D1-200D-1F384", "1F385", "1F936"}, // Mx Claus, Father Christmas, Mother Christmas
		{"1FAC5", "1F934", "1F478"},            // person with crown, prince, princess
	} {
		add(GenderSet{Person: byKey[s[0]], Man: byKey[s[1]], Woman: byKey[s[2]]})
	}
	return sets
}
