package ui

import (
	"fmt"
	"strings"
)

// linkedModule is a Go module linked into the tessera binary and the licence
// its LICENSE file gives (SPDX names; checked by hand against the module
// cache, then kept complete by TestEveryLinkedModuleIsCredited).
type linkedModule struct{ Path, Licence string }

// linkedModules are every module `go list -deps` finds under the tessera
// binary for Linux besides its own (builds for macOS and Windows link one
// fewer, as the list says), sorted by path: Help › About lists them, and the
// README too.
var linkedModules = []linkedModule{
	{"codeberg.org/go-fonts/liberation", "BSD-3-Clause; its Liberation fonts (the loss plots' text): SIL OFL 1.1"},
	{"codeberg.org/go-latex/latex", "BSD-3-Clause"},
	{"codeberg.org/go-pdf/fpdf", "MIT"},
	{"fyne.io/fyne/v2", "BSD-3-Clause"},
	{"fyne.io/systray", "Apache-2.0"},
	{"git.sr.ht/~sbinet/gg", "MIT"},
	{"github.com/BurntSushi/toml", "MIT"},
	{"github.com/ajstarks/svgo", "CC BY 4.0"},
	{"github.com/apache/arrow/go/arrow", "Apache-2.0"},
	{"github.com/chewxy/hm", "MIT"},
	{"github.com/chewxy/math32", "BSD-2-Clause"},
	{"github.com/fredbi/uri", "MIT"},
	{"github.com/fsnotify/fsnotify", "BSD-3-Clause"},
	{"github.com/fyne-io/image", "BSD-3-Clause"},
	{"github.com/fyne-io/oksvg", "BSD-3-Clause"},
	{"github.com/go-gl/gl", "MIT"},
	{"github.com/go-gl/glfw/v3.3/glfw", "BSD-3-Clause; GLFW itself: zlib"},
	{"github.com/go-text/render", "Unlicense or BSD-3-Clause"},
	{"github.com/go-text/typesetting", "Unlicense or BSD-3-Clause"},
	{"github.com/godbus/dbus/v5", "BSD-2-Clause"},
	{"github.com/gofrs/flock", "BSD-3-Clause"},
	{"github.com/gogo/protobuf", "BSD-3-Clause"},
	{"github.com/golang/freetype", "FreeType License (FTL, of FTL or GPL-2.0+); portions © The FreeType Project (www.freetype.org)"},
	{"github.com/golang/protobuf", "BSD-3-Clause"},
	{"github.com/google/flatbuffers", "Apache-2.0"},
	{"github.com/hbollon/go-edlib", "MIT"},
	{"github.com/jeandeaual/go-locale", "MIT"},
	{"github.com/jsummers/gobmp", "MIT"},
	{"github.com/mitchellh/colorstring", "MIT"},
	{"github.com/nfnt/resize", "ISC"},
	{"github.com/nicksnyder/go-i18n/v2", "MIT"},
	{"github.com/pkg/errors", "BSD-2-Clause"},
	{"github.com/rivo/uniseg", "MIT"},
	{"github.com/rwcarlsen/goexif", "BSD-2-Clause"},
	{"github.com/rymdport/portal", "Apache-2.0; Linux and BSD builds only"},
	{"github.com/schollz/progressbar/v3", "MIT"},
	{"github.com/srwiley/oksvg", "BSD-3-Clause"},
	{"github.com/srwiley/rasterx", "BSD-3-Clause"},
	{"github.com/xtgo/set", "BSD-2-Clause"},
	{"github.com/yuin/goldmark", "MIT"},
	{"go4.org/unsafe/assume-no-moving-gc", "BSD-3-Clause"},
	{"golang.org/x/image", "BSD-3-Clause"},
	{"golang.org/x/net", "BSD-3-Clause"},
	{"golang.org/x/sys", "BSD-3-Clause"},
	{"golang.org/x/term", "BSD-3-Clause"},
	{"golang.org/x/text", "BSD-3-Clause"},
	{"golang.org/x/xerrors", "BSD-3-Clause"},
	{"gonum.org/v1/gonum", "BSD-3-Clause"},
	{"gonum.org/v1/netlib", "BSD-3-Clause"},
	{"gonum.org/v1/plot", "BSD-3-Clause"},
	{"google.golang.org/protobuf", "BSD-3-Clause"},
	{"gorgonia.org/tensor", "Apache-2.0"},
	{"gorgonia.org/vecf32", "MIT"},
	{"gorgonia.org/vecf64", "MIT"},
}

// bundledFonts are the fonts and icons the studio's window draws with,
// embedded by Fyne, and their licences.
var bundledFonts = []string{
	"Noto Sans by Google (SIL OFL 1.1)",
	"DejaVu Sans Mono (Bitstream Vera licence; DejaVu changes public domain)",
	"Inter Symbols by Rasmus Andersson (SIL OFL 1.1)",
	"EmojiOne Color by Adobe, with EmojiOne's graphics (CC BY 4.0; emojione.com)",
}

// linkedModulesText lists linkedModules a line each ("path — licence"),
// and the fonts Fyne embeds, for About's full list.
func linkedModulesText() string {
	var b strings.Builder
	for _, m := range linkedModules {
		fmt.Fprintf(&b, "%s — %s\n", m.Path, m.Licence)
	}
	b.WriteString("\nFonts the window draws with (embedded by Fyne):\n")
	for _, f := range bundledFonts {
		b.WriteString(f + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}
