package plural

import (
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Thousands writes n with English thousands separators: 12345 is
// "12,345", -1234 "-1,234" (golang.org/x/text/message).
func Thousands(n int) string {
	return message.NewPrinter(language.English).Sprintf("%d", n)
}
