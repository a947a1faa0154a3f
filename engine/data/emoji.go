package data

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// DefaultEmojiCache is where `make data` puts the emoji tarballs:
// $XDG_CACHE_HOME/tessera/emoji, or ~/.cache/tessera/emoji.
func DefaultEmojiCache() (string, error) {
	dir, err := os.UserCacheDir()
	if x := os.Getenv("XDG_CACHE_HOME"); err != nil && x != "" && !filepath.IsAbs(x) {
		// A relative $XDG_CACHE_HOME is to be ignored (the XDG base
		// directory spec), as make data ignores it: ~/.cache.
		var home string
		if home, err = os.UserHomeDir(); err == nil {
			dir = filepath.Join(home, ".cache")
		}
	}
	if err != nil {
		return "", fmt.Errorf("emoji cache: %w", err)
	}
	return filepath.Join(dir, "tessera", "emoji"), nil
}

// EmojiPresent says why Emoji would not find the emoji data in cacheDir
// (DefaultEmojiCache when empty): an error wrapping ErrNotFound that says
// how to fetch it, or nil. It only looks for the files (the tarballs, the
// rasterised styles, emojibase's labels), without reading them, so that a
// caller can ask before a run needs them.
func EmojiPresent(cacheDir string) error {
	if cacheDir == "" {
		var err error
		if cacheDir, err = DefaultEmojiCache(); err != nil {
			return err
		}
	}
	var pngs []string
	for _, s := range EmojiStyles() {
		if !rasterStyle(s) {
			pngs = append(pngs, s)
		}
	}
	if _, _, err := findEmojiTarballs(cacheDir, pngs); err != nil {
		return err
	}
	for _, s := range EmojiStyles() {
		if rasterStyle(s) {
			if err := rasterMissing(cacheDir, s); err != nil {
				return err
			}
		}
	}
	if eb := filepath.Join(cacheDir, emojibaseTarball); !fileExists(eb) {
		return fmt.Errorf("emoji labels not found in %s: %s: %w", eb, fetchHint(cacheDir), ErrNotFound)
	}
	return nil
}

// Emoji loads the emoji artwork of the given styles (all of EmojiStyles when
// none are given) from what scripts/fetch-emoji.sh saved in cacheDir: the
// npm tarballs emoji-datasource-VERSION.tgz (emoji.json) and
// emoji-datasource-{google,twitter}-VERSION.tgz (64×64 PNGs, read in place;
// the newest version with every tarball asked for is used), the 64×64 rasters
// of the SVG styles under raster64/, and emojibase-data's CLDR labels (needed
// for the Fluent styles, whose files are named by label). An empty cacheDir
// means DefaultEmojiCache. A style that is not there is an error wrapping
// ErrNotFound.
//
// Each emoji gives one sample per style with artwork, and so does each skin
// tone variation. Captions are the lower-cased Unicode name, the skin tone if
// any, and the style words: "smiling face with sunglasses google",
// "father christmas medium-dark skin tone fluent modern". Key is the base
// emoji's unified code, so every style and tone of one emoji shares it.
// Report.Styles counts per style the images matched to emoji.json and the
// style's files left out.
func Emoji(ctx context.Context, cacheDir string, styles ...string) ([]Sample, Report, error) {
	var rep Report
	if cacheDir == "" {
		dir, err := DefaultEmojiCache()
		if err != nil {
			return nil, rep, err
		}
		cacheDir = dir
	}
	if len(styles) == 0 {
		styles = EmojiStyles()
	}
	var pngs []string
	needLabels := false
	for _, s := range styles {
		switch {
		case !slices.Contains(EmojiStyles(), s):
			return nil, rep, fmt.Errorf("emoji: unknown style %q (want one of %s)", s, strings.Join(EmojiStyles(), ", "))
		case strings.HasPrefix(s, "fluent-"):
			needLabels = true
		case !rasterStyle(s):
			pngs = append(pngs, s)
		}
	}
	meta, vendors, err := findEmojiTarballs(cacheDir, pngs)
	if err != nil {
		return nil, rep, err
	}
	entries, err := readEmojiJSON(ctx, meta)
	if err != nil {
		return nil, rep, err
	}
	src := emojiSources{styles: styles, rasters: map[string]*rasterIndex{}}
	if eb := filepath.Join(cacheDir, emojibaseTarball); needLabels || fileExists(eb) {
		if src.labels, err = cldrLabels(ctx, eb); err != nil {
			if !fileExists(eb) {
				err = fmt.Errorf("%w: %s: %w", err, fetchHint(cacheDir), ErrNotFound)
			}
			return nil, rep, err
		}
	}
	for _, s := range styles {
		if rasterStyle(s) {
			if src.rasters[s], err = newRasterIndex(cacheDir, s, src.labels); err != nil {
				return nil, rep, err
			}
		}
	}
	plans := planEmoji(entries, src, &rep)
	raw, err := readEmojiImages(ctx, plans, vendors)
	if err != nil {
		return nil, rep, err
	}
	decoded := make([]Sample, len(plans))
	failed := make([]error, len(plans))
	err = parallel(ctx, len(plans), func(i int) {
		if plans[i].path != "" {
			raw[i], failed[i] = os.ReadFile(plans[i].path)
		}
		if raw[i] == nil || failed[i] != nil {
			return
		}
		img, err := png.Decode(bytes.NewReader(raw[i]))
		if err != nil {
			failed[i] = err
			return
		}
		decoded[i] = plans[i].sample
		decoded[i].Image = opaque(img)
	})
	if err != nil {
		return nil, rep, fmt.Errorf("emoji: %w", err)
	}
	rep.Styles = map[string]StyleCount{}
	samples := make([]Sample, 0, len(plans))
	for i, p := range plans {
		where := p.file
		if p.path != "" {
			where = p.path
		}
		switch {
		case failed[i] != nil:
			rep.skip("emoji %q: %s: %v", p.sample.Caption, where, failed[i])
		case raw[i] == nil:
			rep.skip("emoji %q: %s not in %s tarball", p.sample.Caption, p.file, p.sample.Style)
		default:
			samples = append(samples, decoded[i])
			c := rep.Styles[p.sample.Style]
			c.Matched++
			rep.Styles[p.sample.Style] = c
		}
	}
	for s, ix := range src.rasters {
		c := rep.Styles[s]
		c.Unmatched = ix.unmatched()
		rep.Styles[s] = c
	}
	rep.Loaded = len(samples)
	return samples, rep, nil
}

