package widgets

import (
	"math"
	"slices"
	"testing"
)

// maskEdges outlines the masked patches: runs along a row or column are
// one edge, patches touching the image's edge are closed by it, and two
// masked patches side by side share no edge.
func TestMaskEdges(t *testing.T) {
	for _, c := range []struct {
		name       string
		rows, cols int
		mask       []bool
		want       []maskEdge
	}{
		{"none", 2, 2, []bool{false, false, false, false}, nil},
		{"centre", 3, 3, []bool{false, false, false, false, true, false, false, false, false},
			[]maskEdge{{1, 1, 2, 1}, {1, 2, 2, 2}, {1, 1, 1, 2}, {2, 1, 2, 2}}},
		{"all", 2, 2, []bool{true, true, true, true},
			[]maskEdge{{0, 0, 2, 0}, {0, 2, 2, 2}, {0, 0, 0, 2}, {2, 0, 2, 2}}},
		// An L: the top row and the left column's second patch.
		{"L", 2, 2, []bool{true, true, true, false},
			[]maskEdge{{0, 0, 2, 0}, {1, 1, 2, 1}, {0, 2, 1, 2}, {0, 0, 0, 2}, {1, 1, 1, 2}, {2, 0, 2, 1}}},
		{"wrong size", 2, 2, []bool{true}, nil},
	} {
		if got := maskEdges(c.mask, c.rows, c.cols); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// The grid lines are seen over white (the emoji's backgrounds: white
// lines were invisible there) and over black: each composite differs from
// the page by a quarter of the range at least.
func TestGridLinesShowOverWhiteAndBlack(t *testing.T) {
	c := gridLineColor()
	over := func(page float64) float64 {
		a := float64(c.A) / 255
		return a*float64(c.R) + (1-a)*page
	}
	for _, page := range []float64{255, 0} {
		if d := math.Abs(over(page) - page); d < 255.0/4 {
			t.Errorf("over %g the grid line is %.0f, %.0f levels away", page, over(page), d)
		}
	}
}
