package prompt

import (
	"strings"

	"github.com/hbollon/go-edlib"
)

// Suggest returns the vocabulary word closest to an unknown word by edit
// distance (optimal string alignment: insertions, deletions, substitutions
// and swaps of two neighbouring letters, the commonest typo), for a "did
// you mean" hint: "rockett" → "rocket", "aple" → "apple", "bleu" →
// "blue". Words of up
// to four letters may be one edit away, longer ones two (keeping their
// first letter: "glitter" is not "twitter"); ties go to a
// word without digits (for a word without them), then to a word the
// model learned clearly better (SetWeights: a tenth more weight; a word of
// many captions, "fase" → "face" rather than "faso"), then to the word sharing the longest start
// with it (typos come late more often than first: "catt" → "cat", not
// "cart"), then the one nearest in length, then the first in sorted
// order. ok is false when
// no word is that close, and for a word the model knows.
func (t *Tokenizer) Suggest(word string) (suggestion string, ok bool) {
	word = strings.ToLower(word)
	if _, known := t.index[word]; known || word == "" {
		return "", false
	}
	// A number written out, where the model knows its digit (MNIST's
	// "digit 7"): "seven" → "7".
	if d, isNumber := numberWords[word]; isNumber {
		if _, known := t.index[d]; known {
			return d, true
		}
	}
	// One letter is as near to every other short word as to any: no hint
	// ("s" suggested "0").
	if len([]rune(word)) < 2 {
		return "", false
	}
	limit := 2
	if len([]rune(word)) <= 4 {
		limit = 1
	}
	// A word with digits ("cat2", "1st") is seldom what a word without
	// them meant: it only wins at a smaller distance.
	letters := !strings.ContainsAny(word, "0123456789")
	best, bestDigits, bestPrefix, bestLen, bestWeight := limit+1, true, 0, 0, 0.0
	for _, w := range t.sorted {
		dl := abs(len(w) - len(word))
		if dl > limit {
			continue
		}
		d := edlib.OSADamerauLevenshteinDistance(word, w)
		if d == 2 && w[0] != word[0] {
			// Two edits that change the first letter make another word,
			// not a typo of it ("glitter" → "twitter").
			continue
		}
		digits := letters && strings.ContainsAny(w, "0123456789")
		pre := commonPrefix(word, w)
		// A tenth heavier counts (without weights, all are 0: even).
		weight := t.weights[w]
		heavier, lighter := weight > 1.1*bestWeight, bestWeight > 1.1*weight
		better := d < best || d == best && (bestDigits && !digits ||
			digits == bestDigits && (heavier || !lighter &&
				(pre > bestPrefix || pre == bestPrefix && dl < bestLen)))
		if better {
			suggestion, best, bestDigits, bestPrefix, bestLen, bestWeight = w, d, digits, pre, dl, weight
		}
	}
	if best > limit {
		return "", false
	}
	return suggestion, true
}

// numberWords are the English number words of single digits.
var numberWords = map[string]string{
	"zero": "0", "one": "1", "two": "2", "three": "3", "four": "4",
	"five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}

// commonPrefix is the number of leading bytes a and b share.
func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Suggestions are "word → suggestion" hints for the unknown words that
// have one (Suggest), in order, for messages.
func (t *Tokenizer) Suggestions(unknown []string) []string {
	var out []string
	for _, w := range unknown {
		if s, ok := t.Suggest(w); ok {
			out = append(out, w+" → "+s)
		}
	}
	return out
}

// DidYouMean is "did you mean: rockett → rocket?" for the unknown words
// that have a suggestion, or "" when none has (or t is nil).
func (t *Tokenizer) DidYouMean(unknown []string) string {
	if t == nil {
		return ""
	}
	if hints := t.Suggestions(unknown); len(hints) > 0 {
		return "did you mean: " + strings.Join(hints, ", ") + "?"
	}
	return ""
}

// Corrected is text with every unknown word that has a suggestion
// (Suggest) replaced by it and the unknown words without one left out (the
// model reads none of them), as words (Split: lower case, single spaces),
// and whether any was replaced: "rokcet openmoji" → "rocket openmoji",
// "xyzzy rokcet" → "rocket". So the corrected prompt is exactly what the
// model would read.
func (t *Tokenizer) Corrected(text string) (string, bool) {
	if t == nil {
		return "", false
	}
	var out []string
	changed := false
	for _, w := range Split(text) {
		if _, known := t.lookup(w); known {
			out = append(out, w) // "apple." reads as apple: no correction to "apples"
		} else if s, ok := t.Suggest(w); ok {
			out, changed = append(out, s), true
		}
	}
	if !changed {
		return "", false
	}
	return strings.Join(out, " "), true
}
