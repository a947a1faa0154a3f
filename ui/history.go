package ui

import (
	"errors"
	"fmt"
	"image"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/ui/widgets"
)

// prefFavourites lists the history files marked as favourites.
const prefFavourites = "history.favourites"

// allModels is the history filter's entry for every model.
const allModels = "All models"

// historyItem is one output file in the history strip.
type historyItem struct {
	path string
	// model and hash name the model that made the image ("" when the
	// file has no Tessera record).
	model, hash string
	img         image.Image
	l           lineage
}

// addHistory puts a run's saved files first in the history strip, each
// with its place in the tree of branches.
func (s *Studio) addHistory(j job, results []result) {
	l := lineage{parent: parentName(j.parent), kind: j.kind, at: j.at}
	var items []historyItem
	for _, r := range results {
		if r.path == "" {
			continue
		}
		items = append(items, historyItem{path: r.path, model: j.b.Name, hash: j.b.Model.Hash, img: decodeRows(j.b, r.tokens, r.rows), l: l})
	}
	s.prependHistory(items...)
}

// prependHistory adds items first, keeping historyLimit.
func (s *Studio) prependHistory(items ...historyItem) {
	s.histItems = append(slices.Clone(items), s.histItems...)
	if len(s.histItems) > historyLimit {
		s.histItems = s.histItems[:historyLimit]
	}
	s.refreshHistory()
}

// refreshHistory rebuilds the strip from the items that pass the filter,
// and the filter's choices.
func (s *Studio) refreshHistory() {
	var thumbs []*widgets.Thumb
	models := []string{allModels}
	for _, it := range s.histItems {
		if it.model != "" && !slices.Contains(models, it.model) {
			models = append(models, it.model)
		}
		if s.histFilter == "" || it.model == s.histFilter {
			thumbs = append(thumbs, s.cachedHistoryThumb(it))
		}
	}
	for path := range s.histThumbs {
		if !slices.ContainsFunc(s.histItems, func(it historyItem) bool { return it.path == path }) {
			delete(s.histThumbs, path)
		}
	}
	s.history.Set(thumbs)
	s.histModels.Options = models
	s.histModels.Quiet(func() {
		if s.histFilter == "" {
			s.histModels.SetSelected(allModels)
		} else {
			s.histModels.SetSelected(s.histFilter)
		}
	})
	s.histModels.Refresh()
}

// cachedHistoryThumb is historyThumb, made once per file and updated.
func (s *Studio) cachedHistoryThumb(it historyItem) *widgets.Thumb {
	fresh := s.historyThumb(it)
	if th, ok := s.histThumbs[it.path]; ok {
		if th.Caption != fresh.Caption || th.Note != fresh.Note || th.Tip != fresh.Tip {
			th.Caption, th.Note, th.Tip = fresh.Caption, fresh.Note, fresh.Tip
			th.OnTapped, th.OnSecondary = fresh.OnTapped, fresh.OnSecondary
			th.Refresh()
		}
		return th
	}
	if s.histThumbs == nil {
		s.histThumbs = map[string]*widgets.Thumb{}
	}
	s.histThumbs[it.path] = fresh
	return fresh
}

// historyThumb is the thumbnail of an output file, with its lineage as its
// note, a star for a favourite, and a context menu; tapping it reopens it
// with the model that made it.
func (s *Studio) historyThumb(it historyItem) *widgets.Thumb {
	caption := historyCaption(filepath.Base(it.path))
	if s.isFavourite(it.path) {
		caption = "★ " + caption
	}
	t := widgets.NewThumb(it.img, caption, func() { s.report(s.OpenHistory(it)) })
	t.Note = it.l.note()
	t.Tip = filepath.Base(it.path)
	if it.model != "" {
		t.Tip += "\nMade with " + it.model
	}
	t.Tip += "\nClick to reopen it (with its model); right-click for more"
	t.OnSecondary = func(pos fyne.Position) { s.historyMenu(it, pos) }
	return t
}

// historyMenu shows the context menu of a history entry at pos (absolute).
func (s *Studio) historyMenu(it historyItem, pos fyne.Position) {
	fav := "★ Favourite"
	if s.isFavourite(it.path) {
		fav = "☆ Not a favourite"
	}
	items := []*fyne.MenuItem{
		fyne.NewMenuItem("Open", func() { s.report(s.OpenHistory(it)) }),
		fyne.NewMenuItem(fav, func() { s.ToggleFavourite(it.path) }),
		fyne.NewMenuItem("Reveal in folder", func() { s.report(s.RevealHistory(it.path)) }),
	}
	if it.model != "" && s.histFilter != it.model {
		items = append(items, fyne.NewMenuItem("Show only "+it.model, func() { s.FilterHistory(it.model) }))
	}
	if s.histFilter != "" {
		items = append(items, fyne.NewMenuItem("Show all models", func() { s.FilterHistory("") }))
	}
	items = append(items, fyne.NewMenuItemSeparator(), fyne.NewMenuItem("Delete file…", func() { s.askDeleteHistory(it.path) }))
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), s.win.Canvas(), pos)
}

// FilterHistory shows only the images of model in the history ("" or
// allModels: every model).
func (s *Studio) FilterHistory(model string) {
	if model == allModels {
		model = ""
	}
	s.histFilter = model
	s.refreshHistory()
}

