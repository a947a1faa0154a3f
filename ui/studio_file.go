package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/engine/atomicfile"
	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/outname"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/internal/paths"
	"github.com/tessera-studio/tessera/internal/plural"
	"github.com/tessera-studio/tessera/ui/core"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// showError shows err in a dialog; the studio carries on as it was.
func (s *Studio) showError(err error) {
	if err == nil {
		return
	}
	s.lastErr = err
	// A run in the way is said on the status line, not in a dialog: the
	// run's own end replaces the line, where a dialog outlived the run it
	// named (a shortcut pressed during a run raised one). The line is on
	// the Create tab: from the Train tab it is a dialog still.
	if busy := (errBusy{}); errors.As(err, &busy) && s.Tab() == createTab {
		s.setStatus(err.Error())
		return
	}
	// The dialog goes; the status line and its log keep it (the line
	// had kept an older failure's text under a newer error's dialog), on
	// one line; the Train tab's errors stay off the Create tab's line.
	var n notice
	line := "Error: " + err.Error()
	if errors.As(err, &n) {
		line = n.title + ": " + n.msg
	}
	line = strings.Join(strings.Fields(line), " ")
	if s.Tab() == createTab {
		s.setStatus(line)
	} else {
		s.logStatus(line)
	}
	if s.closing {
		return
	}
	// The newest error replaces the one shown: errors do not pile up
	// behind each other.
	d := errorDialog(err, s.win)
	if n.title != "" {
		d = dialog.NewInformation(n.title, widgets.WrapText(n.msg, 60), s.win)
	}
	widgets.HideTips(s.win.Content()) // a tip shown under the pointer stayed over the dialog
	s.errDialog.show(d, err.Error())
}

// errorDialog is Fyne's error dialog for err, but where its message starts
// with a file name (capitalize leaves it), one that keeps the name's case:
// Fyne upper-cases the first letter ("Tessera-….png is no longer in …"
// named a file that is not there on a case-sensitive disk).
func errorDialog(err error, win fyne.Window) dialog.Dialog {
	msg := err.Error()
	if msg == "" || capitalize(msg) != msg || msg[0] < 'a' || msg[0] > 'z' {
		return dialog.NewError(err, win)
	}
	text := widget.NewLabel(widgets.WrapText(msg, 60))
	return dialog.NewCustom("Error", "OK", container.NewBorder(nil, nil, widget.NewIcon(theme.ErrorIcon()), nil, text), win)
}

// promptSwap is what an opening did to the prompt panel: its settings
// before (the user's) and after (the picture's).
type promptSwap struct{ before, after core.Params }

// swapPromptBack puts the prompt panel as an undo or redo between steps
// leaving and now finds it: the user's settings when an opening is undone,
// the picture's when it is redone (Studio.promptSwaps), or, where the
// panel is as the last of those swaps left it, as it was when an undo
// left step now (Studio.promptLeft): a redo past an opening brings back
// what was typed at the opening and at the steps after it.
func (s *Studio) swapPromptBack(leaving, now uint64) {
	typed, err := s.panel.Params()
	if err == nil && now < leaving && len(s.promptSwaps) > 0 {
		if s.promptLeft == nil {
			s.promptLeft = map[uint64]core.Params{}
		}
		s.promptLeft[leaving] = typed
	}
	// unedited: the panel is as the last swap, at step leaving, left it.
	unedited := err == nil && s.promptSet != nil && s.promptSetAt == leaving && typed == *s.promptSet
	set := func(p core.Params) {
		s.panel.SetParams(p)
		s.paramsChanged()
		s.promptSet, s.promptSetAt = nil, now
		if q, err := s.panel.Params(); err == nil {
			s.promptSet = &q
		}
	}
	left, wasLeft := s.promptLeft[now]
	if sw, ok := s.promptSwaps[leaving]; ok && now < leaving {
		set(sw.before)
	} else if sw, ok := s.promptSwaps[now]; ok && now > leaving {
		if err == nil {
			sw.before = typed // what was typed since the undo comes back at the next one
			s.promptSwaps[now] = sw
		}
		if wasLeft && unedited {
			set(left) // typed after the opening, before its undo
		} else {
			set(sw.after)
		}
	} else if wasLeft && now > leaving && unedited {
		// Redone past an opening, the panel unedited since: as it was
		// at this step (the picture's prompt stayed beside an image
		// made from another).
		set(left)
	}
}

// openedPicture is the Tessera picture the document's image was opened
// from: its file name and the undo step of the opening.
type openedPicture struct {
	name string
	step uint64
}

// notice is a refusal that is no fault, such as an edit with nothing to
// do: showError shows it as information under its own title, not as an
// error.
type notice struct{ title, msg string }

func (n notice) Error() string { return n.msg }

// closeError closes the error shown, if any (Escape and Return do).
func (s *Studio) closeError() bool { return s.errDialog.close() }

