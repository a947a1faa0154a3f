package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/tessera-studio/tessera/ui/widgets"

	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/nearest"
	"github.com/tessera-studio/tessera/engine/trainjob"
	"github.com/tessera-studio/tessera/internal/imagetest"
)

// TestCheckMemorisedTellsCopiesFromNewPictures: a picture equal to a
// training image is its near-copy; one unlike every image is new.
func TestCheckMemorisedTellsCopiesFromNewPictures(t *testing.T) {
	set := nearest.New([]data.Sample{
		{Caption: "red square", Image: imagetest.Solid(color.NRGBA{220, 30, 30, 255}, 16)},
		{Caption: "blue square", Image: imagetest.Solid(color.NRGBA{30, 30, 220, 255}, 16)},
	}, 16)
	got := checkMemorised(set.Copies(nil), []string{"a", "b"}, []image.Image{
		imagetest.Solid(color.NRGBA{30, 30, 220, 255}, 16),
		imagetest.Solid(color.NRGBA{120, 200, 90, 255}, 16),
	})
	if got[0].nearest.Caption != "blue square" || !got[0].nearCopy || !strings.HasPrefix(got[0].verdict(), "near-copy of a training image") {
		t.Errorf("copy: nearest %q, near-copy %v, %q", got[0].nearest.Caption, got[0].nearCopy, got[0].verdict())
	}
	if got[1].nearCopy || !strings.HasPrefix(got[1].verdict(), "not a near-copy by this check (6.6 dB") || !strings.HasSuffix(got[1].verdict(), "it is far even from that image") {
		t.Errorf("new picture judged a near-copy, or said to depart in a few patches: %.1f dB, %q", got[1].psnr, got[1].verdict())
	}
	// Close but under the near-copy line: it departs in a few patches.
	if v := (memoEntry{psnr: 22.4, ceiling: 30}).verdict(); !strings.HasSuffix(v, "if only in a few patches") {
		t.Errorf("a picture at 22.4 dB from its nearest: %q", v)
	}
	// A tokenizer that draws the blue square back 25 levels darker (about
	// 20 dB): a picture as close as that is the model's copy of it.
	darker := func(image.Image) (image.Image, error) { return imagetest.Solid(color.NRGBA{5, 5, 195, 255}, 16), nil }
	drawn := checkMemorised(set.Copies(darker), []string{"c"}, []image.Image{imagetest.Solid(color.NRGBA{5, 5, 195, 255}, 16)})[0]
	if !drawn.nearCopy || drawn.psnr >= nearest.SamePictureDB || !strings.Contains(drawn.verdict(), "the model's tokenizer draws that image at 20.") {
		t.Errorf("the tokenizer's own drawing of a training image: %.1f dB, %q", drawn.psnr, drawn.verdict())
	}
}

// TestCheckMemorisedInTheStudio runs the check on a generated image and a
// batch's candidates for a model trained on the shapes data, and refuses a
// model whose training data is unknown.
func TestCheckMemorisedInTheStudio(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "red", 3)
	p, _ := s.Params()
	p.Batch = 3
	s.SetParams(p)
	generate(t, s)
	must(t, s.CheckMemorised()) // it runs in the background and reports there
	s.Wait()
	if err := s.LastError(); err == nil || !strings.Contains(err.Error(), "not known") {
		t.Fatalf("unknown training data: error %v", err)
	}
	c := s.bundle.Model.Config
	if c.Tessera == nil {
		c.Tessera = &model.Ext{}
	}
	c.Tessera.Name = "shapes"
	s.bundle.Model.Config = c
	must(t, s.CheckMemorised())
	s.Wait()
	if !strings.HasPrefix(s.Status(), "Memorisation check: ") || !strings.Contains(s.Status(), "of 3 pictures") || !hasDialog(s) {
		t.Fatalf("status %q, dialog %v", s.Status(), hasDialog(s))
	}
	if s.memo.set == nil || s.memo.dataset != "shapes" {
		t.Fatal("the training set is not kept for the next check")
	}

	// An image grown with Extend ↓ is compared by its top, the model's
	// size, and the dialog says so.
	s.dismissTopDialog()
	must(t, s.ExtendDown(3, 1))
	s.Wait()
	if !s.doc.Tall() {
		t.Fatalf("Extend ↓ did not grow the image: %q", s.Status())
	}
	must(t, s.CheckMemorised())
	s.Wait()
	said := false
	widgets.Walk(s.Window().Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, "the rows Extend ↓ added are not compared") {
			said = true
		}
	})
	if !said {
		t.Error("the check of an extended image does not say that its top alone is compared")
	}
}

// A model of a training run on a folder of images is checked against that
// folder, which its run recorded: a picture saved into the folder is then
// its own near-copy.
func TestCheckMemorisedOnAFolderModel(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "red", 3)
	generate(t, s)
	pics := filepath.Join(t.TempDir(), "pics")
	runDir := filepath.Join(t.TempDir(), "run")
	for _, d := range []string{pics, filepath.Join(runDir, "model")} {
		must(t, os.MkdirAll(d, 0o755))
	}
	rows, _ := s.bundle.Grid()
	imagetest.WritePNG(t, filepath.Join(pics, "mine.png"), decodeRows(s.bundle, s.doc.Tokens(), rows))
	imagetest.WritePNG(t, filepath.Join(pics, "other.png"), imagetest.Solid(color.NRGBA{30, 30, 220, 255}, 16))
	rec, err := json.Marshal(trainjob.Record{Settings: trainjob.Settings{Data: pics, OutDir: runDir}})
	must(t, err)
	must(t, os.WriteFile(filepath.Join(runDir, trainjob.RecordFile), rec, 0o644))
	s.bundle.Source = filepath.Join(runDir, "model")

	must(t, s.CheckMemorised())
	s.Wait()
	must(t, s.LastError())
	if want := "Memorisation check: 1 of 1 pictures are near-copies of pics training images"; s.Status() != want || !hasDialog(s) {
		t.Fatalf("status %q (want %q), dialog %v", s.Status(), want, hasDialog(s))
	}
	if s.memo.dataset != pics || s.memo.set.Len() != 2 {
		t.Errorf("checked against %q (%d images), want the 2 of %s", s.memo.dataset, s.memo.set.Len(), pics)
	}
}

// Training images that are not on this computer are said plainly, not with
// the data loader's folders and scripts.
func TestNoTrainingImagesIsSaidPlainly(t *testing.T) {
	inner := fmt.Errorf("emoji data not found in /x: run make data (or scripts/fetch-emoji.sh /x): %w", data.ErrNotFound)
	err := error(noTrainingImages{dataset: "emoji", err: inner})
	if !errors.Is(err, data.ErrNotFound) || strings.Contains(err.Error(), "scripts/") || strings.Count(err.Error(), "not") != 1 ||
		!strings.Contains(err.Error(), "The emoji training images are not on this computer") || !strings.Contains(err.Error(), "about 200 MB of packages") ||
		!strings.Contains(err.Error(), "Nearest training images compares") {
		t.Errorf("%v", err)
	}
	if err := (noTrainingImages{dataset: "mnist", err: inner}); !strings.Contains(err.Error(), "as a Go module (about 12 MB)") {
		t.Errorf("%v", err)
	}
}
