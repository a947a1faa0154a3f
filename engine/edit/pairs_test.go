package edit

import (
	"image/color"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/prompt"
)

// testSamples mimics data.Emoji: captions "name [tone] style words", Key
// the base emoji, a distinct 8×8 picture each.
func testSamples() ([]data.Sample, []data.GenderSet) {
	type e struct{ key, name, tone, style string }
	var es []e
	for _, st := range []string{"google", "twitter"} {
		for _, tone := range []string{"", "light skin tone", "dark skin tone"} {
			es = append(es, e{"1F44B", "waving hand", tone, st})
		}
	}
	for _, g := range []struct{ key, name string }{{"1F3C3", "runner"}, {"1F3C3-200D-2642-FE0F", "man running"}, {"1F3C3-200D-2640-FE0F", "woman running"}} {
		for _, tone := range []string{"", "light skin tone"} {
			es = append(es, e{g.key, g.name, tone, "google"})
		}
	}
	for _, st := range []string{"google", "twitter", "openmoji"} {
		es = append(es, e{"1F600", "grinning face", "", st})
	}
	es = append(es, e{"1F91D", "handshake", "light skin tone dark skin tone", "google"})
	var out []data.Sample
	for i, x := range es {
		c := color.NRGBA{uint8(40 + 9*i), uint8(200 - 7*i), uint8(13 * i), 255}
		img := picture(8, 2, 6, -1, c)
		cap := strings.Join(strings.Fields(x.name+" "+x.tone+" "+data.StyleWords(x.style)), " ")
		out = append(out, data.Sample{Caption: cap, Key: x.key, Style: x.style, Image: img})
	}
	genders := []data.GenderSet{{Person: "1F3C3", Man: "1F3C3-200D-2642-FE0F", Woman: "1F3C3-200D-2640-FE0F"}}
	return out, genders
}

func TestPairsAreExact(t *testing.T) {
	samples, genders := testSamples()
	set, err := Pairs(samples, Spec{Size: 8, HeldOut: -1, MaxPerFamily: -1, Genders: genders})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Val) != 0 {
		t.Fatalf("%d held-out pairs with nothing held out", len(set.Val))
	}
	train, _ := set.Counts()
	want := map[Family]int{Background: 16, SkinTone: 18, Style: 12, Gender: 12, Mirror: 16, Gray: 16, Invert: 16, Recolor: 64}
	if !reflect.DeepEqual(train, want) {
		t.Fatalf("pairs per family %v, want %v", train, want)
	}
	parse := func(i int) (string, string) {
		_, tone, _ := data.SplitEmojiCaption(samples[i].Caption, samples[i].Style)
		return samples[i].Key, tone
	}
	for _, p := range set.Train {
		if !slices.Contains(Wordings(p.Family, p.Target), p.Instruction) {
			t.Fatalf("%s pair: instruction %q is not a wording of %q", p.Family, p.Instruction, p.Target)
		}
		src, dst := set.Make(p)
		sk, stone := parse(p.Source)
		switch p.Family {
		case SkinTone:
			dk, dtone := parse(p.Dest)
			if dk != sk || samples[p.Dest].Style != samples[p.Source].Style || toneTarget(dtone) != p.Target || dtone == stone {
				t.Fatalf("skin tone pair %q → %q for %q", samples[p.Source].Caption, samples[p.Dest].Caption, p.Instruction)
			}
		case Style:
			dk, dtone := parse(p.Dest)
			if dk != sk || dtone != stone || samples[p.Dest].Style != p.Target || p.Target == samples[p.Source].Style {
				t.Fatalf("style pair %q → %q for %q", samples[p.Source].Caption, samples[p.Dest].Caption, p.Instruction)
			}
		case Gender:
			dk, dtone := parse(p.Dest)
			g := map[string]string{genders[0].Person: "person", genders[0].Man: "man", genders[0].Woman: "woman"}
			if g[dk] != p.Target || dk == sk || dtone != stone || samples[p.Dest].Style != samples[p.Source].Style {
				t.Fatalf("gender pair %q → %q for %q", samples[p.Source].Caption, samples[p.Dest].Caption, p.Instruction)
			}
		case Background:
			if dst != set.Images[p.Source] || same(src, dst) {
				t.Fatalf("background pair of %q: the target is not the emoji on white, or the source has no background", samples[p.Source].Caption)
			}
		case Mirror:
			if !same(dst, MirrorImage(src)) {
				t.Fatal("mirror target")
			}
		case Recolor:
			if !same(dst, RecolorImage(src, colorHue(p.Target))) {
				t.Fatal("recolour target")
			}
		}
		if p.Dest >= 0 && dst != set.Images[p.Dest] {
			t.Fatalf("%s pair: target is not the dataset image", p.Family)
		}
	}
	// The handshake of two tones is a source of pixel families only.
	for _, p := range set.Train {
		if samples[p.Source].Key == "1F91D" && (p.Family == SkinTone || p.Family == Style || p.Family == Gender) {
			t.Fatalf("%s pair from a two-tone caption", p.Family)
		}
	}
}