// errorShown reports whether an error dialog is shown.
func (s *Studio) errorShown() bool { return s.errDialog.shown() }

// modelOrder is the order the current model recommends for its batches of
// a prompt it knows (likelihood when none, or no model is loaded).
func (s *Studio) modelOrder() sampler.RankBy {
	if s.bundle == nil {
		return sampler.RankLikelihood
	}
	return sampler.ModelRankBy(s.bundle)
}

// imageParams are the current image's own parameters.
func (s *Studio) imageParams() core.Params { return s.doc.ImageParams() }

// openedFile is the name of the Tessera picture the image was opened from
// and is still a change of, or "PHOTO-tessera.png" for a change of a
// picture imported from PHOTO ("" when it was drawn here, opened from the
// outputs folder, or the changes since the opening were undone): an
// export is suggested under it, as an editor suggests the name of the
// file it opened (the Export dialog adds a number where a file of that
// name is in the folder).
func (s *Studio) openedFile() string {
	if s.opened.name == "" || !s.doc.Descends(s.opened.step) {
		return ""
	}
	return s.opened.name
}

// modelOpen says why no picture can be opened now (nil if one can): no
// model is open, or a job runs (errBusy, said on the status line: stop
// it, or wait for a model load, which Stop does not end).
func (s *Studio) modelOpen() error {
	if s.bundle == nil {
		return errNoModel
	}
	if busy, ok := s.runs.runner.Busy(); ok {
		// Said before the dialog: a path typed while a picture opened was
		// taken, then thrown away ("… is still running; stop it first").
		busy.then = "open the picture"
		return busy
	}
	return nil
}

// setGridLines shows or hides the patch grid and remembers it.
func (s *Studio) setGridLines(on bool) {
	s.canvas.SetGridLines(on)
	s.edit.grid.SetChecked(on)
	s.set.SetGrid(on)
}

// LastError is the last error shown (nil if none).
func (s *Studio) LastError() error { return s.lastErr }

// PasteImage opens the image on the system clipboard (a PNG, as other
// programs and Copy image put it there) as the current image, as opening a
// file does (encoded from its pixels, or exactly from Tessera's record);
// File › Paste image, Ctrl+Shift+V. The current image stays when the
// clipboard holds no image. Without a clipboard tool for images, a picture
// file's path on the clipboard's text (which Copy image puts there then)
// opens that file.
func (s *Studio) PasteImage() error {
	if s.bundle == nil {
		return errNoModel
	}
	b, paste, read := s.bundle, s.paste, s.imageReader()
	return s.readPicture("pasting an image", pastedName, "", func(ctx context.Context) (string, *opened, error) {
		// Not cancelled by Stop, which only gives the paste up: xclip
		// killed halfway through a large picture's transfer left the
		// program that owns the clipboard stuck, and the next read of
		// the clipboard (Fyne's, on the UI thread) froze the studio for
		// good. The tool's own time limit stays.
		data, err := paste(context.WithoutCancel(ctx))
		if errors.Is(err, errNoImagePasted) || errors.Is(err, errNoPasteTool) {
			// The clipboard's text, read by Fyne itself (no tool needed),
			// only now: on the UI thread it waits for the clipboard's
			// owner, which was still serving the image above. Only after
			// a tool that ended by itself, or none: a tool killed at its
			// time limit can leave that owner stuck, and the read would
			// freeze the studio (the paste says it timed out instead).
			var clipText string
			s.loop.DoAndWait(func() { clipText = s.app.Clipboard().Content() })
			if path, isText := pastedText([]byte(clipText)); isText && path != "" {
				data, err = []byte(path), nil // Copy image then Paste image, with no xclip
			}
		}
		var o *opened
		path := "" // a picture file whose path was pasted
		switch text, isText := pastedText(data); {
		case err != nil:
		case isText && text == "":
			err = errPastedText
		case isText:
			path = text
			o, err = read(path, b)
		default:
			o, err = openImageData(data, pastedName, b)
		}
		if err != nil {
			err = fmt.Errorf("paste image: %w", err)
		}
		return path, o, err
	})
}

// errPastedText is PasteImage's error for a clipboard that holds text other
// than a picture file's path (xclip hands text over for the image/png
// target too).
var errPastedText = errors.New("the clipboard holds text, not an image: copy an image, or a picture file's path (File › Open path… takes a path too)")

