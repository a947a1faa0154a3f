package ui

import (
	"fmt"
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// Credit is one line of the About dialog's credits.
type Credit struct {
	What, License, URL string
}

// Credits returns the works Tessera's built-in models were trained on.
func Credits() []Credit {
	return []Credit{
		{What: "Noto Emoji", License: "Apache-2.0", URL: "https://github.com/googlefonts/noto-emoji"},
		{What: "Twemoji", License: "CC-BY 4.0", URL: "https://github.com/twitter/twemoji"},
		{What: "OpenMoji (so the emoji and edit models, trained on it, are under this licence too)", License: "CC BY-SA 4.0", URL: "https://openmoji.org"},
		{What: "Fluent Emoji (Microsoft)", License: "MIT", URL: "https://github.com/microsoft/fluentui-emoji"},
		{What: "emoji-datasource (Cal Henderson)", License: "MIT", URL: "https://github.com/iamcal/emoji-data"},
		{What: "emojibase-data (CLDR names)", License: "MIT", URL: "https://emojibase.dev"},
		{What: "MNIST (LeCun, Cortes, Burges)", License: "no licence stated; commonly redistributed under CC BY-SA 3.0", URL: "http://yann.lecun.com/exdb/mnist/"},
	}
}

// fontCredits are the fonts Tessera draws into its own pictures.
func fontCredits() []Credit {
	return []Credit{{What: "Go Regular (Bigelow & Holmes), the labels of tessera sheet", License: "BSD-3-Clause", URL: "https://go.dev/blog/go-fonts"}}
}

// libraryCredits names the libraries Tessera is built with and their
// licences (as their LICENSE files give them), a few to a line.
var libraryCredits = []string{
	"Fyne (BSD-3-Clause) · gorgonia.org/tensor (Apache-2.0) · Gonum with its netlib and plot (BSD-3-Clause)",
	"OpenBLAS (BSD-3-Clause) · nfnt/resize (ISC) · goexif (BSD-2-Clause) · golang.org/x/image (BSD-3-Clause)",
	"hbollon/go-edlib (MIT) · gofrs/flock (BSD-3-Clause) · GoMNIST (Apache-2.0) · golang.org/x/text (BSD-3-Clause)",
	"schollz/progressbar (MIT) · rivo/uniseg (MIT) · go-gl/glfw (BSD-3-Clause) with GLFW (zlib)",
}

// AboutContent is the body of the About dialog for version; open, when set,
// opens a credit's link in the link's place (the studio's says when no
// browser opens it).
func AboutContent(version string, open func(*url.URL)) fyne.CanvasObject {
	if version == "" {
		version = "dev"
	}
	title := widget.NewLabelWithStyle("Tessera "+version, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	blurb := widget.NewLabel("An Image-GPT studio: prompt, watch the image grow patch by patch,\nmask, regenerate and export — all on your own machine.")
	blurb.Alignment = fyne.TextAlignCenter
	items := []fyne.CanvasObject{title, blurb, widget.NewSeparator(), widget.NewLabelWithStyle("Built-in models were trained on:", fyne.TextAlignLeading, fyne.TextStyle{Italic: true})}
	credits := Credits()
	for i, c := range append(credits, fontCredits()...) {
		if i == len(credits) {
			items = append(items, widget.NewLabelWithStyle("Fonts drawn into pictures:", fyne.TextAlignLeading, fyne.TextStyle{Italic: true}))
		}
		text := c.What
		if c.License != "" {
			text += " (" + c.License + ")"
		}
		if u, err := url.Parse(c.URL); err == nil && c.URL != "" {
			link := widget.NewHyperlink(text, u)
			if open != nil {
				link.OnTapped = func() { open(u) }
			}
			items = append(items, link)
		} else {
			items = append(items, widget.NewLabel(text))
		}
	}
	// One label of three lines: a label a line made the dialog taller than
	// the window's default height.
	items = append(items, widget.NewLabel("Built with "+strings.Join(libraryCredits, "\n")))
	// Every module linked in, and the fonts the window draws with, folded
	// away: About credited 17 of the 54 modules.
	all := widget.NewLabel(linkedModulesText())
	all.Wrapping = fyne.TextWrapWord
	items = append(items, widget.NewAccordion(widget.NewAccordionItem(fmt.Sprintf("All %d linked libraries and the window's fonts, with their licences", len(linkedModules)), all)))
	return container.NewVBox(items...)
}
