package prompt

import (
	"slices"
	"strings"
	"testing"
)

func newTok(t *testing.T, length int) *Tokenizer {
	t.Helper()
	words := BuildVocab([]string{"smiling face with sunglasses google", "heart eyes twitter", "x"})
	tok, err := New(words, length, 100)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return tok
}

func id(t *testing.T, tok *Tokenizer, w string) int {
	t.Helper()
	i := slices.Index(tok.Words(), w)
	if i < 0 {
		t.Fatalf("word %q not in vocabulary", w)
	}
	return tok.PadID() + i
}

func TestSplit(t *testing.T) {
	cases := map[string][]string{
		"heart_eyes":                 {"heart", "eyes"},
		"smiling-face:with,x":        {"smiling", "face", "with", "x"},
		"  Smiling   FACE\twith\n":   {"smiling", "face", "with"},
		"__--::,,":                   nil,
		"":                           nil,
		"flag: côte d’ivoire":        {"flag", "côte", "d’ivoire"},
		"Heart_Eyes, Twitter-Style:": {"heart", "eyes", "twitter", "style"},
		// a combining accent (macOS's file names) is the composed letter
		"Cafe\u0301 cup": {"caf\u00e9", "cup"},
	}
	for in, want := range cases {
		if got := Split(in); !slices.Equal(got, want) {
			t.Errorf("Split(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBuildVocab(t *testing.T) {
	got := BuildVocab([]string{"b a", "A_c", "b-d", ""})
	want := []string{PAD, "a", "b", "c", "d"}
	if !slices.Equal(got, want) {
		t.Fatalf("BuildVocab = %q, want %q", got, want)
	}
	if got := BuildVocab(nil); !slices.Equal(got, []string{PAD}) {
		t.Fatalf("BuildVocab(nil) = %q", got)
	}
}

func TestNewErrors(t *testing.T) {
	cases := []struct {
		name   string
		words  []string
		length int
		codes  int
	}{
		{"pad not first", []string{"a", PAD}, 4, 10},
		{"duplicate", []string{PAD, "a", "b", "a"}, 4, 10},
		{"duplicate pad", []string{PAD, PAD}, 4, 10},
		{"upper case", []string{PAD, "A"}, 4, 10},
		{"separator", []string{PAD, "a_b"}, 4, 10},
		{"empty word", []string{PAD, ""}, 4, 10},
		{"no codes", []string{PAD, "a"}, 4, 0},
		{"negative length", []string{PAD, "a"}, -1, 10},
		{"empty vocab with slots", nil, 4, 10},
	}
	for _, c := range cases {
		if _, err := New(c.words, c.length, c.codes); err == nil {
			t.Errorf("%s: New succeeded, want error", c.name)
		}
	}
}

func TestUnconditionalModel(t *testing.T) {
	tok, err := New(nil, 0, 512)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if tok.SOSID() != 512 || len(tok.Unconditional()) != 0 {
		t.Fatalf("SOS %d, unconditional %v", tok.SOSID(), tok.Unconditional())
	}
	enc := tok.Encode("a cat")
	if len(enc.IDs) != 0 || !slices.Equal(enc.Unknown, []string{"a", "cat"}) {
		t.Fatalf("Encode = %+v", enc)
	}
}

func TestLayout(t *testing.T) {
	tok := newTok(t, 4)
	words := tok.Words()
	if words[0] != PAD || tok.PadID() != 100 || tok.Length() != 4 {
		t.Fatalf("words[0]=%q PadID=%d Length=%d", words[0], tok.PadID(), tok.Length())
	}
	if tok.SOSID() != 100+len(words) {
		t.Fatalf("SOSID = %d, want %d", tok.SOSID(), 100+len(words))
	}
	words[0] = "mutated"
	if tok.Words()[0] != PAD {
		t.Fatal("Words returned internal storage")
	}
	if got := tok.Unconditional(); !slices.Equal(got, []int{100, 100, 100, 100}) {
		t.Fatalf("Unconditional = %v", got)
	}
}

func TestEncodePadFill(t *testing.T) {
	tok := newTok(t, 5)
	enc := tok.Encode("Heart_Eyes")
	want := []int{id(t, tok, "heart"), id(t, tok, "eyes"), 100, 100, 100}
	if !slices.Equal(enc.IDs, want) || enc.Unknown != nil || enc.Cut != nil {
		t.Fatalf("Encode = %+v, want IDs %v", enc, want)
	}
	if got := tok.Encode("heart eyes"); !slices.Equal(got.IDs, enc.IDs) {
		t.Fatalf("'heart_eyes' and 'heart eyes' differ: %v vs %v", enc.IDs, got.IDs)
	}
	if got := tok.Encode(""); !slices.Equal(got.IDs, tok.Unconditional()) {
		t.Fatalf("empty prompt = %v, want unconditional", got.IDs)
	}
}

func TestEncodeSeparatorsAndCase(t *testing.T) {
	tok := newTok(t, 8)
	enc := tok.Encode("SMILING-face:With,X")
	want := []int{id(t, tok, "smiling"), id(t, tok, "face"), id(t, tok, "with"), id(t, tok, "x"), 100, 100, 100, 100}
	if !slices.Equal(enc.IDs, want) {
		t.Fatalf("IDs = %v, want %v", enc.IDs, want)
	}
}

func TestEncodeUnknown(t *testing.T) {
	tok := newTok(t, 4)
	enc := tok.Encode("a smiling dog face <pad> dog")
	want := []int{id(t, tok, "smiling"), id(t, tok, "face"), 100, 100}
	if !slices.Equal(enc.IDs, want) {
		t.Fatalf("IDs = %v, want %v", enc.IDs, want)
	}
	if !slices.Equal(enc.Unknown, []string{"a", "dog", PAD, "dog"}) {
		t.Fatalf("Unknown = %q", enc.Unknown)
	}
	if enc.Cut != nil {
		t.Fatalf("Cut = %q", enc.Cut)
	}
	// Punctuation around a word is dropped when the word alone is known.
	if got := tok.Encode(`"smiling" face! (dog)`); !slices.Equal(got.IDs, want) || !slices.Equal(got.Unknown, []string{"(dog)"}) {
		t.Errorf("punctuated: %+v, want IDs %v and (dog) unknown", got, want)
	}
	// Some words known, none known, no words at all.
	for text, none := range map[string]bool{"a smiling dog": false, "a dog <pad>": true, "": false, " _ ": false} {
		if got := tok.Encode(text).NoneKnown(); got != none {
			t.Errorf("NoneKnown(%q) = %v, want %v", text, got, none)
		}
	}
}

func TestEncodeCut(t *testing.T) {
	tok := newTok(t, 3)
	enc := tok.Encode("smiling face with sunglasses zebra google")
	want := []int{id(t, tok, "smiling"), id(t, tok, "face"), id(t, tok, "with")}
	if !slices.Equal(enc.IDs, want) {
		t.Fatalf("IDs = %v, want %v", enc.IDs, want)
	}
	if !slices.Equal(enc.Cut, []string{"sunglasses", "google"}) {
		t.Fatalf("Cut = %q", enc.Cut)
	}
	if !slices.Equal(enc.Unknown, []string{"zebra"}) {
		t.Fatalf("Unknown = %q", enc.Unknown)
	}
}

func TestComplete(t *testing.T) {
	tok := newTok(t, 4)
	if got := tok.Complete("S", 10); !slices.Equal(got, []string{"smiling", "sunglasses"}) {
		t.Fatalf("Complete(S) = %q", got)
	}
	if got := tok.Complete("s", 1); !slices.Equal(got, []string{"smiling"}) {
		t.Fatalf("Complete(s, 1) = %q", got)
	}
	if got := tok.Complete("zz", 5); got != nil {
		t.Fatalf("Complete(zz) = %q", got)
	}
	if got := tok.Complete("<", 5); got != nil {
		t.Fatalf("Complete offered PAD: %q", got)
	}
	all := tok.Complete("", 100)
	if len(all) != len(tok.Words())-1 || !slices.IsSorted(all) {
		t.Fatalf("Complete(\"\") = %q", all)
	}
	if tok.Complete("s", 0) != nil {
		t.Fatal("Complete with n=0 returned words")
	}
	if strings.Join(tok.Complete("heart", 3), " ") != "heart" {
		t.Fatalf("Complete(heart) = %q", tok.Complete("heart", 3))
	}
}

func TestSplitStyle(t *testing.T) {
	styles := []string{"google", "fluent flat", "fluent-modern"}
	for _, c := range []struct{ text, base, style string }{
		{"Cat face, Fluent Flat", "cat face", "fluent flat"},
		{"cat face fluent-modern", "cat face", "fluent-modern"},
		{"google", "", "google"},
		{"flat cat", "flat cat", ""},
		{"cat face flat", "cat face flat", ""},
		{"cat face, google!", "cat face", "google"}, // as the model reads it
		{"cat face (fluent flat)", "cat face", "fluent flat"},
		{"google: cat face", "google: cat face", ""},
		{"cat face google !", "cat face", "google"}, // as StyleIn finds it
	} {
		if base, st := SplitStyle(c.text, styles); base != c.base || st != c.style {
			t.Errorf("SplitStyle(%q) = %q, %q; want %q, %q", c.text, base, st, c.base, c.style)
		}
	}
}

// StyleIn finds a style anywhere in the prompt, punctuation aside.
func TestStyleIn(t *testing.T) {
	styles := []string{"google", "fluent flat"}
	for text, want := range map[string]string{
		"google: cat face":       "google",
		"cat face (fluent flat)": "fluent flat",
		"cat face, google!":      "google",
		"cat face flat":          "",
		"fluent cat flat":        "",
		"":                       "",
	} {
		if got := StyleIn(text, styles); got != want {
			t.Errorf("StyleIn(%q) = %q, want %q", text, got, want)
		}
	}
	// WithoutStyles takes every style out, wherever it stands.
	for text, want := range map[string]string{
		"twitter rocket google": "rocket", "rocket fluent flat": "rocket", "rocket": "rocket", "google: cat face": "cat face",
	} {
		if got, _ := WithoutStyles(text, []string{"google", "twitter", "fluent flat"}); got != want {
			t.Errorf("WithoutStyles(%q) = %q, want %q", text, got, want)
		}
	}
	// StylesIn lists every style named, in the order of styles.
	for text, want := range map[string][]string{
		"rocket fluent flat google": {"google", "fluent flat"}, "rocket google": {"google"}, "rocket": nil,
	} {
		if got := StylesIn(text, styles); !slices.Equal(got, want) {
			t.Errorf("StylesIn(%q) = %q, want %q", text, got, want)
		}
	}
}
