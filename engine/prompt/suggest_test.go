package prompt

import (
	"slices"
	"testing"
)

func TestSuggestNearestKnownWord(t *testing.T) {
	tok, err := New([]string{PAD, "apple", "red", "blue", "rocket", "pocket", "face", "cat", "cat2", "car", "cart", "sunglasses", "twitter"}, 3, 16)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		word, want string
		ok         bool
	}{
		{"rockett", "rocket", true}, // one insertion
		{"Aple", "apple", true},     // case-folded, one deletion
		{"sunglases", "sunglasses", true},
		{"rcoket", "rocket", true}, // a swap of neighbouring letters is one edit
		{"bleu", "blue", true},     // so short words have it too
		{"cta", "cat", true},
		{"tac", "", false},   // short words: one edit only ("cat" is two)
		{"cap", "car", true}, // tie between car and cat: same length, sorted first
		{"zebra", "", false},
		{"rockeett", "rocket", true}, // two edits, the first letter kept
		{"glitter", "", false},       // two edits, the first letter among them: another word ("twitter")
		{"rocket", "", false},        // known
		{"", "", false},
	} {
		got, ok := tok.Suggest(c.word)
		if got != c.want || ok != c.ok {
			t.Errorf("Suggest(%q) = %q, %v; want %q, %v", c.word, got, ok, c.want, c.ok)
		}
	}
	if got := tok.Suggestions([]string{"zebra", "rockett"}); !slices.Equal(got, []string{"rockett → rocket"}) {
		t.Errorf("Suggestions = %q", got)
	}
	if got := tok.DidYouMean([]string{"zebra", "rockett", "aple"}); got != "did you mean: rockett → rocket, aple → apple?" {
		t.Errorf("DidYouMean = %q", got)
	}
	var none *Tokenizer
	if tok.DidYouMean([]string{"zebra"}) != "" || none.DidYouMean([]string{"rockett"}) != "" {
		t.Error("a hint without a close word or a tokenizer")
	}
}

// TestCorrected replaces the misspelt words that have a suggestion, keeps
// the known ones and leaves out the others, as words.
func TestCorrected(t *testing.T) {
	tok, err := New([]string{PAD, "apple", "red", "rocket", "face", "cat"}, 3, 16)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := tok.Corrected("Rokcet,  red"); !ok || got != "rocket red" {
		t.Errorf("Corrected: %q %v", got, ok)
	}
	if got, ok := tok.Corrected("red apple"); ok || got != "" {
		t.Errorf("nothing to correct: %q %v", got, ok)
	}
	if got, ok := tok.Corrected("xyzzy"); ok {
		t.Errorf("no suggestion: %q %v", got, ok)
	}
	// An unknown word without a suggestion is left out: the corrected
	// prompt holds only words the model reads.
	if got, ok := tok.Corrected("xyzzy rokcet (face)"); !ok || got != "rocket (face)" {
		t.Errorf("Corrected with a word beyond correction: %q %v", got, ok)
	}
	// A known word with punctuation on it is read as the word (Encode),
	// so it is not "corrected" to a neighbour.
	plural, err := New([]string{PAD, "apple", "apples", "red", "face", "faces", "cat"}, 3, 16)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := plural.Corrected("red apple. catt"); !ok || got != "red apple. cat" {
		t.Errorf("Corrected(%q) = %q %v, want %q", "red apple. catt", got, ok, "red apple. cat")
	}
	if got, ok := plural.Corrected("face!"); ok {
		t.Errorf("a known word with punctuation was corrected to %q", got)
	}
}

// A number written out is offered as its digit where the model knows it
// (MNIST's "digit 7"), and a single letter gets no hint ("s" was offered
// "0").
func TestSuggestNumbersAndSingleLetters(t *testing.T) {
	tok, err := New([]string{PAD, "digit", "0", "1", "7"}, 2, 16)
	if err != nil {
		t.Fatal(err)
	}
	for word, want := range map[string]string{"seven": "7", "Zero": "0", "nine": "", "s": "", "x": ""} {
		if got, ok := tok.Suggest(word); got != want || ok != (want != "") {
			t.Errorf("Suggest(%q) = %q, %v; want %q", word, got, ok, want)
		}
	}
}

// Between words equally near, one the model learned clearly better wins
// (SetWeights): "fase" is one letter from "face" and from "faso", and
// shares more of its start with "faso".
func TestSuggestPrefersWellLearnedWords(t *testing.T) {
	tok, err := New([]string{PAD, "face", "faso", "cat", "cart"}, 3, 16)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := tok.Suggest("fase"); got != "faso" {
		t.Fatalf("without weights: %q, want the longer shared start, faso", got)
	}
	tok.SetWeights(map[string]float64{"face": 2.0, "faso": 0.6, "cat": 1.0, "cart": 1.05})
	if got, _ := tok.Suggest("fase"); got != "face" {
		t.Errorf("with weights: %q, want face", got)
	}
	if got, _ := tok.Suggest("catt"); got != "cat" {
		t.Errorf("weights within a tenth: %q, want cat by its start", got)
	}
}
