package prompt

import "testing"

// A style named in words is read as the style word, last, the way the
// model's captions put it; text without such a phrase is left alone.
func TestStylePhrase(t *testing.T) {
	styles := []string{"google", "openmoji", "fluent flat", "twitter", "fluent contrast"}
	aliases := map[string]string{"twemoji": "twitter", "noto": "google", "high contrast": "fluent contrast", "sketch": "pencil"}
	for in, want := range map[string]string{
		"rocket in the openmoji style":        "rocket openmoji",
		"Rocket, in the OpenMoji style":       "rocket openmoji", // Split's words, lower-cased
		"red apple in fluent flat style":      "red apple fluent flat",
		"cat face google style":               "cat face google",
		"in the google style, cat face":       "cat face google",
		"rocket openmoji":                     "rocket openmoji",
		"rocket in the style of nothing":      "rocket in the style of nothing",
		"the openmoji rocket":                 "the openmoji rocket",
		"cat face in the pencil style":        "cat face in the pencil style", // not one of the styles
		"man in the fluent flat style waving": "man waving fluent flat",
		"keycap # in the google style":        "keycap # google", // words of punctuation alone are words of the vocabulary
		"flag: u.s. in the google style":      "flag u.s. google",
		"rocket in the style of openmoji":     "rocket openmoji",
		"rocket, style of fluent flat":        "rocket fluent flat",
		"in the style of google: cat face":    "cat face google",
		"cat face in the twemoji style":       "cat face twitter", // an alias, of a style the model has
		"cat face twemoji":                    "cat face twitter",
		"Rocket in the style of Noto":         "rocket google",
		"heart in high contrast style":        "heart fluent contrast",
		"heart high contrast":                 "heart fluent contrast",
		"rocket in the style of twemoji":      "rocket twitter",
		"rocket sketch":                       "rocket sketch", // an alias of a style the model lacks
		"rocket in the sketch style":          "rocket in the sketch style",
	} {
		if got := StylePhrase(in, styles, aliases); got != want {
			t.Errorf("StylePhrase(%q) = %q, want %q", in, got, want)
		}
	}
}