// fileExists reports whether path names an existing file.
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// findEmojiTarballs finds the newest emoji-datasource version in dir with
// the metadata tarball and one tarball per PNG style asked for.
func findEmojiTarballs(dir string, styles []string) (meta string, vendors map[string]string, err error) {
	const prefix = "emoji-datasource-"
	missing := fmt.Errorf("emoji data not found in %s: %s: %w", dir, fetchHint(dir), ErrNotFound)
	names, err := filepath.Glob(filepath.Join(dir, prefix+"*.tgz"))
	if err != nil {
		return "", nil, fmt.Errorf("emoji data in %s: %w", dir, err)
	}
	var versions []string
	for _, n := range names {
		v := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(n), prefix), ".tgz")
		if v != "" && v[0] >= '0' && v[0] <= '9' {
			versions = append(versions, v)
		}
	}
	slices.SortFunc(versions, func(a, b string) int { return -compareVersions(a, b) })
	for _, v := range versions {
		vendors = map[string]string{}
		for _, style := range styles {
			p := filepath.Join(dir, prefix+style+"-"+v+".tgz")
			if _, err := os.Stat(p); err == nil {
				vendors[style] = p
			}
		}
		if len(vendors) == len(styles) {
			return filepath.Join(dir, prefix+v+".tgz"), vendors, nil
		}
	}
	return "", nil, missing
}

// compareVersions orders dotted versions numerically where the parts are
// numbers ("15.1.2" < "16.0.0"), and as text otherwise.
func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := range min(len(pa), len(pb)) {
		na, ea := strconv.Atoi(pa[i])
		nb, eb := strconv.Atoi(pb[i])
		if ea == nil && eb == nil {
			if c := cmp.Compare(na, nb); c != 0 {
				return c
			}
			continue
		}
		if c := strings.Compare(pa[i], pb[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(pa), len(pb))
}

// emojiEntries reads emoji.json from the metadata tarball in cacheDir
// ("": DefaultEmojiCache), without the artwork.
func emojiEntries(ctx context.Context, cacheDir string) ([]emojiEntry, error) {
	if cacheDir == "" {
		dir, err := DefaultEmojiCache()
		if err != nil {
			return nil, err
		}
		cacheDir = dir
	}
	meta, _, err := findEmojiTarballs(cacheDir, nil)
	if err != nil {
		return nil, err
	}
	return readEmojiJSON(ctx, meta)
}

// readEmojiJSON reads package/emoji.json from the metadata tarball.
func readEmojiJSON(ctx context.Context, path string) ([]emojiEntry, error) {
	var entries []emojiEntry
	if err := readTarJSON(ctx, path, "package/emoji.json", &entries); err != nil {
		return nil, fmt.Errorf("emoji metadata: %w", err)
	}
	return entries, nil
}

// readTarJSON decodes the JSON member of a gzipped tarball into v; a
// missing member is an error.
func readTarJSON(ctx context.Context, path, member string, v any) error {
	found := false
	err := walkTarGz(ctx, path, func(name string, size int64, r io.Reader) (bool, error) {
		if name != member {
			return false, nil
		}
		buf, err := readMember(size, r)
		if err != nil {
			return false, err
		}
		if err := json.Unmarshal(buf, v); err != nil {
			return false, fmt.Errorf("parse %s: %w", member, err)
		}
		found = true
		return true, nil
	})
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("no %s in %s", member, path)
	}
	return nil
}

// readEmojiImages reads the PNG bytes each plan needs, one goroutine per
// vendor tarball; raw[i] stays nil when plan i's image is not there. Reading
// stops as soon as a tarball has given every image it is asked for.
func readEmojiImages(ctx context.Context, plans []emojiPlan, vendors map[string]string) ([][]byte, error) {
	raw := make([][]byte, len(plans))
	wanted := map[string]map[string][]int{} // style -> tar path -> plan indices
	for i, p := range plans {
		if p.file == "" {
			continue
		}
		style := p.sample.Style
		if wanted[style] == nil {
			wanted[style] = map[string][]int{}
		}
		path := imagePath(style, p.file)
		wanted[style][path] = append(wanted[style][path], i)
	}
	var wg sync.WaitGroup
	styles := pngStyles()
	errs := make([]error, len(styles))
	for si, style := range styles {
		want := wanted[style]
		if len(want) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			left := len(want)
			errs[si] = walkTarGz(ctx, vendors[style], func(name string, size int64, r io.Reader) (bool, error) {
				idx, ok := want[name]
				if !ok {
					return false, nil
				}
				buf, err := readMember(size, r)
				if err != nil {
					return false, err
				}
				for _, i := range idx {
					raw[i] = buf
				}
				delete(want, name) // a duplicated member is read once
				left--
				return left == 0, nil
			})
		}()
	}
	wg.Wait()
	for si, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("emoji %s images: %w", styles[si], err)
		}
	}
	return raw, nil
}
