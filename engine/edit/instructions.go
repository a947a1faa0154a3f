package edit

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/sampler"
)

// Family is a kind of edit the training pairs teach.
type Family string

// The edit families. Skin tone, style and gender edits turn one dataset
// image into another (the same emoji in another tone, style or gender);
// background removal turns a composited image back into its dataset image;
// the pixel operations compute their targets exactly.
const (
	Background Family = "background" // the emoji over a generated background → the emoji on white
	SkinTone   Family = "skin-tone"  // any tone or the yellow default → another
	Style      Family = "style"      // the same emoji in another artwork style
	Gender     Family = "gender"     // person / man / woman forms of one emoji
	Mirror     Family = "mirror"     // left–right mirror image
	Gray       Family = "black-and-white"
	Invert     Family = "invert"  // 255 − every channel
	Recolor    Family = "recolor" // the hue of every coloured pixel set to red, green, blue or purple
)

// Families lists every family in report order.
func Families() []Family {
	return []Family{Background, SkinTone, Style, Gender, Mirror, Gray, Invert, Recolor}
}

// ByNearest reports whether eval-edits judges the family by the nearest
// dataset image of the output (its exact target is a dataset image: skin
// tone, style, gender) rather than by pixels against the computed target.
func (f Family) ByNearest() bool { return f == SkinTone || f == Style || f == Gender }

// ColourFunction reports whether the family's exact edit is a function of
// each pixel's colour (of the source flipped, for a mirror; background
// removal nearly so: the emoji's colours kept, the background's turned
// white), which TransferDetail can carry by one colour table (DetailFor).
func (f Family) ColourFunction() bool {
	switch f {
	case Background, Mirror, Gray, Invert, Recolor:
		return true
	}
	return false
}

// NoTone is the skin-tone target of "no skin tone": the yellow default.
const NoTone = "none"

// Colors are the recolouring targets and their hues in degrees (HSV).
var Colors = []struct {
	Name string
	Hue  float64
}{{"red", 0}, {"green", 120}, {"blue", 240}, {"purple", 280}}

// phrasings are the instruction templates of each family; "{}" stands for
// the target (a tone such as "medium-dark", a style name, "woman", a
// colour). The first is the family's canonical wording.
var phrasings = map[Family][]string{
	Background: {"remove the background", "remove background", "take away the background", "delete the background",
		"erase the background", "no background", "put it on white", "white background", "cut it out"},
	SkinTone: {"{} skin tone", "make it {} skin tone", "give it {} skin", "change the skin tone to {}", "with {} skin", "{} skin"},
	Style:    {"in the {} style", "{} style", "make it {}", "as {}", "redraw it in {} style", "convert it to {}"},
	Gender:   {"as a {}", "make it a {}", "turn it into a {}", "{} version"},
	Mirror:   {"mirror it", "mirror", "flip it horizontally", "flip horizontally", "mirror image", "flip left to right", "face the other way"},
	Gray:     {"make it black and white", "black and white", "grayscale", "greyscale", "make it grey", "remove the colour", "desaturate it"},
	Invert:   {"invert the colours", "invert the colors", "invert it", "invert colours", "negative", "make it a negative"},
	Recolor:  {"make it {}", "turn it {}", "colour it {}", "color it {}", "{} version", "tint it {}", "make it all {}"},
}

// extraPhrasings are wordings of one target that the templates miss.
var extraPhrasings = map[string][]string{
	NoTone:   {"no skin tone", "default skin tone", "yellow skin tone", "remove the skin tone", "make the skin yellow"},
	"woman":  {"make it female", "female version"},
	"man":    {"make it male", "male version"},
	"person": {"gender neutral", "make it gender neutral"},
}

// targets lists the targets of a family as the words phrasings use:
// tones without "skin tone" (and NoTone), style names, genders, colours;
// one empty target for families without one.
func targets(f Family) []string {
	switch f {
	case SkinTone:
		var ts []string
		for _, t := range data.SkinTones() {
			ts = append(ts, strings.TrimSuffix(t, " skin tone"))
		}
		return append(ts, NoTone)
	case Style:
		var ts []string
		for _, s := range data.EmojiStyles() {
			ts = append(ts, s)
		}
		return ts
	case Gender:
		return []string{"woman", "man", "person"}
	case Recolor:
		var ts []string
		for _, c := range Colors {
			ts = append(ts, c.Name)
		}
		return ts
	}
	return []string{""}
}

