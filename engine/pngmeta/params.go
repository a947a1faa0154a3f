// Package pngmeta reads and writes the text metadata of Tessera's PNGs: a
// "parameters" chunk in AUTOMATIC1111's layout, readable by other tools,
// and a "tessera" iTXt chunk holding a JSON Record with the image tokens so
// an image reopens exactly.
package pngmeta

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/tessera-studio/tessera/engine/sampling"
)

// Infotext is the A1111 "infotext": the generation facts written as the
// PNG's "parameters" text (prompt, "Negative prompt:", "Key: value" settings).
type Infotext struct {
	// Settings are the settings line's sampling settings (the optional
	// ones written only when set, guidance min-p also whenever guidance
	// applies: sampling.Spec.Said).
	sampling.Settings
	// Precision is the sampling arithmetic (Record.Precision), written
	// after the sampling settings when set ("Precision: f16").
	Precision        string
	Width, Height    int
	Model, ModelHash string
	Version          string            // e.g. "tessera 0.1.0"
	Extra            map[string]string // other "Key: value" pairs met when parsing (Steps, Sampler, ...)
	// Imported names the file a picture was encoded from when it was not
	// sampled: the settings line then says so in place of a seed and
	// sampling settings, which nothing used.
	Imported string
}

// SetExtra adds the "Key: value" pair k: v to p's settings line (after
// the ones Infotext or parsing put there).
func (p *Infotext) SetExtra(k, v string) {
	if p.Extra == nil {
		p.Extra = map[string]string{}
	}
	p.Extra[k] = v
}

// VersionPrefix starts the Version Tessera writes ("tessera 0.1.0").
const VersionPrefix = "tessera"

// ByTessera reports whether Tessera wrote p (its Version says so): its
// sampling settings are then a Tessera model's, not another tool's.
func (p Infotext) ByTessera() bool { return strings.HasPrefix(p.Version, VersionPrefix) }

// Setting keys of the settings line.
const (
	keySeed        = "Seed"
	keyCFG         = "CFG scale" // A1111's name for guidance
	keySize        = "Size"
	keyModel       = "Model"
	keyModelHash   = "Model hash"
	keyVersion     = "Version"
	keyImported    = "Imported from" // a picture encoded from another file, not sampled
	keyPrecision   = "Precision"     // the sampling arithmetic: f32, f16 or int8
	negativePrefix = "Negative prompt:"
)

// isSettingsKey reports whether k marks a line as the settings line: a key
// Tessera writes or one A1111 always writes.
func isSettingsKey(k string) bool {
	switch k {
	case keySeed, keyCFG, keySize, keyModelHash, keyVersion, keyImported, keyPrecision,
		"Steps", "Sampler", "Schedule type", "Denoising strength", "Clip skip", "VAE", "VAE hash":
		return true
	}
	_, ok := knobOf(k)
	return ok
}

// knobOf is the sampling knob whose settings-line key is k (A1111's "CFG
// scale" is guidance).
func knobOf(k string) (sampling.Spec, bool) {
	if k == keyCFG {
		return sampling.SpecOf(sampling.KnobGuidance)
	}
	for _, sp := range sampling.Knobs() {
		if sp.Infotext == k {
			return sp, true
		}
	}
	return sampling.Spec{}, false
}