// pastedText reports whether data, pasted from the clipboard, is text
// rather than an image, and if it names an existing file (a path, or a
// file:// URI as file managers copy it, on one line), that file's path.
func pastedText(data []byte) (path string, isText bool) {
	if len(data) == 0 || len(data) > 64<<10 || !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return "", false // a PNG has a NUL in its first bytes, a JPEG no valid UTF-8
	}
	text := strings.Trim(strings.TrimSpace(string(data)), `"'`)
	if strings.ContainsAny(text, "\r\n") {
		return "", true
	}
	if u, err := url.Parse(text); err == nil && u.Scheme == "file" {
		text = u.Path
		if runtime.GOOS == "windows" && len(text) > 2 && text[0] == '/' && text[2] == ':' {
			text = text[1:] // file:///C:/x.png is /C:/x.png
		}
		text = filepath.FromSlash(text)
	}
	if st, err := os.Stat(text); err == nil && st.Mode().IsRegular() {
		return text, true
	}
	return "", true
}

// OpenFile opens an image file (codebook.ImageFormats) as the current image: from its stored codes
// when it carries Tessera's metadata for this model (with its mask and
// parameters), else resized and encoded with the model's codebook. A file
// that cannot be read is reported and the current image stays.
func (s *Studio) OpenFile(path string) error { return s.openFile(path, "") }

// openFile is OpenFile with a note added to the status line once the
// image is open.
func (s *Studio) openFile(path, note string) error {
	if s.bundle == nil {
		return errNoModel
	}
	s.opt.OpenImage = "" // a picture opened now: the one the studio was started on is not opened over it
	b, read := s.bundle, s.imageReader()
	return s.readPicture("opening an image", filepath.Base(path), note, func(context.Context) (string, *opened, error) {
		o, err := read(path, b)
		return path, o, err
	})
}

// imageReader is how Open reads and encodes a picture file (readImage,
// else openImageFile).
func (s *Studio) imageReader() func(string, *bundle.Bundle) (*opened, error) {
	if s.readImage != nil {
		return s.readImage
	}
	return openImageFile
}

// readPicture runs read (UI goroutine to call), a picture's reading and
// encoding for the current model, as the job named job, and makes the
// picture current (applyOpened, with note) when it is read. A large
// picture takes seconds to decode: the studio says what it is doing
// ("Opening name…") and Stop gives it up, the canvas keeping its image (it
// said nothing for ten seconds, then asked to stop a job no button could
// stop). A read given up still runs to its end, its result dropped; the
// next read waits for it, and says so on the status line, so that a
// picture opened and given up again and again never holds several decodes
// in memory at once; stopped before its own read began, it starts none.
func (s *Studio) readPicture(job, name, note string, read func(context.Context) (string, *opened, error)) error {
	if busy, ok := s.runs.runner.Busy(); ok {
		return busy // before the panel and the progress, which belong to the run
	}
	b, params := s.bundle, s.params
	verb, what := "Opening ", name
	if name == pastedName {
		verb, what = "Pasting ", "the image on the clipboard"
	}
	s.panel.SetRunning(true)
	s.syncMenu() // Image › Stop with the button
	s.runs.prog.Begin(strings.ToLower(verb)+what, 0, time.Now())
	s.setStatus(verb + what + "…")
	ended := func() { // UI goroutine
		s.panel.SetRunning(false)
		s.syncMenu()
		s.runs.prog.End(time.Now())
	}
	stopped := func() {
		s.loop.DoAndWait(func() {
			ended()
			s.setStatus("Stopped " + strings.ToLower(verb) + what + ": the image on the canvas stays")
		})
	}
	err := s.runs.runner.Start(job, func(ctx context.Context) {
		if prev := s.reading; prev != nil && !isClosed(prev) { // a read given up, still decoding
			s.loop.Do(func() { s.setStatus(verb + what + "… (waiting for the read given up before to end)") })
			select {
			case <-prev:
			case <-ctx.Done():
				stopped()
				return
			}
		}
		if ctx.Err() != nil {
			// Stopped as the read given up ended (the select above picks
			// either at random when both are ready), or before the job
			// began: no decode is started.
			stopped()
			return
		}
		type result struct {
			path string
			o    *opened
			err  error
		}
		got, done := make(chan result, 1), make(chan struct{})
		s.reading = done // (jobs run one at a time: the next one reads it)
		go func() {
			r := func() (r result) {
				// Closed before the result is handed over, so that the
				// next read, started once this one is applied, never
				// waits for it (it waited, and a Stop then gave it up
				// before it had begun).
				defer close(done)
				r.path, r.o, r.err = read(ctx)
				return r
			}()
			got <- r
			if r.o != nil && r.o.Large {
				debug.FreeOSMemory() // a huge picture's pixels are garbage now: give them back
			}
		}()
		select {
		case r := <-got:
			s.loop.DoAndWait(func() {
				ended()
				s.applyOpened(r.path, b, params, r.o, r.err, note)
			})
		case <-ctx.Done():
			stopped() // the decode ends on its own, its result dropped
		}
	})
	if err != nil {
		ended()
	}
	return err
}

// isClosed reports whether ch is closed (without waiting): a select on it
// beside a done context picks either at random.
func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// pastedName is how a pasted image is named (it has no file).
const pastedName = "the pasted image"

