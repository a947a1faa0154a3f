package ui

import (
	"errors"
	"fmt"
	"image"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/sampler"
)

// tinyModels offers the built-in tiny model "tiny" (and "tiny2", another
// random one, when other is set).
type tinyModels struct {
	b, other *bundle.Bundle
}

func (m tinyModels) Builtin() []string {
	if m.other != nil {
		return []string{"tiny", "tiny2"}
	}
	return []string{"tiny"}
}

func (m tinyModels) Open(key string, progress func(done, total int64)) (*bundle.Bundle, error) {
	if progress != nil {
		progress(10, 10)
	}
	switch {
	case key == "tiny":
		return m.b, nil
	case key == "tiny2" && m.other != nil:
		return m.other, nil
	}
	return nil, fmt.Errorf("no model %q", key)
}

// studioEnv is a studio on a test app with its own folders.
type studioEnv struct {
	app     fyne.App
	outputs string
	state   string
	models  Models
}

// newEnv returns folders and models for studios in t.
func newEnv(t *testing.T) *studioEnv {
	t.Helper()
	return &studioEnv{app: test.NewTempApp(t), outputs: t.TempDir(), state: t.TempDir(), models: tinyModels{b: bundletest.Tiny(3)}}
}

// open builds a studio and waits for its model.
func (e *studioEnv) open(t *testing.T) *Studio {
	t.Helper()
	s := NewStudio(e.app, Options{Version: "test", Models: e.models, OutputsDir: e.outputs, StateDir: e.state, Workers: 1, loop: newTestLoop()})
	s.Window().Resize(fyne.NewSize(1200, 800))
	s.Wait()
	if s.Bundle() == nil && e.models.Builtin() != nil {
		t.Fatalf("model not loaded: %v", s.LastError())
	}
	t.Cleanup(func() {
		s.Stop()
		s.Wait()
		s.save.Flush()
	})
	return s
}

// start builds a studio on e's folders with opt's changes (Options.Model,
// DefaultModel, …), not waiting for its model; it is stopped and its
// autosave flushed when the test ends (a late autosave wrote into the
// removed temporary folder).
func (e *studioEnv) start(t *testing.T, opt func(*Options)) *Studio {
	t.Helper()
	o := Options{Version: "test", Models: e.models, OutputsDir: e.outputs, StateDir: e.state, Workers: 1, loop: newTestLoop()}
	if opt != nil {
		opt(&o)
	}
	s := NewStudio(e.app, o)
	t.Cleanup(func() { s.Stop(); s.Wait(); s.save.Flush() })
	return s
}

// savedImage leaves a saved session on e's folders: an image drawn by the
// first model, autosaved; it returns the image's codes.
func (e *studioEnv) savedImage(t *testing.T) []int {
	t.Helper()
	s := e.open(t)
	lockSeed(t, s, "red cat", 7)
	generate(t, s)
	must(t, s.FlushAutosave())
	return s.Document().Tokens()
}

// newTestStudio is a studio on the tiny model.
func newTestStudio(t *testing.T) *Studio {
	t.Helper()
	return newEnv(t).open(t)
}

// exportThenRedraw generates an image, exports it as name in a new folder
// and generates another: the path of a picture that is not the one on the
// canvas.
func exportThenRedraw(t *testing.T, s *Studio, name string) string {
	t.Helper()
	generate(t, s)
	path := filepath.Join(t.TempDir(), name)
	must(t, s.ExportTo(path))
	generate(t, s)
	return path
}

// lockSeed sets the prompt and a locked seed.
func lockSeed(t *testing.T, s *Studio, prompt string, seed uint64) {
	t.Helper()
	p, err := s.Params()
	must(t, err)
	p.Prompt, p.Seed, p.SeedLocked = prompt, seed, true
	s.SetParams(p)
}

// generate runs Generate to the end.
func generate(t *testing.T, s *Studio) {
	t.Helper()
	must(t, s.Generate())
	s.Wait()
	if s.LastError() != nil {
		t.Fatalf("generate: %v", s.LastError())
	}
}

// patchOpaque reports whether patch i of img is painted.
func patchOpaque(img *image.NRGBA, i, cols, p int) bool {
	x, y := i%cols*p, i/cols*p
	for dy := 0; dy < p; dy++ {
		for dx := 0; dx < p; dx++ {
			if img.NRGBAAt(x+dx, y+dy).A != 255 {
				return false
			}
		}
	}
	return true
}

// patchEqual reports whether patch i is the same in a and b.
func patchEqual(a, b *image.NRGBA, i, cols, p int) bool {
	x, y := i%cols*p, i/cols*p
	for dy := 0; dy < p; dy++ {
		for dx := 0; dx < p; dx++ {
			if a.NRGBAAt(x+dx, y+dy) != b.NRGBAAt(x+dx, y+dy) {
				return false
			}
		}
	}
	return true
}

// patchCenter is the absolute canvas position of patch (row, col)'s centre.
func patchCenter(s *Studio, row, col int) fyne.Position {
	lc := s.Canvas()
	return fyne.CurrentApp().Driver().AbsolutePositionForObject(lc).Add(lc.PatchCenter(row, col))
}

// hasDialog reports whether a dialog is shown over the window.
func hasDialog(s *Studio) bool {
	return s.Window().Canvas().Overlays().Top() != nil
}

// uriOf is a file URI for path.
func uriOf(path string) fyne.URI { return storage.NewFileURI(path) }

// testLoop is a UI loop that the test goroutine pumps (in Wait), so
// widget work from jobs runs on the test goroutine as it would on Fyne's
// main goroutine.
type testLoop struct {
	mu    sync.Mutex
	queue []func()
	wake  chan struct{}
}

