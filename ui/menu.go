package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// shortcut is Ctrl (Cmd on macOS) plus extra modifiers and key.
func shortcut(key fyne.KeyName, extra fyne.KeyModifier) fyne.Shortcut {
	return &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault | extra}
}

// menuItem is a menu entry with an optional shortcut.
func menuItem(label string, sc fyne.Shortcut, action func()) *fyne.MenuItem {
	it := fyne.NewMenuItem(label, action)
	it.Shortcut = sc
	return it
}

// mainMenu builds the window menu; its shortcuts work even while a text
// field has the focus (Fyne tries menu shortcuts first).
func (s *Studio) mainMenu() *fyne.MainMenu {
	file := fyne.NewMenu("File",
		menuItem("Open image…", shortcut(fyne.KeyO, 0), s.showOpenImageDialog),
		menuItem(openFolderOption, nil, s.showModelFolderDialog),
		menuItem("Export PNG…", shortcut(fyne.KeyS, 0), s.showExportDialog),
		menuItem("Export time-lapse (GIF)…", nil, s.showTimelapseDialog),
		menuItem("Copy image", shortcut(fyne.KeyC, fyne.KeyModifierShift), s.CopyImage),
		fyne.NewMenuItemSeparator(),
		menuItem("Settings…", shortcut(fyne.KeyComma, 0), s.showSettings),
	)
	edit := fyne.NewMenu("Edit",
		menuItem("Undo", &fyne.ShortcutUndo{}, s.undoKey),
		menuItem("Redo", shortcut(fyne.KeyZ, fyne.KeyModifierShift), s.redoKey),
		fyne.NewMenuItemSeparator(),
		menuItem("Brush", shortcut(fyne.KeyB, 0), func() { s.setTool(ToolBrush) }),
		menuItem("Eraser", shortcut(fyne.KeyE, 0), func() { s.setTool(ToolEraser) }),
		menuItem("Temperature brush", shortcut(fyne.KeyT, fyne.KeyModifierShift), func() { s.setTool(ToolTemperature) }),
		menuItem("Clear temperatures", nil, func() { s.report(s.ClearTemperatureMap()) }),
		menuItem("Clear mask", shortcut(fyne.KeyBackspace, fyne.KeyModifierShift), func() { s.report(s.ClearMask()) }),
		menuItem("Invert mask", shortcut(fyne.KeyI, 0), func() { s.report(s.InvertMask()) }),
	)
	img := fyne.NewMenu("Image",
		menuItem("Generate", shortcut(fyne.KeyReturn, 0), func() { s.report(s.Generate()) }),
		menuItem("Stop", shortcut(fyne.KeyPeriod, 0), s.Stop),
		menuItem("Regenerate masked", shortcut(fyne.KeyR, 0), func() { s.report(s.RegenerateMasked()) }),
		menuItem("Complete from here…", nil, s.pickCompleteLine),
		menuItem("Continue stopped image", nil, func() { s.report(s.Resume()) }),
		menuItem("Branch from here", nil, func() { s.report(s.BranchFromHere()) }),
		menuItem("Extend ↓", nil, s.edit.extend.OnTapped),
		fyne.NewMenuItemSeparator(),
		menuItem("Likelihood map", shortcut(fyne.KeyL, 0), func() { s.SetLikelihoodMap(!s.heatOn) }),
		menuItem("Resample the least likely", nil, func() { s.report(s.RepairLeastLikely()) }),
		fyne.NewMenuItemSeparator(),
		menuItem("Zoom in", shortcut(fyne.KeyEqual, 0), func() { s.canvas.ZoomBy(zoomStep) }),
		menuItem("Zoom out", shortcut(fyne.KeyMinus, 0), func() { s.canvas.ZoomBy(1 / zoomStep) }),
		menuItem("Fit to window", shortcut(fyne.Key0, 0), s.canvas.ZoomFit),
	)
	help := fyne.NewMenu("Help", menuItem("About Tessera", nil, s.showAbout))
	return fyne.NewMainMenu(file, edit, img, help)
}

// addShortcuts handles keys when no widget has the focus: [ and ] size the
// brush, Escape stops, Ctrl+Y redoes.
func (s *Studio) addShortcuts() {
	c := s.win.Canvas()
	c.SetOnTypedRune(func(r rune) { s.canvas.BrushKey(r) })
	c.SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape {
			s.Stop()
		}
	})
	c.AddShortcut(&fyne.ShortcutRedo{}, func(fyne.Shortcut) { s.report(s.Redo()) })
	c.AddShortcut(shortcut(fyne.KeyReturn, 0), func(fyne.Shortcut) { s.report(s.Generate()) })
}

// textFocused returns the focused text field, if one has the focus.
func (s *Studio) textFocused() fyne.Shortcutable {
	f := s.win.Canvas().Focused()
	if _, text := f.(interface{ SelectedText() string }); !text {
		return nil
	}
	sc, _ := f.(fyne.Shortcutable)
	return sc
}

// undoKey undoes text in a focused text field, else the last image change.
func (s *Studio) undoKey() {
	if t := s.textFocused(); t != nil {
		t.TypedShortcut(&fyne.ShortcutUndo{})
		return
	}
	s.report(s.Undo())
}

// redoKey redoes text in a focused text field, else the last image change.
func (s *Studio) redoKey() {
	if t := s.textFocused(); t != nil {
		t.TypedShortcut(&fyne.ShortcutRedo{})
		return
	}
	s.report(s.Redo())
}
