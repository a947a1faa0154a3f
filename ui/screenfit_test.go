package ui

import (
	"testing"

	"fyne.io/fyne/v2"
)

// A window larger than the screen's work area opens at the work area's
// size (less room for the title bar), in Fyne units at the screen's
// scale, never below the content's minimum, and a window that fits keeps
// its size.
func TestFitSize(t *testing.T) {
	want := fyne.NewSize(1200, 720)
	minSize := fyne.NewSize(1000, 540)
	for _, c := range []struct {
		name         string
		workW, workH int
		scale        float32
		want         fyne.Size
	}{
		{"1920×1080 at 100%", 1920, 1040, 1, want},
		{"1366×768 less a 40-px task bar at 125%", 1366, 728, 1.25, fyne.NewSize((1366-16)/1.25, 544)},
		{"1366×768 at 100%", 1366, 728, 1, fyne.NewSize(1200, 680)},
		{"1024×768 at 100%", 1024, 768, 1, fyne.NewSize(1008, 720)},
		{"800×500: the content's minimum", 800, 500, 1, minSize},
		{"no monitor", 0, 0, 1, want},
	} {
		if got := fitSize(want, minSize, c.workW, c.workH, c.scale); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