func TestPairsSplitAndCap(t *testing.T) {
	samples, genders := testSamples()
	spec := Spec{Size: 8, HeldOut: 0.3, Seed: 5, MaxPerFamily: -1, Genders: genders}
	set, err := Pairs(samples, spec)
	if err != nil {
		t.Fatal(err)
	}
	held := 0
	for _, h := range set.HeldOut {
		if h {
			held++
		}
	}
	if held == 0 || held == len(samples) {
		t.Fatalf("%d of %d images held out", held, len(samples))
	}
	for _, p := range set.Train {
		if set.HeldOut[p.Source] || p.Dest >= 0 && set.HeldOut[p.Dest] || p.Family == Background && p.Backdrop == BlurredCrop && set.HeldOut[p.Other] {
			t.Fatalf("training %s pair touches a held-out image", p.Family)
		}
	}
	if len(set.Val) == 0 {
		t.Fatal("no held-out pairs")
	}
	for _, p := range set.Val {
		if !set.HeldOut[p.Source] {
			t.Fatalf("held-out %s pair from a training source", p.Family)
		}
	}
	again, err := Pairs(samples, spec)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(set.Train, again.Train) || !reflect.DeepEqual(set.Val, again.Val) {
		t.Fatal("the same spec gave other pairs")
	}
	spec.MaxPerFamily = 3
	capped, err := Pairs(samples, spec)
	if err != nil {
		t.Fatal(err)
	}
	train, _ := capped.Counts()
	for f, n := range train {
		if n > 3 || capped.Available[f] != set.Available[f] {
			t.Fatalf("%s: %d training pairs under a cap of 3 (available %d)", f, n, capped.Available[f])
		}
	}
	if _, err := Pairs(nil, spec); err == nil {
		t.Fatal("no samples: no error")
	}
	if _, err := Pairs(samples, Spec{Families: []Family{"sepia"}}); err == nil {
		t.Fatal("unknown family: no error")
	}
}

func TestInstructions(t *testing.T) {
	vocab := Vocabulary()
	tok, err := prompt.New(vocab, MaxWords(), 16)
	if err != nil {
		t.Fatal(err)
	}
	owner := map[string]string{}
	for _, f := range Families() {
		for _, tg := range targets(f) {
			ws := Wordings(f, tg)
			if len(ws) < 3 {
				t.Errorf("%s %q: only %d wordings", f, tg, len(ws))
			}
			for _, w := range ws {
				enc := tok.Encode(w)
				if len(enc.Unknown) > 0 || len(enc.Cut) > 0 {
					t.Fatalf("%q: unknown %v cut %v", w, enc.Unknown, enc.Cut)
				}
				key := strings.Join(prompt.Split(w), " ")
				if o, dup := owner[key]; dup && o != string(f)+"/"+tg {
					t.Errorf("%q means both %s and %s/%s", w, o, f, tg)
				}
				owner[key] = string(f) + "/" + tg
			}
		}
	}
	in := Instructions()
	if len(in) != 1+6+6+3+1+1+1+4 || in[0] != "remove the background" || !slices.Contains(in, "in the twitter style") || !slices.Contains(in, "make it purple") {
		t.Fatalf("instructions %q", in)
	}
	if MaxWords() > 16 {
		t.Fatalf("instructions of %d words", MaxWords())
	}
}
