package ui

import (
	"errors"
	"fmt"
	"image"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/outname"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/train"
	"github.com/tessera-studio/tessera/engine/trainjob"
	"github.com/tessera-studio/tessera/ui/core"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// fileHost is what the file dialogs need of the studio: opening, exporting
// and the outputs folder, what there is to export, and reporting.
type fileHost interface {
	OpenFile(path string) error
	openFile(path, note string) error
	OpenModelFolder(dir string) error
	ExportAs(typed string) error
	TimelapseAs(typed string) error
	SetOutputsDir(dir string) error
	refreshModels()
	modelOpen() error
	exportImage() (image.Image, []int, error)
	imageParams() core.Params
	openedFile() string
	setGridLines(on bool)
	report(err error)
	showError(err error)
	closeError() bool
	errorShown() bool
	dismissTopDialog() bool
	confirmTopDialog() bool
	modelOrder() sampler.RankBy
	setStatus(msg string)
	Bundle() *bundle.Bundle // the drawing model open (nil: none)
	focusHome(switched bool)
}

// fileDialogs is the files controller: the Open, Export PNG, Export
// time-lapse and Settings dialogs and drops on the window; the work itself
// is the host's (OpenFile, ExportAs…). UI goroutine only.
type fileDialogs struct {
	host    fileHost
	win     fyne.Window
	set     settings
	outputs func() string // the outputs folder
	grid    func() bool   // whether the patch grid is shown
	// settingsRank is the Settings dialog's ranking choice while it is
	// shown (tests pick in it).
	settingsRank *widgets.TipSelect
}

// showOpen asks for an image file and opens it.
func (f *fileDialogs) showOpen() {
	if err := f.host.modelOpen(); err != nil {
		f.host.showError(err)
		return
	}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		defer f.host.focusHome(false) // the dialog took the focus with it
		if err != nil {
			f.host.showError(fmt.Errorf("open image: %w", err))
			return
		}
		if r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		f.set.SetOpenDir(filepath.Dir(path))
		f.host.closeError() // an error about the picture before goes with it
		f.host.report(f.host.OpenFile(path))
	}, f.win)
	var exts []string
	for _, e := range codebook.ImageExtensions() {
		exts = append(exts, e, strings.ToUpper(e))
	}
	d.SetFilter(storage.NewExtensionFileFilter(exts))
	if l, err := storage.ListerForURI(storage.NewFileURI(f.openDir())); err == nil {
		d.SetLocation(l)
	}
	// A list shows whole names: the grid cuts the outputs' long names to
	// the same "tessera-2026120…" (the user's own choice of view is kept).
	d.SetView(dialog.ListView)
	d.Resize(dialogSize(f.win))
	d.Show()
}

// showModelFolder asks for a model folder and opens it.
func (f *fileDialogs) showModelFolder() {
	d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		defer f.host.focusHome(false)
		if err != nil {
			f.host.showError(fmt.Errorf("open model folder: %w", err))
			return
		}
		if dir == nil {
			f.host.refreshModels() // cancelled: put the picker back
			return
		}
		f.host.report(f.host.OpenModelFolder(dir.Path()))
	}, f.win)
	d.SetView(dialog.ListView)
	d.Resize(dialogSize(f.win))
	d.Show()
}

// dropped opens what was dropped on the window: an image, or a model folder.
func (f *fileDialogs) dropped(_ fyne.Position, uris []fyne.URI) {
	if len(uris) == 0 {
		return
	}
	p := uris[0].Path()
	// Any dialog but the error shown (an export under way, a question)
	// stays, and the drop is refused: the dialog is about the picture on
	// the canvas. An error shown goes: the drop answers it. (Menus and
	// drop-down lists are overlays of another kind, not *widget.PopUp:
	// they close as the window is used.)
	dialogs := 0
	for _, o := range f.win.Canvas().Overlays().List() {
		if _, modal := o.(*widget.PopUp); modal { // Fyne's dialogs
			dialogs++
		}
	}
	if f.host.errorShown() {
		dialogs--
	}
	if dialogs > 0 {
		f.host.setStatus(fmt.Sprintf("%s was not opened: close the dialog first", filepath.Base(p)))
		return
	}
	note := ""
	if n := len(uris); n > 1 {
		note = fmt.Sprintf("the first of the %d files dropped: the canvas holds one picture at a time", n)
	}
	f.openPath(p, note)
}

