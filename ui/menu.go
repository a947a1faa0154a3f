package ui

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/internal/plural"
	"github.com/tessera-studio/tessera/ui/widgets"
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

// notBehindDialog is action, done only when no dialog is open: a menu
// shortcut pressed in a dialog (Ctrl+Shift+O in the export dialog) opened
// a second dialog over the first, or worked on the image behind it.
func (s *Studio) notBehindDialog(action func()) func() {
	if action == nil {
		return nil
	}
	return func() {
		if s.win.Canvas().Overlays().Top() == nil {
			action()
		}
	}
}

// mainMenu builds the window menu; its shortcuts work even while a text
// field has the focus (Fyne tries menu shortcuts first). The items that
// have a button are enabled exactly when their button is (updateButtons).
// It also wires the Describe button to the Describe item's action.
func (s *Studio) mainMenu() *fyne.MainMenu {
	s.menu = map[string]*fyne.MenuItem{}
	item := func(key, label string, sc fyne.Shortcut, action func()) *fyne.MenuItem {
		it := menuItem(label, sc, action)
		s.menu[key] = it
		return it
	}
	quit := item("quit", "Quit", shortcut(fyne.KeyQ, 0), s.requestClose)
	quit.IsQuit = true
	file := fyne.NewMenu("File",
		item("open", "Open image…", shortcut(fyne.KeyO, 0), s.files.showOpen),
		item("openPath", "Open path…", shortcut(fyne.KeyO, fyne.KeyModifierShift), func() { s.files.showOpenPath("") }),
		menuItem(openFolderOption, nil, s.files.showModelFolder),
		item("export", "Export PNG…", shortcut(fyne.KeyS, 0), s.files.showExport),
		item("timelapse", "Export time-lapse (GIF)…", nil, s.files.showTimelapse),
		item("copy", "Copy image", shortcut(fyne.KeyC, fyne.KeyModifierShift), s.CopyImage),
		item("paste", "Paste image", shortcut(fyne.KeyV, fyne.KeyModifierShift), func() { s.report(s.PasteImage()) }),
		fyne.NewMenuItemSeparator(),
		menuItem("Status log…", nil, s.showStatusLog),
		menuItem("Settings…", shortcut(fyne.KeyComma, 0), s.files.showSettings),
		fyne.NewMenuItemSeparator(),
		quit,
	)
	edit := fyne.NewMenu("Edit",
		item("undo", "Undo", &fyne.ShortcutUndo{}, s.undoKey),
		item("redo", "Redo", shortcut(fyne.KeyZ, fyne.KeyModifierShift), s.redoKey),
		fyne.NewMenuItemSeparator(),
		menuItem("Brush", shortcut(fyne.KeyB, 0), func() { s.paint.chooseTool(widgets.ToolBrush) }),
		menuItem("Eraser", shortcut(fyne.KeyE, 0), func() { s.paint.chooseTool(widgets.ToolEraser) }),
		menuItem("Temperature brush", shortcut(fyne.KeyT, fyne.KeyModifierShift), func() { s.paint.chooseTool(widgets.ToolTemperature) }),
		item("clearTemp", "Clear temperatures", nil, s.clearTemperatures),
		menuItem("Clear mask", shortcut(fyne.KeyBackspace, fyne.KeyModifierShift), func() { s.report(s.paint.ClearMask()) }),
		menuItem("Invert mask", shortcut(fyne.KeyI, 0), func() { s.report(s.paint.InvertMask()) }),
		item("overlays", "Show mask & temperatures", nil, func() { s.paint.setOverlays(!s.paint.overlays) }),
	)
	s.menu["overlays"].Checked = s.paint.overlays
	s.paint.onOverlays = func(on bool) {
		if it := s.menu["overlays"]; it != nil && it.Checked != on {
			it.Checked = on
			if m := s.win.MainMenu(); m != nil {
				m.Refresh()
			}
		}
	}
	img := fyne.NewMenu("Image",
		item("generate", "Generate", shortcut(fyne.KeyReturn, 0), s.generateAsked),
		item("stop", "Stop", shortcut(fyne.KeyPeriod, 0), s.Stop),
		item("regenerate", "Regenerate masked", shortcut(fyne.KeyR, 0), func() { s.report(s.RegenerateMasked()) }),
		item("complete", "Complete from here…", nil, s.pickCompleteLine),
		item("resume", "Continue stopped image", nil, func() { s.report(s.Resume()) }),
		item("branch", "Branch from here", nil, func() { s.report(s.BranchFromHere()) }),
		item("replay", "Replay the generation", nil, s.tl.toggleReplay),
		item("extend", "Extend ↓", nil, func() { s.edit.extend.OnTapped() }),
		item("instruct", "Edit by instruction…", shortcut(fyne.KeyE, fyne.KeyModifierShift), s.focusInstruction),
		fyne.NewMenuItemSeparator(),
		item("likelihood", "Likelihood map", shortcut(fyne.KeyL, 0), func() { s.likelihood.Set(!s.likelihood.On()) }),
		item("repair", "Resample the least likely", nil, func() { s.report(s.RepairLeastLikely()) }),
		item("describe", "Describe…", shortcut(fyne.KeyD, 0), s.describer.asked),
		menuItem("Nearest training images…", nil, func() { s.report(s.CheckMemorised()) }),
		fyne.NewMenuItemSeparator(),
		s.pickCandidateMenu(),
	)
	s.menu["likelihood"].Checked = s.likelihood.On()
	history := item("history", "History strip", shortcut(fyne.KeyH, 0), func() { s.SetHistoryShown(!s.HistoryShown()) })
	history.Checked = s.set.HistoryShown()
	editPanel := item("editpanel", "Editing panel", nil, func() { s.SetEditPanelShown(!s.EditPanelShown()) })
	editPanel.Checked = s.set.EditPanelShown()
	view := fyne.NewMenu("View",
		menuItem("Zoom in", shortcut(fyne.KeyEqual, 0), func() { s.canvas.ZoomBy(widgets.ZoomStep) }),
		menuItem("Zoom out", shortcut(fyne.KeyMinus, 0), func() { s.canvas.ZoomBy(1 / widgets.ZoomStep) }),
		menuItem("Fit to window", shortcut(fyne.Key0, 0), s.canvas.ZoomFit),
		menuItem("Actual pixels (1:1)", shortcut(fyne.Key1, 0), s.canvas.ZoomActual),
		fyne.NewMenuItemSeparator(),
		editPanel,
		history,
		fyne.NewMenuItemSeparator(),
		// The tabs from the keyboard (Tab never reaches them), as
		// browsers switch tabs.
		menuItem("Create tab", shortcut(fyne.KeyPageUp, 0), func() { s.ShowTab(createTab) }),
		menuItem("Train tab", shortcut(fyne.KeyPageDown, 0), func() { s.ShowTab(trainTab) }),
	)
	menus := []*fyne.Menu{file, edit, img, view}
	for _, m := range menus {
		for _, it := range m.Items {
			if it != quit && it != s.menu["stop"] { // Quit and Stop work from anywhere
				it.Action = s.notBehindDialog(it.Action)
			}
			if it.ChildMenu != nil {
				for _, c := range it.ChildMenu.Items {
					c.Action = s.notBehindDialog(c.Action)
				}
			}
		}
	}
	help := fyne.NewMenu("Help")
	help.Items = []*fyne.MenuItem{
		// Not over a dialog: Ctrl+/ twice, or inside Export, stacked them.
		menuItem("Keyboard shortcuts", shortcut(fyne.KeySlash, 0), s.notBehindDialog(func() { s.showShortcuts(append(menus, help)) })),
		menuItem("About Tessera", nil, s.notBehindDialog(s.showAbout)),
	}
	s.edit.describe.OnTapped = s.describer.asked
	return fyne.NewMainMenu(file, edit, img, view, help)
}