// applyOpened makes an opened image current (UI goroutine); note ends
// the status line. path is "" for an image pasted from the clipboard.
func (s *Studio) applyOpened(path string, b *bundle.Bundle, p core.Params, o *opened, err error, note string) {
	typed := !maps.Equal(s.fieldTexts(), s.homeTexts) // since the focus went home: the user is at work there
	name := filepath.Base(path)
	if path == "" {
		name = pastedName
	}
	if err == nil && s.bundle != b {
		err = errors.New("the model changed while the image was read; open it again")
	}
	if err != nil {
		s.showDoc()
		s.setStatus("Could not open " + name)
		s.showError(err)
		return
	}
	ip := p // the image's own parameters, with its own seed
	// An edit by instruction records its instruction as its prompt and the
	// edit model's settings: they stay with the image, and the panel keeps
	// the drawing model's prompt and knobs.
	edited := o != nil && o.Record.IsEdit()
	// Another model's record: its prompt and settings were that model's
	// (words and knobs this one may not share); the picture is re-encoded
	// and the panel stays.
	// (The same weights under another name are no other model: a run's
	// model is called by its run folder now, and a folder may be renamed.)
	foreign := o.Record != nil && !edited && o.Record.Model != b.Name && (o.Record.ModelHash == "" || o.Record.ModelHash != b.Model.Hash)
	keptKnobs := false // the panel kept its knobs over the record's (a varied retry's)
	// A picture encoded from its pixels (another tool's, another model's,
	// or one exported as such) was not sampled: its record (an export's)
	// claims no prompt, seed or settings, and says where it came from.
	imported := func(from string) core.Params {
		q := p
		q.Prompt, q.Negative, q.Seed, q.StylePerSeed, q.Imported = "", "", 0, 0, from
		return q
	}
	switch {
	case edited:
		ip = p.WithRecord(o.Record)
		// Its prompt is the instruction (the prompt it was edited from is
		// not recorded).
		ip.Seed, ip.Instruction = o.Record.Seed, o.Record.Prompt
	case foreign:
		from := o.Record.ImportedFrom() // another model's import: the file it came from first
		if from == "" {
			from = name
		}
		ip = imported(from)
	case o.Record.ImportedFrom() != "":
		ip = imported(o.Record.ImportedFrom())
	case o.Record != nil:
		q := p.WithRecord(o.Record)
		if varied, _ := o.Record.Extra[extraVaried].(bool); varied {
			// Its knobs were the retry's, not a choice to draw with again:
			// the panel keeps its own (the image's own record keeps them).
			for _, sp := range sampling.Knobs() {
				sp.Set(&q.Settings, sp.Get(p.Settings))
			}
			keptKnobs = true
		}
		ip = p.WithRecord(o.Record)
		ip.Seed = o.Record.Seed
		p = q
	case o.A1111 != nil:
		// Its prompts and seed go to the panel, to draw from; the picture
		// is another tool's.
		p = p.WithA1111(*o.A1111)
		ip = imported(name)
	default:
		ip = imported(name)
	}
	var temps []float64
	if o.Record != nil && o.Exact {
		temps = o.Record.PatchTemperatures(o.Rows * s.doc.Cols)
	}
	s.tl.stopReplay()
	before, beforeStep := s.doc.Tokens(), s.doc.Step() // the image the candidates are of, for Undo
	if err := s.doc.SetState(o.Tokens, o.Rows, o.Mask, temps, ip, path, o.Picture); err != nil {
		s.showDoc()
		s.showError(fmt.Errorf("open %s: %w", name, err))
		return
	}
	keptTyped := "" // a prompt typed and not run, kept where no undo could bring it back
	taken := ""     // the panel's settings the opening replaced (settingsTaken)
	if (o.Record != nil || o.A1111 != nil) && !edited && !foreign {
		// Only an opening that made an undo step of its own (opening the
		// image shown makes none: its undo is the step before's) and once.
		typed, err := s.panel.Params()
		switch {
		case err == nil && s.doc.Step() != beforeStep:
			if _, ok := s.promptSwaps[s.doc.Step()]; !ok {
				if s.promptSwaps == nil {
					s.promptSwaps = map[uint64]promptSwap{}
				}
				s.promptSwaps[s.doc.Step()] = promptSwap{before: typed, after: p}
			}
		case err == nil && typed.Prompt != p.Prompt && typed.Prompt != ip.Prompt:
			// The image shown, opened again from its file, after a new
			// prompt was typed: no undo step holds that prompt, so the
			// file's would have replaced it for good.
			keptTyped = typed.Prompt
			p.Prompt = typed.Prompt
		}
		if err == nil {
			taken = settingsTaken(typed, p)
		}
		s.panel.SetParams(p)
		s.paramsChanged()
	}
	s.opened = openedPicture{}
	switch {
	case path != "" && ip.Imported == "" && !paths.Same(filepath.Dir(path), s.outputsDir):
		s.opened = openedPicture{name: name, step: s.doc.Step()} // a picture of the user's own, not one the studio saved
	case ip.Imported != "":
		// A photo's edits are offered under its name too, never as it
		// (fileDialogs.exportName; they were "tessera-SEED.png").
		if stem := outname.Words(strings.TrimSuffix(ip.Imported, filepath.Ext(ip.Imported))); stem != "" {
			s.opened = openedPicture{name: stem + "-tessera.png", step: s.doc.Step()}
		}
	}
	s.markSaved(o.Tokens, true)
	// The keyboard goes back to the window (the file dialog handed it to
	// the prompt box): Ctrl+Z then undoes the opening, not the typing.
	s.win.Canvas().Unfocus()
	s.cands.shelve(before, beforeStep) // an undo of the opening brings them back
	s.runs.prog.Clear()                // the bar's last run made another image
	s.runs.updateProgress()
	s.paint.setOverlays(s.doc.Masked() > 0 || s.doc.Temperature() != nil) // what came with the file is seen
	s.docChanged()
	msg := "Opened " + name
	// The seed the file says made it, where one did.
	fileSeed, hasSeed := ip.Seed, o.Record != nil && !edited && ip.Imported == ""
	if o.A1111 != nil && o.Record == nil {
		fileSeed, hasSeed = o.A1111.Seed, o.A1111.Imported == "" // Tessera's text of an imported picture names no seed
	}
	if hasSeed && p.SeedLocked && p.Seed != fileSeed {
		msg += fmt.Sprintf(" (its seed is %d; your locked seed %d stays)", fileSeed, p.Seed)
	}
	switch {
	case o.Exact && o.Approx:
		// An edit given its source's detail, exported with a transparent
		// background or smoothly upscaled: its own pixels, about.
		msg += " from its stored codes and parameters, its picture from its pixels (flattened on white and at the model's size: a transparent or smoothly upscaled export keeps them only about; the copy in the outputs folder keeps every pixel)"
	case o.Exact:
		msg += " exactly, from its stored codes and parameters"
		if n := s.doc.Masked(); n > 0 {
			// Shown as an outline only: the next masked action works on it.
			msg += fmt.Sprintf(", with its mask of %s (Edit › Clear mask, Ctrl+Shift+Backspace, to work on the whole image)", plural.N(n, "patch", "patches"))
		}
	case o.A1111 != nil && o.A1111.Imported != "":
		msg += fmt.Sprintf(" (encoded from its pixels; its text says it was imported from %s)", o.A1111.Imported)
	case o.A1111 != nil:
		msg += " (encoded from its pixels; parameters read from its A1111 text)"
	default:
		msg += " (encoded from its pixels)"
	}
	// Warnings before notes: the status line cuts a long message (its
	// tooltip and the log show it whole).
	if o.PSNR > 0 && o.PSNR < poorEncodingDB {
		// The canvas keeps its pixels (opened.Picture): what the model
		// draws from them is what differs.
		msg += fmt.Sprintf(" — model %s reads it at only %.1f dB PSNR, unlike what it learnt: the canvas keeps your pixels, but what it draws into them (a masked regeneration, Complete, an edit) may look unlike them", b.Name, o.PSNR)
	}
	if o.Tinted {
		msg += fmt.Sprintf(" — model %s has no pure greys: what it draws into this grey picture comes out tinted", b.Name)
	}
	if o.Note != "" {
		msg += " — " + o.Note
	}
	if keptKnobs {
		msg += fmt.Sprintf(" — drawn at temperature %g and guidance %g for more variation; the panel keeps yours", ip.Temperature, ip.Guidance)
	}
	if taken != "" {
		msg += " · the panel takes its " + taken
		if s.doc.Step() != beforeStep {
			msg += " (Undo gives yours back)"
		}
	}
	if edited {
		msg += fmt.Sprintf(": an edit by instruction (%q, back in the Edit by instruction box); the prompt and settings stay as they were", o.Record.Prompt)
		s.edit.instruction.SetText(o.Record.Prompt)
	}
	if foreign {
		// modelKeyFor once (it may hash recent model folders), its folder
		// checked as findModel does.
		key, known := s.modelKeyFor(o.Record.Model, o.Record.ModelHash)
		switch {
		case known && !folderGone(key):
			msg += fmt.Sprintf("; it was made by model %s, whose prompt and settings are not applied here (open it from the history, or open that model, to reuse them)", o.Record.Model)
		case known:
			// Its folder is gone: advice to open it from the history it
			// was just opened from went round in a circle.
			msg += fmt.Sprintf("; it was made by model %s, whose folder is not found any more (%s: a deleted run, or a folder moved): %s draws it from its pixels, and its prompt and settings are not applied", o.Record.Model, key, b.Name)
		default:
			msg += fmt.Sprintf("; it was made by model %s, which is not among the models known here, so its prompt and settings are not applied (%s, beside the model picker, opens its folder)", o.Record.Model, openFolderOption)
		}
	}
	if note != "" {
		msg += " — " + note
	}
	if keptTyped != "" {
		msg += fmt.Sprintf(" — the prompt you typed (%q) stays in the box; the picture's was %q", keptTyped, ip.Prompt)
	}
	s.setStatus(msg)
	if len(o.Tokens) == b.ImageTokens() {
		s.scoreInBackground(b, p.Prompt, o.Tokens, msg)
	}
	if f := s.win.Canvas().Focused(); !typed && (f == nil || f == s.homeFocused) {
		// Where the focus went home before the picture was in (an Open
		// dialog closing on an empty canvas: the prompt), and has stayed
		// with nothing typed since, or nowhere (the seed box it was in
		// took the picture's seed): its home is the canvas now.
		s.focusHome(true)
	}
}