// FormatParameters renders p in A1111's layout: the prompt; then a
// "Negative prompt: ..." line if there is one; then one settings line
// "Seed: 7, Temperature: 1.0, Top-k: 0, Top-p: 1.0, Guidance: 1.0,
// Precision: f16, Size: 64x64, Model: emoji, Model hash: 1a2b3c4d,
// Version: tessera 0.1.0" followed by the Extra pairs sorted by key.
// Precision, Size, Model, Model hash and Version are left out when zero or
// empty; Extra keys that cannot be parsed
// back (not matching A1111's key pattern: see validKey) are left out.
// Values holding ',' ':' '"' or a line break, or surrounding spaces, are
// JSON-quoted; a NUL anywhere is written as U+FFFD (PNG text holds none).
func FormatParameters(p Infotext) string {
	var lines []string
	if p.Prompt != "" {
		lines = append(lines, p.Prompt)
	}
	if p.Negative != "" {
		lines = append(lines, negativePrefix+" "+p.Negative)
	}
	var pairs []string
	if p.Imported != "" {
		pairs = append(pairs, keyImported+": "+quote(p.Imported))
	} else {
		pairs = append(pairs, keySeed+": "+strconv.FormatUint(p.Seed, 10))
		for _, sp := range sampling.Knobs() {
			v := sp.Get(p.Settings)
			switch {
			case !sp.Said(p.Settings):
			case sp.Int:
				pairs = append(pairs, sp.Infotext+": "+strconv.Itoa(int(v)))
			default:
				pairs = append(pairs, sp.Infotext+": "+formatFloat(v))
			}
		}
		if p.Precision != "" {
			pairs = append(pairs, keyPrecision+": "+quote(p.Precision))
		}
	}
	if p.Width != 0 || p.Height != 0 {
		pairs = append(pairs, fmt.Sprintf("%s: %dx%d", keySize, p.Width, p.Height))
	}
	for _, kv := range [][2]string{{keyModel, p.Model}, {keyModelHash, p.ModelHash}, {keyVersion, p.Version}} {
		if kv[1] != "" {
			pairs = append(pairs, kv[0]+": "+quote(kv[1]))
		}
	}
	keys := make([]string, 0, len(p.Extra))
	for k := range p.Extra {
		if validKey(k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		pairs = append(pairs, k+": "+quote(p.Extra[k]))
	}
	lines = append(lines, strings.Join(pairs, ", "))
	// A NUL (a prompt read from a crafted record) cannot be written in PNG
	// text: shown as U+FFFD, or tessera branch sampled a whole image and
	// then failed to write it.
	return strings.ReplaceAll(strings.Join(lines, "\n"), "\x00", "\uFFFD")
}

// formatFloat prints f in the shortest form that reads back exactly, with
// at least one decimal (1.0, 0.95).
func formatFloat(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if math.IsInf(f, 0) || math.IsNaN(f) || strings.ContainsAny(s, ".e") {
		return s
	}
	return s + ".0"
}

// quote JSON-quotes v if it would not read back as it is: A1111 quotes
// values holding ',' ':' or a line break; a '"' or surrounding spaces
// need it too.
func quote(v string) string {
	if !strings.ContainsAny(v, ",:\n\r\"") && strings.TrimSpace(v) == v {
		return v
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return strconv.Quote(v) // unreachable: strings always encode
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// validKey reports whether k can be written as a setting key and parsed
// back: A1111's key pattern \w[\w \-/]+ (at least two characters, a
// letter, digit or '_' first, then those, spaces, '-' or '/'), without
// surrounding spaces.
func validKey(k string) bool {
	if len(k) < 2 || strings.TrimSpace(k) != k {
		return false
	}
	for i, r := range k {
		word := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'
		if !word && (i == 0 || r != ' ' && r != '-' && r != '/') {
			return false
		}
	}
	return true
}

// ParseParameters reads an A1111 "parameters" text, as written by
// FormatParameters or by A1111 and the tools that copy its layout (see
// A1111's parse_generation_parameters):
//
//	prompt, any number of lines
//	Negative prompt: negative prompt, any number of lines
//	Key: value, Key: "JSON-quoted value", ...   (the settings line)
//	Key: value                                  (extra lines some extensions add)
//
// Every part may be missing. The settings line is the last line that reads
// as "Key: value" pairs and holds a known key such as Seed or Steps (or,
// as A1111 counts, at least three pairs) and is followed only by blank
// lines or "Key: value" lines; a quoted value may span lines (as wildcard
// prompts write them). Failing that, the last line is read leniently as
// A1111 does, skipping what is not a pair, if it holds three pairs. The
// lines before the settings are the prompt, up to a line starting
// "Negative prompt:", which starts the negative prompt. "CFG scale" is read
// as Guidance. Settings Tessera does not know, known ones whose values do
// not parse, and the extra lines are kept in Extra.
func ParseParameters(s string) Infotext {
	p, _ := ParseParametersSet(s)
	return p
}

// ParseParametersSet is ParseParameters that also says which setting keys
// the text holds (a zero Seed and no Seed are told apart this way).
func ParseParametersSet(s string) (p Infotext, set map[string]bool) {
	set = map[string]bool{}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	head := s
	if at, pairs, extras, ok := findSettings(s); ok {
		head = strings.TrimSuffix(s[:at], "\n")
		for _, kv := range append(pairs, extras...) {
			p.set(kv[0], kv[1])
			set[kv[0]] = true
		}
	}
	var prompt, negative []string
	inNegative := false
	for _, line := range strings.Split(head, "\n") {
		if !inNegative && strings.HasPrefix(line, negativePrefix) {
			inNegative = true
			line = strings.TrimPrefix(strings.TrimPrefix(line, negativePrefix), " ")
		}
		if inNegative {
			negative = append(negative, line)
		} else {
			prompt = append(prompt, line)
		}
	}
	p.Prompt = strings.Join(prompt, "\n")
	p.Negative = strings.Join(negative, "\n")
	return p, set
}

// The settings line is looked for among the last maxSettingsLines lines,
// and may take up to maxSettingsBytes, so that a hostile text cannot make
// parsing quadratic.
const (
	maxSettingsLines = 256
	maxSettingsBytes = 64 << 10
)

// findSettings locates the settings of s (see ParseParameters): at is the
// offset of the settings line, pairs its pairs, extras the "Key: value"
// lines after it.
func findSettings(s string) (at int, pairs, extras [][2]string, ok bool) {
	var starts []int // offset of each line
	for i := 0; i <= len(s); {
		starts = append(starts, i)
		nl := strings.IndexByte(s[i:], '\n')
		if nl < 0 {
			break
		}
		i += nl + 1
	}
	// tailOK[i]: every line from line i on is blank or a "Key: value" line.
	tailOK := make([]bool, len(starts)+1)
	tailOK[len(starts)] = true
	for i := len(starts) - 1; i >= 0; i-- {
		tailOK[i] = tailOK[i+1] && (isBlank(lineAt(s, starts[i])) || extraLine(lineAt(s, starts[i])) != nil)
	}
	for i := len(starts) - 1; i >= max(0, len(starts)-maxSettingsLines); i-- {
		from := s[starts[i]:]
		if len(from) > maxSettingsBytes {
			from = from[:maxSettingsBytes]
		}
		pairs, n, ok := scanSettings(from)
		if !ok || !settingsLike(pairs) || n == maxSettingsBytes && starts[i]+n < len(s) {
			continue
		}
		end := starts[i] + n // the settings end at a line break or the end of s
		next := sort.SearchInts(starts, end+1)
		if end < len(s) && !tailOK[next] {
			continue
		}
		for j := next; j < len(starts) && end < len(s); j++ {
			if kv := extraLine(lineAt(s, starts[j])); kv != nil {
				extras = append(extras, *kv)
			}
		}
		return starts[i], pairs, extras, true
	}
	// A1111's own rule: the last line, if three pairs can be found in it.
	last := len(starts) - 1
	for last > 0 && isBlank(lineAt(s, starts[last])) {
		last--
	}
	if pairs := findPairs(lineAt(s, starts[last])); len(pairs) >= 3 {
		return starts[last], pairs, nil, true
	}
	return 0, nil, nil, false
}

// lineAt returns the line of s starting at offset i, without its break.
func lineAt(s string, i int) string {
	line, _, _ := strings.Cut(s[i:], "\n")
	return line
}

func isBlank(line string) bool { return strings.TrimSpace(line) == "" }

// settingsLike reports whether pairs make a settings line: a key Tessera
// or A1111 always writes, or three pairs (A1111's threshold).
func settingsLike(pairs [][2]string) bool {
	return len(pairs) >= 3 || slices.ContainsFunc(pairs, func(kv [2]string) bool { return isSettingsKey(kv[0]) })
}

// extraLine reads a line "Key: value" that follows the settings line (the
// whole rest of the line is the value, unquoted if it is one JSON string),
// or returns nil.
func extraLine(line string) *[2]string {
	k, v, ok := strings.Cut(line, ":")
	k, v = strings.TrimSpace(k), strings.TrimSpace(v)
	if !ok || !validKey(k) {
		return nil
	}
	if strings.HasPrefix(v, `"`) && quotedEnd(v) == len(v) {
		if u, ok := unquote(v); ok {
			v = u
		}
	}
	return &[2]string{k, v}
}

// scanSettings reads "Key: value" pairs from the start of s up to the
// first line break outside a quoted value, strictly: every part must be a
// pair, a quoted value must be valid JSON (line breaks and tabs may be
// literal) and be followed by ',' or the end, and an unquoted value must
// not hold '"'. n is the length read.
func scanSettings(s string) (pairs [][2]string, n int, ok bool) {
	rest := s
	for {
		rest = strings.TrimLeft(rest, " \t")
		if rest == "" || rest[0] == '\n' {
			break
		}
		colon := strings.IndexAny(rest, ":\n")
		if colon <= 0 || rest[colon] != ':' {
			return nil, 0, false
		}
		key := strings.TrimSpace(rest[:colon])
		if !validKey(key) {
			return nil, 0, false
		}
		rest = strings.TrimLeft(rest[colon+1:], " \t")
		var val string
		if strings.HasPrefix(rest, `"`) {
			end := quotedEnd(rest)
			if end < 0 {
				return nil, 0, false
			}
			if val, ok = unquote(rest[:end]); !ok {
				return nil, 0, false
			}
			rest = strings.TrimLeft(rest[end:], " \t")
			if rest != "" && rest[0] != ',' && rest[0] != '\n' {
				return nil, 0, false
			}
		} else {
			stop := strings.IndexAny(rest, ",\n")
			if stop < 0 {
				stop = len(rest)
			}
			val = strings.TrimSpace(rest[:stop])
			if strings.Contains(val, `"`) {
				return nil, 0, false
			}
			rest = rest[stop:]
		}
		rest = strings.TrimPrefix(rest, ",")
		pairs = append(pairs, [2]string{key, val})
	}
	return pairs, len(s) - len(rest), len(pairs) > 0
}

// reParam is A1111's re_param_code with Python's Unicode \w spelled out:
// a key, ':', then a JSON-quoted value or anything up to a comma.
var reParam = regexp.MustCompile(`\s*([\pL\pN_][\pL\pN_ \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)`)

// findPairs reads a settings line leniently, as A1111's re_param.findall
// does: what does not match is skipped. Values are trimmed and unquoted.
func findPairs(line string) [][2]string {
	var pairs [][2]string
	for _, m := range reParam.FindAllStringSubmatch(line, -1) {
		k, v := strings.TrimSpace(m[1]), strings.TrimSpace(m[2])
		if !validKey(k) {
			continue
		}
		if strings.HasPrefix(v, `"`) && strings.HasSuffix(v, `"`) && len(v) > 1 {
			if u, ok := unquote(v); ok {
				v = u
			}
		}
		pairs = append(pairs, [2]string{k, v})
	}
	return pairs
}

// unquote decodes a JSON string literal, accepting the literal line
// breaks, tabs and other control characters JSON wants escaped (tools
// that write A1111's layout leave them in).
func unquote(q string) (string, bool) {
	if strings.ContainsFunc(q, func(r rune) bool { return r < 0x20 }) {
		var b strings.Builder
		for _, r := range q {
			if r < 0x20 {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
		q = b.String()
	}
	var v string
	if err := json.Unmarshal([]byte(q), &v); err != nil {
		return "", false
	}
	return v, true
}

// setKnob stores a sampling knob's setting.
func (p *Infotext) setKnob(k, v string) error {
	sp, ok := knobOf(k)
	if !ok {
		return fmt.Errorf("unknown key")
	}
	if sp.Int {
		n, err := strconv.Atoi(v)
		sp.Set(&p.Settings, float64(n))
		return err
	}
	f, err := strconv.ParseFloat(v, 64)
	sp.Set(&p.Settings, f)
	return err
}

// set stores one setting, in Extra when the key is unknown or the value
// does not parse.
func (p *Infotext) set(k, v string) {
	var err error
	switch k {
	case keySeed:
		p.Seed, err = strconv.ParseUint(v, 10, 64)
	case keySize:
		err = p.setSize(v)
	case keyModel:
		p.Model = v
	case keyModelHash:
		p.ModelHash = v
	case keyVersion:
		p.Version = v
	case keyImported:
		p.Imported = v
	case keyPrecision:
		p.Precision = v
	default:
		err = p.setKnob(k, v)
	}
	if err != nil {
		if p.Extra == nil {
			p.Extra = map[string]string{}
		}
		p.Extra[k] = v
	}
}

// setSize parses "WxH".
func (p *Infotext) setSize(v string) error {
	ws, hs, ok := strings.Cut(v, "x")
	if !ok {
		return fmt.Errorf("size %q is not WxH", v)
	}
	w, err := strconv.Atoi(strings.TrimSpace(ws))
	if err != nil {
		return err
	}
	h, err := strconv.Atoi(strings.TrimSpace(hs))
	if err != nil {
		return err
	}
	if w < 0 || h < 0 {
		return fmt.Errorf("size %q is negative", v)
	}
	p.Width, p.Height = w, h
	return nil
}

// quotedEnd returns the index just past the JSON string starting s, or -1.
func quotedEnd(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}