// isFavourite reports whether path is marked as a favourite.
func (s *Studio) isFavourite(path string) bool {
	return slices.Contains(s.app.Preferences().StringList(prefFavourites), path)
}

// ToggleFavourite marks or unmarks an output as a favourite (a star in
// the history).
func (s *Studio) ToggleFavourite(path string) {
	favs := s.app.Preferences().StringList(prefFavourites)
	if i := slices.Index(favs, path); i >= 0 {
		favs = slices.Delete(favs, i, i+1)
		s.setStatus(filepath.Base(path) + " is no longer a favourite")
	} else {
		favs = append(favs, path)
		s.setStatus(filepath.Base(path) + " is a favourite ★")
	}
	s.app.Preferences().SetStringList(prefFavourites, favs)
	s.refreshHistory()
}

// RevealHistory shows the folder of an output in the file manager.
func (s *Studio) RevealHistory(path string) error {
	dir := filepath.Dir(path)
	if err := s.reveal(dir); err != nil {
		return fmt.Errorf("reveal %s: %w", dir, err)
	}
	s.setStatus(filepath.Base(path) + " is in " + dir)
	return nil
}

// revealFolder opens dir in the system's file manager.
func (s *Studio) revealFolder(dir string) error {
	return s.app.OpenURL(&url.URL{Scheme: "file", Path: filepath.ToSlash(dir)})
}

// askDeleteHistory asks before deleting an output file.
func (s *Studio) askDeleteHistory(path string) {
	dialog.ShowConfirm("Delete file?", fmt.Sprintf("Delete %s from the disk?\nThis cannot be undone.", filepath.Base(path)),
		func(ok bool) {
			if ok {
				s.report(s.DeleteHistory(path))
			}
		}, s.win)
}

// DeleteHistory deletes an output file and removes it from the history.
func (s *Studio) DeleteHistory(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", filepath.Base(path), err)
	}
	s.histItems = slices.DeleteFunc(s.histItems, func(it historyItem) bool { return it.path == path })
	if favs := s.app.Preferences().StringList(prefFavourites); slices.Contains(favs, path) {
		s.app.Preferences().SetStringList(prefFavourites, slices.DeleteFunc(favs, func(p string) bool { return p == path }))
	}
	for i := range s.candidates {
		if s.candidates[i].path == path {
			s.candidates[i].path = ""
		}
	}
	s.refreshHistory()
	s.setStatus("Deleted " + filepath.Base(path))
	return nil
}

// historyCaption is a short caption for an output file: "15:04 s7" for
// the studio's own names (tessera-DATE-TIME-sSEED.png), else the name's end.
func historyCaption(name string) string {
	var date, clock, seed string
	if parts := strings.Split(strings.TrimSuffix(name, ".png"), "-"); len(parts) >= 4 && parts[0] == "tessera" {
		date, clock, seed = parts[1], parts[2], parts[3]
		if len(date) == 8 && len(clock) == 6 && strings.HasPrefix(seed, "s") {
			return clock[:2] + ":" + clock[2:4] + " " + shortenPath(seed, 8)
		}
	}
	return shortenPath(name, 12)
}

// loadHistory fills the history strip from the outputs folder in the
// background.
func (s *Studio) loadHistory() {
	dir := s.outputsDir
	s.goBackground(func() {
		paths, err := outputs{dir: dir}.list(historyLimit)
		var items []historyItem
		for _, p := range paths {
			if img, rec, err := loadThumbnail(p); err == nil {
				it := historyItem{path: p, img: img, l: lineageOf(rec)}
				if rec != nil {
					it.model, it.hash = rec.Model, rec.ModelHash
				}
				items = append(items, it)
			}
		}
		s.loop.DoAndWait(func() {
			if err != nil {
				s.setStatus(err.Error())
			}
			s.histItems = items
			s.refreshHistory()
		})
	})
}

// HistoryLen is the number of entries in the history strip.
func (s *Studio) HistoryLen() int { return len(s.history.Thumbs()) }

// OpenHistory reopens an output: with the model that made it, switching
// to that model first when another one is open (its own work is kept,
// see installBundle), and with the image's own settings only. An image of
// a model that cannot be found opens with the current one, encoded from
// its pixels, and the status says so.
func (s *Studio) OpenHistory(it historyItem) error {
	if s.bundle == nil {
		return errNoModel
	}
	if it.hash == "" || it.hash == s.bundle.Model.Hash {
		return s.OpenFile(it.path)
	}
	key, ok := s.modelKeyFor(it.model, it.hash)
	if !ok {
		return s.OpenFile(it.path)
	}
	if name := s.run.Running(); name != "" {
		return errBusy{running: name}
	}
	return s.loadModel(key, nil, it.path)
}

// modelKeyFor finds the model that made an image: one opened before with
// that hash, else a built-in or a recent folder of that name (not the one
// open, whose hash differs).
func (s *Studio) modelKeyFor(name, hash string) (string, bool) {
	if key, ok := s.knownHashes[hash]; ok && key != s.modelKey {
		return key, true
	}
	if name == "" {
		return "", false
	}
	for _, key := range s.modelKeys() {
		if key == s.modelKey {
			continue
		}
		if key == name || isFolderKey(key) && filepath.Base(key) == name {
			return key, true
		}
	}
	return "", false
}
