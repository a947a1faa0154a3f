package ui

import (
	"errors"
	"fmt"
	"image"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/outname"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// prefFavourites lists the history files marked as favourites.
const prefFavourites = "history.favourites"

// prefHistoryModel is the model the history strip shows ("" for all).
const prefHistoryModel = "history.model"

// allModels is the history filter's entry for every model, and
// favouritesOnly its entry for the favourites of every model.
const (
	allModels      = "All models"
	favouritesOnly = "★ Favourites"
)

// historyItem is one output file in the history strip.
type historyItem struct {
	path string
	// model and hash name the model that made the image ("" when the
	// file has no Tessera record).
	model, hash string
	img         image.Image
	l           lineage
}

// historyHost is what the history strip needs of the studio: reopening an
// entry (with the model that made it), reporting, and forgetting a file
// that was deleted.
type historyHost interface {
	OpenHistory(it historyItem) error
	report(err error)
	setStatus(msg string)
	fileDeleted(path string)
}

// historyPanel is the history strip's controller: the output files shown
// (newest first, at most historyLimit), the model filter, favourites
// (kept in the app's preferences), revealing and deleting files. UI
// goroutine only.
type historyPanel struct {
	host   historyHost
	win    fyne.Window
	prefs  fyne.Preferences
	items  []historyItem
	filter string                    // the model shown ("" for all)
	thumbs map[string]*widgets.Thumb // by file
	strip  *widgets.ThumbStrip
	models *widgets.TipSelect
	// reveal opens a folder in the file manager (tests replace it).
	reveal func(dir string) error
}

// newHistoryPanel returns an empty history strip for win.
func newHistoryPanel(host historyHost, win fyne.Window, app fyne.App) *historyPanel {
	h := &historyPanel{host: host, win: win, prefs: app.Preferences(), thumbs: map[string]*widgets.Thumb{}, strip: widgets.NewThumbStrip()}
	h.reveal = func(dir string) error { return app.OpenURL(&url.URL{Scheme: "file", Path: filepath.ToSlash(dir)}) }
	h.filter = h.prefs.String(prefHistoryModel) // the filter chosen when the studio was last used
	h.models = widgets.NewTipSelect([]string{allModels}, "Show the history of one model only, or the favourites (★, right-click a picture to mark one)", h.Filter)
	h.models.Quiet(func() { h.models.SetSelected(allModels) }) // refresh shows the filter once there are items
	return h
}

// Object is the strip with its label and model filter, to lay out.
func (h *historyPanel) Object() fyne.CanvasObject {
	return container.NewBorder(nil, nil, container.NewVBox(widget.NewLabel("History"), h.models), nil, h.strip.Object())
}

// Thumbs are the thumbnails shown, newest first.
func (h *historyPanel) Thumbs() []*widgets.Thumb { return h.strip.Thumbs() }

// Len is the number of entries shown.
func (h *historyPanel) Len() int { return len(h.strip.Thumbs()) }

// set replaces every entry.
func (h *historyPanel) set(items []historyItem) {
	h.items = items
	h.refresh()
}

// prepend adds items first (an item of a path listed already, an export
// written over it, moves first), keeping historyLimit. An image of another
// model than the filter shows turns the filter off, so that what was just
// made is seen (it was saved out of sight).
func (h *historyPanel) prepend(items ...historyItem) {
	if h.filter != "" && slices.ContainsFunc(items, func(it historyItem) bool { return it.model != h.filter }) {
		h.setFilter("")
	}
	kept := slices.DeleteFunc(slices.Clone(h.items), func(old historyItem) bool {
		return slices.ContainsFunc(items, func(it historyItem) bool { return it.path == old.path })
	})
	h.items = append(slices.Clone(items), kept...)
	if len(h.items) > historyLimit {
		h.items = h.items[:historyLimit]
	}
	h.refresh()
}

// refresh rebuilds the strip from the items that pass the filter, and the
// filter's choices.
func (h *historyPanel) refresh() {
	var thumbs []*widgets.Thumb
	models := []string{allModels}
	filter := h.filter
	favs := h.prefs.StringList(prefFavourites) // read once: a preference list is a copy each time
	shows := func(it historyItem) bool {
		if filter == favouritesOnly {
			return slices.Contains(favs, it.path)
		}
		return filter == "" || it.model == filter
	}
	if filter != "" && !slices.ContainsFunc(h.items, shows) {
		filter = "" // no image of that model (yet): every model's
		if len(h.items) > 0 && h.filter != "" {
			// Its last image deleted, or none in this outputs folder: the
			// strip shows every model's, and so does the filter from now
			// on (kept, it came back unasked with that model's next
			// image and hid the others' new ones).
			h.setFilter("")
		}
	}
	anyFavourite := false
	for _, it := range h.items {
		if it.model != "" && !slices.Contains(models, it.model) {
			models = append(models, it.model)
		}
		anyFavourite = anyFavourite || slices.Contains(favs, it.path)
		if shows(it) {
			thumbs = append(thumbs, h.cachedThumb(it))
		}
	}
	if anyFavourite {
		models = append(models[:1], append([]string{favouritesOnly}, models[1:]...)...)
	}
	for path := range h.thumbs {
		if !slices.ContainsFunc(h.items, func(it historyItem) bool { return it.path == path }) {
			delete(h.thumbs, path)
		}
	}
	h.strip.Set(thumbs)
	h.models.Options = models
	h.models.Quiet(func() {
		if filter == "" {
			h.models.SetSelected(allModels)
		} else {
			h.models.SetSelected(filter)
		}
	})
	h.models.Refresh()
}

// cachedThumb is thumb, made once per file and updated.
func (h *historyPanel) cachedThumb(it historyItem) *widgets.Thumb {
	fresh := h.thumb(it)
	if th, ok := h.thumbs[it.path]; ok {
		if th.Caption != fresh.Caption || th.Note != fresh.Note || th.Tip != fresh.Tip {
			th.Caption, th.Note, th.Tip = fresh.Caption, fresh.Note, fresh.Tip
			th.OnTapped, th.OnSecondary = fresh.OnTapped, fresh.OnSecondary
			th.Refresh()
		}
		return th
	}
	h.thumbs[it.path] = fresh
	return fresh
}

// thumb is the thumbnail of an output file, with its lineage as its note,
// a star for a favourite, and a context menu; tapping it reopens it with
// the model that made it.
func (h *historyPanel) thumb(it historyItem) *widgets.Thumb {
	caption := historyCaption(filepath.Base(it.path))
	if h.isFavourite(it.path) {
		caption = "★ " + caption
	}
	t := widgets.NewThumb(it.img, caption, func() { h.host.report(h.host.OpenHistory(it)) })
	t.Note = it.l.note()
	t.Tip = filepath.Base(it.path)
	if it.model != "" {
		t.Tip += "\nMade with " + it.model
	}
	t.Tip += "\nClick to reopen it (with its model); right-click for more"
	t.OnSecondary = func(pos fyne.Position) { h.menu(it, pos) }
	return t
}

// menu shows the context menu of a history entry at pos (absolute).
func (h *historyPanel) menu(it historyItem, pos fyne.Position) {
	// Actions, as the menu's other items are ("☆ Not a favourite" read as
	// the entry's state).
	fav := "★ Mark as favourite"
	if h.isFavourite(it.path) {
		fav = "☆ Remove from favourites"
	}
	items := []*fyne.MenuItem{
		fyne.NewMenuItem("Open", func() { h.host.report(h.host.OpenHistory(it)) }),
		fyne.NewMenuItem(fav, func() { h.ToggleFavourite(it.path) }),
		fyne.NewMenuItem("Reveal in folder", func() { h.host.report(h.Reveal(it.path)) }),
	}
	if it.model != "" && h.filter != it.model {
		items = append(items, fyne.NewMenuItem("Show only "+it.model, func() { h.Filter(it.model) }))
	}
	if h.filter != "" {
		items = append(items, fyne.NewMenuItem("Show all models", func() { h.Filter("") }))
	}
	items = append(items, fyne.NewMenuItemSeparator(), fyne.NewMenuItem("Delete file…", func() { h.askDelete(it.path) }))
	c := h.win.Canvas()
	m := widget.NewPopUpMenu(fyne.NewMenu("", items...), c)
	m.ShowAtPosition(menuInside(pos, m.MinSize(), c.Size()))
}

// Filter shows only the images of model ("" or allModels: every model).
func (h *historyPanel) Filter(model string) {
	if model == allModels {
		model = ""
	}
	h.setFilter(model)
	h.refresh()
}

// setFilter sets the model shown ("" for all), kept for the next start.
func (h *historyPanel) setFilter(model string) {
	h.filter = model
	h.prefs.SetString(prefHistoryModel, model)
}

// isFavourite reports whether path is marked as a favourite.
func (h *historyPanel) isFavourite(path string) bool {
	return slices.Contains(h.prefs.StringList(prefFavourites), path)
}

// ToggleFavourite marks or unmarks an output as a favourite (a star in
// the history).
func (h *historyPanel) ToggleFavourite(path string) {
	favs := h.prefs.StringList(prefFavourites)
	if i := slices.Index(favs, path); i >= 0 {
		favs = slices.Delete(favs, i, i+1)
		h.host.setStatus(filepath.Base(path) + " is no longer a favourite")
	} else {
		favs = append(favs, path)
		h.host.setStatus(filepath.Base(path) + " is a favourite ★")
	}
	h.prefs.SetStringList(prefFavourites, favs)
	h.refresh()
}

// Reveal shows the folder of an output in the file manager.
func (h *historyPanel) Reveal(path string) error {
	dir := filepath.Dir(path)
	if err := h.reveal(dir); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return fmt.Errorf("no file manager to show the folder (xdg-open is not installed): %s is in %s", filepath.Base(path), dir)
		}
		return fmt.Errorf("reveal %s: %w", dir, err)
	}
	h.host.setStatus(filepath.Base(path) + " is in " + dir)
	return nil
}

