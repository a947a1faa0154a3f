package app

import (
	"fyne.io/fyne/v2"

	"github.com/tessera-studio/tessera/assets"
)

// iconResource is the window and launcher icon.
func iconResource() fyne.Resource {
	return fyne.NewStaticResource("icon.png", assets.Icon())
}
