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
//
// Words are compared as the model reads them, without the punctuation
// around them ("cat face, google!" ends with the style google).
func SplitStyle(text string, styles []string) (base, style string) {
	words, read := splitRead(text)
	for _, st := range styles {
		_, sw := splitRead(st)
		if n := len(sw); n > 0 && len(read) >= n && slices.Equal(read[len(read)-n:], sw) {
			return strings.Join(words[:len(words)-n], " "), st
		}
	}
	return text, ""
}

// StyleIn is the first of styles whose words stand anywhere in text, in a
// row, as the model reads them ("google: cat face", "cat face (twitter)"),
// or "" when none does.
func StyleIn(text string, styles []string) string {
	_, words := splitRead(text)
	for _, st := range styles {
		_, sw := splitRead(st)
		for i := 0; len(sw) > 0 && i+len(sw) <= len(words); i++ {
			if slices.Equal(words[i:i+len(sw)], sw) {
				return st
			}
		}
	}
	return ""
}

// splitRead is text's words (Split) and each as Encode looks it up,
// without the punctuation around it; words of punctuation alone are
// dropped from both.
func splitRead(text string) (words, read []string) {
	for _, w := range Split(text) {
		if r := strings.TrimFunc(w, unicode.IsPunct); r != "" {
			words, read = append(words, w), append(read, r)
		}
	}
	return words, read
}

// StylePhrase rewrites a style named in words, "rocket in the openmoji
// style", "rocket, in fluent flat style", "rocket openmoji style", to the
// form style words are trained in: the style last, alone ("rocket
// openmoji"). Only a style followed by the word "style" (and the "in" or
// "in the" before it) is rewritten; other text comes back unchanged. For
// tokenizers that do not know "style" as a word of their own (Bundle.
// PromptIDs): the phrase's words were read as words of the picture
// ("rocket in the openmoji" drew a garbled rocket).
func StylePhrase(text string, styles []string) string {
	words := Split(text) // kept as they are: the tokenizer reads each without its punctuation
	read := make([]string, len(words))
	for i, w := range words {
		read[i] = strings.ToLower(strings.TrimFunc(w, unicode.IsPunct))
	}
	for _, st := range styles {
		_, sw := splitRead(st)
		n := len(sw)
		for i := 0; n > 0 && i+n < len(read); i++ {
			if !slices.Equal(read[i:i+n], sw) || read[i+n] != "style" {
				continue
			}
			from := i
			switch {
			case i >= 2 && read[i-2] == "in" && read[i-1] == "the":
				from = i - 2
			case i >= 1 && (read[i-1] == "in" || read[i-1] == "the"):
				from = i - 1
			}
			rest := append(slices.Clone(words[:from]), words[i+n+1:]...)
			return strings.TrimSpace(strings.Join(append(rest, st), " "))
		}
	}
	return text
}

// ReadStyle is text with a style named in words rewritten to the style
// word (StylePhrase), for a tokenizer that does not know "style" as a
// word of its own (one that does reads the phrase as written); text
// otherwise, and when styles is empty.
func (t *Tokenizer) ReadStyle(text string, styles []string) string {
	if len(styles) == 0 {
		return text
	}
	if _, known := t.lookup("style"); known {
		return text
	}
	return StylePhrase(text, styles)
}
