package prompt

import (
	"slices"
	"strings"
	"unicode"
)

// Encoded is a prompt turned into ids, with what had to be left out.
type Encoded struct {
	// IDs has exactly Length() entries: the known words' ids left-aligned,
	// then PAD ids.
	IDs []int
	// Unknown lists the words not in the vocabulary, in prompt order; they are
	// left out of IDs. The literal word "<pad>" counts as unknown.
	Unknown []string
	// Cut lists known words that did not fit in Length() slots, in order.
	Cut []string
	// Words is the number of words in the text.
	Words int
}

// NoneKnown reports a prompt of words of which the model knows none: it
// would sample as if there were no prompt at all (an empty prompt is not
// such a prompt).
func (e Encoded) NoneKnown() bool { return e.Words > 0 && len(e.Unknown) == e.Words }

// lookup is the vocabulary index of word w, or of w without the
// punctuation around it; ok is false for a word the model does not know
// (PAD is no word).
func (t *Tokenizer) lookup(w string) (int, bool) {
	i, ok := t.index[w]
	if trimmed := strings.TrimFunc(w, unicode.IsPunct); !ok && trimmed != "" && trimmed != w {
		i, ok = t.index[trimmed]
	}
	return i, ok && i != 0
}

// Encode splits text (see Split) and maps its words to ids. A word the
// vocabulary lacks is looked up again without the punctuation around it
// ("face!" → "face", "(cat)" → "cat"); words still unknown are left out
// and reported, known words beyond Length() are cut and reported.
func (t *Tokenizer) Encode(text string) Encoded {
	enc := Encoded{IDs: t.Unconditional()}
	n := 0
	for _, w := range Split(text) {
		enc.Words++
		i, ok := t.lookup(w)
		switch {
		case !ok:
			enc.Unknown = append(enc.Unknown, w)
		case n < t.length:
			enc.IDs[n] = t.codes + i
			n++
		default:
			enc.Cut = append(enc.Cut, w)
		}
	}
	return enc
}

// Complete returns up to n vocabulary words that start with prefix (compared
// lower-cased), sorted; PAD is never offered. It serves autocompletion in the
// studio. n <= 0 gives nil.
func (t *Tokenizer) Complete(prefix string, n int) []string {
	if n <= 0 {
		return nil
	}
	prefix = strings.ToLower(prefix)
	start, _ := slices.BinarySearch(t.sorted, prefix)
	var out []string
	for _, w := range t.sorted[start:] {
		if len(out) == n || !strings.HasPrefix(w, prefix) {
			break
		}
		out = append(out, w)
	}
	return out
}

// BuildVocab returns a vocabulary for New: PAD first, then every word of every
// caption (see Split), sorted and unique.
func BuildVocab(captions []string) []string {
	seen := map[string]bool{PAD: true}
	var words []string
	for _, c := range captions {
		for _, w := range Split(c) {
			if !seen[w] {
				seen[w] = true
				words = append(words, w)
			}
		}
	}
	slices.Sort(words)
	return append([]string{PAD}, words...)
}
