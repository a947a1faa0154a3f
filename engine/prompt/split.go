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

	"golang.org/x/text/unicode/norm"
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

// Split lower-cases text, puts it in Unicode's composed form (NFC) and
// splits it into words on white space, '_', '-', ':' and ','. Empty
// pieces are dropped, so "Smiling-face:with,X" gives ["smiling" "face"
// "with" "x"]. NFC makes one word of "café" written with a combining
// accent (as macOS names files) and with é (it made two, which looked the
// same: "the model does not know "café" (did you mean: café → café?)").
func Split(text string) []string {
	return strings.FieldsFunc(norm.NFC.String(strings.ToLower(text)), isSeparator)
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

// WithoutStyles is text without the words of each style of styles that
// stands in it, wherever, as StyleIn reads them ("twitter rocket google" →
// "rocket"), and the styles it named, in the order of styles.
func WithoutStyles(text string, styles []string) (base string, named []string) {
	words, read := splitRead(text)
	for _, st := range styles {
		_, sw := splitRead(st)
		for i := 0; len(sw) > 0 && i+len(sw) <= len(read); {
			if !slices.Equal(read[i:i+len(sw)], sw) {
				i++
				continue
			}
			if !slices.Contains(named, st) {
				named = append(named, st)
			}
			words = slices.Delete(words, i, i+len(sw))
			read = slices.Delete(read, i, i+len(sw))
		}
	}
	if len(named) == 0 {
		return text, nil
	}
	return strings.Join(words, " "), named
}

// StylesIn lists the styles whose words stand anywhere in text, in a row,
// as the model reads them, in the order of styles (those WithoutStyles
// takes out).
func StylesIn(text string, styles []string) []string {
	_, named := WithoutStyles(text, styles)
	return named
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

// ReadWords is text's words as Encode looks them up: Split, without the
// punctuation around each ("cat face, fluent." is cat face fluent).
func ReadWords(text string) []string {
	_, read := splitRead(text)
	return read
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
// style", "rocket, in fluent flat style", "rocket openmoji style", "rocket in
// the style of openmoji", to the form style words are trained in: the style
// last, alone ("rocket openmoji"). aliases maps other names of a style (in
// words: "twemoji", "high contrast") to its style words ("twitter", "fluent
// contrast"); an alias is read wherever a style is, and alone too ("rocket
// twemoji" → "rocket twitter"), since a model knows no alias as a word.
// Aliases of styles not in styles are ignored. A style word without the
// word "style" is left where it is; text without a style phrase comes back
// unchanged. For tokenizers that do not know "style" as a word of their own
// (Bundle.PromptIDs): the phrase's words were read as words of the picture
// ("rocket in the openmoji" drew a garbled rocket).
func StylePhrase(text string, styles []string, aliases map[string]string) string {
	words := Split(text) // kept as they are: the tokenizer reads each without its punctuation
	read := make([]string, len(words))
	for i, w := range words {
		read[i] = strings.ToLower(strings.TrimFunc(w, unicode.IsPunct))
	}
	type name struct {
		words []string
		style string
		alias bool
	}
	var names []name
	for _, st := range styles {
		_, sw := splitRead(st)
		names = append(names, name{sw, st, false})
	}
	for a, st := range aliases {
		if _, aw := splitRead(strings.ToLower(a)); len(aw) > 0 && slices.Contains(styles, st) {
			names = append(names, name{aw, st, true})
		}
	}
	// The longest names first ("fluent flat" before a style "fluent"), ties
	// in a fixed order whatever the map's.
	slices.SortStableFunc(names, func(a, b name) int {
		if d := len(b.words) - len(a.words); d != 0 {
			return d
		}
		return strings.Compare(strings.Join(a.words, " "), strings.Join(b.words, " "))
	})
	// The words before i that lead into a style phrase: "in the", "in", "the".
	lead := func(i int) int {
		switch {
		case i >= 2 && read[i-2] == "in" && read[i-1] == "the":
			return i - 2
		case i >= 1 && (read[i-1] == "in" || read[i-1] == "the"):
			return i - 1
		}
		return i
	}
	rewrite := func(from, to int, st string) string {
		rest := append(slices.Clone(words[:from]), words[to:]...)
		return strings.TrimSpace(strings.Join(append(rest, st), " "))
	}
	for _, nm := range names {
		n := len(nm.words)
		for i := 0; n > 0 && i+n <= len(read); i++ {
			if !slices.Equal(read[i:i+n], nm.words) {
				continue
			}
			switch {
			case i+n < len(read) && read[i+n] == "style": // "in the openmoji style"
				return rewrite(lead(i), i+n+1, nm.style)
			case i >= 2 && read[i-2] == "style" && read[i-1] == "of": // "in the style of openmoji"
				return rewrite(lead(i-2), i+n, nm.style)
			case nm.alias: // "rocket twemoji"
				return rewrite(i, i+n, nm.style)
			}
		}
	}
	return text
}

// ReadStyle is text with a style named in words rewritten to the style
// word (StylePhrase), for a tokenizer that does not know "style" as a
// word of its own (one that does reads the phrase as written); text
// otherwise, and when styles is empty.
func (t *Tokenizer) ReadStyle(text string, styles []string, aliases map[string]string) string {
	if len(styles) == 0 {
		return text
	}
	if _, known := t.lookup("style"); known {
		return text
	}
	return StylePhrase(text, styles, aliases)
}
