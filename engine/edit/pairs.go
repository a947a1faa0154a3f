package edit

import (
	"fmt"
	"hash/fnv"
	"image"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"

	"github.com/nfnt/resize"

	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/par"
)

// Defaults of Spec.
const (
	DefaultSize         = 64
	DefaultHeldOut      = 0.03
	DefaultMaxPerFamily = 6000
	DefaultValPerFamily = 32
)

// Spec says which pairs to make from the emoji data and how to hold some out.
type Spec struct {
	// Size is the side of the images in pixels (0: DefaultSize); samples of
	// another size are resized (Lanczos).
	Size int
	// HeldOut is the fraction of source images held out for evaluation
	// (data.SplitImages by Key and caption; 0: DefaultHeldOut; < 0: none).
	HeldOut float64
	// Seed drives the split, the wordings, the backgrounds and the order of
	// the pairs (0: 1). The same samples and Spec give the same pairs.
	Seed uint64
	// MaxPerFamily caps the training pairs of each family, drawn at random
	// from all there are (0: DefaultMaxPerFamily; < 0: no cap).
	MaxPerFamily int
	// Backgrounds is how many backgrounds each source image gets in the
	// background family (0: 1).
	Backgrounds int
	// Families are the families to make (nil: all).
	Families []Family
	// Genders pairs person/man/woman emoji (data.EmojiGenders); without
	// them there are no gender pairs.
	Genders []data.GenderSet
}

// withDefaults fills Spec's zero values.
func (s Spec) withDefaults() Spec {
	if s.Size <= 0 {
		s.Size = DefaultSize
	}
	if s.HeldOut == 0 {
		s.HeldOut = DefaultHeldOut
	} else if s.HeldOut < 0 {
		s.HeldOut = 0
	}
	if s.Seed == 0 {
		s.Seed = 1
	}
	if s.MaxPerFamily == 0 {
		s.MaxPerFamily = DefaultMaxPerFamily
	}
	if s.Backgrounds <= 0 {
		s.Backgrounds = 1
	}
	if s.Families == nil {
		s.Families = Families()
	}
	return s
}

// Pair is one edit, as a recipe over a Set's samples (images are made on
// demand by Set.Images, so a set of 100k pairs is small).
type Pair struct {
	Family      Family
	Instruction string
	// Target is what the instruction asks for: a tone word ("medium-dark",
	// or NoTone), a style (data.EmojiStyles), "woman"/"man"/"person" or a
	// colour name; "" for the families without one.
	Target string
	// Source is the index in Set.Samples of the source image (for
	// Background: of the emoji the background goes behind).
	Source int
	// Dest is the index in Set.Samples of the exact target image (skin
	// tone, style, gender and background), or −1 where the target is
	// computed from the source (mirror, black and white, invert, recolour).
	Dest int
	// Backdrop, BackdropSeed and Other make a Background pair's background
	// (MakeBackground; Other is the sample a BlurredCrop is cut from).
	Backdrop     BackgroundKind
	BackdropSeed uint64
	Other        int
}

// Set is the pairs made from a dataset.
type Set struct {
	Spec    Spec
	Samples []data.Sample
	// Images are the samples' images at Spec.Size × Spec.Size.
	Images []*image.NRGBA
	// HeldOut marks the samples held out of training: a Val pair's source
	// is one; a Train pair touches none.
	HeldOut []bool
	// Train and Val are the pairs, each family in a random order; Train is
	// capped at Spec.MaxPerFamily per family, Val is not.
	Train, Val []Pair
	// Available counts each family's training pairs before the cap.
	Available map[Family]int
}

