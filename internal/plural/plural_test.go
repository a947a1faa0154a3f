package plural

import (
	"testing"
	"time"
)

func TestN(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 words"}, {1, "1 word"}, {2, "2 words"}, {-1, "-1 words"}} {
		if got := N(c.n, "word", "words"); got != c.want {
			t.Errorf("N(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 12345: "12,345", 1234567: "1,234,567", -1234: "-1,234"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1000: "1.0 kB", 268435456: "268.4 MB", 314572800: "314.6 MB", 5_500_000_000: "5.5 GB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestMinutesText(t *testing.T) {
	for m, want := range map[float64]string{0.536: "32 seconds", 0.01: "1 second", 0.001: "1 second", 1: "1 minute", 8.5: "8.5 minutes", 12.25: "12.3 minutes",
		59.99: "60 minutes", 125: "2 hours 5 minutes", 120: "2 hours", 119.75: "2 hours", 179.6: "3 hours"} {
		if got := Minutes(m); got != want {
			t.Errorf("%g minutes: %q, want %q", m, got, want)
		}
	}
}

func TestSpan(t *testing.T) {
	for d, want := range map[time.Duration]string{
		42 * time.Second:                   "42s",
		9*time.Minute + 5*time.Second:      "9m5s",
		5*time.Hour + 3*time.Minute + 20e9: "5h3m",
		1266*time.Hour + 34*time.Second:    "52 days 18h",
		24 * time.Hour:                     "24h0m",
	} {
		if got := Span(d); got != want {
			t.Errorf("Span(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestAnd(t *testing.T) {
	for _, c := range []struct {
		words []string
		want  string
	}{{nil, ""}, {[]string{"a"}, "a"}, {[]string{"a", "b"}, "a and b"}, {[]string{"a", "b", "c"}, "a, b and c"}} {
		if got := And(c.words); got != c.want {
			t.Errorf("And(%q) = %q, want %q", c.words, got, c.want)
		}
	}
}