// askDelete asks before deleting an output file.
func (h *historyPanel) askDelete(path string) {
	d := newQuestion("Delete file?", fmt.Sprintf("Delete %s from the disk?\nThis cannot be undone.", filepath.Base(path)),
		func(ok bool) {
			if ok {
				h.host.report(h.Delete(path))
			}
		}, h.win)
	destructive(d)
	d.Show()
}

// Delete deletes an output file and removes it from the history (and from
// the favourites).
func (h *historyPanel) Delete(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", filepath.Base(path), err)
	}
	h.forget(path)
	h.host.setStatus("Deleted " + filepath.Base(path))
	return nil
}

// forget takes the output at path, deleted or gone, out of the strip (and
// the favourites), and marks the entries made from it.
func (h *historyPanel) forget(path string) {
	h.items = slices.DeleteFunc(h.items, func(it historyItem) bool { return it.path == path })
	for i := range h.items {
		if it := &h.items[i]; it.l.parent == filepath.Base(path) {
			it.l.gone = true
			delete(h.thumbs, it.path) // its note is made again
		}
	}
	if favs := h.prefs.StringList(prefFavourites); slices.Contains(favs, path) {
		h.prefs.SetStringList(prefFavourites, slices.DeleteFunc(favs, func(p string) bool { return p == path }))
	}
	h.host.fileDeleted(path)
	h.refresh()
}