// scoreInBackground adds how likely the model finds tokens (bits per
// patch, lower is more typical) under prompt to the status line msg,
// naming the prompt: a picture opened without one of its own is scored
// under the prompt box's, which the figure depends on.
func (s *Studio) scoreInBackground(b *bundle.Bundle, prompt string, tokens []int, msg string) {
	workers := s.opt.Workers
	under := b.Name
	switch {
	case !b.Conditional():
	case strings.TrimSpace(prompt) == "":
		under += " without a prompt"
	default:
		under += fmt.Sprintf(" and the prompt %q", prompt)
	}
	s.goBackground(func() {
		sc, err := sampler.ScoreTokens(s.ctx, b, prompt, tokens, workers)
		if err != nil {
			return
		}
		s.loop.Do(func() {
			s.amendStatus(msg, fmt.Sprintf("%s · %.2f bits/patch under %s", msg, sc.BitsPerToken(), under))
		})
	})
}

// exportImage is the current image's picture and codes.
func (s *Studio) exportImage() (image.Image, []int, error) {
	if s.bundle == nil {
		return nil, nil, errNoModel
	}
	if s.doc == nil || s.doc.Empty() {
		return nil, nil, errNoImage
	}
	return s.docPicture(), s.doc.Tokens(), nil
}

// ExportTo writes the current image as a PNG at path with its metadata,
// upscaled by the export settings, atomically.
func (s *Studio) ExportTo(path string) error {
	img, tokens, err := s.exportImage()
	if err != nil {
		return err
	}
	rec := s.exportRecord(tokens)
	setRecordRows(&rec, s.doc.ImageRows())
	if s.doc.Picture() != nil {
		rec.Extra[extraKeptPixels] = true
	}
	if temps := s.doc.Temperature(); temps != nil {
		rec.Extra[extraTemperature] = temps
	}
	k, f := s.set.Scale(), s.set.Filter()
	if s.set.TransparentBackground() {
		rec.Extra[extraTransparent] = true
	}
	if err := exportPNG(path, img, k, f, rec); err != nil {
		return err
	}
	if paths.Same(filepath.Dir(path), s.outputsDir) {
		// Into the outputs folder, which the history strip lists: shown
		// there at once (it came only after a restart).
		if it, _, err := historyItemAt(path); err == nil {
			s.history.prepend(it)
		}
	}
	s.markSaved(tokens, true)
	s.set.SetExportDir(filepath.Dir(path))
	s.autosave()
	msg := fmt.Sprintf("Exported %s (%s)", path, exportSummary(img, k, f, s.set.TransparentBackground(), s.bundle.Name))
	if shown, n := s.shownPatches(), len(tokens); shown < n && !s.tl.Replaying() {
		// Scrubbed back, the canvas shows part of the image: the file
		// holds all of it, which was written without a word.
		msg += fmt.Sprintf(" · the whole image: the timeline shows %d of its %d patches", shown, n)
		if !s.doc.Tall() { // Branch from here takes the model's own grid only
			msg += " (Branch from here keeps those and draws the rest anew)"
		}
	}
	s.setStatus(msg)
	return nil
}