// Wordings returns every instruction wording of family f for target (a
// tone word such as "medium-dark" or NoTone, a style as in
// data.EmojiStyles, "woman"/"man"/"person", a colour name; "" for families
// without one), the canonical one first.
func Wordings(f Family, target string) []string {
	if f == SkinTone && target == NoTone {
		return slices.Clone(extraPhrasings[NoTone])
	}
	names := []string{target}
	if f == Style {
		names = data.StyleNames()[target]
	}
	var out []string
	for _, name := range names {
		for _, p := range phrasings[f] {
			out = append(out, strings.ReplaceAll(p, "{}", name))
		}
	}
	if f == Gender {
		out = append(out, extraPhrasings[target]...)
	}
	return out
}

// Phrase picks one wording of (f, target) with r.
func Phrase(f Family, target string, r *rand.Rand) string {
	w := Wordings(f, target)
	return w[r.IntN(len(w))]
}

// Instructions are the canonical instruction of every family and target
// ("remove the background", "light skin tone", "in the twitter style",
// "as a woman", "mirror it", …), for completions.
func Instructions() []string {
	var out []string
	for _, f := range Families() {
		for _, t := range targets(f) {
			out = append(out, Wordings(f, t)[0])
		}
	}
	return out
}

// AllWordings is every wording of every family and target: the
// instructions an edit model is trained on.
func AllWordings() []string {
	var out []string
	for _, f := range Families() {
		for _, t := range targets(f) {
			out = append(out, Wordings(f, t)...)
		}
	}
	return out
}

// Vocabulary is the instruction vocabulary of an edit model: PAD, then
// every word of every wording, sorted (prompt.BuildVocab).
func Vocabulary() []string { return prompt.BuildVocab(AllWordings()) }

// MaxWords is the most words a wording has: the instruction length L.
func MaxWords() int {
	n := 0
	for _, w := range AllWordings() {
		n = max(n, len(prompt.Split(w)))
	}
	return n
}

// CheckInstruction refuses an instruction edit model b cannot follow: one
// none of whose words it knows, or one whose unknown words, left out, leave
// wording it was never trained on ("make it purplish" would be read "make
// it", "in the twemoji style" "in the style"). Unknown words whose removal
// leaves a trained wording ("please mirror it") pass: the caller warns.
// Known words that name nothing to change, only the words that join an
// instruction ("a", "the the the", "make it"), are refused as such a
// leftover is: the model would edit by nothing (it greyed the picture).
func CheckInstruction(b *bundle.Bundle, instruction string) error {
	known, unknown, _ := sampler.InstructionWords(b, instruction)
	if known > 0 && len(unknown) == 0 {
		words := prompt.Split(instruction)
		if _, exact, _ := Nearest(instruction); exact || len(contentWords(words)) > 0 {
			return nil
		}
		return fmt.Errorf("model %s would read the instruction %q, which is not one it was trained on: it names nothing to change (%s only join an instruction's words) (%s)",
			b.Name, strings.Join(words, " "), functionWords, suchAs(suggestions(b, instruction)))
	}
	examples := suggestions(b, instruction)
	hint := ""
	if b.Prompt != nil {
		if h := b.Prompt.DidYouMean(unknown); h != "" {
			hint = " (" + h + ")"
		}
	}
	switch {
	case known == 0:
		return fmt.Errorf("model %s knows none of the words of %q%s: its instructions are like %s", b.Name, instruction, hint, quoted(examples))
	case len(unknown) == 0:
		return nil
	}
	var keep []string
	for _, w := range prompt.Split(instruction) {
		if !slices.Contains(unknown, w) {
			keep = append(keep, w)
		}
	}
	rest := strings.Join(keep, " ")
	for _, w := range AllWordings() {
		if prompt.Normalize(w) == rest { // as words: "medium-dark" is two
			return nil
		}
	}
	them := "them"
	if len(unknown) == 1 {
		them = "it"
	}
	return fmt.Errorf("model %s does not know %s%s; without %s the instruction would read %q, which is not one it was trained on (%s)",
		b.Name, quoted(unknown), hint, them, rest, suchAs(examples))
}