// historyCaption is a short caption for an output file, for the studio's
// own names (outname: tessera-DATE-TIME-[WORDS-]sSEED.png) "15:04 s7" when
// the seed is short enough to fit under a thumbnail, else the time to the
// second ("15:04:22": a ten-digit seed cut to its end told no two images
// apart; the tooltip has it whole); for other names the name's end.
func historyCaption(name string) string {
	n, ok := outname.Parse(name)
	switch {
	case !ok:
		return shortenPath(name, 12)
	case n.Seed < 1000:
		return n.Made.Format("15:04") + " s" + strconv.FormatUint(n.Seed, 10)
	default:
		return n.Made.Format("15:04:05")
	}
}

// addHistory puts a run's saved files first in the history strip, each
// with its place in the tree of branches.
func (s *Studio) addHistory(j job, results []result) {
	l := lineage{parent: parentName(j.parent), kind: j.kind, at: j.at}
	var items []historyItem
	for _, r := range results {
		if r.path == "" || r.again { // unsaved, or in the history already
			continue
		}
		items = append(items, historyItem{path: r.path, model: j.b.Name, hash: j.b.Model.Hash, img: r.picture(j.b), l: l})
	}
	s.history.prepend(items...)
}

// fileDeleted forgets a deleted output file: a candidate saved as it is
// unsaved again.
func (s *Studio) fileDeleted(path string) {
	s.cands.forget(path)
}

// historyItemAt is the history strip's entry of the picture file at path:
// its thumbnail, lineage and model, and its record (nil: none).
func historyItemAt(path string) (historyItem, *pngmeta.Record, error) {
	img, rec, err := loadThumbnail(path)
	if err != nil {
		return historyItem{}, nil, err
	}
	it := historyItem{path: path, img: img, l: lineageOf(rec)}
	if rec != nil {
		it.model, it.hash = rec.Model, rec.ModelHash
	}
	return it, rec, nil
}

// loadHistory fills the history strip from the outputs folder in the
// background.
func (s *Studio) loadHistory() {
	dir := s.outputsDir
	s.goBackground(func() {
		paths, err := outputs{dir: dir}.list(historyLimit)
		// Outputs are named by the time they were made (tessera-DATE-TIME…):
		// a parent as new as the oldest listed would be in this folder, were
		// it not deleted (an older one may be in an outputs folder used
		// before, and is not said to be gone).
		oldest := ""
		if n := len(paths); n > 0 {
			oldest = outname.TimeKey(filepath.Base(paths[n-1]))
		}
		var items []historyItem
		for _, p := range paths {
			if it, rec, err := historyItemAt(p); err == nil {
				if par := it.l.parent; oldest != "" && filepath.Base(par) == par && outname.TimeKey(par) >= oldest {
					// An output of the folder deleted since: said after a
					// restart too (the note linked to it again).
					if _, err := os.Stat(filepath.Join(dir, par)); errors.Is(err, os.ErrNotExist) {
						it.l.gone = true
					}
				}
				if rec != nil {
					s.runs.saved.remember(*rec, p) // made again after a restart, not written twice
				}
				items = append(items, it)
			}
		}
		s.loop.DoAndWait(func() {
			if err != nil {
				s.setStatus(err.Error())
			}
			s.history.set(items)
		})
	})
}