// folderOfPictures reports whether dir holds a picture file
// (codebook.ImageExtensions) among its first entries.
func folderOfPictures(dir string) bool {
	d, err := os.Open(dir)
	if err != nil {
		return false
	}
	defer d.Close()
	names, _ := d.Readdirnames(1000)
	for _, n := range names {
		if slices.Contains(codebook.ImageExtensions(), strings.ToLower(filepath.Ext(n))) {
			return true
		}
	}
	return false
}

// openPath opens what is at p, closing an error shown: a folder as a model
// folder, anything else as a picture (with note at the end of its status
// line). It reports whether it opened a picture.
func (f *fileDialogs) openPath(p, note string) (picture bool) {
	f.host.closeError()
	if info, err := os.Stat(p); err == nil && info.IsDir() {
		var err error
		if missingModelFiles(p) != nil && missingModelFiles(train.RunModelDir(p)) != nil && !trainjob.IsRun(p) && folderOfPictures(p) {
			// A folder of the user's pictures (no model's files, no run's):
			// say what can be done with it rather than which model files
			// it lacks.
			err = fmt.Errorf("%q is a folder of pictures, not a model folder: open or drop one picture at a time (the canvas holds one), or train a model on the folder in the Train tab (Data: Folder…)", filepath.Base(p))
		} else if missingModelFiles(p) != nil && slices.Contains(codebook.ImageExtensions(), strings.ToLower(filepath.Ext(p))) {
			// Named like a picture, which the user meant to open.
			err = fmt.Errorf("%s is a folder, not a picture file: open a picture inside it", p)
		} else {
			err = f.host.OpenModelFolder(p)
		}
		f.host.report(err)
		return false
	}
	f.host.report(f.host.openFile(p, note))
	return true
}

// showOpenPath asks for a picture's path, typed or pasted (Fyne's file
// dialog takes none): a full path, "~/…", or a name in the folder an image
// was last opened from; a folder opens as a model folder, as a drop does.
// typed is the text to start from ("" for the last folder).
func (f *fileDialogs) showOpenPath(typed string) {
	if err := f.host.modelOpen(); err != nil {
		f.host.showError(err)
		return
	}
	entry := widgets.NewTipEntry(false, "A picture's path: a full path (/home/me/cat.png, ~/cat.png) or a name in the folder shown; a model folder opens the model")
	if typed == "" {
		typed = f.openDir() + string(filepath.Separator)
	}
	entry.SetText(typed)
	entry.CursorColumn = len([]rune(typed)) // typing goes after the folder shown, not before it
	browse := widgets.NewTipButton("Browse…", theme.FolderOpenIcon(), "Pick the file in the file dialog instead", nil)
	content := widgets.AtLeast(520, container.NewVBox(widget.NewLabel("Open the picture at"), container.NewBorder(nil, nil, nil, browse, entry)))
	var d dialog.Dialog
	open := func() {
		d.Hide()
		path, err := resolveOpenPath(entry.Text, f.openDir())
		if err != nil {
			f.showOpenPath(entry.Text) // what was typed stays, to correct
			f.host.showError(err)      // in the status line too: it had kept an older failure's line
			return
		}
		if f.openPath(path, "") {
			f.set.SetOpenDir(filepath.Dir(path))
		}
		f.host.focusHome(false)
	}
	d = dialog.NewCustomConfirm("Open path", "Open", "Cancel", content, func(ok bool) {
		if ok {
			open()
		}
	}, f.win)
	entry.OnSubmitted = func(string) { open() }
	entry.OnEscape = func() { f.host.dismissTopDialog() }
	browse.OnTapped = func() { d.Hide(); f.showOpen() }
	d.Show()
	f.win.Canvas().Focus(entry)
}

