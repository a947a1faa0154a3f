// Package plural writes counts in English for messages: "1 image",
// "3 images", "12,345".
package plural

import "strconv"

// N is n followed by one when n is 1, else by many: N(1, "seed", "seeds")
// is "1 seed", N(0, "seed", "seeds") "0 seeds".
func N(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
