package ui

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestEveryLinkedModuleIsCredited: every module linked into the tessera
// binary (go list -deps, the tessera module's own packages aside) is in
// linkedModules, which About lists, and in the README, with its licence;
// none listed is no longer linked. About credited 17 of 54.
func TestEveryLinkedModuleIsCredited(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to list the binary's modules")
	}
	// Linux's build, whatever this machine's: the list is Linux's, and
	// says which modules other systems' builds leave out.
	cmd := exec.Command("go", "list", "-deps", "-f", "{{with .Module}}{{.Path}}{{end}}", "..")
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	self := "github.com/tessera-studio/tessera"
	var linked []string
	for _, p := range strings.Fields(string(out)) {
		if p != self && !slices.Contains(linked, p) {
			linked = append(linked, p)
		}
	}
	slices.Sort(linked)
	var listed []string
	for _, m := range linkedModules {
		listed = append(listed, m.Path)
		if m.Licence == "" {
			t.Errorf("%s is listed without its licence", m.Path)
		}
	}
	if !slices.IsSorted(listed) {
		t.Error("linkedModules is not sorted by path")
	}
	for _, p := range linked {
		if !slices.Contains(listed, p) {
			t.Errorf("%s is linked into tessera but not credited (add it and its licence to linkedModules and the README)", p)
		}
	}
	for _, p := range listed {
		if !slices.Contains(linked, p) {
			t.Errorf("%s is credited but no longer linked", p)
		}
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range linkedModules {
		if line := readmeCredit(m); !strings.Contains(string(readme), line) {
			t.Errorf("the README does not list %q", line)
		}
	}
	for _, f := range bundledFonts {
		if !strings.Contains(string(readme), f) {
			t.Errorf("the README does not credit the font %q", f)
		}
	}
}

// TestAboutListsEveryLinkedModule: About folds the whole list away under
// one item, each module with its licence.
func TestAboutListsEveryLinkedModule(t *testing.T) {
	test.NewTempApp(t)
	box := AboutContent("1.2.3", nil).(*fyne.Container)
	var item *widget.AccordionItem
	for _, o := range box.Objects {
		if a, ok := o.(*widget.Accordion); ok && len(a.Items) == 1 {
			item = a.Items[0]
		}
	}
	if item == nil {
		t.Fatal("About has no list of every linked library")
	}
	text := item.Detail.(*widget.Label).Text
	for _, m := range linkedModules {
		if !strings.Contains(text, m.Path+" — "+m.Licence) {
			t.Errorf("About's list lacks %s — %s", m.Path, m.Licence)
		}
	}
	if !strings.Contains(item.Title, fmt.Sprint(len(linkedModules))) || !strings.Contains(text, bundledFonts[0]) {
		t.Errorf("About's list %q: %q", item.Title, text)
	}
}

// readmeCredit is how the README lists module m: "`path` (licence)".
func readmeCredit(m linkedModule) string { return "`" + m.Path + "` (" + m.Licence + ")" }
