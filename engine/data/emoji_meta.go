package data

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// pngStyles are the styles whose 64×64 PNGs come in emoji-datasource
// tarballs (emoji-datasource-STYLE-VERSION.tgz).
func pngStyles() []string { return []string{"google", "twitter"} }

// emojiEntry is the part of emoji-datasource's emoji.json that Emoji reads.
type emojiEntry struct {
	Name           string                    `json:"name"`
	Unified        string                    `json:"unified"`
	ShortNames     []string                  `json:"short_names"`
	Image          string                    `json:"image"`
	HasImgGoogle   bool                      `json:"has_img_google"`
	HasImgTwitter  bool                      `json:"has_img_twitter"`
	SkinVariations map[string]emojiVariation `json:"skin_variations"`
}

// emojiVariation is one skin-tone variation of an emojiEntry.
type emojiVariation struct {
	Unified       string `json:"unified"`
	Image         string `json:"image"`
	HasImgGoogle  bool   `json:"has_img_google"`
	HasImgTwitter bool   `json:"has_img_twitter"`
}

// hasImage reports whether the style's artwork exists, from the has_img_* flags.
func hasImage(style string, google, twitter bool) bool {
	switch style {
	case "google":
		return google
	case "twitter":
		return twitter
	}
	return false
}

// skinTone names the Fitzpatrick modifier code points ("1F3FB": "light
// skin tone"; SkinToneOf).
func skinTone(code string) (string, bool) {
	r, err := strconv.ParseUint(code, 16, 32)
	if err != nil {
		return "", false
	}
	return SkinToneOf(rune(r))
}

// skinToneWords describes a skin_variations key such as "1F3FB" or
// "1F3FB-1F3FD" ("light skin tone medium skin tone"); a repeated tone is said
// once. Unknown codes are left out.
func skinToneWords(key string) string {
	var words []string
	for _, code := range strings.Split(key, "-") {
		if tone, ok := skinTone(code); ok && !slices.Contains(words, tone) {
			words = append(words, tone)
		}
	}
	return strings.Join(words, " ")
}

// captionPunct is punctuation that names carry but captions drop:
// "a button (blood type)" → "a button blood type".
var captionPunct = strings.NewReplacer("(", " ", ")", " ", "“", " ", "”", " ", "\"", " ", "!", " ", "?", " ")

// join joins the non-empty parts with single spaces, dropping captionPunct.
func join(parts ...string) string {
	var kept []string
	for _, p := range parts {
		p = captionPunct.Replace(p)
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, " ")
}

// emojiPlan is one sample to load: its text fields and where its image is.
type emojiPlan struct {
	sample Sample // without Image
	file   string // image file name in a tarball, e.g. "1f60e.png"
	path   string // or the image's path on disk (raster styles)
}

// emojiSources says where planEmoji finds each style's images.
type emojiSources struct {
	styles  []string
	rasters map[string]*rasterIndex // raster styles
	labels  map[string]string       // hexKey → CLDR label; may be nil
}

// planEmoji lists the samples of entries, emoji by emoji: the base image then
// its skin tones in key order, each in every style of src that has artwork.
// Entries with no name, no code or no image name are skipped into rep.
// Captions are the lower-cased Unicode name, the skin tone and the style
// words; Names add each short name and the CLDR label, with the same tone and
// style.
func planEmoji(entries []emojiEntry, src emojiSources, rep *Report) []emojiPlan {
	var plans []emojiPlan
	for i, e := range entries {
		name := strings.ToLower(strings.TrimSpace(e.Name))
		var shorts []string
		for _, s := range e.ShortNames {
			if s = strings.ToLower(join(strings.ReplaceAll(s, "_", " "))); s != "" {
				shorts = append(shorts, s)
			}
		}
		if label := strings.ToLower(src.labels[hexKey(e.Unified)]); label != "" && label != name && !slices.Contains(shorts, label) {
			shorts = append(shorts, label)
		}
		if name == "" && len(shorts) > 0 {
			name = shorts[0]
		}
		if name == "" || e.Unified == "" {
			rep.skip("emoji.json entry %d (%q): no name or unified code", i, e.Unified)
			continue
		}
		hasTones := len(e.SkinVariations) > 0
		add := func(unified, image, toneKey string, google, twitter bool) {
			tone := skinToneWords(toneKey)
			for _, style := range src.styles {
				p := emojiPlan{}
				if ix := src.rasters[style]; ix != nil {
					f := ix.find(e.Unified, unified, toneKey, hasTones)
					if f == "" {
						continue
					}
					p.path = filepath.Join(ix.dir, f+".png")
				} else {
					if !hasImage(style, google, twitter) {
						continue
					}
					if image == "" {
						rep.skip("emoji %s %q %s: no image file name", e.Unified, join(name, tone), style)
						continue
					}
					p.file = image
				}
				words := StyleWords(style)
				names := make([]string, 0, len(shorts))
				for _, s := range shorts {
					names = append(names, join(s, tone, words))
				}
				p.sample = Sample{Caption: join(name, tone, words), Names: names, Key: e.Unified, Style: style}
				plans = append(plans, p)
			}
		}
		add(e.Unified, e.Image, "", e.HasImgGoogle, e.HasImgTwitter)
		keys := make([]string, 0, len(e.SkinVariations))
		for k := range e.SkinVariations {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			v := e.SkinVariations[k]
			add(v.Unified, v.Image, k, v.HasImgGoogle, v.HasImgTwitter)
		}
	}
	return plans
}

// imagePath is the path of a 64×64 artwork inside a vendor tarball.
func imagePath(style, file string) string {
	return fmt.Sprintf("package/img/%s/64/%s", style, file)
}