// keysWithoutMenu are the keys no menu item shows.
var keysWithoutMenu = [][2]string{
	{"Alt", "open the menus (pressed alone; arrows move, Return picks, Esc closes)"},
	{"Tab", "complete the word being typed (the first completion); else the next control, its panel scrolled to it"},
	{"[  ]", "smaller / larger brush"},
	{"Arrows, Space", "on the canvas (click it or Tab to it): move the brush ring a patch at a time, paint (or erase) under it"},
	{"Arrows, Space, Shift+F10", "in the history or candidates strip (one Tab stop): move along it, open the picture, its context menu"},
	{"Ctrl++", "zoom in, as Ctrl+= (Ctrl+Shift+= or the keypad's +)"},
	{"Ctrl+Y", "redo, as Ctrl+Shift+Z"},
	{"Esc", "close a dialog (as its Cancel); on the canvas, drop the stroke being painted; else stop the run"},
	{"Return", "in a dialog, its default button (never a Delete, Replace or Quit)"},
}

// ShortcutList is every menu item with a shortcut, "Menu › Item" beside
// its keys, then the keys no menu item shows: the Help menu's list, made
// from the menus so that it cannot go stale.
func ShortcutList(menus []*fyne.Menu) [][2]string {
	var rows [][2]string
	var add func(path string, m *fyne.Menu)
	add = func(path string, m *fyne.Menu) {
		for _, it := range m.Items {
			if it.Shortcut != nil && it.Label != "" {
				rows = append(rows, [2]string{shortcutText(it.Shortcut), path + " › " + it.Label})
			}
			if it.ChildMenu != nil {
				add(path+" › "+it.Label, it.ChildMenu)
			}
		}
	}
	for _, m := range menus {
		add(m.Label, m)
	}
	return append(rows, keysWithoutMenu...)
}