// resolveOpenPath turns what was typed as a picture to open into a path
// that exists: "~/…" is in the home folder, a relative path is in dir. A
// full path typed or pasted after the folder shown starts afresh, as in
// Emacs's file prompts, when the whole text names nothing:
// ".../Pictures//tmp/cat.png" is /tmp/cat.png and ".../Pictures/~/cat.png"
// is ~/cat.png.
func resolveOpenPath(typed, dir string) (string, error) {
	p := strings.TrimSpace(typed)
	p = strings.Trim(p, `"'`) // pasted with quotes
	if p == "" {
		return "", errors.New("open: type or paste the picture's path")
	}
	if i := strings.Index(p, "file://"); i >= 0 {
		// A file manager's copied location (file:///…/a%20b.png), typed
		// alone or pasted after the folder the box shows.
		if u, err := url.Parse(p[i:]); err == nil && u.Path != "" {
			p = u.Path
		}
	}
	whole, err := existingPath(p, dir)
	if err == nil {
		return whole, nil
	}
	sep := string(filepath.Separator)
	fresh := p
	for _, start := range []string{sep, "'" + sep, `"` + sep, "~" + sep} { // a root, quoted or home path after the folder
		if i := strings.LastIndex(fresh, sep+start); i >= 0 {
			fresh = fresh[i+len(sep):]
		}
	}
	if fresh = strings.Trim(fresh, `"'`); fresh == p || fresh == "" {
		return "", err
	}
	return existingPath(fresh, dir)
}

// existingPath is p ("~/…" in the home folder, relative in dir), cleaned,
// or an error saying that nothing is there.
func existingPath(p, dir string) (string, error) {
	p, err := expandHome(p)
	if err != nil {
		return "", fmt.Errorf("open %w", err)
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	p = filepath.Clean(p)
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("open: there is no file or folder %s", p)
	} else if err != nil {
		return "", fmt.Errorf("open: %w", err) // permission denied, a loop of links…
	}
	return p, nil
}

// openDir is where Open image… starts: the folder an image was last
// opened from, else where the pictures are (exportDir), not the home
// folder.
func (f *fileDialogs) openDir() string {
	if dir := f.set.OpenDir(); dir != "" {
		if info, err := os.Stat(dir); err == nil && info.IsDir() {
			return dir
		}
	}
	return f.exportDir()
}

// exportDir is the folder exports go to by default: the last one used,
// else the outputs folder.
func (f *fileDialogs) exportDir() string {
	if dir := f.set.ExportDir(); dir != "" {
		if info, err := os.Stat(dir); err == nil && info.IsDir() {
			return dir
		}
	}
	return f.outputs()
}

// saveForm asks where to write a file: a path field that takes a full
// path as typed (or a name in the folder shown) and a folder picker.
type saveForm struct {
	path   *widgets.TipEntry
	browse *widgets.TipButton
	box    *fyne.Container
	ext    string // the extension of what it writes: ".png", ".gif"
}

// newSaveForm starts at name in the export folder, or at name-2, name-3, …
// when a file of that name is already there.
func (f *fileDialogs) newSaveForm(name, what string) *saveForm {
	form := &saveForm{ext: filepath.Ext(name)}
	form.path = widgets.NewTipEntry(false, fmt.Sprintf("Where to write the %s: a full path (/home/me/cat%s, ~/cat%s) or a name in the folder shown", what, form.ext, form.ext))
	form.path.SetText(freePath(filepath.Join(f.exportDir(), name)))
	form.browse = widgets.NewTipButton("Folder…", theme.FolderOpenIcon(), "Pick the folder; the file name stays", func() {
		d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
			if err == nil && u != nil {
				base := filepath.Base(strings.TrimSpace(form.path.Text))
				if base == "." || base == string(filepath.Separator) || base == "" {
					base = name
				}
				form.path.SetText(filepath.Join(u.Path(), base))
			}
		}, f.win)
		if l, err := storage.ListerForURI(storage.NewFileURI(f.exportDir())); err == nil {
			d.SetLocation(l)
		}
		d.Resize(dialogSize(f.win))
		d.Show()
	})
	form.box = container.NewVBox(widget.NewLabel("Save as"), container.NewBorder(nil, nil, nil, form.browse, form.path))
	return form
}

// showSaveDialog shows a save dialog titled title holding form (with more
// rows, if any) and calls save with the path typed.
func (f *fileDialogs) showSaveDialog(title string, form *saveForm, save func(typed string) error, more ...fyne.CanvasObject) {
	content := container.NewVBox(append([]fyne.CanvasObject{form.box}, more...)...)
	var show func()
	show = func() {
		d := dialog.NewCustomConfirm(title, "Save", "Cancel", widgets.AtLeast(520, content), func(ok bool) {
			if ok {
				f.saveTo(form.path.Text, form.ext, save, show)
			}
		}, f.win)
		form.path.OnSubmitted = func(string) { d.Hide(); f.saveTo(form.path.Text, form.ext, save, show) }
		form.path.OnEscape = func() { f.host.dismissTopDialog() }
		d.Show()
		f.win.Canvas().Focus(form.path)
	}
	show()
}

