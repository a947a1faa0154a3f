package ui

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// Every library go.mod requires directly is credited with its licence in
// Help › About (and so, by the README's list of the same names, in the
// README): a library added without a credit fails here.
func TestEveryDirectDependencyIsCredited(t *testing.T) {
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	credits := strings.ToLower(strings.Join(libraryCredits, " "))
	// A requirement line not marked "// indirect": module path, version.
	direct := regexp.MustCompile(`(?m)^\s*(?:require\s+)?([a-z0-9.\-]+\.[a-z]+/[^\s]+)\s+v[^\s]+\s*$`)
	lines := direct.FindAllStringSubmatch(string(mod), -1)
	if len(lines) < 10 {
		t.Fatalf("read %d direct requirements from go.mod", len(lines))
	}
	for _, m := range lines {
		parts := strings.Split(m[1], "/")
		name := parts[len(parts)-1]
		if regexp.MustCompile(`^v\d+$`).MatchString(name) { // a major version suffix
			name = parts[len(parts)-2]
		}
		name = strings.ToLower(name)
		if !strings.Contains(credits, name) {
			t.Errorf("%s is not credited in About (%q)", m[1], libraryCredits)
		}
	}
	// Each library About credits is credited in the README too, by the
	// same name and licence ("schollz/progressbar (MIT").
	for _, line := range libraryCredits {
		for _, credit := range strings.Split(line, " · ") {
			name, licence, _ := strings.Cut(credit, " (")
			licence, _, _ = strings.Cut(licence, ")")
			if !strings.Contains(string(readme), name+" ("+licence) {
				t.Errorf("About credits %q; the README does not (as %q)", credit, name+" ("+licence)
			}
		}
	}
}