// maxPickKeys is how many candidates Alt+1 … Alt+N pick.
const maxPickKeys = 8

// pickCandidateMenu is Image › Pick candidate: #1 (best) … #8 on Alt+1 …
// Alt+8, so that the candidate strip can be used from the keyboard (its
// thumbnails take no focus). Menu shortcuts work with a text field
// focused, as the canvas's own shortcuts do not.
func (s *Studio) pickCandidateMenu() *fyne.MenuItem {
	var items []*fyne.MenuItem
	for i := range maxPickKeys {
		label := fmt.Sprintf("#%d", i+1)
		if i == 0 {
			label += " (best)"
		}
		sc := &desktop.CustomShortcut{KeyName: fyne.KeyName(strconv.Itoa(i + 1)), Modifier: fyne.KeyModifierAlt}
		items = append(items, menuItem(label, sc, func() {
			if n := s.Candidates(); i >= n { // a key pressed on an empty or short strip: said, no dialog
				s.setStatus(fmt.Sprintf("No candidate #%d to pick (%s shown): a batch (Batch above 1) or Regenerate masked offers them", i+1, plural.N(n, "candidate is", "candidates are")))
				return
			}
			s.report(s.PickCandidate(i))
		}))
	}
	pick := fyne.NewMenuItem("Pick candidate", nil)
	pick.ChildMenu = fyne.NewMenu("", items...)
	return pick
}

// shortcutText writes a shortcut as people read it: "Ctrl+Shift+Z".
func shortcutText(sc fyne.Shortcut) string {
	var mod fyne.KeyModifier
	var key fyne.KeyName
	switch v := sc.(type) {
	case *desktop.CustomShortcut:
		mod, key = v.Modifier, v.KeyName
	case fyne.KeyboardShortcut:
		mod, key = v.Mod(), v.Key()
	default:
		return sc.ShortcutName()
	}
	var parts []string
	for _, m := range []struct {
		bit  fyne.KeyModifier
		name string
	}{{fyne.KeyModifierControl, "Ctrl"}, {fyne.KeyModifierAlt, "Alt"}, {fyne.KeyModifierShift, "Shift"}, {fyne.KeyModifierSuper, "Super"}} {
		if mod&m.bit != 0 {
			parts = append(parts, m.name)
		}
	}
	name, ok := keyNames[key]
	if !ok {
		name = string(key)
	}
	return strings.Join(append(parts, name), "+")
}