// exportSummary says how large and how an export of img, a picture of
// model (its name), is: scale k, filter f, and when a transparent
// background is asked (transparent) whether it makes one
// (transparencyNote).
func exportSummary(img image.Image, k int, f Filter, transparent bool, model string) string {
	b := img.Bounds()
	out := fmt.Sprintf("%d×%d px: %d× the model's %d×%d, %s", b.Dx()*k, b.Dy()*k, k, b.Dx(), b.Dy(), f)
	if transparent {
		out += ", " + transparencyNote(img, model)
	}
	return out
}

// parentRecord is the Tessera record of the file the current image came
// from (its output, or the file opened), or nil when there is none or it
// cannot be read.
//
// A file this session wrote and the user deleted since is known by the
// record it was written with (an edit of the image on the canvas lost its
// source's prompt with the file).
func (s *Studio) parentRecord() *pngmeta.Record {
	if rec := recordOf(s.doc.Parent); rec != nil || s.doc.Parent == "" {
		return rec
	}
	if _, err := os.Lstat(s.doc.Parent); !errors.Is(err, fs.ErrNotExist) {
		return nil // there, but holding no record of ours
	}
	if rec, ok := s.runs.saved.recordAt(s.doc.Parent); ok {
		rec.Extra = maps.Clone(rec.Extra)
		return &rec
	}
	return nil
}