// saveTo calls save with the path typed, after asking whether to replace
// the file when one is already there (a second Ctrl+S, Enter on the same
// name once replaced an export without a word). When save fails, or the
// file is not to be replaced, again (if not nil) shows the dialog once
// more, what was typed still in it (under the error).
func (f *fileDialogs) saveTo(typed, ext string, save func(typed string) error, again func()) {
	try := func() {
		if err := save(typed); err != nil {
			if again != nil {
				again()
			}
			f.host.report(err) // save reports a path it cannot take
		}
	}
	path, err := resolveSavePath(typed, f.exportDir(), ext)
	var missing *missingFolderError
	if errors.As(err, &missing) {
		// A folder that is not there yet is offered, not refused.
		dialog.ShowConfirm("Create the folder?", fmt.Sprintf("%s does not exist. Create it and save %s in it?", missing.dir, filepath.Base(missing.path)), func(ok bool) {
			if !ok {
				if again != nil {
					again()
				}
				return
			}
			if err := os.MkdirAll(missing.dir, 0o755); err != nil {
				if again != nil {
					again()
				}
				f.host.report(fmt.Errorf("create the folder %s: %w", missing.dir, err))
				return
			}
			f.saveTo(typed, ext, save, again)
		}, f.win)
		return
	}
	if err == nil {
		if _, err := os.Stat(path); err == nil {
			d := newQuestion("Replace the file?", fmt.Sprintf("%s is already in %s. Replace it?", filepath.Base(path), filepath.Dir(path)), func(ok bool) {
				switch {
				case ok:
					try()
				case again != nil:
					again() // back to the name, to type another
				}
			}, f.win)
			destructive(d)
			d.Show()
			return
		}
	}
	try()
}

// freePath is path, or path with -2, -3, … before its extension: the first
// that names no file.
func freePath(path string) string {
	ext := filepath.Ext(path)
	stem := strings.TrimSuffix(path, ext)
	for i, p := 2, path; i < 10000; i++ {
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
			return p
		}
		p = fmt.Sprintf("%s-%d%s", stem, i, ext)
	}
	return path
}

// exportForm is the export flow: where to (a full path may be typed),
// how large and with which filter, and the size that makes.
type exportForm struct {
	*saveForm
	scale       *widgets.TipSelect
	filter      *widgets.Choice
	transparent *widgets.TipCheck
	size        *widget.Label
	rows        *fyne.Container
}

// dialogKeys is what Return, Enter and Escape do on a focused control of
// a dialog: press its default button, or cancel it, as they do with no
// control focused (widgets.DialogKeys).
func (f *fileDialogs) dialogKeys() widgets.DialogKeys {
	return func(ev *fyne.KeyEvent) bool {
		if ev.Name == fyne.KeyEscape {
			return f.host.dismissTopDialog()
		}
		return f.host.confirmTopDialog()
	}
}

// newExportForm builds the export form for the current image.
func (f *fileDialogs) newExportForm() *exportForm {
	e := &exportForm{saveForm: f.newSaveForm(f.exportName(), "PNG")}
	opts := make([]string, MaxUpscale)
	for i := range opts {
		opts[i] = scaleOption(i + 1)
	}
	e.size = widget.NewLabel("")
	e.scale = widgets.NewTipSelect(opts, "Upscale: each image pixel becomes k×k pixels", func(v string) {
		if k, err := strconv.Atoi(strings.TrimSuffix(v, "×")); err == nil {
			f.set.SetScale(k)
		}
		e.showSize(f)
	})
	e.scale.Quiet(func() { e.scale.SetSelected(scaleOption(f.set.Scale())) })
	e.filter = widgets.NewChoice([]string{Nearest.String(), Lanczos.String()}, []string{
		"Nearest: crisp square pixels", "Lanczos: smooth the pixels",
	}, func(v string) {
		f.set.SetFilter(parseFilter(v))
		e.showSize(f)
	})
	e.filter.ShowSelected(f.set.Filter().String())
	e.transparent = widgets.NewTipCheck("Transparent background", "Make the white around the picture transparent, for a sticker: "+
		"white inside it (the whites of eyes) stays, and the edges fade out", func(on bool) { f.set.SetTransparentBackground(on); e.showSize(f) })
	e.transparent.SetChecked(f.set.TransparentBackground())
	keys := f.dialogKeys()
	e.scale.OnDialogKey, e.transparent.OnDialogKey = keys, keys
	e.filter.SetDialogKeys(keys)
	e.showSize(f)
	e.rows = container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel("Upscale"), nil, e.scale),
		container.NewBorder(nil, nil, widget.NewLabel("Filter"), nil, e.filter.Object()),
		e.transparent,
		e.size,
	)
	return e
}

