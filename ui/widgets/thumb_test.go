package widgets

import (
	"image"
	"testing"

	"fyne.io/fyne/v2/test"
)

// A thumbnail's note is said in full where it fits ("seed 7"), and short
// where the full one would be cut ("3240338403", not "seed 32402…").
func TestThumbNoteLong(t *testing.T) {
	test.NewTempApp(t)
	note := func(short, long string) string {
		th := NewThumb(image.NewNRGBA(image.Rect(0, 0, 8, 8)), "#2", nil)
		th.Note, th.NoteLong = short, long
		r := test.TempWidgetRenderer(t, th).(*thumbRenderer)
		r.update()
		return r.note.Text
	}
	if got := note("7", "seed 7"); got != "seed 7" {
		t.Errorf("a short seed's note %q", got)
	}
	if got := note("3240338403", "seed 3240338403"); got != "3240338403" {
		t.Errorf("a long seed's note %q", got)
	}
}