// recordOf is the Tessera record of the PNG at path, or nil when path is
// "", the file cannot be read or holds none.
func recordOf(path string) *pngmeta.Record {
	if path == "" {
		return nil
	}
	text, err := pngmeta.ReadFile(path)
	if err != nil {
		return nil
	}
	if rec, ok, err := pngmeta.ParseRecord(text); err == nil && ok {
		return rec
	}
	return nil
}

// exportRecord is the metadata record an export of tokens writes: the
// record of the output the image came from when that file holds these very
// codes (so the instruction and edit model of an edit and the settings
// that really made the image carry over), else one built from the
// document's parameters; either way of kind export, written by this
// version, with the output as its parent and the document's mask.
func (s *Studio) exportRecord(tokens []int) pngmeta.Record {
	parent := parentName(s.doc.Parent)
	if r := s.parentRecord(); r != nil && slices.Equal(r.Tokens, tokens) && r.ModelHash == s.bundle.Model.Hash {
		rec := *r
		rec.Extra = maps.Clone(r.Extra)
		if rec.Extra == nil {
			rec.Extra = map[string]any{}
		}
		if how := r.MadeFrom(); how != "" { // said in its parameters text: the kind and mask below are the export's
			rec.Extra[pngmeta.ExtraMadeFrom] = how
		}
		rec.Parent, rec.Extra[extraKind] = parent, "export"
		rec.Extra[pngmeta.ExtraSameAsParent] = true
		if seed := s.doc.ImageParams().Seed; seed != 0 && seed != r.Seed {
			// A candidate that drew the same picture as one saved before
			// ("#2 = #1": that file is its parent): its own seed, which
			// the export's name and the status give, draws it too.
			rec.Seed = seed
		}
		rec.Version = versionString(s.opt.Version)
		delete(rec.Extra, extraMask)
		delete(rec.Extra, extraKeptPixels) // ExportTo says it where the picture has them
		if m := s.doc.Mask(); core.AnyMasked(m) {
			rec.Extra[extraMask] = core.MaskString(m)
		}
		return rec
	}
	p := s.doc.ImageParams()
	return recordFor(s.opt.Version, s.bundle, p, p.Seed, tokens, s.doc.Mask(), parent, "export")
}

// ExportAs exports to what was typed in the export dialog: a full path as
// it is, a name into the last export folder (see resolveSavePath).
func (s *Studio) ExportAs(typed string) error {
	path, err := resolveSavePath(typed, s.files.exportDir(), ".png")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return s.ExportTo(path)
}

// CopyImage puts the current image (upscaled by the export scale) on the
// system clipboard.
func (s *Studio) CopyImage() {
	img, _, err := s.exportImage()
	if err != nil {
		s.showError(err)
		return
	}
	data, err := encodePNG(upscale(img, s.set.Scale(), s.set.Filter()))
	if err != nil {
		s.showError(fmt.Errorf("copy image: %w", err))
		return
	}
	parent := s.doc.Parent
	clip := s.clip
	s.goBackground(func() {
		err := clip(s.ctx, data)
		s.loop.Do(func() {
			if err == nil {
				s.setStatus("Image copied to the clipboard")
				return
			}
			if parent != "" && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
				// Something was copied: said on the status line, not in an
				// error dialog to dismiss. Not after a tool killed at its
				// time limit (copyToolEnded): the clipboard is left alone,
				// and the copy says it timed out.
				s.app.Clipboard().SetContent(parent)
				s.setStatus(fmt.Sprintf("The path of the image's file was copied, not the image: %v", err))
				return
			}
			if errors.Is(err, context.DeadlineExceeded) {
				s.setStatus("Copy image timed out: the clipboard is left as it was")
			}
			s.showError(fmt.Errorf("copy image: %w", err))
		})
	})
}