// showSize says how large the export will be.
func (e *exportForm) showSize(f *fileDialogs) {
	img, _, err := f.host.exportImage()
	if err != nil {
		e.size.SetText("")
		return
	}
	model := ""
	if b := f.host.Bundle(); b != nil {
		model = b.Name
	}
	e.size.SetText(exportSummary(img, f.set.Scale(), f.set.Filter(), f.set.TransparentBackground(), model))
}

// showExport asks where to export, how large and how, and exports.
func (f *fileDialogs) showExport() {
	if _, _, err := f.host.exportImage(); err != nil {
		f.host.showError(err)
		return
	}
	e := f.newExportForm()
	f.showSaveDialog("Export PNG", e.saveForm, f.host.ExportAs, e.rows)
}

// showTimelapse asks where to write the time-lapse (a full path may be
// typed) and writes it.
func (f *fileDialogs) showTimelapse() {
	if _, _, err := f.host.exportImage(); err != nil {
		f.host.showError(err)
		return
	}
	form := f.newSaveForm(strings.TrimSuffix(f.exportName(), ".png")+"-timelapse.gif", "GIF")
	f.showSaveDialog("Export time-lapse (GIF)", form, f.host.TimelapseAs)
}

// exportName suggests a file name from the prompt and seed.
func (f *fileDialogs) exportName() string {
	p := f.host.imageParams()
	if p.Imported != "" {
		// A picture opened from a file: named after it, never as it
		// (the export must not be taken for the original).
		if stem := outname.Words(strings.TrimSuffix(p.Imported, filepath.Ext(p.Imported))); stem != "" {
			return stem + "-tessera.png"
		}
	}
	if opened := f.host.openedFile(); opened != "" {
		// A picture of Tessera's opened and changed: offered under its
		// name, as an editor offers the file it opened (with a number
		// added where the folder holds a file of that name).
		return opened
	}
	read := p.Prompt
	if b := f.host.Bundle(); b != nil {
		read = b.ReadPrompt(read) // "🚀 twemoji": rocket-twitter
	}
	name := outname.Words(read)
	if p.Instruction != "" && p.Instruction != p.Prompt { // a reopened edit's prompt is its instruction
		// An edit's seed is the edit model's: named with its instruction's
		// own words, as the outputs folder names it (outname.EditWords;
		// "cat-face-fluent-flat-4244812408" named the edit model's seed
		// with the drawing prompt alone, and "blue-cat-mirror-it" kept the
		// instruction's filler).
		name = outname.EditWords(read, p.Instruction)
	}
	if name == "" {
		name = "tessera"
		if p.Seed == 0 {
			return name + ".png" // an opened picture: no seed made it
		}
	}
	return fmt.Sprintf("%s-%d.png", name, p.Seed)
}

// The Settings dialog's choices of sampler.RankBy.
const (
	rankModelLabel      = "as the model recommends (the hint below says which)"
	rankLikelihoodLabel = "likelihood under the prompt (the most typical images)"
	rankGainLabel       = "prompt gain (the images the prompt explains best)"
	rankDescLabel       = "description (what the model would describe by the prompt; seconds an image on emoji)"
)

// rankLabels are the Settings choices, each with the order it picks.
var rankLabels = []struct {
	label string
	by    sampler.RankBy
}{
	{rankModelLabel, ""},
	{rankLikelihoodLabel, sampler.RankLikelihood},
	{rankGainLabel, sampler.RankPromptGain},
	{rankDescLabel, sampler.RankDescription},
}

// rankLabel is the Settings choice of by.
func rankLabel(by sampler.RankBy) string {
	for _, r := range rankLabels {
		if r.by == by {
			return r.label
		}
	}
	return rankModelLabel
}