// Pairs makes the edit pairs of samples (data.Emoji's, any styles): see
// Family for what each family pairs. Samples whose captions do not parse
// (data.SplitEmojiCaption: two skin tones) are sources only of the pixel
// families and of background removal. Errors: no samples, or images that
// are empty.
func Pairs(samples []data.Sample, spec Spec) (*Set, error) {
	spec = spec.withDefaults()
	if len(samples) == 0 {
		return nil, fmt.Errorf("edit pairs: no samples")
	}
	for _, f := range spec.Families {
		if !slices.Contains(Families(), f) {
			return nil, fmt.Errorf("edit pairs: unknown family %q", f)
		}
	}
	set := &Set{Spec: spec, Samples: samples, Available: map[Family]int{}}
	var err error
	if set.Images, err = resizeAll(samples, spec.Size); err != nil {
		return nil, fmt.Errorf("edit pairs: %w", err)
	}
	set.HeldOut = heldOut(samples, spec.HeldOut, spec.Seed)

	ix := newIndex(samples)
	byFamily := map[Family][]Pair{}
	for _, f := range spec.Families {
		r := rand.New(rand.NewPCG(spec.Seed, familySeed(f)))
		byFamily[f] = set.enumerate(f, ix, r)
	}
	for _, f := range spec.Families {
		r := rand.New(rand.NewPCG(spec.Seed, familySeed(f)^0x5eed))
		var tr, va []Pair
		for _, p := range byFamily[f] {
			switch {
			case set.HeldOut[p.Source]:
				va = append(va, p)
			case !set.touchesHeldOut(p):
				tr = append(tr, p)
			}
		}
		r.Shuffle(len(tr), func(i, j int) { tr[i], tr[j] = tr[j], tr[i] })
		r.Shuffle(len(va), func(i, j int) { va[i], va[j] = va[j], va[i] })
		set.Available[f] = len(tr)
		if spec.MaxPerFamily > 0 && len(tr) > spec.MaxPerFamily {
			tr = tr[:spec.MaxPerFamily]
		}
		set.Train = append(set.Train, tr...)
		set.Val = append(set.Val, va...)
	}
	return set, nil
}

// touchesHeldOut reports whether a pair's target or backdrop uses a
// held-out image.
func (s *Set) touchesHeldOut(p Pair) bool {
	return p.Dest >= 0 && s.HeldOut[p.Dest] || p.Family == Background && p.Backdrop == BlurredCrop && s.HeldOut[p.Other]
}

// Counts returns, per family, the training and held-out pairs of the set.
func (s *Set) Counts() (train, val map[Family]int) {
	train, val = map[Family]int{}, map[Family]int{}
	for _, p := range s.Train {
		train[p.Family]++
	}
	for _, p := range s.Val {
		val[p.Family]++
	}
	return train, val
}

// Make makes a pair's source and exact target images.
func (s *Set) Make(p Pair) (src, dst *image.NRGBA) {
	img := s.Images[p.Source]
	switch p.Family {
	case Background:
		w, h := img.Rect.Dx(), img.Rect.Dy()
		bg := MakeBackground(p.Backdrop, w, h, rand.New(rand.NewPCG(p.BackdropSeed, 0xbac)), s.Images[p.Other])
		return OverBackground(img, bg), img
	case Mirror:
		return img, MirrorImage(img)
	case Gray:
		return img, GrayImage(img)
	case Invert:
		return img, InvertImage(img)
	case Recolor:
		return img, RecolorImage(img, colorHue(p.Target))
	}
	return img, s.Images[p.Dest]
}

// colorHue is the hue of a colour of Colors (0 for an unknown name).
func colorHue(name string) float64 {
	for _, c := range Colors {
		if c.Name == name {
			return c.Hue
		}
	}
	return 0
}

// index finds samples by (Key, tone, style).
type index struct {
	tone []string // per sample: its skin tone ("" none)
	ok   []bool   // per sample: the caption parsed (one tone at most)
	at   map[string]int
}

func indexKey(key, tone, style string) string { return key + "|" + tone + "|" + style }

func newIndex(samples []data.Sample) *index {
	ix := &index{tone: make([]string, len(samples)), ok: make([]bool, len(samples)), at: map[string]int{}}
	for i, s := range samples {
		_, tone, ok := data.SplitEmojiCaption(s.Caption, s.Style)
		ix.tone[i], ix.ok[i] = tone, ok
		if !ok {
			continue
		}
		if _, dup := ix.at[indexKey(s.Key, tone, s.Style)]; !dup {
			ix.at[indexKey(s.Key, tone, s.Style)] = i
		}
	}
	return ix
}

// find returns the sample of (key, tone, style), or −1.
func (ix *index) find(key, tone, style string) int {
	if i, ok := ix.at[indexKey(key, tone, style)]; ok {
		return i
	}
	return -1
}

// genders are the person, man and woman words in GenderSet order.
var genders = [3]string{"person", "man", "woman"}