func newTestLoop() *testLoop { return &testLoop{wake: make(chan struct{}, 1)} }

func (l *testLoop) Do(fn func()) {
	l.mu.Lock()
	l.queue = append(l.queue, fn)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

func (l *testLoop) DoAndWait(fn func()) {
	done := make(chan struct{})
	l.Do(func() {
		defer close(done)
		fn()
	})
	<-done
}

// runQueued runs what is queued now; it reports whether it ran anything.
func (l *testLoop) runQueued() bool {
	l.mu.Lock()
	q := l.queue
	l.queue = nil
	l.mu.Unlock()
	for _, fn := range q {
		fn()
	}
	return len(q) > 0
}

func (l *testLoop) pumpUntil(done func() bool) {
	for {
		l.runQueued()
		if done() {
			l.runQueued()
			return
		}
		select {
		case <-l.wake:
		case <-time.After(time.Millisecond):
		}
	}
}

// must fails the test on an error.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// walkObjects calls visit on o and on every object under it (a
// container's children, a widget's rendered objects), depth first, until
// visit returns true; it reports whether one did.
func walkObjects(o fyne.CanvasObject, visit func(fyne.CanvasObject) bool) bool {
	if visit(o) {
		return true
	}
	var under []fyne.CanvasObject
	switch v := o.(type) {
	case *fyne.Container:
		under = v.Objects
	case fyne.Widget:
		under = test.WidgetRenderer(v).Objects()
	}
	for _, c := range under {
		if walkObjects(c, visit) {
			return true
		}
	}
	return false
}

// dialogText is the text of the labels in the dialog shown over the
// window, line breaks read as spaces ("" when none is shown).
func dialogText(s *Studio) string {
	var parts []string
	if top := s.Window().Canvas().Overlays().Top(); top != nil {
		walkObjects(top, func(o fyne.CanvasObject) bool {
			if l, ok := o.(*widget.Label); ok {
				parts = append(parts, strings.ReplaceAll(l.Text, "\n", " "))
			}
			return false
		})
	}
	return strings.Join(parts, " ")
}

// buttonIn finds the button labelled text in o's tree of objects (nil: none).
func buttonIn(o fyne.CanvasObject, text string) *widget.Button {
	var found *widget.Button
	walkObjects(o, func(o fyne.CanvasObject) bool {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			found = b
		}
		return found != nil
	})
	return found
}

// openPlainPicture writes a w×h picture without metadata (a gradient) as
// photo.png and opens it in s: a picture opened from a file, with no
// prompt or seed of its own.
func openPlainPicture(t *testing.T, s *Studio, w, h int) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(7 * i)
	}
	path := filepath.Join(t.TempDir(), "photo.png")
	must(t, pngmeta.WriteFileAtomic(path, img, nil))
	must(t, s.OpenFile(path))
	s.Wait()
	must(t, s.LastError())
}

// holdRun makes s's runs wait at their patch step from on (1-based) until
// release; started is closed once one has reached it. The test's end
// releases it too, so that a failure does not leave the run waiting.
func holdRun(t *testing.T, s *Studio, from int) (started <-chan struct{}, release func()) {
	t.Helper()
	hold, reached := make(chan struct{}), make(chan struct{})
	var once, freed sync.Once
	s.runs.onPatch = func(ev sampler.Event) {
		if ev.Step >= from {
			once.Do(func() { close(reached) })
			<-hold
		}
	}
	release = func() { freed.Do(func() { close(hold) }) }
	t.Cleanup(release) // before the studio's own cleanup waits for the run
	return reached, release
}

// TestCapitalizeLeavesFileNames: a message that starts with a file name
// keeps its case (an error dialog named "Tessera-….png" for tessera-….png).
func TestCapitalizeLeavesFileNames(t *testing.T) {
	for in, want := range map[string]string{
		"generating is still running":             "Generating is still running",
		"tessera-20261206-s2.png is no longer in": "tessera-20261206-s2.png is no longer in",
		"runs/a/model: no such model folder":      "runs/a/model: no such model folder",
		"edit: the image is not finished":         "Edit: the image is not finished",
		"":                                        "",
	} {
		if got := capitalize(in); got != want {
			t.Errorf("capitalize(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestErrorDialogKeepsAFileNamesCase: Fyne's error dialog upper-cases the
// first letter; one whose message starts with a file name keeps it.
func TestErrorDialogKeepsAFileNamesCase(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewWindow(nil)
	defer w.Close()
	msg := "tessera-20261206-red-circle-s2.png is no longer in /tmp/out"
	errorDialog(errors.New(msg), w).Show()
	markup := test.RenderObjectToMarkup(w.Canvas().Overlays().Top())
	if !strings.Contains(markup, msg) || strings.Contains(markup, "Tessera-20261206") {
		t.Errorf("the dialog does not show %q as it is: %s", msg, markup)
	}
}

// TestMissingOutputsFolderIsSaid: an outputs folder chosen in Settings that
// is gone at start is said (the History strip was empty without a word).
func TestMissingOutputsFolderIsSaid(t *testing.T) {
	e := newEnv(t)
	gone := filepath.Join(t.TempDir(), "out2")
	settings{p: e.app.Preferences()}.SetOutputs(gone)
	s := e.start(t, func(o *Options) { o.OutputsDir = "" })
	s.Wait()
	if log := strings.Join(s.StatusLog(), "\n"); s.OutputsDir() != gone || !strings.Contains(log, "is not there") || !strings.Contains(log, "out2") {
		t.Fatalf("outputs %q, status log %q", s.OutputsDir(), log)
	}
}