// keyNames are the keys whose Fyne names are not how people write them
// (Return stays Return, as the menus on Linux and Windows write it).
var keyNames = map[fyne.KeyName]string{
	fyne.KeyEqual: "=", fyne.KeyMinus: "-", fyne.KeyComma: ",", fyne.KeyPeriod: ".",
	fyne.KeyBackspace: "Backspace", fyne.KeyPageUp: "Page Up", fyne.KeyPageDown: "Page Down", fyne.KeySlash: "/",
}

// showShortcuts shows ShortcutList in a dialog.
func (s *Studio) showShortcuts(menus []*fyne.Menu) {
	rows := ShortcutList(menus)
	// Keys in a column as wide as the widest, what they do in the rest,
	// wrapped (a long line was cut mid-word in a half-width column).
	grid := container.New(layout.NewFormLayout())
	for _, r := range rows {
		keys := widget.NewLabelWithStyle(r[0], fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		what := widget.NewLabel(r[1])
		what.Wrapping = fyne.TextWrapWord
		grid.Add(keys)
		grid.Add(what)
	}
	d := dialog.NewCustom("Keyboard shortcuts", "Close", container.NewVScroll(grid), s.win)
	d.Resize(fyne.NewSize(620, min(float32(60+36*len(rows)), 640)))
	d.Show()
}

// menuButtons pairs menu items with the buttons whose state they follow.
func (s *Studio) menuButtons() map[string]fyne.Disableable {
	e := s.edit
	return map[string]fyne.Disableable{
		"open": e.open, "openPath": e.open, "export": e.export, "timelapse": e.export, "copy": e.copyImage, "paste": e.open,
		"undo": e.undo, "redo": e.redo, "clearTemp": e.clearTemp,
		"generate": s.panel.generate, "stop": s.panel.stop, "regenerate": e.regenerate, "complete": e.complete,
		"resume": e.resume, "branch": s.tl.branch, "replay": s.tl.play, "extend": e.extend, "repair": e.repair,
		"describe": e.describe, "instruct": e.instruct,
	}
}

// syncMenu enables each menu item exactly when its button is enabled
// (after updating the Describe button, which updateButtons leaves to it).
func (s *Studio) syncMenu() {
	s.describer.update()
	if s.menu == nil {
		return
	}
	changed := false
	for key, b := range s.menuButtons() {
		it := s.menu[key]
		if it == nil {
			continue
		}
		if off := b.Disabled(); it.Disabled != off {
			it.Disabled = off
			changed = true
		}
	}
	if changed {
		if mm := s.win.MainMenu(); mm != nil {
			mm.Refresh()
		}
	}
}

// addShortcuts handles keys when no widget has the focus: [ and ] size the
// brush (not behind a dialog; also while a slider has the focus), Escape and Return close an error shown,
// else Escape closes the dialog on top (dismissTopDialog) or, with none,
// stops, and Return presses the dialog's default button; Ctrl+Y
// redoes, Ctrl+Q quits (asking first where something would be lost).
func (s *Studio) addShortcuts() {
	c := s.win.Canvas()
	brushKey := func(r rune) {
		if c.Overlays().Top() == nil { // not behind a dialog
			s.canvas.BrushKey(r)
		}
	}
	c.SetOnTypedRune(brushKey)
	// A slider, a box or a drop-down keeps the focus once clicked, and
	// took the brush keys with it.
	for _, sl := range []*widgets.TipSlider{s.panel.temperature, s.panel.topP, s.panel.guidance, s.panel.batch,
		s.edit.brush, s.edit.tempValue, s.edit.candidates, s.edit.worst, s.edit.extendRows, s.edit.stride, s.tl.slider} {
		sl.OnRune = brushKey
	}
	for _, cb := range []*widgets.TipCheck{s.edit.grid, s.edit.overlays, s.edit.detail, s.edit.likMap, s.panel.seedLock} {
		cb.OnRune = brushKey
	}
	for _, sel := range []*widgets.TipSelect{s.panel.model, s.panel.style, s.history.models} {
		sel.OnRune = brushKey
	}
	c.SetOnTypedKey(func(k *fyne.KeyEvent) {
		switch k.Name {
		case fyne.KeyPageDown, fyne.KeyPageUp, fyne.KeyDown, fyne.KeyUp:
			pages := map[fyne.KeyName]float32{fyne.KeyPageDown: 1, fyne.KeyPageUp: -1, fyne.KeyDown: 0.1, fyne.KeyUp: -0.1}[k.Name]
			s.scrollTopDialog(pages)
		case fyne.KeyEscape, fyne.KeyReturn, fyne.KeyEnter:
			if s.closeError() {
				return
			}
			switch {
			case k.Name != fyne.KeyEscape:
				s.confirmTopDialog()
			case !s.dismissTopDialog() && !s.cancelLine():
				s.Stop()
			}
		}
	})
	c.AddShortcut(&fyne.ShortcutRedo{}, func(fyne.Shortcut) { s.report(s.Redo()) })
	c.AddShortcut(shortcut(fyne.KeyReturn, 0), func(fyne.Shortcut) { s.generateAsked() })
	c.AddShortcut(shortcut(fyne.KeyQ, 0), func(fyne.Shortcut) { s.requestClose() })
	// Ctrl++ is Ctrl+Shift+= on most layouts, or the keypad's +: zoom in
	// as Ctrl+= does (the keypad's − is the key Ctrl+- already takes).
	zoomIn := func(fyne.Shortcut) { s.canvas.ZoomBy(widgets.ZoomStep) }
	c.AddShortcut(shortcut(fyne.KeyEqual, fyne.KeyModifierShift), zoomIn)
	c.AddShortcut(shortcut(fyne.KeyPlus, 0), zoomIn)
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

// fieldTexts are the texts of the fields a run starts from (the prompt,
// the negative prompt, the instruction), by field.
func (s *Studio) fieldTexts() map[fyne.Focusable]string {
	return map[fyne.Focusable]string{s.panel.prompt: s.panel.prompt.Text, s.panel.negative: s.panel.negative.Text, s.edit.instruction: s.edit.instruction.Text}
}

// typingFocused is the focused text field when it holds typing to undo:
// any text field but the prompt, negative prompt and instruction fields,
// and those once their text changed since the last run started. After
// Ctrl+Enter in the prompt or Return in the instruction box the focus
// stays there, and Ctrl+Z then means the run (it undid a word).
func (s *Studio) typingFocused() fyne.Shortcutable {
	t := s.textFocused()
	if t == nil {
		return nil
	}
	f, _ := t.(fyne.Focusable)
	ran, known := s.ranTexts[f]
	if now, ok := s.fieldTexts()[f]; ok && known && now == ran {
		return nil
	}
	return t
}

// undoKey undoes typing in a focused text field, else (also when the
// field has no typing to undo) the last image change.
func (s *Studio) undoKey() {
	if s.typingStep(&fyne.ShortcutUndo{}) {
		return
	}
	s.report(s.Undo())
}

// redoKey redoes typing in a focused text field, else (also when the
// field has no typing to redo) the last image change.
func (s *Studio) redoKey() {
	if s.typingStep(&fyne.ShortcutRedo{}) {
		return
	}
	s.report(s.Redo())
}

// typingStep passes an undo or redo shortcut to the focused text field
// when it holds typing (typingFocused), and reports whether the key is
// used: always in a field other than the prompt, the negative prompt and
// the instruction (a dialog's), and in those when it changed their text.
// One of them with nothing to undo (clicked into after a restart, or
// filled by Describe's Use, which clears a field's history) said nothing
// and undid nothing, where the toolbar's Undo undid the image.
func (s *Studio) typingStep(sc fyne.Shortcut) bool {
	t := s.typingFocused()
	if t == nil {
		return false
	}
	f, _ := t.(fyne.Focusable)
	before, own := s.fieldTexts()[f]
	if es, ok := t.(interface{ EntryShortcut(fyne.Shortcut) }); ok {
		es.EntryShortcut(sc) // the field alone, not its OnRedo (this again: the image was redone twice)
	} else {
		t.TypedShortcut(sc)
	}
	// Another field (a dialog's: Fyne gives the window's shortcuts first)
	// keeps the key, never the picture's behind the dialog.
	return !own || s.fieldTexts()[f] != before
}
