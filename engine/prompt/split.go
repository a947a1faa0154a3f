// Package prompt turns prompt text into the token ids a Tessera model reads.
//
// The vocabulary is laid out as in the design notes: image codes are ids
// [0, K), prompt words are ids [K, K+T) with word 0 being PAD (so PAD's id is
// K), and SOS is K+T. A prompt is lower-cased, split into words, and encoded
// into exactly L ids, left-aligned and PAD-filled; the all-PAD prompt is the
// unconditional one used by classifier-free guidance.
package prompt

import (
	"slices"
	"strings"
	"unicode"
)

// PAD is the padding word. It is always word 0 of a vocabulary, so its id is K.
const PAD = "<pad>"

// isSeparator reports whether r splits prompt words: any white space, '_',
// '-', ':' or ','.
func isSeparator(r rune) bool {
	switch r {
	case '_', '-', ':', ',':
		return true
	}
	return unicode.IsSpace(r)
}

// Split lower-cases text and splits it into words on white space, '_', '-',
// ':' and ','. Empty pieces are dropped, so "Smiling-face:with,X" gives
// ["smiling" "face" "with" "x"].
func Split(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), isSeparator)
}

// Normalize is text as its words (Split) joined by single spaces: the form
// in which two wordings compare equal ("Fluent-Flat" and "fluent  flat"
// are both "fluent flat").
func Normalize(text string) string { return strings.Join(Split(text), " ") }

// SplitStyle splits a trailing style off text: the first of styles (each
// one or more words, "fluent flat") whose words end text's words. base is
// the words before it, joined by spaces ("" when text is only the style);
// with no style at the end, base is text unchanged and style is "".
// "Cat face, Fluent Flat" → ("cat face", "fluent flat").
func SplitStyle(text string, styles []string) (base, style string) {
	words := Split(text)
	for _, st := range styles {
		sw := Split(st)
		if n := len(sw); n > 0 && len(words) >= n && slices.Equal(words[len(words)-n:], sw) {
			return strings.Join(words[:len(words)-n], " "), st
		}
	}
	return text, ""
}
