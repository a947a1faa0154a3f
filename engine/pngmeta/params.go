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
	"sort"
	"strconv"
	"strings"
)

// Params are the generation facts shown in A1111's "parameters" text.
type Params struct {
	Prompt, Negative string
	Seed             uint64
	Temperature      float64
	TopK             int
	TopP             float64
	Guidance         float64
	GuidanceMinP     float64 // written only when set
	Width, Height    int
	Model, ModelHash string
	Version          string            // e.g. "tessera 0.1.0"
	Extra            map[string]string // other "Key: value" pairs met when parsing (Steps, Sampler, ...)
}

// Setting keys of the settings line.
const (
	keySeed         = "Seed"
	keyTemperature  = "Temperature"
	keyTopK         = "Top-k"
	keyTopP         = "Top-p"
	keyGuidance     = "Guidance"
	keyCFG          = "CFG scale" // A1111's name for guidance
	keyGuidanceMinP = "Guidance min-p"
	keySize         = "Size"
	keyModel        = "Model"
	keyModelHash    = "Model hash"
	keyVersion      = "Version"
	negativePrefix  = "Negative prompt:"
)

// isSettingsKey reports whether k marks a line as the settings line: a key
// Tessera writes or one A1111 always writes.
func isSettingsKey(k string) bool {
	switch k {
	case keySeed, keyTemperature, keyTopK, keyTopP, keyGuidance, keyCFG, keyGuidanceMinP, keySize, keyModelHash, keyVersion,
		"Steps", "Sampler", "Schedule type", "Denoising strength", "Clip skip", "VAE", "VAE hash":
		return true
	}
	return false
}

// FormatParameters renders p in A1111's layout: the prompt; then a
// "Negative prompt: ..." line if there is one; then one settings line
// "Seed: 7, Temperature: 1.0, Top-k: 0, Top-p: 1.0, Guidance: 1.0,
// Size: 64x64, Model: emoji, Model hash: 1a2b3c4d, Version: tessera 0.1.0"
// followed by the Extra pairs sorted by key. Size, Model, Model hash and
// Version are left out when zero or empty; Extra keys that cannot be parsed back
// (empty, or holding ',' ':' '"' or a line break) are left out. Values
// holding ',' ':' or a line break are JSON-quoted.
func FormatParameters(p Params) string {
	var lines []string
	if p.Prompt != "" {
		lines = append(lines, p.Prompt)
	}
	if p.Negative != "" {
		lines = append(lines, negativePrefix+" "+p.Negative)
	}
	pairs := []string{
		keySeed + ": " + strconv.FormatUint(p.Seed, 10),
		keyTemperature + ": " + formatFloat(p.Temperature),
		keyTopK + ": " + strconv.Itoa(p.TopK),
		keyTopP + ": " + formatFloat(p.TopP),
		keyGuidance + ": " + formatFloat(p.Guidance),
	}
	if p.GuidanceMinP != 0 {
		pairs = append(pairs, keyGuidanceMinP+": "+formatFloat(p.GuidanceMinP))
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
	return strings.Join(lines, "\n")
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

// quote JSON-quotes v if it would not read back as it is.
func quote(v string) string {
	if !strings.ContainsAny(v, ",:\n\r") && !strings.HasPrefix(v, `"`) && strings.TrimSpace(v) == v {
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

// validKey reports whether k can be written as a setting key and parsed back.
func validKey(k string) bool {
	return k != "" && strings.TrimSpace(k) == k && !strings.ContainsAny(k, ",:\"\n\r")
}

// ParseParameters reads an A1111 "parameters" text, as written by
// FormatParameters or by A1111 and tools that copy its layout. The last line
// is the settings line if it parses as "Key: value, ..." pairs and holds a
// known key such as Seed or Steps; the lines before it are the prompt, up to
// a line starting "Negative prompt:", which starts the negative prompt.
// "CFG scale" is read as Guidance. Settings Tessera does not know, and known
// ones whose values do not parse, are kept in Extra.
func ParseParameters(s string) Params {
	var p Params
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(s, "\n")
	if pairs, ok := parseSettings(lines[len(lines)-1]); ok {
		lines = lines[:len(lines)-1]
		for _, kv := range pairs {
			p.set(kv[0], kv[1])
		}
	}
	var prompt, negative []string
	inNegative := false
	for _, line := range lines {
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
	return p
}

// set stores one setting, in Extra when the key is unknown or the value
// does not parse.
func (p *Params) set(k, v string) {
	var err error
	switch k {
	case keySeed:
		p.Seed, err = strconv.ParseUint(v, 10, 64)
	case keyTemperature:
		p.Temperature, err = strconv.ParseFloat(v, 64)
	case keyTopK:
		p.TopK, err = strconv.Atoi(v)
	case keyTopP:
		p.TopP, err = strconv.ParseFloat(v, 64)
	case keyGuidance, keyCFG:
		p.Guidance, err = strconv.ParseFloat(v, 64)
	case keyGuidanceMinP:
		p.GuidanceMinP, err = strconv.ParseFloat(v, 64)
	case keySize:
		err = p.setSize(v)
	case keyModel:
		p.Model = v
	case keyModelHash:
		p.ModelHash = v
	case keyVersion:
		p.Version = v
	default:
		err = fmt.Errorf("unknown key")
	}
	if err != nil {
		if p.Extra == nil {
			p.Extra = map[string]string{}
		}
		p.Extra[k] = v
	}
}

// setSize parses "WxH".
func (p *Params) setSize(v string) error {
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

// parseSettings splits a settings line into key/value pairs. It fails if
// the line does not scan as pairs or holds no known setting key.
func parseSettings(line string) ([][2]string, bool) {
	var pairs [][2]string
	known := false
	rest := line
	for {
		rest = strings.TrimLeft(rest, " \t")
		if rest == "" {
			break
		}
		colon := strings.IndexByte(rest, ':')
		if colon <= 0 {
			return nil, false
		}
		key := strings.TrimSpace(rest[:colon])
		if !validKey(key) {
			return nil, false
		}
		rest = strings.TrimLeft(rest[colon+1:], " \t")
		var val string
		if strings.HasPrefix(rest, `"`) {
			end := quotedEnd(rest)
			if end < 0 || json.Unmarshal([]byte(rest[:end]), &val) != nil {
				return nil, false
			}
			rest = strings.TrimLeft(rest[end:], " \t")
			if rest != "" && rest[0] != ',' {
				return nil, false
			}
		} else {
			comma := strings.IndexByte(rest, ',')
			if comma < 0 {
				comma = len(rest)
			}
			val = strings.TrimSpace(rest[:comma])
			rest = rest[comma:]
		}
		rest = strings.TrimPrefix(rest, ",")
		pairs = append(pairs, [2]string{key, val})
		known = known || isSettingsKey(key)
	}
	return pairs, known
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
