package plural

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Minutes says a time budget in minutes the way a person would: "32
// seconds", "1 minute", "8.5 minutes", "2 hours 5 minutes".
func Minutes(m float64) string {
	d := time.Duration(m * float64(time.Minute)).Round(time.Second)
	switch {
	case d < time.Minute:
		return N(max(int(d/time.Second), 1), "second", "seconds")
	case d < time.Hour:
		n := strconv.FormatFloat(d.Minutes(), 'f', -1, 64)
		if d%time.Minute != 0 {
			n = strconv.FormatFloat(math.Round(d.Minutes()*10)/10, 'f', -1, 64) // 8.5, 12.3
		}
		if n == "1" {
			return "1 minute"
		}
		return n + " minutes"
	}
	d = d.Round(time.Minute) // before splitting: 1h59m45s is 2 hours, not "1 hour 60 minutes"
	h, rest := int(d/time.Hour), int(d%time.Hour/time.Minute)
	if rest == 0 {
		return N(h, "hour", "hours")
	}
	return N(h, "hour", "hours") + " " + N(rest, "minute", "minutes")
}

// Span says a time left, as an ETA: Go's "42s", "9m5s" and "5h3m" up to two
// days, then days and hours (a 99,999-minute budget's ETA
// read "1266h0m34s", now "52 days 18h").
func Span(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Hour:
		return d.String()
	case d < 48*time.Hour:
		d = d.Round(time.Minute)
		return strings.TrimSuffix(d.String(), "0s")
	}
	d = d.Round(time.Hour)
	return N(int(d/(24*time.Hour)), "day", "days") + fmt.Sprintf(" %dh", int(d%(24*time.Hour)/time.Hour))
}
