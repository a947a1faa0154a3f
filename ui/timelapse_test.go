package ui

import (
	"image"
	"image/color"
	"image/gif"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The time-lapse GIF grows patch by patch: one frame per patch after a
// blank one, each frame first differing from the previous inside the new
// patch; it is written atomically (no temporary file left).
func TestTimelapseGrowsPatchByPatch(t *testing.T) {
	s := newTestStudio(t)
	lockSeed(t, s, "blue cat", 17)
	generate(t, s)
	dir := t.TempDir()
	path := filepath.Join(dir, "growth.gif")
	must(t, s.ExportTimelapse(path))
	s.Wait()
	must(t, s.LastError())
	files, _ := os.ReadDir(dir)
	if len(files) != 1 {
		t.Fatalf("folder holds %d files", len(files))
	}
	anim := readGIF(t, path)
	n := len(s.Document().Tokens())
	if len(anim.Image) != n+1 {
		t.Fatalf("%d frames for %d patches", len(anim.Image), n)
	}
	_, cols := s.Bundle().Grid()
	side := anim.Image[0].Rect.Dx() / cols // a patch, in frame pixels
	checkGrowth(t, anim, cols, side)

	found := false
	for _, it := range s.Window().MainMenu().Items[0].Items {
		found = found || it.Label == "Export time-lapse (GIF)…"
	}
	if !found {
		t.Fatal("the File menu lacks Export time-lapse (GIF)…")
	}
}

// readGIF decodes an animated GIF file.
func readGIF(t *testing.T, path string) *gif.GIF {
	t.Helper()
	f, err := os.Open(path)
	must(t, err)
	defer f.Close()
	anim, err := gif.DecodeAll(f)
	must(t, err)
	return anim
}

// checkGrowth checks that frame 0 is blank and frame j+1 first differs from
// frame j (in raster order) inside patch j.
func checkGrowth(t *testing.T, anim *gif.GIF, cols, side int) {
	t.Helper()
	white := color.RGBAModel.Convert(color.White)
	f0 := anim.Image[0]
	for y := 0; y < f0.Rect.Dy(); y++ {
		for x := 0; x < f0.Rect.Dx(); x++ {
			if color.RGBAModel.Convert(f0.At(x, y)) != white {
				t.Fatalf("frame 0 is not blank at (%d,%d)", x, y)
			}
		}
	}
	for j := 0; j+1 < len(anim.Image); j++ {
		a, b := anim.Image[j], anim.Image[j+1]
		p, ok := firstDiff(a, b)
		r := image.Rect(j%cols*side, j/cols*side, j%cols*side+side, j/cols*side+side)
		if !ok || !p.In(r) {
			t.Fatalf("frame %d first differs from frame %d at %v (found %v), not in patch %d %v", j+1, j, p, ok, j, r)
		}
	}
}

// firstDiff is the first pixel, in raster order, where a and b differ.
func firstDiff(a, b *image.Paletted) (image.Point, bool) {
	for y := 0; y < a.Rect.Dy(); y++ {
		for x := 0; x < a.Rect.Dx(); x++ {
			if a.At(x, y) != b.At(x, y) {
				return image.Pt(x, y), true
			}
		}
	}
	return image.Point{}, false
}

// A failed time-lapse export is reported and leaves nothing behind.
func TestTimelapseFailureReported(t *testing.T) {
	s := newTestStudio(t)
	generate(t, s)
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	must(t, os.WriteFile(blocker, nil, 0o644))
	must(t, s.ExportTimelapse(filepath.Join(blocker, "x.gif")))
	s.Wait()
	if s.LastError() == nil || !hasDialog(s) {
		t.Fatal("no error shown")
	}
}

// A time-lapse into a folder that takes no new files (/proc, even for root)
// is refused before the dialog's work goes to the background, so the dialog
// comes back with what was typed; the write once failed later, unseen by it.
func TestTimelapseUnwritableFolderRefusedFirst(t *testing.T) {
	if fi, err := os.Stat("/proc"); err != nil || !fi.IsDir() {
		t.Skip("no /proc")
	}
	s := newTestStudio(t)
	generate(t, s)
	asked := 0
	s.files.saveTo("/proc/tessera-timelapse.gif", ".gif", s.TimelapseAs, func() { asked++ })
	s.Wait()
	if asked != 1 || s.LastError() == nil || !strings.Contains(s.LastError().Error(), "cannot write in /proc") {
		t.Fatalf("dialog shown again %d times, error %v", asked, s.LastError())
	}
}