// enumerate lists every pair of family f, each with a wording drawn from r.
func (s *Set) enumerate(f Family, ix *index, r *rand.Rand) []Pair {
	var out []Pair
	add := func(p Pair) {
		p.Family = f
		p.Instruction = Phrase(f, p.Target, r)
		out = append(out, p)
	}
	switch f {
	case Background:
		var trainIdx, all []int
		for i := range s.Samples {
			all = append(all, i)
			if !s.HeldOut[i] {
				trainIdx = append(trainIdx, i)
			}
		}
		for i := range s.Samples {
			pool := all
			if !s.HeldOut[i] && len(trainIdx) > 1 {
				pool = trainIdx
			}
			for k := 0; k < s.Spec.Backgrounds; k++ {
				other := pool[r.IntN(len(pool))]
				add(Pair{Source: i, Dest: i, Backdrop: BackgroundKind(r.IntN(int(numBackgrounds))), BackdropSeed: r.Uint64(), Other: other})
			}
		}
	case SkinTone:
		tones := append(data.SkinTones(), "")
		for i, smp := range s.Samples {
			if !ix.ok[i] {
				continue
			}
			for _, t := range tones {
				if t == ix.tone[i] {
					continue
				}
				if j := ix.find(smp.Key, t, smp.Style); j >= 0 {
					add(Pair{Source: i, Dest: j, Target: toneTarget(t)})
				}
			}
		}
	case Style:
		for i, smp := range s.Samples {
			if !ix.ok[i] {
				continue
			}
			for _, st := range data.EmojiStyles() {
				if st == smp.Style {
					continue
				}
				if j := ix.find(smp.Key, ix.tone[i], st); j >= 0 {
					add(Pair{Source: i, Dest: j, Target: st})
				}
			}
		}
	case Gender:
		where := map[string][2]int{} // Key → (gender set, 0 person 1 man 2 woman)
		for si, g := range s.Spec.Genders {
			for gi, k := range [3]string{g.Person, g.Man, g.Woman} {
				if _, seen := where[k]; k != "" && !seen {
					where[k] = [2]int{si, gi}
				}
			}
		}
		for i, smp := range s.Samples {
			w, ok := where[smp.Key]
			if !ix.ok[i] || !ok {
				continue
			}
			g := s.Spec.Genders[w[0]]
			for gi, k := range [3]string{g.Person, g.Man, g.Woman} {
				if gi == w[1] || k == "" {
					continue
				}
				if j := ix.find(k, ix.tone[i], smp.Style); j >= 0 {
					add(Pair{Source: i, Dest: j, Target: genders[gi]})
				}
			}
		}
	case Mirror, Gray, Invert:
		for i := range s.Samples {
			add(Pair{Source: i, Dest: -1})
		}
	case Recolor:
		for i := range s.Samples {
			for _, c := range Colors {
				add(Pair{Source: i, Dest: -1, Target: c.Name})
			}
		}
	}
	return out
}

// toneTarget is the instruction target of a caption tone: "medium-dark
// skin tone" → "medium-dark", "" → NoTone.
func toneTarget(tone string) string {
	if tone == "" {
		return NoTone
	}
	return strings.TrimSuffix(tone, " skin tone")
}

// familySeed is a per-family stream for the pair generator's PCG.
func familySeed(f Family) uint64 {
	h := fnv.New64a()
	h.Write([]byte(f))
	return h.Sum64()
}

// heldOut marks the samples data.SplitImages holds out.
func heldOut(samples []data.Sample, fraction float64, seed uint64) []bool {
	out := make([]bool, len(samples))
	if fraction <= 0 {
		return out
	}
	_, val := data.SplitImages(samples, fraction, seed)
	held := map[*image.NRGBA]bool{}
	for _, s := range val {
		held[s.Image] = true
	}
	for i, s := range samples {
		out[i] = held[s.Image]
	}
	return out
}

// resizeAll returns every sample's image at size×size (Lanczos; images of
// that size are used as they are).
func resizeAll(samples []data.Sample, size int) ([]*image.NRGBA, error) {
	out := make([]*image.NRGBA, len(samples))
	for i, s := range samples {
		if s.Image == nil || s.Image.Rect.Empty() {
			return nil, fmt.Errorf("sample %d (%q) has no image", i, s.Caption)
		}
	}
	par.Each(len(samples), runtime.NumCPU(), func(i int) {
		img := samples[i].Image
		if b := img.Bounds(); b.Dx() == size && b.Dy() == size {
			out[i] = normalized(img)
			return
		}
		out[i] = codebook.Flatten(resize.Resize(uint(size), uint(size), img, resize.Lanczos3))
	})
	return out, nil
}
