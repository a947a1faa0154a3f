// Package plural writes counts in English for messages: "1 image",
// "3 images", "12,345".
package plural

import (
	"strconv"
	"strings"
)

// N is n followed by one when n is 1, else by many: N(1, "seed", "seeds")
// is "1 seed", N(0, "seed", "seeds") "0 seeds".
func N(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// And lists words in a sentence: "a", "a and b", "a, b and c" ("" for
// none).
func And(words []string) string {
	switch n := len(words); n {
	case 0:
		return ""
	case 1:
		return words[0]
	default:
		return strings.Join(words[:n-1], ", ") + " and " + words[n-1]
	}
}