// loadThumbnail decodes a PNG for the history strip, with Tessera's
// metadata record when it has one (nil otherwise).
func loadThumbnail(path string) (image.Image, *pngmeta.Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		return nil, nil, fmt.Errorf("thumbnail %s: %w", path, err)
	}
	// A bound on pixels, not sides: an image grown downward is narrow and
	// tall (64 × 8192 px is 2 MB), and must stay in the history.
	if cfg.Width*cfg.Height > 2048*2048 || cfg.Width > 16384 || cfg.Height > 16384 {
		return nil, nil, fmt.Errorf("thumbnail %s: too large (%d×%d px)", path, cfg.Width, cfg.Height)
	}
	if _, err := f.Seek(0, 0); err != nil {
		return nil, nil, err
	}
	img, err := png.Decode(f)
	if err != nil {
		return nil, nil, fmt.Errorf("thumbnail %s: %w", path, err)
	}
	var rec *pngmeta.Record
	if _, err := f.Seek(0, 0); err == nil {
		if text, err := pngmeta.ReadText(f); err == nil {
			if r, ok, err := pngmeta.ParseRecord(text); ok && err == nil {
				rec = r
			}
		}
	}
	return img, rec, nil
}

// SetOutputsDir changes the outputs folder and reloads the history.
func (s *Studio) SetOutputsDir(dir string) error {
	dir = strings.TrimSpace(dir)
	if dir == "" {
		return errors.New("outputs folder: no folder given")
	}
	dir, err := expandHome(dir)
	if err != nil {
		return fmt.Errorf("outputs folder %w", err)
	}
	if !filepath.IsAbs(dir) {
		return fmt.Errorf("outputs folder %q: give a full path (/home/me/pictures, ~/pictures)", dir)
	}
	dir = filepath.Clean(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		var pe *fs.PathError
		switch {
		case errors.As(err, &pe) && errors.Is(err, syscall.ENOTDIR) && pe.Path == dir:
			return fmt.Errorf("outputs folder %s is a file, not a folder: give a folder (a new one is made)", dir)
		case errors.As(err, &pe) && errors.Is(err, syscall.ENOTDIR):
			return fmt.Errorf("outputs folder %s: %s is a file, not a folder: give a path of folders", dir, pe.Path)
		}
		return fmt.Errorf("outputs folder: %w", err)
	}
	if err := atomicfile.CheckFolder(dir); err != nil {
		return fmt.Errorf("outputs folder %s: cannot write in it: %w", dir, err)
	}
	old := s.outputsDir
	s.outputsDir = dir
	s.set.SetOutputs(dir)
	s.loadHistory()
	msg := "Results are saved in " + dir
	if old != "" && old != dir {
		// The History strip lists the outputs folder: say where the
		// pictures it showed went (nowhere: they stay in the old folder).
		msg += "; the History strip now lists its pictures (those in " + old + " stay there: choose it again to list them)"
	}
	s.setStatus(msg)
	return nil
}

// showAbout shows the About dialog, its body scrolled where the window is
// shorter than it (at a display scale of 150% the Close button lay over the
// credits and the libraries were below the window's edge).
func (s *Studio) showAbout() {
	dialog.ShowCustom("About Tessera", "Close", widgets.DialogBody(AboutContent(s.opt.Version, s.openLink)), s.win)
}

// openLink opens u in the web browser; where none opens it (no xdg-open:
// the link did nothing, the reason only in the log), the address goes on
// the clipboard and the status line says so.
func (s *Studio) openLink(u *url.URL) {
	if err := s.app.OpenURL(u); err != nil {
		s.app.Clipboard().SetContent(u.String())
		msg := fmt.Sprintf("No web browser opened %s (%v); the address is on the clipboard", u, err)
		s.setStatus(msg)
		// Said over the dialog the link was in too (About's links said it
		// only on the status line, behind the dialog).
		dialog.ShowInformation("Link", widgets.WrapText(msg+": paste it into a web browser.", 60), s.win)
		return
	}
	s.setStatus("Opened " + u.String() + " in the web browser")
}

// settingsTaken says which of the panel's settings an opened picture's
// replace, before → after ("temperature 0.8 → 1.95, guidance 3 → 1"), ""
// when none: they changed without a word, and the next run used them.
func settingsTaken(before, after core.Params) string {
	var out []string
	if before.Prompt != after.Prompt {
		out = append(out, fmt.Sprintf("prompt %q", after.Prompt))
	}
	if before.Negative != after.Negative {
		out = append(out, fmt.Sprintf("negative prompt %q", after.Negative))
	}
	for _, k := range []struct {
		name string
		a, b float64
	}{
		{"temperature", before.Temperature, after.Temperature},
		{"guidance", before.Guidance, after.Guidance},
		{"top-k", float64(before.TopK), float64(after.TopK)},
		{"top-p", before.TopP, after.TopP},
		{"guidance min-p", before.GuidanceMinP, after.GuidanceMinP}, // a control of its own now: it moved without a word
	} {
		if k.a != k.b {
			out = append(out, fmt.Sprintf("%s %g → %g", k.name, k.a, k.b))
		}
	}
	return strings.Join(out, ", ")
}