// suchAs offers the trained instructions examples (suggestions) in a
// refusal: "such as …", or, for one, "the nearest one it was trained on
// is …".
func suchAs(examples []string) string {
	if len(examples) == 1 {
		return fmt.Sprintf("the nearest one it was trained on is %q", examples[0])
	}
	return "such as " + quoted(examples)
}

// suggestions are the trained instructions an error about instruction
// offers: the wording nearest to it (Nearest, its misspelt words corrected
// first: "remove teh backround" → "remove background", "make it purple
// with sparkles" → "make it purple") when one shares a content word with
// it, else the first instruction of each family b offers (they were the
// first four, three of them skin tones, whatever was typed).
func suggestions(b *bundle.Bundle, instruction string) []string {
	text := instruction
	if b.Prompt != nil {
		if fixed, ok := b.Prompt.Corrected(instruction); ok {
			text = fixed
		}
	}
	if near, _, ok := Nearest(text); ok {
		return []string{near} // exact too: the corrected words are a trained wording ("mirorr it")
	}
	offered := Instructions()
	if in := b.Model.Config.Tessera; in != nil && in.Edit != nil && len(in.Edit.Instructions) > 0 {
		offered = in.Edit.Instructions
	}
	var out []string
	seen := map[Family]bool{}
	for _, w := range offered {
		if f, _, ok := Parse(w); ok && !seen[f] {
			seen[f], out = true, append(out, w)
		}
	}
	if len(out) == 0 {
		out = offered[:min(len(offered), 4)]
	}
	return out
}

// Nearest returns the trained wording (AllWordings) nearest to
// instruction, as words: the one sharing the largest part of their content
// words (Jaccard index; "make", "it", "the", "a", "an", "to" and "of"
// count for nothing, so "make it pink" shares nothing with "make it red"),
// the first such; exact is whether instruction is that wording, and ok
// whether any shares a content word. An instruction of known words that
// was never trained ("mirror the background", "in the twemoji look") gets
// one the user may have meant ("mirror it", "in the twemoji style").
func Nearest(instruction string) (wording string, exact, ok bool) {
	all := prompt.Split(instruction)
	want := contentWords(all)
	best := 0.0
	for _, w := range AllWordings() {
		ws := prompt.Split(w)
		if slices.Equal(ws, all) {
			return w, true, true
		}
		ws = contentWords(ws)
		common := 0
		for _, x := range ws {
			if slices.Contains(want, x) {
				common++
			}
		}
		if score := float64(common) / float64(len(want)+len(ws)-common); common > 0 && score > best {
			wording, best = w, score
		}
	}
	return wording, false, wording != ""
}

// functionWords names, for messages, the words of the instructions'
// wordings that join them and name nothing to change (contentWords leaves
// them out).
const functionWords = `"make", "it", "the", "a", "an", "to" and "of"`

// contentWords is words without the function words of the instructions'
// wordings (functionWords).
func contentWords(words []string) []string {
	var out []string
	for _, w := range words {
		switch w {
		case "make", "it", "the", "a", "an", "to", "of":
		default:
			out = append(out, w)
		}
	}
	return out
}

// quoted is words quoted and joined with commas.
func quoted(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = strconv.Quote(w)
	}
	return strings.Join(q, ", ")
}

// Parse returns the family and target of an instruction worded as the
// edit models are trained (AllWordings; any case and spacing, and a full
// stop or other mark at the end): "Remove the background." → (Background,
// ""), "in the twemoji style" → (Style, "twitter"). ok is false for other
// wordings, which a model may still follow in part.
func Parse(instruction string) (f Family, target string, ok bool) {
	want := strings.Join(strings.Fields(strings.ToLower(strings.TrimRightFunc(instruction, func(r rune) bool {
		return unicode.IsPunct(r) || unicode.IsSpace(r)
	}))), " ")
	for _, fam := range Families() {
		for _, t := range targets(fam) {
			if slices.Contains(Wordings(fam, t), want) {
				return fam, t, true
			}
		}
	}
	return "", "", false
}