// HistoryLen is the number of entries in the history strip.
func (s *Studio) HistoryLen() int { return s.history.Len() }

// OpenHistory reopens an output: with the model that made it, switching
// to that model first when another one is open (its own work is kept,
// see installBundle), and with the image's own settings only. An image of
// a model that cannot be found opens with the current one, encoded from
// its pixels, and the status says so.
func (s *Studio) OpenHistory(it historyItem) error {
	if s.bundle == nil {
		return errNoModel
	}
	if _, err := os.Stat(it.path); errors.Is(err, os.ErrNotExist) {
		// Moved or deleted outside Tessera: the entry goes (it stayed, and
		// said "stat …: no such file or directory" at every click).
		s.history.forget(it.path)
		return fmt.Errorf("%s is no longer in %s: it was moved or deleted outside Tessera, so it is taken out of the history", filepath.Base(it.path), tildePath(filepath.Dir(it.path)))
	}
	if it.hash == "" || it.hash == s.bundle.Model.Hash {
		return s.OpenFile(it.path)
	}
	key, ok := s.findModel(it.model, it.hash)
	if !ok {
		return s.OpenFile(it.path)
	}
	if busy, ok := s.runs.runner.Busy(); ok {
		return busy
	}
	return s.loadModel(key, nil, it.path)
}

// findModel is modelKeyFor, for a model that can be opened: one whose
// folder is gone (a run deleted, a folder moved) is not found.
func (s *Studio) findModel(name, hash string) (key string, ok bool) {
	key, ok = s.modelKeyFor(name, hash)
	if !ok || folderGone(key) {
		return "", false
	}
	return key, true
}

// folderGone reports whether the model key names a folder that is no
// longer there (a built-in model's name never is).
func folderGone(key string) bool {
	if !isFolderKey(key) {
		return false
	}
	_, err := os.Stat(key)
	return err != nil
}

// modelKeyFor finds the model that made an image: one opened before with
// that hash, else a recent folder whose weights have it (the models of
// training runs all sit in folders named "model" and go by their data's
// name), else a built-in or a recent folder of that name (not the one
// open, whose hash differs).
func (s *Studio) modelKeyFor(name, hash string) (string, bool) {
	if key, ok := s.knownHashes[hash]; ok && key != s.modelKey {
		return key, true
	}
	if hash != "" {
		for _, key := range s.modelKeys() {
			if key != s.modelKey && isFolderKey(key) && s.folderHashes.of(key) == hash {
				return key, true
			}
		}
	}
	if name == "" {
		return "", false
	}
	for _, key := range s.modelKeys() {
		if key == s.modelKey {
			continue
		}
		if key == name || isFolderKey(key) && bundle.FolderName(key) == name {
			return key, true
		}
	}
	return "", false
}

// maxHashedWeights is the largest weights file modelKeyFor hashes to find
// the model that made an image (on the UI goroutine, each once: about 0.1 s
// at this size here): a model of a training run is a few MB; an
// imagegpt-large folder (5.5 GB) would take seconds, and is found by name.
const maxHashedWeights = 64 << 20

// folderHashes caches model.WeightsHash of model folders, each valid while
// its weights file keeps its size and modification time.
type folderHashes map[string]folderHash

type folderHash struct {
	size int64
	mod  time.Time
	hash string
}

// of is the hash of the weights in the model folder dir ("" when they
// cannot be read or are over maxHashedWeights).
func (c folderHashes) of(dir string) string {
	fi, err := os.Stat(filepath.Join(dir, model.WeightsFile))
	if err != nil || fi.Size() > maxHashedWeights {
		return ""
	}
	if h, ok := c[dir]; ok && h.size == fi.Size() && h.mod.Equal(fi.ModTime()) {
		return h.hash
	}
	h := folderHash{size: fi.Size(), mod: fi.ModTime(), hash: model.WeightsHash(dir)}
	c[dir] = h
	return h.hash
}

// menuInside is where a menu of size menu opened at pos goes so that it is
// wholly inside a canvas of size canvas: moved left and up from the
// window's edges (the history's menu, opened by its right end, was cut).
func menuInside(pos fyne.Position, menu, canvas fyne.Size) fyne.Position {
	return fyne.NewPos(max(0, min(pos.X, canvas.Width-menu.Width)), max(0, min(pos.Y, canvas.Height-menu.Height)))
}