// rankByLabel is the order a Settings choice picks.
func rankByLabel(label string) sampler.RankBy {
	for _, r := range rankLabels {
		if r.label == label {
			return r.by
		}
	}
	return ""
}

// showSettings shows the settings dialog: the outputs folder (and whether
// a batch's every image is saved there), the patch grid and the order of
// batches.
func (f *fileDialogs) showSettings() {
	f.settingsWith(settingsForm{outputs: f.outputs(), grid: f.grid(), rankBy: f.set.RankBy(), saveAll: f.set.SaveAllCandidates()})
}

// settingsForm is what the Settings dialog shows: the settings as they are,
// or as typed in a dialog whose Save was refused.
type settingsForm struct {
	outputs string
	grid    bool
	rankBy  sampler.RankBy
	saveAll bool // every image of a batch goes to the outputs folder
}

// settingsWith is the Settings dialog filled from form. Save applies every
// setting or, when the outputs folder is refused, none: the dialog comes
// back with what was chosen, under the error, and Cancel then changes
// nothing.
func (f *fileDialogs) settingsWith(form settingsForm) {
	dir := widgets.NewTipEntry(false, "The folder every picture made is saved in (a full path, or ~/…)")
	dir.SetText(form.outputs)
	browse := widget.NewButton("Browse…", func() {
		d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
			if err == nil && u != nil {
				dir.SetText(u.Path())
			}
		}, f.win)
		if at, err := storage.ListerForURI(storage.NewFileURI(strings.TrimSpace(dir.Text))); err == nil {
			d.SetLocation(at) // starts at the folder shown
		}
		d.Resize(dialogSize(f.win))
		d.Show()
	})
	saveAll := widgets.NewTipCheck("Save every image of a batch", "Save all the candidates of a run (a batch, a masked regeneration, an edit) to the outputs folder when it ends, as A1111 saves a batch; a stopped run's partial candidates wait to be picked (off: only the image kept, and each candidate you pick)", nil)
	saveAll.SetChecked(form.saveAll)
	saveAll.OnDialogKey = f.dialogKeys()
	grid := widgets.NewTipCheck("Show patch grid lines", "Draw the patch grid over the canvas (also in the editing panel)", nil)
	grid.SetChecked(form.grid)
	grid.OnDialogKey = f.dialogKeys()
	var labels []string
	for _, r := range rankLabels {
		labels = append(labels, r.label)
	}
	// A drop-down, not radio buttons: a focused radio button kept Escape
	// and Return from the dialog, and Fyne's radio gives no hook for them.
	rank := widgets.NewTipSelect(labels, "How a batch's candidates are ordered, best first (the studio's strip, tessera generate --rank)", nil)
	rank.SetSelected(rankLabel(form.rankBy))
	rank.OnDialogKey = f.dialogKeys()
	items := []*widget.FormItem{
		widget.NewFormItem("Outputs folder", container.NewVBox(container.NewBorder(nil, nil, nil, browse, dir), saveAll)),
		widget.NewFormItem("Canvas", grid),
		widget.NewFormItem("Batches best first by", rank),
	}
	items[0].HintText = "The image a run keeps is always saved; the other candidates when you pick one, or all at once with the box ticked"
	// In the choices' own words (it said "mean log-likelihood" beside
	// "likelihood under the prompt" for the same order).
	recommended, _, _ := strings.Cut(rankLabel(f.host.modelOrder()), " (")
	items[2].HintText = "This model recommends " + recommended
	f.settingsRank = rank
	d := dialog.NewForm("Settings", "Save", "Cancel", items, func(ok bool) {
		f.settingsRank = nil
		if !ok {
			return
		}
		chosen := settingsForm{outputs: dir.Text, grid: grid.Checked, rankBy: rankByLabel(rank.Selected), saveAll: saveAll.Checked}
		if d := strings.TrimSpace(dir.Text); d != f.outputs() {
			if err := f.host.SetOutputsDir(d); err != nil {
				f.settingsWith(chosen) // again, under the error, nothing applied
				f.host.report(err)
				return
			}
		}
		f.set.SetRankBy(chosen.rankBy)
		f.set.SetSaveAllCandidates(chosen.saveAll)
		f.host.setGridLines(chosen.grid)
	}, f.win)
	dir.OnSubmitted = func(string) { d.Submit() } // Return in the field saves, as the button does
	dir.OnEscape = func() { f.host.dismissTopDialog() }
	d.Show()
}
