// Package outname is the form of the file names the studio gives the
// pictures it saves, written and read in one place:
//
//	tessera-DATE-TIME[-WORDS]-sSEED[-N].png
//
// "tessera-20261203-113222-rocket-fluent-flat-s7.png": the time the picture
// was made (to the second, in the local time of the machine), the first
// words of its prompt as the model read it, its seed, and a number from 2 up
// when another file had the name already. The history strip reads the time
// and seed back for its captions, and a folder of saved pictures trains on
// their words alone.
package outname

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Prefix starts every output name; TimeLayout (time.Format's layout) follows
// it.
const (
	Prefix     = "tessera-"
	TimeLayout = "20060102-150405"
)

// Name is what an output name holds.
type Name struct {
	// Made is when the picture was made, to the second, as the clock
	// showed it where it was made: Base writes Made's clock in Made's
	// location, and Parse reads it back in UTC, since the name holds no
	// zone (in local time, a clock reading in a daylight-saving gap
	// moved by an hour). Compare clocks, not instants.
	Made time.Time
	// Words are the first words of the prompt as Words gives them
	// ("rocket-fluent-flat"); "" for a prompt with none.
	Words string
	// Seed is the picture's seed.
	Seed uint64
	// N is 0 for the first file of the name and 2, 3, … for the files that
	// took the number to keep apart from one of the same name.
	N int
}

// Base is the file name less its ".png" extension.
func (n Name) Base() string {
	s := Prefix + n.Made.Format(TimeLayout)
	if n.Words != "" {
		s += "-" + n.Words
	}
	s += "-s" + strconv.FormatUint(n.Seed, 10)
	if n.N > 0 {
		s += "-" + strconv.Itoa(n.N)
	}
	return s
}

// nameForm matches Base's output: the time, the words (lazily, so that
// words such as "plan-s5" stay words), the seed and the number.
var nameForm = regexp.MustCompile(`^tessera-(\d{8}-\d{6})(?:-(.+?))?-s(\d+)(?:-(\d+))?$`)

// Parse reads a file name that Base wrote: a base name (no directory),
// with or without ".png"; ok is false for a name of any other form, such as a user's
// "holiday.png" or an output name renamed to drop its seed.
func Parse(name string) (n Name, ok bool) {
	m := nameForm.FindStringSubmatch(strings.TrimSuffix(name, ".png"))
	if m == nil {
		return Name{}, false
	}
	made, err := time.Parse(TimeLayout, m[1]) // UTC: the name holds no zone
	if err != nil {
		return Name{}, false
	}
	seed, err := strconv.ParseUint(m[3], 10, 64)
	if err != nil {
		return Name{}, false
	}
	n = Name{Made: made, Words: m[2], Seed: seed}
	if m[4] != "" {
		if n.N, err = strconv.Atoi(m[4]); err != nil {
			return Name{}, false
		}
	}
	return n, true
}

// TimeKey is the "tessera-DATE-TIME" start of an output name, which sorts as
// the time it was made; "" for a name that does not start so. It reads names
// Parse would not (the seed cut off), since sorting needs only the time.
func TimeKey(name string) string {
	const n = len(Prefix + TimeLayout)
	if len(name) < n || !strings.HasPrefix(name, Prefix) {
		return ""
	}
	if _, err := time.Parse(TimeLayout, name[len(Prefix):n]); err != nil {
		return ""
	}
	return name[:n]
}

// maxWords is how many words of a prompt a name takes, maxWord the longest a
// word gets in it and maxSlug the whole (a prompt of long words made a name
// past the file system's limit, and every run's save failed).
const (
	maxWords = 5
	maxWord  = 24
	maxSlug  = 60
)

// Words is the first words of text for a name: ASCII letters and digits
// only, lower case, joined by '-', at most five words of 24 letters and 60
// bytes in all. "Rocket, fluent flat!" is "rocket-fluent-flat"; "" for text
// with no such letters ("🚀").
func Words(text string) string { return slug(fields(text), maxWords, maxSlug) }

// fields are text's words of ASCII letters and digits, lower case.
func fields(text string) []string {
	return strings.Fields(strings.ToLower(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return ' '
	}, text)))
}

// slug is the first n words of w, each cut to maxWord letters, joined by
// '-' and cut to size bytes.
func slug(w []string, n, size int) string {
	w = slices.Clone(w[:min(len(w), n)])
	for i, s := range w {
		w[i] = s[:min(len(s), maxWord)] // ASCII: bytes are letters
	}
	out := strings.Join(w, "-")
	return strings.TrimRight(out[:max(0, min(len(out), size))], "-")
}

// editSourceWords is how many words of what was edited an edit's name
// keeps, so that the instruction's words always follow them.
const editSourceWords = 3

// fillerWords are the words of an instruction that tell no edit from
// another ("make it purple", "in the twemoji style", "please mirror it").
var fillerWords = map[string]bool{"make": true, "it": true, "its": true, "the": true, "a": true, "an": true,
	"please": true, "in": true, "style": true, "turn": true, "into": true, "to": true}

// EditWords are the words of an edit's name: the first words of what was
// edited (source, the prompt that drew it; at most three) and then the
// instruction's own words without its filler ("make it", "the", "in the
// … style"), so that edits of one source get different names:
// "waving hand google" made black and white is
// "waving-hand-google-black-and-white" and made purple
// "waving-hand-google-purple", where both were
// "waving-hand-google-make-it"; "in the twemoji style" is "twemoji". An
// instruction of filler alone keeps its words. The whole is at most
// maxSlug bytes of ASCII letters, digits and '-', as Words.
func EditWords(source, instruction string) string {
	var own []string
	all := fields(instruction)
	for _, w := range all {
		if !fillerWords[w] {
			own = append(own, w)
		}
	}
	if len(own) == 0 {
		own = all
	}
	edit := slug(own, maxWords, maxSlug)
	src := slug(fields(source), editSourceWords, maxSlug-len(edit)-1)
	switch {
	case src == "":
		return edit
	case edit == "":
		return src
	}
	return src + "-" + edit
}
